//! Queued e-mails (`outbox_mail`): invitations and reminders, sent by the worker over SMTP.
use super::{check_text, DeliveryState};
use crate::{new_id, Result, Store, StoreError};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

const MAX_ADDRESS_CHARS: usize = 254;
const MAX_SUBJECT_CHARS: usize = 300;
/// Longest body (each of text and HTML), in bytes.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// An e-mail to queue. `to` is one plain address (`name@example.nhs.uk`, no display name);
/// `html`, when given, is sent as the alternative to `text`.
#[derive(Debug, Clone, Copy)]
pub struct NewMail<'a> {
    pub org: &'a str,
    pub to: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    pub html: Option<&'a str>,
}

/// A queued e-mail as the portal lists it (bodies left out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailView {
    pub id: String,
    pub to: String,
    pub subject: String,
    pub state: DeliveryState,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub finished_at: Option<i64>,
}

/// One plain address: a local part and a domain with a dot, nothing that could start another
/// header or recipient (spaces, control characters, `<>,;:"()[]\`). Deliberately narrower than
/// RFC 5322; staff addresses fit it.
fn check_address(to: &str) -> Result<()> {
    let bad = || StoreError::Invalid(format!("e-mail address {to:?} is not one plain address"));
    if to.len() > MAX_ADDRESS_CHARS
        || to
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || "<>,;:\"()[]\\".contains(c))
    {
        return Err(bad());
    }
    let (local, domain) = to.split_once('@').ok_or_else(bad)?;
    if local.is_empty()
        || domain.contains('@')
        || !domain.contains('.')
        || domain.starts_with('.')
        || domain.ends_with('.')
    {
        return Err(bad());
    }
    Ok(())
}

fn check_body(what: &str, body: &str) -> Result<()> {
    if body.len() > MAX_BODY_BYTES {
        return Err(StoreError::Invalid(format!(
            "{what} is longer than {MAX_BODY_BYTES} bytes"
        )));
    }
    if body.contains('\0') {
        return Err(StoreError::Invalid(format!(
            "{what} contains a NUL character"
        )));
    }
    Ok(())
}

/// Queues `mail` on `conn`, the transaction of the change that causes it (e.g. the transfer
/// request it invites to); returns its id. Sent by the worker as soon as SMTP is reachable.
pub async fn enqueue_mail(
    conn: &mut AnyConnection,
    mail: &NewMail<'_>,
    now: i64,
) -> Result<String> {
    check_address(mail.to)?;
    check_text("e-mail subject", mail.subject, MAX_SUBJECT_CHARS)?;
    if mail.subject.trim().is_empty() {
        return Err(StoreError::Invalid("e-mail subject is empty".into()));
    }
    check_body("e-mail text", mail.text)?;
    if let Some(html) = mail.html {
        check_body("e-mail HTML", html)?;
    }
    let id = new_id("ml-");
    sqlx::query(
        "INSERT INTO outbox_mail (id, org, to_addr, subject, text_body, html_body, state, attempts, \
         next_attempt_at_ms, lease_owner, lease_until_ms, last_error, created_at, finished_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $7, NULL, 0, NULL, $8, NULL)",
    )
    .bind(&id)
    .bind(mail.org)
    .bind(mail.to)
    .bind(mail.subject)
    .bind(mail.text)
    .bind(mail.html)
    .bind(now.saturating_mul(1000))
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

pub(crate) fn mail_view(r: &AnyRow) -> Result<MailView> {
    Ok(MailView {
        id: r.try_get("id")?,
        to: r.try_get("to_addr")?,
        subject: r.try_get("subject")?,
        state: DeliveryState::parse(&r.try_get::<String, _>("state")?)?,
        attempts: r.try_get("attempts")?,
        last_error: r.try_get("last_error")?,
        created_at: r.try_get("created_at")?,
        finished_at: r.try_get("finished_at")?,
    })
}

impl Store {
    /// [`enqueue_mail`] in a transaction of its own.
    pub async fn enqueue_mail(&self, mail: &NewMail<'_>, now: i64) -> Result<String> {
        let mut tx = self.pool.begin().await?;
        let id = enqueue_mail(&mut tx, mail, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// E-mails of `org` in `state` (all when `None`), newest first, at most `limit`.
    pub async fn mail_items(
        &self,
        org: &str,
        state: Option<DeliveryState>,
        limit: i64,
    ) -> Result<Vec<MailView>> {
        let rows = sqlx::query(
            "SELECT id, to_addr, subject, state, attempts, last_error, created_at, finished_at \
             FROM outbox_mail WHERE org = $1 AND ($2 = '' OR state = $2) \
             ORDER BY created_at DESC, id LIMIT $3",
        )
        .bind(org)
        .bind(state.map_or("", DeliveryState::as_str))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(mail_view).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::check_address;

    #[test]
    fn one_plain_address_only() {
        assert!(check_address("amara.okafor@example.nhs.uk").is_ok());
        for bad in [
            "",
            "no-at.example",
            "@example.nhs.uk",
            "a@b",
            "a@.nhs.uk",
            "a@nhs.uk.",
            "a@b@example.nhs.uk",
            "Amara <a@example.nhs.uk>",
            "a@example.nhs.uk, b@example.nhs.uk",
            "a@example.nhs.uk\r\nBcc: x@evil.example",
            "a b@example.nhs.uk",
        ] {
            assert!(check_address(bad).is_err(), "{bad:?}");
        }
    }
}
