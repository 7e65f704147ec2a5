//! Staff records imported from trust workforce systems, and person-matching decisions.
//!
//! Five import formats (documented column by column in `samples/README.md`, one sample
//! file each in `samples/`):
//!
//! | kind | source | gives |
//! |---|---|---|
//! | `esr-staff` | ESR assignment extract (CSV) | `Employment`, one per assignment |
//! | `esr-competences` | ESR competences (CSV) | `CoreSkillsTraining` (`NHS\|CSTF\|...\|`, `NHS\|MAND\|...\|`), `Skill` (`<ODS>\|SKILL\|<skill>\|`) |
//! | `oh` | occupational health system (CSV) | `OccupationalHealthClearance`, `Vaccination`, `ClinicalTest`, `Observation` |
//! | `tis` | NHS England TIS placements (CSV) | `TrainingProgramme` and `TrainingPlacement` |
//! | `dsp-json` | DSP API record shapes (JSON) | whatever the records are |
//!
//! Beside them, [`parse_rotation`] reads a receiving trust's rotation list (the doctors in
//! training coming in at one changeover): not records, but one transfer request per row.
//!
//! **All or nothing.** A file is validated in full before anything is returned: one bad row
//! gives [`RecordsError::Rows`] with every problem of every row (line and column) and no
//! records. A row repeated exactly (same key, same content) is dropped; the same key with
//! different content is an error on both lines. Every record's claims are checked against
//! its catalogue schema here, so the store never holds claims it could not issue.
//!
//! **Keys** ([`SourceRecord::key`]) are unique inside one organisation across all sources:
//! `esr-assignment:<assignment number>`, `cstf:<ESR person>:<competency name>:<level>` (and
//! `mand:`), `skill:<ESR person>:<ODS>:<skill>`, `oh-clearance:<ESR person>:<role risk
//! category>`, `oh-vaccination:<ESR person>:<code>:<date>`, `oh-test:<ESR person>:<code>:<date>`,
//! `oh-observation:<ESR person>:<code>`, `tis-programme:<GMC>:<programme number>`,
//! `tis-placement:<placement id>`, `dsp:<system>:<employee id>:<record type>:<natural key>`.
//! A later import with the same key and new content supersedes.
//!
//! **Withdrawn** ([`SourceRecord::withdrawn`]) means the source says the record never held
//! or no longer holds (ESR assignment status Withdrawn / Cancelled / Entered in error, TIS
//! placement Deleted, a `status` of Withdrawn on a competence or OH row): revoke what was
//! issued from the key. An ESR assignment that simply ended (Terminate Assignment) is not
//! withdrawn: it is true history and keeps its `endDate`.
//!
//! Pay never enters: the formats read named columns only, and the Employment schema has no
//! pay field. Pure: no I/O, no clock.
//!
//! ```
//! use passport_records::{decide, parse, ImportKind, MatchDecision};
//!
//! let csv = "esr_person_id,competence_name,date_achieved\n\
//!            10000101,NHS|CSTF|Fire Safety - 2 Years|,2025-08-06\n";
//! let records = parse(ImportKind::EsrCompetences, csv, "RHQ")?;
//! assert_eq!(records[0].type_name, "CoreSkillsTraining");
//! assert_eq!(records[0].key, "cstf:10000101:Fire Safety:1");
//! assert_eq!(records[0].claims["renewalPeriodUnits"], "Years");
//! // Nobody known yet: the store creates the person (or queues a nameless record).
//! assert_eq!(decide(&records[0].identifiers, records[0].person.as_ref(), &[]), MatchDecision::New);
//! # Ok::<(), passport_records::RecordsError>(())
//! ```

mod competence;
mod dsp;
mod error;
mod esr_competences;
mod esr_staff;
mod fields;
mod identifier;
mod matching;
mod oh;
mod record;
mod rotation;
mod table;
mod tis;

pub use competence::{parse_competence_name, CompetenceName};
pub use error::{RecordsError, RowError};
pub use identifier::{IdScheme, Identifier};
pub use matching::{decide, Candidate, MatchDecision};
pub use record::{ParseReport, PersonDetails, Skipped, Source, SourceRecord};
pub use rotation::{parse_rotation, rfc4180_problems, RotationEntry, MAX_ROTATION_ROWS};

use serde::{Deserialize, Serialize};

