//! What the server remembers: where saved scenarios live, and its background jobs.
//!
//! Background jobs (runs, tariff games, resilience analyses, project appraisals) go
//! through one bounded pool: a fixed number of worker threads take jobs from a queue of
//! limited length, and the parallel parts of a job run on a thread pool of their own, so
//! that they do not compete with the requests the server answers meanwhile. A job can be
//! cancelled while it waits or runs; a finished job's result is kept for a while and then
//! forgotten.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use karvan_model::RunResults;

use crate::error::ApiError;

/// The limits of a server. [`Limits::default`] suits an analyst's own machine.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Background jobs that run at the same time (default: the number of cores, at most 4).
    pub workers: usize,
    /// Threads shared by the parallel parts of the running jobs (default: the number of cores).
    pub job_threads: usize,
    /// Jobs that may wait for a worker; one more is refused with 503 (default 16).
    pub queue: usize,
    /// Finished jobs whose results are kept; the oldest is forgotten first (default 32).
    pub keep_finished: usize,
    /// How long a finished job's result is kept (default 30 minutes).
    pub keep_for: Duration,
    /// Requests that compute (routes, select-link, closures, comparisons) at the same
    /// time; more wait their turn (default: twice the number of cores).
    pub request_threads: usize,
    /// Time allowed to send a request's body once its headers have arrived (default 10 s).
    pub body_timeout: Duration,
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            workers: cores().clamp(1, 4),
            job_threads: cores(),
            queue: 16,
            keep_finished: 32,
            keep_for: Duration::from_secs(30 * 60),
            request_threads: 2 * cores(),
            body_timeout: Duration::from_secs(10),
        }
    }
}

/// What kind of background job an id belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Run,
    Game,
    Resilience,
    Appraisal,
}

impl Kind {
    /// How the job is named in messages (`run 4`, `game 7`).
    pub fn noun(self) -> &'static str {
        match self {
            Kind::Run => "run",
            Kind::Game => "game",
            Kind::Resilience => "resilience analysis",
            Kind::Appraisal => "appraisal",
        }
    }
}

/// The result of a job that finished well.
#[derive(Clone)]
pub enum Outcome {
    Run {
        results: Arc<RunResults>,
        flows: Arc<String>,
    },
    Game(Arc<karvan_policy::GameAnalysis>),
    Resilience(Arc<karvan_policy::resilience::ResilienceAnalysis>),
    Appraisal {
        appraisal: Arc<karvan_policy::appraisal::Appraisal>,
        /// Each case's charts as SVG, by case id.
        charts: Arc<serde_json::Value>,
    },
}

/// Where a job is in its life.
#[derive(Clone)]
pub enum Status {
    /// Waiting for a worker.
    Queued,
    Running,
    /// Asked to stop; the worker stops at its next step.
    Cancelling,
    Done(Outcome),
    Failed(String),
    Cancelled,
}

impl Status {
    pub fn word(&self) -> &'static str {
        match self {
            Status::Queued => "queued",
            Status::Running => "running",
            Status::Cancelling => "cancelling",
            Status::Done(_) => "done",
            Status::Failed(_) => "failed",
            Status::Cancelled => "cancelled",
        }
    }

    fn finished(&self) -> bool {
        matches!(
            self,
            Status::Done(_) | Status::Failed(_) | Status::Cancelled
        )
    }
}

/// A job as a client sees it.
#[derive(Clone)]
pub struct JobView {
    pub scenario: String,
    pub status: Status,
    /// Steps done and steps in all (coalitions; elements and sampled years; model runs).
    pub done: usize,
    pub total: usize,
}

/// Why a job id has nothing to show.
pub enum Missing {
    /// No such job of this kind was ever started.
    Unknown,
    /// The job finished and its result has been forgotten.
    Expired,
}

/// What a job sees of itself while it runs: it reports steps and stops when cancelled.
pub struct JobCtx {
    progress: Arc<Progress>,
}

struct Progress {
    done: AtomicUsize,
    cancel: AtomicBool,
}

/// The marker a cancelled job unwinds with (never shown to anyone).
struct Cancelled;

