//! The profile form's vocabulary: the values its inputs post (requirement checks, DBS levels,
//! barred lists, regulators, CSTF levels as `Subject|level` or `Resuscitation|level|Stream`)
//! and the ids of its fields. The CSTF selects come from the national table of periods, so the
//! form offers exactly the subjects and levels `passport-compliance` knows; every id here is
//! one an error can link to, and an unknown subject's errors go to the first CSTF select.
use super::form::ProfileForm;
use passport_compliance::{BarredList, DbsLevel, LocalPeriods, ProfessionalBody};

/// The only CSTF subject whose levels 2 and 3 have streams, and its streams
/// (`passport-compliance` checks both on every save).
pub(super) const RESUSCITATION: &str = "Resuscitation";
pub(super) const STREAMS: [&str; 3] = ["Adult", "Paediatric", "Newborn"];

/// The simple checks of the form: (value, id, label, hint).
pub(super) const CHECKS: [(&str, &str, &str, &str); 6] = [
    (
        "identity",
        "req-identity",
        "Identity check",
        "Employment Check Standard: identity verified to GPG45 medium confidence or above.",
    ),
    (
        "right_to_work",
        "req-right-to-work",
        "Right to work",
        "The permission to work must cover the whole placement.",
    ),
    (
        "employment",
        "req-employment",
        "Current NHS employment",
        "The current NHS employer's assignment, for rotations and temporary moves.",
    ),
    (
        "occupational_health",
        "req-occupational-health",
        "Occupational health clearance",
        "Includes exposure-prone procedures (EPP) clearance when the post is exposure-prone.",
    ),
    (
        "training_programme",
        "req-training-programme",
        "Training programme (NHS England TIS)",
        "Doctors in training only.",
    ),
    (
        "training_placement",
        "req-training-placement",
        "Training placement (NHS England TIS)",
        "Doctors in training only. Choose the accepted grades below.",
    ),
];

pub(super) const DBS_LEVELS: [DbsLevel; 4] = [
    DbsLevel::Basic,
    DbsLevel::Standard,
    DbsLevel::Enhanced,
    DbsLevel::EnhancedWithBarredLists,
];

pub(super) const BARRED_LISTS: [BarredList; 2] = [BarredList::Adults, BarredList::Children];

/// The form value of a DBS level.
pub(super) fn dbs_value(level: DbsLevel) -> &'static str {
    match level {
        DbsLevel::Basic => "basic",
        DbsLevel::Standard => "standard",
        DbsLevel::Enhanced => "enhanced",
        DbsLevel::EnhancedWithBarredLists => "enhanced_with_barred_lists",
    }
}

pub(super) fn dbs_label(level: DbsLevel) -> &'static str {
    match level {
        DbsLevel::Basic => "Basic check or above",
        DbsLevel::Standard => "Standard check or above",
        DbsLevel::Enhanced => "Enhanced check or above",
        DbsLevel::EnhancedWithBarredLists => "Enhanced with barred list(s) check",
    }
}

pub(super) fn barred_value(list: BarredList) -> &'static str {
    match list {
        BarredList::Adults => "adults",
        BarredList::Children => "children",
    }
}

pub(super) fn barred_label(list: BarredList) -> &'static str {
    match list {
        BarredList::Adults => "Adults' barred list",
        BarredList::Children => "Children's barred list",
    }
}

/// `Safeguarding Children` -> `safeguarding-children` (for element ids).
pub(super) fn id_slug(text: &str) -> String {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect::<Vec<_>>()
        .join("-")
}

pub(super) fn cstf_value(subject: &str, level: u8, qualifier: Option<&str>) -> String {
    match qualifier {
        Some(q) => format!("{subject}|{level}|{q}"),
        None => format!("{subject}|{level}"),
    }
}

