//! The compliance report: one line per requirement, its JSON and its CSV for the ESR team.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::evaluate::Placement;
use crate::{date, ComplianceError};

/// The decision on one requirement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Status {
    /// Met for the whole placement. `issuer` is the ODS code of the credential's issuer;
    /// `date` the date of the evidence (award, check, assessment, start).
    Met {
        /// Issuer ODS code.
        issuer: String,
        /// Date of the evidence.
        #[serde(with = "date::iso")]
        date: Date,
    },
    /// Met at the start, but no longer from `on` (the first day it no longer counts), which
    /// falls inside the placement: renew before then.
    ExpiresDuringPlacement {
        /// First day not covered.
        #[serde(with = "date::iso")]
        on: Date,
    },
    /// Not met: nothing presented (`reason` is `None`), or what was presented expired
    /// before the start or is not sufficient (`reason` says which).
    Missing {
        /// Why, when something was presented.
        reason: Option<String>,
    },
    /// Presented, but a local check is needed (live register, DBS).
    NotPortable {
        /// Which check to make.
        reason: String,
    },
    /// A credential was presented but the claims that decide the requirement were withheld.
    NotShared {
        /// Which claims.
        reason: String,
    },
    /// A pre-employment check made by the lead employer named for the placement, accepted by
    /// the host without repeating it (see [`crate::lead_employer`]). `issuer` is the lead
    /// employer's ODS code; `date` the date of the check.
    AcceptedUnderLeadEmployer {
        /// The lead employer's ODS code.
        issuer: String,
        /// Date of the evidence.
        #[serde(with = "date::iso")]
        date: Date,
    },
}

impl Status {
    /// Lower-case words for people and the CSV: `expires during placement`.
    pub fn words(&self) -> &'static str {
        match self {
            Status::Met { .. } => "met",
            Status::ExpiresDuringPlacement { .. } => "expires during placement",
            Status::Missing { .. } => "missing",
            Status::NotPortable { .. } => "not portable",
            Status::NotShared { .. } => "not shared",
            Status::AcceptedUnderLeadEmployer { .. } => {
                "accepted under the lead employer arrangement"
            }
        }
    }

    /// How good an outcome is, for choosing the best of several credentials: a check met on
    /// its own terms first, then one accepted under the lead employer arrangement.
    pub(crate) fn rank(&self) -> u8 {
        match self {
            Status::Met { .. } => 6,
            Status::AcceptedUnderLeadEmployer { .. } => 5,
            Status::ExpiresDuringPlacement { .. } => 4,
            Status::NotPortable { .. } => 3,
            Status::NotShared { .. } => 2,
            Status::Missing { reason: Some(_) } => 1,
            Status::Missing { reason: None } => 0,
        }
    }
}

/// The credential a decision rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// The issuer identifier (`iss`).
    pub issuer: String,
    /// The issuer's ODS code.
    pub issuer_ods: String,
    /// The issuer's name.
    pub issuer_name: String,
    /// The date of the evidence, when it has one.
    #[serde(with = "date::iso_option")]
    pub date: Option<Date>,
    /// What the credential says, in one line, from the requested claims only.
    pub summary: String,
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportLine {
    /// The requirement as a person reads it.
    pub requirement: String,
    /// The requirement key (as in the request ids).
    pub key: String,
    /// The decision.
    pub status: Status,
    /// The credential the decision rests on; `None` when nothing usable was presented.
    pub evidence: Option<Evidence>,
    /// Anything the receiving team must still do or know (adjustments, likeness check).
    pub note: Option<String>,
}

/// Counts of each status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Number of requirements.
    pub total: usize,
    /// Met.
    pub met: usize,
    /// Expires during the placement.
    pub expires_during_placement: usize,
    /// Missing.
    pub missing: usize,
    /// Not portable.
    pub not_portable: usize,
    /// Not shared.
    pub not_shared: usize,
    /// Accepted under the lead employer arrangement.
    #[serde(default)]
    pub accepted_under_lead_employer: usize,
}

/// The compliance report for one person, profile and placement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// The profile id.
    pub profile: String,
    /// The placement evaluated.
    pub placement: Placement,
    /// The day of the evaluation.
    #[serde(with = "date::iso")]
    pub today: Date,
    /// One line per requirement, in profile order.
    pub lines: Vec<ReportLine>,
    /// Counts.
    pub summary: Summary,
    /// What the person declared about themselves (their wallet's self-declared credential),
    /// in a section of its own: declared by the person, not verified by anyone. Never counts
    /// towards a requirement. `None` when nothing self-declared was shared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_declared: Option<Vec<DeclaredItem>>,
    /// The ODS code of the lead employer whose pre-employment checks were accepted, when the
    /// placement is under the lead employer arrangement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lead_employer: Option<String>,
}

