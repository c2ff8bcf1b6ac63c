//! `karvan assign`: the equilibrium engine on a standard TNTP benchmark network.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{anyhow, bail, Context, Result};
use karvan_assign::{try_assign, Algorithm, Assignment, Problem, Settings, SolveError};
use karvan_tntp::Instance;

pub struct Args {
    pub dir: PathBuf,
    pub algorithm: String,
    pub gap: f64,
    pub max_iterations: usize,
    pub toll_factor: Option<f64>,
    pub distance_factor: Option<f64>,
    pub out: Option<PathBuf>,
}

/// Toll and distance factors that a network's own files do not carry (stated in its
/// upstream README only).
fn known_factors(dir: &Path) -> (f64, f64) {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if name.contains("chicagosketch") {
        (0.02, 0.04)
    } else {
        (0.0, 0.0)
    }
}

fn algorithm(name: &str) -> Result<Algorithm> {
    Algorithm::parse(name).ok_or_else(|| {
        let names: Vec<&str> = Algorithm::NAMES.iter().map(|(n, _)| *n).collect();
        anyhow!(
            "unknown algorithm `{name}`; choose one of: {}",
            names.join(", ")
        )
    })
}

/// Most threads `karvan bench` runs with: far beyond any machine it is meant for, and
/// low enough that a mistyped count cannot exhaust the system's threads.
const MAX_THREADS: usize = 1024;

/// Reads a TNTP folder; every problem names its file and line.
fn read(dir: &Path) -> Result<Instance> {
    karvan_tntp::read_dir(dir).with_context(|| format!("reading {}", dir.display()))
}

/// Solves with the checks of the engine; an error about an arc names its link, with the
/// file and line it was read from.
fn solve(
    inst: &Instance,
    problem: &Problem,
    settings: &Settings,
    name: &str,
) -> Result<Assignment> {
    try_assign(problem, settings).map_err(|e| {
        let link = e.arc().and_then(|a| inst.net.links.get(a));
        match (e, link) {
            (e @ SolveError::NonFinite { .. }, Some(l)) => anyhow!(
                "solving {name}: {e} (link {} → {}, {}:{}: capacity {}, power {})",
                l.from + 1,
                l.to + 1,
                inst.net_file,
                l.line,
                l.capacity,
                l.power
            ),
            (e, _) => anyhow!("solving {name}: {e}"),
        }
    })
}

/// Fails unless `value` is finite: nothing that is not is reported as a result.
fn finite(value: f64, what: impl FnOnce() -> String) -> Result<f64> {
    if value.is_finite() {
        Ok(value)
    } else {
        bail!("{} is {value}: the result is not valid", what())
    }
}

