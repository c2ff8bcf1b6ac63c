//! Counting independent ways through the physical network.

use karvan_assign::maxflow::max_flow;

use crate::Model;

/// Capacity that stands for "unlimited" on the arcs joining a super source or sink.
const UNLIMITED: u32 = 1 << 20;

/// The number of link-disjoint routes (no link or crossing used twice, in either
/// direction, whatever the mode) from any of `from` to any of `to` over the open
/// network: what it takes to cut every route.
pub fn disjoint_routes(model: &Model, from: &[usize], to: &[usize]) -> usize {
    let ds = &model.applied.dataset;
    let idx = ds.node_index();
    let n = ds.nodes.len();
    let (source, sink) = (n as u32, n as u32 + 1);
    let mut arcs: Vec<(u32, u32, u32)> = Vec::new();
    let mut both = |a: &str, b: &str| {
        let (a, b) = (idx[a] as u32, idx[b] as u32);
        arcs.push((a, b, 1));
        arcs.push((b, a, 1));
    };
    for (l, open) in ds.links.iter().zip(&model.applied.link_open) {
        if *open {
            both(&l.from, &l.to);
        }
    }
    for (c, open) in ds.crossings.iter().zip(&model.applied.crossing_open) {
        if *open {
            both(&c.from, &c.to);
        }
    }
    if from.iter().any(|f| to.contains(f)) {
        return usize::MAX;
    }
    arcs.extend(from.iter().map(|&f| (source, f as u32, UNLIMITED)));
    arcs.extend(to.iter().map(|&t| (t as u32, sink, UNLIMITED)));
    max_flow(n + 2, &arcs, source, sink) as usize
}
