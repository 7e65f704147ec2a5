//! Applying a validated import: match each record to a person, store what changed, supersede
//! and revoke what it replaces, queue what cannot be matched for certain. One transaction.
use crate::people::{add_identifiers, candidates, create_person};
use crate::status::revoke_record_credentials;
use crate::{canonical_json, new_id, sha256_hex, Result, Store, StoreError};
use passport_records::{Identifier, MatchDecision, PersonDetails, Source, SourceRecord};
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Row};
use std::collections::hash_map::Entry;
use std::collections::HashMap;

/// What an import changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportOutcome {
    pub rows: u64,
    pub created: u64,
    pub unchanged: u64,
    pub superseded: u64,
    pub withdrawn: u64,
    /// Sent to the review queue by this import.
    pub queued: u64,
    /// Already waiting in the review queue with the same content.
    pub still_queued: u64,
    pub new_people: u64,
    /// Credentials revoked because their source record changed or was withdrawn.
    pub revoked: u64,
    /// Fresh offers made to people whose training placement credential was revoked by this
    /// import (only with [`Store::apply_import_reoffering`]; `crate::reoffer`).
    #[serde(default)]
    pub reoffered: u64,
}

/// A record waiting for a person to say who it belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewItem {
    pub id: String,
    pub record: SourceRecord,
    pub reason: String,
    pub candidates: Vec<String>,
    pub created_at: i64,
}

/// A queued record as stored. `SourceRecord::type_name` is a `&'static str` tied to the
/// catalogue, so it is read back as text and looked up again.
#[derive(Deserialize)]
struct Queued {
    line: usize,
    source: Source,
    identifiers: Vec<Identifier>,
    person: Option<PersonDetails>,
    type_name: String,
    key: String,
    claims: serde_json::Value,
    withdrawn: bool,
}

pub(crate) fn read_queued(text: &str) -> Result<SourceRecord> {
    let q: Queued = serde_json::from_str(text).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let type_name = passport_catalogue::Catalogue::nhs()
        .by_name(&q.type_name)
        .map(|t| t.name)
        .ok_or_else(|| {
            StoreError::Corrupt(format!("queued record of unknown type {}", q.type_name))
        })?;
    Ok(SourceRecord {
        line: q.line,
        source: q.source,
        identifiers: q.identifiers,
        person: q.person,
        type_name,
        key: q.key,
        claims: q.claims,
        withdrawn: q.withdrawn,
    })
}

/// How one record landed.
enum Landed {
    Created,
    Unchanged,
    Superseded(u64),
    Withdrawn(u64),
    Nothing,
}

impl Store {
    /// Applies records already validated in full by `passport_records::parse`.
    pub async fn apply_import(
        &self,
        org: &str,
        kind: &str,
        file_sha256: &str,
        records: &[SourceRecord],
        now: i64,
        progress: impl FnMut(u64),
    ) -> Result<ImportOutcome> {
        self.apply_import_reoffering(org, kind, file_sha256, records, now, progress, None)
            .await
    }

