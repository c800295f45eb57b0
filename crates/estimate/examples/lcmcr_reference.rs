//! Checks the LCMCR sampler's posterior against a textbook one: the same model, start and Gibbs
//! scan as the reference implementation (the R package LCMCR, Manrique-Vallier 2016), written
//! plainly with `rand_distr`'s Binomial, Beta and Gamma draws and none of the sampler's speed
//! work (no class order, bitwise or categorical splits, squeezes or tables). Both run the
//! published settings on the Kosovo table with the same number of chains and the same
//! burn-in, and the pooled posteriors of `N` are printed side by side. Besides the table's
//! parsing they share only `rand_distr`'s Gamma and Poisson draws for the unseen count and the
//! concentration. The textbook sampler takes about three times as long a sweep.
//!
//! `cargo run --release -p whereabouts-estimate --example lcmcr_reference -- [CHAINS] [BURN_IN]`
//! (defaults 16 chains and the published burn-in of 10,000 sweeps; 128 chains take about four
//! minutes on two cores). A burn-in of a million sweeps shows where the chains settle.

use estimate::lcmcr::{LcmcrOptions, lcmcr};
use estimate::table::CaptureTable;
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use rand_distr::{Beta, Binomial, Distribution, Gamma, Poisson};

type Failure = Box<dyn std::error::Error + Send + Sync>;

/// The reference implementation's warm-up: sweeps with the concentration held at 0.3 / K.
const WARM_UP_SWEEPS: usize = 500;

