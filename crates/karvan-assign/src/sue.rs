//! Stochastic user equilibrium (SUE) with path-size logit route choice.
//!
//! At user equilibrium everybody takes a cheapest route. Shippers do not know costs
//! exactly, so in practice flow spreads over several routes, more of it on the cheaper
//! ones. The logit model gives route `r` of an origin–destination pair the share
//! `∝ exp(−θ c_r)`. Plain logit, however, treats two routes that share most of their arcs
//! as two independent alternatives and so overloads the corridor they share; the
//! path-size correction (Ben-Akiva and Bierlaire) weighs each route by the part of its
//! length that it does not share with the other routes of its set.
//!
//! The path-size term is defined over an explicit route set, so the sets are generated
//! once, before the assignment: up to `routes_per_od` distinct routes per pair and class
//! by link penalisation at free-flow costs. The method of successive averages (MSA) then
//! moves the route flows towards the logit split at the current, congested costs.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::problem::{Demand, Network, OriginDemand, Problem};
use crate::shortest::ShortestPaths;

/// Factor by which the costs of a route's arcs grow each time the route is found, so
/// that the next search looks elsewhere. Arcs of zero cost are not penalised by a
/// factor, so networks whose routes differ only in free arcs yield fewer routes.
const PENALTY: f64 = 1.5;

/// Consecutive searches that may return already known routes before the pair's set is
/// closed. Every repeat raises the known route's cost by [`PENALTY`] again, so after
/// five repeats a route about 1.5⁵ ≈ 7.6 times dearer than the best is still found;
/// dearer ones carry next to no logit share unless θ is tiny.
const MAX_REPEATS: usize = 5;

/// Dispersion, route set size and when to stop.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SueSettings {
    /// Logit dispersion θ, per unit of generalized cost. As θ grows the split approaches
    /// user equilibrium; with θ = 0 it follows the path sizes alone (an even split when
    /// no two routes of a pair share an arc). Negative or NaN values count as 0.
    pub dispersion: f64,
    /// Distinct routes generated per origin–destination pair and class (at least one).
    pub routes_per_od: usize,
    /// MSA iterations after the initial loading at free-flow costs.
    pub max_iterations: usize,
    /// Stop when the largest change of a route flow in one iteration, relative to its
    /// pair's demand, is at most this. MSA's step `1/(k+1)` bounds that change by
    /// `1/(k+1)` whatever the costs, so pick it well below the accuracy you need.
    pub tolerance: f64,
}

/// One route of a pair's set.
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    /// Arcs in travel order.
    pub arcs: Vec<u32>,
    /// Flow of the route's class on it.
    pub flow: f64,
    /// The class's generalized cost of the route at the final times.
    pub cost: f64,
    /// Path size: `Σ_{a∈r} (l_a / L_r) / N_a`, with `l_a` the arc's free-flow class cost,
    /// `L_r` the route's, and `N_a` the number of routes of the set that use the arc.
    /// 1 for a route that shares no arc, less the more it overlaps.
    pub path_size: f64,
}

/// The route set of one origin–destination pair of a class.
#[derive(Debug, Clone, PartialEq)]
pub struct OdRoutes {
    pub origin: u32,
    pub destination: u32,
    pub demand: f64,
    /// Empty when the destination cannot be reached; the demand is then unassigned.
    pub routes: Vec<Route>,
}

/// What a stochastic assignment returns.
#[derive(Debug, Clone)]
pub struct SueResult {
    /// Flow of each class on each arc.
    pub class_flow: Vec<Vec<f64>>,
    /// Total equivalent flow on each arc.
    pub flow: Vec<f64>,
    /// Time on each arc at `flow`.
    pub time: Vec<f64>,
    /// Per class, one entry per demand pair in the order of the class's [`Demand`]
    /// (origins, then their destinations).
    pub routes: Vec<Vec<OdRoutes>>,
    /// Per MSA iteration, the largest change of a route flow relative to its demand.
    pub history: Vec<f64>,
    /// Whether the last change was within the tolerance.
    pub converged: bool,
    /// Demand with no route, which is left unassigned.
    pub unreachable: f64,
}

