//! A solved year as the figures reports, the API and the web page show, each checked
//! finite, with the base year set against what was observed.

use serde::Serialize;

use karvan_data::power::Grid;

use crate::model::{add, total, Outcome};
use crate::MONTHS;

/// A node's year.
#[derive(Debug, Clone, Serialize)]
pub struct NodeYear {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub country: String,
    pub lat: f64,
    pub lon: f64,
    pub demand_gwh: [f64; MONTHS],
    pub generation_gwh: [f64; MONTHS],
    pub unserved_gwh: [f64; MONTHS],
    /// Nodal price (the dual value of the month's balance), USD/MWh.
    pub price_usd_mwh: [f64; MONTHS],
}

/// A supplier's sales to the importing country's islands.
#[derive(Debug, Clone, Serialize)]
pub struct SupplierYear {
    pub supplier: String,
    pub gwh: [f64; MONTHS],
    pub total_gwh: f64,
}

/// A line's year.
#[derive(Debug, Clone, Serialize)]
pub struct LineYear {
    pub id: String,
    pub from: String,
    pub to: String,
    pub project: Option<String>,
    pub capacity_mw: f64,
    pub flow_gwh: [f64; MONTHS],
    /// Share of the month's capacity used (`None` when it does not run).
    pub loading: [Option<f64>; MONTHS],
    pub price_usd_mwh: f64,
    pub fee_usd_mwh: f64,
    pub fee_country: Option<String>,
    /// Contract payments to the seller (market), million USD.
    pub payments_musd: f64,
    /// Transit fees to the government (levy), million USD.
    pub fees_musd: f64,
    pub congestion_rent_musd: f64,
}

/// A modelled figure against an observation.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub id: String,
    pub quantity: String,
    pub node: String,
    pub observed: f64,
    pub low: f64,
    pub high: f64,
    pub modelled: f64,
    pub inside: bool,
    pub source: String,
}

/// Everything a report shows of one solved year.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub year: i32,
    pub nodes: Vec<NodeYear>,
    pub imports: Vec<SupplierYear>,
    pub imports_gwh: [f64; MONTHS],
    pub domestic_gwh: [f64; MONTHS],
    pub import_share: [f64; MONTHS],
    pub import_share_year: f64,
    pub unserved_islands_gwh: [f64; MONTHS],
    pub lines: Vec<LineYear>,
    /// The islands' yearly bill: imports (contracts and fees), own plants, and shortage
    /// at its penalty, million USD.
    pub importer_imports_musd: f64,
    pub importer_own_generation_musd: f64,
    pub importer_shortage_musd: f64,
    /// Observations of this year, against the model.
    pub checks: Vec<Check>,
    /// Largest energy imbalance at any node and month, GWh (a check on the solve).
    pub largest_imbalance_gwh: f64,
}

/// A summary with a number that is not finite.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("the power summary has a value that is not a finite number ({0})")]
pub struct NotFinite(pub String);

