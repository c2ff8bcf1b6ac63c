//! What the engine accepts and what it may report: the problem's numbers are checked
//! once before a solve, and every number of the result after it.

use crate::assignment::Assignment;
use crate::problem::Problem;
use crate::vdf::Vdf;

/// Why a solve was refused or its result withheld.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SolveError {
    /// A number of the problem is outside the range the engine accepts.
    #[error("{what} is {value}; it must be {expected}")]
    Invalid {
        /// Which number, e.g. `capacity of arc 3`.
        what: String,
        value: f64,
        expected: &'static str,
    },
    /// The arrays of the problem do not fit together (a caller's mistake).
    #[error("inconsistent problem: {0}")]
    Inconsistent(String),
    /// The solver met a number that is not finite — typically a cost function that
    /// overflowed at the flows the demand forces on it — so it has no result.
    #[error("{quantity} is {value} at iteration {iteration}: the costs overflowed at these flows, so there is no valid result")]
    NonFinite {
        /// Which number, e.g. `time of arc 3` or `relative gap`.
        quantity: String,
        /// The arc it belongs to, when it belongs to one.
        arc: Option<usize>,
        value: f64,
        iteration: usize,
    },
}

impl SolveError {
    /// The arc the error is about, when it is about one.
    pub fn arc(&self) -> Option<usize> {
        match self {
            SolveError::NonFinite { arc, .. } => *arc,
            _ => None,
        }
    }
}

fn require(
    ok: bool,
    what: impl FnOnce() -> String,
    value: f64,
    expected: &'static str,
) -> Result<(), SolveError> {
    if ok {
        Ok(())
    } else {
        Err(SolveError::Invalid {
            what: what(),
            value,
            expected,
        })
    }
}

const NON_NEGATIVE: &str = "finite and ≥ 0";
const POSITIVE: &str = "finite and > 0";

fn non_negative(x: f64) -> bool {
    x.is_finite() && x >= 0.0
}

fn positive(x: f64) -> bool {
    x.is_finite() && x > 0.0
}

impl Problem {
    /// Checks that every number of the problem is one the solvers can work with: cost
    /// function parameters, fixed costs, values of time, equivalence factors and demand
    /// finite and non-negative, capacities positive, the conical α above 1, every
    /// vertex and arc index in range, and fewer than `u32::MAX` vertices and arcs.
    pub fn check(&self) -> Result<(), SolveError> {
        let net = &self.network;
        let (n, m) = (net.num_vertices(), net.num_arcs());
        if n >= u32::MAX as usize || m >= u32::MAX as usize {
            return Err(SolveError::Inconsistent(format!(
                "{n} vertices and {m} arcs; both must be below {}",
                u32::MAX
            )));
        }
        if net.vdf.len() != m || net.no_through.len() != n {
            return Err(SolveError::Inconsistent(format!(
                "{m} arcs with {} cost functions, {n} vertices with {} through-traffic flags",
                net.vdf.len(),
                net.no_through.len()
            )));
        }
        for (a, f) in net.vdf.iter().enumerate() {
            match *f {
                Vdf::Bpr {
                    t0,
                    b,
                    capacity,
                    power,
                } => {
                    require(
                        non_negative(t0),
                        || format!("free-flow time of arc {a}"),
                        t0,
                        NON_NEGATIVE,
                    )?;
                    require(
                        non_negative(b),
                        || format!("BPR b of arc {a}"),
                        b,
                        NON_NEGATIVE,
                    )?;
                    require(
                        positive(capacity),
                        || format!("capacity of arc {a}"),
                        capacity,
                        POSITIVE,
                    )?;
                    require(
                        non_negative(power),
                        || format!("BPR power of arc {a}"),
                        power,
                        NON_NEGATIVE,
                    )?;
                }
                Vdf::Conical {
                    t0,
                    capacity,
                    alpha,
                } => {
                    require(
                        non_negative(t0),
                        || format!("free-flow time of arc {a}"),
                        t0,
                        NON_NEGATIVE,
                    )?;
                    require(
                        positive(capacity),
                        || format!("capacity of arc {a}"),
                        capacity,
                        POSITIVE,
                    )?;
                    require(
                        alpha.is_finite() && alpha > 1.0,
                        || format!("conical α of arc {a}"),
                        alpha,
                        "finite and > 1",
                    )?;
                }
                Vdf::Constant(c) => {
                    require(
                        non_negative(c),
                        || format!("constant time of arc {a}"),
                        c,
                        NON_NEGATIVE,
                    )?;
                }
            }
        }
        for (k, c) in self.classes.iter().enumerate() {
            if c.fixed.len() != m {
                return Err(SolveError::Inconsistent(format!(
                    "class {k} has {} fixed costs for {m} arcs",
                    c.fixed.len()
                )));
            }
            for (a, &g) in c.fixed.iter().enumerate() {
                require(
                    non_negative(g),
                    || format!("fixed cost of arc {a} for class {k}"),
                    g,
                    NON_NEGATIVE,
                )?;
            }
            require(
                non_negative(c.value_of_time),
                || format!("value of time of class {k}"),
                c.value_of_time,
                NON_NEGATIVE,
            )?;
            require(
                non_negative(c.equivalence),
                || format!("equivalence factor of class {k}"),
                c.equivalence,
                NON_NEGATIVE,
            )?;
            for od in &c.demand.origins {
                if od.origin as usize >= n {
                    return Err(SolveError::Inconsistent(format!(
                        "class {k}: origin {} of {n} vertices",
                        od.origin
                    )));
                }
                for &(d, v) in &od.destinations {
                    if d as usize >= n {
                        return Err(SolveError::Inconsistent(format!(
                            "class {k}: destination {d} of {n} vertices"
                        )));
                    }
                    require(
                        non_negative(v),
                        || format!("demand {} → {d} of class {k}", od.origin),
                        v,
                        NON_NEGATIVE,
                    )?;
                }
            }
        }
        Ok(())
    }
}

/// The first number of `values` that is not finite, as an error about `quantity` of
/// that arc.
fn finite_arcs(values: &[f64], quantity: &str, iteration: usize) -> Result<(), SolveError> {
    match values.iter().position(|v| !v.is_finite()) {
        None => Ok(()),
        Some(a) => Err(SolveError::NonFinite {
            quantity: format!("{quantity} of arc {a}"),
            arc: Some(a),
            value: values[a],
            iteration,
        }),
    }
}

/// Checks that every number a caller may report is finite: each class's flows, the
/// total flows and times, and the relative gap and objective of every iteration.
pub(crate) fn check_result(a: &Assignment) -> Result<(), SolveError> {
    let last = a.history.last().map_or(0, |h| h.iteration);
    finite_arcs(&a.time, "time", last)?;
    finite_arcs(&a.flow, "flow", last)?;
    for f in &a.class_flow {
        finite_arcs(f, "class flow", last)?;
    }
    for h in &a.history {
        for (quantity, value) in [("relative gap", h.relative_gap), ("objective", h.objective)] {
            if !value.is_finite() {
                return Err(SolveError::NonFinite {
                    quantity: quantity.into(),
                    arc: None,
                    value,
                    iteration: h.iteration,
                });
            }
        }
    }
    if !a.unreachable.is_finite() {
        return Err(SolveError::NonFinite {
            quantity: "demand with no path".into(),
            arc: None,
            value: a.unreachable,
            iteration: last,
        });
    }
    Ok(())
}
