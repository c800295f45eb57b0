//! Comparable features computed once per record: interned name and place values with their
//! variant-folded and cross-script skeleton keys, letters re-encoded one byte each for
//! Jaro–Winkler, birth-year intervals (from a birth date, a birth year in either calendar, or an
//! age at the execution date), event-date intervals and sex.
//!
//! Normalisation, skeleton keys and date parsing belong to the `text` crate and are only called
//! from here; this module adds what matching alone needs (interning, term frequencies, the
//! romanisation variant fold, byte encoding). Every distinct raw value is processed once, so a
//! list of a million rows with a few thousand distinct names costs a few thousand normalisations.

use crate::full_names;
use crate::records::{RecordIndex, Records};
use domain::date::{Calendar, DatePrecision, UncertainDate};
use domain::fields::CanonicalField;
use domain::sex::Sex;
use foldhash::HashMap;
use rayon::prelude::*;

/// A missing value in an interned column.
pub(crate) const NULL_ID: u32 = 0;
/// A missing day in a date column.
pub(crate) const NULL_DAY: i32 = i32::MIN;

/// How a text field is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TextKind {
    /// Personal names: variant folding, skeletons, swaps, Jaro–Winkler bands.
    Name,
    /// Places and addresses: skeletons across scripts, Jaro–Winkler bands.
    Place,
    /// Identifiers and codes: digits folded to ASCII, compared by edits.
    Code,
}

/// The distinct values of one text field, with what comparisons need of each.
#[derive(Debug, Default)]
pub(crate) struct Vocabulary {
    /// The normalised text of each entry (entry 0 is the missing value).
    pub(crate) text: Vec<String>,
    /// What comparing needs of each entry, one cache line each.
    pub(crate) entries: Vec<Entry>,
    /// log2 of the share of records whose value has this entry's skeleton (term frequency);
    /// apart from the entries because every scored pair reads it and it stays small.
    pub(crate) log2_frequency: Vec<f32>,
    /// Letters and skeleton letters of entries too long for their cache line.
    spilled: Vec<SpilledLetters>,
    /// Per entry of a name field, its skeleton read the Arabic way
    /// ([`text::skeleton::arabic_reading_key_joined`]; empty for places and codes).
    pub(crate) arabic_reading: Vec<Box<[u8]>>,
    /// Per entry, a hash of the key blocking uses (`None` when the key is empty): for names the
    /// coarse skeleton ([`text::skeleton::coarse_skeleton_key`]), which also joins names read the
    /// Arabic way; for places and codes the skeleton itself. A hash rather than an id, so that
    /// a given name and a surname compare in one name pair.
    pub(crate) blocking_key: Vec<Option<u64>>,
}

/// An entry's letters and skeleton letters, when they do not fit in its cache line.
#[derive(Debug)]
struct SpilledLetters {
    letters: Box<[u8]>,
    skeleton: Box<[u8]>,
}

/// Letters an [`Entry`] holds in its own cache line (its letters, then its skeleton's).
const INLINE_LETTERS: usize = 51;

/// What comparisons read of one vocabulary entry, packed in one cache line: two values the
/// level cache has not seen cost two memory loads, not one per column and string.
#[derive(Debug, Clone, Copy)]
#[repr(C, align(64))]
pub(crate) struct Entry {
    /// The id of the entry's variant-folded form.
    pub(crate) folded: u32,
    /// The id of the entry's cross-script skeleton (spaces removed, so compounds meet).
    pub(crate) skeleton: u32,
    /// Whether the entry is written in Latin letters (else Persian/Arabic or mixed).
    pub(crate) is_latin: bool,
    /// Whether the name ends in the `-i` that makes a surname of a given name.
    pub(crate) ends_in_i: bool,
    /// Whether the letters did not fit and are in [`Vocabulary::spilled`] (index in `inline`).
    spilled: bool,
    letters_len: u8,
    skeleton_len: u8,
    inline: [u8; INLINE_LETTERS],
}

impl Entry {
    const NULL: Entry = Entry {
        folded: NULL_ID,
        skeleton: NULL_ID,
        is_latin: true,
        ends_in_i: false,
        spilled: false,
        letters_len: 0,
        skeleton_len: 0,
        inline: [0; INLINE_LETTERS],
    };
}

