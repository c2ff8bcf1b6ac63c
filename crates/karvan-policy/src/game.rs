//! Games in strategic form over bounded continuous strategies, solved numerically.
//!
//! A game has players and *variables* (a player may own several, such as its rail and
//! road tariff); every variable lies within bounds. A player's best response maximises
//! its payoff over its own variables by cyclic one-dimensional searches (a coarse grid,
//! then golden-section refinement, so that non-concave payoffs are handled). A Nash
//! equilibrium is found by iterated best responses (Gauss–Seidel). A coalition acts as
//! one player maximising the sum of its members' payoffs while the others best-respond.

use rayon::prelude::*;
use serde::Serialize;

/// A game given by its payoff function.
pub trait Game: Sync {
    fn players(&self) -> usize;
    /// Number of strategy variables.
    fn variables(&self) -> usize;
    /// The player owning variable `v`.
    fn owner(&self, v: usize) -> usize;
    /// Bounds of variable `v`.
    fn bounds(&self, v: usize) -> (f64, f64);
    /// Every player's payoff at strategy `s` (one value per variable).
    fn payoffs(&self, s: &[f64]) -> Vec<f64>;
    /// Surplus of those who pay (shippers), for objectives that count it; 0 by default.
    fn surplus(&self, _s: &[f64]) -> f64 {
        0.0
    }
}

/// What a group of players maximises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Objective {
    /// The sum of the members' payoffs.
    Joint,
    /// The sum of the members' payoffs plus the shippers' surplus.
    JointPlusSurplus,
}

/// A solution: strategies, payoffs and how it was reached.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub strategy: Vec<f64>,
    pub payoffs: Vec<f64>,
    pub surplus: f64,
    /// Rounds of best responses.
    pub rounds: usize,
    /// The largest gain any single player (or the coalition) could still make by
    /// deviating alone: 0 at an exact equilibrium.
    pub max_gain: f64,
    /// Whether the best responses revisited an earlier strategy without converging.
    pub cycled: bool,
}

/// Points of the coarse grid of each one-dimensional search.
const GRID: usize = 24;
/// Golden-section steps after the grid.
const GOLDEN: usize = 40;

/// The value of `x` in [lo, hi] that maximises `f`: the best grid point, then golden
/// section in the bracket around it.
fn maximise_1d(lo: f64, hi: f64, mut f: impl FnMut(f64) -> f64) -> (f64, f64) {
    if hi <= lo {
        return (lo, f(lo));
    }
    let step = (hi - lo) / GRID as f64;
    let (mut best_x, mut best_f) = (lo, f(lo));
    for k in 1..=GRID {
        let x = lo + step * k as f64;
        let fx = f(x);
        if fx > best_f {
            best_x = x;
            best_f = fx;
        }
    }
    let (a, b) = ((best_x - step).max(lo), (best_x + step).min(hi));
    let (x, fx) = golden_max(a, b, GOLDEN, f);
    if fx > best_f {
        (x, fx)
    } else {
        (best_x, best_f)
    }
}

/// Golden-section search for the maximum of `f` on `[a, b]` in `steps` steps: the better
/// of the two last inner points and its value.
pub(crate) fn golden_max(
    mut a: f64,
    mut b: f64,
    steps: usize,
    mut f: impl FnMut(f64) -> f64,
) -> (f64, f64) {
    let g = (5f64.sqrt() - 1.0) / 2.0;
    let (mut c, mut d) = (b - g * (b - a), a + g * (b - a));
    let (mut fc, mut fd) = (f(c), f(d));
    for _ in 0..steps {
        if fc > fd {
            b = d;
            d = c;
            fd = fc;
            c = b - g * (b - a);
            fc = f(c);
        } else {
            a = c;
            c = d;
            fc = fd;
            d = a + g * (b - a);
            fd = f(d);
        }
    }
    if fc > fd {
        (c, fc)
    } else {
        (d, fd)
    }
}

/// The members' objective at `s`.
fn group_value(game: &dyn Game, members: &[usize], objective: Objective, s: &[f64]) -> f64 {
    let p = game.payoffs(s);
    let joint: f64 = members.iter().map(|&i| p[i]).sum();
    match objective {
        Objective::Joint => joint,
        Objective::JointPlusSurplus => joint + game.surplus(s),
    }
}

/// Improves the group's variables in `s` by cyclic one-dimensional maximisation until a
/// sweep gains less than `tol` (relative). Returns the value reached.
fn improve(
    game: &dyn Game,
    members: &[usize],
    objective: Objective,
    s: &mut [f64],
    tol: f64,
) -> f64 {
    let vars: Vec<usize> = (0..game.variables())
        .filter(|&v| members.contains(&game.owner(v)))
        .collect();
    let mut value = group_value(game, members, objective, s);
    for _ in 0..50 {
        let before = value;
        for &v in &vars {
            let (lo, hi) = game.bounds(v);
            let mut trial = s.to_vec();
            let (x, fx) = maximise_1d(lo, hi, |x| {
                trial[v] = x;
                group_value(game, members, objective, &trial)
            });
            if fx > value {
                s[v] = x;
                value = fx;
            }
        }
        if value - before <= tol * (1.0 + value.abs()) {
            break;
        }
    }
    value
}

