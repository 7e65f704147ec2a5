//! The credential types of the first catalogue version, as data.

use crate::Audience;

/// The static description of one credential type; the schema is compiled at start-up.
pub(crate) struct Definition {
    pub name: &'static str,
    /// Kebab-case name used in the `vct` and the schema file name.
    pub slug: &'static str,
    pub display_name: &'static str,
    pub description: &'static str,
    pub audience: Audience,
    /// Default credential lifetime. `None` where the credential states a dated fact that
    /// stays true (an award, a test, an assignment), bounded by its own dates and revoked
    /// through the status list when the source record changes.
    pub validity_days: Option<u32>,
    /// Signed by the holder's own wallet key, never by an organisation.
    pub self_declared: bool,
    pub schema: &'static str,
}

macro_rules! schema {
    ($slug:literal) => {
        include_str!(concat!("../schemas/", $slug, ".schema.json"))
    };
}

/// Three years: the DBS portability rule for doctors in training, and a sensible
/// refresh point for occupational health clearance.
const THREE_YEARS: u32 = 1095;
const ONE_YEAR: u32 = 365;

pub(crate) const DEFINITIONS: &[Definition] = &[
    Definition {
        name: "Identity",
        slug: "identity",
        display_name: "Identity check",
        description: "A verified identity check: legal names, date of birth, GPG45 identity profile, who checked the evidence and when. No images.",
        audience: Audience::Hr,
        validity_days: None,
        self_declared: false,
        schema: schema!("identity"),
    },
    Definition {
        name: "Employment",
        slug: "employment",
        display_name: "Employment (ESR assignment)",
        description: "One ESR assignment: organisation, staff group, job role, position, grade or band, contract type, whole-time equivalent and dates. Never pay.",
        audience: Audience::Hr,
        validity_days: None,
        self_declared: false,
        schema: schema!("employment"),
    },
    Definition {
        name: "RightToWork",
        slug: "right-to-work",
        display_name: "Right to work check",
        description: "Outcome of a statutory right to work check: how and when it was checked and when any time-limited permission ends.",
        audience: Audience::Hr,
        // Bounded by permissionExpiryDate when the permission is time-limited.
        validity_days: None,
        self_declared: false,
        schema: schema!("right-to-work"),
    },
    Definition {
        name: "DBSCheckOutcome",
        slug: "dbs-check-outcome",
        display_name: "DBS check outcome",
        description: "Outcome of a Disclosure and Barring Service check made by an employer.",
        audience: Audience::Hr,
        validity_days: Some(THREE_YEARS),
        self_declared: false,
        schema: schema!("dbs-check-outcome"),
    },
    Definition {
        name: "ProfessionalRegistration",
        slug: "professional-registration",
        display_name: "Professional registration",
        description: "Registration with a professional regulator (GMC, NMC, HCPC, GDC, GPhC). Not portable: the receiving employer checks the live register.",
        audience: Audience::Hr,
        // A point-in-time register check; regulators renew registration yearly.
        validity_days: Some(ONE_YEAR),
        self_declared: false,
        schema: schema!("professional-registration"),
    },
    Definition {
        name: "CoreSkillsTraining",
        slug: "core-skills-training",
        display_name: "Core skills training",
        description: "One statutory or mandatory training competence (CSTF or MAND). Receivers recompute expiry from the date last awarded.",
        audience: Audience::Hr,
        validity_days: None,
        self_declared: false,
        schema: schema!("core-skills-training"),
    },
    Definition {
        name: "Skill",
        slug: "skill",
        display_name: "Clinical skill",
        description: "A local clinical skill or competence assessed in practice, such as venepuncture or cannulation.",
        audience: Audience::Hr,
        // Bounded by expiryDate when the skill needs reassessment.
        validity_days: None,
        self_declared: false,
        schema: schema!("skill"),
    },
    Definition {
        name: "OccupationalHealthClearance",
        slug: "occupational-health-clearance",
        display_name: "Occupational health clearance",
        description: "The HR-visible outcome of a work health assessment: fit, fit with adjustments or not fit, and exposure-prone procedure clearance. No clinical detail.",
        audience: Audience::Hr,
        validity_days: Some(THREE_YEARS),
        self_declared: false,
        schema: schema!("occupational-health-clearance"),
    },
    Definition {
        name: "Vaccination",
        slug: "vaccination",
        display_name: "Vaccination",
        description: "A vaccination from the workforce screening and vaccination model. Occupational health only.",
        audience: Audience::OccupationalHealth,
        validity_days: None,
        self_declared: false,
        schema: schema!("vaccination"),
    },
    Definition {
        name: "ClinicalTest",
        slug: "clinical-test",
        display_name: "Clinical test",
        description: "A clinical test result from the workforce screening and vaccination model. Occupational health only.",
        audience: Audience::OccupationalHealth,
        validity_days: None,
        self_declared: false,
        schema: schema!("clinical-test"),
    },
    Definition {
        name: "Observation",
        slug: "observation",
        display_name: "Observation",
        description: "An observation (e.g. BCG scar evident) from the workforce screening and vaccination model. Occupational health only.",
        audience: Audience::OccupationalHealth,
        validity_days: None,
        self_declared: false,
        schema: schema!("observation"),
    },
    Definition {
        name: "TrainingProgramme",
        slug: "training-programme",
        display_name: "Training programme",
        description: "Membership of a postgraduate training programme, as recorded by NHS England (TIS).",
        audience: Audience::Hr,
        // Bounded by programmeEndDate.
        validity_days: None,
        self_declared: false,
        schema: schema!("training-programme"),
    },
    Definition {
        name: "TrainingPlacement",
        slug: "training-placement",
        display_name: "Training placement",
        description: "A placement of a doctor or dentist in training at a site, as recorded by NHS England (TIS).",
        audience: Audience::Hr,
        // Bounded by endDate.
        validity_days: None,
        self_declared: false,
        schema: schema!("training-placement"),
    },
    Definition {
        name: "Reference",
        slug: "reference",
        display_name: "Employment reference",
        description: "A factual employment reference from an NHS employer.",
        audience: Audience::Hr,
        // A reference speaks for the time it was given; employers ask for a fresh one.
        validity_days: Some(ONE_YEAR),
        self_declared: false,
        schema: schema!("reference"),
    },
    Definition {
        name: "SelfDeclaredDetails",
        slug: "self-declared-details",
        display_name: "Your personal details",
        description: "Details you declare yourself (preferred name, contact details, address, emergency contacts, National Insurance number), so a new employer's forms are pre-filled. Signed by your wallet, not checked by anyone.",
        audience: Audience::Hr,
        // Signed by the wallet itself and replaced whenever the person edits it.
        validity_days: None,
        self_declared: true,
        schema: schema!("self-declared-details"),
    },
];
