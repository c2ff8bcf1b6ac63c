//! Resilience: what closures cost. Closing an element reroutes its cargo at the cost of
//! the detour, or, where no route is left, turns it into lost trade (reported, never
//! dropped). Closures last part of a year, so annual results weight the closed and open
//! periods. On top of that: a criticality scan over every link and crossing, Monte Carlo
//! years with closures sampled from their probabilities, and how diversified each
//! country's trade is.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Mutex;

use karvan_data::Applied;
use karvan_model::{run, Model, RouteChoice, RunResults};
use rand::{Rng, SeedableRng};
use rayon::prelude::*;
use serde::Serialize;

/// A link or crossing, by its index in the dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Element {
    Link(usize),
    Crossing(usize),
}

/// What a year (or a state of the network) costs.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Annual {
    /// Σ tonnes × generalized cost of the routed trade, USD/year.
    pub cost_usd: f64,
    /// Tonnes with no route, and tonnes not shipped because the closures made their
    /// route dearer than the base year (lost trade).
    pub lost_tonnes: f64,
    /// Tonnes shipped beyond the matrix where the closures made a row cheaper (another
    /// row's detour relieving its congestion): routed = matrix − lost + generated.
    pub generated_tonnes: f64,
    /// Lost tonnes by origin country (ISO3).
    pub lost_by_country: BTreeMap<String, f64>,
    /// Cost of routed trade by origin country.
    pub cost_by_country: BTreeMap<String, f64>,
    pub corridor_tonnes: BTreeMap<String, f64>,
}

impl Annual {
    fn of(applied: &Applied, r: &RunResults) -> Annual {
        let ds = &applied.dataset;
        let country = |id: &str| ds.node(id).map(|n| n.country.clone()).unwrap_or_default();
        let mut a = Annual::default();
        for od in &r.od {
            // Tonnes that no longer ship for the price lose, by the rule of a half, half
            // the rise of their cost over the base year: they are counted at the midpoint.
            let lost = (od.matrix_tonnes - od.tonnes).max(0.0);
            let midpoint = (od.cost_usd_per_t
                + od.base_year_cost_usd_per_t.unwrap_or(od.cost_usd_per_t))
                / 2.0;
            let c = od.tonnes * od.cost_usd_per_t + lost * midpoint;
            a.cost_usd += c;
            a.lost_tonnes += lost;
            a.generated_tonnes += (od.tonnes - od.matrix_tonnes).max(0.0);
            *a.cost_by_country.entry(country(&od.origin)).or_default() += c;
            if lost > 0.0 {
                *a.lost_by_country.entry(country(&od.origin)).or_default() += lost;
            }
        }
        for u in &r.unroutable {
            a.lost_tonnes += u.tonnes;
            *a.lost_by_country.entry(country(&u.origin)).or_default() += u.tonnes;
        }
        for c in &r.corridors {
            a.corridor_tonnes.insert(c.corridor.clone(), c.tonnes);
        }
        a
    }

    /// `Σ wᵢ · stateᵢ`.
    fn weighted(parts: &[(f64, &Annual)]) -> Annual {
        let mut a = Annual::default();
        for (w, p) in parts {
            a.cost_usd += w * p.cost_usd;
            a.lost_tonnes += w * p.lost_tonnes;
            a.generated_tonnes += w * p.generated_tonnes;
            for (k, v) in &p.lost_by_country {
                *a.lost_by_country.entry(k.clone()).or_default() += w * v;
            }
            for (k, v) in &p.cost_by_country {
                *a.cost_by_country.entry(k.clone()).or_default() += w * v;
            }
            for (k, v) in &p.corridor_tonnes {
                *a.corridor_tonnes.entry(k.clone()).or_default() += w * v;
            }
        }
        a
    }
}

/// Solves network states (sets of closed elements) of one scenario, remembering each.
pub struct Evaluator<'a> {
    base: &'a Applied,
    choice: RouteChoice,
    /// Elements that keep this share of their capacity when "closed" (partial closures).
    partial: HashMap<Element, f64>,
    cache: Mutex<HashMap<BTreeSet<Element>, Annual>>,
}

