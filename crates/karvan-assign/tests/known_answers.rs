//! Assignment on small networks whose equilibrium is known in closed form, and
//! conservation laws that hold for every algorithm.

use karvan_assign::{assign, Algorithm, Demand, Graph, Network, Settings, Vdf};

fn linear(t0: f64, slope: f64) -> Vdf {
    // BPR with power 1: t0 (1 + b x / cap) = t0 + slope · x with b = 1, cap = t0 / slope.
    Vdf::Bpr {
        t0,
        b: 1.0,
        capacity: t0 / slope,
        power: 1.0,
    }
}

fn two_links() -> (Network, Demand) {
    let net = Network {
        graph: Graph::new(2, &[(0, 1), (0, 1)]),
        vdf: vec![linear(10.0, 1.0), linear(20.0, 0.5)],
        fixed: vec![0.0, 0.0],
        no_through: vec![false, false],
    };
    (net, Demand::from_triples([(0, 1, 100.0)]))
}

const ALL: [Algorithm; 5] = [
    Algorithm::Msa,
    Algorithm::FrankWolfe,
    Algorithm::ConjugateFrankWolfe,
    Algorithm::BiconjugateFrankWolfe,
    Algorithm::AlgorithmB,
];

#[test]
fn two_parallel_links_split_as_in_closed_form() {
    // 10 + x1 = 20 + 0.5 x2 with x1 + x2 = 100: x1 = 40, x2 = 60, both cost 50.
    let (net, demand) = two_links();
    for alg in ALL {
        let tol = if alg == Algorithm::Msa { 1e-1 } else { 1e-6 };
        let a = assign(
            &net,
            &demand,
            &Settings {
                algorithm: alg,
                gap: 1e-12,
                max_iterations: 2000,
            },
        );
        assert!(
            (a.flow[0] - 40.0).abs() < tol && (a.flow[1] - 60.0).abs() < tol,
            "{alg:?}: {:?}",
            a.flow
        );
    }
    let a = assign(
        &net,
        &demand,
        &Settings {
            algorithm: Algorithm::AlgorithmB,
            gap: 1e-14,
            max_iterations: 100,
        },
    );
    assert!(
        (a.cost[0] - 50.0).abs() < 1e-9 && (a.cost[1] - 50.0).abs() < 1e-9,
        "{:?}",
        a.cost
    );
}

#[test]
fn a_fixed_cost_moves_the_split() {
    // A toll of 6 on the first link: 16 + x1 = 20 + 0.5 x2 → x1 = 36, x2 = 64.
    let (mut net, demand) = two_links();
    net.fixed[0] = 6.0;
    let a = assign(
        &net,
        &demand,
        &Settings {
            algorithm: Algorithm::AlgorithmB,
            gap: 1e-14,
            max_iterations: 100,
        },
    );
    assert!((a.flow[0] - 36.0).abs() < 1e-9, "{:?}", a.flow);
}

/// A 3×3 grid with two-way arcs, demand between corners and a zone that no path may cross.
fn grid() -> (Network, Demand) {
    let mut arcs = Vec::new();
    for r in 0..3u32 {
        for c in 0..3u32 {
            let v = r * 3 + c;
            if c < 2 {
                arcs.push((v, v + 1));
                arcs.push((v + 1, v));
            }
            if r < 2 {
                arcs.push((v, v + 3));
                arcs.push((v + 3, v));
            }
        }
    }
    let vdf = arcs
        .iter()
        .enumerate()
        .map(|(i, _)| Vdf::Bpr {
            t0: 1.0 + (i % 3) as f64,
            b: 0.15,
            capacity: 50.0,
            power: 4.0,
        })
        .collect();
    let mut no_through = vec![false; 9];
    no_through[4] = true;
    let net = Network {
        graph: Graph::new(9, &arcs),
        fixed: vec![0.0; arcs.len()],
        vdf,
        no_through,
    };
    let demand = Demand::from_triples([
        (0, 8, 120.0),
        (8, 0, 80.0),
        (2, 6, 60.0),
        (4, 0, 30.0),
        (1, 7, 40.0),
    ]);
    (net, demand)
}

#[test]
fn flow_is_conserved_at_every_node_for_every_algorithm() {
    let (net, demand) = grid();
    for alg in ALL.into_iter().chain([Algorithm::AllOrNothing]) {
        let a = assign(
            &net,
            &demand,
            &Settings {
                algorithm: alg,
                gap: 1e-10,
                max_iterations: 200,
            },
        );
        let mut balance = [0.0; 9];
        for v in 0..9u32 {
            for (arc, h) in net.graph.out_arcs(v) {
                balance[v as usize] -= a.flow[arc as usize];
                balance[h as usize] += a.flow[arc as usize];
            }
        }
        for od in &demand.origins {
            for &(d, vol) in &od.destinations {
                balance[od.origin as usize] += vol;
                balance[d as usize] -= vol;
            }
        }
        for (v, b) in balance.iter().enumerate() {
            assert!(b.abs() < 1e-8, "{alg:?}: imbalance {b} at node {v}");
        }
        // Zone 4 is never passed through: what leaves it is exactly its own demand.
        let out_of_4: f64 = net
            .graph
            .out_arcs(4)
            .map(|(arc, _)| a.flow[arc as usize])
            .sum();
        assert!(
            (out_of_4 - 30.0).abs() < 1e-8,
            "{alg:?}: {out_of_4} leaves zone 4"
        );
    }
}

#[test]
fn every_algorithm_reaches_the_same_equilibrium() {
    let (net, demand) = grid();
    let exact = assign(
        &net,
        &demand,
        &Settings {
            algorithm: Algorithm::AlgorithmB,
            gap: 1e-13,
            max_iterations: 500,
        },
    );
    assert!(exact.relative_gap() <= 1e-13);
    let best = net.beckmann(&exact.flow);
    for alg in [
        Algorithm::ConjugateFrankWolfe,
        Algorithm::BiconjugateFrankWolfe,
        Algorithm::FrankWolfe,
    ] {
        // Link-based methods crawl on a grid full of equal-cost paths: check them at the
        // gap they reach in a few thousand iterations.
        let a = assign(
            &net,
            &demand,
            &Settings {
                algorithm: alg,
                gap: 1e-3,
                max_iterations: 5000,
            },
        );
        assert!(a.relative_gap() <= 1e-3, "{alg:?} gap {}", a.relative_gap());
        // Convexity bounds the objective's excess by the gap: f(x) − f* ≤ TSTT − SPTT.
        let obj = net.beckmann(&a.flow);
        let tstt: f64 = a.flow.iter().zip(&a.cost).map(|(x, c)| x * c).sum();
        let bound = tstt * a.relative_gap() / (1.0 + a.relative_gap());
        assert!(
            obj >= best * (1.0 - 1e-12) && obj - best <= bound + 1e-9 * best,
            "{alg:?}: {obj} vs {best}, bound {bound}"
        );
    }
}
