//! Rotations at national scale, end to end on SQLite and PostgreSQL (issue 7): 200 synthetic
//! doctors whose credentials three trusts and NHS England issue; R0A's medical staffing uploads
//! the rotation list in the portal; the outbox worker e-mails 200 invitations to a real SMTP
//! sink; the Rust holder answers through the link in each e-mail (most share everything, some
//! with a CSTF subject missing or expired, some decline, some never answer); the dashboard, its
//! drill-down and its CSV give exactly the counts of what was presented; reminders reach only
//! those who never answered.
#![allow(clippy::unwrap_used)]
mod common;

use common::outbox::wait_until;
use common::portal::{sign_in, user};
use common::rotation::{
    answer, changeover_of, cohort, import_records, rotation_csv, start, upload, Doctor, Plan,
    INFORMATION_GOVERNANCE, RECEIVING, SAFEGUARDING_CHILDREN,
};
use common::smtp_sink::{Message, SmtpSink};
use reqwest::StatusCode;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

/// The HTML of table `id`.
fn table<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!(r#"id="{id}""#))
        .unwrap_or_else(|| panic!("table {id}"));
    let end = start + html[start..].find("</table>").unwrap();
    &html[start..end]
}

/// The row of `table` carrying `marker` (an attribute and value), up to its end.
fn row<'a>(table: &'a str, marker: &str) -> Option<&'a str> {
    let start = table.find(marker)?;
    let end = start + table[start..].find("</tr>").unwrap();
    Some(&table[start..end])
}

/// The first `data-count` after `after` in `html`.
fn count_after(html: &str, after: &str) -> usize {
    let start = html
        .find(after)
        .unwrap_or_else(|| panic!("{after} in {html}"))
        + after.len();
    let tail = &html[start..];
    let at = tail.find(r#"data-count=""#).unwrap() + r#"data-count=""#.len();
    tail[at..at + tail[at..].find('"').unwrap()]
        .parse()
        .unwrap()
}

/// What a breakdown groups doctors by.
type KeyOf = fn(&Doctor) -> String;

/// Where each standing is counted, as the dashboard names them.
const STANDINGS: [&str; 4] = ["ready", "gaps", "not-responded", "declined"];

fn tally<'a>(doctors: impl Iterator<Item = &'a Doctor>) -> BTreeMap<&'static str, usize> {
    let mut out: BTreeMap<&'static str, usize> = STANDINGS.iter().map(|s| (*s, 0)).collect();
    for d in doctors {
        *out.get_mut(d.plan.standing()).unwrap() += 1;
    }
    out
}

/// The request link in an invitation or reminder (its plain text part).
fn link_in(m: &Message) -> String {
    let text = m
        .part("text/plain")
        .unwrap_or_else(|| panic!("text part: {}", m.data));
    text.lines()
        .find(|l| l.starts_with("openid4vp://"))
        .unwrap_or_else(|| panic!("a link in {text}"))
        .trim()
        .to_string()
}