fn main() -> Result<(), Failure> {
    let mut args = std::env::args().skip(1);
    let chains: u64 = args.next().map_or(Ok(16), |s| s.parse())?;
    let burn_in: usize = args.next().map_or(Ok(10_000), |s| s.parse())?;
    let path = format!(
        "{}/../../../shared/data/mse/kosovo.csv",
        env!("CARGO_MANIFEST_DIR")
    );
    let table = CaptureTable::parse_csv(&std::fs::read_to_string(path)?)?;
    let options = LcmcrOptions {
        chains: usize::try_from(chains)?,
        burn_in,
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

/// Prints the pooled draws' median, 95% interval (R's type-7 quantiles) and mean.
fn summarise(name: &str, mut draws: Vec<f64>) {
    draws.sort_by(f64::total_cmp);
    let quantile = |q: f64| {
        let position = q * (draws.len() - 1) as f64;
        let below = position.floor() as usize;
        let above = (below + 1).min(draws.len() - 1);
        draws[below] + (position - below as f64) * (draws[above] - draws[below])
    };
    let mean = draws.iter().sum::<f64>() / draws.len() as f64;
    println!(
        "{name} {} draws: median {:.0}, 95% interval {:.0}–{:.0}, mean {mean:.0}",
        draws.len(),
        quantile(0.5),
        quantile(0.025),
        quantile(0.975),
    );
}

/// A chain's state: `lambda[k * lists + j]`, the class weights, the concentration and the
/// unseen count.
struct Textbook<'a> {
    table: &'a CaptureTable,
    classes: usize,
    lambda: Vec<f64>,
    weight: Vec<f64>,
    alpha: f64,
    unseen: u64,
    /// The unseen people per class, from the last sweep.
    unseen_by_class: Vec<u64>,
}

/// One chain of the textbook sampler: the reference implementation's start and warm-up, then
/// the options' burn-in, thinning and draws; returns the kept draws of `N`.
fn textbook_chain(
    table: &CaptureTable,
    options: &LcmcrOptions,
    seed: u64,
) -> Result<Vec<f64>, Failure> {
    let (lists, classes) = (table.list_count(), options.classes);
    let observed = table.observed() as f64;
    let share: Vec<f64> = (0..lists)
        .map(|j| {
            let seen: u64 = (0..table.counts().len())
                .filter(|mask| mask >> j & 1 == 1)
                .map(|mask| table.counts()[mask])
                .sum();
            seen as f64 / observed
        })
        .collect();
    let mut chain = Textbook {
        table,
        classes,
        lambda: (0..classes).flat_map(|_| share.iter().copied()).collect(),
        weight: (0..classes)
            .map(|k| match (classes > 4, k < 4) {
                (false, _) => 1.0 / classes as f64,
                (true, true) => 0.225,
                (true, false) => 0.1 / (classes - 4) as f64,
            })
            .collect(),
        alpha: 0.3 / classes as f64,
        unseen: 0,
        unseen_by_class: vec![0; classes],
    };
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    for _ in 0..WARM_UP_SWEEPS {
        chain.sweep(&mut rng, options, false)?;
    }
    chain.relabel_by_weight(lists);
    let mut kept = Vec::with_capacity(options.draws);
    for sweep in 1..=options.burn_in + options.draws * options.thinning {
        chain.sweep(&mut rng, options, true)?;
        if sweep > options.burn_in && (sweep - options.burn_in).is_multiple_of(options.thinning) {
            kept.push(observed + chain.unseen as f64);
        }
    }
    Ok(kept)
}

impl Textbook<'_> {
    /// One Gibbs sweep in the reference implementation's order: the observed people's classes,
    /// λ, the weights, the unseen count and their classes, then (unless warming up) α.
    fn sweep(
        &mut self,
        rng: &mut Xoshiro256PlusPlus,
        options: &LcmcrOptions,
        update_alpha: bool,
    ) -> Result<(), Failure> {
        let (lists, classes) = (self.table.list_count(), self.classes);
        let mut class_total = self.unseen_by_class.clone();
        let mut seen = vec![0_u64; classes * lists];
        for (mask, count) in self.table.counts().iter().enumerate().skip(1) {
            let split = self.split(
                rng,
                *count,
                |p, j| {
                    if mask >> j & 1 == 1 { p } else { 1.0 - p }
                },
            )?;
            for (k, x) in split.iter().enumerate() {
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
                self.lambda[k * lists + j] = Beta::new(1.0 + s, 1.0 + missed)?
                    .sample(rng)
                    .clamp(f64::MIN_POSITIVE, 1.0 - f64::EPSILON);
            }
        }
        // Stick-breaking in logarithms: the last stick's shape α can be far below 1.
        let mut later: u64 = class_total.iter().sum();
        let mut log_rest = 0.0;
        for (k, total) in class_total[..classes - 1].iter().enumerate() {
            later -= total;
            let log_x = log_gamma(rng, 1.0 + *total as f64)?;
            let log_y = log_gamma(rng, self.alpha + later as f64)?;
            let high = log_x.max(log_y);
            let log_sum = high + ((log_x - high).exp() + (log_y - high).exp()).ln();
            self.weight[k] = (log_rest + log_x - log_sum).exp();
            log_rest += log_y - log_sum;
        }
        self.weight[classes - 1] = log_rest.exp();
        // The unseen count, negative-binomial given the rest (p(N) ∝ 1/N), as Gamma–Poisson.
        let p0: f64 = (0..classes)
            .map(|k| {
                let lambda = &self.lambda[k * lists..(k + 1) * lists];
                lambda.iter().fold(self.weight[k], |p, l| p * (1.0 - l))
            })
            .sum();
        let observed = self.table.observed() as f64;
        let rate = Gamma::new(observed, p0 / (1.0 - p0))?.sample(rng);
        self.unseen = if rate > 0.0 {
            Poisson::new(rate)?.sample(rng) as u64
        } else {
            0
        };
        self.unseen_by_class = self.split(rng, self.unseen, |p, _| 1.0 - p)?;
        if update_alpha {
            let alpha_rate = options.alpha_rate - log_rest;
            self.alpha = Gamma::new(options.alpha_shape + classes as f64 - 1.0, 1.0 / alpha_rate)?
                .sample(rng)
                .max(1e-300);
        }
        Ok(())
    }

    /// Splits `count` people over the classes in their own order by conditional binomials,
    /// class `k` weighted by its weight times `recorded(λ_kj, j)` over the lists.
    fn split(
        &self,
        rng: &mut Xoshiro256PlusPlus,
        count: u64,
        recorded: impl Fn(f64, usize) -> f64,
    ) -> Result<Vec<u64>, Failure> {
        let lists = self.table.list_count();
        let chance: Vec<f64> = (0..self.classes)
            .map(|k| {
                let lambda = &self.lambda[k * lists..(k + 1) * lists];
                (0..lists).fold(self.weight[k], |p, j| p * recorded(lambda[j], j))
            })
            .collect();
        let mut left = count;
        let mut mass: f64 = chance.iter().sum();
        let mut split = Vec::with_capacity(self.classes);
        for (k, p) in chance.iter().enumerate() {
            let x = if k + 1 == self.classes || left == 0 {
                left
            } else {
                Binomial::new(left, (p / mass).clamp(0.0, 1.0))?.sample(rng)
            };
            left -= x;
            mass -= p;
            split.push(x);
        }
        Ok(split)
    }

    /// Renumbers the classes by decreasing weight, as the reference implementation does after
    /// its warm-up.
    fn relabel_by_weight(&mut self, lists: usize) {
        let mut by_weight: Vec<usize> = (0..self.classes).collect();
        by_weight.sort_by(|a, b| self.weight[*b].total_cmp(&self.weight[*a]));
        self.weight = by_weight.iter().map(|k| self.weight[*k]).collect();
        self.unseen_by_class = by_weight.iter().map(|k| self.unseen_by_class[*k]).collect();
        self.lambda = by_weight
            .iter()
            .flat_map(|k| self.lambda[k * lists..(k + 1) * lists].to_vec())
            .collect();
    }
}

/// The log of a Gamma(shape, 1) draw, as `G(shape + 1) · U^(1/shape)` so shapes far below 1 do
/// not underflow.
fn log_gamma(rng: &mut Xoshiro256PlusPlus, shape: f64) -> Result<f64, Failure> {
    let draw: f64 = Gamma::new(shape + 1.0, 1.0)?.sample(rng);
    let u: f64 = rng.random::<f64>().max(f64::MIN_POSITIVE);
    Ok(draw.ln() + u.ln() / shape)
}
