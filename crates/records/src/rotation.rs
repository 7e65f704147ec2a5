//! `rotation`: a receiving trust's rotation list, the doctors in training coming in at one
//! changeover (August, December, February...), one row per doctor. Each row becomes one
//! transfer request at the receiving trust, so the file is checked harder than an export of
//! records: its CSV structure against RFC 4180 (a stray quote means the columns may have
//! shifted), every cell, the role profile against the trust's own profiles, and one row per
//! GMC number. Columns are documented in `samples/README.md`.
//!
//! All or nothing, as every import here: one bad row and no entry is returned; every problem
//! of every row is reported with its line.

use std::collections::HashMap;

use crate::fields::{self, one_of, schema_enum};
use crate::table::{Row, Table};
use crate::{IdScheme, RecordsError, RowError};

const REQUIRED: &[&str] = &[
    "gmc_number",
    "forenames",
    "surname",
    "email",
    "grade",
    "specialty",
    "site_code",
    "start_date",
    "end_date",
    "role_profile",
];

const OPTIONAL: &[&str] = &["site_name"];

/// Most rows one rotation list may hold: every doctor in training in England changes post in
/// August (about 50,000), with room to spare; a longer file is a wrong file.
pub const MAX_ROTATION_ROWS: usize = 100_000;

/// Longest e-mail address (RFC 5321 path limit).
const MAX_EMAIL: usize = 254;

/// One incoming doctor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RotationEntry {
    /// Physical line in the file (the header is line 1).
    pub line: usize,
    /// 7 digits.
    pub gmc_number: String,
    pub forenames: String,
    pub surname: String,
    /// Where the invitation goes: one plain address.
    pub email: String,
    /// A TIS grade (`FY1`, `ST3`...), spelled as the catalogue spells it.
    pub grade: String,
    pub specialty: String,
    /// ODS site code, upper case (`R0A01`).
    pub site_code: String,
    pub site_name: Option<String>,
    /// `YYYY-MM-DD`.
    pub start_date: String,
    /// `YYYY-MM-DD`, not before `start_date`.
    pub end_date: String,
    /// The id of one of the receiving trust's role profiles.
    pub role_profile: String,
}

/// Parses and checks a whole rotation list. `profiles` are the ids of the receiving trust's
/// role profiles: a row naming any other is refused.
pub fn parse_rotation(text: &str, profiles: &[&str]) -> Result<Vec<RotationEntry>, RecordsError> {
    let structure = rfc4180_problems(text);
    if !structure.is_empty() {
        return Err(RecordsError::Rows(structure));
    }
    let table = Table::read(text, REQUIRED, OPTIONAL)?;
    let mut errors: Vec<RowError> = table.unreadable.clone();
    let mut entries = Vec::new();
    let mut first_line: HashMap<String, usize> = HashMap::new();
    let mut rows = 0usize;
    for mut row in table.rows() {
        rows += 1;
        if rows > MAX_ROTATION_ROWS {
            return Err(RecordsError::Format(format!(
                "more than {MAX_ROTATION_ROWS} rows: split the list by changeover"
            )));
        }
        if row.is_misshapen() {
            errors.extend(row.into_errors());
            continue;
        }
        let entry = entry(&mut row, profiles);
        if let Some(e) = &entry {
            if let Some(first) = first_line.get(&e.gmc_number) {
                row.fail(
                    "gmc_number",
                    format!(
                        "{} is also on line {first}: one row per doctor",
                        e.gmc_number
                    ),
                );
            } else {
                first_line.insert(e.gmc_number.clone(), row.line);
            }
        }
        match entry {
            Some(e) if !row.has_errors() => entries.push(e),
            _ => errors.extend(row.into_errors()),
        }
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.line);
        return Err(RecordsError::Rows(errors));
    }
    if entries.is_empty() {
        return Err(RecordsError::Format("the list has no doctors in it".into()));
    }
    Ok(entries)
}

