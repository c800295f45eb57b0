//! End-to-end tests of the engine: FEBRL benchmarks, cross-script lists, bad input.
#![allow(clippy::unwrap_used)]

mod bad_input;
mod cross_script;
mod febrl;
mod helpers;
