//! `karvan sweep` end to end: expansion, a local run, resuming after a kill, the folder
//! rules, and the Slurm path on a real single-node cluster (when `KARVAN_SLURM=1`, which
//! `scripts/test` sets after starting one).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use assert_cmd::prelude::*;
use predicates::prelude::*;

fn karvan() -> Command {
    Command::cargo_bin("karvan").expect("the binary is built")
}

/// A sweep of `n` × 2 variants of today's network: Uzbekistan's transit tariff and
/// demand growth.
fn spec(dir: &Path, n: usize) -> PathBuf {
    let levels: Vec<String> = (0..n).map(|k| format!("{}", -30 + 5 * k as i32)).collect();
    let text = format!(
        "name = \"t\"\nbase = \"today\"\nfigures = [\"run.routed_tonnes\", \"run.levies.*\"]\n\n[[dimension]]\nname = \"uzb\"\nset = \"tariff.UZB.percent\"\nvalues = [{}]\n\n[[dimension]]\nname = \"growth\"\nset = \"demand.growth_percent_per_year\"\nvalues = [0.0, 3.0]\n",
        levels.join(", ")
    );
    write_spec(dir, "sweep.toml", &text)
}

/// A results table's cells as numbers (the id column left out).
fn csv_rows(text: &str) -> Vec<Vec<f64>> {
    text.lines()
        .skip(1)
        .map(|l| l.split(',').skip(1).map(|c| c.parse().unwrap()).collect())
        .collect()
}

/// The same from the Parquet file, read by the Parquet reader.
fn parquet_rows(path: &Path) -> Vec<Vec<f64>> {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::record::Field;
    let reader = SerializedFileReader::new(std::fs::File::open(path).unwrap()).unwrap();
    reader
        .get_row_iter(None)
        .unwrap()
        .map(|row| {
            row.unwrap()
                .get_column_iter()
                .skip(1)
                .map(|(_, f)| match f {
                    Field::Double(x) => *x,
                    other => panic!("{other:?} is not a number"),
                })
                .collect()
        })
        .collect()
}

/// Writes a sweep file `name` with `text` into `dir`.
fn write_spec(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write the sweep");
    path
}

/// `karvan sweep SPEC -o OUT`, ready to assert on.
fn sweep_into(spec: &Path, out: &Path) -> assert_cmd::assert::Assert {
    karvan().arg("sweep").arg(spec).arg("-o").arg(out).assert()
}

/// `results.csv` of a sweep folder: its header and its rows, split at the commas.
fn results(out: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(out.join("results.csv")).unwrap();
    let mut lines = text
        .lines()
        .map(|l| l.split(',').map(String::from).collect());
    (lines.next().unwrap(), lines.collect())
}

/// The position of `name` in a header.
fn column(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no {name} in {header:?}"))
}

fn rows(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir.join("rows"))
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "csv"))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_dry_run_lists_the_variants_and_estimates_the_time() {
    let dir = tempfile::tempdir().unwrap();
    let s = spec(dir.path(), 3);
    karvan()
        .args(["sweep", "--dry-run"])
        .arg(&s)
        .assert()
        .success()
        .stdout(
            predicate::str::contains("6 variants (grid design) of `today`")
                .and(predicate::str::contains("v000005,-20,3"))
                .and(predicate::str::contains("one variant took")),
        );
}

#[test]
fn a_sweep_writes_one_row_per_variant_and_its_summary() {
    let dir = tempfile::tempdir().unwrap();
    let s = spec(dir.path(), 2);
    let out = dir.path().join("out");
    sweep_into(&s, &out)
        .success()
        .stdout(predicate::str::contains("4 of 4 variants finished"));
    let results = std::fs::read_to_string(out.join("results.csv")).unwrap();
    assert_eq!(results.lines().count(), 5);
    assert!(results.starts_with("id,uzb,growth,run.levies."));
    assert_eq!(
        parquet_rows(&out.join("results.parquet")),
        csv_rows(&results)
    );
    let summary = std::fs::read_to_string(out.join("summary.md")).unwrap();
    assert!(summary.contains("## Tornado") && summary.contains("| UZB | run.levies.UZB_musd |"));
    assert!(std::fs::read_to_string(out.join("sweep.html"))
        .unwrap()
        .contains("<svg"));
    // Collect finds every variant; a lost row is listed and computed again by a rerun.
    std::fs::remove_file(out.join("rows/v000002.csv")).unwrap();
    karvan()
        .args(["sweep", "collect"])
        .arg(&out)
        .assert()
        .failure()
        .stderr(predicate::str::contains("v000002: not run yet"));
    sweep_into(&s, &out)
        .success()
        .stderr(predicate::str::contains("resuming: 3 of 4"));
    assert_eq!(
        std::fs::read_to_string(out.join("results.csv")).unwrap(),
        results
    );
}

