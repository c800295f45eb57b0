//! Training the model: u from random pairs, m from expectation–maximisation on the blocked
//! pairs with labelled pairs (review decisions, or truth) held to their labels.
//!
//! EM runs on a histogram of comparison patterns, not on pairs: a million blocked pairs fall
//! into a few thousand distinct patterns, so each iteration is instant. Guards against the known
//! failure mode, in which EM's "match" class drifts to absorb non-matches that merely share sex
//! and a date:
//! 1. u used for scoring comes from random sampling only; EM's own non-match distribution (within
//!    blocks, where non-matches agree on the blocking keys) is a nuisance parameter.
//! 2. m starts from field priors and keeps them as Dirichlet pseudo-counts, so no level's m can
//!    run to zero or one on little evidence.
//! 3. Sex, which tells little and is shared by half of all pairs, keeps its prior m.
//! 4. After EM the match class must still agree on names (given name and surname at least by
//!    skeleton for most matches); if not, EM has collapsed, and the priors are used instead.
//! 5. Weights are made non-increasing from strong to weak agreement ([`crate::model::Model`]).

use crate::blocking::{Blocking, mix};
use crate::compare::{Comparison, ComparisonKind, MAX_COMPARISONS, compare_pair};
use crate::features::Features;
use crate::model::{MSource, Model, TrainingReport};
use crate::records::RecordIndex;
use crate::{Decision, PairLabel};
use foldhash::HashMap;
use rayon::prelude::*;

/// Training settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrainOptions {
    /// Random pairs sampled to estimate u.
    pub u_sample_pairs: u64,
    /// Blocked pairs EM trains on at most (blocks are sampled to about this many pairs).
    pub em_max_pairs: u64,
    /// EM iterations at most.
    pub em_max_iterations: usize,
    /// Seed for every random choice, so runs repeat.
    pub seed: u64,
}

impl Default for TrainOptions {
    fn default() -> TrainOptions {
        TrainOptions {
            u_sample_pairs: 2_000_000,
            em_max_pairs: 3_000_000,
            em_max_iterations: 40,
            seed: 1988,
        }
    }
}

/// The prior m of each level after the missing one.
fn prior_m(kind: ComparisonKind) -> &'static [f64] {
    match kind {
        ComparisonKind::Name => &[0.70, 0.08, 0.08, 0.01, 0.05, 0.03, 0.02, 0.03],
        ComparisonKind::Place => &[0.75, 0.08, 0.05, 0.04, 0.08],
        ComparisonKind::Code => &[0.85, 0.07, 0.03, 0.05],
        ComparisonKind::Birth => &[0.70, 0.08, 0.12, 0.04, 0.03, 0.03],
        ComparisonKind::EventDate => &[0.60, 0.30, 0.05, 0.05],
        ComparisonKind::Sex => &[0.97, 0.03],
    }
}

/// Pseudo-count of the priors, as a number of pairs.
const PRIOR_STRENGTH: f64 = 50.0;
/// Together the labelled pairs weigh this share of the estimated matches.
const LABEL_SHARE: f64 = 0.25;

/// Trains a model on the blocked pairs and the labels.
pub(crate) fn train(
    features: &Features,
    comparisons: Vec<Comparison>,
    blocking: &Blocking,
    labels: &[PairLabel],
    options: &TrainOptions,
) -> Model {
    let u = estimate_u(features, &comparisons, blocking, options);
    let histogram = pattern_histogram(features, &comparisons, blocking, options);
    let label_patterns: Vec<(u64, bool)> = labels
        .iter()
        .filter(|label| label.decision != Decision::Unsure && label.a != label.b)
        .map(|label| {
            let levels = levels_of(features, &comparisons, label.a, label.b);
            (encode(&levels), label.decision == Decision::Same)
        })
        .collect();
    let em = run_em(&comparisons, &u, &histogram, &label_patterns, options);
    let total_comparable = comparable_pairs(blocking, features.len);
    let expected_matches = em.match_share * histogram.candidate_pairs;
    let prior = (expected_matches.max(1.0) / total_comparable.max(2.0)).min(0.5);
    let report = TrainingReport {
        u_sample_pairs: options.u_sample_pairs,
        em_pairs: histogram.pairs,
        em_patterns: histogram.counts.len(),
        em_iterations: em.iterations,
        labels_used: label_patterns.len(),
        m_source: em.source,
        blocked_match_share: em.match_share,
        expected_matches,
    };
    Model::new(
        comparisons,
        em.m,
        u,
        (prior / (1.0 - prior)).log2(),
        report,
    )
}

