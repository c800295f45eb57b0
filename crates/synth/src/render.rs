//! Writing one person as one row of one source: the source's script, spellings, date format
//! and layout, plus noise (typos, missing values, swapped names, coarser or wrong dates).
//!
//! The noise level `n` (0 to 1) scales every error rate; a source's `carelessness`
//! multiplies it. At `n = 0` rows are clean: every column the source has is filled, names
//! are spelled the source's usual way, dates are full days and right. The rates at
//! `n × carelessness = 1` are listed in [`Rates`]. Deciding who is on the list is left to
//! `capture`; files and ids to `output`.

use crate::days::Day;
use crate::names::{NameForm, ZWNJ};
use crate::places::{AFFILIATIONS, CITIES, KHAVARAN, Label, PRISONS, PROVINCES};
use crate::population::{Person, World};
use crate::style::{
    BirthStyle, DateFormat, LatinCase, NameLayout, ScriptStyle, SexFormat, SourceStyle, ZwnjHabit,
    splitmix,
};
use chrono::Datelike;
use domain::fields::CanonicalField;
use domain::sex::Sex;
use rand::RngExt;
use rand::rngs::Xoshiro256PlusPlus;
use std::fmt::Write as _;
use text::calendar::{GREGORIAN_MONTHS_SHORT, JALALI_MONTHS, JALALI_MONTHS_PERSIAN};

/// Error rates at full noise for a source of carelessness 1; each is multiplied by
/// `noise × carelessness` (dates' precision by `noise` alone).
pub(crate) struct Rates;

impl Rates {
    /// A name (given, surname, father's) carries a typo (one character inserted, deleted,
    /// replaced or two swapped; a fifth of these get a second one).
    pub const NAME_TYPO: f64 = 0.10;
    /// A place carries a typo.
    pub const PLACE_TYPO: f64 = 0.03;
    /// Given name and surname are swapped.
    pub const SWAP: f64 = 0.08;
    /// A name is spelled some other known way than the source's habit (by `noise` alone).
    pub const OTHER_SPELLING: f64 = 0.5;
    /// Birth year off by one.
    pub const BIRTH_OFF_BY_ONE: f64 = 0.15;
    /// Birth year off by two to four.
    pub const BIRTH_OFF_BY_MORE: f64 = 0.03;
    /// Execution date wrong by one to seven days; arrest date by up to two months.
    pub const WRONG_DATE: f64 = 0.06;
    /// Execution date given only as a month or a season (by `noise` alone).
    pub const COARSE_EXECUTION: f64 = 0.5;
    /// Arrest date given only as a month or a year (by `noise` alone).
    pub const COARSE_ARREST: f64 = 0.7;
    /// Given name missing.
    pub const MISSING_GIVEN: f64 = 0.02;
    /// Father's name missing.
    pub const MISSING_FATHER: f64 = 0.15;
    /// Birth year, birth date or age missing.
    pub const MISSING_BIRTH: f64 = 0.15;
    /// Sex missing.
    pub const MISSING_SEX: f64 = 0.2;
    /// City missing.
    pub const MISSING_CITY: f64 = 0.2;
    /// Province missing.
    pub const MISSING_PROVINCE: f64 = 0.3;
    /// Affiliation missing.
    pub const MISSING_AFFILIATION: f64 = 0.3;
    /// Arrest date missing.
    pub const MISSING_ARREST: f64 = 0.35;
    /// Prison missing.
    pub const MISSING_PRISON: f64 = 0.15;
    /// Execution date missing.
    pub const MISSING_EXECUTION: f64 = 0.08;
    /// Burial place missing.
    pub const MISSING_BURIAL: f64 = 0.3;
}

/// How much of a date a row gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Precision {
    Day,
    Month,
    Season,
    Year,
}

/// The text of each column of the row being written; reused from row to row.
#[derive(Debug, Default)]
struct Columns {
    given: String,
    surname: String,
    father: String,
    full: String,
    sex: &'static str,
    birth_date: String,
    birth_year: String,
    age: String,
    city: String,
    province: String,
    affiliation: String,
    arrest: String,
    prison: String,
    execution: String,
    burial: String,
}

