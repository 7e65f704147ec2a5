//! A rotation list, checked and imported: the portal's upload and `passport rotation import`.
//! The file is checked in full (`passport_records::parse_rotation`) against the trust's role
//! profiles and the doctors already in the changeover; any problem and nothing is written,
//! every problem reported with its line. Then one transfer request per doctor is signed
//! (`rotations_requests.rs`) and the list, the requests and the invitations are stored in one
//! transaction.
use super::rotations_mail::{invitation, Invitee};
use super::rotations_requests::prepare;
use super::transfers::audience_of;
use crate::verifier::request::invocation_url;
use crate::{ServerError, Shared};
use passport_compliance::RoleProfile;
use passport_records::{parse_rotation, RecordsError, RotationEntry, RowError};
use passport_store::{ChangeoverTarget, ImportedRotation, RotationImport, StoreError};
use std::collections::HashMap;

/// Who imports a list, and into which changeover (an existing one must be the organisation's:
/// the store refuses any other).
pub struct ListImport<'a> {
    pub org: &'a str,
    /// In the invitations.
    pub org_name: &'a str,
    pub created_by: &'a str,
    /// The role the importer acts in: it decides the team the requests ask for (OH asks as
    /// the OH team, everyone else as HR).
    pub role: &'a str,
    pub target: ChangeoverTarget<'a>,
}

/// Why a list was not imported (nothing was written).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Its problems, each with its line.
    Rows(Vec<RowError>),
    /// The file as a whole.
    File(String),
}

/// What an import made, and where its time went.
#[derive(Debug, Clone)]
pub struct Imported {
    pub rotation: ImportedRotation,
    /// Making and signing the requests (on the blocking pool, no transaction open).
    pub signing: std::time::Duration,
    /// The one transaction: rows, requests and invitations.
    pub storing: std::time::Duration,
}

/// Checks `text` in full and imports it: the portal's upload and `passport rotation import`.
pub async fn import_list(
    state: &Shared,
    how: &ListImport<'_>,
    text: &str,
    now: i64,
) -> Result<Result<Imported, Refusal>, ServerError> {
    let stored = state.store.profiles(how.org).await?;
    let ids: Vec<&str> = stored.iter().map(|p| p.id.as_str()).collect();
    let entries = match parse_rotation(text, &ids) {
        Ok(entries) => entries,
        Err(RecordsError::Rows(rows)) => return Ok(Err(Refusal::Rows(rows))),
        Err(e) => return Ok(Err(Refusal::File(format!("The file cannot be read: {e}")))),
    };
    if let ChangeoverTarget::Existing(id) = how.target {
        let existing = state.store.changeover_gmc_numbers(how.org, id).await?;
        let clashes: Vec<RowError> = entries
            .iter()
            .filter(|e| existing.contains(&e.gmc_number))
            .map(|e| RowError {
                line: e.line,
                reason: format!(
                    "column gmc_number: {} is already in this changeover",
                    e.gmc_number
                ),
            })
            .collect();
        if !clashes.is_empty() {
            return Ok(Err(Refusal::Rows(clashes)));
        }
    }
    let mut profiles: HashMap<String, RoleProfile> = HashMap::new();
    for p in &stored {
        if entries.iter().any(|e| e.role_profile == p.id) {
            let profile = RoleProfile::from_json(&p.body)
                .map_err(|e| ServerError::Internal(format!("stored profile {}: {e}", p.id)))?;
            profiles.insert(p.id.clone(), profile);
        }
    }
    let started = std::time::Instant::now();
    let audience = audience_of(how.role);
    let prepared = prepare(state, how.org, audience, &profiles, &entries, now).await?;
    let signing = started.elapsed();
    // Just signed under the organisation's current certificate: its client_id is the link's.
    let client_id = &state.verifier(how.org)?.client_id;
    let mut links: HashMap<&str, String> = HashMap::with_capacity(entries.len());
    for r in &prepared.requests {
        links.insert(&r.id, invocation_url(state, how.org, &r.id, client_id));
    }
    let invite = |e: &RotationEntry, r: &passport_store::PreparedRequest| {
        let link = links.get(r.id.as_str()).map_or("", String::as_str);
        invitation(how.org_name, &invitee(e), link, r.expires_at)
    };
    let import = RotationImport {
        org: how.org,
        created_by: how.created_by,
        target: how.target,
        profiles: &prepared.profiles,
        audience: prepared.audience,
        entries: &entries,
        requests: &prepared.requests,
    };
    let stored = std::time::Instant::now();
    let done = match state.store.import_rotation(&import, now, invite).await {
        Ok(done) => done,
        // Another list for the same changeover landed in between.
        Err(StoreError::Conflict(why)) => return Ok(Err(Refusal::File(why))),
        Err(e) => return Err(e.into()),
    };
    let storing = stored.elapsed();
    tracing::info!(
        org = %how.org, changeover = %done.changeover_id, doctors = done.doctors,
        signing_ms = signing.as_millis(), storing_ms = storing.as_millis(), "rotation list imported"
    );
    Ok(Ok(Imported {
        rotation: done,
        signing,
        storing,
    }))
}

/// The person and post an invitation names.
pub fn invitee(e: &RotationEntry) -> Invitee<'_> {
    let site = match &e.site_name {
        Some(name) => format!("{} {name}", e.site_code),
        None => e.site_code.clone(),
    };
    Invitee {
        surname: &e.surname,
        start_date: &e.start_date,
        post: Some(format!("{} in {} at {site}", e.grade, e.specialty)),
    }
}
