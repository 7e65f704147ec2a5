//! The profile edit form as HTML, in the NHS design system's markup: the name and description,
//! the employment checks, training grades, DBS level and barred lists, regulators, and one
//! select per CSTF subject (and resuscitation stream). Every value is escaped; every field has
//! the id its errors link to, and a group with an error shows it inline and names it in
//! `aria-describedby`. The form posts to the profile's own address, or to the list to create.
use super::errors::{FormError, Inline};
use super::fields::{
    barred_label, barred_value, body_id, cstf_slots, cstf_value, dbs_label, dbs_value,
    BARRED_LISTS, CHECKS, DBS_LEVELS,
};
use super::form::ProfileForm;
use crate::portal::html::{attr, csrf_field, html_escape, url_part};
use passport_compliance::{ProfessionalBody, TIS_GRADES};
use std::fmt::Write;

/// The address of a profile's page (where its form posts), or of the list (where a new
/// profile's form posts) when `id` is `None`.
pub(super) fn profile_url(id: Option<&str>) -> String {
    match id {
        Some(id) => format!("/portal/profiles/{}", url_part(id)),
        None => "/portal/profiles".to_string(),
    }
}

fn checked(b: bool) -> &'static str {
    if b {
        " checked"
    } else {
        ""
    }
}

/// One checkbox: id, name, value, label, hint (may be empty), ticked or not.
fn checkbox(id: &str, name: &str, value: &str, label: &str, hint: &str, on: bool) -> String {
    let (hint_html, described) = if hint.is_empty() {
        (String::new(), String::new())
    } else {
        (
            format!(
                r#"<div class="nhsuk-hint nhsuk-checkboxes__hint" id="{id}-hint">{}</div>"#,
                html_escape(hint),
                id = attr(id)
            ),
            format!(r#" aria-describedby="{}-hint""#, attr(id)),
        )
    };
    format!(
        r#"<div class="nhsuk-checkboxes__item"><input class="nhsuk-checkboxes__input" id="{id}" name="{name}" type="checkbox" value="{value}"{on}{described}><label class="nhsuk-label nhsuk-checkboxes__label" for="{id}">{label}</label>{hint_html}</div>"#,
        id = attr(id),
        name = attr(name),
        value = attr(value),
        on = checked(on),
        label = html_escape(label),
    )
}

/// The checkboxes of one form name, from `(id, value, label, hint)` items (hint may be empty),
/// each ticked when `chosen` (what the form holds for that name) has its value.
fn checkboxes<'a>(
    name: &str,
    chosen: &[String],
    items: impl IntoIterator<Item = (String, &'a str, String, &'a str)>,
) -> String {
    items
        .into_iter()
        .map(|(id, value, label, hint)| {
            checkbox(
                &id,
                name,
                value,
                &label,
                hint,
                chosen.iter().any(|c| c == value),
            )
        })
        .collect()
}

