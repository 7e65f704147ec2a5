//! The trust list registry's pages as HTML in the NHS design system: the organisation form,
//! the draft's table, what changed since the version in force, and the published versions.
//! Every value is escaped; every form field has the id its error links to, and a field with an
//! error shows it inline and names it in `aria-describedby`.
use super::html::{attr, csrf_field, date_time, html_escape, summary_list, url_part};
use super::registry_form::{kind_label, type_id, FieldError, OrgForm, KINDS};
use passport_catalogue::Catalogue;
use passport_store::PublishedList;
use passport_trust_list::{Organisation, TrustList};
use std::fmt::Write;

/// The field group an error's field belongs to (the credential type checkboxes are one).
fn group_of(field: &str) -> &str {
    if field.starts_with("issue-") {
        "may-issue"
    } else {
        field
    }
}

/// The inline side of a form's errors.
struct Inline<'a>(&'a [FieldError]);

impl Inline<'_> {
    fn of(&self, group: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(_, field)| group_of(field) == group)
            .map(|(message, _)| message.as_str())
    }

    fn group_class(&self, group: &str) -> &'static str {
        if self.of(group).is_some() {
            " nhsuk-form-group--error"
        } else {
            ""
        }
    }

    fn input_class(&self, group: &str, class: &'static str) -> &'static str {
        if self.of(group).is_some() {
            class
        } else {
            ""
        }
    }

    fn message(&self, group: &str) -> String {
        self.of(group).map_or_else(String::new, |m| {
            format!(
                r#"<span class="nhsuk-error-message" id="{g}-error"><span class="nhsuk-u-visually-hidden">Error: </span>{m}</span>"#,
                g = attr(group),
                m = html_escape(m)
            )
        })
    }

    /// ` aria-describedby="{group}-hint[ {group}-error]"`.
    fn described(&self, group: &str) -> String {
        let error = if self.of(group).is_some() {
            format!(" {group}-error")
        } else {
            String::new()
        };
        format!(
            r#" aria-describedby="{}""#,
            attr(&format!("{group}-hint{error}"))
        )
    }
}

fn checked(on: bool) -> &'static str {
    if on {
        " checked"
    } else {
        ""
    }
}

/// A text input's form group (`textarea` when `rows` is given).
fn text_group(
    inline: &Inline,
    (id, name): (&str, &str),
    label: &str,
    hint: &str,
    value: &str,
    rows: Option<u32>,
) -> String {
    let control = match rows {
        Some(rows) => format!(
            r#"<textarea class="nhsuk-textarea app-jwks{err}" id="{id}" name="{name}" rows="{rows}" spellcheck="false" autocomplete="off"{described}>{value}</textarea>"#,
            err = inline.input_class(id, " nhsuk-textarea--error"),
            described = inline.described(id),
            value = html_escape(value),
        ),
        None => format!(
            r#"<input class="nhsuk-input{err}" id="{id}" name="{name}" type="text" value="{value}" spellcheck="false" autocomplete="off"{described}>"#,
            err = inline.input_class(id, " nhsuk-input--error"),
            described = inline.described(id),
            value = attr(value),
        ),
    };
    format!(
        r#"<div class="nhsuk-form-group{class}">
<label class="nhsuk-label nhsuk-label--s" for="{id}">{label}</label>
<div class="nhsuk-hint" id="{id}-hint">{hint}</div>
{message}
{control}
</div>
"#,
        class = inline.group_class(id),
        label = html_escape(label),
        hint = html_escape(hint),
        message = inline.message(id),
    )
}

/// A fieldset of radios or checkboxes whose errors are those of `group`.
fn choice_group(
    inline: &Inline,
    group: &str,
    (legend, hint): (&str, &str),
    checkboxes: bool,
    items: &str,
) -> String {
    let class = if checkboxes {
        "nhsuk-checkboxes"
    } else {
        "nhsuk-radios"
    };
    format!(
        r#"<div class="nhsuk-form-group{group_class}">
<fieldset class="nhsuk-fieldset"{described}>
<legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">{legend}</legend>
<div class="nhsuk-hint" id="{group}-hint">{hint}</div>
{message}
<div class="{class}" data-module="{class}">{items}</div>
</fieldset>
</div>
"#,
        group_class = inline.group_class(group),
        described = inline.described(group),
        legend = html_escape(legend),
        hint = html_escape(hint),
        message = inline.message(group),
    )
}

