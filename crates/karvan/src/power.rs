//! `karvan power`: electricity across Afghanistan's borders month by month — imports by
//! supplier, the import share of supply, unserved energy by grid island, nodal prices
//! and line loadings; the base year against what was observed; what a project or a dry
//! year changes in winter and summer; and the water-for-power bargaining view.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{anyhow, Result};
use karvan_data::power::Grid;
use karvan_data::scenario::Scenario;
use karvan_data::water::Basin;
use karvan_power::bargain::{self, Bargain, Steps};
use karvan_power::summary::Summary;
use karvan_power::year::Asked;
use karvan_report::power::MonthlyChart;

/// Months shown as winter and summer when two runs are compared.
pub const WINTER: [usize; 6] = [10, 11, 12, 1, 2, 3];
pub const SUMMER: [usize; 6] = [4, 5, 6, 7, 8, 9];

/// Options of `karvan power`.
#[derive(Clone, clap::Args)]
pub struct Args {
    /// Scenario whose `[power]` (and `[water]`) tables apply (a file or a shipped
    /// scenario's name); the flags below go on top.
    pub scenario: Option<String>,
    /// Output folder. Default: out/power-<scenario>.
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// Grid folder (grid.toml and its CSV tables). Default: the embedded Afghan grid.
    #[arg(long)]
    pub grid: Option<PathBuf>,
    /// Basin folder for the hydro link and the bargaining. Default: the embedded Amu Darya.
    #[arg(long)]
    pub basin: Option<PathBuf>,
    /// Calendar year modelled. Default: the scenario's, else the grid's base year.
    #[arg(long, value_parser = clap::value_parser!(i32).range(1990..=2100))]
    pub year: Option<i32>,
    /// A project built (repeat): casa-1000, uz-500kv, tm-500kv, tap-500, rogun.
    #[arg(long = "project", value_name = "ID")]
    pub projects: Vec<String>,
    /// Take Tajik hydro from the water model's Nurek (and Rogun) releases.
    #[arg(long)]
    pub hydro_from_water: bool,
    /// The basin's regime for the hydro link and the bargaining: `normal`, `dry`, `wet`
    /// or an observed year. Default: the scenario's, else `normal`.
    #[arg(long)]
    pub regime: Option<String>,
    /// A baseline to compare with, winter against summer: a scenario, or `base` for the
    /// grid as it is in the base year.
    #[arg(long, value_name = "SCENARIO")]
    pub against: Option<String>,
    /// Add the water-for-power bargaining view (Qosh Tepa's withdrawal against the price
    /// and volume of extra winter power).
    #[arg(long)]
    pub bargain: bool,
}

/// A scenario's power and water settings, with its name.
pub struct Loaded {
    pub name: String,
    pub asked: Asked,
}

/// Reads a scenario's `[power]` and `[water]` tables (none or `base`: the grid as it is).
pub fn load_scenario(arg: Option<&str>) -> Result<Loaded> {
    let (sc, label) = match arg.filter(|a| *a != "base") {
        Some(arg) => {
            let located = karvan_data::locate(Some(arg), None).map_err(|p| anyhow!("{p}"))?;
            let sc = located.with_parents().map_err(|p| anyhow!("{p}"))?;
            (sc, located.label)
        }
        None => (Scenario::default(), "base".to_string()),
    };
    let asked = Asked::from_scenario(&sc, &label)?;
    Ok(Loaded {
        name: sc.name.clone().unwrap_or(label),
        asked,
    })
}

/// The grid and basin of the run.
pub fn inputs(args: &Args) -> Result<(Grid, Basin)> {
    let grid = match &args.grid {
        Some(dir) => Grid::load_dir(dir),
        None => karvan_data::embedded::grid(),
    }
    .map_err(|p| anyhow!("{p}"))?;
    let basin = match &args.basin {
        Some(dir) => Basin::load_dir(dir),
        None => karvan_data::embedded::basin(),
    }
    .map_err(|p| anyhow!("{p}"))?;
    Ok((grid, basin))
}

/// Solves one year of `loaded` with the flags on top: the hydro link first when asked.
pub fn solve(grid: &Grid, basin: &Basin, loaded: &Loaded, args: &Args) -> Result<Summary> {
    let mut asked = loaded.asked.clone();
    if args.year.is_some() {
        asked.power.year = args.year;
    }
    for p in &args.projects {
        if !asked.power.projects.contains(p) {
            asked.power.projects.push(p.clone());
        }
    }
    asked.hydro_from_water |= args.hydro_from_water;
    asked.regime = regime(args, loaded);
    Ok(asked.solve(grid, basin)?)
}

