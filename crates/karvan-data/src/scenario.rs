//! Scenarios: a small TOML file that names a base dataset and overrides it by stable ids.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use crate::dataset::Dataset;
use crate::limits;
use crate::problem::Problems;
use crate::schema::PARAMETERS;
use crate::types::{Mode, Status, Tariff, TariffKind, Upgrade};

/// A scenario as written in its TOML file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Short name shown in reports.
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// An embedded dataset's name, or a dataset folder (relative to the scenario file).
    pub base: String,
    /// Another scenario this one builds on (a file relative to this one, a saved or a
    /// shipped scenario's name): its settings apply first, this file's on top.
    #[serde(default)]
    pub extends: Option<String>,
    /// Year modelled: links and crossings open when their opening year is at most this.
    #[serde(default)]
    pub year: Option<i32>,
    /// Link or crossing ids that are closed.
    #[serde(default)]
    pub closures: Vec<String>,
    /// Project id → `true` (open), `false` (closed) or the year it opens.
    #[serde(default)]
    pub projects: BTreeMap<String, ProjectSetting>,
    #[serde(default, rename = "tariff")]
    pub tariffs: Vec<TariffChange>,
    #[serde(default)]
    pub demand: DemandGrowth,
    /// Parameter name → new value (see `karvan schema`).
    #[serde(default)]
    pub parameters: BTreeMap<String, f64>,
    /// How freight chooses routes when this scenario runs.
    #[serde(default)]
    pub assignment: AssignmentSettings,
    /// Settings of the transit-tariff game (`karvan game`).
    #[serde(default)]
    pub game: GameSettings,
    /// Closures during the year, for `karvan risk`.
    #[serde(default, rename = "disruption")]
    pub disruptions: Vec<Disruption>,
    /// The river basin's settings, for `karvan water`.
    #[serde(default)]
    pub water: WaterSettings,
    /// The power grid's settings, for `karvan power`.
    #[serde(default)]
    pub power: PowerSettings,
    /// The file's text, kept to point problems found later at their lines.
    #[serde(skip)]
    pub text: Option<String>,
}

impl Scenario {
    /// This scenario on top of `parent`: single values are this one's where set, else
    /// the parent's; lists (closures, tariff changes, demand factors, disruptions) are the
    /// parent's followed by this one's; tables are the parent's updated with this one's.
    pub fn on_top_of(self, parent: Scenario) -> Scenario {
        let mut closures = parent.closures;
        for c in self.closures {
            if !closures.contains(&c) {
                closures.push(c);
            }
        }
        let mut projects = parent.projects;
        projects.extend(self.projects);
        let mut tariffs = parent.tariffs;
        tariffs.extend(self.tariffs);
        let mut parameters = parent.parameters;
        parameters.extend(self.parameters);
        let mut disruptions = parent.disruptions;
        disruptions.extend(self.disruptions);
        let mut by_commodity = parent.demand.by_commodity;
        by_commodity.extend(self.demand.by_commodity);
        let mut od = parent.demand.od;
        od.extend(self.demand.od);
        let (a, b) = (self.assignment, parent.assignment);
        let (g, h) = (self.game, parent.game);
        Scenario {
            name: self.name.or(parent.name),
            description: self.description.or(parent.description),
            base: self.base,
            extends: parent.extends,
            year: self.year.or(parent.year),
            closures,
            projects,
            tariffs,
            demand: DemandGrowth {
                growth_percent_per_year: if self.demand.growth_percent_per_year != 0.0 {
                    self.demand.growth_percent_per_year
                } else {
                    parent.demand.growth_percent_per_year
                },
                by_commodity,
                od,
                fixed: self.demand.fixed || parent.demand.fixed,
            },
            parameters,
            assignment: AssignmentSettings {
                method: a.method.or(b.method),
                gap: a.gap.or(b.gap),
                max_iterations: a.max_iterations.or(b.max_iterations),
                dispersion: a.dispersion.or(b.dispersion),
                routes_per_od: a.routes_per_od.or(b.routes_per_od),
            },
            game: GameSettings {
                players: g.players.or(h.players),
                max_multiplier: g.max_multiplier.or(h.max_multiplier),
                outside_markup: g.outside_markup.or(h.outside_markup),
                dispersion: g.dispersion.or(h.dispersion),
                shipper_weight: g.shipper_weight.or(h.shipper_weight),
                carrying_cost_usd_per_tkm: g
                    .carrying_cost_usd_per_tkm
                    .or(h.carrying_cost_usd_per_tkm),
            },
            disruptions,
            water: self.water.on_top_of(parent.water),
            power: self.power.on_top_of(parent.power),
            text: self.text,
        }
    }
}

