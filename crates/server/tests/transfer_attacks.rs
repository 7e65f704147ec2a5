//! Attacks on the receiving trust's OpenID4VP verifier, sent to the real server over HTTP on
//! SQLite and PostgreSQL. Every test first shows the honest answer to the same setup is
//! accepted; each attack is then refused, its reason is where a person looks (the presented
//! credential's row and the report line of its requirement; or, for a response refused as a
//! whole, the OpenID4VP `error` and the request's log of refused responses), and nothing else
//! changed. The forgeries are in `common/forge.rs`.
#![allow(clippy::unwrap_used)]
mod common;

use common::forge::{self, reissue, status_of};
use common::transfer::{amara_wallet, bind, day, fetched, link, request, Answering};
use common::{servers, start_with};
use passport_compliance::{Audience, Report, Status};
use passport_credentials::{EngineError, StatusLists};
use passport_holder::{HolderError, PresentationRequest, Wallet};
use passport_jose::{b64, Es256Signer, Signer};
use passport_oid4vp::{parse_authorization_url, verify_request, Oid4vpError, VpToken};
use passport_store::RequestStatus;
use serde_json::{Map, Value};

/// Met in the baseline: Conflict Resolution, awarded a year ago, renewed every 3 years.
const CR: &str = "cstf_conflict_resolution_l1";
/// Missing in the baseline: Information Governance expired before the placement starts.
const IG: &str = "cstf_information_governance_and_data_security_l1";
const NOT_REFERENCED: &str = "is not referenced by the issuer-signed payload";

fn line<'a>(report: &'a Report, key: &str) -> &'a Status {
    &report.lines.iter().find(|l| l.key == key).unwrap().status
}

async fn report_of(a: &Answering<'_>) -> Report {
    serde_json::from_str(a.stored().await.report.as_deref().expect("a report")).unwrap()
}

async fn failures(a: &Answering<'_>) -> Vec<String> {
    let store = &a.server.state.store;
    let all = store.response_failures("R0A", &a.id).await.unwrap();
    all.into_iter().map(|(reason, _)| reason).collect()
}

/// The honest answer is accepted in full: every presentation verified, Conflict Resolution met.
async fn baseline(a: &Answering<'_>) {
    let (status, body) = a.post(a.honest()).await;
    assert_eq!(status, 200, "{body}");
    let rows = a.server.state.store.presented("R0A", &a.id).await.unwrap();
    assert!(
        !rows.is_empty() && rows.iter().all(|r| r.accepted),
        "{rows:?}"
    );
    assert!(matches!(line(&report_of(a).await, CR), Status::Met { .. }));
}

/// A credential-level attack: the honest answer with `query` answered by `presentation` is
/// received and the request answered; that presentation alone is refused with `why` in its
/// row and on its report line (Missing); every other presentation is accepted as in the
/// baseline.
async fn refused_on_line(a: &Answering<'_>, query: &str, presentation: String, why: &str) {
    let (status, body) = a.post(a.honest_but(query, presentation)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(a.stored().await.status, RequestStatus::Responded);
    let rows = a.server.state.store.presented("R0A", &a.id).await.unwrap();
    let (bad, good): (Vec<_>, Vec<_>) = rows.iter().partition(|r| r.query_id == query);
    assert!(
        bad.len() == 1
            && !bad[0].accepted
            && bad[0].reason.contains(why)
            && bad[0].claims.is_none(),
        "{query}, expected {why:?}: {bad:?}"
    );
    assert!(good.iter().all(|r| r.accepted), "{good:?}");
    match line(&report_of(a).await, query) {
        Status::Missing { reason: Some(r) } if r.contains(why) => {}
        other => panic!("{query}: {other:?}"),
    }
    assert!(failures(a).await.is_empty());
}

/// POSTs `form` and checks it is refused as a whole: a 400 with the OpenID4VP `error`, one
/// more refusal logged against the request, with `why`, and the request still `awaiting` with no
/// report and no presented credentials.
async fn refused_response(a: &Answering<'_>, form: String, why: &str, awaiting: RequestStatus) {
    let mut logged = failures(a).await;
    let (status, body) = a.post_form(form).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "invalid_request", "{body}");
    assert!(body["error_description"].is_string(), "{body}");
    // The log is ordered by second, then by a random id: find the new line by difference.
    let mut new = failures(a).await;
    for old in logged.drain(..) {
        new.remove(new.iter().position(|r| *r == old).unwrap());
    }
    assert!(new.len() == 1 && new[0].contains(why), "{why:?}: {new:?}");
    let stored = a.stored().await;
    assert_eq!(stored.status, awaiting);
    assert!(stored.report.is_none() && stored.responded_at.is_none());
    let rows = a.server.state.store.presented("R0A", &a.id).await.unwrap();
    assert!(rows.is_empty(), "{rows:?}");
}

