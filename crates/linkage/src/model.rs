//! The Fellegi–Sunter model: for each comparison level, m (how often true matches agree that
//! way) and u (how often random pairs do); a pair's match weight is the prior log-odds plus
//! log2(m/u) of each of its levels, with names' agreement levels weighed by how rare the name is
//! (term-frequency adjustment: agreeing on a rare surname counts more than on Mohammad).
//!
//! Estimating m and u is [`crate::train`]'s job; this module turns them into weights, scores pairs
//! and explains every score field by field.

use crate::compare::{
    Comparison, ComparisonKind, Input, MAX_COMPARISONS, NAME_ARABIC_READING, NAME_SKELETON,
    NAME_SWAPPED, PLACE_SAME_CITY, PLACE_SKELETON, compare_pair, compare_rows, quick_level,
};
use crate::features::Features;
use crate::records::RecordIndex;
use domain::fields::CanonicalField;

/// How the m probabilities were estimated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MSource {
    /// Expectation–maximisation on the blocked pairs, without labels.
    Em,
    /// Expectation–maximisation with labelled pairs held to their labels.
    EmWithLabels,
    /// EM collapsed (its match class stopped agreeing on names); the field priors are used.
    PriorAfterEmCollapse,
}

/// What training did, for the run report.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainingReport {
    /// Random pairs sampled to estimate u.
    pub u_sample_pairs: u64,
    /// Blocked pairs (samples of each session's blocks) that EM trained on.
    pub em_pairs: u64,
    /// Distinct comparison patterns among them.
    pub em_patterns: usize,
    /// EM iterations run, over all sessions.
    pub em_iterations: usize,
    /// The EM sessions: the blocking rule each trained on, and whether its result was kept
    /// (false when it collapsed).
    pub em_sessions: Vec<(String, bool)>,
    /// Labelled pairs used (same and different).
    pub labels_used: usize,
    /// How m was estimated.
    pub m_source: MSource,
    /// The estimated share of matches among the first session's pairs.
    pub blocked_match_share: f64,
    /// The estimated number of matching pairs among all pairs.
    pub expected_matches: f64,
}

/// The trained model: m and u per comparison level, the prior, and the weights they give.
#[derive(Debug, Clone)]
pub struct Model {
    comparisons: Vec<Comparison>,
    /// m per comparison and level (level 0, missing, is unused).
    pub m: Vec<Vec<f64>>,
    /// u per comparison and level (level 0, missing, is unused).
    pub u: Vec<Vec<f64>>,
    /// log2 of the prior odds that two comparable records match.
    pub prior_log2_odds: f64,
    /// How the model was trained.
    pub training: TrainingReport,
    weights: Vec<[f32; 16]>,
    /// Per comparison, at index 0: log2 of the u that term-frequency adjustments are relative to.
    log2_m: Vec<[f32; 16]>,
    adjust: Vec<Option<usize>>,
    /// Per comparison, the highest weight of a level from 2 on: of the levels with a
    /// term-frequency adjustment (before it), and of the others.
    highest_weights: Vec<(f32, f32)>,
    /// Per comparison, the weight of its last level ("different").
    lowest_weights: Vec<f32>,
}

/// How far under the floor a pair's bound must fall before [`Model::weight_at_least`] sets it
/// aside (its sums run in another order than [`Model::score`]'s).
const BOUND_MARGIN: f32 = 1e-3;

/// One field's part in a pair's score.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldContribution {
    /// The field compared.
    pub field: CanonicalField,
    /// The level of agreement, in words.
    pub level: &'static str,
    /// The level's number (0 is missing).
    pub level_index: u8,
    /// log2(m/u) of the level, as weighed (after any term-frequency adjustment).
    pub weight: f64,
    /// The part of `weight` due to the term-frequency adjustment.
    pub frequency_adjustment: f64,
}

/// Why a pair scored what it did.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    /// The prior log2-odds every pair starts from.
    pub prior: f64,
    /// Each compared field's contribution.
    pub fields: Vec<FieldContribution>,
    /// The sum: the pair's match weight.
    pub match_weight: f64,
    /// The match probability, 1 / (1 + 2^-weight).
    pub probability: f64,
}

