//! Every kind of bad input, each with the error it must give (file, line, column, words).

use std::path::{Path, PathBuf};

use karvan_data::{Dataset, Problems};
use proptest::prelude::*;

fn tiny_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/tiny")
}

/// Copies the tiny dataset, applies `edit` to `file` and loads it.
fn load_edited(file: &str, edit: impl Fn(&str) -> String) -> Result<Dataset, Problems> {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(tiny_dir()).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    let path = dir.path().join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let edited = edit(&text);
    if edited.is_empty() {
        std::fs::remove_file(&path).unwrap();
    } else {
        std::fs::write(&path, edited).unwrap();
    }
    Dataset::load_dir(dir.path())
}

/// Replacing `old` by `new` in `file` must give a problem at `file:line`, `column`, whose
/// message contains `words`.
fn check(file: &str, old: &str, new: &str, line: Option<u64>, column: Option<&str>, words: &str) {
    check_in(file, old, new, file, line, column, words)
}

/// As [`check`], when the problem is reported in another file than the one edited.
fn check_in(
    file: &str,
    old: &str,
    new: &str,
    in_file: &str,
    line: Option<u64>,
    column: Option<&str>,
    words: &str,
) {
    let problems = load_edited(file, |t| {
        assert!(t.contains(old), "{file} has no `{old}`");
        t.replacen(old, new, 1)
    })
    .expect_err("the edit must be rejected");
    let hit = problems.iter().any(|p| {
        p.file == in_file
            && p.line == line
            && p.column.as_deref() == column
            && p.message.contains(words)
    });
    assert!(
        hit,
        "expected {in_file}:{line:?} {column:?} `{words}`, got:\n{problems}"
    );
}

#[test]
fn the_unedited_tiny_dataset_is_valid() {
    Dataset::load_dir(&tiny_dir()).unwrap();
}

#[test]
fn unknown_ids() {
    check(
        "links.csv",
        "a-road,,a1,a2",
        "a-road,,a1,a9",
        Some(2),
        Some("to"),
        "unknown id `a9`",
    );
    check(
        "nodes.csv",
        "AAA,,40.0,60.0",
        "XXX,,40.0,60.0",
        Some(2),
        Some("country"),
        "unknown id `XXX`",
    );
    check(
        "transfers.csv",
        "c1,rail-1520",
        "q7,rail-1520",
        Some(2),
        Some("node"),
        "unknown id `q7`",
    );
    check(
        "tariffs.csv",
        "BBB,road,*,transit",
        "BBB,road,fruit,transit",
        Some(3),
        Some("commodity"),
        "unknown id `fruit`",
    );
    check(
        "corridors.csv",
        "ab-rail;bc-rail",
        "ab-rail;zz-rail",
        Some(2),
        Some("crossings"),
        "unknown id `zz-rail`",
    );
}

#[test]
fn duplicate_ids() {
    check(
        "nodes.csv",
        "b1,Beta West",
        "a1,Beta West",
        Some(4),
        Some("id"),
        "duplicate id `a1`",
    );
    check(
        "links.csv",
        "b-road,,b1",
        "a-road,,b1",
        Some(3),
        Some("id"),
        "duplicate id `a-road`",
    );
}

#[test]
fn missing_or_negative_lengths() {
    check(
        "links.csv",
        "a1,a2,road,,100",
        "a1,a2,road,,-5",
        Some(2),
        Some("length_km"),
        "out of range",
    );
    check(
        "links.csv",
        "a1,a2,road,,100",
        "a1,a2,road,,",
        Some(2),
        Some("length_km"),
        "empty but required",
    );
    check(
        "links.csv",
        "a1,a2,road,,100",
        "a1,a2,road,,0",
        Some(2),
        Some("length_km"),
        "greater than 0",
    );
}

#[test]
fn coordinates_out_of_range() {
    check(
        "nodes.csv",
        "AAA,,40.0,60.0",
        "AAA,,95.0,60.0",
        Some(2),
        Some("lat"),
        "between -90 and 90",
    );
    check(
        "nodes.csv",
        "AAA,,40.0,60.0",
        "AAA,,40.0,200",
        Some(2),
        Some("lon"),
        "between -180 and 180",
    );
}

