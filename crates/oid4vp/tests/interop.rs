//! Interoperability with independent implementations, through interop/vp-interop.mjs (Node.js):
//! `jose` (panva) decrypts our JWEs and encrypts JWEs we decrypt, and verifies our signed
//! Request Object with `importX509` + `jwtVerify` while Node's X509Certificate and SHA-256
//! recompute the `x509_hash`; `dcql` (OpenWallet Foundation) parses and validates our queries
//! and the specification's, and must agree with our selection. Versions are pinned in
//! interop/package-lock.json.
//!
//! Setup: `npm ci --prefix interop` from the workspace root. Without Node.js or the packages
//! every test here fails (never skips) and says so.
mod common;

use common::*;
use passport_jose::{b64, Jwk};
use passport_oid4vp::*;
use serde_json::{json, Map, Value};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

const SETUP: &str = "run `npm ci --prefix interop` in the workspace root (needs Node.js >= 20 \
                     and npm; the interop tests never skip)";

fn interop_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../interop");
    match Command::new("node").arg("--version").output() {
        Ok(out) if out.status.success() => {}
        Ok(out) => panic!("`node --version` failed ({}): {SETUP}", out.status),
        Err(e) => panic!("Node.js (`node`) is not available ({e}): {SETUP}"),
    }
    for package in ["jose", "dcql"] {
        let marker = dir.join("node_modules").join(package).join("package.json");
        assert!(marker.is_file(), "{} is missing: {SETUP}", marker.display());
    }
    dir
}