    /// [`Store::apply_import`], and with `reoffer` a fresh offer (and its e-mails) in the same
    /// transaction for each person whose `TrainingPlacement` credential it revoked.
    #[allow(clippy::too_many_arguments)] // apply_import's arguments and the re-offer
    pub async fn apply_import_reoffering(
        &self,
        org: &str,
        kind: &str,
        file_sha256: &str,
        records: &[SourceRecord],
        now: i64,
        mut progress: impl FnMut(u64),
        reoffer: Option<&crate::reoffer::Reoffer<'_>>,
    ) -> Result<ImportOutcome> {
        let mut placements_revoked: Vec<String> = Vec::new();
        let mut tx = self.pool.begin().await?;
        let mut out = ImportOutcome {
            rows: records.len() as u64,
            ..ImportOutcome::default()
        };
        // Rows of one person usually repeat the same identifiers and details (19 competences
        // each): once matched in this import, the same pair resolves to the same person, since
        // nothing but this import changed those identifiers in this transaction.
        let mut matched: HashMap<String, String> = HashMap::new();
        for (i, record) in records.iter().enumerate() {
            let hash = sha256_hex(canonical_json(&record.claims).as_bytes());
            let who = serde_json::to_string(&(&record.identifiers, &record.person))
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let decision = match matched.get(&who) {
                Some(id) => MatchDecision::Existing(id.clone()),
                None => {
                    let found = candidates(&mut tx, org, &record.identifiers).await?;
                    passport_records::decide(&record.identifiers, record.person.as_ref(), &found)
                }
            };
            let person_id = match decision {
                MatchDecision::Existing(id) => {
                    if let Entry::Vacant(slot) = matched.entry(who) {
                        add_identifiers(&mut tx, org, &id, &record.identifiers).await?;
                        slot.insert(id.clone());
                    }
                    id
                }
                MatchDecision::New => match &record.person {
                    Some(details) => {
                        let id = create_person(&mut tx, org, details, now).await?;
                        add_identifiers(&mut tx, org, &id, &record.identifiers).await?;
                        out.new_people += 1;
                        matched.insert(who, id.clone());
                        id
                    }
                    None => {
                        let reason = "no person holds these identifiers and the record carries no name to create one".to_string();
                        if queue(&mut tx, org, record, &hash, &reason, &[], now).await? {
                            out.queued += 1;
                        } else {
                            out.still_queued += 1;
                        }
                        continue;
                    }
                },
                MatchDecision::Review { reason, candidates } => {
                    if queue(&mut tx, org, record, &hash, &reason, &candidates, now).await? {
                        out.queued += 1;
                    } else {
                        out.still_queued += 1;
                    }
                    continue;
                }
            };
            let landed = land(&mut tx, org, &person_id, record, &hash, now).await?;
            if let Landed::Superseded(n) | Landed::Withdrawn(n) = landed {
                if n > 0 && record.type_name == "TrainingPlacement" {
                    placements_revoked.push(person_id.clone());
                }
            }
            match landed {
                Landed::Created => out.created += 1,
                Landed::Unchanged => out.unchanged += 1,
                Landed::Superseded(n) => {
                    out.superseded += 1;
                    out.revoked += n;
                }
                Landed::Withdrawn(n) => {
                    out.withdrawn += 1;
                    out.revoked += n;
                }
                Landed::Nothing => out.unchanged += 1,
            }
            if i % 256 == 255 {
                progress(i as u64 + 1);
            }
        }
        if let Some(reoffer) = reoffer {
            out.reoffered =
                crate::reoffer::run(&mut tx, org, &placements_revoked, reoffer, now).await?;
        }
        sqlx::query(
            "INSERT INTO import_runs (id, org, kind, file_sha256, rows_read, created, unchanged, superseded, withdrawn, queued, revoked, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(new_id("imp-"))
        .bind(org)
        .bind(kind)
        .bind(file_sha256)
        .bind(out.rows as i64)
        .bind(out.created as i64)
        .bind(out.unchanged as i64)
        .bind(out.superseded as i64)
        .bind(out.withdrawn as i64)
        .bind(out.queued as i64)
        .bind(out.revoked as i64)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        progress(records.len() as u64);
        Ok(out)
    }

    /// Open review items of `org`, oldest first.
    pub async fn review_queue(&self, org: &str) -> Result<Vec<ReviewItem>> {
        let rows = sqlx::query(
            "SELECT id, record, reason, candidates, created_at FROM review_queue \
             WHERE org = $1 AND state = 'open' ORDER BY created_at, id",
        )
        .bind(org)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let record: String = r.try_get("record")?;
                let candidates: String = r.try_get("candidates")?;
                Ok(ReviewItem {
                    id: r.try_get("id")?,
                    record: read_queued(&record)?,
                    reason: r.try_get("reason")?,
                    candidates: serde_json::from_str(&candidates)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    created_at: r.try_get("created_at")?,
                })
            })
            .collect()
    }

    /// A person resolves a review item: the record belongs to `person_id` (one of `org`'s
    /// people), or to a new person made from the record's own details when `None`.
    pub async fn resolve_review(
        &self,
        org: &str,
        item_id: &str,
        person_id: Option<&str>,
        resolved_by: &str,
        now: i64,
    ) -> Result<String> {
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(
            "SELECT record, content_hash FROM review_queue WHERE id = $1 AND org = $2 AND state = 'open'",
        )
        .bind(item_id)
        .bind(org)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("open review item {item_id}")))?;
        let text: String = row.try_get("record")?;
        let hash: String = row.try_get("content_hash")?;
        let record = read_queued(&text)?;
        let person = match person_id {
            Some(p) => {
                let exists: Option<String> =
                    sqlx::query_scalar("SELECT id FROM persons WHERE id = $1 AND org = $2")
                        .bind(p)
                        .bind(org)
                        .fetch_optional(&mut *tx)
                        .await?;
                exists.ok_or_else(|| StoreError::NotFound(format!("person {p}")))?
            }
            None => {
                let details = record.person.as_ref().ok_or_else(|| {
                    StoreError::Conflict("the record has no name: choose a person".into())
                })?;
                create_person(&mut tx, org, details, now).await?
            }
        };
        // Identifiers that already name somebody else stay with them; the rest are added.
        let mut free = Vec::new();
        for id in &record.identifiers {
            let owner: Option<String> = sqlx::query_scalar(
                "SELECT person_id FROM person_identifiers WHERE org = $1 AND scheme = $2 AND value = $3",
            )
            .bind(org)
            .bind(id.scheme.as_str())
            .bind(&id.value)
            .fetch_optional(&mut *tx)
            .await?;
            if owner.is_none() {
                free.push(id.clone());
            }
        }
        add_identifiers(&mut tx, org, &person, &free).await?;
        land(&mut tx, org, &person, &record, &hash, now).await?;
        sqlx::query(
            "UPDATE review_queue SET state = 'resolved', resolved_by = $1, resolved_at = $2 WHERE id = $3",
        )
        .bind(resolved_by)
        .bind(now)
        .bind(item_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(person)
    }
}

