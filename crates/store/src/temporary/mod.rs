//! Temporary movements: a person who stays employed by their own trust (`home_org`) works at
//! the receiving trust for a fixed period on an honorary contract, a secondment, a licence to
//! attend, or shifts of a collaborative staff bank. The receiving trust verifies their passport
//! through a transfer request of its own (the same OpenID4VP request and report), and HR's
//! acceptance records the arrangement for the period.
//!
//! Invariants:
//! - A movement and its transfer request are made in one transaction: there is never one
//!   without the other. The request is then decided only with its movement
//!   ([`Store::accept_temporary_movement`], [`Store::reject_temporary_movement`]; the plain
//!   `decide_transfer` refuses it).
//! - States go `requested` -> `active` | `rejected`, and `active` -> `ended`, each once: every
//!   change is a conditional UPDATE on the state it leaves, so two servers (or HR and the
//!   scheduled task) racing change it once and the loser gets `Conflict`.
//! - Acceptance and end enqueue their webhook event (`passport_store::outbox`) in the
//!   transaction of the state change: committed together or not at all, so an ended movement
//!   always has its one `ended` event.
//! - Every call is scoped by organisation, except [`Store::due_temporary_movements`], which
//!   serves the node's scheduled task across the organisations it hosts.
//!
//! Retention hand-off: the request's presentation data is deleted by the governance retention
//! job a set number of days after the decision. For a request under a movement that is too
//! early (the arrangement still runs on it), so the retention query adds
//! [`retention_hold_sql`]: no request is purged while its movement is active, and an ended
//! movement's request only once its `ended_at` is older than the retention cutoff: retention
//! counts from the end of the arrangement. A rejected movement, or one never answered, follows
//! the ordinary rule. The movement row itself (kind, period, organisations, who decided and
//! ended) is the arrangement's record and stays.
use crate::verification::insert_transfer_request;
use crate::{new_id, NewTransferRequest, RequestStatus, Result, Store, StoreError};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

/// The kinds of temporary movement, as stored (the compliance crate's placement kinds).
pub const MOVEMENT_KINDS: [&str; 4] = [
    "honorary_contract",
    "secondment",
    "licence_to_attend",
    "collaborative_bank",
];

/// Where a movement is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MovementState {
    /// Created; the passport not yet verified or not yet decided on.
    Requested,
    /// Accepted by HR for its period (upcoming until its start date).
    Active,
    /// Not accepted by HR.
    Rejected,
    /// Over: its end date passed, or HR ended it early.
    Ended,
}

impl MovementState {
    pub fn as_str(self) -> &'static str {
        match self {
            MovementState::Requested => "requested",
            MovementState::Active => "active",
            MovementState::Rejected => "rejected",
            MovementState::Ended => "ended",
        }
    }

    fn parse(s: &str) -> Result<Self> {
        Ok(match s {
            "requested" => MovementState::Requested,
            "active" => MovementState::Active,
            "rejected" => MovementState::Rejected,
            "ended" => MovementState::Ended,
            other => return Err(StoreError::Corrupt(format!("movement state {other:?}"))),
        })
    }
}

/// What a movement adds to its transfer request (whose `move_kind`, `start_date` and `end_date`
/// are the movement's kind and period).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTemporaryMovement {
    /// The person's substantive employer (ODS code).
    pub home_org: String,
    /// The collaborative bank (its configured id), for that kind only.
    pub bank: Option<String>,
}

/// Why a movement ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndReason {
    /// Its end date passed (the scheduled task).
    EndDate,
    /// HR ended it before its end date.
    EndedEarly,
}

impl EndReason {
    pub fn as_str(self) -> &'static str {
        match self {
            EndReason::EndDate => "end_date",
            EndReason::EndedEarly => "ended_early",
        }
    }
}

/// One movement with what a page or an event needs of its request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemporaryMovement {
    pub id: String,
    pub org: String,
    pub request_id: String,
    pub kind: String,
    pub home_org: String,
    pub bank: Option<String>,
    /// First day, `YYYY-MM-DD`.
    pub start_date: String,
    /// Last day, `YYYY-MM-DD`.
    pub end_date: String,
    pub state: MovementState,
    pub created_by: String,
    pub created_at: i64,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    pub ended_by: Option<String>,
    pub ended_at: Option<i64>,
    /// `end_date` or `ended_early` ([`EndReason::as_str`]).
    pub end_reason: Option<String>,
    pub end_note: Option<String>,
    /// From the request: who, for which role, with which lead employer; where it is.
    pub person_name: String,
    pub person_email: String,
    pub registration_number: Option<String>,
    pub profile_id: String,
    pub lead_employer: Option<String>,
    pub request_status: RequestStatus,
    pub request_expires_at: i64,
    pub decision_note: Option<String>,
}

const COLUMNS: &str = "m.id, m.org, m.request_id, m.kind, m.home_org, m.bank, m.start_date, \
     m.end_date, m.state, m.created_by, m.created_at, m.decided_by, m.decided_at, m.ended_by, \
     m.ended_at, m.end_reason, m.end_note, r.person_name, r.person_email, r.registration_number, \
     r.profile_id, r.lead_employer, r.status, r.expires_at, r.decision_note";

const FROM: &str = "temporary_movements m JOIN transfer_requests r ON r.id = m.request_id";

