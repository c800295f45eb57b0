//! LCMCR: the Bayesian non-parametric latent-class model for capture–recapture
//! (Manrique-Vallier 2016, *Biometrics* 72(4)), as in the R package `LCMCR`.
//!
//! People fall in `K` latent classes; within a class, lists record people independently with
//! class-specific probabilities `λ[k][j] ~ Beta(1, 1)`. Class weights follow a stick-breaking
//! prior truncated at `K` with concentration `α ~ Gamma(a, b)` (defaults `a = b = 0.25`), and
//! `p(N) ∝ 1/N`, so given everything else the unseen count is negative binomial. The Gibbs sampler
//! works on counts, not individuals: the people in a capture pattern are exchangeable, so their
//! classes are one multinomial draw per pattern. That keeps a sweep independent of `N`.
//!
//! One sweep: classes of the observed people; `λ`; the stick-breaking weights; the unseen count
//! `n0 ~ NegBin(n, 1 − p0)` where `p0` is the probability of being on no list; the classes of the
//! unseen; `α`. Defaults follow published practice: `K = 10`, burn-in 10,000 sweeps, then 1,000
//! draws kept one every 100 sweeps. The result gives the posterior median, mean, 95% interval,
//! the effective sample size of the kept draws and a Geweke diagnostic; [`LcmcrResult::has_mixed`]
//! is false when either looks bad.

use rand::rngs::Xoshiro256PlusPlus;
use rand::{Rng, RngExt, SeedableRng};
use rand_distr::{Binomial, Distribution, Gamma, Open01, Poisson, StandardNormal};
use serde::Serialize;
use std::sync::LazyLock;

use crate::error::{EstimateError, Result};
use crate::table::CaptureTable;

const METHOD: &str = "LCMCR";

/// Up to this many people left in a split, one categorical draw each (a uniform and a count of
/// the cumulative weights below it) is cheaper than a binomial per remaining class. Timed on
/// Kosovo over 48 chains after the burn-in (`lcmcr_sweeps 10000 48`): 5.07–5.11 µs a sweep at
/// 32 against 5.23–5.24 at 16; 48 was as fast as 32, and 8, 12, 24 and 64 slower than 32.
/// (16 had been best by instruction count while the categorical draw still branched per class.)
const CATEGORICAL_MAX: u64 = 32;

/// The largest truncation level `K` accepted.
const MAX_CLASSES: usize = 100;
/// The fewest effective draws, over all chains, that [`LcmcrResult::has_mixed`] accepts.
pub const MIN_EFFECTIVE_DRAWS: f64 = 100.0;
/// The most chains run at once, each on its own thread.
const MAX_CHAINS: usize = 256;
/// The most draws kept over all chains (80 MB of them, held twice while they are summarised).
const MAX_DRAWS: usize = 10_000_000;
/// The most Gibbs sweeps a chain may run (burn-in plus thinning × draws): about two hours at 3.4
/// µs a sweep, four hundred times HRDAG's production setting, and room for the most draws at the
/// default thinning. Asked for more, a run would only look hung.
const MAX_SWEEPS: usize = 2_000_000_000;
/// The largest unseen count drawn: beyond it `N = n + n0` could leave the integers a float
/// holds exactly (and, near 2^64, wrap); a chain that gets there has no bound to find.
const MAX_UNSEEN: u64 = 1 << 53;
/// Each pattern's classes are re-sorted by decreasing probability at every this many sweeps,
/// and visited in the kept order in between. The order decides only which uniforms go to which
/// class, not the distribution of the split, so any order taken from the past is exact; sorting
/// at every sweep cost more than the few extra draws a slightly stale order needs. Over 48 chains
/// on Kosovo after the burn-in (`lcmcr_sweeps 10000 48`, twelfth session): 4.59–4.62 µs a sweep
/// sorting every 4th sweep, 4.31–4.51 every 16th, 4.42–4.65 every 32nd, 4.46–4.59 every 64th.
const RESORT_EVERY: u64 = 16;
/// Sweeps of the warm-up that [`Sampler::new`] runs before the burn-in, with the concentration
/// held at [`WARM_UP_ALPHA_PER_CLASS`]` / K`, as the reference implementation starts.
const WARM_UP_SWEEPS: usize = 500;
/// The concentration during the warm-up, times `K`: small, so that a few classes take the people.
const WARM_UP_ALPHA_PER_CLASS: f64 = 0.3;

/// The largest split-R̂ ([`split_r_hat`]) [`LcmcrResult::has_mixed`] accepts. Vehtari et al.
/// (2021) suggest 1.01; on Kosovo at the defaults a third of the runs exceed that, most with
/// intervals as good as the rest, while above 1.02 sat the two runs of four chains that held a
/// chain with fewer than 30 effective draws, one of them with its lower end 15% low
/// (docs/estimation.md).
pub const MAX_SPLIT_R_HAT: f64 = 1.02;

/// Sampler settings; [`Default`] gives the published ones with seed 1988.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LcmcrOptions {
    /// Truncation level `K` (number of latent classes).
    pub classes: usize,
    /// Shape `a` of the Gamma prior on the stick-breaking concentration.
    pub alpha_shape: f64,
    /// Rate `b` of that prior.
    pub alpha_rate: f64,
    /// Sweeps discarded before keeping any.
    pub burn_in: usize,
    /// Sweeps between kept draws.
    pub thinning: usize,
    /// Draws kept.
    pub draws: usize,
    /// Random seed; the same seed and table give the same draws.
    pub seed: u64,
    /// Independent chains run on separate threads with seeds `seed`, `seed + 1`, …, their kept
    /// draws pooled. More chains shrink the Monte Carlo error of the interval ends, which for
    /// LCMCR on sticky tables is the largest source of run-to-run variation.
    pub chains: usize,
}

impl Default for LcmcrOptions {
    fn default() -> Self {
        Self {
            classes: 10,
            alpha_shape: 0.25,
            alpha_rate: 0.25,
            burn_in: 10_000,
            thinning: 100,
            draws: 1_000,
            seed: 1988,
            chains: 1,
        }
    }
}

/// Posterior summary of the population size.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LcmcrResult {
    /// Settings used.
    pub options: LcmcrOptions,
    /// Posterior median of `N`.
    pub median: f64,
    /// Posterior mean of `N`.
    pub mean: f64,
    /// 95% equal-tailed credible interval.
    pub interval: (f64, f64),
    /// Effective sample size of the kept draws of `N` (Geyer's initial positive sequence),
    /// summed over the chains.
    pub effective_sample_size: f64,
    /// The smallest effective sample size of one chain: 0 when a chain never moved, which the
    /// sum over the chains would hide.
    pub least_chain_effective_sample_size: f64,
    /// Geweke z-score comparing the first 10% and the last 50% of a chain's kept draws; of
    /// several chains, the one largest in absolute value.
    pub geweke_z: f64,
    /// Rank-normalised split-R̂ of the kept draws over all chains ([`split_r_hat`]).
    pub split_r_hat: f64,
    /// The kept draws of `N`, in order.
    #[serde(skip)]
    pub draws: Vec<f64>,
}

impl LcmcrResult {
    /// False when the chains show they have not mixed: fewer than 100 effective draws in all,
    /// a chain that never moved, halves of chains that disagree (split-R̂ above
    /// [`MAX_SPLIT_R_HAT`]), or the start and end of some chain's kept draws disagree: |Geweke
    /// z| above 3 for one chain, and for several the level at which the largest of that many
    /// independent |z| is as rare as one |z| above 3 ([`geweke_limit`]: 3.4 for 4 chains, 3.8
    /// for 16).
    pub fn has_mixed(&self) -> bool {
        failed_mixing_checks(
            self.effective_sample_size,
            self.least_chain_effective_sample_size,
            self.geweke_z,
            self.split_r_hat,
            self.options.chains,
        )
        .is_empty()
    }

    /// True when at least [`MIN_EFFECTIVE_DRAWS`] draws were kept and every one of them, in
    /// every chain, is the same total: the posterior then sits on one number and the chains have
    /// no spread to judge their mixing by (no effective sample size, no split-R̂), which is not
    /// a chain stuck where the posterior is wide. Fewer draws that agree say too little.
    pub fn draws_all_equal(&self) -> bool {
        self.draws.len() as f64 >= MIN_EFFECTIVE_DRAWS
            && self.draws.windows(2).all(|pair| pair[0] == pair[1])
    }
}

/// A check of [`LcmcrResult::has_mixed`] that the chains failed, with its figure (NaN when too
/// few draws, or draws that do not vary, leave it undefined).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MixingCheck {
    /// Fewer than [`MIN_EFFECTIVE_DRAWS`] effective draws over all chains.
    EffectiveDraws(f64),
    /// Of several chains, one that never moved: the least effective draws of one chain.
    StuckChain(f64),
    /// A Geweke z beyond the limit for this many chains ([`geweke_limit`]).
    Geweke {
        /// The z (of several chains, the largest in absolute value).
        z: f64,
        /// The limit for the number of chains.
        limit: f64,
    },
    /// Split-R̂ above [`MAX_SPLIT_R_HAT`].
    SplitRHat(f64),
}

/// The mixing checks that chains with these figures fail, in the order a reader weighs them;
/// none for chains that have mixed. One chain's least effective draws are its total's, so the
/// stuck-chain check is made only for several.
pub fn failed_mixing_checks(
    effective_sample_size: f64,
    least_chain_effective_sample_size: f64,
    geweke_z: f64,
    split_r_hat: f64,
    chains: usize,
) -> Vec<MixingCheck> {
    let limit = geweke_limit(chains);
    let mut failed = Vec::new();
    if effective_sample_size.is_nan() || effective_sample_size < MIN_EFFECTIVE_DRAWS {
        failed.push(MixingCheck::EffectiveDraws(effective_sample_size));
    }
    if chains > 1
        && (least_chain_effective_sample_size.is_nan() || least_chain_effective_sample_size <= 0.0)
    {
        failed.push(MixingCheck::StuckChain(least_chain_effective_sample_size));
    }
    if geweke_z.is_nan() || geweke_z.abs() > limit {
        failed.push(MixingCheck::Geweke { z: geweke_z, limit });
    }
    if split_r_hat.is_nan() || split_r_hat > MAX_SPLIT_R_HAT {
        failed.push(MixingCheck::SplitRHat(split_r_hat));
    }
    failed
}

