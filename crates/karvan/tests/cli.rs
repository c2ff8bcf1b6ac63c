//! The command-line program end to end.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

/// The program, run in a scratch folder under the build's temporary directory, so that
/// default outputs (`out/...`) never land in the source tree.
fn karvan() -> Command {
    let mut cmd = Command::cargo_bin("karvan").unwrap();
    cmd.current_dir(scratch());
    cmd
}

fn scratch() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-scratch");
    std::fs::create_dir_all(&dir).unwrap();
    dir
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
        "appraise",
        "water",
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
            "`atlantis-road` is neither a link or crossing id",
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

#[test]
fn tests_write_no_output_into_the_source_tree() {
    let s = testdata("tiny-scenario.toml");
    karvan()
        .args(["route", "a1", "c2", "--commodity", "goods", "--scenario"])
        .arg(&s)
        .assert()
        .success();
    assert!(scratch().join("out/route-a1-c2-goods.csv").is_file());
    assert!(!Path::new(env!("CARGO_MANIFEST_DIR")).join("out").exists());
}

/// The message of a failed command.
fn failure(args: &[&str], dir: &Path) -> String {
    let out = Command::cargo_bin("karvan")
        .unwrap()
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success(), "{args:?} succeeded: {stderr}");
    assert!(!stderr.contains("panicked"), "{args:?} panicked: {stderr}");
    stderr
}

#[test]
fn out_dot_or_dotdot_never_deletes_a_folder() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    std::fs::create_dir_all(work.join("sub")).unwrap();
    std::fs::write(work.join("thesis.txt"), "years of work").unwrap();
    std::fs::write(dir.path().join("notes.txt"), "more work").unwrap();
    let s = testdata("tiny-scenario.toml");
    let s = s.to_str().unwrap();
    for out in [".", "..", "sub/..", "./"] {
        let e = failure(&["run", s, "--out", out], &work);
        assert!(e.contains("will not write"), "--out {out}: {e}");
    }
    assert_eq!(
        std::fs::read_to_string(work.join("thesis.txt")).unwrap(),
        "years of work"
    );
    assert!(dir.path().join("notes.txt").exists());
    assert!(work.join("sub").is_dir());
}

#[test]
fn out_never_replaces_a_folder_karvan_did_not_write() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    std::fs::write(docs.join("thesis.txt"), "x").unwrap();
    let s = testdata("tiny-scenario.toml");
    let e = failure(
        &["run", s.to_str().unwrap(), "--out", docs.to_str().unwrap()],
        dir.path(),
    );
    assert!(e.contains("did not write"), "{e}");
    assert!(docs.join("thesis.txt").exists());
    // A Karvan output folder is replaced, and leftovers of an interrupted write go.
    let out = dir.path().join("results");
    let stale = dir.path().join(".karvan-out-999999999-abc");
    std::fs::create_dir(&stale).unwrap();
    std::fs::write(stale.join(".karvan-output"), "").unwrap();
    for _ in 0..2 {
        karvan()
            .args(["run", s.to_str().unwrap(), "--out"])
            .arg(&out)
            .assert()
            .success();
    }
    assert!(out.join(".karvan-output").is_file());
    assert!(!stale.exists(), "the stale staging folder is cleaned up");
}

#[test]
fn nan_inf_and_out_of_range_flags_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let cases: &[&[&str]] = &[
        &["risk", "--close", "AFG-PAK", "--days", "nan"],
        &["risk", "--close", "AFG-PAK", "--days=-5"],
        &["risk", "--close", "AFG-PAK", "--days", "inf"],
        &["risk", "--close", "AFG-PAK", "--start=-1"],
        &["risk", "--close", "AFG-PAK", "--start", "0"],
        &["risk", "--close", "AFG-PAK", "--start", "400"],
        &["risk", "--close", "AFG-PAK", "--start", "02-30"],
        &["risk", "--close", "AFG-PAK", "--capacity-share", "1.5"],
        &["game", "--price-dispersion", "0"],
        &["game", "--max-multiplier", "nan"],
        &["game", "--outside-markup", "inf"],
        &["resilience", "--closure-rate", "nan"],
        &["resilience", "--closure-days", "0"],
        &["resilience", "--samples", "0"],
        &["run", "--gap", "nan"],
        &["run", "--max-iterations", "0"],
        &["route", "Kabul", "Karachi", "--alternatives", "50"],
    ];
    for args in cases {
        let e = failure(args, dir.path());
        assert!(
            e.contains("must be") || e.contains("not a") || e.contains("365-day"),
            "{args:?}: {e}"
        );
    }
}

