//! The model solved for the appraisal: every combination of the schemes, at every
//! solved year, in every variant of the inputs the sensitivity needs; each run kept as a
//! [`Snapshot`] of what the appraisal reads from it.

use std::collections::{BTreeMap, HashMap};

use karvan_data::scenario::ProjectSetting;
use karvan_data::{Applied, Dataset, Problems, Scenario};
use karvan_model::{run, Model, RunResults};
use rayon::prelude::*;

use super::{Scheme, Settings};

/// A variant of the inputs that needs the model solved again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Variant {
    Central,
    GrowthLow,
    GrowthHigh,
    LeviesLow,
    LeviesHigh,
}

impl Variant {
    pub const ALL: [Variant; 5] = [
        Variant::Central,
        Variant::GrowthLow,
        Variant::GrowthHigh,
        Variant::LeviesLow,
        Variant::LeviesHigh,
    ];
}

/// A demand row's state in one run.
#[derive(Debug, Clone, PartialEq)]
pub struct RowState {
    pub origin_country: String,
    pub destination_country: String,
    pub tonnes: f64,
    /// Generalized cost, USD/t.
    pub cost_usd_per_t: f64,
    /// Levies paid to each country, USD/t.
    pub levies_usd_per_t: BTreeMap<String, f64>,
}

/// What the appraisal reads from one run.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    /// Routed demand rows by index in the dataset.
    pub rows: HashMap<usize, RowState>,
    /// Levies each country receives (tariffs and border fees), USD/year.
    pub levies: BTreeMap<String, f64>,
    /// What carriers and terminals take in each country, USD/year.
    pub market: BTreeMap<String, f64>,
    /// Tonnes whose routes use each scheme (by index in the settings), whether open or not.
    pub scheme_tonnes: Vec<f64>,
    pub routed_tonnes: f64,
}

/// The key of a run: variant, the set of schemes built (a bit per scheme), year.
pub type RunKey = (Variant, usize, i32);

/// The projects switched on (`true`) or off for the schemes in `mask`; every project of
/// every scheme is set, so a planned project never opens by its own date in a case that
/// leaves it out.
pub fn project_settings(schemes: &[Scheme], mask: usize) -> BTreeMap<String, ProjectSetting> {
    let mut out = BTreeMap::new();
    for (i, s) in schemes.iter().enumerate() {
        for p in &s.projects {
            let on = mask >> i & 1 == 1;
            let e = out.entry(p.clone()).or_insert(ProjectSetting::On(false));
            if on {
                *e = ProjectSetting::On(true);
            }
        }
    }
    out
}

/// The scenario of one run: the appraised scenario in `year`, with the schemes of
/// `mask` built and demand growing at the variant's rate.
fn variant_scenario(
    base: &Scenario,
    settings: &Settings,
    (variant, mask, year): RunKey,
) -> Scenario {
    let mut s = base.clone();
    s.year = Some(year);
    s.projects.extend(project_settings(&settings.schemes, mask));
    let shift = match variant {
        Variant::GrowthLow => -settings.growth_spread_points,
        Variant::GrowthHigh => settings.growth_spread_points,
        _ => 0.0,
    };
    s.demand.growth_percent_per_year = settings.growth_percent + shift;
    for rate in s.demand.by_commodity.values_mut() {
        *rate += shift;
    }
    s
}

/// Levies (tariffs and border fees) multiplied by `factor`: the tariff-level variants.
fn scale_levies(applied: &mut Applied, factor: f64) {
    for t in &mut applied.dataset.tariffs {
        t.usd_per_tkm *= factor;
        t.usd_per_t *= factor;
    }
    for c in &mut applied.dataset.crossings {
        c.fee_usd_per_t *= factor;
    }
}

/// What the runs share: the applied base run, whose base year's costs every run
/// answers to price from (solved once).
pub struct Prepared {
    shared: Applied,
}

/// Checks the scenario of every solved year with every scheme built (an unknown project,
/// a year out of range), so that problems are reported before anything is solved.
pub fn prepare(
    ds: &Dataset,
    base: &Scenario,
    settings: &Settings,
    file: &str,
) -> Result<Prepared, Problems> {
    let all = (1usize << settings.schemes.len()) - 1;
    let mut shared = None;
    for &year in &settings.solved_years {
        let applied =
            variant_scenario(base, settings, (Variant::Central, all, year)).apply(ds, file)?;
        shared.get_or_insert(applied);
    }
    match shared {
        Some(shared) => Ok(shared).map(|shared| Prepared { shared }),
        None => {
            let mut p = Problems::default();
            p.push(file, None, None, "no year to solve");
            Err(p)
        }
    }
}

