//! Home, staff search and a person's page: records, issued credentials, offers.
use super::auth::{org_name, Viewer};
use super::html::{
    self, attr, date, html_escape, success_banner, summary_list, tag, url_part, Nav, PageError,
};
use super::policy::{authorise, may, Action, Purpose, Subject};
use super::records::claim_rows;
use super::render;
use crate::{now, ServerError, Shared};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::Html;
use passport_catalogue::Catalogue;
use passport_store::{IssuedCredential, Offer, PersonRecord, PersonSummary};
use serde::Deserialize;
use std::fmt::Write;

const SEARCH_LIMIT: i64 = 50;

use passport_store::MAX_TX_CODE_ATTEMPTS;

pub async fn home(State(state): State<Shared>, viewer: Viewer) -> Result<Html<String>, PageError> {
    let s = &viewer.session;
    authorise(
        &state,
        s,
        Purpose::Review,
        Action::UsePortal,
        Subject::Nothing,
    )
    .await?;
    let org = &s.user.org;
    let people = state.store.count_people(org).await?;
    let mut body = format!(
        r#"<span class="nhsuk-caption-l">Signed in as {name}, {role}</span>
<h1>{org_name}</h1>
<ul class="nhsuk-grid-row nhsuk-card-group">
"#,
        name = html_escape(&s.user.display_name),
        role = html_escape(&html::role_label(&s.user.role)),
        org_name = html_escape(org_name(&state, &viewer)),
    );
    if may(s, Action::ViewStaff) {
        let _ = write!(
            body,
            r#"<li class="nhsuk-grid-column-one-half nhsuk-card-group__item">
<div class="nhsuk-card nhsuk-card--clickable"><div class="nhsuk-card__content">
<h2 class="nhsuk-card__heading nhsuk-heading-m"><a class="nhsuk-card__link" href="/portal/staff">Find a member of staff</a></h2>
<p class="nhsuk-card__description">{people} {noun} in {org_code}. See their records, offer credentials to their wallet, revoke credentials.</p>
</div></div>
</li>
"#,
            noun = if people == 1 { "person" } else { "people" },
            org_code = html_escape(org),
        );
    }
    if may(s, Action::ViewReviewQueue) {
        let open = state
            .store
            .review_queue(org)
            .await?
            .iter()
            .filter(|i| may(s, Action::ResolveReview(i.record.type_name)))
            .count();
        let _ = write!(
            body,
            r#"<li class="nhsuk-grid-column-one-half nhsuk-card-group__item">
<div class="nhsuk-card nhsuk-card--clickable"><div class="nhsuk-card__content">
<h2 class="nhsuk-card__heading nhsuk-heading-m"><a class="nhsuk-card__link" href="/portal/review">Review queue</a></h2>
<p class="nhsuk-card__description">{open} {noun} waiting: imported records that could not be matched to a person for certain.</p>
</div></div>
</li>
"#,
            noun = if open == 1 { "record" } else { "records" },
        );
    }
    if may(s, Action::ViewAuditLog) {
        body.push_str(super::audit_page::HOME_CARD);
    }
    if may(s, Action::ManageWebhooks) {
        body.push_str(super::webhooks_page::HOME_CARD);
    }
    if may(s, Action::AdministerTrustList) && state.trust.is_registry() {
        body.push_str(super::registry::HOME_CARD);
    }
    body.push_str("</ul>");
    Ok(render(&state, &viewer, "Home", Nav::Home, &body))
}

#[derive(Debug, Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

