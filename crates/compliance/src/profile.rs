//! Role requirement profiles: what a post needs, as data (JSON), checked by
//! [`RoleProfile::validate`].

use serde::{Deserialize, Serialize};

use crate::vocab::{BarredList, DbsLevel, ProfessionalBody, TIS_GRADES};
use crate::{cstf, ComplianceError};

/// A role requirement profile: what the receiving trust needs before someone starts in a
/// post. Data, not code: a trust keeps its own profiles as JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleProfile {
    /// Slug: `a-z`, `0-9` and `-`, at most 64.
    pub id: String,
    /// Display name.
    pub name: String,
    /// What the post is and who it is for.
    #[serde(default)]
    pub description: String,
    /// Postgraduate doctor in training (TIS programme): a DBS check under 3 years old is
    /// portable for them.
    pub doctor_in_training: bool,
    /// The post performs exposure-prone procedures: occupational health clearance must
    /// include EPP clearance.
    pub exposure_prone: bool,
    /// The requirements, in the order the report lists them.
    pub requirements: Vec<Requirement>,
}

/// One requirement of a role profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Requirement {
    /// A verified identity check (Employment Check Standard 1).
    Identity {},
    /// A right to work check whose permission covers the placement (standard 2).
    RightToWork {},
    /// Current NHS employment (standard 4: for rotating doctors and temporary movers the
    /// current NHS employer's assignment is the evidence).
    Employment {},
    /// A DBS check at least this level, with these barred lists (standard 6).
    Dbs {
        /// Minimum level.
        level: DbsLevel,
        /// Barred lists that must have been checked; only with
        /// [`DbsLevel::EnhancedWithBarredLists`], which needs at least one.
        #[serde(default)]
        barred_lists: Vec<BarredList>,
    },
    /// Registration with one of these professional bodies (standard 3). Never portable.
    ProfessionalRegistration {
        /// Accepted bodies.
        bodies: Vec<ProfessionalBody>,
    },
    /// A CSTF subject at least at this level.
    Cstf {
        /// The subject as the framework spells it: `Safeguarding Children`.
        subject: String,
        /// The minimum level (`1` where the subject has no levels). A higher level of the
        /// same subject (and stream) satisfies a lower one.
        level: u8,
        /// Resuscitation levels 2 and 3 only: the stream, `Adult`, `Paediatric` or
        /// `Newborn` (the first word of the qualifier in the competency name).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        qualifier: Option<String>,
    },
    /// Occupational health clearance (standard 5), with EPP clearance when the profile is
    /// exposure-prone.
    OccupationalHealth {},
    /// Membership of a postgraduate training programme that covers the placement (TIS).
    TrainingProgramme {},
    /// The TIS placement for this post, at one of these grades (empty: any grade).
    TrainingPlacement {
        /// Accepted TIS grades, e.g. `FY1`, `FY2`.
        #[serde(default)]
        grades: Vec<String>,
    },
}

impl Requirement {
    /// A stable key, unique in a profile and valid as a DCQL credential query id
    /// (`a-z`, `0-9`, `_`): `identity`, `dbs`, `cstf_safeguarding_children_l3`,
    /// `cstf_resuscitation_l2_adult`, `occupational_health`.
    pub fn key(&self) -> String {
        match self {
            Requirement::Identity {} => "identity".to_owned(),
            Requirement::RightToWork {} => "right_to_work".to_owned(),
            Requirement::Employment {} => "employment".to_owned(),
            Requirement::Dbs { .. } => "dbs".to_owned(),
            Requirement::ProfessionalRegistration { .. } => "professional_registration".to_owned(),
            Requirement::Cstf {
                subject,
                level,
                qualifier,
            } => {
                let mut key = format!("cstf_{}_l{level}", slug(subject));
                if let Some(q) = qualifier {
                    key.push('_');
                    key.push_str(&slug(q));
                }
                key
            }
            Requirement::OccupationalHealth {} => "occupational_health".to_owned(),
            Requirement::TrainingProgramme {} => "training_programme".to_owned(),
            Requirement::TrainingPlacement { .. } => "training_placement".to_owned(),
        }
    }

    /// The label a person reads: `Safeguarding Children (CSTF) level 3 or above`.
    pub fn label(&self, exposure_prone: bool) -> String {
        match self {
            Requirement::Identity {} => "Identity check".to_owned(),
            Requirement::RightToWork {} => "Right to work".to_owned(),
            Requirement::Employment {} => "Current NHS employment".to_owned(),
            Requirement::Dbs {
                level,
                barred_lists,
            } => {
                let lists: Vec<&str> = barred_lists.iter().map(|l| l.words()).collect();
                match lists.as_slice() {
                    [] => format!("DBS check: {} or above", level.words()),
                    [one] => format!("DBS check: enhanced with the {one} barred list"),
                    _ => format!(
                        "DBS check: enhanced with the {} barred lists",
                        lists.join(" and ")
                    ),
                }
            }
            Requirement::ProfessionalRegistration { bodies } => {
                let names: Vec<&str> = bodies.iter().map(|b| b.abbreviation()).collect();
                format!("Professional registration ({})", names.join(" or "))
            }
            Requirement::Cstf {
                subject,
                level,
                qualifier,
            } => match qualifier {
                Some(q) => format!("{subject} (CSTF) level {level} or above, {q} stream"),
                None => format!("{subject} (CSTF) level {level} or above"),
            },
            Requirement::OccupationalHealth {} if exposure_prone => {
                "Occupational health clearance, including exposure-prone procedures (EPP)"
                    .to_owned()
            }
            Requirement::OccupationalHealth {} => "Occupational health clearance".to_owned(),
            Requirement::TrainingProgramme {} => "Training programme (NHS England TIS)".to_owned(),
            Requirement::TrainingPlacement { grades } if grades.is_empty() => {
                "Training placement (NHS England TIS)".to_owned()
            }
            Requirement::TrainingPlacement { grades } => {
                format!(
                    "Training placement (NHS England TIS), grade {}",
                    grades.join(" or ")
                )
            }
        }
    }

