//! Finding a scenario by what a user typed, and loading the dataset it builds on: shared
//! by the command line and the server.

use std::path::{Path, PathBuf};

use crate::dataset::Dataset;
use crate::embedded;
use crate::problem::Problems;
use crate::scenario::{Applied, Scenario};

/// A scenario with the label used in messages and the folder its relative paths start from.
#[derive(Debug, Clone)]
pub struct Located {
    pub scenario: Scenario,
    pub label: String,
    pub dir: PathBuf,
}

fn problem(file: &str, message: String) -> Problems {
    let mut p = Problems::default();
    p.push(file, None, None, message);
    p
}

/// Reads the scenario named by `arg`: `base` (or none) for the embedded dataset
/// unchanged; a file; else a saved or shipped scenario (see [`locate_named`]).
pub fn locate(arg: Option<&str>, saved: Option<&Path>) -> Result<Located, Problems> {
    let path = arg.map(Path::new).filter(|p| p.is_file());
    match path {
        Some(path) => {
            let scenario = Scenario::load(path)?;
            let dir = path
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_else(|| PathBuf::from("."));
            Ok(Located {
                scenario,
                label: path.display().to_string(),
                dir,
            })
        }
        None => locate_named(arg, saved),
    }
}

/// Reads a scenario by name only, never by path: `base` (or none) for the embedded
/// dataset unchanged, a saved scenario `<name>.toml` in `saved`, or a shipped one.
pub fn locate_named(name: Option<&str>, saved: Option<&Path>) -> Result<Located, Problems> {
    let Some(name) = name.filter(|a| *a != "base") else {
        return Ok(Located {
            scenario: Scenario::baseline(embedded::DEFAULT),
            label: "baseline".into(),
            dir: PathBuf::from("."),
        });
    };
    if let Some(path) = saved
        .filter(|_| is_name(name))
        .map(|d| d.join(format!("{name}.toml")))
        .filter(|p| p.is_file())
    {
        let scenario = Scenario::load(&path)?;
        let dir = path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        return Ok(Located {
            scenario,
            label: name.to_string(),
            dir,
        });
    }
    if let Some(text) = embedded::scenario(name) {
        let scenario = Scenario::parse(text, name)?;
        // No folder: what a shipped scenario extends is shipped too.
        return Ok(Located {
            scenario,
            label: name.to_string(),
            dir: PathBuf::new(),
        });
    }
    let shipped: Vec<&str> = embedded::SCENARIOS.iter().map(|(n, _)| *n).collect();
    Err(problem(
        name,
        format!(
            "no scenario file or saved scenario of that name, and no shipped one; shipped: {}",
            shipped.join(", ")
        ),
    ))
}

/// Whether `name` can name a saved scenario: 1–64 lowercase letters, digits and `-`,
/// starting with a letter or digit.
pub fn is_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.starts_with('-')
}

impl Located {
    /// The scenario's base dataset.
    pub fn base(&self) -> Result<Dataset, Problems> {
        match self.scenario.base_dir(&self.dir) {
            None => embedded::load(&self.scenario.base),
            Some(dir) => Dataset::load_dir(&dir),
        }
    }

    /// The base dataset with the scenario applied (on top of the scenarios it extends).
    pub fn applied(&self) -> Result<Applied, Problems> {
        let scenario = self.with_parents()?;
        scenario.apply(&self.base()?, &self.label)
    }

    /// The scenario with every scenario it `extends` under it, nearest last.
    pub fn with_parents(&self) -> Result<Scenario, Problems> {
        let mut scenario = self.scenario.clone();
        let mut dir = self.dir.clone();
        let mut seen: Vec<String> = vec![self.label.clone()];
        while let Some(name) = scenario.extends.clone() {
            if seen.contains(&name) || seen.len() > MAX_EXTENDS {
                return Err(problem(
                    &self.label,
                    format!(
                        "`extends` goes round in a circle or deeper than {MAX_EXTENDS}: {} → {name}",
                        seen.join(" → ")
                    ),
                ));
            }
            seen.push(name.clone());
            let shipped = dir.as_os_str().is_empty();
            let file = dir.join(&name);
            let parent = if !shipped && file.is_file() {
                let path = file.to_str().ok_or_else(|| {
                    problem(
                        &self.label,
                        format!("extends `{name}`: its path is not UTF-8"),
                    )
                })?;
                locate(Some(path), None)?
            } else {
                locate_named(Some(&name), Some(dir.as_path()).filter(|_| !shipped))?
            };
            if parent.scenario.base != scenario.base {
                return Err(problem(
                    &self.label,
                    format!(
                        "extends `{name}`, whose base is `{}`, not `{}`",
                        parent.scenario.base, scenario.base
                    ),
                ));
            }
            dir = parent.dir.clone();
            scenario = scenario.on_top_of(parent.scenario);
        }
        Ok(scenario)
    }
}

/// How many scenarios deep `extends` may go.
const MAX_EXTENDS: usize = 8;

/// Largest input file read (a dataset table or a scenario); larger ones are refused.
pub const MAX_INPUT_BYTES: u64 = 512 * 1024 * 1024;

/// Reads a UTF-8 text file, refusing anything but a regular file (a named pipe or a
/// device would block or never end) and files over [`MAX_INPUT_BYTES`].
pub fn read_regular_file(path: &Path) -> std::io::Result<String> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        let what = if meta.is_dir() {
            "a folder"
        } else {
            "not a regular file (a pipe, socket or device)"
        };
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("is {what}"),
        ));
    }
    if meta.len() > MAX_INPUT_BYTES {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!(
                "is {} bytes, more than the {} accepted",
                meta.len(),
                MAX_INPUT_BYTES
            ),
        ));
    }
    std::fs::read_to_string(path)
}
