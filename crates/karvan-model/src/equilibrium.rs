//! Route choice with congestion: the demand of every class assigned to user equilibrium
//! by the engine in `karvan-assign`, with border crossings and lines slowing down as
//! their throughput nears capacity.
//!
//! A crossing with a capacity gets Spiess's conical delay function on its dwell time (a
//! queue that grows with the excess of arrivals over what the post clears, and stays
//! finite past capacity); a link with a capacity gets the BPR function on its running
//! time; everything else keeps its fixed time. Each class is one origin, one destination
//! country and one commodity, so that its own tariffs (transit or domestic) and value of
//! time apply and its flows can be traced back to paths.

use karvan_assign::{
    assign, stochastic, Algorithm, Class as EngineClass, Demand, Network as EngineNetwork, Problem,
    Settings, SueResult, SueSettings, Vdf,
};

use crate::network::ArcKind;
use crate::{Class, Model};

/// Slope of the conical function past capacity (Spiess recommends 2–10).
const CONICAL_ALPHA: f64 = 4.0;
/// BPR parameters for lines with a capacity.
const BPR_B: f64 = 0.15;
const BPR_POWER: f64 = 4.0;
/// Paths carrying less than this share of an OD flow are not traced.
const MIN_PATH_SHARE: f64 = 1e-9;
/// At most this many paths are traced per OD flow.
const MAX_PATHS: usize = 200;

/// One class as the model sees it: its origin node, class, and demand rows.
pub struct ClassDemand {
    pub origin: usize,
    pub class: Class,
    /// `(demand row index, destination node, tonnes)`.
    pub rows: Vec<(usize, usize, f64)>,
}

/// What the equilibrium returns: per class, the flow on every arc of the expanded network.
pub struct Equilibrium {
    pub class_flow: Vec<Vec<f64>>,
    /// Hours on each arc at equilibrium, congestion included.
    pub hours: Vec<f64>,
    pub history: Vec<karvan_assign::Iteration>,
}

/// The time function of each arc of the expanded network.
pub fn delay_functions(model: &Model) -> Vec<Vdf> {
    let ds = &model.applied.dataset;
    model
        .network
        .arcs
        .iter()
        .map(|arc| match arc.kind {
            ArcKind::Crossing { crossing, .. } => match ds.crossings[crossing].capacity_t_per_day {
                Some(c) if c > 0.0 => Vdf::Conical {
                    t0: arc.hours,
                    capacity: c * 365.0,
                    alpha: CONICAL_ALPHA,
                },
                _ => Vdf::Constant(arc.hours),
            },
            ArcKind::Link { link, .. } => match ds.links[link].capacity_t_per_year {
                Some(c) if c > 0.0 => Vdf::Bpr {
                    t0: arc.hours,
                    b: BPR_B,
                    capacity: c,
                    power: BPR_POWER,
                },
                _ => Vdf::Constant(arc.hours),
            },
            _ => Vdf::Constant(arc.hours),
        })
        .collect()
}

/// The engine's problem for these classes: the expanded network with its delay
/// functions, and per class its demand, money cost per arc and value of time.
fn problem(model: &Model, classes: &[ClassDemand]) -> Problem {
    let net = &model.network;
    let network = EngineNetwork {
        graph: net.graph.clone(),
        vdf: delay_functions(model),
        no_through: vec![false; net.graph.num_vertices()],
    };
    let classes = classes
        .iter()
        .map(|c| {
            let fixed = (0..net.arcs.len())
                .map(|a| model.costs.arc_parts(net, a, &c.class).money())
                .collect();
            let demand = Demand::from_triples(
                c.rows
                    .iter()
                    .map(|&(_, d, t)| (net.source[c.origin], net.sink[d], t)),
            );
            EngineClass {
                demand,
                fixed,
                value_of_time: model.costs.value_of_time[c.class.commodity],
                equivalence: 1.0,
            }
        })
        .collect();
    Problem { network, classes }
}

/// Assigns every class to user equilibrium.
pub fn solve(
    model: &Model,
    classes: &[ClassDemand],
    gap: f64,
    max_iterations: usize,
) -> Equilibrium {
    let result = assign(
        &problem(model, classes),
        &Settings {
            algorithm: Algorithm::AlgorithmB,
            gap,
            max_iterations,
        },
    );
    Equilibrium {
        class_flow: result.class_flow,
        hours: result.time,
        history: result.history,
    }
}

/// Assigns every class to stochastic user equilibrium (path-size logit, MSA).
pub fn logit(
    model: &Model,
    classes: &[ClassDemand],
    dispersion: f64,
    routes_per_od: usize,
    max_iterations: usize,
) -> SueResult {
    let settings = SueSettings {
        dispersion,
        routes_per_od,
        max_iterations,
        tolerance: 1e-6,
    };
    stochastic(&problem(model, classes), &settings)
}

/// Splits one class's arc flows into paths to `dest`, tracing back from the destination
/// in proportion to the flow on each arc into a vertex. Returns `(arcs, tonnes)` with the
/// arcs in travel order; the tonnes add up to the flow that reaches `dest`.
pub fn paths_to(model: &Model, flow: &[f64], origin: usize, dest: usize) -> Vec<(Vec<u32>, f64)> {
    let g = &model.network.graph;
    let n = g.num_vertices();
    let mut into: Vec<Vec<u32>> = vec![Vec::new(); n];
    for (a, &x) in flow.iter().enumerate() {
        if x > 0.0 {
            into[g.head(a as u32) as usize].push(a as u32);
        }
    }
    let source = model.network.source[origin];
    let sink = model.network.sink[dest];
    let total: f64 = into[sink as usize].iter().map(|&a| flow[a as usize]).sum();
    let mut out = Vec::new();
    let mut stack: Vec<(u32, Vec<u32>, f64)> = vec![(sink, Vec::new(), total)];
    while let Some((v, arcs, tonnes)) = stack.pop() {
        if v == source {
            let mut arcs = arcs;
            arcs.reverse();
            out.push((arcs, tonnes));
            continue;
        }
        let inflow: f64 = into[v as usize].iter().map(|&a| flow[a as usize]).sum();
        if inflow <= 0.0 || arcs.len() > n {
            continue;
        }
        for &a in &into[v as usize] {
            let share = tonnes * flow[a as usize] / inflow;
            if share < MIN_PATH_SHARE * total || out.len() + stack.len() > MAX_PATHS {
                continue;
            }
            let mut next = arcs.clone();
            next.push(a);
            stack.push((g.tail(a), next, share));
        }
    }
    // Rescale so the traced paths carry exactly the flow (pruning drops a sliver).
    let traced: f64 = out.iter().map(|p| p.1).sum();
    if traced > 0.0 {
        for p in &mut out {
            p.1 *= total / traced;
        }
    }
    out.sort_by(|a, b| b.1.total_cmp(&a.1));
    out
}