/// What a scenario sets for the river basin (`[water]`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaterSettings {
    /// The regime of each year simulated, in order: an observed year (`"2021"`) or
    /// `"normal"`, `"dry"`, `"wet"`; a multi-year sequence is simply several.
    #[serde(default)]
    pub years: Vec<String>,
    /// The calendar year of the first simulated year, for phases (default: the basin's
    /// base year).
    #[serde(default)]
    pub start_year: Option<i32>,
    /// Withdrawal node → yearly demand, hm³ (a diversion level).
    #[serde(default)]
    pub demand: BTreeMap<String, f64>,
    /// A withdrawal's demand from a year on (Qosh Tepa's phases).
    #[serde(default, rename = "phase")]
    pub phases: Vec<WaterPhase>,
    /// Reservoirs under construction built in this scenario (Rogun).
    #[serde(default)]
    pub build_reservoirs: Vec<String>,
    /// Reservoir → the storage its operators fill towards, hm³ (Rogun filling: its
    /// capacity); default the reservoir's own target.
    #[serde(default)]
    pub targets: BTreeMap<String, f64>,
    /// Withdrawal → its priority (1 first), instead of the basin's: Qosh Tepa taking
    /// first as the upstream country not bound by the interstate limits, or last.
    #[serde(default)]
    pub priorities: BTreeMap<String, u32>,
    /// Quotas added or replaced (by id): a quota for Afghanistan, a changed limit.
    #[serde(default, rename = "quota")]
    pub quotas: Vec<WaterQuota>,
}

/// A withdrawal's yearly demand from `from` on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaterPhase {
    pub node: String,
    pub from: i32,
    pub hm3: f64,
}

/// A quota set by a scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaterQuota {
    pub id: String,
    pub country: String,
    pub members: Vec<String>,
    /// Season as `4-9`.
    pub months: String,
    pub cap_hm3: f64,
}

impl WaterSettings {
    fn on_top_of(self, parent: WaterSettings) -> WaterSettings {
        let mut demand = parent.demand;
        demand.extend(self.demand);
        let mut phases = parent.phases;
        phases.extend(self.phases);
        let mut build = parent.build_reservoirs;
        build.extend(self.build_reservoirs);
        let mut quotas = parent.quotas;
        quotas.extend(self.quotas);
        let mut targets = parent.targets;
        targets.extend(self.targets);
        let mut priorities = parent.priorities;
        priorities.extend(self.priorities);
        WaterSettings {
            targets,
            priorities,
            years: if self.years.is_empty() {
                parent.years
            } else {
                self.years
            },
            start_year: self.start_year.or(parent.start_year),
            demand,
            phases,
            build_reservoirs: build,
            quotas,
        }
    }
}

/// What a scenario sets for the power grid (`[power]`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PowerSettings {
    /// Calendar year modelled (default: the grid's base year); projects listed run only
    /// from their opening year.
    #[serde(default)]
    pub year: Option<i32>,
    /// Projects built (CASA-1000, the Uzbek 500 kV line…).
    #[serde(default)]
    pub projects: Vec<String>,
    /// Take the linked hydro plants' output from the river basin's reservoir releases
    /// (the `[water]` settings' first year, or `water_regime`) instead of their series.
    #[serde(default)]
    pub hydro_from_water: bool,
    /// The basin's regime for the linked hydro (`dry`, `2021`…), instead of `[water]`'s.
    #[serde(default)]
    pub water_regime: Option<String>,
    /// Node → factor on its demand.
    #[serde(default)]
    pub demand: BTreeMap<String, f64>,
    /// Line → contract price, USD/MWh.
    #[serde(default)]
    pub prices: BTreeMap<String, f64>,
    /// Capacity of generators or lines scaled in some months (a cold winter halving the
    /// Uzbek supply, a line cut).
    #[serde(default, rename = "change")]
    pub changes: Vec<PowerChange>,
}

/// A generator's or line's capacity scaled over some months.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PowerChange {
    /// Generator or line id.
    pub id: String,
    /// Months as `12-2`; absent: the whole year.
    #[serde(default)]
    pub months: Option<String>,
    /// Factor on capacity, 0–10.
    pub factor: f64,
}

impl PowerSettings {
    fn on_top_of(self, parent: PowerSettings) -> PowerSettings {
        let mut projects = parent.projects;
        for p in self.projects {
            if !projects.contains(&p) {
                projects.push(p);
            }
        }
        let mut demand = parent.demand;
        demand.extend(self.demand);
        let mut prices = parent.prices;
        prices.extend(self.prices);
        let mut changes = parent.changes;
        changes.extend(self.changes);
        PowerSettings {
            year: self.year.or(parent.year),
            projects,
            hydro_from_water: self.hydro_from_water || parent.hydro_from_water,
            water_regime: self.water_regime.or(parent.water_regime),
            demand,
            prices,
            changes,
        }
    }
}

