//! Times a 30-year monthly simulation of the embedded Amu Darya (360 months, each a few
//! linear programmes): `cargo run --release -p karvan-water --example thirty_years`.

use std::time::Instant;

use karvan_data::embedded;
use karvan_water::model::{run, Settings};

fn main() {
    let b = embedded::basin().expect("the embedded basin loads");
    let regimes = ["normal", "dry", "wet", "2021", "2023", "2024"];
    let s = Settings {
        years: (0..30)
            .map(|k| regimes[k % regimes.len()].to_string())
            .collect(),
        ..Settings::default()
    };
    let mut best = f64::INFINITY;
    for _ in 0..5 {
        let t = Instant::now();
        let r = run(&b, &s).expect("the simulation runs");
        best = best.min(t.elapsed().as_secs_f64());
        assert_eq!(r.months.len(), 360);
    }
    println!(
        "30 years (360 months) of the Amu Darya: best of 5 runs {:.3} s",
        best
    );
}
