//! What the cohort's figures read from a doctor's report: each requirement's key, label and
//! status words, from the stored report while it is held, or from the lines the store kept
//! when the doctor's details were deleted (retention or erasure: `passport_store`
//! `governance_rotations.rs` keeps the report's lines as requirement key, label and status
//! kind). So a changeover counts the same before and after its data is purged.
use crate::ServerError;
use passport_compliance::Report;
use passport_store::CohortMember;

/// Status words of a kept line whose kind this version does not know: never a gap nor a
/// local check.
pub const UNKNOWN_WORDS: &str = "not known";

/// The report's status words (`Status::words`) for its serialised `kind`.
pub fn kind_words(kind: &str) -> &'static str {
    match kind {
        "met" => "met",
        "expires_during_placement" => "expires during placement",
        "missing" => "missing",
        "not_portable" => "not portable",
        "not_shared" => "not shared",
        "accepted_under_lead_employer" => "accepted under the lead employer arrangement",
        _ => UNKNOWN_WORDS,
    }
}

/// One requirement of the report as the figures read it.
pub struct Line {
    pub key: String,
    pub requirement: String,
    pub words: &'static str,
}

/// The lines of `member`'s report: `Ok(None)` when the details were deleted before anything
/// of the report could be kept. A held report that cannot be read, or an answered doctor
/// with no report and no deletion, is a server fault, not a guess.
pub fn lines(member: &CohortMember) -> Result<Option<Vec<Line>>, ServerError> {
    if let Some(text) = member.report.as_deref() {
        let report: Report = serde_json::from_str(text)
            .map_err(|e| ServerError::Internal(format!("stored report: {e}")))?;
        let lines = report.lines.into_iter().map(|l| Line {
            words: l.status.words(),
            key: l.key,
            requirement: l.requirement,
        });
        return Ok(Some(lines.collect()));
    }
    if let Some(kept) = &member.kept_outcome {
        let lines = kept.iter().map(|k| Line {
            key: k.key.clone(),
            requirement: k.requirement.clone(),
            words: kind_words(&k.kind),
        });
        return Ok(Some(lines.collect()));
    }
    if member.purged_at.is_some() {
        return Ok(None);
    }
    Err(ServerError::Internal(format!(
        "request {} answered without a report",
        member.request_id
    )))
}
