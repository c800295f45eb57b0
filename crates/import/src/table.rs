//! Reading a list into a header and rows of cells: CSV (with the delimiter sniffed) or a
//! spreadsheet (XLSX, XLS, ODS through calamine). Structural problems (ragged rows, a quote
//! that never closes, an oversized field) are reported here, with the row and line.

use crate::{ImportError, RowProblem};

/// The largest field accepted, in bytes. A bigger one is nearly always a broken quote that
/// swallowed the rest of the file, or not a list at all.
pub const MAX_FIELD_BYTES: usize = 1 << 20;

/// One data row: its number (1 = first row after the header), the line it starts on, its
/// text as it stood in the file, and its cells.
///
/// The cells are kept as one string and the offsets where each ends, not a string each: a
/// million-row list has tens of millions of cells, and one allocation per cell made the table
/// twice its size and slow to build and free.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRow {
    /// 1 for the first row after the header.
    pub row_number: u64,
    /// The line of the file the row starts on (1-based; the header is line 1).
    pub line: u64,
    /// The row's text as it stood in the file (cells joined by tabs for spreadsheets).
    pub raw_text: String,
    /// Every cell's text, one after another.
    cell_text: String,
    /// Where each cell ends in `cell_text`.
    cell_ends: Box<[usize]>,
}

impl RawRow {
    /// A row with these cells.
    pub fn new<'a>(
        row_number: u64,
        line: u64,
        raw_text: String,
        cells: impl Iterator<Item = &'a str> + Clone,
    ) -> RawRow {
        let mut cell_text = String::with_capacity(cells.clone().map(str::len).sum());
        let cell_ends = cells
            .map(|cell| {
                cell_text.push_str(cell);
                cell_text.len()
            })
            .collect();
        RawRow {
            row_number,
            line,
            raw_text,
            cell_text,
            cell_ends,
        }
    }

    /// The cells, one per header column in a well-formed row.
    pub fn cells(&self) -> impl ExactSizeIterator<Item = &str> + Clone + '_ {
        (0..self.cell_ends.len()).map(|index| self.cell_at(index))
    }

    /// The cell in a column, if the row has that many.
    pub fn cell(&self, index: usize) -> Option<&str> {
        (index < self.cell_ends.len()).then(|| self.cell_at(index))
    }

    /// How many cells the row has.
    pub fn cell_count(&self) -> usize {
        self.cell_ends.len()
    }

    /// The cells as stored: two rows have the same cells exactly when these are equal.
    pub(crate) fn cells_as_stored(&self) -> (&str, &[usize]) {
        (&self.cell_text, &self.cell_ends)
    }

    fn cell_at(&self, index: usize) -> &str {
        let start = index
            .checked_sub(1)
            .map_or(0, |before| self.cell_ends[before]);
        &self.cell_text[start..self.cell_ends[index]]
    }
}

/// A list as a header and rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawTable {
    /// The column headers, trimmed.
    pub header: Vec<String>,
    /// The data rows.
    pub rows: Vec<RawRow>,
    /// The delimiter used (`,`, `;`, `\t`, `|`), or empty for spreadsheets.
    pub delimiter: String,
    /// Rows that do not fit the header (ragged, a quote that never closes, a field too large).
    pub problems: Vec<RowProblem>,
}

const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

/// Picks the delimiter whose field count is the same on the first lines and largest.
pub fn sniff_delimiter(text: &str) -> u8 {
    let sample: String = text.lines().take(20).collect::<Vec<_>>().join("\n");
    let mut best = (b',', 0usize);
    for delimiter in DELIMITERS {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(sample.as_bytes());
        let counts: Vec<usize> = reader
            .records()
            .filter_map(Result::ok)
            .map(|r| r.len())
            .collect();
        let Some(first) = counts.first().copied() else {
            continue;
        };
        let consistent = counts.iter().filter(|c| **c == first).count() * 10 >= counts.len() * 9;
        if first > 1 && consistent && first > best.1 {
            best = (delimiter, first);
        }
    }
    best.0
}

