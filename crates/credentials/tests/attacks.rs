//! The attack catalogue: forged and malformed credentials and presentations, each refused by the
//! engine with the precise error for the rule it breaks. Every test first shows that the same
//! setup without the attack is accepted, so no test can pass by rejecting everything.
#![allow(clippy::unwrap_used)]
use passport_catalogue::Catalogue;
use passport_credentials::{
    CredentialIssuer, EngineError, IssueRequest, PresentationVerifier, StatusLists,
};
use passport_jose::jws::{self, CompactJws, JwsHeader};
use passport_jose::{b64, Es256Signer, JoseError, Jwks, Signer};
use passport_sd_jwt::issue::RandomSalts;
use passport_sd_jwt::vc::{self, Envelope, StatusReference};
use passport_sd_jwt::{ClaimPath, KbExpectation, SdJwt, SdJwtError};
use passport_status_list::{sign_token, StatusList};
use passport_trust_list::{OrgKind, Organisation, TrustError, TrustList};
use serde_json::{json, Map, Value};

const NOW: i64 = 1_800_000_000;
const AUD: &str = "x509_san_dns:r0a.passport.localhost";
const NONCE: &str = "n-0S6_WzA2Mj";
const RHQ: &str = "https://passport.localhost/issuers/RHQ";
const X24: &str = "https://passport.localhost/issuers/X24";
const R0A: &str = "https://passport.localhost/issuers/R0A";

struct World {
    rhq: Es256Signer,
    x24: Es256Signer,
    r0a: Es256Signer,
    holder: Es256Signer,
    trust: TrustList,
    statuses: StatusLists,
}

fn vct(name: &str) -> String {
    Catalogue::nhs().by_name(name).unwrap().vct.clone()
}

fn status_uri() -> String {
    format!("{RHQ}/status/1")
}

fn org(
    ods: &str,
    kind: OrgKind,
    issuer: &str,
    key: &Es256Signer,
    may_issue: Vec<String>,
) -> Organisation {
    Organisation {
        ods_code: ods.into(),
        name: format!("{ods} (synthetic)"),
        kind,
        issuer: issuer.into(),
        jwks: Jwks {
            keys: vec![key.public_jwk().clone()],
        },
        may_issue,
        may_verify: true,
    }
}

fn world() -> World {
    let gen = || Es256Signer::generate().unwrap().0;
    let (rhq, x24, r0a, holder) = (gen(), gen(), gen(), gen());
    let hr_types: Vec<String> = ["CoreSkillsTraining", "DBSCheckOutcome"]
        .iter()
        .map(|n| vct(n))
        .collect();
    let trust = TrustList::new(
        1,
        NOW,
        NOW + 86_400,
        vec![
            org("RHQ", OrgKind::Trust, RHQ, &rhq, hr_types.clone()),
            org(
                "X24",
                OrgKind::NhsEngland,
                X24,
                &x24,
                vec![vct("TrainingPlacement")],
            ),
            org("R0A", OrgKind::Trust, R0A, &r0a, hr_types),
        ],
    );
    let mut list = StatusList::new(64, 2).unwrap();
    list.set(5, 1).unwrap();
    list.set(6, 2).unwrap();
    let token = sign_token(
        &list,
        &status_uri(),
        Some(RHQ),
        NOW,
        Some(NOW + 3600),
        Some(300),
        &rhq,
    )
    .unwrap();
    let mut statuses = StatusLists::default();
    statuses
        .add_token(&status_uri(), &token, &trust, NOW)
        .unwrap();
    World {
        rhq,
        x24,
        r0a,
        holder,
        trust,
        statuses,
    }
}

fn cstf() -> Map<String, Value> {
    serde_json::from_value(json!({
        "recordType": "CoreSkillsTraining", "competencyFramework": "CSTF", "subjectName": "Fire Safety",
        "competencyName": "Fire Safety", "subjectLevel": "1", "renewalPeriodNumber": "2",
        "renewalPeriodUnits": "Years", "attainmentStatus": "ACHIEVED", "awardingOrganisation": "RHQ",
        "dateLastAwarded": "2026-01-10"
    }))
    .unwrap()
}

