//! A lost or new phone: HR (or an admin, or medical staffing) revokes every credential this
//! organisation issued to the person that is bound to the device key(s) of the old phone, and
//! makes a fresh offer of all their current records for the new one.
//!
//! Credentials are bound to the key of the phone that collected them, so they cannot move; the
//! person asks each issuing organisation for a fresh offer instead. The confirmation page names
//! the device keys it will retire (in a hidden field): the change is exactly what was
//! confirmed, and if a wallet collected something in between, the page is shown again and
//! nothing changes. The offer is made before anything is revoked, so a failure leaves the old
//! credentials alone (an offer nobody was shown expires unused).
//!
//! Authority: replacing the phone (`ReplaceDevice`) and revoking each type the viewer may see
//! (`Revoke`). Occupational health credentials on the old phone, which only the OH team may
//! see, are revoked with the rest and offered again: the new offer carries every current
//! record, as any offer does, and a lost phone must not keep a valid copy of any of them.
use super::auth::{Posted, Viewer};
use super::html::{
    attr, csrf_field, date, error_summary, html_escape, success_banner, summary_list, url_part,
    Nav, PageError,
};
use super::offers::offer_body;
use super::policy::{authorise, may, Access, Action, Purpose, Subject};
use super::render;
use crate::{issuance, now, status, ServerError, Shared};
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use passport_store::{IssuedCredential, PersonView};

/// The person, their live credentials and the device keys those are bound to (sorted).
struct Replacing {
    name: String,
    live: Vec<IssuedCredential>,
    keys: Vec<String>,
    has_records: bool,
}

/// Authorises the viewer to replace the phone of `pid` and reads what is on it.
async fn replacing(
    state: &Shared,
    viewer: &Viewer,
    pid: &str,
) -> Result<(Access, Replacing), PageError> {
    let s = &viewer.session;
    let subject = Subject::Person(pid);
    let access = authorise(state, s, Purpose::Issue, Action::ReplaceDevice, subject).await?;
    let Some(view) = state.store.person(access.org(), pid).await? else {
        let e = access.not_found(state, Action::ReplaceDevice, subject, "person");
        return Err(e.await.into());
    };
    let PersonView {
        person, records, ..
    } = view;
    let live: Vec<IssuedCredential> = (state.store.issued_to(access.org(), pid).await?)
        .into_iter()
        .filter(|c| c.revoked_at.is_none())
        .collect();
    let mut keys: Vec<String> = live.iter().map(|c| c.holder_jkt.clone()).collect();
    keys.sort();
    keys.dedup();
    let found = Replacing {
        name: format!("{} {}", person.given_name, person.family_name),
        live,
        keys,
        has_records: !records.is_empty(),
    };
    Ok((access, found))
}

fn confirm_page(
    state: &Shared,
    viewer: &Viewer,
    pid: &str,
    r: &Replacing,
    error: Option<&str>,
) -> Html<String> {
    let s = &viewer.session;
    let visible: Vec<&IssuedCredential> = r
        .live
        .iter()
        .filter(|c| may(s, Action::ViewType(&c.type_name)))
        .collect();
    let on_phone = match visible.len() {
        0 => "None that you can see".to_string(),
        1 => "1 credential".to_string(),
        n => format!("{n} credentials"),
    };
    let issued = match (
        visible.iter().map(|c| c.issued_at).min(),
        visible.iter().map(|c| c.issued_at).max(),
    ) {
        (Some(a), Some(b)) if date(a) == date(b) => date(a),
        (Some(a), Some(b)) => format!("{} to {}", date(a), date(b)),
        _ => "Not collected".to_string(),
    };
    let phones = match r.keys.len() {
        0 => "None: nothing has been collected".to_string(),
        1 => "1 phone".to_string(),
        n => format!("{n} phones"),
    };
    let name = html_escape(&r.name);
    let summary = error
        .map(|e| error_summary(&[(e.to_string(), "credentials".to_string())]))
        .unwrap_or_default();
    let button = if r.has_records {
        format!(
            r#"<form action="/portal/staff/{pid}/replace-device" method="post" novalidate>
{csrf}<input type="hidden" name="keys" value="{keys}">
<div class="nhsuk-button-group">
<button class="nhsuk-button nhsuk-button--warning" data-module="nhsuk-button" type="submit">Yes, revoke and make a new offer</button>
<a class="nhsuk-link" href="/portal/staff/{pid}">No, go back to {name}</a>
</div>
</form>"#,
            pid = attr(&url_part(pid)),
            csrf = csrf_field(&s.csrf),
            keys = attr(&r.keys.join(",")),
        )
    } else {
        format!(
            r#"<p>{name} has no current records, so there is nothing to offer for a new phone.</p>
<a class="nhsuk-button nhsuk-button--secondary" href="/portal/staff/{pid}">Back to {name}</a>"#,
            pid = attr(&url_part(pid)),
        )
    };
    let body = format!(
        r#"<div class="nhsuk-grid-row"><div class="nhsuk-grid-column-two-thirds">
{summary}
<span class="nhsuk-caption-l">Member of staff</span>
<h1>Replace {name}’s lost or new phone?</h1>
<p>Credentials are tied to the phone that collected them and cannot be moved. When {name} has lost their phone or has a new one, revoke what is on the old phone and give them a new offer.</p>
<div id="credentials">{details}</div>
<h2>What happens</h2>
<ol class="nhsuk-list nhsuk-list--number">
<li>Every credential we issued to {name} on the old phone is revoked. Anyone who checks one is told it is no longer valid. Occupational health credentials on it, which only the occupational health team can see, are revoked too.</li>
<li>A new offer of all their current records is made: a QR code and a link for the new phone, and a transaction code that you give them separately.</li>
<li>Other organisations that issued {name} credentials are not affected: {name} asks each of them for a new offer.</li>
</ol>
<div class="nhsuk-card nhsuk-card--warning"><div class="nhsuk-card__content">
<h2 class="nhsuk-card__heading">Revoking cannot be undone</h2>
<p class="nhsuk-card__description">If {name} still has the old phone, the credentials on it stop working too.</p>
</div></div>
{button}
</div></div>"#,
        details = summary_list(&[
            ("Person".into(), name.clone()),
            (
                "Credentials on the old phone".into(),
                html_escape(&on_phone)
            ),
            ("Collected".into(), html_escape(&issued)),
            ("Phones they are on".into(), html_escape(&phones)),
        ]),
    );
    let title = format!(
        "{}Replace {}’s lost or new phone?",
        if error.is_some() { "Error: " } else { "" },
        r.name
    );
    render(state, viewer, &title, Nav::Staff, &body)
}

