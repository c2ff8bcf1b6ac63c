//! Properties that hold for every route: totals are the sum of their parts, and the
//! route's cost is the shortest-path distance the solver found.

use std::path::Path;

use karvan_assign::ShortestPaths;
use karvan_data::{embedded, Dataset, Scenario};
use karvan_model::{Model, Parts};
use proptest::prelude::*;

fn sum<'a>(parts: impl Iterator<Item = &'a Parts>) -> Parts {
    let mut s = Parts::default();
    for p in parts {
        s.add(p);
    }
    s
}

fn assert_same(a: &Parts, b: &Parts) -> Result<(), TestCaseError> {
    let pairs = [
        (a.km, b.km),
        (a.hours, b.hours),
        (a.freight, b.freight),
        (a.tariff, b.tariff),
        (a.border_fees, b.border_fees),
        (a.transfers, b.transfers),
        (a.risk, b.risk),
        (a.time_cost, b.time_cost),
    ];
    for (x, y) in pairs {
        prop_assert!((x - y).abs() <= 1e-9 * (1.0 + x.abs()), "{a:?} != {b:?}");
    }
    Ok(())
}

fn check_routes(
    model: &Model,
    from: usize,
    to: usize,
    commodity: usize,
) -> Result<(), TestCaseError> {
    let routes = model.routes(from, to, commodity, 2);
    let class = model.class(from, to, commodity);
    let cost = model.costs.arc_costs(&model.network, &class);
    let mut sp = ShortestPaths::new(model.network.graph.num_vertices());
    sp.run(
        &model.network.graph,
        &cost,
        model.network.source[from],
        |_| false,
    );
    let best = sp.distance(model.network.sink[to]);
    match routes.first() {
        None => prop_assert!(!best.is_finite()),
        Some(r) => prop_assert!((r.total.cost() - best).abs() <= 1e-9 * (1.0 + best)),
    }
    for r in &routes {
        assert_same(&r.total, &sum(r.countries.iter().map(|c| &c.parts)))?;
        assert_same(&r.total, &sum(r.steps.iter().map(|s| &s.parts)))?;
        let stairs = r.staircase();
        let last = stairs.last().unwrap();
        prop_assert!(
            (last.cost_usd_per_t - r.total.cost()).abs() <= 1e-9 * (1.0 + last.cost_usd_per_t)
        );
    }
    Ok(())
}

fn with_changes(ds: &Dataset, pct: f64, vot: f64, closure: Option<usize>) -> Model {
    let mut text = format!(
        "base = \"x\"\n{}[[tariff]]\ncountry = \"{}\"\nkind = \"both\"\npercent = {pct}\n[parameters]\ntime_value_share_per_year = {vot}\n",
        closure.map(|i| format!("closures = [\"{}\"]\n", ds.crossings[i % ds.crossings.len()].id)).unwrap_or_default(),
        ds.countries[0].iso3,
    );
    text.push('\n');
    let s = Scenario::parse(&text, "prop.toml").unwrap();
    Model::new(s.apply(ds, "prop.toml").unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn tiny_route_totals_are_the_sum_of_their_parts(from in 0usize..8, to in 0usize..8, pct in -90.0f64..200.0, vot in 0.0f64..2.0, closure in proptest::option::of(0usize..4)) {
        let ds = Dataset::load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/tiny")).unwrap();
        prop_assume!(from != to);
        let m = with_changes(&ds, pct, vot, closure);
        check_routes(&m, from, to, 0)?;
    }

    #[test]
    fn default_route_totals_are_the_sum_of_their_parts(from in 0usize..1000, to in 0usize..1000, k in 0usize..100, pct in -90.0f64..200.0, vot in 0.0f64..2.0, closure in proptest::option::of(0usize..1000)) {
        let ds = embedded::load(embedded::DEFAULT).unwrap();
        let (from, to) = (from % ds.nodes.len(), to % ds.nodes.len());
        prop_assume!(from != to);
        let m = with_changes(&ds, pct, vot, closure);
        check_routes(&m, from, to, k % ds.commodities.len())?;
    }
}