/// Runs `options.chains` chains and summarises the pooled draws of `N`; the effective sample
/// size is the sum over chains, the Geweke z the largest in absolute value.
pub fn lcmcr(table: &CaptureTable, options: &LcmcrOptions) -> Result<LcmcrResult> {
    check_run_options(options)?;
    let chains = options.chains;
    let runs: Vec<Result<Vec<f64>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..chains as u64)
            .map(|i| {
                let options = LcmcrOptions {
                    seed: options.seed.wrapping_add(i),
                    ..*options
                };
                scope.spawn(move || run_chain(table, &options))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(cannot_run("a sampler thread stopped unexpectedly".into()))
                })
            })
            .collect()
    });
    let runs = runs.into_iter().collect::<Result<Vec<Vec<f64>>>>()?;
    let mut effective_sample_size = 0.0;
    let mut least_chain_effective_sample_size = f64::INFINITY;
    let mut geweke: f64 = 0.0;
    for chain in &runs {
        let chain_effective_sample_size = effective_sample_size_of(chain);
        effective_sample_size += chain_effective_sample_size;
        least_chain_effective_sample_size =
            least_chain_effective_sample_size.min(chain_effective_sample_size);
        let z = geweke_z(chain);
        if z.abs() > geweke.abs() {
            geweke = z;
        }
    }
    let split_r_hat = split_r_hat(&runs);
    let draws = runs.concat();
    let mut sorted = draws.clone();
    sorted.sort_by(f64::total_cmp);
    let mean = draws.iter().sum::<f64>() / draws.len() as f64;
    Ok(LcmcrResult {
        options: *options,
        median: quantile(&sorted, 0.5),
        mean,
        interval: (quantile(&sorted, 0.025), quantile(&sorted, 0.975)),
        effective_sample_size,
        least_chain_effective_sample_size,
        geweke_z: geweke,
        split_r_hat,
        draws,
    })
}

/// Refuses settings out of range by name, before any chain starts.
fn check_run_options(options: &LcmcrOptions) -> Result<()> {
    let chains = options.chains;
    for (option, value, least) in [
        ("draws", options.draws, 2),
        ("thinning", options.thinning, 1),
        ("chains", chains, 1),
    ] {
        if value < least {
            return Err(EstimateError::InvalidOption {
                option,
                reason: format!("must be at least {least}; got {value}"),
            });
        }
    }
    if chains > MAX_CHAINS {
        return Err(EstimateError::InvalidOption {
            option: "chains",
            reason: format!(
                "at most {MAX_CHAINS} (each is a thread); got {chains}: for more draws raise --draws"
            ),
        });
    }
    if options.draws.saturating_mul(chains) > MAX_DRAWS {
        return Err(EstimateError::InvalidOption {
            option: "draws",
            reason: format!(
                "at most {MAX_DRAWS} in all (draws × chains); got {} × {chains}: for longer chains raise --thinning",
                options.draws
            ),
        });
    }
    let kept = options.thinning.saturating_mul(options.draws);
    if kept.saturating_add(options.burn_in) > MAX_SWEEPS {
        let (option, lower) = if options.burn_in > kept {
            ("burn_in", "--burn-in")
        } else {
            ("thinning", "--thinning or --draws")
        };
        return Err(EstimateError::InvalidOption {
            option,
            reason: format!(
                "a chain may run at most {MAX_SWEEPS} sweeps (burn-in + thinning × draws, about two hours); got {} + {} × {}: lower {lower}",
                options.burn_in, options.thinning, options.draws
            ),
        });
    }
    Ok(())
}

fn run_chain(table: &CaptureTable, options: &LcmcrOptions) -> Result<Vec<f64>> {
    let mut sampler = Sampler::new(table, options)?;
    for _ in 0..options.burn_in {
        sampler.sweep()?;
    }
    let mut draws = Vec::with_capacity(options.draws);
    for _ in 0..options.draws {
        for _ in 0..options.thinning {
            sampler.sweep()?;
        }
        draws.push(sampler.population() as f64);
    }
    Ok(draws)
}

/// The Gibbs sampler's state. Public so benchmarks can time single sweeps.
#[derive(Debug, Clone)]
pub struct Sampler {
    lists: usize,
    classes: usize,
    /// Observed patterns with a non-zero count: (mask, count).
    cells: Vec<(usize, u64)>,
    observed: u64,
    /// `lambda[j * K + k]`: probability that list `j` records a person of class `k`, a list's
    /// classes side by side so the cell probabilities are worked out a list at a time.
    lambda: Vec<f64>,
    weight: Vec<f64>,
    alpha: f64,
    alpha_shape: f64,
    alpha_rate: f64,
    unseen: u64,
    /// Unseen people per class, from the previous sweep.
    unseen_by_class: Vec<u64>,
    /// Per observed pattern, its people per class at this sweep, `K` entries each.
    split: Vec<u64>,
    /// Scratch: people per class, and people per class seen by each list (`seen[list * K + k]`).
    class_total: Vec<u64>,
    seen: Vec<u64>,
    /// Per class, its weight times the chance that no list records its members (the unseen split).
    unseen_probability: Vec<f64>,
    /// `cell_probability[mask * K + k]`: class `k`'s weight times the chance that its members
    /// are recorded by exactly the lists in `mask`, worked out at the start of each sweep.
    cell_probability: Vec<f64>,
    /// Scratch: the odds `λ / (1 − λ)`, laid out as `lambda`.
    odds: Vec<f64>,
    /// Per observed pattern, then for the unseen: the classes by decreasing probability at the
    /// last re-sort, `K` entries each (see [`RESORT_EVERY`]).
    order: Vec<usize>,
    /// Sweeps done so far.
    sweeps: u64,
    rng: Xoshiro256PlusPlus,
}

impl Sampler {
    /// Sets the sampler up as the reference implementation (the R package LCMCR) does: every
    /// class at the lists' observed frequencies, the first four classes with nine tenths of the
    /// weight, then 500 warm-up sweeps with a small fixed concentration, and finally the
    /// classes relabelled by decreasing weight (the stick-breaking prior expects them by
    /// decreasing size, and a Gibbs sampler exchanges two classes' places only very slowly).
    /// Started from equal weights and α = 1, chains on Kosovo still carried their start after
    /// the published burn-in: over 128 chains the 95% interval's lower end was 8,587, against
    /// 9,041 after a burn-in of a million sweeps; with this start 9,001 (8,876 without the
    /// relabelling).
    pub fn new(table: &CaptureTable, options: &LcmcrOptions) -> Result<Self> {
        let k = options.classes;
        if !(1..=MAX_CLASSES).contains(&k) {
            return Err(EstimateError::InvalidOption {
                option: "classes",
                reason: format!("K must be between 1 and {MAX_CLASSES}; got {k}"),
            });
        }
        if !(options.alpha_shape > 0.0 && options.alpha_rate > 0.0) {
            return Err(EstimateError::InvalidOption {
                option: "alpha",
                reason: "the Gamma prior's shape and rate must be positive".into(),
            });
        }
        let observed = table.observed();
        if observed == 0 {
            return Err(EstimateError::CannotRun {
                method: METHOD,
                reason: "every cell is empty: there is nobody to extrapolate from".into(),
            });
        }
        let j = table.list_count();
        let totals = table.list_totals();
        let lambda = totals
            .iter()
            .flat_map(|t| {
                let share = (*t as f64 / observed as f64).clamp(0.01, 0.99);
                std::iter::repeat_n(share, k)
            })
            .collect();
        let cells: Vec<(usize, u64)> = table
            .counts()
            .iter()
            .enumerate()
            .filter(|(mask, count)| *mask != 0 && **count > 0)
            .map(|(mask, count)| (mask, *count))
            .collect();
        let order = (0..=cells.len()).flat_map(|_| 0..k).collect();
        let split = vec![0; cells.len() * k];
        let mut sampler = Self {
            lists: j,
            classes: k,
            cells,
            observed,
            lambda,
            weight: starting_weights(k),
            alpha: WARM_UP_ALPHA_PER_CLASS / k as f64,
            alpha_shape: options.alpha_shape,
            alpha_rate: options.alpha_rate,
            unseen: 0,
            unseen_by_class: vec![0; k],
            split,
            class_total: vec![0; k],
            seen: vec![0; k * j],
            unseen_probability: vec![0.0; k],
            cell_probability: vec![0.0; k << j],
            odds: vec![0.0; k * j],
            sweeps: 0,
            order,
            rng: Xoshiro256PlusPlus::seed_from_u64(options.seed),
        };
        for _ in 0..WARM_UP_SWEEPS {
            sampler.sweep_with(false)?;
        }
        sampler.relabel_by_decreasing_weight();
        Ok(sampler)
    }

    /// Renumbers the classes by decreasing weight, carrying each class's recording
    /// probabilities, weight and unseen people with it.
    fn relabel_by_decreasing_weight(&mut self) {
        let k = self.classes;
        let mut by_weight: Vec<usize> = (0..k).collect();
        by_weight.sort_by(|a, b| self.weight[*b].total_cmp(&self.weight[*a]));
        let mut new_label = vec![0; k];
        for (new, old) in by_weight.iter().enumerate() {
            new_label[*old] = new;
        }
        let weight: Vec<f64> = by_weight.iter().map(|old| self.weight[*old]).collect();
        let unseen: Vec<u64> = by_weight
            .iter()
            .map(|old| self.unseen_by_class[*old])
            .collect();
        let lambda: Vec<f64> = self
            .lambda
            .chunks_exact(k)
            .flat_map(|list| by_weight.iter().map(|old| list[*old]))
            .collect();
        self.weight = weight;
        self.unseen_by_class = unseen;
        self.lambda = lambda;
        for class in &mut self.order {
            *class = new_label[*class];
        }
    }

    /// Works out [`Self::cell_probability`] from the weights and recording probabilities. Row 0
    /// is each weight times the product of `1 − λ` over the lists; each other pattern's row is
    /// the row of the pattern without its lowest list times that list's odds `λ / (1 − λ)`.
    /// Every step runs over all classes at once, a whole row without a branch or bounds check
    /// per class (class by class, the bounds checks had cost a twentieth of a sweep).
    fn update_cell_probabilities(&mut self) {
        let (j, k) = (self.lists, self.classes);
        let (none, _) = self.cell_probability.split_at_mut(k);
        none.fill(1.0);
        for (lambda, odds) in self
            .lambda
            .chunks_exact(k)
            .zip(self.odds.chunks_exact_mut(k))
        {
            for ((p, o), l) in none.iter_mut().zip(odds.iter_mut()).zip(lambda) {
                *p *= 1.0 - l;
                *o = l / (1.0 - l);
            }
        }
        for (p, w) in none.iter_mut().zip(&self.weight) {
            *p *= w;
        }
        for mask in 1usize..1 << j {
            let list = mask.trailing_zeros() as usize;
            let (before, row) = self.cell_probability.split_at_mut(mask * k);
            let without_list = &before[(mask & (mask - 1)) * k..][..k];
            let odds = &self.odds[list * k..][..k];
            for ((p, q), o) in row[..k].iter_mut().zip(without_list).zip(odds) {
                *p = q * o;
            }
        }
    }

    /// Current draw of the population size `N = n + n0`.
    pub fn population(&self) -> u64 {
        self.observed + self.unseen
    }

    /// One Gibbs sweep over all parameters.
    pub fn sweep(&mut self) -> Result<()> {
        self.sweep_with(true)
    }

