//! Rotations of doctors in training at the receiving trust: the list of changeovers, one
//! changeover's cohort dashboard (where every incoming doctor stands, gaps by requirement,
//! breakdowns by specialty, site and start date, charts drawn here, each figure drilling down to
//! the doctors and from each doctor to their report), its CSV, and reminders to those who have
//! not answered. The import is `rotations_import.rs`; the figures `rotations_cohort.rs`.
use super::auth::{Posted, Viewer};
use super::html::{
    self, attr, html_escape, success_banner, summary_list, url_part, Nav, PageError,
};
use super::policy::{authorise, Access, Action, Purpose, Subject};
use super::render;
use super::rotations_cohort::{figures, judge, to_csv, Filter, Judged, Standing};
use super::rotations_html as sections;
use super::rotations_mail::{link_of, reminder, Invitee};
use super::rotations_people as people;
use crate::{now, Shared};
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use passport_store::{Changeover, MailText, ReminderTarget, RequestStatus};
use std::fmt::Write;

/// Changeover `id` of the viewer's organisation, if the viewer may do `action` on it: the role
/// is decided first (403), then the id is looked up in the viewer's own organisation only (404,
/// recorded as not found).
async fn visible(
    state: &Shared,
    viewer: &Viewer,
    id: &str,
    action: Action<'_>,
) -> Result<(Changeover, Access), PageError> {
    let s = &viewer.session;
    let subject = Subject::Changeover(id);
    let access = authorise(state, s, Purpose::Transfer, action, subject).await?;
    match state.store.changeover(access.org(), id).await? {
        Some(c) => Ok((c, access)),
        None => Err(access
            .not_found(state, action, subject, "changeover")
            .await
            .into()),
    }
}

pub async fn list(State(state): State<Shared>, viewer: Viewer) -> Result<Html<String>, PageError> {
    let s = &viewer.session;
    let action = Action::ViewChangeover;
    let access = authorise(&state, s, Purpose::Transfer, action, Subject::Organisation).await?;
    let changeovers = state.store.changeovers(access.org()).await?;
    let mut rows = String::new();
    for c in &changeovers {
        let _ = write!(
            rows,
            r#"<tr class="nhsuk-table__row"><td class="nhsuk-table__cell"><a href="/portal/rotations/{id}">{name}</a></td><td class="nhsuk-table__cell">{date}</td><td class="nhsuk-table__cell">{n}</td></tr>"#,
            id = attr(&url_part(&c.id)),
            name = html_escape(&c.name),
            date = html_escape(&html::claim_date(&c.date)),
            n = c.doctors,
        );
    }
    let table = if changeovers.is_empty() {
        "<p>No changeovers yet: import a rotation list to make one.</p>".to_string()
    } else {
        format!(
            r#"<table class="nhsuk-table" id="changeovers"><caption class="nhsuk-table__caption nhsuk-u-visually-hidden">Changeovers</caption><thead class="nhsuk-table__head"><tr class="nhsuk-table__row"><th scope="col" class="nhsuk-table__header">Changeover</th><th scope="col" class="nhsuk-table__header">Date</th><th scope="col" class="nhsuk-table__header">Doctors</th></tr></thead><tbody class="nhsuk-table__body">{rows}</tbody></table>"#
        )
    };
    let body = format!(
        r#"<h1>Rotations</h1>
<p>The doctors in training coming to your organisation at each changeover, as a cohort: who is ready, who has gaps and in what, who has not answered.</p>
<a class="nhsuk-button" href="/portal/rotations/import">Import a rotation list</a>
{table}
<p><a href="/portal/transfers">All transfer requests</a></p>"#
    );
    Ok(render(&state, &viewer, "Rotations", Nav::Transfers, &body))
}

/// The dashboard's query: the drill-down filter, and the banners after an import or reminders.
#[derive(Debug, Default, serde::Deserialize)]
pub struct DashboardQuery {
    status: Option<String>,
    specialty: Option<String>,
    site: Option<String>,
    start: Option<String>,
    gap: Option<String>,
    imported: Option<u64>,
    reminded: Option<u64>,
}

impl DashboardQuery {
    fn filter(&self) -> Filter {
        let given = |v: &Option<String>| v.as_ref().filter(|t| !t.is_empty()).cloned();
        Filter {
            standing: self.status.as_deref().and_then(Standing::parse),
            specialty: given(&self.specialty),
            site: given(&self.site),
            start: given(&self.start),
            gap: given(&self.gap),
        }
    }
}

