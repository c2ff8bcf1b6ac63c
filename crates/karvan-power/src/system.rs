//! The arrays of a year's power system, in GWh per month.

use crate::MONTHS;

/// A place power is made or used.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub id: String,
    /// Energy asked for in each month, GWh.
    pub demand_gwh: [f64; MONTHS],
    /// Penalty for a GWh left unserved, USD/MWh (served in order of this penalty).
    pub unserved_usd_mwh: f64,
}

/// A plant, or a neighbour's offer of power.
#[derive(Debug, Clone, PartialEq)]
pub struct Generator {
    pub id: String,
    pub node: usize,
    /// Energy it can give in each month, GWh.
    pub available_gwh: [f64; MONTHS],
    pub cost_usd_mwh: f64,
    /// Most it gives over the year (a contract's volume), GWh.
    pub annual_gwh: Option<f64>,
}

/// One direction of an interconnector.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub id: String,
    pub from: usize,
    pub to: usize,
    /// Most it sends in each month, GWh (0 in months it does not run).
    pub capacity_gwh: [f64; MONTHS],
    /// Least it sends in each month (a contract's floor), GWh, at most the capacity.
    pub minimum_gwh: [f64; MONTHS],
    /// Share of what is sent lost on the way.
    pub loss: f64,
    /// Contract price paid to the seller, USD/MWh sent.
    pub price_usd_mwh: f64,
    /// Transit fee levied by a government, USD/MWh sent.
    pub fee_usd_mwh: f64,
}

impl Line {
    /// What sending a MWh costs the buyer: the contract price and the transit fee.
    pub fn cost_usd_mwh(&self) -> f64 {
        self.price_usd_mwh + self.fee_usd_mwh
    }
}

/// A reservoir whose releases the dispatch times within the year: the water reaching it
/// each month and the storage it starts and must end with are given (by the river
/// basin's model); when to release it is chosen for power.
#[derive(Debug, Clone, PartialEq)]
pub struct Storage {
    pub id: String,
    /// Water reaching the reservoir in each month, hm³.
    pub inflow_hm3: [f64; MONTHS],
    pub initial_hm3: f64,
    /// Least storage at the year's end, hm³.
    pub final_hm3: f64,
    /// Dead storage (never released) and capacity, hm³.
    pub min_hm3: f64,
    pub max_hm3: f64,
    /// Plants turbining the release: (generator, GWh made per hm³ released).
    pub plants: Vec<(usize, f64)>,
}

/// A year's power system.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct System {
    pub nodes: Vec<Node>,
    pub generators: Vec<Generator>,
    pub lines: Vec<Line>,
    pub storages: Vec<Storage>,
}

/// A system that cannot be solved as given.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SystemError {
    #[error("{what} `{id}`: {field} is {value}; it must be a finite number ≥ 0")]
    Negative {
        what: &'static str,
        id: String,
        field: &'static str,
        value: f64,
    },
    #[error("line `{id}`: its minimum in month {month} is more than its capacity")]
    Minimum { id: String, month: usize },
    #[error("reservoir `{0}`: its storages are out of order (dead ≤ initial, final ≤ capacity) or a plant is unknown")]
    Storage(String),
    #[error("line `{id}`: loss {value} must be within 0–0.5")]
    Loss { id: String, value: f64 },
    #[error("{what} `{id}` refers to node {node}, but there are {nodes} nodes")]
    NoSuchNode {
        what: &'static str,
        id: String,
        node: usize,
        nodes: usize,
    },
}

fn non_negative(
    what: &'static str,
    id: &str,
    field: &'static str,
    values: &[f64],
) -> Result<(), SystemError> {
    match values.iter().find(|v| !(v.is_finite() && **v >= 0.0)) {
        Some(v) => Err(SystemError::Negative {
            what,
            id: id.to_string(),
            field,
            value: *v,
        }),
        None => Ok(()),
    }
}

impl System {
    /// Checks every number is finite and in range and every index points at a node.
    pub fn check(&self) -> Result<(), SystemError> {
        let nodes = self.nodes.len();
        let node_ok = |what: &'static str, id: &str, node: usize| {
            if node < nodes {
                Ok(())
            } else {
                Err(SystemError::NoSuchNode {
                    what,
                    id: id.to_string(),
                    node,
                    nodes,
                })
            }
        };
        for n in &self.nodes {
            non_negative("node", &n.id, "demand", &n.demand_gwh)?;
            non_negative("node", &n.id, "unserved penalty", &[n.unserved_usd_mwh])?;
        }
        for g in &self.generators {
            node_ok("generator", &g.id, g.node)?;
            non_negative("generator", &g.id, "available energy", &g.available_gwh)?;
            non_negative("generator", &g.id, "cost", &[g.cost_usd_mwh])?;
            if let Some(a) = g.annual_gwh {
                non_negative("generator", &g.id, "yearly volume", &[a])?;
            }
        }
        for l in &self.lines {
            node_ok("line", &l.id, l.from)?;
            node_ok("line", &l.id, l.to)?;
            non_negative("line", &l.id, "capacity", &l.capacity_gwh)?;
            non_negative("line", &l.id, "minimum", &l.minimum_gwh)?;
            if let Some(m) = (0..MONTHS).find(|&m| l.minimum_gwh[m] > l.capacity_gwh[m]) {
                return Err(SystemError::Minimum {
                    id: l.id.clone(),
                    month: m + 1,
                });
            }
            non_negative("line", &l.id, "price", &[l.price_usd_mwh, l.fee_usd_mwh])?;
            if !(0.0..=0.5).contains(&l.loss) {
                return Err(SystemError::Loss {
                    id: l.id.clone(),
                    value: l.loss,
                });
            }
        }
        for st in &self.storages {
            non_negative("reservoir", &st.id, "inflow", &st.inflow_hm3)?;
            let levels = [st.initial_hm3, st.final_hm3, st.min_hm3, st.max_hm3];
            non_negative("reservoir", &st.id, "storage", &levels)?;
            let ordered = st.min_hm3 <= st.max_hm3
                && st.initial_hm3 <= st.max_hm3 + 1e-9
                && st.final_hm3 <= st.max_hm3 + 1e-9;
            if !ordered {
                return Err(SystemError::Storage(st.id.clone()));
            }
            for (g, k) in &st.plants {
                if *g >= self.generators.len() || !(k.is_finite() && *k >= 0.0) {
                    return Err(SystemError::Storage(st.id.clone()));
                }
            }
        }
        Ok(())
    }
}
