//! The audit chain: how an entry is serialised and hashed, and how a chain is checked.
//!
//! Each entry's hash is SHA-256 over the previous entry's hash, a newline, and the entry's
//! canonical serialisation (a JSON object with a fixed key order, see [`canonical_bytes`]).
//! The first entry's previous hash is [`GENESIS_HASH`]. Writing entries is the backend's job
//! (in the same transaction as the change); this module holds only the pure rules.

use serde::Serialize;
use sha2::{Digest, Sha256};

/// The previous hash of the first entry: 64 zeros.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An entry as stored in the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    /// Position in the chain, from 1.
    pub seq: i64,
    /// When, as RFC 3339 UTC.
    pub at: String,
    /// Who.
    pub actor: String,
    /// What was done, e.g. `import`, `create_person`.
    pub action: String,
    /// The kind of thing changed, e.g. `source`.
    pub entity: String,
    /// Its id.
    pub entity_id: String,
    /// What changed: a JSON document, stored as text exactly as hashed.
    pub payload: String,
    /// The previous entry's hash.
    pub prev_hash: String,
    /// This entry's hash.
    pub hash: String,
}

/// The canonical serialisation hashed for an entry: everything but the hash itself.
pub fn canonical_bytes(entry: &AuditEntry) -> Vec<u8> {
    #[derive(Serialize)]
    struct Canonical<'a> {
        seq: i64,
        at: &'a str,
        actor: &'a str,
        action: &'a str,
        entity: &'a str,
        entity_id: &'a str,
        payload: &'a str,
    }
    let canonical = Canonical {
        seq: entry.seq,
        at: &entry.at,
        actor: &entry.actor,
        action: &entry.action,
        entity: &entry.entity,
        entity_id: &entry.entity_id,
        payload: &entry.payload,
    };
    serde_json::to_vec(&canonical).expect("BUG: a struct of strings always serialises")
}

/// The hash an entry must carry, given its previous hash.
pub fn entry_hash(entry: &AuditEntry) -> String {
    let mut hasher = Sha256::new();
    hasher.update(entry.prev_hash.as_bytes());
    hasher.update(b"\n");
    hasher.update(canonical_bytes(entry));
    hex::encode(hasher.finalize())
}

/// Why a chain does not verify, naming the first broken entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainBreak {
    /// The entry's sequence number is not the one after its predecessor's.
    Gap {
        /// The sequence number expected.
        expected: i64,
        /// The one found.
        found: i64,
    },
    /// The entry does not point at its predecessor's hash.
    WrongLink {
        /// The entry.
        seq: i64,
    },
    /// The entry's content does not match its hash: it was edited after it was written.
    Tampered {
        /// The entry.
        seq: i64,
    },
    /// An entry records a digest of data that no longer matches the data.
    DataChanged {
        /// The entry.
        seq: i64,
        /// What changed.
        detail: String,
    },
}

impl std::fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChainBreak::Gap { expected, found } => write!(
                f,
                "entry {expected} is missing (the next entry found is {found}): entries were deleted"
            ),
            ChainBreak::WrongLink { seq } => write!(
                f,
                "entry {seq} does not point at the hash of entry {}: the chain was rewritten",
                seq - 1
            ),
            ChainBreak::Tampered { seq } => write!(
                f,
                "entry {seq} does not match its hash: it was edited after it was written"
            ),
            ChainBreak::DataChanged { seq, detail } => {
                write!(f, "the data recorded by entry {seq} has changed: {detail}")
            }
        }
    }
}

/// Walks entries in sequence order and checks each link; stops at the first break.
#[derive(Debug)]
pub struct ChainVerifier {
    expected_seq: i64,
    prev_hash: String,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        ChainVerifier {
            expected_seq: 1,
            prev_hash: GENESIS_HASH.to_string(),
        }
    }
}

impl ChainVerifier {
    /// Checks the next entry of the chain.
    pub fn check(&mut self, entry: &AuditEntry) -> Result<(), ChainBreak> {
        if entry.seq != self.expected_seq {
            return Err(ChainBreak::Gap {
                expected: self.expected_seq,
                found: entry.seq,
            });
        }
        if entry.prev_hash != self.prev_hash {
            return Err(ChainBreak::WrongLink { seq: entry.seq });
        }
        if entry_hash(entry) != entry.hash {
            return Err(ChainBreak::Tampered { seq: entry.seq });
        }
        self.expected_seq += 1;
        self.prev_hash.clone_from(&entry.hash);
        Ok(())
    }

    /// The number of entries checked so far.
    pub fn entries_checked(&self) -> i64 {
        self.expected_seq - 1
    }

    /// The hash of the last entry checked (the head of the chain).
    pub fn head(&self) -> &str {
        &self.prev_hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditEntry> {
        let mut prev = GENESIS_HASH.to_string();
        (1..=n)
            .map(|seq| {
                let mut entry = AuditEntry {
                    seq,
                    at: "2026-01-01T00:00:00.000Z".into(),
                    actor: "cli:test".into(),
                    action: "import".into(),
                    entity: "source".into(),
                    entity_id: seq.to_string(),
                    payload: format!("{{\"rows\":{seq}}}"),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                entry.hash = entry_hash(&entry);
                prev.clone_from(&entry.hash);
                entry
            })
            .collect()
    }

    fn verify(entries: &[AuditEntry]) -> Result<(), ChainBreak> {
        let mut verifier = ChainVerifier::default();
        entries.iter().try_for_each(|e| verifier.check(e))
    }

    #[test]
    fn an_untouched_chain_verifies() {
        assert_eq!(verify(&chain(5)), Ok(()));
    }

    #[test]
    fn an_edited_payload_is_named() {
        let mut entries = chain(5);
        entries[2].payload = "{\"rows\":99}".into();
        assert_eq!(verify(&entries), Err(ChainBreak::Tampered { seq: 3 }));
    }

    #[test]
    fn an_edit_with_a_recomputed_hash_breaks_the_next_link() {
        let mut entries = chain(5);
        entries[2].actor = "someone-else".into();
        entries[2].hash = entry_hash(&entries[2]);
        assert_eq!(verify(&entries), Err(ChainBreak::WrongLink { seq: 4 }));
    }

    #[test]
    fn a_deleted_entry_is_named() {
        let mut entries = chain(5);
        entries.remove(1);
        assert_eq!(
            verify(&entries),
            Err(ChainBreak::Gap {
                expected: 2,
                found: 3
            })
        );
    }
}
