//! The hand-made tiny basin through the model: a year balances as a whole, the quota and
//! the canal's capacity bind, and a bad basin is refused with file, line and column.

use std::collections::HashMap;
use std::path::Path;

use karvan_data::water::Basin;
use karvan_water::model::{run, ModelError, Settings};

fn dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/tiny-basin")
}

fn tiny() -> Basin {
    Basin::load_dir(&dir()).unwrap()
}

fn year(regime: &str) -> Settings {
    Settings {
        years: vec![regime.to_string()],
        ..Settings::default()
    }
}

#[test]
fn a_year_balances_as_a_whole() {
    let b = tiny();
    for regime in ["normal", "dry"] {
        let r = run(&b, &year(regime)).unwrap();
        let inflow: f64 = b
            .inflows
            .iter()
            .filter(|i| i.regime == regime)
            .map(|i| i.volume.annual_hm3)
            .sum();
        let drawn = b.reservoirs[0].initial_hm3 - r.months.last().unwrap().storage[0];
        let lost: f64 = r.months.iter().flat_map(|m| m.lost.iter()).sum();
        let used: f64 = b
            .withdrawals
            .iter()
            .enumerate()
            .map(|(k, w)| {
                (1.0 - w.return_fraction) * r.months.iter().map(|m| m.delivered[k]).sum::<f64>()
            })
            .sum();
        let sea = r.flow("sea", 0, &(1..=12).collect::<Vec<_>>()).unwrap();
        let gap = inflow + drawn - used - lost - sea;
        assert!(gap.abs() < 1e-6, "{regime}: {gap}");
    }
}

#[test]
fn the_quota_and_the_canal_capacity_bind() {
    let r = run(&tiny(), &year("normal")).unwrap();
    let takes = r.takes(0);
    // The lower canal asks 500 from April to October; its country's quota is 450.
    let lower = takes.iter().find(|t| t.0 == "lower-canal").unwrap();
    assert!((lower.3 - 450.0).abs() < 1e-6, "{lower:?}");
    // The upper canal asks 20% of 400 in June and July, more than 30 m³/s carries.
    let upper = takes.iter().find(|t| t.0 == "upper-canal").unwrap();
    assert!(upper.2 < 400.0 - 1.0, "{upper:?}");
    assert!(r.reliability(1) < 1.0);
}

#[test]
fn unknown_regimes_and_names_are_refused() {
    let b = tiny();
    match run(&b, &year("wet")) {
        Err(ModelError::UnknownRegime { known, .. }) => assert_eq!(known, "dry, normal"),
        other => panic!("{:?}", other.map(|_| ())),
    }
    let mut s = year("normal");
    s.without_reservoirs = vec!["sea".into()];
    assert_eq!(
        run(&b, &s).map(|_| ()).unwrap_err(),
        ModelError::UnknownReservoir("sea".into())
    );
}

fn load_edited(file: &str, old: &str, new: &str) -> karvan_data::Problems {
    let mut files: HashMap<String, String> = HashMap::new();
    for e in std::fs::read_dir(dir()).unwrap() {
        let e = e.unwrap();
        files.insert(
            e.file_name().to_string_lossy().into_owned(),
            std::fs::read_to_string(e.path()).unwrap(),
        );
    }
    let text = files.get_mut(file).unwrap();
    assert!(text.contains(old), "{file} has no `{old}`");
    *text = text.replacen(old, new, 1);
    Basin::from_files("tiny-basin", &files).unwrap_err()
}

#[test]
fn a_bad_basin_is_refused_with_file_line_and_column() {
    let has =
        |p: &karvan_data::Problems, file: &str, line: Option<u64>, column: &str, words: &str| {
            p.iter().any(|x| {
                x.file == file
                    && x.line == line
                    && x.column.as_deref() == Some(column)
                    && x.message.contains(words)
            })
        };
    let p = load_edited("reaches.csv", "dam-meet,dam,meet", "dam-meet,dam,nowhere");
    assert!(
        has(&p, "reaches.csv", Some(3), "to", "unknown node `nowhere`"),
        "{p}"
    );
    let p = load_edited(
        "reaches.csv",
        "south-meet,south,meet",
        "south-meet,dam,meet",
    );
    assert!(
        has(
            &p,
            "reaches.csv",
            Some(4),
            "from",
            "a second reach out of `dam`"
        ),
        "{p}"
    );
    let p = load_edited("shapes.csv", "flat,1,", "flat,1,0.5");
    assert!(
        p.iter()
            .any(|x| x.file == "shapes.csv" && x.message.contains("`flat` sum to")),
        "{p}"
    );
    let p = load_edited(
        "withdrawals.csv",
        "upper-canal,30,1,400,irrigation",
        "upper-canal,30,1,400,monsoon",
    );
    assert!(
        has(
            &p,
            "withdrawals.csv",
            Some(2),
            "shape",
            "unknown shape `monsoon`"
        ),
        "{p}"
    );
    let p = load_edited("quotas.csv", "4-10", "4-13");
    assert!(has(&p, "quotas.csv", Some(2), "months", "season"), "{p}");
    let p = load_edited(
        "nodes.csv",
        "north,North headwater,inflow",
        "north,North headwater,terminal",
    );
    assert!(
        p.iter().any(|x| x.message.contains("exactly one terminal")),
        "{p}"
    );
}

