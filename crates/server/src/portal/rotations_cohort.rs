//! A changeover's cohort in figures: where each incoming doctor stands and the counts the
//! dashboard, its charts and its CSV show. Pure: the store's rows in, figures out.
//!
//! Where a doctor stands:
//! - **ready**: they shared and no requirement has a gap, or HR accepted their passport;
//! - **gaps**: they shared and a requirement is missing, was not shared, or runs out during
//!   the placement (or HR did not accept the passport);
//! - **declined**: their wallet said no, and nothing was shared since;
//! - **not responded**: nothing yet (the request is open, fetched, or expired unanswered).
//!
//! A requirement that needs a local check (`not portable`: the live GMC register, an Enhanced
//! DBS over 3 years old) is not a gap: the report lists the check and the receiving trust makes
//! it at every start. Those are counted apart, per requirement, as local checks.
//!
//! A doctor whose details were deleted (retention or erasure) is judged the same way from the
//! report's lines the store kept (`rotations_kept.rs`), so the changeover's figures stand; the
//! list and the CSV say "details deleted" where the names were.
use crate::ServerError;
use passport_compliance::spreadsheet_cell;
use passport_store::{CohortMember, RequestStatus};
use std::collections::BTreeMap;

/// Where one doctor stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Standing {
    Ready,
    Gaps,
    NotResponded,
    Declined,
}

impl Standing {
    pub const ALL: [Standing; 4] = [
        Standing::Ready,
        Standing::Gaps,
        Standing::NotResponded,
        Standing::Declined,
    ];

    /// The name in URLs and the CSV.
    pub fn as_str(self) -> &'static str {
        match self {
            Standing::Ready => "ready",
            Standing::Gaps => "gaps",
            Standing::NotResponded => "not-responded",
            Standing::Declined => "declined",
        }
    }

    pub fn parse(text: &str) -> Option<Standing> {
        Standing::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// How people read it.
    pub fn label(self) -> &'static str {
        match self {
            Standing::Ready => "Ready",
            Standing::Gaps => "With gaps",
            Standing::NotResponded => "Not responded",
            Standing::Declined => "Declined",
        }
    }
}

/// One requirement a doctor falls short on (or needs a local check for).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shortfall {
    pub key: String,
    pub requirement: String,
    /// `missing`, `not shared`, `expires during placement`, `not portable`, or `not accepted`.
    pub words: &'static str,
}

/// One doctor, judged.
#[derive(Debug, Clone)]
pub struct Judged<'a> {
    pub member: &'a CohortMember,
    pub standing: Standing,
    /// Empty unless `standing` is `Gaps`.
    pub gaps: Vec<Shortfall>,
    /// Requirements needing a local check (any standing with a report).
    pub local_checks: Vec<Shortfall>,
}

/// The key of HR's "not accepted" when it is the only shortfall.
pub const NOT_ACCEPTED_KEY: &str = "decision";

/// The key of the shortfall of an answered, undecided doctor whose report was deleted before
/// its lines could be kept (rows purged before migration 0011).
pub const REPORT_DELETED_KEY: &str = "report-deleted";

/// Status words (`Status::words`) that make a gap: missing, not shared, or running out during
/// the placement.
const GAP_WORDS: [&str; 3] = ["missing", "not shared", "expires during placement"];

/// Status words of a requirement that needs a local check, not a gap.
const LOCAL_CHECK_WORDS: &str = "not portable";

