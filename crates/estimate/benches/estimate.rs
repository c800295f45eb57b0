//! Criterion benchmarks for the two targets of issue 4: one LCMCR Gibbs sweep on the Kosovo
//! table with K = 10 (target ≤ 3 µs) and dga on the Madigan–York 5-list example (target
//! ≤ 20 ms). Run with `cargo bench -p whereabouts-estimate`.

use criterion::{Criterion, criterion_group, criterion_main};
use estimate::dga::{DgaOptions, NPrior, dga};
use estimate::lcmcr::{LcmcrOptions, Sampler};
use estimate::table::CaptureTable;
use std::hint::black_box;

fn table(name: &str) -> CaptureTable {
    let path = format!(
        "{}/../../../shared/data/mse/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    CaptureTable::parse_csv(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn lcmcr_sweep(c: &mut Criterion) {
    let kosovo = table("kosovo.csv");
    let options = LcmcrOptions::default();
    let mut sampler = Sampler::new(&kosovo, &options).unwrap_or_else(|e| panic!("{e}"));
    for _ in 0..2_000 {
        sampler.sweep().unwrap_or_else(|e| panic!("{e}"));
    }
    c.bench_function("lcmcr_sweep_kosovo_k10", |b| {
        b.iter(|| {
            sampler.sweep().unwrap_or_else(|e| panic!("{e}"));
            black_box(sampler.population())
        })
    });
}

fn dga_five_lists(c: &mut Criterion) {
    let five = table("MY1997_5list.csv");
    let options = DgaOptions {
        delta: Some(0.5),
        prior: NPrior::InverseN,
        missing: Some((1, 300)),
    };
    c.bench_function("dga_madigan_york_5_lists", |b| {
        b.iter(|| {
            black_box(
                dga(&five, &options)
                    .unwrap_or_else(|e| panic!("{e}"))
                    .bayes_estimate,
            )
        })
    });
}

criterion_group!(benches, lcmcr_sweep, dga_five_lists);
criterion_main!(benches);
