//! The days the generator draws from (1 Farvardin 1310 to the end of 1370 SH), each in both
//! calendars, converted once at start-up with `text::calendar` so that the hot loop only
//! indexes a table. The conversion itself belongs to the `text` crate.

use crate::SynthError;
use chrono::NaiveDate;
use text::calendar::{JalaliDate, jalali_month_length, jalali_to_gregorian};

/// The first Solar Hijri year in the table.
pub(crate) const FIRST_YEAR: i32 = 1310;
/// The last Solar Hijri year in the table.
pub(crate) const LAST_YEAR: i32 = 1370;

/// One day in both calendars.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Day {
    /// The Solar Hijri date.
    pub jalali: JalaliDate,
    /// The same day in the Gregorian calendar.
    pub gregorian: NaiveDate,
}

/// Every day from [`FIRST_YEAR`] to [`LAST_YEAR`], in order; a day is its index here.
#[derive(Debug, Clone)]
pub(crate) struct Days {
    days: Vec<Day>,
    /// Index of 1 Farvardin of each year, from [`FIRST_YEAR`].
    year_starts: Vec<u32>,
}

impl Days {
    /// Converts every day of the range once.
    pub fn build() -> Result<Days, SynthError> {
        let mut days = Vec::with_capacity(22_500);
        let mut year_starts = Vec::new();
        for year in FIRST_YEAR..=LAST_YEAR {
            year_starts.push(days.len() as u32);
            for month in 1..=12u8 {
                let length = jalali_month_length(year, month).ok_or(SynthError::Calendar {
                    year,
                    month,
                    day: 1,
                })?;
                for day in 1..=length {
                    let gregorian = jalali_to_gregorian(year, month, day)
                        .ok_or(SynthError::Calendar { year, month, day })?;
                    days.push(Day {
                        jalali: JalaliDate { year, month, day },
                        gregorian,
                    });
                }
            }
        }
        Ok(Days { days, year_starts })
    }

    /// The day at an index.
    pub fn get(&self, index: u32) -> Day {
        self.days[index as usize]
    }

    /// The index of a Jalali day inside the table (the day is clamped to the month's end and
    /// the year to the table's range).
    pub fn index_of(&self, year: i32, month: u8, day: u8) -> u32 {
        let year = year.clamp(FIRST_YEAR, LAST_YEAR);
        let start = self.year_starts[(year - FIRST_YEAR) as usize];
        let month = month.clamp(1, 12);
        let before: u32 = (1..month).map(|m| if m <= 6 { 31 } else { 30 }).sum();
        let length = if month <= 6 { 31 } else { 30 };
        start + before + u32::from(day.clamp(1, length)) - 1
    }

    /// The index of the first day of a Jalali year.
    pub fn year_start(&self, year: i32) -> u32 {
        self.index_of(year, 1, 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_of_mordad_1367_is_the_23rd_of_july_1988() -> Result<(), SynthError> {
        let days = Days::build()?;
        let day = days.get(days.index_of(1367, 5, 1));
        assert_eq!(
            day.jalali,
            JalaliDate {
                year: 1367,
                month: 5,
                day: 1
            }
        );
        assert_eq!(day.gregorian.to_string(), "1988-07-23");
        Ok(())
    }

    #[test]
    fn consecutive_indexes_are_consecutive_days() -> Result<(), SynthError> {
        let days = Days::build()?;
        let start = days.year_start(1340);
        for index in start..start + 800 {
            let next = days.get(index + 1).gregorian;
            assert_eq!(next - days.get(index).gregorian, chrono::TimeDelta::days(1));
        }
        Ok(())
    }
}
