//! Money over time, in the conventions of the development banks' economic appraisal:
//! present values at a discount rate, the benefit–cost ratio, the internal rate of
//! return, the first year of positive net benefit, years between solved years by linear
//! interpolation, and shippers' benefit by the rule of a half.

/// A flow of money by year: `(year, USD)`.
pub type Flows = [(i32, f64)];

/// Present value in `base_year` of `flows` discounted at `rate` a year (0.09 = 9%):
/// a flow in year `y` counts `1 / (1 + rate)^(y − base_year)`.
pub fn present_value(flows: &Flows, rate: f64, base_year: i32) -> f64 {
    flows
        .iter()
        .map(|&(year, usd)| usd / (1.0 + rate).powi(year - base_year))
        .sum()
}

/// Benefits' present value over costs' (both positive amounts); `None` without costs.
pub fn benefit_cost_ratio(
    benefits: &Flows,
    costs: &Flows,
    rate: f64,
    base_year: i32,
) -> Option<f64> {
    let c = present_value(costs, rate, base_year);
    (c > 0.0).then(|| present_value(benefits, rate, base_year) / c)
}

/// The internal rate of return of a stream of net flows: the discount rates at which its
/// present value is zero. A stream that changes sign more than once may have several
/// (or none); they are reported as found, never one picked silently.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "kind", content = "rates", rename_all = "snake_case")]
pub enum Irr {
    /// The present value keeps one sign at every rate searched.
    None,
    One(f64),
    Several(Vec<f64>),
}

impl Irr {
    /// The rate when there is exactly one.
    pub fn single(&self) -> Option<f64> {
        match self {
            Irr::One(r) => Some(*r),
            _ => None,
        }
    }
}

/// Lowest and highest rate searched for an internal rate of return: −99% and 1,000%.
const IRR_RANGE: (f64, f64) = (-0.99, 10.0);

/// Every rate in −99%…1,000% a year at which the net flows' present value is zero: the
/// present value is scanned on a fine grid (denser near zero, where rates of interest
/// lie) and each change of sign refined by bisection.
pub fn internal_rate_of_return(net: &Flows) -> Irr {
    let Some(base) = net.iter().map(|f| f.0).min() else {
        return Irr::None;
    };
    if net.iter().all(|f| f.1 == 0.0) {
        // Nothing flows: every rate gives zero, no rate is the return.
        return Irr::None;
    }
    let npv = |r: f64| present_value(net, r, base);
    // The grid is even in ln(1 + r), so it is as fine at 5% as the rates matter.
    let (lo, hi) = ((1.0 + IRR_RANGE.0).ln(), (1.0 + IRR_RANGE.1).ln());
    const STEPS: usize = 4000;
    let rate = |k: usize| (lo + (hi - lo) * k as f64 / STEPS as f64).exp() - 1.0;
    let mut roots = Vec::new();
    let (mut a, mut fa) = (rate(0), npv(rate(0)));
    for k in 1..=STEPS {
        let b = rate(k);
        let fb = npv(b);
        if !(fa.is_finite() && fb.is_finite()) {
            (a, fa) = (b, fb);
            continue;
        }
        if fb == 0.0 {
            if fa != 0.0 {
                roots.push(b);
            }
        } else if fa != 0.0 && fa * fb < 0.0 {
            roots.push(bisect(&npv, a, b, fa));
        }
        (a, fa) = (b, fb);
    }
    match roots.len() {
        0 => Irr::None,
        1 => Irr::One(roots[0]),
        _ => Irr::Several(roots),
    }
}

fn bisect(f: &dyn Fn(f64) -> f64, mut low: f64, mut high: f64, mut f_low: f64) -> f64 {
    for _ in 0..100 {
        let mid = 0.5 * (low + high);
        let f_mid = f(mid);
        if f_mid == 0.0 || high - low < 1e-13 {
            return mid;
        }
        if f_low * f_mid < 0.0 {
            high = mid;
        } else {
            low = mid;
            f_low = f_mid;
        }
    }
    0.5 * (low + high)
}

/// The first year by the end of which the undiscounted net flows add up to zero or more
/// and stay so: the payback year. `None` when the sum is negative at the end.
pub fn payback_year(net: &Flows) -> Option<i32> {
    let mut years: Vec<(i32, f64)> = net.to_vec();
    years.sort_by_key(|f| f.0);
    let mut sum = 0.0;
    let mut since = None;
    for (year, usd) in years {
        sum += usd;
        if sum >= 0.0 {
            since.get_or_insert(year);
        } else {
            since = None;
        }
    }
    since
}

/// The first year whose net flow is positive, in year order.
pub fn first_positive_year(net: &Flows) -> Option<i32> {
    let mut years: Vec<(i32, f64)> = net.to_vec();
    years.sort_by_key(|f| f.0);
    years.into_iter().find(|f| f.1 > 0.0).map(|f| f.0)
}

/// A figure in `year` from the years where the model was solved: linear between the two
/// nearest solved years, and held at the first or last solved value outside them (no
/// extrapolation of growth the model did not see). `None` when nothing was solved.
pub fn interpolate(solved: &Flows, year: i32) -> Option<f64> {
    let mut s: Vec<(i32, f64)> = solved.to_vec();
    s.sort_by_key(|f| f.0);
    let first = *s.first()?;
    let last = *s.last()?;
    if year <= first.0 {
        return Some(first.1);
    }
    if year >= last.0 {
        return Some(last.1);
    }
    let i = s.iter().position(|f| f.0 >= year)?;
    let (a, b) = (s[i - 1], s[i]);
    let t = f64::from(year - a.0) / f64::from(b.0 - a.0);
    Some(a.1 + t * (b.1 - a.1))
}

