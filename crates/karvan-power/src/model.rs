//! A grid's facts and a scenario's settings turned into a year's [`System`], solved, and
//! read back as the figures an analyst asks for: imports by supplier, the import share
//! of supply, unserved energy by grid island, prices, line loadings, who pays whom.

use std::collections::BTreeMap;

use karvan_data::power::Grid;
use karvan_data::scenario::PowerSettings;
use karvan_data::water::parse_months;

use crate::link::{LinkedStorage, GWH_PER_HM3_M};
use crate::system::{Generator, Line, Node, Storage, System};
use crate::{dispatch, gwh, Dispatch, DispatchError, MONTHS};

/// What a run is asked to do.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Settings {
    /// Calendar year (default: the grid's base year).
    pub year: Option<i32>,
    /// Projects built.
    pub projects: Vec<String>,
    /// Node → factor on its demand.
    pub demand: BTreeMap<String, f64>,
    /// Line → contract price, USD/MWh.
    pub prices: BTreeMap<String, f64>,
    /// Generator or line → (months 1–12, factor on capacity).
    pub changes: Vec<(String, Vec<usize>, f64)>,
    /// Reservoirs whose water comes from the river basin's model: their plants
    /// (hydro.csv) turbine what the dispatch releases, instead of following their
    /// availability series.
    pub storages: Vec<LinkedStorage>,
    /// Generators added for this run (a deal's extra supply).
    pub extra_generators: Vec<Generator>,
}

/// Largest factor a scenario may set on a demand or capacity.
const MAX_FACTOR: f64 = 10.0;
/// Largest contract price a scenario may set, USD/MWh.
const MAX_PRICE: f64 = 10_000.0;

impl Settings {
    /// The settings of a scenario's `[power]` table, checked: factors 0–10, prices
    /// 0–10,000 USD/MWh, seasons written as months. `file` names the scenario in messages.
    pub fn from_scenario(p: &PowerSettings, file: &str) -> Result<Settings, ModelError> {
        let bad = |what: String| Err(ModelError::Scenario(format!("{file}: [power] {what}")));
        let factor = |v: f64| v.is_finite() && (0.0..=MAX_FACTOR).contains(&v);
        for (node, f) in &p.demand {
            if !factor(*f) {
                return bad(format!("demand factor of `{node}` is {f}; it must be 0–10"));
            }
        }
        for (line, price) in &p.prices {
            if !(price.is_finite() && (0.0..=MAX_PRICE).contains(price)) {
                return bad(format!(
                    "price of `{line}` is {price}; it must be 0–10,000 USD/MWh"
                ));
            }
        }
        let mut changes = Vec::new();
        for c in &p.changes {
            if !factor(c.factor) {
                return bad(format!(
                    "change of `{}`: factor {} must be 0–10",
                    c.id, c.factor
                ));
            }
            let months = match &c.months {
                None => (1..=12).collect(),
                Some(s) => match parse_months(s) {
                    Some(m) => m,
                    None => {
                        return bad(format!(
                            "change of `{}`: months `{s}` are not months like `12-2`",
                            c.id
                        ))
                    }
                },
            };
            changes.push((c.id.clone(), months, c.factor));
        }
        Ok(Settings {
            year: p.year,
            projects: p.projects.clone(),
            demand: p.demand.clone(),
            prices: p.prices.clone(),
            changes,
            storages: vec![],
            extra_generators: vec![],
        })
    }
}

/// What can stop a power run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ModelError {
    #[error("`{0}` is not a project of the grid (projects.csv)")]
    UnknownProject(String),
    #[error("project `{project}` opens in {opens}, after the year modelled ({year})")]
    NotYetOpen {
        project: String,
        opens: i32,
        year: i32,
    },
    #[error("`{0}` is not a generator or line of the grid")]
    UnknownId(String),
    #[error("`{0}` is not a node of the grid")]
    UnknownNode(String),
    #[error("`{0}` is not a line of the grid")]
    UnknownLine(String),
    #[error("{0}")]
    Scenario(String),
    #[error(transparent)]
    Dispatch(#[from] DispatchError),
}

