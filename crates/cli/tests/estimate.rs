//! End-to-end tests of `whereabouts estimate` on the published tables in `shared/data/mse`.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap should fail loudly

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

fn data(name: &str) -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/mse"
    ))
    .join(name)
}

fn whereabouts(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_whereabouts"))
        .arg("estimate")
        .args(args)
        .output()
        .expect("the binary runs")
}

fn json(args: &[&str]) -> Value {
    let output = whereabouts(args);
    assert!(
        output.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("stdout is one JSON object")
}

/// Short LCMCR chains keep the `all` tests quick; the published settings are tested in the
/// estimate crate.
const SHORT_CHAIN: [&str; 6] = ["--burn-in", "500", "--thinning", "5", "--draws", "200"];

#[test]
fn loglinear_json_on_kosovo_reproduces_10356_5() {
    let kosovo = data("kosovo.csv");
    let v = json(&[
        "--table",
        kosovo.to_str().unwrap(),
        "--method",
        "loglinear",
        "--format",
        "json",
    ]);
    assert_eq!(v["method"], "loglinear");
    assert_eq!(v["observed"], 4400);
    let point = v["point"].as_f64().unwrap();
    assert_eq!(format!("{point:.1}"), "10356.5");
    assert_eq!(
        v["model"],
        "EXH:ABA + EXH:OSCE + EXH:HRW + ABA:OSCE + OSCE:HRW + EXH:ABA:OSCE"
    );
    let (lower, upper) = (v["lower"].as_f64().unwrap(), v["upper"].as_f64().unwrap());
    assert!(lower < point && point < upper, "{lower} {point} {upper}");
    assert_eq!(v["interval"], "profile-likelihood");
}

#[test]
fn chao_json_on_kosovo_reproduces_10270_5() {
    let kosovo = data("kosovo.csv");
    let v = json(&[
        "--table",
        kosovo.to_str().unwrap(),
        "--method",
        "chao",
        "--format",
        "json",
    ]);
    assert_eq!(format!("{:.1}", v["point"].as_f64().unwrap()), "10270.5");
}

/// dga with δ = 0.5 on Madigan & York's five-list table, as JSON, with `extra` flags.
fn dga_on_five_lists(extra: &[&str]) -> Value {
    let five = data("MY1997_5list.csv");
    let mut args = vec![
        "--table",
        five.to_str().unwrap(),
        "--method",
        "dga",
        "--delta",
        "0.5",
        "--format",
        "json",
    ];
    args.extend(extra);
    json(&args)
}

#[test]
fn dga_json_on_the_five_list_example_reproduces_617() {
    let v = dga_on_five_lists(&[]);
    assert_eq!(v["point"].as_f64().unwrap().round(), 617.0);
    let top = v["details"]["models"][0]["probability"].as_f64().unwrap();
    assert_eq!(format!("{top:.4}"), "0.2171");
}

#[test]
fn a_negative_binomial_prior_on_n_moves_the_dga_estimate_towards_its_mean() {
    let with_prior = |prior: &str| dga_on_five_lists(&["--n-prior", prior]);
    // Mean 2,000 and standard deviation about 45: far above the data's 617.
    let pulled = with_prior("negbin:20000,0.1");
    assert_eq!(pulled["details"]["prior"]["kind"], "negative-binomial");
    assert_eq!(pulled["details"]["prior"]["a"].as_f64(), Some(20000.0));
    let point = pulled["point"].as_f64().unwrap();
    assert!(point > 900.0, "the prior pulls the estimate up: {point}");
    let default = with_prior("inverse");
    assert_eq!(default["point"].as_f64().unwrap().round(), 617.0);

    let five = data("MY1997_5list.csv");
    for bad in ["negbin:0,1", "negbin:2", "poisson:3", "negbin:a,b"] {
        let output = whereabouts(&["--table", five.to_str().unwrap(), "--n-prior", bad]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{bad} is refused");
        assert!(stderr.contains("negbin:"), "{bad}: {stderr}");
    }
}

#[test]
fn all_methods_print_one_object_with_every_estimate_and_the_spread() {
    let korea = data("Korea.csv");
    let mut args = vec![
        "--table",
        korea.to_str().unwrap(),
        "--format",
        "json",
        "--seed",
        "7",
    ];
    args.extend(SHORT_CHAIN);
    let v = json(&args);
    assert_eq!(v["method"], "all");
    let estimates = v["estimates"].as_array().unwrap();
    let methods: Vec<&str> = estimates
        .iter()
        .map(|e| e["method"].as_str().unwrap())
        .collect();
    assert_eq!(methods, ["loglinear", "lcmcr", "dga", "chao"]);
    for e in estimates {
        for field in ["observed", "point", "lower", "upper"] {
            assert!(e[field].is_number(), "{field} in {e}");
        }
    }
    assert!(v["spread"]["lower"].as_f64().unwrap() <= v["spread"]["point_min"].as_f64().unwrap());
}

#[test]
fn the_text_summary_gives_every_estimate_with_its_interval() {
    let korea = data("Korea.csv");
    let mut args = vec!["--table", korea.to_str().unwrap()];
    args.extend(SHORT_CHAIN);
    let output = whereabouts(&args);
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("123 people appear"), "{text}");
    assert!(
        text.contains("157 (maximum likelihood, 95% profile-likelihood interval"),
        "{text}"
    );
    assert!(text.contains("95% credible interval"), "{text}");
}

#[test]
fn a_plot_is_written_as_svg() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kosovo.svg");
    let kosovo = data("kosovo.csv");
    let output = whereabouts(&[
        "--table",
        kosovo.to_str().unwrap(),
        "--method",
        "loglinear",
        "--plot",
        path.to_str().unwrap(),
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let svg = std::fs::read_to_string(&path).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("EXH:ABA"));
}

#[test]
fn a_bad_table_fails_naming_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.csv");
    std::fs::write(&path, "a,b,c,count\n1,0,0,5\n1,2,0,3\n").unwrap();
    let output = whereabouts(&["--table", path.to_str().unwrap()]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("line 3: column `b` must be 0 or 1; got `2`"),
        "{stderr}"
    );
}

