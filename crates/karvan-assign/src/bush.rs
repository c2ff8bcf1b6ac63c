//! Dial's Algorithm B (2006): each origin keeps a *bush*, an acyclic set of arcs that
//! carries all its flow. Within a bush, flow moves from the longest used path to a node
//! onto the shortest one, from their last common node, by a Newton step; then the bush
//! drops arcs it no longer uses and takes in arcs that shorten its longest paths. The
//! bushes stay acyclic, so every search inside one is a pass in topological order.

use std::cmp::Reverse as Lowest;
use std::collections::BinaryHeap;
use std::time::Instant;

use crate::assignment::{relative_gap, Assignment, Iteration, Settings};
use crate::problem::{Network, OriginDemand, Problem};
use crate::shortest::ShortestPaths;

const NONE: u32 = u32::MAX;

/// Flow-shifting passes over a bush after each bush update.
const PASSES: usize = 1;

/// Sweeps of flow shifting over the bushes, without changing them, per iteration.
const SWEEPS: usize = 16;

/// The first sweeps also update the bushes they visit, so that bushes far from their
/// equilibrium take in new arcs several times per iteration.
const UPDATE_SWEEPS: usize = 4;

/// A sweep shifts flow in the bushes whose excess is at least this share of the largest.
const ACTIVE: f64 = 0.02;

/// In-arcs of each vertex, in compressed sparse row form.
struct Reverse {
    offsets: Vec<u32>,
    arcs: Vec<u32>,
    heads: Vec<u32>,
    tails: Vec<u32>,
}

impl Reverse {
    fn new(net: &Network) -> Reverse {
        let g = &net.graph;
        let n = g.num_vertices();
        let mut heads = vec![0u32; g.num_arcs()];
        let mut tails = vec![0u32; g.num_arcs()];
        for v in 0..n as u32 {
            for (a, h) in g.out_arcs(v) {
                heads[a as usize] = h;
                tails[a as usize] = v;
            }
        }
        let mut offsets = vec![0u32; n + 1];
        for &h in &heads {
            offsets[h as usize + 1] += 1;
        }
        for v in 0..n {
            offsets[v + 1] += offsets[v];
        }
        let mut next = offsets.clone();
        let mut arcs = vec![0u32; g.num_arcs()];
        for (a, &h) in heads.iter().enumerate() {
            arcs[next[h as usize] as usize] = a as u32;
            next[h as usize] += 1;
        }
        Reverse {
            offsets,
            arcs,
            heads,
            tails,
        }
    }

    fn in_arcs(&self, v: u32) -> &[u32] {
        &self.arcs[self.offsets[v as usize] as usize..self.offsets[v as usize + 1] as usize]
    }
}

/// One origin's bush for one class, stored sparsely: its arcs grouped by head, the
/// heads in topological order, and the class's flow on each arc.
#[cfg_attr(test, derive(Clone))]
struct Bush {
    class: usize,
    origin: u32,
    /// The bush's arcs grouped by head, the heads in topological order. Every vertex the
    /// bush reaches but its origin heads at least one arc, so the heads, in turn, are the
    /// topological order itself ([`Bush::heads`]), and a pass in that order walks the arcs.
    arcs: Vec<u32>,
    /// Flow on `arcs[i]`.
    flow: Vec<f64>,
    /// The largest difference between the longest used and the shortest path to a
    /// vertex, when last measured: how far the bush is from its own equilibrium.
    excess: f64,
}

impl Bush {
    /// The vertices the bush reaches after its origin, in topological order.
    fn heads<'a>(&'a self, rev: &'a Reverse) -> impl DoubleEndedIterator<Item = u32> + 'a {
        let head = move |i: usize| rev.heads[self.arcs[i] as usize];
        (0..self.arcs.len())
            .filter(move |&i| i == 0 || head(i) != head(i - 1))
            .map(head)
    }
}

/// Link state shared by all bushes: total equivalent flow, time and its derivative.
struct Links<'a> {
    p: &'a Problem,
    x: Vec<f64>,
    time: Vec<f64>,
    dtime: Vec<f64>,
}

impl Links<'_> {
    /// Adds `delta` of equivalent flow to arc `a`.
    fn add(&mut self, a: usize, delta: f64) {
        self.x[a] = (self.x[a] + delta).max(0.0);
        self.time[a] = self.p.network.vdf[a].cost(self.x[a]);
        self.dtime[a] = self.p.network.vdf[a].derivative(self.x[a]);
    }

    /// Class `k`'s cost of arc `a`.
    #[inline]
    fn cost(&self, k: usize, a: usize) -> f64 {
        let c = &self.p.classes[k];
        c.value_of_time * self.time[a] + c.fixed[a]
    }
}

/// Scratch space for the passes over one bush. `slot` maps an arc to its position in
/// the bush being worked on (`NONE` outside it); it is filled by [`attach`] and emptied
/// by [`detach`], so it costs the bush's size, not the network's.
struct Scratch {
    slot: Vec<u32>,
    indegree: Vec<u32>,
    min: Vec<f64>,
    max: Vec<f64>,
    min_pred: Vec<u32>,
    max_pred: Vec<u32>,
    min_seg: Vec<u32>,
    max_seg: Vec<u32>,
    on_order: Vec<bool>,
    /// Vertices an update reaches for the first time, sorted.
    fresh: Vec<u32>,
    /// Where each vertex's arcs start in the bush, and its place in the order.
    start: Vec<u32>,
    position: Vec<u32>,
    /// A bush's vertices in topological order, while a pass needs them listed.
    order: Vec<u32>,
    /// Those of them whose longest and shortest paths arrive by different arcs, and the
    /// largest difference between the two paths' costs.
    divergent: Vec<u32>,
    excess: f64,
    new_arcs: Vec<u32>,
    new_flow: Vec<f64>,
    /// The arcs an update adds, and which of the bush's it keeps.
    new_extra: Vec<u32>,
    keep: Vec<bool>,
}

