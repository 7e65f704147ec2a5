//! The person's own access log, end to end on SQLite and PostgreSQL with the Rust holder.
//!
//! Amara's wallet shares with trust B (R0A) twice: HR's request and the occupational health
//! team's. At R0A an HR user opens the report, downloads its CSV and accepts it; the OH team
//! opens its own report. Amara's wallet asks R0A's node for its log with a proof signed by its
//! device key and sees exactly those entries, under R0A's name, by team, never by username;
//! after the retention run the HR request shows its data deleted, the entries kept.
//!
//! Attacks, each after the same setup has succeeded: a proof signed by another key gets that
//! key's (empty) log, never Amara's; a replayed proof, a stale one, one for another node and one
//! whose signature is not by its header key are refused; another person's request never
//! appears in Amara's log nor hers in theirs; a body that is not one proof is refused; and the
//! endpoint stops answering one address that asks too often.
#![allow(clippy::unwrap_used)]
mod common;

use common::access_log::{
    entries_of, hr_expected, hr_reads_exports_and_decides, oh_reads, owned, post, proof,
};
use common::transfer::{amara_wallet, answer, fetch, request};
use common::{servers, TestServer};
use passport_compliance::Audience;
use passport_holder::Wallet;
use passport_jose::Signer;

fn http() -> reqwest::Client {
    passport_holder::http_client().unwrap()
}