fn regime(args: &Args, loaded: &Loaded) -> String {
    args.regime
        .clone()
        .unwrap_or_else(|| loaded.asked.regime.clone())
}

/// `karvan power`.
pub fn power(args: &Args) -> Result<ExitCode> {
    let (grid, basin) = inputs(args)?;
    let loaded = load_scenario(args.scenario.as_deref())?;
    let summary = solve(&grid, &basin, &loaded, args)?;
    let mut md = format!(
        "# Karvan power: {} ({}, {})\n\n",
        grid.manifest.title, loaded.name, summary.year
    );
    md.push_str(&tables(&summary));
    if let Some(other) = &args.against {
        let base = load_scenario(Some(other))?;
        let plain = Args {
            projects: vec![],
            year: args.year,
            ..args.clone()
        };
        let b = solve(&grid, &basin, &base, &plain)?;
        md.push_str(&change_table(&base.name, &b, &summary));
    }
    let deal = if args.bargain {
        let terms_regime = regime(args, &loaded);
        let mut s = loaded.asked.power.clone();
        s.year = args.year.or(s.year);
        s.projects.extend(args.projects.iter().cloned());
        let b = bargain::bargain(
            &grid,
            &s,
            &basin,
            &loaded.asked.water,
            &terms_regime,
            Steps::default(),
        )?;
        md.push_str(&bargain_tables(&b, &terms_regime));
        Some(b)
    } else {
        None
    };
    let out = args.out.clone().unwrap_or_else(|| {
        std::path::Path::new("out").join(format!("power-{}", crate::load::slug(&loaded.name)))
    });
    let dir = karvan_report::OutputDir::create(&out)?;
    dir.write("power.md", md.as_bytes())?;
    dir.write("power_nodes.csv", nodes_csv(&summary).as_bytes())?;
    dir.write("power_lines.csv", lines_csv(&summary).as_bytes())?;
    dir.write("power_imports.csv", imports_csv(&summary).as_bytes())?;
    if let Some(b) = &deal {
        dir.write("power_deals.csv", deals_csv(b).as_bytes())?;
    }
    let html = karvan_report::power::html_document(
        &format!("Karvan power: {} ({})", grid.manifest.title, loaded.name),
        &format!("<pre>{}</pre>", karvan_report::html::escape(&md)),
        &charts(&summary),
        &grid.manifest.attribution,
    );
    dir.write("power.html", html.as_bytes())?;
    dir.commit()?;
    print!("{md}");
    println!("\nMonthly tables and charts are in {}/", out.display());
    Ok(ExitCode::SUCCESS)
}

const MONTH_NAMES: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn month_header(first: &str) -> String {
    format!(
        "| {first} | {} | year |\n|---|{}---:|\n",
        MONTH_NAMES.join(" | "),
        "---:|".repeat(12)
    )
}

fn month_row(label: &str, v: &[f64; 12], digits: usize) -> String {
    let cells: Vec<String> = v.iter().map(|x| format!("{x:.digits$}")).collect();
    format!(
        "| {label} | {} | {:.digits$} |\n",
        cells.join(" | "),
        v.iter().sum::<f64>()
    )
}

/// The power section of `karvan report`: the scenario's year with its tables and charts.
pub fn section(scenario: Option<&str>) -> Result<karvan_report::power::PowerSection> {
    let args = Args {
        scenario: scenario.map(String::from),
        out: None,
        grid: None,
        basin: None,
        year: None,
        projects: vec![],
        hydro_from_water: false,
        regime: None,
        against: None,
        bargain: false,
    };
    let (grid, basin) = inputs(&args)?;
    let loaded = load_scenario(scenario)?;
    let summary = solve(&grid, &basin, &loaded, &args)?;
    Ok(karvan_report::power::PowerSection {
        title: format!("Electricity: {} ({})", loaded.name, summary.year),
        tables_md: tables(&summary),
        charts: charts(&summary),
    })
}

