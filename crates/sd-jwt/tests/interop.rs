//! Interoperability with an independent SD-JWT VC implementation: the OpenWallet Foundation's
//! `@sd-jwt/sd-jwt-vc` (TypeScript, from the npm registry, pinned in interop/package-lock.json),
//! driven through the scripts in interop/ with Node.js.
//!
//! Setup: `npm ci --prefix interop` from the workspace root. Without Node.js or interop/node_modules
//! every test here fails (never skips) and says so.
#![allow(clippy::unwrap_used)]
use passport_jose::jws::{self, JwsHeader};
use passport_jose::{Es256Signer, Jwk, Signer, VerifyingKey};
use passport_sd_jwt::disclosure::{Disclosure, Layout};
use passport_sd_jwt::issue::{RandomSalts, SaltSource};
use passport_sd_jwt::vc::{self, Envelope};
use passport_sd_jwt::{
    sha256_b64, ClaimPath, KbExpectation, KeyBinding, SdJwt, SdJwtError, VerifyOptions,
};
use serde_json::{json, Map, Value};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

const SETUP: &str =
    "run `npm ci --prefix interop` in the workspace root (needs Node.js >= 20 and npm; \
                     the interop tests never skip)";
const KB_MAX_AGE: i64 = 300;

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// interop/ beside the crates, after checking that Node.js and the pinned packages are there.
fn interop_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../interop");
    match Command::new("node").arg("--version").output() {
        Ok(out) if out.status.success() => {}
        Ok(out) => panic!("`node --version` failed ({}): {SETUP}", out.status),
        Err(e) => panic!("Node.js (`node`) is not available ({e}): {SETUP}"),
    }
    let marker = dir.join("node_modules/@sd-jwt/sd-jwt-vc/package.json");
    assert!(marker.is_file(), "{} is missing: {SETUP}", marker.display());
    dir
}

/// What a script run produced.
struct Run {
    ok: bool,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        assert!(
            self.ok,
            "the script failed:\n{}\n(stdout: {})",
            self.stderr, self.stdout
        );
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("script printed no JSON ({e}): {}", self.stdout))
    }
}