#[test]
fn a_killed_sweep_resumes_without_recomputing_what_finished() {
    let dir = tempfile::tempdir().unwrap();
    let s = spec(dir.path(), 8);
    let out = dir.path().join("out");
    let mut child = karvan()
        .args(["sweep", "--threads", "1"])
        .arg(&s)
        .arg("-o")
        .arg(&out)
        .stderr(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while rows(&out).len() < 3 && start.elapsed() < Duration::from_secs(120) {
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let mut before: Vec<(PathBuf, std::time::SystemTime, String)> = rows(&out)
        .into_iter()
        .map(|p| {
            let m = std::fs::metadata(&p).unwrap().modified().unwrap();
            let text = std::fs::read_to_string(&p).unwrap();
            (p, m, text)
        })
        .collect();
    before.sort();
    assert!(
        before.len() >= 3 && before.len() < 16,
        "{} rows",
        before.len()
    );
    // Every row written before the kill is whole.
    for (p, _, text) in &before {
        assert_eq!(text.lines().count(), 2, "{}", p.display());
    }
    sweep_into(&s, &out)
        .success()
        .stderr(predicate::str::contains(format!(
            "resuming: {} of 16",
            before.len()
        )));
    for (p, m, text) in &before {
        assert_eq!(
            std::fs::metadata(p).unwrap().modified().unwrap(),
            *m,
            "{} was recomputed",
            p.display()
        );
        assert_eq!(&std::fs::read_to_string(p).unwrap(), text);
    }
    let results = std::fs::read_to_string(out.join("results.csv")).unwrap();
    assert_eq!(results.lines().count(), 17);
}

#[test]
fn a_sweep_never_writes_into_a_folder_that_is_not_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let s = spec(dir.path(), 1);
    let theirs = dir.path().join("theirs");
    std::fs::create_dir(&theirs).unwrap();
    std::fs::write(theirs.join("notes.txt"), "mine").unwrap();
    sweep_into(&s, &theirs)
        .failure()
        .stderr(predicate::str::contains("is not a sweep's folder"));
    assert_eq!(
        std::fs::read_to_string(theirs.join("notes.txt")).unwrap(),
        "mine"
    );
    // Another sweep's folder is refused too.
    let out = dir.path().join("out");
    sweep_into(&s, &out).success();
    let other = spec(&dir.path().join("."), 2);
    sweep_into(&other, &out)
        .failure()
        .stderr(predicate::str::contains("holds another sweep"));
}

#[test]
fn a_bad_sweep_file_names_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let s = dir.path().join("bad.toml");
    std::fs::write(
        &s,
        "base = \"today\"\n[[dimension]]\nname = \"x\"\nsett = \"year\"\n",
    )
    .unwrap();
    karvan()
        .args(["sweep", "--dry-run"])
        .arg(&s)
        .assert()
        .failure()
        .stderr(predicate::str::contains("bad.toml").and(predicate::str::contains("line 4")));
    std::fs::write(
        &s,
        "base = \"today\"\n[[dimension]]\nname = \"x\"\nset = \"speed\"\nvalues = [1]\n",
    )
    .unwrap();
    karvan()
        .args(["sweep", "--dry-run"])
        .arg(&s)
        .assert()
        .failure()
        .stderr(predicate::str::contains("dimension `x` (`speed`)"));
}

