//! Every shipped sample file parses, says what the README says it says, and the five files
//! describe the same people: importing them in turn, through `decide`, needs no review.

#![allow(clippy::unwrap_used)]

use std::collections::HashMap;

use passport_records::{
    decide, parse, parse_with_report, Candidate, IdScheme, Identifier, ImportKind, MatchDecision,
    Source, SourceRecord,
};
use serde_json::json;

const ESR_STAFF: &str = include_str!("../../../samples/esr-staff.csv");
const COMPETENCES: &str = include_str!("../../../samples/esr-competences.csv");
const OH: &str = include_str!("../../../samples/oh.csv");
const TIS: &str = include_str!("../../../samples/tis.csv");
const DSP: &str = include_str!("../../../samples/dsp.json");

fn by_key<'a>(records: &'a [SourceRecord], key: &str) -> &'a SourceRecord {
    records
        .iter()
        .find(|r| r.key == key)
        .unwrap_or_else(|| panic!("no record {key}"))
}

#[test]
fn esr_staff_sample() {
    let report = parse_with_report(ImportKind::EsrStaff, ESR_STAFF, "RHQ").unwrap();
    let records = &report.records;
    assert_eq!(records.len(), 12);
    assert!(report.ignored_columns.is_empty());
    assert!(records
        .iter()
        .all(|r| r.type_name == "Employment" && r.source == Source::Esr));
    // Amara: line 2, GMC first, then ESR person, then assignment.
    let amara = by_key(records, "esr-assignment:20000101");
    assert_eq!(amara.line, 2);
    let ids: Vec<String> = amara.identifiers.iter().map(ToString::to_string).collect();
    assert_eq!(
        ids,
        [
            "gmc:9100001",
            "esr-person:10000101",
            "esr-assignment:20000101"
        ]
    );
    assert_eq!(
        amara.person.as_ref().unwrap().date_of_birth.as_deref(),
        Some("1999-03-14")
    );
    assert_eq!(
        amara.claims,
        json!({
            "recordType": "Employment",
            "organisationOds": "RHQ",
            "organisationName": "Sheffield Teaching Hospitals NHS Foundation Trust",
            "assignmentNumber": "20000101",
            "esrIdentifier": "10000101",
            "staffGroup": "Medical and Dental",
            "jobRole": "Foundation Year 2",
            "positionTitle": "FY2 Doctor - Acute Medicine",
            "grade": "FY2",
            "contractType": "Fixed term",
            "wholeTimeEquivalent": 1.0,
            "startDate": "2025-08-06",
            "endDate": "2026-08-04"
        })
    );
    // Two concurrent assignments of one nurse, both with her NMC PIN.
    let bank = by_key(records, "esr-assignment:20000104-2");
    assert_eq!(bank.claims["contractType"], "Bank");
    assert!(bank
        .identifiers
        .contains(&Identifier::new(IdScheme::Nmc, "09Z0001E").unwrap()));
    assert!(by_key(records, "esr-assignment:20000104").identifiers[0].scheme == IdScheme::Nmc);
    // Ended assignment: history with an end date. Withdrawn offer: withdrawn.
    let ended = by_key(records, "esr-assignment:20000109");
    assert!(!ended.withdrawn);
    assert_eq!(ended.claims["endDate"], "2025-03-31");
    assert!(by_key(records, "esr-assignment:20000110").withdrawn);
    // A site of the importing trust is accepted.
    assert_eq!(
        by_key(records, "esr-assignment:20000111").claims["organisationOds"],
        "RHQ01"
    );
    // The NI number is in the file but nowhere in the records.
    let text = serde_json::to_string(records).unwrap();
    assert!(ESR_STAFF.contains("QQ100101A") && !text.contains("QQ100101A"));
}