impl World {
    fn issue_as(&self, iss: &str, signer: &Es256Signer, idx: u64) -> String {
        let issuer = CredentialIssuer {
            iss: iss.into(),
            signer,
            catalogue: Catalogue::nhs(),
            max_decoys: 2,
        };
        let req = IssueRequest {
            vct: vct("CoreSkillsTraining"),
            claims: Value::Object(cstf()),
            holder: self.holder.public_jwk().clone(),
            status: StatusReference {
                uri: status_uri(),
                idx,
            },
            iat: NOW - 60,
            exp: Some(NOW + 86_400),
        };
        issuer.issue(&req, &mut RandomSalts::default()).unwrap()
    }

    fn issued(&self) -> String {
        self.issue_as(RHQ, &self.rhq, 0)
    }

    /// Issues with an arbitrary envelope, straight through the SD-JWT VC layer.
    fn issue_envelope(&self, f: impl FnOnce(&mut Envelope)) -> String {
        let mut env = Envelope {
            iss: RHQ.into(),
            vct: vct("CoreSkillsTraining"),
            iat: NOW - 60,
            exp: Some(NOW + 86_400),
            nbf: None,
            holder: Some(self.holder.public_jwk().clone()),
            status: Some(StatusReference {
                uri: status_uri(),
                idx: 0,
            }),
        };
        f(&mut env);
        let sd: Vec<ClaimPath> = cstf()
            .keys()
            .filter(|k| *k != "recordType")
            .map(|k| ClaimPath::keys(&[k]))
            .collect();
        vc::issue(&self.rhq, &env, cstf(), &sd, &mut RandomSalts::default(), 2)
            .unwrap()
            .compact()
    }

    fn present(&self, credential: &str) -> String {
        self.present_with(credential, AUD, NONCE, NOW, &self.holder)
    }

    /// Presents every disclosure exactly as given (no holder-side checks, so forged content
    /// reaches the verifier) with a KB-JWT over it.
    fn present_with(
        &self,
        credential: &str,
        aud: &str,
        nonce: &str,
        iat: i64,
        key: &Es256Signer,
    ) -> String {
        assert!(credential.ends_with('~'));
        let payload = json!({"iat": iat, "aud": aud, "nonce": nonce, "sd_hash": passport_sd_jwt::sha256_b64(credential)});
        let header = JwsHeader {
            typ: Some("kb+jwt".into()),
            extra: Map::new(),
            with_kid: false,
        };
        format!("{credential}{}", jws::sign(&header, &payload, key).unwrap())
    }

    fn verify(&self, presentation: &str) -> Result<String, EngineError> {
        self.verify_with(presentation, &self.statuses)
    }

    fn verify_with(
        &self,
        presentation: &str,
        statuses: &StatusLists,
    ) -> Result<String, EngineError> {
        let v = PresentationVerifier {
            trust: &self.trust,
            statuses,
            catalogue: Catalogue::nhs(),
            leeway_secs: 60,
        };
        let expect = KbExpectation {
            aud: AUD.into(),
            nonce: NONCE.into(),
            max_age_secs: 300,
        };
        v.verify(presentation, expect, NOW).map(|c| c.vct)
    }
}

/// Rewrites the issuer-signed JWT's payload and signs it again with `signer` (a trusted key):
/// the attacks that need a validly signed but malicious payload.
fn resign(
    credential: &str,
    signer: &Es256Signer,
    f: impl FnOnce(&mut Map<String, Value>),
) -> String {
    let sd = SdJwt::parse(credential).unwrap();
    let mut jws = CompactJws::parse(&sd.jwt).unwrap();
    f(&mut jws.payload);
    let jwt = jws::sign(
        &JwsHeader::typed("dc+sd-jwt"),
        &Value::Object(jws.payload),
        signer,
    )
    .unwrap();
    format!("{}{}", jwt, &credential[sd.jwt.len()..])
}

fn disclosure(contents: Value) -> (String, String) {
    let d = b64::encode(contents.to_string());
    let digest = passport_sd_jwt::sha256_b64(&d);
    (d, digest)
}

fn push_sd(payload: &mut Map<String, Value>, digest: &str) {
    payload["_sd"].as_array_mut().unwrap().push(digest.into());
}

