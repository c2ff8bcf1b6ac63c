//! Scenario files: what they change, and the errors they give.

use std::path::Path;

use karvan_data::{Dataset, Scenario, TariffKind};

fn tiny() -> Dataset {
    Dataset::load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/tiny")).unwrap()
}

fn apply(text: &str) -> Result<karvan_data::Applied, karvan_data::Problems> {
    let s = Scenario::parse(text, "s.toml")?;
    s.apply(&tiny(), "s.toml")
}

fn error_of(text: &str) -> String {
    apply(text).expect_err("must be rejected").to_string()
}

#[test]
fn malformed_toml_names_the_line() {
    let e = error_of("base = \"tiny\"\nyear = = 3\n");
    assert!(e.contains("s.toml:2"), "{e}");
}

#[test]
fn unknown_keys_and_ids_are_named() {
    assert!(error_of("base = \"tiny\"\nyeer = 2030").contains("unknown field `yeer`"));
    assert!(error_of("base = \"tiny\"\nclosures = [\"nowhere\"]")
        .contains("`nowhere` is neither a link or crossing id"));
    assert!(error_of("base = \"tiny\"\n[projects]\nmoonbase = true")
        .contains("unknown project `moonbase`; known: new-line"));
    assert!(
        error_of("base = \"tiny\"\n[[tariff]]\ncountry = \"ZZZ\"\npercent = 5")
            .contains("unknown country `ZZZ`")
    );
    assert!(error_of("base = \"tiny\"\n[[tariff]]\ncountry = \"BBB\"").contains("gives no change"));
    assert!(error_of("base = \"tiny\"\n[parameters]\nwarp_speed = 9")
        .contains("unknown parameter `warp_speed`"));
    assert!(
        error_of("base = \"tiny\"\n[demand.by_commodity]\nfruit = 3")
            .contains("unknown commodity `fruit`")
    );
}

#[test]
fn tariff_changes_by_percent_and_value() {
    let a = apply("base = \"tiny\"\n[[tariff]]\ncountry = \"BBB\"\nmode = \"road\"\npercent = -30")
        .unwrap();
    let t = a
        .dataset
        .tariffs
        .iter()
        .find(|t| t.country == "BBB" && t.kind == TariffKind::Transit)
        .unwrap();
    assert!((t.usd_per_tkm - 0.028).abs() < 1e-12);
    assert!((t.usd_per_t - 2.1).abs() < 1e-12);
    let d = a
        .dataset
        .tariffs
        .iter()
        .find(|t| t.country == "BBB" && t.kind == TariffKind::Domestic)
        .unwrap();
    assert_eq!(
        d.usd_per_tkm, 0.01,
        "domestic untouched by a transit change"
    );

    // A commodity-specific change starts from the `*` row and leaves it alone.
    let a = apply("base = \"tiny\"\n[[tariff]]\ncountry = \"BBB\"\nmode = \"road\"\ncommodity = \"goods\"\nusd_per_tkm = 0.5").unwrap();
    let own = a
        .dataset
        .tariffs
        .iter()
        .find(|t| t.country == "BBB" && t.commodity == "goods")
        .unwrap();
    assert_eq!((own.usd_per_tkm, own.usd_per_t), (0.5, 3.0));
    let star = a
        .dataset
        .tariffs
        .iter()
        .find(|t| t.country == "BBB" && t.commodity == "*" && t.kind == TariffKind::Transit)
        .unwrap();
    assert_eq!(star.usd_per_tkm, 0.04);
}

#[test]
fn demand_grows_compounding_to_the_scenario_year() {
    let a = apply("base = \"tiny\"\nyear = 2027\n[demand]\ngrowth_percent_per_year = 10").unwrap();
    assert!((a.dataset.demand[0].tonnes_per_year - 1000.0 * 1.21).abs() < 1e-9);
}

#[test]
fn parameters_are_overridden() {
    let a = apply("base = \"tiny\"\n[parameters]\noperating_cost_road = 0.07").unwrap();
    assert_eq!(a.dataset.manifest.parameter("operating_cost_road"), 0.07);
}

#[test]
fn the_example_scenario_parses() {
    let s = Scenario::parse(karvan_data::scenario::EXAMPLE, "example.toml").unwrap();
    assert_eq!(s.base, karvan_data::embedded::DEFAULT);
}

#[test]
fn shipped_scenarios_parse() {
    for (name, text) in karvan_data::embedded::SCENARIOS {
        Scenario::parse(text, name).unwrap_or_else(|p| panic!("{name}: {p}"));
    }
}

