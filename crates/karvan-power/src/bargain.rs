//! Water for power: a bargaining view between Afghanistan and the downstream countries
//! (Uzbekistan and Turkmenistan) over how much Qosh Tepa withdraws and the price and
//! volume of extra winter electricity.
//!
//! A deal is (withdrawal, price, extra winter supply). Each side's payoff comes from the
//! two models: the water model gives what Qosh Tepa and the downstream canals deliver at
//! that withdrawal, valued at each side's value of irrigation water; the power model
//! gives Afghanistan's power bill and shortage with the extra winter supply, and the
//! downstream seller's revenue less its cost. No deal (the disagreement point) is the
//! full planned withdrawal and today's contracts. The Nash bargaining solution is the
//! deal, among those both sides prefer to no deal, that maximises the product of their
//! gains.

use std::collections::BTreeMap;

use karvan_data::power::Grid;
use karvan_data::water::Basin;

use crate::gwh;
use crate::model::{self, total, Outcome};
use crate::system::Generator;

/// The withdrawal the bargain is over.
pub const WITHDRAWAL: &str = "qosh-tepa";
/// The downstream country whose grid sells the extra winter power (its line reaches
/// Afghanistan's main grid).
pub const SELLER: &str = "uz";
/// Countries downstream of Qosh Tepa whose canals lose what it takes.
pub const DOWNSTREAM: &[&str] = &["UZB", "TKM"];

/// The bargaining parameters of a grid (bargaining.csv).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Terms {
    /// Net value of a m³ of irrigation water to Afghan farms, USD.
    pub af_water_value: f64,
    /// The same downstream, USD.
    pub downstream_water_value: f64,
    /// What an extra winter MWh costs the seller to supply, USD.
    pub downstream_power_cost: f64,
    /// No deal: Qosh Tepa's full planned withdrawal, hm³ a year.
    pub planned_hm3: f64,
    /// Winter months, 1–12.
    pub winter: Vec<usize>,
    /// Most extra winter supply a deal can add, MW.
    pub extra_mw_max: f64,
    /// Range of prices searched for the extra winter power, USD/MWh.
    pub price_low: f64,
    pub price_high: f64,
}

/// What can stop the bargaining analysis.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BargainError {
    #[error("bargaining.csv: parameter `{0}` is missing")]
    Missing(&'static str),
    #[error("bargaining.csv: parameter `{name}` is {value}; {rule}")]
    Range {
        name: &'static str,
        value: f64,
        rule: &'static str,
    },
    #[error("the grid has no supplier node `{SELLER}` to sell the extra winter power")]
    NoSeller,
    #[error(transparent)]
    Power(#[from] model::ModelError),
    #[error("the water model: {0}")]
    Water(#[from] karvan_water::model::ModelError),
}

impl Terms {
    /// Reads and checks the parameters.
    pub fn from_grid(grid: &Grid) -> Result<Terms, BargainError> {
        let get = |name: &'static str| grid.parameter(name).ok_or(BargainError::Missing(name));
        let check = |name: &'static str, value: f64, ok: bool, rule: &'static str| {
            if ok && value.is_finite() {
                Ok(value)
            } else {
                Err(BargainError::Range { name, value, rule })
            }
        };
        let nonneg = |name: &'static str| -> Result<f64, BargainError> {
            let v = get(name)?;
            check(name, v, v >= 0.0, "it must be ≥ 0")
        };
        let month = |name: &'static str| -> Result<usize, BargainError> {
            let v = get(name)?;
            check(
                name,
                v,
                (1.0..=12.0).contains(&v),
                "it must be a month 1–12",
            )
            .map(|v| v.round() as usize)
        };
        let (first, last) = (month("winter_first_month")?, month("winter_last_month")?);
        let mut winter = vec![first];
        let mut m = first;
        while m != last {
            m = m % 12 + 1;
            winter.push(m);
        }
        let price_low = nonneg("price_low_usd_mwh")?;
        let price_high = nonneg("price_high_usd_mwh")?;
        check(
            "price_high_usd_mwh",
            price_high,
            price_high >= price_low,
            "it must be at least price_low_usd_mwh",
        )?;
        Ok(Terms {
            af_water_value: nonneg("af_water_value_usd_m3")?,
            downstream_water_value: nonneg("downstream_water_value_usd_m3")?,
            downstream_power_cost: nonneg("downstream_power_cost_usd_mwh")?,
            planned_hm3: nonneg("qosh_tepa_planned_hm3")?,
            winter,
            extra_mw_max: nonneg("extra_winter_mw_max")?,
            price_low,
            price_high,
        })
    }
}

