//! Everything an organisation holds about one person, for a subject access request, and the
//! rules that say which transfer requests and review items are about them (erasure uses the
//! same rules, so what is exported is what would be erased).
//!
//! A person's own rows carry their id: identifiers, records (every state), offers, issued
//! credentials. Two kinds of rows do not:
//! - A transfer request names the person by what HR typed. It is about this person when its
//!   email is theirs (letter case aside) or its registration number is one of their GMC, NMC
//!   or HCPC numbers. (Names are never matched on: two people share names.)
//! - A review item holds an imported record nobody has matched yet. It is about this person
//!   when they are among its candidates or it carries one of their identifiers.
//! - A rotation list row is about them when the transfer request made for it is.
//! - An e-mail is about them when it is addressed to their email, or to the address typed on one
//!   of their transfer requests (letter case aside).
use crate::governance_mail::{addresses_about, mails_to};
use crate::governance_rotations::{rotation_rows_of, SubjectRotationRow};
use crate::imports::read_queued;
use crate::outbox::MailView;
use crate::people::{identifiers_of, record_row};
use crate::{
    IssuedCredential, Offer, PersonRecord, PersonSummary, PresentedRow, Result, Store,
    TransferRequest,
};
use passport_records::{IdScheme, Identifier, SourceRecord};
use sqlx::{AnyConnection, Row};

/// A transfer request about the person, with what was presented and refused.
#[derive(Debug, Clone, PartialEq)]
pub struct SubjectRequest {
    pub request: TransferRequest,
    pub presented: Vec<PresentedRow>,
    /// Refused responses: (reason, time).
    pub refused: Vec<(String, i64)>,
}

/// A review item about the person (its candidates, other people's ids, are left out).
#[derive(Debug, Clone, PartialEq)]
pub struct SubjectReviewItem {
    pub id: String,
    pub state: String,
    pub reason: String,
    pub created_at: i64,
    pub resolved_at: Option<i64>,
    pub record: SourceRecord,
}

/// Everything held about one person at one organisation.
#[derive(Debug, Clone, PartialEq)]
pub struct SubjectData {
    pub person: PersonSummary,
    pub created_at: i64,
    pub identifiers: Vec<Identifier>,
    /// Every record, current, superseded or withdrawn.
    pub records: Vec<PersonRecord>,
    pub offers: Vec<Offer>,
    pub credentials: Vec<IssuedCredential>,
    pub requests: Vec<SubjectRequest>,
    pub review_items: Vec<SubjectReviewItem>,
    /// The rotation list rows made for those requests (`governance_rotations.rs`).
    pub rotation_rows: Vec<SubjectRotationRow>,
    /// E-mails queued or sent to their address, bodies left out (`governance_mail.rs`).
    pub mails: Vec<MailView>,
}

impl SubjectData {
    /// The ids the audit log may name this person by: theirs and their requests'.
    pub fn audit_subjects(&self) -> Vec<&str> {
        let mut out = vec![self.person.id.as_str()];
        out.extend(self.requests.iter().map(|r| r.request.id.as_str()));
        out
    }
}

/// The person's email, if `org` holds them (`Some(None)`: held, without an email).
pub(crate) async fn email_of(
    conn: &mut AnyConnection,
    org: &str,
    person_id: &str,
) -> Result<Option<Option<String>>> {
    let row = sqlx::query("SELECT email FROM persons WHERE org = $1 AND id = $2")
        .bind(org)
        .bind(person_id)
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|r| r.try_get::<Option<String>, _>("email"))
        .transpose()
        .map_err(Into::into)
}

/// The person's email as rows are matched on it: trimmed, and none when empty.
pub(crate) fn address(email: Option<&str>) -> Option<&str> {
    email.map(str::trim).filter(|e| !e.is_empty())
}

