//! Capture histories from the registry: which sources saw each linked person, overall and by
//! stratum, as the tables Multiple Systems Estimation reads. A stratum is one value of the
//! `--by` field however the lists spell it.

use anyhow::{Context, bail};
use domain::fields::CanonicalField;
use estimate::table::StratifiedTables;
use std::collections::{BTreeSet, HashMap};
use store::Store;
use text::places::place_key_of;
use text::skeleton::skeleton_key_joined;

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
    let strata = match by {
        Some(field) if !field.is_date() => one_spelling_per_value(&persons),
        _ => persons.iter().map(|p| p.stratum.clone()).collect(),
    };
    let histories: Vec<(Option<String>, Vec<bool>)> = persons
        .iter()
        .zip(strata)
        .map(|(p, stratum)| {
            (
                stratum,
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

/// Each person's stratum, with the spellings of one value brought together: `گيلان` (Arabic
/// yeh), `گیلان` and `Gilan`, or `Evin` and `زندان اوین`, meet under the cross-script skeleton
/// of their place key (the key linkage compares places by) and take the spelling most persons
/// in the group have (the first in sort order on a tie). Typos that change a consonant stay
/// apart.
fn one_spelling_per_value(persons: &[store::linkage::PersonSources]) -> Vec<Option<String>> {
    let key = |value: &str| {
        let key = skeleton_key_joined(&place_key_of(value));
        if key.is_empty() {
            value.to_string()
        } else {
            key
        }
    };
    let mut spellings: HashMap<String, HashMap<&str, usize>> = HashMap::new();
    for value in persons.iter().filter_map(|p| p.stratum.as_deref()) {
        *spellings
            .entry(key(value))
            .or_default()
            .entry(value)
            .or_default() += 1;
    }
    let label: HashMap<String, String> = spellings
        .into_iter()
        .map(|(key, counts)| {
            let most = counts
                .into_iter()
                .max_by(|(a, x), (b, y)| x.cmp(y).then_with(|| b.cmp(a)))
                .map(|(spelling, _)| spelling.to_string())
                .unwrap_or_default();
            (key, most)
        })
        .collect();
    persons
        .iter()
        .map(|p| {
            let value = p.stratum.as_deref()?;
            label.get(&key(value)).cloned()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::ids::PersonId;

    fn person(id: i64, stratum: Option<&str>) -> store::linkage::PersonSources {
        store::linkage::PersonSources {
            person: PersonId(id),
            sources: vec!["a".into()],
            stratum: stratum.map(str::to_string),
        }
    }

    #[test]
    fn spellings_of_one_place_make_one_stratum_under_its_commonest_spelling() {
        let persons = [
            person(1, Some("گیلان")),
            person(2, Some("گيلان")),
            person(3, Some("Gilan")),
            person(4, Some("گیلان")),
            person(5, Some("Evin Prison")),
            person(6, Some("زندان اوین")),
            person(7, Some("Tehran")),
            person(8, None),
        ];
        let strata = one_spelling_per_value(&persons);
        let gilan = Some("گیلان".to_string());
        assert_eq!(
            strata[..4],
            [gilan.clone(), gilan.clone(), gilan.clone(), gilan]
        );
        assert_eq!(strata[4], strata[5], "{strata:?}");
        assert_eq!(strata[6].as_deref(), Some("Tehran"));
        assert_eq!(strata[7], None);
    }

    #[test]
    fn different_places_stay_apart() {
        let persons = [
            person(1, Some("Tabriz")),
            person(2, Some("Tehran")),
            person(3, Some("Rasht")),
        ];
        let strata = one_spelling_per_value(&persons);
        let distinct: BTreeSet<_> = strata.iter().flatten().collect();
        assert_eq!(distinct.len(), 3, "{strata:?}");
    }
}
