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

/// Shared state of the server.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    scenario_dir: PathBuf,
    runs: Mutex<HashMap<u64, Run>>,
    next: AtomicU64,
}

impl AppState {
    pub fn new(scenario_dir: PathBuf) -> AppState {
        AppState {
            inner: Arc::new(Inner {
                scenario_dir,
                runs: Mutex::new(HashMap::new()),
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

    pub fn get(&self, id: u64) -> Option<Run> {
        self.inner
            .runs
            .lock()
            .ok()
            .and_then(|r| r.get(&id).cloned())
    }
}