/// The organisation form: posting to the draft's organisations (new) or to `editing`'s own
/// address. An organisation's ODS code is fixed once it is on the draft.
pub(super) fn org_form(
    form: &OrgForm,
    errors: &[FieldError],
    csrf: &str,
    editing: Option<&str>,
    catalogue: &Catalogue,
) -> String {
    let inline = Inline(errors);
    let action = match editing {
        Some(ods) => format!("/portal/registry/organisations/{}", url_part(ods)),
        None => "/portal/registry/organisations".to_string(),
    };
    let mut out = format!(
        "<form action=\"{}\" method=\"post\" novalidate>\n{}\n",
        attr(&action),
        csrf_field(csrf)
    );
    if editing.is_none() {
        out.push_str(&text_group(
            &inline,
            ("ods-code", "ods_code"),
            "ODS code",
            "3 to 9 letters and numbers, for example RHQ. It cannot be changed once the organisation is on the list.",
            &form.ods_code,
            None,
        ));
    }
    out.push_str(&text_group(
        &inline,
        ("name", "name"),
        "Name",
        "As staff will read it in their wallet, for example Northfield Teaching Hospitals NHS Foundation Trust.",
        &form.name,
        None,
    ));
    let mut kinds = String::new();
    for (i, (value, label, hint)) in KINDS.iter().enumerate() {
        let id = if i == 0 {
            "kind".to_string()
        } else {
            format!("kind-{value}")
        };
        let _ = write!(
            kinds,
            r#"<div class="nhsuk-radios__item"><input class="nhsuk-radios__input" id="{id}" name="kind" type="radio" value="{value}"{on} aria-describedby="{id}-item-hint"><label class="nhsuk-label nhsuk-radios__label" for="{id}">{label}</label><div class="nhsuk-hint nhsuk-radios__hint" id="{id}-item-hint">{hint}</div></div>"#,
            on = checked(form.kind == *value),
        );
    }
    out.push_str(&choice_group(
        &inline,
        "kind",
        ("Kind of organisation", "Select one."),
        false,
        &kinds,
    ));
    out.push_str(&text_group(
        &inline,
        ("issuer", "issuer"),
        "Issuer identifier",
        "The address its credentials name as their issuer (iss), for example https://passport.example.nhs.uk/issuers/RHQ.",
        &form.issuer,
        None,
    ));
    out.push_str(&text_group(
        &inline,
        ("jwks", "jwks"),
        "Public keys (JWK Set)",
        "Paste the JSON the organisation sent: {\"keys\": [ ... ]}, P-256 public keys only. Never paste a private key.",
        &form.jwks,
        Some(10),
    ));
    let mut types = String::new();
    for t in catalogue.iter().filter(|t| !t.self_declared) {
        let id = type_id(t.name);
        let _ = write!(
            types,
            r#"<div class="nhsuk-checkboxes__item"><input class="nhsuk-checkboxes__input" id="{id}" name="may_issue" type="checkbox" value="{value}"{on}><label class="nhsuk-label nhsuk-checkboxes__label" for="{id}">{label}</label></div>"#,
            id = attr(&id),
            value = attr(t.name),
            on = checked(form.may_issue.iter().any(|n| n == t.name)),
            label = html_escape(t.display_name),
        );
    }
    out.push_str(&choice_group(
        &inline,
        "may-issue",
        (
            "Credential types it may issue",
            "Select all that apply, or none for an organisation that only receives credentials. Nodes refuse a credential of any other type from it.",
        ),
        true,
        &types,
    ));
    let verify = format!(
        r#"<div class="nhsuk-radios__item"><input class="nhsuk-radios__input" id="may-verify" name="may_verify" type="radio" value="yes"{yes}><label class="nhsuk-label nhsuk-radios__label" for="may-verify">Yes</label></div><div class="nhsuk-radios__item"><input class="nhsuk-radios__input" id="may-verify-no" name="may_verify" type="radio" value="no"{no}><label class="nhsuk-label nhsuk-radios__label" for="may-verify-no">No</label></div>"#,
        yes = checked(form.may_verify == "yes"),
        no = checked(form.may_verify == "no"),
    );
    out.push_str(&choice_group(
        &inline,
        "may-verify",
        (
            "May it ask staff for their credentials?",
            "Wallets share credentials only with organisations the list allows to verify.",
        ),
        false,
        &verify,
    ));
    let _ = write!(
        out,
        r#"<div class="nhsuk-button-group">
<button class="nhsuk-button" data-module="nhsuk-button" type="submit">{button}</button>
<a class="nhsuk-link" href="/portal/registry">Cancel</a>
</div>
</form>
"#,
        button = if editing.is_some() {
            "Save to the draft"
        } else {
            "Add to the draft"
        }
    );
    out
}