impl Model {
    /// Builds a model from m, u and the prior; weights are made non-increasing down ordered
    /// levels (a stronger agreement never weighs less than a weaker one).
    pub(crate) fn new(
        comparisons: Vec<Comparison>,
        m: Vec<Vec<f64>>,
        u: Vec<Vec<f64>>,
        prior_log2_odds: f64,
        training: TrainingReport,
    ) -> Model {
        let mut weights = Vec::with_capacity(comparisons.len());
        let mut log2_m = Vec::with_capacity(comparisons.len());
        for (c, comparison) in comparisons.iter().enumerate() {
            let mut w = [0f32; 16];
            let mut lm = [0f32; 16];
            let mut ceiling = f64::INFINITY;
            for level in 1..comparison.kind.level_count() {
                let mut weight = (m[c][level] / u[c][level]).log2();
                if comparison.kind.is_ordered_level(level) {
                    weight = weight.min(ceiling);
                    ceiling = weight;
                }
                w[level] = weight as f32;
            }
            if comparison.kind == ComparisonKind::Place {
                // Two prisons of one city never say more than one prison spelled alike.
                let city = usize::from(PLACE_SAME_CITY);
                w[city] = w[city].min(w[usize::from(PLACE_SKELETON)]);
            }
            if comparison.kind == ComparisonKind::Name {
                // Names found swapped agree as much as names in place, and a list that swaps one
                // person's names swaps its namesakes' too: the likelihood ratio is the same.
                w[usize::from(NAME_SWAPPED)] = w[usize::from(NAME_SKELETON)];
                // A name read the Arabic way never says more than its skeleton; both get the same
                // term-frequency adjustment, so this holds after it too.
                let loose = usize::from(NAME_ARABIC_READING);
                w[loose] = w[loose].min(w[usize::from(NAME_SKELETON)]);
            }
            // The chance that a random pair agrees on a name at least by skeleton: the u a
            // term-frequency adjustment is measured against (Splink's u of the exact level).
            lm[0] = (u[c][1..comparison.kind.level_count().min(4)]
                .iter()
                .sum::<f64>())
            .log2() as f32;
            weights.push(w);
            log2_m.push(lm);
        }
        let adjust = comparisons
            .iter()
            .map(|c| match (c.kind, c.input) {
                (ComparisonKind::Name, Input::Text { feature, .. }) => Some(feature),
                _ => None,
            })
            .collect();
        let highest_weights = comparisons
            .iter()
            .zip(&weights)
            .map(|(comparison, w)| highest_weights(comparison.kind, w))
            .collect();
        let lowest_weights = comparisons
            .iter()
            .zip(&weights)
            .map(|(comparison, w)| w[comparison.kind.level_count() - 1])
            .collect();
        Model {
            comparisons,
            m,
            u,
            prior_log2_odds,
            training,
            weights,
            log2_m,
            adjust,
            highest_weights,
            lowest_weights,
        }
    }

    /// The comparisons the model weighs, in order.
    pub fn comparisons(&self) -> &[Comparison] {
        &self.comparisons
    }

    /// The match weight of a pair whose levels are known.
    pub(crate) fn weight_of_levels(
        &self,
        features: &Features,
        levels: &[u8],
        a: RecordIndex,
        b: RecordIndex,
    ) -> f32 {
        let mut total = self.prior_log2_odds as f32;
        for (c, &level) in levels.iter().enumerate() {
            total += self.level_weight(features, c, level, a, b).0;
        }
        total
    }

    /// The weight of one level for one pair, and the part due to term frequency.
    #[inline]
    fn level_weight(
        &self,
        features: &Features,
        c: usize,
        level: u8,
        a: RecordIndex,
        b: RecordIndex,
    ) -> (f32, f32) {
        let base = self.weights[c][level as usize];
        let kind = self.comparisons[c].kind;
        match self.adjust[c] {
            Some(feature) if kind.has_frequency_adjustment(level) => {
                let text = &features.texts[feature];
                let frequency = |r: RecordIndex| {
                    text.vocabulary.log2_frequency[features.rows.row(r)[feature] as usize]
                };
                let adjustment = self.log2_m[c][0] - frequency(a).max(frequency(b));
                (base + adjustment, adjustment)
            }
            _ => (base, 0.0),
        }
    }

