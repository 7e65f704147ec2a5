//! E-mail end to end, each on SQLite and PostgreSQL: the real server's outbox worker sends
//! queued invitations over SMTP (lettre) to a real SMTP sink on 127.0.0.1; a relay refusing for
//! a while gets the message after retries, one never accepting dead-letters it with its error,
//! a restart loses none, a rolled-back invitation is never sent, and bad input is refused with
//! nothing queued.
#![allow(clippy::unwrap_used)]
mod common;

use common::outbox::{closed_port, fast_outbox, node, wait_until, Node};
use common::smtp_sink::SmtpSink;
use passport_server::mail::{self, MailConfig, SmtpSecurity};
use passport_store::outbox::{enqueue_mail, DeliveryState, NewMail};
use passport_store::testing::both;
use std::net::SocketAddr;

fn smtp(addr: SocketAddr) -> MailConfig {
    MailConfig {
        host: addr.ip().to_string(),
        port: Some(addr.port()),
        security: SmtpSecurity::None,
        from: "NHS Staff Passport <passport@r0a.example.nhs.uk>".into(),
        ..MailConfig::default()
    }
}

const TO: &str = "amara.okafor@example.nhs.uk";
const SUBJECT: &str = "Your rotation to R0A: share your staff passport";
const TEXT: &str = "Dear Dr Okafor,\r\n\r\nPlease open https://passport.example.nhs.uk/r/abc to share your passport.";
const HTML: &str =
    "<p>Please open <a href=\"https://passport.example.nhs.uk/r/abc\">your request</a>.</p>";

async fn invite(n: &Node, subject: &str) -> String {
    mail::send_invitation(&n.state, "R0A", TO, subject, TEXT, Some(HTML))
        .await
        .unwrap()
}

async fn state_of(n: &Node, id: &str) -> (DeliveryState, i64, Option<String>) {
    let all = n.state.store.mail_items("R0A", None, 100).await.unwrap();
    let m = all.into_iter().find(|m| m.id == id).unwrap();
    (m.state, m.attempts, m.last_error)
}

#[tokio::test]
async fn an_invitation_reaches_the_smtp_server_with_recipient_subject_and_both_bodies() {
    for db in both().await.unwrap() {
        let sink = SmtpSink::start().await;
        let dir = tempfile::tempdir().unwrap();
        let n = node(&db.url, dir.path(), |c| c.mail = Some(smtp(sink.addr))).await;
        let id = invite(&n, SUBJECT).await;
        wait_until("the message", 30, || async { sink.messages().len() == 1 }).await;
        wait_until("outcome recorded", 30, || async {
            state_of(&n, &id).await.0 == DeliveryState::Delivered
        })
        .await;
        assert_eq!(state_of(&n, &id).await, (DeliveryState::Delivered, 1, None));
        let m = &sink.messages()[0];
        assert_eq!(
            (m.from.as_str(), m.to.as_slice()),
            ("passport@r0a.example.nhs.uk", &[TO.to_string()][..])
        );
        assert_eq!(m.header("Subject").as_deref(), Some(SUBJECT));
        assert_eq!(m.header("To").as_deref(), Some(TO));
        assert!(m
            .header("From")
            .unwrap()
            .contains("passport@r0a.example.nhs.uk"));
        assert!(m
            .header("Content-Type")
            .unwrap()
            .starts_with("multipart/alternative"));
        assert_eq!(m.part("text/plain").as_deref(), Some(TEXT), "{}", m.data);
        assert_eq!(m.part("text/html").as_deref(), Some(HTML), "{}", m.data);
    }
}

#[tokio::test]
async fn a_relay_refusing_for_a_while_gets_the_message_after_retries() {
    for db in both().await.unwrap() {
        let sink = SmtpSink::start().await;
        sink.refuse_next(2);
        let dir = tempfile::tempdir().unwrap();
        let n = node(&db.url, dir.path(), |c| {
            c.mail = Some(smtp(sink.addr));
            c.outbox = fast_outbox(5);
        })
        .await;
        let id = invite(&n, SUBJECT).await;
        wait_until("outcome recorded", 30, || async {
            state_of(&n, &id).await.0 == DeliveryState::Delivered
        })
        .await;
        assert_eq!(state_of(&n, &id).await, (DeliveryState::Delivered, 3, None));
        assert_eq!((sink.attempts(), sink.messages().len()), (3, 1));
    }
}