/// Times the engine to each of `gaps` on each network, once per thread count. The time
/// to a gap is the solver's clock at the first iteration that reaches it (reading the
/// files is timed apart).
pub fn bench(
    dirs: &[PathBuf],
    gaps: &[f64],
    threads: &[usize],
    name: &str,
    max_iterations: usize,
    json: bool,
) -> Result<ExitCode> {
    let algorithm = algorithm(name)?;
    if let Some(g) = gaps.iter().find(|g| !(g.is_finite() && **g >= 0.0)) {
        bail!("--gaps: {g} is not a relative gap; each must be a finite number ≥ 0");
    }
    if let Some(t) = threads.iter().find(|t| !(1..=MAX_THREADS).contains(*t)) {
        bail!("--threads: {t} threads; each count must be in 1..={MAX_THREADS}");
    }
    let tightest = gaps.iter().copied().fold(f64::INFINITY, f64::min);
    let mut rows = Vec::new();
    for dir in dirs {
        let start = std::time::Instant::now();
        let inst = read(dir)?;
        let (tf, df) = known_factors(dir);
        let problem = karvan_tntp::to_problem(&inst, tf, df)?;
        let read = start.elapsed().as_secs_f64();
        let network = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        for &t in threads {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(t.max(1))
                .build()?;
            let settings = Settings {
                algorithm,
                gap: tightest,
                max_iterations,
            };
            let result = pool.install(|| solve(&inst, &problem, &settings, &network))?;
            let times: Vec<Option<f64>> = gaps
                .iter()
                .map(|&g| {
                    result
                        .history
                        .iter()
                        .find(|h| h.relative_gap <= g)
                        .map(|h| h.seconds)
                })
                .collect();
            rows.push((
                network.clone(),
                t,
                read,
                times,
                result.relative_gap(),
                result.history.len(),
            ));
        }
    }
    if json {
        let v: Vec<_> = rows
            .iter()
            .map(|(n, t, read, times, gap, its)| {
                serde_json::json!({ "network": n, "threads": t, "read_seconds": read, "gaps": gaps, "seconds_to_gap": times, "final_gap": gap, "iterations": its })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(ExitCode::SUCCESS);
    }
    print!("| network | threads | read (s) |");
    for g in gaps {
        print!(" to {g:e} (s) |");
    }
    println!(" final gap | iterations |");
    println!("|---|---:|---:|{}---:|---:|", "---:|".repeat(gaps.len()));
    for (n, t, read, times, gap, its) in &rows {
        print!("| {n} | {t} | {read:.3} |");
        for time in times {
            match time {
                Some(s) => print!(" {s:.3} |"),
                None => print!(" — |"),
            }
        }
        println!(" {gap:.1e} | {its} |");
    }
    Ok(ExitCode::SUCCESS)
}

pub fn run(a: &Args, json: bool) -> Result<ExitCode> {
    let algorithm = algorithm(&a.algorithm)?;
    if a.gap.is_nan() || a.gap < 0.0 {
        return Err(anyhow!("--gap must be a number ≥ 0"));
    }
    let mut inst = read(&a.dir)?;
    let (tf, df) = known_factors(&a.dir);
    let (tf, df) = (a.toll_factor.unwrap_or(tf), a.distance_factor.unwrap_or(df));
    let problem = karvan_tntp::to_problem(&inst, tf, df)?;
    // The problem holds the demand now; the trip table would only take memory.
    inst.trips = Vec::new();
    let name = a
        .dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "network".into());
    let result = solve(
        &inst,
        &problem,
        &Settings {
            algorithm,
            gap: a.gap,
            max_iterations: a.max_iterations,
        },
        &name,
    )?;
    let objective = finite(problem.objective(&result.class_flow, &result.flow), || {
        format!("the objective of {name}")
    })?;
    let out = a
        .out
        .clone()
        .unwrap_or_else(|| Path::new("out").join(format!("assign-{name}.csv")));
    let mut cost = vec![0.0; result.time.len()];
    problem.class_costs(0, &result.time, &mut cost);
    let mut csv = String::from("from,to,volume,cost\n");
    for (l, (x, c)) in inst.net.links.iter().zip(result.flow.iter().zip(&cost)) {
        let at = || {
            format!(
                "link {} → {} ({}:{})",
                l.from + 1,
                l.to + 1,
                inst.net_file,
                l.line
            )
        };
        finite(*x, || format!("the flow of {}", at()))?;
        finite(*c, || format!("the cost of {}", at()))?;
        csv.push_str(&format!("{},{},{x:.10},{c:.10}\n", l.from + 1, l.to + 1));
    }
    karvan_report::write_file(&out, csv.as_bytes())?;
    let worst = inst.flows.as_ref().map(|best| {
        let by_link: std::collections::HashMap<(u32, u32), f64> =
            best.iter().map(|f| ((f.from, f.to), f.volume)).collect();
        inst.net
            .links
            .iter()
            .zip(&result.flow)
            .filter_map(|(l, x)| {
                let b = *by_link.get(&(l.from, l.to))?;
                (b > 1e-6).then(|| ((x - b) / b).abs())
            })
            .fold(0.0, f64::max)
    });
    if let Some(w) = worst {
        finite(w, || "the difference from the best-known flows".into())?;
    }

    if json {
        let history: Vec<_> = result
            .history
            .iter()
            .map(|h| serde_json::json!({ "iteration": h.iteration, "relative_gap": h.relative_gap, "objective": h.objective, "seconds": h.seconds }))
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "network": name, "algorithm": algorithm.name(), "relative_gap": result.relative_gap(),
                "objective": objective, "unreachable_demand": result.unreachable,
                "max_relative_flow_difference_to_best_known": worst, "history": history, "flows": out,
            }))?
        );
    } else {
        println!("{name}: {} nodes, {} links, {} origins, demand {:.1}; algorithm {}; toll factor {tf}, distance factor {df}", inst.net.nodes, inst.net.links.len(), problem.classes[0].demand.origins.len(), problem.classes[0].demand.total(), algorithm.name());
        println!(
            "{:>9}  {:>12}  {:>22}  {:>9}",
            "iteration", "relative gap", "Beckmann objective", "seconds"
        );
        for h in &result.history {
            println!(
                "{:>9}  {:>12.3e}  {:>22.8}  {:>9.3}",
                h.iteration, h.relative_gap, h.objective, h.seconds
            );
        }
        if result.unreachable > 0.0 {
            println!(
                "Demand with no path (left unassigned): {:.1}",
                result.unreachable
            );
        }
        if let Some(w) = worst {
            println!(
                "Largest relative difference from the best-known flows (links with flow): {w:.2e}"
            );
        }
        println!("Link flows written to {}", out.display());
    }
    Ok(ExitCode::SUCCESS)
}
