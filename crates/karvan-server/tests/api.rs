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

/// Polls `uri` until its `status` is final (`done`, `failed`, `cancelled`; at most 60 s,
/// as the background jobs of the tests running at the same time share the cores).
async fn poll(app: &axum::Router, uri: &str) -> Value {
    for _ in 0..1200 {
        let req = Request::builder().uri(uri).body(Body::empty()).unwrap();
        let res = app.clone().oneshot(req).await.unwrap();
        let v: Value =
            serde_json::from_slice(&res.into_body().collect().await.unwrap().to_bytes()).unwrap();
        if !["queued", "running", "cancelling"].contains(&v["status"].as_str().unwrap_or("")) {
            return v;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{uri} still running after 60 s");
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
                - (r["total"]["freight"].as_f64().unwrap()
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
    assert!(error_of(&v).contains("`atlantis-road`"), "{v}");
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

// ---- Saving, renaming, deleting and undoing scenarios -------------------------------

const GOOD_V2: &str = "base = \"central-asia-afghanistan\"\nyear = 2027\n[[tariff]]\ncountry = \"UZB\"\npercent = -50\n";

impl Server {
    fn read(&self, rel: &str) -> Option<String> {
        std::fs::read_to_string(self.dir.path().join(rel)).ok()
    }

    async fn put(&self, uri: &str, body: &str) -> (StatusCode, Value) {
        let (s, v, _) = self
            .call("PUT", uri, body.to_string(), "application/toml")
            .await;
        (s, v)
    }

    async fn post(&self, uri: &str, body: &str) -> (StatusCode, Value) {
        let (s, v, _) = self
            .call("POST", uri, body.to_string(), "application/json")
            .await;
        (s, v)
    }

    async fn delete(&self, uri: &str) -> (StatusCode, Value) {
        let (s, v, _) = self.call("DELETE", uri, Body::empty(), "text/plain").await;
        (s, v)
    }
}

#[tokio::test]
async fn second_put_without_overwrite_is_refused() {
    let s = Server::new();
    assert_eq!(s.put("/api/scenarios/mine", GOOD).await.0, StatusCode::OK);
    let (st, v) = s.put("/api/scenarios/mine", GOOD_V2).await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert_eq!(v["code"], "exists", "{v}");
    assert!(error_of(&v).contains("overwrite=true"));
    assert_eq!(
        s.read("mine.toml").as_deref(),
        Some(GOOD),
        "the first save is intact"
    );
    assert!(s.read(".history/mine.toml").is_none());
    let (st, _) = s.put("/api/scenarios/mine?overwrite=maybe", GOOD_V2).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert_eq!(s.read("mine.toml").as_deref(), Some(GOOD));
}

#[tokio::test]
async fn overwrite_keeps_the_previous_version_and_undo_twice_is_redo() {
    let s = Server::new();
    s.put("/api/scenarios/mine", GOOD).await;
    let (st, v) = s.put("/api/scenarios/mine?overwrite=true", GOOD_V2).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["overwritten"], true);
    assert_eq!(s.read("mine.toml").as_deref(), Some(GOOD_V2));
    assert_eq!(s.read(".history/mine.toml").as_deref(), Some(GOOD));
    let (_, list) = s.get("/api/scenarios").await;
    let mine = list
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["name"] == "mine")
        .unwrap();
    assert_eq!(mine["undo"], true);
    assert!(
        !list
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["name"].as_str().unwrap().contains("history")),
        "{list}"
    );

    let (st, v) = s.post("/api/scenarios/mine/undo", "").await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(
        (v["name"].as_str(), v["restored"].as_bool()),
        (Some("mine"), Some(true))
    );
    assert_eq!(s.read("mine.toml").as_deref(), Some(GOOD));
    assert_eq!(s.read(".history/mine.toml").as_deref(), Some(GOOD_V2));
    s.post("/api/scenarios/mine/undo", "").await;
    assert_eq!(s.read("mine.toml").as_deref(), Some(GOOD_V2));
    assert_eq!(s.read(".history/mine.toml").as_deref(), Some(GOOD));
}

#[tokio::test]
async fn undo_without_history_is_a_404_no_history() {
    let s = Server::new();
    let (st, v) = s.post("/api/scenarios/mine/undo", "").await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_eq!(v["code"], "no_history", "{v}");
    s.put("/api/scenarios/mine", GOOD).await;
    let (st, v) = s.post("/api/scenarios/mine/undo", "").await;
    assert_eq!(
        (st, v["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("no_history"))
    );
    assert_eq!(s.read("mine.toml").as_deref(), Some(GOOD));
}

#[tokio::test]
async fn delete_moves_the_scenario_aside_and_undo_brings_it_back() {
    let s = Server::new();
    s.put("/api/scenarios/mine", GOOD).await;
    let (st, v) = s.delete("/api/scenarios/mine").await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(
        (v["deleted"].as_str(), v["undo"].as_bool()),
        (Some("mine"), Some(true))
    );
    assert!(s.read("mine.toml").is_none());
    let (_, list) = s.get("/api/scenarios").await;
    assert!(!list.as_array().unwrap().iter().any(|x| x["name"] == "mine"));
    assert_eq!(s.get("/api/scenarios/mine").await.0, StatusCode::NOT_FOUND);

    let (st, _) = s.post("/api/scenarios/mine/undo", "").await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(s.read("mine.toml").as_deref(), Some(GOOD));
    assert!(s.read(".history/mine.toml").is_none());

    let (st, v) = s.delete("/api/scenarios/absent").await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    error_of(&v);
    for shipped in ["trans-afghan", "base"] {
        let (st, v) = s.delete(&format!("/api/scenarios/{shipped}")).await;
        assert_eq!(st, StatusCode::CONFLICT, "{shipped}");
        assert_eq!(v["code"], "shipped");
    }
    let (st, _) = s.delete("/api/scenarios/..%2Fetc").await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn rename_rewrites_only_the_name_field() {
    let s = Server::new();
    let text = "# My scenario\nname = \"old-one\"   # shown in reports\ndescription = \"Tariff cut\"\nbase = \"central-asia-afghanistan\"\n[[tariff]]\ncountry = \"UZB\"\npercent = -30\n";
    let (st, v) = s.put("/api/scenarios/old-one", text).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let (st, v) = s
        .post("/api/scenarios/old-one/rename", r#"{"to":"new-one"}"#)
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["name"], "new-one");
    assert!(s.read("old-one.toml").is_none());
    assert_eq!(
        s.read("new-one.toml").unwrap(),
        text.replace("name = \"old-one\"", "name = \"new-one\"")
    );

    // Without a name field, the text is kept byte for byte.
    s.put("/api/scenarios/plain", GOOD).await;
    let (st, _) = s
        .post("/api/scenarios/plain/rename", r#"{"to":"plain-two"}"#)
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(s.read("plain-two.toml").as_deref(), Some(GOOD));

    // Refusals change nothing.
    let (st, v) = s
        .post("/api/scenarios/plain-two/rename", r#"{"to":"new-one"}"#)
        .await;
    assert_eq!(
        (st, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("exists"))
    );
    let (st, _) = s
        .post("/api/scenarios/absent/rename", r#"{"to":"other"}"#)
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = s
        .post("/api/scenarios/plain-two/rename", r#"{"to":"Bad Name"}"#)
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let (st, v) = s
        .post(
            "/api/scenarios/plain-two/rename",
            r#"{"to":"trans-afghan"}"#,
        )
        .await;
    assert_eq!(
        (st, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("shipped"))
    );
    let (st, _) = s
        .post("/api/scenarios/plain-two/rename", r#"{"too":"x"}"#)
        .await;
    assert!(st.is_client_error());
    assert_eq!(s.saved(), vec!["new-one.toml", "plain-two.toml"]);
}

// ---- Background jobs: the queue, cancellation, expiry ---------------------------------

fn app_with(s: &Server, limits: karvan_server::Limits) -> axum::Router {
    router(AppState::with_limits(s.dir.path().to_path_buf(), limits))
}

async fn send(
    app: &axum::Router,
    method: &str,
    uri: &str,
    body: &'static str,
) -> (StatusCode, Value, axum::http::HeaderMap) {
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/json")
        .body(Body::from(body))
        .unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    let (status, headers) = (res.status(), res.headers().clone());
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        headers,
    )
}

const LONG_RESILIENCE: &str = r#"{"scenario":"base","samples":5000,"seed":3}"#;

#[tokio::test]
async fn a_full_queue_answers_503_with_retry_after() {
    let s = Server::new();
    let app = app_with(
        &s,
        karvan_server::Limits {
            workers: 1,
            queue: 1,
            ..Default::default()
        },
    );
    let first = start_job(&app, "/api/resilience", LONG_RESILIENCE).await;
    // Once the only worker has taken the first job, the second waits in the queue.
    let uri = format!("/api/resilience/{}", first["id"]);
    while send(&app, "GET", &uri, "").await.1["status"] == "queued" {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let second = start_job(&app, "/api/resilience", LONG_RESILIENCE).await;
    assert_eq!(second["status"], "queued");
    let (st, v, headers) = send(&app, "POST", "/api/resilience", LONG_RESILIENCE).await;
    assert_eq!(st, StatusCode::SERVICE_UNAVAILABLE, "{v}");
    assert_eq!(v["code"], "busy");
    assert!(error_of(&v).contains("waiting"));
    assert!(headers.get("retry-after").is_some());
    let (st, _, _) = send(&app, "POST", "/api/runs", r#"{"scenario":"base"}"#).await;
    assert_eq!(
        st,
        StatusCode::SERVICE_UNAVAILABLE,
        "the queue is shared by every kind of job"
    );

    // The waiting job is dropped at once when cancelled, which frees its place.
    let (st, v, _) = send(
        &app,
        "DELETE",
        &format!("/api/resilience/{}", second["id"]),
        "",
    )
    .await;
    assert_eq!(
        (st, v["status"].as_str()),
        (StatusCode::OK, Some("cancelled")),
        "{v}"
    );
    let v = start_job(&app, "/api/runs", r#"{"scenario":"base"}"#).await;
    send(
        &app,
        "DELETE",
        &format!("/api/resilience/{}", first["id"]),
        "",
    )
    .await;
    let done = poll(&app, &format!("/api/runs/{}", v["id"])).await;
    assert_eq!(done["status"], "done");
}

#[tokio::test]
async fn delete_cancels_a_running_resilience_job() {
    let s = Server::new();
    let app = router(AppState::new(s.dir.path().to_path_buf()));
    let v = start_job(&app, "/api/resilience", LONG_RESILIENCE).await;
    let uri = format!("/api/resilience/{}", v["id"]);
    // Wait until it has made progress, so that it is cancelled mid-way.
    for _ in 0..600 {
        let (_, v, _) = send(&app, "GET", &uri, "").await;
        if v["done"].as_u64().unwrap_or(0) > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let (st, v, _) = send(&app, "DELETE", &uri, "").await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert!(
        v["status"] == "cancelling" || v["status"] == "cancelled",
        "{v}"
    );
    let cancelled = std::time::Instant::now();
    let end = poll(&app, &uri).await;
    assert_eq!(end["status"], "cancelled", "{end}");
    assert!(end.get("analysis").is_none());
    assert!(
        end["done"].as_u64().unwrap() < end["total"].as_u64().unwrap() / 2,
        "{end}"
    );
    // It stops within the steps under way, long before the 5,000 years would be done.
    assert!(cancelled.elapsed() < std::time::Duration::from_secs(20));
    let (st, v, _) = send(&app, "DELETE", &uri, "").await;
    assert_eq!(
        (st, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("finished"))
    );
    let (st, _, _) = send(&app, "DELETE", "/api/resilience/99999", "").await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn delete_cancels_a_running_game() {
    let s = Server::new();
    let app = router(AppState::new(s.dir.path().to_path_buf()));
    let v = start_job(&app, "/api/games", r#"{"scenario":"base"}"#).await;
    let uri = format!("/api/games/{}", v["id"]);
    // Cancelled among the coalitions, it solves none of those not yet started.
    for _ in 0..1200 {
        let (_, v, _) = send(&app, "GET", &uri, "").await;
        if v["coalitions_done"].as_u64().unwrap_or(0) > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    let (st, _, _) = send(&app, "DELETE", &uri, "").await;
    assert_eq!(st, StatusCode::OK);
    let end = poll(&app, &uri).await;
    assert_eq!(end["status"], "cancelled", "{end}");
    let done = end["coalitions_done"].as_u64().unwrap();
    assert!(
        done < 64,
        "{done} of 128 coalitions solved after the cancellation"
    );
}

#[tokio::test]
async fn finished_jobs_expire_and_say_so() {
    let s = Server::new();
    let app = app_with(
        &s,
        karvan_server::Limits {
            keep_finished: 1,
            ..Default::default()
        },
    );
    let first = start_job(&app, "/api/runs", r#"{"scenario":"base"}"#).await;
    let uri = format!("/api/runs/{}", first["id"]);
    assert_eq!(poll(&app, &uri).await["status"], "done");
    let second = start_job(&app, "/api/runs", r#"{"scenario":"base"}"#).await;
    assert_eq!(
        poll(&app, &format!("/api/runs/{}", second["id"])).await["status"],
        "done"
    );
    let (st, v, _) = send(&app, "GET", &uri, "").await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_eq!(v["code"], "expired", "{v}");
    assert!(error_of(&v).contains("expired"));
    let (st, v, _) = send(&app, "GET", &format!("{uri}/flows"), "").await;
    assert_eq!(
        (st, v["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("expired"))
    );
    // An id of another kind is not "expired" but unknown.
    let (st, v, _) = send(&app, "GET", &format!("/api/games/{}", first["id"]), "").await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert!(v.get("code").is_none(), "{v}");

    let app = app_with(
        &s,
        karvan_server::Limits {
            keep_for: std::time::Duration::ZERO,
            ..Default::default()
        },
    );
    let v = start_job(&app, "/api/runs", r#"{"scenario":"base"}"#).await;
    let uri = format!("/api/runs/{}", v["id"]);
    for _ in 0..600 {
        let (st, v, _) = send(&app, "GET", &uri, "").await;
        if st == StatusCode::NOT_FOUND {
            assert_eq!(v["code"], "expired");
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the run never expired");
}

// ---- Connections: timeouts, and health while jobs run ----------------------------------

/// Starts a real server on a free loopback port.
async fn listen(state: AppState, options: karvan_server::ServeOptions) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(karvan_server::serve_with(listener, router(state), options));
    addr
}

/// Sends `request` (raw bytes) and reads until the server closes the connection or
/// `wait` passes; returns what was read and how long it took.
async fn raw(
    addr: std::net::SocketAddr,
    request: Vec<u8>,
    wait: std::time::Duration,
) -> (String, std::time::Duration, bool) {
    tokio::task::spawn_blocking(move || {
        use std::io::{Read, Write};
        let started = std::time::Instant::now();
        let mut c = std::net::TcpStream::connect(addr).unwrap();
        c.set_read_timeout(Some(wait)).unwrap();
        // The server may answer and close before all of an over-long request is sent.
        let _ = c.write_all(&request);
        let mut got = Vec::new();
        let mut buf = [0u8; 4096];
        let closed = loop {
            match c.read(&mut buf) {
                Ok(0) => break true,
                Ok(n) => got.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break true,
                Err(_) => break false,
            }
        };
        (
            String::from_utf8_lossy(&got).into_owned(),
            started.elapsed(),
            closed,
        )
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn slow_loris_connection_is_closed_after_the_header_timeout() {
    let s = Server::new();
    let timeout = std::time::Duration::from_millis(300);
    let addr = listen(
        AppState::new(s.dir.path().to_path_buf()),
        karvan_server::ServeOptions {
            header_timeout: timeout,
            ..Default::default()
        },
    )
    .await;
    let half = b"GET /api/health HTTP/1.1\r\nHost: localhost\r\nX-Slow: ".to_vec();
    let (_, took, closed) = raw(addr, half, std::time::Duration::from_secs(10)).await;
    assert!(closed, "the half-sent request's connection is still open");
    assert!(
        took >= timeout && took < std::time::Duration::from_secs(5),
        "{took:?}"
    );

    // A kept-alive connection that goes quiet after a request is closed the same way.
    let whole = b"GET /api/health HTTP/1.1\r\nHost: localhost\r\n\r\n".to_vec();
    let (text, _, closed) = raw(addr, whole, std::time::Duration::from_secs(10)).await;
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(closed, "the idle connection is still open");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_beyond_the_cap_wait_for_a_free_place() {
    let s = Server::new();
    let timeout = std::time::Duration::from_millis(800);
    let addr = listen(
        AppState::new(s.dir.path().to_path_buf()),
        karvan_server::ServeOptions {
            header_timeout: timeout,
            max_connections: 1,
            ..Default::default()
        },
    )
    .await;
    // The only place is taken by a connection that sends nothing ...
    let idle = raw(addr, Vec::new(), std::time::Duration::from_secs(10));
    let idle = tokio::spawn(idle);
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    // ... so the next is answered only once that one has timed out.
    let (text, took, _) = raw(
        addr,
        b"GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".to_vec(),
        std::time::Duration::from_secs(10),
    )
    .await;
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(
        took >= timeout / 2,
        "answered after {took:?}, before the first connection was closed"
    );
    assert!(idle.await.unwrap().2, "the idle connection was closed");
}

#[tokio::test]
async fn a_body_sent_too_slowly_is_a_json_408() {
    let s = Server::new();
    let state = AppState::with_limits(
        s.dir.path().to_path_buf(),
        karvan_server::Limits {
            body_timeout: std::time::Duration::from_millis(300),
            ..Default::default()
        },
    );
    let addr = listen(state, Default::default()).await;
    let req = b"PUT /api/scenarios/slow HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\nbase = ".to_vec();
    let (text, _, _) = raw(addr, req, std::time::Duration::from_secs(10)).await;
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains("{\"error\":"), "{text}");
    assert!(s.saved().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_answers_while_cpu_jobs_and_routes_run() {
    let s = Server::new();
    let state = AppState::new(s.dir.path().to_path_buf());
    let app = router(state.clone());
    let addr = listen(state, Default::default()).await;
    let mut jobs = Vec::new();
    for _ in 0..3 {
        jobs.push(start_job(&app, "/api/resilience", LONG_RESILIENCE).await["id"].clone());
    }
    let routes: Vec<_> = (0..8)
        .map(|_| {
            raw(
                addr,
                b"GET /api/route?from=Tashkent&to=Karachi&alternatives=5 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".to_vec(),
                std::time::Duration::from_secs(60),
            )
        })
        .collect();
    let routes = tokio::spawn(async move {
        let mut ok = 0;
        for r in routes {
            ok += r.await.0.starts_with("HTTP/1.1 200") as usize;
        }
        ok
    });
    for _ in 0..5 {
        let (text, _, _) = raw(
            addr,
            b"GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".to_vec(),
            std::time::Duration::from_secs(30),
        )
        .await;
        assert!(text.starts_with("HTTP/1.1 200"), "{text}");
        assert!(text.contains("\"status\":\"ok\""));
    }
    assert_eq!(routes.await.unwrap(), 8);
    for id in jobs {
        send(&app, "DELETE", &format!("/api/resilience/{id}"), "").await;
    }
}

// ---- Every error is JSON ----------------------------------------------------------------

#[tokio::test]
async fn unknown_asset_is_a_json_404() {
    let s = Server::new();
    let (st, v) = s.get("/assets/no-such-file.js").await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert!(error_of(&v).contains("no-such-file.js"));
}

#[tokio::test]
async fn too_long_uri_is_a_json_414() {
    let s = Server::new();
    let long = format!("/api/route?from={}&to=Karachi", "x".repeat(10_000));
    let (st, v) = s.get(&long).await;
    assert_eq!(st, StatusCode::URI_TOO_LONG);
    assert!(error_of(&v).contains("at most"));
}

#[tokio::test]
async fn body_that_is_not_utf8_is_a_json_400() {
    let s = Server::new();
    let bad: Vec<u8> = vec![b'b', b'a', 0xff, 0xfe, b'\n'];
    let (st, v, _) = s
        .call(
            "PUT",
            "/api/scenarios/bytes",
            bad.clone(),
            "application/toml",
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(error_of(&v).contains("UTF-8"), "{v}");
    let (st, v, _) = s.call("POST", "/api/runs", bad, "application/json").await;
    assert!(st.is_client_error());
    error_of(&v);
    let (st, v) = s.get("/api/scenarios/%FF%FE").await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    error_of(&v);
    assert!(s.saved().is_empty());
}

#[tokio::test]
async fn bad_json_is_a_json_error() {
    let s = Server::new();
    for body in ["{not json", "[]", r#"{"scenario": 3}"#, ""] {
        let (st, v, _) = s
            .call("POST", "/api/resilience", body, "application/json")
            .await;
        assert!(st.is_client_error(), "{body}");
        assert!(error_of(&v).contains("request body"), "{v}");
    }
    let (st, v, _) = s
        .call("POST", "/api/runs", r#"{"scenario":"base"}"#, "text/plain")
        .await;
    assert_eq!(st, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    error_of(&v);
}

#[tokio::test]
async fn method_not_allowed_is_a_json_405() {
    let s = Server::new();
    let app = router(AppState::new(s.dir.path().to_path_buf()));
    let (st, v, headers) = send(&app, "PATCH", "/api/scenarios/x", "").await;
    assert_eq!(st, StatusCode::METHOD_NOT_ALLOWED);
    assert!(error_of(&v).contains("PATCH"), "{v}");
    let allow = headers.get("allow").unwrap().to_str().unwrap();
    assert!(allow.contains("PUT") && allow.contains("DELETE"), "{allow}");
    let (st, v, _) = s
        .call("POST", "/api/health", Body::empty(), "text/plain")
        .await;
    assert_eq!(st, StatusCode::METHOD_NOT_ALLOWED);
    error_of(&v);
}

#[tokio::test]
async fn body_too_large_is_a_json_413() {
    let s = Server::new();
    let huge = format!("{{\"scenario\":\"{}\"}}", "x".repeat(MAX_BODY_BYTES));
    for uri in ["/api/runs", "/api/resilience", "/api/scenarios/x/rename"] {
        let (st, v, _) = s.call("POST", uri, huge.clone(), "application/json").await;
        assert_eq!(st, StatusCode::PAYLOAD_TOO_LARGE, "{uri}");
        assert!(error_of(&v).contains("length limit"));
    }
    let req = Request::builder()
        .method("PUT")
        .uri("/api/scenarios/x")
        .header("content-length", (MAX_BODY_BYTES + 1).to_string())
        .body(Body::from("base = 1"))
        .unwrap();
    let res = router(AppState::new(s.dir.path().to_path_buf()))
        .oneshot(req)
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn query_parse_failures_and_out_of_range_numbers_are_json_400s() {
    let s = Server::new();
    let cases = [
        (
            "/api/route?from=Tashkent&to=Karachi&alternatives=abc",
            "alternatives",
        ),
        (
            "/api/route?from=Tashkent&to=Karachi&alternatives=11",
            "alternatives",
        ),
        (
            "/api/route?from=Tashkent&to=Karachi&alternatives=NaN",
            "alternatives",
        ),
        (
            "/api/route?from=Tashkent&to=Karachi&alternatives=1.5",
            "alternatives",
        ),
        ("/api/risk?close=AFG-PAK&start=inf", "start"),
        ("/api/risk?close=AFG-PAK&start=400", "start"),
        ("/api/risk?close=AFG-PAK&days=NaN", "days"),
        (
            "/api/risk?close=AFG-PAK&capacity_share=1.5",
            "capacity_share",
        ),
        (
            "/api/risk?close=AFG-PAK&capacity_share=-inf",
            "capacity_share",
        ),
        ("/api/risk?close=AFG-PAK&days=x", "days"),
    ];
    for (uri, field) in cases {
        let (st, v) = s.get(uri).await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{uri}: {v}");
        assert!(error_of(&v).contains(field), "{uri}: {v}");
    }
    let (st, v) = s
        .get("/api/route?from=Tashkent&to=Karachi&alternatives=0")
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    for (body, field) in [
        (r#"{"scenario":"base","max_multiplier":1e999}"#, ""),
        (
            r#"{"scenario":"base","max_multiplier":0.5}"#,
            "max_multiplier",
        ),
        (r#"{"scenario":"base","dispersion":0}"#, "dispersion"),
        (
            r#"{"scenario":"base","outside_markup":11}"#,
            "outside_markup",
        ),
        (
            r#"{"scenario":"base","shipper_weight":-1}"#,
            "shipper_weight",
        ),
        (
            r#"{"scenario":"base","carrying_cost_usd_per_tkm":20}"#,
            "carrying_cost_usd_per_tkm",
        ),
    ] {
        let (st, v) = s.post("/api/games", body).await;
        assert!(st.is_client_error(), "{body}");
        assert!(error_of(&v).contains(field), "{body}: {v}");
    }
    let (st, v) = s
        .post("/api/resilience", r#"{"scenario":"base","samples":5001}"#)
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(error_of(&v).contains("samples"));
    let (st, v) = s
        .post("/api/resilience", r#"{"scenario":"base","samples":-1}"#)
        .await;
    assert!(st.is_client_error());
    assert!(error_of(&v).contains("samples"));
}

#[tokio::test]
async fn openapi_describes_the_new_endpoints() {
    let s = Server::new();
    let (_, v) = s.get("/api/openapi.json").await;
    for (path, method) in [
        ("/api/scenarios/{name}", "put"),
        ("/api/scenarios/{name}", "delete"),
        ("/api/scenarios/{name}/rename", "post"),
        ("/api/scenarios/{name}/undo", "post"),
        ("/api/runs/{id}", "delete"),
        ("/api/games/{id}", "delete"),
        ("/api/resilience/{id}", "delete"),
        ("/api/projects", "get"),
        ("/api/appraisals", "post"),
        ("/api/appraisals/{id}", "get"),
        ("/api/appraisals/{id}", "delete"),
    ] {
        assert!(v["paths"][path][method].is_object(), "{method} {path}");
    }
    let put = &v["paths"]["/api/scenarios/{name}"]["put"];
    assert!(put["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["name"] == "overwrite"));
    assert!(v["paths"]["/api/runs"]["post"]["responses"]["503"].is_object());
}

#[tokio::test]
async fn a_route_between_similar_names_says_which_places_were_taken() {
    let s = Server::new();
    let (st, v) = s
        .get("/api/route?from=Jalal-Abad&to=Osh&alternatives=0")
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["from"], "Jalal-Abad (Kyrgyzstan)");
    let notes = v["notes"].as_array().unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n.as_str().unwrap().contains("Jalalabad (jalalabad, AFG)")),
        "{v}"
    );
}

#[tokio::test]
async fn risk_start_days_count_from_1_january_as_on_the_command_line() {
    let s = Server::new();
    let (st, v) = s.get("/api/risk?close=torkham-road&start=0&days=10").await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{v}");
    let (st, v) = s
        .get("/api/risk?close=torkham-road&start=365&days=10")
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
}

#[tokio::test]
async fn requests_the_http_parser_refuses_get_json_errors_too() {
    let s = Server::new();
    let addr = listen(
        AppState::new(s.dir.path().to_path_buf()),
        Default::default(),
    )
    .await;
    let wait = std::time::Duration::from_secs(10);
    let huge_uri = format!(
        "GET /api/route?from={}&to=Karachi HTTP/1.1\r\nHost: x\r\n\r\n",
        "x".repeat(100_000)
    );
    let huge_headers = format!(
        "GET /api/health HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
        "x".repeat(600_000)
    );
    let cases: [(Vec<u8>, &str); 4] = [
        (huge_uri.into_bytes(), "HTTP/1.1 414"),
        (huge_headers.into_bytes(), "HTTP/1.1 431"),
        (b"NOT HTTP AT ALL\r\n\r\n".to_vec(), "HTTP/1.1 400"),
        (
            format!("GET /api/route?from={}&to=Karachi HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "x".repeat(10_000)).into_bytes(),
            "HTTP/1.1 414",
        ),
    ];
    for (request, status) in cases {
        let (text, _, _) = raw(addr, request, wait).await;
        assert!(text.starts_with(status), "{status}: {text}");
        assert!(
            text.to_ascii_lowercase()
                .contains("content-type: application/json"),
            "{text}"
        );
        let body = text.split("\r\n\r\n").nth(1).unwrap_or("");
        let v: Value = serde_json::from_str(body).unwrap_or(Value::Null);
        assert!(!error_of(&v).is_empty(), "{status}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_reading_is_dropped_after_the_write_timeout() {
    let s = Server::new();
    let addr = listen(
        AppState::new(s.dir.path().to_path_buf()),
        karvan_server::ServeOptions {
            header_timeout: std::time::Duration::from_secs(60),
            write_timeout: std::time::Duration::from_millis(300),
            ..Default::default()
        },
    )
    .await;
    // Four hundred requests for a large file (60 MB of answers), sent at once and never
    // read: far more than the socket buffers hold, so the server's writes wait.
    let one = b"GET /assets/vendor/leaflet/leaflet.js HTTP/1.1\r\nHost: x\r\n\r\n";
    let (got, closed) = tokio::task::spawn_blocking(move || {
        use std::io::{Read, Write};
        let mut c = std::net::TcpStream::connect(addr).unwrap();
        c.write_all(&one.repeat(400)).unwrap();
        std::thread::sleep(std::time::Duration::from_secs(2));
        c.set_read_timeout(Some(std::time::Duration::from_secs(5)))
            .unwrap();
        let mut got = 0usize;
        let mut buf = vec![0u8; 1 << 16];
        let closed = loop {
            match c.read(&mut buf) {
                Ok(0) => break true,
                Ok(n) => got += n,
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break true,
                Err(_) => break false,
            }
        };
        (got, closed)
    })
    .await
    .unwrap();
    assert!(closed, "the connection is still open after {got} bytes");
    assert!(got < 400 * 140_000, "all {got} bytes were sent");
}

#[tokio::test]
async fn a_changed_saved_scenario_is_not_served_from_an_earlier_request() {
    let s = Server::new();
    let app = router(AppState::new(s.dir.path().to_path_buf()));
    let open = "base = \"central-asia-afghanistan\"\n";
    let closed = "base = \"central-asia-afghanistan\"\nclosures = [\"torkham-road\"]\n";
    assert_eq!(
        send(&app, "PUT", "/api/scenarios/mine", open).await.0,
        StatusCode::OK
    );
    let (_, v, _) = send(&app, "GET", "/api/network?scenario=mine", "").await;
    assert_eq!(torkham_open(&v), true);
    let (_, v, _) = send(&app, "GET", "/api/network?scenario=mine", "").await;
    assert_eq!(torkham_open(&v), true, "the second answer is the same");
    let (st, _, _) = send(&app, "PUT", "/api/scenarios/mine?overwrite=true", closed).await;
    assert_eq!(st, StatusCode::OK);
    let (_, v, _) = send(&app, "GET", "/api/network?scenario=mine", "").await;
    assert_eq!(torkham_open(&v), false, "the new version is used");
    send(&app, "DELETE", "/api/scenarios/mine", "").await;
    let (st, _, _) = send(&app, "GET", "/api/network?scenario=mine", "").await;
    assert_eq!(st, StatusCode::NOT_FOUND, "a deleted scenario is gone");
}

#[tokio::test]
async fn a_scenario_extending_a_saved_one_sees_its_parent_change() {
    let s = Server::new();
    let app = router(AppState::new(s.dir.path().to_path_buf()));
    let open = "base = \"central-asia-afghanistan\"\n";
    let closed = "base = \"central-asia-afghanistan\"\nclosures = [\"torkham-road\"]\n";
    let child = "base = \"central-asia-afghanistan\"\nextends = \"parent\"\n";
    for (name, body) in [("parent", open), ("child", child)] {
        let uri = format!("/api/scenarios/{name}");
        assert_eq!(send(&app, "PUT", &uri, body).await.0, StatusCode::OK);
    }
    let (_, v, _) = send(&app, "GET", "/api/network?scenario=child", "").await;
    assert_eq!(torkham_open(&v), true);
    let (st, _, _) = send(&app, "PUT", "/api/scenarios/parent?overwrite=true", closed).await;
    assert_eq!(st, StatusCode::OK);
    let (_, v, _) = send(&app, "GET", "/api/network?scenario=child", "").await;
    assert_eq!(
        torkham_open(&v),
        false,
        "the child takes its parent's new closure"
    );
}

#[tokio::test]
async fn fit_compares_the_run_with_every_observation() {
    let s = Server::new();
    let (st, v) = s.get("/api/fit").await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let rows = v["rows"].as_array().unwrap();
    assert!(rows.len() >= 40, "{}", rows.len());
    let hairatan = rows
        .iter()
        .find(|r| r["id"] == "hairatan-rail-share-1403")
        .unwrap();
    assert_eq!(hairatan["kind"], "share");
    assert!(hairatan["predicted"].as_f64().unwrap() >= 0.0);
    assert!(hairatan["inside"].is_boolean());
    assert!(v["summary"]["compared"].as_u64().unwrap() > 5);
    assert!(v["svg"].as_str().unwrap().starts_with("<svg"));
}

#[tokio::test]
async fn the_html_report_downloads_as_one_file() {
    let s = Server::new();
    let dir = tempfile::tempdir().unwrap();
    let app = karvan_server::router(karvan_server::AppState::new(dir.path().to_path_buf()));
    let response = tower::ServiceExt::oneshot(
        app,
        axum::http::Request::builder()
            .uri("/api/report?scenario=today")
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    assert!(headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(headers["content-disposition"]
        .to_str()
        .unwrap()
        .contains("karvan-report-today.html"));
    let body = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    let html = String::from_utf8(body.to_vec()).unwrap();
    assert!(html.contains("<meta name=\"generator\" content=\"Karvan\">"));
    assert!(html.contains("Fit to observations"));
    let (st, _) = s.get("/api/report?scenario=no-such-scenario").await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

/// Whether the Torkham road crossing is open in a `/api/network` answer.
fn torkham_open(v: &Value) -> Value {
    v["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["properties"]["id"] == "torkham-road")
        .unwrap()["properties"]["open"]
        .clone()
}

// ---- Project appraisal -----------------------------------------------------------------

/// One scheme solved in one year: ten model runs (five variants, with and without it).
const SMALL_APPRAISAL: &str =
    r#"{"schemes":[{"id":"ta","projects":["trans-afghan-railway"]}],"years":[2040],"draws":20}"#;

#[tokio::test]
async fn projects_lists_the_default_schemes_and_the_costed_projects() {
    let s = Server::new();
    let (st, v) = s.get("/api/projects").await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["scenario"], "today");
    let schemes = v["schemes"].as_array().unwrap();
    assert!(schemes.iter().any(|s| s["id"] == "trans-afghan"
        && s["projects"] == serde_json::json!(["trans-afghan-railway"])));
    assert!(schemes.iter().any(|s| s["id"] == "western"));
    let projects = v["projects"].as_array().unwrap();
    let ta = projects
        .iter()
        .find(|p| p["project"] == "trans-afghan-railway")
        .expect("the Trans-Afghan railway is costed");
    let capex = |k: &str| ta[k].as_f64().unwrap();
    assert!(
        capex("capex_low_usd") <= capex("capex_usd")
            && capex("capex_usd") <= capex("capex_high_usd")
    );
    assert!(ta["opens_year"].as_i64().unwrap() >= 2026);
    assert!(ta["build_years"].as_u64().unwrap() >= 1);
    assert_eq!(v["max_schemes"], 6);
    assert_eq!(
        v["defaults"]["years"],
        serde_json::json!([2030, 2040, 2055])
    );
    assert_eq!(v["defaults"]["rate_percent"], 9.0);
    let (st, _) = s.get("/api/projects?scenario=no-such-scenario").await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_appraisal_runs_in_the_background_with_its_charts() {
    let s = Server::new();
    let app = router(AppState::new(s.dir.path().to_path_buf()));
    let v = start_job(&app, "/api/appraisals", SMALL_APPRAISAL).await;
    let done = poll(&app, &format!("/api/appraisals/{}", v["id"])).await;
    assert_eq!(done["status"], "done", "{done}");
    assert_eq!(done["scenario"], "today");
    let a = &done["appraisal"];
    assert_eq!(a["solved_years"], serde_json::json!([2040]));
    assert_eq!(a["runs"], 10);
    let cases = a["cases"].as_array().unwrap();
    let ids: Vec<&str> = cases.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["ta"]);
    let ta = &cases[0];
    let npv = ta["npv_usd"].as_f64().unwrap();
    assert!(npv.is_finite() && npv != 0.0, "{npv}");
    assert!(ta["pv_costs_usd"].as_f64().unwrap() > 0.0);
    assert_eq!(ta["monte_carlo"]["draws"], 20);
    let draws = ta["npv_draws"].as_array().unwrap();
    assert_eq!(draws.len(), 20);
    assert!(draws.iter().all(|d| d.as_f64().is_some_and(f64::is_finite)));
    assert!(!ta["parties"].as_array().unwrap().is_empty());
    for chart in ["cash_flow", "tornado", "countries", "npv_histogram"] {
        let svg = done["charts"]["ta"][chart].as_str().unwrap_or("");
        assert!(
            svg.starts_with("<svg") && svg.contains("</svg>"),
            "{chart}: {svg:.80}"
        );
    }
    // A finished appraisal cannot be cancelled; an unknown one is not found.
    let uri = format!("/api/appraisals/{}", v["id"]);
    let (st, v, _) = send(&app, "DELETE", &uri, "").await;
    assert_eq!(
        (st, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("finished"))
    );
    let (st, _, _) = send(&app, "GET", "/api/appraisals/99999", "").await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn appraisal_requests_are_checked_before_anything_runs() {
    let s = Server::new();
    let scheme = r#"[{"id":"ta","projects":["trans-afghan-railway"]}]"#;
    let with = |rest: &str| format!(r#"{{"schemes":{scheme},{rest}}}"#);
    let cases = [
        (
            r#"{"schemes":[{"id":"x","projects":["atlantis-railway"]}]}"#.to_string(),
            "atlantis-railway",
        ),
        (with(r#""rate_percent":80"#), "rate_percent"),
        (with(r#""rate_percent":-1"#), "rate_percent"),
        (with(r#""growth_percent":500"#), "growth_percent"),
        (with(r#""years":[2200]"#), "years"),
        (with(r#""years":[2040.5]"#), "years"),
        (with(r#""years":[2060]"#), "years"),
        (with(r#""years":[]"#), "years"),
        (with(r#""from":2040,"to":2030"#), "from"),
        (with(r#""to":2035"#), "2040"),
        (with(r#""draws":5001"#), "draws"),
        (with(r#""draws":0"#), "draws"),
        (with(r#""draws":2.5"#), "draws"),
        (with(r#""cases":[["ta","western"]]"#), "western"),
        (with(r#""cases":[[]]"#), "case"),
        (r#"{"schemes":[]}"#.to_string(), "schemes"),
        (
            r#"{"schemes":[{"id":"a+b","projects":["trans-afghan-railway"]}]}"#.to_string(),
            "a+b",
        ),
        (
            r#"{"schemes":[{"id":"a","projects":["trans-afghan-railway"]},{"id":"b","projects":["trans-afghan-railway"]}]}"#.to_string(),
            "trans-afghan-railway",
        ),
        (
            r#"{"schemes":[{"id":"ta","projects":["trans-afghan-railway"],"opens":3000}]}"#
                .to_string(),
            "opens",
        ),
    ];
    for (body, needle) in &cases {
        let (st, v) = s.post("/api/appraisals", body).await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{body}: {v}");
        assert!(error_of(&v).contains(needle), "{body}: {v}");
    }
    let (st, v) = s
        .post("/api/appraisals", &with(r#""rate_percent":80"#))
        .await;
    assert_eq!(v["code"], "out_of_range", "{st} {v}");
    let seven: Vec<String> = (0..7)
        .map(|i| format!(r#"{{"id":"s{i}","projects":["trans-afghan-railway"]}}"#))
        .collect();
    let (st, v) = s
        .post(
            "/api/appraisals",
            &format!(r#"{{"schemes":[{}]}}"#, seven.join(",")),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{v}");
    assert!(error_of(&v).contains("at most 6"), "{v}");
    // Six schemes in four years would be 1,280 model runs.
    let six: Vec<String> = [
        "trans-afghan-railway",
        "torghundi-herat-railway",
        "herat-kandahar-railway",
        "khaf-herat-railway",
        "chabahar-zahedan-railway",
        "cku-railway",
    ]
    .iter()
    .map(|p| format!(r#"{{"id":"{p}","projects":["{p}"]}}"#))
    .collect();
    let (st, v) = s
        .post(
            "/api/appraisals",
            &format!(
                r#"{{"schemes":[{}],"years":[2030,2035,2040,2050]}}"#,
                six.join(",")
            ),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{v}");
    assert!(error_of(&v).contains("1280 model runs"), "{v}");
    let (st, v) = s
        .post("/api/appraisals", &with(r#""scenario":"no-such-scenario""#))
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{v}");
    let (st, v) = s.post("/api/appraisals", &with(r#""colour":"red""#)).await;
    assert!(st.is_client_error(), "{v}");
    assert!(error_of(&v).contains("colour"), "{v}");
}

#[tokio::test]
async fn delete_cancels_a_running_appraisal() {
    let s = Server::new();
    let app = router(AppState::new(s.dir.path().to_path_buf()));
    // Two schemes in one year: twenty model runs.
    let v = start_job(
        &app,
        "/api/appraisals",
        r#"{"schemes":[{"id":"ta","projects":["trans-afghan-railway"]},{"id":"asw","projects":["afghan-customs-single-window"]}],"years":[2040],"draws":20}"#,
    )
    .await;
    let uri = format!("/api/appraisals/{}", v["id"]);
    for _ in 0..1200 {
        let (_, v, _) = send(&app, "GET", &uri, "").await;
        if v["done"].as_u64().unwrap_or(0) > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    let (st, v, _) = send(&app, "DELETE", &uri, "").await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert!(
        v["status"] == "cancelling" || v["status"] == "cancelled",
        "{v}"
    );
    // The runs under way finish; nothing after them is computed or kept.
    let end = poll(&app, &uri).await;
    assert_eq!(end["status"], "cancelled", "{end}");
    assert!(end.get("appraisal").is_none() && end.get("charts").is_none());
    assert_eq!(end["total"], 20, "{end}");
    let (st, v, _) = send(&app, "DELETE", &uri, "").await;
    assert_eq!(
        (st, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("finished"))
    );
}

/// The year's total delivered to a country's withdrawals.
fn delivered_to(v: &Value, country: &str) -> f64 {
    v["year"]["by_country"][country]["delivered"]
        .as_f64()
        .unwrap_or_else(|| panic!("no deliveries for {country}: {}", v["year"]))
}

#[tokio::test]
async fn water_balance_of_the_basin_and_what_qosh_tepa_takes() {
    let s = Server::new();
    let (st, v) = s.get("/api/water").await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["regime"], "normal");
    let nodes = v["nodes"].as_array().unwrap();
    assert!(nodes
        .iter()
        .any(|n| n["id"] == "qosh-tepa" && n["kind"] == "withdrawal"));
    assert!(nodes.iter().all(|n| n["lat"].is_f64() && n["lon"].is_f64()));
    assert_eq!(v["reaches"].as_array().unwrap().len(), nodes.len() - 1);
    let months = v["months"].as_array().unwrap();
    assert_eq!(months.len(), 12);
    assert_eq!(months[0]["month"], 1);
    assert!(months[5]["outflow"]["termez"].as_f64().unwrap() > 0.0);
    assert!(months[0]["storage"]["nurek"].as_f64().is_some());
    let takes = v["takes"].as_array().unwrap();
    assert!(takes
        .iter()
        .all(|t| t["asked"].as_array().unwrap().len() == 12
            && t["delivered"].as_array().unwrap().len() == 12
            && (0.0..=1.0).contains(&t["reliability"].as_f64().unwrap())));
    let kerki = v["year"]["gauges"]["kerki"].as_f64().unwrap();
    let sea = v["year"]["to_sea"].as_f64().unwrap();
    assert!(kerki > sea && sea > 0.0, "kerki {kerki}, sea {sea}");
    for c in ["UZB", "TKM"] {
        assert!(delivered_to(&v, c) > 0.0);
    }

    // A dry year: 10,000 hm³ through Qosh Tepa is water the Aral and the canals below miss.
    let (st, dry) = s.get("/api/water?regime=dry").await;
    assert_eq!(st, StatusCode::OK, "{dry}");
    let (st, qt) = s.get("/api/water?regime=dry&qosh_tepa_hm3=10000").await;
    assert_eq!(st, StatusCode::OK, "{qt}");
    assert_eq!(qt["regime"], "dry");
    let sea = |v: &Value| v["year"]["to_sea"].as_f64().unwrap();
    assert!(
        sea(&qt) < sea(&dry),
        "to the sea {} → {}",
        sea(&dry),
        sea(&qt)
    );
    for c in ["TKM", "UZB"] {
        assert!(
            delivered_to(&qt, c) < delivered_to(&dry, c),
            "{c}: {} → {}",
            delivered_to(&dry, c),
            delivered_to(&qt, c)
        );
    }
    assert!(delivered_to(&qt, "AFG") > delivered_to(&dry, "AFG"));

    // Bad input is a 400 naming what is accepted.
    let (st, v) = s.get("/api/water?regime=soggy").await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(
        error_of(&v).contains("normal") && error_of(&v).contains("dry"),
        "{v}"
    );
    for uri in [
        "/api/water?qosh_tepa_hm3=-1",
        "/api/water?tajik_hm3=100001",
        "/api/water?qosh_tepa_hm3=NaN",
    ] {
        let (st, v) = s.get(uri).await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{uri}");
        assert_eq!(v["code"], "out_of_range", "{uri}: {v}");
    }
    let (st, _) = s.get("/api/water?qosh_tepa_hm3=lots").await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
}
