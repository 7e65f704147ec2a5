//! The cohort dashboard's list of doctors (the drill-down: each doctor links to their request
//! and report) and its reminders form.
use super::html::{attr, html_escape, tag, url_part};
use super::rotations_cohort::{Filter, Judged, Standing};
use super::rotations_html::{table, td};
use std::fmt::Write;

fn standing_tag(s: Standing) -> String {
    let colour = match s {
        Standing::Ready => "green",
        Standing::Gaps => "red",
        Standing::NotResponded => "grey",
        Standing::Declined => "purple",
    };
    tag(s.label(), colour)
}

/// At most this many doctors are listed on the page; the CSV has them all.
pub const MAX_LISTED: usize = 500;

/// The doctors `filter` selects, each linking to their request and report.
pub fn doctors(id: &str, judged: &[&Judged<'_>], filter: &Filter) -> String {
    let mut out = String::new();
    let described = describe_filter(filter);
    let _ = write!(
        out,
        r#"<p id="doctors-count">{n} doctor{s}{described}.{clear}</p>"#,
        n = judged.len(),
        s = if judged.len() == 1 { "" } else { "s" },
        clear = if filter.is_empty() {
            String::new()
        } else {
            format!(
                r##" <a href="/portal/rotations/{}#doctors">Show every doctor</a>"##,
                attr(&url_part(id))
            )
        },
    );
    if judged.is_empty() {
        return out;
    }
    let mut rows = String::new();
    for j in judged.iter().take(MAX_LISTED) {
        let m = j.member;
        let gaps = j
            .gaps
            .iter()
            .map(|g| format!("{} ({})", g.requirement, g.words))
            .collect::<Vec<_>>()
            .join("; ");
        let _ = write!(
            rows,
            r#"<tr role="row" class="nhsuk-table__row" data-request="{rid}" data-standing="{st}">{a}{b}{c}{d}{e}{f}</tr>"#,
            rid = attr(&m.request_id),
            st = j.standing.as_str(),
            a = td(
                "Doctor",
                &format!(
                    r#"<a href="/portal/transfers/{}">{}</a>"#,
                    attr(&url_part(&m.request_id)),
                    doctor_name(m)
                ),
                ""
            ),
            b = td(
                "GMC number",
                &match m.purged_at {
                    Some(_) => "Deleted".to_string(),
                    None => html_escape(&m.gmc_number),
                },
                ""
            ),
            c = td(
                "Post",
                &html_escape(&format!("{} {}", m.grade, m.specialty)),
                ""
            ),
            d = td(
                "Site and start",
                &html_escape(&format!("{}, {}", m.site_code, m.start_date)),
                ""
            ),
            e = td("Standing", &standing_tag(j.standing), ""),
            f = td("Gaps", &html_escape(&gaps), ""),
        );
    }
    out.push_str(&table(
        "doctors-table",
        "Doctors",
        &[
            "Doctor",
            "GMC number",
            "Post",
            "Site and start",
            "Standing",
            "Gaps",
        ],
        &rows,
    ));
    if judged.len() > MAX_LISTED {
        let _ = write!(
            out,
            "<p>The first {MAX_LISTED} are listed; download the CSV for all {}.</p>",
            judged.len()
        );
    }
    out
}

/// The doctor's name as HTML, or when their details were deleted (retention or erasure) that
/// they were and on which day: the row still counts, and links to the request's decision.
fn doctor_name(m: &passport_store::CohortMember) -> String {
    match m.purged_at {
        Some(at) => format!("Details deleted on {}", html_escape(&super::html::date(at))),
        None => format!("{} {}", html_escape(&m.forenames), html_escape(&m.surname)),
    }
}

fn describe_filter(f: &Filter) -> String {
    let mut parts = Vec::new();
    if let Some(s) = f.standing {
        parts.push(s.label().to_lowercase());
    }
    if let Some(v) = &f.specialty {
        parts.push(format!("in {v}"));
    }
    if let Some(v) = &f.site {
        parts.push(format!("at {v}"));
    }
    if let Some(v) = &f.start {
        parts.push(format!("starting {}", super::html::claim_date(v)));
    }
    if let Some(v) = &f.gap {
        parts.push(format!("with a gap on {v}"));
    }
    if parts.is_empty() {
        String::new()
    } else {
        html_escape(&format!(": {}", parts.join(", ")))
    }
}

/// The reminders form, or why there is nothing to send.
pub fn reminders(id: &str, csrf: &str, waiting: usize, sent: i64) -> String {
    let sent_text = format!("Reminders sent so far: {sent}.");
    if waiting == 0 {
        return format!(
            r#"<p id="reminders">No doctor is waiting to be reminded: everyone has answered, or their request has expired. {sent_text}</p>"#
        );
    }
    format!(
        r#"<form id="reminders" action="/portal/rotations/{id}/reminders" method="post" novalidate>{csrf}<p>{waiting} doctor{s} {have} not answered and their request is still open. {sent_text}</p><button class="nhsuk-button nhsuk-button--secondary" type="submit">Send reminders to {waiting} doctor{s}</button></form>"#,
        id = attr(&url_part(id)),
        csrf = super::html::csrf_field(csrf),
        s = if waiting == 1 { "" } else { "s" },
        have = if waiting == 1 { "has" } else { "have" },
    )
}
