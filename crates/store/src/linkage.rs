//! The types of the registry's linkage: review decisions, a linkage run's outcome to apply,
//! and the review queue. The engine itself lives in the `linkage` crate; the store only keeps
//! what it decided and what people decided.

use domain::ids::{PersonId, RecordId};
pub use domain::person::PairDecision;

/// A decision about to be recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPairDecision {
    /// One record.
    pub a: RecordId,
    /// The other.
    pub b: RecordId,
    /// The decision.
    pub decision: PairDecision,
    /// Why, in the reviewer's words.
    pub note: Option<String>,
}

/// A decision as stored (the newest for its pair).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPairDecision {
    /// The smaller record id.
    pub a: RecordId,
    /// The larger record id.
    pub b: RecordId,
    /// The decision.
    pub decision: PairDecision,
    /// The reviewer's note.
    pub note: Option<String>,
    /// Who decided.
    pub decided_by: String,
    /// When.
    pub decided_at: String,
}

/// A pair the engine could not decide, for a person to review.
#[derive(Debug, Clone, PartialEq)]
pub struct NewReviewPair {
    /// One record.
    pub a: RecordId,
    /// The other.
    pub b: RecordId,
    /// The engine's match probability.
    pub probability: f64,
    /// Each field's contribution to the weight, as JSON for display.
    pub explanation: String,
}

/// What a linkage run decided: the records of each person, and the pairs left for review.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkageOutcome {
    /// Groups of records that are one person each (every linked record in exactly one group).
    pub clusters: Vec<Vec<RecordId>>,
    /// Pairs in the review band.
    pub review: Vec<NewReviewPair>,
    /// The run's settings and figures, as JSON, kept with the run and in the audit chain.
    pub summary: String,
}

/// What applying a linkage run changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LinkageReceipt {
    /// The run's id.
    pub run_id: i64,
    /// Persons created.
    pub persons_created: u64,
    /// Persons merged into another (they keep a pointer to it).
    pub persons_merged: u64,
    /// Records whose person changed (memberships appended).
    pub memberships_changed: u64,
    /// Pairs queued for review.
    pub review_pairs: u64,
}

/// A pair in the review queue with its newest decision, if any.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewItem {
    /// The queue entry's id.
    pub id: i64,
    /// One record.
    pub a: RecordId,
    /// The other.
    pub b: RecordId,
    /// The engine's match probability.
    pub probability: f64,
    /// Each field's contribution, as JSON.
    pub explanation: String,
    /// The newest decision on the pair, if one was made.
    pub decision: Option<PairDecision>,
}

/// What capture histories are made of: each current person with the sources that saw them, and
/// the records that belong to no person yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaptureHistories {
    /// Each current person, by id.
    pub persons: Vec<PersonSources>,
    /// Per source (by name, sorted), how many of its records belong to no current person:
    /// imported since the last linkage run. Sources with every record linked are left out.
    pub unlinked: Vec<(String, u64)>,
}

/// A person with the sources that saw them (for capture histories).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonSources {
    /// The person.
    pub person: PersonId,
    /// Names of the sources with a record of this person, sorted.
    pub sources: Vec<String>,
    /// The stratum value (the first non-empty value of the `--by` field among the records).
    pub stratum: Option<String>,
}
