//! The transit market of a scenario, as a game. A player (a country that carries
//! transit) sets a multiplier on its transit tariff for each mode. Each demand row keeps
//! a set of distinct routes (computed once, at today's tariffs) and an outside option —
//! shipping by sea, by the northern route, or not at all — that costs a fixed margin more
//! than its cheapest route today. Its shippers split over routes and the outside option
//! by a multinomial logit on generalized cost, so demand answers to price and a tariff
//! cannot rise without limit; at today's tariffs every row ships its tonnes, as in `run`,
//! whose response to price uses the same dispersion and outside option. Route costs are linear in the multipliers, which makes one
//! evaluation of the game a few microseconds.

use std::collections::BTreeMap;

use karvan_data::Mode;
use karvan_model::run::corridor_of;
use karvan_model::{places, Model};
use serde::Serialize;

use crate::game::Game;

/// The model of the market and its parameters.
#[derive(Debug, Clone, Serialize)]
pub struct MarketSettings {
    /// ISO3 codes of the players.
    pub players: Vec<String>,
    /// Bounds of each transit-tariff multiplier.
    pub bounds: (f64, f64),
    /// Distinct routes kept per demand row.
    pub routes_per_od: usize,
    /// The outside option costs this share more than the cheapest route at today's tariffs.
    pub outside_markup: f64,
    /// Logit dispersion times the cheapest route's cost (dimensionless): larger values
    /// make shippers more sensitive to cost differences.
    pub dispersion: f64,
    /// What carrying a transit tonne-kilometre costs the country (wear, administration).
    pub carrying_cost_usd_per_tkm: f64,
    /// Weight on a country's own shippers' surplus in its payoff.
    pub shipper_weight: f64,
}

impl Default for MarketSettings {
    fn default() -> Self {
        MarketSettings {
            players: ["KAZ", "UZB", "TKM", "TJK", "AFG", "PAK", "IRN"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            bounds: (0.0, 4.0),
            routes_per_od: 5,
            outside_markup: karvan_model::response::OUTSIDE_MARKUP,
            dispersion: karvan_model::response::DISPERSION,
            carrying_cost_usd_per_tkm: 0.005,
            shipper_weight: 0.0,
        }
    }
}

/// One route of a demand row, with its cost split into what the players' multipliers
/// act on and the rest.
#[derive(Debug, Clone)]
struct RouteTerms {
    /// Generalized cost without the players' transit tariffs, USD/t.
    base: f64,
    /// `(variable, USD/t of transit tariff at multiplier 1)`.
    tariff: Vec<(usize, f64)>,
    /// `(player, transit t-km per tonne)`.
    tkm: Vec<(usize, f64)>,
    corridor: String,
}

#[derive(Debug, Clone)]
struct OdMarket {
    tonnes: f64,
    theta: f64,
    outside: f64,
    routes: Vec<RouteTerms>,
    /// Players whose shippers these are (origin or destination country).
    home: Vec<usize>,
}

/// The transit market of one scenario.
#[derive(Debug, Clone)]
pub struct Market {
    pub settings: MarketSettings,
    /// `(player, mode)` of each variable.
    pub variables: Vec<(usize, Mode)>,
    /// Today's transit tariff (USD/t-km, any commodity) of each variable, for reports.
    pub base_tariff: Vec<f64>,
    ods: Vec<OdMarket>,
    /// Demand rows with no route, left out of the market.
    pub unroutable: usize,
    /// Players that carry transit on no route of the market: their tariffs change nothing.
    pub idle_players: Vec<String>,
}

/// What the market looks like at one strategy.
#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    pub payoffs: Vec<f64>,
    /// Transit tariff revenue of each player, USD/year.
    pub revenue: Vec<f64>,
    /// Transit tonne-kilometres carried by each player.
    pub transit_tkm: Vec<f64>,
    pub surplus: f64,
    pub corridor_tonnes: BTreeMap<String, f64>,
    pub shipped_tonnes: f64,
    /// Tonnes that take the outside option.
    pub outside_tonnes: f64,
}

