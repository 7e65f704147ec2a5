//! `dsp-json`: records in the shapes of the national Digital Staff Passport API standard.
//!
//! In the API a record arrives with its employee in the URL
//! (`/organisations/{org}/employees/{employee-id}/records`), and *Get employee records*
//! answers `{"id": <employee-id>, "records": [...]}`. A file has no URL, so every record
//! travels inside such an employee object. Accepted shapes:
//!
//! - one employee: `{"id": "12345", "records": [...]}`;
//! - an array of employees: `[{"id": ..., "records": [...]}, ...]`;
//! - a wrapper: `{"system": "rhq-lms", "description": "...", "employees": [...]}`.
//!
//! An employee object may also carry the DSP `EmployeePersonalDetails` members
//! (`firstName`, `surname`, `birthDate`, `email`, `esrIdentifier`, `furtherInformation`).
//! The employee `id` becomes the identifier `local:<ORG>/<system>` (system `dsp` unless the
//! wrapper names it), `esrIdentifier` an ESR person ID, and a ProfessionalRegistration
//! record's GMC/NMC/HCPC number a regulator identifier for all the employee's records.
//! A bare array of records is refused: nothing would say whose they are.
//!
//! Records go through the catalogue's DSP normalisation (string booleans, numeric
//! registration numbers, enum case) and must then be valid claims. A record type the
//! catalogue deliberately leaves out (`DBSCheckSupportingInformation`: identity evidence for
//! a DBS application, not a credential) is skipped with the catalogue's reason.

use std::collections::HashMap;

use passport_catalogue::{normalise_dsp_record, Catalogue, CatalogueError};
use serde_json::{Map, Value};

use crate::fields;
use crate::record::Collector;
use crate::{
    IdScheme, Identifier, ParseReport, PersonDetails, RecordsError, RowError, Source, SourceRecord,
};

/// Members of an employee object besides `records` (from DSP `EmployeePersonalDetails`).
const EMPLOYEE_MEMBERS: &[&str] = &[
    "id",
    "records",
    "firstName",
    "surname",
    "birthDate",
    "email",
    "esrIdentifier",
    "furtherInformation",
];

/// Claims that tell two records of one type and one employee apart; the rest of a record
/// can change (and so supersede) under the same key.
const NATURAL_KEYS: &[(&str, &[&str])] = &[
    ("CoreSkillsTraining", &["competencyName", "subjectLevel"]),
    ("DBSCheckOutcome", &["certificateNumber"]),
    (
        "ProfessionalRegistration",
        &["professionalBody", "registrationNumber"],
    ),
    ("Vaccination", &["code", "date"]),
    ("ClinicalTest", &["code", "date"]),
    ("Observation", &["code"]),
    ("OccupationalHealthClearance", &["roleRiskCategory"]),
    ("Employment", &["assignmentNumber"]),
    ("TrainingProgramme", &["programmeNumber"]),
    ("TrainingPlacement", &["placementId"]),
    ("Skill", &["awardingOrganisation", "skillName"]),
    (
        "Reference",
        &["refereeOrganisationOds", "employmentStartDate"],
    ),
];