/// The line of the one problem of `text`.
fn line_of(text: &str) -> Option<u64> {
    let p = apply(text).expect_err("must be rejected");
    assert_eq!(p.len(), 1, "{p}");
    let line = p.iter().next().and_then(|q| q.line);
    line
}

#[test]
fn scenario_problems_point_at_their_lines() {
    assert_eq!(line_of("base = \"tiny\"\nyeer = 2030"), Some(2));
    assert_eq!(line_of("base = \"tiny\"\r\nyeer = 2030\r\n"), Some(2));
    assert_eq!(
        line_of("base = \"tiny\"\n\nclosures = [\"nowhere\"]"),
        Some(3)
    );
    assert_eq!(
        line_of("base = \"tiny\"\n[projects]\nmoonbase = true"),
        Some(3)
    );
    assert_eq!(
        line_of("base = \"tiny\"\n[[tariff]]\ncountry = \"ZZZ\"\npercent = 5"),
        Some(3)
    );
    assert_eq!(
        line_of("base = \"tiny\"\n[parameters]\nwarp_speed = 9"),
        Some(3)
    );
    assert_eq!(
        line_of("base = \"tiny\"\n[assignment]\n\ngap = -1.0"),
        Some(4)
    );
    assert_eq!(
        line_of("base = \"tiny\"\n\n[game]\ndispersion = 0.0"),
        Some(4)
    );
}

#[test]
fn demand_growth_out_of_range_is_refused() {
    for g in ["-200.0", "nan", "inf", "-100.0", "1000.0"] {
        let e = error_of(&format!(
            "base = \"tiny\"\nyear = 2030\n[demand]\ngrowth_percent_per_year = {g}"
        ));
        assert!(e.contains("growth"), "{g}: {e}");
    }
    let e = error_of("base = \"tiny\"\nyear = 99999");
    assert!(e.contains("scenario year"), "{e}");
    let e = error_of("base = \"tiny\"\nyear = 2100\n[demand]\ngrowth_percent_per_year = 100.0");
    assert!(e.contains("t/year on one row"), "{e}");
    let e = error_of("base = \"tiny\"\n[demand.by_commodity]\ngoods = -150.0");
    assert!(e.contains("by_commodity.goods"), "{e}");
}

#[test]
fn tariff_percent_below_minus_100_and_percent_with_values_are_refused() {
    let e = error_of("base = \"tiny\"\n[[tariff]]\ncountry = \"BBB\"\npercent = -130");
    assert!(e.contains("between -100 and 1000"), "{e}");
    let e = error_of(
        "base = \"tiny\"\n[[tariff]]\ncountry = \"BBB\"\npercent = -10\nusd_per_tkm = 0.1",
    );
    assert!(e.contains("not both"), "{e}");
    let e = error_of("base = \"tiny\"\n[[tariff]]\ncountry = \"BBB\"\nusd_per_t = -5.0");
    assert!(e.contains("USD per tonne"), "{e}");
}

#[test]
fn closures_take_a_pair_of_countries_like_risk_close() {
    let ds = tiny();
    let between = ds.crossings_between("AAA-BBB").expect("a pair");
    assert!(!between.is_empty());
    let a = apply("base = \"tiny\"\nclosures = [\"AAA-BBB\"]").unwrap();
    for i in between {
        assert!(!a.crossing_open[i], "{}", ds.crossings[i].id);
    }
}

#[test]
fn duplicate_and_unknown_players_are_refused() {
    let e = error_of("base = \"tiny\"\n[game]\nplayers = [\"BBB\", \"BBB\"]");
    assert!(e.contains("named twice"), "{e}");
}

#[test]
fn disruption_days_count_from_1_january_as_day_1() {
    let e = error_of(
        "base = \"tiny\"\n[[disruption]]\nclose = [\"AAA-BBB\"]\nstart_day = 0.0\ndays = 5.0",
    );
    assert!(e.contains("1 = 1 January"), "{e}");
    for bad in ["days = nan", "days = -3.0", "days = 400.0"] {
        let e = error_of(&format!(
            "base = \"tiny\"\n[[disruption]]\nclose = [\"AAA-BBB\"]\n{bad}"
        ));
        assert!(e.contains("length in days"), "{bad}: {e}");
    }
    let a = apply("base = \"tiny\"\n[[disruption]]\nclose = [\"AAA-BBB\"]\ndays = 5.0").unwrap();
    assert_eq!(a.disruptions[0].start_day, 1.0);
}

