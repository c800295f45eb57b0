//! The record-linkage engine: finds the records of several victim lists (and duplicates within a
//! list) that describe one person, across Persian and Latin scripts and two calendars.
//!
//! It is a pure library on in-memory columns: no files, no database. The registry (`store`, via
//! `whereabouts link`) and the stateless `whereabouts link-files` command both drive it the same way:
//!
//! 1. **Records in.** Fill a [`Records`] set: one [`SourceSpec`] per list (name, whether it is
//!    [`Duplicates::Free`], its calendar), then one row per record with its id and one text cell per
//!    canonical field ([`domain::fields::CanonicalField`]). Records are numbered 0.. in the order they
//!    are pushed ([`RecordIndex`]); the caller keeps the map to its own ids.
//! 2. **Prepare and block.** [`Linker::new`] computes every record's features once (normalised
//!    names, cross-script skeletons, birth-year intervals, date intervals — via the `text` crate)
//!    and the blocks of every [`BlockingRule`]; [`Linker::blocking_report`] says what was capped.
//! 3. **Train.** [`Linker::train`] takes the stored review decisions as [`PairLabel`]s
//!    (same / different / unsure; unsure is ignored) and returns a [`Model`]: u from random pairs,
//!    m by EM with the labels held to their class.
//! 4. **Link.** [`Linker::link`] scores every candidate pair once, clusters, and returns a
//!    [`Linkage`]: a cluster number per record (record-id groups for the registry's persons), the
//!    pairs in the [`ReviewBand`] for the review queue, and a report. The same labels are
//!    constraints: "same" pairs are joined, "different" pairs never end in one cluster.
//! 5. **Explain.** [`Linker::explain`] gives any pair's weight field by field ([`Explanation`]),
//!    for the review page.
//! 6. **Evaluate.** With ground truth, [`evaluate::pairwise_scores`],
//!    [`Linker::blocking_recall`] and [`Linker::missed_pairs`] (the true pairs left apart, why).
//!
//! ```
//! use domain::fields::CanonicalField::{BirthYear, GivenName, Surname};
//! use linkage::{LinkOptions, Linker, Records, SourceSpec};
//!
//! let mut builder = Records::builder(&[GivenName, Surname, BirthYear]);
//! let a = builder.add_source(SourceSpec::new("list_a"))?;
//! let b = builder.add_source(SourceSpec::new("list_b"))?;
//! builder.push(a, "1", &["Mohammad", "Rezaei", "1960"])?;
//! builder.push(b, "7", &["Mohammed", "Rezaee", "1960"])?;
//! // Other people on the lists, so that random pairs tell the model what chance agreement is.
//! let (given, surnames) = (["Ali", "Zahra", "Hossein", "Maryam", "Kazem"], ["Karimi", "Ahmadi", "Tehrani", "Sadeghi"]);
//! for (i, (g, s)) in given.iter().flat_map(|g| surnames.iter().map(move |s| (g, s))).enumerate() {
//!     let year = (1940 + i).to_string();
//!     builder.push(if i % 2 == 0 { a } else { b }, &format!("x{i}"), &[g, s, &year])?;
//! }
//! let linker = Linker::new(&builder.build()?, LinkOptions::default())?;
//! let model = linker.train(&[])?;
//! let linkage = linker.link(&model, &[])?;
//! assert_eq!(linkage.clusters.len(), 22);
//! // The two spellings of one man weigh more than a pair of strangers, field by field.
//! assert!(linker.score(&model, 0, 1)? > linker.score(&model, 0, 2)?);
//! println!("{}", linker.explain(&model, 0, 1)?);
//! # Ok::<(), linkage::LinkageError>(())
//! ```
#![deny(missing_docs)]

pub mod blocking;
pub mod cluster;
pub mod compare;
pub mod evaluate;
mod features;
mod full_names;
pub mod model;
pub mod records;
pub mod train;

