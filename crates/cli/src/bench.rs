//! `passport bench crypto`: the engine's rates as ratios to the raw ES256 rates of the same run.
use crate::fixtures;
use anyhow::{Context, Result};
use passport_catalogue::Catalogue;
use passport_credentials::{CredentialIssuer, IssueRequest, PresentationVerifier, StatusLists};
use passport_jose::{Es256Signer, Signer};
use passport_sd_jwt::issue::RandomSalts;
use passport_sd_jwt::vc::StatusReference;
use passport_sd_jwt::{ClaimPath, KbExpectation, SdJwt};
use passport_status_list::{sign_token, StatusList};
use serde_json::{json, Value};
use std::hint::black_box;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// Runs `op` repeatedly for `seconds`, returns operations per second.
pub(crate) fn rate(seconds: f64, mut op: impl FnMut() -> Result<()>) -> Result<f64> {
    for _ in 0..50 {
        op()?;
    }
    let start = Instant::now();
    let mut n = 0u64;
    loop {
        for _ in 0..64 {
            op()?;
        }
        n += 64;
        let elapsed = start.elapsed().as_secs_f64();
        if elapsed >= seconds {
            return Ok(n as f64 / elapsed);
        }
    }
}

pub fn crypto(seconds: f64, rounds: u32, with_openssl: bool) -> Result<Value> {
    let now = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs() as i64;
    let signers = fixtures::ephemeral_signers()?;
    let trust = fixtures::national_trust_list(&signers, now)?;
    let issuer_signer = &signers[0];
    let iss = fixtures::issuer_id("RHQ");
    let (holder, _) = Es256Signer::generate()?;
    let catalogue = Catalogue::nhs();
    let vct = catalogue
        .by_name("CoreSkillsTraining")
        .context("catalogue has CoreSkillsTraining")?
        .vct
        .clone();

    let status_uri = format!("{iss}/status/1");
    let mut list = StatusList::new(100_000, 2)?;
    list.set(41, 1)?;
    let token = sign_token(
        &list,
        &status_uri,
        Some(&iss),
        now,
        Some(now + 3600),
        Some(300),
        issuer_signer,
    )?;
    let mut statuses = StatusLists::default();
    statuses.add_token(&status_uri, &token, &trust, now)?;

    let issuer = CredentialIssuer {
        iss: iss.clone(),
        signer: issuer_signer,
        catalogue,
        max_decoys: 3,
    };
    let request = IssueRequest {
        vct,
        claims: Value::Object(fixtures::cstf_record("RHQ")),
        holder: holder.public_jwk().clone(),
        status: StatusReference {
            uri: status_uri,
            idx: 40,
        },
        iat: now,
        exp: None,
    };
    let mut salts = RandomSalts::default();
    let credential = issuer.issue(&request, &mut salts)?;
    let all: Vec<ClaimPath> = SdJwt::parse(&credential)?.claims_and_paths()?.1;
    let aud = "x509_san_dns:r0a.passport.localhost";
    let presentation =
        SdJwt::parse(&credential)?.present(&all, aud, "bench-nonce", now, &holder)?;
    let verifier = PresentationVerifier {
        trust: &trust,
        statuses: &statuses,
        catalogue,
        leeway_secs: 60,
    };
    let expect = KbExpectation {
        aud: aud.into(),
        nonce: "bench-nonce".into(),
        max_age_secs: 300,
    };
    // Check once that what we time is a success, not a fast failure.
    verifier.verify(&presentation, expect.clone(), now)?;

    let message =
        b"eyJhbGciOiJFUzI1NiJ9.eyJ0eXBpY2FsIjoiand0IHNpZ25pbmcgaW5wdXQgb2YgYSBjcmVkZW50aWFsIn0";
    let signature = issuer_signer.sign(message)?;
    let key = issuer_signer.public_jwk().verifying_key()?;

    let (mut sign, mut verify, mut issue, mut present_verify) = (0f64, 0f64, 0f64, 0f64);
    for _ in 0..rounds {
        sign = sign.max(rate(seconds, || {
            black_box(issuer_signer.sign(black_box(message))?);
            Ok(())
        })?);
        issue = issue.max(rate(seconds, || {
            black_box(issuer.issue(&request, &mut salts)?);
            Ok(())
        })?);
        verify = verify.max(rate(seconds, || {
            key.verify(black_box(message), &signature)?;
            Ok(())
        })?);
        present_verify = present_verify.max(rate(seconds, || {
            black_box(verifier.verify(black_box(&presentation), expect.clone(), now)?);
            Ok(())
        })?);
    }
    let mut report = json!({
        "threads": 1,
        "seconds_per_measurement": seconds,
        "rounds": rounds,
        "credential": "CoreSkillsTraining (13 claims, 12 selectively disclosable, up to 3 decoys), all disclosed, KB-JWT, 2-bit status list of 100,000",
        "trust_list_organisations": trust.organisations.len(),
        "raw_es256_sign_per_sec": sign.round(),
        "raw_es256_verify_per_sec": verify.round(),
        "issuance_per_sec": issue.round(),
        "presentation_verification_per_sec": present_verify.round(),
        "ratio_issuance_to_sign": round3(issue / sign),
        "ratio_verification_to_verify": round3(present_verify / verify),
        "targets": { "ratio_issuance_to_sign": 0.8, "ratio_verification_to_verify": 0.45, "raw_to_openssl": 0.8 },
        "presentation_bytes": presentation.len(),
    });
    if with_openssl {
        if let Some((os_sign, os_verify)) = openssl_speed() {
            report["openssl_sign_per_sec"] = json!(os_sign);
            report["openssl_verify_per_sec"] = json!(os_verify);
            report["ratio_raw_sign_to_openssl"] = json!(round3(sign / os_sign));
            report["ratio_raw_verify_to_openssl"] = json!(round3(verify / os_verify));
        } else {
            report["openssl"] = json!("not available");
        }
    }
    Ok(report)
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// `openssl speed -seconds 2 ecdsap256` (single core), parsed.
fn openssl_speed() -> Option<(f64, f64)> {
    let out = std::process::Command::new("openssl")
        .args(["speed", "-seconds", "2", "ecdsap256"])
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().find(|l| l.contains("ecdsa (nistp256)"))?;
    let nums: Vec<f64> = line
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    // "256 bits ecdsa (nistp256)   0.0000s   0.0001s  51539.4  16502.4"
    let n = nums.len();
    (n >= 2).then(|| (nums[n - 2], nums[n - 1]))
}
