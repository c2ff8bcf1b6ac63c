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

/// The discount rate at which the net flows' present value is zero, found by bisection
/// between −99% and 1,000% a year; `None` when the present value does not change sign
/// there (all flows of one sign, for instance).
pub fn internal_rate_of_return(net: &Flows) -> Option<f64> {
    let base = net.iter().map(|f| f.0).min()?;
    let npv = |r: f64| present_value(net, r, base);
    let (mut low, mut high) = (-0.99, 10.0);
    let (mut f_low, f_high) = (npv(low), npv(high));
    if !(f_low.is_finite() && f_high.is_finite()) || f_low * f_high > 0.0 {
        return None;
    }
    for _ in 0..200 {
        let mid = 0.5 * (low + high);
        let f_mid = npv(mid);
        if f_mid == 0.0 || (high - low) < 1e-12 {
            return Some(mid);
        }
        if f_low * f_mid < 0.0 {
            high = mid;
        } else {
            low = mid;
            f_low = f_mid;
        }
    }
    Some(0.5 * (low + high))
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
        close(
            internal_rate_of_return(&[(2030, -100.0), (2031, 110.0)]).unwrap(),
            0.10,
        );
        let flows = [
            (2026, -500.0),
            (2027, -300.0),
            (2028, 200.0),
            (2029, 400.0),
            (2030, 450.0),
        ];
        let irr = internal_rate_of_return(&flows).unwrap();
        assert!(present_value(&flows, irr, 2026).abs() < 1e-6);
        // No change of sign: no rate.
        assert_eq!(internal_rate_of_return(&[(2030, 5.0), (2031, 5.0)]), None);
        assert_eq!(internal_rate_of_return(&[]), None);
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
