//! Reading dates as sources write them, in the Solar Hijri or the Gregorian calendar, and
//! writing them back in either.
//!
//! This module owns the grammar of dates (`1367/05/12`, `12 Mordad 1367`, `۱۲ مرداد ۱۳۶۷`,
//! `3 Aug 1988`, `summer 1367`, `circa 1988`, `1367/05/01 - 1367/06/31`…), the rule that
//! decides which calendar a number is in, the Gregorian interval a date can mean, its EDTF
//! string, ages and birth years. Calendar arithmetic is [`crate::calendar`]'s; the resulting
//! type, [`UncertainDate`], is `domain`'s. `docs/dates.md` explains the rules in plain words.
//!
//! Decisions the parser makes:
//! - A number of three or more digits is a year. Without a month name, a year in 1300–1450
//!   is Solar Hijri and any other year Gregorian, unless the source declares its calendar
//!   and the year is plausible in it (Solar Hijri 1200–1499, Gregorian 1800–2199). A month
//!   name (`Mordad`, `Aug`) decides the calendar by itself.
//! - All-number dates are year-first (`1367/05/12`, `1988-08-03`) or year-last. Year-last is
//!   read day/month/year (`03/08/1988` is 3 August), as in Iran and Europe, unless only
//!   month/day/year can be right (`08/23/1988`).
//! - An approximate year (`circa 1367`, `~1988`) is widened by one year on either side.
//!   Approximate days, months and seasons keep their interval and are only flagged.
//! - A season is three months: Solar Hijri seasons as in the glossary, Gregorian spring =
//!   Mar–May, summer = Jun–Aug, autumn = Sep–Nov, winter = Dec–Feb of the next year.

use crate::calendar::{
    GREGORIAN_MONTHS_SHORT, JALALI_MONTHS, JALALI_MONTHS_PERSIAN, gregorian_to_jalali,
    is_jalali_leap_year, jalali_month_length, jalali_months_bounds, jalali_to_gregorian,
    jalali_year_bounds,
};
use crate::normalize::normalize_for_search;
use chrono::{Datelike, NaiveDate};
use domain::date::{BirthYearInterval, Calendar, DatePrecision, UncertainDate};

/// The forms accepted, quoted in error messages.
const ACCEPTED: &str = "1367/05/12, 12 Mordad 1367, ۱۲ مرداد ۱۳۶۷, 1988-08-03, 3 Aug 1988, \
                        03/08/1988 (day/month/year), 1367, Mordad 1367, 1988-08, summer 1367, \
                        circa 1988, or a range such as 1367/05/01 - 1367/06/31";

/// The oldest age accepted.
pub const MAX_AGE_YEARS: u16 = 130;

/// The language dates are written back in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    /// Latin script, English month names (`12 Mordad 1367`).
    English,
    /// Persian script and digits (`۱۲ مرداد ۱۳۶۷`).
    Persian,
}

/// Why a date, birth year or age could not be read. Each message names the text and says
/// what is accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    /// Nothing but whitespace.
    #[error("the date is empty; write it like {ACCEPTED}")]
    Empty,
    /// The text does not match any accepted form.
    #[error("`{text}` is not a date form this registry reads ({reason}); write it like {ACCEPTED}")]
    Unrecognised {
        /// The text as given.
        text: String,
        /// What did not fit.
        reason: String,
    },
    /// A month number outside 1–12.
    #[error("month {month} does not exist in the {calendar} calendar (1–12): `{text}`")]
    MonthOutOfRange {
        /// The month as written.
        month: u32,
        /// The calendar's name.
        calendar: &'static str,
        /// The text as given.
        text: String,
    },
    /// A day past the end of its month (31 Mehr, 30 Esfand in a common year, 30 February).
    #[error(
        "day {day} does not exist in {month_name} {year}, which has {length} days{note}: `{text}`"
    )]
    DayOutOfRange {
        /// The day as written.
        day: u32,
        /// The month's name.
        month_name: &'static str,
        /// The year.
        year: i32,
        /// The month's length that year.
        length: u8,
        /// Why the month is short, when that is the surprise (a common year).
        note: &'static str,
        /// The text as given.
        text: String,
    },
    /// Year 0, or a year beyond 9999.
    #[error("year {year} does not exist in the {calendar} calendar (1–9999): `{text}`")]
    YearOutOfRange {
        /// The year as written.
        year: i64,
        /// The calendar's name.
        calendar: &'static str,
        /// The text as given.
        text: String,
    },
    /// A range whose end comes before its start.
    #[error("the range `{text}` ends before it starts; write the earlier date first")]
    ReversedRange {
        /// The text as given.
        text: String,
    },
    /// An age that is not a whole number of years from 0 to 130.
    #[error(
        "age `{text}` is not valid: {reason}; write a whole number of years from 0 to 130, e.g. 25 or ۲۵"
    )]
    InvalidAge {
        /// The text as given.
        text: String,
        /// What is wrong with it.
        reason: &'static str,
    },
}

/// Reads a date as a source wrote it. `declared` is the source's calendar, when it says;
/// it decides numeric dates whose year fits it (see the module docs).
///
/// ```
/// use domain::date::{Calendar, DatePrecision};
/// use text::dates::parse_date;
///
/// let date = parse_date("۱۲ مرداد ۱۳۶۷", None).unwrap();
/// assert_eq!(date.calendar, Calendar::SolarHijri);
/// assert_eq!(date.precision, DatePrecision::Day);
/// assert_eq!(date.edtf, "1988-08-03");
///
/// let summer = parse_date("summer 1988", None).unwrap();
/// assert_eq!((summer.earliest.to_string(), summer.latest.to_string()),
///            ("1988-06-01".to_string(), "1988-08-31".to_string()));
/// ```
pub fn parse_date(text: &str, declared: Option<Calendar>) -> Result<UncertainDate, DateError> {
    let normalized = normalize_for_search(text);
    if normalized.is_empty() {
        return Err(DateError::Empty);
    }
    let parsed = match split_range(&normalized) {
        Some((first, second)) => parse_range(text, first, second, declared)?,
        None => parse_single(text, &normalized, declared)?,
    };
    Ok(UncertainDate {
        verbatim: text.to_string(),
        calendar: parsed.calendar,
        precision: parsed.precision,
        is_approximate: parsed.is_approximate,
        edtf: parsed.edtf,
        earliest: parsed.earliest,
        latest: parsed.latest,
    })
}

/// Reads a birth year (or any date, taken to its years) as a Gregorian year interval:
/// `1340` (Solar Hijri) → 1961–1962, since 1340 SH began in March 1961 and ended in March
/// 1962; `1961` → 1961–1961; `circa 1961` → 1960–1962.
///
/// ```
/// use text::dates::parse_birth_year;
/// let years = parse_birth_year("۱۳۴۰", None).unwrap();
/// assert_eq!((years.earliest, years.latest), (1961, 1962));
/// ```
pub fn parse_birth_year(
    text: &str,
    declared: Option<Calendar>,
) -> Result<BirthYearInterval, DateError> {
    let date = parse_date(text, declared)?;
    Ok(BirthYearInterval {
        earliest: date.earliest.year(),
        latest: date.latest.year(),
    })
}

