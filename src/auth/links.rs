//! One-time links: setup (first person), invite (second person) and
//! password reset. The token is 128 random bits shown once; only its hash
//! is stored. Operational data, so not on the record.

use jiff::{SignedDuration, Timestamp};
use rand::RngCore;
use sqlx::{SqliteConnection, SqlitePool};

use super::session::hash_token;
use crate::clock;
use crate::error::Result;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Setup,
    Invite,
    Reset,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::Setup => "setup",
            Purpose::Invite => "invite",
            Purpose::Reset => "reset",
        }
    }

    /// How long a link of this kind stays valid.
    pub fn lifetime(self) -> SignedDuration {
        match self {
            Purpose::Setup | Purpose::Reset => SignedDuration::from_hours(24),
            Purpose::Invite => SignedDuration::from_hours(24 * 7),
        }
    }
}

/// A new token: 128 bits, hex (URL-safe, easy to read aloud if need be).
fn new_token() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Whether a string could be one of our tokens at all.
pub fn looks_like_token(token: &str) -> bool {
    token.len() == 32 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Creates a link, revoking earlier unused links of the same purpose (and,
/// for resets, of the same person). Returns the token to show once.
pub async fn create(
    tx: &mut SqliteConnection,
    purpose: Purpose,
    person_id: Option<i64>,
    now: Timestamp,
) -> Result<(String, Timestamp)> {
    let at = clock::format(now);
    sqlx::query(
        "UPDATE one_time_links SET revoked_at = ?
         WHERE purpose = ? AND used_at IS NULL AND revoked_at IS NULL
           AND (person_id IS ? OR ? IS NULL)",
    )
    .bind(&at)
    .bind(purpose.as_str())
    .bind(person_id)
    .bind(person_id)
    .execute(&mut *tx)
    .await?;
    let token = new_token();
    let expires = now
        .checked_add(purpose.lifetime())
        .unwrap_or(Timestamp::MAX);
    sqlx::query(
        "INSERT INTO one_time_links (token_hash, purpose, person_id, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?)",
    )
    .bind(hash_token(&token))
    .bind(purpose.as_str())
    .bind(person_id)
    .bind(&at)
    .bind(clock::format(expires))
    .execute(&mut *tx)
    .await?;
    Ok((token, expires))
}

/// A link that can still be used.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ValidLink {
    pub token_hash: String,
    pub person_id: Option<i64>,
    pub expires_at: String,
}

const FIND_VALID: &str = "SELECT token_hash, person_id, expires_at FROM one_time_links
     WHERE token_hash = ? AND purpose = ? AND used_at IS NULL AND revoked_at IS NULL
       AND expires_at > ?";

/// Looks a token up for showing a page.
pub async fn find_valid(
    pool: &SqlitePool,
    purpose: Purpose,
    token: &str,
    now: Timestamp,
) -> Result<Option<ValidLink>> {
    if !looks_like_token(token) {
        return Ok(None);
    }
    Ok(sqlx::query_as(FIND_VALID)
        .bind(hash_token(token))
        .bind(purpose.as_str())
        .bind(clock::format(now))
        .fetch_optional(pool)
        .await?)
}

/// Looks a token up inside the write transaction that will use it.
pub async fn find_valid_tx(
    tx: &mut SqliteConnection,
    purpose: Purpose,
    token: &str,
    now: Timestamp,
) -> Result<Option<ValidLink>> {
    if !looks_like_token(token) {
        return Ok(None);
    }
    Ok(sqlx::query_as(FIND_VALID)
        .bind(hash_token(token))
        .bind(purpose.as_str())
        .bind(clock::format(now))
        .fetch_optional(tx)
        .await?)
}

/// Marks a link used, inside the transaction that acts on it.
pub async fn mark_used(tx: &mut SqliteConnection, token_hash: &str, now: Timestamp) -> Result<()> {
    sqlx::query("UPDATE one_time_links SET used_at = ? WHERE token_hash = ?")
        .bind(clock::format(now))
        .bind(token_hash)
        .execute(tx)
        .await?;
    Ok(())
}

/// Revokes every unused link of a purpose.
pub async fn revoke_all(tx: &mut SqliteConnection, purpose: Purpose, now: Timestamp) -> Result<()> {
    sqlx::query(
        "UPDATE one_time_links SET revoked_at = ?
         WHERE purpose = ? AND used_at IS NULL AND revoked_at IS NULL",
    )
    .bind(clock::format(now))
    .bind(purpose.as_str())
    .execute(tx)
    .await?;
    Ok(())
}

/// The unused, unexpired invite, if any (its expiry, for the invite page).
pub async fn active_invite(pool: &SqlitePool, now: Timestamp) -> Result<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT expires_at FROM one_time_links
         WHERE purpose = 'invite' AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?
         ORDER BY created_at DESC LIMIT 1",
    )
    .bind(clock::format(now))
    .fetch_optional(pool)
    .await?)
}
