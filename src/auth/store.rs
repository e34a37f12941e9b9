//! SQL for people, sessions and one-time links.

use sqlx::{SqliteConnection, SqlitePool};

use crate::error::Result;

/// One of the two people.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Person {
    pub id: i64,
    pub name: String,
    pub password_hash: String,
    pub closed_at: Option<String>,
}

pub async fn count_people(pool: &SqlitePool) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM people")
        .fetch_one(pool)
        .await?)
}

pub async fn count_people_tx(tx: &mut SqliteConnection) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM people")
        .fetch_one(tx)
        .await?)
}

pub async fn person_by_name(pool: &SqlitePool, name: &str) -> Result<Option<Person>> {
    Ok(sqlx::query_as(
        "SELECT id, name, password_hash, closed_at FROM people WHERE name = ? COLLATE NOCASE",
    )
    .bind(name)
    .fetch_optional(pool)
    .await?)
}

pub async fn person_by_id(pool: &SqlitePool, id: i64) -> Result<Option<Person>> {
    Ok(
        sqlx::query_as("SELECT id, name, password_hash, closed_at FROM people WHERE id = ?")
            .bind(id)
            .fetch_optional(pool)
            .await?,
    )
}

/// Both people, in id order.
pub async fn people(pool: &SqlitePool) -> Result<Vec<Person>> {
    Ok(
        sqlx::query_as("SELECT id, name, password_hash, closed_at FROM people ORDER BY id")
            .fetch_all(pool)
            .await?,
    )
}

/// Inserts a person with the given id (1 or 2; the table refuses others).
pub async fn insert_person(
    tx: &mut SqliteConnection,
    id: i64,
    name: &str,
    password_hash: &str,
    at: &str,
) -> Result<()> {
    sqlx::query("INSERT INTO people (id, name, password_hash, created_at) VALUES (?, ?, ?, ?)")
        .bind(id)
        .bind(name)
        .bind(password_hash)
        .bind(at)
        .execute(tx)
        .await?;
    Ok(())
}

pub async fn set_time_zone(tx: &mut SqliteConnection, time_zone: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO pair (id, time_zone) VALUES (1, ?)
         ON CONFLICT (id) DO UPDATE SET time_zone = excluded.time_zone",
    )
    .bind(time_zone)
    .execute(tx)
    .await?;
    Ok(())
}

/// The pair's time zone name (UTC until setup has chosen one).
pub async fn time_zone(pool: &SqlitePool) -> Result<String> {
    let zone: Option<String> = sqlx::query_scalar("SELECT time_zone FROM pair WHERE id = 1")
        .fetch_optional(pool)
        .await?;
    Ok(zone.unwrap_or_else(|| "UTC".to_string()))
}

/// The other one of the two people, if they have joined.
pub async fn other_person(pool: &SqlitePool, me: i64) -> Result<Option<Person>> {
    Ok(sqlx::query_as(
        "SELECT id, name, password_hash, closed_at FROM people WHERE id <> ? ORDER BY id LIMIT 1",
    )
    .bind(me)
    .fetch_optional(pool)
    .await?)
}