impl Scratch {
    fn new(n: usize, m: usize) -> Scratch {
        Scratch {
            slot: vec![NONE; m],
            indegree: vec![0; n],
            min: vec![0.0; n],
            max: vec![0.0; n],
            min_pred: vec![NONE; n],
            max_pred: vec![NONE; n],
            min_seg: Vec::new(),
            max_seg: Vec::new(),
            on_order: vec![false; n],
            fresh: Vec::new(),
            start: vec![0; n],
            position: vec![0; n],
            order: Vec::new(),
            divergent: Vec::new(),
            excess: 0.0,
            new_arcs: Vec::new(),
            new_flow: Vec::new(),
            new_extra: Vec::new(),
            keep: Vec::new(),
        }
    }
}

/// Points `s.slot` at the bush's arcs.
fn attach(b: &Bush, s: &mut Scratch) {
    for (i, &a) in b.arcs.iter().enumerate() {
        s.slot[a as usize] = i as u32;
    }
}

/// Empties `s.slot` again.
fn detach(b: &Bush, s: &mut Scratch) {
    for &a in &b.arcs {
        s.slot[a as usize] = NONE;
    }
}

/// Rebuilds the (attached) bush from its arcs `i` for which `keep(i)`, plus `extra` (new,
/// with no flow): orders its vertices topologically and regroups its arcs by head. Leaves the
/// new bush attached.
fn rebuild(
    b: &mut Bush,
    net: &Network,
    rev: &Reverse,
    s: &mut Scratch,
    keep: impl Fn(usize) -> bool,
    extra: &[u32],
) {
    // The arcs that stay, with their flows, and the new ones.
    s.new_arcs.clear();
    s.new_flow.clear();
    for (i, &a) in b.arcs.iter().enumerate() {
        if keep(i) {
            s.new_arcs.push(a);
            s.new_flow.push(b.flow[i]);
        }
    }
    for &a in extra {
        s.new_arcs.push(a);
        s.new_flow.push(0.0);
    }
    detach(b, s);
    for (i, &a) in s.new_arcs.iter().enumerate() {
        s.slot[a as usize] = i as u32;
        s.indegree[rev.heads[a as usize] as usize] += 1;
    }
    let mut order = std::mem::take(&mut s.order);
    order.clear();
    order.push(b.origin);
    let mut i = 0;
    while i < order.len() {
        let v = order[i];
        i += 1;
        for (a, h) in net.graph.out_arcs(v) {
            if s.slot[a as usize] != NONE {
                s.indegree[h as usize] -= 1;
                if s.indegree[h as usize] == 0 {
                    order.push(h);
                }
            }
        }
    }
    // Regroup by head in topological order. A vertex enters the order only after the
    // tails of all its arcs have, so every arc kept runs between ordered vertices, and
    // arcs that would close a cycle (possible only with costs that are not numbers)
    // drop out with the vertices on it, as would an arc into the origin.
    // Fresh vectors of the size needed: the bushes are most of the engine's memory.
    b.arcs = Vec::with_capacity(s.new_arcs.len());
    b.flow = Vec::with_capacity(s.new_arcs.len());
    for &v in &order[1..] {
        for &a in rev.in_arcs(v) {
            let j = s.slot[a as usize];
            if j != NONE {
                b.arcs.push(a);
                b.flow.push(s.new_flow[j as usize]);
            }
        }
    }
    s.order = order;
    for &a in &s.new_arcs {
        s.slot[a as usize] = NONE;
        // Leave the shared counts at zero for the next bush, even for a vertex the
        // origin could not reach.
        s.indegree[rev.heads[a as usize] as usize] = 0;
    }
    attach(b, s);
}

/// Gives back what a vector holds beyond a quarter more than it uses: grown by doubling,
/// up to half of it would stay unused.
fn trim<T>(v: &mut Vec<T>) {
    if v.capacity() > v.len() + v.len() / 4 + 16 {
        v.shrink_to(v.len() + v.len() / 8);
    }
}

