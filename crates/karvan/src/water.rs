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
    /// Scenario whose `[water]` table applies (a file or a shipped scenario's name); the
    /// flags below go on top.
    pub scenario: Option<String>,
    /// Output folder. Default: out/water-<scenario>.
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// Basin folder (basin.toml and its CSV tables). Default: the embedded Amu Darya.
    #[arg(long)]
    pub basin: Option<PathBuf>,
    /// Regimes to simulate, each a year of its own from the initial storage. Default: the
    /// scenario's `years` as one sequence (storage carried), else 2021, 2023, 2024,
    /// normal, dry and wet.
    #[arg(long, value_delimiter = ',')]
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
    /// A baseline to compare with, year by year: a scenario whose `[water]` table applies
    /// (its own years replaced by this run's), or `basin` for the basin as it is.
    #[arg(long, value_name = "SCENARIO")]
    pub against: Option<String>,
    /// A withdrawal whose diversion levels are compared, with `--levels`.
    #[arg(long, value_name = "NODE")]
    pub divert: Option<String>,
    /// Yearly diversion levels of `--divert`, hm³.
    #[arg(long, value_delimiter = ',', default_values_t = [0.0, 4500.0, 10000.0], value_parser = hm3_per_year)]
    pub levels: Vec<f64>,
}

/// A yearly volume from a flag: 0–1,000,000 hm³.
fn hm3_per_year(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if (0.0..=1e6).contains(&v) => Ok(v),
        _ => Err(format!("`{s}` is not a yearly volume of 0–1,000,000 hm³")),
    }
}

/// The scenario's `[water]` settings (none: the basin's own), and its name.
fn scenario(args: &Args) -> Result<(Settings, String)> {
    match &args.scenario {
        Some(arg) => {
            let located = karvan_data::locate(Some(arg), None).map_err(|p| anyhow!("{p}"))?;
            let sc = located.with_parents().map_err(|p| anyhow!("{p}"))?;
            let s =
                Settings::from_scenario(&sc.water, &located.label).map_err(|e| anyhow!("{e}"))?;
            Ok((s, sc.name.unwrap_or_else(|| located.label.clone())))
        }
        None => Ok((Settings::default(), "baseline".into())),
    }
}

/// The flags on top of `base`, for `years`.
fn settings(args: &Args, base: &Settings, years: &[String]) -> Result<Settings> {
    let mut s = base.clone();
    s.years = years.to_vec();
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
        s.demand_hm3.insert(node.trim().to_string(), v);
    }
    s.without_reservoirs.extend(args.without.iter().cloned());
    s.with_reservoirs.extend(args.with.iter().cloned());
    Ok(s)
}

