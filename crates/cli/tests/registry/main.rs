//! The registry commands end to end through the real binary: import (and every kind of bad
//! input it must refuse without changing the registry), audit verify, backup and restore,
//! export, and an import killed half-way.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap should fail loudly

mod helpers;

use helpers::{TestRegistry, binary};
use std::time::{Duration, Instant};

const GOOD_LIST: &str = "record_id,given_name,surname,father_name,sex,age,prison,execution_date\n\
    a1,Mohammad,Rezaei,Ali,m,27,Evin,12 Mordad 1367\n\
    a2,زهرا,حسن‌زاده,حسین,f,۲۴,گوهردشت,۱۳۶۷/۰۶/۰۵\n\
    a3,Hossein,Karimi,,m,,Evin,summer 1988\n";

/// Imports a list that must be refused, and checks the error names what it should and that
/// the registry holds exactly what it held before.
fn assert_refused(
    registry: &TestRegistry,
    name: &str,
    bytes: &[u8],
    extra: &[&str],
    expected: &[&str],
) {
    let before = registry.exported();
    let path = registry.file(name, bytes);
    let run = registry.import(&path, "bad-list", extra);
    assert!(!run.success, "{name} was accepted: {}", run.stdout);
    for part in expected {
        assert!(
            run.stderr.contains(part),
            "{name}: the error should mention {part:?}:\n{}",
            run.stderr
        );
    }
    assert!(!run.stderr.contains("panicked"), "{name}: {}", run.stderr);
    assert_eq!(registry.exported(), before, "{name} changed the registry");
    registry.verified_audit();
}

#[test]
fn a_good_list_is_imported_with_persian_text_kept_as_written() {
    let registry = TestRegistry::new();
    let path = registry.file("good.csv", GOOD_LIST.as_bytes());
    let run = registry.import(&path, "list-a", &[]);
    assert!(run.success, "{}", run.stderr);
    assert!(run.stdout.contains("imported 3 records"), "{}", run.stdout);
    let rows = registry.exported();
    assert_eq!(rows.len(), 3);
    assert!(rows[1].contains("حسن‌زاده"), "ZWNJ kept: {}", rows[1]);
    assert!(
        rows[1].contains("۱۳۶۷/۰۶/۰۵"),
        "date kept as written: {}",
        rows[1]
    );
    assert!(
        registry.verified_audit().contains("3 entries"),
        "one for the first administrator (made by init), one for the new source, one for the import"
    );
}

#[test]
fn a_windows_1256_list_is_detected_and_can_be_forced() {
    let registry = TestRegistry::new();
    let (bytes, _, _) =
        encoding_rs::WINDOWS_1256.encode("given_name,surname\nعلي,رضايي\nحسين,کاظمي\n");
    let path = registry.file("legacy.csv", &bytes);
    let run = registry.import(&path, "legacy", &[]);
    assert!(run.success, "{}", run.stderr);
    assert!(run.stdout.contains("windows-1256"), "{}", run.stdout);
    assert!(registry.exported()[0].contains("رضايي"));

    let forced = registry.import(&path, "legacy-again", &["--encoding", "utf-8", "--force"]);
    assert!(!forced.success);
    assert!(
        forced.stderr.contains("legacy.csv, line 2"),
        "{}",
        forced.stderr
    );
}

#[test]
fn the_same_file_twice_is_refused_unless_forced() {
    let registry = TestRegistry::new();
    let path = registry.file("good.csv", GOOD_LIST.as_bytes());
    let first_dry_run = registry.import(&path, "list-a", &["--dry-run"]);
    assert!(
        first_dry_run.stdout.contains("not imported before"),
        "{}",
        first_dry_run.stdout
    );
    assert!(registry.import(&path, "list-a", &[]).success);
    for extra in [&[][..], &["--dry-run"]] {
        let again = registry.import(&path, "list-b", extra);
        assert!(!again.success, "{extra:?}");
        assert!(
            again
                .stderr
                .contains("already imported into source `list-a`"),
            "{extra:?}: {}",
            again.stderr
        );
    }
    assert_eq!(registry.exported().len(), 3);
    assert!(registry.import(&path, "list-b", &["--force"]).success);
    assert_eq!(registry.exported().len(), 6);
}