#[test]
fn a_start_day_is_a_day_of_the_year_from_1_january() {
    let dir = tempfile::tempdir().unwrap();
    for start in ["285", "10-12"] {
        let out = Command::cargo_bin("karvan")
            .unwrap()
            .current_dir(dir.path())
            .args([
                "risk",
                "--close",
                "torkham-road",
                "--days",
                "10",
                "--start",
                start,
            ])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(stdout.contains("from day 285 (12 October)"), "{stdout}");
    }
}

#[test]
fn an_ambiguous_place_name_says_which_place_was_taken() {
    let out = karvan()
        .args(["route", "Jalal-Abad", "Osh", "--alternatives", "0"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("jalal-abad-kgz"), "{stderr}");
    assert!(stderr.contains("Jalalabad (jalalabad, AFG)"), "{stderr}");
    assert!(!stdout.contains("through Afghanistan"), "{stdout}");
}

#[test]
fn run_says_that_it_leaves_out_the_scenario_disruptions() {
    let dir = tempfile::tempdir().unwrap();
    Command::cargo_bin("karvan")
        .unwrap()
        .current_dir(dir.path())
        .args(["run", "afpak-closure-2025", "--route-choice", "aon"])
        .assert()
        .success()
        .stderr(predicate::str::contains("karvan risk afpak-closure-2025"));
}

#[test]
fn scenario_new_does_not_open_projects_by_its_year() {
    let out = karvan().args(["scenario", "new"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        !text.lines().any(|l| l.trim_start().starts_with("year =")),
        "{text}"
    );
}

#[test]
fn game_players_without_transit_or_named_twice_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let e = failure(&["game", "--players", "CHN,RUS"], dir.path());
    assert!(e.contains("no game to play"), "{e}");
    let e = failure(&["game", "--players", "UZB,UZB"], dir.path());
    assert!(e.contains("named twice"), "{e}");
}

#[cfg(unix)]
#[test]
fn a_closed_pipe_ends_the_program_quietly() {
    use std::io::{BufRead, BufReader};
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_karvan"))
        .args(["list", "links"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    // The reader is gone, as after `| head -1`.
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!first.is_empty());
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn an_os_error_is_said_once() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("file.txt"), "x").unwrap();
    let e = failure(
        &["run", "--route-choice", "aon", "--out", "file.txt/sub"],
        dir.path(),
    );
    assert_eq!(e.matches("os error").count(), 1, "{e}");
}

#[cfg(unix)]
#[test]
fn reports_and_outputs_are_readable_by_others() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let s = testdata("tiny-scenario.toml");
    let report = dir.path().join("r.html");
    karvan()
        .args(["report", s.to_str().unwrap(), "-o"])
        .arg(&report)
        .assert()
        .success();
    let mode = std::fs::metadata(&report).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode & 0o044, 0o044, "mode {mode:o}");
}

