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

use crate::blocking::{Blocking, BlockingRule, PairScope, mix};
use crate::compare::{Comparison, ComparisonKind, MAX_COMPARISONS, NAME_SWAPPED, compare_pair};
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
        ComparisonKind::Name => &[0.69, 0.08, 0.08, 0.01, 0.01, 0.05, 0.03, 0.02, 0.03],
        ComparisonKind::Place => &[0.74, 0.08, 0.05, 0.04, 0.01, 0.08],
        ComparisonKind::Code => &[0.85, 0.07, 0.03, 0.05],
        ComparisonKind::Birth => &[0.70, 0.08, 0.12, 0.04, 0.03, 0.03],
        ComparisonKind::EventDate => &[0.60, 0.30, 0.05, 0.03, 0.02],
        ComparisonKind::Sex => &[0.97, 0.03],
    }
}

/// Pseudo-count of the priors, as a number of pairs.
const PRIOR_STRENGTH: f64 = 50.0;
/// Together the labelled pairs weigh this share of the estimated matches.
const LABEL_SHARE: f64 = 0.25;

/// The most EM sessions (one per blocking rule, in rule order).
const MAX_SESSIONS: usize = 4;

/// Trains a model on the blocked pairs and the labels: one EM session per blocking rule (as
/// Splink does), each on the pairs of that rule's blocks with u held at its random-sampling
/// value, estimating m only for the fields the rule does not block on (those agree by
/// construction there). A field's m is the mean over the sessions that estimated it.
pub(crate) fn train(
    features: &Features,
    comparisons: Vec<Comparison>,
    blocking: &Blocking,
    labels: &[PairLabel],
    options: &TrainOptions,
) -> Model {
    let u = estimate_u(features, &comparisons, blocking, options);
    let label_patterns: Vec<(u64, bool)> = labels
        .iter()
        .filter(|label| label.decision != Decision::Unsure && label.a != label.b)
        .map(|label| {
            let levels = levels_of(features, &comparisons, label.a, label.b);
            (
                encode(&levels[..comparisons.len()]),
                label.decision == Decision::Same,
            )
        })
        .collect();
    let session_count = blocking.rules.len().min(MAX_SESSIONS);
    let per_session = options.em_max_pairs / session_count.max(1) as u64;
    let sessions: Vec<Session> = (0..session_count)
        .map(|rule| {
            let ignored = ignored_comparisons(&comparisons, &blocking.rules[rule]);
            let histogram =
                pattern_histogram(features, &comparisons, blocking, rule, per_session, options);
            let em = run_em(
                &comparisons,
                &u,
                &histogram,
                &label_patterns,
                &ignored,
                options,
            );
            Session {
                rule,
                ignored,
                em,
                histogram_pairs: histogram.pairs,
                patterns: histogram.counts.len(),
                rule_pairs: histogram.rule_pairs,
            }
        })
        .collect();
    let prior = priors(&comparisons);
    let usable: Vec<&Session> = sessions.iter().filter(|s| !s.em.has_collapsed).collect();
    let m = combine_m(&prior, &usable);
    let expected_matches = usable
        .first()
        .map(|session| {
            let recall = rule_recall(&comparisons, &m, &session.ignored);
            session.em.match_share * session.rule_pairs / recall.max(0.05)
        })
        .unwrap_or(features.len as f64 / 2.0);
    let total_comparable = comparable_pairs(blocking, features.len);
    let prior_share = (expected_matches.max(1.0) / total_comparable.max(2.0)).min(0.5);
    let m_source = if usable.is_empty() {
        MSource::PriorAfterEmCollapse
    } else if label_patterns.is_empty() {
        MSource::Em
    } else {
        MSource::EmWithLabels
    };
    let report = TrainingReport {
        u_sample_pairs: options.u_sample_pairs,
        em_pairs: sessions.iter().map(|s| s.histogram_pairs).sum(),
        em_patterns: sessions.iter().map(|s| s.patterns).sum(),
        em_iterations: sessions.iter().map(|s| s.em.iterations).sum(),
        em_sessions: sessions
            .iter()
            .map(|s| (blocking.rules[s.rule].describe(), !s.em.has_collapsed))
            .collect(),
        labels_used: label_patterns.len(),
        m_source,
        blocked_match_share: usable.first().map_or(0.0, |s| s.em.match_share),
        expected_matches,
    };
    Model::new(
        comparisons,
        m,
        u,
        (prior_share / (1.0 - prior_share)).log2(),
        report,
    )
}

struct Session {
    rule: usize,
    ignored: Vec<bool>,
    em: EmResult,
    histogram_pairs: u64,
    patterns: usize,
    rule_pairs: f64,
}

/// The comparisons a rule blocks on, which its session cannot estimate.
fn ignored_comparisons(comparisons: &[Comparison], rule: &BlockingRule) -> Vec<bool> {
    let fields = rule.fields();
    comparisons
        .iter()
        .map(|c| fields.contains(&c.field))
        .collect()
}

