//! A dataset: the manifest and its tables, loaded and checked as a whole.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::Deserialize;

use crate::csvtable::{read_table, Row};
use crate::problem::Problems;
use crate::schema::{self, PARAMETERS};
use crate::types::*;
use crate::validate;

pub const MANIFEST: &str = "dataset.toml";
pub const GEOMETRY: &str = "geometry.geojson";

/// `dataset.toml`: what the dataset is and its model parameters.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub name: String,
    pub version: String,
    pub title: String,
    /// Money is in US dollars of this year.
    pub currency_year: i32,
    /// The year `demand.csv` describes and the default scenario year.
    pub base_year: i32,
    pub licence: String,
    pub attribution: String,
    pub parameters: BTreeMap<String, Sourced>,
}

impl Manifest {
    /// A parameter's value. Every parameter of the schema is checked present at load time.
    pub fn parameter(&self, name: &str) -> f64 {
        self.parameters.get(name).map(|p| p.value).unwrap_or(0.0)
    }
}

/// The files of a dataset, read into memory, wherever they came from.
#[derive(Debug, Clone)]
pub struct DatasetFiles {
    /// Where the files came from, for messages (a folder, or `embedded:<name>`).
    pub origin: String,
    pub files: HashMap<String, String>,
}

impl DatasetFiles {
    /// Reads a dataset folder. Missing files are reported by [`Dataset::from_files`].
    pub fn read_dir(dir: &Path) -> Result<DatasetFiles, Problems> {
        let mut problems = Problems::default();
        let mut files = HashMap::new();
        if !dir.is_dir() {
            problems.push(
                &dir.display().to_string(),
                None,
                None,
                "is not a dataset folder",
            );
            return Err(problems);
        }
        let names = schema::TABLES
            .iter()
            .map(|t| t.file)
            .chain([MANIFEST, GEOMETRY]);
        for name in names {
            let path = dir.join(name);
            match crate::locate::read_regular_file(&path) {
                Ok(text) => {
                    files.insert(name.to_string(), text);
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => problems.push(&path.display().to_string(), None, None, e.to_string()),
            }
        }
        problems.into_result(DatasetFiles {
            origin: dir.display().to_string(),
            files,
        })
    }
}

/// A loaded, validated dataset.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    pub origin: String,
    pub manifest: Manifest,
    pub countries: Vec<Country>,
    pub nodes: Vec<Node>,
    pub links: Vec<Link>,
    pub crossings: Vec<Crossing>,
    pub transfers: Vec<Transfer>,
    pub commodities: Vec<Commodity>,
    /// Carriers' freight rates by country and mode (empty: the operating_cost_* parameters).
    pub freight_rates: Vec<FreightRate>,
    pub tariffs: Vec<Tariff>,
    pub demand: Vec<Demand>,
    pub risk: Vec<Risk>,
    pub corridors: Vec<Corridor>,
    /// Observed flows and shares, for `karvan fit` (empty when the dataset has none).
    pub observations: Vec<Observation>,
    /// Changes to crossings that upgrade projects bring (empty when there are none).
    pub upgrades: Vec<Upgrade>,
    /// Projects' costs and financing, for `karvan appraise` (empty when absent).
    pub project_costs: Vec<ProjectCost>,
    pub financing: Vec<Financing>,
    /// Link id → line geometry as `[lon, lat]` points, where the dataset has one.
    pub geometry: HashMap<String, Vec<[f64; 2]>>,
}

impl Dataset {
    /// Every project id: those of links, crossings and upgrades.
    pub fn project_ids(&self) -> std::collections::HashSet<&str> {
        self.links
            .iter()
            .filter_map(|l| l.project.as_deref())
            .chain(self.crossings.iter().filter_map(|c| c.project.as_deref()))
            .chain(self.upgrades.iter().map(|u| u.project.as_str()))
            .collect()
    }

    /// Loads a dataset folder from disk.
    pub fn load_dir(dir: &Path) -> Result<Dataset, Problems> {
        Dataset::from_files(&DatasetFiles::read_dir(dir)?)
    }

