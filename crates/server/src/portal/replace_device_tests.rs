//! Replacing a lost or new phone, against the real server on SQLite and PostgreSQL: what the
//! old phone holds is revoked in the served status list and the new offer redeems on another
//! phone; another trust's person is not found, the training role is refused, a forged or
//! stale form changes nothing.
#![allow(clippy::unwrap_used)]
use super::super::tests::{portals, Portal};
use crate::now;
use passport_credentials::{EngineError, StatusLists};
use passport_holder::{ReceivedCredential, Wallet};
use passport_sd_jwt::SdJwt;
use reqwest::{Client, StatusCode};

/// Amara Okafor's person id in `org` (ESR person 10000101 in the sample staff file).
async fn amara(p: &Portal, org: &str) -> String {
    let found = p
        .state
        .store
        .search_people(org, "10000101", 5)
        .await
        .unwrap();
    found[0].id.clone()
}

/// A phone that collected an offer of all of Amara's current RHQ records.
async fn phone(p: &Portal, pid: &str) -> (Wallet, Vec<ReceivedCredential>) {
    let offer = crate::issuance::create_offer(&p.state, "RHQ", pid, "test", now())
        .await
        .unwrap();
    redeem(&offer.link, &offer.tx_code).await
}

async fn redeem(link: &str, tx_code: &str) -> (Wallet, Vec<ReceivedCredential>) {
    let mut wallet = Wallet::in_memory().unwrap();
    let http = passport_holder::http_client().unwrap();
    let got = wallet
        .receive(link, Some(tx_code), &http, now())
        .await
        .unwrap();
    assert!(!got.is_empty());
    (wallet, got)
}

/// The credential's entry in the status list the server serves (signature checked).
async fn status_of(p: &Portal, credential: &str) -> Result<(), EngineError> {
    let payload = SdJwt::parse(credential)
        .unwrap()
        .unverified_payload()
        .unwrap();
    let uri = payload["status"]["status_list"]["uri"].as_str().unwrap();
    let idx = payload["status"]["status_list"]["idx"].as_u64().unwrap();
    let token = reqwest::get(uri).await.unwrap().text().await.unwrap();
    let mut lists = StatusLists::default();
    lists
        .add_token(uri, &token, &p.state.trust_list(), now())
        .unwrap();
    lists.check(uri, idx, payload["iss"].as_str().unwrap())
}

