//! The Slurm backend: a job array whose tasks each take a share of the pending variants
//! and write their rows into the sweep's folder (which the cluster's nodes share).

use std::fmt::Write as _;
use std::process::{Command, ExitCode};

use anyhow::{bail, Context, Result};

use super::store::SweepDir;
use super::Prepared;

/// Cluster options of `karvan sweep --slurm`.
#[derive(clap::Args, Clone, Default)]
pub struct Options {
    /// Slurm partition. Default: the cluster's default.
    #[arg(long, requires = "slurm")]
    pub partition: Option<String>,
    /// Array tasks to split the pending variants over.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub tasks: u32,
    /// Time limit of each task, as Slurm writes it (`30`, `2:00:00`, `1-00:00:00`).
    #[arg(long, requires = "slurm")]
    pub time: Option<String>,
    /// Wait for the job to end (sbatch --wait), then collect.
    #[arg(long, requires = "slurm")]
    pub wait: bool,
}

/// The ids task `task` of `of` runs: every `of`-th pending variant from its own.
pub fn task_ids(d: &SweepDir, task: usize, of: usize) -> Result<Vec<String>> {
    let path = d.path.join("slurm/tasks.txt");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    Ok(text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .filter(|(k, _)| k % of == task)
        .map(|(_, id)| id.trim().to_string())
        .collect())
}

/// `text` as one word for the shell: in single quotes, each `'` in it closed, escaped
/// and reopened.
fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// Writes the array's script and the pending ids, and submits it.
pub fn submit(d: &SweepDir, p: &Prepared, o: &Options) -> Result<ExitCode> {
    let finished = d.finished()?;
    let pending: Vec<&str> = p
        .variants
        .iter()
        .filter(|v| !finished.contains(&v.id))
        .map(|v| v.id.as_str())
        .collect();
    if pending.is_empty() {
        println!(
            "every variant is finished; `karvan sweep collect {}` merges them",
            d.path.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let tasks = (o.tasks as usize).min(pending.len());
    std::fs::create_dir_all(d.path.join("slurm/logs"))?;
    d.write_atomic("slurm/tasks.txt", &(pending.join("\n") + "\n"))?;
    let dir = std::fs::canonicalize(&d.path)?;
    let exe = std::env::current_exe().context("finding the karvan program")?;
    let mut script = String::from("#!/bin/sh\n");
    let _ = writeln!(script, "#SBATCH --job-name=karvan-sweep");
    let _ = writeln!(script, "#SBATCH --array=0-{}", tasks - 1);
    // The log files' path goes on sbatch's command line, which no parser reads: in an
    // #SBATCH line, sbatch would take quotes in the folder's name for its own.
    if let Some(part) = &o.partition {
        let _ = writeln!(script, "#SBATCH --partition={part}");
    }
    if let Some(t) = &o.time {
        let _ = writeln!(script, "#SBATCH --time={t}");
    }
    let _ = writeln!(
        script,
        "exec {} sweep shard {} --task \"$SLURM_ARRAY_TASK_ID\" --of {tasks}",
        shell_quote(&exe.display().to_string()),
        shell_quote(&dir.display().to_string())
    );
    d.write_atomic("slurm/sweep.sbatch", &script)?;
    let mut cmd = Command::new("sbatch");
    cmd.arg("--parsable")
        .arg(format!("--output={}/slurm/logs/%A_%a.log", dir.display()));
    if o.wait {
        cmd.arg("--wait");
    }
    cmd.arg(dir.join("slurm/sweep.sbatch"));
    let out = cmd
        .output()
        .context("running sbatch (is Slurm installed and this a submit host?)")?;
    let job = String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_string();
    if !job.is_empty() {
        d.write_atomic("slurm/job", &format!("{job}\n{tasks}\n"))?;
    }
    // With --wait, sbatch also fails when the job does; without a job id, it never ran.
    if !out.status.success() && (job.is_empty() || !o.wait) {
        bail!(
            "sbatch failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    println!(
        "submitted job {job}: {} variants over {tasks} array tasks; `karvan sweep status {}` follows it",
        pending.len(),
        d.path.display()
    );
    if o.wait {
        return super::collect(&d.path);
    }
    Ok(ExitCode::SUCCESS)
}

/// The job's id and tasks, when the sweep was submitted.
fn job(d: &SweepDir) -> Option<(String, usize)> {
    let text = std::fs::read_to_string(d.path.join("slurm/job")).ok()?;
    let mut lines = text.lines();
    let id = lines.next()?.trim().to_string();
    let tasks = lines.next()?.trim().parse().ok()?;
    Some((id, tasks))
}

/// Prints the Slurm job's state, when the sweep was submitted.
pub fn print_status(d: &SweepDir) -> Result<()> {
    let Some((id, tasks)) = job(d) else {
        return Ok(());
    };
    let q = Command::new("squeue")
        .args(["-h", "-j", &id, "-o", "%i %T"])
        .output();
    match q {
        Ok(o) if o.status.success() => {
            let text = String::from_utf8_lossy(&o.stdout);
            let running = text.lines().count();
            println!("Slurm job {id} ({tasks} tasks): {running} tasks queued or running");
            for l in text.lines().take(20) {
                println!("  {l}");
            }
        }
        _ => println!("Slurm job {id} ({tasks} tasks): squeue did not answer"),
    }
    Ok(())
}

/// Where the reason a variant is missing is written: its error, else its task's log.
pub fn where_to_look(d: &SweepDir, id: &str) -> String {
    let error = d.path.join(format!("errors/{id}.txt"));
    if error.is_file() {
        return format!("failed, see {}", error.display());
    }
    if let Some((job, tasks)) = job(d) {
        if let Ok(text) = std::fs::read_to_string(d.path.join("slurm/tasks.txt")) {
            if let Some(k) = text.lines().position(|l| l.trim() == id) {
                let log = d.path.join(format!("slurm/logs/{job}_{}.log", k % tasks));
                return format!("not written by its task, see {}", log.display());
            }
        }
    }
    "not run yet".into()
}

#[cfg(test)]
mod tests {
    use super::shell_quote;
    use std::process::Command;

    /// The shell reads a quoted path back as the same single word, whatever it holds.
    #[test]
    fn quoted_paths_come_back_whole_from_the_shell() {
        for text in ["/srv/sweeps/a", "/tmp/it's here", "/tmp/$HOME `x` \"y\" ''"] {
            let out = Command::new("sh")
                .arg("-c")
                .arg(format!("printf '%s' {}", shell_quote(text)))
                .output()
                .expect("sh runs");
            assert_eq!(String::from_utf8_lossy(&out.stdout), text);
        }
    }
}
