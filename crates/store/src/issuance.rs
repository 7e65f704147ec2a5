//! OpenID4VCI state: offers (pre-authorised codes with a transaction code), access tokens and
//! the datasets they grant, single-use nonces, and the register of issued credentials.
use crate::people::record_row;
use crate::status::{allocate, StatusAllocation};
use crate::{new_id, sha256_hex, PersonRecord, Result, Store, StoreError};
use sqlx::Row;

/// Failed transaction-code attempts after which an offer is dead.
pub const MAX_TX_CODE_ATTEMPTS: i64 = 5;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    pub id: String,
    pub org: String,
    pub person_id: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub redeemed_at: Option<i64>,
    pub failed_attempts: i64,
}

/// Why a pre-authorised code was refused (the token endpoint answers `invalid_grant`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OfferState {
    Unknown,
    Expired,
    AlreadyUsed,
    TooManyAttempts,
    WrongTxCode { attempts_left: i64 },
}

impl std::fmt::Display for OfferState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OfferState::Unknown => write!(f, "unknown pre-authorized code"),
            OfferState::Expired => write!(f, "the credential offer has expired"),
            OfferState::AlreadyUsed => write!(f, "the pre-authorized code has already been used"),
            OfferState::TooManyAttempts => {
                write!(f, "too many wrong transaction codes: ask for a new offer")
            }
            OfferState::WrongTxCode { attempts_left } => {
                write!(f, "wrong transaction code ({attempts_left} attempts left)")
            }
        }
    }
}

/// One dataset an access token may fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub credential_identifier: String,
    pub record_id: String,
    pub type_name: String,
}

/// What a valid access token stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenContext {
    pub org: String,
    pub person_id: String,
    pub offer_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedCredential {
    pub id: String,
    pub person_id: String,
    pub record_id: String,
    pub type_name: String,
    pub list_id: i64,
    pub idx: i64,
    pub holder_jkt: String,
    pub issued_at: i64,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
    pub revoke_reason: Option<String>,
    pub wallet_event: Option<String>,
}

fn issued_row(r: &sqlx::any::AnyRow) -> Result<IssuedCredential> {
    Ok(IssuedCredential {
        id: r.try_get("id")?,
        person_id: r.try_get("person_id")?,
        record_id: r.try_get("record_id")?,
        type_name: r.try_get("type_name")?,
        list_id: r.try_get("list_id")?,
        idx: r.try_get("idx")?,
        holder_jkt: r.try_get("holder_jkt")?,
        issued_at: r.try_get("issued_at")?,
        expires_at: r.try_get("expires_at")?,
        revoked_at: r.try_get("revoked_at")?,
        revoke_reason: r.try_get("revoke_reason")?,
        wallet_event: r.try_get("wallet_event")?,
    })
}

const ISSUED_COLUMNS: &str = "id, person_id, record_id, type_name, list_id, idx, holder_jkt, \
     issued_at, expires_at, revoked_at, revoke_reason, wallet_event";

