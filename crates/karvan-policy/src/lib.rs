//! Policy analysis built on the model: transit tariffs as a game between the countries
//! that carry transit. `game.rs` solves any game given by its payoff function (best
//! responses, Nash equilibrium, coordinated optima, coalition values, Shapley values,
//! the core); `market.rs` is the transit market of a Karvan scenario, where tariffs move
//! freight between routes and, through an outside option, off the network.

pub mod analysis;
pub mod appraisal;
pub mod appraise;
pub mod calibrate;
pub mod fit;
pub mod game;
pub mod market;
pub mod resilience;

pub use analysis::{analyse, analyse_in_stages, analyse_until, GameAnalysis, Solution};
pub use game::{
    coalition_values, coalition_values_until, core_is_empty, nash, optimise, shapley, Game,
    Objective, Outcome,
};
pub use market::{Evaluation, Market, MarketSettings};