    /// One Gibbs sweep; the concentration is updated only with `update_alpha` (the warm-up
    /// holds it fixed).
    fn sweep_with(&mut self, update_alpha: bool) -> Result<()> {
        let (j, k) = (self.lists, self.classes);
        let resort = self.sweeps.is_multiple_of(RESORT_EVERY);
        self.sweeps += 1;
        self.update_cell_probabilities();
        // Classes of the observed people, one multinomial per pattern.
        for (c, (mask, count)) in self.cells.iter().enumerate() {
            let probabilities = &self.cell_probability[mask * k..(mask + 1) * k];
            let order = &mut self.order[c * k..(c + 1) * k];
            if resort {
                sort_by_decreasing_weight(probabilities, order);
            }
            multinomial(
                &mut self.rng,
                *count,
                probabilities,
                order,
                &mut self.split[c * k..(c + 1) * k],
            )?;
        }
        // Tallied a pattern's whole row of classes at a time, without a branch per class.
        self.class_total.copy_from_slice(&self.unseen_by_class);
        self.seen.iter_mut().for_each(|s| *s = 0);
        for ((mask, _), split) in self.cells.iter().zip(self.split.chunks_exact(k)) {
            add_counts(&mut self.class_total, split);
            for list in 0..j {
                if mask & (1 << list) != 0 {
                    add_counts(&mut self.seen[list * k..(list + 1) * k], split);
                }
            }
        }
        // Recording probabilities: Beta(1 + seen, 1 + not seen) per class and list.
        let constants: &[f64] = &GAMMA_CONSTANTS;
        for class in 0..k {
            for list in 0..j {
                let seen = self.seen[list * k + class];
                let missed = self.class_total[class] - seen;
                self.lambda[list * k + class] =
                    recording_probability(&mut self.rng, seen, missed, constants)
                        .clamp(f64::MIN_POSITIVE, 1.0 - f64::EPSILON);
            }
        }
        let log_last = break_sticks(
            &mut self.rng,
            &self.class_total,
            self.alpha,
            &mut self.weight,
        )?;
        // The unseen: probability of being on no list, their number, their classes.
        self.unseen_probability.copy_from_slice(&self.weight);
        for lambda in self.lambda.chunks_exact(k) {
            for (p, l) in self.unseen_probability.iter_mut().zip(lambda) {
                *p *= 1.0 - l;
            }
        }
        let p0 = self.unseen_probability.iter().sum();
        self.unseen = negative_binomial(&mut self.rng, self.observed, p0)?;
        if resort {
            sort_by_decreasing_weight(
                &self.unseen_probability,
                &mut self.order[self.cells.len() * k..],
            );
        }
        multinomial(
            &mut self.rng,
            self.unseen,
            &self.unseen_probability,
            &self.order[self.cells.len() * k..],
            &mut self.unseen_by_class,
        )?;
        if !update_alpha {
            return Ok(());
        }
        // Concentration: Gamma(a + K − 1, b − log π_K).
        let rate = self.alpha_rate - log_last;
        self.alpha = Gamma::new(self.alpha_shape + k as f64 - 1.0, 1.0 / rate)
            .map_err(|e| cannot_run(format!("the concentration update failed ({e})")))?
            .sample(&mut self.rng)
            .max(1e-300);
        Ok(())
    }
}

/// The class weights a chain starts from: as the reference implementation, the first four
/// classes 0.225 each and the rest sharing 0.1 (equal weights when there are four classes or
/// fewer).
fn starting_weights(classes: usize) -> Vec<f64> {
    const LEADING: usize = 4;
    if classes <= LEADING {
        return vec![1.0 / classes as f64; classes];
    }
    let trailing = 0.1 / (classes - LEADING) as f64;
    (0..classes)
        .map(|class| {
            if class < LEADING {
                0.9 / LEADING as f64
            } else {
                trailing
            }
        })
        .collect()
}

/// Draws the stick-breaking weights given the class totals: stick `k` is `V ~ Beta(1 + n_k, α +
/// people in later classes)`, class `k` gets `V` of what is left and passes on `1 − V`. Writes
/// the weights and returns the log of the last one, which the concentration's update needs.
///
/// What is left after each stick is carried as `rest · e^log_rest`. A stick with both shapes at
/// least 1 (an occupied class with people after it, most sticks) is drawn in linear space from
/// two Gamma draws and scales `rest`, with no logarithm; the others (an empty class's stick, and
/// the last occupied class's when α < 1, whose `1 − V` can be far below the smallest float) are
/// drawn in log space into `log_rest`. Working in logs throughout cost three logarithms and an
/// exponential a stick. `rest` cannot underflow: each linear stick scales it by `Y / (X + Y)`
/// with `Y` a Gamma draw of shape at least 1; the factors' means `b / (a + b)` multiply out to at
/// least about `2^−K` over the number of people, and a draw far below its mean is as unlikely as
/// a uniform far below its own.
fn break_sticks(
    rng: &mut Xoshiro256PlusPlus,
    class_total: &[u64],
    alpha: f64,
    weight: &mut [f64],
) -> Result<f64> {
    let mut remaining: u64 = class_total.iter().sum();
    let mut rest: f64 = 1.0;
    let mut log_rest: f64 = 0.0;
    let sticks = weight.len() - 1;
    for (class, total) in class_total[..sticks].iter().enumerate() {
        remaining -= total;
        let a = 1.0 + *total as f64;
        let b = alpha + remaining as f64;
        if a > 1.0 && b >= 1.0 {
            let x = gamma_draw(rng, a);
            let y = gamma_draw(rng, b);
            let scale = rest / (x + y);
            weight[class] = x * scale;
            rest = y * scale;
            if log_rest != 0.0 {
                weight[class] *= log_rest.exp();
            }
        } else {
            let (log_v, log_rest_v) = log_beta_pair(rng, a, b)?;
            if rest != 1.0 {
                log_rest += rest.ln();
                rest = 1.0;
            }
            weight[class] = (log_v + log_rest).exp();
            log_rest += log_rest_v;
        }
    }
    let log_last = rest.ln() + log_rest;
    weight[sticks] = log_last.exp();
    Ok(log_last)
}

/// `total[k] += counts[k]` for every class.
fn add_counts(total: &mut [u64], counts: &[u64]) {
    for (t, c) in total.iter_mut().zip(counts) {
        *t += c;
    }
}

fn cannot_run(reason: String) -> EstimateError {
    EstimateError::CannotRun {
        method: METHOD,
        reason,
    }
}

/// `n0 ~ NegBin(n, 1 − p0)` as a Gamma–Poisson mixture.
fn negative_binomial(rng: &mut Xoshiro256PlusPlus, n: u64, p0: f64) -> Result<u64> {
    if p0.is_nan() || p0 >= 1.0 - 1e-12 {
        return Err(cannot_run(format!(
            "the chance of being on no list reached {p0}: the lists carry too little overlap to bound the total"
        )));
    }
    if p0 <= 0.0 {
        return Ok(0);
    }
    let rate = Gamma::new(n as f64, p0 / (1.0 - p0))
        .map_err(|e| cannot_run(format!("the unseen-count update failed ({e})")))?
        .sample(rng);
    if rate <= 0.0 {
        return Ok(0);
    }
    let draw: f64 = Poisson::new(rate)
        .map_err(|e| cannot_run(format!("the unseen count diverged ({e})")))?
        .sample(rng);
    if draw > MAX_UNSEEN as f64 {
        return Err(cannot_run(format!(
            "the unseen count diverged past {MAX_UNSEEN}: the lists carry too little overlap to bound the total"
        )));
    }
    Ok(draw as u64)
}

/// Splits `count` people over classes with weights `w` (not necessarily normalised) as
/// conditional binomials, visiting the classes in `order` (a permutation of them). Any order
/// gives the same distribution; the sweep keeps each pattern's classes roughly by decreasing
/// weight, since taking the largest classes first leaves few people for the rest, so most of
/// the split is a handful of binomials and a few categorical draws rather than one binomial per
/// class. Every class's count is written, those the split does not reach with 0.
fn multinomial(
    rng: &mut Xoshiro256PlusPlus,
    count: u64,
    w: &[f64],
    order: &[usize],
    out: &mut [u64],
) -> Result<()> {
    let mut placed = 0;
    if count > 0 {
        let total: f64 = w.iter().sum();
        if !(total > 0.0 && total.is_finite()) {
            return Err(cannot_run(
                "the class probabilities collapsed to zero".into(),
            ));
        }
        let mut left = count;
        let mut mass = total;
        while let Some(class) = order.get(placed) {
            if left <= CATEGORICAL_MAX {
                // Few people left: one categorical draw each beats a binomial per class.
                placed += categorical(rng, left, w, &order[placed..], mass, out);
                break;
            }
            placed += 1;
            let p = w[*class];
            if placed == order.len() || p >= mass {
                out[*class] = left;
                break;
            }
            let q = (p / mass).clamp(0.0, 1.0);
            let x = binomial(rng, left, q)?;
            out[*class] = x;
            left -= x;
            mass -= p;
            if left == 0 {
                break;
            }
        }
    }
    for class in &order[placed..] {
        out[*class] = 0;
    }
    Ok(())
}

/// Re-sorts the permutation `order` by decreasing `w`. A plain insertion sort: given the order
/// of the same pattern's previous sort it is nearly sorted already, so this is one pass with
/// branches the processor mostly predicts; sorting from scratch cost a sixth of a sweep.
fn sort_by_decreasing_weight(w: &[f64], order: &mut [usize]) {
    for i in 1..order.len() {
        let class = order[i];
        let mut j = i;
        while j > 0 && w[order[j - 1]] < w[class] {
            order[j] = order[j - 1];
            j -= 1;
        }
        order[j] = class;
    }
}

/// A Binomial(n, p) draw. Up to [`BITWISE_MAX`] people, their Bernoulli draws made together
/// ([`binomial_bitwise`]); above, for small `n·min(p, 1 − p)`, inversion (Kachitvichyanukul &
/// Schmeiser's BINV, as in `rand_distr`) but with `q^n` by repeated squaring instead of `powf`,
/// whose cost dominated the many small splits; otherwise Hörmann's transformed rejection
/// ([`binomial_btrs`]).
fn binomial(rng: &mut Xoshiro256PlusPlus, n: u64, p: f64) -> Result<u64> {
    /// Below this mean the inversion loop is short; BTRS is exact from here up.
    const INVERSION_MAX_MEAN: f64 = 10.0;
    let flipped = p > 0.5;
    let p = if flipped { 1.0 - p } else { p };
    let x = if n <= BITWISE_MAX {
        binomial_bitwise(rng, n, p)
    } else if n > i32::MAX as u64 {
        Binomial::new(n, p)
            .map_err(|e| cannot_run(format!("a class split failed ({e})")))?
            .sample(rng)
    } else if n as f64 * p >= INVERSION_MAX_MEAN {
        binomial_btrs(rng, n, p)
    } else {
        binomial_inversion(rng, n, p)
    };
    Ok(if flipped { n - x } else { x })
}

/// Up to this many people, a binomial draw is their Bernoulli draws made together
/// ([`binomial_bitwise`]), one bit of a random word each. Over 48 chains on Kosovo that took a
/// quarter of the binomials off BTRS (and the few inversions below 64 people): 3.76–3.93 µs a
/// sweep against 4.15–4.39. Two words a round for up to 128 people was no faster, and placing
/// the split's last people this way instead of by [`categorical`] was slower.
const BITWISE_MAX: u64 = 64;

