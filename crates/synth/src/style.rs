//! How each source writes: its script, spelling habits, date format, which fields it has,
//! how carefully it was typed, whom it tends to know about, and whether it copied from
//! another list.
//!
//! Source `k` takes preset `(k - 1) mod 8`; past eight sources the presets repeat with new
//! spelling habits. Writing a record in a style is left to `render`; deciding who is on a
//! list to `capture`.

use crate::places::{PRISONS, PROVINCES};
use serde::Serialize;

/// The script a source writes names and places in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScriptStyle {
    /// Persian script throughout.
    Persian,
    /// Latin script throughout.
    Latin,
    /// Each record in one script or the other, half and half.
    Mixed,
}

/// Letter case of Latin text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LatinCase {
    /// `Mohammad Rezaei`.
    Title,
    /// `MOHAMMAD REZAEI`.
    Upper,
}

/// What a source does with the zero-width non-joiner of compound Persian names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ZwnjHabit {
    /// Keeps it: `حسن‌زاده`.
    Keep,
    /// Types a space: `حسن زاده`.
    Space,
    /// Drops it: `حسنزاده`.
    Drop,
}

/// How a source lays out a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NameLayout {
    /// `given_name` and `surname` in their own columns.
    Split,
    /// Only `full_name`, given name first: `Mohammad Rezaei`.
    FullName,
    /// Only `full_name`, surname first: `Rezaei, Mohammad` / `رضایی، محمد`.
    FullNameSurnameFirst,
}

/// How a source writes a date at full precision (coarser dates follow the same calendar).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DateFormat {
    /// `1367/05/12`.
    JalaliSlash,
    /// `۱۳۶۷/۰۵/۱۲`.
    JalaliSlashPersianDigits,
    /// `12 Mordad 1367`.
    JalaliWords,
    /// `۱۲ مرداد ۱۳۶۷`.
    JalaliWordsPersian,
    /// Compact `13670512`.
    JalaliCompact,
    /// `1988-08-03`.
    GregorianIso,
    /// `3 Aug 1988`.
    GregorianWords,
}

impl DateFormat {
    /// Whether dates are written in the Gregorian calendar.
    pub fn is_gregorian(self) -> bool {
        matches!(self, DateFormat::GregorianIso | DateFormat::GregorianWords)
    }

    /// Whether digits are written as Persian digits.
    pub fn has_persian_digits(self) -> bool {
        matches!(
            self,
            DateFormat::JalaliSlashPersianDigits | DateFormat::JalaliWordsPersian
        )
    }
}

/// How a source gives a person's age.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BirthStyle {
    /// `birth_year` as a Solar Hijri year (`1340`).
    JalaliYear,
    /// `birth_year` as a Gregorian year (`1961`).
    GregorianYear,
    /// `age` at execution instead of a birth year.
    Age,
    /// `birth_date` as a full date in the source's date format, or `age` for a third of
    /// the records.
    DateOrAge,
}

/// How a source writes sex.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SexFormat {
    /// `m` / `f`.
    Letter,
    /// `male` / `female`.
    Word,
    /// `مرد` / `زن`.
    Persian,
}

/// Which optional columns a source fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Columns {
    /// `father_name`.
    pub has_father_name: bool,
    /// `sex`.
    pub has_sex: bool,
    /// `city`.
    pub has_city: bool,
    /// `province`.
    pub has_province: bool,
    /// `affiliation`.
    pub has_affiliation: bool,
    /// `arrest_date`.
    pub has_arrest_date: bool,
    /// `prison`.
    pub has_prison: bool,
    /// `burial_place`.
    pub has_burial_place: bool,
}

/// A source that copies entries from an earlier one.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CopyRule {
    /// The 1-based number of the source it copies from (always an earlier one).
    pub from_source: u32,
    /// The chance that a person on that source is copied onto this one.
    pub probability: f64,
}