fn entry(row: &mut Row<'_>, profiles: &[&str]) -> Option<RotationEntry> {
    let gmc = row.identifier("gmc_number", IdScheme::Gmc, true);
    let forenames = row.required("forenames", fields::name);
    let surname = row.required("surname", fields::name);
    let email = row.required("email", plain_address);
    let grades = schema_enum("TrainingPlacement", "grade");
    let grade = row.required("grade", one_of(&grades));
    let specialty = row.required("specialty", fields::text(200));
    let site_code = row.required("site_code", fields::site_code);
    let site_name = row.optional("site_name", fields::text(200));
    let start = row.required("start_date", fields::date);
    let end = row.required("end_date", fields::date);
    if let (Some(s), Some(e)) = (&start, &end) {
        if e < s {
            row.fail("end_date", format!("'{e}' is before the start date {s}"));
        }
    }
    let profile = row.required("role_profile", |v| known_profile(v, profiles));
    Some(RotationEntry {
        line: row.line,
        gmc_number: gmc?.value,
        forenames: forenames?,
        surname: surname?,
        email: email?,
        grade: grade?,
        specialty: specialty?,
        site_code: site_code?,
        site_name,
        start_date: start?,
        end_date: end?,
        role_profile: profile?,
    })
}

/// One plain address, as the mail outbox accepts it: a local part, `@`, a dotted domain, and
/// nothing that could start another header or recipient.
fn plain_address(value: &str) -> Result<String, String> {
    let bad = || format!("'{value}' is not one plain e-mail address (name@example.nhs.uk)");
    if value.len() > MAX_EMAIL
        || value
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || "<>,;:\"()[]\\".contains(c))
    {
        return Err(bad());
    }
    fields::email(value).map_err(|_| bad())
}

fn known_profile(value: &str, profiles: &[&str]) -> Result<String, String> {
    if let Some(p) = profiles.iter().find(|p| **p == value) {
        return Ok((*p).to_owned());
    }
    let mut known: Vec<&str> = profiles.to_vec();
    known.sort_unstable();
    let list = if known.len() <= 12 {
        known.join(", ")
    } else {
        format!("{} and {} more", known[..12].join(", "), known.len() - 12)
    };
    Err(format!(
        "'{value}' is not a role profile of this trust (known: {list})"
    ))
}

/// Where `text` breaks RFC 4180's rules for quoting: a quote inside an unquoted field, text
/// after a closing quote, a quoted field never closed, a carriage return without its line feed.
/// Lines end in CRLF or LF (both are met in exports). One problem per line at most.
pub fn rfc4180_problems(text: &str) -> Vec<RowError> {
    #[derive(PartialEq)]
    enum At {
        FieldStart,
        Unquoted,
        Quoted,
        AfterQuote,
    }
    let mut problems: Vec<RowError> = Vec::new();
    let mut note = |line: usize, reason: &str| {
        if problems.last().is_none_or(|p| p.line != line) {
            problems.push(RowError {
                line,
                reason: reason.to_owned(),
            });
        }
    };
    let bytes = text.as_bytes();
    let (mut at, mut line, mut quote_line) = (At::FieldStart, 1usize, 1usize);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\r' {
            if bytes.get(i + 1) != Some(&b'\n') {
                note(line, "a carriage return without a line feed");
            }
            i += 1;
            continue;
        }
        match (&at, b) {
            (At::Quoted, b'"') => at = At::AfterQuote,
            (At::Quoted, b'\n') => line += 1,
            (At::Quoted, _) => {}
            (At::AfterQuote, b'"') => at = At::Quoted,
            (_, b',') => at = At::FieldStart,
            (_, b'\n') => {
                at = At::FieldStart;
                line += 1;
            }
            (At::FieldStart, b'"') => {
                at = At::Quoted;
                quote_line = line;
            }
            (At::AfterQuote, _) => {
                note(
                    line,
                    "text after a closing quote: quote the whole field, doubling quotes inside it",
                );
                at = At::Unquoted;
            }
            (At::Unquoted, b'"') => {
                note(line, "a quote inside an unquoted field: quote the whole field, doubling quotes inside it");
                at = At::Unquoted;
            }
            (At::FieldStart | At::Unquoted, _) => at = At::Unquoted,
        }
        i += 1;
    }
    if at == At::Quoted {
        note(quote_line, "a quoted field is never closed");
    }
    problems
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
#[path = "rotation_tests.rs"]
mod tests;
