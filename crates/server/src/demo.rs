//! The demo's synthetic NHS: portal users for every organisation and `staff` invented people
//! spread over three trusts, imported through the same parsers and store as real files
//! (ESR staff and competences, OH export, TIS placements for NHS England). Seeding twice
//! changes nothing: re-imports are recognised as unchanged.
use crate::{AppState, ServerError};
use passport_records::ImportKind;
use std::fmt::Write as _;

pub mod amara;
pub mod changeover;
mod people;
pub use people::{bench_files, DemoFile};

/// Roles of the demo logins, per organisation kind.
const TRUST_ROLES: &[&str] = &["hr", "training", "oh", "admin"];

/// What seeding made, for the instructions printed afterwards.
#[derive(Debug, Clone, Default)]
pub struct Seeded {
    /// (organisation, username, role)
    pub logins: Vec<(String, String, String)>,
    pub password: String,
    pub staff: usize,
    pub records: u64,
    pub queued: u64,
}

/// The demo password: one per data folder, random, kept beside the database (owner-only).
fn demo_password(state: &AppState) -> Result<String, ServerError> {
    let file = state.config.data_dir.join("demo-password");
    if let Ok(p) = std::fs::read_to_string(&file) {
        return Ok(p.trim().to_string());
    }
    let mut bytes = [0u8; 9];
    passport_store::fill_random(&mut bytes);
    let p = format!("demo-{}", passport_jose::b64::encode(bytes));
    std::fs::write(&file, &p)
        .map_err(|e| ServerError::Startup(format!("{}: {e}", file.display())))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| ServerError::Startup(e.to_string()))?;
    }
    Ok(p)
}

/// Seeds users and `staff` synthetic people; `progress(done, total)` follows the imports.
pub async fn seed(
    state: &AppState,
    staff: usize,
    now: i64,
    mut progress: impl FnMut(u64, u64),
) -> Result<Seeded, ServerError> {
    let password = demo_password(state)?;
    let hash = crate::portal::hash_password(&password).await?;
    let mut seeded = Seeded {
        password,
        staff,
        ..Seeded::default()
    };
    for org in &state.config.organisations {
        let roles: &[&str] = match org.kind.as_str() {
            "trust" => TRUST_ROLES,
            // The demo node holds the registry key: NHS England's registry administrator
            // manages its trust list (Trust list in the portal).
            "nhs-england" => &["training", "admin", "registry-admin"],
            _ => &["oh", "admin"],
        };
        for role in roles {
            let username = format!("{}.{role}", org.ods_code.to_lowercase());
            state
                .store
                .upsert_user(
                    &org.ods_code,
                    &username,
                    &format!("Demo {role} user, {}", org.ods_code),
                    role,
                    &hash,
                    now,
                )
                .await?;
            seeded
                .logins
                .push((org.ods_code.clone(), username, (*role).to_string()));
        }
    }
    // A locum who works for two trusts: signs in, then chooses which one to act for.
    let shared: Vec<passport_store::Membership> = [("RHQ", "hr"), ("R0A", "medical-staffing")]
        .iter()
        .filter(|(org, _)| {
            state
                .config
                .organisations
                .iter()
                .any(|o| o.ods_code == *org)
        })
        .map(|(org, role)| passport_store::Membership::new(org, role))
        .collect();
    if shared.len() == 2 {
        state
            .store
            .upsert_account(
                "locum.demo",
                "Demo locum (RHQ and R0A)",
                &hash,
                &shared,
                now,
            )
            .await?;
        seeded.logins.push((
            "RHQ+R0A".into(),
            "locum.demo".into(),
            "hr at RHQ, medical-staffing at R0A".into(),
        ));
    }
    let files = people::files(staff);
    let total: u64 = files.iter().map(|f| f.text.lines().count() as u64).sum();
    let mut done = 0u64;
    for file in &files {
        if state.store.org(&file.org).await?.is_none() {
            continue;
        }
        let records = passport_records::parse(file.kind, &file.text, &file.org)
            .map_err(|e| ServerError::Internal(format!("demo data {:?}: {e}", file.kind)))?;
        let outcome = state
            .store
            .apply_import(
                &file.org,
                file.kind.as_str(),
                &passport_store::sha256_hex(file.text.as_bytes()),
                &records,
                now,
                |n| progress(done + n, total),
            )
            .await?;
        done += file.text.lines().count() as u64;
        seeded.records += outcome.created + outcome.unchanged;
        progress(done, total);
    }
    // Amara, the FY2 doctor rotating from RHQ to R0A, for trying a whole transfer.
    for (org, kind, text) in [
        ("RHQ", ImportKind::EsrStaff, amara::staff_csv()),
        ("RHQ", ImportKind::EsrCompetences, amara::competences_csv()),
        ("RHQ", ImportKind::OccupationalHealth, amara::oh_csv()),
        ("RHQ", ImportKind::DspJson, amara::dsp_json()),
        ("X24", ImportKind::TisPlacements, amara::tis_csv()),
    ] {
        if state.store.org(org).await?.is_none() {
            continue;
        }
        let records = passport_records::parse(kind, &text, org)
            .map_err(|e| ServerError::Internal(format!("demo data {kind:?}: {e}")))?;
        let outcome = state
            .store
            .apply_import(
                org,
                kind.as_str(),
                &passport_store::sha256_hex(text.as_bytes()),
                &records,
                now,
                |_| {},
            )
            .await?;
        seeded.records += outcome.created + outcome.unchanged;
    }
    for org in &state.config.organisations {
        seeded.queued += state.store.review_queue(&org.ods_code).await?.len() as u64;
    }
    Ok(seeded)
}

