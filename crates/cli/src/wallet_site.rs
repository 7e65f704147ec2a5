//! `passport wallet-site`: the staff wallet as a folder for any static web host.
//!
//! The files are exactly those the server serves at `/wallet/` (one table, in
//! `passport_server::wallet`), with a `config.json` that pins the registry's public key given
//! here, names the trust list's URL and carries the catalogue's type metadata. Nothing in the
//! folder is secret.
use anyhow::{bail, Context, Result};
use std::path::Path;

/// Writes the wallet into `out` (made if missing); returns how many files were written.
pub fn build(out: &Path, registry_jwk: &Path, trust_list_url: &str) -> Result<usize> {
    if !(trust_list_url.starts_with("https://")
        || trust_list_url.starts_with("http://127.0.0.1")
        || trust_list_url.starts_with("http://localhost"))
    {
        bail!("the trust list URL must be https:// (plain http only on this machine): {trust_list_url}");
    }
    let text = std::fs::read_to_string(registry_jwk)
        .with_context(|| format!("reading the registry key {}", registry_jwk.display()))?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .with_context(|| format!("{} is not JSON", registry_jwk.display()))?;
    if value.get("d").is_some() {
        bail!(
            "{} holds a private key: give the registry's public key only",
            registry_jwk.display()
        );
    }
    let jwk: passport_jose::Jwk = serde_json::from_value(value)
        .with_context(|| format!("{} is not a P-256 public JWK", registry_jwk.display()))?;
    let config = passport_server::wallet::config_json(
        &jwk,
        trust_list_url,
        passport_catalogue::Catalogue::nhs(),
    );
    let files = passport_server::wallet::static_site(&config);
    for (path, bytes) in &files {
        let target = out.join(path);
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("making {}", dir.display()))?;
        }
        std::fs::write(&target, bytes).with_context(|| format!("writing {}", target.display()))?;
    }
    Ok(files.len())
}
