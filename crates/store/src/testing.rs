//! Fresh databases for tests: a temporary SQLite file and a new PostgreSQL database, so every
//! storage and server test runs on both. PostgreSQL comes from `PASSPORT_TEST_POSTGRES`
//! (default `postgres://postgres@127.0.0.1:5432/postgres`); `scripts/test.sh` checks it is up.
use crate::{new_id, Backend, Result, Store, StoreError};
use sqlx::Connection;

pub const DEFAULT_TEST_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// A database made for one test. SQLite's folder lives as long as this value.
pub struct TestDb {
    pub backend: Backend,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    pub async fn open(&self) -> Result<Store> {
        Store::open(&self.url).await
    }

    /// Deletes the database now: a PostgreSQL one is dropped (its connections closed first,
    /// `WITH (FORCE)`), SQLite's folder removed. For benchmarks, whose databases run to
    /// gigabytes; tests leave theirs to `scripts/test.sh`.
    pub async fn remove(self) -> Result<()> {
        if self.backend == Backend::Postgres {
            let admin_url = std::env::var("PASSPORT_TEST_POSTGRES")
                .unwrap_or_else(|_| DEFAULT_TEST_POSTGRES.into());
            let name = self.url.rsplit('/').next().unwrap_or_default();
            if !name.starts_with("passport_t_") {
                return Err(StoreError::Invalid(format!(
                    "{name} is not a test database"
                )));
            }
            let mut admin = sqlx::PgConnection::connect(&admin_url).await?;
            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut admin)
                .await?;
        }
        Ok(())
    }
}

/// A temporary SQLite database file.
pub fn sqlite() -> Result<TestDb> {
    let dir = tempfile::tempdir().map_err(|e| StoreError::NotFound(e.to_string()))?;
    let url = format!("sqlite://{}", dir.path().join("passport.db").display());
    Ok(TestDb {
        backend: Backend::Sqlite,
        url,
        _dir: Some(dir),
    })
}

/// A new, empty PostgreSQL database (named `passport_t_...`; `scripts/test.sh` drops old ones).
pub async fn postgres() -> Result<TestDb> {
    let admin_url =
        std::env::var("PASSPORT_TEST_POSTGRES").unwrap_or_else(|_| DEFAULT_TEST_POSTGRES.into());
    let mut admin = sqlx::PgConnection::connect(&admin_url).await.map_err(|e| {
        StoreError::NotFound(format!(
            "PostgreSQL for tests at {admin_url}: {e}. Start one (Debian: apt-get install postgresql; \
             pg_ctlcluster 15 main start) or set PASSPORT_TEST_POSTGRES"
        ))
    })?;
    let name = new_id("passport_t_");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await?;
    let base = admin_url
        .rsplit_once('/')
        .map_or(admin_url.as_str(), |(b, _)| b);
    Ok(TestDb {
        backend: Backend::Postgres,
        url: format!("{base}/{name}"),
        _dir: None,
    })
}

/// Both kinds, SQLite first.
pub async fn both() -> Result<Vec<TestDb>> {
    Ok(vec![sqlite()?, postgres().await?])
}