#[tokio::test]
async fn a_relay_never_accepting_dead_letters_the_message_with_its_error() {
    for db in both().await.unwrap() {
        let sink = SmtpSink::start().await;
        sink.refuse_next(usize::MAX);
        let dir = tempfile::tempdir().unwrap();
        let n = node(&db.url, dir.path(), |c| {
            c.mail = Some(smtp(sink.addr));
            c.outbox = fast_outbox(2);
        })
        .await;
        let id = invite(&n, SUBJECT).await;
        wait_until("dead letter", 30, || async {
            state_of(&n, &id).await.0 == DeliveryState::Dead
        })
        .await;
        let (_, attempts, error) = state_of(&n, &id).await;
        assert_eq!(attempts, 2);
        assert!(error.as_deref().unwrap().contains("451"), "{error:?}");
        assert!(sink.messages().is_empty());
        let dead = n
            .state
            .store
            .mail_items("R0A", Some(DeliveryState::Dead), 10)
            .await
            .unwrap();
        assert_eq!((dead.len(), dead[0].to.as_str()), (1, TO));
    }
}

#[tokio::test]
async fn a_restart_loses_no_message_and_a_rolled_back_one_is_never_sent() {
    for db in both().await.unwrap() {
        let down = closed_port().await;
        let dir = tempfile::tempdir().unwrap();
        let first = node(&db.url, dir.path(), |c| {
            c.mail = Some(smtp(down));
            c.outbox = fast_outbox(50);
        })
        .await;
        let kept = invite(&first, "Kept across a restart").await;
        let mut tx = first.state.store.pool().begin().await.unwrap();
        let mail = NewMail {
            org: "R0A",
            to: TO,
            subject: "Rolled back",
            text: TEXT,
            html: None,
        };
        enqueue_mail(&mut tx, &mail, passport_server::now())
            .await
            .unwrap();
        tx.rollback().await.unwrap();
        // Nothing listens: the message is tried, fails, and waits when the node stops.
        wait_until("a failed attempt", 30, || async {
            state_of(&first, &kept).await.2.is_some()
        })
        .await;
        let (state, _, error) = state_of(&first, &kept).await;
        assert_eq!(state, DeliveryState::Pending);
        assert!(error.unwrap().starts_with("e-mail"));
        first.kill().await;
        let sink = SmtpSink::start_on(down).await;
        let second = node(&db.url, dir.path(), |c| {
            c.mail = Some(smtp(down));
            c.outbox = fast_outbox(50);
        })
        .await;
        wait_until("the kept message", 30, || async {
            state_of(&second, &kept).await.0 == DeliveryState::Delivered
        })
        .await;
        let got = sink.messages();
        assert_eq!(got.len(), 1);
        assert_eq!(
            got[0].header("Subject").as_deref(),
            Some("Kept across a restart")
        );
        assert_eq!(
            second
                .state
                .store
                .mail_items("R0A", None, 10)
                .await
                .unwrap()
                .len(),
            1
        );
    }
}

#[tokio::test]
async fn bad_input_is_refused_and_nothing_is_queued_or_sent() {
    for db in both().await.unwrap() {
        let sink = SmtpSink::start().await;
        let dir = tempfile::tempdir().unwrap();
        let n = node(&db.url, dir.path(), |c| c.mail = Some(smtp(sink.addr))).await;
        // Baseline: the same call with good input is queued and sent.
        let good = invite(&n, SUBJECT).await;
        wait_until("the baseline", 30, || async { sink.messages().len() == 1 }).await;
        let big = "x".repeat(300 * 1024);
        for (to, subject, text) in [
            (
                "amara.okafor@example.nhs.uk\r\nBcc: all@example.org",
                SUBJECT,
                TEXT,
            ),
            (
                "amara.okafor@example.nhs.uk, all@example.org",
                SUBJECT,
                TEXT,
            ),
            ("Amara <amara.okafor@example.nhs.uk>", SUBJECT, TEXT),
            ("not-an-address", SUBJECT, TEXT),
            (TO, "Rotation\r\nBcc: all@example.org", TEXT),
            (TO, "", TEXT),
            (TO, SUBJECT, big.as_str()),
        ] {
            let e = mail::send_invitation(&n.state, "R0A", to, subject, text, None)
                .await
                .unwrap_err();
            assert_eq!(
                e.status(),
                axum::http::StatusCode::BAD_REQUEST,
                "{to:?} {subject:?}: {e}"
            );
        }
        let all = n.state.store.mail_items("R0A", None, 100).await.unwrap();
        assert_eq!(
            all.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(),
            vec![good.as_str()]
        );
        assert_eq!(sink.messages().len(), 1);
    }
}
