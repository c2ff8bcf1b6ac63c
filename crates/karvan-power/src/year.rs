//! One year as a scenario asks for it: the hydro link to the river basin first (when
//! asked), then the dispatch, read back as a [`Summary`].

use karvan_data::power::Grid;
use karvan_data::water::Basin;

use crate::link::{storages, LinkError};
use crate::model::{self, ModelError, Settings};
use crate::summary::{summarise, NotFinite, Summary};

/// What can stop a year.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum YearError {
    #[error(transparent)]
    Model(#[from] ModelError),
    #[error(transparent)]
    Link(#[from] LinkError),
    #[error("the water model: {0}")]
    Water(#[from] karvan_water::model::ModelError),
    #[error(transparent)]
    NotFinite(#[from] NotFinite),
}

/// Solves the year of `power`. With `hydro_regime`, the linked reservoirs' water comes
/// from one year of that regime in the water model run with `water`'s settings (its
/// phases dropped; Rogun's reservoir built when Rogun's plant is).
pub fn solve(
    grid: &Grid,
    basin: &Basin,
    power: &Settings,
    water: &karvan_water::model::Settings,
    hydro_regime: Option<&str>,
) -> Result<Summary, YearError> {
    let mut s = power.clone();
    if let Some(regime) = hydro_regime {
        let built = |generator: &str| {
            grid.generators
                .iter()
                .find(|g| g.id == generator)
                .is_some_and(|g| g.project.as_ref().is_none_or(|p| s.projects.contains(p)))
        };
        let mut w = water.clone();
        w.years = vec![regime.to_string()];
        w.phases.clear();
        for h in grid.hydro.iter().filter(|h| built(&h.generator)) {
            let planned = basin
                .reservoirs
                .iter()
                .any(|r| r.node == h.reservoir && r.planned);
            if planned && !w.with_reservoirs.contains(&h.reservoir) {
                w.with_reservoirs.push(h.reservoir.clone());
            }
        }
        let run = karvan_water::model::run(basin, &w)?;
        s.storages = storages(grid, &run, 0, built)?;
    }
    let out = model::run(grid, &s)?;
    Ok(summarise(grid, &out)?)
}
