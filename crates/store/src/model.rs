//! The types the store takes and gives back.

use crate::audit::ChainBreak;
use domain::fields::CanonicalField;
use domain::ids::{ClaimId, RecordId, SourceId};
use domain::person::{ClaimOrigin, ClaimState};
use domain::record::{FieldValue, RawCell};
use domain::source::NewSource;

/// What to do when the same file (by SHA-256) was imported before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DuplicateFile {
    /// Refuse the import.
    Refuse,
    /// Import it again (`--force`).
    Allow,
}

/// A list about to be imported.
#[derive(Debug)]
pub struct NewImport<'a> {
    /// The source the list belongs to; created if no source has this name yet.
    pub source: NewSource,
    /// The file's bytes as received, kept content-addressed.
    pub file_bytes: &'a [u8],
    /// The file's name as received.
    pub file_name: String,
    /// Its media type (`text/csv`, …).
    pub media_type: String,
    /// The text encoding it was read in.
    pub encoding: String,
    /// The field delimiter it was read with (empty for spreadsheets).
    pub delimiter: String,
    /// The file's column headers, in order (the records' `raw_values` follow them).
    pub columns: Vec<String>,
    /// Which file column fed which canonical field.
    pub mapping: Vec<(CanonicalField, String)>,
    /// What to do with a file imported before.
    pub on_duplicate: DuplicateFile,
}

/// What an import wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReceipt {
    /// The source.
    pub source_id: SourceId,
    /// Whether the source was created by this import.
    pub is_new_source: bool,
    /// The import's id.
    pub import_id: i64,
    /// Records written.
    pub records: u64,
    /// The file's SHA-256.
    pub file_sha256: String,
    /// The audit entry that records it.
    pub audit_seq: i64,
}

/// A source and how many records it has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceInfo {
    /// Its id.
    pub id: SourceId,
    /// Its name.
    pub name: String,
    /// Its kind code.
    pub kind: String,
    /// Its reliability code.
    pub reliability: String,
    /// Number of records.
    pub records: u64,
    /// Number of imports.
    pub imports: u64,
}

/// Counts of what the registry holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RegistryCounts {
    /// Sources.
    pub sources: u64,
    /// Imports.
    pub imports: u64,
    /// Source records.
    pub records: u64,
    /// Persons (not merged away).
    pub persons: u64,
    /// Claims.
    pub claims: u64,
    /// Audit entries.
    pub audit_entries: u64,
}

/// A source record as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRecord {
    /// The registry's id.
    pub id: RecordId,
    /// The source's id.
    pub source_id: SourceId,
    /// The source's name.
    pub source_name: String,
    /// The row's number in its file.
    pub row_number: u64,
    /// The source's own id of the row.
    pub external_id: Option<String>,
    /// The row as it stood in the file.
    pub raw_text: String,
    /// Every cell with its column.
    pub raw_cells: Vec<RawCell>,
    /// The parsed canonical fields.
    pub fields: Vec<(CanonicalField, FieldValue)>,
    /// Problems noted at import.
    pub warnings: Vec<String>,
}

impl StoredRecord {
    /// The parsed value of a field, if the record has one.
    pub fn field(&self, field: CanonicalField) -> Option<&FieldValue> {
        self.fields
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, v)| v)
    }
}

/// One page of records in id order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordPage {
    /// The records.
    pub records: Vec<StoredRecord>,
    /// The id to pass as `after` for the next page, or `None` at the end.
    pub next_after: Option<RecordId>,
}

/// A claim as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredClaim {
    /// Its id.
    pub id: ClaimId,
    /// The field asserted.
    pub field: String,
    /// The value.
    pub value: String,
    /// Who says it.
    pub origin: ClaimOrigin,
    /// Where in the source.
    pub locator: Option<String>,
    /// Where it stands.
    pub state: ClaimState,
    /// Who entered it.
    pub entered_by: String,
    /// When.
    pub entered_at: String,
}

/// The outcome of recomputing the audit chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditVerdict {
    /// Entries that verified before the first break (all of them when unbroken).
    pub entries_checked: i64,
    /// The hash of the last verified entry.
    pub head: String,
    /// The first break, if any.
    pub broken: Option<ChainBreak>,
}
