//! Equilibrium assignment: the algorithms, their settings and what they return.

use std::time::Instant;

use crate::aon::all_or_nothing;
use crate::check::{check_result, SolveError};
use crate::problem::Problem;

/// The assignment algorithms, selectable by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// One all-or-nothing loading at free-flow costs.
    AllOrNothing,
    /// Method of successive averages (step 1/k).
    Msa,
    /// Frank–Wolfe with exact line search.
    FrankWolfe,
    /// Conjugate Frank–Wolfe (Mitradjieva & Lindberg).
    ConjugateFrankWolfe,
    /// Bi-conjugate Frank–Wolfe (Mitradjieva & Lindberg).
    BiconjugateFrankWolfe,
    /// Dial's Algorithm B: origin-based bushes, flow shifted between the longest and
    /// shortest paths of each bush. Converges to machine precision.
    AlgorithmB,
}

impl Algorithm {
    pub const NAMES: &'static [(&'static str, Algorithm)] = &[
        ("aon", Algorithm::AllOrNothing),
        ("msa", Algorithm::Msa),
        ("fw", Algorithm::FrankWolfe),
        ("cfw", Algorithm::ConjugateFrankWolfe),
        ("bfw", Algorithm::BiconjugateFrankWolfe),
        ("bush", Algorithm::AlgorithmB),
    ];

    pub fn parse(name: &str) -> Option<Algorithm> {
        Algorithm::NAMES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, a)| *a)
    }

    pub fn name(self) -> &'static str {
        Algorithm::NAMES
            .iter()
            .find(|(_, a)| *a == self)
            .map(|(n, _)| *n)
            .unwrap_or("?")
    }
}

/// When to stop.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub algorithm: Algorithm,
    /// Stop when the relative gap is at most this.
    pub gap: f64,
    pub max_iterations: usize,
}

/// One row of the convergence history.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Iteration {
    pub iteration: usize,
    pub relative_gap: f64,
    pub objective: f64,
    /// Seconds since the start of the assignment.
    pub seconds: f64,
}

/// What an assignment returns.
#[derive(Debug, Clone)]
pub struct Assignment {
    /// Flow of each class on each arc.
    pub class_flow: Vec<Vec<f64>>,
    /// Total equivalent flow on each arc.
    pub flow: Vec<f64>,
    /// Time on each arc at `flow`.
    pub time: Vec<f64>,
    pub history: Vec<Iteration>,
    /// Demand with no path, which is left unassigned.
    pub unreachable: f64,
}

impl Assignment {
    pub fn relative_gap(&self) -> f64 {
        self.history
            .last()
            .map_or(f64::INFINITY, |i| i.relative_gap)
    }
}

/// `TSTT / SPTT − 1`: how far the flows are from equilibrium. NaN when either total is
/// not finite, so that an overflow is never taken for convergence.
pub fn relative_gap(tstt: f64, sptt: f64) -> f64 {
    if !(tstt.is_finite() && sptt.is_finite()) {
        f64::NAN
    } else if sptt > 0.0 {
        (tstt / sptt - 1.0).max(0.0)
    } else {
        0.0
    }
}

/// Solves the assignment with the chosen algorithm, without checking the problem or the
/// result: a problem whose costs overflow stops early and its result holds the
/// non-finite numbers. [`try_assign`] checks both.
pub fn assign(p: &Problem, settings: &Settings) -> Assignment {
    match settings.algorithm {
        Algorithm::AlgorithmB => crate::bush::solve(p, settings),
        other => frank_wolfe(p, settings, other),
    }
}

/// Checks the problem ([`Problem::check`]) and the settings, solves, and returns the
/// result only when every flow, time, gap and objective in it is finite.
pub fn try_assign(p: &Problem, settings: &Settings) -> Result<Assignment, SolveError> {
    p.check()?;
    if settings.gap.is_nan() {
        return Err(SolveError::Invalid {
            what: "the relative gap to stop at".into(),
            value: settings.gap,
            expected: "a number",
        });
    }
    let a = assign(p, settings);
    check_result(&a)?;
    Ok(a)
}

