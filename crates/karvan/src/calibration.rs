//! `karvan fit` (the base year against what is observed) and `karvan calibrate` (demand
//! and parameters fitted to the observations, written as a scenario of deltas).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{anyhow, Context, Result};
use karvan_data::scenario::OdFactor;
use karvan_data::{limits, Applied, ObservationRole};
use karvan_model::{Model, RouteChoice};
use karvan_policy::calibrate::{self, Calibrated, Settings};
use karvan_policy::fit::{self, Fit};

use crate::load;

/// Parameters that calibration may move, with the bounds it keeps to: each is uncertain
/// (marked an estimate in the dataset) and shapes the choice between routes.
pub const CALIBRATABLE: &[(&str, f64, f64)] = &[
    ("time_value_share_per_year", 0.05, 1.0),
    ("risk_dwell_hours", 0.0, 48.0),
];

fn observed(a: &Applied) -> Result<()> {
    if a.dataset.observations.is_empty() {
        return Err(anyhow!(
            "the dataset has no observations.csv: nothing to compare the run with"
        ));
    }
    Ok(())
}

fn run_fit(a: &Applied, choice: RouteChoice) -> Result<Fit> {
    let model = Model::new(a.clone());
    let r = karvan_model::run_checked(&model, choice)?;
    Ok(fit::fit(&model.applied.dataset, &r))
}

