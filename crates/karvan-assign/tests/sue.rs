//! Stochastic user equilibrium with path-size logit: closed-form splits, the path-size
//! correction, conservation and determinism.

use karvan_assign::{
    stochastic, Class, Demand, Graph, Network, Problem, SueResult, SueSettings, Vdf,
};

fn linear(t0: f64, slope: f64) -> Vdf {
    // BPR with power 1: t0 (1 + b x / cap) = t0 + slope · x with b = 1, cap = t0 / slope.
    Vdf::Bpr {
        t0,
        b: 1.0,
        capacity: t0 / slope,
        power: 1.0,
    }
}

fn settings(dispersion: f64, max_iterations: usize, tolerance: f64) -> SueSettings {
    SueSettings {
        dispersion,
        routes_per_od: 4,
        max_iterations,
        tolerance,
    }
}

fn parallel(vdf: Vec<Vdf>, fixed: Vec<f64>) -> Problem {
    let arcs = vec![(0, 1); vdf.len()];
    let network = Network {
        graph: Graph::new(2, &arcs),
        vdf,
        no_through: vec![false, false],
    };
    Problem::single(network, fixed, Demand::from_triples([(0, 1, 100.0)]))
}

/// Flow of the route that is the single arc `arc`.
fn route_flow(r: &SueResult, class: usize, od: usize, arcs: &[u32]) -> f64 {
    r.routes[class][od]
        .routes
        .iter()
        .find(|route| route.arcs == arcs)
        .unwrap_or_else(|| panic!("no route {arcs:?} in {:?}", r.routes[class][od]))
        .flow
}