pub use blocking::{BlockingReport, BlockingRule, KeyPart};
pub use cluster::{ClusterReport, ScoredPair};
pub use evaluate::{BlockingRecall, PairwiseScores};
pub use model::{Explanation, Model};
pub use records::{Duplicates, RecordIndex, Records, SourceIndex, SourceSpec};
pub use train::TrainOptions;

use blocking::Blocking;
use compare::{Comparison, comparisons_for};
use domain::fields::CanonicalField;
use features::Features;
use rayon::prelude::*;

/// Everything that can go wrong in linkage, with what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum LinkageError {
    /// No records were given.
    #[error("there are no records to link; give at least one list with rows")]
    NoRecords,
    /// No name column, or every name cell empty.
    #[error(
        "no usable name column: the records have {fields:?}, but linkage needs given_name, surname \
         or full_name with values (map a column onto one with --map given_name=COLUMN)"
    )]
    NoNameColumn {
        /// The fields the records have.
        fields: Vec<&'static str>,
    },
    /// Two sources with one name.
    #[error("source `{name}` is given twice; each list needs its own name")]
    DuplicateSource {
        /// The name.
        name: String,
    },
    /// More sources than the engine indexes.
    #[error("more than {limit} sources; link them in groups")]
    TooManySources {
        /// The limit.
        limit: usize,
    },
    /// More than 2^32 records.
    #[error("more than 4,294,967,295 records; link them in parts")]
    TooManyRecords,
    /// A record names a source that was not added.
    #[error("source number {index} was not added before its records")]
    UnknownSource {
        /// The index given.
        index: u16,
    },
    /// A row with the wrong number of cells.
    #[error("record `{record}` has {found} cells but {expected} fields were declared")]
    WrongCellCount {
        /// The record's id.
        record: String,
        /// Fields declared.
        expected: usize,
        /// Cells given.
        found: usize,
    },
    /// Too many duplicate-free sources.
    #[error("{count} sources are declared free of duplicates; at most 64 can be")]
    TooManyDuplicateFreeSources {
        /// How many were declared.
        count: usize,
    },
    /// A pair of a record with itself.
    #[error("record {record} is paired with itself; a pair needs two different records")]
    SelfPair {
        /// The record.
        record: RecordIndex,
    },
    /// A record number out of range.
    #[error("record number {index} does not exist (there are {len} records)")]
    UnknownRecord {
        /// The number given.
        index: RecordIndex,
        /// How many records there are.
        len: usize,
    },
    /// A truth assignment of the wrong length.
    #[error("truth covers {found} records but there are {expected}")]
    TruthLength {
        /// Records.
        expected: usize,
        /// Truth entries.
        found: usize,
    },
    /// A clustering of the wrong length.
    #[error("the clusters cover {found} records but there are {expected}")]
    ClustersLength {
        /// Records.
        expected: usize,
        /// Cluster entries.
        found: usize,
    },
    /// A threshold outside (0, 1) or out of order.
    #[error("{name} must be a probability between 0 and 1 (exclusive); got {value}")]
    BadThreshold {
        /// Which threshold.
        name: &'static str,
        /// The value given.
        value: f64,
    },
}

/// A reviewer's decision on a pair of records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Decision {
    /// The two records are one person.
    Same,
    /// The two records are different persons.
    Different,
    /// The reviewer could not tell; ignored in training and clustering.
    Unsure,
}

/// A labelled pair: a stored review decision, or truth in an evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PairLabel {
    /// One record.
    pub a: RecordIndex,
    /// The other record.
    pub b: RecordIndex,
    /// The decision.
    pub decision: Decision,
}

/// Which pairs go to the review queue: match probability in `[lower, upper)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReviewBand {
    /// The lowest probability reviewed.
    pub lower: f64,
    /// Pairs at or above this probability are not queued.
    pub upper: f64,
}

/// Whether clusters held together by one weak link are split.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum WeakLinks {
    /// Keep every connected component whole.
    Keep,
    /// Cut a bridge whose match probability is below `below` when both sides keep two records.
    Split {
        /// The probability under which a bridge is weak.
        below: f64,
    },
}