#[test]
fn dga_on_the_three_list_example_with_its_grid_reproduces_0_3738() {
    let three = data("MY1997_3list.csv");
    let v = json(&[
        "--table",
        three.to_str().unwrap(),
        "--method",
        "dga",
        "--delta",
        "1",
        "--n-prior",
        "negbin:13.14,55.17",
        "--unseen-grid",
        "1..300",
        "--format",
        "json",
    ]);
    let top = &v["details"]["models"][0];
    assert_eq!(top["model"], "[L1,L2][L3]");
    assert_eq!(
        format!("{:.4}", top["probability"].as_f64().unwrap()),
        "0.3738"
    );
    assert_eq!(v["details"]["missing"], serde_json::json!([1, 300]));
}

#[test]
fn a_grid_given_too_short_is_warned_with_what_to_do() {
    let kosovo = data("kosovo.csv");
    let output = whereabouts(&[
        "--table",
        kosovo.to_str().unwrap(),
        "--method",
        "dga",
        "--unseen-grid",
        "0..10",
    ]);
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("mass near 10 unseen people")
            && stdout.contains("widen the grid (--unseen-grid)"),
        "{stdout}"
    );
    // A grid that starts too high cuts the posterior off at its start.
    let three = data("MY1997_3list.csv");
    let output = whereabouts(&[
        "--table",
        three.to_str().unwrap(),
        "--method",
        "dga",
        "--unseen-grid",
        "200..300",
    ]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("mass near 200 unseen people"), "{stdout}");
}

