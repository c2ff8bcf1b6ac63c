//! An assignment problem on plain arrays: a graph, a cost function and a fixed cost per
//! arc, and demand by origin.

use crate::graph::Graph;
use crate::vdf::Vdf;

/// The network side of an assignment problem.
#[derive(Debug, Clone)]
pub struct Network {
    pub graph: Graph,
    /// Cost function of each arc (time).
    pub vdf: Vec<Vdf>,
    /// Flow-independent cost of each arc (tolls, distance, tariffs), added to the time.
    pub fixed: Vec<f64>,
    /// Vertices that paths may end at but not pass through (zones, in TNTP terms).
    pub no_through: Vec<bool>,
}

impl Network {
    /// The generalized cost of every arc at flows `x`.
    pub fn costs(&self, x: &[f64], out: &mut [f64]) {
        for (a, c) in out.iter_mut().enumerate() {
            *c = self.vdf[a].cost(x[a]) + self.fixed[a];
        }
    }

    /// The Beckmann objective `Σ ∫₀^x t(s) ds + fixed · x`.
    pub fn beckmann(&self, x: &[f64]) -> f64 {
        x.iter()
            .enumerate()
            .map(|(a, &xa)| self.vdf[a].integral(xa) + self.fixed[a] * xa)
            .sum()
    }

    pub fn num_arcs(&self) -> usize {
        self.graph.num_arcs()
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
                .map(|(origin, destinations)| OriginDemand {
                    origin,
                    destinations,
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
