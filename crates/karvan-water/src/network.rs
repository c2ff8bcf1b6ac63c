//! The basin as arrays: nodes draining downstream, reservoirs, takes (withdrawals and
//! requirements) and quotas, checked before anything is solved.

/// A reservoir at a node: what it can hold, what it cannot release, what it starts with.
#[derive(Debug, Clone, PartialEq)]
pub struct Reservoir {
    pub node: usize,
    pub capacity_hm3: f64,
    pub dead_hm3: f64,
    pub initial_hm3: f64,
    /// Storage the operators refill towards when water is left over; above it the
    /// reservoir passes water on rather than hoard it.
    pub target_hm3: f64,
}

/// Water taken at a node for a use: a canal's withdrawal (up to its capacity) or a
/// requirement on what reaches a node (the delta's environmental flow). Served in order of
/// `priority` (1 first); within a priority every take gets the same share of its demand.
#[derive(Debug, Clone, PartialEq)]
pub struct Take {
    pub node: usize,
    pub priority: u32,
    /// Most it can take in a month (a canal's capacity), hm³; `None` for no limit.
    pub capacity_hm3: Option<f64>,
    /// Share of what it takes that returns to the river below the node.
    pub return_fraction: f64,
    /// A requirement is met by water passing the node, not taken out of the river: at a
    /// terminal node, what reaches it.
    pub requirement: bool,
}

/// A cap on what a group of takes may take over a season (an interstate limit).
#[derive(Debug, Clone, PartialEq)]
pub struct Quota {
    pub takes: Vec<usize>,
    /// Months it covers, 0-based (0 = January); a season may wrap past December.
    pub months: Vec<usize>,
    pub cap_hm3: f64,
}

/// A river basin as a tree of nodes draining to a terminal node.
#[derive(Debug, Clone, PartialEq)]
pub struct Network {
    /// Node names, for messages.
    pub names: Vec<String>,
    /// The node downstream of each node and the share of water lost on the way; `None`
    /// for the terminal.
    pub downstream: Vec<Option<(usize, f64)>>,
    pub reservoirs: Vec<Reservoir>,
    pub takes: Vec<Take>,
    pub quotas: Vec<Quota>,
}

/// What makes a network unusable.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum NetworkError {
    #[error("node `{0}` drains into a node that does not exist")]
    UnknownDownstream(String),
    #[error("the river goes round in a circle through `{0}`")]
    Circle(String),
    #[error(
        "{0} nodes have nowhere to drain (the terminals: {1}); a basin has exactly one terminal"
    )]
    Terminals(usize, String),
    #[error("`{0}`: {1}")]
    Bad(String, String),
    #[error("take at `{0}` can receive no water: no inflow is upstream of it")]
    Unreachable(String),
}

impl Network {
    /// Checks the network: one terminal, no circles, losses in 0–1, reservoirs that hold
    /// what they start with, and every take with some inflow upstream of it (a demand no
    /// water can reach is an error, never a silent zero). `inflow_nodes` are the nodes
    /// that receive inflow.
    pub fn check(&self, inflow_nodes: &[usize]) -> Result<(), NetworkError> {
        let n = self.names.len();
        let name = |i: usize| self.names.get(i).cloned().unwrap_or_else(|| i.to_string());
        let terminals: Vec<usize> = (0..n).filter(|&i| self.downstream[i].is_none()).collect();
        if terminals.len() != 1 {
            let names: Vec<String> = terminals.iter().map(|&i| name(i)).collect();
            return Err(NetworkError::Terminals(terminals.len(), names.join(", ")));
        }
        for i in 0..n {
            if let Some((d, loss)) = self.downstream[i] {
                if d >= n {
                    return Err(NetworkError::UnknownDownstream(name(i)));
                }
                if !(0.0..=1.0).contains(&loss) {
                    return Err(NetworkError::Bad(
                        name(i),
                        format!("loss {loss} is not in 0–1"),
                    ));
                }
            }
            // Walking down from any node must reach the terminal within n steps.
            let (mut at, mut steps) = (i, 0);
            while let Some((d, _)) = self.downstream[at] {
                at = d;
                steps += 1;
                if steps > n {
                    return Err(NetworkError::Circle(name(i)));
                }
            }
        }
        for r in &self.reservoirs {
            let ok = 0.0 <= r.dead_hm3
                && r.dead_hm3 <= r.capacity_hm3
                && r.initial_hm3 <= r.capacity_hm3
                && r.initial_hm3 >= 0.0;
            if !ok {
                return Err(NetworkError::Bad(
                    name(r.node),
                    format!(
                        "reservoir needs 0 ≤ dead ({}) ≤ capacity ({}) and 0 ≤ initial ({}) ≤ capacity",
                        r.dead_hm3, r.capacity_hm3, r.initial_hm3
                    ),
                ));
            }
        }
        let fed = |node: usize| {
            inflow_nodes.iter().any(|&s| {
                let mut at = s;
                loop {
                    if at == node {
                        return true;
                    }
                    match self.downstream[at] {
                        Some((d, _)) => at = d,
                        None => return false,
                    }
                }
            })
        };
        for t in &self.takes {
            if !(0.0..=1.0).contains(&t.return_fraction) {
                return Err(NetworkError::Bad(
                    name(t.node),
                    "return fraction is not in 0–1".into(),
                ));
            }
            if !fed(t.node) {
                return Err(NetworkError::Unreachable(name(t.node)));
            }
        }
        Ok(())
    }
}
