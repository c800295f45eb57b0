//! The engine's input: records as columns of text, with their source and their id.
//!
//! This module owns the in-memory layout the caller fills (one [`TextColumn`] per canonical field,
//! one flat buffer each, so a million records cost a few allocations) and the checks that make a
//! set of records linkable. Reading files is left to the caller (`import`, or the CLI's
//! `link-files`); parsing the text into comparable features is left to `crate::features`.

use crate::LinkageError;
use domain::date::Calendar;
use domain::fields::CanonicalField;

/// The canonical fields the engine compares; any other column is carried but not matched.
pub const MATCHED_FIELDS: &[CanonicalField] = &[
    CanonicalField::GivenName,
    CanonicalField::Surname,
    CanonicalField::FatherName,
    CanonicalField::FullName,
    CanonicalField::Sex,
    CanonicalField::BirthDate,
    CanonicalField::BirthYear,
    CanonicalField::Age,
    CanonicalField::BirthPlace,
    CanonicalField::NationalId,
    CanonicalField::Address,
    CanonicalField::PostalCode,
    CanonicalField::City,
    CanonicalField::Province,
    CanonicalField::ArrestDate,
    CanonicalField::Prison,
    CanonicalField::ExecutionDate,
    CanonicalField::DeathDate,
    CanonicalField::BurialPlace,
];

/// The fields of which a record needs at least one to be linked by name.
pub const NAME_FIELDS: &[CanonicalField] = &[
    CanonicalField::GivenName,
    CanonicalField::Surname,
    CanonicalField::FullName,
];

/// The index of a record in a [`Records`] set (its row, counted over all sources from 0).
pub type RecordIndex = u32;

/// The index of a source in a [`Records`] set, in the order sources were added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SourceIndex(pub u16);

/// Whether a source may hold the same person twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Duplicates {
    /// The source may list a person more than once (the default).
    #[default]
    Possible,
    /// The source lists each person at most once: its records are never linked to each other,
    /// and a cluster holds at most one of them.
    Free,
}

/// One source (list) of records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceSpec {
    /// The source's name (for files, the file stem).
    pub name: String,
    /// Whether the source may hold duplicates.
    pub duplicates: Duplicates,
    /// The calendar the source writes its dates in, if it declares one.
    pub calendar: Option<Calendar>,
}

impl SourceSpec {
    /// A source that may hold duplicates and declares no calendar.
    pub fn new(name: impl Into<String>) -> SourceSpec {
        SourceSpec {
            name: name.into(),
            duplicates: Duplicates::Possible,
            calendar: None,
        }
    }
}

/// A column of text cells in one buffer; an empty cell is a missing value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextColumn {
    text: String,
    ends: Vec<u32>,
}

impl TextColumn {
    /// Appends a cell; surrounding whitespace is dropped.
    pub fn push(&mut self, cell: &str) {
        self.text.push_str(cell.trim());
        self.ends.push(self.text.len() as u32);
    }

    /// The cell of a record (empty when missing).
    pub fn get(&self, index: RecordIndex) -> &str {
        let i = index as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.text[start..self.ends[i] as usize]
    }

    /// The number of cells.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether the column has no cells.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Whether every cell is empty.
    pub fn is_all_empty(&self) -> bool {
        self.text.is_empty()
    }
}

/// Records from one or more sources, column by column, ready for [`crate::Linker::new`].
#[derive(Debug, Clone)]
pub struct Records {
    sources: Vec<SourceSpec>,
    source_of: Vec<SourceIndex>,
    ids: TextColumn,
    columns: Vec<(CanonicalField, TextColumn)>,
}

impl Records {
    /// Starts a set of records whose cells come in the order of `fields`. Fields the engine does
    /// not match on (see [`MATCHED_FIELDS`]) are accepted and ignored.
    pub fn builder(fields: &[CanonicalField]) -> RecordsBuilder {
        RecordsBuilder {
            sources: Vec::new(),
            source_of: Vec::new(),
            ids: TextColumn::default(),
            columns: fields
                .iter()
                .map(|field| (*field, TextColumn::default()))
                .collect(),
        }
    }

    /// The number of records.
    pub fn len(&self) -> usize {
        self.source_of.len()
    }

    /// Whether there are no records.
    pub fn is_empty(&self) -> bool {
        self.source_of.is_empty()
    }

    /// The sources, by [`SourceIndex`].
    pub fn sources(&self) -> &[SourceSpec] {
        &self.sources
    }

    /// The source of a record.
    pub fn source_of(&self, record: RecordIndex) -> SourceIndex {
        self.source_of[record as usize]
    }

    /// The source's own id of a record.
    pub fn id(&self, record: RecordIndex) -> &str {
        self.ids.get(record)
    }

