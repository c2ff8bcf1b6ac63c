//! `karvan game`: transit tariffs as a game between the countries that carry transit.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{anyhow, Context, Result};
use karvan_model::Model;
use karvan_policy::{
    coalition_values, core_is_empty, nash, optimise, shapley, Market, MarketSettings, Objective,
    Outcome,
};
use serde_json::json;

use crate::load;

/// The game's options from the command line.
pub struct Args {
    pub scenario: Option<String>,
    pub out: Option<PathBuf>,
    pub players: Option<Vec<String>>,
    pub max_multiplier: f64,
    pub outside_markup: f64,
    pub dispersion: f64,
    pub shipper_weight: f64,
}

const TOL: f64 = 1e-6;
const ROUNDS: usize = 100;

/// Named coalitions of the two competing corridors.
const CORRIDOR_COALITIONS: &[(&str, &[&str])] = &[
    (
        "Trans-Afghan (Uzbekistan + Afghanistan + Pakistan)",
        &["UZB", "AFG", "PAK"],
    ),
    (
        "Western (Kazakhstan + Turkmenistan + Afghanistan)",
        &["KAZ", "TKM", "AFG"],
    ),
];

pub fn run(a: &Args, json_out: bool) -> Result<ExitCode> {
    let model = Model::new(load::applied(a.scenario.as_deref())?);
    let mut settings = MarketSettings::default();
    if let Some(p) = &a.players {
        settings.players = p.iter().map(|s| s.trim().to_uppercase()).collect();
    }
    if settings.players.len() > 12 {
        return Err(anyhow!("at most 12 players (2^12 coalitions)"));
    }
    settings.bounds = (0.0, a.max_multiplier.max(0.0));
    settings.outside_markup = a.outside_markup;
    settings.dispersion = a.dispersion;
    settings.shipper_weight = a.shipper_weight;
    let market = Market::new(&model, settings).map_err(|e| anyhow!(e))?;
    let n = market.settings.players.len();

    let today = market.today();
    let nash_o = nash(&market, &today, TOL, ROUNDS);
    let coord = optimise(&market, Objective::Joint, &nash_o.strategy, TOL);
    let welfare = optimise(&market, Objective::JointPlusSurplus, &nash_o.strategy, TOL);
    let bar = indicatif::ProgressBar::new(1 << n);
    if json_out {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    bar.set_style(
        indicatif::ProgressStyle::with_template("coalitions {bar:40} {pos}/{len} {elapsed}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let coalitions = coalition_values(&market, &nash_o.strategy, TOL, ROUNDS, &|| bar.inc(1));
    bar.finish_and_clear();
    let values: Vec<f64> = coalitions.iter().map(|c| c.0).collect();
    let phi = shapley(&values, n);
    let empty_core = core_is_empty(&values, n);
    let nash_joint: f64 = nash_o.payoffs.iter().sum();
    let coord_joint: f64 = coord.payoffs.iter().sum();

    let name = load::slug(&model.applied.name);
    let out = a
        .out
        .clone()
        .unwrap_or_else(|| Path::new("out").join(format!("game-{name}")));
    let solutions: Vec<(&str, &Outcome)> = vec![
        ("today", &nash_o),
        ("nash", &nash_o),
        ("coordinated", &coord),
        ("coordinated+shippers", &welfare),
    ];
    let mut labelled: Vec<(String, Vec<f64>)> = vec![("today".into(), today.clone())];
    for (l, o) in &solutions[1..] {
        labelled.push((l.to_string(), o.strategy.clone()));
    }
    for (label, members) in CORRIDOR_COALITIONS {
        let mask = members
            .iter()
            .filter_map(|m| market.settings.players.iter().position(|p| p == m))
            .fold(0usize, |m, i| m | 1 << i);
        if mask.count_ones() as usize == members.len() {
            labelled.push((label.to_string(), coalitions[mask].1.strategy.clone()));
        }
    }
    let md = markdown(
        &market,
        &labelled,
        &values,
        &phi,
        empty_core,
        nash_joint,
        coord_joint,
        &nash_o,
    );
    let outdir = karvan_report::OutputDir::create(&out)?;
    outdir.write("game.md", md.as_bytes())?;
    outdir.write("tariffs.csv", tariffs_csv(&market, &labelled).as_bytes())?;
    outdir.write(
        "corridors.csv",
        corridors_csv(&market, &labelled).as_bytes(),
    )?;
    outdir.write("revenue.csv", revenue_csv(&market, &labelled).as_bytes())?;
    outdir.write(
        "coalitions.csv",
        coalitions_csv(&market, &values).as_bytes(),
    )?;
    outdir
        .commit()
        .with_context(|| format!("writing {}", out.display()))?;

    if json_out {
        let v = json!({
            "settings": market.settings, "players": market.settings.players,
            "nash": { "strategy": nash_o.strategy, "payoffs": nash_o.payoffs, "rounds": nash_o.rounds, "max_gain": nash_o.max_gain, "cycled": nash_o.cycled },
            "coordinated": { "strategy": coord.strategy, "payoffs": coord.payoffs },
            "coordinated_with_shippers": { "strategy": welfare.strategy, "payoffs": welfare.payoffs, "surplus": welfare.surplus },
            "value_of_coordination": coord_joint - nash_joint, "shapley": phi, "core_empty": empty_core, "coalition_values": values,
        });
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        print!("{md}");
        println!("\nWritten to {}/", out.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn var_label(m: &Market, v: usize) -> String {
    let (p, mode) = m.variables[v];
    format!("{} {}", m.settings.players[p], mode)
}

#[allow(clippy::too_many_arguments)]
fn markdown(
    m: &Market,
    labelled: &[(String, Vec<f64>)],
    values: &[f64],
    phi: &[f64],
    empty_core: bool,
    nash_joint: f64,
    coord_joint: f64,
    nash_o: &Outcome,
) -> String {
    let s = &m.settings;
    let mut md = String::new();
    let _ = writeln!(md, "# Transit tariffs as a game\n");
    let _ = writeln!(
        md,
        "Model: each demand row splits over up to {} distinct routes (at today's tariffs) and an outside option costing {:.0}% more than its cheapest route today, by a multinomial logit with dispersion {} per cheapest-route cost. Players: {}. Strategy: a multiplier on each player's transit tariff per mode, within [{}, {}]. Payoff: transit tariff revenue minus {} USD per transit t-km carried{}. {} demand rows had no route and are left out.\n",
        s.routes_per_od, s.outside_markup * 100.0, s.dispersion, s.players.join(", "), s.bounds.0, s.bounds.1, s.carrying_cost_usd_per_tkm,
        if s.shipper_weight > 0.0 { format!(", plus {} × own shippers' surplus", s.shipper_weight) } else { String::new() }, m.unroutable
    );
    let _ = writeln!(
        md,
        "Nash equilibrium: {} rounds of best responses; largest gain left to a single player {:.0} USD/year{}.\n",
        nash_o.rounds, nash_o.max_gain, if nash_o.cycled { "; the best responses cycled" } else { "" }
    );
    let _ = writeln!(
        md,
        "**Value of coordination** (joint payoff coordinated − Nash): {} USD/year ({} → {}).\n",
        crate::fmtn(coord_joint - nash_joint),
        crate::fmtn(nash_joint),
        crate::fmtn(coord_joint)
    );
    md.push_str("## Tariff multipliers (1 = today)\n\n| variable | today USD/t-km |");
    for (l, _) in labelled {
        let _ = write!(md, " {l} |");
    }
    md.push_str("\n|---|---:|");
    md.push_str(&"---:|".repeat(labelled.len()));
    md.push('\n');
    for v in 0..m.variables.len() {
        let _ = write!(md, "| {} | {:.4} |", var_label(m, v), m.base_tariff[v]);
        for (_, st) in labelled {
            let _ = write!(md, " {:.2} |", st[v]);
        }
        md.push('\n');
    }
    let evals: Vec<_> = labelled.iter().map(|(_, st)| m.evaluate(st)).collect();
    md.push_str("\n## Payoff by country (USD/year)\n\n| country |");
    for (l, _) in labelled {
        let _ = write!(md, " {l} |");
    }
    md.push_str("\n|---|");
    md.push_str(&"---:|".repeat(labelled.len()));
    md.push('\n');
    for (i, p) in s.players.iter().enumerate() {
        let _ = write!(md, "| {p} |");
        for e in &evals {
            let _ = write!(md, " {} |", crate::fmtn(e.payoffs[i]));
        }
        md.push('\n');
    }
    md.push_str("| shipped t/year |");
    for e in &evals {
        let _ = write!(md, " {} |", crate::fmtn(e.shipped_tonnes));
    }
    md.push_str("\n| outside option t/year |");
    for e in &evals {
        let _ = write!(md, " {} |", crate::fmtn(e.outside_tonnes));
    }
    md.push_str("\n| shippers' surplus USD/year |");
    for e in &evals {
        let _ = write!(md, " {} |", crate::fmtn(e.surplus));
    }
    md.push_str("\n\n## Coalitions\n\n| country | Shapley value USD/year | alone (Nash) |\n|---|---:|---:|\n");
    for (i, p) in s.players.iter().enumerate() {
        let _ = writeln!(
            md,
            "| {p} | {} | {} |",
            crate::fmtn(phi[i]),
            crate::fmtn(values[1 << i])
        );
    }
    let grand = values[values.len() - 1];
    let _ = writeln!(md, "\nThe grand coalition is worth {} USD/year; the Shapley values add up to it. The core is {}.", crate::fmtn(grand), if empty_core { "empty: no split of the coordinated payoff leaves every group better off than on its own" } else { "not empty: some split of the coordinated payoff leaves every group at least as well off as on its own" });
    for (label, members) in CORRIDOR_COALITIONS {
        let mask = members
            .iter()
            .filter_map(|x| s.players.iter().position(|p| p == x))
            .fold(0usize, |acc, i| acc | 1 << i);
        if mask.count_ones() as usize == members.len() {
            let alone: f64 = (0..s.players.len())
                .filter(|i| mask >> i & 1 == 1)
                .map(|i| values[1 << i])
                .sum();
            let _ = writeln!(
                md,
                "- {label}: worth {} USD/year together, {} apart.",
                crate::fmtn(values[mask]),
                crate::fmtn(alone)
            );
        }
    }
    md
}

fn tariffs_csv(m: &Market, labelled: &[(String, Vec<f64>)]) -> String {
    let mut s = String::from("solution,player,mode,multiplier,usd_per_tkm\n");
    for (l, st) in labelled {
        for (v, (&(p, mode), &x)) in m.variables.iter().zip(st).enumerate() {
            let _ = writeln!(
                s,
                "\"{l}\",{},{mode},{x:.4},{:.5}",
                m.settings.players[p],
                x * m.base_tariff[v]
            );
        }
    }
    s
}

fn corridors_csv(m: &Market, labelled: &[(String, Vec<f64>)]) -> String {
    let mut s = String::from("solution,corridor,tonnes_per_year\n");
    for (l, st) in labelled {
        let e = m.evaluate(st);
        for (c, t) in &e.corridor_tonnes {
            let _ = writeln!(s, "\"{l}\",\"{c}\",{t:.0}");
        }
        let _ = writeln!(s, "\"{l}\",\"outside option\",{:.0}", e.outside_tonnes);
    }
    s
}

fn revenue_csv(m: &Market, labelled: &[(String, Vec<f64>)]) -> String {
    let mut s = String::from("solution,player,transit_revenue_usd,transit_tkm,payoff_usd\n");
    for (l, st) in labelled {
        let e = m.evaluate(st);
        for (i, p) in m.settings.players.iter().enumerate() {
            let _ = writeln!(
                s,
                "\"{l}\",{p},{:.0},{:.0},{:.0}",
                e.revenue[i], e.transit_tkm[i], e.payoffs[i]
            );
        }
    }
    s
}

fn coalitions_csv(m: &Market, values: &[f64]) -> String {
    let mut s = String::from("coalition,members,value_usd\n");
    for (mask, v) in values.iter().enumerate() {
        let members: Vec<&str> = (0..m.settings.players.len())
            .filter(|i| mask >> i & 1 == 1)
            .map(|i| m.settings.players[i].as_str())
            .collect();
        let _ = writeln!(s, "{mask},{},{v:.0}", members.join("+"));
    }
    s
}