#[tokio::test]
async fn a01_forged_issuer_signature() {
    for server in servers().await {
        let wallet = amara_wallet(&server).await;
        baseline(&fetched(&server, &wallet).await).await;
        let (mallory, _) = Es256Signer::generate().unwrap();
        // RHQ's credential signed by a fresh key under that key's kid: RHQ has no such key.
        let a = fetched(&server, &wallet).await;
        let forged = a.bind(&forge::resign(&a.disclosed(CR), &mallory, None));
        refused_on_line(&a, CR, forged, "has no key").await;
        // The same with RHQ's own kid in the header: the signature does not verify.
        let a = fetched(&server, &wallet).await;
        let kid = server.state.issuers["RHQ"].signer.kid().to_string();
        let forged = a.bind(&forge::resign(&a.disclosed(CR), &mallory, Some(&kid)));
        refused_on_line(&a, CR, forged, "issuer signature does not verify").await;
    }
}

#[tokio::test]
async fn a02_tampered_payload_or_disclosure() {
    for server in servers().await {
        let wallet = amara_wallet(&server).await;
        baseline(&fetched(&server, &wallet).await).await;
        // One byte of the signed payload (the status list index).
        let a = fetched(&server, &wallet).await;
        let p = a.bind(&forge::tamper_status_index(&a.disclosed(CR)));
        refused_on_line(&a, CR, p, "issuer signature does not verify").await;
        // A disclosure: the expired Information Governance award moved to last month.
        let a = fetched(&server, &wallet).await;
        let p = forge::swap_disclosure(&a.disclosed(IG), "dateLastAwarded", &day(-30));
        refused_on_line(&a, IG, a.bind(&p), NOT_REFERENCED).await;
    }
}

#[tokio::test]
async fn a03_revoked_at_the_issuer() {
    for server in servers().await {
        let wallet = amara_wallet(&server).await;
        // The baseline also leaves RHQ's status list in the verifier's cache.
        let a = fetched(&server, &wallet).await;
        baseline(&a).await;
        let status = status_of(a.held(CR));
        let (uri, idx, iss) = (&status.uri, status.idx, &a.held(CR).issuer);
        // Another node's verifier, modelled by a fetcher of its own, read RHQ's list before
        // the revocation.
        let (trust, ttl) = (
            &server.state.trust_list(),
            server.state.config.status_ttl_secs,
        );
        let remote = passport_server::verifier::statuses::StatusFetcher::new(ttl).unwrap();
        let check = |t: i64| {
            let remote = &remote;
            async move {
                let mut lists = StatusLists::default();
                let failed = remote
                    .fill(std::slice::from_ref(uri), trust, &mut lists, t)
                    .await;
                assert!(failed.is_empty(), "{failed:?}");
                lists.check(uri, idx, iss)
            }
        };
        let now = passport_server::now();
        assert_eq!(check(now).await, Ok(()));
        // RHQ revokes it as the portal does (store, then the node's token caches).
        let store = &server.state.store;
        let gmc = passport_records::Identifier {
            scheme: passport_records::IdScheme::Gmc,
            value: "9100001".into(),
        };
        let person = store
            .person_by_identifier("RHQ", &gmc)
            .await
            .unwrap()
            .unwrap();
        let issued = store.issued_to("RHQ", &person).await.unwrap();
        let same = |c: &&passport_store::IssuedCredential| {
            uri.ends_with(&format!("/status/{}", c.list_id)) && c.idx == i64::try_from(idx).unwrap()
        };
        let cid = &issued.iter().find(same).unwrap().id;
        store
            .revoke_credential("RHQ", cid, "issued in error", now)
            .await
            .unwrap();
        passport_server::status::invalidate(&server.state, "RHQ");
        // The other node keeps the token it fetched for min(its `ttl`, `status_ttl_secs`), 300 s
        // here: inside that window it still reads VALID, as every Token Status List relying
        // party may. The window is bounded: shown without sleeping by asking at `now` and one
        // TTL later (the list fetched again: revoked).
        assert_eq!(check(now).await, Ok(()));
        assert!(matches!(
            check(now + ttl + 1).await,
            Err(EngineError::Revoked { .. })
        ));
        // This node's own verifier saw the revocation at once: the honest answer to a new
        // request is refused on the revoked credential's line.
        let a = fetched(&server, &wallet).await;
        let honest = a.bind(&a.disclosed(CR));
        refused_on_line(&a, CR, honest, "credential has been revoked").await;
    }
}

