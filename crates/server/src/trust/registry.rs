//! The registry node's side: the draft in the database, publishing it as a new signed version,
//! and re-signing the list in force before it grows old.
//!
//! A registry node is also a node like any other: it serves organisations of its own, so a
//! version that would drop one of them (or its key) is refused before it is signed, just as a
//! consumer refuses to take one. At its first start the node's own organisations are added to
//! the draft and published as version 1; organisations it is later configured with are added to
//! the draft at startup (and published then, since the list in force does not name them).
use super::{own_organisations_listed, Published, LIST_LIFETIME_SECS};
use crate::config::Config;
use crate::state::Issuer;
use crate::{orgs, AppState, ServerError};
use passport_jose::{Es256Signer, Jwks, Signer};
use passport_store::{DraftOrg, PublishedList, Store, StoreError};
use passport_trust_list::{Organisation, TrustList};
use std::collections::HashMap;

/// Who the node records as publisher of what it signs by itself.
pub const SYSTEM: &str = "system";

/// The list to serve at startup: the latest published version if it verifies and names this
/// node's organisations (re-signed if half its life has passed); otherwise the draft, published.
pub(super) async fn start(
    store: &Store,
    signer: &Es256Signer,
    config: &Config,
    issuers: &HashMap<String, Issuer>,
    now: i64,
) -> Result<Published, ServerError> {
    add_own_to_draft(store, config, issuers, now).await?;
    let key = signer
        .public_jwk()
        .verifying_key()
        .map_err(|e| ServerError::Startup(format!("registry key: {e}")))?;
    if let Some(latest) = store.latest_trust_list().await? {
        match TrustList::verify(&latest.jwt, &key, now) {
            Ok(list) => match own_organisations_listed(&list, issuers.values()) {
                Ok(()) => {
                    let due = list.due_for_reissue(now);
                    let published = Published::new(list, &latest.jwt);
                    if !due {
                        return Ok(published);
                    }
                    return reissue(store, signer, issuers, &published, now)
                        .await
                        .map_err(startup);
                }
                Err(why) => tracing::warn!(
                    "trust list version {}: {why}; publishing the draft",
                    latest.version
                ),
            },
            Err(e) => tracing::warn!(
                "trust list version {} cannot be served ({e}); publishing the draft",
                latest.version
            ),
        }
    }
    publish_draft(store, signer, issuers, SYSTEM, now)
        .await
        .map_err(startup)
}

fn startup(e: ServerError) -> ServerError {
    match e {
        ServerError::Startup(_) => e,
        other => ServerError::Startup(format!("trust list: {other}")),
    }
}

/// Signs the draft as the next version, records it and puts it in force on this node.
pub async fn publish_now(state: &AppState, by: &str, now: i64) -> Result<Published, ServerError> {
    let signer = state.trust.registry_signer().ok_or_else(not_registry)?;
    let published = publish_draft(&state.store, signer, &state.issuers, by, now).await?;
    state.trust.install(published.clone());
    Ok(published)
}

/// The error of a registry page on a node without the registry key.
pub fn not_registry() -> ServerError {
    ServerError::NotFound("this server does not hold the registry key".into())
}

async fn publish_draft(
    store: &Store,
    signer: &Es256Signer,
    issuers: &HashMap<String, Issuer>,
    by: &str,
    now: i64,
) -> Result<Published, ServerError> {
    let organisations = draft_organisations(store).await?;
    publish(store, signer, issuers, organisations, by, now).await
}

/// The same organisations as `current`, signed again as the next version with a new expiry.
pub(super) async fn reissue(
    store: &Store,
    signer: &Es256Signer,
    issuers: &HashMap<String, Issuer>,
    current: &Published,
    now: i64,
) -> Result<Published, ServerError> {
    let organisations = current.list.organisations.clone();
    publish(store, signer, issuers, organisations, SYSTEM, now).await
}

