//! Runs LCMCR on the Kosovo table many times with the default settings and prints, per run, the
//! mixing diagnostics next to the interval's lower end, to see how often each diagnostic
//! speaks and whether it speaks for the runs that are off.
//!
//! `cargo run --release -p whereabouts-estimate --example lcmcr_diagnostics -- RUNS CHAINS [FIRST_SEED]`
//!
//! Run `r` uses the seeds `FIRST_SEED + r · CHAINS` onwards (default first seed 5000). The last
//! line sums up: the split-R̂ median and largest, how many runs exceed 1.01, the warning's 1.02
//! and 1.05, and how many the has-not-mixed warning comes for.

use estimate::lcmcr::{LcmcrOptions, MAX_SPLIT_R_HAT, lcmcr};
use estimate::table::CaptureTable;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let runs: u64 = args.next().map_or(Ok(16), |s| s.parse())?;
    let chains: usize = args.next().map_or(Ok(1), |s| s.parse())?;
    let first_seed: u64 = args.next().map_or(Ok(5000), |s| s.parse())?;
    if runs == 0 {
        return Err("RUNS must be at least 1".into());
    }
    let path = format!(
        "{}/../../../shared/data/mse/kosovo.csv",
        env!("CARGO_MANIFEST_DIR")
    );
    let table = CaptureTable::parse_csv(&std::fs::read_to_string(path)?)?;
    let mut r_hats = Vec::new();
    let mut warned = 0;
    for run in 0..runs {
        let options = LcmcrOptions {
            seed: first_seed + run * chains as u64,
            chains,
            ..LcmcrOptions::default()
        };
        let result = lcmcr(&table, &options)?;
        println!(
            "seed {:5}: split R-hat {:.4}, Geweke z {:6.2}, ESS {:5.0} (least chain {:4.0}), lower end {:6.0}, median {:6.0}, mixed {}",
            options.seed,
            result.split_r_hat,
            result.geweke_z,
            result.effective_sample_size,
            result.least_chain_effective_sample_size,
            result.interval.0,
            result.median,
            result.has_mixed()
        );
        r_hats.push(result.split_r_hat);
        warned += usize::from(!result.has_mixed());
    }
    r_hats.sort_by(f64::total_cmp);
    let above = |limit: f64| r_hats.iter().filter(|r| **r > limit).count();
    println!(
        "{runs} runs of {chains} chain(s): split R-hat median {:.4}, largest {:.4}; above 1.01: {}, above {MAX_SPLIT_R_HAT}: {}, above 1.05: {}; not mixed: {warned}",
        r_hats[r_hats.len() / 2],
        r_hats.last().copied().unwrap_or(f64::NAN),
        above(1.01),
        above(MAX_SPLIT_R_HAT),
        above(1.05)
    );
    Ok(())
}