impl Vocabulary {
    /// The entry's letters, one byte each, for Jaro–Winkler within a script.
    #[inline]
    pub(crate) fn letters<'a>(&'a self, entry: &'a Entry) -> &'a [u8] {
        match self.spill_of(entry) {
            Some(spilled) => &spilled.letters,
            None => &entry.inline[..usize::from(entry.letters_len)],
        }
    }

    /// The entry's skeleton letters, for Jaro–Winkler across scripts.
    #[inline]
    pub(crate) fn skeleton_letters<'a>(&'a self, entry: &'a Entry) -> &'a [u8] {
        match self.spill_of(entry) {
            Some(spilled) => &spilled.skeleton,
            None => {
                let start = usize::from(entry.letters_len);
                &entry.inline[start..start + usize::from(entry.skeleton_len)]
            }
        }
    }

    fn spill_of(&self, entry: &Entry) -> Option<&SpilledLetters> {
        if !entry.spilled {
            return None;
        }
        let index = u32::from_le_bytes([
            entry.inline[0],
            entry.inline[1],
            entry.inline[2],
            entry.inline[3],
        ]);
        self.spilled.get(index as usize)
    }

    /// Adds an entry with its skeleton read the Arabic way and its blocking key's hash, its
    /// letters and its skeleton's letters.
    fn push(
        &mut self,
        text: &str,
        (mut entry, arabic_reading, blocking_key): (Entry, Box<[u8]>, Option<u64>),
        letters: Box<[u8]>,
        skeleton: Box<[u8]>,
    ) {
        self.arabic_reading.push(arabic_reading);
        self.blocking_key.push(blocking_key);
        let fits = letters.len() + skeleton.len() <= INLINE_LETTERS;
        if fits {
            entry.letters_len = letters.len() as u8;
            entry.skeleton_len = skeleton.len() as u8;
            entry.inline[..letters.len()].copy_from_slice(&letters);
            entry.inline[letters.len()..][..skeleton.len()].copy_from_slice(&skeleton);
        } else {
            entry.spilled = true;
            let index = self.spilled.len() as u32;
            entry.inline[..4].copy_from_slice(&index.to_le_bytes());
            self.spilled.push(SpilledLetters { letters, skeleton });
        }
        self.text.push(text.to_string());
        self.entries.push(entry);
    }
}

/// One text field of every record, interned.
#[derive(Debug)]
pub(crate) struct TextFeature {
    /// The field.
    pub(crate) field: CanonicalField,
    /// How it is compared.
    pub(crate) kind: TextKind,
    /// The vocabulary entry of each record ([`NULL_ID`] when missing).
    pub(crate) ids: Vec<u32>,
    /// The distinct values.
    pub(crate) vocabulary: Vocabulary,
    /// For small vocabularies, the comparison level of every pair of entries
    /// (`level[x * entries + y]`), computed once instead of per pair.
    pub(crate) level_table: Option<Vec<u8>>,
}

/// Every record's features side by side (one row of `u32` words per record), so that comparing
/// a pair touches two short rows instead of a dozen columns spread over memory.
#[derive(Debug, Default)]
pub(crate) struct Rows {
    /// Words per row.
    pub(crate) stride: usize,
    /// Where the birth's three words start (day, digits, years).
    pub(crate) birth: usize,
    /// Where the event dates' two words each (first day, last day) start.
    pub(crate) dates: usize,
    /// Where the sex word is.
    pub(crate) sex: usize,
    words: Vec<u32>,
}

impl Rows {
    /// The row of a record.
    #[inline]
    pub(crate) fn row(&self, record: RecordIndex) -> &[u32] {
        &self.words[record as usize * self.stride..][..self.stride]
    }

