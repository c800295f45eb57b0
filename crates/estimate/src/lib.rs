//! Multiple Systems Estimation.
#![deny(missing_docs)]

pub mod chao;
pub mod dga;
pub mod error;
pub mod loglinear;
pub mod table;
