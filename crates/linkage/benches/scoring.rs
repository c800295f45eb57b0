//! Scored pairs per second: trains once on synthetic two-script lists, then measures
//! `Linker::link` (stream every candidate pair through the model, cluster). Criterion reports the
//! time per run; pairs per run are printed once, so pairs/s = pairs / time.
#![allow(clippy::unwrap_used, missing_docs)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use domain::fields::CanonicalField;
use linkage::{LinkOptions, Linker, Records, SourceSpec};

fn synthetic_records(persons: u64) -> Records {
    let dir = tempfile::tempdir().unwrap();
    let config = synth::SynthConfig {
        persons,
        sources: 6,
        ..synth::SynthConfig::default()
    };
    let summary = synth::write_lists(&config, dir.path()).unwrap();
    let fields: Vec<CanonicalField> = CanonicalField::ALL[1..].to_vec();
    let mut builder = Records::builder(&fields);
    for style in &summary.styles {
        let source = builder
            .add_source(SourceSpec::new(style.stem.as_str()))
            .unwrap();
        let path = dir.path().join(format!("{}.csv", style.stem));
        let mut reader = csv::Reader::from_path(path).unwrap();
        let headers = reader.headers().unwrap().clone();
        let columns: Vec<Option<usize>> = fields
            .iter()
            .map(|f| headers.iter().position(|h| h == f.as_str()))
            .collect();
        for row in reader.records() {
            let row = row.unwrap();
            let cells: Vec<&str> = columns.iter().map(|c| c.map_or("", |c| &row[c])).collect();
            builder.push(source, &row[0], &cells).unwrap();
        }
    }
    builder.build().unwrap()
}

fn scoring(c: &mut Criterion) {
    let records = synthetic_records(20_000);
    let linker = Linker::new(&records, LinkOptions::default()).unwrap();
    let model = linker.train(&[]).unwrap();
    let pairs = linker.link(&model, &[]).unwrap().report.scored_pairs;
    eprintln!("{} records, {pairs} candidate pairs per run", records.len());
    let mut group = c.benchmark_group("linkage");
    group.throughput(Throughput::Elements(pairs));
    group.sample_size(10);
    group.bench_function("score_and_cluster", |b| {
        b.iter(|| linker.link(&model, &[]).unwrap())
    });
    group.finish();
}

criterion_group!(benches, scoring);
criterion_main!(benches);
