//! `passport walkthrough`: the passport's core journey in one terminal run, on synthetic data.
use crate::fixtures::{self, issuer_id};
use anyhow::{anyhow, Context, Result};
use passport_catalogue::Catalogue;
use passport_credentials::{
    CredentialIssuer, EngineError, IssueRequest, PresentationVerifier, StatusLists,
};
use passport_jose::{b64, Es256Signer, Signer};
use passport_keystore::{KdfParams, KeyStore};
use passport_sd_jwt::issue::RandomSalts;
use passport_sd_jwt::vc::StatusReference;
use passport_sd_jwt::{ClaimPath, KbExpectation, SdJwt};
use passport_status_list::{sign_token, StatusList};
use passport_trust_list::TrustList;
use ring::rand::{SecureRandom, SystemRandom};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

pub fn now() -> Result<i64> {
    Ok(std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs() as i64)
}

/// The demo's passphrase: from the environment if set, else a random one kept beside the store
/// (readable by the owner only). Fine for a demo folder; production sets the environment.
pub fn demo_passphrase(dir: &Path) -> Result<String> {
    if let Ok(p) = std::env::var("PASSPORT_KEYSTORE_PASSPHRASE") {
        return Ok(p);
    }
    let file = dir.join("keystore.passphrase");
    if let Ok(p) = std::fs::read_to_string(&file) {
        return Ok(p.trim().to_string());
    }
    let mut bytes = [0u8; 24];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| anyhow!("random number generator failed"))?;
    let p = b64::encode(bytes);
    std::fs::create_dir_all(dir)?;
    std::fs::write(&file, &p)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(p)
}

fn step(n: u32, text: &str) {
    println!("\n== {n}. {text}");
}