#[test]
fn gauge_break_without_transfer() {
    check_in(
        "transfers.csv",
        "c1,rail-1520,rail-1435,10,24,test\n",
        "",
        "crossings.csv",
        Some(5),
        Some("gauge_mm"),
        "no transfer between rail-1435 and rail-1520",
    );
}

#[test]
fn crossing_within_one_country() {
    check(
        "crossings.csv",
        "bc-road,B–C road,b2,c1",
        "bc-road,B–C road,b2,b3",
        Some(3),
        Some("to"),
        "both in BBB",
    );
}

#[test]
fn link_across_a_border() {
    check(
        "links.csv",
        "a-road,,a1,a2",
        "a-road,,a1,b1",
        Some(2),
        Some("to"),
        "cross borders with crossings.csv",
    );
}

#[test]
fn demand_between_unknown_or_non_zones() {
    check(
        "demand.csv",
        "a1,c2,goods",
        "a1,zz,goods",
        Some(2),
        Some("destination"),
        "unknown id `zz`",
    );
    check(
        "demand.csv",
        "a1,c2,goods",
        "a2,c2,goods",
        Some(2),
        Some("origin"),
        "not a zone",
    );
}

#[test]
fn malformed_numbers_and_words() {
    check(
        "demand.csv",
        "goods,1000",
        "goods,10x0",
        Some(2),
        Some("tonnes_per_year"),
        "`10x0` is not a number",
    );
    check(
        "links.csv",
        "a1,a2,road",
        "a1,a2,train",
        Some(2),
        Some("mode"),
        "must be one of: rail, road, sea",
    );
    check(
        "links.csv",
        "a1,a2,rail,1520",
        "a1,a2,rail,",
        Some(6),
        Some("gauge_mm"),
        "needs a gauge",
    );
    check(
        "nodes.csv",
        "city,true,test",
        "city,yes,test",
        Some(2),
        Some("is_zone"),
        "true or false",
    );
    check(
        "links.csv",
        "planned,2030",
        "planned,",
        Some(9),
        Some("opens_year"),
        "needs an opening year",
    );
}

#[test]
fn missing_source() {
    check(
        "commodities.csv",
        "goods,Goods,1000,test",
        "goods,Goods,1000,",
        Some(2),
        Some("source"),
        "empty but required",
    );
}

#[test]
fn bad_headers() {
    check(
        "risk.csv",
        "region,index,source",
        "region,idx,source",
        Some(1),
        Some("idx"),
        "unknown column",
    );
    check(
        "risk.csv",
        "region,index,source",
        "region,source",
        Some(1),
        Some("index"),
        "required column is missing",
    );
}

#[test]
fn bad_manifest() {
    check(
        "dataset.toml",
        "base_year = 2025",
        "base_year = \"soon\"",
        Some(6),
        None,
        "invalid type",
    );
    check(
        "dataset.toml",
        "insurance_rate_per_1000km = { value = 0.001, source = \"estimate: round test figure\" }\n",
        "",
        None,
        Some("insurance_rate_per_1000km"),
        "parameter is missing",
    );
}

