//! One month's allocation as a sequence of linear programmes, and months in a row.
//!
//! Each month, for each priority in turn (1 first), a programme finds the largest share
//! `α` of its demands that every take of that priority can get together, with the shares
//! of the priorities before it held; then one more programme serves what is left (higher
//! priorities first) and keeps the rest in storage. Water balances at every node:
//! inflow + arrivals from upstream (less the reach's loss) + storage drawn + returns =
//! outflow downstream + withdrawals.

use good_lp::{
    constraint, microlp, variable, Expression, ProblemVariables, Solution, SolverModel, Variable,
};

use crate::network::Network;

/// What is asked of the river in one month, hm³.
#[derive(Debug, Clone, PartialEq)]
pub struct MonthDemand {
    /// Inflow entering at each node.
    pub inflow: Vec<f64>,
    /// What each take asks for.
    pub demand: Vec<f64>,
}

/// What carries over from one month to the next.
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    /// Storage of each reservoir, hm³.
    pub storage: Vec<f64>,
    /// What each quota has taken so far in its season, hm³.
    pub quota_used: Vec<f64>,
}

impl State {
    /// The state before the first month: reservoirs at their initial storage.
    pub fn initial(net: &Network) -> State {
        State {
            storage: net.reservoirs.iter().map(|r| r.initial_hm3).collect(),
            quota_used: vec![0.0; net.quotas.len()],
        }
    }
}

/// One month's allocation, hm³.
#[derive(Debug, Clone, PartialEq)]
pub struct Month {
    /// Calendar month, 0 = January.
    pub month: usize,
    /// What each take asked for and what it got.
    pub demand: Vec<f64>,
    pub delivered: Vec<f64>,
    /// What leaves each node downstream (for the terminal: what reaches the sea).
    pub outflow: Vec<f64>,
    /// What arrives at each node from upstream, after the reaches' losses.
    pub arrivals: Vec<f64>,
    /// What each node's reach loses on the way down.
    pub lost: Vec<f64>,
    /// Storage of each reservoir at the month's end.
    pub storage: Vec<f64>,
    /// The share of demand served at each priority, in priority order.
    pub shares: Vec<(u32, f64)>,
}

/// Tolerance of a share held from one programme to the next.
const HOLD: f64 = 1e-9;

struct Vars {
    out: Vec<Variable>,
    take: Vec<Variable>,
    store: Vec<Variable>,
}

/// Allocates month `month` (0 = January) from `state`; returns the month and the state
/// after it. Fails only when the linear programme does (which a checked network never
/// makes it: taking nothing and letting everything flow down is always possible).
pub fn allocate_month(
    net: &Network,
    month: usize,
    ask: &MonthDemand,
    state: &State,
) -> Result<(Month, State), String> {
    let mut priorities: Vec<u32> = net.takes.iter().map(|t| t.priority).collect();
    priorities.sort_unstable();
    priorities.dedup();
    let target: Vec<f64> = net
        .takes
        .iter()
        .zip(&ask.demand)
        .map(|(t, d)| t.capacity_hm3.map_or(*d, |c| d.min(c)).max(0.0))
        .collect();
    let mut shares: Vec<(u32, f64)> = Vec::new();
    for &p in &priorities {
        let mut vars = ProblemVariables::new();
        let v = declare(&mut vars, net, state, &target);
        let alpha = vars.add(variable().min(0.0).max(1.0));
        let mut lp = vars.maximise(alpha).using(microlp);
        for c in physics(net, month, ask, state, &v) {
            lp = lp.with(c);
        }
        for (k, t) in net.takes.iter().enumerate() {
            if t.priority == p && target[k] > 0.0 {
                lp = lp.with(constraint!(v.take[k] >= target[k] * alpha));
            }
        }
        for c in held(net, &shares, &target, &v) {
            lp = lp.with(c);
        }
        let sol = lp
            .solve()
            .map_err(|e| format!("month {}: {e}", month + 1))?;
        shares.push((p, sol.value(alpha).clamp(0.0, 1.0)));
    }
    // Serve what is left, higher priorities first, and keep the rest in storage.
    let mut vars = ProblemVariables::new();
    let v = declare(&mut vars, net, state, &target);
    let rank =
        |p: u32| (priorities.len() - priorities.iter().position(|q| *q == p).unwrap_or(0)) as f64;
    let served: Expression = net
        .takes
        .iter()
        .enumerate()
        .map(|(k, t)| rank(t.priority) * v.take[k])
        .sum();
    // Refilling is worth something up to each reservoir's target, nothing above it.
    let refill: Vec<Variable> = net
        .reservoirs
        .iter()
        .map(|r| vars.add(variable().min(0.0).max(r.target_hm3)))
        .collect();
    let stored: Expression = refill.iter().sum();
    let mut lp = vars.maximise(served + 1e-3 * stored).using(microlp);
    for (r, u) in refill.iter().enumerate() {
        lp = lp.with(constraint!(*u <= v.store[r]));
    }
    for c in physics(net, month, ask, state, &v) {
        lp = lp.with(c);
    }
    for c in held(net, &shares, &target, &v) {
        lp = lp.with(c);
    }
    let sol = lp
        .solve()
        .map_err(|e| format!("month {}: {e}", month + 1))?;
    Ok(read(net, month, ask, state, &v, &sol, shares))
}

