//! Capture histories from the registry: which sources saw each linked person, overall and by
//! stratum, as the tables Multiple Systems Estimation reads. A stratum is one value of the
//! `--by` field however the lists spell it.

use anyhow::{Context, bail};
use domain::fields::CanonicalField;
use estimate::error::EstimateError;
use estimate::report::{Warning, records_per_source};
use estimate::table::StratifiedTables;
use std::collections::{BTreeSet, HashMap};
use store::Store;
use store::linkage::PersonSources;
use text::normalize::{normalize_for_search, to_ascii_digits};
use text::places::{place_key, short_place_name};
use text::skeleton::skeleton_key_joined;

/// The capture tables of the registry's linked persons, with strata from the `by` field, and the
/// warning that some imported records are not linked yet ([`Warning::UnlinkedRecords`]): the
/// tables count linked persons only, so those records, and a source none of whose records are
/// linked, are missing from them. When no table can be built because of them (nobody linked,
/// or a single list linked), the error says so and what to run.
pub async fn registry_tables(
    store: &Store,
    by: Option<CanonicalField>,
) -> anyhow::Result<(StratifiedTables, Option<Warning>)> {
    let histories = store.capture_histories(by).await?;
    let unlinked = (!histories.unlinked.is_empty()).then(|| Warning::UnlinkedRecords {
        sources: histories.unlinked.clone(),
    });
    if histories.persons.is_empty() {
        if unlinked.is_some() {
            bail!(
                "nobody in the registry is linked yet, though records are imported ({}): run `whereabouts link` with the same --data, then estimate again",
                records_per_source(&histories.unlinked)
            );
        }
        bail!(
            "the registry has no linked persons yet: import the lists (`whereabouts import FILE --source NAME`) and link them (`whereabouts link`), both with the same --data"
        );
    }
    let tables = linked_tables(&histories.persons, by).map_err(|error| match &unlinked {
        Some(warning) if one_list(&error) => anyhow::anyhow!("{error:#}; {warning}"),
        _ => error,
    })?;
    Ok((tables, unlinked))
}

/// The linked persons were all seen by one list, too few for a table.
fn one_list(error: &anyhow::Error) -> bool {
    matches!(
        error.root_cause().downcast_ref::<EstimateError>(),
        Some(EstimateError::TooFewLists { .. })
    )
}

