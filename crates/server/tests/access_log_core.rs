//! The web wallet's core asks for the person's access log (`core/accesslog.js`) against the
//! real server, on SQLite and PostgreSQL: Node.js receives Amara's credentials and shares with
//! trust B (R0A) twice, HR's request and the occupational health team's; R0A's HR user opens
//! the report, downloads its CSV and accepts it, and the OH team opens its report; then the
//! same wallet (the same device key) asks R0A's node, found from the Response URI in its
//! history, with a proof made by WebCrypto, and gets exactly those entries under R0A's name; a
//! fresh key gets an empty log from the same node.
//!
//! Needs Node.js >= 20 (`node` on PATH); no npm packages. Never skips.
#![allow(clippy::unwrap_used)]
mod common;

use common::access_log::{
    hr_expected, hr_reads_exports_and_decides, oh_reads, run_node, web_offers,
};
use common::servers;
use common::transfer::{link, request};
use passport_access_log::AccessLog;
use passport_compliance::Audience;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_web_wallet_core_fetches_its_access_log_with_a_proof_from_its_device_key() {
    for server in servers().await {
        let offers = web_offers(&server).await;
        let hr_id = request(&server, Audience::Hr).await;
        let oh_id = request(&server, Audience::OccupationalHealth).await;
        let shared = run_node(
            "access_log_e2e.mjs",
            &json!({
                "phase": "share",
                "trust_list_url": format!("{}/trust-list", server.base),
                "registry_jwk": serde_json::to_value(&server.state.registry_jwk).unwrap(),
                "offers": offers,
                "links": [link(&server, &hr_id), link(&server, &oh_id)],
            }),
        )
        .await;
        // The history keeps where each answer went, so the wallet knows which node to ask.
        assert_eq!(shared["nodes"], json!([server.base]), "{shared}");
        let uris: Vec<&str> = shared["history"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["response_uri"].as_str().unwrap())
            .collect();
        assert_eq!(
            uris,
            [
                format!("{}/verifiers/R0A/responses/{hr_id}", server.base),
                format!("{}/verifiers/R0A/responses/{oh_id}", server.base)
            ]
        );

        hr_reads_exports_and_decides(&server, &hr_id).await;
        oh_reads(&server, &oh_id).await;

        let out = run_node(
            "access_log_e2e.mjs",
            &json!({"phase": "log", "key": shared["key"], "history": shared["history"]}),
        )
        .await;
        let logs: Vec<AccessLog> = serde_json::from_value(out["logs"].clone()).unwrap();
        assert_eq!(logs.len(), 1);
        let log = &logs[0];
        assert_eq!(log.node, server.base);
        let r0a = server.state.issuer("R0A").unwrap().name.clone();
        let entries = |id: &str| {
            let r = log.requests.iter().find(|r| r.id == id).unwrap();
            assert_eq!(r.organisation.name, r0a);
            assert_eq!(r.organisation.ods, "R0A");
            common::access_log::entries_of(r)
        };
        assert_eq!(log.requests.len(), 2);
        assert_eq!(entries(&hr_id), common::access_log::owned(&hr_expected()));
        assert_eq!(
            entries(&oh_id),
            common::access_log::owned(&vec![("viewed", "oh", None)])
        );
        let strangers: Vec<AccessLog> = serde_json::from_value(out["strangers"].clone()).unwrap();
        assert!(strangers[0].requests.is_empty(), "{strangers:?}");
        assert_ne!(strangers[0].key, log.key);
    }
}
