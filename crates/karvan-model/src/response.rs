//! Trade that answers to price. The demand matrix is what was shipped in the base year at
//! the base year's costs; when a scenario makes a row dearer (a closure, a tariff) some of
//! it goes another way or is not shipped, and when it makes a row cheaper (a new line)
//! more is shipped. Each row chooses between the network and an outside option by a
//! binary logit, with the same two parameters as the transit-tariff game: the dispersion
//! (times the row's base-year cost) and how much dearer than the base year the outside
//! option is. Normalised so that a row at its base-year cost ships exactly its tonnes.

use std::sync::Arc;

use serde::Serialize;

use karvan_data::scenario::BaseYearCosts;
use karvan_data::Scenario;

use crate::run::{account, assign_rows, row_costs, run_tonnes, RouteChoice, RunResults};
use crate::Model;

/// Default dispersion: shippers' logit scale times the base-year cost (dimensionless).
pub const DISPERSION: f64 = 8.0;
/// Default outside option: this share dearer than the base-year cost.
pub const OUTSIDE_MARKUP: f64 = 0.2;

/// Largest number of rounds of assignment and demand.
const MAX_ROUNDS: usize = 60;
/// Rounds stop when no row's factor moves by more than this (0.01% of its tonnes).
const TOLERANCE: f64 = 1e-4;

/// The smallest share of a row's tonnes kept on the network.
const MIN_FACTOR: f64 = 1e-6;

/// The two parameters of the response of trade to its cost.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PriceResponse {
    pub dispersion: f64,
    pub outside_markup: f64,
}

impl Default for PriceResponse {
    fn default() -> Self {
        PriceResponse {
            dispersion: DISPERSION,
            outside_markup: OUTSIDE_MARKUP,
        }
    }
}

impl PriceResponse {
    /// The scenario's `[game]` dispersion and outside option, else the defaults.
    pub fn of(model: &Model) -> PriceResponse {
        let g = &model.applied.game;
        PriceResponse {
            dispersion: g.dispersion.unwrap_or(DISPERSION),
            outside_markup: g.outside_markup.unwrap_or(OUTSIDE_MARKUP),
        }
    }

    /// Tonnes shipped per tonne of base-year trade when a row costs `cost` rather than
    /// its base-year `base_cost`: 1 at the base-year cost, falling towards 0 as the cost
    /// passes the outside option, and at most `1 + e^(−dispersion·markup)` however cheap.
    pub fn factor(&self, cost: f64, base_cost: f64) -> f64 {
        if !(base_cost > 0.0 && cost.is_finite()) {
            return 1.0;
        }
        let theta = self.dispersion / base_cost;
        let outside = (1.0 + self.outside_markup) * base_cost;
        // 1/(1+e^{θ(c−out)}) ÷ 1/(1+e^{θ(c₀−out)}), written to stay finite.
        let at = |c: f64| -> f64 {
            let z = theta * (c - outside);
            if z > 0.0 {
                (-z).exp() / (1.0 + (-z).exp())
            } else {
                1.0 / (1.0 + z.exp())
            }
        };
        at(cost) / at(base_cost)
    }
}

/// What the response of trade to price did in a run.
#[derive(Debug, Clone, Serialize)]
pub struct ResponseSummary {
    pub dispersion: f64,
    pub outside_markup: f64,
    /// Tonnes of the scenario's demand matrix, before the response.
    pub matrix_tonnes: f64,
    /// Tonnes not shipped because their rows cost more than in the base year.
    pub lost_tonnes: f64,
    /// Tonnes shipped on top of the matrix because their rows cost less.
    pub generated_tonnes: f64,
    /// Rounds of assignment and demand.
    pub rounds: usize,
    /// Largest change of a row's factor in the last round.
    pub last_change: f64,
}

/// The base year's generalized cost of every demand row: the published dataset with no
/// scenario, solved once per route-choice method with fixed demand, so that the base
/// year run by the same method ships exactly its matrix.
pub fn base_year_costs(model: &Model, choice: RouteChoice) -> Arc<BaseYearCosts> {
    let key = format!("{choice:?}");
    let cache = &model.applied.base_year_costs;
    if let Some(c) = cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
        return c;
    }
    let base = &model.applied.base;
    let costs = match Scenario::baseline(&base.manifest.name).apply(base, "baseline") {
        Ok(applied) => {
            let m = Model::new(applied);
            let tonnes: Vec<f64> = base.demand.iter().map(|d| d.tonnes_per_year).collect();
            run_tonnes(&m, choice, &tonnes)
                .od
                .iter()
                .map(|o| {
                    (
                        (o.origin.clone(), o.destination.clone(), o.commodity.clone()),
                        o.cost_usd_per_t,
                    )
                })
                .collect()
        }
        // The base dataset was validated when it was loaded; should a baseline fail
        // anyway, no row has a base-year cost and demand stays fixed.
        Err(_) => BaseYearCosts::new(),
    };
    let costs = Arc::new(costs);
    if let Ok(mut c) = cache.lock() {
        c.insert(key, costs.clone());
    }
    costs
}

