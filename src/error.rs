//! One error type for every handler. Its response carries a status and a
//! short message; `web::error_pages` turns that into a page in the layout.
//! Server errors are logged once, with their cause, and never shown.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

pub type Result<T, E = AppError> = std::result::Result<T, E>;

#[derive(Debug)]
pub enum AppError {
    /// Nothing here (or nothing this person may know about).
    NotFound,
    /// A change was attempted without being signed in.
    Unauthorized,
    /// Signed in, but this step belongs to the other person.
    Forbidden(String),
    /// The request itself is malformed (not a person's typing mistake).
    BadRequest(String),
    /// The thing changed since the page was loaded.
    Conflict(String),
    /// Too many attempts; try again after this many seconds.
    TooManyRequests { retry_after_secs: u64 },
    /// Anything else: logged, shown as a plain 500 page.
    Internal(anyhow::Error),
}

impl AppError {
    pub fn internal(message: impl Into<String>) -> Self {
        AppError::Internal(anyhow::anyhow!(message.into()))
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        AppError::Forbidden(message.into())
    }

    fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AppError::NotFound => write!(f, "not found"),
            AppError::Unauthorized => write!(f, "not signed in"),
            AppError::Forbidden(m) => write!(f, "forbidden: {m}"),
            AppError::BadRequest(m) => write!(f, "bad request: {m}"),
            AppError::Conflict(m) => write!(f, "conflict: {m}"),
            AppError::TooManyRequests { retry_after_secs } => {
                write!(f, "too many requests; retry after {retry_after_secs} s")
            }
            AppError::Internal(cause) => write!(f, "{cause:#}"),
        }
    }
}

impl std::error::Error for AppError {}

/// The message an error page shows, attached to the response for
/// `web::error_pages` to render.
#[derive(Debug, Clone)]
pub struct ErrorMessage(pub String);

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = match &self {
            AppError::Forbidden(m) | AppError::BadRequest(m) | AppError::Conflict(m) => {
                Some(m.clone())
            }
            AppError::Internal(cause) => {
                tracing::error!(error = ?cause, "request failed");
                None
            }
            _ => None,
        };
        let mut response = (status, status.canonical_reason().unwrap_or("error")).into_response();
        if let Some(message) = message {
            response.extensions_mut().insert(ErrorMessage(message));
        }
        if let AppError::TooManyRequests { retry_after_secs } = self {
            response.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from(retry_after_secs.max(1)),
            );
        }
        response
    }
}

impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        match error {
            sqlx::Error::RowNotFound => AppError::NotFound,
            other => AppError::Internal(other.into()),
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(error: askama::Error) -> Self {
        AppError::Internal(error.into())
    }
}

impl From<anyhow::Error> for AppError {
    fn from(error: anyhow::Error) -> Self {
        AppError::Internal(error)
    }
}

impl From<tokio::task::JoinError> for AppError {
    fn from(error: tokio::task::JoinError) -> Self {
        AppError::Internal(error.into())
    }
}
