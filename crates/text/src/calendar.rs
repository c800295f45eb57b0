//! Conversion between the Solar Hijri (Jalali) and Gregorian calendars.
//!
//! This module owns the arithmetic of the two calendars: which Jalali days exist, how long a
//! month is, which years are leap years, and the day-for-day mapping to Gregorian dates. The
//! conversion itself is delegated to `icu_calendar`'s Persian calendar (ICU4X), so that we
//! agree with the calendar software the rest of the world uses. Reading dates out of text is
//! left to [`crate::dates`].
//!
//! Jalali years before 1 SH (622 CE) are refused: the calendar does not reach back there and
//! no source of ours writes such a year.

use chrono::{Datelike, NaiveDate};
use icu_calendar::Date;
use icu_calendar::cal::Persian;
use icu_calendar::types::RataDie;
use std::fmt;

/// The English names of the twelve Jalali months, Farvardin first.
pub const JALALI_MONTHS: [&str; 12] = [
    "Farvardin",
    "Ordibehesht",
    "Khordad",
    "Tir",
    "Mordad",
    "Shahrivar",
    "Mehr",
    "Aban",
    "Azar",
    "Dey",
    "Bahman",
    "Esfand",
];

/// The Persian names of the twelve Jalali months, فروردین first.
pub const JALALI_MONTHS_PERSIAN: [&str; 12] = [
    "فروردین",
    "اردیبهشت",
    "خرداد",
    "تیر",
    "مرداد",
    "شهریور",
    "مهر",
    "آبان",
    "آذر",
    "دی",
    "بهمن",
    "اسفند",
];

/// The English abbreviations of the Gregorian months, January first.
pub const GREGORIAN_MONTHS_SHORT: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// The English names of the Gregorian months, January first.
pub const GREGORIAN_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A day of the Solar Hijri calendar. `month` is 1–12 (Farvardin = 1), `day` is 1–31.
///
/// Holding one does not prove the day exists; build it through [`JalaliDate::parse_parts`]
/// or [`gregorian_to_jalali`] when that matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct JalaliDate {
    /// The Solar Hijri year, e.g. 1367.
    pub year: i32,
    /// The month, 1 (Farvardin) to 12 (Esfand).
    pub month: u8,
    /// The day of the month, 1 to 31.
    pub day: u8,
}

impl JalaliDate {
    /// The day, if it exists in the Solar Hijri calendar (`None` for 1367/13/40 or for
    /// 30 Esfand in a common year).
    pub fn parse_parts(year: i32, month: u8, day: u8) -> Option<JalaliDate> {
        jalali_to_gregorian(year, month, day).map(|_| JalaliDate { year, month, day })
    }

    /// The Gregorian day this is, or `None` if it does not exist.
    pub fn to_gregorian(self) -> Option<NaiveDate> {
        jalali_to_gregorian(self.year, self.month, self.day)
    }
}

impl fmt::Display for JalaliDate {
    /// Writes `1367/05/12`, the order Iranian documents use.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{:02}/{:02}", self.year, self.month, self.day)
    }
}

/// The Gregorian day of a Jalali date, or `None` when that day does not exist
/// (month outside 1–12, a day past the month's end such as 31 Mehr or 30 Esfand in a
/// common year, or a year before 1 SH).
///
/// ```
/// use chrono::NaiveDate;
/// assert_eq!(text::calendar::jalali_to_gregorian(1367, 5, 1), NaiveDate::from_ymd_opt(1988, 7, 23));
/// assert_eq!(text::calendar::jalali_to_gregorian(1367, 13, 40), None);
/// ```
pub fn jalali_to_gregorian(year: i32, month: u8, day: u8) -> Option<NaiveDate> {
    if year < 1 {
        return None;
    }
    let date = Date::try_new_persian(year, month, day).ok()?;
    let days_from_ce = i32::try_from(date.to_rata_die().to_i64_date()).ok()?;
    // RataDie 1 and chrono's day 1 are both 1 January 1 CE (proleptic Gregorian).
    NaiveDate::from_num_days_from_ce_opt(days_from_ce)
}

