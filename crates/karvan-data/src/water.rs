//! The river-basin format: a TOML manifest and CSV tables (nodes, reaches, inflows by
//! regime, monthly shapes, reservoirs, withdrawals, quotas, requirements, observations),
//! checked like the transport dataset: every problem with file, line and column.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use serde::Deserialize;

use crate::csvtable::{monthly_series, read_tables, MonthValue, Row};
use crate::problem::Problems;
use crate::schema::{between, opt, req, Column, Kind, Table, SOURCE};

/// Kinds of node in a basin.
pub const NODE_KINDS: &[&str] = &[
    "inflow",
    "reservoir",
    "confluence",
    "withdrawal",
    "gauge",
    "terminal",
];

const fn text(name: &'static str, doc: &'static str) -> Column {
    req(name, Kind::Text, "", doc)
}

pub const NODES: Table = Table {
    file: "nodes.csv",
    doc: "Points of the basin, upstream to downstream.",
    columns: &[
        req("id", Kind::Id, "", "Stable identifier."),
        text("name", "Name shown in reports."),
        req(
            "kind",
            Kind::OneOf(NODE_KINDS),
            "",
            "inflow, reservoir, confluence, withdrawal, gauge or terminal.",
        ),
        text("country", "ISO3 code of the country the node is in."),
        req("lat", between(-90.0, 90.0), "°", "Latitude."),
        req("lon", between(-180.0, 180.0), "°", "Longitude."),
        SOURCE,
    ],
};

pub const REACHES: Table = Table {
    file: "reaches.csv",
    doc: "The river between two nodes: every node but the terminal drains through one reach.",
    columns: &[
        req("id", Kind::Id, "", "Stable identifier."),
        text("from", "Upstream node."),
        text("to", "Downstream node."),
        req(
            "loss_fraction",
            between(0.0, 1.0),
            "0–1",
            "Share of the water entering the reach lost on the way.",
        ),
        SOURCE,
    ],
};

pub const INFLOWS: Table = Table {
    file: "inflows.csv",
    doc: "Water entering at a node in a year of each regime (an observed year or `normal`, `dry`, `wet`), spread over the months by a shape.",
    columns: &[
        text("node", "Node the water enters at."),
        text("regime", "A year (`2021`) or a kind of year (`normal`, `dry`, `wet`)."),
        req("annual_hm3", between(0.0, 1e6), "hm³/year", "Volume in the year."),
        text("shape", "Monthly shape (shapes.csv)."),
        SOURCE,
    ],
};

pub const SHAPES: Table = Table {
    file: "shapes.csv",
    doc: "Monthly shares of a year's volume, by named series; each series sums to 1 over months 1–12.",
    columns: &[
        text("series", "Series name."),
        req("month", between(1.0, 12.0), "1–12", "Month."),
        req("share", between(0.0, 1.0), "0–1", "Share of the year's volume in the month."),
        SOURCE,
    ],
};

pub const RESERVOIRS: Table = Table {
    file: "reservoirs.csv",
    doc: "Storage at a node.",
    columns: &[
        text("node", "Reservoir node."),
        req("capacity_hm3", between(0.0, 1e6), "hm³", "Total volume."),
        req(
            "dead_hm3",
            between(0.0, 1e6),
            "hm³",
            "Volume below the lowest outlet (never released).",
        ),
        req(
            "initial_hm3",
            between(0.0, 1e6),
            "hm³",
            "Volume at the start of the simulation.",
        ),
        opt(
            "min_release_m3s",
            between(0.0, 1e5),
            "m³/s",
            "none",
            "Release the operators keep (not yet applied by the allocation).",
        ),
        opt(
            "target_hm3",
            between(0.0, 1e6),
            "hm³",
            "initial_hm3",
            "Storage the operators refill towards when water is left over; above it water is passed on.",
        ),
        opt(
            "status",
            Kind::OneOf(&["existing", "under_construction"]),
            "",
            "existing",
            "A reservoir under construction passes water through unless a run builds it.",
        ),
        SOURCE,
    ],
};

