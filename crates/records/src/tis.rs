//! `tis`: an NHS England TIS placement export, one row per placement of a doctor in
//! training, each giving a `TrainingProgramme` (the programme membership; repeated rows of
//! the same membership are duplicates) and a `TrainingPlacement`. The trainee is known by
//! GMC number.

use serde_json::{json, Map, Value};

use crate::fields::{self, one_of, schema_enum};
use crate::record::Collector;
use crate::table::{Row, Table};
use crate::{IdScheme, ParseReport, RecordsError, Source, SourceRecord};

const REQUIRED: &[&str] = &[
    "gmc_number",
    "forenames",
    "surname",
    "programme_name",
    "programme_number",
    "programme_start_date",
    "programme_end_date",
    "placement_id",
    "site_code",
    "grade",
    "specialty",
    "national_post_number",
    "employing_body_ods",
    "placement_start_date",
    "placement_end_date",
    "whole_time_equivalent",
    "placement_status",
];

const OPTIONAL: &[&str] = &[
    "email",
    "date_of_birth",
    "training_number",
    "curriculum",
    "programme_specialty",
    "designated_body",
    "local_office",
    "site_name",
    "training_body_ods",
    "placement_type",
];

/// TIS placement statuses; `Deleted` withdraws the placement.
const STATUSES: &[&str] = &["Current", "Future", "Past", "Deleted"];

pub(crate) fn parse(text: &str, _org: &str) -> Result<ParseReport, RecordsError> {
    let table = Table::read(text, REQUIRED, OPTIONAL)?;
    let mut out = Collector::default();
    out.reject(table.unreadable.clone());
    for mut row in table.rows() {
        if row.is_misshapen() {
            out.reject(row.into_errors());
            continue;
        }
        match placement_row(&mut row) {
            Some(records) if !row.has_errors() => records.into_iter().for_each(|r| out.accept(r)),
            _ => out.reject(row.into_errors()),
        }
    }
    out.finish(table.ignored)
}

fn placement_row(row: &mut Row<'_>) -> Option<[SourceRecord; 2]> {
    let gmc = row.identifier("gmc_number", IdScheme::Gmc, true);
    let person = row.person(true, false);
    let programme = programme(row, gmc.as_ref().map(|g| g.value.clone()));
    let placement = placement(row);
    let status = row.required("placement_status", one_of(STATUSES));
    let (gmc, person, (programme_key, programme), placement) =
        (gmc?, person?, programme?, placement?);
    let placement_key = format!(
        "tis-placement:{}",
        placement
            .get("placementId")
            .and_then(Value::as_str)
            .unwrap_or_default()
    );
    let record = |type_name, key, claims, withdrawn| SourceRecord {
        line: row.line,
        source: Source::Tis,
        identifiers: vec![gmc.clone()],
        person: Some(person.clone()),
        type_name,
        key,
        claims,
        withdrawn,
    };
    Some([
        record("TrainingProgramme", programme_key, programme, false),
        record(
            "TrainingPlacement",
            placement_key,
            placement,
            status? == "Deleted",
        ),
    ])
}

