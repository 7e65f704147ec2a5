//! Portal accounts: users, their (organisation, role) memberships, the lockout counter, the TOTP
//! second factor's stored state and linked OpenID Connect identities. Passwords are hashed and
//! TOTP secrets sealed by the caller (the server); this layer keeps what it is given.
//!
//! Invariants:
//! - A user has at least one membership; every role is one of [`ROLES`] and every organisation
//!   one this node has set up. A bad membership list is refused whole and changes nothing.
//! - A TOTP time step is accepted at most once per user ([`Store::use_totp_step`] is one
//!   conditional UPDATE), so a code cannot be replayed even by two requests at once.
//! - An external identity (issuer, subject) names at most one user.
use crate::{new_id, Result, Store, StoreError};
use sqlx::Row;

/// The role strings a membership may hold.
pub const ROLES: &[&str] = &[
    "admin",
    "hr",
    "medical-staffing",
    "training",
    "oh",
    "auditor",
    "registry-admin",
];

/// A stored password hash that never verifies: an account that signs in only through OpenID
/// Connect. (Not a PHC string, so no password matches it.)
pub const NO_PASSWORD: &str = "!";

/// The user as a signed-in session sees them: `org` and `role` are the membership the session
/// acts for (see [`Store::session`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: String,
    pub org: String,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub password_hash: String,
}

/// One organisation and role a user may act as.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Membership {
    pub org: String,
    pub role: String,
}

impl Membership {
    pub fn new(org: &str, role: &str) -> Membership {
        Membership {
            org: org.into(),
            role: role.into(),
        }
    }
}

/// What signing in needs to know about an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub failed_attempts: i64,
    /// Unix time until which the account refuses sign-in (0 or past: not locked).
    pub locked_until: i64,
    /// The sealed TOTP secret, once enrolment has been confirmed.
    pub totp_secret: Option<String>,
}

impl Account {
    pub fn locked(&self, now: i64) -> bool {
        self.locked_until > now
    }
}

const ACCOUNT_COLUMNS: &str =
    "id, username, display_name, password_hash, failed_attempts, locked_until, totp_secret";

fn account_row(r: &sqlx::any::AnyRow) -> Result<Account> {
    Ok(Account {
        id: r.try_get("id")?,
        username: r.try_get("username")?,
        display_name: r.try_get("display_name")?,
        password_hash: r.try_get("password_hash")?,
        failed_attempts: r.try_get("failed_attempts")?,
        locked_until: r.try_get("locked_until")?,
        totp_secret: r.try_get("totp_secret")?,
    })
}

/// Checks a membership list before anything is written.
fn check_memberships(memberships: &[Membership]) -> Result<()> {
    if memberships.is_empty() {
        return Err(StoreError::Invalid(
            "a user needs at least one membership".into(),
        ));
    }
    for m in memberships {
        if !ROLES.contains(&m.role.as_str()) {
            return Err(StoreError::Invalid(format!(
                "role {:?} is not one of {}",
                m.role,
                ROLES.join(", ")
            )));
        }
    }
    Ok(())
}

impl Store {
    /// Creates a user with the one membership (`org`, `role`), or updates the one with this
    /// username and makes that its only membership (the demo re-seeds on restart).
    pub async fn upsert_user(
        &self,
        org: &str,
        username: &str,
        display_name: &str,
        role: &str,
        password_hash: &str,
        now: i64,
    ) -> Result<String> {
        self.upsert_account(
            username,
            display_name,
            password_hash,
            &[Membership::new(org, role)],
            now,
        )
        .await
    }

    /// Creates a user, or updates the one with this username; its memberships become exactly
    /// `memberships` (in one transaction: a bad list changes nothing).
    pub async fn upsert_account(
        &self,
        username: &str,
        display_name: &str,
        password_hash: &str,
        memberships: &[Membership],
        now: i64,
    ) -> Result<String> {
        check_memberships(memberships)?;
        let first = &memberships[0];
        let mut tx = self.pool.begin().await?;
        for m in memberships {
            let known: Option<String> =
                sqlx::query_scalar("SELECT ods_code FROM organisations WHERE ods_code = $1")
                    .bind(&m.org)
                    .fetch_optional(&mut *tx)
                    .await?;
            if known.is_none() {
                return Err(StoreError::Invalid(format!(
                    "organisation {} is not set up on this node",
                    m.org
                )));
            }
        }
        let id: String = sqlx::query_scalar(
            "INSERT INTO users (id, org, username, display_name, role, password_hash, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (username) DO UPDATE SET org = $2, display_name = $4, role = $5, password_hash = $6 \
             RETURNING id",
        )
        .bind(new_id("u-"))
        .bind(&first.org)
        .bind(username)
        .bind(display_name)
        .bind(&first.role)
        .bind(password_hash)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM memberships WHERE user_id = $1")
            .bind(&id)
            .execute(&mut *tx)
            .await?;
        for m in memberships {
            sqlx::query(
                "INSERT INTO memberships (user_id, org, role, created_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (user_id, org, role) DO NOTHING",
            )
            .bind(&id)
            .bind(&m.org)
            .bind(&m.role)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    pub async fn account_by_username(&self, username: &str) -> Result<Option<Account>> {
        let row = sqlx::query(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM users WHERE username = $1"
        ))
        .bind(username)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(account_row).transpose()
    }

    pub async fn account(&self, user_id: &str) -> Result<Option<Account>> {
        let row = sqlx::query(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM users WHERE id = $1"
        ))
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(account_row).transpose()
    }

