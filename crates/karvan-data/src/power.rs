//! The power-grid format: a TOML manifest and CSV tables (nodes, demand, monthly shapes
//! and availability, generators, lines, projects, hydro links to a river basin,
//! observations and bargaining parameters), checked like the other datasets: every
//! problem with file, line and column.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use serde::Deserialize;

use crate::csvtable::{monthly_series, read_tables, MonthValue, Row};
use crate::problem::Problems;
use crate::schema::{above_zero, between, opt, req, Column, Kind, Table, SOURCE};
use crate::water::parse_months;

/// Kinds of node in a grid.
pub const NODE_KINDS: &[&str] = &["supplier", "island", "market"];
/// Fuels of a generator; `import` is a neighbour's offer of power for export.
pub const FUELS: &[&str] = &[
    "hydro", "gas", "coal", "diesel", "oil", "solar", "wind", "import",
];
/// What an observation measures.
pub const QUANTITIES: &[&str] = &[
    "imports_gwh",
    "imports_total_gwh",
    "import_share",
    "domestic_gwh",
];

const fn text(name: &'static str, doc: &'static str) -> Column {
    req(name, Kind::Text, "", doc)
}

const fn maybe(name: &'static str, doc: &'static str) -> Column {
    opt(name, Kind::Text, "", "none", doc)
}

pub const NODES: Table = Table {
    file: "nodes.csv",
    doc: "Places power is made, bought or used: supplier countries, grid islands, markets beyond.",
    columns: &[
        req("id", Kind::Id, "", "Stable identifier."),
        text("name", "Name shown in reports."),
        text("country", "ISO3 code of the country."),
        req(
            "kind",
            Kind::OneOf(NODE_KINDS),
            "",
            "supplier (a neighbour selling power), island (a grid of the importing country not synchronised with the others) or market (a buyer beyond).",
        ),
        req("lat", between(-90.0, 90.0), "°", "Latitude."),
        req("lon", between(-180.0, 180.0), "°", "Longitude."),
        opt(
            "unserved_usd_mwh",
            between(0.0, 1e5),
            "USD/MWh",
            "grid.toml's",
            "Penalty for demand left unserved here; higher is served first.",
        ),
        SOURCE,
    ],
};

pub const DEMAND: Table = Table {
    file: "demand.csv",
    doc: "Energy asked for at a node in the base year, spread over the months by a shape.",
    columns: &[
        text("node", "Node."),
        req(
            "annual_gwh",
            between(0.0, 1e6),
            "GWh/year",
            "Energy in the year.",
        ),
        text("shape", "Monthly shape (shapes.csv)."),
        SOURCE,
    ],
};

pub const SHAPES: Table = Table {
    file: "shapes.csv",
    doc: "Monthly shares of a year's demand, by named series; each sums to 1 over months 1–12.",
    columns: &[
        text("series", "Series name."),
        req("month", between(1.0, 12.0), "1–12", "Month."),
        req(
            "share",
            between(0.0, 1.0),
            "0–1",
            "Share of the year in the month.",
        ),
        SOURCE,
    ],
};

pub const AVAILABILITY: Table = Table {
    file: "availability.csv",
    doc: "Monthly shares of a generator's capacity it can run at, by named series.",
    columns: &[
        text("series", "Series name."),
        req("month", between(1.0, 12.0), "1–12", "Month."),
        req(
            "factor",
            between(0.0, 1.0),
            "0–1",
            "Available share of capacity.",
        ),
        SOURCE,
    ],
};

pub const GENERATORS: Table = Table {
    file: "generators.csv",
    doc: "Plants, and neighbours' offers of power for export (fuel `import`).",
    columns: &[
        req("id", Kind::Id, "", "Stable identifier."),
        text("node", "Node it feeds."),
        req(
            "fuel",
            Kind::OneOf(FUELS),
            "",
            "hydro, gas, coal, diesel, oil, solar, wind or import.",
        ),
        req("capacity_mw", between(0.0, 1e6), "MW", "Capacity."),
        opt(
            "availability",
            Kind::Text,
            "",
            "always",
            "Monthly availability series (availability.csv).",
        ),
        req(
            "cost_usd_mwh",
            between(0.0, 1e5),
            "USD/MWh",
            "Marginal cost of a MWh (for an offer: the seller's own cost).",
        ),
        opt(
            "annual_gwh",
            between(0.0, 1e6),
            "GWh/year",
            "no limit",
            "Most it gives in a year (a contract's volume).",
        ),
        maybe(
            "project",
            "Project that brings it (projects.csv); empty: it exists.",
        ),
        SOURCE,
    ],
};