/// Submits the sweep to the single-node Slurm cluster, waits, collects, and compares the
/// results with the same sweep run here. Runs when `KARVAN_SLURM=1`.
#[test]
fn a_sweep_through_slurm_equals_the_local_run() {
    if std::env::var("KARVAN_SLURM").as_deref() != Ok("1") {
        eprintln!(
            "KARVAN_SLURM is not 1: no Slurm cluster to test against (scripts/test starts one)"
        );
        return;
    }
    let dir = tempfile::tempdir_in(
        std::env::var("KARVAN_SLURM_SHARED").unwrap_or_else(|_| "/var/tmp".into()),
    )
    .unwrap();
    let s = spec(dir.path(), 3);
    let local = dir.path().join("local");
    sweep_into(&s, &local).success();
    // A quote in the folder's name must reach the array tasks whole.
    let cluster = dir.path().join("the cluster's");
    karvan()
        .args(["sweep", "--slurm", "--tasks", "3", "--wait"])
        .arg(&s)
        .arg("-o")
        .arg(&cluster)
        .assert()
        .success()
        .stdout(
            predicate::str::contains("submitted job")
                .and(predicate::str::contains("6 of 6 variants merged")),
        );
    assert_eq!(
        std::fs::read_to_string(cluster.join("results.csv")).unwrap(),
        std::fs::read_to_string(local.join("results.csv")).unwrap()
    );
    let logs: Vec<_> = std::fs::read_dir(cluster.join("slurm/logs"))
        .unwrap()
        .collect();
    assert_eq!(logs.len(), 3);
    karvan()
        .args(["sweep", "status"])
        .arg(&cluster)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "6 of 6 variants finished, 0 failed, 0 pending",
        ));
}

#[test]
fn a_risk_sweep_prices_the_scenarios_closures_in_each_variant() {
    let dir = tempfile::tempdir().unwrap();
    let s = write_spec(dir.path(), "risk.toml", "base = \"afpak-closure-2025\"\nanalyses = [\"risk\"]\n[[dimension]]\nname = \"pak\"\nset = \"tariff.PAK.percent\"\nvalues = [0, 50]\n");
    let out = dir.path().join("out");
    sweep_into(&s, &out).success();
    let (header, rows) = results(&out);
    let cost = column(&header, "risk.extra_cost_musd");
    for row in rows {
        let v: f64 = row[cost].parse().unwrap();
        assert!(
            v > 0.0,
            "closing every Afghanistan–Pakistan crossing for 60 days costs: {row:?}"
        );
    }
    // A base with no [[disruption]] says so for each variant.
    std::fs::write(
        &s,
        "base = \"today\"\nanalyses = [\"risk\"]\n[[dimension]]\nname = \"pak\"\nset = \"tariff.PAK.percent\"\nvalues = [0]\n",
    )
    .unwrap();
    let out2 = dir.path().join("out2");
    sweep_into(&s, &out2).failure();
    let error = std::fs::read_to_string(out2.join("errors/v000000.txt")).unwrap();
    assert!(error.contains("needs [[disruption]] entries"), "{error}");
}

#[test]
fn an_appraisal_sweep_equals_each_appraisal_run_alone() {
    let dir = tempfile::tempdir().unwrap();
    let s = write_spec(dir.path(), "appraise.toml", "base = \"today\"\nanalyses = [\"appraise\"]\n[appraise]\nschemes = [\"trans-afghan=trans-afghan-railway\"]\nyears = [2030]\ndraws = 50\n[[dimension]]\nname = \"rate\"\nset = \"appraise.rate\"\nvalues = [6, 12]\n");
    let out = dir.path().join("out");
    sweep_into(&s, &out).success();
    let (header, rows) = results(&out);
    let (npv, afg) = (
        column(&header, "appraise.npv.trans-afghan_musd"),
        column(&header, "appraise.npv.trans-afghan.AFG_musd"),
    );
    assert_eq!(rows.len(), 2);
    for (row, rate) in rows.iter().zip(["6", "12"]) {
        assert_eq!(row[1], rate);
        let alone = karvan()
            .args(["--json", "appraise", "today"])
            .args(["--scheme", "trans-afghan=trans-afghan-railway"])
            .args(["--years", "2030", "--draws", "50", "--rate", rate])
            .arg("-o")
            .arg(dir.path().join(format!("alone-{rate}")))
            .output()
            .unwrap();
        assert!(alone.status.success());
        let a: serde_json::Value = serde_json::from_slice(&alone.stdout).unwrap();
        let case = &a["cases"][0];
        let by_hand = case["npv_usd"].as_f64().unwrap() / 1e6;
        let swept: f64 = row[npv].parse().unwrap();
        assert!(
            (swept - by_hand).abs() <= 1e-9 * by_hand.abs(),
            "{swept} vs {by_hand}"
        );
        let afg_alone = case["parties"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["party"] == "AFG")
            .unwrap()["npv_usd"]
            .as_f64()
            .unwrap()
            / 1e6;
        let afg_swept: f64 = row[afg].parse().unwrap();
        assert!((afg_swept - afg_alone).abs() <= 1e-9 * afg_alone.abs());
    }
    assert_ne!(rows[0][npv], rows[1][npv], "the rate changes the NPV");
}