/// The tables of one solved year.
pub fn tables(s: &Summary) -> String {
    let mut md = String::new();
    if !s.checks.is_empty() {
        md.push_str("## Against what was observed\n\n| observation | observed | range | modelled | error | inside |\n|---|---:|---|---:|---:|---|\n");
        for c in &s.checks {
            let share = c.quantity == "import_share";
            let f = |v: f64| {
                if share {
                    format!("{:.0}%", 100.0 * v)
                } else {
                    format!("{v:.0}")
                }
            };
            let _ = writeln!(
                md,
                "| {} ({}, {}) | {} | {}–{} | {} | {:+.1}% | {} |",
                c.id,
                c.quantity,
                c.node,
                f(c.observed),
                f(c.low),
                f(c.high),
                f(c.modelled),
                100.0 * (c.modelled - c.observed) / c.observed.max(1e-9),
                if c.inside { "yes" } else { "no" }
            );
        }
        md.push('\n');
    }
    md.push_str("## Imports by supplier (GWh sent)\n\n");
    md.push_str(&month_header("supplier"));
    for i in &s.imports {
        md.push_str(&month_row(&i.supplier, &i.gwh, 0));
    }
    md.push_str(&month_row("all", &s.imports_gwh, 0));
    md.push_str("\n## The islands' supply (GWh) and the import share\n\n");
    md.push_str(&month_header("what"));
    md.push_str(&month_row("own plants", &s.domestic_gwh, 0));
    md.push_str(&month_row("imports", &s.imports_gwh, 0));
    md.push_str(&month_row("unserved", &s.unserved_islands_gwh, 0));
    let share: Vec<String> = s
        .import_share
        .iter()
        .map(|x| format!("{:.0}%", 100.0 * x))
        .collect();
    let _ = writeln!(
        md,
        "| import share | {} | {:.0}% |",
        share.join(" | "),
        100.0 * s.import_share_year
    );
    md.push_str("\n## Unserved energy by grid island (GWh)\n\n");
    md.push_str(&month_header("island"));
    for n in s.nodes.iter().filter(|n| n.kind == "island") {
        md.push_str(&month_row(&n.id, &n.unserved_gwh, 0));
    }
    md.push_str("\n## Prices (USD/MWh: the dual value of each month's balance)\n\n");
    md.push_str(&month_header("node"));
    for n in &s.nodes {
        let mut row = month_row(&n.id, &n.price_usd_mwh, 0);
        // A yearly sum of prices means nothing: show the mean.
        let mean = n.price_usd_mwh.iter().sum::<f64>() / 12.0;
        if let Some(cut) = row.rfind(" | ") {
            row.truncate(cut);
            let _ = writeln!(row, " | {mean:.0} (mean) |");
        }
        md.push_str(&row);
    }
    md.push_str("\n## Lines: loading, payments (market) and fees (levies)\n\n| line | MW | GWh sent | months full | contract price USD/MWh | payments M USD | fee USD/MWh | fees M USD (to) | congestion rent M USD |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for l in &s.lines {
        let full = l.loading.iter().flatten().filter(|x| **x > 0.999).count();
        let _ = writeln!(
            md,
            "| {}{} | {:.0} | {:.0} | {full} | {:.1} | {:.1} | {:.1} | {:.1}{} | {:.1} |",
            l.id,
            l.project
                .as_ref()
                .map_or(String::new(), |p| format!(" ({p})")),
            l.capacity_mw,
            l.flow_gwh.iter().sum::<f64>(),
            l.price_usd_mwh,
            l.payments_musd,
            l.fee_usd_mwh,
            l.fees_musd,
            l.fee_country
                .as_ref()
                .map_or(String::new(), |c| format!(" ({c})")),
            l.congestion_rent_musd
        );
    }
    md.push_str("\nA line's congestion rent is what its flow earns between the prices at its ends beyond its losses, price and fee; it is positive only when the line is full, and negative when a contract floor makes it send power from where it is worth more (Tajikistan in winter, rationing at home).\n");
    let _ = writeln!(
        md,
        "\nThe islands' bill (million USD): imports {:.1}, own plants {:.1}, unserved energy at its penalty {:.1}. Largest energy imbalance at any node and month: {:.1e} GWh.",
        s.importer_imports_musd, s.importer_own_generation_musd, s.importer_shortage_musd, s.largest_imbalance_gwh
    );
    md
}

