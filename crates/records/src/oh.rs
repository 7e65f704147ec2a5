//! `oh`: an occupational health system export, one record per row.
//!
//! `record_kind` says which: `clearance` (the HR-visible outcome), or the OH-only detail
//! `vaccination`, `test`, `observation`. Clinical columns must be empty on a clearance row
//! and clearance columns empty on the others, so health detail can never ride into an
//! HR-visible credential through a misaligned export.

use serde_json::{json, Map, Value};

use crate::fields::{self, one_of, schema_enum};
use crate::record::Collector;
use crate::table::{Row, Table};
use crate::{IdScheme, ParseReport, RecordsError, Source, SourceRecord};

const REQUIRED: &[&str] = &["esr_person_id", "record_kind"];

const OPTIONAL: &[&str] = &[
    "forenames",
    "surname",
    "date_of_birth",
    "email",
    "code",
    "description",
    "date",
    "result",
    "interpretation",
    "clearance_outcome",
    "adjustments_summary",
    "epp_cleared",
    "epp_clearance_date",
    "role_risk_category",
    "review_date",
    "oh_provider",
    "status",
];

const CLINICAL: &[&str] = &["code", "description", "result", "interpretation"];
const CLEARANCE: &[&str] = &[
    "clearance_outcome",
    "adjustments_summary",
    "epp_cleared",
    "epp_clearance_date",
    "role_risk_category",
    "review_date",
    "oh_provider",
];

pub(crate) fn parse(text: &str, org: &str) -> Result<ParseReport, RecordsError> {
    let table = Table::read(text, REQUIRED, OPTIONAL)?;
    let mut out = Collector::default();
    out.reject(table.unreadable.clone());
    for mut row in table.rows() {
        if row.is_misshapen() {
            out.reject(row.into_errors());
            continue;
        }
        match oh_record(&mut row, org) {
            Some(record) if !row.has_errors() => out.accept(record),
            _ => out.reject(row.into_errors()),
        }
    }
    out.finish(table.ignored)
}

fn oh_record(row: &mut Row<'_>, org: &str) -> Option<SourceRecord> {
    let person_id = row.identifier("esr_person_id", IdScheme::EsrPerson, true);
    let details = row.person(false, false);
    let withdrawn = row.withdrawn("status", &["Current", "Active"]);
    let kind = row.required(
        "record_kind",
        one_of(&["clearance", "vaccination", "test", "observation"]),
    )?;
    let person = person_id
        .as_ref()
        .map_or("", |id| id.value.as_str())
        .to_owned();
    let (type_name, key, claims) = match kind.as_str() {
        "clearance" => clearance(row, &person, org)?,
        "vaccination" => vaccination(row, &person)?,
        "test" => clinical_test(row, &person)?,
        _ => observation(row, &person)?,
    };
    Some(SourceRecord {
        line: row.line,
        source: Source::OccupationalHealth,
        identifiers: vec![person_id?],
        person: details,
        type_name,
        key,
        claims,
        withdrawn,
    })
}

