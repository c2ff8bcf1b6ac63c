//! Karvan's facts: the dataset format (a TOML manifest and CSV tables), its schema,
//! loading with every problem reported by file, line and column, the embedded default
//! dataset, and scenarios that override a dataset by stable ids.

pub mod csvtable;
pub mod dataset;
pub mod embedded;
pub mod limits;
pub mod locate;
pub mod power;
pub mod problem;
pub mod review;
pub mod scenario;
pub mod schema;
pub mod sweep;
pub mod types;
mod validate;
pub mod water;

pub use dataset::{Dataset, DatasetFiles, Manifest};
pub use locate::{is_name, locate, locate_named, Located};
pub use problem::{Problem, Problems};
pub use scenario::{Applied, Scenario};
pub use types::*;