/// What the water model gives at one withdrawal level, hm³ a year.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct WaterLevel {
    pub withdrawal_hm3: f64,
    /// Delivered to Qosh Tepa.
    pub afghanistan_hm3: f64,
    /// Delivered to the downstream countries' canals.
    pub downstream_hm3: f64,
}

/// What the power model gives at one level of extra winter supply.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PowerLevel {
    pub winter_mw: f64,
    /// Extra energy the deal delivers, GWh a year.
    pub deal_gwh: f64,
    /// Afghanistan's unserved energy, GWh a year.
    pub unserved_gwh: f64,
    /// Afghanistan's power bill and shortage cost, with the deal's energy at the
    /// seller line's own contract price, million USD.
    pub afghanistan_cost: f64,
    /// Downstream sellers' contract revenue less what their offers cost them, with the
    /// deal's energy at the line's contract price, million USD.
    pub downstream_margin: f64,
    /// Contract price of the line the deal's energy flows on, USD/MWh.
    pub line_price: f64,
}

/// One deal and each side's gain over no deal, million USD a year.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Deal {
    pub withdrawal_hm3: f64,
    pub price_usd_mwh: f64,
    pub winter_mw: f64,
    pub afghanistan_gain: f64,
    pub downstream_gain: f64,
}

impl Deal {
    /// Both sides at least as well off as with no deal.
    pub fn acceptable(&self) -> bool {
        self.afghanistan_gain >= -1e-9 && self.downstream_gain >= -1e-9
    }

    /// The Nash product.
    pub fn product(&self) -> f64 {
        self.afghanistan_gain.max(0.0) * self.downstream_gain.max(0.0)
    }
}

/// The bargaining analysis.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Bargain {
    pub terms: Terms,
    pub water: Vec<WaterLevel>,
    pub power: Vec<PowerLevel>,
    /// Every deal on the grid of withdrawals × extra supply × prices.
    pub deals: Vec<Deal>,
    /// The Nash bargaining solution, when any deal beats no deal for both.
    pub nash: Option<Deal>,
    /// Each side's payoff with no deal, million USD a year: (Afghanistan, downstream).
    pub disagreement: (f64, f64),
}

/// How finely the deals are searched.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Steps {
    pub withdrawal: usize,
    pub supply: usize,
    pub price: usize,
}

impl Default for Steps {
    fn default() -> Steps {
        Steps {
            withdrawal: 10,
            supply: 10,
            price: 20,
        }
    }
}

fn levels(high: f64, steps: usize, low: f64) -> Vec<f64> {
    let steps = steps.max(1);
    (0..=steps)
        .map(|i| low + (high - low) * i as f64 / steps as f64)
        .collect()
}

