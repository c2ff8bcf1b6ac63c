//! One function per subcommand.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{anyhow, Context, Result};
use karvan_data::{embedded, schema, Dataset};
use karvan_model::{places, Model, RouteChoice};
use karvan_report::Comparison;

use crate::load;
use crate::print;
use crate::ChoiceArgs;

pub fn run(
    scenario: Option<&str>,
    out: Option<PathBuf>,
    choice: &ChoiceArgs,
    json: bool,
) -> Result<ExitCode> {
    let applied = load::applied(scenario)?;
    load::note_disruptions(&applied, "run");
    let choice = RouteChoice::from_settings(&choice.over(&applied.assignment));
    let out = out.unwrap_or_else(|| Path::new("out").join(load::slug(&applied.name)));
    let model = Model::new(applied);
    let results = karvan_model::run_checked(&model, choice)?;
    karvan_report::write_run(&out, &model.applied.dataset, &results)
        .with_context(|| format!("writing the results to {}", out.display()))?;
    if json {
        println!("{}", serde_json::to_string_pretty(&results)?);
    } else {
        print!(
            "{}",
            karvan_report::summary::run_summary(&model.applied.dataset, &results)
        );
        println!("\nResults written to {}/", out.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// The place a user named; a note on stderr says which was taken when the name was only
/// approximately matched or other places have similar names.
fn place(ds: &Dataset, query: &str) -> Result<usize> {
    let m = places::resolve(ds, query)?;
    if let Some(note) = m.note(ds, query) {
        eprintln!("note: {note}");
    }
    Ok(m.index)
}

pub fn route(
    from: &str,
    to: &str,
    commodity: &str,
    alternatives: usize,
    scenario: Option<&str>,
    staircase: Option<PathBuf>,
    json: bool,
) -> Result<ExitCode> {
    let model = Model::new(load::applied(scenario)?);
    let ds = &model.applied.dataset;
    let a = place(ds, from)?;
    let b = place(ds, to)?;
    if a == b {
        return Err(anyhow!("`{from}` and `{to}` are the same place"));
    }
    let k = model.commodity(commodity)?;
    let routes = model.routes(a, b, k, alternatives);
    let path = staircase.unwrap_or_else(|| {
        Path::new("out").join(format!(
            "route-{}-{}-{}.csv",
            ds.nodes[a].id, ds.nodes[b].id, commodity
        ))
    });
    if routes.is_empty() {
        eprintln!(
            "No open route from {} to {} in scenario {}.",
            ds.nodes[a].name, ds.nodes[b].name, model.applied.name
        );
        return Ok(ExitCode::from(1));
    }
    karvan_report::write_output(&path, &karvan_report::tables::staircase(&routes)?)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&routes)?);
    } else {
        print::routes(ds, &routes);
        println!(
            "Staircase (cumulative cost and time against distance) written to {}",
            path.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn compare(
    a: &str,
    b: &str,
    out: Option<PathBuf>,
    choice: &ChoiceArgs,
    json: bool,
) -> Result<ExitCode> {
    let model_a = Model::new(load::applied(Some(a))?);
    let model_b = Model::new(load::applied(Some(b))?);
    load::note_disruptions(&model_a.applied, "compare");
    load::note_disruptions(&model_b.applied, "compare");
    let choice_a = RouteChoice::from_settings(&choice.over(&model_a.applied.assignment));
    let choice_b = RouteChoice::from_settings(&choice.over(&model_b.applied.assignment));
    let (ra, rb) = (
        karvan_model::run_checked(&model_a, choice_a)?,
        karvan_model::run_checked(&model_b, choice_b)?,
    );
    let cmp = Comparison::new(&model_a.applied.dataset, &ra, &model_b.applied.dataset, &rb);
    let out = out.unwrap_or_else(|| {
        Path::new("out").join(format!("compare-{}-{}", load::slug(a), load::slug(b)))
    });
    cmp.write(&out, &model_b.applied.dataset)
        .with_context(|| format!("writing the comparison to {}", out.display()))?;
    if json {
        println!("{}", serde_json::to_string_pretty(&cmp)?);
    } else {
        print!("{}", cmp.summary(15));
        println!("\nComparison written to {}/", out.display());
    }
    Ok(ExitCode::SUCCESS)
}

pub fn select_link(
    id: &str,
    scenario: Option<&str>,
    out: Option<PathBuf>,
    choice: &ChoiceArgs,
    json: bool,
) -> Result<ExitCode> {
    let model = Model::new(load::applied(scenario)?);
    let choice = RouteChoice::from_settings(&choice.over(&model.applied.assignment));
    let ds = &model.applied.dataset;
    let name = match (
        ds.links.iter().find(|l| l.id == id),
        ds.crossings.iter().find(|c| c.id == id),
    ) {
        (Some(l), _) => l.name.clone(),
        (_, Some(c)) => c.name.clone(),
        _ => {
            let mut ids: Vec<&str> = ds
                .links
                .iter()
                .map(|l| l.id.as_str())
                .chain(ds.crossings.iter().map(|c| c.id.as_str()))
                .collect();
            ids.sort_by(|a, b| strsim::jaro_winkler(id, b).total_cmp(&strsim::jaro_winkler(id, a)));
            return Err(anyhow!(
                "no link or crossing `{id}`; closest: {}",
                ids[..ids.len().min(3)].join(", ")
            ));
        }
    };
    let results = karvan_model::run_checked(&model, choice)?;
    let users = results.select_link(id);
    let mut csv =
        String::from("origin,destination,commodity,tonnes_on_element,od_tonnes,share_of_od\n");
    for (o, t) in &users {
        csv.push_str(&format!(
            "{},{},{},{t:.0},{:.0},{:.4}\n",
            o.origin,
            o.destination,
            o.commodity,
            o.tonnes,
            t / o.tonnes
        ));
    }
    let out = out.unwrap_or_else(|| Path::new("out").join(format!("select-link-{id}.csv")));
    karvan_report::write_output(&out, csv.as_bytes())?;
    if json {
        let rows: Vec<_> = users
            .iter()
            .map(|(o, t)| serde_json::json!({ "origin": o.origin, "destination": o.destination, "commodity": o.commodity, "tonnes_on_element": t, "od_tonnes": o.tonnes }))
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(
                &serde_json::json!({ "element": id, "name": name, "users": rows })
            )?
        );
    } else {
        let total: f64 = users.iter().map(|u| u.1).sum();
        println!(
            "{name} ({id}): {} t/year from {} origin–destination flows ({})",
            karvan_report::fmt::thousands(total),
            users.len(),
            model.applied.name
        );
        println!(
            "{:<28} {:<28} {:<10} {:>12} {:>8}",
            "origin", "destination", "commodity", "t/year", "of OD"
        );
        for (o, t) in &users {
            let n = |id: &str| {
                ds.node(id)
                    .map(|n| n.name.clone())
                    .unwrap_or_else(|| id.to_string())
            };
            println!(
                "{:<28} {:<28} {:<10} {:>12} {:>7.1}%",
                n(&o.origin),
                n(&o.destination),
                o.commodity,
                karvan_report::fmt::thousands(*t),
                100.0 * t / o.tonnes
            );
        }
        println!("Written to {}", out.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// The analyses a report adds to the run.
pub struct Extras<'a> {
    pub game: Option<&'a crate::game::Args>,
    pub resilience: Option<&'a crate::resilience::Args>,
    /// The appraisal of the default schemes with `karvan appraise`'s defaults.
    pub appraisal: bool,
    /// The power grid's year under the scenario's `[power]` table.
    pub power: bool,
}

pub fn report(
    scenario: Option<&str>,
    compare: Option<&str>,
    out: Option<PathBuf>,
    extras: Extras,
    choice: &ChoiceArgs,
) -> Result<ExitCode> {
    let Extras {
        game,
        resilience,
        appraisal,
        power,
    } = extras;
    let model = Model::new(load::applied(scenario)?);
    load::note_disruptions(&model.applied, "report");
    let results = karvan_model::run_checked(
        &model,
        RouteChoice::from_settings(&choice.over(&model.applied.assignment)),
    )?;
    let base = match compare {
        Some(b) => {
            let mb = Model::new(load::applied(Some(b))?);
            let rb = karvan_model::run_checked(
                &mb,
                RouteChoice::from_settings(&choice.over(&mb.applied.assignment)),
            )?;
            let cmp = Comparison::new(&mb.applied.dataset, &rb, &model.applied.dataset, &results);
            Some((rb, cmp))
        }
        None => None,
    };
    let game = match game {
        Some(args) => Some(crate::game::solve(&model, args, false)?),
        None => None,
    };
    let resilience = resilience.map(|args| crate::resilience::solve(&model.applied, args, false));
    let appraisal = if appraisal {
        let args = crate::appraise::Args::defaults(scenario.unwrap_or("today"));
        Some(crate::appraise::solve(&args, false)?.0)
    } else {
        None
    };
    let power = if power {
        Some(crate::power::section(scenario)?)
    } else {
        None
    };
    // The fit to the observations, whenever the dataset has some.
    let fit = karvan_policy::fit::fit_if_observed(&model.applied.dataset, &results);
    let html = karvan_report::html::report(&karvan_report::html::ReportInput {
        dataset: &model.applied.dataset,
        results: &results,
        compare: base.as_ref().map(|(r, c)| (r, c)),
        game: game.as_ref(),
        resilience: resilience.as_ref(),
        fit: fit.as_ref(),
        appraisal: appraisal.as_ref(),
        power: power.as_ref(),
    });
    let out = out.unwrap_or_else(|| {
        Path::new("out").join(format!("report-{}.html", load::slug(&model.applied.name)))
    });
    karvan_report::write_output(&out, html.as_bytes())?;
    println!(
        "Report written to {} ({} KB); it opens in a browser with no network.",
        out.display(),
        html.len() / 1024
    );
    Ok(ExitCode::SUCCESS)
}

pub fn serve(
    port: u16,
    bind: std::net::IpAddr,
    dataset: &str,
    scenario_dir: PathBuf,
    sweep_dir: PathBuf,
) -> Result<ExitCode> {
    if !embedded::names().contains(&dataset) {
        return Err(anyhow!(
            "`{dataset}` is not an embedded dataset; embedded: {}",
            embedded::names().join(", ")
        ));
    }
    std::fs::create_dir_all(&scenario_dir)
        .with_context(|| format!("creating {}", scenario_dir.display()))?;
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind((bind, port)).await.with_context(|| format!("listening on {bind}:{port}"))?;
        let addr = listener.local_addr()?;
        println!("Karvan is serving {dataset} at http://{addr}/ (saved scenarios in {}, sweeps read from {}); stop with Ctrl-C", scenario_dir.display(), sweep_dir.display());
        let app = karvan_server::router(karvan_server::AppState::new(scenario_dir).with_sweep_dir(sweep_dir));
        axum_serve(listener, app).await
    })?;
    Ok(ExitCode::SUCCESS)
}

async fn axum_serve(listener: tokio::net::TcpListener, app: karvan_server::Router) -> Result<()> {
    karvan_server::serve_on(listener, app)
        .await
        .map_err(|e| anyhow!("server stopped: {e}"))
}

pub fn validate(path: Option<&Path>, json: bool) -> Result<ExitCode> {
    let (label, result) = match path {
        None => (
            format!("embedded:{}", embedded::DEFAULT),
            embedded::load(embedded::DEFAULT),
        ),
        Some(p) if p.is_dir() => (p.display().to_string(), Dataset::load_dir(p)),
        Some(p) => {
            let label = p.display().to_string();
            let checked = karvan_data::locate(p.to_str(), None)
                .and_then(|l| l.applied())
                .map(|a| a.dataset);
            (label, checked)
        }
    };
    match result {
        Ok(ds) => {
            // Figures that may be right but deserve a look; they do not make it invalid.
            let notes = karvan_data::review::length_notes(&ds);
            if json {
                let notes: Vec<_> = notes
                    .iter()
                    .map(|p| serde_json::json!({ "file": p.file, "line": p.line, "column": p.column, "message": p.message }))
                    .collect();
                println!(
                    "{}",
                    serde_json::json!({ "valid": true, "problems": [], "notes": notes })
                );
            } else {
                println!("{label}: valid");
                if !notes.is_empty() {
                    println!("{} notes on lengths worth a look:", notes.len());
                    for n in &notes {
                        println!("  {n}");
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(problems) => {
            if json {
                let list: Vec<_> = problems
                    .iter()
                    .map(|p| serde_json::json!({ "file": p.file, "line": p.line, "column": p.column, "message": p.message }))
                    .collect();
                println!(
                    "{}",
                    serde_json::json!({ "valid": false, "problems": list })
                );
            } else {
                eprint!("{label}: {problems}");
            }
            Ok(ExitCode::from(1))
        }
    }
}

pub fn schema(json: bool) -> Result<ExitCode> {
    if json {
        let tables: Vec<_> = schema::TABLES
            .iter()
            .map(|t| {
                let cols: Vec<_> = t
                    .columns
                    .iter()
                    .map(|c| serde_json::json!({ "name": c.name, "required": c.required, "unit": c.unit, "default": c.default, "doc": c.doc }))
                    .collect();
                serde_json::json!({ "file": t.file, "doc": t.doc, "columns": cols })
            })
            .collect();
        let params: Vec<_> = schema::PARAMETERS
            .iter()
            .map(|p| serde_json::json!({ "name": p.name, "unit": p.unit, "doc": p.doc }))
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(
                &serde_json::json!({ "tables": tables, "parameters": params })
            )?
        );
    } else {
        print!("{}", schema::to_markdown());
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum ListWhat {
    Nodes,
    Zones,
    Links,
    Crossings,
    Projects,
    Commodities,
    Countries,
}

pub fn list(what: ListWhat, scenario: Option<&str>, json: bool) -> Result<ExitCode> {
    let applied = load::applied(scenario)?;
    let ds = &applied.dataset;
    let rows: Vec<(String, String)> = match what {
        ListWhat::Nodes => ds
            .nodes
            .iter()
            .map(|n| {
                (
                    n.id.clone(),
                    format!("{} ({}, {})", n.name, n.country, n.kind),
                )
            })
            .collect(),
        ListWhat::Zones => ds
            .nodes
            .iter()
            .filter(|n| n.is_zone)
            .map(|n| (n.id.clone(), format!("{} ({})", n.name, n.country)))
            .collect(),
        ListWhat::Links => ds
            .links
            .iter()
            .zip(&applied.link_open)
            .map(|(l, open)| {
                let gauge = l.gauge_mm.map(|g| format!(" {g} mm")).unwrap_or_default();
                let state = if *open { "open" } else { "closed" };
                (
                    l.id.clone(),
                    format!(
                        "{} ({}{gauge}, {:.0} km, {}, {state} in {})",
                        l.name,
                        l.mode,
                        l.length_km,
                        l.status.as_str(),
                        applied.year
                    ),
                )
            })
            .collect(),
        ListWhat::Crossings => ds
            .crossings
            .iter()
            .zip(&applied.crossing_open)
            .map(|(c, open)| {
                let state = if *open { "open" } else { "closed" };
                (
                    c.id.clone(),
                    format!(
                        "{} ({}, {} h, {} USD/t, {state} in {})",
                        c.name, c.mode, c.dwell_hours, c.fee_usd_per_t, applied.year
                    ),
                )
            })
            .collect(),
        ListWhat::Projects => {
            let set: BTreeSet<&str> = ds
                .links
                .iter()
                .filter_map(|l| l.project.as_deref())
                .chain(ds.crossings.iter().filter_map(|c| c.project.as_deref()))
                .collect();
            set.into_iter()
                .map(|p| {
                    let n = ds
                        .links
                        .iter()
                        .filter(|l| l.project.as_deref() == Some(p))
                        .count();
                    let km: f64 = ds
                        .links
                        .iter()
                        .filter(|l| l.project.as_deref() == Some(p))
                        .map(|l| l.length_km)
                        .sum();
                    (p.to_string(), format!("{n} links, {km:.0} km"))
                })
                .collect()
        }
        ListWhat::Commodities => ds
            .commodities
            .iter()
            .map(|c| {
                (
                    c.id.clone(),
                    format!("{} ({} USD/t)", c.name, c.value_usd_per_t),
                )
            })
            .collect(),
        ListWhat::Countries => ds
            .countries
            .iter()
            .map(|c| (c.iso3.clone(), c.name.clone()))
            .collect(),
    };
    if json {
        let v: Vec<_> = rows
            .iter()
            .map(|(id, d)| serde_json::json!({ "id": id, "description": d }))
            .collect();
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        let w = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
        for (id, d) in rows {
            println!("{id:w$}  {d}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn scenario_new(path: Option<PathBuf>, force: bool) -> Result<ExitCode> {
    let text = karvan_data::scenario::EXAMPLE;
    match path {
        None => print!("{text}"),
        Some(p) => {
            if p.exists() && !force {
                return Err(anyhow!(
                    "{} exists; pass --force to replace it",
                    p.display()
                ));
            }
            karvan_report::write_file(&p, text.as_bytes())?;
            println!(
                "Wrote {}; run it with `karvan run {}`",
                p.display(),
                p.display()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
