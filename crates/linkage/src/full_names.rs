//! Given names and surnames of records that only have a `full_name`: where to split it, and
//! which part is the surname.
//!
//! Lists write `Given Surname`, `Surname Given` and `Surname, Given`, and a compound surname
//! apart (`Mostafa Nia`). The split follows the list's punctuation; the order is then checked
//! against the names the lists that split their names use: when the part taken as the given name
//! is far likelier a surname there and the other part a given name (`SAFARZADEH MOHAMMAD`), the
//! two trade places.

use crate::records::{RecordIndex, Records};
use domain::fields::CanonicalField;
use foldhash::HashMap;
use rayon::prelude::*;

/// Given names and surnames per record, taken from `full_name` when a record has no split name:
/// `Surname, Given` (Latin or Persian comma) when there is a comma, else the last word is the
/// surname and the words before it the given name; a last word that is the second part of a
/// compound surname written apart (`Mostafa Nia`, `Hooshang Far`, `حسن زاده`) takes the word
/// before it along.
pub(crate) struct SplitNames<'a> {
    records: &'a Records,
    from_full: HashMap<RecordIndex, (&'a str, &'a str)>,
}

impl SplitNames<'_> {
    pub(crate) fn given(&self, record: RecordIndex) -> &str {
        match self.from_full.get(&record) {
            Some((given, _)) => given,
            None => cell(self.records, CanonicalField::GivenName, record),
        }
    }

    pub(crate) fn surname(&self, record: RecordIndex) -> &str {
        match self.from_full.get(&record) {
            Some((_, surname)) => surname,
            None => cell(self.records, CanonicalField::Surname, record),
        }
    }
}

fn cell(records: &Records, field: CanonicalField, record: RecordIndex) -> &str {
    records.column(field).map_or("", |c| c.get(record))
}

/// Splits every `full_name` of a record without a split name (see [`SplitNames`]), then puts
/// the parts in the order the split lists' names make likelier ([`NameRoles`]).
pub(crate) fn split_full_names(records: &Records) -> SplitNames<'_> {
    let Some(full) = records.column(CanonicalField::FullName) else {
        return SplitNames {
            records,
            from_full: HashMap::default(),
        };
    };
    let roles = NameRoles::of(records);
    let from_full = (0..records.len() as RecordIndex)
        .into_par_iter()
        .fold(
            || (KeyCache::default(), Vec::new()),
            |(mut keys, mut split), r| {
                let name = full.get(r);
                let has_split = !cell(records, CanonicalField::GivenName, r).is_empty()
                    || !cell(records, CanonicalField::Surname, r).is_empty();
                if !name.is_empty() && !has_split {
                    split.push((r, split_full_name(name, roles.as_ref(), &mut keys)));
                }
                (keys, split)
            },
        )
        .map(|(_, split)| split)
        .flatten_iter()
        .collect();
    SplitNames { records, from_full }
}

/// One full name's given name and surname (see [`SplitNames`]).
fn split_full_name<'a>(
    name: &'a str,
    roles: Option<&NameRoles>,
    keys: &mut KeyCache<'a>,
) -> (&'a str, &'a str) {
    let (split, other_order) = match (name.find([',', '،']), name.find(char::is_whitespace)) {
        (Some(comma), _) => {
            let after = name[comma..].trim_start_matches([',', '،']).trim();
            let before = name[..comma].trim();
            ((after, before), (before, after))
        }
        (None, Some(first_space)) => {
            let last_space = name.rfind(char::is_whitespace).unwrap_or(first_space);
            (
                split_given_surname(name, last_space),
                split_surname_given(name, first_space),
            )
        }
        (None, None) => (("", name), ("", name)),
    };
    match roles {
        Some(roles) if roles.prefers(keys, other_order, split) => other_order,
        _ => split,
    }
}

/// How many times more likely the other order must be before a full name's parts trade places.
const ORDER_ODDS: f64 = 8.0;

/// How often each name (by skeleton and `-i` ending) is written as a given name and as a surname
/// by the lists that split their names.
struct NameRoles {
    given: HashMap<String, f64>,
    surname: HashMap<String, f64>,
    /// Records with both a given name and a surname.
    named: f64,
}

