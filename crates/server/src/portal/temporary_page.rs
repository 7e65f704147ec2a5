//! One temporary arrangement: its details and state; while the person has not shared, the
//! request's QR code and link (as on a transfer request); then the report against the role,
//! HR's decision for the period, and ending the arrangement early.
use super::auth::{Posted, Viewer};
use super::html::{self, attr, csrf_field, html_escape, summary_list, url_part, Nav, PageError};
use super::policy::{authorise, may, not_found, Access, Action, Purpose, Subject};
use super::render;
use super::transfer_report::{
    declared_section, presented_section, report_section, stored_report, waiting,
};
use super::transfers::profile_name;
use crate::temporary::{self, kind_label};
use crate::{now, ServerError, Shared};
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use passport_store::{MovementState, TemporaryMovement, TransferRequest};

/// The arrangement `id` of the session's organisation, authorised for `action`: looked up
/// first (another organisation's id is not found, and recorded so), then authorised.
async fn find(
    state: &Shared,
    viewer: &Viewer,
    id: &str,
    action: Action<'_>,
) -> Result<(TemporaryMovement, Access), PageError> {
    let s = &viewer.session;
    let subject = Subject::Request(id);
    let Some(m) = state.store.temporary_movement(&s.user.org, id).await? else {
        let what = "temporary arrangement";
        let e = not_found(state, s, Purpose::Transfer, action, subject, what);
        return Err(e.await.into());
    };
    let access = authorise(state, s, Purpose::Transfer, action, subject).await?;
    Ok((m, access))
}

fn state_words(m: &TemporaryMovement) -> &'static str {
    match m.state {
        MovementState::Requested => "Waiting for the passport or a decision",
        MovementState::Active => "Accepted for the period",
        MovementState::Rejected => "Not accepted",
        MovementState::Ended => "Ended",
    }
}

fn details(state: &Shared, m: &TemporaryMovement, req: &TransferRequest) -> String {
    let org_name = |ods: &str| {
        state
            .trust_list()
            .by_ods(ods)
            .map_or(ods.to_string(), |o| format!("{} ({ods})", o.name))
    };
    let mut rows = vec![
        ("Person".into(), html_escape(&m.person_name)),
        ("Email".into(), html_escape(&m.person_email)),
        ("Role".into(), html_escape(&profile_name(&req.profile))),
        ("Kind".into(), html_escape(kind_label(&m.kind))),
        ("Employed by".into(), html_escape(&org_name(&m.home_org))),
    ];
    if let Some(bank) = &m.bank {
        let name = state
            .config
            .temporary
            .bank(bank)
            .map_or(bank.as_str(), |b| b.name.as_str());
        rows.push(("Collaborative bank".into(), html_escape(name)));
    }
    if let Some(lead) = &m.lead_employer {
        rows.push(("Lead employer".into(), html_escape(&org_name(lead))));
    }
    rows.push((
        "Period".into(),
        format!(
            "{} to {}",
            html::claim_date(&m.start_date),
            html::claim_date(&m.end_date)
        ),
    ));
    rows.push(("Status".into(), html_escape(state_words(m))));
    rows.push(("Requested".into(), html::date_time(m.created_at)));
    if let Some(at) = m.decided_at {
        rows.push(("Decided".into(), html::date_time(at)));
    }
    if let Some(at) = m.ended_at {
        let why = match m.end_reason.as_deref() {
            Some("ended_early") => "ended early by HR",
            _ => "its last day had passed",
        };
        let mut text = format!("{}, {why}", html::date_time(at));
        if let Some(note) = m.end_note.as_deref().filter(|n| !n.is_empty()) {
            text.push_str(&format!(": {}", html_escape(note)));
        }
        rows.push(("Ended".into(), text));
    }
    summary_list(&rows)
}