    fn build(features: &Features) -> Rows {
        let texts = features.texts.len();
        let birth = texts;
        let dates = birth + 3;
        let sex = dates + 2 * features.dates.len();
        let stride = sex + 1;
        let mut words = vec![0u32; features.len * stride];
        words
            .par_chunks_mut(stride)
            .enumerate()
            .for_each(|(record, row)| {
                for (t, text) in features.texts.iter().enumerate() {
                    row[t] = text.ids[record];
                }
                let b = features
                    .births
                    .as_ref()
                    .map_or(Birth::UNKNOWN, |b| b[record]);
                row[birth] = b.day as u32;
                row[birth + 1] = b.digits;
                row[birth + 2] =
                    (u32::from(b.first_year as u16) << 16) | u32::from(b.last_year as u16);
                for (d, date) in features.dates.iter().enumerate() {
                    row[dates + 2 * d] = date.dates[record].first_day as u32;
                    row[dates + 2 * d + 1] = date.dates[record].last_day as u32;
                }
                row[sex] = u32::from(features.sexes.as_ref().map_or(0, |s| s[record]));
            });
        Rows {
            stride,
            birth,
            dates,
            sex,
            words,
        }
    }
}

impl Birth {
    /// Reads a birth back from its three row words.
    #[inline]
    pub(crate) fn from_words(words: &[u32]) -> Birth {
        Birth {
            day: words[0] as i32,
            digits: words[1],
            first_year: (words[2] >> 16) as u16 as i16,
            last_year: (words[2] & 0xFFFF) as u16 as i16,
        }
    }
}

impl TextFeature {
    /// How many records have a value.
    pub(crate) fn filled(&self) -> usize {
        self.ids.iter().filter(|&&id| id != NULL_ID).count()
    }
}

/// A birth known as a day, or only as an interval of years.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Birth {
    /// Days since 1 January of year 1 CE when the day is known, else [`NULL_DAY`].
    pub(crate) day: i32,
    /// The Gregorian date as `YYYYMMDD` when the day is known (for typo checks), else 0.
    pub(crate) digits: u32,
    /// The earliest possible birth year (0 when unknown).
    pub(crate) first_year: i16,
    /// The latest possible birth year (0 when unknown).
    pub(crate) last_year: i16,
}

impl Birth {
    /// An unknown birth.
    pub(crate) const UNKNOWN: Birth = Birth {
        day: NULL_DAY,
        digits: 0,
        first_year: 0,
        last_year: 0,
    };

    /// Whether anything is known.
    pub(crate) fn is_known(self) -> bool {
        self.first_year != 0
    }
}

/// An event date as an interval of days (days since 1 CE), with whether the day is exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct EventDate {
    /// The first possible day, or [`NULL_DAY`] when missing.
    pub(crate) first_day: i32,
    /// The last possible day.
    pub(crate) last_day: i32,
}

impl EventDate {
    /// A missing date.
    pub(crate) const UNKNOWN: EventDate = EventDate {
        first_day: NULL_DAY,
        last_day: NULL_DAY,
    };

    /// Whether the date is known.
    pub(crate) fn is_known(self) -> bool {
        self.first_day != NULL_DAY
    }

    /// The day, when the date gives one (not only a month, a season or a year).
    pub(crate) fn day(self) -> Option<i32> {
        (self.is_known() && self.first_day == self.last_day).then_some(self.first_day)
    }

    fn from_date(date: &UncertainDate) -> EventDate {
        EventDate {
            first_day: day_number(date.earliest),
            last_day: day_number(date.latest),
        }
    }
}

/// One event-date field of every record.
#[derive(Debug)]
pub(crate) struct DateFeature {
    /// The field.
    pub(crate) field: CanonicalField,
    /// The date of each record.
    pub(crate) dates: Vec<EventDate>,
}

/// Everything the comparisons and blocking keys read, for every record.
#[derive(Debug)]
pub(crate) struct Features {
    /// The number of records.
    pub(crate) len: usize,
    /// Text fields that have at least one value.
    pub(crate) texts: Vec<TextFeature>,
    /// The birth of each record, when any record has one.
    pub(crate) births: Option<Vec<Birth>>,
    /// Event dates that have at least one value.
    pub(crate) dates: Vec<DateFeature>,
    /// Sex of each record (0 missing, 1 male, 2 female), when any record has one.
    pub(crate) sexes: Option<Vec<u8>>,
    /// Cells that could not be read (dates, ages, sex values), counted per field.
    pub(crate) unreadable: Vec<(CanonicalField, usize)>,
    /// The features again, record by record.
    pub(crate) rows: Rows,
    /// A number no other set of features in this process has: the threads' caches of levels
    /// (keyed by vocabulary ids, which every set numbers from 1) are only valid for one set.
    pub(crate) generation: u64,
}

