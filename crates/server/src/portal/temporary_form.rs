//! The new temporary arrangement form: its fields, how they are read, and the page (shown again
//! with every error beside its field).
use super::auth::{Fields, Viewer};
use super::html::{attr, csrf_field, error_summary, html_escape, FormErrors, Nav, PageError};
use super::render;
use crate::temporary::{MovementInput, KINDS};
use crate::verifier::response::parse_date;
use crate::Shared;
use axum::response::Html;
use passport_compliance::RoleProfile;
use std::fmt::Write;

/// The hint of the lead employer field, on this form and the transfer request form.
pub(super) const LEAD_HINT: &str = "Only where a lead employer holds their contract (for example the single lead employer of doctors in training): its ODS code, such as RHQ. Its pre-employment checks are then accepted without repeating them.";

/// What each kind means, for the radios' hints.
fn kind_hint(kind: &str) -> &'static str {
    match kind {
        "honorary_contract" => "They keep their contract at home and hold an honorary one here.",
        "secondment" => "Their employer lends them to us for a fixed time.",
        "licence_to_attend" => "They attend to observe, learn or teach, without a contract here.",
        _ => "Shifts here through a staff bank both trusts belong to.",
    }
}

/// The form's values as typed, kept to show it again with errors.
#[derive(Default)]
pub(super) struct FormValues {
    pub name: String,
    pub email: String,
    pub registration: String,
    pub profile: String,
    pub kind: String,
    pub bank: String,
    pub home: String,
    pub start: String,
    pub end: String,
    pub lead: String,
}

impl FormValues {
    pub(super) fn read(fields: &Fields) -> FormValues {
        let f = |name: &str| fields.get(name).unwrap_or("").trim().to_string();
        FormValues {
            name: f("name"),
            email: f("email"),
            registration: f("registration"),
            profile: f("profile"),
            kind: f("kind"),
            bank: f("bank"),
            home: f("home").to_ascii_uppercase(),
            start: f("start"),
            end: f("end"),
            lead: f("lead").to_ascii_uppercase(),
        }
    }

    /// The input for `crate::temporary`, or every error of the form's own fields as
    /// (message, field id). The arrangement's rules are checked after, by `temporary::check`.
    pub(super) fn input(
        &self,
        profile: Option<&RoleProfile>,
    ) -> Result<MovementInput, Vec<(String, String)>> {
        let mut errors: Vec<(String, String)> = Vec::new();
        let mut error = |message: &str, field: &str| errors.push((message.into(), field.into()));
        if self.name.is_empty() || self.name.len() > 200 {
            error("Enter their full name", "name");
        }
        let email_ok = self.email.contains('@')
            && self.email.len() <= 254
            && !self.email.contains(char::is_whitespace);
        if !email_ok {
            error("Enter an email address, like name@nhs.net", "email");
        }
        let registration_ok = self.registration.len() <= 12
            && self.registration.chars().all(|c| c.is_ascii_alphanumeric());
        if !registration_ok {
            error(
                "A GMC or NMC number has letters and digits only",
                "registration",
            );
        }
        if profile.is_none() {
            error("Choose the role they are coming for", "profile");
        }
        let start = parse_date(&self.start).ok();
        let end = parse_date(&self.end).ok();
        if start.is_none() {
            error("Enter the first day as year-month-day", "start");
        }
        if end.is_none() {
            error("Enter the last day as year-month-day", "end");
        }
        if self.home.is_empty() {
            error("Enter their employing trust's ODS code", "home");
        }
        match (profile, start, end, errors.is_empty()) {
            (Some(profile), Some(start), Some(end), true) => Ok(MovementInput {
                person_name: self.name.clone(),
                person_email: self.email.clone(),
                registration_number: (!self.registration.is_empty())
                    .then(|| self.registration.clone()),
                profile_id: profile.id.clone(),
                kind: self.kind.clone(),
                start,
                end,
                home_org: self.home.clone(),
                bank: (!self.bank.is_empty()).then(|| self.bank.clone()),
                lead_employer: (!self.lead.is_empty()).then(|| self.lead.clone()),
            }),
            _ => Err(errors),
        }
    }
}

/// The temporary movement form's fields with their hints and errors (NHS.UK design system
/// markup), on the portal's shared [`FormErrors`].
impl FormErrors<'_> {
    fn hint(field: &str, hint: Option<&str>) -> String {
        hint.map_or(String::new(), |h| {
            format!(
                r#"<div class="nhsuk-hint" id="{field}-hint">{}</div>"#,
                html_escape(h)
            )
        })
    }

    /// A text input of type `kind`; codes (ODS, GMC or NMC) get a field as wide as they are.
    fn input(
        &self,
        field: &str,
        label: &str,
        hint: Option<&str>,
        value: &str,
        kind: &str,
    ) -> String {
        let mut class = String::from("nhsuk-input");
        if matches!(field, "home" | "lead" | "registration") {
            class.push_str(" nhsuk-input--width-10");
        }
        if self.error(field).is_some() {
            class.push_str(" nhsuk-input--error");
        }
        let extra = if kind == "date" {
            ""
        } else {
            r#" autocomplete="off" spellcheck="false""#
        };
        format!(
            r#"<div class="{group}"><label class="nhsuk-label" for="{field}">{label}</label>{hint}{msg}<input class="{class}" id="{field}" name="{field}" type="{kind}" value="{value}"{described}{extra}></div>"#,
            group = self.group(field),
            hint = Self::hint(field, hint),
            msg = self.message(field),
            value = attr(value),
            described = self.described(field, hint.is_some()),
        )
    }

    /// A select of (value, text) options with `chosen` selected.
    fn select(
        &self,
        field: &str,
        label: &str,
        hint: Option<&str>,
        options: &[(String, String)],
        chosen: &str,
    ) -> String {
        let mut list = String::new();
        for (value, text) in options {
            let _ = write!(
                list,
                r#"<option value="{}"{}>{}</option>"#,
                attr(value),
                if value == chosen { " selected" } else { "" },
                html_escape(text)
            );
        }
        format!(
            r#"<div class="{group}"><label class="nhsuk-label" for="{field}">{label}</label>{hint}{msg}<select class="{class}" id="{field}" name="{field}"{described}>{list}</select></div>"#,
            group = self.group(field),
            class = if self.error(field).is_some() {
                "nhsuk-select nhsuk-select--error"
            } else {
                "nhsuk-select"
            },
            hint = Self::hint(field, hint),
            msg = self.message(field),
            described = self.described(field, hint.is_some()),
        )
    }
}