impl JobCtx {
    /// Counts one step done.
    pub fn step(&self) {
        self.progress.done.fetch_add(1, Ordering::Relaxed);
    }

    /// Whether the job has been cancelled (for analyses that ask before each step).
    pub fn cancelled(&self) -> bool {
        self.progress.cancel.load(Ordering::Relaxed)
    }

    /// Stops the job here if it has been cancelled. Unwinding is how a job stops in the
    /// middle of an analysis that only reports progress through a callback; the worker
    /// catches it and records the job as cancelled.
    pub fn check(&self) {
        if self.cancelled() {
            std::panic::resume_unwind(Box::new(Cancelled));
        }
    }
}

type Work = Box<dyn FnOnce(&JobCtx) -> Result<Outcome, String> + Send>;

struct Entry {
    kind: Kind,
    scenario: String,
    status: Status,
    total: usize,
    progress: Arc<Progress>,
}

#[derive(Default)]
struct Table {
    jobs: HashMap<u64, Entry>,
    queue: VecDeque<(u64, Work)>,
    /// Finished jobs in the order they finished.
    finished: VecDeque<(u64, Instant)>,
    /// Ids whose results were forgotten (the most recent ones), to say so when asked.
    expired: BTreeMap<u64, Kind>,
    next: u64,
    workers_started: bool,
    closed: bool,
}

/// How often an idle worker looks for expired results.
const SWEEP: Duration = Duration::from_secs(60);

/// Forgotten ids remembered as expired; older ones are simply unknown.
const EXPIRED_REMEMBERED: usize = 10_000;

struct Jobs {
    limits: Limits,
    table: Mutex<Table>,
    wake: Condvar,
    threads: Mutex<Option<Arc<rayon::ThreadPool>>>,
}

impl Jobs {
    fn lock(&self) -> MutexGuard<'_, Table> {
        // A panic never happens while the table is locked; if it did, the table is
        // still consistent (every change is a single insert or removal).
        self.table.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn expire(&self, t: &mut Table, now: Instant) {
        while let Some(&(id, at)) = t.finished.front() {
            let too_many = t.finished.len() > self.limits.keep_finished.max(1);
            if !too_many && now.duration_since(at) < self.limits.keep_for {
                break;
            }
            t.finished.pop_front();
            if let Some(e) = t.jobs.remove(&id) {
                t.expired.insert(id, e.kind);
                while t.expired.len() > EXPIRED_REMEMBERED {
                    t.expired.pop_first();
                }
            }
        }
    }

    fn finish(&self, t: &mut Table, id: u64, status: Status) {
        if let Some(e) = t.jobs.get_mut(&id) {
            e.status = status;
            let now = Instant::now();
            t.finished.push_back((id, now));
            self.expire(t, now);
        }
    }

    fn worker(self: Arc<Self>) {
        loop {
            let (id, work, progress) = {
                let mut t = self.lock();
                loop {
                    if t.closed {
                        return;
                    }
                    if let Some((id, work)) = t.queue.pop_front() {
                        let Some(e) = t.jobs.get_mut(&id) else {
                            continue;
                        };
                        e.status = Status::Running;
                        break (id, work, e.progress.clone());
                    }
                    // Wake now and then to forget results that have expired meanwhile.
                    t = match self.wake.wait_timeout(t, SWEEP) {
                        Ok((t, _)) => t,
                        Err(p) => p.into_inner().0,
                    };
                    self.expire(&mut t, Instant::now());
                }
            };
            let ctx = JobCtx {
                progress: progress.clone(),
            };
            let pool = self.threads.lock().ok().and_then(|p| p.clone());
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                ctx.check();
                match pool {
                    Some(pool) => pool.install(|| work(&ctx)),
                    None => work(&ctx),
                }
            }));
            let status = match outcome {
                _ if progress.cancel.load(Ordering::Relaxed) => Status::Cancelled,
                Ok(Ok(o)) => Status::Done(o),
                Ok(Err(e)) => Status::Failed(e),
                Err(_) => Status::Failed(format!(
                    "the {} failed unexpectedly; no result was kept",
                    self.lock().jobs.get(&id).map_or("job", |e| e.kind.noun())
                )),
            };
            let mut t = self.lock();
            self.finish(&mut t, id, status);
        }
    }

    fn start_workers(self: &Arc<Self>) {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(self.limits.job_threads.max(1))
            .thread_name(|i| format!("karvan-job-{i}"))
            .build()
            .ok()
            .map(Arc::new);
        if let Ok(mut p) = self.threads.lock() {
            *p = pool;
        }
        for i in 0..self.limits.workers.max(1) {
            let jobs = self.clone();
            // A worker that cannot be started leaves the others; with none, jobs wait
            // in the queue and the queue limit applies.
            let _ = std::thread::Builder::new()
                .name(format!("karvan-worker-{i}"))
                .spawn(move || jobs.worker());
        }
    }
}

