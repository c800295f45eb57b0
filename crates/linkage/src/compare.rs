//! Comparison levels: for each pair of records and each compared field, the level of agreement,
//! from exact to different, with a missing value as a level of its own (level 0, which weighs
//! nothing). Cheap exact checks on interned ids come first; Jaro–Winkler runs only when they fail.
//!
//! The comparisons a set of records gets follow from the fields it has (`comparisons_for`);
//! what each level weighs is the model's business ([`crate::model`]).

use crate::features::{
    Birth, Entry, EventDate, Features, NULL_DAY, NULL_ID, TextFeature, TextKind, Vocabulary,
};
use crate::records::RecordIndex;
use domain::fields::CanonicalField;
use rapidfuzz::distance::{jaro_winkler, osa};

/// The most comparisons one model holds (each level fits in four bits of a pattern).
pub(crate) const MAX_COMPARISONS: usize = 16;

/// What a comparison compares and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComparisonKind {
    /// A personal name: exact, variant, skeleton, swapped, read the Arabic way, Jaro–Winkler ≥
    /// 0.94, ≥ 0.88, ≥ 0.80, else.
    Name,
    /// A place: exact, skeleton, Jaro–Winkler ≥ 0.92, ≥ 0.80, another prison of the same city,
    /// else.
    Place,
    /// An identifier: exact, one edit, two edits, else.
    Code,
    /// The birth: same day, a typo in the date, same year (intervals overlap), ±1, ±3 years, else.
    Birth,
    /// An event date: same day, intervals overlap, within a week, within a year, else.
    EventDate,
    /// Sex: same, different.
    Sex,
}

impl ComparisonKind {
    /// The names of the levels, level 0 (missing) first.
    pub fn level_names(self) -> &'static [&'static str] {
        match self {
            ComparisonKind::Name => &[
                "missing",
                "exact",
                "same after variant folding",
                "same cross-script skeleton",
                "given name and surname swapped",
                "same skeleton read the Arabic way (d for ض, g for ق)",
                "Jaro-Winkler >= 0.94",
                "Jaro-Winkler >= 0.88",
                "Jaro-Winkler >= 0.80",
                "different",
            ],
            ComparisonKind::Place => &[
                "missing",
                "exact",
                "same cross-script skeleton",
                "Jaro-Winkler >= 0.92",
                "Jaro-Winkler >= 0.80",
                "another prison of the same city",
                "different",
            ],
            ComparisonKind::Code => &["missing", "exact", "one edit", "two edits", "different"],
            ComparisonKind::Birth => &[
                "missing",
                "same day",
                "one typo in the date",
                "same year",
                "within 1 year",
                "within 3 years",
                "different",
            ],
            ComparisonKind::EventDate => &[
                "missing",
                "same day",
                "intervals overlap",
                "within a week",
                "within a year",
                "different",
            ],
            ComparisonKind::Sex => &["missing", "same", "different"],
        }
    }

    /// The number of levels, including the missing level.
    pub fn level_count(self) -> usize {
        self.level_names().len()
    }

    /// Whether the levels after the missing one are ordered from strongest to weakest
    /// agreement, so that their weights must not increase (the swap and loose-skeleton levels of
    /// names and the same-city level of prisons are exempt: none is weaker than a close spelling
    /// in general).
    pub(crate) fn is_ordered_level(self, level: usize) -> bool {
        let level = level as u8;
        match self {
            ComparisonKind::Name => ![NAME_SWAPPED, NAME_ARABIC_READING].contains(&level),
            ComparisonKind::Place => level != PLACE_SAME_CITY,
            _ => true,
        }
    }

    /// The levels on which term-frequency adjustment applies.
    pub(crate) fn has_frequency_adjustment(self, level: u8) -> bool {
        self == ComparisonKind::Name && (1..=NAME_ARABIC_READING).contains(&level)
    }
}

/// The level of names equal by cross-script skeleton.
pub(crate) const NAME_SKELETON: u8 = 3;
/// The level of a given name and surname found swapped.
pub(crate) const NAME_SWAPPED: u8 = 4;
/// The level of places equal by cross-script skeleton.
pub(crate) const PLACE_SKELETON: u8 = 2;
/// The level of two prisons of one city ([`text::places::PRISON_CITIES`]).
pub(crate) const PLACE_SAME_CITY: u8 = 5;
/// The level of names equal when ذ ض ظ are read `d` and ق غ ج `g`, at least one of them in Latin
/// letters (`Rida`/رضا, `Gasem`/قاسم; [`text::skeleton::arabic_reading_key_joined`]).
pub(crate) const NAME_ARABIC_READING: u8 = 5;

