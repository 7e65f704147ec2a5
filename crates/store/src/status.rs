//! Token Status List entries. Each organisation has numbered lists of `LIST_SIZE` 2-bit
//! entries; only non-VALID entries are stored, so a list of a million credentials costs rows
//! only for those revoked or suspended.
use crate::{fill_random, Result, Store, StoreError};
use sqlx::{AnyConnection, Row};

/// Entries per list: 2^20, so a list covers a large trust's credentials for years and the
/// counter permutation below is a bijection (odd multiplier modulo a power of two).
pub const LIST_SIZE: i64 = 1 << 20;
pub const LIST_BITS: i64 = 2;
pub const STATUS_REVOKED: i64 = 1;
pub const STATUS_SUSPENDED: i64 = 2;

/// Where a new credential's status lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusAllocation {
    pub list_id: i64,
    pub idx: i64,
}

fn random_i64() -> i64 {
    let mut b = [0u8; 8];
    fill_random(&mut b);
    i64::from_le_bytes(b) & (LIST_SIZE - 1)
}

/// Hands out the next index of the organisation's newest list, opening a new list when full.
/// Indices follow `counter * mult + shift mod LIST_SIZE` with a random odd `mult`: every index
/// is used once, in an order that does not reveal issue order.
pub(crate) async fn allocate(conn: &mut AnyConnection, org: &str) -> Result<StatusAllocation> {
    loop {
        let row = sqlx::query(
            "UPDATE status_lists SET next_counter = next_counter + 1 \
             WHERE org = $1 AND list_id = (SELECT MAX(list_id) FROM status_lists WHERE org = $1) \
             AND next_counter < size RETURNING list_id, next_counter - 1 AS counter, mult, shift",
        )
        .bind(org)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(r) = row {
            let counter: i64 = r.try_get("counter")?;
            let mult: i64 = r.try_get("mult")?;
            let shift: i64 = r.try_get("shift")?;
            let idx = (counter.wrapping_mul(mult).wrapping_add(shift)) & (LIST_SIZE - 1);
            return Ok(StatusAllocation {
                list_id: r.try_get("list_id")?,
                idx,
            });
        }
        let next: Option<i64> =
            sqlx::query_scalar("SELECT MAX(list_id) FROM status_lists WHERE org = $1")
                .bind(org)
                .fetch_one(&mut *conn)
                .await?;
        sqlx::query(
            "INSERT INTO status_lists (org, list_id, bits, size, next_counter, mult, shift) \
             VALUES ($1, $2, $3, $4, 0, $5, $6) ON CONFLICT (org, list_id) DO NOTHING",
        )
        .bind(org)
        .bind(next.unwrap_or(0) + 1)
        .bind(LIST_BITS)
        .bind(LIST_SIZE)
        .bind(random_i64() | 1)
        .bind(random_i64())
        .execute(&mut *conn)
        .await?;
    }
}

/// Revokes every live credential issued from `record_id`; returns how many.
pub(crate) async fn revoke_record_credentials(
    conn: &mut AnyConnection,
    org: &str,
    record_id: &str,
    reason: &str,
    now: i64,
) -> Result<u64> {
    let rows = sqlx::query(
        "UPDATE issued_credentials SET revoked_at = $1, revoke_reason = $2 \
         WHERE org = $3 AND record_id = $4 AND revoked_at IS NULL RETURNING list_id, idx",
    )
    .bind(now)
    .bind(reason)
    .bind(org)
    .bind(record_id)
    .fetch_all(&mut *conn)
    .await?;
    for r in &rows {
        set_entry(
            conn,
            org,
            r.try_get("list_id")?,
            r.try_get("idx")?,
            STATUS_REVOKED,
        )
        .await?;
    }
    Ok(rows.len() as u64)
}

