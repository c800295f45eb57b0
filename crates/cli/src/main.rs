//! The `whereabouts` binary: parses the command line and hands each command to its module
//! under `commands/`. Commands call the library crates; nothing here holds domain logic.

mod commands;
mod registry;

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
    /// Create an empty registry.
    Init(commands::init::InitArgs),
    /// Build a demo registry from synthetic lists and show what it holds.
    Demo(commands::demo::DemoArgs),
    /// Import a list (CSV or XLSX) as a source: every row checked, all or nothing.
    Import(commands::import::ImportArgs),
    /// Check the audit chain.
    Audit(commands::audit::AuditArgs),
    /// Write a verified backup of the registry to one file.
    Backup(commands::backup::BackupArgs),
    /// Restore a registry from a backup file.
    Restore(commands::backup::RestoreArgs),
    /// Export from the registry as CSV.
    Export(commands::export::ExportArgs),
    /// Write synthetic victim lists with ground truth (source_<k>.csv, truth.csv, meta.json).
    Synth(commands::synth::SynthArgs),
    /// Estimate how many people no list recorded (MSE: log-linear, LCMCR, dga, Chao).
    Estimate(commands::estimate::EstimateArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result: anyhow::Result<()> = match cli.command {
        Command::Init(args) => commands::init::run(args),
        Command::Demo(args) => commands::demo::run(args),
        Command::Import(args) => commands::import::run(args),
        Command::Audit(args) => commands::audit::run(args),
        Command::Backup(args) => commands::backup::backup(args),
        Command::Restore(args) => commands::backup::restore(args),
        Command::Export(args) => commands::export::run(args),
        Command::Synth(args) => commands::synth::run(args),
        Command::Estimate(args) => commands::estimate::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
