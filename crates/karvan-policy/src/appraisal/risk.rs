//! Risk and sensitivity of a case's net present value: a tornado (each input at its low
//! and high value, the others central) and a seeded Monte Carlo of draws over demand
//! growth, capital cost, levies, opening delay and closures.

use rand::{Rng, SeedableRng};
use rayon::prelude::*;
use serde::Serialize;

use super::flows::{Closures, Context, Draw};
use crate::appraise::present_value;

/// One bar of the tornado.
#[derive(Debug, Clone, Serialize)]
pub struct Bar {
    pub input: String,
    /// What the low and high ends are.
    pub low_label: String,
    pub high_label: String,
    pub npv_low_usd: f64,
    pub npv_high_usd: f64,
}

impl Bar {
    pub fn swing(&self) -> f64 {
        (self.npv_high_usd - self.npv_low_usd).abs()
    }
}

/// The economic net present value of `mask` under `draw` at `rate`.
pub fn npv(ctx: &Context, mask: usize, draw: &Draw, rate: f64) -> f64 {
    let net: Vec<(i32, f64)> = ctx
        .totals(mask, draw)
        .iter()
        .map(|y| (y.year, y.net()))
        .collect();
    present_value(&net, rate, ctx.settings.start)
}

/// The tornado of a case, widest bar first.
pub fn tornado(ctx: &Context, mask: usize) -> Vec<Bar> {
    let st = ctx.settings;
    let rate = st.discount_rate;
    let with = |f: &dyn Fn(&mut Draw)| {
        let mut d = Draw::central();
        f(&mut d);
        npv(ctx, mask, &d, rate)
    };
    let central = Draw::central();
    let pct = |v: f64| format!("{:.1}%", v * 100.0);
    let mut bars = vec![
        Bar {
            input: "demand growth".into(),
            low_label: format!("{:.1}%/yr", st.growth_percent - st.growth_spread_points),
            high_label: format!("{:.1}%/yr", st.growth_percent + st.growth_spread_points),
            npv_low_usd: with(&|d| d.growth = -1.0),
            npv_high_usd: with(&|d| d.growth = 1.0),
        },
        Bar {
            input: "capital cost".into(),
            low_label: "low estimate".into(),
            high_label: "high estimate".into(),
            npv_low_usd: with(&|d| d.capex = -1.0),
            npv_high_usd: with(&|d| d.capex = 1.0),
        },
        Bar {
            input: "levies (tariffs and border fees)".into(),
            low_label: format!("×{}", st.levies_low),
            high_label: format!("×{}", st.levies_high),
            npv_low_usd: with(&|d| d.levies = -1.0),
            npv_high_usd: with(&|d| d.levies = 1.0),
        },
        Bar {
            input: "discount rate".into(),
            low_label: pct(st.rate_low),
            high_label: pct(st.rate_high),
            npv_low_usd: npv(ctx, mask, &central, st.rate_low),
            npv_high_usd: npv(ctx, mask, &central, st.rate_high),
        },
        Bar {
            input: "opening delay".into(),
            low_label: "on time".into(),
            high_label: format!("{} years late", st.delay_years),
            npv_low_usd: with(&|_| {}),
            npv_high_usd: with(&|d| d.delay = st.delay_years),
        },
        Bar {
            input: "closure risk".into(),
            low_label: "no closures".into(),
            high_label: "twice the chance".into(),
            npv_low_usd: with(&|d| d.closures = Closures::Expected(0.0)),
            npv_high_usd: with(&|d| d.closures = Closures::Expected(2.0)),
        },
    ];
    bars.sort_by(|a, b| b.swing().total_cmp(&a.swing()));
    bars
}

/// A draw from the triangular distribution on −1…1 with its mode at 0.
fn triangular(u: f64) -> f64 {
    if u < 0.5 {
        (2.0 * u).sqrt() - 1.0
    } else {
        1.0 - (2.0 * (1.0 - u)).sqrt()
    }
}

/// Draw `k` of the Monte Carlo with `seed`: each draw its own stream, the same for
/// every case (so cases are compared on the same futures). Growth, levies and capital
/// cost are triangular between their low, central and high values; the delay is a whole
/// number of years from 0 to the tornado's, evenly; each crossing of each scheme closes
/// in each year with its chance, for the closure length.
pub fn draw(ctx: &Context, seed: u64, k: u64) -> Draw {
    let st = ctx.settings;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(k);
    let growth = triangular(rng.gen());
    let levies = triangular(rng.gen());
    let capex = triangular(rng.gen());
    let delay = rng.gen_range(0..=st.delay_years.max(0));
    let years = (st.horizon - st.start + 1).max(0) as usize;
    let days = st.closure_days / 365.0;
    let closures = ctx
        .money
        .iter()
        .map(|s| {
            (0..years)
                .map(|_| {
                    let n = s
                        .closure_chances
                        .iter()
                        .filter(|&&p| rng.gen::<f64>() < p)
                        .count();
                    (n as f64 * days).min(1.0)
                })
                .collect()
        })
        .collect();
    Draw {
        growth,
        levies,
        capex,
        capex_scale: 1.0,
        delay,
        closures: Closures::Sampled(closures),
    }
}

/// The distribution of a case's net present value over the draws.
#[derive(Debug, Clone, Serialize)]
pub struct NpvDistribution {
    pub draws: usize,
    pub seed: u64,
    pub mean_usd: f64,
    pub p10_usd: f64,
    pub p50_usd: f64,
    pub p90_usd: f64,
    /// Share of draws with a negative net present value.
    pub probability_negative: f64,
    /// Every draw's value, in draw order.
    #[serde(skip)]
    pub values: Vec<f64>,
}

/// The Monte Carlo of a case over `draws` (made once and shared by every case).
pub fn monte_carlo(ctx: &Context, mask: usize, draws: &[Draw], seed: u64) -> NpvDistribution {
    let values: Vec<f64> = draws
        .par_iter()
        .map(|d| npv(ctx, mask, d, ctx.settings.discount_rate))
        .collect();
    let mut sorted = values.clone();
    sorted.sort_by(f64::total_cmp);
    let q = |p: f64| {
        sorted
            .get(((sorted.len() as f64 - 1.0) * p).round() as usize)
            .copied()
            .unwrap_or(0.0)
    };
    let n = values.len().max(1) as f64;
    NpvDistribution {
        draws: values.len(),
        seed,
        mean_usd: values.iter().sum::<f64>() / n,
        p10_usd: q(0.1),
        p50_usd: q(0.5),
        p90_usd: q(0.9),
        probability_negative: values.iter().filter(|v| **v < 0.0).count() as f64 / n,
        values,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_triangular_draw_has_its_mode_and_ends_where_it_should() {
        assert_eq!(triangular(0.5), 0.0);
        assert_eq!(triangular(0.0), -1.0);
        assert!((triangular(1.0) - 1.0).abs() < 1e-12);
        // The cumulative share below x = −0.5 is (0.5)²/2 = 0.125.
        assert!((triangular(0.125) + 0.5).abs() < 1e-12);
    }
}