#[test]
fn competences_sample() {
    let records = parse(ImportKind::EsrCompetences, COMPETENCES, "RHQ").unwrap();
    assert_eq!(records.len(), 26);
    assert!(records.iter().all(|r| r.source == Source::Learning));
    assert_eq!(records.iter().filter(|r| r.type_name == "Skill").count(), 3);
    assert_eq!(records.iter().filter(|r| r.withdrawn).count(), 1);
    let resus = by_key(
        &records,
        "cstf:10000101:Resuscitation Adult Basic Life Support:2",
    );
    assert_eq!(
        resus.claims,
        json!({
            "recordType": "CoreSkillsTraining",
            "competencyFramework": "CSTF",
            "subjectName": "Resuscitation",
            "competencyName": "Resuscitation Adult Basic Life Support",
            "subjectLevel": "2",
            "renewalPeriodNumber": "1",
            "renewalPeriodUnits": "Year",
            "proficiencyLevel": "1 - Assessed",
            "attainmentStatus": "ACHIEVED",
            "learningMethod": "Observation",
            "awardingOrganisation": "RHQ",
            "dateLastAwarded": "2025-08-07",
            "dateTo": "2026-08-06"
        })
    );
    let mand = by_key(
        &records,
        "mand:10000101:Oliver McGowan Mandatory Training Tier 1:1",
    );
    assert_eq!(mand.claims["competencyFramework"], "MAND");
    // Awarded elsewhere and brought along: the awarding organisation is kept.
    assert_eq!(
        by_key(&records, "cstf:10000102:Fire Safety:1").claims["awardingOrganisation"],
        "R0A"
    );
    let skill = by_key(&records, "skill:10000104:RHQ:Venepuncture");
    assert_eq!(skill.type_name, "Skill");
    assert_eq!(
        skill.claims["assessedBy"],
        json!({"name": "Ruth Adebayo", "role": "Clinical Nurse Educator"})
    );
    assert!(
        by_key(
            &records,
            "cstf:10000111:Resuscitation Newborn Life Support:2"
        )
        .withdrawn
    );
    // Every CSTF subject is in the sample.
    for subject in [
        "Conflict Resolution",
        "Equality, Diversity and Human Rights",
        "Fire Safety",
        "Health, Safety and Welfare",
        "Infection Prevention and Control",
        "Information Governance and Data Security",
        "Moving and Handling",
        "Preventing Radicalisation",
        "Resuscitation",
        "Safeguarding Adults",
        "Safeguarding Children",
    ] {
        assert!(
            records.iter().any(|r| r.claims["subjectName"] == subject),
            "{subject}"
        );
    }
}

#[test]
fn oh_sample() {
    let records = parse(ImportKind::OccupationalHealth, OH, "RHQ").unwrap();
    assert_eq!(records.len(), 19);
    let count = |t: &str| records.iter().filter(|r| r.type_name == t).count();
    assert_eq!(
        [
            count("OccupationalHealthClearance"),
            count("Vaccination"),
            count("ClinicalTest"),
            count("Observation")
        ],
        [6, 6, 6, 1]
    );
    let epp = by_key(
        &records,
        "oh-clearance:10000102:Clinical, exposure-prone procedures",
    );
    assert_eq!(
        epp.claims,
        json!({
            "recordType": "OccupationalHealthClearance",
            "clearanceOutcome": "Fit",
            "eppCleared": true,
            "eppClearanceDate": "2024-07-15",
            "roleRiskCategory": "Clinical, exposure-prone procedures",
            "assessmentDate": "2024-07-15",
            "ohProvider": "R0A"
        })
    );
    // Three doses of one vaccine are three records; partial dates are kept as given.
    assert!(
        by_key(&records, "oh-vaccination:10000102:HEPB001:2016-10-03").claims["date"]
            == "2016-10-03"
    );
    assert_eq!(
        by_key(&records, "oh-vaccination:10000101:MMR002:2003").claims["date"],
        "2003"
    );
    // Interpretation spelled as the DSP example spells it is normalised to the schema's.
    assert_eq!(
        by_key(&records, "oh-test:10000111:DTP002:2023-02-20").claims["interpretation"],
        "Not detected"
    );
}

#[test]
fn tis_sample() {
    let report = parse_with_report(ImportKind::TisPlacements, TIS, "RHQ").unwrap();
    let records = &report.records;
    // 7 rows, each a programme and a placement; three memberships span two rows each.
    assert_eq!(report.duplicates, 3);
    assert_eq!(records.len(), 11);
    assert!(records
        .iter()
        .all(|r| r.identifiers[0].scheme == IdScheme::Gmc));
    let programme = by_key(records, "tis-programme:9100002:GS-YH-0042");
    assert_eq!(programme.claims["trainingNumber"], "YHD/GS/0042/N");
    assert_eq!(programme.claims["gmcNumber"], "9100002");
    let deleted = by_key(records, "tis-placement:330001");
    assert!(deleted.withdrawn);
    assert_eq!(deleted.claims["siteCode"], "RJ101");
    assert!(!by_key(records, "tis-programme:9100003:CPT-YH-0108").withdrawn);
    let hosted = by_key(records, "tis-placement:340002");
    assert_eq!(hosted.claims["employingBodyOds"], "R0A");
    assert_eq!(hosted.claims["trainingBodyOds"], "RHQ");
    assert_eq!(hosted.claims["wholeTimeEquivalent"], 1.0);
}

