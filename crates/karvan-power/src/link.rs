//! Hydro output taken from the river basin: each linked plant turbines its reservoir's
//! monthly release at its head, so that a dry year or Rogun's filling shows up as less
//! energy in winter.

use std::collections::BTreeMap;

use karvan_data::power::Grid;
use karvan_water::model::Run;

use crate::MONTHS;

/// GWh made by turbining one hm³ through one metre of head at full efficiency:
/// 10⁹ kg × 9.81 m/s² × 1 m / 3.6 × 10¹² J per GWh.
pub const GWH_PER_HM3_M: f64 = 9.81 / 3600.0;

/// A linked reservoir the basin does not have.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("hydro.csv:{line}: column `reservoir`: `{reservoir}` is not a node of the basin")]
pub struct LinkError {
    pub reservoir: String,
    pub line: u64,
}

/// Each linked generator's energy in each month of year `year` (0-based) of the water
/// run, GWh: release × head × efficiency × 9.81 / 3600.
pub fn hydro_from_water(
    grid: &Grid,
    run: &Run,
    year: usize,
) -> Result<BTreeMap<String, [f64; MONTHS]>, LinkError> {
    let mut out = BTreeMap::new();
    for h in &grid.hydro {
        let release = |m: usize| run.flow(&h.reservoir, year, &[m + 1]);
        if release(0).is_none() {
            return Err(LinkError {
                reservoir: h.reservoir.clone(),
                line: h.line,
            });
        }
        let energy: [f64; MONTHS] = std::array::from_fn(|m| {
            release(m).unwrap_or(0.0) * h.head_m * h.efficiency * GWH_PER_HM3_M
        });
        out.insert(h.generator.clone(), energy);
    }
    Ok(out)
}
