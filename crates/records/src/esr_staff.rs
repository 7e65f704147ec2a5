//! `esr-staff`: an ESR assignment extract, one row per assignment, one `Employment` record
//! per row.
//!
//! Pay columns (salary, pay scale, spinal or grade point, hourly rate...) may be in the
//! extract; they are not among the columns read, so they never reach a record. The NI
//! number is checked for shape (a wrong shape means shifted columns) and then dropped: it is
//! neither a claim nor an identifier.

use std::collections::HashMap;

use serde_json::{json, Map, Value};

use crate::fields::{self, one_of, schema_enum};
use crate::record::Collector;
use crate::table::{Row, Table};
use crate::{IdScheme, ParseReport, RecordsError, RowError, Source, SourceRecord};

const REQUIRED: &[&str] = &[
    "esr_person_id",
    "assignment_number",
    "forenames",
    "surname",
    "date_of_birth",
    "organisation_ods",
    "organisation_name",
    "staff_group",
    "job_role",
    "assignment_category",
    "assignment_status",
    "start_date",
];

const OPTIONAL: &[&str] = &[
    "title",
    "email",
    "ni_number",
    "gmc_number",
    "nmc_pin",
    "hcpc_number",
    "position_title",
    "grade",
    "whole_time_equivalent",
    "end_date",
    "primary_assignment",
];

/// ESR assignment categories and the Employment `contractType` each one is.
const CATEGORIES: &[(&str, &str)] = &[
    ("Permanent", "Permanent"),
    ("Fixed Term Temp", "Fixed term"),
    ("Fixed Term", "Fixed term"),
    ("Temporary", "Fixed term"),
    ("Honorary", "Honorary"),
    ("Secondment", "Secondment"),
    ("Bank", "Bank"),
];

/// Assignment statuses under which the assignment holds (it may still have a planned end).
const ACTIVE: &[&str] = &[
    "Active Assignment",
    "Active",
    "Acting Up",
    "Suspend Assignment",
    "Internal Secondment",
    "Out on External Secondment",
];

/// Statuses of an assignment that ended: a true piece of history, kept with its end date.
const ENDED: &[&str] = &["Terminate Assignment", "Terminated", "Ended"];

/// Statuses of an assignment that never held: withdrawn, credentials revoked.
const WITHDRAWN: &[&str] = &["Withdrawn", "Cancelled", "Entered in Error"];

pub(crate) fn parse(text: &str, org: &str) -> Result<ParseReport, RecordsError> {
    let table = Table::read(text, REQUIRED, OPTIONAL)?;
    let mut out = Collector::default();
    out.reject(table.unreadable.clone());
    // ESR person -> (assignment, line) of each primary assignment; an exact repeat of a
    // row is the same assignment.
    let mut primaries: HashMap<String, Vec<(String, usize)>> = HashMap::new();
    for mut row in table.rows() {
        if row.is_misshapen() {
            out.reject(row.into_errors());
            continue;
        }
        match assignment(&mut row, org) {
            Some((record, primary)) if !row.has_errors() => {
                if primary && !record.withdrawn {
                    let claim = |name: &str| {
                        let value = record.claims.get(name).and_then(Value::as_str);
                        value.unwrap_or_default().to_owned()
                    };
                    let seen = primaries.entry(claim("esrIdentifier")).or_default();
                    let number = claim("assignmentNumber");
                    if !seen.iter().any(|(n, _)| *n == number) {
                        seen.push((number, row.line));
                    }
                }
                out.accept(record);
            }
            _ => out.reject(row.into_errors()),
        }
    }
    for (person, assignments) in primaries {
        if assignments.len() > 1 {
            let lines: Vec<String> = assignments.iter().map(|(_, l)| l.to_string()).collect();
            let all = lines.join(", ");
            out.reject(assignments.iter().map(|(_, line)| RowError {
                line: *line,
                reason: format!(
                    "column primary_assignment: ESR person {person} has more than one primary assignment (lines {all})"
                ),
            }));
        }
    }
    out.finish(table.ignored)
}

