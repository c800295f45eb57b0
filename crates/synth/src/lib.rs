//! Synthetic victim lists with ground truth, for the demo, tests and benchmarks of linkage
//! and population estimation.
//!
//! A run invents a population of victims of the 1988 prison massacre (Persian names in both
//! scripts, father's names, birth years around 1330–1350 SH, cities, prisons, affiliations,
//! arrests in 1360–1367 and executions in Mordad–Shahrivar 1367), decides which of `K`
//! sources recorded each person (heterogeneous and partly dependent capture), and writes
//! each source in its own style with noise. Every person is invented: names are drawn at
//! random from tables of common names, so no row describes a real person.
//!
//! Modules: `names` and `places` hold the tables, `days` the calendar table (converted with
//! `text::calendar`), `population` draws persons, `style` describes sources, `capture`
//! decides who is on which list, `render` writes a row, `output` writes the files. The
//! linkage and estimation engines that consume the files live in their own crates.
//!
//! ```
//! use synth::{SynthConfig, write_lists};
//!
//! let out = tempfile::tempdir()?;
//! let config = SynthConfig { persons: 500, sources: 3, ..SynthConfig::default() };
//! let summary = write_lists(&config, out.path())?;
//! assert_eq!(summary.true_persons, 500);
//! assert_eq!(summary.pattern_counts.values().sum::<u64>(), summary.observed_persons);
//! assert!(out.path().join("source_3.csv").exists());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

mod capture;
mod days;
mod names;
mod output;
mod places;
mod population;
mod render;
pub mod style;

use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use style::SourceStyle;

/// The default noise level: realistic but linkable (see [`SynthConfig::noise`]).
pub const DEFAULT_NOISE: f64 = 0.5;
/// The default share of persons a list with duplicates holds twice.
pub const DEFAULT_DUPLICATE_RATE: f64 = 0.03;
/// The default spread of persons' visibility on the log-odds scale.
pub const DEFAULT_HETEROGENEITY: f64 = 1.0;
/// The most sources one run can write (capture patterns are kept as 64-bit masks).
pub const MAX_SOURCES: u32 = 64;
/// The largest true population one run generates: ten million persons write about 3 GB of
/// lists at the default settings (100,000 wrote 29 MB), far past any test's needs; a count
/// typed with a few digits too many had filled the disk.
pub const MAX_PERSONS: u64 = 10_000_000;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SynthConfig {
    /// N: persons in the true population, including those no list will record.
    pub persons: u64,
    /// K: number of source lists, 1 to [`MAX_SOURCES`].
    pub sources: u32,
    /// Seed; the same seed and settings give byte-identical files.
    pub seed: u64,
    /// Noise level from 0 (clean: no typos, nothing missing, full dates) to 1 (heavy).
    /// Every error rate of `render::Rates` is multiplied by it (and by the source's
    /// carelessness). The default [`DEFAULT_NOISE`] gives, for a source of average care,
    /// a typo in about 5% of names, 7.5% of rows with a missing father's name, given name
    /// and surname swapped in 4% of rows, a quarter of execution dates given only as a
    /// month or season, and birth years off by one in about 7.5% of rows.
    pub noise: f64,
    /// Share of persons that a list with duplicates holds twice (0 to 0.5).
    pub duplicate_rate: f64,
    /// Standard deviation of persons' latent visibility on the log-odds scale of capture
    /// (0 = everyone equally likely to be recorded).
    pub heterogeneity: f64,
}

impl Default for SynthConfig {
    fn default() -> SynthConfig {
        SynthConfig {
            persons: 10_000,
            sources: 5,
            seed: 1,
            noise: DEFAULT_NOISE,
            duplicate_rate: DEFAULT_DUPLICATE_RATE,
            heterogeneity: DEFAULT_HETEROGENEITY,
        }
    }
}

