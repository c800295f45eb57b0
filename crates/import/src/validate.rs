//! Checking each row's values and turning the row into a source record: dates, years, ages
//! and sex are parsed; every other field is kept as trimmed text.

use crate::RowProblem;
use crate::mapping::ColumnMap;
use crate::table::{RawRow, RawTable};
use domain::date::Calendar;
use domain::fields::CanonicalField;
use domain::record::{FieldValue, NewSourceRecord};
use domain::sex::Sex;
use foldhash::{HashMap, HashMapExt, HashSet};
use rayon::prelude::*;
use std::borrow::Cow;
use std::collections::hash_map::Entry;

/// Every problem in every row: values that do not parse, and record ids used twice. Rows in
/// `misshapen` (already reported for not fitting the header) are skipped.
///
/// Ids are compared trimmed and with Persian and Arabic-Indic digits read as ASCII ones, as
/// dates and ages are: `۱۲`, `12` and ` 12 ` are one id. A row that repeats an earlier row
/// exactly, id included, is refused like any other reused id: an id names one record.
pub(crate) fn check_rows(
    table: &RawTable,
    columns: &ColumnMap,
    calendar: Option<Calendar>,
    misshapen: &HashSet<u64>,
) -> Vec<RowProblem> {
    let checked: Vec<&RawRow> = table
        .rows
        .iter()
        .filter(|r| !misshapen.contains(&r.row_number))
        .collect();
    // Parsing every cell is the costly part: done on all cores, problems kept in row order.
    let mut problems: Vec<RowProblem> = checked
        .par_iter()
        .flat_map_iter(|row| parse_fields(row, columns, calendar).1)
        .collect();
    let mut ids: HashMap<Cow<'_, str>, &RawRow> = HashMap::with_capacity(table.rows.len());
    let id_column = columns
        .column_of(CanonicalField::RecordId)
        .unwrap_or("record_id");
    for row in checked {
        let Some(id) = cell(row, columns, CanonicalField::RecordId) else {
            continue;
        };
        // Every later use points at the first row, not the one before it.
        let first = match ids.entry(comparable_id(id)) {
            Entry::Occupied(first) => *first.get(),
            Entry::Vacant(slot) => {
                slot.insert(row);
                continue;
            }
        };
        let message = if first.cells_as_stored() == row.cells_as_stored() {
            format!(
                "repeats row {} exactly, record id `{id}` included; an id names one record: \
                 delete the repeated row, or give it its own id if it is another record",
                first.row_number
            )
        } else {
            format!(
                "record id `{id}` is already used by row {}; each row needs its own id",
                first.row_number
            )
        };
        problems.push(RowProblem::cell(
            row.row_number,
            row.line,
            id_column,
            message,
        ));
    }
    problems
}

/// Rows whose cells repeat an earlier row's exactly: row number → the earlier row.
pub(crate) fn exact_repeats(table: &RawTable) -> HashMap<u64, u64> {
    let mut first_seen: HashMap<SameCells, u64> = HashMap::with_capacity(table.rows.len());
    let mut repeats = HashMap::default();
    for row in &table.rows {
        match first_seen.entry(SameCells(row)) {
            Entry::Occupied(first) => {
                repeats.insert(row.row_number, *first.get());
            }
            Entry::Vacant(slot) => {
                slot.insert(row.row_number);
            }
        }
    }
    repeats
}

/// A row compared by its cells alone. Only the cells' text is hashed: rows whose text is the
/// same but cut into cells differently are rare, and equality still tells them apart.
struct SameCells<'a>(&'a RawRow);

impl PartialEq for SameCells<'_> {
    fn eq(&self, other: &SameCells<'_>) -> bool {
        self.0.cells_as_stored() == other.0.cells_as_stored()
    }
}

impl Eq for SameCells<'_> {}

impl std::hash::Hash for SameCells<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.cells_as_stored().0.hash(state);
    }
}

