//! Every API endpoint, with good and bad input. Bad input gets a clear 4xx with a JSON
//! message and changes nothing on disk.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use karvan_server::{router, AppState, MAX_BODY_BYTES};
use serde_json::Value;
use tower::ServiceExt;

struct Server {
    dir: tempfile::TempDir,
}

impl Server {
    fn new() -> Server {
        Server {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    async fn call(
        &self,
        method: &str,
        uri: &str,
        body: impl Into<Body>,
        content_type: &str,
    ) -> (StatusCode, Value, String) {
        let app = router(AppState::new(self.dir.path().to_path_buf()));
        let req = Request::builder()
            .method(method)
            .uri(uri)
            .header("content-type", content_type)
            .body(body.into())
            .unwrap();
        let res = app.oneshot(req).await.unwrap();
        let status = res.status();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::Null),
            text,
        )
    }

    async fn get(&self, uri: &str) -> (StatusCode, Value) {
        let (s, v, _) = self.call("GET", uri, Body::empty(), "text/plain").await;
        (s, v)
    }

    fn saved(&self) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }
}

/// Starts a background job with a JSON body and returns the 202 answer (`{id, status}`).
async fn start_job(app: &axum::Router, uri: &str, body: &'static str) -> Value {
    let req = Request::builder()
        .method("POST")
        .uri(uri)
        .header("content-type", "application/json")
        .body(Body::from(body))
        .unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    serde_json::from_slice(&res.into_body().collect().await.unwrap().to_bytes()).unwrap()
}

/// Polls `uri` until its `status` is no longer `running` (at most 30 s).
async fn poll(app: &axum::Router, uri: &str) -> Value {
    for _ in 0..600 {
        let req = Request::builder().uri(uri).body(Body::empty()).unwrap();
        let res = app.clone().oneshot(req).await.unwrap();
        let v: Value =
            serde_json::from_slice(&res.into_body().collect().await.unwrap().to_bytes()).unwrap();
        if v["status"] != "running" {
            return v;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{uri} still running after 30 s");
}

fn error_of(v: &Value) -> &str {
    v["error"]
        .as_str()
        .unwrap_or_else(|| panic!("not a JSON error: {v}"))
}

#[tokio::test]
async fn health_openapi_and_the_page() {
    let s = Server::new();
    let (st, v) = s.get("/api/health").await;
    assert_eq!((st, v["status"].as_str()), (StatusCode::OK, Some("ok")));
    let (st, v) = s.get("/api/openapi.json").await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(v["openapi"], "3.0.3");
    assert!(v["paths"].as_object().unwrap().contains_key("/api/route"));
    let (st, _, text) = s.call("GET", "/", Body::empty(), "text/plain").await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        text.contains("<html") || text.is_empty(),
        "index.html is served"
    );
    let (st, _, js) = s
        .call(
            "GET",
            "/assets/vendor/leaflet/leaflet.js",
            Body::empty(),
            "text/plain",
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert!(js.contains("Leaflet"));
    let (st, v) = s.get("/api/no-such-thing").await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert!(error_of(&v).contains("openapi"));
}

#[tokio::test]
async fn reference_data() {
    let s = Server::new();
    let (st, v) = s.get("/api/places").await;
    assert_eq!(st, StatusCode::OK);
    assert!(v
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["name"] == "Tashkent"));
    let (_, v) = s.get("/api/commodities").await;
    assert!(v.as_array().unwrap().iter().any(|c| c["id"] == "container"));
    let (_, v) = s.get("/api/countries").await;
    assert!(v
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["iso3"] == "AFG" && !c["tariffs"].as_array().unwrap().is_empty()));
    let (st, v) = s.get("/api/basemap").await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(v["type"], "FeatureCollection");
}

#[tokio::test]
async fn network_of_a_scenario() {
    let s = Server::new();
    let (st, base) = s.get("/api/network").await;
    assert_eq!(st, StatusCode::OK);
    let features = base["features"].as_array().unwrap();
    for kind in ["node", "link", "crossing"] {
        assert!(
            features.iter().any(|f| f["properties"]["element"] == kind),
            "no {kind}"
        );
    }
    let torkham_open = |v: &Value| {
        v["features"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["properties"]["id"] == "torkham-road")
            .unwrap()["properties"]["open"]
            .clone()
    };
    assert_eq!(torkham_open(&base), true);
    let (_, closed) = s.get("/api/network?scenario=torkham-chaman-closed").await;
    assert_eq!(torkham_open(&closed), false);
    let (st, v) = s.get("/api/network?scenario=nowhere").await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert!(error_of(&v).contains("shipped"));
    let (st, v) = s.get("/api/network?scenario=../../etc/passwd").await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(error_of(&v).contains("not a scenario name"));
}

