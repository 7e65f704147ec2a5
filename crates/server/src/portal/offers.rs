//! Creating a credential offer (QR code, link, transaction code) and revoking a credential.
use super::auth::{Posted, Viewer};
use super::html::{
    self, attr, csrf_field, date, error_summary, html_escape, summary_list, url_part, Nav,
    PageError,
};
use super::policy::{authorise, not_found, Access, Action, Purpose, Subject};
use super::render;
use super::staff::type_label;
use crate::{issuance, now, status, ServerError, Shared};
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use passport_store::IssuedCredential;
use qrcode::render::svg;
use qrcode::QrCode;

/// The QR code of `data` as an inline SVG element (no XML declaration), labelled for
/// assistive technology.
pub fn qr_svg(data: &str) -> Result<String, ServerError> {
    qr_svg_labelled(data, "offer-qr", "QR code of the credential offer link")
}

/// [`qr_svg`] with its own element id and accessible name (e.g. a TOTP enrolment URI).
pub fn qr_svg_labelled(data: &str, id: &str, label: &str) -> Result<String, ServerError> {
    let code =
        QrCode::new(data.as_bytes()).map_err(|e| ServerError::Internal(format!("QR code: {e}")))?;
    let image = code
        .render::<svg::Color>()
        .min_dimensions(296, 296)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build();
    let start = image.find("<svg").unwrap_or(0);
    Ok(image[start..].replacen(
        "<svg ",
        &format!(
            r#"<svg class="app-qr" id="{}" role="img" aria-label="{}" focusable="false" "#,
            html::attr(id),
            html::attr(label)
        ),
        1,
    ))
}

pub async fn create(
    State(state): State<Shared>,
    Path(person_id): Path<String>,
    posted: Posted,
) -> Result<Response, PageError> {
    let viewer = &posted.viewer;
    let s = &viewer.session;
    let subject = Subject::Person(&person_id);
    let access = authorise(&state, s, Purpose::Issue, Action::CreateOffer, subject).await?;
    let Some(view) = state.store.person(access.org(), &person_id).await? else {
        let e = access.not_found(&state, Action::CreateOffer, subject, "person");
        return Err(e.await.into());
    };
    if view.records.is_empty() {
        return Err(
            ServerError::BadRequest("this person has no current records to offer".into()).into(),
        );
    }
    let offer = issuance::create_offer(&state, access.org(), &person_id, &s.user.id, now()).await?;
    access
        .record(&state, "offer-created", &person_id, &offer.offer_id)
        .await?;
    tracing::info!(user = %s.user.id, offer = %offer.offer_id, "portal offer created");
    let name = format!("{} {}", view.person.given_name, view.person.family_name);
    let body = offer_body(&name, &person_id, &offer)?;
    let page = render(
        &state,
        viewer,
        &format!("Offer for {name}"),
        Nav::Staff,
        &body,
    );
    Ok((StatusCode::OK, [(header::CACHE_CONTROL, "no-store")], page).into_response())
}

/// The page body that hands an offer over: the QR code, the transaction code (shown this once)
/// and the link. Also the result of replacing a lost or new phone (`replace_device`).
pub(super) fn offer_body(
    name: &str,
    person_id: &str,
    offer: &issuance::CreatedOffer,
) -> Result<String, ServerError> {
    Ok(format!(
        r#"<span class="nhsuk-caption-l">Credential offer</span>
<h1>Offer for {name}</h1>
<div class="nhsuk-grid-row">
<div class="nhsuk-grid-column-one-half">
<h2>1. {name} scans this QR code</h2>
<p>With the NHS Staff Passport wallet app, on their own phone.</p>
{qr}
</div>
<div class="nhsuk-grid-column-one-half">
<h2>2. Give them the transaction code</h2>
<p class="app-tx-code" id="tx-code">{tx}</p>
<div class="nhsuk-card nhsuk-card--warning"><div class="nhsuk-card__content">
<h3 class="nhsuk-card__heading">Important</h3>
<p class="nhsuk-card__description">Give this code to {name} separately from the QR code and link: tell them in person or by phone. Never send the code in the same email or message as the link. The wallet asks for it; after 5 wrong tries the offer stops working. This is the only time the code is shown.</p>
</div></div>
</div>
</div>
<h2>Or open the link</h2>
<p>On a phone with the wallet installed, the link opens the wallet directly: <a href="{link_attr}">open the offer in the wallet app</a>.</p>
<p>The link as text, to copy:</p>
<p class="app-offer-link" id="offer-link">{link}</p>
{summary}
<a class="nhsuk-button nhsuk-button--secondary" href="/portal/staff/{pid}">Back to {name}</a>"#,
        name = html_escape(name),
        qr = qr_svg(&offer.link)?,
        tx = html_escape(&offer.tx_code),
        link_attr = attr(&offer.link),
        link = html_escape(&offer.link),
        pid = attr(&url_part(person_id)),
        summary = summary_list(&[
            ("Expires".into(), html::date_time(offer.expires_at)),
            ("Works".into(), "Once".into()),
        ]),
    ))
}

