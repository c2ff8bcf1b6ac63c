//! Fuzzing the loaders with proptest: mutated dataset files and scenario texts either
//! load or give located problems, and never panic. The number of cases is bounded so the
//! suite stays quick; run longer with `PROPTEST_CASES=5000 cargo test -p karvan-data
//! --test fuzz`.

use karvan_data::{embedded, Dataset, DatasetFiles, Scenario};
use proptest::prelude::*;

/// The default dataset's files, the seed of every mutation.
fn default_files() -> DatasetFiles {
    embedded::files(embedded::DEFAULT).expect("the default dataset is embedded")
}

#[test]
fn the_embedded_datasets_and_scenarios_are_valid() {
    for name in embedded::names() {
        embedded::load(name).unwrap_or_else(|p| panic!("{name}: {p}"));
    }
    let ds = embedded::load(embedded::DEFAULT).unwrap();
    for (name, text) in embedded::SCENARIOS {
        let s = Scenario::parse(text, name).unwrap_or_else(|p| panic!("{name}: {p}"));
        s.apply(&ds, name).unwrap_or_else(|p| panic!("{name}: {p}"));
    }
}

/// Values that break naive number handling.
fn hostile_number() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("nan".to_string()),
        Just("NaN".to_string()),
        Just("inf".to_string()),
        Just("-inf".to_string()),
        Just("1e300".to_string()),
        Just("-1e300".to_string()),
        Just("1e-300".to_string()),
        Just("0".to_string()),
        Just("-0".to_string()),
        Just("4294967296".to_string()),
        Just("".to_string()),
        any::<f64>().prop_map(|v| v.to_string()),
        "[0-9.eE+-]{1,12}",
    ]
}

/// One whole-file mutation.
#[derive(Debug, Clone)]
enum Mutation {
    Truncate(usize),
    Cell {
        row: usize,
        col: usize,
        value: String,
    },
    DropLine(usize),
    DuplicateLine(usize),
    Crlf,
    Bytes {
        at: usize,
        bytes: Vec<u8>,
    },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (0usize..4000).prop_map(Mutation::Truncate),
        (0usize..40, 0usize..16, hostile_number()).prop_map(|(row, col, value)| Mutation::Cell {
            row,
            col,
            value
        }),
        (0usize..40).prop_map(Mutation::DropLine),
        (0usize..40).prop_map(Mutation::DuplicateLine),
        Just(Mutation::Crlf),
        (0usize..4000, proptest::collection::vec(any::<u8>(), 1..6))
            .prop_map(|(at, bytes)| Mutation::Bytes { at, bytes }),
    ]
}

fn mutate(text: &str, m: &Mutation) -> String {
    match m {
        Mutation::Truncate(n) => {
            let mut end = (*n).min(text.len());
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            text[..end].to_string()
        }
        Mutation::Cell { row, col, value } => {
            let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
            if !lines.is_empty() {
                let i = row % lines.len();
                let mut cells: Vec<String> = lines[i].split(',').map(str::to_string).collect();
                let j = col % cells.len();
                cells[j] = value.clone();
                lines[i] = cells.join(",");
            }
            lines.join("\n")
        }
        Mutation::DropLine(i) => {
            let mut lines: Vec<&str> = text.lines().collect();
            if !lines.is_empty() {
                let k = i % lines.len();
                lines.remove(k);
            }
            lines.join("\n")
        }
        Mutation::DuplicateLine(i) => {
            let mut lines: Vec<&str> = text.lines().collect();
            if !lines.is_empty() {
                let k = i % lines.len();
                lines.insert(k, lines[k]);
            }
            lines.join("\n")
        }
        Mutation::Crlf => text.replace('\n', "\r\n"),
        Mutation::Bytes { at, bytes } => {
            let mut raw = text.as_bytes().to_vec();
            let k = (*at).min(raw.len());
            raw.splice(k..k, bytes.iter().copied());
            // The loader reads UTF-8 text; invalid bytes are the reader's to refuse.
            String::from_utf8_lossy(&raw).into_owned()
        }
    }
}

