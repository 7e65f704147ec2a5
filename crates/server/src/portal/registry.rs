//! The national trust list registry in the portal, for registry administrators on the node that
//! holds the registry signing key: the list in force, the draft's organisations (add one, change
//! one), what publishing would change, and "Publish", which signs the draft as the next version
//! and serves it at `/trust-list` at once. Every other node picks it up at its next refresh.
//!
//! Every handler authorises `AdministerTrustList` first (registry administrators only: any
//! other role gets 403, recorded), then answers 404 on a node without the registry key. A form
//! with any problem changes nothing and comes back with the error summary, each error linked to
//! its field; a good one is saved to the draft in the database, never straight to the list.
//! Every save and publication is recorded in the audit log with the administrator's name.
use super::auth::{Posted, Viewer};
use super::html::{error_summary, html_escape, success_banner, Nav, PageError};
use super::policy::{authorise, Access, Action, Purpose, Subject};
use super::registry_form::{FieldError, OrgForm};
use super::registry_html::{
    changes, changes_text, draft_table, in_force_summary, org_form, versions_table,
};
use super::render;
use crate::trust::registry::{draft_organisations, not_registry, publish_now, to_draft, to_entry};
use crate::{now, ServerError, Shared};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use passport_store::StoreError;
use passport_trust_list::{valid_ods_code, Organisation};
use serde::Deserialize;
use std::fmt::Write;

/// How many published versions the page lists.
const VERSIONS_SHOWN: i64 = 10;

/// The home page card of a registry administrator.
pub const HOME_CARD: &str = r#"<li class="nhsuk-grid-column-one-half nhsuk-card-group__item">
<div class="nhsuk-card nhsuk-card--clickable"><div class="nhsuk-card__content">
<h2 class="nhsuk-card__heading nhsuk-heading-m"><a class="nhsuk-card__link" href="/portal/registry">Trust list</a></h2>
<p class="nhsuk-card__description">The organisations every node trusts: their keys, the credentials each may issue, who may verify. Change the draft and publish a new version.</p>
</div></div>
</li>
"#;

/// What was just done (after a redirect), for the banner.
#[derive(Debug, Default, Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    done: String,
    #[serde(default)]
    ods: String,
}

/// The registry administrator's access, on a node that holds the registry key.
async fn access(state: &Shared, viewer: &Viewer) -> Result<Access, PageError> {
    let access = authorise(
        state,
        &viewer.session,
        Purpose::Administration,
        Action::AdministerTrustList,
        Subject::Organisation,
    )
    .await?;
    if !state.trust.is_registry() {
        return Err(not_registry().into());
    }
    Ok(access)
}

fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response()
}

pub async fn overview(
    State(state): State<Shared>,
    viewer: Viewer,
    query: Result<Query<DoneQuery>, QueryRejection>,
) -> Result<Html<String>, PageError> {
    access(&state, &viewer).await?;
    let q = query.map(|q| q.0).unwrap_or_default();
    let ods = if valid_ods_code(&q.ods) {
        q.ods
    } else {
        String::new()
    };
    let version = state.trust.current().version();
    let banner = match (q.done.as_str(), ods.is_empty()) {
        ("published", _) => success_banner(&format!(
            "Version {version} is published. Other nodes take it at their next refresh."
        )),
        ("added", false) => success_banner(&format!(
            "{ods} is on the draft. Publish a new version to put it on the list."
        )),
        ("saved", false) => success_banner(&format!(
            "The changes to {ods} are on the draft. Publish a new version to put them on the list."
        )),
        _ => String::new(),
    };
    overview_page(&state, &viewer, &[], &banner).await
}