/// `(subject, level text, qualifier)` of a CSTF form value.
pub(super) fn split_cstf(value: &str) -> (&str, &str, Option<&str>) {
    let mut parts = value.splitn(3, '|');
    let subject = parts.next().unwrap_or("");
    let level = parts.next().unwrap_or("");
    (subject, level, parts.next())
}

/// One CSTF select of the form: a subject, or resuscitation in one stream.
pub(super) struct Slot {
    pub(super) subject: String,
    pub(super) qualifier: Option<&'static str>,
    pub(super) levels: Vec<u8>,
}

impl Slot {
    pub(super) fn id(&self) -> String {
        cstf_field(&self.subject, self.qualifier)
    }

    pub(super) fn label(&self) -> String {
        match self.qualifier {
            Some(q) => format!("{}: {q} stream", self.subject),
            None if self.subject == RESUSCITATION => format!("{RESUSCITATION}: any stream"),
            None => self.subject.clone(),
        }
    }

    /// The highest level the form chose for this slot.
    pub(super) fn chosen(&self, form: &ProfileForm) -> Option<u8> {
        form.cstf
            .iter()
            .map(|v| split_cstf(v))
            .filter(|(s, _, q)| *s == self.subject && *q == self.qualifier)
            .filter_map(|(_, l, _)| l.parse::<u8>().ok())
            .max()
    }
}

/// The CSTF selects, in the framework's order (from the national table of periods): one per
/// subject, and for resuscitation one per stream at its levels 2 and above.
pub(super) fn cstf_slots() -> Vec<Slot> {
    let national = LocalPeriods::national_defaults();
    let mut slots: Vec<Slot> = Vec::new();
    for p in national.periods() {
        match slots
            .iter_mut()
            .find(|s| s.subject == p.subject && s.qualifier.is_none())
        {
            Some(slot) => slot.levels.push(p.level),
            None => slots.push(Slot {
                subject: p.subject.clone(),
                qualifier: None,
                levels: vec![p.level],
            }),
        }
    }
    if let Some(at) = slots.iter().position(|s| s.subject == RESUSCITATION) {
        let levels: Vec<u8> = slots[at]
            .levels
            .iter()
            .copied()
            .filter(|l| *l >= 2)
            .collect();
        for (n, stream) in STREAMS.into_iter().enumerate() {
            slots.insert(
                at + 1 + n,
                Slot {
                    subject: RESUSCITATION.into(),
                    qualifier: Some(stream),
                    levels: levels.clone(),
                },
            );
        }
    }
    slots
}

/// The id of the CSTF select of a subject (and stream); the first select's for an unknown
/// subject.
pub(super) fn cstf_field(subject: &str, qualifier: Option<&str>) -> String {
    let known = LocalPeriods::national_defaults()
        .periods()
        .iter()
        .any(|p| p.subject == subject);
    if !known {
        let first = LocalPeriods::national_defaults()
            .periods()
            .first()
            .map(|p| p.subject.clone())
            .unwrap_or_default();
        return format!("cstf-{}", id_slug(&first));
    }
    match qualifier.filter(|q| STREAMS.contains(q)) {
        Some(q) => format!("cstf-{}-{}", id_slug(subject), id_slug(q)),
        None => format!("cstf-{}", id_slug(subject)),
    }
}

pub(super) fn body_id(body: ProfessionalBody) -> String {
    format!("body-{}", body.abbreviation().to_ascii_lowercase())
}

/// The field of a requirement key.
pub(super) fn key_field(key: &str) -> String {
    match key {
        "identity"
        | "right_to_work"
        | "employment"
        | "occupational_health"
        | "training_programme"
        | "training_placement" => {
            format!("req-{}", key.replace('_', "-"))
        }
        "dbs" => "dbs".into(),
        "professional_registration" => body_id(ProfessionalBody::ALL[0]),
        _ => cstf_slots()
            .into_iter()
            .find(|s| key.starts_with(&format!("cstf_{}_l", id_slug(&s.subject).replace('-', "_"))))
            .map_or_else(|| cstf_field("", None), |s| s.id()),
    }
}