pub async fn page(
    State(state): State<Shared>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Html<String>, PageError> {
    let (m, _) = find(&state, &viewer, &id, Action::ViewTemporaryMovements).await?;
    let req = state
        .store
        .transfer_request(&m.org, &m.request_id)
        .await?
        .ok_or_else(|| ServerError::Internal(format!("movement {id} without its request")))?;
    let mut body = format!(
        r#"<span class="nhsuk-caption-l">Temporary arrangement</span><h1>{name}</h1>{details}"#,
        name = html_escape(&m.person_name),
        details = details(&state, &m, &req),
    );
    match stored_report(&req)? {
        None if req.decision.is_none() => body.push_str(&waiting(&state, &req)?),
        None => {}
        Some(report) => {
            body.push_str(&report_section(&req, &report));
            body.push_str(&declared_section(&report));
            body.push_str(&presented_section(&state, &req, &report).await?);
        }
    }
    body.push_str(&actions(&viewer, &m));
    body.push_str(&format!(
        r#"<p><a href="/portal/transfers/{}">The request and every response it received</a></p><p><a href="/portal/temporary">All temporary arrangements</a></p>"#,
        attr(&url_part(&m.request_id))
    ));
    Ok(render(
        &state,
        &viewer,
        &m.person_name,
        Nav::Transfers,
        &body,
    ))
}

/// The decision form once the report is there, or the end form while it is active.
fn actions(viewer: &Viewer, m: &TemporaryMovement) -> String {
    let s = &viewer.session;
    let id = attr(&url_part(&m.id));
    let csrf = csrf_field(&s.csrf);
    let responded = m.request_status == passport_store::RequestStatus::Responded;
    match m.state {
        MovementState::Requested if responded && may(s, Action::DecideTemporaryMovement) => {
            format!(
                r#"<h2>Decision</h2>
<form action="/portal/temporary/{id}/decision" method="post" novalidate>
{csrf}
<div class="nhsuk-form-group"><fieldset class="nhsuk-fieldset"><legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">Do you accept this passport for the arrangement?</legend>
<div class="nhsuk-radios">
<div class="nhsuk-radios__item"><input class="nhsuk-radios__input" id="decision-accepted" name="decision" type="radio" value="accepted"><label class="nhsuk-label nhsuk-radios__label" for="decision-accepted">Accept for {start} to {end}: the checks above are done; complete the local checks listed</label></div>
<div class="nhsuk-radios__item"><input class="nhsuk-radios__input" id="decision-rejected" name="decision" type="radio" value="rejected"><label class="nhsuk-label nhsuk-radios__label" for="decision-rejected">Do not accept</label></div>
</div></fieldset></div>
<div class="nhsuk-form-group"><label class="nhsuk-label" for="note">Note (optional)</label><textarea class="nhsuk-textarea" id="note" name="note" rows="3"></textarea></div>
<button class="nhsuk-button" type="submit">Record decision</button>
</form>"#,
                start = html::claim_date(&m.start_date),
                end = html::claim_date(&m.end_date),
            )
        }
        MovementState::Active if may(s, Action::EndTemporaryMovement) => format!(
            r#"<h2>End the arrangement early</h2>
<p>It ends by itself after {end}. End it now if it stopped early: the systems subscribed to this organisation's webhooks are told at once.</p>
<form action="/portal/temporary/{id}/end" method="post" novalidate>
{csrf}
<div class="nhsuk-form-group"><label class="nhsuk-label" for="end-note">Why (optional)</label><textarea class="nhsuk-textarea" id="end-note" name="note" rows="2"></textarea></div>
<button class="nhsuk-button nhsuk-button--secondary" type="submit">End the arrangement now</button>
</form>"#,
            end = html::claim_date(&m.end_date),
        ),
        _ => String::new(),
    }
}

/// A note from a form: at most 2000 characters.
fn note(posted: &Posted) -> Result<String, ServerError> {
    let note = posted.fields.get("note").unwrap_or("").trim();
    if note.chars().count() > 2000 {
        return Err(ServerError::BadRequest(
            "the note is longer than 2000 characters".into(),
        ));
    }
    Ok(note.to_string())
}

fn back_to(id: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(
            header::LOCATION,
            format!("/portal/temporary/{}", url_part(id)),
        )],
    )
        .into_response()
}

/// HR's decision: accept the passport for the arrangement's period (it becomes active and the
/// `accepted` event is queued), or not.
pub async fn decide(
    State(state): State<Shared>,
    Path(id): Path<String>,
    posted: Posted,
) -> Result<Response, PageError> {
    let viewer = &posted.viewer;
    let action = Action::DecideTemporaryMovement;
    let (m, access) = find(&state, viewer, &id, action).await?;
    let decision = match posted.fields.get("decision") {
        Some("accepted") => "accepted",
        Some("rejected") => "rejected",
        _ => return Err(ServerError::BadRequest("choose accept or do not accept".into()).into()),
    };
    let note = note(&posted)?;
    let by = &viewer.session.user.id;
    let detail = if decision == "accepted" {
        let event = temporary::accept(&state, access.org(), &m.id, &note, by, now()).await?;
        format!(
            "accepted for {} to {}, event {event}",
            m.start_date, m.end_date
        )
    } else {
        temporary::reject(&state, access.org(), &m.id, &note, by, now()).await?;
        "not accepted".to_string()
    };
    let event = format!("temporary-movement-{decision}");
    access.record(&state, &event, &m.id, &detail).await?;
    tracing::info!(user = %by, movement = %m.id, decision, "temporary arrangement decided");
    Ok(back_to(&m.id))
}

/// HR ends an active arrangement before its end date (the `ended` event is queued).
pub async fn end(
    State(state): State<Shared>,
    Path(id): Path<String>,
    posted: Posted,
) -> Result<Response, PageError> {
    let viewer = &posted.viewer;
    let (m, access) = find(&state, viewer, &id, Action::EndTemporaryMovement).await?;
    let note = note(&posted)?;
    let by = &viewer.session.user.id;
    let event = temporary::end_early(&state, access.org(), &m.id, &note, by, now()).await?;
    let detail = format!("ended early, event {event}");
    access
        .record(&state, "temporary-movement-ended", &m.id, &detail)
        .await?;
    tracing::info!(user = %by, movement = %m.id, "temporary arrangement ended early");
    Ok(back_to(&m.id))
}
