//! The organisation's webhooks and undelivered messages, for its administrators: the
//! receivers its events go to (add one, turn one off or on), and what the outbox gave up on
//! (webhook deliveries and e-mails dead-lettered after their last attempt, with the error),
//! each of which can be sent again. Every view and change is recorded in the audit log.
use super::auth::{Posted, Viewer};
use super::html::{
    attr, csrf_field, date_time, error_summary, html_escape, success_banner, tag, url_part, Nav,
    PageError,
};
use super::policy::{authorise, Action, Purpose, Subject};
use super::render;
use crate::webhooks::{self, TEMPORARY_MOVEMENT_ACCEPTED, TEMPORARY_MOVEMENT_ENDED};
use crate::{now, ServerError, Shared};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use passport_store::outbox::{DeliveryState, DeliveryView, MailView, Queue, Subscription};
use passport_store::StoreError;
use serde::Deserialize;
use std::fmt::Write;

/// Dead letters shown per queue (the newest).
const SHOWN: i64 = 100;

/// The event types an administrator can pick, with what they mean.
const EVENT_TYPES: [(&str, &str); 2] = [
    (
        TEMPORARY_MOVEMENT_ACCEPTED,
        "A temporary movement was accepted",
    ),
    (TEMPORARY_MOVEMENT_ENDED, "A temporary movement ended"),
];

/// The home page's card for those who may manage webhooks.
pub const HOME_CARD: &str = r#"<li class="nhsuk-grid-column-one-half nhsuk-card-group__item">
<div class="nhsuk-card nhsuk-card--clickable"><div class="nhsuk-card__content">
<h2 class="nhsuk-card__heading nhsuk-heading-m"><a class="nhsuk-card__link" href="/portal/webhooks">Webhooks</a></h2>
<p class="nhsuk-card__description">Where events go (access provisioning, ESR), and events and e-mails that could not be delivered.</p>
</div></div>
</li>
"#;

#[derive(Debug, Default, Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    done: String,
}

fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response()
}

async fn access(state: &Shared, viewer: &Viewer) -> Result<super::policy::Access, ServerError> {
    authorise(
        state,
        &viewer.session,
        Purpose::Administration,
        Action::ManageWebhooks,
        Subject::Organisation,
    )
    .await
}

pub async fn page(
    State(state): State<Shared>,
    viewer: Viewer,
    query: Result<Query<DoneQuery>, QueryRejection>,
) -> Result<Html<String>, PageError> {
    let done = query.map(|q| q.0.done).unwrap_or_default();
    let banner = match done.as_str() {
        "added" => "The receiver was added. New events will be sent to it.",
        "on" => "The receiver was turned on.",
        "off" => "The receiver was turned off. Its events wait until it is turned on again.",
        "requeued" => "It will be sent again within a few seconds.",
        _ => "",
    };
    Ok(render_page(&state, &viewer, &[], "", banner).await?)
}

async fn render_page(
    state: &Shared,
    viewer: &Viewer,
    errors: &[(String, String)],
    url_value: &str,
    banner: &str,
) -> Result<Html<String>, ServerError> {
    let access = access(state, viewer).await?;
    let org = access.org();
    let subs = state.store.subscriptions(org).await?;
    let dead = state
        .store
        .deliveries(org, Some(DeliveryState::Dead), SHOWN)
        .await?;
    let mail = state
        .store
        .mail_items(org, Some(DeliveryState::Dead), SHOWN)
        .await?;
    let csrf = csrf_field(&viewer.session.csrf);
    let mut body = String::new();
    if !errors.is_empty() {
        body.push_str(&error_summary(errors));
    }
    if !banner.is_empty() {
        body.push_str(&success_banner(banner));
    }
    body.push_str(
        r#"<h1>Webhooks and undelivered messages</h1>
<p>Systems such as access provisioning and ESR can be told when something happens here. Each event is sent as a signed CloudEvent; the receiver checks the signature with your organisation's key on the national trust list. A receiver that is down is tried again, waiting longer each time; after the last try the event is listed below and can be sent again.</p>
"#,
    );
    body.push_str(&subscriptions(&subs, &csrf));
    body.push_str(&add_form(errors, url_value, &csrf));
    body.push_str(&dead_deliveries(&dead, &csrf));
    body.push_str(&dead_mail(&mail, &csrf));
    Ok(render(state, viewer, "Webhooks", Nav::None, &body))
}

