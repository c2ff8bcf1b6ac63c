//! A bounded fuzzer for the TNTP reader and the solve that follows it. TNTP networks and
//! trip tables — small generated ones and SiouxFalls — are mutated (numbers replaced by
//! NaN, infinities, 1e-300, 1e300, negative and huge counts; lines cut, dropped or
//! repeated; fields dropped or added; bytes that are not UTF-8; gzip data, intact or
//! damaged). The reader must return an instance or an error that names the file and a
//! line inside it, never panic; every instance it returns must convert to a problem, and
//! a short solve must either end with finite numbers everywhere or return an error.

use std::io::Write;

use karvan_assign::{try_assign, Algorithm, Settings, SolveError};
use karvan_tntp::{decode, read_dir, to_problem, Instance, TntpError};
use proptest::prelude::*;

const SIOUX_NET: &str = include_str!("../../../testdata/tntp/SiouxFalls/SiouxFalls_net.tntp");
const SIOUX_TRIPS: &str = include_str!("../../../testdata/tntp/SiouxFalls/SiouxFalls_trips.tntp");
const SIOUX_FLOW: &str = include_str!("../../../testdata/tntp/SiouxFalls/SiouxFalls_flow.tntp");

/// What a number may be replaced by.
const TOKENS: &[&str] = &[
    "NaN",
    "nan",
    "inf",
    "-inf",
    "infinity",
    "1e-300",
    "1e300",
    "-1e300",
    "5e-324",
    "1.7976931348623157e308",
    "-1",
    "-0",
    "0",
    "0.5",
    "1e-6",
    "20",
    "20.000001",
    "500",
    "1e12",
    "1e15",
    "4294967295",
    "4294967296",
    "18446744073709551616",
    "1e30",
    "50000001",
    "",
    "x",
    "1e",
    "+",
    "0x10",
    "1_000",
    ";",
    ":",
    "Origin",
];

#[derive(Debug, Clone)]
enum Mutation {
    /// Replace the `nth` number of the file (counted modulo their number).
    Number(usize, &'static str),
    /// Cut the file at a byte (modulo its length).
    Truncate(usize),
    DeleteLine(usize),
    DuplicateLine(usize),
    /// Drop a whitespace-separated field of a line.
    DropField(usize, usize),
    /// Add fields at the end of a line.
    ExtraFields(usize, &'static str),
    /// Insert raw bytes (often not UTF-8) at a byte position.
    Bytes(usize, Vec<u8>),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let token = prop::sample::select(TOKENS);
    prop_oneof![
        4 => (any::<usize>(), token.clone()).prop_map(|(i, t)| Mutation::Number(i, t)),
        1 => any::<usize>().prop_map(Mutation::Truncate),
        1 => any::<usize>().prop_map(Mutation::DeleteLine),
        1 => any::<usize>().prop_map(Mutation::DuplicateLine),
        1 => (any::<usize>(), any::<usize>()).prop_map(|(l, f)| Mutation::DropField(l, f)),
        1 => (any::<usize>(), token).prop_map(|(l, t)| Mutation::ExtraFields(l, t)),
        1 => (any::<usize>(), prop::collection::vec(any::<u8>(), 1..4))
            .prop_map(|(i, b)| Mutation::Bytes(i, b)),
    ]
}

/// Byte ranges of the numbers in `text`.
fn numbers(text: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        if text[i].is_ascii_digit()
            || (text[i] == b'-' && text.get(i + 1).is_some_and(u8::is_ascii_digit))
        {
            let start = i;
            i += 1;
            while i < text.len()
                && (text[i].is_ascii_digit() || matches!(text[i], b'.' | b'e' | b'E' | b'-' | b'+'))
            {
                i += 1;
            }
            out.push((start, i));
        } else {
            i += 1;
        }
    }
    out
}

fn split_lines(text: &[u8]) -> Vec<Vec<u8>> {
    text.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect()
}

fn join_lines(lines: &[Vec<u8>]) -> Vec<u8> {
    lines.join(&b'\n')
}

fn apply(text: &mut Vec<u8>, m: &Mutation) {
    match m {
        Mutation::Number(i, t) => {
            let nums = numbers(text);
            if !nums.is_empty() {
                let (a, b) = nums[i % nums.len()];
                text.splice(a..b, t.bytes());
            }
        }
        Mutation::Truncate(i) => {
            let at = i % (text.len() + 1);
            text.truncate(at);
        }
        Mutation::DeleteLine(i) | Mutation::DuplicateLine(i) => {
            let mut lines = split_lines(text);
            let k = i % lines.len();
            if matches!(m, Mutation::DeleteLine(_)) {
                lines.remove(k);
            } else {
                let l = lines[k].clone();
                lines.insert(k, l);
            }
            *text = join_lines(&lines);
        }
        Mutation::DropField(l, f) => {
            let mut lines = split_lines(text);
            let k = l % lines.len();
            let fields: Vec<&[u8]> = lines[k]
                .split(|b| b.is_ascii_whitespace())
                .filter(|f| !f.is_empty())
                .collect();
            if !fields.is_empty() {
                let drop = f % fields.len();
                let kept: Vec<&[u8]> = fields
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i != drop)
                    .map(|(_, f)| *f)
                    .collect();
                lines[k] = kept.join(&b'\t');
            }
            *text = join_lines(&lines);
        }
        Mutation::ExtraFields(l, t) => {
            let mut lines = split_lines(text);
            let k = l % lines.len();
            lines[k].extend_from_slice(format!("\t{t}\t7").as_bytes());
            *text = join_lines(&lines);
        }
        Mutation::Bytes(i, bytes) => {
            let at = i % (text.len() + 1);
            text.splice(at..at, bytes.iter().copied());
        }
    }
}