pub async fn search(
    State(state): State<Shared>,
    viewer: Viewer,
    query: Result<Query<SearchQuery>, QueryRejection>,
) -> Result<Html<String>, PageError> {
    let s = &viewer.session;
    let q = query
        .map_err(|_| ServerError::BadRequest("the search could not be read".into()))?
        .0
        .q;
    let q: String = q.trim().chars().take(100).collect();
    let subject = if q.is_empty() {
        Subject::Nothing
    } else {
        Subject::Search(&q)
    };
    let access = authorise(&state, s, Purpose::Review, Action::ViewStaff, subject).await?;
    let mut body = format!(
        r#"<h1>Find a member of staff</h1>
<form action="/portal/staff" method="get" novalidate>
<div class="nhsuk-form-group">
<label class="nhsuk-label nhsuk-label--s" for="q">Name or identifier</label>
<div class="nhsuk-hint" id="q-hint">Surname, or first name and surname. Or an ESR person ID, assignment number, or GMC, NMC or HCPC number.</div>
<input class="nhsuk-input nhsuk-u-width-two-thirds" id="q" name="q" type="search" value="{q}" aria-describedby="q-hint" autocomplete="off" spellcheck="false">
</div>
<button class="nhsuk-button" data-module="nhsuk-button" type="submit">Search</button>
</form>
"#,
        q = attr(&q)
    );
    if !q.is_empty() {
        let people = state
            .store
            .search_people(access.org(), &q, SEARCH_LIMIT)
            .await?;
        body.push_str(&results_table(&q, &people));
    }
    let title = if q.is_empty() {
        "Find a member of staff".to_string()
    } else {
        format!("Search results for {q}")
    };
    Ok(render(&state, &viewer, &title, Nav::Staff, &body))
}

fn results_table(q: &str, people: &[PersonSummary]) -> String {
    if people.is_empty() {
        return format!(
            r#"<h2 class="nhsuk-heading-m">No results</h2><p>No one in your organisation matches “{}”. Check the spelling, or search by an identifier.</p>"#,
            html_escape(q)
        );
    }
    let count = people.len();
    let shown = if count as i64 >= SEARCH_LIMIT {
        format!("The first {count} people matching")
    } else if count == 1 {
        "1 person matches".to_string()
    } else {
        format!("{count} people match")
    };
    let mut out = format!(
        r#"<table class="nhsuk-table" id="results"><caption class="nhsuk-table__caption nhsuk-table__caption--m">{shown} “{}”</caption>
<thead class="nhsuk-table__head"><tr class="nhsuk-table__row"><th class="nhsuk-table__header" scope="col">Name</th><th class="nhsuk-table__header" scope="col">Date of birth</th><th class="nhsuk-table__header" scope="col">Email</th></tr></thead>
<tbody class="nhsuk-table__body">"#,
        html_escape(q)
    );
    for p in people {
        let _ = write!(
            out,
            r#"<tr class="nhsuk-table__row"><td class="nhsuk-table__cell"><a href="/portal/staff/{id}">{family}, {given}</a></td><td class="nhsuk-table__cell">{dob}</td><td class="nhsuk-table__cell">{email}</td></tr>"#,
            id = attr(&url_part(&p.id)),
            family = html_escape(&p.family_name),
            given = html_escape(&p.given_name),
            dob = html_escape(
                &p.date_of_birth
                    .as_deref()
                    .map(html::claim_date)
                    .unwrap_or_default()
            ),
            email = html_escape(p.email.as_deref().unwrap_or("")),
        );
    }
    out.push_str("</tbody></table>");
    out
}

#[derive(Debug, Deserialize)]
pub struct PersonQuery {
    #[serde(default)]
    done: String,
}

