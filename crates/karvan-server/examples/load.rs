//! Load on a local server: route requests from a fixed number of clients while
//! resilience analyses run in the background, then a thousand runs and the memory the
//! server holds afterwards. Everything stays on the loopback interface and the program
//! stops by itself.
//!
//! ```sh
//! cargo run --release -p karvan-server --example load -- [--seconds 20] [--clients 8] [--jobs 2] [--runs 1000]
//! ```

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use karvan_server::{router, serve_with, AppState, ServeOptions};

const ROUTE: &str = "/api/route?from=Tashkent&to=Karachi&commodity=container&alternatives=3";

struct Args {
    seconds: u64,
    clients: usize,
    jobs: usize,
    runs: usize,
}

fn args() -> Result<Args, String> {
    let mut a = Args {
        seconds: 20,
        clients: 8,
        jobs: 2,
        runs: 1000,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        let n: u64 = value
            .parse()
            .map_err(|_| format!("{flag} `{value}` is not a whole number"))?;
        let (name, max) = match flag.as_str() {
            "--seconds" => ("--seconds", 600),
            "--clients" => ("--clients", 200),
            "--jobs" => ("--jobs", 16),
            "--runs" => ("--runs", 100_000),
            _ => return Err(format!("unknown flag {flag}")),
        };
        if n > max || (n == 0 && matches!(name, "--seconds" | "--clients")) {
            return Err(format!("{name} must be from 1 to {max}"));
        }
        match name {
            "--seconds" => a.seconds = n,
            "--clients" => a.clients = n as usize,
            "--jobs" => a.jobs = n as usize,
            _ => a.runs = n as usize,
        }
    }
    Ok(a)
}

/// One HTTP/1.1 keep-alive connection.
struct Client {
    addr: SocketAddr,
    conn: Option<BufReader<TcpStream>>,
}

impl Client {
    fn new(addr: SocketAddr) -> Client {
        Client { addr, conn: None }
    }

    /// Sends a request and returns the status and body.
    fn send(&mut self, method: &str, path: &str, body: &str) -> std::io::Result<(u16, String)> {
        let result = self.try_send(method, path, body);
        if result.is_err() {
            self.conn = None;
        }
        result
    }

    fn try_send(&mut self, method: &str, path: &str, body: &str) -> std::io::Result<(u16, String)> {
        if self.conn.is_none() {
            let s = TcpStream::connect(self.addr)?;
            s.set_nodelay(true)?;
            s.set_read_timeout(Some(Duration::from_secs(60)))?;
            self.conn = Some(BufReader::new(s));
        }
        let bad = |m: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, m.to_string());
        let conn = self.conn.as_mut().ok_or_else(|| bad("no connection"))?;
        let req = format!(
            "{method} {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        conn.get_mut().write_all(req.as_bytes())?;
        let mut line = String::new();
        conn.read_line(&mut line)?;
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| bad("no status line"))?;
        let mut length = 0usize;
        loop {
            line.clear();
            if conn.read_line(&mut line)? == 0 {
                return Err(bad("connection closed in the headers"));
            }
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    length = v.trim().parse().map_err(|_| bad("bad content-length"))?;
                }
            }
        }
        let mut body = vec![0u8; length];
        conn.read_exact(&mut body)?;
        Ok((status, String::from_utf8_lossy(&body).into_owned()))
    }
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

fn rss_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn json_id(body: &str) -> Option<u64> {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v["id"].as_u64())
}

fn status_of(body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v["status"].as_str().map(str::to_string))
        .unwrap_or_default()
}

/// Route requests from `clients` threads for `seconds`, and a health probe every 50 ms.
fn measure(addr: SocketAddr, clients: usize, seconds: u64, label: &str) {
    let stop = Arc::new(AtomicBool::new(false));
    let mut handles = Vec::new();
    for _ in 0..clients {
        let stop = stop.clone();
        handles.push(std::thread::spawn(move || {
            let mut c = Client::new(addr);
            let mut lat = Vec::new();
            let mut errors = 0usize;
            while !stop.load(Ordering::Relaxed) {
                let t = Instant::now();
                match c.send("GET", ROUTE, "") {
                    Ok((200, _)) => lat.push(t.elapsed()),
                    _ => errors += 1,
                }
            }
            (lat, errors)
        }));
    }
    let probe = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut c = Client::new(addr);
            let mut lat = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let t = Instant::now();
                if let Ok((200, _)) = c.send("GET", "/api/health", "") {
                    lat.push(t.elapsed());
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            lat
        })
    };
    let started = Instant::now();
    std::thread::sleep(Duration::from_secs(seconds));
    stop.store(true, Ordering::Relaxed);
    let elapsed = started.elapsed().as_secs_f64();
    let mut lat = Vec::new();
    let mut errors = 0;
    for h in handles {
        if let Ok((l, e)) = h.join() {
            lat.extend(l);
            errors += e;
        }
    }
    let mut health = probe.join().unwrap_or_default();
    lat.sort();
    health.sort();
    println!(
        "| {label} | {clients} | {:.0} | {:.1} | {:.1} | {:.2} | {:.2} | {errors} |",
        lat.len() as f64 / elapsed,
        percentile(&lat, 0.5),
        percentile(&lat, 0.99),
        percentile(&health, 0.5),
        percentile(&health, 0.99),
    );
}