/// A small valid instance: `(net, trips)` texts. Parameters are drawn from ordinary
/// values and the extremes of their ranges, so that some solves overflow.
fn generated() -> impl Strategy<Value = (String, String)> {
    let capacity = prop::sample::select(vec![1e-6, 0.5, 10.0, 100.0, 2500.0, 1e15]);
    let time = prop::sample::select(vec![0.0, 1e-3, 1.0, 3.5, 60.0, 1e15]);
    let b = prop::sample::select(vec![0.0, 0.15, 1.0, 1e6]);
    let power = prop::sample::select(vec![0.0, 0.5, 1.0, 4.0, 20.0]);
    let link = (1u32..=8, 1u32..=8, capacity, time, b, power);
    let volume = prop::sample::select(vec![0.0, 1.0, 25.5, 1000.0, 1e12]);
    (
        prop::collection::vec(link, 1..14),
        1usize..=4,
        prop::collection::vec((1u32..=4, 1u32..=4, volume), 0..10),
        any::<bool>(),
    )
        .prop_map(|(mut links, zones, trips, with_total)| {
            // At most two nodes per link, as the reader demands.
            let most = (2 * links.len()).min(8) as u32;
            for l in links.iter_mut() {
                l.0 = (l.0 - 1) % most + 1;
                l.1 = (l.1 - 1) % most + 1;
            }
            let nodes = links.iter().map(|l| l.0.max(l.1)).max().unwrap_or(1) as usize;
            let zones = zones.min(nodes);
            let mut net = format!(
                "<NUMBER OF ZONES> {zones}\n<NUMBER OF NODES> {nodes}\n<FIRST THRU NODE> 1\n<NUMBER OF LINKS> {}\n<END OF METADATA>\n\n~ init term cap len fft b power speed toll type ;\n",
                links.len()
            );
            for (from, to, cap, t, b, p) in &links {
                net.push_str(&format!("\t{from}\t{to}\t{cap:e}\t1\t{t:e}\t{b}\t{p}\t0\t0\t1\t;\n"));
            }
            let mut by_origin = vec![Vec::new(); zones];
            let mut total = 0.0;
            for (o, d, v) in trips {
                let (o, d) = ((o as usize - 1) % zones, (d as usize - 1) % zones);
                by_origin[o].push((d + 1, v));
                total += v;
            }
            let mut text = format!("<NUMBER OF ZONES> {zones}\n");
            if with_total {
                text.push_str(&format!("<TOTAL OD FLOW> {total}\n"));
            }
            text.push_str("<END OF METADATA>\n\n");
            for (o, ds) in by_origin.iter().enumerate() {
                text.push_str(&format!("Origin {}\n", o + 1));
                for (d, v) in ds {
                    text.push_str(&format!("    {d} : {v};"));
                }
                text.push('\n');
            }
            (net, text)
        })
}