/// What a run wrote.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SynthSummary {
    /// N: every person generated, including those on no list.
    pub true_persons: u64,
    /// Persons on at least one list.
    pub observed_persons: u64,
    /// Rows of each `source_<k>.csv`, k = 1..K.
    pub records_per_source: Vec<u64>,
    /// Rows of each source that repeat a person already on it.
    pub duplicates_per_source: Vec<u64>,
    /// Distinct persons on each source.
    pub persons_per_source: Vec<u64>,
    /// Capture pattern → persons, over persons on at least one list; character `k` of the
    /// pattern (from 0) is `1` when `source_<k+1>` recorded the person: `"101"` means
    /// sources 1 and 3 but not 2.
    pub pattern_counts: BTreeMap<String, u64>,
    /// How each source writes.
    pub styles: Vec<SourceStyle>,
}

/// Why a run failed.
#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    /// A setting is out of range.
    #[error("{setting} must be {expected}; got {got}")]
    InvalidConfig {
        /// The setting.
        setting: &'static str,
        /// What it must be.
        expected: &'static str,
        /// What it was.
        got: String,
    },
    /// The output folder could not be created.
    #[error("could not create the output folder {path}: {source}")]
    CreateDir {
        /// The folder.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A file could not be written.
    #[error("could not write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// `meta.json` could not be serialised.
    #[error("could not serialise meta.json: {0}")]
    Meta(#[source] serde_json::Error),
    /// The calendar refused a day the generator needs (a bug in the calendar table).
    #[error("the calendar could not convert the Solar Hijri day {year}/{month}/{day}")]
    Calendar {
        /// Year.
        year: i32,
        /// Month.
        month: u8,
        /// Day.
        day: u8,
    },
}

impl SynthConfig {
    /// Checks every setting's range.
    pub fn validate(&self) -> Result<(), SynthError> {
        let invalid = |setting, expected, got: String| {
            Err(SynthError::InvalidConfig {
                setting,
                expected,
                got,
            })
        };
        if !(1..=MAX_PERSONS).contains(&self.persons) {
            let expected = "between 1 and 10,000,000";
            return invalid("persons", expected, self.persons.to_string());
        }
        if !(1..=MAX_SOURCES).contains(&self.sources) {
            return invalid("sources", "between 1 and 64", self.sources.to_string());
        }
        if !(0.0..=1.0).contains(&self.noise) {
            return invalid(
                "noise",
                "between 0 and 1 (default 0.5)",
                self.noise.to_string(),
            );
        }
        if !(0.0..=0.5).contains(&self.duplicate_rate) {
            let got = self.duplicate_rate.to_string();
            return invalid("duplicate rate", "between 0 and 0.5", got);
        }
        if !(0.0..=5.0).contains(&self.heterogeneity) {
            let got = self.heterogeneity.to_string();
            return invalid("heterogeneity", "between 0 and 5", got);
        }
        Ok(())
    }

    /// The style of each source, `source_1` first.
    pub fn styles(&self) -> Vec<SourceStyle> {
        (1..=self.sources)
            .map(|k| SourceStyle::for_source(k, self.seed))
            .collect()
    }
}

/// Generates the population and writes `source_<k>.csv` (k = 1..K), `truth.csv` and
/// `meta.json` into `out_dir` (created if missing; existing files are overwritten).
///
/// Files: each list has the canonical columns (`domain::fields::CanonicalField::ALL`
/// order) with `record_id`s `s<k>-000001`, `s<k>-000002`, …; `truth.csv` has
/// `source,record_id,person_id` with `source` the file stem (`source_3`) and person ids
/// `p0000001`…; `meta.json` holds N (all persons generated, including the unobserved), the
/// capture-pattern counts, the seed, the settings and each source's style.
pub fn write_lists(config: &SynthConfig, out_dir: &Path) -> Result<SynthSummary, SynthError> {
    config.validate()?;
    let styles = config.styles();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(style::splitmix(config.seed ^ 0xc0ff_ee00));
    let world = population::World::build(names::Names::build(), days::Days::build()?, &mut rng);
    output::write_all(config, &world, &styles, out_dir)
}
