//! The cohort dashboard's sections: each chart with a table of the same figures beside it, every
//! figure a link to the doctors it counts. Tables are NHS.UK responsive tables (each cell carries
//! its column's heading, shown when a phone stacks the rows).
use super::html::{attr, html_escape, url_part};
use super::rotations_cohort::{Counts, Filter, Group, PerRequirement, Standing};
use super::rotations_svg::{bar_chart, Bar, Series};
use std::fmt::Write;

/// The standings in chart order, with their colours: blue and red tell apart for every common
/// colour vision deficiency; the two greys are the doctors still to hear from.
pub const SERIES: [(Standing, Series); 4] = [
    (
        Standing::Ready,
        Series {
            name: "Ready",
            colour: "#005eb8",
        },
    ),
    (
        Standing::Gaps,
        Series {
            name: "With gaps",
            colour: "#d5281b",
        },
    ),
    (
        Standing::NotResponded,
        Series {
            name: "Not responded",
            colour: "#768692",
        },
    ),
    (
        Standing::Declined,
        Series {
            name: "Declined",
            colour: "#330072",
        },
    ),
];

fn series() -> Vec<Series> {
    SERIES.iter().map(|(_, s)| *s).collect()
}

/// The dashboard URL of changeover `id` filtered by `f` (at the doctors' list).
pub fn filtered(id: &str, f: &Filter) -> String {
    let mut q: Vec<String> = Vec::new();
    let mut add = |k: &str, v: Option<&str>| {
        if let Some(v) = v {
            q.push(format!("{k}={}", url_part(v)));
        }
    };
    add("status", f.standing.map(Standing::as_str));
    add("specialty", f.specialty.as_deref());
    add("site", f.site.as_deref());
    add("start", f.start.as_deref());
    add("gap", f.gap.as_deref());
    format!("/portal/rotations/{}?{}#doctors", url_part(id), q.join("&"))
}

fn th(text: &str) -> String {
    format!(
        r#"<th role="columnheader" class="nhsuk-table__header" scope="col">{}</th>"#,
        html_escape(text)
    )
}

/// A responsive table cell: its heading (for stacked rows) and its HTML content.
pub(super) fn td(heading: &str, content: &str, extra: &str) -> String {
    format!(
        r#"<td role="cell" class="nhsuk-table__cell"{extra}><span class="nhsuk-table-responsive__heading" aria-hidden="true">{} </span>{content}</td>"#,
        html_escape(heading)
    )
}

pub(super) fn table(id: &str, caption: &str, headings: &[&str], rows: &str) -> String {
    let head: String = headings.iter().map(|h| th(h)).collect();
    format!(
        r#"<table role="table" class="nhsuk-table-responsive" id="{id}"><caption class="nhsuk-table__caption nhsuk-table__caption--s">{caption}</caption><thead role="rowgroup" class="nhsuk-table__head"><tr role="row">{head}</tr></thead><tbody class="nhsuk-table__body">{rows}</tbody></table>"#,
        id = attr(id),
        caption = html_escape(caption),
    )
}

