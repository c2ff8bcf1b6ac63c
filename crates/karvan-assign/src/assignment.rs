//! Equilibrium assignment: the algorithms, their settings and what they return.

use std::time::Instant;

use crate::aon::all_or_nothing;
use crate::problem::{Demand, Network};
use crate::shortest::ShortestPaths;

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
    pub flow: Vec<f64>,
    pub cost: Vec<f64>,
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

/// `TSTT / SPTT − 1`: how far the flows are from equilibrium.
pub fn relative_gap(flow: &[f64], cost: &[f64], sptt: f64) -> f64 {
    let tstt: f64 = flow.iter().zip(cost).map(|(x, c)| x * c).sum();
    if sptt > 0.0 {
        (tstt / sptt - 1.0).max(0.0)
    } else {
        0.0
    }
}

/// Solves the assignment with the chosen algorithm.
pub fn assign(net: &Network, demand: &Demand, settings: &Settings) -> Assignment {
    match settings.algorithm {
        Algorithm::AlgorithmB => crate::bush::solve(net, demand, settings),
        other => frank_wolfe(net, demand, settings, other),
    }
}

/// The Frank–Wolfe family (and MSA, and all-or-nothing as its first step).
fn frank_wolfe(net: &Network, demand: &Demand, s: &Settings, algorithm: Algorithm) -> Assignment {
    let start = Instant::now();
    let m = net.num_arcs();
    let mut sp = ShortestPaths::new(net.graph.num_vertices());
    let mut cost = vec![0.0; m];
    let mut x = vec![0.0; m];
    net.costs(&x, &mut cost);
    let (_, unreachable) = all_or_nothing(net, demand, &cost, &mut x, &mut sp);
    let mut y = vec![0.0; m];
    let mut history = Vec::new();
    // Previous conjugate directions (as target points s_{k-1}, s_{k-2}) and step.
    let mut s1: Option<Vec<f64>> = None;
    let mut s2: Option<Vec<f64>> = None;
    let mut last_step = 1.0;
    let mut target = vec![0.0; m];
    let mut hess = vec![0.0; m];
    for k in 1..=s.max_iterations.max(1) {
        net.costs(&x, &mut cost);
        let (sptt, _) = all_or_nothing(net, demand, &cost, &mut y, &mut sp);
        let gap = relative_gap(&x, &cost, sptt);
        history.push(Iteration {
            iteration: k,
            relative_gap: gap,
            objective: net.beckmann(&x),
            seconds: start.elapsed().as_secs_f64(),
        });
        if algorithm == Algorithm::AllOrNothing || gap <= s.gap || k == s.max_iterations {
            break;
        }
        for a in 0..m {
            hess[a] = net.vdf[a].derivative(x[a]);
        }
        target.copy_from_slice(&y);
        match algorithm {
            Algorithm::ConjugateFrankWolfe => conjugate(&x, &y, &hess, s1.as_deref(), &mut target),
            Algorithm::BiconjugateFrankWolfe => biconjugate(
                &x,
                &y,
                &hess,
                s1.as_deref(),
                s2.as_deref(),
                last_step,
                &mut target,
            ),
            _ => {}
        }
        // A conjugate direction that is not clearly downhill (a thousandth of the
        // Frank–Wolfe direction's descent) is dropped for the plain Frank–Wolfe one, and
        // the conjugacy starts again.
        let downhill: f64 = (0..m).map(|a| cost[a] * (target[a] - x[a])).sum();
        let fw_downhill: f64 = (0..m).map(|a| cost[a] * (y[a] - x[a])).sum();
        if downhill.is_nan() || downhill > 1e-3 * fw_downhill {
            target.copy_from_slice(&y);
            s1 = None;
        }
        let step = if algorithm == Algorithm::Msa {
            1.0 / (k as f64 + 1.0)
        } else {
            line_search(net, &x, &target)
        };
        for a in 0..m {
            x[a] += step * (target[a] - x[a]);
        }
        last_step = step;
        s2 = s1.take();
        s1 = Some(target.clone());
    }
    net.costs(&x, &mut cost);
    Assignment {
        flow: x,
        cost,
        history,
        unreachable,
    }
}

/// The step in [0, 1] towards `target` that minimises the Beckmann objective: the root of
/// its derivative `Σ (c_a(x + λd) + fixed_a) d_a`, by bisection.
fn line_search(net: &Network, x: &[f64], target: &[f64]) -> f64 {
    let slope = |l: f64| -> f64 {
        x.iter()
            .zip(target)
            .enumerate()
            .map(|(a, (&xa, &ta))| {
                let d = ta - xa;
                if d == 0.0 {
                    0.0
                } else {
                    (net.vdf[a].cost(xa + l * d) + net.fixed[a]) * d
                }
            })
            .sum()
    };
    if slope(1.0) <= 0.0 {
        return 1.0;
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
