//! The credentials to ask for: one request per requirement, for only the claims that
//! decide it (data minimisation). Another layer turns these into a DCQL query.

use serde::{Deserialize, Serialize};

use crate::profile::{Requirement, RoleProfile};
use crate::vocab::BarredList;
use crate::{cstf, ComplianceError};

/// Base of every `vct`; the type slug and `/v1` follow.
pub const VCT_BASE: &str = "https://w3id.org/nhs-staff-passport/vct/";

/// Type slugs of the catalogue (`vct` = [`VCT_BASE`] + slug + `/v1`).
pub(crate) mod slug {
    pub const IDENTITY: &str = "identity";
    pub const RIGHT_TO_WORK: &str = "right-to-work";
    pub const EMPLOYMENT: &str = "employment";
    pub const DBS: &str = "dbs-check-outcome";
    pub const REGISTRATION: &str = "professional-registration";
    pub const CSTF: &str = "core-skills-training";
    pub const OH_CLEARANCE: &str = "occupational-health-clearance";
    pub const VACCINATION: &str = "vaccination";
    pub const CLINICAL_TEST: &str = "clinical-test";
    pub const OBSERVATION: &str = "observation";
    pub const PROGRAMME: &str = "training-programme";
    pub const PLACEMENT: &str = "training-placement";
}

/// The `vct` of a catalogue type slug: `vct("dbs-check-outcome")`.
pub fn vct(type_slug: &str) -> String {
    format!("{VCT_BASE}{type_slug}/v1")
}

/// Who the request is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Audience {
    /// HR and medical staffing: everything the profile needs, the occupational health
    /// clearance outcome only, never health detail.
    #[serde(rename = "hr")]
    Hr,
    /// The occupational health team: the clearance and the OH-only detail (vaccination,
    /// clinical test, observation), and nothing else.
    #[serde(rename = "occupational-health")]
    OccupationalHealth,
}

/// One credential to ask for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialRequest {
    /// DCQL credential query id: `a-z`, `0-9` and `_`. The requirement key, or
    /// `oh_vaccination`, `oh_clinical_test`, `oh_observation`.
    pub id: String,
    /// The credential type.
    pub vct: String,
    /// Claim paths to disclose; each path is one top-level claim name.
    pub claims: Vec<Vec<String>>,
    /// Restrictions on claim values (DCQL `values`), for claims in `claims`: a CSTF request
    /// asks for its own subject at an acceptable level only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<ClaimValues>,
    /// Whether several credentials may answer (several awards of one subject, several
    /// assignments...).
    pub multiple: bool,
    /// Why the trust asks, for the person to read in the wallet.
    pub purpose: String,
}

/// Accepted values of one claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimValues {
    /// The claim path.
    pub path: Vec<String>,
    /// Accepted values (any of them).
    pub values: Vec<String>,
}

/// The claims that decide a requirement, in the order they are asked for.
pub(crate) fn needed_claims(requirement: &Requirement, profile: &RoleProfile) -> Vec<&'static str> {
    match requirement {
        Requirement::Identity {} => vec![
            "legalFirstName",
            "legalSurname",
            "birthDate",
            "evidenceCheckedBy",
            "dateOfIdCheck",
            "GPG45profile",
        ],
        Requirement::RightToWork {} => vec![
            "rightToWorkCheckType",
            "dateOfRightToWorkCheck",
            "permissionExpiryDate",
        ],
        Requirement::Employment {} => {
            vec!["organisationOds", "contractType", "startDate", "endDate"]
        }
        Requirement::Dbs { barred_lists, .. } => {
            let mut claims = vec!["typeOfDbsCheck"];
            for list in [BarredList::Adults, BarredList::Children] {
                if barred_lists.contains(&list) {
                    claims.push(list.claim());
                }
            }
            claims.extend(["disclosureIssueDate", "certificateNumber"]);
            if profile.doctor_in_training {
                claims.push("informationDisclosed");
            }
            claims
        }
        Requirement::ProfessionalRegistration { .. } => {
            vec!["professionalBody", "registrationNumber"]
        }
        Requirement::Cstf { qualifier, .. } => match qualifier {
            Some(_) => vec![
                "subjectName",
                "subjectLevel",
                "competencyName",
                "dateLastAwarded",
            ],
            None => vec!["subjectName", "subjectLevel", "dateLastAwarded"],
        },
        Requirement::OccupationalHealth {} => {
            let mut claims = vec!["clearanceOutcome", "adjustmentsSummary"];
            if profile.exposure_prone {
                claims.extend(["eppCleared", "eppClearanceDate"]);
            }
            claims.extend(["roleRiskCategory", "assessmentDate"]);
            claims
        }
        Requirement::TrainingProgramme {} => {
            vec!["programmeName", "programmeStartDate", "programmeEndDate"]
        }
        Requirement::TrainingPlacement { grades } if grades.is_empty() => {
            vec!["startDate", "endDate"]
        }
        Requirement::TrainingPlacement { .. } => vec!["grade", "startDate", "endDate"],
    }
}