/// The programme membership and its key `tis-programme:<GMC>:<programme number>`. Its
/// specialty is `programme_specialty`, else `curriculum`, else the programme name: never the
/// placement's specialty, which changes from row to row.
fn programme(row: &mut Row<'_>, gmc: Option<String>) -> Option<(String, Value)> {
    let name = row.required("programme_name", fields::text(200));
    let number = row.required("programme_number", fields::text(40));
    let training_number = row.optional("training_number", fields::text(40));
    let curriculum = row.optional("curriculum", fields::text(200));
    let specialty = row.optional("programme_specialty", fields::text(200));
    let designated_body = row.optional("designated_body", fields::text(200));
    let local_office = row.optional("local_office", fields::text(200));
    let start = row.required("programme_start_date", fields::date);
    let end = row.required("programme_end_date", fields::date);
    ordered(row, "programme_end_date", &start, &end);
    let (name, number) = (name?, number?);
    let specialty = specialty
        .or_else(|| curriculum.clone())
        .unwrap_or_else(|| name.clone());
    let mut claims = Map::new();
    claims.insert("recordType".into(), json!("TrainingProgramme"));
    claims.insert("programmeName".into(), json!(name));
    claims.insert("programmeNumber".into(), json!(number));
    if let Some(training_number) = training_number {
        claims.insert("trainingNumber".into(), json!(training_number));
    }
    if let Some(curriculum) = curriculum {
        claims.insert("curriculum".into(), json!(curriculum));
    }
    claims.insert("specialty".into(), json!(specialty));
    claims.insert("programmeStartDate".into(), json!(start?));
    claims.insert("programmeEndDate".into(), json!(end?));
    let gmc = gmc?;
    claims.insert("gmcNumber".into(), json!(gmc));
    if let Some(body) = designated_body {
        claims.insert("designatedBody".into(), json!(body));
    }
    if let Some(office) = local_office {
        claims.insert("localOffice".into(), json!(office));
    }
    Some((
        format!("tis-programme:{gmc}:{number}"),
        Value::Object(claims),
    ))
}

/// The placement. Its training body is `training_body_ods`, else the trust whose site it is
/// (the first three characters of the site code).
fn placement(row: &mut Row<'_>) -> Option<Value> {
    let id = row.required("placement_id", placement_id);
    let site = row.required("site_code", fields::site_code);
    let site_name = row.optional("site_name", fields::text(200));
    let grade = row.required("grade", one_of(&schema_enum("TrainingPlacement", "grade")));
    let specialty = row.required("specialty", fields::text(200));
    let post = row.required("national_post_number", fields::text(60));
    let employer = row.required("employing_body_ods", fields::ods);
    let trainer = row.optional("training_body_ods", fields::ods);
    let start = row.required("placement_start_date", fields::date);
    let end = row.required("placement_end_date", fields::date);
    ordered(row, "placement_end_date", &start, &end);
    let wte = row.required("whole_time_equivalent", fields::wte);
    let kind = row.optional("placement_type", fields::text(60));
    let site = site?;
    let trainer = trainer.unwrap_or_else(|| site[..3].to_owned());
    let mut claims = Map::new();
    claims.insert("recordType".into(), json!("TrainingPlacement"));
    claims.insert("placementId".into(), json!(id?));
    claims.insert("nationalPostNumber".into(), json!(post?));
    claims.insert("siteCode".into(), json!(site));
    if let Some(name) = site_name {
        claims.insert("siteName".into(), json!(name));
    }
    claims.insert("employingBodyOds".into(), json!(employer?));
    claims.insert("trainingBodyOds".into(), json!(trainer));
    claims.insert("grade".into(), json!(grade?));
    claims.insert("specialty".into(), json!(specialty?));
    claims.insert("startDate".into(), json!(start?));
    claims.insert("endDate".into(), json!(end?));
    claims.insert("wholeTimeEquivalent".into(), json!(wte?));
    if let Some(kind) = kind {
        claims.insert("placementType".into(), json!(kind));
    }
    Some(Value::Object(claims))
}

/// An end date must not come before its start date.
fn ordered(row: &mut Row<'_>, column: &str, start: &Option<String>, end: &Option<String>) {
    if let (Some(start), Some(end)) = (start, end) {
        if end < start {
            row.fail(column, format!("'{end}' is before the start date {start}"));
        }
    }
}

/// A TIS placement ID: letters, digits and hyphens, at most 36 (numbers or UUIDs).
fn placement_id(value: &str) -> Result<String, String> {
    if !value.is_empty()
        && value.len() <= 36
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        Ok(value.to_owned())
    } else {
        Err(format!(
            "'{value}' is not a placement ID (letters, digits and -, at most 36)"
        ))
    }
}
