//! `/api/power` and `/api/power/bargain`: a year of cross-border electricity and the
//! water-for-power bargaining view, with good and bad input.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use karvan_server::{router, AppState};
use serde_json::Value;
use tower::ServiceExt;

async fn get(uri: &str) -> (StatusCode, Value) {
    let dir = tempfile::tempdir().unwrap();
    let app = router(AppState::new(dir.path().to_path_buf()));
    let req = Request::builder().uri(uri).body(Body::empty()).unwrap();
    let res = app.oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn error_of(v: &Value) -> &str {
    v["error"]
        .as_str()
        .unwrap_or_else(|| panic!("not a JSON error: {v}"))
}

fn total(v: &Value) -> f64 {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .sum()
}

#[tokio::test]
async fn power_base_year_has_imports_and_every_check() {
    let (st, v) = get("/api/power").await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["year"], 2023);
    assert_eq!(v["settings"]["scenario"], "base");
    assert_eq!(v["settings"]["hydro_from_water"], false);
    let imports = v["imports"].as_array().unwrap();
    assert!(!imports.is_empty(), "{v}");
    for i in imports {
        assert_eq!(i["gwh"].as_array().unwrap().len(), 12);
        assert!(i["supplier"].is_string());
    }
    assert!(imports.iter().any(|i| i["supplier"] == "uz"), "{imports:?}");
    assert!(total(&v["imports_gwh"]) > 0.0);
    let share = v["import_share_year"].as_f64().unwrap();
    assert!(share > 0.0 && share <= 1.0, "{share}");
    // The base year is the year observed: every observation is checked.
    let checks = v["checks"].as_array().unwrap();
    let grid = karvan_data::embedded::grid().unwrap();
    let mut observed: Vec<&str> = grid
        .observations
        .iter()
        .filter(|o| o.year == 2023)
        .map(|o| o.id.as_str())
        .collect();
    let mut checked: Vec<&str> = checks.iter().map(|c| c["id"].as_str().unwrap()).collect();
    observed.sort();
    checked.sort();
    assert!(!observed.is_empty());
    assert_eq!(checked, observed);
    for c in checks {
        for field in ["observed", "low", "high", "modelled"] {
            assert!(c[field].is_f64(), "{c}");
        }
        assert!(c["inside"].is_boolean(), "{c}");
    }
    let lines = v["lines"].as_array().unwrap();
    assert!(!lines.is_empty());
    for l in lines {
        assert_eq!(l["loading"].as_array().unwrap().len(), 12);
        assert!(l["payments_musd"].is_f64() && l["fees_musd"].is_f64());
        assert!(l["congestion_rent_musd"].is_f64());
    }
    let nodes = v["nodes"].as_array().unwrap();
    assert!(nodes.iter().any(|n| n["id"] == "af-kabul"));
    assert!(nodes
        .iter()
        .all(|n| n["price_usd_mwh"].as_array().unwrap().len() == 12 && n["lat"].is_f64()));
    // The page's project checkboxes.
    let projects = v["projects"].as_array().unwrap();
    assert!(projects
        .iter()
        .any(|p| p["id"] == "casa-1000" && p["opens"].is_i64() && p["name"].is_string()));
}

#[tokio::test]
async fn power_with_a_project_a_scenario_and_the_hydro_link() {
    // CASA-1000 in 2028 carries power on to Pakistan through Afghanistan for a fee.
    let (st, v) = get("/api/power?year=2028&project=casa-1000").await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["year"], 2028);
    assert_eq!(v["settings"]["projects"], serde_json::json!(["casa-1000"]));
    let lines = v["lines"].as_array().unwrap();
    assert!(
        lines.iter().any(|l| l["project"] == "casa-1000"),
        "{lines:?}"
    );
    // Base-year observations are not set against another year.
    assert!(v["checks"].as_array().unwrap().is_empty());

    // A shipped scenario, its projects kept; a comma list adds to them.
    let (st, v) = get("/api/power?scenario=casa-1000").await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(
        v["settings"]["scenario_projects"],
        serde_json::json!(["casa-1000"])
    );

    let (st, v) = get("/api/power?hydro_from_water=true&regime=dry").await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["settings"]["hydro_from_water"], true);
    assert_eq!(v["settings"]["regime"], "dry");
    let (st, v) = get("/api/power?scenario=hydro-linked&hydro_from_water=false").await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["settings"]["hydro_from_water"], false);
}

