//! The read-only side of role profiles: the table of an organisation's profiles and one
//! profile's summary, in words a recruiter checks a post against (each check said required or
//! not, the DBS level and barred lists, the accepted regulators, the CSTF subjects and lowest
//! levels). Everyone who may view profiles sees this; a stored profile that cannot be read is
//! said so, never shown as empty. Every interpolated value is escaped.
use super::stored::{Shown, SEEDED_BY};
use crate::portal::html::{attr, date, html_escape, summary_list, tag, url_part};
use passport_compliance::{BarredList, DbsLevel, Requirement, RoleProfile};
use std::fmt::Write;

fn updated_text(updated: &Option<(String, i64)>) -> String {
    match updated {
        Some((by, at)) if by != SEEDED_BY => {
            format!("{} by {}", date(*at), html_escape(by))
        }
        _ => "Shipped default".to_string(),
    }
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "Yes"
    } else {
        "No"
    }
}

/// The table of the list page: one row a profile, linking to its page.
pub(super) fn list_table(profiles: &[Shown]) -> String {
    let mut out = String::from(
        r#"<table class="nhsuk-table" id="profiles">
<caption class="nhsuk-table__caption nhsuk-table__caption--m">Your organisation's role profiles</caption>
<thead class="nhsuk-table__head"><tr class="nhsuk-table__row"><th class="nhsuk-table__header" scope="col">Profile</th><th class="nhsuk-table__header" scope="col">Doctor in training</th><th class="nhsuk-table__header" scope="col">Exposure-prone procedures</th><th class="nhsuk-table__header nhsuk-table__header--numeric" scope="col">Requirements</th><th class="nhsuk-table__header" scope="col">Last updated</th></tr></thead>
<tbody class="nhsuk-table__body">"#,
    );
    for p in profiles {
        let (doctor, epp, count) = match &p.profile {
            Some(profile) => (
                yes_no(profile.doctor_in_training).to_string(),
                yes_no(profile.exposure_prone).to_string(),
                profile.requirements.len().to_string(),
            ),
            None => (tag("Cannot be read", "red"), String::new(), String::new()),
        };
        let _ = write!(
            out,
            r#"<tr class="nhsuk-table__row"><td class="nhsuk-table__cell"><a href="/portal/profiles/{id}">{name}</a></td><td class="nhsuk-table__cell">{doctor}</td><td class="nhsuk-table__cell">{epp}</td><td class="nhsuk-table__cell nhsuk-table__cell--numeric">{count}</td><td class="nhsuk-table__cell">{updated}</td></tr>"#,
            id = attr(&url_part(&p.id)),
            name = html_escape(&p.name),
            updated = updated_text(&p.updated),
        );
    }
    out.push_str("</tbody></table>\n");
    out
}

/// The DBS requirement in words, capitalised: `Enhanced with the adults' barred list`.
fn dbs_words(level: DbsLevel, lists: &[BarredList]) -> String {
    let words: Vec<&str> = lists.iter().map(|l| l.words()).collect();
    match words.as_slice() {
        [] => {
            let w = level.words();
            let mut chars = w.chars();
            match chars.next() {
                Some(first) => format!("{}{} check or above", first.to_uppercase(), chars.as_str()),
                None => String::new(),
            }
        }
        [one] => format!("Enhanced with the {one} barred list"),
        _ => format!("Enhanced with the {} barred lists", words.join(" and ")),
    }
}

