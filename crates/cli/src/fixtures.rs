//! A small synthetic NHS: a registry, three trusts, NHS England and an OH provider, each with a
//! key and the credential types it may issue. Organisation codes follow real ODS formats; every
//! person is invented.
use anyhow::{Context, Result};
use passport_jose::{Es256Signer, Signer};
use passport_server::orgs::OrgConfig;
use passport_trust_list::{OrgKind, TrustList};
use serde_json::{json, Map, Value};

pub const HOST: &str = "https://passport.localhost";

/// The synthetic organisations, the same as the server demo's.
pub fn orgs() -> Vec<OrgConfig> {
    passport_server::orgs::demo_orgs()
}

pub fn issuer_id(ods: &str) -> String {
    passport_server::orgs::issuer_id(HOST, ods)
}

/// The trust list of [`orgs`], one key each from `signers` (same order).
pub fn trust_list(signers: &[Es256Signer], now: i64) -> TrustList {
    let orgs = orgs();
    let entries: Vec<(&OrgConfig, OrgKind, &dyn Signer)> = orgs
        .iter()
        .zip(signers)
        .filter_map(|(o, s)| o.org_kind().map(|k| (o, k, s as &dyn Signer)))
        .collect();
    passport_server::orgs::trust_list(HOST, &entries, now)
}

/// Fresh in-memory keys for every organisation (benchmarks and tests).
pub fn ephemeral_signers() -> Result<Vec<Es256Signer>> {
    orgs()
        .iter()
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
