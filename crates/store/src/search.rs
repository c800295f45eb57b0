//! The search index: what the registry keeps about each record so that persons can be found by
//! any spelling in either script and filtered by prison, city and year of death.
//!
//! The index is derived from the records' parsed fields and can always be rebuilt from them;
//! it is written in the same transaction as the records it describes.

use domain::date::UncertainDate;
use domain::fields::CanonicalField;
use domain::record::FieldValue;
use text::normalize::normalize_for_search;
use text::skeleton::{skeleton_key_joined, skeleton_key_of_normalized};

/// The index entry of one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IndexEntry {
    /// The name to show in lists: the full name, or given name and surname, as written.
    pub(crate) display_name: String,
    /// The normalised spellings of every name field.
    pub(crate) names: String,
    /// Cross-script consonant keys of every name word, and of adjacent words run together.
    pub(crate) skeletons: String,
    /// The prison, normalised.
    pub(crate) prison: Option<String>,
    /// The city, normalised.
    pub(crate) city: Option<String>,
    /// The Gregorian year of execution or death (the interval's earliest day).
    pub(crate) death_year: Option<i32>,
    /// The Gregorian month of execution or death, `YYYY-MM`, when the date gives the month.
    pub(crate) death_month: Option<String>,
}

const NAME_FIELDS: [CanonicalField; 4] = [
    CanonicalField::FullName,
    CanonicalField::GivenName,
    CanonicalField::Surname,
    CanonicalField::FatherName,
];

fn text_of(fields: &[(CanonicalField, FieldValue)], field: CanonicalField) -> Option<&str> {
    fields.iter().find_map(|(f, v)| match v {
        FieldValue::Text { text } if *f == field && !text.trim().is_empty() => Some(text.as_str()),
        _ => None,
    })
}

/// The index entry of a record with these parsed fields.
pub(crate) fn index_entry(fields: &[(CanonicalField, FieldValue)]) -> IndexEntry {
    let display_name = match text_of(fields, CanonicalField::FullName) {
        Some(full) => full.trim().to_string(),
        None => [CanonicalField::GivenName, CanonicalField::Surname]
            .iter()
            .filter_map(|f| text_of(fields, *f))
            .map(str::trim)
            .collect::<Vec<_>>()
            .join(" "),
    };
    let mut names = Vec::new();
    let mut skeletons = Vec::new();
    for field in NAME_FIELDS {
        let Some(name) = text_of(fields, field) else {
            continue;
        };
        let normalized = normalize_for_search(name);
        let words: Vec<&str> = normalized.split_whitespace().collect();
        skeletons.extend(
            words
                .iter()
                .map(|w| skeleton_key_of_normalized(w))
                .filter(|k| !k.is_empty()),
        );
        skeletons.extend(
            words
                .windows(2)
                .map(|pair| skeleton_key_joined(&pair.join(" ")))
                .filter(|k| !k.is_empty()),
        );
        names.push(normalized);
    }
    let death_date = [CanonicalField::ExecutionDate, CanonicalField::DeathDate]
        .iter()
        .find_map(|field| {
            fields.iter().find_map(|(f, v)| match v {
                FieldValue::Date { date } if f == field => Some(date),
                _ => None,
            })
        });
    IndexEntry {
        display_name,
        names: names.join(" "),
        skeletons: skeletons.join(" "),
        prison: text_of(fields, CanonicalField::Prison).map(facet_key),
        city: text_of(fields, CanonicalField::City).map(facet_key),
        death_year: death_date.and_then(UncertainDate::year),
        death_month: death_date.and_then(UncertainDate::month),
    }
}

/// The key a facet value (a prison, a city) is filed under: normalised, spaces collapsed.
pub fn facet_key(value: &str) -> String {
    normalize_for_search(value)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The FTS5 query for what a user typed: every word must match, either as the beginning of a
/// normalised spelling or through its cross-script skeleton. `None` when nothing searchable
/// was typed. Words are quoted, so FTS5 syntax in the input is taken literally.
pub(crate) fn match_query(typed: &str) -> Option<String> {
    let normalized = normalize_for_search(typed);
    let clauses: Vec<String> = normalized
        .split_whitespace()
        .map(|word| word.replace('"', ""))
        .filter(|word| word.chars().any(char::is_alphanumeric))
        .map(|word| {
            let skeleton = skeleton_key_of_normalized(&word);
            if skeleton.is_empty() {
                format!("names: \"{word}\"*")
            } else {
                format!("(names: \"{word}\"* OR skeletons: \"{skeleton}\")")
            }
        })
        .collect();
    (!clauses.is_empty()).then(|| clauses.join(" AND "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(field: CanonicalField, value: &str) -> (CanonicalField, FieldValue) {
        (
            field,
            FieldValue::Text {
                text: value.to_string(),
            },
        )
    }

    #[test]
    fn a_record_in_persian_is_indexed_under_the_latin_skeleton() {
        let entry = index_entry(&[
            text(CanonicalField::GivenName, "محمد"),
            text(CanonicalField::Surname, "رضایی"),
            text(CanonicalField::Prison, "  Evin   Prison "),
        ]);
        assert_eq!(entry.display_name, "محمد رضایی");
        let query_skeleton = skeleton_key_of_normalized("mohammad");
        assert!(entry.skeletons.split(' ').any(|k| k == query_skeleton));
        assert_eq!(entry.prison.as_deref(), Some("evin prison"));
        assert_eq!(entry.death_year, None);
    }

    #[test]
    fn a_solar_hijri_month_is_charted_under_the_gregorian_month_most_of_it_falls_in() {
        let dated = |text: &str| {
            let date = text::dates::parse_date(text, None).unwrap_or_else(|e| panic!("{e}"));
            index_entry(&[(CanonicalField::ExecutionDate, FieldValue::Date { date })])
        };
        let mordad = dated("مرداد ۱۳۶۷");
        assert_eq!(mordad.death_month.as_deref(), Some("1988-08"));
        assert_eq!(mordad.death_year, Some(1988));
        let dey = dated("دی ۱۳۶۷");
        assert_eq!(dey.death_month.as_deref(), Some("1989-01"));
        assert_eq!(dey.death_year, Some(1989));
        let summer = dated("summer 1988");
        assert_eq!((summer.death_month, summer.death_year), (None, Some(1988)));
    }

    #[test]
    fn typed_quotes_and_operators_are_taken_literally() {
        let query = match_query("Rezaei\" OR x").unwrap_or_default();
        assert!(query.starts_with("(names: \"rezaei\"*"), "{query}");
        assert_eq!(query.matches(" AND ").count(), 2, "{query}");
        assert_eq!(match_query("  ... "), None);
        assert_eq!(match_query("   "), None);
    }
}