/// Ids of `org`'s transfer requests about the person with `email` and `ids` (module doc).
pub(crate) async fn requests_about(
    conn: &mut AnyConnection,
    org: &str,
    email: Option<&str>,
    ids: &[Identifier],
) -> Result<Vec<String>> {
    let mut found: Vec<String> = Vec::new();
    if let Some(email) = address(email) {
        let rows: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM transfer_requests WHERE org = $1 AND LOWER(person_email) = LOWER($2) \
             ORDER BY created_at, id",
        )
        .bind(org)
        .bind(email)
        .fetch_all(&mut *conn)
        .await?;
        found.extend(rows);
    }
    let regulator = |s: &IdScheme| matches!(s, IdScheme::Gmc | IdScheme::Nmc | IdScheme::Hcpc);
    for id in ids.iter().filter(|i| regulator(&i.scheme)) {
        let rows: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM transfer_requests WHERE org = $1 AND registration_number = $2 \
             ORDER BY created_at, id",
        )
        .bind(org)
        .bind(&id.value)
        .fetch_all(&mut *conn)
        .await?;
        for r in rows {
            if !found.contains(&r) {
                found.push(r);
            }
        }
    }
    Ok(found)
}

/// `org`'s review items (any state) about `person_id` with `ids` (module doc), oldest first.
pub(crate) async fn review_items_about(
    conn: &mut AnyConnection,
    org: &str,
    person_id: &str,
    ids: &[Identifier],
) -> Result<Vec<SubjectReviewItem>> {
    let rows = sqlx::query(
        "SELECT id, record, reason, candidates, state, created_at, resolved_at FROM review_queue \
         WHERE org = $1 ORDER BY created_at, id",
    )
    .bind(org)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::new();
    for r in &rows {
        let candidates: String = r.try_get("candidates")?;
        let candidates: Vec<String> = serde_json::from_str(&candidates)
            .map_err(|e| crate::StoreError::Corrupt(e.to_string()))?;
        let record = read_queued(&r.try_get::<String, _>("record")?)?;
        let named = candidates.iter().any(|c| c == person_id);
        if named || record.identifiers.iter().any(|i| ids.contains(i)) {
            out.push(SubjectReviewItem {
                id: r.try_get("id")?,
                state: r.try_get("state")?,
                reason: r.try_get("reason")?,
                created_at: r.try_get("created_at")?,
                resolved_at: r.try_get("resolved_at")?,
                record,
            });
        }
    }
    Ok(out)
}

impl Store {
    /// Everything `org` holds about `person_id`, or `None` if `org` holds no such person.
    pub async fn subject_data(&self, org: &str, person_id: &str) -> Result<Option<SubjectData>> {
        let Some(view) = self.person(org, person_id).await? else {
            return Ok(None);
        };
        let mut conn = self.pool.acquire().await?;
        let created_at: i64 =
            sqlx::query_scalar("SELECT created_at FROM persons WHERE org = $1 AND id = $2")
                .bind(org)
                .bind(person_id)
                .fetch_one(&mut *conn)
                .await?;
        let identifiers = identifiers_of(&mut conn, person_id).await?;
        let rows = sqlx::query(
            "SELECT id, source, record_key, type_name, claims, state, imported_at FROM records \
             WHERE org = $1 AND person_id = $2 ORDER BY type_name, record_key, imported_at, id",
        )
        .bind(org)
        .bind(person_id)
        .fetch_all(&mut *conn)
        .await?;
        let records = rows.iter().map(record_row).collect::<Result<Vec<_>>>()?;
        let email = view.person.email.as_deref();
        let request_ids = requests_about(&mut conn, org, email, &identifiers).await?;
        let review_items = review_items_about(&mut conn, org, person_id, &identifiers).await?;
        let rotation_rows = rotation_rows_of(&mut conn, org, &request_ids).await?;
        let mut mails = Vec::new();
        for to in addresses_about(&mut conn, org, email, &request_ids).await? {
            mails.extend(mails_to(&mut conn, org, &to).await?);
        }
        mails.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        // SQLite has one connection: give it back before the calls below take it.
        drop(conn);
        let mut requests = Vec::with_capacity(request_ids.len());
        for id in &request_ids {
            if let Some(request) = self.transfer_request(org, id).await? {
                requests.push(SubjectRequest {
                    presented: self.presented(org, id).await?,
                    refused: self.response_failures(org, id).await?,
                    request,
                });
            }
        }
        Ok(Some(SubjectData {
            person: view.person,
            created_at,
            identifiers,
            records,
            offers: self.offers_of(org, person_id).await?,
            credentials: self.issued_to(org, person_id).await?,
            requests,
            review_items,
            rotation_rows,
            mails,
        }))
    }
}