/// The water model's deliveries at each withdrawal level, for one year of `regime`.
pub fn water_levels(
    basin: &Basin,
    base: &karvan_water::model::Settings,
    regime: &str,
    withdrawals: &[f64],
) -> Result<Vec<WaterLevel>, BargainError> {
    let country: BTreeMap<&str, &str> = basin
        .nodes
        .iter()
        .map(|n| (n.id.as_str(), n.country.as_str()))
        .collect();
    withdrawals
        .iter()
        .map(|&w| {
            let mut s = base.clone();
            s.years = vec![regime.to_string()];
            s.phases.retain(|p| p.0 != WITHDRAWAL);
            s.demand_hm3.insert(WITHDRAWAL.to_string(), w);
            let run = karvan_water::model::run(basin, &s)?;
            let mut level = WaterLevel {
                withdrawal_hm3: w,
                afghanistan_hm3: 0.0,
                downstream_hm3: 0.0,
            };
            for (node, requirement, _, got) in run.takes(0) {
                if requirement {
                    continue;
                }
                if node == WITHDRAWAL {
                    level.afghanistan_hm3 += got;
                } else if DOWNSTREAM.contains(&country.get(node.as_str()).copied().unwrap_or("")) {
                    level.downstream_hm3 += got;
                }
            }
            Ok(level)
        })
        .collect()
}

/// The power model with `mw` of extra winter supply offered by the seller.
pub fn power_level(
    grid: &Grid,
    base: &model::Settings,
    terms: &Terms,
    mw: f64,
) -> Result<PowerLevel, BargainError> {
    let seller = grid
        .nodes
        .iter()
        .position(|n| n.id == SELLER)
        .ok_or(BargainError::NoSeller)?;
    let mut s = base.clone();
    s.extra_generators.push(Generator {
        id: "deal".into(),
        node: seller,
        available_gwh: std::array::from_fn(|m| {
            if terms.winter.contains(&(m + 1)) {
                gwh(mw, m)
            } else {
                0.0
            }
        }),
        cost_usd_mwh: terms.downstream_power_cost,
        annual_gwh: None,
    });
    let out = model::run(grid, &s)?;
    let deal = out.system.generators.len() - 1;
    let deal_gwh = total(&out.dispatch.generation[deal]);
    let line_price = seller_line_price(&out, seller);
    let cost = out.importer_cost();
    let unserved: f64 = out.unserved_by_island().values().map(total).sum();
    Ok(PowerLevel {
        winter_mw: mw,
        deal_gwh,
        unserved_gwh: unserved,
        afghanistan_cost: cost.total(),
        downstream_margin: downstream_margin(&out),
        line_price,
    })
}

/// The energy-weighted contract price of the seller's lines into the islands.
fn seller_line_price(out: &Outcome, seller: usize) -> f64 {
    let (mut paid, mut sent) = (0.0, 0.0);
    for (l, line) in out.system.lines.iter().enumerate() {
        if line.from == seller {
            let e = total(&out.dispatch.flow[l]);
            paid += e * line.price_usd_mwh;
            sent += e;
        }
    }
    if sent > 0.0 {
        paid / sent
    } else {
        out.system
            .lines
            .iter()
            .filter(|l| l.from == seller)
            .map(|l| l.price_usd_mwh)
            .next()
            .unwrap_or(0.0)
    }
}

/// The downstream sellers' contract revenue less their offers' cost, million USD.
fn downstream_margin(out: &Outcome) -> f64 {
    let sellers: Vec<usize> = ["uz", "tm"].iter().filter_map(|id| out.node(id)).collect();
    let mut margin = 0.0;
    for (l, line) in out.system.lines.iter().enumerate() {
        if sellers.contains(&line.from) {
            margin += line.price_usd_mwh * total(&out.dispatch.flow[l]) / 1000.0;
        }
    }
    for (g, gen) in out.system.generators.iter().enumerate() {
        if sellers.contains(&gen.node) {
            margin -= gen.cost_usd_mwh * total(&out.dispatch.generation[g]) / 1000.0;
        }
    }
    margin
}

