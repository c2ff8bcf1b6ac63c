//! Karvan's outputs: the tables (CSV), maps (GeoJSON) and summaries (Markdown) of a run
//! or a comparison of two runs. Everything is written to a temporary place first and
//! renamed into place, so a failed write never leaves a half-finished output.

pub mod appraisal;
pub mod atomic;
pub mod compare;
pub mod fit;
pub mod fmt;
pub mod game;
pub mod geo;
pub mod html;
pub mod power;
pub mod resilience;
pub mod summary;
pub mod sweep;
pub mod tables;
pub mod water;

pub use atomic::{write_file, write_output, OutputDir};
pub use compare::Comparison;

/// A chart's drawing error as the report's.
pub(crate) fn chart_error<E: std::error::Error + Send + Sync>(
    e: plotters::drawing::DrawingAreaErrorKind<E>,
) -> ReportError {
    ReportError::Chart(e.to_string())
}

/// Why an output could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("cannot write {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot write CSV {path}: {source}")]
    Csv { path: String, source: csv::Error },
    #[error("will not write {path}: {reason}")]
    Refused { path: String, reason: String },
    #[error("cannot draw a chart: {0}")]
    Chart(String),
    #[error("cannot encode JSON: {0}")]
    Json(#[from] serde_json::Error),
}

use karvan_data::Dataset;
use karvan_model::RunResults;

/// Writes the whole output folder of a run: `flows.geojson`, `od_costs.csv`,
/// `corridor_shares.csv`, `country_revenue.csv`, `unroutable.csv`, `convergence.csv`,
/// `summary.md`.
pub fn write_run(dir: &std::path::Path, ds: &Dataset, r: &RunResults) -> Result<(), ReportError> {
    let out = OutputDir::create(dir)?;
    out.write("flows.geojson", geo::flows(ds, r)?.as_bytes())?;
    out.write("od_costs.csv", &tables::od_costs(r)?)?;
    out.write("corridor_shares.csv", &tables::corridor_shares(r)?)?;
    out.write("country_revenue.csv", &tables::country_revenue(r)?)?;
    out.write("unroutable.csv", &tables::unroutable(r)?)?;
    out.write("convergence.csv", &tables::convergence(r)?)?;
    out.write("summary.md", summary::run_summary(ds, r).as_bytes())?;
    out.commit()
}

/// Country boundaries of the region (Natural Earth, public domain), for maps.
pub const BASEMAP: &[u8] = include_bytes!("../assets/countries-50m.geojson");