/// Scenarios applied to their datasets, by name, with the saved file's bytes they were
/// read from (`None`: a shipped scenario or the base), so that requests reuse them.
#[derive(Default)]
pub struct AppliedCache {
    entries: Mutex<HashMap<String, Applied>>,
}

/// A scenario applied, and the saved file's bytes it was read from.
type Applied = (Option<Vec<u8>>, Arc<karvan_data::Applied>);

/// Scenarios kept applied; when full, the cache starts again empty.
const APPLIED_KEPT: usize = 32;

impl AppliedCache {
    /// The scenario `name` applied, if it was read from exactly `source`.
    pub fn get(&self, name: &str, source: &Option<Vec<u8>>) -> Option<Arc<karvan_data::Applied>> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(name)
            .filter(|(s, _)| s == source)
            .map(|(_, a)| a.clone())
    }

    pub fn put(&self, name: &str, source: Option<Vec<u8>>, applied: Arc<karvan_data::Applied>) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= APPLIED_KEPT && !entries.contains_key(name) {
                entries.clear();
            }
            entries.insert(name.to_string(), (source, applied));
        }
    }
}

/// Where sweeps are read from unless [`AppState::with_sweep_dir`] says otherwise: the
/// folder `karvan sweep` writes into by default, relative to the working directory.
pub const DEFAULT_SWEEP_DIR: &str = "out";

/// Shared state of the server.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
    /// Where finished parameter sweeps are read from (each a folder with a `sweep.toml`).
    sweep_dir: Arc<PathBuf>,
}

struct Inner {
    scenario_dir: PathBuf,
    applied: Arc<AppliedCache>,
    jobs: Arc<Jobs>,
    requests: Arc<tokio::sync::Semaphore>,
    /// Held while the scenario folder changes, so that a check and the change it
    /// depends on are not interleaved with another request's.
    scenario_lock: tokio::sync::Mutex<()>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        let mut t = self.jobs.lock();
        t.closed = true;
        t.queue.clear();
        drop(t);
        self.jobs.wake.notify_all();
    }
}

impl AppState {
    pub fn new(scenario_dir: PathBuf) -> AppState {
        AppState::with_limits(scenario_dir, Limits::default())
    }

    pub fn with_limits(scenario_dir: PathBuf, limits: Limits) -> AppState {
        let requests = Arc::new(tokio::sync::Semaphore::new(limits.request_threads.max(1)));
        AppState {
            inner: Arc::new(Inner {
                scenario_dir,
                applied: Arc::default(),
                jobs: Arc::new(Jobs {
                    limits,
                    table: Mutex::new(Table {
                        next: 1,
                        ..Table::default()
                    }),
                    wake: Condvar::new(),
                    threads: Mutex::new(None),
                }),
                requests,
                scenario_lock: tokio::sync::Mutex::new(()),
            }),
            sweep_dir: Arc::new(PathBuf::from(DEFAULT_SWEEP_DIR)),
        }
    }

    /// The same server, reading sweeps from `dir` (default [`DEFAULT_SWEEP_DIR`]).
    pub fn with_sweep_dir(mut self, dir: PathBuf) -> AppState {
        self.sweep_dir = Arc::new(dir);
        self
    }

    /// Where the sweep folders are (`karvan sweep FILE -o <dir>/sweep-NAME`); only read.
    pub fn sweep_dir(&self) -> &std::path::Path {
        &self.sweep_dir
    }

    pub fn limits(&self) -> &Limits {
        &self.inner.jobs.limits
    }

