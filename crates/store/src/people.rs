//! People and their identifiers: the single view of one organisation's systems.
use crate::{new_id, Result, Store, StoreError};
use passport_records::{Candidate, IdScheme, Identifier, PersonDetails};
use sqlx::{AnyConnection, Row};

/// A line of a staff search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonSummary {
    pub id: String,
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: Option<String>,
    pub email: Option<String>,
}

/// One current (or past) record of a person, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonRecord {
    pub id: String,
    pub source: String,
    pub record_key: String,
    pub type_name: String,
    pub claims: serde_json::Value,
    pub state: String,
    pub imported_at: i64,
}

/// A person with identifiers and current records.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonView {
    pub person: PersonSummary,
    pub identifiers: Vec<Identifier>,
    pub records: Vec<PersonRecord>,
}

/// Lower-case letters and digits only: "O'Brien-Smith" and "obrien smith" search alike.
pub(crate) fn search_key(given: &str, family: &str) -> String {
    let mut out = String::new();
    for c in family.chars().chain([' ']).chain(given.chars()) {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if c == ' ' && !out.ends_with(' ') {
            out.push(' ');
        }
    }
    out
}

pub(crate) fn parse_identifier(scheme: &str, value: String) -> Result<Identifier> {
    let scheme = IdScheme::parse(scheme)
        .map_err(|_| StoreError::Corrupt(format!("identifier scheme {scheme:?}")))?;
    Ok(Identifier { scheme, value })
}

pub(crate) async fn identifiers_of(
    conn: &mut AnyConnection,
    person_id: &str,
) -> Result<Vec<Identifier>> {
    let rows = sqlx::query(
        "SELECT scheme, value FROM person_identifiers WHERE person_id = $1 ORDER BY scheme, value",
    )
    .bind(person_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| parse_identifier(&r.try_get::<String, _>("scheme")?, r.try_get("value")?))
        .collect()
}

/// Everybody in `org` known by any of `ids`, with all their identifiers.
pub(crate) async fn candidates(
    conn: &mut AnyConnection,
    org: &str,
    ids: &[Identifier],
) -> Result<Vec<Candidate>> {
    let mut person_ids: Vec<String> = Vec::new();
    for id in ids {
        let found: Option<String> = sqlx::query_scalar(
            "SELECT person_id FROM person_identifiers WHERE org = $1 AND scheme = $2 AND value = $3",
        )
        .bind(org)
        .bind(id.scheme.as_str())
        .bind(&id.value)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(p) = found {
            if !person_ids.contains(&p) {
                person_ids.push(p);
            }
        }
    }
    let mut out = Vec::with_capacity(person_ids.len());
    for pid in person_ids {
        let row = sqlx::query(
            "SELECT given_name, family_name, date_of_birth FROM persons WHERE id = $1 AND org = $2",
        )
        .bind(&pid)
        .bind(org)
        .fetch_one(&mut *conn)
        .await?;
        out.push(Candidate {
            given_name: row.try_get("given_name")?,
            family_name: row.try_get("family_name")?,
            date_of_birth: row.try_get("date_of_birth")?,
            identifiers: identifiers_of(conn, &pid).await?,
            person_id: pid,
        });
    }
    Ok(out)
}