/// The tables of the linked persons (at least one).
fn linked_tables(
    persons: &[PersonSources],
    by: Option<CanonicalField>,
) -> anyhow::Result<StratifiedTables> {
    let lists: Vec<String> = persons
        .iter()
        .flat_map(|p| p.sources.iter().cloned())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let strata = match by {
        Some(field) if !field.is_date() => one_spelling_per_value(field, persons),
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

/// The warning that pairs of records still await review, when some do: until they are
/// decided, the persons the tables count are not settled (see
/// [`estimate::report::Warning::UnreviewedPairs`]).
pub async fn unreviewed_pairs(store: &Store) -> anyhow::Result<Option<Warning>> {
    let pending = store
        .pending_review_pairs()
        .await
        .context("counting the pairs that await review")?;
    Ok((pending > 0).then_some(Warning::UnreviewedPairs { pairs: pending }))
}

/// Fields that name a place: their strata meet across scripts (see [`stratum_key`]).
const PLACE_FIELDS: &[CanonicalField] = &[
    CanonicalField::Prison,
    CanonicalField::City,
    CanonicalField::Province,
    CanonicalField::BirthPlace,
    CanonicalField::BurialPlace,
];

/// Each person's stratum, with the spellings of one value brought together under
/// [`stratum_key`] and shown under the spelling most persons in the group have (the first in
/// sort order on a tie). Each distinct spelling's key is worked out once, however many
/// persons share it.
fn one_spelling_per_value(field: CanonicalField, persons: &[PersonSources]) -> Vec<Option<String>> {
    let mut persons_by_spelling: HashMap<&str, usize> = HashMap::new();
    for value in persons.iter().filter_map(|p| p.stratum.as_deref()) {
        *persons_by_spelling.entry(value).or_default() += 1;
    }
    let key_of: HashMap<&str, String> = persons_by_spelling
        .keys()
        .map(|value| (*value, stratum_key(field, value)))
        .collect();
    let mut label: HashMap<&str, (&str, usize)> = HashMap::new();
    for (value, count) in &persons_by_spelling {
        let best = label
            .entry(key_of[value].as_str())
            .or_insert((value, *count));
        if (*count, std::cmp::Reverse(*value)) > (best.1, std::cmp::Reverse(best.0)) {
            *best = (value, *count);
        }
    }
    persons
        .iter()
        .map(|p| {
            let key = key_of.get(p.stratum.as_deref()?)?;
            label
                .get(key.as_str())
                .map(|(spelling, _)| spelling.to_string())
        })
        .collect()
}

/// The key under which spellings of one value meet. Any text is normalised (Arabic and
/// Persian letter forms, case, spaces: `مجاهدين` is `مجاهدین`). A place also drops its generic
/// words and meets its other scripts through the cross-script skeleton of its place key (the
/// key linkage compares places by: `Gilan` is `گیلان`, `Evin Prison` is `Evin`), keeping its
/// digits (`Ward 209` is not `Ward 350`). A skeleton of fewer than three consonants is too
/// coarse to trust (`Ahar` and `Hir`, `Sari` and `Sar` share one), so such a place meets its
/// other script only when it is one of the short names listed with their exact spellings
/// ([`text::places::SHORT_PLACE_NAMES`]: `Evin` and `اوین`), and otherwise keeps its
/// normalised key.
fn stratum_key(field: CanonicalField, value: &str) -> String {
    let normalized = normalize_for_search(&to_ascii_digits(value));
    if !PLACE_FIELDS.contains(&field) {
        return normalized;
    }
    let place = place_key(&normalized);
    let skeleton = skeleton_key_joined(&place);
    if skeleton.chars().filter(char::is_ascii_alphabetic).count() < 3 {
        return short_place_name(&place).map_or(place, str::to_string);
    }
    let digits: String = place.chars().filter(char::is_ascii_digit).collect();
    format!("{skeleton} {digits}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::ids::PersonId;

    fn strata_of(field: CanonicalField, values: &[Option<&str>]) -> Vec<Option<String>> {
        let persons: Vec<_> = values
            .iter()
            .zip(1..)
            .map(|(value, id)| PersonSources {
                person: PersonId(id),
                sources: vec!["a".into()],
                stratum: value.map(str::to_string),
            })
            .collect();
        one_spelling_per_value(field, &persons)
    }

    fn distinct(strata: &[Option<String>]) -> usize {
        strata.iter().flatten().collect::<BTreeSet<_>>().len()
    }

    #[test]
    fn spellings_of_one_place_make_one_stratum_under_its_commonest_spelling() {
        let values = [
            Some("گیلان"),
            Some("گيلان"),
            Some("Gilan"),
            Some("گیلان"),
            Some("Evin Prison"),
            Some("Evin"),
            Some("Tehran"),
            None,
        ];
        let strata = strata_of(CanonicalField::Province, &values);
        let gilan = Some("گیلان".to_string());
        assert_eq!(
            strata[..4],
            [gilan.clone(), gilan.clone(), gilan.clone(), gilan]
        );
        assert_eq!(strata[4], strata[5], "{strata:?}");
        assert_eq!(strata[6].as_deref(), Some("Tehran"));
        assert_eq!(strata[7], None);
        let evin = strata_of(
            CanonicalField::Prison,
            &[
                Some("اوین"),
                Some("Evin"),
                Some("زندان اوین"),
                Some("اوین"),
                Some("N/A"),
            ],
        );
        assert!(
            evin[..4].iter().all(|s| s.as_deref() == Some("اوین")),
            "{evin:?}"
        );
        assert_eq!(evin[4].as_deref(), Some("N/A"), "{evin:?}");
    }

    #[test]
    fn places_whose_keys_are_too_coarse_or_whose_numbers_differ_stay_apart() {
        for pair in [
            ["Tabriz", "Tehran"],
            ["Evin", "N/A"],
            ["Ahar", "Hir"],
            ["Sari", "Sar"],
            ["Ilam", "Alam"],
            ["Gohardasht Ward 209", "Gohardasht Ward 350"],
        ] {
            let strata = strata_of(CanonicalField::Prison, &[Some(pair[0]), Some(pair[1])]);
            assert_eq!(distinct(&strata), 2, "{pair:?}: {strata:?}");
        }
    }

    #[test]
    fn other_fields_meet_only_on_normalised_text() {
        let values = [
            Some("مجاهدين"),
            Some("مجاهدین"),
            Some("Mojahedin"),
            Some("25 years"),
            Some("52 years"),
        ];
        let strata = strata_of(CanonicalField::Affiliation, &values);
        assert_eq!(strata[0], strata[1], "{strata:?}");
        assert_eq!(distinct(&strata), 4, "{strata:?}");
    }
}