#[test]
fn missing_file() {
    let problems = load_edited("demand.csv", |_| String::new()).unwrap_err();
    assert!(
        problems
            .iter()
            .any(|p| p.file == "demand.csv" && p.message.contains("file is missing")),
        "{problems}"
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let problems = load_edited("links.csv", |t| {
        t.replacen("a1,a2,road,,100", "a1,a9,road,,-1", 1)
            .replacen("b1,b2,road", "b1,b2,boat", 1)
    })
    .unwrap_err();
    assert!(problems.len() >= 3, "{problems}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// No cell content makes loading panic: it either loads or reports problems.
    #[test]
    fn no_cell_makes_the_loader_panic(file in 0usize..10, row in 1usize..4, col in 0usize..14, cell in "[ -~]{0,12}") {
        let files = ["countries.csv", "nodes.csv", "links.csv", "crossings.csv", "transfers.csv", "commodities.csv", "tariffs.csv", "demand.csv", "risk.csv", "corridors.csv"];
        let _ = load_edited(files[file], |t| {
            let mut lines: Vec<String> = t.lines().map(str::to_string).collect();
            if let Some(line) = lines.get_mut(row) {
                let mut cells: Vec<String> = line.split(',').map(str::to_string).collect();
                let i = col % cells.len();
                cells[i] = cell.clone();
                *line = cells.join(",");
            }
            lines.join("\n") + "\n"
        });
    }
}

/// Copies the tiny dataset with `file` replaced by exactly `bytes`, and loads it.
fn load_with_bytes(file: &str, bytes: &[u8]) -> Result<Dataset, Problems> {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(tiny_dir()).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    std::fs::write(dir.path().join(file), bytes).unwrap();
    Dataset::load_dir(dir.path())
}

#[test]
fn empty_files_are_refused() {
    for file in [
        "demand.csv",
        "tariffs.csv",
        "risk.csv",
        "corridors.csv",
        "links.csv",
    ] {
        for bytes in [&b""[..], b"\n", b"  \r\n"] {
            let problems = load_with_bytes(file, bytes).expect_err(file);
            assert!(
                problems
                    .iter()
                    .any(|p| p.file == file && p.message.contains("the file is empty")),
                "{file}: {problems}"
            );
        }
    }
}

#[test]
fn a_demand_table_with_a_header_and_no_rows_is_refused() {
    let problems = load_with_bytes(
        "demand.csv",
        b"origin,destination,commodity,tonnes_per_year,year,source\n",
    )
    .unwrap_err();
    assert!(
        problems
            .iter()
            .any(|p| p.file == "demand.csv" && p.message.contains("no rows")),
        "{problems}"
    );
}

#[test]
fn crlf_files_report_true_line_numbers() {
    let text = std::fs::read_to_string(tiny_dir().join("links.csv")).unwrap();
    let crlf = text
        .replacen("b1,b2,road", "b1,b2,boat", 1)
        .replace('\n', "\r\n");
    let problems = load_with_bytes("links.csv", crlf.as_bytes()).unwrap_err();
    let line = text.lines().position(|l| l.contains("b1,b2,road")).unwrap() as u64 + 1;
    assert!(
        problems
            .iter()
            .any(|p| p.file == "links.csv" && p.line == Some(line) && p.message.contains("boat")),
        "expected links.csv:{line}: {problems}"
    );
}

#[test]
fn a_header_typo_is_reported_once_not_as_unknown_ids_elsewhere() {
    let text = std::fs::read_to_string(tiny_dir().join("nodes.csv")).unwrap();
    let typo = text.replacen("id,", "idd,", 1);
    let problems = load_with_bytes("nodes.csv", typo.as_bytes()).unwrap_err();
    assert!(
        problems.iter().any(|p| p.column.as_deref() == Some("idd")),
        "{problems}"
    );
    assert!(
        !problems
            .iter()
            .any(|p| p.message.contains("unknown") && p.file != "nodes.csv"),
        "problems that follow from the header are not listed:\n{problems}"
    );
    assert!(problems.len() <= 3, "{problems}");
}

#[test]
fn a_capacity_of_zero_is_refused_with_what_empty_means() {
    check(
        "crossings.csv",
        "ab-rail,A–B rail,a2,b1,rail,1520,0,10,5,2,",
        "ab-rail,A–B rail,a2,b1,rail,1520,0,10,5,0,",
        Some(4),
        Some("capacity_t_per_day"),
        "greater than 0",
    );
}

#[test]
fn values_that_would_overflow_costs_are_out_of_range() {
    check(
        "links.csv",
        "a1,a2,road,,100",
        "a1,a2,road,,1e300",
        Some(2),
        Some("length_km"),
        "out of range",
    );
    check(
        "dataset.toml",
        "insurance_rate_per_1000km = { value = 0.001,",
        "insurance_rate_per_1000km = { value = 1e300,",
        Some(20),
        Some("insurance_rate_per_1000km"),
        "out of range",
    );
}

#[cfg(unix)]
#[test]
fn a_named_pipe_in_place_of_a_file_is_refused_without_hanging() {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(tiny_dir()).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    let fifo = dir.path().join("demand.csv");
    std::fs::remove_file(&fifo).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let problems = Dataset::load_dir(dir.path()).unwrap_err();
    assert!(
        problems
            .iter()
            .any(|p| p.file.ends_with("demand.csv") && p.message.contains("not a regular file")),
        "{problems}"
    );
}

#[test]
fn a_manifest_cut_short_gets_a_message() {
    let text = std::fs::read_to_string(tiny_dir().join("dataset.toml")).unwrap();
    let cut = &text[..text.find("insurance_rate_per_1000km = {").unwrap() + 28];
    let problems = load_with_bytes("dataset.toml", cut.as_bytes()).unwrap_err();
    assert!(
        problems
            .iter()
            .all(|p| !p.message.trim().is_empty() && p.line.is_some()),
        "{problems}"
    );
}

#[test]
fn a_link_shorter_than_the_great_circle_gets_a_note() {
    // a1 (40.0, 60.0) and a2 (40.0, 61.0) are 85 km apart in a straight line.
    let ds = load_edited("links.csv", |t| {
        t.replacen("a1,a2,road,,100", "a1,a2,road,,50", 1)
    })
    .expect("a note, not a problem");
    let notes = karvan_data::review::length_notes(&ds);
    assert!(
        notes
            .iter()
            .any(|n| n.file == "links.csv" && n.line == Some(2) && n.message.contains("shorter")),
        "{notes:?}"
    );
    let ds = load_edited("links.csv", |t| {
        t.replacen("a1,a2,road,,100", "a1,a2,road,,400", 1)
    })
    .unwrap();
    assert!(karvan_data::review::length_notes(&ds)
        .iter()
        .any(|n| n.message.contains("more than twice")));
}

/// Loads the tiny dataset with `file` written as `text` (a table it does not have).
fn with_table(file: &str, text: &str) -> Result<Dataset, Problems> {
    load_edited(file, |_| text.to_string())
}

fn has(problems: &Problems, file: &str, line: u64, column: &str, words: &str) -> bool {
    problems.iter().any(|p| {
        p.file == file
            && p.line == Some(line)
            && p.column.as_deref() == Some(column)
            && p.message.contains(words)
    })
}

#[test]
fn project_money_is_checked_where_it_is_written() {
    const COSTS: &str = "project,capex_usd,capex_low_usd,capex_high_usd,build_years,opens_year,opex_usd_per_year,renewal_usd,renewal_every_years,service_life_years,source\n";
    let p = with_table(
        "project_costs.csv",
        &format!("{COSTS}new-line,100,150,200,2,2030,1,,,30,t\nnowhere,100,,,2,2030,1,5,,30,t\n"),
    )
    .unwrap_err();
    assert!(
        has(
            &p,
            "project_costs.csv",
            2,
            "capex_low_usd",
            "range must hold"
        ),
        "{p}"
    );
    assert!(
        has(
            &p,
            "project_costs.csv",
            3,
            "project",
            "unknown project `nowhere`"
        ),
        "{p}"
    );
    assert!(
        has(
            &p,
            "project_costs.csv",
            3,
            "renewal_every_years",
            "go together"
        ),
        "{p}"
    );
    const FINANCING: &str =
        "project,financier,instrument,borrower,share,interest_percent,tenor_years,grace_years,source\n";
    let p = with_table(
        "project_financing.csv",
        &format!(
            "{FINANCING}new-line,bank,loan,,0.5,3,,,t\nnew-line,AAA,equity,,0.2,,,,t\nnew-line,BBB,loan,ZZZ,0.2,3,5,5,t\n"
        ),
    )
    .unwrap_err();
    assert!(
        has(
            &p,
            "project_financing.csv",
            2,
            "borrower",
            "needs the country"
        ),
        "{p}"
    );
    assert!(
        has(
            &p,
            "project_financing.csv",
            2,
            "tenor_years",
            "needs its term"
        ),
        "{p}"
    );
    assert!(
        has(&p, "project_financing.csv", 2, "share", "sum to 0.9"),
        "{p}"
    );
    assert!(
        has(
            &p,
            "project_financing.csv",
            4,
            "borrower",
            "unknown id `ZZZ`"
        ),
        "{p}"
    );
    assert!(
        has(
            &p,
            "project_financing.csv",
            4,
            "grace_years",
            "shorter than the term"
        ),
        "{p}"
    );
    let p = with_table(
        "upgrades.csv",
        "project,crossing,dwell_hours,capacity_t_per_day,fee_usd_per_t,source\nlanes,no-such-post,5,,,t\n",
    )
    .unwrap_err();
    assert!(
        has(
            &p,
            "upgrades.csv",
            2,
            "crossing",
            "unknown id `no-such-post`"
        ),
        "{p}"
    );
}
