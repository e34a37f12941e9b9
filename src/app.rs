//! The application: shared state, the route table, the router with its
//! middleware, and the server loop with a graceful shutdown.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;
use axum::http::{Method, StatusCode};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{MethodRouter, get, post};
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::clock::Clock;
use crate::db::Db;
use crate::{
    actions, agreements, auth, checkins, commitments, copies, health, home, noticed, questions,
    repair, settings, timeline, trust, web,
};

/// Largest request body accepted. Field limits are checked by the app in
/// characters; this only stops abuse, so it is generous.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub clock: Arc<Clock>,
    pub settings: Arc<Settings>,
    pub record: Arc<RecordStatus>,
}

/// Server settings that handlers need.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// e.g. `https://amends.home.arpa`, without a trailing slash.
    pub public_url: Option<String>,
    /// The reverse proxy whose right-most `X-Forwarded-For` entry is taken as
    /// the client's address (only when the request comes from it).
    pub trusted_proxy: Option<std::net::IpAddr>,
}

impl Settings {
    /// Cookies are marked Secure (with a `__Host-` name) only behind https.
    pub fn secure_cookies(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"))
    }
}

/// What the start-up check of the chain found; shown on every page if broken.
#[derive(Debug, Default)]
pub struct RecordStatus {
    problem: RwLock<Option<String>>,
}

impl RecordStatus {
    pub fn set_problem(&self, problem: Option<String>) {
        if let Ok(mut slot) = self.problem.write() {
            *slot = problem;
        }
    }

    pub fn problem(&self) -> Option<String> {
        self.problem.read().ok().and_then(|p| p.clone())
    }
}

/// Verifies the whole chain (at start) and remembers any break, so every
/// page can warn about it. The app keeps serving either way, so both people
/// can still see and copy what is there.
pub async fn check_record(state: &AppState) -> crate::error::Result<()> {
    match crate::ledger::verify(&state.db.readers).await? {
        crate::ledger::Verdict::Intact(head) => {
            tracing::info!(
                "the record verifies: {} entries, head {}",
                head.seq,
                crate::ledger::chain::short(&head.hash)
            );
            state.record.set_problem(None);
        }
        crate::ledger::Verdict::Broken(problem) => {
            tracing::error!(
                "THE RECORD DOES NOT VERIFY: {problem}. Serving anyway so both people can see and copy what is there."
            );
            state.record.set_problem(Some(problem.to_string()));
        }
    }
    Ok(())
}

/// Who may use a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not (sign-in, setup, invites, health, files).
    Public,
    /// Only one of the two people, signed in.
    SignedIn,
}

/// One row of the route table. Features list their routes as these; the
/// router is built from the table, and the authorization test walks it, so
/// no route can be added without being tested for access.
pub struct Route {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    pub handler: MethodRouter<AppState>,
}

impl Route {
    /// A page for a signed-in person.
    pub fn page<H: Handler<T, AppState>, T: 'static>(path: &'static str, handler: H) -> Self {
        Self::new(Method::GET, path, Access::SignedIn, get(handler))
    }

    /// A change made by a signed-in person.
    pub fn action<H: Handler<T, AppState>, T: 'static>(path: &'static str, handler: H) -> Self {
        Self::new(Method::POST, path, Access::SignedIn, post(handler))
    }

    /// A page anyone may open.
    pub fn public_page<H: Handler<T, AppState>, T: 'static>(
        path: &'static str,
        handler: H,
    ) -> Self {
        Self::new(Method::GET, path, Access::Public, get(handler))
    }

    /// A form anyone may send (sign-in, setup, joining by invite).
    pub fn public_action<H: Handler<T, AppState>, T: 'static>(
        path: &'static str,
        handler: H,
    ) -> Self {
        Self::new(Method::POST, path, Access::Public, post(handler))
    }

    fn new(
        method: Method,
        path: &'static str,
        access: Access,
        handler: MethodRouter<AppState>,
    ) -> Self {
        Route {
            method,
            path,
            access,
            handler,
        }
    }
}

/// Every route of the app, feature by feature.
pub fn routes() -> Vec<Route> {
    let mut table = Vec::new();
    table.extend(home::routes());
    table.extend(health::routes());
    table.extend(auth::routes());
    table.extend(repair::routes());
    table.extend(agreements::routes());
    table.extend(commitments::routes());
    table.extend(questions::routes());
    table.extend(actions::routes());
    table.extend(trust::routes());
    table.extend(timeline::routes());
    table.extend(checkins::routes());
    table.extend(noticed::routes());
    table.extend(settings::routes());
    table.extend(copies::routes());
    #[cfg(feature = "test-clock")]
    table.extend(crate::clock::test_routes());
    table
}

/// The whole application with its middleware.
pub fn router(state: AppState) -> Router {
    let mut router = Router::new();
    for route in routes() {
        let handler = match route.access {
            Access::Public => route.handler,
            Access::SignedIn => route.handler.route_layer(from_fn(auth::require_person)),
        };
        router = router.route(route.path, handler);
    }
    router
        .route("/static/{*path}", get(web::assets::serve))
        .fallback(|| async { crate::error::AppError::NotFound })
        .layer(auth::csrf_layer(&state.settings))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(from_fn_with_state(state.clone(), web::error_pages::render))
        .layer(from_fn(web::flash::middleware))
        .layer(from_fn_with_state(state.clone(), auth::session::load))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        // Copies of the record are ZIPs, already compressed.
        .layer(CompressionLayer::new().compress_when(
            DefaultPredicate::new().and(NotForContentType::const_new("application/zip")),
        ))
        .layer(TraceLayer::new_for_http())
        .layer(web::headers::layers()[0].clone())
        .layer(web::headers::layers()[1].clone())
        .layer(web::headers::layers()[2].clone())
        .with_state(state)
}

/// Serves on an already-bound listener until SIGINT/SIGTERM, then finishes
/// the requests in flight and closes the database.
pub async fn serve(listener: TcpListener, state: AppState) -> std::io::Result<()> {
    let db = state.db.clone();
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    db.close().await;
    tracing::info!("stopped; the database was closed cleanly");
    Ok(())
}

async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
