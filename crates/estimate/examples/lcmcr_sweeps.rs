//! Times LCMCR Gibbs sweeps on the Kosovo table without criterion's statistics, for machines
//! too busy for stable wall-clock benchmarks: run it under `perf stat` or `time` and divide the
//! user CPU time by the number of sweeps.
//!
//! `cargo run --release -p whereabouts-estimate --example lcmcr_sweeps -- 200000`

use estimate::lcmcr::{LcmcrOptions, Sampler};
use estimate::table::CaptureTable;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sweeps: usize = std::env::args().nth(1).map_or(Ok(200_000), |s| s.parse())?;
    let path = format!(
        "{}/../../../shared/data/mse/kosovo.csv",
        env!("CARGO_MANIFEST_DIR")
    );
    let table = CaptureTable::parse_csv(&std::fs::read_to_string(path)?)?;
    let mut sampler = Sampler::new(&table, &LcmcrOptions::default())?;
    let started = std::time::Instant::now();
    let mut total = 0u64;
    for _ in 0..sweeps {
        sampler.sweep()?;
        total += sampler.population();
    }
    let elapsed = started.elapsed();
    println!(
        "{sweeps} sweeps in {elapsed:?} wall: {:.2} µs per sweep (mean N {:.0})",
        elapsed.as_secs_f64() * 1e6 / sweeps as f64,
        total as f64 / sweeps as f64
    );
    Ok(())
}
