//! Two people and nobody else: the first person's setup link, the invite
//! for the second, signing in and out, sessions, and the cross-site check.
//! [`CurrentPerson`] is how every other feature knows who is acting.

pub mod accounts;
pub mod common_passwords;
pub mod invite;
pub mod links;
pub mod login;
pub mod notices;
pub mod password;
pub mod recovery;
pub mod reset;
pub mod session;
pub mod store;
pub mod throttle;

use axum::body::Body;
use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{Method, Response, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use tower_http::csrf::CsrfLayer;

use crate::app::{Route, Settings};
use crate::error::{AppError, ErrorMessage};

pub fn routes() -> Vec<Route> {
    vec![
        Route::public_page("/setup/{token}", accounts::setup_form),
        Route::public_action("/setup/{token}", accounts::setup),
        Route::public_page("/join/{token}", accounts::join_form),
        Route::public_action("/join/{token}", accounts::join),
        Route::public_page("/login", login::form),
        Route::public_action("/login", login::sign_in),
        Route::action("/logout", login::sign_out),
        Route::page("/invite", invite::show),
        Route::action("/invite", invite::create),
        Route::action("/invite/revoke", invite::revoke),
        Route::page("/recovery-codes", recovery::show),
        Route::action("/recovery-codes/saved", recovery::saved),
        Route::public_page("/forgot", recovery::forgot_form),
        Route::public_action("/forgot", recovery::forgot),
        Route::public_page("/reset/{token}", reset::form),
        Route::public_action("/reset/{token}", reset::reset),
    ]
}

/// The person who is signed in on this request.
#[derive(Debug, Clone)]
pub struct CurrentPerson {
    pub id: i64,
    pub name: String,
    /// The hash of this session's token, to end it or keep it.
    pub session_hash: String,
}

impl<S: Send + Sync> FromRequestParts<S> for CurrentPerson {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        parts
            .extensions
            .get::<Option<CurrentPerson>>()
            .cloned()
            .flatten()
            .ok_or(AppError::Unauthorized)
    }
}

/// Route middleware for everything that needs a signed-in person: a page
/// sends the browser to sign in (and back afterwards); a change is refused.
pub async fn require_person(request: Request, next: Next) -> axum::response::Response {
    let signed_in = request
        .extensions()
        .get::<Option<CurrentPerson>>()
        .is_some_and(Option::is_some);
    if signed_in {
        return next.run(request).await;
    }
    if request.method() == Method::GET || request.method() == Method::HEAD {
        let wanted = request
            .uri()
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/");
        let next_param = utf8_percent_encode(wanted, NON_ALPHANUMERIC);
        return Redirect::to(&format!("/login?next={next_param}")).into_response();
    }
    AppError::Unauthorized.into_response()
}

/// Refuses cross-site state changes (by `Sec-Fetch-Site` and `Origin`),
/// trusting the public URL's origin so it also works behind a proxy that
/// rewrites `Host`.
pub fn csrf_layer(
    settings: &Settings,
) -> CsrfLayer<impl FnMut(tower_http::csrf::ProtectionError) -> Response<Body> + Clone + use<>> {
    let mut layer = CsrfLayer::new();
    if let Some(url) = &settings.public_url {
        layer = match layer.clone().add_trusted_origin(url) {
            Ok(with_origin) => with_origin,
            Err(error) => {
                tracing::warn!(%error, "the public URL cannot be used as a trusted origin");
                layer
            }
        };
    }
    layer.with_rejection_response(|_| {
        let mut response = (StatusCode::FORBIDDEN, "cross-site request refused").into_response();
        response.extensions_mut().insert(ErrorMessage(
            "This form was sent from another site or page, so it was refused. Nothing was changed. \
             If you were using Amends, go back, reload the page and try again."
                .into(),
        ));
        response
    })
}