/// The Jalali day of a Gregorian date. Total: every Gregorian day has one (dates before
/// 622 CE give years below 1, which the rest of this crate never produces).
pub fn gregorian_to_jalali(date: NaiveDate) -> JalaliDate {
    let rata_die = RataDie::new(i64::from(date.num_days_from_ce()));
    let persian = Date::from_rata_die(rata_die, Persian);
    JalaliDate {
        year: persian.year().extended_year(),
        month: persian.month().ordinal,
        day: persian.day_of_month().0,
    }
}

/// The number of days in a Jalali month (31, 30, 29 or 30 for Esfand), or `None` for a
/// month outside 1–12 or a year before 1 SH.
pub fn jalali_month_length(year: i32, month: u8) -> Option<u8> {
    if year < 1 {
        return None;
    }
    Date::try_new_persian(year, month, 1)
        .ok()
        .map(|date| date.days_in_month())
}

/// Whether Esfand of this Solar Hijri year has 30 days. Years before 1 SH are not leap.
pub fn is_jalali_leap_year(year: i32) -> bool {
    jalali_month_length(year, 12) == Some(30)
}

/// The first and last Gregorian days of a Jalali month, or `None` if it does not exist.
pub fn jalali_month_bounds(year: i32, month: u8) -> Option<(NaiveDate, NaiveDate)> {
    let length = jalali_month_length(year, month)?;
    Some((
        jalali_to_gregorian(year, month, 1)?,
        jalali_to_gregorian(year, month, length)?,
    ))
}

/// The first and last Gregorian days of a run of Jalali months `first..=last` in one year
/// (a season is three), or `None` if either month does not exist.
pub fn jalali_months_bounds(year: i32, first: u8, last: u8) -> Option<(NaiveDate, NaiveDate)> {
    if first > last {
        return None;
    }
    let (start, _) = jalali_month_bounds(year, first)?;
    let (_, end) = jalali_month_bounds(year, last)?;
    Some((start, end))
}