/// The next [`Features::generation`].
static NEXT_GENERATION: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

impl Features {
    /// The text feature of a field, if present.
    pub(crate) fn text(&self, field: CanonicalField) -> Option<&TextFeature> {
        self.texts.iter().find(|t| t.field == field)
    }

    /// The event-date feature of a field, if present.
    pub(crate) fn date(&self, field: CanonicalField) -> Option<&DateFeature> {
        self.dates.iter().find(|d| d.field == field)
    }

    /// Position of the text feature of a field, if present.
    pub(crate) fn text_position(&self, field: CanonicalField) -> Option<usize> {
        self.texts.iter().position(|t| t.field == field)
    }
}

const TEXT_FIELDS: &[(CanonicalField, TextKind)] = &[
    (CanonicalField::GivenName, TextKind::Name),
    (CanonicalField::Surname, TextKind::Name),
    (CanonicalField::FatherName, TextKind::Name),
    (CanonicalField::NationalId, TextKind::Code),
    (CanonicalField::PostalCode, TextKind::Code),
    (CanonicalField::City, TextKind::Place),
    (CanonicalField::Prison, TextKind::Place),
    (CanonicalField::BirthPlace, TextKind::Place),
    (CanonicalField::Province, TextKind::Place),
    (CanonicalField::BurialPlace, TextKind::Place),
    (CanonicalField::Address, TextKind::Place),
];

const EVENT_FIELDS: &[CanonicalField] = &[
    CanonicalField::ArrestDate,
    CanonicalField::ExecutionDate,
    CanonicalField::DeathDate,
];

/// Computes the features of every record, fields in parallel.
pub(crate) fn prepare(records: &Records) -> Features {
    let calendars: Vec<Option<Calendar>> = (0..records.len() as RecordIndex)
        .map(|r| records.sources()[records.source_of(r).0 as usize].calendar)
        .collect();
    // Names, dates and births are independent: one core can read births while the other splits
    // full names.
    let (texts, ((dates, mut unreadable), (births, bad_births))) = rayon::join(
        || text_features(records),
        || {
            rayon::join(
                || event_dates(records, &calendars),
                || births(records, &calendars),
            )
        },
    );
    unreadable.extend(bad_births);
    let (sexes, bad_sexes) = sexes(records);
    unreadable.push((CanonicalField::Sex, bad_sexes));
    unreadable.retain(|(_, count)| *count > 0);
    let mut features = Features {
        len: records.len(),
        texts,
        births,
        dates,
        sexes,
        unreadable,
        rows: Rows::default(),
        generation: NEXT_GENERATION.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
    };
    features.rows = Rows::build(&features);
    features
}

/// The text fields the records have, interned, fields in parallel.
fn text_features(records: &Records) -> Vec<TextFeature> {
    let names = full_names::split_full_names(records);
    TEXT_FIELDS
        .par_iter()
        .filter_map(|&(field, kind)| {
            let cells = |r: RecordIndex| -> &str {
                match field {
                    CanonicalField::GivenName => names.given(r),
                    CanonicalField::Surname => names.surname(r),
                    _ => records.column(field).map_or("", |c| c.get(r)),
                }
            };
            let feature = intern_text(field, kind, records.len(), cells);
            (feature.filled() > 0).then_some(feature)
        })
        .collect()
}

/// The event dates the records have, with the count of unreadable cells per field.
fn event_dates(
    records: &Records,
    calendars: &[Option<Calendar>],
) -> (Vec<DateFeature>, Vec<(CanonicalField, usize)>) {
    EVENT_FIELDS
        .par_iter()
        .filter_map(|&field| {
            let column = records.column(field)?;
            let (dates, bad) = parse_event_dates(records.len(), |r| column.get(r), calendars);
            let feature = DateFeature { field, dates };
            feature
                .dates
                .iter()
                .any(|d| d.is_known())
                .then_some((feature, (field, bad)))
        })
        .unzip()
}