/// Settings of a linkage run.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkOptions {
    /// Blocking rules, in order (a pair is scored under the first that holds it).
    pub rules: Vec<BlockingRule>,
    /// Blocks with more records than this are skipped and reported.
    pub max_block_size: usize,
    /// Training settings.
    pub train: TrainOptions,
    /// Pairs at or above this match probability are linked.
    pub match_threshold: f64,
    /// Pairs in this band are returned for review.
    pub review: ReviewBand,
    /// Whether weak bridges are cut.
    pub weak_links: WeakLinks,
}

impl Default for LinkOptions {
    fn default() -> LinkOptions {
        LinkOptions {
            rules: blocking::default_rules(),
            max_block_size: 1000,
            train: TrainOptions::default(),
            match_threshold: 0.9,
            review: ReviewBand {
                lower: 0.5,
                upper: 0.98,
            },
            weak_links: WeakLinks::Split { below: 0.99 },
        }
    }
}

impl LinkOptions {
    fn check(&self) -> Result<(), LinkageError> {
        let probabilities = [
            ("match threshold", self.match_threshold),
            ("review lower bound", self.review.lower),
            ("review upper bound", self.review.upper),
        ];
        for (name, value) in probabilities {
            if !(value > 0.0 && value < 1.0) {
                return Err(LinkageError::BadThreshold { name, value });
            }
        }
        if self.review.lower > self.review.upper {
            return Err(LinkageError::BadThreshold {
                name: "review lower bound (above the upper bound)",
                value: self.review.lower,
            });
        }
        if let WeakLinks::Split { below } = self.weak_links
            && !(below > 0.0 && below <= 1.0)
        {
            return Err(LinkageError::BadThreshold {
                name: "weak-link bound",
                value: below,
            });
        }
        Ok(())
    }
}

/// The result of a linkage run.
#[derive(Debug, Clone)]
pub struct Linkage {
    /// The cluster (person) number of each record, numbered from 0 in record order.
    pub clusters: Vec<u32>,
    /// Pairs in the review band, most probable first.
    pub review: Vec<ScoredPair>,
    /// What happened.
    pub report: LinkReport,
}

/// Counts of a linkage run.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkReport {
    /// Candidate pairs scored (each once).
    pub scored_pairs: u64,
    /// Pairs at or above the match threshold.
    pub links: usize,
    /// Clusters formed.
    pub clusters: usize,
    /// What clustering refused or cut.
    pub clustering: ClusterReport,
}

/// Two clusters join only when the records across them weigh at least this on average.
const COHERENCE_WEIGHT: f32 = 0.0;

/// Text fields with at most this many distinct values get a table of levels per pair of values.
const LEVEL_TABLE_ENTRIES: usize = 2048;

/// A prepared set of records, blocked and ready to train, link and explain.
#[derive(Debug)]
pub struct Linker {
    features: Features,
    blocking: Blocking,
    comparisons: Vec<Comparison>,
    source_bit: Vec<u64>,
    options: LinkOptions,
}

impl Linker {
    /// Prepares the records' features and blocks.
    pub fn new(records: &Records, options: LinkOptions) -> Result<Linker, LinkageError> {
        options.check()?;
        let mut features = features::prepare(records);
        let comparisons = comparisons_for(&features);
        compare::build_level_tables(&mut features, &comparisons, LEVEL_TABLE_ENTRIES);
        let blocking = Blocking::new(records, &features, &options.rules, options.max_block_size);
        Ok(Linker {
            source_bit: source_bits(records),
            features,
            blocking,
            comparisons,
            options,
        })
    }

    /// What blocking did: blocks and pairs per rule, and what the cap skipped.
    pub fn blocking_report(&self) -> &BlockingReport {
        &self.blocking.report
    }