pub(crate) fn parse(text: &str, org: &str) -> Result<ParseReport, RecordsError> {
    let document: Value =
        serde_json::from_str(text).map_err(|e| RecordsError::Format(format!("not JSON: {e}")))?;
    let (system, employees) = employees(&document)?;
    let scheme = IdScheme::parse(&format!("local:{org}/{system}")).map_err(|_| {
        RecordsError::Format(format!(
            "system '{system}' is not a system name (letters, digits, . _ / -)"
        ))
    })?;
    let mut out = Collector::default();
    let mut ignored = Vec::new();
    // First pass: who each employee object is, and its records normalised. Regulator
    // numbers from ProfessionalRegistration records belong to the employee ID, wherever in
    // the file they appear.
    let mut read = Vec::new();
    let mut registrations: HashMap<String, Vec<Identifier>> = HashMap::new();
    let mut line = 0;
    for (index, employee) in employees.iter().enumerate() {
        let Value::Object(employee) = employee else {
            return Err(RecordsError::Format(format!(
                "employee {} is not a JSON object",
                index + 1
            )));
        };
        for name in employee
            .keys()
            .filter(|k| !EMPLOYEE_MEMBERS.contains(&k.as_str()))
        {
            if !ignored.contains(name) {
                ignored.push(name.clone());
            }
        }
        let records = match employee.get("records") {
            Some(Value::Array(records)) => records.as_slice(),
            _ => {
                return Err(RecordsError::Format(format!(
                    "employee {} has no records array",
                    index + 1
                )))
            }
        };
        let first_line = line + 1;
        line += records.len();
        let mut problems = Vec::new();
        let who = Employee::read(employee, &scheme, &mut problems);
        let mut built = Vec::new();
        for (offset, record) in records.iter().enumerate() {
            let at = first_line + offset;
            match normalise(record) {
                Ok((type_name, claims)) => built.push((at, type_name, claims)),
                Err(Normalised::Skip(reason)) => out.skip(at, reason),
                Err(Normalised::Bad(reason)) => out.reject([RowError { line: at, reason }]),
            }
        }
        for (at, type_name, claims) in &built {
            if *type_name == "ProfessionalRegistration" {
                match (registration(claims), &who.id) {
                    (Ok(Some(id)), Some(employee)) => {
                        registrations.entry(employee.clone()).or_default().push(id)
                    }
                    (Err(reason), _) => out.reject([RowError { line: *at, reason }]),
                    _ => {}
                }
            }
        }
        if !problems.is_empty() {
            let label = who.id.as_deref().unwrap_or("without id");
            out.reject(problems.into_iter().map(|p| RowError {
                line: first_line,
                reason: format!("employee {} ({label}): {p}", index + 1),
            }));
            continue;
        }
        read.push((who, built));
    }
    for (who, built) in read {
        let Some(id) = who.id else { continue };
        let mut identifiers = who.identifiers;
        identifiers.extend(registrations.get(&id).into_iter().flatten().cloned());
        crate::identifier::strongest_first(&mut identifiers);
        let clash = identifiers
            .windows(2)
            .find(|w| w[0].scheme == w[1].scheme && w[0].scheme.single_valued());
        if let (Some(pair), Some((at, _, _))) = (clash, built.first()) {
            out.reject([RowError {
                line: *at,
                reason: format!(
                    "employee {id} has two registrations with one body: {} and {}",
                    pair[0].label(),
                    pair[1].label()
                ),
            }]);
            continue;
        }
        for (at, type_name, claims) in built {
            out.accept(SourceRecord {
                line: at,
                source: Source::Dsp,
                identifiers: identifiers.clone(),
                person: who.person.clone(),
                type_name,
                key: format!(
                    "dsp:{system}:{id}:{type_name}{}",
                    natural_key(type_name, &claims)
                ),
                claims,
                withdrawn: false,
            });
        }
    }
    out.finish(ignored)
}

/// The employee objects of the file, and the system name.
fn employees(document: &Value) -> Result<(String, &[Value]), RecordsError> {
    let refuse_bare = || {
        RecordsError::Format(
            "a bare array of records does not say whose they are: wrap them as \
             {\"id\": <employee id>, \"records\": [...]}"
                .to_owned(),
        )
    };
    match document {
        Value::Array(items) if items.iter().any(|i| i.get("recordType").is_some()) => {
            Err(refuse_bare())
        }
        Value::Array(items) => Ok(("dsp".to_owned(), items.as_slice())),
        Value::Object(object) if object.contains_key("records") => {
            Ok(("dsp".to_owned(), std::slice::from_ref(document)))
        }
        Value::Object(object) if object.contains_key("recordType") => Err(refuse_bare()),
        Value::Object(object) => {
            let unknown: Vec<&String> = object
                .keys()
                .filter(|k| !["system", "description", "employees"].contains(&k.as_str()))
                .collect();
            if !unknown.is_empty() {
                return Err(RecordsError::Format(format!(
                    "unknown top-level member(s) {unknown:?}: expected system, description, employees"
                )));
            }
            let system = match object.get("system") {
                None => "dsp".to_owned(),
                Some(Value::String(s)) => s.clone(),
                Some(_) => return Err(RecordsError::Format("system is not a string".to_owned())),
            };
            match object.get("employees") {
                Some(Value::Array(items)) => Ok((system, items.as_slice())),
                _ => Err(RecordsError::Format(
                    "employees is missing or not an array".to_owned(),
                )),
            }
        }
        _ => Err(RecordsError::Format(
            "expected an employee object, an array of them, or {\"employees\": [...]}".to_owned(),
        )),
    }
}

/// Who an employee object says the records belong to.
struct Employee {
    id: Option<String>,
    identifiers: Vec<Identifier>,
    person: Option<PersonDetails>,
}

