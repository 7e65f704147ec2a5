//! The profile form's state and its reading into a [`RoleProfile`]: filled from a stored
//! profile to edit it, or from what was posted. [`ProfileForm::build`] is the only way a posted
//! form becomes a profile, and it reports every problem it finds (not only the first), each on
//! the field it is about: a value the form never offers is refused here, and the rules are
//! `passport-compliance`'s own, run on each requirement alone and then on the whole profile.
use super::errors::{explain, first_per_field, FormError};
use super::fields::{
    barred_value, body_id, cstf_field, cstf_slots, cstf_value, dbs_value, split_cstf, BARRED_LISTS,
    CHECKS, DBS_LEVELS,
};
use crate::portal::auth::Fields;
use passport_compliance::{ProfessionalBody, Requirement, RoleProfile};

/// The longest name and description the form takes (characters).
const NAME_MAX: usize = 120;
const DESCRIPTION_MAX: usize = 1000;

/// What the edit form shows: filled from a profile, or from what was posted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ProfileForm {
    pub(super) name: String,
    pub(super) description: String,
    pub(super) doctor_in_training: bool,
    pub(super) exposure_prone: bool,
    /// Checked values of [`CHECKS`].
    pub(super) checks: Vec<String>,
    pub(super) grades: Vec<String>,
    /// `none` or a [`dbs_value`]; empty when nothing was chosen.
    pub(super) dbs: String,
    pub(super) barred_lists: Vec<String>,
    pub(super) bodies: Vec<String>,
    /// Chosen CSTF levels: `Subject|level` or `Resuscitation|level|Stream`.
    pub(super) cstf: Vec<String>,
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

impl ProfileForm {
    pub(super) fn from_profile(p: &RoleProfile) -> ProfileForm {
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

    pub(super) fn from_fields(fields: &Fields) -> ProfileForm {
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
    pub(super) fn build(&self, id: &str) -> (RoleProfile, Vec<FormError>) {
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
        (profile, first_per_field(errors))
    }
}
