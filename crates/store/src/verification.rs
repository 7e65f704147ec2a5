//! The receiving trust's state: role requirement profiles, local renewal periods, transfer
//! requests (OpenID4VP), presented credentials with their verification outcome, the compliance
//! report and HR's decision. Profiles, periods and reports are JSON text validated or made by
//! `passport-compliance`; this layer only keeps them, scoped by organisation.
use crate::{new_id, sha256_hex, Result, Store, StoreError};
use sqlx::any::AnyRow;
use sqlx::Row;

/// Where a transfer request is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestStatus {
    /// Created; the wallet has not fetched the request object yet.
    Open,
    /// The wallet fetched the request object.
    Fetched,
    /// A response was verified and a report stored.
    Responded,
    /// The person's wallet said no (`access_denied`). The link still works until it expires:
    /// anyone holding it can send a refusal, so a refusal must not use the request up.
    Declined,
}

impl RequestStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RequestStatus::Open => "open",
            RequestStatus::Fetched => "fetched",
            RequestStatus::Responded => "responded",
            RequestStatus::Declined => "declined",
        }
    }

    pub(crate) fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "open" => RequestStatus::Open,
            "fetched" => RequestStatus::Fetched,
            "responded" => RequestStatus::Responded,
            "declined" => RequestStatus::Declined,
            other => return Err(StoreError::Corrupt(format!("request status {other:?}"))),
        })
    }
}

/// A stored role requirement profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredProfile {
    pub id: String,
    pub name: String,
    pub body: String,
    pub updated_by: String,
    pub updated_at: i64,
}

/// Refused responses kept per request, and the longest reason kept.
pub const MAX_FAILURES_PER_REQUEST: i64 = 50;
const MAX_FAILURE_CHARS: usize = 300;

/// What HR fills in to ask a person for their passport.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTransferRequest {
    pub org: String,
    pub created_by: String,
    pub person_name: String,
    pub person_email: String,
    pub registration_number: Option<String>,
    pub profile_id: String,
    /// The profile as it was when the request was made (JSON), so later edits do not change it.
    pub profile: String,
    pub start_date: String,
    pub end_date: String,
    pub move_kind: String,
    /// The lead employer whose pre-employment checks are accepted (ODS code), if any.
    pub lead_employer: Option<String>,
    pub audience: String,
    pub nonce: String,
    pub state: String,
    pub enc_key: String,
    pub expires_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferRequest {
    pub id: String,
    pub org: String,
    pub created_by: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub person_name: String,
    pub person_email: String,
    pub registration_number: Option<String>,
    pub profile_id: String,
    pub profile: String,
    pub start_date: String,
    pub end_date: String,
    pub move_kind: String,
    /// The lead employer whose pre-employment checks are accepted (ODS code), if any.
    pub lead_employer: Option<String>,
    pub audience: String,
    pub nonce: String,
    pub state: String,
    pub request_object: String,
    pub enc_key: String,
    pub status: RequestStatus,
    pub fetched_at: Option<i64>,
    pub responded_at: Option<i64>,
    pub report: Option<String>,
    pub decision: Option<String>,
    pub decision_note: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    /// When its presentation data was deleted (retention or erasure: `governance.rs`); the
    /// decision, the profile and the id stay.
    pub purged_at: Option<i64>,
    /// Why: `retention` or `erasure`.
    pub purge_reason: Option<String>,
}

/// One presented credential and what verification made of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresentedRow {
    pub query_id: String,
    pub vct: Option<String>,
    pub iss: Option<String>,
    pub issuer_ods: Option<String>,
    pub accepted: bool,
    /// `verified` for an accepted credential, else why it was refused.
    pub reason: String,
    /// Disclosed claims (JSON) of an accepted credential.
    pub claims: Option<String>,
}

/// Why a response could not be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResponseRefusal {
    /// This exact response was already received (for this or another request).
    Replayed,
    /// The request already has its response, or has expired, or is unknown.
    NotAwaiting,
}

const REQUEST_COLUMNS: &str = "id, org, created_by, created_at, expires_at, person_name, \
     person_email, registration_number, profile_id, profile, start_date, end_date, move_kind, \
     lead_employer, audience, nonce, state, request_object, enc_key, status, fetched_at, responded_at, report, \
     decision, decision_note, decided_by, decided_at, purged_at, purge_reason";

