//! Amara (synthetic) as R0A holds her, for subject access and erasure tests: her staff and OH
//! records imported at R0A, credentials R0A issued to her wallet, a transfer request of R0A's
//! that her wallet answered, a review item with her identifiers, and R0A's portal users.
#![allow(dead_code, clippy::unwrap_used)]
use super::portal::user;
use super::transfer::{amara_offer, answer, request};
use super::{import, sample, TestServer};
use passport_compliance::Audience;
use passport_holder::{ReceivedCredential, Wallet};
use passport_records::{IdScheme, Identifier, ImportKind};

/// What R0A holds about Amara, by id, and her wallet.
pub struct Held {
    pub person: String,
    pub wallet: Wallet,
    /// The credentials R0A issued to her wallet.
    pub issued: Vec<ReceivedCredential>,
    /// The offer she collected them with: its link (holding the pre-authorised code) and code.
    pub offer: (String, String),
    pub request: String,
    pub item: String,
}

/// R0A's ESR staff file: the sample's staff, R0A's.
pub fn r0a_staff() -> String {
    sample("esr-staff.csv").replace(",RHQ", ",R0A")
}

pub fn gmc() -> Identifier {
    Identifier {
        scheme: IdScheme::Gmc,
        value: "9100001".into(),
    }
}

/// Sets up R0A's users (`r0a.<role>` for admin, hr, oh, auditor; `rhq.admin` at RHQ) and
/// everything R0A holds about Amara.
pub async fn amara_at_r0a(server: &TestServer) -> Held {
    for role in ["admin", "hr", "oh", "auditor"] {
        user(server, "R0A", &format!("r0a.{role}"), role).await;
    }
    user(server, "RHQ", "rhq.admin", "admin").await;
    import(server, "R0A", ImportKind::EsrStaff, &r0a_staff()).await;
    import(
        server,
        "R0A",
        ImportKind::OccupationalHealth,
        &sample("oh.csv"),
    )
    .await;
    let store = &server.state.store;
    let person = store.person_by_identifier("R0A", &gmc()).await.unwrap();
    let person = person.unwrap();
    let offer = amara_offer(server, "R0A").await;
    let mut wallet = Wallet::in_memory().unwrap();
    let http = passport_holder::http_client().unwrap();
    let issued = wallet
        .receive(&offer.0, Some(&offer.1), &http, passport_server::now())
        .await
        .unwrap();
    let request = request(server, Audience::Hr).await;
    let (_, stored) = answer(server, &wallet, &request).await;
    assert!(stored.report.is_some(), "her wallet answered");
    // Her row again, under another surname and birth date: a review item with her identifiers.
    let mut records = passport_records::parse(ImportKind::EsrStaff, &r0a_staff(), "R0A").unwrap();
    let mut doubtful = records.remove(0);
    doubtful.key.push_str("-doubtful");
    if let Some(p) = doubtful.person.as_mut() {
        p.family_name = "Adeyemi".into();
        p.date_of_birth = Some("1999-03-15".into());
    }
    let now = passport_server::now();
    (store.apply_import("R0A", "esr-staff", "t", &[doubtful], now, |_| {}))
        .await
        .unwrap();
    let item = store.review_queue("R0A").await.unwrap()[0].id.clone();
    Held {
        person,
        wallet,
        issued,
        offer,
        request,
        item,
    }
}

/// Whether the credential's entry on its issuer's status list (fetched over HTTP, as a
/// verifier would) is VALID: `Err` names why not.
pub async fn status_of(
    server: &TestServer,
    credential: &ReceivedCredential,
) -> Result<(), passport_credentials::EngineError> {
    let sd_jwt = passport_sd_jwt::SdJwt::parse(&credential.sd_jwt).unwrap();
    let payload = sd_jwt.unverified_payload().unwrap();
    let uri = payload["status"]["status_list"]["uri"].as_str().unwrap();
    let idx = payload["status"]["status_list"]["idx"].as_u64().unwrap();
    let iss = payload["iss"].as_str().unwrap();
    let token = super::http().get(uri).send().await.unwrap();
    let token = token.text().await.unwrap();
    let mut lists = passport_credentials::StatusLists::default();
    let now = passport_server::now();
    (lists.add_token(uri, &token, &server.state.trust_list(), now)).unwrap();
    lists.check(uri, idx, iss)
}
