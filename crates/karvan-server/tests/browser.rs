//! The web page in real headless Chromium: `tests/browser/e2e.mjs` (playwright-core)
//! loads the page from a server on a free loopback port and goes through it as a person
//! would: the map and its labels, routes from Tashkent to Karachi, a tariff cut run and
//! compared, scenarios replaced, renamed, deleted and restored, the game, a border closure
//! and the resilience analysis, downloads, printing and saving the map, cancelling a job,
//! the fit, a project appraisal, the Amu Darya and the power trade with its bargaining view
//! (its header lists every step). `scripts/test` installs Chromium and playwright-core.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn the_page_works_in_headless_chromium() {
    let root = root();
    let script = root.join("tests/browser/e2e.mjs");
    assert!(
        root.join("tests/browser/node_modules/playwright-core")
            .is_dir(),
        "playwright-core is missing: run `npm ci --prefix tests/browser` (scripts/test does it)"
    );
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        PathBuf::from(&chromium).exists(),
        "no Chromium at {chromium}: install Debian's `chromium` (scripts/test does it)"
    );

    // The server, on a free loopback port, in its own runtime.
    let scenarios = tempfile::tempdir().unwrap();
    let dir = scenarios.path().to_path_buf();
    // The Sweeps step writes its small sweep here, where the server reads sweeps.
    let sweeps = tempfile::tempdir().unwrap();
    let sweep_dir = sweeps.path().to_path_buf();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            let state = karvan_server::AppState::new(dir).with_sweep_dir(sweep_dir);
            let app = karvan_server::router(state);
            let _ = karvan_server::serve_on(listener, app).await;
        });
    });
    let addr = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("the server starts");

    let shots = root.join("target/browser-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let mut child = Command::new("node")
        .arg(&script)
        .arg(format!("http://{addr}"))
        .arg(&shots)
        .env("CHROMIUM", &chromium)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node runs");
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > Duration::from_secs(180) {
            let _ = child.kill();
            panic!("the browser test took more than 180 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    assert!(
        status.success(),
        "the browser test failed:\n{stdout}\n{stderr}"
    );
}
