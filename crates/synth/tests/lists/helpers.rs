//! Shared set-up: generate lists into a temporary folder and read them back.

use std::collections::HashMap;
use std::path::Path;
use synth::{SynthConfig, SynthSummary, write_lists};
use tempfile::TempDir;

/// Lists generated into their own temporary folder.
pub struct Generated {
    pub dir: TempDir,
    pub summary: SynthSummary,
}

impl Generated {
    pub fn path(&self, file: &str) -> std::path::PathBuf {
        self.dir.path().join(file)
    }

    /// The rows of `source_<k>.csv`, each a map from column name to text.
    pub fn source(&self, k: u32) -> Vec<HashMap<String, String>> {
        read_rows(&self.path(&format!("source_{k}.csv")))
    }

    /// `(source, record_id) -> person_id` from `truth.csv`.
    pub fn truth(&self) -> HashMap<(String, String), String> {
        read_rows(&self.path("truth.csv"))
            .into_iter()
            .map(|row| {
                (
                    (row["source"].clone(), row["record_id"].clone()),
                    row["person_id"].clone(),
                )
            })
            .collect()
    }
}

pub fn generate(config: SynthConfig) -> Generated {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let summary = write_lists(&config, dir.path()).expect("lists are written");
    Generated { dir, summary }
}

pub fn config(persons: u64, sources: u32, seed: u64) -> SynthConfig {
    SynthConfig {
        persons,
        sources,
        seed,
        ..SynthConfig::default()
    }
}

pub fn header(path: &Path) -> Vec<String> {
    let mut reader = csv::Reader::from_path(path).expect("a readable CSV");
    reader
        .headers()
        .expect("a header")
        .iter()
        .map(str::to_string)
        .collect()
}

pub fn read_rows(path: &Path) -> Vec<HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).expect("a readable CSV");
    let header: Vec<String> = reader
        .headers()
        .expect("a header")
        .iter()
        .map(str::to_string)
        .collect();
    reader
        .records()
        .map(|record| {
            let record = record.expect("a well-formed row");
            assert_eq!(
                record.len(),
                header.len(),
                "ragged row in {}",
                path.display()
            );
            header
                .iter()
                .cloned()
                .zip(record.iter().map(str::to_string))
                .collect()
        })
        .collect()
}