/// Solves assignment and demand together: the demand of each row follows its cost by
/// [`PriceResponse::factor`], the cost follows the flows; rounds of the two alternate
/// until no row's factor moves.
pub fn run_responsive(model: &Model, choice: RouteChoice, response: PriceResponse) -> RunResults {
    let ds = &model.applied.dataset;
    let base_costs = base_year_costs(model, choice);
    let matrix: Vec<f64> = ds.demand.iter().map(|d| d.tonnes_per_year).collect();
    let base_cost: Vec<Option<f64>> = ds
        .demand
        .iter()
        .map(|d| {
            base_costs
                .get(&(d.origin.clone(), d.destination.clone(), d.commodity.clone()))
                .copied()
        })
        .collect();
    let mut factor = vec![1.0; matrix.len()];
    // Each row looks for the factor at which its cost calls for itself (a fixed point:
    // its cost depends on its own tonnes through congestion). The first move goes all the
    // way to the factor its cost calls for; later moves follow the secant through the
    // row's last two rounds, which settles congested rows in a few rounds.
    let ceiling = 1.0 + (-response.dispersion * response.outside_markup).exp();
    let mut previous: Vec<Option<(f64, f64)>> = vec![None; matrix.len()];
    // Between rounds only each row's cost is needed; the routes are explained and the
    // results accounted once, for the last assignment, whose tonnes differ from the
    // settled ones by less than the tolerance.
    let mut tonnes = matrix.clone();
    let mut assigned = assign_rows(model, choice, &tonnes);
    let mut rounds = 1;
    let mut last_change;
    loop {
        let costs = row_costs(model, &assigned);
        last_change = 0.0;
        let mut next_factor = factor.clone();
        for (i, cost) in costs.iter().enumerate() {
            let (Some(cost), Some(c0)) = (cost, base_cost[i]) else {
                continue;
            };
            let f = factor[i];
            let gap = response.factor(*cost, c0) - f;
            let next = match previous[i] {
                Some((fp, gp)) if (gap - gp).abs() > 1e-12 => f - gap * (f - fp) / (gap - gp),
                _ => f + gap,
            };
            // A row priced out keeps a sliver on its route, so that it stays a routed row
            // whose lost tonnes are counted, not an unroutable one.
            let next = next.clamp(MIN_FACTOR, ceiling);
            previous[i] = Some((f, gap));
            next_factor[i] = next;
            last_change = f64::max(last_change, (next - f).abs());
        }
        if last_change < TOLERANCE || rounds >= MAX_ROUNDS {
            break;
        }
        factor = next_factor;
        tonnes = matrix.iter().zip(&factor).map(|(d, f)| d * f).collect();
        assigned = assign_rows(model, choice, &tonnes);
        rounds += 1;
    }
    let mut results = account(model, &tonnes, assigned);
    let (mut lost, mut generated) = (0.0, 0.0);
    for od in &mut results.od {
        od.matrix_tonnes = matrix[od.row];
        od.base_year_cost_usd_per_t = base_cost[od.row];
        let change = od.tonnes - matrix[od.row];
        if change < 0.0 {
            lost -= change;
        } else {
            generated += change;
        }
    }
    results.price_response = Some(ResponseSummary {
        dispersion: response.dispersion,
        outside_markup: response.outside_markup,
        matrix_tonnes: matrix.iter().sum(),
        lost_tonnes: lost,
        generated_tonnes: generated,
        rounds,
        last_change,
    });
    results
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_at_its_base_year_cost_ships_its_tonnes() {
        let r = PriceResponse::default();
        assert!((r.factor(150.0, 150.0) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn dearer_ships_less_and_cheaper_more_up_to_a_bound() {
        let r = PriceResponse::default();
        assert!(r.factor(180.0, 150.0) < r.factor(160.0, 150.0));
        assert!(r.factor(160.0, 150.0) < 1.0);
        assert!(r.factor(120.0, 150.0) > 1.0);
        let bound = 1.0 + (-r.dispersion * r.outside_markup).exp();
        assert!(r.factor(0.0, 150.0) <= bound + 1e-12);
        // Far above the outside option nothing is shipped, and nothing overflows.
        assert!(r.factor(1e9, 150.0) < 1e-12);
        assert!(r.factor(1e9, 150.0) >= 0.0);
    }

    #[test]
    fn the_elasticity_at_the_base_year_is_the_logit_one() {
        // d ln q / d ln c at c₀ = −D·s_out, with s_out = 1/(1+e^{D·m}).
        let r = PriceResponse::default();
        let h = 1e-6;
        let e = (r.factor(100.0 * (1.0 + h), 100.0).ln()) / (1.0 + h).ln();
        let expected = -r.dispersion / (1.0 + (r.dispersion * r.outside_markup).exp());
        assert!((e - expected).abs() < 1e-4, "{e} vs {expected}");
    }
}