    /// The column of a field, if the records have it.
    pub fn column(&self, field: CanonicalField) -> Option<&TextColumn> {
        self.columns
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, column)| column)
    }

    /// Finds a record by source name and id (a linear scan: for tests and small look-ups).
    pub fn find(&self, source: &str, id: &str) -> Option<RecordIndex> {
        let source = self.sources.iter().position(|s| s.name == source)?;
        (0..self.len() as RecordIndex)
            .find(|&r| self.source_of(r).0 as usize == source && self.id(r) == id)
    }
}

/// Fills a [`Records`] set source by source, row by row.
#[derive(Debug)]
pub struct RecordsBuilder {
    sources: Vec<SourceSpec>,
    source_of: Vec<SourceIndex>,
    ids: TextColumn,
    columns: Vec<(CanonicalField, TextColumn)>,
}

impl RecordsBuilder {
    /// Adds a source and returns its index.
    pub fn add_source(&mut self, spec: SourceSpec) -> Result<SourceIndex, LinkageError> {
        if self.sources.iter().any(|s| s.name == spec.name) {
            return Err(LinkageError::DuplicateSource { name: spec.name });
        }
        let index =
            u16::try_from(self.sources.len()).map_err(|_| LinkageError::TooManySources {
                limit: u16::MAX as usize,
            })?;
        self.sources.push(spec);
        Ok(SourceIndex(index))
    }

    /// Adds one record: its source, its id, and one cell per field given to [`Records::builder`].
    pub fn push(
        &mut self,
        source: SourceIndex,
        id: &str,
        cells: &[&str],
    ) -> Result<RecordIndex, LinkageError> {
        if cells.len() != self.columns.len() {
            return Err(LinkageError::WrongCellCount {
                record: id.to_string(),
                expected: self.columns.len(),
                found: cells.len(),
            });
        }
        if source.0 as usize >= self.sources.len() {
            return Err(LinkageError::UnknownSource { index: source.0 });
        }
        let index = RecordIndex::try_from(self.source_of.len())
            .map_err(|_| LinkageError::TooManyRecords)?;
        self.source_of.push(source);
        self.ids.push(id);
        for ((_, column), cell) in self.columns.iter_mut().zip(cells) {
            column.push(cell);
        }
        Ok(index)
    }

    /// Checks the records can be linked: at least one record, a name column with a value in it,
    /// and at most 64 duplicate-free sources.
    pub fn build(self) -> Result<Records, LinkageError> {
        if self.source_of.is_empty() {
            return Err(LinkageError::NoRecords);
        }
        let has_names = self
            .columns
            .iter()
            .any(|(field, column)| NAME_FIELDS.contains(field) && !column.is_all_empty());
        if !has_names {
            let fields = self.columns.iter().map(|(f, _)| f.as_str()).collect();
            return Err(LinkageError::NoNameColumn { fields });
        }
        let free = self
            .sources
            .iter()
            .filter(|s| s.duplicates == Duplicates::Free)
            .count();
        if free > 64 {
            return Err(LinkageError::TooManyDuplicateFreeSources { count: free });
        }
        Ok(Records {
            sources: self.sources,
            source_of: self.source_of,
            ids: self.ids,
            columns: self.columns,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_read_back_trimmed_and_empty_cells_are_empty() {
        let mut column = TextColumn::default();
        for cell in [" Ali ", "", "رضایی"] {
            column.push(cell);
        }
        assert_eq!(column.get(0), "Ali");
        assert_eq!(column.get(1), "");
        assert_eq!(column.get(2), "رضایی");
    }

    #[test]
    fn records_without_a_name_column_are_rejected() {
        let mut builder = Records::builder(&[CanonicalField::City]);
        let source = builder.add_source(SourceSpec::new("a")).unwrap();
        builder.push(source, "1", &["Tehran"]).unwrap();
        let error = builder.build().unwrap_err();
        assert!(
            matches!(error, LinkageError::NoNameColumn { .. }),
            "{error}"
        );
    }

    #[test]
    fn records_whose_names_are_all_empty_are_rejected() {
        let mut builder = Records::builder(&[CanonicalField::GivenName, CanonicalField::Surname]);
        let source = builder.add_source(SourceSpec::new("a")).unwrap();
        builder.push(source, "1", &["", " "]).unwrap();
        builder.push(source, "2", &["", ""]).unwrap();
        assert!(matches!(
            builder.build(),
            Err(LinkageError::NoNameColumn { .. })
        ));
    }

    #[test]
    fn a_row_with_the_wrong_number_of_cells_is_rejected() {
        let mut builder = Records::builder(&[CanonicalField::GivenName]);
        let source = builder.add_source(SourceSpec::new("a")).unwrap();
        assert!(matches!(
            builder.push(source, "1", &["a", "b"]),
            Err(LinkageError::WrongCellCount { .. })
        ));
    }

    #[test]
    fn a_source_name_can_be_added_only_once() {
        let mut builder = Records::builder(&[CanonicalField::GivenName]);
        builder.add_source(SourceSpec::new("a")).unwrap();
        assert!(builder.add_source(SourceSpec::new("a")).is_err());
    }
}
