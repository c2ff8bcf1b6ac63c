//! `karvan risk` (what a closure costs over a year) and `karvan resilience` (which links
//! and crossings are critical, Monte Carlo years of closures, diversification).

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{anyhow, Context, Result};
use karvan_data::Applied;
use karvan_model::{run, Model, RouteChoice};
use karvan_policy::resilience::{
    criticality, diversification, monte_carlo, open_elements, Annual, ClosureModel, Element,
    Evaluator,
};
use karvan_report::fmt::{signed, thousands};

use crate::load;

/// The elements named by `spec`: link or crossing ids, or `AAA-BBB` for every crossing
/// between two countries (e.g. `AFG-PAK`).
fn elements(a: &Applied, spec: &[String]) -> Result<Vec<Element>> {
    let ds = &a.dataset;
    let mut out = Vec::new();
    for s in spec {
        if let Some(i) = ds.links.iter().position(|l| &l.id == s) {
            out.push(Element::Link(i));
        } else if let Some(i) = ds.crossings.iter().position(|c| &c.id == s) {
            out.push(Element::Crossing(i));
        } else if let Some((x, y)) = s
            .split_once('-')
            .filter(|(x, y)| x.len() == 3 && y.len() == 3)
        {
            let (x, y) = (x.to_uppercase(), y.to_uppercase());
            let country = |id: &str| ds.node(id).map(|n| n.country.clone()).unwrap_or_default();
            let found: Vec<Element> = ds
                .crossings
                .iter()
                .enumerate()
                .filter(|(_, c)| {
                    let (a, b) = (country(&c.from), country(&c.to));
                    (a == x && b == y) || (a == y && b == x)
                })
                .map(|(i, _)| Element::Crossing(i))
                .collect();
            if found.is_empty() {
                return Err(anyhow!("no crossing between {x} and {y}"));
            }
            out.extend(found);
        } else {
            return Err(anyhow!(
                "`{s}` is neither a link or crossing id nor a pair of countries such as AFG-PAK"
            ));
        }
    }
    Ok(out)
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

/// `karvan risk`: a closure of `close` from day `start` for `days`, against the base year.
pub fn risk(
    scenario: Option<&str>,
    close: &[String],
    start: f64,
    days: f64,
    out: Option<PathBuf>,
    json: bool,
) -> Result<ExitCode> {
    let applied = load::applied(scenario)?;
    let closed = elements(&applied, close)?;
    let choice = RouteChoice::from_settings(&applied.assignment);
    let ev = Evaluator::new(&applied, choice);
    let base = ev.state(&BTreeSet::new());
    let all_year = ev.state(&closed.iter().copied().collect());
    let year = ev.year(&closed.iter().map(|&e| (e, start, days)).collect::<Vec<_>>());
    let mut md = format!(
        "# Closure: {}\n\n",
        closed
            .iter()
            .map(|&e| name(&applied, e))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = writeln!(md, "Closed from day {start:.0} for {days:.0} days of the year ({:.0}% of it); the rest of the year the network is as in {}.\n", 100.0 * days.min(365.0) / 365.0, applied.name);
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
pub struct Args {
    /// Monte Carlo years to sample.
    #[arg(long, default_value_t = 1000)]
    pub samples: usize,
    /// Seed of the Monte Carlo (the same seed gives the same years).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Chance per year that a crossing in a region of risk index 1 closes; a crossing's
    /// chance is this times the higher risk index of its two sides. Default: the
    /// dataset's `closure_chance_per_year` (a scenario may change it).
    #[arg(long)]
    pub closure_rate: Option<f64>,
    /// Days a sampled closure lasts. Default: the dataset's `closure_days`.
    #[arg(long)]
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
    let choice = RouteChoice::from_settings(&applied.assignment);
    let ev = Evaluator::new(&applied, choice);
    let bar = |n: usize, what: &str| {
        let b = indicatif::ProgressBar::new(n as u64);
        if json {
            b.set_draw_target(indicatif::ProgressDrawTarget::hidden());
        }
        b.set_style(
            indicatif::ProgressStyle::with_template(&format!(
                "{what} {{bar:40}} {{pos}}/{{len}} {{elapsed}}"
            ))
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        b
    };
    let elems = open_elements(&applied);
    let b = bar(elems.len(), "criticality");
    let ranking = criticality(&ev, &|| b.inc(1));
    b.finish_and_clear();

    // Closure chances from security risk: crossings only (a border shuts; a line rarely does).
    let ds = &applied.dataset;
    let closure_rate = args
        .closure_rate
        .unwrap_or_else(|| ds.manifest.parameter("closure_chance_per_year"));
    let closure_days = args
        .closure_days
        .unwrap_or_else(|| ds.manifest.parameter("closure_days"));
    let risk: std::collections::HashMap<&str, f64> = ds
        .risk
        .iter()
        .map(|r| (r.region.as_str(), r.index))
        .collect();
    let node_risk = |id: &str| {
        ds.node(id).map_or(0.0, |n| {
            n.province
                .as_deref()
                .and_then(|p| risk.get(p))
                .or_else(|| risk.get(n.country.as_str()))
                .copied()
                .unwrap_or(0.0)
        })
    };
    let probability: Vec<(Element, f64)> = ds
        .crossings
        .iter()
        .enumerate()
        .filter(|(i, _)| applied.crossing_open[*i])
        .map(|(i, c)| {
            (
                Element::Crossing(i),
                (closure_rate * node_risk(&c.from).max(node_risk(&c.to))).clamp(0.0, 1.0),
            )
        })
        .filter(|(_, p)| *p > 0.0)
        .collect();
    let b = bar(args.samples, "Monte Carlo");
    let mc = monte_carlo(
        &ev,
        &ClosureModel {
            probability: probability.clone(),
            days: closure_days,
        },
        args.samples,
        args.seed,
        &|| b.inc(1),
    );
    b.finish_and_clear();
    let base_run = run(&Model::new(applied.clone()), choice);
    let div = diversification(&applied, &base_run);

    let mut md = format!("# Resilience: {}\n\n", applied.name);
    md.push_str("## The most critical links and crossings (each closed all year)\n\n| element | lost trade t/year | extra cost of detours USD/year |\n|---|---:|---:|\n");
    for r in ranking.iter().take(25) {
        let _ = writeln!(
            md,
            "| {} ({}) | {} | {} |",
            r.name,
            r.id,
            thousands(r.lost_tonnes),
            signed(r.extra_cost_usd)
        );
    }
    let _ = writeln!(
        md,
        "\n## Monte Carlo: {} years, seed {}\n\nEach open crossing closes once in a year with chance {} × its risk index (the higher of its two sides; {} crossings have a chance above 0), for {} days from a uniform day. The year is split where the set of closed crossings changes.\n\n| | mean | P50 | P95 | P99 |\n|---|---:|---:|---:|---:|\n| generalized cost, USD | {} | {} | {} | {} |\n| lost trade, t | {} | {} | {} | {} |\n",
        mc.samples, mc.seed, closure_rate, probability.len(), closure_days,
        thousands(mc.cost_usd.mean), thousands(mc.cost_usd.p50), thousands(mc.cost_usd.p95), thousands(mc.cost_usd.p99),
        thousands(mc.lost_tonnes.mean), thousands(mc.lost_tonnes.p50), thousands(mc.lost_tonnes.p95), thousands(mc.lost_tonnes.p99)
    );
    md.push_str("Lost trade by origin country (t/year):\n\n| country | mean | P95 | P99 |\n|---|---:|---:|---:|\n");
    for (c, d) in &mc.lost_by_country {
        let _ = writeln!(
            md,
            "| {c} | {} | {} | {} |",
            thousands(d.mean),
            thousands(d.p95),
            thousands(d.p99)
        );
    }
    md.push_str("\n## Diversification\n\n| country | trade t/year | corridor HHI | link-disjoint routes to foreign sea ports | worst single crossing | share of its trade there |\n|---|---:|---:|---:|---|---:|\n");
    for d in &div {
        let routes = if d.disjoint_routes_to_sea == usize::MAX {
            "—".to_string()
        } else {
            d.disjoint_routes_to_sea.to_string()
        };
        let _ = writeln!(
            md,
            "| {} | {} | {:.2} | {} | {} | {:.0}% |",
            d.country,
            thousands(d.tonnes),
            d.corridor_hhi,
            routes,
            d.worst_crossing,
            100.0 * d.worst_crossing_share
        );
    }
    let out = out.unwrap_or_else(|| {
        Path::new("out").join(format!("resilience-{}", load::slug(&applied.name)))
    });
    let dir = karvan_report::OutputDir::create(&out)?;
    dir.write("resilience.md", md.as_bytes())?;
    let mut crit = String::from("rank,id,name,lost_tonnes,extra_cost_usd\n");
    for (k, r) in ranking.iter().enumerate() {
        let _ = writeln!(
            crit,
            "{},{},\"{}\",{:.0},{:.0}",
            k + 1,
            r.id,
            r.name,
            r.lost_tonnes,
            r.extra_cost_usd
        );
    }
    dir.write("criticality.csv", crit.as_bytes())?;
    dir.write(
        "montecarlo.json",
        serde_json::to_string_pretty(&mc)?.as_bytes(),
    )?;
    let mut dcsv = String::from(
        "country,tonnes,corridor_hhi,disjoint_routes_to_sea,worst_crossing,worst_crossing_share\n",
    );
    for d in &div {
        let _ = writeln!(
            dcsv,
            "{},{:.0},{:.4},{},{},{:.4}",
            d.country,
            d.tonnes,
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
        println!(
            "{}",
            serde_json::to_string_pretty(
                &serde_json::json!({ "criticality": ranking, "monte_carlo": mc, "diversification": div })
            )?
        );
    } else {
        print!("{md}");
        println!("\nWritten to {}/", out.display());
    }
    Ok(ExitCode::SUCCESS)
}