#[tokio::test]
async fn a04_expired_credential() {
    for server in servers().await {
        let wallet = amara_wallet(&server).await;
        baseline(&fetched(&server, &wallet).await).await;
        let a = fetched(&server, &wallet).await;
        let rhq = &server.state.issuers["RHQ"];
        let exp = Some(passport_server::now() - 3600);
        let p = reissue(&a, CR, (&rhq.issuer_id, &rhq.signer), CR, exp);
        refused_on_line(&a, CR, p, "credential expired at").await;
    }
}

#[tokio::test]
async fn a05_untrusted_issuer() {
    for server in servers().await {
        let wallet = amara_wallet(&server).await;
        baseline(&fetched(&server, &wallet).await).await;
        let a = fetched(&server, &wallet).await;
        let (evil, _) = Es256Signer::generate().unwrap();
        let p = reissue(
            &a,
            CR,
            ("https://passport.evil.example/issuers/RHQ", &evil),
            CR,
            None,
        );
        refused_on_line(&a, CR, p, "is not on the trust list").await;
    }
}

#[tokio::test]
async fn a06_issuer_not_allowed_for_the_type() {
    for server in servers().await {
        let wallet = amara_wallet(&server).await;
        baseline(&fetched(&server, &wallet).await).await;
        // RHQ, a trust, signing a training placement: only NHS England (X24) may.
        let a = fetched(&server, &wallet).await;
        let rhq = &server.state.issuers["RHQ"];
        let q = "training_placement";
        let p = reissue(&a, q, (&rhq.issuer_id, &rhq.signer), CR, None);
        refused_on_line(&a, q, p, "is not authorised to issue").await;
    }
}

#[tokio::test]
async fn a07_replayed_response() {
    for server in servers().await {
        let wallet = amara_wallet(&server).await;
        let (a, b) = (
            fetched(&server, &wallet).await,
            fetched(&server, &wallet).await,
        );
        let form = a.form(a.honest(), &a.req.request.state);
        // Baseline: the first POST is the answer.
        assert_eq!(a.post_form(form.clone()).await.0, 200);
        let first = a.stored().await;
        let rows = server.state.store.presented("R0A", &a.id).await.unwrap();
        // The same form again: refused; the first report and presented credentials untouched.
        let (status, body) = a.post_form(form.clone()).await;
        assert_eq!((status, &body["error"]), (400, &"invalid_request".into()));
        let logged = failures(&a).await;
        assert!(logged.len() == 1 && logged[0].contains("already has its response"));
        assert_eq!(a.stored().await, first);
        assert_eq!(
            server.state.store.presented("R0A", &a.id).await.unwrap(),
            rows
        );
        // The same form to another open request: that request's key cannot decrypt it.
        refused_response(&b, form, "JWE", RequestStatus::Fetched).await;
        baseline(&b).await;
        // Two identical POSTs racing: exactly one is stored.
        let c = fetched(&server, &wallet).await;
        let form = c.form(c.honest(), &c.req.request.state);
        let (x, y) = tokio::join!(c.post_form(form.clone()), c.post_form(form));
        let mut codes = [x.0, y.0];
        codes.sort_unstable();
        assert_eq!(codes, [200, 400], "{x:?} {y:?}");
        let rows = server.state.store.presented("R0A", &c.id).await.unwrap();
        assert_eq!(rows.len(), c.honest().values().flatten().count());
        // The loser usually passed every check and met the store's guard: the response hash
        // already seen (SQLite), or the request no longer awaiting (PostgreSQL, after waiting on
        // the row lock); if it came second it found the request answered.
        let logged = failures(&c).await;
        let guard = |r: &String| r.contains("already") || r.contains("not awaiting");
        assert!(logged.len() == 1 && guard(&logged[0]), "{logged:?}");
    }
}

