//! The review queue: imported records whose person could not be matched for certain. HR (or
//! OH, for OH-only records) says whose each one is: one of the candidates, or a new person made
//! from the record's own details.
use super::auth::{Posted, Viewer};
use super::html::{
    attr, csrf_field, date, error_summary, html_escape, success_banner, summary_list, url_part,
    Nav, PageError,
};
use super::policy::{authorise, may, not_found, Action, Purpose, Subject};
use super::records::claim_rows;
use super::render;
use super::staff::{source_label, type_label};
use crate::{now, Shared};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use passport_catalogue::Catalogue;
use passport_store::{PersonView, ReviewItem};
use serde::Deserialize;
use std::fmt::Write;

/// The value of the "create a new person" choice (person ids start `p-`).
const NEW_PERSON: &str = "new";

#[derive(Debug, Deserialize)]
pub struct QueueQuery {
    #[serde(default)]
    done: String,
}

/// Open items the viewer may resolve, with each candidate's details.
async fn visible_items(
    state: &Shared,
    viewer: &Viewer,
) -> Result<Vec<(ReviewItem, Vec<PersonView>)>, PageError> {
    let s = &viewer.session;
    let org = &s.user.org;
    let mut out = Vec::new();
    for item in state.store.review_queue(org).await? {
        if !may(s, Action::ResolveReview(item.record.type_name)) {
            continue;
        }
        let mut people = Vec::new();
        for pid in &item.candidates {
            if let Some(p) = state.store.person(org, pid).await? {
                people.push(p);
            }
        }
        out.push((item, people));
    }
    Ok(out)
}

pub async fn queue(
    State(state): State<Shared>,
    viewer: Viewer,
    query: Result<Query<QueueQuery>, QueryRejection>,
) -> Result<Html<String>, PageError> {
    let (s, subject) = (&viewer.session, Subject::Organisation);
    authorise(&state, s, Purpose::Review, Action::ViewReviewQueue, subject).await?;
    let items = visible_items(&state, &viewer).await?;
    let resolved = query.map(|q| q.0.done).unwrap_or_default() == "resolved";
    Ok(queue_page(&state, &viewer, &items, resolved, None))
}

