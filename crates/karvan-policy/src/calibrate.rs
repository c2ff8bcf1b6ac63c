//! Fitting the base year to what is observed: origin–destination matrix estimation with
//! the prior matrix as an anchor, in the manner of Spiess's gradient method.
//!
//! Each demand row `i` gets a factor `exp(xᵢ)` on its prior tonnes, bounded by
//! `|xᵢ| ≤ ln(max_factor)`. The objective is
//!
//! ```text
//! Z(x) = ½ Σₒ wₒ ((vₒ(x) − v̂ₒ) / sₒ)² + ½ μ Σᵢ xᵢ²
//! ```
//!
//! where `vₒ` is the model's value of observation `o`, `v̂ₒ` the observed one, `sₒ` its
//! scale (the observed value for flows, so errors are relative; 1 for shares) and `μ` the
//! weight that keeps the matrix near the prior. With the route proportions of the current
//! assignment held fixed, `vₒ` is linear in the tonnes (a share is a ratio of two such
//! sums), so `Z` and its gradient are exact; projected gradient steps with a backtracking
//! line search lower it. Then the demand is assigned again (at equilibrium, so routes
//! respond to congestion) and the proportions are updated: the outer loop. A row that no
//! observation sees has a zero data gradient, so the prior term keeps it exactly at its
//! prior. No row is dropped and no tonnage turns negative: factors are exponentials.

use karvan_data::{Applied, Dataset, Observation, ObservationKind};
use karvan_model::{Model, RouteChoice, RunResults};
use serde::Serialize;

use crate::fit::{self, keys};

/// How the calibration runs.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// Largest factor on any row (and 1 / it the smallest).
    pub max_factor: f64,
    /// Weight of staying at the prior matrix (μ).
    pub prior_weight: f64,
    /// Assignments (outer iterations).
    pub outer_iterations: usize,
    /// Gradient steps per outer iteration.
    pub inner_steps: usize,
    pub route_choice: RouteChoice,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            max_factor: 5.0,
            prior_weight: 0.05,
            outer_iterations: 6,
            inner_steps: 200,
            route_choice: RouteChoice::default(),
        }
    }
}

/// The calibrated demand: one factor per demand row, and how the objective went.
#[derive(Debug, Clone, Serialize)]
pub struct Calibration {
    /// Factor on each demand row's prior tonnes (index as in the dataset).
    pub factors: Vec<f64>,
    /// The objective at each assignment: the prior's first, the calibrated matrix's last.
    pub objective: Vec<f64>,
    /// Indices of the observations used.
    pub used: Vec<usize>,
}

/// One observation's terms: its keys, and per row how many of the row's tonnes the
/// observation counts (numerator, and denominator for a share).
struct Terms {
    kind: ObservationKind,
    target: f64,
    scale: f64,
    weight: f64,
    numerator: Vec<f64>,
    denominator: Vec<f64>,
}

fn proportions(ds: &Dataset, r: &RunResults, o: &Observation, ids: &[String]) -> Vec<f64> {
    let keys = keys(ds, o, ids);
    let mut p = vec![0.0; ds.demand.len()];
    for od in &r.od {
        if o.commodity.as_ref().is_some_and(|k| &od.commodity != k) || od.tonnes <= 0.0 {
            continue;
        }
        let on: f64 = keys.iter().filter_map(|k| od.elements.get(k)).sum();
        p[od.row] += on / od.tonnes;
    }
    p
}