/// A profile's requirements as two summary lists: the checks (each said required or not) and
/// the CSTF subjects required.
fn requirements_summary(p: &RoleProfile) -> String {
    let find = |f: &dyn Fn(&Requirement) -> bool| p.requirements.iter().find(|r| f(r));
    let required = |b: bool| {
        if b {
            "Required".to_string()
        } else {
            "Not required".to_string()
        }
    };
    let has = |r: Requirement| p.requirements.contains(&r);
    let dbs = match find(&|r| matches!(r, Requirement::Dbs { .. })) {
        Some(Requirement::Dbs {
            level,
            barred_lists,
        }) => html_escape(&dbs_words(*level, barred_lists)),
        _ => "Not required".into(),
    };
    let registration = match find(&|r| matches!(r, Requirement::ProfessionalRegistration { .. })) {
        Some(Requirement::ProfessionalRegistration { bodies }) => html_escape(&format!(
            "{} (checked on the live register)",
            bodies
                .iter()
                .map(|b| b.abbreviation())
                .collect::<Vec<_>>()
                .join(" or ")
        )),
        _ => "Not required".into(),
    };
    let oh = if has(Requirement::OccupationalHealth {}) {
        if p.exposure_prone {
            "Required, including exposure-prone procedures (EPP) clearance".to_string()
        } else {
            "Required".to_string()
        }
    } else {
        "Not required".to_string()
    };
    let placement = match find(&|r| matches!(r, Requirement::TrainingPlacement { .. })) {
        Some(Requirement::TrainingPlacement { grades }) if grades.is_empty() => {
            "Required, any grade".to_string()
        }
        Some(Requirement::TrainingPlacement { grades }) => {
            html_escape(&format!("Required, grade {}", grades.join(", ")))
        }
        _ => "Not required".to_string(),
    };
    let checks = summary_list(&[
        (
            "Identity check".into(),
            required(has(Requirement::Identity {})),
        ),
        (
            "Right to work".into(),
            required(has(Requirement::RightToWork {})),
        ),
        (
            "Current NHS employment".into(),
            required(has(Requirement::Employment {})),
        ),
        ("DBS check".into(), dbs),
        ("Professional registration".into(), registration),
        ("Occupational health clearance".into(), oh),
        (
            "Training programme (TIS)".into(),
            required(has(Requirement::TrainingProgramme {})),
        ),
        ("Training placement (TIS)".into(), placement),
    ]);
    let cstf: Vec<(String, String)> = p
        .requirements
        .iter()
        .filter_map(|r| match r {
            Requirement::Cstf {
                subject,
                level,
                qualifier,
            } => Some((
                match qualifier {
                    Some(q) => format!("{subject}: {q} stream"),
                    None => subject.clone(),
                },
                format!("Level {level} or above"),
            )),
            _ => None,
        })
        .collect();
    let cstf = if cstf.is_empty() {
        "<p>No CSTF subject is required.</p>".to_string()
    } else {
        summary_list(&cstf)
    };
    format!(
        r#"<h2 class="nhsuk-heading-m">Employment checks</h2>
{checks}
<h2 class="nhsuk-heading-m">Core Skills Training Framework (CSTF)</h2>
{cstf}"#
    )
}

/// A profile's summary on its page: the description, the post, and its requirements; or, when
/// what is stored cannot be read, a warning that saving the form replaces it.
pub(super) fn profile_summary(shown: &Shown) -> String {
    let mut body = String::new();
    match &shown.profile {
        Some(p) => {
            if !p.description.is_empty() {
                let _ = writeln!(body, "<p>{}</p>", html_escape(&p.description));
            }
            body.push_str(&summary_list(&[
                (
                    "Doctor in training".into(),
                    yes_no(p.doctor_in_training).into(),
                ),
                (
                    "Exposure-prone procedures".into(),
                    yes_no(p.exposure_prone).into(),
                ),
                ("Requirements".into(), p.requirements.len().to_string()),
                ("Last updated".into(), updated_text(&shown.updated)),
            ]));
            body.push_str(&requirements_summary(p));
        }
        None => body.push_str(
            r#"<div class="nhsuk-warning-callout"><h2 class="nhsuk-warning-callout__label"><span role="text"><span class="nhsuk-u-visually-hidden">Important: </span>This profile cannot be read</span></h2><p>What is stored for it is not a valid profile. Fill in the form below and save it to replace it.</p></div>
"#,
        ),
    }
    body
}
