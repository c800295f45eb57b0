//! LCMCR on populations drawn from its own kind of model: people fall into latent classes with
//! different chances of being listed, and lists are independent within a class. This separates
//! a wrong sampler from data that break the model's assumptions (see `docs/estimation.md`,
//! "Calibration under the model"), and it guards the sampler's speed-ups, none of which may
//! move the posterior.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap should fail loudly

use estimate::lcmcr::{LcmcrOptions, lcmcr};
use estimate::table::CaptureTable;
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};

/// A latent class: its share of the population and each of five lists' chance to record a
/// member.
type Class = (f64, [f64; 5]);

/// Populations drawn with seeds 1 to this.
const RUNS: u64 = 20;

/// One population's capture-pattern table.
fn draw_table(population: usize, classes: &[Class], seed: u64) -> CaptureTable {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut counts = vec![0_u64; 1 << 5];
    for _ in 0..population {
        let mut u: f64 = rng.random();
        let (_, listed) = classes
            .iter()
            .find(|(share, _)| {
                u -= share;
                u < 0.0
            })
            .unwrap_or(&classes[classes.len() - 1]);
        let mask = (0..5).fold(0, |mask, list| {
            if rng.random::<f64>() < listed[list] {
                mask | 1 << list
            } else {
                mask
            }
        });
        counts[mask] += 1;
    }
    let lists = ["A", "B", "C", "D", "E"].map(String::from).to_vec();
    CaptureTable::from_counts(lists, counts).unwrap()
}

/// How many of the runs' 95% intervals contain the population; the median over runs of the share
/// of the unseen people each posterior median finds, `(median − n) / (N − n)` (1 is right; a
/// share of N would hide a bias behind the people the lists did see); and one line per run for
/// the failure message.
fn coverage(population: usize, classes: &[Class]) -> (u64, f64, String) {
    let truth = population as f64;
    let mut covered = 0;
    let mut unseen_found = Vec::new();
    let mut report = String::new();
    for seed in 1..=RUNS {
        let table = draw_table(population, classes, seed);
        let options = LcmcrOptions {
            seed,
            ..LcmcrOptions::default()
        };
        let result = lcmcr(&table, &options).unwrap();
        let (lower, upper) = result.interval;
        let hit = lower <= truth && truth <= upper;
        covered += u64::from(hit);
        let observed = table.observed() as f64;
        unseen_found.push((result.median - observed) / (truth - observed));
        report += &format!(
            "seed {seed}: observed {}, median {:.0}, interval {lower:.0}–{upper:.0}{}\n",
            table.observed(),
            result.median,
            if hit { "" } else { "  missed" }
        );
    }
    unseen_found.sort_by(f64::total_cmp);
    let typical = (unseen_found[9] + unseen_found[10]) / 2.0;
    eprintln!(
        "{report}{covered} of {RUNS} cover N = {population}; typical share of the unseen found {typical:.3}"
    );
    (covered, typical, report)
}

#[test]
fn lcmcr_covers_the_total_when_everyone_has_the_same_chances() {
    let (covered, typical, report) = coverage(2_000, &[(1.0, [0.5, 0.4, 0.6, 0.45, 0.5])]);
    // Seen: 20 of 20, typical share 1.03 of the about 65 unseen. A calibrated 95% interval
    // covers 16 or fewer of 20 with probability 1.6%.
    assert!(covered >= 17, "{report}");
    assert!((0.75..=1.3).contains(&typical), "{report}");
}

#[test]
fn lcmcr_covers_the_total_of_two_classes_one_of_them_hard_to_see() {
    let classes = [
        (0.6, [0.5, 0.4, 0.6, 0.45, 0.5]),
        (0.4, [0.2, 0.15, 0.25, 0.2, 0.15]),
    ];
    let (covered, typical, report) = coverage(10_000, &classes);
    // Seen: 17 of 20, typical share 0.90 of the about 1,580 unseen (runs from 0.75 to 1.24;
    // the median of 20 moves by about 0.04 with the random stream): the posterior runs a little
    // low when a large class is seen rarely (at 2,000 people, 15 of 20 and 0.963 N). If the
    // intervals cover 85% of runs, 13 or fewer of 20 happens with probability 2.2%; a sampler
    // that drifted by 5% of N (a third of the unseen) fails the second check.
    assert!(covered >= 14, "{report}");
    assert!((0.75..=1.05).contains(&typical), "{report}");
}