impl NameRoles {
    /// The roles seen in the records' given-name and surname columns; `None` when no record
    /// has both.
    fn of<'a>(records: &'a Records) -> Option<NameRoles> {
        let given = records.column(CanonicalField::GivenName)?;
        let surname = records.column(CanonicalField::Surname)?;
        // Counted by cell first: a list repeats a few thousand names over a million rows.
        let mut given_cells: HashMap<&'a str, f64> = HashMap::default();
        let mut surname_cells: HashMap<&'a str, f64> = HashMap::default();
        let mut named = 0.0;
        for r in 0..records.len() as RecordIndex {
            let (g, s) = (given.get(r), surname.get(r));
            if g.is_empty() || s.is_empty() {
                continue;
            }
            *given_cells.entry(g).or_insert(0.0) += 1.0;
            *surname_cells.entry(s).or_insert(0.0) += 1.0;
            named += 1.0;
        }
        let mut keys = KeyCache::default();
        let mut by_key = |cells: HashMap<&'a str, f64>| {
            let mut counts: HashMap<String, f64> = HashMap::default();
            for (cell, count) in cells {
                *counts.entry(keys.key(cell).to_string()).or_insert(0.0) += count;
            }
            counts
        };
        let roles = NameRoles {
            given: by_key(given_cells),
            surname: by_key(surname_cells),
            named,
        };
        (roles.named > 0.0).then_some(roles)
    }

    /// Whether `(given, surname)` in `other` is at least [`ORDER_ODDS`] times likelier than in
    /// `split`.
    fn prefers<'a>(
        &self,
        keys: &mut KeyCache<'a>,
        other: (&'a str, &'a str),
        split: (&'a str, &'a str),
    ) -> bool {
        other != split
            && self.log_likelihood(keys, other) > self.log_likelihood(keys, split) + ORDER_ODDS.ln()
    }

    fn log_likelihood<'a>(
        &self,
        keys: &mut KeyCache<'a>,
        (given, surname): (&'a str, &'a str),
    ) -> f64 {
        let share = |counts: &HashMap<String, f64>, name: &str| {
            ((counts.get(name).copied().unwrap_or(0.0) + 0.5) / (self.named + 1.0)).ln()
        };
        share(&self.given, keys.key(given)) + share(&self.surname, keys.key(surname))
    }
}

/// Each distinct name's key, computed once: its joined skeleton, and `+i` when it ends in the
/// `-i` that makes a surname of a given name (`Mohammadi`, whose skeleton is `Mohammad`'s).
#[derive(Default)]
struct KeyCache<'a> {
    keys: HashMap<&'a str, String>,
}

impl<'a> KeyCache<'a> {
    fn key(&mut self, name: &'a str) -> &str {
        self.keys.entry(name).or_insert_with(|| {
            let normalized = text::normalize::normalize_for_search(name);
            let mut key = text::skeleton::skeleton_key_of_normalized(&normalized).replace(' ', "");
            if crate::compare::ends_in_i(&normalized) {
                key.push_str("+i");
            }
            key
        })
    }
}

/// Second parts of Persian compound surnames, normalised (`normalize_for_search`), that lists
/// often write as a word of their own: `Heidar Panah`, `Jafar Zadeh`, `Bahador Far`.
const SURNAME_SECOND_PARTS: [&str; 32] = [
    "zadeh",
    "zade",
    "zadegan",
    "nia",
    "niya",
    "panah",
    "far",
    "fard",
    "rad",
    "pour",
    "pur",
    "poor",
    "nejad",
    "nezhad",
    "nejhad",
    "vand",
    "lou",
    "loo",
    "kia",
    "manesh",
    "زاده",
    "زادگان",
    "نیا",
    "پناه",
    "فر",
    "فرد",
    "راد",
    "پور",
    "نژاد",
    "وند",
    "لو",
    "منش",
];

