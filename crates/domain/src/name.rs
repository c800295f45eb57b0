//! A name as written, with the script it is in.

use serde::{Deserialize, Serialize};

/// The writing system of a piece of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Script {
    /// Arabic script as used for Persian (includes Arabic letters).
    Persian,
    /// Latin script.
    Latin,
    /// Letters of both scripts.
    Mixed,
    /// No letters at all (empty, digits, punctuation).
    Unknown,
}

impl Script {
    /// The stored code.
    pub fn as_str(self) -> &'static str {
        match self {
            Script::Persian => "persian",
            Script::Latin => "latin",
            Script::Mixed => "mixed",
            Script::Unknown => "unknown",
        }
    }
}

/// What role a name plays for a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NameKind {
    /// The name as given at birth or on the identity card.
    Birth,
    /// An alias or nom de guerre.
    Alias,
    /// A transliteration of another name into another script.
    Transliteration,
}

/// A name exactly as written, with its script.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Name {
    /// The text as written.
    pub text: String,
    /// The script it is written in.
    pub script: Script,
    /// Its role.
    pub kind: NameKind,
}
