//! Exactly-once form submissions. Each form that changes something carries
//! a hidden `once` key, made when the page was rendered; the handler claims
//! it inside its write transaction. A second POST with the same key (a
//! double click, a replay) finds it taken and changes nothing.

use rand::RngCore;
use sqlx::SqliteConnection;

use crate::clock;
use crate::error::Result;

/// A fresh key for a form's hidden `once` field.
pub fn new_key() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Claims a key in the caller's write transaction. `false` means this form
/// was already sent: the caller should change nothing and answer as if it
/// had just succeeded. A missing or malformed key is never deduplicated.
pub async fn claim(
    tx: &mut SqliteConnection,
    person_id: i64,
    key: &str,
    now: jiff::Timestamp,
) -> Result<bool> {
    if key.len() != 32 || !key.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(true);
    }
    let inserted = sqlx::query(
        "INSERT INTO submissions (once_key, person_id, created_at) VALUES (?, ?, ?)
         ON CONFLICT (once_key) DO NOTHING",
    )
    .bind(key)
    .bind(person_id)
    .bind(clock::format(now))
    .execute(tx)
    .await?;
    Ok(inserted.rows_affected() == 1)
}
