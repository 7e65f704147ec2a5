//! The doctors' side of `passport bench changeover`: their wallets receive their credentials
//! (stage 1), their invitations arrive (stage 2) and their wallets answer (stage 3).
//!
//! Memory stays bounded at any size: a wallet is one P-256 key and its credentials, written as
//! one JSON line to a file in the run's temporary folder as soon as it is issued, and read back
//! one doctor at a time when that doctor answers; the invitations keep only each doctor's link.
use anyhow::{bail, Context, Result};
use indicatif::ProgressBar;
use passport_holder::{ReceivedCredential, Wallet};
use passport_jose::{b64, Es256Signer, Signer};
use passport_records::{IdScheme, Identifier};
use passport_server::demo::changeover::{doctor, NHS_ENGLAND, RECEIVING};
use passport_server::mail::{Email, Mailer, SendFuture};
use passport_server::webhooks::OutboxError;
use passport_server::Shared;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io::{BufRead, BufWriter, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// One doctor's wallet as kept between the stages.
#[derive(Serialize, Deserialize)]
struct Held {
    n: usize,
    /// PKCS#8 of the device key, base64url.
    key: String,
    credentials: Vec<ReceivedCredential>,
}

/// Issues every credential of doctors `0..doctors` to a fresh wallet key each, `workers` at
/// a time, through the issuer's own path (offer, token grants, status list entry, SD-JWT VC
/// bound to the key: what `/token` and `/credential` do, without HTTP and key proofs), and
/// writes each wallet to `spill`. Returns the credentials issued; every doctor must get
/// `per_doctor`.
pub async fn issue_all(
    state: &Shared,
    doctors: usize,
    per_doctor: usize,
    workers: usize,
    spill: &Path,
    progress: &ProgressBar,
) -> Result<u64> {
    let out = Arc::new(Mutex::new(BufWriter::new(std::fs::File::create(spill)?)));
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..workers.max(1) {
        let (state, out, next, progress) =
            (state.clone(), out.clone(), next.clone(), progress.clone());
        tasks.spawn(async move {
            let mut issued = 0u64;
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= doctors {
                    return anyhow::Ok(issued);
                }
                let held = issue_one(&state, n).await?;
                if held.credentials.len() != per_doctor {
                    bail!(
                        "doctor {n} was issued {} credentials, not {per_doctor}",
                        held.credentials.len()
                    );
                }
                issued += held.credentials.len() as u64;
                let mut line = serde_json::to_vec(&held)?;
                line.push(b'\n');
                out.lock()
                    .map_err(|_| anyhow::anyhow!("spill file lock poisoned"))?
                    .write_all(&line)?;
                progress.inc(1);
            }
        });
    }
    let mut total = 0u64;
    while let Some(done) = tasks.join_next().await {
        total += done??;
    }
    out.lock()
        .map_err(|_| anyhow::anyhow!("spill file lock poisoned"))?
        .flush()?;
    Ok(total)
}

/// Doctor `n`'s credentials from their trust and from NHS England, bound to a new key.
async fn issue_one(state: &Shared, n: usize) -> Result<Held> {
    let d = doctor(n);
    let (key, pkcs8) = Es256Signer::generate()?;
    let holder = key.public_jwk().clone();
    let now = passport_server::now();
    let gmc = Identifier {
        scheme: IdScheme::Gmc,
        value: d.gmc.clone(),
    };
    let mut credentials = Vec::new();
    for org in [d.trust, NHS_ENGLAND] {
        let person = state
            .store
            .person_by_identifier(org, &gmc)
            .await?
            .with_context(|| format!("doctor {n} at {org} was imported"))?;
        let issuer = state.issuer(org)?.issuer_id.clone();
        let code = passport_server::issuance::random_token();
        let tx_code = passport_server::issuance::random_tx_code();
        state
            .store
            .create_offer(org, &person, &code, &tx_code, "bench", now, 600)
            .await?;
        let token = passport_server::issuance::random_token();
        let (_, grants) = state
            .store
            .redeem_offer(org, &code, Some(&tx_code), &token, now, 600)
            .await?
            .map_err(|e| anyhow::anyhow!("offer of doctor {n} at {org}: {e}"))?;
        for grant in grants {
            let (_, record) = state
                .store
                .granted_record(&token, &grant.credential_identifier)
                .await?
                .context("granted record")?;
            let notification = format!("n-{}", grant.credential_identifier);
            let sd_jwt = passport_server::issuance::issue_record(
                state,
                org,
                &person,
                &record,
                &holder,
                &notification,
                now,
            )
            .await?;
            let vct = state
                .catalogue
                .by_name(&record.type_name)
                .context("catalogue type")?
                .vct
                .clone();
            credentials.push(ReceivedCredential {
                sd_jwt,
                issuer: issuer.clone(),
                vct,
                configuration_id: record.type_name.clone(),
                credential_identifier: Some(grant.credential_identifier),
                received_at: now,
            });
        }
    }
    Ok(Held {
        n,
        key: b64::encode(&pkcs8),
        credentials,
    })
}

