//! `karvan assign` and `karvan bench` on broken or extreme TNTP folders: each exits
//! non-zero with a message naming the file and the line, and never panics.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn karvan() -> Command {
    Command::cargo_bin("karvan").unwrap()
}

fn sioux_falls(file: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../testdata/tntp/SiouxFalls")
            .join(file),
    )
    .unwrap()
}

/// A SiouxFalls folder in a temporary directory, with its network and trip table
/// passed through `net` and `trips`.
fn folder(
    net: impl FnOnce(String) -> String,
    trips: impl FnOnce(String) -> String,
) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("SiouxFalls");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(
        dir.join("SiouxFalls_net.tntp"),
        net(sioux_falls("SiouxFalls_net.tntp")),
    )
    .unwrap();
    std::fs::write(
        dir.join("SiouxFalls_trips.tntp"),
        trips(sioux_falls("SiouxFalls_trips.tntp")),
    )
    .unwrap();
    (tmp, dir)
}

/// Line 10 of the SiouxFalls network is its first link.
fn first_link(net: String, from: &str, to: &str) -> String {
    net.lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 9 {
                l.replacen(from, to, 1)
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Runs `karvan assign` (and `karvan bench`) on `dir` and checks that both fail with a
/// message that names `file:line` and contains `words`, without a panic.
fn refused(dir: &Path, file: &str, line: usize, words: &str) {
    let out_csv = dir.parent().unwrap().join("flows.csv");
    let runs = [
        vec![
            "assign".to_string(),
            "--tntp".into(),
            dir.display().to_string(),
            "--out".into(),
            out_csv.display().to_string(),
        ],
        vec![
            "bench".to_string(),
            "--tntp".into(),
            dir.display().to_string(),
            "--threads".into(),
            "1".into(),
        ],
    ];
    for args in runs {
        let out = karvan().args(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} succeeded: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?} panicked: {stderr}");
        let at = format!("{}:{line}:", dir.join(file).display());
        assert!(stderr.contains(&at), "{args:?}: no `{at}` in: {stderr}");
        assert!(
            stderr.contains(words),
            "{args:?}: no `{words}` in: {stderr}"
        );
    }
    assert!(
        !out_csv.exists(),
        "flows were written for a refused instance"
    );
}

#[test]
fn truncated_network_is_refused_naming_both_counts() {
    let (_tmp, dir) = folder(
        |net| net.lines().take(39).collect::<Vec<_>>().join("\n"),
        |t| t,
    );
    refused(
        &dir,
        "SiouxFalls_net.tntp",
        4,
        "links: the header says 76, the file has 30",
    );
}

#[test]
fn truncated_trip_table_is_refused() {
    let (_tmp, dir) = folder(
        |n| n,
        |trips| trips.lines().take(40).collect::<Vec<_>>().join("\n"),
    );
    refused(
        &dir,
        "SiouxFalls_trips.tntp",
        2,
        "total OD flow: the header says 360600",
    );
}

#[test]
fn nan_capacity_is_refused() {
    let (_tmp, dir) = folder(|n| first_link(n, "25900.20064", "NaN"), |t| t);
    refused(
        &dir,
        "SiouxFalls_net.tntp",
        10,
        "capacity (field 3) is `NaN`",
    );
}

#[test]
fn capacity_of_1e_minus_300_is_refused() {
    let (_tmp, dir) = folder(|n| first_link(n, "25900.20064", "1e-300"), |t| t);
    refused(
        &dir,
        "SiouxFalls_net.tntp",
        10,
        "capacity (field 3) is `1e-300`",
    );
}

#[test]
fn bpr_power_500_is_refused() {
    let (_tmp, dir) = folder(|n| first_link(n, "0.15\t4", "0.15\t500"), |t| t);
    refused(&dir, "SiouxFalls_net.tntp", 10, "power (field 7) is `500`");
}

#[test]
fn demand_of_1e300_is_refused() {
    let (_tmp, dir) = folder(|n| n, |t| t.replacen("2 :    100.0;", "2 : 1e300;", 1));
    refused(&dir, "SiouxFalls_trips.tntp", 7, "demand 1 → 2 is `1e300`");
}

#[test]
fn node_count_4294967296_is_refused() {
    let (_tmp, dir) = folder(
        |n| n.replace("<NUMBER OF NODES> 24", "<NUMBER OF NODES> 4294967296"),
        |t| t,
    );
    refused(
        &dir,
        "SiouxFalls_net.tntp",
        2,
        "<NUMBER OF NODES> is `4294967296`",
    );
}

#[test]
fn node_count_1e30_is_refused() {
    let (_tmp, dir) = folder(
        |n| n.replace("<NUMBER OF NODES> 24", "<NUMBER OF NODES> 1e30"),
        |t| t,
    );
    refused(
        &dir,
        "SiouxFalls_net.tntp",
        2,
        "<NUMBER OF NODES> is `1e30`",
    );
}

#[test]
fn trip_table_beyond_the_zones_is_refused() {
    let (_tmp, dir) = folder(|n| n, |t| t.replacen("2 :    100.0;", "25 : 100.0;", 1));
    refused(&dir, "SiouxFalls_trips.tntp", 7, "destination is `25`");
}

/// Within every range, a tiny capacity, the highest power and the highest demand still
/// overflow the BPR term when solving: the solve fails and names the link's line.
#[test]
fn overflow_while_solving_is_an_error_naming_the_link() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("Tiny");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(
        dir.join("Tiny_net.tntp"),
        "<NUMBER OF ZONES> 2\n<NUMBER OF NODES> 2\n<FIRST THRU NODE> 1\n<NUMBER OF LINKS> 1\n<END OF METADATA>\n\t1\t2\t1e-6\t1\t1\t1\t20\t0\t0\t1\t;\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("Tiny_trips.tntp"),
        "<NUMBER OF ZONES> 2\n<TOTAL OD FLOW> 1e12\n<END OF METADATA>\nOrigin 1\n 2 : 1e12;\n",
    )
    .unwrap();
    for alg in ["bush", "fw", "bfw", "msa", "aon"] {
        let out = karvan()
            .args(["assign", "--tntp"])
            .arg(&dir)
            .args(["--algorithm", alg, "--out"])
            .arg(tmp.path().join("flows.csv"))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{alg}: {stderr}");
        assert!(!stderr.contains("panicked"), "{alg}: {stderr}");
        let at = format!("{}:6", dir.join("Tiny_net.tntp").display());
        assert!(
            stderr.contains("time of arc 0 is inf") && stderr.contains(&at),
            "{alg}: {stderr}"
        );
        assert!(!tmp.path().join("flows.csv").exists());
    }
}

#[test]
fn standard_network_still_solves() {
    let tmp = tempfile::tempdir().unwrap();
    let out = karvan()
        .args(["assign", "--tntp"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/tntp/SiouxFalls"))
        .args(["--gap", "1e-8", "--out"])
        .arg(tmp.path().join("flows.csv"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = std::fs::read_to_string(tmp.path().join("flows.csv")).unwrap();
    assert_eq!(csv.lines().count(), 77);
}

#[test]
fn bench_settings_out_of_range_are_refused() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/tntp/SiouxFalls");
    for (flag, value) in [
        ("--gaps", "1e-4,NaN"),
        ("--gaps", "-1"),
        ("--gaps", "inf"),
        ("--threads", "0"),
        ("--threads", "100000"),
    ] {
        let out = karvan()
            .args(["bench", "--tntp"])
            .arg(&dir)
            .arg(format!("{flag}={value}"))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{flag} {value}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(stderr.contains(flag), "{flag} {value}: {stderr}");
    }
}
