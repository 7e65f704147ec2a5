//! The organisation's audit log, read-only, for admins and auditors: newest first, a page at a
//! time, optionally only the entries about one person (or request). Reading it is itself
//! recorded. Whether the chain is intact is checked by `passport audit verify`, which reads the
//! whole node's log; this page only shows it.
use super::auth::Viewer;
use super::html::{attr, date, html_escape, role_label, tag, url_part, Nav, PageError};
use super::policy::{authorise, Action, Purpose, Subject};
use super::render;
use crate::{ServerError, Shared};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Html;
use passport_store::AuditEntry;
use serde::Deserialize;
use std::fmt::Write;

/// Entries per page.
const PAGE_SIZE: i64 = 50;

/// The home page's card for those who may read the log.
pub const HOME_CARD: &str = r#"<li class="nhsuk-grid-column-one-half nhsuk-card-group__item">
<div class="nhsuk-card nhsuk-card--clickable"><div class="nhsuk-card__content">
<h2 class="nhsuk-card__heading nhsuk-heading-m"><a class="nhsuk-card__link" href="/portal/audit">Audit log</a></h2>
<p class="nhsuk-card__description">Who read or changed staff records, transfer requests and reports, when and why.</p>
</div></div>
</li>
"#;

#[derive(Debug, Default, Deserialize)]
pub struct AuditQuery {
    /// Only entries about this person or request id.
    #[serde(default)]
    subject: String,
    /// Only entries older than this seq (the next page).
    before: Option<i64>,
}