    /// Parses and validates a dataset, reporting every problem at once.
    pub fn from_files(files: &DatasetFiles) -> Result<Dataset, Problems> {
        let mut p = Problems::default();
        let text = |name: &str, p: &mut Problems| -> String {
            match files.files.get(name) {
                Some(t) => t.clone(),
                None => {
                    p.push(
                        name,
                        None,
                        None,
                        format!("file is missing from {}", files.origin),
                    );
                    String::new()
                }
            }
        };
        let manifest = parse_manifest(&text(MANIFEST, &mut p), &mut p);
        let mut ds = Dataset {
            origin: files.origin.clone(),
            manifest: manifest.unwrap_or_else(empty_manifest),
            countries: vec![],
            nodes: vec![],
            links: vec![],
            crossings: vec![],
            transfers: vec![],
            commodities: vec![],
            freight_rates: vec![],
            tariffs: vec![],
            demand: vec![],
            risk: vec![],
            corridors: vec![],
            observations: vec![],
            upgrades: vec![],
            project_costs: vec![],
            financing: vec![],
            geometry: HashMap::new(),
        };
        // Tables whose rows could not be read: ids they define are missing everywhere
        // else, so the checks across tables would only repeat the cause many times over.
        let mut unreadable: Vec<&str> = vec![];
        for table in schema::TABLES {
            let Some(t) = files.files.get(table.file) else {
                if schema::OPTIONAL.contains(&table.file) {
                    continue;
                }
                text(table.file, &mut p);
                unreadable.push(table.file);
                continue;
            };
            let mut rows = 0usize;
            let header_ok = read_table(table, t, &mut p, |row, p| {
                rows += 1;
                ds.add_row(table.file, row, p)
            });
            if !header_ok {
                unreadable.push(table.file);
            } else if rows == 0 && schema::NEEDS_ROWS.contains(&table.file) {
                p.push(table.file, None, None, "has a header but no rows");
                unreadable.push(table.file);
            }
        }
        if let Some(g) = files.files.get(GEOMETRY) {
            ds.geometry = parse_geometry(g, &mut p);
        }
        if unreadable.is_empty() {
            validate::check(&ds, &mut p);
        } else {
            p.push(
                &files.origin,
                None,
                None,
                format!(
                    "the checks across tables wait until {} can be read (fix the problems above first)",
                    unreadable.join(", ")
                ),
            );
        }
        p.into_result(ds)
    }

