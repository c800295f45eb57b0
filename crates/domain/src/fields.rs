//! The canonical import fields (PRODUCT.md): the names a list's columns are mapped onto.

use serde::{Deserialize, Serialize};

macro_rules! canonical_fields {
    ($($variant:ident => $code:literal: $doc:literal),* $(,)?) => {
        /// One canonical field of a source record.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum CanonicalField {
            $(#[doc = $doc] $variant,)*
        }

        impl CanonicalField {
            /// Every field, in the order of PRODUCT.md (and of exported CSV columns).
            pub const ALL: &'static [CanonicalField] = &[$(CanonicalField::$variant,)*];

            /// The column name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(CanonicalField::$variant => $code,)*
                }
            }

            /// Reads a column name (exact, case-insensitive, surrounding spaces ignored).
            pub fn parse(name: &str) -> Option<CanonicalField> {
                let folded = name.trim().to_ascii_lowercase();
                match folded.as_str() {
                    $($code => Some(CanonicalField::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

canonical_fields! {
    RecordId => "record_id": "The source's own identifier of the row.",
    GivenName => "given_name": "Given (first) name.",
    Surname => "surname": "Family name.",
    FatherName => "father_name": "Father's given name, the strongest tie-breaker between namesakes.",
    FullName => "full_name": "The whole name in one field, when the source does not split it.",
    Sex => "sex": "Sex as recorded.",
    BirthDate => "birth_date": "Date of birth, in either calendar, possibly partial.",
    BirthYear => "birth_year": "Year of birth, in either calendar.",
    Age => "age": "Age at the time of the main event (execution or death).",
    BirthPlace => "birth_place": "Place of birth.",
    NationalId => "national_id": "National code or identity-card number.",
    Address => "address": "Address.",
    PostalCode => "postal_code": "Postal code.",
    City => "city": "City of residence or arrest.",
    Province => "province": "Province.",
    Affiliation => "affiliation": "Political affiliation the source attributes.",
    ArrestDate => "arrest_date": "Date of arrest.",
    Prison => "prison": "Prison where the person was held or killed.",
    ExecutionDate => "execution_date": "Date of execution.",
    DeathDate => "death_date": "Date of death, when not an execution.",
    BurialPlace => "burial_place": "Burial place or grave site.",
    Notes => "notes": "Free text.",
}

impl CanonicalField {
    /// Whether the field holds a date that is parsed into an interval.
    pub fn is_date(self) -> bool {
        matches!(
            self,
            CanonicalField::BirthDate
                | CanonicalField::ArrestDate
                | CanonicalField::ExecutionDate
                | CanonicalField::DeathDate
        )
    }
}

impl std::fmt::Display for CanonicalField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_round_trips_through_its_name() {
        for field in CanonicalField::ALL {
            assert_eq!(CanonicalField::parse(field.as_str()), Some(*field));
        }
        assert_eq!(CanonicalField::ALL.len(), 22);
    }

    #[test]
    fn unknown_names_are_not_fields() {
        assert_eq!(CanonicalField::parse("nickname"), None);
        assert_eq!(
            CanonicalField::parse(" Given_Name "),
            Some(CanonicalField::GivenName)
        );
    }
}
