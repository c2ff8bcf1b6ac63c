//! `karvan water`: the river basin month by month — flows at the gauges against what was
//! observed, deliveries and shortages by canal and country, the delta's inflow, and what a
//! diversion (Qosh Tepa's) takes from whom at each level.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{anyhow, bail, Result};
use karvan_data::water::Basin;
use karvan_water::model::{run, Run, Settings};

/// Options of `karvan water`.
#[derive(Clone, clap::Args)]
pub struct Args {
    /// Basin folder (basin.toml and its CSV tables). Default: the embedded Amu Darya.
    #[arg(long)]
    pub basin: Option<PathBuf>,
    /// Regimes to simulate, each a year of its own from the initial storage.
    #[arg(long, value_delimiter = ',', default_values_t = ["2021".to_string(), "2023".to_string(), "2024".to_string(), "normal".to_string(), "dry".to_string(), "wet".to_string()])]
    pub regimes: Vec<String>,
    /// A withdrawal's yearly demand, `NODE=HM3` (repeat): a diversion level.
    #[arg(long = "demand", value_name = "NODE=HM3")]
    pub demand: Vec<String>,
    /// A reservoir not built: its node passes water through (repeat).
    #[arg(long = "without-reservoir", value_name = "NODE")]
    pub without: Vec<String>,
    /// A reservoir under construction built for this run (repeat): Rogun.
    #[arg(long = "with-reservoir", value_name = "NODE")]
    pub with: Vec<String>,
    /// A withdrawal whose diversion levels are compared, with `--levels`.
    #[arg(long, value_name = "NODE")]
    pub divert: Option<String>,
    /// Yearly diversion levels of `--divert`, hm³.
    #[arg(long, value_delimiter = ',', default_values_t = [0.0, 4500.0, 10000.0])]
    pub levels: Vec<f64>,
}

fn settings(args: &Args, regime: &str) -> Result<Settings> {
    let mut demand = BTreeMap::new();
    for spec in &args.demand {
        let (node, v) = spec
            .split_once('=')
            .ok_or_else(|| anyhow!("--demand `{spec}`: write NODE=HM3"))?;
        let v: f64 = v
            .trim()
            .parse()
            .map_err(|_| anyhow!("--demand `{spec}`: `{v}` is not a number"))?;
        if !(0.0..=1e6).contains(&v) {
            bail!("--demand `{spec}`: a yearly demand is 0–1,000,000 hm³");
        }
        demand.insert(node.trim().to_string(), v);
    }
    Ok(Settings {
        years: vec![regime.to_string()],
        demand_hm3: demand,
        without_reservoirs: args.without.clone(),
        with_reservoirs: args.with.clone(),
    })
}

/// Deliveries by country in year 0: (asked, got), hm³.
fn by_country(basin: &Basin, r: &Run) -> BTreeMap<String, (f64, f64)> {
    let mut out: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    for (node, req, asked, got) in r.takes(0) {
        if req {
            continue;
        }
        let c = basin
            .nodes
            .iter()
            .find(|n| n.id == node)
            .map_or(String::new(), |n| n.country.clone());
        let e = out.entry(c).or_default();
        e.0 += asked;
        e.1 += got;
    }
    out
}

fn terminal(basin: &Basin) -> String {
    basin
        .nodes
        .iter()
        .find(|n| n.kind == "terminal")
        .map_or(String::new(), |n| n.id.clone())
}

