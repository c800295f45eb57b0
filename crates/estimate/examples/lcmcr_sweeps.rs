//! Times LCMCR Gibbs sweeps on the Kosovo table without criterion's statistics, for machines
//! too busy for stable wall-clock benchmarks: run it under `perf stat` or `time` and divide the
//! user CPU time by the number of sweeps.
//!
//! `cargo run --release -p whereabouts-estimate --example lcmcr_sweeps -- [SWEEPS] [CHAINS]`
//!
//! With `CHAINS` (default 1) it runs that many chains one after another, seeds 0, 1, …, after
//! the default burn-in of 10,000 untimed sweeps each, and reports the mean over all of them:
//! one chain's cost depends on where its random path takes it, so compare builds over several
//! chains. With one chain it runs the default seed from the default start.

use estimate::lcmcr::{LcmcrOptions, Sampler};
use estimate::table::CaptureTable;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let sweeps: usize = args.next().map_or(Ok(200_000), |s| s.parse())?;
    let chains: u64 = args.next().map_or(Ok(1), |s| s.parse())?;
    let path = format!(
        "{}/../../../shared/data/mse/kosovo.csv",
        env!("CARGO_MANIFEST_DIR")
    );
    let table = CaptureTable::parse_csv(&std::fs::read_to_string(path)?)?;
    let mut elapsed = std::time::Duration::ZERO;
    let mut total = 0u64;
    for chain in 0..chains {
        let options = if chains == 1 {
            LcmcrOptions::default()
        } else {
            LcmcrOptions {
                seed: chain,
                ..LcmcrOptions::default()
            }
        };
        let mut sampler = Sampler::new(&table, &options)?;
        if chains > 1 {
            for _ in 0..options.burn_in {
                sampler.sweep()?;
            }
        }
        let started = std::time::Instant::now();
        for _ in 0..sweeps {
            sampler.sweep()?;
            total += sampler.population();
        }
        elapsed += started.elapsed();
    }
    let all = sweeps as f64 * chains as f64;
    println!(
        "{chains} × {sweeps} sweeps in {elapsed:?} wall: {:.2} µs per sweep (mean N {:.0})",
        elapsed.as_secs_f64() * 1e6 / all,
        total as f64 / all
    );
    Ok(())
}
