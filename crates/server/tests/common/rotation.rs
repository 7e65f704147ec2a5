//! The rotation tests' server (R0A's mail to an SMTP sink, the outbox worker running) and the
//! Rust holder's part for each doctor of the cohort (`cohort.rs`), and the portal upload.
#![allow(dead_code, clippy::unwrap_used)]
use super::outbox::fast_outbox;
use super::portal::Signed;
use super::smtp_sink::SmtpSink;
use super::TestServer;
use passport_holder::Wallet;
use passport_server::mail::{MailConfig, SmtpSecurity};
use passport_server::webhooks::Worker;
use passport_server::Shared;
use reqwest::StatusCode;

pub use super::cohort::*;

/// A server (with the third issuing trust) whose mail goes to `sink`, its outbox worker
/// running.
pub async fn start(db: passport_store::testing::TestDb, sink: &SmtpSink) -> (TestServer, Worker) {
    let addr = sink.addr;
    let server = super::start_with(db, |c| {
        c.organisations.push(third_trust());
        c.mail = Some(MailConfig {
            host: addr.ip().to_string(),
            port: Some(addr.port()),
            security: SmtpSecurity::None,
            from: "NHS Staff Passport <passport@r0a.example.nhs.uk>".into(),
            ..MailConfig::default()
        });
        c.outbox = fast_outbox(5);
    })
    .await;
    let mailer = passport_server::mail::mailer_from_config(&server.state.config).unwrap();
    let worker = passport_server::webhooks::spawn(server.state.clone(), mailer).unwrap();
    (server, worker)
}

/// The doctor's credentials from their trust and from NHS England, in a new wallet.
pub async fn wallet_of(state: &Shared, d: &Doctor) -> Wallet {
    let id = passport_records::Identifier {
        scheme: passport_records::IdScheme::Gmc,
        value: d.gmc.clone(),
    };
    let mut wallet = Wallet::in_memory().unwrap();
    let http = passport_holder::http_client().unwrap();
    for org in [d.trust, "X24"] {
        let person = state
            .store
            .person_by_identifier(org, &id)
            .await
            .unwrap()
            .unwrap();
        let now = passport_server::now();
        let offer = passport_server::issuance::create_offer(state, org, &person, "test", now)
            .await
            .unwrap();
        wallet
            .receive(&offer.link, Some(&offer.tx_code), &http, now)
            .await
            .unwrap();
    }
    wallet
}

/// What the holder did with one invitation: the queries it shared (empty when it declined).
#[derive(Debug, Clone)]
pub struct Answered {
    pub n: usize,
    pub shared_queries: Vec<String>,
}

/// Carries out `d`'s plan with the link from their invitation.
pub async fn answer(state: Shared, d: Doctor, link: String) -> Answered {
    let http = passport_holder::http_client().unwrap();
    let trust = state.trust_list();
    let wallet = if d.plan.answers() {
        wallet_of(&state, &d).await
    } else {
        Wallet::in_memory().unwrap()
    };
    let req = wallet
        .fetch_presentation_request(&link, &trust, &http, passport_server::now())
        .await
        .unwrap();
    assert_eq!(req.verifier_ods, RECEIVING);
    if d.plan == Plan::Decline {
        wallet.decline(&req, &http).await.unwrap();
        return Answered {
            n: d.n,
            shared_queries: vec![],
        };
    }
    let (shared, _) = wallet
        .respond(&req, &[], &http, passport_server::now())
        .await
        .unwrap();
    let mut queries: Vec<String> = shared.into_iter().map(|s| s.query_id).collect();
    queries.sort();
    queries.dedup();
    Answered {
        n: d.n,
        shared_queries: queries,
    }
}

/// A `multipart/form-data` body of text `fields` and one file `file` named `rotation.csv`:
/// (content type, body).
pub fn multipart(fields: &[(&str, &str)], file: &str) -> (String, Vec<u8>) {
    let boundary = "----passport-test-boundary-7d93a1";
    let mut body = String::new();
    for (name, value) in fields {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"rotation.csv\"\r\nContent-Type: text/csv\r\n\r\n{file}\r\n--{boundary}--\r\n"
    ));
    (
        format!("multipart/form-data; boundary={boundary}"),
        body.into_bytes(),
    )
}

/// Uploads `csv` as `who` (with `csrf`) into a new changeover, or `existing`: the status, the
/// page and the redirect's location.
pub async fn upload(
    server: &TestServer,
    who: &Signed,
    csrf: &str,
    existing: Option<&str>,
    csv: &str,
) -> (StatusCode, String, String) {
    let fields = [
        ("csrf", csrf),
        ("changeover", existing.unwrap_or("new")),
        ("name", "August changeover (synthetic)"),
        ("date", "2026-08-05"),
    ];
    let (content_type, body) = multipart(&fields, csv);
    let r = who
        .client
        .post(format!("{}/portal/rotations/import", server.base))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status();
    let location = r
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, r.text().await.unwrap(), location)
}

/// The changeover id in a dashboard URL.
pub fn changeover_of(location: &str) -> String {
    let tail = location.strip_prefix("/portal/rotations/").unwrap();
    tail.split('?').next().unwrap().to_string()
}
