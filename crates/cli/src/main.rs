//! The `whereabouts` binary: parses the command line and hands each command to its module
//! under `commands/`. Commands call the library crates; nothing here holds domain logic.

mod commands;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Documenting enforced disappearances and mass executions: merge victim lists across
/// scripts and calendars, keep every claim with its source, estimate the undocumented.
#[derive(Debug, Parser)]
#[command(name = "whereabouts", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Write synthetic victim lists with ground truth (source_<k>.csv, truth.csv, meta.json).
    Synth(commands::synth::SynthArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result: anyhow::Result<()> = match cli.command {
        Command::Synth(args) => commands::synth::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
