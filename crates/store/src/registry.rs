//! The national trust list registry, on the node that holds the registry signing key: the
//! draft of the next version (one row per organisation) and every version published.
//!
//! Invariants:
//! - Not scoped by organisation: the list is national, and only registry administrators reach
//!   these calls (the portal's policy decides). Nothing here reads or writes personal data.
//! - The draft's ODS codes and issuers are unique (primary key, unique index): a second
//!   organisation with either is a [`StoreError::Conflict`] and changes nothing.
//! - Published versions only go up and are never changed: a version not above the latest, or
//!   one published twice (two administrators at once), is a conflict.
//! - The store checks shapes, not meaning: the server validates ODS codes, keys and credential
//!   types before a row is written, and signs only what validates as a whole.
use crate::{Result, Store, StoreError};
use sqlx::any::AnyRow;
use sqlx::Row;

/// One organisation of the draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftOrg {
    pub ods_code: String,
    pub name: String,
    /// `trust`, `nhs-england`, `oh-provider` or `registry`.
    pub kind: String,
    pub issuer: String,
    /// The JWK Set as JSON text.
    pub jwks: String,
    /// The `vct` values it may issue.
    pub may_issue: Vec<String>,
    pub may_verify: bool,
    pub updated_at: i64,
    /// Username of whoever last saved it (`system` for what the node added itself).
    pub updated_by: String,
}

/// One published version of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedList {
    pub version: i64,
    /// The list as signed (`nhs-trust-list+jwt`).
    pub jwt: String,
    pub issued_at: i64,
    pub expires_at: i64,
    /// How many organisations it lists.
    pub organisations: i64,
    pub published_at: i64,
    pub published_by: String,
}

const DRAFT_COLUMNS: &str =
    "ods_code, name, kind, issuer, jwks, may_issue, may_verify, updated_at, updated_by";
const VERSION_COLUMNS: &str =
    "version, jwt, issued_at, expires_at, organisations, published_at, published_by";

impl Store {
    /// The draft, by ODS code.
    pub async fn registry_draft(&self) -> Result<Vec<DraftOrg>> {
        let sql = format!("SELECT {DRAFT_COLUMNS} FROM registry_draft ORDER BY ods_code");
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
        rows.iter().map(draft_row).collect()
    }

    /// One organisation of the draft.
    pub async fn registry_draft_org(&self, ods: &str) -> Result<Option<DraftOrg>> {
        let sql = format!("SELECT {DRAFT_COLUMNS} FROM registry_draft WHERE ods_code = $1");
        let row = sqlx::query(&sql)
            .bind(ods)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(draft_row).transpose()
    }

    /// Adds an organisation to the draft; its ODS code or issuer already there is a conflict.
    pub async fn add_draft_org(&self, org: &DraftOrg) -> Result<()> {
        check_draft(org)?;
        let may_issue = serde_json::to_string(&org.may_issue)
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        let done = sqlx::query(
            "INSERT INTO registry_draft (ods_code, name, kind, issuer, jwks, may_issue, \
             may_verify, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT DO NOTHING",
        )
        .bind(&org.ods_code)
        .bind(&org.name)
        .bind(&org.kind)
        .bind(&org.issuer)
        .bind(&org.jwks)
        .bind(may_issue)
        .bind(i64::from(org.may_verify))
        .bind(org.updated_at)
        .bind(&org.updated_by)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 1 {
            return Ok(());
        }
        Err(StoreError::Conflict(
            if self.registry_draft_org(&org.ods_code).await?.is_some() {
                format!("{} is already on the draft", org.ods_code)
            } else {
                format!("another organisation has the issuer {}", org.issuer)
            },
        ))
    }

    /// Replaces an organisation of the draft (found by its ODS code, which does not change).
    /// An issuer another organisation has is a conflict; an unknown ODS code is not found.
    pub async fn update_draft_org(&self, org: &DraftOrg) -> Result<()> {
        check_draft(org)?;
        let may_issue = serde_json::to_string(&org.may_issue)
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        let done = sqlx::query(
            "UPDATE registry_draft SET name = $2, kind = $3, issuer = $4, jwks = $5, \
             may_issue = $6, may_verify = $7, updated_at = $8, updated_by = $9 \
             WHERE ods_code = $1 AND NOT EXISTS \
             (SELECT 1 FROM registry_draft o WHERE o.issuer = $4 AND o.ods_code <> $1)",
        )
        .bind(&org.ods_code)
        .bind(&org.name)
        .bind(&org.kind)
        .bind(&org.issuer)
        .bind(&org.jwks)
        .bind(may_issue)
        .bind(i64::from(org.may_verify))
        .bind(org.updated_at)
        .bind(&org.updated_by)
        .execute(&self.pool)
        .await
        .map_err(|e| unique_violation(e, &org.issuer))?;
        if done.rows_affected() == 1 {
            return Ok(());
        }
        match self.registry_draft_org(&org.ods_code).await? {
            None => Err(StoreError::NotFound(format!(
                "{} is not on the draft",
                org.ods_code
            ))),
            Some(_) => Err(StoreError::Conflict(format!(
                "another organisation has the issuer {}",
                org.issuer
            ))),
        }
    }

