//! The web page and its assets, compiled into the binary: nothing is fetched from the
//! internet at run time.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

/// An embedded file, by its path under `assets/`.
macro_rules! asset {
    ($path:literal, $kind:expr) => {
        ($path, $kind, include_bytes!(concat!("../assets/", $path)))
    };
}

/// `(path, content type, bytes)` of every embedded file. The page's script is a set of ES
/// modules under `js/` (one per view, and the parts they share), loaded by the browser as
/// they are: there is no build step.
const FILES: &[(&str, &str, &[u8])] = &[
    asset!("index.html", "text/html; charset=utf-8"),
    asset!("style.css", CSS),
    asset!("js/main.js", JS),
    asset!("js/api.js", JS),
    asset!("js/dom.js", JS),
    asset!("js/format.js", JS),
    asset!("js/messages.js", JS),
    asset!("js/state.js", JS),
    asset!("js/tabs.js", JS),
    asset!("js/colours.js", JS),
    asset!("js/charts.js", JS),
    asset!("js/pickers.js", JS),
    asset!("js/toml.js", JS),
    asset!("js/dialog.js", JS),
    asset!("js/downloads.js", JS),
    asset!("js/jobs.js", JS),
    asset!("js/map/map.js", JS),
    asset!("js/map/network.js", JS),
    asset!("js/map/symbols.js", JS),
    asset!("js/map/labels.js", JS),
    asset!("js/map/legend.js", JS),
    asset!("js/map/overlays.js", JS),
    asset!("js/map/export.js", JS),
    asset!("js/views/routes.js", JS),
    asset!("js/views/scenarios.js", JS),
    asset!("js/views/runs.js", JS),
    asset!("js/views/compare.js", JS),
    asset!("js/views/game.js", JS),
    asset!("js/views/resilience.js", JS),
    asset!("js/views/appraise.js", JS),
    asset!("js/views/fit.js", JS),
    asset!("js/views/water.js", JS),
    asset!("js/views/power.js", JS),
    asset!("js/views/sweeps.js", JS),
    asset!("vendor/leaflet/leaflet.js", JS),
    asset!("vendor/leaflet/leaflet.css", CSS),
];

/// The country boundaries drawn under the network.
pub const BASEMAP: &[u8] = karvan_report::BASEMAP;

/// The OpenAPI description of the API.
pub const OPENAPI: &str = include_str!("openapi.json");

/// Serves an embedded file, or 404.
pub fn file(path: &str) -> Response {
    match FILES.iter().find(|(p, _, _)| *p == path) {
        Some((_, kind, bytes)) => (
            [
                (header::CONTENT_TYPE, *kind),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            *bytes,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::FILES;

    /// Every module under `assets/js/` is embedded: one left out would fail to load in the page.
    #[test]
    fn every_module_is_embedded() {
        fn walk(dir: &std::path::Path, out: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(&path, out);
                } else if path.extension().is_some_and(|e| e == "js") {
                    out.push(path.to_string_lossy().replace('\\', "/"));
                }
            }
        }
        let assets = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets");
        let mut found = Vec::new();
        walk(&assets.join("js"), &mut found);
        assert!(!found.is_empty(), "no modules under assets/js");
        let prefix = format!("{}/", assets.to_string_lossy().replace('\\', "/"));
        for path in found {
            let rel = path.strip_prefix(&prefix).unwrap();
            assert!(
                FILES.iter().any(|(p, _, _)| *p == rel),
                "{rel} is not listed in src/assets.rs"
            );
        }
    }
}
