//! Portal sessions, kept as token hashes. A session is either part-way through signing in
//! ([`Stage::Totp`], [`Stage::Enrol`], [`Stage::Choose`]) or active and acting for exactly one of
//! its user's memberships. OpenID Connect flows in flight live here too.
//!
//! Invariants:
//! - [`Store::session`] returns only active sessions whose acting membership the user still
//!   holds: removing a membership ends the sessions acting for it.
//! - A session moves to a membership only in one conditional UPDATE that checks the user holds
//!   it, so a forged choice changes nothing.
//! - An OpenID Connect flow is found by the hash of its `state` and taken once.
use crate::accounts::{Membership, User};
use crate::{sha256_hex, Result, Store, StoreError};
use sqlx::Row;

/// A signed-in session: `user.org` and `user.role` are the membership it acts for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub user: User,
    pub csrf: String,
    pub expires_at: i64,
}

/// Where a session is in signing in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Password checked; the TOTP code is next.
    Totp,
    /// Password checked; the deployment requires TOTP and the user must set it up first.
    Enrol,
    /// Signed in; the user holds several memberships and must pick one.
    Choose,
    /// Acting for one membership.
    Active,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Totp => "totp",
            Stage::Enrol => "enrol",
            Stage::Choose => "choose",
            Stage::Active => "active",
        }
    }

    fn parse(text: &str) -> Option<Stage> {
        Some(match text {
            "totp" => Stage::Totp,
            "enrol" => Stage::Enrol,
            "choose" => Stage::Choose,
            "active" => Stage::Active,
            _ => return None,
        })
    }
}

/// A session not yet acting for a membership.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingSession {
    pub user_id: String,
    pub stage: Stage,
    pub csrf: String,
    pub expires_at: i64,
}

