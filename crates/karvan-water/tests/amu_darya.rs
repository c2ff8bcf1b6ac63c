//! The embedded Amu Darya against what was observed, and what Qosh Tepa takes.

use karvan_data::embedded;
use karvan_water::model::{run, Settings};
use karvan_water::MONTHS;

fn year(regime: &str) -> Settings {
    Settings {
        years: vec![regime.to_string()],
        ..Settings::default()
    }
}

#[test]
fn natural_flow_at_kerki_matches_the_yearbooks_within_two_percent() {
    let b = embedded::basin().unwrap();
    let all: Vec<usize> = (1..=12).collect();
    for regime in ["2021", "2023", "2024"] {
        let r = run(&b, &year(regime)).unwrap();
        let observed = b
            .observations
            .iter()
            .find(|o| o.gauge == "kerki" && o.regime == regime && o.months == all)
            .unwrap()
            .value_hm3;
        let model = r.flow("kerki", 0, &all).unwrap();
        assert!(
            (model / observed - 1.0).abs() < 0.02,
            "{regime}: {model} against {observed}"
        );
    }
}

#[test]
fn the_seasonal_split_at_kerki_matches_2024_within_two_points() {
    let b = embedded::basin().unwrap();
    let r = run(&b, &year("2024")).unwrap();
    let all: Vec<usize> = (1..=12).collect();
    let total = r.flow("kerki", 0, &all).unwrap();
    let observed_total: f64 = 56_400.0;
    for o in b
        .observations
        .iter()
        .filter(|o| o.gauge == "kerki" && o.regime == "2024" && o.months.len() < 12)
    {
        let model = r.flow("kerki", 0, &o.months).unwrap() / total;
        let seen = o.value_hm3 / observed_total;
        assert!(
            (model - seen).abs() < 0.02,
            "{:?}: {model} against {seen}",
            o.months
        );
    }
}

#[test]
fn qosh_tepa_takes_from_the_downstream_countries_and_the_delta() {
    let b = embedded::basin().unwrap();
    let all: Vec<usize> = (1..=12).collect();
    let at = |level: f64| {
        let mut s = year("dry");
        s.demand_hm3.insert("tajik-canals".into(), 9_800.0);
        s.demand_hm3.insert("qosh-tepa".into(), level);
        let r = run(&b, &s).unwrap();
        let got = |id: &str| r.takes(0).iter().find(|t| t.0 == id).unwrap().3;
        (
            got("qosh-tepa"),
            got("karakum"),
            got("karshi"),
            r.flow("aral", 0, &all).unwrap(),
        )
    };
    let none = at(0.0);
    let low = at(4_500.0);
    let planned = at(10_000.0);
    assert_eq!(none.0, 0.0);
    assert!(low.0 > 3_000.0 && planned.0 > low.0);
    // Every hm³ more at Qosh Tepa is less for Turkmenistan's and Uzbekistan's canals and
    // for the delta.
    assert!(
        none.1 > low.1 && low.1 > planned.1,
        "{none:?} {low:?} {planned:?}"
    );
    assert!(none.2 > low.2 && low.2 > planned.2);
    assert!(none.3 > planned.3);
}

#[test]
fn thirty_years_balance_at_every_node_and_month() {
    let b = embedded::basin().unwrap();
    let regimes = ["normal", "dry", "wet", "2021", "2023", "2024"];
    let s = Settings {
        years: (0..30)
            .map(|k| regimes[k % regimes.len()].to_string())
            .collect(),
        ..Settings::default()
    };
    let r = run(&b, &s).unwrap();
    assert_eq!(r.months.len(), 30 * MONTHS);
    let net = &r.built.network;
    let mut storage: Vec<f64> = net.reservoirs.iter().map(|x| x.initial_hm3).collect();
    for (m, ask) in r.months.iter().zip(&r.built.asks) {
        for i in 0..net.names.len() {
            let mut gap = ask.inflow[i] + m.arrivals[i] - m.outflow[i];
            for (k, res) in net.reservoirs.iter().enumerate() {
                if res.node == i {
                    gap += storage[k] - m.storage[k];
                }
            }
            for (k, t) in net.takes.iter().enumerate() {
                if t.node == i && !t.requirement {
                    gap -= (1.0 - t.return_fraction) * m.delivered[k];
                }
            }
            assert!(
                gap.abs() < 1e-6 * (1.0 + ask.inflow[i].abs() + m.outflow[i]),
                "{} month {}: {gap}",
                net.names[i],
                m.month
            );
        }
        storage = m.storage.clone();
    }
}