impl Market {
    /// Builds the market from a model: routes per demand row at today's tariffs.
    pub fn new(model: &Model, settings: MarketSettings) -> Result<Market, String> {
        let ds = &model.applied.dataset;
        let country_of_player: Vec<&str> = settings.players.iter().map(String::as_str).collect();
        if country_of_player.is_empty() {
            return Err("the game needs at least one player".into());
        }
        for (i, p) in country_of_player.iter().enumerate() {
            if !ds.countries.iter().any(|c| c.iso3 == *p) {
                return Err(format!("unknown player `{p}` (not in countries.csv)"));
            }
            if country_of_player[..i].contains(p) {
                return Err(format!("`{p}` is named twice among the players"));
            }
        }
        let mut variables = Vec::new();
        let mut base_tariff = Vec::new();
        for (i, p) in country_of_player.iter().enumerate() {
            for mode in [Mode::Rail, Mode::Road] {
                variables.push((i, mode));
                let t = ds.tariffs.iter().find(|t| {
                    t.country == *p
                        && t.mode == mode
                        && t.commodity == "*"
                        && t.kind == karvan_data::TariffKind::Transit
                });
                base_tariff.push(t.map_or(0.0, |t| t.usd_per_tkm));
            }
        }
        let var_of = |player: usize, mode: Mode| {
            variables
                .iter()
                .position(|&(p, m)| p == player && m == mode)
        };
        let mut ods = Vec::new();
        let mut unroutable = 0;
        for d in &ds.demand {
            let (Ok(o), Ok(t), Ok(k)) = (
                places::find(ds, &d.origin),
                places::find(ds, &d.destination),
                model.commodity(&d.commodity),
            ) else {
                unroutable += 1;
                continue;
            };
            let routes = model.routes(o, t, k, settings.routes_per_od.saturating_sub(1));
            if routes.is_empty() {
                unroutable += 1;
                continue;
            }
            let terms: Vec<RouteTerms> = routes
                .iter()
                .map(|r| {
                    let mut tariff: BTreeMap<usize, f64> = BTreeMap::new();
                    let mut tkm: BTreeMap<usize, f64> = BTreeMap::new();
                    let mut paid = 0.0;
                    for part in r.countries.iter().filter(|c| c.kind == "transit") {
                        let Some(player) =
                            country_of_player.iter().position(|p| *p == part.country)
                        else {
                            continue;
                        };
                        *tkm.entry(player).or_default() += part.parts.km;
                    }
                    for s in &r.steps {
                        let Some(player) = country_of_player.iter().position(|p| *p == s.country)
                        else {
                            continue;
                        };
                        let is_transit = r
                            .countries
                            .iter()
                            .any(|c| c.country == s.country && c.kind == "transit");
                        let mode = if s.layer == "road" {
                            Mode::Road
                        } else {
                            Mode::Rail
                        };
                        if is_transit && s.parts.tariff > 0.0 {
                            if let Some(v) = var_of(player, mode) {
                                *tariff.entry(v).or_default() += s.parts.tariff;
                                paid += s.parts.tariff;
                            }
                        }
                    }
                    RouteTerms {
                        base: r.total.cost() - paid,
                        tariff: tariff.into_iter().collect(),
                        tkm: tkm.into_iter().collect(),
                        corridor: corridor_of(ds, r),
                    }
                })
                .collect();
            let cheapest = routes
                .iter()
                .map(|r| r.total.cost())
                .fold(f64::INFINITY, f64::min)
                .max(1e-9);
            let home = [&ds.nodes[o].country, &ds.nodes[t].country]
                .iter()
                .filter_map(|c| country_of_player.iter().position(|p| p == c))
                .collect();
            let theta = settings.dispersion / cheapest;
            let outside = (1.0 + settings.outside_markup) * cheapest;
            ods.push(OdMarket {
                tonnes: d.tonnes_per_year / network_share(&terms, theta, outside),
                theta,
                outside,
                routes: terms,
                home,
            });
        }
        let carriers: std::collections::BTreeSet<usize> = ods
            .iter()
            .flat_map(|o| o.routes.iter())
            .flat_map(|r| r.tkm.iter().map(|(p, _)| *p))
            .collect();
        let idle_players = (0..country_of_player.len())
            .filter(|p| !carriers.contains(p))
            .map(|p| country_of_player[p].to_string())
            .collect();
        Ok(Market {
            idle_players,
            settings,
            variables,
            base_tariff,
            ods,
            unroutable,
        })
    }

