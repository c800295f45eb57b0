//! Every figure published in `shared/data/mse/README.md`, reproduced to the printed digits.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap should fail loudly

use estimate::loglinear::{self, Criterion, LoglinearOptions};
use estimate::table::CaptureTable;

fn table(name: &str) -> CaptureTable {
    let path = format!(
        "{}/../../../shared/data/mse/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    CaptureTable::parse_csv(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn kosovo_best_bic_model_up_to_three_way_is_10356_5() {
    let t = table("kosovo.csv");
    let result = loglinear::fit_all(&t, &LoglinearOptions::default()).unwrap();
    let best = result.best();
    eprintln!("{best:?}\n{:?}", &result.fits[1]);
    assert_eq!(result.criterion, Criterion::Bic);
    assert_eq!(format!("{:.1}", best.estimate), "10356.5");
    assert_eq!(
        best.model,
        "EXH:ABA + EXH:OSCE + EXH:HRW + ABA:OSCE + OSCE:HRW + EXH:ABA:OSCE"
    );
    assert_eq!(format!("{:.3}", best.deviance), "9.323");
    assert_eq!(best.df, 4);
}

#[test]
fn kosovo_best_pairwise_model_is_14341_7_and_independence_7394_6() {
    let t = table("kosovo.csv");
    let options = LoglinearOptions {
        max_order: Some(2),
        ..LoglinearOptions::default()
    };
    let result = loglinear::fit_all(&t, &options).unwrap();
    assert_eq!(format!("{:.1}", result.best().estimate), "14341.7");
    let independence = loglinear::fit_model(&t, &[]).unwrap();
    assert_eq!(format!("{:.1}", independence.estimate), "7394.6");
    assert_eq!(format!("{:.2}", independence.deviance), "245.94");
    assert_eq!(independence.df, 10);
}

#[test]
fn kosovo_chao_lower_bound_is_10270_5() {
    let t = table("kosovo.csv");
    assert_eq!(t.frequency_of_captures()[1..], [3218, 882, 273, 27]);
    let bound = estimate::chao::chao(&t, estimate::chao::ChaoForm::Classic).unwrap();
    assert_eq!(format!("{:.1}", bound.estimate), "10270.5");
}

#[test]
fn madigan_york_three_lists_match_dga() {
    use estimate::dga::{DgaOptions, NPrior};
    let t = table("MY1997_3list.csv");
    let options = DgaOptions {
        delta: Some(1.0),
        prior: NPrior::NegativeBinomial { a: 13.14, b: 55.17 },
        missing: Some((1, 300)),
    };
    let result = estimate::dga::dga(&t, &options).unwrap();
    let top = &result.models[0];
    eprintln!("{:#?}", &result.models[..3]);
    eprintln!(
        "{} {} {:?} {:?}",
        result.bayes_estimate, result.mode, result.interval, result.median
    );
    assert_eq!(format!("{:.4}", top.probability), "0.3738");
    assert_eq!(top.bayes_estimate.round(), 731.0);
    assert_eq!(top.mode, 729.0);
    assert_eq!(result.bayes_estimate.round(), 731.0);
    assert_eq!(result.mode, 728.0);
}

#[test]
fn madigan_york_five_lists_match_dga() {
    use estimate::dga::{DgaOptions, NPrior};
    let t = table("MY1997_5list.csv");
    let options = DgaOptions {
        delta: Some(0.5),
        prior: NPrior::InverseN,
        missing: Some((1, 300)),
    };
    let result = estimate::dga::dga(&t, &options).unwrap();
    eprintln!("{:#?}", &result.models[..5]);
    eprintln!(
        "{} {} {:?} {:?}",
        result.bayes_estimate, result.mode, result.interval, result.median
    );
    let published = [0.21707345, 0.16029369, 0.08226562, 0.06535887, 0.05193514];
    for (model, expected) in result.models.iter().zip(published) {
        // Published to 8 decimals; we match all of them.
        assert!(
            (model.probability - expected).abs() < 5e-9,
            "{}: {}",
            model.model,
            model.probability
        );
    }
    assert_eq!(result.bayes_estimate.round(), 617.0);
    assert_eq!(result.mode, 614.0);
}

/// The LCMCR chain on Kosovo is sticky (about 170 effective draws per 1,000 kept), so one
/// default run's interval ends move by several percent from seed to seed. The test pools
/// sixteen seeded chains with the published settings and holds them to the README's tolerance.
/// Over 16 groups of sixteen seeds the lower end lay 3.0% below to 0.7% above 9,060, the upper
/// end 3.6% to 0.3% below 14,080 and the median within 0.7% of 10,430: no group failed. Before
/// the sampler started as the reference implementation does (`Sampler::new`), chains carried
/// their start through the burn-in, the lower end sat about 5% low and four chains were a coin
/// flip against the tolerance (25 of 48 groups of four seeds failed it).
#[test]
fn kosovo_lcmcr_with_the_published_settings_lands_within_monte_carlo_tolerance() {
    use estimate::lcmcr::{LcmcrOptions, lcmcr};
    let t = table("kosovo.csv");
    let started = std::time::Instant::now();
    let options = LcmcrOptions {
        chains: 16,
        ..LcmcrOptions::default()
    };
    let result = lcmcr(&t, &options).unwrap();
    eprintln!(
        "median {} mean {} interval {:?} ess {} geweke {} in {:?}",
        result.median,
        result.mean,
        result.interval,
        result.effective_sample_size,
        result.geweke_z,
        started.elapsed()
    );
    let within =
        |ours: f64, published: f64, tolerance: f64| (ours / published - 1.0).abs() <= tolerance;
    assert!(
        within(result.median, 10_430.0, 0.02),
        "median {}",
        result.median
    );
    assert!(
        within(result.interval.0, 9_060.0, 0.05),
        "lower {}",
        result.interval.0
    );
    assert!(
        within(result.interval.1, 14_080.0, 0.05),
        "upper {}",
        result.interval.1
    );
    // Sixteen chains of about 170 effective draws each, and none stuck in one state.
    assert!(
        result.effective_sample_size >= 1_000.0 && result.least_chain_effective_sample_size > 0.0,
        "effective sample size {}, least of one chain {}",
        result.effective_sample_size,
        result.least_chain_effective_sample_size
    );
}