/// Weighs every deal on the grid against no deal and finds the Nash solution.
pub fn bargain(
    grid: &Grid,
    power: &model::Settings,
    basin: &Basin,
    water: &karvan_water::model::Settings,
    regime: &str,
    steps: Steps,
) -> Result<Bargain, BargainError> {
    let terms = Terms::from_grid(grid)?;
    let water_levels = water_levels(
        basin,
        water,
        regime,
        &levels(terms.planned_hm3, steps.withdrawal, 0.0),
    )?;
    let power_levels = levels(terms.extra_mw_max, steps.supply, 0.0)
        .into_iter()
        .map(|mw| power_level(grid, power, &terms, mw))
        .collect::<Result<Vec<_>, _>>()?;
    let prices = levels(terms.price_high, steps.price, terms.price_low);
    Ok(weigh(terms, water_levels, power_levels, &prices))
}

/// Each side's payoff for every combination, gains over no deal, and the Nash solution.
pub fn weigh(
    terms: Terms,
    water: Vec<WaterLevel>,
    power: Vec<PowerLevel>,
    prices: &[f64],
) -> Bargain {
    // hm³ × USD/m³ = million USD.
    let af_water = |w: &WaterLevel| w.afghanistan_hm3 * terms.af_water_value;
    let down_water = |w: &WaterLevel| w.downstream_hm3 * terms.downstream_water_value;
    // The deal's energy is paid at the deal's price instead of the line's.
    let af_power = |p: &PowerLevel, price: f64| {
        -p.afghanistan_cost - p.deal_gwh * (price - p.line_price) / 1000.0
    };
    let down_power = |p: &PowerLevel, price: f64| {
        p.downstream_margin + p.deal_gwh * (price - p.line_price) / 1000.0
    };
    let no_water = water
        .iter()
        .min_by(|a, b| {
            (a.withdrawal_hm3 - terms.planned_hm3)
                .abs()
                .total_cmp(&(b.withdrawal_hm3 - terms.planned_hm3).abs())
        })
        .cloned();
    let no_power = power.first().cloned();
    let disagreement = match (&no_water, &no_power) {
        (Some(w), Some(p)) => (
            af_water(w) + af_power(p, p.line_price),
            down_water(w) + down_power(p, p.line_price),
        ),
        _ => (0.0, 0.0),
    };
    let mut deals = Vec::new();
    for w in &water {
        for p in &power {
            for &price in prices {
                deals.push(Deal {
                    withdrawal_hm3: w.withdrawal_hm3,
                    price_usd_mwh: price,
                    winter_mw: p.winter_mw,
                    afghanistan_gain: af_water(w) + af_power(p, price) - disagreement.0,
                    downstream_gain: down_water(w) + down_power(p, price) - disagreement.1,
                });
            }
        }
    }
    // On a tie the first deal on the grid wins: the smaller withdrawal, then the
    // smaller extra supply, then the lower price.
    let nash = deals
        .iter()
        .filter(|d| d.acceptable() && d.product() > 0.0)
        .fold(None::<&Deal>, |best, d| match best {
            // Levels the lines cannot carry give the same deal up to the solver's
            // tolerance.
            Some(b) if b.product() >= d.product() * (1.0 - 1e-6) => Some(b),
            _ => Some(d),
        })
        .copied();
    Bargain {
        terms,
        water,
        power,
        deals,
        nash,
        disagreement,
    }
}

impl Bargain {
    /// Deals both sides prefer to no deal (with some gain to at least one).
    pub fn acceptable(&self) -> impl Iterator<Item = &Deal> {
        self.deals
            .iter()
            .filter(|d| d.acceptable() && d.afghanistan_gain + d.downstream_gain > 1e-9)
    }

