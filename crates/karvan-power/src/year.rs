//! One year as a scenario asks for it: the hydro link to the river basin first (when
//! asked), then the dispatch, read back as a [`Summary`].

use karvan_data::power::Grid;
use karvan_data::scenario::Scenario;
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

/// What a scenario asks of the power grid: its `[power]` settings, its `[water]`
/// settings for the hydro link, whether the link is on, and the river's regime for the
/// linked year (the scenario's `water_regime`, else its first water year, else `normal`).
/// The command line, the server and sweeps all read a scenario through this.
#[derive(Debug, Clone, PartialEq)]
pub struct Asked {
    pub power: Settings,
    pub water: karvan_water::model::Settings,
    pub hydro_from_water: bool,
    pub regime: String,
}

impl Asked {
    /// Reads and checks a scenario's tables; `label` names it in messages.
    pub fn from_scenario(sc: &Scenario, label: &str) -> Result<Asked, YearError> {
        Ok(Asked {
            power: Settings::from_scenario(&sc.power, label)?,
            water: karvan_water::model::Settings::from_scenario(&sc.water, label)?,
            hydro_from_water: sc.power.hydro_from_water,
            regime: sc
                .power
                .water_regime
                .clone()
                .or_else(|| sc.water.years.first().cloned())
                .unwrap_or_else(|| "normal".into()),
        })
    }

    /// Solves the year asked.
    pub fn solve(&self, grid: &Grid, basin: &Basin) -> Result<Summary, YearError> {
        let linked = self.hydro_from_water.then_some(self.regime.as_str());
        solve(grid, basin, &self.power, &self.water, linked)
    }
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
