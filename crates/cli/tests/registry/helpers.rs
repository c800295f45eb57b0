//! Running the real `whereabouts` binary against a fresh registry per test.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct TestRegistry {
    pub dir: tempfile::TempDir,
}

pub struct Run {
    pub success: bool,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(output: Output) -> Run {
        Run {
            success: output.status.success(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

pub fn binary() -> Command {
    Command::new(env!("CARGO_BIN_EXE_whereabouts"))
}

/// Runs a command with `--data` pointing at `data`.
pub fn run_on(data: &Path, args: &[&str]) -> Run {
    binary()
        .args(args)
        .arg("--data")
        .arg(data)
        .output()
        .unwrap()
        .into()
}

impl TestRegistry {
    /// A new, empty registry made with `whereabouts init`.
    pub fn new() -> TestRegistry {
        let registry = TestRegistry {
            dir: tempfile::tempdir().unwrap(),
        };
        let run = registry.run(&["init"]);
        assert!(run.success, "init failed: {}", run.stderr);
        registry
    }

    pub fn data(&self) -> PathBuf {
        self.dir.path().join("registry")
    }

    /// Runs a command with `--data` pointing at this registry.
    pub fn run(&self, args: &[&str]) -> Run {
        run_on(&self.data(), args)
    }

    /// Writes a file into the test folder and returns its path.
    pub fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    /// Imports a file as `source`, with extra arguments.
    pub fn import(&self, path: &Path, source: &str, extra: &[&str]) -> Run {
        let mut args = vec!["import", path.to_str().unwrap(), "--source", source];
        args.extend_from_slice(extra);
        self.run(&args)
    }

    /// Every record as exported, one CSV line each (without the header).
    pub fn exported(&self) -> Vec<String> {
        let run = self.run(&["export", "records"]);
        assert!(run.success, "export failed: {}", run.stderr);
        run.stdout.lines().skip(1).map(str::to_string).collect()
    }

    /// The summary line of `audit verify`, asserting it succeeded.
    pub fn verified_audit(&self) -> String {
        let run = self.run(&["audit", "verify"]);
        assert!(run.success, "audit verify failed: {}", run.stderr);
        run.stdout
    }

    /// Runs SQL on the database behind the tool's back, as someone with a database editor would.
    pub fn tamper(&self, statements: &[&'static str]) {
        let url = format!("sqlite://{}", self.data().join("registry.sqlite").display());
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            use sqlx::Connection;
            let mut connection = sqlx::SqliteConnection::connect(&url).await.unwrap();
            for statement in statements {
                sqlx::query(*statement)
                    .execute(&mut connection)
                    .await
                    .unwrap();
            }
            connection.close().await.unwrap();
        });
    }
}
