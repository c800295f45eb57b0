//! The files `write_lists` produces: determinism, truth, capture patterns, dates, noise and
//! duplicates.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap should fail loudly

mod helpers;

use chrono::NaiveDate;
use domain::date::DatePrecision;
use domain::fields::CanonicalField;
use helpers::{config, generate, header, read_rows};
use std::collections::{BTreeMap, HashMap, HashSet};
use synth::style::{BirthStyle, NameLayout, ScriptStyle};
use synth::{SynthConfig, SynthError, write_lists};
use text::dates::{parse_age, parse_birth_year, parse_date};

const FILES: [&str; 8] = [
    "source_1.csv",
    "source_2.csv",
    "source_3.csv",
    "source_4.csv",
    "source_5.csv",
    "source_6.csv",
    "truth.csv",
    "meta.json",
];

#[test]
fn the_same_seed_gives_byte_identical_files() {
    let first = generate(config(6_000, 6, 42));
    let second = generate(config(6_000, 6, 42));
    for file in FILES {
        let a = std::fs::read(first.path(file)).expect("first run's file");
        let b = std::fs::read(second.path(file)).expect("second run's file");
        assert!(a == b, "{file} differs between two runs with seed 42");
    }
    let other = generate(config(6_000, 6, 43));
    let a = std::fs::read(first.path("source_1.csv")).expect("file");
    let c = std::fs::read(other.path("source_1.csv")).expect("file");
    assert!(a != c, "another seed gives other lists");
}

#[test]
fn the_files_do_not_depend_on_the_number_of_threads() {
    let many = generate(config(20_000, 3, 5));
    let one_thread = tempfile::tempdir().expect("a temporary folder");
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a one-thread pool")
        .install(|| write_lists(&config(20_000, 3, 5), one_thread.path()))
        .expect("lists are written");
    for file in ["source_1.csv", "source_3.csv", "truth.csv"] {
        let a = std::fs::read(many.path(file)).expect("file");
        let b = std::fs::read(one_thread.path().join(file)).expect("file");
        assert!(a == b, "{file} differs with one thread");
    }
}

#[test]
fn lists_have_the_canonical_header() {
    let lists = generate(config(300, 3, 1));
    let expected: Vec<String> = CanonicalField::ALL
        .iter()
        .map(|f| f.as_str().to_string())
        .collect();
    for k in 1..=3 {
        assert_eq!(
            header(&lists.path(&format!("source_{k}.csv"))),
            expected,
            "source_{k}"
        );
    }
}

#[test]
fn every_record_has_exactly_one_truth_row() {
    let lists = generate(config(5_000, 6, 7));
    let truth_rows = read_rows(&lists.path("truth.csv"));
    let truth = lists.truth();
    assert_eq!(
        truth.len(),
        truth_rows.len(),
        "no (source, record_id) twice in truth.csv"
    );
    let mut records = HashSet::new();
    for k in 1..=6u32 {
        let rows = lists.source(k);
        assert_eq!(
            rows.len() as u64,
            lists.summary.records_per_source[k as usize - 1]
        );
        for row in rows {
            let id = row["record_id"].clone();
            assert!(id.starts_with(&format!("s{k}-")), "{id}");
            assert!(
                records.insert((format!("source_{k}"), id.clone())),
                "{id} twice in source_{k}"
            );
            assert!(
                truth.contains_key(&(format!("source_{k}"), id.clone())),
                "{id} has no truth row"
            );
        }
    }
    assert_eq!(
        records.len(),
        truth.len(),
        "truth names no record that is not in a list"
    );
}

#[test]
fn pattern_counts_sum_to_the_observed_persons_and_match_the_truth() {
    let lists = generate(config(5_000, 5, 11));
    let summary = &lists.summary;
    assert_eq!(
        summary.pattern_counts.values().sum::<u64>(),
        summary.observed_persons
    );
    let mut patterns: HashMap<String, Vec<u8>> = HashMap::new();
    for ((source, _), person) in lists.truth() {
        let k: usize = source
            .trim_start_matches("source_")
            .parse()
            .expect("a source number");
        patterns.entry(person).or_insert_with(|| vec![b'0'; 5])[k - 1] = b'1';
    }
    assert_eq!(patterns.len() as u64, summary.observed_persons);
    let mut counted: BTreeMap<String, u64> = BTreeMap::new();
    for pattern in patterns.into_values() {
        *counted
            .entry(String::from_utf8(pattern).expect("ascii"))
            .or_insert(0) += 1;
    }
    assert_eq!(counted, summary.pattern_counts);
    assert!(!counted.contains_key("00000"));
}

