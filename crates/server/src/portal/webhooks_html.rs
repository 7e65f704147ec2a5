//! The webhooks page's HTML: receivers, the add form, and the dead-lettered events and e-mails,
//! each with its button. Every stored value is escaped; long unbroken text (addresses, errors)
//! may break anywhere so the tables fit the page.
use super::html::{attr, date_time, html_escape, tag, url_part};
use crate::webhooks::{TEMPORARY_MOVEMENT_ACCEPTED, TEMPORARY_MOVEMENT_ENDED};
use passport_store::outbox::{DeliveryView, MailView, Subscription};
use std::fmt::Write;

/// The event types an administrator can pick, with what they mean.
pub const EVENT_TYPES: [(&str, &str); 2] = [
    (
        TEMPORARY_MOVEMENT_ACCEPTED,
        "A temporary movement was accepted",
    ),
    (TEMPORARY_MOVEMENT_ENDED, "A temporary movement ended"),
];

/// An event type as people read it: its label when it is one of ours, else the type itself.
fn type_label(event_type: &str) -> &str {
    EVENT_TYPES
        .iter()
        .find(|(name, _)| *name == event_type)
        .map_or(event_type, |(_, label)| label)
}

fn types_text(types: &[String]) -> String {
    if types.is_empty() {
        return "Every event".into();
    }
    let labels: Vec<String> = types.iter().map(|t| html_escape(type_label(t))).collect();
    labels.join("<br>")
}

