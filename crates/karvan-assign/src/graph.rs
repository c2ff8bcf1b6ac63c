//! A directed graph in compressed sparse row form.

/// Directed graph whose out-arcs of each vertex are stored contiguously.
/// Arc ids are the positions in the list the graph was built from.
#[derive(Debug, Clone)]
pub struct Graph {
    offsets: Vec<u32>,
    heads: Vec<u32>,
    arc_ids: Vec<u32>,
    tails: Vec<u32>,
    /// Head of each arc, by arc id.
    arc_heads: Vec<u32>,
}

impl Graph {
    /// Builds a graph of `num_vertices` vertices from `(tail, head)` arcs.
    ///
    /// # Panics
    /// When an arc names a vertex `>= num_vertices` (a bug in the caller, not bad input).
    pub fn new(num_vertices: usize, arcs: &[(u32, u32)]) -> Graph {
        let mut offsets = vec![0u32; num_vertices + 1];
        for &(t, h) in arcs {
            assert!(
                (t as usize) < num_vertices && (h as usize) < num_vertices,
                "arc ({t}, {h}) out of range"
            );
            offsets[t as usize + 1] += 1;
        }
        for v in 0..num_vertices {
            offsets[v + 1] += offsets[v];
        }
        let mut next = offsets.clone();
        let mut heads = vec![0u32; arcs.len()];
        let mut arc_ids = vec![0u32; arcs.len()];
        for (id, &(t, h)) in arcs.iter().enumerate() {
            let slot = next[t as usize] as usize;
            heads[slot] = h;
            arc_ids[slot] = id as u32;
            next[t as usize] += 1;
        }
        let tails = arcs.iter().map(|&(t, _)| t).collect();
        let arc_heads = arcs.iter().map(|&(_, h)| h).collect();
        Graph {
            offsets,
            heads,
            arc_ids,
            tails,
            arc_heads,
        }
    }

    pub fn num_vertices(&self) -> usize {
        self.offsets.len() - 1
    }

    pub fn num_arcs(&self) -> usize {
        self.heads.len()
    }

    /// Out-arcs of `v` as `(arc id, head)`.
    pub fn out_arcs(&self, v: u32) -> impl Iterator<Item = (u32, u32)> + '_ {
        let range = self.offsets[v as usize] as usize..self.offsets[v as usize + 1] as usize;
        range.map(move |s| (self.arc_ids[s], self.heads[s]))
    }

    /// The tail of arc `a`.
    pub fn tail(&self, a: u32) -> u32 {
        self.tails[a as usize]
    }

    /// The head of arc `a`.
    pub fn head(&self, a: u32) -> u32 {
        self.arc_heads[a as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_arcs_keep_original_ids() {
        let g = Graph::new(3, &[(1, 2), (0, 1), (1, 0), (0, 2)]);
        let mut from1: Vec<_> = g.out_arcs(1).collect();
        from1.sort();
        assert_eq!(from1, vec![(0, 2), (2, 0)]);
        let mut from0: Vec<_> = g.out_arcs(0).collect();
        from0.sort();
        assert_eq!(from0, vec![(1, 1), (3, 2)]);
        assert_eq!(g.out_arcs(2).count(), 0);
        assert_eq!(g.tail(2), 1);
    }
}
