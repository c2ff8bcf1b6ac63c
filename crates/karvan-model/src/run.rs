//! The main job: route the whole demand matrix all-or-nothing on generalized cost and
//! account for who carries what and who is paid what.

use std::collections::BTreeMap;

use karvan_assign::ShortestPaths;

use crate::equilibrium::{self, ClassDemand};
use karvan_data::Dataset;
use serde::Serialize;

use crate::network::ArcKind;
use crate::{Class, Model, Route};

/// One routed origin–destination–commodity flow.
#[derive(Debug, Clone, Serialize)]
pub struct OdResult {
    pub origin: String,
    pub destination: String,
    pub commodity: String,
    pub tonnes: f64,
    pub cost_usd_per_t: f64,
    pub money_usd_per_t: f64,
    pub hours: f64,
    pub km: f64,
    /// Corridor of the route carrying most of this flow.
    pub corridor: String,
    /// How many routes share the flow (1 without congestion).
    pub paths: usize,
    /// The row's tonnes in the scenario's matrix, before trade answered to price
    /// (equal to `tonnes` when demand is held fixed).
    pub matrix_tonnes: f64,
    /// The row's generalized cost in the base year, when trade answers to price.
    pub base_year_cost_usd_per_t: Option<f64>,
    /// The route carrying most of this flow.
    #[serde(skip)]
    pub route: Route,
    /// Index of the demand row in the dataset.
    #[serde(skip)]
    pub row: usize,
    /// Tonnes of this row on each link and crossing it uses (by id), and on each crossing
    /// by the country it enters (keyed by [`directed_key`]).
    #[serde(skip)]
    pub elements: BTreeMap<String, f64>,
    /// Levies (tariffs and border fees) this row pays each country, USD per tonne
    /// averaged over its routes: what the shippers pay and the countries receive.
    #[serde(skip)]
    pub levies_usd_per_t: BTreeMap<String, f64>,
}

impl OdResult {
    /// Levies paid to all countries, USD per tonne.
    pub fn levies_total_usd_per_t(&self) -> f64 {
        self.levies_usd_per_t.values().sum()
    }
}

/// Demand that no open route serves.
#[derive(Debug, Clone, Serialize)]
pub struct Unroutable {
    pub origin: String,
    pub destination: String,
    pub commodity: String,
    pub tonnes: f64,
    /// Line of the demand row in `demand.csv`.
    pub line: u64,
}

/// Tonnage of one corridor.
#[derive(Debug, Clone, Serialize)]
pub struct CorridorShare {
    pub corridor: String,
    pub tonnes: f64,
    pub share: f64,
    pub tkm: f64,
}

/// What one country earns and carries: its government's and state railway's levies
/// (the policy part) apart from what carriers and terminals charge on its territory
/// (the market part).
#[derive(Debug, Clone, Default, Serialize)]
pub struct CountryRevenue {
    pub country: String,
    pub name: String,
    /// Levies on transit cargo: transit tariffs and road transit fees.
    pub transit_tariff_usd: f64,
    /// Border fees paid by transit cargo entering the country.
    pub transit_fees_usd: f64,
    /// Levies on the country's own imports and exports.
    pub domestic_tariff_usd: f64,
    pub domestic_fees_usd: f64,
    /// Carriers' freight charges on the country's links and crossings (all cargo): the
    /// market rate, earned by whoever hauls there.
    pub carrier_freight_usd: f64,
    /// Handling at the country's terminals, transshipments and gauge changes.
    pub handling_usd: f64,
    /// Tonnes that cross the country in transit.
    pub transit_tonnes: f64,
    pub transit_tkm: f64,
}

impl CountryRevenue {
    pub fn transit_revenue_usd(&self) -> f64 {
        self.transit_tariff_usd + self.transit_fees_usd
    }

    /// Everything governments and state railways levy: the policy part.
    pub fn levies_usd(&self) -> f64 {
        self.transit_revenue_usd() + self.domestic_tariff_usd + self.domestic_fees_usd
    }

    /// What carriers and terminals charge: the market part.
    pub fn market_usd(&self) -> f64 {
        self.carrier_freight_usd + self.handling_usd
    }
}

