//! Hydro taken from the river basin: for each reservoir that hydro.csv links to a plant,
//! the water model gives the water reaching it month by month and the storage it starts
//! and ends the year with; the dispatch then chooses when to release that water for
//! power, within the reservoir's dead storage and capacity, and the linked plants
//! turbine the release at their heads. A dry year or Rogun's filling upstream thus
//! arrives as less water to turbine, and the dispatch decides which months go short.
//!
//! The water model decides how much passes the reservoir in the year and the power
//! model when: downstream irrigation's own wish for summer releases is not imposed on
//! the timing. Each linked reservoir is timed on its own; a reservoir upstream of
//! another gives it the inflow the water model found.

use karvan_data::power::Grid;
use karvan_water::model::Run;

use crate::MONTHS;

/// GWh made by turbining one hm³ through one metre of head at full efficiency:
/// 10⁹ kg × 9.81 m/s² × 1 m / 3.6 × 10¹² J per GWh.
pub const GWH_PER_HM3_M: f64 = 9.81 / 3600.0;

/// A reservoir's year as the water model found it, for the dispatch to time.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkedStorage {
    /// The basin's reservoir node.
    pub reservoir: String,
    /// Water reaching it each month, hm³.
    pub inflow_hm3: [f64; MONTHS],
    pub initial_hm3: f64,
    pub final_hm3: f64,
    pub min_hm3: f64,
    pub max_hm3: f64,
}

/// A linked reservoir the basin does not have, or does not build in this run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("hydro.csv:{line}: column `reservoir`: `{reservoir}` is not a reservoir the water run has")]
pub struct LinkError {
    pub reservoir: String,
    pub line: u64,
}

/// The linked reservoirs of `grid` whose plants are `built`, in year `year` (0-based) of
/// the water run: inflow = release + change in storage, month by month.
pub fn storages(
    grid: &Grid,
    run: &Run,
    year: usize,
    built: impl Fn(&str) -> bool,
) -> Result<Vec<LinkedStorage>, LinkError> {
    let mut out: Vec<LinkedStorage> = Vec::new();
    for h in grid.hydro.iter().filter(|h| built(&h.generator)) {
        if out.iter().any(|s| s.reservoir == h.reservoir) {
            continue;
        }
        let missing = || LinkError {
            reservoir: h.reservoir.clone(),
            line: h.line,
        };
        let node = *run.built.index.get(&h.reservoir).ok_or_else(missing)?;
        let k = run
            .built
            .network
            .reservoirs
            .iter()
            .position(|r| r.node == node)
            .ok_or_else(missing)?;
        let reservoir = &run.built.network.reservoirs[k];
        let months = run
            .months
            .get(year * MONTHS..(year + 1) * MONTHS)
            .ok_or_else(missing)?;
        let start = if year == 0 {
            reservoir.initial_hm3
        } else {
            run.months[year * MONTHS - 1].storage[k]
        };
        let mut before = start;
        let inflow_hm3 = std::array::from_fn(|m| {
            let after = months[m].storage[k];
            let inflow = months[m].outflow[node] + after - before;
            before = after;
            inflow.max(0.0)
        });
        out.push(LinkedStorage {
            reservoir: h.reservoir.clone(),
            inflow_hm3,
            initial_hm3: start,
            final_hm3: months[MONTHS - 1].storage[k].min(reservoir.capacity_hm3),
            min_hm3: reservoir.dead_hm3.min(start),
            max_hm3: reservoir.capacity_hm3,
        });
    }
    Ok(out)
}
