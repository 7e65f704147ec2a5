//! The organisation's local CSTF renewal periods: every subject and level with its national
//! default and the local period in months, changed by the people who own them (training,
//! administrators) and seen by everyone.
//!
//! Invariants:
//! - Every handler authorises first (`ViewProfiles` to look, `EditLocalPeriods` to change)
//!   and reads and writes only the signed-in user's organisation.
//! - What is saved has passed [`LocalPeriods`] validation (known subject and level, 1 to 120
//!   months); a form with any error changes nothing and comes back with the error summary.
//! - Only the periods that differ from the national defaults are stored, so a later change of
//!   a national default reaches every period the trust has not set itself.
use super::auth::{Posted, Viewer};
use super::html::{
    attr, csrf_field, error_summary, html_escape, success_banner, tag, Nav, PageError,
};
use super::policy::{authorise, may, Action, Purpose, Subject};
use super::render;
use crate::{now, ServerError, Shared};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use passport_compliance::{ComplianceError, LocalPeriods, Period};
use serde::Deserialize;
use std::collections::HashMap;
use std::fmt::Write;

const PAGE: &str = "/portal/settings/cstf-periods";
const TITLE: &str = "CSTF renewal periods";

/// `period:{subject}:{level}`: the name of a period's input.
fn field_name(subject: &str, level: u8) -> String {
    format!("period:{subject}:{level}")
}

/// `period-fire-safety-1`: the id of a period's input.
fn field_id(subject: &str, level: u8) -> String {
    let words: Vec<String> = subject
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    format!("period-{}-{level}", words.join("-"))
}

/// The id of the first input, where errors about fields the page does not have point.
fn first_field_id() -> String {
    LocalPeriods::national_defaults()
        .periods()
        .first()
        .map(|p| field_id(&p.subject, p.level))
        .unwrap_or_default()
}

/// The organisation's table: the national defaults unless it stored its own.
async fn current(state: &Shared, org: &str) -> Result<LocalPeriods, ServerError> {
    match state.store.local_periods(org).await? {
        None => Ok(LocalPeriods::national_defaults()),
        Some(json) => LocalPeriods::from_json(&json)
            .map_err(|e| ServerError::Internal(format!("local periods of {org}: {e}"))),
    }
}

/// What is stored for a table: the periods that differ from the national defaults.
fn overrides(table: &LocalPeriods) -> Result<String, ServerError> {
    let national = LocalPeriods::national_defaults();
    let changed: Vec<Period> = table
        .periods()
        .iter()
        .filter(|p| national.months(&p.subject, p.level) != Some(p.months))
        .cloned()
        .collect();
    let json = serde_json::to_string_pretty(&changed)
        .map_err(|e| ServerError::Internal(format!("local periods: {e}")))?;
    // Checked once more on the way out: what is stored always reads back.
    LocalPeriods::from_json(&json)
        .map_err(|e| ServerError::Internal(format!("local periods: {e}")))?;
    Ok(json)
}

#[derive(Debug, Default, Deserialize)]
pub struct PeriodsQuery {
    #[serde(default)]
    done: String,
}

fn months(n: u32) -> String {
    if n == 1 {
        "1 month".into()
    } else {
        format!("{n} months")
    }
}