    /// The match weight of a pair when it is at least `floor`, else `None`. The fields that need
    /// no string comparison are weighed first; each name or place still to compare counts at the
    /// most it could weigh, and the pair is set aside as soon as even that cannot reach `floor`.
    /// A pair that reaches it gets exactly [`Model::score`]'s weight.
    #[inline]
    pub(crate) fn weight_at_least(
        &self,
        features: &Features,
        a: RecordIndex,
        b: RecordIndex,
        floor: f32,
    ) -> Option<f32> {
        let (ra, rb) = (features.rows.row(a), features.rows.row(b));
        let mut levels = [0u8; MAX_COMPARISONS];
        let levels = &mut levels[..self.comparisons.len()];
        let mut pending = 0u16;
        let mut bounds = [0f32; MAX_COMPARISONS];
        let mut total = self.prior_log2_odds as f32;
        for (c, comparison) in self.comparisons.iter().enumerate() {
            match quick_level(features, comparison, ra, rb) {
                Some(level) => {
                    levels[c] = level;
                    total += self.level_weight(features, c, level, a, b).0;
                }
                None => {
                    pending |= 1 << c;
                    bounds[c] = self.highest_compared_weight(features, c, a);
                    total += bounds[c];
                }
            }
        }
        // Weights are summed in another order here; the margin keeps rounding on the safe side.
        let floor_with_margin = floor - BOUND_MARGIN;
        while pending != 0 {
            if total < floor_with_margin {
                return None;
            }
            let c = self.widest_pending(pending, &bounds);
            pending &= !(1 << c);
            levels[c] = compare_rows(features, &self.comparisons[c], ra, rb);
            total += self.level_weight(features, c, levels[c], a, b).0 - bounds[c];
        }
        let weight = self.weight_of_levels(features, levels, a, b);
        (weight >= floor).then_some(weight)
    }

    /// Of the comparisons in `pending` (a bit each), the one whose outcome can move the total
    /// most: the widest spread between its bound and its "different" weight.
    #[inline]
    fn widest_pending(&self, pending: u16, bounds: &[f32; MAX_COMPARISONS]) -> usize {
        let spread = |c: usize| bounds[c] - self.lowest_weights[c];
        let mut widest = pending.trailing_zeros() as usize;
        let mut rest = pending & (pending - 1);
        while rest != 0 {
            let c = rest.trailing_zeros() as usize;
            rest &= rest - 1;
            if spread(c) > spread(widest) {
                widest = c;
            }
        }
        widest
    }

    /// The most comparison `c` can weigh for a pair of `a` with a different, present value:
    /// the best level from 2 on, with `a`'s term-frequency adjustment (which bounds the pair's).
    #[inline]
    fn highest_compared_weight(&self, features: &Features, c: usize, a: RecordIndex) -> f32 {
        let (adjusted, plain) = self.highest_weights[c];
        match self.adjust[c] {
            Some(feature) => {
                let text = &features.texts[feature];
                let frequency =
                    text.vocabulary.log2_frequency[features.rows.row(a)[feature] as usize];
                (adjusted + self.log2_m[c][0] - frequency).max(plain)
            }
            None => plain,
        }
    }

    /// The match weight of a pair.
    pub(crate) fn score(&self, features: &Features, a: RecordIndex, b: RecordIndex) -> f32 {
        let mut levels = [0u8; MAX_COMPARISONS];
        let levels = &mut levels[..self.comparisons.len()];
        compare_pair(features, &self.comparisons, a, b, levels);
        self.weight_of_levels(features, levels, a, b)
    }

    /// Explains a pair's score field by field.
    pub(crate) fn explain(
        &self,
        features: &Features,
        a: RecordIndex,
        b: RecordIndex,
    ) -> Explanation {
        let mut levels = [0u8; MAX_COMPARISONS];
        let levels = &mut levels[..self.comparisons.len()];
        compare_pair(features, &self.comparisons, a, b, levels);
        let fields: Vec<FieldContribution> = self
            .comparisons
            .iter()
            .zip(levels.iter())
            .enumerate()
            .map(|(c, (comparison, &level))| {
                let (weight, adjustment) = self.level_weight(features, c, level, a, b);
                FieldContribution {
                    field: comparison.field,
                    level: comparison.kind.level_names()[level as usize],
                    level_index: level,
                    weight: f64::from(weight),
                    frequency_adjustment: f64::from(adjustment),
                }
            })
            .collect();
        let match_weight = self.prior_log2_odds + fields.iter().map(|f| f.weight).sum::<f64>();
        Explanation {
            prior: self.prior_log2_odds,
            fields,
            match_weight,
            probability: probability(match_weight),
        }
    }
}