async fn overview_page(
    state: &Shared,
    viewer: &Viewer,
    errors: &[FieldError],
    banner: &str,
) -> Result<Html<String>, PageError> {
    let current = state.trust.current();
    let draft = draft_organisations(&state.store).await?;
    let versions = state.store.trust_list_versions(VERSIONS_SHOWN).await?;
    let next = current.version() + 1;
    let mut body = String::new();
    if !errors.is_empty() {
        body.push_str(&error_summary(errors));
    }
    let _ = write!(
        body,
        r#"{banner}<span class="nhsuk-caption-l">Registry</span>
<h1>Trust list</h1>
<p>The signed list every node uses to decide which organisations' credentials to believe and which organisations may ask staff for theirs. Changes go to a draft first; publishing signs the draft as a new version.</p>
<h2 class="nhsuk-heading-m">In force</h2>
{summary}
<h2 class="nhsuk-heading-m">Draft</h2>
<div class="nhsuk-inset-text"><span class="nhsuk-u-visually-hidden">Information: </span><p>{changes}</p></div>
<p><a class="nhsuk-button nhsuk-button--secondary" data-module="nhsuk-button" role="button" draggable="false" href="/portal/registry/organisations/new">Add an organisation</a></p>
{table}
<h2 class="nhsuk-heading-m">Publish</h2>
<form action="/portal/registry/publish" method="post" novalidate>
{csrf}
<p class="nhsuk-body" id="publish-hint">Signs the draft with the registry key as version {next}, valid for 7 days (it is signed again automatically before then). This server serves it at once; other nodes take it at their next refresh.</p>
<button class="nhsuk-button" data-module="nhsuk-button" type="submit" id="publish" aria-describedby="publish-hint">Publish version {next}</button>
</form>
{history}"#,
        summary = in_force_summary(&current.list),
        changes = html_escape(&changes_text(
            current.version(),
            &changes(&current.list, &draft)
        )),
        table = draft_table(&draft),
        csrf = super::html::csrf_field(&viewer.session.csrf),
        history = versions_table(&versions),
    );
    let title = if errors.is_empty() {
        "Trust list"
    } else {
        "Error: Trust list"
    };
    Ok(render(state, viewer, title, Nav::Registry, &body))
}

/// The page of the organisation form (new, or `editing` an organisation of the draft).
fn form_page(
    state: &Shared,
    viewer: &Viewer,
    form: &OrgForm,
    errors: &[FieldError],
    editing: Option<&Organisation>,
) -> Html<String> {
    let mut body = String::new();
    if !errors.is_empty() {
        body.push_str(&error_summary(errors));
    }
    let (title, caption) = match editing {
        Some(org) => (format!("Change {}", org.ods_code), html_escape(&org.name)),
        None => ("Add an organisation".to_string(), "Trust list draft".into()),
    };
    let _ = write!(
        body,
        r#"<a class="nhsuk-back-link" href="/portal/registry">Back to the trust list</a>
<div class="nhsuk-grid-row"><div class="nhsuk-grid-column-two-thirds">
<span class="nhsuk-caption-l">{caption}</span>
<h1>{h1}</h1>
<p>Saved to the draft: nothing changes for other nodes until a new version is published.</p>
{form}</div></div>"#,
        h1 = html_escape(&title),
        form = org_form(
            form,
            errors,
            &viewer.session.csrf,
            editing.map(|o| o.ods_code.as_str()),
            state.catalogue,
        ),
    );
    let title = if errors.is_empty() {
        title
    } else {
        format!("Error: {title}")
    };
    render(state, viewer, &title, Nav::Registry, &body)
}

pub async fn new_form(
    State(state): State<Shared>,
    viewer: Viewer,
) -> Result<Html<String>, PageError> {
    access(&state, &viewer).await?;
    Ok(form_page(&state, &viewer, &OrgForm::default(), &[], None))
}

pub async fn create(State(state): State<Shared>, posted: Posted) -> Result<Response, PageError> {
    let viewer = &posted.viewer;
    let access = access(&state, viewer).await?;
    let form = OrgForm::from_fields(&posted.fields);
    let org = match form.check(state.catalogue) {
        Ok(org) => org,
        Err(errors) => {
            let form = form.shown_back();
            return Ok(form_page(&state, viewer, &form, &errors, None).into_response());
        }
    };
    let draft = draft_organisations(&state.store).await?;
    let mut errors = Vec::new();
    if draft.iter().any(|d| d.ods_code == org.ods_code) {
        errors.push((
            format!(
                "{} is already on the draft: change that organisation instead",
                org.ods_code
            ),
            "ods-code".to_string(),
        ));
    }
    if draft.iter().any(|d| d.issuer == org.issuer) {
        errors.push(taken_issuer());
    }
    if errors.is_empty() {
        let row = to_draft(&org, &viewer.session.user.username, now())?;
        match state.store.add_draft_org(&row).await {
            Ok(()) => {}
            Err(StoreError::Conflict(why)) => errors.push((why, "ods-code".into())),
            Err(e) => return Err(e.into()),
        }
    }
    if !errors.is_empty() {
        return Ok(form_page(&state, viewer, &form, &errors, None).into_response());
    }
    access
        .record(&state, "trust-list-add", &org.ods_code, &summary(&org))
        .await?;
    Ok(see_other(&format!(
        "/portal/registry?done=added&ods={}",
        org.ods_code
    )))
}

