//! Network solvers on plain arrays. Vertices and arcs are numbers; costs are `f64` slices
//! indexed by arc. Nothing here knows about countries, files or commodities: the model
//! crate translates the domain into these arrays and the results back.

pub mod alternatives;
pub mod graph;
pub mod shortest;

pub use alternatives::{distinct_paths, Path, NO_GROUP};
pub use graph::Graph;
pub use shortest::ShortestPaths;
