//! Water allocated along a river basin, month by month, by linear programming, in the
//! manner of WEAP and pywr: demands are served in priority order, shortages shared in
//! proportion within a priority, interstate quotas cap groups of withdrawals over a
//! season, and reservoirs carry water from one month to the next.
//!
//! Like the freight engine, this crate works on plain arrays: a [`Network`] of nodes,
//! each draining into at most one node downstream through a reach that loses a share of
//! what it carries, with local inflows, reservoirs, withdrawals and requirements. It does
//! no input or output and knows no file format. Volumes are in hm³ (million m³) a month.
//! `model` turns a basin's facts (`karvan_data::water::Basin`) into those arrays for a
//! sequence of years and reads the months back.

mod allocate;
pub mod model;
mod network;

pub use allocate::{allocate_month, simulate, Month, MonthDemand, State};
pub use network::{Network, NetworkError, Quota, Reservoir, Take};

/// Months in a year.
pub const MONTHS: usize = 12;

/// Days in each month of a 365-day year.
pub const DAYS: [f64; MONTHS] = [
    31.0, 28.0, 31.0, 30.0, 31.0, 30.0, 31.0, 31.0, 30.0, 31.0, 30.0, 31.0,
];

/// hm³ carried in month `m` (0-based) by a flow of one m³/s.
pub fn hm3_per_m3s(m: usize) -> f64 {
    DAYS[m % MONTHS] * 86_400.0 / 1e6
}
