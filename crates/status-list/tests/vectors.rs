//! draft-ietf-oauth-status-list examples (tests/vectors/examples.json, source named there): every
//! published `lst` decodes to the published statuses, and the published token verifies.
#![allow(clippy::unwrap_used)]
use passport_jose::Jwk;
use passport_status_list::{verify_token, StatusList};
use serde_json::Value;

fn examples() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/examples.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn every_published_list_decodes_to_its_statuses() {
    let ex = examples();
    let lists = ex["status_lists"].as_array().unwrap();
    assert!(lists.len() >= 5, "1, 2, 4 and 8-bit examples");
    for l in lists {
        let bits = l["bits"].as_u64().unwrap();
        let decoded = StatusList::decode(bits, l["lst"].as_str().unwrap()).unwrap();
        // Section 4 examples list every entry; Appendix C lists the set ones, all others are 0.
        let mut expected = std::collections::HashMap::new();
        if let Some(all) = l.get("statuses_by_index").and_then(Value::as_array) {
            for (i, s) in all.iter().enumerate() {
                expected.insert(i as u64, s.as_u64().unwrap());
            }
        }
        if let Some(listed) = l.get("statuses").and_then(Value::as_array) {
            for s in listed {
                expected.insert(s["index"].as_u64().unwrap(), s["value"].as_u64().unwrap());
            }
            assert_eq!(decoded.len(), l["size_entries"].as_u64().unwrap());
            for i in 0..decoded.len() {
                let want = expected.get(&i).copied().unwrap_or(0);
                assert_eq!(
                    u64::from(decoded.get(i).unwrap()),
                    want,
                    "{} index {i}",
                    l["id"]
                );
            }
        }
        for (i, s) in &expected {
            assert_eq!(
                u64::from(decoded.get(*i).unwrap()),
                *s,
                "{} index {i}",
                l["id"]
            );
        }
        // Re-encoding what we decoded gives the same list back.
        let again = StatusList::decode(bits, &decoded.encode()).unwrap();
        assert_eq!(again, decoded);
    }
}

#[test]
fn published_status_list_token_verifies() {
    let ex = examples();
    let t = &ex["status_list_token_jwt"];
    let key = Jwk::from_json(&t["verification_key_public_jwk"])
        .unwrap()
        .verifying_key()
        .unwrap();
    let payload = &t["compact_decoded_payload"];
    let sub = payload["sub"].as_str().unwrap();
    let iat = payload["iat"].as_i64().unwrap();
    let token = verify_token(
        t["compact_section_8_2"].as_str().unwrap(),
        &key,
        sub,
        iat,
        0,
    )
    .unwrap();
    let expected = StatusList::from_claim(&payload["status_list"]).unwrap();
    assert_eq!(token.list, expected);
    assert_eq!(token.ttl, payload.get("ttl").and_then(Value::as_u64));
}
