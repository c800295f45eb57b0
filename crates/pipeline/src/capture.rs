//! Capture histories from the registry: which sources saw each linked person, overall and by
//! stratum, as the tables Multiple Systems Estimation reads.

use anyhow::{Context, bail};
use domain::fields::CanonicalField;
use estimate::table::StratifiedTables;
use std::collections::BTreeSet;
use store::Store;

/// The capture tables of the registry's linked persons, with strata from the `by` field.
pub async fn registry_tables(
    store: &Store,
    by: Option<CanonicalField>,
) -> anyhow::Result<StratifiedTables> {
    let persons = store.person_sources(by).await?;
    if persons.is_empty() {
        bail!("the registry has no linked persons yet: run `whereabouts link` first");
    }
    let lists: Vec<String> = persons
        .iter()
        .flat_map(|p| p.sources.iter().cloned())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let histories: Vec<(Option<String>, Vec<bool>)> = persons
        .iter()
        .map(|p| {
            (
                p.stratum.clone(),
                lists.iter().map(|l| p.sources.contains(l)).collect(),
            )
        })
        .collect();
    StratifiedTables::from_histories(
        lists,
        histories
            .iter()
            .map(|(stratum, seen)| (stratum.clone(), seen.as_slice())),
    )
    .context("building capture histories from the registry")
}