/// The text of the element with this id (`<p ... id="ID">text</p>`), HTML entities undone.
fn text_of(html: &str, id: &str) -> String {
    let open = format!(r#"id="{id}">"#);
    let start = html.find(&open).unwrap_or_else(|| panic!("no #{id}")) + open.len();
    let end = start + html[start..].find('<').unwrap();
    html[start..end]
        .replace("&amp;", "&")
        .replace("&#x2F;", "/")
}

/// The confirmation page's hidden `keys` field.
fn keys_of(html: &str) -> String {
    let open = r#"name="keys" value=""#;
    let start = html.find(open).expect("a keys field") + open.len();
    html[start..start + html[start..].find('"').unwrap()].to_string()
}

async fn post(p: &Portal, c: &Client, pid: &str, form: &[(&str, &str)]) -> (StatusCode, String) {
    let r = c
        .post(p.url(&format!("/portal/staff/{pid}/replace-device")))
        .form(form)
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

async fn live_count(p: &Portal, pid: &str) -> usize {
    let all = p.state.store.issued_to("RHQ", pid).await.unwrap();
    all.iter().filter(|c| c.revoked_at.is_none()).count()
}

#[tokio::test]
async fn a_replaced_phone_is_revoked_in_the_status_list_and_the_new_offer_redeems() {
    for p in portals().await {
        let pid = amara(&p, "RHQ").await;
        let (old, held) = phone(&p, &pid).await;
        for c in &held {
            status_of(&p, &c.sd_jwt).await.unwrap();
        }
        let (c, csrf) = p.sign_in("rhq.hr").await;
        let (status, person) = p.page(&c, &format!("/portal/staff/{pid}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(person.contains(&format!("/portal/staff/{pid}/replace-device")));

        let (status, confirm) = p
            .page(&c, &format!("/portal/staff/{pid}/replace-device"))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            confirm.contains("Replace Amara Okafor’s lost or new phone?"),
            "{confirm}"
        );
        assert!(confirm.contains("Revoking cannot be undone"));
        let keys = keys_of(&confirm);
        assert_eq!(keys, old.device_jwk().thumbprint(), "the old phone's key");

        let (status, done) = post(&p, &c, &pid, &[("csrf", &csrf), ("keys", &keys)]).await;
        assert_eq!(status, StatusCode::OK, "{done}");
        // Authorised as its own action, recorded under its own name.
        let entries = p
            .state
            .store
            .audit_entries("RHQ", Some(&pid), None, 50)
            .await;
        let actions: Vec<(String, String)> = (entries.unwrap().into_iter())
            .map(|e| (e.action, e.outcome))
            .collect();
        for (action, outcome) in [("replace-device", "allowed"), ("device-replaced", "done")] {
            let found = actions.iter().any(|(a, o)| a == action && o == outcome);
            assert!(found, "{action} {outcome} not in {actions:?}");
        }
        assert!(
            !actions.iter().any(|(a, _)| a == "create-offer"),
            "{actions:?}"
        );
        // HR is told of what HR may see: occupational health detail is revoked too, unsaid.
        let oh_only = |vct: &str| {
            let catalogue = passport_catalogue::Catalogue::nhs();
            catalogue.by_vct(vct).unwrap().is_occupational_health_only()
        };
        let seen = held.iter().filter(|c| !oh_only(&c.vct)).count();
        assert!(
            done.contains(&format!(
                "{seen} credentials on the old phone have been revoked"
            )),
            "{done}"
        );
        // Every credential of the old phone: revoked where any verifier looks.
        for c in &held {
            assert!(
                matches!(
                    status_of(&p, &c.sd_jwt).await,
                    Err(EngineError::Revoked { .. })
                ),
                "still valid after the phone was replaced"
            );
        }
        let issued = p.state.store.issued_to("RHQ", &pid).await.unwrap();
        assert!(issued.iter().all(|c| c.revoked_at.is_some()
            && c.revoke_reason
                .as_deref()
                .unwrap()
                .contains("lost or new phone")));

        // The new phone redeems the new offer: as many credentials, a new key, all valid.
        let (new, got) = redeem(&text_of(&done, "offer-link"), &text_of(&done, "tx-code")).await;
        assert_eq!(got.len(), held.len());
        assert_ne!(new.device_jwk().thumbprint(), old.device_jwk().thumbprint());
        for c in &got {
            status_of(&p, &c.sd_jwt).await.unwrap();
        }

        // The same confirmation posted again is stale (the live credentials are on the new
        // phone now): shown again, nothing changes.
        let offers = p.state.store.offers_of("RHQ", &pid).await.unwrap().len();
        let (status, again) = post(&p, &c, &pid, &[("csrf", &csrf), ("keys", &keys)]).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert!(again.contains("changed since this page was opened"));
        assert_eq!(live_count(&p, &pid).await, got.len());
        assert_eq!(
            p.state.store.offers_of("RHQ", &pid).await.unwrap().len(),
            offers
        );
    }
}

#[tokio::test]
async fn another_trusts_person_the_training_role_and_forged_forms_change_nothing() {
    for p in portals().await {
        let pid = amara(&p, "RHQ").await;
        let other = amara(&p, "R0A").await;
        let (old, held) = phone(&p, &pid).await;
        let keys = old.device_jwk().thumbprint();
        let offers = p.state.store.offers_of("RHQ", &pid).await.unwrap().len();
        let unchanged = |p: &Portal| {
            let pid = pid.clone();
            let state = p.state.clone();
            async move {
                let live = state.store.issued_to("RHQ", &pid).await.unwrap();
                assert!(
                    live.iter().all(|c| c.revoked_at.is_none()),
                    "something was revoked"
                );
                assert_eq!(
                    state.store.offers_of("RHQ", &pid).await.unwrap().len(),
                    offers
                );
            }
        };

        // RHQ's HR user and R0A's person: not found, read or posted.
        let (hr, csrf) = p.sign_in("rhq.hr").await;
        let path = format!("/portal/staff/{other}/replace-device");
        assert_eq!(p.page(&hr, &path).await.0, StatusCode::NOT_FOUND);
        let (status, _) = post(&p, &hr, &other, &[("csrf", &csrf), ("keys", &keys)]).await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // The training role may not make offers, so not replace a phone either; no link.
        let (training, training_csrf) = p.sign_in("rhq.training").await;
        let path = format!("/portal/staff/{pid}/replace-device");
        assert_eq!(p.page(&training, &path).await.0, StatusCode::FORBIDDEN);
        let form = [("csrf", training_csrf.as_str()), ("keys", keys.as_str())];
        assert_eq!(
            post(&p, &training, &pid, &form).await.0,
            StatusCode::FORBIDDEN
        );
        let (_, page) = p.page(&training, &format!("/portal/staff/{pid}")).await;
        assert!(!page.contains("replace-device"));

        // A forged form (another site posting it: no or a wrong CSRF token).
        for form in [
            vec![("keys", keys.as_str())],
            vec![("csrf", "forged"), ("keys", &keys)],
        ] {
            assert_eq!(post(&p, &hr, &pid, &form).await.0, StatusCode::FORBIDDEN);
        }
        unchanged(&p).await;
        for c in &held {
            status_of(&p, &c.sd_jwt).await.unwrap();
        }

        // Baseline: the same HR user with the real token replaces the phone.
        let (status, _) = post(&p, &hr, &pid, &[("csrf", &csrf), ("keys", &keys)]).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(live_count(&p, &pid).await, 0);
    }
}