    /// Where saved scenarios are written and read (`<name>.toml`).
    pub fn scenario_dir(&self) -> &std::path::Path {
        &self.inner.scenario_dir
    }

    /// Scenarios applied by earlier requests.
    pub fn applied_cache(&self) -> Arc<AppliedCache> {
        self.inner.applied.clone()
    }

    /// Held while the scenario folder is checked and changed.
    pub async fn lock_scenarios(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.inner.scenario_lock.lock().await
    }

    /// Runs CPU-bound work of a request off the async workers, at most
    /// [`Limits::request_threads`] at a time, so that light requests stay quick.
    pub async fn compute<T, F>(&self, what: &str, f: F) -> Result<T, ApiError>
    where
        F: FnOnce() -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let permit = self
            .inner
            .requests
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| ApiError::internal("the server is stopping"))?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            f()
        })
        .await
        .map_err(|_| ApiError::internal(format!("the {what} failed unexpectedly")))?
    }

    /// Queues a job; `total` is the number of steps it will report. Refused (503) when
    /// the queue is full.
    pub fn submit(
        &self,
        kind: Kind,
        scenario: &str,
        total: usize,
        work: impl FnOnce(&JobCtx) -> Result<Outcome, String> + Send + 'static,
    ) -> Result<(u64, Status), ApiError> {
        let jobs = &self.inner.jobs;
        let mut t = jobs.lock();
        jobs.expire(&mut t, Instant::now());
        if t.queue.len() >= jobs.limits.queue {
            return Err(ApiError::busy(
                format!(
                    "{} jobs are waiting already, the most this server queues; try again shortly or cancel one",
                    t.queue.len()
                ),
                5,
            ));
        }
        let id = t.next;
        t.next += 1;
        t.jobs.insert(
            id,
            Entry {
                kind,
                scenario: scenario.to_string(),
                status: Status::Queued,
                total,
                progress: Arc::new(Progress {
                    done: AtomicUsize::new(0),
                    cancel: AtomicBool::new(false),
                }),
            },
        );
        t.queue.push_back((id, Box::new(work)));
        let start = !t.workers_started;
        t.workers_started = true;
        drop(t);
        if start {
            jobs.start_workers();
        }
        jobs.wake.notify_one();
        Ok((id, Status::Queued))
    }

    /// A job of `kind` by id.
    pub fn job(&self, kind: Kind, id: u64) -> Result<JobView, Missing> {
        let jobs = &self.inner.jobs;
        let mut t = jobs.lock();
        jobs.expire(&mut t, Instant::now());
        match t.jobs.get(&id) {
            Some(e) if e.kind == kind => Ok(JobView {
                scenario: e.scenario.clone(),
                status: e.status.clone(),
                done: e.progress.done.load(Ordering::Relaxed).min(e.total),
                total: e.total,
            }),
            Some(_) => Err(Missing::Unknown),
            None if t.expired.get(&id) == Some(&kind) => Err(Missing::Expired),
            None => Err(Missing::Unknown),
        }
    }

    /// Cancels a job: a queued one is dropped at once, a running one stops at its next
    /// step. Returns its status afterwards, or `None` when it has already finished.
    pub fn cancel(&self, kind: Kind, id: u64) -> Result<Option<Status>, Missing> {
        let jobs = &self.inner.jobs;
        let mut t = jobs.lock();
        let expired = t.expired.get(&id) == Some(&kind);
        let status = match t.jobs.get_mut(&id) {
            Some(e) if e.kind == kind => {
                if e.status.finished() {
                    return Ok(None);
                }
                e.progress.cancel.store(true, Ordering::Relaxed);
                e.status.clone()
            }
            Some(_) => return Err(Missing::Unknown),
            None if expired => return Err(Missing::Expired),
            None => return Err(Missing::Unknown),
        };
        match status {
            Status::Queued => {
                t.queue.retain(|(q, _)| *q != id);
                jobs.finish(&mut t, id, Status::Cancelled);
                Ok(Some(Status::Cancelled))
            }
            _ => {
                if let Some(e) = t.jobs.get_mut(&id) {
                    e.status = Status::Cancelling;
                }
                Ok(Some(Status::Cancelling))
            }
        }
    }
}
