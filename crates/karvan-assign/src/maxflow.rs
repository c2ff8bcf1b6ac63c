//! Maximum flow with integer capacities (Edmonds–Karp: shortest augmenting paths by
//! breadth-first search). With unit capacities it counts edge-disjoint paths.

use std::collections::VecDeque;

/// Maximum flow from `source` to `sink` over directed arcs `(tail, head, capacity)` on
/// `n` vertices.
pub fn max_flow(n: usize, arcs: &[(u32, u32, u32)], source: u32, sink: u32) -> u64 {
    // Residual graph: arc 2k is arcs[k], arc 2k+1 its reverse.
    let mut head = Vec::with_capacity(arcs.len() * 2);
    let mut cap: Vec<u64> = Vec::with_capacity(arcs.len() * 2);
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(t, h, c) in arcs {
        out[t as usize].push(head.len());
        head.push(h);
        cap.push(c as u64);
        out[h as usize].push(head.len());
        head.push(t);
        cap.push(0);
    }
    let mut flow = 0;
    loop {
        let mut pred: Vec<usize> = vec![usize::MAX; n];
        let mut seen = vec![false; n];
        seen[source as usize] = true;
        let mut queue = VecDeque::from([source]);
        while let Some(v) = queue.pop_front() {
            if v == sink {
                break;
            }
            for &a in &out[v as usize] {
                let h = head[a];
                if cap[a] > 0 && !seen[h as usize] {
                    seen[h as usize] = true;
                    pred[h as usize] = a;
                    queue.push_back(h);
                }
            }
        }
        if !seen[sink as usize] {
            return flow;
        }
        // The bottleneck along the path, then push it.
        let mut push = u64::MAX;
        let mut v = sink;
        while v != source {
            let a = pred[v as usize];
            push = push.min(cap[a]);
            v = head[a ^ 1];
        }
        let mut v = sink;
        while v != source {
            let a = pred[v as usize];
            cap[a] -= push;
            cap[a ^ 1] += push;
            v = head[a ^ 1];
        }
        flow += push;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_edge_disjoint_paths_by_hand() {
        // 0 → 1 → 3 and 0 → 2 → 3, plus 1 → 2: two disjoint paths.
        let arcs = [(0, 1, 1), (0, 2, 1), (1, 3, 1), (2, 3, 1), (1, 2, 1)];
        assert_eq!(max_flow(4, &arcs, 0, 3), 2);
        // A bridge: everything passes 1 → 2.
        let bridge = [(0, 1, 5), (1, 2, 1), (2, 3, 5)];
        assert_eq!(max_flow(4, &bridge, 0, 3), 1);
        // Capacities add up over parallel arcs; no path gives 0.
        assert_eq!(max_flow(2, &[(0, 1, 2), (0, 1, 3)], 0, 1), 5);
        assert_eq!(max_flow(3, &[(0, 1, 1)], 0, 2), 0);
    }
}
