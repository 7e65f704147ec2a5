//! ESR competence names: `NHS|CSTF|<subject> - Level <n> - <qualifier> - <period>|`.
//!
//! The national naming convention (Skills for Health, "CSTF naming conventions:
//! competencies on ESR") packs subject, level, qualifier and renewal period into one string.
//! The DSP `CoreSkillsTraining` record wants them apart, with `competencyName` = the subject
//! joined with the qualifier (`Resuscitation Adult Basic Life Support`).

use serde::{Deserialize, Serialize};

use crate::RecordsError;

/// The parts of an ESR national competence name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CompetenceName {
    /// `CSTF` (Core Skills Training Framework) or `MAND` (mandatory, outside the CSTF).
    pub framework: String,
    /// The part before the level: `Resuscitation`.
    pub subject: String,
    /// `2` for `Level 2`; `1` when the name has no level (the DSP convention).
    pub level: String,
    /// The part between level and period, if any: `Adult Basic Life Support`,
    /// `Basic Prevent Awareness`, `Tier 1`.
    pub qualifier: Option<String>,
    /// Subject and qualifier joined by a space: `Resuscitation Adult Basic Life Support`.
    pub competency_name: String,
    /// The renewal period's number: `2` for `2 Years`. At least 1.
    pub renewal_number: u32,
    /// `Year`, `Years`, `Month` or `Months`, as written.
    pub renewal_units: String,
}

impl CompetenceName {
    /// The renewal period as written in the name: `2 Years`.
    pub fn renewal_period(&self) -> String {
        format!("{} {}", self.renewal_number, self.renewal_units)
    }
}

const UNITS: [&str; 4] = ["Year", "Years", "Month", "Months"];

/// Splits an ESR national competence name into its parts.
///
/// `NHS|CSTF|Fire Safety - 2 Years|` gives subject `Fire Safety`, level `1`, no qualifier,
/// period 2 Years. The framework must be `CSTF` or `MAND`, the name must end in `|`, the
/// parts are separated by ` - `, the last part is a period of at least one year or month,
/// and `Level <n>` (if present) comes straight after the subject.
pub fn parse_competence_name(name: &str) -> Result<CompetenceName, RecordsError> {
    let fail = |reason: &str| RecordsError::CompetenceName {
        name: name.to_owned(),
        reason: reason.to_owned(),
    };
    let inner = name
        .trim()
        .strip_prefix("NHS|")
        .ok_or_else(|| fail("does not start with NHS|"))?;
    let inner = inner
        .strip_suffix('|')
        .ok_or_else(|| fail("does not end with |"))?;
    let (framework, body) = inner
        .split_once('|')
        .ok_or_else(|| fail("has no | between the framework and the subject"))?;
    if body.contains('|') {
        return Err(fail("has too many | separators"));
    }
    if framework != "CSTF" && framework != "MAND" {
        return Err(fail("has a framework other than CSTF or MAND"));
    }
    let parts: Vec<&str> = body.split(" - ").map(str::trim).collect();
    if parts.iter().any(|p| p.is_empty()) {
        return Err(fail("has an empty part between ' - ' separators"));
    }
    let [subject, middle @ .., period] = parts.as_slice() else {
        return Err(fail(if parts.iter().any(|p| parse_period(p).is_some()) {
            "has no subject"
        } else {
            "has no renewal period (e.g. ' - 3 Years')"
        }));
    };
    let (renewal_number, renewal_units) = parse_period(period).ok_or_else(|| {
        fail("does not end with a renewal period of at least 1 Year(s) or Month(s), e.g. '3 Years'")
    })?;
    let (level, rest) = match middle.split_first() {
        Some((first, rest)) if is_level(first) => (
            level_of(first).ok_or_else(|| fail("has a level that is not 'Level <number>'"))?,
            rest,
        ),
        _ => ("1".to_owned(), middle),
    };
    if rest.iter().any(|p| is_level(p)) {
        return Err(fail("has a level that does not follow the subject"));
    }
    let qualifier = (!rest.is_empty()).then(|| rest.join(" - "));
    let competency_name = match &qualifier {
        Some(q) => format!("{subject} {q}"),
        None => (*subject).to_owned(),
    };
    if competency_name.chars().count() > 200 || level.len() > 40 {
        return Err(fail("is too long"));
    }
    Ok(CompetenceName {
        framework: framework.to_owned(),
        subject: (*subject).to_owned(),
        level,
        qualifier,
        competency_name,
        renewal_number,
        renewal_units,
    })
}

/// `3 Years` -> (3, "Years"); the number at least 1, no leading zero.
fn parse_period(text: &str) -> Option<(u32, String)> {
    let (number, unit) = text.split_once(' ')?;
    let unit = UNITS.iter().find(|u| u.eq_ignore_ascii_case(unit))?;
    if number.starts_with('0') || !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let number: u32 = number.parse().ok()?;
    Some((number, (*unit).to_owned()))
}

/// Whether a part is meant as a level: `Level 2`, or a bare `Level`.
fn is_level(part: &str) -> bool {
    part == "Level" || part.starts_with("Level ")
}