/// Shortest-path labels over all bush arcs and longest-path labels over the arcs the
/// bush's class uses (`used_only`) or over all bush arcs, at arc costs `cost`. Lists the
/// vertices after the origin, in topological order, in `s.order` (their places in it,
/// from 1, in `s.position`, and where their arcs start in `s.start`), those where the
/// two paths part in `s.divergent`, and measures the bush's excess in `s.excess`.
fn labels(b: &Bush, cost: impl Fn(usize) -> f64, rev: &Reverse, s: &mut Scratch, used_only: bool) {
    let origin = b.origin as usize;
    s.min[origin] = 0.0;
    s.max[origin] = 0.0;
    s.min_pred[origin] = NONE;
    s.max_pred[origin] = NONE;
    s.order.clear();
    s.position[origin] = 0;
    s.divergent.clear();
    s.excess = 0.0;
    let (arcs, flow) = (&b.arcs[..], &b.flow[..]);
    let mut i = 0;
    while i < arcs.len() {
        let v = rev.heads[arcs[i] as usize];
        s.order.push(v);
        s.position[v as usize] = s.order.len() as u32;
        s.start[v as usize] = i as u32;
        // v's in-arcs come next in the bush's arcs, and every tail of them came before
        // it, so their labels are set by now. The labels build up in locals.
        let (mut min, mut min_pred) = (f64::INFINITY, NONE);
        let (mut max, mut max_pred) = (f64::NEG_INFINITY, NONE);
        loop {
            let a = arcs[i] as usize;
            let t = rev.tails[a] as usize;
            let c = cost(a);
            if s.min[t] + c < min {
                min = s.min[t] + c;
                min_pred = a as u32;
            }
            if (!used_only || flow[i] > 0.0) && s.max[t] > f64::NEG_INFINITY && s.max[t] + c > max {
                max = s.max[t] + c;
                max_pred = a as u32;
            }
            i += 1;
            if i == arcs.len() || rev.heads[arcs[i] as usize] != v {
                break;
            }
        }
        if max_pred == NONE {
            (max, max_pred) = (min, min_pred);
        } else if max_pred != min_pred {
            s.divergent.push(v);
        }
        s.excess = s.excess.max(max - min);
        let v = v as usize;
        (s.min[v], s.min_pred[v], s.max[v], s.max_pred[v]) = (min, min_pred, max, max_pred);
    }
}

/// Moves flow from longest to shortest used paths within the (attached) bush, node by node.
fn equilibrate(b: &mut Bush, links: &mut Links, rev: &Reverse, s: &mut Scratch) {
    let class = &links.p.classes[b.class];
    let (vot, fixed, time) = (class.value_of_time, &class.fixed[..], &links.time[..]);
    labels(b, |a| vot * time[a] + fixed[a], rev, s, true);
    b.excess = s.excess;
    let divergent = std::mem::take(&mut s.divergent);
    let (vot, pce) = (class.value_of_time, class.equivalence);
    for &j in divergent.iter().rev() {
        // A spread that is not finite means a label overflowed (or is not a number):
        // there is no path to walk and no step to take.
        let spread = s.max[j as usize] - s.min[j as usize];
        if !(spread > 0.0 && spread < f64::INFINITY) {
            continue;
        }
        // Walk the longest and the shortest path back from j, always on the one that
        // is further along the order, until they meet: at the last node they share.
        s.max_seg.clear();
        s.min_seg.clear();
        let mut room = f64::INFINITY;
        let (mut on_max, mut on_min) = (j, j);
        loop {
            if s.position[on_max as usize] >= s.position[on_min as usize] {
                let a = s.max_pred[on_max as usize];
                s.max_seg.push(a);
                room = room.min(b.flow[s.slot[a as usize] as usize]);
                on_max = rev.tails[a as usize];
            } else {
                let a = s.min_pred[on_min as usize];
                s.min_seg.push(a);
                on_min = rev.tails[a as usize];
            }
            if on_max == on_min && !s.min_seg.is_empty() {
                break;
            }
        }
        let cost_of = |seg: &[u32]| {
            seg.iter()
                .map(|&a| links.cost(b.class, a as usize))
                .sum::<f64>()
        };
        let (c_max, c_min) = (cost_of(&s.max_seg), cost_of(&s.min_seg));
        let diff = c_max - c_min;
        if diff <= 1e-15 * c_max.abs() || room <= 0.0 {
            continue;
        }
        let slope: f64 = vot
            * pce
            * s.max_seg
                .iter()
                .chain(&s.min_seg)
                .map(|&a| links.dtime[a as usize])
                .sum::<f64>();
        let delta = if slope > 0.0 {
            (diff / slope).min(room)
        } else {
            room
        };
        for &a in &s.max_seg {
            let i = s.slot[a as usize] as usize;
            b.flow[i] = if delta >= room && b.flow[i] - delta <= 1e-12 * delta.max(1.0) {
                0.0
            } else {
                b.flow[i] - delta
            };
            links.add(a as usize, -pce * delta);
        }
        for &a in &s.min_seg {
            b.flow[s.slot[a as usize] as usize] += delta;
            links.add(a as usize, pce * delta);
        }
    }
    s.divergent = divergent;
}

/// Drops unused arcs (keeping a shortest-path tree) and takes in arcs that shorten the
/// (attached) bush's paths without closing a cycle, at the class's arc costs `cost`;
/// leaves the new bush attached.
fn update(b: &mut Bush, cost: &[f64], net: &Network, rev: &Reverse, s: &mut Scratch) {
    choose_arcs(b, cost, net, rev, s);
    let keep = std::mem::take(&mut s.keep);
    let mut extra = std::mem::take(&mut s.new_extra);
    if !every_head_keeps_an_arc(b, rev, &keep)
        || (!extra.is_empty() && !insert_arcs(b, rev, s, &keep, &mut extra))
    {
        rebuild(b, net, rev, s, |i| keep[i], &extra);
    } else if extra.is_empty() && keep.contains(&false) {
        drop_arcs(b, s, &keep);
    }
    s.new_extra = extra;
    s.keep = keep;
}

