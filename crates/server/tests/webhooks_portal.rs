//! The portal's webhooks page, on SQLite and PostgreSQL, over HTTP as a browser uses it: an
//! administrator adds a receiver, turns it off, sees dead-lettered events and e-mails with
//! their errors and sends one again; a bad address is refused on the page with nothing saved;
//! other roles and other organisations are refused, each after a baseline that succeeds.
#![allow(clippy::unwrap_used)]
mod common;

use common::portal::{sign_in, user};
use common::webhooks::{dead_letters, DeadTexts};
use passport_server::webhooks::TEMPORARY_MOVEMENT_ACCEPTED;
use passport_store::outbox::DeliveryState;
use reqwest::StatusCode;

/// Dead letters whose texts hold markup, so the page must escape them.
const DEAD: DeadTexts = DeadTexts {
    event_subject: "tm-<b>1</b>",
    mail_subject: "Your rotation",
    webhook_error: "HTTP 503: <i>down</i>",
    mail_error: "e-mail: 451 try again later",
};

#[tokio::test]
async fn an_administrator_manages_receivers_and_sends_dead_letters_again() {
    for server in common::servers().await {
        user(&server, "RHQ", "rhq.admin", "admin").await;
        let admin = sign_in(&server, "rhq.admin").await;
        let (_, home) = admin.get("/portal").await;
        assert!(home.contains(r#"href="/portal/webhooks""#));
        let (status, page) = admin.get("/portal/webhooks").await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("No receivers yet"), "{page}");
        // Add a receiver for one type.
        let url = "https://provisioning.example.nhs.uk/passport-events";
        let status = admin
            .post(
                "/portal/webhooks/subscriptions",
                &[("url", url), ("type", TEMPORARY_MOVEMENT_ACCEPTED)],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let subs = server.state.store.subscriptions("RHQ").await.unwrap();
        assert_eq!((subs.len(), subs[0].url.as_str()), (1, url));
        assert_eq!(
            subs[0].event_types,
            vec![TEMPORARY_MOVEMENT_ACCEPTED.to_string()]
        );
        let (_, page) = admin.get("/portal/webhooks?done=added").await;
        assert!(page.contains(url) && page.contains("A temporary movement was accepted"));
        // A bad address: said on the page, nothing saved.
        for bad in [
            "ftp://provisioning.example.nhs.uk/",
            "https://u:p@provisioning.example.nhs.uk/",
            "",
        ] {
            let r = admin
                .client
                .post(format!("{}/portal/webhooks/subscriptions", server.base))
                .form(&[("csrf", admin.csrf.as_str()), ("url", bad)])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::OK, "{bad}");
            let text = r.text().await.unwrap();
            assert!(
                text.contains("There is a problem") && text.contains("nhsuk-input--error"),
                "{bad}"
            );
        }
        assert_eq!(
            server.state.store.subscriptions("RHQ").await.unwrap().len(),
            1
        );
        // Off and on again.
        let toggle = format!("/portal/webhooks/subscriptions/{}/enabled", subs[0].id);
        assert_eq!(
            admin.post(&toggle, &[("enabled", "0")]).await,
            StatusCode::SEE_OTHER
        );
        assert!(!server.state.store.subscriptions("RHQ").await.unwrap()[0].enabled);
        assert_eq!(
            admin.post(&toggle, &[("enabled", "1")]).await,
            StatusCode::SEE_OTHER
        );
        assert!(server.state.store.subscriptions("RHQ").await.unwrap()[0].enabled);
        // Dead letters are listed with their errors, escaped, and can be sent again.
        let (delivery, mail) = dead_letters(&server, "RHQ", &DEAD).await;
        let (_, page) = admin.get("/portal/webhooks").await;
        assert!(page.contains("HTTP 503: &lt;i&gt;down&lt;/i&gt;"), "{page}");
        assert!(page.contains("tm-&lt;b&gt;1&lt;/b&gt;") && !page.contains("<b>1</b>"));
        assert!(
            page.contains("451 try again later") && page.contains("amara.okafor@example.nhs.uk")
        );
        let path = format!("/portal/webhooks/deliveries/{delivery}/requeue");
        assert_eq!(admin.post(&path, &[]).await, StatusCode::SEE_OTHER);
        let path = format!("/portal/webhooks/mail/{mail}/requeue");
        assert_eq!(admin.post(&path, &[]).await, StatusCode::SEE_OTHER);
        let store = &server.state.store;
        assert!(store
            .deliveries("RHQ", Some(DeliveryState::Dead), 10)
            .await
            .unwrap()
            .is_empty());
        assert_eq!(
            store
                .deliveries("RHQ", Some(DeliveryState::Pending), 10)
                .await
                .unwrap()[0]
                .id,
            delivery
        );
        assert_eq!(
            store
                .mail_items("RHQ", Some(DeliveryState::Pending), 10)
                .await
                .unwrap()[0]
                .id,
            mail
        );
        // Sent again once only: it is no longer dead.
        assert_eq!(
            admin
                .post(&format!("/portal/webhooks/mail/{mail}/requeue"), &[])
                .await,
            StatusCode::NOT_FOUND
        );
        let actions: Vec<String> = store
            .audit_entries("RHQ", None, None, 50)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        for done in [
            "webhook-added",
            "webhook-off",
            "webhook-on",
            "webhook-requeued",
            "mail-requeued",
            "manage-webhooks",
        ] {
            assert!(actions.iter().any(|a| a == done), "{done} in {actions:?}");
        }
    }
}

#[tokio::test]
async fn other_roles_and_other_organisations_are_refused() {
    for server in common::servers().await {
        user(&server, "RHQ", "rhq.admin", "admin").await;
        user(&server, "RHQ", "rhq.hr", "hr").await;
        user(&server, "R0A", "r0a.admin", "admin").await;
        let sub = server
            .state
            .store
            .add_subscription("RHQ", "https://a.example.nhs.uk/", &[], 1)
            .await
            .unwrap();
        let (delivery, mail) = dead_letters(&server, "RHQ", &DEAD).await;
        let toggle = format!("/portal/webhooks/subscriptions/{}/enabled", sub.id);
        let requeue = format!("/portal/webhooks/deliveries/{delivery}/requeue");
        let requeue_mail = format!("/portal/webhooks/mail/{mail}/requeue");
        // Every other role of the same organisation: no page.
        for role in [
            "medical-staffing",
            "training",
            "oh",
            "auditor",
            "registry-admin",
        ] {
            let name = format!("rhq.{role}");
            user(&server, "RHQ", &name, role).await;
            let u = sign_in(&server, &name).await;
            assert_eq!(
                u.get("/portal/webhooks").await.0,
                StatusCode::FORBIDDEN,
                "{role}"
            );
            assert_eq!(u.post(&requeue, &[]).await, StatusCode::FORBIDDEN, "{role}");
        }
        // HR of the same organisation: no page, no changes, no card.
        let hr = sign_in(&server, "rhq.hr").await;
        assert!(!hr
            .get("/portal")
            .await
            .1
            .contains(r#"href="/portal/webhooks""#));
        assert_eq!(hr.get("/portal/webhooks").await.0, StatusCode::FORBIDDEN);
        let add = [("url", "https://b.example.nhs.uk/")];
        assert_eq!(
            hr.post("/portal/webhooks/subscriptions", &add).await,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            hr.post(&toggle, &[("enabled", "0")]).await,
            StatusCode::FORBIDDEN
        );
        assert_eq!(hr.post(&requeue, &[]).await, StatusCode::FORBIDDEN);
        // Another organisation's administrator: RHQ's ids are not found there.
        let other = sign_in(&server, "r0a.admin").await;
        let (status, page) = other.get("/portal/webhooks").await;
        assert_eq!(status, StatusCode::OK);
        assert!(!page.contains("a.example.nhs.uk") && !page.contains("amara.okafor"));
        assert_eq!(
            other.post(&toggle, &[("enabled", "0")]).await,
            StatusCode::NOT_FOUND
        );
        assert_eq!(other.post(&requeue, &[]).await, StatusCode::NOT_FOUND);
        assert_eq!(other.post(&requeue_mail, &[]).await, StatusCode::NOT_FOUND);
        // Without the session's CSRF token, even the administrator is refused.
        let admin = sign_in(&server, "rhq.admin").await;
        let forged = admin
            .client
            .post(format!("{}{requeue}", server.base))
            .form(&[("csrf", "forged")])
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), StatusCode::FORBIDDEN);
        // Nothing changed; baseline: the administrator of RHQ does all of it.
        let store = &server.state.store;
        assert_eq!(store.subscriptions("RHQ").await.unwrap().len(), 1);
        assert!(store.subscriptions("RHQ").await.unwrap()[0].enabled);
        assert_eq!(
            store
                .deliveries("RHQ", Some(DeliveryState::Dead), 10)
                .await
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            store
                .mail_items("RHQ", Some(DeliveryState::Dead), 10)
                .await
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            admin.post("/portal/webhooks/subscriptions", &add).await,
            StatusCode::SEE_OTHER
        );
        assert_eq!(
            admin.post(&toggle, &[("enabled", "0")]).await,
            StatusCode::SEE_OTHER
        );
        assert_eq!(admin.post(&requeue, &[]).await, StatusCode::SEE_OTHER);
        assert_eq!(admin.post(&requeue_mail, &[]).await, StatusCode::SEE_OTHER);
        assert_eq!(store.subscriptions("RHQ").await.unwrap().len(), 2);
    }
}
