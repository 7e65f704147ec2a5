//! Transfer requests: HR (or medical staffing, or OH) asks a person coming in for the credentials
//! their role needs; the list of requests; HR's decision on a report.
use super::auth::{Posted, Viewer};
use super::html::{
    attr, csrf_field, error_summary, html_escape, url_part, FormErrors, Nav, PageError,
};
use super::policy::{authorise, not_found, Action, Purpose, Subject};
use super::render;
use crate::verifier::request::{self as vp_request, TransferInput, MOVE_KINDS};
use crate::verifier::response::parse_date;
use crate::{now, ServerError, Shared};
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use passport_compliance::{Audience, RoleProfile};
use std::fmt::Write;

/// The team a user asks as: OH users ask as the OH team (clearance and OH detail), everyone
/// else as HR (clearance only).
pub fn audience_of(role: &str) -> Audience {
    if role == "oh" {
        Audience::OccupationalHealth
    } else {
        Audience::Hr
    }
}

pub async fn list(State(state): State<Shared>, viewer: Viewer) -> Result<Html<String>, PageError> {
    let (s, subject) = (&viewer.session, Subject::Organisation);
    let access = authorise(&state, s, Purpose::Transfer, Action::ViewTransfers, subject).await?;
    let requests = state.store.transfer_requests(access.org(), 200).await?;
    let mut rows = String::new();
    for r in &requests {
        let status = match (r.status, r.decision.as_deref()) {
            (_, Some("accepted")) => super::html::tag("Accepted", "green"),
            (_, Some(_)) => super::html::tag("Not accepted", "red"),
            (passport_store::RequestStatus::Responded, None) => {
                super::html::tag("Report ready", "blue")
            }
            (passport_store::RequestStatus::Declined, None) => {
                super::html::tag("Declined by the person", "red")
            }
            _ if r.expires_at <= now() => super::html::tag("Expired", "grey"),
            _ => super::html::tag("Waiting for the person", "yellow"),
        };
        let _ = write!(
            rows,
            r#"<tr class="nhsuk-table__row"><td class="nhsuk-table__cell"><a href="/portal/transfers/{id}">{name}</a></td><td class="nhsuk-table__cell">{role}</td><td class="nhsuk-table__cell">{placement}</td><td class="nhsuk-table__cell">{status}</td></tr>"#,
            id = attr(&url_part(&r.id)),
            name = html_escape(super::purged::list_name(r)),
            role = html_escape(&profile_name(&r.profile)),
            placement = html_escape(&super::purged::list_placement(r)),
        );
    }
    let table = if requests.is_empty() {
        "<p>No transfer requests yet.</p>".to_string()
    } else {
        format!(
            r#"<table class="nhsuk-table" id="transfers"><caption class="nhsuk-table__caption nhsuk-u-visually-hidden">Transfer requests</caption><thead class="nhsuk-table__head"><tr class="nhsuk-table__row"><th scope="col" class="nhsuk-table__header">Person</th><th scope="col" class="nhsuk-table__header">Role</th><th scope="col" class="nhsuk-table__header">Placement</th><th scope="col" class="nhsuk-table__header">Status</th></tr></thead><tbody class="nhsuk-table__body">{rows}</tbody></table>"#
        )
    };
    let body = format!(
        r#"<h1>Transfer requests</h1>
<p>Ask a person joining your organisation for the passport credentials their role needs. They share them from their wallet; you get a report against the role, worked out from the rules.</p>
<a class="nhsuk-button" href="/portal/transfers/new">New transfer request</a>
<p>Someone coming for a fixed time while staying employed by their own trust (honorary contract, secondment, licence to attend, bank shifts): see <a href="/portal/temporary">temporary arrangements</a>.</p>
{rotations}{table}"#,
        rotations = if super::policy::may(s, Action::ViewChangeover) {
            r#"<p>Doctors in training coming at a changeover, as a cohort: see <a href="/portal/rotations">rotations</a>.</p>"#
        } else {
            ""
        },
    );
    Ok(render(
        &state,
        &viewer,
        "Transfer requests",
        Nav::Transfers,
        &body,
    ))
}

pub fn profile_name(json: &str) -> String {
    RoleProfile::from_json(json).map_or_else(|_| "(unknown role)".into(), |p| p.name)
}

/// The values of the new-request form, kept to re-show it with errors.
#[derive(Default)]
struct FormValues {
    name: String,
    email: String,
    registration: String,
    profile: String,
    start: String,
    end: String,
    kind: String,
    lead: String,
}

pub async fn new_form(
    State(state): State<Shared>,
    viewer: Viewer,
) -> Result<Html<String>, PageError> {
    let (s, subject) = (&viewer.session, Subject::Nothing);
    authorise(
        &state,
        s,
        Purpose::Transfer,
        Action::CreateTransfer,
        subject,
    )
    .await?;
    form_page(&state, &viewer, &FormValues::default(), &[]).await
}

