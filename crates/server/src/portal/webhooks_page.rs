//! The organisation's webhooks and undelivered messages, for its administrators: the
//! receivers its events go to (add one, turn one off or on), and what the outbox gave up on
//! (webhook deliveries and e-mails dead-lettered after their last attempt, with the error),
//! each of which can be sent again. Every view and change is recorded in the audit log.
use super::auth::{Posted, Viewer};
use super::html::{csrf_field, error_summary, success_banner, Nav, PageError};
use super::policy::{authorise, Action, Purpose, Subject};
use super::render;
use super::webhooks_html as view;
use crate::webhooks;
use crate::{now, ServerError, Shared};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use passport_store::outbox::{DeliveryState, Queue};
use passport_store::StoreError;
use serde::Deserialize;

/// Dead letters shown per queue (the newest).
const SHOWN: i64 = 100;

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
    body.push_str(&view::subscriptions(&subs, &csrf));
    body.push_str(&view::add_form(errors, url_value, &csrf));
    body.push_str(&view::dead_deliveries(&dead, &csrf));
    body.push_str(&view::dead_mail(&mail, &csrf));
    Ok(render(state, viewer, "Webhooks", Nav::None, &body))
}

/// Adds a receiver. A URL that could never be delivered to is said on the page, nothing saved.
pub async fn add(State(state): State<Shared>, posted: Posted) -> Result<Response, PageError> {
    let viewer = &posted.viewer;
    let access = access(&state, viewer).await?;
    let url = posted.fields.get("url").unwrap_or("").trim().to_string();
    let types: Vec<&str> = posted.fields.all("type").collect();
    if types
        .iter()
        .any(|t| !view::EVENT_TYPES.iter().any(|(name, _)| name == t))
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
