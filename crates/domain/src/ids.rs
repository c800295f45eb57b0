//! Identifier newtypes: swapping two kinds of id is a compile error.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl $name {
            /// The raw integer, for storage and URLs.
            pub fn get(self) -> i64 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

id_type!(
    /// A source (a list, a testimony, a document) in the registry.
    SourceId
);
id_type!(
    /// One immutable source record.
    RecordId
);
id_type!(
    /// A stable person identity; it never changes, so links survive merges.
    PersonId
);
id_type!(
    /// One claim about a subject.
    ClaimId
);
id_type!(
    /// A user account.
    UserId
);
