//! The embedded Afghan grid: the base year against what was observed, energy balance,
//! the projects as scenarios, the water link and the bargaining view.

use karvan_data::embedded;
use karvan_data::power::Grid;
use karvan_power::bargain::{bargain, Steps};
use karvan_power::model::{self, Settings};
use karvan_power::summary::{summarise, Summary};
use karvan_power::year;

fn grid() -> Grid {
    embedded::grid().expect("the embedded grid loads")
}

fn solve(s: &Settings) -> Summary {
    let g = grid();
    let out = model::run(&g, s).expect("solves");
    summarise(&g, &out).expect("finite")
}

fn with(projects: &[&str], year: i32) -> Settings {
    Settings {
        year: Some(year),
        projects: projects.iter().map(|p| p.to_string()).collect(),
        ..Settings::default()
    }
}

const WINTER: [usize; 6] = [10, 11, 12, 1, 2, 3];
const SUMMER: [usize; 6] = [4, 5, 6, 7, 8, 9];

fn unserved(s: &Summary, node: &str, months: &[usize]) -> f64 {
    let n = s.nodes.iter().find(|n| n.id == node).expect("node");
    Summary::over(&n.unserved_gwh, months)
}

fn imports(s: &Summary, supplier: &str, months: &[usize]) -> f64 {
    s.imports
        .iter()
        .find(|i| i.supplier == supplier)
        .map_or(0.0, |i| Summary::over(&i.gwh, months))
}

#[test]
fn the_base_year_reproduces_the_observed_imports_and_share() {
    let s = solve(&Settings::default());
    assert_eq!(s.year, 2023);
    assert!(s.checks.len() >= 5, "{:?}", s.checks);
    for c in &s.checks {
        assert!(
            c.inside,
            "{} ({}, {}): modelled {:.3} outside {}–{}",
            c.id, c.quantity, c.node, c.modelled, c.low, c.high
        );
    }
    for quantity in ["imports_gwh", "imports_total_gwh", "import_share"] {
        assert!(
            s.checks.iter().any(|c| c.quantity == quantity),
            "{quantity}"
        );
    }
    // Tajik exports collapse in winter to the contract's floor (≈ 40 MW).
    let winter = imports(&s, "tj", &WINTER);
    let summer = imports(&s, "tj", &SUMMER);
    assert!(summer > 4.0 * winter, "summer {summer} winter {winter}");
}

#[test]
fn energy_balances_at_every_node_and_month_with_every_project_built() {
    let all = ["casa-1000", "uz-500kv", "tm-500kv", "tap-500", "rogun"];
    for s in [Settings::default(), with(&all, 2031)] {
        let r = solve(&s);
        assert!(
            r.largest_imbalance_gwh < 1e-6,
            "{}",
            r.largest_imbalance_gwh
        );
        // Demand goes unserved only where nothing cheaper than the shortage is left:
        // there the price is the shortage penalty.
        let g = grid();
        for n in &r.nodes {
            for m in 0..12 {
                if n.unserved_gwh[m] > 1e-3 {
                    let penalty = g.unserved_penalty(&n.id);
                    assert!(
                        (n.price_usd_mwh[m] - penalty).abs() < 1e-3 * penalty,
                        "{} month {}: {} GWh unserved at a price of {}",
                        n.id,
                        m + 1,
                        n.unserved_gwh[m],
                        n.price_usd_mwh[m]
                    );
                }
            }
        }
    }
}

#[test]
fn a_project_before_its_opening_year_is_refused() {
    let g = grid();
    let err = model::run(&g, &with(&["casa-1000"], 2023))
        .err()
        .expect("refused");
    assert!(err.to_string().contains("opens in 2027"), "{err}");
    let err = model::run(&g, &with(&["no-such"], 2030))
        .err()
        .expect("refused");
    assert!(err.to_string().contains("no-such"), "{err}");
}

#[test]
fn casa_1000_runs_in_summer_only_and_pays_afghanistan_a_transit_fee() {
    let base = solve(&with(&[], 2028));
    let casa = solve(&with(&["casa-1000"], 2028));
    for l in casa
        .lines
        .iter()
        .filter(|l| l.project.as_deref() == Some("casa-1000"))
    {
        for m in [1, 2, 3, 10, 11, 12] {
            assert!(l.flow_gwh[m - 1] < 1e-6, "{} flows in month {m}", l.id);
        }
    }
    let to_pk = casa
        .lines
        .iter()
        .find(|l| l.to == "pk")
        .expect("a line to Pakistan");
    let sent: f64 = to_pk.flow_gwh.iter().sum();
    assert!(sent > 1000.0, "{sent}");
    assert!((to_pk.fees_musd - to_pk.fee_usd_mwh * sent / 1000.0).abs() < 1e-9);
    assert_eq!(to_pk.fee_country.as_deref(), Some("AFG"));
    // Pakistan's own plants make what CASA-1000 brings less.
    let pk = |s: &Summary| {
        let n = s.nodes.iter().find(|n| n.id == "pk").expect("pk");
        Summary::over(&n.generation_gwh, &SUMMER)
    };
    let arrived = sent * (1.0 - 0.05);
    assert!(
        (pk(&base) - pk(&casa) - arrived).abs() < 1.0,
        "{} {} {}",
        pk(&base),
        pk(&casa),
        arrived
    );
    // Kabul is short less in summer.
    assert!(unserved(&casa, "af-kabul", &SUMMER) <= unserved(&base, "af-kabul", &SUMMER));
}