#[test]
fn a_report_never_replaces_a_file_karvan_did_not_write() {
    let dir = tempfile::tempdir().unwrap();
    let thesis = dir.path().join("thesis.html");
    std::fs::write(&thesis, "<html>chapter one</html>").unwrap();
    let s = testdata("tiny-scenario.toml");
    let e = failure(
        &[
            "report",
            s.to_str().unwrap(),
            "-o",
            thesis.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert!(e.contains("did not write"), "{e}");
    assert_eq!(
        std::fs::read_to_string(&thesis).unwrap(),
        "<html>chapter one</html>"
    );
    let report = dir.path().join("r.html");
    for _ in 0..2 {
        karvan()
            .args(["report", s.to_str().unwrap(), "-o"])
            .arg(&report)
            .assert()
            .success();
    }
}

#[test]
fn fit_compares_every_observation_and_calibrate_writes_a_scenario_that_fits_better() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = Command::cargo_bin("karvan")
            .unwrap()
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let before: serde_json::Value =
        serde_json::from_str(&run(&["--json", "fit", "--out", "fit-before"])).unwrap();
    let rows = before["rows"].as_array().unwrap();
    let csv = std::fs::read_to_string(dir.path().join("fit-before/fit.csv")).unwrap();
    assert_eq!(csv.lines().count(), rows.len() + 1);
    assert!(
        std::fs::read_to_string(dir.path().join("fit-before/fit.svg"))
            .unwrap()
            .contains("<circle")
    );
    let calibrated: serde_json::Value = serde_json::from_str(&run(&[
        "--json",
        "calibrate",
        "--demand-only",
        "--out",
        "cal.toml",
    ]))
    .unwrap();
    let toml = std::fs::read_to_string(dir.path().join("cal.toml")).unwrap();
    assert!(toml.contains("# Every change, before → after:"), "{toml}");
    assert!(toml.contains("[[demand.od]]"), "{toml}");
    let after: serde_json::Value =
        serde_json::from_str(&run(&["--json", "fit", "cal.toml", "--out", "fit-after"])).unwrap();
    let rmse = |v: &serde_json::Value| v["summary"]["percent_rmse"].as_f64().unwrap();
    // The scenario written reproduces the fit the calibration reported (rows sharing an
    // origin, destination and commodity share one factor in it).
    let reported = rmse(&calibrated["after"]);
    assert!(
        (rmse(&after) - reported).abs() < 1e-3 * reported,
        "{} vs {reported}",
        rmse(&after)
    );
    assert!(
        rmse(&after) < rmse(&before),
        "{} → {}",
        rmse(&before),
        rmse(&after)
    );
    // The calibrated scenario keeps every demand row, none negative.
    let run_json: serde_json::Value =
        serde_json::from_str(&run(&["--json", "run", "cal.toml", "--out", "r"])).unwrap();
    let base_json: serde_json::Value =
        serde_json::from_str(&run(&["--json", "run", "--out", "b"])).unwrap();
    assert_eq!(
        run_json["od"].as_array().unwrap().len() + run_json["unroutable"].as_array().unwrap().len(),
        base_json["od"].as_array().unwrap().len()
            + base_json["unroutable"].as_array().unwrap().len()
    );
    assert!(run_json["od"]
        .as_array()
        .unwrap()
        .iter()
        .all(|o| o["tonnes"].as_f64().unwrap() > 0.0));
}

#[test]
fn the_report_shows_the_fit_to_observations() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("r.html");
    karvan()
        .args(["report", "--route-choice", "aon", "-o"])
        .arg(&report)
        .assert()
        .success();
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.contains("<h2>Fit to observations</h2>"));
    assert!(html.contains("hairatan-rail-share-1403"));
    assert!(html.contains("predicted, thousand t/year"));
}

#[test]
fn appraise_writes_its_tables_and_refuses_what_it_cannot_appraise() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("appraisal");
    karvan()
        .args([
            "appraise",
            "--scheme",
            "ta=trans-afghan-railway",
            "--years",
            "2040",
            "--draws",
            "20",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "| ta | trans-afghan-railway | 2031 |",
        ));
    for f in [
        "appraisal.md",
        "appraisal.html",
        "appraisal.json",
        "appraisal_cases.csv",
        "appraisal_years.csv",
        "appraisal_countries.csv",
        "appraisal_financiers.csv",
        "appraisal_tornado.csv",
        "appraisal_traffic.csv",
        "appraisal_interactions.csv",
        "appraisal_npv_draws.csv",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let cases = std::fs::read_to_string(out.join("appraisal_cases.csv")).unwrap();
    assert_eq!(cases.lines().count(), 2, "{cases}");
    assert!(cases.lines().nth(1).unwrap().starts_with("ta,"));
    let years = std::fs::read_to_string(out.join("appraisal_years.csv")).unwrap();
    assert_eq!(years.lines().count(), 1 + 30, "2026–2055 for the one case");
    let draws = std::fs::read_to_string(out.join("appraisal_npv_draws.csv")).unwrap();
    assert_eq!(draws.lines().count(), 1 + 20);
    let html = std::fs::read_to_string(out.join("appraisal.html")).unwrap();
    assert!(html.contains("<svg") && html.contains("Tornado of NPV"));

    karvan()
        .args(["appraise", "--scheme", "nowhere"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("unknown project `nowhere`"));
    karvan()
        .args(["appraise", "--rate", "80"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("discount rate"));
    karvan()
        .args(["appraise", "--cases", "ta+western"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("no scheme `ta`"));
    karvan()
        .args(["appraise", "--years", "2070"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("outside the appraised years"));
}

#[test]
fn water_prints_flows_deliveries_and_a_diversion_table() {
    karvan()
        .args(["water", "--basin"])
        .arg(testdata("tiny-basin"))
        .args([
            "--regimes",
            "normal,dry",
            "--divert",
            "upper-canal",
            "--levels",
            "200",
        ])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("| normal | 983 | 426 |")
                .and(predicate::str::contains(
                    "| gauge | normal | 1–12 | 900 | 983 | +9.2% |",
                ))
                .and(predicate::str::contains(
                    "| normal | 200 | 200 | 450 (+0) | 554 (-130) |",
                )),
        );
    karvan()
        .args(["water", "--basin"])
        .arg(testdata("tiny-basin"))
        .args(["--regimes", "monsoon"])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "no inflow is given for regime `monsoon`; regimes: dry, normal",
        ));
}

#[test]
fn water_runs_a_scenarios_water_table_and_writes_its_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("w");
    karvan()
        .args(["water", "qosh-tepa", "-o"])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("| 2028 (normal) | AFG | 10000 |"));
    let html = std::fs::read_to_string(out.join("water.html")).unwrap();
    assert!(html.contains("Flow past the gauges") && html.matches("<svg").count() >= 15);
    let takes = std::fs::read_to_string(out.join("water_takes.csv")).unwrap();
    // 5 years × 12 months × 9 takes (8 canals and the delta's requirement).
    assert_eq!(takes.lines().count(), 1 + 5 * 12 * 9);
}