pub async fn page(
    State(state): State<Shared>,
    viewer: Viewer,
    query: Result<Query<AuditQuery>, QueryRejection>,
) -> Result<Html<String>, PageError> {
    let q = query
        .map_err(|_| ServerError::BadRequest("the audit log filter could not be read".into()))?
        .0;
    let filter: String = q.subject.trim().chars().take(100).collect();
    let s = &viewer.session;
    let subject = if filter.is_empty() {
        Subject::Organisation
    } else {
        Subject::Person(&filter)
    };
    let access = authorise(&state, s, Purpose::Audit, Action::ViewAuditLog, subject).await?;
    let wanted = (!filter.is_empty()).then_some(filter.as_str());
    let before = q.before.filter(|b| *b > 0);
    let entries = state
        .store
        .audit_entries(access.org(), wanted, before, PAGE_SIZE + 1)
        .await?;
    let more = entries.len() as i64 > PAGE_SIZE;
    let shown = &entries[..entries.len().min(PAGE_SIZE as usize)];
    let mut body = format!(
        r#"<h1>Audit log</h1>
<p>Every time someone in your organisation read or changed personal data in the passport, or was refused, with when, who, what, about whom and why. Entries cannot be changed: each is chained to the one before it by its hash, and <code>passport audit verify</code> reports the first entry that was edited, deleted or moved.</p>
<form action="/portal/audit" method="get" novalidate>
<div class="nhsuk-form-group">
<label class="nhsuk-label nhsuk-label--s" for="subject">Person or request ID</label>
<div class="nhsuk-hint" id="subject-hint">Shows only the entries about them. The ID is in the address of their page, for example p-4f2a…</div>
<input class="nhsuk-input nhsuk-u-width-two-thirds" id="subject" name="subject" type="text" value="{value}" aria-describedby="subject-hint" autocomplete="off" spellcheck="false">
</div>
<button class="nhsuk-button nhsuk-button--secondary" data-module="nhsuk-button" type="submit">Filter</button>
</form>
"#,
        value = attr(&filter),
    );
    if !filter.is_empty() {
        body.push_str(r#"<p><a href="/portal/audit">Show every entry</a></p>"#);
    }
    body.push_str(&table(shown, &filter, before.is_some()));
    body.push_str(&pagination(shown, &filter, before.is_some(), more));
    let title = match (filter.is_empty(), before.is_some()) {
        (true, false) => "Audit log".to_string(),
        (true, true) => "Audit log: older entries".to_string(),
        (false, _) => format!("Audit log for {filter}"),
    };
    Ok(render(&state, &viewer, &title, Nav::Audit, &body))
}

fn table(entries: &[AuditEntry], filter: &str, older: bool) -> String {
    if entries.is_empty() {
        let what = if filter.is_empty() {
            "There are no entries".to_string()
        } else {
            format!("There are no entries about {}", html_escape(filter))
        };
        let more = if older { " older than these" } else { "" };
        return format!(r#"<p id="entries">{what}{more}.</p>"#);
    }
    let caption = if filter.is_empty() {
        "Entries, newest first".to_string()
    } else {
        format!("Entries about {}, newest first", html_escape(filter))
    };
    let mut out = format!(
        r#"<table class="nhsuk-table" id="entries"><caption class="nhsuk-table__caption nhsuk-table__caption--m">{caption}</caption>
<thead class="nhsuk-table__head"><tr class="nhsuk-table__row"><th class="nhsuk-table__header" scope="col">When</th><th class="nhsuk-table__header" scope="col">Who</th><th class="nhsuk-table__header" scope="col">What</th><th class="nhsuk-table__header" scope="col">About</th><th class="nhsuk-table__header" scope="col">Why</th><th class="nhsuk-table__header" scope="col">Outcome</th></tr></thead>
<tbody class="nhsuk-table__body">"#
    );
    for e in entries {
        let about = if e.subject.is_empty() {
            String::new()
        } else {
            format!(
                r#"<a class="app-id app-nowrap" href="/portal/audit?subject={q}" title="{full}">{short}<span class="nhsuk-u-visually-hidden"> (entries about {full})</span></a>"#,
                q = attr(&url_part(&e.subject)),
                full = attr(&e.subject),
                short = html_escape(&short_id(&e.subject)),
            )
        };
        let what = if e.detail.is_empty() {
            html_escape(action_label(&e.action))
        } else {
            format!(
                r#"{}<br><span class="nhsuk-body-s">{}</span>"#,
                html_escape(action_label(&e.action)),
                html_escape(&e.detail)
            )
        };
        let _ = write!(
            out,
            r#"<tr class="nhsuk-table__row"><td class="nhsuk-table__cell"><span class="app-nowrap">{day}</span><br><span class="nhsuk-body-s">{time} UTC, entry {seq}</span></td><td class="nhsuk-table__cell">{who}<br><span class="nhsuk-body-s">{role}</span></td><td class="nhsuk-table__cell">{what}</td><td class="nhsuk-table__cell">{about}</td><td class="nhsuk-table__cell">{why}</td><td class="nhsuk-table__cell app-nowrap">{outcome}</td></tr>"#,
            seq = e.seq,
            day = date(e.at),
            time = clock(e.at),
            who = html_escape(&e.actor_name),
            role = html_escape(&role_label(&e.role)),
            why = html_escape(purpose_label(&e.purpose)),
            outcome = outcome_tag(&e.outcome),
        );
    }
    out.push_str("</tbody></table>");
    out
}

fn pagination(entries: &[AuditEntry], filter: &str, older: bool, more: bool) -> String {
    let subject = if filter.is_empty() {
        String::new()
    } else {
        format!("subject={}&", url_part(filter))
    };
    let mut out = String::new();
    if older {
        let _ = write!(
            out,
            r#"<div class="nhsuk-pagination__previous"><a class="nhsuk-link nhsuk-pagination__link" href="{href}" rel="prev"><span class="nhsuk-pagination__title">Newest entries</span></a></div>"#,
            href = attr(&format!("/portal/audit?{}", subject.trim_end_matches('&'))),
        );
    }
    if let (true, Some(last)) = (more, entries.last()) {
        let _ = write!(
            out,
            r#"<div class="nhsuk-pagination__next"><a class="nhsuk-link nhsuk-pagination__link" href="{href}" rel="next"><span class="nhsuk-pagination__title">Older entries</span></a></div>"#,
            href = attr(&format!("/portal/audit?{subject}before={}", last.seq)),
        );
    }
    if out.is_empty() {
        return out;
    }
    format!(r#"<nav class="nhsuk-pagination" aria-label="Pages of the audit log">{out}</nav>"#)
}

/// `14:03:27` (UTC) of a Unix time.
fn clock(unix: i64) -> String {
    let secs = unix.rem_euclid(86_400);
    format!(
        "{:02}:{:02}:{:02}",
        secs / 3600,
        (secs % 3600) / 60,
        secs % 60
    )
}

/// An id short enough for a table cell: `p-4f2a9c1e…` (the link carries the whole id).
fn short_id(id: &str) -> String {
    if id.chars().count() <= 14 {
        return id.to_string();
    }
    let head: String = id.chars().take(11).collect();
    format!("{head}…")
}

/// How an action name reads; names this page does not know are shown as they are.
fn action_label(action: &str) -> &str {
    match action {
        "use-portal" => "Used the portal",
        "view-staff" => "Staff records",
        "create-offer" => "Create a credential offer",
        "offer-created" => "Credential offer made",
        "replace-device" => "Replace a lost or new phone",
        "device-replaced" => "Phone replaced: credentials revoked, new offer made",
        "revoke" => "Revoke a credential",
        "credential-revoked" => "Credential revoked",
        "view-review-queue" => "Review queue",
        "resolve-review" => "Resolve a review item",
        "review-resolved" => "Review item matched",
        "view-profiles" => "Role profiles",
        "edit-profiles" => "Change role profiles",
        "edit-local-periods" => "Change CSTF renewal periods",
        "view-transfers" => "Transfer requests",
        "view-transfer" => "A transfer request and its report",
        "poll-transfer" => "A transfer request's status",
        "export-report" => "Report downloaded",
        "create-transfer" => "Create a transfer request",
        "transfer-requested" => "Transfer request made",
        "decide-transfer" => "Decide on a transfer",
        "transfer-decided" => "Transfer decision recorded",
        "view-audit-log" => "Audit log",
        "administer-trust-list" => "Trust list",
        "export-subject-data" => "Export everything held about a person",
        "subject-data-exported" => "Subject access export downloaded",
        "erase-person" => "Erase a person",
        "person-erased" => "Person erased",
        "retention-run" => "Retention: old presentation data deleted",
        other => other,
    }
}

fn purpose_label(purpose: &str) -> &str {
    match purpose {
        "issue" => "Issuing credentials",
        "transfer" => "Transfer",
        "review" => "Reviewing records",
        "administration" => "Administration",
        "audit" => "Audit",
        "subject-access" => "Subject access request",
        "retention" => "Retention policy",
        other => other,
    }
}

fn outcome_tag(outcome: &str) -> String {
    match outcome {
        "allowed" => tag("Allowed", "green"),
        "done" => tag("Done", "blue"),
        "refused" => tag("Refused", "red"),
        "not-found" => tag("Not found", "orange"),
        other => tag(other, "grey"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(seq: i64, subject: &str, outcome: &str, detail: &str) -> AuditEntry {
        AuditEntry {
            seq,
            at: 1_700_000_000,
            org: "RHQ".into(),
            actor_id: "u-1".into(),
            actor_name: "rhq.<b>hr</b>".into(),
            role: "hr".into(),
            action: "view-staff".into(),
            subject: subject.into(),
            purpose: "review".into(),
            outcome: outcome.into(),
            detail: detail.into(),
            prev_hash: String::new(),
            hash: String::new(),
        }
    }

    #[test]
    fn entries_are_escaped_and_link_to_their_subject() {
        let html = table(
            &[entry(7, "p-1&x", "refused", "search \"<script>\"")],
            "",
            false,
        );
        assert!(html.contains("rhq.&lt;b&gt;hr&lt;/b&gt;"), "{html}");
        assert!(html.contains("&lt;script&gt;") && !html.contains("<script>"));
        assert!(
            html.contains(r#"href="/portal/audit?subject=p-1%26x""#),
            "{html}"
        );
        assert!(html.contains("Refused") && html.contains("Reviewing records"));
    }

    #[test]
    fn pages_go_older_by_seq_and_back_to_the_newest() {
        let shown = [
            entry(9, "p-1", "allowed", ""),
            entry(8, "p-1", "allowed", ""),
        ];
        let nav = pagination(&shown, "p-1", true, true);
        assert!(
            nav.contains("/portal/audit?subject=p-1&amp;before=8"),
            "{nav}"
        );
        assert!(nav.contains(r#"href="/portal/audit?subject=p-1""#), "{nav}");
        assert_eq!(pagination(&shown, "", false, false), "");
        assert!(table(&[], "p-2", true).contains("no entries about p-2 older"));
    }

    #[test]
    fn long_ids_are_shortened_and_times_read_to_the_second() {
        assert_eq!(short_id("p-0123456789abcdef"), "p-012345678…");
        assert_eq!(short_id("tr-short"), "tr-short");
        assert_eq!(clock(86_400 * 3 + 3600 * 14 + 3 * 60 + 27), "14:03:27");
    }
}