/// A closure during the year: what closes, from which day, for how long.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Disruption {
    /// Link or crossing ids, or pairs of countries such as `AFG-PAK` for every crossing
    /// between them.
    pub close: Vec<String>,
    /// Day of the year the closure starts: 1 is 1 January, 285 is 12 October.
    #[serde(default = "first_day")]
    pub start_day: f64,
    /// Days it lasts.
    pub days: f64,
    /// For a partial closure, the share of capacity left (0–1); absent: fully closed.
    #[serde(default)]
    pub capacity_share: Option<f64>,
}

fn first_day() -> f64 {
    1.0
}

/// The transit-tariff game's settings in a scenario; what is left out takes the
/// program's default, and command-line flags override what is set here.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GameSettings {
    /// ISO3 codes of the players.
    #[serde(default)]
    pub players: Option<Vec<String>>,
    /// Highest multiplier on today's transit tariffs a player may set.
    #[serde(default)]
    pub max_multiplier: Option<f64>,
    /// How much dearer than today's cheapest route the outside option is, as a share.
    #[serde(default)]
    pub outside_markup: Option<f64>,
    /// Dispersion of shippers' logit choice, per cheapest-route cost.
    #[serde(default)]
    pub dispersion: Option<f64>,
    /// Weight of a country's own shippers' surplus in its payoff.
    #[serde(default)]
    pub shipper_weight: Option<f64>,
    /// What carrying a transit tonne-kilometre costs the country, USD.
    #[serde(default)]
    pub carrying_cost_usd_per_tkm: Option<f64>,
}

/// Route-choice settings of a scenario; what is left out takes the program's default
/// (and a command-line flag overrides what is set here).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssignmentSettings {
    /// `equilibrium` (user equilibrium with congestion), `logit` (stochastic user
    /// equilibrium, path-size logit) or `aon` (all-or-nothing).
    #[serde(default)]
    pub method: Option<String>,
    /// Relative gap at which the equilibrium stops.
    #[serde(default)]
    pub gap: Option<f64>,
    #[serde(default)]
    pub max_iterations: Option<usize>,
    /// Logit dispersion per USD of generalized cost: large values approach the user
    /// equilibrium, 0 splits evenly over the route set.
    #[serde(default)]
    pub dispersion: Option<f64>,
    /// Routes generated per origin–destination pair for the logit.
    #[serde(default)]
    pub routes_per_od: Option<usize>,
}

/// The route-choice methods a scenario may name.
pub const ASSIGNMENT_METHODS: &[&str] = &["equilibrium", "logit", "aon"];

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ProjectSetting {
    On(bool),
    OpensIn(i32),
}

/// A change to the tariffs of one country.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TariffChange {
    pub country: String,
    /// `rail`, `road`, or absent for both.
    #[serde(default)]
    pub mode: Option<Mode>,
    /// A commodity id, or absent / `*` for all.
    #[serde(default)]
    pub commodity: Option<String>,
    /// `transit` (default), `domestic`, or `both`.
    #[serde(default)]
    pub kind: Option<String>,
    /// Change in percent of the current value (−30 cuts it by 30 %).
    #[serde(default)]
    pub percent: Option<f64>,
    /// New USD per t-km.
    #[serde(default)]
    pub usd_per_tkm: Option<f64>,
    /// New USD per tonne on entry.
    #[serde(default)]
    pub usd_per_t: Option<f64>,
}

/// Demand growth from the dataset's base year to the scenario year, compounding.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemandGrowth {
    #[serde(default)]
    pub growth_percent_per_year: f64,
    /// Commodity id → its own growth, replacing the general rate.
    #[serde(default)]
    pub by_commodity: BTreeMap<String, f64>,
    /// Factors on single origin–destination–commodity rows of the base year (what
    /// `karvan calibrate` writes), applied before growth.
    #[serde(default)]
    pub od: Vec<OdFactor>,
    /// Hold every row at its tonnes whatever it costs. By default trade answers to
    /// price: a row that costs more than in the base year ships less (the game's
    /// dispersion and outside option, `[game]`).
    #[serde(default)]
    pub fixed: bool,
}

/// A factor on the base-year tonnes of the demand rows of one origin, destination and
/// commodity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OdFactor {
    pub origin: String,
    pub destination: String,
    pub commodity: String,
    /// New tonnes ÷ the dataset's tonnes.
    pub factor: f64,
}

impl OdFactor {
    /// Multiplies the tonnes of every demand row of `ds` it names; whether any matched.
    fn scale(&self, ds: &mut Dataset) -> bool {
        let mut matched = false;
        for d in ds.demand.iter_mut().filter(|d| {
            d.origin == self.origin
                && d.destination == self.destination
                && d.commodity == self.commodity
        }) {
            d.tonnes_per_year *= self.factor;
            matched = true;
        }
        matched
    }
}

