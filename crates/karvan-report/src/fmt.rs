//! Number formatting for people: thousands separators, sensible precision.

/// `1234567.8` → `1,234,568`.
pub fn thousands(v: f64) -> String {
    let neg = v < 0.0;
    let digits = format!("{:.0}", v.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if neg && digits != "0" {
        format!("-{out}")
    } else {
        out
    }
}

/// A signed change with thousands separators: `+1,200`, `-35`, `0`.
pub fn signed(v: f64) -> String {
    let s = thousands(v);
    if v >= 0.5 {
        format!("+{s}")
    } else {
        s
    }
}

/// A relative gap: `3.2e-9`, or `0 (to machine precision)` when rounding left nothing.
pub fn gap(g: f64) -> String {
    if g <= 0.0 {
        "0 (to machine precision)".to_string()
    } else {
        format!("{g:.1e}")
    }
}

/// `v` with `decimals` decimals, never `-0` (a value that rounds to zero is `0`).
pub fn fixed(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    match s.strip_prefix('-') {
        Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_string(),
        _ => s,
    }
}

/// `n` and the noun, singular or plural: `1 iteration`, `3 iterations`.
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Millions with one decimal: `12.3`.
pub fn millions(v: f64) -> String {
    format!("{:.1}", v / 1e6)
}

/// A share as a percentage with one decimal.
pub fn percent(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators() {
        assert_eq!(thousands(1234567.8), "1,234,568");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(thousands(-1000.0), "-1,000");
        assert_eq!(signed(1200.0), "+1,200");
        assert_eq!(signed(0.2), "0");
    }

    #[test]
    fn no_negative_zero_and_singular_counts() {
        assert_eq!(fixed(-0.0, 1), "0.0");
        assert_eq!(fixed(-0.04, 1), "0.0");
        assert_eq!(fixed(-0.06, 1), "-0.1");
        assert_eq!(fixed(12.345, 2), "12.35");
        assert_eq!(count(1, "iteration"), "1 iteration");
        assert_eq!(count(2, "iteration"), "2 iterations");
    }
}

/// The date of a day counted from 1 January (0 is 1 January) in a 365-day year:
/// `date_of_day(284.0)` is "12 October".
pub fn date_of_day(offset: f64) -> String {
    const MONTHS: [(&str, u32); 12] = [
        ("January", 31),
        ("February", 28),
        ("March", 31),
        ("April", 30),
        ("May", 31),
        ("June", 30),
        ("July", 31),
        ("August", 31),
        ("September", 30),
        ("October", 31),
        ("November", 30),
        ("December", 31),
    ];
    let mut day = offset.clamp(0.0, 364.0).floor() as u32;
    for (name, len) in MONTHS {
        if day < len {
            return format!("{} {name}", day + 1);
        }
        day -= len;
    }
    "31 December".into()
}

#[cfg(test)]
mod date_tests {
    use super::date_of_day;

    #[test]
    fn day_285_of_the_year_is_12_october() {
        assert_eq!(date_of_day(0.0), "1 January");
        assert_eq!(date_of_day(284.0), "12 October");
        assert_eq!(date_of_day(364.0), "31 December");
    }
}
