//! Multiple Systems Estimation.
#![deny(missing_docs)]

pub mod error;
pub mod loglinear;
pub mod table;