#[test]
fn malformed_csv_is_refused_naming_the_place() {
    let registry = TestRegistry::new();
    assert_refused(
        &registry,
        "quotes.csv",
        b"given_name,surname,city\nAli,\"Rezaei,Tehran\nReza,Karimi,Qom\n",
        &[],
        &["quotes.csv", "row 1", "column `surname`", "quote"],
    );
    assert_refused(
        &registry,
        "ragged.csv",
        b"given_name,surname,city\nAli,Rezaei,Tehran\nReza,Karimi\n",
        &[],
        &[
            "ragged.csv",
            "row 2 (line 3)",
            "2 cells",
            "leave a cell empty",
        ],
    );
    assert_refused(
        &registry,
        "comma.csv",
        b"given_name,surname,city\nAli,Rezaei,Tehran, Evin\n",
        &[],
        &[
            "comma.csv",
            "row 1 (line 2)",
            "4 cells",
            "must be in double quotes",
        ],
    );
}

#[test]
fn wrong_and_mixed_encodings_are_refused_naming_the_line() {
    let registry = TestRegistry::new();
    let (legacy, _, _) = encoding_rs::WINDOWS_1256.encode("حسين,کاظمي\n");
    let mixed = [
        b"given_name,surname\n".as_slice(),
        "علی,رضایی\n".as_bytes(),
        &legacy,
    ]
    .concat();
    assert_refused(
        &registry,
        "mixed.csv",
        &mixed,
        &[],
        &["mixed.csv", "line 3", "one encoding"],
    );
    let (legacy_file, _, _) = encoding_rs::WINDOWS_1256.encode("given_name\nAli\nعلي\n");
    assert_refused(
        &registry,
        "forced.csv",
        &legacy_file,
        &["--encoding", "utf-8"],
        &["forced.csv", "line 3", "--encoding"],
    );
}

#[test]
fn empty_header_only_and_non_csv_files_are_refused() {
    let registry = TestRegistry::new();
    assert_refused(&registry, "empty.csv", b"", &[], &["empty.csv is empty"]);
    assert_refused(
        &registry,
        "header.csv",
        b"given_name,surname\n",
        &[],
        &["header.csv has a header but no rows"],
    );
    assert_refused(
        &registry,
        "image.csv",
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0",
        &[],
        &["image.csv", "PNG image"],
    );
    assert_refused(
        &registry,
        "words.csv",
        b"Dear colleagues,\nplease find attached the list.\n",
        &[],
        &["words.csv", "no column holds a name"],
    );
}

#[test]
fn a_100_mb_field_is_refused_without_being_echoed() {
    let registry = TestRegistry::new();
    let mut bytes = b"given_name,notes\nAli,".to_vec();
    bytes.extend(std::iter::repeat_n(b'x', 100 * 1024 * 1024));
    bytes.push(b'\n');
    let before = registry.exported();
    let path = registry.file("huge.csv", &bytes);
    let run = registry.import(&path, "huge", &[]);
    assert!(!run.success);
    assert!(
        run.stderr.contains("column `notes`") && run.stderr.contains("limit"),
        "{}",
        &run.stderr[..run.stderr.len().min(500)]
    );
    assert!(run.stderr.len() < 2_000, "the field must not be echoed");
    assert_eq!(registry.exported(), before);
}

#[test]
fn unknown_map_columns_and_fields_are_refused() {
    let registry = TestRegistry::new();
    let list = b"name,family\nAli,Rezaei\n";
    assert_refused(
        &registry,
        "map1.csv",
        list,
        &["--map", "given_name=first"],
        &["map1.csv", "no column `first`", "name, family"],
    );
    assert_refused(
        &registry,
        "map2.csv",
        list,
        &["--map", "nickname=name"],
        &["`nickname` is not a canonical field"],
    );
    let mapped = registry.import(
        &registry.file("map3.csv", list),
        "mapped",
        &["--map", "given_name=name,surname=family"],
    );
    assert!(mapped.success, "{}", mapped.stderr);
}

