//! Erasure of a person (administrators only, for a subject's request to be erased): a
//! confirmation page naming what will be deleted, then, in one store transaction, every
//! credential issued to them revoked and their personal data deleted (`passport_store`
//! `erasure.rs`: what goes, and what stays: the id as a tombstone, and the audit entries).
//!
//! The confirmation page carries a fingerprint of what it named (the ids of everything about
//! the person); if anything was added or changed before the administrator confirms, the page
//! is shown again and nothing is erased, so what is erased is what was read.
use super::auth::{Posted, Viewer};
use super::html::{
    attr, claim_date, csrf_field, error_summary, html_escape, success_banner, summary_list,
    url_part, Nav, PageError,
};
use super::policy::{authorise, may, Access, Action, Purpose, Subject};
use super::render;
use crate::{now, status, ServerError, Shared};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use passport_store::{sha256_hex, SubjectData};

/// Authorises the viewer to erase `pid` and reads everything about them.
async fn erasing(
    state: &Shared,
    viewer: &Viewer,
    pid: &str,
) -> Result<(Access, SubjectData), PageError> {
    let s = &viewer.session;
    let subject = Subject::Person(pid);
    let access = authorise(
        state,
        s,
        Purpose::SubjectAccess,
        Action::ErasePerson,
        subject,
    )
    .await?;
    let Some(data) = state.store.subject_data(access.org(), pid).await? else {
        let e = access.not_found(state, Action::ErasePerson, subject, "person");
        return Err(e.await.into());
    };
    Ok((access, data))
}

/// What the page named, as one value: the ids of everything about the person and whether each
/// credential was live. Anything added, removed or revoked in between changes it.
fn fingerprint(d: &SubjectData) -> String {
    let mut parts: Vec<String> = Vec::new();
    parts.extend(d.identifiers.iter().map(|i| format!("i:{i}")));
    parts.extend(d.records.iter().map(|r| format!("r:{}:{}", r.id, r.state)));
    parts.extend(d.offers.iter().map(|o| format!("o:{}", o.id)));
    parts.extend((d.credentials.iter()).map(|c| format!("c:{}:{}", c.id, c.revoked_at.is_some())));
    parts.extend(d.requests.iter().map(|r| format!("t:{}", r.request.id)));
    parts.extend(d.review_items.iter().map(|i| format!("v:{}", i.id)));
    parts.extend(d.rotation_rows.iter().map(|r| format!("w:{}", r.row_id)));
    parts.extend(d.mails.iter().map(|m| format!("m:{}", m.id)));
    parts.sort();
    sha256_hex(parts.join("\n").as_bytes())
}

fn count(n: usize, one: &str, many: &str) -> String {
    match n {
        0 => "None".to_string(),
        1 => format!("1 {one}"),
        n => format!("{n} {many}"),
    }
}

