//! Storage for the passport server: one layer, one set of SQL, over embedded SQLite (WAL, the
//! default) and PostgreSQL (production).
//!
//! Invariants:
//! - The same SQL runs on both databases: `$n` parameters (SQLite reads them as numbered),
//!   TEXT and BIGINT columns only, ids made by the application.
//! - Every call is scoped by organisation (`org`, an ODS code); no query reads across trusts.
//! - An import is one transaction: it all lands or nothing does.
//! - SQLite runs with one connection: writes are serialised without `SQLITE_BUSY`, and the server
//!   never holds a transaction across an await on another query of the pool.
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Row};
use std::sync::Once;

mod access_log;
mod accounts;
mod audit;
mod erasure;
mod governance;
mod governance_events;
mod governance_mail;
mod governance_rotations;
mod imports;
mod issuance;
pub mod outbox;
mod people;
mod registry;
mod reoffer;
mod rotations;
mod rotations_reminders;
mod sessions;
mod status;
mod subject;
mod temporary;
pub mod testing;
mod verification;

pub use access_log::{HolderEntry, HolderRequest};
pub use accounts::{Account, Membership, User, NO_PASSWORD, ROLES};
pub use audit::{AuditEntry, AuditEvent, ChainBreak, ChainCheck, GENESIS_HASH};
pub use erasure::{ErasureOutcome, ERASURE_REVOKE_REASON};
pub use governance::{RetentionOutcome, PURGED_FOR_ERASURE, PURGED_FOR_RETENTION, SECONDS_PER_DAY};
pub use governance_rotations::{KeptLine, SubjectRotationRow};
pub use imports::{ImportOutcome, ReviewItem};
pub use issuance::{
    Grant, IssuedCredential, Offer, OfferState, TokenContext, MAX_TX_CODE_ATTEMPTS,
};
pub use people::{PersonRecord, PersonSummary, PersonView};
pub use registry::{DraftOrg, PublishedList};
pub use reoffer::{Reoffer, ReofferPerson, ReofferPlan};
pub use rotations::{
    Changeover, ChangeoverTarget, CohortMember, ImportedRotation, MailText, PreparedRequest,
    RotationImport,
};
pub use rotations_reminders::ReminderTarget;
pub use sessions::{PendingSession, Session, Stage};
pub use status::{
    StatusAllocation, StoredList, LIST_BITS, LIST_SIZE, STATUS_REVOKED, STATUS_SUSPENDED,
};
pub use subject::{SubjectData, SubjectRequest, SubjectReviewItem};
pub use temporary::{
    retention_hold_sql, EndReason, MovementEvent, MovementState, NewTemporaryMovement,
    TemporaryMovement, MOVEMENT_KINDS,
};
pub use verification::{
    NewTransferRequest, PresentedRow, RequestStatus, ResponseRefusal, StoredProfile,
    TransferRequest, MAX_FAILURES_PER_REQUEST,
};

/// Errors of the storage layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("invalid: {0}")]
    Invalid(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://...")]
    UnsupportedUrl(String),
}

pub type Result<T> = std::result::Result<T, StoreError>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// An organisation served by this node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgRow {
    pub ods_code: String,
    pub name: String,
    pub kind: String,
    pub issuer: String,
}

#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

static DRIVERS: Once = Once::new();