impl Employee {
    fn read(
        employee: &Map<String, Value>,
        scheme: &IdScheme,
        problems: &mut Vec<String>,
    ) -> Employee {
        let mut text =
            |member: &str, check: &dyn Fn(&str) -> Result<String, String>| -> Option<String> {
                match employee.get(member) {
                    None | Some(Value::Null) => None,
                    Some(Value::String(s)) if s.trim().is_empty() => None,
                    Some(Value::String(s)) => check(s.trim())
                        .map_err(|e| problems.push(format!("member {member}: {e}")))
                        .ok(),
                    Some(Value::Number(n)) if member == "id" || member == "esrIdentifier" => {
                        check(&n.to_string())
                            .map_err(|e| problems.push(format!("member {member}: {e}")))
                            .ok()
                    }
                    Some(_) => {
                        problems.push(format!("member {member}: is not a string"));
                        None
                    }
                }
            };
        let identifier = |scheme: IdScheme| {
            move |v: &str| {
                Identifier::new(scheme.clone(), v)
                    .map(|i| i.value)
                    .map_err(|e| e.to_string())
            }
        };
        let id = text("id", &identifier(scheme.clone()));
        let esr = text("esrIdentifier", &identifier(IdScheme::EsrPerson));
        let given = text("firstName", &fields::name);
        let family = text("surname", &fields::name);
        let date_of_birth = text("birthDate", &fields::date);
        let email = text("email", &fields::email);
        text("furtherInformation", &fields::text(500));
        let person = match (given, family) {
            (Some(given_name), Some(family_name)) => Some(PersonDetails {
                given_name,
                family_name,
                date_of_birth,
                email,
            }),
            (None, None) => None,
            _ => {
                problems.push("firstName and surname go together: give both or neither".to_owned());
                None
            }
        };
        if id.is_none() && !problems.iter().any(|p| p.starts_with("member id")) {
            problems.push(
                "member id: is required (the employee's ID in the sending system)".to_owned(),
            );
        }
        let mut identifiers = Vec::new();
        if let Some(id) = &id {
            identifiers.push(Identifier {
                scheme: scheme.clone(),
                value: id.clone(),
            });
        }
        if let Some(esr) = esr {
            identifiers.push(Identifier {
                scheme: IdScheme::EsrPerson,
                value: esr,
            });
        }
        Employee {
            id,
            identifiers,
            person,
        }
    }
}

enum Normalised {
    Skip(String),
    Bad(String),
}

/// One DSP record to its credential type and claims.
fn normalise(record: &Value) -> Result<(&'static str, Value), Normalised> {
    let Some(record_type) = record.get("recordType").and_then(Value::as_str) else {
        return Err(Normalised::Bad("member recordType: is required".to_owned()));
    };
    match normalise_dsp_record(Catalogue::nhs(), record) {
        Ok((credential, claims)) => Ok((credential.name, claims)),
        // The catalogue explains the types it leaves out on purpose as "<type>: <why>".
        Err(CatalogueError::UnknownType(message))
            if message.starts_with(&format!("{record_type}: ")) =>
        {
            Err(Normalised::Skip(format!("not a credential: {message}")))
        }
        Err(CatalogueError::UnknownType(_)) => Err(Normalised::Bad(format!(
            "member recordType: '{record_type}' is not a record type of the credential catalogue"
        ))),
        Err(error) => Err(Normalised::Bad(format!("{record_type}: {error}"))),
    }
}

/// The regulator identifier a ProfessionalRegistration record carries.
fn registration(claims: &Value) -> Result<Option<Identifier>, String> {
    let body = claims
        .get("professionalBody")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let number = claims
        .get("registrationNumber")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let scheme = match body {
        "General Medical Council" => IdScheme::Gmc,
        "Nursing and Midwifery Council" => IdScheme::Nmc,
        "Health and Care Professions Council" => IdScheme::Hcpc,
        _ => return Ok(None),
    };
    Identifier::new(scheme, number)
        .map(Some)
        .map_err(|e| format!("member registrationNumber: {e}"))
}

/// `:<value>:<value>` of the type's natural key claims (empty for one-per-person types such
/// as RightToWork, Identity and DBS supporting documents).
fn natural_key(type_name: &str, claims: &Value) -> String {
    let members = NATURAL_KEYS
        .iter()
        .find(|(name, _)| *name == type_name)
        .map_or(&[][..], |(_, members)| *members);
    members
        .iter()
        .map(|m| match claims.get(*m) {
            Some(Value::String(s)) => format!(":{s}"),
            Some(other) => format!(":{other}"),
            None => ":".to_owned(),
        })
        .collect()
}