/// Where `member` stands. A stored report that cannot be read is a server fault.
pub fn judge(member: &CohortMember) -> Result<Judged<'_>, ServerError> {
    let mut judged = Judged {
        member,
        standing: Standing::NotResponded,
        gaps: Vec::new(),
        local_checks: Vec::new(),
    };
    match member.status {
        RequestStatus::Open | RequestStatus::Fetched => return Ok(judged),
        RequestStatus::Declined => {
            judged.standing = Standing::Declined;
            return Ok(judged);
        }
        RequestStatus::Responded => {}
    }
    let mut gaps = Vec::new();
    match super::rotations_kept::lines(member)? {
        Some(lines) => {
            for line in lines {
                let words = line.words;
                let short = Shortfall {
                    key: line.key,
                    requirement: line.requirement,
                    words,
                };
                if GAP_WORDS.contains(&words) {
                    gaps.push(short);
                } else if words == LOCAL_CHECK_WORDS {
                    judged.local_checks.push(short);
                }
            }
        }
        // Deleted before anything of the report was kept: only HR's decision is known.
        None if member.decision.is_none() => gaps.push(Shortfall {
            key: REPORT_DELETED_KEY.into(),
            requirement: "Report deleted before its figures were kept".into(),
            words: super::rotations_kept::UNKNOWN_WORDS,
        }),
        None => {}
    }
    match member.decision.as_deref() {
        Some("accepted") => judged.standing = Standing::Ready,
        Some(_) => {
            if gaps.is_empty() {
                gaps.push(Shortfall {
                    key: NOT_ACCEPTED_KEY.into(),
                    requirement: "Passport not accepted by the trust".into(),
                    words: "not accepted",
                });
            }
            judged.standing = Standing::Gaps;
            judged.gaps = gaps;
        }
        None if gaps.is_empty() => judged.standing = Standing::Ready,
        None => {
            judged.standing = Standing::Gaps;
            judged.gaps = gaps;
        }
    }
    Ok(judged)
}

/// Doctors in each standing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub ready: usize,
    pub gaps: usize,
    pub not_responded: usize,
    pub declined: usize,
}

impl Counts {
    fn add(&mut self, s: Standing) {
        *self.slot(s) += 1;
    }

    fn slot(&mut self, s: Standing) -> &mut usize {
        match s {
            Standing::Ready => &mut self.ready,
            Standing::Gaps => &mut self.gaps,
            Standing::NotResponded => &mut self.not_responded,
            Standing::Declined => &mut self.declined,
        }
    }

    pub fn of(self, s: Standing) -> usize {
        match s {
            Standing::Ready => self.ready,
            Standing::Gaps => self.gaps,
            Standing::NotResponded => self.not_responded,
            Standing::Declined => self.declined,
        }
    }

    pub fn total(self) -> usize {
        self.ready + self.gaps + self.not_responded + self.declined
    }
}

/// A requirement and how many doctors fall short on it (or need its local check).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PerRequirement {
    pub key: String,
    pub requirement: String,
    pub doctors: usize,
    /// By status words (`missing`...).
    pub by_status: BTreeMap<&'static str, usize>,
}

/// A group of the cohort (a specialty, a site, a start date) and its counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// What the group is filtered by (the specialty, site code or date itself).
    pub key: String,
    /// How people read it (`R0A01 Eastbridge General Hospital`).
    pub label: String,
    pub counts: Counts,
}

/// Everything the dashboard shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Figures {
    pub totals: Counts,
    /// Doctors with gaps, per requirement: most first.
    pub gaps: Vec<PerRequirement>,
    /// Local checks needed, per requirement: most first.
    pub local_checks: Vec<PerRequirement>,
    pub by_specialty: Vec<Group>,
    pub by_site: Vec<Group>,
    pub by_start: Vec<Group>,
}

fn per_requirement<'a>(items: impl Iterator<Item = &'a Shortfall>) -> Vec<PerRequirement> {
    let mut map: BTreeMap<&str, PerRequirement> = BTreeMap::new();
    for s in items {
        let entry = map.entry(&s.key).or_insert_with(|| PerRequirement {
            key: s.key.clone(),
            requirement: s.requirement.clone(),
            doctors: 0,
            by_status: BTreeMap::new(),
        });
        entry.doctors += 1;
        *entry.by_status.entry(s.words).or_default() += 1;
    }
    let mut out: Vec<PerRequirement> = map.into_values().collect();
    out.sort_by(|a, b| {
        b.doctors
            .cmp(&a.doctors)
            .then(a.requirement.cmp(&b.requirement))
    });
    out
}