/// Everything a run produces, in dataset terms.
#[derive(Debug, Clone, Serialize)]
pub struct RunResults {
    pub scenario: String,
    pub dataset: String,
    pub year: i32,
    pub demand_tonnes: f64,
    pub routed_tonnes: f64,
    pub od: Vec<OdResult>,
    pub unroutable: Vec<Unroutable>,
    /// Tonnes per link (index as in the dataset) and commodity id.
    pub link_flows: Vec<BTreeMap<String, f64>>,
    /// Tonnes per crossing and commodity id.
    pub crossing_flows: Vec<BTreeMap<String, f64>>,
    pub corridors: Vec<CorridorShare>,
    pub revenue: Vec<CountryRevenue>,
    /// How routes were chosen and how close to equilibrium the run got.
    pub assignment: AssignmentSummary,
    /// How trade answered to price (`None` when the scenario holds demand fixed).
    pub price_response: Option<crate::response::ResponseSummary>,
}

/// How freight chooses routes in a run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RouteChoice {
    /// Every shipment on its cheapest route at free-flow times.
    AllOrNothing,
    /// User equilibrium with congested crossings and lines, to a relative gap.
    Equilibrium { gap: f64, max_iterations: usize },
    /// Stochastic user equilibrium: path-size logit over a set of routes per OD pair,
    /// with congestion; `dispersion` is per USD/t of generalized cost.
    Logit {
        dispersion: f64,
        routes_per_od: usize,
        max_iterations: usize,
    },
}

impl Default for RouteChoice {
    fn default() -> Self {
        RouteChoice::Equilibrium {
            gap: 1e-8,
            max_iterations: 200,
        }
    }
}

impl RouteChoice {
    /// The route choice a scenario's settings ask for, with the defaults filled in.
    pub fn from_settings(s: &karvan_data::scenario::AssignmentSettings) -> RouteChoice {
        let gap = s.gap.unwrap_or(1e-8);
        let max_iterations = s.max_iterations.unwrap_or(200).max(1);
        match s.method.as_deref() {
            Some("aon") => RouteChoice::AllOrNothing,
            Some("logit") => RouteChoice::Logit {
                dispersion: s.dispersion.unwrap_or(0.05),
                routes_per_od: s.routes_per_od.unwrap_or(4).max(1),
                max_iterations,
            },
            _ => RouteChoice::Equilibrium {
                gap,
                max_iterations,
            },
        }
    }
}

/// The route-choice method used and its convergence.
#[derive(Debug, Clone, Serialize)]
pub struct AssignmentSummary {
    /// `all-or-nothing`, `equilibrium` or `logit`.
    pub method: &'static str,
    /// What `convergence` measures: `relative gap` for the equilibrium, `route-flow
    /// change` (largest change of a route's share in the last iteration) for the logit.
    pub measure: &'static str,
    /// The measure at the end (0 for all-or-nothing, which is not an equilibrium).
    pub convergence: f64,
    pub iterations: usize,
    /// The measure after each iteration.
    pub history: Vec<f64>,
}

/// The corridor a route belongs to: the first named corridor all of whose crossings and
/// links it uses; else the crossings it uses; else `domestic`.
pub fn corridor_of(ds: &Dataset, route: &Route) -> String {
    let uses_link = |id: &String| route.steps.iter().any(|s| s.kind == "link" && &s.id == id);
    for c in &ds.corridors {
        if c.crossings.iter().all(|x| route.crossings.contains(x)) && c.links.iter().all(uses_link)
        {
            return c.name.clone();
        }
    }
    if route.crossings.is_empty() {
        return "domestic".into();
    }
    let names: Vec<String> = route
        .crossings
        .iter()
        .map(|id| ds.crossing_name(id))
        .collect();
    format!("other: {}", names.join(" → "))
}

impl RunResults {
    /// Flows and tonnes that differ from zero only by rounding become exactly zero.
    fn tidy_zeros(&mut self) {
        for flows in self
            .link_flows
            .iter_mut()
            .chain(self.crossing_flows.iter_mut())
        {
            flows.values_mut().for_each(tidy);
        }
        for c in &mut self.corridors {
            tidy(&mut c.tonnes);
            tidy(&mut c.tkm);
            tidy(&mut c.share);
        }
        for o in &mut self.od {
            tidy(&mut o.tonnes);
        }
        tidy(&mut self.routed_tonnes);
    }

