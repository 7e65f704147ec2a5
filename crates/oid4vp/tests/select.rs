//! The Wallet's selection (OpenID4VP 1.0 section 6.4) over synthetic passport credentials:
//! `multiple`, holder binding, `values` with `null` paths, `claim_sets`, `credential_sets`.
mod common;

use common::{obj, CSTF_VCT};
use passport_oid4vp::PathElement::{Index, Key};
use passport_oid4vp::*;
use serde_json::{json, Map, Value};

const DBS_VCT: &str = "https://w3id.org/nhs-staff-passport/vct/dbs-check/v1";

fn cstf(name: &str, bound: bool) -> (String, Map<String, Value>) {
    let mut c = obj(json!({
        "recordType": "CoreSkillsTraining",
        "competencyName": name,
        "expiryDate": "2027-03-31"
    }));
    if bound {
        c.insert("cnf".into(), json!({"jwk": {"kty": "EC", "crv": "P-256"}}));
    }
    (CSTF_VCT.into(), c)
}

fn dbs() -> (String, Map<String, Value>) {
    (
        DBS_VCT.into(),
        obj(json!({
            "recordType": "DbsCheck",
            "level": "Enhanced",
            "barredListsChecked": ["Adults", "Children"],
            "cnf": {"jwk": {"kty": "EC"}}
        })),
    )
}

fn query(v: Value) -> DcqlQuery {
    let q = DcqlQuery::from_value(v).expect("parses");
    q.validate().expect("valid");
    q
}

fn cstf_query(extra: Value) -> DcqlQuery {
    let mut c = json!({"id": "cstf", "format": "dc+sd-jwt", "meta": {"vct_values": [CSTF_VCT]},
                       "claims": [{"path": ["competencyName"]}]});
    for (k, v) in obj(extra) {
        c[k] = v;
    }
    query(json!({"credentials": [c]}))
}

#[test]
fn multiple_decides_how_many_are_answered() {
    let wallet = [
        cstf("NHS|CSTF|Fire Safety|3 Years", true),
        cstf("NHS|CSTF|Information Governance|1 Year", true),
    ];
    let one = select(&cstf_query(json!({})), &wallet);
    assert_eq!(one.matches("cstf").len(), 2, "both are candidates");
    let answer = one.answer();
    assert_eq!(answer.len(), 1);
    assert_eq!(answer[0].0, "cstf");
    assert_eq!(answer[0].1.len(), 1, "multiple: false answers one");
    let all = select(&cstf_query(json!({"multiple": true})), &wallet);
    assert_eq!(all.answer()[0].1.len(), 2);
}

#[test]
fn holder_binding_requires_cnf() {
    let wallet = [cstf("NHS|CSTF|Fire Safety|3 Years", false)];
    let s = select(&cstf_query(json!({})), &wallet);
    assert!(
        !s.satisfied,
        "appendix B.3: without cnf there can be no KB-JWT"
    );
    let s = select(
        &cstf_query(json!({"require_cryptographic_holder_binding": false})),
        &wallet,
    );
    assert!(s.satisfied);
}

#[test]
fn values_with_null_paths_disclose_only_matching_elements() {
    let q = |values: Option<Value>| {
        let mut claim = json!({"path": ["barredListsChecked", null]});
        if let Some(v) = values {
            claim["values"] = v;
        }
        query(json!({"credentials": [{"id": "dbs", "format": "dc+sd-jwt",
            "meta": {"vct_values": [DBS_VCT]}, "claims": [claim]}]}))
    };
    let wallet = [dbs()];
    let key = |k: &str| Key(k.into());
    let s = select(&q(Some(json!(["Children"]))), &wallet);
    assert_eq!(
        s.matches("dbs")[0].disclose,
        [vec![key("barredListsChecked"), Index(1)]]
    );
    let s = select(&q(None), &wallet);
    assert_eq!(
        s.matches("dbs")[0].disclose,
        [
            vec![key("barredListsChecked"), Index(0)],
            vec![key("barredListsChecked"), Index(1)]
        ]
    );
    assert!(!select(&q(Some(json!(["Nobody"]))), &wallet).satisfied);
}

#[test]
fn no_claims_means_only_what_is_mandatory() {
    let q = query(json!({"credentials": [{"id": "dbs", "format": "dc+sd-jwt",
        "meta": {"vct_values": [DBS_VCT]}}]}));
    let s = select(&q, &[cstf("x", true), dbs()]);
    assert_eq!(
        s.matches("dbs"),
        [CredentialMatch {
            credential: 1,
            disclose: vec![],
            claim_set: None
        }]
    );
}

#[test]
fn a_path_through_the_wrong_type_or_vct_does_not_match() {
    let q = cstf_query(json!({"claims": [{"path": ["competencyName", "x"]}]}));
    assert!(!select(&q, &[cstf("n", true)]).satisfied);
    let q = cstf_query(json!({"meta": {"vct_values": [DBS_VCT]}}));
    assert!(!select(&q, &[cstf("n", true)]).satisfied);
}

#[test]
fn without_credential_sets_every_query_is_required() {
    let q = query(json!({"credentials": [
        {"id": "cstf", "format": "dc+sd-jwt", "meta": {"vct_values": [CSTF_VCT]}},
        {"id": "dbs", "format": "dc+sd-jwt", "meta": {"vct_values": [DBS_VCT]}}
    ]}));
    let s = select(&q, &[cstf("n", true)]);
    assert!(!s.satisfied && s.requested.is_empty());
    let s = select(&q, &[dbs(), cstf("n", true)]);
    assert!(s.satisfied);
    assert_eq!(s.requested, ["cstf", "dbs"]);
    assert_eq!(s.matches("cstf")[0].credential, 1);
}

#[test]
fn an_unmet_required_set_means_no_answer_even_if_an_optional_one_is_met() {
    let q = query(json!({
        "credentials": [
            {"id": "cstf", "format": "dc+sd-jwt", "meta": {"vct_values": [CSTF_VCT]}},
            {"id": "dbs", "format": "dc+sd-jwt", "meta": {"vct_values": [DBS_VCT]}}
        ],
        "credential_sets": [
            {"options": [["dbs"]]},
            {"options": [["cstf"]], "required": false}
        ]
    }));
    let s = select(&q, &[cstf("n", true)]);
    assert!(!s.satisfied);
    assert_eq!(s.unmet_required_sets(), [0]);
    assert_eq!(
        s.sets[1].option,
        Some(0),
        "the optional set alone could be met"
    );
    assert!(s.requested.is_empty(), "section 6.4.2: return nothing");
    let s = select(&q, &[dbs()]);
    assert!(s.satisfied);
    assert_eq!(s.requested, ["dbs"]);
}
