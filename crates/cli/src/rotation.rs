//! `passport rotation import`: a receiving trust's rotation list from the command line, checked
//! and imported exactly as the portal's upload does (one transfer request and one queued
//! invitation per doctor, in one transaction). The running server's outbox worker sends the
//! invitations.
use anyhow::{bail, Context, Result};
use clap::Subcommand;
use passport_keystore::KdfParams;
use passport_server::portal::{import_list, ListImport, Refusal};
use passport_server::{AppState, Config};
use passport_store::ChangeoverTarget;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum RotationAction {
    /// Import a rotation list (CSV, columns in samples/README.md) into a new changeover
    /// (--name and --date) or an existing one (--changeover ID). One bad row and nothing is
    /// imported; every bad row is listed with its line.
    Import {
        #[arg(long, env = "PASSPORT_CONFIG")]
        config: Option<PathBuf>,
        /// The receiving organisation's ODS code.
        #[arg(long)]
        org: String,
        /// An existing changeover's id.
        #[arg(long, conflicts_with_all = ["name", "date"])]
        changeover: Option<String>,
        /// A new changeover's name.
        #[arg(long, requires = "date")]
        name: Option<String>,
        /// A new changeover's date, YYYY-MM-DD.
        #[arg(long, requires = "name")]
        date: Option<String>,
        /// Recorded as who made the requests.
        #[arg(long, default_value = "cli")]
        created_by: String,
        file: PathBuf,
    },
}

pub fn run(action: RotationAction) -> Result<()> {
    let RotationAction::Import {
        config,
        org,
        changeover,
        name,
        date,
        created_by,
        file,
    } = action;
    let config = Config::load(config.as_deref())?;
    let text =
        std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
    let target = match (&changeover, &name, &date) {
        (Some(id), _, _) => ChangeoverTarget::Existing(id),
        (None, Some(name), Some(date)) => {
            if passport_server::verifier::response::parse_date(date).is_err() {
                bail!("--date {date:?} is not YYYY-MM-DD");
            }
            ChangeoverTarget::New { name, date }
        }
        _ => bail!("give --changeover ID, or --name and --date for a new changeover"),
    };
    crate::serve::runtime()?.block_on(async move {
        let now = passport_server::now();
        let state = std::sync::Arc::new(AppState::build(config, KdfParams::default(), now).await?);
        let org_name = state.issuer(&org)?.name.clone();
        let how = ListImport {
            org: &org,
            org_name: &org_name,
            created_by: &created_by,
            role: "hr",
            target,
        };
        match import_list(&state, &how, &text, now).await? {
            Ok(imported) => {
                let done = imported.rotation;
                println!(
                    "{}",
                    serde_json::json!({
                        "changeover": done.changeover_id,
                        "doctors": done.doctors,
                        "invitations_queued": done.invitations,
                    })
                );
                Ok(())
            }
            Err(Refusal::Rows(rows)) => {
                eprintln!(
                    "{}: {} problem(s); nothing was imported:",
                    file.display(),
                    rows.len()
                );
                for row in &rows {
                    eprintln!("  line {}: {}", row.line, row.reason);
                }
                bail!("the list was not imported")
            }
            Err(Refusal::File(why)) => bail!("{}: {why}; nothing was imported", file.display()),
        }
    })
}