impl Store {
    /// Opens (and creates, for SQLite) the database at `url` and brings its schema up to date.
    pub async fn open(url: &str) -> Result<Store> {
        DRIVERS.call_once(sqlx::any::install_default_drivers);
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(StoreError::UnsupportedUrl(url.into()));
        };
        let pool = match backend {
            Backend::Sqlite => {
                let url = if url.contains('?') {
                    url.to_string()
                } else {
                    format!("{url}?mode=rwc")
                };
                AnyPoolOptions::new()
                    .max_connections(1)
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            use sqlx::Executor;
                            for pragma in [
                                "PRAGMA journal_mode = WAL",
                                "PRAGMA synchronous = NORMAL",
                                "PRAGMA foreign_keys = ON",
                                "PRAGMA busy_timeout = 10000",
                            ] {
                                conn.execute(pragma).await?;
                            }
                            Ok(())
                        })
                    })
                    .connect(&url)
                    .await?
            }
            Backend::Postgres => {
                AnyPoolOptions::new()
                    .max_connections(16)
                    .connect(url)
                    .await?
            }
        };
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Store { pool, backend })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Bytes the database takes: SQLite's pages (the main file, after a WAL checkpoint),
    /// PostgreSQL's `pg_database_size`. For benchmarks and operators' sizing.
    pub async fn database_bytes(&self) -> Result<i64> {
        let sql = match self.backend {
            Backend::Sqlite => {
                sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                    .execute(&self.pool)
                    .await?;
                "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()"
            }
            Backend::Postgres => "SELECT pg_database_size(current_database())",
        };
        Ok(sqlx::query_scalar(sql).fetch_one(&self.pool).await?)
    }

    pub async fn upsert_org(&self, org: &OrgRow, now: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO organisations (ods_code, name, kind, issuer, created_at) \
             VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (ods_code) DO UPDATE SET name = $2, kind = $3, issuer = $4",
        )
        .bind(&org.ods_code)
        .bind(&org.name)
        .bind(&org.kind)
        .bind(&org.issuer)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn orgs(&self) -> Result<Vec<OrgRow>> {
        let rows =
            sqlx::query("SELECT ods_code, name, kind, issuer FROM organisations ORDER BY ods_code")
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(org_row).collect()
    }

    pub async fn org(&self, ods: &str) -> Result<Option<OrgRow>> {
        let row = sqlx::query(
            "SELECT ods_code, name, kind, issuer FROM organisations WHERE ods_code = $1",
        )
        .bind(ods)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(org_row).transpose()
    }
}

fn org_row(r: &AnyRow) -> Result<OrgRow> {
    Ok(OrgRow {
        ods_code: r.try_get("ods_code")?,
        name: r.try_get("name")?,
        kind: r.try_get("kind")?,
        issuer: r.try_get("issuer")?,
    })
}

/// A fresh random identifier: `prefix` then 128 random bits in hex. Ids are unguessable, but
/// access is decided by the caller's organisation and role, never by knowing an id.
pub fn new_id(prefix: &str) -> String {
    let mut bytes = [0u8; 16];
    fill_random(&mut bytes);
    let mut out = String::with_capacity(prefix.len() + 32);
    out.push_str(prefix);
    for b in bytes {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// Random bytes from the operating system. A failing system RNG is not recoverable.
pub fn fill_random(out: &mut [u8]) {
    use ring::rand::SecureRandom;
    if ring::rand::SystemRandom::new().fill(out).is_err() {
        // The OS CSPRNG does not fail on supported systems; refuse to continue without it.
        std::process::abort();
    }
}

/// Hex SHA-256, for codes and tokens kept only as hashes.
pub fn sha256_hex(data: &[u8]) -> String {
    let d = ring::digest::digest(&ring::digest::SHA256, data);
    d.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// Claims in a canonical text (keys sorted at every level), so equal content hashes equal.
pub fn canonical_json(value: &serde_json::Value) -> String {
    fn sort(v: &serde_json::Value) -> serde_json::Value {
        match v {
            serde_json::Value::Object(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                let mut out = serde_json::Map::new();
                for k in keys {
                    if let Some(inner) = m.get(k) {
                        out.insert(k.clone(), sort(inner));
                    }
                }
                serde_json::Value::Object(out)
            }
            serde_json::Value::Array(a) => serde_json::Value::Array(a.iter().map(sort).collect()),
            other => other.clone(),
        }
    }
    sort(value).to_string()
}

#[cfg(test)]
mod access_log_tests;
#[cfg(test)]
mod accounts_tests;
#[cfg(test)]
mod audit_tests;
#[cfg(test)]
mod erasure_tests;
#[cfg(test)]
mod governance_events_tests;
#[cfg(test)]
mod governance_mail_tests;
#[cfg(test)]
mod governance_rotations_tests;
#[cfg(test)]
mod governance_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod verification_tests;