/// Binomial(n, p) for `n ≤ 64` as `n` Bernoulli(p) draws made together, one bit to each person.
/// Person `i` is in when their uniform `U_i` is below `p`; the uniforms' binary digits are drawn
/// a random word at a time (digit `d` of `U_i` is bit `i` of word `d`) and compared with `p`'s
/// digits: a person is decided at the first digit where theirs differs from `p`'s, in if theirs
/// is the 0. Each word decides half of those still undecided, so about `log2(n) + 1.3` words do
/// for all, against two uniforms, a square root and a division (often more) for a rejection
/// sampler; and the only branch that depends on the draw is the loop's end. `p`'s first 64
/// digits are used, which is `p` itself for `p ≥ 2^-11` (53 significant digits) and within 2^-64
/// of it below.
fn binomial_bitwise(rng: &mut Xoshiro256PlusPlus, n: u64, p: f64) -> u64 {
    /// 2^64: `p` scaled to 64 binary digits.
    const DIGITS_SCALE: f64 = 18_446_744_073_709_551_616.0;
    debug_assert!(
        n <= BITWISE_MAX && (0.0..1.0).contains(&p),
        "bitwise binomial draws take at most {BITWISE_MAX} people and p below 1; got {n} and {p}"
    );
    if n == 0 {
        return 0;
    }
    // p < 1, so the scaled value is below 2^64 and the cast is the floor.
    let digits = (p * DIGITS_SCALE) as u64;
    let mut undecided = u64::MAX >> (64 - n.min(BITWISE_MAX));
    let mut inside = 0_u64;
    for digit in (0..64).rev() {
        let word = rng.next_u64();
        // All ones where p's digit is 1: there a person's 0 puts them in, and a 1 keeps them
        // undecided; where it is 0, a 1 puts them out.
        let p_digit = 0_u64.wrapping_sub((digits >> digit) & 1);
        inside |= undecided & !word & p_digit;
        undecided &= !(word ^ p_digit);
        if undecided == 0 {
            break;
        }
    }
    u64::from(inside.count_ones())
}

/// Binomial(n, p) for `p ≤ 1/2`, `n·p < 10` and `n ≤ i32::MAX` by inversion.
fn binomial_inversion(rng: &mut Xoshiro256PlusPlus, n: u64, p: f64) -> u64 {
    let q = 1.0 - p;
    // np < 10 and p ≤ 1/2 keep q^n above e^-15: no underflow, and the loop ends fast.
    let start = q.powi(n as i32);
    let s = p / q;
    let a = (n as f64 + 1.0) * s;
    loop {
        let mut r = start;
        let mut u: f64 = rng.random();
        let mut x = 0;
        while u > r && x <= n {
            u -= r;
            x += 1;
            r *= a / x as f64 - s;
        }
        // Rounding can leave u above the whole mass; redraw rather than return x > n.
        if x <= n {
            return x;
        }
    }
}

/// Binomial(n, p) for `p ≤ 1/2` and `n·p ≥ 10` by transformed rejection with squeeze (BTRS;
/// Hörmann 1993, *J. Statist. Comput. Simul.* 46). Most draws are accepted by the squeeze on
/// two uniforms and no logarithm, which is what makes it several times cheaper than BTPE for
/// the few large splits of each sweep; the rest are checked against the exact probability
/// ratio ([`binomial_ratio_reaches`]).
fn binomial_btrs(rng: &mut Xoshiro256PlusPlus, n: u64, p: f64) -> u64 {
    // Hörmann's constants: b = 1.15 + 2.53·spq and a = −0.0873 + 0.0248·b + 0.01·p.
    const B0: f64 = 1.15;
    const B1: f64 = 2.53;
    const A1: f64 = 0.0248;
    let nf = n as f64;
    let spq = (nf * (p * (1.0 - p))).sqrt();
    let b = B0 + B1 * spq;
    let a = -0.0873 + A1 * b + 0.01 * p;
    let c = nf * p + 0.5;
    let a0 = -0.0873 + A1 * B0 + 0.01 * p;
    loop {
        let u = rng.random::<f64>() - 0.5;
        let v: f64 = rng.random();
        let us = 0.5 - u.abs();
        // The draw is x = (2a/us + b)·u + c. With a and b affine in spq it is spq·slope +
        // intercept, where slope and intercept come from the uniforms alone: they are ready
        // before the square root is, and x is one multiply and add after it. Each split's
        // binomials wait on the one before (on how many people it left), so this wait is most
        // of a draw's cost.
        let per_us = u / us;
        let slope = (2.0 * A1 * B1) * per_us + B1 * u;
        let intercept = 2.0 * a0 * per_us + B0 * u + c;
        let x = spq * slope + intercept;
        // Negative draws are rejected, and so is the draw of a uniform at exactly 0, where `us`
        // is 0 and `x` is ∞ − ∞; for the rest the cast is `floor` without a libm call.
        if x.is_nan() || x < 0.0 {
            continue;
        }
        let k = x as u64;
        if k > n {
            continue;
        }
        // The squeeze `v ≤ 0.92 − 4.2 / b`, multiplied out by `b > 0`.
        if us >= 0.07 && (0.92 - v) * b >= 4.2 {
            return k;
        }
        let alpha = (2.83 + 5.1 / b) * spq;
        if binomial_ratio_reaches(n, p, k, v * alpha / (a / (us * us) + b)) {
            return k;
        }
    }
}

/// Whether `P(X = k) / P(X = m) ≥ bound` for X ~ Binomial(n, p), `m = ⌊(n + 1)p⌋` the mode.
/// Within 15 of the mode the ratio is a product of as many factors `P(i) / P(i − 1) = (n − i +
/// 1)·p / (i·q)`, as in BTPE's explicit evaluation, with no logarithm: for the small splits,
/// where BTRS's squeeze is loosest, most draws that reach this test land there. Further out the
/// test is on logarithms ([`log_binomial_ratio`]).
fn binomial_ratio_reaches(n: u64, p: f64, k: u64, bound: f64) -> bool {
    /// Up to this distance from the mode the product stays far from overflow: 15 factors of at
    /// most `n < 2^31` each.
    const NEAR: u64 = 15;
    // (n + 1)p ≥ 0, so the cast is the floor.
    let m = ((n as f64 + 1.0) * p) as u64;
    if k.abs_diff(m) > NEAR {
        return bound.ln() <= log_binomial_ratio(n, p, m, k);
    }
    let r = p / (1.0 - p);
    let (mut above, mut below) = (1.0, 1.0);
    for i in k.min(m) + 1..=k.max(m) {
        above *= (n - i + 1) as f64 * r;
        below *= i as f64;
    }
    if k >= m {
        bound * below <= above
    } else {
        bound * above <= below
    }
}

/// `ln(P(X = k) / P(X = m))` for X ~ Binomial(n, p) and the mode `m`, written out with Stirling's
/// series so no log-factorial is summed term by term. Kept out of line: inlined, the compiler
/// hoisted its first logarithm, which depends on `n` and `p` only, into every BTRS draw's set-up,
/// a logarithm per draw that almost none of them needs.
#[cold]
#[inline(never)]
fn log_binomial_ratio(n: u64, p: f64, m: u64, k: u64) -> f64 {
    let (nf, kf, mf) = (n as f64, k as f64, m as f64);
    let r = p / (1.0 - p);
    (mf + 0.5) * ((mf + 1.0) / (r * (nf - mf + 1.0))).ln()
        + (nf + 1.0) * ((nf - mf + 1.0) / (nf - kf + 1.0)).ln()
        + (kf + 0.5) * (r * (nf - kf + 1.0) / (kf + 1.0)).ln()
        + stirling_tail(m)
        + stirling_tail(n - m)
        - stirling_tail(k)
        - stirling_tail(n - k)
}

/// `ln k! − ((k + ½)·ln(k + 1) − (k + 1) + ½·ln 2π)`: Stirling's error, from a table for small
/// `k` and its asymptotic series above.
fn stirling_tail(k: u64) -> f64 {
    const SMALL: [f64; 10] = [
        0.081_061_466_795_327_2,
        0.041_340_695_955_409_2,
        0.027_677_925_684_998_3,
        0.020_790_672_103_765_09,
        0.016_644_691_189_821_1,
        0.013_876_128_823_070_7,
        0.011_896_709_945_891_7,
        0.010_411_265_261_972_0,
        0.009_255_462_182_712_73,
        0.008_330_563_433_362_87,
    ];
    if let Some(value) = SMALL.get(k as usize) {
        return *value;
    }
    let k1 = k as f64 + 1.0;
    let k1sq = k1 * k1;
    (1.0 / 12.0 - (1.0 / 360.0 - 1.0 / 1260.0 / k1sq) / k1sq) / k1
}

/// Assigns `count` people (at most [`CATEGORICAL_MAX`]) one at a time among `classes` with
/// total weight `mass`, writes the counts of the first classes and returns how many it wrote
/// (the classes after those get nobody). Person `i` goes to the first class whose cumulative
/// weight exceeds the uniform `u_i`. The uniforms are drawn first; then, class by class, the people whose uniform
/// is at least the cumulative weight so far are counted, and the class gets those the count
/// dropped by. That is the same assignment as a search per person, but with no store per person
/// (incrementing a class's count per person chained each draw to the last through memory), and
/// it stops at the first class that leaves nobody, usually a few classes in, since they come by
/// decreasing weight. `mass` is the split's running remainder; it differs from the classes' own
/// sum by the rounding of the subtractions before it, a relative 1e-16 or so, below the
/// uniform's own resolution, and summing again cost 2% of a sweep.
fn categorical(
    rng: &mut Xoshiro256PlusPlus,
    count: u64,
    w: &[f64],
    classes: &[usize],
    mass: f64,
    out: &mut [u64],
) -> usize {
    debug_assert!(
        count <= CATEGORICAL_MAX && !classes.is_empty(),
        "a categorical split takes at most {CATEGORICAL_MAX} people and one class; got {count} and {}",
        classes.len()
    );
    /// A uniform on `[0, 1)` is a random word's top 53 bits times 2^-53.
    const UNIFORM_SCALE: f64 = 1.0 / (1_u64 << 53) as f64;
    let mut uniforms = [0.0; CATEGORICAL_MAX as usize];
    let uniforms = &mut uniforms[..count.min(CATEGORICAL_MAX) as usize];
    // The uniform times `mass`: 2^-53 is folded into the one multiply, which gives the same bits
    // since scaling by a power of two is exact (while `mass · 2^-53` is a normal float, that is
    // for any mass above 2^-969).
    let scale = mass * UNIFORM_SCALE;
    for u in uniforms.iter_mut() {
        *u = (rng.next_u64() >> 11) as f64 * scale;
    }
    let (last, before_last) = match classes.split_last() {
        Some(split) => split,
        None => return 0,
    };
    let mut beyond = uniforms.len() as u64;
    let mut cumulative = 0.0;
    for (i, class) in before_last.iter().enumerate() {
        cumulative += w[*class];
        let still_beyond = uniforms.iter().filter(|u| **u >= cumulative).count() as u64;
        out[*class] = beyond - still_beyond;
        beyond = still_beyond;
        if beyond == 0 {
            return i + 1;
        }
    }
    out[*last] = beyond;
    classes.len()
}

