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

/// How many organisations a national trust list holds, about: the NHS trusts of England,
/// NHS England and the occupational health providers.
pub const NATIONAL_LIST_SIZE: usize = 250;

/// The trust list of [`trust_list`] grown to [`NATIONAL_LIST_SIZE`] with synthetic trusts
/// (three-character codes `RAA`, `RAB`, ... not already taken; names say they are synthetic;
/// one further key for them all), in ODS code order as the registry publishes it: what a
/// verifier looks issuers up in, in production.
pub fn national_trust_list(signers: &[Es256Signer], now: i64) -> Result<TrustList> {
    let mut list = trust_list(signers, now);
    let (key, _) = Es256Signer::generate().context("key generation")?;
    let codes = (b'A'..=b'Z').flat_map(|a| (b'A'..=b'Z').map(move |b| [b'R', a, b]));
    for code in codes {
        if list.organisations.len() >= NATIONAL_LIST_SIZE {
            break;
        }
        let code = String::from_utf8_lossy(&code).into_owned();
        if list.organisations.iter().any(|o| o.ods_code == code) {
            continue;
        }
        list.organisations.push(passport_trust_list::Organisation {
            name: format!("Synthetic NHS Trust {code}"),
            kind: OrgKind::Trust,
            issuer: issuer_id(&code),
            jwks: passport_jose::Jwks {
                keys: vec![key.public_jwk().clone()],
            },
            may_issue: Vec::new(),
            may_verify: true,
            ods_code: code,
        });
    }
    list.organisations
        .sort_by(|a, b| a.ods_code.cmp(&b.ods_code));
    list.validate()?;
    Ok(list)
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