/// Reads an age in whole years, 0 to 130: `25`, `۲۵`, `25 years`, `۲۵ ساله`.
pub fn parse_age(text: &str) -> Result<u16, DateError> {
    let invalid = |reason| DateError::InvalidAge {
        text: text.to_string(),
        reason,
    };
    let normalized = normalize_for_search(text);
    let number = [
        " years old",
        " years",
        " yrs",
        " y",
        " ساله",
        " سال",
        "ساله",
        "y",
    ]
    .iter()
    .find_map(|suffix| normalized.strip_suffix(suffix))
    .unwrap_or(&normalized)
    .trim();
    if number.is_empty() {
        return Err(invalid("it is empty"));
    }
    if number.starts_with('-') && number.len() > 1 {
        return Err(invalid("it is negative"));
    }
    if !number.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid("it is not a whole number"));
    }
    match number.parse::<u32>() {
        Ok(age) if age <= u32::from(MAX_AGE_YEARS) => {
            u16::try_from(age).map_err(|_overflow| invalid("it is too large"))
        }
        _ => Err(invalid("it is more than 130")),
    }
}

/// The Gregorian birth years of someone `age` years old at `reference`: born at most `age`
/// years before the reference's latest year and at least `age + 1` years before its
/// earliest (the birthday may not have come yet).
pub fn birth_years_from_age(age: u16, reference: &UncertainDate) -> BirthYearInterval {
    let age = i32::from(age);
    BirthYearInterval {
        earliest: reference.earliest.year() - age - 1,
        latest: reference.latest.year() - age,
    }
}

/// The date in Gregorian words: `3 Aug 1988`, `Aug 1988`, `1988`, `Jul–Sep 1988`,
/// `23 Jul – 22 Aug 1988`; `c. ` in front when approximate.
pub fn format_gregorian(date: &UncertainDate) -> String {
    let (earliest, latest) = core_interval(date);
    let prefix = if date.is_approximate { "c. " } else { "" };
    let month = |d: NaiveDate| GREGORIAN_MONTHS_SHORT[d.month0() as usize];
    let body = if earliest == latest {
        format!("{} {} {}", earliest.day(), month(earliest), earliest.year())
    } else if earliest.day() == 1 && is_last_day_of_gregorian_month(latest) {
        if earliest.year() == latest.year() {
            if earliest.month() == 1 && latest.month() == 12 {
                earliest.year().to_string()
            } else if earliest.month() == latest.month() {
                format!("{} {}", month(earliest), earliest.year())
            } else {
                format!("{}–{} {}", month(earliest), month(latest), earliest.year())
            }
        } else if earliest.month() == 1 && latest.month() == 12 {
            format!("{}–{}", earliest.year(), latest.year())
        } else {
            format!(
                "{} {}–{} {}",
                month(earliest),
                earliest.year(),
                month(latest),
                latest.year()
            )
        }
    } else if earliest.year() == latest.year() && earliest.month() == latest.month() {
        format!(
            "{}–{} {} {}",
            earliest.day(),
            latest.day(),
            month(earliest),
            earliest.year()
        )
    } else if earliest.year() == latest.year() {
        format!(
            "{} {} – {} {} {}",
            earliest.day(),
            month(earliest),
            latest.day(),
            month(latest),
            latest.year()
        )
    } else {
        format!(
            "{} {} {} – {} {} {}",
            earliest.day(),
            month(earliest),
            earliest.year(),
            latest.day(),
            month(latest),
            latest.year()
        )
    };
    format!("{prefix}{body}")
}

/// The date in Solar Hijri words: `12 Mordad 1367` or `۱۲ مرداد ۱۳۶۷`, `Mordad 1367`,
/// `1367`, `Mordad–Shahrivar 1367`; `c. ` / `حدود ` in front when approximate.
pub fn format_jalali(date: &UncertainDate, language: Language) -> String {
    let (earliest, latest) = core_interval(date);
    let (first, last) = (gregorian_to_jalali(earliest), gregorian_to_jalali(latest));
    let names = match language {
        Language::English => &JALALI_MONTHS,
        Language::Persian => &JALALI_MONTHS_PERSIAN,
    };
    let month = |m: u8| names[usize::from(m.clamp(1, 12) - 1)];
    let first_is_month_start = first.day == 1;
    let last_is_month_end = jalali_month_length(last.year, last.month) == Some(last.day);
    let body = if earliest == latest {
        format!("{} {} {}", first.day, month(first.month), first.year)
    } else if first_is_month_start && last_is_month_end {
        if first.year == last.year {
            if first.month == 1 && last.month == 12 {
                first.year.to_string()
            } else if first.month == last.month {
                format!("{} {}", month(first.month), first.year)
            } else {
                format!(
                    "{}–{} {}",
                    month(first.month),
                    month(last.month),
                    first.year
                )
            }
        } else if first.month == 1 && last.month == 12 {
            format!("{}–{}", first.year, last.year)
        } else {
            format!(
                "{} {}–{} {}",
                month(first.month),
                first.year,
                month(last.month),
                last.year
            )
        }
    } else if first.year == last.year && first.month == last.month {
        format!(
            "{}–{} {} {}",
            first.day,
            last.day,
            month(first.month),
            first.year
        )
    } else {
        format!(
            "{} {} {} – {} {} {}",
            first.day,
            month(first.month),
            first.year,
            last.day,
            month(last.month),
            last.year
        )
    };
    match language {
        Language::English => {
            let prefix = if date.is_approximate { "c. " } else { "" };
            format!("{prefix}{body}")
        }
        Language::Persian => {
            let prefix = if date.is_approximate { "حدود " } else { "" };
            format!("{prefix}{}", to_persian_digits(&body))
        }
    }
}

/// Persian digits (U+06F0–06F9) for ASCII digits; everything else kept.
pub fn to_persian_digits(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '0'..='9' => char::from_u32(0x06F0 + (c as u32 - '0' as u32)).unwrap_or(c),
            c => c,
        })
        .collect()
}

/// The interval before an approximate year was widened, for display.
fn core_interval(date: &UncertainDate) -> (NaiveDate, NaiveDate) {
    if !(date.is_approximate && date.precision == DatePrecision::Year) {
        return (date.earliest, date.latest);
    }
    let narrowed = match date.calendar {
        Calendar::Gregorian => year_interval(Calendar::Gregorian, date.earliest.year() + 1),
        Calendar::SolarHijri => year_interval(
            Calendar::SolarHijri,
            gregorian_to_jalali(date.earliest).year + 1,
        ),
    };
    match narrowed {
        Some((earliest, latest)) if earliest <= latest => (earliest, latest),
        _ => (date.earliest, date.latest),
    }
}

fn is_last_day_of_gregorian_month(date: NaiveDate) -> bool {
    date.succ_opt()
        .is_none_or(|next| next.month() != date.month())
}

