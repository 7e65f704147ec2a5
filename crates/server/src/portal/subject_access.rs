//! Subject access: an administrator answers a person's request for everything the
//! organisation holds about them, as one JSON document to download.
//!
//! The document (`schema_version` 1) has the person's details and identifiers, every source
//! record (current, superseded, withdrawn), the offers made (when, and whether collected:
//! never a code or its hash), the credentials issued with their status, the transfer requests
//! about them (`passport_store` `subject.rs` says which) with what was presented and refused,
//! the review items about them, the rotation list rows made for those requests, the e-mails
//! queued or sent to their address (without bodies: they carry the request's link or an
//! offer's code), and the audit entries about them or those requests: who saw or changed what,
//! when and why. Times are seconds since 1970-01-01 UTC.
//!
//! What the administrator's role may not see is withheld, and the document says what and how
//! much: occupational health detail (vaccinations, tests, observations) and the OH team's own
//! transfer requests are the OH team's to answer for. Secrets of the protocols (codes, nonces,
//! the request's key and signed object) are never in it. The download is itself recorded: the
//! access (`export-subject-data`) and what was exported, in counts (`subject-data-exported`).
use super::auth::Viewer;
use super::html::{attr, html_escape, url_part, PageError};
use super::policy::{authorise, may, Action, Purpose, Subject};
use super::transfers::profile_name;
use crate::{now, ServerError, Shared};
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use passport_catalogue::Catalogue;
use passport_store::{AuditEntry, IssuedCredential, Session, SubjectData, SubjectRequest};
use serde_json::{json, Value};

/// The version of the document's shape: a consumer checks it before reading.
pub const SCHEMA_VERSION: u32 = 1;

/// Audit entries read per query.
const AUDIT_PAGE: i64 = 1000;

/// The section of a person's page with the export and erasure links (administrators only).
pub fn person_section(session: &Session, person_id: &str, name: &str) -> String {
    if !may(session, Action::ExportSubjectData) {
        return String::new();
    }
    format!(
        r#"<h2 id="subject-access">Subject access and erasure</h2>
<p>When {name} asks what we hold about them, or asks us to erase it:</p>
<ul class="nhsuk-list">
<li><a href="/portal/staff/{id}/export.json" id="export-subject-data" download>Export everything we hold (JSON)<span class="nhsuk-u-visually-hidden"> about {name}</span></a></li>
<li><a href="/portal/staff/{id}/erase" id="erase-person">Erase this person<span class="nhsuk-u-visually-hidden">: {name}</span></a></li>
</ul>"#,
        name = html_escape(name),
        id = attr(&url_part(person_id)),
    )
}

/// `GET /portal/staff/{id}/export.json`: the document, as a download.
pub async fn export(
    State(state): State<Shared>,
    viewer: Viewer,
    Path(pid): Path<String>,
) -> Result<Response, PageError> {
    let s = &viewer.session;
    let subject = Subject::Person(&pid);
    let action = Action::ExportSubjectData;
    let access = authorise(&state, s, Purpose::SubjectAccess, action, subject).await?;
    let Some(data) = state.store.subject_data(access.org(), &pid).await? else {
        return Err(access
            .not_found(&state, action, subject, "person")
            .await
            .into());
    };
    let mut audit = Vec::new();
    for id in data.audit_subjects() {
        audit.extend(audit_about(&state, access.org(), id).await?);
    }
    audit.sort_by_key(|e| e.seq);
    let org_name = (state.issuers.get(access.org())).map_or(access.org(), |i| i.name.as_str());
    let may_see = |a: Action| may(s, a);
    let (doc, counts) = document(&data, &audit, &may_see, (access.org(), org_name), now());
    access
        .record(&state, "subject-data-exported", &pid, &counts)
        .await?;
    let body =
        serde_json::to_string_pretty(&doc).map_err(|e| ServerError::Internal(e.to_string()))?;
    let filename = format!("subject-access-{}.json", url_part(&pid));
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/json; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        body,
    )
        .into_response())
}

/// Every audit entry of `org` about `subject`, oldest first.
async fn audit_about(
    state: &Shared,
    org: &str,
    subject: &str,
) -> Result<Vec<AuditEntry>, ServerError> {
    let mut out: Vec<AuditEntry> = Vec::new();
    let mut before = None;
    loop {
        let page = (state.store)
            .audit_entries(org, Some(subject), before, AUDIT_PAGE)
            .await?;
        let full = page.len() as i64 == AUDIT_PAGE;
        before = page.last().map(|e| e.seq);
        out.extend(page);
        if !full {
            out.reverse();
            return Ok(out);
        }
    }
}