fn table_start(id: &str, caption: &str, headers: &[&str]) -> String {
    let mut out = format!(
        r#"<table class="nhsuk-table" id="{id}"><caption class="nhsuk-table__caption nhsuk-table__caption--m">{caption}</caption><thead class="nhsuk-table__head"><tr class="nhsuk-table__row">"#
    );
    for h in headers {
        let _ = write!(
            out,
            r#"<th class="nhsuk-table__header" scope="col">{h}</th>"#
        );
    }
    out.push_str(r#"</tr></thead><tbody class="nhsuk-table__body">"#);
    out
}

fn td(html: &str) -> String {
    format!(r#"<td class="nhsuk-table__cell">{html}</td>"#)
}

/// A cell of long unbroken text that may break anywhere to fit.
fn td_long(html: &str) -> String {
    format!(r#"<td class="nhsuk-table__cell nhsuk-u-text-break-word">{html}</td>"#)
}

fn id_text(text: &str) -> String {
    format!(r#"<span class="app-id">{}</span>"#, html_escape(text))
}

/// A one-button form; `hidden` tells screen readers which row the button is for.
fn button_form(action: &str, csrf: &str, fields: &str, label: &str, hidden: &str) -> String {
    format!(
        r#"<form class="app-inline-form" action="{action}" method="post">{csrf}{fields}<button class="nhsuk-button nhsuk-button--secondary" data-module="nhsuk-button" type="submit">{label}<span class="nhsuk-u-visually-hidden"> {hidden}</span></button></form>"#,
        action = attr(action),
        hidden = html_escape(hidden),
    )
}

fn when(finished: Option<i64>, created: i64) -> String {
    html_escape(&date_time(finished.unwrap_or(created)))
}

fn error_text(e: &Option<String>) -> String {
    html_escape(e.as_deref().unwrap_or(""))
}

pub fn subscriptions(subs: &[Subscription], csrf: &str) -> String {
    if subs.is_empty() {
        return r#"<h2 id="receivers">Receivers</h2><p>No receivers yet: events are kept but sent nowhere.</p>"#.into();
    }
    let mut out = table_start(
        "receivers",
        "Receivers",
        &["Address", "Events", "Status", "Change"],
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
            td_long(&id_text(&s.url)),
            td(&types_text(&s.event_types)),
            td(&status),
            td(&button_form(&action, csrf, &field, label, &s.url)),
        );
    }
    out.push_str("</tbody></table>");
    out
}

/// The add form; `errors` are (message, field id) pairs, `url_value` what was typed.
pub fn add_form(errors: &[(String, String)], url_value: &str, csrf: &str) -> String {
    let error = errors
        .iter()
        .find(|(_, f)| f == "url")
        .map(|(m, _)| m.as_str());
    let (group, message, input, described) = match error {
        Some(m) => (
            " nhsuk-form-group--error",
            format!(
                r#"<span class="nhsuk-error-message" id="url-error"><span class="nhsuk-u-visually-hidden">Error:</span> {}</span>"#,
                html_escape(m)
            ),
            " nhsuk-input--error",
            "url-hint url-error",
        ),
        None => ("", String::new(), "", "url-hint"),
    };
    let mut boxes = String::new();
    for (i, (name, label)) in EVENT_TYPES.iter().enumerate() {
        let _ = write!(
            boxes,
            r#"<div class="nhsuk-checkboxes__item"><input class="nhsuk-checkboxes__input" id="type-{i}" name="type" type="checkbox" value="{v}"><label class="nhsuk-label nhsuk-checkboxes__label" for="type-{i}">{l}</label></div>"#,
            v = attr(name),
            l = html_escape(label),
        );
    }
    format!(
        r#"<h2>Add a receiver</h2>
<form action="/portal/webhooks/subscriptions" method="post" novalidate>{csrf}
<div class="nhsuk-form-group{group}">
<label class="nhsuk-label nhsuk-label--s" for="url">Address</label>
<div class="nhsuk-hint" id="url-hint">The https address of the receiving system, for example https://provisioning.example.nhs.uk/passport-events</div>
{message}<input class="nhsuk-input{input}" id="url" name="url" type="url" value="{value}" aria-describedby="{described}" autocomplete="off" spellcheck="false">
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

pub fn dead_deliveries(dead: &[DeliveryView], csrf: &str) -> String {
    if dead.is_empty() {
        return r#"<h2 id="dead-webhooks">Undelivered events</h2><p>None: every event was delivered or is still being tried.</p>"#.into();
    }
    let mut out = table_start(
        "dead-webhooks",
        "Undelivered events",
        &[
            "Gave up",
            "Event and receiver",
            "Tries",
            "Last error",
            "Send again",
        ],
    );
    for d in dead {
        let action = format!("/portal/webhooks/deliveries/{}/requeue", url_part(&d.id));
        let event = format!(
            "{}: {}<br>to {}",
            html_escape(type_label(&d.event_type)),
            id_text(&d.subject),
            id_text(&d.url)
        );
        let _ = write!(
            out,
            r#"<tr class="nhsuk-table__row">{}{}{}{}{}</tr>"#,
            td(&when(d.finished_at, d.created_at)),
            td_long(&event),
            td(&d.attempts.to_string()),
            td_long(&error_text(&d.last_error)),
            td(&button_form(&action, csrf, "", "Send again", &d.subject)),
        );
    }
    out.push_str("</tbody></table>");
    out
}

pub fn dead_mail(mail: &[MailView], csrf: &str) -> String {
    if mail.is_empty() {
        return r#"<h2 id="dead-mail">Undelivered e-mails</h2><p>None: every e-mail was sent or is still being tried.</p>"#.into();
    }
    let mut out = table_start(
        "dead-mail",
        "Undelivered e-mails",
        &[
            "Gave up",
            "To and subject",
            "Tries",
            "Last error",
            "Send again",
        ],
    );
    for m in mail {
        let action = format!("/portal/webhooks/mail/{}/requeue", url_part(&m.id));
        let what = format!("{}<br>{}", html_escape(&m.to), html_escape(&m.subject));
        let _ = write!(
            out,
            r#"<tr class="nhsuk-table__row">{}{}{}{}{}</tr>"#,
            td(&when(m.finished_at, m.created_at)),
            td_long(&what),
            td(&m.attempts.to_string()),
            td_long(&error_text(&m.last_error)),
            td(&button_form(&action, csrf, "", "Send again", &m.to)),
        );
    }
    out.push_str("</tbody></table>");
    out
}
