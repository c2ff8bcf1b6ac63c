//! The whole tariff game on a scenario: Nash, the coordinated optima, the corridor
//! coalitions, every coalition's value, Shapley values and the core, with the flows
//! behind each solution.

use karvan_model::Model;
use serde::Serialize;

use crate::game::{
    coalition_values_until, core_is_empty, nash, optimise, shapley, Objective, Outcome,
};
use crate::market::{Evaluation, Market, MarketSettings};

/// Convergence tolerance of best responses and optima.
const TOL: f64 = 1e-6;
/// Most rounds of best responses.
const ROUNDS: usize = 100;

/// Named coalitions of the two competing corridors.
pub const CORRIDOR_COALITIONS: &[(&str, &[&str])] = &[
    (
        "Trans-Afghan (Uzbekistan + Afghanistan + Pakistan)",
        &["UZB", "AFG", "PAK"],
    ),
    (
        "Western (Kazakhstan + Turkmenistan + Afghanistan)",
        &["KAZ", "TKM", "AFG"],
    ),
];

/// One solution of the game with the market it produces.
#[derive(Debug, Clone, Serialize)]
pub struct Solution {
    pub name: String,
    pub strategy: Vec<f64>,
    pub evaluation: Evaluation,
}

/// Everything `karvan game` reports.
#[derive(Debug, Clone, Serialize)]
pub struct GameAnalysis {
    pub scenario: String,
    pub settings: MarketSettings,
    /// `(player, mode)` of each strategy variable, as labels like `UZB rail`.
    pub variables: Vec<String>,
    /// Today's transit tariff of each variable, USD/t-km.
    pub base_tariff: Vec<f64>,
    pub unroutable: usize,
    /// today, nash, coordinated, coordinated+shippers, then the corridor coalitions.
    pub solutions: Vec<Solution>,
    pub nash: Outcome,
    /// Value of every coalition, indexed by bitmask over players.
    pub coalition_values: Vec<f64>,
    pub shapley: Vec<f64>,
    pub core_empty: bool,
    /// Joint payoff coordinated minus joint payoff at Nash.
    pub value_of_coordination: f64,
    /// `(name, value together, sum of values apart)` of the corridor coalitions.
    pub corridor_coalitions: Vec<(String, f64, f64)>,
    /// What a reader should know before trusting the figures (players with no transit).
    pub warnings: Vec<String>,
}

/// Solves the game; `progress` is called once per coalition solved.
pub fn analyse(
    model: &Model,
    settings: MarketSettings,
    progress: &(dyn Fn() + Sync),
) -> Result<GameAnalysis, String> {
    analyse_in_stages(model, settings, &|_| {}, progress)
}

/// As [`analyse`], telling `stage` what it works on before each long step (the market,
/// the Nash equilibrium, the coordinated optima, the coalitions), so that a user sees
/// progress before the first coalition is solved.
pub fn analyse_in_stages(
    model: &Model,
    settings: MarketSettings,
    stage: &(dyn Fn(&str) + Sync),
    progress: &(dyn Fn() + Sync),
) -> Result<GameAnalysis, String> {
    analyse_until(model, settings, stage, progress, &|| false)
}

