//! Reading victim lists into validated source records, with nothing written anywhere.
//!
//! [`read_list`] takes a file's bytes and returns a [`ParsedList`]: the decoded table, the
//! column mapping onto the canonical fields, and every row checked. Any problem, structural
//! (encoding, ragged rows, broken quotes) or in a value (an impossible date, a negative age),
//! comes back as an [`ImportError`] that names the file, row, line and column, so the caller
//! can show it before anything is stored. [`ParsedList::records`] then yields the rows as
//! `domain` records for the store, which writes them in one transaction.
//!
//! ```
//! let list = import::read_list(
//!     "list.csv",
//!     "given_name,surname,execution_date\nAli,Rezaei,12 Mordad 1367\n".as_bytes(),
//!     &import::ReadOptions::default(),
//! ).unwrap();
//! let record = list.records().next().unwrap();
//! assert_eq!(record.row_number, 1);
//! ```
#![deny(missing_docs)]

pub mod decode;
pub mod mapping;
pub mod table;
mod validate;

pub use decode::EncodingChoice;
pub use mapping::ColumnMap;

use domain::date::Calendar;
use domain::record::NewSourceRecord;
use foldhash::HashMap;
use rayon::prelude::*;
use std::fmt;
use table::RawTable;

/// Rows parsed together (in parallel) when records are handed out.
const RECORDS_PER_BATCH: usize = 4_096;

/// How many row problems an error lists before it only counts the rest.
const PROBLEMS_SHOWN: usize = 20;

/// One problem with one row (and, where it applies, one column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    /// The data row (in a CSV file 1 = the first row after the header; in a spreadsheet the
    /// sheet's own row number).
    pub row: u64,
    /// The line of the file the row starts on (0 when unknown, and in spreadsheets).
    pub line: u64,
    /// The column, when the problem is in one cell.
    pub column: Option<String>,
    /// What is wrong, and what would be right.
    pub message: String,
}

impl RowProblem {
    pub(crate) fn row(row: u64, line: u64, message: String) -> RowProblem {
        RowProblem {
            row,
            line,
            column: None,
            message,
        }
    }

    pub(crate) fn cell(row: u64, line: u64, column: &str, message: String) -> RowProblem {
        RowProblem {
            row,
            line,
            column: Some(column.to_string()),
            message,
        }
    }
}

impl fmt::Display for RowProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "row {}", self.row)?;
        if self.line > 0 {
            write!(f, " (line {})", self.line)?;
        }
        if let Some(column) = &self.column {
            write!(f, ", column `{column}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Why a list cannot be imported. Every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Nothing in the file.
    #[error("{file} is empty")]
    Empty {
        /// The file.
        file: String,
    },
    /// A header and no rows.
    #[error("{file} has a header but no rows")]
    HeaderOnly {
        /// The file.
        file: String,
    },
    /// Not a list at all (binary, an image, a damaged spreadsheet…).
    #[error("{file} is not a list that can be imported: {reason}")]
    NotAList {
        /// The file.
        file: String,
        /// Why.
        reason: String,
    },
    /// The bytes are not valid in the encoding used.
    #[error("{file}, line {line}: the text is not valid {encoding}; {advice}")]
    Encoding {
        /// The file.
        file: String,
        /// The first line that cannot be decoded.
        line: u64,
        /// The encoding tried.
        encoding: &'static str,
        /// What to do, for that encoding.
        advice: &'static str,
    },
    /// Part of the file is UTF-8 and part is not.
    #[error(
        "{file}, line {line}: the file is UTF-8 up to this line and something else from here \
         on (rows saved by different programs?); save the whole file in one encoding"
    )]
    MixedEncoding {
        /// The file.
        file: String,
        /// The first line that is not UTF-8.
        line: u64,
    },
    /// A `--map` that does not fit the file.
    #[error("{file}: {message}")]
    Mapping {
        /// The file.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// Rows with problems; nothing is imported.
    #[error("{file}: {} row problem(s), nothing was imported:\n{}", problems.len(), list_problems(problems))]
    Rows {
        /// The file.
        file: String,
        /// Every problem found.
        problems: Vec<RowProblem>,
    },
}

fn list_problems(problems: &[RowProblem]) -> String {
    let mut lines: Vec<String> = problems
        .iter()
        .take(PROBLEMS_SHOWN)
        .map(|p| format!("  {p}"))
        .collect();
    if problems.len() > PROBLEMS_SHOWN {
        lines.push(format!("  … and {} more", problems.len() - PROBLEMS_SHOWN));
    }
    lines.join("\n")
}