pub const LINES: Table = Table {
    file: "lines.csv",
    doc: "Interconnectors and links between nodes, one row per direction power flows.",
    columns: &[
        req("id", Kind::Id, "", "Stable identifier."),
        text("from", "Sending node."),
        text("to", "Receiving node."),
        req("capacity_mw", between(0.0, 1e6), "MW", "Most it carries."),
        req(
            "loss_fraction",
            between(0.0, 0.5),
            "0–0.5",
            "Share of what is sent lost on the way.",
        ),
        opt(
            "min_mw",
            between(0.0, 1e6),
            "MW",
            "0",
            "Least it sends while it runs (a contract's floor), if the seller has it.",
        ),
        opt(
            "months",
            Kind::Text,
            "",
            "1-12",
            "Months it runs: `5-9`, `10-4` wraps past December.",
        ),
        opt(
            "price_usd_mwh",
            between(0.0, 1e5),
            "USD/MWh",
            "0",
            "Contract price the buyer pays the seller for a MWh sent (a market price).",
        ),
        opt(
            "fee_usd_mwh",
            between(0.0, 1e5),
            "USD/MWh",
            "0",
            "Transit fee a government levies on a MWh sent (a policy lever).",
        ),
        maybe("fee_country", "Country that levies the fee."),
        maybe(
            "project",
            "Project that brings it (projects.csv); empty: it exists.",
        ),
        SOURCE,
    ],
};

pub const PROJECTS: Table = Table {
    file: "projects.csv",
    doc: "New lines and supplies, switched on by a scenario.",
    columns: &[
        req("id", Kind::Id, "", "Stable identifier."),
        text("name", "Name shown in reports."),
        req("opens", Kind::Year, "year", "First year it runs."),
        text("description", "What it is."),
        SOURCE,
    ],
};

pub const HYDRO: Table = Table {
    file: "hydro.csv",
    doc: "Hydro plants whose output a run may take from a river basin's reservoir releases.",
    columns: &[
        text("generator", "Generator (generators.csv)."),
        text(
            "reservoir",
            "Reservoir node of the basin whose release it turbines.",
        ),
        req("head_m", above_zero(2_000.0), "m", "Mean head."),
        req(
            "efficiency",
            between(0.0, 1.0),
            "0–1",
            "Turbine and generator efficiency.",
        ),
        SOURCE,
    ],
};

pub const OBSERVATIONS: Table = Table {
    file: "observations.csv",
    doc: "Observed trade and supply to compare the base year with.",
    columns: &[
        req("id", Kind::Id, "", "Stable identifier."),
        req(
            "quantity",
            Kind::OneOf(QUANTITIES),
            "",
            "imports_gwh (from a supplier), imports_total_gwh, import_share or domestic_gwh.",
        ),
        text(
            "node",
            "Supplier node, several joined by `+`, or the importing country's ISO2 code (`af`).",
        ),
        req("year", Kind::Year, "year", "Year observed."),
        req("value", between(0.0, 1e6), "", "Central value."),
        req(
            "low",
            between(0.0, 1e6),
            "",
            "Lowest value the sources support.",
        ),
        req(
            "high",
            between(0.0, 1e6),
            "",
            "Highest value the sources support.",
        ),
        SOURCE,
    ],
};

pub const BARGAINING: Table = Table {
    file: "bargaining.csv",
    doc: "Parameters of the water-for-power bargaining view.",
    columns: &[
        text("parameter", "Name."),
        req("value", between(-1e9, 1e9), "", "Value."),
        text("unit", "Unit."),
        SOURCE,
    ],
};

/// Every table of a grid, in loading order.
pub const TABLES: &[Table] = &[
    NODES,
    SHAPES,
    AVAILABILITY,
    DEMAND,
    GENERATORS,
    LINES,
    PROJECTS,
    HYDRO,
    OBSERVATIONS,
    BARGAINING,
];

