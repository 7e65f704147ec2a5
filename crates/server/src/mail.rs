//! E-mail: invitations to a transfer request and reminders, queued durably in the outbox
//! (`outbox_mail`) and sent over SMTP by the same background worker as webhooks, with the same
//! retries; a restart loses none.
//!
//! For callers: [`send_invitation`] queues one e-mail in a transaction of its own; to queue it
//! with the change that causes it (the transfer request it links to), call
//! `passport_store::outbox::enqueue_mail(&mut tx, &NewMail { .. }, now)` in that transaction.
//!
//! The `[mail]` section configures SMTP. The user name and password come from the environment
//! only (`PASSPORT_SMTP_USERNAME`, `PASSPORT_SMTP_PASSWORD`), never from a file in a
//! repository, and are never sent over a connection without TLS to another machine.
use crate::config::{Config, ConfigError};
use crate::webhooks::OutboxError;
use crate::{AppState, ServerError};
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use passport_store::outbox::NewMail;
use serde::{Deserialize, Serialize};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS, which must succeed (port 587).
    #[default]
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No TLS: only for a relay on the same machine or a test sink (port 25).
    None,
}

#[derive(Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(default, deny_unknown_fields)]
pub struct MailConfig {
    /// The SMTP server. `PASSPORT_SMTP_HOST`.
    pub host: String,
    /// Its port; default 587, 465 or 25 by `security`. `PASSPORT_SMTP_PORT`.
    pub port: Option<u16>,
    /// `starttls` (default), `tls` or `none`. `PASSPORT_SMTP_SECURITY`.
    pub security: SmtpSecurity,
    /// The sender, e.g. `NHS Staff Passport <passport@example.nhs.uk>`. `PASSPORT_MAIL_FROM`.
    pub from: String,
    /// The name given in EHLO; default the address literal `[127.0.0.1]`.
    /// `PASSPORT_SMTP_HELO_NAME`.
    pub helo_name: Option<String>,
    /// From `PASSPORT_SMTP_USERNAME` only.
    #[serde(skip)]
    pub username: Option<String>,
    /// From `PASSPORT_SMTP_PASSWORD` only.
    #[serde(skip)]
    pub password: Option<String>,
}

/// Never prints the password.
impl std::fmt::Debug for MailConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("from", &self.from)
            .field("helo_name", &self.helo_name)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "(set)"))
            .finish()
    }
}

/// Applies the `PASSPORT_SMTP_*` and `PASSPORT_MAIL_FROM` variables; any of them makes the
/// section exist.
pub fn apply_env(
    slot: &mut Option<MailConfig>,
    get: &impl Fn(&str) -> Option<String>,
) -> Result<(), ConfigError> {
    let names = [
        "PASSPORT_SMTP_HOST",
        "PASSPORT_SMTP_PORT",
        "PASSPORT_SMTP_SECURITY",
        "PASSPORT_MAIL_FROM",
        "PASSPORT_SMTP_HELO_NAME",
        "PASSPORT_SMTP_USERNAME",
        "PASSPORT_SMTP_PASSWORD",
    ];
    if slot.is_none() && names.iter().all(|n| get(n).is_none()) {
        return Ok(());
    }
    let c = slot.get_or_insert_with(MailConfig::default);
    if let Some(v) = get("PASSPORT_SMTP_HOST") {
        c.host = v;
    }
    if let Some(v) = get("PASSPORT_SMTP_PORT") {
        c.port = Some(v.parse().map_err(|_| ConfigError::Env {
            name: "PASSPORT_SMTP_PORT".into(),
            message: format!("{v:?} is not a port number"),
        })?);
    }
    if let Some(v) = get("PASSPORT_SMTP_SECURITY") {
        c.security = match v.as_str() {
            "starttls" => SmtpSecurity::Starttls,
            "tls" => SmtpSecurity::Tls,
            "none" => SmtpSecurity::None,
            other => {
                return Err(ConfigError::Env {
                    name: "PASSPORT_SMTP_SECURITY".into(),
                    message: format!("{other:?} is not starttls, tls or none"),
                })
            }
        };
    }
    if let Some(v) = get("PASSPORT_MAIL_FROM") {
        c.from = v;
    }
    if let Some(v) = get("PASSPORT_SMTP_HELO_NAME") {
        c.helo_name = (!v.is_empty()).then_some(v);
    }
    if let Some(v) = get("PASSPORT_SMTP_USERNAME") {
        c.username = (!v.is_empty()).then_some(v);
    }
    if let Some(v) = get("PASSPORT_SMTP_PASSWORD") {
        c.password = (!v.is_empty()).then_some(v);
    }
    Ok(())
}