fn base() -> impl Strategy<Value = (String, String)> {
    prop_oneof![
        4 => generated(),
        1 => Just((SIOUX_NET.to_string(), SIOUX_TRIPS.to_string())),
    ]
}

/// How a mutated file is stored: plain, gzip, or gzip with damage at a byte.
#[derive(Debug, Clone)]
enum Storage {
    Plain,
    Gzip,
    GzipDamaged(usize, u8),
    GzipCut(usize),
}

fn storage() -> impl Strategy<Value = Storage> {
    prop_oneof![
        6 => Just(Storage::Plain),
        1 => Just(Storage::Gzip),
        1 => (any::<usize>(), 1u8..=255).prop_map(|(i, x)| Storage::GzipDamaged(i, x)),
        1 => any::<usize>().prop_map(Storage::GzipCut),
    ]
}

fn store(text: &[u8], s: &Storage) -> (Vec<u8>, bool) {
    let gzip = |t: &[u8]| {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(t).unwrap();
        e.finish().unwrap()
    };
    match *s {
        Storage::Plain => (text.to_vec(), false),
        Storage::Gzip => (gzip(text), true),
        Storage::GzipDamaged(i, x) => {
            let mut g = gzip(text);
            let k = i % g.len();
            g[k] ^= x;
            (g, true)
        }
        Storage::GzipCut(i) => {
            let mut g = gzip(text);
            g.truncate(i % g.len());
            (g, true)
        }
    }
}

/// Every error names one of the files; an error on a line names a line of that file
/// (or the one just past its end).
fn located(e: &TntpError, files: &[(&str, &str)]) -> Result<(), TestCaseError> {
    let Some(file) = e.file() else {
        return Err(TestCaseError::fail(format!("error without a file: {e}")));
    };
    let Some((_, text)) = files.iter().find(|(name, _)| *name == file) else {
        return Err(TestCaseError::fail(format!(
            "error names no input file: {e}"
        )));
    };
    if let Some(line) = e.line() {
        let lines = text.lines().count();
        prop_assert!(
            (1..=lines + 1).contains(&line),
            "line {line} of a {lines}-line file: {e}"
        );
    }
    prop_assert!(e.to_string().contains(file), "{e}");
    Ok(())
}

/// Every instance the reader returns converts to a problem, and a short solve ends with
/// finite numbers everywhere, or fails with a reason (never a panic, never a problem
/// the engine finds out of range).
fn solves(inst: &Instance) -> Result<(), TestCaseError> {
    let p = match to_problem(inst, 0.0, 0.0) {
        Ok(p) => p,
        Err(e) => return Err(TestCaseError::fail(format!("read but not a problem: {e}"))),
    };
    for algorithm in [Algorithm::AlgorithmB, Algorithm::FrankWolfe] {
        let settings = Settings {
            algorithm,
            gap: 1e-8,
            max_iterations: 15,
        };
        match try_assign(&p, &settings) {
            Ok(a) => {
                for v in a
                    .flow
                    .iter()
                    .chain(&a.time)
                    .chain(a.class_flow.iter().flatten())
                {
                    prop_assert!(v.is_finite() && *v >= 0.0, "{algorithm:?}: {v}");
                }
                for h in &a.history {
                    prop_assert!(h.relative_gap.is_finite() && h.objective.is_finite());
                }
                prop_assert!(a.unreachable.is_finite());
            }
            Err(SolveError::NonFinite { .. }) => {}
            Err(e) => {
                return Err(TestCaseError::fail(format!(
                    "{algorithm:?}: the reader let through what the engine refuses: {e}"
                )))
            }
        }
    }
    Ok(())
}

