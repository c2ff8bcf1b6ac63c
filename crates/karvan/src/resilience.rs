//! `karvan risk` (what a closure costs over a year) and `karvan resilience` (which links
//! and crossings are critical, Monte Carlo years of closures, diversification).

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{anyhow, Context, Result};
use karvan_data::Applied;
use karvan_model::RouteChoice;
use karvan_policy::resilience::{open_elements, Annual, Element, Evaluator};
use karvan_report::fmt::{fixed, signed, thousands};

use crate::load;
use karvan_data::limits;

fn elements(a: &Applied, spec: &[String]) -> Result<Vec<Element>> {
    karvan_policy::resilience::parse_elements(a, spec).map_err(|e| anyhow!(e))
}

fn name(a: &Applied, e: Element) -> String {
    match e {
        Element::Link(i) => a.dataset.links[i].name.clone(),
        Element::Crossing(i) => a.dataset.crossings[i].name.clone(),
    }
}

fn corridor_table(md: &mut String, columns: &[(&str, &Annual)]) {
    let names: BTreeSet<&String> = columns
        .iter()
        .flat_map(|(_, a)| a.corridor_tonnes.keys())
        .collect();
    let _ = write!(md, "| corridor |");
    for (l, _) in columns {
        let _ = write!(md, " {l} t/year |");
    }
    let _ = writeln!(md, "\n|---|{}", "---:|".repeat(columns.len()));
    for n in names {
        let _ = write!(md, "| {n} |");
        for (_, a) in columns {
            let _ = write!(
                md,
                " {} |",
                thousands(a.corridor_tonnes.get(n).copied().unwrap_or(0.0))
            );
        }
        md.push('\n');
    }
}

/// `karvan risk`: closures during the year against the base year: those of `close` from
/// day `start` for `days`, or else the scenario's `[[disruption]]` entries.
/// A closure during the year: what, from which day (counted from 0), for how many days.
type Closure = (Element, f64, f64);

/// The scenario's `[[disruption]]` entries as closures, with the capacity a partial
/// closure leaves.
fn disruptions(
    applied: &Applied,
) -> Result<(Vec<Closure>, std::collections::HashMap<Element, f64>)> {
    let mut closures = Vec::new();
    let mut partial = std::collections::HashMap::new();
    for d in &applied.disruptions {
        for e in elements(applied, &d.close)? {
            closures.push((e, d.start_day - 1.0, d.days));
            if let Some(s) = d.capacity_share {
                partial.insert(e, s);
            }
        }
    }
    Ok((closures, partial))
}

/// The scenario's year without and with its `[[disruption]]` entries, for a sweep;
/// `None` when it has none.
pub fn scenario_year(applied: &Applied) -> Result<Option<(Annual, Annual)>> {
    let (closures, partial) = disruptions(applied)?;
    if closures.is_empty() {
        return Ok(None);
    }
    let choice = RouteChoice::from_settings(&applied.assignment);
    let ev = Evaluator::new(applied, choice)
        .with_partial(partial)
        .map_err(|e| anyhow!(e))?;
    Ok(Some((ev.state(&BTreeSet::new()), ev.year(&closures))))
}