/// The Frank–Wolfe family (and MSA, and all-or-nothing as its first step). With more
/// than one class the conjugate variants take plain Frank–Wolfe steps.
fn frank_wolfe(p: &Problem, s: &Settings, algorithm: Algorithm) -> Assignment {
    let start = Instant::now();
    let m = p.network.num_arcs();
    let nk = p.classes.len();
    let algorithm = if nk > 1
        && matches!(
            algorithm,
            Algorithm::ConjugateFrankWolfe | Algorithm::BiconjugateFrankWolfe
        ) {
        Algorithm::FrankWolfe
    } else {
        algorithm
    };
    let mut time = vec![0.0; m];
    let mut cost = vec![0.0; m];
    let mut total = vec![0.0; m];
    p.times(&total, &mut time);
    let mut x = vec![vec![0.0; m]; nk];
    let mut unreachable = 0.0;
    for (k, xk) in x.iter_mut().enumerate() {
        p.class_costs(k, &time, &mut cost);
        unreachable += all_or_nothing(&p.network, &p.classes[k].demand, &cost, xk).1;
    }
    let mut y = vec![vec![0.0; m]; nk];
    let mut history = Vec::new();
    // Previous conjugate target points s_{k-1}, s_{k-2} (one class only) and step.
    let mut s1: Option<Vec<f64>> = None;
    let mut s2: Option<Vec<f64>> = None;
    let mut last_step = 1.0;
    let mut target = vec![vec![0.0; m]; nk];
    let mut hess = vec![0.0; m];
    for it in 1..=s.max_iterations.max(1) {
        p.total_flow(&x, &mut total);
        p.times(&total, &mut time);
        let (mut tstt, mut sptt) = (0.0, 0.0);
        let mut fw_downhill = 0.0;
        let mut downhill = 0.0;
        for k in 0..nk {
            p.class_costs(k, &time, &mut cost);
            sptt += all_or_nothing(&p.network, &p.classes[k].demand, &cost, &mut y[k]).0;
            tstt += x[k].iter().zip(&cost).map(|(x, c)| x * c).sum::<f64>();
        }
        let gap = relative_gap(tstt, sptt);
        history.push(Iteration {
            iteration: it,
            relative_gap: gap,
            objective: p.objective(&x, &total),
            seconds: start.elapsed().as_secs_f64(),
        });
        // A gap that is not a number means the costs overflowed: no step can mend that.
        if algorithm == Algorithm::AllOrNothing
            || gap <= s.gap
            || it == s.max_iterations
            || gap.is_nan()
        {
            break;
        }
        for k in 0..nk {
            target[k].copy_from_slice(&y[k]);
        }
        if nk == 1 {
            let c = &p.classes[0];
            for a in 0..m {
                hess[a] = c.value_of_time * c.equivalence * p.network.vdf[a].derivative(total[a]);
            }
            match algorithm {
                Algorithm::ConjugateFrankWolfe => {
                    conjugate(&x[0], &y[0], &hess, s1.as_deref(), &mut target[0])
                }
                Algorithm::BiconjugateFrankWolfe => biconjugate(
                    &x[0],
                    &y[0],
                    &hess,
                    s1.as_deref(),
                    s2.as_deref(),
                    last_step,
                    &mut target[0],
                ),
                _ => {}
            }
        }
        for k in 0..nk {
            p.class_costs(k, &time, &mut cost);
            downhill += (0..m)
                .map(|a| cost[a] * (target[k][a] - x[k][a]))
                .sum::<f64>();
            fw_downhill += (0..m).map(|a| cost[a] * (y[k][a] - x[k][a])).sum::<f64>();
        }
        // A conjugate direction that is not clearly downhill (a thousandth of the
        // Frank–Wolfe direction's descent) is dropped for the plain Frank–Wolfe one, and
        // the conjugacy starts again.
        if downhill.is_nan() || downhill > 1e-3 * fw_downhill {
            for k in 0..nk {
                target[k].copy_from_slice(&y[k]);
            }
            s1 = None;
        }
        let step = if algorithm == Algorithm::Msa {
            1.0 / (it as f64 + 1.0)
        } else {
            line_search(p, &x, &target, &total)
        };
        for k in 0..nk {
            for a in 0..m {
                x[k][a] += step * (target[k][a] - x[k][a]);
            }
        }
        last_step = step;
        if nk == 1 {
            s2 = s1.take();
            s1 = Some(target[0].clone());
        }
    }
    p.total_flow(&x, &mut total);
    p.times(&total, &mut time);
    Assignment {
        class_flow: x,
        flow: total,
        time,
        history,
        unreachable,
    }
}