/// `(ln V, ln(1 − V))` for `V ~ Beta(a, b)`, the sticks [`break_sticks`] draws in log space:
/// for `a = 1`, the stick of a class nobody is in, one uniform by inversion, `1 − V = U^(1/b)`;
/// otherwise (a shape below 1) from two Gamma draws in logarithms, where a draw can underflow.
fn log_beta_pair(rng: &mut Xoshiro256PlusPlus, a: f64, b: f64) -> Result<(f64, f64)> {
    if a == 1.0 && b > 0.0 {
        let u: f64 = rng.sample(Open01);
        let log_rest = u.ln() / b;
        return Ok(((-log_rest.exp_m1()).ln(), log_rest));
    }
    let x = log_gamma_draw(rng, a)?;
    let y = log_gamma_draw(rng, b)?;
    let log_sum = log_sum_exp(x, y);
    Ok((x - log_sum, y - log_sum))
}

/// A recording probability's update, `λ ~ Beta(1 + seen, 1 + missed)`, as `X / (X + Y)` for
/// Gamma draws `X` and `Y` whose shapes are one more than a count. Each Gamma draw needs
/// Marsaglia & Tsang's constant `1/√(9d)`, a square root and a division; with the division of
/// the ratio that made five operations a draw for the one unit that divides and takes square
/// roots, the λ updates' bottleneck. The constant for a count is read from `constants` (the
/// sweep passes [`GAMMA_CONSTANTS`]) and worked out for counts past its end. Beta(1, 1), the
/// draw for every list of a class nobody is in, is the uniform itself.
fn recording_probability(
    rng: &mut Xoshiro256PlusPlus,
    seen: u64,
    missed: u64,
    constants: &[f64],
) -> f64 {
    if seen == 0 && missed == 0 {
        return rng.random();
    }
    let constant = |count: u64| {
        usize::try_from(count)
            .ok()
            .and_then(|count| constants.get(count))
            .copied()
            .unwrap_or_else(|| gamma_constant(count as f64 + 1.0))
    };
    let x = gamma_draw_with(rng, seen as f64 + 1.0, constant(seen));
    let y = gamma_draw_with(rng, missed as f64 + 1.0, constant(missed));
    x / (x + y)
}

/// How many of Marsaglia & Tsang's constants are kept: for counts 0 to 16,383 (128 KB, shared by
/// all chains), which covers every count while the population drawn, seen and unseen, stays
/// below 16,384.
const GAMMA_CONSTANTS_KEPT: usize = 1 << 14;

/// Marsaglia & Tsang's constant for a Gamma draw of shape `count + 1`, by count, worked out the
/// first time a sampler needs it.
static GAMMA_CONSTANTS: LazyLock<Vec<f64>> = LazyLock::new(|| {
    (0..GAMMA_CONSTANTS_KEPT)
        .map(|count| gamma_constant(count as f64 + 1.0))
        .collect()
});

/// Marsaglia & Tsang's `c = 1/√(9d)` for a Gamma draw of this shape, `d = shape − 1/3`.
fn gamma_constant(shape: f64) -> f64 {
    1.0 / (9.0 * (shape - 1.0 / 3.0)).sqrt()
}

/// A Gamma(shape, 1) draw for `shape ≥ 1`, by Marsaglia & Tsang's squeeze (2000), as
/// `rand_distr` draws it but written out so it inlines into the Beta draws, which are a tenth
/// of a sweep.
fn gamma_draw(rng: &mut Xoshiro256PlusPlus, shape: f64) -> f64 {
    gamma_draw_with(rng, shape, gamma_constant(shape))
}

/// [`gamma_draw`] with its constant `c = 1/√(9d)` given ([`gamma_constant`]).
fn gamma_draw_with(rng: &mut Xoshiro256PlusPlus, shape: f64, c: f64) -> f64 {
    debug_assert!(
        shape >= 1.0,
        "Marsaglia–Tsang needs a shape of at least 1, got {shape}"
    );
    let d = shape - 1.0 / 3.0;
    loop {
        let x: f64 = rng.sample(StandardNormal);
        let cube_root = 1.0 + c * x;
        if cube_root <= 0.0 {
            continue;
        }
        let v = cube_root * cube_root * cube_root;
        let u: f64 = rng.sample(Open01);
        if gamma_squeeze_accepts(c, x, u) || gamma_test_accepts(d, x, v, u) {
            return d * v;
        }
    }
}

/// Marsaglia & Tsang's exact test for the draw `d·v` with `v = (1 + cx)³`: `ln u < x²/2 + d·(1
/// − v + ln v)`, two logarithms.
fn gamma_test_accepts(d: f64, x: f64, v: f64, u: f64) -> bool {
    u.ln() < 0.5 * x * x + d * (1.0 - v + v.ln())
}

/// A squeeze for [`gamma_test_accepts`] that accepts most draws without a logarithm: `u < 1 −
/// c²x⁴ / (12·m)` with `m = min(1, 1 + cx)`. With `t = cx`, the exact test's right side is
/// `3d·R(t)` for `R(t) = ln(1 + t) − t + t²/2 − t³/3 = −∫₀ᵗ s³/(1 + s) ds ≥ −t⁴ / (4m)`, which
/// is `−c²x⁴ / (12m)` since `9dc² = 1`; and `ln u ≤ u − 1`. Marsaglia & Tsang's own squeeze,
/// `u < 1 − 0.0331·x⁴`, does not shrink with the shape and sent about 8% of draws to the
/// logarithms; this one sends 0.8% at shape 5 and 0.06% at 50, the λ updates' usual shapes.
/// Every draw either squeeze accepts the exact test accepts too, so the draws are unchanged.
fn gamma_squeeze_accepts(c: f64, x: f64, u: f64) -> bool {
    let m = (1.0 + c * x).min(1.0);
    let x2 = x * x;
    u * m < m - c * c / 12.0 * x2 * x2
}

/// The log of a Gamma(shape, 1) draw; for shape < 1 uses `G(shape + 1) · U^(1/shape)` so small
/// shapes do not underflow.
fn log_gamma_draw(rng: &mut Xoshiro256PlusPlus, shape: f64) -> Result<f64> {
    if shape >= 1.0 {
        return Ok(gamma_draw(rng, shape).ln());
    }
    if shape <= 0.0 {
        return Err(cannot_run(format!("a Gamma shape fell to {shape}")));
    }
    let g = Gamma::new(shape + 1.0, 1.0)
        .map_err(|e| cannot_run(format!("a Gamma draw failed ({e})")))?
        .sample(rng);
    let u: f64 = rng.random::<f64>().max(f64::MIN_POSITIVE);
    Ok(g.ln() + u.ln() / shape)
}

fn log_sum_exp(a: f64, b: f64) -> f64 {
    let m = a.max(b);
    m + ((a - m).exp() + (b - m).exp()).ln()
}

/// Quantile of sorted values, R's default (type 7: linear interpolation).
pub(crate) fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Effective sample size by Geyer's initial positive sequence of autocorrelations.
pub fn effective_sample_size_of(x: &[f64]) -> f64 {
    let n = x.len();
    if n < 4 {
        return n as f64;
    }
    let mean = x.iter().sum::<f64>() / n as f64;
    let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n as f64;
    if var == 0.0 {
        // A chain that never moved says nothing about the spread of what it samples.
        return 0.0;
    }
    let rho = |lag: usize| {
        (0..n - lag)
            .map(|i| (x[i] - mean) * (x[i + lag] - mean))
            .sum::<f64>()
            / (n as f64 * var)
    };
    let mut sum = 0.0;
    let mut lag = 0;
    while lag + 1 < n {
        let pair = rho(lag) + rho(lag + 1);
        if pair <= 0.0 {
            break;
        }
        sum += pair;
        lag += 2;
    }
    let tau = (2.0 * sum - 1.0).max(1.0);
    n as f64 / tau
}

/// The largest |Geweke z| of `chains` chains that [`LcmcrResult::has_mixed`] accepts: the
/// normal quantile whose two tails hold `0.0027 / chains`, the chance of |z| > 3 shared among
/// the chains (Bonferroni), so that running more chains does not by itself raise a warning.
/// The quantile is Abramowitz & Stegun's rational approximation 26.2.23 (error below 4.5e-4).
pub fn geweke_limit(chains: usize) -> f64 {
    /// Two-sided tail probability of |z| > 3.
    const ONE_CHAIN_TAILS: f64 = 0.0027;
    normal_upper_quantile(ONE_CHAIN_TAILS / 2.0 / chains.max(1) as f64)
}

/// The standard normal's `z` with `P(Z > z) = tail`, for `0 < tail ≤ 1/2`, by Abramowitz &
/// Stegun's rational approximation 26.2.23 (error below 4.5e-4).
fn normal_upper_quantile(tail: f64) -> f64 {
    let t = (-2.0 * tail.ln()).sqrt();
    t - (2.515_517 + 0.802_853 * t + 0.010_328 * t * t)
        / (1.0 + 1.432_788 * t + 0.189_269 * t * t + 0.001_308 * t * t * t)
}

/// The standard normal's quantile at `p` in `(0, 1)`.
fn normal_quantile(p: f64) -> f64 {
    if p < 0.5 {
        -normal_upper_quantile(p)
    } else if p > 0.5 {
        normal_upper_quantile(1.0 - p)
    } else {
        0.0
    }
}

/// Rank-normalised split-R̂ (Vehtari, Gelman, Simpson, Carpenter & Bürkner 2021): each chain
/// cut in halves, the draws replaced by the normal scores of their ranks over all halves (tied
/// draws sharing their mean rank), then Gelman & Rubin's ratio of the pooled to the
/// within-half variance; the larger of that for the draws and for their distances from the
/// median (which catches halves that differ in spread rather than in level). Near 1 when the
/// halves sample the same distribution; one chain's two halves serve when there is one chain.
/// `NaN` when the chains differ in length, when the halves are too short (fewer than two draws)
/// or when every draw is the same (or every distance from the median is), which
/// [`LcmcrResult::has_mixed`] counts as not mixed.
pub fn split_r_hat(chains: &[Vec<f64>]) -> f64 {
    let halves: Vec<&[f64]> = chains
        .iter()
        .flat_map(|chain| {
            let half = chain.len() / 2;
            [&chain[..half], &chain[chain.len() - half..]]
        })
        .collect();
    let length = halves.first().map_or(0, |h| h.len());
    if length < 2 || halves.iter().any(|h| h.len() != length) {
        return f64::NAN;
    }
    let pooled: Vec<f64> = halves.iter().flat_map(|h| h.iter().copied()).collect();
    let mut sorted = pooled.clone();
    sorted.sort_by(f64::total_cmp);
    let median = quantile(&sorted, 0.5);
    let folded: Vec<f64> = pooled.iter().map(|x| (x - median).abs()).collect();
    let bulk = r_hat_of_halves(&normal_scores(&pooled), length);
    let tails = r_hat_of_halves(&normal_scores(&folded), length);
    if bulk.is_nan() || tails.is_nan() {
        return f64::NAN;
    }
    bulk.max(tails)
}