impl Columns {
    fn clear(&mut self) {
        for text in [
            &mut self.given,
            &mut self.surname,
            &mut self.father,
            &mut self.full,
            &mut self.birth_date,
            &mut self.birth_year,
            &mut self.age,
            &mut self.city,
            &mut self.province,
            &mut self.affiliation,
            &mut self.arrest,
            &mut self.prison,
            &mut self.execution,
            &mut self.burial,
        ] {
            text.clear();
        }
        self.sex = "";
    }
}

/// Per-row choices shared by several columns.
struct Row<'s> {
    style: &'s SourceStyle,
    is_persian: bool,
    is_arabic_keyboard: bool,
    zwnj: ZwnjHabit,
    /// `noise × carelessness`.
    care: f64,
    noise: f64,
}

/// Writes rows; holds reusable buffers so that the hot loop does not allocate.
pub(crate) struct Renderer<'w> {
    world: &'w World,
    noise: f64,
    columns: Columns,
    scratch: String,
    chars: Vec<char>,
}

const LATIN_LETTERS: &[char] = &[
    'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o', 'p', 'q', 'r', 's',
    't', 'u', 'v', 'w', 'x', 'y', 'z',
];
const PERSIAN_LETTERS: &[char] = &[
    'ا', 'ب', 'پ', 'ت', 'ث', 'ج', 'چ', 'ح', 'خ', 'د', 'ذ', 'ر', 'ز', 'ژ', 'س', 'ش', 'ص', 'ض', 'ط',
    'ظ', 'ع', 'غ', 'ف', 'ق', 'ک', 'گ', 'ل', 'م', 'ن', 'و', 'ه', 'ی',
];
const SEASONS: [&str; 4] = ["spring", "summer", "autumn", "winter"];
const SEASONS_PERSIAN: [&str; 4] = ["بهار", "تابستان", "پاییز", "زمستان"];

fn chance(rng: &mut Xoshiro256PlusPlus, p: f64) -> bool {
    rng.random::<f64>() < p
}