/// What a comparison reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Input {
    /// A text feature by position, with the partner feature for swaps (given name ↔ surname).
    Text {
        feature: usize,
        partner: Option<usize>,
    },
    /// The birth.
    Birth,
    /// An event date by position.
    Date { feature: usize },
    /// Sex.
    Sex,
}

/// One compared field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Comparison {
    /// The field (the birth comparison reports `birth_date`).
    pub field: CanonicalField,
    /// How it is compared.
    pub kind: ComparisonKind,
    pub(crate) input: Input,
}

/// The comparisons for the fields the records have, at most [`MAX_COMPARISONS`].
pub(crate) fn comparisons_for(features: &Features) -> Vec<Comparison> {
    let given = features.text_position(CanonicalField::GivenName);
    let surname = features.text_position(CanonicalField::Surname);
    let mut comparisons = Vec::new();
    for (position, text) in features.texts.iter().enumerate() {
        let partner = match text.field {
            CanonicalField::GivenName => surname,
            CanonicalField::Surname => given,
            _ => None,
        };
        let kind = match text.kind {
            TextKind::Name => ComparisonKind::Name,
            TextKind::Place => ComparisonKind::Place,
            TextKind::Code => ComparisonKind::Code,
        };
        comparisons.push(Comparison {
            field: text.field,
            kind,
            input: Input::Text {
                feature: position,
                partner,
            },
        });
    }
    if features.births.is_some() {
        comparisons.push(Comparison {
            field: CanonicalField::BirthDate,
            kind: ComparisonKind::Birth,
            input: Input::Birth,
        });
    }
    for (position, date) in features.dates.iter().enumerate() {
        comparisons.push(Comparison {
            field: date.field,
            kind: ComparisonKind::EventDate,
            input: Input::Date { feature: position },
        });
    }
    if features.sexes.is_some() {
        comparisons.push(Comparison {
            field: CanonicalField::Sex,
            kind: ComparisonKind::Sex,
            input: Input::Sex,
        });
    }
    comparisons.truncate(MAX_COMPARISONS);
    comparisons
}

/// Computes the level of each comparison for one pair into `levels`.
#[inline]
pub(crate) fn compare_pair(
    features: &Features,
    comparisons: &[Comparison],
    a: RecordIndex,
    b: RecordIndex,
    levels: &mut [u8],
) {
    let (ra, rb) = (features.rows.row(a), features.rows.row(b));
    for (comparison, level) in comparisons.iter().zip(levels.iter_mut()) {
        *level = compare_rows(features, comparison, ra, rb);
    }
}

/// The level of one comparison when it costs no string comparison: every non-text field, a
/// missing or equal value, a field with a level table. `None` when the values must be compared.
#[inline]
pub(crate) fn quick_level(
    features: &Features,
    comparison: &Comparison,
    ra: &[u32],
    rb: &[u32],
) -> Option<u8> {
    match comparison.input {
        Input::Text { feature, partner } => {
            let (x, y) = (ra[feature], rb[feature]);
            if x == NULL_ID || y == NULL_ID {
                Some(0)
            } else if x == y {
                Some(1)
            } else if partner.is_none() && features.texts[feature].level_table.is_some() {
                Some(compare_rows(features, comparison, ra, rb))
            } else {
                None
            }
        }
        _ => Some(compare_rows(features, comparison, ra, rb)),
    }
}

/// The level of one comparison for two records' rows.
#[inline]
pub(crate) fn compare_rows(
    features: &Features,
    comparison: &Comparison,
    ra: &[u32],
    rb: &[u32],
) -> u8 {
    let rows = &features.rows;
    match comparison.input {
        Input::Text { feature, partner } => {
            let text = &features.texts[feature];
            let (x, y) = (ra[feature], rb[feature]);
            if x == NULL_ID || y == NULL_ID {
                return 0;
            }
            if x == y {
                return 1;
            }
            let level = match &text.level_table {
                Some(table) => table[x as usize * text.vocabulary.text.len() + y as usize],
                None => cached(features.generation, feature, x.min(y), x.max(y), || {
                    text_level(text, comparison.kind, x, y)
                }),
            };
            match partner {
                Some(p) if level > NAME_SWAPPED => {
                    let partner = &features.texts[p];
                    let generation = features.generation;
                    if is_swapped(generation, feature, text, partner, (x, rb[p]), (y, ra[p])) {
                        NAME_SWAPPED
                    } else {
                        level
                    }
                }
                _ => level,
            }
        }
        Input::Birth => birth_level(
            Birth::from_words(&ra[rows.birth..rows.birth + 3]),
            Birth::from_words(&rb[rows.birth..rows.birth + 3]),
        ),
        Input::Date { feature } => {
            let at = rows.dates + 2 * feature;
            let date = |r: &[u32]| EventDate {
                first_day: r[at] as i32,
                last_day: r[at + 1] as i32,
            };
            event_level(date(ra), date(rb))
        }
        Input::Sex => sex_level(ra[rows.sex] as u8, rb[rows.sex] as u8),
    }
}