/// Solves the path-size logit stochastic user equilibrium by MSA on route flows.
///
/// Route sets are generated at free-flow class costs and kept fixed; the initial route
/// flows are the logit split at free-flow costs, and each iteration averages them with
/// the split at the costs they produce, with step `1/(k+1)`.
pub fn stochastic(p: &Problem, s: &SueSettings) -> SueResult {
    let m = p.network.num_arcs();
    let nk = p.classes.len();
    // `>` is false for NaN, so NaN and negative dispersions become 0.
    let theta = if s.dispersion > 0.0 {
        s.dispersion
    } else {
        0.0
    };
    let max_routes = s.routes_per_od.max(1);

    let mut total = vec![0.0; m];
    let mut time = vec![0.0; m];
    p.times(&total, &mut time);
    let mut cost = vec![vec![0.0; m]; nk];
    for (k, c) in cost.iter_mut().enumerate() {
        p.class_costs(k, &time, c);
    }
    let mut routes: Vec<Vec<OdRoutes>> = p
        .classes
        .iter()
        .zip(&cost)
        .map(|(c, free)| route_sets(&p.network, &c.demand, free, max_routes))
        .collect();
    let unreachable: f64 = routes
        .iter()
        .flatten()
        .filter(|od| od.routes.is_empty())
        .map(|od| od.demand)
        .sum();

    let mut share = Vec::new();
    for (ods, c) in routes.iter_mut().zip(&cost) {
        for od in ods.iter_mut() {
            price(od, c);
            logit(&od.routes, theta, &mut share);
            for (r, &pr) in od.routes.iter_mut().zip(&share) {
                r.flow = od.demand * pr;
            }
        }
    }

    let mut class_flow = vec![vec![0.0; m]; nk];
    let mut history = Vec::new();
    let mut converged = false;
    for it in 1..=s.max_iterations {
        for (ods, x) in routes.iter().zip(class_flow.iter_mut()) {
            load(ods, x);
        }
        p.total_flow(&class_flow, &mut total);
        p.times(&total, &mut time);
        let step = 1.0 / (it as f64 + 1.0);
        let mut change = 0.0_f64;
        for (k, (ods, c)) in routes.iter_mut().zip(cost.iter_mut()).enumerate() {
            p.class_costs(k, &time, c);
            for od in ods.iter_mut() {
                price(od, c);
                logit(&od.routes, theta, &mut share);
                let scale = if od.demand > 0.0 { od.demand } else { 1.0 };
                for (r, &pr) in od.routes.iter_mut().zip(&share) {
                    let next = r.flow + step * (od.demand * pr - r.flow);
                    change = change.max((next - r.flow).abs() / scale);
                    r.flow = next;
                }
            }
        }
        history.push(change);
        if change <= s.tolerance {
            converged = true;
            break;
        }
    }

    for (ods, x) in routes.iter().zip(class_flow.iter_mut()) {
        load(ods, x);
    }
    p.total_flow(&class_flow, &mut total);
    p.times(&total, &mut time);
    for (k, (ods, c)) in routes.iter_mut().zip(cost.iter_mut()).enumerate() {
        p.class_costs(k, &time, c);
        for od in ods.iter_mut() {
            price(od, c);
        }
    }
    SueResult {
        class_flow,
        flow: total,
        time,
        routes,
        history,
        converged,
        unreachable,
    }
}

/// Sets every route's cost to the sum of its arcs' `cost`.
fn price(od: &mut OdRoutes, cost: &[f64]) {
    for r in &mut od.routes {
        r.cost = r.arcs.iter().map(|&a| cost[a as usize]).sum();
    }
}

/// Arc flows of a class from its route flows.
fn load(ods: &[OdRoutes], flow: &mut [f64]) {
    flow.iter_mut().for_each(|f| *f = 0.0);
    for od in ods {
        for r in &od.routes {
            for &a in &r.arcs {
                flow[a as usize] += r.flow;
            }
        }
    }
}

/// Path-size logit shares `PS_r e^{−θ c_r} / Σ_s PS_s e^{−θ c_s}` into `out`. Costs are
/// measured from the cheapest route before exponentiating, so large θ·c neither
/// overflows nor underflows every term. Routes of infinite or NaN cost get no share,
/// unless all do; then the shares follow the path sizes.
fn logit(routes: &[Route], theta: f64, out: &mut Vec<f64>) {
    out.clear();
    let least = routes
        .iter()
        .map(|r| r.cost)
        .filter(|c| c.is_finite())
        .fold(f64::INFINITY, f64::min);
    let mut sum = 0.0;
    for r in routes {
        let w = if !r.cost.is_finite() {
            0.0
        } else {
            let d = r.cost - least;
            // θ = ∞ times d = 0 would be NaN: the cheapest routes get weight exactly 1.
            r.path_size * if d > 0.0 { (-theta * d).exp() } else { 1.0 }
        };
        out.push(w);
        sum += w;
    }
    if !(sum > 0.0 && sum.is_finite()) {
        out.clear();
        out.extend(routes.iter().map(|r| r.path_size));
        sum = out.iter().sum();
    }
    if sum > 0.0 && sum.is_finite() {
        out.iter_mut().for_each(|w| *w /= sum);
    } else {
        let even = 1.0 / routes.len().max(1) as f64;
        out.iter_mut().for_each(|w| *w = even);
    }
}

/// The route sets of a class's demand, origins searched in parallel. The order of the
/// result is the demand's, and every set depends only on its own pair, so the result
/// does not depend on how the work was split.
fn route_sets(net: &Network, demand: &Demand, free: &[f64], max_routes: usize) -> Vec<OdRoutes> {
    let n = net.num_vertices();
    demand
        .origins
        .par_iter()
        .map_init(
            || (ShortestPaths::new(n), free.to_vec(), Vec::new()),
            |(sp, penalised, touched), od| {
                origin_routes(net, free, od, max_routes, sp, penalised, touched)
            },
        )
        .collect::<Vec<Vec<OdRoutes>>>()
        .into_iter()
        .flatten()
        .collect()
}