/// How to read a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadOptions {
    /// The encoding (default: detect).
    pub encoding: EncodingChoice,
    /// `FIELD=COLUMN,...` renames of the file's columns onto canonical fields.
    pub map: Option<String>,
    /// The calendar the source writes dates in, when it says so.
    pub calendar: Option<Calendar>,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            encoding: EncodingChoice::Auto,
            map: None,
            calendar: None,
        }
    }
}

/// A list read and checked, ready to be stored.
#[derive(Debug)]
pub struct ParsedList {
    /// The file's name.
    pub file_name: String,
    /// `text/csv` or the spreadsheet's media type.
    pub media_type: &'static str,
    /// The encoding the text was read in (`binary` for spreadsheets).
    pub encoding: &'static str,
    /// The table.
    pub table: RawTable,
    /// Which column feeds which canonical field.
    pub columns: ColumnMap,
    calendar: Option<Calendar>,
    repeats: HashMap<u64, u64>,
    /// Row number → what cannot be true of the row's dates.
    date_notes: HashMap<u64, Vec<String>>,
    /// Row number → what to say about the empty rows skipped next to it.
    blank_notes: HashMap<u64, Vec<String>>,
}

impl ParsedList {
    /// The number of rows.
    pub fn len(&self) -> usize {
        self.table.rows.len()
    }

    /// Whether the list has no rows (never true for a list that was read successfully).
    pub fn is_empty(&self) -> bool {
        self.table.rows.is_empty()
    }

    /// The rows as source records, in file order. Every row was checked by [`read_list`]; a
    /// row that repeats an earlier one exactly is kept, with a warning that says so, and so is
    /// a row whose dates cannot all be true. Empty rows were skipped; the record next to each
    /// run of them carries a warning naming it.
    pub fn records(&self) -> impl Iterator<Item = NewSourceRecord> + Send + '_ {
        self.table.rows.chunks(RECORDS_PER_BATCH).flat_map(|rows| {
            // Parsed on all cores a batch at a time, handed out in file order.
            rows.par_iter()
                .map(|row| {
                    let (mut record, _) =
                        validate::record_from_row(row, &self.columns, self.calendar);
                    if let Some(first) = self.repeats.get(&row.row_number) {
                        record.warnings.push(format!("repeats row {first} exactly"));
                    }
                    for notes in [&self.date_notes, &self.blank_notes] {
                        if let Some(notes) = notes.get(&row.row_number) {
                            record.warnings.extend(notes.iter().cloned());
                        }
                    }
                    record
                })
                .collect::<Vec<_>>()
        })
    }

    /// How many rows repeat an earlier row exactly.
    pub fn repeated_rows(&self) -> usize {
        self.repeats.len()
    }

    /// How many rows carry a warning about their dates (a date after today, or the dates of a
    /// life out of order).
    pub fn rows_with_date_warnings(&self) -> usize {
        self.date_notes.len()
    }

    /// How many rows were skipped for having nothing in them.
    pub fn blank_rows(&self) -> u64 {
        self.table.blank_rows.iter().map(|run| run.len()).sum()
    }
}

/// Row number → a warning for each run of empty rows, on the row right after the run (or,
/// for a run at the end of the file, on the last row), so that the record says where rows
/// were skipped. `table.rows` is in row order.
fn blank_notes(table: &RawTable) -> HashMap<u64, Vec<String>> {
    let mut notes: HashMap<u64, Vec<String>> = HashMap::default();
    for run in &table.blank_rows {
        let after = table.rows.partition_point(|r| r.row_number < run.last_row);
        let (row, place) = match table.rows.get(after) {
            Some(row) => (row, "just above"),
            None => match table.rows.last() {
                Some(row) => (row, "just below"),
                None => continue,
            },
        };
        let verb = if run.len() == 1 { "was" } else { "were" };
        notes
            .entry(row.row_number)
            .or_default()
            .push(format!("{run} and {verb} skipped ({place} this row)"));
    }
    notes
}

