//! NHS England changes a training placement (issue 7), on SQLite and PostgreSQL: the TIS import
//! revokes the credential Amara holds for it and, in the same transaction, offers her current
//! records anew; the offer link and its transaction code reach her address on record (the TIS
//! `email` column) in two separate e-mails through the outbox and a real SMTP sink, and the
//! Rust holder receives the new placement with them. Importing the same file again changes
//! nothing and sends nothing.
#![allow(clippy::unwrap_used)]
mod common;

use common::outbox::wait_until;
use common::rotation::start;
use common::smtp_sink::SmtpSink;
use common::transfer::{amara_wallet, day, tis_csv};
use passport_records::{IdScheme, Identifier, ImportKind};
use passport_server::reoffer::Reoffers;
use passport_store::{ImportOutcome, ReofferPerson};

const AMARA: &str = "amara.okafor@nhs.example";

async fn import_tis(server: &common::TestServer, text: &str) -> ImportOutcome {
    let state = &server.state;
    let records = passport_records::parse(ImportKind::TisPlacements, text, "X24").unwrap();
    let reoffers = Reoffers {
        org_name: state.issuer("X24").unwrap().name.clone(),
        issuer_id: state.issuer("X24").unwrap().issuer_id.clone(),
        ttl_secs: state.config.offer_ttl_secs,
    };
    let plan = |p: &ReofferPerson| reoffers.plan(p);
    let hook = reoffers.hook(&plan, "import:tis");
    state
        .store
        .apply_import_reoffering(
            "X24",
            "tis",
            &passport_store::sha256_hex(text.as_bytes()),
            &records,
            passport_server::now(),
            |_| {},
            Some(&hook),
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn a_changed_placement_is_revoked_and_offered_anew_by_email() {
    for db in passport_store::testing::both().await.unwrap() {
        let sink = SmtpSink::start().await;
        let (server, _worker) = start(db, &sink).await;
        let wallet = amara_wallet(&server).await;
        let held_before = wallet.credentials().len();
        let gmc = Identifier::new(IdScheme::Gmc, "9100001").unwrap();
        let store = &server.state.store;
        let amara = store
            .person_by_identifier("X24", &gmc)
            .await
            .unwrap()
            .unwrap();
        assert!(store
            .issued_to("X24", &amara)
            .await
            .unwrap()
            .iter()
            .all(|c| c.revoked_at.is_none()));

        // Baseline: the same file again changes nothing, offers nothing, sends nothing.
        let same = import_tis(&server, &tis_csv()).await;
        assert_eq!((same.unchanged, same.revoked, same.reoffered), (2, 0, 0));

        // NHS England moves the placement's end a week later.
        let changed = tis_csv().replace(&day(194), &day(201));
        assert_ne!(changed, tis_csv());
        let out = import_tis(&server, &changed).await;
        assert_eq!((out.superseded, out.revoked, out.reoffered), (1, 1, 1));
        let issued = store.issued_to("X24", &amara).await.unwrap();
        let revoked: Vec<_> = issued.iter().filter(|c| c.revoked_at.is_some()).collect();
        assert_eq!(revoked.len(), 1);
        assert_eq!(revoked[0].type_name, "TrainingPlacement");

        // Two e-mails to her address: the link in one, the code in the other.
        wait_until("the offer and its code", 60, || async {
            sink.messages().len() >= 2
        })
        .await;
        let mails = sink.messages();
        assert_eq!(mails.len(), 2);
        assert!(mails.iter().all(|m| m.to == [AMARA.to_string()]));
        let by = |subject: &str| {
            let m = mails
                .iter()
                .find(|m| m.header("Subject").unwrap().ends_with(subject))
                .unwrap_or_else(|| panic!("{subject}: {mails:?}"));
            m.part("text/plain").unwrap()
        };
        let (offer, code_mail) = (by("placement has changed"), by("your transaction code"));
        let link = offer
            .lines()
            .find(|l| l.starts_with("openid-credential-offer://"))
            .unwrap()
            .trim()
            .to_string();
        let code = code_mail
            .lines()
            .map(str::trim)
            .find(|l| l.len() == 6 && l.bytes().all(|b| b.is_ascii_digit()))
            .unwrap()
            .to_string();
        assert!(
            !offer.contains(&code),
            "the code is not in the link's e-mail"
        );

        // The holder receives her current records with them: the new placement among them.
        let mut wallet = wallet;
        let http = passport_holder::http_client().unwrap();
        let received = wallet
            .receive(&link, Some(&code), &http, passport_server::now())
            .await
            .unwrap();
        assert_eq!(received.len(), 2, "programme and placement");
        let placement = wallet
            .credentials()
            .iter()
            .skip(held_before)
            .find(|c| c.vct.contains("/training-placement/"))
            .unwrap();
        assert_eq!(placement.claims().unwrap()["endDate"], day(201));
        // The offer works once.
        assert!(wallet
            .receive(&link, Some(&code), &http, passport_server::now())
            .await
            .is_err());
    }
}
