//! Every figure published in `shared/data/mse/README.md`, reproduced to the printed digits.

use estimate::loglinear::{self, Criterion, LoglinearOptions};
use estimate::table::CaptureTable;

fn table(name: &str) -> CaptureTable {
    let path = format!("{}/../../../shared/data/mse/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    CaptureTable::parse_csv(&text).unwrap()
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
    let options = LoglinearOptions { max_order: Some(2), ..LoglinearOptions::default() };
    let result = loglinear::fit_all(&t, &options).unwrap();
    assert_eq!(format!("{:.1}", result.best().estimate), "14341.7");
    let independence = loglinear::fit_model(&t, &[]).unwrap();
    assert_eq!(format!("{:.1}", independence.estimate), "7394.6");
    assert_eq!(format!("{:.2}", independence.deviance), "245.94");
    assert_eq!(independence.df, 10);
}