impl<'a> Evaluator<'a> {
    pub fn new(base: &'a Applied, choice: RouteChoice) -> Evaluator<'a> {
        Evaluator {
            base,
            choice,
            partial: HashMap::new(),
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// Makes the closures of these elements partial: each keeps the given share of its
    /// capacity instead of shutting. Every element needs a capacity in the dataset.
    pub fn with_partial(mut self, partial: HashMap<Element, f64>) -> Result<Evaluator<'a>, String> {
        let ds = &self.base.dataset;
        for (&e, &share) in &partial {
            let has = match e {
                Element::Link(i) => ds.links[i].capacity_t_per_year.is_some(),
                Element::Crossing(i) => ds.crossings[i].capacity_t_per_day.is_some(),
            };
            if !has {
                let id = match e {
                    Element::Link(i) => &ds.links[i].id,
                    Element::Crossing(i) => &ds.crossings[i].id,
                };
                return Err(format!(
                    "`{id}` has no capacity in the dataset, so it cannot be cut to a share of it"
                ));
            }
            if !(0.0..=1.0).contains(&share) {
                return Err(format!(
                    "a capacity share must be between 0 and 1, not {share}"
                ));
            }
        }
        self.partial = partial;
        Ok(self)
    }

    /// The year-long result of the network with `closed` shut.
    pub fn state(&self, closed: &BTreeSet<Element>) -> Annual {
        if let Some(a) = self.cache.lock().ok().and_then(|c| c.get(closed).cloned()) {
            return a;
        }
        let mut applied = self.base.clone();
        for e in closed {
            let share = self.partial.get(e).copied().filter(|s| *s > 0.0);
            match (*e, share) {
                (Element::Link(i), None) => applied.link_open[i] = false,
                (Element::Crossing(i), None) => applied.crossing_open[i] = false,
                (Element::Link(i), Some(s)) => {
                    let c = &mut applied.dataset.links[i].capacity_t_per_year;
                    *c = c.map(|c| c * s);
                }
                (Element::Crossing(i), Some(s)) => {
                    let c = &mut applied.dataset.crossings[i].capacity_t_per_day;
                    *c = c.map(|c| c * s);
                }
            }
        }
        let model = Model::new(applied);
        let r = run(&model, self.choice);
        let a = Annual::of(&model.applied, &r);
        if let Ok(mut c) = self.cache.lock() {
            c.insert(closed.clone(), a.clone());
        }
        a
    }

    /// A year with closures `(element, start day, days)`: the year is cut where the set
    /// of closed elements changes and each stretch is weighted by its length.
    pub fn year(&self, closures: &[(Element, f64, f64)]) -> Annual {
        let mut cuts: Vec<f64> = vec![0.0, 365.0];
        for &(_, start, days) in closures {
            cuts.push(start.clamp(0.0, 365.0));
            cuts.push((start + days).clamp(0.0, 365.0));
        }
        cuts.sort_by(f64::total_cmp);
        cuts.dedup();
        let mut parts: Vec<(f64, Annual)> = Vec::new();
        for w in cuts.windows(2) {
            let (a, b) = (w[0], w[1]);
            if b <= a {
                continue;
            }
            let mid = (a + b) / 2.0;
            let closed: BTreeSet<Element> = closures
                .iter()
                .filter(|&&(_, s, d)| s <= mid && mid < s + d)
                .map(|c| c.0)
                .collect();
            parts.push(((b - a) / 365.0, self.state(&closed)));
        }
        let refs: Vec<(f64, &Annual)> = parts.iter().map(|(w, a)| (*w, a)).collect();
        Annual::weighted(&refs)
    }
}

/// The elements open in the base scenario.
pub fn open_elements(applied: &Applied) -> Vec<Element> {
    let links = applied
        .link_open
        .iter()
        .enumerate()
        .filter(|(_, o)| **o)
        .map(|(i, _)| Element::Link(i));
    let crossings = applied
        .crossing_open
        .iter()
        .enumerate()
        .filter(|(_, o)| **o)
        .map(|(i, _)| Element::Crossing(i));
    links.chain(crossings).collect()
}

/// One row of the criticality ranking.
#[derive(Debug, Clone, Serialize)]
pub struct Criticality {
    pub element: Element,
    pub id: String,
    pub name: String,
    /// Extra generalized cost of rerouted trade, USD/year, with the element closed all year.
    pub extra_cost_usd: f64,
    /// Trade with no route left, t/year.
    pub lost_tonnes: f64,
}

/// Closes each open element in turn (all year) and ranks them by lost trade, then by the
/// extra cost of the detours. Runs in parallel; `progress` is called once per element.
pub fn criticality(ev: &Evaluator, progress: &(dyn Fn() + Sync)) -> Vec<Criticality> {
    criticality_until(ev, progress, &|| false)
}

/// As [`criticality`], asking `stop` before each element: once it answers true the
/// elements not yet solved are left out, so the ranking is incomplete.
pub fn criticality_until(
    ev: &Evaluator,
    progress: &(dyn Fn() + Sync),
    stop: &(dyn Fn() -> bool + Sync),
) -> Vec<Criticality> {
    let ds = &ev.base.dataset;
    let base = ev.state(&BTreeSet::new());
    let mut rows: Vec<Criticality> = open_elements(ev.base)
        .into_par_iter()
        .filter(|_| !stop())
        .map(|e| {
            let a = ev.state(&BTreeSet::from([e]));
            progress();
            let (id, name) = match e {
                Element::Link(i) => (ds.links[i].id.clone(), ds.links[i].name.clone()),
                Element::Crossing(i) => (ds.crossings[i].id.clone(), ds.crossings[i].name.clone()),
            };
            Criticality {
                element: e,
                id,
                name,
                extra_cost_usd: a.cost_usd - base.cost_usd,
                lost_tonnes: a.lost_tonnes - base.lost_tonnes,
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        b.lost_tonnes
            .total_cmp(&a.lost_tonnes)
            .then(b.extra_cost_usd.total_cmp(&a.extra_cost_usd))
            .then(a.id.cmp(&b.id))
    });
    rows
}

/// Closure probabilities for the Monte Carlo: each element closes at most once a year
/// with probability `p(element)`, for `days` days, starting on a uniform day.
pub struct ClosureModel {
    pub probability: Vec<(Element, f64)>,
    pub days: f64,
}

/// Distribution of one quantity over the Monte Carlo years.
#[derive(Debug, Clone, Serialize)]
pub struct Distribution {
    pub mean: f64,
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
}

impl Distribution {
    fn of(mut v: Vec<f64>) -> Distribution {
        v.sort_by(f64::total_cmp);
        let q = |p: f64| {
            v.get(((v.len() as f64 - 1.0) * p).round() as usize)
                .copied()
                .unwrap_or(0.0)
        };
        let mean = if v.is_empty() {
            0.0
        } else {
            v.iter().sum::<f64>() / v.len() as f64
        };
        Distribution {
            mean,
            p50: q(0.5),
            p95: q(0.95),
            p99: q(0.99),
        }
    }
}

/// What the Monte Carlo reports.
#[derive(Debug, Clone, Serialize)]
pub struct MonteCarlo {
    pub samples: usize,
    pub seed: u64,
    pub cost_usd: Distribution,
    pub lost_tonnes: Distribution,
    pub lost_by_country: BTreeMap<String, Distribution>,
    pub corridor_tonnes: BTreeMap<String, Distribution>,
}

/// The closures of sampled year `k` of the Monte Carlo with `seed`: `(element, start day
/// counted from 0, days)`. Each seed is its own ChaCha8 key and each year its own stream
/// of it, so different seeds share no year (seed 2 is not seed 1 shifted by a year).
pub fn sample_year(model: &ClosureModel, seed: u64, k: u64) -> Vec<(Element, f64, f64)> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(k);
    let mut closures = Vec::new();
    for &(e, p) in &model.probability {
        if rng.gen::<f64>() < p {
            let start = rng.gen::<f64>() * 365.0;
            closures.push((e, start, model.days));
        }
    }
    closures
}

/// `samples` years with closures drawn from `model` (seeded, so runs repeat exactly).
pub fn monte_carlo(
    ev: &Evaluator,
    model: &ClosureModel,
    samples: usize,
    seed: u64,
    progress: &(dyn Fn() + Sync),
) -> MonteCarlo {
    monte_carlo_until(ev, model, samples, seed, progress, &|| false)
}

/// As [`monte_carlo`], asking `stop` before each year: once it answers true the years not
/// yet solved are left out, so the distributions are incomplete.
pub fn monte_carlo_until(
    ev: &Evaluator,
    model: &ClosureModel,
    samples: usize,
    seed: u64,
    progress: &(dyn Fn() + Sync),
    stop: &(dyn Fn() -> bool + Sync),
) -> MonteCarlo {
    let years: Vec<Annual> = (0..samples)
        .into_par_iter()
        .filter(|_| !stop())
        .map(|k| {
            let y = ev.year(&sample_year(model, seed, k as u64));
            progress();
            y
        })
        .collect();
    let keys = |f: &dyn Fn(&Annual) -> &BTreeMap<String, f64>| -> BTreeSet<String> {
        years.iter().flat_map(|y| f(y).keys().cloned()).collect()
    };
    let by = |f: &dyn Fn(&Annual) -> &BTreeMap<String, f64>| -> BTreeMap<String, Distribution> {
        keys(f)
            .into_iter()
            .map(|k| {
                (
                    k.clone(),
                    Distribution::of(
                        years
                            .iter()
                            .map(|y| f(y).get(&k).copied().unwrap_or(0.0))
                            .collect(),
                    ),
                )
            })
            .collect()
    };
    MonteCarlo {
        samples,
        seed,
        cost_usd: Distribution::of(years.iter().map(|y| y.cost_usd).collect()),
        lost_tonnes: Distribution::of(years.iter().map(|y| y.lost_tonnes).collect()),
        lost_by_country: by(&|y| &y.lost_by_country),
        corridor_tonnes: by(&|y| &y.corridor_tonnes),
    }
}

/// How diversified one country's trade is.
#[derive(Debug, Clone, Serialize)]
pub struct Diversification {
    pub country: String,
    /// Trade with origin or destination in the country, t/year.
    pub tonnes: f64,
    /// Herfindahl index of that trade across corridors (1: one corridor carries all).
    pub corridor_hhi: f64,
    /// Link-disjoint routes from the country's zones to the region's sea ports.
    pub disjoint_routes_to_sea: usize,
    /// The crossing whose closure would divert or stop the largest share of the trade.
    pub worst_crossing: String,
    pub worst_crossing_share: f64,
}

/// Diversification of every country with trade, from a base run.
pub fn diversification(applied: &Applied, r: &RunResults) -> Vec<Diversification> {
    let ds = &applied.dataset;
    let model = Model::new(applied.clone());
    let country = |id: &str| ds.node(id).map(|n| n.country.as_str()).unwrap_or("");
    let mut out = Vec::new();
    for c in &ds.countries {
        let ods: Vec<_> =
            r.od.iter()
                .filter(|o| country(&o.origin) == c.iso3 || country(&o.destination) == c.iso3)
                .collect();
        let tonnes: f64 = ods.iter().map(|o| o.tonnes).sum();
        if tonnes <= 0.0 {
            continue;
        }
        let mut by_corridor: BTreeMap<&str, f64> = BTreeMap::new();
        let mut by_crossing: BTreeMap<&str, f64> = BTreeMap::new();
        for o in &ods {
            *by_corridor.entry(o.corridor.as_str()).or_default() += o.tonnes;
            for (id, t) in &o.elements {
                if ds.crossings.iter().any(|x| &x.id == id) {
                    *by_crossing.entry(id.as_str()).or_default() += t;
                }
            }
        }
        let hhi = by_corridor.values().map(|t| (t / tonnes).powi(2)).sum();
        let (worst, worst_t) = by_crossing
            .iter()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map(|(k, v)| (k.to_string(), *v))
            .unwrap_or_default();
        let zones: Vec<usize> = ds
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.country == c.iso3 && n.is_zone)
            .map(|(i, _)| i)
            .collect();
        let ports: Vec<usize> = ds
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.kind == "port" && n.country != c.iso3)
            .map(|(i, _)| i)
            .collect();
        out.push(Diversification {
            country: c.iso3.clone(),
            tonnes,
            corridor_hhi: hhi,
            disjoint_routes_to_sea: karvan_model::paths::disjoint_routes(&model, &zones, &ports),
            worst_crossing_share: worst_t / tonnes,
            worst_crossing: worst,
        });
    }
    out
}