/// Shippers' benefit of a change from cost `c0` with `q0` tonnes to cost `c1` with `q1`
/// tonnes, by the rule of a half: the tonnes that shipped before gain the whole fall in
/// cost, the tonnes generated or diverted by it half of it on average:
/// `(c0 − c1) · (q0 + q1) / 2`. Negative when the cost rises.
pub fn rule_of_a_half(q0: f64, c0: f64, q1: f64, c1: f64) -> f64 {
    (c0 - c1) * (q0 + q1) / 2.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-9 * (1.0 + b.abs()), "{a} != {b}");
    }

    #[test]
    fn present_value_by_hand() {
        // −100 now, +60 in each of the next two years, at 10%:
        // −100 + 60/1.1 + 60/1.21 = 4.1322…
        let flows = [(2030, -100.0), (2031, 60.0), (2032, 60.0)];
        close(
            present_value(&flows, 0.10, 2030),
            -100.0 + 60.0 / 1.1 + 60.0 / 1.21,
        );
        // Discounting to an earlier year divides by one more factor.
        close(
            present_value(&flows, 0.10, 2029),
            present_value(&flows, 0.10, 2030) / 1.1,
        );
    }

    #[test]
    fn the_internal_rate_of_return_zeroes_the_present_value() {
        // −100 then +110 a year later: exactly 10%.
        let one = internal_rate_of_return(&[(2030, -100.0), (2031, 110.0)]);
        close(one.single().unwrap(), 0.10);
        // −100, then 0, then +121: (1 + r)² = 1.21, so 10% again.
        let two_years = internal_rate_of_return(&[(2030, -100.0), (2031, 0.0), (2032, 121.0)]);
        close(two_years.single().unwrap(), 0.10);
        let flows = [
            (2026, -500.0),
            (2027, -300.0),
            (2028, 200.0),
            (2029, 400.0),
            (2030, 450.0),
        ];
        let irr = internal_rate_of_return(&flows).single().unwrap();
        assert!(present_value(&flows, irr, 2026).abs() < 1e-6);
    }

    #[test]
    fn no_rate_and_several_rates_are_reported_as_such() {
        // No change of sign: no rate.
        assert_eq!(
            internal_rate_of_return(&[(2030, 5.0), (2031, 5.0)]),
            Irr::None
        );
        assert_eq!(internal_rate_of_return(&[]), Irr::None);
        assert_eq!(
            internal_rate_of_return(&[(2030, 0.0), (2031, 0.0)]),
            Irr::None
        );
        // −100, +230, −132: the present value is −(x − 1.1)(x − 1.2)·100/x² with
        // x = 1 + r, zero at 10% and at 20% (a mine that must be restored).
        let Irr::Several(rates) =
            internal_rate_of_return(&[(2030, -100.0), (2031, 230.0), (2032, -132.0)])
        else {
            panic!("two rates expected");
        };
        assert_eq!(rates.len(), 2);
        close(rates[0], 0.10);
        close(rates[1], 0.20);
        // −100, +200, −101 never breaks even: (x − 1)² = −0.01 has no real root.
        assert_eq!(
            internal_rate_of_return(&[(2030, -100.0), (2031, 200.0), (2032, -101.0)]),
            Irr::None
        );
    }

    #[test]
    fn payback_is_the_year_the_sum_turns_and_stays_positive() {
        let net = [
            (2026, -100.0),
            (2027, -50.0),
            (2028, 60.0),
            (2029, 60.0),
            (2030, 60.0),
        ];
        // −100, −150, −90, −30, +30.
        assert_eq!(payback_year(&net), Some(2030));
        // Turning positive and then negative again is no payback until it turns for good.
        let relapse = [(2026, -10.0), (2027, 20.0), (2028, -30.0), (2029, 25.0)];
        assert_eq!(payback_year(&relapse), Some(2029));
        assert_eq!(payback_year(&[(2026, -10.0), (2027, 5.0)]), None);
    }

    #[test]
    fn benefit_cost_ratio_and_first_positive_year() {
        let costs = [(2030, 100.0)];
        let benefits = [(2031, 66.0), (2032, 72.6)];
        // 66/1.1 + 72.6/1.21 = 60 + 60 = 120 against 100.
        close(
            benefit_cost_ratio(&benefits, &costs, 0.10, 2030).unwrap(),
            1.2,
        );
        assert_eq!(benefit_cost_ratio(&benefits, &[], 0.10, 2030), None);
        let net = [(2032, 5.0), (2030, -100.0), (2031, -2.0)];
        assert_eq!(first_positive_year(&net), Some(2032));
        assert_eq!(first_positive_year(&[(2030, -1.0)]), None);
    }

    #[test]
    fn interpolation_is_linear_between_solved_years_and_flat_outside() {
        let solved = [(2035, 30.0), (2030, 10.0)];
        close(interpolate(&solved, 2030).unwrap(), 10.0);
        close(interpolate(&solved, 2032).unwrap(), 18.0);
        close(interpolate(&solved, 2025).unwrap(), 10.0);
        close(interpolate(&solved, 2050).unwrap(), 30.0);
        assert_eq!(interpolate(&[], 2030), None);
    }

    #[test]
    fn the_rule_of_a_half_is_exact_for_linear_demand() {
        // Demand q = 100 − c: from c = 40 (q 60) to c = 30 (q 70), the gain in consumer
        // surplus is the trapezoid (40 − 30)(60 + 70)/2 = 650.
        let surplus = |c: f64| (100.0 - c) * (100.0 - c) / 2.0;
        close(
            rule_of_a_half(60.0, 40.0, 70.0, 30.0),
            surplus(30.0) - surplus(40.0),
        );
        // A dearer route is a loss.
        assert!(rule_of_a_half(60.0, 30.0, 50.0, 40.0) < 0.0);
    }
}