/// A dataset with a scenario applied: what the model is built from.
#[derive(Debug, Clone)]
pub struct Applied {
    pub name: String,
    pub year: i32,
    pub dataset: Dataset,
    /// Whether each link (by index in `dataset.links`) is open in this scenario.
    pub link_open: Vec<bool>,
    /// Whether each crossing is open in this scenario.
    pub crossing_open: Vec<bool>,
    /// The scenario's route-choice settings.
    pub assignment: AssignmentSettings,
    /// The scenario's settings of the transit-tariff game.
    pub game: GameSettings,
    /// The scenario's closures during the year.
    pub disruptions: Vec<Disruption>,
    /// Whether trade answers to price (`[demand] fixed = false`, the default).
    pub price_response: bool,
    /// The base dataset as published, before this scenario: the base year whose costs
    /// the demand matrix was observed at.
    pub base: Arc<Dataset>,
    /// Generalized cost of each demand row in the base year by route-choice method,
    /// computed once by the model and shared by every clone of this scenario.
    pub base_year_costs: Arc<Mutex<HashMap<String, Arc<BaseYearCosts>>>>,
}

/// Generalized cost (USD/t) of each demand row in the base year, by origin, destination
/// and commodity id.
pub type BaseYearCosts = HashMap<(String, String, String), f64>;

impl Scenario {
    /// Parses a scenario; `file` names it in messages.
    pub fn parse(text: &str, file: &str) -> Result<Scenario, Problems> {
        let mut scenario = toml::from_str::<Scenario>(text).map_err(|e| {
            let mut p = Problems::default();
            let line = e.span().map(|s| crate::problem::line_at(text, s.start));
            p.push(file, line, None, crate::problem::toml_message(&e));
            p
        })?;
        scenario.text = Some(text.to_string());
        Ok(scenario)
    }

    pub fn load(path: &Path) -> Result<Scenario, Problems> {
        let text = crate::locate::read_regular_file(path).map_err(|e| {
            let mut p = Problems::default();
            p.push(
                &path.display().to_string(),
                None,
                None,
                format!("cannot read: {e}"),
            );
            p
        })?;
        Scenario::parse(&text, &path.display().to_string())
    }

    /// The scenario that changes nothing on `base`.
    pub fn baseline(base: &str) -> Scenario {
        Scenario {
            name: Some("baseline".into()),
            base: base.into(),
            ..Scenario::default()
        }
    }

    /// Where the base dataset is, when `base` is a folder rather than an embedded name.
    pub fn base_dir(&self, scenario_dir: &Path) -> Option<PathBuf> {
        if crate::embedded::names().contains(&self.base.as_str()) {
            None
        } else {
            Some(scenario_dir.join(&self.base))
        }
    }

    /// The base year this scenario's demand answers to price from: the dataset with the
    /// scenario's `[[demand.od]]` factors (the calibration of the base-year matrix) and
    /// nothing else.
    fn base_year(&self, ds: &Dataset) -> Dataset {
        let mut base = ds.clone();
        for f in &self.demand.od {
            // A factor out of range is reported by `grow_demand`; here it is left out.
            if limits::OD_FACTOR.accepts(f.factor) {
                f.scale(&mut base);
            }
        }
        base
    }