pub async fn dashboard(
    State(state): State<Shared>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(q): Query<DashboardQuery>,
) -> Result<Html<String>, PageError> {
    let (c, access) = visible(&state, &viewer, &id, Action::ViewChangeover).await?;
    let cohort = state.store.cohort(access.org(), &c.id).await?;
    let judged: Vec<Judged<'_>> = cohort.iter().map(judge).collect::<Result<_, _>>()?;
    let f = figures(&judged);
    let filter = q.filter();
    let selected: Vec<&Judged<'_>> = judged.iter().filter(|j| filter.matches(j)).collect();
    // Who a reminder would go to now: not answered, request still open (as the store's
    // `reminder_targets`, without reading every signed request object to count them).
    let now = now();
    let waiting = cohort
        .iter()
        .filter(|m| {
            matches!(m.status, RequestStatus::Open | RequestStatus::Fetched) && m.expires_at > now
        })
        .count();
    let sent: i64 = cohort.iter().map(|m| m.reminders).sum();
    let mut banner = String::new();
    if let Some(n) = q.imported {
        banner = success_banner(&format!(
            "{n} doctors imported: each has a transfer request and an invitation e-mail on its way."
        ));
    }
    if let Some(n) = q.reminded {
        banner = success_banner(&format!("Reminders queued for {n} doctors."));
    }
    let cid = attr(&url_part(&c.id));
    let body = format!(
        r##"{banner}<span class="nhsuk-caption-l">Changeover</span><h1>{name}</h1>
{details}
<p><a class="nhsuk-button nhsuk-button--secondary" href="/portal/rotations/import?changeover={cid}">Import more doctors</a></p>
<p><a href="/portal/rotations/{cid}/cohort.csv" id="export-csv">Download the cohort as CSV</a> (every doctor, with their standing and gaps)</p>
<h2>Where the cohort stands</h2>
<p>Ready: shared, and every requirement met or accepted (local checks such as the live GMC register are listed, not counted as gaps). With gaps: something missing, not shared, or running out during the placement.</p>
{totals}
<h2>Gaps by requirement</h2>
{gaps}
<h2>Local checks needed</h2>
{local}
<h2>By specialty</h2>
{specialty}
<h2>By site</h2>
{site}
<h2>By start date</h2>
{start}
<h2>Reminders</h2>
{reminders}
<h2 id="doctors">Doctors</h2>
{doctors}
<p><a href="/portal/rotations">All changeovers</a></p>"##,
        name = html_escape(&c.name),
        details = summary_list(&[
            ("Date".into(), html_escape(&html::claim_date(&c.date))),
            ("Doctors".into(), c.doctors.to_string()),
            ("Made".into(), html::date_time(c.created_at)),
        ]),
        totals = sections::totals(&c.id, f.totals),
        gaps = sections::per_requirement(
            &c.id,
            "gaps",
            "Doctors with gaps, by requirement",
            &f.gaps,
            true
        ),
        local = sections::per_requirement(
            &c.id,
            "local-checks",
            "Local checks needed, by requirement",
            &f.local_checks,
            false
        ),
        specialty = sections::breakdown(
            &c.id,
            "by-specialty",
            "Doctors by specialty",
            "Specialty",
            &f.by_specialty
        ),
        site = sections::breakdown(&c.id, "by-site", "Doctors by site", "Site", &f.by_site),
        start = sections::breakdown(
            &c.id,
            "by-start",
            "Doctors by start date",
            "Start date",
            &f.by_start
        ),
        reminders = people::reminders(&c.id, &viewer.session.csrf, waiting, sent),
        doctors = people::doctors(&c.id, &selected, &filter),
    );
    Ok(render(&state, &viewer, &c.name, Nav::Transfers, &body))
}

pub async fn export_csv(
    State(state): State<Shared>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let (c, access) = visible(&state, &viewer, &id, Action::ExportChangeover).await?;
    let cohort = state.store.cohort(access.org(), &c.id).await?;
    let judged: Vec<Judged<'_>> = cohort.iter().map(judge).collect::<Result<_, _>>()?;
    let csv = to_csv(&judged)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"changeover-{}.csv\"",
                    url_part(&c.id)
                ),
            ),
        ],
        csv,
    )
        .into_response())
}

/// Queues a reminder to every doctor of the changeover who has not answered while their
/// request is still open; the dashboard then says how many.
pub async fn remind(
    State(state): State<Shared>,
    Path(id): Path<String>,
    posted: Posted,
) -> Result<Response, PageError> {
    let viewer = &posted.viewer;
    let (c, access) = visible(&state, viewer, &id, Action::SendReminders).await?;
    let now = now();
    let targets = state
        .store
        .reminder_targets(access.org(), &c.id, now)
        .await?;
    let org_name = super::auth::org_name(&state, viewer).to_string();
    let mut mails: Vec<(ReminderTarget, MailText)> = Vec::with_capacity(targets.len());
    for t in targets {
        let link = link_of(&state, access.org(), &t.request_id, &t.request_object)?;
        let who = Invitee {
            surname: &t.surname,
            start_date: &t.start_date,
            post: None,
        };
        let mail = reminder(&org_name, &who, &link, t.expires_at);
        mails.push((t, mail));
    }
    let queued = state
        .store
        .queue_reminders(access.org(), &c.id, &mails, now)
        .await?;
    access
        .record(
            &state,
            "reminders-queued",
            &c.id,
            &format!("{queued} reminders"),
        )
        .await?;
    tracing::info!(changeover = %c.id, queued, "rotation reminders queued");
    let to = format!("/portal/rotations/{}?reminded={queued}", url_part(&c.id));
    Ok((StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response())
}
