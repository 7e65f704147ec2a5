//! What is wrong with a profile form, as the person filling it in reads it: each problem a
//! message on the id of the field it is about, so the error summary links to that field and
//! the field's form group shows the message inline. A compliance rule's error is put in the
//! form's words by [`explain`]; a field shows only the first of its problems.
use super::fields::{body_id, cstf_field, key_field};
use crate::portal::html::{attr, html_escape};
use passport_compliance::{ComplianceError, ProfessionalBody, TIS_GRADES};

/// One problem with the form: the message and the id of the field it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct FormError {
    pub(super) message: String,
    pub(super) field: String,
}

impl FormError {
    pub(super) fn new(message: impl Into<String>, field: &str) -> FormError {
        FormError {
            message: message.into(),
            field: field.to_string(),
        }
    }
}

/// A validation error as the person filling the form reads it, on its field.
pub(super) fn explain(e: &ComplianceError) -> FormError {
    match e {
        ComplianceError::ProfileId(_) => FormError::new(
            "Enter a name that includes letters or numbers",
            "name",
        ),
        ComplianceError::EmptyName(_) => FormError::new("Enter a name for the profile", "name"),
        ComplianceError::NoRequirements(_) => FormError::new(
            "Select at least one requirement",
            "req-identity",
        ),
        ComplianceError::DuplicateRequirement { key, .. } => FormError::new(
            format!("A requirement is chosen twice ({key}): choose it once"),
            &key_field(key),
        ),
        ComplianceError::UnknownSubject(subject) => FormError::new(
            format!("{subject} is not a CSTF subject: choose levels from the list"),
            &cstf_field(subject, None),
        ),
        ComplianceError::UnknownLevel { subject, level } => FormError::new(
            format!("{subject} has no level {level}: choose a level from the list"),
            &cstf_field(subject, None),
        ),
        ComplianceError::UnknownQualifier {
            subject,
            level,
            qualifier,
        } => FormError::new(
            format!("{subject} level {level} has no {qualifier} stream: choose a level from the list"),
            &cstf_field(subject, Some(qualifier)),
        ),
        ComplianceError::BarredListsWithoutBarredCheck => FormError::new(
            "Select an enhanced with barred list(s) check, or clear the barred lists",
            "barred-adults",
        ),
        ComplianceError::BarredLists => FormError::new(
            "Select the barred lists that must have been checked",
            "barred-adults",
        ),
        ComplianceError::RegistrationBodies => FormError::new(
            "Select each accepted registration body once",
            &body_id(ProfessionalBody::ALL[0]),
        ),
        ComplianceError::Grade(grade) => FormError::new(
            format!("{grade} is not a TIS grade, or is chosen twice: select grades from the list"),
            &format!("grade-{}", TIS_GRADES.first().copied().unwrap_or("FY1")),
        ),
        ComplianceError::ExposureProneWithoutClearance(_) => FormError::new(
            "Select occupational health clearance: an exposure-prone post needs it",
            "req-occupational-health",
        ),
        ComplianceError::DoctorsOnly { key, .. } => FormError::new(
            "Training programme and training placement are for doctors in training: select doctor in training, or remove them",
            &key_field(key),
        ),
        other => FormError::new(other.to_string(), "name"),
    }
}

/// The first error on each field, in order.
pub(super) fn first_per_field(errors: impl IntoIterator<Item = FormError>) -> Vec<FormError> {
    let mut unique: Vec<FormError> = Vec::new();
    for e in errors {
        if !unique.iter().any(|u| u.field == e.field) {
            unique.push(e);
        }
    }
    unique
}

/// The form group an error's field belongs to (where its inline message goes).
fn group_of(field: &str) -> &str {
    if field.starts_with("req-") {
        "require"
    } else if field.starts_with("grade-") {
        "grades"
    } else if field.starts_with("barred-") {
        "barred"
    } else if field.starts_with("dbs") {
        "dbs"
    } else if field.starts_with("body-") {
        "bodies"
    } else {
        field
    }
}

/// The inline errors of a form.
pub(super) struct Inline<'a>(pub(super) &'a [FormError]);

impl Inline<'_> {
    /// The first error of a group.
    pub(super) fn of(&self, group: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| group_of(&e.field) == group)
            .map(|e| e.message.as_str())
    }

    /// `class` (an error modifier, with its leading space) when the group has an error.
    pub(super) fn error_class(&self, group: &str, class: &'static str) -> &'static str {
        if self.of(group).is_some() {
            class
        } else {
            ""
        }
    }

    /// ` nhsuk-form-group--error` when the group has an error.
    pub(super) fn group_class(&self, group: &str) -> &'static str {
        self.error_class(group, " nhsuk-form-group--error")
    }

    /// The error message element of a group (id `{group}-error`), or nothing.
    pub(super) fn message(&self, group: &str) -> String {
        self.of(group).map_or_else(String::new, |m| {
            format!(
                r#"<span class="nhsuk-error-message" id="{}-error"><span class="nhsuk-u-visually-hidden">Error: </span>{}</span>"#,
                attr(group),
                html_escape(m)
            )
        })
    }

    /// `aria-describedby` naming a hint and, with an error, the error message.
    pub(super) fn described(&self, group: &str, hint: Option<&str>) -> String {
        let mut ids: Vec<String> = hint.map(str::to_string).into_iter().collect();
        if self.of(group).is_some() {
            ids.push(format!("{group}-error"));
        }
        if ids.is_empty() {
            String::new()
        } else {
            format!(r#" aria-describedby="{}""#, attr(&ids.join(" ")))
        }
    }
}