/// One row: the Employment record and whether it is the person's primary assignment.
fn assignment(row: &mut Row<'_>, org: &str) -> Option<(SourceRecord, bool)> {
    let person_id = row.identifier("esr_person_id", IdScheme::EsrPerson, true);
    let assignment = row.identifier("assignment_number", IdScheme::EsrAssignment, true);
    let registrations = [
        row.identifier("gmc_number", IdScheme::Gmc, false),
        row.identifier("nmc_pin", IdScheme::Nmc, false),
        row.identifier("hcpc_number", IdScheme::Hcpc, false),
    ];
    row.optional("title", fields::text(30));
    row.optional("ni_number", ni_number);
    let person = row.person(true, true);
    let organisation = row.required("organisation_ods", fields::ods);
    if let Some(code) = &organisation {
        if !code.starts_with(org) {
            row.fail(
                "organisation_ods",
                format!("'{code}' is not the importing organisation {org} or one of its sites"),
            );
        }
    }
    let organisation_name = row.required("organisation_name", fields::text(200));
    let staff_group = row.required(
        "staff_group",
        one_of(&schema_enum("Employment", "staffGroup")),
    );
    let job_role = row.required("job_role", fields::text(200));
    let position = row.optional("position_title", fields::text(200));
    let grade = row.optional("grade", grade);
    let wte = row.optional("whole_time_equivalent", fields::wte);
    let category_names: Vec<&str> = CATEGORIES.iter().map(|(name, _)| *name).collect();
    let contract = row
        .required("assignment_category", one_of(&category_names))
        .and_then(|name| CATEGORIES.iter().find(|(n, _)| *n == name).map(|(_, c)| *c));
    let mut statuses: Vec<&str> = ACTIVE.to_vec();
    statuses.extend(ENDED);
    statuses.extend(WITHDRAWN);
    let status = row.required("assignment_status", one_of(&statuses));
    let start = row.required("start_date", fields::date);
    let end = row.optional("end_date", fields::date);
    let primary = row
        .optional("primary_assignment", fields::yes_no)
        .unwrap_or(false);
    if let (Some(start), Some(end)) = (&start, &end) {
        if end < start {
            row.fail(
                "end_date",
                format!("'{end}' is before the start date {start}"),
            );
        }
    }
    let status = status?;
    if ENDED.contains(&status.as_str()) && end.is_none() {
        row.fail(
            "end_date",
            format!("is required when the assignment status is {status}"),
        );
    }
    let withdrawn = WITHDRAWN.contains(&status.as_str());

    let (person_id, assignment) = (person_id?, assignment?);
    let mut claims = Map::new();
    claims.insert("recordType".into(), json!("Employment"));
    claims.insert("organisationOds".into(), json!(organisation?));
    claims.insert("organisationName".into(), json!(organisation_name?));
    claims.insert("assignmentNumber".into(), json!(assignment.value));
    claims.insert("esrIdentifier".into(), json!(person_id.value));
    claims.insert("staffGroup".into(), json!(staff_group?));
    claims.insert("jobRole".into(), json!(job_role?));
    if let Some(position) = position {
        claims.insert("positionTitle".into(), json!(position));
    }
    if let Some(grade) = grade {
        claims.insert("grade".into(), json!(grade));
    }
    claims.insert("contractType".into(), json!(contract?));
    if let Some(wte) = wte {
        claims.insert("wholeTimeEquivalent".into(), json!(wte));
    }
    claims.insert("startDate".into(), json!(start?));
    if let Some(end) = end {
        claims.insert("endDate".into(), json!(end));
    }
    let mut identifiers: Vec<_> = registrations.into_iter().flatten().collect();
    identifiers.push(person_id);
    identifiers.push(assignment.clone());
    crate::identifier::strongest_first(&mut identifiers);
    Some((
        SourceRecord {
            line: row.line,
            source: Source::Esr,
            identifiers,
            person: Some(person?),
            type_name: "Employment",
            key: format!("esr-assignment:{}", assignment.value),
            claims: Value::Object(claims),
            withdrawn,
        },
        primary,
    ))
}

/// A grade or band (`Band 5`, `ST3`, `Consultant`), never an amount of money.
fn grade(value: &str) -> Result<String, String> {
    if value.contains(['£', '$', '€']) || value.chars().filter(char::is_ascii_digit).count() > 2
    {
        return Err(format!("'{value}' looks like pay, which is never imported: give the band or grade, e.g. Band 5"));
    }
    fields::text(60)(value)
}

/// Shape of a National Insurance number (2 letters, 6 digits, A-D); the value itself is not
/// repeated in messages and never kept.
fn ni_number(value: &str) -> Result<(), String> {
    let compact: Vec<u8> = value
        .bytes()
        .filter(|b| *b != b' ')
        .map(|b| b.to_ascii_uppercase())
        .collect();
    let ok = compact.len() == 9
        && compact[..2].iter().all(u8::is_ascii_uppercase)
        && compact[2..8].iter().all(u8::is_ascii_digit)
        && (b'A'..=b'D').contains(&compact[8]);
    if ok {
        Ok(())
    } else {
        Err("is not a National Insurance number (2 letters, 6 digits, a letter A-D)".to_owned())
    }
}
