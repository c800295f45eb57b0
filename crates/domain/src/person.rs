//! Persons, memberships and claims: what the registry believes, built from records and
//! re-buildable. A person's id never changes; memberships and claims are appended.

use crate::ids::{PersonId, RecordId, SourceId};
use crate::source::code_enum;
use serde::{Deserialize, Serialize};

code_enum!(
    /// How a record came to belong to a person.
    MembershipMethod {
        Automatic => "automatic": "Decided by the linkage engine.",
        Reviewed => "reviewed": "Decided by a person reviewing the pair.",
        Manual => "manual": "Assigned by hand (a merge or split).",
    }
);

code_enum!(
    /// A reviewer's decision on two records: the linkage model's training data and a
    /// constraint the next linkage run respects.
    PairDecision {
        Same => "same": "The two records are one person.",
        Different => "different": "The two records are different persons.",
        Unsure => "unsure": "The reviewer could not tell.",
    }
);

code_enum!(
    /// Where a claim stands.
    ClaimState {
        Asserted => "asserted": "Stated by its source and not contested.",
        Disputed => "disputed": "Contested by another source or an investigator.",
        Retracted => "retracted": "Withdrawn by its source.",
    }
);

/// What a claim is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum ClaimSubject {
    /// A person.
    Person(PersonId),
}

/// Who or what says a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum ClaimOrigin {
    /// One record of a source.
    Record(RecordId),
    /// A source as a whole (a testimony, a document).
    Source(SourceId),
}

/// A claim about to be recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewClaim {
    /// What the claim is about.
    pub subject: ClaimSubject,
    /// The field it asserts (a canonical field name or a case field such as `fate`).
    pub field: String,
    /// The value, as text.
    pub value: String,
    /// Who says it.
    pub origin: ClaimOrigin,
    /// Where in the source (a page, a paragraph), if given.
    pub locator: Option<String>,
}