async fn publish(
    store: &Store,
    signer: &Es256Signer,
    issuers: &HashMap<String, Issuer>,
    organisations: Vec<Organisation>,
    by: &str,
    now: i64,
) -> Result<Published, ServerError> {
    let previous = match store.latest_trust_list().await? {
        Some(p) => u64::try_from(p.version)
            .map_err(|_| ServerError::Internal(format!("stored version {}", p.version)))?,
        None => 0,
    };
    let list = TrustList::successor(previous, organisations, now, LIST_LIFETIME_SECS)
        .map_err(|e| ServerError::BadRequest(format!("the draft cannot be published: {e}")))?;
    own_organisations_listed(&list, issuers.values()).map_err(|why| {
        ServerError::BadRequest(format!(
            "the draft cannot be published: {why}, and this server would shut itself out"
        ))
    })?;
    let jwt = list
        .sign(signer)
        .map_err(|e| ServerError::Internal(format!("signing the trust list: {e}")))?;
    let version = i64::try_from(list.sequence)
        .map_err(|_| ServerError::Internal(format!("version {}", list.sequence)))?;
    store
        .publish_trust_list(&PublishedList {
            version,
            jwt: jwt.clone(),
            issued_at: list.iat,
            expires_at: list.exp,
            organisations: i64::try_from(list.organisations.len()).unwrap_or(i64::MAX),
            published_at: now,
            published_by: by.to_string(),
        })
        .await?;
    tracing::info!("trust list version {version} published by {by}");
    Ok(Published::new(list, &jwt))
}

/// The draft as trust list entries, by ODS code.
pub async fn draft_organisations(store: &Store) -> Result<Vec<Organisation>, ServerError> {
    store.registry_draft().await?.iter().map(to_entry).collect()
}

/// A stored draft row as a list entry.
pub fn to_entry(d: &DraftOrg) -> Result<Organisation, ServerError> {
    let corrupt = |why: String| ServerError::Store(StoreError::Corrupt(why));
    let kind = orgs::parse_kind(&d.kind)
        .ok_or_else(|| corrupt(format!("kind {:?} of {}", d.kind, d.ods_code)))?;
    let jwks: Jwks = serde_json::from_str(&d.jwks)
        .map_err(|e| corrupt(format!("JWK Set of {}: {e}", d.ods_code)))?;
    Ok(Organisation {
        ods_code: d.ods_code.clone(),
        name: d.name.clone(),
        kind,
        issuer: d.issuer.clone(),
        jwks,
        may_issue: d.may_issue.clone(),
        may_verify: d.may_verify,
    })
}

/// A list entry as a draft row saved by `by` at `now`.
pub fn to_draft(o: &Organisation, by: &str, now: i64) -> Result<DraftOrg, ServerError> {
    Ok(DraftOrg {
        ods_code: o.ods_code.clone(),
        name: o.name.clone(),
        kind: orgs::kind_str(o.kind).to_string(),
        issuer: o.issuer.clone(),
        jwks: serde_json::to_string(&o.jwks)
            .map_err(|e| ServerError::Internal(format!("JWK Set: {e}")))?,
        may_issue: o.may_issue.clone(),
        may_verify: o.may_verify,
        updated_at: now,
        updated_by: by.to_string(),
    })
}

/// Adds each organisation this node serves that the draft does not have yet, with its issuer
/// and key. An entry already there is left as the administrators made it.
async fn add_own_to_draft(
    store: &Store,
    config: &Config,
    issuers: &HashMap<String, Issuer>,
    now: i64,
) -> Result<(), ServerError> {
    let draft = store.registry_draft().await?;
    let base = config.public_url();
    for org in &config.organisations {
        if draft.iter().any(|d| d.ods_code == org.ods_code) {
            continue;
        }
        let Some(issuer) = issuers.get(&org.ods_code) else {
            continue;
        };
        let entry = orgs::entry(&base, org, issuer.kind, &issuer.signer);
        store
            .add_draft_org(&to_draft(&entry, SYSTEM, now)?)
            .await
            .map_err(|e| {
                ServerError::Startup(format!(
                    "adding {} to the trust list draft: {e}",
                    org.ods_code
                ))
            })?;
    }
    Ok(())
}