/// One e-mail to send: one recipient, a subject, a plain text body and optionally an HTML
/// alternative.
#[derive(Debug, Clone, Copy)]
pub struct Email<'a> {
    pub to: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    pub html: Option<&'a str>,
}

/// What sending one e-mail returns, boxed so `Mailer` can be a trait object.
pub type SendFuture<'a> = Pin<Box<dyn Future<Output = Result<(), OutboxError>> + Send + 'a>>;

/// Sends e-mail. The worker holds one; tests may give it another.
pub trait Mailer: Send + Sync {
    /// Ok once the server has accepted the message for delivery.
    fn send<'a>(&'a self, email: &'a Email<'a>) -> SendFuture<'a>;
}

/// SMTP through `lettre`.
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

fn loopback(host: &str) -> bool {
    matches!(host, "127.0.0.1" | "localhost" | "::1" | "[::1]")
}

impl SmtpMailer {
    /// Checks the section and builds the transport (no connection yet). Errors name the key.
    pub fn new(config: &MailConfig, timeout: Duration) -> Result<SmtpMailer, String> {
        if config.host.is_empty() {
            return Err("mail.host is empty (PASSPORT_SMTP_HOST)".into());
        }
        let from: Mailbox = config
            .from
            .parse()
            .map_err(|e| format!("mail.from {:?}: {e} (PASSPORT_MAIL_FROM)", config.from))?;
        let builder = match config.security {
            SmtpSecurity::Starttls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&config.host)
                    .map_err(|e| format!("mail.host: {e}"))?
            }
            SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&config.host)
                .map_err(|e| format!("mail.host: {e}"))?,
            SmtpSecurity::None => {
                AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(config.host.clone())
            }
        };
        let port = config.port.unwrap_or(match config.security {
            SmtpSecurity::Starttls => 587,
            SmtpSecurity::Tls => 465,
            SmtpSecurity::None => 25,
        });
        let mut builder = builder.port(port).timeout(Some(timeout));
        if let Some(name) = &config.helo_name {
            builder = builder.hello_name(ClientId::Domain(name.clone()));
        }
        match (&config.username, &config.password) {
            (Some(user), Some(password)) => {
                if config.security == SmtpSecurity::None && !loopback(&config.host) {
                    return Err(
                        "mail.security = none sends the SMTP password in clear: use starttls or \
                         tls, or a relay on this machine"
                            .into(),
                    );
                }
                builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
            }
            (None, None) => {}
            _ => {
                return Err("PASSPORT_SMTP_USERNAME and PASSPORT_SMTP_PASSWORD go together".into())
            }
        }
        Ok(SmtpMailer {
            transport: builder.build(),
            from,
        })
    }

    fn message(&self, email: &Email<'_>) -> Result<Message, OutboxError> {
        let to: Mailbox = email
            .to
            .parse()
            .map_err(|e| OutboxError::Mail(format!("recipient {:?}: {e}", email.to)))?;
        let builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(email.subject);
        let message = match email.html {
            Some(html) => builder.multipart(MultiPart::alternative_plain_html(
                email.text.to_string(),
                html.to_string(),
            )),
            None => builder
                .header(ContentType::TEXT_PLAIN)
                .body(email.text.to_string()),
        };
        message.map_err(|e| OutboxError::Mail(e.to_string()))
    }
}

