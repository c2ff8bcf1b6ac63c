//! The game solvers against answers derived by hand.

use karvan_policy::{coalition_values, core_is_empty, nash, optimise, shapley, Game, Objective};

/// Two routes owned by two countries, priced `p₀`, `p₁`, with linear demand
/// `qᵢ = a − b pᵢ + d pⱼ` and a cost `c` per tonne; a third player owns a variable that
/// changes nothing (a dummy).
///
/// Best response: ∂/∂pᵢ [(pᵢ − c) qᵢ] = a − 2b pᵢ + d pⱼ + b c = 0, so
/// pᵢ = (a + b c + d pⱼ) / 2b, and the symmetric Nash price is p = (a + b c)/(2b − d).
/// Joint profit 2 (p − c)(a − (b − d) p) is highest at p = (a + (b − d) c) / 2(b − d).
/// With a = 100, b = 2, d = 1, c = 10: Nash p = 40, coordinated p = 55.
struct Bertrand {
    dummy: bool,
}

impl Game for Bertrand {
    fn players(&self) -> usize {
        if self.dummy {
            3
        } else {
            2
        }
    }
    fn variables(&self) -> usize {
        self.players()
    }
    fn owner(&self, v: usize) -> usize {
        v
    }
    fn bounds(&self, _v: usize) -> (f64, f64) {
        (0.0, 100.0)
    }
    fn payoffs(&self, s: &[f64]) -> Vec<f64> {
        let q = |i: usize, j: usize| 100.0 - 2.0 * s[i] + s[j];
        let mut p = vec![(s[0] - 10.0) * q(0, 1), (s[1] - 10.0) * q(1, 0)];
        if self.dummy {
            p.push(0.0);
        }
        p
    }
}

/// Two countries in series on one route: demand q = A − B (t₁ + t₂), revenue tᵢ q.
///
/// Best response tᵢ = (A/B − tⱼ)/2, so at Nash tᵢ = A/3B each and the total is 2A/3B;
/// a coordinated total T maximises T (A − B T) at T = A/2B. With A = 100, B = 1: Nash
/// 33.3 each (total 66.7, joint revenue 2,222.2), coordinated total 50 (revenue 2,500):
/// double marginalisation.
struct Series;

impl Game for Series {
    fn players(&self) -> usize {
        2
    }
    fn variables(&self) -> usize {
        2
    }
    fn owner(&self, v: usize) -> usize {
        v
    }
    fn bounds(&self, _v: usize) -> (f64, f64) {
        (0.0, 100.0)
    }
    fn payoffs(&self, s: &[f64]) -> Vec<f64> {
        let q = (100.0 - (s[0] + s[1])).max(0.0);
        vec![s[0] * q, s[1] * q]
    }
    fn surplus(&self, s: &[f64]) -> f64 {
        let q = (100.0 - (s[0] + s[1])).max(0.0);
        q * q / 2.0
    }
}

#[test]
fn bertrand_nash_and_coordinated_prices() {
    let g = Bertrand { dummy: false };
    let n = nash(&g, &[20.0, 20.0], 1e-9, 200);
    assert!(!n.cycled);
    for p in &n.strategy {
        assert!((p - 40.0).abs() < 1e-4, "{:?}", n.strategy);
    }
    assert!(n.max_gain < 1e-6, "gain left {}", n.max_gain);
    let c = optimise(&g, Objective::Joint, &n.strategy, 1e-10);
    for p in &c.strategy {
        assert!((p - 55.0).abs() < 1e-3, "{:?}", c.strategy);
    }
    assert!(c.payoffs.iter().sum::<f64>() > n.payoffs.iter().sum::<f64>());
}

