//! Multiple Systems Estimation (MSE) for documenting enforced disappearances: from how victim
//! lists overlap, estimate how many people no list recorded.
//!
//! A pure library: no files, no database. Input is a [`table::CaptureTable`] — people counted by
//! which lists recorded them — read from a CSV or counted from per-person capture histories
//! (optionally by stratum: [`table::StratifiedTables`], which is how the registry feeds it).
//! Four methods run on it:
//!
//! - [`loglinear`]: Poisson log-linear models, every hierarchical model ranked by BIC, with a
//!   profile-likelihood interval;
//! - [`lcmcr`]: the Bayesian latent-class model of Manrique-Vallier (2016), a seeded Gibbs sampler;
//! - [`dga`]: Madigan & York's (1997) averaging over decomposable graphical models;
//! - [`chao`]: Chao's lower bound.
//!
//! [`report::estimate`] runs them together, adds the warnings a statistician would give and words
//! a summary; [`plot::svg`] draws it. Every figure in the project's published test tables is
//! reproduced by `tests/published.rs`.
//!
//! ```
//! use estimate::report::{EstimateOptions, Method, estimate};
//! use estimate::table::CaptureTable;
//!
//! let table = CaptureTable::parse_csv(
//!     "b,c,d,count\n1,1,1,12\n1,1,0,54\n1,0,1,6\n1,0,0,5\n0,1,1,0\n0,1,0,5\n0,0,1,41\n",
//! )?;
//! let options = EstimateOptions {
//!     methods: vec![Method::Loglinear, Method::Chao],
//!     ..EstimateOptions::default()
//! };
//! let report = estimate(&table, &options)?;
//! let loglinear = &report.estimates[0];
//! assert_eq!(format!("{:.4}", loglinear.point), "157.1667");
//! assert!(loglinear.lower < loglinear.point && loglinear.point < loglinear.upper);
//! println!("{}", report.summary());
//! # Ok::<(), estimate::error::EstimateError>(())
//! ```
#![deny(missing_docs)]

pub mod chao;
pub mod dga;
pub mod error;
pub mod lcmcr;
pub mod loglinear;
pub mod plot;
pub mod report;
pub mod table;

pub use error::{EstimateError, Result};
pub use report::{Estimate, EstimateOptions, Method, Report, Warning, estimate, estimate_strata};
pub use table::{CaptureTable, StratifiedTables};
