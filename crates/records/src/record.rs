//! What an import produces: one [`SourceRecord`] per credential-worthy record, and the
//! all-or-nothing collection that checks them before any is handed out.

use std::collections::HashMap;

use passport_catalogue::Catalogue;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{Identifier, RecordsError, RowError};

/// The kind of system a record came from. Stored beside each record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// ESR: staff and assignments.
    Esr,
    /// A learning record (ESR OLM competences or a learning management system).
    Learning,
    /// An occupational health system.
    #[serde(rename = "oh")]
    OccupationalHealth,
    /// NHS England's Trainee Information System.
    Tis,
    /// A workforce system speaking the national Digital Staff Passport API record shapes.
    Dsp,
}

impl Source {
    /// `esr`, `learning`, `oh`, `tis` or `dsp`.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Esr => "esr",
            Source::Learning => "learning",
            Source::OccupationalHealth => "oh",
            Source::Tis => "tis",
            Source::Dsp => "dsp",
        }
    }
}

/// A person as the source system names them: used to create the person the first time and
/// to check a match afterwards, never put into credential claims by this crate.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PersonDetails {
    /// Forenames (first and middle names as the source holds them).
    pub given_name: String,
    /// Surname.
    pub family_name: String,
    /// `YYYY-MM-DD`, when the source has it (TIS exports do not).
    pub date_of_birth: Option<String>,
    /// Work email, when the source has it.
    pub email: Option<String>,
}

/// One record of one person from one source system, ready to store and issue from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceRecord {
    /// 1-based physical line (CSV, header = 1) or 1-based position of the record (JSON).
    pub line: usize,
    /// The system it came from.
    pub source: Source,
    /// Every identifier the row carries, strongest first (GMC, NMC, HCPC, ESR person, ESR
    /// assignment, local).
    pub identifiers: Vec<Identifier>,
    /// Names, date of birth and email, when the row has them.
    pub person: Option<PersonDetails>,
    /// The catalogue credential type name, e.g. `CoreSkillsTraining`.
    pub type_name: &'static str,
    /// Stable identity of the source record inside one organisation (see the crate docs):
    /// a re-import gives the same key, a changed record keeps it and so supersedes.
    pub key: String,
    /// Claims valid against the catalogue schema of `type_name`.
    pub claims: Value,
    /// The source says the record no longer holds: credentials from this key are revoked.
    pub withdrawn: bool,
}

/// A [`SourceRecord`] as read back from storage: `type_name` is `&'static str` so that it
/// can only be a catalogue name, so the stored text is looked up in the catalogue rather
/// than trusted.
#[derive(Deserialize)]
struct StoredRecord {
    line: usize,
    source: Source,
    identifiers: Vec<Identifier>,
    person: Option<PersonDetails>,
    type_name: String,
    key: String,
    claims: Value,
    withdrawn: bool,
}

impl<'de> Deserialize<'de> for SourceRecord {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let stored = StoredRecord::deserialize(d)?;
        SourceRecord::try_from(stored).map_err(serde::de::Error::custom)
    }
}

impl TryFrom<StoredRecord> for SourceRecord {
    type Error = String;
    fn try_from(stored: StoredRecord) -> Result<Self, Self::Error> {
        let type_name = Catalogue::nhs()
            .by_name(&stored.type_name)
            .map(|t| t.name)
            .ok_or_else(|| format!("unknown credential type {}", stored.type_name))?;
        Ok(SourceRecord {
            line: stored.line,
            source: stored.source,
            identifiers: stored.identifiers,
            person: stored.person,
            type_name,
            key: stored.key,
            claims: stored.claims,
            withdrawn: stored.withdrawn,
        })
    }
}

/// A record deliberately not imported, and why (a DSP `DBSCheckSupportingInformation`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    /// Its line or position, as in [`SourceRecord::line`].
    pub line: usize,
    /// Why it is not a credential.
    pub reason: String,
}

/// Everything a successful parse found, for an importer that wants to tell the operator
/// more than the records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParseReport {
    /// The records, in file order, duplicates removed.
    pub records: Vec<SourceRecord>,
    /// Records left out on purpose, with the reason.
    pub skipped: Vec<Skipped>,
    /// Header columns this format does not read (pay columns land here: never imported).
    pub ignored_columns: Vec<String>,
    /// Rows or records dropped because an identical one (same key, same content) came
    /// earlier in the file.
    pub duplicates: usize,
}

/// Gathers the records of one file. Every record is checked against its catalogue schema;
/// the same key twice is a duplicate when the content is the same, an error otherwise.
#[derive(Default)]
pub(crate) struct Collector {
    records: Vec<SourceRecord>,
    by_key: HashMap<String, usize>,
    errors: Vec<RowError>,
    skipped: Vec<Skipped>,
    duplicates: usize,
}

impl Collector {
    pub(crate) fn reject(&mut self, errors: impl IntoIterator<Item = RowError>) {
        self.errors.extend(errors);
    }

    pub(crate) fn skip(&mut self, line: usize, reason: String) {
        self.skipped.push(Skipped { line, reason });
    }