/// The level of two different, present values of a text field (the swap check aside).
pub(crate) fn text_level(text: &TextFeature, kind: ComparisonKind, x: u32, y: u32) -> u8 {
    match kind {
        ComparisonKind::Name => name_level(text, x as usize, y as usize),
        ComparisonKind::Code => code_level(text, x as usize, y as usize),
        _ => place_level(text, x as usize, y as usize),
    }
}

/// Slots in each thread's cache of text levels (8 bytes each: the cache stays in L2).
const LEVEL_CACHE_SLOTS: usize = 1 << 15;
/// Values at or past this id are not cached (a key holds two 24-bit ids).
const LEVEL_CACHE_IDS: u32 = 1 << 24;

/// A thread's recent text levels, direct-mapped: a slot holds the pair's key in its high bits
/// and the level in its low byte. Names follow a steep frequency curve, so most pairs of values
/// a block brings were compared before.
struct LevelCache {
    /// The [`Features::generation`] the slots belong to.
    generation: u64,
    slots: Vec<u64>,
}

thread_local! {
    static LEVEL_CACHE: std::cell::RefCell<LevelCache> = std::cell::RefCell::new(LevelCache {
        generation: 0,
        slots: vec![u64::MAX; LEVEL_CACHE_SLOTS],
    });
}

/// `compute(x, y)` through the thread's cache, under `tag` (a field's position, with
/// [`CROSSING_TAG`] set for a swap check); `compute` must give a value below 256. The cache is
/// emptied when it is first used for another set of features (`generation`): vocabulary ids
/// mean other values there, and the threads (rayon's, a server's) outlive a linkage.
fn cached(generation: u64, tag: usize, x: u32, y: u32, compute: impl FnOnce() -> u8) -> u8 {
    if x.max(y) >= LEVEL_CACHE_IDS {
        return compute();
    }
    let key = ((tag as u64 & 0xFF) << 48 | u64::from(x) << 24 | u64::from(y)) << 8;
    let slot = (crate::blocking::mix(key) as usize) & (LEVEL_CACHE_SLOTS - 1);
    LEVEL_CACHE.with_borrow_mut(|cache| {
        if cache.generation != generation {
            cache.slots.fill(u64::MAX);
            cache.generation = generation;
        }
        let entry = cache.slots[slot];
        if entry & !0xFF == key {
            return entry as u8;
        }
        let value = compute();
        cache.slots[slot] = key | u64::from(value);
        value
    })
}

/// Set in a cache tag for a swap check (a value against the partner field's).
const CROSSING_TAG: usize = 0x80;

/// Fills the level tables of text fields with at most `max_entries` distinct values.
pub(crate) fn build_level_tables(
    features: &mut Features,
    comparisons: &[Comparison],
    max_entries: usize,
) {
    use rayon::prelude::*;
    for comparison in comparisons {
        let Input::Text { feature, .. } = comparison.input else {
            continue;
        };
        let text = &features.texts[feature];
        let n = text.vocabulary.text.len();
        if n > max_entries {
            continue;
        }
        let mut table = vec![0u8; n * n];
        table
            .par_chunks_mut(n.max(1))
            .enumerate()
            .skip(1)
            .for_each(|(x, row)| {
                for (y, level) in row.iter_mut().enumerate().skip(1) {
                    *level = if x == y {
                        1
                    } else {
                        text_level(text, comparison.kind, x as u32, y as u32)
                    };
                }
            });
        features.texts[feature].level_table = Some(table);
    }
}

fn name_level(text: &TextFeature, x: usize, y: usize) -> u8 {
    let v = &text.vocabulary;
    let (ex, ey) = (&v.entries[x], &v.entries[y]);
    if ex.folded == ey.folded {
        return 2;
    }
    if ex.skeleton == ey.skeleton && ex.skeleton != NULL_ID {
        return NAME_SKELETON;
    }
    if read_alike_the_arabic_way(v, (x, ex), v, (y, ey)) {
        return NAME_ARABIC_READING;
    }
    let similarity = text_similarity(v, ex, ey, 0.80);
    if similarity >= 0.94 {
        6
    } else if similarity >= 0.88 {
        7
    } else if similarity >= 0.80 {
        8
    } else {
        9
    }
}