impl<'w> Renderer<'w> {
    /// A renderer for this world at this noise level (0 to 1).
    pub fn new(world: &'w World, noise: f64) -> Renderer<'w> {
        Renderer {
            world,
            noise,
            columns: Columns::default(),
            scratch: String::with_capacity(64),
            chars: Vec::with_capacity(64),
        }
    }

    /// Appends one row (every canonical column but `record_id`, each preceded by a comma,
    /// ending in a newline) for `person` in `style`.
    pub fn write_row(
        &mut self,
        person: &Person,
        style: &SourceStyle,
        rng: &mut Xoshiro256PlusPlus,
        out: &mut Vec<u8>,
    ) {
        let is_persian = match style.script {
            ScriptStyle::Persian => true,
            ScriptStyle::Latin => false,
            ScriptStyle::Mixed => rng.random_bool(0.5),
        };
        let zwnj = if chance(rng, 0.3 * self.noise) {
            [ZwnjHabit::Keep, ZwnjHabit::Space, ZwnjHabit::Drop][rng.random_range(0..3)]
        } else {
            style.zwnj
        };
        let row = Row {
            style,
            is_persian,
            is_arabic_keyboard: is_persian && chance(rng, style.arabic_letters),
            zwnj,
            care: self.noise * style.carelessness,
            noise: self.noise,
        };
        self.columns.clear();
        self.fill_names(person, &row, rng);
        self.fill_birth(person, &row, rng);
        self.fill_places(person, &row, rng);
        self.fill_dates(person, &row, rng);
        if style.columns.has_sex && !chance(rng, Rates::MISSING_SEX * row.care) {
            self.columns.sex = sex_text(person.sex, style.sex_format);
        }
        self.emit(out);
    }

    fn emit(&self, out: &mut Vec<u8>) {
        let c = &self.columns;
        for field in CanonicalField::ALL {
            let text: &str = match field {
                CanonicalField::RecordId => continue,
                CanonicalField::GivenName => &c.given,
                CanonicalField::Surname => &c.surname,
                CanonicalField::FatherName => &c.father,
                CanonicalField::FullName => &c.full,
                CanonicalField::Sex => c.sex,
                CanonicalField::BirthDate => &c.birth_date,
                CanonicalField::BirthYear => &c.birth_year,
                CanonicalField::Age => &c.age,
                CanonicalField::City => &c.city,
                CanonicalField::Province => &c.province,
                CanonicalField::Affiliation => &c.affiliation,
                CanonicalField::ArrestDate => &c.arrest,
                CanonicalField::Prison => &c.prison,
                CanonicalField::ExecutionDate => &c.execution,
                CanonicalField::BurialPlace => &c.burial,
                CanonicalField::BirthPlace
                | CanonicalField::NationalId
                | CanonicalField::Address
                | CanonicalField::PostalCode
                | CanonicalField::DeathDate
                | CanonicalField::Notes => "",
            };
            push_field(out, text);
        }
        out.push(b'\n');
    }

    fn fill_names(&mut self, person: &Person, row: &Row, rng: &mut Xoshiro256PlusPlus) {
        let names = &self.world.names;
        let given = match person.sex {
            Sex::Male => names.male.get(person.given),
            Sex::Female => names.female.get(person.given),
        };
        let given_id = (u64::from(person.sex == Sex::Female) << 40) | u64::from(person.given);
        let mut given_text = std::mem::take(&mut self.columns.given);
        let mut surname_text = std::mem::take(&mut self.columns.surname);
        if !chance(rng, Rates::MISSING_GIVEN * row.care) {
            self.name_into(&mut given_text, given, given_id, row, rng);
        }
        let surname = names.surnames.get(person.surname);
        self.name_into(
            &mut surname_text,
            surname,
            (2 << 40) | u64::from(person.surname),
            row,
            rng,
        );
        if row.style.columns.has_father_name && !chance(rng, Rates::MISSING_FATHER * row.care) {
            let mut father_text = std::mem::take(&mut self.columns.father);
            let father = names.male.get(person.father);
            self.name_into(&mut father_text, father, u64::from(person.father), row, rng);
            self.columns.father = father_text;
        }
        let is_swapped = chance(rng, Rates::SWAP * row.care);
        if is_swapped {
            std::mem::swap(&mut given_text, &mut surname_text);
        }
        match row.style.name_layout {
            NameLayout::Split => {}
            NameLayout::FullName => {
                join_full(&mut self.columns.full, &given_text, &surname_text, "");
                given_text.clear();
                surname_text.clear();
            }
            NameLayout::FullNameSurnameFirst => {
                let comma = if row.is_persian { "،" } else { "," };
                join_full(&mut self.columns.full, &surname_text, &given_text, comma);
                given_text.clear();
                surname_text.clear();
            }
        }
        self.columns.given = given_text;
        self.columns.surname = surname_text;
    }

    /// Writes a name in the row's script and the source's spelling, with noise.
    fn name_into(
        &mut self,
        out: &mut String,
        form: &NameForm,
        entry: u64,
        row: &Row,
        rng: &mut Xoshiro256PlusPlus,
    ) {
        self.scratch.clear();
        if row.is_persian {
            persian_into(&mut self.scratch, &form.persian, row);
        } else {
            let spelling = spelling(&form.latin, row.style.habit_seed, entry, row.noise, rng);
            self.scratch.push_str(spelling);
        }
        if chance(rng, Rates::NAME_TYPO * row.care) {
            self.typo(row.is_persian, rng);
            if chance(rng, 0.2) {
                self.typo(row.is_persian, rng);
            }
        }
        push_cased(out, &self.scratch, row);
    }

    /// Writes a place label in the row's script, with noise.
    fn label_into(
        &mut self,
        out: &mut String,
        label: &Label,
        entry: u64,
        row: &Row,
        rng: &mut Xoshiro256PlusPlus,
    ) {
        self.scratch.clear();
        if row.is_persian {
            let text = spelling(label.persian, row.style.habit_seed, entry, row.noise, rng);
            persian_into(&mut self.scratch, text, row);
        } else {
            let text = spelling(label.latin, row.style.habit_seed, entry, row.noise, rng);
            self.scratch.push_str(text);
        }
        if chance(rng, Rates::PLACE_TYPO * row.care) {
            self.typo(row.is_persian, rng);
        }
        push_cased(out, &self.scratch, row);
    }

    /// One character edit on `scratch`: insert, delete, replace, or swap two neighbours.
    fn typo(&mut self, is_persian: bool, rng: &mut Xoshiro256PlusPlus) {
        self.chars.clear();
        self.chars.extend(self.scratch.chars());
        if self.chars.len() < 3 {
            return;
        }
        let letters = if is_persian {
            PERSIAN_LETTERS
        } else {
            LATIN_LETTERS
        };
        let letter = letters[rng.random_range(0..letters.len())];
        let at = rng.random_range(1..self.chars.len());
        match rng.random_range(0..4) {
            0 => self.chars.insert(at, letter),
            1 => {
                self.chars.remove(at);
            }
            2 => self.chars[at] = letter,
            _ => self.chars.swap(at - 1, at),
        }
        self.scratch.clear();
        self.scratch.extend(self.chars.iter());
    }

    fn fill_birth(&mut self, person: &Person, row: &Row, rng: &mut Xoshiro256PlusPlus) {
        if chance(rng, Rates::MISSING_BIRTH * row.care) {
            return;
        }
        let days = &self.world.days;
        let birth = days.get(person.birth);
        let execution = days.get(person.execution);
        let error = if chance(rng, Rates::BIRTH_OFF_BY_ONE * row.care) {
            if rng.random_bool(0.5) { 1 } else { -1 }
        } else if chance(rng, Rates::BIRTH_OFF_BY_MORE * row.care) {
            rng.random_range(2..=4) * if rng.random_bool(0.5) { 1 } else { -1 }
        } else {
            0
        };
        let persian_digits = row.style.date_format.has_persian_digits();
        let columns = &mut self.columns;
        match row.style.birth {
            BirthStyle::JalaliYear => {
                push_number(
                    &mut columns.birth_year,
                    birth.jalali.year + error,
                    persian_digits,
                );
            }
            BirthStyle::GregorianYear => {
                push_number(
                    &mut columns.birth_year,
                    birth.gregorian.year() + error,
                    persian_digits,
                );
            }
            BirthStyle::Age => {
                let age = age_at(birth, execution, row, rng) - error;
                push_number(&mut columns.age, age, persian_digits);
            }
            BirthStyle::DateOrAge => {
                if rng.random_bool(1.0 / 3.0) {
                    let age = age_at(birth, execution, row, rng) - error;
                    push_number(&mut columns.age, age, persian_digits);
                } else {
                    let precision = if chance(rng, 0.3 * row.noise) {
                        Precision::Year
                    } else {
                        Precision::Day
                    };
                    let shifted = if error == 0 {
                        birth
                    } else {
                        let index = person.birth as i64 + i64::from(error) * 365;
                        days.get(index.max(0) as u32)
                    };
                    write_date(
                        &mut columns.birth_date,
                        &mut self.scratch,
                        shifted,
                        precision,
                        row.style.date_format,
                    );
                }
            }
        }
    }

    fn fill_places(&mut self, person: &Person, row: &Row, rng: &mut Xoshiro256PlusPlus) {
        let columns_wanted = row.style.columns;
        let city = &CITIES[usize::from(person.city)];
        let prison = usize::from(person.prison);
        if columns_wanted.has_city && !chance(rng, Rates::MISSING_CITY * row.care) {
            let mut text = std::mem::take(&mut self.columns.city);
            self.label_into(
                &mut text,
                &city.label,
                (3 << 40) | u64::from(person.city),
                row,
                rng,
            );
            self.columns.city = text;
        }
        if columns_wanted.has_province && !chance(rng, Rates::MISSING_PROVINCE * row.care) {
            let mut text = std::mem::take(&mut self.columns.province);
            let label = &PROVINCES[city.province];
            self.label_into(&mut text, label, (4 << 40) | city.province as u64, row, rng);
            self.columns.province = text;
        }
        if columns_wanted.has_prison && !chance(rng, Rates::MISSING_PRISON * row.care) {
            let mut text = std::mem::take(&mut self.columns.prison);
            let label = &PRISONS[prison].label;
            self.label_into(&mut text, label, (5 << 40) | prison as u64, row, rng);
            self.columns.prison = text;
        }
        if columns_wanted.has_affiliation && !chance(rng, Rates::MISSING_AFFILIATION * row.care) {
            let mut text = std::mem::take(&mut self.columns.affiliation);
            let index = usize::from(person.affiliation);
            let label = &AFFILIATIONS[index].label;
            self.label_into(&mut text, label, (6 << 40) | index as u64, row, rng);
            self.columns.affiliation = text;
        }
        let is_tehran_prison = prison <= 2;
        if columns_wanted.has_burial_place
            && is_tehran_prison
            && !chance(rng, Rates::MISSING_BURIAL * row.care)
        {
            let mut text = std::mem::take(&mut self.columns.burial);
            self.label_into(&mut text, &KHAVARAN, 7 << 40, row, rng);
            self.columns.burial = text;
        }
    }

    fn fill_dates(&mut self, person: &Person, row: &Row, rng: &mut Xoshiro256PlusPlus) {
        let days = &self.world.days;
        let format = row.style.date_format;
        if !chance(rng, Rates::MISSING_EXECUTION * row.care) {
            let mut index = person.execution;
            if chance(rng, Rates::WRONG_DATE * row.care) {
                let shift = rng.random_range(1..=7) * if rng.random_bool(0.5) { 1 } else { -1 };
                let first = days.index_of(1367, 5, 1);
                let last = days.index_of(1367, 6, 31);
                index = (i64::from(index) + shift).clamp(i64::from(first), i64::from(last)) as u32;
            }
            let precision = if chance(rng, Rates::COARSE_EXECUTION * row.noise) {
                if rng.random_bool(0.6) {
                    Precision::Month
                } else {
                    Precision::Season
                }
            } else {
                Precision::Day
            };
            write_date(
                &mut self.columns.execution,
                &mut self.scratch,
                days.get(index),
                precision,
                format,
            );
        }
        if row.style.columns.has_arrest_date && !chance(rng, Rates::MISSING_ARREST * row.care) {
            let mut index = person.arrest;
            if chance(rng, Rates::WRONG_DATE * row.care) {
                let shift = rng.random_range(1..=60) * if rng.random_bool(0.5) { 1 } else { -1 };
                index = (i64::from(index) + shift).max(0) as u32;
            }
            let precision = if chance(rng, Rates::COARSE_ARREST * row.noise) {
                if rng.random_bool(0.5) {
                    Precision::Month
                } else {
                    Precision::Year
                }
            } else {
                Precision::Day
            };
            write_date(
                &mut self.columns.arrest,
                &mut self.scratch,
                days.get(index),
                precision,
                format,
            );
        }
    }
}

/// The age at execution: exact (in Gregorian terms), or, for a share of rows that grows
/// with noise, the difference of the Jalali years as sources often compute it.
fn age_at(birth: Day, execution: Day, row: &Row, rng: &mut Xoshiro256PlusPlus) -> i32 {
    if chance(rng, 0.3 * row.care) {
        return execution.jalali.year - birth.jalali.year;
    }
    let years = execution.gregorian.year() - birth.gregorian.year();
    let had_birthday = (execution.gregorian.month(), execution.gregorian.day())
        >= (birth.gregorian.month(), birth.gregorian.day());
    if had_birthday { years } else { years - 1 }
}

/// The source's habitual spelling of a name (a fixed choice per source and name, the usual
/// spelling more often than not), or with probability `OTHER_SPELLING × noise` any spelling.
fn spelling<'a, S: AsRef<str>>(
    options: &'a [S],
    habit_seed: u64,
    entry: u64,
    noise: f64,
    rng: &mut Xoshiro256PlusPlus,
) -> &'a str {
    let count = options.len();
    if count <= 1 {
        return options.first().map(AsRef::as_ref).unwrap_or("");
    }
    if chance(rng, Rates::OTHER_SPELLING * noise) {
        return options[rng.random_range(0..count)].as_ref();
    }
    let hash = splitmix(habit_seed ^ entry.wrapping_mul(0x9e37_79b9_7f4a_7c15));
    let index = if hash % 100 < 55 {
        0
    } else {
        ((hash >> 8) % count as u64) as usize
    };
    options[index].as_ref()
}

