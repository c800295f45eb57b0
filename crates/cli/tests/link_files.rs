//! `whereabouts link-files` end to end: small lists in, clusters out, and bad input refused
//! with a message that names the problem.

use std::path::Path;
use std::process::{Command, Output};

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

fn link_files(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_whereabouts"))
        .arg("link-files")
        .args(args)
        .output()
        .unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

const LIST_A: &str = "record_id,given_name,surname,father_name,birth_year\n\
    1,Mohammad,Rezaei,Ali,1340\n2,Fatemeh,Karimi,Hassan,1345\n";
const LIST_B: &str = "id,given_name,surname,father_name,birth_year\n\
    7,محمد,رضایی,علی,1340\n8,Zahra,Ahmadi,Reza,1338\n";

#[test]
fn two_lists_in_two_scripts_are_linked_into_clusters() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "list_a.csv", LIST_A);
    let b = write(
        dir.path(),
        "list_b.csv",
        LIST_B.replace("id,", "record_id,").as_str(),
    );
    let out = dir.path().join("clusters.csv");
    let output = link_files(&[&a, &b, "--out", out.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let clusters = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<&str> = clusters.lines().collect();
    assert_eq!(lines[0], "source,record_id,cluster_id");
    assert_eq!(lines.len(), 5);
    let cluster = |prefix: &str| {
        lines
            .iter()
            .find(|l| l.starts_with(prefix))
            .unwrap()
            .rsplit(',')
            .next()
            .unwrap()
            .to_string()
    };
    assert_eq!(cluster("list_a,1,"), cluster("list_b,7,"), "{clusters}");
    assert_ne!(cluster("list_a,2,"), cluster("list_b,8,"), "{clusters}");
}

#[test]
fn a_map_onto_a_missing_column_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "list_a.csv", LIST_A);
    let out = dir.path().join("clusters.csv");
    let output = link_files(&[
        &a,
        "--out",
        out.to_str().unwrap(),
        "--map",
        "given_name=vorname",
    ]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("no column `vorname`"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn lists_with_no_usable_name_column_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "places.csv", "record_id,city\n1,Tehran\n");
    let empty = write(
        dir.path(),
        "empty.csv",
        "record_id,given_name,surname\n1,,\n2,,\n",
    );
    for file in [a, empty] {
        let out = dir.path().join("clusters.csv");
        let output = link_files(&[&file, "--out", out.to_str().unwrap()]);
        assert!(!output.status.success(), "{file}");
        assert!(
            stderr(&output).contains("no usable name column"),
            "{}",
            stderr(&output)
        );
    }
}

#[test]
fn the_same_list_given_twice_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "list_a.csv", LIST_A);
    let out = dir.path().join("clusters.csv");
    let output = link_files(&[&a, &a, "--out", out.to_str().unwrap()]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("given twice"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_truth_file_naming_unknown_records_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "list_a.csv", LIST_A);
    let truth = write(
        dir.path(),
        "truth.csv",
        "source,record_id,person_id\nlist_a,1,p1\nlist_a,99,p2\n",
    );
    let out = dir.path().join("clusters.csv");
    let output = link_files(&[&a, "--out", out.to_str().unwrap(), "--truth", &truth]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("(list_a, 99) is in none of the lists"),
        "{}",
        stderr(&output)
    );
}