/// Whether a Latin spelling is a Persian one read the Arabic way: one entry of each script, the
/// Persian one holding a letter that reading changes (ذ ض ظ ق غ ج: its Arabic-reading key is not
/// its skeleton), and the keys equal. Two Persian spellings that differ differ in letters, not
/// in reading (`جعفر` and `غفار`), and two Latin ones are compared by their letters (`Adham` is
/// no `Adam` read the Arabic way).
fn read_alike_the_arabic_way(
    v: &Vocabulary,
    (x, ex): (usize, &Entry),
    w: &Vocabulary,
    (y, ey): (usize, &Entry),
) -> bool {
    let (persian, latin) = match (ex.is_latin, ey.is_latin) {
        (false, true) => ((v, x, ex), &w.arabic_reading[y]),
        (true, false) => ((w, y, ey), &v.arabic_reading[x]),
        _ => return false,
    };
    let (vocabulary, index, entry) = persian;
    let key = &vocabulary.arabic_reading[index];
    !key.is_empty() && **key != *vocabulary.skeleton_letters(entry) && key == latin
}

/// Whether a's value in this field is b's in the partner field and the other way round. Each
/// argument is (this field's entry, the partner field's entry of the other record). One of the
/// two crossings must be [`Crossing::Same`] and the other at least [`Crossing::Near`]: a list
/// that swaps the names of a person may also mistype one of them (`Ghodrat Farhadfar` and
/// `فرهافدر، قدرت`), but two near crossings are too weak a sign (`Reza Ahmadi` and `Ahmad
/// Rezaei` are two people).
fn is_swapped(
    generation: u64,
    feature: usize,
    text: &TextFeature,
    partner: &TextFeature,
    ab: (u32, u32),
    ba: (u32, u32),
) -> bool {
    let cross = |(t, p): (u32, u32)| {
        if p == NULL_ID {
            return Crossing::Apart as u8;
        }
        cached(generation, feature | CROSSING_TAG, t, p, || {
            crosses(text, partner, t, p) as u8
        })
    };
    let (one, other) = (cross(ab), cross(ba));
    one.min(other) >= Crossing::Near as u8 && one.max(other) == Crossing::Same as u8
}

/// How close a name in one field is to a name in its partner field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Crossing {
    /// Not the same name.
    Apart = 0,
    /// Within a typo: skeletons or Latin spellings with Jaro–Winkler ≥ 0.88, both or neither
    /// ending in `-i`.
    Near = 1,
    /// The same name: skeletons equal, plain or read the Arabic way, or, both in Latin letters,
    /// spellings with Jaro–Winkler ≥ 0.94; both or neither ending in `-i`.
    Same = 2,
}

/// How close entry `t` of a name field is to entry `p` of its partner field (see
/// [`is_swapped`]).
fn crosses(text: &TextFeature, partner: &TextFeature, t: u32, p: u32) -> Crossing {
    /// Below this, a skeleton is too short for a typo-tolerant comparison to mean anything.
    const NEAR_MIN_LETTERS: usize = 3;
    let (v, w) = (&text.vocabulary, &partner.vocabulary);
    let (et, ep) = (&v.entries[t as usize], &w.entries[p as usize]);
    let (skeleton, other) = (v.skeleton_letters(et), w.skeleton_letters(ep));
    // Letters are compared in Latin only: each field re-encodes other scripts with an alphabet
    // of its own, so a Persian given name's bytes mean nothing against a surname's.
    let spelling = if et.is_latin && ep.is_latin {
        similarity(v.letters(et), w.letters(ep), 0.88)
    } else {
        0.0
    };
    if et.ends_in_i != ep.ends_in_i {
        // `Karim` and `Karimi`: a surname made of a given name is no crossing at all.
        return Crossing::Apart;
    }
    let equal_skeleton = (!skeleton.is_empty() && skeleton == other)
        || read_alike_the_arabic_way(v, (t as usize, et), w, (p as usize, ep));
    if equal_skeleton || spelling >= 0.94 {
        return Crossing::Same;
    }
    let near_skeleton = skeleton.len().min(other.len()) >= NEAR_MIN_LETTERS
        && similarity(skeleton, other, 0.88) >= 0.88;
    if near_skeleton || spelling >= 0.88 {
        Crossing::Near
    } else {
        Crossing::Apart
    }
}