fn types_text(types: &[String]) -> String {
    if types.is_empty() {
        return "Every event".into();
    }
    types
        .iter()
        .map(|t| {
            EVENT_TYPES
                .iter()
                .find(|(name, _)| name == t)
                .map_or(t.as_str(), |(_, label)| label)
        })
        .map(html_escape)
        .collect::<Vec<_>>()
        .join("<br>")
}

const TABLE_HEAD: &str = r#"<thead class="nhsuk-table__head"><tr class="nhsuk-table__row">"#;

fn th(text: &str) -> String {
    format!(r#"<th class="nhsuk-table__header" scope="col">{text}</th>"#)
}

fn td(html: &str) -> String {
    format!(r#"<td class="nhsuk-table__cell">{html}</td>"#)
}

fn button_form(action: &str, csrf: &str, fields: &str, label: &str, hidden: &str) -> String {
    format!(
        r#"<form action="{action}" method="post">{csrf}{fields}<button class="nhsuk-button nhsuk-button--secondary nhsuk-u-margin-bottom-0" data-module="nhsuk-button" type="submit">{label}<span class="nhsuk-u-visually-hidden"> {hidden}</span></button></form>"#,
        action = attr(action),
        hidden = html_escape(hidden),
    )
}

fn subscriptions(subs: &[Subscription], csrf: &str) -> String {
    if subs.is_empty() {
        return r#"<h2 id="receivers">Receivers</h2><p>No receivers yet: events are kept but sent nowhere.</p>"#.into();
    }
    let mut out = format!(
        r#"<table class="nhsuk-table" id="receivers"><caption class="nhsuk-table__caption nhsuk-table__caption--m">Receivers</caption>{TABLE_HEAD}{}{}{}{}</tr></thead><tbody class="nhsuk-table__body">"#,
        th("Address"),
        th("Events"),
        th("Status"),
        th("Change")
    );
    for s in subs {
        let (status, label, value) = if s.enabled {
            (tag("On", "green"), "Turn off", "0")
        } else {
            (tag("Off", "grey"), "Turn on", "1")
        };
        let action = format!("/portal/webhooks/subscriptions/{}/enabled", url_part(&s.id));
        let field = format!(r#"<input type="hidden" name="enabled" value="{value}">"#);
        let _ = write!(
            out,
            r#"<tr class="nhsuk-table__row">{}{}{}{}</tr>"#,
            td(&format!(
                r#"<span class="app-id">{}</span>"#,
                html_escape(&s.url)
            )),
            td(&types_text(&s.event_types)),
            td(&status),
            td(&button_form(&action, csrf, &field, label, &s.url)),
        );
    }
    out.push_str("</tbody></table>");
    out
}

fn add_form(errors: &[(String, String)], url_value: &str, csrf: &str) -> String {
    let error = errors
        .iter()
        .find(|(_, f)| f == "url")
        .map(|(m, _)| m.as_str());
    let (group, message, input) = match error {
        Some(m) => (
            " nhsuk-form-group--error",
            format!(
                r#"<span class="nhsuk-error-message" id="url-error"><span class="nhsuk-u-visually-hidden">Error:</span> {}</span>"#,
                html_escape(m)
            ),
            " nhsuk-input--error",
        ),
        None => ("", String::new(), ""),
    };
    let mut boxes = String::new();
    for (i, (name, label)) in EVENT_TYPES.iter().enumerate() {
        let _ = write!(
            boxes,
            r#"<div class="nhsuk-checkboxes__item"><input class="nhsuk-checkboxes__input" id="type-{i}" name="type" type="checkbox" value="{v}"><label class="nhsuk-label nhsuk-checkboxes__label" for="type-{i}">{l} <span class="app-id">{v}</span></label></div>"#,
            v = attr(name),
            l = html_escape(label),
        );
    }
    format!(
        r#"<h2>Add a receiver</h2>
<form action="/portal/webhooks/subscriptions" method="post" novalidate>{csrf}
<div class="nhsuk-form-group{group}">
<label class="nhsuk-label nhsuk-label--s" for="url">Address</label>
<div class="nhsuk-hint" id="url-hint">An https address of the receiving system, for example https://provisioning.example.nhs.uk/passport-events</div>
{message}<input class="nhsuk-input{input}" id="url" name="url" type="url" value="{value}" aria-describedby="url-hint" autocomplete="off" spellcheck="false">
</div>
<div class="nhsuk-form-group"><fieldset class="nhsuk-fieldset" aria-describedby="type-hint"><legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">Events</legend>
<div class="nhsuk-hint" id="type-hint">Leave every box clear to send every event.</div>
<div class="nhsuk-checkboxes">{boxes}</div></fieldset></div>
<button class="nhsuk-button" data-module="nhsuk-button" type="submit">Add receiver</button>
</form>
"#,
        value = attr(url_value),
    )
}

fn when(finished: Option<i64>, created: i64) -> String {
    html_escape(&date_time(finished.unwrap_or(created)))
}

fn error_text(e: &Option<String>) -> String {
    html_escape(e.as_deref().unwrap_or(""))
}

fn dead_deliveries(dead: &[DeliveryView], csrf: &str) -> String {
    if dead.is_empty() {
        return r#"<h2 id="dead-webhooks">Undelivered events</h2><p>None: every event was delivered or is still being tried.</p>"#.into();
    }
    let mut out = format!(
        r#"<table class="nhsuk-table" id="dead-webhooks"><caption class="nhsuk-table__caption nhsuk-table__caption--m">Undelivered events</caption>{TABLE_HEAD}{}{}{}{}{}{}</tr></thead><tbody class="nhsuk-table__body">"#,
        th("Gave up"),
        th("Event"),
        th("Receiver"),
        th("Tries"),
        th("Last error"),
        th("Send again")
    );
    for d in dead {
        let action = format!("/portal/webhooks/deliveries/{}/requeue", url_part(&d.id));
        let event = format!(
            r#"<span class="app-id">{}</span><br>{}"#,
            html_escape(&d.event_type),
            html_escape(&d.subject)
        );
        let _ = write!(
            out,
            r#"<tr class="nhsuk-table__row">{}{}{}{}{}{}</tr>"#,
            td(&when(d.finished_at, d.created_at)),
            td(&event),
            td(&format!(
                r#"<span class="app-id">{}</span>"#,
                html_escape(&d.url)
            )),
            td(&d.attempts.to_string()),
            td(&error_text(&d.last_error)),
            td(&button_form(&action, csrf, "", "Send again", &d.subject)),
        );
    }
    out.push_str("</tbody></table>");
    out
}

fn dead_mail(mail: &[MailView], csrf: &str) -> String {
    if mail.is_empty() {
        return r#"<h2 id="dead-mail">Undelivered e-mails</h2><p>None: every e-mail was sent or is still being tried.</p>"#.into();
    }
    let mut out = format!(
        r#"<table class="nhsuk-table" id="dead-mail"><caption class="nhsuk-table__caption nhsuk-table__caption--m">Undelivered e-mails</caption>{TABLE_HEAD}{}{}{}{}{}{}</tr></thead><tbody class="nhsuk-table__body">"#,
        th("Gave up"),
        th("To"),
        th("Subject"),
        th("Tries"),
        th("Last error"),
        th("Send again")
    );
    for m in mail {
        let action = format!("/portal/webhooks/mail/{}/requeue", url_part(&m.id));
        let _ = write!(
            out,
            r#"<tr class="nhsuk-table__row">{}{}{}{}{}{}</tr>"#,
            td(&when(m.finished_at, m.created_at)),
            td(&html_escape(&m.to)),
            td(&html_escape(&m.subject)),
            td(&m.attempts.to_string()),
            td(&error_text(&m.last_error)),
            td(&button_form(&action, csrf, "", "Send again", &m.to)),
        );
    }
    out.push_str("</tbody></table>");
    out
}

/// Adds a receiver. A URL that could never be delivered to is said on the page, nothing saved.
pub async fn add(State(state): State<Shared>, posted: Posted) -> Result<Response, PageError> {
    let viewer = &posted.viewer;
    let access = access(&state, viewer).await?;
    let url = posted.fields.get("url").unwrap_or("").trim().to_string();
    let types: Vec<&str> = posted.fields.all("type").collect();
    if types
        .iter()
        .any(|t| !EVENT_TYPES.iter().any(|(name, _)| name == t))
    {
        return Err(ServerError::BadRequest("unknown event type".into()).into());
    }
    match webhooks::subscribe(&state, access.org(), &url, &types).await {
        Ok(sub) => {
            let detail = format!("{}; events: {}", sub.url, sub.event_types.join(", "));
            access
                .record(&state, "webhook-added", &sub.id, &detail)
                .await?;
            Ok(see_other("/portal/webhooks?done=added"))
        }
        Err(ServerError::BadRequest(_)) | Err(ServerError::Store(StoreError::Invalid(_))) => {
            let errors = [(
                "Enter an http or https address with no user name or password in it".to_string(),
                "url".to_string(),
            )];
            Ok(render_page(&state, viewer, &errors, &url, "")
                .await?
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// Turns a receiver on or off.
pub async fn set_enabled(
    State(state): State<Shared>,
    Path(id): Path<String>,
    posted: Posted,
) -> Result<Response, PageError> {
    let access = access(&state, &posted.viewer).await?;
    let enabled = match posted.fields.get("enabled") {
        Some("1") => true,
        Some("0") => false,
        _ => return Err(ServerError::BadRequest("enabled must be 0 or 1".into()).into()),
    };
    match state
        .store
        .set_subscription_enabled(access.org(), &id, enabled, now())
        .await
    {
        Ok(()) => {
            let event = if enabled { "webhook-on" } else { "webhook-off" };
            access.record(&state, event, &id, "").await?;
            Ok(see_other(if enabled {
                "/portal/webhooks?done=on"
            } else {
                "/portal/webhooks?done=off"
            }))
        }
        Err(StoreError::NotFound(_)) => Err(access
            .not_found(
                &state,
                Action::ManageWebhooks,
                Subject::Organisation,
                "no such receiver",
            )
            .await
            .into()),
        Err(e) => Err(ServerError::from(e).into()),
    }
}

async fn requeue(
    state: &Shared,
    posted: &Posted,
    queue: Queue,
    id: &str,
) -> Result<Response, PageError> {
    let access = access(state, &posted.viewer).await?;
    match state
        .store
        .requeue(queue, access.org(), id, webhooks::now_ms())
        .await
    {
        Ok(()) => {
            let event = match queue {
                Queue::Webhooks => "webhook-requeued",
                Queue::Mail => "mail-requeued",
            };
            access.record(state, event, id, "").await?;
            Ok(see_other("/portal/webhooks?done=requeued"))
        }
        Err(StoreError::NotFound(_)) => Err(access
            .not_found(
                state,
                Action::ManageWebhooks,
                Subject::Organisation,
                "no such undelivered item",
            )
            .await
            .into()),
        Err(e) => Err(ServerError::from(e).into()),
    }
}

/// Sends a dead-lettered webhook delivery again (attempts start over).
pub async fn requeue_delivery(
    State(state): State<Shared>,
    Path(id): Path<String>,
    posted: Posted,
) -> Result<Response, PageError> {
    requeue(&state, &posted, Queue::Webhooks, &id).await
}

/// Sends a dead-lettered e-mail again (attempts start over).
pub async fn requeue_mail(
    State(state): State<Shared>,
    Path(id): Path<String>,
    posted: Posted,
) -> Result<Response, PageError> {
    requeue(&state, &posted, Queue::Mail, &id).await
}
