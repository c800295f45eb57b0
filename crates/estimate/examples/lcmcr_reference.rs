//! Checks the LCMCR sampler's posterior against a textbook one: the same model and Gibbs
//! scan (Manrique-Vallier 2016, as the reference implementation orders it), written plainly
//! with `rand_distr`'s own Binomial, Beta and Gamma draws and none of the sampler's speed
//! work (no class order, bitwise or categorical splits, squeezes or tables). Both run the
//! published settings on the Kosovo table with the same number of chains, and the pooled
//! posteriors of `N` are printed side by side. They share no code but the table's parsing,
//! so agreement says the fast draws keep the model's law; the textbook sampler takes about
//! three times as long a sweep.
//!
//! `cargo run --release -p whereabouts-estimate --example lcmcr_reference -- [CHAINS]`
//! (default 16; 128 chains take about four minutes on two cores).

use estimate::lcmcr::{LcmcrOptions, lcmcr, quantile};
use estimate::table::CaptureTable;
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use rand_distr::{Beta, Binomial, Distribution, Gamma, Poisson};

type Failure = Box<dyn std::error::Error + Send + Sync>;

fn main() -> Result<(), Failure> {
    let chains: u64 = std::env::args().nth(1).map_or(Ok(16), |s| s.parse())?;
    let path = format!(
        "{}/../../../shared/data/mse/kosovo.csv",
        env!("CARGO_MANIFEST_DIR")
    );
    let table = CaptureTable::parse_csv(&std::fs::read_to_string(path)?)?;
    let options = LcmcrOptions {
        chains: usize::try_from(chains)?,
        ..LcmcrOptions::default()
    };
    let fast = lcmcr(&table, &options)?;
    summarise("sampler  ", fast.draws);
    let textbook = std::thread::scope(|scope| {
        let runs: Vec<_> = (0..chains)
            .map(|chain| {
                let seed = options.seed.wrapping_add(chain) ^ 0x5eed;
                let table = &table;
                scope.spawn(move || textbook_chain(table, &options, seed))
            })
            .collect();
        let mut draws = Vec::new();
        for run in runs {
            draws.extend(run.join().map_err(|_| "a textbook chain stopped")??);
        }
        Ok::<_, Failure>(draws)
    })?;
    summarise("textbook ", textbook);
    Ok(())
}

/// Prints the pooled draws' median, 95% interval and mean.
fn summarise(name: &str, mut draws: Vec<f64>) {
    draws.sort_by(f64::total_cmp);
    let mean = draws.iter().sum::<f64>() / draws.len() as f64;
    println!(
        "{name} {} draws: median {:.0}, 95% interval {:.0}–{:.0}, mean {mean:.0}",
        draws.len(),
        quantile(&draws, 0.5),
        quantile(&draws, 0.025),
        quantile(&draws, 0.975),
    );
}

/// One chain of the textbook sampler with the options' burn-in, thinning and draws; returns
/// the kept draws of `N`.
fn textbook_chain(
    table: &CaptureTable,
    options: &LcmcrOptions,
    seed: u64,
) -> Result<Vec<f64>, Failure> {
    let (lists, classes) = (table.list_count(), options.classes);
    let observed = table.observed();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut lambda = vec![0.5; classes * lists];
    let mut weight = vec![1.0 / classes as f64; classes];
    let mut alpha = 1.0;
    let mut unseen: u64 = 0;
    let mut kept = Vec::with_capacity(options.draws);
    for sweep in 1..=options.burn_in + options.draws * options.thinning {
        // Classes of everyone, pattern by pattern (the unseen are pattern 0), by conditional
        // binomials in the classes' own order.
        let mut class_total = vec![0_u64; classes];
        let mut seen = vec![0_u64; classes * lists];
        for (mask, count) in table.counts().iter().enumerate() {
            let count = if mask == 0 { unseen } else { *count };
            let chance: Vec<f64> = (0..classes)
                .map(|k| {
                    (0..lists).fold(weight[k], |p, j| {
                        let l = lambda[k * lists + j];
                        if mask >> j & 1 == 1 {
                            p * l
                        } else {
                            p * (1.0 - l)
                        }
                    })
                })
                .collect();
            let mut left = count;
            let mut mass: f64 = chance.iter().sum();
            for (k, p) in chance.iter().enumerate() {
                let x = if k + 1 == classes || left == 0 {
                    left
                } else {
                    Binomial::new(left, (p / mass).clamp(0.0, 1.0))?.sample(&mut rng)
                };
                left -= x;
                mass -= p;
                class_total[k] += x;
                for j in (0..lists).filter(|j| mask >> j & 1 == 1) {
                    seen[k * lists + j] += x;
                }
            }
        }
        for k in 0..classes {
            for j in 0..lists {
                let s = seen[k * lists + j] as f64;
                let missed = class_total[k] as f64 - s;
                lambda[k * lists + j] = Beta::new(1.0 + s, 1.0 + missed)?
                    .sample(&mut rng)
                    .clamp(f64::MIN_POSITIVE, 1.0 - f64::EPSILON);
            }
        }
        // Stick-breaking in logarithms: the last stick's shape α can be far below 1.
        let mut later: u64 = class_total.iter().sum();
        let mut log_rest = 0.0;
        for k in 0..classes - 1 {
            later -= class_total[k];
            let log_x = log_gamma(&mut rng, 1.0 + class_total[k] as f64)?;
            let log_y = log_gamma(&mut rng, alpha + later as f64)?;
            let high = log_x.max(log_y);
            let log_sum = high + ((log_x - high).exp() + (log_y - high).exp()).ln();
            weight[k] = (log_rest + log_x - log_sum).exp();
            log_rest += log_y - log_sum;
        }
        weight[classes - 1] = log_rest.exp();
        // The unseen count, negative-binomial given the rest (p(N) ∝ 1/N), as Gamma–Poisson.
        let p0: f64 = (0..classes)
            .map(|k| (0..lists).fold(weight[k], |p, j| p * (1.0 - lambda[k * lists + j])))
            .sum();
        let rate = Gamma::new(observed as f64, p0 / (1.0 - p0))?.sample(&mut rng);
        unseen = if rate > 0.0 {
            Poisson::new(rate)?.sample(&mut rng) as u64
        } else {
            0
        };
        let alpha_rate = options.alpha_rate - log_rest;
        alpha = Gamma::new(options.alpha_shape + classes as f64 - 1.0, 1.0 / alpha_rate)?
            .sample(&mut rng)
            .max(1e-300);
        if sweep > options.burn_in && (sweep - options.burn_in).is_multiple_of(options.thinning) {
            kept.push((observed + unseen) as f64);
        }
    }
    Ok(kept)
}

/// The log of a Gamma(shape, 1) draw, as `G(shape + 1) · U^(1/shape)` so shapes far below 1 do
/// not underflow.
fn log_gamma(rng: &mut Xoshiro256PlusPlus, shape: f64) -> Result<f64, Failure> {
    let draw: f64 = Gamma::new(shape + 1.0, 1.0)?.sample(rng);
    let u: f64 = rng.random::<f64>().max(f64::MIN_POSITIVE);
    Ok(draw.ln() + u.ln() / shape)
}
