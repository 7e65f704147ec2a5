//! A receiving trust's role requirement profiles: the list, one profile's requirements with its
//! edit form (a structured form, never JSON), and a new profile (blank or copied).
//!
//! Invariants:
//! - Every handler authorises first (`ViewProfiles` to look, `EditProfiles` to change) and
//!   reads and writes only the signed-in user's organisation: another trust's profile id is
//!   "not found".
//! - What is saved is a [`RoleProfile`] that `passport-compliance` validated. A form with any
//!   error changes nothing and comes back with the error summary, each error linked to its
//!   field.
//! - An organisation with no stored profile sees the shipped defaults; its first save stores
//!   them all before the changed one, so no profile disappears from the list.
use super::auth::{Fields, Posted, Viewer};
use super::html::{
    attr, csrf_field, date, error_summary, html_escape, success_banner, summary_list, tag,
    url_part, Nav, PageError,
};
use super::policy::{authorise, may, Action};
use super::render;
use crate::{now, ServerError, Shared};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use passport_compliance::{
    default_profiles, BarredList, ComplianceError, DbsLevel, LocalPeriods, ProfessionalBody,
    Requirement, RoleProfile, TIS_GRADES,
};
use passport_store::{Session, StoredProfile};
use serde::Deserialize;
use std::fmt::Write;

/// `updated_by` of the profiles the store seeds from the shipped defaults.
const SEEDED_BY: &str = "defaults";

/// The only CSTF subject whose levels 2 and 3 have streams, and its streams
/// (`passport-compliance` checks both on every save).
const RESUSCITATION: &str = "Resuscitation";
const STREAMS: [&str; 3] = ["Adult", "Paediatric", "Newborn"];

/// The longest name and description the form takes (characters).
const NAME_MAX: usize = 120;
const DESCRIPTION_MAX: usize = 1000;

/// The simple checks of the form: (value, id, label, hint).
const CHECKS: [(&str, &str, &str, &str); 6] = [
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

const DBS_LEVELS: [DbsLevel; 4] = [
    DbsLevel::Basic,
    DbsLevel::Standard,
    DbsLevel::Enhanced,
    DbsLevel::EnhancedWithBarredLists,
];

const BARRED_LISTS: [BarredList; 2] = [BarredList::Adults, BarredList::Children];

/// The form value of a DBS level.
fn dbs_value(level: DbsLevel) -> &'static str {
    match level {
        DbsLevel::Basic => "basic",
        DbsLevel::Standard => "standard",
        DbsLevel::Enhanced => "enhanced",
        DbsLevel::EnhancedWithBarredLists => "enhanced_with_barred_lists",
    }
}

fn dbs_label(level: DbsLevel) -> &'static str {
    match level {
        DbsLevel::Basic => "Basic check or above",
        DbsLevel::Standard => "Standard check or above",
        DbsLevel::Enhanced => "Enhanced check or above",
        DbsLevel::EnhancedWithBarredLists => "Enhanced with barred list(s) check",
    }
}

fn barred_value(list: BarredList) -> &'static str {
    match list {
        BarredList::Adults => "adults",
        BarredList::Children => "children",
    }
}

fn barred_label(list: BarredList) -> &'static str {
    match list {
        BarredList::Adults => "Adults' barred list",
        BarredList::Children => "Children's barred list",
    }
}

/// `Safeguarding Children` -> `safeguarding-children` (for element ids).
fn id_slug(text: &str) -> String {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect::<Vec<_>>()
        .join("-")
}

/// A profile id from its name: `a-z`, `0-9` and `-`, at most 64; empty when the name has no
/// letter or digit. `new` (the new-profile page) becomes `new-profile`.
pub(super) fn profile_id(name: &str) -> String {
    let mut id = id_slug(name);
    if id.len() > 64 {
        id.truncate(64);
        while id.ends_with('-') {
            id.pop();
        }
    }
    if id == "new" {
        id.push_str("-profile");
    }
    id
}

// ---------------------------------------------------------------------------------------------
// Loading

/// A profile as the pages show it.
struct Shown {
    id: String,
    name: String,
    /// `None` when the stored text cannot be read as a profile (it can be saved again).
    profile: Option<RoleProfile>,
    /// Who last saved it and when; `None` for a shipped default not stored yet.
    updated: Option<(String, i64)>,
}

fn from_stored(stored: StoredProfile) -> Shown {
    let profile = match RoleProfile::from_json(&stored.body) {
        Ok(p) => Some(p),
        Err(e) => {
            tracing::error!(profile = %stored.id, "stored role profile cannot be read: {e}");
            None
        }
    };
    Shown {
        id: stored.id,
        name: stored.name,
        profile,
        updated: Some((stored.updated_by, stored.updated_at)),
    }
}

