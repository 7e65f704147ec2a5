//! Identifiers a source system gives a person, each checked against its scheme's format.
//!
//! There is no national employee identifier: a person is known by regulator numbers (GMC,
//! NMC, HCPC), ESR person IDs and assignment numbers, and local system IDs. A value that
//! breaks its scheme's format is almost always a shifted or mistyped column, so it is
//! refused at import rather than stored and matched on.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::RecordsError;

/// The kind of an identifier.
///
/// Text form (`as_str`/`parse`): `esr-person`, `esr-assignment`, `gmc`, `nmc`, `hcpc`,
/// `local:<system>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum IdScheme {
    /// ESR person ID (6-10 digits). A person has one per ESR organisation they have worked
    /// for, so two different values do not by themselves mean two people.
    EsrPerson,
    /// ESR assignment number (6-10 digits, `-N` suffix for further assignments). A person
    /// holds one per assignment, often several at once.
    EsrAssignment,
    /// General Medical Council reference number: 7 digits. One per doctor, for life.
    Gmc,
    /// Nursing and Midwifery Council PIN, e.g. `12A3456E`. One per registrant.
    Nmc,
    /// Health and Care Professions Council registration number: 2 letters (the profession)
    /// and 4-6 digits, e.g. `PA12345`.
    Hcpc,
    /// A local system's own employee ID; the string names the system (letters, digits,
    /// `.`, `_`, `/`, `-`; no `:`), e.g. `RHQ/dsp`.
    Local(String),
}

impl IdScheme {
    /// The text form: `gmc`, `esr-person`, ..., `local:<system>`.
    pub fn as_str(&self) -> String {
        match self {
            IdScheme::EsrPerson => "esr-person".to_owned(),
            IdScheme::EsrAssignment => "esr-assignment".to_owned(),
            IdScheme::Gmc => "gmc".to_owned(),
            IdScheme::Nmc => "nmc".to_owned(),
            IdScheme::Hcpc => "hcpc".to_owned(),
            IdScheme::Local(system) => format!("local:{system}"),
        }
    }

    /// Reads the text form written by [`IdScheme::as_str`].
    pub fn parse(text: &str) -> Result<IdScheme, RecordsError> {
        Ok(match text {
            "esr-person" => IdScheme::EsrPerson,
            "esr-assignment" => IdScheme::EsrAssignment,
            "gmc" => IdScheme::Gmc,
            "nmc" => IdScheme::Nmc,
            "hcpc" => IdScheme::Hcpc,
            other => match other.strip_prefix("local:") {
                Some(system) if is_system_name(system) => IdScheme::Local(system.to_owned()),
                _ => {
                    return Err(RecordsError::Identifier(format!(
                        "unknown scheme '{other}': expected esr-person, esr-assignment, gmc, \
                         nmc, hcpc or local:<system>"
                    )))
                }
            },
        })
    }

    /// Rank used to order a record's identifiers strongest first: regulator numbers are
    /// national and lifelong, ESR person IDs national but one per ESR organisation,
    /// assignment numbers per job, local IDs per system.
    pub fn strength(&self) -> u8 {
        match self {
            IdScheme::Gmc => 0,
            IdScheme::Nmc => 1,
            IdScheme::Hcpc => 2,
            IdScheme::EsrPerson => 3,
            IdScheme::EsrAssignment => 4,
            IdScheme::Local(_) => 5,
        }
    }

    /// Whether a person holds at most one value of this scheme, so that a different value
    /// on an otherwise matching person is a conflict. Not so for ESR person IDs (one per ESR
    /// organisation) and assignment numbers (one per assignment).
    pub fn single_valued(&self) -> bool {
        !matches!(self, IdScheme::EsrPerson | IdScheme::EsrAssignment)
    }

    /// How a person reads the scheme: `GMC`, `ESR person`, `RHQ/dsp ID`.
    pub fn label(&self) -> String {
        match self {
            IdScheme::EsrPerson => "ESR person".to_owned(),
            IdScheme::EsrAssignment => "ESR assignment".to_owned(),
            IdScheme::Gmc => "GMC".to_owned(),
            IdScheme::Nmc => "NMC".to_owned(),
            IdScheme::Hcpc => "HCPC".to_owned(),
            IdScheme::Local(system) => format!("{system} ID"),
        }
    }
}

impl fmt::Display for IdScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_str())
    }
}

