//! Rotations of doctors in training at the receiving trust: changeovers (a cohort's start day)
//! and their rotation rows, each linked to the transfer request made for the doctor.
//!
//! Invariants:
//! - A rotation list lands in one transaction: the changeover (when new), every row, one
//!   transfer request per row and one invitation e-mail per row (the outbox), or nothing.
//! - Inserts are batched ([`BATCH_ROWS`] rows a statement), so 50,000 doctors are a few
//!   hundred statements, not 150,000.
//! - A doctor (GMC number) is in a changeover at most once (the table's unique key; the
//!   import also says which lines clash).
//! - Every call is scoped by organisation: another trust's changeover is not found.
use crate::governance_rotations::{parse_kept, KeptLine};
use crate::outbox::{enqueue_mail, NewMail};
use crate::verification::RequestStatus;
use crate::{new_id, Result, Store, StoreError};
use passport_records::RotationEntry;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use std::collections::{HashMap, HashSet};

/// Rows per multi-row INSERT: 19 parameters each stays far below SQLite's 32,766 and
/// PostgreSQL's 65,535 bind parameters, and each statement is large enough that round trips
/// stop mattering.
pub const BATCH_ROWS: usize = 500;

/// A changeover of `org`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changeover {
    pub id: String,
    pub org: String,
    pub name: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    pub created_by: String,
    pub created_at: i64,
    /// Doctors in it.
    pub doctors: i64,
}

/// Where an imported list goes.
#[derive(Debug, Clone, Copy)]
pub enum ChangeoverTarget<'a> {
    /// A new changeover with this name and date (`YYYY-MM-DD`).
    New { name: &'a str, date: &'a str },
    /// An existing changeover of the organisation, by id.
    Existing(&'a str),
}

/// The signed OpenID4VP request made for one row, ready to store. The person, the placement
/// and the profile come from the row and [`RotationImport`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedRequest {
    pub id: String,
    pub nonce: String,
    pub state: String,
    pub enc_key: String,
    pub request_object: String,
    pub expires_at: i64,
}

/// An invitation or reminder e-mail's parts (the recipient is the row's address).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailText {
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
}

/// A rotation list to store: `entries[i]` is asked by `requests[i]`.
pub struct RotationImport<'a> {
    pub org: &'a str,
    pub created_by: &'a str,
    pub target: ChangeoverTarget<'a>,
    /// Profile id -> the profile as JSON now; each request keeps its own copy, so later edits
    /// of the profile do not change it.
    pub profiles: &'a HashMap<String, String>,
    /// `hr` or `occupational-health`: the team the requests ask for.
    pub audience: &'a str,
    pub entries: &'a [RotationEntry],
    pub requests: &'a [PreparedRequest],
}

/// What an import made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedRotation {
    pub changeover_id: String,
    pub doctors: u64,
    pub invitations: u64,
}

/// One doctor of a changeover with where their request stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CohortMember {
    pub row_id: String,
    pub request_id: String,
    pub line: i64,
    pub gmc_number: String,
    pub forenames: String,
    pub surname: String,
    pub email: String,
    pub grade: String,
    pub specialty: String,
    pub site_code: String,
    pub site_name: Option<String>,
    pub start_date: String,
    pub end_date: String,
    pub role_profile: String,
    pub reminders: i64,
    pub last_reminded_at: Option<i64>,
    pub status: RequestStatus,
    pub expires_at: i64,
    pub responded_at: Option<i64>,
    pub decision: Option<String>,
    /// The compliance report (JSON) once the doctor has shared.
    pub report: Option<String>,
    /// When the doctor's details were deleted with their request (retention or erasure): the
    /// names, e-mail and GMC number are then empty (`governance_rotations.rs`).
    pub purged_at: Option<i64>,
    /// A purged row's report lines, cut down to what the cohort's figures need.
    pub kept_outcome: Option<Vec<KeptLine>>,
}

const MEMBER_COLUMNS: &str = "r.id AS row_id, r.request_id, r.line, r.gmc_number, r.forenames, \
     r.surname, r.email, r.grade, r.specialty, r.site_code, r.site_name, r.start_date, \
     r.end_date, r.role_profile, r.reminders, r.last_reminded_at, t.status, t.expires_at, \
     t.responded_at, t.decision, t.report, r.purged_at, r.kept_outcome";

