//! SQLite statements for accounts: users, sessions, API tokens and failed logins.
//!
//! Creating, changing and disabling an account is audited; sessions and failed logins are
//! bookkeeping and are not.

use crate::StoreError;
use crate::accounts::{LiveSession, NewUser, StoredUser};
use crate::error::DbContext;
use crate::sqlite::{SqliteBackend, append_audit, now};
use domain::account::Role;
use domain::actor::Actor;
use domain::ids::UserId;
use serde_json::json;
use sqlx::Row;

/// The columns `decode_user` reads, from `users u`.
macro_rules! user_columns {
    () => {
        "u.id, u.login, u.role, u.password_hash, u.must_change_password, u.disabled_at"
    };
}

fn decode_user(row: &sqlx::sqlite::SqliteRow) -> Result<StoredUser, StoreError> {
    let role: String = row.try_get(2).context("reading users")?;
    Ok(StoredUser {
        id: UserId(row.try_get(0).context("reading users")?),
        login: row.try_get(1).context("reading users")?,
        role: Role::parse(&role)
            .ok_or_else(|| StoreError::Corrupt(format!("an account has the role `{role}`")))?,
        password_hash: row.try_get(3).context("reading users")?,
        must_change_password: row.try_get::<i64, _>(4).context("reading users")? != 0,
        disabled: row
            .try_get::<Option<String>, _>(5)
            .context("reading users")?
            .is_some(),
    })
}