    fn add_row(&mut self, file: &str, r: &Row, p: &mut Problems) {
        let source = r.string("source");
        let line = r.line;
        match file {
            "countries.csv" => self.countries.push(Country {
                iso3: r.string("iso3"),
                name: r.string("name"),
                source,
            }),
            "nodes.csv" => self.nodes.push(Node {
                id: r.string("id"),
                name: r.string("name"),
                aliases: r
                    .text("aliases")
                    .map(|a| {
                        a.split(';')
                            .map(|s| s.trim().to_string())
                            .filter(|s| !s.is_empty())
                            .collect()
                    })
                    .unwrap_or_default(),
                country: r.string("country"),
                province: r.text("province").map(str::to_string),
                lat: r.number("lat").unwrap_or(0.0),
                lon: r.number("lon").unwrap_or(0.0),
                kind: r.string("kind"),
                is_zone: r.bool("is_zone"),
                source,
                line,
            }),
            "links.csv" => {
                let mode = Mode::parse(&r.string("mode")).unwrap_or(Mode::Road);
                let gauge_mm = gauge(r, mode, file, p);
                self.links.push(Link {
                    id: r.string("id"),
                    name: r
                        .text("name")
                        .map(str::to_string)
                        .unwrap_or_else(|| format!("{} – {}", r.string("from"), r.string("to"))),
                    from: r.string("from"),
                    to: r.string("to"),
                    mode,
                    gauge_mm,
                    length_km: r.number("length_km").unwrap_or(0.0),
                    length_source: r
                        .text("length_source")
                        .map(str::to_string)
                        .unwrap_or_else(|| source.clone()),
                    speed_kmh: r.number("speed_kmh"),
                    capacity_t_per_year: r.number("capacity_t_per_year"),
                    status: status(r, file, p),
                    opens_year: r.year("opens_year"),
                    project: r.text("project").map(str::to_string),
                    source,
                    line,
                })
            }
            "crossings.csv" => {
                let mode = Mode::parse(&r.string("mode")).unwrap_or(Mode::Road);
                let gauge_mm = gauge(r, mode, file, p);
                self.crossings.push(Crossing {
                    id: r.string("id"),
                    name: r.string("name"),
                    from: r.string("from"),
                    to: r.string("to"),
                    mode,
                    gauge_mm,
                    length_km: r.number("length_km").unwrap_or(0.0),
                    dwell_hours: r.number("dwell_hours").unwrap_or(0.0),
                    fee_usd_per_t: r.number("fee_usd_per_t").unwrap_or(0.0),
                    capacity_t_per_day: r.number("capacity_t_per_day"),
                    status: status(r, file, p),
                    opens_year: r.year("opens_year"),
                    project: r.text("project").map(str::to_string),
                    source,
                    line,
                })
            }
            "transfers.csv" => {
                let from = Layer::parse(&r.string("from"));
                let to = Layer::parse(&r.string("to"));
                if let (Some(from), Some(to)) = (from, to) {
                    if from == to {
                        p.push(
                            file,
                            Some(line),
                            Some("to"),
                            format!("transfer from {from} to itself"),
                        );
                    }
                    self.transfers.push(Transfer {
                        node: r.string("node"),
                        from,
                        to,
                        usd_per_t: r.number("usd_per_t").unwrap_or(0.0),
                        hours: r.number("hours").unwrap_or(0.0),
                        source,
                        line,
                    })
                }
            }
            "commodities.csv" => self.commodities.push(Commodity {
                id: r.string("id"),
                name: r.string("name"),
                value_usd_per_t: r.number("value_usd_per_t").unwrap_or(0.0),
                source,
            }),
            "freight_rates.csv" => self.freight_rates.push(FreightRate {
                country: r.string("country"),
                mode: Mode::parse(&r.string("mode")).unwrap_or(Mode::Road),
                usd_per_tkm: r.number("usd_per_tkm").unwrap_or(0.0),
                source,
                line,
            }),
            "tariffs.csv" => self.tariffs.push(Tariff {
                country: r.string("country"),
                mode: Mode::parse(&r.string("mode")).unwrap_or(Mode::Road),
                commodity: r.string("commodity"),
                kind: if r.string("kind") == "domestic" {
                    TariffKind::Domestic
                } else {
                    TariffKind::Transit
                },
                usd_per_tkm: r.number("usd_per_tkm").unwrap_or(0.0),
                usd_per_t: r.number("usd_per_t").unwrap_or(0.0),
                source,
                line,
            }),
            "demand.csv" => self.demand.push(Demand {
                origin: r.string("origin"),
                destination: r.string("destination"),
                commodity: r.string("commodity"),
                tonnes_per_year: r.number("tonnes_per_year").unwrap_or(0.0),
                year: r.year("year"),
                source,
                line,
            }),
            "upgrades.csv" => self.upgrades.push(Upgrade {
                project: r.string("project"),
                crossing: r.string("crossing"),
                dwell_hours: r.number("dwell_hours"),
                capacity_t_per_day: r.number("capacity_t_per_day"),
                fee_usd_per_t: r.number("fee_usd_per_t"),
                source,
                line,
            }),
            "project_costs.csv" => self.project_costs.push(project_cost(r, source, p)),
            "project_financing.csv" => self.financing.push(financing(r, source, p)),
            "risk.csv" => self.risk.push(Risk {
                region: r.string("region"),
                index: r.number("index").unwrap_or(0.0),
                source,
            }),
            "corridors.csv" => self.corridors.push(Corridor {
                id: r.string("id"),
                name: r.string("name"),
                crossings: id_list(r, "crossings"),
                links: id_list(r, "links"),
                source,
            }),
            "observations.csv" => {
                if let Some(o) = observation(r, source, p) {
                    self.observations.push(o);
                }
            }
            _ => unreachable!("table {file} has no row type"),
        }
    }

