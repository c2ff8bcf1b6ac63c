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