// ---------------------------------------------------------------------------------------
// Parsing

/// What one side of a date (or the whole of a single date) resolved to.
struct Parsed {
    calendar: Calendar,
    precision: DatePrecision,
    is_approximate: bool,
    earliest: NaiveDate,
    latest: NaiveDate,
    edtf: String,
    /// The EDTF of the first unit, for use as the start of a range.
    edtf_start: String,
    /// The EDTF of the last unit, for use as the end of a range.
    edtf_end: String,
}

/// What the text named, in its own calendar.
#[derive(Debug, Clone, Copy)]
enum Spec {
    Day { year: i32, month: u8, day: u32 },
    Month { year: i32, month: u8 },
    Season { year: i32, season: u8 },
    Year { year: i32 },
}

/// Splits `A - B`, `A–B`, `A to B`, `A..B`, `از A تا B`, `A الی B`, `between A and B`.
fn split_range(normalized: &str) -> Option<(&str, &str)> {
    let persian = normalized.strip_prefix("از ").unwrap_or(normalized);
    for separator in [" تا ", " الی ", " لغایت "] {
        if let Some((a, b)) = split_once_at(persian, separator) {
            return Some((a, b));
        }
    }
    if let Some(rest) = normalized.strip_prefix("between ")
        && let Some((a, b)) = rest.split_once(" and ")
    {
        return Some((a, b));
    }
    for separator in ["..", "–", "—", " to ", " - "] {
        if let Some((a, b)) = split_once_at(normalized, separator) {
            return Some((a, b));
        }
    }
    // `1367/05/01-1367/06/31`: slashed dates joined by an unspaced hyphen.
    if normalized.contains('/')
        && normalized.matches('-').count() == 1
        && let Some((a, b)) = normalized.split_once('-')
        && a.contains('/')
        && b.contains('/')
    {
        return Some((a, b));
    }
    // `1988-1989`: two bare years joined by a hyphen.
    if let Some((a, b)) = normalized.split_once('-')
        && a.len() == 4
        && b.len() == 4
        && a.bytes().chain(b.bytes()).all(|c| c.is_ascii_digit())
    {
        return Some((a, b));
    }
    None
}

/// `text.split_once(separator)`, without preparing a substring search when the separator's
/// first letter is not in the text at all (most dates are not ranges: `1367/05/28` has no
/// space, dot or dash).
fn split_once_at<'a>(text: &'a str, separator: &str) -> Option<(&'a str, &'a str)> {
    let first = separator.chars().next()?;
    if !text.contains(first) {
        return None;
    }
    text.split_once(separator)
}

fn parse_range(
    verbatim: &str,
    first: &str,
    second: &str,
    declared: Option<Calendar>,
) -> Result<Parsed, DateError> {
    let second = parse_single(verbatim, second.trim(), declared)?;
    let first_text = first.trim();
    let first = match parse_single(verbatim, first_text, declared) {
        Ok(first) => first,
        // `Mordad - Shahrivar 1367`: the first side borrows the second's year.
        Err(error) => {
            let year = match second.calendar {
                Calendar::Gregorian => second.latest.year(),
                Calendar::SolarHijri => gregorian_to_jalali(second.latest).year,
            };
            let has_digits = first_text.bytes().any(|b| b.is_ascii_digit());
            if has_digits {
                return Err(error);
            }
            parse_single(
                verbatim,
                &format!("{first_text} {year}"),
                Some(second.calendar),
            )
            .map_err(|_retry| error)?
        }
    };
    if second.latest < first.earliest {
        return Err(DateError::ReversedRange {
            text: verbatim.to_string(),
        });
    }
    Ok(Parsed {
        calendar: first.calendar,
        precision: DatePrecision::Range,
        is_approximate: first.is_approximate || second.is_approximate,
        earliest: first.earliest,
        latest: second.latest,
        edtf: format!("{}/{}", first.edtf_start, second.edtf_end),
        edtf_start: first.edtf_start,
        edtf_end: second.edtf_end,
    })
}

/// One token of a single date.
#[derive(Debug, Clone, Copy)]
enum Token<'a> {
    Number { value: u32, digits: usize },
    Word(&'a str),
}

fn tokenize(text: &str) -> Result<(Vec<Token<'_>>, bool), String> {
    let mut tokens = Vec::with_capacity(6);
    let mut is_approximate = false;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c.is_ascii_digit() {
            let end = rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len());
            let digits = &rest[..end];
            let value = digits
                .parse::<u32>()
                .map_err(|_too_long| format!("the number {digits} is too long"))?;
            tokens.push(Token::Number {
                value,
                digits: digits.len(),
            });
            rest = &rest[end..];
        } else if c.is_alphabetic() {
            let end = rest
                .find(|c: char| !c.is_alphabetic())
                .unwrap_or(rest.len());
            tokens.push(Token::Word(&rest[..end]));
            rest = &rest[end..];
        } else {
            match c {
                '~' | '?' => is_approximate = true,
                '/' | '-' | '.' | ',' | '،' | ' ' | '\\' | '_' | '\'' | '’' => {}
                other => return Err(format!("unexpected character `{other}`")),
            }
            rest = &rest[c.len_utf8()..];
        }
    }
    Ok((tokens, is_approximate))
}

/// What a word in a date means.
enum WordMeaning {
    JalaliMonth(u8),
    GregorianMonth(u8),
    Season(u8),
    Approximate,
    CalendarMarker(Calendar),
    Filler,
}

fn word_meaning(word: &str) -> Option<WordMeaning> {
    use WordMeaning::*;
    let meaning = match word {
        "farvardin" | "farwardin" | "فروردین" => JalaliMonth(1),
        "ordibehesht" | "ardibehesht" | "اردیبهشت" => JalaliMonth(2),
        "khordad" | "khurdad" | "خرداد" => JalaliMonth(3),
        "tir" | "تیر" => JalaliMonth(4),
        "mordad" | "amordad" | "murdad" | "مرداد" | "امرداد" => JalaliMonth(5),
        "shahrivar" | "شهریور" => JalaliMonth(6),
        "mehr" | "mihr" | "مهر" => JalaliMonth(7),
        "aban" | "ابان" => JalaliMonth(8),
        "azar" | "adhar" | "اذر" => JalaliMonth(9),
        "dey" | "dei" | "دی" => JalaliMonth(10),
        "bahman" | "بهمن" => JalaliMonth(11),
        "esfand" | "isfand" | "اسفند" => JalaliMonth(12),
        "january" | "jan" | "ژانویه" => GregorianMonth(1),
        "february" | "feb" | "فوریه" => GregorianMonth(2),
        "march" | "mar" | "مارس" => GregorianMonth(3),
        "april" | "apr" | "اوریل" => GregorianMonth(4),
        "may" | "مه" | "می" => GregorianMonth(5),
        "june" | "jun" | "ژوین" => GregorianMonth(6),
        "july" | "jul" | "ژوییه" | "جولای" => GregorianMonth(7),
        "august" | "aug" | "اوت" | "اگوست" => GregorianMonth(8),
        "september" | "sep" | "sept" | "سپتامبر" => GregorianMonth(9),
        "october" | "oct" | "اکتبر" => GregorianMonth(10),
        "november" | "nov" | "نوامبر" => GregorianMonth(11),
        "december" | "dec" | "دسامبر" => GregorianMonth(12),
        "spring" | "bahar" | "بهار" => Season(1),
        "summer" | "tabestan" | "تابستان" => Season(2),
        "autumn" | "fall" | "paeez" | "paiz" | "payiz" | "پاییز" => Season(3),
        "winter" | "zemestan" | "زمستان" => Season(4),
        "circa" | "ca" | "c" | "about" | "approx" | "approximately" | "around" | "حدود"
        | "حدودا" | "حدودی" | "تقریبا" | "قریب" => Approximate,
        "sh" | "ap" | "hs" | "ش" | "شمسی" | "خورشیدی" | "هجری" => {
            CalendarMarker(Calendar::SolarHijri)
        }
        "ad" | "ce" | "م" | "میلادی" => CalendarMarker(Calendar::Gregorian),
        "h" | "ه" | "st" | "nd" | "rd" | "th" | "of" | "the" | "in" | "on" | "سال" => Filler,
        _ => return None,
    };
    Some(meaning)
}