/// Heading of the report's self-declared section, wherever it is shown.
pub const SELF_DECLARED_HEADING: &str = "Declared by the person (not verified)";

/// One claim the person declared about themselves, as text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeclaredItem {
    /// The claim name (`preferredName`).
    pub claim: String,
    /// Its label (`Preferred name`).
    pub label: String,
    /// Its value as a person reads it.
    pub value: String,
}

impl Summary {
    /// The counts of `lines` (after a caller changed a line, recount with this).
    pub fn of(lines: &[ReportLine]) -> Summary {
        let mut s = Summary {
            total: lines.len(),
            ..Summary::default()
        };
        for line in lines {
            match line.status {
                Status::Met { .. } => s.met += 1,
                Status::ExpiresDuringPlacement { .. } => s.expires_during_placement += 1,
                Status::Missing { .. } => s.missing += 1,
                Status::NotPortable { .. } => s.not_portable += 1,
                Status::NotShared { .. } => s.not_shared += 1,
                Status::AcceptedUnderLeadEmployer { .. } => s.accepted_under_lead_employer += 1,
            }
        }
        s
    }
}

/// A cell safe to open in a spreadsheet: text starting with `=`, `+`, `-`, `@`, tab or
/// carriage return gets a leading `'` so it is never read as a formula.
fn cell(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_owned(),
    }
}

/// The same rule for every other CSV export (the rotation dashboard's): one place decides what
/// a spreadsheet could read as a formula.
pub fn spreadsheet_cell(text: &str) -> String {
    cell(text)
}

impl Report {
    /// CSV for the trust's ESR team, RFC 4180 (comma, CRLF, quotes doubled): a header
    /// `requirement,status,date,issuer_ods,detail`, then one row per requirement. `date` is
    /// the met (or accepted) date, the expiry for `expires during placement`, otherwise the
    /// evidence date if any; `detail` joins the reason, the evidence summary and the note with
    /// `; ` (a check accepted under the lead employer arrangement says who made it). Any
    /// self-declared details follow as rows of their own, status `declared by the person, not
    /// checked`, the value in `detail`.
    pub fn to_csv(&self) -> Result<String, ComplianceError> {
        let fail = |e: &dyn std::fmt::Display| ComplianceError::Csv(e.to_string());
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::new());
        writer
            .write_record(["requirement", "status", "date", "issuer_ods", "detail"])
            .map_err(|e| fail(&e))?;
        for line in &self.lines {
            let (date, reason) = match &line.status {
                Status::Met { date, .. } => (Some(*date), None),
                Status::ExpiresDuringPlacement { on } => (Some(*on), None),
                Status::Missing { reason } => (None, reason.as_deref()),
                Status::NotPortable { reason } | Status::NotShared { reason } => {
                    (None, Some(reason.as_str()))
                }
                Status::AcceptedUnderLeadEmployer { date, .. } => (Some(*date), None),
            };
            let made_by = match &line.status {
                Status::AcceptedUnderLeadEmployer { issuer, .. } => Some(format!(
                    "check made by the lead employer {issuer}, not repeated by the host"
                )),
                _ => None,
            };
            let reason = made_by.as_deref().or(reason);
            let date = date.or_else(|| line.evidence.as_ref().and_then(|e| e.date));
            let ods = line
                .evidence
                .as_ref()
                .map(|e| e.issuer_ods.as_str())
                .unwrap_or_default();
            let detail: Vec<&str> = [
                reason,
                line.evidence.as_ref().map(|e| e.summary.as_str()),
                line.note.as_deref(),
            ]
            .into_iter()
            .flatten()
            .filter(|s| !s.is_empty())
            .collect();
            writer
                .write_record([
                    cell(&line.requirement),
                    line.status.words().to_owned(),
                    date.map(date::format).unwrap_or_default(),
                    cell(ods),
                    cell(&detail.join("; ")),
                ])
                .map_err(|e| fail(&e))?;
        }
        // Self-declared details follow the requirements, each row saying it was not checked.
        for item in self.self_declared.iter().flatten() {
            writer
                .write_record([
                    cell(&format!("{SELF_DECLARED_HEADING}: {}", item.label)),
                    "declared by the person, not checked".to_owned(),
                    String::new(),
                    String::new(),
                    cell(&item.value),
                ])
                .map_err(|e| fail(&e))?;
        }
        let bytes = writer.into_inner().map_err(|e| fail(&e))?;
        String::from_utf8(bytes).map_err(|e| fail(&e))
    }

    /// The report as JSON.
    pub fn to_json(&self) -> Result<String, ComplianceError> {
        serde_json::to_string_pretty(self).map_err(|e| ComplianceError::Json(e.to_string()))
    }
}