#[tokio::test]
async fn a08_vp_token_of_another_request_or_none() {
    for server in servers().await {
        let wallet = amara_wallet(&server).await;
        let (a, b) = (
            fetched(&server, &wallet).await,
            fetched(&server, &wallet).await,
        );
        // A's presentations (A's nonce), encrypted to B's key with B's state: every one is
        // refused for its nonce, so the response is refused whole and B stays open.
        let form = b.form(a.honest(), &b.req.request.state);
        refused_response(
            &b,
            form,
            "KB-JWT nonce does not match",
            RequestStatus::Fetched,
        )
        .await;
        // The logged reason names the rule per presentation, cut to a bounded length.
        let why = failures(&b).await.pop().unwrap();
        let first = a.honest().keys().next().unwrap().clone();
        assert!(
            why.contains(&format!("{first}: KB-JWT nonce does not match"))
                && why.chars().count() <= 300,
            "{why}"
        );
        // A response presenting nothing (anyone with the link can send one) cannot use B up.
        let form = b.form(VpToken::new(), &b.req.request.state);
        refused_response(
            &b,
            form,
            "no presented credential verified",
            RequestStatus::Fetched,
        )
        .await;
        // A and B are each still answered honestly: the baselines.
        baseline(&a).await;
        baseline(&b).await;
    }
}

#[tokio::test]
async fn a09_key_binding_for_another_nonce_or_audience() {
    for server in servers().await {
        let wallet = amara_wallet(&server).await;
        baseline(&fetched(&server, &wallet).await).await;
        let key = wallet.device_key();
        let a = fetched(&server, &wallet).await;
        let (client_id, nonce) = (&a.req.request.client_id, "an-earlier-requests-nonce-000");
        let p = bind(&a.disclosed(CR), client_id, nonce, key);
        refused_on_line(&a, CR, p, "KB-JWT nonce does not match").await;
        // Made for RHQ's verifier (and relayed by it to R0A).
        let a = fetched(&server, &wallet).await;
        let rhq = &server.state.verifier("RHQ").unwrap().client_id;
        let p = bind(&a.disclosed(CR), rhq, &a.req.request.nonce, key);
        refused_on_line(&a, CR, p, "KB-JWT audience does not match").await;
    }
}

#[tokio::test]
async fn a10_disclosure_the_issuer_never_made() {
    for server in servers().await {
        let wallet = amara_wallet(&server).await;
        baseline(&fetched(&server, &wallet).await).await;
        // A newly salted `dateLastAwarded` of last month appended to the expired award.
        let a = fetched(&server, &wallet).await;
        let p = forge::inject_disclosure(&a.disclosed(IG), "dateLastAwarded", &day(-30));
        refused_on_line(&a, IG, a.bind(&p), NOT_REFERENCED).await;
    }
}

#[tokio::test]
async fn a11_tampered_request_object() {
    for server in servers().await {
        let (trust, now) = (&server.state.trust_list(), passport_server::now());
        let id = request(&server, Audience::Hr).await;
        let (client_id, uri) = parse_authorization_url(&link(&server, &id)).unwrap();
        let jwt = common::http()
            .get(&uri)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        // Baseline: the object as served verifies for R0A.
        let (_, org) = verify_request(&jwt, Some(&client_id), trust, now, 60).unwrap();
        assert_eq!(org.ods_code, "R0A");
        // One payload byte changed: the response_uri's port, to collect the answer elsewhere.
        let parts: Vec<&str> = jwt.split('.').collect();
        let payload = String::from_utf8(b64::decode(parts[1]).unwrap()).unwrap();
        let base = format!("{}/verifiers/", server.base);
        let mut moved = base.clone().into_bytes();
        forge::bump(&mut moved[server.base.len() - 1]);
        let payload = payload.replace(&base, std::str::from_utf8(&moved).unwrap());
        let tampered = format!("{}.{}.{}", parts[0], b64::encode(&payload), parts[2]);
        let refused = verify_request(&tampered, Some(&client_id), trust, now, 60);
        assert_eq!(refused.unwrap_err(), Oid4vpError::BadRequestSignature);
        // The holder fetching it from a server that alters it refuses it and answers nothing.
        let (altered, task) = forge::serve_request_object(tampered).await;
        let scheme = passport_oid4vp::OPENID4VP_SCHEME;
        let link = passport_oid4vp::authorization_url(scheme, &client_id, &altered);
        let (wallet, http) = (Wallet::in_memory().unwrap(), common::http());
        let err = wallet
            .fetch_presentation_request(&link, trust, &http, now)
            .await;
        task.abort();
        assert!(matches!(
            err,
            Err(HolderError::Presentation(Oid4vpError::BadRequestSignature))
        ));
        let store = &server.state.store;
        let stored = store.transfer_request("R0A", &id).await.unwrap().unwrap();
        assert!(stored.report.is_none());
        assert!(store
            .response_failures("R0A", &id)
            .await
            .unwrap()
            .is_empty());
    }
}