/// Where the outbox worker delivers the invitations in this benchmark: it keeps the request
/// link of each one (the `openid4vp://` line of its text), by recipient. In place of an SMTP
/// server: the worker's SMTP sending is tested against a real SMTP sink elsewhere
/// (`crates/server/tests/mail.rs`, `rotation_flow.rs`); here it would time the sink.
#[derive(Default)]
pub struct Inbox {
    links: Mutex<HashMap<String, String>>,
    delivered: AtomicU64,
}

impl Inbox {
    /// E-mails accepted (a retried one counts again).
    pub fn delivered(&self) -> u64 {
        self.delivered.load(Ordering::Relaxed)
    }

    /// Recipients who have an invitation.
    pub fn recipients(&self) -> usize {
        self.links.lock().map_or(0, |l| l.len())
    }

    fn link(&self, to: &str) -> Option<String> {
        self.links.lock().ok()?.get(to).cloned()
    }
}

impl Mailer for Inbox {
    fn send<'a>(&'a self, email: &'a Email<'a>) -> SendFuture<'a> {
        Box::pin(async move {
            let link = email
                .text
                .lines()
                .map(str::trim)
                .find(|l| l.starts_with("openid4vp://"))
                .ok_or_else(|| OutboxError::Mail("an invitation without a link".into()))?;
            self.links
                .lock()
                .map_err(|_| OutboxError::Mail("inbox lock poisoned".into()))?
                .insert(email.to.to_string(), link.to_string());
            self.delivered.fetch_add(1, Ordering::Relaxed);
            Ok(())
        })
    }
}

/// What the wallets did.
#[derive(Debug, Default, Clone, Copy)]
pub struct Answered {
    pub transfers: u64,
    pub presentations: u64,
}

/// Every doctor's wallet (read back from `spill`, one at a time) follows the link of their
/// invitation and answers over HTTP, `workers` at a time: fetch the signed request object,
/// check it against the trust list, select by DCQL, present with KB-JWTs, encrypt, POST
/// `direct_post.jwt`. The server verifies and stores the report before it answers.
pub async fn present_all(
    state: &Shared,
    inbox: Arc<Inbox>,
    spill: &Path,
    workers: usize,
    progress: &ProgressBar,
) -> Result<Answered> {
    let file = std::fs::File::open(spill)?;
    let (tx, rx) = tokio::sync::mpsc::channel::<String>(workers.max(1) * 2);
    let reader = std::thread::spawn(move || -> Result<()> {
        for line in std::io::BufReader::new(file).lines() {
            if tx.blocking_send(line?).is_err() {
                break; // a worker failed: the run is over
            }
        }
        Ok(())
    });
    let rx = Arc::new(tokio::sync::Mutex::new(rx));
    let trust = state.trust_list();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..workers.max(1) {
        let (rx, trust, inbox, progress) =
            (rx.clone(), trust.clone(), inbox.clone(), progress.clone());
        tasks.spawn(async move {
            let http = passport_holder::http_client()?;
            let mut done = Answered::default();
            loop {
                let Some(line) = rx.lock().await.recv().await else {
                    return anyhow::Ok(done);
                };
                let held: Held = serde_json::from_str(&line)?;
                let email = doctor(held.n).email;
                let link = inbox
                    .link(&email)
                    .with_context(|| format!("no invitation reached {email}"))?;
                let now = passport_server::now();
                let wallet = Wallet::holding(&b64::decode(&held.key)?, held.credentials, now)?;
                let req = wallet
                    .fetch_presentation_request(&link, &trust, &http, now)
                    .await?;
                if req.verifier_ods != RECEIVING {
                    bail!("{email}'s request is from {}", req.verifier_ods);
                }
                let (shared, _) = wallet.respond(&req, &[], &http, now).await?;
                done.transfers += 1;
                done.presentations += shared.len() as u64;
                progress.inc(1);
            }
        });
    }
    let mut total = Answered::default();
    let mut first_error = None;
    while let Some(done) = tasks.join_next().await {
        match done.map_err(anyhow::Error::from).and_then(|r| r) {
            Ok(a) => {
                total.transfers += a.transfers;
                total.presentations += a.presentations;
            }
            Err(e) => {
                first_error.get_or_insert(e);
                tasks.abort_all();
            }
        }
    }
    drop(rx);
    if let Some(e) = first_error {
        return Err(e.context("a doctor's answer failed"));
    }
    reader
        .join()
        .map_err(|_| anyhow::anyhow!("spill reader panicked"))??;
    Ok(total)
}