impl Store {
    /// Starts a session at `stage`; an active one acts for `acting`, which the user must hold
    /// (false and nothing stored otherwise). The caller keeps `token` in a cookie, the store
    /// only its hash.
    #[allow(clippy::too_many_arguments)]
    pub async fn start_session(
        &self,
        user_id: &str,
        token: &str,
        csrf: &str,
        stage: Stage,
        acting: Option<&Membership>,
        now: i64,
        ttl_secs: i64,
    ) -> Result<bool> {
        let (org, role) = match (stage, acting) {
            (Stage::Active, Some(m)) => (Some(m.org.as_str()), Some(m.role.as_str())),
            (Stage::Active, None) => return Ok(false),
            _ => (None, None),
        };
        let done = sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at, stage, acting_org, acting_role) \
             SELECT $1, $2, $3, $4, $5, $6, $7, $8 \
             WHERE $6 <> 'active' OR EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = $2 AND m.org = $7 AND m.role = $8)",
        )
        .bind(sha256_hex(token.as_bytes()))
        .bind(user_id)
        .bind(csrf)
        .bind(now)
        .bind(now + ttl_secs)
        .bind(stage.as_str())
        .bind(org)
        .bind(role)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The active session of `token`, acting for a membership its user still holds.
    pub async fn session(&self, token: &str, now: i64) -> Result<Option<Session>> {
        let row = sqlx::query(
            "SELECT u.id, m.org, u.username, u.display_name, m.role, u.password_hash, s.csrf, s.expires_at \
             FROM sessions s JOIN users u ON u.id = s.user_id \
             JOIN memberships m ON m.user_id = s.user_id AND m.org = s.acting_org AND m.role = s.acting_role \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND s.stage = 'active'",
        )
        .bind(sha256_hex(token.as_bytes()))
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(Session {
                user: User {
                    id: r.try_get("id")?,
                    org: r.try_get("org")?,
                    username: r.try_get("username")?,
                    display_name: r.try_get("display_name")?,
                    role: r.try_get("role")?,
                    password_hash: r.try_get("password_hash")?,
                },
                csrf: r.try_get("csrf")?,
                expires_at: r.try_get("expires_at")?,
            })
        })
        .transpose()
    }

    /// The session of `token` if it is still part-way through signing in.
    pub async fn pending_session(&self, token: &str, now: i64) -> Result<Option<PendingSession>> {
        let row = sqlx::query(
            "SELECT user_id, stage, csrf, expires_at FROM sessions \
             WHERE token_hash = $1 AND expires_at > $2 AND stage <> 'active'",
        )
        .bind(sha256_hex(token.as_bytes()))
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else { return Ok(None) };
        let stage: String = r.try_get("stage")?;
        let stage = Stage::parse(&stage)
            .ok_or_else(|| StoreError::Corrupt(format!("session stage {stage:?}")))?;
        Ok(Some(PendingSession {
            user_id: r.try_get("user_id")?,
            stage,
            csrf: r.try_get("csrf")?,
            expires_at: r.try_get("expires_at")?,
        }))
    }

    /// Moves a pending session from stage `from` to `to` (not active: see
    /// [`Store::act_as`]). False, and nothing changed, if it is not at `from` any more.
    pub async fn advance_session(
        &self,
        token: &str,
        from: Stage,
        to: Stage,
        now: i64,
    ) -> Result<bool> {
        if to == Stage::Active || from == Stage::Active {
            return Ok(false);
        }
        let done = sqlx::query(
            "UPDATE sessions SET stage = $3 WHERE token_hash = $1 AND stage = $2 AND expires_at > $4",
        )
        .bind(sha256_hex(token.as_bytes()))
        .bind(from.as_str())
        .bind(to.as_str())
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Makes the session of `token` (pending at `from`, or already active: switching) act for
    /// `membership`, with a new lifetime of `ttl_secs`. False, and nothing changed, if its user
    /// does not hold that membership or the session is not at `from` or active.
    pub async fn act_as(
        &self,
        token: &str,
        from: Stage,
        membership: &Membership,
        now: i64,
        ttl_secs: i64,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE sessions SET stage = 'active', acting_org = $3, acting_role = $4, \
             expires_at = CASE WHEN stage = 'active' THEN expires_at ELSE $6 END \
             WHERE token_hash = $1 AND (stage = $2 OR stage = 'active') AND expires_at > $5 \
             AND EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = sessions.user_id AND m.org = $3 AND m.role = $4)",
        )
        .bind(sha256_hex(token.as_bytes()))
        .bind(from.as_str())
        .bind(&membership.org)
        .bind(&membership.role)
        .bind(now)
        .bind(now + ttl_secs)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn end_session(&self, token: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(sha256_hex(token.as_bytes()))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Records an OpenID Connect authorisation request in flight.
    pub async fn create_oidc_flow(
        &self,
        state: &str,
        nonce: &str,
        code_verifier: &str,
        now: i64,
        ttl_secs: i64,
    ) -> Result<()> {
        sqlx::query("DELETE FROM oidc_flows WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.pool)
            .await?;
        sqlx::query(
            "INSERT INTO oidc_flows (state_hash, nonce, code_verifier, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(sha256_hex(state.as_bytes()))
        .bind(nonce)
        .bind(code_verifier)
        .bind(now)
        .bind(now + ttl_secs)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Takes the flow of `state` (its nonce and PKCE code verifier): once, and only before it
    /// expires.
    pub async fn take_oidc_flow(&self, state: &str, now: i64) -> Result<Option<(String, String)>> {
        let row = sqlx::query(
            "DELETE FROM oidc_flows WHERE state_hash = $1 RETURNING nonce, code_verifier, expires_at",
        )
        .bind(sha256_hex(state.as_bytes()))
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else { return Ok(None) };
        let expires_at: i64 = r.try_get("expires_at")?;
        if expires_at <= now {
            return Ok(None);
        }
        Ok(Some((r.try_get("nonce")?, r.try_get("code_verifier")?)))
    }
}