#[test]
fn a_setting_out_of_range_is_named_by_its_flag() {
    let kosovo = data("kosovo.csv");
    for (flag, value, said) in [
        (
            "--max-order",
            "4",
            "invalid --max-order: 4 is more than 4 lists allow",
        ),
        (
            "--unseen-grid",
            "300..1",
            "invalid --unseen-grid: the grid must run upwards",
        ),
        ("--delta", "0", "invalid --delta: must be a positive number"),
        ("--thinning", "0", "invalid --thinning: must be at least 1"),
        (
            "--burn-in",
            "100000000000",
            "invalid --burn-in: a chain may run at most",
        ),
        (
            "--unseen-grid",
            "0..100000000000",
            "invalid --unseen-grid: 0..100000000000 is 100000000001 unseen counts",
        ),
        (
            "--unseen-grid",
            "0..18446744073709551615",
            "is 18446744073709551616 unseen counts",
        ),
        (
            "--by",
            "prison",
            "the argument '--table <FILE>' cannot be used with '--by <FIELD>'",
        ),
    ] {
        let output = whereabouts(&["--table", kosovo.to_str().unwrap(), flag, value]);
        assert!(!output.status.success(), "{flag} {value}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(said), "{flag} {value}: {stderr}");
    }
}

#[test]
fn a_negative_or_fractional_count_option_says_what_is_wanted() {
    for (option, value) in [("--seed", "-1"), ("--draws", "1.5"), ("--chains", "-2")] {
        let output = whereabouts(&[
            "--table",
            data("kosovo.csv").to_str().unwrap(),
            option,
            value,
        ]);
        assert!(!output.status.success());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(&format!("must be a whole number, 0 or more; got `{value}`")),
            "{option} {value}: {stderr}"
        );
    }
}

#[test]
fn a_windows_1256_table_with_persian_list_names_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fa.csv");
    let text = "فهرست الف,فهرست ب,فهرست ج,count\r\n1,0,0,12\r\n0,1,0,30\r\n1,1,0,7\r\n0,0,1,9\r\n1,0,1,4\r\n";
    // Windows-1256 has no Persian digits: such files write ASCII ones.
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1256.encode(text);
    assert!(!unmappable);
    std::fs::write(&path, &bytes).unwrap();
    let out = json(&[
        "--table",
        path.to_str().unwrap(),
        "--method",
        "chao",
        "--format",
        "json",
    ]);
    assert_eq!(out["observed"], 62, "{out}");
    assert_eq!(out["lists"][0], "فهرست الف", "{out}");

    let big = dir.path().join("list.csv");
    std::fs::write(&big, "a,b,count\n".to_string() + &"1,0,1\n".repeat(200_000)).unwrap();
    let output = whereabouts(&["--table", big.to_str().unwrap()]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("list.csv") && stderr.contains("no capture-pattern table needs"),
        "{stderr}"
    );
}

#[test]
fn a_table_without_overlap_is_refused_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "one.csv",
            "a,b,c,count\n1,0,0,50\n",
            "only list `a` recorded anyone",
        ),
        (
            "apart.csv",
            "a,b,c,count\n1,0,0,50\n0,1,0,40\n0,0,1,30\n",
            "nobody is on more than one list",
        ),
    ];
    for (name, text, reason) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let output = whereabouts(&["--table", path.to_str().unwrap()]);
        assert!(!output.status.success(), "{name}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(name) && stderr.contains(reason),
            "{name}: {stderr}"
        );
    }
}

#[test]
fn a_plot_path_that_cannot_be_written_is_refused_before_estimating() {
    let dir = tempfile::tempdir().unwrap();
    let kosovo = data("kosovo.csv");
    let missing_folder = dir.path().join("no-such-folder").join("plot.svg");
    for (plot, expected) in [
        (dir.path().to_path_buf(), "is a folder"),
        (missing_folder, "does not exist"),
    ] {
        let output = whereabouts(&[
            "--table",
            kosovo.to_str().unwrap(),
            "--method",
            "chao",
            "--plot",
            plot.to_str().unwrap(),
        ]);
        assert!(!output.status.success());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{stderr}");
        assert!(output.stdout.is_empty(), "nothing estimated first");
    }
}