/// `karvan fit`: every observation against the run, with summary statistics.
pub fn fit(scenario: Option<&str>, out: Option<PathBuf>, json: bool) -> Result<ExitCode> {
    let applied = load::applied(scenario)?;
    observed(&applied)?;
    let choice = RouteChoice::from_settings(&applied.assignment);
    let f = run_fit(&applied, choice)?;
    let out =
        out.unwrap_or_else(|| Path::new("out").join(format!("fit-{}", load::slug(&applied.name))));
    let md = karvan_report::fit::markdown(&f);
    let dir = karvan_report::OutputDir::create(&out)?;
    dir.write("fit.md", md.as_bytes())?;
    dir.write("fit.csv", &karvan_report::fit::csv(&f)?)?;
    dir.write("fit.svg", karvan_report::fit::scatter_svg(&f)?.as_bytes())?;
    dir.commit()
        .with_context(|| format!("writing {}", out.display()))?;
    if json {
        println!("{}", serde_json::to_string_pretty(&f)?);
    } else {
        print!("{md}");
        println!("\nWritten to {}/", out.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// Options of `karvan calibrate`.
#[derive(Clone, clap::Args)]
pub struct Args {
    /// Largest factor calibration may put on a demand row (and 1 / it the smallest).
    #[arg(long, default_value_t = 5.0, value_parser = crate::number(&MAX_FACTOR))]
    pub max_factor: f64,
    /// Weight of staying at the prior matrix: higher keeps the dataset's demand closer.
    #[arg(long, default_value_t = 0.05, value_parser = crate::number(&PRIOR_WEIGHT))]
    pub prior_weight: f64,
    /// Also report the error on observations left out of the fit, in K folds.
    #[arg(long, value_parser = crate::count(&FOLDS))]
    pub folds: Option<usize>,
    /// Fit the demand only; leave the dataset parameters as they are.
    #[arg(long)]
    pub demand_only: bool,
}

const MAX_FACTOR: limits::Limit = limits::Limit {
    what: "the largest demand factor",
    min: 1.0,
    max: 100.0,
};
const PRIOR_WEIGHT: limits::Limit = limits::Limit {
    what: "the prior weight",
    min: 0.0,
    max: 1e6,
};
const FOLDS: limits::Limit = limits::Limit {
    what: "the number of folds",
    min: 2.0,
    max: 50.0,
};

/// `karvan calibrate`: fits the base year and writes the changes as a scenario.
pub fn calibrate(
    scenario: Option<&str>,
    out: Option<PathBuf>,
    args: &Args,
    json: bool,
) -> Result<ExitCode> {
    let located = karvan_data::locate(scenario, None).map_err(|p| anyhow!("{p}"))?;
    let applied = located.applied().map_err(|p| anyhow!("{p}"))?;
    observed(&applied)?;
    let choice = RouteChoice::from_settings(&applied.assignment);
    let settings = Settings {
        max_factor: args.max_factor,
        prior_weight: args.prior_weight,
        route_choice: choice,
        ..Settings::default()
    };
    let used: Vec<usize> = applied
        .dataset
        .observations
        .iter()
        .enumerate()
        .filter(|(_, o)| o.role == ObservationRole::Calibrate)
        .map(|(k, _)| k)
        .collect();
    let bar = progress_bar(json);
    bar.set_message("the fit before");
    let before = run_fit(&applied, choice)?;
    let bounds: &[(&str, f64, f64)] = if args.demand_only { &[] } else { CALIBRATABLE };
    let c = calibrate::calibrate(&applied, &used, bounds, 1, &settings, &|what| {
        bar.set_message(format!("calibrating {what}"))
    });
    let values: Vec<(String, f64)> = c
        .parameters
        .iter()
        .map(|p| (p.name.clone(), p.after))
        .collect();
    let calibrated = calibrate::scaled(
        &calibrate::with_parameters(&applied, &values),
        &c.demand.factors,
    );
    bar.set_message("the fit after");
    let after = run_fit(&calibrated, choice)?;
    let folds = match args.folds {
        Some(k) => {
            bar.set_message(format!("cross-validation in {k} folds"));
            let (folds, held_out) =
                calibrate::cross_validate(&applied, &used, k, &settings, &|_| {});
            Some((folds, fit::summarise(&held_out)))
        }
        None => None,
    };
    bar.finish_and_clear();
    let out = out
        .unwrap_or_else(|| PathBuf::from(format!("{}-calibrated.toml", load::slug(&applied.name))));
    let toml = scenario_text(&located.scenario, &applied, &c, scenario.unwrap_or("base"))?;
    karvan_report::write_output(&out, toml.as_bytes())
        .with_context(|| format!("writing {}", out.display()))?;
    let md = summary(&before, &after, &c, folds.as_ref());
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "before": before, "after": after, "calibration": c,
                "cross_validation": folds.map(|(f, s)| serde_json::json!({"folds": f, "held_out": s})),
            }))?
        );
    } else {
        print!("{md}");
        println!("\nThe calibrated scenario is {}", out.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn progress_bar(quiet: bool) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new_spinner();
    if quiet {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    bar.set_style(
        indicatif::ProgressStyle::with_template("calibrate {spinner} {msg} {elapsed}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}

/// One summary statistic, formatted.
type Statistic = fn(&fit::FitSummary) -> String;

fn summary(
    before: &Fit,
    after: &Fit,
    c: &Calibrated,
    folds: Option<&(usize, fit::FitSummary)>,
) -> String {
    let mut md = String::from("# Calibration\n\n| | before | after |\n|---|---:|---:|\n");
    let rows: [(&str, Statistic); 4] = [
        ("inside the observed range", |s| {
            format!("{:.0}%", 100.0 * s.share_inside)
        }),
        ("flows with GEH < 5", |s| {
            format!("{:.0}%", 100.0 * s.share_geh_below_5)
        }),
        ("flows %RMSE", |s| format!("{:.0}", s.percent_rmse)),
        ("mean error of shares", |s| format!("{:.3}", s.share_mae)),
    ];
    for (label, f) in rows {
        let _ = writeln!(
            md,
            "| fitted: {label} | {} | {} |",
            f(&before.summary),
            f(&after.summary)
        );
    }
    for (label, f) in rows {
        let _ = writeln!(
            md,
            "| kept out: {label} | {} | {} |",
            f(&before.validation),
            f(&after.validation)
        );
    }
    if let Some((k, s)) = folds {
        let _ = writeln!(
            md,
            "\nCross-validation ({k} folds, each fitted observation predicted by a calibration \
             that did not see it): {:.0}% inside the observed range, flows %RMSE {:.0}, \
             shares off by {:.3}.",
            100.0 * s.share_inside,
            s.percent_rmse,
            s.share_mae
        );
    }
    md.push_str(
        "\n## Parameters\n\n| parameter | before | after | bounds |\n|---|---:|---:|---|\n",
    );
    for p in &c.parameters {
        let at_bound = (p.after - p.low).abs() < 0.01 * (p.high - p.low)
            || (p.high - p.after).abs() < 0.01 * (p.high - p.low);
        let _ = writeln!(
            md,
            "| {} | {} | {:.4} | {}–{}{} |",
            p.name,
            p.before,
            p.after,
            p.low,
            p.high,
            if at_bound { " (**at a bound**)" } else { "" }
        );
    }
    let bounded: Vec<&str> = c
        .parameters
        .iter()
        .filter(|p| {
            (p.after - p.low).abs() < 0.01 * (p.high - p.low)
                || (p.high - p.after).abs() < 0.01 * (p.high - p.low)
        })
        .map(|p| p.name.as_str())
        .collect();
    if !bounded.is_empty() {
        let _ = writeln!(
            md,
            "
**Warning:** {} ended on a bound: the observations pull it further than its \
             plausible range, which points at a cause elsewhere (costs, capacities or \
             missing links) rather than at this parameter.",
            bounded.join(", ")
        );
    }
    let moved = c
        .demand
        .factors
        .iter()
        .filter(|f| (**f - 1.0).abs() > 0.005)
        .count();
    let _ = writeln!(
        md,
        "\n{moved} of {} demand rows changed by more than 0.5% (the objective went from {:.4} to {:.4}).",
        c.demand.factors.len(),
        c.demand.objective.first().copied().unwrap_or(0.0),
        c.demand.objective.last().copied().unwrap_or(0.0)
    );
    md
}

/// The input scenario with the calibration's changes: parameters and demand factors,
/// each listed in a comment with its value before and after.
fn scenario_text(
    input: &karvan_data::Scenario,
    applied: &Applied,
    c: &Calibrated,
    label: &str,
) -> Result<String> {
    let mut s = input.clone();
    s.name = Some(format!("{}-calibrated", load::slug(&applied.name)));
    s.description = Some(format!(
        "{label} with its demand and parameters fitted to the dataset's observations by karvan calibrate."
    ));
    let mut header = format!(
        "# {label}, calibrated to the observations of {} by `karvan calibrate`.\n\
         # Every change, before → after:\n",
        applied.dataset.manifest.name
    );
    for p in &c.parameters {
        let after = (p.after * 1e4).round() / 1e4;
        let _ = writeln!(header, "#   parameter {}: {} → {after}", p.name, p.before);
        s.parameters.insert(p.name.clone(), after);
    }
    // Rows with the same origin, destination and commodity share one factor in a
    // scenario: theirs is the one that keeps their calibrated total.
    let mut keys: Vec<(&str, &str, &str)> = Vec::new();
    let mut totals: std::collections::HashMap<(&str, &str, &str), (f64, f64)> =
        std::collections::HashMap::new();
    for (d, f) in applied.dataset.demand.iter().zip(&c.demand.factors) {
        let key = (
            d.origin.as_str(),
            d.destination.as_str(),
            d.commodity.as_str(),
        );
        let t = totals.entry(key).or_insert_with(|| {
            keys.push(key);
            (0.0, 0.0)
        });
        t.0 += d.tonnes_per_year;
        t.1 += d.tonnes_per_year * f;
    }
    for key in keys {
        let (before, after) = totals[&key];
        let f = if before > 0.0 { after / before } else { 1.0 };
        if (f - 1.0).abs() <= 0.005 {
            continue;
        }
        let (origin, destination, commodity) = key;
        let _ = writeln!(
            header,
            "#   demand {origin} → {destination} ({commodity}): {before:.0} → {after:.0} t/year"
        );
        s.demand.od.push(OdFactor {
            origin: origin.to_string(),
            destination: destination.to_string(),
            commodity: commodity.to_string(),
            factor: (f * 1e4).round() / 1e4,
        });
    }
    let body = toml::to_string_pretty(&s).context("writing the scenario as TOML")?;
    Ok(format!("{header}\n{body}"))
}
