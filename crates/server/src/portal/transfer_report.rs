//! One transfer request: while waiting, the QR code and link the person opens with their wallet
//! (the page updates itself when the response arrives); then the compliance report, what was
//! presented and refused, exports, and HR's decision.
use super::auth::Viewer;
use super::html::{
    self, attr, csrf_field, html_escape, summary_list, tag, url_part, Nav, PageError,
};
use super::offers::qr_svg;
use super::policy::{authorise, may, not_found, Action, Purpose, Subject};
use super::render;
use super::transfers::profile_name;
use crate::verifier::request::invocation_url;
use crate::verifier::response::is_self_declared;
use crate::{now, ServerError, Shared};
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use passport_compliance::{Report, Status, LEAD_EMPLOYER_STATUS, SELF_DECLARED_HEADING};
use passport_store::{RequestStatus, TransferRequest};
use std::fmt::Write;

/// What a request is opened for: each is its own action, with its own audit entry.
#[derive(Clone, Copy)]
enum Use {
    Page,
    Poll,
    Export(&'static str),
}

impl Use {
    fn action(self, audience: &str) -> Action<'_> {
        match self {
            Use::Page => Action::ViewTransfer(audience),
            Use::Poll => Action::PollTransfer(audience),
            Use::Export(format) => Action::ExportReport { audience, format },
        }
    }
}

/// The request `id` of the viewer's organisation, if the viewer may see it for `why`. Looked
/// up first (its audience decides), then authorised: one audit entry either way.
async fn visible(
    state: &Shared,
    viewer: &Viewer,
    id: &str,
    why: Use,
) -> Result<TransferRequest, PageError> {
    let s = &viewer.session;
    let subject = Subject::Request(id);
    let Some(req) = state.store.transfer_request(&s.user.org, id).await? else {
        let e = not_found(
            state,
            s,
            Purpose::Transfer,
            why.action(""),
            subject,
            "transfer request",
        );
        return Err(e.await.into());
    };
    authorise(
        state,
        s,
        Purpose::Transfer,
        why.action(&req.audience),
        subject,
    )
    .await?;
    Ok(req)
}

pub(super) fn stored_report(req: &TransferRequest) -> Result<Option<Report>, ServerError> {
    req.report
        .as_deref()
        .map(|r| {
            serde_json::from_str(r)
                .map_err(|e| ServerError::Internal(format!("stored report: {e}")))
        })
        .transpose()
}

/// `{"status": "..."}` for the page's own polling.
pub async fn state_json(
    State(state): State<Shared>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let req = visible(&state, &viewer, &id, Use::Poll).await?;
    let body = serde_json::json!({ "status": req.status.as_str() }).to_string();
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

pub async fn report_json(
    State(state): State<Shared>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let req = visible(&state, &viewer, &id, Use::Export("json")).await?;
    super::purged::refuse_export(&req)?;
    let report = stored_report(&req)?
        .ok_or_else(|| ServerError::NotFound("report (no response yet)".into()))?;
    let presented = state.store.presented(&req.org, &req.id).await?;
    let body = serde_json::json!({
        "request": req.id,
        "person": req.person_name,
        "decision": req.decision,
        "report": report,
        "presented": presented.iter().map(|p| serde_json::json!({
            "query": p.query_id, "vct": p.vct, "issuer": p.issuer_ods,
            "accepted": p.accepted, "reason": p.reason,
        })).collect::<Vec<_>>(),
    });
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response())
}

pub async fn report_csv(
    State(state): State<Shared>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let req = visible(&state, &viewer, &id, Use::Export("csv")).await?;
    super::purged::refuse_export(&req)?;
    let report = stored_report(&req)?
        .ok_or_else(|| ServerError::NotFound("report (no response yet)".into()))?;
    let csv = report
        .to_csv()
        .map_err(|e| ServerError::Internal(e.to_string()))?;
    let filename = format!("transfer-{}.csv", req.id);
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        csv,
    )
        .into_response())
}