    /// The first figure of the results that is not a finite number, named, or `None`
    /// when every figure is finite. Results are checked before they are reported.
    pub fn first_non_finite(&self) -> Option<String> {
        let mut figures: Vec<(String, f64)> = vec![
            ("demand tonnes".into(), self.demand_tonnes),
            ("routed tonnes".into(), self.routed_tonnes),
            ("convergence".into(), self.assignment.convergence),
        ];
        for o in &self.od {
            let what = format!("{} → {} ({})", o.origin, o.destination, o.commodity);
            figures.extend([
                (format!("tonnes of {what}"), o.tonnes),
                (format!("cost of {what}"), o.cost_usd_per_t),
                (format!("money cost of {what}"), o.money_usd_per_t),
                (format!("hours of {what}"), o.hours),
                (format!("km of {what}"), o.km),
            ]);
        }
        for (i, flows) in self
            .link_flows
            .iter()
            .chain(&self.crossing_flows)
            .enumerate()
        {
            figures.extend(
                flows
                    .iter()
                    .map(|(k, v)| (format!("flow of {k} on element {i}"), *v)),
            );
        }
        for c in &self.corridors {
            figures.extend([
                (format!("tonnes of corridor {}", c.corridor), c.tonnes),
                (format!("t-km of corridor {}", c.corridor), c.tkm),
            ]);
        }
        for r in &self.revenue {
            figures.extend([
                (format!("levies of {}", r.country), r.levies_usd()),
                (
                    format!("carriers' revenue in {}", r.country),
                    r.market_usd(),
                ),
                (format!("transit t-km of {}", r.country), r.transit_tkm),
            ]);
        }
        figures
            .into_iter()
            .find(|(_, v)| !v.is_finite())
            .map(|(what, v)| format!("{what} is {v}"))
    }

    /// Select-link analysis: the OD flows that use link or crossing `id`, with the tonnes
    /// they put on it, largest first.
    pub fn select_link(&self, id: &str) -> Vec<(&OdResult, f64)> {
        let mut out: Vec<(&OdResult, f64)> = self
            .od
            .iter()
            .filter_map(|o| o.elements.get(id).map(|&t| (o, t)))
            .filter(|(_, t)| *t > 0.0)
            .collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1));
        out
    }
}

/// A demand row as the run uses it: its index, destination node and tonnes.
type DemandRow = (usize, usize, f64);

/// Routes every demand row and sums flows and payments.
/// Runs like [`run`] and refuses results that hold a figure that is not finite (costs
/// so large that they overflow, for instance), naming it.
pub fn run_checked(model: &Model, choice: RouteChoice) -> Result<RunResults, crate::ModelError> {
    let r = run(model, choice);
    match r.first_non_finite() {
        None => Ok(r),
        Some(what) => Err(crate::ModelError::NonFinite { what }),
    }
}

/// Routes the scenario's demand: answering to price unless the scenario holds it fixed.
pub fn run(model: &Model, choice: RouteChoice) -> RunResults {
    if model.applied.price_response {
        let response = crate::response::PriceResponse::of(model);
        crate::response::run_responsive(model, choice, response)
    } else {
        let tonnes: Vec<f64> = model
            .applied
            .dataset
            .demand
            .iter()
            .map(|d| d.tonnes_per_year)
            .collect();
        run_tonnes(model, choice, &tonnes)
    }
}

/// The demand rows of one run, assigned: their classes, each row's paths with tonnes, the
/// congested hours of every arc (when the route choice has congestion) and how the
/// assignment converged.
pub(crate) struct Assigned {
    classes: Vec<ClassDemand>,
    paths: Vec<Vec<(Vec<u32>, f64)>>,
    hours: Option<Vec<f64>>,
    assignment: AssignmentSummary,
}