fn sd_err(e: Result<String, EngineError>) -> SdJwtError {
    match e {
        Err(EngineError::SdJwt(e)) => e,
        other => panic!("expected an SD-JWT error, got {other:?}"),
    }
}

#[test]
fn baseline_is_accepted() {
    let w = world();
    assert_eq!(
        w.verify(&w.present(&w.issued())).unwrap(),
        vct("CoreSkillsTraining")
    );
}

#[test]
fn a01_tampered_payload() {
    let w = world();
    let cred = w.issued();
    let sd = SdJwt::parse(&cred).unwrap();
    let parts: Vec<&str> = sd.jwt.split('.').collect();
    let mut payload: Value = serde_json::from_slice(&b64::decode(parts[1]).unwrap()).unwrap();
    payload["exp"] = json!(NOW + 10 * 365 * 86_400);
    let forged = format!(
        "{}.{}.{}{}",
        parts[0],
        b64::encode(payload.to_string()),
        parts[2],
        &cred[sd.jwt.len()..]
    );
    assert_eq!(
        sd_err(w.verify(&w.present(&forged))),
        SdJwtError::IssuerSignature
    );
}

#[test]
fn a02_tampered_disclosure() {
    let w = world();
    let cred = w.issued();
    let sd = SdJwt::parse(&cred).unwrap();
    let d = sd
        .disclosures
        .iter()
        .find(|d| d.name.as_deref() == Some("dateLastAwarded"))
        .unwrap();
    let (forged_d, _) = disclosure(json!([d.salt().unwrap(), "dateLastAwarded", "2026-11-01"]));
    let forged = cred.replace(&d.encoded, &forged_d);
    assert!(matches!(
        sd_err(w.verify(&w.present(&forged))),
        SdJwtError::DisclosureNotReferenced(_)
    ));
}

#[test]
fn a03_disclosure_not_referenced() {
    let w = world();
    let (extra, _) = disclosure(json!(["c2FsdHNhbHQ", "subjectLevel", "3"]));
    let forged = format!("{}{}~", w.issued(), extra);
    assert!(matches!(
        sd_err(w.verify(&w.present(&forged))),
        SdJwtError::DisclosureNotReferenced(_)
    ));
}

#[test]
fn a04_duplicate_disclosure() {
    let w = world();
    let cred = w.issued();
    let first = SdJwt::parse(&cred).unwrap().disclosures[0].encoded.clone();
    let forged = format!("{cred}{first}~");
    assert!(matches!(
        SdJwt::parse(&forged).unwrap().claims_and_paths(),
        Err(SdJwtError::DuplicateDisclosure(_))
    ));
    let p = w.present(&cred);
    let kb_at = p.rfind('~').unwrap() + 1;
    let forged_p = format!("{}{first}~{}", &p[..kb_at], &p[kb_at..]);
    assert!(matches!(
        sd_err(w.verify(&forged_p)),
        SdJwtError::DuplicateDisclosure(_)
    ));
}

#[test]
fn a05_alg_none() {
    let w = world();
    let cred = w.issued();
    let sd = SdJwt::parse(&cred).unwrap();
    let parts: Vec<&str> = sd.jwt.split('.').collect();
    let header = b64::encode(json!({"alg": "none", "typ": "dc+sd-jwt"}).to_string());
    let forged = format!("{header}.{}.{}", parts[1], &cred[sd.jwt.len()..]);
    assert_eq!(
        sd_err(w.verify(&w.present(&forged))),
        SdJwtError::IssuerJwt(JoseError::AlgorithmNotAllowed("none".into()))
    );
}

#[test]
fn a06_hs256_with_public_key_as_secret() {
    let w = world();
    let cred = w.issued();
    let sd = SdJwt::parse(&cred).unwrap();
    let parts: Vec<&str> = sd.jwt.split('.').collect();
    let header =
        b64::encode(json!({"alg": "HS256", "typ": "dc+sd-jwt", "kid": w.rhq.kid()}).to_string());
    let input = format!("{header}.{}", parts[1]);
    let secret = w.rhq.public_jwk().verifying_key().unwrap().point().to_vec();
    let tag = ring::hmac::sign(
        &ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &secret),
        input.as_bytes(),
    );
    let forged = format!(
        "{input}.{}{}",
        b64::encode(tag.as_ref()),
        &cred[sd.jwt.len()..]
    );
    assert_eq!(
        sd_err(w.verify(&w.present(&forged))),
        SdJwtError::IssuerJwt(JoseError::AlgorithmNotAllowed("HS256".into()))
    );
}

