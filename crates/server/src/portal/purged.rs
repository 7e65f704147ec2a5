//! How a transfer request whose presentation data was deleted reads in the portal (retention,
//! `crate::retention`, or erasure of the person): the page says so, with the date, and shows
//! the decision that was kept; the list shows the row without a name; exports say why there is
//! nothing to export.
use super::html::{self, html_escape, summary_list, tag};
use super::transfers::profile_name;
use crate::ServerError;
use passport_store::{TransferRequest, PURGED_FOR_ERASURE};

/// What the transfer list shows for the person of a purged request.
pub const NO_NAME: &str = "Details deleted";

/// The person's name for the list: theirs, or [`NO_NAME`] once it was deleted.
pub fn list_name(r: &TransferRequest) -> &str {
    if r.purged_at.is_some() {
        NO_NAME
    } else {
        &r.person_name
    }
}

/// The placement for the list: its dates, or that they were deleted.
pub fn list_placement(r: &TransferRequest) -> String {
    if r.purged_at.is_some() {
        "Deleted".into()
    } else {
        format!("{} to {}", r.start_date, r.end_date)
    }
}

/// Why the data went, completing "deleted ... on DATE".
fn why(r: &TransferRequest) -> &'static str {
    match r.purge_reason.as_deref() {
        Some(PURGED_FOR_ERASURE) => "at the person's request (erasure)",
        _ => "under the retention policy",
    }
}

/// An export of a purged request: not found (its report is gone; the page says why).
pub fn refuse_export(r: &TransferRequest) -> Result<(), ServerError> {
    match r.purged_at {
        Some(at) => Err(ServerError::NotFound(format!(
            "the report: it was deleted {} on {}",
            why(r),
            html::date(at)
        ))),
        None => Ok(()),
    }
}

/// The page body of a purged request, deleted at `at`.
pub fn body(r: &TransferRequest, at: i64) -> String {
    let decision = match r.decision.as_deref() {
        Some("accepted") => tag("Accepted", "green"),
        Some(_) => tag("Not accepted", "red"),
        None => "No decision was recorded".into(),
    };
    let decided = r.decided_at.map(html::date_time).unwrap_or_default();
    let details = summary_list(&[
        ("Role".into(), html_escape(&profile_name(&r.profile))),
        ("Requested".into(), html::date_time(r.created_at)),
        ("Decision".into(), decision),
        ("Recorded".into(), decided),
    ]);
    format!(
        r#"<span class="nhsuk-caption-l">Transfer request</span><h1>Transfer request</h1>
<div class="nhsuk-inset-text" id="purged"><p>What the person shared for this request, and their details, were deleted {why} on {date}. The decision is kept.</p></div>
<h2>Decision</h2>{details}
<p><a href="/portal/transfers">All transfer requests</a></p>"#,
        why = why(r),
        date = html::date(at),
    )
}
