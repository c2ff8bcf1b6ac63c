//! Karvan's model: a scenario-applied dataset turned into an expanded network with the
//! cost of moving a ton on every arc, routes explained country by country, and the main
//! job that routes the whole demand matrix.
//!
//! Data flows one way: `karvan-data` (facts, scenario) → here (network, costs) →
//! `karvan-assign` (paths, on plain arrays) → here again (routes, results) → `karvan-report`.

pub mod cost;
pub mod equilibrium;
pub mod network;
pub mod paths;
pub mod places;
pub mod response;
pub mod route;
pub mod run;

use karvan_assign::distinct_paths;
use karvan_data::Applied;

pub use cost::{Class, CostModel, Parts};
pub use network::Network;
pub use response::PriceResponse;
pub use route::{CountryPart, Route, StairPoint, Step};
pub use run::{directed_key, run, run_checked, RouteChoice, RunResults};

/// Problems a user can make when asking the model something.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ModelError {
    #[error("unknown place `{name}`{}", suggest(.suggestions))]
    UnknownPlace {
        name: String,
        suggestions: Vec<String>,
    },
    #[error("`{name}` could be any of: {}; use the id", .candidates.join(", "))]
    AmbiguousPlace {
        name: String,
        candidates: Vec<String>,
    },
    #[error("unknown commodity `{id}`; known: {}", .known.join(", "))]
    UnknownCommodity { id: String, known: Vec<String> },
    #[error("the results are not finite: {what}; check the dataset's and scenario's values")]
    NonFinite { what: String },
}

fn suggest(s: &[String]) -> String {
    if s.is_empty() {
        String::new()
    } else {
        format!("; did you mean: {}?", s.join(", "))
    }
}

/// The model of one applied scenario.
#[derive(Debug)]
pub struct Model {
    pub applied: Applied,
    pub network: Network,
    pub costs: CostModel,
    /// Country (index) of each node (index); validation guarantees every node has one.
    node_country: Vec<usize>,
}

/// How many shortest-path searches a request for alternatives may run.
const MAX_ALTERNATIVE_SEARCHES: usize = 400;

impl Model {
    pub fn new(applied: Applied) -> Model {
        let network = Network::build(&applied);
        let costs = CostModel::new(&applied.dataset);
        let countries = applied.dataset.country_index();
        let node_country = applied
            .dataset
            .nodes
            .iter()
            .map(|n| countries[n.country.as_str()])
            .collect();
        Model {
            applied,
            network,
            costs,
            node_country,
        }
    }

    /// The class of shipments of `commodity` from node `from` to node `to`.
    pub fn class(&self, from: usize, to: usize, commodity: usize) -> Class {
        Class {
            origin_country: self.node_country[from],
            destination_country: self.node_country[to],
            commodity,
        }
    }

    /// A commodity's index by id.
    pub fn commodity(&self, id: &str) -> Result<usize, ModelError> {
        let c = &self.applied.dataset.commodities;
        c.iter()
            .position(|c| c.id == id)
            .ok_or_else(|| ModelError::UnknownCommodity {
                id: id.to_string(),
                known: c.iter().map(|c| c.id.clone()).collect(),
            })
    }

    /// The best route from node `from` to node `to` and up to `alternatives` more that
    /// cross different borders, cheapest first.
    pub fn routes(
        &self,
        from: usize,
        to: usize,
        commodity: usize,
        alternatives: usize,
    ) -> Vec<Route> {
        let class = self.class(from, to, commodity);
        let cost = self.costs.arc_costs(&self.network, &class);
        let paths = distinct_paths(
            &self.network.graph,
            &cost,
            self.network.source[from],
            self.network.sink[to],
            alternatives + 1,
            &self.network.crossing_group,
            MAX_ALTERNATIVE_SEARCHES,
        );
        paths
            .iter()
            .map(|p| self.explain(&p.arcs, &class, from, to))
            .collect()
    }
}