fn terms(ds: &Dataset, r: &RunResults, used: &[usize]) -> Vec<Terms> {
    used.iter()
        .map(|&k| {
            let o = &ds.observations[k];
            Terms {
                kind: o.kind,
                target: o.value,
                scale: match o.kind {
                    ObservationKind::Flow => o.value.max(1.0),
                    ObservationKind::Share => 1.0,
                },
                weight: o.weight,
                numerator: proportions(ds, r, o, &o.elements),
                denominator: match o.kind {
                    ObservationKind::Flow => vec![],
                    ObservationKind::Share => proportions(ds, r, o, &o.denominator),
                },
            }
        })
        .collect()
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// The objective and its gradient in `x`, at fixed proportions.
fn objective(t: &[Terms], prior: &[f64], x: &[f64], mu: f64) -> (f64, Vec<f64>) {
    let g: Vec<f64> = prior.iter().zip(x).map(|(p, x)| p * x.exp()).collect();
    let mut z = 0.5 * mu * x.iter().map(|v| v * v).sum::<f64>();
    let mut grad: Vec<f64> = x.iter().map(|v| mu * v).collect();
    for term in t {
        let n = dot(&g, &term.numerator);
        let (value, d_dg): (f64, Vec<f64>) = match term.kind {
            ObservationKind::Flow => (n, term.numerator.clone()),
            ObservationKind::Share => {
                let d = dot(&g, &term.denominator);
                if d <= 0.0 {
                    continue;
                }
                let s = n / d;
                let deriv = term
                    .numerator
                    .iter()
                    .zip(&term.denominator)
                    .map(|(pn, pd)| (pn - s * pd) / d)
                    .collect();
                (s, deriv)
            }
        };
        let residual = (value - term.target) / term.scale;
        z += 0.5 * term.weight * residual * residual;
        let factor = term.weight * residual / term.scale;
        for i in 0..grad.len() {
            // ∂/∂xᵢ = gᵢ ∂/∂gᵢ
            grad[i] += factor * d_dg[i] * g[i];
        }
    }
    (z, grad)
}

/// Lowers the objective at fixed proportions by projected gradient steps.
fn descend(t: &[Terms], prior: &[f64], x: &mut [f64], s: &Settings) {
    let bound = s.max_factor.ln();
    let mut step = 1.0;
    let (mut z, mut grad) = objective(t, prior, x, s.prior_weight);
    for _ in 0..s.inner_steps {
        let norm = grad.iter().map(|v| v * v).sum::<f64>().sqrt();
        if norm < 1e-12 {
            break;
        }
        let mut accepted = false;
        while step > 1e-12 {
            let trial: Vec<f64> = x
                .iter()
                .zip(&grad)
                .map(|(xi, gi)| (xi - step * gi).clamp(-bound, bound))
                .collect();
            let (zt, gt) = objective(t, prior, &trial, s.prior_weight);
            if zt < z {
                x.copy_from_slice(&trial);
                z = zt;
                grad = gt;
                step *= 2.0;
                accepted = true;
                break;
            }
            step *= 0.5;
        }
        if !accepted {
            break;
        }
    }
}

/// The applied scenario with each demand row's tonnes multiplied by its factor, held
/// fixed: calibration estimates the base year's matrix as shipped, so its rows do not
/// answer to price.
pub fn scaled(applied: &Applied, factors: &[f64]) -> Applied {
    let mut a = applied.clone();
    a.price_response = false;
    for (d, f) in a.dataset.demand.iter_mut().zip(factors) {
        d.tonnes_per_year *= f;
    }
    a
}

/// Calibrates the demand of `applied` to the observations `used` (indices into the
/// dataset's observations; those naming elements missing from the network are skipped).
/// `progress` is told each outer iteration's objective.
pub fn calibrate_demand(
    applied: &Applied,
    used: &[usize],
    s: &Settings,
    progress: &dyn Fn(usize, f64),
) -> Calibration {
    let ds = &applied.dataset;
    let used: Vec<usize> = used
        .iter()
        .copied()
        .filter(|&k| ds.observations[k].is_in_network())
        .collect();
    let prior: Vec<f64> = ds.demand.iter().map(|d| d.tonnes_per_year).collect();
    let mut x: Vec<f64> = vec![0.0; prior.len()];
    let mut history = Vec::new();
    for it in 0..=s.outer_iterations {
        let factors: Vec<f64> = x.iter().map(|v| v.exp()).collect();
        let model = Model::new(scaled(applied, &factors));
        let r = karvan_model::run(&model, s.route_choice);
        let t = terms(ds, &r, &used);
        history.push(objective(&t, &prior, &x, s.prior_weight).0);
        progress(it, history[history.len() - 1]);
        if it < s.outer_iterations {
            descend(&t, &prior, &mut x, s);
        }
    }
    Calibration {
        factors: x.iter().map(|v| v.exp()).collect(),
        objective: history,
        used,
    }
}

/// The fit of a run of `applied` with `factors` on its demand.
pub fn fit_with(applied: &Applied, factors: &[f64], choice: RouteChoice) -> fit::Fit {
    let model = Model::new(scaled(applied, factors));
    let r = karvan_model::run(&model, choice);
    fit::fit(&model.applied.dataset, &r)
}

/// Cross-validation of the demand calibration over the observations `used` (indices into
/// the dataset's): they are dealt into `folds` groups by position (so it repeats); each
/// group is left out in turn, the demand calibrated on the others, and the left-out
/// group's fit measured. Returns the number of folds and the held-out rows of all folds.
pub fn cross_validate(
    applied: &Applied,
    used: &[usize],
    folds: usize,
    s: &Settings,
    progress: &dyn Fn(usize),
) -> (usize, Vec<fit::FitRow>) {
    let folds = folds.min(used.len()).max(2);
    let mut held_out = Vec::new();
    for f in 0..folds {
        let train: Vec<usize> = used
            .iter()
            .enumerate()
            .filter(|(i, _)| i % folds != f)
            .map(|(_, &k)| k)
            .collect();
        let c = calibrate_demand(applied, &train, s, &|_, _| {});
        let fit = fit_with(applied, &c.factors, s.route_choice);
        held_out.extend(
            used.iter()
                .enumerate()
                .filter(|(i, _)| i % folds == f)
                .map(|(_, &k)| fit.rows[k].clone()),
        );
        progress(f);
    }
    (folds, held_out)
}

/// A dataset parameter that calibration may move, within bounds.
#[derive(Debug, Clone, Serialize)]
pub struct ParameterChange {
    pub name: String,
    pub before: f64,
    pub after: f64,
    pub low: f64,
    pub high: f64,
}

/// The calibrated base year: parameters moved within their bounds, then demand factors.
#[derive(Debug, Clone, Serialize)]
pub struct Calibrated {
    pub parameters: Vec<ParameterChange>,
    pub demand: Calibration,
}

/// The applied scenario with parameters set.
pub fn with_parameters(applied: &Applied, values: &[(String, f64)]) -> Applied {
    let mut a = applied.clone();
    a.price_response = false;
    for (name, v) in values {
        if let Some(p) = a.dataset.manifest.parameters.get_mut(name) {
            p.value = *v;
        }
    }
    a
}

/// Calibrates the parameters of `bounds` (name, low, high) by golden-section search, one
/// after the other for `rounds` rounds, each value judged by the objective that the
/// demand calibration reaches with it; then the demand at the chosen parameters.
/// `progress` is told what is being searched.
pub fn calibrate(
    applied: &Applied,
    used: &[usize],
    bounds: &[(&str, f64, f64)],
    rounds: usize,
    s: &Settings,
    progress: &dyn Fn(&str),
) -> Calibrated {
    let before: Vec<(String, f64)> = bounds
        .iter()
        .map(|(n, _, _)| (n.to_string(), applied.dataset.manifest.parameter(n)))
        .collect();
    let mut values = before.clone();
    // A lighter demand calibration while parameters are searched.
    let inner = Settings {
        outer_iterations: s.outer_iterations.min(3),
        ..*s
    };
    let judge = |values: &[(String, f64)]| -> f64 {
        let a = with_parameters(applied, values);
        let c = calibrate_demand(&a, used, &inner, &|_, _| {});
        c.objective.last().copied().unwrap_or(f64::INFINITY)
    };
    for _ in 0..rounds {
        for (k, &(name, low, high)) in bounds.iter().enumerate() {
            progress(name);
            let best = golden_section(low, high, 12, |v| {
                let mut trial = values.clone();
                trial[k].1 = v;
                judge(&trial)
            });
            // Keep the current value unless the search found a better one.
            if judge(&{
                let mut t = values.clone();
                t[k].1 = best;
                t
            }) < judge(&values)
            {
                values[k].1 = best;
            }
        }
    }
    progress("demand");
    let a = with_parameters(applied, &values);
    let demand = calibrate_demand(&a, used, s, &|_, _| {});
    Calibrated {
        parameters: bounds
            .iter()
            .zip(before.iter().zip(&values))
            .map(|(&(name, low, high), (b, v))| ParameterChange {
                name: name.to_string(),
                before: b.1,
                after: v.1,
                low,
                high,
            })
            .collect(),
        demand,
    }
}

/// The minimiser of `f` on `[low, high]` by golden-section search with `steps` steps.
pub fn golden_section(low: f64, high: f64, steps: usize, f: impl Fn(f64) -> f64) -> f64 {
    crate::game::golden_max(low, high, steps, |x| -f(x)).0
}