/// Assigns `tonnes` of each demand row (by index) to paths.
pub(crate) fn assign_rows(model: &Model, choice: RouteChoice, tonnes: &[f64]) -> Assigned {
    let ds = &model.applied.dataset;
    let node = ds.node_index();
    let commodity = ds.commodity_index();

    // Group demand rows that share an origin and a class: one search (or one class of
    // the equilibrium) each.
    let mut groups: BTreeMap<(usize, Class), Vec<DemandRow>> = BTreeMap::new();
    for (i, d) in ds.demand.iter().enumerate() {
        let (o, t) = (node[d.origin.as_str()], node[d.destination.as_str()]);
        let class = model.class(o, t, commodity[d.commodity.as_str()]);
        groups
            .entry((o, class))
            .or_default()
            .push((i, t, tonnes[i]));
    }
    let classes: Vec<ClassDemand> = groups
        .into_iter()
        .map(|((origin, class), rows)| ClassDemand {
            origin,
            class,
            rows,
        })
        .collect();

    // Paths and their tonnes for every demand row.
    let mut paths: Vec<Vec<(Vec<u32>, f64)>> = vec![Vec::new(); ds.demand.len()];
    let mut hours: Option<Vec<f64>> = None;
    let assignment = match choice {
        RouteChoice::AllOrNothing => {
            let mut sp = ShortestPaths::new(model.network.graph.num_vertices());
            for c in &classes {
                let cost = model.costs.arc_costs(&model.network, &c.class);
                sp.run(
                    &model.network.graph,
                    &cost,
                    model.network.source[c.origin],
                    |_| false,
                );
                for &(i, dest, tonnes) in &c.rows {
                    if let Some(arcs) = sp.path(&model.network.graph, model.network.sink[dest]) {
                        paths[i].push((arcs, tonnes));
                    }
                }
            }
            AssignmentSummary {
                method: "all-or-nothing",
                measure: "none",
                convergence: 0.0,
                iterations: 1,
                history: vec![],
            }
        }
        RouteChoice::Equilibrium {
            gap,
            max_iterations,
        } => {
            let eq = equilibrium::solve(model, &classes, gap, max_iterations);
            for (c, flow) in classes.iter().zip(&eq.class_flow) {
                for &(i, dest, t) in &c.rows {
                    // Rows of one class to one destination share its flow there, each in
                    // proportion to its tonnes.
                    let to_dest: f64 = c.rows.iter().filter(|r| r.1 == dest).map(|r| r.2).sum();
                    let share = if to_dest > 0.0 { t / to_dest } else { 0.0 };
                    paths[i] = equilibrium::paths_to(model, flow, c.origin, dest)
                        .into_iter()
                        .map(|(arcs, x)| (arcs, x * share))
                        .collect();
                }
            }
            hours = Some(eq.hours);
            AssignmentSummary {
                method: "equilibrium",
                measure: "relative gap",
                convergence: eq.history.last().map_or(0.0, |h| h.relative_gap),
                iterations: eq.history.len(),
                history: eq.history.iter().map(|h| h.relative_gap).collect(),
            }
        }
        RouteChoice::Logit {
            dispersion,
            routes_per_od,
            max_iterations,
        } => {
            let sue =
                equilibrium::logit(model, &classes, dispersion, routes_per_od, max_iterations);
            for (c, routes) in classes.iter().zip(&sue.routes) {
                let mut taken = vec![false; routes.len()];
                for &(i, dest, _) in &c.rows {
                    let sink = model.network.sink[dest];
                    if let Some(j) =
                        (0..routes.len()).find(|&j| !taken[j] && routes[j].destination == sink)
                    {
                        taken[j] = true;
                        let mut p: Vec<(Vec<u32>, f64)> = routes[j]
                            .routes
                            .iter()
                            .filter(|r| r.flow > 0.0)
                            .map(|r| (r.arcs.clone(), r.flow))
                            .collect();
                        p.sort_by(|a, b| b.1.total_cmp(&a.1));
                        paths[i] = p;
                    }
                }
            }
            hours = Some(sue.time);
            AssignmentSummary {
                method: "logit",
                measure: "route-flow change",
                convergence: sue.history.last().copied().unwrap_or(0.0),
                iterations: sue.history.len(),
                history: sue.history,
            }
        }
    };

    Assigned {
        classes,
        paths,
        hours,
        assignment,
    }
}