/// m per comparison: the mean of the sessions that estimated it, else the prior.
fn combine_m(prior: &[Vec<f64>], sessions: &[&Session]) -> Vec<Vec<f64>> {
    prior
        .iter()
        .enumerate()
        .map(|(c, prior)| {
            let estimates: Vec<&Vec<f64>> = sessions
                .iter()
                .filter(|s| !s.ignored[c])
                .map(|s| &s.em.m[c])
                .collect();
            if estimates.is_empty() {
                return prior.clone();
            }
            (0..prior.len())
                .map(|level| {
                    estimates.iter().map(|m| m[level]).sum::<f64>() / estimates.len() as f64
                })
                .collect()
        })
        .collect()
}

/// The share of true matches a rule's key agreement keeps, from m of its fields' agreeing
/// levels (fields taken as independent given a match).
fn rule_recall(comparisons: &[Comparison], m: &[Vec<f64>], ignored: &[bool]) -> f64 {
    comparisons
        .iter()
        .zip(m)
        .zip(ignored)
        .filter(|(_, ignored)| **ignored)
        .map(|((c, m), _)| agreeing_levels(c.kind).map(|level| m[level]).sum::<f64>())
        .product()
}

/// The levels that mean the field agrees (a blocking key on it would match).
fn agreeing_levels(kind: ComparisonKind) -> std::ops::RangeInclusive<usize> {
    match kind {
        ComparisonKind::Name => 1..=5,
        ComparisonKind::Place | ComparisonKind::EventDate => 1..=2,
        ComparisonKind::Code | ComparisonKind::Sex => 1..=1,
        ComparisonKind::Birth => 1..=3,
    }
}

