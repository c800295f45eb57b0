//! Who made a change: every write to the registry names its actor in the audit chain.

use serde::{Deserialize, Serialize};

/// The person or process behind a change, e.g. `cli:alice` or `user:7`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Actor(String);

impl Actor {
    /// An actor for a command-line session run by the operating-system user `login`.
    pub fn cli(login: &str) -> Actor {
        Actor(format!("cli:{login}"))
    }

    /// An actor for a web-app account with this login.
    pub fn web(login: &str) -> Actor {
        Actor(format!("web:{login}"))
    }

    /// An actor for the process itself (migrations, demo set-up).
    pub fn system() -> Actor {
        Actor("system".to_string())
    }

    /// The stored text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Actor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
