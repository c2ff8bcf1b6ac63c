//! All-or-nothing loading: every origin's demand on its current shortest paths.

use rayon::prelude::*;

use crate::problem::{Demand, Network};
use crate::shortest::ShortestPaths;

/// Loads `demand` on shortest paths at arc costs `cost`, writing arc flows into `flow`.
/// Returns the total shortest-path cost `Σ demand × distance` and the demand that has
/// no path.
pub fn all_or_nothing(
    net: &Network,
    demand: &Demand,
    cost: &[f64],
    flow: &mut [f64],
) -> (f64, f64) {
    let n = net.num_vertices();
    let m = net.num_arcs();
    let parts: Vec<(Vec<f64>, f64, f64)> = demand
        .origins
        .par_chunks(
            demand
                .origins
                .len()
                .div_ceil(rayon::current_num_threads())
                .max(1),
        )
        .map(|chunk| {
            let mut sp = ShortestPaths::new(n);
            let mut flow = vec![0.0; m];
            let mut load = vec![0.0; n];
            let (mut sptt, mut unreachable) = (0.0, 0.0);
            for od in chunk {
                sp.search(&net.graph, cost, od.origin, |_| false, |v| net.passable(v));
                let dist = sp.distances();
                for &(d, v) in &od.destinations {
                    if dist[d as usize].is_finite() {
                        load[d as usize] += v;
                        sptt += v * dist[d as usize];
                    } else {
                        unreachable += v;
                    }
                }
                // Push loads down the tree, farthest vertices first.
                let pred = sp.predecessors();
                for &v in sp.settled().iter().rev() {
                    let l = load[v as usize];
                    if l == 0.0 || v == od.origin {
                        continue;
                    }
                    let a = pred[v as usize];
                    flow[a as usize] += l;
                    load[net.graph.tail(a) as usize] += l;
                    load[v as usize] = 0.0;
                }
                load[od.origin as usize] = 0.0;
            }
            (flow, sptt, unreachable)
        })
        .collect();
    flow.iter_mut().for_each(|f| *f = 0.0);
    let (mut sptt, mut unreachable) = (0.0, 0.0);
    for (f, s, u) in parts {
        for (o, v) in flow.iter_mut().zip(f) {
            *o += v;
        }
        sptt += s;
        unreachable += u;
    }
    (sptt, unreachable)
}

/// Shortest costs from each origin of `demand` to each of its destinations, in the
/// order of the demand (infinite where there is no path): a skim.
pub fn skim(net: &Network, demand: &Demand, cost: &[f64]) -> Vec<Vec<f64>> {
    let n = net.num_vertices();
    demand
        .origins
        .par_iter()
        .map_init(
            || ShortestPaths::new(n),
            |sp, od| {
                sp.search(&net.graph, cost, od.origin, |_| false, |v| net.passable(v));
                od.destinations
                    .iter()
                    .map(|&(d, _)| sp.distance(d))
                    .collect()
            },
        )
        .collect()
}