/// Runs the tasks in one `node vp-interop.mjs INPUT.json`, returning one result per task.
fn run(tasks: Vec<Value>) -> Vec<Value> {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = interop_dir();
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "vp-interop-{}-{}.json",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let input = serde_json::to_vec(&json!({ "tasks": tasks })).expect("JSON");
    std::fs::write(&path, input).expect("input written");
    let out = Command::new("node")
        .arg("vp-interop.mjs")
        .arg(&path)
        .current_dir(&dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run node ({e}): {SETUP}"));
    let _ = std::fs::remove_file(&path);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the script failed: {}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_str(&stdout).expect("the script prints JSON");
    v["results"].as_array().expect("results").clone()
}

fn ok(result: &Value) -> &Value {
    assert_eq!(
        result["ok"], true,
        "the independent library refused: {result}"
    );
    result
}

fn refused(result: &Value, library: &str) {
    assert_eq!(
        result["ok"], false,
        "accepted what it must refuse: {result}"
    );
    let error = result["error"].as_str().expect("error text");
    assert!(
        error.contains(&format!("REJECTED by independent library ({library})")),
        "{error}"
    );
}

/// The private JWK of `key`, for jose (built from the stored form: scalar, then kid).
fn private_jwk(key: &EncryptionKey) -> Value {
    let mut jwk = serde_json::to_value(key.public_jwk()).expect("JWK");
    jwk["d"] = json!(b64::encode(&key.to_bytes()[..32]));
    jwk
}

const PLAINTEXT: &str = r#"{"vp_token":{"cstf":["eyJhbGciOiJFUzI1NiJ9.e30.c2ln~"]},"state":"Zoë"}"#;

#[test]
fn jose_decrypts_ours_and_we_decrypt_jose() {
    let key = EncryptionKey::generate().expect("key");
    let ours: Vec<String> = [Enc::A128GCM, Enc::A256GCM]
        .iter()
        .map(|enc| encrypt(PLAINTEXT.as_bytes(), &key.public_jwk(), *enc).expect("encrypts"))
        .collect();
    let mut tampered: Vec<String> = ours[0].split('.').map(str::to_string).collect();
    tampered[3] = b64::encode(b"not the ciphertext");
    let public = serde_json::to_value(key.public_jwk()).expect("JWK");
    let results = run(vec![
        json!({"task": "decrypt", "jwe": ours[0], "private_jwk": private_jwk(&key)}),
        json!({"task": "decrypt", "jwe": ours[1], "private_jwk": private_jwk(&key)}),
        json!({"task": "decrypt", "jwe": tampered.join("."), "private_jwk": private_jwk(&key)}),
        json!({"task": "encrypt", "recipient_jwk": public, "plaintext": PLAINTEXT, "enc": "A128GCM"}),
        json!({"task": "encrypt", "recipient_jwk": public, "plaintext": PLAINTEXT, "enc": "A256GCM",
               "apu": "wallet", "apv": "verifier-nonce"}),
        json!({"task": "encrypt", "recipient_jwk": public, "plaintext": PLAINTEXT, "enc": "A128GCM",
               "alg": "ECDH-ES+A128KW"}),
    ]);
    for (i, enc) in [(0, "A128GCM"), (1, "A256GCM")] {
        let r = ok(&results[i]);
        assert_eq!(r["plaintext"], PLAINTEXT);
        assert_eq!(r["header"]["alg"], "ECDH-ES");
        assert_eq!(r["header"]["enc"], enc);
        assert_eq!(r["header"]["kid"], key.kid());
    }
    refused(&results[2], "jose");
    for i in [3, 4] {
        let jwe = ok(&results[i])["jwe"].as_str().expect("jwe");
        assert_eq!(
            decrypt(jwe, &key).expect("we decrypt jose"),
            PLAINTEXT.as_bytes()
        );
    }
    let with_party_info = results[4]["jwe"].as_str().expect("jwe");
    let header: Value = serde_json::from_slice(
        &b64::decode(with_party_info.split('.').next().expect("header")).expect("base64url"),
    )
    .expect("JSON");
    assert_eq!(
        header["apu"],
        b64::encode("wallet"),
        "apu/apv reached the KDF"
    );
    // Key wrapping is refused by us, though jose makes it.
    let wrapped = ok(&results[5])["jwe"].as_str().expect("jwe");
    assert_eq!(
        decrypt(wrapped, &key),
        Err(Oid4vpError::JweAlgorithmNotAllowed(
            "\"ECDH-ES+A128KW\"".into()
        ))
    );
}

#[test]
fn jose_verifies_our_request_object_and_the_x509_hash() {
    let v = verifier("RR8");
    let key = EncryptionKey::generate().expect("key");
    let req = request(&v, &key);
    let jwt = sign_request(&req, &v.signer, &v.cert).expect("signed");
    let mut parts: Vec<String> = jwt.split('.').map(str::to_string).collect();
    let mut claims = req.to_json();
    claims["response_uri"] = json!("https://attacker.example/collect");
    parts[1] = b64::encode(claims.to_string());
    let results = run(vec![
        json!({"task": "verify_request", "jwt": jwt, "now": NOW + 10}),
        json!({"task": "verify_request", "jwt": parts.join("."), "now": NOW + 10}),
        json!({"task": "verify_request", "jwt": jwt, "now": NOW + 3_600}),
    ]);
    let r = ok(&results[0]);
    assert_eq!(r["payload"], req.to_json());
    assert_eq!(r["header"]["typ"], "oauth-authz-req+jwt");
    assert_eq!(
        r["x509_hash"], v.client_id,
        "Node's SHA-256 of the DER gives our client_id"
    );
    assert_eq!(r["payload"]["client_id"], r["x509_hash"]);
    assert_eq!(
        r["self_signed_verifies"], true,
        "our DER ECDSA-Sig-Value verifies"
    );
    let subject = r["subject"].as_str().expect("subject");
    assert!(subject.contains("O=RR8") && subject.contains("CN=RR8 Staff Passport Verifier"));
    assert_eq!(r["valid_from"], NOW - 86_400);
    assert_eq!(r["valid_to"], NOW + 365 * 86_400);
    let jwk: Jwk = serde_json::from_value(r["public_jwk"].clone()).expect("JWK");
    assert_eq!(
        jwk.thumbprint(),
        passport_jose::Signer::public_jwk(&v.signer).thumbprint()
    );
    refused(&results[1], "jose");
    refused(&results[2], "jose");
}

/// A credential for the `dcql` library: its format, vct, holder binding flag and claims.
fn their_credential(vct: &str, claims: &Map<String, Value>) -> Value {
    json!({
        "credential_format": "dc+sd-jwt",
        "vct": vct,
        "cryptographic_holder_binding": claims.contains_key("cnf"),
        "claims": claims,
    })
}

#[test]
fn dcql_library_agrees_with_our_validation_and_selection() {
    let bound = |v: Value| {
        let mut c = obj(v);
        c.insert("cnf".into(), json!({"jwk": {"kty": "EC"}}));
        c
    };
    let id_vct = "https://credentials.example.com/identity_credential";
    let wallet: Vec<(String, Map<String, Value>)> = vec![
        (
            id_vct.into(),
            bound(
                json!({"family_name": "Doe", "given_name": "John", "last_name": "Doe",
            "address": {"street_address": "1 Elm"}, "postal_code": "90210",
            "date_of_birth": "1970-01-01", "locality": "Leeds"}),
            ),
        ),
        (
            "https://cred.example/residence_credential".into(),
            bound(json!({"postal_code": "LS1", "locality": "Leeds", "region": "Yorkshire"})),
        ),
        (
            "https://credentials.example.com/reduced_identity_credential".into(),
            bound(json!({"family_name": "Doe", "given_name": "John"})),
        ),
        (
            CSTF_VCT.into(),
            obj(json!({"competencyName": "Fire", "expiryDate": "2027-03-31"})),
        ),
        (
            CSTF_VCT.into(),
            bound(json!({"competencyName": "Fire", "expiryDate": "2027-03-31",
            "barredListsChecked": ["Adults", "Children"]})),
        ),
    ];
    let theirs: Vec<Value> = wallet
        .iter()
        .map(|(vct, c)| their_credential(vct, c))
        .collect();
    let mut queries: Vec<Value> = [
        "dcql_simple.json",
        "dcql_credentials_alternatives.json",
        "dcql_claims_alternatives.json",
        "dcql_value_matching_simple.json",
    ]
    .iter()
    .map(|name| example(name))
    .collect();
    queries.push(cstf_query().to_json());
    queries.push(json!({"credentials": [{"id": "dbs", "format": "dc+sd-jwt",
        "meta": {"vct_values": [CSTF_VCT]}, "multiple": true,
        "claims": [{"id": "a", "path": ["competencyName"]},
                   {"id": "b", "path": ["barredListsChecked", null], "values": ["Children"]}],
        "claim_sets": [["a", "b"], ["a"]]}]}));
    // Cannot be met: the held identity credential has no `region`.
    queries.push(json!({"credentials": [{"id": "pid", "format": "dc+sd-jwt",
        "meta": {"vct_values": [id_vct]}, "claims": [{"path": ["region"]}]}]}));
    let results = run(queries
        .iter()
        .map(|q| json!({"task": "dcql", "query": q, "credentials": theirs}))
        .collect());
    let verdicts: Vec<&Value> = results.iter().map(|r| &r["can_be_satisfied"]).collect();
    assert!(verdicts.contains(&&json!(true)) && verdicts.contains(&&json!(false)));
    for (q, result) in queries.iter().zip(&results) {
        let r = ok(result);
        let ours = DcqlQuery::from_value(q.clone()).expect("parses");
        ours.validate().expect("we accept what they accept");
        let s = select(&ours, &wallet);
        assert_eq!(r["can_be_satisfied"], s.satisfied, "{q}");
        for c in &s.queries {
            let expected: Vec<Value> = (c.matches.iter())
                .map(|m| json!({"index": m.credential, "claim_set_index": m.claim_set}))
                .collect();
            assert_eq!(r["matches"][&c.id], json!(expected), "{} in {q}", c.id);
        }
    }

    // Invalid queries: both refuse.
    let cred = |id: &str| json!({"id": id, "format": "dc+sd-jwt", "meta": {"vct_values": ["v"]}});
    let invalid = [
        json!({"credentials": []}),
        json!({"credentials": [cred("a"), cred("a")]}),
        json!({"credentials": [cred("a b")]}),
        json!({"credentials": [{"id": "a", "format": "dc+sd-jwt", "meta": {"vct_values": ["v"]},
            "claims": [{"id": "x", "path": ["p"]}], "claim_sets": [["x", "y"]]}]}),
        json!({"credentials": [cred("a")], "credential_sets": [{"options": [["b"]]}]}),
        json!({"credentials": [{"id": "a", "format": "dc+sd-jwt", "meta": {"vct_values": ["v"]},
            "claims": [{"path": []}]}]}),
    ];
    let results = run(invalid
        .iter()
        .map(|q| json!({"task": "dcql", "query": q, "credentials": []}))
        .collect());
    for (q, result) in invalid.iter().zip(&results) {
        refused(result, "dcql");
        let ours = DcqlQuery::from_value(q.clone()).and_then(|q| q.validate());
        assert!(ours.is_err(), "we must refuse {q}");
    }
}