fn parse_single(
    verbatim: &str,
    normalized: &str,
    declared: Option<Calendar>,
) -> Result<Parsed, DateError> {
    let unrecognised = |reason: String| DateError::Unrecognised {
        text: verbatim.to_string(),
        reason,
    };
    let (tokens, mut is_approximate) = tokenize(normalized).map_err(unrecognised)?;
    let mut numbers: Vec<(u32, usize)> = Vec::with_capacity(3);
    let mut month_word: Option<(Calendar, u8)> = None;
    let mut season: Option<u8> = None;
    let mut declared = declared;
    let mut marker: Option<Calendar> = None;
    for token in tokens {
        match token {
            Token::Number { value, digits } => numbers.push((value, digits)),
            Token::Word(word) => match word_meaning(word) {
                Some(WordMeaning::JalaliMonth(m)) if month_word.is_none() => {
                    month_word = Some((Calendar::SolarHijri, m));
                }
                Some(WordMeaning::GregorianMonth(m)) if month_word.is_none() => {
                    month_word = Some((Calendar::Gregorian, m));
                }
                Some(WordMeaning::Season(s)) if season.is_none() => season = Some(s),
                Some(WordMeaning::Approximate) => is_approximate = true,
                Some(WordMeaning::CalendarMarker(calendar)) => marker = Some(calendar),
                Some(WordMeaning::Filler) => {}
                Some(_) => return Err(unrecognised("two month or season names".to_string())),
                None => return Err(unrecognised(format!("unknown word `{word}`"))),
            },
        }
    }
    if marker.is_some() {
        // `1367 SH`, `1988 AD`: the text's own marker outranks the source's declaration.
        declared = marker;
    }
    if numbers.is_empty() {
        return Err(unrecognised("no year".to_string()));
    }
    if month_word.is_some() && season.is_some() {
        return Err(unrecognised("both a month and a season".to_string()));
    }

    let (calendar, spec) = if let Some(season) = season {
        let [(year, 3..)] = numbers[..] else {
            return Err(unrecognised(
                "a season takes a year written in full only".to_string(),
            ));
        };
        let year = year_value(year, verbatim)?;
        (
            calendar_of_year(year, declared),
            Spec::Season { year, season },
        )
    } else if let Some((calendar, month)) = month_word {
        match numbers[..] {
            [(year, 3..)] => (
                calendar,
                Spec::Month {
                    year: year_value(year, verbatim)?,
                    month,
                },
            ),
            [(a, a_digits), (b, b_digits)] => {
                // `12 Mordad 1367`, `August 3, 1988`, `1367 Mordad 12`.
                let (day, year) = if a_digits >= 3 {
                    (b, a)
                } else if b_digits >= 3 {
                    (a, b)
                } else {
                    return Err(unrecognised(
                        "the year must be written in full (e.g. 1367, 1988)".to_string(),
                    ));
                };
                (
                    calendar,
                    Spec::Day {
                        year: year_value(year, verbatim)?,
                        month,
                        day,
                    },
                )
            }
            _ => {
                return Err(unrecognised(
                    "beside a month name write a day and a full year, or a full year".to_string(),
                ));
            }
        }
    } else {
        numeric_spec(verbatim, &numbers, declared, &unrecognised)?
    };
    // `1367 AD`, `1988 SH`: the text's own marker is obeyed even for an unlikely year.
    let calendar = match (marker, month_word) {
        (Some(marker), None) => marker,
        _ => calendar,
    };
    resolve(verbatim, calendar, spec, is_approximate)
}

/// All-number dates: `1367`, `19880803`, `1367/05`, `05/1367`, `1367/05/12`, `03/08/1988`.
fn numeric_spec(
    verbatim: &str,
    numbers: &[(u32, usize)],
    declared: Option<Calendar>,
    unrecognised: &dyn Fn(String) -> DateError,
) -> Result<(Calendar, Spec), DateError> {
    let month = |m: u32, calendar: Calendar| -> Result<u8, DateError> {
        match u8::try_from(m) {
            Ok(m @ 1..=12) => Ok(m),
            _ => Err(DateError::MonthOutOfRange {
                month: m,
                calendar: calendar_name(calendar),
                text: verbatim.to_string(),
            }),
        }
    };
    let day_spec = |year: i32, m: u32, d: u32| -> Result<(Calendar, Spec), DateError> {
        let calendar = calendar_of_year(year, declared);
        Ok((
            calendar,
            Spec::Day {
                year,
                month: month(m, calendar)?,
                day: d,
            },
        ))
    };
    match *numbers {
        [(value, 8)] => {
            // Compact `19880803` / `13670512`.
            let year = year_value(value / 10_000, verbatim)?;
            day_spec(year, (value / 100) % 100, value % 100)
        }
        [(year, 3..)] => {
            let year = year_value(year, verbatim)?;
            Ok((calendar_of_year(year, declared), Spec::Year { year }))
        }
        [(a, a_digits), (b, b_digits)] => {
            let (year, m) = if a_digits >= 3 {
                (a, b)
            } else if b_digits >= 3 {
                (b, a)
            } else {
                return Err(unrecognised(
                    "the year must be written in full (e.g. 1367, 1988)".to_string(),
                ));
            };
            let year = year_value(year, verbatim)?;
            let calendar = calendar_of_year(year, declared);
            Ok((
                calendar,
                Spec::Month {
                    year,
                    month: month(m, calendar)?,
                },
            ))
        }
        [(a, a_digits), (b, _), (c, c_digits)] => {
            if a_digits >= 3 {
                day_spec(year_value(a, verbatim)?, b, c)
            } else if c_digits >= 3 {
                let year = year_value(c, verbatim)?;
                // Day/month/year, unless only month/day/year can be right (`08/23/1988`).
                if b > 12 && (1..=12).contains(&a) {
                    day_spec(year, a, b)
                } else {
                    day_spec(year, b, a)
                }
            } else if a_digits == 2 && declared == Some(Calendar::SolarHijri) {
                // `67/05/12` in a source that declares Solar Hijri: the 1300s.
                day_spec(1300 + i32::try_from(a).unwrap_or(0), b, c)
            } else {
                Err(unrecognised(
                    "the year must be written in full (e.g. 1367, 1988)".to_string(),
                ))
            }
        }
        _ => Err(unrecognised(
            "expected a year, a year and month, or a year, month and day".to_string(),
        )),
    }
}

