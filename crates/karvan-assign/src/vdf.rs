//! Link cost functions: how a link's travel time grows with its flow.

/// A volume-delay function. Costs are times; a fixed (money) part per class is added
/// by the caller.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Vdf {
    /// Bureau of Public Roads: `t0 · (1 + b · (x / capacity)^power)`. The standard for
    /// roads and lines, and the TNTP convention.
    Bpr {
        t0: f64,
        b: f64,
        capacity: f64,
        power: f64,
    },
    /// Spiess's conical function, for border crossings: `t0 · (2 + √(α²(1−r)² + β²) − α(1−r) − β)`
    /// with `r = x / capacity` and `β = (2α − 1)/(2α − 2)`. It equals `t0` at zero flow and
    /// `2·t0` at capacity like BPR with b = 1, but its delay keeps growing *linearly* (slope
    /// `α`) past capacity instead of as a high power: a queue at a border grows with the
    /// excess of arrivals over what the post can clear, and the function stays finite and
    /// numerically tame when demand overshoots capacity, where BPR⁴ explodes. α ≥ 1.5.
    Conical { t0: f64, capacity: f64, alpha: f64 },
    /// A cost that does not depend on flow.
    Constant(f64),
}

/// Spiess's β for a given α, which makes the conical function pass through 2·t0 at capacity.
fn conical_beta(alpha: f64) -> f64 {
    (2.0 * alpha - 1.0) / (2.0 * alpha - 2.0)
}

/// `base^power`, by multiplication when the power is a small whole number (BPR's 4 is
/// the usual case): the general `powf` is the dearest step of a link update.
#[inline]
fn pow(base: f64, power: f64) -> f64 {
    if power == power.trunc() && (0.0..=16.0).contains(&power) {
        base.powi(power as i32)
    } else {
        base.powf(power)
    }
}

impl Vdf {
    /// Cost at flow `x`.
    pub fn cost(&self, x: f64) -> f64 {
        match *self {
            Vdf::Bpr {
                t0,
                b,
                capacity,
                power,
            } => t0 * (1.0 + b * pow(x / capacity, power)),
            Vdf::Conical {
                t0,
                capacity,
                alpha,
            } => {
                let beta = conical_beta(alpha);
                let u = 1.0 - x / capacity;
                t0 * (2.0 + (alpha * alpha * u * u + beta * beta).sqrt() - alpha * u - beta)
            }
            Vdf::Constant(c) => c,
        }
    }

    /// Derivative of the cost with respect to flow at `x`.
    pub fn derivative(&self, x: f64) -> f64 {
        match *self {
            Vdf::Bpr {
                t0,
                b,
                capacity,
                power,
            } => {
                if power == 0.0 || x <= 0.0 && power < 1.0 {
                    0.0
                } else {
                    t0 * b * power * pow(x / capacity, power - 1.0) / capacity
                }
            }
            Vdf::Conical {
                t0,
                capacity,
                alpha,
            } => {
                let beta = conical_beta(alpha);
                let u = 1.0 - x / capacity;
                t0 / capacity
                    * (alpha - alpha * alpha * u / (alpha * alpha * u * u + beta * beta).sqrt())
            }
            Vdf::Constant(_) => 0.0,
        }
    }

    /// `∫₀ˣ cost(s) ds`, the link's part of the Beckmann objective.
    pub fn integral(&self, x: f64) -> f64 {
        match *self {
            Vdf::Bpr {
                t0,
                b,
                capacity,
                power,
            } => t0 * (x + b * x * pow(x / capacity, power) / (power + 1.0)),
            Vdf::Conical {
                t0,
                capacity,
                alpha,
            } => {
                let beta = conical_beta(alpha);
                let a2 = alpha * alpha;
                // F(u) = ∫ √(α²u² + β²) du, with u = 1 − s/c and ds = −c du.
                let f = |u: f64| {
                    let r = (a2 * u * u + beta * beta).sqrt();
                    0.5 * (u * r + beta * beta / alpha * (alpha * u + r).ln())
                };
                let u = 1.0 - x / capacity;
                let root = capacity * (f(1.0) - f(u));
                let linear = -alpha * (x - x * x / (2.0 * capacity));
                t0 * ((2.0 - beta) * x + root + linear)
            }
            Vdf::Constant(c) => c * x,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numeric_checks(f: Vdf) {
        for x in [0.0, 10.0, 55.5, 100.0, 180.0] {
            let h = 1e-4;
            let d = (f.cost(x + h) - f.cost((x - h).max(0.0))) / (x + h - (x - h).max(0.0));
            assert!(
                (d - f.derivative(x)).abs() < 1e-5 * (1.0 + d.abs()),
                "{f:?} derivative at {x}: {d} vs {}",
                f.derivative(x)
            );
            // Simpson's rule for the integral.
            let n = 2000;
            let step = x / n as f64;
            let mut s = f.cost(0.0) + f.cost(x);
            for i in 1..n {
                s += f.cost(i as f64 * step) * if i % 2 == 1 { 4.0 } else { 2.0 };
            }
            let simpson = s * step / 3.0;
            assert!(
                (simpson - f.integral(x)).abs() < 1e-6 * (1.0 + simpson.abs()),
                "{f:?} integral at {x}: {simpson} vs {}",
                f.integral(x)
            );
        }
    }

    #[test]
    fn derivatives_and_integrals_match_numerics() {
        numeric_checks(Vdf::Bpr {
            t0: 2.0,
            b: 0.15,
            capacity: 100.0,
            power: 4.0,
        });
        numeric_checks(Vdf::Bpr {
            t0: 2.0,
            b: 1.0,
            capacity: 100.0,
            power: 1.0,
        });
        numeric_checks(Vdf::Conical {
            t0: 3.0,
            capacity: 100.0,
            alpha: 4.0,
        });
        numeric_checks(Vdf::Constant(7.0));
    }

    #[test]
    fn conical_doubles_at_capacity_and_grows_linearly_beyond() {
        let f = Vdf::Conical {
            t0: 3.0,
            capacity: 100.0,
            alpha: 4.0,
        };
        assert!((f.cost(0.0) - 3.0).abs() < 1e-12);
        assert!((f.cost(100.0) - 6.0).abs() < 1e-12);
        let slope = (f.cost(1000.0) - f.cost(900.0)) / 100.0;
        assert!((slope - 3.0 * 4.0 * 2.0 / 100.0).abs() < 1e-3, "{slope}");
    }
}