/// Whether a name (normalised) ends in the `-i` that makes a surname of a given name (`Ahmad`,
/// `Ahmadi`): skeletons drop it, so without this `Reza Ahmadi` and `Ahmad Rezaei` look swapped.
/// The given names whose final ی is read `a` ([`FINAL_YE_READ_AS_A`]) do not end in it.
pub(crate) fn ends_in_i(name: &str) -> bool {
    let last_word = name.rsplit([' ', '\u{200c}']).next().unwrap_or(name);
    if FINAL_YE_READ_AS_A.contains(&last_word) {
        return false;
    }
    name.ends_with(['i', 'y', 'ی']) || name.ends_with("ee") || name.ends_with("ie")
}

/// Given names written with a final ی that is read `a` (the Arabic alef maqsura): `مرتضی` is
/// `Morteza`, `مصطفی` is `Mostafa`. As [`text::normalize::normalize_for_search`] writes them.
const FINAL_YE_READ_AS_A: &[&str] = &[
    "مرتضی",
    "مصطفی",
    "موسی",
    "عیسی",
    "یحیی",
    "مجتبی",
    "کبری",
    "صغری",
    "عظمی",
    "هدی",
    "طوبی",
];

/// Jaro–Winkler similarity, or 0 when it is below `cutoff` (which must be at least 0.7).
fn similarity(s: &[u8], t: &[u8], cutoff: f64) -> f64 {
    if !may_reach(s, t, cutoff) {
        return 0.0;
    }
    if s.len() > 64 || t.len() > 64 {
        return jaro_winkler::similarity_with_args(
            s.iter().copied(),
            t.iter().copied(),
            &jaro_winkler::Args::default().score_cutoff(cutoff),
        )
        .unwrap_or(0.0);
    }
    short_jaro_winkler(s, t, cutoff)
}

/// Winkler's weight of each letter of common prefix (of four at most).
const PREFIX_WEIGHT: f64 = 0.1;

/// Jaro–Winkler of two strings of at most 64 bytes, or 0 when it is below `cutoff`: the same
/// to the last bit as rapidfuzz's (the same steps and sums: a shared prefix first, then
/// letters matched bit-parallel within the window), without its generic iterators.
fn short_jaro_winkler(s: &[u8], t: &[u8], cutoff: f64) -> f64 {
    let prefix = s.iter().zip(t).take(4).take_while(|(x, y)| x == y).count();
    let mut jaro_cutoff = cutoff;
    if jaro_cutoff > 0.7 {
        let prefix_similarity = prefix as f64 * PREFIX_WEIGHT;
        jaro_cutoff = if prefix_similarity >= 1.0 {
            0.7
        } else {
            0.7_f64.max((prefix_similarity - jaro_cutoff) / (prefix_similarity - 1.0))
        };
    }
    let mut similarity = short_jaro(s, t, jaro_cutoff);
    if similarity > 0.7 {
        similarity += prefix as f64 * PREFIX_WEIGHT * (1.0 - similarity);
    }
    if similarity >= cutoff {
        similarity
    } else {
        0.0
    }
}

/// Jaro similarity of two strings of at most 64 bytes, or 0 when the lengths or the letters in
/// common already rule out `cutoff`.
fn short_jaro(s: &[u8], t: &[u8], cutoff: f64) -> f64 {
    let (len_s, len_t) = (s.len(), t.len());
    if len_s == 0 && len_t == 0 {
        return 1.0;
    }
    let bound_reached = |common: usize| {
        common > 0
            && (common as f64 / len_s as f64 + common as f64 / len_t as f64 + 1.0) / 3.0 >= cutoff
    };
    if !bound_reached(len_s.min(len_t)) {
        return 0.0;
    }
    if len_s == 1 && len_t == 1 {
        return f64::from(u8::from(s[0] == t[0]));
    }
    // Letters further apart than the window never match: the longer string is cut to the
    // shorter's length plus the window.
    let window = len_s.max(len_t) / 2 - 1;
    let (s, t) = (
        &s[..len_s.min(len_t + window)],
        &t[..len_t.min(len_s + window)],
    );
    let prefix = s.iter().zip(t).take_while(|(x, y)| x == y).count();
    let (s, t) = (&s[prefix..], &t[prefix..]);
    let mut common = prefix;
    let mut transpositions = 0;
    if !s.is_empty() && !t.is_empty() {
        let mut positions = [0u64; 256];
        for (i, &letter) in s.iter().enumerate() {
            positions[usize::from(letter)] |= 1 << i;
        }
        let (mut s_matched, mut t_matched) = (0u64, 0u64);
        let mut in_window = u64::MAX >> (63 - window);
        for (j, &letter) in t.iter().enumerate() {
            let candidates = positions[usize::from(letter)] & in_window & !s_matched;
            s_matched |= candidates & candidates.wrapping_neg();
            t_matched |= u64::from(candidates != 0) << j;
            in_window = if j < window {
                (in_window << 1) | 1
            } else {
                in_window << 1
            };
        }
        common += s_matched.count_ones() as usize;
        if !bound_reached(common) {
            return 0.0;
        }
        while t_matched != 0 {
            let first_of_s = s_matched & s_matched.wrapping_neg();
            let j = t_matched.trailing_zeros() as usize;
            transpositions += usize::from(positions[usize::from(t[j])] & first_of_s == 0);
            t_matched &= t_matched - 1;
            s_matched ^= first_of_s;
        }
    }
    let common = common as f64;
    let half_transpositions = (transpositions / 2) as f64;
    (common / len_s as f64 + common / len_t as f64 + (common - half_transpositions) / common) / 3.0
}

