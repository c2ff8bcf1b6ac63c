//! `karvan sweep`: many variants of a scenario at once — expanded from a sweep file, run
//! on all cores with a progress bar or handed to a Slurm cluster as a job array, one row
//! per variant, resumable — and what the variants add up to.

mod figures;
mod parquet;
mod slurm;
mod store;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{anyhow, bail, Context, Result};
use karvan_data::dataset::Dataset;
use karvan_data::scenario::Scenario;
use karvan_data::sweep::{cell, SweepSpec, Variant};
use rayon::prelude::*;

use store::SweepDir;

/// Options of `karvan sweep`.
#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct Args {
    #[command(subcommand)]
    pub action: Option<Action>,
    /// The sweep file (TOML): base scenario, dimensions, design, analyses.
    #[arg(required = true)]
    pub spec: Option<PathBuf>,
    /// Results folder. Default: out/sweep-<name>.
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// List the variants and estimate the time; run nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Threads for a local run. Default: every core.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
    /// Submit to Slurm as a job array instead of running here.
    #[arg(long)]
    pub slurm: bool,
    #[command(flatten)]
    pub cluster: slurm::Options,
}

#[derive(clap::Subcommand)]
pub enum Action {
    /// How far a sweep has got: finished, failed and pending variants, and its Slurm job.
    Status { dir: PathBuf },
    /// Merge a sweep's rows into results.csv and its summary; lists what is missing.
    Collect { dir: PathBuf },
    /// Run one task's share of a sweep (what a Slurm array task runs).
    #[command(hide = true)]
    Shard {
        dir: PathBuf,
        #[arg(long)]
        task: usize,
        #[arg(long)]
        of: usize,
    },
}

/// A sweep ready to run: its spec, variants, base scenario and dataset.
pub struct Prepared {
    pub spec: SweepSpec,
    pub variants: Vec<Variant>,
    base: Scenario,
    dataset: Dataset,
    /// The spec as stored in the folder, with its base scenario's path made absolute.
    pub text: String,
}

