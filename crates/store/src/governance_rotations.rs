//! Rotation rows under retention, subject access and erasure.
//!
//! A rotation row repeats what HR's transfer request holds about the doctor (names, e-mail,
//! GMC number), so it follows the request: when the request is purged ([`purge_request`], for
//! retention or erasure), its row loses those details in the same transaction and says when
//! (`purged_at`). What stays describes the post, not the person, and keeps the changeover's
//! historic figures: the changeover and line, grade, specialty, site, placement dates (the
//! cohort's post dates, shared by many doctors), role profile, reminder counts; and the
//! report's lines cut down to requirement key, label and status kind ([`KeptLine`]), so the
//! dashboard still says where the doctor stood. Nothing kept quotes a credential: no evidence,
//! dates, reasons or notes. Linking a kept row back to a person would take the trust's own
//! staff records, which it holds as employer anyway.
//!
//! A row is about a person exactly when its request is (`subject.rs`: their email or
//! regulator number, never their name), so subject access lists the rows that erasure purges.
//!
//! [`purge_request`]: crate::governance::purge_request
use crate::{Result, StoreError};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

/// One line of a purged doctor's report, as kept for the cohort's figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeptLine {
    /// The requirement key (as in the profile).
    pub key: String,
    /// The requirement as people read it (the profile's words, not the person's).
    pub requirement: String,
    /// The report's status kind (`missing`, `not_shared`, `not_portable`, ...).
    pub kind: String,
}

/// The lines of `report` (the compliance report's JSON: `lines[].key`, `.requirement`,
/// `.status.kind`) as [`KeptLine`]s in JSON; `None` when it cannot be read. Read as plain JSON:
/// the store keeps reports as text and does not judge them.
pub(crate) fn kept_outcome(report: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(report).ok()?;
    let text = |v: &serde_json::Value, name: &str| v.get(name)?.as_str().map(str::to_string);
    let lines = value.get("lines")?.as_array()?;
    let kept: Vec<KeptLine> = lines
        .iter()
        .filter_map(|l| {
            Some(KeptLine {
                key: text(l, "key")?,
                requirement: text(l, "requirement")?,
                kind: text(l.get("status")?, "kind")?,
            })
        })
        .collect();
    serde_json::to_string(&kept).ok()
}

/// The kept lines of a stored row.
pub(crate) fn parse_kept(text: Option<String>) -> Result<Option<Vec<KeptLine>>> {
    text.map(|t| {
        serde_json::from_str(&t).map_err(|e| StoreError::Corrupt(format!("kept outcome: {e}")))
    })
    .transpose()
}

/// Deletes the personal details of request `request_id`'s rotation row (if it has one), on
/// the purge's transaction, keeping `report`'s lines; returns the rows changed (0 or 1).
/// `gmc_number` is unique within a changeover and NOT NULL, so it takes the row's own id.
pub(crate) async fn purge_rotation_row(
    conn: &mut AnyConnection,
    org: &str,
    request_id: &str,
    report: Option<&str>,
    now: i64,
) -> Result<u64> {
    let kept = report.and_then(kept_outcome);
    let done = sqlx::query(
        "UPDATE rotation_rows SET gmc_number = id, forenames = '', surname = '', email = '', \
         purged_at = $3, kept_outcome = $4 \
         WHERE org = $1 AND request_id = $2 AND purged_at IS NULL",
    )
    .bind(org)
    .bind(request_id)
    .bind(now)
    .bind(kept)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected())
}

/// A rotation row about a person, for subject access: what the rotation list said about them,
/// and which changeover it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectRotationRow {
    pub row_id: String,
    pub request_id: String,
    pub changeover_id: String,
    pub changeover_name: String,
    /// `YYYY-MM-DD`.
    pub changeover_date: String,
    /// The line of the imported file.
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
    pub imported_at: i64,
    /// Reminder e-mails queued (the invitation not counted).
    pub reminders: i64,
    pub last_reminded_at: Option<i64>,
}

fn subject_row(r: &AnyRow) -> Result<SubjectRotationRow> {
    Ok(SubjectRotationRow {
        row_id: r.try_get("id")?,
        request_id: r.try_get("request_id")?,
        changeover_id: r.try_get("changeover_id")?,
        changeover_name: r.try_get("name")?,
        changeover_date: r.try_get("changeover_date")?,
        line: r.try_get("line")?,
        gmc_number: r.try_get("gmc_number")?,
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
        imported_at: r.try_get("imported_at")?,
        reminders: r.try_get("reminders")?,
        last_reminded_at: r.try_get("last_reminded_at")?,
    })
}

/// The unpurged rotation rows of `org` made for `requests` (the requests about a person), in
/// the order of `requests`.
pub(crate) async fn rotation_rows_of(
    conn: &mut AnyConnection,
    org: &str,
    requests: &[String],
) -> Result<Vec<SubjectRotationRow>> {
    let mut out = Vec::new();
    for id in requests {
        let row = sqlx::query(
            "SELECT r.id, r.request_id, r.changeover_id, c.name, c.changeover_date, r.line, \
             r.gmc_number, r.forenames, r.surname, r.email, r.grade, r.specialty, r.site_code, \
             r.site_name, r.start_date, r.end_date, r.role_profile, r.imported_at, r.reminders, \
             r.last_reminded_at FROM rotation_rows r \
             JOIN changeovers c ON c.id = r.changeover_id AND c.org = r.org \
             WHERE r.org = $1 AND r.request_id = $2 AND r.purged_at IS NULL",
        )
        .bind(org)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(r) = row {
            out.push(subject_row(&r)?);
        }
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::{kept_outcome, parse_kept, KeptLine};

    #[test]
    fn only_keys_labels_and_kinds_are_kept_from_a_report() {
        let report = r#"{"profile":"fy2","lines":[
            {"requirement":"Identity","key":"identity","status":{"kind":"met","issuer":"RHQ","date":"2026-01-01"},
             "evidence":{"summary":"Amara Okafor, passport"},"note":"likeness checked"},
            {"requirement":"Fire safety","key":"cstf_fire","status":{"kind":"missing","reason":"expired 2025"}}],
            "self_declared":[{"label":"Pronouns","value":"she/her"}]}"#;
        let kept = kept_outcome(report).unwrap();
        for gone in ["Okafor", "likeness", "2025", "she/her", "RHQ"] {
            assert!(!kept.contains(gone), "{gone} in {kept}");
        }
        let lines = parse_kept(Some(kept)).unwrap().unwrap();
        let line = |key: &str, requirement: &str, kind: &str| KeptLine {
            key: key.into(),
            requirement: requirement.into(),
            kind: kind.into(),
        };
        assert_eq!(
            lines,
            [
                line("identity", "Identity", "met"),
                line("cstf_fire", "Fire safety", "missing")
            ]
        );
        // What cannot be read is not kept (the purge goes ahead); a stored row must read.
        assert_eq!(kept_outcome("{"), None);
        assert_eq!(kept_outcome(r#"{"lines":{}}"#), None);
        assert!(parse_kept(Some("[{".into())).is_err());
        assert_eq!(parse_kept(None).unwrap(), None);
    }
}