fn levels_of(
    features: &Features,
    comparisons: &[Comparison],
    a: RecordIndex,
    b: RecordIndex,
) -> [u8; MAX_COMPARISONS] {
    let mut levels = [0u8; MAX_COMPARISONS];
    compare_pair(features, comparisons, a, b, &mut levels[..comparisons.len()]);
    levels
}

/// Packs levels four bits each.
fn encode(levels: &[u8]) -> u64 {
    levels
        .iter()
        .rev()
        .fold(0u64, |pattern, &level| (pattern << 4) | u64::from(level))
}

fn level_in(pattern: u64, comparison: usize) -> usize {
    ((pattern >> (4 * comparison)) & 0xF) as usize
}

/// The number of pairs that may match at all (pairs within duplicate-free sources excluded).
fn comparable_pairs(blocking: &Blocking, records: usize) -> f64 {
    let n = records as f64;
    n * (n - 1.0) / 2.0 - blocking.pairs_within_duplicate_free_sources()
}

/// A tiny deterministic generator (splitmix64): sampling must repeat from a seed.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }
}

/// u per comparison and level from random comparable pairs, with add-one smoothing.
fn estimate_u(
    features: &Features,
    comparisons: &[Comparison],
    blocking: &Blocking,
    options: &TrainOptions,
) -> Vec<Vec<f64>> {
    const CHUNK: u64 = 1 << 16;
    let n = features.len as u64;
    let chunks = options.u_sample_pairs.div_ceil(CHUNK);
    let counts = (0..chunks)
        .into_par_iter()
        .map(|chunk| {
            let mut rng = SplitMix(options.seed ^ mix(chunk + 1));
            let mut counts = vec![[0u64; 16]; comparisons.len()];
            let mut levels = [0u8; MAX_COMPARISONS];
            for _ in 0..CHUNK {
                let (a, b) = (rng.below(n) as RecordIndex, rng.below(n) as RecordIndex);
                if a == b || !blocking.is_comparable(a, b) {
                    continue;
                }
                compare_pair(features, comparisons, a, b, &mut levels[..comparisons.len()]);
                for (count, &level) in counts.iter_mut().zip(&levels) {
                    count[level as usize] += 1;
                }
            }
            counts
        })
        .reduce(
            || vec![[0u64; 16]; comparisons.len()],
            |mut x, y| {
                for (a, b) in x.iter_mut().zip(&y) {
                    for (p, q) in a.iter_mut().zip(b) {
                        *p += q;
                    }
                }
                x
            },
        );
    comparisons
        .iter()
        .zip(&counts)
        .map(|(comparison, count)| {
            let levels = comparison.kind.level_count();
            let filled: u64 = count[1..levels].iter().sum();
            let mut u = vec![1.0; levels];
            for level in 1..levels {
                u[level] = (count[level] as f64 + 1.0) / (filled as f64 + levels as f64);
            }
            u
        })
        .collect()
}

/// Counts of comparison patterns over a sample of blocks.
struct Histogram {
    counts: Vec<(u64, f64)>,
    pairs: u64,
    /// The estimated number of candidate pairs over all blocks (de-duplicated).
    candidate_pairs: f64,
}

fn pattern_histogram(
    features: &Features,
    comparisons: &[Comparison],
    blocking: &Blocking,
    options: &TrainOptions,
) -> Histogram {
    let total_block_pairs: u64 = (0..blocking.block_count())
        .map(|b| blocking.block_pairs(b))
        .sum();
    let share = (options.em_max_pairs as f64 / total_block_pairs.max(1) as f64).min(1.0);
    let threshold = (share * u64::MAX as f64) as u64;
    let is_sampled = |block: usize| share >= 1.0 || mix(block as u64 ^ options.seed) <= threshold;
    let sampled_block_pairs: u64 = (0..blocking.block_count())
        .filter(|&b| is_sampled(b))
        .map(|b| blocking.block_pairs(b))
        .sum();
    let counts: HashMap<u64, u64> = blocking.fold_pairs(
        is_sampled,
        HashMap::default,
        |counts: &mut HashMap<u64, u64>, a, b| {
            let levels = levels_of(features, comparisons, a, b);
            *counts.entry(encode(&levels[..comparisons.len()])).or_insert(0) += 1;
        },
        |mut x, y| {
            for (pattern, count) in y {
                *x.entry(pattern).or_insert(0) += count;
            }
            x
        },
    );
    let pairs: u64 = counts.values().sum();
    let scale = total_block_pairs as f64 / sampled_block_pairs.max(1) as f64;
    Histogram {
        counts: counts.into_iter().map(|(p, c)| (p, c as f64)).collect(),
        pairs,
        candidate_pairs: pairs as f64 * scale,
    }
}

struct EmResult {
    m: Vec<Vec<f64>>,
    match_share: f64,
    iterations: usize,
    source: MSource,
}

