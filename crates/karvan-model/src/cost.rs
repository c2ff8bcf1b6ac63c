//! The cost of moving a ton: money (carriers' freight charges, government levies, border
//! fees, transfers, risk premium) plus the value of the time it takes.
//!
//! Whether a country's tariff is *transit* or *domestic* depends on the shipment's origin
//! and destination countries, so costs are computed per [`Class`]: shipments of one
//! commodity between one origin country and one destination country pay the same.

use std::collections::HashMap;

use karvan_data::{Dataset, Mode, TariffKind};
use serde::Serialize;

use crate::network::{ArcKind, Network};

/// Shipments that pay the same on every arc.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Class {
    pub origin_country: usize,
    pub destination_country: usize,
    pub commodity: usize,
}

impl Class {
    /// Whether `country`'s tariffs are transit or domestic for this class.
    pub fn tariff_kind(&self, country: usize) -> TariffKind {
        if country == self.origin_country || country == self.destination_country {
            TariffKind::Domestic
        } else {
            TariffKind::Transit
        }
    }
}

/// The parts of a cost, per tonne. Adding parts adds every field.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Parts {
    pub km: f64,
    pub hours: f64,
    /// What carriers charge (the market freight rate), USD/t.
    pub freight: f64,
    /// Levies of governments and state railways (transit and domestic tariffs, road
    /// fees, tolls): the policy lever, USD/t.
    pub tariff: f64,
    /// Border fees, USD/t.
    pub border_fees: f64,
    /// Transshipment and gauge-change handling, USD/t.
    pub transfers: f64,
    /// Risk (insurance) premium, USD/t.
    pub risk: f64,
    /// Value of the time taken, USD/t.
    pub time_cost: f64,
}

impl Parts {
    /// Out-of-pocket money per tonne.
    pub fn money(&self) -> f64 {
        self.freight + self.tariff + self.border_fees + self.transfers + self.risk
    }

    /// Generalized cost per tonne: money plus the value of time.
    pub fn cost(&self) -> f64 {
        self.money() + self.time_cost
    }

    pub fn add(&mut self, o: &Parts) {
        self.km += o.km;
        self.hours += o.hours;
        self.freight += o.freight;
        self.tariff += o.tariff;
        self.border_fees += o.border_fees;
        self.transfers += o.transfers;
        self.risk += o.risk;
        self.time_cost += o.time_cost;
    }
}

/// Country, mode, commodity (`None` for `*`) and kind of a tariff row.
type TariffKey = (usize, Mode, Option<usize>, TariffKind);

/// Tariffs by country, mode, commodity and kind, with `*` rows as the fallback.
#[derive(Debug)]
pub struct Tariffs {
    /// Key → (USD per t-km, USD per t on entry).
    rows: HashMap<TariffKey, (f64, f64)>,
}

impl Tariffs {
    pub fn new(ds: &Dataset) -> Tariffs {
        let country = ds.country_index();
        let commodity = ds.commodity_index();
        let mut rows = HashMap::new();
        for t in &ds.tariffs {
            let Some(&c) = country.get(t.country.as_str()) else {
                continue;
            };
            let k = if t.commodity == "*" {
                None
            } else {
                commodity.get(t.commodity.as_str()).copied()
            };
            rows.insert((c, t.mode, k, t.kind), (t.usd_per_tkm, t.usd_per_t));
        }
        Tariffs { rows }
    }

    /// `(USD per t-km, USD per t on entry)` charged by `country`.
    pub fn lookup(
        &self,
        country: usize,
        mode: Mode,
        commodity: usize,
        kind: TariffKind,
    ) -> (f64, f64) {
        self.rows
            .get(&(country, mode, Some(commodity), kind))
            .or_else(|| self.rows.get(&(country, mode, None, kind)))
            .copied()
            .unwrap_or((0.0, 0.0))
    }
}

/// Everything needed to price arcs for any class.
#[derive(Debug)]
pub struct CostModel {
    pub tariffs: Tariffs,
    /// Value of time per commodity, USD per tonne-hour.
    pub value_of_time: Vec<f64>,
    /// Risk premium per commodity, USD per tonne per unit of risk exposure.
    pub risk_rate: Vec<f64>,
}

impl CostModel {
    pub fn new(ds: &Dataset) -> CostModel {
        let share = ds.manifest.parameter("time_value_share_per_year");
        let insurance = ds.manifest.parameter("insurance_rate_per_1000km");
        CostModel {
            tariffs: Tariffs::new(ds),
            value_of_time: ds
                .commodities
                .iter()
                .map(|c| c.value_usd_per_t * share / 8760.0)
                .collect(),
            risk_rate: ds
                .commodities
                .iter()
                .map(|c| c.value_usd_per_t * insurance)
                .collect(),
        }
    }

    /// The parts of arc `a`'s cost for `class`, at free-flow time.
    pub fn arc_parts(&self, net: &Network, a: usize, class: &Class) -> Parts {
        self.arc_parts_at(net, a, class, net.arcs[a].hours)
    }

    /// The parts of arc `a`'s cost for `class` when it takes `hours` (with congestion).
    pub fn arc_parts_at(&self, net: &Network, a: usize, class: &Class, hours: f64) -> Parts {
        let arc = &net.arcs[a];
        let tariff = match (arc.kind, arc.country) {
            (ArcKind::Link { .. }, Some(c)) => {
                self.tariffs
                    .lookup(c, arc.layer.mode(), class.commodity, class.tariff_kind(c))
                    .0
                    * arc.km
            }
            (ArcKind::Crossing { .. }, Some(c)) => {
                self.tariffs
                    .lookup(c, arc.layer.mode(), class.commodity, class.tariff_kind(c))
                    .1
            }
            _ => 0.0,
        };
        Parts {
            km: arc.km,
            hours,
            freight: arc.freight_usd_per_t,
            tariff,
            border_fees: arc.fee_usd_per_t,
            transfers: arc.transfer_usd_per_t,
            risk: arc.risk_exposure * self.risk_rate[class.commodity],
            time_cost: hours * self.value_of_time[class.commodity],
        }
    }

    /// Generalized cost of every arc for `class`.
    pub fn arc_costs(&self, net: &Network, class: &Class) -> Vec<f64> {
        (0..net.arcs.len())
            .map(|a| self.arc_parts(net, a, class).cost())
            .collect()
    }
}