fn groups(judged: &[Judged<'_>], key: impl Fn(&CohortMember) -> (String, String)) -> Vec<Group> {
    let mut map: BTreeMap<String, Group> = BTreeMap::new();
    for j in judged {
        let (k, label) = key(j.member);
        map.entry(k.clone())
            .or_insert_with(|| Group {
                key: k,
                label,
                counts: Counts::default(),
            })
            .counts
            .add(j.standing);
    }
    map.into_values().collect()
}

/// The site as people read it: its code, and its name when the list gave one.
pub fn site_label(m: &CohortMember) -> String {
    match &m.site_name {
        Some(name) => format!("{} {name}", m.site_code),
        None => m.site_code.clone(),
    }
}

pub fn figures(judged: &[Judged<'_>]) -> Figures {
    let mut totals = Counts::default();
    for j in judged {
        totals.add(j.standing);
    }
    Figures {
        totals,
        gaps: per_requirement(judged.iter().flat_map(|j| &j.gaps)),
        local_checks: per_requirement(judged.iter().flat_map(|j| &j.local_checks)),
        by_specialty: groups(judged, |m| (m.specialty.clone(), m.specialty.clone())),
        by_site: groups(judged, |m| (m.site_code.clone(), site_label(m))),
        by_start: groups(judged, |m| {
            (m.start_date.clone(), super::html::claim_date(&m.start_date))
        }),
    }
}

/// Which doctors a drill-down shows: every given part must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub standing: Option<Standing>,
    pub specialty: Option<String>,
    pub site: Option<String>,
    pub start: Option<String>,
    /// A requirement key the doctor has a gap on.
    pub gap: Option<String>,
}

impl Filter {
    pub fn matches(&self, j: &Judged<'_>) -> bool {
        let m = j.member;
        self.standing.is_none_or(|s| s == j.standing)
            && self.specialty.as_ref().is_none_or(|s| *s == m.specialty)
            && self.site.as_ref().is_none_or(|s| *s == m.site_code)
            && self.start.as_ref().is_none_or(|s| *s == m.start_date)
            && self
                .gap
                .as_ref()
                .is_none_or(|g| j.gaps.iter().any(|s| s.key == *g))
    }

    pub fn is_empty(&self) -> bool {
        *self == Filter::default()
    }
}

/// What the `details` column says: empty while the doctor's details are held.
pub const DETAILS_DELETED: &str = "details deleted";

fn details_cell(m: &CohortMember) -> &'static str {
    match m.purged_at {
        Some(_) => DETAILS_DELETED,
        None => "",
    }
}

/// The cohort as CSV (RFC 4180, CRLF), one row per doctor in list order, every text cell
/// spreadsheet-safe.
pub fn to_csv(judged: &[Judged<'_>]) -> Result<String, ServerError> {
    let fail = |e: &dyn std::fmt::Display| ServerError::Internal(format!("CSV: {e}"));
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    w.write_record([
        "gmc_number",
        "forenames",
        "surname",
        "email",
        "grade",
        "specialty",
        "site_code",
        "site_name",
        "start_date",
        "end_date",
        "role_profile",
        "standing",
        "gaps",
        "local_checks",
        "decision",
        "reminders",
        "request_id",
        "details",
    ])
    .map_err(|e| fail(&e))?;
    let join = |items: &[Shortfall]| {
        items
            .iter()
            .map(|s| format!("{} ({})", s.requirement, s.words))
            .collect::<Vec<_>>()
            .join("; ")
    };
    for j in judged {
        let m = j.member;
        w.write_record([
            spreadsheet_cell(&m.gmc_number),
            spreadsheet_cell(&m.forenames),
            spreadsheet_cell(&m.surname),
            spreadsheet_cell(&m.email),
            spreadsheet_cell(&m.grade),
            spreadsheet_cell(&m.specialty),
            spreadsheet_cell(&m.site_code),
            spreadsheet_cell(m.site_name.as_deref().unwrap_or("")),
            spreadsheet_cell(&m.start_date),
            spreadsheet_cell(&m.end_date),
            spreadsheet_cell(&m.role_profile),
            j.standing.as_str().to_string(),
            spreadsheet_cell(&join(&j.gaps)),
            spreadsheet_cell(&join(&j.local_checks)),
            spreadsheet_cell(m.decision.as_deref().unwrap_or("")),
            m.reminders.to_string(),
            spreadsheet_cell(&m.request_id),
            details_cell(m).to_string(),
        ])
        .map_err(|e| fail(&e))?;
    }
    let bytes = w.into_inner().map_err(|e| fail(&e))?;
    String::from_utf8(bytes).map_err(|e| fail(&e))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
#[path = "rotations_cohort_tests.rs"]
mod tests;