impl SqliteBackend {
    pub(crate) async fn create_user(
        &self,
        user: &NewUser,
        actor: &Actor,
    ) -> Result<UserId, StoreError> {
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .context("creating an account")?;
        let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE login = ?")
            .bind(&user.login)
            .fetch_optional(&mut *tx)
            .await
            .context("creating an account")?;
        if taken.is_some() {
            return Err(StoreError::Conflict(format!(
                "an account named `{}` exists already; choose another login",
                user.login
            )));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO users (login, role, password_hash, must_change_password, created_by,
                                created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(&user.login)
        .bind(user.role.as_str())
        .bind(&user.password_hash)
        .bind(i64::from(user.must_change_password))
        .bind(actor.as_str().to_string())
        .bind(now())
        .fetch_one(&mut *tx)
        .await
        .context("creating an account")?;
        let payload = json!({ "login": user.login, "role": user.role.as_str() });
        append_audit(&mut tx, actor, "create", "user", &id.to_string(), &payload).await?;
        tx.commit().await.context("creating an account")?;
        Ok(UserId(id))
    }

    pub(crate) async fn users(&self) -> Result<Vec<StoredUser>, StoreError> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            user_columns!(),
            " FROM users u ORDER BY u.login"
        ))
        .fetch_all(&self.pool)
        .await
        .context("listing accounts")?;
        rows.iter().map(decode_user).collect()
    }

    pub(crate) async fn user_by_login(
        &self,
        login: &str,
    ) -> Result<Option<StoredUser>, StoreError> {
        let row = sqlx::query(concat!(
            "SELECT ",
            user_columns!(),
            " FROM users u WHERE u.login = ?"
        ))
        .bind(login)
        .fetch_optional(&self.pool)
        .await
        .context("reading an account")?;
        row.as_ref().map(decode_user).transpose()
    }

    /// Changes an account: its password hash (and whether it must be changed again), or
    /// disables it. Every change ends the account's sessions.
    pub(crate) async fn change_user(
        &self,
        login: &str,
        change: UserChange<'_>,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .context("changing an account")?;
        let id: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE login = ?")
            .bind(login)
            .fetch_optional(&mut *tx)
            .await
            .context("changing an account")?;
        let id = id.ok_or_else(|| {
            StoreError::NotFound(format!(
                "no account named `{login}` (see `whereabouts user list`)"
            ))
        })?;
        let (action, statement) = match change {
            UserChange::Password { hash, must_change } => (
                "set_password",
                sqlx::query(
                    "UPDATE users SET password_hash = ?, must_change_password = ? WHERE id = ?",
                )
                .bind(hash.to_string())
                .bind(i64::from(must_change)),
            ),
            UserChange::Disable => (
                "disable",
                sqlx::query("UPDATE users SET disabled_at = ? WHERE id = ?").bind(now()),
            ),
        };
        statement
            .bind(id)
            .execute(&mut *tx)
            .await
            .context("changing an account")?;
        sqlx::query("DELETE FROM sessions WHERE user_id = ?")
            .bind(id)
            .execute(&mut *tx)
            .await
            .context("ending the account's sessions")?;
        if matches!(change, UserChange::Disable) {
            sqlx::query(
                "UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
            )
            .bind(now())
            .bind(id)
            .execute(&mut *tx)
            .await
            .context("revoking the account's tokens")?;
        }
        let payload = json!({ "login": login });
        append_audit(&mut tx, actor, action, "user", &id.to_string(), &payload).await?;
        tx.commit().await.context("changing an account")?;
        Ok(())
    }

    pub(crate) async fn create_session(
        &self,
        user: UserId,
        token_sha256: &str,
        csrf_token: &str,
        expires_at: &str,
        replaces: Option<&str>,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.context("starting a session")?;
        let started = now();
        sqlx::query("DELETE FROM sessions WHERE token_sha256 = ? OR expires_at <= ?")
            .bind(replaces)
            .bind(&started)
            .execute(&mut *tx)
            .await
            .context("ending the sessions a new one replaces")?;
        sqlx::query(
            "INSERT INTO sessions (token_sha256, user_id, csrf_token, created_at, expires_at)
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(token_sha256)
        .bind(user.get())
        .bind(csrf_token)
        .bind(&started)
        .bind(expires_at)
        .execute(&mut *tx)
        .await
        .context("starting a session")?;
        tx.commit().await.context("starting a session")?;
        Ok(())
    }

    pub(crate) async fn live_session(
        &self,
        token_sha256: &str,
    ) -> Result<Option<LiveSession>, StoreError> {
        let row = sqlx::query(concat!(
            "SELECT ",
            user_columns!(),
            ", s.csrf_token FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_sha256 = ? AND s.expires_at > ? AND u.disabled_at IS NULL"
        ))
        .bind(token_sha256)
        .bind(now())
        .fetch_optional(&self.pool)
        .await
        .context("reading a session")?;
        row.map(|row| {
            Ok(LiveSession {
                user: decode_user(&row)?,
                csrf_token: row.try_get(6).context("reading a session")?,
            })
        })
        .transpose()
    }

    pub(crate) async fn end_session(&self, token_sha256: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE token_sha256 = ? OR expires_at <= ?")
            .bind(token_sha256)
            .bind(now())
            .execute(&self.pool)
            .await
            .context("ending a session")?;
        Ok(())
    }

    pub(crate) async fn create_api_token(
        &self,
        login: &str,
        token_sha256: &str,
        label: &str,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .context("creating an API token")?;
        let id: Option<i64> =
            sqlx::query_scalar("SELECT id FROM users WHERE login = ? AND disabled_at IS NULL")
                .bind(login)
                .fetch_optional(&mut *tx)
                .await
                .context("creating an API token")?;
        let id =
            id.ok_or_else(|| StoreError::NotFound(format!("no enabled account named `{login}`")))?;
        sqlx::query(
            "INSERT INTO api_tokens (token_sha256, user_id, label, created_at) VALUES (?, ?, ?, ?)",
        )
        .bind(token_sha256)
        .bind(id)
        .bind(label)
        .bind(now())
        .execute(&mut *tx)
        .await
        .context("creating an API token")?;
        let payload = json!({ "login": login, "label": label });
        append_audit(
            &mut tx,
            actor,
            "create_token",
            "user",
            &id.to_string(),
            &payload,
        )
        .await?;
        tx.commit().await.context("creating an API token")?;
        Ok(())
    }

    pub(crate) async fn api_token_user(
        &self,
        token_sha256: &str,
    ) -> Result<Option<StoredUser>, StoreError> {
        let row = sqlx::query(concat!(
            "SELECT ",
            user_columns!(),
            " FROM api_tokens t JOIN users u ON u.id = t.user_id
             WHERE t.token_sha256 = ? AND t.revoked_at IS NULL AND u.disabled_at IS NULL"
        ))
        .bind(token_sha256)
        .fetch_optional(&self.pool)
        .await
        .context("reading an API token")?;
        row.as_ref().map(decode_user).transpose()
    }

    pub(crate) async fn record_login_attempt(
        &self,
        login: &str,
        since: &str,
        allowed: u64,
    ) -> Result<bool, StoreError> {
        sqlx::query("DELETE FROM login_failures WHERE at <= ?")
            .bind(since)
            .execute(&self.pool)
            .await
            .context("forgetting login attempts past the window")?;
        let id: i64 =
            sqlx::query_scalar("INSERT INTO login_failures (login, at) VALUES (?, ?) RETURNING id")
                .bind(login)
                .bind(now())
                .fetch_one(&self.pool)
                .await
                .context("recording a login attempt")?;
        let count: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM login_failures WHERE login = ? AND at > ? AND id <= ?",
        )
        .bind(login)
        .bind(since)
        .bind(id)
        .fetch_one(&self.pool)
        .await
        .context("counting login attempts")?;
        let within = count as u64 <= allowed;
        if !within {
            sqlx::query("DELETE FROM login_failures WHERE id = ?")
                .bind(id)
                .execute(&self.pool)
                .await
                .context("forgetting a refused login attempt")?;
        }
        Ok(within)
    }

    pub(crate) async fn clear_login_failures(&self, login: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM login_failures WHERE login = ?")
            .bind(login)
            .execute(&self.pool)
            .await
            .context("clearing failed logins")?;
        Ok(())
    }
}

/// A change to an account.
#[derive(Debug, Clone, Copy)]
pub enum UserChange<'a> {
    /// A new password hash; `must_change` when it was generated for the user.
    Password {
        /// The Argon2id PHC string.
        hash: &'a str,
        /// Whether the user must change it at next login.
        must_change: bool,
    },
    /// The account can no longer log in; its sessions end and its tokens are revoked.
    Disable,
}