#[test]
fn a07_signed_by_wrong_key_with_trusted_kid() {
    let w = world();
    let (mallory, _) = Es256Signer::generate().unwrap();
    let forged = resign(&w.issued(), &mallory, |_| {});
    // The header kid is Mallory's thumbprint, unknown for RHQ...
    assert!(matches!(
        w.verify(&w.present(&forged)),
        Err(EngineError::Trust(TrustError::UnknownKey { .. }))
    ));
    // ...and with RHQ's kid in the header, the signature fails.
    let sd = SdJwt::parse(&forged).unwrap();
    let jws = CompactJws::parse(&sd.jwt).unwrap();
    let mut header = JwsHeader::typed("dc+sd-jwt");
    header.with_kid = false;
    header.extra.insert("kid".into(), w.rhq.kid().into());
    let jwt = jws::sign(&header, &Value::Object(jws.payload), &mallory).unwrap();
    let parts: Vec<&str> = jwt.split('.').collect();
    let h = b64::encode(json!({"alg":"ES256","typ":"dc+sd-jwt","kid": w.rhq.kid()}).to_string());
    let relabelled = format!("{h}.{}.{}{}", parts[1], parts[2], &forged[sd.jwt.len()..]);
    assert_eq!(
        sd_err(w.verify(&w.present(&relabelled))),
        SdJwtError::IssuerSignature
    );
}

#[test]
fn a08_expired() {
    let w = world();
    let cred = w.issue_envelope(|e| e.exp = Some(NOW - 3600));
    assert!(matches!(
        sd_err(w.verify(&w.present(&cred))),
        SdJwtError::Expired { .. }
    ));
}

#[test]
fn a09_not_yet_valid() {
    let w = world();
    let cred = w.issue_envelope(|e| e.nbf = Some(NOW + 3600));
    assert!(matches!(
        sd_err(w.verify(&w.present(&cred))),
        SdJwtError::NotYetValid { .. }
    ));
}

#[test]
fn a10_issued_in_the_future() {
    let w = world();
    let cred = w.issue_envelope(|e| e.iat = NOW + 3600);
    assert!(matches!(
        sd_err(w.verify(&w.present(&cred))),
        SdJwtError::IssuedInFuture { .. }
    ));
}

#[test]
fn a11_key_binding_missing() {
    let w = world();
    let cred = w.issued();
    assert_eq!(sd_err(w.verify(&cred)), SdJwtError::KbMissing);
}

#[test]
fn a12_kb_wrong_nonce_replayed_presentation() {
    let w = world();
    let p = w.present_with(&w.issued(), AUD, "an-earlier-request-nonce", NOW, &w.holder);
    assert_eq!(sd_err(w.verify(&p)), SdJwtError::KbNonce);
}

#[test]
fn a13_kb_wrong_audience() {
    let w = world();
    let p = w.present_with(
        &w.issued(),
        "x509_san_dns:evil.example",
        NONCE,
        NOW,
        &w.holder,
    );
    assert_eq!(sd_err(w.verify(&p)), SdJwtError::KbAudience);
}

#[test]
fn a14_kb_stale_iat() {
    let w = world();
    let p = w.present_with(&w.issued(), AUD, NONCE, NOW - 3600, &w.holder);
    assert!(matches!(
        sd_err(w.verify(&p)),
        SdJwtError::KbFreshness { .. }
    ));
}

#[test]
fn a15_kb_iat_in_future() {
    let w = world();
    let p = w.present_with(&w.issued(), AUD, NONCE, NOW + 3600, &w.holder);
    assert!(matches!(
        sd_err(w.verify(&p)),
        SdJwtError::KbFreshness { .. }
    ));
}

#[test]
fn a16_kb_wrong_sd_hash_disclosure_dropped_after_binding() {
    let w = world();
    let p = w.present(&w.issued());
    let sd = SdJwt::parse(&p).unwrap();
    let dropped = p.replacen(&format!("{}~", sd.disclosures[0].encoded), "", 1);
    assert_eq!(sd_err(w.verify(&dropped)), SdJwtError::KbSdHash);
}