/// A JSON value from stored JSON text (kept as text if it does not parse).
fn json_text(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string()))
}

fn credential_status(c: &IssuedCredential, now: i64) -> &'static str {
    match (c.revoked_at, c.expires_at) {
        (Some(_), _) => "revoked",
        (None, Some(exp)) if exp <= now => "expired",
        _ => "valid",
    }
}

fn request_json(r: &SubjectRequest, type_visible: &dyn Fn(&str) -> bool) -> Value {
    let q = &r.request;
    let presented: Vec<Value> = (r.presented.iter())
        .filter(|p| {
            let ty = p.vct.as_deref().and_then(|v| Catalogue::nhs().by_vct(v));
            ty.is_none_or(|t| type_visible(t.name))
        })
        .map(|p| {
            json!({
                "query": p.query_id, "vct": p.vct, "issuer": p.issuer_ods,
                "accepted": p.accepted, "reason": p.reason,
                "claims": p.claims.as_deref().map(json_text),
            })
        })
        .collect();
    json!({
        "id": q.id, "created_at": q.created_at, "expires_at": q.expires_at,
        "person_name": q.person_name, "person_email": q.person_email,
        "registration_number": q.registration_number,
        "role": profile_name(&q.profile), "profile_id": q.profile_id,
        "start_date": q.start_date, "end_date": q.end_date, "move_kind": q.move_kind,
        "lead_employer": q.lead_employer, "audience": q.audience, "status": q.status.as_str(),
        "fetched_at": q.fetched_at, "responded_at": q.responded_at,
        "report": q.report.as_deref().map(json_text),
        "decision": q.decision, "decision_note": q.decision_note, "decided_at": q.decided_at,
        "purged_at": q.purged_at,
        "presented": presented,
        "refused_responses": r.refused.iter()
            .map(|(reason, at)| json!({ "reason": reason, "at": at }))
            .collect::<Vec<_>>(),
    })
}