/// Persian text as the row types it: Arabic-keyboard letters and the ZWNJ habit.
fn persian_into(out: &mut String, text: &str, row: &Row) {
    for c in text.chars() {
        match c {
            ZWNJ => match row.zwnj {
                ZwnjHabit::Keep => out.push(ZWNJ),
                ZwnjHabit::Space => out.push(' '),
                ZwnjHabit::Drop => {}
            },
            'ی' if row.is_arabic_keyboard => out.push('ي'),
            'ک' if row.is_arabic_keyboard => out.push('ك'),
            _ => out.push(c),
        }
    }
}

fn push_cased(out: &mut String, text: &str, row: &Row) {
    if !row.is_persian && row.style.latin_case == LatinCase::Upper {
        out.extend(text.chars().map(|c| c.to_ascii_uppercase()));
    } else {
        out.push_str(text);
    }
}

fn join_full(out: &mut String, first: &str, second: &str, separator: &str) {
    out.push_str(first);
    if !first.is_empty() && !second.is_empty() {
        out.push_str(separator);
        out.push(' ');
    }
    out.push_str(second);
}

fn sex_text(sex: Sex, format: SexFormat) -> &'static str {
    match (format, sex) {
        (SexFormat::Letter, Sex::Male) => "m",
        (SexFormat::Letter, Sex::Female) => "f",
        (SexFormat::Word, Sex::Male) => "male",
        (SexFormat::Word, Sex::Female) => "female",
        (SexFormat::Persian, Sex::Male) => "مرد",
        (SexFormat::Persian, Sex::Female) => "زن",
    }
}

