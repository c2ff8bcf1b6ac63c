//! `karvan serve`: a JSON API and one web page over the model, on the analyst's own
//! machine. The page and its assets are compiled in; every action of the page goes
//! through the API; every error is JSON; request bodies and URIs are size-limited and
//! must arrive in time; long analyses run in a bounded background pool; a run that
//! fails leaves no result behind.

mod api;
mod assets;
mod conn;
mod error;
mod state;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

pub use error::ApiError;
pub use state::{AppState, Limits, DEFAULT_SWEEP_DIR};

/// Largest request body accepted (a scenario's TOML is a few kilobytes).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Longest request target (path and query) accepted.
pub const MAX_URI_BYTES: usize = 8 * 1024;

/// The application: API under `/api`, the page at `/`.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(api::index))
        .route("/assets/{*path}", get(api::asset))
        .route("/api/health", get(api::health))
        .route("/api/openapi.json", get(api::openapi))
        .route("/api/basemap", get(api::basemap))
        .route("/api/places", get(api::places))
        .route("/api/commodities", get(api::commodities))
        .route("/api/countries", get(api::countries))
        .route("/api/network", get(api::network))
        .route("/api/route", get(api::route))
        .route("/api/select-link", get(api::select_link))
        .route("/api/fit", get(api::fit))
        .route("/api/report", get(api::report))
        .route("/api/water", get(api::water))
        .route("/api/power", get(api::power))
        .route("/api/power/bargain", get(api::power_bargain))
        .route("/api/scenarios", get(api::list_scenarios))
        .route(
            "/api/scenarios/{name}",
            get(api::get_scenario)
                .put(api::put_scenario)
                .delete(api::delete_scenario),
        )
        .route("/api/scenarios/{name}/rename", post(api::rename_scenario))
        .route("/api/scenarios/{name}/undo", post(api::undo_scenario))
        .route("/api/runs", post(api::start_run))
        .route("/api/runs/{id}", get(api::get_run).delete(api::cancel_run))
        .route("/api/runs/{id}/flows", get(api::run_flows))
        .route("/api/compare", get(api::compare))
        .route("/api/games", post(api::start_game))
        .route(
            "/api/games/{id}",
            get(api::get_game).delete(api::cancel_game),
        )
        .route("/api/risk", get(api::risk))
        .route("/api/resilience", post(api::start_resilience))
        .route(
            "/api/resilience/{id}",
            get(api::get_resilience).delete(api::cancel_resilience),
        )
        .route("/api/projects", get(api::projects))
        .route("/api/sweeps", get(api::list_sweeps))
        .route("/api/sweeps/{name}", get(api::get_sweep))
        .route("/api/sweeps/{name}/{file}", get(api::get_sweep_file))
        .route("/api/appraisals", post(api::start_appraisal))
        .route(
            "/api/appraisals/{id}",
            get(api::get_appraisal).delete(api::cancel_appraisal),
        )
        .fallback(api::not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn_with_state(state.clone(), guard))
        .with_state(state)
}

pub use axum::Router;

/// Checks the request's size and reads its body within the time allowed, then makes sure
/// that whatever error the request ends in is answered as JSON.
async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let uri_len = req.uri().path_and_query().map_or(0, |p| p.as_str().len());
    if uri_len > MAX_URI_BYTES {
        return ApiError::new(
            StatusCode::URI_TOO_LONG,
            format!(
                "the request URI is {uri_len} bytes long; at most {MAX_URI_BYTES} are accepted"
            ),
        )
        .into_response();
    }
    let (parts, body) = req.into_parts();
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return too_large();
    }
    let wait = state.limits().body_timeout;
    let bytes = match tokio::time::timeout(wait, axum::body::to_bytes(body, MAX_BODY_BYTES)).await {
        Err(_) => {
            return ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                format!(
                    "the request body did not arrive within {} s",
                    wait.as_secs_f64()
                ),
            )
            .into_response()
        }
        Ok(Err(e)) if e.to_string().contains("length limit") => return too_large(),
        Ok(Err(e)) => {
            return ApiError::bad_request(format!("request body could not be read: {e}"))
                .into_response()
        }
        Ok(Ok(b)) => b,
    };
    let asked = format!("{} {}", parts.method, parts.uri.path());
    let res = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    json_error(res, &asked).await
}

fn too_large() -> Response {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("request body: length limit exceeded (at most {MAX_BODY_BYTES} bytes)"),
    )
    .into_response()
}

/// An error response that is not JSON yet (from the framework: 405, rejections) as JSON
/// `{"error": ...}`, with its status and other headers kept.
async fn json_error(res: Response, asked: &str) -> Response {
    let status = res.status();
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let text = axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    let reason = status.canonical_reason().unwrap_or("error").to_lowercase();
    let message = if status == StatusCode::METHOD_NOT_ALLOWED {
        format!("{asked}: method not allowed (the `Allow` header lists the methods this path accepts; see /api/openapi.json)")
    } else if text.is_empty() {
        reason
    } else {
        text
    };
    let body = serde_json::json!({ "error": message }).to_string();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Response::from_parts(parts, Body::from(body))
}

/// How the server treats connections.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// Time a client has to send a request's headers, counted from when the connection
    /// opens or the previous response has been sent; so it is also how long an idle
    /// kept-alive connection stays open (default 10 s).
    pub header_timeout: Duration,
    /// How long an answer may wait for the client to read it before the connection is
    /// closed (default 30 s).
    pub write_timeout: Duration,
    /// Connections open at the same time; further ones wait to be accepted (default 256).
    pub max_connections: usize,
}

impl Default for ServeOptions {
    fn default() -> ServeOptions {
        ServeOptions {
            header_timeout: Duration::from_secs(10),
            write_timeout: Duration::from_secs(30),
            max_connections: 256,
        }
    }
}

/// Serves until the process is stopped.
pub async fn serve(addr: SocketAddr, scenario_dir: PathBuf) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    serve_on(listener, router(AppState::new(scenario_dir))).await
}

/// Serves `app` on a listener that is already bound (a free port, in tests).
pub async fn serve_on(listener: tokio::net::TcpListener, app: Router) -> std::io::Result<()> {
    serve_with(listener, app, ServeOptions::default()).await
}

/// Serves `app` over HTTP/1.1 with the given connection limits, until the process stops.
pub async fn serve_with(
    listener: tokio::net::TcpListener,
    app: Router,
    options: ServeOptions,
) -> std::io::Result<()> {
    let permits = Arc::new(tokio::sync::Semaphore::new(options.max_connections.max(1)));
    loop {
        let Ok(permit) = permits.clone().acquire_owned().await else {
            return Ok(());
        };
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(_) => {
                // Out of file descriptors, or a connection reset before it was
                // accepted: wait a moment rather than spin.
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let service = hyper_util::service::TowerToHyperService::new(app.clone());
        let (header_timeout, write_timeout) = (options.header_timeout, options.write_timeout);
        tokio::spawn(async move {
            let _permit = permit;
            let conn = hyper::server::conn::http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(header_timeout)
                .serve_connection(
                    hyper_util::rt::TokioIo::new(conn::Connection::new(stream, write_timeout)),
                    service,
                );
            // A connection that ends in an error (timeout, reset) is simply closed.
            let _ = conn.await;
        });
    }
}