fn place_level(text: &TextFeature, x: usize, y: usize) -> u8 {
    let v = &text.vocabulary;
    let (ex, ey) = (&v.entries[x], &v.entries[y]);
    if ex.skeleton == ey.skeleton && ex.skeleton != NULL_ID {
        return PLACE_SKELETON;
    }
    let similarity = text_similarity(v, ex, ey, 0.80);
    if similarity >= 0.92 {
        3
    } else if similarity >= 0.80 {
        4
    } else if text.field == CanonicalField::Prison && same_city(v, ex, ey) {
        PLACE_SAME_CITY
    } else {
        6
    }
}

/// Whether two prisons are both in [`text::places::PRISON_CITIES`] and in one city.
fn same_city(v: &Vocabulary, x: &Entry, y: &Entry) -> bool {
    let city = |e: &Entry| {
        std::str::from_utf8(v.skeleton_letters(e))
            .ok()
            .and_then(text::places::prison_city)
    };
    matches!((city(x), city(y)), (Some(a), Some(b)) if a == b)
}

/// A cheap upper bound on Jaro–Winkler, to skip most hopeless pairs: letters of one string
/// that occur nowhere in the other cannot match (at least one letter for each of the mask's
/// bits that the other lacks), so at most `m` letters match, and
/// Jaro ≤ (m/|s| + m/|t| + 1) / 3; Winkler's prefix bonus (four letters at most) needs
/// Jaro ≥ (cutoff − 0.4) / 0.6 to reach `cutoff`. Letters share bits of a 64-bit mask, which only
/// loosens the bound.
fn may_reach(s: &[u8], t: &[u8], cutoff: f64) -> bool {
    let mask = |x: &[u8]| x.iter().fold(0u64, |m, &c| m | 1u64 << (c & 63));
    let (ms, mt) = (mask(s), mask(t));
    let (ls, lt) = (s.len() as f64, t.len() as f64);
    if ls == 0.0 || lt == 0.0 {
        return false;
    }
    let absent = |own: u64, other: u64| (own & !other).count_ones() as usize;
    let matches = (s.len() - absent(ms, mt)).min(t.len() - absent(mt, ms)) as f64;
    let jaro_bound = (matches / ls + matches / lt + 1.0) / 3.0;
    jaro_bound >= (cutoff - 0.4) / 0.6
}

/// Jaro–Winkler within a script on the re-encoded letters; across scripts on the skeletons.
fn text_similarity(v: &Vocabulary, x: &Entry, y: &Entry, cutoff: f64) -> f64 {
    let (s, t) = if x.is_latin == y.is_latin {
        (v.letters(x), v.letters(y))
    } else {
        (v.skeleton_letters(x), v.skeleton_letters(y))
    };
    similarity(s, t, cutoff)
}

fn code_level(text: &TextFeature, x: usize, y: usize) -> u8 {
    let v = &text.vocabulary;
    let (s, t) = (v.letters(&v.entries[x]), v.letters(&v.entries[y]));
    let edits = osa::distance_with_args(
        s.iter().copied(),
        t.iter().copied(),
        &osa::Args::default().score_cutoff(2),
    );
    match edits {
        Some(1) => 2,
        Some(2) => 3,
        _ => 4,
    }
}