fn request_row(r: &AnyRow) -> Result<TransferRequest> {
    Ok(TransferRequest {
        id: r.try_get("id")?,
        org: r.try_get("org")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        expires_at: r.try_get("expires_at")?,
        person_name: r.try_get("person_name")?,
        person_email: r.try_get("person_email")?,
        registration_number: r.try_get("registration_number")?,
        profile_id: r.try_get("profile_id")?,
        profile: r.try_get("profile")?,
        start_date: r.try_get("start_date")?,
        end_date: r.try_get("end_date")?,
        move_kind: r.try_get("move_kind")?,
        lead_employer: r.try_get("lead_employer")?,
        audience: r.try_get("audience")?,
        nonce: r.try_get("nonce")?,
        state: r.try_get("state")?,
        request_object: r.try_get("request_object")?,
        enc_key: r.try_get("enc_key")?,
        status: RequestStatus::parse(&r.try_get::<String, _>("status")?)?,
        fetched_at: r.try_get("fetched_at")?,
        responded_at: r.try_get("responded_at")?,
        report: r.try_get("report")?,
        decision: r.try_get("decision")?,
        decision_note: r.try_get("decision_note")?,
        decided_by: r.try_get("decided_by")?,
        decided_at: r.try_get("decided_at")?,
        purged_at: r.try_get("purged_at")?,
        purge_reason: r.try_get("purge_reason")?,
    })
}

