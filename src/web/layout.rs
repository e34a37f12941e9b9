//! What every page shows around its content: who is signed in, the
//! navigation, flash messages, the record's fingerprint, and a warning if the
//! record's chain did not verify.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::app::AppState;
use crate::auth::CurrentPerson;
use crate::error::AppError;
use crate::ledger::{self, Fingerprint};
use crate::web::flash::Flash;

/// Data for `templates/layouts/base.html`; every page struct has one.
#[derive(Debug, Clone)]
pub struct Layout {
    pub person: Option<CurrentPerson>,
    pub fingerprint: Fingerprint,
    pub flash: Option<String>,
    pub record_problem: Option<String>,
    /// The path of this page, to mark the current navigation item.
    pub path: String,
    /// The pair's time zone: every time shown follows it.
    pub tz: jiff::tz::TimeZone,
    /// The other person closed their account and this one has not yet put
    /// the notice away (see `copies::leaving`).
    pub departure: Option<crate::copies::store::Departure>,
}

impl Layout {
    /// Builds the layout for a request's parts.
    pub async fn build(state: &AppState, parts: &Parts) -> Result<Self, AppError> {
        let person = parts
            .extensions
            .get::<Option<CurrentPerson>>()
            .cloned()
            .flatten();
        let flash = parts.extensions.get::<Flash>().and_then(|f| f.0.clone());
        let fingerprint = ledger::fingerprint(&state.db.readers).await?;
        let tz = crate::web::time::zone(&crate::auth::store::time_zone(&state.db.readers).await?);
        let departure = match &person {
            Some(p) => crate::copies::store::departure_for(&state.db.readers, p.id).await?,
            None => None,
        };
        Ok(Layout {
            departure,
            tz,
            person,
            fingerprint,
            flash,
            record_problem: state.record.problem(),
            path: parts.uri.path().to_string(),
        })
    }

    /// A stored UTC time as "21 Nov 2026, 09:05" in the pair's zone.
    pub fn when(&self, stored: &str) -> String {
        crate::web::time::date_time(stored, &self.tz)
    }

    /// A stored UTC time as "21 Nov 2026" in the pair's zone.
    pub fn day(&self, stored: &str) -> String {
        crate::web::time::date_of(stored, &self.tz)
    }

    /// The versioned URL of a static file.
    pub fn asset(&self, path: &str) -> String {
        crate::web::assets::url(path)
    }

    /// Whether the navigation item for `prefix` is the current page.
    pub fn is_current(&self, prefix: &str) -> bool {
        if prefix == "/" {
            self.path == "/"
        } else {
            self.path.starts_with(prefix)
        }
    }

    /// `aria-current` value for a navigation link.
    pub fn aria_current(&self, prefix: &str) -> &'static str {
        if self.is_current(prefix) {
            "page"
        } else {
            "false"
        }
    }
}

impl FromRequestParts<AppState> for Layout {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        Layout::build(state, parts).await
    }
}