/// Writes `files` (name, text) into a new folder whose scenarios use the tiny dataset.
fn scenario_folder(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let tiny = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/tiny");
    for (name, text) in files {
        let text = text.replace("TINY", &tiny.display().to_string());
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

#[test]
fn a_scenario_extends_another_and_adds_to_it() {
    let dir = scenario_folder(&[
        (
            "parent.toml",
            "base = \"TINY\"\nyear = 2030\nclosures = [\"a-road\"]\n[parameters]\noperating_cost_road = 0.07\n[[demand.od]]\norigin = \"a1\"\ndestination = \"c2\"\ncommodity = \"goods\"\nfactor = 2.0\n",
        ),
        (
            "child.toml",
            "base = \"TINY\"\nextends = \"parent.toml\"\nclosures = [\"b-road\", \"a-road\"]\n[parameters]\noperating_cost_road = 0.08\n",
        ),
    ]);
    let child = karvan_data::locate(dir.path().join("child.toml").to_str(), None).unwrap();
    let merged = child.with_parents().unwrap();
    // Lists add up (without repeats), single values are the child's where set.
    assert_eq!(merged.closures, vec!["a-road", "b-road"]);
    assert_eq!(merged.year, Some(2030));
    assert_eq!(merged.parameters["operating_cost_road"], 0.08);
    let a = child.applied().unwrap();
    assert_eq!(a.dataset.manifest.parameter("operating_cost_road"), 0.08);
    // The parent's demand factor is the base year that demand answers to price from.
    let row = |ds: &Dataset| {
        ds.demand
            .iter()
            .find(|d| d.origin == "a1" && d.destination == "c2")
            .map(|d| d.tonnes_per_year)
    };
    assert_eq!(row(&a.base), row(&tiny()).map(|t| t * 2.0));
}

#[test]
fn extends_in_a_circle_or_to_another_base_is_refused() {
    let dir = scenario_folder(&[
        ("a.toml", "base = \"TINY\"\nextends = \"b.toml\"\n"),
        ("b.toml", "base = \"TINY\"\nextends = \"a.toml\"\n"),
        (
            "c.toml",
            "base = \"central-asia-afghanistan\"\nextends = \"a.toml\"\n",
        ),
    ]);
    let e = karvan_data::locate(dir.path().join("a.toml").to_str(), None)
        .unwrap()
        .applied()
        .expect_err("a circle")
        .to_string();
    assert!(e.contains("circle"), "{e}");
    let e = karvan_data::locate(dir.path().join("c.toml").to_str(), None)
        .unwrap()
        .applied()
        .expect_err("another base")
        .to_string();
    assert!(e.contains("whose base is"), "{e}");
}

#[test]
fn upgrades_change_their_crossings_when_built_and_add_up() {
    let mut ds = tiny();
    let upgrade = |project: &str, dwell: Option<f64>, capacity: Option<f64>| karvan_data::Upgrade {
        project: project.into(),
        crossing: "ab-road".into(),
        dwell_hours: dwell,
        capacity_t_per_day: capacity,
        fee_usd_per_t: None,
        source: "t".into(),
        line: 2,
    };
    ds.upgrades.push(upgrade("window", Some(7.0), None));
    ds.upgrades.push(upgrade("lanes", Some(6.0), Some(500.0)));
    let crossing = |text: &str| {
        let a = Scenario::parse(text, "t").unwrap().apply(&ds, "t").unwrap();
        a.dataset
            .crossings
            .iter()
            .find(|c| c.id == "ab-road")
            .unwrap()
            .clone()
    };
    // Not built: today's 10 h and no capacity.
    let today = crossing("base = \"tiny\"");
    assert_eq!((today.dwell_hours, today.capacity_t_per_day), (10.0, None));
    let window = crossing("base = \"tiny\"\n[projects]\nwindow = true\n");
    assert_eq!(window.dwell_hours, 7.0);
    // Both: 10 − 3 − 4 = 3 h; the capacity of the one that sets it.
    let both = crossing("base = \"tiny\"\n[projects]\nwindow = true\nlanes = true\n");
    assert_eq!(
        (both.dwell_hours, both.capacity_t_per_day),
        (3.0, Some(500.0))
    );
    // Built in a later year than the scenario's: not yet.
    let later = crossing("base = \"tiny\"\nyear = 2026\n[projects]\nlanes = 2030\n");
    assert_eq!(later.dwell_hours, 10.0);
}