/// Everything about how one source writes and whom it knows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceStyle {
    /// The file stem, `source_<k>`.
    pub stem: String,
    /// The kind of list it imitates.
    pub kind: &'static str,
    /// A plain-words description.
    pub description: String,
    /// Script of names and places.
    pub script: ScriptStyle,
    /// Case of Latin text.
    pub latin_case: LatinCase,
    /// Share of Persian-script records typed on an Arabic keyboard (ي for ی, ك for ک).
    pub arabic_letters: f64,
    /// What happens to ZWNJ in compounds.
    pub zwnj: ZwnjHabit,
    /// Name columns.
    pub name_layout: NameLayout,
    /// Date format.
    pub date_format: DateFormat,
    /// Birth year, age or birth date.
    pub birth: BirthStyle,
    /// Sex values.
    pub sex_format: SexFormat,
    /// Optional columns filled.
    pub columns: Columns,
    /// Chance that a person of average visibility, outside any focus, is on the list.
    pub coverage: f64,
    /// Prisons the source knows better (names in Latin).
    pub focus_prisons: Vec<&'static str>,
    /// Provinces the source knows better (names in Latin).
    pub focus_provinces: Vec<&'static str>,
    /// Copying from an earlier list, if any.
    pub copies: Option<CopyRule>,
    /// Whether the list holds the same person twice now and then.
    pub has_duplicates: bool,
    /// Multiplies the noise rates of this source (typos, missing values, swaps).
    pub carelessness: f64,
    /// Seeds the source's preferred spellings.
    #[serde(skip)]
    pub habit_seed: u64,
    #[serde(skip)]
    pub(crate) focus_prison_ids: Vec<usize>,
    #[serde(skip)]
    pub(crate) focus_province_ids: Vec<usize>,
}

const ALL_COLUMNS: Columns = Columns {
    has_father_name: true,
    has_sex: true,
    has_city: true,
    has_province: true,
    has_affiliation: true,
    has_arrest_date: true,
    has_prison: true,
    has_burial_place: true,
};

/// The eight presets, in source order.
const PRESET_COUNT: u32 = 8;

impl SourceStyle {
    /// The style of source `k` (1-based) for a run with this seed.
    pub fn for_source(k: u32, seed: u64) -> SourceStyle {
        let preset = (k - 1) % PRESET_COUNT;
        let round = (k - 1) / PRESET_COUNT;
        let mut style = preset_style(preset);
        style.stem = format!("source_{k}");
        style.habit_seed = splitmix(seed ^ (u64::from(k) << 32) ^ 0x5eed);
        if let Some(rule) = style.copies.as_mut() {
            rule.from_source += round * PRESET_COUNT;
        }
        if round > 0 {
            style.coverage = (style.coverage * 0.8).max(0.1);
        }
        style.focus_prison_ids = ids_of(
            &style.focus_prisons,
            PRISONS.iter().map(|p| p.label.latin[0]),
        );
        style.focus_province_ids =
            ids_of(&style.focus_provinces, PROVINCES.iter().map(|p| p.latin[0]));
        style
    }
}

fn ids_of<'a>(wanted: &[&str], names: impl Iterator<Item = &'a str>) -> Vec<usize> {
    names
        .enumerate()
        .filter(|(_, name)| wanted.contains(name))
        .map(|(i, _)| i)
        .collect()
}

/// SplitMix64: spreads a seed over all bits.
pub(crate) fn splitmix(mut state: u64) -> u64 {
    state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

struct Preset {
    kind: &'static str,
    description: &'static str,
    script: ScriptStyle,
    latin_case: LatinCase,
    arabic_letters: f64,
    zwnj: ZwnjHabit,
    name_layout: NameLayout,
    date_format: DateFormat,
    birth: BirthStyle,
    sex_format: SexFormat,
    columns: Columns,
    coverage: f64,
    focus_prisons: &'static [&'static str],
    focus_provinces: &'static [&'static str],
    copies: Option<CopyRule>,
    has_duplicates: bool,
    carelessness: f64,
}