/// Deliveries by country in year `year`: (asked, got), hm³.
fn by_country(basin: &Basin, r: &Run, year: usize) -> BTreeMap<String, (f64, f64)> {
    let mut out: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    for (node, req, asked, got) in r.takes(year) {
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
    let (base, name) = scenario(args)?;
    let sea = terminal(&basin);
    let gauges: Vec<&str> = basin
        .nodes
        .iter()
        .filter(|n| n.kind == "gauge")
        .map(|n| n.id.as_str())
        .collect();
    let all: Vec<usize> = (1..=12).collect();
    // One sequence when the scenario gives its years, else each regime a year of its own.
    let sequence = args.regimes.is_empty() && !base.years.is_empty();
    let regimes: Vec<String> = if !args.regimes.is_empty() {
        args.regimes.clone()
    } else if sequence {
        base.years.clone()
    } else {
        ["2021", "2023", "2024", "normal", "dry", "wet"]
            .map(String::from)
            .to_vec()
    };
    let years = solve_years(&basin, &base, Some(args), &regimes, sequence)?;
    let mut md = format!("# Karvan water: {} ({name})\n\n", basin.manifest.title);
    md.push_str("## Flows by year (hm³)\n\n| year |");
    for g in &gauges {
        let _ = write!(md, " {g} |");
    }
    let _ = writeln!(
        md,
        " to {sea} |\n|---|{}---:|",
        "---:|".repeat(gauges.len())
    );
    for (label, r, y) in &years {
        let _ = write!(md, "| {label} |");
        for g in &gauges {
            let _ = write!(md, " {:.0} |", r.flow(g, *y, &all).unwrap_or(0.0));
        }
        let _ = writeln!(md, " {:.0} |", r.flow(&sea, *y, &all).unwrap_or(0.0));
    }
    if !sequence {
        md.push_str("\n## Against what was observed\n\n| gauge | regime | months | observed hm³ | modelled hm³ | error |\n|---|---|---|---:|---:|---:|\n");
        for o in &basin.observations {
            let Some((_, r, _)) = years.iter().find(|(g, _, _)| g == &o.regime) else {
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
    }
    md.push_str("\n## Deliveries by country (hm³ asked / delivered)\n\n| year | country | asked | delivered | shortage |\n|---|---|---:|---:|---:|\n");
    for (label, r, y) in &years {
        for (c, (asked, got)) in by_country(&basin, r, *y) {
            let _ = writeln!(
                md,
                "| {label} | {c} | {asked:.0} | {got:.0} | {:.0} |",
                asked - got
            );
        }
    }
    md.push_str("\n## Reliability (share of months each take got all it asked)\n\n| take | reliability |\n|---|---:|\n");
    if let Some((_, r, _)) = years.first() {
        for (k, (node, req)) in r.built.takes.iter().enumerate() {
            let label = if *req {
                format!("{node} (requirement)")
            } else {
                node.clone()
            };
            let _ = writeln!(md, "| {label} | {:.0}% |", 100.0 * r.reliability(k));
        }
    }
    if let Some(other) = &args.against {
        let (b, label) = if other == "basin" {
            (Settings::default(), "the basin as it is".to_string())
        } else {
            let located = karvan_data::locate(Some(other), None).map_err(|p| anyhow!("{p}"))?;
            let sc = located.with_parents().map_err(|p| anyhow!("{p}"))?;
            let s =
                Settings::from_scenario(&sc.water, &located.label).map_err(|e| anyhow!("{e}"))?;
            (s, located.label.clone())
        };
        let start = base.start_year.or(b.start_year);
        let b = Settings {
            start_year: start,
            ..b
        };
        let baseline = solve_years(&basin, &b, None, &regimes, sequence)?;
        md.push_str(&change_table(&basin, &label, &years, &baseline));
    }
    if let Some(node) = &args.divert {
        md.push_str(&diversion_table(&basin, args, &base, &regimes, node)?);
    }
    let out = args.out.clone().unwrap_or_else(|| {
        std::path::Path::new("out").join(format!("water-{}", crate::load::slug(&name)))
    });
    let dir = karvan_report::OutputDir::create(&out)?;
    dir.write("water.md", md.as_bytes())?;
    dir.write("water_takes.csv", takes_csv(&years).as_bytes())?;
    dir.write("water_flows.csv", flows_csv(&basin, &years).as_bytes())?;
    let charted: Vec<(String, &Run, usize)> = years
        .iter()
        .map(|(label, r, y)| (label.clone(), r.as_ref(), *y))
        .collect();
    let html = karvan_report::water::html_document(
        &format!("Karvan water: {} ({name})", basin.manifest.title),
        &format!("<pre>{}</pre>", karvan_report::html::escape(&md)),
        &basin,
        &charted,
    );
    dir.write("water.html", html.as_bytes())?;
    dir.commit()?;
    print!("{md}");
    println!("\nMonthly flows and deliveries are in {}/", out.display());
    Ok(ExitCode::SUCCESS)
}

/// A year of a run: its label, the run, the year's index within the run.
type Year = (String, std::rc::Rc<Run>, usize);

/// The years of `regimes` on `base` (with the flags of `flags` on top): one simulation
/// when `sequence`, else each regime a year of its own from the initial storage.
fn solve_years(
    basin: &Basin,
    base: &Settings,
    flags: Option<&Args>,
    regimes: &[String],
    sequence: bool,
) -> Result<Vec<Year>> {
    let with_flags = |years: &[String]| -> Result<Settings> {
        match flags {
            Some(args) => settings(args, base, years),
            None => {
                let mut s = base.clone();
                s.years = years.to_vec();
                Ok(s)
            }
        }
    };
    let mut out: Vec<Year> = Vec::new();
    if sequence {
        let r = std::rc::Rc::new(run(basin, &with_flags(regimes)?).map_err(|e| anyhow!("{e}"))?);
        let start = base.start_year.unwrap_or(basin.manifest.base_year);
        for (y, regime) in regimes.iter().enumerate() {
            out.push((format!("{} ({regime})", start + y as i32), r.clone(), y));
        }
    } else {
        for regime in regimes {
            let r = run(basin, &with_flags(std::slice::from_ref(regime))?)
                .map_err(|e| anyhow!("{e}"))?;
            out.push((regime.clone(), std::rc::Rc::new(r), 0));
        }
    }
    Ok(out)
}

/// Year by year, what this run changes against the baseline's: flow past each gauge and
/// into the terminal, and each country's deliveries, hm³.
fn change_table(basin: &Basin, label: &str, years: &[Year], baseline: &[Year]) -> String {
    let all: Vec<usize> = (1..=12).collect();
    let sea = terminal(basin);
    let mut md = format!("\n## Change against {label} (hm³ in the year)\n\n| year | node or country | baseline | this run | change |\n|---|---|---:|---:|---:|\n");
    for ((name, r, y), (_, b, by)) in years.iter().zip(baseline) {
        let mut rows: Vec<(String, f64, f64)> = basin
            .nodes
            .iter()
            .filter(|n| n.kind == "gauge" || n.id == sea)
            .map(|n| {
                (
                    n.id.clone(),
                    b.flow(&n.id, *by, &all).unwrap_or(0.0),
                    r.flow(&n.id, *y, &all).unwrap_or(0.0),
                )
            })
            .collect();
        let (now, then) = (by_country(basin, r, *y), by_country(basin, b, *by));
        for (c, (_, got)) in &now {
            let before = then.get(c).map_or(0.0, |x| x.1);
            rows.push((format!("{c} delivered"), before, *got));
        }
        for (what, before, after) in rows {
            let _ = writeln!(
                md,
                "| {name} | {what} | {before:.0} | {after:.0} | {:+.0} |",
                after - before
            );
        }
    }
    md
}

/// Every take's month: asked and delivered, hm³.
fn takes_csv(years: &[Year]) -> String {
    let mut out =
        String::from("year,month,take,requirement,asked_hm3,delivered_hm3,shortage_hm3\n");
    for (label, r, y) in years {
        for m in &r.months[y * 12..(y + 1) * 12] {
            for (k, (node, req)) in r.built.takes.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "\"{label}\",{},{node},{req},{:.3},{:.3},{:.3}",
                    m.month + 1,
                    m.demand[k],
                    m.delivered[k],
                    (m.demand[k] - m.delivered[k]).max(0.0)
                );
            }
        }
    }
    out
}

/// Every node's month: what leaves it downstream and what arrives, hm³.
fn flows_csv(basin: &Basin, years: &[Year]) -> String {
    let mut out = String::from("year,month,node,kind,country,arrivals_hm3,outflow_hm3,lost_hm3\n");
    for (label, r, y) in years {
        for m in &r.months[y * 12..(y + 1) * 12] {
            for (i, n) in basin.nodes.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "\"{label}\",{},{},{},{},{:.3},{:.3},{:.3}",
                    m.month + 1,
                    n.id,
                    n.kind,
                    n.country,
                    m.arrivals[i],
                    m.outflow[i],
                    m.lost[i]
                );
            }
        }
    }
    out
}