/// The catalogue type slug that answers a requirement.
pub(crate) fn type_slug(requirement: &Requirement) -> &'static str {
    match requirement {
        Requirement::Identity {} => slug::IDENTITY,
        Requirement::RightToWork {} => slug::RIGHT_TO_WORK,
        Requirement::Employment {} => slug::EMPLOYMENT,
        Requirement::Dbs { .. } => slug::DBS,
        Requirement::ProfessionalRegistration { .. } => slug::REGISTRATION,
        Requirement::Cstf { .. } => slug::CSTF,
        Requirement::OccupationalHealth {} => slug::OH_CLEARANCE,
        Requirement::TrainingProgramme {} => slug::PROGRAMME,
        Requirement::TrainingPlacement { .. } => slug::PLACEMENT,
    }
}

fn purpose(requirement: &Requirement, profile: &RoleProfile) -> String {
    match requirement {
        Requirement::Identity {} => "To confirm who you are: your legal name and date of birth, and how well your identity was checked (GPG45). We confirm your likeness in person on your first day.".to_owned(),
        Requirement::RightToWork {} => "To confirm your right to work in the UK covers the whole placement.".to_owned(),
        Requirement::Employment {} => "To confirm your current NHS employment: employer, contract type and dates only.".to_owned(),
        Requirement::Dbs { .. } if profile.doctor_in_training => "To see whether your DBS check can be carried over: its level, barred lists, issue date and whether it is clear.".to_owned(),
        Requirement::Dbs { .. } => "To see the level and date of your DBS check, so we can check it on the DBS Update Service or start a new one.".to_owned(),
        Requirement::ProfessionalRegistration { .. } => "To pre-fill our check of the live professional register: body and registration number only.".to_owned(),
        Requirement::Cstf { subject, level, .. } => format!("To confirm your {subject} training (level {level} or above) and when it was awarded; we work out its expiry with our own renewal period."),
        Requirement::OccupationalHealth {} => "To see your occupational health clearance outcome only; no health detail.".to_owned(),
        Requirement::TrainingProgramme {} => "To confirm your training programme covers the placement.".to_owned(),
        Requirement::TrainingPlacement { .. } => "To confirm your NHS England placement in this post: dates and grade.".to_owned(),
    }
}

fn paths(claims: &[&str]) -> Vec<Vec<String>> {
    claims.iter().map(|c| vec![(*c).to_owned()]).collect()
}

fn request_for(requirement: &Requirement, profile: &RoleProfile) -> CredentialRequest {
    let values = match requirement {
        Requirement::Cstf { subject, level, .. } => {
            let levels = cstf::subject(subject)
                .map(|s| {
                    s.levels
                        .iter()
                        .filter(|(l, _)| l >= level)
                        .map(|(l, _)| l.to_string())
                        .collect()
                })
                .unwrap_or_default();
            vec![
                ClaimValues {
                    path: vec!["subjectName".to_owned()],
                    values: vec![subject.clone()],
                },
                ClaimValues {
                    path: vec!["subjectLevel".to_owned()],
                    values: levels,
                },
            ]
        }
        _ => Vec::new(),
    };
    CredentialRequest {
        id: requirement.key(),
        vct: vct(type_slug(requirement)),
        claims: paths(&needed_claims(requirement, profile)),
        values,
        multiple: !matches!(requirement, Requirement::Identity {}),
        purpose: purpose(requirement, profile),
    }
}

/// OH-only detail types, asked for by the occupational health team only.
fn oh_detail() -> [CredentialRequest; 3] {
    let detail = |id: &str, slug: &str, claims: &[&str], purpose: &str| CredentialRequest {
        id: id.to_owned(),
        vct: vct(slug),
        claims: paths(claims),
        values: Vec::new(),
        multiple: true,
        purpose: purpose.to_owned(),
    };
    [
        detail("oh_vaccination", slug::VACCINATION, &["code", "description", "date"], "Occupational health only: your vaccinations (which and when), to review your immunity for the role."),
        detail("oh_clinical_test", slug::CLINICAL_TEST, &["code", "description", "date", "interpretation", "result"], "Occupational health only: your screening test results (immunity, and EPP tests where the role needs them)."),
        detail("oh_observation", slug::OBSERVATION, &["code", "description", "result"], "Occupational health only: observations such as a BCG scar."),
    ]
}

/// The credentials to request for a profile, in profile order.
///
/// HR gets one request per requirement, with the occupational health clearance outcome
/// only. The occupational health team gets the clearance and the OH-only detail types
/// (vaccination, clinical test, observation), and nothing else: it needs no DBS or
/// training data. A profile without an occupational health requirement gives the OH team
/// nothing. The profile is validated first.
pub fn requested_credentials(
    profile: &RoleProfile,
    audience: Audience,
) -> Result<Vec<CredentialRequest>, ComplianceError> {
    profile.validate()?;
    let mut requests = Vec::new();
    for requirement in &profile.requirements {
        let is_oh = matches!(requirement, Requirement::OccupationalHealth {});
        match audience {
            Audience::Hr => requests.push(request_for(requirement, profile)),
            Audience::OccupationalHealth if is_oh => {
                requests.push(request_for(requirement, profile));
                requests.extend(oh_detail());
            }
            Audience::OccupationalHealth => {}
        }
    }
    Ok(requests)
}
