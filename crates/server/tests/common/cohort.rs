//! A synthetic cohort of doctors in training rotating into R0A: the changeover of
//! `passport_server::demo::changeover` (their records at three issuing trusts and at NHS
//! England, the receiving trust's rotation list), with a plan for each doctor: share everything,
//! share with a CSTF subject missing or expired, decline, or never answer. Dates are relative to
//! today, as Amara's are, so the outcome never drifts.
#![allow(dead_code, clippy::unwrap_used)]
use super::{import, TestServer};
use passport_server::demo::changeover::{self, Award, FOUNDATION_SUBJECTS, SUBJECTS};
use std::ops::Deref;

pub use changeover::{third_trust, RECEIVING};
pub const PROFILE: &str = changeover::PROFILE;
/// The requirement keys the two kinds of gap fall on.
pub const SAFEGUARDING_CHILDREN: &str = "cstf_safeguarding_children_l2";
pub const INFORMATION_GOVERNANCE: &str = "cstf_information_governance_and_data_security_l1";

/// What the doctor does with their invitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Plan {
    /// Shares everything: every requirement met (registration needs its local check).
    Full,
    /// Shares, but holds no Safeguarding Children training.
    MissingCstf,
    /// Shares, but their Information Governance training expired before the start.
    ExpiredCstf,
    /// Opens the request and declines.
    Decline,
    /// Never answers.
    Never,
}

impl Plan {
    pub fn answers(self) -> bool {
        matches!(self, Plan::Full | Plan::MissingCstf | Plan::ExpiredCstf)
    }

    /// The dashboard's standing for this plan once carried out.
    pub fn standing(self) -> &'static str {
        match self {
            Plan::Full => "ready",
            Plan::MissingCstf | Plan::ExpiredCstf => "gaps",
            Plan::Decline => "declined",
            Plan::Never => "not-responded",
        }
    }

    /// The foundation profile's eleven subjects, one taken away or made expired as planned.
    fn awards(self) -> Vec<Award> {
        SUBJECTS[..FOUNDATION_SUBJECTS]
            .iter()
            .filter(|(name, _)| {
                !(self == Plan::MissingCstf && name.contains("Safeguarding Children"))
            })
            .map(|&(name, offset)| {
                if self == Plan::ExpiredCstf && name.contains("Information Governance") {
                    (name, -13 * 31)
                } else {
                    (name, offset)
                }
            })
            .collect()
    }
}

/// A doctor of the changeover and what they will do.
#[derive(Debug, Clone)]
pub struct Doctor {
    pub doctor: changeover::Doctor,
    pub plan: Plan,
}

impl Deref for Doctor {
    type Target = changeover::Doctor;
    fn deref(&self) -> &changeover::Doctor {
        &self.doctor
    }
}

/// `count` doctors. Of every ten: six share everything, one lacks a subject, one has one
/// expired, one declines, one never answers. Two start dates, a week apart.
pub fn cohort(count: usize) -> Vec<Doctor> {
    (0..count)
        .map(|n| Doctor {
            doctor: changeover::doctor(n),
            plan: match n % 10 {
                9 => Plan::Never,
                8 => Plan::Decline,
                7 => Plan::MissingCstf,
                6 => Plan::ExpiredCstf,
                _ => Plan::Full,
            },
        })
        .collect()
}

/// The receiving trust's rotation list.
pub fn rotation_csv(doctors: &[Doctor]) -> String {
    changeover::rotation_csv(doctors.iter().map(|d| &d.doctor))
}

/// Every doctor's records, at their trust and at NHS England, with the training their plan
/// says.
pub async fn import_records(server: &TestServer, doctors: &[Doctor]) {
    let plans: std::collections::HashMap<usize, Plan> =
        doctors.iter().map(|d| (d.n, d.plan)).collect();
    let all: Vec<&changeover::Doctor> = doctors.iter().map(|d| &d.doctor).collect();
    let awards = |d: &changeover::Doctor| plans[&d.n].awards();
    for f in changeover::record_files(&all, &awards) {
        import(server, &f.org, f.kind, &f.text).await;
    }
}