pub fn run(data_dir: Option<PathBuf>) -> Result<()> {
    let tmp;
    let dir = match data_dir {
        Some(d) => d,
        None => {
            tmp = std::env::temp_dir().join(format!("passport-demo-{}", std::process::id()));
            tmp.clone()
        }
    };
    let now = now()?;
    println!(
        "NHS Staff Passport demo (synthetic organisations and staff). Data folder: {}",
        dir.display()
    );

    step(
        1,
        "Key store: one ES256 key per organisation, encrypted at rest (argon2id + AES-256-GCM)",
    );
    let mut store = KeyStore::open_or_create(
        &dir.join("issuer.keystore"),
        demo_passphrase(&dir)?.as_bytes(),
        KdfParams::default(),
    )?;
    let registry = store.signer_or_generate("registry", now)?;
    let orgs = fixtures::orgs();
    let signers: Vec<Es256Signer> = orgs
        .iter()
        .map(|o| store.signer_or_generate(&o.ods_code, now))
        .collect::<Result<_, _>>()?;
    for (o, s) in orgs.iter().zip(&signers) {
        println!("   {:<6} {}  kid={}", o.ods_code, o.name, s.kid());
    }

    step(
        2,
        "Trust list: signed by the national registry, verified by every node",
    );
    let token = fixtures::trust_list(&signers, now).sign(&registry)?;
    let trust = TrustList::verify(&token, &registry.public_jwk().verifying_key()?, now)?;
    println!(
        "   {} organisations, {} bytes signed",
        trust.organisations.len(),
        token.len()
    );

    step(
        3,
        "RHQ issues a CSTF credential and a DBS outcome to a synthetic doctor's wallet key",
    );
    let catalogue = Catalogue::nhs();
    let (wallet, _) = Es256Signer::generate()?;
    let rhq = CredentialIssuer {
        iss: issuer_id("RHQ"),
        signer: &signers[0],
        catalogue,
        max_decoys: 3,
    };
    let status_uri = format!("{}/status/1", issuer_id("RHQ"));
    let mut list = StatusList::new(1024, 2)?;
    let mut salts = RandomSalts::default();
    let vct = |name: &str| {
        catalogue
            .by_name(name)
            .map(|t| t.vct.clone())
            .context("catalogue type")
    };
    let cstf = rhq.issue(
        &IssueRequest {
            vct: vct("CoreSkillsTraining")?,
            claims: Value::Object(fixtures::cstf_record("RHQ")),
            holder: wallet.public_jwk().clone(),
            status: StatusReference {
                uri: status_uri.clone(),
                idx: 0,
            },
            iat: now,
            exp: None,
        },
        &mut salts,
    )?;
    let dbs = rhq
        .issue(
            &IssueRequest {
                vct: vct("DBSCheckOutcome")?,
                claims: json!({
                    "recordType": "DBSCheckOutcome", "applicantFirstName": "Amara", "applicantMiddleNames": "",
                    "applicantSurname": "Okafor-Test", "applicantDateOfBirth": "1994-03-02",
                    "typeOfDbsCheck": "Enhanced with barred list(s) check", "adultsBarredListChecked": true,
                    "childrensBarredListChecked": true, "certificateNumber": "001234567890",
                    "disclosureIssueDate": "2025-07-01", "informationDisclosed": false, "workforceType": "Child and Adult",
                    "registeredBodyNumber": "20012345678", "registeredBodyName": "Northfield Teaching Hospitals (synthetic)"
                }),
                holder: wallet.public_jwk().clone(),
                status: StatusReference { uri: status_uri.clone(), idx: 1 },
                iat: now,
                exp: None,
            },
            &mut salts,
        )?
        ;
    println!(
        "   CSTF credential: {} bytes; DBS credential: {} bytes",
        cstf.len(),
        dbs.len()
    );

    step(
        4,
        "The doctor shares with R0A only what the role needs (selective disclosure + key binding)",
    );
    let aud = "x509_san_dns:r0a.passport.localhost";
    let nonce = "demo-nonce-7f3a";
    let dbs_share = [
        "typeOfDbsCheck",
        "adultsBarredListChecked",
        "childrensBarredListChecked",
        "disclosureIssueDate",
        "informationDisclosed",
    ]
    .map(|k| ClaimPath::keys(&[k]));
    let dbs_presentation = SdJwt::parse(&dbs)?.present(&dbs_share, aud, nonce, now, &wallet)?;
    let all = SdJwt::parse(&cstf)?.claims_and_paths()?.1;
    let cstf_presentation = SdJwt::parse(&cstf)?.present(&all, aud, nonce, now, &wallet)?;

    step(5, "R0A verifies: issuer on the trust list and allowed this type, signatures, disclosures, key binding, status");
    let status_token = |list: &StatusList| {
        sign_token(
            list,
            &status_uri,
            Some(&issuer_id("RHQ")),
            now,
            Some(now + 3600),
            Some(300),
            &signers[0],
        )
    };
    let mut statuses = StatusLists::default();
    statuses.add_token(&status_uri, &status_token(&list)?, &trust, now)?;
    let expect = KbExpectation {
        aud: aud.into(),
        nonce: nonce.into(),
        max_age_secs: 300,
    };
    let verifier = PresentationVerifier {
        trust: &trust,
        statuses: &statuses,
        catalogue,
        leeway_secs: 60,
    };
    for (label, p) in [("CSTF", &cstf_presentation), ("DBS", &dbs_presentation)] {
        let v = verifier.verify(p, expect.clone(), now)?;
        let shown: Vec<String> = v
            .claims
            .iter()
            .filter(|(k, _)| !["iss", "iat", "exp", "cnf", "status", "vct"].contains(&k.as_str()))
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        println!(
            "   {label}: VALID from {} ({}): {}",
            v.issuer_ods,
            v.type_name,
            shown.join(", ")
        );
    }
    println!("   (the DBS certificate number and the doctor's name were not disclosed)");

    step(6, "Attacks are refused with a precise reason");
    let tampered = cstf_presentation.replacen("~", "~WyJzYWx0IiwiZm9vIiwiYmFyIl0~", 1);
    report(
        "extra disclosure not signed by the issuer",
        verifier.verify(&tampered, expect.clone(), now).err(),
    );
    let wrong_nonce = KbExpectation {
        nonce: "other".into(),
        ..expect.clone()
    };
    report(
        "replay with another request's nonce",
        verifier.verify(&cstf_presentation, wrong_nonce, now).err(),
    );

    step(
        7,
        "RHQ revokes the CSTF record (superseded); R0A's next check sees it",
    );
    list.set(0, 1)?;
    let mut statuses = StatusLists::default();
    statuses.add_token(&status_uri, &status_token(&list)?, &trust, now)?;
    let verifier = PresentationVerifier {
        statuses: &statuses,
        ..verifier
    };
    report(
        "revoked CSTF credential",
        verifier.verify(&cstf_presentation, expect, now).err(),
    );
    println!("\nDone. Key store kept in {} (passphrase from PASSPORT_KEYSTORE_PASSPHRASE or keystore.passphrase there).", dir.display());
    Ok(())
}

fn report(what: &str, err: Option<EngineError>) {
    match err {
        Some(e) => println!("   refused: {what}: {e}"),
        None => println!("   !! ACCEPTED {what}: this is a bug"),
    }
}