/// Why the runs did not all finish.
pub enum Halt {
    /// `stop` answered true.
    Stopped,
    /// A run's scenario could not be applied.
    Problems(Problems),
}

/// Applies and solves every run in parallel, calling `progress` after each and asking
/// `stop` before each.
#[allow(clippy::too_many_arguments)]
pub fn solve_all(
    ds: &Dataset,
    base: &Scenario,
    settings: &Settings,
    prepared: &Prepared,
    keys: &[RunKey],
    file: &str,
    progress: &(dyn Fn() + Sync),
    stop: &(dyn Fn() -> bool + Sync),
) -> Result<BTreeMap<RunKey, Snapshot>, Halt> {
    keys.par_iter()
        .map(|&key| {
            if stop() {
                return Err(Halt::Stopped);
            }
            let mut applied = variant_scenario(base, settings, key)
                .apply(ds, file)
                .map_err(Halt::Problems)?;
            applied.base = prepared.shared.base.clone();
            applied.base_year_costs = prepared.shared.base_year_costs.clone();
            match key.0 {
                Variant::LeviesLow => scale_levies(&mut applied, settings.levies_low),
                Variant::LeviesHigh => scale_levies(&mut applied, settings.levies_high),
                _ => {}
            }
            let elements = scheme_elements(&applied.dataset, &settings.schemes);
            let countries = node_countries(&applied.dataset);
            let results = run(&Model::new(applied), settings.choice);
            let snap = snapshot(&results, &elements, &countries);
            progress();
            Ok((key, snap))
        })
        .collect()
}

/// The link and crossing ids of each scheme (the crossings an upgrade changes count as
/// the upgrade's).
pub fn scheme_elements(ds: &Dataset, schemes: &[Scheme]) -> Vec<Vec<String>> {
    schemes
        .iter()
        .map(|s| {
            let of = |p: &Option<String>| p.as_ref().is_some_and(|p| s.projects.contains(p));
            ds.links
                .iter()
                .filter(|l| of(&l.project))
                .map(|l| l.id.clone())
                .chain(
                    ds.crossings
                        .iter()
                        .filter(|c| of(&c.project))
                        .map(|c| c.id.clone()),
                )
                .chain(
                    ds.upgrades
                        .iter()
                        .filter(|u| s.projects.contains(&u.project))
                        .map(|u| u.crossing.clone()),
                )
                .collect()
        })
        .collect()
}

fn node_countries(ds: &Dataset) -> HashMap<String, String> {
    ds.nodes
        .iter()
        .map(|n| (n.id.clone(), n.country.clone()))
        .collect()
}

/// What the appraisal keeps of a run.
pub fn snapshot(
    r: &RunResults,
    scheme_elements: &[Vec<String>],
    countries: &HashMap<String, String>,
) -> Snapshot {
    let country = |node: &str| countries.get(node).cloned().unwrap_or_default();
    let rows =
        r.od.iter()
            .map(|od| {
                (
                    od.row,
                    RowState {
                        origin_country: country(&od.origin),
                        destination_country: country(&od.destination),
                        tonnes: od.tonnes,
                        cost_usd_per_t: od.cost_usd_per_t,
                        levies_usd_per_t: od.levies_usd_per_t.clone(),
                    },
                )
            })
            .collect();
    let scheme_tonnes = scheme_elements
        .iter()
        .map(|ids| {
            r.od.iter()
                .map(|od| {
                    ids.iter()
                        .filter_map(|id| od.elements.get(id))
                        .fold(0.0, |a: f64, &t| a.max(t))
                })
                .sum()
        })
        .collect();
    Snapshot {
        rows,
        levies: r
            .revenue
            .iter()
            .map(|c| (c.country.clone(), c.levies_usd()))
            .collect(),
        market: r
            .revenue
            .iter()
            .map(|c| (c.country.clone(), c.carrier_freight_usd + c.handling_usd))
            .collect(),
        scheme_tonnes,
        routed_tonnes: r.routed_tonnes,
    }
}