impl Store {
    /// Records an offer for a person of `org`.
    #[allow(clippy::too_many_arguments)] // one row's columns; a struct would only rename them The code and transaction code are kept hashed.
    pub async fn create_offer(
        &self,
        org: &str,
        person_id: &str,
        pre_authorized_code: &str,
        tx_code: &str,
        created_by: &str,
        now: i64,
        ttl_secs: i64,
    ) -> Result<Offer> {
        let id = new_id("o-");
        let done = sqlx::query(
            "INSERT INTO offers (id, org, person_id, code_hash, tx_code_hash, created_by, created_at, expires_at, failed_attempts) \
             SELECT $1, $2, $3, $4, $5, $6, $7, $8, 0 WHERE EXISTS (SELECT 1 FROM persons WHERE id = $3 AND org = $2)",
        )
        .bind(&id)
        .bind(org)
        .bind(person_id)
        .bind(sha256_hex(pre_authorized_code.as_bytes()))
        .bind(tx_hash(&id, tx_code))
        .bind(created_by)
        .bind(now)
        .bind(now + ttl_secs)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::NotFound(format!("person {person_id}")));
        }
        Ok(Offer {
            id,
            org: org.into(),
            person_id: person_id.into(),
            created_at: now,
            expires_at: now + ttl_secs,
            redeemed_at: None,
            failed_attempts: 0,
        })
    }

    /// The person of a live (unredeemed, unexpired, not locked) offer of `org`, by its code.
    pub async fn live_offer(&self, org: &str, code: &str, now: i64) -> Result<Option<String>> {
        Ok(sqlx::query_scalar(
            "SELECT person_id FROM offers WHERE org = $1 AND code_hash = $2 AND redeemed_at IS NULL \
             AND expires_at > $3 AND failed_attempts < $4",
        )
        .bind(org)
        .bind(sha256_hex(code.as_bytes()))
        .bind(now)
        .bind(MAX_TX_CODE_ATTEMPTS)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn offers_of(&self, org: &str, person_id: &str) -> Result<Vec<Offer>> {
        let rows = sqlx::query(
            "SELECT id, org, person_id, created_at, expires_at, redeemed_at, failed_attempts FROM offers \
             WHERE org = $1 AND person_id = $2 ORDER BY created_at DESC",
        )
        .bind(org)
        .bind(person_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Offer {
                    id: r.try_get("id")?,
                    org: r.try_get("org")?,
                    person_id: r.try_get("person_id")?,
                    created_at: r.try_get("created_at")?,
                    expires_at: r.try_get("expires_at")?,
                    redeemed_at: r.try_get("redeemed_at")?,
                    failed_attempts: r.try_get("failed_attempts")?,
                })
            })
            .collect()
    }

    /// Redeems a pre-authorised code of `org` with its transaction code, once. On success an
    /// access token is stored with one grant per current record of the person, and returned
    /// with those grants. A wrong transaction code counts an attempt and changes nothing else.
    pub async fn redeem_offer(
        &self,
        org: &str,
        pre_authorized_code: &str,
        tx_code: Option<&str>,
        access_token: &str,
        now: i64,
        token_ttl_secs: i64,
    ) -> Result<std::result::Result<(TokenContext, Vec<Grant>), OfferState>> {
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(
            "SELECT id, person_id, tx_code_hash, expires_at, redeemed_at, failed_attempts FROM offers \
             WHERE org = $1 AND code_hash = $2",
        )
        .bind(org)
        .bind(sha256_hex(pre_authorized_code.as_bytes()))
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Ok(Err(OfferState::Unknown));
        };
        let id: String = row.try_get("id")?;
        let person_id: String = row.try_get("person_id")?;
        let expires_at: i64 = row.try_get("expires_at")?;
        let redeemed_at: Option<i64> = row.try_get("redeemed_at")?;
        let attempts: i64 = row.try_get("failed_attempts")?;
        let stored_tx: String = row.try_get("tx_code_hash")?;
        if redeemed_at.is_some() {
            return Ok(Err(OfferState::AlreadyUsed));
        }
        if now >= expires_at {
            return Ok(Err(OfferState::Expired));
        }
        if attempts >= MAX_TX_CODE_ATTEMPTS {
            return Ok(Err(OfferState::TooManyAttempts));
        }
        let given = tx_hash(&id, tx_code.unwrap_or(""));
        if !ring_eq(given.as_bytes(), stored_tx.as_bytes()) {
            sqlx::query("UPDATE offers SET failed_attempts = failed_attempts + 1 WHERE id = $1")
                .bind(&id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            return Ok(Err(OfferState::WrongTxCode {
                attempts_left: MAX_TX_CODE_ATTEMPTS - attempts - 1,
            }));
        }
        let done =
            sqlx::query("UPDATE offers SET redeemed_at = $1 WHERE id = $2 AND redeemed_at IS NULL")
                .bind(now)
                .bind(&id)
                .execute(&mut *tx)
                .await?;
        if done.rows_affected() != 1 {
            return Ok(Err(OfferState::AlreadyUsed));
        }
        let token_hash = sha256_hex(access_token.as_bytes());
        sqlx::query(
            "INSERT INTO access_tokens (token_hash, offer_id, org, person_id, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&token_hash)
        .bind(&id)
        .bind(org)
        .bind(&person_id)
        .bind(now + token_ttl_secs)
        .execute(&mut *tx)
        .await?;
        let records = sqlx::query(
            "SELECT id, type_name FROM records WHERE org = $1 AND person_id = $2 AND state = 'current' \
             ORDER BY type_name, record_key",
        )
        .bind(org)
        .bind(&person_id)
        .fetch_all(&mut *tx)
        .await?;
        let mut grants = Vec::with_capacity(records.len());
        for r in &records {
            let grant = Grant {
                credential_identifier: new_id("ci-"),
                record_id: r.try_get("id")?,
                type_name: r.try_get("type_name")?,
            };
            sqlx::query(
                "INSERT INTO token_grants (token_hash, credential_identifier, record_id, type_name) VALUES ($1, $2, $3, $4)",
            )
            .bind(&token_hash)
            .bind(&grant.credential_identifier)
            .bind(&grant.record_id)
            .bind(&grant.type_name)
            .execute(&mut *tx)
            .await?;
            grants.push(grant);
        }
        tx.commit().await?;
        Ok(Ok((
            TokenContext {
                org: org.into(),
                person_id,
                offer_id: id,
            },
            grants,
        )))
    }

    /// The context of a live access token of `org`, if any.
    pub async fn token(
        &self,
        org: &str,
        access_token: &str,
        now: i64,
    ) -> Result<Option<TokenContext>> {
        let row = sqlx::query(
            "SELECT offer_id, person_id FROM access_tokens WHERE token_hash = $1 AND org = $2 AND expires_at > $3",
        )
        .bind(sha256_hex(access_token.as_bytes()))
        .bind(org)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(TokenContext {
                org: org.into(),
                person_id: r.try_get("person_id")?,
                offer_id: r.try_get("offer_id")?,
            })
        })
        .transpose()
    }

    /// The grant of `credential_identifier` under this token and its record, if the record is
    /// still current (a record superseded since the offer is not issued).
    pub async fn granted_record(
        &self,
        access_token: &str,
        credential_identifier: &str,
    ) -> Result<Option<(Grant, PersonRecord)>> {
        let row = sqlx::query(
            "SELECT g.credential_identifier, g.record_id, g.type_name, r.id, r.source, r.record_key, \
             r.type_name AS rtype, r.claims, r.state, r.imported_at \
             FROM token_grants g JOIN records r ON r.id = g.record_id \
             WHERE g.token_hash = $1 AND g.credential_identifier = $2 AND r.state = 'current'",
        )
        .bind(sha256_hex(access_token.as_bytes()))
        .bind(credential_identifier)
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else { return Ok(None) };
        let grant = Grant {
            credential_identifier: r.try_get("credential_identifier")?,
            record_id: r.try_get("record_id")?,
            type_name: r.try_get("type_name")?,
        };
        let mut record = record_row(&r)?;
        record.type_name = r.try_get("rtype")?;
        Ok(Some((grant, record)))
    }

    pub async fn create_nonce(&self, org: &str, nonce: &str, expires_at: i64) -> Result<()> {
        sqlx::query("INSERT INTO nonces (nonce, org, expires_at) VALUES ($1, $2, $3)")
            .bind(nonce)
            .bind(org)
            .bind(expires_at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Consumes a nonce of `org`: true once, if it was issued and has not expired. An expired
    /// nonce is deleted too, and refused.
    pub async fn consume_nonce(&self, org: &str, nonce: &str, now: i64) -> Result<bool> {
        let expires: Option<i64> = sqlx::query_scalar(
            "DELETE FROM nonces WHERE nonce = $1 AND org = $2 RETURNING expires_at",
        )
        .bind(nonce)
        .bind(org)
        .fetch_optional(&self.pool)
        .await?;
        Ok(expires.is_some_and(|e| e > now))
    }

    /// Allocates a status entry and registers a credential about to be issued, in one go.
    #[allow(clippy::too_many_arguments)] // one row's columns; a struct would only rename them
    pub async fn register_issued(
        &self,
        org: &str,
        person_id: &str,
        record_id: &str,
        type_name: &str,
        holder_jkt: &str,
        notification_id: &str,
        issued_at: i64,
        expires_at: Option<i64>,
    ) -> Result<(String, StatusAllocation)> {
        // Two statements, no transaction: the allocation is atomic by itself, and if the insert
        // failed, an index would stay unused (VALID, never handed out again), which is harmless.
        let mut conn = self.pool.acquire().await?;
        let at = allocate(&mut conn, org).await?;
        let id = new_id("c-");
        sqlx::query(
            "INSERT INTO issued_credentials (id, org, person_id, record_id, type_name, list_id, idx, holder_jkt, notification_id, issued_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(&id)
        .bind(org)
        .bind(person_id)
        .bind(record_id)
        .bind(type_name)
        .bind(at.list_id)
        .bind(at.idx)
        .bind(holder_jkt)
        .bind(notification_id)
        .bind(issued_at)
        .bind(expires_at)
        .execute(&mut *conn)
        .await?;
        Ok((id, at))
    }

    pub async fn issued_to(&self, org: &str, person_id: &str) -> Result<Vec<IssuedCredential>> {
        let rows = sqlx::query(&format!(
            "SELECT {ISSUED_COLUMNS} FROM issued_credentials WHERE org = $1 AND person_id = $2 ORDER BY issued_at DESC, id"
        ))
        .bind(org)
        .bind(person_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(issued_row).collect()
    }

    /// Records the wallet's notification for the credentials of `notification_id` issued under
    /// this token; false if the id is not one of the token's.
    pub async fn record_notification(
        &self,
        org: &str,
        access_token: &str,
        notification_id: &str,
        event: &str,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE issued_credentials SET wallet_event = $1 WHERE org = $2 AND notification_id = $3 \
             AND record_id IN (SELECT record_id FROM token_grants WHERE token_hash = $4)",
        )
        .bind(event)
        .bind(org)
        .bind(notification_id)
        .bind(sha256_hex(access_token.as_bytes()))
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }
}

/// The transaction code is short, so it is hashed with the offer id: equal codes of two offers
/// hash differently. (Its strength is the attempt limit, not the hash.)
pub(crate) fn tx_hash(offer_id: &str, tx_code: &str) -> String {
    sha256_hex(format!("{offer_id}\u{0}{tx_code}").as_bytes())
}

fn ring_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