fn movement_row(r: &AnyRow) -> Result<TemporaryMovement> {
    Ok(TemporaryMovement {
        id: r.try_get("id")?,
        org: r.try_get("org")?,
        request_id: r.try_get("request_id")?,
        kind: r.try_get("kind")?,
        home_org: r.try_get("home_org")?,
        bank: r.try_get("bank")?,
        start_date: r.try_get("start_date")?,
        end_date: r.try_get("end_date")?,
        state: MovementState::parse(&r.try_get::<String, _>("state")?)?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        decided_by: r.try_get("decided_by")?,
        decided_at: r.try_get("decided_at")?,
        ended_by: r.try_get("ended_by")?,
        ended_at: r.try_get("ended_at")?,
        end_reason: r.try_get("end_reason")?,
        end_note: r.try_get("end_note")?,
        person_name: r.try_get("person_name")?,
        person_email: r.try_get("person_email")?,
        registration_number: r.try_get("registration_number")?,
        profile_id: r.try_get("profile_id")?,
        lead_employer: r.try_get("lead_employer")?,
        request_status: RequestStatus::parse(&r.try_get::<String, _>("status")?)?,
        request_expires_at: r.try_get("expires_at")?,
        decision_note: r.try_get("decision_note")?,
    })
}

/// The retention query's condition over `transfer_requests` that holds back a request under a
/// temporary movement (see the module documentation): true when the request may be purged as
/// far as its movement is concerned, with `cutoff` the placeholder (e.g. `$1`) of the retention
/// cutoff in seconds (a movement that ended after it holds its request back).
pub fn retention_hold_sql(cutoff: &str) -> String {
    format!(
        "NOT EXISTS (SELECT 1 FROM temporary_movements tm WHERE tm.request_id = transfer_requests.id \
         AND (tm.state = 'active' OR (tm.state = 'ended' AND tm.ended_at > {cutoff})))"
    )
}

/// A calendar date as stored: `YYYY-MM-DD` (digits where digits go).
fn is_date(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
}

/// The movement `id` of `org` read on `conn` (inside the caller's transaction).
pub(super) async fn read(
    conn: &mut AnyConnection,
    org: &str,
    id: &str,
) -> Result<TemporaryMovement> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE m.org = $1 AND m.id = $2"
    ))
    .bind(org)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| StoreError::NotFound(format!("temporary movement {id}")))?;
    movement_row(&row)
}

impl Store {
    /// Stores a new movement with its transfer request, in one transaction; returns (movement
    /// id, request id). The request's `move_kind` must be a movement kind and its period a
    /// pair of dates in order; `sign` makes the request object as for any transfer request.
    pub async fn create_temporary_movement(
        &self,
        request: &NewTransferRequest,
        movement: &NewTemporaryMovement,
        now: i64,
        sign: impl FnOnce(&str) -> std::result::Result<String, String>,
    ) -> Result<(String, String)> {
        if !MOVEMENT_KINDS.contains(&request.move_kind.as_str()) {
            return Err(StoreError::Invalid(format!(
                "{:?} is not a kind of temporary movement",
                request.move_kind
            )));
        }
        let (start, end) = (&request.start_date, &request.end_date);
        if !is_date(start) || !is_date(end) || end < start {
            return Err(StoreError::Invalid(format!(
                "the period {start} to {end} is not two dates in order"
            )));
        }
        if (request.move_kind == "collaborative_bank") != movement.bank.is_some() {
            return Err(StoreError::Invalid(
                "a bank is named for collaborative bank work, and only for it".into(),
            ));
        }
        let mut tx = self.pool.begin().await?;
        let request_id = insert_transfer_request(&mut tx, request, now, sign).await?;
        let id = new_id("tm-");
        sqlx::query(
            "INSERT INTO temporary_movements (id, org, request_id, kind, home_org, bank, start_date, \
             end_date, state, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'requested', $9, $10)",
        )
        .bind(&id)
        .bind(&request.org)
        .bind(&request_id)
        .bind(&request.move_kind)
        .bind(&movement.home_org)
        .bind(&movement.bank)
        .bind(start)
        .bind(end)
        .bind(&request.created_by)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok((id, request_id))
    }

    /// The movement `id` of `org`.
    pub async fn temporary_movement(
        &self,
        org: &str,
        id: &str,
    ) -> Result<Option<TemporaryMovement>> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM {FROM} WHERE m.org = $1 AND m.id = $2"
        ))
        .bind(org)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(movement_row).transpose()
    }

    /// The movement whose transfer request is `request_id`, if that request is one's.
    pub async fn temporary_movement_for_request(
        &self,
        org: &str,
        request_id: &str,
    ) -> Result<Option<TemporaryMovement>> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM {FROM} WHERE m.org = $1 AND m.request_id = $2"
        ))
        .bind(org)
        .bind(request_id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(movement_row).transpose()
    }

    /// The movements of `org`, latest start first, at most `limit`.
    pub async fn temporary_movements(
        &self,
        org: &str,
        limit: i64,
    ) -> Result<Vec<TemporaryMovement>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM {FROM} WHERE m.org = $1 \
             ORDER BY m.start_date DESC, m.created_at DESC, m.id LIMIT $2"
        ))
        .bind(org)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(movement_row).collect()
    }
}

mod state;
pub use state::MovementEvent;
#[cfg(test)]
mod state_tests;
#[cfg(test)]
mod tests;