#[test]
fn a_scenario_phases_a_diversion_in_and_caps_it_with_a_quota() {
    let text = r#"
base = "tiny"
[water]
years = ["normal", "normal", "normal"]
start_year = 2030
[[water.phase]]
node = "upper-canal"
from = 2031
hm3 = 100
[[water.quota]]
id = "bbb"
country = "BBB"
members = ["upper-canal"]
months = "1-12"
cap_hm3 = 60
"#;
    let sc = karvan_data::Scenario::parse(text, "s.toml").unwrap();
    let mut s = Settings::from_scenario(&sc.water, "s.toml").unwrap();
    let quota = s.quotas.clone();
    s.quotas.clear();
    let r = run(&tiny(), &s).unwrap();
    let got = |r: &karvan_water::model::Run, y: usize| {
        r.takes(y).iter().find(|t| t.0 == "upper-canal").unwrap().3
    };
    // 2030 asks the basin's 400 (less what the canal carries); from 2031 the phase's 100.
    assert!(got(&r, 0) > 300.0, "{}", got(&r, 0));
    assert!((got(&r, 1) - 100.0).abs() < 1e-6, "{}", got(&r, 1));
    // The new quota caps it at 60 a year, every year.
    s.quotas = quota;
    let capped = run(&tiny(), &s).unwrap();
    for y in 0..3 {
        assert!((got(&capped, y) - 60.0).abs() < 1e-6, "{}", got(&capped, y));
    }
    // Bad settings are named.
    let bad = karvan_data::Scenario::parse(
        "base = \"tiny\"\n[water]\n[[water.quota]]\nid = \"q\"\ncountry = \"X\"\nmembers = []\nmonths = \"13\"\ncap_hm3 = 1\n",
        "s.toml",
    )
    .unwrap();
    let e = Settings::from_scenario(&bad.water, "s.toml")
        .unwrap_err()
        .to_string();
    assert!(e.contains("s.toml: [water] quota `q`: season `13`"), "{e}");
}

#[test]
fn a_higher_target_fills_the_reservoir_with_what_the_canals_leave() {
    let mut s = year("normal");
    let held = run(&tiny(), &s).unwrap();
    s.targets.insert("dam".into(), 400.0);
    let filled = run(&tiny(), &s).unwrap();
    let end = |r: &karvan_water::model::Run| r.months.last().unwrap().storage[0];
    assert!(
        end(&filled) > end(&held) + 50.0,
        "{} against {}",
        end(&filled),
        end(&held)
    );
    // The canals get what they got before: filling comes after them.
    for (a, b) in held.takes(0).iter().zip(filled.takes(0)) {
        if !a.1 {
            assert!((a.3 - b.3).abs() < 1e-6, "{a:?} {b:?}");
        }
    }
}

#[test]
fn a_scenario_can_put_a_canal_first_or_last() {
    let got = |priorities: &[(&str, u32)]| {
        let mut s = year("dry");
        for (n, p) in priorities {
            s.priorities.insert(n.to_string(), *p);
        }
        let r = run(&tiny(), &s).unwrap();
        let take = |id: &str| r.takes(0).iter().find(|t| t.0 == id).unwrap().3;
        (take("upper-canal"), take("lower-canal"))
    };
    let shared = got(&[]);
    let upper_first = got(&[("lower-canal", 2)]);
    let lower_first = got(&[("upper-canal", 2)]);
    // In a dry year the two share the shortage; either put first gets more than shared.
    assert!(upper_first.0 > shared.0 + 1.0, "{upper_first:?} {shared:?}");
    assert!(
        lower_first.1 >= shared.1 - 1e-6 && lower_first.0 < shared.0,
        "{lower_first:?} {shared:?}"
    );
    let mut s = year("dry");
    s.priorities.insert("sea".into(), 1);
    assert_eq!(
        run(&tiny(), &s).map(|_| ()).unwrap_err(),
        ModelError::UnknownWithdrawal("sea".into())
    );
}