#[test]
fn large_dispersion_approaches_user_equilibrium() {
    // 10 + x1 = 20 + 0.5 x2 with x1 + x2 = 100: UE is (40, 60). At θ = 50 the SUE is
    // x1 = 40 + ln(x2/x1)/(1.5 θ) ≈ 40.005.
    let p = parallel(vec![linear(10.0, 1.0), linear(20.0, 0.5)], vec![0.0; 2]);
    let r = stochastic(&p, &settings(50.0, 5000, 1e-7));
    assert!(
        (r.flow[0] - 40.0).abs() < 0.5 && (r.flow[1] - 60.0).abs() < 0.5,
        "{:?} after {} iterations",
        r.flow,
        r.history.len()
    );
    assert_eq!(r.routes[0][0].routes.len(), 2);
    assert!((r.flow[0] + r.flow[1] - 100.0).abs() < 1e-9);
    // And it is that SUE: 1.5 x1 − 60 = c1 − c2 = ln((100 − x1)/x1)/θ, by bisection.
    let (mut lo, mut hi) = (1.0_f64, 99.0_f64);
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if 1.5 * mid - 60.0 - ((100.0 - mid) / mid).ln() / 50.0 > 0.0 {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    assert!((r.flow[0] - lo).abs() < 1e-3, "{} vs SUE {lo}", r.flow[0]);
    // The route costs are nearly equal, as at user equilibrium.
    let costs: Vec<f64> = r.routes[0][0].routes.iter().map(|x| x.cost).collect();
    assert!((costs[0] - costs[1]).abs() < 0.75, "{costs:?}");
}

#[test]
fn zero_dispersion_splits_evenly_over_disjoint_routes() {
    // Both routes have path size 1 (no shared arc), so θ = 0 gives exactly half each,
    // however different their costs, and MSA has nothing to move.
    let p = parallel(vec![linear(10.0, 1.0), linear(20.0, 0.5)], vec![0.0; 2]);
    let r = stochastic(&p, &settings(0.0, 100, 1e-12));
    assert_eq!(r.flow, vec![50.0, 50.0]);
    assert_eq!(r.history, vec![0.0]);
    assert!(r.converged);
    for route in &r.routes[0][0].routes {
        assert_eq!(route.path_size, 1.0);
    }
}

#[test]
fn constant_costs_give_the_closed_form_logit_split() {
    let (c1, c2, theta) = (10.0, 12.0, 0.3);
    let p = parallel(vec![Vdf::Constant(c1), Vdf::Constant(c2)], vec![0.0; 2]);
    let r = stochastic(&p, &settings(theta, 50, 1e-12));
    let e1 = (-theta * c1).exp();
    let e2 = (-theta * c2).exp();
    let want = 100.0 * e1 / (e1 + e2);
    assert!((r.flow[0] - want).abs() < 1e-9, "{} vs {want}", r.flow[0]);
    assert!((r.flow[1] - (100.0 - want)).abs() < 1e-9);

    // The class's cost is value of time × time + fixed: 0.5·10 + 3 = 8 against 6.
    let mut p = p;
    p.classes[0].value_of_time = 0.5;
    p.classes[0].fixed = vec![3.0, 0.0];
    let r = stochastic(&p, &settings(theta, 50, 1e-12));
    let (e1, e2) = ((-theta * 8.0_f64).exp(), (-theta * 6.0_f64).exp());
    let want = 100.0 * e1 / (e1 + e2);
    assert!((r.flow[0] - want).abs() < 1e-9, "{} vs {want}", r.flow[0]);
    assert!((route_flow(&r, 0, 0, &[1]) - (100.0 - want)).abs() < 1e-9);
    assert!((r.routes[0][0].routes[0].cost - 6.0).abs() < 1e-12);
}

/// From 0 to 2: a direct arc (0, cost `direct`), or a long common arc 0→1 (1, cost 8)
/// followed by one of two short parallel arcs 1→2 (2 and 3, cost 2 each).
fn shared_corridor(direct: f64) -> Problem {
    let network = Network {
        graph: Graph::new(3, &[(0, 2), (0, 1), (1, 2), (1, 2)]),
        vdf: vec![
            Vdf::Constant(direct),
            Vdf::Constant(8.0),
            Vdf::Constant(2.0),
            Vdf::Constant(2.0),
        ],
        no_through: vec![false; 3],
    };
    Problem::single(network, vec![0.0; 4], Demand::from_triples([(0, 2, 100.0)]))
}

#[test]
fn path_size_discounts_routes_that_share_a_corridor() {
    // Path sizes by hand: the direct route shares nothing, PS = 1. Each corridor route
    // is 8/10 on the shared arc (used by 2 routes) and 2/10 on its own:
    // PS = 0.8/2 + 0.2/1 = 0.6.
    let p = shared_corridor(10.0);
    let r = stochastic(&p, &settings(0.0, 100, 1e-12));
    let set = &r.routes[0][0];
    assert_eq!(set.routes.len(), 3, "{set:?}");
    for route in &set.routes {
        let want = if route.arcs == [0] { 1.0 } else { 0.6 };
        assert!((route.path_size - want).abs() < 1e-12, "{route:?}");
    }
    // θ = 0: shares 1 : 0.6 : 0.6 of 2.2; plain logit would give a third each.
    let direct = route_flow(&r, 0, 0, &[0]);
    let pair = route_flow(&r, 0, 0, &[1, 2]) + route_flow(&r, 0, 0, &[1, 3]);
    assert!((direct - 100.0 / 2.2).abs() < 1e-9, "{direct}");
    assert!((pair - 100.0 * 1.2 / 2.2).abs() < 1e-9, "{pair}");
    assert!(pair < 100.0 * 2.0 / 3.0);
    assert!((r.flow[1] - pair).abs() < 1e-9);

    // θ = 0.5 with the direct arc 1 dearer: weights e^{−0.5}, 0.6, 0.6. Lengths are
    // free-flow costs, so the corridor routes keep PS = 0.8/2 + 0.2 = 0.6.
    let theta = 0.5;
    let p = shared_corridor(11.0);
    let r = stochastic(&p, &settings(theta, 100, 1e-12));
    let w = (-theta * 1.0_f64).exp();
    let direct = route_flow(&r, 0, 0, &[0]);
    assert!(
        (direct - 100.0 * w / (w + 1.2)).abs() < 1e-9,
        "{direct} vs {}",
        100.0 * w / (w + 1.2)
    );
    assert!((route_flow(&r, 0, 0, &[1, 3]) - 100.0 * 0.6 / (w + 1.2)).abs() < 1e-9);
}

#[test]
fn routes_per_od_limits_the_set() {
    let p = shared_corridor(10.0);
    for (k, want) in [(0, 1), (1, 1), (2, 2), (3, 3), (10, 3)] {
        let s = SueSettings {
            routes_per_od: k,
            ..settings(0.0, 10, 1e-12)
        };
        let r = stochastic(&p, &s);
        assert_eq!(r.routes[0][0].routes.len(), want, "routes_per_od = {k}");
        assert!((r.flow[0] + r.flow[2] + r.flow[3] - 100.0).abs() < 1e-9);
        let distinct: std::collections::BTreeSet<_> = r.routes[0][0]
            .routes
            .iter()
            .map(|x| x.arcs.clone())
            .collect();
        assert_eq!(distinct.len(), want);
    }
}

/// A 3×3 grid with two-way arcs and a zone (4, the centre) that no path may cross; two
/// classes with their own fixed costs, values of time and equivalence factors.
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
    let vdf = (0..arcs.len())
        .map(|i| Vdf::Bpr {
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
    Problem {
        network,
        classes: vec![
            Class {
                demand: Demand::from_triples([
                    (0, 8, 120.0),
                    (8, 0, 80.0),
                    (2, 6, 60.0),
                    (4, 0, 30.0),
                    (1, 7, 40.0),
                ]),
                fixed: vec![0.0; arcs.len()],
                value_of_time: 1.0,
                equivalence: 1.0,
            },
            Class {
                demand: Demand::from_triples([(6, 2, 50.0), (3, 5, 25.0), (0, 4, 10.0)]),
                fixed: (0..arcs.len()).map(|i| (i % 4) as f64 * 0.5).collect(),
                value_of_time: 2.0,
                equivalence: 2.5,
            },
        ],
    }
}

#[test]
fn flow_is_conserved_and_the_zone_is_never_crossed() {
    let p = grid();
    let g = &p.network.graph;
    let r = stochastic(&p, &settings(1.0, 300, 1e-9));
    assert_eq!(r.unreachable, 0.0);
    // With the centre closed to through traffic the grid is a ring: opposite corners
    // have exactly two routes, one each way round.
    assert_eq!(r.routes[0][0].origin, 0);
    assert_eq!(r.routes[0][0].destination, 8);
    assert_eq!(r.routes[0][0].routes.len(), 2, "{:?}", r.routes[0][0]);
    for (k, class) in p.classes.iter().enumerate() {
        // Node balance of the class's arc flows against its demand.
        let mut balance = [0.0; 9];
        for v in 0..9u32 {
            for (arc, h) in g.out_arcs(v) {
                balance[v as usize] -= r.class_flow[k][arc as usize];
                balance[h as usize] += r.class_flow[k][arc as usize];
            }
        }
        for od in &class.demand.origins {
            for &(d, vol) in &od.destinations {
                balance[od.origin as usize] += vol;
                balance[d as usize] -= vol;
            }
        }
        for (v, b) in balance.iter().enumerate() {
            assert!(b.abs() < 1e-9, "class {k}: imbalance {b} at node {v}");
        }
        // Route flows add up to each pair's demand; routes are connected paths from
        // origin to destination that never pass through zone 4.
        assert_eq!(
            r.routes[k].len(),
            class
                .demand
                .origins
                .iter()
                .map(|o| o.destinations.len())
                .sum::<usize>()
        );
        for od in &r.routes[k] {
            let sum: f64 = od.routes.iter().map(|x| x.flow).sum();
            assert!((sum - od.demand).abs() < 1e-9, "{od:?}");
            assert!(od.routes.len() > 1, "only one route for {od:?}");
            for route in &od.routes {
                assert!(route.flow >= 0.0);
                assert!(route.path_size > 0.0 && route.path_size <= 1.0 + 1e-12);
                let mut at = od.origin;
                for &a in &route.arcs {
                    assert_eq!(g.tail(a), at, "{route:?} is not connected");
                    assert!(
                        at == od.origin || at != 4,
                        "{route:?} passes through zone 4"
                    );
                    at = g.head(a);
                }
                assert_eq!(at, od.destination);
            }
        }
    }
    // Only zone 4's own demand leaves it (class 0: 30), and only its own enters it
    // (class 1: 10).
    let out_of_4: f64 = g
        .out_arcs(4)
        .map(|(arc, _)| r.class_flow[0][arc as usize] + r.class_flow[1][arc as usize])
        .sum();
    assert!((out_of_4 - 30.0).abs() < 1e-9, "{out_of_4} leaves zone 4");
    let into_4: f64 = (0..p.network.num_arcs() as u32)
        .filter(|&a| g.head(a) == 4)
        .map(|a| r.class_flow[0][a as usize] + r.class_flow[1][a as usize])
        .sum();
    assert!((into_4 - 10.0).abs() < 1e-9, "{into_4} enters zone 4");
    // Total flow is the equivalence-weighted sum of class flows, and times follow it.
    for a in 0..p.network.num_arcs() {
        let x = r.class_flow[0][a] + 2.5 * r.class_flow[1][a];
        assert!((x - r.flow[a]).abs() < 1e-9);
        assert_eq!(r.time[a], p.network.vdf[a].cost(r.flow[a]));
    }
}

#[test]
fn msa_reaches_the_logit_fixed_point() {
    // At the SUE every route's flow is its logit share at the costs the flows produce.
    // MSA's change at iteration k is the distance to that share times 1/(k+1), so the
    // tolerance is set far below the 1e-3 checked here.
    let p = grid();
    let theta = 0.8;
    let r = stochastic(&p, &settings(theta, 50_000, 1e-8));
    assert!(r.converged, "history ends {:?}", r.history.last());
    for ods in &r.routes {
        for od in ods {
            let least = od
                .routes
                .iter()
                .map(|x| x.cost)
                .fold(f64::INFINITY, f64::min);
            let w: Vec<f64> = od
                .routes
                .iter()
                .map(|x| x.path_size * (-theta * (x.cost - least)).exp())
                .collect();
            let sum: f64 = w.iter().sum();
            for (route, wi) in od.routes.iter().zip(&w) {
                let want = od.demand * wi / sum;
                assert!(
                    (route.flow - want).abs() < 1e-3 * od.demand,
                    "{route:?}: {} vs {want}",
                    route.flow
                );
            }
        }
    }
}

#[test]
fn demand_with_no_route_is_left_unassigned() {
    // Vertex 2 has no arc in: its demand is unreachable, the rest is assigned.
    let network = Network {
        graph: Graph::new(3, &[(0, 1), (0, 1), (2, 1)]),
        vdf: vec![Vdf::Constant(1.0); 3],
        no_through: vec![false; 3],
    };
    let p = Problem::single(
        network,
        vec![0.0; 3],
        Demand::from_triples([(0, 1, 10.0), (0, 2, 7.0), (1, 0, 3.0)]),
    );
    let r = stochastic(&p, &settings(1.0, 10, 1e-12));
    assert_eq!(r.unreachable, 10.0);
    assert_eq!(r.routes[0].len(), 3);
    assert!(r.routes[0][1].routes.is_empty() && r.routes[0][2].routes.is_empty());
    assert!((r.flow[0] + r.flow[1] - 10.0).abs() < 1e-12);
    assert_eq!(r.flow[2], 0.0);
}

#[test]
fn two_runs_are_bit_identical() {
    let p = grid();
    let a = stochastic(&p, &settings(0.5, 200, 0.0));
    let b = stochastic(&p, &settings(0.5, 200, 0.0));
    let bits = |x: &[f64]| x.iter().map(|v| v.to_bits()).collect::<Vec<u64>>();
    assert_eq!(bits(&a.flow), bits(&b.flow));
    for k in 0..2 {
        assert_eq!(bits(&a.class_flow[k]), bits(&b.class_flow[k]));
    }
    assert_eq!(bits(&a.history), bits(&b.history));
    assert_eq!(a.routes, b.routes);
}
