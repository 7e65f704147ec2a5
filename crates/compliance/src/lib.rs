//! The receiving trust's compliance engine.
//!
//! A trust describes each post as a [`RoleProfile`] (data: JSON, see `profiles/` for the
//! defaults and `README.md` for where each choice comes from) and keeps its own CSTF
//! renewal periods ([`LocalPeriods`]). For a person coming into a post it:
//!
//! 1. asks for credentials with [`requested_credentials`]: one request per requirement,
//!    for only the claims that decide it; health detail only for the OH team;
//! 2. decides each requirement with [`evaluate`] from the verified credentials: met,
//!    expires during the placement, missing, not portable (a local check is needed) or not
//!    shared (claims withheld); with [`evaluate_with`] and a lead employer named, that
//!    employer's pre-employment checks are "accepted under the lead employer arrangement"
//!    ([`lead_employer`]);
//! 3. exports the [`Report`] as JSON or as CSV for the ESR team ([`Report::to_csv`]).
//!
//! Rules (from the NHS Employment Check Standards and the CSTF, `shared/DOMAIN.md`): CSTF
//! expiry is always recomputed from the award date with the local period; an enhanced DBS
//! check under 3 years old is portable for doctors in training only; occupational health
//! clearance is portable; professional registration never is.
//!
//! Dates: an expiry (`ExpiresDuringPlacement { on }`, "expired on") is the first day the
//! evidence no longer counts: an award on 2024-03-01 with a 12-month period expires on
//! 2025-03-01; a DBS check issued on 2023-09-01 is 3 years old on 2026-09-01; a permission
//! to work ending 2026-12-31 expires on 2027-01-01.
//!
//! Pure: no I/O, no clock (`today` is a parameter).
//!
//! ```
//! use passport_compliance::{default_profiles, evaluate, requested_credentials, Audience, LocalPeriods, Placement, PlacementKind};
//! use time::macros::date;
//!
//! let profiles = default_profiles()?;
//! let nurse = profiles.iter().find(|p| p.id == "ward-nurse-band-5").expect("shipped");
//! let hr = requested_credentials(nurse, Audience::Hr)?;
//! assert!(hr.iter().all(|r| !r.vct.ends_with("/vaccination/v1")));
//! let placement = Placement { start: date!(2026 - 09 - 07), end: date!(2027 - 09 - 06), kind: PlacementKind::Rotation };
//! let report = evaluate(nurse, &LocalPeriods::national_defaults(), &placement, &[], date!(2026 - 08 - 01))?;
//! assert_eq!(report.summary.missing, nurse.requirements.len());
//! # Ok::<(), passport_compliance::ComplianceError>(())
//! ```

mod cstf;
mod date;
mod error;
mod evaluate;
pub mod lead_employer;
mod profile;
mod report;
mod request;
mod rules;
mod vocab;

#[cfg(test)]
mod tests;

pub use cstf::{LocalPeriods, Period};
pub use error::ComplianceError;
pub use evaluate::{evaluate, evaluate_with, Placement, PlacementKind, Presented};
pub use lead_employer::{Arrangement, LEAD_EMPLOYER_STATUS};
pub use profile::{default_profiles, Requirement, RoleProfile};
pub use report::spreadsheet_cell;
pub use report::{
    DeclaredItem, Evidence, Report, ReportLine, Status, Summary, SELF_DECLARED_HEADING,
};
pub use request::{requested_credentials, vct, Audience, ClaimValues, CredentialRequest, VCT_BASE};
pub use vocab::{BarredList, DbsLevel, ProfessionalBody, TIS_GRADES};
