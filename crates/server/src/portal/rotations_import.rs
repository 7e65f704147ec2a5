//! Importing a rotation list in the portal: the upload form, and the upload itself, which
//! `rotations_list.rs` checks in full and imports; any problem and nothing is written, every
//! problem shown with its line.
//!
//! The form is `multipart/form-data` (a file), so it has its own extractor, [`Upload`], which
//! checks the session's CSRF token exactly as [`super::auth::Posted`] does before the handler
//! sees anything.
use super::auth::{same_secret, Viewer};
use super::html::{
    attr, csrf_field, error_summary, html_escape, url_part, FormErrors, Nav, PageError,
};
use super::policy::{authorise, not_found, Action, Purpose, Subject};
use super::render;
use super::rotations_list::{import_list, ListImport, Refusal};
use crate::verifier::response::parse_date;
use crate::{now, ServerError, Shared};
use axum::extract::{FromRequest, FromRequestParts, Multipart, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use passport_records::RowError;
use passport_store::ChangeoverTarget;
use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::fmt::Write;

/// Largest upload: 50,000 doctors are about 8 MiB of CSV.
pub const MAX_UPLOAD_BYTES: usize = 32 * 1024 * 1024;
/// Problems listed on the page (all of them are counted).
const MAX_SHOWN_PROBLEMS: usize = 200;

/// A `multipart/form-data` POST from a signed-in user whose `csrf` field matched the session's
/// token: the text fields and the one file.
pub struct Upload {
    pub viewer: Viewer,
    pub fields: HashMap<String, String>,
    pub file: Vec<u8>,
}

impl FromRequest<Shared> for Upload {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &Shared) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let viewer = Viewer::from_request_parts(&mut parts, state).await?;
        // A body that is not a multipart form carries no token: it fails the CSRF check.
        let mut form = Multipart::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|_| ServerError::Csrf)?;
        let mut fields = HashMap::new();
        let mut file = Vec::new();
        let too_big = || ServerError::BadRequest("the file is larger than 32 MiB".into());
        while let Some(field) = form.next_field().await.map_err(|_| too_big())? {
            let name = field.name().unwrap_or("").to_string();
            if name == "file" {
                file = field.bytes().await.map_err(|_| too_big())?.to_vec();
            } else if let Entry::Vacant(slot) = fields.entry(name) {
                slot.insert(field.text().await.map_err(|_| ServerError::Csrf)?);
            }
        }
        let token = fields.get("csrf").map_or("", String::as_str);
        if !same_secret(token, &viewer.session.csrf) {
            return Err(ServerError::Csrf.into());
        }
        Ok(Upload {
            viewer,
            fields,
            file,
        })
    }
}

/// What the form had, to show it again with its errors.
#[derive(Default)]
struct FormValues {
    changeover: String,
    name: String,
    date: String,
}

#[derive(serde::Deserialize)]
pub struct FormQuery {
    changeover: Option<String>,
}

pub async fn form(
    State(state): State<Shared>,
    viewer: Viewer,
    axum::extract::Query(q): axum::extract::Query<FormQuery>,
) -> Result<Html<String>, PageError> {
    let s = &viewer.session;
    authorise(
        &state,
        s,
        Purpose::Transfer,
        Action::ImportRotation,
        Subject::Nothing,
    )
    .await?;
    let v = FormValues {
        changeover: q.changeover.unwrap_or_default(),
        ..FormValues::default()
    };
    page(&state, &viewer, &v, &[], &[]).await
}

