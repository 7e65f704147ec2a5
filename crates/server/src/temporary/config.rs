//! The `[temporary]` section of the configuration: how long an arrangement may last, how often
//! the server looks for arrangements to end, and the collaborative staff banks.
use crate::config::ConfigError;
use serde::{Deserialize, Serialize};

/// A collaborative staff bank: trusts that share one bank of staff, so a member's bank worker
/// may take shifts at the other members. Kept simple: a configured list of ODS codes.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Bank {
    /// A slug (`a-z`, `0-9`, `-`), stored with each arrangement that names the bank.
    pub id: String,
    /// What people read: `South Yorkshire Collaborative Bank`.
    pub name: String,
    /// The member trusts' ODS codes (at least two).
    pub members: Vec<String>,
}

impl Bank {
    /// Whether `ods` is a member.
    pub fn has(&self, ods: &str) -> bool {
        self.members.iter().any(|m| m == ods)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct TemporaryConfig {
    /// The longest arrangement, in days from the first day to the last, both counted.
    /// `PASSPORT_TEMPORARY_MAX_DAYS`.
    pub max_days: i64,
    /// How often the server ends arrangements whose end date has passed.
    /// `PASSPORT_TEMPORARY_END_CHECK_SECS`.
    pub end_check_interval_secs: u64,
    /// The collaborative banks (`[[temporary.banks]]`); none: no collaborative bank work.
    pub banks: Vec<Bank>,
}

impl Default for TemporaryConfig {
    /// Two years at most (a long secondment); checked hourly, so an arrangement ends within an
    /// hour of the start of the day after its end date (UTC).
    fn default() -> Self {
        TemporaryConfig {
            max_days: 730,
            end_check_interval_secs: 3600,
            banks: Vec::new(),
        }
    }
}

fn slug(text: &str) -> bool {
    (1..=64).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

impl TemporaryConfig {
    /// Refuses settings the server cannot run with; the error names the key.
    pub fn check(&self) -> Result<(), String> {
        if !(1..=3660).contains(&self.max_days) {
            return Err("temporary.max_days must be 1 to 3660".into());
        }
        if self.end_check_interval_secs < 1 {
            return Err("temporary.end_check_interval_secs must be at least 1".into());
        }
        for (i, bank) in self.banks.iter().enumerate() {
            if !slug(&bank.id) || self.banks[..i].iter().any(|b| b.id == bank.id) {
                return Err(format!(
                    "temporary.banks: id {:?} must be a slug (a-z, 0-9, '-') used once",
                    bank.id
                ));
            }
            if bank.name.trim().is_empty() {
                return Err(format!("temporary.banks {}: name is empty", bank.id));
            }
            let members = &bank.members;
            let repeated = members
                .iter()
                .enumerate()
                .any(|(j, m)| members[..j].contains(m));
            if members.len() < 2
                || repeated
                || !members
                    .iter()
                    .all(|m| passport_trust_list::valid_ods_code(m))
            {
                return Err(format!(
                    "temporary.banks {}: members must be at least two ODS codes, each once",
                    bank.id
                ));
            }
        }
        Ok(())
    }

    /// The bank `id`.
    pub fn bank(&self, id: &str) -> Option<&Bank> {
        self.banks.iter().find(|b| b.id == id)
    }
}

/// Applies the `PASSPORT_TEMPORARY_*` variables (banks come from the file only).
pub fn apply_env(
    c: &mut TemporaryConfig,
    get: &impl Fn(&str) -> Option<String>,
) -> Result<(), ConfigError> {
    let number = |name: &str, v: String| {
        v.parse::<u64>().map_err(|_| ConfigError::Env {
            name: name.into(),
            message: format!("{v:?} is not a whole number"),
        })
    };
    if let Some(v) = get("PASSPORT_TEMPORARY_MAX_DAYS") {
        let days = number("PASSPORT_TEMPORARY_MAX_DAYS", v)?;
        c.max_days = i64::try_from(days).unwrap_or(i64::MAX);
    }
    if let Some(v) = get("PASSPORT_TEMPORARY_END_CHECK_SECS") {
        c.end_check_interval_secs = number("PASSPORT_TEMPORARY_END_CHECK_SECS", v)?;
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn bank(id: &str, members: &[&str]) -> Bank {
        Bank {
            id: id.into(),
            name: format!("{id} bank"),
            members: members.iter().map(|m| (*m).to_string()).collect(),
        }
    }

    #[test]
    fn banks_read_from_the_file_and_bad_ones_are_named() {
        let c: crate::Config = toml::from_str(
            "[temporary]\nmax_days = 90\n[[temporary.banks]]\nid = \"south\"\nname = \"South Collaborative Bank\"\nmembers = [\"RHQ\", \"R0A\"]\n",
        )
        .unwrap();
        assert_eq!(c.temporary.max_days, 90);
        assert!(c.temporary.check().is_ok());
        let south = c.temporary.bank("south").unwrap();
        assert!(south.has("R0A") && !south.has("RTH"));
        for (bad, key) in [
            (vec![bank("South", &["RHQ", "R0A"])], "id"),
            (
                vec![bank("s", &["RHQ", "R0A"]), bank("s", &["RHQ", "RTH"])],
                "id",
            ),
            (vec![bank("s", &["RHQ"])], "members"),
            (vec![bank("s", &["RHQ", "RHQ"])], "members"),
            (vec![bank("s", &["RHQ", "r0a"])], "members"),
        ] {
            let c = TemporaryConfig {
                banks: bad,
                ..TemporaryConfig::default()
            };
            let e = c.check().unwrap_err();
            assert!(e.contains(key), "{e}");
        }
        let e = toml::from_str::<crate::Config>("[temporary]\nmax_weeks = 3\n").unwrap_err();
        assert!(e.to_string().contains("max_weeks"));
    }

    #[test]
    fn environment_overrides_and_bad_values_are_named() {
        let mut c = TemporaryConfig::default();
        apply_env(&mut c, &|n: &str| {
            (n == "PASSPORT_TEMPORARY_MAX_DAYS").then(|| "120".to_string())
        })
        .unwrap();
        assert_eq!(c.max_days, 120);
        let e = apply_env(&mut c, &|n: &str| {
            (n == "PASSPORT_TEMPORARY_END_CHECK_SECS").then(|| "hourly".to_string())
        })
        .unwrap_err();
        assert!(e.to_string().contains("PASSPORT_TEMPORARY_END_CHECK_SECS"));
        for bad in [
            TemporaryConfig {
                max_days: 0,
                ..TemporaryConfig::default()
            },
            TemporaryConfig {
                end_check_interval_secs: 0,
                ..TemporaryConfig::default()
            },
        ] {
            assert!(bad.check().is_err());
        }
    }
}