    pub fn node(&self, id: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.id == id)
    }

    /// Position of each node by id.
    pub fn node_index(&self) -> HashMap<&str, usize> {
        index_by(&self.nodes, |n| &n.id)
    }

    /// Position of each country by ISO3 code.
    pub fn country_index(&self) -> HashMap<&str, usize> {
        index_by(&self.countries, |c| &c.iso3)
    }

    /// Position of each commodity by id.
    pub fn commodity_index(&self) -> HashMap<&str, usize> {
        index_by(&self.commodities, |c| &c.id)
    }

    /// A crossing's name, or its id when unknown.
    /// Indices of the crossings between two countries (ISO3, either order), when `spec`
    /// is a pair such as `AFG-PAK`; `None` when it is not written as a pair.
    pub fn crossings_between(&self, spec: &str) -> Option<Vec<usize>> {
        let (x, y) = spec
            .split_once('-')
            .filter(|(x, y)| x.len() == 3 && y.len() == 3)?;
        let (x, y) = (x.to_uppercase(), y.to_uppercase());
        if !self.countries.iter().any(|c| c.iso3 == x)
            || !self.countries.iter().any(|c| c.iso3 == y)
        {
            return None;
        }
        let country = |id: &str| self.node(id).map(|n| n.country.as_str()).unwrap_or("");
        Some(
            self.crossings
                .iter()
                .enumerate()
                .filter(|(_, c)| {
                    let (a, b) = (country(&c.from), country(&c.to));
                    (a == x && b == y) || (a == y && b == x)
                })
                .map(|(i, _)| i)
                .collect(),
        )
    }

    pub fn crossing_name(&self, id: &str) -> String {
        self.crossings
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.name.clone())
            .unwrap_or_else(|| id.to_string())
    }

    pub fn country_name(&self, iso3: &str) -> String {
        self.countries
            .iter()
            .find(|c| c.iso3 == iso3)
            .map(|c| c.name.clone())
            .unwrap_or_else(|| iso3.to_string())
    }
}

fn index_by<T>(items: &[T], key: impl Fn(&T) -> &String) -> HashMap<&str, usize> {
    items
        .iter()
        .enumerate()
        .map(|(i, x)| (key(x).as_str(), i))
        .collect()
}

/// A `;`-separated list of ids.
/// An observation row, with counts of vehicles converted to tonnes per year.
fn observation(r: &Row, source: String, p: &mut Problems) -> Option<Observation> {
    const FILE: &str = "observations.csv";
    let kind = match r.text("kind") {
        Some("share") => ObservationKind::Share,
        _ => ObservationKind::Flow,
    };
    let direction = match r.text("direction") {
        None => Direction::Both,
        Some(d) => match d.split_once(':') {
            Some(("into", c)) => Direction::Into(c.to_string()),
            Some(("out-of", c)) => Direction::OutOf(c.to_string()),
            _ => {
                p.push(
                    FILE,
                    Some(r.line),
                    Some("direction"),
                    format!("`{d}` must be `into:ISO3` or `out-of:ISO3`"),
                );
                return None;
            }
        },
    };
    let unit = r.string("unit");
    let per_year = match unit.as_str() {
        "vehicles/day" | "wagons/day" => match r.number("tonnes_per_vehicle") {
            Some(t) => t * 365.0,
            None => {
                p.push(
                    FILE,
                    Some(r.line),
                    Some("tonnes_per_vehicle"),
                    format!("a count in {unit} needs the tonnes per vehicle"),
                );
                return None;
            }
        },
        _ => 1.0,
    };
    let is_share = kind == ObservationKind::Share;
    if is_share != (unit == "share") {
        p.push(
            FILE,
            Some(r.line),
            Some("unit"),
            "a share has unit `share`, and only a share has",
        );
        return None;
    }
    let value = r.number("value")?;
    let low = r.number("low").unwrap_or(value);
    let high = r.number("high").unwrap_or(value);
    if !(low <= value && value <= high) {
        p.push(
            FILE,
            Some(r.line),
            Some("value"),
            format!("the value {value} must lie between low ({low}) and high ({high})"),
        );
        return None;
    }
    if is_share && high > 1.0 {
        p.push(
            FILE,
            Some(r.line),
            Some("value"),
            "a share lies between 0 and 1",
        );
        return None;
    }
    let denominator = id_list(r, "denominator");
    if is_share == denominator.is_empty() {
        p.push(
            FILE,
            Some(r.line),
            Some("denominator"),
            "a share needs a denominator, and only a share has one",
        );
        return None;
    }
    Some(Observation {
        id: r.string("id"),
        kind,
        elements: id_list(r, "elements"),
        direction,
        mode: r.text("mode").and_then(Mode::parse),
        commodity: r.text("commodity").map(str::to_string),
        denominator,
        value: value * per_year,
        low: low * per_year,
        high: high * per_year,
        unit,
        period: r.string("period"),
        weight: r.number("weight").unwrap_or(1.0),
        role: match r.text("role") {
            Some("validate") => ObservationRole::Validate,
            Some("context") => ObservationRole::Context,
            _ => ObservationRole::Calibrate,
        },
        source,
        line: r.line,
    })
}