/// A record id as ids are compared: Persian and Arabic-Indic digits as ASCII ones. Most ids
/// have none, and are not copied.
fn comparable_id(id: &str) -> Cow<'_, str> {
    if id
        .chars()
        .all(|c| text::normalize::ascii_digit_or_self(c) == c)
    {
        Cow::Borrowed(id)
    } else {
        Cow::Owned(text::normalize::to_ascii_digits(id))
    }
}

fn cell<'a>(row: &'a RawRow, columns: &ColumnMap, field: CanonicalField) -> Option<&'a str> {
    let (_, index) = columns.fields().find(|(f, _)| *f == field)?;
    row.cell(index).map(|c| c.trim()).filter(|c| !c.is_empty())
}

/// The record a row becomes, and the problems with its values (none for a clean row).
pub(crate) fn record_from_row(
    row: &RawRow,
    columns: &ColumnMap,
    calendar: Option<Calendar>,
) -> (NewSourceRecord, Vec<RowProblem>) {
    let (fields, problems) = parse_fields(row, columns, calendar);
    let record = NewSourceRecord {
        external_id: cell(row, columns, CanonicalField::RecordId).map(str::to_string),
        row_number: row.row_number,
        raw_text: row.raw_text.clone(),
        raw_values: row.cells().map(str::to_string).collect(),
        fields,
        warnings: Vec::new(),
    };
    (record, problems)
}

/// A row's mapped cells parsed into canonical values, and the problems with them.
fn parse_fields(
    row: &RawRow,
    columns: &ColumnMap,
    calendar: Option<Calendar>,
) -> (Vec<(CanonicalField, FieldValue)>, Vec<RowProblem>) {
    let mut fields = Vec::new();
    let mut problems = Vec::new();
    for (field, index) in columns.fields() {
        let Some(text) = row.cell(index).map(|c| c.trim()).filter(|c| !c.is_empty()) else {
            continue;
        };
        match parse_value(field, text, calendar) {
            Ok(value) => fields.push((field, value)),
            Err(message) => problems.push(RowProblem::cell(
                row.row_number,
                row.line,
                columns.column_of(field).unwrap_or(field.as_str()),
                message,
            )),
        }
    }
    (fields, problems)
}

