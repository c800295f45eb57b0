//! Chao's lower bound (Chao 1987) on the population size from the number of people seen on
//! exactly one list (`f1`) and exactly two lists (`f2`): `n + f1² / (2 f2)`, and the
//! bias-corrected form `n + f1 (f1 − 1) / (2 (f2 + 1))` (Chao 1989; Chiu et al. 2014), which also
//! works when `f2 = 0`. Under heterogeneous capture probabilities these are lower bounds, not
//! estimates of the total.
//!
//! Intervals are the usual log-normal ones (Chao 1987): the unseen count `f0` is taken as
//! log-normal, so the interval is `n + f0 / C` to `n + f0 · C` with
//! `C = exp(1.96 · sqrt(log(1 + var / f0²)))`.

use serde::Serialize;

use crate::error::{EstimateError, Result};
use crate::table::CaptureTable;

/// Which form of the bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChaoForm {
    /// `n + f1² / (2 f2)`.
    Classic,
    /// `n + f1 (f1 − 1) / (2 (f2 + 1))`.
    BiasCorrected,
}

/// A Chao lower bound with its 95% log-normal interval.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChaoBound {
    /// Which formula.
    pub form: ChaoForm,
    /// People seen on exactly one list.
    pub f1: u64,
    /// People seen on exactly two lists.
    pub f2: u64,
    /// Estimated unseen count.
    pub missing: f64,
    /// Lower bound on the total.
    pub estimate: f64,
    /// 95% interval for the bound.
    pub interval: (f64, f64),
}

/// Computes the bound in the requested form. The classic form needs `f2 > 0`.
pub fn chao(table: &CaptureTable, form: ChaoForm) -> Result<ChaoBound> {
    let f = table.frequency_of_captures();
    let (f1, f2) = (f[1], f.get(2).copied().unwrap_or(0));
    let n = table.observed() as f64;
    let (x1, x2) = (f1 as f64, f2 as f64);
    let (missing, variance) = match form {
        ChaoForm::Classic => {
            if f2 == 0 {
                return Err(EstimateError::CannotRun {
                    method: "Chao's lower bound",
                    reason: "nobody is on exactly two lists (f2 = 0); use the bias-corrected form"
                        .into(),
                });
            }
            let r = x1 / x2;
            (
                x1 * x1 / (2.0 * x2),
                x2 * (r.powi(4) / 4.0 + r.powi(3) + r.powi(2) / 2.0),
            )
        }
        ChaoForm::BiasCorrected => {
            let y2 = x2 + 1.0;
            (
                x1 * (x1 - 1.0) / (2.0 * y2),
                x1 * (x1 - 1.0) / (2.0 * y2)
                    + x1 * (2.0 * x1 - 1.0).powi(2) / (4.0 * y2 * y2)
                    + x1 * x1 * x2 * (x1 - 1.0).powi(2) / (4.0 * y2.powi(4)),
            )
        }
    };
    let interval = if missing > 0.0 {
        let c = (1.959_963_984_540_054 * (1.0 + variance / (missing * missing)).ln().sqrt()).exp();
        (n + missing / c, n + missing * c)
    } else {
        (n, n)
    };
    Ok(ChaoBound {
        form,
        f1,
        f2,
        missing,
        estimate: n + missing,
        interval,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_doubles_only_the_bias_corrected_form_runs() {
        let t = CaptureTable::parse_csv("a,b,c,count\n1,0,0,5\n0,1,0,4\n1,1,1,2\n").unwrap();
        assert!(chao(&t, ChaoForm::Classic).is_err());
        let bound = chao(&t, ChaoForm::BiasCorrected).unwrap();
        assert_eq!(bound.missing, 9.0 * 8.0 / 2.0);
        assert!(bound.interval.0 < bound.estimate && bound.estimate < bound.interval.1);
    }
}
