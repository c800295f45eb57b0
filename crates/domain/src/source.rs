//! Sources: where information comes from, and how far it is trusted.

use crate::date::Calendar;
use serde::{Deserialize, Serialize};

macro_rules! code_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $code:literal: $vdoc:literal),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $(#[doc = $vdoc] $variant,)*
        }

        impl $name {
            /// Every value.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The stored code.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $code,)*
                }
            }

            /// Reads a stored code.
            pub fn parse(code: &str) -> Option<$name> {
                match code.trim() {
                    $($code => Some($name::$variant),)*
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use code_enum;

code_enum!(
    /// What kind of thing a source is.
    SourceKind {
        List => "list": "A list of victims.",
        Testimony => "testimony": "A witness's or survivor's statement.",
        Document => "document": "An official or private document.",
        GovernmentReply => "government_reply": "A government's reply to a communication.",
        FamilySubmission => "family_submission": "Information sent by a family.",
        MediaReport => "media_report": "A press or media report.",
    }
);

code_enum!(
    /// How far a source is trusted, as judged by the documenting organisation.
    Reliability {
        High => "high": "Verified, consistent, first-hand.",
        Medium => "medium": "Usually right; not independently verified.",
        Low => "low": "Known errors or second-hand.",
        Unknown => "unknown": "Not yet assessed.",
    }
);

/// The most characters a source's name may have: names are short labels shown in every list of
/// sources and beside every record.
pub const MAX_SOURCE_NAME_CHARS: usize = 200;

/// A source's name as given (by `--source` or the upload form), trimmed, or why it cannot be
/// one: empty, longer than [`MAX_SOURCE_NAME_CHARS`], or holding a control character (a line
/// break would split every listing it appears in).
pub fn checked_source_name(given: &str) -> Result<&str, String> {
    let name = given.trim();
    if name.is_empty() {
        return Err("name the source the list comes from, e.g. prisoners-list-2019".into());
    }
    if name.chars().count() > MAX_SOURCE_NAME_CHARS {
        return Err(format!(
            "a source's name is at most {MAX_SOURCE_NAME_CHARS} characters; give it a short label such as prisoners-list-2019"
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(
            "a source's name may not hold line breaks, tabs or other control characters; give it on one line"
                .into(),
        );
    }
    Ok(name)
}

/// A source about to be registered together with the records read from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewSource {
    /// A short unique name, e.g. `prisoners-association-2019`.
    pub name: String,
    /// What kind of source it is.
    pub kind: SourceKind,
    /// How far it is trusted.
    pub reliability: Reliability,
    /// The calendar the source writes its dates in, when it declares one.
    pub calendar: Option<Calendar>,
    /// SHA-256 of the file as received (hex), when it came as a file.
    pub file_sha256: Option<String>,
    /// The file's name as received.
    pub file_name: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_source_name_is_trimmed_and_refused_empty_too_long_or_on_two_lines() {
        assert_eq!(checked_source_name("  list-a  "), Ok("list-a"));
        assert_eq!(checked_source_name("فهرست الف"), Ok("فهرست الف"));
        let longest = "ن".repeat(MAX_SOURCE_NAME_CHARS);
        assert!(checked_source_name(&longest).is_ok());
        for bad in [
            "",
            "   ",
            "list\nforged line",
            "a\tb",
            &format!("{longest}x"),
        ] {
            assert!(checked_source_name(bad).is_err(), "{bad:?}");
        }
    }
}