/// Chooses what an update of the (attached) bush at arc costs `cost` changes: the arcs
/// it keeps (`s.keep`, by position), the arcs it takes in (`s.new_extra`) and the
/// vertices they reach for the first time (`s.fresh`, sorted). Leaves the labels of the
/// bush as it was in `s`.
fn choose_arcs(b: &Bush, cost: &[f64], net: &Network, rev: &Reverse, s: &mut Scratch) {
    // Labels over the bush as it is. Dropping arcs cannot create a path, so the longest-
    // path labels of the larger bush still prove that the arcs added below make no cycle.
    labels(b, |a| cost[a], rev, s, false);
    let order = std::mem::take(&mut s.order);
    let mut on_order = std::mem::take(&mut s.on_order);
    on_order[b.origin as usize] = true;
    for &v in &order {
        on_order[v as usize] = true;
    }
    // The arcs out of the bush's vertices that it lacks: those into a vertex it does not
    // reach yet (`fresh`), and those that shorten a path without closing a cycle.
    let mut extra = std::mem::take(&mut s.new_extra);
    let mut fresh = std::mem::take(&mut s.fresh);
    extra.clear();
    fresh.clear();
    // In arc order, so the arcs' ends are read in sequence.
    let origin = b.origin as usize;
    for (a, (&t, &h)) in rev.tails.iter().zip(&rev.heads).enumerate() {
        let (t, h) = (t as usize, h as usize);
        if s.slot[a] != NONE || !on_order[t] || h == origin || (t != origin && net.no_through[t]) {
            continue;
        }
        let reached = on_order[h];
        if !reached
            || (s.min[t] + cost[a] < s.min[h] - 1e-14 * s.min[h].abs() && s.max[t] < s.max[h])
        {
            extra.push(a as u32);
            if !reached {
                fresh.push(h as u32);
            }
        }
    }
    on_order[b.origin as usize] = false;
    for &v in &order {
        on_order[v as usize] = false;
    }
    fresh.sort_unstable();
    fresh.dedup();
    s.on_order = on_order;
    s.order = order;
    s.fresh = fresh;
    s.new_extra = extra;
    // Keep the arcs in use and each vertex's shortest-path arc (so every vertex stays
    // reachable).
    let mut keep = std::mem::take(&mut s.keep);
    keep.clear();
    keep.extend(
        b.arcs
            .iter()
            .zip(&b.flow)
            .map(|(&a, &f)| f > 0.0 || s.min_pred[rev.heads[a as usize] as usize] == a),
    );
    s.keep = keep;
}

/// Takes the new arcs `extra` into the (attached) bush and drops its arcs `i` for which
/// `!keep[i]`, without a topological sort from scratch. Right after [`choose_arcs`]'s labels,
/// every arc of the bush runs to a longest-path label at least its tail's (costs are
/// not negative) and every new arc to a strictly larger one, so the vertices ordered by
/// that label, ties in their old order, and then those reached for the first time
/// (`s.fresh`), are a topological order of the new bush. Returns false, leaving the bush
/// as it was, when the order does not hold (labels that are not numbers, or negative
/// costs): the caller then rebuilds the bush. Leaves the bush attached.
fn insert_arcs(
    b: &mut Bush,
    rev: &Reverse,
    s: &mut Scratch,
    keep: &[bool],
    extra: &mut [u32],
) -> bool {
    // The labels left each vertex's place in the old order and where its arcs start.
    let mut order = std::mem::take(&mut s.order);
    let place = |order: &[u32], position: &mut [u32]| {
        for (i, &v) in order.iter().enumerate() {
            position[v as usize] = i as u32 + 1;
        }
    };
    let forward = |position: &[u32]| {
        extra.iter().all(|&a| {
            let h = rev.heads[a as usize];
            s.fresh.binary_search(&h).is_ok()
                || position[rev.tails[a as usize] as usize] < position[h as usize]
        })
    };
    if !forward(&s.position) {
        let max = &s.max;
        order.sort_by(|&v, &w| max[v as usize].total_cmp(&max[w as usize]));
        place(&order, &mut s.position);
    }
    for (i, &v) in s.fresh.iter().enumerate() {
        s.position[v as usize] = (order.len() + 1 + i) as u32;
    }
    let position = &s.position;
    extra.sort_unstable_by_key(|&a| (position[rev.heads[a as usize] as usize], a));
    // The new arcs and flows, grouped by head in the new order.
    s.new_arcs.clear();
    s.new_flow.clear();
    let mut valid = true;
    let mut next_extra = 0;
    for &v in order.iter().chain(&s.fresh) {
        let before = |a: u32| position[rev.tails[a as usize] as usize] < position[v as usize];
        let mut i = s.start[v as usize] as usize;
        if position[v as usize] as usize <= order.len() {
            while i < b.arcs.len() && rev.heads[b.arcs[i] as usize] == v {
                if keep[i] {
                    valid &= before(b.arcs[i]);
                    s.new_arcs.push(b.arcs[i]);
                    s.new_flow.push(b.flow[i]);
                }
                i += 1;
            }
        }
        while next_extra < extra.len() && rev.heads[extra[next_extra] as usize] == v {
            valid &= before(extra[next_extra]);
            s.new_arcs.push(extra[next_extra]);
            s.new_flow.push(0.0);
            next_extra += 1;
        }
    }
    s.order = order;
    if !valid {
        return false;
    }
    detach(b, s);
    b.arcs.clear();
    b.arcs.reserve_exact(s.new_arcs.len());
    b.arcs.extend_from_slice(&s.new_arcs);
    b.flow.clear();
    b.flow.reserve_exact(s.new_flow.len());
    b.flow.extend_from_slice(&s.new_flow);
    attach(b, s);
    true
}

/// Whether every vertex the bush reaches keeps one of its in-arcs: then it still
/// reaches them all. (Each keeps its shortest-path arc, unless its costs overflowed.)
fn every_head_keeps_an_arc(b: &Bush, rev: &Reverse, keep: &[bool]) -> bool {
    let head = |i: usize| rev.heads[b.arcs[i] as usize];
    let mut kept = false;
    for (i, &k) in keep.iter().enumerate() {
        if i > 0 && head(i) != head(i - 1) {
            if !kept {
                return false;
            }
            kept = false;
        }
        kept |= k;
    }
    kept || keep.is_empty()
}

