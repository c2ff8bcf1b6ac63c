//! Elastic demand: each OD pair ships less as its cost rises, so that prices matter.
//!
//! Demand follows either a constant elasticity, `D = D₀ (c / c₀)^ε`, or a binary logit
//! against an outside option (ship by sea, or do not ship): `D = D₀ / (1 + e^{θ (c − c_out)})`.
//! The equilibrium of routes and demand together solves a convex program (Gartner 1980):
//! minimise `Σ_a ∫₀^{x_a} t_a − Σ_od ∫₀^{D_od} D⁻¹(w) dw` over flows and demands. Frank–Wolfe
//! solves it: the subproblem puts on each OD's shortest path the demand its current
//! shortest cost calls for, and an exact line search moves flows and demands together.

use std::time::Instant;

use crate::aon::all_or_nothing;
use crate::assignment::{Iteration, Settings};
use crate::problem::{Demand, OriginDemand, Problem};

/// How one OD pair's demand answers to its cost.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DemandModel {
    /// `D = base · (cost / reference_cost)^elasticity`, with `elasticity < 0`.
    Elasticity {
        elasticity: f64,
        reference_cost: f64,
    },
    /// `D = base / (1 + exp(dispersion · (cost − outside_cost)))`: the share of `base`
    /// that prefers the network to an outside option of cost `outside_cost`.
    OutsideOption { outside_cost: f64, dispersion: f64 },
}

impl DemandModel {
    /// Demand at `cost` for an OD pair whose base demand is `base`.
    pub fn demand(&self, base: f64, cost: f64) -> f64 {
        match *self {
            DemandModel::Elasticity {
                elasticity,
                reference_cost,
            } => {
                if cost <= 0.0 || reference_cost <= 0.0 {
                    base
                } else {
                    base * (cost / reference_cost).powf(elasticity)
                }
            }
            DemandModel::OutsideOption {
                outside_cost,
                dispersion,
            } => base / (1.0 + (dispersion * (cost - outside_cost)).exp()),
        }
    }

    /// The cost at which demand is `d` (the inverse demand function).
    pub fn inverse(&self, base: f64, d: f64) -> f64 {
        match *self {
            DemandModel::Elasticity {
                elasticity,
                reference_cost,
            } => reference_cost * (d.max(base * 1e-12) / base).powf(1.0 / elasticity),
            DemandModel::OutsideOption {
                outside_cost,
                dispersion,
            } => {
                let d = d.clamp(base * 1e-12, base * (1.0 - 1e-12));
                outside_cost + (base / d - 1.0).ln() / dispersion
            }
        }
    }
}

/// What an elastic assignment returns.
#[derive(Debug, Clone)]
pub struct ElasticResult {
    pub class_flow: Vec<Vec<f64>>,
    pub flow: Vec<f64>,
    pub time: Vec<f64>,
    /// Demand served, per class and OD pair, in the order of the classes' demand.
    pub demand: Vec<Demand>,
    /// Per iteration: the relative gap of routes, `TSTT / Σ D·u − 1`, and the relative
    /// excess demand `Σ |D − D(u)| / Σ D` (`u` the shortest cost); both are 0 at equilibrium.
    pub history: Vec<Iteration>,
    pub excess_demand: Vec<f64>,
}

/// Solves routes and demand together. `model[k]` gives class `k`'s demand function; its
/// demand in `p` is the base demand `D₀`. Stops when the route gap and the excess demand
/// are both at most `settings.gap`.
pub fn elastic(p: &Problem, model: &[DemandModel], settings: &Settings) -> ElasticResult {
    let start = Instant::now();
    let m = p.network.num_arcs();
    let nk = p.classes.len();
    let mut time = vec![0.0; m];
    let mut cost = vec![0.0; m];
    let mut total = vec![0.0; m];
    p.times(&total, &mut time);
    // Start from the demand the free-flow shortest costs call for.
    let mut x = vec![vec![0.0; m]; nk];
    let mut demand: Vec<Demand> = Vec::with_capacity(nk);
    for k in 0..nk {
        p.class_costs(k, &time, &mut cost);
        let skim = crate::aon::skim(&p.network, &p.classes[k].demand, &cost);
        let d = respond(&p.classes[k].demand, &skim, &model[k]);
        all_or_nothing(&p.network, &d, &cost, &mut x[k]);
        demand.push(d);
    }
    let mut y = vec![vec![0.0; m]; nk];
    let mut target: Vec<Demand> = demand.clone();
    let mut history = Vec::new();
    let mut excess_history = Vec::new();
    for it in 1..=settings.max_iterations.max(1) {
        p.total_flow(&x, &mut total);
        p.times(&total, &mut time);
        let (mut tstt, mut served_cost, mut excess, mut served) = (0.0, 0.0, 0.0, 0.0);
        for k in 0..nk {
            p.class_costs(k, &time, &mut cost);
            let skim = crate::aon::skim(&p.network, &p.classes[k].demand, &cost);
            target[k] = respond(&p.classes[k].demand, &skim, &model[k]);
            all_or_nothing(&p.network, &target[k], &cost, &mut y[k]);
            tstt += x[k].iter().zip(&cost).map(|(x, c)| x * c).sum::<f64>();
            for ((od, cur), tgt) in demand[k].origins.iter().zip(&skim).zip(&target[k].origins) {
                for ((&(_, dv), &u), &(_, tv)) in
                    od.destinations.iter().zip(cur).zip(&tgt.destinations)
                {
                    if u.is_finite() {
                        served_cost += dv * u;
                        excess += (dv - tv).abs();
                        served += dv;
                    }
                }
            }
        }
        let gap = if served_cost > 0.0 {
            (tstt / served_cost - 1.0).max(0.0)
        } else {
            0.0
        };
        let excess = if served > 0.0 { excess / served } else { 0.0 };
        history.push(Iteration {
            iteration: it,
            relative_gap: gap,
            objective: objective(p, model, &x, &total, &demand),
            seconds: start.elapsed().as_secs_f64(),
        });
        excess_history.push(excess);
        if (gap <= settings.gap && excess <= settings.gap) || it == settings.max_iterations {
            break;
        }
        let step = line_search(p, model, &x, &y, &demand, &target);
        for k in 0..nk {
            for a in 0..m {
                x[k][a] += step * (y[k][a] - x[k][a]);
            }
            for (od, tgt) in demand[k].origins.iter_mut().zip(&target[k].origins) {
                for (d, t) in od.destinations.iter_mut().zip(&tgt.destinations) {
                    d.1 += step * (t.1 - d.1);
                }
            }
        }
    }
    p.total_flow(&x, &mut total);
    p.times(&total, &mut time);
    ElasticResult {
        class_flow: x,
        flow: total,
        time,
        demand,
        history,
        excess_demand: excess_history,
    }
}

