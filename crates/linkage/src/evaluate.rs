//! Evaluation against ground truth: pairwise precision, recall and F1 of a clustering (two
//! records are a true pair when truth gives them the same person), the same way
//! `bench/linkage_eval.py` counts them, and blocking recall (the share of true pairs that
//! blocking put in a compared block at all).

use crate::records::RecordIndex;
use foldhash::HashMap;

/// Pairwise scores of a clustering against truth.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairwiseScores {
    /// Pairs of records that truth puts together.
    pub true_pairs: u64,
    /// Pairs of records the clustering puts together.
    pub predicted_pairs: u64,
    /// Pairs both put together.
    pub true_positive_pairs: u64,
    /// true positives / predicted.
    pub precision: f64,
    /// true positives / true.
    pub recall: f64,
    /// The harmonic mean of precision and recall.
    pub f1: f64,
    /// Clusters in the clustering.
    pub clusters: usize,
    /// Persons in the truth.
    pub true_persons: usize,
}

/// Scores `clusters` (a cluster number per record) against `truth` (a person number per record;
/// records truth does not know count as persons of their own).
pub fn pairwise_scores(clusters: &[u32], truth: &[Option<u32>]) -> PairwiseScores {
    let persons: Vec<u64> = truth
        .iter()
        .enumerate()
        .map(|(r, person)| match person {
            Some(p) => u64::from(*p),
            None => (1u64 << 40) + r as u64,
        })
        .collect();
    let true_pairs = pairs_within(count_by(persons.iter().copied()));
    let predicted_pairs = pairs_within(count_by(clusters.iter().map(|&c| u64::from(c))));
    let both = count_by(clusters.iter().zip(&persons).map(|(&c, &p)| (c, p)));
    let true_positive_pairs = pairs_within(both);
    let ratio = |x: u64, y: u64| if y == 0 { 0.0 } else { x as f64 / y as f64 };
    let precision = ratio(true_positive_pairs, predicted_pairs);
    let recall = ratio(true_positive_pairs, true_pairs);
    let f1 = if precision + recall == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    };
    PairwiseScores {
        true_pairs,
        predicted_pairs,
        true_positive_pairs,
        precision,
        recall,
        f1,
        clusters: count_by(clusters.iter().map(|&c| u64::from(c))).len(),
        true_persons: count_by(truth.iter().flatten().map(|&p| u64::from(p))).len(),
    }
}

fn count_by<K: std::hash::Hash + Eq>(keys: impl Iterator<Item = K>) -> HashMap<K, u64> {
    let mut counts: HashMap<K, u64> = HashMap::default();
    for key in keys {
        *counts.entry(key).or_insert(0) += 1;
    }
    counts
}

fn pairs_within<K>(counts: HashMap<K, u64>) -> u64 {
    counts.values().map(|n| n * (n - 1) / 2).sum()
}

/// The true pairs of a truth assignment, grouped by person, as record pairs.
pub(crate) fn true_pairs(truth: &[Option<u32>]) -> Vec<(RecordIndex, RecordIndex)> {
    let mut by_person: HashMap<u32, Vec<RecordIndex>> = HashMap::default();
    for (record, person) in truth.iter().enumerate() {
        if let Some(person) = person {
            by_person
                .entry(*person)
                .or_default()
                .push(record as RecordIndex);
        }
    }
    let mut pairs = Vec::new();
    for members in by_person.values() {
        for (i, &a) in members.iter().enumerate() {
            for &b in &members[i + 1..] {
                pairs.push((a.min(b), a.max(b)));
            }
        }
    }
    pairs
}

/// How many true pairs blocking compared.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BlockingRecall {
    /// Pairs truth puts together.
    pub true_pairs: u64,
    /// Of these, pairs some compared block held.
    pub blocked_true_pairs: u64,
    /// blocked / true.
    pub recall: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_perfect_clustering_scores_one() {
        let truth = [Some(1), Some(1), Some(2), Some(3), Some(3)];
        let scores = pairwise_scores(&[0, 0, 1, 2, 2], &truth);
        assert_eq!(scores.f1, 1.0);
        assert_eq!(scores.true_pairs, 2);
        assert_eq!(scores.clusters, 3);
    }

    #[test]
    fn one_false_merge_costs_precision_only() {
        let truth = [Some(1), Some(1), Some(2)];
        let scores = pairwise_scores(&[0, 0, 0], &truth);
        assert_eq!(scores.recall, 1.0);
        assert!((scores.precision - 1.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn records_unknown_to_truth_are_singletons() {
        let truth = [Some(1), None, None];
        let scores = pairwise_scores(&[0, 1, 1], &truth);
        assert_eq!(scores.predicted_pairs, 1);
        assert_eq!(scores.true_positive_pairs, 0);
    }
}