fn birth_level(a: Birth, b: Birth) -> u8 {
    if !a.is_known() || !b.is_known() {
        return 0;
    }
    if a.day != NULL_DAY && b.day != NULL_DAY {
        if a.day == b.day {
            return 1;
        }
        if is_date_typo(a.digits, b.digits) {
            return 2;
        }
    }
    let gap = (i32::from(a.first_year.max(b.first_year)) - i32::from(a.last_year.min(b.last_year)))
        .max(0);
    match gap {
        0 => 3,
        1 => 4,
        2 | 3 => 5,
        _ => 6,
    }
}

/// One digit of `YYYYMMDD` differs, or day and month are swapped.
fn is_date_typo(a: u32, b: u32) -> bool {
    let (da, db) = (a.to_string(), b.to_string());
    if da.len() != db.len() {
        return false;
    }
    let differing = da.bytes().zip(db.bytes()).filter(|(x, y)| x != y).count();
    let swapped =
        a / 10_000 == b / 10_000 && a % 100 == (b / 100) % 100 && (a / 100) % 100 == b % 100;
    differing == 1 || swapped
}

fn event_level(a: EventDate, b: EventDate) -> u8 {
    if !a.is_known() || !b.is_known() {
        return 0;
    }
    let exact = |d: EventDate| d.first_day == d.last_day;
    if exact(a) && exact(b) && a.first_day == b.first_day {
        return 1;
    }
    let gap = a.first_day.max(b.first_day) - a.last_day.min(b.last_day);
    if gap <= 0 {
        2
    } else if gap <= 7 {
        // Two reports of one execution often differ by a few days; during a massacre whose
        // killings span weeks, "within a year" is no agreement at all.
        3
    } else if gap <= 365 {
        4
    } else {
        5
    }
}