    fn validate(&self, profile: &RoleProfile) -> Result<(), ComplianceError> {
        match self {
            Requirement::Dbs {
                level,
                barred_lists,
            } => {
                if *level != DbsLevel::EnhancedWithBarredLists && !barred_lists.is_empty() {
                    return Err(ComplianceError::BarredListsWithoutBarredCheck);
                }
                if *level == DbsLevel::EnhancedWithBarredLists
                    && (barred_lists.is_empty() || has_repeat(barred_lists))
                {
                    return Err(ComplianceError::BarredLists);
                }
            }
            Requirement::ProfessionalRegistration { bodies }
                if bodies.is_empty() || has_repeat(bodies) =>
            {
                return Err(ComplianceError::RegistrationBodies);
            }
            Requirement::Cstf {
                subject,
                level,
                qualifier,
            } => cstf::check(subject, *level, qualifier.as_deref())?,
            Requirement::TrainingPlacement { grades } => {
                for (i, g) in grades.iter().enumerate() {
                    if !TIS_GRADES.contains(&g.as_str()) || grades[..i].contains(g) {
                        return Err(ComplianceError::Grade(g.clone()));
                    }
                }
            }
            _ => {}
        }
        if matches!(
            self,
            Requirement::TrainingProgramme {} | Requirement::TrainingPlacement { .. }
        ) && !profile.doctor_in_training
        {
            return Err(ComplianceError::DoctorsOnly {
                profile: profile.id.clone(),
                key: self.key(),
            });
        }
        Ok(())
    }
}

fn has_repeat<T: PartialEq>(items: &[T]) -> bool {
    items
        .iter()
        .enumerate()
        .any(|(i, x)| items[..i].contains(x))
}

/// `Safeguarding Children` -> `safeguarding_children`; `Equality, Diversity and Human
/// Rights` -> `equality_diversity_and_human_rights`.
fn slug(text: &str) -> String {
    let words: Vec<String> = text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    words.join("_")
}

impl RoleProfile {
    /// Parses and validates a profile.
    pub fn from_json(json: &str) -> Result<RoleProfile, ComplianceError> {
        let profile: RoleProfile =
            serde_json::from_str(json).map_err(|e| ComplianceError::Json(e.to_string()))?;
        profile.validate()?;
        Ok(profile)
    }

    /// Checks the profile: slug id, a name, at least one requirement, no requirement twice
    /// (same key), every CSTF subject, level and stream known, DBS barred lists only (and at
    /// least one) with an enhanced with barred lists check, registration bodies and TIS
    /// grades named once, TIS requirements only for doctors in training, and an
    /// occupational health requirement when exposure-prone.
    pub fn validate(&self) -> Result<(), ComplianceError> {
        let id_ok = (1..=64).contains(&self.id.len())
            && self
                .id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !self.id.starts_with('-')
            && !self.id.ends_with('-');
        if !id_ok {
            return Err(ComplianceError::ProfileId(self.id.clone()));
        }
        if self.name.trim().is_empty() {
            return Err(ComplianceError::EmptyName(self.id.clone()));
        }
        if self.requirements.is_empty() {
            return Err(ComplianceError::NoRequirements(self.id.clone()));
        }
        let mut keys: Vec<String> = Vec::with_capacity(self.requirements.len());
        for requirement in &self.requirements {
            requirement.validate(self)?;
            let key = requirement.key();
            if keys.contains(&key) {
                return Err(ComplianceError::DuplicateRequirement {
                    profile: self.id.clone(),
                    key,
                });
            }
            keys.push(key);
        }
        if self.exposure_prone
            && !self
                .requirements
                .contains(&Requirement::OccupationalHealth {})
        {
            return Err(ComplianceError::ExposureProneWithoutClearance(
                self.id.clone(),
            ));
        }
        Ok(())
    }
}

/// The default profiles shipped with the crate (`profiles/*.json`), validated.
pub fn default_profiles() -> Result<Vec<RoleProfile>, ComplianceError> {
    [
        include_str!("../profiles/foundation-doctor-medicine.json"),
        include_str!("../profiles/specialty-registrar-surgery.json"),
        include_str!("../profiles/paediatric-registrar.json"),
        include_str!("../profiles/ward-nurse-band-5.json"),
        include_str!("../profiles/non-clinical-temporary-mover.json"),
    ]
    .into_iter()
    .map(RoleProfile::from_json)
    .collect()
}
