//! Times `write_lists` on 100,000 and 1,000,000 persons × 5 sources (the files go to a
//! temporary folder). Run with `cargo bench -p whereabouts-synth`.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::Duration;
use synth::{SynthConfig, write_lists};

fn bench_write_lists(c: &mut Criterion) {
    let mut group = c.benchmark_group("write_lists");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    for persons in [100_000u64, 1_000_000] {
        let config = SynthConfig {
            persons,
            ..SynthConfig::default()
        };
        group.bench_function(format!("{persons}_persons_5_sources"), |b| {
            b.iter(|| {
                let out = tempfile::tempdir().map_err(|e| e.to_string());
                let out = match out {
                    Ok(dir) => dir,
                    Err(error) => panic!("no temporary folder: {error}"),
                };
                black_box(write_lists(&config, out.path()).map_err(|e| e.to_string()))
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_write_lists);
criterion_main!(benches);