/// How a fieldset's legend reads: a section heading (`h2`) or a smaller question.
enum Legend {
    Heading(&'static str),
    Question(&'static str),
}

/// What a fieldset holds (the class and module of the element around its items).
enum Items {
    Checkboxes,
    SmallInlineCheckboxes,
    Radios,
}

/// A form group of one fieldset whose errors are those of `group`: the legend, the hint (id
/// `{group}-hint`, static HTML), the group's inline error, then the items' HTML.
fn fieldset(
    inline: &Inline,
    group: &str,
    legend: Legend,
    hint: &'static str,
    items: Items,
    html: &str,
) -> String {
    let legend = match legend {
        Legend::Heading(text) => format!(
            r#"<legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--m"><h2 class="nhsuk-fieldset__heading">{text}</h2></legend>"#
        ),
        Legend::Question(text) => format!(
            r#"<legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">{text}</legend>"#
        ),
    };
    let (class, module) = match items {
        Items::Checkboxes => ("nhsuk-checkboxes", "nhsuk-checkboxes"),
        Items::SmallInlineCheckboxes => (
            "nhsuk-checkboxes nhsuk-checkboxes--small nhsuk-checkboxes--inline",
            "nhsuk-checkboxes",
        ),
        Items::Radios => ("nhsuk-radios", "nhsuk-radios"),
    };
    let hint_id = format!("{group}-hint");
    format!(
        r#"<div class="nhsuk-form-group{group_class}">
<fieldset class="nhsuk-fieldset"{described}>
{legend}
<div class="nhsuk-hint" id="{hint_id}">{hint}</div>
{message}
<div class="{class}" data-module="{module}">{html}</div>
</fieldset>
</div>
"#,
        group_class = inline.group_class(group),
        described = inline.described(group, Some(&hint_id)),
        message = inline.message(group),
    )
}

/// The edit form (for a profile `id`, or a new one when `None`).
pub(super) fn profile_form(
    id: Option<&str>,
    form: &ProfileForm,
    errors: &[FormError],
    csrf: &str,
) -> String {
    let inline = Inline(errors);
    let mut out = String::new();
    let action = profile_url(id);
    let name_hint = match id {
        Some(id) => format!(
            "As people read it, for example “Staff nurse (band 5), medical wards”. The profile's address stays /portal/profiles/{id}."
        ),
        None => "As people read it, for example “Staff nurse (band 5), medical wards”. It must be different from the name of every other profile.".to_string(),
    };
    let _ = write!(
        out,
        r#"<form action="{action}" method="post" novalidate>
{csrf}
<div class="nhsuk-form-group{name_class}">
<label class="nhsuk-label nhsuk-label--s" for="name">Name</label>
<div class="nhsuk-hint" id="name-hint">{name_hint}</div>
{name_error}
<input class="nhsuk-input{name_input}" id="name" name="name" type="text" value="{name}" spellcheck="true"{name_described}>
</div>
<div class="nhsuk-form-group{desc_class}">
<label class="nhsuk-label nhsuk-label--s" for="description">Description (optional)</label>
<div class="nhsuk-hint" id="description-hint">What the post is and who it is for.</div>
{desc_error}
<textarea class="nhsuk-textarea{desc_input}" id="description" name="description" rows="3"{desc_described}>{description}</textarea>
</div>
<div class="nhsuk-form-group">
<fieldset class="nhsuk-fieldset" aria-describedby="about-hint">
<legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">About the post</legend>
<div class="nhsuk-hint" id="about-hint">Select all that apply.</div>
<div class="nhsuk-checkboxes" data-module="nhsuk-checkboxes">
{doctor}
{epp}
</div>
</fieldset>
</div>
"#,
        action = attr(&action),
        csrf = csrf_field(csrf),
        name_class = inline.group_class("name"),
        name_hint = html_escape(&name_hint),
        name_error = inline.message("name"),
        name_input = inline.error_class("name", " nhsuk-input--error"),
        name = attr(&form.name),
        name_described = inline.described("name", Some("name-hint")),
        desc_class = inline.group_class("description"),
        desc_error = inline.message("description"),
        desc_input = inline.error_class("description", " nhsuk-textarea--error"),
        desc_described = inline.described("description", Some("description-hint")),
        description = html_escape(&form.description),
        doctor = checkbox(
            "doctor-in-training",
            "doctor_in_training",
            "yes",
            "Postgraduate doctor in training",
            "On an NHS England training programme (TIS). A DBS check under 3 years old is then portable, and a training programme and placement can be required.",
            form.doctor_in_training,
        ),
        epp = checkbox(
            "exposure-prone",
            "exposure_prone",
            "yes",
            "Performs exposure-prone procedures (EPP)",
            "Occupational health clearance must then include EPP clearance.",
            form.exposure_prone,
        ),
    );

    // Employment checks.
    let items = checkboxes(
        "require",
        &form.checks,
        CHECKS.map(|(value, id, label, hint)| (id.to_string(), value, label.to_string(), hint)),
    );
    out.push_str(&fieldset(
        &inline,
        "require",
        Legend::Heading("Employment checks"),
        "Select all the checks the post needs. DBS and professional registration are below.",
        Items::Checkboxes,
        &items,
    ));

    // Training placement grades.
    let grades = checkboxes(
        "grade",
        &form.grades,
        TIS_GRADES
            .iter()
            .map(|g| (format!("grade-{g}"), *g, g.to_string(), "")),
    );
    out.push_str(&fieldset(
        &inline,
        "grades",
        Legend::Question("Training placement grades"),
        "Only with a training placement. Select the accepted grades, or none to accept any grade.",
        Items::SmallInlineCheckboxes,
        &grades,
    ));

    // DBS: the level, then the barred lists (for the highest level only).
    let mut radios = format!(
        r#"<div class="nhsuk-radios__item"><input class="nhsuk-radios__input" id="dbs" name="dbs" type="radio" value="none"{}><label class="nhsuk-label nhsuk-radios__label" for="dbs">No DBS check</label></div>"#,
        checked(form.dbs == "none")
    );
    for level in DBS_LEVELS {
        let value = dbs_value(level);
        let _ = write!(
            radios,
            r#"<div class="nhsuk-radios__item"><input class="nhsuk-radios__input" id="{rid}" name="dbs" type="radio" value="{value}"{on}><label class="nhsuk-label nhsuk-radios__label" for="{rid}">{label}</label></div>"#,
            rid = attr(&format!("dbs-{}", value.replace('_', "-"))),
            value = attr(value),
            on = checked(form.dbs == value),
            label = html_escape(dbs_label(level)),
        );
    }
    let lists = checkboxes(
        "barred_list",
        &form.barred_lists,
        BARRED_LISTS.map(|list| {
            let v = barred_value(list);
            (format!("barred-{v}"), v, barred_label(list).to_string(), "")
        }),
    );
    out.push_str(&fieldset(
        &inline,
        "dbs",
        Legend::Heading("DBS check"),
        "The lowest level of check the post needs. A higher level also meets it.",
        Items::Radios,
        &radios,
    ));
    out.push_str(&fieldset(
        &inline,
        "barred",
        Legend::Question("Barred lists that must have been checked"),
        "Only with an enhanced with barred list(s) check, which needs at least one.",
        Items::Checkboxes,
        &lists,
    ));

    // Professional registration.
    let bodies = checkboxes(
        "body",
        &form.bodies,
        ProfessionalBody::ALL.map(|body| {
            let v = body.abbreviation();
            (
                body_id(body),
                v,
                format!("{} ({v})", body.claim_value()),
                "",
            )
        }),
    );
    out.push_str(&fieldset(
        &inline,
        "bodies",
        Legend::Heading("Professional registration"),
        "Select the regulators whose registration the post accepts, or none if it needs no registration. Registration is always checked on the live register: it is never portable.",
        Items::Checkboxes,
        &bodies,
    ));

    // CSTF.
    let mut selects = String::new();
    for slot in cstf_slots() {
        let sid = slot.id();
        let chosen = slot.chosen(form);
        let mut options = format!(
            r#"<option value=""{}>Not required</option>"#,
            if chosen.is_none() { " selected" } else { "" }
        );
        for level in &slot.levels {
            let text = if slot.levels.len() == 1 {
                "Required".to_string()
            } else {
                format!("Level {level}")
            };
            let _ = write!(
                options,
                r#"<option value="{value}"{selected}>{text}</option>"#,
                value = attr(&cstf_value(&slot.subject, *level, slot.qualifier)),
                selected = if chosen == Some(*level) {
                    " selected"
                } else {
                    ""
                },
                text = html_escape(&text),
            );
        }
        let _ = write!(
            selects,
            r#"<div class="nhsuk-form-group{class}">
<label class="nhsuk-label" for="{sid}">{label}</label>
{message}
<select class="nhsuk-select{select_error}" id="{sid}" name="cstf"{described}>{options}</select>
</div>
"#,
            class = inline.group_class(&sid),
            sid = attr(&sid),
            label = html_escape(&slot.label()),
            message = inline.message(&sid),
            select_error = inline.error_class(&sid, " nhsuk-select--error"),
            described = inline.described(&sid, None),
        );
    }
    let _ = write!(
        out,
        r#"<fieldset class="nhsuk-fieldset" aria-describedby="cstf-hint">
<legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--m"><h2 class="nhsuk-fieldset__heading">Core Skills Training Framework (CSTF)</h2></legend>
<div class="nhsuk-hint" id="cstf-hint">The lowest level of each subject the post needs: a higher level of the same subject (and resuscitation stream) also meets it. Expiry is worked out with your organisation's renewal periods.</div>
{selects}</fieldset>
<div class="nhsuk-button-group">
<button class="nhsuk-button" data-module="nhsuk-button" type="submit">{button}</button>
<a class="nhsuk-link" href="{cancel}">Cancel</a>
</div>
</form>
"#,
        button = if id.is_some() {
            "Save profile"
        } else {
            "Create profile"
        },
        cancel = attr(&action),
    );
    out
}