/// Writes a number, in Persian digits when asked.
fn push_number(out: &mut String, number: i32, persian_digits: bool) {
    let start = out.len();
    let _ = write!(out, "{number}");
    if persian_digits {
        let ascii = out.split_off(start);
        push_digits(out, &ascii, true);
    }
}

fn push_digits(out: &mut String, text: &str, persian_digits: bool) {
    for c in text.chars() {
        match c {
            '0'..='9' if persian_digits => {
                let offset = c as u32 - '0' as u32;
                out.push(char::from_u32(0x06F0 + offset).unwrap_or(c));
            }
            _ => out.push(c),
        }
    }
}

/// Writes a date in the source's format at the given precision.
fn write_date(
    out: &mut String,
    scratch: &mut String,
    day: Day,
    precision: Precision,
    format: DateFormat,
) {
    scratch.clear();
    let j = day.jalali;
    let g = day.gregorian;
    let season = usize::from((j.month - 1) / 3);
    let month = usize::from(j.month - 1);
    let is_persian_words = format.has_persian_digits();
    let _ = match (precision, format) {
        (Precision::Season, _) if is_persian_words => {
            write!(scratch, "{} {}", SEASONS_PERSIAN[season], j.year)
        }
        // Gregorian seasons are meteorological (summer = Jun–Aug), so a September day
        // is given as its month rather than as a season that would not contain it.
        (Precision::Season, f) if f.is_gregorian() && (6..=8).contains(&g.month()) => {
            write!(scratch, "summer {}", g.year())
        }
        (Precision::Season, DateFormat::GregorianIso) => {
            write!(scratch, "{}-{:02}", g.year(), g.month())
        }
        (Precision::Season, DateFormat::GregorianWords) => write!(
            scratch,
            "{} {}",
            GREGORIAN_MONTHS_SHORT[g.month0() as usize],
            g.year()
        ),
        (Precision::Season, _) => write!(scratch, "{} {}", SEASONS[season], j.year),
        (Precision::Year, f) if f.is_gregorian() => write!(scratch, "{}", g.year()),
        (Precision::Year, _) => write!(scratch, "{}", j.year),
        (Precision::Month, DateFormat::GregorianIso) => {
            write!(scratch, "{}-{:02}", g.year(), g.month())
        }
        (Precision::Month, DateFormat::GregorianWords) => {
            write!(
                scratch,
                "{} {}",
                GREGORIAN_MONTHS_SHORT[g.month0() as usize],
                g.year()
            )
        }
        (Precision::Month, DateFormat::JalaliWords) => {
            write!(scratch, "{} {}", JALALI_MONTHS[month], j.year)
        }
        (Precision::Month, DateFormat::JalaliWordsPersian) => {
            write!(scratch, "{} {}", JALALI_MONTHS_PERSIAN[month], j.year)
        }
        (Precision::Month, _) => write!(scratch, "{}/{:02}", j.year, j.month),
        (Precision::Day, DateFormat::GregorianIso) => {
            write!(scratch, "{}-{:02}-{:02}", g.year(), g.month(), g.day())
        }
        (Precision::Day, DateFormat::GregorianWords) => write!(
            scratch,
            "{} {} {}",
            g.day(),
            GREGORIAN_MONTHS_SHORT[g.month0() as usize],
            g.year()
        ),
        (Precision::Day, DateFormat::JalaliWords) => {
            write!(scratch, "{} {} {}", j.day, JALALI_MONTHS[month], j.year)
        }
        (Precision::Day, DateFormat::JalaliWordsPersian) => {
            write!(
                scratch,
                "{} {} {}",
                j.day, JALALI_MONTHS_PERSIAN[month], j.year
            )
        }
        (Precision::Day, DateFormat::JalaliCompact) => {
            write!(scratch, "{}{:02}{:02}", j.year, j.month, j.day)
        }
        (Precision::Day, DateFormat::JalaliSlash | DateFormat::JalaliSlashPersianDigits) => {
            write!(scratch, "{}/{:02}/{:02}", j.year, j.month, j.day)
        }
    };
    push_digits(out, scratch, format.has_persian_digits());
}