fn year_value(value: u32, verbatim: &str) -> Result<i32, DateError> {
    match i32::try_from(value) {
        Ok(year @ 1..=9999) => Ok(year),
        _ => Err(DateError::YearOutOfRange {
            year: i64::from(value),
            calendar: "Solar Hijri or Gregorian",
            text: verbatim.to_string(),
        }),
    }
}

/// The calendar of a year written without a month name.
fn calendar_of_year(year: i32, declared: Option<Calendar>) -> Calendar {
    match declared {
        Some(Calendar::SolarHijri) if (1200..=1499).contains(&year) => Calendar::SolarHijri,
        Some(Calendar::Gregorian) if (1800..=2199).contains(&year) => Calendar::Gregorian,
        _ if (1300..=1450).contains(&year) => Calendar::SolarHijri,
        _ => Calendar::Gregorian,
    }
}

fn calendar_name(calendar: Calendar) -> &'static str {
    match calendar {
        Calendar::SolarHijri => "Solar Hijri",
        Calendar::Gregorian => "Gregorian",
    }
}

fn month_name(calendar: Calendar, month: u8) -> &'static str {
    let index = usize::from(month.clamp(1, 12) - 1);
    match calendar {
        Calendar::SolarHijri => JALALI_MONTHS[index],
        Calendar::Gregorian => crate::calendar::GREGORIAN_MONTHS[index],
    }
}

/// The interval of a whole year in its calendar.
fn year_interval(calendar: Calendar, year: i32) -> Option<(NaiveDate, NaiveDate)> {
    match calendar {
        Calendar::SolarHijri => jalali_year_bounds(year),
        Calendar::Gregorian => Some((
            NaiveDate::from_ymd_opt(year, 1, 1)?,
            NaiveDate::from_ymd_opt(year, 12, 31)?,
        )),
    }
}