/// Reads a solved year back into a summary.
pub fn summarise(grid: &Grid, out: &Outcome) -> Result<Summary, NotFinite> {
    let d = &out.dispatch;
    let nodes = grid
        .nodes
        .iter()
        .filter_map(|n| {
            let i = out.node(&n.id)?;
            // A node with nothing built at it this year (Kyrgyzstan without CASA-1000)
            // has no price worth showing.
            let present = out.system.nodes[i].demand_gwh.iter().any(|d| *d > 0.0)
                || out.system.generators.iter().any(|g| g.node == i)
                || out.system.lines.iter().any(|l| l.from == i || l.to == i);
            if !present {
                return None;
            }
            let mut generation = [0.0; MONTHS];
            for (g, gen) in out.system.generators.iter().enumerate() {
                if gen.node == i {
                    add(&mut generation, &d.generation[g]);
                }
            }
            Some(NodeYear {
                id: n.id.clone(),
                name: n.name.clone(),
                kind: n.kind.clone(),
                country: n.country.clone(),
                lat: n.lat,
                lon: n.lon,
                demand_gwh: out.system.nodes[i].demand_gwh,
                generation_gwh: generation,
                unserved_gwh: d.unserved[i],
                price_usd_mwh: d.price[i],
            })
        })
        .collect();
    let imports: Vec<SupplierYear> = out
        .imports_by_supplier()
        .into_iter()
        .map(|(supplier, gwh)| SupplierYear {
            supplier,
            total_gwh: total(&gwh),
            gwh,
        })
        .collect();
    let lines = out
        .system
        .lines
        .iter()
        .enumerate()
        .map(|(l, line)| {
            let row = grid.lines.iter().find(|r| r.id == line.id);
            let sent = total(&d.flow[l]);
            LineYear {
                id: line.id.clone(),
                from: out.system.nodes[line.from].id.clone(),
                to: out.system.nodes[line.to].id.clone(),
                project: row.and_then(|r| r.project.clone()),
                capacity_mw: row.map_or(0.0, |r| r.capacity_mw),
                flow_gwh: d.flow[l],
                loading: out.loading(l),
                price_usd_mwh: line.price_usd_mwh,
                fee_usd_mwh: line.fee_usd_mwh,
                fee_country: row.and_then(|r| r.fee_country.clone()),
                payments_musd: line.price_usd_mwh * sent / 1000.0,
                fees_musd: line.fee_usd_mwh * sent / 1000.0,
                congestion_rent_musd: out.congestion_rent(l),
            }
        })
        .collect();
    let (import_share, import_share_year) = out.import_share();
    let mut unserved_islands = [0.0; MONTHS];
    for v in out.unserved_by_island().values() {
        add(&mut unserved_islands, v);
    }
    let cost = out.importer_cost();
    let s = Summary {
        year: out.year,
        checks: checks(grid, out, &imports, import_share_year),
        nodes,
        imports,
        imports_gwh: out.imports(),
        domestic_gwh: out.domestic(),
        import_share,
        import_share_year,
        unserved_islands_gwh: unserved_islands,
        lines,
        importer_imports_musd: cost.imports,
        importer_own_generation_musd: cost.own_generation,
        importer_shortage_musd: cost.shortage,
        largest_imbalance_gwh: d.largest_imbalance(&out.system),
    };
    s.check_finite()?;
    Ok(s)
}

/// The grid's observations of the modelled year, each with the model's figure.
fn checks(grid: &Grid, out: &Outcome, imports: &[SupplierYear], share: f64) -> Vec<Check> {
    let supplier = |id: &str| {
        imports
            .iter()
            .find(|s| s.supplier == id)
            .map_or(0.0, |s| s.total_gwh)
    };
    grid.observations
        .iter()
        .filter(|o| o.year == out.year)
        .filter_map(|o| {
            let modelled = match o.quantity.as_str() {
                "imports_gwh" => o.node.split('+').map(|s| supplier(s.trim())).sum(),
                "imports_total_gwh" => total(&out.imports()),
                "import_share" => share,
                "domestic_gwh" => total(&out.domestic()),
                _ => return None,
            };
            Some(Check {
                id: o.id.clone(),
                quantity: o.quantity.clone(),
                node: o.node.clone(),
                observed: o.value,
                low: o.low,
                high: o.high,
                modelled,
                inside: (o.low..=o.high).contains(&modelled),
                source: o.source.clone(),
            })
        })
        .collect()
}

impl Summary {
    fn check_finite(&self) -> Result<(), NotFinite> {
        let bad = |what: &str| Err(NotFinite(what.to_string()));
        let months = |v: &[f64; MONTHS]| v.iter().all(|x| x.is_finite());
        for n in &self.nodes {
            if ![
                &n.demand_gwh,
                &n.generation_gwh,
                &n.unserved_gwh,
                &n.price_usd_mwh,
            ]
            .iter()
            .all(|v| months(v))
            {
                return bad(&format!("node {}", n.id));
            }
        }
        for l in &self.lines {
            let loads = l.loading.iter().flatten().all(|x| x.is_finite());
            if !(months(&l.flow_gwh) && loads && l.congestion_rent_musd.is_finite()) {
                return bad(&format!("line {}", l.id));
            }
        }
        let totals = [
            self.import_share_year,
            self.importer_imports_musd,
            self.importer_own_generation_musd,
            self.importer_shortage_musd,
        ];
        if !(totals.iter().all(|x| x.is_finite()) && months(&self.import_share)) {
            return bad("totals");
        }
        Ok(())
    }

    /// Sum over `months` (1–12) of a monthly series.
    pub fn over(v: &[f64; MONTHS], months: &[usize]) -> f64 {
        months.iter().filter_map(|m| v.get(m - 1)).sum()
    }
}
