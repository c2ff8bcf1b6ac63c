//! What the server remembers: where saved scenarios live, and the runs it has made.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use karvan_model::RunResults;

/// A run's state. Results are stored only when the run succeeds.
#[derive(Clone)]
pub enum Run {
    Running {
        scenario: String,
    },
    Done {
        scenario: String,
        results: Arc<RunResults>,
        flows: Arc<String>,
    },
    Failed {
        scenario: String,
        error: String,
    },
}

/// A tariff game's state: coalitions solved so far, then the analysis or the error.
#[derive(Clone)]
pub enum GameJob {
    Running { done: usize, total: usize },
    Done(Arc<karvan_policy::GameAnalysis>),
    Failed(String),
}

/// A resilience analysis's state: elements and years solved so far, then the result.
#[derive(Clone)]
pub enum ResilienceJob {
    Running { done: usize, total: usize },
    Done(Arc<karvan_policy::resilience::ResilienceAnalysis>),
    Failed(String),
}

/// Shared state of the server.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    scenario_dir: PathBuf,
    runs: Mutex<HashMap<u64, Run>>,
    games: Mutex<HashMap<u64, GameJob>>,
    resilience: Mutex<HashMap<u64, ResilienceJob>>,
    next: AtomicU64,
}

impl AppState {
    pub fn new(scenario_dir: PathBuf) -> AppState {
        AppState {
            inner: Arc::new(Inner {
                scenario_dir,
                runs: Mutex::new(HashMap::new()),
                games: Mutex::new(HashMap::new()),
                resilience: Mutex::new(HashMap::new()),
                next: AtomicU64::new(1),
            }),
        }
    }

    /// Where saved scenarios are written and read (`<name>.toml`).
    pub fn scenario_dir(&self) -> &std::path::Path {
        &self.inner.scenario_dir
    }

    /// Records a new run as running and returns its id.
    pub fn start(&self, scenario: &str) -> u64 {
        let id = self.inner.next.fetch_add(1, Ordering::Relaxed);
        self.set(
            id,
            Run::Running {
                scenario: scenario.to_string(),
            },
        );
        id
    }

    pub fn set(&self, id: u64, run: Run) {
        if let Ok(mut runs) = self.inner.runs.lock() {
            runs.insert(id, run);
        }
    }

    /// Records a new game job and returns its id.
    pub fn start_game(&self, total: usize) -> u64 {
        let id = self.inner.next.fetch_add(1, Ordering::Relaxed);
        self.set_game(id, GameJob::Running { done: 0, total });
        id
    }

    pub fn set_game(&self, id: u64, job: GameJob) {
        if let Ok(mut g) = self.inner.games.lock() {
            g.insert(id, job);
        }
    }

    /// Counts one more coalition solved for game `id`.
    pub fn game_progress(&self, id: u64) {
        if let Ok(mut g) = self.inner.games.lock() {
            if let Some(GameJob::Running { done, .. }) = g.get_mut(&id) {
                *done += 1;
            }
        }
    }

    pub fn game(&self, id: u64) -> Option<GameJob> {
        self.inner
            .games
            .lock()
            .ok()
            .and_then(|g| g.get(&id).cloned())
    }

    /// Records a new resilience job and returns its id.
    pub fn start_resilience(&self, total: usize) -> u64 {
        let id = self.inner.next.fetch_add(1, Ordering::Relaxed);
        self.set_resilience(id, ResilienceJob::Running { done: 0, total });
        id
    }

    pub fn set_resilience(&self, id: u64, job: ResilienceJob) {
        if let Ok(mut r) = self.inner.resilience.lock() {
            r.insert(id, job);
        }
    }

    /// Counts one more element or year solved for resilience job `id`.
    pub fn resilience_progress(&self, id: u64) {
        if let Ok(mut r) = self.inner.resilience.lock() {
            if let Some(ResilienceJob::Running { done, .. }) = r.get_mut(&id) {
                *done += 1;
            }
        }
    }

    pub fn resilience(&self, id: u64) -> Option<ResilienceJob> {
        self.inner
            .resilience
            .lock()
            .ok()
            .and_then(|r| r.get(&id).cloned())
    }

    pub fn get(&self, id: u64) -> Option<Run> {
        self.inner
            .runs
            .lock()
            .ok()
            .and_then(|r| r.get(&id).cloned())
    }
}