/// `karvan water`.
pub fn water(args: &Args) -> Result<ExitCode> {
    let basin = match &args.basin {
        Some(dir) => Basin::load_dir(dir),
        None => karvan_data::embedded::basin(),
    }
    .map_err(|p| anyhow!("{p}"))?;
    let mut md = format!("# Karvan water: {}\n\n", basin.manifest.title);
    let all: Vec<usize> = (1..=12).collect();
    let gauges: Vec<&str> = basin
        .nodes
        .iter()
        .filter(|n| n.kind == "gauge")
        .map(|n| n.id.as_str())
        .collect();
    let sea = terminal(&basin);
    md.push_str("## Flows by regime (hm³ in the year)\n\n| regime |");
    for g in &gauges {
        let _ = write!(md, " {g} |");
    }
    let _ = writeln!(
        md,
        " to {sea} |\n|---|{}---:|",
        "---:|".repeat(gauges.len())
    );
    let mut runs = Vec::new();
    for regime in &args.regimes {
        let r = run(&basin, &settings(args, regime)?).map_err(|e| anyhow!("{e}"))?;
        let _ = write!(md, "| {regime} |");
        for g in &gauges {
            let _ = write!(md, " {:.0} |", r.flow(g, 0, &all).unwrap_or(0.0));
        }
        let _ = writeln!(md, " {:.0} |", r.flow(&sea, 0, &all).unwrap_or(0.0));
        runs.push((regime.clone(), r));
    }
    md.push_str("\n## Against what was observed\n\n| gauge | regime | months | observed hm³ | modelled hm³ | error |\n|---|---|---|---:|---:|---:|\n");
    for o in &basin.observations {
        let Some((_, r)) = runs.iter().find(|(g, _)| g == &o.regime) else {
            continue;
        };
        let Some(model) = r.flow(&o.gauge, 0, &o.months) else {
            continue;
        };
        let _ = writeln!(
            md,
            "| {} | {} | {}–{} | {:.0} | {:.0} | {:+.1}% |",
            o.gauge,
            o.regime,
            o.months.first().unwrap_or(&0),
            o.months.last().unwrap_or(&0),
            o.value_hm3,
            model,
            100.0 * (model - o.value_hm3) / o.value_hm3.max(1e-9)
        );
    }
    md.push_str("\n## Deliveries by country (hm³ asked / delivered)\n\n| regime | country | asked | delivered | shortage |\n|---|---|---:|---:|---:|\n");
    for (regime, r) in &runs {
        for (c, (asked, got)) in by_country(&basin, r) {
            let _ = writeln!(
                md,
                "| {regime} | {c} | {asked:.0} | {got:.0} | {:.0} |",
                asked - got
            );
        }
    }
    if let Some(node) = &args.divert {
        md.push_str(&diversion_table(&basin, args, node)?);
    }
    print!("{md}");
    Ok(ExitCode::SUCCESS)
}

/// What each diversion level takes from every country's canals and from the delta, by
/// regime.
fn diversion_table(basin: &Basin, args: &Args, node: &str) -> Result<String> {
    let sea = terminal(basin);
    let all: Vec<usize> = (1..=12).collect();
    let mut countries: Vec<String> = basin
        .nodes
        .iter()
        .filter(|n| n.kind == "withdrawal" && n.id != node)
        .map(|n| n.country.clone())
        .collect();
    countries.sort();
    countries.dedup();
    let mut md = format!(
        "\n## Diversion at `{node}` (hm³ in the year; change against no diversion)\n\n| regime | level | diverted |"
    );
    for c in &countries {
        let _ = write!(md, " {c} delivered |");
    }
    let _ = writeln!(
        md,
        " to {sea} |\n|---|---:|---:|{}---:|",
        "---:|".repeat(countries.len())
    );
    for regime in &args.regimes {
        let mut base: Option<(Vec<f64>, f64)> = None;
        let mut levels = vec![0.0];
        levels.extend(args.levels.iter().copied().filter(|l| *l > 0.0));
        for level in levels {
            let mut s = settings(args, regime)?;
            s.demand_hm3.insert(node.to_string(), level);
            let r = run(basin, &s).map_err(|e| anyhow!("{e}"))?;
            let diverted = r
                .takes(0)
                .iter()
                .find(|t| t.0 == node && !t.1)
                .map_or(0.0, |t| t.3);
            let by = by_country(basin, &r);
            let got: Vec<f64> = countries
                .iter()
                .map(|c| {
                    // The diverting canal's own country counts its other canals only.
                    let own = if basin.nodes.iter().any(|n| n.id == node && &n.country == c) {
                        diverted
                    } else {
                        0.0
                    };
                    by.get(c).map_or(0.0, |x| x.1) - own
                })
                .collect();
            let delta = r.flow(&sea, 0, &all).unwrap_or(0.0);
            let (b, bd) = base.get_or_insert((got.clone(), delta)).clone();
            let _ = write!(md, "| {regime} | {level:.0} | {diverted:.0} |");
            for (g, g0) in got.iter().zip(&b) {
                let _ = write!(md, " {g:.0} ({:+.0}) |", g - g0);
            }
            let _ = writeln!(md, " {delta:.0} ({:+.0}) |", delta - bd);
        }
    }
    Ok(md)
}