/// What this run changes against a baseline, in winter (Oct–Mar) and summer (Apr–Sep).
pub fn change_table(label: &str, base: &Summary, run: &Summary) -> String {
    let mut md = format!("\n## Change against {label} (GWh; winter Oct–Mar, summer Apr–Sep)\n\n| what | winter before | winter after | summer before | summer after |\n|---|---:|---:|---:|---:|\n");
    let mut row = |what: String, b: &[f64; 12], r: &[f64; 12]| {
        let _ = writeln!(
            md,
            "| {what} | {:.0} | {:.0} | {:.0} | {:.0} |",
            Summary::over(b, &WINTER),
            Summary::over(r, &WINTER),
            Summary::over(b, &SUMMER),
            Summary::over(r, &SUMMER)
        );
    };
    let zero = [0.0; 12];
    let mut suppliers: Vec<&str> = base
        .imports
        .iter()
        .chain(&run.imports)
        .map(|i| i.supplier.as_str())
        .collect();
    suppliers.sort();
    suppliers.dedup();
    for sup in suppliers {
        let get = |s: &Summary| {
            s.imports
                .iter()
                .find(|i| i.supplier == sup)
                .map_or(zero, |i| i.gwh)
        };
        row(format!("imports from {sup}"), &get(base), &get(run));
    }
    row("own plants".into(), &base.domestic_gwh, &run.domestic_gwh);
    for n in run.nodes.iter().filter(|n| n.kind == "island") {
        let b = base
            .nodes
            .iter()
            .find(|x| x.id == n.id)
            .map_or(zero, |x| x.unserved_gwh);
        row(format!("unserved at {}", n.id), &b, &n.unserved_gwh);
    }
    for n in run.nodes.iter().filter(|n| n.kind == "market") {
        let b = base
            .nodes
            .iter()
            .find(|x| x.id == n.id)
            .map_or(zero, |x| x.generation_gwh);
        row(format!("own generation at {}", n.id), &b, &n.generation_gwh);
    }
    md
}

/// The bargaining view's tables.
pub fn bargain_tables(b: &Bargain, regime: &str) -> String {
    let t = &b.terms;
    let mut md = format!(
        "\n## Water for power: Afghanistan and the downstream countries ({regime} year)\n\nNo deal: Qosh Tepa withdraws {:.0} hm³ and power flows on today's contracts. Payoffs with no deal (million USD a year, irrigation water valued at {:.2} USD/m³ in Afghanistan and {:.2} downstream): Afghanistan {:.1}, downstream {:.1}. A deal sets the withdrawal, an extra winter supply (months {}) from Uzbekistan and its price.\n\n",
        t.planned_hm3,
        t.af_water_value,
        t.downstream_water_value,
        b.disagreement.0,
        b.disagreement.1,
        t.winter.iter().map(|m| m.to_string()).collect::<Vec<_>>().join(", ")
    );
    md.push_str(
        "| withdrawal hm³ | to Qosh Tepa hm³ | to downstream canals hm³ |\n|---:|---:|---:|\n",
    );
    for w in &b.water {
        let _ = writeln!(
            md,
            "| {:.0} | {:.0} | {:.0} |",
            w.withdrawal_hm3, w.afghanistan_hm3, w.downstream_hm3
        );
    }
    md.push_str("\n| extra winter MW | delivered GWh | Afghan unserved GWh | Afghan bill M USD | downstream margin M USD |\n|---:|---:|---:|---:|---:|\n");
    for p in &b.power {
        let _ = writeln!(
            md,
            "| {:.0} | {:.0} | {:.0} | {:.1} | {:.1} |",
            p.winter_mw, p.deal_gwh, p.unserved_gwh, p.afghanistan_cost, p.downstream_margin
        );
    }
    let ranges = b.price_ranges();
    let _ = writeln!(
        md,
        "\n{} of {} deals leave both sides better off than no deal.",
        b.acceptable().count(),
        b.deals.len()
    );
    if !ranges.is_empty() {
        md.push_str("\n| withdrawal hm³ | extra winter MW | prices both accept, USD/MWh |\n|---:|---|---|\n");
        // Neighbouring supply levels with the same prices share a row.
        let mut rows: Vec<(f64, f64, f64, f64, f64)> = Vec::new();
        for (w, mw, lo, hi) in ranges {
            match rows.last_mut() {
                Some(r) if r.0 == w && r.3 == lo && r.4 == hi => r.2 = mw,
                _ => rows.push((w, mw, mw, lo, hi)),
            }
        }
        for (w, first, last, lo, hi) in rows {
            let mw = if first == last {
                format!("{first:.0}")
            } else {
                format!("{first:.0}–{last:.0}")
            };
            let _ = writeln!(md, "| {w:.0} | {mw} | {lo:.0}–{hi:.0} |");
        }
    }
    match &b.nash {
        Some(d) => {
            let _ = writeln!(
                md,
                "\n**Nash bargaining solution:** withdraw {:.0} hm³, {:.0} MW of extra winter power at {:.0} USD/MWh. Afghanistan gains {:.1} and the downstream countries {:.1} million USD a year over no deal.",
                d.withdrawal_hm3, d.winter_mw, d.price_usd_mwh, d.afghanistan_gain, d.downstream_gain
            );
        }
        None => md.push_str("\nNo deal on the grid beats no deal for both sides.\n"),
    }
    md
}