/// Tables a grid may leave out.
pub const OPTIONAL: &[&str] = &[
    "availability.csv",
    "projects.csv",
    "hydro.csv",
    "observations.csv",
    "bargaining.csv",
];

/// The manifest of a grid.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GridManifest {
    pub name: String,
    pub version: String,
    pub title: String,
    pub base_year: i32,
    pub licence: String,
    pub attribution: String,
    /// Penalty for unserved energy where a node sets none, USD/MWh.
    pub unserved_usd_mwh: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PowerNode {
    pub id: String,
    pub name: String,
    pub country: String,
    pub kind: String,
    pub lat: f64,
    pub lon: f64,
    pub unserved_usd_mwh: Option<f64>,
    pub line: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Load {
    pub node: String,
    pub annual_gwh: f64,
    pub shape: String,
    pub line: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Generator {
    pub id: String,
    pub node: String,
    pub fuel: String,
    pub capacity_mw: f64,
    pub availability: Option<String>,
    pub cost_usd_mwh: f64,
    pub annual_gwh: Option<f64>,
    pub project: Option<String>,
    pub line: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PowerLine {
    pub id: String,
    pub from: String,
    pub to: String,
    pub capacity_mw: f64,
    pub min_mw: f64,
    pub loss_fraction: f64,
    /// Months it runs, 1–12.
    pub months: Vec<usize>,
    pub price_usd_mwh: f64,
    pub fee_usd_mwh: f64,
    pub fee_country: Option<String>,
    pub project: Option<String>,
    pub line: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PowerProject {
    pub id: String,
    pub name: String,
    pub opens: i32,
    pub description: String,
    pub line: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HydroLink {
    pub generator: String,
    pub reservoir: String,
    pub head_m: f64,
    pub efficiency: f64,
    pub line: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PowerObservation {
    pub id: String,
    pub quantity: String,
    pub node: String,
    pub year: i32,
    pub value: f64,
    pub low: f64,
    pub high: f64,
    pub source: String,
}

/// A loaded, checked grid.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    pub manifest: GridManifest,
    pub nodes: Vec<PowerNode>,
    pub demand: Vec<Load>,
    pub shapes: BTreeMap<String, [f64; 12]>,
    pub availability: BTreeMap<String, [f64; 12]>,
    pub generators: Vec<Generator>,
    pub lines: Vec<PowerLine>,
    pub projects: Vec<PowerProject>,
    pub hydro: Vec<HydroLink>,
    pub observations: Vec<PowerObservation>,
    /// Bargaining parameter → (value, source).
    pub bargaining: BTreeMap<String, (f64, String)>,
}

fn optional_text(r: &Row, name: &str) -> Option<String> {
    r.text(name)
        .filter(|s| !s.is_empty())
        .map(|s| s.to_string())
}

impl Grid {
    /// Loads a grid folder.
    pub fn load_dir(dir: &Path) -> Result<Grid, Problems> {
        let mut files = HashMap::new();
        for name in std::iter::once("grid.toml").chain(TABLES.iter().map(|t| t.file)) {
            if let Ok(text) = std::fs::read_to_string(dir.join(name)) {
                files.insert(name.to_string(), text);
            }
        }
        Grid::from_files(&dir.display().to_string(), &files)
    }

    /// Parses and checks a grid from its files' texts, reporting every problem at once.
    pub fn from_files(origin: &str, files: &HashMap<String, String>) -> Result<Grid, Problems> {
        let mut p = Problems::default();
        let manifest = read_manifest(origin, files, &mut p);
        let mut g = Grid {
            manifest,
            nodes: vec![],
            demand: vec![],
            shapes: BTreeMap::new(),
            availability: BTreeMap::new(),
            generators: vec![],
            lines: vec![],
            projects: vec![],
            hydro: vec![],
            observations: vec![],
            bargaining: BTreeMap::new(),
        };
        let mut shape_rows: Vec<MonthValue> = vec![];
        let mut availability_rows: Vec<MonthValue> = vec![];
        read_tables(
            TABLES,
            OPTIONAL,
            files,
            origin,
            &mut p,
            |table, r, p| match table.file {
                "nodes.csv" => g.nodes.push(PowerNode {
                    id: r.string("id"),
                    name: r.string("name"),
                    country: r.string("country"),
                    kind: r.string("kind"),
                    lat: r.number("lat").unwrap_or(0.0),
                    lon: r.number("lon").unwrap_or(0.0),
                    unserved_usd_mwh: r.number("unserved_usd_mwh"),
                    line: r.line,
                }),
                "shapes.csv" => shape_rows.push(MonthValue::of(r, "share")),
                "availability.csv" => availability_rows.push(MonthValue::of(r, "factor")),
                "demand.csv" => g.demand.push(Load {
                    node: r.string("node"),
                    annual_gwh: r.number("annual_gwh").unwrap_or(0.0),
                    shape: r.string("shape"),
                    line: r.line,
                }),
                "generators.csv" => g.generators.push(Generator {
                    id: r.string("id"),
                    node: r.string("node"),
                    fuel: r.string("fuel"),
                    capacity_mw: r.number("capacity_mw").unwrap_or(0.0),
                    availability: optional_text(r, "availability"),
                    cost_usd_mwh: r.number("cost_usd_mwh").unwrap_or(0.0),
                    annual_gwh: r.number("annual_gwh"),
                    project: optional_text(r, "project"),
                    line: r.line,
                }),
                "lines.csv" => {
                    let months = optional_text(r, "months")
                        .map_or_else(|| Some((1..=12).collect()), |s| parse_months(&s));
                    let months = months.unwrap_or_else(|| {
                        p.push(
                            table.file,
                            Some(r.line),
                            Some("months"),
                            "write the months a line runs as `5-9` (months 1–12)",
                        );
                        vec![]
                    });
                    g.lines.push(PowerLine {
                        id: r.string("id"),
                        from: r.string("from"),
                        to: r.string("to"),
                        capacity_mw: r.number("capacity_mw").unwrap_or(0.0),
                        min_mw: r.number("min_mw").unwrap_or(0.0),
                        loss_fraction: r.number("loss_fraction").unwrap_or(0.0),
                        months,
                        price_usd_mwh: r.number("price_usd_mwh").unwrap_or(0.0),
                        fee_usd_mwh: r.number("fee_usd_mwh").unwrap_or(0.0),
                        fee_country: optional_text(r, "fee_country"),
                        project: optional_text(r, "project"),
                        line: r.line,
                    })
                }
                "projects.csv" => g.projects.push(PowerProject {
                    id: r.string("id"),
                    name: r.string("name"),
                    opens: r.year("opens").unwrap_or(0),
                    description: r.string("description"),
                    line: r.line,
                }),
                "hydro.csv" => g.hydro.push(HydroLink {
                    generator: r.string("generator"),
                    reservoir: r.string("reservoir"),
                    head_m: r.number("head_m").unwrap_or(0.0),
                    efficiency: r.number("efficiency").unwrap_or(0.0),
                    line: r.line,
                }),
                "observations.csv" => g.observations.push(PowerObservation {
                    id: r.string("id"),
                    quantity: r.string("quantity"),
                    node: r.string("node"),
                    year: r.year("year").unwrap_or(0),
                    value: r.number("value").unwrap_or(0.0),
                    low: r.number("low").unwrap_or(0.0),
                    high: r.number("high").unwrap_or(0.0),
                    source: r.string("source"),
                }),
                "bargaining.csv" => {
                    let name = r.string("parameter");
                    let value = r.number("value").unwrap_or(0.0);
                    if g.bargaining
                        .insert(name.clone(), (value, r.string("source")))
                        .is_some()
                    {
                        p.push(
                            table.file,
                            Some(r.line),
                            Some("parameter"),
                            format!("`{name}` is given twice"),
                        );
                    }
                }
                _ => {}
            },
        );
        g.shapes = monthly_series("shapes.csv", "share", shape_rows, true, &mut p);
        g.availability = monthly_series(
            "availability.csv",
            "factor",
            availability_rows,
            false,
            &mut p,
        );
        g.check(&mut p);
        p.into_result(g)
    }

    /// Checks across tables: unique ids, known nodes, series and projects.
    fn check(&self, p: &mut Problems) {
        let nodes: HashSet<&str> = self.nodes.iter().map(|n| n.id.as_str()).collect();
        let projects: HashSet<&str> = self.projects.iter().map(|x| x.id.as_str()).collect();
        unique(
            p,
            "nodes.csv",
            self.nodes.iter().map(|n| (n.id.as_str(), n.line)),
        );
        unique(
            p,
            "generators.csv",
            self.generators.iter().map(|g| (g.id.as_str(), g.line)),
        );
        unique(
            p,
            "lines.csv",
            self.lines.iter().map(|l| (l.id.as_str(), l.line)),
        );
        unique(
            p,
            "projects.csv",
            self.projects.iter().map(|x| (x.id.as_str(), x.line)),
        );
        let node = |p: &mut Problems, file: &str, line: u64, column: &str, id: &str| {
            if !nodes.contains(id) {
                p.push(
                    file,
                    Some(line),
                    Some(column),
                    format!("unknown node `{id}` (not in nodes.csv)"),
                );
            }
        };
        let project = |p: &mut Problems, file: &str, line: u64, id: &Option<String>| {
            if let Some(id) = id {
                if !projects.contains(id.as_str()) {
                    p.push(
                        file,
                        Some(line),
                        Some("project"),
                        format!("unknown project `{id}` (not in projects.csv)"),
                    );
                }
            }
        };
        for d in &self.demand {
            node(p, "demand.csv", d.line, "node", &d.node);
            if !self.shapes.contains_key(&d.shape) {
                p.push(
                    "demand.csv",
                    Some(d.line),
                    Some("shape"),
                    format!("unknown shape `{}` (not in shapes.csv)", d.shape),
                );
            }
        }
        for g in &self.generators {
            node(p, "generators.csv", g.line, "node", &g.node);
            project(p, "generators.csv", g.line, &g.project);
            if let Some(a) = &g.availability {
                if !self.availability.contains_key(a) {
                    p.push(
                        "generators.csv",
                        Some(g.line),
                        Some("availability"),
                        format!("unknown series `{a}` (not in availability.csv)"),
                    );
                }
            }
        }
        for l in &self.lines {
            node(p, "lines.csv", l.line, "from", &l.from);
            node(p, "lines.csv", l.line, "to", &l.to);
            project(p, "lines.csv", l.line, &l.project);
            if l.from == l.to {
                p.push(
                    "lines.csv",
                    Some(l.line),
                    Some("to"),
                    "a line joins two different nodes",
                );
            }
            if l.min_mw > l.capacity_mw {
                p.push(
                    "lines.csv",
                    Some(l.line),
                    Some("min_mw"),
                    format!(
                        "{} MW is more than the capacity, {} MW",
                        l.min_mw, l.capacity_mw
                    ),
                );
            }
            if l.fee_usd_mwh > 0.0 && l.fee_country.is_none() {
                p.push(
                    "lines.csv",
                    Some(l.line),
                    Some("fee_country"),
                    "a fee needs the country that levies it",
                );
            }
        }
        let generators: HashSet<&str> = self.generators.iter().map(|g| g.id.as_str()).collect();
        for h in &self.hydro {
            if !generators.contains(h.generator.as_str()) {
                p.push(
                    "hydro.csv",
                    Some(h.line),
                    Some("generator"),
                    format!(
                        "unknown generator `{}` (not in generators.csv)",
                        h.generator
                    ),
                );
            }
        }
    }

    /// The penalty for unserved energy at node `id`, USD/MWh.
    pub fn unserved_penalty(&self, id: &str) -> f64 {
        self.nodes
            .iter()
            .find(|n| n.id == id)
            .and_then(|n| n.unserved_usd_mwh)
            .unwrap_or(self.manifest.unserved_usd_mwh)
    }

    /// A bargaining parameter's value.
    pub fn parameter(&self, name: &str) -> Option<f64> {
        self.bargaining.get(name).map(|(v, _)| *v)
    }
}

fn read_manifest(origin: &str, files: &HashMap<String, String>, p: &mut Problems) -> GridManifest {
    let empty = GridManifest {
        name: String::new(),
        version: String::new(),
        title: String::new(),
        base_year: 0,
        licence: String::new(),
        attribution: String::new(),
        unserved_usd_mwh: 0.0,
    };
    let Some(text) = files.get("grid.toml") else {
        p.push(
            "grid.toml",
            None,
            None,
            format!("file is missing from {origin}"),
        );
        return empty;
    };
    match toml::from_str::<GridManifest>(text) {
        Ok(m) if m.unserved_usd_mwh.is_finite() && (0.0..=1e5).contains(&m.unserved_usd_mwh) => m,
        Ok(m) => {
            p.push(
                "grid.toml",
                None,
                Some("unserved_usd_mwh"),
                format!("{} must be 0–100,000 USD/MWh", m.unserved_usd_mwh),
            );
            empty
        }
        Err(e) => {
            p.push("grid.toml", None, None, crate::problem::toml_message(&e));
            empty
        }
    }
}

fn unique<'a>(p: &mut Problems, file: &str, ids: impl Iterator<Item = (&'a str, u64)>) {
    let mut seen = HashSet::new();
    for (id, line) in ids {
        if !seen.insert(id) {
            p.push(
                file,
                Some(line),
                Some("id"),
                format!("`{id}` is given twice"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> HashMap<String, String> {
        let mut f = HashMap::new();
        let mut put = |k: &str, v: &str| {
            f.insert(k.to_string(), v.to_string());
        };
        put(
            "grid.toml",
            "name = \"t\"\nversion = \"0\"\ntitle = \"t\"\nbase_year = 2023\nlicence = \"x\"\nattribution = \"x\"\nunserved_usd_mwh = 500\n",
        );
        put(
            "nodes.csv",
            "id,name,country,kind,lat,lon,unserved_usd_mwh,source\na,A,UZB,supplier,41,69,,x\nb,B,AFG,island,36,68,,x\n",
        );
        let flat: String = (1..=12)
            .map(|m| format!("flat,{m},{},x\n", 1.0 / 12.0))
            .collect();
        put("shapes.csv", &format!("series,month,share,source\n{flat}"));
        put("demand.csv", "node,annual_gwh,shape,source\nb,876,flat,x\n");
        put(
            "generators.csv",
            "id,node,fuel,capacity_mw,availability,cost_usd_mwh,annual_gwh,project,source\nga,a,import,100,,10,,,x\n",
        );
        put(
            "lines.csv",
            "id,from,to,capacity_mw,loss_fraction,min_mw,months,price_usd_mwh,fee_usd_mwh,fee_country,project,source\nab,a,b,100,0,,,50,,,,x\n",
        );
        f
    }

    #[test]
    fn a_small_grid_loads() {
        let g = Grid::from_files("t", &tiny()).expect("valid");
        assert_eq!(g.lines[0].months, (1..=12).collect::<Vec<_>>());
        assert_eq!(g.unserved_penalty("b"), 500.0);
        assert_eq!(g.generators[0].availability, None);
    }

    #[test]
    fn problems_name_file_line_and_column() {
        let mut f = tiny();
        f.insert(
            "lines.csv".into(),
            "id,from,to,capacity_mw,loss_fraction,min_mw,months,price_usd_mwh,fee_usd_mwh,fee_country,project,source\nab,a,c,100,0,200,13-2,50,5,,x,x\n".into(),
        );
        let text = Grid::from_files("t", &f).unwrap_err().to_string();
        for needle in [
            "lines.csv:2",
            "months",
            "unknown node `c`",
            "fee needs the country",
            "more than the capacity",
            "unknown project `x`",
        ] {
            assert!(text.contains(needle), "{needle} missing from {text}");
        }
    }

    #[test]
    fn shapes_must_sum_to_one() {
        let mut f = tiny();
        f.insert(
            "shapes.csv".into(),
            format!(
                "series,month,share,source\n{}",
                (1..=12)
                    .map(|m| format!("flat,{m},0.1,x\n"))
                    .collect::<String>()
            ),
        );
        let text = Grid::from_files("t", &f).unwrap_err().to_string();
        assert!(text.contains("sum to 1.2000"), "{text}");
        f.insert(
            "shapes.csv".into(),
            format!(
                "series,month,share,source\n{}",
                (1..=11)
                    .map(|m| format!("flat,{m},{},x\n", 1.0 / 11.0))
                    .collect::<String>()
            ),
        );
        let text = Grid::from_files("t", &f).unwrap_err().to_string();
        assert!(text.contains("`flat` gives 11 months, not 12"), "{text}");
    }
}