#[test]
fn a17_kb_signed_by_another_key() {
    let w = world();
    let (thief, _) = Es256Signer::generate().unwrap();
    let p = w.present_with(&w.issued(), AUD, NONCE, NOW, &thief);
    assert_eq!(sd_err(w.verify(&p)), SdJwtError::KbSignature);
}

#[test]
fn a18_kb_wrong_typ() {
    let w = world();
    let cred = w.issued();
    let sd = SdJwt::parse(&cred).unwrap();
    let payload = json!({"iat": NOW, "aud": AUD, "nonce": NONCE, "sd_hash": passport_sd_jwt::sha256_b64(&sd.prefix())});
    let kb = jws::sign(
        &JwsHeader {
            typ: Some("JWT".into()),
            extra: Map::new(),
            with_kid: false,
        },
        &payload,
        &w.holder,
    )
    .unwrap();
    assert!(matches!(
        sd_err(w.verify(&format!("{cred}{kb}"))),
        SdJwtError::WrongTyp {
            expected: "kb+jwt",
            ..
        }
    ));
}

#[test]
fn a19_untrusted_issuer() {
    let w = world();
    let (evil, _) = Es256Signer::generate().unwrap();
    let cred = w.issue_as("https://passport.evil.example/issuers/RHQ", &evil, 0);
    assert!(matches!(
        w.verify(&w.present(&cred)),
        Err(EngineError::Trust(TrustError::UntrustedIssuer(_)))
    ));
}

#[test]
fn a20_issuer_not_authorised_for_type() {
    let w = world();
    // NHS England is on the list, but for training placements only, not CSTF.
    let cred = w.issue_as(X24, &w.x24, 0);
    assert!(matches!(
        w.verify(&w.present(&cred)),
        Err(EngineError::Trust(TrustError::NotAuthorisedForType { .. }))
    ));
}

#[test]
fn a21_revoked() {
    let w = world();
    let cred = w.issue_as(RHQ, &w.rhq, 5);
    assert_eq!(
        w.verify(&w.present(&cred)),
        Err(EngineError::Revoked {
            uri: status_uri(),
            idx: 5
        })
    );
}

#[test]
fn a22_suspended() {
    let w = world();
    let cred = w.issue_as(RHQ, &w.rhq, 6);
    assert_eq!(
        w.verify(&w.present(&cred)),
        Err(EngineError::Suspended {
            uri: status_uri(),
            idx: 6
        })
    );
}

#[test]
fn a23_malformed_base64() {
    let w = world();
    let p = w.present(&w.issued());
    let sd = SdJwt::parse(&p).unwrap();
    let bad = p.replacen(&sd.disclosures[0].encoded, "WyJ+/=", 1);
    assert!(matches!(
        sd_err(w.verify(&bad)),
        SdJwtError::DisclosureMalformed(_)
    ));
    let bad_jwt = p.replacen('.', ".!", 1);
    assert!(matches!(
        sd_err(w.verify(&bad_jwt)),
        SdJwtError::IssuerJwt(JoseError::Base64(_))
    ));
}

#[test]
fn a24_oversized_input() {
    let w = world();
    let p = w.present(&w.issued());
    let huge = format!("{}{}", "A".repeat(300 * 1024), p);
    assert!(matches!(sd_err(w.verify(&huge)), SdJwtError::TooLarge(_)));
}

#[test]
fn a25_wrong_credential_typ() {
    let w = world();
    let cred = w.issued();
    let sd = SdJwt::parse(&cred).unwrap();
    let jws = CompactJws::parse(&sd.jwt).unwrap();
    let jwt = jws::sign(
        &JwsHeader::typed("JWT"),
        &Value::Object(jws.payload),
        &w.rhq,
    )
    .unwrap();
    let forged = format!("{jwt}{}", &cred[sd.jwt.len()..]);
    assert!(matches!(
        sd_err(w.verify(&w.present(&forged))),
        SdJwtError::WrongTyp {
            expected: "dc+sd-jwt",
            ..
        }
    ));
}

