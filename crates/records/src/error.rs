//! Errors of the records crate.

use serde::{Deserialize, Serialize};

/// One problem with one row (CSV) or record (JSON) of an import file.
///
/// `reason` names the column (or JSON member) and what is wrong with it, so the person who
/// owns the export can fix the file without reading code:
/// `column date_of_birth: '1990-13-01' is not a date (YYYY-MM-DD or DD/MM/YYYY)`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RowError {
    /// 1-based physical line of the row in a CSV file (the header is line 1), or the 1-based
    /// position of the record in a JSON file.
    pub line: usize,
    /// What is wrong, naming the column.
    pub reason: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

/// What can go wrong when reading an import file or an identifier.
///
/// An import is all or nothing: one bad row means no record at all, and the error lists
/// every bad row so the file can be fixed in one pass.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordsError {
    /// Some rows are bad: every one of them, in file order (a row may have several problems).
    #[error("{} problem(s) in the file: {}", .0.len(), join_rows(.0))]
    Rows(Vec<RowError>),
    /// The file as a whole cannot be read: no header, a required column missing, not JSON,
    /// an unusable organisation code.
    #[error("unusable file: {0}")]
    Format(String),
    /// The import kind is not one of `esr-staff`, `esr-competences`, `oh`, `tis`, `dsp-json`.
    #[error("unknown import kind '{0}': expected esr-staff, esr-competences, oh, tis or dsp-json")]
    UnknownKind(String),
    /// An identifier scheme or value breaks its format (GMC 7 digits, NMC PIN `12A3456E`...).
    #[error("invalid identifier: {0}")]
    Identifier(String),
    /// An ESR competence name does not follow `NHS|<framework>|<subject> - ... - <period>|`.
    #[error("competence name '{name}' {reason}")]
    CompetenceName {
        /// The name as given.
        name: String,
        /// What is wrong with it.
        reason: String,
    },
}

fn join_rows(rows: &[RowError]) -> String {
    rows.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}
