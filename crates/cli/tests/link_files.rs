//! `whereabouts link-files` end to end: small lists in, clusters out, and bad input refused
//! with a message that names the problem.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap should fail loudly

use std::path::{Path, PathBuf};
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

/// The command failed and said `needle`.
fn assert_refused(output: &Output, needle: &str) {
    assert!(!output.status.success(), "accepted: {}", stderr(output));
    assert!(stderr(output).contains(needle), "{}", stderr(output));
}

const LIST_A: &str = "record_id,given_name,surname,father_name,birth_year\n\
    1,Mohammad,Rezaei,Ali,1340\n2,Fatemeh,Karimi,Hassan,1345\n";

/// `whereabouts synth` lists in `dir/lists`: the list files and the truth file.
fn synth_lists(dir: &Path, persons: usize, sources: usize, seed: u64) -> (Vec<String>, PathBuf) {
    let lists = dir.join("lists");
    let synth = Command::new(env!("CARGO_BIN_EXE_whereabouts"))
        .args(["synth", "--out", lists.to_str().unwrap()])
        .args([
            "--persons",
            &persons.to_string(),
            "--sources",
            &sources.to_string(),
        ])
        .args(["--seed", &seed.to_string()])
        .output()
        .unwrap();
    assert!(synth.status.success(), "{}", stderr(&synth));
    let files = (1..=sources)
        .map(|k| {
            lists
                .join(format!("source_{k}.csv"))
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    (files, lists.join("truth.csv"))
}

/// `link-files` on `synth_lists(dir, persons, sources, seed)` with `--out out`, `--truth` and
/// `options`; it must succeed. Returns its output and the truth file.
fn link_synth_lists(
    dir: &Path,
    (persons, sources, seed): (usize, usize, u64),
    out: &Path,
    options: &[&str],
) -> (Output, PathBuf) {
    let (files, truth) = synth_lists(dir, persons, sources, seed);
    let mut args: Vec<&str> = files.iter().map(String::as_str).collect();
    args.extend(["--out", out.to_str().unwrap()]);
    args.extend(["--truth", truth.to_str().unwrap()]);
    args.extend(options);
    let output = link_files(&args);
    assert!(output.status.success(), "{}", stderr(&output));
    (output, truth)
}

#[test]
fn synthetic_lists_in_two_scripts_are_linked_and_scored_against_truth() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("clusters.csv");
    let (output, truth) = link_synth_lists(dir.path(), (3000, 3, 1), &out, &[]);
    let clusters = std::fs::read_to_string(&out).unwrap();
    let truth_rows = std::fs::read_to_string(&truth).unwrap().lines().count();
    assert_eq!(clusters.lines().next(), Some("source,record_id,cluster_id"));
    assert_eq!(clusters.lines().count(), truth_rows, "one row per record");
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(reported_f1(&report, "linkage") > 0.8, "{report}");
    assert!(report.contains("blocking recall"), "{report}");
}

/// The number after `label: ` and before ` clusters` in a `link-files --truth` report.
fn reported_clusters(report: &str, label: &str) -> usize {
    report
        .lines()
        .find_map(|line| {
            line.strip_prefix(label)?
                .strip_prefix(": ")?
                .split_once(" clusters")
        })
        .and_then(|(count, _)| count.parse().ok())
        .unwrap_or_else(|| panic!("no cluster count for {label:?} in {report}"))
}

fn distinct_clusters(path: &Path) -> usize {
    let rows = csv_rows(path);
    let ids: std::collections::HashSet<&str> = rows.iter().map(|row| row[2].as_str()).collect();
    ids.len()
}

#[test]
fn a_simulated_review_writes_the_reviewed_clusters_beside_the_first_ones() {
    let dir = tempfile::tempdir().unwrap();
    let (out, reviewed) = (
        dir.path().join("first.csv"),
        dir.path().join("reviewed.csv"),
    );
    let review = ["--simulate-review", "100000", "--reviewed-clusters"];
    let options = [&review[..], &[reviewed.to_str().unwrap()]].concat();
    let (output, _) = link_synth_lists(dir.path(), (2000, 4, 3), &out, &options);
    let report = String::from_utf8_lossy(&output.stdout);
    let decisions = report
        .lines()
        .find_map(|line| line.strip_prefix("after ")?.split_once(" review decisions"))
        .map(|(n, _)| n)
        .unwrap_or_else(|| panic!("no review in {report}"));
    let after = format!("after {decisions} review decisions");
    assert_eq!(
        distinct_clusters(&out),
        reported_clusters(&report, "linkage")
    );
    assert_eq!(
        distinct_clusters(&reviewed),
        reported_clusters(&report, &after)
    );
    assert_ne!(
        distinct_clusters(&reviewed),
        distinct_clusters(&out),
        "the review changed nothing: {report}"
    );
    assert!(
        reported_f1(&report, &after) > reported_f1(&report, "linkage"),
        "the review did not improve the linkage: {report}"
    );
    let header = std::fs::read_to_string(&reviewed).unwrap();
    assert_eq!(header.lines().next(), Some("source,record_id,cluster_id"));
}

/// The F1 on the `label: ` line of a `link-files --truth` report.
fn reported_f1(report: &str, label: &str) -> f64 {
    report
        .lines()
        .filter_map(|line| line.strip_prefix(label)?.strip_prefix(": "))
        .find_map(|rest| {
            rest.split("F1 ")
                .nth(1)?
                .split_whitespace()
                .next()?
                .parse()
                .ok()
        })
        .unwrap_or_else(|| panic!("no F1 for {label:?} in {report}"))
}

/// A folder holding `LIST_A`, a truth file with the given text (unused when empty) and the
/// path the clusters go to.
struct ListA {
    _dir: tempfile::TempDir,
    list: String,
    truth: String,
    out: String,
}

fn list_a(truth: &str) -> ListA {
    let dir = tempfile::tempdir().unwrap();
    let list = write(dir.path(), "list_a.csv", LIST_A);
    let truth = write(dir.path(), "truth.csv", truth);
    let out = dir
        .path()
        .join("clusters.csv")
        .to_string_lossy()
        .into_owned();
    ListA {
        _dir: dir,
        list,
        truth,
        out,
    }
}

/// `link-files` on `LIST_A` alone, with these options after `--out`.
fn link_list_a(options: &[&str]) -> Output {
    let a = list_a("");
    let mut args = vec![a.list.as_str(), "--out", a.out.as_str()];
    args.extend(options);
    link_files(&args)
}

#[test]
fn outputs_need_what_they_report_on_and_a_file_of_their_own() {
    let output = link_list_a(&["--reviewed-clusters", "r.csv"]);
    assert_refused(&output, "--simulate-review");
    let output = link_list_a(&["--missed-out", "m.csv"]);
    assert_refused(&output, "--truth");
    let a = list_a("source,record_id,person_id\nlist_a,1,p1\nlist_a,2,p2\n");
    let review = format!("{}.review.csv", a.out);
    let review_twice = ["--review-out", &review, "--missed-out", &review];
    let dir = Path::new(&a.out).parent().unwrap();
    // The same file written another way: relative to the working directory, set to `dir`.
    let out_twice = [
        "--simulate-review",
        "10",
        "--reviewed-clusters",
        "clusters.csv",
    ];
    let over_truth = ["--review-out", &a.truth, "--simulate-review", "10"];
    for (options, message) in [
        (review_twice, "--review-out and --missed-out are both"),
        (out_twice, "--out and --reviewed-clusters are both"),
        (over_truth, "one of the files read"),
    ] {
        let mut args = vec![a.list.as_str(), "--out", &a.out, "--truth", &a.truth];
        args.extend(options);
        let output = Command::new(env!("CARGO_BIN_EXE_whereabouts"))
            .current_dir(dir)
            .arg("link-files")
            .args(&args)
            .output()
            .unwrap();
        assert_refused(&output, message);
        assert!(
            !Path::new(&a.out).exists(),
            "nothing written before the refusal"
        );
    }
}

/// The number before `label` in `(N true pairs, N predicted, N correct)` of the first linkage.
fn reported_pairs(report: &str, label: &str) -> usize {
    report
        .lines()
        .find_map(|line| line.strip_prefix("linkage: precision"))
        .and_then(|line| {
            line.split(['(', ',', ')'])
                .find_map(|part| part.trim().strip_suffix(label)?.trim().parse().ok())
        })
        .unwrap_or_else(|| panic!("no {label:?} in {report}"))
}

#[test]
fn the_true_pairs_left_apart_are_written_with_their_weights() {
    let dir = tempfile::tempdir().unwrap();
    let (out, missed) = (
        dir.path().join("clusters.csv"),
        dir.path().join("missed.csv"),
    );
    let options = ["--missed-out", missed.to_str().unwrap()];
    let (output, truth) = link_synth_lists(dir.path(), (2000, 4, 5), &out, &options);
    let report = String::from_utf8_lossy(&output.stdout);
    let left_apart = reported_pairs(&report, "true pairs") - reported_pairs(&report, "correct");
    assert!(left_apart > 0, "nothing to explain: {report}");
    assert!(
        stderr(&output).contains(&format!("{left_apart} true pairs left apart")),
        "{}",
        stderr(&output)
    );

    let person: std::collections::HashMap<String, String> = csv_rows(&truth)
        .into_iter()
        .map(|row| (format!("{},{}", row[0], row[1]), row[2].clone()))
        .collect();
    let cluster: std::collections::HashMap<String, String> = csv_rows(&out)
        .into_iter()
        .map(|row| (format!("{},{}", row[0], row[1]), row[2].clone()))
        .collect();
    let text = std::fs::read_to_string(&missed).unwrap();
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    assert_eq!(
        header[..6],
        [
            "source_a",
            "record_id_a",
            "source_b",
            "record_id_b",
            "compared",
            "probability"
        ]
    );
    assert!(header.contains(&"given_name_weight"), "{header:?}");
    assert!(header.contains(&"given_name_level"), "{header:?}");
    assert_eq!(
        header.len() % 2,
        0,
        "a weight and a level per field: {header:?}"
    );
    let rows = csv_rows(&missed);
    assert_eq!(rows.len(), left_apart, "one row per true pair left apart");
    for row in &rows {
        let (a, b) = (
            format!("{},{}", row[0], row[1]),
            format!("{},{}", row[2], row[3]),
        );
        assert_eq!(person[&a], person[&b], "{a} and {b} are one person");
        assert_ne!(cluster[&a], cluster[&b], "{a} and {b} were left apart");
        assert!(["yes", "no"].contains(&row[4].as_str()), "{row:?}");
        let probability: f64 = row[5].parse().unwrap();
        assert!((0.0..=1.0).contains(&probability), "{row:?}");
        for cells in row[6..].chunks(2) {
            assert!(cells[0].parse::<f64>().is_ok(), "a weight: {cells:?}");
            assert!(cells[1].parse::<f64>().is_err(), "a level: {cells:?}");
        }
    }
}

/// The rows of a CSV file after its header.
fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    reader
        .records()
        .map(|row| row.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn a_map_onto_a_missing_column_is_refused() {
    let output = link_list_a(&["--map", "given_name=vorname"]);
    assert_refused(&output, "no column `vorname`");
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
fn a_list_can_come_through_a_pipe() {
    use std::io::Write;
    let a = list_a("");
    let mut child = Command::new(env!("CARGO_BIN_EXE_whereabouts"))
        .args(["link-files", &a.list, "/dev/stdin", "--out", &a.out])
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(LIST_A.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let clusters = std::fs::read_to_string(&a.out).unwrap();
    assert!(clusters.contains("stdin,1,"), "{clusters}");
}

#[test]
fn files_that_are_no_lists_and_unknown_stems_are_refused_before_the_run() {
    let a = list_a("");
    let dir = Path::new(&a.out).parent().unwrap();
    let table = write(dir, "patterns.csv", "A,B,count\n1,0,30\n0,1,20\n");
    let empty = write(dir, "empty.csv", "");
    let header_only = write(dir, "header_only.csv", "record_id,given_name,surname\n");
    let (windows_1256, _, _) = encoding_rs::WINDOWS_1256.encode("record_id,given_name\n1,زهرا\n");
    let persian = dir.join("persian.csv");
    std::fs::write(&persian, &windows_1256).unwrap();
    let folder = dir.to_str().unwrap();
    for (args, said) in [
        (
            vec![a.list.as_str(), &table],
            "has none of the columns linkage compares",
        ),
        (
            vec![a.list.as_str(), &empty],
            "has none of the columns linkage compares",
        ),
        (vec![a.list.as_str(), &header_only], "has no records"),
        (vec![persian.to_str().unwrap()], "row 1 is not UTF-8"),
        (vec![a.list.as_str(), "--truth", folder], "is a folder"),
        (
            vec![a.list.as_str(), "--duplicate-free", "list_b"],
            "--duplicate-free names `list_b`, which is none of the lists",
        ),
    ] {
        let mut args = args;
        args.extend(["--out", a.out.as_str()]);
        assert_refused(&link_files(&args), said);
        assert!(!Path::new(&a.out).exists(), "{said}: nothing written");
    }
}

#[test]
fn the_same_list_given_twice_is_refused() {
    let a = list_a("");
    let output = link_files(&[&a.list, &a.list, "--out", &a.out]);
    assert_refused(&output, "given twice");
}

#[test]
fn a_truth_file_naming_unknown_records_is_refused() {
    let a = list_a("source,record_id,person_id\nlist_a,1,p1\nlist_a,99,p2\n");
    let output = link_files(&[&a.list, "--out", &a.out, "--truth", &a.truth]);
    assert_refused(&output, "(list_a, 99) is in none of the lists");
}

#[test]
fn a_record_id_given_twice_in_one_list_is_refused_and_a_bad_row_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let twice = write(
        dir.path(),
        "twice.csv",
        "record_id,given_name,surname\n1,Ali,Rezaei\n2,Reza,Karimi\n1,Hasan,Ahmadi\n",
    );
    let ragged = write(
        dir.path(),
        "ragged.csv",
        "record_id,given_name,surname\n1,Ali,Rezaei\n2,Reza\n",
    );
    let out = dir.path().join("clusters.csv");
    let output = link_files(&[&twice, "--out", out.to_str().unwrap()]);
    assert_refused(&output, "twice.csv: record id `1` appears twice");
    let output = link_files(&[&ragged, &twice, "--out", out.to_str().unwrap()]);
    assert_refused(&output, "ragged.csv: reading row 2");
}
