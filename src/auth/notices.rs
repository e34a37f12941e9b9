//! What a person is told at their next sign-in about changes to their
//! account ("Your password was reset on …"), so a reset made by someone
//! else never goes unnoticed. Shown once; the ledger keeps the lasting note.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use sqlx::SqliteConnection;

use crate::clock;
use crate::error::Result;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    PasswordResetWithCode,
    PasswordResetWithLink,
    PasswordChanged,
    RecoveryCodesRenewed,
}

impl Notice {
    fn as_str(self) -> &'static str {
        match self {
            Notice::PasswordResetWithCode => "password_reset_with_code",
            Notice::PasswordResetWithLink => "password_reset_with_link",
            Notice::PasswordChanged => "password_changed",
            Notice::RecoveryCodesRenewed => "recovery_codes_renewed",
        }
    }

    fn sentence(kind: &str, when: &str) -> String {
        match kind {
            "password_reset_with_code" => {
                format!("Your password was reset with a recovery code on {when}.")
            }
            "password_reset_with_link" => {
                format!("Your password was reset with a reset link from the server on {when}.")
            }
            "password_changed" => format!("Your password was changed on {when}."),
            _ => format!("Your recovery codes were renewed on {when}."),
        }
    }
}

/// Leaves a notice for a person, inside the transaction that made the change.
pub async fn add(
    tx: &mut SqliteConnection,
    person_id: i64,
    notice: Notice,
    now: Timestamp,
) -> Result<()> {
    sqlx::query("INSERT INTO account_notices (person_id, at, kind) VALUES (?, ?, ?)")
        .bind(person_id)
        .bind(clock::format(now))
        .bind(notice.as_str())
        .execute(tx)
        .await?;
    Ok(())
}

/// Takes a person's notices (they are shown once) and words them as one
/// short message for the page after sign-in.
pub async fn take(
    tx: &mut SqliteConnection,
    person_id: i64,
    tz: &TimeZone,
) -> Result<Option<String>> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT at, kind FROM account_notices WHERE person_id = ? ORDER BY id DESC LIMIT 20",
    )
    .bind(person_id)
    .fetch_all(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM account_notices WHERE person_id = ?")
        .bind(person_id)
        .execute(&mut *tx)
        .await?;
    let Some((at, kind)) = rows.first() else {
        return Ok(None);
    };
    let when = crate::web::time::date_time(at, tz);
    let mut message = Notice::sentence(kind, &when);
    if rows.len() > 1 {
        message.push_str(&format!(
            " There were {} earlier changes to your account too.",
            rows.len() - 1
        ));
    }
    message.push_str(
        " If that was not you, change your password and renew your recovery codes in Settings.",
    );
    Ok(Some(message))
}