fn defaults() -> Result<Vec<RoleProfile>, ServerError> {
    let mut all =
        default_profiles().map_err(|e| ServerError::Internal(format!("default profiles: {e}")))?;
    all.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(all)
}

fn from_default(profile: RoleProfile) -> Shown {
    Shown {
        id: profile.id.clone(),
        name: profile.name.clone(),
        profile: Some(profile),
        updated: None,
    }
}

/// The organisation's profiles, or the shipped defaults while it has none stored.
async fn org_profiles(state: &Shared, org: &str) -> Result<Vec<Shown>, ServerError> {
    let stored = state.store.profiles(org).await?;
    if stored.is_empty() {
        return Ok(defaults()?.into_iter().map(from_default).collect());
    }
    Ok(stored.into_iter().map(from_stored).collect())
}

/// One profile of the organisation (or a shipped default while it has none stored).
async fn org_profile(state: &Shared, org: &str, id: &str) -> Result<Shown, ServerError> {
    if let Some(stored) = state.store.profile(org, id).await? {
        return Ok(from_stored(stored));
    }
    if state.store.profiles(org).await?.is_empty() {
        if let Some(p) = defaults()?.into_iter().find(|p| p.id == id) {
            return Ok(from_default(p));
        }
    }
    Err(ServerError::NotFound("role profile".into()))
}

/// Stores `profile` for the viewer's organisation (the shipped defaults first if it has none).
async fn save(state: &Shared, s: &Session, profile: &RoleProfile) -> Result<(), ServerError> {
    let org = &s.user.org;
    let json = |p: &RoleProfile| {
        serde_json::to_string(p)
            .map_err(|e| ServerError::Internal(format!("role profile {}: {e}", p.id)))
    };
    let at = now();
    if state.store.profiles(org).await?.is_empty() {
        let seed = defaults()?
            .into_iter()
            .map(|p| Ok((p.id.clone(), p.name.clone(), json(&p)?)))
            .collect::<Result<Vec<_>, ServerError>>()?;
        state.store.seed_profiles(org, &seed, at).await?;
    }
    state
        .store
        .save_profile(
            org,
            &profile.id,
            &profile.name,
            &json(profile)?,
            &s.user.username,
            at,
        )
        .await?;
    tracing::info!(user = %s.user.id, org = %org, profile = %profile.id, "portal role profile saved");
    Ok(())
}

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

fn see_other(to: String) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response()
}

#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    done: String,
    #[serde(default)]
    from: String,
}