pub(crate) async fn create_person(
    conn: &mut AnyConnection,
    org: &str,
    details: &PersonDetails,
    now: i64,
) -> Result<String> {
    let id = new_id("p-");
    sqlx::query(
        "INSERT INTO persons (id, org, given_name, family_name, search_name, date_of_birth, email, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(org)
    .bind(&details.given_name)
    .bind(&details.family_name)
    .bind(search_key(&details.given_name, &details.family_name))
    .bind(&details.date_of_birth)
    .bind(&details.email)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

/// Adds the identifiers the person does not have yet. An identifier that names somebody else
/// is a conflict (the matcher should have sent the record to review).
pub(crate) async fn add_identifiers(
    conn: &mut AnyConnection,
    org: &str,
    person_id: &str,
    ids: &[Identifier],
) -> Result<()> {
    for id in ids {
        let owner: Option<String> = sqlx::query_scalar(
            "SELECT person_id FROM person_identifiers WHERE org = $1 AND scheme = $2 AND value = $3",
        )
        .bind(org)
        .bind(id.scheme.as_str())
        .bind(&id.value)
        .fetch_optional(&mut *conn)
        .await?;
        match owner {
            Some(p) if p == person_id => {}
            Some(other) => {
                return Err(StoreError::Conflict(format!(
                    "{} {} already names person {other}",
                    id.scheme.as_str(),
                    id.value
                )))
            }
            None => {
                sqlx::query(
                    "INSERT INTO person_identifiers (org, scheme, value, person_id) VALUES ($1, $2, $3, $4)",
                )
                .bind(org)
                .bind(id.scheme.as_str())
                .bind(&id.value)
                .bind(person_id)
                .execute(&mut *conn)
                .await?;
            }
        }
    }
    Ok(())
}

fn summary(r: &sqlx::any::AnyRow) -> Result<PersonSummary> {
    Ok(PersonSummary {
        id: r.try_get("id")?,
        given_name: r.try_get("given_name")?,
        family_name: r.try_get("family_name")?,
        date_of_birth: r.try_get("date_of_birth")?,
        email: r.try_get("email")?,
    })
}

impl Store {
    /// Staff of `org` whose name starts with the query, or who hold exactly the identifier typed
    /// (ESR person id, assignment number, GMC/NMC/HCPC number).
    pub async fn search_people(
        &self,
        org: &str,
        query: &str,
        limit: i64,
    ) -> Result<Vec<PersonSummary>> {
        let mut conn = self.pool.acquire().await?;
        let query = query.trim();
        let by_id = sqlx::query(
            "SELECT p.id, p.given_name, p.family_name, p.date_of_birth, p.email \
             FROM person_identifiers i JOIN persons p ON p.id = i.person_id \
             WHERE i.org = $1 AND i.value = $2 ORDER BY p.family_name, p.given_name",
        )
        .bind(org)
        .bind(query)
        .fetch_all(&mut *conn)
        .await?;
        let mut out: Vec<PersonSummary> = by_id.iter().map(summary).collect::<Result<_>>()?;
        let key = search_key("", query).trim().to_string();
        let rows = sqlx::query(
            "SELECT id, given_name, family_name, date_of_birth, email FROM persons \
             WHERE org = $1 AND (search_name LIKE $2 OR search_name LIKE $3) \
             ORDER BY family_name, given_name LIMIT $4",
        )
        .bind(org)
        .bind(format!("{}%", key.replace(['%', '_'], "")))
        .bind(format!("% {}%", key.replace(['%', '_'], "")))
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?;
        for r in &rows {
            let s = summary(r)?;
            if !out.iter().any(|o| o.id == s.id) {
                out.push(s);
            }
        }
        out.truncate(usize::try_from(limit).unwrap_or(0));
        Ok(out)
    }

    /// The person with their identifiers and current records, if they belong to `org`.
    pub async fn person(&self, org: &str, person_id: &str) -> Result<Option<PersonView>> {
        let mut conn = self.pool.acquire().await?;
        let row = sqlx::query(
            "SELECT id, given_name, family_name, date_of_birth, email FROM persons WHERE id = $1 AND org = $2",
        )
        .bind(person_id)
        .bind(org)
        .fetch_optional(&mut *conn)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let person = summary(&row)?;
        let identifiers = identifiers_of(&mut conn, person_id).await?;
        let rows = sqlx::query(
            "SELECT id, source, record_key, type_name, claims, state, imported_at FROM records \
             WHERE person_id = $1 AND org = $2 AND state = 'current' ORDER BY type_name, record_key",
        )
        .bind(person_id)
        .bind(org)
        .fetch_all(&mut *conn)
        .await?;
        let records = rows.iter().map(record_row).collect::<Result<_>>()?;
        Ok(Some(PersonView {
            person,
            identifiers,
            records,
        }))
    }

    /// The person of `org` holding this identifier, if any.
    pub async fn person_by_identifier(&self, org: &str, id: &Identifier) -> Result<Option<String>> {
        Ok(sqlx::query_scalar(
            "SELECT person_id FROM person_identifiers WHERE org = $1 AND scheme = $2 AND value = $3",
        )
        .bind(org)
        .bind(id.scheme.as_str())
        .bind(&id.value)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn count_people(&self, org: &str) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM persons WHERE org = $1")
                .bind(org)
                .fetch_one(&self.pool)
                .await?,
        )
    }
}

pub(crate) fn record_row(r: &sqlx::any::AnyRow) -> Result<PersonRecord> {
    let claims: String = r.try_get("claims")?;
    Ok(PersonRecord {
        id: r.try_get("id")?,
        source: r.try_get("source")?,
        record_key: r.try_get("record_key")?,
        type_name: r.try_get("type_name")?,
        claims: serde_json::from_str(&claims).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        state: r.try_get("state")?,
        imported_at: r.try_get("imported_at")?,
    })
}
