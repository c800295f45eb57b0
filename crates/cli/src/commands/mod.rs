//! One module per command; each exposes its clap `Args` and a `run` function.
pub mod audit;
pub mod backup;
pub mod demo;
pub mod estimate;
pub mod export;
pub mod import;
pub mod init;
pub mod link;
pub mod link_files;
pub mod review;
pub mod serve;
pub mod synth;
pub mod user;
