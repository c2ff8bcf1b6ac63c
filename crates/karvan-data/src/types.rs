//! The dataset's rows as typed values.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Rail,
    Road,
    Sea,
}

impl Mode {
    pub fn parse(s: &str) -> Option<Mode> {
        match s {
            "rail" => Some(Mode::Rail),
            "road" => Some(Mode::Road),
            "sea" => Some(Mode::Sea),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Rail => "rail",
            Mode::Road => "road",
            Mode::Sea => "sea",
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A network layer: cargo moves within a layer freely and between layers only by a transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Layer {
    Road,
    /// Rail of the given gauge in millimetres.
    Rail(u16),
    Sea,
}

impl Layer {
    pub fn parse(s: &str) -> Option<Layer> {
        match s {
            "road" => Some(Layer::Road),
            "sea" => Some(Layer::Sea),
            _ => s
                .strip_prefix("rail-")
                .and_then(|g| g.parse().ok())
                .map(Layer::Rail),
        }
    }

    pub fn new(mode: Mode, gauge_mm: Option<u16>) -> Layer {
        match mode {
            Mode::Road => Layer::Road,
            Mode::Sea => Layer::Sea,
            Mode::Rail => Layer::Rail(gauge_mm.unwrap_or(0)),
        }
    }

    pub fn mode(self) -> Mode {
        match self {
            Layer::Road => Mode::Road,
            Layer::Rail(_) => Mode::Rail,
            Layer::Sea => Mode::Sea,
        }
    }
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Layer::Road => f.write_str("road"),
            Layer::Rail(g) => write!(f, "rail-{g}"),
            Layer::Sea => f.write_str("sea"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Existing,
    UnderConstruction,
    Planned,
    Proposed,
}

impl Status {
    pub fn parse(s: &str) -> Option<Status> {
        match s {
            "existing" => Some(Status::Existing),
            "under_construction" => Some(Status::UnderConstruction),
            "planned" => Some(Status::Planned),
            "proposed" => Some(Status::Proposed),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Existing => "existing",
            Status::UnderConstruction => "under_construction",
            Status::Planned => "planned",
            Status::Proposed => "proposed",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TariffKind {
    Transit,
    Domestic,
}

impl TariffKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TariffKind::Transit => "transit",
            TariffKind::Domestic => "domestic",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Country {
    pub iso3: String,
    pub name: String,
    pub source: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub id: String,
    pub name: String,
    pub aliases: Vec<String>,
    pub country: String,
    pub province: Option<String>,
    pub lat: f64,
    pub lon: f64,
    pub kind: String,
    pub is_zone: bool,
    pub source: String,
    pub line: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub id: String,
    pub name: String,
    pub from: String,
    pub to: String,
    pub mode: Mode,
    pub gauge_mm: Option<u16>,
    pub length_km: f64,
    pub length_source: String,
    pub speed_kmh: Option<f64>,
    pub capacity_t_per_year: Option<f64>,
    pub status: Status,
    pub opens_year: Option<i32>,
    pub project: Option<String>,
    pub source: String,
    pub line: u64,
}

impl Link {
    pub fn layer(&self) -> Layer {
        Layer::new(self.mode, self.gauge_mm)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Crossing {
    pub id: String,
    pub name: String,
    pub from: String,
    pub to: String,
    pub mode: Mode,
    pub gauge_mm: Option<u16>,
    pub length_km: f64,
    pub dwell_hours: f64,
    pub fee_usd_per_t: f64,
    pub capacity_t_per_day: Option<f64>,
    pub status: Status,
    pub opens_year: Option<i32>,
    pub project: Option<String>,
    pub source: String,
    pub line: u64,
}

impl Crossing {
    pub fn layer(&self) -> Layer {
        Layer::new(self.mode, self.gauge_mm)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Transfer {
    pub node: String,
    pub from: Layer,
    pub to: Layer,
    pub usd_per_t: f64,
    pub hours: f64,
    pub source: String,
    pub line: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Commodity {
    pub id: String,
    pub name: String,
    pub value_usd_per_t: f64,
    pub source: String,
}

/// What carriers charge to haul a tonne one kilometre in a country by a mode: the market
/// freight rate, kept apart from the levies of [`Tariff`] that governments set.
#[derive(Debug, Clone, PartialEq)]
pub struct FreightRate {
    pub country: String,
    pub mode: Mode,
    pub usd_per_tkm: f64,
    pub source: String,
    pub line: u64,
}

/// A levy set by a government or a state railway (transit tariff, road transit fee,
/// toll): the policy lever that tariff scenarios and the game act on.
#[derive(Debug, Clone, PartialEq)]
pub struct Tariff {
    pub country: String,
    pub mode: Mode,
    /// A commodity id, or `*`.
    pub commodity: String,
    pub kind: TariffKind,
    pub usd_per_tkm: f64,
    pub usd_per_t: f64,
    pub source: String,
    pub line: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Demand {
    pub origin: String,
    pub destination: String,
    pub commodity: String,
    pub tonnes_per_year: f64,
    pub year: Option<i32>,
    pub source: String,
    pub line: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Risk {
    pub region: String,
    pub index: f64,
    pub source: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Corridor {
    pub id: String,
    pub name: String,
    pub crossings: Vec<String>,
    pub links: Vec<String>,
    pub source: String,
}

/// A number from `dataset.toml` with where it comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sourced {
    pub value: f64,
    pub source: String,
}

/// Whether an observation is a quantity or a share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ObservationKind {
    Flow,
    Share,
}

/// What an observation is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ObservationRole {
    /// Fitted by the calibration.
    Calibrate,
    /// Kept out of the calibration, to check it.
    Validate,
    /// Another period, condition or scope than the base year: listed, not scored.
    Context,
}

/// Which way across a border an observation counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Direction {
    Both,
    Into(String),
    OutOf(String),
}

/// An observed quantity the base year should match, in tonnes per year (counts of
/// vehicles or wagons are converted on loading) or as a share 0–1.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Observation {
    pub id: String,
    pub kind: ObservationKind,
    /// Link or crossing ids; `missing:<name>` entries name elements not in the network.
    pub elements: Vec<String>,
    pub direction: Direction,
    pub mode: Option<Mode>,
    pub commodity: Option<String>,
    /// For a share: the ids whose flow the share is of.
    pub denominator: Vec<String>,
    /// Tonnes per year, or a share.
    pub value: f64,
    pub low: f64,
    pub high: f64,
    /// The unit as written, for reports.
    pub unit: String,
    pub period: String,
    pub weight: f64,
    pub role: ObservationRole,
    pub source: String,
    pub line: u64,
}

impl Observation {
    /// Whether every element is in the network (none is `missing:`).
    pub fn is_in_network(&self) -> bool {
        !self
            .elements
            .iter()
            .chain(&self.denominator)
            .any(|e| e.starts_with("missing:"))
    }
}

/// What building a project costs and how long it lasts, for `karvan appraise`.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectCost {
    pub project: String,
    /// Central capital cost (USD), with the range where sources disagree.
    pub capex_usd: f64,
    pub capex_low_usd: f64,
    pub capex_high_usd: f64,
    /// Capital already spent by the dataset's base year (sunk).
    pub spent_usd: f64,
    /// Construction period: the capital cost is spent evenly over the years before opening.
    pub build_years: u32,
    /// The opening year assumed unless the appraisal says otherwise.
    pub opens_year: i32,
    pub opex_usd_per_year: f64,
    /// A renewal of `renewal_usd` every `renewal_every_years` after opening, if any.
    pub renewal: Option<(f64, u32)>,
    /// Life of the asset for its straight-line residual value at the horizon.
    pub service_life_years: u32,
    pub source: String,
    pub line: u64,
}

/// How a financier pays its share of a project's capital cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Instrument {
    /// From the financier's own budget.
    Equity,
    /// Lent to the borrower, repaid with interest.
    Loan,
    /// Given to the borrower.
    Grant,
}

impl Instrument {
    pub fn parse(s: &str) -> Option<Instrument> {
        match s {
            "equity" => Some(Instrument::Equity),
            "loan" => Some(Instrument::Loan),
            "grant" => Some(Instrument::Grant),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Instrument::Equity => "equity",
            Instrument::Loan => "loan",
            Instrument::Grant => "grant",
        }
    }
}

/// One financier's share of a project's capital cost.
#[derive(Debug, Clone, PartialEq)]
pub struct Financing {
    pub project: String,
    /// A country id, or an outside financier's own id (`adb`, `world-bank`).
    pub financier: String,
    pub instrument: Instrument,
    /// The country that borrows or receives a grant (a loan's or grant's country).
    pub borrower: Option<String>,
    pub share: f64,
    pub interest_percent: f64,
    pub tenor_years: u32,
    pub grace_years: u32,
    pub source: String,
    pub line: u64,
}

impl Financing {
    /// The country that bears this share in the end: the borrower of a loan (it repays)
    /// and the financier of equity; for a grant, the financier (a gift to the borrower).
    pub fn bearer(&self) -> &str {
        match (self.instrument, &self.borrower) {
            (Instrument::Loan, Some(b)) => b,
            _ => &self.financier,
        }
    }
}

/// A change to an existing crossing that an upgrade project brings: a single window
/// shortens the dwell, more lanes raise the capacity. `None` keeps today's value.
#[derive(Debug, Clone, PartialEq)]
pub struct Upgrade {
    pub project: String,
    pub crossing: String,
    pub dwell_hours: Option<f64>,
    pub capacity_t_per_day: Option<f64>,
    pub fee_usd_per_t: Option<f64>,
    pub source: String,
    pub line: u64,
}
