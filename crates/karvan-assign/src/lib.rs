//! Network solvers on plain arrays. Vertices and arcs are numbers; costs are `f64` slices
//! indexed by arc. Nothing here knows about countries, files or commodities: the model
//! crate translates the domain into these arrays and the results back.

pub mod alternatives;
pub mod aon;
pub mod assignment;
mod bush;
mod check;
pub mod elastic;
pub mod graph;
pub mod maxflow;
pub mod problem;
pub mod shortest;
pub mod sue;
pub mod vdf;

pub use alternatives::{distinct_paths, Path, NO_GROUP};
pub use assignment::{
    assign, relative_gap, try_assign, Algorithm, Assignment, Iteration, Settings,
};
pub use check::SolveError;
pub use elastic::{elastic, DemandModel, ElasticResult};
pub use graph::Graph;
pub use problem::{Class, Demand, Network, OriginDemand, Problem};
pub use shortest::ShortestPaths;
pub use sue::{stochastic, OdRoutes, Route, SueResult, SueSettings};
pub use vdf::Vdf;
