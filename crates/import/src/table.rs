//! Reading a list into a header and rows of cells: CSV (with the delimiter sniffed) or a
//! spreadsheet (XLSX, XLS, ODS through calamine). Structural problems (ragged rows, a quote
//! that never closes, an oversized field, a spreadsheet value outside the header's columns)
//! are reported here, with the row and line. Rows with nothing in them are left out here and
//! listed as [`BlankRows`]; what to tell the user about them is `lib.rs`'s business.

use crate::{ImportError, RowProblem};

/// The largest field accepted, in bytes. A bigger one is nearly always a broken quote that
/// swallowed the rest of the file, or not a list at all.
pub const MAX_FIELD_BYTES: usize = 1 << 20;

/// One data row: its number (in a CSV file 1 = first row after the header; in a spreadsheet the
/// sheet's own row number), the line it starts on, its text as it stood in the file, and its
/// cells.
///
/// The cells are kept as one string and the offsets where each ends, not a string each: a
/// million-row list has tens of millions of cells, and one allocation per cell made the table
/// twice its size and slow to build and free.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRow {
    /// In a CSV file, 1 for the first row after the header; in a spreadsheet, the number the
    /// sheet shows at the row's left edge, so that a user finds the row where it says.
    pub row_number: u64,
    /// The line of the file the row starts on (1-based; the header is line 1); 0 in a
    /// spreadsheet, which has rows but no lines.
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
    /// Runs of rows with nothing in them (every cell empty or blank), left out of `rows`.
    pub blank_rows: Vec<BlankRows>,
}

/// A run of consecutive rows with nothing in them, skipped. Spreadsheets often carry blank
/// rows between blocks of data, and a CSV saved from one carries them as lines of delimiters
/// alone (`,,,,`); a record made of one would have no name and no id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlankRows {
    /// The first row of the run.
    pub first_row: u64,
    /// The last row of the run (the same as `first_row` for one row).
    pub last_row: u64,
    /// The lines of the file the run starts and ends on (0 for spreadsheets).
    pub lines: (u64, u64),
}

impl BlankRows {
    fn in_sheet(first_row: u64, last_row: u64) -> BlankRows {
        BlankRows {
            first_row,
            last_row,
            lines: (0, 0),
        }
    }

    /// How many rows the run holds.
    pub fn len(&self) -> u64 {
        self.last_row - self.first_row + 1
    }

    /// Whether the run holds no rows (never true for a run the reader made).
    pub fn is_empty(&self) -> bool {
        self.last_row < self.first_row
    }
}

impl std::fmt::Display for BlankRows {
    /// `row 4 (line 5) is empty` or `rows 4–6 (lines 5–7) are empty`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (first_line, last_line) = self.lines;
        if self.first_row == self.last_row {
            write!(f, "row {}", self.first_row)?;
            if first_line > 0 {
                write!(f, " (line {first_line})")?;
            }
            write!(f, " is empty")
        } else {
            write!(f, "rows {}–{}", self.first_row, self.last_row)?;
            if first_line > 0 {
                write!(f, " (lines {first_line}–{last_line})")?;
            }
            write!(f, " are empty")
        }
    }
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
    let blank_rows = take_blank_rows(&mut rows);
    problems.extend(rows.iter().filter_map(|row| {
        shape_problem(&header, row, row.row_number, row.line)
            .or_else(|| text_after_closing_quote(&header, row, delimiter))
    }));
    finish_table(
        file,
        RawTable {
            header,
            rows,
            delimiter: (delimiter as char).to_string(),
            problems,
            blank_rows,
        },
    )
}