/// Each demand row's generalized cost per tonne in an assignment (`None` for a row with
/// no route): what the response of trade to price needs between rounds, without
/// explaining every route.
pub(crate) fn row_costs(model: &Model, a: &Assigned) -> Vec<Option<f64>> {
    let mut costs = vec![None; a.paths.len()];
    for c in &a.classes {
        for &(i, _, _) in &c.rows {
            let (mut paid, mut carried) = (0.0, 0.0);
            for (arcs, t) in &a.paths[i] {
                let cost: f64 = arcs
                    .iter()
                    .map(|&x| {
                        let arc = &model.network.arcs[x as usize];
                        let h = a.hours.as_deref().map_or(arc.hours, |h| h[x as usize]);
                        model
                            .costs
                            .arc_parts_at(&model.network, x as usize, &c.class, h)
                            .cost()
                    })
                    .sum();
                paid += t * cost;
                carried += t;
            }
            if carried > 0.0 {
                costs[i] = Some(paid / carried);
            }
        }
    }
    costs
}

/// Routes `tonnes` of each demand row (by index) as they are.
pub(crate) fn run_tonnes(model: &Model, choice: RouteChoice, tonnes: &[f64]) -> RunResults {
    account(model, tonnes, assign_rows(model, choice, tonnes))
}

/// The results of an assignment of `tonnes`: every route explained, flows, corridors and
/// revenue accounted.
pub(crate) fn account(model: &Model, tonnes: &[f64], assigned: Assigned) -> RunResults {
    let ds = &model.applied.dataset;
    let Assigned {
        classes,
        paths,
        hours,
        assignment,
    } = assigned;
    let mut results = RunResults {
        scenario: model.applied.name.clone(),
        dataset: ds.manifest.name.clone(),
        year: model.applied.year,
        demand_tonnes: tonnes.iter().sum(),
        routed_tonnes: 0.0,
        od: Vec::new(),
        unroutable: Vec::new(),
        link_flows: vec![BTreeMap::new(); ds.links.len()],
        crossing_flows: vec![BTreeMap::new(); ds.crossings.len()],
        corridors: Vec::new(),
        revenue: ds
            .countries
            .iter()
            .map(|c| CountryRevenue {
                country: c.iso3.clone(),
                name: c.name.clone(),
                ..Default::default()
            })
            .collect(),
        assignment,
        price_response: None,
    };
    let mut corridors: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    for c in &classes {
        for &(i, dest, tonnes) in &c.rows {
            let d = &ds.demand[i];
            if paths[i].is_empty() {
                results.unroutable.push(Unroutable {
                    origin: d.origin.clone(),
                    destination: d.destination.clone(),
                    commodity: d.commodity.clone(),
                    tonnes,
                    line: d.line,
                });
                continue;
            }
            let mut od: Option<OdResult> = None;
            let mut elements: BTreeMap<String, f64> = BTreeMap::new();
            let mut levies: BTreeMap<String, f64> = BTreeMap::new();
            let (mut cost, mut money, mut h, mut km) = (0.0, 0.0, 0.0, 0.0);
            for (arcs, t) in &paths[i] {
                let route = model.explain_at(arcs, &c.class, c.origin, dest, hours.as_deref());
                add_flows(model, arcs, *t, &d.commodity, &mut results);
                add_revenue(&route, *t, &mut results.revenue);
                for part in &route.countries {
                    *levies.entry(part.country.clone()).or_insert(0.0) +=
                        (part.parts.tariff + part.parts.border_fees) * t;
                }
                for step in route
                    .steps
                    .iter()
                    .filter(|s| s.kind == "link" || s.kind == "crossing")
                {
                    *elements.entry(step.id.clone()).or_insert(0.0) += t;
                    if step.kind == "crossing" {
                        // Which way: the country a crossing step enters.
                        *elements
                            .entry(directed_key(&step.id, &step.country))
                            .or_insert(0.0) += t;
                    }
                }
                let corridor = corridor_of(ds, &route);
                let e = corridors.entry(corridor.clone()).or_default();
                e.0 += t;
                e.1 += t * route.total.km;
                cost += t * route.total.cost();
                money += t * route.total.money();
                h += t * route.total.hours;
                km += t * route.total.km;
                // The OD's route and corridor are those of its largest path (paths come
                // largest first).
                od.get_or_insert(OdResult {
                    origin: d.origin.clone(),
                    destination: d.destination.clone(),
                    commodity: d.commodity.clone(),
                    tonnes,
                    cost_usd_per_t: 0.0,
                    money_usd_per_t: 0.0,
                    hours: 0.0,
                    km: 0.0,
                    corridor,
                    paths: paths[i].len(),
                    matrix_tonnes: tonnes,
                    base_year_cost_usd_per_t: None,
                    route,
                    row: i,
                    elements: BTreeMap::new(),
                    levies_usd_per_t: BTreeMap::new(),
                });
            }
            let carried: f64 = paths[i].iter().map(|p| p.1).sum();
            let mut od = od.expect("a routed row has a path");
            od.cost_usd_per_t = cost / carried;
            od.money_usd_per_t = money / carried;
            od.hours = h / carried;
            od.km = km / carried;
            od.elements = elements;
            od.levies_usd_per_t = levies
                .into_iter()
                .filter(|(_, usd)| *usd != 0.0)
                .map(|(country, usd)| (country, usd / carried))
                .collect();
            results.routed_tonnes += tonnes;
            results.od.push(od);
        }
    }
    results.od.sort_by(|a, b| {
        (&a.origin, &a.destination, &a.commodity).cmp(&(&b.origin, &b.destination, &b.commodity))
    });
    results.unroutable.sort_by_key(|u| u.line);
    results.corridors = corridor_shares(corridors, results.routed_tonnes);
    results.tidy_zeros();
    results
}