pub async fn person(
    State(state): State<Shared>,
    viewer: Viewer,
    Path(person_id): Path<String>,
    query: Result<Query<PersonQuery>, QueryRejection>,
) -> Result<Html<String>, PageError> {
    let s = &viewer.session;
    let subject = Subject::Person(&person_id);
    let access = authorise(&state, s, Purpose::Review, Action::ViewStaff, subject).await?;
    let org = access.org();
    let Some(view) = state.store.person(org, &person_id).await? else {
        let e = access.not_found(&state, Action::ViewStaff, subject, "person");
        return Err(e.await.into());
    };
    let issued: Vec<IssuedCredential> = state
        .store
        .issued_to(org, &person_id)
        .await?
        .into_iter()
        .filter(|c| may(s, Action::ViewType(&c.type_name)))
        .collect();
    let offers = state.store.offers_of(org, &person_id).await?;
    let p = &view.person;
    let name = format!("{} {}", p.given_name, p.family_name);
    let mut body = String::new();
    if query.map(|q| q.0.done).unwrap_or_default() == "revoked" {
        body.push_str(&success_banner("The credential has been revoked."));
    }
    let _ = write!(
        body,
        r#"<span class="nhsuk-caption-l">Member of staff</span><h1>{}</h1>"#,
        html_escape(&name)
    );
    let identifiers = view
        .identifiers
        .iter()
        .map(|i| html_escape(&i.label()))
        .collect::<Vec<_>>()
        .join("<br>");
    body.push_str(&summary_list(&[
        (
            "Date of birth".into(),
            html_escape(
                &p.date_of_birth
                    .as_deref()
                    .map(html::claim_date)
                    .unwrap_or_default(),
            ),
        ),
        (
            "Email".into(),
            html_escape(p.email.as_deref().unwrap_or("")),
        ),
        ("Identifiers".into(), identifiers),
    ]));
    if may(s, Action::CreateOffer) {
        body.push_str(&offer_form(
            &state,
            &view.person.id,
            &name,
            &s.csrf,
            !view.records.is_empty(),
        ));
    }
    body.push_str(&records_section(s, &view.records));
    body.push_str(&issued_section(s, &person_id, &issued));
    body.push_str(&offers_section(&offers));
    body.push_str(&super::subject_access::person_section(s, &person_id, &name));
    Ok(render(&state, &viewer, &name, Nav::Staff, &body))
}

fn offer_form(
    state: &Shared,
    person_id: &str,
    name: &str,
    csrf: &str,
    has_records: bool,
) -> String {
    let days = state.config.offer_ttl_secs / 86_400;
    let lasts = if days >= 1 {
        format!("{days} {}", if days == 1 { "day" } else { "days" })
    } else {
        format!("{} minutes", state.config.offer_ttl_secs / 60)
    };
    if !has_records {
        return r#"<h2>Offer credentials</h2><p>There are no current records to offer.</p>"#.into();
    }
    format!(
        r#"<h2>Offer credentials</h2>
<p>Make a QR code and a link that {name} opens in their wallet app to collect a credential for each current record, and a 6-digit transaction code that you give them separately. The offer works once and lasts {lasts}.</p>
<form action="/portal/staff/{id}/offers" method="post" novalidate>
{csrf}<button class="nhsuk-button" data-module="nhsuk-button" type="submit">Create an offer</button>
</form>
<p>Lost phone or new phone? <a href="/portal/staff/{id}/replace-device" id="replace-device">Replace lost or new phone<span class="nhsuk-u-visually-hidden"> for {name}</span></a>: revoke what is on the old phone and make a new offer.</p>"#,
        name = html_escape(name),
        id = attr(&url_part(person_id)),
        csrf = html::csrf_field(csrf),
    )
}