/// Builds the year's system: what exists and the projects built, with the run's changes.
pub fn build(grid: &Grid, s: &Settings) -> Result<System, ModelError> {
    let year = s.year.unwrap_or(grid.manifest.base_year);
    for id in &s.projects {
        let p = grid
            .projects
            .iter()
            .find(|p| &p.id == id)
            .ok_or_else(|| ModelError::UnknownProject(id.clone()))?;
        if p.opens > year {
            return Err(ModelError::NotYetOpen {
                project: id.clone(),
                opens: p.opens,
                year,
            });
        }
    }
    let built = |project: &Option<String>| project.as_ref().is_none_or(|p| s.projects.contains(p));
    check_ids(grid, s)?;
    let index = |id: &str| grid.nodes.iter().position(|n| n.id == id);
    let factor = |id: &str, m: usize| -> f64 {
        s.changes
            .iter()
            .filter(|(c, months, _)| c == id && months.contains(&(m + 1)))
            .map(|(_, _, f)| f)
            .product()
    };
    let nodes = grid
        .nodes
        .iter()
        .map(|n| {
            let scale = s.demand.get(&n.id).copied().unwrap_or(1.0);
            let mut demand_gwh = [0.0; MONTHS];
            for d in grid.demand.iter().filter(|d| d.node == n.id) {
                let shape = grid.shapes.get(&d.shape).copied().unwrap_or([0.0; MONTHS]);
                for m in 0..MONTHS {
                    demand_gwh[m] += d.annual_gwh * shape[m] * scale;
                }
            }
            Node {
                id: n.id.clone(),
                demand_gwh,
                unserved_usd_mwh: grid.unserved_penalty(&n.id),
            }
        })
        .collect();
    let mut generators: Vec<Generator> = grid
        .generators
        .iter()
        .filter(|g| built(&g.project))
        .map(|g| {
            let availability = g
                .availability
                .as_ref()
                .and_then(|a| grid.availability.get(a))
                .copied()
                .unwrap_or([1.0; MONTHS]);
            let linked = s.storages.iter().any(|st| {
                grid.hydro
                    .iter()
                    .any(|h| h.generator == g.id && h.reservoir == st.reservoir)
            });
            Generator {
                id: g.id.clone(),
                node: index(&g.node).unwrap_or(0),
                available_gwh: std::array::from_fn(|m| {
                    let most = gwh(g.capacity_mw, m);
                    let energy = if linked { most } else { most * availability[m] };
                    energy * factor(&g.id, m)
                }),
                cost_usd_mwh: g.cost_usd_mwh,
                annual_gwh: g.annual_gwh,
            }
        })
        .collect();
    generators.extend(s.extra_generators.iter().cloned());
    let lines = grid
        .lines
        .iter()
        .filter(|l| built(&l.project))
        .map(|l| Line {
            id: l.id.clone(),
            from: index(&l.from).unwrap_or(0),
            to: index(&l.to).unwrap_or(0),
            capacity_gwh: std::array::from_fn(|m| {
                if l.months.contains(&(m + 1)) {
                    gwh(l.capacity_mw, m) * factor(&l.id, m)
                } else {
                    0.0
                }
            }),
            minimum_gwh: std::array::from_fn(|m| {
                if l.months.contains(&(m + 1)) {
                    (gwh(l.min_mw, m) * factor(&l.id, m))
                        .min(gwh(l.capacity_mw, m) * factor(&l.id, m))
                } else {
                    0.0
                }
            }),
            loss: l.loss_fraction,
            price_usd_mwh: s.prices.get(&l.id).copied().unwrap_or(l.price_usd_mwh),
            fee_usd_mwh: l.fee_usd_mwh,
        })
        .collect();
    let storages = s
        .storages
        .iter()
        .map(|st| Storage {
            id: st.reservoir.clone(),
            inflow_hm3: st.inflow_hm3,
            initial_hm3: st.initial_hm3,
            final_hm3: st.final_hm3,
            min_hm3: st.min_hm3,
            max_hm3: st.max_hm3,
            plants: grid
                .hydro
                .iter()
                .filter(|h| h.reservoir == st.reservoir)
                .filter_map(|h| {
                    let g = generators.iter().position(|g| g.id == h.generator)?;
                    Some((g, h.head_m * h.efficiency * GWH_PER_HM3_M))
                })
                .collect(),
        })
        .collect();
    Ok(System {
        nodes,
        generators,
        lines,
        storages,
    })
}