fn priors(comparisons: &[Comparison]) -> Vec<Vec<f64>> {
    comparisons
        .iter()
        .map(|c| {
            let mut m = vec![1.0];
            m.extend_from_slice(prior_m(c.kind));
            m
        })
        .collect()
}

/// EM over the pattern histogram; labelled patterns keep their class.
fn run_em(
    comparisons: &[Comparison],
    u: &[Vec<f64>],
    histogram: &Histogram,
    labels: &[(u64, bool)],
    options: &TrainOptions,
) -> EmResult {
    let prior = priors(comparisons);
    let mut m = prior.clone();
    let mut v: Vec<Vec<f64>> = u.to_vec();
    let mut share = 0.05f64;
    let mut iterations = 0;
    for _ in 0..options.em_max_iterations {
        iterations += 1;
        let label_weight = if labels.is_empty() {
            0.0
        } else {
            (LABEL_SHARE * share * histogram.pairs as f64 / labels.len() as f64).max(1.0)
        };
        let mut m_counts: Vec<Vec<f64>> = prior
            .iter()
            .map(|p| p.iter().map(|x| x * PRIOR_STRENGTH).collect())
            .collect();
        let mut v_counts: Vec<Vec<f64>> = u
            .iter()
            .map(|p| p.iter().map(|x| x * PRIOR_STRENGTH).collect())
            .collect();
        let mut matched = 0.0;
        let mut total = 0.0;
        let weighted = histogram
            .counts
            .iter()
            .map(|&(pattern, count)| (pattern, count, None))
            .chain(labels.iter().map(|&(pattern, same)| (pattern, label_weight, Some(same))));
        for (pattern, count, label) in weighted {
            let p = match label {
                Some(true) => 1.0,
                Some(false) => 0.0,
                None => posterior(comparisons, &m, &v, share, pattern),
            };
            matched += count * p;
            total += count;
            for c in 0..comparisons.len() {
                let level = level_in(pattern, c);
                if level > 0 {
                    m_counts[c][level] += count * p;
                    v_counts[c][level] += count * (1.0 - p);
                }
            }
        }
        let previous = share;
        share = (matched / total.max(1.0)).clamp(1e-6, 0.999);
        m = normalise(m_counts);
        v = normalise(v_counts);
        for (c, comparison) in comparisons.iter().enumerate() {
            if comparison.kind == ComparisonKind::Sex {
                m[c] = prior[c].clone();
            }
        }
        if (share - previous).abs() < 1e-6 {
            break;
        }
    }
    let source = if has_collapsed(comparisons, &m) {
        m = prior;
        MSource::PriorAfterEmCollapse
    } else if labels.is_empty() {
        MSource::Em
    } else {
        MSource::EmWithLabels
    };
    EmResult {
        m,
        match_share: share,
        iterations,
        source,
    }
}

fn posterior(
    comparisons: &[Comparison],
    m: &[Vec<f64>],
    v: &[Vec<f64>],
    share: f64,
    pattern: u64,
) -> f64 {
    let mut log_ratio = (share / (1.0 - share)).ln();
    for c in 0..comparisons.len() {
        let level = level_in(pattern, c);
        if level > 0 {
            log_ratio += (m[c][level] / v[c][level]).ln();
        }
    }
    1.0 / (1.0 + (-log_ratio).exp())
}

fn normalise(counts: Vec<Vec<f64>>) -> Vec<Vec<f64>> {
    counts
        .into_iter()
        .map(|mut row| {
            let total: f64 = row[1..].iter().sum();
            for x in &mut row[1..] {
                *x /= total.max(f64::MIN_POSITIVE);
            }
            row[0] = 1.0;
            row
        })
        .collect()
}

/// EM has collapsed when its match class no longer agrees on names: fewer than half of its
/// pairs agree (exactly, by variant or by skeleton) on the given name or on the surname.
fn has_collapsed(comparisons: &[Comparison], m: &[Vec<f64>]) -> bool {
    use domain::fields::CanonicalField::{GivenName, Surname};
    comparisons
        .iter()
        .zip(m)
        .filter(|(c, _)| matches!(c.field, GivenName | Surname) && c.kind == ComparisonKind::Name)
        .any(|(_, m)| m[1] + m[2] + m[3] + m[4] < 0.5)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_pack_four_bits_per_level() {
        let pattern = encode(&[3, 0, 8, 1]);
        let levels: Vec<usize> = (0..4).map(|c| level_in(pattern, c)).collect();
        assert_eq!(levels, vec![3, 0, 8, 1]);
    }

    #[test]
    fn sampled_numbers_stay_below_the_bound() {
        let mut rng = SplitMix(7);
        assert!((0..1000).all(|_| rng.below(10) < 10));
    }
}
