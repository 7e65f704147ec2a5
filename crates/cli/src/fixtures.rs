//! A small synthetic NHS: a registry, three trusts, NHS England and an OH provider, each with a
//! key and the credential types it may issue. Organisation codes follow real ODS formats; every
//! person is invented.
use anyhow::{Context, Result};
use passport_catalogue::{Audience, Catalogue};
use passport_jose::{Es256Signer, Jwks, Signer};
use passport_trust_list::{OrgKind, Organisation, TrustList};
use serde_json::{json, Map, Value};

pub const HOST: &str = "https://passport.localhost";

/// (ODS code, name, kind, record types it may issue; empty = every HR-visible type).
pub const ORGS: &[(&str, &str, OrgKind, &[&str])] = &[
    (
        "RHQ",
        "Northfield Teaching Hospitals NHS Foundation Trust (synthetic)",
        OrgKind::Trust,
        &[],
    ),
    (
        "R0A",
        "Eastbridge University NHS Foundation Trust (synthetic)",
        OrgKind::Trust,
        &[],
    ),
    (
        "RTH",
        "Westmoor Hospitals NHS Trust (synthetic)",
        OrgKind::Trust,
        &[],
    ),
    (
        "X24",
        "NHS England",
        OrgKind::NhsEngland,
        &["TrainingProgramme", "TrainingPlacement"],
    ),
    (
        "OHP01",
        "Synthetic Occupational Health Service",
        OrgKind::OccupationalHealthProvider,
        &[
            "OccupationalHealthClearance",
            "Vaccination",
            "ClinicalTest",
            "Observation",
        ],
    ),
];

pub fn issuer_id(ods: &str) -> String {
    format!("{HOST}/issuers/{ods}")
}

/// The credential types an organisation of this row may issue.
fn may_issue(catalogue: &Catalogue, kind: OrgKind, types: &[&str]) -> Vec<String> {
    catalogue
        .iter()
        .filter(|t| {
            if types.is_empty() {
                kind == OrgKind::Trust
                    && t.audience == Audience::Hr
                    && !matches!(t.name, "TrainingProgramme" | "TrainingPlacement")
            } else {
                types.contains(&t.name)
            }
        })
        .map(|t| t.vct.clone())
        .collect()
}

/// The trust list signed by `registry`, with one key per organisation from `signers` (same order
/// as [`ORGS`]).
pub fn trust_list(signers: &[Es256Signer], now: i64) -> TrustList {
    let catalogue = Catalogue::nhs();
    let organisations = ORGS
        .iter()
        .zip(signers)
        .map(|((ods, name, kind, types), signer)| Organisation {
            ods_code: (*ods).into(),
            name: (*name).into(),
            kind: *kind,
            issuer: issuer_id(ods),
            jwks: Jwks {
                keys: vec![signer.public_jwk().clone()],
            },
            may_issue: may_issue(catalogue, *kind, types),
            may_verify: *kind == OrgKind::Trust || *kind == OrgKind::OccupationalHealthProvider,
        })
        .collect();
    TrustList {
        sequence: 1,
        iat: now,
        exp: now + 7 * 86_400,
        organisations,
    }
}

/// Fresh in-memory keys for every organisation (benchmarks and tests).
pub fn ephemeral_signers() -> Result<Vec<Es256Signer>> {
    ORGS.iter()
        .map(|_| {
            Es256Signer::generate()
                .map(|(s, _)| s)
                .context("key generation")
        })
        .collect()
}

/// A typical CSTF record, in the DSP API's CoreSkillsTraining shape.
pub fn cstf_record(awarding_ods: &str) -> Map<String, Value> {
    let v = json!({
        "recordType": "CoreSkillsTraining",
        "competencyFramework": "CSTF",
        "subjectName": "Resuscitation",
        "competencyName": "Resuscitation Adult Basic Life Support",
        "subjectLevel": "2",
        "renewalPeriodNumber": "1",
        "renewalPeriodUnits": "Year",
        "proficiencyLevel": "1 - Assessed",
        "attainmentStatus": "ACHIEVED",
        "learningMethod": "Face to Face",
        "awardingOrganisation": awarding_ods,
        "dateLastAwarded": "2026-09-14",
        "dateTo": "2027-09-13"
    });
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}