/// The step in [0, 1] towards `target` along which the cost stops falling: the root of
/// `Σ_k Σ_a (vot_k · t_a(X + λΔX) + fixed_ka) · d_ka`, by bisection. With one class this
/// is the exact line search on the Beckmann objective.
fn line_search(p: &Problem, x: &[Vec<f64>], target: &[Vec<f64>], total: &[f64]) -> f64 {
    let m = total.len();
    let mut dx = vec![0.0; m];
    for (c, (xk, tk)) in p.classes.iter().zip(x.iter().zip(target)) {
        for a in 0..m {
            dx[a] += c.equivalence * (tk[a] - xk[a]);
        }
    }
    let slope = |l: f64| -> f64 {
        let mut s = 0.0;
        for a in 0..m {
            let t = p.network.vdf[a].cost(total[a] + l * dx[a]);
            for (c, (xk, tk)) in p.classes.iter().zip(x.iter().zip(target)) {
                let d = tk[a] - xk[a];
                if d != 0.0 {
                    s += (c.value_of_time * t + c.fixed[a]) * d;
                }
            }
        }
        s
    };
    step_to_zero_slope(slope)
}

/// The step in [0, 1] where a non-decreasing directional derivative `slope` crosses
/// zero (1 if it never does, 0 if it starts at or above zero), by bisection.
pub(crate) fn step_to_zero_slope(slope: impl Fn(f64) -> f64) -> f64 {
    if slope(1.0) <= 0.0 {
        return 1.0;
    }
    if slope(0.0) >= 0.0 {
        return 0.0;
    }
    let (mut lo, mut hi) = (0.0, 1.0);
    for _ in 0..60 {
        let mid = 0.5 * (lo + hi);
        if slope(mid) > 0.0 {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    0.5 * (lo + hi)
}

fn dot_h(h: &[f64], a: impl Iterator<Item = f64>, b: impl Iterator<Item = f64>) -> f64 {
    h.iter().zip(a.zip(b)).map(|(h, (a, b))| h * a * b).sum()
}

/// Conjugate direction: `s = α s_{k−1} + (1 − α) y`, with α making `s − x` conjugate to
/// the previous direction under the Hessian (diagonal: the cost derivatives).
fn conjugate(x: &[f64], y: &[f64], h: &[f64], prev: Option<&[f64]>, target: &mut [f64]) {
    let Some(sp) = prev else { return };
    let n = dot_h(
        h,
        sp.iter().zip(x).map(|(s, x)| s - x),
        y.iter().zip(x).map(|(y, x)| y - x),
    );
    let d = dot_h(
        h,
        sp.iter().zip(x).map(|(s, x)| s - x),
        y.iter().zip(sp).map(|(y, s)| y - s),
    );
    let alpha = if d != 0.0 {
        (n / d).clamp(0.0, 1.0 - 1e-7)
    } else {
        0.0
    };
    if !alpha.is_finite() {
        return;
    }
    for i in 0..target.len() {
        target[i] = alpha * sp[i] + (1.0 - alpha) * y[i];
    }
}

/// Bi-conjugate direction: `s = β₀ y + β₁ s_{k−1} + β₂ s_{k−2}`, conjugate to the two
/// previous directions; falls back to the conjugate direction when the weights are not
/// a convex combination.
fn biconjugate(
    x: &[f64],
    y: &[f64],
    h: &[f64],
    s1: Option<&[f64]>,
    s2: Option<&[f64]>,
    tau: f64,
    target: &mut [f64],
) {
    let (Some(s1), Some(s2)) = (s1, s2) else {
        conjugate(x, y, h, s1, target);
        return;
    };
    if tau >= 1.0 - 1e-12 {
        conjugate(x, y, h, Some(s1), target);
        return;
    }
    let n = x.len();
    let dbar1: Vec<f64> = (0..n).map(|i| s1[i] - x[i]).collect();
    let dbar2: Vec<f64> = (0..n)
        .map(|i| tau * s1[i] - x[i] + (1.0 - tau) * s2[i])
        .collect();
    let ymx = || (0..n).map(|i| y[i] - x[i]);
    let mu_den = dot_h(h, dbar2.iter().copied(), (0..n).map(|i| s2[i] - s1[i]));
    let mu = if mu_den != 0.0 {
        -dot_h(h, dbar2.iter().copied(), ymx()) / mu_den
    } else {
        0.0
    };
    let nu_den = dot_h(h, dbar1.iter().copied(), dbar1.iter().copied());
    let nu = if nu_den != 0.0 {
        -dot_h(h, dbar1.iter().copied(), ymx()) / nu_den + mu * tau / (1.0 - tau)
    } else {
        0.0
    };
    let b0 = 1.0 / (1.0 + mu + nu);
    let (b1, b2) = (nu * b0, mu * b0);
    if !(b0.is_finite() && b1.is_finite() && b2.is_finite()) || b0 < 0.0 || b1 < 0.0 || b2 < 0.0 {
        conjugate(x, y, h, Some(s1), target);
        return;
    }
    for i in 0..n {
        target[i] = b0 * y[i] + b1 * s1[i] + b2 * s2[i];
    }
}
