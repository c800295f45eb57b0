//! Who is on which list: heterogeneous, dependent capture.
//!
//! A person is on list `k` with probability `sigmoid(logit(coverage_k) + h·visibility +
//! focus_k)`, where `visibility` is the person's latent standard-normal visibility, `h` the
//! configured heterogeneity, and `focus_k` is +1 on the log-odds scale for a prisoner of a
//! prison or province the list knows well and −0.5 for the others (0 for a list without a
//! focus). A list that copies from an earlier list takes each of that list's people with
//! its copy probability, and draws the rest as above. A list with duplicates holds a person
//! twice with the configured duplicate rate. Writing the records is left to `render`.

use crate::places::CITIES;
use crate::population::Person;
use crate::style::SourceStyle;
use rand::RngExt;
use rand::rngs::Xoshiro256PlusPlus;

/// Log-odds bonus for a person a list knows well.
const FOCUS_BONUS: f64 = 1.0;
/// Log-odds malus for the others, on a list with a focus.
const FOCUS_MALUS: f64 = -0.5;

/// The capture settings of a run, one entry per source.
#[derive(Debug, Clone)]
pub(crate) struct CaptureModel {
    base_logits: Vec<f64>,
    heterogeneity: f64,
    duplicate_rate: f64,
}

impl CaptureModel {
    /// Settings for these sources.
    pub fn new(styles: &[SourceStyle], heterogeneity: f64, duplicate_rate: f64) -> CaptureModel {
        CaptureModel {
            base_logits: styles.iter().map(|s| logit(s.coverage)).collect(),
            heterogeneity,
            duplicate_rate,
        }
    }

    /// How many records each source holds for this person (0 when not on it), written into
    /// `counts` (one entry per source).
    pub fn draw(
        &self,
        person: &Person,
        styles: &[SourceStyle],
        rng: &mut Xoshiro256PlusPlus,
        counts: &mut [u8],
    ) {
        let province = CITIES[usize::from(person.city)].province;
        for (k, style) in styles.iter().enumerate() {
            let copied = style.copies.is_some_and(|rule| {
                let from = rule.from_source as usize - 1;
                from < k && counts[from] > 0 && rng.random_bool(rule.probability)
            });
            let is_on_list = copied || {
                let focus = focus_effect(style, usize::from(person.prison), province);
                let eta = self.base_logits[k] + self.heterogeneity * person.visibility + focus;
                rng.random::<f64>() < sigmoid(eta)
            };
            counts[k] = if !is_on_list {
                0
            } else if style.has_duplicates && rng.random_bool(self.duplicate_rate) {
                2
            } else {
                1
            };
        }
    }
}

fn focus_effect(style: &SourceStyle, prison: usize, province: usize) -> f64 {
    let has_focus = !style.focus_prison_ids.is_empty() || !style.focus_province_ids.is_empty();
    if !has_focus {
        0.0
    } else if style.focus_prison_ids.contains(&prison)
        || style.focus_province_ids.contains(&province)
    {
        FOCUS_BONUS
    } else {
        FOCUS_MALUS
    }
}

fn logit(p: f64) -> f64 {
    let p = p.clamp(1e-6, 1.0 - 1e-6);
    (p / (1.0 - p)).ln()
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logit_and_sigmoid_are_inverse() {
        for p in [0.1, 0.25, 0.5, 0.9] {
            assert!((sigmoid(logit(p)) - p).abs() < 1e-12, "{p}");
        }
    }
}