/// Queues a record for review unless the same content is already waiting; true if queued.
async fn queue(
    conn: &mut AnyConnection,
    org: &str,
    record: &SourceRecord,
    hash: &str,
    reason: &str,
    candidates: &[String],
    now: i64,
) -> Result<bool> {
    let waiting: Option<String> = sqlx::query_scalar(
        "SELECT id FROM review_queue WHERE org = $1 AND record_key = $2 AND content_hash = $3 AND state = 'open'",
    )
    .bind(org)
    .bind(&record.key)
    .bind(hash)
    .fetch_optional(&mut *conn)
    .await?;
    if waiting.is_some() {
        return Ok(false);
    }
    let text = serde_json::to_string(record).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let cands =
        serde_json::to_string(candidates).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    sqlx::query(
        "INSERT INTO review_queue (id, org, record_key, content_hash, record, reason, candidates, state, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8)",
    )
    .bind(new_id("rv-"))
    .bind(org)
    .bind(&record.key)
    .bind(hash)
    .bind(text)
    .bind(reason)
    .bind(cands)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(true)
}

/// Stores one matched record: unchanged content is a no-op; changed content supersedes the
/// current record and revokes what was issued from it; a withdrawn record ends it.
async fn land(
    conn: &mut AnyConnection,
    org: &str,
    person_id: &str,
    record: &SourceRecord,
    hash: &str,
    now: i64,
) -> Result<Landed> {
    let current = sqlx::query(
        "SELECT id, content_hash FROM records WHERE org = $1 AND record_key = $2 AND state = 'current'",
    )
    .bind(org)
    .bind(&record.key)
    .fetch_optional(&mut *conn)
    .await?;
    let current: Option<(String, String)> = match current {
        Some(r) => Some((r.try_get("id")?, r.try_get("content_hash")?)),
        None => None,
    };
    if record.withdrawn {
        let Some((id, _)) = current else {
            return Ok(Landed::Nothing);
        };
        end_record(conn, &id, "withdrawn", now).await?;
        let n = revoke_record_credentials(conn, org, &id, "source record withdrawn", now).await?;
        return Ok(Landed::Withdrawn(n));
    }
    let mut revoked = None;
    if let Some((id, old_hash)) = current {
        if old_hash == hash {
            return Ok(Landed::Unchanged);
        }
        end_record(conn, &id, "superseded", now).await?;
        revoked =
            Some(revoke_record_credentials(conn, org, &id, "source record changed", now).await?);
    }
    sqlx::query(
        "INSERT INTO records (id, org, person_id, source, record_key, type_name, claims, content_hash, state, imported_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'current', $9)",
    )
    .bind(new_id("r-"))
    .bind(org)
    .bind(person_id)
    .bind(record.source.as_str())
    .bind(&record.key)
    .bind(record.type_name)
    .bind(record.claims.to_string())
    .bind(hash)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(match revoked {
        Some(n) => Landed::Superseded(n),
        None => Landed::Created,
    })
}

async fn end_record(conn: &mut AnyConnection, id: &str, state: &str, now: i64) -> Result<()> {
    sqlx::query("UPDATE records SET state = $1, ended_at = $2 WHERE id = $3")
        .bind(state)
        .bind(now)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
