//! The fast path against the general path: whenever the fast path accepts, the general path must
//! accept too, with the same claims (in the same order) and the same paths; when it gives up, the
//! disclosures must be left as they were. And it must not give up on the ordinary shapes, or it
//! would be dead code.
#![allow(clippy::unwrap_used)]
use super::check_against_general;
use crate::disclosure::{Disclosure, Layout};
use crate::issue::{Issuer, RandomSalts};
use crate::path::{ClaimPath, PathSegment};
use crate::present::SdJwt;
use passport_jose::{b64, Es256Signer};
use serde_json::{json, Map, Value};

/// `true` if the fast path took it (and agreed); `false` if it left it to the general path.
fn agree(payload: &[u8], disclosures: &[Disclosure]) -> bool {
    let texts: Vec<&str> = disclosures.iter().map(|d| d.encoded.as_str()).collect();
    check_against_general(payload, &texts)
}

fn payload_of(compact: &str) -> Vec<u8> {
    b64::decode(compact.split('.').nth(1).unwrap()).unwrap()
}

fn issued(claims: Value, sd: &[ClaimPath]) -> (Vec<u8>, Vec<Disclosure>) {
    let (signer, _) = Es256Signer::generate().unwrap();
    let mut issuer = Issuer::new(&signer, crate::VC_TYP);
    issuer.max_decoys = 3;
    let Value::Object(claims) = claims else {
        panic!()
    };
    let out = issuer
        .issue(claims, sd, &mut RandomSalts::default())
        .unwrap();
    let sd_jwt = SdJwt::parse(&out.compact()).unwrap();
    (payload_of(&sd_jwt.jwt), sd_jwt.disclosures)
}

fn flat() -> (Vec<u8>, Vec<Disclosure>) {
    issued(
        json!({
            "iss": "https://issuer.example", "vct": "urn:example", "iat": 1_700_000_000,
            "cnf": {"jwk": {"kty": "EC", "crv": "P-256", "x": "x", "y": "y"}},
            "status": {"status_list": {"idx": 4, "uri": "https://issuer.example/s/1"}},
            "recordType": "CoreSkillsTraining", "subjectName": "Resuscitation",
            "dateTo": "2027-09-13", "level": 2, "passed": true, "note": null,
            "tags": ["a", {"b": 1}], "escaped": "caf\u{e9} \"quoted\" \\ \n"
        }),
        &[
            ClaimPath::keys(&["subjectName"]),
            ClaimPath::keys(&["dateTo"]),
            ClaimPath::keys(&["level"]),
            ClaimPath::keys(&["passed"]),
            ClaimPath::keys(&["note"]),
            ClaimPath::keys(&["escaped"]),
        ],
    )
}

#[test]
fn ordinary_shapes_take_the_fast_path() {
    let (payload, disclosures) = flat();
    assert!(agree(&payload, &disclosures));
    // Disclosures inside a non-disclosed object, at two depths.
    let (payload, disclosures) = issued(
        json!({"iss": "i", "address": {"street": "1 High St", "town": "Leeds",
               "geo": {"lat": "53.8", "lon": "-1.5"}}}),
        &[
            ClaimPath::keys(&["address", "street"]),
            ClaimPath::keys(&["address", "geo", "lat"]),
        ],
    );
    assert!(agree(&payload, &disclosures));
    // Nothing disclosed at all.
    let (payload, _) = flat();
    assert!(agree(&payload, &[]));
}

#[test]
fn other_shapes_are_left_to_the_general_path() {
    // A disclosed object (recursive disclosure) and array elements.
    let (payload, disclosures) = issued(
        json!({"iss": "i", "address": {"street": "1 High St"}, "langs": ["en", "cy"]}),
        &[
            ClaimPath::keys(&["address"]),
            ClaimPath::keys(&["address", "street"]),
            ClaimPath(vec![
                PathSegment::Key("langs".into()),
                PathSegment::Index(1),
            ]),
        ],
    );
    assert!(!agree(&payload, &disclosures));
    // Every published example of the specifications.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors");
    let mut seen = 0;
    for sub in ["rfc9901", "sd-jwt-vc"] {
        for entry in std::fs::read_dir(dir.join(sub)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            for field in ["sd_jwt_issued", "presentation"] {
                if let Some(text) = v.get(field).and_then(Value::as_str) {
                    let sd = SdJwt::parse(text).unwrap();
                    agree(&payload_of(&sd.jwt), &sd.disclosures);
                    seen += 1;
                }
            }
        }
    }
    assert!(seen >= 4, "{seen} published examples checked");
}

