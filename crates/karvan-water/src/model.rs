//! A basin's facts turned into the allocation's arrays for a sequence of years, and the
//! months solved read back by node, take, country and year.

use std::collections::{BTreeMap, HashMap};

use karvan_data::scenario::WaterSettings;
use karvan_data::water::{parse_months, Basin, QuotaRow};

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
    /// Calendar year of the first simulated year (default: the basin's base year).
    pub start_year: Option<i32>,
    /// A withdrawal's yearly demand from a calendar year on: (node, year, hm³).
    pub phases: Vec<(String, i32, f64)>,
    /// Quotas added, or replacing the basin's of the same id.
    pub quotas: Vec<QuotaRow>,
    /// Reservoir → the storage filled towards, hm³, instead of the basin's target.
    pub targets: BTreeMap<String, f64>,
    /// Withdrawal → its priority (1 first), instead of the basin's.
    pub priorities: BTreeMap<String, u32>,
}

/// Largest yearly volume a scenario may set, hm³ (more than the whole basin carries).
const MAX_HM3: f64 = 1e6;

impl Settings {
    /// The settings of a scenario's `[water]` table, checked: volumes within 0–1,000,000
    /// hm³ and seasons written as months. `file` names the scenario in messages.
    pub fn from_scenario(w: &WaterSettings, file: &str) -> Result<Settings, ModelError> {
        let bad = |what: String| Err(ModelError::Scenario(format!("{file}: [water] {what}")));
        let volume = |v: f64| v.is_finite() && (0.0..=MAX_HM3).contains(&v);
        for (node, v) in &w.demand {
            if !volume(*v) {
                return bad(format!(
                    "demand of `{node}` is {v}; it must be 0–1,000,000 hm³"
                ));
            }
        }
        for (node, v) in &w.targets {
            if !volume(*v) {
                return bad(format!(
                    "target of `{node}` is {v}; it must be 0–1,000,000 hm³"
                ));
            }
        }
        for (node, p) in &w.priorities {
            if !(1..=99).contains(p) {
                return bad(format!("priority of `{node}` is {p}; it must be 1–99"));
            }
        }
        for p in &w.phases {
            if !volume(p.hm3) {
                return bad(format!(
                    "phase of `{}` from {} is {} hm³; it must be 0–1,000,000",
                    p.node, p.from, p.hm3
                ));
            }
        }
        let mut quotas = Vec::new();
        for q in &w.quotas {
            let Some(months) = parse_months(&q.months) else {
                return bad(format!(
                    "quota `{}`: season `{}` is not months like `4-9`",
                    q.id, q.months
                ));
            };
            if !volume(q.cap_hm3) {
                return bad(format!(
                    "quota `{}`: cap {} must be 0–1,000,000 hm³",
                    q.id, q.cap_hm3
                ));
            }
            quotas.push(QuotaRow {
                id: q.id.clone(),
                country: q.country.clone(),
                members: q.members.clone(),
                months,
                cap_hm3: q.cap_hm3,
                line: 0,
            });
        }
        Ok(Settings {
            years: w.years.clone(),
            demand_hm3: w.demand.clone(),
            without_reservoirs: vec![],
            with_reservoirs: w.build_reservoirs.clone(),
            start_year: w.start_year,
            phases: w
                .phases
                .iter()
                .map(|p| (p.node.clone(), p.from, p.hm3))
                .collect(),
            quotas,
            targets: w.targets.clone(),
            priorities: w.priorities.clone(),
        })
    }
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
    #[error("{0}")]
    Scenario(String),
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
    for id in s
        .without_reservoirs
        .iter()
        .chain(&s.with_reservoirs)
        .chain(s.targets.keys())
    {
        if !basin.reservoirs.iter().any(|r| &r.node == id) {
            return Err(ModelError::UnknownReservoir(id.clone()));
        }
    }
    let is_withdrawal = |id: &str| basin.withdrawals.iter().any(|w| w.demand.node == id);
    for id in s
        .demand_hm3
        .keys()
        .chain(s.phases.iter().map(|p| &p.0))
        .chain(s.priorities.keys())
        .chain(s.quotas.iter().flat_map(|q| q.members.iter()))
    {
        if !is_withdrawal(id) {
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
            target_hm3: s
                .targets
                .get(&r.node)
                .copied()
                .unwrap_or(r.target_hm3)
                .min(r.capacity_hm3),
        })
        .collect();
    let mut takes = Vec::new();
    let mut names = Vec::new();
    for w in &basin.withdrawals {
        takes.push(Take {
            node: at(&w.demand.node),
            priority: s
                .priorities
                .get(&w.demand.node)
                .copied()
                .unwrap_or(w.priority),
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
    let mut quota_rows: Vec<&QuotaRow> = basin
        .quotas
        .iter()
        .filter(|q| !s.quotas.iter().any(|o| o.id == q.id))
        .collect();
    quota_rows.extend(&s.quotas);
    let quotas = quota_rows
        .into_iter()
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
    let start = s.start_year.unwrap_or(basin.manifest.base_year);
    for (y, regime) in s.years.iter().enumerate() {
        let calendar = start + y as i32;
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
                // A phase begun by this calendar year wins, then the run's demand, then
                // the basin's.
                let phase = s
                    .phases
                    .iter()
                    .filter(|p| p.0 == w.demand.node && p.1 <= calendar)
                    .max_by_key(|p| p.1)
                    .map(|p| p.2);
                let annual = phase
                    .or_else(|| s.demand_hm3.get(&w.demand.node).copied())
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