/// Reads and checks a whole list. Nothing is written anywhere.
pub fn read_list(
    file_name: &str,
    bytes: &[u8],
    options: &ReadOptions,
) -> Result<ParsedList, ImportError> {
    let (mut table, media_type, encoding) = if is_spreadsheet(bytes) {
        (
            table::read_spreadsheet(file_name, bytes)?,
            spreadsheet_media_type(bytes),
            "binary",
        )
    } else {
        refuse_binary(file_name, bytes)?;
        let text = decode::decode(file_name, bytes, options.encoding)?;
        (
            table::read_csv(file_name, &text.text)?,
            "text/csv",
            text.encoding,
        )
    };
    let columns = ColumnMap::new(&table.header, options.map.as_deref()).map_err(|message| {
        ImportError::Mapping {
            file: file_name.to_string(),
            message,
        }
    })?;
    let mut problems = std::mem::take(&mut table.problems);
    let misshapen: foldhash::HashSet<u64> = problems.iter().map(|p| p.row).collect();
    // Finding repeated rows is one pass in file order; it runs beside the check, which uses
    // every core it can get.
    let today = chrono::Utc::now().date_naive();
    let ((checked, date_notes), repeats) = rayon::join(
        || validate::check_rows(&table, &columns, options.calendar, &misshapen, today),
        || validate::exact_repeats(&table),
    );
    problems.extend(checked);
    problems.sort_by_key(|p| p.row);
    if !problems.is_empty() {
        return Err(ImportError::Rows {
            file: file_name.to_string(),
            problems,
        });
    }
    Ok(ParsedList {
        file_name: file_name.to_string(),
        media_type,
        encoding,
        blank_notes: blank_notes(&table),
        table,
        columns,
        calendar: options.calendar,
        repeats,
        date_notes,
    })
}

/// XLSX/ODS are zip archives; XLS is an OLE compound file.
fn is_spreadsheet(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0])
}

fn spreadsheet_media_type(bytes: &[u8]) -> &'static str {
    if bytes.starts_with(b"PK") {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    } else {
        "application/vnd.ms-excel"
    }
}

/// Refuses files that are plainly not text: NUL bytes outside UTF-16, or known binary magic.
fn refuse_binary(file: &str, bytes: &[u8]) -> Result<(), ImportError> {
    const MAGIC: [(&[u8], &str); 6] = [
        (b"\x89PNG", "a PNG image"),
        (b"\xFF\xD8\xFF", "a JPEG image"),
        (b"%PDF", "a PDF document"),
        (b"GIF8", "a GIF image"),
        (b"\x1F\x8B", "a gzip archive"),
        (b"\x7FELF", "a program"),
    ];
    if let Some((_, what)) = MAGIC.iter().find(|(magic, _)| bytes.starts_with(magic)) {
        return Err(ImportError::NotAList {
            file: file.to_string(),
            reason: format!("it is {what}, not CSV or XLSX"),
        });
    }
    let sample = &bytes[..bytes.len().min(8192)];
    let is_utf16 = sample.starts_with(b"\xFF\xFE") || sample.starts_with(b"\xFE\xFF") || {
        let zeros = sample.iter().filter(|b| **b == 0).count();
        zeros * 3 > sample.len() && zeros * 5 < sample.len() * 3
    };
    let controls = sample
        .iter()
        .filter(|b| **b < 0x09 || (0x0E..0x1B).contains(*b))
        .count();
    if !is_utf16 && controls * 100 > sample.len() {
        return Err(ImportError::NotAList {
            file: file.to_string(),
            reason: "it holds binary data, not text; export the list as CSV (UTF-8) or XLSX".into(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_files_are_refused_by_kind() {
        let cases: [(&[u8], &str); 3] = [
            (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "PNG"),
            (b"%PDF-1.7\n", "PDF"),
            (
                &[0u8, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7],
                "binary",
            ),
        ];
        for (bytes, expected) in cases {
            let error = read_list("x.csv", bytes, &ReadOptions::default()).unwrap_err();
            assert!(error.to_string().contains(expected), "{error}");
        }
    }

    #[test]
    fn empty_rows_are_skipped_and_named_on_the_record_beside_them() {
        // Review 17a: a row of empty cells became a record with no name and no id.
        let list = read_list(
            "l.csv",
            b"record_id,given_name\nr1,Parvaneh\n,\n , \nr2,Kamran\n,\n",
            &ReadOptions::default(),
        )
        .unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list.blank_rows(), 3);
        let warnings: Vec<Vec<String>> = list.records().map(|r| r.warnings).collect();
        assert_eq!(
            warnings,
            [
                vec![],
                vec![
                    "rows 2–3 (lines 3–4) are empty and were skipped (just above this row)"
                        .to_string(),
                    "row 5 (line 6) is empty and was skipped (just below this row)".to_string(),
                ],
            ]
        );
    }

    #[test]
    fn a_problem_names_row_line_and_column() {
        let problem = RowProblem::cell(3, 4, "age", "is negative".into());
        assert_eq!(
            problem.to_string(),
            "row 3 (line 4), column `age`: is negative"
        );
    }
}