#[tokio::test]
async fn a12_wrong_state() {
    for server in servers().await {
        let wallet = amara_wallet(&server).await;
        let a = fetched(&server, &wallet).await;
        let form = a.form(a.honest(), "not-the-state-of-this-request-0");
        let why = "state of the response is not the state of the request";
        refused_response(&a, form, why, RequestStatus::Fetched).await;
        // The same presentations with the request's state: the baseline, still possible.
        baseline(&a).await;
    }
}

#[tokio::test]
async fn a13_answer_after_the_request_expired() {
    for db in passport_store::testing::both().await.unwrap() {
        // Requests that expire as they are made; the request object (with its `exp`) too.
        let server = start_with(db, |c| c.request_ttl_secs = 0).await;
        let wallet = amara_wallet(&server).await;
        let id = request(&server, Audience::Hr).await;
        let (trust, now) = (&server.state.trust_list(), passport_server::now());
        let late =
            (wallet.fetch_presentation_request(&link(&server, &id), trust, &common::http(), now))
                .await;
        assert_eq!(
            late.unwrap_err().server_error_code(),
            Some("invalid_request_uri")
        );
        // A wallet that fetched it in time (the object as stored, checked as the holder checks
        // it, within its 60 s leeway) answers honestly, too late.
        let store = &server.state.store;
        let object = store
            .transfer_request("R0A", &id)
            .await
            .unwrap()
            .unwrap()
            .request_object;
        let (client_id, _) = parse_authorization_url(&link(&server, &id)).unwrap();
        let (request, org) = verify_request(&object, Some(&client_id), trust, now, 60).unwrap();
        let held: Vec<(String, Map<String, Value>)> = wallet
            .credentials()
            .iter()
            .map(|c| (c.vct.clone(), c.claims().unwrap()))
            .collect();
        let req = PresentationRequest {
            selection: passport_oid4vp::select(&request.dcql_query, &held),
            verifier_ods: org.ods_code.clone(),
            verifier_name: org.name.clone(),
            request,
        };
        let a = Answering {
            server: &server,
            wallet: &wallet,
            id,
            req,
        };
        let form = a.form(a.honest(), &a.req.request.state);
        refused_response(&a, form, "this request has expired", RequestStatus::Open).await;
    }
}

#[tokio::test]
async fn a14_garbage_instead_of_a_jwe() {
    for server in servers().await {
        let wallet = amara_wallet(&server).await;
        let a = fetched(&server, &wallet).await;
        // The real answer with one byte of its ciphertext changed in transit.
        let form = a.form(a.honest(), &a.req.request.state);
        let mut parts: Vec<String> = form.split('.').map(str::to_string).collect();
        let c = parts[3].remove(0);
        parts[3].insert(0, if c == 'A' { 'B' } else { 'A' });
        let aaa = "a".repeat(64);
        for (body, why) in [
            (parts.join("."), "JWE decryption failed"),
            ("response=not-a-jwe".into(), "malformed JWE"),
            (
                format!("response={aaa}.{aaa}.{aaa}.{aaa}.{aaa}"),
                "malformed JWE",
            ),
            ("hello".into(), "neither response nor error"),
            (
                "vp_token=%7B%7D&state=x".into(),
                "unencrypted vp_token refused",
            ),
            (
                "response=a&response=b".into(),
                "parameter response is repeated",
            ),
        ] {
            refused_response(&a, body, why, RequestStatus::Fetched).await;
        }
        // None of it used the request up: the honest answer is still accepted (the baseline).
        baseline(&a).await;
        assert_eq!(failures(&a).await.len(), 6);
    }
}

