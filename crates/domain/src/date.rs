//! The uncertain date: what a source wrote, kept verbatim, plus the Gregorian interval it
//! can mean. Parsing from text lives in `text::dates`; this module only holds the result.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The calendar a date was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Calendar {
    /// The Solar Hijri (Jalali) calendar used in Iran.
    SolarHijri,
    /// The Gregorian calendar.
    Gregorian,
}

impl Calendar {
    /// The stored code: `solar_hijri` or `gregorian`.
    pub fn as_str(self) -> &'static str {
        match self {
            Calendar::SolarHijri => "solar_hijri",
            Calendar::Gregorian => "gregorian",
        }
    }

    /// Reads a stored code or a common name (`jalali`, `sh`, `shamsi`, `gregorian`, `ad`).
    pub fn parse(text: &str) -> Option<Calendar> {
        match text.trim().to_lowercase().as_str() {
            "solar_hijri" | "solar-hijri" | "sh" | "jalali" | "shamsi" | "persian" => {
                Some(Calendar::SolarHijri)
            }
            "gregorian" | "ad" | "ce" | "miladi" => Some(Calendar::Gregorian),
            _ => None,
        }
    }
}

/// How much of a date the source gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DatePrecision {
    /// A day.
    Day,
    /// A month.
    Month,
    /// A season (three months of the source's calendar).
    Season,
    /// A year.
    Year,
    /// A range between two dates given by the source.
    Range,
}

impl DatePrecision {
    /// The stored code.
    pub fn as_str(self) -> &'static str {
        match self {
            DatePrecision::Day => "day",
            DatePrecision::Month => "month",
            DatePrecision::Season => "season",
            DatePrecision::Year => "year",
            DatePrecision::Range => "range",
        }
    }
}

/// A date as a source gives it: the verbatim text, the calendar it was read in, an EDTF
/// string in the Gregorian calendar, and the Gregorian interval `[earliest, latest]` it can
/// mean. `earliest <= latest` always holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UncertainDate {
    /// The text exactly as the source wrote it.
    pub verbatim: String,
    /// The calendar the text was read in.
    pub calendar: Calendar,
    /// How much of the date was given.
    pub precision: DatePrecision,
    /// Whether the source marked it as approximate (`circa`, `~`, `حدود`).
    pub is_approximate: bool,
    /// Extended Date/Time Format (ISO 8601-2) string of the interval, in Gregorian terms.
    pub edtf: String,
    /// The first day the date can mean.
    pub earliest: NaiveDate,
    /// The last day the date can mean.
    pub latest: NaiveDate,
}

impl UncertainDate {
    /// Whether two dates can mean a common day.
    pub fn overlaps(&self, other: &UncertainDate) -> bool {
        self.earliest <= other.latest && other.earliest <= self.latest
    }

    /// The Gregorian month the date falls in, as `YYYY-MM`: the month holding the middle of
    /// its interval, so that a Solar Hijri month, which spans two Gregorian ones, goes where
    /// most of its days are (Mordad 1367, 23 July to 22 August 1988, is `1988-08`). None when
    /// the interval is longer than a month (a date known to its season or year only).
    pub fn month(&self) -> Option<String> {
        (self.span_days() < LONGEST_MONTH_DAYS).then(|| self.middle().format("%Y-%m").to_string())
    }

    /// The Gregorian year the date falls in: the year holding the middle of its interval
    /// (Dey 1367 is mostly January 1989). None when the interval is longer than a year.
    pub fn year(&self) -> Option<i32> {
        (self.span_days() < LONGEST_YEAR_DAYS).then(|| chrono::Datelike::year(&self.middle()))
    }

    fn span_days(&self) -> i64 {
        (self.latest - self.earliest).num_days()
    }

    fn middle(&self) -> NaiveDate {
        self.earliest + chrono::Days::new(self.span_days().unsigned_abs() / 2)
    }
}

/// The most days a month of either calendar has.
const LONGEST_MONTH_DAYS: i64 = 31;

/// The most days a year of either calendar has.
const LONGEST_YEAR_DAYS: i64 = 366;

/// A birth year known only as an interval, e.g. from an age at a reference date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BirthYearInterval {
    /// The earliest Gregorian birth year.
    pub earliest: i32,
    /// The latest Gregorian birth year.
    pub latest: i32,
}

#[cfg(test)]
pub(crate) mod tests {
    use super::{Calendar, DatePrecision, UncertainDate};
    use chrono::NaiveDate;

    /// A date whose interval runs between two Gregorian days, for tests.
    pub(crate) fn between(earliest: (i32, u32, u32), latest: (i32, u32, u32)) -> UncertainDate {
        let day = |(y, m, d)| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        UncertainDate {
            verbatim: String::new(),
            calendar: Calendar::SolarHijri,
            precision: DatePrecision::Range,
            is_approximate: false,
            edtf: String::new(),
            earliest: day(earliest),
            latest: day(latest),
        }
    }

    #[test]
    fn a_date_falls_in_the_year_of_its_middle_and_none_past_a_year() {
        // Dey 1367 (22 December 1988 to 20 January 1989), the year 1367 (a leap year, 366
        // days), the Gregorian leap year 1988, and two years.
        assert_eq!(between((1988, 12, 22), (1989, 1, 20)).year(), Some(1989));
        assert_eq!(
            between((1988, 12, 22), (1989, 1, 20)).month().as_deref(),
            Some("1989-01")
        );
        assert_eq!(between((1988, 3, 20), (1989, 3, 20)).year(), Some(1988));
        assert_eq!(between((1988, 1, 1), (1988, 12, 31)).year(), Some(1988));
        assert_eq!(between((1988, 1, 1), (1989, 12, 31)).year(), None);
    }
}