/// Takes the rows whose every cell is empty or blank out of `rows`, as runs of consecutive
/// rows (whatever their number of cells: `,,` is as empty as `,,,,`).
fn take_blank_rows(rows: &mut Vec<RawRow>) -> Vec<BlankRows> {
    let mut runs: Vec<BlankRows> = Vec::new();
    rows.retain(|row| {
        if row.cells().any(|c| !c.trim().is_empty()) {
            return true;
        }
        match runs.last_mut() {
            Some(run) if run.last_row + 1 == row.row_number => {
                run.last_row = row.row_number;
                run.lines.1 = row.line;
            }
            _ => runs.push(BlankRows {
                first_row: row.row_number,
                last_row: row.row_number,
                lines: (row.line, row.line),
            }),
        }
        false
    });
    runs
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

/// A column's name in the header, or `#N` (from 1) for a cell past the header's end.
fn column_label(header: &[String], index: usize) -> String {
    header
        .get(index)
        .cloned()
        .unwrap_or_else(|| format!("#{}", index + 1))
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
        let column = column_label(header, index);
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
        let column = column_label(header, index);
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
    let advice = if row.cell_count() > header.len() {
        "a value holding the delimiter must be in double quotes (\"Karimi, Zahra\"); or give the extra cells a column in the header"
    } else {
        "leave a cell empty rather than out (two delimiters in a row); or the row was cut short"
    };
    Some(RowProblem::row(
        row_number,
        line,
        format!(
            "has {} cells but the header has {} columns: {advice}",
            row.cell_count(),
            header.len()
        ),
    ))
}

/// A quoted value with text after its closing quote (`"Rostami"x`), which the CSV reader would
/// join into one value (`Rostamix`) without a word: the quote was meant as part of the value,
/// or a delimiter is missing. Found in the row's raw text.
fn text_after_closing_quote(header: &[String], row: &RawRow, delimiter: u8) -> Option<RowProblem> {
    // Most rows quote nothing: one fast search, and no walk byte by byte.
    if !row.raw_text.contains('"') {
        return None;
    }
    let bytes = row.raw_text.as_bytes();
    let (mut column, mut in_quotes, mut at_field_start) = (0usize, false, true);
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        let next = bytes.get(i + 1).copied();
        if in_quotes {
            if byte == b'"' {
                if next == Some(b'"') {
                    i += 2;
                    continue;
                }
                in_quotes = false;
                if !matches!(next, None | Some(b'\r' | b'\n')) && next != Some(delimiter) {
                    let name = column_label(header, column);
                    return Some(RowProblem::cell(
                        row.row_number,
                        row.line,
                        &name,
                        "text follows a closing quote, and would be joined to the quoted value: \
                         double a quote that belongs to the value (\"\"), or put the missing \
                         delimiter after the quote"
                            .to_string(),
                    ));
                }
            }
        } else if byte == delimiter {
            column += 1;
            at_field_start = true;
            i += 1;
            continue;
        } else if byte == b'"' && at_field_start {
            in_quotes = true;
        }
        at_field_start = false;
        i += 1;
    }
    None
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

/// The most columns a spreadsheet's header may span. The sheet is read cell by cell, but every
/// row is then held as wide as the header, so a stray cell far to the right of the header
/// (in `XFD1`, say) would make each row 16,384 cells wide.
pub const MAX_SHEET_COLUMNS: u32 = 1_000;

/// One spreadsheet cell that holds something: its 0-based row and column, and its text.
struct SheetCell {
    row: u32,
    column: u32,
    text: String,
}

/// Reads the first sheet of a spreadsheet into a table.
///
/// The header is the first row that holds anything, and spans from its first to its last
/// cell. Rows are numbered as the sheet numbers them (`line` is 0). A value outside the
/// header's columns is a row problem, as an extra field is in a CSV row.
pub fn read_spreadsheet(file: &str, bytes: &[u8]) -> Result<RawTable, ImportError> {
    let cells = sheet_cells(file, bytes)?;
    let Some((header_row, rest)) = split_header(&cells) else {
        return Err(ImportError::Empty {
            file: file.to_string(),
        });
    };
    let (Some(first), Some(last)) = (header_row.first(), header_row.last()) else {
        return Err(ImportError::Empty {
            file: file.to_string(),
        });
    };
    let (first_column, last_column) = (first.column, last.column);
    let width = last_column - first_column + 1;
    if width > MAX_SHEET_COLUMNS {
        return Err(ImportError::NotAList {
            file: file.to_string(),
            reason: format!(
                "its header runs from {} to {}, {width} columns, and a list may have at most \
                 {MAX_SHEET_COLUMNS}: delete the stray cell {} (or whatever stands far to the \
                 right of the column names), or save the sheet as CSV",
                cell_name(first.row, first_column),
                cell_name(last.row, last_column),
                cell_name(last.row, last_column),
            ),
        });
    }
    let mut header = vec![String::new(); width as usize];
    for cell in header_row {
        header[(cell.column - first_column) as usize] = cell.text.trim().to_string();
    }
    check_header(file, &header)?;

    let mut rows = Vec::new();
    let mut problems = Vec::new();
    let mut blank_rows = Vec::new();
    let mut previous_row = first.row;
    let header_columns = if first_column == last_column {
        format!("column {}", column_name(first_column))
    } else {
        format!(
            "columns {} to {}",
            column_name(first_column),
            column_name(last_column)
        )
    };
    let mut line_cells: Vec<&str> = vec![""; width as usize];
    for row_cells in rest.chunk_by(|a, b| a.row == b.row) {
        let Some(row) = row_cells.first().map(|c| c.row) else {
            continue;
        };
        let row_number = u64::from(row) + 1;
        if row > previous_row + 1 {
            blank_rows.push(BlankRows::in_sheet(
                u64::from(previous_row) + 2,
                row_number - 1,
            ));
        }
        previous_row = row;
        line_cells.fill("");
        for cell in row_cells {
            if let Some(slot) = cell
                .column
                .checked_sub(first_column)
                .and_then(|index| line_cells.get_mut(index as usize))
            {
                *slot = &cell.text;
            }
        }
        let outside = row_cells
            .iter()
            .find(|c| c.column < first_column || c.column > last_column);
        if let Some(cell) = outside {
            problems.push(RowProblem::cell(
                row_number,
                0,
                &column_name(cell.column),
                format!(
                    "cell {} holds a value, but the header (row {}) names only {}: give \
                     column {} a name in the header, or delete the cell",
                    cell_name(cell.row, cell.column),
                    u64::from(first.row) + 1,
                    header_columns,
                    column_name(cell.column),
                ),
            ));
        }
        let row = RawRow::new(
            row_number,
            0,
            line_cells.join("\t"),
            line_cells.iter().copied(),
        );
        if let Some(problem) = shape_problem(&header, &row, row_number, 0) {
            problems.push(problem);
        }
        rows.push(row);
    }
    finish_table(
        file,
        RawTable {
            header,
            rows,
            delimiter: String::new(),
            problems,
            blank_rows,
        },
    )
}

/// The header row's cells and the cells after it, or `None` for a sheet with nothing in it.
fn split_header(cells: &[SheetCell]) -> Option<(&[SheetCell], &[SheetCell])> {
    let header_row = cells.first()?.row;
    Some(cells.split_at(cells.partition_point(|c| c.row == header_row)))
}

/// Every cell of the first sheet that holds something, in row then column order.
///
/// XLSX and XLSB sheets are read cell by cell: building calamine's `Range` allocates the whole
/// rectangle up to the farthest cell, 512 GB for one cell in `XFD1048576`. XLS and ODS sheets
/// come only as a `Range`; their formats cap it (XLS at 65,536 × 256 cells, calamine's ODS
/// reader at 100 million).
fn sheet_cells(file: &str, bytes: &[u8]) -> Result<Vec<SheetCell>, ImportError> {
    use calamine::{Data, Reader, Sheets};
    let not_a_list = |reason: String| ImportError::NotAList {
        file: file.to_string(),
        reason,
    };
    let cannot_read =
        |e: &dyn std::fmt::Display| not_a_list(format!("its first sheet cannot be read: {e}"));
    let mut workbook = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e| not_a_list(format!("the spreadsheet cannot be opened: {e}")))?;
    let Some(sheet) = workbook.sheet_names().first().cloned() else {
        return Err(ImportError::Empty {
            file: file.to_string(),
        });
    };
    let mut cells = Vec::new();
    let mut keep = |(row, column): (u32, u32), value: &Data| {
        let text = cell_text(value);
        if !text.trim().is_empty() {
            cells.push(SheetCell { row, column, text });
        }
    };
    match &mut workbook {
        Sheets::Xlsx(xlsx) => {
            let mut reader = xlsx
                .worksheet_cells_reader(&sheet)
                .map_err(|e| cannot_read(&e))?;
            read_cells(|| reader.next_cell(), &mut keep).map_err(|e| cannot_read(&e))?;
        }
        Sheets::Xlsb(xlsb) => {
            let mut reader = xlsb
                .worksheet_cells_reader(&sheet)
                .map_err(|e| cannot_read(&e))?;
            read_cells(|| reader.next_cell(), &mut keep).map_err(|e| cannot_read(&e))?;
        }
        other => {
            let range = other.worksheet_range(&sheet).map_err(|e| cannot_read(&e))?;
            let (top, left) = range.start().unwrap_or_default();
            for (row, column, value) in range.used_cells() {
                keep((top + row as u32, left + column as u32), value);
            }
        }
    }
    // Cells come in the order the file lists them, which need not be the sheet's.
    cells.sort_by_key(|c| (c.row, c.column));
    Ok(cells)
}