/// Drops the (attached) bush's arcs `i` for which `!keep[i]`, in place: with no arc
/// added, the topological order still holds, and every vertex keeps its shortest-path
/// arc, so none falls out of it. Leaves the bush attached.
fn drop_arcs(b: &mut Bush, s: &mut Scratch, keep: &[bool]) {
    detach(b, s);
    let mut next = 0;
    for (i, &kept) in keep.iter().enumerate() {
        if kept {
            b.arcs[next] = b.arcs[i];
            b.flow[next] = b.flow[i];
            next += 1;
        }
    }
    b.arcs.truncate(next);
    b.flow.truncate(next);
    trim(&mut b.arcs);
    trim(&mut b.flow);
    attach(b, s);
}

/// An origin's first bush for a class: its shortest-path tree at `cost`, loaded with
/// its demand. Returns the bush and the demand that has no path.
fn initial_bush(
    net: &Network,
    rev: &Reverse,
    class: usize,
    cost: &[f64],
    od: &OriginDemand,
    sp: &mut ShortestPaths,
    s: &mut Scratch,
) -> (Bush, f64) {
    let n = net.num_vertices();
    sp.search(&net.graph, cost, od.origin, |_| false, |v| net.passable(v));
    let pred = sp.predecessors();
    let mut b = Bush {
        class,
        origin: od.origin,
        arcs: Vec::new(),
        flow: Vec::new(),
        excess: f64::INFINITY,
    };
    let tree: Vec<u32> = pred.iter().copied().filter(|&a| a != NONE).collect();
    rebuild(&mut b, net, rev, s, |_| false, &tree);
    let mut load = vec![0.0; n];
    let mut unreachable = 0.0;
    for &(d, v) in &od.destinations {
        if sp.distance(d).is_finite() {
            load[d as usize] += v;
        } else {
            unreachable += v;
        }
    }
    let order: Vec<u32> = b.heads(rev).collect();
    for &v in order.iter().rev() {
        let v = v as usize;
        if load[v] > 0.0 {
            let a = pred[v];
            b.flow[s.slot[a as usize] as usize] += load[v];
            load[rev.tails[a as usize] as usize] += load[v];
        }
    }
    detach(&b, s);
    (b, unreachable)
}

/// Builds the first bushes from free-flow shortest-path trees, loads them, then
/// alternates bush updates and flow shifts until the relative gap is reached.
pub fn solve(p: &Problem, settings: &Settings) -> Assignment {
    use rayon::prelude::*;
    let start = Instant::now();
    let net = &p.network;
    let (n, m) = (net.num_vertices(), net.num_arcs());
    let rev = Reverse::new(net);
    let mut links = Links {
        p,
        x: vec![0.0; m],
        time: vec![0.0; m],
        dtime: vec![0.0; m],
    };
    for a in 0..m {
        links.add(a, 0.0);
    }
    let mut scratch = Scratch::new(n, m);
    let costs: Vec<Vec<f64>> = (0..p.classes.len())
        .map(|k| {
            let mut c = vec![0.0; m];
            p.class_costs(k, &links.time, &mut c);
            c
        })
        .collect();
    let jobs: Vec<(usize, &OriginDemand)> = p
        .classes
        .iter()
        .enumerate()
        .flat_map(|(k, c)| c.demand.origins.iter().map(move |od| (k, od)))
        .collect();
    let (mut bushes, unreachable): (Vec<Bush>, Vec<f64>) = jobs
        .par_iter()
        .map_init(
            || (ShortestPaths::new(n), Scratch::new(n, m)),
            |(sp, s), &(k, od)| initial_bush(net, &rev, k, &costs[k], od, sp, s),
        )
        .unzip();
    let unreachable: f64 = unreachable.iter().sum();
    resum(p, &bushes, &mut links);

    let mut history = Vec::new();
    for iteration in 1..=settings.max_iterations.max(1) {
        if iteration > 1 {
            update_all(&mut bushes, 0.0, &links, net, &rev);
            for b in bushes.iter_mut() {
                attach(b, &mut scratch);
                for _ in 0..PASSES {
                    equilibrate(b, &mut links, &rev, &mut scratch);
                }
                detach(b, &mut scratch);
            }
            // Shift flow again (and, in the first sweeps, update the bushes first) where
            // the bushes are furthest from their own equilibrium.
            for sweep in 0..SWEEPS {
                let worst = bushes.iter().map(|b| b.excess).fold(0.0, f64::max);
                let threshold = ACTIVE * worst;
                if sweep < UPDATE_SWEEPS {
                    update_all(&mut bushes, threshold, &links, net, &rev);
                }
                for b in bushes.iter_mut().filter(|b| b.excess >= threshold) {
                    attach(b, &mut scratch);
                    equilibrate(b, &mut links, &rev, &mut scratch);
                    detach(b, &mut scratch);
                }
            }
            resum(p, &bushes, &mut links);
        }
        let class_flow = class_flows(p, &bushes, m);
        let costs = class_costs(&links);
        let tstt: f64 = class_flow
            .iter()
            .zip(&costs)
            .map(|(x, c)| x.iter().zip(c).map(|(x, c)| x * c).sum::<f64>())
            .sum();
        let sptt = shortest_path_total(&bushes, &jobs, &costs, net, &rev);
        let gap = relative_gap(tstt, sptt);
        history.push(Iteration {
            iteration,
            relative_gap: gap,
            objective: p.objective(&class_flow, &links.x),
            seconds: start.elapsed().as_secs_f64(),
        });
        // A gap that is not a number means the costs overflowed: stop, and leave the
        // non-finite times in the result for the caller to see.
        if gap <= settings.gap || gap.is_nan() {
            break;
        }
    }
    Assignment {
        class_flow: class_flows(p, &bushes, m),
        flow: links.x,
        time: links.time,
        history,
        unreachable,
    }
}