    /// Cells that could not be read (dates, ages, sex values), per field.
    pub fn unreadable_cells(&self) -> &[(CanonicalField, usize)] {
        &self.features.unreadable
    }

    /// The comparisons this set of records gets.
    pub fn comparisons(&self) -> &[Comparison] {
        &self.comparisons
    }

    /// Trains a model: u from random pairs, m by EM with `labels` held to their class.
    pub fn train(&self, labels: &[PairLabel]) -> Result<Model, LinkageError> {
        self.check_labels(labels)?;
        Ok(train::train(
            &self.features,
            self.comparisons.clone(),
            &self.blocking,
            labels,
            &self.options.train,
        ))
    }

    /// Scores every candidate pair once and clusters them, respecting `labels`.
    pub fn link(&self, model: &Model, labels: &[PairLabel]) -> Result<Linkage, LinkageError> {
        self.check_labels(labels)?;
        let threshold = model::match_weight(self.options.match_threshold) as f32;
        let review_lower = model::match_weight(self.options.review.lower) as f32;
        let review_upper = model::match_weight(self.options.review.upper) as f32;
        let keep_from = threshold.min(review_lower);
        let (pairs, scored_pairs) = self.score_pairs(model, keep_from);
        let pick = |decision| -> Vec<(RecordIndex, RecordIndex)> {
            labels
                .iter()
                .filter(|l| l.decision == decision)
                .map(|l| (l.a, l.b))
                .collect()
        };
        let (same, different) = (pick(Decision::Same), pick(Decision::Different));
        let constraints = cluster::Constraints {
            same: &same,
            different: &different,
            source_bit: &self.source_bit,
        };
        let strong = match self.options.weak_links {
            WeakLinks::Keep => None,
            WeakLinks::Split { below } => Some(model::match_weight(below) as f32),
        };
        let cut = cluster::Cut {
            threshold,
            strong,
            coherence: Some(COHERENCE_WEIGHT),
        };
        // Most pairs the coherence check weighs were scored already: looked up, not compared again.
        let scored: foldhash::HashMap<(RecordIndex, RecordIndex), f32> =
            pairs.iter().map(|p| ((p.a, p.b), p.match_weight)).collect();
        let score = |a: RecordIndex, b: RecordIndex| match scored.get(&(a.min(b), a.max(b))) {
            Some(&weight) => weight,
            None => model.score(&self.features, a, b),
        };
        let (clusters, clustering) = cluster::cluster(&pairs, &constraints, cut, &score);
        let mut review: Vec<ScoredPair> = pairs
            .iter()
            .filter(|p| p.match_weight >= review_lower && p.match_weight < review_upper)
            .copied()
            .collect();
        review.sort_by(|x, y| y.match_weight.total_cmp(&x.match_weight));
        let report = LinkReport {
            scored_pairs,
            links: pairs.iter().filter(|p| p.match_weight >= threshold).count(),
            clusters: clusters.iter().max().map_or(0, |&c| c as usize + 1),
            clustering,
        };
        Ok(Linkage {
            clusters,
            review,
            report,
        })
    }

    /// Streams every candidate pair through the model; keeps those at or above `keep_from`.
    fn score_pairs(&self, model: &Model, keep_from: f32) -> (Vec<ScoredPair>, u64) {
        self.blocking.fold_pairs(
            blocking::PairScope::Union,
            |_| true,
            || (Vec::new(), 0u64),
            |(kept, count), a, b| {
                *count += 1;
                if let Some(match_weight) = model.weight_at_least(&self.features, a, b, keep_from) {
                    kept.push(ScoredPair { a, b, match_weight });
                }
            },
            |(mut x, cx), (y, cy)| {
                x.extend(y);
                (x, cx + cy)
            },
        )
    }

    /// The match weight of any pair, blocked or not.
    pub fn score(
        &self,
        model: &Model,
        a: RecordIndex,
        b: RecordIndex,
    ) -> Result<f64, LinkageError> {
        self.check_pair(a, b)?;
        Ok(f64::from(model.score(&self.features, a, b)))
    }

