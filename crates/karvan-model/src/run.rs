//! The main job: route the whole demand matrix all-or-nothing on generalized cost and
//! account for who carries what and who is paid what.

use std::collections::BTreeMap;

use karvan_assign::ShortestPaths;
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
    pub corridor: String,
    #[serde(skip)]
    pub route: Route,
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

/// What one country earns and carries.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CountryRevenue {
    pub country: String,
    pub name: String,
    pub transit_tariff_usd: f64,
    pub transit_fees_usd: f64,
    pub domestic_tariff_usd: f64,
    pub domestic_fees_usd: f64,
    /// Tonnes that cross the country in transit.
    pub transit_tonnes: f64,
    pub transit_tkm: f64,
}

impl CountryRevenue {
    pub fn transit_revenue_usd(&self) -> f64 {
        self.transit_tariff_usd + self.transit_fees_usd
    }

    pub fn total_usd(&self) -> f64 {
        self.transit_revenue_usd() + self.domestic_tariff_usd + self.domestic_fees_usd
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

/// Routes every demand row on its cheapest route and sums flows and payments.
pub fn run(model: &Model) -> RunResults {
    let ds = &model.applied.dataset;
    let node = ds.node_index();
    let commodity = ds.commodity_index();

    // Group demand rows that share an origin and a class, so each needs one search.
    let mut groups: BTreeMap<(usize, Class), Vec<usize>> = BTreeMap::new();
    for (i, d) in ds.demand.iter().enumerate() {
        let (o, t) = (node[d.origin.as_str()], node[d.destination.as_str()]);
        let class = model.class(o, t, commodity[d.commodity.as_str()]);
        groups.entry((o, class)).or_default().push(i);
    }

    let mut results = RunResults {
        scenario: model.applied.name.clone(),
        dataset: ds.manifest.name.clone(),
        year: model.applied.year,
        demand_tonnes: ds.demand.iter().map(|d| d.tonnes_per_year).sum(),
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
    };
    let mut sp = ShortestPaths::new(model.network.graph.num_vertices());
    for ((origin, class), rows) in &groups {
        let cost = model.costs.arc_costs(&model.network, class);
        sp.run(
            &model.network.graph,
            &cost,
            model.network.source[*origin],
            |_| false,
        );
        for &i in rows {
            let d = &ds.demand[i];
            let dest = node[d.destination.as_str()];
            match sp.path(&model.network.graph, model.network.sink[dest]) {
                Some(arcs) => {
                    let route = model.explain(&arcs, class, *origin, dest);
                    add_flows(model, &arcs, d.tonnes_per_year, &d.commodity, &mut results);
                    add_revenue(&route, d.tonnes_per_year, &mut results.revenue);
                    results.routed_tonnes += d.tonnes_per_year;
                    results.od.push(OdResult {
                        origin: d.origin.clone(),
                        destination: d.destination.clone(),
                        commodity: d.commodity.clone(),
                        tonnes: d.tonnes_per_year,
                        cost_usd_per_t: route.total.cost(),
                        money_usd_per_t: route.total.money(),
                        hours: route.total.hours,
                        km: route.total.km,
                        corridor: corridor_of(ds, &route),
                        route,
                    });
                }
                None => results.unroutable.push(Unroutable {
                    origin: d.origin.clone(),
                    destination: d.destination.clone(),
                    commodity: d.commodity.clone(),
                    tonnes: d.tonnes_per_year,
                    line: d.line,
                }),
            }
        }
    }
    results.od.sort_by(|a, b| {
        (&a.origin, &a.destination, &a.commodity).cmp(&(&b.origin, &b.destination, &b.commodity))
    });
    results.corridors = corridor_shares(&results);
    results
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

fn corridor_shares(r: &RunResults) -> Vec<CorridorShare> {
    let mut by: BTreeMap<&str, (f64, f64)> = BTreeMap::new();
    for od in &r.od {
        let e = by.entry(&od.corridor).or_default();
        e.0 += od.tonnes;
        e.1 += od.tonnes * od.km;
    }
    let mut shares: Vec<CorridorShare> = by
        .into_iter()
        .map(|(c, (t, tkm))| CorridorShare {
            corridor: c.to_string(),
            tonnes: t,
            share: if r.routed_tonnes > 0.0 {
                t / r.routed_tonnes
            } else {
                0.0
            },
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