/// The records the viewer may see, by type in catalogue order.
fn records_section(s: &passport_store::Session, records: &[PersonRecord]) -> String {
    let visible: Vec<&PersonRecord> = records
        .iter()
        .filter(|r| may(s, Action::ViewType(&r.type_name)))
        .collect();
    let mut out = String::from(r#"<h2 id="records">Records</h2>"#);
    if visible.is_empty() {
        out.push_str("<p>No current records.</p>");
        return out;
    }
    for ty in Catalogue::nhs().iter() {
        let of_type: Vec<&&PersonRecord> =
            visible.iter().filter(|r| r.type_name == ty.name).collect();
        if of_type.is_empty() {
            continue;
        }
        let _ = write!(out, r#"<h3>{}</h3>"#, html_escape(ty.display_name));
        for r in of_type {
            let mut rows = claim_rows(ty, &r.claims);
            rows.push((
                "Source".into(),
                format!(
                    "{}, imported {}",
                    html_escape(source_label(&r.source)),
                    date(r.imported_at)
                ),
            ));
            let _ = write!(
                out,
                r#"<div class="nhsuk-card"><div class="nhsuk-card__content">{}</div></div>"#,
                summary_list(&rows)
            );
        }
    }
    out
}

pub fn source_label(source: &str) -> &str {
    match source {
        "esr" => "ESR",
        "learning" => "Learning record",
        "oh" => "Occupational health system",
        "tis" => "TIS",
        "dsp" => "Digital Staff Passport API",
        other => other,
    }
}

pub fn type_label(type_name: &str) -> &str {
    Catalogue::nhs()
        .by_name(type_name)
        .map_or(type_name, |t| t.display_name)
}

fn issued_section(
    s: &passport_store::Session,
    person_id: &str,
    issued: &[IssuedCredential],
) -> String {
    let mut out = String::from(r#"<h2 id="credentials">Credentials issued</h2>"#);
    if issued.is_empty() {
        out.push_str("<p>None yet: credentials are issued when the person collects an offer in their wallet.</p>");
        return out;
    }
    out.push_str(
        r#"<table class="nhsuk-table"><caption class="nhsuk-table__caption nhsuk-u-visually-hidden">Credentials issued to this person</caption>
<thead class="nhsuk-table__head"><tr class="nhsuk-table__row"><th class="nhsuk-table__header" scope="col">Credential</th><th class="nhsuk-table__header" scope="col">Issued</th><th class="nhsuk-table__header" scope="col">Expires</th><th class="nhsuk-table__header" scope="col">Status</th><th class="nhsuk-table__header" scope="col">Action</th></tr></thead>
<tbody class="nhsuk-table__body">"#,
    );
    let now = now();
    for c in issued {
        let label = type_label(&c.type_name);
        let status = match (c.revoked_at, c.expires_at) {
            (Some(at), _) => format!(
                r#"{}<br><span class="nhsuk-body-s">{} ({})</span>"#,
                tag("Revoked", "red"),
                date(at),
                html_escape(c.revoke_reason.as_deref().unwrap_or("no reason given"))
            ),
            (None, Some(exp)) if exp <= now => tag("Expired", "grey"),
            _ => tag("Valid", "green"),
        };
        let action = if c.revoked_at.is_none() && may(s, Action::Revoke(&c.type_name)) {
            format!(
                r#"<a href="/portal/staff/{pid}/credentials/{cid}/revoke">Revoke<span class="nhsuk-u-visually-hidden"> {label} issued {issued}</span></a>"#,
                pid = attr(&url_part(person_id)),
                cid = attr(&url_part(&c.id)),
                label = html_escape(label),
                issued = date(c.issued_at),
            )
        } else {
            String::new()
        };
        let _ = write!(
            out,
            r#"<tr class="nhsuk-table__row"><td class="nhsuk-table__cell">{}</td><td class="nhsuk-table__cell">{}</td><td class="nhsuk-table__cell">{}</td><td class="nhsuk-table__cell">{status}</td><td class="nhsuk-table__cell">{action}</td></tr>"#,
            html_escape(label),
            date(c.issued_at),
            c.expires_at.map(date).unwrap_or_else(|| "No expiry".into()),
        );
    }
    out.push_str("</tbody></table>");
    out
}

fn offers_section(offers: &[Offer]) -> String {
    let mut out = String::from(r#"<h2 id="offers">Offers</h2>"#);
    if offers.is_empty() {
        out.push_str("<p>No offers made yet.</p>");
        return out;
    }
    out.push_str(
        r#"<table class="nhsuk-table"><caption class="nhsuk-table__caption nhsuk-u-visually-hidden">Credential offers made to this person</caption>
<thead class="nhsuk-table__head"><tr class="nhsuk-table__row"><th class="nhsuk-table__header" scope="col">Created</th><th class="nhsuk-table__header" scope="col">Expires</th><th class="nhsuk-table__header" scope="col">Status</th></tr></thead>
<tbody class="nhsuk-table__body">"#,
    );
    let now = now();
    for o in offers {
        let status = match o.redeemed_at {
            Some(at) => format!("{} {}", tag("Collected", "green"), date(at)),
            None if o.failed_attempts >= MAX_TX_CODE_ATTEMPTS => {
                tag("Locked: too many wrong codes", "red")
            }
            None if o.expires_at <= now => tag("Expired", "grey"),
            None => tag("Waiting", "blue"),
        };
        let _ = write!(
            out,
            r#"<tr class="nhsuk-table__row"><td class="nhsuk-table__cell">{}</td><td class="nhsuk-table__cell">{}</td><td class="nhsuk-table__cell">{status}</td></tr>"#,
            html::date_time(o.created_at),
            html::date_time(o.expires_at),
        );
    }
    out.push_str("</tbody></table>");
    out
}
