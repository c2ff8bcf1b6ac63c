//! The Sweeps endpoints over a hand-written sweep folder: the list with its progress, a
//! summary whose main effects and tornado are checked against means worked out by hand,
//! and the 404, 400 and 409 answers (an unknown sweep or figure, a name that is a path,
//! a sweep with no results yet).

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use karvan_server::{router, AppState};
use serde_json::Value;
use tower::ServiceExt;

/// A sweep folder `out/sweep-t`: dimensions `a` ∈ {0, 1} and `b` ∈ {0, 2}; figures
/// `run.tonnes` and `run.levies.UZB_musd` (= 10 a + b); a fifth variant that failed.
/// Beside it a sweep still running (no results.csv) and a folder that is no sweep.
fn sweeps() -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    let t = out.path().join("sweep-t");
    std::fs::create_dir_all(t.join("errors")).unwrap();
    std::fs::create_dir_all(t.join("rows")).unwrap();
    std::fs::write(
        t.join("sweep.toml"),
        "name = \"t\"\nbase = \"today\"\nfigures = [\"run.tonnes\", \"run.levies.*\"]\n",
    )
    .unwrap();
    std::fs::write(
        t.join("variants.csv"),
        "id,a,b\nv0,0,0\nv1,0,2\nv2,1,0\nv3,1,2\nv4,2,0\n",
    )
    .unwrap();
    std::fs::write(
        t.join("results.csv"),
        "id,a,b,run.tonnes,run.levies.UZB_musd\nv0,0,0,100,0\nv1,0,2,90,2\nv2,1,0,80,10\nv3,1,2,50,12\n",
    )
    .unwrap();
    std::fs::write(t.join("errors/v4.txt"), "the model did not converge\n").unwrap();
    // An error left by a variant that finished on a later try does not count.
    std::fs::write(t.join("errors/v1.txt"), "an earlier try failed\n").unwrap();

    let running = out.path().join("sweep-running");
    std::fs::create_dir_all(running.join("slurm")).unwrap();
    std::fs::write(running.join("sweep.toml"), "name = \"running\"\n").unwrap();
    std::fs::write(running.join("variants.csv"), "id,x\nv0,1\nv1,2\n").unwrap();
    std::fs::write(running.join("slurm/job"), "4711\n2\n").unwrap();

    std::fs::create_dir_all(out.path().join("report-today")).unwrap();
    std::fs::write(out.path().join("report-today/index.html"), "<p>").unwrap();
    out
}

async fn get(out: &std::path::Path, uri: &str) -> (StatusCode, Value) {
    let scenarios = tempfile::tempdir().unwrap();
    let app =
        router(AppState::new(scenarios.path().to_path_buf()).with_sweep_dir(out.to_path_buf()));
    let res = app
        .oneshot(Request::builder().uri(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn error(v: &Value) -> String {
    v["error"].as_str().unwrap_or_default().to_string()
}

fn close(a: &Value, b: f64) -> bool {
    a.as_f64().is_some_and(|a| (a - b).abs() < 1e-9)
}

#[tokio::test]
async fn the_list_shows_each_sweep_and_how_far_it_has_got() {
    let out = sweeps();
    let (st, v) = get(out.path(), "/api/sweeps").await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let list = v["sweeps"].as_array().unwrap();
    let names: Vec<&str> = list.iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["sweep-running", "sweep-t"], "{v}");
    let t = &list[1];
    assert_eq!(
        (&t["variants"], &t["finished"], &t["failed"], &t["slurm"]),
        (&5.into(), &4.into(), &1.into(), &false.into()),
        "{t}"
    );
    let r = &list[0];
    assert_eq!(
        (&r["variants"], &r["finished"], &r["slurm"], &r["slurm_job"]),
        (&2.into(), &0.into(), &true.into(), &"4711".into()),
        "{r}"
    );
    assert!(std::path::Path::new(v["dir"].as_str().unwrap()).is_absolute());

    // A sweep folder that does not exist yet has no sweeps, and says where it looked.
    let none = out.path().join("nothing-here");
    let (st, v) = get(&none, "/api/sweeps").await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(v["sweeps"], serde_json::json!([]));
    assert!(v["dir"].as_str().unwrap().ends_with("nothing-here"), "{v}");
}

#[tokio::test]
async fn a_summary_has_the_hand_computed_main_effects_and_a_tornado_chart() {
    let out = sweeps();
    let (st, v) = get(out.path(), "/api/sweeps/sweep-t").await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["dimensions"], serde_json::json!(["a", "b"]));
    assert_eq!(
        v["figures"],
        serde_json::json!(["run.tonnes", "run.levies.UZB_musd"])
    );
    // The first figure by default: tonnes 100, 90, 80, 50.
    assert_eq!(v["figure"], "run.tonnes");
    let d = &v["distributions"][0];
    assert_eq!(d["n"], 4);
    assert!(close(&d["min"], 50.0) && close(&d["max"], 100.0) && close(&d["mean"], 80.0));
    assert!(close(&d["p50"], 85.0), "{d}");
    // Levies: 0, 2, 10, 12.
    assert!(close(&v["distributions"][1]["mean"], 6.0));
    // a = 0: (100 + 90) / 2 = 95; a = 1: (80 + 50) / 2 = 65. b = 0: 90; b = 2: 70.
    let a = &v["main_effects"][0];
    assert_eq!(a["dimension"], "a");
    assert_eq!(a["levels"][0]["level"], "0");
    assert!(close(&a["levels"][0]["mean"], 95.0) && close(&a["levels"][1]["mean"], 65.0));
    assert_eq!(a["levels"][1]["count"], 2);
    let b = &v["main_effects"][1];
    assert!(close(&b["levels"][0]["mean"], 90.0) && close(&b["levels"][1]["mean"], 70.0));
    // The tornado, widest swing first: a (65 to 95), then b (70 to 90).
    let tornado = v["tornado"].as_array().unwrap();
    assert_eq!(tornado.len(), 2);
    assert_eq!(tornado[0]["dimension"], "a");
    assert!(close(&tornado[0]["low"], 65.0) && close(&tornado[0]["high"], 95.0));
    assert!(close(&tornado[1]["swing"], 20.0));
    let svg = v["tornado_svg"].as_str().unwrap();
    assert!(
        svg.starts_with("<svg") && svg.contains("run.tonnes"),
        "{svg}"
    );
    // The variant best for Uzbekistan: v3 (a = 1, b = 2) with 12.
    let best = v["best"].as_array().unwrap();
    assert_eq!(best.len(), 1);
    assert_eq!(best[0]["country"], "UZB");
    assert_eq!(best[0]["figure"], "run.levies.UZB_musd");
    assert_eq!(best[0]["id"], "v3");
    assert!(close(&best[0]["value"], 12.0));
    assert_eq!(best[0]["cells"], serde_json::json!(["1", "2"]));
    assert_eq!((&v["finished"], &v["failed"]), (&4.into(), &1.into()));

    // Another figure: levies by a are 1 and 11.
    let (st, v) = get(out.path(), "/api/sweeps/sweep-t?figure=run.levies.UZB_musd").await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["figure"], "run.levies.UZB_musd");
    let a = &v["main_effects"][0]["levels"];
    assert!(
        close(&a[0]["mean"], 1.0) && close(&a[1]["mean"], 11.0),
        "{a}"
    );
    assert!(v["tornado_svg"]
        .as_str()
        .unwrap()
        .contains("run.levies.UZB_musd"));
}