/// Interns one text field: each distinct raw cell is normalised once.
fn intern_text<'a>(
    field: CanonicalField,
    kind: TextKind,
    len: usize,
    cells: impl Fn(RecordIndex) -> &'a str,
) -> TextFeature {
    let mut raw_ids: HashMap<&str, u32> = HashMap::default();
    let mut raws: Vec<&str> = Vec::new();
    let raw_of_record: Vec<u32> = (0..len as RecordIndex)
        .map(|r| {
            let raw = cells(r);
            if raw.is_empty() {
                return u32::MAX;
            }
            *raw_ids.entry(raw).or_insert_with(|| {
                raws.push(raw);
                raws.len() as u32 - 1
            })
        })
        .collect();
    let normalised: Vec<String> = raws.iter().map(|raw| normalise(kind, raw)).collect();
    let mut builder = VocabularyBuilder::default();
    let entry_of_raw: Vec<u32> = normalised
        .iter()
        .map(|text| builder.intern(kind, text))
        .collect();
    let ids: Vec<u32> = raw_of_record
        .iter()
        .map(|&raw| {
            if raw == u32::MAX {
                NULL_ID
            } else {
                entry_of_raw[raw as usize]
            }
        })
        .collect();
    let vocabulary = builder.finish(&ids);
    TextFeature {
        field,
        kind,
        ids,
        vocabulary,
        level_table: None,
    }
}

fn normalise(kind: TextKind, raw: &str) -> String {
    match kind {
        TextKind::Code => text::normalize::to_ascii_digits(raw)
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect(),
        TextKind::Name => text::normalize::normalize_for_search(raw),
        TextKind::Place => text::places::place_key_of(raw),
    }
}

#[derive(Default)]
struct VocabularyBuilder {
    vocabulary: Vocabulary,
    entries: HashMap<String, u32>,
    folded: HashMap<String, u32>,
    skeletons: HashMap<String, u32>,
    alphabet: HashMap<char, u8>,
}

impl VocabularyBuilder {
    fn intern(&mut self, kind: TextKind, text: &str) -> u32 {
        if text.is_empty() {
            return NULL_ID;
        }
        if self.vocabulary.text.is_empty() {
            self.push_null();
        }
        if let Some(&id) = self.entries.get(text) {
            return id;
        }
        let id = self.vocabulary.text.len() as u32;
        let (folded, skeleton) = match kind {
            TextKind::Code => (text.to_string(), text.to_string()),
            TextKind::Name => (fold_variants(text), skeleton_of(text)),
            TextKind::Place => (text.replace([' ', '\u{200c}', '-'], ""), skeleton_of(text)),
        };
        let skeleton_letters: Box<[u8]> = skeleton.as_bytes().into();
        let (arabic_reading, blocking_key): (Box<[u8]>, String) = match kind {
            TextKind::Name => (
                text::skeleton::arabic_reading_key_joined(text)
                    .into_bytes()
                    .into(),
                text::skeleton::coarse_skeleton_key(&skeleton),
            ),
            TextKind::Place | TextKind::Code => (Box::default(), skeleton.clone()),
        };
        let blocking_key = (!blocking_key.is_empty())
            .then(|| crate::blocking::hash_bytes(blocking_key.as_bytes()));
        let entry = Entry {
            folded: intern_key(&mut self.folded, folded),
            skeleton: intern_key(&mut self.skeletons, skeleton),
            is_latin: text.is_ascii(),
            ends_in_i: crate::compare::ends_in_i(text),
            ..Entry::NULL
        };
        let letters = encode_letters(&mut self.alphabet, text);
        self.vocabulary.push(
            text,
            (entry, arabic_reading, blocking_key),
            letters,
            skeleton_letters,
        );
        self.entries.insert(text.to_string(), id);
        id
    }

    fn push_null(&mut self) {
        self.vocabulary.push(
            "",
            (Entry::NULL, Box::default(), None),
            Box::default(),
            Box::default(),
        );
    }