#[test]
fn impossible_dates_and_negative_ages_are_refused_naming_row_and_column() {
    let registry = TestRegistry::new();
    assert_refused(
        &registry,
        "month.csv",
        b"given_name,execution_date\nAli,1367/05/12\nReza,1367/13/40\n",
        &[],
        &["row 2 (line 3), column `execution_date`", "1367/13/40"],
    );
    assert_refused(
        &registry,
        "esfand.csv",
        b"given_name,death_date\nAli,30 Esfand 1367\n",
        &[],
        &["row 1 (line 2), column `death_date`", "Esfand 1367"],
    );
    assert_refused(
        &registry,
        "esfand31.csv",
        b"given_name,death_date\nAli,31 Esfand 1370\n",
        &[],
        &["column `death_date`"],
    );
    assert_refused(
        &registry,
        "age.csv",
        b"given_name,age\nAli,-3\n",
        &[],
        &["row 1 (line 2), column `age`"],
    );
}

#[test]
fn every_problem_in_a_file_is_listed_at_once() {
    let registry = TestRegistry::new();
    assert_refused(
        &registry,
        "many.csv",
        b"given_name,age,sex\nAli,-1,m\nReza,30,x\nHasan,200,m\n",
        &[],
        &[
            "3 row problem(s)",
            "row 1 (line 2), column `age`",
            "row 2 (line 3), column `sex`",
            "row 3 (line 4), column `age`",
        ],
    );
}