/// Everything `karvan resilience` reports.
#[derive(Debug, Clone, Serialize)]
pub struct ResilienceAnalysis {
    pub criticality: Vec<Criticality>,
    pub monte_carlo: MonteCarlo,
    pub diversification: Vec<Diversification>,
    /// The Monte Carlo's closure chance at risk index 1 and closure length.
    pub closure_chance_per_year: f64,
    pub closure_days: f64,
    /// Crossings with a chance of closing above 0.
    pub risky_crossings: usize,
}

/// Criticality, Monte Carlo and diversification of a scenario. Closure chances come from
/// each crossing's risk (the higher index of its two sides) times `chance`.
pub fn analyse(
    applied: &Applied,
    choice: RouteChoice,
    samples: usize,
    seed: u64,
    chance: f64,
    days: f64,
    progress: &(dyn Fn() + Sync),
) -> ResilienceAnalysis {
    analyse_whole(
        applied,
        choice,
        samples,
        seed,
        chance,
        days,
        progress,
        &|| false,
    )
}

/// As [`analyse`], asking `stop` before each element and year; `None` when it answered
/// true, which ends the analysis within the steps already under way.
#[allow(clippy::too_many_arguments)]
pub fn analyse_until(
    applied: &Applied,
    choice: RouteChoice,
    samples: usize,
    seed: u64,
    chance: f64,
    days: f64,
    progress: &(dyn Fn() + Sync),
    stop: &(dyn Fn() -> bool + Sync),
) -> Option<ResilienceAnalysis> {
    let r = analyse_whole(applied, choice, samples, seed, chance, days, progress, stop);
    (!stop()).then_some(r)
}