fn id_list(r: &Row, column: &str) -> Vec<String> {
    r.string(column)
        .split(';')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

fn gauge(r: &Row, mode: Mode, file: &str, p: &mut Problems) -> Option<u16> {
    let g = r.text("gauge_mm").and_then(|g| g.parse::<u16>().ok());
    match (mode, g) {
        (Mode::Rail, None) if r.text("gauge_mm").is_none() => {
            p.push(
                file,
                Some(r.line),
                Some("gauge_mm"),
                "a rail row needs a gauge (1435, 1520 or 1676)",
            );
        }
        (Mode::Road | Mode::Sea, Some(_)) => {
            p.push(
                file,
                Some(r.line),
                Some("gauge_mm"),
                format!("a {mode} row has no gauge; leave it empty"),
            );
        }
        _ => {}
    }
    g
}

fn status(r: &Row, file: &str, p: &mut Problems) -> Status {
    let s = Status::parse(&r.string("status")).unwrap_or(Status::Existing);
    if matches!(s, Status::UnderConstruction | Status::Planned) && r.year("opens_year").is_none() {
        p.push(
            file,
            Some(r.line),
            Some("opens_year"),
            format!("a {} row needs an opening year", s.as_str()),
        );
    }
    s
}

fn empty_manifest() -> Manifest {
    Manifest {
        name: String::new(),
        version: String::new(),
        title: String::new(),
        currency_year: 0,
        base_year: 0,
        licence: String::new(),
        attribution: String::new(),
        parameters: BTreeMap::new(),
    }
}

fn parse_manifest(text: &str, p: &mut Problems) -> Option<Manifest> {
    if text.is_empty() {
        return None;
    }
    match toml::from_str::<Manifest>(text) {
        Ok(m) => {
            for param in PARAMETERS {
                match m.parameters.get(param.name) {
                    None => p.push(
                        MANIFEST,
                        None,
                        Some(param.name),
                        format!("parameter is missing ({}, {})", param.unit, param.doc),
                    ),
                    Some(s) if s.source.trim().is_empty() => {
                        p.push(MANIFEST, None, Some(param.name), "parameter has no source")
                    }
                    Some(s) if !param.accepts(s.value) => p.push(
                        MANIFEST,
                        line_of_key(text, param.name),
                        Some(param.name),
                        format!(
                            "{} is out of range: must be {}",
                            schema::number_text(s.value),
                            param.range()
                        ),
                    ),
                    _ => {}
                }
            }
            for name in m.parameters.keys() {
                if !PARAMETERS.iter().any(|q| q.name == name) {
                    p.push(
                        MANIFEST,
                        line_of_key(text, name),
                        Some(name),
                        "unknown parameter",
                    );
                }
            }
            Some(m)
        }
        Err(e) => {
            let line = e.span().map(|s| crate::problem::line_at(text, s.start));
            p.push(MANIFEST, line, None, crate::problem::toml_message(&e));
            None
        }
    }
}

/// The line on which `key` is set (`key = ...`), for messages.
fn line_of_key(text: &str, key: &str) -> Option<u64> {
    text.lines()
        .position(|l| {
            l.trim_start()
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map(|i| i as u64 + 1)
}

fn parse_geometry(text: &str, p: &mut Problems) -> HashMap<String, Vec<[f64; 2]>> {
    #[derive(Deserialize)]
    struct Fc {
        features: Vec<Feature>,
    }
    #[derive(Deserialize)]
    struct Feature {
        properties: Props,
        geometry: Geom,
    }
    #[derive(Deserialize)]
    struct Props {
        link: String,
    }
    #[derive(Deserialize)]
    struct Geom {
        coordinates: Vec<[f64; 2]>,
    }
    match serde_json::from_str::<Fc>(text) {
        Ok(fc) => fc
            .features
            .into_iter()
            .map(|f| (f.properties.link, f.geometry.coordinates))
            .collect(),
        Err(e) => {
            p.push(
                GEOMETRY,
                Some(e.line() as u64),
                None,
                format!("not a FeatureCollection of link LineStrings: {e}"),
            );
            HashMap::new()
        }
    }
}

fn project_cost(r: &Row, source: String, p: &mut Problems) -> ProjectCost {
    const FILE: &str = "project_costs.csv";
    let capex = r.number("capex_usd").unwrap_or(0.0);
    let low = r.number("capex_low_usd").unwrap_or(capex);
    let high = r.number("capex_high_usd").unwrap_or(capex);
    if !(low <= capex && capex <= high) {
        p.push(
            FILE,
            Some(r.line),
            Some("capex_low_usd"),
            format!(
                "the range must hold the central cost: low {low} ≤ central {capex} ≤ high {high}"
            ),
        );
    }
    let spent = r.number("spent_usd").unwrap_or(0.0);
    if spent > capex {
        p.push(
            FILE,
            Some(r.line),
            Some("spent_usd"),
            format!("more spent ({spent}) than the whole capital cost ({capex})"),
        );
    }
    let renewal = match (r.number("renewal_usd"), r.number("renewal_every_years")) {
        (Some(usd), Some(every)) => Some((usd, every.round() as u32)),
        (None, None) => None,
        (Some(_), None) | (None, Some(_)) => {
            p.push(
                FILE,
                Some(r.line),
                Some("renewal_every_years"),
                "renewal_usd and renewal_every_years go together (both or neither)",
            );
            None
        }
    };
    ProjectCost {
        project: r.string("project"),
        capex_usd: capex,
        capex_low_usd: low,
        capex_high_usd: high,
        spent_usd: spent.min(capex),
        build_years: r.number("build_years").unwrap_or(1.0).round() as u32,
        opens_year: r.year("opens_year").unwrap_or(0),
        opex_usd_per_year: r.number("opex_usd_per_year").unwrap_or(0.0),
        renewal,
        service_life_years: r.number("service_life_years").unwrap_or(1.0).round() as u32,
        source,
        line: r.line,
    }
}

fn financing(r: &Row, source: String, p: &mut Problems) -> Financing {
    const FILE: &str = "project_financing.csv";
    let instrument = Instrument::parse(&r.string("instrument")).unwrap_or(Instrument::Equity);
    let borrower = r.text("borrower").map(str::to_string);
    if instrument != Instrument::Equity && borrower.is_none() {
        p.push(
            FILE,
            Some(r.line),
            Some("borrower"),
            format!(
                "a {} needs the country that receives it",
                instrument.as_str()
            ),
        );
    }
    let tenor = r.number("tenor_years");
    let grace = r.number("grace_years").unwrap_or(0.0);
    if instrument == Instrument::Loan {
        match tenor {
            None => p.push(
                FILE,
                Some(r.line),
                Some("tenor_years"),
                "a loan needs its term",
            ),
            Some(t) if t <= grace => p.push(
                FILE,
                Some(r.line),
                Some("grace_years"),
                format!(
                    "the grace period ({grace} years) must be shorter than the term ({t} years)"
                ),
            ),
            Some(_) => {}
        }
    }
    Financing {
        project: r.string("project"),
        financier: r.string("financier"),
        instrument,
        borrower,
        share: r.number("share").unwrap_or(0.0),
        interest_percent: r.number("interest_percent").unwrap_or(0.0),
        tenor_years: tenor.unwrap_or(1.0).round() as u32,
        grace_years: grace.round() as u32,
        source,
        line: r.line,
    }
}