fn sex_level(a: u8, b: u8) -> u8 {
    match (a, b) {
        (0, _) | (_, 0) => 0,
        (x, y) if x == y => 1,
        _ => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blocking::mix;

    /// 20,000 pairs of random strings over few letters (many in common), of every length up
    /// to 64, some with bytes from 128 up as re-encoded Persian letters are, a third sharing
    /// their start (so that the prefix and the window both matter).
    fn random_string_pairs() -> Vec<(Vec<u8>, Vec<u8>)> {
        let string = |seed: u64| -> Vec<u8> {
            let len = (mix(seed) % 65) as usize;
            (0..len)
                .map(|i| {
                    let letter = (mix(seed ^ (i as u64) << 32) % 6) as u8;
                    if seed.is_multiple_of(2) {
                        b'a' + letter
                    } else {
                        200 + letter
                    }
                })
                .collect()
        };
        (0..20_000u64)
            .map(|seed| {
                let s = string(seed * 2);
                let mut t = string(seed * 2 + 2);
                if seed % 3 == 0 {
                    t = s
                        .iter()
                        .take(s.len() / 2)
                        .chain(&t)
                        .copied()
                        .take(64)
                        .collect();
                }
                (s, t)
            })
            .collect()
    }

    #[test]
    fn short_jaro_winkler_is_rapidfuzz_to_the_last_bit() {
        let names: [&[u8]; 8] = [
            b"mohammad",
            b"mohamad",
            b"muhammed",
            b"hossein",
            b"hosein",
            b"rezaei",
            b"rezaee",
            b"hasanzadeh",
        ];
        let mut cases: Vec<(Vec<u8>, Vec<u8>)> = names
            .iter()
            .flat_map(|s| names.iter().map(|t| (s.to_vec(), t.to_vec())))
            .collect();
        cases.extend(random_string_pairs());
        for (s, t) in &cases {
            for cutoff in [0.0, 0.5, 0.7, 0.75, 0.8, 0.88, 0.94, 1.0] {
                let expected = jaro_winkler::similarity_with_args(
                    s.iter().copied(),
                    t.iter().copied(),
                    &jaro_winkler::Args::default().score_cutoff(cutoff),
                )
                .unwrap_or(0.0);
                assert_eq!(
                    short_jaro_winkler(s, t, cutoff).to_bits(),
                    expected.to_bits(),
                    "{s:?} {t:?} at {cutoff}"
                );
            }
        }
    }

    #[test]
    fn birth_levels_follow_the_gap_between_intervals() {
        let year = |first: i16, last: i16| Birth {
            day: NULL_DAY,
            digits: 0,
            first_year: first,
            last_year: last,
        };
        let cases = [
            (
                year(1960, 1960),
                year(1960, 1961),
                3,
                "a Solar Hijri year overlaps",
            ),
            (year(1960, 1960), year(1961, 1961), 4, "one year apart"),
            (year(1960, 1960), year(1963, 1963), 5, "three years apart"),
            (year(1960, 1960), year(1970, 1970), 6, "ten years apart"),
            (year(1960, 1960), Birth::UNKNOWN, 0, "missing"),
        ];
        for (a, b, level, description) in cases {
            assert_eq!(birth_level(a, b), level, "{description}");
        }
    }

    #[test]
    fn the_quick_bound_never_rejects_a_pair_jaro_winkler_would_keep() {
        let names = [
            "mohammad", "muhammad", "mahmoud", "ali", "alireza", "reza", "rezaei", "hossein",
            "hosein", "hassan", "zahra", "zohreh", "MHMD", "HMD", "MD", "xyz",
        ];
        for s in names {
            for t in names {
                let jw = jaro_winkler::similarity(s.bytes(), t.bytes());
                if jw >= 0.8 {
                    assert!(
                        may_reach(s.as_bytes(), t.as_bytes(), 0.8),
                        "{s} / {t}: {jw}"
                    );
                }
            }
        }
        // Two empty strings are alike to Jaro-Winkler but count as nothing to compare here.
        let pairs = random_string_pairs();
        for (s, t) in pairs.iter().filter(|(s, t)| !s.is_empty() && !t.is_empty()) {
            for cutoff in [0.8, 0.88, 0.92, 0.94] {
                let jw = jaro_winkler::similarity(s.iter().copied(), t.iter().copied());
                assert!(
                    jw < cutoff || may_reach(s, t, cutoff),
                    "{s:?} / {t:?}: {jw}"
                );
            }
        }
        assert!(!may_reach(b"abc", b"xyz", 0.8));
    }

    #[test]
    fn the_level_cache_computes_a_pair_once_and_keeps_tags_and_generations_apart() {
        let computed = std::cell::Cell::new(0);
        let level = |value: u8| {
            computed.set(computed.get() + 1);
            value
        };
        // A generation no set of features in this process gets.
        let generation = u64::MAX;
        assert_eq!(cached(generation, 3, 17, 99, || level(5)), 5);
        assert_eq!(
            cached(generation, 3, 17, 99, || level(6)),
            5,
            "served from the cache"
        );
        assert_eq!(cached(generation, 3 | CROSSING_TAG, 17, 99, || level(1)), 1);
        assert_eq!(
            cached(generation, 3, 99, 17, || level(7)),
            7,
            "the key is ordered"
        );
        assert_eq!(cached(generation, 3, LEVEL_CACHE_IDS, 1, || level(2)), 2);
        assert_eq!(
            cached(generation, 3, LEVEL_CACHE_IDS, 1, || level(4)),
            4,
            "large ids bypass it"
        );
        assert_eq!(
            cached(generation - 1, 3, 17, 99, || level(8)),
            8,
            "another set of features starts afresh"
        );
        assert_eq!(
            cached(generation, 3, 17, 99, || level(9)),
            9,
            "and the first set's levels are gone"
        );
        assert_eq!(computed.get(), 7);
    }

    #[test]
    fn a_final_ye_read_as_a_is_no_surname_ending() {
        let ends = |name: &str| ends_in_i(&text::normalize::normalize_for_search(name));
        for surname in ["Ahmadi", "Rezaee", "Rezaie", "احمدی", "رضايي", "حسینی"] {
            assert!(ends(surname), "{surname}");
        }
        for given in [
            "Morteza",
            "Ahmad",
            "مرتضی",
            "مرتضى",
            "مصطفي",
            "غلام موسی",
            "احمد",
        ] {
            assert!(!ends(given), "{given}");
        }
        assert!(ends("مرتضوی"), "the surname made of مرتضی keeps its -i");
    }

    #[test]
    fn date_typos_are_one_digit_or_a_day_month_swap() {
        assert!(is_date_typo(19600512, 19600513));
        assert!(is_date_typo(19600512, 19601205));
        assert!(!is_date_typo(19600512, 19610613));
    }

    #[test]
    fn event_dates_meet_when_their_intervals_overlap() {
        let date = |first, last| EventDate {
            first_day: first,
            last_day: last,
        };
        assert_eq!(event_level(date(10, 10), date(10, 10)), 1);
        assert_eq!(event_level(date(1, 40), date(30, 30)), 2);
        assert_eq!(event_level(date(1, 1), date(8, 8)), 3);
        assert_eq!(event_level(date(1, 1), date(9, 9)), 4);
        assert_eq!(event_level(date(1, 1), date(300, 300)), 4);
        assert_eq!(event_level(date(1, 1), date(900, 900)), 5);
        assert_eq!(event_level(EventDate::UNKNOWN, date(900, 900)), 0);
    }
}