#[tokio::test]
async fn two_hundred_doctors_are_invited_answer_and_the_dashboard_counts_what_was_presented() {
    for db in passport_store::testing::both().await.unwrap() {
        let sink = SmtpSink::start().await;
        let (server, _worker) = start(db, &sink).await;
        let doctors = cohort(200);
        import_records(&server, &doctors).await;
        user(&server, RECEIVING, "r0a.ms", "medical-staffing").await;
        let ms = sign_in(&server, "r0a.ms").await;

        // The rotation list, uploaded through the portal.
        let (status, page, location) =
            upload(&server, &ms, &ms.csrf, None, &rotation_csv(&doctors)).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
        assert!(location.ends_with("?imported=200"), "{location}");
        let id = changeover_of(&location);
        let cohort_rows = server.state.store.cohort(RECEIVING, &id).await.unwrap();
        assert_eq!(cohort_rows.len(), 200);
        let request_of: HashMap<String, String> = cohort_rows
            .iter()
            .map(|m| (m.gmc_number.clone(), m.request_id.clone()))
            .collect();

        // 200 invitations arrive, one per doctor, each with their own request's link.
        wait_until("200 invitations", 120, || async {
            sink.messages().len() >= 200
        })
        .await;
        let invitations = sink.messages();
        assert_eq!(invitations.len(), 200);
        let mut link_of: HashMap<String, String> = HashMap::new();
        for m in &invitations {
            assert_eq!(m.to.len(), 1);
            assert!(m
                .header("Subject")
                .unwrap()
                .starts_with("Your rotation to "));
            link_of.insert(m.to[0].clone(), link_in(m));
        }
        for d in &doctors {
            let link = &link_of[&d.email];
            let rid = &request_of[&d.gmc];
            assert!(link.contains(&format!("requests%2F{rid}")), "{link}");
        }

        // The Rust holder carries out every doctor's plan, through the link in their e-mail.
        let mut tasks = tokio::task::JoinSet::new();
        let gate = Arc::new(tokio::sync::Semaphore::new(4));
        for d in doctors.iter().filter(|d| d.plan != Plan::Never) {
            let (state, d, link) = (server.state.clone(), d.clone(), link_of[&d.email].clone());
            let gate = gate.clone();
            tasks.spawn(async move {
                let _permit = gate.acquire_owned().await.unwrap();
                answer(state, d, link).await
            });
        }
        let mut shared: HashMap<usize, Vec<String>> = HashMap::new();
        while let Some(done) = tasks.join_next().await {
            let a = done.unwrap();
            shared.insert(a.n, a.shared_queries);
        }
        assert_eq!(shared.len(), 180);

        // What was presented: those missing the subject shared no credential for it; everyone
        // else who answered shared one for every requirement; those who declined shared nothing.
        let requirements: Vec<String> = {
            let any_full = doctors.iter().find(|d| d.plan == Plan::Full).unwrap();
            shared[&any_full.n].clone()
        };
        assert!(requirements.contains(&SAFEGUARDING_CHILDREN.to_string()));
        for d in &doctors {
            let Some(q) = shared.get(&d.n) else { continue };
            match d.plan {
                Plan::MissingCstf => {
                    assert!(!q.contains(&SAFEGUARDING_CHILDREN.to_string()));
                    assert_eq!(q.len(), requirements.len() - 1);
                }
                Plan::Full | Plan::ExpiredCstf => assert_eq!(q, &requirements),
                Plan::Decline => assert!(q.is_empty()),
                Plan::Never => unreachable!(),
            }
        }
        let expected = tally(doctors.iter());
        assert_eq!(
            (
                expected["ready"],
                expected["gaps"],
                expected["declined"],
                expected["not-responded"]
            ),
            (120, 40, 20, 20)
        );

        // The dashboard's figures.
        let (status, dash) = ms.get(&format!("/portal/rotations/{id}")).await;
        assert_eq!(status, StatusCode::OK);
        let totals = table(&dash, "totals");
        for s in STANDINGS {
            let got = count_after(totals, &format!(r#"data-standing="{s}">"#));
            assert_eq!(got, expected[s], "total {s}");
        }
        assert_eq!(count_after(totals, r#"data-standing="total">"#), 200);
        let gaps = table(&dash, "gaps");
        let missing = doctors
            .iter()
            .filter(|d| d.plan == Plan::MissingCstf)
            .count();
        let expired = doctors
            .iter()
            .filter(|d| d.plan == Plan::ExpiredCstf)
            .count();
        assert_eq!(
            count_after(gaps, &format!(r#"data-key="{SAFEGUARDING_CHILDREN}""#)),
            missing
        );
        assert_eq!(
            count_after(gaps, &format!(r#"data-key="{INFORMATION_GOVERNANCE}""#)),
            expired
        );
        assert_eq!(gaps.matches("data-key=").count(), 2, "no other gap: {gaps}");
        let local = table(&dash, "local-checks");
        assert_eq!(
            count_after(local, r#"data-key="professional_registration""#),
            160
        );
        let breakdowns: [(&str, KeyOf); 3] = [
            ("by-specialty", |d| d.specialty.to_string()),
            ("by-site", |d| d.site.0.to_string()),
            ("by-start", |d| d.start.clone()),
        ];
        for (table_id, key_of) in breakdowns {
            let t = table(&dash, table_id);
            let keys: HashSet<String> = doctors.iter().map(key_of).collect();
            assert_eq!(
                t.matches("<tr role=\"row\" class=\"nhsuk-table__row\" data-key=")
                    .count(),
                keys.len()
            );
            for key in &keys {
                let r = row(t, &format!(r#"data-key="{key}""#)).unwrap();
                let want = tally(doctors.iter().filter(|d| key_of(d) == *key));
                for s in STANDINGS {
                    assert_eq!(
                        count_after(r, &format!(r#"data-standing="{s}""#)),
                        want[s],
                        "{table_id} {key} {s}"
                    );
                }
            }
        }
        // Charts: accessible images with the same totals in their description.
        assert!(dash.contains(r#"<svg class="app-chart" id="chart-totals""#));
        assert!(
            dash.contains("200 doctors: Ready 120, With gaps 40, Not responded 20, Declined 20.")
        );
        assert_eq!(
            dash.matches(r#"role="img" aria-labelledby="chart-"#)
                .count(),
            6
        );

        // Drill down: the doctors with gaps, and from one of them to their report.
        let (_, drill) = ms.get(&format!("/portal/rotations/{id}?status=gaps")).await;
        assert!(
            drill.contains(r#"<p id="doctors-count">40 doctors: with gaps."#),
            "{}",
            &drill[drill.find("doctors-count").unwrap()..][..200]
        );
        let listed = table(&drill, "doctors-table");
        assert_eq!(listed.matches("data-request=").count(), 40);
        let (_, one) = ms
            .get(&format!(
                "/portal/rotations/{id}?gap={SAFEGUARDING_CHILDREN}"
            ))
            .await;
        let d = doctors
            .iter()
            .find(|d| d.plan == Plan::MissingCstf)
            .unwrap();
        let rid = &request_of[&d.gmc];
        assert!(one.contains(&format!(r#"href="/portal/transfers/{rid}""#)));
        let (status, report) = ms.get(&format!("/portal/transfers/{rid}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(report.contains("Report against the role"));

        // The CSV: one row per doctor, the same standing and gaps.
        let r = ms
            .client
            .get(format!("{}/portal/rotations/{id}/cohort.csv", server.base))
            .send()
            .await
            .unwrap();
        assert!(r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv"));
        let text = r.text().await.unwrap();
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let header = reader.headers().unwrap().clone();
        let col = |name: &str| header.iter().position(|h| h == name).unwrap();
        let mut seen = 0;
        let mut csv_tally: BTreeMap<String, usize> = BTreeMap::new();
        for record in reader.records() {
            let record = record.unwrap();
            let d = doctors
                .iter()
                .find(|d| d.gmc == record[col("gmc_number")])
                .unwrap();
            assert_eq!(&record[col("standing")], d.plan.standing(), "{}", d.gmc);
            let gaps = &record[col("gaps")];
            match d.plan {
                Plan::MissingCstf => assert!(
                    gaps.contains("Safeguarding Children") && gaps.contains("(missing)"),
                    "{gaps}"
                ),
                Plan::ExpiredCstf => assert!(gaps.contains("Information Governance"), "{gaps}"),
                _ => assert!(gaps.is_empty(), "{gaps}"),
            }
            *csv_tally
                .entry(record[col("standing")].to_string())
                .or_default() += 1;
            seen += 1;
        }
        assert_eq!(seen, 200);
        for s in STANDINGS {
            assert_eq!(
                csv_tally.get(s).copied().unwrap_or(0),
                expected[s],
                "csv {s}"
            );
        }

        // Reminders: only those who never answered, each with their own link again.
        assert!(dash.contains("Send reminders to 20 doctors"));
        let before = sink.messages().len();
        let status = ms
            .post(&format!("/portal/rotations/{id}/reminders"), &[])
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        wait_until("20 reminders", 60, || async {
            sink.messages().len() >= before + 20
        })
        .await;
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let reminders: Vec<Message> = sink.messages().into_iter().skip(before).collect();
        assert_eq!(reminders.len(), 20);
        let never: HashSet<&str> = doctors
            .iter()
            .filter(|d| d.plan == Plan::Never)
            .map(|d| d.email.as_str())
            .collect();
        for m in &reminders {
            assert!(never.contains(m.to[0].as_str()), "{} answered", m.to[0]);
            assert!(m.header("Subject").unwrap().starts_with("Reminder:"));
            assert_eq!(link_in(m), link_of[&m.to[0]]);
        }
        let (_, after) = ms.get(&format!("/portal/rotations/{id}")).await;
        assert!(after.contains("Reminders sent so far: 20."));
        let audit = server
            .state
            .store
            .audit_entries(RECEIVING, Some(&id), None, 50)
            .await
            .unwrap();
        assert!(audit
            .iter()
            .any(|e| e.action == "reminders-queued" && e.detail == "20 reminders"));
        assert!(
            audit
                .iter()
                .any(|e| e.action == "rotation-imported"
                    && e.detail == "200 doctors, 200 invitations")
        );
        assert!(audit
            .iter()
            .any(|e| e.action == "export-changeover" && e.outcome == "allowed"));
    }
}
