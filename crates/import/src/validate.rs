//! Checking each row's values and turning the row into a source record: dates, years, ages
//! and sex are parsed; every other field is kept as trimmed text. Dates that parse but cannot
//! all be true (a date after today, a birth after an execution) are kept as the source wrote
//! them, each record with a warning.

use crate::RowProblem;
use crate::mapping::ColumnMap;
use crate::table::{RawRow, RawTable};
use chrono::NaiveDate;
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
///
/// Also returns, by row number, the warnings of rows whose dates parse but cannot all be true
/// ([`date_warnings`], against `today`).
pub(crate) fn check_rows(
    table: &RawTable,
    columns: &ColumnMap,
    calendar: Option<Calendar>,
    misshapen: &HashSet<u64>,
    today: NaiveDate,
) -> (Vec<RowProblem>, HashMap<u64, Vec<String>>) {
    let checked: Vec<&RawRow> = table
        .rows
        .iter()
        .filter(|r| !misshapen.contains(&r.row_number))
        .collect();
    // Parsing every cell is the costly part: done on all cores, results kept in row order.
    let parsed: Vec<(u64, Vec<RowProblem>, Vec<String>)> = checked
        .par_iter()
        .map(|row| {
            let (fields, problems) = parse_fields(row, columns, calendar);
            (
                row.row_number,
                problems,
                date_warnings(&fields, columns, today),
            )
        })
        .collect();
    let mut problems = Vec::new();
    let mut date_notes = HashMap::new();
    for (row, row_problems, warnings) in parsed {
        problems.extend(row_problems);
        if !warnings.is_empty() {
            date_notes.insert(row, warnings);
        }
    }
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
    (problems, date_notes)
}

/// The dates of a life, in the order they must come: each later event (arrest, execution,
/// death) cannot be before any of the events listed with it.
const LIFE_ORDER: [(CanonicalField, &[CanonicalField]); 3] = [
    (
        CanonicalField::ArrestDate,
        &[CanonicalField::BirthDate, CanonicalField::BirthYear],
    ),
    (
        CanonicalField::ExecutionDate,
        &[
            CanonicalField::BirthDate,
            CanonicalField::BirthYear,
            CanonicalField::ArrestDate,
        ],
    ),
    (
        CanonicalField::DeathDate,
        &[
            CanonicalField::BirthDate,
            CanonicalField::BirthYear,
            CanonicalField::ArrestDate,
        ],
    ),
];

/// What cannot be true of a row's parsed dates: a date (or birth year) that begins after
/// `today`, and a later event of a life (arrest, execution, death) that certainly came before an
/// earlier one (birth, arrest), the whole interval of one before the whole interval of the
/// other. The row is kept as written: a source's mistake is part of what it says, and the
/// warning lets whoever reads the record weigh it.
fn date_warnings(
    fields: &[(CanonicalField, FieldValue)],
    columns: &ColumnMap,
    today: NaiveDate,
) -> Vec<String> {
    let interval = |field: CanonicalField| {
        fields
            .iter()
            .find(|(f, _)| *f == field)
            .and_then(|(_, value)| {
                let (earliest, latest) = match value {
                    FieldValue::Date { date } => (date.earliest, date.latest),
                    FieldValue::Years { years, .. } => (
                        NaiveDate::from_ymd_opt(years.earliest, 1, 1)?,
                        NaiveDate::from_ymd_opt(years.latest, 12, 31)?,
                    ),
                    _ => return None,
                };
                Some((earliest, latest, value.display_text()))
            })
    };
    let name = |field: CanonicalField| columns.column_of(field).unwrap_or(field.as_str());
    let mut warnings = Vec::new();
    for (field, _) in fields {
        if let Some((earliest, _, text)) = interval(*field)
            && earliest > today
        {
            warnings.push(format!(
                "{} `{text}` is after today ({today}): check the year; kept as the source wrote it",
                name(*field)
            ));
        }
    }
    for (later, earlier_ones) in LIFE_ORDER {
        let Some((_, later_end, later_text)) = interval(later) else {
            continue;
        };
        for &earlier in earlier_ones {
            if let Some((earlier_start, _, earlier_text)) = interval(earlier)
                && earlier_start > later_end
            {
                warnings.push(format!(
                    "{} `{later_text}` is before {} `{earlier_text}`, which cannot be: one of the two is wrong; kept as the source wrote them",
                    name(later),
                    name(earlier)
                ));
            }
        }
    }
    warnings
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

    /// The problems and the date warnings of a CSV text's rows, on 2026-11-30.
    fn checked(csv: &str) -> (Vec<RowProblem>, HashMap<u64, Vec<String>>) {
        let table = read_csv("t.csv", csv).unwrap();
        let columns = ColumnMap::new(&table.header, None).unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        check_rows(&table, &columns, None, &HashSet::default(), today)
    }

    fn problems_of(csv: &str) -> Vec<RowProblem> {
        checked(csv).0
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
    fn dates_that_cannot_all_be_true_are_kept_with_a_warning() {
        let csv = "record_id,given_name,birth_date,arrest_date,execution_date,birth_year\n\
                   1,Reza,1370-01-01,1367-05-10,1360-01-01,\n\
                   2,Sara,,2099-01-01,,\n\
                   3,Ali,,1367-05-10,1367-05-10,1340\n\
                   4,Nasrin,,,1367,1370\n\
                   5,Hamid,,,1367,1368\n";
        let (problems, notes) = checked(csv);
        assert!(problems.is_empty(), "{problems:?}");
        let first = &notes[&1];
        assert_eq!(first.len(), 3, "{first:?}");
        assert!(first[0].starts_with("arrest_date `1367-05-10` is before birth_date `1370-01-01`"));
        assert!(first[1].starts_with("execution_date `1360-01-01` is before birth_date"));
        assert!(first[2].starts_with("execution_date `1360-01-01` is before arrest_date"));
        assert!(notes[&2][0].starts_with("arrest_date `2099-01-01` is after today (2026-11-30)"));
        assert!(
            !notes.contains_key(&3),
            "same-day arrest and execution is possible"
        );
        // A Solar Hijri birth year 1370 (1991–1992) after an execution in 1367 (1988–1989);
        // 1368 (1989–1990) may still overlap it, and is not warned about.
        assert!(notes[&4][0].starts_with("execution_date `1367` is before birth_year `1370`"));
        assert!(!notes.contains_key(&5));
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
