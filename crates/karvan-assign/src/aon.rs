//! All-or-nothing loading: every origin's demand on its current shortest paths.

use crate::problem::{Demand, Network};
use crate::shortest::ShortestPaths;

/// Loads all demand on shortest paths at arc costs `cost`, writing arc flows into `flow`.
/// Returns the total shortest-path cost `Σ demand × distance` and the demand that has
/// no path.
pub fn all_or_nothing(
    net: &Network,
    demand: &Demand,
    cost: &[f64],
    flow: &mut [f64],
    sp: &mut ShortestPaths,
) -> (f64, f64) {
    flow.iter_mut().for_each(|f| *f = 0.0);
    let g = &net.graph;
    let mut sptt = 0.0;
    let mut unreachable = 0.0;
    let mut load = vec![0.0; g.num_vertices()];
    for od in &demand.origins {
        sp.search(
            g,
            cost,
            od.origin,
            |_| false,
            |v| !net.no_through[v as usize],
        );
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
        let mut order: Vec<u32> = (0..g.num_vertices() as u32)
            .filter(|&v| load[v as usize] > 0.0 || dist[v as usize].is_finite())
            .collect();
        order.sort_by(|a, b| dist[*b as usize].total_cmp(&dist[*a as usize]));
        let pred = sp.predecessors();
        for v in order {
            let l = load[v as usize];
            if l == 0.0 || v == od.origin {
                continue;
            }
            let a = pred[v as usize];
            flow[a as usize] += l;
            let t = g.tail(a) as usize;
            load[t] += l;
            load[v as usize] = 0.0;
        }
        load[od.origin as usize] = 0.0;
    }
    (sptt, unreachable)
}

/// The total shortest-path cost `Σ demand × distance` at arc costs `cost`, with the
/// origins searched in parallel.
pub fn shortest_path_total(net: &Network, demand: &Demand, cost: &[f64]) -> f64 {
    use rayon::prelude::*;
    let n = net.graph.num_vertices();
    demand
        .origins
        .par_iter()
        .map_init(
            || ShortestPaths::new(n),
            |sp, od| {
                sp.search(
                    &net.graph,
                    cost,
                    od.origin,
                    |_| false,
                    |v| !net.no_through[v as usize],
                );
                od.destinations
                    .iter()
                    .map(|&(d, v)| {
                        let dist = sp.distance(d);
                        if dist.is_finite() {
                            v * dist
                        } else {
                            0.0
                        }
                    })
                    .sum::<f64>()
            },
        )
        .collect::<Vec<f64>>()
        .iter()
        .sum()
}
