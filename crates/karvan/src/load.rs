//! Turning the user's scenario argument into an applied scenario.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context, Result};
use karvan_data::{embedded, Applied, Dataset, Scenario};

/// A scenario with the label used in messages and the folder its relative paths start from.
pub struct Loaded {
    pub scenario: Scenario,
    pub label: String,
    pub dir: PathBuf,
}

/// Reads the scenario named by `arg`: a file, a shipped scenario's name, `base` (or none)
/// for the embedded dataset unchanged.
pub fn scenario(arg: Option<&str>) -> Result<Loaded> {
    let Some(arg) = arg.filter(|a| *a != "base") else {
        return Ok(Loaded {
            scenario: Scenario::baseline(embedded::DEFAULT),
            label: "baseline".into(),
            dir: PathBuf::from("."),
        });
    };
    let path = Path::new(arg);
    if path.is_file() {
        let scenario = Scenario::load(path).map_err(|p| anyhow!("{p}"))?;
        let dir = path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        return Ok(Loaded {
            scenario,
            label: path.display().to_string(),
            dir,
        });
    }
    if let Some(text) = embedded::scenario(arg) {
        let scenario = Scenario::parse(text, arg).map_err(|p| anyhow!("{p}"))?;
        return Ok(Loaded {
            scenario,
            label: arg.to_string(),
            dir: PathBuf::from("."),
        });
    }
    let shipped: Vec<&str> = embedded::SCENARIOS.iter().map(|(n, _)| *n).collect();
    Err(anyhow!(
        "no scenario file `{arg}` and no shipped scenario of that name; shipped: {}",
        shipped.join(", ")
    ))
}

/// The scenario's base dataset.
pub fn base(loaded: &Loaded) -> Result<Dataset> {
    match loaded.scenario.base_dir(&loaded.dir) {
        None => embedded::load(&loaded.scenario.base).map_err(|p| anyhow!("{p}")),
        Some(dir) => Dataset::load_dir(&dir)
            .map_err(|p| anyhow!("{p}"))
            .with_context(|| {
                format!(
                    "loading the base dataset `{}` of {}",
                    loaded.scenario.base, loaded.label
                )
            }),
    }
}

/// Loads and applies the scenario named by `arg`.
pub fn applied(arg: Option<&str>) -> Result<Applied> {
    let loaded = scenario(arg)?;
    let ds = base(&loaded)?;
    loaded
        .scenario
        .apply(&ds, &loaded.label)
        .map_err(|p| anyhow!("{p}"))
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
