//! Spreadsheet lists (XLSX) read like CSV ones: header, rows, typed cells, row problems.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap should fail loudly

use domain::fields::CanonicalField;
use domain::record::FieldValue;
use import::{ImportError, ReadOptions, read_list};
use rust_xlsxwriter::Workbook;

fn workbook(rows: &[&[&str]], number_in_row_one: Option<f64>) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, *cell).unwrap();
        }
    }
    if let Some(number) = number_in_row_one {
        sheet.write_number(1, rows[0].len() as u16, number).unwrap();
        sheet
            .write_string(0, rows[0].len() as u16, "birth_year")
            .unwrap();
    }
    workbook.save_to_buffer().unwrap()
}

#[test]
fn an_xlsx_list_is_read_with_persian_text_and_whole_numbers() {
    let bytes = workbook(
        &[
            &["record_id", "given_name", "surname"],
            &["x1", "محمد", "رضایی"],
            &["x2", "Zahra", "Karimi"],
        ],
        Some(1340.0),
    );
    let list = read_list("list.xlsx", &bytes, &ReadOptions::default()).unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list.encoding, "binary");
    let first = list.records().next().unwrap();
    assert_eq!(first.raw_values, vec!["x1", "محمد", "رضایی", "1340"]);
    assert_eq!(
        first.field(CanonicalField::Surname),
        Some(&FieldValue::Text {
            text: "رضایی".into()
        })
    );
    assert!(matches!(
        first.field(CanonicalField::BirthYear),
        Some(FieldValue::Years { .. })
    ));
}

#[test]
fn a_bad_value_in_an_xlsx_list_is_named_by_row_and_column() {
    let bytes = workbook(
        &[
            &["given_name", "execution_date"],
            &["Ali", "1367/05/12"],
            &["Reza", "1367/13/40"],
        ],
        None,
    );
    let error = read_list("list.xlsx", &bytes, &ReadOptions::default()).unwrap_err();
    let ImportError::Rows { problems, .. } = &error else {
        panic!("{error}")
    };
    assert_eq!(problems.len(), 1);
    // The sheet's own row number: the header is row 1.
    assert_eq!(
        (problems[0].row, problems[0].column.as_deref()),
        (3, Some("execution_date"))
    );
}

#[test]
fn a_damaged_spreadsheet_is_not_a_list() {
    let mut bytes = workbook(&[&["given_name"], &["Ali"]], None);
    bytes.truncate(bytes.len() / 2);
    let error = read_list("broken.xlsx", &bytes, &ReadOptions::default()).unwrap_err();
    assert!(matches!(error, ImportError::NotAList { .. }), "{error}");
}

/// (0-based row, 0-based column, text) of each cell a test writes.
type Cells<'a> = &'a [(u32, u16, &'a str)];

/// A workbook with these cells.
fn workbook_with_cells(cells: Cells<'_>) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    for (row, column, text) in cells {
        sheet.write_string(*row, *column, *text).unwrap();
    }
    workbook.save_to_buffer().unwrap()
}

fn row_problems(error: &ImportError) -> &[import::RowProblem] {
    let ImportError::Rows { problems, .. } = error else {
        panic!("expected row problems, got: {error}")
    };
    problems
}

#[test]
fn a_header_that_runs_to_a_far_column_is_refused_naming_the_cell() {
    let bytes = workbook_with_cells(&[(0, 0, "given_name"), (0, 16_383, "x"), (1, 0, "Parvaneh")]);
    let error = read_list("wide.xlsx", &bytes, &ReadOptions::default()).unwrap_err();
    assert!(matches!(error, ImportError::NotAList { .. }), "{error}");
    let message = error.to_string();
    for expected in [
        "wide.xlsx",
        "XFD1",
        "16384 columns",
        "save the sheet as CSV",
    ] {
        assert!(message.contains(expected), "{expected}: {message}");
    }
}

#[test]
fn a_problem_in_a_sheet_names_the_sheets_own_row_and_column() {
    // Review 17a: a cell in XFD1048576 made calamine allocate 512 GB and abort; a header in
    // C3 gave "row 1" for the sheet's row 4; a value right of the header was kept nameless.
    let cases: [(Cells<'_>, (u64, &str), &str, &str); 3] = [
        (
            &[
                (0, 0, "given_name"),
                (1, 0, "Parvaneh"),
                (1_048_575, 16_383, "x"),
            ],
            (1_048_576, "XFD"),
            "row 1048576, column `XFD`: cell XFD1048576 holds a value, but the header (row 1) \
             names only column A: give column XFD a name in the header, or delete the cell",
            "a stray cell in the sheet's last cell",
        ),
        (
            &[
                (2, 2, "given_name"),
                (2, 3, "age"),
                (3, 2, "Parvaneh"),
                (3, 3, "-4"),
            ],
            (4, "age"),
            "row 4, column `age`: ",
            "a header in C3 and a bad age in D4",
        ),
        (
            &[
                (0, 0, "given_name"),
                (0, 1, "surname"),
                (1, 0, "Parvaneh"),
                (2, 0, "Kamran"),
                (2, 1, "Tabesh"),
                (2, 3, "extra"),
            ],
            (3, "D"),
            "row 3, column `D`: cell D3 holds a value, but the header (row 1) names only \
             columns A to B",
            "a value right of the header",
        ),
    ];
    for (cells, (row, column), expected, description) in cases {
        let bytes = workbook_with_cells(cells);
        assert!(bytes.len() < 10_000, "{description}: {} bytes", bytes.len());
        let error = read_list("list.xlsx", &bytes, &ReadOptions::default()).unwrap_err();
        let problems = row_problems(&error);
        assert_eq!(problems.len(), 1, "{description}: {error}");
        assert_eq!(
            (problems[0].row, problems[0].column.as_deref()),
            (row, Some(column)),
            "{description}"
        );
        let message = error.to_string();
        assert!(
            message.starts_with("list.xlsx: "),
            "{description}: {message}"
        );
        assert!(
            problems[0].to_string().starts_with(expected),
            "{description}: {}",
            problems[0]
        );
    }
}

#[test]
fn empty_rows_in_a_sheet_are_skipped_with_a_warning_on_the_next_record() {
    let bytes = workbook_with_cells(&[
        (0, 0, "given_name"),
        (0, 1, "surname"),
        (1, 0, "Parvaneh"),
        (2, 0, " "),
        (4, 0, "Kamran"),
    ]);
    let list = read_list("gaps.xlsx", &bytes, &ReadOptions::default()).unwrap();
    assert_eq!(list.blank_rows(), 2);
    let records: Vec<_> = list.records().collect();
    assert_eq!(
        records.iter().map(|r| r.row_number).collect::<Vec<_>>(),
        [2, 5]
    );
    assert!(records[0].warnings.is_empty(), "{:?}", records[0].warnings);
    assert_eq!(
        records[1].warnings,
        ["rows 3–4 are empty and were skipped (just above this row)"]
    );
}