/// Hands each cell a calamine cells reader yields (`next_cell`) to `keep`.
fn read_cells<'a, E>(
    mut next_cell: impl FnMut() -> Result<Option<calamine::Cell<calamine::DataRef<'a>>>, E>,
    keep: &mut impl FnMut((u32, u32), &calamine::Data),
) -> Result<(), E> {
    while let Some(cell) = next_cell()? {
        keep(
            cell.get_position(),
            &calamine::Data::from(cell.get_value().clone()),
        );
    }
    Ok(())
}

/// A column as a spreadsheet names it: `A`, `Z`, `AA`, … `XFD` (from a 0-based index).
fn column_name(column: u32) -> String {
    let mut name = Vec::new();
    let mut rest = u64::from(column) + 1;
    while rest > 0 {
        let letter = (rest - 1) % 26;
        name.push(char::from(b'A' + letter as u8));
        rest = (rest - 1) / 26;
    }
    name.iter().rev().collect()
}

/// A cell as a spreadsheet names it, `C4` (from 0-based row and column).
fn cell_name(row: u32, column: u32) -> String {
    format!("{}{}", column_name(column), u64::from(row) + 1)
}

/// The table, unless it has a header and nothing else (rows with problems count as rows).
fn finish_table(file: &str, table: RawTable) -> Result<RawTable, ImportError> {
    if table.rows.is_empty() && table.problems.is_empty() {
        return Err(ImportError::HeaderOnly {
            file: file.to_string(),
        });
    }
    Ok(table)
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
    fn text_after_a_closing_quote_is_refused_naming_the_column() {
        let csv = "given_name,surname,city\n\
                   Ali,\"Rostami\"x,Qom\n\
                   Reza,\"Karimi, Zahra\",\"Tehran\"\n\
                   \"He said \"\"hi\"\"\",Zah\"ra,\"two\nlines\"\n";
        let problems = read_csv("q.csv", csv).unwrap().problems;
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(
            (problems[0].row, problems[0].column.as_deref()),
            (1, Some("surname"))
        );
        assert!(problems[0].message.contains("text follows a closing quote"));
    }

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
    fn rows_of_empty_cells_are_taken_out_as_runs_with_their_lines() {
        let table = read_csv("l.csv", "a,b\n1,2\n,\n , \n3,4\n,,,\n").unwrap();
        let kept: Vec<u64> = table.rows.iter().map(|r| r.row_number).collect();
        assert_eq!(kept, [1, 4]);
        assert!(table.problems.is_empty(), "{:?}", table.problems);
        assert_eq!(
            table.blank_rows,
            [
                BlankRows {
                    first_row: 2,
                    last_row: 3,
                    lines: (3, 4)
                },
                BlankRows {
                    first_row: 5,
                    last_row: 5,
                    lines: (6, 6)
                }
            ]
        );
        assert_eq!(
            table.blank_rows[0].to_string(),
            "rows 2–3 (lines 3–4) are empty"
        );
        assert_eq!(table.blank_rows[1].to_string(), "row 5 (line 6) is empty");
    }

    #[test]
    fn a_header_and_empty_cells_alone_is_a_header_only_file() {
        assert!(matches!(
            read_csv("l.csv", "record_id,given_name,surname\n,,\n"),
            Err(ImportError::HeaderOnly { .. })
        ));
    }

    #[test]
    fn spreadsheet_columns_and_cells_are_named_as_a_spreadsheet_names_them() {
        let cases = [
            (0, "A"),
            (25, "Z"),
            (26, "AA"),
            (701, "ZZ"),
            (702, "AAA"),
            (16_383, "XFD"),
        ];
        for (column, name) in cases {
            assert_eq!(column_name(column), name, "{column}");
        }
        assert_eq!(cell_name(1_048_575, 16_383), "XFD1048576");
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
