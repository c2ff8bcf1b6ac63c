//! `karvan appraise`: what joint projects are worth, to whom, from which year, and who
//! should pay for them.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{anyhow, bail, Context, Result};
use karvan_data::{limits, locate, Dataset};
use karvan_model::RouteChoice;
use karvan_policy::appraisal::{self, Appraisal, Scheme, Settings};

use crate::load;

/// Fields of the appraisal that may be absent: a ratio without costs, a year that never
/// comes, a proposal nobody blocks, a case without a sharing analysis.
pub const OPTIONAL: &[&str] = &[
    "bcr",
    "first_positive_year",
    "payback_year",
    "break_even_capex_usd",
    "sharing",
    "proportional_blocked_by",
    "shapley_blocked_by",
    "opens",
];

/// Options of `karvan appraise`.
#[derive(Clone, clap::Args)]
pub struct Args {
    /// Scenario the projects are built on (a file or a shipped scenario's name).
    #[arg(default_value = "today")]
    pub scenario: String,
    /// A scheme to appraise, `ID=PROJECT+PROJECT` or a project id (repeat the flag).
    /// Default: the Trans-Afghan railway, the western railway (Torghundi–Herat and
    /// Herat–Kandahar–Spin Boldak) and each crossing upgrade the dataset costs.
    #[arg(long = "scheme", value_name = "ID=PROJECTS")]
    pub schemes: Vec<String>,
    /// Cases, each schemes joined with `+` (comma-separated). Default: every
    /// combination of the schemes.
    #[arg(long, value_delimiter = ',', value_name = "CASE")]
    pub cases: Vec<String>,
    /// Opening year of a scheme, `ID=YEAR` (repeat). Default: the latest `opens_year`
    /// of its projects in project_costs.csv.
    #[arg(long = "opens", value_name = "ID=YEAR")]
    pub opens: Vec<String>,
    /// Years the model is solved in; the years between are interpolated linearly.
    #[arg(long, value_delimiter = ',', default_values_t = [2030, 2040, 2055])]
    pub years: Vec<i32>,
    /// First year appraised (money is discounted to it).
    #[arg(long, default_value_t = 2026)]
    pub from: i32,
    /// Last year appraised (the residual value is counted in it).
    #[arg(long, default_value_t = 2055)]
    pub to: i32,
    /// Discount rate, % a year (the Asian Development Bank's 9% by default).
    #[arg(long, default_value_t = 9.0, value_parser = crate::number(&limits::DISCOUNT_PERCENT))]
    pub rate: f64,
    /// Discount rate of the financiers' view, % a year. Default: --rate.
    #[arg(long, value_parser = crate::number(&limits::DISCOUNT_PERCENT))]
    pub financial_rate: Option<f64>,
    /// Demand growth, % a year. Default: the scenario's, else 3.
    #[arg(long, value_parser = crate::number(&limits::GROWTH_PERCENT))]
    pub growth: Option<f64>,
    /// Monte Carlo draws of the net present value.
    #[arg(long, default_value_t = 1000, value_parser = crate::count(&limits::SAMPLES))]
    pub draws: usize,
    /// Seed of the Monte Carlo (the same seed gives the same draws).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Output folder. Default: out/appraisal-<scenario>.
    #[arg(long, short)]
    pub out: Option<PathBuf>,
}

impl Args {
    /// The flags' defaults, on `scenario`.
    pub fn defaults(scenario: &str) -> Args {
        use clap::Parser;
        #[derive(clap::Parser)]
        struct Only {
            #[command(flatten)]
            args: Args,
        }
        Only::parse_from(["appraise", scenario]).args
    }
}

/// `ID=PROJECT+PROJECT`, or a lone project id as a scheme of its own.
fn parse_scheme(spec: &str) -> Result<Scheme> {
    let (id, projects) = spec.split_once('=').unwrap_or((spec, spec));
    let projects: Vec<String> = projects
        .split('+')
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect();
    if id.trim().is_empty() || projects.is_empty() || id.contains('+') {
        bail!("--scheme `{spec}`: write ID=PROJECT+PROJECT or a project id");
    }
    Ok(Scheme {
        id: id.trim().to_string(),
        projects,
        opens: None,
    })
}