pub fn risk(
    scenario: Option<&str>,
    close: &[String],
    start: f64,
    days: f64,
    capacity_share: Option<f64>,
    out: Option<PathBuf>,
    json: bool,
) -> Result<ExitCode> {
    let applied = load::applied(scenario)?;
    let (mut closures, mut partial) = disruptions(&applied)?;
    if !close.is_empty() {
        closures.clear();
        partial.clear();
        for e in elements(&applied, close)? {
            closures.push((e, start - 1.0, days));
            if let Some(s) = capacity_share {
                partial.insert(e, s);
            }
        }
    }
    if closures.is_empty() {
        return Err(anyhow!(
            "nothing closes: name it with --close, or give the scenario a [[disruption]]"
        ));
    }
    let closed: Vec<Element> = closures
        .iter()
        .map(|c| c.0)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let choice = RouteChoice::from_settings(&applied.assignment);
    let ev = Evaluator::new(&applied, choice)
        .with_partial(partial.clone())
        .map_err(|e| anyhow!(e))?;
    let base = ev.state(&BTreeSet::new());
    let all_year = ev.state(&closed.iter().copied().collect());
    let year = ev.year(&closures);
    for (what, annual) in [
        ("base year", &base),
        ("year closed throughout", &all_year),
        ("year with the closures", &year),
    ] {
        load::check_finite(&format!("results of the {what}"), annual)?;
    }
    let mut md = String::from("# Closures during the year\n\n");
    for (e, s0, d) in &closures {
        let how = match partial.get(e) {
            Some(s) if *s > 0.0 => format!("cut to {:.0}% of its capacity", s * 100.0),
            _ => "closed".to_string(),
        };
        let _ = writeln!(
            md,
            "- {} {how} from day {:.0} ({}) for {d:.0} days",
            name(&applied, *e),
            s0 + 1.0,
            karvan_report::fmt::date_of_day(*s0)
        );
    }
    let _ = writeln!(
        md,
        "\nOutside the closures the network is as in {}.\n",
        applied.name
    );
    let _ = writeln!(
        md,
        "| | base year | closed all year | the year with the closure |\n|---|---:|---:|---:|\n| generalized cost of routed trade, USD | {} | {} | {} |\n| lost trade, t | {} | {} | {} |\n| extra cost of the year, USD | | | {} |\n| trade lost in the year, t | | | {} |\n",
        thousands(base.cost_usd),
        thousands(all_year.cost_usd),
        thousands(year.cost_usd),
        thousands(base.lost_tonnes),
        thousands(all_year.lost_tonnes),
        thousands(year.lost_tonnes),
        signed(year.cost_usd - base.cost_usd),
        signed(year.lost_tonnes - base.lost_tonnes)
    );
    md.push_str("## Where the cargo goes\n\n");
    corridor_table(
        &mut md,
        &[
            ("base", &base),
            ("closed all year", &all_year),
            ("the year", &year),
        ],
    );
    md.push_str("\n## Lost trade by origin country (t/year)\n\n| country | closed all year | the year |\n|---|---:|---:|\n");
    for (c, t) in &all_year.lost_by_country {
        let b = base.lost_by_country.get(c).copied().unwrap_or(0.0);
        let y = year.lost_by_country.get(c).copied().unwrap_or(0.0);
        if t - b > 0.5 {
            let _ = writeln!(md, "| {c} | {} | {} |", thousands(t - b), thousands(y - b));
        }
    }
    let out =
        out.unwrap_or_else(|| Path::new("out").join(format!("risk-{}", load::slug(&applied.name))));
    let dir = karvan_report::OutputDir::create(&out)?;
    dir.write("risk.md", md.as_bytes())?;
    dir.write(
        "risk.json",
        serde_json::to_string_pretty(
            &serde_json::json!({ "base": base, "closed_all_year": all_year, "year": year }),
        )?
        .as_bytes(),
    )?;
    dir.commit()
        .with_context(|| format!("writing {}", out.display()))?;
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(
                &serde_json::json!({ "base": base, "closed_all_year": all_year, "year": year })
            )?
        );
    } else {
        print!("{md}");
        println!("\nWritten to {}/", out.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// Options of `karvan resilience`.
#[derive(Clone, clap::Args)]
#[group(id = "resilience_args")]
pub struct Args {
    /// Monte Carlo years to sample.
    #[arg(long, default_value_t = 1000, value_parser = crate::count(&limits::SAMPLES))]
    pub samples: usize,
    /// Seed of the Monte Carlo (the same seed gives the same years).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Chance per year that a crossing in a region of risk index 1 closes; a crossing's
    /// chance is this times the higher risk index of its two sides. Default: the
    /// dataset's `closure_chance_per_year` (a scenario may change it).
    #[arg(long, value_parser = crate::number(&limits::CLOSURE_CHANCE))]
    pub closure_rate: Option<f64>,
    /// Days a sampled closure lasts. Default: the dataset's `closure_days`.
    #[arg(long, value_parser = crate::number(&limits::CLOSURE_DAYS))]
    pub closure_days: Option<f64>,
}

/// `karvan resilience`: criticality, Monte Carlo, diversification.
pub fn resilience(
    scenario: Option<&str>,
    args: &Args,
    out: Option<PathBuf>,
    json: bool,
) -> Result<ExitCode> {
    let applied = load::applied(scenario)?;
    let r = solve(&applied, args, json);
    load::check_finite("resilience results", &r)?;
    let md = karvan_report::resilience::markdown(&applied.name, &r);
    let out = out.unwrap_or_else(|| {
        Path::new("out").join(format!("resilience-{}", load::slug(&applied.name)))
    });
    let dir = karvan_report::OutputDir::create(&out)?;
    dir.write("resilience.md", md.as_bytes())?;
    let mut crit = String::from("rank,id,name,lost_tonnes,extra_cost_usd\n");
    for (k, c) in r.criticality.iter().enumerate() {
        let _ = writeln!(
            crit,
            "{},{},\"{}\",{},{}",
            k + 1,
            c.id,
            c.name,
            fixed(c.lost_tonnes, 0),
            fixed(c.extra_cost_usd, 0)
        );
    }
    dir.write("criticality.csv", crit.as_bytes())?;
    dir.write(
        "montecarlo.json",
        serde_json::to_string_pretty(&r.monte_carlo)?.as_bytes(),
    )?;
    let mut dcsv = String::from(
        "country,tonnes,corridor_hhi,disjoint_routes_to_sea,worst_crossing,worst_crossing_share\n",
    );
    for d in &r.diversification {
        let _ = writeln!(
            dcsv,
            "{},{},{:.4},{},{},{:.4}",
            d.country,
            fixed(d.tonnes, 0),
            d.corridor_hhi,
            d.disjoint_routes_to_sea,
            d.worst_crossing,
            d.worst_crossing_share
        );
    }
    dir.write("diversification.csv", dcsv.as_bytes())?;
    dir.commit()
        .with_context(|| format!("writing {}", out.display()))?;
    if json {
        println!("{}", serde_json::to_string_pretty(&r)?);
    } else {
        print!("{md}");
        println!("\nWritten to {}/", out.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs the resilience analysis with a progress bar (hidden when `quiet`).
pub fn solve(
    applied: &Applied,
    args: &Args,
    quiet: bool,
) -> karvan_policy::resilience::ResilienceAnalysis {
    let ds = &applied.dataset;
    let chance = args
        .closure_rate
        .unwrap_or_else(|| ds.manifest.parameter("closure_chance_per_year"));
    let days = args
        .closure_days
        .unwrap_or_else(|| ds.manifest.parameter("closure_days"));
    let bar = indicatif::ProgressBar::new((open_elements(applied).len() + args.samples) as u64);
    if quiet {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "resilience {spinner} {bar:40} {pos}/{len} closures and years {elapsed} (about {eta} left)",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(250));
    let choice = RouteChoice::from_settings(&applied.assignment);
    let r = karvan_policy::resilience::analyse(
        applied,
        choice,
        args.samples,
        args.seed,
        chance,
        days,
        &|| bar.inc(1),
    );
    bar.finish_and_clear();
    r
}