    /// The user's memberships, ordered by organisation then role.
    pub async fn memberships(&self, user_id: &str) -> Result<Vec<Membership>> {
        let rows =
            sqlx::query("SELECT org, role FROM memberships WHERE user_id = $1 ORDER BY org, role")
                .bind(user_id)
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|r| {
                Ok(Membership {
                    org: r.try_get("org")?,
                    role: r.try_get("role")?,
                })
            })
            .collect()
    }

    /// Counts a failed sign-in. The `threshold`-th failure in a row locks the account until
    /// `now + lock_secs` and starts the count again. Returns true if this failure locked it.
    pub async fn record_failed_sign_in(
        &self,
        user_id: &str,
        threshold: i64,
        lock_secs: i64,
        now: i64,
    ) -> Result<bool> {
        // One statement: every right-hand side reads the row as it was, on both databases.
        let locked_until: Option<i64> = sqlx::query_scalar(
            "UPDATE users SET \
             failed_attempts = CASE WHEN failed_attempts + 1 >= $2 THEN 0 ELSE failed_attempts + 1 END, \
             locked_until = CASE WHEN failed_attempts + 1 >= $2 THEN $3 ELSE locked_until END \
             WHERE id = $1 RETURNING locked_until",
        )
        .bind(user_id)
        .bind(threshold.max(1))
        .bind(now + lock_secs)
        .fetch_optional(&self.pool)
        .await?;
        Ok(locked_until == Some(now + lock_secs))
    }

    /// Lifts a lock at once (an administrator's `passport user unlock`), and clears the count.
    pub async fn unlock_account(&self, user_id: &str) -> Result<bool> {
        let done =
            sqlx::query("UPDATE users SET locked_until = 0, failed_attempts = 0 WHERE id = $1")
                .bind(user_id)
                .execute(&self.pool)
                .await?;
        Ok(done.rows_affected() == 1)
    }

    /// A successful sign-in: the failure count starts again.
    pub async fn clear_failed_sign_ins(&self, user_id: &str) -> Result<()> {
        sqlx::query("UPDATE users SET failed_attempts = 0 WHERE id = $1")
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Keeps a newly offered (sealed) TOTP secret until the user confirms it with a code.
    pub async fn set_totp_pending(&self, user_id: &str, sealed: &str) -> Result<()> {
        sqlx::query("UPDATE users SET totp_pending = $2 WHERE id = $1")
            .bind(user_id)
            .bind(sealed)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn totp_pending(&self, user_id: &str) -> Result<Option<String>> {
        let pending: Option<Option<String>> =
            sqlx::query_scalar("SELECT totp_pending FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(pending.flatten())
    }

    /// Confirms enrolment: the pending secret `sealed` becomes the account's secret, and the
    /// step of the confirming code counts as used. False (nothing changed) if the pending secret
    /// is no longer `sealed` (another enrolment page was opened since) or TOTP is already on.
    pub async fn enable_totp(&self, user_id: &str, sealed: &str, step: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE users SET totp_secret = totp_pending, totp_pending = NULL, totp_last_step = $3 \
             WHERE id = $1 AND totp_pending = $2 AND totp_secret IS NULL",
        )
        .bind(user_id)
        .bind(sealed)
        .bind(step)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Accepts TOTP time step `step` for the user if no step at or after it was accepted
    /// before. True once per step; a replayed (or older) code is false.
    pub async fn use_totp_step(&self, user_id: &str, step: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE users SET totp_last_step = $2 WHERE id = $1 AND totp_last_step < $2 \
             AND totp_secret IS NOT NULL",
        )
        .bind(user_id)
        .bind(step)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Links an OpenID Connect identity to a user. Linking the same identity to the same user
    /// again changes nothing; to another user it is a conflict.
    pub async fn link_identity(
        &self,
        user_id: &str,
        issuer: &str,
        subject: &str,
        now: i64,
    ) -> Result<()> {
        if issuer.is_empty() || subject.is_empty() {
            return Err(StoreError::Invalid(
                "an identity needs an issuer and a subject".into(),
            ));
        }
        sqlx::query(
            "INSERT INTO external_identities (issuer, subject, user_id, created_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (issuer, subject) DO NOTHING",
        )
        .bind(issuer)
        .bind(subject)
        .bind(user_id)
        .bind(now)
        .execute(&self.pool)
        .await?;
        match self.user_by_identity(issuer, subject).await? {
            Some(owner) if owner == user_id => Ok(()),
            _ => Err(StoreError::Conflict(format!(
                "the identity {subject} of {issuer} is linked to another user"
            ))),
        }
    }

    /// The user an OpenID Connect identity is linked to.
    pub async fn user_by_identity(&self, issuer: &str, subject: &str) -> Result<Option<String>> {
        Ok(sqlx::query_scalar(
            "SELECT user_id FROM external_identities WHERE issuer = $1 AND subject = $2",
        )
        .bind(issuer)
        .bind(subject)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// How many identities are linked to the user (the account page says whether single
    /// sign-on is set up).
    pub async fn identity_count(&self, user_id: &str) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM external_identities WHERE user_id = $1")
                .bind(user_id)
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// The value of account setting `name`, storing `value` first if there is none (so two
    /// servers starting at once agree on one value).
    pub async fn account_setting_or_insert(&self, name: &str, value: &str) -> Result<String> {
        sqlx::query(
            "INSERT INTO account_settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(value)
        .execute(&self.pool)
        .await?;
        Ok(
            sqlx::query_scalar("SELECT value FROM account_settings WHERE name = $1")
                .bind(name)
                .fetch_one(&self.pool)
                .await?,
        )
    }
}