    /// Adds term frequencies, counted over the records' skeletons.
    fn finish(mut self, ids: &[u32]) -> Vocabulary {
        if self.vocabulary.text.is_empty() {
            self.push_null();
        }
        let mut per_skeleton = vec![0u32; self.skeletons.len() + 1];
        let mut filled = 0u32;
        for &id in ids.iter().filter(|&&id| id != NULL_ID) {
            per_skeleton[self.vocabulary.entries[id as usize].skeleton as usize] += 1;
            filled += 1;
        }
        let filled = f64::from(filled.max(1));
        self.vocabulary.log2_frequency = self
            .vocabulary
            .entries
            .iter()
            .map(|e| (f64::from(per_skeleton[e.skeleton as usize].max(1)) / filled).log2() as f32)
            .collect();
        self.vocabulary
    }
}

fn intern_key(keys: &mut HashMap<String, u32>, key: String) -> u32 {
    if key.is_empty() {
        return NULL_ID;
    }
    let next = keys.len() as u32 + 1;
    *keys.entry(key).or_insert(next)
}

/// The cross-script skeleton of a normalised value with word breaks removed, so that
/// `Mohammad Reza`, `Mohammadreza` and `محمدرضا` meet.
fn skeleton_of(text: &str) -> String {
    text::skeleton::skeleton_key_joined(text)
}

/// Re-encodes letters one byte each so that Jaro–Winkler runs bit-parallel on bytes: ASCII
/// stays as it is, every other letter gets a byte of its own from 128 up (per field).
fn encode_letters(alphabet: &mut HashMap<char, u8>, text: &str) -> Box<[u8]> {
    if text.is_ascii() {
        return text.as_bytes().into();
    }
    text.chars()
        .map(|c| {
            if c.is_ascii() {
                return c as u8;
            }
            let next = alphabet.len();
            *alphabet
                .entry(c)
                .or_insert_with(|| u8::try_from(128 + next).unwrap_or(u8::MAX))
        })
        .collect()
}

/// Folds the romanisation variants of Persian names (GLOSSARY.md): word breaks and
/// hyphens go (compounds), `kh`/`x`, `gh`/`q`, `w`/`v`, `ou`/`oo`/`o`/`u`, the `-i`/`-ee`/`-ey`/`-ei`
/// endings, doubled letters, and a final `h` after a vowel (`Zadeh`/`Zade`).
/// Persian script keeps its letters (the normaliser has folded them) without word breaks.
pub(crate) fn fold_variants(text: &str) -> String {
    if !text.is_ascii() {
        return text.replace([' ', '\u{200c}', '-'], "");
    }
    let mut folded: String = text
        .chars()
        .filter(char::is_ascii_alphabetic)
        .collect::<String>()
        .replace("kh", "x")
        .replace("gh", "q")
        .replace('w', "v")
        .replace("ou", "u")
        .replace("oo", "u")
        .replace('o', "u")
        .replace("ee", "i")
        .replace("ei", "i")
        .replace("ey", "i")
        .replace('y', "i");
    folded.dedup_by_letter();
    if folded.len() > 2 && folded.ends_with('h') {
        let before = folded.as_bytes()[folded.len() - 2];
        if b"aeiu".contains(&before) {
            folded.pop();
        }
    }
    folded
}

trait DedupLetters {
    fn dedup_by_letter(&mut self);
}

impl DedupLetters for String {
    fn dedup_by_letter(&mut self) {
        let mut previous = None;
        self.retain(|c| {
            let keep = previous != Some(c);
            previous = Some(c);
            keep
        });
    }
}

/// Days since 1 January of year 1 CE.
pub(crate) fn day_number(date: chrono::NaiveDate) -> i32 {
    use chrono::Datelike;
    date.num_days_from_ce()
}

