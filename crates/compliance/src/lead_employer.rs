//! The lead employer arrangement.
//!
//! Under the lead employer model one trust (the lead employer, e.g. the single lead employer of
//! a region's doctors in training) holds the contract, the payroll and the pre-employment checks
//! for the whole programme; the host trusts where the person works supervise them day to day
//! and do not repeat those checks (`shared/DOMAIN.md`). So when the host names the lead employer
//! ([`Arrangement::lead_employer`]), a pre-employment check presented with a credential *that
//! employer issued* (its ODS code from the trust list, never from a claim) is "accepted under
//! the lead employer arrangement" ([`Status::AcceptedUnderLeadEmployer`]), even where the
//! ordinary portability rule would have the host make its own check (a DBS check over 3 years
//! old, or held by someone who is not a doctor in training). Anything issued by someone else is
//! judged as before.
//!
//! Which checks: of the six NHS Employment Check Standards, those the lead employer makes as
//! the employer ([`is_pre_employment_check`]): identity (1), right to work (2), employment
//! history, i.e. the current NHS assignment (4), occupational health clearance (5) and the DBS
//! check (6). Not professional registration (3): the live register (licence to practise,
//! conditions) is checked by every organisation the person practises in, so it stays "not
//! portable"; nor mandatory training (CSTF), which host trusts track themselves, nor the TIS
//! programme and placement, which are NHS England's.
//!
//! What the arrangement does not override: the credential must still say the check was made
//! and passed. Withheld claims stay "not shared"; an outcome that is missing on its own terms
//! (not fit, a DBS level below the post's, a barred list not checked, a low-confidence identity
//! check, a permission to work already ended) stays missing; a permission to work or a
//! substantive assignment that ends during the placement still "expires during the placement":
//! those are facts about the person, not about who checked. Only the DBS check's 3-year age
//! rule is a portability rule, so a lead employer's DBS check that ages during the placement is
//! accepted (renewing it is the lead employer's job).
use serde::{Deserialize, Serialize};

use crate::evaluate::{Claims, Outcome};
use crate::profile::Requirement;
use crate::report::Status;
use crate::ComplianceError;

/// The words of [`Status::AcceptedUnderLeadEmployer`] wherever a person reads them.
pub const LEAD_EMPLOYER_STATUS: &str = "Accepted under the lead employer arrangement";

/// How the host and the person's employers are arranged, beyond the placement itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Arrangement {
    /// The ODS code of the lead employer whose pre-employment checks the host accepts;
    /// `None`: every check is judged by the ordinary rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lead_employer: Option<String>,
}

impl Arrangement {
    /// The arrangement with `ods` as the lead employer.
    pub fn lead_employer(ods: &str) -> Arrangement {
        Arrangement {
            lead_employer: Some(ods.to_owned()),
        }
    }

    /// Refuses a lead employer that is not an ODS code (3 to 9 upper-case letters and digits,
    /// as the trust list has them), so a typing slip never matches nothing silently.
    pub fn validate(&self) -> Result<(), ComplianceError> {
        match &self.lead_employer {
            Some(ods)
                if !(3..=9).contains(&ods.len())
                    || !ods
                        .bytes()
                        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()) =>
            {
                Err(ComplianceError::LeadEmployer(ods.clone()))
            }
            _ => Ok(()),
        }
    }
}

/// Whether `requirement` is a pre-employment check the lead employer makes for its hosts
/// (see the module documentation for which and why).
pub fn is_pre_employment_check(requirement: &Requirement) -> bool {
    matches!(
        requirement,
        Requirement::Identity {}
            | Requirement::RightToWork {}
            | Requirement::Employment {}
            | Requirement::Dbs { .. }
            | Requirement::OccupationalHealth {}
    )
}

/// The outcome of one credential for one requirement under `arrangement`: the ordinary
/// `outcome`, or, for a pre-employment check the lead employer itself issued that passed on
/// its own terms, [`Status::AcceptedUnderLeadEmployer`] with the evidence date.
pub(crate) fn judge(
    arrangement: &Arrangement,
    requirement: &Requirement,
    outcome: Outcome,
    claims: &Claims<'_>,
) -> Outcome {
    let issued_by_lead = arrangement
        .lead_employer
        .as_deref()
        .is_some_and(|ods| ods == claims.0.issuer_ods);
    if !issued_by_lead || !is_pre_employment_check(requirement) {
        return outcome;
    }
    let dbs = matches!(requirement, Requirement::Dbs { .. });
    let passed = match outcome.status {
        Status::Met { .. } | Status::NotPortable { .. } => true,
        Status::ExpiresDuringPlacement { .. } => dbs,
        _ => false,
    };
    let date = outcome.evidence.as_ref().and_then(|e| e.date);
    let (true, Some(date)) = (passed, date) else {
        return outcome;
    };
    let mut note = outcome.note;
    if dbs && claims.flag("informationDisclosed") != Some(false) {
        let disclosed = "information was disclosed on the certificate: the lead employer's risk assessment applies; ask them for it if the post needs it";
        note = Some(match note {
            Some(n) => format!("{n}; {disclosed}"),
            None => disclosed.to_owned(),
        });
    }
    Outcome {
        status: Status::AcceptedUnderLeadEmployer {
            issuer: claims.0.issuer_ods.clone(),
            date,
        },
        evidence: outcome.evidence,
        note,
        order: outcome.order,
    }
}