fn member_row(r: &AnyRow) -> Result<CohortMember> {
    let purged_at: Option<i64> = r.try_get("purged_at")?;
    // A purged row holds its own id as its GMC number (unique, NOT NULL): never hand it out.
    let gmc_number = match purged_at {
        Some(_) => String::new(),
        None => r.try_get("gmc_number")?,
    };
    Ok(CohortMember {
        row_id: r.try_get("row_id")?,
        request_id: r.try_get("request_id")?,
        line: r.try_get("line")?,
        gmc_number,
        forenames: r.try_get("forenames")?,
        surname: r.try_get("surname")?,
        email: r.try_get("email")?,
        grade: r.try_get("grade")?,
        specialty: r.try_get("specialty")?,
        site_code: r.try_get("site_code")?,
        site_name: r.try_get("site_name")?,
        start_date: r.try_get("start_date")?,
        end_date: r.try_get("end_date")?,
        role_profile: r.try_get("role_profile")?,
        reminders: r.try_get("reminders")?,
        last_reminded_at: r.try_get("last_reminded_at")?,
        status: RequestStatus::parse(&r.try_get::<String, _>("status")?)?,
        expires_at: r.try_get("expires_at")?,
        responded_at: r.try_get("responded_at")?,
        decision: r.try_get("decision")?,
        report: r.try_get("report")?,
        purged_at,
        kept_outcome: parse_kept(r.try_get("kept_outcome")?)?,
    })
}

fn changeover_row(r: &AnyRow) -> Result<Changeover> {
    Ok(Changeover {
        id: r.try_get("id")?,
        org: r.try_get("org")?,
        name: r.try_get("name")?,
        date: r.try_get("changeover_date")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
        doctors: r.try_get("doctors")?,
    })
}

/// `($1, $2, ...), ($k+1, ...)` for `rows` rows of `width` parameters.
fn placeholders(rows: usize, width: usize) -> String {
    let mut out = String::with_capacity(rows * width * 5);
    for row in 0..rows {
        if row > 0 {
            out.push_str(", ");
        }
        out.push('(');
        for col in 0..width {
            if col > 0 {
                out.push_str(", ");
            }
            out.push('$');
            out.push_str(&(row * width + col + 1).to_string());
        }
        out.push(')');
    }
    out
}

/// The GMC numbers already in changeover `id` that `entries` repeats, as `line N: ...`.
fn clashes(existing: &HashSet<String>, entries: &[RotationEntry]) -> Vec<String> {
    entries
        .iter()
        .filter(|e| existing.contains(&e.gmc_number))
        .map(|e| {
            format!(
                "line {}: GMC number {} is already in this changeover",
                e.line, e.gmc_number
            )
        })
        .collect()
}

impl Store {
    /// Stores a checked rotation list with its prepared requests, and queues one invitation
    /// per row made by `invite` from the row and its request. One transaction.
    pub async fn import_rotation(
        &self,
        import: &RotationImport<'_>,
        now: i64,
        invite: impl Fn(&RotationEntry, &PreparedRequest) -> MailText,
    ) -> Result<ImportedRotation> {
        if import.entries.len() != import.requests.len() {
            return Err(StoreError::Invalid(
                "one prepared request per rotation row".into(),
            ));
        }
        for e in import.entries {
            if !import.profiles.contains_key(&e.role_profile) {
                return Err(StoreError::Invalid(format!(
                    "line {}: role profile {} was not given",
                    e.line, e.role_profile
                )));
            }
        }
        let mut tx = self.pool.begin().await?;
        let changeover_id = match import.target {
            ChangeoverTarget::New { name, date } => {
                let id = new_id("co-");
                sqlx::query(
                    "INSERT INTO changeovers (id, org, name, changeover_date, created_by, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&id)
                .bind(import.org)
                .bind(name)
                .bind(date)
                .bind(import.created_by)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                id
            }
            ChangeoverTarget::Existing(id) => {
                let found: Option<String> =
                    sqlx::query_scalar("SELECT id FROM changeovers WHERE org = $1 AND id = $2")
                        .bind(import.org)
                        .bind(id)
                        .fetch_optional(&mut *tx)
                        .await?;
                let id = found.ok_or_else(|| StoreError::NotFound(format!("changeover {id}")))?;
                let existing = gmc_numbers(&mut tx, import.org, &id).await?;
                let clash = clashes(&existing, import.entries);
                if !clash.is_empty() {
                    return Err(StoreError::Conflict(clash.join("; ")));
                }
                id
            }
        };
        let pairs: Vec<(&RotationEntry, &PreparedRequest)> =
            import.entries.iter().zip(import.requests).collect();
        for chunk in pairs.chunks(BATCH_ROWS) {
            insert_requests(&mut tx, import, chunk, now).await?;
            insert_rows(&mut tx, import.org, &changeover_id, chunk, now).await?;
        }
        let mut invitations = 0u64;
        for (entry, request) in &pairs {
            let mail = invite(entry, request);
            let new = NewMail {
                org: import.org,
                to: &entry.email,
                subject: &mail.subject,
                text: &mail.text,
                html: mail.html.as_deref(),
            };
            enqueue_mail(&mut tx, &new, now).await?;
            invitations += 1;
        }
        tx.commit().await?;
        Ok(ImportedRotation {
            changeover_id,
            doctors: pairs.len() as u64,
            invitations,
        })
    }

    /// The changeovers of `org`, soonest date last, with how many doctors each has.
    pub async fn changeovers(&self, org: &str) -> Result<Vec<Changeover>> {
        let rows = sqlx::query(
            "SELECT c.id, c.org, c.name, c.changeover_date, c.created_by, c.created_at, \
             (SELECT COUNT(*) FROM rotation_rows r WHERE r.org = c.org AND r.changeover_id = c.id) AS doctors \
             FROM changeovers c WHERE c.org = $1 ORDER BY c.changeover_date DESC, c.created_at DESC, c.id",
        )
        .bind(org)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(changeover_row).collect()
    }

    /// Changeover `id` of `org`.
    pub async fn changeover(&self, org: &str, id: &str) -> Result<Option<Changeover>> {
        let row = sqlx::query(
            "SELECT c.id, c.org, c.name, c.changeover_date, c.created_by, c.created_at, \
             (SELECT COUNT(*) FROM rotation_rows r WHERE r.org = c.org AND r.changeover_id = c.id) AS doctors \
             FROM changeovers c WHERE c.org = $1 AND c.id = $2",
        )
        .bind(org)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(changeover_row).transpose()
    }

    /// The GMC numbers already in changeover `id` of `org`.
    pub async fn changeover_gmc_numbers(&self, org: &str, id: &str) -> Result<HashSet<String>> {
        let mut conn = self.pool.acquire().await?;
        gmc_numbers(&mut conn, org, id).await
    }

    /// Every doctor of changeover `id` of `org` with their request's state, in list order.
    pub async fn cohort(&self, org: &str, id: &str) -> Result<Vec<CohortMember>> {
        let rows = sqlx::query(&format!(
            "SELECT {MEMBER_COLUMNS} FROM rotation_rows r \
             JOIN transfer_requests t ON t.id = r.request_id AND t.org = r.org \
             WHERE r.org = $1 AND r.changeover_id = $2 ORDER BY r.imported_at, r.line, r.id"
        ))
        .bind(org)
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(member_row).collect()
    }
}

async fn gmc_numbers(conn: &mut AnyConnection, org: &str, id: &str) -> Result<HashSet<String>> {
    let rows: Vec<String> = sqlx::query_scalar(
        "SELECT gmc_number FROM rotation_rows WHERE org = $1 AND changeover_id = $2 \
         AND purged_at IS NULL",
    )
    .bind(org)
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().collect())
}

