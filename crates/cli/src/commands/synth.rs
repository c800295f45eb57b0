//! `whereabouts synth`: write synthetic victim lists with ground truth (see `docs/synth.md`).

use crate::registry::refuse_inside_registry;
use anyhow::Context;
use std::path::PathBuf;
use std::time::Instant;
use synth::{DEFAULT_DUPLICATE_RATE, DEFAULT_HETEROGENEITY, DEFAULT_NOISE, SynthConfig};

/// Arguments of `synth`.
#[derive(clap::Args, Debug)]
pub struct SynthArgs {
    /// Folder to write source_k.csv per list, truth.csv and meta.json into (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Persons in the true population N, including those no list records.
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    pub persons: u64,
    /// Number of source lists K (1 to 64).
    #[arg(long, value_name = "K", default_value_t = 5)]
    pub sources: u32,
    /// Seed: the same seed and settings give byte-identical files.
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub seed: u64,
    /// Noise from 0 (clean) to 1 (heavy): typos, missing values, swapped names, coarse dates.
    #[arg(long, default_value_t = DEFAULT_NOISE)]
    pub noise: f64,
    /// Share of persons a list with duplicates holds twice (0 to 0.5).
    #[arg(long, default_value_t = DEFAULT_DUPLICATE_RATE)]
    pub duplicate_rate: f64,
    /// Spread of persons' visibility to the lists (0 = everyone equally likely to be listed).
    #[arg(long, default_value_t = DEFAULT_HETEROGENEITY)]
    pub heterogeneity: f64,
}

/// Writes the lists and prints what was written.
pub fn run(args: SynthArgs) -> anyhow::Result<()> {
    let config = SynthConfig {
        persons: args.persons,
        sources: args.sources,
        seed: args.seed,
        noise: args.noise,
        duplicate_rate: args.duplicate_rate,
        heterogeneity: args.heterogeneity,
    };
    refuse_inside_registry("--out", &args.out)?;
    let started = Instant::now();
    let summary = synth::write_lists(&config, &args.out)
        .with_context(|| format!("writing synthetic lists to {}", args.out.display()))?;
    let records: u64 = summary.records_per_source.iter().sum();
    println!(
        "wrote {} lists, {records} records, to {} in {:.1} s",
        summary.records_per_source.len(),
        args.out.display(),
        started.elapsed().as_secs_f64()
    );
    println!(
        "true population N = {} (in meta.json); {} on at least one list, {} on none",
        summary.true_persons,
        summary.observed_persons,
        summary.true_persons - summary.observed_persons
    );
    for (style, records) in summary.styles.iter().zip(&summary.records_per_source) {
        println!("  {}.csv  {records:>9} records  {}", style.stem, style.kind);
    }
    println!("ground truth: {}", args.out.join("truth.csv").display());
    Ok(())
}
