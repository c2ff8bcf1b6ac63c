//! Dijkstra's shortest paths with buffers reused between searches.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::graph::Graph;

const NONE: u32 = u32::MAX;

#[derive(Clone, Copy, PartialEq)]
struct Entry {
    dist: f64,
    vertex: u32,
}

impl Eq for Entry {}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        // Reversed for a min-heap; ties broken by vertex for determinism.
        other
            .dist
            .total_cmp(&self.dist)
            .then_with(|| other.vertex.cmp(&self.vertex))
    }
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A shortest-path tree from one source, and the buffers to grow the next one.
#[derive(Debug, Clone)]
pub struct ShortestPaths {
    dist: Vec<f64>,
    pred: Vec<u32>,
    heap: BinaryHeap<Entry>,
    /// Vertices in the order they were settled (nearest first).
    settled: Vec<u32>,
}

impl std::fmt::Debug for Entry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "({}, {})", self.vertex, self.dist)
    }
}

impl ShortestPaths {
    pub fn new(num_vertices: usize) -> ShortestPaths {
        ShortestPaths {
            dist: vec![f64::INFINITY; num_vertices],
            pred: vec![NONE; num_vertices],
            heap: BinaryHeap::new(),
            settled: Vec::new(),
        }
    }

    /// Grows the tree from `source` with non-negative arc `cost`s. Arcs for which
    /// `blocked(arc)` is true are not used; infinite costs are not used either.
    pub fn run(&mut self, g: &Graph, cost: &[f64], source: u32, blocked: impl Fn(u32) -> bool) {
        self.search(g, cost, source, blocked, |_| true);
    }

    /// As [`run`](Self::run), but the search leaves a vertex other than the source only
    /// when `passable(vertex)`: zones that must not carry through traffic are reached
    /// but not passed through.
    pub fn search(
        &mut self,
        g: &Graph,
        cost: &[f64],
        source: u32,
        blocked: impl Fn(u32) -> bool,
        passable: impl Fn(u32) -> bool,
    ) {
        debug_assert_eq!(cost.len(), g.num_arcs());
        self.dist.clear();
        self.dist.resize(g.num_vertices(), f64::INFINITY);
        self.pred.clear();
        self.pred.resize(g.num_vertices(), NONE);
        self.heap.clear();
        self.settled.clear();
        self.dist[source as usize] = 0.0;
        self.heap.push(Entry {
            dist: 0.0,
            vertex: source,
        });
        while let Some(Entry { dist, vertex }) = self.heap.pop() {
            if dist > self.dist[vertex as usize] {
                continue;
            }
            self.settled.push(vertex);
            if vertex != source && !passable(vertex) {
                continue;
            }
            for (arc, head) in g.out_arcs(vertex) {
                let c = cost[arc as usize];
                if !c.is_finite() || blocked(arc) {
                    continue;
                }
                let d = dist + c;
                if d < self.dist[head as usize] {
                    self.dist[head as usize] = d;
                    self.pred[head as usize] = arc;
                    self.heap.push(Entry {
                        dist: d,
                        vertex: head,
                    });
                }
            }
        }
    }

    /// Distances from the source, by vertex.
    pub fn distances(&self) -> &[f64] {
        &self.dist
    }

    /// The arc by which each vertex is reached (`u32::MAX` for the source and unreached).
    pub fn predecessors(&self) -> &[u32] {
        &self.pred
    }

    /// The vertices reached, nearest first.
    pub fn settled(&self) -> &[u32] {
        &self.settled
    }

    /// Distance from the source to `v` (infinite when unreachable).
    pub fn distance(&self, v: u32) -> f64 {
        self.dist[v as usize]
    }

    /// The arcs of the shortest path to `target`, in travel order; `None` when unreachable.
    pub fn path(&self, g: &Graph, target: u32) -> Option<Vec<u32>> {
        if !self.dist[target as usize].is_finite() {
            return None;
        }
        let mut arcs = Vec::new();
        let mut v = target;
        while self.pred[v as usize] != NONE {
            let a = self.pred[v as usize];
            arcs.push(a);
            v = g.tail(a);
        }
        arcs.reverse();
        Some(arcs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Bellman–Ford, the slow reference.
    fn reference(n: usize, arcs: &[(u32, u32)], cost: &[f64], s: u32) -> Vec<f64> {
        let mut d = vec![f64::INFINITY; n];
        d[s as usize] = 0.0;
        for _ in 0..n {
            for (i, &(t, h)) in arcs.iter().enumerate() {
                if d[t as usize] + cost[i] < d[h as usize] {
                    d[h as usize] = d[t as usize] + cost[i];
                }
            }
        }
        d
    }

    #[test]
    fn small_known_case() {
        // 0→1 (4), 0→2 (1), 2→1 (2), 1→3 (1): best 0→2→1→3 = 4.
        let arcs = [(0, 1), (0, 2), (2, 1), (1, 3)];
        let g = Graph::new(4, &arcs);
        let mut sp = ShortestPaths::new(4);
        sp.run(&g, &[4.0, 1.0, 2.0, 1.0], 0, |_| false);
        assert_eq!(sp.distance(3), 4.0);
        assert_eq!(sp.path(&g, 3), Some(vec![1, 2, 3]));
        sp.run(&g, &[4.0, 1.0, 2.0, 1.0], 0, |a| a == 2);
        assert_eq!(sp.distance(3), 5.0);
        sp.run(&g, &[4.0, 1.0, 2.0, 1.0], 3, |_| false);
        assert_eq!(sp.path(&g, 0), None);
    }

    proptest! {
        #[test]
        fn matches_bellman_ford(n in 2usize..25, raw in prop::collection::vec((0u32..25, 0u32..25, 0.0f64..100.0), 0..80)) {
            let arcs: Vec<(u32, u32)> = raw.iter().map(|&(a, b, _)| (a % n as u32, b % n as u32)).collect();
            let cost: Vec<f64> = raw.iter().map(|r| r.2).collect();
            let g = Graph::new(n, &arcs);
            let mut sp = ShortestPaths::new(n);
            sp.run(&g, &cost, 0, |_| false);
            let want = reference(n, &arcs, &cost, 0);
            for v in 0..n as u32 {
                let got = sp.distance(v);
                prop_assert!((got == want[v as usize]) || (got - want[v as usize]).abs() < 1e-9);
                if let Some(p) = sp.path(&g, v) {
                    let sum: f64 = p.iter().map(|&a| cost[a as usize]).sum();
                    prop_assert!((sum - got).abs() < 1e-9);
                }
            }
        }
    }
}