/// As [`analyse_in_stages`], asking `stop` before each stage and each coalition; once it
/// answers true the analysis ends with an error saying it was stopped.
pub fn analyse_until(
    model: &Model,
    settings: MarketSettings,
    stage: &(dyn Fn(&str) + Sync),
    progress: &(dyn Fn() + Sync),
    stop: &(dyn Fn() -> bool + Sync),
) -> Result<GameAnalysis, String> {
    let stage = |name: &str| {
        stage(name);
        if stop() {
            Err("the game was stopped before it finished".to_string())
        } else {
            Ok(())
        }
    };
    stage("routes of every demand row")?;
    let market = Market::new(model, settings)?;
    let n = market.settings.players.len();
    if market.idle_players.len() == n {
        return Err(format!(
            "none of the players ({}) carries transit on any route of this scenario: \
             there is no game to play; choose countries that carry transit",
            market.settings.players.join(", ")
        ));
    }
    if n > 12 {
        return Err("at most 12 players (2^12 coalitions)".into());
    }
    let today = market.today();
    stage("Nash equilibrium")?;
    let nash_o = nash(&market, &today, TOL, ROUNDS);
    stage("coordinated optimum")?;
    let coord = optimise(&market, Objective::Joint, &nash_o.strategy, TOL);
    stage("optimum with shippers' surplus")?;
    let welfare = optimise(&market, Objective::JointPlusSurplus, &nash_o.strategy, TOL);
    stage("coalitions")?;
    let coalitions = coalition_values_until(&market, &nash_o.strategy, TOL, ROUNDS, progress, stop)
        .ok_or_else(|| "the game was stopped before it finished".to_string())?;
    let values: Vec<f64> = coalitions.iter().map(|c| c.0).collect();
    let phi = shapley(&values, n);
    let core_empty = core_is_empty(&values, n);
    let sum = |o: &Outcome| o.payoffs.iter().sum::<f64>();
    let mut solutions = vec![
        solution(&market, "today", &today),
        solution(&market, "nash", &nash_o.strategy),
        solution(&market, "coordinated", &coord.strategy),
        solution(&market, "coordinated+shippers", &welfare.strategy),
    ];
    let mut corridor_coalitions = Vec::new();
    for (label, members) in CORRIDOR_COALITIONS {
        let idx: Vec<usize> = members
            .iter()
            .filter_map(|m| market.settings.players.iter().position(|p| p == m))
            .collect();
        if idx.len() == members.len() {
            let mask = idx.iter().fold(0usize, |m, i| m | 1 << i);
            solutions.push(solution(&market, label, &coalitions[mask].1.strategy));
            corridor_coalitions.push((
                label.to_string(),
                values[mask],
                idx.iter().map(|i| values[1 << i]).sum(),
            ));
        }
    }
    let mut warnings: Vec<String> = market
        .idle_players
        .iter()
        .map(|p| {
            format!(
                "{p} carries transit on no route of this scenario: its tariffs change nothing \
                 and it adds nothing to any coalition"
            )
        })
        .collect();
    warnings.extend(bound_warnings(&market, &solutions));
    let figures = values
        .iter()
        .chain(&phi)
        .chain(solutions.iter().flat_map(|s| s.evaluation.payoffs.iter()))
        .chain(solutions.iter().flat_map(|s| s.strategy.iter()));
    if let Some(bad) = figures.copied().find(|v| !v.is_finite()) {
        return Err(format!(
            "the game's results are not finite ({bad}); check the price dispersion and the \
             scenario's values"
        ));
    }
    Ok(GameAnalysis {
        warnings,
        scenario: model.applied.name.clone(),
        variables: market
            .variables
            .iter()
            .map(|(p, m)| format!("{} {m}", market.settings.players[*p]))
            .collect(),
        base_tariff: market.base_tariff.clone(),
        unroutable: market.unroutable,
        value_of_coordination: sum(&coord) - sum(&nash_o),
        settings: market.settings.clone(),
        solutions,
        nash: nash_o,
        coalition_values: values,
        shapley: phi,
        core_empty,
        corridor_coalitions,
    })
}

/// A warning for each solution whose multipliers sit on the cap: there the result is
/// set by the cap, not by how freight answers to price.
fn bound_warnings(market: &Market, solutions: &[Solution]) -> Vec<String> {
    let (_, cap) = market.settings.bounds;
    let idle = |player: usize| {
        market
            .idle_players
            .contains(&market.settings.players[player])
    };
    solutions
        .iter()
        .filter(|s| s.name != "today")
        .filter_map(|s| {
            let on_cap: Vec<String> = market
                .variables
                .iter()
                .enumerate()
                .filter(|(v, (player, _))| !idle(*player) && s.strategy[*v] >= cap * (1.0 - 1e-3))
                .map(|(_, (player, mode))| format!("{} {mode}", market.settings.players[*player]))
                .collect();
            (!on_cap.is_empty()).then(|| {
                format!(
                    "in the {} solution {} sit{} on the cap of {cap}× today's tariff: there the \
                     result is set by the cap, not by how freight answers to price",
                    s.name,
                    on_cap.join(", "),
                    if on_cap.len() == 1 { "s" } else { "" }
                )
            })
        })
        .collect()
}

fn solution(m: &Market, name: &str, s: &[f64]) -> Solution {
    Solution {
        name: name.to_string(),
        strategy: s.to_vec(),
        evaluation: m.evaluate(s),
    }
}