    /// For each (withdrawal, extra supply) with an acceptable deal, the range of prices
    /// both accept: (withdrawal, MW, lowest price, highest price).
    pub fn price_ranges(&self) -> Vec<(f64, f64, f64, f64)> {
        let mut out: Vec<(f64, f64, f64, f64)> = Vec::new();
        for d in self.acceptable() {
            match out
                .iter_mut()
                .find(|r| r.0 == d.withdrawal_hm3 && r.1 == d.winter_mw)
            {
                Some(r) => {
                    r.2 = r.2.min(d.price_usd_mwh);
                    r.3 = r.3.max(d.price_usd_mwh);
                }
                None => out.push((
                    d.withdrawal_hm3,
                    d.winter_mw,
                    d.price_usd_mwh,
                    d.price_usd_mwh,
                )),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms() -> Terms {
        Terms {
            af_water_value: 0.1,
            downstream_water_value: 0.1,
            downstream_power_cost: 30.0,
            planned_hm3: 10.0,
            winter: vec![12, 1, 2],
            extra_mw_max: 100.0,
            price_low: 20.0,
            price_high: 100.0,
        }
    }

    /// Water: Afghanistan gets what it takes, downstream loses 0.8 of it. Power: 100 GWh
    /// of winter supply saves Afghanistan 20 million USD of shortage.
    fn case() -> Bargain {
        let water = [0.0, 5.0, 10.0]
            .iter()
            .map(|&w| WaterLevel {
                withdrawal_hm3: w * 100.0,
                afghanistan_hm3: w * 100.0,
                downstream_hm3: 2000.0 - 0.8 * w * 100.0,
            })
            .collect();
        let power = vec![
            PowerLevel {
                winter_mw: 0.0,
                deal_gwh: 0.0,
                unserved_gwh: 100.0,
                afghanistan_cost: 50.0,
                downstream_margin: 10.0,
                line_price: 50.0,
            },
            PowerLevel {
                winter_mw: 100.0,
                deal_gwh: 100.0,
                unserved_gwh: 0.0,
                afghanistan_cost: 50.0 - 20.0 + 5.0,
                downstream_margin: 10.0 + 5.0 - 3.0,
                line_price: 50.0,
            },
        ];
        let mut t = terms();
        t.planned_hm3 = 1000.0;
        weigh(t, water, power, &[20.0, 50.0, 80.0, 100.0])
    }

    #[test]
    fn no_deal_gains_nothing_and_the_nash_deal_beats_it_for_both() {
        let b = case();
        let none = b
            .deals
            .iter()
            .find(|d| d.withdrawal_hm3 == 1000.0 && d.winter_mw == 0.0)
            .expect("no deal is on the grid");
        assert!(none.afghanistan_gain.abs() < 1e-9 && none.downstream_gain.abs() < 1e-9);
        let nash = b.nash.expect("a deal beats no deal");
        assert!(nash.afghanistan_gain > 0.0 && nash.downstream_gain > 0.0);
        assert!(b
            .acceptable()
            .all(|d| d.product() <= nash.product() + 1e-12));
    }

    #[test]
    fn gains_follow_the_hand_computed_payoffs() {
        let b = case();
        // Withdraw 500 instead of 1,000 hm³ and buy 100 GWh of winter power at 80:
        // Afghanistan loses 500 × 0.1 = 50 of water, saves 50 − 35 = 15 of power bill and
        // pays (80 − 50) × 100 GWh = 3 more: −50 + 15 − 3 = −38. Downstream gains
        // 0.8 × 500 × 0.1 = 40 of water, 2 of margin and 3 of price: 45.
        let d = b
            .deals
            .iter()
            .find(|d| d.withdrawal_hm3 == 500.0 && d.winter_mw == 100.0 && d.price_usd_mwh == 80.0)
            .expect("on the grid");
        assert!((d.afghanistan_gain - (-38.0)).abs() < 1e-9, "{d:?}");
        assert!((d.downstream_gain - 45.0).abs() < 1e-9, "{d:?}");
        // Withdrawal is water to one side and less water to the other: at the same power
        // terms, each hm³ given up costs Afghanistan 0.1 and gains downstream 0.08, so the
        // power deal alone at full withdrawal is where both gain.
        let nash = b.nash.expect("a deal");
        assert_eq!(nash.withdrawal_hm3, 1000.0);
        assert_eq!(nash.winter_mw, 100.0);
    }
}