/// `Level 2` -> `2`.
fn level_of(text: &str) -> Option<String> {
    let level = text.strip_prefix("Level ")?.trim();
    (!level.is_empty() && level.chars().all(|c| c.is_ascii_alphanumeric()))
        .then(|| level.to_owned())
}

/// A local skill name: `<ODS>|SKILL|<skill>|`, e.g. `RHQ|SKILL|Venepuncture|`. Returns the
/// awarding organisation's ODS code and the skill name.
pub(crate) fn parse_local_skill(name: &str) -> Option<(String, String)> {
    let inner = name.trim().strip_suffix('|')?;
    let mut parts = inner.split('|');
    let (ods, kind, skill) = (parts.next()?, parts.next()?, parts.next()?);
    let ods_ok = (3..=6).contains(&ods.len())
        && ods
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    let skill = skill.trim();
    (parts.next().is_none()
        && ods_ok
        && kind == "SKILL"
        && !skill.is_empty()
        && skill.chars().count() <= 200)
        .then(|| (ods.to_owned(), skill.to_owned()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn parts(name: &str) -> (String, String, String, Option<String>, String, u32, String) {
        let c = parse_competence_name(name).unwrap();
        (
            c.framework,
            c.subject,
            c.level,
            c.qualifier,
            c.competency_name,
            c.renewal_number,
            c.renewal_units,
        )
    }

    #[test]
    fn every_cstf_subject_and_its_levels() {
        type Case<'a> = (
            &'a str,
            &'a str,
            &'a str,
            Option<&'a str>,
            &'a str,
            u32,
            &'a str,
        );
        let cases: &[Case] = &[
            (
                "NHS|CSTF|Conflict Resolution - 3 Years|",
                "Conflict Resolution",
                "1",
                None,
                "Conflict Resolution",
                3,
                "Years",
            ),
            (
                "NHS|CSTF|Equality, Diversity and Human Rights - 3 Years|",
                "Equality, Diversity and Human Rights",
                "1",
                None,
                "Equality, Diversity and Human Rights",
                3,
                "Years",
            ),
            (
                "NHS|CSTF|Fire Safety - 2 Years|",
                "Fire Safety",
                "1",
                None,
                "Fire Safety",
                2,
                "Years",
            ),
            (
                "NHS|CSTF|Health, Safety and Welfare - 3 Years|",
                "Health, Safety and Welfare",
                "1",
                None,
                "Health, Safety and Welfare",
                3,
                "Years",
            ),
            (
                "NHS|CSTF|Infection Prevention and Control - Level 1 - 3 Years|",
                "Infection Prevention and Control",
                "1",
                None,
                "Infection Prevention and Control",
                3,
                "Years",
            ),
            (
                "NHS|CSTF|Infection Prevention and Control - Level 2 - 1 Year|",
                "Infection Prevention and Control",
                "2",
                None,
                "Infection Prevention and Control",
                1,
                "Year",
            ),
            (
                "NHS|CSTF|Information Governance and Data Security - 1 Year|",
                "Information Governance and Data Security",
                "1",
                None,
                "Information Governance and Data Security",
                1,
                "Year",
            ),
            (
                "NHS|CSTF|Moving and Handling - Level 1 - 3 Years|",
                "Moving and Handling",
                "1",
                None,
                "Moving and Handling",
                3,
                "Years",
            ),
            (
                "NHS|CSTF|Moving and Handling - Level 2 - 2 Years|",
                "Moving and Handling",
                "2",
                None,
                "Moving and Handling",
                2,
                "Years",
            ),
            (
                "NHS|CSTF|Preventing Radicalisation - Basic Prevent Awareness - 3 Years|",
                "Preventing Radicalisation",
                "1",
                Some("Basic Prevent Awareness"),
                "Preventing Radicalisation Basic Prevent Awareness",
                3,
                "Years",
            ),
            (
                "NHS|CSTF|Preventing Radicalisation - Level 3 - 3 Years|",
                "Preventing Radicalisation",
                "3",
                None,
                "Preventing Radicalisation",
                3,
                "Years",
            ),
            (
                "NHS|CSTF|Resuscitation - Level 1 - 1 Year|",
                "Resuscitation",
                "1",
                None,
                "Resuscitation",
                1,
                "Year",
            ),
            (
                "NHS|CSTF|Resuscitation - Level 2 - Adult Basic Life Support - 1 Year|",
                "Resuscitation",
                "2",
                Some("Adult Basic Life Support"),
                "Resuscitation Adult Basic Life Support",
                1,
                "Year",
            ),
            (
                "NHS|CSTF|Resuscitation - Level 2 - Paediatric Basic Life Support - 1 Year|",
                "Resuscitation",
                "2",
                Some("Paediatric Basic Life Support"),
                "Resuscitation Paediatric Basic Life Support",
                1,
                "Year",
            ),
            (
                "NHS|CSTF|Resuscitation - Level 2 - Newborn Life Support - 1 Year|",
                "Resuscitation",
                "2",
                Some("Newborn Life Support"),
                "Resuscitation Newborn Life Support",
                1,
                "Year",
            ),
            (
                "NHS|CSTF|Resuscitation - Level 3 - Adult Immediate Life Support - 1 Year|",
                "Resuscitation",
                "3",
                Some("Adult Immediate Life Support"),
                "Resuscitation Adult Immediate Life Support",
                1,
                "Year",
            ),
            (
                "NHS|CSTF|Safeguarding Adults - Level 1 - 3 Years|",
                "Safeguarding Adults",
                "1",
                None,
                "Safeguarding Adults",
                3,
                "Years",
            ),
            (
                "NHS|CSTF|Safeguarding Adults - Level 2 - 3 Years|",
                "Safeguarding Adults",
                "2",
                None,
                "Safeguarding Adults",
                3,
                "Years",
            ),
            (
                "NHS|CSTF|Safeguarding Children - Level 3 - 3 Years|",
                "Safeguarding Children",
                "3",
                None,
                "Safeguarding Children",
                3,
                "Years",
            ),
            (
                "NHS|MAND|Oliver McGowan Mandatory Training - Tier 1 - 3 Years|",
                "Oliver McGowan Mandatory Training",
                "1",
                Some("Tier 1"),
                "Oliver McGowan Mandatory Training Tier 1",
                3,
                "Years",
            ),
            (
                "NHS|CSTF|Dementia Awareness - Tier 1 - 18 Months|",
                "Dementia Awareness",
                "1",
                Some("Tier 1"),
                "Dementia Awareness Tier 1",
                18,
                "Months",
            ),
        ];
        for (name, subject, level, qualifier, competency, number, units) in cases {
            let framework = if name.contains("|MAND|") {
                "MAND"
            } else {
                "CSTF"
            };
            assert_eq!(
                parts(name),
                (
                    framework.to_owned(),
                    (*subject).to_owned(),
                    (*level).to_owned(),
                    qualifier.map(str::to_owned),
                    (*competency).to_owned(),
                    *number,
                    (*units).to_owned()
                ),
                "{name}"
            );
        }
        assert_eq!(
            parse_competence_name("NHS|CSTF|Fire Safety - 2 Years|")
                .unwrap()
                .renewal_period(),
            "2 Years"
        );
    }

    #[test]
    fn malformed_names_are_refused_with_a_reason() {
        let cases = [
            ("NHS|CSTF|Fire Safety - 2 Years", "does not end with |"),
            ("CSTF|Fire Safety - 2 Years|", "does not start with NHS|"),
            ("NHS CSTF Fire Safety - 2 Years", "does not start with NHS|"),
            ("NHS|CSTF Fire Safety - 2 Years|", "has no | between the framework and the subject"),
            ("NHS|CSTF|Fire Safety|", "has no renewal period (e.g. ' - 3 Years')"),
            ("NHS|CSTF|Fire Safety - 0 Years|", "does not end with a renewal period of at least 1 Year(s) or Month(s), e.g. '3 Years'"),
            ("NHS|CSTF|Fire Safety - 2 Decades|", "does not end with a renewal period of at least 1 Year(s) or Month(s), e.g. '3 Years'"),
            ("NHS|CSTF|Fire Safety - Two Years|", "does not end with a renewal period of at least 1 Year(s) or Month(s), e.g. '3 Years'"),
            ("NHS|CSTF|Resuscitation - Level 2 - Adult Basic Life Support|", "does not end with a renewal period of at least 1 Year(s) or Month(s), e.g. '3 Years'"),
            ("NHS|XYZ|Fire Safety - 2 Years|", "has a framework other than CSTF or MAND"),
            ("NHS|CSTF|Fire Safety -  - 2 Years|", "has an empty part between ' - ' separators"),
            ("NHS|CSTF|Resuscitation - Level - 1 Year|", "has a level that is not 'Level <number>'"),
            ("NHS|CSTF|Resuscitation - Adult Basic Life Support - Level 2 - 1 Year|", "has a level that does not follow the subject"),
            ("NHS|CSTF|3 Years|", "has no subject"),
            ("NHS|CSTF|Fire|Safety - 2 Years|", "has too many | separators"),
            ("", "does not start with NHS|"),
        ];
        for (name, reason) in cases {
            match parse_competence_name(name) {
                Err(RecordsError::CompetenceName { name: n, reason: r }) => {
                    assert_eq!((n.as_str(), r.as_str()), (name, reason));
                }
                other => panic!("{name}: {other:?}"),
            }
        }
    }

    #[test]
    fn local_skills() {
        assert_eq!(
            parse_local_skill("RHQ|SKILL|Venepuncture|"),
            Some(("RHQ".to_owned(), "Venepuncture".to_owned()))
        );
        assert_eq!(parse_local_skill("RHQ|SKILL|Venepuncture"), None);
        assert_eq!(parse_local_skill("rhq|SKILL|Venepuncture|"), None);
        assert_eq!(parse_local_skill("RHQ|CSTF|Venepuncture|"), None);
        assert_eq!(parse_local_skill("RHQ|SKILL||"), None);
        assert!(parse_local_skill("NHS|CSTF|Fire Safety - 2 Years|").is_none());
    }
}