    /// Applies the scenario to `ds`, reporting every unknown id or bad value (as `file`).
    pub fn apply(&self, ds: &Dataset, file: &str) -> Result<Applied, Problems> {
        let mut p = Problems::default();
        let base = Arc::new(self.base_year(ds));
        let mut ds = ds.clone();
        let year = self.year.unwrap_or(ds.manifest.base_year);

        let link_ids: HashSet<&str> = ds.links.iter().map(|l| l.id.as_str()).collect();
        let crossing_ids: HashSet<&str> = ds.crossings.iter().map(|c| c.id.as_str()).collect();
        let mut closed: HashSet<String> = HashSet::new();
        for id in &self.closures {
            if link_ids.contains(id.as_str()) || crossing_ids.contains(id.as_str()) {
                closed.insert(id.clone());
            } else if let Some(found) = ds.crossings_between(id) {
                if found.is_empty() {
                    p.push(
                        file,
                        None,
                        Some("closures"),
                        format!("no crossing between the countries of `{id}`"),
                    );
                }
                closed.extend(found.into_iter().map(|i| ds.crossings[i].id.clone()));
            } else {
                p.push(
                    file,
                    None,
                    Some("closures"),
                    format!("`{id}` is neither a link or crossing id nor a pair of countries such as AFG-PAK"),
                );
            }
        }
        if let Some(y) = self.year {
            if let Err(e) = limits::YEAR.check(f64::from(y)) {
                p.push(file, None, Some("year"), e);
            }
        }
        let projects = ds.project_ids();
        for id in self.projects.keys() {
            if !projects.contains(id.as_str()) {
                let mut known: Vec<&str> = projects.iter().copied().collect();
                known.sort();
                p.push(
                    file,
                    None,
                    Some("projects"),
                    format!("unknown project `{id}`; known: {}", known.join(", ")),
                );
            }
        }
        let is_open = |id: &str, status: Status, opens: Option<i32>, project: Option<&String>| {
            if closed.contains(id) {
                return false;
            }
            let opens = match project.and_then(|pr| self.projects.get(pr)) {
                Some(ProjectSetting::On(on)) => return *on,
                Some(ProjectSetting::OpensIn(y)) => Some(*y),
                None if status == Status::Existing => return true,
                None => opens,
            };
            opens.is_some_and(|y| y <= year)
        };
        let link_open = ds
            .links
            .iter()
            .map(|l| is_open(&l.id, l.status, l.opens_year, l.project.as_ref()))
            .collect();
        let crossing_open = ds
            .crossings
            .iter()
            .map(|c| is_open(&c.id, c.status, c.opens_year, c.project.as_ref()))
            .collect();

        self.apply_upgrades(&mut ds, year);
        for change in &self.tariffs {
            apply_tariff(&mut ds, change, file, &mut p);
        }
        self.grow_demand(&mut ds, year, file, &mut p);
        for (name, value) in &self.parameters {
            if !PARAMETERS.iter().any(|q| q.name == name) {
                p.push(
                    file,
                    None,
                    Some("parameters"),
                    format!("unknown parameter `{name}`"),
                );
            } else if let Some(q) = crate::schema::parameter(name).filter(|q| !q.accepts(*value)) {
                p.push(
                    file,
                    None,
                    Some("parameters"),
                    format!(
                        "`{name}` is {}: it must be {}",
                        crate::schema::number_text(*value),
                        q.range()
                    ),
                );
            } else if let Some(s) = ds.manifest.parameters.get_mut(name) {
                s.value = *value;
                s.source = format!("scenario {file}");
            }
        }
        let a = &self.assignment;
        if let Some(m) = &a.method {
            if !ASSIGNMENT_METHODS.contains(&m.as_str()) {
                p.push(
                    file,
                    None,
                    Some("assignment.method"),
                    format!("`{m}` must be one of: {}", ASSIGNMENT_METHODS.join(", ")),
                );
            }
        }
        for d in &self.disruptions {
            for (key, limit, v) in [
                ("disruption.start_day", limits::START_DAY, Some(d.start_day)),
                ("disruption.days", limits::CLOSURE_DAYS, Some(d.days)),
                (
                    "disruption.capacity_share",
                    limits::CAPACITY_SHARE,
                    d.capacity_share,
                ),
            ] {
                if let Some(Err(e)) = v.map(|v| limit.check(v)) {
                    p.push(file, None, Some(key), e);
                }
            }
            for c in &d.close {
                let known = ds.links.iter().any(|l| &l.id == c)
                    || ds.crossings.iter().any(|x| &x.id == c)
                    || ds.crossings_between(c).is_some_and(|f| !f.is_empty());
                if !known {
                    p.push(file, None, Some("disruption.close"), format!("`{c}` is neither a link or crossing id nor a pair of countries such as AFG-PAK"));
                }
            }
        }
        let g = &self.game;
        let mut seen = HashSet::new();
        for player in g.players.iter().flatten() {
            if !ds.countries.iter().any(|c| &c.iso3 == player) {
                p.push(
                    file,
                    None,
                    Some("game.players"),
                    format!("unknown country `{player}`"),
                );
            } else if !seen.insert(player.as_str()) {
                p.push(
                    file,
                    None,
                    Some("game.players"),
                    format!("`{player}` is named twice"),
                );
            }
        }
        for (key, limit, v) in [
            ("assignment.gap", limits::GAP, a.gap),
            (
                "assignment.dispersion",
                limits::LOGIT_DISPERSION,
                a.dispersion,
            ),
            (
                "assignment.max_iterations",
                limits::MAX_ITERATIONS,
                a.max_iterations.map(|n| n as f64),
            ),
            (
                "assignment.routes_per_od",
                limits::ROUTES_PER_OD,
                a.routes_per_od.map(|n| n as f64),
            ),
            (
                "game.max_multiplier",
                limits::MAX_MULTIPLIER,
                g.max_multiplier,
            ),
            (
                "game.outside_markup",
                limits::OUTSIDE_MARKUP,
                g.outside_markup,
            ),
            ("game.dispersion", limits::PRICE_DISPERSION, g.dispersion),
            (
                "game.shipper_weight",
                limits::SHIPPER_WEIGHT,
                g.shipper_weight,
            ),
            (
                "game.carrying_cost_usd_per_tkm",
                limits::CARRYING_COST,
                g.carrying_cost_usd_per_tkm,
            ),
        ] {
            if let Some(Err(e)) = v.map(|v| limit.check(v)) {
                p.push(file, None, Some(key), e);
            }
        }
        if let Some(text) = &self.text {
            locate_problems(&mut p, text);
        }
        let name = self.name.clone().unwrap_or_else(|| {
            Path::new(file)
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default()
        });
        p.into_result(Applied {
            name,
            year,
            dataset: ds,
            link_open,
            crossing_open,
            assignment: self.assignment.clone(),
            game: self.game.clone(),
            disruptions: self.disruptions.clone(),
            price_response: !self.demand.fixed,
            base,
            base_year_costs: Arc::default(),
        })
    }