/// The page. `entered`: what was typed, by input id (after a refused form); `errors`:
/// (message, input id).
fn page(
    state: &Shared,
    viewer: &Viewer,
    table: &LocalPeriods,
    entered: &HashMap<String, String>,
    errors: &[(String, String)],
    banner: Option<&str>,
) -> Html<String> {
    let editable = may(&viewer.session, Action::EditLocalPeriods);
    let national = LocalPeriods::national_defaults();
    let mut body = String::new();
    if !errors.is_empty() {
        body.push_str(&error_summary(errors));
    }
    if let Some(text) = banner {
        body.push_str(&success_banner(text));
    }
    let _ = write!(
        body,
        r#"<a class="nhsuk-back-link" href="/portal/profiles">Back to role profiles</a>
<h1>{TITLE}</h1>
<div class="nhsuk-grid-row"><div class="nhsuk-grid-column-two-thirds">
<p>How long each Core Skills Training Framework subject counts for in your organisation. A person's training expires this many months after it was last awarded, whatever period the organisation they come from uses.</p>
<p id="periods-hint">Where your organisation has not set its own period, the national default applies. Periods are whole months, from 1 to 120.</p>
{who}
</div></div>
"#,
        who = if editable {
            ""
        } else {
            "<p>Only training staff and administrators can change these periods.</p>"
        },
    );
    let mut rows = String::new();
    for p in table.periods() {
        let id = field_id(&p.subject, p.level);
        let default = national.months(&p.subject, p.level).unwrap_or(p.months);
        let error = errors.iter().find(|(_, f)| *f == id).map(|(m, _)| m);
        let local = if editable {
            let value = entered
                .get(&id)
                .cloned()
                .unwrap_or_else(|| p.months.to_string());
            let (group, message, input, described) = match error {
                Some(m) => (
                    " nhsuk-form-group--error",
                    format!(
                        r#"<span class="nhsuk-error-message" id="{id}-error"><span class="nhsuk-u-visually-hidden">Error: </span>{}</span>"#,
                        html_escape(m),
                        id = attr(&id)
                    ),
                    " nhsuk-input--error",
                    format!(" {id}-error"),
                ),
                None => ("", String::new(), "", String::new()),
            };
            format!(
                r#"<div class="nhsuk-form-group nhsuk-u-margin-bottom-0{group}">
<label class="nhsuk-label nhsuk-u-visually-hidden" for="{id}">{subject} level {level}: your period in months</label>
{message}
<div class="nhsuk-input-wrapper"><input class="nhsuk-input nhsuk-input--width-3{input}" id="{id}" name="{name}" type="text" inputmode="numeric" spellcheck="false" autocomplete="off" value="{value}" aria-describedby="{id}-national periods-hint{described}"><div class="nhsuk-input__suffix" aria-hidden="true">months</div></div>
</div>"#,
                id = attr(&id),
                subject = html_escape(&p.subject),
                level = p.level,
                name = attr(&field_name(&p.subject, p.level)),
                value = attr(&value),
                described = attr(&described),
            )
        } else if p.months == default {
            months(p.months)
        } else {
            format!("{} {}", months(p.months), tag("Local", "blue"))
        };
        let _ = write!(
            rows,
            r#"<tr class="nhsuk-table__row"><th class="nhsuk-table__header" scope="row">{subject}</th><td class="nhsuk-table__cell nhsuk-table__cell--numeric">{level}</td><td class="nhsuk-table__cell" id="{id}-national"><span class="nhsuk-u-visually-hidden">National default: </span>{default}</td><td class="nhsuk-table__cell">{local}</td></tr>"#,
            subject = html_escape(&p.subject),
            level = p.level,
            id = attr(&id),
            default = months(default),
        );
    }
    let table_html = format!(
        r#"<table class="nhsuk-table" id="periods">
<caption class="nhsuk-table__caption nhsuk-table__caption--m">Renewal period of each subject and level</caption>
<thead class="nhsuk-table__head"><tr class="nhsuk-table__row"><th class="nhsuk-table__header" scope="col">Subject</th><th class="nhsuk-table__header nhsuk-table__header--numeric" scope="col">Level</th><th class="nhsuk-table__header" scope="col">National default</th><th class="nhsuk-table__header" scope="col">Your organisation</th></tr></thead>
<tbody class="nhsuk-table__body">{rows}</tbody></table>"#
    );
    if editable {
        let csrf = csrf_field(&viewer.session.csrf);
        let _ = write!(
            body,
            r#"<form action="{PAGE}" method="post" novalidate>
{csrf}
<input type="hidden" name="action" value="save">
{table_html}
<button class="nhsuk-button" data-module="nhsuk-button" type="submit">Save renewal periods</button>
</form>
<h2 class="nhsuk-heading-m">Go back to the national defaults</h2>
<p>Sets every subject and level to its national default period, replacing all of your organisation's own periods.</p>
<form action="{PAGE}" method="post" novalidate>
{csrf}
<input type="hidden" name="action" value="reset">
<button class="nhsuk-button nhsuk-button--secondary" data-module="nhsuk-button" type="submit">Reset to national defaults</button>
</form>
"#
        );
    } else {
        body.push_str(&table_html);
    }
    let title = if errors.is_empty() {
        TITLE.to_string()
    } else {
        format!("Error: {TITLE}")
    };
    render(state, viewer, &title, Nav::Profiles, &body)
}

pub async fn show(
    State(state): State<Shared>,
    viewer: Viewer,
    query: Result<Query<PeriodsQuery>, QueryRejection>,
) -> Result<Html<String>, PageError> {
    let s = &viewer.session;
    authorise(
        &state,
        s,
        Purpose::Administration,
        Action::ViewProfiles,
        Subject::Organisation,
    )
    .await?;
    let table = current(&state, &s.user.org).await?;
    let banner = match query.map(|q| q.0.done).unwrap_or_default().as_str() {
        "saved" => Some("The renewal periods have been saved."),
        "reset" => Some("The renewal periods are the national defaults again."),
        _ => None,
    };
    Ok(page(&state, &viewer, &table, &HashMap::new(), &[], banner))
}