#[test]
fn dsp_sample() {
    let report = parse_with_report(ImportKind::DspJson, DSP, "RHQ").unwrap();
    let records = &report.records;
    assert_eq!(records.len(), 9);
    assert!(report.skipped.is_empty());
    let identity = by_key(records, "dsp:rhq-recruitment:E1001:Identity");
    assert_eq!(identity.claims["GPG45profile"], "H1A");
    let registration = by_key(
        records,
        "dsp:rhq-recruitment:E1001:ProfessionalRegistration:General Medical Council:9100001",
    );
    assert_eq!(registration.claims["registrationNumber"], "9100001");
    let ids: Vec<String> = registration
        .identifiers
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        ids,
        [
            "gmc:9100001",
            "esr-person:10000101",
            "local:RHQ/rhq-recruitment:E1001"
        ]
    );
    // The GMC number from the registration record identifies all of Amara's records.
    let dbs = by_key(
        records,
        "dsp:rhq-recruitment:E1001:DBSCheckOutcome:009100001001",
    );
    assert_eq!(dbs.identifiers, registration.identifiers);
    assert_eq!(dbs.claims["adultsBarredListChecked"], true);
    let rtw = by_key(records, "dsp:rhq-recruitment:E1001:RightToWork");
    assert_eq!(
        rtw.claims["rightToWorkCheckType"],
        "IDSP British/Irish passport"
    );
    let hcpc = by_key(records, "dsp:rhq-recruitment:E1011:ProfessionalRegistration:Health and Care Professions Council:PH99002");
    assert_eq!(hcpc.identifiers[0].to_string(), "hcpc:PH99002");
}

/// A toy store: people with identifiers, records attached through `decide`, as the real
/// store does. Importing all samples in turn sends nothing to review.
#[test]
fn the_samples_describe_the_same_people() {
    let mut people: Vec<Candidate> = Vec::new();
    let mut attached: HashMap<String, Vec<String>> = HashMap::new();
    for (kind, text) in [
        (ImportKind::EsrStaff, ESR_STAFF),
        (ImportKind::EsrCompetences, COMPETENCES),
        (ImportKind::OccupationalHealth, OH),
        (ImportKind::TisPlacements, TIS),
        (ImportKind::DspJson, DSP),
    ] {
        for record in parse(kind, text, "RHQ").unwrap() {
            let found: Vec<Candidate> = people
                .iter()
                .filter(|p| record.identifiers.iter().any(|i| p.identifiers.contains(i)))
                .cloned()
                .collect();
            let person_id = match decide(&record.identifiers, record.person.as_ref(), &found) {
                MatchDecision::New => {
                    let details = record.person.clone().unwrap();
                    people.push(Candidate {
                        person_id: format!("p-{}", people.len() + 1),
                        given_name: details.given_name,
                        family_name: details.family_name,
                        date_of_birth: details.date_of_birth,
                        identifiers: Vec::new(),
                    });
                    people.len() - 1
                }
                MatchDecision::Existing(id) => {
                    people.iter().position(|p| p.person_id == id).unwrap()
                }
                MatchDecision::Review { reason, .. } => {
                    panic!("{kind} line {}: {reason}", record.line)
                }
            };
            let person = &mut people[person_id];
            for id in &record.identifiers {
                if !person.identifiers.contains(id) {
                    person.identifiers.push(id.clone());
                }
            }
            attached
                .entry(person.person_id.clone())
                .or_default()
                .push(record.key);
        }
    }
    // Eleven ESR staff plus one trainee hosted from another trust.
    assert_eq!(people.len(), 12);
    let amara = people.iter().find(|p| p.family_name == "Okafor").unwrap();
    let sources: Vec<&str> = attached[&amara.person_id]
        .iter()
        .map(|k| k.split(':').next().unwrap())
        .collect();
    for prefix in [
        "esr-assignment",
        "cstf",
        "mand",
        "oh-clearance",
        "tis-programme",
        "tis-placement",
        "dsp",
    ] {
        assert!(sources.contains(&prefix), "{prefix}");
    }
    let doctors = people
        .iter()
        .filter(|p| p.identifiers.iter().any(|i| i.scheme == IdScheme::Gmc))
        .count();
    assert_eq!(doctors, 4);
}