#[tokio::test]
async fn routes_with_breakdown_geometry_and_staircase() {
    let s = Server::new();
    let (st, v) = s
        .get("/api/route?from=Tashkent&to=Karachi&commodity=container&alternatives=3")
        .await;
    assert_eq!(st, StatusCode::OK);
    let routes = v["routes"].as_array().unwrap();
    assert!(routes.len() >= 2);
    for r in routes {
        assert!(r["geometry"].as_array().unwrap().len() >= 2);
        let stairs = r["staircase"].as_array().unwrap();
        let last = stairs.last().unwrap();
        assert!(
            (last["cost_usd_per_t"].as_f64().unwrap()
                - (r["total"]["operating"].as_f64().unwrap()
                    + r["total"]["tariff"].as_f64().unwrap()
                    + r["total"]["border_fees"].as_f64().unwrap()
                    + r["total"]["transfers"].as_f64().unwrap()
                    + r["total"]["risk"].as_f64().unwrap()
                    + r["total"]["time_cost"].as_f64().unwrap()))
            .abs()
                < 1e-6
        );
    }
    let (st, v) = s.get("/api/route?from=Tashkint%20Cityx&to=Karachi").await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(error_of(&v).contains("did you mean"), "{v}");
    let (st, v) = s
        .get("/api/route?from=Tashkent&to=Karachi&commodity=gold")
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(error_of(&v).contains("unknown commodity"));
    let (st, v) = s.get("/api/route?from=Tashkent").await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(error_of(&v).contains("to"), "{v}");
    let (st, _) = s.get("/api/route?from=Tashkent&to=Tashkent").await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn select_link() {
    let s = Server::new();
    let (st, v) = s.get("/api/select-link?id=torkham-road").await;
    assert_eq!(st, StatusCode::OK);
    assert!(!v["users"].as_array().unwrap().is_empty());
    let (st, v) = s.get("/api/select-link?id=atlantis-road").await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert!(error_of(&v).contains("atlantis-road"));
}

const GOOD: &str = "base = \"central-asia-afghanistan\"\nyear = 2026\n[[tariff]]\ncountry = \"UZB\"\npercent = -30\n";

#[tokio::test]
async fn scenarios_save_list_and_refuse_bad_input_without_writing() {
    let s = Server::new();
    let (st, v) = s.get("/api/scenarios").await;
    assert_eq!(st, StatusCode::OK);
    assert!(v
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["name"] == "trans-afghan" && x["origin"] == "shipped"));

    // Malformed TOML, unknown ids, shipped names, bad names, huge bodies: refused, nothing written.
    let (st, v, _) = s
        .call(
            "PUT",
            "/api/scenarios/bad",
            "base = = 3",
            "application/toml",
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(error_of(&v).contains("bad.toml:1"), "{v}");
    let (st, v, _) = s
        .call(
            "PUT",
            "/api/scenarios/bad",
            "base = \"central-asia-afghanistan\"\nclosures = [\"atlantis-road\"]",
            "application/toml",
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(error_of(&v).contains("unknown link or crossing `atlantis-road`"));
    let (st, _, _) = s
        .call("PUT", "/api/scenarios/today", GOOD, "application/toml")
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    let (st, _, _) = s
        .call("PUT", "/api/scenarios/Bad%20Name", GOOD, "application/toml")
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let (st, _, _) = s
        .call(
            "PUT",
            "/api/scenarios/elsewhere",
            "base = \"../somewhere\"",
            "application/toml",
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let huge = format!("{GOOD}# {}\n", "x".repeat(MAX_BODY_BYTES));
    let (st, v, _) = s
        .call("PUT", "/api/scenarios/huge", huge, "application/toml")
        .await;
    assert_eq!(st, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(error_of(&v).contains("length limit"));
    assert!(s.saved().is_empty(), "nothing saved: {:?}", s.saved());

    let (st, v, _) = s
        .call("PUT", "/api/scenarios/uzb-cut", GOOD, "application/toml")
        .await;
    assert_eq!((st, v["saved"].as_bool()), (StatusCode::OK, Some(true)));
    assert_eq!(s.saved(), vec!["uzb-cut.toml".to_string()]);
    let (_, v) = s.get("/api/scenarios").await;
    assert!(v
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["name"] == "uzb-cut" && x["origin"] == "saved"));
    let (st, v) = s.get("/api/scenarios/uzb-cut").await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(v["scenario"]["tariff"][0]["country"], "UZB");
    let (st, _) = s.get("/api/scenarios/nope").await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn runs_go_from_running_to_done_and_bad_requests_start_nothing() {
    let s = Server::new();
    let (st, _, _) = s
        .call("PUT", "/api/scenarios/uzb-cut", GOOD, "application/toml")
        .await;
    assert_eq!(st, StatusCode::OK);
    let app = router(AppState::new(s.dir.path().to_path_buf()));
    let v = start_job(&app, "/api/runs", r#"{"scenario":"uzb-cut"}"#).await;
    let id = v["id"].as_u64().unwrap();
    let done = poll(&app, &format!("/api/runs/{id}")).await;
    assert_eq!(done["status"], "done", "{done}");
    assert!(done["results"]["routed_tonnes"].as_f64().unwrap() > 0.0);
    let req = Request::builder()
        .uri(format!("/api/runs/{id}/flows"))
        .body(Body::empty())
        .unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);

    let (st, v, _) = s
        .call(
            "POST",
            "/api/runs",
            r#"{"scenario":"nowhere"}"#,
            "application/json",
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert!(error_of(&v).contains("nowhere"));
    let (st, v, _) = s
        .call("POST", "/api/runs", "{not json", "application/json")
        .await;
    assert!(st.is_client_error());
    assert!(error_of(&v).contains("request body"));
    let (st, _, _) = s
        .call(
            "POST",
            "/api/runs",
            r#"{"scenario":"base","extra":1}"#,
            "application/json",
        )
        .await;
    assert!(st.is_client_error());
    let (st, _) = s.get("/api/runs/999").await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = s.get("/api/runs/abc").await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn compare_two_scenarios() {
    let s = Server::new();
    let (st, v) = s.get("/api/compare?a=base&b=trans-afghan").await;
    assert_eq!(st, StatusCode::OK);
    assert!(v["comparison"]["corridors"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["corridor"].as_str().unwrap().contains("Trans-Afghan")));
    assert_eq!(v["flow_changes"]["type"], "FeatureCollection");
    let (st, _) = s.get("/api/compare?a=base").await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let (st, _) = s.get("/api/compare?a=base&b=nowhere").await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_tariff_game_runs_in_the_background() {
    let s = Server::new();
    let app = router(AppState::new(s.dir.path().to_path_buf()));
    let v = start_job(
        &app,
        "/api/games",
        r#"{"scenario":"base","players":["UZB","AFG","PAK"]}"#,
    )
    .await;
    let id = v["id"].as_u64().unwrap();
    let req = Request::builder()
        .uri(format!("/api/games/{id}"))
        .body(Body::empty())
        .unwrap();
    let first: Value = serde_json::from_slice(
        &app.clone()
            .oneshot(req)
            .await
            .unwrap()
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes(),
    )
    .unwrap();
    assert!(
        first["status"] == "done" || first["coalitions"] == 8,
        "{first}"
    );
    let done = poll(&app, &format!("/api/games/{id}")).await;
    assert_eq!(done["status"], "done", "{done}");
    let shapley: f64 = done["analysis"]["shapley"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .sum();
    let grand = done["analysis"]["coalition_values"][7].as_f64().unwrap();
    assert!((shapley - grand).abs() <= 1e-6 * grand.abs());
    assert!(done["model"].as_str().unwrap().contains("outside option"));

    let (st, v, _) = s
        .call(
            "POST",
            "/api/games",
            r#"{"scenario":"base","players":["XXX"]}"#,
            "application/json",
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(error_of(&v).contains("unknown player `XXX`"));
    let (st, _, _) = s
        .call(
            "POST",
            "/api/games",
            r#"{"scenario":"base","dispersion":-1}"#,
            "application/json",
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let (st, _) = s.get("/api/games/12345").await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn closures_and_resilience() {
    let s = Server::new();
    let (st, v) = s.get("/api/risk?close=AFG-PAK&start=285&days=60").await;
    assert_eq!(st, StatusCode::OK);
    assert!(v["closed"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n == "Torkham (road)"));
    assert!(v["year"]["cost_usd"].as_f64().unwrap() > v["base"]["cost_usd"].as_f64().unwrap());
    let (st, v) = s.get("/api/risk?close=atlantis-road").await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(error_of(&v).contains("atlantis-road"));
    let (st, _) = s.get("/api/risk?close=AFG-PAK&days=-3").await;
    assert_eq!(st, StatusCode::BAD_REQUEST);

    let app = router(AppState::new(s.dir.path().to_path_buf()));
    let v = start_job(
        &app,
        "/api/resilience",
        r#"{"scenario":"base","samples":20,"seed":5}"#,
    )
    .await;
    let done = poll(&app, &format!("/api/resilience/{}", v["id"])).await;
    assert_eq!(done["status"], "done", "{done}");
    assert!(done["analysis"]["criticality"].as_array().unwrap().len() > 200);
    assert_eq!(done["analysis"]["monte_carlo"]["samples"], 20);
    let (st, _, _) = s
        .call(
            "POST",
            "/api/resilience",
            r#"{"scenario":"base","samples":999999}"#,
            "application/json",
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn closures_from_the_scenario_and_partial_closures() {
    let s = Server::new();
    let (st, from_scenario) = s.get("/api/risk?scenario=afpak-closure-2025").await;
    assert_eq!(st, StatusCode::OK);
    let (_, from_query) = s
        .get("/api/risk?scenario=afpak-closure-2025&close=AFG-PAK&start=285&days=60")
        .await;
    assert_eq!(from_scenario["year"], from_query["year"]);
    let (st, v) = s
        .get("/api/risk?close=torkham-road&capacity_share=0.5")
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let (st, v) = s
        .get("/api/risk?close=termez-galaba-rail&capacity_share=0.5")
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(error_of(&v).contains("no capacity"));
}
