//! A basin's facts turned into the allocation's arrays for a sequence of years, and the
//! months solved read back by node, take, country and year.

use std::collections::{BTreeMap, HashMap};

use karvan_data::water::Basin;

use crate::{hm3_per_m3s, simulate, Month, MonthDemand, Network, Quota, Reservoir, Take, MONTHS};

/// What a simulation is asked to do.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Settings {
    /// The regime of each year simulated, in order (`2021`, `normal`, `dry`…).
    pub years: Vec<String>,
    /// Withdrawals whose yearly demand is set here instead of the basin's (a diversion
    /// level for Qosh Tepa), hm³ a year.
    pub demand_hm3: BTreeMap<String, f64>,
    /// Reservoirs not (yet) built: their nodes pass water through.
    pub without_reservoirs: Vec<String>,
    /// Reservoirs under construction that this run builds (Rogun).
    pub with_reservoirs: Vec<String>,
}

/// What can stop a simulation.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ModelError {
    #[error("no inflow is given for regime `{regime}`; regimes: {known}")]
    UnknownRegime { regime: String, known: String },
    #[error("`{0}` is not a withdrawal of the basin")]
    UnknownWithdrawal(String),
    #[error("`{0}` is not a reservoir of the basin")]
    UnknownReservoir(String),
    #[error(transparent)]
    Network(#[from] crate::NetworkError),
    #[error("{0}")]
    Solve(String),
}

/// The arrays of a basin: the network and where each table's rows went.
pub struct Built {
    pub network: Network,
    /// Node index by id.
    pub index: HashMap<String, usize>,
    /// For each take: its node id and whether it is a requirement.
    pub takes: Vec<(String, bool)>,
    pub asks: Vec<MonthDemand>,
}

/// Builds the network and the months asked of it.
pub fn build(basin: &Basin, s: &Settings) -> Result<Built, ModelError> {
    let index: HashMap<String, usize> = basin
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id.clone(), i))
        .collect();
    let at = |id: &str| index.get(id).copied().unwrap_or(0);
    let mut downstream = vec![None; basin.nodes.len()];
    for r in &basin.reaches {
        downstream[at(&r.from)] = Some((at(&r.to), r.loss_fraction));
    }
    for id in s.without_reservoirs.iter().chain(&s.with_reservoirs) {
        if !basin.reservoirs.iter().any(|r| &r.node == id) {
            return Err(ModelError::UnknownReservoir(id.clone()));
        }
    }
    for id in s.demand_hm3.keys() {
        if !basin.withdrawals.iter().any(|w| &w.demand.node == id) {
            return Err(ModelError::UnknownWithdrawal(id.clone()));
        }
    }
    let reservoirs = basin
        .reservoirs
        .iter()
        .filter(|r| !s.without_reservoirs.contains(&r.node))
        .filter(|r| !r.planned || s.with_reservoirs.contains(&r.node))
        .map(|r| Reservoir {
            node: at(&r.node),
            capacity_hm3: r.capacity_hm3,
            dead_hm3: r.dead_hm3,
            initial_hm3: r.initial_hm3,
            target_hm3: r.target_hm3,
        })
        .collect();
    let mut takes = Vec::new();
    let mut names = Vec::new();
    for w in &basin.withdrawals {
        takes.push(Take {
            node: at(&w.demand.node),
            priority: w.priority,
            capacity_hm3: None,
            return_fraction: w.return_fraction,
            requirement: false,
        });
        names.push((w.demand.node.clone(), false));
    }
    for r in &basin.requirements {
        takes.push(Take {
            node: at(&r.volume.node),
            priority: r.priority,
            capacity_hm3: None,
            return_fraction: 0.0,
            requirement: true,
        });
        names.push((r.volume.node.clone(), true));
    }
    let quotas = basin
        .quotas
        .iter()
        .map(|q| Quota {
            takes: q
                .members
                .iter()
                .filter_map(|m| names.iter().position(|(n, req)| n == m && !req))
                .collect(),
            months: q.months.iter().map(|m| m - 1).collect(),
            cap_hm3: q.cap_hm3,
        })
        .collect();
    let network = Network {
        names: basin.nodes.iter().map(|n| n.id.clone()).collect(),
        downstream,
        reservoirs,
        takes,
        quotas,
    };
    let inflow_nodes: Vec<usize> = basin.inflows.iter().map(|i| at(&i.volume.node)).collect();
    network.check(&inflow_nodes)?;
    let asks = asks(basin, s, &index)?;
    Ok(Built {
        network,
        index,
        takes: names,
        asks,
    })
}