/// Where to go and how to sign in.
pub fn instructions(state: &AppState, seeded: &Seeded) -> String {
    let mut out = String::new();
    let base = &state.base_url;
    let _ = writeln!(out, "NHS Staff Passport demo (synthetic data only)");
    let _ = writeln!(out, "  database: {}", state.store.backend().as_str());
    let _ = writeln!(
        out,
        "  {} staff, {} current records, {} waiting in review queues for a person to match them",
        seeded.staff, seeded.records, seeded.queued
    );
    let _ = writeln!(out, "\nPortal: {base}/portal/login");
    let _ = writeln!(out, "Password for every demo login: {}", seeded.password);
    let _ = writeln!(out, "Logins (organisation, username, role):");
    for (org, user, role) in &seeded.logins {
        let _ = writeln!(out, "  {org:6} {user:16} {role}");
    }
    let _ = writeln!(out, "\nIssuers: {base}/issuers/<ODS> (metadata at {base}/.well-known/openid-credential-issuer/issuers/<ODS>)");
    let _ = writeln!(out, "Trust list: {base}/trust-list");
    let registry = state.config.data_dir.join("registry.jwk");
    let _ = writeln!(
        out,
        "\nTry a whole transfer (Amara Okafor, FY2 doctor rotating from RHQ to R0A):\n\
         1. sign in as rhq.hr, find 10000101, create an offer; then in another terminal\n\
         \x20  export PASSPORT_WALLET_PASSPHRASE=pick-one-at-least-12\n\
         \x20  passport wallet receive '<offer link>' --tx-code <code>\n\
         2. (optional) sign in as x24.admin, find 9100001, offer her training programme and placement\n\
         3. sign in as r0a.hr, Transfers, New transfer request, role \"Foundation doctor (FY1/FY2), medicine\"; then\n\
         \x20  passport wallet present '<request link>' --registry-jwk {}\n\
         4. the request page turns into the report by itself: record the decision, download the CSV",
        registry.display()
    );
    out
}

/// Kinds of the demo files, in import order (people first, then their records).
pub const KINDS: &[ImportKind] = &[
    ImportKind::EsrStaff,
    ImportKind::EsrCompetences,
    ImportKind::OccupationalHealth,
    ImportKind::TisPlacements,
];