    /// Crossings take the values of the upgrade projects built by `year`.
    fn apply_upgrades(&self, ds: &mut Dataset, year: i32) {
        let built = |project: &str| match self.projects.get(project) {
            Some(ProjectSetting::On(on)) => *on,
            Some(ProjectSetting::OpensIn(y)) => *y <= year,
            None => false,
        };
        let upgrades: Vec<Upgrade> = ds
            .upgrades
            .iter()
            .filter(|u| built(&u.project))
            .cloned()
            .collect();
        // Several upgrades of one crossing add up: each takes off the dwell it saves and
        // adds the fee it changes; the capacity is the largest.
        let today: HashMap<String, (f64, f64)> = ds
            .crossings
            .iter()
            .map(|c| (c.id.clone(), (c.dwell_hours, c.fee_usd_per_t)))
            .collect();
        for u in upgrades {
            let Some(&(dwell, fee)) = today.get(&u.crossing) else {
                continue;
            };
            if let Some(c) = ds.crossings.iter_mut().find(|c| c.id == u.crossing) {
                if let Some(d) = u.dwell_hours {
                    c.dwell_hours = (c.dwell_hours - (dwell - d)).max(0.0);
                }
                if let Some(f) = u.fee_usd_per_t {
                    c.fee_usd_per_t = (c.fee_usd_per_t + (f - fee)).max(0.0);
                }
                if let Some(cap) = u.capacity_t_per_day {
                    c.capacity_t_per_day = Some(c.capacity_t_per_day.map_or(cap, |x| x.max(cap)));
                }
            }
        }
    }

    fn grow_demand(&self, ds: &mut Dataset, year: i32, file: &str, p: &mut Problems) {
        let commodities: HashSet<&str> = ds.commodities.iter().map(|c| c.id.as_str()).collect();
        for k in self.demand.by_commodity.keys() {
            if !commodities.contains(k.as_str()) {
                p.push(
                    file,
                    None,
                    Some("demand.by_commodity"),
                    format!("unknown commodity `{k}`"),
                );
            }
        }
        let rates = std::iter::once((
            "demand.growth_percent_per_year".to_string(),
            self.demand.growth_percent_per_year,
        ))
        .chain(
            self.demand
                .by_commodity
                .iter()
                .map(|(k, v)| (format!("demand.by_commodity.{k}"), *v)),
        );
        let mut rates_ok = true;
        for (key, rate) in rates {
            if let Err(e) = limits::GROWTH_PERCENT.check(rate) {
                p.push(file, None, Some(&key), e);
                rates_ok = false;
            }
        }
        if !rates_ok {
            return;
        }
        for f in &self.demand.od {
            if let Err(e) = limits::OD_FACTOR.check(f.factor) {
                p.push(file, None, Some("demand.od.factor"), e);
                continue;
            }
            if !f.scale(ds) {
                p.push(
                    file,
                    None,
                    Some("demand.od"),
                    format!(
                        "no demand row from `{}` to `{}` of `{}`",
                        f.origin, f.destination, f.commodity
                    ),
                );
            }
        }
        let years = (year - ds.manifest.base_year) as f64;
        let mut too_large = None;
        for d in &mut ds.demand {
            let rate = self
                .demand
                .by_commodity
                .get(&d.commodity)
                .copied()
                .unwrap_or(self.demand.growth_percent_per_year);
            d.tonnes_per_year *= (1.0 + rate / 100.0).powf(years);
            if !limits::DEMAND_TONNES.accepts(d.tonnes_per_year) && too_large.is_none() {
                too_large = Some(d.tonnes_per_year);
            }
        }
        if let Some(t) = too_large {
            p.push(
                file,
                None,
                Some("demand.growth_percent_per_year"),
                format!(
                    "growing demand from {} to {year} gives {t:e} t/year on one row; it must be {}",
                    ds.manifest.base_year,
                    limits::DEMAND_TONNES.range()
                ),
            );
        }
    }
}