#[test]
fn water_compares_a_scenario_with_a_baseline_year_by_year() {
    let dir = tempfile::tempdir().unwrap();
    karvan()
        .args(["water", "qosh-tepa", "--against", "basin", "-o"])
        .arg(dir.path().join("w"))
        .assert()
        .success()
        .stdout(
            predicate::str::contains("## Change against the basin as it is").and(
                predicate::str::contains("| 2026 (normal) | AFG delivered | 0 | 4422 | +4422 |"),
            ),
        );
}

#[test]
fn power_checks_the_base_year_and_writes_its_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("p");
    karvan()
        .args(["power", "-o"])
        .arg(&out)
        .assert()
        .success()
        .stdout(
            predicate::str::contains("## Against what was observed")
                .and(predicate::str::contains(
                    "| uz-2023 (imports_gwh, uz) | 1820 |",
                ))
                .and(predicate::str::contains(
                    "## Unserved energy by grid island",
                ))
                .and(predicate::str::contains("payments M USD")),
        );
    let html = std::fs::read_to_string(out.join("power.html")).unwrap();
    assert!(html.contains("Unserved energy by grid island") && html.matches("<svg").count() >= 4);
    let imports = std::fs::read_to_string(out.join("power_imports.csv")).unwrap();
    // 12 months of the four suppliers selling in 2023.
    assert_eq!(imports.lines().count(), 1 + 4 * 12);
    let lines = std::fs::read_to_string(out.join("power_lines.csv")).unwrap();
    assert!(lines.starts_with("year,month,line,from,to,"));
}

#[test]
fn power_compares_a_project_with_the_base_and_bargains() {
    let dir = tempfile::tempdir().unwrap();
    karvan()
        .args(["power", "uzbek-500kv", "--against", "base", "-o"])
        .arg(dir.path().join("a"))
        .assert()
        .success()
        .stdout(
            predicate::str::contains("## Change against base").and(predicate::str::contains(
                "| unserved at af-kabul | 483 | 0 |",
            )),
        );
    karvan()
        .args(["power", "qosh-tepa", "--bargain", "-o"])
        .arg(dir.path().join("b"))
        .assert()
        .success()
        .stdout(predicate::str::contains("**Nash bargaining solution:**"));
    assert!(dir.path().join("b/power_deals.csv").exists());
}

#[test]
fn power_refuses_bad_input_with_its_reason() {
    karvan()
        .args(["power", "--project", "casa-1000"])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "opens in 2027, after the year modelled (2023)",
        ));
    karvan()
        .args(["power", "--year", "1850"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("1850"));
    karvan()
        .args(["power", "--hydro-from-water", "--regime", "monsoon"])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "no inflow is given for regime `monsoon`",
        ));
}

#[test]
fn report_adds_the_power_section_with_its_charts() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.html");
    karvan()
        .args(["report", "casa-1000", "--power", "-o"])
        .arg(&out)
        .assert()
        .success();
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.contains("Electricity: casa-1000 (2028)"));
    assert!(html.contains("Unserved energy by grid island"));
    assert!(html.contains("casa-1000-tj-pk"));
}
