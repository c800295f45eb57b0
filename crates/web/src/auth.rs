//! Who is asking: passwords (Argon2id), random tokens, the session cookie, API bearer tokens,
//! CSRF tokens and the throttling of failed logins.
//!
//! Only hashes reach the registry: the password's Argon2id PHC string, and the SHA-256 of
//! session and API tokens (they are 256-bit random values, so a fast hash is enough).

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::http::HeaderMap;
use rand::Rng;
use sha2::{Digest, Sha256};
use store::accounts::StoredUser;

/// The cookie that carries the session token.
pub(crate) const SESSION_COOKIE: &str = "whereabouts_session";

/// The cookie that carries the login form's CSRF token (before there is a session).
pub(crate) const LOGIN_CSRF_COOKIE: &str = "whereabouts_login_csrf";

/// Failed logins allowed per account within [`THROTTLE_MINUTES`].
pub(crate) const MAX_FAILED_LOGINS: u64 = 5;

/// The window over which failed logins are counted.
pub(crate) const THROTTLE_MINUTES: i64 = 15;

/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// The longest login name a login form may send: longer ones are refused before the registry
/// is asked (each failed login is written down under its name).
pub(crate) const MAX_LOGIN_CHARS: usize = 128;

/// The longest password a form may send to be checked or set: Argon2 reads all of it.
pub(crate) const MAX_PASSWORD_CHARS: usize = 1024;

/// Whether a login form's name and password are short enough to check at all.
pub(crate) fn credentials_fit(login: &str, password: &str) -> bool {
    login.chars().count() <= MAX_LOGIN_CHARS && password.chars().count() <= MAX_PASSWORD_CHARS
}

/// Runs a password hash or check on the blocking threads, as many at a time as `limit` allows
/// (one per core, [`crate::state::AppState`]): each takes Argon2's 19 MiB, so three hundred
/// logins at once had taken 1.6 GB; now a burst waits its turn.
pub(crate) async fn password_work<T: Send + 'static>(
    limit: &tokio::sync::Semaphore,
    work: impl FnOnce() -> T + Send + 'static,
) -> anyhow::Result<T> {
    let _permit = limit
        .acquire()
        .await
        .map_err(|e| anyhow::anyhow!("the password checks stopped: {e}"))?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| anyhow::anyhow!("the password check failed: {e}"))
}

/// A hash of a random password, checked against when a login does not exist, so that an
/// unknown login takes as long to refuse as a wrong password.
pub(crate) static DUMMY_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| hash_password(&random_token()).unwrap_or_default());

/// Hashes a password with Argon2id and a random salt (PHC string).
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt)
        .map_err(|e| anyhow::anyhow!("cannot encode a password salt: {e}"))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| anyhow::anyhow!("cannot hash the password: {e}"))
}

/// Whether `password` matches the stored PHC string.
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|hash| {
            Argon2::default()
                .verify_password(password.as_bytes(), &hash)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Refuses a password that is too short, saying what is needed.
pub fn check_new_password(password: &str) -> Result<(), String> {
    let length = password.chars().count();
    if length < MIN_PASSWORD_CHARS {
        return Err(format!(
            "a password needs at least {MIN_PASSWORD_CHARS} characters"
        ));
    }
    if length > MAX_PASSWORD_CHARS {
        return Err(format!(
            "a password may have at most {MAX_PASSWORD_CHARS} characters"
        ));
    }
    Ok(())
}

/// A new random token: 32 bytes, hex-encoded.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// A readable one-time password (for `init` and `user add`): 20 characters from an
/// alphabet without look-alikes.
pub fn one_time_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzACDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..20)
        .map(|_| {
            let mut byte = [0u8; 1];
            loop {
                rng.fill_bytes(&mut byte);
                // Rejection sampling keeps every character equally likely.
                if usize::from(byte[0]) < 256 - 256 % ALPHABET.len() {
                    return char::from(ALPHABET[usize::from(byte[0]) % ALPHABET.len()]);
                }
            }
        })
        .collect()
}

/// The SHA-256 of a token, as stored.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Compares two secrets in time independent of where they differ.
pub(crate) fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The value of a cookie in the request, if present.
pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_string())
}

/// The bearer token of an API request, if present.
pub(crate) fn bearer_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(|t| t.trim().to_string())
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Strict, path `/`, `Secure` when asked.
pub(crate) fn set_cookie(name: &str, value: &str, max_age_seconds: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_seconds}{secure}")
}

/// The account behind a request, with its session's CSRF token (absent for API tokens).
#[derive(Debug, Clone)]
pub(crate) struct CurrentUser {
    pub(crate) user: StoredUser,
    pub(crate) csrf: Option<String>,
    pub(crate) session_hash: Option<String>,
}

impl CurrentUser {
    /// Refuses a form whose CSRF token is not this session's.
    pub(crate) fn check_csrf(&self, sent: &str) -> Result<(), crate::error::WebError> {
        match &self.csrf {
            Some(expected) if same_secret(expected, sent) => Ok(()),
            _ => Err(crate::error::WebError::Csrf),
        }
    }

    /// The actor named in the audit chain: `web:<login>`.
    pub(crate) fn actor(&self) -> domain::actor::Actor {
        domain::actor::Actor::web(&self.user.login)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_hash_only() -> anyhow::Result<()> {
        let hash = hash_password("correct horse battery")?;
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse batterz", &hash));
        assert!(!verify_password("anything", "not a hash"));
        Ok(())
    }

    #[test]
    fn one_time_passwords_are_long_and_differ() {
        let a = one_time_password();
        assert_eq!(a.chars().count(), 20);
        assert_ne!(a, one_time_password());
        assert!(check_new_password(&a).is_ok());
        assert!(check_new_password("short").is_err());
    }

    #[test]
    fn cookies_are_read_by_exact_name() {
        let mut headers = HeaderMap::new();
        let value =
            axum::http::HeaderValue::from_static("a_whereabouts_session=x; whereabouts_session=y");
        headers.insert(axum::http::header::COOKIE, value);
        assert_eq!(cookie(&headers, SESSION_COOKIE).as_deref(), Some("y"));
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "ab"));
    }
}