    /// The strategy of today's tariffs: every multiplier 1.
    pub fn today(&self) -> Vec<f64> {
        vec![1.0; self.variables.len()]
    }

    /// Flows, revenue and payoffs at strategy `s`.
    pub fn evaluate(&self, s: &[f64]) -> Evaluation {
        let n = self.settings.players.len();
        let mut e = Evaluation {
            payoffs: vec![0.0; n],
            revenue: vec![0.0; n],
            transit_tkm: vec![0.0; n],
            surplus: 0.0,
            corridor_tonnes: BTreeMap::new(),
            shipped_tonnes: 0.0,
            outside_tonnes: 0.0,
        };
        let mut cost = Vec::new();
        for od in &self.ods {
            cost.clear();
            cost.extend(
                od.routes
                    .iter()
                    .map(|r| r.base + r.tariff.iter().map(|&(v, b)| s[v] * b).sum::<f64>()),
            );
            // Logit with the outside option, computed stably around the cheapest cost.
            let low = cost.iter().copied().fold(od.outside, f64::min);
            let weights: Vec<f64> = cost.iter().map(|c| (-od.theta * (c - low)).exp()).collect();
            let w_out = (-od.theta * (od.outside - low)).exp();
            let total: f64 = weights.iter().sum::<f64>() + w_out;
            // Shippers' surplus relative to having only the outside option (logsum).
            let cs = od.tonnes / od.theta * ((total.ln() - od.theta * low) + od.theta * od.outside);
            e.surplus += cs;
            for &h in &od.home {
                e.payoffs[h] += self.settings.shipper_weight * cs;
            }
            e.outside_tonnes += od.tonnes * w_out / total;
            for (r, w) in od.routes.iter().zip(&weights) {
                let t = od.tonnes * w / total;
                e.shipped_tonnes += t;
                *e.corridor_tonnes.entry(r.corridor.clone()).or_default() += t;
                for &(v, b) in &r.tariff {
                    let player = self.variables[v].0;
                    e.revenue[player] += t * s[v] * b;
                }
                for &(player, km) in &r.tkm {
                    e.transit_tkm[player] += t * km;
                }
            }
        }
        for i in 0..n {
            e.payoffs[i] +=
                e.revenue[i] - self.settings.carrying_cost_usd_per_tkm * e.transit_tkm[i];
        }
        e
    }
}

/// The share of a row's shippers that take a route rather than the outside option at
/// today's tariffs. The market's pool of shippers is the row's tonnes over this share,
/// so that today every row ships its tonnes, as the run does.
fn network_share(routes: &[RouteTerms], theta: f64, outside: f64) -> f64 {
    let cost = |r: &RouteTerms| r.base + r.tariff.iter().map(|&(_, b)| b).sum::<f64>();
    let low = routes.iter().map(cost).fold(outside, f64::min);
    let on: f64 = routes
        .iter()
        .map(|r| (-theta * (cost(r) - low)).exp())
        .sum();
    let off = (-theta * (outside - low)).exp();
    on / (on + off)
}

impl Game for Market {
    fn players(&self) -> usize {
        self.settings.players.len()
    }

    fn variables(&self) -> usize {
        self.variables.len()
    }

    fn owner(&self, v: usize) -> usize {
        self.variables[v].0
    }

    fn bounds(&self, _v: usize) -> (f64, f64) {
        self.settings.bounds
    }

    fn payoffs(&self, s: &[f64]) -> Vec<f64> {
        self.evaluate(s).payoffs
    }

    fn surplus(&self, s: &[f64]) -> f64 {
        self.evaluate(s).surplus
    }
}