/// Every id a run names must be in the grid.
fn check_ids(grid: &Grid, s: &Settings) -> Result<(), ModelError> {
    for node in s.demand.keys() {
        if !grid.nodes.iter().any(|n| &n.id == node) {
            return Err(ModelError::UnknownNode(node.clone()));
        }
    }
    for line in s.prices.keys() {
        if !grid.lines.iter().any(|l| &l.id == line) {
            return Err(ModelError::UnknownLine(line.clone()));
        }
    }
    for id in s.changes.iter().map(|c| &c.0) {
        let known =
            grid.generators.iter().any(|g| &g.id == id) || grid.lines.iter().any(|l| &l.id == id);
        if !known {
            return Err(ModelError::UnknownId(id.clone()));
        }
    }
    Ok(())
}

/// A solved year.
pub struct Outcome {
    pub year: i32,
    pub system: System,
    pub dispatch: Dispatch,
    /// Node id → (kind, country).
    kinds: BTreeMap<String, (String, String)>,
}

/// Builds and solves the year of `s`.
pub fn run(grid: &Grid, s: &Settings) -> Result<Outcome, ModelError> {
    let system = build(grid, s)?;
    let dispatch = dispatch(&system)?;
    Ok(Outcome {
        year: s.year.unwrap_or(grid.manifest.base_year),
        system,
        dispatch,
        kinds: grid
            .nodes
            .iter()
            .map(|n| (n.id.clone(), (n.kind.clone(), n.country.clone())))
            .collect(),
    })
}

/// Monthly values and their sum.
pub fn total(v: &[f64; MONTHS]) -> f64 {
    v.iter().sum()
}

/// Adds a monthly series into another.
pub fn add(into: &mut [f64; MONTHS], v: &[f64; MONTHS]) {
    for m in 0..MONTHS {
        into[m] += v[m];
    }
}

impl Outcome {
    fn kind(&self, node: usize) -> &str {
        self.kinds
            .get(&self.system.nodes[node].id)
            .map_or("", |k| k.0.as_str())
    }

    /// Ids of the importing country's grid islands, in the grid's order.
    pub fn islands(&self) -> Vec<String> {
        (0..self.system.nodes.len())
            .filter(|&i| self.kind(i) == "island")
            .map(|i| self.system.nodes[i].id.clone())
            .collect()
    }

    fn is_import(&self, l: &Line) -> bool {
        self.kind(l.from) == "supplier" && self.kind(l.to) == "island"
    }

    /// Energy each supplier sends to the islands, GWh by month, by supplier node.
    pub fn imports_by_supplier(&self) -> BTreeMap<String, [f64; MONTHS]> {
        let mut out: BTreeMap<String, [f64; MONTHS]> = BTreeMap::new();
        for (l, line) in self.system.lines.iter().enumerate() {
            if self.is_import(line) {
                let supplier = self.system.nodes[line.from].id.clone();
                add(
                    out.entry(supplier).or_insert([0.0; MONTHS]),
                    &self.dispatch.flow[l],
                );
            }
        }
        out
    }

    /// Energy sent into the islands from all suppliers, GWh by month.
    pub fn imports(&self) -> [f64; MONTHS] {
        let mut out = [0.0; MONTHS];
        for v in self.imports_by_supplier().values() {
            add(&mut out, v);
        }
        out
    }

    /// Energy the islands' own plants make, GWh by month.
    pub fn domestic(&self) -> [f64; MONTHS] {
        let mut out = [0.0; MONTHS];
        for (g, gen) in self.system.generators.iter().enumerate() {
            if self.kind(gen.node) == "island" {
                add(&mut out, &self.dispatch.generation[g]);
            }
        }
        out
    }

