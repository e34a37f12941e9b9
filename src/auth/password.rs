//! Password hashing with argon2id (m=19 MiB, t=2, p=1: the crate's
//! defaults). Hashing is slow on purpose, so it runs on blocking threads,
//! a few at a time, never on the async runtime.

use std::sync::LazyLock;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use tokio::sync::Semaphore;

use crate::error::{AppError, Result};

pub const MIN_LENGTH: usize = 12;
pub const MAX_LENGTH: usize = 256;

/// At most this many hashes at once: each takes 19 MiB and a core.
static HASHING: Semaphore = Semaphore::const_new(2);

/// A hash of a password nobody has, checked when a name is unknown so that
/// an unknown name costs the same work as a wrong password.
static DECOY: LazyLock<String> = LazyLock::new(|| {
    Argon2::default()
        .hash_password(b"no one has this password, it only costs time")
        .map(|h| h.to_string())
        .unwrap_or_default()
});

/// Hashes a new password.
pub async fn hash(password: String) -> Result<String> {
    let _permit = HASHING
        .acquire()
        .await
        .map_err(|e| AppError::internal(e.to_string()))?;
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| AppError::internal(format!("hashing a password: {e}")))
    })
    .await?
}

/// Checks a password against a stored hash; `None` checks against the decoy
/// and always fails, taking the same time.
pub async fn verify(password: String, stored: Option<String>) -> Result<bool> {
    let _permit = HASHING
        .acquire()
        .await
        .map_err(|e| AppError::internal(e.to_string()))?;
    let known = stored.is_some();
    let stored = stored.unwrap_or_else(|| DECOY.clone());
    let matches = tokio::task::spawn_blocking(move || {
        PasswordHash::new(&stored)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await?;
    Ok(known && matches)
}

/// Checks a new password: long enough, not too long, not a common one.
/// No composition rules: length is what makes a password strong.
pub fn check_new(password: &str, name: &str) -> Result<(), String> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(format!(
            "Please choose a password of at least {MIN_LENGTH} characters (this one has {length}). A few unrelated words work well."
        ));
    }
    if length > MAX_LENGTH {
        return Err(format!(
            "Please choose a password of at most {MAX_LENGTH} characters."
        ));
    }
    if password.contains('\0') {
        return Err("A password cannot contain a NUL character.".into());
    }
    let lowered = password.to_lowercase();
    if !name.is_empty() && lowered == name.to_lowercase() {
        return Err("Please choose a password that is not your name.".into());
    }
    if super::common_passwords::is_common(&lowered) {
        return Err(
            "That password is one of the most common ones, so it is easy to guess. Please choose another."
                .into(),
        );
    }
    Ok(())
}
