//! The project appraisal on the hand-made tiny network: a project that changes nothing is
//! worth nothing, shippers' benefit is the rule of a half over the two runs, transfers
//! between countries sum to zero, Shapley shares sum to the joint value, the Monte Carlo
//! repeats with its seed.

use std::path::Path;

use karvan_data::{Dataset, Link, Mode, ProjectCost, Scenario, Status};
use karvan_model::{run, Model, RouteChoice};
use karvan_policy::appraisal::{appraise, Appraisal, AppraisalError, Scheme, Settings};
use karvan_policy::appraise::rule_of_a_half;

/// The tiny dataset with costs for its planned rail line `new-line` (Beta West – Beta
/// City, shorter than the road) and a `twin-road`: a second road beside Alpha's, the same
/// length, on an uncongested network (no shorter route, no capacity that matters).
fn tiny() -> Dataset {
    let mut ds =
        Dataset::load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/tiny"))
            .unwrap();
    let twin = ds.links.iter().find(|l| l.id == "a-road").unwrap().clone();
    ds.links.push(Link {
        id: "a-road-twin".into(),
        status: Status::Proposed,
        opens_year: None,
        project: Some("twin-road".into()),
        mode: Mode::Road,
        ..twin
    });
    for (project, capex) in [("new-line", 1_000.0), ("twin-road", 500.0)] {
        ds.project_costs.push(ProjectCost {
            project: project.into(),
            capex_usd: capex,
            capex_low_usd: capex * 0.8,
            capex_high_usd: capex * 1.5,
            spent_usd: 0.0,
            build_years: 2,
            opens_year: 2028,
            opex_usd_per_year: 10.0,
            renewal: None,
            service_life_years: 20,
            source: "test".into(),
            line: 2,
        });
    }
    ds
}

fn scheme(id: &str) -> Scheme {
    Scheme {
        id: id.into(),
        projects: vec![id.into()],
        opens: None,
    }
}

fn settings(schemes: Vec<Scheme>) -> Settings {
    let n = schemes.len();
    Settings {
        schemes,
        cases: (1..1usize << n).collect(),
        solved_years: vec![2030],
        start: 2026,
        horizon: 2035,
        discount_rate: 0.10,
        financial_rate: 0.10,
        growth_percent: 0.0,
        growth_spread_points: 2.0,
        levies_low: 0.5,
        levies_high: 1.5,
        rate_low: 0.06,
        rate_high: 0.12,
        delay_years: 3,
        closure_chance: 0.0,
        closure_days: 30.0,
        draws: 50,
        seed: 7,
        choice: RouteChoice::AllOrNothing,
    }
}

fn base() -> Scenario {
    Scenario::parse("base = \"tiny\"", "t").unwrap()
}

fn appraised(ds: &Dataset, s: &Settings) -> Appraisal {
    appraise(ds, &base(), "t", s, &|| {}, &|| false).unwrap()
}

#[test]
fn a_project_that_changes_no_route_is_worth_nothing() {
    let ds = tiny();
    let a = appraised(&ds, &settings(vec![scheme("twin-road")]));
    let c = &a.cases[0];
    for y in &c.years {
        assert!(y.shippers.abs() < 1e-9 && y.levies.abs() < 1e-9, "{y:?}");
    }
    assert!(c.pv_benefits_usd.abs() < 1e-9);
    assert!((c.npv_usd + c.pv_costs_usd).abs() < 1e-9);
    assert!(c.pv_costs_usd > 0.0);
}

#[test]
fn shippers_benefit_is_the_rule_of_a_half_over_the_two_runs() {
    let ds = tiny();
    let a = appraised(&ds, &settings(vec![scheme("new-line")]));
    // The two runs by hand, in the solved year.
    let solve = |on: bool| {
        let text = format!("base = \"tiny\"\nyear = 2030\n[projects]\nnew-line = {on}\n");
        let applied = Scenario::parse(&text, "t")
            .unwrap()
            .apply(&ds, "t")
            .unwrap();
        run(&Model::new(applied), RouteChoice::AllOrNothing)
    };
    let (without, with) = (solve(false), solve(true));
    let mut hand = 0.0;
    let mut generated = false;
    for w in &with.od {
        let o = without.od.iter().find(|o| o.row == w.row).unwrap();
        hand += rule_of_a_half(o.tonnes, o.cost_usd_per_t, w.tonnes, w.cost_usd_per_t);
        generated |= w.tonnes > o.tonnes + 1e-6;
    }
    assert!(hand > 0.0, "the shorter line saves shippers money");
    assert!(
        generated,
        "trade answers to the lower cost: more tonnes are shipped"
    );
    let y2030 = a.cases[0].years.iter().find(|y| y.year == 2030).unwrap();
    assert!(
        (y2030.shippers - hand).abs() < 1e-6 * hand.abs(),
        "{} != {hand}",
        y2030.shippers
    );
    // No benefit before the line opens (2028), the capital cost in the two years before.
    let before: Vec<_> = a.cases[0].years.iter().filter(|y| y.year < 2028).collect();
    assert!(before.iter().all(|y| y.shippers == 0.0));
    let capex: f64 = a.cases[0].years.iter().map(|y| y.capex).sum();
    assert!((capex - 1_000.0).abs() < 1e-9);
    assert_eq!(
        a.cases[0]
            .years
            .iter()
            .filter(|y| y.capex > 0.0)
            .map(|y| y.year)
            .collect::<Vec<_>>(),
        vec![2026, 2027]
    );
}