impl FromStr for IdScheme {
    type Err = RecordsError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        IdScheme::parse(text)
    }
}

impl From<IdScheme> for String {
    fn from(scheme: IdScheme) -> String {
        scheme.as_str()
    }
}

impl TryFrom<String> for IdScheme {
    type Error = RecordsError;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        IdScheme::parse(&text)
    }
}

/// One identifier of a person. Build it with [`Identifier::new`], which checks the format
/// and normalises the value (trimmed; NMC and HCPC upper-cased).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Identifier {
    /// The scheme.
    pub scheme: IdScheme,
    /// The value, normalised.
    pub value: String,
}

impl Identifier {
    /// Checks `value` against the scheme's format and normalises it.
    pub fn new(scheme: IdScheme, value: &str) -> Result<Identifier, RecordsError> {
        let value = value.trim();
        let value = match scheme {
            IdScheme::Nmc | IdScheme::Hcpc => value.to_ascii_uppercase(),
            _ => value.to_owned(),
        };
        if let Err(expected) = check(&scheme, &value) {
            return Err(RecordsError::Identifier(format!(
                "'{value}' is not a valid {}: {expected}",
                scheme.label()
            )));
        }
        Ok(Identifier { scheme, value })
    }

    /// How a person reads it: `GMC 1234567`, `ESR person 10000123`.
    pub fn label(&self) -> String {
        format!("{} {}", self.scheme.label(), self.value)
    }
}

/// `<scheme>:<value>`, e.g. `gmc:1234567`, `local:RHQ/dsp:12345`.
impl fmt::Display for Identifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.scheme, self.value)
    }
}

impl FromStr for Identifier {
    type Err = RecordsError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || RecordsError::Identifier(format!("'{text}' is not <scheme>:<value>"));
        let (scheme, value) = match text.strip_prefix("local:") {
            Some(rest) => {
                let (system, value) = rest.split_once(':').ok_or_else(bad)?;
                (IdScheme::parse(&format!("local:{system}"))?, value)
            }
            None => {
                let (scheme, value) = text.split_once(':').ok_or_else(bad)?;
                (IdScheme::parse(scheme)?, value)
            }
        };
        Identifier::new(scheme, value)
    }
}

/// Sorts identifiers strongest first (see [`IdScheme::strength`]) and drops repeats.
pub(crate) fn strongest_first(ids: &mut Vec<Identifier>) {
    ids.sort_by(|a, b| {
        (a.scheme.strength(), &a.scheme, &a.value).cmp(&(b.scheme.strength(), &b.scheme, &b.value))
    });
    ids.dedup();
}

fn check(scheme: &IdScheme, value: &str) -> Result<(), &'static str> {
    let b = value.as_bytes();
    let digits = |s: &[u8]| !s.is_empty() && s.iter().all(u8::is_ascii_digit);
    let ok = match scheme {
        IdScheme::Gmc => b.len() == 7 && digits(b),
        IdScheme::Nmc => {
            b.len() == 8
                && digits(&b[..2])
                && b[2].is_ascii_uppercase()
                && digits(&b[3..7])
                && b[7].is_ascii_uppercase()
        }
        IdScheme::Hcpc => {
            (6..=8).contains(&b.len())
                && b[..2].iter().all(u8::is_ascii_uppercase)
                && digits(&b[2..])
        }
        IdScheme::EsrPerson => (6..=10).contains(&b.len()) && digits(b),
        IdScheme::EsrAssignment => {
            let (main, suffix) = value.split_once('-').unwrap_or((value, "1"));
            (6..=10).contains(&main.len())
                && digits(main.as_bytes())
                && (1..=2).contains(&suffix.len())
                && digits(suffix.as_bytes())
        }
        IdScheme::Local(_) => {
            !value.is_empty() && value.chars().count() <= 64 && !value.chars().any(char::is_control)
        }
    };
    if ok {
        return Ok(());
    }
    Err(match scheme {
        IdScheme::Gmc => "7 digits",
        IdScheme::Nmc => "2 digits, a letter, 4 digits and a letter, like 12A3456E",
        IdScheme::Hcpc => "2 letters and 4 to 6 digits, like PA12345",
        IdScheme::EsrPerson => "6 to 10 digits",
        IdScheme::EsrAssignment => "6 to 10 digits with an optional -N suffix, like 12345678-2",
        IdScheme::Local(_) => "1 to 64 characters, no control characters",
    })
}

