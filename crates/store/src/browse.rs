//! What the pages and the API read: persons found by name and facets, one person with the
//! records behind them, counts per facet, and the audit log.

use crate::StoredRecord;
use crate::linkage::StoredPairDecision;
use domain::ids::PersonId;
use domain::person::MembershipMethod;

/// A search over persons. Every part is optional; all given parts must hold for one record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonQuery {
    /// A name or part of one, in either script and any spelling.
    pub text: Option<String>,
    /// A prison (compared after normalisation).
    pub prison: Option<String>,
    /// A city (compared after normalisation).
    pub city: Option<String>,
    /// The Gregorian year of execution or death.
    pub year: Option<i32>,
    /// How many persons to skip.
    pub offset: u32,
    /// How many persons to return.
    pub limit: u32,
}

/// A person in a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonSummary {
    /// The person.
    pub id: PersonId,
    /// The distinct names the records give, most common first.
    pub names: Vec<String>,
    /// How many records make up the person.
    pub records: u32,
    /// How many sources have a record of the person.
    pub sources: u32,
}

/// One page of persons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonList {
    /// The persons on this page.
    pub persons: Vec<PersonSummary>,
    /// Whether there are more after this page.
    pub has_more: bool,
}

/// A record of a person, with how it came to belong to the person.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonRecord {
    /// The record.
    pub record: StoredRecord,
    /// How the record was assigned (automatic linkage, review, by hand).
    pub method: MembershipMethod,
    /// The linkage score that joined it, when linkage did.
    pub score: Option<f64>,
    /// Who assigned it.
    pub decided_by: String,
    /// When.
    pub decided_at: String,
}

/// A person with everything the registry holds about them.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonView {
    /// The person.
    pub id: PersonId,
    /// The records behind the person, oldest first.
    pub records: Vec<PersonRecord>,
    /// Reviewers' decisions on pairs among these records.
    pub decisions: Vec<StoredPairDecision>,
}

/// What a looked-up person id leads to.
#[derive(Debug, Clone, PartialEq)]
pub enum PersonLookup {
    /// The person.
    Found(PersonView),
    /// The person was merged into another; follow it.
    MergedInto(PersonId),
    /// No such person.
    Missing,
}

/// A facet persons can be counted and filtered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Facet {
    /// The prison (normalised).
    Prison,
    /// The city (normalised).
    City,
    /// The month of execution or death (`YYYY-MM`).
    DeathMonth,
    /// The year of execution or death.
    DeathYear,
}

impl Facet {
    pub(crate) fn column(self) -> &'static str {
        match self {
            Facet::Prison => "prison",
            Facet::City => "city",
            Facet::DeathMonth => "death_month",
            Facet::DeathYear => "death_year",
        }
    }
}

/// How many persons have a value of a facet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacetCount {
    /// The value.
    pub value: String,
    /// Persons with a record giving it.
    pub persons: u64,
}