fn confirm_page(
    state: &Shared,
    viewer: &Viewer,
    d: &SubjectData,
    error: Option<&str>,
) -> Html<String> {
    let s = &viewer.session;
    let p = &d.person;
    let name = format!("{} {}", p.given_name, p.family_name);
    let visible = |t: &str| may(s, Action::ViewType(t));
    let records = d.records.iter().filter(|r| visible(&r.type_name)).count();
    let creds: Vec<_> = (d.credentials.iter())
        .filter(|c| visible(&c.type_name))
        .collect();
    let live = creds.iter().filter(|c| c.revoked_at.is_none()).count();
    let requests = (d.requests.iter())
        .filter(|r| may(s, Action::ViewTransfer(&r.request.audience)))
        .count();
    let hidden = |request: &str| {
        (d.requests.iter())
            .any(|r| r.request.id == request && !may(s, Action::ViewTransfer(&r.request.audience)))
    };
    let rows = (d.rotation_rows.iter())
        .filter(|r| !hidden(&r.request_id))
        .count();
    let items = (d.review_items.iter())
        .filter(|i| visible(i.record.type_name))
        .count();
    let identifiers = (d.identifiers.iter())
        .map(|i| html_escape(&i.label()))
        .collect::<Vec<_>>()
        .join("<br>");
    let credentials = format!(
        "{}{}",
        count(creds.len(), "credential", "credentials"),
        match live {
            0 => String::new(),
            1 => ", 1 still valid: it will be revoked".into(),
            n => format!(", {n} still valid: they will be revoked"),
        }
    );
    let details = summary_list(&[
        ("Person".into(), html_escape(&name)),
        (
            "Date of birth".into(),
            html_escape(
                &p.date_of_birth
                    .as_deref()
                    .map_or("Not held".into(), claim_date),
            ),
        ),
        ("Identifiers".into(), identifiers),
        (
            "Records".into(),
            html_escape(&count(records, "record", "records")),
        ),
        ("Credentials issued".into(), html_escape(&credentials)),
        (
            "Credential offers".into(),
            html_escape(&count(d.offers.len(), "offer", "offers")),
        ),
        (
            "Transfer requests about them".into(),
            html_escape(&count(requests, "request", "requests")),
        ),
        (
            "Review queue items".into(),
            html_escape(&count(items, "item", "items")),
        ),
        (
            "Rotation list rows".into(),
            html_escape(&count(rows, "row", "rows")),
        ),
        (
            "E-mails to their address".into(),
            html_escape(&count(d.mails.len(), "e-mail", "e-mails")),
        ),
    ]);
    let summary = error
        .map(|e| error_summary(&[(e.to_string(), "what-is-deleted".to_string())]))
        .unwrap_or_default();
    let body = format!(
        r#"<div class="nhsuk-grid-row"><div class="nhsuk-grid-column-two-thirds">
{summary}
<span class="nhsuk-caption-l">Subject access</span>
<h1>Erase {esc}?</h1>
<p>Do this only when {esc} has asked us to erase their data and you have checked that we may: for example, when no law requires us to keep it.</p>
<h2 id="what-is-deleted">What will be deleted</h2>
{details}
<p>Occupational health records and credentials about {esc}, which only the occupational health team can see, are deleted too.</p>
<h2>What happens</h2>
<ol class="nhsuk-list nhsuk-list--number">
<li>Every credential we issued to {esc} that is still valid is revoked. Anyone who checks one is told it is no longer valid.</li>
<li>Their details, identifiers, records, offers and review queue items are deleted, and so is what they shared with us for transfer requests. Transfer requests still waiting for an answer are closed.</li>
<li>Their names, email and GMC number are deleted from rotation lists (the changeover still counts them, as "details deleted"), and e-mails to their address are deleted, including any not yet sent.</li>
<li>The audit log keeps its entries: they name {esc} only by a random id, which is kept to show that they were erased, when and by whom.</li>
<li>If their records are imported again later, they are a new person to us.</li>
</ol>
<div class="nhsuk-card nhsuk-card--warning"><div class="nhsuk-card__content">
<h2 class="nhsuk-card__heading">Erasing cannot be undone</h2>
<p class="nhsuk-card__description">Export everything we hold first if {esc} has also asked for a copy.</p>
</div></div>
<form action="/portal/staff/{pid}/erase" method="post" novalidate>
{csrf}<input type="hidden" name="plan" value="{plan}">
<div class="nhsuk-button-group">
<button class="nhsuk-button nhsuk-button--warning" data-module="nhsuk-button" type="submit">Yes, erase {esc}</button>
<a class="nhsuk-link" href="/portal/staff/{pid}">No, go back to {esc}</a>
</div>
</form>
</div></div>"#,
        esc = html_escape(&name),
        pid = attr(&url_part(&p.id)),
        csrf = csrf_field(&s.csrf),
        plan = attr(&fingerprint(d)),
    );
    let title = format!(
        "{}Erase {name}?",
        if error.is_some() { "Error: " } else { "" }
    );
    render(state, viewer, &title, Nav::Staff, &body)
}

/// `GET /portal/staff/{id}/erase`: the confirmation page.
pub async fn confirm(
    State(state): State<Shared>,
    viewer: Viewer,
    Path(pid): Path<String>,
) -> Result<Html<String>, PageError> {
    let (_, data) = erasing(&state, &viewer, &pid).await?;
    Ok(confirm_page(&state, &viewer, &data, None))
}

/// `POST /portal/staff/{id}/erase`: erase what the confirmation page named.
pub async fn erase(
    State(state): State<Shared>,
    Path(pid): Path<String>,
    posted: Posted,
) -> Result<Response, PageError> {
    let viewer = &posted.viewer;
    let (access, data) = erasing(&state, viewer, &pid).await?;
    if posted.fields.get("plan") != Some(fingerprint(&data).as_str()) {
        let e = "What we hold about this person changed since this page was opened. \
                 Check it again before you confirm.";
        let page = confirm_page(&state, viewer, &data, Some(e));
        return Ok((StatusCode::CONFLICT, page).into_response());
    }
    // What the viewer may see of it: occupational health credentials are revoked too, unsaid.
    let s = &viewer.session;
    let seen = (data.credentials.iter())
        .filter(|c| c.revoked_at.is_none() && may(s, Action::ViewType(&c.type_name)))
        .count();
    let org = access.org();
    let user = &viewer.session.user.id;
    let Some(done) = state.store.erase_person(org, &pid, user, now()).await? else {
        return Err(ServerError::NotFound("person".into()).into());
    };
    status::invalidate(&state, org);
    access
        .record(&state, "person-erased", &pid, &done.summary())
        .await?;
    tracing::info!(user = %user, person = %pid, "person erased");
    let body = format!(
        r#"{banner}<h1>Person erased</h1>
<p>Their personal data is deleted and {revoked}. The audit log keeps its entries about them, under the id <span class="app-id">{pid}</span>.</p>
<p><a href="/portal/staff">Find a member of staff</a></p>"#,
        banner = success_banner("The person has been erased."),
        revoked = match seen {
            0 => "no credential was still valid".to_string(),
            1 => "1 credential that was still valid is revoked".to_string(),
            n => format!("{n} credentials that were still valid are revoked"),
        },
        pid = html_escape(&pid),
    );
    Ok(render(&state, viewer, "Person erased", Nav::Staff, &body).into_response())
}