#[test]
fn meta_gives_the_true_population_including_the_unobserved() {
    let lists = generate(config(4_000, 4, 5));
    let text = std::fs::read_to_string(lists.path("meta.json")).expect("meta.json");
    let meta: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(meta["true_persons"], 4_000);
    let observed = meta["observed_persons"].as_u64().expect("a number");
    let unobserved = meta["unobserved_persons"].as_u64().expect("a number");
    assert_eq!(observed + unobserved, 4_000);
    assert!(unobserved > 0, "some persons are on no list");
    assert_eq!(meta["seed"], 5);
    assert_eq!(meta["sources"].as_array().map(Vec::len), Some(4));
    let sum: u64 = meta["pattern_counts"]
        .as_object()
        .expect("an object")
        .values()
        .filter_map(serde_json::Value::as_u64)
        .sum();
    assert_eq!(sum, observed);
}

fn summer_1367() -> (NaiveDate, NaiveDate) {
    (
        NaiveDate::from_ymd_opt(1988, 7, 23).expect("1 Mordad 1367"),
        NaiveDate::from_ymd_opt(1988, 9, 22).expect("31 Shahrivar 1367"),
    )
}

#[test]
fn every_date_parses_and_executions_fall_in_mordad_or_shahrivar_1367() {
    let lists = generate(SynthConfig {
        noise: 1.0,
        ..config(3_000, 8, 3)
    });
    let (first, last) = summer_1367();
    for k in 1..=8 {
        for row in lists.source(k) {
            let execution = &row["execution_date"];
            if !execution.is_empty() {
                let date = parse_date(execution, None)
                    .unwrap_or_else(|e| panic!("source_{k} execution {execution:?}: {e}"));
                assert!(
                    date.earliest <= last && date.latest >= first,
                    "source_{k} execution {execution:?} is outside Mordad–Shahrivar 1367"
                );
            }
            for column in ["arrest_date", "birth_date"] {
                let text = &row[column];
                if !text.is_empty() {
                    parse_date(text, None)
                        .unwrap_or_else(|e| panic!("source_{k} {column} {text:?}: {e}"));
                }
            }
            if !row["birth_year"].is_empty() {
                parse_birth_year(&row["birth_year"], None).unwrap_or_else(|e| {
                    panic!("source_{k} birth year {:?}: {e}", row["birth_year"])
                });
            }
            if !row["age"].is_empty() {
                let age = parse_age(&row["age"])
                    .unwrap_or_else(|e| panic!("source_{k} age {:?}: {e}", row["age"]));
                assert!((10..=60).contains(&age), "source_{k} age {age}");
            }
        }
    }
}

#[test]
fn noise_zero_gives_clean_rows() {
    let clean = SynthConfig {
        noise: 0.0,
        ..config(2_000, 8, 9)
    };
    let lists = generate(clean.clone());
    let truth = lists.truth();
    let (first, last) = summer_1367();
    let mut execution_of: HashMap<String, NaiveDate> = HashMap::new();
    for (k, style) in (1..=8u32).zip(clean.styles()) {
        for row in lists.source(k) {
            let filled = |column: &str| !row[column].is_empty();
            match style.name_layout {
                NameLayout::Split => assert!(
                    filled("given_name") && filled("surname"),
                    "source_{k} {row:?}"
                ),
                _ => assert!(filled("full_name"), "source_{k} {row:?}"),
            }
            let columns = style.columns;
            for (has, column) in [
                (columns.has_father_name, "father_name"),
                (columns.has_sex, "sex"),
                (columns.has_city, "city"),
                (columns.has_prison, "prison"),
                (columns.has_affiliation, "affiliation"),
                (columns.has_arrest_date, "arrest_date"),
                (true, "execution_date"),
            ] {
                assert_eq!(filled(column), has, "source_{k} {column} in {row:?}");
            }
            let birth = match style.birth {
                BirthStyle::JalaliYear | BirthStyle::GregorianYear => filled("birth_year"),
                BirthStyle::Age => filled("age"),
                BirthStyle::DateOrAge => filled("birth_date") || filled("age"),
            };
            assert!(birth, "source_{k} gives no birth in {row:?}");
            let execution = parse_date(&row["execution_date"], None).expect("a clean date parses");
            assert_eq!(
                execution.precision,
                DatePrecision::Day,
                "{:?}",
                row["execution_date"]
            );
            assert!(execution.earliest >= first && execution.earliest <= last);
            let person = &truth[&(format!("source_{k}"), row["record_id"].clone())];
            let day = *execution_of
                .entry(person.clone())
                .or_insert(execution.earliest);
            assert_eq!(
                day, execution.earliest,
                "every record of {person} gives the same execution day"
            );
        }
    }
}