fn asks(
    basin: &Basin,
    s: &Settings,
    index: &HashMap<String, usize>,
) -> Result<Vec<MonthDemand>, ModelError> {
    let shape = |name: &str, m: usize| basin.shapes.get(name).map_or(0.0, |sh| sh[m]);
    let mut out = Vec::with_capacity(s.years.len() * MONTHS);
    for regime in &s.years {
        if !basin.inflows.iter().any(|i| &i.regime == regime) {
            return Err(ModelError::UnknownRegime {
                regime: regime.clone(),
                known: basin.regimes().join(", "),
            });
        }
        for m in 0..MONTHS {
            let mut inflow = vec![0.0; basin.nodes.len()];
            for i in basin.inflows.iter().filter(|i| &i.regime == regime) {
                inflow[index[&i.volume.node]] += i.volume.annual_hm3 * shape(&i.volume.shape, m);
            }
            let mut demand = Vec::new();
            for w in &basin.withdrawals {
                let annual = s
                    .demand_hm3
                    .get(&w.demand.node)
                    .copied()
                    .unwrap_or(w.demand.annual_hm3);
                let asked = annual * shape(&w.demand.shape, m);
                let cap = w.capacity_m3s.map_or(f64::INFINITY, |c| c * hm3_per_m3s(m));
                demand.push(asked.min(cap));
            }
            for r in &basin.requirements {
                demand.push(r.volume.annual_hm3 * shape(&r.volume.shape, m));
            }
            out.push(MonthDemand { inflow, demand });
        }
    }
    Ok(out)
}

/// A simulation's months and what they add up to.
pub struct Run {
    pub built: Built,
    pub months: Vec<Month>,
}

/// Builds and solves the years of `s`, from January.
pub fn run(basin: &Basin, s: &Settings) -> Result<Run, ModelError> {
    let built = build(basin, s)?;
    let months = simulate(&built.network, 0, &built.asks).map_err(ModelError::Solve)?;
    Ok(Run { built, months })
}

impl Run {
    /// Volume leaving node `id` (for a gauge: the flow past it) over `months` (1–12) of
    /// year `year` (0-based), hm³.
    pub fn flow(&self, id: &str, year: usize, months: &[usize]) -> Option<f64> {
        let i = *self.built.index.get(id)?;
        Some(
            months
                .iter()
                .filter_map(|m| self.months.get(year * MONTHS + m - 1))
                .map(|mo| mo.outflow[i])
                .sum(),
        )
    }

    /// What each take asked for and got in year `year`: (node id, requirement, asked,
    /// delivered), hm³.
    pub fn takes(&self, year: usize) -> Vec<(String, bool, f64, f64)> {
        let months = &self.months[year * MONTHS..(year + 1) * MONTHS];
        self.built
            .takes
            .iter()
            .enumerate()
            .map(|(k, (id, req))| {
                let asked = months.iter().map(|m| m.demand[k]).sum();
                let got = months.iter().map(|m| m.delivered[k]).sum();
                (id.clone(), *req, asked, got)
            })
            .collect()
    }

    /// Share of months in which take `k` got all it asked for (to 0.1%).
    pub fn reliability(&self, k: usize) -> f64 {
        let full = self
            .months
            .iter()
            .filter(|m| m.delivered[k] >= m.demand[k] * 0.999 - 1e-9)
            .count();
        full as f64 / self.months.len().max(1) as f64
    }
}