/// The form page, with `v` filled in and `errors` shown.
pub(super) async fn form_page(
    state: &Shared,
    viewer: &Viewer,
    v: &FormValues,
    errors: &[(String, String)],
) -> Result<Html<String>, PageError> {
    let org = &viewer.session.user.org;
    let form = FormErrors { errors };
    let mut profiles = vec![(String::new(), "Choose a role".to_string())];
    for p in state.store.profiles(org).await? {
        profiles.push((p.id, p.name));
    }
    let mut banks = vec![(String::new(), "Not bank shifts".to_string())];
    for b in state.config.temporary.banks.iter().filter(|b| b.has(org)) {
        banks.push((b.id.clone(), b.name.clone()));
    }
    let bank_hint = if banks.len() > 1 {
        "Only for collaborative bank shifts: the bank your organisation and theirs both belong to."
    } else {
        "Your organisation belongs to no collaborative bank, so bank shifts cannot be arranged here."
    };
    let mut radios = String::new();
    for (i, (value, label)) in KINDS.iter().enumerate() {
        let checked = if v.kind == *value || (v.kind.is_empty() && i == 0) {
            " checked"
        } else {
            ""
        };
        let _ = write!(
            radios,
            r#"<div class="nhsuk-radios__item"><input class="nhsuk-radios__input" id="kind-{i}" name="kind" type="radio" value="{value}" aria-describedby="kind-{i}-hint"{checked}><label class="nhsuk-label nhsuk-radios__label" for="kind-{i}">{label}</label><div class="nhsuk-hint nhsuk-radios__hint" id="kind-{i}-hint">{hint}</div></div>"#,
            hint = html_escape(kind_hint(value)),
        );
    }
    let max = state.config.temporary.max_days;
    let body = format!(
        r#"{summary}<h1>New temporary arrangement</h1>
<p>For someone who stays employed by their own trust and comes here for a fixed time. They share their passport from their wallet; you get a report against the role, accept it for the period, and the arrangement ends by itself after its last day.</p>
<form action="/portal/temporary" method="post" novalidate>
{csrf}
{name}
{email}
{registration}
{profile}
<div class="{kind_group}"><fieldset class="nhsuk-fieldset"><legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">Kind of arrangement</legend>{kind_msg}<div class="nhsuk-radios">{radios}</div></fieldset></div>
{home}
{bank}
{start}
{end}
{lead}
<button class="nhsuk-button" type="submit">Create request</button>
</form>
<p><a href="/portal/temporary">All temporary arrangements</a></p>"#,
        summary = if errors.is_empty() {
            String::new()
        } else {
            error_summary(errors)
        },
        csrf = csrf_field(&viewer.session.csrf),
        name = form.input("name", "Full name", None, &v.name, "text"),
        email = form.input(
            "email",
            "Email address",
            Some("Where the link to share their passport is sent."),
            &v.email,
            "email"
        ),
        registration = form.input(
            "registration",
            "GMC or NMC number (optional)",
            Some("Used to check the professional registration they share is theirs."),
            &v.registration,
            "text"
        ),
        profile = form.select(
            "profile",
            "Role they are coming for",
            None,
            &profiles,
            &v.profile
        ),
        kind_group = form.group("kind-0"),
        kind_msg = form.message("kind-0"),
        home = form.input(
            "home",
            "Their employing trust's ODS code",
            Some("The trust that employs them and stays their employer, for example RHQ."),
            &v.home,
            "text"
        ),
        bank = form.select(
            "bank",
            "Collaborative bank",
            Some(bank_hint),
            &banks,
            &v.bank
        ),
        start = form.input(
            "start",
            "First day",
            Some("For example, 2027-08-04"),
            &v.start,
            "date"
        ),
        end = form.input(
            "end",
            "Last day",
            Some(&format!(
                "For example, 2027-10-31. At most {max} days from the first day."
            )),
            &v.end,
            "date"
        ),
        lead = form.input(
            "lead",
            "Lead employer ODS code (optional)",
            Some(LEAD_HINT),
            &v.lead,
            "text"
        ),
    );
    Ok(render(
        state,
        viewer,
        "New temporary arrangement",
        Nav::Transfers,
        &body,
    ))
}