    /// Explains any pair's score field by field.
    pub fn explain(
        &self,
        model: &Model,
        a: RecordIndex,
        b: RecordIndex,
    ) -> Result<Explanation, LinkageError> {
        self.check_pair(a, b)?;
        Ok(model.explain(&self.features, a, b))
    }

    /// The share of true pairs (same person in `truth`) that blocking compares.
    pub fn blocking_recall(&self, truth: &[Option<u32>]) -> Result<BlockingRecall, LinkageError> {
        if truth.len() != self.features.len {
            return Err(LinkageError::TruthLength {
                expected: self.features.len,
                found: truth.len(),
            });
        }
        let pairs = evaluate::true_pairs(truth);
        let blocked = pairs
            .iter()
            .filter(|&&(a, b)| self.blocking.is_candidate(a, b))
            .count() as u64;
        let true_pairs = pairs.len() as u64;
        Ok(BlockingRecall {
            true_pairs,
            blocked_true_pairs: blocked,
            recall: if true_pairs == 0 {
                1.0
            } else {
                blocked as f64 / true_pairs as f64
            },
        })
    }

    /// The true pairs (same person in `truth`) that `clusters` left apart, ordered by record,
    /// each with whether blocking compared it and its score field by field: what to read when
    /// recall falls short.
    pub fn missed_pairs(
        &self,
        model: &Model,
        clusters: &[u32],
        truth: &[Option<u32>],
    ) -> Result<Vec<MissedPair>, LinkageError> {
        if truth.len() != self.features.len {
            return Err(LinkageError::TruthLength {
                expected: self.features.len,
                found: truth.len(),
            });
        }
        if clusters.len() != self.features.len {
            return Err(LinkageError::ClustersLength {
                expected: self.features.len,
                found: clusters.len(),
            });
        }
        let mut pairs: Vec<(RecordIndex, RecordIndex)> = evaluate::true_pairs(truth)
            .into_iter()
            .filter(|&(a, b)| clusters[a as usize] != clusters[b as usize])
            .collect();
        pairs.sort_unstable();
        Ok(pairs
            .into_par_iter()
            .map(|(a, b)| MissedPair {
                a,
                b,
                compared: self.blocking.is_candidate(a, b),
                explanation: model.explain(&self.features, a, b),
            })
            .collect())
    }

    fn check_pair(&self, a: RecordIndex, b: RecordIndex) -> Result<(), LinkageError> {
        for index in [a, b] {
            if index as usize >= self.features.len {
                return Err(LinkageError::UnknownRecord {
                    index,
                    len: self.features.len,
                });
            }
        }
        if a == b {
            return Err(LinkageError::SelfPair { record: a });
        }
        Ok(())
    }

    fn check_labels(&self, labels: &[PairLabel]) -> Result<(), LinkageError> {
        labels.iter().try_for_each(|l| self.check_pair(l.a, l.b))
    }
}

/// A true pair that linkage left in two clusters ([`Linker::missed_pairs`]).
#[derive(Debug, Clone, PartialEq)]
pub struct MissedPair {
    /// The first record.
    pub a: RecordIndex,
    /// The second record.
    pub b: RecordIndex,
    /// Whether any blocking rule compared the pair (if not, no weight could have linked it).
    pub compared: bool,
    /// The pair's score, field by field.
    pub explanation: Explanation,
}

/// Each record's bit for its source when the source is free of duplicates.
fn source_bits(records: &Records) -> Vec<u64> {
    let mut bits = vec![0u64; records.sources().len()];
    let mut next = 0;
    for (source, spec) in records.sources().iter().enumerate() {
        if spec.duplicates == Duplicates::Free {
            bits[source] = 1u64 << next;
            next += 1;
        }
    }
    (0..records.len() as RecordIndex)
        .map(|r| bits[records.source_of(r).0 as usize])
        .collect()
}