fn queue_page(
    state: &Shared,
    viewer: &Viewer,
    items: &[(ReviewItem, Vec<PersonView>)],
    resolved: bool,
    error: Option<(&str, &str)>,
) -> Html<String> {
    let mut body = String::new();
    if let Some((item_id, message)) = error {
        let field = items
            .iter()
            .position(|(i, _)| i.id == item_id)
            .map_or_else(|| "items".to_string(), |n| format!("choice-{n}"));
        body.push_str(&error_summary(&[(message.to_string(), field)]));
    }
    if resolved {
        body.push_str(&success_banner("The record has been matched and stored."));
    }
    body.push_str(
        r#"<h1>Review queue</h1>
<p>Imported records that could not be matched to a person for certain. For each one, say who it belongs to. Nothing is issued from a record until it is matched.</p>"#,
    );
    if items.is_empty() {
        body.push_str(r#"<p id="items">There is nothing to review.</p>"#);
    }
    for (n, (item, people)) in items.iter().enumerate() {
        let item_error = error.filter(|(id, _)| *id == item.id).map(|(_, m)| m);
        body.push_str(&item_card(
            n,
            item,
            people,
            &viewer.session.csrf,
            item_error,
        ));
    }
    let title = if error.is_some() {
        "Error: Review queue"
    } else {
        "Review queue"
    };
    render(state, viewer, title, Nav::Review, &body)
}

fn person_hint(p: &PersonView) -> String {
    let mut parts = Vec::new();
    if let Some(dob) = &p.person.date_of_birth {
        parts.push(format!("Born {}", super::html::claim_date(dob)));
    }
    parts.extend(p.identifiers.iter().map(|i| i.label()));
    html_escape(&parts.join(" · "))
}

fn item_card(
    n: usize,
    item: &ReviewItem,
    people: &[PersonView],
    csrf: &str,
    error: Option<&str>,
) -> String {
    let r = &item.record;
    let mut rows = vec![
        ("Why it needs review".to_string(), html_escape(&item.reason)),
        ("Received".to_string(), date(item.created_at)),
        (
            "Identifiers in the record".to_string(),
            r.identifiers
                .iter()
                .map(|i| html_escape(&i.label()))
                .collect::<Vec<_>>()
                .join("<br>"),
        ),
    ];
    if let Some(p) = &r.person {
        let mut who = format!("{} {}", p.given_name, p.family_name);
        if let Some(dob) = &p.date_of_birth {
            who.push_str(&format!(", born {}", super::html::claim_date(dob)));
        }
        if let Some(email) = &p.email {
            who.push_str(&format!(", {email}"));
        }
        rows.push(("Person in the record".to_string(), html_escape(&who)));
    }
    let details = match Catalogue::nhs().by_name(r.type_name) {
        Some(ty) => format!(
            r#"<details class="nhsuk-details"><summary class="nhsuk-details__summary"><span class="nhsuk-details__summary-text">The record's details</span></summary><div class="nhsuk-details__text">{}</div></details>"#,
            summary_list(&claim_rows(ty, &r.claims))
        ),
        None => String::new(),
    };
    let mut radios = String::new();
    for (m, p) in people.iter().enumerate() {
        let id = if m == 0 {
            format!("choice-{n}")
        } else {
            format!("choice-{n}-{m}")
        };
        let _ = write!(
            radios,
            r#"<div class="nhsuk-radios__item"><input class="nhsuk-radios__input" id="{id}" name="choice" type="radio" value="{value}" aria-describedby="{id}-hint"><label class="nhsuk-label nhsuk-radios__label" for="{id}">{name}</label><div class="nhsuk-hint nhsuk-radios__hint" id="{id}-hint">{hint}</div></div>"#,
            value = attr(&p.person.id),
            name = html_escape(&format!("{} {}", p.person.given_name, p.person.family_name)),
            hint = person_hint(p),
        );
    }
    if let Some(p) = &r.person {
        if !people.is_empty() {
            radios.push_str(r#"<div class="nhsuk-radios__divider">or</div>"#);
        }
        let id = if people.is_empty() {
            format!("choice-{n}")
        } else {
            format!("choice-{n}-new")
        };
        let _ = write!(
            radios,
            r#"<div class="nhsuk-radios__item"><input class="nhsuk-radios__input" id="{id}" name="choice" type="radio" value="{NEW_PERSON}"><label class="nhsuk-label nhsuk-radios__label" for="{id}">A new person: {name}</label></div>"#,
            name = html_escape(&format!("{} {}", p.given_name, p.family_name)),
        );
    }
    let heading = format!(
        "{} record from {}",
        type_label(r.type_name),
        source_label(r.source.as_str())
    );
    let (group, message) = match error {
        Some(e) => (
            " nhsuk-form-group--error",
            format!(
                r#"<span class="nhsuk-error-message" id="choice-{n}-error"><span class="nhsuk-u-visually-hidden">Error: </span>{}</span>"#,
                html_escape(e)
            ),
        ),
        None => ("", String::new()),
    };
    let form = if radios.is_empty() {
        "<p>No candidate and no name in the record: correct the record at its source and import it again.</p>".to_string()
    } else {
        format!(
            r#"<form action="/portal/review/{item}" method="post" novalidate>
{csrf}
<div class="nhsuk-form-group{group}">
<fieldset class="nhsuk-fieldset"{described}>
<legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">Who does this record belong to?</legend>
{message}
<div class="nhsuk-radios" data-module="nhsuk-radios">{radios}</div>
</fieldset>
</div>
<button class="nhsuk-button" data-module="nhsuk-button" type="submit">Save<span class="nhsuk-u-visually-hidden"> who the {heading_lower} belongs to</span></button>
</form>"#,
            item = attr(&url_part(&item.id)),
            csrf = csrf_field(csrf),
            described = if error.is_some() {
                format!(r#" aria-describedby="choice-{n}-error""#)
            } else {
                String::new()
            },
            heading_lower = html_escape(&heading.to_lowercase()),
        )
    };
    format!(
        r#"<div class="nhsuk-card" id="item-{n}"><div class="nhsuk-card__content">
<h2 class="nhsuk-card__heading nhsuk-heading-m">{heading}</h2>
{rows}
{details}
{form}
</div></div>"#,
        heading = html_escape(&heading),
        rows = summary_list(&rows),
    )
}

pub async fn resolve(
    State(state): State<Shared>,
    Path(item_id): Path<String>,
    posted: Posted,
) -> Result<Response, PageError> {
    let viewer = &posted.viewer;
    let s = &viewer.session;
    let org = &s.user.org;
    let subject = Subject::ReviewItem(&item_id);
    let found = state
        .store
        .review_queue(org)
        .await?
        .into_iter()
        .find(|i| i.id == item_id);
    let Some(item) = found else {
        let action = Action::ResolveReview("");
        let e = not_found(
            &state,
            s,
            Purpose::Review,
            action,
            subject,
            "open review item",
        );
        return Err(e.await.into());
    };
    let action = Action::ResolveReview(item.record.type_name);
    let access = authorise(&state, s, Purpose::Review, action, subject).await?;
    let choice = posted.fields.get("choice").unwrap_or("");
    let person = if choice == NEW_PERSON && item.record.person.is_some() {
        None
    } else if item.candidates.iter().any(|c| c == choice) {
        Some(choice)
    } else {
        let message = if choice.is_empty() {
            "Select who the record belongs to"
        } else {
            "Select one of the people listed, or a new person"
        };
        let items = visible_items(&state, viewer).await?;
        return Ok(
            queue_page(&state, viewer, &items, false, Some((&item_id, message))).into_response(),
        );
    };
    let person_id = state
        .store
        .resolve_review(org, &item_id, person, &s.user.id, now())
        .await?;
    let detail = format!("review item {item_id}, {}", item.record.type_name);
    access
        .record(&state, "review-resolved", &person_id, &detail)
        .await?;
    tracing::info!(user = %s.user.id, item = %item_id, person = %person_id, "portal review resolved");
    Ok((
        StatusCode::SEE_OTHER,
        [(header::LOCATION, "/portal/review?done=resolved")],
    )
        .into_response())
}
