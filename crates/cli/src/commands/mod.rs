//! One module per command; each exposes its clap `Args` and a `run` function.
pub mod synth;
