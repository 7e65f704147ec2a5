//! `esr-competences`: ESR competences, one row per competence held.
//!
//! National names (`NHS|CSTF|...|`, `NHS|MAND|...|`) give `CoreSkillsTraining` records;
//! local clinical skills, named `<ODS>|SKILL|<skill>|` (e.g. `RHQ|SKILL|Venepuncture|`),
//! give `Skill` records and need an assessor. One row per competence: a newer award of the
//! same competence is a new file's business (it supersedes), so two different awards of one
//! competence in one file are refused as a conflict.

use serde_json::{json, Map, Value};

use crate::competence::{parse_competence_name, parse_local_skill};
use crate::fields;
use crate::record::Collector;
use crate::table::{Row, Table};
use crate::{IdScheme, ParseReport, RecordsError, Source, SourceRecord};

const REQUIRED: &[&str] = &["esr_person_id", "competence_name", "date_achieved"];

const OPTIONAL: &[&str] = &[
    "forenames",
    "surname",
    "date_of_birth",
    "email",
    "expiry_date",
    "awarding_organisation",
    "learning_method",
    "assessed",
    "assessor_name",
    "assessor_role",
    "description",
    "status",
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
        match competence(&mut row, org) {
            Some(record) if !row.has_errors() => out.accept(record),
            _ => out.reject(row.into_errors()),
        }
    }
    out.finish(table.ignored)
}

fn competence(row: &mut Row<'_>, org: &str) -> Option<SourceRecord> {
    let person_id = row.identifier("esr_person_id", IdScheme::EsrPerson, true);
    let details = row.person(false, false);
    let achieved = row.required("date_achieved", fields::date);
    let expiry = row.optional("expiry_date", fields::date);
    if let (Some(achieved), Some(expiry)) = (&achieved, &expiry) {
        if expiry < achieved {
            row.fail(
                "expiry_date",
                format!("'{expiry}' is before the date achieved {achieved}"),
            );
        }
    }
    let awarding = row.optional("awarding_organisation", fields::ods);
    let withdrawn = row.withdrawn("status", &["Achieved", "Current"]);
    let name = row.required("competence_name", |v| Ok(v.to_owned()))?;
    // Without a valid person ID the row is already refused; the rest is still checked.
    let person = person_id
        .as_ref()
        .map_or("", |id| id.value.as_str())
        .to_owned();
    let (type_name, key, claims) = if name.starts_with("NHS|") {
        let awarding = awarding.unwrap_or_else(|| org.to_owned());
        national(row, &person, &name, awarding, achieved, expiry)?
    } else if let Some((ods, skill)) = parse_local_skill(&name) {
        local_skill(row, &person, ods, skill, awarding, achieved, expiry)?
    } else {
        row.fail(
            "competence_name",
            format!("'{name}' is neither a national competence (NHS|CSTF|<subject> - <period>|, NHS|MAND|...|) nor a local skill (<ODS>|SKILL|<skill>|)"),
        );
        return None;
    };
    Some(SourceRecord {
        line: row.line,
        source: Source::Learning,
        key,
        identifiers: vec![person_id?],
        person: details,
        type_name,
        claims,
        withdrawn,
    })
}

type Built = (&'static str, String, Value);

/// A `CoreSkillsTraining` record from a national competence name.
fn national(
    row: &mut Row<'_>,
    person: &str,
    name: &str,
    awarding: String,
    achieved: Option<String>,
    expiry: Option<String>,
) -> Option<Built> {
    let learning_method = row.optional("learning_method", fields::text(100));
    let assessed = row.optional("assessed", fields::yes_no);
    row.optional("assessor_name", fields::name);
    row.optional("assessor_role", fields::text(200));
    let described = row.cell("description").is_some();
    if described {
        row.fail(
            "description",
            "is only for local skills (<ODS>|SKILL|<skill>|)",
        );
    }
    let parsed = match parse_competence_name(name) {
        Ok(parsed) => parsed,
        Err(error) => {
            row.fail("competence_name", error);
            return None;
        }
    };
    // Assessed when the file says so, or when it names an assessor.
    let assessed = assessed.or_else(|| row.cell("assessor_name").map(|_| true));
    let mut claims = Map::new();
    claims.insert("recordType".into(), json!("CoreSkillsTraining"));
    claims.insert("competencyFramework".into(), json!(parsed.framework));
    claims.insert("subjectName".into(), json!(parsed.subject));
    claims.insert("competencyName".into(), json!(parsed.competency_name));
    claims.insert("subjectLevel".into(), json!(parsed.level));
    claims.insert(
        "renewalPeriodNumber".into(),
        json!(parsed.renewal_number.to_string()),
    );
    claims.insert("renewalPeriodUnits".into(), json!(parsed.renewal_units));
    if let Some(assessed) = assessed {
        let level = if assessed {
            "1 - Assessed"
        } else {
            "0 - Not Assessed"
        };
        claims.insert("proficiencyLevel".into(), json!(level));
    }
    claims.insert("attainmentStatus".into(), json!("ACHIEVED"));
    if let Some(method) = learning_method {
        claims.insert("learningMethod".into(), json!(method));
    }
    claims.insert("awardingOrganisation".into(), json!(awarding));
    claims.insert("dateLastAwarded".into(), json!(achieved?));
    if let Some(expiry) = expiry {
        claims.insert("dateTo".into(), json!(expiry));
    }
    let prefix = parsed.framework.to_ascii_lowercase();
    let key = format!(
        "{prefix}:{person}:{}:{}",
        parsed.competency_name, parsed.level
    );
    Some(("CoreSkillsTraining", key, Value::Object(claims)))
}

/// A `Skill` record from `<ODS>|SKILL|<skill>|`: the assessor is required.
fn local_skill(
    row: &mut Row<'_>,
    person: &str,
    ods: String,
    skill: String,
    awarding: Option<String>,
    achieved: Option<String>,
    expiry: Option<String>,
) -> Option<Built> {
    if let Some(awarding) = awarding.filter(|a| *a != ods) {
        row.fail(
            "awarding_organisation",
            format!("'{awarding}' differs from {ods}, the organisation named in the skill"),
        );
    }
    row.must_be_empty(
        &["learning_method", "assessed"],
        "for a local skill (it is always assessed)",
    );
    let assessor = row.required("assessor_name", fields::name);
    let role = row.required("assessor_role", fields::text(200));
    let description = row.optional("description", fields::text(1000));
    let mut claims = Map::new();
    claims.insert("recordType".into(), json!("Skill"));
    claims.insert("skillName".into(), json!(skill));
    if let Some(description) = description {
        claims.insert("description".into(), json!(description));
    }
    claims.insert(
        "assessedBy".into(),
        json!({ "name": assessor?, "role": role? }),
    );
    claims.insert("assessmentDate".into(), json!(achieved?));
    if let Some(expiry) = expiry {
        claims.insert("expiryDate".into(), json!(expiry));
    }
    claims.insert("awardingOrganisation".into(), json!(ods));
    let key = format!("skill:{person}:{ods}:{skill}");
    Some(("Skill", key, Value::Object(claims)))
}