/// The demand each OD pair calls for at its shortest costs `skim`, keeping the structure
/// of `base` (pairs with no path keep no demand).
fn respond(base: &Demand, skim: &[Vec<f64>], model: &DemandModel) -> Demand {
    Demand {
        origins: base
            .origins
            .iter()
            .zip(skim)
            .map(|(od, u)| OriginDemand {
                origin: od.origin,
                destinations: od
                    .destinations
                    .iter()
                    .zip(u)
                    .map(|(&(d, b), &c)| {
                        (
                            d,
                            if c.is_finite() {
                                model.demand(b, c)
                            } else {
                                0.0
                            },
                        )
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// `Σ ∫ t + Σ_k fixed_k · x_k / vot_k − Σ_od ∫₀^{D} D⁻¹(w) dw / vot_k`, in time units.
fn objective(
    p: &Problem,
    model: &[DemandModel],
    x: &[Vec<f64>],
    total: &[f64],
    demand: &[Demand],
) -> f64 {
    let mut f = p.objective(x, total);
    for (k, c) in p.classes.iter().enumerate() {
        for (base, cur) in c.demand.origins.iter().zip(&demand[k].origins) {
            for (&(_, b), &(_, d)) in base.destinations.iter().zip(&cur.destinations) {
                f -= integral_inverse(&model[k], b, d) / c.value_of_time.max(f64::MIN_POSITIVE);
            }
        }
    }
    f
}

/// `∫₀^d D⁻¹(w) dw` by Simpson's rule on a fine grid (the integrand is smooth away from 0,
/// where it is integrable).
fn integral_inverse(model: &DemandModel, base: f64, d: f64) -> f64 {
    if d <= 0.0 {
        return 0.0;
    }
    let n = 200;
    let h = d / n as f64;
    let mut s = 0.0;
    for i in 0..=n {
        let w = (i as f64 * h).max(d * 1e-9);
        let weight = if i == 0 || i == n {
            1.0
        } else if i % 2 == 1 {
            4.0
        } else {
            2.0
        };
        s += weight * model.inverse(base, w);
    }
    s * h / 3.0
}

/// The step in [0, 1] that zeroes the derivative of the combined objective along the
/// direction towards (`y`, `target`): `Σ_k Σ_a (vot t + fixed) dx − Σ_od D⁻¹(D + λ dD) dD`,
/// scaled by each class's value of time.
fn line_search(
    p: &Problem,
    model: &[DemandModel],
    x: &[Vec<f64>],
    y: &[Vec<f64>],
    demand: &[Demand],
    target: &[Demand],
) -> f64 {
    let m = p.network.num_arcs();
    let mut total = vec![0.0; m];
    let mut dx = vec![0.0; m];
    for (c, (xk, yk)) in p.classes.iter().zip(x.iter().zip(y)) {
        for a in 0..m {
            total[a] += c.equivalence * xk[a];
            dx[a] += c.equivalence * (yk[a] - xk[a]);
        }
    }
    let slope = |l: f64| -> f64 {
        let mut s = 0.0;
        for a in 0..m {
            let t = p.network.vdf[a].cost(total[a] + l * dx[a]);
            for (c, (xk, yk)) in p.classes.iter().zip(x.iter().zip(y)) {
                let d = yk[a] - xk[a];
                if d != 0.0 {
                    s += (t + c.fixed[a] / c.value_of_time.max(f64::MIN_POSITIVE)) * d;
                }
            }
        }
        for (k, c) in p.classes.iter().enumerate() {
            for ((base, cur), tgt) in c
                .demand
                .origins
                .iter()
                .zip(&demand[k].origins)
                .zip(&target[k].origins)
            {
                for ((&(_, b), &(_, dv)), &(_, tv)) in base
                    .destinations
                    .iter()
                    .zip(&cur.destinations)
                    .zip(&tgt.destinations)
                {
                    let dd = tv - dv;
                    if dd != 0.0 {
                        s -= model[k].inverse(b, dv + l * dd)
                            / c.value_of_time.max(f64::MIN_POSITIVE)
                            * dd;
                    }
                }
            }
        }
        s
    };
    crate::assignment::step_to_zero_slope(slope)
}