    /// Records a published version. It must be above every version before it.
    pub async fn publish_trust_list(&self, list: &PublishedList) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let latest: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM registry_versions")
            .fetch_one(&mut *tx)
            .await?;
        if let Some(latest) = latest.filter(|l| list.version <= *l) {
            return Err(StoreError::Conflict(format!(
                "version {} is not after the latest published version {latest}",
                list.version
            )));
        }
        let done = sqlx::query(
            "INSERT INTO registry_versions (version, jwt, issued_at, expires_at, organisations, \
             published_at, published_by) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT DO NOTHING",
        )
        .bind(list.version)
        .bind(&list.jwt)
        .bind(list.issued_at)
        .bind(list.expires_at)
        .bind(list.organisations)
        .bind(list.published_at)
        .bind(&list.published_by)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict(format!(
                "version {} was published at the same time by someone else",
                list.version
            )));
        }
        tx.commit().await?;
        Ok(())
    }

    /// The latest published version, if any.
    pub async fn latest_trust_list(&self) -> Result<Option<PublishedList>> {
        Ok(self.trust_list_versions(1).await?.into_iter().next())
    }

    /// The last `limit` published versions, latest first.
    pub async fn trust_list_versions(&self, limit: i64) -> Result<Vec<PublishedList>> {
        let sql = format!(
            "SELECT {VERSION_COLUMNS} FROM registry_versions ORDER BY version DESC LIMIT $1"
        );
        let rows = sqlx::query(&sql).bind(limit).fetch_all(&self.pool).await?;
        rows.iter().map(version_row).collect()
    }
}

/// The shapes the store itself insists on (meaning is the server's to check).
fn check_draft(org: &DraftOrg) -> Result<()> {
    if org.ods_code.is_empty() || org.name.is_empty() || org.issuer.is_empty() {
        return Err(StoreError::Invalid(
            "a draft organisation needs an ODS code, a name and an issuer".into(),
        ));
    }
    serde_json::from_str::<serde_json::Value>(&org.jwks)
        .map_err(|e| StoreError::Invalid(format!("JWK Set of {}: {e}", org.ods_code)))?;
    Ok(())
}

/// A race the conditional statement could not see (PostgreSQL, two saves at once) still ends
/// as a conflict, not as a database failure.
fn unique_violation(e: sqlx::Error, issuer: &str) -> StoreError {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            StoreError::Conflict(format!("another organisation has the issuer {issuer}"))
        }
        _ => e.into(),
    }
}

fn draft_row(r: &AnyRow) -> Result<DraftOrg> {
    let ods_code: String = r.try_get("ods_code")?;
    let may_issue: String = r.try_get("may_issue")?;
    let may_issue = serde_json::from_str(&may_issue)
        .map_err(|e| StoreError::Corrupt(format!("may_issue of {ods_code}: {e}")))?;
    Ok(DraftOrg {
        name: r.try_get("name")?,
        kind: r.try_get("kind")?,
        issuer: r.try_get("issuer")?,
        jwks: r.try_get("jwks")?,
        may_issue,
        may_verify: r.try_get::<i64, _>("may_verify")? != 0,
        updated_at: r.try_get("updated_at")?,
        updated_by: r.try_get("updated_by")?,
        ods_code,
    })
}

fn version_row(r: &AnyRow) -> Result<PublishedList> {
    Ok(PublishedList {
        version: r.try_get("version")?,
        jwt: r.try_get("jwt")?,
        issued_at: r.try_get("issued_at")?,
        expires_at: r.try_get("expires_at")?,
        organisations: r.try_get("organisations")?,
        published_at: r.try_get("published_at")?,
        published_by: r.try_get("published_by")?,
    })
}

#[cfg(test)]
#[path = "registry_tests.rs"]
mod tests;