fn levels_of(
    features: &Features,
    comparisons: &[Comparison],
    a: RecordIndex,
    b: RecordIndex,
) -> [u8; MAX_COMPARISONS] {
    let mut levels = [0u8; MAX_COMPARISONS];
    compare_pair(
        features,
        comparisons,
        a,
        b,
        &mut levels[..comparisons.len()],
    );
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
                compare_pair(
                    features,
                    comparisons,
                    a,
                    b,
                    &mut levels[..comparisons.len()],
                );
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

/// The largest block EM trains on. A larger block gathers the namesakes of a common name
/// (`Mohammad`, son of `Ali`, born 1340): its pairs are nearly all non-matches that agree on
/// everything the rule keys on, and they pull the match class towards them.
const EM_MAX_BLOCK: usize = 50;

/// Counts of comparison patterns over a sample of one rule's blocks of at most
/// [`EM_MAX_BLOCK`] records.
struct Histogram {
    counts: Vec<(u64, f64)>,
    pairs: u64,
    /// Pairs in the rule's blocks of at most [`EM_MAX_BLOCK`] records (the matches EM finds
    /// there, divided by the rule's recall, give the expected matches; those in bigger blocks
    /// are not counted).
    rule_pairs: f64,
}

fn pattern_histogram(
    features: &Features,
    comparisons: &[Comparison],
    blocking: &Blocking,
    rule: usize,
    max_pairs: u64,
    options: &TrainOptions,
) -> Histogram {
    let is_small = |block: usize| blocking.block_len(block) <= EM_MAX_BLOCK;
    let rule_pairs: u64 = blocking
        .blocks_of(rule)
        .filter(|&b| is_small(b))
        .map(|b| blocking.block_pairs(b))
        .sum();
    let share = (max_pairs as f64 / rule_pairs.max(1) as f64).min(1.0);
    let threshold = (share * u64::MAX as f64) as u64;
    let is_sampled = |block: usize| {
        is_small(block) && (share >= 1.0 || mix(block as u64 ^ options.seed) <= threshold)
    };
    let counts: HashMap<u64, u64> = blocking.fold_pairs(
        PairScope::WithinRule(rule),
        is_sampled,
        HashMap::default,
        |counts: &mut HashMap<u64, u64>, a, b| {
            let levels = levels_of(features, comparisons, a, b);
            *counts
                .entry(encode(&levels[..comparisons.len()]))
                .or_insert(0) += 1;
        },
        |mut x, y| {
            for (pattern, count) in y {
                *x.entry(pattern).or_insert(0) += count;
            }
            x
        },
    );
    let pairs: u64 = counts.values().sum();
    Histogram {
        counts: counts.into_iter().map(|(p, c)| (p, c as f64)).collect(),
        pairs,
        rule_pairs: rule_pairs as f64,
    }
}

struct EmResult {
    m: Vec<Vec<f64>>,
    match_share: f64,
    iterations: usize,
    has_collapsed: bool,
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

/// EM over a pattern histogram with u fixed; comparisons in `ignored` are left out, and
/// labelled patterns keep their class.
fn run_em(
    comparisons: &[Comparison],
    u: &[Vec<f64>],
    histogram: &Histogram,
    labels: &[(u64, bool)],
    ignored: &[bool],
    options: &TrainOptions,
) -> EmResult {
    let prior = priors(comparisons);
    let mut m = prior.clone();
    let mut share = 0.01f64;
    let mut iterations = 0;
    for _ in 0..options.em_max_iterations {
        iterations += 1;
        let log_ratio: Vec<Vec<f64>> = m
            .iter()
            .zip(u)
            .zip(ignored)
            .map(|((m, u), ignored)| {
                m.iter()
                    .zip(u)
                    .enumerate()
                    .map(|(level, (m, u))| {
                        if level == 0 || *ignored {
                            0.0
                        } else {
                            (m / u).ln()
                        }
                    })
                    .collect()
            })
            .collect();
        let label_weight = if labels.is_empty() {
            0.0
        } else {
            (LABEL_SHARE * share * histogram.pairs as f64 / labels.len() as f64).max(1.0)
        };
        let mut m_counts: Vec<Vec<f64>> = prior
            .iter()
            .map(|p| p.iter().map(|x| x * PRIOR_STRENGTH).collect())
            .collect();
        let mut matched = 0.0;
        let mut total = 0.0;
        let prior_log_odds = (share / (1.0 - share)).ln();
        for &(pattern, count) in &histogram.counts {
            let mut log_odds = prior_log_odds;
            for (c, ratios) in log_ratio.iter().enumerate() {
                log_odds += ratios[level_in(pattern, c)];
            }
            let p = 1.0 / (1.0 + (-log_odds).exp());
            matched += count * p;
            total += count;
            add_counts(&mut m_counts, pattern, count * p);
        }
        for &(pattern, same) in labels {
            if same {
                add_counts(&mut m_counts, pattern, label_weight);
            }
        }
        let previous = share;
        share = (matched / total.max(1.0)).clamp(1e-6, 0.999);
        m = normalise(m_counts);
        hold_rare_levels(comparisons, &mut m, &prior, ignored);
        if (share - previous).abs() < 1e-7 {
            break;
        }
    }
    EmResult {
        has_collapsed: has_collapsed(comparisons, &m, ignored),
        m,
        match_share: share,
        iterations,
    }
}

/// Levels EM cannot see enough of keep their prior: all of sex (shared by half of all pairs,
/// it is what a collapsing match class latches onto), the swapped-name level (swapped pairs
/// rarely share a block with the sessions that estimate names), and every level of a field
/// the session blocks on.
fn hold_rare_levels(
    comparisons: &[Comparison],
    m: &mut [Vec<f64>],
    prior: &[Vec<f64>],
    ignored: &[bool],
) {
    let swapped = usize::from(NAME_SWAPPED);
    for (c, comparison) in comparisons.iter().enumerate() {
        if comparison.kind == ComparisonKind::Sex || ignored[c] {
            m[c] = prior[c].clone();
        } else if comparison.kind == ComparisonKind::Name {
            let held = prior[c][swapped];
            let rest: f64 = m[c][1..].iter().sum::<f64>() - m[c][swapped];
            for (level, value) in m[c].iter_mut().enumerate().skip(1) {
                *value = if level == swapped {
                    held
                } else {
                    *value * (1.0 - held) / rest.max(f64::MIN_POSITIVE)
                };
            }
        }
    }
}

fn add_counts(m_counts: &mut [Vec<f64>], pattern: u64, weight: f64) {
    for (c, counts) in m_counts.iter_mut().enumerate() {
        let level = level_in(pattern, c);
        if level > 0 {
            counts[level] += weight;
        }
    }
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
/// pairs agree ([`agreeing_levels`]: exactly, by variant, by skeleton, swapped or read the Arabic
/// way) on some estimated name field.
fn has_collapsed(comparisons: &[Comparison], m: &[Vec<f64>], ignored: &[bool]) -> bool {
    comparisons
        .iter()
        .zip(m)
        .zip(ignored)
        .filter(|((c, _), ignored)| c.kind == ComparisonKind::Name && !**ignored)
        .any(|((_, m), _)| {
            agreeing_levels(ComparisonKind::Name)
                .map(|level| m[level])
                .sum::<f64>()
                < 0.5
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_level_has_a_prior_m_and_they_sum_to_one() {
        use ComparisonKind::{Birth, Code, EventDate, Name, Place, Sex};
        for kind in [Name, Place, Code, Birth, EventDate, Sex] {
            let prior = prior_m(kind);
            assert_eq!(prior.len(), kind.level_count() - 1, "{kind:?}");
            assert!((prior.iter().sum::<f64>() - 1.0).abs() < 1e-9, "{kind:?}");
        }
    }

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
