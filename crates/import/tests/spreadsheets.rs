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
    assert_eq!(
        (problems[0].row, problems[0].column.as_deref()),
        (2, Some("execution_date"))
    );
}

#[test]
fn a_damaged_spreadsheet_is_not_a_list() {
    let mut bytes = workbook(&[&["given_name"], &["Ali"]], None);
    bytes.truncate(bytes.len() / 2);
    let error = read_list("broken.xlsx", &bytes, &ReadOptions::default()).unwrap_err();
    assert!(matches!(error, ImportError::NotAList { .. }), "{error}");
}