pub const WITHDRAWALS: Table = Table {
    file: "withdrawals.csv",
    doc: "Canals taking water from the river at a node.",
    columns: &[
        text("node", "Intake node."),
        opt(
            "capacity_m3s",
            between(0.0, 1e5),
            "m³/s",
            "no limit",
            "Most the intake can carry.",
        ),
        req(
            "priority",
            between(1.0, 99.0),
            "1–99",
            "Served in order, 1 first; shortages shared in proportion within a priority.",
        ),
        req(
            "annual_demand_hm3",
            between(0.0, 1e6),
            "hm³/year",
            "What it asks for in a full year.",
        ),
        text("shape", "Monthly shape of the demand (shapes.csv)."),
        opt(
            "return_fraction",
            between(0.0, 1.0),
            "0–1",
            "0",
            "Share returning to the river below the node.",
        ),
        SOURCE,
    ],
};

pub const QUOTAS: Table = Table {
    file: "quotas.csv",
    doc: "Caps on what groups of withdrawals take over a season (interstate limits).",
    columns: &[
        req("id", Kind::Id, "", "Stable identifier."),
        text("country", "Country whose limit it is."),
        text("members", "Withdrawal nodes separated by `;`."),
        text(
            "months",
            "Season: `4-10` for April–October, `10-3` wraps past December.",
        ),
        req(
            "cap_hm3",
            between(0.0, 1e6),
            "hm³",
            "What the members may take together in the season.",
        ),
        SOURCE,
    ],
};

pub const REQUIREMENTS: Table = Table {
    file: "requirements.csv",
    doc: "Water that must pass a node (the delta's environmental flow), served by priority like a withdrawal.",
    columns: &[
        text("node", "Node it must reach or pass."),
        req("priority", between(1.0, 99.0), "1–99", "Priority, as for withdrawals."),
        req("annual_hm3", between(0.0, 1e6), "hm³/year", "Volume in a year."),
        text("shape", "Monthly shape (shapes.csv)."),
        SOURCE,
    ],
};

pub const OBSERVATIONS: Table = Table {
    file: "observations.csv",
    doc: "Observed flows to compare the model with.",
    columns: &[
        text("gauge", "Node where the flow was observed."),
        text("regime", "The year or kind of year."),
        text(
            "period",
            "Months, `1-12` for the year or `4-9` for a season.",
        ),
        req(
            "value_hm3",
            between(0.0, 1e6),
            "hm³",
            "Observed volume over the period.",
        ),
        SOURCE,
    ],
};

/// Every table of a basin, in loading order.
pub const TABLES: &[Table] = &[
    NODES,
    REACHES,
    SHAPES,
    INFLOWS,
    RESERVOIRS,
    WITHDRAWALS,
    QUOTAS,
    REQUIREMENTS,
    OBSERVATIONS,
];

/// Tables a basin may leave out.
pub const OPTIONAL: &[&str] = &[
    "reservoirs.csv",
    "withdrawals.csv",
    "quotas.csv",
    "requirements.csv",
    "observations.csv",
];