#[test]
fn the_uzbek_500kv_line_ends_kabuls_winter_shortage() {
    let base = solve(&with(&[], 2028));
    let line = solve(&with(&["uz-500kv"], 2028));
    let before = unserved(&base, "af-kabul", &WINTER);
    let after = unserved(&line, "af-kabul", &WINTER);
    assert!(before > 300.0, "{before}");
    assert!(after < 0.1 * before, "{before} → {after}");
    assert!(imports(&line, "uz", &WINTER) > imports(&base, "uz", &WINTER) + 300.0);
}

fn linked(regime: &str, water: karvan_water::model::Settings) -> Summary {
    let basin = embedded::basin().expect("basin");
    year::solve(&grid(), &basin, &Settings::default(), &water, Some(regime)).expect("solves")
}

#[test]
fn a_dry_year_and_rogun_filling_reach_kabul_as_winter_shortage() {
    let normal = linked("normal", Default::default());
    let dry = linked("dry", Default::default());
    let filling = linked(
        "normal",
        karvan_water::model::Settings {
            with_reservoirs: vec!["rogun".into()],
            targets: [("rogun".to_string(), 13_300.0)].into(),
            ..Default::default()
        },
    );
    assert!(normal.largest_imbalance_gwh < 1e-6);
    let kabul = |s: &Summary| unserved(s, "af-kabul", &WINTER);
    assert!(
        kabul(&dry) > kabul(&normal) + 50.0,
        "{} {}",
        kabul(&normal),
        kabul(&dry)
    );
    assert!(
        kabul(&filling) > kabul(&dry),
        "{} {}",
        kabul(&dry),
        kabul(&filling)
    );
    assert!(imports(&dry, "tj", &SUMMER) < imports(&normal, "tj", &SUMMER));
    // A normal year through the water model gives Tajik exports close to the fixed series.
    let fixed = solve(&Settings::default());
    let (a, b) = (
        imports(&normal, "tj", &(1..=12).collect::<Vec<_>>()),
        imports(&fixed, "tj", &(1..=12).collect::<Vec<_>>()),
    );
    assert!((a - b).abs() < 0.1 * b, "linked {a} fixed {b}");
}

#[test]
fn the_bargaining_view_finds_a_nash_deal_both_prefer_to_no_deal() {
    let g = grid();
    let basin = embedded::basin().expect("basin");
    // Tajikistan's canals at their ICWC limit, so that Qosh Tepa's water is missed
    // downstream.
    let water = karvan_water::model::Settings {
        demand_hm3: [("tajik-canals".to_string(), 9_800.0)].into(),
        ..Default::default()
    };
    let b = bargain(
        &g,
        &Settings::default(),
        &basin,
        &water,
        "normal",
        Steps::default(),
    )
    .expect("bargains");
    // No deal gains nothing.
    let none = b
        .deals
        .iter()
        .find(|d| d.withdrawal_hm3 == b.terms.planned_hm3 && d.winter_mw == 0.0)
        .expect("no deal is on the grid");
    assert!(none.afghanistan_gain.abs() < 1e-6 && none.downstream_gain.abs() < 1e-6);
    // Withdrawing less leaves more for the downstream canals.
    let first = b.water.first().expect("levels");
    let last = b.water.last().expect("levels");
    assert!(first.downstream_hm3 > last.downstream_hm3);
    // Extra winter power lowers Afghan shortage until the lines are full.
    assert!(b.power[1].unserved_gwh < b.power[0].unserved_gwh);
    let nash = b.nash.expect("a deal beats no deal");
    assert!(nash.afghanistan_gain > 0.0 && nash.downstream_gain > 0.0);
    let best = b.acceptable().map(|d| d.product()).fold(0.0, f64::max);
    // Ties within the solver's tolerance go to the first deal on the grid.
    assert!((nash.product() - best).abs() <= 1e-6 * best.max(1.0));
}