/// An organisation of the draft, or 404.
async fn draft_org(state: &Shared, ods: &str) -> Result<Organisation, PageError> {
    let row = state
        .store
        .registry_draft_org(ods)
        .await?
        .ok_or_else(|| ServerError::NotFound(format!("{ods} is not on the draft")))?;
    Ok(to_entry(&row)?)
}

pub async fn edit_form(
    State(state): State<Shared>,
    viewer: Viewer,
    Path(ods): Path<String>,
) -> Result<Html<String>, PageError> {
    access(&state, &viewer).await?;
    let org = draft_org(&state, &ods).await?;
    let form = OrgForm::from_entry(&org, state.catalogue);
    Ok(form_page(&state, &viewer, &form, &[], Some(&org)))
}

pub async fn update(
    State(state): State<Shared>,
    Path(ods): Path<String>,
    posted: Posted,
) -> Result<Response, PageError> {
    let viewer = &posted.viewer;
    let access = access(&state, viewer).await?;
    let existing = draft_org(&state, &ods).await?;
    let mut form = OrgForm::from_fields(&posted.fields);
    form.ods_code = existing.ods_code.clone();
    let org = match form.check(state.catalogue) {
        Ok(org) => org,
        Err(errors) => {
            let form = form.shown_back();
            return Ok(form_page(&state, viewer, &form, &errors, Some(&existing)).into_response());
        }
    };
    let draft = draft_organisations(&state.store).await?;
    let mut errors = Vec::new();
    if draft
        .iter()
        .any(|d| d.issuer == org.issuer && d.ods_code != org.ods_code)
    {
        errors.push(taken_issuer());
    } else {
        let row = to_draft(&org, &viewer.session.user.username, now())?;
        match state.store.update_draft_org(&row).await {
            Ok(()) => {}
            Err(StoreError::Conflict(why)) => errors.push((why, "issuer".into())),
            Err(e) => return Err(e.into()),
        }
    }
    if !errors.is_empty() {
        return Ok(form_page(&state, viewer, &form, &errors, Some(&existing)).into_response());
    }
    access
        .record(&state, "trust-list-change", &org.ods_code, &summary(&org))
        .await?;
    Ok(see_other(&format!(
        "/portal/registry?done=saved&ods={}",
        org.ods_code
    )))
}

pub async fn publish(State(state): State<Shared>, posted: Posted) -> Result<Response, PageError> {
    let viewer = &posted.viewer;
    let access = access(&state, viewer).await?;
    match publish_now(&state, &viewer.session.user.username, now()).await {
        Ok(published) => {
            let detail = format!(
                "version {}, {} organisations",
                published.version(),
                published.list.organisations.len()
            );
            access
                .record(&state, "trust-list-publish", "", &detail)
                .await?;
            Ok(see_other("/portal/registry?done=published"))
        }
        // The draft breaks a rule of the list, would drop this node's own organisation, or
        // another administrator published at the same moment: said on the page, nothing signed.
        Err(ServerError::BadRequest(why)) | Err(ServerError::Store(StoreError::Conflict(why))) => {
            let errors = [(why, "publish".to_string())];
            Ok(overview_page(&state, viewer, &errors, "")
                .await?
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

fn taken_issuer() -> FieldError {
    (
        "Another organisation on the draft has this issuer identifier".into(),
        "issuer".into(),
    )
}

/// What the audit entry says about a saved organisation (no keys: they are on the list).
fn summary(org: &Organisation) -> String {
    format!(
        "{}; issuer {}; {} key(s); {} type(s); may verify: {}",
        org.name,
        org.issuer,
        org.jwks.keys.len(),
        org.may_issue.len(),
        if org.may_verify { "yes" } else { "no" }
    )
}