async fn page(
    state: &Shared,
    viewer: &Viewer,
    v: &FormValues,
    errors: &[(String, String)],
    problems: &[RowError],
) -> Result<Html<String>, PageError> {
    let changeovers = state.store.changeovers(&viewer.session.user.org).await?;
    let mut options =
        String::from(r#"<option value="new">A new changeover (name and date below)</option>"#);
    for c in &changeovers {
        let _ = write!(
            options,
            r#"<option value="{id}"{sel}>{name} ({date}, {n} doctors)</option>"#,
            id = attr(&c.id),
            sel = if c.id == v.changeover {
                " selected"
            } else {
                ""
            },
            name = html_escape(&c.name),
            date = html_escape(&super::html::claim_date(&c.date)),
            n = c.doctors,
        );
    }
    let form = FormErrors { errors };
    let mut problem_list = String::new();
    if !problems.is_empty() {
        let _ = write!(
            problem_list,
            r#"<div class="nhsuk-card nhsuk-card--warning" id="problems"><div class="nhsuk-card__content"><h2 class="nhsuk-card__heading">{n} problem{s} in the file: nothing was imported</h2><p class="nhsuk-card__description">Correct the file and upload it again. Lines are counted from the header row (line 1).</p><ul class="nhsuk-list nhsuk-list--bullet">"#,
            n = problems.len(),
            s = if problems.len() == 1 { "" } else { "s" },
        );
        for p in problems.iter().take(MAX_SHOWN_PROBLEMS) {
            let _ = write!(
                problem_list,
                r#"<li data-line="{line}">Line {line}: {reason}</li>"#,
                line = p.line,
                reason = html_escape(&p.reason)
            );
        }
        if problems.len() > MAX_SHOWN_PROBLEMS {
            let _ = write!(
                problem_list,
                "<li>and {} more</li>",
                problems.len() - MAX_SHOWN_PROBLEMS
            );
        }
        problem_list.push_str("</ul></div></div>");
    }
    let body = format!(
        r#"{summary}<span class="nhsuk-caption-l">Rotations</span><h1>Import a rotation list</h1>
<p>Upload the list of doctors in training coming to your organisation at a changeover. Each doctor gets a transfer request for their role and an e-mail with the link to share their passport from their wallet.</p>
{problem_list}
<form action="/portal/rotations/import" method="post" enctype="multipart/form-data" novalidate>
{csrf}
<div class="{cgroup}"><label class="nhsuk-label" for="changeover">Changeover</label><div class="nhsuk-hint" id="changeover-hint">Add the list to a changeover you already have, or make a new one.</div>{cmsg}<select class="nhsuk-select" id="changeover" name="changeover"{cdesc}>{options}</select></div>
<div class="{ngroup}"><label class="nhsuk-label" for="name">Name of a new changeover</label><div class="nhsuk-hint" id="name-hint">For example, August 2026 foundation and specialty changeover.</div>{nmsg}<input class="nhsuk-input" id="name" name="name" type="text" value="{name}" autocomplete="off"{ndesc}></div>
<div class="{dgroup}"><label class="nhsuk-label" for="date">Date of a new changeover</label><div class="nhsuk-hint" id="date-hint">The day the doctors start, for example 2026-08-05.</div>{dmsg}<input class="nhsuk-input nhsuk-input--width-10" id="date" name="date" type="date" value="{date}"{ddesc}></div>
<div class="{fgroup}"><label class="nhsuk-label" for="file">Rotation list (CSV)</label><div class="nhsuk-hint" id="file-hint">Columns: gmc_number, forenames, surname, email, grade, specialty, site_code, site_name (optional), start_date, end_date, role_profile. One bad row and nothing is imported.</div>{fmsg}<input class="nhsuk-file-upload" id="file" name="file" type="file" accept=".csv,text/csv"{fdesc}></div>
<button class="nhsuk-button" type="submit">Import and send invitations</button>
</form>
<p><a href="/portal/rotations">All changeovers</a></p>"#,
        summary = if errors.is_empty() {
            String::new()
        } else {
            error_summary(errors)
        },
        csrf = csrf_field(&viewer.session.csrf),
        cgroup = form.group("changeover"),
        cmsg = form.message("changeover"),
        cdesc = form.described("changeover", true),
        ngroup = form.group("name"),
        nmsg = form.message("name"),
        ndesc = form.described("name", true),
        name = attr(&v.name),
        dgroup = form.group("date"),
        dmsg = form.message("date"),
        ddesc = form.described("date", true),
        date = attr(&v.date),
        fgroup = form.group("file"),
        fmsg = form.message("file"),
        fdesc = form.described("file", true),
    );
    Ok(render(
        state,
        viewer,
        "Import a rotation list",
        Nav::Transfers,
        &body,
    ))
}

/// The form again, 400, with its errors and the file's problems.
async fn refuse(
    state: &Shared,
    viewer: &Viewer,
    v: &FormValues,
    errors: &[(String, String)],
    problems: &[RowError],
) -> Result<Response, PageError> {
    let page = page(state, viewer, v, errors, problems).await?;
    Ok((StatusCode::BAD_REQUEST, page).into_response())
}

pub async fn import(State(state): State<Shared>, upload: Upload) -> Result<Response, PageError> {
    let viewer = &upload.viewer;
    let s = &viewer.session;
    let action = Action::ImportRotation;
    let access = authorise(&state, s, Purpose::Transfer, action, Subject::Organisation).await?;
    let f = |name: &str| upload.fields.get(name).map_or("", |v| v.trim()).to_string();
    let v = FormValues {
        changeover: f("changeover"),
        name: f("name"),
        date: f("date"),
    };
    let mut errors: Vec<(String, String)> = Vec::new();
    let existing =
        (v.changeover != "new" && !v.changeover.is_empty()).then(|| v.changeover.clone());
    if let Some(id) = &existing {
        if state.store.changeover(access.org(), id).await?.is_none() {
            let subject = Subject::Changeover(id);
            let e = not_found(&state, s, Purpose::Transfer, action, subject, "changeover");
            return Err(e.await.into());
        }
    } else {
        if v.name.is_empty() || v.name.chars().count() > 200 || v.name.chars().any(char::is_control)
        {
            errors.push(("Enter a name for the new changeover".into(), "name".into()));
        }
        if parse_date(&v.date).is_err() {
            errors.push((
                "Enter the changeover date as year-month-day".into(),
                "date".into(),
            ));
        }
    }
    let text = match std::str::from_utf8(&upload.file) {
        Ok(t) if !t.trim().is_empty() => Some(t),
        Ok(_) => {
            errors.push(("Choose the rotation list to upload".into(), "file".into()));
            None
        }
        Err(_) => {
            errors.push(("The file must be CSV text in UTF-8".into(), "file".into()));
            None
        }
    };
    let (Some(text), true) = (text, errors.is_empty()) else {
        return refuse(&state, viewer, &v, &errors, &[]).await;
    };
    let how = ListImport {
        org: access.org(),
        org_name: super::auth::org_name(&state, viewer),
        created_by: &s.user.id,
        role: &s.user.role,
        target: match &existing {
            Some(id) => ChangeoverTarget::Existing(id),
            None => ChangeoverTarget::New {
                name: &v.name,
                date: &v.date,
            },
        },
    };
    let done = match import_list(&state, &how, text, now()).await? {
        Ok(imported) => imported.rotation,
        Err(Refusal::Rows(rows)) => return refuse(&state, viewer, &v, &[], &rows).await,
        Err(Refusal::File(why)) => {
            let errors = [(why, "file".to_string())];
            return refuse(&state, viewer, &v, &errors, &[]).await;
        }
    };
    let detail = format!("{} doctors, {} invitations", done.doctors, done.invitations);
    access
        .record(&state, "rotation-imported", &done.changeover_id, &detail)
        .await?;
    let to = format!(
        "/portal/rotations/{}?imported={}",
        url_part(&done.changeover_id),
        done.doctors
    );
    Ok((StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response())
}