pub(crate) async fn set_entry(
    conn: &mut AnyConnection,
    org: &str,
    list_id: i64,
    idx: i64,
    status: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO status_entries (org, list_id, idx, status) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (org, list_id, idx) DO UPDATE SET status = $4",
    )
    .bind(org)
    .bind(list_id)
    .bind(idx)
    .bind(status)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A list's shape and its non-VALID entries, for building the status list token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredList {
    pub bits: u8,
    pub size: u64,
    pub entries: Vec<(u64, u8)>,
}

impl Store {
    /// Revokes one issued credential of `org` (a person's decision in the portal).
    pub async fn revoke_credential(
        &self,
        org: &str,
        credential_id: &str,
        reason: &str,
        now: i64,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(
            "UPDATE issued_credentials SET revoked_at = $1, revoke_reason = $2 \
             WHERE org = $3 AND id = $4 AND revoked_at IS NULL RETURNING list_id, idx",
        )
        .bind(now)
        .bind(reason)
        .bind(org)
        .bind(credential_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("live credential {credential_id}")))?;
        set_entry(
            &mut tx,
            org,
            row.try_get("list_id")?,
            row.try_get("idx")?,
            STATUS_REVOKED,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Revokes, in one transaction, every live credential of `org` issued to `person_id` and
    /// bound to one of `holder_jkts` (the device keys of a lost or replaced phone); returns the
    /// ids revoked. Credentials bound to any other key are left alone.
    pub async fn revoke_bound_to(
        &self,
        org: &str,
        person_id: &str,
        holder_jkts: &[String],
        reason: &str,
        now: i64,
    ) -> Result<Vec<String>> {
        let mut tx = self.pool.begin().await?;
        let mut revoked = Vec::new();
        for jkt in holder_jkts {
            let rows = sqlx::query(
                "UPDATE issued_credentials SET revoked_at = $1, revoke_reason = $2 \
                 WHERE org = $3 AND person_id = $4 AND holder_jkt = $5 AND revoked_at IS NULL \
                 RETURNING id, list_id, idx",
            )
            .bind(now)
            .bind(reason)
            .bind(org)
            .bind(person_id)
            .bind(jkt)
            .fetch_all(&mut *tx)
            .await?;
            for r in &rows {
                set_entry(
                    &mut tx,
                    org,
                    r.try_get("list_id")?,
                    r.try_get("idx")?,
                    STATUS_REVOKED,
                )
                .await?;
                revoked.push(r.try_get("id")?);
            }
        }
        tx.commit().await?;
        Ok(revoked)
    }

    pub async fn status_list(&self, org: &str, list_id: i64) -> Result<Option<StoredList>> {
        let mut conn = self.pool.acquire().await?;
        let shape =
            sqlx::query("SELECT bits, size FROM status_lists WHERE org = $1 AND list_id = $2")
                .bind(org)
                .bind(list_id)
                .fetch_optional(&mut *conn)
                .await?;
        let Some(shape) = shape else { return Ok(None) };
        let rows = sqlx::query(
            "SELECT idx, status FROM status_entries WHERE org = $1 AND list_id = $2 ORDER BY idx",
        )
        .bind(org)
        .bind(list_id)
        .fetch_all(&mut *conn)
        .await?;
        let mut entries = Vec::with_capacity(rows.len());
        for r in &rows {
            let idx: i64 = r.try_get("idx")?;
            let status: i64 = r.try_get("status")?;
            entries.push((
                u64::try_from(idx).map_err(|_| StoreError::Corrupt("negative index".into()))?,
                u8::try_from(status).map_err(|_| StoreError::Corrupt("status".into()))?,
            ));
        }
        let bits: i64 = shape.try_get("bits")?;
        let size: i64 = shape.try_get("size")?;
        Ok(Some(StoredList {
            bits: u8::try_from(bits).map_err(|_| StoreError::Corrupt("bits".into()))?,
            size: u64::try_from(size).map_err(|_| StoreError::Corrupt("size".into()))?,
            entries,
        }))
    }
}