/// The first and last Gregorian days of a Jalali year: Nowruz to the last day of Esfand.
pub fn jalali_year_bounds(year: i32) -> Option<(NaiveDate, NaiveDate)> {
    jalali_months_bounds(year, 1, 12)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).unwrap()
    }

    #[test]
    fn known_anchors_convert_both_ways() {
        let anchors = [
            (
                (1367, 5, 1),
                ymd(1988, 7, 23),
                "1 Mordad 1367 is 23 July 1988",
            ),
            (
                (1403, 1, 1),
                ymd(2024, 3, 20),
                "Nowruz 1403 is 20 March 2024",
            ),
            (
                (1367, 1, 1),
                ymd(1988, 3, 21),
                "Nowruz 1367 is 21 March 1988",
            ),
            (
                (1367, 5, 12),
                ymd(1988, 8, 3),
                "12 Mordad 1367 is 3 August 1988",
            ),
            (
                (1367, 12, 29),
                ymd(1989, 3, 20),
                "the last day of 1367 is 20 March 1989",
            ),
            (
                (1357, 11, 22),
                ymd(1979, 2, 11),
                "22 Bahman 1357 is 11 February 1979",
            ),
            (
                (1399, 6, 13),
                ymd(2020, 9, 3),
                "13 Shahrivar 1399 is 3 September 2020",
            ),
            (
                (1300, 1, 1),
                ymd(1921, 3, 21),
                "Nowruz 1300 is 21 March 1921",
            ),
            (
                (1301, 1, 1),
                ymd(1922, 3, 22),
                "Nowruz 1301 is 22 March 1922",
            ),
        ];
        for ((year, month, day), gregorian, description) in anchors {
            assert_eq!(
                jalali_to_gregorian(year, month, day),
                Some(gregorian),
                "{description}"
            );
            assert_eq!(
                gregorian_to_jalali(gregorian),
                JalaliDate { year, month, day },
                "{description} (back)"
            );
        }
    }

    #[test]
    fn every_day_from_1300_to_1450_round_trips_and_follows_the_previous_one() {
        let mut previous: Option<NaiveDate> = None;
        let mut days = 0_u32;
        for year in 1300..=1450 {
            for month in 1..=12_u8 {
                let length = jalali_month_length(year, month).unwrap();
                for day in 1..=length {
                    let gregorian = jalali_to_gregorian(year, month, day)
                        .unwrap_or_else(|| panic!("{year}/{month}/{day} should exist"));
                    assert_eq!(
                        gregorian_to_jalali(gregorian),
                        JalaliDate { year, month, day },
                        "{year}/{month}/{day} round trips through {gregorian}"
                    );
                    if let Some(previous) = previous {
                        assert_eq!(
                            previous.succ_opt(),
                            Some(gregorian),
                            "{year}/{month}/{day} is the day after the previous Jalali day"
                        );
                    }
                    previous = Some(gregorian);
                    days += 1;
                }
                assert_eq!(
                    jalali_to_gregorian(year, month, length + 1),
                    None,
                    "day {} of {year}/{month} does not exist",
                    length + 1
                );
            }
        }
        // 151 years of 365 or 366 days.
        assert!(
            (151 * 365..=151 * 366).contains(&days),
            "counted {days} days"
        );
    }

    #[test]
    fn month_lengths_follow_the_glossary() {
        for year in 1300..=1450 {
            for month in 1..=6 {
                assert_eq!(jalali_month_length(year, month), Some(31), "{year}/{month}");
            }
            for month in 7..=11 {
                assert_eq!(jalali_month_length(year, month), Some(30), "{year}/{month}");
            }
            let esfand = if is_jalali_leap_year(year) { 30 } else { 29 };
            assert_eq!(jalali_month_length(year, 12), Some(esfand), "{year}/12");
        }
    }

    #[test]
    fn nowruz_falls_between_the_19th_and_22nd_of_march_from_1300_to_1450() {
        // The glossary's "20 or 21 March" holds for today's years; before 1930 the
        // Gregorian calendar's skipped leap day of 1900 puts some Nowruz on 22 March
        // (1 Farvardin 1301 = 22 March 1922).
        for year in 1300..=1450 {
            let nowruz = jalali_to_gregorian(year, 1, 1).unwrap();
            assert_eq!(nowruz.year(), year + 621, "Nowruz {year}");
            assert_eq!(nowruz.month(), 3, "Nowruz {year}");
            assert!(
                (19..=22).contains(&nowruz.day()),
                "Nowruz {year} fell on {nowruz}"
            );
        }
    }

    #[test]
    fn leap_years_are_the_known_ones() {
        let cases = [
            (1367, false, "1367 is common (the 1988 killings' year)"),
            (1366, true, "1366 is leap"),
            (1370, true, "1370 is leap"),
            (1399, true, "1399 is leap"),
            (1403, true, "1403 is leap"),
            (1400, false, "1400 is common"),
            (1404, false, "1404 is common"),
        ];
        for (year, expected, description) in cases {
            assert_eq!(is_jalali_leap_year(year), expected, "{description}");
        }
    }

    #[test]
    fn impossible_days_do_not_exist() {
        let cases = [
            (1367, 13, 40, "month 13"),
            (1367, 0, 1, "month 0"),
            (1367, 12, 30, "30 Esfand in a common year"),
            (1367, 7, 31, "31 Mehr"),
            (1367, 1, 32, "32 Farvardin"),
            (1367, 5, 0, "day 0"),
            (0, 1, 1, "year 0"),
            (-5, 1, 1, "a negative year"),
        ];
        for (year, month, day, description) in cases {
            assert_eq!(jalali_to_gregorian(year, month, day), None, "{description}");
        }
        assert!(
            jalali_to_gregorian(1366, 12, 30).is_some(),
            "30 Esfand 1366 (leap) exists"
        );
    }

    #[test]
    fn a_jalali_year_spans_two_gregorian_years() {
        assert_eq!(
            jalali_year_bounds(1367),
            Some((ymd(1988, 3, 21), ymd(1989, 3, 20)))
        );
        assert_eq!(
            jalali_months_bounds(1367, 5, 6),
            Some((ymd(1988, 7, 23), ymd(1988, 9, 22))),
            "Mordad–Shahrivar 1367"
        );
        assert_eq!(jalali_months_bounds(1367, 6, 5), None, "reversed months");
    }

    #[test]
    fn jalali_dates_display_as_sources_write_them() {
        assert_eq!(
            JalaliDate {
                year: 1367,
                month: 5,
                day: 12
            }
            .to_string(),
            "1367/05/12"
        );
        assert_eq!(JalaliDate::parse_parts(1367, 12, 30), None);
    }
}