/// A count linking to the doctors it counts (a plain 0 links nowhere).
fn count_link(href: &str, n: usize) -> String {
    if n == 0 {
        "0".into()
    } else {
        format!(r#"<a href="{}">{n}</a>"#, attr(href))
    }
}

/// The chart beside its table on wider screens (above it on a phone). A table of many
/// columns gets two thirds of the width.
fn chart_and_table(chart: &str, table: &str, wide_table: bool) -> String {
    let (left, right) = if wide_table {
        ("one-third", "two-thirds")
    } else {
        ("one-half", "one-half")
    };
    format!(
        r#"<div class="nhsuk-grid-row"><div class="nhsuk-grid-column-{left}">{chart}</div><div class="nhsuk-grid-column-{right}">{table}</div></div>"#
    )
}

fn describe(c: Counts) -> String {
    SERIES
        .iter()
        .map(|(s, series)| format!("{} {}", series.name, c.of(*s)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Ready, with gaps, not responded, declined: chart and table.
pub fn totals(id: &str, c: Counts) -> String {
    let bars: Vec<Bar> = SERIES
        .iter()
        .map(|(s, series)| Bar {
            label: series.name.to_string(),
            values: SERIES
                .iter()
                .map(|(t, _)| if t == s { c.of(*s) } else { 0 })
                .collect(),
        })
        .collect();
    let chart = bar_chart(
        "chart-totals",
        "Where the cohort stands",
        &format!("{} doctors: {}.", c.total(), describe(c)),
        &series(),
        &bars,
        false,
    );
    let mut rows = String::new();
    for (s, series) in SERIES {
        let href = filtered(
            id,
            &Filter {
                standing: Some(s),
                ..Filter::default()
            },
        );
        let _ = write!(
            rows,
            r#"<tr role="row" class="nhsuk-table__row" data-standing="{key}">{a}{b}</tr>"#,
            key = s.as_str(),
            a = td("Standing", series.name, ""),
            b = td(
                "Doctors",
                &count_link(&href, c.of(s)),
                &format!(r#" data-count="{}""#, c.of(s))
            ),
        );
    }
    let _ = write!(
        rows,
        r#"<tr role="row" class="nhsuk-table__row" data-standing="total">{}{}</tr>"#,
        td("Standing", "<strong>All doctors</strong>", ""),
        td(
            "Doctors",
            &format!("<strong>{}</strong>", c.total()),
            &format!(r#" data-count="{}""#, c.total())
        ),
    );
    chart_and_table(
        &chart,
        &table(
            "totals",
            "Doctors by where they stand",
            &["Standing", "Doctors"],
            &rows,
        ),
        false,
    )
}

/// Doctors with gaps per requirement (or local checks): chart and table.
pub fn per_requirement(
    id: &str,
    table_id: &str,
    title: &str,
    items: &[PerRequirement],
    gaps: bool,
) -> String {
    if items.is_empty() {
        return format!(r#"<p id="{}">None.</p>"#, attr(table_id));
    }
    let colour = if gaps { "#d5281b" } else { "#768692" };
    let bars: Vec<Bar> = items
        .iter()
        .map(|p| Bar {
            label: p.requirement.clone(),
            values: vec![p.doctors],
        })
        .collect();
    let chart = bar_chart(
        &format!("chart-{table_id}"),
        title,
        &items
            .iter()
            .map(|p| format!("{} {}", p.requirement, p.doctors))
            .collect::<Vec<_>>()
            .join(", "),
        &[Series {
            name: "Doctors",
            colour,
        }],
        &bars,
        false,
    );
    let mut rows = String::new();
    for p in items {
        let detail = p
            .by_status
            .iter()
            .map(|(w, n)| format!("{w} {n}"))
            .collect::<Vec<_>>()
            .join(", ");
        let doctors = if gaps {
            let f = Filter {
                gap: Some(p.key.clone()),
                ..Filter::default()
            };
            count_link(&filtered(id, &f), p.doctors)
        } else {
            p.doctors.to_string()
        };
        let _ = write!(
            rows,
            r#"<tr role="row" class="nhsuk-table__row" data-key="{key}">{a}{b}{c}</tr>"#,
            key = attr(&p.key),
            a = td("Requirement", &html_escape(&p.requirement), ""),
            b = td(
                "Doctors",
                &doctors,
                &format!(r#" data-count="{}""#, p.doctors)
            ),
            c = td("Detail", &html_escape(&detail), ""),
        );
    }
    chart_and_table(
        &chart,
        &table(
            table_id,
            title,
            &["Requirement", "Doctors", "Detail"],
            &rows,
        ),
        false,
    )
}

/// One breakdown (by specialty, site or start date): a stacked chart and its table.
pub fn breakdown(id: &str, table_id: &str, title: &str, what: &str, groups: &[Group]) -> String {
    let bars: Vec<Bar> = groups
        .iter()
        .map(|g| Bar {
            label: g.label.clone(),
            values: SERIES.iter().map(|(s, _)| g.counts.of(*s)).collect(),
        })
        .collect();
    let desc = groups
        .iter()
        .map(|g| format!("{}: {}", g.label, describe(g.counts)))
        .collect::<Vec<_>>()
        .join("; ");
    let chart = bar_chart(
        &format!("chart-{table_id}"),
        title,
        &desc,
        &series(),
        &bars,
        true,
    );
    let mut rows = String::new();
    for g in groups {
        let base = |s: Option<Standing>| {
            let mut f = Filter {
                standing: s,
                ..Filter::default()
            };
            match table_id {
                "by-specialty" => f.specialty = Some(g.key.clone()),
                "by-site" => f.site = Some(g.key.clone()),
                _ => f.start = Some(g.key.clone()),
            }
            filtered(id, &f)
        };
        let mut cells = td(
            what,
            &format!(
                r#"<a href="{}">{}</a>"#,
                attr(&base(None)),
                html_escape(&g.label)
            ),
            "",
        );
        for (s, series) in SERIES {
            let n = g.counts.of(s);
            cells.push_str(&td(
                series.name,
                &count_link(&base(Some(s)), n),
                &format!(r#" data-standing="{}" data-count="{n}""#, s.as_str()),
            ));
        }
        cells.push_str(&td("All", &g.counts.total().to_string(), ""));
        let _ = write!(
            rows,
            r#"<tr role="row" class="nhsuk-table__row" data-key="{}">{cells}</tr>"#,
            attr(&g.key)
        );
    }
    let mut headings = vec![what];
    headings.extend(SERIES.iter().map(|(_, s)| s.name));
    headings.push("All");
    chart_and_table(&chart, &table(table_id, title, &headings, &rows), true)
}