/// Counts of what is withheld, by section and credential type.
#[derive(Default)]
struct Withheld(Vec<(&'static str, String, usize)>);

impl Withheld {
    fn add(&mut self, section: &'static str, what: &str) {
        match self
            .0
            .iter_mut()
            .find(|(s, w, _)| *s == section && w == what)
        {
            Some(entry) => entry.2 += 1,
            None => self.0.push((section, what.to_string(), 1)),
        }
    }
}

/// The document, and what it holds in counts (for the audit entry). `may_see` is the viewer's
/// role's view of the policy table; `org` is (ODS code, name).
fn document(
    data: &SubjectData,
    audit: &[AuditEntry],
    may_see: &dyn Fn(Action) -> bool,
    org: (&str, &str),
    generated_at: i64,
) -> (Value, String) {
    let type_visible = |t: &str| may_see(Action::ViewType(t));
    let mut withheld = Withheld::default();
    let mut records = Vec::new();
    for r in &data.records {
        if !type_visible(&r.type_name) {
            withheld.add("records", &r.type_name);
            continue;
        }
        records.push(json!({
            "id": r.id, "type": r.type_name, "source": r.source, "key": r.record_key,
            "state": r.state, "imported_at": r.imported_at, "claims": r.claims,
        }));
    }
    let mut credentials = Vec::new();
    for c in &data.credentials {
        if !type_visible(&c.type_name) {
            withheld.add("credentials", &c.type_name);
            continue;
        }
        credentials.push(json!({
            "id": c.id, "type": c.type_name, "record_id": c.record_id,
            "issued_at": c.issued_at, "expires_at": c.expires_at,
            "status": credential_status(c, generated_at),
            "revoked_at": c.revoked_at, "revoke_reason": c.revoke_reason,
            "wallet_key_thumbprint": c.holder_jkt, "wallet_event": c.wallet_event,
            "status_list": { "list": c.list_id, "index": c.idx },
        }));
    }
    let offers: Vec<Value> = (data.offers.iter())
        .map(|o| {
            json!({
                "id": o.id, "created_at": o.created_at, "expires_at": o.expires_at,
                "collected_at": o.redeemed_at, "wrong_transaction_codes": o.failed_attempts,
            })
        })
        .collect();
    let mut requests = Vec::new();
    for r in &data.requests {
        if may_see(Action::ViewTransfer(&r.request.audience)) {
            requests.push(request_json(r, &type_visible));
        } else {
            withheld.add("transfer_requests", &r.request.audience);
        }
    }
    let mut review_items = Vec::new();
    for i in &data.review_items {
        if !type_visible(i.record.type_name) {
            withheld.add("review_items", i.record.type_name);
            continue;
        }
        review_items.push(json!({
            "id": i.id, "state": i.state, "reason": i.reason, "created_at": i.created_at,
            "resolved_at": i.resolved_at,
            "record": serde_json::to_value(&i.record).unwrap_or(Value::Null),
        }));
    }
    let mut rotation_rows = Vec::new();
    for r in &data.rotation_rows {
        let request = data.requests.iter().find(|q| q.request.id == r.request_id);
        if request.is_some_and(|q| !may_see(Action::ViewTransfer(&q.request.audience))) {
            withheld.add("rotation_rows", "rotation list row");
            continue;
        }
        rotation_rows.push(json!({
            "id": r.row_id, "transfer_request": r.request_id,
            "changeover": { "id": r.changeover_id, "name": r.changeover_name, "date": r.changeover_date },
            "line": r.line, "gmc_number": r.gmc_number, "forenames": r.forenames,
            "surname": r.surname, "email": r.email, "grade": r.grade, "specialty": r.specialty,
            "site_code": r.site_code, "site_name": r.site_name, "start_date": r.start_date,
            "end_date": r.end_date, "role_profile": r.role_profile, "imported_at": r.imported_at,
            "reminders": r.reminders, "last_reminded_at": r.last_reminded_at,
        }));
    }
    let emails: Vec<Value> = (data.mails.iter())
        .map(|m| {
            json!({
                "id": m.id, "to": m.to, "subject": m.subject, "state": m.state.as_str(),
                "attempts": m.attempts, "last_error": m.last_error,
                "created_at": m.created_at, "finished_at": m.finished_at,
            })
        })
        .collect();
    let entries: Vec<Value> = (audit.iter())
        .map(|e| {
            json!({
                "seq": e.seq, "at": e.at, "who": e.actor_name, "role": e.role,
                "action": e.action, "about": e.subject, "purpose": e.purpose,
                "outcome": e.outcome, "detail": e.detail,
            })
        })
        .collect();
    let withheld_total: usize = withheld.0.iter().map(|w| w.2).sum();
    let counts = format!(
        "{} identifiers, {} records, {} offers, {} credentials, {} transfer requests, \
         {} review items, {} rotation list rows, {} e-mails, {} audit entries; \
         {withheld_total} withheld",
        data.identifiers.len(),
        records.len(),
        offers.len(),
        credentials.len(),
        requests.len(),
        review_items.len(),
        rotation_rows.len(),
        emails.len(),
        entries.len(),
    );
    let generated_text = time::OffsetDateTime::from_unix_timestamp(generated_at)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        });
    let p = &data.person;
    let doc = json!({
        "schema_version": SCHEMA_VERSION,
        "generated_at": generated_at,
        "generated_at_utc": generated_text,
        "organisation": { "ods_code": org.0, "name": org.1 },
        "person": {
            "id": p.id, "given_name": p.given_name, "family_name": p.family_name,
            "date_of_birth": p.date_of_birth, "email": p.email, "created_at": data.created_at,
        },
        "identifiers": data.identifiers.iter()
            .map(|i| json!({ "scheme": i.scheme.as_str(), "value": i.value }))
            .collect::<Vec<_>>(),
        "records": records,
        "offers": offers,
        "credentials": credentials,
        "transfer_requests": requests,
        "review_items": review_items,
        "rotation_rows": rotation_rows,
        "emails": emails,
        "emails_note": "The text of each e-mail is not included: it holds a link or a code \
            that acts for you. It was our standard invitation, reminder or offer.",
        "audit_entries": entries,
        "withheld": withheld.0.iter().map(|(section, what, count)| json!({
            "section": section, "what": what, "count": count,
            "reason": "only the occupational health team may see this: ask them to answer for it",
        })).collect::<Vec<_>>(),
    });
    (doc, counts)
}

#[cfg(test)]
#[path = "subject_access_tests.rs"]
mod tests;
