//! End-to-end tests of the engine: FEBRL benchmarks, cross-script lists, bad input.

mod bad_input;
mod cross_script;
mod febrl;
mod helpers;