/// The live credential `cid` of person `pid` in the viewer's organisation, if the viewer may
/// revoke it. Looked up first (its type decides), then authorised: one audit entry either way.
async fn revocable(
    state: &Shared,
    viewer: &Viewer,
    pid: &str,
    cid: &str,
) -> Result<(String, IssuedCredential, Access), PageError> {
    let s = &viewer.session;
    let org = &s.user.org;
    let subject = Subject::Person(pid);
    let mut found = None;
    if let Some(view) = state.store.person(org, pid).await? {
        let credential = state
            .store
            .issued_to(org, pid)
            .await?
            .into_iter()
            .find(|c| c.id == cid && c.revoked_at.is_none());
        found = credential.map(|c| (view, c));
    }
    let Some((view, credential)) = found else {
        let action = Action::Revoke("");
        let e = not_found(state, s, Purpose::Issue, action, subject, "live credential");
        return Err(e.await.into());
    };
    let action = Action::Revoke(&credential.type_name);
    let access = authorise(state, s, Purpose::Issue, action, subject).await?;
    Ok((
        format!("{} {}", view.person.given_name, view.person.family_name),
        credential,
        access,
    ))
}

fn confirm_page(
    state: &Shared,
    viewer: &Viewer,
    pid: &str,
    name: &str,
    c: &IssuedCredential,
    reason: &str,
    error: Option<&str>,
) -> Html<String> {
    let label = type_label(&c.type_name);
    let (summary, group, message, input_class, described) = match error {
        Some(e) => (
            error_summary(&[(e.to_string(), "reason".to_string())]),
            " nhsuk-form-group--error",
            format!(
                r#"<span class="nhsuk-error-message" id="reason-error"><span class="nhsuk-u-visually-hidden">Error: </span>{}</span>"#,
                html_escape(e)
            ),
            " nhsuk-input--error",
            " reason-error",
        ),
        None => (String::new(), "", String::new(), "", ""),
    };
    let body = format!(
        r#"<div class="nhsuk-grid-row"><div class="nhsuk-grid-column-two-thirds">
{summary}
<h1>Revoke this credential?</h1>
{details}
<div class="nhsuk-card nhsuk-card--warning"><div class="nhsuk-card__content">
<h2 class="nhsuk-card__heading">Revoking cannot be undone</h2>
<p class="nhsuk-card__description">From now on, anyone who checks this credential is told it is no longer valid. {name} keeps it in their wallet but cannot use it. To give them a corrected one, fix the record at its source, import it, and make a new offer.</p>
</div></div>
<form action="/portal/staff/{pid}/credentials/{cid}/revoke" method="post" novalidate>
{csrf}
<div class="nhsuk-form-group{group}">
<label class="nhsuk-label nhsuk-label--s" for="reason">Reason for revoking</label>
<div class="nhsuk-hint" id="reason-hint">Kept in the audit record, for example “issued in error” or “record corrected”.</div>
{message}
<input class="nhsuk-input{input_class}" id="reason" name="reason" type="text" maxlength="200" value="{reason}" aria-describedby="reason-hint{described}">
</div>
<div class="nhsuk-button-group">
<button class="nhsuk-button nhsuk-button--warning" data-module="nhsuk-button" type="submit">Yes, revoke this credential</button>
<a class="nhsuk-link" href="/portal/staff/{pid}">No, go back to {name}</a>
</div>
</form>
</div></div>"#,
        details = summary_list(&[
            ("Person".into(), html_escape(name)),
            ("Credential".into(), html_escape(label)),
            ("Issued".into(), date(c.issued_at)),
            (
                "Expires".into(),
                c.expires_at.map(date).unwrap_or_else(|| "No expiry".into())
            ),
        ]),
        name = html_escape(name),
        pid = attr(&url_part(pid)),
        cid = attr(&url_part(&c.id)),
        csrf = csrf_field(&viewer.session.csrf),
        reason = attr(reason),
    );
    let title = if error.is_some() {
        "Error: Revoke this credential?"
    } else {
        "Revoke this credential?"
    };
    render(state, viewer, title, Nav::Staff, &body)
}

pub async fn confirm_revoke(
    State(state): State<Shared>,
    viewer: Viewer,
    Path((pid, cid)): Path<(String, String)>,
) -> Result<Html<String>, PageError> {
    let (name, credential, _) = revocable(&state, &viewer, &pid, &cid).await?;
    Ok(confirm_page(
        &state,
        &viewer,
        &pid,
        &name,
        &credential,
        "",
        None,
    ))
}

pub async fn revoke(
    State(state): State<Shared>,
    Path((pid, cid)): Path<(String, String)>,
    posted: Posted,
) -> Result<Response, PageError> {
    let viewer = &posted.viewer;
    let (name, credential, access) = revocable(&state, viewer, &pid, &cid).await?;
    let reason = posted.fields.get("reason").unwrap_or("").trim();
    let error = if reason.is_empty() {
        Some("Enter a reason for revoking")
    } else if reason.chars().count() > 200 {
        Some("Reason must be 200 characters or fewer")
    } else {
        None
    };
    if let Some(error) = error {
        let page = confirm_page(
            &state,
            viewer,
            &pid,
            &name,
            &credential,
            reason,
            Some(error),
        );
        return Ok(page.into_response());
    }
    let org = access.org();
    let reason = format!("{reason} (revoked by {})", viewer.session.user.username);
    state
        .store
        .revoke_credential(org, &cid, &reason, now())
        .await?;
    status::invalidate(&state, org);
    // The reason is free text about a person: it stays on the credential, never in the chain.
    let detail = format!("{} {cid}", credential.type_name);
    access
        .record(&state, "credential-revoked", &pid, &detail)
        .await?;
    tracing::info!(user = %viewer.session.user.id, credential = %cid, "portal revocation");
    let to = format!("/portal/staff/{}?done=revoked", url_part(&pid));
    Ok((StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response())
}
