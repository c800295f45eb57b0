//! Writes synthetic lists from the command line without the CLI crate:
//! `cargo run --release -p whereabouts-synth --example synth -- OUT_DIR PERSONS SOURCES SEED [NOISE]`.

use std::path::PathBuf;
use std::time::Instant;
use synth::{SynthConfig, write_lists};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let out = PathBuf::from(args.first().map_or("synth-out", String::as_str));
    let defaults = SynthConfig::default();
    let config = SynthConfig {
        persons: args.get(1).map_or(Ok(defaults.persons), |a| a.parse())?,
        sources: args.get(2).map_or(Ok(defaults.sources), |a| a.parse())?,
        seed: args.get(3).map_or(Ok(defaults.seed), |a| a.parse())?,
        noise: args.get(4).map_or(Ok(defaults.noise), |a| a.parse())?,
        ..defaults
    };
    let started = Instant::now();
    let summary = write_lists(&config, &out)?;
    println!(
        "{} persons, {} observed, records per source {:?}, in {:.2} s",
        summary.true_persons,
        summary.observed_persons,
        summary.records_per_source,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
