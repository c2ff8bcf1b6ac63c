//! Sweeps: a TOML file naming a base scenario and the dimensions that vary — any field of
//! a scenario, by its path — expanded deterministically into variants, as a full grid, a
//! list, or a seeded Latin-hypercube sample.
//!
//! ```toml
//! base = "today"
//! analyses = ["run"]
//! design = "grid"            # grid, list or lhs
//!
//! [[dimension]]
//! name = "uzb"
//! set = "tariff.UZB.percent" # a tariff change by country (and mode: tariff.UZB.rail.percent)
//! values = [-30, 0, 30]
//!
//! [[dimension]]
//! name = "railway"
//! set = "projects.trans-afghan-railway"
//! values = [false, 2026]
//! ```
//!
//! The `appraise` analysis reads its options from an `[appraise]` table (the flags of
//! `karvan appraise`), and a dimension whose path starts with `appraise.` varies one of
//! them (`appraise.rate`, the discount rate) instead of a scenario field.

use std::path::Path;

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use toml::Value;

use crate::scenario::Scenario;

/// Most variants one sweep may expand to.
pub const MAX_VARIANTS: usize = 1_000_000;

/// Analyses a sweep can run for each variant.
pub const ANALYSES: &[&str] = &["run", "game", "risk", "resilience", "power", "appraise"];

/// A sweep as written in its TOML file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweepSpec {
    /// Name shown in outputs (default: the file's stem).
    #[serde(default)]
    pub name: Option<String>,
    /// The scenario every variant starts from: a shipped or saved name, or a file
    /// relative to the sweep file.
    pub base: String,
    /// What to run for each variant.
    #[serde(default = "default_analyses")]
    pub analyses: Vec<String>,
    /// Figures kept (`tonnes`, `levies.UZB`, or a prefix ending in `*`); absent: all.
    #[serde(default)]
    pub figures: Vec<String>,
    /// `grid` (every combination), `list` (the k-th value of every dimension together)
    /// or `lhs` (a Latin-hypercube sample of `samples` variants).
    #[serde(default = "default_design")]
    pub design: String,
    #[serde(default)]
    pub samples: Option<usize>,
    #[serde(default)]
    pub seed: Option<u64>,
    /// Options of the `appraise` analysis; absent: those of `karvan appraise`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appraise: Option<AppraiseOptions>,
    #[serde(default, rename = "dimension")]
    pub dimensions: Vec<Dimension>,
}

/// The `appraise` analysis's options, named as `karvan appraise`'s flags; each absent
/// one takes that command's default.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppraiseOptions {
    /// Schemes, `ID=PROJECT+PROJECT` or a project id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub schemes: Vec<String>,
    /// Cases, schemes joined with `+`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cases: Vec<String>,
    /// Opening years, `ID=YEAR`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub opens: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub years: Option<Vec<i32>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<i32>,
    /// Discount rate, % a year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub financial_rate: Option<f64>,
    /// Demand growth, % a year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub growth: Option<f64>,
    /// Monte Carlo draws of the net present value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draws: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
}

/// The prefix of a dimension that sets an `appraise` option, not a scenario field.
const APPRAISE_PREFIX: &str = "appraise.";

fn default_analyses() -> Vec<String> {
    vec!["run".into()]
}

fn default_design() -> String {
    "grid".into()
}

/// One thing that varies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dimension {
    /// Column name in the results.
    pub name: String,
    /// Path of the scenario field it sets (`year`, `demand.growth_percent_per_year`,
    /// `parameters.<name>`, `projects.<id>`, `closures`, `tariff.<ISO3>[.<mode>].<field>`,
    /// `game.max_multiplier`, `power.projects`…). A value set on a list is added to it.
    pub set: String,
    /// The values it takes.
    #[serde(default)]
    pub values: Vec<Value>,
    /// For `lhs`: a number drawn from `[low, high]` instead of `values`.
    #[serde(default)]
    pub range: Option<[f64; 2]>,
}