impl Store {
    /// Stores (creates or replaces) a profile of `org`.
    pub async fn save_profile(
        &self,
        org: &str,
        id: &str,
        name: &str,
        body: &str,
        by: &str,
        now: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO role_profiles (org, id, name, body, updated_by, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (org, id) DO UPDATE SET name = $3, body = $4, updated_by = $5, updated_at = $6",
        )
        .bind(org)
        .bind(id)
        .bind(name)
        .bind(body)
        .bind(by)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Stores `profiles` for `org` only where it has none of that id (first start seeding).
    pub async fn seed_profiles(
        &self,
        org: &str,
        profiles: &[(String, String, String)],
        now: i64,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        for (id, name, body) in profiles {
            sqlx::query(
                "INSERT INTO role_profiles (org, id, name, body, updated_by, updated_at) \
                 VALUES ($1, $2, $3, $4, 'defaults', $5) ON CONFLICT (org, id) DO NOTHING",
            )
            .bind(org)
            .bind(id)
            .bind(name)
            .bind(body)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn profiles(&self, org: &str) -> Result<Vec<StoredProfile>> {
        let rows = sqlx::query(
            "SELECT id, name, body, updated_by, updated_at FROM role_profiles WHERE org = $1 ORDER BY name",
        )
        .bind(org)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(profile_row).collect()
    }

    pub async fn profile(&self, org: &str, id: &str) -> Result<Option<StoredProfile>> {
        let row = sqlx::query(
            "SELECT id, name, body, updated_by, updated_at FROM role_profiles WHERE org = $1 AND id = $2",
        )
        .bind(org)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(profile_row).transpose()
    }

    /// The organisation's local renewal periods (JSON), if it has set any.
    pub async fn local_periods(&self, org: &str) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT body FROM local_periods WHERE org = $1")
                .bind(org)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    pub async fn save_local_periods(
        &self,
        org: &str,
        body: &str,
        by: &str,
        now: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO local_periods (org, body, updated_by, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (org) DO UPDATE SET body = $2, updated_by = $3, updated_at = $4",
        )
        .bind(org)
        .bind(body)
        .bind(by)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Stores a new request. `sign` makes the signed request object from the new request's id
    /// (its `request_uri` and `response_uri` contain the id).
    pub async fn create_transfer_request(
        &self,
        new: &NewTransferRequest,
        now: i64,
        sign: impl FnOnce(&str) -> std::result::Result<String, String>,
    ) -> Result<String> {
        let mut conn = self.pool.acquire().await?;
        insert_transfer_request(&mut conn, new, now, sign).await
    }

    /// A request of `org` by id.
    pub async fn transfer_request(&self, org: &str, id: &str) -> Result<Option<TransferRequest>> {
        let row = sqlx::query(&format!(
            "SELECT {REQUEST_COLUMNS} FROM transfer_requests WHERE org = $1 AND id = $2"
        ))
        .bind(org)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(request_row).transpose()
    }

    /// The requests of `org`, newest first.
    pub async fn transfer_requests(&self, org: &str, limit: i64) -> Result<Vec<TransferRequest>> {
        let rows = sqlx::query(&format!(
            "SELECT {REQUEST_COLUMNS} FROM transfer_requests WHERE org = $1 ORDER BY created_at DESC, id LIMIT $2"
        ))
        .bind(org)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(request_row).collect()
    }

    /// Notes that the wallet fetched the request object (first time only).
    pub async fn mark_request_fetched(&self, org: &str, id: &str, now: i64) -> Result<()> {
        sqlx::query(
            "UPDATE transfer_requests SET status = 'fetched', fetched_at = $3 \
             WHERE org = $1 AND id = $2 AND status = 'open'",
        )
        .bind(org)
        .bind(id)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Stores a verified response, once: the response hash must be new and the request must be
    /// awaiting a response and unexpired. Presented credentials, the report and the (hashed)
    /// same-device response code land together or not at all.
    #[allow(clippy::too_many_arguments)] // the parts of one response
    pub async fn record_response(
        &self,
        org: &str,
        id: &str,
        response: &str,
        presented: &[PresentedRow],
        report: &str,
        response_code: Option<&str>,
        now: i64,
    ) -> Result<std::result::Result<(), ResponseRefusal>> {
        self.record_response_of(
            org,
            id,
            response,
            presented,
            report,
            response_code,
            None,
            now,
        )
        .await
    }

    /// [`Store::record_response`] with the thumbprint of the wallet key the presentations were
    /// bound to, kept on the request in the same transaction: the key the person later proves
    /// to read their access log (`access_log.rs`).
    #[allow(clippy::too_many_arguments)] // the parts of one response
    pub async fn record_response_of(
        &self,
        org: &str,
        id: &str,
        response: &str,
        presented: &[PresentedRow],
        report: &str,
        response_code: Option<&str>,
        holder_jkt: Option<&str>,
        now: i64,
    ) -> Result<std::result::Result<(), ResponseRefusal>> {
        let hash = sha256_hex(response.as_bytes());
        let mut tx = self.pool.begin().await?;
        let seen: Option<String> =
            sqlx::query_scalar("SELECT request_id FROM seen_responses WHERE response_hash = $1")
                .bind(&hash)
                .fetch_optional(&mut *tx)
                .await?;
        if seen.is_some() {
            return Ok(Err(ResponseRefusal::Replayed));
        }
        let updated = sqlx::query(
            "UPDATE transfer_requests SET status = 'responded', responded_at = $3, report = $4, \
             response_code_hash = $5, holder_jkt = $6 \
             WHERE org = $1 AND id = $2 AND status IN ('open', 'fetched', 'declined') AND expires_at > $3",
        )
        .bind(org)
        .bind(id)
        .bind(now)
        .bind(report)
        .bind(response_code.map(|c| sha256_hex(c.as_bytes())))
        .bind(holder_jkt)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() != 1 {
            return Ok(Err(ResponseRefusal::NotAwaiting));
        }
        sqlx::query(
            "INSERT INTO seen_responses (response_hash, request_id, at) VALUES ($1, $2, $3)",
        )
        .bind(&hash)
        .bind(id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        for p in presented {
            sqlx::query(
                "INSERT INTO presented_credentials (id, org, request_id, query_id, vct, iss, issuer_ods, \
                 accepted, reason, claims, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(new_id("pc-"))
            .bind(org)
            .bind(id)
            .bind(&p.query_id)
            .bind(&p.vct)
            .bind(&p.iss)
            .bind(&p.issuer_ods)
            .bind(i64::from(p.accepted))
            .bind(&p.reason)
            .bind(&p.claims)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(Ok(()))
    }

    /// Notes that the person's wallet declined (an awaiting request only).
    pub async fn decline_transfer(&self, org: &str, id: &str) -> Result<()> {
        sqlx::query(
            "UPDATE transfer_requests SET status = 'declined' \
             WHERE org = $1 AND id = $2 AND status IN ('open', 'fetched')",
        )
        .bind(org)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Whether `code` is the same-device response code of request `id` of `org`.
    pub async fn check_response_code(&self, org: &str, id: &str, code: &str) -> Result<bool> {
        let stored: Option<Option<String>> = sqlx::query_scalar(
            "SELECT response_code_hash FROM transfer_requests WHERE org = $1 AND id = $2",
        )
        .bind(org)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(matches!(stored, Some(Some(h)) if h == sha256_hex(code.as_bytes())))
    }

    /// Notes a response that was refused before it could be read as this request's.
    pub async fn record_response_failure(
        &self,
        org: &str,
        id: &str,
        reason: &str,
        now: i64,
    ) -> Result<()> {
        // The Response URI needs no sign-in: keep at most MAX_FAILURES_PER_REQUEST refusals of
        // an existing request of `org`, each cut to MAX_FAILURE_CHARS, so nobody can grow the
        // table or the page without bound.
        let reason: String = reason.chars().take(MAX_FAILURE_CHARS).collect();
        sqlx::query(
            "INSERT INTO response_failures (id, org, request_id, reason, at) \
             SELECT $1, $2, $3, $4, $5 \
             WHERE EXISTS (SELECT 1 FROM transfer_requests WHERE org = $2 AND id = $3 \
                           AND purged_at IS NULL) \
             AND (SELECT COUNT(*) FROM response_failures WHERE org = $2 AND request_id = $3) < $6",
        )
        .bind(ordered_id("rf-", now))
        .bind(org)
        .bind(id)
        .bind(&reason)
        .bind(now)
        .bind(MAX_FAILURES_PER_REQUEST)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Refused responses of a request, oldest first: (reason, time).
    pub async fn response_failures(&self, org: &str, id: &str) -> Result<Vec<(String, i64)>> {
        let rows = sqlx::query(
            "SELECT reason, at FROM response_failures WHERE org = $1 AND request_id = $2 ORDER BY at, id",
        )
        .bind(org)
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("reason")?, r.try_get("at")?)))
            .collect()
    }

    /// The credentials presented for a request, in the order received.
    pub async fn presented(&self, org: &str, id: &str) -> Result<Vec<PresentedRow>> {
        let rows = sqlx::query(
            "SELECT query_id, vct, iss, issuer_ods, accepted, reason, claims FROM presented_credentials \
             WHERE org = $1 AND request_id = $2 ORDER BY at, query_id, id",
        )
        .bind(org)
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PresentedRow {
                    query_id: r.try_get("query_id")?,
                    vct: r.try_get("vct")?,
                    iss: r.try_get("iss")?,
                    issuer_ods: r.try_get("issuer_ods")?,
                    accepted: r.try_get::<i64, _>("accepted")? != 0,
                    reason: r.try_get("reason")?,
                    claims: r.try_get("claims")?,
                })
            })
            .collect()
    }

    /// Records HR's decision on a responded request, once.
    pub async fn decide_transfer(
        &self,
        org: &str,
        id: &str,
        decision: &str,
        note: &str,
        by: &str,
        now: i64,
    ) -> Result<()> {
        let done = sqlx::query(
            "UPDATE transfer_requests SET decision = $3, decision_note = $4, decided_by = $5, decided_at = $6 \
             WHERE org = $1 AND id = $2 AND status = 'responded' AND decision IS NULL \
             AND purged_at IS NULL \
             AND NOT EXISTS (SELECT 1 FROM temporary_movements m WHERE m.request_id = transfer_requests.id)",
        )
        .bind(org)
        .bind(id)
        .bind(decision)
        .bind(note)
        .bind(by)
        .bind(now)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict(format!(
                "request {id} has no response yet, is already decided, or is decided with its temporary arrangement"
            )));
        }
        Ok(())
    }
}

/// Inserts a new request on `conn` (a transaction of the caller's, e.g. with the temporary
/// movement it belongs to); returns its id.
pub(crate) async fn insert_transfer_request(
    conn: &mut sqlx::AnyConnection,
    new: &NewTransferRequest,
    now: i64,
    sign: impl FnOnce(&str) -> std::result::Result<String, String>,
) -> Result<String> {
    let id = new_id("tr-");
    let request_object = sign(&id).map_err(StoreError::Conflict)?;
    sqlx::query(
        "INSERT INTO transfer_requests (id, org, created_by, created_at, expires_at, person_name, \
         person_email, registration_number, profile_id, profile, start_date, end_date, move_kind, \
         audience, nonce, state, request_object, enc_key, status, lead_employer) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, 'open', $19)",
    )
    .bind(&id)
    .bind(&new.org)
    .bind(&new.created_by)
    .bind(now)
    .bind(new.expires_at)
    .bind(&new.person_name)
    .bind(&new.person_email)
    .bind(&new.registration_number)
    .bind(&new.profile_id)
    .bind(&new.profile)
    .bind(&new.start_date)
    .bind(&new.end_date)
    .bind(&new.move_kind)
    .bind(&new.audience)
    .bind(&new.nonce)
    .bind(&new.state)
    .bind(&request_object)
    .bind(&new.enc_key)
    .bind(&new.lead_employer)
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

fn profile_row(r: &AnyRow) -> Result<StoredProfile> {
    Ok(StoredProfile {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        body: r.try_get("body")?,
        updated_by: r.try_get("updated_by")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// An id that sorts by time, then by order of making within this process, then at random:
/// refusals logged in the same second keep their order.
fn ordered_id(prefix: &str, now: i64) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{prefix}{now:012}-{n:012}-{}", new_id(""))
}
