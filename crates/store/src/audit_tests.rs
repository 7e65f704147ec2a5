//! Audit log tests, each on SQLite and on PostgreSQL: appends chain, concurrent appends never
//! fork, and every kind of tampering behind the store's back is found at the first bad entry
//! after a baseline shows the same log intact.
#![allow(clippy::unwrap_used)]
use crate::audit::encode;
use crate::testing::{both, TestDb};
use crate::{sha256_hex, AuditEvent, ChainBreak, ChainCheck, Store};

fn event<'a>(org: &'a str, subject: &'a str, detail: &'a str) -> AuditEvent<'a> {
    AuditEvent {
        org,
        actor_id: "u-1",
        actor_name: "rhq.hr",
        role: "hr",
        action: "view-staff",
        subject,
        purpose: "review",
        outcome: "allowed",
        detail,
    }
}

async fn stores() -> Vec<(TestDb, Store)> {
    let mut out = Vec::new();
    for db in both().await.unwrap() {
        let store = db.open().await.unwrap();
        out.push((db, store));
    }
    out
}

/// A log of `n` entries of RHQ about p-1, p-2, ...
async fn log_of(store: &Store, n: i64) {
    for i in 1..=n {
        let subject = format!("p-{i}");
        let seq = store
            .append_audit(&event("RHQ", &subject, "detail"), 1000 + i)
            .await
            .unwrap();
        assert_eq!(seq, i);
    }
}

async fn exec(store: &Store, sql: &str) {
    sqlx::query(sql).execute(store.pool()).await.unwrap();
}

fn broken(seq: i64, reason: ChainBreak) -> ChainCheck {
    ChainCheck::Broken { seq, reason }
}

#[tokio::test]
async fn appends_chain_and_read_back_by_org_subject_and_page() {
    for (_db, store) in stores().await {
        assert!(matches!(
            store.verify_audit_chain().await.unwrap(),
            ChainCheck::Intact { entries: 0, .. }
        ));
        log_of(&store, 5).await;
        store
            .append_audit(&event("R0A", "p-1", "other trust"), 2000)
            .await
            .unwrap();
        let ChainCheck::Intact { entries, head } = store.verify_audit_chain().await.unwrap() else {
            panic!("intact");
        };
        assert_eq!(entries, 6);
        let all = store.audit_entries("RHQ", None, None, 100).await.unwrap();
        assert_eq!(all.len(), 5, "R0A's entry is not RHQ's");
        assert_eq!(all[0].seq, 5, "newest first");
        assert_eq!(all[4].prev_hash, crate::GENESIS_HASH);
        assert_eq!(all[3].prev_hash, all[4].hash);
        let expected = sha256_hex(encode(&all[0].event(), 5, 1005, &all[1].hash).as_bytes());
        assert_eq!(all[0].hash, expected);
        let r0a = store.audit_entries("R0A", None, None, 100).await.unwrap();
        assert_eq!(r0a.len(), 1);
        assert_eq!(r0a[0].hash, head);
        let about = store
            .audit_entries("RHQ", Some("p-2"), None, 100)
            .await
            .unwrap();
        assert_eq!(about.len(), 1);
        assert_eq!(about[0].subject, "p-2");
        let page = store.audit_entries("RHQ", None, Some(4), 2).await.unwrap();
        let seqs: Vec<i64> = page.iter().map(|e| e.seq).collect();
        assert_eq!(seqs, vec![3, 2]);
    }
}

#[tokio::test]
async fn text_is_stored_without_control_characters_and_bounded() {
    for (_db, store) in stores().await {
        let long = "x".repeat(2000);
        let nasty = format!("a\u{0}b\nc\u{1b}d{long}");
        store
            .append_audit(&event("RHQ", "p-1", &nasty), 1)
            .await
            .unwrap();
        let e = &store.audit_entries("RHQ", None, None, 1).await.unwrap()[0];
        assert!(e.detail.starts_with("a b c d"), "{}", &e.detail[..10]);
        assert_eq!(e.detail.chars().count(), 500);
        assert!(matches!(
            store.verify_audit_chain().await.unwrap(),
            ChainCheck::Intact { entries: 1, .. }
        ));
    }
}