async fn insert_requests(
    conn: &mut AnyConnection,
    import: &RotationImport<'_>,
    chunk: &[(&RotationEntry, &PreparedRequest)],
    now: i64,
) -> Result<()> {
    const WIDTH: usize = 18;
    let sql = format!(
        "INSERT INTO transfer_requests (id, org, created_by, created_at, expires_at, person_name, \
         person_email, registration_number, profile_id, profile, start_date, end_date, move_kind, \
         audience, nonce, state, request_object, enc_key, status) VALUES {}",
        placeholders(chunk.len(), WIDTH).replace(')', ", 'open')")
    );
    let mut q = sqlx::query(&sql);
    for (e, r) in chunk {
        let profile = import
            .profiles
            .get(&e.role_profile)
            .ok_or_else(|| StoreError::Invalid(format!("role profile {}", e.role_profile)))?;
        q = q
            .bind(&r.id)
            .bind(import.org)
            .bind(import.created_by)
            .bind(now)
            .bind(r.expires_at)
            .bind(format!("{} {}", e.forenames, e.surname))
            .bind(&e.email)
            .bind(&e.gmc_number)
            .bind(&e.role_profile)
            .bind(profile)
            .bind(&e.start_date)
            .bind(&e.end_date)
            .bind("rotation")
            .bind(import.audience)
            .bind(&r.nonce)
            .bind(&r.state)
            .bind(&r.request_object)
            .bind(&r.enc_key);
    }
    q.execute(&mut *conn).await?;
    Ok(())
}

async fn insert_rows(
    conn: &mut AnyConnection,
    org: &str,
    changeover_id: &str,
    chunk: &[(&RotationEntry, &PreparedRequest)],
    now: i64,
) -> Result<()> {
    const WIDTH: usize = 17;
    let sql = format!(
        "INSERT INTO rotation_rows (id, org, changeover_id, request_id, line, gmc_number, forenames, \
         surname, email, grade, specialty, site_code, site_name, start_date, end_date, role_profile, \
         imported_at, reminders, last_reminded_at) VALUES {}",
        placeholders(chunk.len(), WIDTH).replace(')', ", 0, NULL)")
    );
    let mut q = sqlx::query(&sql);
    for (e, r) in chunk {
        q = q
            .bind(new_id("rr-"))
            .bind(org)
            .bind(changeover_id)
            .bind(&r.id)
            .bind(i64::try_from(e.line).unwrap_or(i64::MAX))
            .bind(&e.gmc_number)
            .bind(&e.forenames)
            .bind(&e.surname)
            .bind(&e.email)
            .bind(&e.grade)
            .bind(&e.specialty)
            .bind(&e.site_code)
            .bind(&e.site_name)
            .bind(&e.start_date)
            .bind(&e.end_date)
            .bind(&e.role_profile)
            .bind(now);
    }
    q.execute(&mut *conn).await?;
    Ok(())
}

#[cfg(test)]
#[path = "rotations_tests.rs"]
mod tests;