/// The key of a crossing's flow into `country` in [`OdResult::elements`].
pub fn directed_key(crossing: &str, country: &str) -> String {
    format!("{crossing}>{country}")
}

/// A flow that rounding left at or below zero is zero: never `-0` in an output.
fn tidy(v: &mut f64) {
    if *v <= 0.0 && *v > -1e-9 {
        *v = 0.0;
    }
}

fn add_flows(model: &Model, arcs: &[u32], tonnes: f64, commodity: &str, r: &mut RunResults) {
    for &a in arcs {
        let slot = match model.network.arcs[a as usize].kind {
            ArcKind::Link { link, .. } => &mut r.link_flows[link],
            ArcKind::Crossing { crossing, .. } => &mut r.crossing_flows[crossing],
            _ => continue,
        };
        *slot.entry(commodity.to_string()).or_insert(0.0) += tonnes;
    }
}

fn add_revenue(route: &Route, tonnes: f64, revenue: &mut [CountryRevenue]) {
    for part in &route.countries {
        let Some(r) = revenue.iter_mut().find(|r| r.country == part.country) else {
            continue;
        };
        r.carrier_freight_usd += part.parts.freight * tonnes;
        r.handling_usd += part.parts.transfers * tonnes;
        if part.kind == "transit" {
            r.transit_tariff_usd += part.parts.tariff * tonnes;
            r.transit_fees_usd += part.parts.border_fees * tonnes;
            r.transit_tonnes += tonnes;
            r.transit_tkm += part.parts.km * tonnes;
        } else {
            r.domestic_tariff_usd += part.parts.tariff * tonnes;
            r.domestic_fees_usd += part.parts.border_fees * tonnes;
        }
    }
}

fn corridor_shares(by: BTreeMap<String, (f64, f64)>, routed: f64) -> Vec<CorridorShare> {
    let mut shares: Vec<CorridorShare> = by
        .into_iter()
        .map(|(corridor, (tonnes, tkm))| CorridorShare {
            corridor,
            tonnes,
            share: if routed > 0.0 { tonnes / routed } else { 0.0 },
            tkm,
        })
        .collect();
    shares.sort_by(|a, b| {
        b.tonnes
            .total_cmp(&a.tonnes)
            .then_with(|| a.corridor.cmp(&b.corridor))
    });
    shares
}