    /// Share of the islands' supply (imports and own generation) that is imported, by
    /// month, and over the year (last).
    pub fn import_share(&self) -> ([f64; MONTHS], f64) {
        let (i, d) = (self.imports(), self.domestic());
        let share = |i: f64, d: f64| if i + d > 0.0 { i / (i + d) } else { 0.0 };
        (
            std::array::from_fn(|m| share(i[m], d[m])),
            share(total(&i), total(&d)),
        )
    }

    /// Demand left unserved at each island, GWh by month.
    pub fn unserved_by_island(&self) -> BTreeMap<String, [f64; MONTHS]> {
        (0..self.system.nodes.len())
            .filter(|&i| self.kind(i) == "island")
            .map(|i| (self.system.nodes[i].id.clone(), self.dispatch.unserved[i]))
            .collect()
    }

    /// Share of each month's capacity a line used (`None` in months it does not run).
    pub fn loading(&self, l: usize) -> [Option<f64>; MONTHS] {
        std::array::from_fn(|m| {
            let cap = self.system.lines[l].capacity_gwh[m];
            (cap > 1e-9).then(|| self.dispatch.flow[l][m] / cap)
        })
    }

    /// Contract payments over the year by seller node: price × energy sent on the lines
    /// out of it, million USD (market payments, apart from fees).
    pub fn payments_by_seller(&self) -> BTreeMap<String, f64> {
        let mut out = BTreeMap::new();
        for (l, line) in self.system.lines.iter().enumerate() {
            if line.price_usd_mwh > 0.0 {
                let paid = line.price_usd_mwh * total(&self.dispatch.flow[l]) / 1000.0;
                *out.entry(self.system.nodes[line.from].id.clone())
                    .or_insert(0.0) += paid;
            }
        }
        out
    }

    /// Transit fees over the year by line: fee × energy sent, million USD (levies).
    pub fn fees_by_line(&self) -> BTreeMap<String, f64> {
        self.system
            .lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.fee_usd_mwh > 0.0)
            .map(|(i, l)| {
                (
                    l.id.clone(),
                    l.fee_usd_mwh * total(&self.dispatch.flow[i]) / 1000.0,
                )
            })
            .collect()
    }

    /// Congestion rent over the year of line `l`, million USD.
    pub fn congestion_rent(&self, l: usize) -> f64 {
        (0..MONTHS)
            .map(|m| self.dispatch.congestion_rent_kusd(&self.system, l, m))
            .sum::<f64>()
            / 1000.0
    }

    /// Index of the node with id `id`.
    pub fn node(&self, id: &str) -> Option<usize> {
        self.system.nodes.iter().position(|n| n.id == id)
    }

    /// What the islands pay over the year: contracts and fees on the lines into them,
    /// their own plants' costs, and the unserved energy valued at its penalty, million USD.
    pub fn importer_cost(&self) -> ImporterCost {
        let d = &self.dispatch;
        let mut c = ImporterCost::default();
        for (l, line) in self.system.lines.iter().enumerate() {
            if self.kind(line.to) == "island" && self.kind(line.from) != "island" {
                c.imports += line.cost_usd_mwh() * total(&d.flow[l]) / 1000.0;
            }
        }
        for (g, gen) in self.system.generators.iter().enumerate() {
            if self.kind(gen.node) == "island" {
                c.own_generation += gen.cost_usd_mwh * total(&d.generation[g]) / 1000.0;
            }
        }
        for (i, node) in self.system.nodes.iter().enumerate() {
            if self.kind(i) == "island" {
                c.shortage += node.unserved_usd_mwh * total(&d.unserved[i]) / 1000.0;
            }
        }
        c
    }
}

/// The importing country's yearly power bill, million USD.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ImporterCost {
    pub imports: f64,
    pub own_generation: f64,
    /// Unserved energy at its penalty (the value of lost load).
    pub shortage: f64,
}

impl ImporterCost {
    pub fn total(&self) -> f64 {
        self.imports + self.own_generation + self.shortage
    }
}
