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
        .contains("unknown link or crossing `nowhere`"));
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
