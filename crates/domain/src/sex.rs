//! The sex recorded by a source, parsed from the many ways lists write it.

use serde::{Deserialize, Serialize};

/// Sex as a source records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// Male.
    Male,
    /// Female.
    Female,
}

impl Sex {
    /// Reads the usual spellings in English and Persian (`m`, `male`, `مرد`, `ذکور`, `f`, `زن`…).
    /// Returns `None` for anything else, so the caller can report the value.
    pub fn parse(text: &str) -> Option<Sex> {
        let folded = text.trim().to_lowercase();
        match folded.as_str() {
            "m" | "male" | "man" | "مرد" | "مذکر" | "ذکور" | "آقا" | "1" => {
                Some(Sex::Male)
            }
            "f" | "female" | "woman" | "زن" | "مونث" | "مؤنث" | "اناث" | "خانم" | "2" => {
                Some(Sex::Female)
            }
            _ => None,
        }
    }

    /// The stored code: `m` or `f`.
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Male => "m",
            Sex::Female => "f",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_in_both_languages_are_read() {
        let cases = [
            ("M", Some(Sex::Male)),
            (" female ", Some(Sex::Female)),
            ("مرد", Some(Sex::Male)),
            ("زن", Some(Sex::Female)),
            ("x", None),
            ("", None),
        ];
        for (input, expected) in cases {
            assert_eq!(Sex::parse(input), expected, "input {input:?}");
        }
    }
}