#[test]
fn transfers_between_countries_sum_to_zero_and_shapley_shares_to_the_joint_value() {
    let ds = tiny();
    let a = appraised(
        &ds,
        &settings(vec![scheme("new-line"), scheme("twin-road")]),
    );
    for c in &a.cases {
        let transfers: f64 = c.parties.iter().map(|p| p.transfers_usd).sum();
        let levies: f64 = c.parties.iter().map(|p| p.levies_usd.abs()).sum();
        assert!(
            transfers.abs() < 1e-6 * (1.0 + levies),
            "{}: {transfers}",
            c.id
        );
        if let Some(s) = &c.sharing {
            let shapley: f64 = s.players.iter().map(|p| p.shapley_net_usd).sum();
            assert!((shapley - s.grand_value_usd).abs() < 1e-6 * (1.0 + s.grand_value_usd.abs()));
        }
        // The parties' NPVs add up to the case's.
        let parties: f64 = c.parties.iter().map(|p| p.npv_usd).sum();
        assert!(
            (parties - c.npv_usd).abs() < 1e-6 * (1.0 + c.npv_usd.abs()),
            "{}",
            c.id
        );
    }
}

#[test]
fn the_monte_carlo_repeats_with_its_seed_and_spreads_around_the_central_value() {
    let ds = tiny();
    let s = settings(vec![scheme("new-line")]);
    let a = appraised(&ds, &s);
    let b = appraised(&ds, &s);
    let (ma, mb) = (&a.cases[0].monte_carlo, &b.cases[0].monte_carlo);
    assert_eq!(ma.values, mb.values);
    assert_eq!(ma.draws, 50);
    assert!(ma.p10_usd <= ma.p50_usd && ma.p50_usd <= ma.p90_usd);
    assert!(ma.p10_usd < ma.p90_usd, "capital cost and delay vary");
    let other = appraised(&ds, &Settings { seed: 8, ..s });
    assert_ne!(other.cases[0].monte_carlo.values, ma.values);
    // The tornado's capital-cost bar runs from the low to the high estimate.
    let bar = a.cases[0]
        .tornado
        .iter()
        .find(|b| b.input == "capital cost")
        .unwrap();
    assert!(bar.npv_low_usd > a.cases[0].npv_usd && a.cases[0].npv_usd > bar.npv_high_usd);
}

#[test]
fn unknown_and_uncosted_projects_are_refused_by_name() {
    let ds = tiny();
    let unknown = appraise(
        &ds,
        &base(),
        "t",
        &settings(vec![scheme("nowhere")]),
        &|| {},
        &|| false,
    );
    match unknown {
        Err(AppraisalError::UnknownProject { project, known }) => {
            assert_eq!(project, "nowhere");
            assert!(known.contains(&"new-line".to_string()));
        }
        other => panic!("{:?}", other.map(|_| ())),
    }
    let mut no_cost = tiny();
    no_cost.project_costs.retain(|c| c.project != "new-line");
    let e = appraise(
        &no_cost,
        &base(),
        "t",
        &settings(vec![scheme("new-line")]),
        &|| {},
        &|| false,
    )
    .map(|_| ())
    .unwrap_err();
    assert!(e.to_string().contains("project_costs.csv"), "{e}");
}

#[test]
fn a_stopped_appraisal_ends_before_its_remaining_runs() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let ds = tiny();
    let s = settings(vec![scheme("new-line"), scheme("twin-road")]);
    let total = karvan_policy::appraisal::run_keys(&s).len();
    let done = AtomicUsize::new(0);
    let r = appraise(
        &ds,
        &base(),
        "t",
        &s,
        &|| {
            done.fetch_add(1, Ordering::Relaxed);
        },
        &|| done.load(Ordering::Relaxed) >= 2,
    );
    assert!(matches!(r, Err(AppraisalError::Cancelled)));
    // Runs already under way finish (one per thread), the rest never start.
    assert!(
        done.load(Ordering::Relaxed) < total,
        "{} of {total}",
        done.load(Ordering::Relaxed)
    );
}

#[test]
fn capital_already_spent_is_sunk() {
    let mut ds = tiny();
    let whole = appraised(&ds, &settings(vec![scheme("new-line")]));
    ds.project_costs
        .iter_mut()
        .find(|c| c.project == "new-line")
        .unwrap()
        .spent_usd = 400.0;
    let rest = appraised(&ds, &settings(vec![scheme("new-line")]));
    let capex = |a: &Appraisal| a.cases[0].years.iter().map(|y| y.capex).sum::<f64>();
    assert!((capex(&whole) - 1_000.0).abs() < 1e-9);
    assert!((capex(&rest) - 600.0).abs() < 1e-9);
    // The same benefits: only the cost still to come differs.
    assert_eq!(
        whole.cases[0].pv_benefits_usd,
        rest.cases[0].pv_benefits_usd
    );
    assert_eq!(rest.scheme_facts[0].capex_usd, [480.0, 600.0, 900.0]);
}