#[allow(clippy::too_many_arguments)]
fn analyse_whole(
    applied: &Applied,
    choice: RouteChoice,
    samples: usize,
    seed: u64,
    chance: f64,
    days: f64,
    progress: &(dyn Fn() + Sync),
    stop: &(dyn Fn() -> bool + Sync),
) -> ResilienceAnalysis {
    let ev = Evaluator::new(applied, choice);
    let ranking = criticality_until(&ev, progress, stop);
    let ds = &applied.dataset;
    let risk: HashMap<&str, f64> = ds
        .risk
        .iter()
        .map(|r| (r.region.as_str(), r.index))
        .collect();
    let node_risk = |id: &str| {
        ds.node(id).map_or(0.0, |n| {
            n.province
                .as_deref()
                .and_then(|p| risk.get(p))
                .or_else(|| risk.get(n.country.as_str()))
                .copied()
                .unwrap_or(0.0)
        })
    };
    let probability: Vec<(Element, f64)> = ds
        .crossings
        .iter()
        .enumerate()
        .filter(|(i, _)| applied.crossing_open[*i])
        .map(|(i, c)| {
            (
                Element::Crossing(i),
                (chance * node_risk(&c.from).max(node_risk(&c.to))).clamp(0.0, 1.0),
            )
        })
        .filter(|(_, p)| *p > 0.0)
        .collect();
    let risky_crossings = probability.len();
    let mc = monte_carlo_until(
        &ev,
        &ClosureModel { probability, days },
        samples,
        seed,
        progress,
        stop,
    );
    let base = run(&Model::new(applied.clone()), choice);
    ResilienceAnalysis {
        criticality: ranking,
        monte_carlo: mc,
        diversification: diversification(applied, &base),
        closure_chance_per_year: chance,
        closure_days: days,
        risky_crossings,
    }
}

/// The elements named by `spec`: link or crossing ids, or `AAA-BBB` for every crossing
/// between two countries (e.g. `AFG-PAK`).
pub fn parse_elements(a: &Applied, spec: &[String]) -> Result<Vec<Element>, String> {
    let ds = &a.dataset;
    let mut out = Vec::new();
    for s in spec {
        if let Some(i) = ds.links.iter().position(|l| &l.id == s) {
            out.push(Element::Link(i));
        } else if let Some(i) = ds.crossings.iter().position(|c| &c.id == s) {
            out.push(Element::Crossing(i));
        } else if let Some(found) = ds.crossings_between(s) {
            if found.is_empty() {
                return Err(format!("no crossing between the countries of `{s}`"));
            }
            out.extend(found.into_iter().map(Element::Crossing));
        } else {
            return Err(format!(
                "`{s}` is neither a link or crossing id nor a pair of countries such as AFG-PAK"
            ));
        }
    }
    Ok(out)
}
