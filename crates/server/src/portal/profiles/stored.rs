//! Where the portal's role profiles come from and go to: the organisation's stored profiles,
//! or the shipped defaults while it has stored none. Every read and write is scoped by the
//! signed-in user's organisation, so another trust's id is "not found". An organisation's first
//! save stores all the defaults before the changed profile, so no profile disappears from the
//! list; stored text that is not a valid profile is logged and shown as unreadable, never
//! dropped.
use crate::{now, ServerError, Shared};
use passport_compliance::{default_profiles, RoleProfile};
use passport_store::{Session, StoredProfile};

/// `updated_by` of the profiles the store seeds from the shipped defaults.
pub(super) const SEEDED_BY: &str = "defaults";

/// A profile as the pages show it.
pub(super) struct Shown {
    pub(super) id: String,
    pub(super) name: String,
    /// `None` when the stored text cannot be read as a profile (it can be saved again).
    pub(super) profile: Option<RoleProfile>,
    /// Who last saved it and when; `None` for a shipped default not stored yet.
    pub(super) updated: Option<(String, i64)>,
}

fn from_stored(stored: StoredProfile) -> Shown {
    let profile = match RoleProfile::from_json(&stored.body) {
        Ok(p) => Some(p),
        Err(e) => {
            tracing::error!(profile = %stored.id, "stored role profile cannot be read: {e}");
            None
        }
    };
    Shown {
        id: stored.id,
        name: stored.name,
        profile,
        updated: Some((stored.updated_by, stored.updated_at)),
    }
}

fn defaults() -> Result<Vec<RoleProfile>, ServerError> {
    let mut all =
        default_profiles().map_err(|e| ServerError::Internal(format!("default profiles: {e}")))?;
    all.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(all)
}

fn from_default(profile: RoleProfile) -> Shown {
    Shown {
        id: profile.id.clone(),
        name: profile.name.clone(),
        profile: Some(profile),
        updated: None,
    }
}

/// The organisation's profiles, or the shipped defaults while it has none stored.
pub(super) async fn org_profiles(state: &Shared, org: &str) -> Result<Vec<Shown>, ServerError> {
    let stored = state.store.profiles(org).await?;
    if stored.is_empty() {
        return Ok(defaults()?.into_iter().map(from_default).collect());
    }
    Ok(stored.into_iter().map(from_stored).collect())
}

/// One profile of the organisation (or a shipped default while it has none stored).
pub(super) async fn org_profile(state: &Shared, org: &str, id: &str) -> Result<Shown, ServerError> {
    if let Some(stored) = state.store.profile(org, id).await? {
        return Ok(from_stored(stored));
    }
    if state.store.profiles(org).await?.is_empty() {
        if let Some(p) = defaults()?.into_iter().find(|p| p.id == id) {
            return Ok(from_default(p));
        }
    }
    Err(ServerError::NotFound("role profile".into()))
}

/// Stores `profile` for the viewer's organisation (the shipped defaults first if it has none).
pub(super) async fn save(
    state: &Shared,
    s: &Session,
    profile: &RoleProfile,
) -> Result<(), ServerError> {
    let org = &s.user.org;
    let json = |p: &RoleProfile| {
        serde_json::to_string(p)
            .map_err(|e| ServerError::Internal(format!("role profile {}: {e}", p.id)))
    };
    let at = now();
    if state.store.profiles(org).await?.is_empty() {
        let seed = defaults()?
            .into_iter()
            .map(|p| Ok((p.id.clone(), p.name.clone(), json(&p)?)))
            .collect::<Result<Vec<_>, ServerError>>()?;
        state.store.seed_profiles(org, &seed, at).await?;
    }
    state
        .store
        .save_profile(
            org,
            &profile.id,
            &profile.name,
            &json(profile)?,
            &s.user.username,
            at,
        )
        .await?;
    tracing::info!(user = %s.user.id, org = %org, profile = %profile.id, "portal role profile saved");
    Ok(())
}