/// Appends `,text`, quoted when the text holds a comma, quote or line break.
fn push_field(out: &mut Vec<u8>, text: &str) {
    out.push(b',');
    if text
        .bytes()
        .any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
    {
        out.push(b'"');
        for b in text.bytes() {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(text.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SynthError;
    use crate::days::Days;
    use crate::names::Names;
    use rand::SeedableRng;

    fn world() -> Result<World, SynthError> {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        Ok(World::build(Names::build(), Days::build()?, &mut rng))
    }

    fn date(
        world: &World,
        y: i32,
        m: u8,
        d: u8,
        precision: Precision,
        format: DateFormat,
    ) -> String {
        let mut out = String::new();
        let mut scratch = String::new();
        let day = world.days.get(world.days.index_of(y, m, d));
        write_date(&mut out, &mut scratch, day, precision, format);
        out
    }

    #[test]
    fn dates_are_written_in_each_format() -> Result<(), SynthError> {
        let w = world()?;
        let cases = [
            (Precision::Day, DateFormat::JalaliSlash, "1367/05/12"),
            (
                Precision::Day,
                DateFormat::JalaliSlashPersianDigits,
                "۱۳۶۷/۰۵/۱۲",
            ),
            (Precision::Day, DateFormat::JalaliWords, "12 Mordad 1367"),
            (
                Precision::Day,
                DateFormat::JalaliWordsPersian,
                "۱۲ مرداد ۱۳۶۷",
            ),
            (Precision::Day, DateFormat::JalaliCompact, "13670512"),
            (Precision::Day, DateFormat::GregorianIso, "1988-08-03"),
            (Precision::Day, DateFormat::GregorianWords, "3 Aug 1988"),
            (Precision::Month, DateFormat::JalaliWords, "Mordad 1367"),
            (Precision::Month, DateFormat::GregorianIso, "1988-08"),
            (Precision::Season, DateFormat::JalaliSlash, "summer 1367"),
            (Precision::Season, DateFormat::GregorianWords, "summer 1988"),
            (Precision::Season, DateFormat::GregorianIso, "summer 1988"),
            (
                Precision::Season,
                DateFormat::JalaliWordsPersian,
                "تابستان ۱۳۶۷",
            ),
            (Precision::Year, DateFormat::GregorianIso, "1988"),
        ];
        let september = date(&w, 1367, 6, 20, Precision::Season, DateFormat::GregorianIso);
        assert_eq!(
            september, "1988-09",
            "a September day is not in the Gregorian summer"
        );
        for (precision, format, expected) in cases {
            assert_eq!(
                date(&w, 1367, 5, 12, precision, format),
                expected,
                "{precision:?} {format:?}"
            );
        }
        Ok(())
    }

    #[test]
    fn fields_with_commas_or_quotes_are_quoted() {
        let mut out = Vec::new();
        push_field(&mut out, "Rezaei, Mohammad");
        push_field(&mut out, "say \"hi\"");
        push_field(&mut out, "plain");
        assert_eq!(out, b",\"Rezaei, Mohammad\",\"say \"\"hi\"\"\",plain");
    }

    #[test]
    fn persian_text_follows_the_keyboard_and_zwnj_habit() -> Result<(), SynthError> {
        let style = crate::style::SourceStyle::for_source(5, 1);
        let row = Row {
            style: &style,
            is_persian: true,
            is_arabic_keyboard: true,
            zwnj: ZwnjHabit::Space,
            care: 0.0,
            noise: 0.0,
        };
        let mut out = String::new();
        persian_into(&mut out, "علی\u{200C}کریمی", &row);
        assert_eq!(out, "علي كريمي");
        Ok(())
    }
}