#[test]
fn a26_unsupported_sd_alg() {
    let w = world();
    let forged = resign(&w.issued(), &w.rhq, |p| {
        p.insert("_sd_alg".into(), "sha-1".into());
    });
    assert_eq!(
        sd_err(w.verify(&w.present(&forged))),
        SdJwtError::UnsupportedSdAlg("sha-1".into())
    );
}

#[test]
fn a27_duplicate_digest_in_payload() {
    let w = world();
    let forged = resign(&w.issued(), &w.rhq, |p| {
        let first = p["_sd"][0].clone();
        p["_sd"].as_array_mut().unwrap().push(first);
    });
    assert!(matches!(
        sd_err(w.verify(&w.present(&forged))),
        SdJwtError::DuplicateDigest(_)
    ));
}

#[test]
fn a28_disclosed_claim_collides_with_plain_claim() {
    let w = world();
    let (d, digest) = disclosure(json!(["c2FsdA", "recordType", "DBSCheckOutcome"]));
    let forged = resign(&w.issued(), &w.rhq, |p| push_sd(p, &digest));
    let forged = format!("{forged}{d}~");
    assert_eq!(
        sd_err(w.verify(&w.present(&forged))),
        SdJwtError::ClaimCollision("recordType".into())
    );
}

#[test]
fn a29_reserved_claim_name_in_disclosure() {
    let w = world();
    for name in ["_sd", "..."] {
        let (d, digest) = disclosure(json!(["c2FsdA", name, ["x"]]));
        let forged = resign(&w.issued(), &w.rhq, |p| push_sd(p, &digest));
        let forged = format!("{forged}{d}~");
        assert_eq!(
            SdJwt::parse(&forged).unwrap_err(),
            SdJwtError::ReservedClaimName(name.into())
        );
    }
}

#[test]
fn a30_array_element_disclosure_used_as_property() {
    let w = world();
    let (d, digest) = disclosure(json!(["c2FsdA", "Level 9"]));
    let forged = resign(&w.issued(), &w.rhq, |p| push_sd(p, &digest));
    let forged = format!("{forged}{d}~");
    assert!(matches!(
        sd_err(w.verify(&w.present(&forged))),
        SdJwtError::DisclosureKindMismatch(_)
    ));
}

#[test]
fn a31_status_made_selectively_disclosable() {
    let w = world();
    // A holder could withhold a selectively disclosable status claim and dodge revocation.
    let (d, digest) =
        disclosure(json!(["c2FsdA", "status", {"status_list": {"idx": 0, "uri": status_uri()}}]));
    let forged = resign(&w.issue_as(RHQ, &w.rhq, 5), &w.rhq, |p| {
        p.remove("status");
        push_sd(p, &digest);
    });
    let forged = format!("{forged}{d}~");
    assert_eq!(
        sd_err(w.verify(&w.present(&forged))),
        SdJwtError::MustNotBeDisclosable("status".into())
    );
    // And a credential with no status at all is refused: it could never be revoked.
    let no_status = w.issue_envelope(|e| e.status = None);
    assert_eq!(w.verify(&w.present(&no_status)), Err(EngineError::NoStatus));
}

#[test]
fn a32_status_list_unavailable() {
    let w = world();
    let p = w.present(&w.issued());
    assert_eq!(
        w.verify_with(&p, &StatusLists::default()),
        Err(EngineError::StatusUnavailable(status_uri()))
    );
}

#[test]
fn a33_status_list_published_by_another_issuer() {
    let w = world();
    // R0A publishes an all-valid list at RHQ's status URI, hoping to un-revoke entry 5.
    let clean = StatusList::new(64, 2).unwrap();
    let token = sign_token(
        &clean,
        &status_uri(),
        Some(R0A),
        NOW,
        Some(NOW + 3600),
        None,
        &w.r0a,
    )
    .unwrap();
    let mut statuses = StatusLists::default();
    statuses
        .add_token(&status_uri(), &token, &w.trust, NOW)
        .unwrap();
    let p = w.present(&w.issue_as(RHQ, &w.rhq, 5));
    assert!(matches!(
        w.verify_with(&p, &statuses),
        Err(EngineError::StatusIssuerMismatch { .. })
    ));
    // Claiming to be RHQ while signing with R0A's key fails at the token signature.
    let lying = sign_token(
        &clean,
        &status_uri(),
        Some(RHQ),
        NOW,
        Some(NOW + 3600),
        None,
        &w.r0a,
    )
    .unwrap();
    let mut statuses = StatusLists::default();
    let err = statuses
        .add_token(&status_uri(), &lying, &w.trust, NOW)
        .unwrap_err();
    assert!(matches!(
        err,
        EngineError::Trust(TrustError::UnknownKey { .. })
    ));
}