/// The import formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ImportKind {
    /// `esr-staff`: ESR staff and assignments, one row per assignment.
    EsrStaff,
    /// `esr-competences`: ESR competences (CSTF, MAND, local skills).
    EsrCompetences,
    /// `oh`: occupational health clearances, vaccinations, tests, observations.
    #[serde(rename = "oh")]
    OccupationalHealth,
    /// `tis`: TIS programme memberships and placements of doctors in training.
    #[serde(rename = "tis")]
    TisPlacements,
    /// `dsp-json`: records in the national DSP API shapes.
    DspJson,
}

impl ImportKind {
    /// Every kind, in documentation order.
    pub const ALL: [ImportKind; 5] = [
        ImportKind::EsrStaff,
        ImportKind::EsrCompetences,
        ImportKind::OccupationalHealth,
        ImportKind::TisPlacements,
        ImportKind::DspJson,
    ];

    /// `esr-staff`, `esr-competences`, `oh`, `tis` or `dsp-json`.
    pub fn as_str(self) -> &'static str {
        match self {
            ImportKind::EsrStaff => "esr-staff",
            ImportKind::EsrCompetences => "esr-competences",
            ImportKind::OccupationalHealth => "oh",
            ImportKind::TisPlacements => "tis",
            ImportKind::DspJson => "dsp-json",
        }
    }

    /// Reads the name written by [`ImportKind::as_str`].
    pub fn parse(text: &str) -> Result<ImportKind, RecordsError> {
        ImportKind::ALL
            .into_iter()
            .find(|k| k.as_str() == text.trim())
            .ok_or_else(|| RecordsError::UnknownKind(text.to_owned()))
    }

    /// The system its records come from: competences are learning records
    /// ([`Source::Learning`]) even when ESR's learning module holds them.
    pub fn source(self) -> Source {
        match self {
            ImportKind::EsrStaff => Source::Esr,
            ImportKind::EsrCompetences => Source::Learning,
            ImportKind::OccupationalHealth => Source::OccupationalHealth,
            ImportKind::TisPlacements => Source::Tis,
            ImportKind::DspJson => Source::Dsp,
        }
    }
}

impl std::str::FromStr for ImportKind {
    type Err = RecordsError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        ImportKind::parse(text)
    }
}

impl std::fmt::Display for ImportKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Parses and validates a whole import file of `kind` for the organisation `org_ods` (the
/// importing trust's ODS code, e.g. `RHQ`): every record, or every problem.
pub fn parse(
    kind: ImportKind,
    text: &str,
    org_ods: &str,
) -> Result<Vec<SourceRecord>, RecordsError> {
    parse_with_report(kind, text, org_ods).map(|report| report.records)
}

/// As [`parse`], also telling what was skipped on purpose (with why), which header columns
/// were not read (pay columns among them) and how many exact duplicates were dropped.
pub fn parse_with_report(
    kind: ImportKind,
    text: &str,
    org_ods: &str,
) -> Result<ParseReport, RecordsError> {
    let org = fields::ods(org_ods.trim())
        .map_err(|what| RecordsError::Format(format!("importing organisation: {what}")))?;
    match kind {
        ImportKind::EsrStaff => esr_staff::parse(text, &org),
        ImportKind::EsrCompetences => esr_competences::parse(text, &org),
        ImportKind::OccupationalHealth => oh::parse(text, &org),
        ImportKind::TisPlacements => tis::parse(text, &org),
        ImportKind::DspJson => dsp::parse(text, &org),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_sources_have_stable_names() {
        for kind in ImportKind::ALL {
            assert_eq!(ImportKind::parse(kind.as_str()).unwrap(), kind);
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
            assert_eq!(
                serde_json::to_value(kind.source()).unwrap(),
                kind.source().as_str()
            );
        }
        assert_eq!(
            ImportKind::parse("esr").unwrap_err(),
            RecordsError::UnknownKind("esr".into())
        );
        let names: Vec<_> = ImportKind::ALL
            .iter()
            .map(|k| k.source().as_str())
            .collect();
        assert_eq!(names, ["esr", "learning", "oh", "tis", "dsp"]);
    }

    #[test]
    fn the_importing_organisation_must_be_an_ods_code() {
        let err = parse(ImportKind::EsrStaff, "x\n", "not a code").unwrap_err();
        assert!(matches!(err, RecordsError::Format(m) if m.starts_with("importing organisation")));
    }
}