async fn form_page(
    state: &Shared,
    viewer: &Viewer,
    v: &FormValues,
    errors: &[(String, String)],
) -> Result<Html<String>, PageError> {
    let profiles = state.store.profiles(&viewer.session.user.org).await?;
    let form = FormErrors { errors };
    let input_class = |field: &str| {
        if form.error(field).is_some() {
            "nhsuk-input nhsuk-input--error"
        } else {
            "nhsuk-input"
        }
    };
    let text_input = |field: &str,
                      label: &str,
                      hint: Option<&str>,
                      value: &str,
                      kind: &str,
                      extra: &str| {
        format!(
            r#"<div class="{group}"><label class="nhsuk-label" for="{field}">{label}</label>{hint}{msg}<input class="{class}" id="{field}" name="{field}" type="{kind}" value="{value}"{described}{extra}></div>"#,
            group = form.group(field),
            hint = hint.map_or(String::new(), |h| format!(
                r#"<div class="nhsuk-hint" id="{field}-hint">{h}</div>"#
            )),
            msg = form.message(field),
            class = input_class(field),
            value = attr(value),
            described = form.described(field, hint.is_some()),
        )
    };
    let mut options = String::from(r#"<option value="">Choose a role</option>"#);
    for p in &profiles {
        let _ = write!(
            options,
            r#"<option value="{id}"{sel}>{name}</option>"#,
            id = attr(&p.id),
            sel = if p.id == v.profile { " selected" } else { "" },
            name = html_escape(&p.name),
        );
    }
    let mut radios = String::new();
    for (i, (value, label)) in MOVE_KINDS.iter().enumerate() {
        let checked = if v.kind == *value || (v.kind.is_empty() && i == 0) {
            " checked"
        } else {
            ""
        };
        let _ = write!(
            radios,
            r#"<div class="nhsuk-radios__item"><input class="nhsuk-radios__input" id="kind-{i}" name="kind" type="radio" value="{value}"{checked}><label class="nhsuk-label nhsuk-radios__label" for="kind-{i}">{label}</label></div>"#
        );
    }
    let team = match audience_of(&viewer.session.user.role) {
        Audience::Hr => "HR: the occupational health line shows the clearance only.",
        Audience::OccupationalHealth => {
            "occupational health: you will see vaccination and screening detail as well as the clearance."
        }
    };
    let body = format!(
        r#"{summary}<h1>New transfer request</h1>
<p>You are asking as {team}</p>
<form action="/portal/transfers" method="post" novalidate>
{csrf}
{name}
{email}
{registration}
<div class="{pgroup}"><label class="nhsuk-label" for="profile">Role they are joining</label>{pmsg}<select class="nhsuk-select" id="profile" name="profile"{pdesc}>{options}</select></div>
{start}
{end}
<div class="nhsuk-form-group"><fieldset class="nhsuk-fieldset"><legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">Kind of move</legend><div class="nhsuk-radios">{radios}</div></fieldset></div>
{lead}
<button class="nhsuk-button" type="submit">Create request</button>
</form>"#,
        summary = if errors.is_empty() {
            String::new()
        } else {
            error_summary(errors)
        },
        csrf = csrf_field(&viewer.session.csrf),
        name = text_input(
            "name",
            "Full name",
            None,
            &v.name,
            "text",
            r#" autocomplete="off" spellcheck="false""#
        ),
        email = text_input(
            "email",
            "Email address",
            Some("Where the link to share their passport is sent."),
            &v.email,
            "email",
            r#" autocomplete="off" spellcheck="false""#
        ),
        registration = text_input(
            "registration",
            "GMC or NMC number (optional)",
            Some("Used to check the professional registration they share is theirs."),
            &v.registration,
            "text",
            r#" autocomplete="off" spellcheck="false""#
        ),
        pgroup = form.group("profile"),
        pmsg = form.message("profile"),
        pdesc = form.described("profile", false),
        start = text_input(
            "start",
            "Placement start date",
            Some("For example, 2027-08-04"),
            &v.start,
            "date",
            ""
        ),
        end = text_input(
            "end",
            "Placement end date",
            Some("For example, 2027-12-07"),
            &v.end,
            "date",
            ""
        ),
        lead = text_input(
            "lead",
            "Lead employer ODS code (optional)",
            Some(super::temporary_form::LEAD_HINT),
            &v.lead,
            "text",
            r#" autocomplete="off" spellcheck="false""#
        ),
    );
    Ok(render(
        state,
        viewer,
        "New transfer request",
        Nav::Transfers,
        &body,
    ))
}

pub async fn create(State(state): State<Shared>, posted: Posted) -> Result<Response, PageError> {
    let viewer = &posted.viewer;
    let s = &viewer.session;
    let access = authorise(
        &state,
        s,
        Purpose::Transfer,
        Action::CreateTransfer,
        Subject::Nothing,
    )
    .await?;
    let f = |name: &str| posted.fields.get(name).unwrap_or("").trim().to_string();
    let v = FormValues {
        name: f("name"),
        email: f("email"),
        registration: f("registration"),
        profile: f("profile"),
        start: f("start"),
        end: f("end"),
        kind: f("kind"),
        lead: f("lead"),
    };
    let mut errors: Vec<(String, String)> = Vec::new();
    if v.name.is_empty() || v.name.len() > 200 {
        errors.push(("Enter their full name".into(), "name".into()));
    }
    if !(v.email.contains('@') && v.email.len() <= 254 && !v.email.contains(char::is_whitespace)) {
        errors.push((
            "Enter an email address, like name@nhs.net".into(),
            "email".into(),
        ));
    }
    let registration_ok =
        v.registration.len() <= 12 && v.registration.chars().all(|c| c.is_ascii_alphanumeric());
    if !registration_ok {
        errors.push((
            "A GMC or NMC number has letters and digits only".into(),
            "registration".into(),
        ));
    }
    let profile = state.store.profile(&s.user.org, &v.profile).await?;
    let profile = match profile.map(|p| RoleProfile::from_json(&p.body)) {
        Some(Ok(p)) => Some(p),
        _ => {
            errors.push(("Choose the role they are joining".into(), "profile".into()));
            None
        }
    };
    let start = parse_date(&v.start).ok();
    let end = parse_date(&v.end).ok();
    if start.is_none() {
        errors.push((
            "Enter the placement start date as year-month-day".into(),
            "start".into(),
        ));
    }
    if end.is_none() {
        errors.push((
            "Enter the placement end date as year-month-day".into(),
            "end".into(),
        ));
    }
    if let (Some(a), Some(b)) = (start, end) {
        if b < a {
            errors.push((
                "The placement end date must be after the start date".into(),
                "end".into(),
            ));
        }
    }
    if !MOVE_KINDS.iter().any(|(k, _)| *k == v.kind) {
        errors.push(("Choose the kind of move".into(), "kind-0".into()));
    }
    let lead = match v.lead.as_str() {
        "" => None,
        text => match crate::temporary::other_organisation(&state, &s.user.org, text) {
            Ok(code) => Some(code),
            Err(why) => {
                let message =
                    format!("Enter the lead employer's ODS code, or leave it empty: {why}");
                errors.push((message, "lead".into()));
                None
            }
        },
    };
    let (Some(profile), Some(start), Some(end), true) = (profile, start, end, errors.is_empty())
    else {
        let page = form_page(&state, viewer, &v, &errors).await?;
        return Ok((StatusCode::BAD_REQUEST, page).into_response());
    };
    let input = TransferInput {
        person_name: v.name,
        person_email: v.email,
        registration_number: (!v.registration.is_empty()).then_some(v.registration),
        profile_id: v.profile,
        start_date: start,
        end_date: end,
        move_kind: v.kind,
        lead_employer: lead,
    };
    let audience = audience_of(&s.user.role);
    let id = vp_request::create(
        &state,
        &s.user.org,
        &s.user.id,
        audience,
        &profile,
        &input,
        now(),
    )
    .await?;
    let detail = format!("profile {}", profile.id);
    access
        .record(&state, "transfer-requested", &id, &detail)
        .await?;
    tracing::info!(user = %s.user.id, request = %id, "transfer request created");
    Ok((
        StatusCode::SEE_OTHER,
        [(
            header::LOCATION,
            format!("/portal/transfers/{}", url_part(&id)),
        )],
    )
        .into_response())
}

/// HR's decision on a report: accept the person's passport for the role, or not, with a note.
pub async fn decide(
    State(state): State<Shared>,
    Path(id): Path<String>,
    posted: Posted,
) -> Result<Response, PageError> {
    let s = &posted.viewer.session;
    let subject = Subject::Request(&id);
    let Some(req) = state.store.transfer_request(&s.user.org, &id).await? else {
        let action = Action::DecideTransfer("");
        let e = not_found(
            &state,
            s,
            Purpose::Transfer,
            action,
            subject,
            "transfer request",
        );
        return Err(e.await.into());
    };
    let action = Action::DecideTransfer(&req.audience);
    let access = authorise(&state, s, Purpose::Transfer, action, subject).await?;
    let decision = match posted.fields.get("decision") {
        Some("accepted") => "accepted",
        Some("rejected") => "rejected",
        _ => return Err(ServerError::BadRequest("choose accept or do not accept".into()).into()),
    };
    let note = posted.fields.get("note").unwrap_or("").trim();
    if note.len() > 2000 {
        return Err(
            ServerError::BadRequest("the note is longer than 2000 characters".into()).into(),
        );
    }
    state
        .store
        .decide_transfer(access.org(), &id, decision, note, &s.user.id, now())
        .await?;
    access
        .record(&state, "transfer-decided", &id, decision)
        .await?;
    tracing::info!(user = %s.user.id, request = %id, decision, "transfer decided");
    Ok((
        StatusCode::SEE_OTHER,
        [(
            header::LOCATION,
            format!("/portal/transfers/{}", url_part(&id)),
        )],
    )
        .into_response())
}