type Built = (&'static str, String, Value);

fn clearance(row: &mut Row<'_>, person: &str, org: &str) -> Option<Built> {
    row.must_be_empty(
        CLINICAL,
        "on a clearance row (clinical detail never goes to HR)",
    );
    let outcome = row.required(
        "clearance_outcome",
        one_of(&schema_enum(
            "OccupationalHealthClearance",
            "clearanceOutcome",
        )),
    );
    let adjustments = row.optional("adjustments_summary", fields::text(500));
    let epp = row.required("epp_cleared", fields::yes_no);
    let epp_date = row.optional("epp_clearance_date", fields::date);
    match (epp, &epp_date) {
        (Some(true), None) => row.fail("epp_clearance_date", "is required when epp_cleared is Y"),
        (Some(false), Some(_)) => {
            row.fail("epp_clearance_date", "must be empty when epp_cleared is N")
        }
        _ => {}
    }
    let category = row.required("role_risk_category", fields::text(200));
    let assessed = row.required("date", fields::date);
    let review = row.optional("review_date", fields::date);
    if let (Some(assessed), Some(review)) = (&assessed, &review) {
        if review < assessed {
            row.fail(
                "review_date",
                format!("'{review}' is before the assessment date {assessed}"),
            );
        }
    }
    let provider = row
        .optional("oh_provider", fields::ods)
        .unwrap_or_else(|| org.to_owned());
    let category = category?;
    let mut claims = Map::new();
    claims.insert("recordType".into(), json!("OccupationalHealthClearance"));
    claims.insert("clearanceOutcome".into(), json!(outcome?));
    if let Some(adjustments) = adjustments {
        claims.insert("adjustmentsSummary".into(), json!(adjustments));
    }
    claims.insert("eppCleared".into(), json!(epp?));
    if let Some(date) = epp_date {
        claims.insert("eppClearanceDate".into(), json!(date));
    }
    claims.insert("roleRiskCategory".into(), json!(category));
    claims.insert("assessmentDate".into(), json!(assessed?));
    if let Some(review) = review {
        claims.insert("reviewDate".into(), json!(review));
    }
    claims.insert("ohProvider".into(), json!(provider));
    let key = format!("oh-clearance:{person}:{category}");
    Some(("OccupationalHealthClearance", key, Value::Object(claims)))
}

/// `code` and `description`, shared by the three OH-only kinds.
fn code_and_description(row: &mut Row<'_>, kind: &str) -> (Option<String>, Option<String>) {
    row.must_be_empty(CLEARANCE, &format!("on a {kind} row"));
    let code = row.required("code", code);
    let description = row.required("description", fields::text(200));
    (code, description)
}

fn vaccination(row: &mut Row<'_>, person: &str) -> Option<Built> {
    let (code, description) = code_and_description(row, "vaccination");
    row.must_be_empty(&["result", "interpretation"], "on a vaccination row");
    let date = row.required("date", fields::partial_date);
    let (code, date) = (code?, date?);
    let claims = json!({
        "recordType": "Vaccination",
        "code": code,
        "description": description?,
        "date": date,
    });
    Some((
        "Vaccination",
        format!("oh-vaccination:{person}:{code}:{date}"),
        claims,
    ))
}

fn clinical_test(row: &mut Row<'_>, person: &str) -> Option<Built> {
    let (code, description) = code_and_description(row, "test");
    let date = row.required("date", fields::partial_date);
    let result = row.optional("result", fields::text(200));
    let interpretation = row.required(
        "interpretation",
        one_of(&schema_enum("ClinicalTest", "interpretation")),
    );
    let (code, date) = (code?, date?);
    let mut claims = Map::new();
    claims.insert("recordType".into(), json!("ClinicalTest"));
    claims.insert("code".into(), json!(code));
    claims.insert("description".into(), json!(description?));
    claims.insert("date".into(), json!(date));
    if let Some(result) = result {
        claims.insert("result".into(), json!(result));
    }
    claims.insert("interpretation".into(), json!(interpretation?));
    Some((
        "ClinicalTest",
        format!("oh-test:{person}:{code}:{date}"),
        Value::Object(claims),
    ))
}

/// The national Observation record has no date: a `date` on the row is checked, not kept.
fn observation(row: &mut Row<'_>, person: &str) -> Option<Built> {
    let (code, description) = code_and_description(row, "observation");
    row.must_be_empty(&["interpretation"], "on an observation row");
    row.optional("date", fields::partial_date);
    let result = row.required("result", one_of(&schema_enum("Observation", "result")));
    let code = code?;
    let claims = json!({
        "recordType": "Observation",
        "code": code,
        "description": description?,
        "result": result?,
    });
    Some((
        "Observation",
        format!("oh-observation:{person}:{code}"),
        claims,
    ))
}

/// A code of the workforce screening and vaccination information model: letters, digits,
/// `-`, `_`, `.`, at most 40.
fn code(value: &str) -> Result<String, String> {
    if value.len() <= 40
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        Ok(value.to_owned())
    } else {
        Err(format!(
            "'{value}' is not a code (letters, digits, - _ . only, at most 40)"
        ))
    }
}