/// Edits the payload as JSON and checks both paths on the result.
fn edited(edit: impl Fn(&mut Map<String, Value>, &[Disclosure])) -> bool {
    let (payload, disclosures) = flat();
    let mut p: Map<String, Value> = serde_json::from_slice(&payload).unwrap();
    edit(&mut p, &disclosures);
    agree(&serde_json::to_vec(&p).unwrap(), &disclosures)
}

fn sd(p: &mut Map<String, Value>) -> &mut Vec<Value> {
    p.get_mut("_sd").unwrap().as_array_mut().unwrap()
}

#[test]
fn refusals_are_left_to_the_general_path() {
    // Each of these the general path refuses; the fast path must give up on it.
    assert!(!edited(|p, _| {
        let first = sd(p)[0].clone();
        sd(p).push(first);
    }));
    assert!(!edited(|p, d| {
        // The digest of a disclosure that is presented.
        let named = json!(d[0].digest.as_str());
        sd(p).retain(|digest| *digest != named);
    }));
    assert!(!edited(|p, _| {
        p.insert("_sd_alg".into(), json!("sha-512"));
    }));
    assert!(!edited(|p, _| {
        p.insert("_sd".into(), json!("not an array"));
    }));
    assert!(!edited(|p, _| {
        sd(p).push(json!(7));
    }));
    assert!(!edited(|p, _| {
        p.insert("...".into(), json!("x"));
    }));
    assert!(!edited(|p, d| {
        // A payload member with the same name as a disclosure.
        p.insert(d[0].name.clone().unwrap(), json!("collides"));
    }));
    assert!(!edited(|p, _| {
        p.insert("tags".into(), json!([{"...": "x".repeat(43)}]));
    }));
    assert!(!edited(|p, _| {
        p.insert("inner".into(), json!({"_sd": [], "..." : 1}));
    }));
    // A short decoy: the general path accepts it (it names nothing); the fast path leaves it.
    assert!(!edited(|p, _| {
        sd(p).push(json!("short"));
    }));
    // Disclosed `iss` is for the general path and the VC layer to refuse.
    let (payload, mut disclosures) = flat();
    let mut p: Map<String, Value> = serde_json::from_slice(&payload).unwrap();
    p.remove("iss");
    let forged = Disclosure::new(
        "salt".into(),
        Some("iss".into()),
        json!("x"),
        Layout::Compact,
    )
    .unwrap();
    sd(&mut p).push(json!(forged.digest.as_str()));
    disclosures.push(forged);
    assert!(!agree(&serde_json::to_vec(&p).unwrap(), &disclosures));
    // A disclosure inside `cnf`: the general path reads the holder key from the signed text only.
    let (payload, disclosures) = issued(
        json!({"iss": "i", "cnf": {"jwk": {"kty": "EC"}, "kid": "k"}}),
        &[ClaimPath::keys(&["cnf", "kid"])],
    );
    assert!(!agree(&payload, &disclosures));
    // An unreferenced disclosure.
    let (payload, mut disclosures) = flat();
    disclosures.push(
        Disclosure::new("s2".into(), Some("extra".into()), json!(1), Layout::Compact).unwrap(),
    );
    assert!(!agree(&payload, &disclosures));
    // Duplicate members, in the payload and nested.
    let (payload, disclosures) = flat();
    let text = String::from_utf8(payload).unwrap();
    let dup = text.replacen("\"iss\":", "\"iat\":1,\"iss\":", 1);
    assert!(!agree(dup.as_bytes(), &disclosures));
    let dup = text.replacen("\"kty\":", "\"crv\":\"P-256\",\"kty\":", 1);
    assert!(!agree(dup.as_bytes(), &disclosures));
}

/// Random byte edits of an ordinary payload: whatever the fast path accepts, the general path
/// accepts with the same result.
#[test]
fn random_edits_agree() {
    let (payload, disclosures) = flat();
    let alphabet = b"{}[],:\"\\_sd.0123456789aeflnrstu -";
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut fast = 0;
    for _ in 0..20_000 {
        let mut p = payload.clone();
        for _ in 0..(next() % 3 + 1) {
            let at = (next() % p.len() as u64) as usize;
            let b = alphabet[(next() % alphabet.len() as u64) as usize];
            match next() % 3 {
                0 => p[at] = b,
                1 => p.insert(at, b),
                _ => {
                    p.remove(at);
                }
            }
        }
        if agree(&p, &disclosures) {
            fast += 1;
        }
    }
    // Edits inside string values keep the payload valid: some must take the fast path.
    assert!(fast > 100, "{fast} edited payloads took the fast path");
}
