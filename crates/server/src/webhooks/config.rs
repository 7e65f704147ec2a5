//! The `[outbox]` section of the configuration: how the background worker delivers webhooks
//! and e-mails, and how it backs off when a receiver is down.
use crate::config::ConfigError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct OutboxConfig {
    /// How often the worker looks for due deliveries when idle. `PASSPORT_OUTBOX_POLL_MS`.
    pub poll_interval_ms: u64,
    /// Attempts per delivery or e-mail before it is dead-lettered. `PASSPORT_OUTBOX_MAX_ATTEMPTS`.
    pub max_attempts: i64,
    /// Delay before the second attempt; it doubles each time. `PASSPORT_OUTBOX_RETRY_BASE_MS`.
    pub retry_base_ms: u64,
    /// Longest delay between attempts. `PASSPORT_OUTBOX_RETRY_CAP_MS`.
    pub retry_cap_ms: u64,
    /// Time limit of one webhook request or SMTP session. `PASSPORT_OUTBOX_TIMEOUT_MS`.
    pub request_timeout_ms: u64,
}

impl Default for OutboxConfig {
    /// Twelve attempts from 10 s doubling to at most an hour: a receiver may be down for about
    /// three and a half hours before an event is dead-lettered.
    fn default() -> Self {
        OutboxConfig {
            poll_interval_ms: 2_000,
            max_attempts: 12,
            retry_base_ms: 10_000,
            retry_cap_ms: 3_600_000,
            request_timeout_ms: 10_000,
        }
    }
}

impl OutboxConfig {
    /// Refuses settings the worker cannot run with; the error names the key.
    pub fn check(&self) -> Result<(), String> {
        if self.max_attempts < 1 {
            return Err("outbox.max_attempts must be at least 1".into());
        }
        if self.poll_interval_ms < 10 {
            return Err("outbox.poll_interval_ms must be at least 10".into());
        }
        if self.retry_base_ms < 1 || self.retry_cap_ms < self.retry_base_ms {
            return Err("outbox.retry_base_ms must be at least 1 and at most retry_cap_ms".into());
        }
        if self.request_timeout_ms < 100 {
            return Err("outbox.request_timeout_ms must be at least 100".into());
        }
        Ok(())
    }

    /// How long a claimed row stays leased: three times one attempt's time limit and a second,
    /// so a live worker records its outcome before another may take the row, while a row left
    /// by a stopped worker is taken again soon after a restart.
    pub fn lease_ms(&self) -> i64 {
        i64::try_from(
            self.request_timeout_ms
                .saturating_mul(3)
                .saturating_add(1_000),
        )
        .unwrap_or(i64::MAX / 4)
    }

    /// The delay after failed attempt number `attempt` (1 = the first): `retry_base_ms`
    /// doubled per attempt, capped at `retry_cap_ms`, then "equal jitter" (half fixed, half
    /// random from `random`) so receivers coming back up are not hit by every sender at once.
    pub fn backoff_ms(&self, attempt: i64, random: u64) -> u64 {
        let shift = u32::try_from(attempt.saturating_sub(1).clamp(0, 62)).unwrap_or(62);
        let full = self
            .retry_base_ms
            .saturating_mul(1u64.checked_shl(shift).unwrap_or(u64::MAX))
            .min(self.retry_cap_ms);
        let half = full / 2;
        (full - half) + random % (half + 1)
    }
}

