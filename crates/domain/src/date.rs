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
}

/// A birth year known only as an interval, e.g. from an age at a reference date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BirthYearInterval {
    /// The earliest Gregorian birth year.
    pub earliest: i32,
    /// The latest Gregorian birth year.
    pub latest: i32,
}
