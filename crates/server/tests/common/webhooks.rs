//! Dead letters for the webhooks page tests: one webhook delivery and one e-mail of an
//! organisation, each failed for good as the outbox worker leaves them after its last attempt.
use super::TestServer;
use passport_server::webhooks::{now_ms, TEMPORARY_MOVEMENT_ACCEPTED};
use passport_store::outbox::{NewEvent, NewMail, Outcome, Queue};
use serde_json::json;

/// What the dead letters say: each test picks texts its page assertions can look for.
pub struct DeadTexts<'a> {
    /// The event's subject (a temporary movement id).
    pub event_subject: &'a str,
    /// The e-mail's subject line.
    pub mail_subject: &'a str,
    /// The error kept with the delivery.
    pub webhook_error: &'a str,
    /// The error kept with the e-mail.
    pub mail_error: &'a str,
}

/// Makes one dead-lettered delivery and one dead-lettered e-mail of `org`, as the worker would
/// after its last attempt; returns their ids (delivery, e-mail).
pub async fn dead_letters(
    server: &TestServer,
    org: &str,
    texts: &DeadTexts<'_>,
) -> (String, String) {
    let store = &server.state.store;
    let data = json!({"person": "p-1"});
    let event = NewEvent {
        org,
        event_type: TEMPORARY_MOVEMENT_ACCEPTED,
        subject: texts.event_subject,
        data: &data,
    };
    store
        .enqueue_event(&event, passport_server::now())
        .await
        .unwrap();
    let mail = NewMail {
        org,
        to: "amara.okafor@example.nhs.uk",
        subject: texts.mail_subject,
        text: "Open the link",
        html: None,
    };
    store
        .enqueue_mail(&mail, passport_server::now())
        .await
        .unwrap();
    let d = store
        .claim_deliveries("test", now_ms(), 60_000, 10)
        .await
        .unwrap()
        .remove(0);
    let dead = Outcome::Dead {
        error: texts.webhook_error.into(),
    };
    assert!(store
        .finish_attempt(Queue::Webhooks, &d.id, "test", &dead, now_ms())
        .await
        .unwrap());
    let m = store
        .claim_mail("test", now_ms(), 60_000, 10)
        .await
        .unwrap()
        .remove(0);
    let dead = Outcome::Dead {
        error: texts.mail_error.into(),
    };
    assert!(store
        .finish_attempt(Queue::Mail, &m.id, "test", &dead, now_ms())
        .await
        .unwrap());
    (d.id, m.id)
}
