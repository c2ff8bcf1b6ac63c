//! Turning the user's scenario argument into an applied scenario, with errors for people.

use std::path::Path;

use anyhow::{anyhow, Result};
use karvan_data::{locate, Applied};

/// Loads and applies the scenario named by `arg` (a file, a shipped scenario's name, or
/// `base`/none for the embedded dataset unchanged).
pub fn applied(arg: Option<&str>) -> Result<Applied> {
    let located = locate(arg, None).map_err(|p| anyhow!("{p}"))?;
    located.applied().map_err(|p| anyhow!("{p}"))
}

/// Says on stderr that a scenario's `[[disruption]]` entries are not part of `command`,
/// which models a year without closures, and which command applies them.
pub fn note_disruptions(a: &Applied, command: &str) {
    let n = a.disruptions.len();
    if n > 0 {
        eprintln!(
            "note: `{command}` models a normal year and leaves out the scenario's {n} \
             [[disruption]] entr{}; `karvan risk {}` applies {}",
            if n == 1 { "y" } else { "ies" },
            a.name,
            if n == 1 { "it" } else { "them" }
        );
    }
}

/// A short name for file names: lowercase letters, digits and `-`.
pub fn slug(s: &str) -> String {
    let stem = Path::new(s)
        .file_stem()
        .map(|x| x.to_string_lossy().into_owned())
        .unwrap_or_else(|| s.to_string());
    let mut out = String::new();
    for c in stem.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

/// Refuses results that hold a number that is not finite. JSON writes NaN and the
/// infinities as `null`, and the results checked here have no optional field, so a `null`
/// anywhere is a figure that is not finite; `what` names the results in the message.
pub fn check_finite(what: &str, results: &impl serde::Serialize) -> Result<()> {
    check_finite_but(what, results, &[])
}

/// As [`check_finite`], where the fields named in `optional` may be `null` (absent): a
/// ratio with nothing to divide by, a year that never comes.
pub fn check_finite_but(
    what: &str,
    results: &impl serde::Serialize,
    optional: &[&str],
) -> Result<()> {
    fn find_null(v: &serde_json::Value, path: &mut Vec<String>, optional: &[&str]) -> bool {
        match v {
            serde_json::Value::Null => true,
            serde_json::Value::Array(items) => items.iter().enumerate().any(|(i, x)| {
                path.push(i.to_string());
                let found = find_null(x, path, optional);
                if !found {
                    path.pop();
                }
                found
            }),
            serde_json::Value::Object(m) => m.iter().any(|(k, x)| {
                if x.is_null() && optional.contains(&k.as_str()) {
                    return false;
                }
                path.push(k.clone());
                let found = find_null(x, path, optional);
                if !found {
                    path.pop();
                }
                found
            }),
            _ => false,
        }
    }
    let v = serde_json::to_value(results)?;
    let mut path = Vec::new();
    if find_null(&v, &mut path, optional) {
        return Err(anyhow!(
            "the {what} are not finite (at {}); check the dataset's and scenario's values",
            path.join(".")
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_nan_anywhere_in_results_is_refused_with_where() {
        let ok = serde_json::json!({"a": [1.0, 2.0], "b": {"c": 3.0}});
        assert!(super::check_finite("results", &ok).is_ok());
        let bad = serde_json::json!({"a": [1.0, f64::NAN], "b": {"c": 3.0}});
        let e = super::check_finite("results", &bad)
            .unwrap_err()
            .to_string();
        assert!(e.contains("at a.1"), "{e}");
    }
}
