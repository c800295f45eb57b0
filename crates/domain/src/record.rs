//! Source records: one row of a source exactly as received, plus what was parsed from it.

use crate::date::{BirthYearInterval, UncertainDate};
use crate::fields::CanonicalField;
use crate::sex::Sex;
use serde::{Deserialize, Serialize};

/// A value parsed from one canonical field of a row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FieldValue {
    /// Free text (names, places, identifiers), trimmed, as written.
    Text {
        /// The text.
        text: String,
    },
    /// A date with its interval.
    Date {
        /// The parsed date.
        date: UncertainDate,
    },
    /// A birth year interval (from `birth_year`, or from `age` at a reference date).
    Years {
        /// The interval.
        years: BirthYearInterval,
        /// The text as written.
        verbatim: String,
    },
    /// An age in whole years.
    Age {
        /// The age.
        years: u16,
    },
    /// A sex value.
    Sex {
        /// The sex.
        sex: Sex,
    },
}

impl FieldValue {
    /// The value as one line of text for display and export: dates and years keep the
    /// source's own text; the rest their canonical form.
    pub fn display_text(&self) -> String {
        match self {
            FieldValue::Text { text } => text.clone(),
            FieldValue::Date { date } => date.verbatim.clone(),
            FieldValue::Years { verbatim, .. } => verbatim.clone(),
            FieldValue::Age { years } => years.to_string(),
            FieldValue::Sex { sex } => sex.as_str().to_string(),
        }
    }

    /// The stratum this value puts a person in when estimates go by its field, in terms that
    /// meet across calendars. A date goes by its Gregorian month ([`UncertainDate::month`]:
    /// the month holding the middle of its interval, none past a month). A birth year goes by
    /// the decade holding the middle of its Gregorian interval, rounded down (`1960s`; the
    /// Solar Hijri year 1348, 1969–1970, is mostly 1969), and has none when the interval spans
    /// more than five years. An age goes by ten-year band (`20–29`). Anything else is its text.
    pub fn stratum(&self) -> Option<String> {
        match self {
            FieldValue::Date { date } => date.month(),
            FieldValue::Years { years, .. } => (years.latest - years.earliest < WIDEST_BIRTH_YEARS)
                .then(|| {
                    let middle = (years.earliest + years.latest).div_euclid(2);
                    format!("{}s", middle - middle.rem_euclid(YEARS_PER_BAND))
                }),
            FieldValue::Age { years } => {
                let band = years - years % YEARS_PER_BAND as u16;
                Some(format!("{band}–{}", band + YEARS_PER_BAND as u16 - 1))
            }
            other => Some(other.display_text()),
        }
    }
}

/// The most years a birth year's interval may span and still be given a decade: a Solar Hijri
/// year spans two, `circa 1340` four (1960–1963).
const WIDEST_BIRTH_YEARS: i32 = 5;

/// Years in a stratum of birth years or ages.
const YEARS_PER_BAND: i32 = 10;

/// One cell of the row as read: the column header and the text in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawCell {
    /// The column's header in the file.
    pub column: String,
    /// The cell's text after decoding, untouched otherwise.
    pub value: String,
}

/// A row read from a file, about to become an immutable source record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewSourceRecord {
    /// The source's own identifier of the row, if it has one.
    pub external_id: Option<String>,
    /// The row's number in the file (1 is the first data row after the header).
    pub row_number: u64,
    /// The decoded row as one line of text, exactly as it stood in the file.
    pub raw_text: String,
    /// Every cell's text in file column order, including columns mapped onto no field (the
    /// column names are held once per import, not per row).
    pub raw_values: Vec<String>,
    /// The canonical fields parsed from the row, in `CanonicalField::ALL` order.
    pub fields: Vec<(CanonicalField, FieldValue)>,
    /// Problems that did not stop the row from being kept.
    pub warnings: Vec<String>,
}

impl NewSourceRecord {
    /// The parsed value of a field, if the row has one.
    pub fn field(&self, field: CanonicalField) -> Option<&FieldValue> {
        self.fields
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, v)| v)
    }
}

#[cfg(test)]
mod tests {
    use super::FieldValue;
    use crate::date::BirthYearInterval;
    use crate::date::tests::between;

    fn date(earliest: (i32, u32, u32), latest: (i32, u32, u32)) -> FieldValue {
        FieldValue::Date {
            date: between(earliest, latest),
        }
    }

    fn years(earliest: i32, latest: i32) -> FieldValue {
        FieldValue::Years {
            years: BirthYearInterval { earliest, latest },
            verbatim: String::new(),
        }
    }

    #[test]
    fn dates_go_by_the_gregorian_month_of_their_middle_and_longer_ones_by_none() {
        // A day, Mordad 1367 (23 July to 22 August 1988), Esfand 1366 (29 days).
        assert_eq!(
            date((1988, 7, 25), (1988, 7, 25)).stratum().unwrap(),
            "1988-07"
        );
        assert_eq!(
            date((1988, 7, 23), (1988, 8, 22)).stratum().unwrap(),
            "1988-08"
        );
        assert_eq!(
            date((1988, 2, 20), (1988, 3, 19)).stratum().unwrap(),
            "1988-03"
        );
        // A season and a year have no month.
        assert_eq!(date((1988, 6, 21), (1988, 9, 22)).stratum(), None);
        assert_eq!(date((1988, 3, 20), (1989, 3, 20)).stratum(), None);
    }

    #[test]
    fn birth_years_go_by_decade_across_calendars() {
        // The Solar Hijri year 1348 spans 1969 and 1970; 1349 spans 1970 and 1971.
        assert_eq!(years(1969, 1970).stratum().unwrap(), "1960s");
        assert_eq!(years(1969, 1969).stratum().unwrap(), "1960s");
        assert_eq!(years(1970, 1971).stratum().unwrap(), "1970s");
        assert_eq!(years(1960, 1963).stratum().unwrap(), "1960s");
        assert_eq!(years(1958, 1962).stratum().unwrap(), "1960s");
        assert_eq!(years(1955, 1960).stratum(), None);
    }

    #[test]
    fn ages_go_by_ten_year_band() {
        assert_eq!(FieldValue::Age { years: 7 }.stratum().unwrap(), "0–9");
        assert_eq!(FieldValue::Age { years: 29 }.stratum().unwrap(), "20–29");
        assert_eq!(FieldValue::Age { years: 30 }.stratum().unwrap(), "30–39");
    }
}