/// The normal scores `Φ⁻¹((r − 3/8) / (S + 1/4))` of the values' ranks `r` among all `S`
/// (ties get their mean rank).
fn normal_scores(values: &[f64]) -> Vec<f64> {
    let mut by_value: Vec<usize> = (0..values.len()).collect();
    by_value.sort_by(|a, b| values[*a].total_cmp(&values[*b]));
    let total = values.len() as f64;
    let mut scores = vec![0.0; values.len()];
    let mut start = 0;
    while start < by_value.len() {
        let value = values[by_value[start]];
        let end = start
            + by_value[start..]
                .iter()
                .take_while(|i| values[**i] == value)
                .count();
        // Ranks start + 1 ..= end share their mean.
        let rank = (start + 1 + end) as f64 / 2.0;
        let score = normal_quantile((rank - 0.375) / (total + 0.25));
        for i in &by_value[start..end] {
            scores[*i] = score;
        }
        start = end;
    }
    scores
}

/// Gelman & Rubin's `√(((n − 1)/n · W + B/n) / W)` for `values` cut into halves of `length`.
fn r_hat_of_halves(values: &[f64], length: usize) -> f64 {
    let n = length as f64;
    let (means, variances): (Vec<f64>, Vec<f64>) =
        values.chunks_exact(length).map(mean_and_variance).unzip();
    let within = variances.iter().sum::<f64>() / means.len() as f64;
    let (_, between_over_n) = mean_and_variance(&means);
    (((n - 1.0) / n * within + between_over_n) / within).sqrt()
}

/// The mean and the sample variance (divisor `n − 1`, or 1 for a single value).
fn mean_and_variance(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let variance = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
    (mean, variance)
}

