//! Accounts as the registry keeps them: users with a role and a password hash, login
//! sessions, API tokens and failed logins (for throttling).
//!
//! The store never sees a password or a token: callers hash passwords with Argon2id and
//! tokens with SHA-256 before they reach it.

use domain::account::Role;
use domain::ids::UserId;

/// An account to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    /// The login name, unique.
    pub login: String,
    /// What the account may do.
    pub role: Role,
    /// The Argon2id hash of the password (PHC string).
    pub password_hash: String,
    /// Whether the password was generated and must be changed at first login.
    pub must_change_password: bool,
}

/// An account as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredUser {
    /// The registry's id.
    pub id: UserId,
    /// The login name.
    pub login: String,
    /// What the account may do.
    pub role: Role,
    /// The Argon2id hash of the password (PHC string).
    pub password_hash: String,
    /// Whether the password must be changed before anything else.
    pub must_change_password: bool,
    /// Whether the account is disabled (it can no longer log in or use tokens).
    pub disabled: bool,
}

/// A live session: its user and the CSRF token forms must carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveSession {
    /// Who is logged in.
    pub user: StoredUser,
    /// The token every state-changing request of this session must carry.
    pub csrf_token: String,
}