/// Nash equilibrium between `groups` (each a set of players acting as one, maximising
/// its members' joint payoff), by iterated best responses from `start`.
pub fn equilibrium(
    game: &dyn Game,
    groups: &[Vec<usize>],
    objective: Objective,
    start: &[f64],
    tol: f64,
    max_rounds: usize,
) -> Outcome {
    let mut s = start.to_vec();
    let mut seen: Vec<Vec<f64>> = Vec::new();
    let mut rounds = 0;
    let mut cycled = false;
    for r in 1..=max_rounds {
        rounds = r;
        let before = s.clone();
        for g in groups {
            let obj = if g.len() > 1 {
                objective
            } else {
                Objective::Joint
            };
            improve(game, g, obj, &mut s, tol * 1e-3);
        }
        let moved = s
            .iter()
            .zip(&before)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        let scale = s.iter().map(|x| x.abs()).fold(1.0, f64::max);
        if moved <= tol * scale {
            break;
        }
        if seen.iter().any(|old| {
            old.iter()
                .zip(&s)
                .all(|(a, b)| (a - b).abs() <= tol * scale)
        }) {
            cycled = true;
            break;
        }
        seen.push(s.clone());
    }
    // The largest gain left to a single group deviating alone.
    let mut max_gain: f64 = 0.0;
    for g in groups {
        let obj = if g.len() > 1 {
            objective
        } else {
            Objective::Joint
        };
        let now = group_value(game, g, obj, &s);
        let mut trial = s.clone();
        let best = improve(game, g, obj, &mut trial, tol * 1e-3);
        max_gain = max_gain.max(best - now);
    }
    let payoffs = game.payoffs(&s);
    let surplus = game.surplus(&s);
    Outcome {
        strategy: s,
        payoffs,
        surplus,
        rounds,
        max_gain,
        cycled,
    }
}

/// Nash equilibrium with every player on its own.
pub fn nash(game: &dyn Game, start: &[f64], tol: f64, max_rounds: usize) -> Outcome {
    let groups: Vec<Vec<usize>> = (0..game.players()).map(|i| vec![i]).collect();
    equilibrium(game, &groups, Objective::Joint, start, tol, max_rounds)
}

/// All players coordinating on `objective`.
pub fn optimise(game: &dyn Game, objective: Objective, start: &[f64], tol: f64) -> Outcome {
    let all: Vec<usize> = (0..game.players()).collect();
    equilibrium(game, &[all], objective, start, tol, 1)
}

/// The value of every coalition (indexed by bitmask over players): its members
/// coordinate, the others best-respond, and the value is the sum of the members'
/// payoffs. Coalitions are solved in parallel, each starting from `start` (the Nash
/// strategies, as a warm start).
pub fn coalition_values(
    game: &dyn Game,
    start: &[f64],
    tol: f64,
    max_rounds: usize,
    progress: &(dyn Fn() + Sync),
) -> Vec<(f64, Outcome)> {
    coalition_values_until(game, start, tol, max_rounds, progress, &|| false).unwrap_or_default()
}

/// As [`coalition_values`], asking `stop` before each coalition; `None` once it answers
/// true (the coalitions not yet started are not solved).
pub fn coalition_values_until(
    game: &dyn Game,
    start: &[f64],
    tol: f64,
    max_rounds: usize,
    progress: &(dyn Fn() + Sync),
    stop: &(dyn Fn() -> bool + Sync),
) -> Option<Vec<(f64, Outcome)>> {
    let n = game.players();
    (0..1usize << n)
        .into_par_iter()
        .map(|mask| {
            if stop() {
                return None;
            }
            let members: Vec<usize> = (0..n).filter(|i| mask >> i & 1 == 1).collect();
            let mut groups: Vec<Vec<usize>> = (0..n)
                .filter(|i| mask >> i & 1 == 0)
                .map(|i| vec![i])
                .collect();
            if !members.is_empty() {
                groups.insert(0, members.clone());
            }
            let o = equilibrium(game, &groups, Objective::Joint, start, tol, max_rounds);
            let v = members.iter().map(|&i| o.payoffs[i]).sum();
            progress();
            Some((v, o))
        })
        .collect()
}

/// Shapley values from coalition values `v` indexed by bitmask over `n` players.
pub fn shapley(v: &[f64], n: usize) -> Vec<f64> {
    let fact: Vec<f64> = (0..=n)
        .scan(1.0, |f, k| {
            let out = *f;
            *f *= (k + 1) as f64;
            Some(out)
        })
        .collect();
    (0..n)
        .map(|i| {
            let mut phi = 0.0;
            for mask in 0..1usize << n {
                if mask >> i & 1 == 1 {
                    continue;
                }
                let s = mask.count_ones() as usize;
                let w = fact[s] * fact[n - s - 1] / fact[n];
                phi += w * (v[mask | 1 << i] - v[mask]);
            }
            phi
        })
        .collect()
}

/// Whether the core is empty: no split of the grand coalition's value gives every
/// coalition at least its own value. By the Bondareva–Shapley theorem, the core is
/// non-empty exactly when the cheapest allocation meeting every coalition's value costs
/// no more than the grand coalition's value (a linear programme).
pub fn core_is_empty(v: &[f64], n: usize) -> bool {
    use good_lp::{
        constraint, microlp, variable, Expression, ProblemVariables, Solution, SolverModel,
    };
    let grand = v[(1usize << n) - 1];
    let mut vars = ProblemVariables::new();
    let x: Vec<_> = (0..n).map(|_| vars.add(variable())).collect();
    let total: Expression = x.iter().sum();
    let mut lp = vars.minimise(total.clone()).using(microlp);
    // Every coalition, the grand one included (which keeps the programme bounded).
    for (mask, &value) in v.iter().enumerate().take(1usize << n).skip(1) {
        let members: Expression = (0..n).filter(|i| mask >> i & 1 == 1).map(|i| x[i]).sum();
        lp = lp.with(constraint!(members >= value));
    }
    match lp.solve() {
        Ok(sol) => sol.eval(&total) > grand + 1e-6 * (1.0 + grand.abs()),
        Err(_) => true,
    }
}