/// A fixed number of cases (the whole file runs in a few seconds); a failure prints its
/// minimal case rather than writing a regression file next to the sources.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        max_shrink_iters: 2000,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config(2000))]

    #[test]
    fn mutated_files_are_read_or_refused_with_a_location(
        (net, trips) in base(),
        on_net in prop::collection::vec(mutation(), 0..4),
        on_trips in prop::collection::vec(mutation(), 0..3),
        net_storage in storage(),
        trips_storage in storage(),
    ) {
        let (mut net, mut trips) = (net.into_bytes(), trips.into_bytes());
        for m in &on_net {
            apply(&mut net, m);
        }
        for m in &on_trips {
            apply(&mut trips, m);
        }
        let (net_bytes, net_gz) = store(&net, &net_storage);
        let (trips_bytes, trips_gz) = store(&trips, &trips_storage);
        let (net_name, trips_name) = ("X_net.tntp", "X_trips.tntp");
        let net_text = match decode(net_bytes, net_name, net_gz) {
            Ok(t) => t,
            Err(e) => return located(&e, &[(net_name, "")]),
        };
        let trips_text = match decode(trips_bytes, trips_name, trips_gz) {
            Ok(t) => t,
            Err(e) => return located(&e, &[(trips_name, "")]),
        };
        match Instance::parse((&net_text, net_name), (&trips_text, trips_name), None) {
            Ok(inst) => solves(&inst)?,
            Err(e) => located(&e, &[(net_name, &net_text), (trips_name, &trips_text)])?,
        }
    }
}

proptest! {
    #![proptest_config(config(64))]

    /// The same through folders on disk, with file names ending in `.gz` or not.
    #[test]
    fn mutated_folders_are_read_or_refused_with_a_location(
        (net, trips) in base(),
        on_net in prop::collection::vec(mutation(), 0..3),
        net_storage in storage(),
        trips_gz in any::<bool>(),
    ) {
        let mut net = net.into_bytes();
        for m in &on_net {
            apply(&mut net, m);
        }
        let (net_bytes, net_gz) = store(&net, &net_storage);
        let tmp = tempfile::tempdir().unwrap();
        let net_path = tmp.path().join(if net_gz { "X_net.tntp.gz" } else { "X_net.tntp" });
        let trips_path = tmp.path().join(if trips_gz { "X_trips.tntp.gz" } else { "X_trips.tntp" });
        std::fs::write(&net_path, net_bytes).unwrap();
        std::fs::write(&trips_path, store(trips.as_bytes(), &if trips_gz { Storage::Gzip } else { Storage::Plain }).0).unwrap();
        match read_dir(tmp.path()) {
            Ok(inst) => solves(&inst)?,
            Err(e) => {
                let net_name = net_path.display().to_string();
                let trips_name = trips_path.display().to_string();
                let net_text = decode(std::fs::read(&net_path).unwrap(), "", net_gz).unwrap_or_default();
                located(&e, &[(&net_name, &net_text), (&trips_name, &trips)])?;
            }
        }
    }
}

proptest! {
    #![proptest_config(config(1000))]

    /// Unmutated instances at the edges of every range always read, and solve to finite
    /// numbers or fail with a reason.
    #[test]
    fn instances_at_the_edges_of_the_ranges_solve_or_fail_cleanly((net, trips) in generated()) {
        match Instance::parse((&net, "X_net.tntp"), (&trips, "X_trips.tntp"), None) {
            Ok(inst) => solves(&inst)?,
            Err(e) => return Err(TestCaseError::fail(format!("a valid instance was refused: {e}"))),
        }
    }
}

proptest! {
    #![proptest_config(config(500))]

    /// Best-known flow files, mutated, are read with their network or refused with a
    /// location.
    #[test]
    fn mutated_flow_files_are_read_or_refused_with_a_location(
        on_flow in prop::collection::vec(mutation(), 1..4),
        flow_storage in storage(),
    ) {
        let mut flow = SIOUX_FLOW.as_bytes().to_vec();
        for m in &on_flow {
            apply(&mut flow, m);
        }
        let (bytes, gz) = store(&flow, &flow_storage);
        let name = "X_flow.tntp";
        let text = match decode(bytes, name, gz) {
            Ok(t) => t,
            Err(e) => return located(&e, &[(name, "")]),
        };
        match Instance::parse((SIOUX_NET, "X_net.tntp"), (SIOUX_TRIPS, "X_trips.tntp"), Some((&text, name))) {
            Ok(inst) => {
                let flows = inst.flows.unwrap_or_default();
                prop_assert_eq!(flows.len(), inst.net.links.len());
                for f in flows {
                    prop_assert!(f.volume.is_finite() && f.cost.iter().all(|c| c.is_finite()));
                }
            }
            Err(e) => located(&e, &[(name, &text)])?,
        }
    }
}
