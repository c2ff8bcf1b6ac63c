//! The cost of moving a ton: money (carriers' freight charges, government levies, border
//! fees, transfers, risk premium) plus the value of the time it takes.
//!
//! Whether a country's tariff is *transit* or *domestic* depends on the shipment's origin
//! and destination countries, so costs are computed per [`Class`]: shipments of one
//! commodity between one origin country and one destination country pay the same.

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

/// Tariffs by country, mode, commodity and kind, with `*` rows as the fallback: a dense
/// table, since pricing an arc looks one up for every class at every equilibrium step.
#[derive(Debug)]
pub struct Tariffs {
    /// `(USD per t-km, USD per t on entry)` at [`Tariffs::slot`]; commodity slot 0 is
    /// the `*` row.
    table: Vec<Option<(f64, f64)>>,
    commodities: usize,
}

const MODES: usize = 3;
const KINDS: usize = 2;

fn mode_index(m: Mode) -> usize {
    match m {
        Mode::Rail => 0,
        Mode::Road => 1,
        Mode::Sea => 2,
    }
}

fn kind_index(k: TariffKind) -> usize {
    match k {
        TariffKind::Transit => 0,
        TariffKind::Domestic => 1,
    }
}

impl Tariffs {
    pub fn new(ds: &Dataset) -> Tariffs {
        let country = ds.country_index();
        let commodity = ds.commodity_index();
        let commodities = ds.commodities.len();
        let mut t = Tariffs {
            table: vec![None; ds.countries.len() * MODES * KINDS * (commodities + 1)],
            commodities,
        };
        for row in &ds.tariffs {
            let Some(&c) = country.get(row.country.as_str()) else {
                continue;
            };
            let k = if row.commodity == "*" {
                None
            } else {
                match commodity.get(row.commodity.as_str()) {
                    Some(&k) => Some(k),
                    // A row for a commodity the dataset lacks prices nothing.
                    None => continue,
                }
            };
            let i = t.slot(c, row.mode, k, row.kind);
            t.table[i] = Some((row.usd_per_tkm, row.usd_per_t));
        }
        t
    }

    /// Position of (country, mode, commodity or `*`, kind) in the table.
    fn slot(
        &self,
        country: usize,
        mode: Mode,
        commodity: Option<usize>,
        kind: TariffKind,
    ) -> usize {
        let k = commodity.map_or(0, |k| k + 1);
        ((country * MODES + mode_index(mode)) * KINDS + kind_index(kind)) * (self.commodities + 1)
            + k
    }

    /// `(USD per t-km, USD per t on entry)` charged by `country`.
    pub fn lookup(
        &self,
        country: usize,
        mode: Mode,
        commodity: usize,
        kind: TariffKind,
    ) -> (f64, f64) {
        let get = |k: Option<usize>| {
            self.table
                .get(self.slot(country, mode, k, kind))
                .copied()
                .flatten()
        };
        get(Some(commodity))
            .or_else(|| get(None))
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