#[tokio::test]
async fn power_rejects_bad_input_naming_the_parameter() {
    for (uri, word) in [
        ("/api/power?project=hyperloop", "`project`"),
        ("/api/power?project=casa-1000", "opens in"),
        ("/api/power?regime=soggy", "`regime`"),
        ("/api/power?year=1989", "`year`"),
        ("/api/power?year=2101", "`year`"),
        ("/api/power?year=soon", "`year`"),
        ("/api/power?scenario=no-such-scenario", "`scenario`"),
        ("/api/power?scenario=../etc", "`scenario`"),
        ("/api/power?hydro_from_water=maybe", "`hydro_from_water`"),
        ("/api/power?colour=red", "`colour`"),
        ("/api/power/bargain?project=hyperloop", "`project`"),
        ("/api/power/bargain?regime=soggy", "`regime`"),
        (
            "/api/power/bargain?hydro_from_water=true",
            "`hydro_from_water`",
        ),
    ] {
        let (st, v) = get(uri).await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{uri}: {v}");
        assert!(error_of(&v).contains(word), "{uri}: {v}");
    }
    let (_, v) = get("/api/power?regime=soggy").await;
    assert!(
        error_of(&v).contains("normal") && error_of(&v).contains("dry"),
        "{v}"
    );
}

#[tokio::test]
async fn bargain_has_deals_and_a_nash_solution_or_an_explicit_null() {
    let (st, v) = get("/api/power/bargain").await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let deals = v["deals"].as_array().unwrap();
    assert!(!deals.is_empty());
    for field in [
        "withdrawal_hm3",
        "price_usd_mwh",
        "winter_mw",
        "afghanistan_gain",
        "downstream_gain",
    ] {
        assert!(deals[0][field].is_f64(), "{field}: {}", deals[0]);
    }
    let nash = v
        .get("nash")
        .expect("`nash` is always there, null when no deal");
    assert!(nash.is_null() || nash["price_usd_mwh"].is_f64(), "{nash}");
    if !nash.is_null() {
        assert!(nash["afghanistan_gain"].as_f64().unwrap() >= 0.0);
        assert!(nash["downstream_gain"].as_f64().unwrap() >= 0.0);
        assert!(!v["price_ranges"].as_array().unwrap().is_empty());
    }
    assert!(v["disagreement"]["afghanistan_musd"].is_f64());
    assert!(v["disagreement"]["downstream_musd"].is_f64());
    assert!(v["terms"]["planned_hm3"].is_f64());
    for r in v["price_ranges"].as_array().unwrap() {
        assert!(r["price_low_usd_mwh"].as_f64() <= r["price_high_usd_mwh"].as_f64());
    }

    let (st, v) = get("/api/power/bargain?regime=dry&year=2028&project=casa-1000").await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["settings"]["regime"], "dry");
    assert!(v.get("nash").is_some());
}

#[tokio::test]
async fn openapi_describes_the_power_endpoints() {
    let (st, v) = get("/api/openapi.json").await;
    assert_eq!(st, StatusCode::OK);
    for path in ["/api/power", "/api/power/bargain"] {
        let get = &v["paths"][path]["get"];
        assert!(get.is_object(), "{path}");
        let names: Vec<&str> = get["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        for name in ["scenario", "year", "project", "regime"] {
            assert!(names.contains(&name), "{path}: {name}");
        }
        assert!(get["responses"]["400"].is_object(), "{path}");
    }
}
