//! `karvan game`: transit tariffs as a game between the countries that carry transit.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{anyhow, Context, Result};
use karvan_model::Model;
use karvan_policy::{analyse, GameAnalysis, MarketSettings};

use crate::load;

/// The game's options from the command line.
#[derive(Clone, clap::Args)]
pub struct Args {
    /// Players (ISO3, comma-separated). Default: KAZ,UZB,TKM,TJK,AFG,PAK,IRN.
    #[arg(long, value_delimiter = ',')]
    pub players: Option<Vec<String>>,
    /// Highest multiplier on today's transit tariffs a player may set.
    #[arg(long, default_value_t = 4.0)]
    pub max_multiplier: f64,
    /// How much dearer than today's cheapest route the outside option (sea, the northern
    /// route, not shipping) is, as a share.
    #[arg(long, default_value_t = 0.3)]
    pub outside_markup: f64,
    /// Dispersion of shippers' logit choice between routes and the outside option, per
    /// cheapest-route cost (higher: more sensitive to cost).
    #[arg(long, default_value_t = 8.0)]
    pub price_dispersion: f64,
    /// Weight of a country's own shippers' surplus in its payoff.
    #[arg(long, default_value_t = 0.0)]
    pub shipper_weight: f64,
}

impl Args {
    fn settings(&self) -> MarketSettings {
        let mut s = MarketSettings::default();
        if let Some(p) = &self.players {
            s.players = p.iter().map(|x| x.trim().to_uppercase()).collect();
        }
        s.bounds = (0.0, self.max_multiplier.max(0.0));
        s.outside_markup = self.outside_markup;
        s.dispersion = self.price_dispersion;
        s.shipper_weight = self.shipper_weight;
        s
    }
}

/// Solves the game on `model`, with a progress bar over the coalitions unless `quiet`.
pub fn solve(model: &Model, args: &Args, quiet: bool) -> Result<GameAnalysis> {
    let settings = args.settings();
    let bar = indicatif::ProgressBar::new(1 << settings.players.len().min(12));
    if quiet {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    bar.set_style(
        indicatif::ProgressStyle::with_template("coalitions {bar:40} {pos}/{len} {elapsed}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let g = analyse(model, settings, &|| bar.inc(1)).map_err(|e| anyhow!(e))?;
    bar.finish_and_clear();
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