/// Updates the bushes whose excess is at least `threshold`, in parallel, all against the
/// same link costs: an update reads the links and changes only its own bush, so the
/// bushes come out the same on any number of threads. The flow shifts that follow stay
/// sequential (Gauss–Seidel), since each changes the costs the next bush sees.
fn update_all(bushes: &mut [Bush], threshold: f64, links: &Links, net: &Network, rev: &Reverse) {
    use rayon::prelude::*;
    let (n, m) = (net.num_vertices(), net.num_arcs());
    // Each class's arc costs, once: every bush of the class reads them all.
    let costs = class_costs(links);
    bushes
        .par_iter_mut()
        .filter(|b| b.excess >= threshold)
        .for_each_init(
            || Scratch::new(n, m),
            |s, b| {
                attach(b, s);
                update(b, &costs[b.class], net, rev, s);
                detach(b, s);
            },
        );
}

/// Each class's cost of each arc at the links' current times.
fn class_costs(links: &Links) -> Vec<Vec<f64>> {
    let m = links.x.len();
    (0..links.p.classes.len())
        .map(|k| (0..m).map(|a| links.cost(k, a)).collect())
        .collect()
}

/// `Σ demand × shortest cost` over every bush's origin and destinations, at each class's
/// arc costs `costs` (pairs with no path count 0), summed in the bushes' order. Near
/// equilibrium a bush holds nearly every shortest path from its origin, so each search
/// starts from the shortest paths within the bush, which bound the true ones from above,
/// and corrects them only through the arcs outside it that are shorter: Dijkstra's
/// search from the vertices those arcs improve. The other vertices' labels stand: every
/// arc out of them was checked against the labels, which only fall.
fn shortest_path_total(
    bushes: &[Bush],
    jobs: &[(usize, &OriginDemand)],
    costs: &[Vec<f64>],
    net: &Network,
    rev: &Reverse,
) -> f64 {
    use rayon::prelude::*;
    let (n, m) = (net.num_vertices(), net.num_arcs());
    let per_bush: Vec<f64> = bushes
        .par_iter()
        .zip(jobs)
        .map_init(
            || (Scratch::new(n, m), BinaryHeap::new()),
            |(s, heap), (b, &(_, od))| {
                let dist = shortest_from_bush(b, &costs[b.class], net, rev, s, heap);
                od.destinations
                    .iter()
                    .map(|&(d, v)| v * dist[d as usize])
                    .filter(|c| c.is_finite())
                    .sum::<f64>()
            },
        )
        .collect();
    per_bush.iter().sum()
}

/// Shortest costs from the bush's origin to every vertex over the whole network, at arc
/// costs `cost`, left in `s.min` (infinite where there is no path); zones closed to
/// through traffic are reached but not passed through. See [`shortest_path_total`].
fn shortest_from_bush<'s>(
    b: &Bush,
    cost: &[f64],
    net: &Network,
    rev: &Reverse,
    s: &'s mut Scratch,
    heap: &mut BinaryHeap<Lowest<(u64, u32)>>,
) -> &'s [f64] {
    s.min.iter_mut().for_each(|d| *d = f64::INFINITY);
    labels(b, |a| cost[a], rev, s, false);
    heap.clear();
    let passes = |v: u32| v == b.origin || net.passable(v);
    // Costs as integers in the same order, which the heap compares faster.
    let key = |d: f64| {
        let bits = d.to_bits();
        if bits >> 63 == 1 {
            !bits
        } else {
            bits | 1 << 63
        }
    };
    // Lowers the labels of the heads of t's arcs that t reaches more cheaply.
    let relax = |t: u32, min: &mut [f64], heap: &mut BinaryHeap<Lowest<(u64, u32)>>| {
        for (a, h) in net.graph.out_arcs(t) {
            let d = min[t as usize] + cost[a as usize];
            if d < min[h as usize] {
                min[h as usize] = d;
                heap.push(Lowest((key(d), h)));
            }
        }
    };
    for &t in std::iter::once(&b.origin).chain(&s.order) {
        if passes(t) {
            relax(t, &mut s.min, heap);
        }
    }
    while let Some(Lowest((d, v))) = heap.pop() {
        if d == key(s.min[v as usize]) && passes(v) {
            relax(v, &mut s.min, heap);
        }
    }
    &s.min
}

/// Re-sums the link flows from the bushes, so rounding does not drift.
fn resum(p: &Problem, bushes: &[Bush], links: &mut Links) {
    links.x.iter_mut().for_each(|x| *x = 0.0);
    for b in bushes {
        let pce = p.classes[b.class].equivalence;
        for (&a, &f) in b.arcs.iter().zip(&b.flow) {
            links.x[a as usize] += pce * f;
        }
    }
    for a in 0..links.x.len() {
        links.add(a, 0.0);
    }
}