/// What each diversion level takes from every country's canals and from the delta, by
/// regime.
fn diversion_table(
    basin: &Basin,
    args: &Args,
    base: &Settings,
    regimes: &[String],
    node: &str,
) -> Result<String> {
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
    for regime in regimes {
        let mut first: Option<(Vec<f64>, f64)> = None;
        let mut levels = vec![0.0];
        levels.extend(args.levels.iter().copied().filter(|l| *l > 0.0));
        for level in levels {
            let mut s = settings(args, base, std::slice::from_ref(regime))?;
            s.phases.retain(|p| p.0 != node);
            s.demand_hm3.insert(node.to_string(), level);
            let r = run(basin, &s).map_err(|e| anyhow!("{e}"))?;
            let diverted = r
                .takes(0)
                .iter()
                .find(|t| t.0 == node && !t.1)
                .map_or(0.0, |t| t.3);
            let by = by_country(basin, &r, 0);
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
            let (b, bd) = first.get_or_insert((got.clone(), delta)).clone();
            let _ = write!(md, "| {regime} | {level:.0} | {diverted:.0} |");
            for (g, g0) in got.iter().zip(&b) {
                let _ = write!(md, " {g:.0} ({:+.0}) |", g - g0);
            }
            let _ = writeln!(md, " {delta:.0} ({:+.0}) |", delta - bd);
        }
    }
    Ok(md)
}