/// One variant: its index, id and the value of each dimension.
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    pub index: usize,
    pub id: String,
    pub values: Vec<Value>,
}

/// A sweep that cannot be expanded or applied.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SweepError {
    #[error("{file}: {message}")]
    Spec { file: String, message: String },
    #[error("dimension `{dimension}` (`{path}`): {message}")]
    Apply {
        dimension: String,
        path: String,
        message: String,
    },
}

impl SweepSpec {
    /// Parses and checks a sweep file's text; `file` names it in messages.
    pub fn parse(text: &str, file: &str) -> Result<SweepSpec, SweepError> {
        let bad = |message: String| SweepError::Spec {
            file: file.to_string(),
            message,
        };
        let spec: SweepSpec = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| crate::problem::line_at(text, s.start));
            let at = line.map_or(String::new(), |l| format!("line {l}: "));
            bad(format!("{at}{}", crate::problem::toml_message(&e)))
        })?;
        for a in &spec.analyses {
            if !ANALYSES.contains(&a.as_str()) {
                return Err(bad(format!(
                    "analysis `{a}` is not one of {}",
                    ANALYSES.join(", ")
                )));
            }
        }
        if spec.analyses.is_empty() {
            return Err(bad("`analyses` names none".into()));
        }
        if spec.appraise.is_some() && !spec.analyses.iter().any(|a| a == "appraise") {
            return Err(bad(
                "an [appraise] table needs \"appraise\" among the analyses".into(),
            ));
        }
        let mut names: Vec<&str> = Vec::new();
        for d in &spec.dimensions {
            if names.contains(&d.name.as_str()) {
                return Err(bad(format!("dimension `{}` is given twice", d.name)));
            }
            names.push(&d.name);
            if d.set.starts_with(APPRAISE_PREFIX) && !spec.analyses.iter().any(|a| a == "appraise")
            {
                return Err(bad(format!(
                    "dimension `{}` sets `{}`, which needs \"appraise\" among the analyses",
                    d.name, d.set
                )));
            }
            let ok_name = !d.name.is_empty()
                && d.name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            if !ok_name {
                return Err(bad(format!(
                    "dimension name `{}`: use letters, digits, `_` and `-`",
                    d.name
                )));
            }
            if d.name == "id" {
                return Err(bad(
                    "dimension name `id`: the results already have an `id` column, the variant's"
                        .into(),
                ));
            }
            match (&d.range, d.values.is_empty(), spec.design.as_str()) {
                (Some(_), _, "grid" | "list") => {
                    return Err(bad(format!(
                        "dimension `{}`: a `range` needs design = \"lhs\"; give `values`",
                        d.name
                    )))
                }
                (Some([lo, hi]), _, _) if !(lo.is_finite() && hi.is_finite() && lo <= hi) => {
                    return Err(bad(format!(
                        "dimension `{}`: range [{lo}, {hi}] must be finite, low first",
                        d.name
                    )))
                }
                (None, true, _) => {
                    return Err(bad(format!("dimension `{}` has no values", d.name)))
                }
                _ => {}
            }
        }
        match spec.design.as_str() {
            "grid" => {}
            "list" => {
                let lens: Vec<usize> = spec.dimensions.iter().map(|d| d.values.len()).collect();
                if lens.windows(2).any(|w| w[0] != w[1]) {
                    return Err(bad(format!(
                        "design = \"list\" needs as many values in every dimension; they have {lens:?}"
                    )));
                }
            }
            "lhs" => match spec.samples {
                Some(n) if (1..=MAX_VARIANTS).contains(&n) => {}
                _ => {
                    return Err(bad(format!(
                        "design = \"lhs\" needs `samples` = 1–{MAX_VARIANTS}"
                    )))
                }
            },
            other => return Err(bad(format!("design `{other}` is not grid, list or lhs"))),
        }
        let count = spec.count();
        if count > MAX_VARIANTS {
            return Err(bad(format!(
                "{count} variants; at most {MAX_VARIANTS} in one sweep"
            )));
        }
        Ok(spec)
    }

    /// Reads a sweep file.
    pub fn load(path: &Path) -> Result<SweepSpec, SweepError> {
        let file = path.display().to_string();
        let text = crate::locate::read_regular_file(path).map_err(|e| SweepError::Spec {
            file: file.clone(),
            message: format!("cannot read: {e}"),
        })?;
        SweepSpec::parse(&text, &file)
    }

    /// How many variants the sweep expands to.
    pub fn count(&self) -> usize {
        match self.design.as_str() {
            "list" => self.dimensions.first().map_or(1, |d| d.values.len()),
            "lhs" => self.samples.unwrap_or(0),
            _ => self
                .dimensions
                .iter()
                .map(|d| d.values.len().max(1))
                .try_fold(1usize, |a, n| a.checked_mul(n))
                .unwrap_or(usize::MAX),
        }
    }

    /// Every variant, in a fixed order: the same spec always gives the same variants.
    pub fn expand(&self) -> Vec<Variant> {
        let rows: Vec<Vec<Value>> = match self.design.as_str() {
            "list" => (0..self.count())
                .map(|k| {
                    self.dimensions
                        .iter()
                        .map(|d| d.values[k].clone())
                        .collect()
                })
                .collect(),
            "lhs" => self.latin_hypercube(),
            _ => self.grid(),
        };
        rows.into_iter()
            .enumerate()
            .map(|(index, values)| Variant {
                index,
                id: format!("v{index:06}"),
                values,
            })
            .collect()
    }

    /// Every combination, the last dimension varying fastest.
    fn grid(&self) -> Vec<Vec<Value>> {
        let mut rows: Vec<Vec<Value>> = vec![vec![]];
        for d in &self.dimensions {
            rows = rows
                .into_iter()
                .flat_map(|row| {
                    d.values.iter().map(move |v| {
                        let mut r = row.clone();
                        r.push(v.clone());
                        r
                    })
                })
                .collect();
        }
        rows
    }

    /// `samples` variants; each dimension's range (or list of values) cut into as many
    /// equal strata, one draw in each, strata shuffled per dimension; seeded.
    fn latin_hypercube(&self) -> Vec<Vec<Value>> {
        let n = self.samples.unwrap_or(0);
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed.unwrap_or(0));
        let columns: Vec<Vec<Value>> = self
            .dimensions
            .iter()
            .map(|d| {
                let mut strata: Vec<usize> = (0..n).collect();
                strata.shuffle(&mut rng);
                strata
                    .into_iter()
                    .map(|k| {
                        let u = (k as f64 + rng.gen::<f64>()) / n as f64;
                        match d.range {
                            Some([lo, hi]) => Value::Float(lo + u * (hi - lo)),
                            None => {
                                let i =
                                    ((u * d.values.len() as f64) as usize).min(d.values.len() - 1);
                                d.values[i].clone()
                            }
                        }
                    })
                    .collect()
            })
            .collect();
        (0..n)
            .map(|k| columns.iter().map(|c| c[k].clone()).collect())
            .collect()
    }

    /// The base scenario with the variant's values set, checked as a scenario.
    pub fn apply(&self, base: &Scenario, variant: &Variant) -> Result<Scenario, SweepError> {
        let mut doc = Value::try_from(base).map_err(|e| SweepError::Spec {
            file: self.base.clone(),
            message: e.to_string(),
        })?;
        for (d, v) in self.dimensions.iter().zip(&variant.values) {
            if d.set.starts_with(APPRAISE_PREFIX) {
                continue;
            }
            set_path(&mut doc, &d.set, v.clone()).map_err(|message| SweepError::Apply {
                dimension: d.name.clone(),
                path: d.set.clone(),
                message,
            })?;
        }
        let mut scenario: Scenario = doc.try_into().map_err(|e: toml::de::Error| {
            let names: Vec<&str> = self.dimensions.iter().map(|d| d.name.as_str()).collect();
            SweepError::Apply {
                dimension: names.join(", "),
                path: self
                    .dimensions
                    .iter()
                    .map(|d| d.set.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                message: crate::problem::toml_message(&e),
            }
        })?;
        scenario.name = Some(variant.id.clone());
        scenario.text = None;
        Ok(scenario)
    }

    /// The `appraise` options of a variant: the `[appraise]` table with the variant's
    /// `appraise.` dimensions set.
    pub fn appraise_options(&self, variant: &Variant) -> Result<AppraiseOptions, SweepError> {
        let options = self.appraise.clone().unwrap_or_default();
        let mine: Vec<(&Dimension, &Value)> = self
            .dimensions
            .iter()
            .zip(&variant.values)
            .filter(|(d, _)| d.set.starts_with(APPRAISE_PREFIX))
            .collect();
        if mine.is_empty() {
            return Ok(options);
        }
        let mut doc = Value::try_from(&options).map_err(|e| SweepError::Spec {
            file: "[appraise]".into(),
            message: e.to_string(),
        })?;
        for (d, v) in &mine {
            let field = &d.set[APPRAISE_PREFIX.len()..];
            let fail = |message: String| SweepError::Apply {
                dimension: d.name.clone(),
                path: d.set.clone(),
                message,
            };
            let table = doc
                .as_table_mut()
                .ok_or_else(|| fail("not a table".into()))?;
            // A whole number for a rate is a rate.
            let value = match (field, v) {
                ("rate" | "financial_rate" | "growth", Value::Integer(i)) => {
                    Value::Float(*i as f64)
                }
                _ => (*v).clone(),
            };
            table.insert(field.to_string(), value);
        }
        doc.try_into()
            .map_err(|e: toml::de::Error| SweepError::Apply {
                dimension: mine
                    .iter()
                    .map(|(d, _)| d.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                path: mine
                    .iter()
                    .map(|(d, _)| d.set.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                message: crate::problem::toml_message(&e),
            })
    }
}

/// Sets `path` in a scenario document to `value`: tables are made as needed, a value set
/// on a list is added to it, and `tariff.<ISO3>[.<mode>].<field>` finds or adds the
/// tariff change of that country (and mode).
fn set_path(doc: &mut Value, path: &str, value: Value) -> Result<(), String> {
    let parts: Vec<&str> = path.split('.').collect();
    if parts.iter().any(|p| p.is_empty()) {
        return Err("a path is names joined by `.`".into());
    }
    if parts[0] == "tariff" {
        return set_tariff(doc, &parts[1..], value);
    }
    let mut here = doc;
    for key in &parts[..parts.len() - 1] {
        let table = here
            .as_table_mut()
            .ok_or_else(|| format!("`{key}` is inside something that is not a table"))?;
        here = table
            .entry(key.to_string())
            .or_insert_with(|| Value::Table(Default::default()));
    }
    let last = parts[parts.len() - 1];
    let table = here
        .as_table_mut()
        .ok_or_else(|| format!("`{last}` is inside something that is not a table"))?;
    match (table.get_mut(last), value) {
        (Some(Value::Array(list)), Value::Array(more)) => list.extend(more),
        (Some(Value::Array(list)), v) => list.push(v),
        (_, v) => {
            table.insert(last.to_string(), v);
        }
    }
    Ok(())
}

fn set_tariff(doc: &mut Value, parts: &[&str], value: Value) -> Result<(), String> {
    let (country, mode, field) = match parts {
        [c, f] => (*c, None, *f),
        [c, m, f] => (*c, Some(*m), *f),
        _ => return Err("write `tariff.<ISO3>.<field>` or `tariff.<ISO3>.<mode>.<field>`".into()),
    };
    let table = doc.as_table_mut().ok_or("the scenario is not a table")?;
    let list = table
        .entry("tariff")
        .or_insert_with(|| Value::Array(vec![]))
        .as_array_mut()
        .ok_or("`tariff` is not a list")?;
    let matches = |t: &Value| {
        t.get("country").and_then(Value::as_str) == Some(country)
            && t.get("mode").and_then(Value::as_str) == mode
    };
    let entry = match list.iter().position(matches) {
        Some(i) => &mut list[i],
        None => {
            let mut t = toml::map::Map::new();
            t.insert("country".into(), Value::String(country.into()));
            if let Some(m) = mode {
                t.insert("mode".into(), Value::String(m.into()));
            }
            list.push(Value::Table(t));
            list.last_mut().ok_or("the tariff list is empty")?
        }
    };
    entry
        .as_table_mut()
        .ok_or("a tariff change is not a table")?
        .insert(field.to_string(), value);
    Ok(())
}

/// A value as a results cell.
pub fn cell(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Float(f) => format!("{f}"),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GRID: &str = r#"
base = "today"
[[dimension]]
name = "uzb"
set = "tariff.UZB.percent"
values = [-30, 0, 30]
[[dimension]]
name = "rail"
set = "projects.trans-afghan-railway"
values = [false, 2026]
"#;

    #[test]
    fn a_grid_expands_every_combination_in_a_fixed_order() {
        let s = SweepSpec::parse(GRID, "g.toml").expect("valid");
        let v = s.expand();
        assert_eq!(v.len(), 6);
        assert_eq!(v, s.expand());
        assert_eq!(v[1].values, vec![Value::Integer(-30), Value::Integer(2026)]);
        assert_eq!(v[5].id, "v000005");
    }

    #[test]
    fn a_latin_hypercube_puts_one_draw_in_each_stratum_and_repeats_with_its_seed() {
        let text = r#"
base = "today"
design = "lhs"
samples = 10
seed = 7
[[dimension]]
name = "growth"
set = "demand.growth_percent_per_year"
range = [0.0, 10.0]
[[dimension]]
name = "year"
set = "year"
values = [2026, 2030]
"#;
        let s = SweepSpec::parse(text, "l.toml").expect("valid");
        let v = s.expand();
        assert_eq!(v, s.expand());
        let mut strata: Vec<usize> = v
            .iter()
            .map(|x| x.values[0].as_float().expect("a number") as usize)
            .collect();
        strata.sort();
        assert_eq!(strata, (0..10).collect::<Vec<_>>());
        let early = v
            .iter()
            .filter(|x| x.values[1] == Value::Integer(2026))
            .count();
        assert_eq!(early, 5);
        let other = SweepSpec::parse(&text.replace("seed = 7", "seed = 8"), "l.toml").unwrap();
        assert_ne!(other.expand(), v);
    }

    #[test]
    fn values_land_in_the_scenario() {
        let s = SweepSpec::parse(GRID, "g.toml").expect("valid");
        let mut base = Scenario::parse(
            "base = \"x\"\nclosures = [\"a\"]\n[[tariff]]\ncountry = \"UZB\"\npercent = -10\n",
            "b",
        )
        .unwrap();
        base.text = None;
        let v = &s.expand()[5];
        let sc = s.apply(&base, v).expect("applies");
        assert_eq!(sc.tariffs.len(), 1);
        assert_eq!(sc.tariffs[0].percent, Some(30.0));
        assert_eq!(
            sc.projects.get("trans-afghan-railway"),
            Some(&crate::scenario::ProjectSetting::OpensIn(2026))
        );
        let closing = SweepSpec::parse(
            "base = \"x\"\n[[dimension]]\nname = \"shut\"\nset = \"closures\"\nvalues = [\"b\"]\n",
            "c",
        )
        .unwrap();
        let sc = closing.apply(&base, &closing.expand()[0]).unwrap();
        assert_eq!(sc.closures, vec!["a".to_string(), "b".to_string()]);
    }

    #[test]
    fn bad_sweeps_say_what_is_wrong() {
        let cases = [
            ("base = \"t\"\nanalyses = [\"fly\"]\n", "analysis `fly`"),
            ("base = \"t\"\ndesign = \"lhs\"\n", "needs `samples`"),
            ("base = \"t\"\n[[dimension]]\nname = \"a\"\nset = \"year\"\n", "has no values"),
            (
                "base = \"t\"\ndesign = \"list\"\n[[dimension]]\nname = \"a\"\nset = \"year\"\nvalues = [1, 2]\n[[dimension]]\nname = \"b\"\nset = \"year\"\nvalues = [1]\n",
                "as many values",
            ),
            ("base = \"t\"\nmystery = 1\n", "line 2"),
            (
                "base = \"t\"\n[[dimension]]\nname = \"id\"\nset = \"year\"\nvalues = [2030]\n",
                "already have an `id` column",
            ),
            (
                "base = \"t\"\n[[dimension]]\nname = \"r\"\nset = \"appraise.rate\"\nvalues = [6]\n",
                "needs \"appraise\" among the analyses",
            ),
            ("base = \"t\"\n[appraise]\nrate = 6.0\n", "needs \"appraise\""),
            (
                "base = \"t\"\nanalyses = [\"appraise\"]\n[appraise]\nratee = 6.0\n",
                "ratee",
            ),
        ];
        for (text, needle) in cases {
            let e = SweepSpec::parse(text, "s.toml").unwrap_err().to_string();
            assert!(e.contains(needle), "{needle}: {e}");
        }
        let s = SweepSpec::parse(
            "base = \"x\"\n[[dimension]]\nname = \"a\"\nset = \"speed\"\nvalues = [1]\n",
            "s",
        )
        .unwrap();
        let base = Scenario::parse("base = \"x\"\n", "b").unwrap();
        let e = s.apply(&base, &s.expand()[0]).unwrap_err().to_string();
        assert!(e.contains("speed"), "{e}");
    }

    #[test]
    fn appraise_dimensions_set_the_appraisal_not_the_scenario() {
        let s = SweepSpec::parse(
            "base = \"x\"\nanalyses = [\"appraise\"]\n[appraise]\nschemes = [\"tar=a+b\"]\ndraws = 10\n[[dimension]]\nname = \"rate\"\nset = \"appraise.rate\"\nvalues = [6, 12.5]\n[[dimension]]\nname = \"years\"\nset = \"appraise.years\"\nvalues = [[2030, 2040]]\n",
            "s",
        )
        .unwrap();
        let v = s.expand();
        let base = Scenario::parse("base = \"x\"\n", "b").unwrap();
        let sc = s.apply(&base, &v[0]).expect("applies");
        assert!(sc.tariffs.is_empty() && sc.projects.is_empty());
        let first = s.appraise_options(&v[0]).expect("options");
        assert_eq!(first.rate, Some(6.0));
        assert_eq!(first.years, Some(vec![2030, 2040]));
        assert_eq!(first.schemes, vec!["tar=a+b".to_string()]);
        assert_eq!(first.draws, Some(10));
        assert_eq!(s.appraise_options(&v[1]).unwrap().rate, Some(12.5));
        // The options survive the spec's round trip through its stored text.
        let again = SweepSpec::parse(&toml::to_string(&s).unwrap(), "again").unwrap();
        assert_eq!(again, s);
        let bad = SweepSpec::parse(
            "base = \"x\"\nanalyses = [\"appraise\"]\n[[dimension]]\nname = \"d\"\nset = \"appraise.draws\"\nvalues = [\"many\"]\n",
            "s",
        )
        .unwrap();
        let e = bad
            .appraise_options(&bad.expand()[0])
            .unwrap_err()
            .to_string();
        assert!(e.contains("appraise.draws"), "{e}");
    }
}