/// Applies the `PASSPORT_OUTBOX_*` variables.
pub fn apply_env(
    c: &mut OutboxConfig,
    get: &impl Fn(&str) -> Option<String>,
) -> Result<(), ConfigError> {
    let parse = |name: &str, v: String| {
        v.parse::<u64>().map_err(|_| ConfigError::Env {
            name: name.into(),
            message: format!("{v:?} is not a whole number"),
        })
    };
    for (name, slot) in [
        ("PASSPORT_OUTBOX_POLL_MS", &mut c.poll_interval_ms),
        ("PASSPORT_OUTBOX_RETRY_BASE_MS", &mut c.retry_base_ms),
        ("PASSPORT_OUTBOX_RETRY_CAP_MS", &mut c.retry_cap_ms),
        ("PASSPORT_OUTBOX_TIMEOUT_MS", &mut c.request_timeout_ms),
    ] {
        if let Some(v) = get(name) {
            *slot = parse(name, v)?;
        }
    }
    if let Some(v) = get("PASSPORT_OUTBOX_MAX_ATTEMPTS") {
        c.max_attempts = i64::try_from(parse("PASSPORT_OUTBOX_MAX_ATTEMPTS", v)?).unwrap_or(1);
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_is_capped_and_jitters_within_its_upper_half() {
        let c = OutboxConfig {
            retry_base_ms: 100,
            retry_cap_ms: 1_000,
            ..OutboxConfig::default()
        };
        for (attempt, full) in [
            (1, 100),
            (2, 200),
            (3, 400),
            (4, 800),
            (5, 1_000),
            (60, 1_000),
        ] {
            assert_eq!(c.backoff_ms(attempt, 0), full / 2, "attempt {attempt}");
            assert_eq!(c.backoff_ms(attempt, full / 2), full, "attempt {attempt}");
            for r in [1, 7, 12345, u64::MAX] {
                let d = c.backoff_ms(attempt, r);
                assert!(d >= full / 2 && d <= full, "attempt {attempt}: {d}");
            }
        }
        assert_eq!(
            c.backoff_ms(i64::MAX, u64::MAX),
            c.backoff_ms(100, u64::MAX)
        );
        assert_eq!(c.backoff_ms(0, 0), 50);
    }

    #[test]
    fn the_sections_read_from_the_configuration_file() {
        let c: crate::Config = toml::from_str(
            "[outbox]\nmax_attempts = 3\nretry_base_ms = 50\n\n[mail]\nhost = \"smtp.example.nhs.uk\"\nfrom = \"passport@example.nhs.uk\"\nsecurity = \"tls\"\n",
        )
        .unwrap();
        assert_eq!((c.outbox.max_attempts, c.outbox.retry_base_ms), (3, 50));
        assert_eq!(c.outbox.retry_cap_ms, OutboxConfig::default().retry_cap_ms);
        let mail = c.mail.unwrap();
        assert_eq!(
            (mail.host.as_str(), mail.security),
            ("smtp.example.nhs.uk", crate::mail::SmtpSecurity::Tls)
        );
        assert!(toml::from_str::<crate::Config>("[outbox]\nretries = 3\n").is_err());
        assert!(toml::from_str::<crate::Config>("[mail]\npassword = \"x\"\n").is_err());
    }

    #[test]
    fn environment_overrides_and_bad_values_are_named() {
        let mut c = OutboxConfig::default();
        apply_env(&mut c, &|n: &str| {
            (n == "PASSPORT_OUTBOX_MAX_ATTEMPTS").then(|| "3".to_string())
        })
        .unwrap();
        assert_eq!(c.max_attempts, 3);
        let e = apply_env(&mut c, &|n: &str| {
            (n == "PASSPORT_OUTBOX_RETRY_BASE_MS").then(|| "soon".to_string())
        })
        .unwrap_err();
        assert!(e.to_string().contains("PASSPORT_OUTBOX_RETRY_BASE_MS"));
        assert!(OutboxConfig::default().check().is_ok());
        for bad in [
            OutboxConfig {
                max_attempts: 0,
                ..OutboxConfig::default()
            },
            OutboxConfig {
                retry_cap_ms: 1,
                ..OutboxConfig::default()
            },
            OutboxConfig {
                request_timeout_ms: 0,
                ..OutboxConfig::default()
            },
        ] {
            assert!(bad.check().is_err());
        }
    }
}
