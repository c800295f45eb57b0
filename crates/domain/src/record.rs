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
}

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