async fn log_of(server: &TestServer, wallet: &Wallet) -> passport_access_log::AccessLog {
    wallet
        .access_log(&server.base, &http(), passport_server::now())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_holder_sees_who_at_trust_b_looked_at_what_it_shared_and_nothing_else() {
    for server in servers().await {
        let amara = amara_wallet(&server).await;
        let hr_id = request(&server, Audience::Hr).await;
        let req = fetch(&server, &amara, &hr_id).await.unwrap();
        assert_eq!(req.node().as_deref(), Some(server.base.as_str()));
        answer(&server, &amara, &hr_id).await;
        let oh_id = request(&server, Audience::OccupationalHealth).await;
        answer(&server, &amara, &oh_id).await;
        let stored = server.state.store.transfer_request("R0A", &hr_id).await;
        assert_eq!(stored.unwrap().unwrap().status.as_str(), "responded");

        // Nobody has looked yet: both requests, no entries.
        let before = log_of(&server, &amara).await;
        assert_eq!(before.requests.len(), 2);
        assert!(before.requests.iter().all(|r| r.entries.is_empty()));

        let (hr_name, hr_user) = hr_reads_exports_and_decides(&server, &hr_id).await;
        let (oh_name, oh_user) = oh_reads(&server, &oh_id).await;

        let log = log_of(&server, &amara).await;
        assert_eq!(log.node, server.base);
        assert_eq!(log.key, amara.device_jwk().thumbprint());
        assert_eq!(log.retention_days, server.state.config.retention_days);
        assert!(!log.truncated);
        let mut ids: Vec<&str> = log.requests.iter().map(|r| r.id.as_str()).collect();
        ids.sort_unstable();
        let mut want = [oh_id.as_str(), hr_id.as_str()];
        want.sort_unstable();
        assert_eq!(
            ids, want,
            "both requests Amara answered (the order is the store's test)"
        );
        let r0a = server.state.issuer("R0A").unwrap().name.clone();
        for r in &log.requests {
            assert_eq!(
                (r.organisation.ods.as_str(), r.organisation.name.as_str()),
                ("R0A", r0a.as_str())
            );
            assert!(
                r.role.contains("oundation"),
                "the profile's name: {}",
                r.role
            );
            assert!(r.shared_at.is_some() && r.deleted.is_none());
            assert!(!r.entries_truncated);
        }
        let find = |id: &str| log.requests.iter().find(|r| r.id == id).unwrap();
        let (oh, hr) = (find(&oh_id), find(&hr_id));
        assert_eq!(hr.audience, "hr");
        assert_eq!(entries_of(hr), owned(&hr_expected()));
        assert_eq!(
            hr.decision.as_ref().map(|d| d.outcome.as_str()),
            Some("accepted")
        );
        assert_eq!(oh.audience, "occupational-health");
        assert_eq!(entries_of(oh), owned(&vec![("viewed", "oh", None)]));
        assert!(oh.decision.is_none());
        assert!(hr.entries.iter().all(|e| e.purpose == "transfer"));
        // Teams, never the members of staff.
        let text = serde_json::to_string(&log).unwrap();
        for secret in [&hr_name, &hr_user, &oh_name, &oh_user] {
            assert!(!text.contains(secret.as_str()), "{secret} in {text}");
        }
        for personal in ["Amara", "Okafor", "9100001", "amara.okafor"] {
            assert!(!text.contains(personal), "{personal} in {text}");
        }

        // Another wallet (another person's key) shares with R0A too.
        let other = amara_wallet(&server).await;
        assert_ne!(
            other.device_jwk().thumbprint(),
            amara.device_jwk().thumbprint()
        );
        let their_id = request(&server, Audience::Hr).await;
        answer(&server, &other, &their_id).await;
        hr_reads_exports_and_decides(&server, &their_id).await;
        let theirs = log_of(&server, &other).await;
        let their_ids: Vec<&str> = theirs.requests.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(their_ids, [their_id.as_str()]);
        assert_eq!(entries_of(&theirs.requests[0]), owned(&hr_expected()));
        let mine = log_of(&server, &amara).await;
        assert_eq!(mine.requests.len(), 2);
        assert!(mine.requests.iter().all(|r| r.id != their_id));

        // A key that answered nothing here: an empty log, as for anyone else.
        let stranger = Wallet::in_memory().unwrap();
        let empty = log_of(&server, &stranger).await;
        assert!(empty.requests.is_empty() && !empty.truncated);

        // The retention run deletes what HR decided on; the log says so and keeps its entries.
        let later = passport_server::now() + 2 * 86_400;
        let runner = passport_server::retention::Runner::CommandLine;
        passport_server::retention::run(&server.state.store, 1, runner, later)
            .await
            .unwrap();
        let after = log_of(&server, &amara).await;
        let hr = after.requests.iter().find(|r| r.id == hr_id).unwrap();
        let deleted = hr.deleted.as_ref().unwrap();
        assert_eq!((deleted.at, deleted.reason.as_str()), (later, "retention"));
        assert_eq!(entries_of(hr), owned(&hr_expected()));
        let oh = after.requests.iter().find(|r| r.id == oh_id).unwrap();
        assert!(oh.deleted.is_none(), "undecided and not yet expired: kept");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_replayed_stale_and_misaddressed_proofs_get_nothing() {
    for server in servers().await {
        let amara = amara_wallet(&server).await;
        let id = request(&server, Audience::Hr).await;
        answer(&server, &amara, &id).await;
        hr_reads_exports_and_decides(&server, &id).await;
        let key = amara.device_key();
        let now = passport_server::now();
        let node = server.base.as_str();

        // Baseline: a proof made by hand as the wallet makes it is answered with the log.
        let good = proof(key, node, now);
        let (status, body) = post(&server, format!("proof={good}")).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["requests"][0]["id"], id.as_str());
        assert_eq!(body["requests"][0]["entries"].as_array().unwrap().len(), 3);

        let refused = |(status, body): (u16, serde_json::Value), want: &str, why: &str| {
            assert_eq!(status, 400, "{why}: {body}");
            assert_eq!(body["error"], "invalid_proof", "{why}: {body}");
            let text = body["error_description"].as_str().unwrap();
            assert!(text.contains(want), "{why}: {text}");
            assert!(body.get("requests").is_none());
        };
        // The same proof again.
        refused(
            post(&server, format!("proof={good}")).await,
            "used already",
            "replay",
        );
        // Stale, and from too far in the future.
        let stale = proof(key, node, now - 600);
        refused(
            post(&server, format!("proof={stale}")).await,
            "old",
            "stale iat",
        );
        let ahead = proof(key, node, now + 600);
        refused(
            post(&server, format!("proof={ahead}")).await,
            "future",
            "future iat",
        );
        // Made for another node (a proof lifted from one node cannot be played at another).
        let elsewhere = proof(key, "https://another-node.example", now);
        refused(
            post(&server, format!("proof={elsewhere}")).await,
            "aud",
            "wrong aud",
        );
        // Amara's public key in the header, signed by someone else's key.
        let (attacker, _) = passport_jose::Es256Signer::generate().unwrap();
        let honest = proof(&attacker, node, now);
        let (header, rest) = honest.split_once('.').unwrap();
        let amaras_header = proof(key, node, now);
        let (victim_header, _) = amaras_header.split_once('.').unwrap();
        assert_ne!(header, victim_header);
        let forged = format!("{victim_header}.{rest}");
        refused(
            post(&server, format!("proof={forged}")).await,
            "signature",
            "forged",
        );
        // The attacker's own, honest proof is answered: with the attacker's empty log.
        let (status, theirs) = post(&server, format!("proof={honest}")).await;
        assert_eq!(status, 200);
        assert_eq!(theirs["requests"], serde_json::json!([]));
        assert_eq!(theirs["key"], attacker.public_jwk().thumbprint());

        // Not one proof: nothing read.
        for body in [
            String::new(),
            format!("proof={good}&proof={good}"),
            format!("response={good}"),
            "proof=%41".to_string(),
        ] {
            let (status, answer) = post(&server, body.clone()).await;
            assert_eq!(status, 400, "{body}");
            assert_eq!(answer["error"], "invalid_request", "{body}");
        }
        // Amara's own log is unchanged by all of it.
        let log = log_of(&server, &amara).await;
        assert_eq!(log.requests.len(), 1);
        assert_eq!(entries_of(&log.requests[0]), owned(&hr_expected()));
    }
}

#[tokio::test]
async fn the_endpoint_is_open_to_any_origin_and_limits_each_address() {
    let server = common::start(passport_store::testing::sqlite().unwrap()).await;
    let url = format!("{}/access-log", server.base);
    let preflight = common::http()
        .request(reqwest::Method::OPTIONS, &url)
        .header("origin", "https://wallet.example")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), 204);
    assert_eq!(preflight.headers()["access-control-allow-origin"], "*");
    let stranger = Wallet::in_memory().unwrap();
    let limit = passport_server::access_log::MAX_PER_WINDOW;
    for n in 0..limit {
        let p = proof(stranger.device_key(), &server.base, passport_server::now());
        let r = common::http()
            .post(&url)
            .header("origin", "https://wallet.example")
            .body(format!("proof={p}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "request {n}");
        assert_eq!(r.headers()["access-control-allow-origin"], "*");
        assert_eq!(r.headers()["cache-control"], "no-store");
    }
    let p = proof(stranger.device_key(), &server.base, passport_server::now());
    let (status, body) = post(&server, format!("proof={p}")).await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(body["error"], "slow_down");
}