/// The settings from the flags, the dataset and the scenario.
pub fn settings(
    args: &Args,
    ds: &Dataset,
    scenario_growth: f64,
    choice: RouteChoice,
) -> Result<Settings> {
    let mut schemes = if args.schemes.is_empty() {
        appraisal::default_schemes(ds)
    } else {
        args.schemes
            .iter()
            .map(|s| parse_scheme(s))
            .collect::<Result<_>>()?
    };
    for spec in &args.opens {
        let (id, year) = spec
            .split_once('=')
            .ok_or_else(|| anyhow!("--opens `{spec}`: write ID=YEAR"))?;
        let year: i32 = year
            .trim()
            .parse()
            .map_err(|_| anyhow!("--opens `{spec}`: `{year}` is not a year"))?;
        limits::YEAR
            .check(f64::from(year))
            .map_err(|e| anyhow!("--opens `{spec}`: {e}"))?;
        let s = schemes
            .iter_mut()
            .find(|s| s.id == id.trim())
            .ok_or_else(|| anyhow!("--opens `{spec}`: no scheme `{id}`"))?;
        s.opens = Some(year);
    }
    for y in [args.from, args.to].iter().chain(&args.years) {
        limits::YEAR
            .check(f64::from(*y))
            .map_err(|e| anyhow!("{e} (got {y})"))?;
    }
    if schemes.len() > appraisal::MAX_SCHEMES {
        bail!(
            "at most {} schemes can be appraised together (got {}): every set of them is solved",
            appraisal::MAX_SCHEMES,
            schemes.len()
        );
    }
    let cases = if args.cases.is_empty() {
        (1..1usize << schemes.len()).collect()
    } else {
        args.cases
            .iter()
            .map(|c| case_mask(c, &schemes))
            .collect::<Result<_>>()?
    };
    let mut s = Settings::defaults(ds, schemes, scenario_growth, choice);
    s.cases = cases;
    s.solved_years = args.years.clone();
    s.start = args.from;
    s.horizon = args.to;
    s.discount_rate = args.rate / 100.0;
    s.financial_rate = args.financial_rate.unwrap_or(args.rate) / 100.0;
    if let Some(g) = args.growth {
        s.growth_percent = g;
    }
    s.draws = args.draws;
    s.seed = args.seed;
    Ok(s)
}

fn case_mask(case: &str, schemes: &[Scheme]) -> Result<usize> {
    let mut mask = 0;
    for id in case.split('+').map(str::trim) {
        let i = schemes.iter().position(|s| s.id == id).ok_or_else(|| {
            anyhow!(
                "--cases `{case}`: no scheme `{id}`; schemes: {}",
                schemes
                    .iter()
                    .map(|s| s.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })?;
        mask |= 1 << i;
    }
    Ok(mask)
}

/// Solves the appraisal with a progress bar (hidden when `quiet`).
pub fn solve(args: &Args, quiet: bool) -> Result<(Appraisal, String)> {
    let located = locate(Some(&args.scenario), None).map_err(|p| anyhow!("{p}"))?;
    let scenario = located.with_parents().map_err(|p| anyhow!("{p}"))?;
    let ds = located.base().map_err(|p| anyhow!("{p}"))?;
    let applied = scenario
        .apply(&ds, &located.label)
        .map_err(|p| anyhow!("{p}"))?;
    let choice = RouteChoice::from_settings(&applied.assignment);
    let settings = settings(args, &ds, scenario.demand.growth_percent_per_year, choice)?;
    let runs = appraisal::run_keys(&settings).len();
    let bar = indicatif::ProgressBar::new(runs as u64);
    if quiet {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "appraise {spinner} {bar:40} {pos}/{len} model runs {elapsed} (about {eta} left)",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let a = appraisal::appraise(
        &ds,
        &scenario,
        &located.label,
        &settings,
        &|| bar.inc(1),
        &|| false,
    )
    .map_err(|e| anyhow!("{e}"))?;
    bar.finish_and_clear();
    Ok((a, applied.name))
}

/// `karvan appraise`.
pub fn appraise(args: &Args, json: bool) -> Result<ExitCode> {
    let (a, name) = solve(args, json)?;
    load::check_finite_but("appraisal results", &a, OPTIONAL)?;
    let md = karvan_report::appraisal::markdown(&a);
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("out").join(format!("appraisal-{}", load::slug(&name))));
    let dir = karvan_report::OutputDir::create(&out)?;
    dir.write("appraisal.md", md.as_bytes())?;
    for (file, bytes) in karvan_report::appraisal::tables(&a)? {
        dir.write(file, &bytes)?;
    }
    dir.write(
        "appraisal.html",
        karvan_report::appraisal::html_document(&a).as_bytes(),
    )?;
    dir.write(
        "appraisal.json",
        serde_json::to_string_pretty(&a)?.as_bytes(),
    )?;
    dir.commit()
        .with_context(|| format!("writing {}", out.display()))?;
    if json {
        println!("{}", serde_json::to_string_pretty(&a)?);
    } else {
        print!("{}", summary(&a));
        println!(
            "\nThe cases, countries, financiers, tornado and Monte Carlo are in {}/",
            out.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// What the terminal shows: the cases table of `appraisal.md`.
fn summary(a: &Appraisal) -> String {
    let md = karvan_report::appraisal::markdown(a);
    let end = md.find("\n## Case ").unwrap_or(md.len());
    md[..end].to_string()
}