/// Each class's flow on each arc.
fn class_flows(p: &Problem, bushes: &[Bush], m: usize) -> Vec<Vec<f64>> {
    let mut out = vec![vec![0.0; m]; p.classes.len()];
    for b in bushes {
        for (&a, &f) in b.arcs.iter().zip(&b.flow) {
            out[b.class][a as usize] += f;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Demand, Graph, Vdf};
    use proptest::prelude::*;

    /// A small network: its vertex count, arcs, zones closed to through traffic, and two
    /// sets of arc costs (the second with some zeros), each repeated over the arcs.
    type Case = (usize, Vec<(u32, u32)>, Vec<bool>, Vec<f64>, Vec<f64>);

    fn small_case() -> impl Strategy<Value = Case> {
        (
            2usize..14,
            prop::collection::vec((0u32..14, 0u32..14), 1..50),
            prop::collection::vec(prop::bool::weighted(0.15), 1..14),
            prop::collection::vec(0.0f64..10.0, 1..50),
            prop::collection::vec(prop_oneof![Just(0.0), 0.0f64..10.0], 1..50),
        )
    }

    /// The case's network (self-loops dropped), and a bush from vertex 0 loaded with one
    /// unit to every vertex: its shortest-path tree at the first costs; and the second
    /// costs, to work at.
    fn network_and_bush(case: &Case) -> (Network, Reverse, Bush, Scratch, Vec<f64>) {
        let (n, raw, closed, first, second) = case;
        let n = *n;
        let arcs: Vec<(u32, u32)> = raw
            .iter()
            .map(|&(t, h)| (t % n as u32, h % n as u32))
            .filter(|(t, h)| t != h)
            .collect();
        let m = arcs.len();
        let network = Network {
            graph: Graph::new(n, &arcs),
            vdf: vec![Vdf::Constant(1.0); m],
            no_through: (0..n).map(|v| closed[v % closed.len()]).collect(),
        };
        let rev = Reverse::new(&network);
        let mut s = Scratch::new(n, m);
        let demand = Demand::from_triples((1..n as u32).map(|d| (0, d, 1.0)));
        let repeat =
            |costs: &[f64]| -> Vec<f64> { (0..m).map(|a| costs[a % costs.len()]).collect() };
        let od = demand.origins.first().cloned().unwrap_or(OriginDemand {
            origin: 0,
            destinations: Vec::new(),
        });
        let mut sp = ShortestPaths::new(n);
        let (b, _) = initial_bush(&network, &rev, 0, &repeat(first), &od, &mut sp, &mut s);
        let cost = repeat(second);
        (network, rev, b, s, cost)
    }

    /// The bush's arcs as (arc, flow) pairs, sorted, and whether every arc's tail comes
    /// before its head in the bush's order.
    fn contents(b: &Bush, rev: &Reverse) -> (Vec<(u32, u64)>, bool) {
        let order: Vec<u32> = std::iter::once(b.origin).chain(b.heads(rev)).collect();
        let position = |v: u32| order.iter().position(|&w| w == v);
        let ordered = b
            .arcs
            .iter()
            .all(|&a| position(rev.tails[a as usize]) < position(rev.heads[a as usize]));
        let mut pairs: Vec<(u32, u64)> = b
            .arcs
            .iter()
            .zip(&b.flow)
            .map(|(&a, f)| (a, f.to_bits()))
            .collect();
        pairs.sort_unstable();
        (pairs, ordered)
    }

    proptest! {
        /// Inserting an update's new arcs in place keeps the bush in topological order
        /// and leaves the same arcs and flows as rebuilding it from scratch.
        #[test]
        fn inserting_arcs_equals_a_rebuild(
            case in small_case(),
        ) {
            let (network, rev, mut b, mut s, cost) = network_and_bush(&case);
            attach(&b, &mut s);
            choose_arcs(&b, &cost, &network, &rev, &mut s);
            let keep = std::mem::take(&mut s.keep);
            let mut extra = std::mem::take(&mut s.new_extra);
            prop_assume!(!extra.is_empty() && every_head_keeps_an_arc(&b, &rev, &keep));
            let mut rebuilt = b.clone();
            prop_assert!(insert_arcs(&mut b, &rev, &mut s, &keep, &mut extra));
            detach(&b, &mut s);
            attach(&rebuilt, &mut s);
            rebuild(&mut rebuilt, &network, &rev, &mut s, |i| keep[i], &extra);
            detach(&rebuilt, &mut s);
            prop_assert!(s.slot.iter().all(|&i| i == NONE));
            let (inserted, ordered) = contents(&b, &rev);
            prop_assert!(ordered);
            prop_assert_eq!(inserted, contents(&rebuilt, &rev).0);
        }

        /// The shortest paths grown from a bush's own (at other costs than the bush was
        /// built for) are Dijkstra's over the whole network.
        #[test]
        fn shortest_paths_from_a_bush_equal_dijkstra(
            case in small_case(),
        ) {
            let (network, rev, b, mut s, cost) = network_and_bush(&case);
            let mut heap = BinaryHeap::new();
            let got = shortest_from_bush(&b, &cost, &network, &rev, &mut s, &mut heap).to_vec();
            let mut sp = ShortestPaths::new(network.num_vertices());
            sp.search(&network.graph, &cost, 0, |_| false, |v| network.passable(v));
            for (v, &got) in got.iter().enumerate() {
                let want = sp.distance(v as u32);
                prop_assert!(
                    got == want || (got - want).abs() <= 1e-9 * want.abs().max(1.0),
                    "vertex {}: {} against {}", v, got, want
                );
            }
        }
    }

    /// Rounds of updates and flow shifts on a small network bring its used paths to the
    /// same cost and keep the origin's demand on the bush.
    #[test]
    fn repeated_updates_and_shifts_keep_the_demand() {
        let linear = |t0: f64| Vdf::Bpr {
            t0,
            b: 1.0,
            capacity: 10.0,
            power: 1.0,
        };
        let network = Network {
            graph: Graph::new(3, &[(0, 1), (0, 1), (1, 2), (0, 2)]),
            vdf: vec![linear(1.0), linear(2.0), linear(1.0), linear(5.0)],
            no_through: vec![false; 3],
        };
        let p = Problem::single(network, vec![0.0; 4], Demand::from_triples([(0, 2, 50.0)]));
        let (n, m) = (3, 4);
        let rev = Reverse::new(&p.network);
        let mut links = Links {
            p: &p,
            x: vec![0.0; m],
            time: vec![0.0; m],
            dtime: vec![0.0; m],
        };
        for a in 0..m {
            links.add(a, 0.0);
        }
        let mut cost = vec![0.0; m];
        p.class_costs(0, &links.time, &mut cost);
        let mut s = Scratch::new(n, m);
        let mut sp = ShortestPaths::new(n);
        let (mut b, _) = initial_bush(
            &p.network,
            &rev,
            0,
            &cost,
            &p.classes[0].demand.origins[0],
            &mut sp,
            &mut s,
        );
        resum(&p, std::slice::from_ref(&b), &mut links);
        for _ in 0..20 {
            attach(&b, &mut s);
            p.class_costs(0, &links.time, &mut cost);
            update(&mut b, &cost, &p.network, &rev, &mut s);
            equilibrate(&mut b, &mut links, &rev, &mut s);
            detach(&b, &mut s);
        }
        // The used paths cost the same, and the flow leaving the origin is still its
        // demand.
        assert!(b.excess < 1e-9, "excess {}", b.excess);
        let f: f64 = b
            .arcs
            .iter()
            .zip(&b.flow)
            .filter(|(&a, _)| a != 2)
            .map(|(_, f)| f)
            .sum();
        assert!((f - 50.0).abs() < 1e-9, "{f}");
    }

    /// Dropping arcs in place (an update that adds none) leaves the same bush as
    /// rebuilding it from the arcs kept: the same arcs in the same order, with their flows.
    #[test]
    fn dropping_arcs_in_place_equals_a_rebuild() {
        // 0 → 1 twice, 1 → 2, 0 → 2, 2 → 3, 1 → 3.
        let network = Network {
            graph: Graph::new(4, &[(0, 1), (0, 1), (1, 2), (0, 2), (2, 3), (1, 3)]),
            vdf: vec![Vdf::Constant(1.0); 6],
            no_through: vec![false; 4],
        };
        let rev = Reverse::new(&network);
        let mut s = Scratch::new(4, 6);
        let whole = || Bush {
            class: 0,
            origin: 0,
            arcs: Vec::new(),
            flow: Vec::new(),
            excess: 0.0,
        };
        let (mut a, mut b) = (whole(), whole());
        for bush in [&mut a, &mut b] {
            rebuild(bush, &network, &rev, &mut s, |_| false, &[0, 1, 2, 3, 4, 5]);
            bush.flow = (1..=6).map(f64::from).collect();
            detach(bush, &mut s);
        }
        let keep: Vec<bool> = a.arcs.iter().map(|&arc| arc != 1 && arc != 3).collect();
        attach(&a, &mut s);
        drop_arcs(&mut a, &mut s, &keep);
        detach(&a, &mut s);
        attach(&b, &mut s);
        rebuild(&mut b, &network, &rev, &mut s, |i| keep[i], &[]);
        detach(&b, &mut s);
        assert_eq!(a.arcs, b.arcs);
        assert_eq!(a.flow, b.flow);
        assert_eq!(a.arcs.len(), 4);
        assert!(s.slot.iter().all(|&i| i == NONE));
        // The order still puts every arc's tail before its head.
        let order: Vec<u32> = std::iter::once(0).chain(a.heads(&rev)).collect();
        let position = |v: u32| order.iter().position(|&w| w == v);
        for &arc in &a.arcs {
            assert!(position(rev.tails[arc as usize]) < position(rev.heads[arc as usize]));
        }
    }

    /// A drop that would leave a vertex with no arc into it is refused (the update then
    /// rebuilds the bush, which drops the vertex and what hangs from it).
    #[test]
    fn a_vertex_must_keep_an_arc_for_a_drop_in_place() {
        let network = Network {
            graph: Graph::new(3, &[(0, 1), (0, 1), (1, 2)]),
            vdf: vec![Vdf::Constant(1.0); 3],
            no_through: vec![false; 3],
        };
        let rev = Reverse::new(&network);
        let mut s = Scratch::new(3, 3);
        let mut b = Bush {
            class: 0,
            origin: 0,
            arcs: Vec::new(),
            flow: Vec::new(),
            excess: 0.0,
        };
        rebuild(&mut b, &network, &rev, &mut s, |_| false, &[0, 1, 2]);
        assert_eq!(b.heads(&rev).collect::<Vec<_>>(), vec![1, 2]);
        assert!(every_head_keeps_an_arc(&b, &rev, &[true, false, true]));
        assert!(every_head_keeps_an_arc(&b, &rev, &[false, true, true]));
        assert!(!every_head_keeps_an_arc(&b, &rev, &[false, false, true]));
        assert!(!every_head_keeps_an_arc(&b, &rev, &[true, true, false]));
        let empty = Bush {
            arcs: Vec::new(),
            flow: Vec::new(),
            ..b
        };
        assert!(every_head_keeps_an_arc(&empty, &rev, &[]));
    }
}
