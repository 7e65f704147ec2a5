//! Deciding each requirement of a profile from verified credentials.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::Date;

use crate::lead_employer::{self, Arrangement};
use crate::profile::RoleProfile;
use crate::report::{Evidence, Report, ReportLine, Status, Summary};
use crate::request::{needed_claims, type_slug, vct};
use crate::{date, rules, ComplianceError, LocalPeriods};

/// What kind of move the placement is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlacementKind {
    /// A rotation of a doctor in training (or a rotational post): the current NHS
    /// assignment normally ends as this one starts.
    Rotation,
    /// A temporary mover on an honorary contract: the substantive employer stays.
    HonoraryContract,
    /// A temporary mover on secondment: the substantive employer stays.
    Secondment,
    /// A temporary mover attending under a licence to attend (e.g. to observe or train): the
    /// substantive employer stays.
    LicenceToAttend,
    /// Shifts at another trust of the same collaborative staff bank: the substantive employer
    /// stays.
    CollaborativeBank,
}

impl PlacementKind {
    /// Every kind, in the order forms list them.
    pub const ALL: [PlacementKind; 5] = [
        PlacementKind::Rotation,
        PlacementKind::HonoraryContract,
        PlacementKind::Secondment,
        PlacementKind::LicenceToAttend,
        PlacementKind::CollaborativeBank,
    ];

    /// The stored and serialised name: `honorary_contract`.
    pub fn as_str(self) -> &'static str {
        match self {
            PlacementKind::Rotation => "rotation",
            PlacementKind::HonoraryContract => "honorary_contract",
            PlacementKind::Secondment => "secondment",
            PlacementKind::LicenceToAttend => "licence_to_attend",
            PlacementKind::CollaborativeBank => "collaborative_bank",
        }
    }

    /// The kind named exactly `text` (as [`PlacementKind::as_str`] spells it).
    pub fn parse(text: &str) -> Option<PlacementKind> {
        PlacementKind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// The placement the person is coming for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Placement {
    /// First day.
    #[serde(with = "date::iso")]
    pub start: Date,
    /// Last day.
    #[serde(with = "date::iso")]
    pub end: Date,
    /// The kind of move.
    pub kind: PlacementKind,
}

/// One verified credential, as the presentation verifier gives it: type, issuer and the
/// disclosed claims (catalogue names; withheld claims are simply absent).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Presented {
    /// The credential type.
    pub vct: String,
    /// Issuer identifier.
    pub iss: String,
    /// Issuer ODS code (from the trust list).
    pub issuer_ods: String,
    /// Issuer name (from the trust list).
    pub issuer_name: String,
    /// Disclosed claims.
    pub claims: Map<String, Value>,
}

/// What one credential says about one requirement.
pub(crate) struct Outcome {
    pub status: Status,
    pub evidence: Option<Evidence>,
    pub note: Option<String>,
    /// Among outcomes of the same status, the later wins (lapse or award date).
    pub order: Option<Date>,
}

/// Everything a rule needs besides the credential.
pub(crate) struct Context<'a> {
    pub profile: &'a RoleProfile,
    pub periods: &'a LocalPeriods,
    pub placement: &'a Placement,
    pub today: Date,
    /// The first day that must be covered: the later of the placement start and today.
    pub from: Date,
}

impl Context<'_> {
    /// The status for evidence that counts until the day before `lapse` (`None`: no end).
    /// `lapsed` comes before the date in a reason: `expired on`, `no permission to work
    /// from`.
    pub(crate) fn window(&self, lapse: Option<Date>, met: Status, lapsed: &str) -> Status {
        match lapse {
            Some(lapse) if lapse <= self.from => {
                let when = if lapse <= self.today {
                    format!("{lapsed} {}", date::format(lapse))
                } else {
                    format!(
                        "{lapsed} {}, before the placement starts on {}",
                        date::format(lapse),
                        date::format(self.placement.start)
                    )
                };
                Status::Missing { reason: Some(when) }
            }
            Some(lapse) if lapse <= self.placement.end => {
                Status::ExpiresDuringPlacement { on: lapse }
            }
            _ => met,
        }
    }
}

/// Reading the disclosed claims of one credential.
pub(crate) struct Claims<'a>(pub &'a Presented);

