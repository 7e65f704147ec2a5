//! The Core Skills Training Framework: its eleven subjects and levels, and the receiving
//! trust's renewal periods.

use serde::{Deserialize, Serialize};

use crate::ComplianceError;

/// One CSTF subject as the framework defines it (DOMAIN.md, "Core Skills Training
/// Framework"): its name as ESR and the DSP `subjectName` write it, its levels with the
/// national refresher period of each, and the qualifiers (streams) a level may carry.
pub(crate) struct Subject {
    pub name: &'static str,
    /// `(level, national refresher in months)`.
    pub levels: &'static [(u8, u32)],
}

/// The resuscitation streams: the first word of the qualifier in an ESR name such as
/// `Resuscitation - Level 2 - Adult Basic Life Support - 1 Year` (`competencyName`
/// `Resuscitation Adult Basic Life Support`). A higher level satisfies a lower one only in
/// the same stream: adult immediate life support (level 3) covers adult basic life support
/// (level 2), not paediatric.
pub(crate) const RESUSCITATION_STREAMS: &[&str] = &["Adult", "Paediatric", "Newborn"];

/// The only subject whose levels 2 and 3 have streams.
pub(crate) const RESUSCITATION: &str = "Resuscitation";

/// The eleven subjects and the national refresher periods (DOMAIN.md lines 40-52). Level 1
/// of Preventing Radicalisation is "basic awareness" (ESR `Basic Prevent Awareness`, which
/// the DSP record stores as `subjectLevel` 1).
pub(crate) const SUBJECTS: &[Subject] = &[
    Subject {
        name: "Conflict Resolution",
        levels: &[(1, 36)],
    },
    Subject {
        name: "Equality, Diversity and Human Rights",
        levels: &[(1, 36)],
    },
    Subject {
        name: "Fire Safety",
        levels: &[(1, 24)],
    },
    Subject {
        name: "Health, Safety and Welfare",
        levels: &[(1, 36)],
    },
    Subject {
        name: "Infection Prevention and Control",
        levels: &[(1, 36), (2, 12)],
    },
    Subject {
        name: "Information Governance and Data Security",
        levels: &[(1, 12)],
    },
    Subject {
        name: "Moving and Handling",
        levels: &[(1, 36), (2, 24)],
    },
    Subject {
        name: "Preventing Radicalisation",
        levels: &[(1, 36), (3, 36)],
    },
    Subject {
        name: RESUSCITATION,
        levels: &[(1, 12), (2, 12), (3, 12)],
    },
    Subject {
        name: "Safeguarding Adults",
        levels: &[(1, 36), (2, 36), (3, 36)],
    },
    Subject {
        name: "Safeguarding Children",
        levels: &[(1, 36), (2, 36), (3, 36)],
    },
];

/// The subject of that name (exact, as the framework spells it).
pub(crate) fn subject(name: &str) -> Option<&'static Subject> {
    SUBJECTS.iter().find(|s| s.name == name)
}

/// Checks a subject, level and qualifier against the framework.
pub(crate) fn check(
    subject_name: &str,
    level: u8,
    qualifier: Option<&str>,
) -> Result<(), ComplianceError> {
    let found = subject(subject_name)
        .ok_or_else(|| ComplianceError::UnknownSubject(subject_name.to_owned()))?;
    if !found.levels.iter().any(|(l, _)| *l == level) {
        return Err(ComplianceError::UnknownLevel {
            subject: subject_name.to_owned(),
            level,
        });
    }
    if let Some(q) = qualifier {
        if subject_name != RESUSCITATION || level < 2 || !RESUSCITATION_STREAMS.contains(&q) {
            return Err(ComplianceError::UnknownQualifier {
                subject: subject_name.to_owned(),
                level,
                qualifier: q.to_owned(),
            });
        }
    }
    Ok(())
}

/// One renewal period: a CSTF subject at a level, renewed every `months` months.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Period {
    /// The subject, as the framework spells it: `Fire Safety`.
    pub subject: String,
    /// The level: `1` where the subject has no levels.
    pub level: u8,
    /// Months between awards: 1 to 120.
    pub months: u32,
}

/// The receiving trust's CSTF renewal periods (subject + level -> months).
///
/// Always complete: every subject and level of the framework has a period. JSON is a list
/// of [`Period`]s; entries left out keep the national default, so a trust's file lists only
/// what it changes: `[{"subject": "Fire Safety", "level": 1, "months": 12}]`. Every entry
/// is checked (known subject and level, 1 to 120 months, not given twice) on the way in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<Period>", into = "Vec<Period>")]
pub struct LocalPeriods {
    /// In framework order, one per subject and level.
    periods: Vec<Period>,
}

impl LocalPeriods {
    /// The national defaults of DOMAIN.md (the refresher column), in months.
    pub fn national_defaults() -> LocalPeriods {
        let periods = SUBJECTS
            .iter()
            .flat_map(|s| {
                s.levels.iter().map(|(level, months)| Period {
                    subject: s.name.to_owned(),
                    level: *level,
                    months: *months,
                })
            })
            .collect();
        LocalPeriods { periods }
    }

    /// National defaults overridden by a trust's JSON list of periods.
    pub fn from_json(json: &str) -> Result<LocalPeriods, ComplianceError> {
        serde_json::from_str(json).map_err(|e| ComplianceError::Json(e.to_string()))
    }

    /// The table as JSON (every subject and level).
    pub fn to_json(&self) -> Result<String, ComplianceError> {
        serde_json::to_string_pretty(self).map_err(|e| ComplianceError::Json(e.to_string()))
    }

    /// Sets one period, checked.
    pub fn set(&mut self, subject: &str, level: u8, months: u32) -> Result<(), ComplianceError> {
        check(subject, level, None)?;
        if !(1..=120).contains(&months) {
            return Err(ComplianceError::PeriodOutOfRange {
                subject: subject.to_owned(),
                level,
                months,
            });
        }
        if let Some(p) = self
            .periods
            .iter_mut()
            .find(|p| p.subject == subject && p.level == level)
        {
            p.months = months;
        }
        Ok(())
    }

    /// The period of a subject at a level, in months; `None` for a subject or level the
    /// framework does not have.
    pub fn months(&self, subject: &str, level: u8) -> Option<u32> {
        self.periods
            .iter()
            .find(|p| p.subject == subject && p.level == level)
            .map(|p| p.months)
    }

    /// Every period, in framework order.
    pub fn periods(&self) -> &[Period] {
        &self.periods
    }
}

impl TryFrom<Vec<Period>> for LocalPeriods {
    type Error = ComplianceError;

    fn try_from(overrides: Vec<Period>) -> Result<Self, Self::Error> {
        let mut table = LocalPeriods::national_defaults();
        for (i, p) in overrides.iter().enumerate() {
            if overrides[..i]
                .iter()
                .any(|q| q.subject == p.subject && q.level == p.level)
            {
                return Err(ComplianceError::DuplicatePeriod {
                    subject: p.subject.clone(),
                    level: p.level,
                });
            }
            table.set(&p.subject, p.level, p.months)?;
        }
        Ok(table)
    }
}

impl From<LocalPeriods> for Vec<Period> {
    fn from(table: LocalPeriods) -> Self {
        table.periods
    }
}
