//! Extreme but well-formed problems: the solvers must neither panic nor report a result
//! that is not finite as a success.

use karvan_assign::{
    assign, relative_gap, try_assign, Algorithm, Demand, Graph, Network, Problem, Settings,
    SolveError, Vdf,
};

/// Every algorithm the engine offers.
fn all() -> impl Iterator<Item = Algorithm> {
    Algorithm::NAMES.iter().map(|&(_, alg)| alg)
}

fn bpr(t0: f64, capacity: f64, power: f64) -> Vdf {
    Vdf::Bpr {
        t0,
        b: 0.15,
        capacity,
        power,
    }
}

/// A diamond 0 → {1, 2} → 3 with `demand` from 0 to 3; the first arc, on the shorter
/// route, has cost function `first`.
fn diamond(first: Vdf, demand: f64) -> Problem {
    let network = Network {
        graph: Graph::new(4, &[(0, 1), (0, 2), (1, 3), (2, 3)]),
        vdf: vec![
            first,
            bpr(2.0, 100.0, 4.0),
            bpr(1.0, 100.0, 4.0),
            bpr(1.0, 100.0, 4.0),
        ],
        no_through: vec![false; 4],
    };
    Problem::single(
        network,
        vec![0.0; 4],
        Demand::from_triples([(0, 3, demand)]),
    )
}

fn settings(algorithm: Algorithm) -> Settings {
    Settings {
        algorithm,
        gap: 1e-10,
        max_iterations: 50,
    }
}

/// Every algorithm runs to an end without panicking and `try_assign` refuses the result
/// as not finite.
fn overflows(p: &Problem) {
    for alg in all() {
        let _unchecked = assign(p, &settings(alg));
        match try_assign(p, &settings(alg)) {
            Err(SolveError::NonFinite { .. }) => {}
            other => panic!("{alg:?}: expected a non-finite result, got {other:?}"),
        }
    }
}

#[test]
fn capacity_of_1e_minus_300_overflows_without_an_index_panic() {
    overflows(&diamond(bpr(1.0, 1e-300, 4.0), 100.0));
}

#[test]
fn bpr_power_500_overflows_without_an_index_panic() {
    overflows(&diamond(bpr(1.0, 1.0, 500.0), 100.0));
}

#[test]
fn demand_of_1e300_overflows_without_an_index_panic() {
    overflows(&diamond(bpr(1.0, 100.0, 4.0), 1e300));
}

#[test]
fn non_finite_result_names_the_arc_that_overflowed() {
    let e = try_assign(
        &diamond(bpr(1.0, 1e-300, 4.0), 100.0),
        &settings(Algorithm::AlgorithmB),
    )
    .unwrap_err();
    assert_eq!(e.arc(), Some(0), "{e}");
    assert!(e.to_string().contains("time of arc 0"), "{e}");
}

#[test]
fn nan_or_infinite_parameters_are_refused_before_solving() {
    for f in [
        bpr(f64::NAN, 100.0, 4.0),
        bpr(f64::INFINITY, 100.0, 4.0),
        bpr(1.0, f64::NAN, 4.0),
        bpr(1.0, f64::INFINITY, 4.0),
        bpr(1.0, 0.0, 4.0),
        bpr(1.0, -5.0, 4.0),
        bpr(1.0, 100.0, f64::NAN),
        bpr(1.0, 100.0, -1.0),
        Vdf::Conical {
            t0: 1.0,
            capacity: 100.0,
            alpha: 1.0,
        },
        Vdf::Constant(f64::NAN),
    ] {
        let e = try_assign(&diamond(f, 100.0), &settings(Algorithm::AlgorithmB)).unwrap_err();
        assert!(matches!(e, SolveError::Invalid { .. }), "{f:?}: {e}");
        assert!(e.to_string().contains("arc 0"), "{e}");
    }
    let mut p = diamond(bpr(1.0, 100.0, 4.0), 100.0);
    p.classes[0].demand.origins[0].destinations[0].1 = f64::NAN;
    assert!(matches!(
        try_assign(&p, &settings(Algorithm::AlgorithmB)),
        Err(SolveError::Invalid { .. })
    ));
    let mut p = diamond(bpr(1.0, 100.0, 4.0), 100.0);
    p.classes[0].fixed[2] = f64::INFINITY;
    assert!(matches!(
        try_assign(&p, &settings(Algorithm::FrankWolfe)),
        Err(SolveError::Invalid { .. })
    ));
    let mut p = diamond(bpr(1.0, 100.0, 4.0), 100.0);
    p.classes[0].demand.origins[0].destinations[0].0 = 9;
    assert!(matches!(
        try_assign(&p, &settings(Algorithm::AlgorithmB)),
        Err(SolveError::Inconsistent(_))
    ));
}

#[test]
fn nan_costs_are_not_reported_as_a_zero_gap() {
    assert!(relative_gap(f64::NAN, 10.0).is_nan());
    assert!(relative_gap(f64::INFINITY, 10.0).is_nan());
    assert!(relative_gap(10.0, f64::INFINITY).is_nan());
    assert_eq!(relative_gap(11.0, 10.0), 11.0 / 10.0 - 1.0);
    assert_eq!(relative_gap(0.0, 0.0), 0.0);
    // Unchecked, a NaN capacity must not look converged either.
    for alg in all() {
        let a = assign(&diamond(bpr(1.0, f64::NAN, 4.0), 100.0), &settings(alg));
        assert!(
            a.relative_gap().is_nan() || a.relative_gap() > 1e-10,
            "{alg:?}: gap {}",
            a.relative_gap()
        );
    }
}

#[test]
fn ordinary_problems_still_solve_with_checks() {
    let a = try_assign(
        &diamond(bpr(1.0, 100.0, 4.0), 100.0),
        &settings(Algorithm::AlgorithmB),
    )
    .unwrap();
    assert!(a.relative_gap() <= 1e-10);
    assert!((a.flow[0] + a.flow[1] - 100.0).abs() < 1e-9);
}
