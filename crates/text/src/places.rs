//! Place names as lists write them: this module owns the key under which two spellings of one
//! prison, city or province meet.
//!
//! Lists name the same prison in different ways: `Evin`, `Evin Prison`, `زندان اوین`; `Tabriz
//! Prison` and `Tabriz Central Prison`; `Gohardasht` and its later name `Rajaei Shahr`
//! (`رجایی‌شهر`). [`place_key`] drops the generic words (prison, central, province, and their
//! Persian forms) and replaces a known second name by the first, so that comparing the keys'
//! skeletons finds these equal. The table of second names ([`PLACE_ALIASES`]) holds public place
//! names only, and only renamings that are well established; a name both prisons of one city were
//! called is not a renaming.

use crate::normalize::normalize_for_search;
use crate::skeleton::skeleton_key_joined;

/// Words that say what kind of place a name is, not which place: dropped from the key
/// (normalised, as [`normalize_for_search`] writes them).
const GENERIC_WORDS: &[&str] = &[
    "prison",
    "jail",
    "gaol",
    "central",
    "province",
    "ostan",
    "زندان",
    "مرکزی",
    "استان",
];

/// Places known under a second name: each entry is (the name kept, the other name), as
/// [`normalize_for_search`] writes them in either script.
pub const PLACE_ALIASES: &[(&str, &str)] = &[
    ("gohardasht", "rajaei shahr"),
    ("gohardasht", "rajai shahr"),
    ("gohardasht", "رجایی شهر"),
];

/// The key of a normalised place name: generic words dropped, a known second name replaced by
/// the first. A name made only of generic words keeps them (a list that writes just `Prison`
/// still says something).
///
/// ```
/// use text::places::place_key;
/// use text::normalize::normalize_for_search;
/// use text::skeleton::skeleton_key_joined;
///
/// let key = |name: &str| skeleton_key_joined(&place_key(&normalize_for_search(name)));
/// assert_eq!(key("Evin Prison"), key("اوین"));
/// assert_eq!(key("Tabriz Central Prison"), key("زندان تبریز"));
/// assert_eq!(key("Rajaei Shahr"), key("گوهردشت"));
/// ```
pub fn place_key(normalized: &str) -> String {
    let specific: Vec<&str> = normalized
        .split(' ')
        .filter(|word| !word.is_empty() && !GENERIC_WORDS.contains(word))
        .collect();
    if specific.is_empty() {
        return normalized.to_string();
    }
    let key = specific.join(" ");
    let joined = skeleton_key_joined(&key);
    PLACE_ALIASES
        .iter()
        .find(|(_, other)| skeleton_key_joined(other) == joined)
        .map_or(key, |(kept, _)| (*kept).to_string())
}

/// Prisons of the killings that share a city with another prison of the list, as (prison, city)
/// in Latin script: lists disagree on which of a city's prisons held a person (and prisoners
/// were moved between them), so two such names say more than two unrelated places. Public place
/// names only; a prison missing here is compared as any other place.
pub const PRISON_CITIES: &[(&str, &str)] = &[
    ("Gohardasht", "Karaj"),
    ("Ghezel Hesar", "Karaj"),
    ("Karun", "Ahvaz"),
    ("Sepidar", "Ahvaz"),
];

/// The city of a prison in [`PRISON_CITIES`], found by the joined skeleton of its
/// [`place_key`] (as [`skeleton_key_joined`] writes it), in either script.
///
/// ```
/// use text::places::{place_key_of, prison_city};
/// use text::skeleton::skeleton_key_joined;
/// let city = |name: &str| prison_city(&skeleton_key_joined(&place_key_of(name)));
/// assert_eq!(city("Karun Prison"), Some("Ahvaz"));
/// assert_eq!(city("زندان سپیدار"), Some("Ahvaz"));
/// assert_eq!(city("رجایی‌شهر"), Some("Karaj"));
/// assert_eq!(city("Evin"), None);
/// ```
pub fn prison_city(skeleton: &str) -> Option<&'static str> {
    static SKELETONS: std::sync::LazyLock<Vec<(String, &'static str)>> =
        std::sync::LazyLock::new(|| {
            PRISON_CITIES
                .iter()
                .map(|(prison, city)| (skeleton_key_joined(&place_key_of(prison)), *city))
                .collect()
        });
    if skeleton.is_empty() {
        return None;
    }
    SKELETONS
        .iter()
        .find(|(key, _)| key == skeleton)
        .map(|(_, city)| *city)
}