/// Reads CSV text into a table; rows that do not fit the header are listed in its `problems`.
pub fn read_csv(file: &str, text: &str) -> Result<RawTable, ImportError> {
    if text.trim().is_empty() {
        return Err(ImportError::Empty {
            file: file.to_string(),
        });
    }
    let delimiter = sniff_delimiter(text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header: Vec<String> = match records.next() {
        Some(Ok(record)) => record.iter().map(|h| h.trim().to_string()).collect(),
        Some(Err(error)) => {
            return Err(ImportError::NotAList {
                file: file.to_string(),
                reason: error.to_string(),
            });
        }
        None => {
            return Err(ImportError::Empty {
                file: file.to_string(),
            });
        }
    };
    check_header(file, &header)?;

    let mut rows = Vec::new();
    let mut problems = Vec::new();
    let mut starts: Vec<usize> = Vec::new();
    for (index, record) in records.enumerate() {
        let row_number = index as u64 + 1;
        match record {
            Ok(record) => {
                starts.push(record.position().map_or(0, |p| p.byte() as usize));
                rows.push(RawRow::new(row_number, 0, String::new(), record.iter()));
            }
            Err(error) => {
                let line = error.position().map_or(0, |p| p.line());
                problems.push(RowProblem::row(
                    row_number,
                    line,
                    format!("cannot be read: {error}"),
                ));
            }
        }
    }
    fill_text_and_lines(text, &mut rows, &starts);
    problems.extend(
        rows.iter()
            .filter_map(|row| shape_problem(&header, row, row.row_number, row.line)),
    );
    finish_table(
        file,
        header,
        rows,
        (delimiter as char).to_string(),
        problems,
    )
}

fn check_header(file: &str, header: &[String]) -> Result<(), ImportError> {
    if header.iter().all(String::is_empty) {
        return Err(ImportError::NotAList {
            file: file.to_string(),
            reason: "its first line is empty; the first line must name the columns".into(),
        });
    }
    if let Some(long) = header.iter().find(|h| h.len() > 200) {
        return Err(ImportError::NotAList {
            file: file.to_string(),
            reason: format!(
                "its first line holds a {}-byte column name; the first line must name the columns",
                long.len()
            ),
        });
    }
    let mut seen = std::collections::HashSet::new();
    for column in header.iter().filter(|h| !h.is_empty()) {
        if !seen.insert(column.as_str()) {
            return Err(ImportError::NotAList {
                file: file.to_string(),
                reason: format!("column `{column}` appears twice in the header"),
            });
        }
    }
    Ok(())
}

/// A row whose cells do not fit the header: too many, too few, or a field too large.
fn shape_problem(
    header: &[String],
    row: &RawRow,
    row_number: u64,
    line: u64,
) -> Option<RowProblem> {
    if let Some((index, cell)) = row
        .cells()
        .enumerate()
        .find(|(_, c)| c.len() > MAX_FIELD_BYTES)
    {
        let column = header
            .get(index)
            .cloned()
            .unwrap_or_else(|| format!("#{}", index + 1));
        return Some(RowProblem::cell(
            row_number,
            line,
            &column,
            format!(
                "the field is {} bytes; the limit is {} bytes (a quote that never closes?)",
                cell.len(),
                MAX_FIELD_BYTES
            ),
        ));
    }
    if row.cell_count() == header.len() {
        return None;
    }
    if let Some(index) = row.cells().position(|c| c.contains('\n')) {
        let column = header
            .get(index)
            .cloned()
            .unwrap_or_else(|| format!("#{}", index + 1));
        return Some(RowProblem::cell(
            row_number,
            line,
            &column,
            format!(
                "a quote opened here runs over several lines and the row ends with {} of {} cells: close the quote or double it (\"\")",
                row.cell_count(),
                header.len()
            ),
        ));
    }
    Some(RowProblem::row(
        row_number,
        line,
        format!(
            "has {} cells but the header has {} columns",
            row.cell_count(),
            header.len()
        ),
    ))
}

/// Sets each row's raw text to the bytes between its start and the next row's start, and its
/// line from the newlines before it (the reader's own line count lags after CRLF endings).
fn fill_text_and_lines(text: &str, rows: &mut [RawRow], starts: &[usize]) {
    let (mut counted_to, mut line) = (0usize, 1u64);
    for (index, row) in rows.iter_mut().enumerate() {
        let mut start = starts.get(index).copied().unwrap_or(0);
        let end = starts.get(index + 1).copied().unwrap_or(text.len());
        let raw = text.get(start..end).unwrap_or_default();
        start += raw.len() - raw.trim_start_matches(['\r', '\n']).len();
        line += text
            .get(counted_to..start)
            .map_or(0, |t| t.matches('\n').count() as u64);
        counted_to = start;
        row.line = line;
        row.raw_text = raw.trim_matches(['\r', '\n']).to_string();
    }
}

/// Reads the first sheet of a spreadsheet into a table.
pub fn read_spreadsheet(file: &str, bytes: &[u8]) -> Result<RawTable, ImportError> {
    use calamine::Reader;
    let not_a_list = |reason: String| ImportError::NotAList {
        file: file.to_string(),
        reason,
    };
    let mut workbook = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e| not_a_list(format!("the spreadsheet cannot be opened: {e}")))?;
    let range = workbook
        .worksheet_range_at(0)
        .ok_or_else(|| ImportError::Empty {
            file: file.to_string(),
        })?
        .map_err(|e| not_a_list(format!("its first sheet cannot be read: {e}")))?;
    let mut lines = range
        .rows()
        .map(|row| row.iter().map(cell_text).collect::<Vec<_>>());
    let header: Vec<String> = match lines.next() {
        Some(header) => header.iter().map(|h| h.trim().to_string()).collect(),
        None => {
            return Err(ImportError::Empty {
                file: file.to_string(),
            });
        }
    };
    check_header(file, &header)?;
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for (index, cells) in lines.enumerate() {
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let row_number = index as u64 + 1;
        let line = row_number + 1;
        let row = RawRow::new(
            row_number,
            line,
            cells.join("\t"),
            cells.iter().map(String::as_str),
        );
        if let Some(problem) = shape_problem(&header, &row, row_number, line) {
            problems.push(problem);
        }
        rows.push(row);
    }
    finish_table(file, header, rows, String::new(), problems)
}