/// Keeps `jobs` resilience analyses running until `stop`; returns how many finished, and
/// how long the cancellation of the others took.
fn background(
    addr: SocketAddr,
    jobs: usize,
    stop: Arc<AtomicBool>,
) -> std::thread::JoinHandle<(usize, Duration)> {
    std::thread::spawn(move || {
        let mut c = Client::new(addr);
        let mut running: Vec<u64> = Vec::new();
        let mut finished = 0;
        while !stop.load(Ordering::Relaxed) {
            while running.len() < jobs {
                match c.send(
                    "POST",
                    "/api/resilience",
                    r#"{"scenario":"base","samples":1000}"#,
                ) {
                    Ok((202, body)) => running.extend(json_id(&body)),
                    _ => break,
                }
            }
            running.retain(
                |id| match c.send("GET", &format!("/api/resilience/{id}"), "") {
                    Ok((200, body)) => {
                        let s = status_of(&body);
                        let live = matches!(s.as_str(), "queued" | "running" | "cancelling");
                        finished += usize::from(!live);
                        live
                    }
                    _ => false,
                },
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let cancelled = Instant::now();
        for id in &running {
            let _ = c.send("DELETE", &format!("/api/resilience/{id}"), "");
        }
        while !running.is_empty() {
            std::thread::sleep(Duration::from_millis(5));
            running.retain(|id| {
                matches!(
                    c.send("GET", &format!("/api/resilience/{id}"), "")
                        .map(|(_, body)| status_of(&body)),
                    Ok(s) if s == "cancelling" || s == "running" || s == "queued"
                )
            });
        }
        (finished, cancelled.elapsed())
    })
}

fn main() -> std::process::ExitCode {
    let a = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("load: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("load: no temporary folder: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("load: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let state = AppState::new(dir.path().to_path_buf());
    let addr = match runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        tokio::spawn(serve_with(listener, router(state), ServeOptions::default()));
        Ok::<_, std::io::Error>(addr)
    }) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("load: cannot listen on 127.0.0.1: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("Server on {addr}, {cores} cores; route requests: GET {ROUTE}");
    println!();
    println!("| background | clients | route req/s | route p50 (ms) | route p99 (ms) | health p50 (ms) | health p99 (ms) | errors |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    measure(addr, a.clients, a.seconds, "none");
    let stop = Arc::new(AtomicBool::new(false));
    let bg = background(addr, a.jobs, stop.clone());
    std::thread::sleep(Duration::from_millis(500));
    measure(
        addr,
        a.clients,
        a.seconds,
        &format!("{} resilience analyses (1,000 years each)", a.jobs),
    );
    stop.store(true, Ordering::Relaxed);
    let (finished, cancel) = bg.join().unwrap_or_default();
    println!();
    println!(
        "Resilience analyses finished during the measurement: {finished}; the running ones were cancelled (DELETE) and stopped within {:.0} ms",
        cancel.as_secs_f64() * 1000.0
    );

    // A thousand runs, then the memory held.
    let before = rss_kib("VmRSS:");
    let started = Instant::now();
    let mut c = Client::new(addr);
    let mut done = 0;
    let mut refused = 0;
    let mut pending: Vec<u64> = Vec::new();
    while done < a.runs {
        while pending.len() < 8 && done + pending.len() < a.runs {
            match c.send("POST", "/api/runs", r#"{"scenario":"base"}"#) {
                Ok((202, body)) => pending.extend(json_id(&body)),
                Ok((503, _)) => {
                    refused += 1;
                    break;
                }
                Ok((s, body)) => {
                    eprintln!("load: a run was refused with {s}: {body}");
                    return std::process::ExitCode::FAILURE;
                }
                Err(e) => {
                    eprintln!("load: {e}");
                    return std::process::ExitCode::FAILURE;
                }
            }
        }
        std::thread::sleep(Duration::from_millis(5));
        pending.retain(|id| match c.send("GET", &format!("/api/runs/{id}"), "") {
            Ok((200, body)) => {
                let live = matches!(status_of(&body).as_str(), "queued" | "running");
                done += usize::from(!live);
                live
            }
            _ => {
                done += 1;
                false
            }
        });
    }
    println!(
        "{} runs in {:.1} s ({refused} submissions refused with 503 and retried); VmRSS {} MiB before, {} MiB after; VmHWM {} MiB",
        a.runs,
        started.elapsed().as_secs_f64(),
        before / 1024,
        rss_kib("VmRSS:") / 1024,
        rss_kib("VmHWM:") / 1024,
    );
    std::process::ExitCode::SUCCESS
}
