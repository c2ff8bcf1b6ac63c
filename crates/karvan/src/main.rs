//! `karvan`: the command-line program. Thin: it parses arguments, loads the dataset and
//! scenario, calls the model and writes the reports.

mod appraise;
mod assign;
mod calibration;
mod commands;
mod game;
mod load;
mod power;
mod print;
mod resilience;
mod sweep;
mod water;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use karvan_data::limits::{self, Limit};

/// Generalized cost per unit of a TNTP toll or length.
const COST_FACTOR: Limit = Limit {
    what: "the cost factor",
    min: 0.0,
    max: 1e6,
};

/// Threads for the benchmark.
const THREADS: Limit = Limit {
    what: "the thread count",
    min: 1.0,
    max: 1024.0,
};

/// A flag's value parser: a number in `limit`'s range, NaN and infinities refused.
pub(crate) fn number(limit: &'static Limit) -> impl Fn(&str) -> Result<f64, String> + Clone {
    move |s| limit.parse(s)
}

/// A flag's value parser: a whole number in `limit`'s range.
pub(crate) fn count(limit: &'static Limit) -> impl Fn(&str) -> Result<usize, String> + Clone {
    move |s| limit.parse_count(s)
}

/// A day of the year, 1–365, or a date `MM-DD` in a 365-day year.
fn day_of_year(s: &str) -> Result<f64, String> {
    if let Some((m, d)) = s.trim().split_once('-').filter(|(m, _)| !m.is_empty()) {
        let (m, d): (usize, u32) = match (m.parse(), d.parse()) {
            (Ok(m), Ok(d)) => (m, d),
            _ => {
                return Err(format!(
                    "`{s}` is not a date as MM-DD (10-12 is 12 October)"
                ))
            }
        };
        const DAYS: [u32; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
        if !(1..=12).contains(&m) || d == 0 || d > DAYS[m - 1] {
            return Err(format!("`{s}` is not a date of a 365-day year"));
        }
        return Ok(f64::from(DAYS[..m - 1].iter().sum::<u32>() + d));
    }
    let day = limits::START_DAY.parse(s)?;
    if day.fract() != 0.0 {
        return Err(format!("the start day `{s}` must be a whole day"));
    }
    Ok(day)
}

/// Freight corridors, transit tariffs and projects between Central Asia, Afghanistan and
/// South Asia: which route, at what cost, who earns what, what changes.
#[derive(Parser)]
#[command(name = "karvan", version, about, long_about = None)]
struct Cli {
    /// Print machine-readable JSON instead of tables.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Route the whole demand matrix of a scenario and write the results.
    Run {
        /// Scenario file, or the name of a shipped scenario (today, trans-afghan,
        /// western-railway, torkham-chaman-closed, uzbekistan-tariff-cut). Default: the
        /// embedded dataset as it is in its base year.
        scenario: Option<String>,
        /// Output folder (replaced whole when the run succeeds). Default: out/<scenario>.
        #[arg(long, short)]
        out: Option<PathBuf>,
        #[command(flatten)]
        choice: ChoiceArgs,
    },
    /// The best route between two places and its distinct alternatives, country by country.
    Route {
        /// Where the cargo starts (a place name or id; spelling variants are fine).
        from: String,
        /// Where the cargo goes.
        to: String,
        /// Commodity id (see `karvan list commodities`).
        #[arg(long, short, default_value = "container")]
        commodity: String,
        /// How many alternatives to list after the best route; they cross different borders.
        #[arg(long, short, default_value_t = 3, value_parser = count(&limits::ALTERNATIVES))]
        alternatives: usize,
        /// Scenario file or shipped scenario name. Default: the embedded dataset.
        #[arg(long, short)]
        scenario: Option<String>,
        /// Where to write the time/cost–distance staircase CSV.
        /// Default: out/route-<from>-<to>-<commodity>.csv.
        #[arg(long)]
        staircase: Option<PathBuf>,
    },
    /// Run two scenarios and show what changes from A to B.
    Compare {
        /// The baseline scenario (file or shipped name; `base` for the embedded dataset).
        a: String,
        /// The scenario compared with it.
        b: String,
        /// Output folder. Default: out/compare-<a>-<b>.
        #[arg(long, short)]
        out: Option<PathBuf>,
        #[command(flatten)]
        choice: ChoiceArgs,
    },
    /// Solve a standard TNTP benchmark network to equilibrium and print the convergence.
    Assign {
        /// Folder with `*_net.tntp` and `*_trips.tntp` (plain or .gz), and optionally
        /// `*_flow.tntp` with the best-known flows to compare with.
        #[arg(long)]
        tntp: PathBuf,
        /// aon, msa, fw, cfw, bfw or bush (Algorithm B).
        #[arg(long, short, default_value = "bush")]
        algorithm: String,
        /// Stop at this relative gap (TSTT / SPTT − 1).
        #[arg(long, default_value_t = 1e-6, value_parser = number(&limits::GAP))]
        gap: f64,
        /// Stop after this many iterations.
        #[arg(long, default_value_t = 1000, value_parser = count(&limits::MAX_ITERATIONS))]
        max_iterations: usize,
        /// Generalized cost per unit of toll. Default: 0, or 0.02 for ChicagoSketch (its README).
        #[arg(long, value_parser = number(&COST_FACTOR))]
        toll_factor: Option<f64>,
        /// Generalized cost per unit of length. Default: 0, or 0.04 for ChicagoSketch.
        #[arg(long, value_parser = number(&COST_FACTOR))]
        distance_factor: Option<f64>,
        /// Where to write the link flows (CSV). Default: out/assign-<network>.csv.
        #[arg(long, short)]
        out: Option<PathBuf>,
    },
    /// Time the equilibrium engine to a series of gaps on TNTP networks, 1 and 2 threads.
    Bench {
        /// TNTP network folders (repeat the flag for several).
        #[arg(long, required = true)]
        tntp: Vec<PathBuf>,
        /// Gaps to time, comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "1e-4,1e-6,1e-8,1e-10", value_parser = number(&limits::GAP))]
        gaps: Vec<f64>,
        /// Thread counts to run with, comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "1,2", value_parser = count(&THREADS))]
        threads: Vec<usize>,
        /// aon, msa, fw, cfw, bfw or bush.
        #[arg(long, short, default_value = "bush")]
        algorithm: String,
        /// Stop a run after this many iterations even if the smallest gap is not reached.
        #[arg(long, default_value_t = 500, value_parser = count(&limits::MAX_ITERATIONS))]
        max_iterations: usize,
    },
    /// Select-link analysis: which origin–destination flows use a link or crossing.
    SelectLink {
        /// Link or crossing id (see `karvan list links|crossings`).
        id: String,
        /// Scenario file or shipped scenario name. Default: the embedded dataset.
        #[arg(long, short)]
        scenario: Option<String>,
        /// Where to write the table (CSV). Default: out/select-link-<id>.csv.
        #[arg(long, short)]
        out: Option<PathBuf>,
        #[command(flatten)]
        choice: ChoiceArgs,
    },
    /// Transit tariffs as a game: Nash equilibrium, coordinated optimum, coalitions and
    /// Shapley values of the countries that carry transit.
    Game {
        /// Scenario file or shipped scenario name. Default: the embedded dataset.
        scenario: Option<String>,
        /// Output folder. Default: out/game-<scenario>.
        #[arg(long, short)]
        out: Option<PathBuf>,
        #[command(flatten)]
        game: game::Args,
    },
    /// What a closure costs over a year: where the cargo goes, the extra cost, lost trade.
    Risk {
        /// Scenario file or shipped scenario name. Default: the embedded dataset.
        scenario: Option<String>,
        /// What closes: link or crossing ids, or a pair of countries such as AFG-PAK for
        /// every crossing between them (comma-separated). Default: the scenario's
        /// `[[disruption]]` entries.
        #[arg(long, value_delimiter = ',')]
        close: Vec<String>,
        /// Day of the year the closure starts: 1 is 1 January, 285 is 12 October (a
        /// 365-day year); or a date as MM-DD (10-12).
        #[arg(long, default_value = "1", value_parser = day_of_year)]
        start: f64,
        /// Days it lasts (the year ends the closure: days past 31 December are not counted).
        #[arg(long, default_value_t = 365.0, value_parser = number(&limits::CLOSURE_DAYS))]
        days: f64,
        /// A partial closure: the share of capacity left (0–1). The elements need a
        /// capacity in the dataset.
        #[arg(long, value_parser = number(&limits::CAPACITY_SHARE))]
        capacity_share: Option<f64>,
        /// Output folder. Default: out/risk-<scenario>.
        #[arg(long, short)]
        out: Option<PathBuf>,
    },
    /// Criticality of every link and crossing, Monte Carlo years of closures, and how
    /// diversified each country's trade is.
    Resilience {
        /// Scenario file or shipped scenario name. Default: the embedded dataset.
        scenario: Option<String>,
        /// Output folder. Default: out/resilience-<scenario>.
        #[arg(long, short)]
        out: Option<PathBuf>,
        #[command(flatten)]
        args: resilience::Args,
    },
    /// Joint projects over a timeline: economic NPV, BCR, EIRR and payback by case and
    /// country, the financiers' view, whether the corridors complement or substitute
    /// each other, who should pay (proportional shares, Shapley values, the core), a
    /// tornado and a Monte Carlo of the NPV.
    Appraise {
        #[command(flatten)]
        args: appraise::Args,
    },
    /// The river basin month by month: flows at the gauges against observations,
    /// deliveries and shortages by canal and country, and what a diversion takes.
    Water {
        #[command(flatten)]
        args: water::Args,
    },
    /// Electricity across the borders month by month: imports by supplier, the import
    /// share, unserved energy by grid island, nodal prices and line loadings; projects
    /// and dry years compared in winter and summer; the water-for-power bargaining view.
    Power {
        #[command(flatten)]
        args: power::Args,
    },
    /// Many variants of a scenario at once: a sweep file's grid, list or Latin-hypercube
    /// sample run on all cores or as a Slurm job array, one row per variant, resumable;
    /// `sweep status DIR` and `sweep collect DIR` follow and merge it.
    Sweep {
        #[command(flatten)]
        args: sweep::Args,
    },
    /// The base year against what is observed: every observation of the dataset with the
    /// run's prediction, errors, GEH and range, and summary statistics.
    Fit {
        /// Scenario file or shipped scenario name. Default: the embedded dataset.
        scenario: Option<String>,
        /// Output folder. Default: out/fit-<scenario>.
        #[arg(long, short)]
        out: Option<PathBuf>,
    },
    /// Fit the base year's demand (and uncertain parameters) to the observations; writes
    /// the changes as a scenario, each with its value before and after.
    Calibrate {
        /// Scenario file or shipped scenario name. Default: the embedded dataset.
        scenario: Option<String>,
        /// The calibrated scenario to write. Default: <scenario>-calibrated.toml.
        #[arg(long, short)]
        out: Option<PathBuf>,
        #[command(flatten)]
        args: calibration::Args,
    },
    /// Write one self-contained HTML report (charts and map inline; opens offline).
    Report {
        /// Scenario file or shipped scenario name. Default: the embedded dataset.
        scenario: Option<String>,
        /// Also compare with this baseline scenario.
        #[arg(long)]
        compare: Option<String>,
        /// Where to write the report. Default: out/report-<scenario>.html.
        #[arg(long, short)]
        out: Option<PathBuf>,
        /// Add the transit-tariff game (see `karvan game`; its flags apply).
        #[arg(long = "game")]
        with_game: bool,
        /// Add the resilience analysis (see `karvan resilience`; its flags apply).
        #[arg(long = "resilience")]
        with_resilience: bool,
        /// Add the project appraisal of the default schemes on this scenario (see
        /// `karvan appraise`, whose defaults apply).
        #[arg(long = "appraise")]
        with_appraisal: bool,
        /// Add the power grid's year under the scenario's `[power]` table (see
        /// `karvan power`).
        #[arg(long = "power")]
        with_power: bool,
        #[command(flatten)]
        resilience: resilience::Args,
        #[command(flatten)]
        game: game::Args,
        #[command(flatten)]
        choice: ChoiceArgs,
    },
    /// Serve the web page and the JSON API on this machine.
    Serve {
        /// Port to listen on (0 picks a free one).
        #[arg(long, short, default_value_t = 8080)]
        port: u16,
        /// Address to bind; the default keeps the server private to this machine.
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// The embedded dataset to serve.
        #[arg(long, default_value = karvan_data::embedded::DEFAULT)]
        dataset: String,
        /// Folder where scenarios saved from the page are written (as `<name>.toml`,
        /// which `karvan run` reads too).
        #[arg(long, default_value = "scenarios")]
        scenario_dir: PathBuf,
        /// Folder whose sweep folders (`karvan sweep FILE -o <dir>/sweep-NAME`) the Sweeps
        /// tab shows; only read.
        #[arg(long, default_value = "out")]
        sweep_dir: PathBuf,
    },
    /// Check a dataset folder or a scenario file and report every problem.
    Validate {
        /// Dataset folder or scenario file. Default: the embedded dataset.
        path: Option<PathBuf>,
    },
    /// Print the dataset format: every table, column, unit and default.
    Schema,
    /// List the ids of a dataset's elements, for writing scenarios.
    List {
        /// What to list.
        #[arg(value_enum)]
        what: commands::ListWhat,
        /// Scenario file or shipped scenario name. Default: the embedded dataset.
        #[arg(long, short)]
        scenario: Option<String>,
    },
    /// Work with scenario files.
    Scenario {
        #[command(subcommand)]
        action: ScenarioAction,
    },
}

/// How freight chooses routes in `run` and `compare`; each flag overrides the scenario's
/// `[assignment]` table.
#[derive(clap::Args, Clone, Default)]
struct ChoiceArgs {
    /// `equilibrium` (default): shipments spread over routes as crossings and lines
    /// congest; `logit`: stochastic equilibrium, shippers also weigh what the costs leave
    /// out; `aon`: every shipment on its cheapest route at free-flow times.
    #[arg(long, value_parser = ["equilibrium", "logit", "aon"])]
    route_choice: Option<String>,
    /// Relative gap at which the equilibrium stops (default 1e-8).
    #[arg(long, value_parser = number(&limits::GAP))]
    gap: Option<f64>,
    /// Most iterations of the equilibrium or logit (default 200).
    #[arg(long, value_parser = count(&limits::MAX_ITERATIONS))]
    max_iterations: Option<usize>,
    /// Logit dispersion per USD/t of generalized cost (default 0.05).
    #[arg(long, value_parser = number(&limits::LOGIT_DISPERSION))]
    dispersion: Option<f64>,
    /// Routes per origin–destination pair for the logit (default 4).
    #[arg(long, value_parser = count(&limits::ROUTES_PER_OD))]
    routes_per_od: Option<usize>,
}

impl ChoiceArgs {
    /// The scenario's settings with these flags on top.
    fn over(
        &self,
        s: &karvan_data::scenario::AssignmentSettings,
    ) -> karvan_data::scenario::AssignmentSettings {
        karvan_data::scenario::AssignmentSettings {
            method: self.route_choice.clone().or_else(|| s.method.clone()),
            gap: self.gap.or(s.gap),
            max_iterations: self.max_iterations.or(s.max_iterations),
            dispersion: self.dispersion.or(s.dispersion),
            routes_per_od: self.routes_per_od.or(s.routes_per_od),
        }
    }
}

#[derive(Subcommand)]
enum ScenarioAction {
    /// Write a commented example scenario.
    New {
        /// Where to write it. Default: print it.
        path: Option<PathBuf>,
        /// Replace the file if it exists.
        #[arg(long)]
        force: bool,
    },
}

/// Lets a closed pipe end the program quietly, as it does any Unix tool (`karvan list
/// links | head -1`), instead of a panic on the next print. The server keeps the default
/// of ignoring the signal, so that a client that hangs up only ends its connection.
#[cfg(unix)]
fn quiet_on_closed_pipe() {
    // SAFETY: restoring a signal's default disposition, before any thread is started.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

#[cfg(not(unix))]
fn quiet_on_closed_pipe() {}

/// The error and its causes, each said once: a cause whose words the message already
/// holds is not repeated ("Is a directory (os error 21)" once, not twice).
fn describe(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if out.contains(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if !matches!(cli.command, Command::Serve { .. }) {
        quiet_on_closed_pipe();
    }
    let json = cli.json;
    let result = match cli.command {
        Command::Run {
            scenario,
            out,
            choice,
        } => commands::run(scenario.as_deref(), out, &choice, json),
        Command::Route {
            from,
            to,
            commodity,
            alternatives,
            scenario,
            staircase,
        } => commands::route(
            &from,
            &to,
            &commodity,
            alternatives,
            scenario.as_deref(),
            staircase,
            json,
        ),
        Command::Compare { a, b, out, choice } => commands::compare(&a, &b, out, &choice, json),
        Command::Assign {
            tntp,
            algorithm,
            gap,
            max_iterations,
            toll_factor,
            distance_factor,
            out,
        } => assign::run(
            &assign::Args {
                dir: tntp,
                algorithm,
                gap,
                max_iterations,
                toll_factor,
                distance_factor,
                out,
            },
            json,
        ),
        Command::Bench {
            tntp,
            gaps,
            threads,
            algorithm,
            max_iterations,
        } => assign::bench(&tntp, &gaps, &threads, &algorithm, max_iterations, json),
        Command::SelectLink {
            id,
            scenario,
            out,
            choice,
        } => commands::select_link(&id, scenario.as_deref(), out, &choice, json),
        Command::Game {
            scenario,
            out,
            game,
        } => game::run(scenario.as_deref(), out, &game, json),
        Command::Risk {
            scenario,
            close,
            start,
            days,
            capacity_share,
            out,
        } => resilience::risk(
            scenario.as_deref(),
            &close,
            start,
            days,
            capacity_share,
            out,
            json,
        ),
        Command::Resilience {
            scenario,
            out,
            args,
        } => resilience::resilience(scenario.as_deref(), &args, out, json),
        Command::Appraise { args } => appraise::appraise(&args, json),
        Command::Water { args } => water::water(&args),
        Command::Power { args } => power::power(&args),
        Command::Sweep { args } => sweep::sweep(&args),
        Command::Fit { scenario, out } => calibration::fit(scenario.as_deref(), out, json),
        Command::Calibrate {
            scenario,
            out,
            args,
        } => calibration::calibrate(scenario.as_deref(), out, &args, json),
        Command::Report {
            scenario,
            compare,
            out,
            with_game,
            game,
            with_resilience,
            resilience,
            with_appraisal,
            with_power,
            choice,
        } => commands::report(
            scenario.as_deref(),
            compare.as_deref(),
            out,
            commands::Extras {
                game: with_game.then_some(&game),
                resilience: with_resilience.then_some(&resilience),
                appraisal: with_appraisal,
                power: with_power,
            },
            &choice,
        ),
        Command::Serve {
            port,
            bind,
            dataset,
            scenario_dir,
            sweep_dir,
        } => commands::serve(port, bind, &dataset, scenario_dir, sweep_dir),
        Command::Validate { path } => commands::validate(path.as_deref(), json),
        Command::Schema => commands::schema(json),
        Command::List { what, scenario } => commands::list(what, scenario.as_deref(), json),
        Command::Scenario {
            action: ScenarioAction::New { path, force },
        } => commands::scenario_new(path, force),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", describe(&e));
            ExitCode::from(2)
        }
    }
}
