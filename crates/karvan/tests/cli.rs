//! The command-line program end to end.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

fn karvan() -> Command {
    Command::cargo_bin("karvan").unwrap()
}

fn testdata(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata")
        .join(p)
}

#[test]
fn every_subcommand_has_help() {
    karvan()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("route").and(predicate::str::contains("compare")));
    for sub in [
        "run",
        "route",
        "compare",
        "select-link",
        "game",
        "risk",
        "resilience",
        "report",
        "serve",
        "assign",
        "bench",
        "validate",
        "schema",
        "list",
        "scenario",
    ] {
        karvan()
            .args([sub, "--help"])
            .assert()
            .success()
            .stdout(predicate::str::contains("Usage"));
    }
}

#[test]
fn validate_accepts_good_data_and_names_bad_lines() {
    karvan()
        .arg("validate")
        .arg(testdata("tiny"))
        .assert()
        .success()
        .stdout(predicate::str::contains("valid"));
    karvan().arg("validate").assert().success();

    let dir = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(testdata("tiny")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), dir.path().join(e.file_name())).unwrap();
    }
    let links = dir.path().join("links.csv");
    let text = std::fs::read_to_string(&links)
        .unwrap()
        .replace("a1,a2,road,,100", "a1,a2,road,,-100");
    std::fs::write(&links, text).unwrap();
    karvan()
        .arg("validate")
        .arg(dir.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "links.csv:2: column `length_km`: -100 is out of range",
        ));
    let out = karvan()
        .args(["--json", "validate"])
        .arg(dir.path())
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["valid"], false);
    assert_eq!(v["problems"][0]["line"], 2);
}

#[test]
fn run_writes_every_output_and_prints_the_summary() {
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("results");
    karvan()
        .arg("run")
        .arg(testdata("tiny-scenario.toml"))
        .arg("--out")
        .arg(&target)
        .assert()
        .success()
        .stdout(
            predicate::str::contains("Tonnage by corridor")
                .and(predicate::str::contains("Unroutable demand")),
        );
    for f in [
        "flows.geojson",
        "od_costs.csv",
        "corridor_shares.csv",
        "country_revenue.csv",
        "unroutable.csv",
        "convergence.csv",
        "summary.md",
    ] {
        assert!(target.join(f).is_file(), "{f} missing");
    }
    let geo: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(target.join("flows.geojson")).unwrap())
            .unwrap();
    assert_eq!(geo["type"], "FeatureCollection");
    assert!(geo["features"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["properties"]["tonnes"].as_f64().unwrap() > 0.0));
    // The B–C rail crossing is closed, so A → C goes by road.
    let od = std::fs::read_to_string(target.join("od_costs.csv")).unwrap();
    assert!(od.contains("bc-road") && !od.contains("bc-rail"), "{od}");
}

#[test]
fn run_json_is_machine_readable() {
    let out = tempfile::tempdir().unwrap();
    let bytes = karvan()
        .args(["--json", "run"])
        .arg(testdata("tiny-scenario.toml"))
        .arg("--out")
        .arg(out.path().join("r"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(v["unroutable"][0]["destination"], "island");
}

#[test]
fn bad_scenarios_give_clear_errors() {
    karvan()
        .args(["run", "no-such-scenario"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("shipped: today"));
    let dir = tempfile::tempdir().unwrap();
    let s = dir.path().join("bad.toml");
    std::fs::write(
        &s,
        "base = \"central-asia-afghanistan\"\nclosures = [\"atlantis-road\"]\n",
    )
    .unwrap();
    karvan()
        .arg("run")
        .arg(&s)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "unknown link or crossing `atlantis-road`",
        ));
}

#[test]
fn scenario_new_writes_an_example_and_keeps_existing_files() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("mine.toml");
    karvan()
        .args(["scenario", "new"])
        .arg(&p)
        .assert()
        .success();
    karvan().arg("validate").arg(&p).assert().success();
    karvan()
        .args(["scenario", "new"])
        .arg(&p)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--force"));
}

#[test]
fn route_matches_names_forgivingly_and_suggests() {
    let s = testdata("tiny-scenario.toml");
    let dir = tempfile::tempdir().unwrap();
    let stairs = dir.path().join("s.csv");
    karvan()
        .args([
            "route",
            "ALFA",
            "gamma-port",
            "--commodity",
            "goods",
            "--scenario",
        ])
        .arg(&s)
        .arg("--staircase")
        .arg(&stairs)
        .assert()
        .success()
        .stdout(predicate::str::contains("Route 1 of"));
    let csv = std::fs::read_to_string(&stairs).unwrap();
    assert!(csv.starts_with("route,step,place,country,event,cum_km"));
    karvan()
        .args([
            "route",
            "Alpha City",
            "Gamna Prt",
            "--commodity",
            "goods",
            "--scenario",
        ])
        .arg(&s)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean: Gamma Port"));
}

#[test]
fn schema_lists_every_table() {
    karvan().arg("schema").assert().success().stdout(
        predicate::str::contains("links.csv").and(predicate::str::contains("fee_usd_per_t")),
    );
}

#[test]
fn the_scenario_chooses_the_route_choice_and_a_flag_overrides_it() {
    let dir = tempfile::tempdir().unwrap();
    let s = dir.path().join("aon.toml");
    let base = testdata("tiny");
    std::fs::write(
        &s,
        format!(
            "base = {:?}\n[assignment]\nmethod = \"aon\"\n",
            base.display().to_string()
        ),
    )
    .unwrap();
    let out = dir.path().join("r");
    karvan()
        .arg("run")
        .arg(&s)
        .arg("--out")
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("all-or-nothing"));
    karvan()
        .arg("run")
        .arg(&s)
        .args(["--route-choice", "equilibrium", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("user equilibrium"));
}
