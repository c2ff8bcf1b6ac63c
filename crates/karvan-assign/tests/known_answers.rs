//! Assignment on small networks whose equilibrium is known in closed form, and
//! conservation laws that hold for every algorithm.

use karvan_assign::{assign, Algorithm, Class, Demand, Graph, Network, Problem, Settings, Vdf};

fn linear(t0: f64, slope: f64) -> Vdf {
    // BPR with power 1: t0 (1 + b x / cap) = t0 + slope · x with b = 1, cap = t0 / slope.
    Vdf::Bpr {
        t0,
        b: 1.0,
        capacity: t0 / slope,
        power: 1.0,
    }
}

fn settings(algorithm: Algorithm, gap: f64, max_iterations: usize) -> Settings {
    Settings {
        algorithm,
        gap,
        max_iterations,
    }
}

fn two_links(fixed: [f64; 2]) -> Problem {
    let network = Network {
        graph: Graph::new(2, &[(0, 1), (0, 1)]),
        vdf: vec![linear(10.0, 1.0), linear(20.0, 0.5)],
        no_through: vec![false, false],
    };
    Problem::single(
        network,
        fixed.to_vec(),
        Demand::from_triples([(0, 1, 100.0)]),
    )
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
    let p = two_links([0.0, 0.0]);
    for alg in ALL {
        let tol = if alg == Algorithm::Msa { 1e-1 } else { 1e-6 };
        let a = assign(&p, &settings(alg, 1e-12, 2000));
        assert!(
            (a.flow[0] - 40.0).abs() < tol && (a.flow[1] - 60.0).abs() < tol,
            "{alg:?}: {:?}",
            a.flow
        );
    }
    let a = assign(&p, &settings(Algorithm::AlgorithmB, 1e-14, 100));
    assert!(
        (a.time[0] - 50.0).abs() < 1e-9 && (a.time[1] - 50.0).abs() < 1e-9,
        "{:?}",
        a.time
    );
}

#[test]
fn a_fixed_cost_moves_the_split() {
    // A toll of 6 on the first link: 16 + x1 = 20 + 0.5 x2 → x1 = 36, x2 = 64.
    let a = assign(
        &two_links([6.0, 0.0]),
        &settings(Algorithm::AlgorithmB, 1e-14, 100),
    );
    assert!((a.flow[0] - 36.0).abs() < 1e-9, "{:?}", a.flow);
}

#[test]
fn two_identical_classes_equal_one_class_with_their_summed_demand() {
    let one = two_links([3.0, 0.0]);
    let mut two = one.clone();
    two.classes = vec![
        Class {
            demand: Demand::from_triples([(0, 1, 30.0)]),
            ..one.classes[0].clone()
        },
        Class {
            demand: Demand::from_triples([(0, 1, 70.0)]),
            ..one.classes[0].clone()
        },
    ];
    for alg in [Algorithm::FrankWolfe, Algorithm::AlgorithmB] {
        let a1 = assign(&one, &settings(alg, 1e-12, 500));
        let a2 = assign(&two, &settings(alg, 1e-12, 500));
        for arc in 0..2 {
            assert!(
                (a1.flow[arc] - a2.flow[arc]).abs() < 1e-6,
                "{alg:?}: {:?} vs {:?}",
                a1.flow,
                a2.flow
            );
            let by_class = a2.class_flow[0][arc] + a2.class_flow[1][arc];
            assert!((by_class - a2.flow[arc]).abs() < 1e-9);
        }
    }
}

