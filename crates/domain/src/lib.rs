//! The types and rules of the whereabouts registry, with no I/O.
//!
//! Everything another crate needs to agree on lives here: identifiers, the uncertain date
//! (verbatim text plus a Gregorian interval), names with their script, the canonical import
//! fields, sources and the records read from them. Parsing of dates and names from text is
//! left to the `text` crate; persisting them to the `store` crate.
//!
//! ```
//! use domain::fields::CanonicalField;
//! assert_eq!(CanonicalField::parse("father_name"), Some(CanonicalField::FatherName));
//! ```
#![deny(missing_docs)]

pub mod account;
pub mod actor;
pub mod date;
pub mod fields;
pub mod ids;
pub mod name;
pub mod person;
pub mod record;
pub mod sex;
pub mod source;