fn nodes_csv(s: &Summary) -> String {
    let mut out = String::from(
        "year,month,node,kind,country,demand_gwh,generation_gwh,unserved_gwh,price_usd_mwh\n",
    );
    for n in &s.nodes {
        for m in 0..12 {
            let _ = writeln!(
                out,
                "{},{},{},{},{},{:.3},{:.3},{:.3},{:.2}",
                s.year,
                m + 1,
                n.id,
                n.kind,
                n.country,
                n.demand_gwh[m],
                n.generation_gwh[m],
                n.unserved_gwh[m],
                n.price_usd_mwh[m]
            );
        }
    }
    out
}

fn lines_csv(s: &Summary) -> String {
    let mut out = String::from("year,month,line,from,to,project,capacity_mw,flow_gwh,loading,price_usd_mwh,fee_usd_mwh,fee_country\n");
    for l in &s.lines {
        for m in 0..12 {
            let _ = writeln!(
                out,
                "{},{},{},{},{},{},{},{:.3},{},{},{},{}",
                s.year,
                m + 1,
                l.id,
                l.from,
                l.to,
                l.project.clone().unwrap_or_default(),
                l.capacity_mw,
                l.flow_gwh[m],
                l.loading[m].map_or(String::new(), |x| format!("{x:.4}")),
                l.price_usd_mwh,
                l.fee_usd_mwh,
                l.fee_country.clone().unwrap_or_default()
            );
        }
    }
    out
}

fn imports_csv(s: &Summary) -> String {
    let mut out = String::from("year,month,supplier,gwh,import_share\n");
    for i in &s.imports {
        for m in 0..12 {
            let _ = writeln!(
                out,
                "{},{},{},{:.3},{:.4}",
                s.year,
                m + 1,
                i.supplier,
                i.gwh[m],
                s.import_share[m]
            );
        }
    }
    out
}

fn deals_csv(b: &Bargain) -> String {
    let mut out = String::from("withdrawal_hm3,winter_mw,price_usd_mwh,afghanistan_gain_musd,downstream_gain_musd,both_gain,nash\n");
    for d in &b.deals {
        let _ = writeln!(
            out,
            "{:.0},{:.0},{:.2},{:.3},{:.3},{},{}",
            d.withdrawal_hm3,
            d.winter_mw,
            d.price_usd_mwh,
            d.afghanistan_gain,
            d.downstream_gain,
            d.acceptable(),
            b.nash.as_ref() == Some(d)
        );
    }
    out
}

fn charts(s: &Summary) -> Vec<MonthlyChart> {
    let mut imports: Vec<(String, [f64; 12])> = s
        .imports
        .iter()
        .map(|i| (i.supplier.clone(), i.gwh))
        .collect();
    imports.push(("own plants".into(), s.domestic_gwh));
    vec![
        MonthlyChart {
            title: format!("Afghan supply by source, {}", s.year),
            y_desc: "GWh in the month".into(),
            series: imports,
        },
        MonthlyChart {
            title: "Unserved energy by grid island".into(),
            y_desc: "GWh in the month".into(),
            series: s
                .nodes
                .iter()
                .filter(|n| n.kind == "island")
                .map(|n| (n.id.clone(), n.unserved_gwh))
                .collect(),
        },
        MonthlyChart {
            title: "Prices (dual values)".into(),
            y_desc: "USD/MWh".into(),
            series: s
                .nodes
                .iter()
                .map(|n| (n.id.clone(), n.price_usd_mwh.map(|p| p.min(2000.0))))
                .collect(),
        },
        MonthlyChart {
            title: "Line loading".into(),
            y_desc: "% of capacity".into(),
            series: s
                .lines
                .iter()
                .map(|l| (l.id.clone(), l.loading.map(|x| 100.0 * x.unwrap_or(0.0))))
                .collect(),
        },
    ]
}