#[test]
fn double_marginalisation_in_series() {
    let g = Series;
    let n = nash(&g, &[10.0, 10.0], 1e-9, 500);
    for t in &n.strategy {
        assert!((t - 100.0 / 3.0).abs() < 1e-3, "{:?}", n.strategy);
    }
    let c = optimise(&g, Objective::Joint, &n.strategy, 1e-12);
    let total: f64 = c.strategy.iter().sum();
    assert!((total - 50.0).abs() < 1e-3, "coordinated total {total}");
    assert!(
        total < n.strategy.iter().sum::<f64>(),
        "coordinated total tariff is lower than the Nash sum"
    );
    let (nash_rev, coord_rev): (f64, f64) = (n.payoffs.iter().sum(), c.payoffs.iter().sum());
    assert!(
        (nash_rev - 20_000.0 / 9.0).abs() < 1e-2 && (coord_rev - 2_500.0).abs() < 1e-2,
        "{nash_rev} {coord_rev}"
    );
    // Counting shippers' surplus (A − BT)²/2 too, the best total tariff is 0.
    let w = optimise(&g, Objective::JointPlusSurplus, &n.strategy, 1e-12);
    assert!(w.strategy.iter().sum::<f64>() < 1e-3, "{:?}", w.strategy);
}

#[test]
fn shapley_values_sum_to_the_grand_coalition_and_treat_symmetry_and_dummies() {
    let g = Bertrand { dummy: true };
    let start = nash(&g, &[20.0, 20.0, 0.0], 1e-9, 200).strategy;
    let values: Vec<f64> = coalition_values(&g, &start, 1e-9, 200, &|| {})
        .into_iter()
        .map(|(v, _)| v)
        .collect();
    let phi = shapley(&values, 3);
    assert!((phi.iter().sum::<f64>() - values[7]).abs() < 1e-6 * values[7]);
    assert!(
        (phi[0] - phi[1]).abs() < 1e-3 * phi[0].abs(),
        "symmetric players: {phi:?}"
    );
    assert!(phi[2].abs() < 1e-6, "the dummy gets nothing: {phi:?}");
    // The pair's value is the coordinated joint profit (p = 55 each: 2 · 45 · 45 = 4,050);
    // each alone gets the Nash profit (30 · 60 = 1,800).
    assert!((values[3] - 4_050.0).abs() < 1e-2, "{}", values[3]);
    assert!((values[1] - 1_800.0).abs() < 1e-2, "{}", values[1]);
}

#[test]
fn shapley_and_core_on_textbook_games() {
    // Glove game: player 0 has a left glove, players 1 and 2 right gloves; a pair is worth 1.
    let glove = |m: usize| if m & 1 == 1 && m & 6 != 0 { 1.0 } else { 0.0 };
    let v: Vec<f64> = (0..8).map(glove).collect();
    let phi = shapley(&v, 3);
    assert!(
        (phi[0] - 2.0 / 3.0).abs() < 1e-12
            && (phi[1] - 1.0 / 6.0).abs() < 1e-12
            && (phi[2] - 1.0 / 6.0).abs() < 1e-12,
        "{phi:?}"
    );
    assert!(
        !core_is_empty(&v, 3),
        "the left-glove holder taking all is in the core"
    );
    // Majority game: any two players are worth 1; no split satisfies every pair.
    let majority: Vec<f64> = (0..8usize)
        .map(|m| if m.count_ones() >= 2 { 1.0 } else { 0.0 })
        .collect();
    assert!(core_is_empty(&majority, 3));
    // One player alone: the core is its own value.
    assert!(!core_is_empty(&[0.0, 5.0], 1));
    let phi = shapley(&majority, 3);
    assert!(phi.iter().all(|p| (p - 1.0 / 3.0).abs() < 1e-12));
}

#[test]
fn coalitions_asked_to_stop_are_not_solved() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let g = Bertrand { dummy: true };
    let start = nash(&g, &[20.0, 20.0, 0.0], 1e-9, 200).strategy;
    let solved = AtomicUsize::new(0);
    let count = || {
        solved.fetch_add(1, Ordering::Relaxed);
    };
    let all = karvan_policy::coalition_values_until(&g, &start, 1e-9, 200, &count, &|| false);
    assert_eq!(all.map(|v| v.len()), Some(8));
    assert_eq!(solved.swap(0, Ordering::Relaxed), 8);
    let stopped = karvan_policy::coalition_values_until(&g, &start, 1e-9, 200, &count, &|| true);
    assert!(stopped.is_none());
    assert_eq!(solved.load(Ordering::Relaxed), 0);
}