const PRESETS: [Preset; PRESET_COUNT as usize] = [
    Preset {
        kind: "former prisoners' association register",
        description: "Persian script, careful; Jalali dates with Persian digits (۱۳۶۷/۰۵/۱۲); Jalali birth year; every column; no duplicates.",
        script: ScriptStyle::Persian,
        latin_case: LatinCase::Title,
        arabic_letters: 0.0,
        zwnj: ZwnjHabit::Keep,
        name_layout: NameLayout::Split,
        date_format: DateFormat::JalaliSlashPersianDigits,
        birth: BirthStyle::JalaliYear,
        sex_format: SexFormat::Persian,
        columns: ALL_COLUMNS,
        coverage: 0.45,
        focus_prisons: &[],
        focus_provinces: &[],
        copies: None,
        has_duplicates: false,
        carelessness: 0.6,
    },
    Preset {
        kind: "international NGO list in English",
        description: "Latin script; Gregorian dates (3 Aug 1988); age instead of birth year; no province or burial place; knows Evin and Gohardasht prisoners best; some duplicates.",
        script: ScriptStyle::Latin,
        latin_case: LatinCase::Title,
        arabic_letters: 0.0,
        zwnj: ZwnjHabit::Keep,
        name_layout: NameLayout::Split,
        date_format: DateFormat::GregorianWords,
        birth: BirthStyle::Age,
        sex_format: SexFormat::Word,
        columns: Columns {
            has_province: false,
            has_burial_place: false,
            ..ALL_COLUMNS
        },
        coverage: 0.35,
        focus_prisons: &["Evin", "Gohardasht"],
        focus_provinces: &[],
        copies: None,
        has_duplicates: true,
        carelessness: 1.0,
    },
    Preset {
        kind: "diaspora newspaper list",
        description: "Latin script in capitals; whole name in one column; Jalali dates in words (12 Mordad 1367); Jalali birth year; no sex, province or arrest date; copies about a third of source 1; some duplicates.",
        script: ScriptStyle::Latin,
        latin_case: LatinCase::Upper,
        arabic_letters: 0.0,
        zwnj: ZwnjHabit::Keep,
        name_layout: NameLayout::FullName,
        date_format: DateFormat::JalaliWords,
        birth: BirthStyle::JalaliYear,
        sex_format: SexFormat::Letter,
        columns: Columns {
            has_sex: false,
            has_province: false,
            has_arrest_date: false,
            has_burial_place: false,
            ..ALL_COLUMNS
        },
        coverage: 0.25,
        focus_prisons: &[],
        focus_provinces: &[],
        copies: Some(CopyRule {
            from_source: 1,
            probability: 0.35,
        }),
        has_duplicates: true,
        carelessness: 1.2,
    },
    Preset {
        kind: "compilation of family testimonies",
        description: "Each record in Persian or Latin script; ZWNJ typed as a space; some Arabic-keyboard letters; Jalali dates (1367/05/12); birth date or age; no affiliation; knows the northern and western provinces best; careless; some duplicates.",
        script: ScriptStyle::Mixed,
        latin_case: LatinCase::Title,
        arabic_letters: 0.3,
        zwnj: ZwnjHabit::Space,
        name_layout: NameLayout::Split,
        date_format: DateFormat::JalaliSlash,
        birth: BirthStyle::DateOrAge,
        sex_format: SexFormat::Letter,
        columns: Columns {
            has_affiliation: false,
            has_burial_place: false,
            ..ALL_COLUMNS
        },
        coverage: 0.2,
        focus_prisons: &[],
        focus_provinces: &[
            "Gilan",
            "Mazandaran",
            "Kurdistan",
            "Kermanshah",
            "West Azerbaijan",
        ],
        copies: None,
        has_duplicates: true,
        carelessness: 1.5,
    },
    Preset {
        kind: "human-rights organisation database",
        description: "Persian script typed mostly on an Arabic keyboard (ي, ك), ZWNJ dropped; Gregorian ISO dates (1988-08-03); Gregorian birth year; copies about a quarter of source 2; no duplicates.",
        script: ScriptStyle::Persian,
        latin_case: LatinCase::Title,
        arabic_letters: 0.6,
        zwnj: ZwnjHabit::Drop,
        name_layout: NameLayout::Split,
        date_format: DateFormat::GregorianIso,
        birth: BirthStyle::GregorianYear,
        sex_format: SexFormat::Letter,
        columns: Columns {
            has_burial_place: false,
            ..ALL_COLUMNS
        },
        coverage: 0.3,
        focus_prisons: &[],
        focus_provinces: &[],
        copies: Some(CopyRule {
            from_source: 2,
            probability: 0.25,
        }),
        has_duplicates: false,
        carelessness: 0.8,
    },
    Preset {
        kind: "report annex",
        description: "Latin script; whole name with the surname first (Rezaei, Mohammad); compact Jalali dates (13670512); Jalali birth year; no sex, arrest date or burial place; knows the provincial prisons best.",
        script: ScriptStyle::Latin,
        latin_case: LatinCase::Title,
        arabic_letters: 0.0,
        zwnj: ZwnjHabit::Keep,
        name_layout: NameLayout::FullNameSurnameFirst,
        date_format: DateFormat::JalaliCompact,
        birth: BirthStyle::JalaliYear,
        sex_format: SexFormat::Letter,
        columns: Columns {
            has_sex: false,
            has_arrest_date: false,
            has_burial_place: false,
            ..ALL_COLUMNS
        },
        coverage: 0.25,
        focus_prisons: &[
            "Vakilabad",
            "Adelabad",
            "Lakan",
            "Dizelabad",
            "Tabriz Prison",
            "Sepidar",
        ],
        focus_provinces: &[],
        copies: None,
        has_duplicates: false,
        carelessness: 1.0,
    },
    Preset {
        kind: "memorial website",
        description: "Persian script; whole name in one column; Jalali dates in Persian words (۱۲ مرداد ۱۳۶۷); age instead of birth year; no province or arrest date; some duplicates.",
        script: ScriptStyle::Persian,
        latin_case: LatinCase::Title,
        arabic_letters: 0.1,
        zwnj: ZwnjHabit::Keep,
        name_layout: NameLayout::FullName,
        date_format: DateFormat::JalaliWordsPersian,
        birth: BirthStyle::Age,
        sex_format: SexFormat::Persian,
        columns: Columns {
            has_province: false,
            has_arrest_date: false,
            ..ALL_COLUMNS
        },
        coverage: 0.3,
        focus_prisons: &[],
        focus_provinces: &[],
        copies: None,
        has_duplicates: true,
        carelessness: 1.0,
    },
    Preset {
        kind: "submission to a UN mechanism",
        description: "Latin script, careful; Gregorian ISO dates (1988-08-03); Gregorian birth year; copies about a quarter of source 5; no duplicates.",
        script: ScriptStyle::Latin,
        latin_case: LatinCase::Title,
        arabic_letters: 0.0,
        zwnj: ZwnjHabit::Keep,
        name_layout: NameLayout::Split,
        date_format: DateFormat::GregorianIso,
        birth: BirthStyle::GregorianYear,
        sex_format: SexFormat::Word,
        columns: Columns {
            has_burial_place: false,
            ..ALL_COLUMNS
        },
        coverage: 0.2,
        focus_prisons: &[],
        focus_provinces: &[],
        copies: Some(CopyRule {
            from_source: 5,
            probability: 0.25,
        }),
        has_duplicates: false,
        carelessness: 0.5,
    },
];