pub async fn page(
    State(state): State<Shared>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Html<String>, PageError> {
    let req = visible(&state, &viewer, &id, Use::Page).await?;
    if let Some(at) = req.purged_at {
        let body = super::purged::body(&req, at);
        let title = "Transfer request";
        return Ok(render(&state, &viewer, title, Nav::Transfers, &body));
    }
    let details = summary_list(&[
        ("Person".into(), html_escape(&req.person_name)),
        ("Email".into(), html_escape(&req.person_email)),
        (
            "GMC or NMC number".into(),
            html_escape(req.registration_number.as_deref().unwrap_or("Not given")),
        ),
        ("Role".into(), html_escape(&profile_name(&req.profile))),
        (
            "Placement".into(),
            format!(
                "{} to {} ({})",
                html_escape(&req.start_date),
                html_escape(&req.end_date),
                html_escape(&req.move_kind.replace('_', " "))
            ),
        ),
        (
            "Lead employer".into(),
            html_escape(&req.lead_employer.as_deref().map_or("None".into(), |ods| {
                let list = state.trust_list();
                list.by_ods(ods)
                    .map_or(ods.to_string(), |o| format!("{} ({ods})", o.name))
            })),
        ),
        ("Requested".into(), html::date_time(req.created_at)),
    ]);
    let mut body = format!(
        r#"<span class="nhsuk-caption-l">Transfer request</span><h1>{name}</h1>{details}"#,
        name = html_escape(&req.person_name),
    );
    match stored_report(&req)? {
        None => body.push_str(&waiting(&state, &req)?),
        Some(report) => {
            body.push_str(&report_section(&req, &report));
            body.push_str(&declared_section(&report));
            body.push_str(&presented_section(&state, &req, &report).await?);
            // A temporary arrangement's request is decided on the arrangement's own page.
            match state.store.temporary_movement_for_request(&req.org, &req.id).await? {
                Some(m) => body.push_str(&format!(
                    r#"<h2>Decision</h2><p>This request is for a temporary arrangement: <a href="/portal/temporary/{}">decide on the arrangement</a>.</p>"#,
                    attr(&url_part(&m.id))
                )),
                None => body.push_str(&decision_section(&viewer, &req)),
            }
        }
    }
    let failures = state.store.response_failures(&req.org, &req.id).await?;
    if !failures.is_empty() {
        body.push_str(r#"<h2>Responses refused</h2><ul class="nhsuk-list nhsuk-list--bullet" id="refused-responses">"#);
        for (reason, at) in failures {
            let _ = write!(
                body,
                "<li>{}: {}</li>",
                html::date_time(at),
                html_escape(&reason)
            );
        }
        body.push_str("</ul>");
    }
    body.push_str(r#"<p><a href="/portal/transfers">All transfer requests</a></p>"#);
    Ok(render(
        &state,
        &viewer,
        &req.person_name,
        Nav::Transfers,
        &body,
    ))
}

pub(super) fn waiting(state: &Shared, req: &TransferRequest) -> Result<String, ServerError> {
    if req.expires_at <= now() {
        return Ok(r#"<div class="nhsuk-inset-text"><p>This request expired before the person answered. Create a new one.</p></div>"#.into());
    }
    // The client_id the request object was signed under: the node's certificate is made anew at
    // each start, and a link must keep matching its request object.
    let client_id = crate::verifier::response::context(req)?.client_id;
    let link = invocation_url(state, &req.org, &req.id, &client_id);
    let status = match req.status {
        RequestStatus::Fetched => {
            "The person has opened the request in their wallet. Waiting for them to share."
        }
        RequestStatus::Declined => {
            "The person declined to share from their wallet. They can still share with the same link until it expires; or talk to them and make a new request."
        }
        _ => "Waiting for the person to open the request.",
    };
    Ok(format!(
        r#"<div class="nhsuk-grid-row">
<div class="nhsuk-grid-column-one-half">
<h2>Scan with the wallet</h2>
<p>The person scans this QR code with their NHS Staff Passport wallet, or any wallet that supports OpenID for Verifiable Presentations.</p>
{qr}
</div>
<div class="nhsuk-grid-column-one-half">
<h2>Or send the link</h2>
<p>On the phone that holds their wallet, the link opens it directly: <a href="{link_attr}" id="wallet-link">open the request in the wallet</a>.</p>
<p class="app-offer-link" id="request-link">{link}</p>
<p>Expires {expires}.</p>
</div>
</div>
<div class="nhsuk-inset-text" id="transfer-status" role="status" aria-live="polite" data-poll-url="/portal/transfers/{id}/state" data-status="{status_code}"><p>{status}</p><p class="nhsuk-body-s">This page updates by itself when they have shared.</p></div>"#,
        qr = qr_svg(&link)?
            .replace("offer-qr", "request-qr")
            .replace("credential offer link", "transfer request link"),
        link_attr = attr(&link),
        link = html_escape(&link),
        expires = html::date_time(req.expires_at),
        id = attr(&url_part(&req.id)),
        status_code = req.status.as_str(),
    ))
}

fn status_tag(status: &Status) -> String {
    match status {
        Status::Met { .. } => tag("Met", "green"),
        Status::ExpiresDuringPlacement { .. } => tag("Expires during placement", "orange"),
        Status::Missing { .. } => tag("Missing", "red"),
        Status::NotPortable { .. } => tag("Local check needed", "blue"),
        Status::NotShared { .. } => tag("Not shared", "grey"),
        // Short in the narrow status column; the detail says it in full.
        Status::AcceptedUnderLeadEmployer { .. } => tag("Accepted (lead employer)", "green"),
    }
}

fn status_detail(status: &Status) -> String {
    match status {
        Status::Met { issuer, date } => format!("Issued by {issuer}, {date}"),
        Status::ExpiresDuringPlacement { on } => format!("Expires on {on}, during the placement"),
        Status::Missing { reason } => reason.clone().unwrap_or_else(|| "Not presented".into()),
        Status::NotPortable { reason } | Status::NotShared { reason } => reason.clone(),
        Status::AcceptedUnderLeadEmployer { issuer, date } => {
            format!("{LEAD_EMPLOYER_STATUS}: checked by the lead employer {issuer} on {date}, not repeated here")
        }
    }
}

pub(super) fn report_section(req: &TransferRequest, report: &Report) -> String {
    let s = &report.summary;
    let mut rows = String::new();
    for line in &report.lines {
        let mut detail = html_escape(&status_detail(&line.status));
        if let Some(e) = &line.evidence {
            let _ = write!(
                detail,
                "<br><span class=\"nhsuk-body-s\">{}</span>",
                html_escape(&e.summary)
            );
        }
        if let Some(n) = &line.note {
            let _ = write!(
                detail,
                "<br><span class=\"nhsuk-body-s\">{}</span>",
                html_escape(n)
            );
        }
        let _ = write!(
            rows,
            r#"<tr class="nhsuk-table__row" data-key="{key}"><td class="nhsuk-table__cell">{req}</td><td class="nhsuk-table__cell">{tag}</td><td class="nhsuk-table__cell">{detail}</td></tr>"#,
            key = attr(&line.key),
            req = html_escape(&line.requirement),
            tag = status_tag(&line.status),
        );
    }
    let id = attr(&url_part(&req.id));
    format!(
        r#"<h2>Report against the role</h2>
<p id="report-summary">{met} of {total} met; {lead}{exp} expire during the placement; {missing} missing; {np} need a local check; {ns} not shared.</p>
<table class="nhsuk-table" id="report"><caption class="nhsuk-table__caption nhsuk-u-visually-hidden">Requirements of the role and their status</caption><thead class="nhsuk-table__head"><tr class="nhsuk-table__row"><th scope="col" class="nhsuk-table__header">Requirement</th><th scope="col" class="nhsuk-table__header">Status</th><th scope="col" class="nhsuk-table__header">Detail</th></tr></thead><tbody class="nhsuk-table__body">{rows}</tbody></table>
<p>Download the report: <a href="/portal/transfers/{id}/report.csv">CSV for ESR</a> or <a href="/portal/transfers/{id}/report.json">JSON</a>.</p>"#,
        met = s.met,
        total = s.total,
        lead = match &report.lead_employer {
            Some(ods) => format!(
                "{} accepted under the lead employer arrangement ({}); ",
                s.accepted_under_lead_employer,
                html_escape(ods)
            ),
            None => String::new(),
        },
        exp = s.expires_during_placement,
        missing = s.missing,
        np = s.not_portable,
        ns = s.not_shared,
    )
}

/// The person's own details, apart from the requirements and plainly marked as unchecked.
pub(super) fn declared_section(report: &Report) -> String {
    let Some(items) = report.self_declared.as_deref().filter(|i| !i.is_empty()) else {
        return String::new();
    };
    let rows: Vec<(String, String)> = items
        .iter()
        .map(|i| (html_escape(&i.label), html_escape(&i.value)))
        .collect();
    format!(
        r#"<section id="self-declared" aria-labelledby="self-declared-heading"><h2 id="self-declared-heading">{heading}</h2>
<div class="nhsuk-warning-callout"><h3 class="nhsuk-warning-callout__label"><span role="text"><span class="nhsuk-u-visually-hidden">Important: </span>Not verified</span></h3><p>These details were declared by the person, not checked by anyone. Use them to pre-fill forms; they meet no requirement above.</p></div>
{list}</section>"#,
        heading = html_escape(SELF_DECLARED_HEADING),
        list = summary_list(&rows),
    )
}

pub(super) async fn presented_section(
    state: &Shared,
    req: &TransferRequest,
    report: &Report,
) -> Result<String, ServerError> {
    let presented = state.store.presented(&req.org, &req.id).await?;
    let mut rows = String::new();
    for p in &presented {
        let type_name = p
            .vct
            .as_deref()
            .and_then(|v| state.catalogue.by_vct(v))
            .map_or("", |t| t.name);
        let _ = write!(
            rows,
            r#"<tr class="nhsuk-table__row"><td class="nhsuk-table__cell">{q}</td><td class="nhsuk-table__cell">{ty}</td><td class="nhsuk-table__cell">{iss}</td><td class="nhsuk-table__cell">{outcome}</td></tr>"#,
            q = html_escape(
                &report
                    .lines
                    .iter()
                    .find(|l| l.key == p.query_id)
                    .map_or_else(|| p.query_id.replace('_', " "), |l| l.requirement.clone())
            ),
            ty = html_escape(type_name),
            iss = html_escape(p.issuer_ods.as_deref().unwrap_or("")),
            outcome = if p.accepted && is_self_declared(state.catalogue, p) {
                tag("Declared by the person, not checked", "yellow")
            } else if p.accepted {
                tag("Verified", "green")
            } else {
                format!("{} {}", tag("Refused", "red"), html_escape(&p.reason))
            },
        );
    }
    Ok(format!(
        r#"<h2>Credentials presented</h2>
<table class="nhsuk-table" id="presented"><caption class="nhsuk-table__caption nhsuk-u-visually-hidden">Credentials presented and the outcome of verifying each</caption><thead class="nhsuk-table__head"><tr class="nhsuk-table__row"><th scope="col" class="nhsuk-table__header">For</th><th scope="col" class="nhsuk-table__header">Type</th><th scope="col" class="nhsuk-table__header">Issuer</th><th scope="col" class="nhsuk-table__header">Outcome</th></tr></thead><tbody class="nhsuk-table__body">{rows}</tbody></table>"#
    ))
}

fn decision_section(viewer: &Viewer, req: &TransferRequest) -> String {
    if let Some(decision) = &req.decision {
        let words = if decision == "accepted" {
            "Accepted"
        } else {
            "Not accepted"
        };
        return format!(
            r#"<h2>Decision</h2>{}"#,
            summary_list(&[
                ("Decision".into(), html_escape(words)),
                (
                    "Note".into(),
                    html_escape(req.decision_note.as_deref().unwrap_or(""))
                ),
                (
                    "Recorded".into(),
                    req.decided_at.map(html::date_time).unwrap_or_default()
                ),
            ])
        );
    }
    if !may(&viewer.session, Action::DecideTransfer(&req.audience)) {
        return String::new();
    }
    format!(
        r#"<h2>Decision</h2>
<form action="/portal/transfers/{id}/decision" method="post" novalidate>
{csrf}
<div class="nhsuk-form-group"><fieldset class="nhsuk-fieldset"><legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">Do you accept this passport for the role?</legend>
<div class="nhsuk-radios">
<div class="nhsuk-radios__item"><input class="nhsuk-radios__input" id="decision-accepted" name="decision" type="radio" value="accepted"><label class="nhsuk-label nhsuk-radios__label" for="decision-accepted">Accept: the checks above are done; complete the local checks listed</label></div>
<div class="nhsuk-radios__item"><input class="nhsuk-radios__input" id="decision-rejected" name="decision" type="radio" value="rejected"><label class="nhsuk-label nhsuk-radios__label" for="decision-rejected">Do not accept: repeat the checks</label></div>
</div></fieldset></div>
<div class="nhsuk-form-group"><label class="nhsuk-label" for="note">Note (optional)</label><textarea class="nhsuk-textarea" id="note" name="note" rows="3"></textarea></div>
<button class="nhsuk-button" type="submit">Record decision</button>
</form>"#,
        id = attr(&url_part(&req.id)),
        csrf = csrf_field(&viewer.session.csrf),
    )
}