impl Mailer for SmtpMailer {
    fn send<'a>(&'a self, email: &'a Email<'a>) -> SendFuture<'a> {
        Box::pin(async move {
            let message = self.message(email)?;
            self.transport
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| OutboxError::Mail(e.to_string()))
        })
    }
}

/// The SMTP mailer of `config`'s `[mail]` section; none when it is absent.
pub fn mailer_from_config(config: &Config) -> Result<Option<Arc<dyn Mailer>>, ServerError> {
    let Some(mail) = &config.mail else {
        return Ok(None);
    };
    let timeout = Duration::from_millis(config.outbox.request_timeout_ms);
    let mailer = SmtpMailer::new(mail, timeout).map_err(ServerError::Startup)?;
    Ok(Some(Arc::new(mailer)))
}

/// Queues an e-mail from `org` to `to` (e.g. an invitation to a transfer request with its
/// link) in a transaction of its own; returns its id. The worker sends it, retrying while the
/// SMTP server is unreachable. Bad input (not one plain address, a subject with a line break,
/// an oversized body) is refused and nothing is queued.
pub async fn send_invitation(
    state: &AppState,
    org: &str,
    to: &str,
    subject: &str,
    text: &str,
    html: Option<&str>,
) -> Result<String, ServerError> {
    let mail = NewMail {
        org,
        to,
        subject,
        text,
        html,
    };
    Ok(state.store.enqueue_mail(&mail, crate::now()).await?)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn config() -> MailConfig {
        MailConfig {
            host: "smtp.example.nhs.uk".into(),
            from: "NHS Staff Passport <passport@example.nhs.uk>".into(),
            ..MailConfig::default()
        }
    }

    #[test]
    fn settings_are_checked_and_the_password_never_goes_in_clear() {
        let t = Duration::from_secs(1);
        assert!(SmtpMailer::new(&config(), t).is_ok());
        let with_login = MailConfig {
            username: Some("u".into()),
            password: Some("p".into()),
            ..config()
        };
        assert!(SmtpMailer::new(&with_login, t).is_ok());
        let clear = MailConfig {
            security: SmtpSecurity::None,
            ..with_login.clone()
        };
        assert!(SmtpMailer::new(&clear, t)
            .err()
            .unwrap()
            .contains("in clear"));
        let local = MailConfig {
            host: "127.0.0.1".into(),
            ..clear
        };
        assert!(SmtpMailer::new(&local, t).is_ok());
        assert!(SmtpMailer::new(
            &MailConfig {
                host: String::new(),
                ..config()
            },
            t
        )
        .is_err());
        assert!(SmtpMailer::new(
            &MailConfig {
                from: "not an address".into(),
                ..config()
            },
            t
        )
        .is_err());
        let half = MailConfig {
            username: Some("u".into()),
            ..config()
        };
        assert!(SmtpMailer::new(&half, t).is_err());
        assert!(!format!("{with_login:?}").contains("\"p\""));
    }

    #[test]
    fn environment_makes_the_section_and_secrets_come_only_from_it() {
        let mut slot = None;
        apply_env(&mut slot, &|_: &str| None).unwrap();
        assert!(slot.is_none());
        apply_env(&mut slot, &|n: &str| match n {
            "PASSPORT_SMTP_HOST" => Some("127.0.0.1".into()),
            "PASSPORT_SMTP_SECURITY" => Some("none".into()),
            "PASSPORT_SMTP_PORT" => Some("2525".into()),
            "PASSPORT_SMTP_PASSWORD" => Some("pw".into()),
            _ => None,
        })
        .unwrap();
        let c = slot.clone().unwrap();
        assert_eq!(
            (c.port, c.security, c.password.as_deref()),
            (Some(2525), SmtpSecurity::None, Some("pw"))
        );
        assert!(toml::from_str::<MailConfig>("password = \"x\"").is_err());
        let e = apply_env(&mut slot, &|n: &str| {
            (n == "PASSPORT_SMTP_SECURITY").then(|| "ssl".into())
        })
        .unwrap_err();
        assert!(e.to_string().contains("PASSPORT_SMTP_SECURITY"));
    }
}