/// `full_name` split at the whitespace at byte `last_space` (the last one) into given name and
/// surname, moving the split one word left when the surname is a compound's second part and
/// at least one word stays in the given name.
fn split_given_surname(name: &str, last_space: usize) -> (&str, &str) {
    let (given, surname) = (name[..last_space].trim(), name[last_space..].trim());
    let second_part = text::normalize::normalize_for_search(surname);
    if !SURNAME_SECOND_PARTS.contains(&second_part.as_str()) {
        return (given, surname);
    }
    match given.rfind(char::is_whitespace) {
        Some(at) => (given[..at].trim(), name[at..].trim()),
        None => (given, surname),
    }
}

/// `full_name` read surname first, split at the whitespace at byte `first_space` (the first
/// one): the first word is the surname, with the next word when that is a compound's second
/// part and a word stays for the given name.
fn split_surname_given(name: &str, first_space: usize) -> (&str, &str) {
    let surname = name[..first_space].trim();
    let given = name[first_space..].trim_start();
    let given_at = name.len() - given.len();
    let Some(at) = given.find(char::is_whitespace) else {
        return (given.trim(), surname);
    };
    let next = text::normalize::normalize_for_search(&given[..at]);
    if SURNAME_SECOND_PARTS.contains(&next.as_str()) {
        (given[at..].trim(), name[..given_at + at].trim())
    } else {
        (given.trim(), surname)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_name_keeps_a_compound_surname_written_apart_together() {
        fn split(name: &str) -> (&str, &str) {
            let last_space = name.rfind(char::is_whitespace).unwrap_or(0);
            split_given_surname(name, last_space)
        }
        assert_eq!(split("AHMAD MUSTAFA NIA"), ("AHMAD", "MUSTAFA NIA"));
        assert_eq!(split("Babak Hooshang Far"), ("Babak", "Hooshang Far"));
        assert_eq!(split("علی حسن زاده"), ("علی", "حسن زاده"));
        assert_eq!(
            split("Ali Reza Karimi"),
            ("Ali Reza", "Karimi"),
            "not a second part"
        );
        assert_eq!(
            split("Mehdi Far"),
            ("Mehdi", "Far"),
            "no word left for the given name"
        );
    }

    #[test]
    fn a_surname_first_full_name_splits_at_its_first_word() {
        fn split(name: &str) -> (&str, &str) {
            split_surname_given(name, name.find(' ').unwrap_or(0))
        }
        assert_eq!(split("SAFARZADEH MOHAMMAD"), ("MOHAMMAD", "SAFARZADEH"));
        assert_eq!(split("Karimi  Ali Reza"), ("Ali Reza", "Karimi"));
        assert_eq!(split("HAMID  NEJAD REZA"), ("REZA", "HAMID  NEJAD"));
    }

    #[test]
    fn full_names_take_the_order_the_split_lists_make_likelier() {
        let mut builder = Records::builder(&[
            CanonicalField::GivenName,
            CanonicalField::Surname,
            CanonicalField::FullName,
        ]);
        let split = builder.add_source(crate::SourceSpec::new("split")).unwrap();
        for (i, (given, surname)) in [
            ("Mohammad", "Safarzadeh"),
            ("Mohammad", "Karimi"),
            ("Ali", "Mohammadi"),
            ("Reza", "Safarzadeh"),
        ]
        .iter()
        .enumerate()
        {
            builder
                .push(split, &i.to_string(), &[given, surname, ""])
                .unwrap();
        }
        let full = builder.add_source(crate::SourceSpec::new("full")).unwrap();
        for (i, name) in [
            "SAFARZADEH MOHAMMAD",
            "ALI MOHAMMADI",
            "MOHAMMADI ALI",
            "Karimi, Ali",
        ]
        .iter()
        .enumerate()
        {
            builder.push(full, &i.to_string(), &["", "", name]).unwrap();
        }
        let records = builder.build().unwrap();
        let names = split_full_names(&records);
        let parts = |r: RecordIndex| (names.given(r), names.surname(r));
        assert_eq!(parts(4), ("MOHAMMAD", "SAFARZADEH"), "surname first");
        assert_eq!(parts(5), ("ALI", "MOHAMMADI"), "given name first");
        assert_eq!(
            parts(6),
            ("ALI", "MOHAMMADI"),
            "-i makes Mohammadi a surname"
        );
        assert_eq!(parts(7), ("Ali", "Karimi"), "the comma's order is kept");
    }
}
