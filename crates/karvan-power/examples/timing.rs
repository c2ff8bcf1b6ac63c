//! Times a year of the embedded Afghan grid (twelve monthly balances in one linear
//! programme), the same year with Tajik hydro timed from the water model, and the
//! water-for-power bargaining view:
//! `cargo run --release -p karvan-power --example timing`.

use std::time::Instant;

use karvan_data::embedded;
use karvan_power::bargain::{bargain, Steps};
use karvan_power::model::{run, Settings};
use karvan_power::year;

/// Best of `n` runs of `f`, seconds.
fn best_of(n: usize, mut f: impl FnMut()) -> f64 {
    (0..n)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() {
    let grid = embedded::grid().expect("the embedded grid loads");
    let basin = embedded::basin().expect("the embedded basin loads");
    let base = Settings::default();
    let year_s = best_of(10, || {
        run(&grid, &base).expect("the year solves");
    });
    println!("a year (12 monthly balances, one LP): best of 10 runs {year_s:.4} s");
    let water = karvan_water::model::Settings::default();
    let linked_s = best_of(10, || {
        year::solve(&grid, &basin, &base, &water, Some("normal")).expect("the linked year solves");
    });
    println!("a year with hydro from the water model (its year included): best of 10 runs {linked_s:.4} s");
    let water = karvan_water::model::Settings {
        demand_hm3: [("tajik-canals".to_string(), 9_800.0)].into(),
        ..Default::default()
    };
    let mut deals = 0;
    let bargain_s = best_of(5, || {
        let b = bargain(&grid, &base, &basin, &water, "normal", Steps::default())
            .expect("the bargaining runs");
        deals = b.deals.len();
    });
    println!(
        "the bargaining view (11 water years, 11 power years, {deals} deals): best of 5 runs {bargain_s:.4} s"
    );
}