fn page_query(query: Result<Query<PageQuery>, QueryRejection>) -> PageQuery {
    query.map(|q| q.0).unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// The list

pub async fn list(State(state): State<Shared>, viewer: Viewer) -> Result<Html<String>, PageError> {
    let s = &viewer.session;
    authorise(s, Action::ViewProfiles)?;
    let profiles = org_profiles(&state, &s.user.org).await?;
    let mut body = String::from(
        r#"<h1>Role profiles</h1>
<p>What each post needs before someone starts in it. When a person shares their passport for a post, their credentials are checked against its profile, requirement by requirement.</p>
"#,
    );
    if profiles.iter().all(|p| p.updated.is_none()) {
        body.push_str(r#"<div class="nhsuk-inset-text"><span class="nhsuk-u-visually-hidden">Information: </span><p>Your organisation has not saved its own profiles yet: these are the defaults that come with the service. They all become your organisation's own when one of them is saved.</p></div>
"#);
    }
    if may(s, Action::EditProfiles) {
        body.push_str(r#"<p><a class="nhsuk-button" data-module="nhsuk-button" role="button" draggable="false" href="/portal/profiles/new">Create a profile</a></p>
"#);
    }
    body.push_str(&list_table(&profiles));
    let _ = write!(
        body,
        r#"<h2 class="nhsuk-heading-m">CSTF renewal periods</h2>
<p>Training expiry is worked out from the date a subject was last awarded and your organisation's renewal period for it. <a href="/portal/settings/cstf-periods">{}</a></p>"#,
        if may(s, Action::EditLocalPeriods) {
            "See and change the renewal periods"
        } else {
            "See the renewal periods"
        }
    );
    Ok(render(
        &state,
        &viewer,
        "Role profiles",
        Nav::Profiles,
        &body,
    ))
}

fn list_table(profiles: &[Shown]) -> String {
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

// ---------------------------------------------------------------------------------------------
// The form's state, from a profile or from a posted form

/// What the edit form shows: filled from a profile, or from what was posted.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ProfileForm {
    name: String,
    description: String,
    doctor_in_training: bool,
    exposure_prone: bool,
    /// Checked values of [`CHECKS`].
    checks: Vec<String>,
    grades: Vec<String>,
    /// `none` or a [`dbs_value`]; empty when nothing was chosen.
    dbs: String,
    barred_lists: Vec<String>,
    bodies: Vec<String>,
    /// Chosen CSTF levels: `Subject|level` or `Resuscitation|level|Stream`.
    cstf: Vec<String>,
}

impl Default for ProfileForm {
    fn default() -> Self {
        ProfileForm {
            name: String::new(),
            description: String::new(),
            doctor_in_training: false,
            exposure_prone: false,
            checks: Vec::new(),
            grades: Vec::new(),
            dbs: "none".into(),
            barred_lists: Vec::new(),
            bodies: Vec::new(),
            cstf: Vec::new(),
        }
    }
}

fn cstf_value(subject: &str, level: u8, qualifier: Option<&str>) -> String {
    match qualifier {
        Some(q) => format!("{subject}|{level}|{q}"),
        None => format!("{subject}|{level}"),
    }
}

/// `(subject, level text, qualifier)` of a CSTF form value.
fn split_cstf(value: &str) -> (&str, &str, Option<&str>) {
    let mut parts = value.splitn(3, '|');
    let subject = parts.next().unwrap_or("");
    let level = parts.next().unwrap_or("");
    (subject, level, parts.next())
}

impl ProfileForm {
    fn from_profile(p: &RoleProfile) -> ProfileForm {
        let mut f = ProfileForm {
            name: p.name.clone(),
            description: p.description.clone(),
            doctor_in_training: p.doctor_in_training,
            exposure_prone: p.exposure_prone,
            ..ProfileForm::default()
        };
        for r in &p.requirements {
            let check = match r {
                Requirement::Identity {} => "identity",
                Requirement::RightToWork {} => "right_to_work",
                Requirement::Employment {} => "employment",
                Requirement::OccupationalHealth {} => "occupational_health",
                Requirement::TrainingProgramme {} => "training_programme",
                Requirement::TrainingPlacement { grades } => {
                    f.grades.clone_from(grades);
                    "training_placement"
                }
                Requirement::Dbs {
                    level,
                    barred_lists,
                } => {
                    f.dbs = dbs_value(*level).into();
                    f.barred_lists = barred_lists
                        .iter()
                        .map(|l| barred_value(*l).into())
                        .collect();
                    continue;
                }
                Requirement::ProfessionalRegistration { bodies } => {
                    f.bodies = bodies.iter().map(|b| b.abbreviation().into()).collect();
                    continue;
                }
                Requirement::Cstf {
                    subject,
                    level,
                    qualifier,
                } => {
                    f.cstf
                        .push(cstf_value(subject, *level, qualifier.as_deref()));
                    continue;
                }
            };
            f.checks.push(check.into());
        }
        f
    }

    fn from_fields(fields: &Fields) -> ProfileForm {
        let text = |name| fields.get(name).unwrap_or("").trim().to_string();
        let all = |name| fields.all(name).map(str::to_string).collect::<Vec<_>>();
        ProfileForm {
            name: text("name"),
            description: text("description"),
            doctor_in_training: fields.get("doctor_in_training") == Some("yes"),
            exposure_prone: fields.get("exposure_prone") == Some("yes"),
            checks: all("require"),
            grades: all("grade"),
            dbs: text("dbs"),
            barred_lists: all("barred_list"),
            bodies: all("body"),
            cstf: fields
                .all("cstf")
                .filter(|v| !v.is_empty())
                .map(str::to_string)
                .collect(),
        }
    }

    fn has(&self, check: &str) -> bool {
        self.checks.iter().any(|c| c == check)
    }

    /// The profile the form describes, and what is wrong with it (empty: valid, as
    /// `passport-compliance` decides).
    fn build(&self, id: &str) -> (RoleProfile, Vec<FormError>) {
        let mut errors = Vec::new();
        if self.name.is_empty() {
            errors.push(FormError::new("Enter a name for the profile", "name"));
        } else if self.name.chars().count() > NAME_MAX {
            errors.push(FormError::new(
                format!("Name must be {NAME_MAX} characters or fewer"),
                "name",
            ));
        }
        if self.description.chars().count() > DESCRIPTION_MAX {
            errors.push(FormError::new(
                format!("Description must be {DESCRIPTION_MAX} characters or fewer"),
                "description",
            ));
        }
        if self
            .checks
            .iter()
            .any(|c| !CHECKS.iter().any(|(value, ..)| value == c))
        {
            errors.push(FormError::new(
                "Select requirements from the list",
                "req-identity",
            ));
        }
        let mut requirements = Vec::new();
        for (check, requirement) in [
            ("identity", Requirement::Identity {}),
            ("right_to_work", Requirement::RightToWork {}),
            ("employment", Requirement::Employment {}),
        ] {
            if self.has(check) {
                requirements.push(requirement);
            }
        }
        match self.dbs.as_str() {
            "none" if !self.barred_lists.is_empty() => errors.push(FormError::new(
                "Select an enhanced with barred list(s) check, or clear the barred lists",
                "barred-adults",
            )),
            "none" => {}
            "" => errors.push(FormError::new(
                "Select the DBS check the post needs, or no DBS check",
                "dbs",
            )),
            value => match DBS_LEVELS.into_iter().find(|l| dbs_value(*l) == value) {
                None => errors.push(FormError::new("Select a DBS check from the list", "dbs")),
                Some(level) => {
                    // Lists with another level are passed on: the compliance rules refuse them.
                    let mut barred_lists = Vec::new();
                    for v in &self.barred_lists {
                        match BARRED_LISTS.into_iter().find(|l| barred_value(*l) == v) {
                            Some(l) => barred_lists.push(l),
                            None => errors.push(FormError::new(
                                "Select barred lists from the list",
                                "barred-adults",
                            )),
                        }
                    }
                    requirements.push(Requirement::Dbs {
                        level,
                        barred_lists,
                    });
                }
            },
        }
        if !self.bodies.is_empty() {
            let mut bodies = Vec::new();
            for v in &self.bodies {
                match ProfessionalBody::ALL
                    .into_iter()
                    .find(|b| b.abbreviation() == v)
                {
                    Some(b) => bodies.push(b),
                    None => errors.push(FormError::new(
                        "Select registration bodies from the list",
                        &body_id(ProfessionalBody::ALL[0]),
                    )),
                }
            }
            requirements.push(Requirement::ProfessionalRegistration { bodies });
        }
        if self.has("occupational_health") {
            requirements.push(Requirement::OccupationalHealth {});
        }
        if self.has("training_programme") {
            requirements.push(Requirement::TrainingProgramme {});
        }
        if self.has("training_placement") {
            requirements.push(Requirement::TrainingPlacement {
                grades: self.grades.clone(),
            });
        } else if !self.grades.is_empty() {
            errors.push(FormError::new(
                "Select training placement, or clear the grades: grades are for a training placement",
                "req-training-placement",
            ));
        }
        // CSTF in the framework's order; values that match no slot (posted by hand) last.
        let slots = cstf_slots();
        let mut cstf: Vec<(usize, &str)> = self
            .cstf
            .iter()
            .map(|v| {
                let (subject, _, qualifier) = split_cstf(v);
                let at = slots
                    .iter()
                    .position(|s| s.subject == subject && s.qualifier == qualifier)
                    .unwrap_or(slots.len());
                (at, v.as_str())
            })
            .collect();
        cstf.sort_by_key(|(at, _)| *at);
        for (_, value) in cstf {
            let (subject, level, qualifier) = split_cstf(value);
            match level.parse::<u8>() {
                Ok(level) if !subject.is_empty() => requirements.push(Requirement::Cstf {
                    subject: subject.to_string(),
                    level,
                    qualifier: qualifier.map(str::to_string),
                }),
                _ => errors.push(FormError::new(
                    "Select a level from the list for each subject",
                    &cstf_field(subject, qualifier),
                )),
            }
        }
        let profile = RoleProfile {
            id: id.to_string(),
            name: self.name.clone(),
            description: self.description.clone(),
            doctor_in_training: self.doctor_in_training,
            exposure_prone: self.exposure_prone,
            requirements,
        };
        // `validate` stops at the first problem. To report every one: each requirement on its
        // own, then the profile with those that passed (rules across fields), then, with
        // nothing found, the whole profile as it would be saved.
        let mut passing = Vec::new();
        for r in &profile.requirements {
            let probe = RoleProfile {
                id: "probe".into(),
                name: "probe".into(),
                description: String::new(),
                doctor_in_training: profile.doctor_in_training,
                exposure_prone: false,
                requirements: vec![r.clone()],
            };
            match probe.validate() {
                Ok(()) => passing.push(r.clone()),
                Err(e) => errors.push(explain(&e)),
            }
        }
        if !passing.is_empty() || profile.requirements.is_empty() {
            let rest = RoleProfile {
                // A missing name is reported above; here it would hide the rules after it.
                name: if profile.name.trim().is_empty() {
                    "probe".into()
                } else {
                    profile.name.clone()
                },
                requirements: passing,
                ..profile.clone()
            };
            if let Err(e) = rest.validate() {
                errors.push(explain(&e));
            }
        }
        if errors.is_empty() {
            if let Err(e) = profile.validate() {
                errors.push(explain(&e));
            }
        }
        let mut unique: Vec<FormError> = Vec::new();
        for e in errors {
            if !unique.iter().any(|u| u.field == e.field) {
                unique.push(e);
            }
        }
        (profile, unique)
    }
}

/// One CSTF select of the form: a subject, or resuscitation in one stream.
struct Slot {
    subject: String,
    qualifier: Option<&'static str>,
    levels: Vec<u8>,
}

impl Slot {
    fn id(&self) -> String {
        cstf_field(&self.subject, self.qualifier)
    }

    fn label(&self) -> String {
        match self.qualifier {
            Some(q) => format!("{}: {q} stream", self.subject),
            None if self.subject == RESUSCITATION => format!("{RESUSCITATION}: any stream"),
            None => self.subject.clone(),
        }
    }

    /// The highest level the form chose for this slot.
    fn chosen(&self, form: &ProfileForm) -> Option<u8> {
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
fn cstf_slots() -> Vec<Slot> {
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
fn cstf_field(subject: &str, qualifier: Option<&str>) -> String {
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

fn body_id(body: ProfessionalBody) -> String {
    format!("body-{}", body.abbreviation().to_ascii_lowercase())
}

// ---------------------------------------------------------------------------------------------
// Errors

/// One problem with the form: the message and the id of the field it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
struct FormError {
    message: String,
    field: String,
}

impl FormError {
    fn new(message: impl Into<String>, field: &str) -> FormError {
        FormError {
            message: message.into(),
            field: field.to_string(),
        }
    }
}

/// A validation error as the person filling the form reads it, on its field.
fn explain(e: &ComplianceError) -> FormError {
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

/// The field of a requirement key.
fn key_field(key: &str) -> String {
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
struct Inline<'a>(&'a [FormError]);

impl Inline<'_> {
    /// The first error of a group.
    fn of(&self, group: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| group_of(&e.field) == group)
            .map(|e| e.message.as_str())
    }

    /// ` nhsuk-form-group--error` when the group has an error.
    fn group_class(&self, group: &str) -> &'static str {
        if self.of(group).is_some() {
            " nhsuk-form-group--error"
        } else {
            ""
        }
    }

    /// The error message element of a group (id `{group}-error`), or nothing.
    fn message(&self, group: &str) -> String {
        self.of(group).map_or_else(String::new, |m| {
            format!(
                r#"<span class="nhsuk-error-message" id="{}-error"><span class="nhsuk-u-visually-hidden">Error: </span>{}</span>"#,
                attr(group),
                html_escape(m)
            )
        })
    }

    /// `aria-describedby` naming a hint and, with an error, the error message.
    fn described(&self, group: &str, hint: Option<&str>) -> String {
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

// ---------------------------------------------------------------------------------------------
// Rendering

fn checked(b: bool) -> &'static str {
    if b {
        " checked"
    } else {
        ""
    }
}

/// One checkbox: id, name, value, label, hint (may be empty), checked, extra input attributes.
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

/// The edit form (for a profile `id`, or a new one when `None`).
fn profile_form(id: Option<&str>, form: &ProfileForm, errors: &[FormError], csrf: &str) -> String {
    let inline = Inline(errors);
    let mut out = String::new();
    let action = match id {
        Some(id) => format!("/portal/profiles/{}", url_part(id)),
        None => "/portal/profiles".to_string(),
    };
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
        name_input = if inline.of("name").is_some() {
            " nhsuk-input--error"
        } else {
            ""
        },
        name = attr(&form.name),
        name_described = inline.described("name", Some("name-hint")),
        desc_class = inline.group_class("description"),
        desc_error = inline.message("description"),
        desc_input = if inline.of("description").is_some() {
            " nhsuk-textarea--error"
        } else {
            ""
        },
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
    let mut items = String::new();
    for (value, cid, label, hint) in CHECKS {
        items.push_str(&checkbox(
            cid,
            "require",
            value,
            label,
            hint,
            form.has(value),
        ));
    }
    let _ = write!(
        out,
        r#"<div class="nhsuk-form-group{class}">
<fieldset class="nhsuk-fieldset"{described}>
<legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--m"><h2 class="nhsuk-fieldset__heading">Employment checks</h2></legend>
<div class="nhsuk-hint" id="require-hint">Select all the checks the post needs. DBS and professional registration are below.</div>
{message}
<div class="nhsuk-checkboxes" data-module="nhsuk-checkboxes">{items}</div>
</fieldset>
</div>
"#,
        class = inline.group_class("require"),
        described = inline.described("require", Some("require-hint")),
        message = inline.message("require"),
    );

    // Training placement grades.
    let mut grades = String::new();
    for g in TIS_GRADES {
        grades.push_str(&checkbox(
            &format!("grade-{g}"),
            "grade",
            g,
            g,
            "",
            form.grades.iter().any(|x| x == g),
        ));
    }
    let _ = write!(
        out,
        r#"<div class="nhsuk-form-group{class}">
<fieldset class="nhsuk-fieldset"{described}>
<legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">Training placement grades</legend>
<div class="nhsuk-hint" id="grades-hint">Only with a training placement. Select the accepted grades, or none to accept any grade.</div>
{message}
<div class="nhsuk-checkboxes nhsuk-checkboxes--small nhsuk-checkboxes--inline" data-module="nhsuk-checkboxes">{grades}</div>
</fieldset>
</div>
"#,
        class = inline.group_class("grades"),
        described = inline.described("grades", Some("grades-hint")),
        message = inline.message("grades"),
    );

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
    let mut lists = String::new();
    for list in BARRED_LISTS {
        let v = barred_value(list);
        lists.push_str(&checkbox(
            &format!("barred-{v}"),
            "barred_list",
            v,
            barred_label(list),
            "",
            form.barred_lists.iter().any(|x| x == v),
        ));
    }
    let _ = write!(
        out,
        r#"<div class="nhsuk-form-group{class}">
<fieldset class="nhsuk-fieldset"{described}>
<legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--m"><h2 class="nhsuk-fieldset__heading">DBS check</h2></legend>
<div class="nhsuk-hint" id="dbs-hint">The lowest level of check the post needs. A higher level also meets it.</div>
{message}
<div class="nhsuk-radios" data-module="nhsuk-radios">{radios}</div>
</fieldset>
</div>
<div class="nhsuk-form-group{barred_class}">
<fieldset class="nhsuk-fieldset"{barred_described}>
<legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">Barred lists that must have been checked</legend>
<div class="nhsuk-hint" id="barred-hint">Only with an enhanced with barred list(s) check, which needs at least one.</div>
{barred_message}
<div class="nhsuk-checkboxes" data-module="nhsuk-checkboxes">{lists}</div>
</fieldset>
</div>
"#,
        class = inline.group_class("dbs"),
        described = inline.described("dbs", Some("dbs-hint")),
        message = inline.message("dbs"),
        barred_class = inline.group_class("barred"),
        barred_described = inline.described("barred", Some("barred-hint")),
        barred_message = inline.message("barred"),
    );

    // Professional registration.
    let mut bodies = String::new();
    for body in ProfessionalBody::ALL {
        let v = body.abbreviation();
        bodies.push_str(&checkbox(
            &body_id(body),
            "body",
            v,
            &format!("{} ({v})", body.claim_value()),
            "",
            form.bodies.iter().any(|x| x == v),
        ));
    }
    let _ = write!(
        out,
        r#"<div class="nhsuk-form-group{class}">
<fieldset class="nhsuk-fieldset"{described}>
<legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--m"><h2 class="nhsuk-fieldset__heading">Professional registration</h2></legend>
<div class="nhsuk-hint" id="bodies-hint">Select the regulators whose registration the post accepts, or none if it needs no registration. Registration is always checked on the live register: it is never portable.</div>
{message}
<div class="nhsuk-checkboxes" data-module="nhsuk-checkboxes">{bodies}</div>
</fieldset>
</div>
"#,
        class = inline.group_class("bodies"),
        described = inline.described("bodies", Some("bodies-hint")),
        message = inline.message("bodies"),
    );

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
            select_error = if inline.of(&sid).is_some() {
                " nhsuk-select--error"
            } else {
                ""
            },
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
        cancel = attr(&match id {
            Some(id) => format!("/portal/profiles/{}", url_part(id)),
            None => "/portal/profiles".to_string(),
        }),
    );
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

/// A profile's page: its summary and, for those who may change it, the edit form.
fn profile_page(
    state: &Shared,
    viewer: &Viewer,
    shown: &Shown,
    form: &ProfileForm,
    errors: &[FormError],
    saved: bool,
) -> Html<String> {
    let s = &viewer.session;
    let editable = may(s, Action::EditProfiles);
    let mut body = String::new();
    if !errors.is_empty() {
        body.push_str(&error_summary(
            &errors
                .iter()
                .map(|e| (e.message.clone(), e.field.clone()))
                .collect::<Vec<_>>(),
        ));
    }
    if saved {
        body.push_str(&success_banner("The profile has been saved."));
    }
    let _ = write!(
        body,
        r#"<a class="nhsuk-back-link" href="/portal/profiles">Back to role profiles</a>
<div class="nhsuk-grid-row"><div class="nhsuk-grid-column-two-thirds">
<span class="nhsuk-caption-l">Role profile</span>
<h1>{name}</h1>
"#,
        name = html_escape(&shown.name),
    );
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
    if editable {
        let _ = write!(
            body,
            r#"<p><a href="/portal/profiles/new?from={id}">Copy this profile to make a new one</a></p>
<h2 class="nhsuk-heading-l" id="change">Change this profile</h2>
{form}"#,
            id = attr(&url_part(&shown.id)),
            form = profile_form(Some(&shown.id), form, errors, &s.csrf),
        );
    } else {
        body.push_str("<p>Only HR and administrators can change role profiles.</p>\n");
    }
    body.push_str("</div></div>");
    let title = if errors.is_empty() {
        shown.name.clone()
    } else {
        format!("Error: {}", shown.name)
    };
    render(state, viewer, &title, Nav::Profiles, &body)
}

/// The new-profile page.
fn new_page(
    state: &Shared,
    viewer: &Viewer,
    form: &ProfileForm,
    errors: &[FormError],
    copied_from: Option<&str>,
) -> Html<String> {
    let mut body = String::new();
    if !errors.is_empty() {
        body.push_str(&error_summary(
            &errors
                .iter()
                .map(|e| (e.message.clone(), e.field.clone()))
                .collect::<Vec<_>>(),
        ));
    }
    body.push_str(
        r#"<a class="nhsuk-back-link" href="/portal/profiles">Back to role profiles</a>
<div class="nhsuk-grid-row"><div class="nhsuk-grid-column-two-thirds">
<h1>Create a role profile</h1>
"#,
    );
    if let Some(from) = copied_from {
        let _ = writeln!(
            body,
            "<p>Filled in from {}: change what the new post needs, and give it its own name.</p>",
            html_escape(from)
        );
    }
    body.push_str(&profile_form(None, form, errors, &viewer.session.csrf));
    body.push_str("</div></div>");
    let title = if errors.is_empty() {
        "Create a role profile"
    } else {
        "Error: Create a role profile"
    };
    render(state, viewer, title, Nav::Profiles, &body)
}

// ---------------------------------------------------------------------------------------------
// Handlers

pub async fn show(
    State(state): State<Shared>,
    viewer: Viewer,
    Path(id): Path<String>,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Html<String>, PageError> {
    let s = &viewer.session;
    authorise(s, Action::ViewProfiles)?;
    let shown = org_profile(&state, &s.user.org, &id).await?;
    let form = match &shown.profile {
        Some(p) => ProfileForm::from_profile(p),
        None => ProfileForm {
            name: shown.name.clone(),
            ..ProfileForm::default()
        },
    };
    let done = page_query(query).done;
    Ok(profile_page(
        &state,
        &viewer,
        &shown,
        &form,
        &[],
        matches!(done.as_str(), "saved" | "created"),
    ))
}

pub async fn new_form(
    State(state): State<Shared>,
    viewer: Viewer,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Html<String>, PageError> {
    let s = &viewer.session;
    authorise(s, Action::EditProfiles)?;
    let from = page_query(query).from;
    if from.is_empty() {
        return Ok(new_page(
            &state,
            &viewer,
            &ProfileForm::default(),
            &[],
            None,
        ));
    }
    let shown = org_profile(&state, &s.user.org, &from).await?;
    let mut form = shown
        .profile
        .as_ref()
        .map(ProfileForm::from_profile)
        .unwrap_or_default();
    form.name = format!("Copy of {}", shown.name);
    Ok(new_page(&state, &viewer, &form, &[], Some(&shown.name)))
}

pub async fn create(State(state): State<Shared>, posted: Posted) -> Result<Response, PageError> {
    let viewer = &posted.viewer;
    let s = &viewer.session;
    authorise(s, Action::EditProfiles)?;
    let form = ProfileForm::from_fields(&posted.fields);
    let id = profile_id(&form.name);
    let mut errors = Vec::new();
    if !form.name.is_empty() {
        if id.is_empty() {
            errors.push(FormError::new(
                "Enter a name that includes letters or numbers",
                "name",
            ));
        } else if org_profiles(&state, &s.user.org)
            .await?
            .iter()
            .any(|p| p.id == id)
        {
            errors.push(FormError::new(
                "A profile with this name already exists: choose another name, or change that profile",
                "name",
            ));
        }
    }
    let (profile, more) = form.build(if id.is_empty() { "profile" } else { &id });
    for e in more {
        if !errors.iter().any(|x| x.field == e.field) {
            errors.push(e);
        }
    }
    if !errors.is_empty() {
        return Ok(new_page(&state, viewer, &form, &errors, None).into_response());
    }
    save(&state, s, &profile).await?;
    Ok(see_other(format!(
        "/portal/profiles/{}?done=created",
        url_part(&profile.id)
    )))
}

pub async fn update(
    State(state): State<Shared>,
    Path(id): Path<String>,
    posted: Posted,
) -> Result<Response, PageError> {
    let viewer = &posted.viewer;
    let s = &viewer.session;
    authorise(s, Action::EditProfiles)?;
    let shown = org_profile(&state, &s.user.org, &id).await?;
    let form = ProfileForm::from_fields(&posted.fields);
    let (profile, errors) = form.build(&shown.id);
    if !errors.is_empty() {
        return Ok(profile_page(&state, viewer, &shown, &form, &errors, false).into_response());
    }
    save(&state, s, &profile).await?;
    Ok(see_other(format!(
        "/portal/profiles/{}?done=saved",
        url_part(&profile.id)
    )))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_slugs_of_the_name() {
        assert_eq!(
            profile_id("Staff nurse (band 5), medical wards"),
            "staff-nurse-band-5-medical-wards"
        );
        assert_eq!(profile_id("  Médecin FY1 "), "m-decin-fy1");
        assert_eq!(profile_id("!!!"), "");
        assert_eq!(profile_id("New"), "new-profile");
        let long = profile_id(&"a ".repeat(100));
        assert!(long.len() <= 64 && !long.ends_with('-'), "{long}");
    }

    #[test]
    fn every_default_profile_survives_the_form_unchanged() {
        for p in default_profiles().unwrap() {
            let form = ProfileForm::from_profile(&p);
            let (back, errors) = form.build(&p.id);
            assert!(errors.is_empty(), "{}: {errors:?}", p.id);
            assert_eq!(back, p, "{}", p.id);
        }
    }

    #[test]
    fn the_form_offers_every_subject_and_the_resuscitation_streams() {
        let slots = cstf_slots();
        let national = LocalPeriods::national_defaults();
        for p in national.periods() {
            assert!(
                slots
                    .iter()
                    .any(|s| s.subject == p.subject && s.levels.contains(&p.level)),
                "{} {}",
                p.subject,
                p.level
            );
        }
        let streams: Vec<_> = slots.iter().filter(|s| s.qualifier.is_some()).collect();
        assert_eq!(streams.len(), 3);
        assert!(streams.iter().all(|s| s.levels == vec![2, 3]));
        let ids: Vec<String> = slots.iter().map(Slot::id).collect();
        assert!(ids.contains(&"cstf-resuscitation-paediatric".to_string()));
        let mut unique = ids.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), ids.len(), "ids are unique");
    }

    #[test]
    fn errors_name_their_fields() {
        let form = ProfileForm {
            name: String::new(),
            exposure_prone: true,
            checks: vec!["training_programme".into()],
            grades: vec!["FY1".into()],
            dbs: dbs_value(DbsLevel::EnhancedWithBarredLists).into(),
            cstf: vec!["Underwater Basket Weaving|1".into(), "Fire Safety|x".into()],
            ..ProfileForm::default()
        };
        let (_, errors) = form.build("p");
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        for expected in [
            "name",
            "req-training-placement",
            "req-training-programme",
            "barred-adults",
            "cstf-fire-safety",
            "cstf-conflict-resolution",
        ] {
            assert!(fields.contains(&expected), "{expected}: {errors:?}");
        }
        let (_, errors) = ProfileForm {
            name: "Empty".into(),
            ..ProfileForm::default()
        }
        .build("empty");
        assert_eq!(
            errors,
            vec![FormError::new(
                "Select at least one requirement",
                "req-identity"
            )]
        );
    }

    #[test]
    fn barred_lists_need_their_level() {
        for dbs in ["none", "enhanced"] {
            let form = ProfileForm {
                name: "Porter".into(),
                checks: vec!["identity".into()],
                dbs: dbs.into(),
                barred_lists: vec!["adults".into()],
                ..ProfileForm::default()
            };
            let (_, errors) = form.build("porter");
            assert_eq!(errors.len(), 1, "{dbs}: {errors:?}");
            assert_eq!(errors[0].field, "barred-adults", "{dbs}");
        }
        let form = ProfileForm {
            name: "Porter".into(),
            checks: vec!["identity".into()],
            dbs: "enhanced_with_barred_lists".into(),
            barred_lists: vec!["adults".into()],
            ..ProfileForm::default()
        };
        let (p, errors) = form.build("porter");
        assert!(errors.is_empty(), "{errors:?}");
        assert!(p.requirements.contains(&Requirement::Dbs {
            level: DbsLevel::EnhancedWithBarredLists,
            barred_lists: vec![BarredList::Adults]
        }));
    }
}