#[test]
fn within_list_duplicates_exist_when_configured_and_not_otherwise() {
    let with = generate(SynthConfig {
        duplicate_rate: 0.2,
        ..config(3_000, 4, 2)
    });
    let styles = SynthConfig::default().styles();
    for (k, style) in styles.iter().enumerate().take(4) {
        let duplicates = with.summary.duplicates_per_source[k];
        assert_eq!(
            duplicates > 0,
            style.has_duplicates,
            "source_{} has {duplicates} duplicates",
            k + 1
        );
    }
    let twice = |lists: &helpers::Generated| {
        let mut seen = HashSet::new();
        lists
            .truth()
            .into_iter()
            .filter(|((source, _), person)| !seen.insert((source.clone(), person.clone())))
            .count()
    };
    assert!(twice(&with) > 0);
    let without = generate(SynthConfig {
        duplicate_rate: 0.0,
        ..config(3_000, 4, 2)
    });
    assert_eq!(twice(&without), 0);
}

#[test]
fn persian_sources_write_persian_script_and_latin_sources_latin() {
    let lists = generate(config(1_000, 2, 4));
    let styles = SynthConfig::default().styles();
    assert_eq!(styles[0].script, ScriptStyle::Persian);
    assert_eq!(styles[1].script, ScriptStyle::Latin);
    let is_persian = |text: &str| text.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c));
    for row in lists.source(1) {
        assert!(is_persian(&row["surname"]), "{:?}", row["surname"]);
    }
    for row in lists.source(2) {
        assert!(row["surname"].is_ascii(), "{:?}", row["surname"]);
    }
}

#[test]
fn a_list_that_copies_another_overlaps_it_more() {
    let lists = generate(config(20_000, 3, 8));
    let on_1 = |pattern: &str| pattern.as_bytes()[0] == b'1';
    let on_3 = |pattern: &str| pattern.as_bytes()[2] == b'1';
    let (mut with, mut with_3, mut without_3) = (0u64, 0u64, 0u64);
    for (pattern, count) in &lists.summary.pattern_counts {
        if on_1(pattern) {
            with += count;
            if on_3(pattern) {
                with_3 += count;
            }
        } else if on_3(pattern) {
            without_3 += count;
        }
    }
    let unseen_by_1 = 20_000 - with;
    let p_given_1 = with_3 as f64 / with as f64;
    let p_given_not_1 = without_3 as f64 / unseen_by_1 as f64;
    assert!(
        p_given_1 > p_given_not_1 + 0.2,
        "{p_given_1} vs {p_given_not_1}"
    );
}

#[test]
fn settings_out_of_range_are_refused_with_what_to_do() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let cases = [
        (
            SynthConfig {
                noise: 1.5,
                ..SynthConfig::default()
            },
            "noise",
        ),
        (
            SynthConfig {
                sources: 0,
                ..SynthConfig::default()
            },
            "sources",
        ),
        (
            SynthConfig {
                sources: 65,
                ..SynthConfig::default()
            },
            "sources",
        ),
        (
            SynthConfig {
                persons: 0,
                ..SynthConfig::default()
            },
            "persons",
        ),
        (
            SynthConfig {
                persons: synth::MAX_PERSONS + 1,
                ..SynthConfig::default()
            },
            "persons",
        ),
        (
            SynthConfig {
                duplicate_rate: 0.9,
                ..SynthConfig::default()
            },
            "duplicate rate",
        ),
    ];
    for (config, setting) in cases {
        match write_lists(&config, dir.path()) {
            Err(error @ SynthError::InvalidConfig { .. }) => {
                assert!(error.to_string().starts_with(setting), "{error}");
            }
            other => panic!("{setting}: expected a refusal, got {other:?}"),
        }
    }
}

#[test]
fn a_run_that_does_not_finish_leaves_no_meta_json_behind() {
    let first = generate(config(200, 3, 1));
    let meta = first.dir.path().join("meta.json");
    assert!(meta.exists());
    // The second run cannot write its truth file (a folder is in the way) and stops part way.
    std::fs::remove_file(first.dir.path().join("truth.csv")).unwrap();
    std::fs::create_dir(first.dir.path().join("truth.csv")).unwrap();
    assert!(write_lists(&config(300, 3, 2), first.dir.path()).is_err());
    assert!(
        !meta.exists(),
        "the first run's meta.json no longer vouches for the second run's lists"
    );
}
