//! Accounts: who may use the registry, and in which role.
//!
//! A role decides what a person may see and do; the web app checks it on every route.

use crate::source::code_enum;
use serde::{Deserialize, Serialize};

code_enum!(
    /// What an account may do.
    Role {
        Admin => "admin": "Manages accounts and sees the audit log; may do everything.",
        Investigator => "investigator": "Imports lists, links records, builds cases.",
        Analyst => "analyst": "Reviews uncertain matches, produces counts and estimates.",
        Family => "family": "Sees their own relative's case only (the portal comes later).",
        Viewer => "viewer": "Reads the registry; changes nothing.",
    }
);

impl Role {
    /// Whether this role may read the registry's persons, records and sources.
    pub fn may_read_registry(self) -> bool {
        !matches!(self, Role::Family)
    }

    /// Whether this role may import lists and run linkage.
    pub fn may_import(self) -> bool {
        matches!(self, Role::Admin | Role::Investigator)
    }

    /// Whether this role may decide review pairs.
    pub fn may_review(self) -> bool {
        matches!(self, Role::Admin | Role::Investigator | Role::Analyst)
    }

    /// Whether this role may see statistics and estimates.
    pub fn may_see_statistics(self) -> bool {
        matches!(
            self,
            Role::Admin | Role::Investigator | Role::Analyst | Role::Viewer
        )
    }

    /// Whether this role may manage accounts and read the audit log.
    pub fn is_admin(self) -> bool {
        self == Role::Admin
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_family_account_reads_nothing_of_the_registry() {
        assert!(!Role::Family.may_read_registry());
        assert!(!Role::Family.may_review());
        assert!(!Role::Family.may_see_statistics());
        assert!(Role::Viewer.may_read_registry());
        assert!(!Role::Viewer.may_import());
    }

    #[test]
    fn roles_round_trip_through_their_codes() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(*role));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