/// The highest weight from level 2 on, of the levels with a term-frequency adjustment and of
/// the others (negative infinity where there are none).
fn highest_weights(kind: ComparisonKind, weights: &[f32; 16]) -> (f32, f32) {
    let mut highest = (f32::NEG_INFINITY, f32::NEG_INFINITY);
    for (level, &weight) in weights.iter().enumerate().take(kind.level_count()).skip(2) {
        if kind.has_frequency_adjustment(level as u8) {
            highest.0 = highest.0.max(weight);
        } else {
            highest.1 = highest.1.max(weight);
        }
    }
    highest
}

/// The match probability of a match weight.
pub fn probability(match_weight: f64) -> f64 {
    1.0 / (1.0 + (-match_weight).exp2())
}

/// The match weight of a match probability (clamped away from 0 and 1).
pub fn match_weight(probability: f64) -> f64 {
    let p = probability.clamp(1e-12, 1.0 - 1e-12);
    (p / (1.0 - p)).log2()
}

impl std::fmt::Display for Explanation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Level names hold Persian letters: pad by characters, as wide as the longest shown.
        let width = self
            .fields
            .iter()
            .map(|field| field.level.chars().count())
            .max()
            .unwrap_or(0)
            .max("level".len());
        writeln!(f, "{:<16} {:<width$} {:>8}", "field", "level", "weight")?;
        writeln!(f, "{:<16} {:<width$} {:>8.2}", "(prior)", "", self.prior)?;
        for field in &self.fields {
            writeln!(
                f,
                "{:<16} {:<width$} {:>8.2}",
                field.field.as_str(),
                field.level,
                field.weight
            )?;
        }
        write!(
            f,
            "match weight {:.2}, probability {:.4}",
            self.match_weight, self.probability
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pair_set_aside_by_its_bound_would_have_scored_below_the_floor() {
        use crate::{LinkOptions, Linker, Records, SourceSpec};
        use domain::fields::CanonicalField::{
            BirthYear, City, ExecutionDate, FatherName, GivenName, Sex, Surname,
        };
        let given = [
            "Mohammad", "Mohamad", "محمد", "Ali", "علی", "Zahra", "Zohreh", "Reza",
        ];
        let surnames = [
            "Rezaei",
            "Rezaee",
            "رضایی",
            "Ahmadi",
            "Karimi",
            "Tehrani",
            "Ahmad",
        ];
        let fathers = ["Hossein", "Hosein", "حسین", "Hassan", ""];
        let cities = ["Tehran", "تهران", "Tabriz", ""];
        let mut builder = Records::builder(&[
            GivenName,
            Surname,
            FatherName,
            BirthYear,
            City,
            Sex,
            ExecutionDate,
        ]);
        let list = builder.add_source(SourceSpec::new("list")).unwrap();
        for i in 0..400usize {
            let year = (1955 + i % 7).to_string();
            let cells = [
                given[i % given.len()],
                surnames[i / 3 % surnames.len()],
                fathers[i / 5 % fathers.len()],
                &year,
                cities[i / 11 % cities.len()],
                ["male", "female", ""][i % 3],
                ["1988-08-03", "1367/05/12", "1988", ""][i / 2 % 4],
            ];
            builder.push(list, &i.to_string(), &cells).unwrap();
        }
        let linker = Linker::new(&builder.build().unwrap(), LinkOptions::default()).unwrap();
        let model = linker.train(&[]).unwrap();
        let mut set_aside = 0;
        for a in 0..400 {
            for b in (a + 1..400).step_by(3) {
                let score = model.score(&linker.features, a, b);
                // Floors just under and over the pair's own score are where a loose bound fails.
                for floor in [score - 0.01, score, score + 0.01, -5.0, 5.0] {
                    let bounded = model.weight_at_least(&linker.features, a, b, floor);
                    assert_eq!(
                        bounded,
                        (score >= floor).then_some(score),
                        "{a}, {b}, {floor}"
                    );
                    set_aside += usize::from(bounded.is_none());
                }
            }
        }
        assert!(set_aside > 0, "some pairs fall below the floors");
    }

    #[test]
    fn probability_and_match_weight_are_inverse() {
        for p in [0.01, 0.5, 0.9, 0.999] {
            assert!((probability(match_weight(p)) - p).abs() < 1e-9, "p = {p}");
        }
    }
}