/// Gives a line to the problems that have none, from the scenario's text: the line of
/// the value a message quotes (`` `x` ``), else of the key it names.
fn locate_problems(p: &mut Problems, text: &str) {
    let lines: Vec<&str> = text.lines().collect();
    let find = |needle: &dyn Fn(&str) -> bool| {
        lines
            .iter()
            .position(|l| {
                let code = l.split('#').next().unwrap_or("");
                needle(code)
            })
            .map(|i| i as u64 + 1)
    };
    for problem in p.0.iter_mut().filter(|q| q.line.is_none()) {
        let quoted = problem
            .message
            .split('`')
            .nth(1)
            .filter(|q| !q.is_empty())
            .map(str::to_string);
        let key = problem
            .column
            .as_deref()
            .and_then(|c| c.rsplit('.').next())
            .map(str::to_string);
        let by_value = quoted.as_deref().and_then(|q| {
            let quoted_value = format!("\"{q}\"");
            find(&|l: &str| {
                l.contains(&quoted_value)
                    || l.trim_start()
                        .strip_prefix(q)
                        .is_some_and(|r| r.trim_start().starts_with('='))
            })
        });
        let by_key = || {
            key.as_deref().and_then(|k| {
                find(&|l: &str| {
                    l.trim_start()
                        .strip_prefix(k)
                        .is_some_and(|r| r.trim_start().starts_with('='))
                        || l.trim() == format!("[{k}]")
                        || l.trim() == format!("[[{k}]]")
                })
            })
        };
        problem.line = by_value.or_else(by_key);
    }
}

fn apply_tariff(ds: &mut Dataset, change: &TariffChange, file: &str, p: &mut Problems) {
    if !ds.countries.iter().any(|c| c.iso3 == change.country) {
        p.push(
            file,
            None,
            Some("tariff.country"),
            format!("unknown country `{}`", change.country),
        );
        return;
    }
    let kinds: &[TariffKind] = match change.kind.as_deref() {
        None | Some("transit") => &[TariffKind::Transit],
        Some("domestic") => &[TariffKind::Domestic],
        Some("both") => &[TariffKind::Transit, TariffKind::Domestic],
        Some(other) => {
            p.push(
                file,
                None,
                Some("tariff.kind"),
                format!("`{other}` must be transit, domestic or both"),
            );
            return;
        }
    };
    if matches!(change.mode, Some(Mode::Sea)) {
        p.push(
            file,
            None,
            Some("tariff.mode"),
            "sea carries no country tariff; use rail or road",
        );
        return;
    }
    let commodity = change.commodity.clone().filter(|c| c != "*");
    if let Some(k) = &commodity {
        if !ds.commodities.iter().any(|c| &c.id == k) {
            p.push(
                file,
                None,
                Some("tariff.commodity"),
                format!("unknown commodity `{k}`"),
            );
            return;
        }
    }
    if change.percent.is_none() && change.usd_per_tkm.is_none() && change.usd_per_t.is_none() {
        p.push(
            file,
            None,
            Some("tariff"),
            "gives no change: set percent, usd_per_tkm or usd_per_t",
        );
        return;
    }
    if change.percent.is_some() && (change.usd_per_tkm.is_some() || change.usd_per_t.is_some()) {
        p.push(
            file,
            None,
            Some("tariff.percent"),
            "give either percent or new values (usd_per_tkm, usd_per_t), not both",
        );
        return;
    }
    let mut in_range = true;
    for (key, limit, v) in [
        ("tariff.percent", limits::TARIFF_PERCENT, change.percent),
        (
            "tariff.usd_per_tkm",
            limits::TARIFF_USD_PER_TKM,
            change.usd_per_tkm,
        ),
        (
            "tariff.usd_per_t",
            limits::TARIFF_USD_PER_T,
            change.usd_per_t,
        ),
    ] {
        if let Some(Err(e)) = v.map(|v| limit.check(v)) {
            p.push(file, None, Some(key), e);
            in_range = false;
        }
    }
    if !in_range {
        return;
    }
    let modes: &[Mode] = match change.mode {
        Some(Mode::Rail) => &[Mode::Rail],
        Some(Mode::Road) => &[Mode::Road],
        _ => &[Mode::Rail, Mode::Road],
    };
    for &mode in modes {
        for &kind in kinds {
            // A commodity-specific change needs its own row, starting from the `*` row.
            if let Some(k) = &commodity {
                let has_own = ds.tariffs.iter().any(|t| {
                    t.country == change.country
                        && t.mode == mode
                        && t.kind == kind
                        && &t.commodity == k
                });
                if !has_own {
                    let general = ds
                        .tariffs
                        .iter()
                        .find(|t| {
                            t.country == change.country
                                && t.mode == mode
                                && t.kind == kind
                                && t.commodity == "*"
                        })
                        .cloned();
                    let mut row = general.unwrap_or(Tariff {
                        country: change.country.clone(),
                        mode,
                        commodity: "*".into(),
                        kind,
                        usd_per_tkm: 0.0,
                        usd_per_t: 0.0,
                        source: String::new(),
                        line: 0,
                    });
                    row.commodity = k.clone();
                    ds.tariffs.push(row);
                }
            } else if !ds.tariffs.iter().any(|t| {
                t.country == change.country
                    && t.mode == mode
                    && t.kind == kind
                    && t.commodity == "*"
            }) {
                ds.tariffs.push(Tariff {
                    country: change.country.clone(),
                    mode,
                    commodity: "*".into(),
                    kind,
                    usd_per_tkm: 0.0,
                    usd_per_t: 0.0,
                    source: String::new(),
                    line: 0,
                });
            }
            for t in ds.tariffs.iter_mut().filter(|t| {
                t.country == change.country
                    && t.mode == mode
                    && t.kind == kind
                    && commodity.as_ref().is_none_or(|k| &t.commodity == k)
            }) {
                if let Some(pct) = change.percent {
                    let f = 1.0 + pct / 100.0;
                    t.usd_per_tkm *= f;
                    t.usd_per_t *= f;
                }
                if let Some(v) = change.usd_per_tkm {
                    t.usd_per_tkm = v;
                }
                if let Some(v) = change.usd_per_t {
                    t.usd_per_t = v;
                }
                t.source = format!("scenario {file} (was: {})", t.source);
            }
        }
    }
}