#[test]
fn a34_holder_binding_missing_from_credential() {
    let w = world();
    let cred = w.issue_envelope(|e| e.holder = None);
    let sd = SdJwt::parse(&cred).unwrap();
    let all = sd.claims_and_paths().unwrap().1;
    // The thief binds it to their own key: with no cnf there is no holder key to check against.
    let p = sd.present(&all, AUD, NONCE, NOW, &w.holder).unwrap();
    assert!(matches!(sd_err(w.verify(&p)), SdJwtError::NoHolderKey(_)));
}

#[test]
fn a35_header_jwk_is_ignored_for_key_selection() {
    let w = world();
    let (mallory, _) = Es256Signer::generate().unwrap();
    let cred = w.issued();
    let sd = SdJwt::parse(&cred).unwrap();
    let jws = CompactJws::parse(&sd.jwt).unwrap();
    let mut header = JwsHeader::typed("dc+sd-jwt");
    header.extra.insert(
        "jwk".into(),
        serde_json::to_value(mallory.public_jwk()).unwrap(),
    );
    header.with_kid = false;
    let jwt = jws::sign(&header, &Value::Object(jws.payload), &mallory).unwrap();
    let forged = format!("{jwt}{}", &cred[sd.jwt.len()..]);
    // No kid and RHQ has one key: the trust list's key is used, and Mallory's signature fails.
    assert_eq!(
        sd_err(w.verify(&w.present(&forged))),
        SdJwtError::IssuerSignature
    );
}

#[test]
fn a36_duplicate_json_member_in_payload() {
    let w = world();
    let cred = w.issued();
    let sd = SdJwt::parse(&cred).unwrap();
    let parts: Vec<&str> = sd.jwt.split('.').collect();
    let text = String::from_utf8(b64::decode(parts[1]).unwrap()).unwrap();
    let dup = format!("{{\"iss\":\"{X24}\",{}", &text[1..]);
    let input = format!("{}.{}", parts[0], b64::encode(dup));
    let sig = w.rhq.sign(input.as_bytes()).unwrap();
    let forged = format!("{input}.{}{}", b64::encode(sig), &cred[sd.jwt.len()..]);
    assert!(matches!(
        sd_err(w.verify(&w.present(&forged))),
        SdJwtError::IssuerJwt(JoseError::Json { .. })
    ));
}

#[test]
fn a37_forged_trust_list() {
    let w = world();
    let (registry, _) = Es256Signer::generate().unwrap();
    let (mallory, _) = Es256Signer::generate().unwrap();
    let token = w.trust.sign(&mallory).unwrap();
    let err = TrustList::verify(&token, &registry.public_jwk().verifying_key().unwrap(), NOW)
        .unwrap_err();
    assert_eq!(err, TrustError::BadSignature);
}

#[test]
fn a38_claims_outside_schema_are_not_issued() {
    let w = world();
    let issuer = CredentialIssuer {
        iss: RHQ.into(),
        signer: &w.rhq,
        catalogue: Catalogue::nhs(),
        max_decoys: 0,
    };
    let mut claims = cstf();
    claims.insert("salary".into(), json!(42_000));
    let req = IssueRequest {
        vct: vct("CoreSkillsTraining"),
        claims: Value::Object(claims),
        holder: w.holder.public_jwk().clone(),
        status: StatusReference {
            uri: status_uri(),
            idx: 0,
        },
        iat: NOW,
        exp: None,
    };
    assert!(matches!(
        issuer.issue(&req, &mut RandomSalts::default()),
        Err(EngineError::Catalogue(
            passport_catalogue::CatalogueError::InvalidClaims { .. }
        ))
    ));
}
