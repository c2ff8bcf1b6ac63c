//! Electricity traded across borders, month by month: a transport (net transfer
//! capacity) model in the manner of the regional NTC models used for Central Asian and
//! South Asian power trade. Nodes are supplier countries, the importing country's grid
//! islands and markets beyond; generators (and neighbours' offers) have a monthly
//! available energy and a marginal cost; interconnectors have a capacity, losses, the
//! months they run, a contract price and a transit fee; demand not met is unserved at a
//! penalty.
//!
//! A year is one linear programme of twelve monthly blocks, each an energy balance in
//! GWh (no hours within months): the blocks are joined only by yearly contract volumes.
//! The dual value of each month's balance at a node is the node's price, and a line's
//! congestion rent is what its flow earns between the prices at its two ends beyond
//! its price and fee.
//!
//! Like the freight and water engines, [`System`] and [`dispatch`] work on plain arrays;
//! [`model`] turns a grid's facts (`karvan_data::power::Grid`) and a scenario into them,
//! [`link`] takes hydro output from the river basin's reservoir releases and
//! [`bargain`] weighs water against power between Afghanistan and the downstream
//! countries.

pub mod bargain;
mod dispatch;
pub mod link;
pub mod model;
pub mod summary;
mod system;
pub mod year;

pub use dispatch::{dispatch, Dispatch, DispatchError};
pub use system::{Generator, Line, Node, System, SystemError};

/// Months in a year.
pub const MONTHS: usize = 12;

/// Hours in each month of a 365-day year.
pub fn hours(m: usize) -> f64 {
    karvan_water::DAYS[m % MONTHS] * 24.0
}

/// GWh in month `m` (0-based) of a power of `mw` megawatts held all month.
pub fn gwh(mw: f64, m: usize) -> f64 {
    mw * hours(m) / 1000.0
}