/// The draft's organisations, one row each, linking to its form.
pub(super) fn draft_table(draft: &[Organisation]) -> String {
    let mut out = String::from(
        r#"<table class="nhsuk-table" id="draft">
<caption class="nhsuk-table__caption nhsuk-table__caption--m">Organisations on the draft</caption>
<thead class="nhsuk-table__head"><tr class="nhsuk-table__row"><th class="nhsuk-table__header" scope="col">ODS code</th><th class="nhsuk-table__header" scope="col">Name</th><th class="nhsuk-table__header" scope="col">Kind</th><th class="nhsuk-table__header nhsuk-table__header--numeric" scope="col">Types it may issue</th><th class="nhsuk-table__header" scope="col">May verify</th></tr></thead>
<tbody class="nhsuk-table__body">"#,
    );
    for org in draft {
        let _ = write!(
            out,
            r#"<tr class="nhsuk-table__row"><td class="nhsuk-table__cell"><a href="/portal/registry/organisations/{href}">{ods}<span class="nhsuk-u-visually-hidden">: change</span></a></td><td class="nhsuk-table__cell">{name}</td><td class="nhsuk-table__cell">{kind}</td><td class="nhsuk-table__cell nhsuk-table__cell--numeric">{types}</td><td class="nhsuk-table__cell">{verify}</td></tr>"#,
            href = attr(&url_part(&org.ods_code)),
            ods = html_escape(&org.ods_code),
            name = html_escape(&org.name),
            kind = kind_label(org.kind),
            types = org.may_issue.len(),
            verify = if org.may_verify { "Yes" } else { "No" },
        );
    }
    out.push_str("</tbody></table>\n");
    out
}

/// What publishing the draft would change, by ODS code: (added, changed, removed).
pub(super) fn changes(in_force: &TrustList, draft: &[Organisation]) -> [Vec<String>; 3] {
    let mut added = Vec::new();
    let mut changed = Vec::new();
    for org in draft {
        match in_force.by_ods(&org.ods_code) {
            None => added.push(org.ods_code.clone()),
            Some(old) if old != org => changed.push(org.ods_code.clone()),
            Some(_) => {}
        }
    }
    let removed = in_force
        .organisations
        .iter()
        .filter(|o| !draft.iter().any(|d| d.ods_code == o.ods_code))
        .map(|o| o.ods_code.clone())
        .collect();
    [added, changed, removed]
}

/// The changes in words, for the inset above the publish button.
pub(super) fn changes_text(version: u64, changes: &[Vec<String>; 3]) -> String {
    let [added, changed, removed] = changes;
    if added.is_empty() && changed.is_empty() && removed.is_empty() {
        return format!(
            "The draft is the same as version {version}. Publishing signs it again with a new expiry."
        );
    }
    let mut parts = Vec::new();
    for (codes, verb) in [(added, "added"), (changed, "changed"), (removed, "removed")] {
        if !codes.is_empty() {
            parts.push(format!("{} {verb}", codes.join(", ")));
        }
    }
    format!(
        "The draft differs from version {version}: {}.",
        parts.join("; ")
    )
}

/// The list in force as a summary.
pub(super) fn in_force_summary(list: &TrustList) -> String {
    summary_list(&[
        ("Version".into(), list.sequence.to_string()),
        ("Signed".into(), html_escape(&date_time(list.iat))),
        ("Expires".into(), html_escape(&date_time(list.exp))),
        ("Organisations".into(), list.organisations.len().to_string()),
        (
            "Signed list".into(),
            r#"<a href="/trust-list">/trust-list</a>"#.into(),
        ),
    ])
}

/// The published versions, latest first.
pub(super) fn versions_table(versions: &[PublishedList]) -> String {
    let mut out = String::from(
        r#"<table class="nhsuk-table" id="versions">
<caption class="nhsuk-table__caption nhsuk-table__caption--m">Published versions</caption>
<thead class="nhsuk-table__head"><tr class="nhsuk-table__row"><th class="nhsuk-table__header nhsuk-table__header--numeric" scope="col">Version</th><th class="nhsuk-table__header" scope="col">Published</th><th class="nhsuk-table__header" scope="col">By</th><th class="nhsuk-table__header nhsuk-table__header--numeric" scope="col">Organisations</th><th class="nhsuk-table__header" scope="col">Expires</th></tr></thead>
<tbody class="nhsuk-table__body">"#,
    );
    for v in versions {
        let _ = write!(
            out,
            r#"<tr class="nhsuk-table__row"><td class="nhsuk-table__cell nhsuk-table__cell--numeric">{version}</td><td class="nhsuk-table__cell">{at}</td><td class="nhsuk-table__cell">{by}</td><td class="nhsuk-table__cell nhsuk-table__cell--numeric">{orgs}</td><td class="nhsuk-table__cell">{exp}</td></tr>"#,
            version = v.version,
            at = html_escape(&date_time(v.published_at)),
            by = html_escape(&v.published_by),
            orgs = v.organisations,
            exp = html_escape(&date_time(v.expires_at)),
        );
    }
    out.push_str("</tbody></table>\n");
    out
}