#[tokio::test]
async fn unknown_sweeps_and_figures_and_paths_are_refused() {
    let out = sweeps();
    let (st, v) = get(out.path(), "/api/sweeps/sweep-nope").await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{v}");
    assert!(error(&v).contains("sweep-nope"), "{v}");
    // A folder that is no sweep is not one either.
    let (st, _) = get(out.path(), "/api/sweeps/report-today").await;
    assert_eq!(st, StatusCode::NOT_FOUND);

    let (st, v) = get(out.path(), "/api/sweeps/sweep-t?figure=run.lives").await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{v}");
    let e = error(&v);
    assert!(
        e.contains("run.lives") && e.contains("run.tonnes") && e.contains("run.levies.UZB_musd"),
        "{e}"
    );

    for uri in [
        "/api/sweeps/..",
        "/api/sweeps/%2E%2E",
        "/api/sweeps/..%2Fsweep-t",
        "/api/sweeps/sweep-t%2F..%2Fsweep-t",
        "/api/sweeps/.hidden",
    ] {
        let (st, v) = get(out.path().join("sweep-t").as_path(), uri).await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{uri}: {v}");
        assert!(error(&v).contains("not a sweep name"), "{uri}: {v}");
    }

    // A sweep with no results.csv yet says so.
    let (st, v) = get(out.path(), "/api/sweeps/sweep-running").await;
    assert_eq!(st, StatusCode::CONFLICT, "{v}");
    assert!(error(&v).contains("karvan sweep collect"), "{v}");
}

#[tokio::test]
async fn the_results_download_as_files() {
    let out = sweeps();
    std::fs::write(
        out.path().join("sweep-t/results.parquet"),
        b"PAR1 test PAR1",
    )
    .unwrap();
    let scenarios = tempfile::tempdir().unwrap();
    let app = router(
        AppState::new(scenarios.path().to_path_buf()).with_sweep_dir(out.path().to_path_buf()),
    );
    let fetch = |uri: &str| {
        let app = app.clone();
        let uri = uri.to_string();
        async move {
            let res = app
                .oneshot(Request::builder().uri(uri).body(Body::empty()).unwrap())
                .await
                .unwrap();
            let status = res.status();
            let headers = res.headers().clone();
            let bytes = res.into_body().collect().await.unwrap().to_bytes();
            (status, headers, bytes)
        }
    };
    let (st, headers, body) = fetch("/api/sweeps/sweep-t/results.csv").await;
    assert_eq!(st, StatusCode::OK);
    assert!(body.starts_with(b"id,a,b,run.tonnes"));
    assert!(headers["content-disposition"]
        .to_str()
        .unwrap()
        .contains("karvan-sweep-t-results.csv"));
    let (st, headers, body) = fetch("/api/sweeps/sweep-t/results.parquet").await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(&body[..], b"PAR1 test PAR1");
    assert_eq!(headers["content-type"], "application/vnd.apache.parquet");
    // Only the results, and only a sweep's: not its other files, nor a path.
    let (st, _, _) = fetch("/api/sweeps/sweep-t/sweep.toml").await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _, _) = fetch("/api/sweeps/sweep-running/results.csv").await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _, _) = fetch("/api/sweeps/..%2Fsweep-t/results.csv").await;
    assert!(st.is_client_error(), "{st}");
}
