//! An assignment problem on plain arrays: a graph with a cost function per arc, and user
//! classes, each with its own demand, fixed costs, value of time and equivalence factor.

use crate::graph::Graph;
use crate::vdf::Vdf;

/// The network side of an assignment problem.
#[derive(Debug, Clone)]
pub struct Network {
    pub graph: Graph,
    /// Time function of each arc, of the total equivalent flow.
    pub vdf: Vec<Vdf>,
    /// Vertices that paths may end at but not pass through (zones, in TNTP terms).
    pub no_through: Vec<bool>,
}

impl Network {
    pub fn num_arcs(&self) -> usize {
        self.graph.num_arcs()
    }

    pub fn num_vertices(&self) -> usize {
        self.graph.num_vertices()
    }

    /// Whether a path may leave `v` on its way elsewhere.
    pub fn passable(&self, v: u32) -> bool {
        !self.no_through[v as usize]
    }
}

/// Users who share a cost: `value_of_time × time(total flow) + fixed` on every arc.
#[derive(Debug, Clone)]
pub struct Class {
    pub demand: Demand,
    /// Flow-independent cost of each arc for this class (tolls, tariffs, fees, distance).
    pub fixed: Vec<f64>,
    /// Cost per unit of time.
    pub value_of_time: f64,
    /// How much one unit of this class's flow counts towards congestion.
    pub equivalence: f64,
}

/// A network and the classes that use it.
#[derive(Debug, Clone)]
pub struct Problem {
    pub network: Network,
    pub classes: Vec<Class>,
}

impl Problem {
    /// One class with value of time 1 and equivalence 1: cost = time + fixed.
    pub fn single(network: Network, fixed: Vec<f64>, demand: Demand) -> Problem {
        Problem {
            network,
            classes: vec![Class {
                demand,
                fixed,
                value_of_time: 1.0,
                equivalence: 1.0,
            }],
        }
    }

    /// Total equivalent flow on each arc.
    pub fn total_flow(&self, class_flow: &[Vec<f64>], out: &mut [f64]) {
        out.iter_mut().for_each(|x| *x = 0.0);
        for (c, f) in self.classes.iter().zip(class_flow) {
            for (o, &v) in out.iter_mut().zip(f) {
                *o += c.equivalence * v;
            }
        }
    }

    /// Time on each arc at total flows `x`.
    pub fn times(&self, x: &[f64], out: &mut [f64]) {
        for (a, t) in out.iter_mut().enumerate() {
            *t = self.network.vdf[a].cost(x[a]);
        }
    }

    /// Class `k`'s cost of every arc, given arc times.
    pub fn class_costs(&self, k: usize, time: &[f64], out: &mut [f64]) {
        let c = &self.classes[k];
        for (a, o) in out.iter_mut().enumerate() {
            *o = c.value_of_time * time[a] + c.fixed[a];
        }
    }

    /// The Beckmann objective `Σ ∫₀^X t(s) ds + Σ_k Σ fixed_k · x_k / value_of_time_k`,
    /// in units of time. With one class (or classes differing only in fixed costs) the
    /// equilibrium minimises it.
    pub fn objective(&self, class_flow: &[Vec<f64>], total: &[f64]) -> f64 {
        let time: f64 = total
            .iter()
            .enumerate()
            .map(|(a, &x)| self.network.vdf[a].integral(x))
            .sum();
        let fixed: f64 = self
            .classes
            .iter()
            .zip(class_flow)
            .map(|(c, f)| {
                f.iter().zip(&c.fixed).map(|(x, g)| x * g).sum::<f64>()
                    / c.value_of_time.max(f64::MIN_POSITIVE)
            })
            .sum();
        time + fixed
    }
}

/// Demand from one origin.
#[derive(Debug, Clone, PartialEq)]
pub struct OriginDemand {
    pub origin: u32,
    /// `(destination, volume)`, volumes > 0, destinations ≠ origin.
    pub destinations: Vec<(u32, f64)>,
}

/// Demand grouped by origin.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Demand {
    pub origins: Vec<OriginDemand>,
}

impl Demand {
    /// Groups `(origin, destination, volume)` triples; intrazonal and zero demand, which
    /// never loads the network, is dropped.
    pub fn from_triples(triples: impl IntoIterator<Item = (u32, u32, f64)>) -> Demand {
        let mut by: std::collections::BTreeMap<u32, Vec<(u32, f64)>> = Default::default();
        for (o, d, v) in triples {
            if o != d && v > 0.0 {
                by.entry(o).or_default().push((d, v));
            }
        }
        Demand {
            origins: by
                .into_iter()
                .map(|(origin, mut destinations)| {
                    destinations.shrink_to_fit();
                    OriginDemand {
                        origin,
                        destinations,
                    }
                })
                .collect(),
        }
    }

    pub fn total(&self) -> f64 {
        self.origins
            .iter()
            .flat_map(|o| o.destinations.iter().map(|d| d.1))
            .sum()
    }
}