/// Geweke's z: first 10% against last 50%, each mean's variance from its own ESS. On sticky
/// chains it runs wider than a normal, since a tenth of 1,000 kept draws holds too few
/// effective draws to estimate its own variance: over 128 default chains on Kosovo its standard
/// deviation was 1.47 (5 chains beyond 3, where a normal would give 0.35), so a warning there
/// says as much about the chain's stickiness as about a drift. Taking the variance and the
/// autocorrelation time from the whole chain narrowed it to 1.05, but then uniform draws whose
/// first tenth sits a whole unit (3.5 standard deviations) below the rest gave only z = −3:
/// too little power against a start not yet forgotten, which is what the test is for.
fn geweke_z(x: &[f64]) -> f64 {
    let n = x.len();
    let a = &x[..(n / 10).max(2)];
    let b = &x[n / 2..];
    let stats = |s: &[f64]| {
        let (m, v) = mean_and_variance(s);
        (
            m,
            if v == 0.0 {
                0.0
            } else {
                v / effective_sample_size_of(s)
            },
        )
    };
    let ((ma, va), (mb, vb)) = (stats(a), stats(b));
    if va + vb == 0.0 {
        // Two constant stretches: they agree only if they are the same value.
        return if ma == mb {
            0.0
        } else {
            (ma - mb).signum() * f64::INFINITY
        };
    }
    (ma - mb) / (va + vb).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multinomial_splits_add_up_to_the_count() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        // Every count is written, whatever the buffer held: stale counts would break the sums.
        let mut out = vec![u64::MAX / 4; 3];
        let order = [0, 1, 2];
        // Around CATEGORICAL_MAX, where the split turns from binomials to categorical draws, and
        // small splits after large ones.
        let counts = [1000, 0, 1, 7, 1000, 16, 17, CATEGORICAL_MAX, 1];
        for count in counts.into_iter().chain([CATEGORICAL_MAX + 1, 1000, 1]) {
            multinomial(&mut rng, count, &[0.2, 0.0, 0.5], &order, &mut out).unwrap();
            assert_eq!(out.iter().sum::<u64>(), count, "count {count}");
            assert_eq!(out[1], 0, "a zero-weight class never gets anyone");
        }
    }

    #[test]
    fn binomial_draws_have_the_binomial_mean_and_variance() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
        // Inversion, inversion with p flipped, inversion near its limit, BTPE, and edge cases.
        for (n, p) in [
            (40, 0.1),
            (40, 0.9),
            (19, 0.5),
            (1000, 0.3),
            (7, 0.0),
            (7, 1.0),
        ] {
            let draws: Vec<f64> = (0..20_000)
                .map(|_| binomial(&mut rng, n, p).unwrap() as f64)
                .collect();
            assert!(draws.iter().all(|x| *x <= n as f64), "n {n} p {p}");
            let mean = draws.iter().sum::<f64>() / draws.len() as f64;
            let var = draws.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / draws.len() as f64;
            let (m, v) = (n as f64 * p, n as f64 * p * (1.0 - p));
            assert!(
                (mean - m).abs() <= 4.0 * (v / 20_000.0).sqrt(),
                "n {n} p {p} mean {mean}"
            );
            assert!((var - v).abs() <= 0.05 * v + 1e-12, "n {n} p {p} var {var}");
        }
    }

    /// BTRS against the exact probabilities ([`assert_binomial`]).
    #[test]
    fn btrs_draws_follow_the_binomial_distribution() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(11);
        // Small spreads test the product near the mode; (20,000, 0.4) the logarithms further out.
        for (n, p) in [
            (100_u64, 0.3),
            (1000, 0.05),
            (60, 0.5),
            (25, 0.4),
            (20_000, 0.4),
        ] {
            assert_binomial(n, p, || binomial_btrs(&mut rng, n, p));
        }
    }

    /// The bitwise draws against the exact probabilities, up to 64 people, for chances with
    /// short and long binary expansions, above 1/2 (which the sweep flips, but the draw does
    /// not need) and below 2^-11, where only its first 64 binary digits are used.
    #[test]
    fn bitwise_draws_follow_the_binomial_distribution() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(13);
        for (n, p) in [
            (64_u64, 0.3),
            (40, 0.05),
            (33, 0.5),
            (7, 0.123_456_789),
            (1, 0.75),
            (64, 0.9),
            (64, 1e-4),
        ] {
            assert_binomial(n, p, || binomial_bitwise(&mut rng, n, p));
        }
        assert_eq!(binomial_bitwise(&mut rng, 0, 0.3), 0);
    }

    /// 200,000 draws of a Binomial(n, p) sampler against the exact probabilities: Pearson's
    /// chi-square over every value expected at least five times must stay within five of its
    /// standard deviations above its mean (the degrees of freedom). A wrong constant or an
    /// off-by-one puts it many times over.
    fn assert_binomial(n: u64, p: f64, mut draw: impl FnMut() -> u64) {
        let draws = 200_000;
        let mut seen = vec![0_u64; n as usize + 1];
        for _ in 0..draws {
            seen[draw() as usize] += 1;
        }
        let mut log_pmf = n as f64 * (1.0 - p).ln();
        let (mut statistic, mut cells) = (0.0, 0);
        for (k, observed) in seen.iter().enumerate() {
            if k > 0 {
                log_pmf += ((n - k as u64 + 1) as f64 / k as f64 * p / (1.0 - p)).ln();
            }
            let expected = draws as f64 * log_pmf.exp();
            if expected >= 5.0 {
                statistic += (*observed as f64 - expected).powi(2) / expected;
                cells += 1;
            }
        }
        let degrees = (cells - 1).max(1) as f64;
        assert!(
            statistic < degrees + 5.0 * (2.0 * degrees).sqrt(),
            "n {n} p {p}: chi-square {statistic:.1} on {degrees} degrees of freedom"
        );
    }

    #[test]
    fn a_split_in_any_class_order_has_the_multinomial_means_and_variances() {
        // The sweep visits a pattern's classes in an order up to RESORT_EVERY sweeps old, so the
        // split must be exact whatever the order: here the smallest class comes first. 25
        // people are all placed by categorical draws, 200 mostly by binomials.
        // The weights need not sum to 1 (the sweep passes unnormalised ones).
        for (count, scale) in [(25, 1.0), (25, 0.37), (200, 1.0), (200, 2.5)] {
            split_moments_match(count, scale);
        }
    }

    fn split_moments_match(count: u64, scale: f64) {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(21);
        let weights = [0.1 * scale, 0.4 * scale, 0.2 * scale, 0.3 * scale];
        let order = [0, 2, 3, 1];
        let reps = 20_000;
        let mut out = [0; 4];
        let mut sums = [0.0; 4];
        let mut squares = [0.0; 4];
        for _ in 0..reps {
            multinomial(&mut rng, count, &weights, &order, &mut out).unwrap();
            for (class, x) in out.iter().enumerate() {
                sums[class] += *x as f64;
                squares[class] += (*x as f64).powi(2);
            }
        }
        for (class, weight) in weights.iter().enumerate() {
            let p = weight / scale;
            let mean = sums[class] / reps as f64;
            let variance = squares[class] / reps as f64 - mean * mean;
            let expected_variance = count as f64 * p * (1.0 - p);
            let standard_error = (expected_variance / reps as f64).sqrt();
            assert!(
                (mean - count as f64 * p).abs() <= 4.0 * standard_error,
                "{count} people, class {class}: mean {mean}"
            );
            assert!(
                (variance / expected_variance - 1.0).abs() < 0.05,
                "{count} people, class {class}: variance {variance} against {expected_variance}"
            );
        }
    }

    #[test]
    fn gamma_draws_have_the_gamma_mean_and_variance() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(8);
        for shape in [1.0, 2.5, 40.0, 5_000.0] {
            let reps = 50_000;
            let draws: Vec<f64> = (0..reps).map(|_| gamma_draw(&mut rng, shape)).collect();
            let mean = draws.iter().sum::<f64>() / reps as f64;
            let variance = draws.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / reps as f64;
            assert!(
                (mean - shape).abs() <= 4.0 * (shape / reps as f64).sqrt(),
                "shape {shape}: mean {mean}"
            );
            assert!(
                (variance / shape - 1.0).abs() < 0.05,
                "shape {shape}: variance {variance}"
            );
        }
    }

    #[test]
    fn the_gamma_squeeze_accepts_only_what_the_exact_test_accepts() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(12);
        let mut squeezed = 0;
        for shape in [1.0, 1.5, 5.0, 50.0, 5_000.0] {
            let d: f64 = shape - 1.0 / 3.0;
            let c = gamma_constant(shape);
            for _ in 0..200_000 {
                // Normals and their tails, down to where 1 + cx reaches 0.
                let x = rng.sample::<f64, _>(StandardNormal) * 3.0;
                let m = (1.0 + c * x).min(1.0);
                if m <= 0.0 {
                    continue;
                }
                // A uniform at random, and one just inside the squeeze's edge, where a squeeze
                // that is not a bound would first let a draw in.
                let edge = (1.0 - c * c / 12.0 * x.powi(4) / m) * (1.0 - 1e-12);
                let u: f64 = rng.sample(Open01);
                for u in [u, edge].into_iter().filter(|u| *u > 0.0) {
                    if gamma_squeeze_accepts(c, x, u) {
                        squeezed += 1;
                        assert!(
                            (u - 1.0).ln_1p() < log_acceptance(d, c * x),
                            "shape {shape}, x {x}, u {u}: squeezed in but the exact test rejects"
                        );
                    }
                }
            }
        }
        assert!(squeezed > 1_000_000, "the squeeze accepted only {squeezed}");
    }

    /// The right side of Marsaglia & Tsang's exact test, `x²/2 + d·(1 − v + ln v)` with `v = (1
    /// + t)³`, written as `3d·R(t)`, `R(t) = ln(1 + t) − t + t²/2 − t³/3`, without the
    /// cancellation that costs the direct form about `d·ε` (a band the squeeze's edge reaches
    /// for large shapes): by its series `−t⁴/4 + t⁵/5 − …` for small `t`.
    fn log_acceptance(d: f64, t: f64) -> f64 {
        let remainder = if t.abs() < 0.25 {
            (4..80)
                .map(|n| -(-t).powi(n) / f64::from(n))
                .rev()
                .sum::<f64>()
        } else {
            t.ln_1p() - t + t * t / 2.0 - t * t * t / 3.0
        };
        3.0 * d * remainder
    }

    #[test]
    fn relabelling_carries_each_class_parameters_with_it() {
        let table =
            CaptureTable::parse_csv("a,b,c,count\n1,0,0,50\n0,1,0,40\n1,1,0,20\n0,0,1,30\n")
                .unwrap();
        let mut sampler = Sampler::new(&table, &LcmcrOptions::default()).unwrap();
        assert!(
            sampler.weight.windows(2).all(|w| w[0] >= w[1]),
            "the warm-up ends with the classes by decreasing weight: {:?}",
            sampler.weight
        );
        let k = sampler.classes;
        // Give every class a weight, recording probabilities and unseen people of its own, in
        // increasing order of weight, then relabel.
        let weight: Vec<f64> = (0..k).map(|class| (class + 1) as f64).collect();
        sampler.weight.clone_from(&weight);
        sampler.unseen_by_class = (0..k as u64).map(|class| 100 + class).collect();
        for (list, lambda) in sampler.lambda.chunks_exact_mut(k).enumerate() {
            for (class, l) in lambda.iter_mut().enumerate() {
                *l = (list * k + class) as f64 / 1000.0;
            }
        }
        sampler.relabel_by_decreasing_weight();
        for new in 0..k {
            let old = k - 1 - new;
            assert_eq!(sampler.weight[new], weight[old]);
            assert_eq!(sampler.unseen_by_class[new], 100 + old as u64);
            for list in 0..sampler.lists {
                assert_eq!(
                    sampler.lambda[list * k + new],
                    (list * k + old) as f64 / 1000.0
                );
            }
        }
        // Each pattern's class order is still a permutation of the classes.
        for order in sampler.order.chunks_exact(k) {
            let mut seen = order.to_vec();
            seen.sort_unstable();
            assert_eq!(seen, (0..k).collect::<Vec<_>>());
        }
    }

    #[test]
    fn the_stick_of_an_empty_class_has_the_beta_log_means() {
        // V ~ Beta(1, b): E[ln(1 − V)] = −1/b and E[ln V] = −(ψ(1 + b) − ψ(1)), the latter
        // summed as Σ b / (i (i + b)). A small b is the stick past every occupied class.
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
        for b in [0.3, 4.0, 900.0] {
            let reps = 100_000;
            let (mut log_v, mut log_rest, mut log_v_squares) = (0.0, 0.0, 0.0);
            for _ in 0..reps {
                let (v, rest) = log_beta_pair(&mut rng, 1.0, b).unwrap();
                // One draw: V and 1 − V, not two independent pieces.
                assert!(
                    (v.exp() + rest.exp() - 1.0).abs() < 1e-12,
                    "b {b}: {v}, {rest}"
                );
                log_v += v;
                log_v_squares += v * v;
                log_rest += rest;
            }
            let n = reps as f64;
            let (mean_v, mean_rest) = (log_v / n, log_rest / n);
            let sd_v = (log_v_squares / n - mean_v * mean_v).sqrt();
            let expected_v = -(1..2_000_000)
                .map(|i| b / (i as f64 * (i as f64 + b)))
                .sum::<f64>();
            // ln(1 − V) is −Exp(1)/b: its standard deviation is 1/b.
            assert!(
                (mean_rest + 1.0 / b).abs() <= 4.0 / b / n.sqrt(),
                "b {b}: mean ln(1 − V) {mean_rest}"
            );
            assert!(
                (mean_v - expected_v).abs() <= 4.0 * sd_v / n.sqrt() + 1e-3 * expected_v.abs(),
                "b {b}: mean ln V {mean_v} against {expected_v}"
            );
        }
    }

    #[test]
    fn stick_breaking_weights_have_their_means_whichever_way_each_stick_is_drawn() {
        // Each weight is V_k ∏ (1 − V_i) over the sticks before it, all independent, so its mean
        // is E[V_k] ∏ E[1 − V_i] with E[V] = a / (a + b). The configurations draw sticks in
        // linear space, by inversion (an empty class), in logarithms (the last occupied class
        // when α < 1), and linear sticks after log ones.
        for (totals, alpha) in [
            (&[50_u64, 0, 30, 0, 0][..], 0.5),
            (&[0, 50, 30, 20][..], 0.5),
            (&[0, 3, 0, 40, 2][..], 2.0),
        ] {
            let reps = 100_000;
            let k = totals.len();
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(12);
            let mut sums = vec![0.0; k];
            let mut squares = vec![0.0; k];
            let mut weight = vec![0.0; k];
            for _ in 0..reps {
                break_sticks(&mut rng, totals, alpha, &mut weight).unwrap();
                assert!(
                    (weight.iter().sum::<f64>() - 1.0).abs() < 1e-12,
                    "{weight:?}"
                );
                for ((sum, square), w) in sums.iter_mut().zip(&mut squares).zip(&weight) {
                    *sum += w;
                    *square += w * w;
                }
            }
            let mut left = 1.0;
            let mut remaining: u64 = totals.iter().sum();
            for class in 0..k {
                let expected = if class + 1 == k {
                    left
                } else {
                    remaining -= totals[class];
                    let (a, b) = (1.0 + totals[class] as f64, alpha + remaining as f64);
                    let mean = left * a / (a + b);
                    left *= b / (a + b);
                    mean
                };
                let mean = sums[class] / reps as f64;
                let sd = (squares[class] / reps as f64 - mean * mean).sqrt();
                assert!(
                    (mean - expected).abs() <= 5.0 * sd / (reps as f64).sqrt() + 1e-12,
                    "{totals:?}, class {class}: mean weight {mean} against {expected}"
                );
            }
        }
    }

    #[test]
    fn stick_breaking_gives_what_breaking_every_stick_in_logarithms_gave() {
        // The same random draws, taken by the earlier all-logarithm loop: the weights and the
        // last one's logarithm agree up to rounding, in every order of linear and log sticks.
        let mut config = Xoshiro256PlusPlus::seed_from_u64(3);
        for case in 0..2_000 {
            let k = config.random_range(2..12);
            let totals: Vec<u64> = (0..k)
                .map(|_| match config.random_range(0..3) {
                    0 => 0,
                    1 => config.random_range(1..5),
                    _ => config.random_range(5..5_000),
                })
                .collect();
            let alpha = if config.random_bool(0.5) { 0.3 } else { 1.7 };
            let mut weight = vec![0.0; k];
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(case);
            let log_last = break_sticks(&mut rng, &totals, alpha, &mut weight).unwrap();
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(case);
            let (reference, reference_log_last) = sticks_in_logarithms(&mut rng, &totals, alpha);
            for (w, r) in weight.iter().zip(&reference) {
                assert!(
                    (w - r).abs() <= 1e-12 * r.max(1e-300),
                    "{totals:?}: {weight:?} against {reference:?}"
                );
            }
            assert!(
                (log_last - reference_log_last).abs() <= 1e-12 * reference_log_last.abs().max(1.0),
                "{totals:?}: {log_last} against {reference_log_last}"
            );
        }
    }

    /// The stick-breaking loop as it was before the twelfth session: every stick in
    /// logarithms, `(ln V, ln(1 − V))` from the same draws in the same order.
    fn sticks_in_logarithms(
        rng: &mut Xoshiro256PlusPlus,
        totals: &[u64],
        alpha: f64,
    ) -> (Vec<f64>, f64) {
        let mut remaining: u64 = totals.iter().sum();
        let mut log_rest = 0.0;
        let mut log_weight = vec![0.0; totals.len()];
        for (class, total) in totals[..totals.len() - 1].iter().enumerate() {
            remaining -= total;
            let (a, b) = (1.0 + *total as f64, alpha + remaining as f64);
            let (log_v, log_rest_v) = if a > 1.0 && b >= 1.0 {
                let x = gamma_draw(rng, a);
                let y = gamma_draw(rng, b);
                let log_sum = (x + y).ln();
                (x.ln() - log_sum, y.ln() - log_sum)
            } else {
                log_beta_pair(rng, a, b).unwrap()
            };
            log_weight[class] = log_v + log_rest;
            log_rest += log_rest_v;
        }
        log_weight[totals.len() - 1] = log_rest;
        (log_weight.iter().map(|l| l.exp()).collect(), log_rest)
    }

    #[test]
    fn recording_probabilities_have_the_beta_mean_and_variance() {
        // Counts (seen, missed): a class nobody is in (the uniform), a list that saw all of a
        // class, a mixed one, and counts past the kept constants, which are worked out per draw.
        let constants: &[f64] = &GAMMA_CONSTANTS;
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(6);
        let past = GAMMA_CONSTANTS_KEPT as u64;
        for (seen, missed) in [(0, 0), (2, 0), (11, 39), (past + 5_000, past)] {
            let (a, b) = (seen as f64 + 1.0, missed as f64 + 1.0);
            let reps = 50_000;
            let draws: Vec<f64> = (0..reps)
                .map(|_| recording_probability(&mut rng, seen, missed, constants))
                .collect();
            let mean = draws.iter().sum::<f64>() / reps as f64;
            let variance = draws.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / reps as f64;
            let expected_mean = a / (a + b);
            let expected_variance = a * b / ((a + b).powi(2) * (a + b + 1.0));
            assert!(
                (mean - expected_mean).abs() <= 4.0 * (expected_variance / reps as f64).sqrt(),
                "Beta({a}, {b}): mean {mean}"
            );
            assert!(
                (variance / expected_variance - 1.0).abs() < 0.05,
                "Beta({a}, {b}): variance {variance}"
            );
        }
    }

    #[test]
    fn recording_probabilities_read_the_constants_they_would_work_out() {
        // With the kept constants and with none (every constant worked out), the same draws,
        // bit for bit, at the table's ends and past it.
        let kept = GAMMA_CONSTANTS_KEPT as u64;
        for count in [0, 1, 2, kept - 1, kept, kept + 1] {
            for (seen, missed) in [(count, 3), (5, count)] {
                let mut read = Xoshiro256PlusPlus::seed_from_u64(count);
                let mut worked_out = Xoshiro256PlusPlus::seed_from_u64(count);
                for _ in 0..100 {
                    let a = recording_probability(&mut read, seen, missed, &GAMMA_CONSTANTS);
                    let b = recording_probability(&mut worked_out, seen, missed, &[]);
                    assert_eq!(a.to_bits(), b.to_bits(), "seen {seen}, missed {missed}");
                }
            }
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_draws() {
        let t = CaptureTable::parse_csv(
            "a,b,c,count\n1,1,1,10\n1,0,0,30\n0,1,0,20\n0,0,1,25\n1,1,0,8\n0,1,1,6\n1,0,1,5\n",
        )
        .unwrap();
        let options = LcmcrOptions {
            burn_in: 50,
            thinning: 2,
            draws: 20,
            ..LcmcrOptions::default()
        };
        let a = lcmcr(&t, &options).unwrap();
        let b = lcmcr(&t, &options).unwrap();
        assert_eq!(a.draws, b.draws);
        let c = lcmcr(&t, &LcmcrOptions { seed: 7, ..options }).unwrap();
        assert_ne!(a.draws, c.draws);
    }

    #[test]
    fn the_geweke_limit_shares_one_chains_false_alarms_among_the_chains() {
        // One chain: |z| > 3; the limits for more chains are the normal's quantiles at 1 −
        // 0.00135 / chains (R's qnorm).
        for (chains, limit) in [(1, 3.0), (4, 3.3995), (16, 3.7617), (256, 4.4056)] {
            let ours = geweke_limit(chains);
            assert!(
                (ours - limit).abs() < 5e-3,
                "{chains} chains: {ours} against {limit}"
            );
        }
    }

    #[test]
    fn independent_draws_have_an_ess_near_their_number() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        let x: Vec<f64> = (0..1000).map(|_| rng.random::<f64>()).collect();
        let ess = effective_sample_size_of(&x);
        assert!((700.0..1300.0).contains(&ess), "{ess}");
        let walk: Vec<f64> = x
            .iter()
            .scan(0.0, |s, v| {
                *s += v - 0.5;
                Some(*s)
            })
            .collect();
        assert!(effective_sample_size_of(&walk) < 50.0);
        assert_eq!(
            effective_sample_size_of(&[7.0; 1000]),
            0.0,
            "a chain that never moved"
        );
        assert_eq!(geweke_z(&[7.0; 1000]), 0.0);
    }

    #[test]
    fn geweke_z_flags_a_chain_whose_start_differs_from_its_end() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(9);
        let mut settled: Vec<f64> = (0..1000).map(|_| rng.random::<f64>()).collect();
        let z = geweke_z(&settled);
        assert!(z.abs() < 3.0, "independent draws: {z}");
        // The first tenth a whole unit lower, as a chain still leaving its start.
        settled[..100].iter_mut().for_each(|v| *v -= 1.0);
        let z = geweke_z(&settled);
        assert!(z < -10.0, "a chain that rose from its start: {z}");
        // Two constant stretches: the whole chain's variance still sees the step.
        let step: Vec<f64> = (0..1000).map(|i| if i < 100 { 0.0 } else { 1.0 }).collect();
        assert!(geweke_z(&step) < -10.0, "{}", geweke_z(&step));
    }

    #[test]
    fn split_r_hat_is_near_one_for_chains_that_agree_and_flags_those_that_do_not() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(21);
        // Whole numbers, as draws of N are, so many draws tie.
        let mut chains: Vec<Vec<f64>> = (0..4)
            .map(|_| (0..1000).map(|_| rng.random_range(0..60) as f64).collect())
            .collect();
        let agreeing = split_r_hat(&chains);
        assert!((0.99..1.01).contains(&agreeing), "{agreeing}");
        // One chain's second half sits higher: the level differs between halves.
        chains[2][500..].iter_mut().for_each(|v| *v += 30.0);
        let shifted = split_r_hat(&chains);
        assert!(shifted > 1.05, "{shifted}");
        // Same level, three times the spread in one chain: only the distances from the median
        // see it.
        chains[2] = (0..1000)
            .map(|_| 30.0 + 3.0 * (rng.random_range(0..60) as f64 - 30.0))
            .collect();
        let pooled = chains.concat();
        let bulk = r_hat_of_halves(&normal_scores(&pooled), 500);
        let spread = split_r_hat(&chains);
        assert!(
            bulk < 1.02 && spread > 1.05,
            "bulk {bulk}, with the tails {spread}"
        );
        // One chain: its two halves.
        let one = vec![chains[0].clone()];
        let halves = split_r_hat(&one);
        assert!((0.99..1.02).contains(&halves), "{halves}");
        assert!(
            split_r_hat(&[vec![1.0, 2.0, 3.0]]).is_nan(),
            "halves of one draw"
        );
        assert!(split_r_hat(&[vec![7.0; 100]]).is_nan(), "nothing moved");
        // Two values about the median: every distance from it is the same.
        let alternating: Vec<f64> = (0..100).map(|i| f64::from(i % 2 * 2)).collect();
        assert!(split_r_hat(&[alternating]).is_nan(), "constant distances");
        assert!(
            split_r_hat(&[vec![1.0; 10], vec![1.0; 12]]).is_nan(),
            "unequal chains"
        );
    }

    #[test]
    fn has_mixed_requires_split_r_hat_at_most_its_limit() {
        let table = CaptureTable::parse_csv(
            "a,b,c,count\n1,0,0,30\n0,1,0,30\n0,0,1,30\n1,1,0,10\n1,0,1,10\n0,1,1,10\n1,1,1,5\n",
        )
        .unwrap();
        let options = LcmcrOptions {
            burn_in: 200,
            thinning: 5,
            draws: 400,
            ..LcmcrOptions::default()
        };
        let mut result = lcmcr(&table, &options).unwrap();
        result.effective_sample_size = 1_000.0;
        result.least_chain_effective_sample_size = 1_000.0;
        result.geweke_z = 0.0;
        result.split_r_hat = 1.0;
        assert!(result.has_mixed());
        for r_hat in [MAX_SPLIT_R_HAT + 0.01, f64::NAN] {
            result.split_r_hat = r_hat;
            assert!(!result.has_mixed(), "split R-hat {r_hat}");
        }
    }

    #[test]
    fn r_hat_compares_the_halves_variance_with_the_pooled_one() {
        // Halves [0, 1] and [2, 3]: W = 1/2, B/n = 2, so R̂ = √((1/2 · 1/2 + 2) / (1/2)).
        let r = r_hat_of_halves(&[0.0, 1.0, 2.0, 3.0], 2);
        assert!((r - 4.5_f64.sqrt()).abs() < 1e-12, "{r}");
    }

    #[test]
    fn normal_scores_follow_the_normal_quantiles_and_share_ties() {
        // R: qnorm(0.975) = 1.959964, qnorm(0.9) = 1.281552.
        assert!((normal_quantile(0.975) - 1.959_964).abs() < 5e-4);
        assert!((normal_quantile(0.1) + 1.281_552).abs() < 5e-4);
        assert_eq!(normal_quantile(0.5), 0.0);
        // Ranks 1, 2.5, 2.5, 4 of four: (r − 3/8) / 4.25.
        let scores = normal_scores(&[5.0, 9.0, 9.0, 11.0]);
        assert_eq!(scores[1], scores[2]);
        assert!((scores[0] - normal_quantile(0.625 / 4.25)).abs() < 1e-12);
        assert!((scores[1] - normal_quantile(2.125 / 4.25)).abs() < 1e-12);
        assert!(scores[0] < scores[1] && scores[1] < scores[3]);
    }

    #[test]
    fn settings_out_of_range_are_refused_by_name() {
        let table =
            CaptureTable::parse_csv("a,b,c,count\n1,0,0,5\n0,1,0,4\n1,1,0,2\n0,0,1,3\n").unwrap();
        for (options, option) in [
            (
                LcmcrOptions {
                    draws: 1,
                    ..LcmcrOptions::default()
                },
                "draws",
            ),
            (
                LcmcrOptions {
                    thinning: 0,
                    ..LcmcrOptions::default()
                },
                "thinning",
            ),
            (
                LcmcrOptions {
                    chains: 0,
                    ..LcmcrOptions::default()
                },
                "chains",
            ),
            (
                LcmcrOptions {
                    chains: MAX_CHAINS + 1,
                    ..LcmcrOptions::default()
                },
                "chains",
            ),
            (
                LcmcrOptions {
                    classes: 0,
                    ..LcmcrOptions::default()
                },
                "classes",
            ),
            (
                LcmcrOptions {
                    draws: MAX_DRAWS + 1,
                    ..LcmcrOptions::default()
                },
                "draws",
            ),
            (
                LcmcrOptions {
                    draws: MAX_DRAWS / 4,
                    chains: 5,
                    ..LcmcrOptions::default()
                },
                "draws",
            ),
        ] {
            let error = lcmcr(&table, &options).unwrap_err();
            assert!(
                matches!(error, EstimateError::InvalidOption { option: o, .. } if o == option),
                "{option}: {error}"
            );
        }
        // Runs too long to finish, checked without starting them (were the check gone, `lcmcr`
        // would run for weeks rather than fail), each blaming the setting that is too large.
        for (options, option) in [
            (
                LcmcrOptions {
                    burn_in: 1_000_000_000_000,
                    ..LcmcrOptions::default()
                },
                "burn_in",
            ),
            (
                LcmcrOptions {
                    thinning: usize::MAX,
                    ..LcmcrOptions::default()
                },
                "thinning",
            ),
            (
                LcmcrOptions {
                    draws: MAX_DRAWS,
                    thinning: 1_000,
                    ..LcmcrOptions::default()
                },
                "thinning",
            ),
        ] {
            let error = check_run_options(&options).unwrap_err();
            assert!(
                matches!(error, EstimateError::InvalidOption { option: o, .. } if o == option),
                "{option}: {error}"
            );
        }
        // The most draws at the default thinning still fit.
        let most = LcmcrOptions {
            draws: MAX_DRAWS,
            ..LcmcrOptions::default()
        };
        assert!(check_run_options(&most).is_ok());
    }

    #[test]
    fn a_sampler_that_cannot_run_says_why() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        let error = negative_binomial(&mut rng, 10, 1.0)
            .unwrap_err()
            .to_string();
        assert!(error.contains("LCMCR cannot run"), "{error}");
        assert!(error.contains("too little overlap"), "{error}");
        let mut out = vec![0; 2];
        let error = multinomial(&mut rng, 5, &[0.0, 0.0], &[0, 1], &mut out).unwrap_err();
        assert!(error.to_string().contains("collapsed to zero"), "{error}");
        let empty = CaptureTable::from_counts(vec!["a".into(), "b".into()], vec![0; 4]);
        assert!(empty.unwrap_err().to_string().contains("empty"));
    }

    #[test]
    fn quantiles_follow_r_type_7() {
        let x = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile(&x, 0.5), 2.5);
        assert_eq!(quantile(&x, 0.025), 1.075);
    }
}