#[test]
fn classes_with_their_own_costs_share_capacity() {
    // Class A pays 10 more on link 0, class B counts double towards congestion.
    // At equilibrium: B (100) and A (50) each use only paths of least cost to them.
    let base = two_links([0.0, 0.0]);
    let p = Problem {
        network: base.network.clone(),
        classes: vec![
            Class {
                demand: Demand::from_triples([(0, 1, 50.0)]),
                fixed: vec![10.0, 0.0],
                value_of_time: 1.0,
                equivalence: 1.0,
            },
            Class {
                demand: Demand::from_triples([(0, 1, 100.0)]),
                fixed: vec![0.0, 0.0],
                value_of_time: 1.0,
                equivalence: 2.0,
            },
        ],
    };
    let a = assign(&p, &settings(Algorithm::AlgorithmB, 1e-12, 500));
    assert!(a.relative_gap() <= 1e-12, "gap {}", a.relative_gap());
    // Total equivalent flow is x = Σ pce · class flow on every arc.
    for arc in 0..2 {
        let x = a.class_flow[0][arc] + 2.0 * a.class_flow[1][arc];
        assert!((x - a.flow[arc]).abs() < 1e-9);
    }
    // No class has a cheaper unused path.
    for (k, c) in p.classes.iter().enumerate() {
        let cost: Vec<f64> = (0..2).map(|arc| a.time[arc] + c.fixed[arc]).collect();
        let least = cost[0].min(cost[1]);
        for (arc, c) in cost.iter().enumerate() {
            if a.class_flow[k][arc] > 1e-9 {
                assert!(
                    *c <= least + 1e-9,
                    "class {k} uses arc {arc} at {c} > {least}"
                );
            }
        }
    }
}

/// A 3×3 grid with two-way arcs, demand between corners and a zone that no path may cross.
fn grid() -> Problem {
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
    let network = Network {
        graph: Graph::new(9, &arcs),
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
    Problem::single(network, vec![0.0; arcs.len()], demand)
}

#[test]
fn flow_is_conserved_at_every_node_for_every_algorithm() {
    let p = grid();
    let demand = &p.classes[0].demand;
    for alg in ALL.into_iter().chain([Algorithm::AllOrNothing]) {
        let a = assign(&p, &settings(alg, 1e-10, 200));
        let mut balance = [0.0; 9];
        for v in 0..9u32 {
            for (arc, h) in p.network.graph.out_arcs(v) {
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
        let out_of_4: f64 = p
            .network
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
    let p = grid();
    let exact = assign(&p, &settings(Algorithm::AlgorithmB, 1e-13, 500));
    assert!(exact.relative_gap() <= 1e-13);
    let best = p.objective(&exact.class_flow, &exact.flow);
    for alg in [
        Algorithm::ConjugateFrankWolfe,
        Algorithm::BiconjugateFrankWolfe,
        Algorithm::FrankWolfe,
    ] {
        // Link-based methods crawl on a grid full of equal-cost paths: check them at the
        // gap they reach in a few thousand iterations.
        let a = assign(&p, &settings(alg, 1e-3, 5000));
        assert!(a.relative_gap() <= 1e-3, "{alg:?} gap {}", a.relative_gap());
        // Convexity bounds the objective's excess by the gap: f(x) − f* ≤ TSTT − SPTT.
        let obj = p.objective(&a.class_flow, &a.flow);
        let tstt: f64 = a.flow.iter().zip(&a.time).map(|(x, t)| x * t).sum();
        let bound = tstt * a.relative_gap() / (1.0 + a.relative_gap());
        assert!(
            obj >= best * (1.0 - 1e-12) && obj - best <= bound + 1e-9 * best,
            "{alg:?}: {obj} vs {best}, bound {bound}"
        );
    }
}

#[test]
fn every_algorithm_reports_the_same_unreachable_demand() {
    // Vertex 2 has no arc in and vertex 1 no arc out: 7 + 3 of the 20 cannot move.
    let network = Network {
        graph: Graph::new(3, &[(0, 1), (0, 1), (2, 1)]),
        vdf: vec![linear(1.0, 0.1); 3],
        no_through: vec![false; 3],
    };
    let p = Problem::single(
        network,
        vec![0.0; 3],
        Demand::from_triples([(0, 1, 10.0), (0, 2, 7.0), (1, 0, 3.0)]),
    );
    for &(_, algorithm) in Algorithm::NAMES {
        let a = assign(&p, &settings(algorithm, 1e-10, 100));
        assert_eq!(a.unreachable, 10.0, "{algorithm:?}");
        assert!(
            (a.flow[0] + a.flow[1] - 10.0).abs() < 1e-9,
            "{algorithm:?}: {:?}",
            a.flow
        );
        assert_eq!(a.flow[2], 0.0, "{algorithm:?}");
    }
}