/// Route sets of the pairs of one origin by link penalisation: find a shortest path,
/// multiply its arcs' costs by [`PENALTY`], search again and keep the paths not seen
/// yet. The first route of every destination comes from one shared unpenalised tree.
/// `penalised` must equal `free` on entry and does again on return.
fn origin_routes(
    net: &Network,
    free: &[f64],
    od: &OriginDemand,
    max_routes: usize,
    sp: &mut ShortestPaths,
    penalised: &mut [f64],
    touched: &mut Vec<u32>,
) -> Vec<OdRoutes> {
    let g = &net.graph;
    sp.search(g, free, od.origin, |_| false, |v| net.passable(v));
    let firsts: Vec<Option<Vec<u32>>> = od
        .destinations
        .iter()
        .map(|&(d, _)| sp.path(g, d))
        .collect();
    let mut out = Vec::with_capacity(od.destinations.len());
    for (&(d, volume), first) in od.destinations.iter().zip(firsts) {
        let mut paths: Vec<Vec<u32>> = Vec::new();
        if let Some(first) = first {
            let mut next = Some(first);
            let mut repeats = 0;
            while let Some(path) = next.take() {
                for &a in &path {
                    penalised[a as usize] *= PENALTY;
                    touched.push(a);
                }
                // An empty path (origin = destination) has no alternative.
                let last = path.is_empty();
                if paths.contains(&path) {
                    repeats += 1;
                } else {
                    paths.push(path);
                    repeats = 0;
                }
                if last || paths.len() >= max_routes || repeats >= MAX_REPEATS {
                    break;
                }
                sp.search(g, penalised, od.origin, |_| false, |v| net.passable(v));
                next = sp.path(g, d);
            }
            for a in touched.drain(..) {
                penalised[a as usize] = free[a as usize];
            }
        }
        let sizes = path_sizes(&paths, free);
        out.push(OdRoutes {
            origin: od.origin,
            destination: d,
            demand: volume,
            routes: paths
                .into_iter()
                .zip(sizes)
                .map(|(arcs, path_size)| Route {
                    arcs,
                    flow: 0.0,
                    cost: 0.0,
                    path_size,
                })
                .collect(),
        });
    }
    out
}

/// Path sizes of a route set, with arc lengths `length` (free-flow class costs). A route
/// whose length is zero (or not finite) weighs its arcs equally; a route with no arcs
/// has path size 1.
fn path_sizes(paths: &[Vec<u32>], length: &[f64]) -> Vec<f64> {
    let mut uses: HashMap<u32, u32> = HashMap::new();
    for p in paths {
        for &a in p {
            *uses.entry(a).or_insert(0) += 1;
        }
    }
    paths
        .iter()
        .map(|p| {
            if p.is_empty() {
                return 1.0;
            }
            let total: f64 = p.iter().map(|&a| length[a as usize]).sum();
            let weighted = total > 0.0 && total.is_finite();
            p.iter()
                .map(|&a| {
                    let part = if weighted {
                        length[a as usize] / total
                    } else {
                        1.0 / p.len() as f64
                    };
                    part / f64::from(uses.get(&a).copied().unwrap_or(1))
                })
                .sum()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(path_size: f64, cost: f64) -> Route {
        Route {
            arcs: vec![0],
            flow: 0.0,
            cost,
            path_size,
        }
    }

    #[test]
    fn logit_is_stable_for_large_costs_and_dispersions() {
        let mut out = Vec::new();
        logit(&[route(1.0, 1e6), route(1.0, 1e6 + 1.0)], 1000.0, &mut out);
        assert_eq!(out, vec![1.0, 0.0]);
        logit(&[route(1.0, 5.0), route(0.5, 5.0)], f64::INFINITY, &mut out);
        assert!((out[0] - 2.0 / 3.0).abs() < 1e-15, "{out:?}");
        logit(&[route(1.0, f64::NAN), route(1.0, 3.0)], 1.0, &mut out);
        assert_eq!(out, vec![0.0, 1.0]);
    }

    #[test]
    fn path_sizes_count_shared_length() {
        // Routes [0, 1] and [0, 2] share arc 0 (length 3 of 4); route [3] shares nothing.
        let ps = path_sizes(&[vec![0, 1], vec![0, 2], vec![3]], &[3.0, 1.0, 1.0, 9.0]);
        assert_eq!(ps, vec![0.375 + 0.25, 0.375 + 0.25, 1.0]);
        // Zero length: equal weights.
        let ps = path_sizes(&[vec![0, 1], vec![0, 2]], &[0.0; 3]);
        assert_eq!(ps, vec![0.75, 0.75]);
    }
}