/// The table, unless it has a header and nothing else (rows with problems count as rows).
fn finish_table(
    file: &str,
    header: Vec<String>,
    rows: Vec<RawRow>,
    delimiter: String,
    problems: Vec<RowProblem>,
) -> Result<RawTable, ImportError> {
    if rows.is_empty() && problems.is_empty() {
        return Err(ImportError::HeaderOnly {
            file: file.to_string(),
        });
    }
    Ok(RawTable {
        header,
        rows,
        delimiter,
        problems,
    })
}

/// A spreadsheet cell as text: whole numbers without `.0`, dates as `YYYY-MM-DD`.
fn cell_text(cell: &calamine::Data) -> String {
    use calamine::{Data, DataType};
    match cell {
        Data::Empty => String::new(),
        Data::String(text) => text.clone(),
        Data::Float(value) if value.fract() == 0.0 && value.abs() < 1e15 => {
            format!("{}", *value as i64)
        }
        Data::DateTime(_) | Data::DateTimeIso(_) => cell
            .as_date()
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_else(|| cell.to_string()),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delimiter_is_sniffed() {
        let cases = [
            ("a,b,c\n1,2,3\n", b','),
            ("a;b;c\n1;2;3\n", b';'),
            ("a\tb\n1\t2\n", b'\t'),
            ("a|b\n1|2\n", b'|'),
            ("\"x;y\",b\n1,2\n", b','),
        ];
        for (text, expected) in cases {
            assert_eq!(sniff_delimiter(text), expected, "{text:?}");
        }
    }

    #[test]
    fn rows_keep_their_text_line_and_number() {
        let table = read_csv("l.csv", "a,b\r\n1,\"x\ny\"\r\n3,4\r\n").unwrap();
        assert_eq!(table.rows.len(), 2);
        assert_eq!(table.rows[0].raw_text, "1,\"x\ny\"");
        assert_eq!(table.rows[0].cells().collect::<Vec<_>>(), ["1", "x\ny"]);
        assert_eq!((table.rows[1].row_number, table.rows[1].line), (2, 4));
        assert_eq!(table.rows[1].raw_text, "3,4");
    }

    #[test]
    fn a_ragged_row_is_named() {
        let problems = read_csv("l.csv", "a,b,c\n1,2,3\n4,5\n").unwrap().problems;
        assert_eq!(problems.len(), 1);
        assert_eq!((problems[0].row, problems[0].line), (2, 3));
        assert!(
            problems[0].message.contains("2 cells"),
            "{}",
            problems[0].message
        );
    }

    #[test]
    fn a_quote_that_never_closes_is_named_with_its_column() {
        let problems = read_csv(
            "l.csv",
            "a,b,c
1,\"two,3
4,5,6
",
        )
        .unwrap()
        .problems;
        assert_eq!(problems[0].column.as_deref(), Some("b"));
        assert!(
            problems[0].message.contains("quote"),
            "{}",
            problems[0].message
        );
    }

    #[test]
    fn empty_and_header_only_files_are_refused() {
        assert!(matches!(
            read_csv("l.csv", ""),
            Err(ImportError::Empty { .. })
        ));
        assert!(matches!(
            read_csv("l.csv", " \n\n"),
            Err(ImportError::Empty { .. })
        ));
        assert!(matches!(
            read_csv("l.csv", "a,b\n"),
            Err(ImportError::HeaderOnly { .. })
        ));
    }

    #[test]
    fn an_oversized_field_is_refused_without_echoing_it() {
        let text = format!("a,b\n1,{}\n", "x".repeat(MAX_FIELD_BYTES + 1));
        let problems = read_csv("l.csv", &text).unwrap().problems;
        let message = problems[0].to_string();
        assert!(message.contains("limit"), "{message}");
        assert!(message.len() < 1000);
    }
}
