//! Matrix estimation and the fit on the hand-made tiny dataset, against a known matrix.

use karvan_data::{Applied, Direction, Observation, ObservationKind, ObservationRole};
use karvan_model::{Model, RouteChoice};
use karvan_policy::calibrate::{calibrate_demand, scaled, Settings};
use karvan_policy::fit::{fit, predict};

mod common;

fn tiny() -> Applied {
    common::tiny_baseline()
}

fn flow(id: &str, elements: &[&str], value: f64) -> Observation {
    Observation {
        id: id.into(),
        kind: ObservationKind::Flow,
        elements: elements.iter().map(|s| s.to_string()).collect(),
        direction: Direction::Both,
        mode: None,
        commodity: None,
        denominator: vec![],
        value,
        low: value,
        high: value,
        unit: "t/year".into(),
        period: "2025".into(),
        weight: 1.0,
        role: ObservationRole::Calibrate,
        source: "synthetic".into(),
        line: 0,
    }
}

/// Observations of every link and crossing as the run of `truth` loads them.
fn complete_counts(a: &Applied, truth: &[f64]) -> Vec<Observation> {
    let model = Model::new(scaled(a, truth));
    let r = karvan_model::run(&model, RouteChoice::default());
    let ds = &a.dataset;
    let ids = ds
        .links
        .iter()
        .map(|l| l.id.clone())
        .chain(ds.crossings.iter().map(|c| c.id.clone()));
    ids.map(|id| {
        let mut o = flow(&id, &[id.as_str()], 0.0);
        let v = predict(ds, &r, &o).unwrap();
        o.value = v;
        o.low = v;
        o.high = v;
        o
    })
    .filter(|o| o.value > 0.0)
    .collect()
}

fn settings() -> Settings {
    Settings {
        prior_weight: 1e-6,
        outer_iterations: 8,
        inner_steps: 400,
        ..Settings::default()
    }
}

#[test]
fn complete_counts_recover_a_known_matrix() {
    let mut a = tiny();
    let truth = [1.6, 0.5, 1.0];
    a.dataset.observations = complete_counts(&a, &truth);
    let used: Vec<usize> = (0..a.dataset.observations.len()).collect();
    let c = calibrate_demand(&a, &used, &settings(), &|_, _| {});
    // The third row (to the island) has no route: nothing sees it, it stays at 1.
    for (k, (got, want)) in c.factors.iter().zip(truth).enumerate() {
        assert!(
            (got - want).abs() < 0.01 * want,
            "row {k}: factor {got}, truth {want}"
        );
    }
    assert!(c.objective.last().unwrap() < &1e-6, "{:?}", c.objective);
    let before = fit(
        &a.dataset,
        &karvan_model::run(&Model::new(a.clone()), RouteChoice::default()),
    );
    let after = karvan_policy::calibrate::fit_with(&a, &c.factors, RouteChoice::default());
    assert!(after.summary.percent_rmse < before.summary.percent_rmse);
    assert!(after.summary.share_inside > before.summary.share_inside);
}

#[test]
fn partial_counts_leave_unseen_rows_at_the_prior() {
    let mut a = tiny();
    // Only the last link to Beta City is counted: it sees the a1 → b3 row alone.
    a.dataset.observations = vec![flow("b3", &["b3-road"], 800.0)];
    let c = calibrate_demand(&a, &[0], &Settings::default(), &|_, _| {});
    assert_eq!(c.factors[0], 1.0, "a1 → c2 is seen by no count");
    assert_eq!(c.factors[2], 1.0, "the unroutable row is seen by no count");
    // The prior pulls a little: the fit moves toward 800 t but not all the way.
    assert!(
        c.factors[1] > 1.3 && c.factors[1] <= 1.6,
        "{}",
        c.factors[1]
    );
}

#[test]
fn calibration_never_drops_a_row_or_makes_demand_negative() {
    let mut a = tiny();
    // Counts that no matrix can meet: zero on a link every route to C uses, and a share.
    a.dataset.observations = vec![
        flow("none", &["c-road", "c-rail"], 0.0),
        flow("huge", &["b3-road"], 1e9),
        Observation {
            kind: ObservationKind::Share,
            denominator: vec!["b3-road".into(), "c-road".into(), "c-rail".into()],
            unit: "share".into(),
            value: 0.9,
            low: 0.9,
            high: 0.9,
            ..flow("share", &["b3-road"], 0.9)
        },
    ];
    let c = calibrate_demand(&a, &[0, 1, 2], &Settings::default(), &|_, _| {});
    assert_eq!(c.factors.len(), a.dataset.demand.len());
    let s = Settings::default();
    for f in &c.factors {
        assert!(f.is_finite() && *f > 0.0);
        assert!(*f <= s.max_factor * (1.0 + 1e-12) && *f >= 1.0 / s.max_factor * (1.0 - 1e-12));
    }
    let calibrated = scaled(&a, &c.factors);
    assert!(calibrated
        .dataset
        .demand
        .iter()
        .all(|d| d.tonnes_per_year > 0.0));
}

#[test]
fn a_share_observation_is_the_ratio_of_two_flows() {
    let a = tiny();
    let r = karvan_model::run(&Model::new(a.clone()), RouteChoice::AllOrNothing);
    let ds = &a.dataset;
    let num = predict(ds, &r, &flow("n", &["b3-road"], 0.0)).unwrap();
    let den = predict(ds, &r, &flow("d", &["b3-road", "c-road", "c-rail"], 0.0)).unwrap();
    let share = Observation {
        kind: ObservationKind::Share,
        denominator: vec!["b3-road".into(), "c-road".into(), "c-rail".into()],
        unit: "share".into(),
        ..flow("s", &["b3-road"], 0.5)
    };
    let s = predict(ds, &r, &share).unwrap();
    assert!((s - num / den).abs() < 1e-12 && den > 0.0);
}

#[test]
fn a_parameter_is_recovered_from_synthetic_observations() {
    // With cargo's time valued at 3 × its value per year, the congested A–B rail crossing
    // sheds part of the A → C flow to the road: the split sets the parameter.
    let truth = 3.0;
    let mut a = tiny();
    let mut t = a.clone();
    t.dataset
        .manifest
        .parameters
        .get_mut("time_value_share_per_year")
        .unwrap()
        .value = truth;
    a.dataset.observations = complete_counts(&t, &[1.0, 1.0, 1.0]);
    assert!(a.dataset.manifest.parameter("time_value_share_per_year") < 1.0);
    let used: Vec<usize> = (0..a.dataset.observations.len()).collect();
    let c = karvan_policy::calibrate::calibrate(
        &a,
        &used,
        &[("time_value_share_per_year", 1.0, 10.0)],
        1,
        &settings(),
        &|_| {},
    );
    let p = &c.parameters[0];
    assert!((p.after - truth).abs() < 0.05 * truth, "{p:?}");
    for f in &c.demand.factors {
        assert!((f - 1.0).abs() < 0.02, "{:?}", c.demand.factors);
    }
}
