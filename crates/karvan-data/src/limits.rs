//! The valid range of every number a user can give outside the dataset tables: command
//! flags, API parameters and scenario settings. One list, so that the command line, the
//! server and scenario files accept exactly the same values and say so in the same words.

use crate::schema::range_text;

/// A named range of valid values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limit {
    /// What the number is, for messages.
    pub what: &'static str,
    /// Smallest valid value ([`f64::MIN_POSITIVE`] for "greater than 0").
    pub min: f64,
    /// Largest valid value.
    pub max: f64,
}

impl Limit {
    const fn new(what: &'static str, min: f64, max: f64) -> Limit {
        Limit { what, min, max }
    }

    /// Whether `value` is finite and in range.
    pub fn accepts(&self, value: f64) -> bool {
        value.is_finite() && value >= self.min && value <= self.max
    }

    /// The range in words.
    pub fn range(&self) -> String {
        range_text(self.min, self.max)
    }

    /// `value`, or a message naming the quantity, the value and the range.
    pub fn check(&self, value: f64) -> Result<f64, String> {
        if self.accepts(value) {
            Ok(value)
        } else {
            Err(format!(
                "{} is {}: it must be {}",
                self.what,
                crate::schema::number_text(value),
                self.range()
            ))
        }
    }

    /// Parses `text` as a number in range (for command-line flags and query strings).
    pub fn parse(&self, text: &str) -> Result<f64, String> {
        let v: f64 = text
            .trim()
            .parse()
            .map_err(|_| format!("{} `{text}` is not a number", self.what))?;
        self.check(v)
    }

    /// Parses `text` as a whole number in range.
    pub fn parse_count(&self, text: &str) -> Result<usize, String> {
        let v: usize = text
            .trim()
            .parse()
            .map_err(|_| format!("{} `{text}` is not a whole number", self.what))?;
        self.check(v as f64).map(|_| v)
    }
}

/// Day of the year a closure starts: 1 is 1 January, 285 is 12 October (365-day year).
pub const START_DAY: Limit = Limit::new("the start day (1 = 1 January)", 1.0, 365.0);
/// How long a closure lasts.
pub const CLOSURE_DAYS: Limit =
    Limit::new("the closure's length in days", f64::MIN_POSITIVE, 365.0);
/// Share of capacity left by a partial closure.
pub const CAPACITY_SHARE: Limit = Limit::new("the capacity share left", 0.0, 1.0);
/// Chance per year that a crossing of risk index 1 closes.
pub const CLOSURE_CHANCE: Limit = Limit::new("the closure chance per year", 0.0, 1.0);
/// Monte Carlo years sampled.
pub const SAMPLES: Limit = Limit::new("the number of Monte Carlo years", 1.0, 1_000_000.0);

/// The game's highest tariff multiplier.
pub const MAX_MULTIPLIER: Limit = Limit::new("the highest tariff multiplier", 1.0, 100.0);
/// How much dearer the outside option is than today's cheapest route.
pub const OUTSIDE_MARKUP: Limit = Limit::new("the outside option's markup", 0.0, 10.0);
/// Shippers' price dispersion in the game (0 would divide by zero in the logit).
pub const PRICE_DISPERSION: Limit = Limit::new("the price dispersion", f64::MIN_POSITIVE, 1_000.0);
/// Weight of own shippers' surplus in a country's payoff.
pub const SHIPPER_WEIGHT: Limit = Limit::new("the shipper weight", 0.0, 10.0);
/// What carrying a transit tonne-kilometre costs.
pub const CARRYING_COST: Limit = Limit::new("the carrying cost (USD/t-km)", 0.0, 10.0);

/// Relative gap at which an equilibrium stops.
pub const GAP: Limit = Limit::new("the relative gap", f64::MIN_POSITIVE, 1.0);
/// Logit dispersion of route choice, per USD/t.
pub const LOGIT_DISPERSION: Limit = Limit::new("the logit dispersion", 0.0, 1_000.0);
/// Iterations of an equilibrium or logit.
pub const MAX_ITERATIONS: Limit = Limit::new("the most iterations", 1.0, 1_000_000.0);
/// Routes generated per origin–destination pair.
pub const ROUTES_PER_OD: Limit = Limit::new("the routes per origin–destination pair", 1.0, 20.0);
/// Alternatives listed after the best route.
pub const ALTERNATIVES: Limit = Limit::new("the number of alternatives", 0.0, 10.0);

/// The year a scenario models.
pub const YEAR: Limit = Limit::new("the scenario year", 1990.0, 2100.0);
/// Demand growth per year, percent (−100 % or less would make demand vanish or turn
/// negative).
pub const GROWTH_PERCENT: Limit = Limit::new("the demand growth in percent per year", -99.0, 100.0);
/// A discount rate, percent a year.
pub const DISCOUNT_PERCENT: Limit = Limit::new("the discount rate in percent per year", 0.0, 50.0);
/// Largest demand of one row after growth, tonnes per year.
pub const DEMAND_TONNES: Limit = Limit::new("a demand row's tonnes per year", 0.0, 1e10);
/// A factor on one origin–destination row of the base-year demand.
pub const OD_FACTOR: Limit = Limit::new("the demand factor", f64::MIN_POSITIVE, 100.0);
/// A tariff change in percent of today's value.
pub const TARIFF_PERCENT: Limit = Limit::new("the tariff change in percent", -100.0, 1_000.0);
/// A new tariff per tonne-kilometre.
pub const TARIFF_USD_PER_TKM: Limit = Limit::new("the tariff in USD per t-km", 0.0, 100.0);
/// A new tariff per tonne on entry.
pub const TARIFF_USD_PER_T: Limit = Limit::new("the tariff in USD per tonne", 0.0, 10_000.0);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nan_inf_and_out_of_range_values_are_refused_with_the_range() {
        for bad in ["nan", "NaN", "inf", "-inf", "0", "366", "-1"] {
            let e = CLOSURE_DAYS.parse(bad).expect_err(bad);
            assert!(e.contains("closure"), "{e}");
        }
        assert_eq!(CLOSURE_DAYS.parse("60"), Ok(60.0));
        assert!(PRICE_DISPERSION
            .parse("0")
            .unwrap_err()
            .contains("greater than 0"));
        assert_eq!(ALTERNATIVES.parse_count("10"), Ok(10));
        assert!(ALTERNATIVES.parse_count("50").is_err());
        assert!(ALTERNATIVES.parse_count("2.5").is_err());
    }
}
