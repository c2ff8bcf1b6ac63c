//! Datasets compiled into the binary, so the main job runs with no files at all.

use std::collections::HashMap;

use crate::dataset::{Dataset, DatasetFiles};
use crate::problem::Problems;

/// The default dataset's name.
pub const DEFAULT: &str = "central-asia-afghanistan";

macro_rules! dataset_files {
    ($dir:literal: $($file:literal),* $(,)?) => {
        &[$(($file, include_str!(concat!("../../../", $dir, "/", $file)))),*]
    };
}

const CENTRAL_ASIA_AFGHANISTAN: &[(&str, &str)] = dataset_files!("data/central-asia-afghanistan":
    "dataset.toml", "countries.csv", "nodes.csv", "links.csv", "crossings.csv",
    "transfers.csv", "commodities.csv", "freight_rates.csv", "tariffs.csv", "demand.csv", "risk.csv",
    "corridors.csv", "observations.csv", "upgrades.csv", "project_costs.csv",
    "project_financing.csv", "geometry.geojson",
);

/// Names of the embedded datasets.
pub fn names() -> Vec<&'static str> {
    vec![DEFAULT]
}

/// The files of an embedded dataset.
pub fn files(name: &str) -> Option<DatasetFiles> {
    let table = match name {
        DEFAULT => CENTRAL_ASIA_AFGHANISTAN,
        _ => return None,
    };
    let files: HashMap<String, String> = table
        .iter()
        .map(|(f, t)| (f.to_string(), t.to_string()))
        .collect();
    Some(DatasetFiles {
        origin: format!("embedded:{name}"),
        files,
    })
}

/// Loads an embedded dataset.
pub fn load(name: &str) -> Result<Dataset, Problems> {
    match files(name) {
        Some(f) => Dataset::from_files(&f),
        None => {
            let mut p = Problems::default();
            p.push(
                name,
                None,
                None,
                format!(
                    "no embedded dataset of that name; embedded: {}",
                    names().join(", ")
                ),
            );
            Err(p)
        }
    }
}

/// The scenarios shipped in `scenarios/`, also compiled in so they run by name.
pub const SCENARIOS: &[(&str, &str)] = &[
    ("today", include_str!("../../../scenarios/today.toml")),
    (
        "trans-afghan",
        include_str!("../../../scenarios/trans-afghan.toml"),
    ),
    (
        "western-railway",
        include_str!("../../../scenarios/western-railway.toml"),
    ),
    (
        "torkham-chaman-closed",
        include_str!("../../../scenarios/torkham-chaman-closed.toml"),
    ),
    (
        "uzbekistan-tariff-cut",
        include_str!("../../../scenarios/uzbekistan-tariff-cut.toml"),
    ),
    (
        "afpak-closure-2025",
        include_str!("../../../scenarios/afpak-closure-2025.toml"),
    ),
    (
        "qosh-tepa",
        include_str!("../../../scenarios/qosh-tepa.toml"),
    ),
    (
        "casa-1000",
        include_str!("../../../scenarios/casa-1000.toml"),
    ),
    (
        "uzbek-500kv",
        include_str!("../../../scenarios/uzbek-500kv.toml"),
    ),
    (
        "hydro-linked",
        include_str!("../../../scenarios/hydro-linked.toml"),
    ),
    (
        "dry-year-power",
        include_str!("../../../scenarios/dry-year-power.toml"),
    ),
    (
        "rogun-filling",
        include_str!("../../../scenarios/rogun-filling.toml"),
    ),
];

/// A shipped scenario's text by name.
pub fn scenario(name: &str) -> Option<&'static str> {
    SCENARIOS.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

const AMU_DARYA: &[(&str, &str)] = dataset_files!("data/amu-darya":
    "basin.toml", "nodes.csv", "reaches.csv", "shapes.csv", "inflows.csv", "reservoirs.csv",
    "withdrawals.csv", "quotas.csv", "requirements.csv", "observations.csv",
);

/// The default river basin's name.
pub const DEFAULT_BASIN: &str = "amu-darya";

/// The embedded default river basin.
pub fn basin() -> Result<crate::water::Basin, Problems> {
    let files: HashMap<String, String> = AMU_DARYA
        .iter()
        .map(|(f, t)| (f.to_string(), t.to_string()))
        .collect();
    crate::water::Basin::from_files(&format!("embedded:{DEFAULT_BASIN}"), &files)
}

const AFGHAN_POWER: &[(&str, &str)] = dataset_files!("data/afghan-power":
    "grid.toml", "nodes.csv", "shapes.csv", "availability.csv", "demand.csv",
    "generators.csv", "lines.csv", "projects.csv", "hydro.csv", "observations.csv",
    "bargaining.csv",
);

/// The default power grid's name.
pub const DEFAULT_GRID: &str = "afghan-power";

/// The embedded default power grid.
pub fn grid() -> Result<crate::power::Grid, Problems> {
    let files: HashMap<String, String> = AFGHAN_POWER
        .iter()
        .map(|(f, t)| (f.to_string(), t.to_string()))
        .collect();
    crate::power::Grid::from_files(&format!("embedded:{DEFAULT_GRID}"), &files)
}
