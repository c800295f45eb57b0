//! Bad input gets a clear error, never a panic; a giant block is capped and reported.

use domain::fields::CanonicalField::{BirthYear, GivenName, Surname};
use linkage::{LinkOptions, LinkageError, Linker, Records, SourceSpec};

#[test]
fn a_record_paired_with_itself_is_an_error() {
    let mut builder = Records::builder(&[GivenName, Surname]);
    let source = builder.add_source(SourceSpec::new("a")).unwrap();
    builder.push(source, "1", &["Ali", "Rezaei"]).unwrap();
    builder.push(source, "2", &["Reza", "Karimi"]).unwrap();
    let linker = Linker::new(&builder.build().unwrap(), LinkOptions::default()).unwrap();
    let model = linker.train(&[]).unwrap();
    assert!(matches!(
        linker.explain(&model, 1, 1),
        Err(LinkageError::SelfPair { record: 1 })
    ));
    assert!(matches!(
        linker.explain(&model, 0, 9),
        Err(LinkageError::UnknownRecord { .. })
    ));
}

#[test]
fn a_giant_block_is_capped_and_reported_and_the_run_carries_on() {
    let mut builder = Records::builder(&[GivenName, Surname, BirthYear]);
    let source = builder.add_source(SourceSpec::new("a")).unwrap();
    for i in 0..3000 {
        let id = i.to_string();
        builder
            .push(source, &id, &["Mohammad", "Ahmadi", "1340"])
            .unwrap();
    }
    let options = LinkOptions {
        max_block_size: 500,
        ..LinkOptions::default()
    };
    let linker = Linker::new(&builder.build().unwrap(), options).unwrap();
    let report = linker.blocking_report();
    assert!(report.skipped_pairs() >= 3000 * 2999 / 2, "{report:?}");
    assert!(
        report.rules.iter().any(|r| r.largest_capped_block == 3000),
        "{report:?}"
    );
    let model = linker.train(&[]).unwrap();
    let linkage = linker.link(&model, &[]).unwrap();
    assert_eq!(linkage.clusters.len(), 3000);
}

#[test]
fn thresholds_outside_zero_and_one_are_refused() {
    let mut builder = Records::builder(&[GivenName]);
    let source = builder.add_source(SourceSpec::new("a")).unwrap();
    builder.push(source, "1", &["Ali"]).unwrap();
    let options = LinkOptions {
        match_threshold: 1.5,
        ..LinkOptions::default()
    };
    let error = Linker::new(&builder.build().unwrap(), options).unwrap_err();
    assert!(error.to_string().contains("match threshold"), "{error}");
}