impl<'a> Claims<'a> {
    pub(crate) fn text(&self, name: &str) -> Option<&'a str> {
        self.0.claims.get(name).and_then(Value::as_str)
    }

    pub(crate) fn flag(&self, name: &str) -> Option<bool> {
        self.0.claims.get(name).and_then(Value::as_bool)
    }

    /// A date claim: `Ok(None)` when absent, `Err` (a reason) when present but not a date.
    pub(crate) fn date(&self, name: &str) -> Result<Option<Date>, String> {
        match self.0.claims.get(name) {
            None => Ok(None),
            Some(value) => value
                .as_str()
                .and_then(date::parse)
                .map(Some)
                .ok_or_else(|| format!("{name} is not a date (YYYY-MM-DD)")),
        }
    }

    /// The named claims that were not disclosed.
    pub(crate) fn absent(&self, names: &[&str]) -> Vec<String> {
        names
            .iter()
            .filter(|n| !self.0.claims.contains_key(**n))
            .map(|n| (*n).to_owned())
            .collect()
    }

    pub(crate) fn evidence(&self, date: Option<Date>, summary: String) -> Evidence {
        Evidence {
            issuer: self.0.iss.clone(),
            issuer_ods: self.0.issuer_ods.clone(),
            issuer_name: self.0.issuer_name.clone(),
            date,
            summary,
        }
    }

    pub(crate) fn met(&self, date: Date) -> Status {
        Status::Met {
            issuer: self.0.issuer_ods.clone(),
            date,
        }
    }

    /// `Missing` with a reason, resting on this credential.
    pub(crate) fn missing(&self, reason: String, summary: String) -> Outcome {
        Outcome {
            status: Status::Missing {
                reason: Some(reason),
            },
            evidence: Some(self.evidence(None, summary)),
            note: None,
            order: None,
        }
    }

    /// `NotShared` when any of `names` was withheld.
    pub(crate) fn withheld(&self, names: &[&str]) -> Option<Outcome> {
        let absent = self.absent(names);
        (!absent.is_empty()).then(|| Outcome {
            status: Status::NotShared {
                reason: format!(
                    "a credential from {} was shared without {}: ask the person to share them",
                    self.0.issuer_name,
                    absent.join(", ")
                ),
            },
            evidence: Some(self.evidence(None, "claims withheld".to_owned())),
            note: None,
            order: None,
        })
    }
}

/// The best outcome: highest status rank, then the latest `order`; the first presented on
/// a tie. `None` when there is none.
pub(crate) fn best(outcomes: impl IntoIterator<Item = Outcome>) -> Option<Outcome> {
    outcomes
        .into_iter()
        .fold(None, |kept: Option<Outcome>, next| match kept {
            Some(k) if (k.status.rank(), k.order) >= (next.status.rank(), next.order) => Some(k),
            _ => Some(next),
        })
}

/// Decides every requirement of `profile` for `placement` from the verified credentials
/// `presented`, on `today`, with no arrangement between employers ([`evaluate_with`]).
pub fn evaluate(
    profile: &RoleProfile,
    periods: &LocalPeriods,
    placement: &Placement,
    presented: &[Presented],
    today: Date,
) -> Result<Report, ComplianceError> {
    evaluate_with(
        profile,
        periods,
        placement,
        presented,
        today,
        &Arrangement::default(),
    )
}

/// Decides every requirement of `profile` for `placement` from the verified credentials
/// `presented`, on `today`, under `arrangement` (a lead employer whose pre-employment checks
/// the host accepts: see [`crate::lead_employer`]).
///
/// Only credentials of a type the requirement asks for are looked at; others (including
/// the OH-only detail types, which are for the OH team's own review) are ignored. Lines come
/// in profile order. The first day that must be covered is the later of the placement start
/// and `today`. Errors: an invalid profile, a placement that ends before it starts, or a lead
/// employer that is not an ODS code.
pub fn evaluate_with(
    profile: &RoleProfile,
    periods: &LocalPeriods,
    placement: &Placement,
    presented: &[Presented],
    today: Date,
    arrangement: &Arrangement,
) -> Result<Report, ComplianceError> {
    profile.validate()?;
    arrangement.validate()?;
    if placement.end < placement.start {
        return Err(ComplianceError::PlacementDates {
            start: date::format(placement.start),
            end: date::format(placement.end),
        });
    }
    let ctx = Context {
        profile,
        periods,
        placement,
        today,
        from: placement.start.max(today),
    };
    let lines: Vec<ReportLine> = profile
        .requirements
        .iter()
        .map(|requirement| {
            let wanted = vct(type_slug(requirement));
            let needed = needed_claims(requirement, profile);
            let outcomes = presented
                .iter()
                .filter(|p| p.vct == wanted)
                .filter_map(|p| {
                    let outcome = rules::decide(requirement, &ctx, &Claims(p), &needed)?;
                    Some(lead_employer::judge(
                        arrangement,
                        requirement,
                        outcome,
                        &Claims(p),
                    ))
                });
            let outcome = best(outcomes).unwrap_or(Outcome {
                status: Status::Missing { reason: None },
                evidence: None,
                note: None,
                order: None,
            });
            ReportLine {
                requirement: requirement.label(profile.exposure_prone),
                key: requirement.key(),
                status: outcome.status,
                evidence: outcome.evidence,
                note: outcome.note,
            }
        })
        .collect();
    let summary = Summary::of(&lines);
    Ok(Report {
        profile: profile.id.clone(),
        placement: placement.clone(),
        today,
        lines,
        summary,
        self_declared: None,
        lead_employer: arrangement.lead_employer.clone(),
    })
}
