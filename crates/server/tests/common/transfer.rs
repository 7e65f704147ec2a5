//! A doctor in training, Amara (synthetic), whose records give a known report against the
//! foundation doctor profile: dates are relative to today so the outcome never drifts.
#![allow(dead_code, clippy::unwrap_used)]
use super::{import, TestServer};
use passport_holder::Wallet;
use passport_records::ImportKind;

pub use passport_server::demo::amara::*;

/// An offer of all Amara's current records at `org` (RHQ or X24): (link, transaction code).
pub async fn amara_offer(server: &TestServer, org: &str) -> (String, String) {
    let id = passport_records::Identifier {
        scheme: passport_records::IdScheme::Gmc,
        value: "9100001".into(),
    };
    let person = server
        .state
        .store
        .person_by_identifier(org, &id)
        .await
        .unwrap()
        .unwrap();
    let offer = passport_server::issuance::create_offer(
        &server.state,
        org,
        &person,
        "test",
        passport_server::now(),
    )
    .await
    .unwrap();
    (offer.link, offer.tx_code)
}

/// Imports Amara's RHQ records: staff, competences, occupational health and DSP.
pub async fn amara_at_rhq(server: &TestServer) {
    import(server, "RHQ", ImportKind::EsrStaff, &staff_csv()).await;
    let competences = competences_csv();
    import(server, "RHQ", ImportKind::EsrCompetences, &competences).await;
    import(server, "RHQ", ImportKind::OccupationalHealth, &oh_csv()).await;
    import(server, "RHQ", ImportKind::DspJson, &dsp_json()).await;
}

/// `s` percent-encoded for a URL query value (RFC 3986 unreserved characters kept).
pub fn url_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Imports Amara's records at RHQ (and NHS England's at X24) and receives all her
/// credentials into a new in-memory wallet.
pub async fn amara_wallet(server: &TestServer) -> Wallet {
    amara_at_rhq(server).await;
    import(server, "X24", ImportKind::TisPlacements, &tis_csv()).await;
    let mut wallet = Wallet::in_memory().unwrap();
    let http = passport_holder::http_client().unwrap();
    for org in ["RHQ", "X24"] {
        let (link, tx_code) = amara_offer(server, org).await;
        wallet
            .receive(&link, Some(&tx_code), &http, passport_server::now())
            .await
            .unwrap();
    }
    wallet
}

/// A transfer request of R0A for the foundation doctor profile, made as an HR user would.
pub async fn request(server: &TestServer, audience: passport_compliance::Audience) -> String {
    request_for(server, audience, "9100001").await
}

/// [`request`] with the GMC number HR typed.
pub async fn request_for(
    server: &TestServer,
    audience: passport_compliance::Audience,
    registration: &str,
) -> String {
    let profile = server
        .state
        .store
        .profile("R0A", "foundation-doctor-medicine")
        .await
        .unwrap()
        .unwrap();
    let profile = passport_compliance::RoleProfile::from_json(&profile.body).unwrap();
    let (start, end) = placement();
    let input = passport_server::verifier::request::TransferInput {
        person_name: "Amara Okafor".into(),
        person_email: "amara.okafor@nhs.example".into(),
        registration_number: Some(registration.into()),
        profile_id: profile.id.clone(),
        start_date: start,
        end_date: end,
        move_kind: "rotation".into(),
        lead_employer: None,
    };
    passport_server::verifier::request::create(
        &server.state,
        "R0A",
        "r0a.hr",
        audience,
        &profile,
        &input,
        passport_server::now(),
    )
    .await
    .unwrap()
}

/// The `openid4vp://` link of request `id` of R0A.
pub fn link(server: &TestServer, id: &str) -> String {
    let identity = server.state.verifier("R0A").unwrap();
    passport_server::verifier::request::invocation_url(
        &server.state,
        "R0A",
        id,
        &identity.client_id,
    )
}

/// A request of R0A as a wallet holds it after fetching it, with the means to answer it by hand
/// (honestly, or with one presentation swapped for a forged one) over HTTP.
pub struct Answering<'a> {
    pub server: &'a TestServer,
    pub wallet: &'a Wallet,
    pub id: String,
    pub req: passport_holder::PresentationRequest,
}

/// A new HR request of R0A, fetched and checked by `wallet` as the holder does.
pub async fn fetched<'a>(server: &'a TestServer, wallet: &'a Wallet) -> Answering<'a> {
    let id = request(server, passport_compliance::Audience::Hr).await;
    let http = passport_holder::http_client().unwrap();
    let req = wallet
        .fetch_presentation_request(
            &link(server, &id),
            &server.state.trust_list(),
            &http,
            passport_server::now(),
        )
        .await
        .unwrap();
    Answering {
        server,
        wallet,
        id,
        req,
    }
}

/// `<JWT>~<D1>~...~<Dn>~` followed by a KB-JWT over it, made by hand so that forged disclosures
/// reach the verifier (the holder library would refuse to present them).
pub fn bind(prefix: &str, aud: &str, nonce: &str, key: &passport_jose::Es256Signer) -> String {
    use passport_jose::jws::{sign, JwsHeader};
    let header = JwsHeader {
        typ: Some("kb+jwt".into()),
        extra: serde_json::Map::new(),
        with_kid: false,
    };
    let payload = serde_json::json!({"iat": passport_server::now(), "aud": aud, "nonce": nonce,
        "sd_hash": passport_sd_jwt::sha256_b64(prefix)});
    format!("{prefix}{}", sign(&header, &payload, key).unwrap())
}