fn is_system_name(system: &str) -> bool {
    let mut chars = system.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && system.len() <= 64
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '/' | '-'))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn valid_values_are_normalised() {
        assert_eq!(
            Identifier::new(IdScheme::Gmc, " 1234567 ").unwrap().value,
            "1234567"
        );
        assert_eq!(
            Identifier::new(IdScheme::Nmc, "12a3456e").unwrap().value,
            "12A3456E"
        );
        assert_eq!(
            Identifier::new(IdScheme::Hcpc, "pa12345").unwrap().value,
            "PA12345"
        );
        assert!(Identifier::new(IdScheme::EsrPerson, "10000123").is_ok());
        assert!(Identifier::new(IdScheme::EsrAssignment, "12345678").is_ok());
        assert!(Identifier::new(IdScheme::EsrAssignment, "12345678-2").is_ok());
        assert!(Identifier::new(IdScheme::Local("RHQ/dsp".into()), "E-17").is_ok());
    }

    #[test]
    fn malformed_values_are_refused() {
        for (scheme, value) in [
            (IdScheme::Gmc, "123456"),
            (IdScheme::Gmc, "12345678"),
            (IdScheme::Gmc, "123456A"),
            (IdScheme::Nmc, "1234567E"),
            (IdScheme::Nmc, "12A345E"),
            (IdScheme::Hcpc, "P12345"),
            (IdScheme::Hcpc, "PA1"),
            (IdScheme::Hcpc, "12PA345"),
            (IdScheme::EsrPerson, "12345"),
            (IdScheme::EsrPerson, "1234567a"),
            (IdScheme::EsrAssignment, "12345678-"),
            (IdScheme::EsrAssignment, "12345678-123"),
            (IdScheme::EsrAssignment, "-2"),
            (IdScheme::Local("sys".into()), ""),
        ] {
            let err = Identifier::new(scheme.clone(), value).unwrap_err();
            assert!(
                matches!(err, RecordsError::Identifier(_)),
                "{scheme} {value}"
            );
        }
    }

    #[test]
    fn schemes_round_trip_through_text() {
        for scheme in [
            IdScheme::EsrPerson,
            IdScheme::EsrAssignment,
            IdScheme::Gmc,
            IdScheme::Nmc,
            IdScheme::Hcpc,
            IdScheme::Local("RHQ/rhq-lms".into()),
        ] {
            assert_eq!(IdScheme::parse(&scheme.as_str()).unwrap(), scheme);
            let json = serde_json::to_string(&scheme).unwrap();
            assert_eq!(serde_json::from_str::<IdScheme>(&json).unwrap(), scheme);
        }
        assert_eq!(IdScheme::Local("x".into()).as_str(), "local:x");
        assert!(IdScheme::parse("nhs-number").is_err());
        assert!(IdScheme::parse("local:").is_err());
        assert!(IdScheme::parse("local:a:b").is_err());
    }

    #[test]
    fn identifiers_round_trip_through_text() {
        let id: Identifier = "local:RHQ/dsp:12345".parse().unwrap();
        assert_eq!(id.scheme, IdScheme::Local("RHQ/dsp".into()));
        assert_eq!(id.value, "12345");
        assert_eq!(id.to_string(), "local:RHQ/dsp:12345");
        let gmc: Identifier = "gmc:1234567".parse().unwrap();
        assert_eq!(gmc.label(), "GMC 1234567");
        assert!("gmc:12".parse::<Identifier>().is_err());
        assert!("1234567".parse::<Identifier>().is_err());
    }

    #[test]
    fn strongest_identifier_comes_first() {
        let mut ids = vec![
            Identifier::new(IdScheme::EsrAssignment, "20000101").unwrap(),
            Identifier::new(IdScheme::EsrPerson, "10000101").unwrap(),
            Identifier::new(IdScheme::Gmc, "9100001").unwrap(),
            Identifier::new(IdScheme::EsrPerson, "10000101").unwrap(),
        ];
        strongest_first(&mut ids);
        let schemes: Vec<_> = ids.iter().map(|i| i.scheme.clone()).collect();
        assert_eq!(
            schemes,
            [IdScheme::Gmc, IdScheme::EsrPerson, IdScheme::EsrAssignment]
        );
    }
}