fn declare(vars: &mut ProblemVariables, net: &Network, state: &State, target: &[f64]) -> Vars {
    Vars {
        out: net
            .downstream
            .iter()
            .map(|_| vars.add(variable().min(0.0)))
            .collect(),
        take: target
            .iter()
            .map(|t| vars.add(variable().min(0.0).max(*t)))
            .collect(),
        store: net
            .reservoirs
            .iter()
            .zip(&state.storage)
            .map(|(r, s)| vars.add(variable().min(r.dead_hm3.min(*s)).max(r.capacity_hm3)))
            .collect(),
    }
}

/// The balance at every node, requirements met by passing water, quotas.
fn physics(
    net: &Network,
    month: usize,
    ask: &MonthDemand,
    state: &State,
    v: &Vars,
) -> Vec<good_lp::Constraint> {
    let n = net.downstream.len();
    let mut out = Vec::new();
    for i in 0..n {
        let mut sources: Expression = ask.inflow[i].into();
        for (u, d) in net.downstream.iter().enumerate() {
            if let Some((to, loss)) = d {
                if *to == i {
                    sources += (1.0 - loss) * v.out[u];
                }
            }
        }
        for (r, res) in net.reservoirs.iter().enumerate() {
            if res.node == i {
                sources += state.storage[r] - v.store[r];
            }
        }
        let mut uses: Expression = v.out[i].into();
        for (k, t) in net.takes.iter().enumerate() {
            if t.node == i && !t.requirement {
                uses += (1.0 - t.return_fraction) * v.take[k];
            }
        }
        out.push(constraint!(sources == uses));
        for (k, t) in net.takes.iter().enumerate() {
            if t.node == i && t.requirement {
                out.push(constraint!(v.take[k] <= v.out[i]));
            }
        }
    }
    for (q, quota) in net.quotas.iter().enumerate() {
        if quota.months.contains(&month) {
            let taken: Expression = quota.takes.iter().map(|&k| v.take[k]).sum();
            let left = (quota.cap_hm3 - state.quota_used[q]).max(0.0);
            out.push(constraint!(taken <= left));
        }
    }
    out
}

/// The shares found for earlier priorities, held.
fn held(
    net: &Network,
    shares: &[(u32, f64)],
    target: &[f64],
    v: &Vars,
) -> Vec<good_lp::Constraint> {
    let mut out = Vec::new();
    for &(p, a) in shares {
        for (k, t) in net.takes.iter().enumerate() {
            if t.priority == p && target[k] > 0.0 {
                out.push(constraint!(v.take[k] >= target[k] * (a - HOLD).max(0.0)));
            }
        }
    }
    out
}

fn read(
    net: &Network,
    month: usize,
    ask: &MonthDemand,
    state: &State,
    v: &Vars,
    sol: &impl Solution,
    shares: Vec<(u32, f64)>,
) -> (Month, State) {
    let n = net.downstream.len();
    let outflow: Vec<f64> = v.out.iter().map(|x| sol.value(*x).max(0.0)).collect();
    let mut arrivals = vec![0.0; n];
    let mut lost = vec![0.0; n];
    for (u, d) in net.downstream.iter().enumerate() {
        if let Some((to, loss)) = d {
            arrivals[*to] += (1.0 - loss) * outflow[u];
            lost[u] = loss * outflow[u];
        }
    }
    let delivered: Vec<f64> = v.take.iter().map(|x| sol.value(*x).max(0.0)).collect();
    let storage: Vec<f64> = v.store.iter().map(|x| sol.value(*x)).collect();
    let quota_used = net
        .quotas
        .iter()
        .enumerate()
        .map(|(q, quota)| {
            // A season starts afresh in its first month.
            let first = quota.months.first() == Some(&month);
            let before = if first { 0.0 } else { state.quota_used[q] };
            if quota.months.contains(&month) {
                before + quota.takes.iter().map(|&k| delivered[k]).sum::<f64>()
            } else {
                0.0
            }
        })
        .collect();
    (
        Month {
            month,
            demand: ask.demand.clone(),
            delivered,
            outflow,
            arrivals,
            lost,
            storage: storage.clone(),
            shares,
        },
        State {
            storage,
            quota_used,
        },
    )
}

/// Months in a row from `start` (0 = January), each from the state the last left.
pub fn simulate(net: &Network, start: usize, asks: &[MonthDemand]) -> Result<Vec<Month>, String> {
    let mut state = State::initial(net);
    let mut out = Vec::with_capacity(asks.len());
    for (k, ask) in asks.iter().enumerate() {
        let month = (start + k) % crate::MONTHS;
        // A quota's season starts afresh in its first month.
        for (q, quota) in net.quotas.iter().enumerate() {
            if quota.months.first() == Some(&month) {
                state.quota_used[q] = 0.0;
            }
        }
        let (m, next) = allocate_month(net, month, ask, &state)?;
        out.push(m);
        state = next;
    }
    Ok(out)
}
