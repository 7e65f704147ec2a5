//! Offering anew after a training placement changed (issue 7): when an import supersedes or
//! withdraws a `TrainingPlacement` whose credential a person held, the import has already
//! revoked that credential; in the same transaction this makes a fresh offer of the person's
//! current records and queues its e-mails to the address on record (`persons.email`, set when
//! the person was first made from an import row carrying one: the TIS `email` column for NHS
//! England's trainees). Nobody is e-mailed who has no address, nothing current, or never held
//! the changed placement's credential (they have nothing to replace).
//!
//! The store makes no secrets and writes no words: the caller's [`Reoffer::plan`] gives the
//! pre-authorised code, the transaction code and the e-mails; only hashes of the codes are kept.
use crate::issuance::tx_hash;
use crate::outbox::{enqueue_mail, NewMail};
use crate::rotations::MailText;
use crate::{new_id, sha256_hex, Result, StoreError};
use sqlx::{AnyConnection, Row};

/// A person to offer anew, as [`Reoffer::plan`] sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReofferPerson {
    pub person_id: String,
    pub given_name: String,
    pub family_name: String,
    pub email: String,
    /// When the new offer expires.
    pub expires_at: i64,
}

/// The new offer's secrets and the e-mails that carry them (the link and the transaction code
/// in separate messages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReofferPlan {
    pub code: String,
    pub tx_code: String,
    pub mails: Vec<MailText>,
}

/// How an import offers anew.
pub struct Reoffer<'a> {
    pub plan: &'a (dyn Fn(&ReofferPerson) -> ReofferPlan + Sync),
    pub ttl_secs: i64,
    /// Recorded as the offer's maker (`import:<kind>`).
    pub created_by: &'a str,
}

/// Offers anew to each of `people` (person ids of `org`, repeats ignored) on `conn`, the
/// import's transaction; returns how many offers were made.
pub(crate) async fn run(
    conn: &mut AnyConnection,
    org: &str,
    people: &[String],
    reoffer: &Reoffer<'_>,
    now: i64,
) -> Result<u64> {
    let mut done: Vec<&String> = Vec::new();
    let mut made = 0u64;
    for person_id in people {
        if done.contains(&person_id) {
            continue;
        }
        done.push(person_id);
        let row = sqlx::query(
            "SELECT p.given_name, p.family_name, p.email, \
             (SELECT COUNT(*) FROM records r WHERE r.org = p.org AND r.person_id = p.id AND r.state = 'current') AS current \
             FROM persons p WHERE p.org = $1 AND p.id = $2",
        )
        .bind(org)
        .bind(person_id)
        .fetch_optional(&mut *conn)
        .await?;
        let Some(row) = row else {
            continue;
        };
        let email: Option<String> = row.try_get("email")?;
        let current: i64 = row.try_get("current")?;
        let Some(email) = email.filter(|e| !e.trim().is_empty()) else {
            continue;
        };
        if current == 0 {
            continue;
        }
        let person = ReofferPerson {
            person_id: person_id.clone(),
            given_name: row.try_get("given_name")?,
            family_name: row.try_get("family_name")?,
            email,
            expires_at: now + reoffer.ttl_secs,
        };
        let plan = (reoffer.plan)(&person);
        // The e-mails first: an address the outbox refuses (checked before anything is
        // written) skips that person and the import goes on. The words are the caller's own,
        // so a later refusal is a fault and fails the import.
        let mut skip = false;
        for (i, mail) in plan.mails.iter().enumerate() {
            let new = NewMail {
                org,
                to: &person.email,
                subject: &mail.subject,
                text: &mail.text,
                html: mail.html.as_deref(),
            };
            match enqueue_mail(&mut *conn, &new, now).await {
                Ok(_) => {}
                Err(StoreError::Invalid(_)) if i == 0 => {
                    skip = true;
                    break;
                }
                Err(e) => return Err(e),
            }
        }
        if skip {
            continue;
        }
        let id = new_id("o-");
        sqlx::query(
            "INSERT INTO offers (id, org, person_id, code_hash, tx_code_hash, created_by, created_at, expires_at, failed_attempts) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0)",
        )
        .bind(&id)
        .bind(org)
        .bind(person_id)
        .bind(sha256_hex(plan.code.as_bytes()))
        .bind(tx_hash(&id, &plan.tx_code))
        .bind(reoffer.created_by)
        .bind(now)
        .bind(person.expires_at)
        .execute(&mut *conn)
        .await?;
        made += 1;
    }
    Ok(made)
}

#[cfg(test)]
#[path = "reoffer_tests.rs"]
mod tests;