/// Reads a sweep file and everything its variants need.
pub fn prepare(path: &Path) -> Result<Prepared> {
    let mut spec = SweepSpec::load(path)?;
    if spec.name.is_none() {
        spec.name = path.file_stem().map(|s| s.to_string_lossy().into_owned());
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    let file = dir.join(&spec.base);
    if file.is_file() {
        spec.base = std::fs::canonicalize(&file)?.display().to_string();
    }
    let text = toml::to_string(&spec)?;
    from_spec(spec, text)
}

fn from_spec(spec: SweepSpec, text: String) -> Result<Prepared> {
    let located = karvan_data::locate(Some(&spec.base), None).map_err(|p| anyhow!("{p}"))?;
    let mut base = located.with_parents().map_err(|p| anyhow!("{p}"))?;
    base.extends = None;
    let dataset = located.base().map_err(|p| anyhow!("{p}"))?;
    let variants = spec.expand();
    Ok(Prepared {
        spec,
        variants,
        base,
        dataset,
        text,
    })
}

impl Prepared {
    /// Runs one variant's analyses and keeps the figures the spec asks for.
    pub fn run_one(&self, v: &Variant) -> Result<figures::Figures> {
        let scenario = self.spec.apply(&self.base, v)?;
        let applied = scenario
            .apply(&self.dataset, &v.id)
            .map_err(|p| anyhow!("{p}"))?;
        let appraise = self.spec.appraise_options(v)?;
        let inputs = figures::Inputs {
            dataset: &self.dataset,
            scenario: &scenario,
            label: &v.id,
            appraise: &appraise,
        };
        let all = figures::figures(&self.spec.analyses, applied, &inputs)?;
        Ok(all
            .into_iter()
            .filter(|(n, _)| figures::kept(&self.spec.figures, n))
            .collect())
    }

    fn default_out(&self) -> PathBuf {
        Path::new("out").join(format!(
            "sweep-{}",
            crate::load::slug(self.spec.name.as_deref().unwrap_or("sweep"))
        ))
    }

    /// Runs `ids` (all when `None`) not yet finished, writing each row as it ends; a
    /// variant that fails leaves its message in errors/ and the others go on. Returns
    /// how many failed.
    fn run_pending(&self, dir: &SweepDir, ids: Option<&[String]>, bar: bool) -> Result<usize> {
        let finished = dir.finished()?;
        let pending: Vec<&Variant> = self
            .variants
            .iter()
            .filter(|v| ids.is_none_or(|ids| ids.contains(&v.id)))
            .filter(|v| !finished.contains(&v.id))
            .collect();
        let progress = indicatif::ProgressBar::new(pending.len() as u64);
        if !bar {
            progress.set_draw_target(indicatif::ProgressDrawTarget::hidden());
        }
        progress.set_style(
            indicatif::ProgressStyle::with_template(
                "sweep {bar:30} {pos}/{len} variants {elapsed} (eta {eta})",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        std::fs::create_dir_all(dir.path.join("errors"))?;
        let failed = pending
            .par_iter()
            .map(|v| {
                let outcome = self
                    .run_one(v)
                    .and_then(|f| dir.write_row(&self.spec, v, &f));
                progress.inc(1);
                match outcome {
                    Ok(()) => {
                        let _ = std::fs::remove_file(dir.path.join(format!("errors/{}.txt", v.id)));
                        0
                    }
                    Err(e) => {
                        let _ =
                            dir.write_atomic(&format!("errors/{}.txt", v.id), &format!("{e:#}\n"));
                        1
                    }
                }
            })
            .sum();
        progress.finish_and_clear();
        Ok(failed)
    }
}

/// `karvan sweep`.
pub fn sweep(args: &Args) -> Result<ExitCode> {
    match &args.action {
        Some(Action::Status { dir }) => return status(dir),
        Some(Action::Collect { dir }) => return collect(dir),
        Some(Action::Shard { dir, task, of }) => return shard(dir, *task, *of),
        None => {}
    }
    let path = args.spec.as_ref().context("name a sweep file")?;
    let p = prepare(path)?;
    let threads = args
        .threads
        .map_or_else(rayon::current_num_threads, usize::from);
    if args.dry_run {
        return dry_run(&p, threads);
    }
    let out = args.out.clone().unwrap_or_else(|| p.default_out());
    let dir = SweepDir::open(&out, &p.text)?;
    dir.write_variants(&p.spec, &p.variants)?;
    if args.slurm {
        return slurm::submit(&dir, &p, &args.cluster);
    }
    let done = dir.finished()?.len();
    if done > 0 {
        eprintln!(
            "resuming: {done} of {} variants already finished are kept",
            p.variants.len()
        );
    }
    let t = Instant::now();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    let failed = pool.install(|| p.run_pending(&dir, None, true))?;
    let table = merge(&dir, &p)?;
    println!(
        "{} of {} variants finished in {:.1} s on {threads} threads; results in {}",
        table.rows.len(),
        p.variants.len(),
        t.elapsed().as_secs_f64(),
        dir.path.join("results.csv").display()
    );
    if failed > 0 {
        eprintln!(
            "{failed} variants failed; their messages are in {}; run the sweep again to retry them",
            dir.path.join("errors").display()
        );
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

fn dry_run(p: &Prepared, threads: usize) -> Result<ExitCode> {
    let n = p.variants.len();
    println!(
        "{} variants ({} design) of `{}`; analyses: {}",
        n,
        p.spec.design,
        p.spec.base,
        p.spec.analyses.join(", ")
    );
    let names: Vec<&str> = p.spec.dimensions.iter().map(|d| d.name.as_str()).collect();
    println!("id,{}", names.join(","));
    for v in p.variants.iter().take(20) {
        let cells: Vec<String> = v.values.iter().map(cell).collect();
        println!("{},{}", v.id, cells.join(","));
    }
    if n > 20 {
        println!("… and {} more", n - 20);
    }
    if let Some(first) = p.variants.first() {
        let t = Instant::now();
        p.run_one(first)?;
        let one = t.elapsed().as_secs_f64();
        println!(
            "one variant took {one:.3} s; all {n} on {threads} threads: about {:.1} s",
            one * n as f64 / threads as f64
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads a sweep folder back: its prepared sweep.
fn reopen(dir: &Path) -> Result<(SweepDir, Prepared)> {
    let (d, text) = SweepDir::existing(dir)?;
    let spec = SweepSpec::parse(&text, &dir.join("sweep.toml").display().to_string())?;
    let p = from_spec(spec, text)?;
    Ok((d, p))
}

fn shard(dir: &Path, task: usize, of: usize) -> Result<ExitCode> {
    if of == 0 || task >= of {
        bail!("task {task} of {of}: the task is 0 to of − 1");
    }
    let (d, p) = reopen(dir)?;
    let ids = slurm::task_ids(&d, task, of)?;
    let threads = std::env::var("SLURM_CPUS_PER_TASK")
        .ok()
        .and_then(|s| s.parse::<usize>().ok())
        .unwrap_or(1);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    let failed = pool.install(|| p.run_pending(&d, Some(&ids), false))?;
    println!(
        "task {task} of {of}: {} variants, {failed} failed",
        ids.len()
    );
    Ok(if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn status(dir: &Path) -> Result<ExitCode> {
    let (d, p) = reopen(dir)?;
    let finished = d.finished()?;
    let failed = failed_ids(&d, &finished)?;
    let n = p.variants.len();
    println!(
        "{}: {} of {n} variants finished, {} failed, {} pending",
        dir.display(),
        finished.len(),
        failed.len(),
        n.saturating_sub(finished.len() + failed.len())
    );
    for id in failed.iter().take(20) {
        println!(
            "  failed: {id} ({})",
            dir.join(format!("errors/{id}.txt")).display()
        );
    }
    slurm::print_status(&d)?;
    Ok(ExitCode::SUCCESS)
}

/// The variants whose error is written and whose row is not.
fn failed_ids(d: &SweepDir, finished: &BTreeSet<String>) -> Result<Vec<String>> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(d.path.join("errors")) {
        for e in entries {
            let name = e?.file_name().to_string_lossy().into_owned();
            if let Some(id) = name.strip_suffix(".txt") {
                if !finished.contains(id) {
                    out.push(id.to_string());
                }
            }
        }
    }
    out.sort();
    Ok(out)
}

fn collect(dir: &Path) -> Result<ExitCode> {
    let (d, p) = reopen(dir)?;
    let table = merge(&d, &p)?;
    let finished = d.finished()?;
    let missing: Vec<&Variant> = p
        .variants
        .iter()
        .filter(|v| !finished.contains(&v.id))
        .collect();
    println!(
        "{} of {} variants merged into {}",
        table.rows.len(),
        p.variants.len(),
        d.path.join("results.csv").display()
    );
    if missing.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!("{} variants are missing:", missing.len());
    for v in missing.iter().take(20) {
        eprintln!("  {}: {}", v.id, slurm::where_to_look(&d, &v.id));
    }
    eprintln!("run the sweep again (with --slurm to resubmit) to compute only these");
    Ok(ExitCode::FAILURE)
}

/// Merges the finished rows and writes the results (CSV and Parquet) and the summary
/// (Markdown and HTML).
fn merge(d: &SweepDir, p: &Prepared) -> Result<karvan_report::sweep::SweepTable> {
    let table = d.table(&p.spec, &p.variants)?;
    d.write_results(&table)?;
    d.write_atomic("summary.md", &karvan_report::sweep::markdown(&table))?;
    d.write_atomic("sweep.html", &karvan_report::sweep::html_document(&table))?;
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A variant's figures are those of the same scenario run alone.
    #[test]
    fn a_variant_equals_its_scenario_run_alone() {
        let dir = tempfile::tempdir().expect("tempdir");
        let spec = dir.path().join("s.toml");
        std::fs::write(
            &spec,
            "base = \"today\"\n[[dimension]]\nname = \"uzb\"\nset = \"tariff.UZB.percent\"\nvalues = [-30, 0]\n[[dimension]]\nname = \"growth\"\nset = \"demand.growth_percent_per_year\"\nvalues = [2.5]\n",
        )
        .expect("write");
        let p = prepare(&spec).expect("prepares");
        assert_eq!(p.variants.len(), 2);
        let swept = p.run_one(&p.variants[0]).expect("runs");
        let alone = dir.path().join("alone.toml");
        std::fs::write(
            &alone,
            "base = \"central-asia-afghanistan\"\nextends = \"today\"\n[demand]\ngrowth_percent_per_year = 2.5\n[[tariff]]\ncountry = \"UZB\"\npercent = -30\n",
        )
        .expect("write");
        let located =
            karvan_data::locate(Some(alone.to_str().expect("utf-8")), None).expect("finds");
        let scenario = located.with_parents().expect("parents");
        let applied = located.applied().expect("applies");
        let dataset = located.base().expect("dataset");
        let inputs = figures::Inputs {
            dataset: &dataset,
            scenario: &scenario,
            label: "alone",
            appraise: &Default::default(),
        };
        let by_hand = figures::figures(&["run".to_string()], applied, &inputs).expect("runs");
        assert_eq!(swept, by_hand);
        let other = p.run_one(&p.variants[1]).expect("runs");
        assert_ne!(swept, other);
    }
}