#[tokio::test]
async fn a15_credentials_of_two_wallets_pooled_into_one_answer() {
    use passport_credentials::{CredentialIssuer, IssueRequest};
    use passport_sd_jwt::issue::RandomSalts;
    for server in servers().await {
        let wallet = amara_wallet(&server).await;
        baseline(&fetched(&server, &wallet).await).await;
        // A colleague's genuine RHQ credential, bound to the colleague's own wallet key, with a
        // valid KB-JWT for this request by that key: each proof holds alone, together they are
        // two people's.
        let a = fetched(&server, &wallet).await;
        let (colleague, _) = Es256Signer::generate().unwrap();
        let rhq = &server.state.issuers["RHQ"];
        let engine = CredentialIssuer {
            iss: rhq.issuer_id.clone(),
            signer: &rhq.signer,
            catalogue: server.state.catalogue,
            max_decoys: 3,
        };
        let held = a.held(CR);
        let credential = engine
            .issue(
                &IssueRequest {
                    vct: held.vct.clone(),
                    claims: forge::record_claims(held),
                    holder: colleague.public_jwk().clone(),
                    status: status_of(held),
                    iat: passport_server::now() - 60,
                    exp: None,
                },
                &mut RandomSalts::default(),
            )
            .unwrap();
        let r = &a.req.request;
        let p = bind(
            &a.disclosed_of(CR, &credential),
            &r.client_id,
            &r.nonce,
            &colleague,
        );
        refused_on_line(&a, CR, p, "different wallet key").await;
    }
}

#[tokio::test]
async fn a16_self_signed_credential_of_a_trust_list_type() {
    for server in servers().await {
        let wallet = amara_wallet(&server).await;
        baseline(&fetched(&server, &wallet).await).await;
        // The wallet signs a CSTF competence with its own device key, issuer named by that key's
        // thumbprint as a self-declared credential is: only the self-declared vct may do that.
        let a = fetched(&server, &wallet).await;
        let iss = passport_sd_jwt::vc::jwk_thumbprint_uri(wallet.device_jwk());
        let p = reissue(&a, CR, (&iss, wallet.device_key()), CR, None);
        refused_on_line(&a, CR, p, "is not on the trust list").await;
    }
}

/// `holder`'s self-declared details, every detail disclosed, bound to request `a` by `holder`'s
/// device key.
fn declared_by(a: &Answering<'_>, holder: &mut Wallet) -> String {
    let details = serde_json::json!({"preferredName": "Someone else", "phone": "07700 900999"});
    let held = holder
        .set_self_declared(details.as_object().unwrap().clone(), passport_server::now())
        .unwrap()
        .clone();
    let sd = passport_sd_jwt::SdJwt::parse(&held.sd_jwt).unwrap();
    let (_, paths) = sd.claims_and_paths().unwrap();
    let r = &a.req.request;
    bind(
        &sd.select(&paths).unwrap().prefix(),
        &r.client_id,
        &r.nonce,
        holder.device_key(),
    )
}

#[tokio::test]
async fn a17_self_declared_details_of_another_wallet_or_alone() {
    for server in servers().await {
        let mut wallet = amara_wallet(&server).await;
        // Baseline: Amara's own declaration is taken, as declared.
        let mine = serde_json::json!({"preferredName": "Amy"});
        wallet
            .set_self_declared(mine.as_object().unwrap().clone(), passport_server::now())
            .unwrap();
        let a = fetched(&server, &wallet).await;
        let (status, body) = a.post(a.honest()).await;
        assert_eq!(status, 200, "{body}");
        let report = report_of(&a).await;
        assert_eq!(report.self_declared.unwrap()[0].value, "Amy");

        // Somebody else's declaration, bound to their own key, pooled into Amara's answer.
        let a = fetched(&server, &wallet).await;
        let mut other = Wallet::in_memory().unwrap();
        let theirs = declared_by(&a, &mut other);
        let (status, body) = a.post(a.honest_but("self_declared", theirs)).await;
        assert_eq!(status, 200, "{body}");
        let rows = a.server.state.store.presented("R0A", &a.id).await.unwrap();
        let (bad, good): (Vec<_>, Vec<_>) =
            rows.iter().partition(|r| r.query_id == "self_declared");
        assert!(
            bad.len() == 1
                && !bad[0].accepted
                && bad[0].reason.contains("different wallet key")
                && bad[0].claims.is_none(),
            "{bad:?}"
        );
        assert!(good.iter().all(|r| r.accepted), "{good:?}");
        let report = report_of(&a).await;
        assert!(report.self_declared.is_none());
        assert!(matches!(line(&report, CR), Status::Met { .. }));

        // A self-declared credential alone proves nothing: the response is refused as a whole
        // and the request stays open for the person.
        let a = fetched(&server, &wallet).await;
        let alone: VpToken = [(
            "self_declared".to_string(),
            vec![declared_by(&a, &mut other)],
        )]
        .into_iter()
        .collect();
        let form = a.form(alone, &a.req.request.state);
        refused_response(
            &a,
            form,
            "no presented credential verified",
            RequestStatus::Fetched,
        )
        .await;
    }
}