/// The commented example that `karvan scenario new` writes.
pub const EXAMPLE: &str = r#"# A Karvan scenario: a base dataset and the changes to it, keyed by dataset ids.
# Run it with `karvan run THIS_FILE`; ids are listed by `karvan list nodes|links|crossings|projects`.

name = "my-scenario"
description = "What this scenario asks."

# An embedded dataset's name, or a dataset folder relative to this file.
base = "central-asia-afghanistan"

# The scenario this one builds on (a file next to this one, a saved or a shipped
# scenario): "today" is the calibrated base year. Its settings apply first, these on top.
extends = "today"

# The year modelled: links and crossings open when their opening year is at most this,
# and demand grows from the dataset's base year. Leave it out for the base year; a later
# year opens every project due by then.
# year = 2030

# Links or crossings (ids) that are closed, e.g. a border shut by a dispute.
closures = []
# closures = ["torkham-road", "chaman-road"]

# Projects switched on (true), off (false), or opening in a given year.
[projects]
# trans-afghan-railway = 2030

# Changes to levies (tariffs.csv: what governments and state railways charge, not the
# carriers' rates): by country (ISO3), optionally mode (rail | road), commodity (id or "*")
# and kind (transit | domestic | both; default transit). Either a change in percent,
# or new values.
# [[tariff]]
# country = "UZB"
# mode = "rail"
# percent = -30
#
# [[tariff]]
# country = "AFG"
# mode = "road"
# commodity = "grain"
# usd_per_tkm = 0.01

# Demand growth from the dataset's base year to `year`, compounding. Trade answers to
# price (a dearer route ships less); `fixed = true` holds every row at its tonnes.
[demand]
growth_percent_per_year = 0.0
# fixed = true
# [demand.by_commodity]
# grain = 4.0

# Parameter overrides (names as in `karvan schema`).
[parameters]
# time_value_share_per_year = 0.3

# Route choice: "equilibrium" (congested crossings and lines, the default), "logit"
# (stochastic: shippers also weigh what the costs leave out) or "aon" (cheapest route).
[assignment]
# method = "equilibrium"
# gap = 1e-8
# dispersion = 0.05        # logit only: per USD/t; larger means closer to equilibrium
# routes_per_od = 4        # logit only

# Closures during the year, for `karvan risk` (ids, or country pairs such as AFG-PAK).
# [[disruption]]
# close = ["AFG-PAK"]
# start_day = 285       # day of the year: 1 = 1 January, 285 = 12 October
# days = 60
# capacity_share = 0.5   # a partial closure: half the capacity left (needs a capacity)

# The transit-tariff game (`karvan game`): who plays, and how freight answers to price.
[game]
# players = ["KAZ", "UZB", "TKM", "TJK", "AFG", "PAK", "IRN"]
# max_multiplier = 4.0          # highest multiplier on today's transit tariffs
# outside_markup = 0.3          # the outside option costs 30 % more than today's cheapest route
# dispersion = 8.0              # shippers' sensitivity to cost, per cheapest-route cost
# shipper_weight = 0.0          # weight of own shippers' surplus in a country's payoff
# carrying_cost_usd_per_tkm = 0.005
"#;