fn preset_style(index: u32) -> SourceStyle {
    let p = &PRESETS[index as usize];
    SourceStyle {
        stem: String::new(),
        kind: p.kind,
        description: p.description.to_string(),
        script: p.script,
        latin_case: p.latin_case,
        arabic_letters: p.arabic_letters,
        zwnj: p.zwnj,
        name_layout: p.name_layout,
        date_format: p.date_format,
        birth: p.birth,
        sex_format: p.sex_format,
        columns: p.columns,
        coverage: p.coverage,
        focus_prisons: p.focus_prisons.to_vec(),
        focus_provinces: p.focus_provinces.to_vec(),
        copies: p.copies,
        has_duplicates: p.has_duplicates,
        carelessness: p.carelessness,
        habit_seed: 0,
        focus_prison_ids: Vec::new(),
        focus_province_ids: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copying_sources_copy_from_an_earlier_one() {
        for k in 1..=40 {
            let style = SourceStyle::for_source(k, 1);
            if let Some(rule) = style.copies {
                assert!(
                    rule.from_source < k,
                    "source {k} copies {}",
                    rule.from_source
                );
            }
        }
    }

    #[test]
    fn focus_names_match_known_places() {
        for k in 1..=8 {
            let style = SourceStyle::for_source(k, 1);
            assert_eq!(
                style.focus_prisons.len(),
                style.focus_prison_ids.len(),
                "{k}"
            );
            assert_eq!(
                style.focus_provinces.len(),
                style.focus_province_ids.len(),
                "{k}"
            );
        }
    }
}