    /// Takes one record: schema check, then duplicate / conflicting key check.
    pub(crate) fn accept(&mut self, record: SourceRecord) {
        match Catalogue::nhs()
            .by_name(record.type_name)
            .filter(|t| !t.self_declared)
        {
            None => {
                return self.errors.push(RowError {
                    line: record.line,
                    reason: format!("{} is not in the credential catalogue", record.type_name),
                })
            }
            Some(credential) => {
                if let Err(error) = credential.validate(&record.claims) {
                    return self.errors.push(RowError {
                        line: record.line,
                        reason: format!("does not make a valid {}: {error}", record.type_name),
                    });
                }
            }
        }
        if let Some(&first) = self.by_key.get(&record.key) {
            let earlier = &self.records[first];
            match difference(earlier, &record) {
                None => self.duplicates += 1,
                Some(what) => {
                    let (a, b) = (earlier.line, record.line);
                    let key = &record.key;
                    self.errors.push(RowError {
                        line: a,
                        reason: format!("record {key} appears again on line {b} with {what}"),
                    });
                    self.errors.push(RowError {
                        line: b,
                        reason: format!("record {key} already appears on line {a} with {what}"),
                    });
                }
            }
            return;
        }
        self.by_key.insert(record.key.clone(), self.records.len());
        self.records.push(record);
    }

    /// All records, or every error found (sorted by line).
    pub(crate) fn finish(
        mut self,
        ignored_columns: Vec<String>,
    ) -> Result<ParseReport, RecordsError> {
        self.check_people_agree();
        if !self.errors.is_empty() {
            self.errors.sort_by_key(|e| e.line);
            self.errors.dedup();
            return Err(RecordsError::Rows(self.errors));
        }
        Ok(ParseReport {
            records: self.records,
            skipped: self.skipped,
            ignored_columns,
            duplicates: self.duplicates,
        })
    }

    /// One identifier, one person: two rows that give the same ESR person ID (or GMC number,
    /// ...) different names or dates of birth cannot both be right.
    fn check_people_agree(&mut self) {
        let mut seen: HashMap<&Identifier, (usize, &PersonDetails)> = HashMap::new();
        let mut errors = Vec::new();
        for record in &self.records {
            let Some(person) = &record.person else {
                continue;
            };
            for id in &record.identifiers {
                match seen.get(id) {
                    None => {
                        seen.insert(id, (record.line, person));
                    }
                    Some((line, earlier)) if *earlier != person => {
                        let (label, a, b) = (id.label(), describe(earlier), describe(person));
                        errors.push(RowError {
                            line: *line,
                            reason: format!("{label} is {a} here but {b} on line {}", record.line),
                        });
                        errors.push(RowError {
                            line: record.line,
                            reason: format!("{label} is {b} here but {a} on line {line}"),
                        });
                    }
                    Some(_) => {}
                }
            }
        }
        self.errors.extend(errors);
    }
}

/// What differs between two records with the same key, or `None` if nothing does.
fn difference(a: &SourceRecord, b: &SourceRecord) -> Option<&'static str> {
    if a.type_name != b.type_name || a.claims != b.claims {
        Some("different content")
    } else if a.withdrawn != b.withdrawn {
        Some("a different status")
    } else if a.person != b.person {
        Some("different personal details")
    } else if a.identifiers != b.identifiers {
        Some("different identifiers")
    } else {
        None
    }
}

/// `Jane Smith (born 1990-01-02, jane@nhs.example)`, for messages to the file's owner.
pub(crate) fn describe(person: &PersonDetails) -> String {
    let mut text = format!("{} {}", person.given_name, person.family_name);
    let extra: Vec<String> = person
        .date_of_birth
        .iter()
        .map(|d| format!("born {d}"))
        .chain(person.email.iter().cloned())
        .collect();
    if !extra.is_empty() {
        text.push_str(&format!(" ({})", extra.join(", ")));
    }
    text
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record(key: &str, claims: Value) -> SourceRecord {
        SourceRecord {
            line: 2,
            source: Source::OccupationalHealth,
            identifiers: vec!["esr-person:10000101".parse().unwrap()],
            person: None,
            type_name: "Observation",
            key: key.into(),
            claims,
            withdrawn: false,
        }
    }

    fn observation() -> Value {
        json!({"recordType": "Observation", "code": "TB001", "description": "BCG Scar Evident", "result": "Yes"})
    }

    #[test]
    fn records_round_trip_through_json_and_type_names_come_from_the_catalogue() {
        let original = record("oh-observation:10000101:TB001", observation());
        let text = serde_json::to_string(&original).unwrap();
        assert!(text.contains(r#""source":"oh""#) && text.contains(r#""scheme":"esr-person""#));
        let back: SourceRecord = serde_json::from_str(&text).unwrap();
        assert_eq!(back, original);
        let forged = text.replace(r#""type_name":"Observation""#, r#""type_name":"Payslip""#);
        assert!(serde_json::from_str::<SourceRecord>(&forged).is_err());
    }

    #[test]
    fn claims_outside_the_schema_are_refused() {
        let mut out = Collector::default();
        let mut claims = observation();
        claims["salary"] = json!("31049");
        out.accept(record("k", claims));
        let Err(RecordsError::Rows(rows)) = out.finish(Vec::new()) else {
            panic!("expected row errors")
        };
        assert_eq!(rows.len(), 1);
        assert!(
            rows[0]
                .reason
                .starts_with("does not make a valid Observation"),
            "{}",
            rows[0].reason
        );
        assert!(!rows[0].reason.contains("31049"));
    }

    #[test]
    fn descriptions_for_messages() {
        let person = PersonDetails {
            given_name: "Jane".into(),
            family_name: "Smith".into(),
            date_of_birth: Some("1990-01-02".into()),
            email: None,
        };
        assert_eq!(describe(&person), "Jane Smith (born 1990-01-02)");
    }
}
