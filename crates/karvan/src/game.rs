//! `karvan game`: transit tariffs as a game between the countries that carry transit.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{anyhow, Context, Result};
use karvan_model::Model;
use karvan_policy::{analyse_in_stages, GameAnalysis, MarketSettings};

use crate::load;
use karvan_data::limits;

/// The game's options from the command line; each overrides the scenario's `[game]`
/// table, which overrides the defaults.
#[derive(Clone, Default, clap::Args)]
#[group(id = "game_args")]
pub struct Args {
    /// Players (ISO3, comma-separated). Default: KAZ,UZB,TKM,TJK,AFG,PAK,IRN.
    #[arg(long, value_delimiter = ',')]
    pub players: Option<Vec<String>>,
    /// Highest multiplier on today's transit tariffs a player may set (default 4).
    #[arg(long, value_parser = crate::number(&limits::MAX_MULTIPLIER))]
    pub max_multiplier: Option<f64>,
    /// How much dearer than today's cheapest route the outside option (sea, the northern
    /// route, not shipping) is, as a share (default 0.2; `run` uses the same for its response to price).
    #[arg(long, value_parser = crate::number(&limits::OUTSIDE_MARKUP))]
    pub outside_markup: Option<f64>,
    /// Dispersion of shippers' logit choice between routes and the outside option, per
    /// cheapest-route cost (default 8; higher: more sensitive to cost).
    #[arg(long, value_parser = crate::number(&limits::PRICE_DISPERSION))]
    pub price_dispersion: Option<f64>,
    /// Weight of a country's own shippers' surplus in its payoff (default 0).
    #[arg(long, value_parser = crate::number(&limits::SHIPPER_WEIGHT))]
    pub shipper_weight: Option<f64>,
    /// What carrying a transit tonne-kilometre costs a country, USD (default 0.005).
    #[arg(long, value_parser = crate::number(&limits::CARRYING_COST))]
    pub carrying_cost: Option<f64>,
}

impl Args {
    /// Defaults, then the scenario's `[game]` table, then these flags.
    fn settings(&self, scenario: &karvan_data::scenario::GameSettings) -> MarketSettings {
        let mut s = MarketSettings::default();
        if let Some(p) = self.players.clone().or_else(|| scenario.players.clone()) {
            s.players = p.iter().map(|x| x.trim().to_uppercase()).collect();
        }
        if let Some(m) = self.max_multiplier.or(scenario.max_multiplier) {
            s.bounds = (0.0, m.max(0.0));
        }
        s.outside_markup = self
            .outside_markup
            .or(scenario.outside_markup)
            .unwrap_or(s.outside_markup);
        s.dispersion = self
            .price_dispersion
            .or(scenario.dispersion)
            .unwrap_or(s.dispersion);
        s.shipper_weight = self
            .shipper_weight
            .or(scenario.shipper_weight)
            .unwrap_or(s.shipper_weight);
        s.carrying_cost_usd_per_tkm = self
            .carrying_cost
            .or(scenario.carrying_cost_usd_per_tkm)
            .unwrap_or(s.carrying_cost_usd_per_tkm);
        s
    }
}

/// Solves the game on `model`, with a progress bar over the coalitions unless `quiet`.
pub fn solve(model: &Model, args: &Args, quiet: bool) -> Result<GameAnalysis> {
    let settings = args.settings(&model.applied.game);
    let bar = indicatif::ProgressBar::new(1 << settings.players.len().min(12));
    if quiet {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "game {spinner} {msg:32} coalitions {bar:30} {pos}/{len} {elapsed}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    // Ticks on its own, so the clock moves through the long steps before the coalitions.
    bar.enable_steady_tick(std::time::Duration::from_millis(250));
    let g = analyse_in_stages(
        model,
        settings,
        &|stage| bar.set_message(stage.to_string()),
        &|| bar.inc(1),
    )
    .map_err(|e| anyhow!(e))?;
    bar.finish_and_clear();
    for w in &g.warnings {
        eprintln!("warning: {w}");
    }
    Ok(g)
}

pub fn run(
    scenario: Option<&str>,
    out: Option<PathBuf>,
    args: &Args,
    json: bool,
) -> Result<ExitCode> {
    let model = Model::new(load::applied(scenario)?);
    let g = solve(&model, args, json)?;
    let out = out.unwrap_or_else(|| {
        Path::new("out").join(format!("game-{}", load::slug(&model.applied.name)))
    });
    let md = karvan_report::game::markdown(&g);
    let dir = karvan_report::OutputDir::create(&out)?;
    dir.write("game.md", md.as_bytes())?;
    for (name, text) in karvan_report::game::csv_files(&g) {
        dir.write(name, text.as_bytes())?;
    }
    dir.commit()
        .with_context(|| format!("writing {}", out.display()))?;
    if json {
        println!("{}", serde_json::to_string_pretty(&g)?);
    } else {
        print!("{md}");
        println!("\nWritten to {}/", out.display());
    }
    Ok(ExitCode::SUCCESS)
}