const FILES: &[&str] = &[
    "dataset.toml",
    "countries.csv",
    "nodes.csv",
    "links.csv",
    "crossings.csv",
    "transfers.csv",
    "commodities.csv",
    "tariffs.csv",
    "demand.csv",
    "risk.csv",
    "corridors.csv",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// A mutated default dataset loads or reports problems; every problem names a file,
    /// and a loaded dataset has only finite numbers.
    #[test]
    fn a_mutated_dataset_never_panics_the_loader(file in 0..FILES.len(), ms in proptest::collection::vec(mutation(), 1..4)) {
        let mut files = default_files();
        let name = FILES[file];
        let text = files.files.get(name).cloned().unwrap_or_default();
        let mutated = ms.iter().fold(text, |t, m| mutate(&t, m));
        files.files.insert(name.to_string(), mutated);
        match Dataset::from_files(&files) {
            Ok(ds) => {
                prop_assert!(ds.links.iter().all(|l| l.length_km.is_finite() && l.length_km > 0.0));
                prop_assert!(ds.demand.iter().all(|d| d.tonnes_per_year.is_finite() && d.tonnes_per_year >= 0.0));
            }
            Err(problems) => {
                prop_assert!(!problems.is_empty());
                prop_assert!(problems.iter().all(|p| !p.file.is_empty() && !p.message.is_empty()));
            }
        }
    }

    /// Any scenario built from real keys and hostile values parses and applies or gives
    /// problems, never a panic; an applied scenario has finite, non-negative demand.
    #[test]
    fn a_hostile_scenario_never_panics(lines in proptest::collection::vec(scenario_line(), 0..8)) {
        let text = format!("base = \"central-asia-afghanistan\"\n{}", lines.join("\n"));
        let ds = embedded::load(embedded::DEFAULT).unwrap();
        if let Ok(s) = Scenario::parse(&text, "fuzz.toml") {
            match s.apply(&ds, "fuzz.toml") {
                Ok(a) => prop_assert!(a.dataset.demand.iter().all(|d| d.tonnes_per_year.is_finite() && d.tonnes_per_year >= 0.0)),
                Err(p) => prop_assert!(!p.is_empty()),
            }
        }
    }
}

/// A line of a scenario: a real key (top level or in a table) with a hostile value.
fn scenario_line() -> impl Strategy<Value = String> {
    let toml_number = prop_oneof![
        Just("nan".to_string()),
        Just("inf".to_string()),
        Just("-inf".to_string()),
        Just("1e300".to_string()),
        Just("-200.0".to_string()),
        Just("0".to_string()),
        Just("99999".to_string()),
        any::<i32>().prop_map(|v| v.to_string()),
        any::<f64>()
            .prop_filter("TOML writes finite floats plainly", |v| v.is_finite())
            .prop_map(|v| format!("{v:?}")),
    ];
    let key = prop_oneof![
        Just("year"),
        Just("[demand]\ngrowth_percent_per_year"),
        Just("[parameters]\nclosure_days"),
        Just("[parameters]\noperating_cost_road"),
        Just("[assignment]\ngap"),
        Just("[assignment]\nmax_iterations"),
        Just("[game]\ndispersion"),
        Just("[game]\nmax_multiplier"),
        Just("[[tariff]]\ncountry = \"UZB\"\npercent"),
        Just("[[tariff]]\ncountry = \"AFG\"\nusd_per_tkm"),
        Just("[[disruption]]\nclose = [\"AFG-PAK\"]\ndays"),
        Just("[[disruption]]\nclose = [\"torkham-road\"]\nstart_day"),
    ];
    (key, toml_number).prop_map(|(k, v)| format!("{k} = {v}"))
}

#[test]
fn mutations_change_the_text() {
    // The harness itself: each mutation does what it says on a small text.
    let t = "a,b\n1,2\n";
    assert_eq!(mutate(t, &Mutation::Truncate(3)), "a,b");
    assert_eq!(mutate(t, &Mutation::Crlf), "a,b\r\n1,2\r\n");
    let m = Mutation::Cell {
        row: 1,
        col: 1,
        value: "nan".into(),
    };
    assert_eq!(mutate(t, &m), "a,b\n1,nan");
}