fn parse_event_dates<'a>(
    len: usize,
    cells: impl Fn(RecordIndex) -> &'a str,
    calendars: &[Option<Calendar>],
) -> (Vec<EventDate>, usize) {
    let mut cache: HashMap<(&str, Option<Calendar>), Option<EventDate>> = HashMap::default();
    let mut bad = 0;
    let dates = (0..len as RecordIndex)
        .map(|r| {
            let raw = cells(r);
            if raw.is_empty() {
                return EventDate::UNKNOWN;
            }
            let calendar = calendars[r as usize];
            let parsed = *cache.entry((raw, calendar)).or_insert_with(|| {
                text::dates::parse_date(raw, calendar)
                    .ok()
                    .map(|d| EventDate::from_date(&d))
            });
            parsed.unwrap_or_else(|| {
                bad += 1;
                EventDate::UNKNOWN
            })
        })
        .collect();
    (dates, bad)
}

/// The birth of every record: a birth date first, then a birth year, then an age at the
/// execution, death or arrest date.
fn births(
    records: &Records,
    calendars: &[Option<Calendar>],
) -> (Option<Vec<Birth>>, Vec<(CanonicalField, usize)>) {
    let date_column = records.column(CanonicalField::BirthDate);
    let year_column = records.column(CanonicalField::BirthYear);
    let age_column = records.column(CanonicalField::Age);
    if date_column.is_none() && year_column.is_none() && age_column.is_none() {
        return (None, Vec::new());
    }
    let mut bad = [0usize; 3];
    let mut date_cache: HashMap<(&str, Option<Calendar>), Option<Birth>> = HashMap::default();
    let mut year_cache: HashMap<(&str, Option<Calendar>), Option<Birth>> = HashMap::default();
    let mut age_cache: HashMap<AgeCells, Option<Birth>> = HashMap::default();
    let births: Vec<Birth> = (0..records.len() as RecordIndex)
        .map(|r| {
            let calendar = calendars[r as usize];
            if let Some(raw) = date_column.map(|c| c.get(r)).filter(|s| !s.is_empty()) {
                let birth = *date_cache
                    .entry((raw, calendar))
                    .or_insert_with(|| birth_from_date(raw, calendar));
                match birth {
                    Some(birth) => return birth,
                    None => bad[0] += 1,
                }
            }
            if let Some(raw) = year_column.map(|c| c.get(r)).filter(|s| !s.is_empty()) {
                let birth = *year_cache.entry((raw, calendar)).or_insert_with(|| {
                    text::dates::parse_birth_year(raw, calendar)
                        .ok()
                        .map(|years| years_birth(years.earliest, years.latest))
                });
                match birth {
                    Some(birth) => return birth,
                    None => bad[1] += 1,
                }
            }
            if let Some(raw) = age_column.map(|c| c.get(r)).filter(|s| !s.is_empty()) {
                let references =
                    AGE_REFERENCES.map(|field| records.column(field).map_or("", |c| c.get(r)));
                let birth = *age_cache
                    .entry((raw, references, calendar))
                    .or_insert_with(|| birth_from_age(raw, references, calendar));
                match birth {
                    Some(birth) => return birth,
                    None => bad[2] += 1,
                }
            }
            Birth::UNKNOWN
        })
        .collect();
    let unreadable = vec![
        (CanonicalField::BirthDate, bad[0]),
        (CanonicalField::BirthYear, bad[1]),
        (CanonicalField::Age, bad[2]),
    ];
    let any = births.iter().any(|b| b.is_known());
    (any.then_some(births), unreadable)
}

fn years_birth(first: i32, last: i32) -> Birth {
    let clamp = |y: i32| y.clamp(1, i32::from(i16::MAX)) as i16;
    Birth {
        day: NULL_DAY,
        digits: 0,
        first_year: clamp(first),
        last_year: clamp(last),
    }
}

fn birth_from_date(raw: &str, calendar: Option<Calendar>) -> Option<Birth> {
    use chrono::Datelike;
    let date = text::dates::parse_date(raw, calendar).ok()?;
    let mut birth = years_birth(date.earliest.year(), date.latest.year());
    if date.precision == DatePrecision::Day {
        let d = date.earliest;
        birth.day = day_number(d);
        birth.digits = (d.year().max(0) as u32) * 10_000 + d.month() * 100 + d.day();
    }
    Some(birth)
}