fn parse_value(
    field: CanonicalField,
    text: &str,
    calendar: Option<Calendar>,
) -> Result<FieldValue, String> {
    match field {
        f if f.is_date() => text::dates::parse_date(text, calendar)
            .map(|date| FieldValue::Date { date })
            .map_err(|e| e.to_string()),
        CanonicalField::BirthYear => text::dates::parse_birth_year(text, calendar)
            .map(|years| FieldValue::Years {
                years,
                verbatim: text.to_string(),
            })
            .map_err(|e| e.to_string()),
        CanonicalField::Age => text::dates::parse_age(text)
            .map(|years| FieldValue::Age { years })
            .map_err(|e| e.to_string()),
        CanonicalField::Sex => Sex::parse(text)
            .map(|sex| FieldValue::Sex { sex })
            .ok_or_else(|| {
                format!(
                    "`{text}` is not a sex value; write m or f (male, female, مرد, زن are read too)"
                )
            }),
        _ => Ok(FieldValue::Text {
            text: text.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::read_csv;

    fn problems_of(csv: &str) -> Vec<RowProblem> {
        let table = read_csv("t.csv", csv).unwrap();
        let columns = ColumnMap::new(&table.header, None).unwrap();
        check_rows(&table, &columns, None, &HashSet::default())
    }

    #[test]
    fn bad_values_are_named_by_row_and_column() {
        let cases = [
            (
                "given_name,execution_date\nAli,1367/13/40\n",
                "execution_date",
            ),
            (
                "given_name,execution_date\nAli,30 Esfand 1367\n",
                "execution_date",
            ),
            ("given_name,age\nAli,-4\n", "age"),
            ("given_name,sex\nAli,x\n", "sex"),
            (
                "given_name,birth_year\nAli,year of the horse\n",
                "birth_year",
            ),
        ];
        for (csv, column) in cases {
            let problems = problems_of(csv);
            assert_eq!(problems.len(), 1, "{csv}: {problems:?}");
            assert_eq!(problems[0].column.as_deref(), Some(column), "{csv}");
            assert_eq!((problems[0].row, problems[0].line), (1, 2), "{csv}");
        }
    }

    #[test]
    fn a_record_id_used_twice_is_named() {
        let problems = problems_of("record_id,given_name\na1,Ali\na2,Reza\na1,Hasan\n");
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].row, 3);
        assert!(
            problems[0].message.contains("row 1"),
            "{}",
            problems[0].message
        );
    }

    #[test]
    fn record_ids_are_compared_with_persian_and_arabic_digits_read_as_ascii() {
        // Review 17a: `1` and `۱` were two ids while ` 1 ` was the same as `1`.
        let problems = problems_of(
            "record_id,given_name\n1,Parvaneh\n۱,Kamran\n١,Shirin\n 1 ,Navid\nx۲,Roya\nx2,Omid\n",
        );
        let rows: Vec<u64> = problems.iter().map(|p| p.row).collect();
        assert_eq!(rows, [2, 3, 4, 6], "{problems:?}");
        assert!(
            problems[0]
                .message
                .contains("record id `۱` is already used by row 1"),
            "{}",
            problems[0].message
        );
        // Each later use names the first row, not the one before it.
        assert!(
            problems[2]
                .message
                .contains("record id `1` is already used by row 1"),
            "{}",
            problems[2].message
        );
        assert!(
            problems[3]
                .message
                .contains("record id `x2` is already used by row 5"),
            "{}",
            problems[3].message
        );
    }

    #[test]
    fn a_row_repeated_with_its_record_id_is_refused_and_says_so() {
        let problems = problems_of("record_id,given_name\na1,Parvaneh\na1,Parvaneh\n");
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].message.contains("repeats row 1 exactly"),
            "{}",
            problems[0].message
        );
        assert!(
            problems[0].message.contains("delete the repeated row"),
            "{}",
            problems[0].message
        );
    }

    #[test]
    fn clean_rows_become_records_with_typed_values() {
        let table = read_csv(
            "t.csv",
            "record_id,given_name,sex,age,execution_date,prison\nr1, Ali ,M,27,12 Mordad 1367,\n",
        )
        .unwrap();
        let columns = ColumnMap::new(&table.header, None).unwrap();
        let (record, problems) = record_from_row(&table.rows[0], &columns, None);
        assert!(problems.is_empty());
        assert_eq!(record.external_id.as_deref(), Some("r1"));
        assert_eq!(
            record.field(CanonicalField::GivenName),
            Some(&FieldValue::Text { text: "Ali".into() })
        );
        assert_eq!(
            record.field(CanonicalField::Sex),
            Some(&FieldValue::Sex { sex: Sex::Male })
        );
        assert_eq!(
            record.field(CanonicalField::Age),
            Some(&FieldValue::Age { years: 27 })
        );
        assert!(matches!(
            record.field(CanonicalField::ExecutionDate),
            Some(FieldValue::Date { .. })
        ));
        assert_eq!(record.field(CanonicalField::Prison), None);
        assert_eq!(record.raw_values[1], " Ali ");
    }

    #[test]
    fn exact_repeats_point_at_the_first_row() {
        let table = read_csv("t.csv", "given_name\nAli\nReza\nAli\n").unwrap();
        let repeats: Vec<(u64, u64)> = exact_repeats(&table).into_iter().collect();
        assert_eq!(repeats, [(3, 1)]);
    }

    #[test]
    fn rows_with_the_same_text_in_other_cells_are_not_repeats() {
        let table = read_csv(
            "t.csv",
            "given_name,surname\nAli,Reza\nAliR,eza\nAli,Reza\n",
        )
        .unwrap();
        let repeats: Vec<(u64, u64)> = exact_repeats(&table).into_iter().collect();
        assert_eq!(repeats, [(3, 1)]);
    }
}