/// Runs `node SCRIPT INPUT.json` in interop/, with `input` written to a file.
fn run_script(script: &str, input: &Value) -> Run {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = interop_dir();
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "interop-{}-{}.json",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::write(&path, serde_json::to_vec_pretty(input).unwrap()).unwrap();
    let out = Command::new("node")
        .arg(script)
        .arg(&path)
        .current_dir(&dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run node {script} ({e}): {SETUP}"));
    let _ = std::fs::remove_file(&path);
    Run {
        ok: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The independent library's verdict on a presentation of ours.
fn their_verify(issuer: &dyn Signer, presentation: &str, nonce: &str, aud: &str) -> Run {
    run_script(
        "verify-ours.mjs",
        &json!({
            "issuer_jwk": issuer.public_jwk(),
            "presentation": presentation,
            "nonce": nonce,
            "aud": aud,
            "now": now(),
            "max_age_secs": KB_MAX_AGE,
        }),
    )
}

fn assert_rejected(run: &Run, by_library: bool, needle: &str) {
    assert!(
        !run.ok,
        "the independent verifier accepted what it must reject: {}",
        run.stdout
    );
    let who = if by_library {
        "REJECTED by independent library"
    } else {
        "REJECTED by interop check"
    };
    assert!(
        run.stderr.contains(who) && run.stderr.contains(needle),
        "expected a rejection containing {who:?} and {needle:?}, got: {}",
        run.stderr
    );
}

fn paths(list: Value) -> Vec<ClaimPath> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|p| ClaimPath::from_json(p).unwrap())
        .collect()
}

fn resolver(
    key: VerifyingKey,
) -> impl Fn(&passport_jose::jws::HeaderInfo, &Map<String, Value>) -> Result<VerifyingKey, SdJwtError>
{
    move |_, _| Ok(key)
}

fn kb_required(nonce: &str, aud: &str) -> VerifyOptions {
    VerifyOptions::new(
        now(),
        KeyBinding::Required(KbExpectation {
            aud: aud.into(),
            nonce: nonce.into(),
            max_age_secs: KB_MAX_AGE,
        }),
    )
}

/// Random salts, and always the maximum number of decoys, so every `_sd` array has some.
struct AllDecoys(RandomSalts);

impl SaltSource for AllDecoys {
    fn salt(&mut self) -> Result<String, SdJwtError> {
        self.0.salt()
    }
    fn below_or_equal(&mut self, max: usize) -> Result<usize, SdJwtError> {
        Ok(max)
    }
}

const AUD: &str = "x509_hash:interop-verifier.example";
const DECOYS: usize = 3;

/// A presentation made by our code, with what it took to make it.
struct Ours {
    issuer: Es256Signer,
    holder: Es256Signer,
    presentation: String,
    nonce: String,
}

/// Our issuer: flat, recursive (object and its members) and array-element disclosures, decoys.
/// Our holder: reveals given_name, employer.department (and so employer) and qualifications[1].
fn our_presentation() -> Ours {
    let (issuer, _) = Es256Signer::generate().unwrap();
    let (holder, _) = Es256Signer::generate().unwrap();
    let now = now();
    let claims: Map<String, Value> = serde_json::from_value(json!({
        "given_name": "Ada",
        "family_name": "Ní Bhriain",
        "staff_group": "Medical and Dental",
        "employer": {"name": "Leeds Teaching Hospitals NHS Trust", "ods_code": "RR8", "department": "Cardiology"},
        "qualifications": ["MBChB", "MRCP(UK)", "PhD"]
    }))
    .unwrap();
    let env = Envelope {
        iss: "https://issuer.passport.example/issuers/RR8".into(),
        vct: "https://passport.example/vct/staff-identity/v1".into(),
        iat: now,
        exp: Some(now + 3600),
        nbf: None,
        holder: Some(holder.public_jwk().clone()),
        status: None,
    };
    let sd = paths(json!([
        ["given_name"],
        ["family_name"],
        ["employer"],
        ["employer", "name"],
        ["employer", "department"],
        ["qualifications", null]
    ]));
    let issued = vc::issue(
        &issuer,
        &env,
        claims,
        &sd,
        &mut AllDecoys(RandomSalts::default()),
        DECOYS,
    )
    .unwrap();
    let issued = SdJwt::parse(&issued.compact()).unwrap();
    assert_eq!(issued.disclosures.len(), 8);
    let payload = issued.unverified_payload().unwrap();
    assert_eq!(
        payload["_sd"].as_array().unwrap().len(),
        3 + DECOYS,
        "three disclosable top-level claims plus decoys"
    );
    let nonce = RandomSalts::default().salt().unwrap();
    let presentation = issued
        .present(
            &paths(json!([
                ["given_name"],
                ["employer", "department"],
                ["qualifications", 1]
            ])),
            AUD,
            &nonce,
            now,
            &holder,
        )
        .unwrap();
    Ours {
        issuer,
        holder,
        presentation,
        nonce,
    }
}

/// Replaces the disclosure named `name` by one with the same salt and a different value.
fn tamper(presentation: &str, name: &str, value: Value) -> SdJwt {
    let mut p = SdJwt::parse(presentation).unwrap();
    let d = p
        .disclosures
        .iter_mut()
        .find(|d| d.name.as_deref() == Some(name))
        .unwrap();
    *d = Disclosure::new(d.salt().unwrap(), d.name.clone(), value, Layout::Compact).unwrap();
    p
}

#[test]
fn independent_verifier_accepts_ours() {
    let ours = our_presentation();
    let key = ours.issuer.public_jwk().verifying_key().unwrap();
    let mine = vc::verify(
        &ours.presentation,
        &resolver(key),
        &kb_required(&ours.nonce, AUD),
    )
    .unwrap();
    assert_eq!(mine.sd_jwt.disclosed.len(), 4);

    let theirs = their_verify(&ours.issuer, &ours.presentation, &ours.nonce, AUD).json();
    assert_eq!(
        theirs,
        Value::Object(mine.sd_jwt.claims.clone()),
        "the independent verifier's processed claims differ from ours"
    );
    assert_eq!(theirs["given_name"], "Ada");
    assert_eq!(theirs["staff_group"], "Medical and Dental");
    assert!(
        theirs.get("family_name").is_none(),
        "undisclosed claim leaked"
    );
    assert_eq!(
        theirs["employer"],
        json!({"ods_code": "RR8", "department": "Cardiology"})
    );
    assert_eq!(theirs["qualifications"], json!(["MRCP(UK)"]));
    assert_eq!(
        theirs["cnf"]["jwk"],
        serde_json::to_value(ours.holder.public_jwk().key_only()).unwrap()
    );
    for hidden in ["_sd", "_sd_alg"] {
        assert!(theirs.get(hidden).is_none());
    }
}

#[test]
fn independent_verifier_rejects_wrong_nonce_and_tampering() {
    let ours = our_presentation();

    // Replay to another transaction.
    let run = their_verify(&ours.issuer, &ours.presentation, "another-nonce", AUD);
    assert_rejected(&run, true, "Invalid Nonce");

    // A disclosure altered in transit: the KB-JWT's sd_hash no longer matches.
    let tampered = tamper(&ours.presentation, "given_name", json!("Eve"));
    let run = their_verify(&ours.issuer, &tampered.serialize(), &ours.nonce, AUD);
    assert_rejected(&run, true, "Invalid sd_hash");

    // The same alteration by the holder itself, with a fresh KB-JWT over it, so that only the
    // unreferenced disclosure gives it away. @sd-jwt 0.19.0 ignores such a disclosure instead of
    // rejecting (RFC 9901 section 7.1 step 5); the script's own check rejects it, as we do.
    let mut resigned = tamper(&ours.presentation, "given_name", json!("Eve"));
    let kb = json!({
        "iat": now(),
        "aud": AUD,
        "nonce": ours.nonce,
        "sd_hash": sha256_b64(&resigned.prefix()),
    });
    let header = JwsHeader {
        typ: Some("kb+jwt".into()),
        extra: Map::new(),
        with_kid: false,
    };
    resigned.kb_jwt = Some(jws::sign(&header, &kb, &ours.holder).unwrap());
    let run = their_verify(&ours.issuer, &resigned.serialize(), &ours.nonce, AUD);
    assert_rejected(&run, false, "is not referenced by any digest");
    let key = ours.issuer.public_jwk().verifying_key().unwrap();
    assert!(matches!(
        vc::verify(
            &resigned.serialize(),
            &resolver(key),
            &kb_required(&ours.nonce, AUD)
        ),
        Err(SdJwtError::DisclosureNotReferenced(_))
    ));

    // Presented to another verifier (the library leaves aud to the caller; the script checks it).
    let run = their_verify(
        &ours.issuer,
        &ours.presentation,
        &ours.nonce,
        "x509_hash:someone-else",
    );
    assert_rejected(&run, false, "aud");
}

/// issue-theirs.mjs for a fresh nonce.
fn their_presentation() -> Value {
    let nonce = format!("their-{}", now());
    run_script("issue-theirs.mjs", &json!({"nonce": nonce, "aud": AUD})).json()
}

fn their_issuer_key(out: &Value) -> VerifyingKey {
    Jwk::from_json(&out["issuer_jwk"])
        .unwrap()
        .verifying_key()
        .unwrap()
}

#[test]
fn we_accept_independent_issuer() {
    let out = their_presentation();
    let nonce = out["nonce"].as_str().unwrap();
    let aud = out["aud"].as_str().unwrap();
    let key = their_issuer_key(&out);

    let v = vc::verify(
        out["presentation"].as_str().unwrap(),
        &resolver(key),
        &kb_required(nonce, aud),
    )
    .unwrap();
    assert_eq!(
        Value::Object(v.sd_jwt.claims.clone()),
        out["expected_claims"]
    );
    assert_eq!(v.sd_jwt.header.typ.as_deref(), Some("dc+sd-jwt"));
    assert_eq!(v.iss, "https://issuer.interop.example");
    assert_eq!(
        v.sd_jwt
            .disclosed
            .iter()
            .map(ClaimPath::to_string)
            .collect::<Vec<_>>(),
        [
            r#"["given_name"]"#,
            r#"["address"]"#,
            r#"["address","locality"]"#,
            r#"["nationalities",1]"#
        ]
    );
    assert_eq!(v.sd_jwt.kb.as_ref().unwrap().nonce.as_deref(), Some(nonce));

    // As the holder would on receipt: the whole credential, every disclosure, no KB-JWT.
    let full = vc::verify(
        out["credential"].as_str().unwrap(),
        &resolver(key),
        &VerifyOptions::new(now(), KeyBinding::HolderReceipt),
    )
    .unwrap();
    let c = &full.sd_jwt.claims;
    assert_eq!(c["family_name"], "Ó Briain");
    assert_eq!(c["given_name"], "Siobhán");
    assert_eq!(
        c["address"],
        json!({"street_address": "1 Interop Way", "locality": "Leeds",
               "postal_code": "LS1 4AP", "country": "GB"})
    );
    assert_eq!(c["nationalities"], json!(["GB", "IE", "FR"]));
    assert_eq!(full.sd_jwt.disclosed.len(), 9);
}

#[test]
fn we_reject_independent_presentation_with_wrong_nonce() {
    let out = their_presentation();
    let presentation = out["presentation"].as_str().unwrap();
    let nonce = out["nonce"].as_str().unwrap();
    let aud = out["aud"].as_str().unwrap();
    let key = their_issuer_key(&out);

    let err = vc::verify(
        presentation,
        &resolver(key),
        &kb_required("another-nonce", aud),
    )
    .unwrap_err();
    assert_eq!(err, SdJwtError::KbNonce);

    let err = vc::verify(
        presentation,
        &resolver(key),
        &kb_required(nonce, "x509_hash:someone-else"),
    )
    .unwrap_err();
    assert_eq!(err, SdJwtError::KbAudience);

    // A disclosure altered in transit: caught by RFC 9901 section 7.1 (run before the KB-JWT's
    // sd_hash check of section 7.3) as a disclosure that no digest references.
    let tampered = tamper(presentation, "given_name", json!("Eve")).serialize();
    let err = vc::verify(&tampered, &resolver(key), &kb_required(nonce, aud)).unwrap_err();
    assert!(
        matches!(err, SdJwtError::DisclosureNotReferenced(_)),
        "{err:?}"
    );
}

/// Mixed roles: their issuer, our holder (selection and KB-JWT), their verifier.
#[test]
fn independent_verifier_accepts_our_presentation_of_their_credential() {
    let out = their_presentation();
    let mut holder_jwk = out["holder_private_jwk"].clone();
    let d = holder_jwk
        .as_object_mut()
        .unwrap()
        .remove("d")
        .unwrap()
        .as_str()
        .unwrap()
        .to_string();
    let holder =
        Es256Signer::from_jwk_private(&d, &Jwk::from_json(&holder_jwk).unwrap(), None).unwrap();
    let issuer_jwk = Jwk::from_json(&out["issuer_jwk"]).unwrap();
    let nonce = "mixed-roles-nonce";

    let credential = SdJwt::parse(out["credential"].as_str().unwrap()).unwrap();
    let presentation = credential
        .present(
            &paths(json!([
                ["family_name"],
                ["address", "street_address"],
                ["nationalities", 2]
            ])),
            AUD,
            nonce,
            now(),
            &holder,
        )
        .unwrap();
    let mine = vc::verify(
        &presentation,
        &resolver(issuer_jwk.verifying_key().unwrap()),
        &kb_required(nonce, AUD),
    )
    .unwrap();

    let theirs = run_script(
        "verify-ours.mjs",
        &json!({
            "issuer_jwk": out["issuer_jwk"],
            "presentation": presentation,
            "nonce": nonce,
            "aud": AUD,
            "now": now(),
        }),
    )
    .json();
    assert_eq!(theirs, Value::Object(mine.sd_jwt.claims));
    assert_eq!(theirs["family_name"], "Ó Briain");
    assert_eq!(
        theirs["address"],
        json!({"street_address": "1 Interop Way", "country": "GB"})
    );
    assert_eq!(theirs["nationalities"], json!(["FR"]));
    assert!(theirs.get("given_name").is_none());
}

/// The production issuance path (`flat::issue_flat`, used by the credential engine) is read by
/// the independent verifier exactly as by ours.
#[test]
fn independent_verifier_accepts_our_flat_issuance() {
    let (issuer, _) = Es256Signer::generate().unwrap();
    let (holder, _) = Es256Signer::generate().unwrap();
    let claims = json!({
        "recordType": "CoreSkillsTraining", "competencyFramework": "CSTF", "subjectName": "Fire Safety",
        "competencyName": "Fire Safety", "subjectLevel": "1", "attainmentStatus": "ACHIEVED",
        "awardingOrganisation": "RHQ", "dateLastAwarded": "2026-01-10", "note": "Zoë, \"quoted\""
    });
    let envelope = passport_sd_jwt::flat::FlatEnvelope {
        iss: "https://passport.localhost/issuers/RHQ",
        vct: "https://w3id.org/nhs-staff-passport/vct/core-skills-training/v1",
        iat: now() - 5,
        exp: Some(now() + 3600),
        nbf: None,
        holder: Some(holder.public_jwk()),
        status: None,
    };
    let issued = passport_sd_jwt::flat::issue_flat(
        &issuer,
        &envelope,
        claims.as_object().unwrap(),
        &["recordType"],
        &mut passport_sd_jwt::issue::RandomSalts::default(),
        3,
    )
    .unwrap();
    let nonce = format!("flat-{}", now());
    let presentation = SdJwt::parse(&issued)
        .unwrap()
        .present(
            &paths(json!([["subjectName"], ["dateLastAwarded"], ["note"]])),
            AUD,
            &nonce,
            now(),
            &holder,
        )
        .unwrap();
    let key = issuer.public_jwk().verifying_key().unwrap();
    let mine = vc::verify(&presentation, &resolver(key), &kb_required(&nonce, AUD)).unwrap();
    let theirs = their_verify(&issuer, &presentation, &nonce, AUD).json();
    assert_eq!(theirs, Value::Object(mine.sd_jwt.claims.clone()));
    assert_eq!(theirs["recordType"], "CoreSkillsTraining");
    assert_eq!(theirs["note"], "Zoë, \"quoted\"");
    assert!(
        theirs.get("competencyName").is_none(),
        "undisclosed claim leaked"
    );
}