/// [`place_key`] of a raw place name.
pub fn place_key_of(raw: &str) -> String {
    place_key(&normalize_for_search(raw))
}

/// Places whose consonant skeleton is too short to tell them apart from other words (`Evin` has
/// the skeleton `N`, as `N/A` and `Naein` do): each is listed with its spellings in both
/// scripts, so that an exact spelling, not the skeleton, finds it. Public place names only.
pub const SHORT_PLACE_NAMES: &[(&str, &[&str])] = &[
    ("Evin", &["evin", "اوین"]),
    ("Qom", &["qom", "ghom", "قم"]),
    ("Urmia", &["urmia", "urumia", "ارومیه"]),
    ("Sari", &["sari", "ساری"]),
    ("Babol", &["babol", "بابل"]),
    ("Amol", &["amol", "آمل"]),
    ("Ahvaz", &["ahvaz", "ahwaz", "اهواز"]),
    ("Arak", &["arak", "اراک"]),
];

/// The usual Latin name of a place in [`SHORT_PLACE_NAMES`] whose [`place_key`] is exactly
/// `key` (both normalised alike), if there is one.
///
/// ```
/// use text::places::{place_key_of, short_place_name};
/// assert_eq!(short_place_name(&place_key_of("زندان اوین")), Some("Evin"));
/// assert_eq!(short_place_name(&place_key_of("N/A")), None);
/// ```
pub fn short_place_name(key: &str) -> Option<&'static str> {
    SHORT_PLACE_NAMES
        .iter()
        .find(|(_, spellings)| spellings.iter().any(|s| normalize_for_search(s) == key))
        .map(|(name, _)| *name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skeleton_of_place(raw: &str) -> String {
        skeleton_key_joined(&place_key_of(raw))
    }

    #[test]
    fn generic_words_are_dropped_in_both_scripts() {
        for (a, b) in [
            ("Evin Prison", "Evin"),
            ("زندان اوین", "Evin"),
            ("Tabriz Central Prison", "TABRIZ PRISON"),
            ("زندان تبریز", "Tabriz Prison"),
            ("Kerman Province", "استان کرمان"),
        ] {
            assert_eq!(skeleton_of_place(a), skeleton_of_place(b), "{a} vs {b}");
        }
    }

    #[test]
    fn a_renamed_prison_meets_its_first_name() {
        for name in [
            "Rajaei Shahr",
            "RAJAI SHAHR",
            "رجایی‌شهر",
            "رجاييشهر",
            "Gohar Dasht",
        ] {
            assert_eq!(
                skeleton_of_place(name),
                skeleton_of_place("گوهردشت"),
                "{name}"
            );
        }
    }

    #[test]
    fn different_places_stay_different() {
        for (a, b) in [
            ("Evin", "Ghezel Hesar"),
            ("Tabriz Prison", "Urmia Prison"),
            ("Sepidar", "Karun"),
        ] {
            assert_ne!(skeleton_of_place(a), skeleton_of_place(b), "{a} vs {b}");
        }
    }

    #[test]
    fn short_place_names_are_found_by_their_exact_spellings_only() {
        for (raw, name) in [
            ("Evin Prison", Some("Evin")),
            ("زندان اوین", Some("Evin")),
            ("اوين", Some("Evin")),
            ("QOM", Some("Qom")),
            ("قم", Some("Qom")),
            ("Sari Prison", Some("Sari")),
            ("N/A", None),
            ("Naein", None),
            ("Sar", None),
        ] {
            assert_eq!(short_place_name(&place_key_of(raw)), name, "{raw}");
        }
    }

    #[test]
    fn a_name_of_generic_words_only_is_kept() {
        assert_eq!(place_key_of("Prison"), "prison");
        assert_eq!(place_key_of(""), "");
    }
}