/// The message for a refused period.
fn explain(e: &ComplianceError, subject: &str, level: u8) -> String {
    match e {
        ComplianceError::PeriodOutOfRange { .. } => {
            format!("{subject} level {level}: enter a period from 1 to 120 months")
        }
        ComplianceError::UnknownSubject(_) | ComplianceError::UnknownLevel { .. } => {
            format!("{subject} level {level} is not in the CSTF: only the subjects and levels listed have periods")
        }
        other => other.to_string(),
    }
}

pub async fn save(State(state): State<Shared>, posted: Posted) -> Result<Response, PageError> {
    let viewer = &posted.viewer;
    let s = &viewer.session;
    authorise(
        &state,
        s,
        Purpose::Administration,
        Action::EditLocalPeriods,
        Subject::Organisation,
    )
    .await?;
    let org = &s.user.org;
    let to = |done: &str| {
        (
            StatusCode::SEE_OTHER,
            [(header::LOCATION, format!("{PAGE}?done={done}"))],
        )
            .into_response()
    };
    if posted.fields.get("action") == Some("reset") {
        let json = overrides(&LocalPeriods::national_defaults())?;
        state
            .store
            .save_local_periods(org, &json, &s.user.username, now())
            .await?;
        tracing::info!(user = %s.user.id, org = %org, "portal local periods reset to national defaults");
        return Ok(to("reset"));
    }
    let mut table = current(&state, org).await?;
    let mut entered = HashMap::new();
    let mut errors: Vec<(String, String)> = Vec::new();
    for (name, value) in posted.fields.iter() {
        let Some(rest) = name.strip_prefix("period:") else {
            continue;
        };
        let (subject, level) = match rest.rsplit_once(':').map(|(s, l)| (s, l.parse::<u8>())) {
            Some((subject, Ok(level))) => (subject, level),
            _ => {
                errors.push((
                    "Only the subjects and levels listed have periods".into(),
                    first_field_id(),
                ));
                continue;
            }
        };
        let known = table.months(subject, level).is_some();
        let id = if known {
            field_id(subject, level)
        } else {
            first_field_id()
        };
        let value = value.trim();
        if known {
            entered.insert(id.clone(), value.to_string());
        }
        let message = if value.is_empty() {
            Some(format!(
                "Enter the renewal period for {subject} level {level}, in months"
            ))
        } else if !value.bytes().all(|b| b.is_ascii_digit()) {
            Some(format!(
                "{subject} level {level}: enter the period as a whole number of months, like 12"
            ))
        } else {
            // Digits only: too many for a u32 is out of range like any number over 120.
            let months = value.parse::<u32>().unwrap_or(u32::MAX);
            table
                .set(subject, level, months)
                .err()
                .map(|e| explain(&e, subject, level))
        };
        if let Some(m) = message {
            if !errors.iter().any(|(_, f)| *f == id) {
                errors.push((m, id));
            }
        }
    }
    if !errors.is_empty() {
        let shown = current(&state, org).await?;
        return Ok(page(&state, viewer, &shown, &entered, &errors, None).into_response());
    }
    let json = overrides(&table)?;
    state
        .store
        .save_local_periods(org, &json, &s.user.username, now())
        .await?;
    tracing::info!(user = %s.user.id, org = %org, "portal local periods saved");
    Ok(to("saved"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn only_changed_periods_are_stored_and_they_read_back() {
        assert_eq!(overrides(&LocalPeriods::national_defaults()).unwrap(), "[]");
        let mut table = LocalPeriods::national_defaults();
        table.set("Fire Safety", 1, 12).unwrap();
        let json = overrides(&table).unwrap();
        let back = LocalPeriods::from_json(&json).unwrap();
        assert_eq!(back, table);
        assert_eq!(serde_json::from_str::<Vec<Period>>(&json).unwrap().len(), 1);
    }

    #[test]
    fn ids_and_names_are_distinct_per_subject_and_level() {
        let national = LocalPeriods::national_defaults();
        let mut ids: Vec<String> = national
            .periods()
            .iter()
            .map(|p| field_id(&p.subject, p.level))
            .collect();
        assert_eq!(ids[0], first_field_id());
        assert!(ids.contains(&"period-equality-diversity-and-human-rights-1".to_string()));
        let n = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), n);
        assert_eq!(field_name("Fire Safety", 1), "period:Fire Safety:1");
    }
}
