//! The NHS Staff Passport credential catalogue.
//!
//! Every credential the passport issues is an SD-JWT VC holding one record: one ESR
//! assignment, one CSTF competence, one DBS outcome. This crate says, for each record type,
//! what its `vct` is, which claims it holds (a JSON Schema, draft 2020-12, embedded from
//! `schemas/`), who may see it, how long it lives by default, and what its SD-JWT VC Type
//! Metadata document says. Field names follow the national Digital Staff Passport API
//! where it has the record type.
//!
//! Pure: no I/O, no network. Schemas are compiled once, on first use of
//! [`Catalogue::nhs`].
//!
//! ```
//! use passport_catalogue::{Catalogue, Audience};
//! use serde_json::json;
//!
//! let catalogue = Catalogue::nhs();
//! let cstf = catalogue.by_name("CoreSkillsTraining").expect("in the catalogue");
//! assert_eq!(cstf.vct, "https://w3id.org/nhs-staff-passport/vct/core-skills-training/v1");
//! assert_eq!(cstf.audience, Audience::Hr);
//! let record = json!({
//!     "recordType": "CoreSkillsTraining",
//!     "competencyFramework": "CSTF",
//!     "subjectName": "Fire Safety",
//!     "competencyName": "Fire Safety",
//!     "subjectLevel": "1",
//!     "attainmentStatus": "ACHIEVED",
//!     "awardingOrganisation": "RHQ",
//!     "dateLastAwarded": "2025-03-01"
//! });
//! assert!(cstf.validate(&record).is_ok());
//! ```

mod catalogue;
mod dsp;
mod error;
mod metadata;
mod registry;
mod validate;

#[cfg(test)]
mod tests;

pub use catalogue::{Catalogue, CredentialType, VCT_VERSION};
pub use dsp::normalise_dsp_record;
pub use error::CatalogueError;
pub use metadata::LOCALE;
pub use validate::REGISTERED_CLAIMS;

/// Base of every `vct`: `VCT_BASE` + kebab-case type name + `/v1`, e.g.
/// `https://w3id.org/nhs-staff-passport/vct/core-skills-training/v1`.
pub const VCT_BASE: &str = "https://w3id.org/nhs-staff-passport/vct/";

/// Who may see credentials of a type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Audience {
    /// HR, medical staffing and managers (and the staff member).
    Hr,
    /// Occupational health services only: special-category health detail (Vaccination,
    /// ClinicalTest, Observation) that goes OH to OH, never to HR.
    OccupationalHealth,
}

impl Audience {
    /// A stable lower-case name: `hr` or `occupational-health`.
    pub fn as_str(self) -> &'static str {
        match self {
            Audience::Hr => "hr",
            Audience::OccupationalHealth => "occupational-health",
        }
    }
}