fn gregorian_months(
    year: i32,
    first: u32,
    last_year: i32,
    last: u32,
) -> Option<(NaiveDate, NaiveDate)> {
    let start = NaiveDate::from_ymd_opt(year, first, 1)?;
    let after = if last == 12 {
        NaiveDate::from_ymd_opt(last_year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(last_year, last + 1, 1)?
    };
    Some((start, after.pred_opt()?))
}

/// Checks the spec against its calendar and computes the interval and EDTF.
fn resolve(
    verbatim: &str,
    calendar: Calendar,
    spec: Spec,
    is_approximate: bool,
) -> Result<Parsed, DateError> {
    let out_of_range = |year: i32| DateError::YearOutOfRange {
        year: i64::from(year),
        calendar: calendar_name(calendar),
        text: verbatim.to_string(),
    };
    let check_day = |year: i32, month: u8, day: u32| -> Result<(), DateError> {
        let length = match calendar {
            Calendar::SolarHijri => jalali_month_length(year, month),
            Calendar::Gregorian => gregorian_months(year, u32::from(month), year, u32::from(month))
                .map(|(_, end)| end.day() as u8),
        }
        .ok_or_else(|| out_of_range(year))?;
        if day == 0 || day > u32::from(length) {
            let note = match (calendar, month) {
                (Calendar::SolarHijri, 12) if !is_jalali_leap_year(year) => " (not a leap year)",
                (Calendar::Gregorian, 2) if length == 28 => " (not a leap year)",
                _ => "",
            };
            return Err(DateError::DayOutOfRange {
                day,
                month_name: month_name(calendar, month),
                year,
                length,
                note,
                text: verbatim.to_string(),
            });
        }
        Ok(())
    };
    let suffix = if is_approximate { "~" } else { "" };
    let (precision, earliest, latest, edtf_start, edtf_end) = match (calendar, spec) {
        (_, Spec::Day { year, month, day }) => {
            check_day(year, month, day)?;
            let date = match calendar {
                Calendar::SolarHijri => {
                    jalali_to_gregorian(year, month, u8::try_from(day).unwrap_or(u8::MAX))
                }
                Calendar::Gregorian => NaiveDate::from_ymd_opt(year, u32::from(month), day),
            }
            .ok_or_else(|| out_of_range(year))?;
            let edtf = iso_day(date);
            (DatePrecision::Day, date, date, edtf.clone(), edtf)
        }
        (Calendar::Gregorian, Spec::Month { year, month }) => {
            let (start, end) = gregorian_months(year, u32::from(month), year, u32::from(month))
                .ok_or_else(|| out_of_range(year))?;
            let edtf = format!("{year:04}-{month:02}");
            (DatePrecision::Month, start, end, edtf.clone(), edtf)
        }
        (Calendar::Gregorian, Spec::Season { year, season }) => {
            let (first, last_year, last) = match season {
                1 => (3, year, 5),
                2 => (6, year, 8),
                3 => (9, year, 11),
                _ => (12, year + 1, 2),
            };
            let (start, end) =
                gregorian_months(year, first, last_year, last).ok_or_else(|| out_of_range(year))?;
            (
                DatePrecision::Season,
                start,
                end,
                format!("{year:04}-{first:02}"),
                format!("{last_year:04}-{last:02}"),
            )
        }
        (Calendar::Gregorian, Spec::Year { year }) => {
            let (start, end) = year_interval(calendar, year).ok_or_else(|| out_of_range(year))?;
            (
                DatePrecision::Year,
                start,
                end,
                format!("{year:04}"),
                format!("{year:04}"),
            )
        }
        (Calendar::SolarHijri, Spec::Month { year, month }) => {
            let (start, end) =
                jalali_months_bounds(year, month, month).ok_or_else(|| out_of_range(year))?;
            (
                DatePrecision::Month,
                start,
                end,
                iso_day(start),
                iso_day(end),
            )
        }
        (Calendar::SolarHijri, Spec::Season { year, season }) => {
            let first = (season - 1) * 3 + 1;
            let (start, end) =
                jalali_months_bounds(year, first, first + 2).ok_or_else(|| out_of_range(year))?;
            (
                DatePrecision::Season,
                start,
                end,
                iso_day(start),
                iso_day(end),
            )
        }
        (Calendar::SolarHijri, Spec::Year { year }) => {
            let (start, end) = year_interval(calendar, year).ok_or_else(|| out_of_range(year))?;
            (
                DatePrecision::Year,
                start,
                end,
                iso_day(start),
                iso_day(end),
            )
        }
    };
    let edtf = if edtf_start == edtf_end {
        format!("{edtf_start}{suffix}")
    } else {
        format!("{edtf_start}{suffix}/{edtf_end}{suffix}")
    };
    // An approximate year means "give or take a year".
    let (earliest, latest) = match (is_approximate, spec) {
        (true, Spec::Year { year }) => {
            let before = year_interval(calendar, year - 1).map_or(earliest, |(start, _)| start);
            let after = year_interval(calendar, year + 1).map_or(latest, |(_, end)| end);
            (before, after)
        }
        _ => (earliest, latest),
    };
    Ok(Parsed {
        calendar,
        precision,
        is_approximate,
        earliest,
        latest,
        edtf,
        edtf_start: format!("{edtf_start}{suffix}"),
        edtf_end: format!("{edtf_end}{suffix}"),
    })
}

fn iso_day(date: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", date.year(), date.month(), date.day())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Input, calendar, precision, interval, EDTF, description.
    type Case = (
        &'static str,
        Calendar,
        DatePrecision,
        (NaiveDate, NaiveDate),
        &'static str,
        &'static str,
    );

    fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).unwrap()
    }

    #[test]
    fn the_forms_sources_write_are_read() {
        use Calendar::{Gregorian as G, SolarHijri as SH};
        use DatePrecision::*;
        let aug3 = (ymd(1988, 8, 3), ymd(1988, 8, 3));
        let mordad = (ymd(1988, 7, 23), ymd(1988, 8, 22));
        let y1367 = (ymd(1988, 3, 21), ymd(1989, 3, 20));
        #[rustfmt::skip]
        let cases: &[Case] = &[
            ("1367/05/12", SH, Day, aug3, "1988-08-03", "Jalali with slashes"),
            ("1367-5-12", SH, Day, aug3, "1988-08-03", "Jalali with hyphens, no zeros"),
            ("12 Mordad 1367", SH, Day, aug3, "1988-08-03", "English Jalali month name"),
            ("12 Amordad 1367", SH, Day, aug3, "1988-08-03", "Amordad spelling"),
            ("۱۲ مرداد ۱۳۶۷", SH, Day, aug3, "1988-08-03", "Persian digits and month"),
            ("۱۳۶۷/۰۵/۱۲", SH, Day, aug3, "1988-08-03", "Persian digits with slashes"),
            ("١٣٦٧/٠٥/١٢", SH, Day, aug3, "1988-08-03", "Arabic-Indic digits"),
            ("1988-08-03", G, Day, aug3, "1988-08-03", "ISO"),
            ("3 Aug 1988", G, Day, aug3, "1988-08-03", "English abbreviated month"),
            ("August 3, 1988", G, Day, aug3, "1988-08-03", "American word order"),
            ("3rd of August 1988", G, Day, aug3, "1988-08-03", "ordinal day"),
            ("03/08/1988", G, Day, aug3, "1988-08-03", "day/month/year"),
            ("08/23/1988", G, Day, (ymd(1988, 8, 23), ymd(1988, 8, 23)), "1988-08-23", "month/day/year when only that fits"),
            ("19880803", G, Day, aug3, "1988-08-03", "compact Gregorian"),
            ("13670512", SH, Day, aug3, "1988-08-03", "compact Jalali"),
            ("12/05/1367", SH, Day, aug3, "1988-08-03", "Jalali day/month/year"),
            ("1367", SH, Year, y1367, "1988-03-21/1989-03-20", "bare Solar Hijri year"),
            ("1367/05", SH, Month, mordad, "1988-07-23/1988-08-22", "Jalali year/month"),
            ("Mordad 1367", SH, Month, mordad, "1988-07-23/1988-08-22", "Jalali month name and year"),
            ("مرداد ۱۳۶۷", SH, Month, mordad, "1988-07-23/1988-08-22", "Persian month and year"),
            ("آبان ۱۳۶۷", SH, Month, (ymd(1988, 10, 23), ymd(1988, 11, 21)), "1988-10-23/1988-11-21", "month spelled with alef madda"),
            ("1988", G, Year, (ymd(1988, 1, 1), ymd(1988, 12, 31)), "1988", "bare Gregorian year"),
            ("1988-08", G, Month, (ymd(1988, 8, 1), ymd(1988, 8, 31)), "1988-08", "ISO year-month"),
            ("Aug 1988", G, Month, (ymd(1988, 8, 1), ymd(1988, 8, 31)), "1988-08", "month name and year"),
            ("summer 1367", SH, Season, (ymd(1988, 6, 22), ymd(1988, 9, 22)), "1988-06-22/1988-09-22", "Jalali summer: Tir–Shahrivar"),
            ("تابستان ۱۳۶۷", SH, Season, (ymd(1988, 6, 22), ymd(1988, 9, 22)), "1988-06-22/1988-09-22", "Persian summer"),
            ("summer 1988", G, Season, (ymd(1988, 6, 1), ymd(1988, 8, 31)), "1988-06/1988-08", "Gregorian summer: Jun–Aug"),
            ("winter 1988", G, Season, (ymd(1988, 12, 1), ymd(1989, 2, 28)), "1988-12/1989-02", "Gregorian winter runs into the next year"),
            ("زمستان ۱۳۶۷", SH, Season, (ymd(1988, 12, 22), ymd(1989, 3, 20)), "1988-12-22/1989-03-20", "Jalali winter: Dey–Esfand"),
            ("1367 SH", SH, Year, y1367, "1988-03-21/1989-03-20", "explicit Solar Hijri marker"),
            ("1367/05/01 - 1367/06/31", SH, Range, (ymd(1988, 7, 23), ymd(1988, 9, 22)), "1988-07-23/1988-09-22", "range with spaced hyphen"),
            ("1988-07..1988-09", G, Range, (ymd(1988, 7, 1), ymd(1988, 9, 30)), "1988-07/1988-09", "EDTF-style range"),
            ("1988-07–1988-09", G, Range, (ymd(1988, 7, 1), ymd(1988, 9, 30)), "1988-07/1988-09", "en dash range"),
            ("Jul 1988 to Sep 1988", G, Range, (ymd(1988, 7, 1), ymd(1988, 9, 30)), "1988-07/1988-09", "range with `to`"),
            ("از ۱ مرداد ۱۳۶۷ تا ۳۱ شهریور ۱۳۶۷", SH, Range, (ymd(1988, 7, 23), ymd(1988, 9, 22)), "1988-07-23/1988-09-22", "Persian از … تا"),
            ("Mordad - Shahrivar 1367", SH, Range, (ymd(1988, 7, 23), ymd(1988, 9, 22)), "1988-07-23/1988-09-22", "first side borrows the year"),
            ("between Mordad and Shahrivar 1367", SH, Range, (ymd(1988, 7, 23), ymd(1988, 9, 22)), "1988-07-23/1988-09-22", "between … and …"),
            ("۳ اوت ۱۹۸۸", G, Day, aug3, "1988-08-03", "Persian name of a Gregorian month"),
            ("3-Aug-1988", G, Day, aug3, "1988-08-03", "hyphenated with a month name"),
            ("03.08.1988", G, Day, aug3, "1988-08-03", "dotted day.month.year"),
            ("1367/5/12 ه.ش", SH, Day, aug3, "1988-08-03", "Persian Solar Hijri marker"),
            ("on 3 August 1988", G, Day, aug3, "1988-08-03", "a leading preposition"),
            ("1367/05/01-1367/06/31", SH, Range, (ymd(1988, 7, 23), ymd(1988, 9, 22)), "1988-07-23/1988-09-22", "slashed dates joined by an unspaced hyphen"),
            ("۱۳۶۷/۰۵/۰۱ الی ۱۳۶۷/۰۶/۳۱", SH, Range, (ymd(1988, 7, 23), ymd(1988, 9, 22)), "1988-07-23/1988-09-22", "Persian الی"),
            ("1988-1989", G, Range, (ymd(1988, 1, 1), ymd(1989, 12, 31)), "1988/1989", "two years"),
        ];
        for (input, calendar, precision, (earliest, latest), edtf, description) in cases {
            let date = parse_date(input, None)
                .unwrap_or_else(|e| panic!("{description}: {input:?} failed: {e}"));
            assert_eq!(
                date.calendar, *calendar,
                "{description}: {input:?} calendar"
            );
            assert_eq!(
                date.precision, *precision,
                "{description}: {input:?} precision"
            );
            assert_eq!(
                (date.earliest, date.latest),
                (*earliest, *latest),
                "{description}: {input:?} interval"
            );
            assert_eq!(date.edtf, *edtf, "{description}: {input:?} EDTF");
            assert_eq!(date.verbatim, *input, "{description}: verbatim kept");
            assert!(!date.is_approximate, "{description}: not approximate");
        }
    }

    #[test]
    fn approximate_dates_are_flagged_and_years_widened_by_one() {
        #[rustfmt::skip]
        let cases = [
            ("circa 1367", (ymd(1987, 3, 21), ymd(1990, 3, 20)), "1988-03-21~/1989-03-20~", "circa, Jalali year ±1"),
            ("c. 1988", (ymd(1987, 1, 1), ymd(1989, 12, 31)), "1988~", "c., Gregorian year ±1"),
            ("~1988", (ymd(1987, 1, 1), ymd(1989, 12, 31)), "1988~", "tilde"),
            ("1988~", (ymd(1987, 1, 1), ymd(1989, 12, 31)), "1988~", "EDTF tilde suffix"),
            ("about 1988", (ymd(1987, 1, 1), ymd(1989, 12, 31)), "1988~", "about"),
            ("حدود ۱۳۶۷", (ymd(1987, 3, 21), ymd(1990, 3, 20)), "1988-03-21~/1989-03-20~", "Persian حدود"),
            ("circa Aug 1988", (ymd(1988, 8, 1), ymd(1988, 8, 31)), "1988-08~", "a month is flagged, not widened"),
        ];
        for (input, (earliest, latest), edtf, description) in cases {
            let date = parse_date(input, None).unwrap_or_else(|e| panic!("{description}: {e}"));
            assert!(
                date.is_approximate,
                "{description}: {input:?} is approximate"
            );
            assert_eq!(
                (date.earliest, date.latest),
                (earliest, latest),
                "{description}: {input:?}"
            );
            assert_eq!(date.edtf, edtf, "{description}: {input:?}");
        }
    }

    #[test]
    fn the_declared_calendar_decides_only_plausible_years() {
        #[rustfmt::skip]
        let cases = [
            ("1367", None, Calendar::SolarHijri, "1300–1450 is Solar Hijri by default"),
            ("1367", Some(Calendar::Gregorian), Calendar::SolarHijri, "1367 CE is not plausible for a Gregorian source"),
            ("1988", Some(Calendar::SolarHijri), Calendar::Gregorian, "1988 SH is 2609 CE: the year decides"),
            ("1299", None, Calendar::Gregorian, "1299 is below the default Solar Hijri window"),
            ("1299", Some(Calendar::SolarHijri), Calendar::SolarHijri, "a declared Solar Hijri source reaches back to 1200"),
            ("1460/01/01", Some(Calendar::SolarHijri), Calendar::SolarHijri, "declared decides 1460"),
            ("1460/01/01", None, Calendar::Gregorian, "1460 is Gregorian by default"),
            ("67/05/12", Some(Calendar::SolarHijri), Calendar::SolarHijri, "two-digit years in a declared Solar Hijri source are the 1300s"),
            ("12 Mordad 1367", Some(Calendar::Gregorian), Calendar::SolarHijri, "a month name outranks the declaration"),
            ("1367 AD", None, Calendar::Gregorian, "an explicit AD marker"),
        ];
        for (input, declared, expected, description) in cases {
            let date = parse_date(input, declared).unwrap_or_else(|e| panic!("{description}: {e}"));
            assert_eq!(
                date.calendar, expected,
                "{description}: {input:?} declared {declared:?}"
            );
        }
    }

    #[test]
    fn impossible_dates_are_errors_that_say_why() {
        #[rustfmt::skip]
        let cases = [
            ("1367/13/40", "month 13 does not exist in the Solar Hijri calendar (1–12): `1367/13/40`", "month 13"),
            ("30 Esfand 1367", "day 30 does not exist in Esfand 1367, which has 29 days (not a leap year): `30 Esfand 1367`", "30 Esfand in a common year"),
            ("31 Mehr 1367", "day 31 does not exist in Mehr 1367, which has 30 days: `31 Mehr 1367`", "31 Mehr"),
            ("1988-02-30", "day 30 does not exist in February 1988, which has 29 days: `1988-02-30`", "30 February"),
            ("1989-02-29", "day 29 does not exist in February 1989, which has 28 days (not a leap year): `1989-02-29`", "29 February in a common year"),
            ("0000", "year 0 does not exist in the Solar Hijri or Gregorian calendar (1–9999): `0000`", "year 0"),
            ("1367/05/00", "day 0 does not exist in Mordad 1367, which has 31 days: `1367/05/00`", "day 0"),
        ];
        for (input, message, description) in cases {
            let error = parse_date(input, None).expect_err(description);
            assert_eq!(error.to_string(), message, "{description}");
        }
        #[rustfmt::skip]
        let rejected = [
            ("", "empty"),
            ("   ", "blank"),
            ("yesterday", "an unknown word"),
            ("12/05", "no full year"),
            ("12 Mordad", "a month name without a year"),
            ("summer 67", "a season with a short year"),
            ("1367/05/12/3", "four numbers"),
            ("1367 - 1360", "a reversed range"),
            ("12 Mordad Aug 1367", "two month names"),
            ("summer Aug 1988", "a season and a month"),
            ("1988 @", "a stray character"),
            ("99999999999", "a number too long"),
        ];
        for (input, description) in rejected {
            let error = parse_date(input, None).expect_err(description);
            assert!(!error.to_string().is_empty(), "{description}");
        }
        assert!(parse_date("30 Esfand 1366", None).is_ok(), "1366 is leap");
    }

    #[test]
    fn unknown_forms_name_the_accepted_ones() {
        let message = parse_date("yesterday", None).unwrap_err().to_string();
        assert!(message.contains("unknown word `yesterday`"), "{message}");
        assert!(message.contains("1367/05/12"), "{message}");
    }

    #[test]
    fn birth_years_come_from_years_and_dates() {
        #[rustfmt::skip]
        let cases = [
            ("1340", None, (1961, 1962), "a Solar Hijri year spans two Gregorian years"),
            ("۱۳۴۰", None, (1961, 1962), "Persian digits"),
            ("1961", None, (1961, 1961), "a Gregorian year"),
            ("circa 1961", None, (1960, 1962), "circa widens by a year"),
            ("c. 1340", None, (1960, 1963), "circa on a Solar Hijri year"),
            ("1340/01/15", None, (1961, 1961), "a full Jalali date"),
            ("1340/11/15", None, (1962, 1962), "Bahman falls in the next Gregorian year"),
        ];
        for (input, declared, (earliest, latest), description) in cases {
            let years =
                parse_birth_year(input, declared).unwrap_or_else(|e| panic!("{description}: {e}"));
            assert_eq!(
                (years.earliest, years.latest),
                (earliest, latest),
                "{description}: {input:?}"
            );
        }
        assert!(parse_birth_year("sixty", None).is_err());
    }

    #[test]
    fn ages_are_whole_years_from_0_to_130() {
        #[rustfmt::skip]
        let accepted = [
            ("25", 25),
            ("۲۵", 25),
            ("٢٥", 25),
            (" 30 ", 30),
            ("25 years", 25),
            ("۲۵ ساله", 25),
            ("0", 0),
            ("130", 130),
        ];
        for (input, expected) in accepted {
            assert_eq!(parse_age(input), Ok(expected), "{input:?}");
        }
        #[rustfmt::skip]
        let rejected = [
            ("-3", "is negative"),
            ("131", "more than 130"),
            ("4000000000000", "more than 130"),
            ("twenty", "not a whole number"),
            ("25.5", "not a whole number"),
            ("", "empty"),
        ];
        for (input, reason) in rejected {
            let error = parse_age(input).expect_err(input).to_string();
            assert!(error.contains(reason), "{input:?}: {error}");
        }
    }

    #[test]
    fn an_age_at_a_date_gives_two_possible_birth_years() {
        let execution = parse_date("12 Mordad 1367", None).unwrap();
        let years = birth_years_from_age(25, &execution);
        assert_eq!((years.earliest, years.latest), (1962, 1963));
        let summer = parse_date("summer 1367", None).unwrap();
        let years = birth_years_from_age(30, &summer);
        assert_eq!((years.earliest, years.latest), (1957, 1958));
    }

    #[test]
    fn dates_are_written_back_in_both_calendars() {
        #[rustfmt::skip]
        let cases = [
            ("1367/05/12", "3 Aug 1988", "12 Mordad 1367", "۱۲ مرداد ۱۳۶۷"),
            ("Aug 1988", "Aug 1988", "10 Mordad 1367 – 9 Shahrivar 1367", "۱۰ مرداد ۱۳۶۷ – ۹ شهریور ۱۳۶۷"),
            ("1988", "1988", "11 Dey 1366 – 10 Dey 1367", "۱۱ دی ۱۳۶۶ – ۱۰ دی ۱۳۶۷"),
            ("Mordad 1367", "23 Jul – 22 Aug 1988", "Mordad 1367", "مرداد ۱۳۶۷"),
            ("1367", "21 Mar 1988 – 20 Mar 1989", "1367", "۱۳۶۷"),
            ("1988-07..1988-09", "Jul–Sep 1988", "10 Tir 1367 – 8 Mehr 1367", "۱۰ تیر ۱۳۶۷ – ۸ مهر ۱۳۶۷"),
            ("Mordad - Shahrivar 1367", "23 Jul – 22 Sep 1988", "Mordad–Shahrivar 1367", "مرداد–شهریور ۱۳۶۷"),
            ("winter 1988", "Dec 1988–Feb 1989", "10 Azar 1367 – 9 Esfand 1367", "۱۰ آذر ۱۳۶۷ – ۹ اسفند ۱۳۶۷"),
            ("circa 1988", "c. 1988", "c. 11 Dey 1366 – 10 Dey 1367", "حدود ۱۱ دی ۱۳۶۶ – ۱۰ دی ۱۳۶۷"),
            ("حدود ۱۳۶۷", "c. 21 Mar 1988 – 20 Mar 1989", "c. 1367", "حدود ۱۳۶۷"),
        ];
        for (input, gregorian, jalali, persian) in cases {
            let date = parse_date(input, None).unwrap();
            assert_eq!(format_gregorian(&date), gregorian, "{input:?} in Gregorian");
            assert_eq!(
                format_jalali(&date, Language::English),
                jalali,
                "{input:?} in Jalali"
            );
            assert_eq!(
                format_jalali(&date, Language::Persian),
                persian,
                "{input:?} in Persian"
            );
        }
    }

    proptest! {
        #[test]
        fn the_parser_never_panics(text in "\\PC{0,40}") {
            if let Ok(date) = parse_date(&text, None) {
                prop_assert!(date.earliest <= date.latest, "{:?} gave {:?}", text, date);
            }
            let _ = parse_date(&text, Some(Calendar::SolarHijri));
            let _ = parse_birth_year(&text, Some(Calendar::Gregorian));
            let _ = parse_age(&text);
        }

        #[test]
        fn date_like_text_never_panics_and_intervals_are_ordered(
            text in "(circa |~|حدود )?[0-9۰-۹]{1,4}([/ .-][0-9۰-۹]{1,4}){0,2}( (mordad|aug|summer|تابستان|esfand))?( - [0-9]{1,4}(/[0-9]{1,2}){0,2})?",
            declared in prop::option::of(prop_oneof![Just(Calendar::SolarHijri), Just(Calendar::Gregorian)]),
        ) {
            if let Ok(date) = parse_date(&text, declared) {
                prop_assert!(date.earliest <= date.latest, "{:?} gave {:?}", text, date);
                prop_assert!(!date.edtf.is_empty());
            }
        }

        #[test]
        fn formatted_days_read_back_as_the_same_day(days in 0_i64..60_000) {
            let day = ymd(1900, 1, 1) + chrono::Duration::days(days);
            let date = parse_date(&iso_day(day), None).unwrap();
            prop_assert_eq!(date.earliest, day);
            for written in [
                format_gregorian(&date),
                format_jalali(&date, Language::English),
                format_jalali(&date, Language::Persian),
            ] {
                let back = parse_date(&written, None).unwrap();
                prop_assert_eq!((back.earliest, back.latest), (day, day), "{}", written);
                prop_assert_eq!(back.precision, DatePrecision::Day);
            }
        }
    }
}