/// An age cell, the cells of [`AGE_REFERENCES`] and the list's calendar.
type AgeCells<'a> = (&'a str, [&'a str; 3], Option<Calendar>);

/// The dates an age may be relative to, the first readable one taken.
const AGE_REFERENCES: [CanonicalField; 3] = [
    CanonicalField::ExecutionDate,
    CanonicalField::DeathDate,
    CanonicalField::ArrestDate,
];

/// An age turned into a birth-year interval at the first readable date of `references` (cells
/// of [`AGE_REFERENCES`]).
fn birth_from_age(raw: &str, references: [&str; 3], calendar: Option<Calendar>) -> Option<Birth> {
    let age = text::dates::parse_age(raw).ok()?;
    let reference = references
        .iter()
        .filter(|raw| !raw.is_empty())
        .find_map(|raw| text::dates::parse_date(raw, calendar).ok())?;
    let years = text::dates::birth_years_from_age(age, &reference);
    Some(years_birth(years.earliest, years.latest))
}

fn sexes(records: &Records) -> (Option<Vec<u8>>, usize) {
    let Some(column) = records.column(CanonicalField::Sex) else {
        return (None, 0);
    };
    let mut bad = 0;
    let sexes: Vec<u8> = (0..records.len() as RecordIndex)
        .map(|r| {
            let raw = column.get(r);
            match Sex::parse(raw) {
                Some(Sex::Male) => 1,
                Some(Sex::Female) => 2,
                None => {
                    bad += usize::from(!raw.is_empty());
                    0
                }
            }
        })
        .collect();
    let any = sexes.iter().any(|&s| s != 0);
    (any.then_some(sexes), bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn romanisation_variants_fold_to_one_form() {
        let cases = [
            ("rezaei", "rezaee", "-i/-ee endings"),
            ("rezaei", "rezai", "-ei/-i endings"),
            ("hosseinzadeh", "hossein zade", "compound with -zadeh/-zade"),
            ("mohammadreza", "mohammad reza", "compound given name"),
            ("khosravi", "xosravi", "kh/x"),
            ("ghasemi", "qasemi", "gh/q"),
            ("hossein", "hosein", "doubled letters"),
            ("mousavi", "musavi", "ou/u"),
        ];
        for (a, b, description) in cases {
            assert_eq!(fold_variants(a), fold_variants(b), "{description}");
        }
    }

    #[test]
    fn different_names_do_not_fold_together() {
        assert_ne!(fold_variants("ali"), fold_variants("reza"));
    }

    #[test]
    fn entries_give_back_their_letters_whether_they_fit_their_cache_line_or_not() {
        let values = [
            "ali",
            "محمدرضا",
            "abdolhossein mohammadreza gholamali hassanzadeh khorasani",
            "عبدالحسین محمدرضا غلامعلی حسن‌زاده خراسانی",
        ];
        let mut builder = VocabularyBuilder::default();
        let ids: Vec<u32> = values
            .iter()
            .map(|v| builder.intern(TextKind::Name, v))
            .collect();
        let vocabulary = builder.finish(&ids);
        let mut alphabet = HashMap::default();
        let mut spilled = 0;
        for (value, id) in values.iter().zip(ids) {
            let entry = &vocabulary.entries[id as usize];
            spilled += usize::from(entry.spilled);
            assert_eq!(vocabulary.text[id as usize], *value);
            assert_eq!(
                vocabulary.letters(entry),
                &*encode_letters(&mut alphabet, value),
                "{value}"
            );
            assert_eq!(
                vocabulary.skeleton_letters(entry),
                skeleton_of(value).as_bytes(),
                "{value}"
            );
            assert_eq!(entry.is_latin, value.is_ascii());
        }
        assert_eq!(spilled, 2, "the two long values spill");
    }

    #[test]
    fn persian_letters_get_one_byte_each() {
        let mut alphabet = HashMap::default();
        let encoded = encode_letters(&mut alphabet, "محمد");
        assert_eq!(encoded.len(), 4);
        assert_eq!(encoded[0], encoded[2], "both mim get the same byte");
        assert_ne!(encoded[1], encoded[3]);
    }
}
