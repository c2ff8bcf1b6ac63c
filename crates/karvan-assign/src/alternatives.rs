//! Distinct alternative paths: the best path, then the best paths that use a different
//! sequence of arc *groups* (for freight, a group is a border crossing, so alternatives
//! differ in the borders they cross rather than in a detour of a few kilometres).
//!
//! The search is best-first over sets of forbidden groups: each path found spawns one
//! child search per group it uses, with that group forbidden as well. Paths come out in
//! order of cost; those whose group sequence was already seen are skipped.

use std::collections::{BTreeSet, BinaryHeap, HashSet};

use crate::graph::Graph;
use crate::shortest::ShortestPaths;

/// Arcs that belong to no group.
pub const NO_GROUP: u32 = u32::MAX;

/// A path and its cost.
#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    pub arcs: Vec<u32>,
    pub cost: f64,
}

struct Candidate {
    path: Path,
    order: usize,
    forbidden: BTreeSet<u32>,
}

impl PartialEq for Candidate {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == std::cmp::Ordering::Equal
    }
}
impl Eq for Candidate {}
impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Candidate {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        other
            .path
            .cost
            .total_cmp(&self.path.cost)
            .then_with(|| other.order.cmp(&self.order))
    }
}

/// The sequence of groups a path passes through.
pub fn group_sequence(arcs: &[u32], group: &[u32]) -> Vec<u32> {
    arcs.iter()
        .map(|&a| group[a as usize])
        .filter(|&g| g != NO_GROUP)
        .collect()
}

/// Up to `k` paths from `source` to `target` with pairwise different group sequences,
/// cheapest first. At most `max_searches` shortest-path searches are run.
pub fn distinct_paths(
    g: &Graph,
    cost: &[f64],
    source: u32,
    target: u32,
    k: usize,
    group: &[u32],
    max_searches: usize,
) -> Vec<Path> {
    let mut sp = ShortestPaths::new(g.num_vertices());
    let mut solve = |forbidden: &BTreeSet<u32>| -> Option<Path> {
        sp.run(g, cost, source, |a| forbidden.contains(&group[a as usize]));
        let arcs = sp.path(g, target)?;
        Some(Path {
            arcs,
            cost: sp.distance(target),
        })
    };
    let mut heap = BinaryHeap::new();
    let mut tried: HashSet<BTreeSet<u32>> = HashSet::new();
    let mut seen_sequences: HashSet<Vec<u32>> = HashSet::new();
    let mut found = Vec::new();
    let mut searches = 1;
    let mut order = 0;
    tried.insert(BTreeSet::new());
    if let Some(path) = solve(&BTreeSet::new()) {
        heap.push(Candidate {
            path,
            order,
            forbidden: BTreeSet::new(),
        });
    }
    while let Some(c) = heap.pop() {
        let sequence = group_sequence(&c.path.arcs, group);
        if seen_sequences.insert(sequence.clone()) {
            found.push(c.path.clone());
            if found.len() >= k {
                break;
            }
        }
        for gid in sequence {
            if searches >= max_searches {
                break;
            }
            let mut forbidden = c.forbidden.clone();
            forbidden.insert(gid);
            if !tried.insert(forbidden.clone()) {
                continue;
            }
            searches += 1;
            if let Some(path) = solve(&forbidden) {
                order += 1;
                heap.push(Candidate {
                    path,
                    order,
                    forbidden,
                });
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three ways from 0 to 3: via group 7 (cost 3), via group 8 (cost 5), and a detour
    /// via group 7 again (cost 4), which is not distinct.
    #[test]
    fn alternatives_differ_in_groups_and_come_cheapest_first() {
        let arcs = [(0, 1), (1, 3), (0, 2), (2, 3), (0, 4), (4, 1)];
        let cost = [1.0, 2.0, 2.0, 3.0, 1.0, 1.0];
        let group = [NO_GROUP, 7, NO_GROUP, 8, NO_GROUP, NO_GROUP];
        let g = Graph::new(5, &arcs);
        let paths = distinct_paths(&g, &cost, 0, 3, 5, &group, 100);
        assert_eq!(paths.len(), 2);
        assert_eq!(paths[0].arcs, vec![0, 1]);
        assert_eq!(paths[0].cost, 3.0);
        assert_eq!(paths[1].arcs, vec![2, 3]);
        assert_eq!(paths[1].cost, 5.0);
    }

    #[test]
    fn unreachable_target_gives_no_path() {
        let g = Graph::new(3, &[(0, 1)]);
        assert!(distinct_paths(&g, &[1.0], 0, 2, 3, &[NO_GROUP], 10).is_empty());
    }
}