#[tokio::test]
async fn concurrent_appends_never_fork_the_chain() {
    for (db, store) in stores().await {
        // A second handle on the same database: another process (the CLI beside the server).
        let other = db.open().await.unwrap();
        let mut tasks = Vec::new();
        for i in 0..40 {
            let s = if i % 2 == 0 {
                store.clone()
            } else {
                other.clone()
            };
            tasks.push(tokio::spawn(async move {
                let subject = format!("p-{i}");
                s.append_audit(&event("RHQ", &subject, "race"), 1).await
            }));
        }
        let mut seqs = Vec::new();
        for t in tasks {
            seqs.push(t.await.unwrap().unwrap());
        }
        seqs.sort_unstable();
        assert_eq!(seqs, (1..=40).collect::<Vec<i64>>(), "{:?}", db.backend);
        assert!(
            matches!(
                store.verify_audit_chain().await.unwrap(),
                ChainCheck::Intact { entries: 40, .. }
            ),
            "{:?}",
            db.backend
        );
    }
}

#[tokio::test]
async fn an_edited_entry_is_found() {
    for (_db, store) in stores().await {
        log_of(&store, 5).await;
        assert!(matches!(
            store.verify_audit_chain().await.unwrap(),
            ChainCheck::Intact { entries: 5, .. }
        ));
        exec(
            &store,
            "UPDATE audit_log SET detail = 'nothing to see' WHERE seq = 3",
        )
        .await;
        assert_eq!(
            store.verify_audit_chain().await.unwrap(),
            broken(3, ChainBreak::Edited)
        );
    }
}

#[tokio::test]
async fn a_deleted_entry_is_found_in_the_middle_and_at_the_end() {
    for (_db, store) in stores().await {
        log_of(&store, 5).await;
        exec(&store, "DELETE FROM audit_log WHERE seq = 2").await;
        assert_eq!(
            store.verify_audit_chain().await.unwrap(),
            broken(2, ChainBreak::Deleted)
        );
    }
    for (_db, store) in stores().await {
        log_of(&store, 5).await;
        exec(&store, "DELETE FROM audit_log WHERE seq >= 4").await;
        assert_eq!(
            store.verify_audit_chain().await.unwrap(),
            broken(4, ChainBreak::Deleted)
        );
    }
}

#[tokio::test]
async fn a_rewritten_and_rehashed_entry_breaks_the_link_after_it() {
    for (_db, store) in stores().await {
        log_of(&store, 5).await;
        // Entry 2 rewritten with a hash recomputed over the new content: it verifies alone, but
        // entry 3 still links to the old hash.
        let e = &store
            .audit_entries("RHQ", Some("p-2"), None, 1)
            .await
            .unwrap()[0];
        let mut forged = e.clone();
        forged.detail = "rewritten".into();
        let hash = sha256_hex(encode(&forged.event(), 2, e.at, &e.prev_hash).as_bytes());
        sqlx::query("UPDATE audit_log SET detail = 'rewritten', hash = $1 WHERE seq = 2")
            .bind(&hash)
            .execute(store.pool())
            .await
            .unwrap();
        assert_eq!(
            store.verify_audit_chain().await.unwrap(),
            broken(3, ChainBreak::Reordered)
        );
    }
}

#[tokio::test]
async fn swapped_entries_and_a_forged_tail_are_found() {
    for (_db, store) in stores().await {
        log_of(&store, 4).await;
        // Entries 2 and 3 swap places: their seq numbers are in their hashes.
        exec(&store, "UPDATE audit_log SET seq = 100 WHERE seq = 2").await;
        exec(&store, "UPDATE audit_log SET seq = 2 WHERE seq = 3").await;
        exec(&store, "UPDATE audit_log SET seq = 3 WHERE seq = 100").await;
        assert_eq!(
            store.verify_audit_chain().await.unwrap(),
            broken(2, ChainBreak::Edited)
        );
    }
    for (_db, store) in stores().await {
        log_of(&store, 3).await;
        // A well-formed entry 4 added behind the store's back, linked and hashed correctly.
        let last = &store.audit_entries("RHQ", None, None, 1).await.unwrap()[0];
        let e = event("RHQ", "p-9", "forged");
        let hash = sha256_hex(encode(&e, 4, 5000, &last.hash).as_bytes());
        sqlx::query(
            "INSERT INTO audit_log (seq, at, org, actor_id, actor_name, role, action, subject, \
             purpose, outcome, detail, prev_hash, hash) \
             VALUES (4, 5000, 'RHQ', 'u-1', 'rhq.hr', 'hr', 'view-staff', 'p-9', 'review', \
             'allowed', 'forged', $1, $2)",
        )
        .bind(&last.hash)
        .bind(&hash)
        .execute(store.pool())
        .await
        .unwrap();
        assert_eq!(
            store.verify_audit_chain().await.unwrap(),
            broken(4, ChainBreak::Unrecorded)
        );
    }
}
