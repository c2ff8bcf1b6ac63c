//! A route explained: its steps, what each country is paid and takes, and the staircase
//! of cumulative cost and time against distance.

use serde::Serialize;

use crate::cost::{Class, Parts};
use crate::network::ArcKind;
use crate::Model;

/// One step of a route: a link, a border crossing or a transfer.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    /// `link`, `crossing` or `transfer`.
    pub kind: &'static str,
    /// Dataset id of the link or crossing; for a transfer, `node:from->to`.
    pub id: String,
    pub name: String,
    pub from: String,
    pub to: String,
    /// ISO3 of the country whose tariffs and fees apply; `sea` for sea legs.
    pub country: String,
    /// `road`, `rail-1520`, …
    pub layer: String,
    pub parts: Parts,
}

/// What one country contributes to a route.
#[derive(Debug, Clone, Serialize)]
pub struct CountryPart {
    pub country: String,
    pub name: String,
    /// `transit` or `domestic` for this shipment; `sea` for sea legs.
    pub kind: &'static str,
    pub parts: Parts,
}

/// A route with its breakdown. `total` is the sum of `countries`, which is the sum of `steps`.
#[derive(Debug, Clone, Serialize)]
pub struct Route {
    pub from: String,
    pub to: String,
    pub commodity: String,
    pub steps: Vec<Step>,
    pub countries: Vec<CountryPart>,
    pub total: Parts,
    /// Border crossings used, in order (dataset ids).
    pub crossings: Vec<String>,
}

/// One point of the staircase chart.
#[derive(Debug, Clone, Serialize)]
pub struct StairPoint {
    pub step: usize,
    pub place: String,
    pub country: String,
    pub event: String,
    pub km: f64,
    pub hours: f64,
    pub money_usd_per_t: f64,
    pub cost_usd_per_t: f64,
}

impl Model {
    /// Explains the path `arcs` (from the expanded network) for `class`, at free-flow times.
    pub fn explain(&self, arcs: &[u32], class: &Class, from: usize, to: usize) -> Route {
        self.explain_at(arcs, class, from, to, None)
    }

    /// Explains the path `arcs` for `class`, with each arc's hours taken from `hours` when
    /// given (congested times at equilibrium).
    pub fn explain_at(
        &self,
        arcs: &[u32],
        class: &Class,
        from: usize,
        to: usize,
        hours: Option<&[f64]>,
    ) -> Route {
        let ds = &self.applied.dataset;
        let mut steps = Vec::new();
        let mut countries: Vec<CountryPart> = Vec::new();
        let mut crossings = Vec::new();
        let mut total = Parts::default();
        for &a in arcs {
            let arc = &self.network.arcs[a as usize];
            let h = hours.map_or(arc.hours, |h| h[a as usize]);
            let parts = self.costs.arc_parts_at(&self.network, a as usize, class, h);
            let (kind, id, name) = match arc.kind {
                ArcKind::Link { link, .. } => (
                    "link",
                    ds.links[link].id.clone(),
                    ds.links[link].name.clone(),
                ),
                ArcKind::Crossing { crossing, .. } => {
                    crossings.push(ds.crossings[crossing].id.clone());
                    (
                        "crossing",
                        ds.crossings[crossing].id.clone(),
                        ds.crossings[crossing].name.clone(),
                    )
                }
                ArcKind::Transfer { transfer } => {
                    let t = &ds.transfers[transfer];
                    let (l1, l2) = if arc.layer == t.from {
                        (t.from, t.to)
                    } else {
                        (t.to, t.from)
                    };
                    (
                        "transfer",
                        format!("{}:{l1}->{l2}", t.node),
                        format!("{} {l1} → {l2}", ds.nodes[arc.from_node].name),
                    )
                }
                ArcKind::Transship { node } => (
                    "transfer",
                    format!("{}:sea->sea", ds.nodes[node].id),
                    format!("{} transshipment (ship to ship)", ds.nodes[node].name),
                ),
                ArcKind::Access { node } | ArcKind::Egress { node }
                    if arc.transfer_usd_per_t > 0.0 || arc.hours > 0.0 =>
                {
                    let what = if matches!(arc.kind, ArcKind::Access { .. }) {
                        "loading"
                    } else {
                        "unloading"
                    };
                    (
                        "terminal",
                        format!("{}:{} terminal", ds.nodes[node].id, arc.layer),
                        format!("{} {} terminal ({what})", ds.nodes[node].name, arc.layer),
                    )
                }
                ArcKind::Access { .. } | ArcKind::Egress { .. } => continue,
            };
            let (iso3, country_kind) = match arc.country {
                Some(c) => (ds.countries[c].iso3.clone(), class.tariff_kind(c).as_str()),
                None => ("sea".to_string(), "sea"),
            };
            match countries.iter_mut().find(|p| p.country == iso3) {
                Some(p) => p.parts.add(&parts),
                None => countries.push(CountryPart {
                    name: if country_kind == "sea" {
                        "Sea".into()
                    } else {
                        ds.country_name(&iso3)
                    },
                    country: iso3.clone(),
                    kind: country_kind,
                    parts,
                }),
            }
            total.add(&parts);
            steps.push(Step {
                kind,
                id,
                name,
                from: ds.nodes[arc.from_node].name.clone(),
                to: ds.nodes[arc.to_node].name.clone(),
                country: iso3,
                layer: arc.layer.to_string(),
                parts,
            });
        }
        Route {
            from: ds.nodes[from].name.clone(),
            to: ds.nodes[to].name.clone(),
            commodity: ds.commodities[class.commodity].id.clone(),
            steps,
            countries,
            total,
            crossings,
        }
    }
}

impl Route {
    /// Cumulative cost and time against distance, one point per step (the UN ESCAP
    /// time/cost–distance chart). Border waits and transfers show as vertical steps.
    pub fn staircase(&self) -> Vec<StairPoint> {
        let mut points = vec![StairPoint {
            step: 0,
            place: self.from.clone(),
            country: self
                .steps
                .first()
                .map(|s| s.country.clone())
                .unwrap_or_default(),
            event: "start".into(),
            km: 0.0,
            hours: 0.0,
            money_usd_per_t: 0.0,
            cost_usd_per_t: 0.0,
        }];
        let mut sum = Parts::default();
        for (i, s) in self.steps.iter().enumerate() {
            sum.add(&s.parts);
            points.push(StairPoint {
                step: i + 1,
                place: s.to.clone(),
                country: s.country.clone(),
                event: format!("{} {}", s.kind, s.name),
                km: sum.km,
                hours: sum.hours,
                money_usd_per_t: sum.money(),
                cost_usd_per_t: sum.cost(),
            });
        }
        points
    }
}
