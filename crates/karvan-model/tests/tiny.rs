//! Hand-computed cases on `testdata/tiny`: three countries in a row (A – B – C), road and
//! rail side by side, a gauge break at C's border station, transit and domestic tariffs.

use std::path::Path;

use karvan_data::{Dataset, Scenario};
use karvan_model::{places, run, Model, RouteChoice};

fn tiny() -> Dataset {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/tiny");
    Dataset::load_dir(&dir).expect("the tiny dataset is valid")
}

/// The hand-computed cases hold demand fixed; `responsive_with` lets it answer to price.
fn model_with(scenario: &str) -> Model {
    let mut a = applied_with(scenario);
    a.price_response = false;
    Model::new(a)
}

fn responsive_with(scenario: &str) -> Model {
    Model::new(applied_with(scenario))
}

fn applied_with(scenario: &str) -> karvan_data::Applied {
    let s = Scenario::parse(&format!("base = \"tiny\"\n{scenario}"), "test.toml")
        .expect("scenario parses");
    s.apply(&tiny(), "test.toml").expect("scenario applies")
}

fn close(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-9, "{a} != {b}");
}

#[test]
fn transit_and_domestic_tariffs_by_hand() {
    // Rail is closed so the road is the only way.
    let m = model_with(r#"closures = ["ab-rail", "bc-rail"]"#);
    let ds = &m.applied.dataset;
    let a1 = places::find(ds, "a1").unwrap();
    let c2 = places::find(ds, "c2").unwrap();
    let b3 = places::find(ds, "b3").unwrap();

    // A → C: B is transit: 0.04 × 200 km + 3 on entry = 11; A domestic 0.02 × 100 = 2;
    // C domestic 0.03 × 50 + 2 on entry = 3.5.
    let r = &m.routes(a1, c2, 0, 0)[0];
    let by = |iso: &str| {
        r.countries
            .iter()
            .find(|c| c.country == iso)
            .unwrap()
            .clone()
    };
    close(by("AAA").parts.tariff, 2.0);
    close(by("BBB").parts.tariff, 11.0);
    assert_eq!(by("BBB").kind, "transit");
    close(by("CCC").parts.tariff, 3.5);
    close(by("BBB").parts.border_fees, 5.0);
    close(by("CCC").parts.border_fees, 7.0);
    close(r.total.freight, 350.0 * 0.05);
    close(r.total.hours, 350.0 / 50.0 + 10.0 + 20.0);
    // Risk: 200 km through a region of index 0.5, value 1000, rate 0.001 per 1000 km.
    close(r.total.risk, 200.0 * 0.5 / 1000.0 * 1000.0 * 0.001);
    // Value of time: 1000 × 0.0876 / 8760 = 0.01 per hour.
    close(r.total.time_cost, 37.0 * 0.01);
    close(r.total.money(), 17.5 + 16.5 + 12.0 + 0.1);

    // A → B: B is now a destination, so its domestic tariff applies: 0.01 × 210 + 1.
    let r = &m.routes(a1, b3, 0, 0)[0];
    let b = r.countries.iter().find(|c| c.country == "BBB").unwrap();
    assert_eq!(b.kind, "domestic");
    close(b.parts.tariff, 0.01 * 210.0 + 1.0);
}

#[test]
fn revenue_equals_tariff_times_flow() {
    let m = model_with(r#"closures = ["ab-rail", "bc-rail"]"#);
    let res = run(&m, RouteChoice::AllOrNothing);
    let bbb = res.revenue.iter().find(|r| r.country == "BBB").unwrap();
    close(bbb.transit_tariff_usd, 1000.0 * 11.0);
    close(bbb.transit_fees_usd, 1000.0 * 5.0);
    close(bbb.domestic_tariff_usd, 500.0 * (0.01 * 210.0 + 1.0));
    close(bbb.domestic_fees_usd, 500.0 * 5.0);
    close(bbb.transit_tonnes, 1000.0);
}

#[test]
fn gauge_break_is_charged_exactly_once() {
    let m = model_with("");
    let ds = &m.applied.dataset;
    let r = &m.routes(
        places::find(ds, "a1").unwrap(),
        places::find(ds, "c2").unwrap(),
        0,
        0,
    )[0];
    let transfers: Vec<_> = r.steps.iter().filter(|s| s.kind == "transfer").collect();
    assert_eq!(
        transfers.len(),
        1,
        "steps: {:?}",
        r.steps.iter().map(|s| &s.id).collect::<Vec<_>>()
    );
    assert_eq!(transfers[0].id, "c1:rail-1520->rail-1435");
    close(r.total.transfers, 10.0);
    assert!(
        r.steps.iter().all(|s| s.layer != "road"),
        "rail is cheaper all the way"
    );
}

#[test]
fn closures_are_respected() {
    let m = model_with(r#"closures = ["bc-rail"]"#);
    let ds = &m.applied.dataset;
    let routes = m.routes(
        places::find(ds, "a1").unwrap(),
        places::find(ds, "c2").unwrap(),
        0,
        3,
    );
    assert!(!routes.is_empty());
    for r in &routes {
        assert!(!r.crossings.contains(&"bc-rail".to_string()));
    }
}

#[test]
fn the_same_border_by_another_mode_is_not_an_alternative() {
    // Rail and road cross A–B and B–C at the same places: one border sequence, one route.
    let m = model_with("");
    let ds = &m.applied.dataset;
    let routes = m.routes(
        places::find(ds, "a1").unwrap(),
        places::find(ds, "c2").unwrap(),
        0,
        5,
    );
    assert_eq!(routes.len(), 1);
}

#[test]
fn projects_open_by_year() {
    let ds = tiny();
    let before = Scenario::parse("base = \"tiny\"\nyear = 2029", "s")
        .unwrap()
        .apply(&ds, "s")
        .unwrap();
    let after = Scenario::parse("base = \"tiny\"\nyear = 2030", "s")
        .unwrap()
        .apply(&ds, "s")
        .unwrap();
    let forced = Scenario::parse("base = \"tiny\"\n[projects]\nnew-line = true", "s")
        .unwrap()
        .apply(&ds, "s")
        .unwrap();
    let later = Scenario::parse(
        "base = \"tiny\"\nyear = 2030\n[projects]\nnew-line = 2031",
        "s",
    )
    .unwrap()
    .apply(&ds, "s")
    .unwrap();
    let i = ds.links.iter().position(|l| l.id == "b-new-rail").unwrap();
    assert!(!before.link_open[i]);
    assert!(after.link_open[i]);
    assert!(forced.link_open[i]);
    assert!(!later.link_open[i]);
}

#[test]
fn every_demand_row_is_routed_or_reported() {
    let m = model_with("");
    let res = run(&m, RouteChoice::AllOrNothing);
    assert_eq!(
        res.od.len() + res.unroutable.len(),
        m.applied.dataset.demand.len()
    );
    assert_eq!(res.unroutable.len(), 1);
    assert_eq!(res.unroutable[0].destination, "island");
    close(
        res.routed_tonnes + res.unroutable[0].tonnes,
        res.demand_tonnes,
    );
}

#[test]
fn flows_are_conserved() {
    let m = model_with("");
    let res = run(&m, RouteChoice::AllOrNothing);
    let ds = &m.applied.dataset;
    // Each route is a connected chain from its origin to its destination…
    for od in &res.od {
        let r = &od.route;
        assert_eq!(
            r.steps.first().unwrap().from,
            ds.node(&od.origin).unwrap().name
        );
        assert_eq!(
            r.steps.last().unwrap().to,
            ds.node(&od.destination).unwrap().name
        );
        for w in r.steps.windows(2) {
            assert_eq!(w[0].to, w[1].from);
        }
    }
    // …and the tonne-km on links add up to the tonne-km of the routes.
    let on_links: f64 = ds
        .links
        .iter()
        .zip(&res.link_flows)
        .map(|(l, f)| l.length_km * f.values().sum::<f64>())
        .sum();
    let on_routes: f64 = res.od.iter().map(|od| od.tonnes * od.km).sum();
    close(on_links, on_routes);
    // A → C goes by rail (cheaper), A → B by road (no rail–road transfer at B).
    let a_rail = ds.links.iter().position(|l| l.id == "a-rail").unwrap();
    close(res.link_flows[a_rail].values().sum(), 1000.0);
}

#[test]
fn tariff_cut_in_scenario_changes_the_transit_bill() {
    let m = model_with("closures = [\"ab-rail\", \"bc-rail\"]\n[[tariff]]\ncountry = \"BBB\"\nmode = \"road\"\npercent = -50");
    let ds = &m.applied.dataset;
    let r = &m.routes(
        places::find(ds, "a1").unwrap(),
        places::find(ds, "c2").unwrap(),
        0,
        0,
    )[0];
    let b = r.countries.iter().find(|c| c.country == "BBB").unwrap();
    close(b.parts.tariff, 5.5);
}

/// With time valued at 0.3 USD per tonne-hour, rail A → C is 7.2 USD/t cheaper than road
/// at free flow, but the A–B rail crossing clears only 2 t/day (730 t/year) against
/// 1,000 t/year: at equilibrium the flow splits and both routes cost the same.
#[test]
fn congestion_at_a_border_splits_the_flow_at_equilibrium() {
    let m = model_with("[parameters]\ntime_value_share_per_year = 2.628");
    let res = run(
        &m,
        RouteChoice::Equilibrium {
            gap: 1e-10,
            max_iterations: 100,
        },
    );
    assert!(
        res.assignment.convergence <= 1e-10,
        "gap {}",
        res.assignment.convergence
    );
    let ds = &m.applied.dataset;
    let flow = |id: &str| -> f64 {
        let i = ds.crossings.iter().position(|c| c.id == id).unwrap();
        res.crossing_flows[i].values().sum()
    };
    let (rail, road) = (flow("bc-rail"), flow("bc-road"));
    assert!(rail > 0.0 && road > 0.0, "rail {rail}, road {road}");
    close(rail + road, 1000.0);
    let ac = res.od.iter().find(|o| o.destination == "c2").unwrap();
    assert_eq!(ac.paths, 2);
    // Every tonne pays the tariffs of the route it takes: B's transit tariff (11 USD/t)
    // is paid by the road share of A → C only.
    let bbb = res.revenue.iter().find(|r| r.country == "BBB").unwrap();
    close(bbb.transit_tariff_usd, 11.0 * road);
    // Both routes cost the same at equilibrium: the rail route's congested cost equals
    // the road route's (which has no capacity, so its cost is its free-flow cost).
    let aon = run(&m, RouteChoice::AllOrNothing);
    let road_only = model_with(
        "closures = [\"ab-rail\", \"bc-rail\"]\n[parameters]\ntime_value_share_per_year = 2.628",
    );
    let free_road = run(&road_only, RouteChoice::AllOrNothing)
        .od
        .iter()
        .find(|o| o.destination == "c2")
        .unwrap()
        .cost_usd_per_t;
    assert!(
        (ac.cost_usd_per_t - free_road).abs() < 1e-6,
        "{} vs {free_road}",
        ac.cost_usd_per_t
    );
    let aon_ac = aon.od.iter().find(|o| o.destination == "c2").unwrap();
    assert!(
        aon_ac.cost_usd_per_t < ac.cost_usd_per_t,
        "congestion raises the cost"
    );
}

/// The logit spreads A → C over both routes; a large dispersion brings it close to the
/// user equilibrium's split, and every tonne is still accounted for.
#[test]
fn logit_route_choice_approaches_the_equilibrium_as_dispersion_grows() {
    let m = model_with("[parameters]\ntime_value_share_per_year = 2.628");
    let ds = &m.applied.dataset;
    let rail_share = |res: &karvan_model::RunResults| {
        let i = ds.crossings.iter().position(|c| c.id == "bc-rail").unwrap();
        res.crossing_flows[i].values().sum::<f64>() / 1000.0
    };
    let ue = rail_share(&run(
        &m,
        RouteChoice::Equilibrium {
            gap: 1e-10,
            max_iterations: 100,
        },
    ));
    let sharp = run(
        &m,
        RouteChoice::Logit {
            dispersion: 20.0,
            routes_per_od: 4,
            max_iterations: 2000,
        },
    );
    let blunt = run(
        &m,
        RouteChoice::Logit {
            dispersion: 0.01,
            routes_per_od: 4,
            max_iterations: 2000,
        },
    );
    assert!(
        (rail_share(&sharp) - ue).abs() < 0.02,
        "{} vs {ue}",
        rail_share(&sharp)
    );
    // Almost no dispersion: close to an even split between the two (disjoint) routes.
    assert!(
        (rail_share(&blunt) - 0.5).abs() < 0.05,
        "{}",
        rail_share(&blunt)
    );
    for res in [&sharp, &blunt] {
        close(res.routed_tonnes, 1500.0);
        assert_eq!(res.assignment.method, "logit");
    }
}

/// Security risk lengthens border waits: 10 h per unit of risk index, and both of A → C's
/// crossings touch B (risk 0.5), so the route takes 2 × 0.5 × 10 = 10 h longer.
#[test]
fn risk_adds_dwell_at_crossings() {
    let ds = tiny();
    let (a1, c2) = (
        places::find(&ds, "a1").unwrap(),
        places::find(&ds, "c2").unwrap(),
    );
    let calm = model_with("");
    let tense = model_with("[parameters]\nrisk_dwell_hours = 10");
    let h = |m: &Model| m.routes(a1, c2, 0, 0)[0].total.hours;
    close(h(&tense) - h(&calm), 10.0);
}

#[test]
fn rail_cargo_pays_its_terminals_where_it_starts_and_ends() {
    let free = model_with("");
    let charged = model_with("[parameters]\nrail_terminal_usd_per_t = 4\nrail_terminal_hours = 6");
    let route = |m: &Model| {
        let ds = &m.applied.dataset;
        m.routes(
            places::find(ds, "a1").unwrap(),
            places::find(ds, "c2").unwrap(),
            0,
            0,
        )[0]
        .clone()
    };
    let (a, b) = (route(&free), route(&charged));
    assert!(
        a.steps.iter().all(|s| s.layer != "road"),
        "rail all the way"
    );
    let terminals: Vec<_> = b.steps.iter().filter(|s| s.kind == "terminal").collect();
    assert_eq!(
        terminals.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
        ["a1:rail-1520 terminal", "c2:rail-1435 terminal"]
    );
    // Loading at A and unloading at C: 2 × 4 USD/t and 2 × 6 h, nothing else changes.
    close(b.total.transfers - a.total.transfers, 8.0);
    close(b.total.hours - a.total.hours, 12.0);
    close(b.total.money() - a.total.money(), 8.0);
    // Each terminal is paid in its own country.
    assert_eq!(terminals[0].country, "AAA");
    assert_eq!(terminals[1].country, "CCC");
}

#[test]
fn trade_answering_to_price_ships_the_matrix_in_the_base_year() {
    let r = run(&responsive_with(""), RouteChoice::AllOrNothing);
    let p = r
        .price_response
        .as_ref()
        .expect("trade answers to price by default");
    assert!(p.lost_tonnes < 1e-6 && p.generated_tonnes < 1e-6, "{p:?}");
    for od in &r.od {
        close(od.tonnes, od.matrix_tonnes);
    }
}

#[test]
fn a_closure_that_makes_a_row_dearer_loses_part_of_its_trade() {
    let m = responsive_with(r#"closures = ["ab-rail", "bc-rail"]"#);
    let r = run(&m, RouteChoice::AllOrNothing);
    let response = karvan_model::PriceResponse::of(&m);
    let mut lost = 0.0;
    for od in &r.od {
        let base = od
            .base_year_cost_usd_per_t
            .expect("every tiny row has a base-year cost");
        // Exactly the logit factor of its cost, since nothing is congested.
        close(
            od.tonnes,
            od.matrix_tonnes * response.factor(od.cost_usd_per_t, base),
        );
        if od.cost_usd_per_t > base + 1e-9 {
            assert!(od.tonnes < od.matrix_tonnes && od.tonnes > 0.0, "{od:?}");
        }
        lost += od.matrix_tonnes - od.tonnes;
    }
    assert!(
        lost > 0.0,
        "the road is dearer than rail, so some trade is lost"
    );
    let p = r.price_response.unwrap();
    close(p.lost_tonnes - p.generated_tonnes, lost);
    // Conservation: what is asked of the network is routed or reported.
    let unroutable: f64 = r.unroutable.iter().map(|u| u.tonnes).sum();
    close(r.routed_tonnes + unroutable, r.demand_tonnes);
}

#[test]
fn fixed_demand_in_the_scenario_holds_every_row() {
    let m = responsive_with("closures = [\"ab-rail\", \"bc-rail\"]\n[demand]\nfixed = true");
    let r = run(&m, RouteChoice::AllOrNothing);
    assert!(r.price_response.is_none());
    for od in &r.od {
        close(od.tonnes, od.matrix_tonnes);
    }
}
