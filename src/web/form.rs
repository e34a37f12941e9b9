//! A form extractor of our own. axum's answers a malformed form with a plain
//! text error; ours checks that every field is valid UTF-8 (not silently
//! replaced) and answers problems with a clear 400 page in the layout.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use crate::error::AppError;

/// A URL-encoded form body, deserialised into `T`.
#[derive(Debug)]
pub struct Form<T>(pub T);

impl<S, T> FromRequest<S> for Form<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_form = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if !is_form {
            return Err(
                AppError::BadRequest("This page expects a form sent from the app.".into())
                    .into_response(),
            );
        }
        // Over the body limit, this answers 413, which becomes the 413 page.
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(IntoResponse::into_response)?;
        parse(&bytes).map(Form).map_err(IntoResponse::into_response)
    }
}

/// Parses a URL-encoded body, refusing invalid UTF-8 instead of replacing it.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    for pair in bytes.split(|b| *b == b'&') {
        let plus_as_space: Vec<u8> = pair
            .iter()
            .map(|b| if *b == b'+' { b' ' } else { *b })
            .collect();
        let decoded: Vec<u8> = percent_encoding::percent_decode(&plus_as_space).collect();
        if std::str::from_utf8(&decoded).is_err() {
            return Err(AppError::BadRequest(
                "The form contained text that is not valid UTF-8, so nothing was saved. \
                 Please go back and try again."
                    .into(),
            ));
        }
    }
    serde_urlencoded::from_bytes(bytes).map_err(|error| {
        AppError::BadRequest(format!(
            "The form was incomplete or not in the expected shape ({error}), so nothing was saved."
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    struct Example {
        name: String,
    }

    #[test]
    fn valid_forms_are_read() {
        let form: Example = parse(b"name=Zo%C3%AB+B").unwrap();
        assert_eq!(form.name, "Zoë B");
    }

    #[test]
    fn invalid_utf8_is_refused_not_replaced() {
        assert!(matches!(
            parse::<Example>(b"name=%FF%FE"),
            Err(AppError::BadRequest(_))
        ));
    }

    #[test]
    fn a_missing_field_is_a_bad_request() {
        assert!(matches!(
            parse::<Example>(b"other=1"),
            Err(AppError::BadRequest(_))
        ));
    }
}