/// `GET /portal/staff/{id}/replace-device`: the confirmation page.
pub async fn confirm(
    State(state): State<Shared>,
    viewer: Viewer,
    Path(pid): Path<String>,
) -> Result<Html<String>, PageError> {
    let (_, r) = replacing(&state, &viewer, &pid).await?;
    Ok(confirm_page(&state, &viewer, &pid, &r, None))
}

/// `POST /portal/staff/{id}/replace-device`: revoke what is bound to the confirmed keys, make
/// the new offer, show it.
pub async fn replace(
    State(state): State<Shared>,
    Path(pid): Path<String>,
    posted: Posted,
) -> Result<Response, PageError> {
    let viewer = &posted.viewer;
    let s = &viewer.session;
    let (access, r) = replacing(&state, viewer, &pid).await?;
    if !r.has_records {
        return Err(
            ServerError::BadRequest("this person has no current records to offer".into()).into(),
        );
    }
    let confirmed: Vec<&str> = (posted.fields.get("keys").unwrap_or(""))
        .split(',')
        .filter(|k| !k.is_empty())
        .collect();
    if confirmed != r.keys.iter().map(String::as_str).collect::<Vec<_>>() {
        let e = "What is on their phone changed since this page was opened. \
                 Check it again before you confirm.";
        let page = confirm_page(&state, viewer, &pid, &r, Some(e));
        return Ok((StatusCode::CONFLICT, page).into_response());
    }
    let subject = Subject::Person(&pid);
    let mut types: Vec<&str> = r.live.iter().map(|c| c.type_name.as_str()).collect();
    types.sort_unstable();
    types.dedup();
    for t in types.into_iter().filter(|t| may(s, Action::ViewType(t))) {
        authorise(&state, s, Purpose::Issue, Action::Revoke(t), subject).await?;
    }
    let org = access.org();
    let at = now();
    let offer = issuance::create_offer(&state, org, &pid, &s.user.id, at).await?;
    let reason = format!("lost or new phone (replaced by {})", s.user.username);
    let revoked = (state.store)
        .revoke_bound_to(org, &pid, &r.keys, &reason, at)
        .await?;
    status::invalidate(&state, org);
    let detail = format!(
        "{} credentials revoked on {} device keys; offer {}",
        revoked.len(),
        r.keys.len(),
        offer.offer_id
    );
    access
        .record(&state, "device-replaced", &pid, &detail)
        .await?;
    tracing::info!(
        user = %s.user.id,
        offer = %offer.offer_id,
        revoked = revoked.len(),
        "portal phone replaced"
    );
    // What the viewer may see of it: occupational health credentials are revoked too, unsaid.
    let seen = (r.live.iter())
        .filter(|c| revoked.contains(&c.id) && may(s, Action::ViewType(&c.type_name)))
        .count();
    let done = match seen {
        0 => "Nothing was on an old phone. Give them this new offer.".to_string(),
        1 => "1 credential on the old phone has been revoked. Give them this new offer.".into(),
        n => {
            format!("{n} credentials on the old phone have been revoked. Give them this new offer.")
        }
    };
    let body = format!(
        "{}{}",
        success_banner(&done),
        offer_body(&r.name, &pid, &offer)?
    );
    let page = render(
        &state,
        viewer,
        &format!("New offer for {}", r.name),
        Nav::Staff,
        &body,
    );
    Ok((StatusCode::OK, [(header::CACHE_CONTROL, "no-store")], page).into_response())
}

#[cfg(test)]
#[path = "replace_device_tests.rs"]
mod tests;
