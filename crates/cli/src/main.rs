//! The `whereabouts` binary: parses the command line and hands each command to its module
//! under `commands/`. Commands call the library crates; nothing here holds domain logic.

mod commands;
mod registry;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// mimalloc instead of the system allocator: an import allocates and frees millions of small
/// strings across threads, which cost glibc's allocator a third of the time spent encoding.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    /// Link the registry's records into persons (trained on review decisions).
    Link(commands::link::LinkArgs),
    /// Review the pairs linkage could not decide.
    Review(commands::review::ReviewArgs),
    /// Serve the web app (English and Persian) over the registry.
    Serve(commands::serve::ServeArgs),
    /// Manage the web app's accounts: add, passwd, disable, list, token.
    User(commands::user::UserArgs),
    /// Check the audit chain.
    Audit(commands::audit::AuditArgs),
    /// Write a verified backup of the registry to one file.
    Backup(commands::backup::BackupArgs),
    /// Restore a registry from a backup file.
    Restore(commands::backup::RestoreArgs),
    /// Export from the registry as CSV.
    Export(commands::export::ExportArgs),
    /// Write synthetic victim lists with ground truth: source_k.csv per list, truth.csv, meta.json.
    Synth(commands::synth::SynthArgs),
    /// Link CSV lists without a registry: writes source,record_id,cluster_id; --truth scores it.
    LinkFiles(commands::link_files::LinkFilesArgs),
    /// Estimate how many people no list recorded (MSE: log-linear, LCMCR, dga, Chao).
    Estimate(commands::estimate::EstimateArgs),
}

/// Where log lines go: standard error, at the level `WHEREABOUTS_LOG` names (as in
/// `RUST_LOG`; default `info` for whereabouts' own crates and `warn` for the libraries).
fn start_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("WHEREABOUTS_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(DEFAULT_LOG));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .init();
}

/// The log level when `WHEREABOUTS_LOG` is not set.
const DEFAULT_LOG: &str = "warn,sqlx=error,store=info,web=info,whereabouts=info";

fn main() -> ExitCode {
    let cli = Cli::parse();
    start_logging();
    let result: anyhow::Result<()> = match cli.command {
        Command::Init(args) => commands::init::run(args),
        Command::Demo(args) => commands::demo::run(args),
        Command::Import(args) => commands::import::run(args),
        Command::Link(args) => commands::link::run(args),
        Command::Review(args) => commands::review::run(args),
        Command::Serve(args) => commands::serve::run(args),
        Command::User(args) => commands::user::run(args),
        Command::Audit(args) => commands::audit::run(args),
        Command::Backup(args) => commands::backup::backup(args),
        Command::Restore(args) => commands::backup::restore(args),
        Command::Export(args) => commands::export::run(args),
        Command::Synth(args) => commands::synth::run(args),
        Command::LinkFiles(args) => commands::link_files::run(args),
        Command::Estimate(args) => commands::estimate::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {}", error_text(&error));
            ExitCode::FAILURE
        }
    }
}

/// The error and its causes, each said once: some errors (the store's database errors, sqlx's)
/// end their own message with their cause's, which `{:#}` would print again after it. A cause
/// is left out only when the error it causes ends with its words.
fn error_text(error: &anyhow::Error) -> String {
    let mut text = String::new();
    let mut previous = String::new();
    for cause in error.chain() {
        let said = cause.to_string();
        if previous.is_empty() || !previous.ends_with(&said) {
            if !text.is_empty() {
                text.push_str(": ");
            }
            text.push_str(&said);
        }
        previous = said;
    }
    text
}

/// Whether the error is only that the reader of our output went away (`… | head`).
fn is_broken_pipe(error: &anyhow::Error) -> bool {
    let broken = |io: &std::io::Error| io.kind() == std::io::ErrorKind::BrokenPipe;
    error.chain().any(|cause| {
        cause.downcast_ref::<std::io::Error>().is_some_and(broken)
            || cause
                .downcast_ref::<csv::Error>()
                .is_some_and(|e| matches!(e.kind(), csv::ErrorKind::Io(io) if broken(io)))
    })
}

#[cfg(test)]
mod tests {
    use super::error_text;

    /// An error that says its cause in its own message, as the store's database errors do.
    #[derive(Debug)]
    struct SaysItsCause(std::io::Error);

    impl std::fmt::Display for SaysItsCause {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "while reading: {}", self.0)
        }
    }

    impl std::error::Error for SaysItsCause {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn an_error_that_repeats_its_cause_prints_it_once() {
        let error = anyhow::Error::new(SaysItsCause(std::io::Error::other("disk gone")))
            .context("importing list.csv");
        assert_eq!(
            error_text(&error),
            "importing list.csv: while reading: disk gone"
        );
    }

    #[test]
    fn causes_not_repeated_are_all_printed() {
        let error = anyhow::anyhow!("row 4: no name").context("importing list.csv");
        assert_eq!(error_text(&error), "importing list.csv: row 4: no name");
        // Words of the cause found inside, not at the end of, the error it causes.
        let error = anyhow::anyhow!("timed out").context("timed out twice, then the lock failed");
        assert_eq!(
            error_text(&error),
            "timed out twice, then the lock failed: timed out"
        );
    }
}