/// The manifest of a basin.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BasinManifest {
    pub name: String,
    pub version: String,
    pub title: String,
    pub base_year: i32,
    pub licence: String,
    pub attribution: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WaterNode {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub country: String,
    pub lat: f64,
    pub lon: f64,
    pub line: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Reach {
    pub id: String,
    pub from: String,
    pub to: String,
    pub loss_fraction: f64,
    pub line: u64,
}

/// A yearly volume spread over the months by a shape.
#[derive(Debug, Clone, PartialEq)]
pub struct Seasonal {
    pub node: String,
    pub annual_hm3: f64,
    pub shape: String,
    pub line: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Inflow {
    pub regime: String,
    pub volume: Seasonal,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReservoirRow {
    pub node: String,
    pub capacity_hm3: f64,
    pub dead_hm3: f64,
    pub initial_hm3: f64,
    pub target_hm3: f64,
    /// Under construction: built only when a run says so.
    pub planned: bool,
    pub line: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Withdrawal {
    pub demand: Seasonal,
    pub capacity_m3s: Option<f64>,
    pub priority: u32,
    pub return_fraction: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct QuotaRow {
    pub id: String,
    pub country: String,
    pub members: Vec<String>,
    /// Months of the season, 1–12, in order.
    pub months: Vec<usize>,
    pub cap_hm3: f64,
    pub line: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Requirement {
    pub volume: Seasonal,
    pub priority: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WaterObservation {
    pub gauge: String,
    pub regime: String,
    /// Months, 1–12.
    pub months: Vec<usize>,
    pub value_hm3: f64,
    pub source: String,
}

/// A loaded, checked basin.
#[derive(Debug, Clone, PartialEq)]
pub struct Basin {
    pub manifest: BasinManifest,
    pub nodes: Vec<WaterNode>,
    pub reaches: Vec<Reach>,
    pub shapes: BTreeMap<String, [f64; 12]>,
    pub inflows: Vec<Inflow>,
    pub reservoirs: Vec<ReservoirRow>,
    pub withdrawals: Vec<Withdrawal>,
    pub quotas: Vec<QuotaRow>,
    pub requirements: Vec<Requirement>,
    pub observations: Vec<WaterObservation>,
}

/// Months of a season written `4-10` (April–October), `10-3` (October–March) or `7`.
pub fn parse_months(s: &str) -> Option<Vec<usize>> {
    let (a, b) = s.split_once('-').unwrap_or((s, s));
    let (a, b): (usize, usize) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
    if !(1..=12).contains(&a) || !(1..=12).contains(&b) {
        return None;
    }
    let mut out = vec![a];
    let mut m = a;
    while m != b {
        m = m % 12 + 1;
        out.push(m);
    }
    Some(out)
}

fn seasonal(r: &Row, node: &str, volume: &str) -> Seasonal {
    Seasonal {
        node: r.string(node),
        annual_hm3: r.number(volume).unwrap_or(0.0),
        shape: r.string("shape"),
        line: r.line,
    }
}

impl Basin {
    /// Loads a basin folder.
    pub fn load_dir(dir: &Path) -> Result<Basin, Problems> {
        let mut files = HashMap::new();
        for name in std::iter::once("basin.toml").chain(TABLES.iter().map(|t| t.file)) {
            if let Ok(text) = std::fs::read_to_string(dir.join(name)) {
                files.insert(name.to_string(), text);
            }
        }
        Basin::from_files(&dir.display().to_string(), &files)
    }

    /// Parses and checks a basin from its files' texts, reporting every problem at once.
    pub fn from_files(origin: &str, files: &HashMap<String, String>) -> Result<Basin, Problems> {
        let mut p = Problems::default();
        let manifest = match files.get("basin.toml") {
            Some(t) => match toml::from_str::<BasinManifest>(t) {
                Ok(m) => Some(m),
                Err(e) => {
                    p.push("basin.toml", None, None, crate::problem::toml_message(&e));
                    None
                }
            },
            None => {
                p.push(
                    "basin.toml",
                    None,
                    None,
                    format!("file is missing from {origin}"),
                );
                None
            }
        };
        let mut b = Basin {
            manifest: manifest.unwrap_or(BasinManifest {
                name: String::new(),
                version: String::new(),
                title: String::new(),
                base_year: 0,
                licence: String::new(),
                attribution: String::new(),
            }),
            nodes: vec![],
            reaches: vec![],
            shapes: BTreeMap::new(),
            inflows: vec![],
            reservoirs: vec![],
            withdrawals: vec![],
            quotas: vec![],
            requirements: vec![],
            observations: vec![],
        };
        let mut shape_rows: Vec<MonthValue> = vec![];
        read_tables(
            TABLES,
            OPTIONAL,
            files,
            origin,
            &mut p,
            |table, r, p| match table.file {
                "nodes.csv" => b.nodes.push(WaterNode {
                    id: r.string("id"),
                    name: r.string("name"),
                    kind: r.string("kind"),
                    country: r.string("country"),
                    lat: r.number("lat").unwrap_or(0.0),
                    lon: r.number("lon").unwrap_or(0.0),
                    line: r.line,
                }),
                "reaches.csv" => b.reaches.push(Reach {
                    id: r.string("id"),
                    from: r.string("from"),
                    to: r.string("to"),
                    loss_fraction: r.number("loss_fraction").unwrap_or(0.0),
                    line: r.line,
                }),
                "shapes.csv" => shape_rows.push(MonthValue::of(r, "share")),
                "inflows.csv" => b.inflows.push(Inflow {
                    regime: r.string("regime"),
                    volume: seasonal(r, "node", "annual_hm3"),
                }),
                "reservoirs.csv" => b.reservoirs.push(ReservoirRow {
                    node: r.string("node"),
                    capacity_hm3: r.number("capacity_hm3").unwrap_or(0.0),
                    dead_hm3: r.number("dead_hm3").unwrap_or(0.0),
                    initial_hm3: r.number("initial_hm3").unwrap_or(0.0),
                    target_hm3: r
                        .number("target_hm3")
                        .or(r.number("initial_hm3"))
                        .unwrap_or(0.0),
                    planned: r.text("status") == Some("under_construction"),
                    line: r.line,
                }),
                "withdrawals.csv" => b.withdrawals.push(Withdrawal {
                    demand: seasonal(r, "node", "annual_demand_hm3"),
                    capacity_m3s: r.number("capacity_m3s"),
                    priority: r.number("priority").unwrap_or(1.0).round() as u32,
                    return_fraction: r.number("return_fraction").unwrap_or(0.0),
                }),
                "quotas.csv" => {
                    let months = parse_months(&r.string("months")).unwrap_or_else(|| {
                        p.push(
                            table.file,
                            Some(r.line),
                            Some("months"),
                            "write a season as `4-10` (months 1–12)",
                        );
                        vec![]
                    });
                    b.quotas.push(QuotaRow {
                        id: r.string("id"),
                        country: r.string("country"),
                        members: r
                            .string("members")
                            .split(';')
                            .map(|s| s.trim().to_string())
                            .filter(|s| !s.is_empty())
                            .collect(),
                        months,
                        cap_hm3: r.number("cap_hm3").unwrap_or(0.0),
                        line: r.line,
                    })
                }
                "requirements.csv" => b.requirements.push(Requirement {
                    volume: seasonal(r, "node", "annual_hm3"),
                    priority: r.number("priority").unwrap_or(1.0).round() as u32,
                }),
                "observations.csv" => {
                    let months = parse_months(&r.string("period")).unwrap_or_else(|| {
                        p.push(
                            table.file,
                            Some(r.line),
                            Some("period"),
                            "write a period as `1-12` or `4-9`",
                        );
                        vec![]
                    });
                    b.observations.push(WaterObservation {
                        gauge: r.string("gauge"),
                        regime: r.string("regime"),
                        months,
                        value_hm3: r.number("value_hm3").unwrap_or(0.0),
                        source: r.string("source"),
                    })
                }
                _ => {}
            },
        );
        b.shapes = monthly_series("shapes.csv", "share", shape_rows, true, &mut p);
        b.check(&mut p);
        p.into_result(b)
    }

    /// Checks across tables: known nodes and shapes, one reach out of every node but the
    /// terminal, exactly one terminal.
    fn check(&self, p: &mut Problems) {
        let ids: HashSet<&str> = self.nodes.iter().map(|n| n.id.as_str()).collect();
        let known = |p: &mut Problems, file: &str, line: u64, column: &str, id: &str| {
            if !ids.contains(id) {
                p.push(
                    file,
                    Some(line),
                    Some(column),
                    format!("unknown node `{id}` (not in nodes.csv)"),
                );
            }
        };
        let shaped = |p: &mut Problems, file: &str, s: &Seasonal| {
            if !self.shapes.contains_key(&s.shape) {
                p.push(
                    file,
                    Some(s.line),
                    Some("shape"),
                    format!("unknown shape `{}` (not in shapes.csv)", s.shape),
                );
            }
        };
        let terminals: Vec<&WaterNode> =
            self.nodes.iter().filter(|n| n.kind == "terminal").collect();
        if terminals.len() != 1 {
            p.push(
                "nodes.csv",
                None,
                Some("kind"),
                format!(
                    "a basin has exactly one terminal node; found {}",
                    terminals.len()
                ),
            );
        }
        let mut out_of: HashMap<&str, u64> = HashMap::new();
        for r in &self.reaches {
            known(p, "reaches.csv", r.line, "from", &r.from);
            known(p, "reaches.csv", r.line, "to", &r.to);
            if out_of.insert(r.from.as_str(), r.line).is_some() {
                p.push(
                    "reaches.csv",
                    Some(r.line),
                    Some("from"),
                    format!(
                        "a second reach out of `{}`: the river drains one way",
                        r.from
                    ),
                );
            }
        }
        for n in &self.nodes {
            let drains = out_of.contains_key(n.id.as_str());
            if n.kind != "terminal" && !drains {
                p.push(
                    "nodes.csv",
                    Some(n.line),
                    Some("id"),
                    format!("`{}` has no reach downstream", n.id),
                );
            }
            if n.kind == "terminal" && drains {
                p.push(
                    "nodes.csv",
                    Some(n.line),
                    Some("kind"),
                    format!("the terminal `{}` has a reach out of it", n.id),
                );
            }
        }
        for i in &self.inflows {
            known(p, "inflows.csv", i.volume.line, "node", &i.volume.node);
            shaped(p, "inflows.csv", &i.volume);
        }
        for r in &self.reservoirs {
            known(p, "reservoirs.csv", r.line, "node", &r.node);
            if !(r.dead_hm3 <= r.capacity_hm3 && r.initial_hm3 <= r.capacity_hm3) {
                p.push(
                    "reservoirs.csv",
                    Some(r.line),
                    Some("dead_hm3"),
                    "dead and initial storage must not exceed the capacity",
                );
            }
        }
        for w in &self.withdrawals {
            known(p, "withdrawals.csv", w.demand.line, "node", &w.demand.node);
            shaped(p, "withdrawals.csv", &w.demand);
        }
        let takes: HashSet<&str> = self
            .withdrawals
            .iter()
            .map(|w| w.demand.node.as_str())
            .collect();
        for q in &self.quotas {
            for m in &q.members {
                if !takes.contains(m.as_str()) {
                    p.push(
                        "quotas.csv",
                        Some(q.line),
                        Some("members"),
                        format!("`{m}` is not a withdrawal (withdrawals.csv)"),
                    );
                }
            }
        }
        for r in &self.requirements {
            known(p, "requirements.csv", r.volume.line, "node", &r.volume.node);
            shaped(p, "requirements.csv", &r.volume);
        }
    }

    /// The regimes the inflows are given for.
    pub fn regimes(&self) -> Vec<String> {
        let mut v: Vec<String> = self.inflows.iter().map(|i| i.regime.clone()).collect();
        v.sort();
        v.dedup();
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seasons_wrap_past_december() {
        assert_eq!(parse_months("4-10"), Some(vec![4, 5, 6, 7, 8, 9, 10]));
        assert_eq!(parse_months("11-2"), Some(vec![11, 12, 1, 2]));
        assert_eq!(parse_months("7"), Some(vec![7]));
        assert_eq!(parse_months("0-3"), None);
        assert_eq!(parse_months("x"), None);
    }
}
