//! Elastic demand against closed-form answers on one link.

use karvan_assign::{
    elastic, Algorithm, Demand, DemandModel, Graph, Network, Problem, Settings, Vdf,
};

/// One link with cost 10 + x and a base demand of 100.
fn one_link() -> Problem {
    let network = Network {
        graph: Graph::new(2, &[(0, 1)]),
        vdf: vec![Vdf::Bpr {
            t0: 10.0,
            b: 1.0,
            capacity: 10.0,
            power: 1.0,
        }],
        no_through: vec![false, false],
    };
    Problem::single(network, vec![0.0], Demand::from_triples([(0, 1, 100.0)]))
}

fn settings() -> Settings {
    Settings {
        algorithm: Algorithm::FrankWolfe,
        gap: 1e-10,
        max_iterations: 500,
    }
}

#[test]
fn constant_elasticity_meets_the_closed_form() {
    // D = 100 · (c / 10)^-1 and c = 10 + D: c² − 10c − 1000 = 0.
    let model = DemandModel::Elasticity {
        elasticity: -1.0,
        reference_cost: 10.0,
    };
    let r = elastic(&one_link(), &[model], &settings());
    let c = (10.0 + (100.0f64 + 4000.0).sqrt()) / 2.0;
    let d = c - 10.0;
    assert!((r.flow[0] - d).abs() < 1e-6, "{} vs {d}", r.flow[0]);
    assert!((r.demand[0].origins[0].destinations[0].1 - d).abs() < 1e-6);
    assert!(*r.excess_demand.last().unwrap() < 1e-8);
}

#[test]
fn an_outside_option_caps_what_the_network_carries() {
    // D = 100 / (1 + e^{0.5 (c − 30)}) and c = 10 + D: solve the scalar equation.
    let model = DemandModel::OutsideOption {
        outside_cost: 30.0,
        dispersion: 0.5,
    };
    let r = elastic(&one_link(), &[model], &settings());
    let f = |d: f64| d - 100.0 / (1.0 + (0.5 * (10.0 + d - 30.0)).exp());
    let (mut lo, mut hi) = (0.0, 100.0);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if f(mid) > 0.0 {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    assert!((r.flow[0] - lo).abs() < 1e-6, "{} vs {lo}", r.flow[0]);
}

#[test]
fn a_higher_price_ships_less() {
    let model = DemandModel::Elasticity {
        elasticity: -0.8,
        reference_cost: 10.0,
    };
    let cheap = elastic(&one_link(), &[model], &settings());
    let mut dear = one_link();
    dear.classes[0].fixed[0] = 15.0;
    let dear = elastic(&dear, &[model], &settings());
    assert!(
        dear.flow[0] < cheap.flow[0] - 1.0,
        "{} vs {}",
        dear.flow[0],
        cheap.flow[0]
    );
}

#[test]
fn demand_functions_invert() {
    for m in [
        DemandModel::Elasticity {
            elasticity: -0.7,
            reference_cost: 12.0,
        },
        DemandModel::OutsideOption {
            outside_cost: 40.0,
            dispersion: 0.2,
        },
    ] {
        for c in [5.0, 12.0, 40.0, 90.0] {
            let d = m.demand(100.0, c);
            assert!(
                (m.inverse(100.0, d) - c).abs() < 1e-9 * c.max(1.0),
                "{m:?} at {c}"
            );
        }
    }
}