impl Answering<'_> {
    fn matches(&self, query: &str) -> Vec<&passport_oid4vp::CredentialMatch> {
        let answer = self.req.selection.answer();
        let (_, matches) = answer.into_iter().find(|(q, _)| *q == query).unwrap();
        matches
    }

    /// `sd_jwt` reduced to the claims the wallet discloses for match `m`: `<JWT>~<D1>~...~`.
    fn disclose(&self, m: &passport_oid4vp::CredentialMatch, sd_jwt: &str) -> String {
        use passport_sd_jwt::{ClaimPath, PathSegment, SdJwt};
        let paths: Vec<ClaimPath> = m
            .disclose
            .iter()
            .map(|p| {
                ClaimPath(
                    p.iter()
                        .map(|e| match e {
                            passport_oid4vp::PathElement::Key(k) => PathSegment::Key(k.clone()),
                            other => panic!("top-level claims only: {other:?}"),
                        })
                        .collect(),
                )
            })
            .collect();
        SdJwt::parse(sd_jwt)
            .unwrap()
            .select(&paths)
            .unwrap()
            .prefix()
    }

    /// The credential the wallet holds for `query`, as issued.
    pub fn held(&self, query: &str) -> &passport_holder::ReceivedCredential {
        &self.wallet.credentials()[self.matches(query)[0].credential]
    }

    /// What the wallet would disclose for `query`: `<JWT>~<D1>~...~<Dn>~`, no KB-JWT.
    pub fn disclosed(&self, query: &str) -> String {
        self.disclosed_of(query, &self.held(query).sd_jwt)
    }

    /// The claims the wallet would disclose for `query`, taken from another credential.
    pub fn disclosed_of(&self, query: &str, sd_jwt: &str) -> String {
        self.disclose(self.matches(query)[0], sd_jwt)
    }

    /// `prefix` bound to this request (its nonce and client_id) by the wallet's device key.
    pub fn bind(&self, prefix: &str) -> String {
        let r = &self.req.request;
        bind(prefix, &r.client_id, &r.nonce, self.wallet.device_key())
    }

    /// The VP Token the wallet would send: every requested query, only the requested claims.
    pub fn honest(&self) -> passport_oid4vp::VpToken {
        self.req
            .selection
            .answer()
            .into_iter()
            .map(|(q, ms)| {
                let held = |m: &passport_oid4vp::CredentialMatch| {
                    self.disclose(m, &self.wallet.credentials()[m.credential].sd_jwt)
                };
                let ps = ms.into_iter().map(|m| self.bind(&held(m)));
                (q.to_string(), ps.collect())
            })
            .collect()
    }

    /// The honest VP Token with `query` answered by `presentation` instead.
    pub fn honest_but(&self, query: &str, presentation: String) -> passport_oid4vp::VpToken {
        let mut vp = self.honest();
        vp.insert(query.to_string(), vec![presentation]);
        vp
    }

    /// The `response=<JWE>` form of `vp_token` with `state`, encrypted to this request's key.
    pub fn form(&self, vp_token: passport_oid4vp::VpToken, state: &str) -> String {
        let payload = passport_oid4vp::AuthorizationResponse {
            vp_token,
            state: Some(state.to_string()),
        };
        let jwe =
            passport_oid4vp::encrypt_response(&payload.into(), &self.req.request.client_metadata)
                .unwrap();
        passport_oid4vp::response_form(&jwe)
    }

    /// POSTs `vp_token` with this request's state; the HTTP status and JSON answer.
    pub async fn post(&self, vp_token: passport_oid4vp::VpToken) -> (u16, serde_json::Value) {
        let form = self.form(vp_token, &self.req.request.state);
        self.post_form(form).await
    }

    /// POSTs `body` as a form to this request's Response URI.
    pub async fn post_form(&self, body: String) -> (u16, serde_json::Value) {
        let r = super::http()
            .post(&self.req.request.response_uri)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json().await.unwrap())
    }

    pub async fn stored(&self) -> passport_store::TransferRequest {
        let store = &self.server.state.store;
        store
            .transfer_request("R0A", &self.id)
            .await
            .unwrap()
            .unwrap()
    }
}

/// The holder fetches and checks request `id` of R0A.
pub async fn fetch(
    server: &TestServer,
    wallet: &Wallet,
    id: &str,
) -> Result<passport_holder::PresentationRequest, passport_holder::HolderError> {
    let http = passport_holder::http_client().unwrap();
    wallet
        .fetch_presentation_request(
            &link(server, id),
            &server.state.trust_list(),
            &http,
            passport_server::now(),
        )
        .await
}

/// The holder answers request `id` of R0A with everything it matches; returns what it shared
/// and the request as stored afterwards.
pub async fn answer(
    server: &TestServer,
    wallet: &Wallet,
    id: &str,
) -> (
    Vec<passport_holder::SharedCredential>,
    passport_store::TransferRequest,
) {
    let req = fetch(server, wallet, id).await.unwrap();
    let http = passport_holder::http_client().unwrap();
    let (shared, _) = wallet
        .respond(&req, &[], &http, passport_server::now())
        .await
        .unwrap();
    let stored = server
        .state
        .store
        .transfer_request("R0A", id)
        .await
        .unwrap()
        .unwrap();
    (shared, stored)
}
