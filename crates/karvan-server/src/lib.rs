//! `karvan serve`: a JSON API and one web page over the model, on the analyst's own
//! machine. The page and its assets are compiled in; every action of the page goes
//! through the API; errors are JSON; request bodies are size-limited; a run that fails
//! leaves no result behind.

mod api;
mod assets;
mod error;
mod state;

use std::net::SocketAddr;
use std::path::PathBuf;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

pub use error::ApiError;
pub use state::AppState;

/// Largest request body accepted (a scenario's TOML is a few kilobytes).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

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
        .route("/api/scenarios", get(api::list_scenarios))
        .route(
            "/api/scenarios/{name}",
            get(api::get_scenario).put(api::put_scenario),
        )
        .route("/api/runs", post(api::start_run))
        .route("/api/runs/{id}", get(api::get_run))
        .route("/api/runs/{id}/flows", get(api::run_flows))
        .route("/api/compare", get(api::compare))
        .route("/api/games", post(api::start_game))
        .route("/api/games/{id}", get(api::get_game))
        .route("/api/risk", get(api::risk))
        .route("/api/resilience", post(api::start_resilience))
        .route("/api/resilience/{id}", get(api::get_resilience))
        .fallback(api::not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}

pub use axum::Router;

/// Serves until the process is stopped.
pub async fn serve(addr: SocketAddr, scenario_dir: PathBuf) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    serve_on(listener, router(AppState::new(scenario_dir))).await
}

/// Serves `app` on a listener that is already bound (a free port, in tests).
pub async fn serve_on(listener: tokio::net::TcpListener, app: Router) -> std::io::Result<()> {
    axum::serve(listener, app).await
}