#[test]
fn an_audit_row_edited_by_hand_is_named_by_audit_verify() {
    let registry = TestRegistry::new();
    let path = registry.file("good.csv", GOOD_LIST.as_bytes());
    assert!(registry.import(&path, "list-a", &[]).success);
    registry.tamper(&[
        "DROP TRIGGER audit_log_is_append_only",
        "UPDATE audit_log SET payload = replace(payload, '\"rows\":3', '\"rows\":2') WHERE seq = 3",
    ]);
    let run = registry.run(&["audit", "verify"]);
    assert!(!run.success);
    assert!(
        run.stderr.contains("entry 3 does not match its hash"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_backup_restores_into_a_new_folder_and_verifies() {
    let registry = TestRegistry::new();
    let path = registry.file("good.csv", GOOD_LIST.as_bytes());
    assert!(registry.import(&path, "list-a", &[]).success);
    let backup = registry.dir.path().join("registry.backup");
    let run = registry.run(&["backup", "--out", backup.to_str().unwrap()]);
    assert!(run.success, "{}", run.stderr);
    assert!(run.stdout.contains("verified"));

    let restored = registry.dir.path().join("restored");
    let run = binary()
        .args([
            "restore",
            backup.to_str().unwrap(),
            "--data",
            restored.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let export = binary()
        .args(["export", "records", "--data", restored.to_str().unwrap()])
        .output()
        .unwrap();
    let original = registry.run(&["export", "records"]);
    assert_eq!(String::from_utf8_lossy(&export.stdout), original.stdout);
}

#[test]
fn dates_that_cannot_all_be_true_are_kept_with_a_warning_on_the_record() {
    let registry = TestRegistry::new();
    let list = "record_id,given_name,birth_date,arrest_date,execution_date\n\
                b1,Sara,1370-01-01,1367-05-10,1367-06-01\n\
                b2,Reza,,2099-01-01,\n\
                b3,Ali,1340-01-01,1367-05-10,1367-06-01\n";
    let path = registry.file("dates.csv", list.as_bytes());
    let run = registry.import(&path, "list-b", &[]);
    assert!(run.success, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("note: 2 records have dates that cannot all be true"),
        "{}",
        run.stdout
    );
    let rows = registry.exported();
    assert!(
        rows[0].contains("arrest_date `1367-05-10` is before birth_date `1370-01-01`"),
        "{}",
        rows[0]
    );
    assert!(
        rows[1].contains("arrest_date `2099-01-01` is after today"),
        "{}",
        rows[1]
    );
    assert!(!rows[2].contains("cannot be"), "{}", rows[2]);
}

#[test]
fn rows_with_nothing_in_them_are_skipped_and_counted() {
    let registry = TestRegistry::new();
    let with_blank_rows = GOOD_LIST.replacen("\na2,", "\n,,,,,,,\n , ,,,,,,\na2,", 1);
    let path = registry.file("blank-rows.csv", with_blank_rows.as_bytes());
    let run = registry.import(&path, "list-a", &[]);
    assert!(run.success, "{}", run.stderr);
    assert!(
        run.stdout.contains("imported 3 records")
            && run
                .stdout
                .contains("2 rows had nothing in them and were skipped"),
        "{}",
        run.stdout
    );
    assert_eq!(registry.exported().len(), 3);
}

#[test]
fn a_source_name_on_two_lines_or_too_long_is_refused() {
    let registry = TestRegistry::new();
    let path = registry.file("good.csv", GOOD_LIST.as_bytes());
    for (name, said) in [
        ("list-a\nforged line", "control characters"),
        (&"x".repeat(201), "at most 200 characters"),
        ("   ", "name the source"),
    ] {
        let run = registry.import(&path, name, &[]);
        assert!(!run.success, "{name:?} was accepted");
        assert!(run.stderr.contains(said), "{name:?}: {}", run.stderr);
    }
    assert!(registry.exported().is_empty(), "nothing was imported");
}

#[test]
fn no_command_writes_its_output_inside_the_registry_folder() {
    let registry = TestRegistry::new();
    let path = registry.file("good.csv", GOOD_LIST.as_bytes());
    assert!(registry.import(&path, "list-a", &[]).success);
    let before = registry.exported();
    let data = registry.data();
    let database = data.join("registry.sqlite");
    let beside_database = data.join("files").join("..").join("clusters.csv");
    let kosovo = format!(
        "{}/../../../shared/data/mse/kosovo.csv",
        env!("CARGO_MANIFEST_DIR")
    );
    // A link to a file the export would create inside the registry folder.
    let link = registry.dir.path().join("link.csv");
    std::os::unix::fs::symlink(data.join("new.csv"), &link).unwrap();
    let (database, data_path) = (database.to_str().unwrap(), data.to_str().unwrap());
    let attempts: [&[&str]; 6] = [
        &["export", "records", "--out", database, "--data", data_path],
        &[
            "export",
            "records",
            "--out",
            link.to_str().unwrap(),
            "--data",
            data_path,
        ],
        &["backup", "--out", database, "--data", data_path],
        &[
            "estimate", "--table", &kosovo, "--method", "chao", "--plot", database,
        ],
        &[
            "link-files",
            path.to_str().unwrap(),
            "--out",
            beside_database.to_str().unwrap(),
        ],
        &["synth", "--out", data_path, "--persons", "10"],
    ];
    for args in attempts {
        let run = binary().args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(!run.status.success(), "{args:?} was carried out");
        assert!(
            stderr.contains("is inside the registry folder"),
            "{args:?}: {stderr}"
        );
    }
    assert_eq!(registry.exported(), before, "the registry is unchanged");
    assert!(
        !data.join("new.csv").exists(),
        "nothing written through the link"
    );
    registry.verified_audit();
}

#[test]
fn killing_an_import_half_way_leaves_the_registry_valid_and_without_it() {
    let registry = TestRegistry::new();
    let small = registry.file("good.csv", GOOD_LIST.as_bytes());
    assert!(registry.import(&small, "list-a", &[]).success);
    let before = registry.exported();

    let mut big = String::from("record_id,given_name,surname,father_name,city,execution_date\n");
    for n in 0..150_000 {
        big.push_str(&format!(
            "b{n},Mohammad,Rezaei{n},Ali,Tehran,1367/05/{:02}\n",
            n % 30 + 1
        ));
    }
    let path = registry.file("big.csv", big.as_bytes());
    let mut child = binary()
        .args([
            "import",
            path.to_str().unwrap(),
            "--source",
            "big",
            "--data",
        ])
        .arg(registry.data())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the import is writing rows (the write-ahead log grows), then kill it hard.
    let wal = registry.data().join("registry.sqlite-wal");
    let started = Instant::now();
    while std::fs::metadata(&wal).map_or(0, |m| m.len()) < 4 * 1024 * 1024 {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the import finished before it could be killed"
        );
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the import never started writing"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();

    registry.verified_audit();
    assert_eq!(
        registry.exported(),
        before,
        "the killed import left records behind"
    );
    let again = registry.import(&path, "big", &[]);
    assert!(
        again.success,
        "the killed import must not count as done: {}",
        again.stderr
    );
    assert_eq!(registry.exported().len(), before.len() + 150_000);
}

#[test]
fn demo_links_and_a_review_decision_is_kept_and_used_by_the_next_link() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("demo");
    let run = |args: &[&str]| helpers::run_on(&data, args);
    let demo = run(&["demo", "--persons", "400", "--sources", "3", "--seed", "5"]);
    assert!(demo.success, "{}", demo.stderr);
    assert!(demo.stdout.contains("persons created"), "{}", demo.stdout);
    let persons: u64 = demo
        .stdout
        .lines()
        .find_map(|l| l.trim().strip_prefix("persons"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap();
    assert!(persons > 0, "{}", demo.stdout);

    let estimate = run(&["estimate", "--method", "chao", "--format", "json"]);
    assert!(estimate.success, "{}", estimate.stderr);
    let json: serde_json::Value = serde_json::from_str(&estimate.stdout).unwrap();
    assert_eq!(
        json["observed"].as_u64(),
        Some(persons),
        "{}",
        estimate.stdout
    );
    assert!(json["point"].as_f64().unwrap() >= persons as f64);
    let by_prison = run(&["estimate", "--method", "chao", "--by", "prison"]);
    assert!(by_prison.success, "{}", by_prison.stderr);
    assert!(by_prison.stdout.contains("== "), "{}", by_prison.stdout);
    // A field that tells people apart, and one nobody fills, are refused with what to use.
    let by_id = run(&["estimate", "--method", "chao", "--by", "record_id"]);
    assert!(
        !by_id.success
            && by_id
                .stderr
                .contains("stratify by a field that groups people"),
        "{}",
        by_id.stderr
    );
    let by_notes = run(&["estimate", "--method", "chao", "--by", "notes"]);
    assert!(
        !by_notes.success
            && by_notes
                .stderr
                .contains("nobody in the registry has a value"),
        "{}",
        by_notes.stderr
    );
    // People with no value for the field are counted, and said to be.
    let by_sex = run(&[
        "estimate", "--method", "chao", "--by", "sex", "--format", "json",
    ]);
    assert!(by_sex.success, "{}", by_sex.stderr);
    let by_sex: serde_json::Value = serde_json::from_str(&by_sex.stdout).unwrap();
    let in_strata: u64 = by_sex["strata"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["observed"].as_u64().unwrap())
        .sum();
    assert_eq!(
        in_strata + by_sex["unstratified"].as_u64().unwrap(),
        persons,
        "{by_sex}"
    );
    // `month` is the month of execution: strata such as `== 1988-08 (…)`.
    let by_month = run(&["estimate", "--method", "chao", "--by", "month"]);
    assert!(by_month.success, "{}", by_month.stderr);
    // The demo leaves a few execution dates out; the field is named as it was asked for.
    assert!(
        by_month.stdout.contains("People with no value for `month`"),
        "{}",
        by_month.stdout
    );
    let months: Vec<&str> = by_month
        .stdout
        .lines()
        .filter_map(|l| l.strip_prefix("== "))
        .collect();
    assert!(!months.is_empty(), "{}", by_month.stdout);
    for month in months {
        let label = month.split(' ').next().unwrap_or_default();
        assert!(
            label.len() == 7 && label.as_bytes()[4] == b'-',
            "a stratum that is not a month: {month}"
        );
    }

    // Birth years go by decade, whichever calendar a list wrote them in.
    let by_birth_year = run(&["estimate", "--method", "chao", "--by", "birth_year"]);
    assert!(by_birth_year.success, "{}", by_birth_year.stderr);
    let decades: Vec<&str> = by_birth_year
        .stdout
        .lines()
        .filter_map(|l| l.strip_prefix("== "))
        .map(|l| l.split(' ').next().unwrap_or_default())
        .collect();
    assert!(decades.len() >= 2, "{}", by_birth_year.stdout);
    for decade in decades {
        assert!(
            decade.len() == 5 && decade.ends_with("0s") && decade.starts_with("19"),
            "a stratum that is not a decade: {decade}"
        );
    }

    let listed = run(&["review", "list", "--limit", "1"]);
    assert!(listed.success, "{}", listed.stderr);
    let pending_warning = run(&["estimate", "--method", "chao"])
        .stdout
        .contains("still await review");
    let Some(id) = listed
        .stdout
        .split_whitespace()
        .next()
        .filter(|w| w.parse::<u32>().is_ok())
    else {
        assert!(
            !pending_warning,
            "no pairs await review, yet the estimate warns of them"
        );
        // A review queue can be empty on clean data; the decision path is then tested in the store.
        assert!(
            listed.stdout.contains("no pairs await review"),
            "{}",
            listed.stdout
        );
        return;
    };
    assert!(
        pending_warning,
        "pairs await review and the estimate does not say so"
    );
    let shown = run(&["review", "show", id]);
    assert!(
        shown.success && shown.stdout.contains("weights"),
        "{}",
        shown.stderr
    );
    let decided = run(&[
        "review",
        "decide",
        id,
        "different",
        "--note",
        "different fathers",
    ]);
    assert!(decided.success, "{}", decided.stderr);
    let all = run(&["review", "list", "--all", "--limit", "1000"]);
    assert!(
        all.stdout
            .lines()
            .any(|l| l.trim_start().starts_with(&format!("{id} ")) && l.ends_with("different")),
        "{}",
        all.stdout
    );

    let relinked = run(&["link"]);
    assert!(relinked.success, "{}", relinked.stderr);
    assert!(
        relinked.stdout.contains("1 review decisions used"),
        "{}",
        relinked.stdout
    );
    let unknown = run(&["review", "show", "999999"]);
    assert!(
        !unknown.success && unknown.stderr.contains("no pair 999999"),
        "{}",
        unknown.stderr
    );
    let audit = run(&["audit", "verify"]);
    assert!(audit.success, "{}", audit.stderr);
}

#[test]
fn records_imported_after_the_last_link_are_named_by_the_estimate_until_linked() {
    let registry = TestRegistry::new();
    let first = registry.file("first.csv", GOOD_LIST.as_bytes());
    assert!(registry.import(&first, "list-a", &[]).success);
    // Nothing linked: the estimate cannot run, and says which records wait for `link`.
    let unlinked = registry.run(&["estimate", "--method", "chao"]);
    assert!(!unlinked.success);
    assert!(
        unlinked.stderr.contains(
            "nobody in the registry is linked yet, though records are imported (3 of `list-a`): run `whereabouts link`"
        ),
        "{}",
        unlinked.stderr
    );
    // One list linked, a second imported after: the table of one list cannot be made, and the
    // error names the second list's records as waiting.
    assert!(registry.run(&["link"]).success);
    assert!(registry.import(&first, "list-b", &["--force"]).success);
    let one_list = registry.run(&["estimate", "--method", "chao"]);
    assert!(!one_list.success);
    assert!(
        one_list.stderr.contains("the table has 1 list column(s)")
            && one_list
                .stderr
                .contains("records not yet linked are not counted (3 of `list-b`)"),
        "{}",
        one_list.stderr
    );
    // The demo registry is linked; a list imported after that is named until linked too.
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo");
    let run = |args: &[&str]| helpers::run_on(&demo, args);
    let made = run(&["demo", "--persons", "300", "--sources", "3", "--seed", "7"]);
    assert!(made.success, "{}", made.stderr);
    let linked = run(&["estimate", "--method", "chao"]);
    assert!(linked.success, "{}", linked.stderr);
    assert!(
        !linked.stdout.contains("not yet linked"),
        "{}",
        linked.stdout
    );
    let late = registry.file("late.csv", GOOD_LIST.as_bytes());
    let imported = run(&["import", late.to_str().unwrap(), "--source", "late-list"]);
    assert!(imported.success, "{}", imported.stderr);
    let before = run(&["estimate", "--method", "chao", "--format", "json"]);
    assert!(before.success, "{}", before.stderr);
    assert!(
        before
            .stdout
            .contains("records not yet linked are not counted (3 of `late-list`)"),
        "{}",
        before.stdout
    );
    assert!(run(&["link"]).success);
    let after = run(&["estimate", "--method", "chao"]);
    assert!(!after.stdout.contains("not yet linked"), "{}", after.stdout);
}
