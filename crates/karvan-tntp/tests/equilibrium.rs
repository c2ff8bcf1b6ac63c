//! The assignment engine against the best-known equilibria of the standard networks.

use std::path::Path;

use karvan_assign::{assign, Algorithm, Assignment, Settings};
use karvan_tntp::{read_dir, to_problem, Instance};

fn instance(name: &str) -> Instance {
    read_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../testdata/tntp")
            .join(name),
    )
    .unwrap()
}

fn run(
    name: &str,
    factors: (f64, f64),
    algorithm: Algorithm,
    gap: f64,
    iterations: usize,
) -> (Instance, Assignment, f64) {
    let inst = instance(name);
    let p = to_problem(&inst, factors.0, factors.1).unwrap();
    let a = assign(
        &p,
        &Settings {
            algorithm,
            gap,
            max_iterations: iterations,
        },
    );
    let obj = p.objective(&a.class_flow, &a.flow);
    (inst, a, obj)
}

#[test]
fn frank_wolfe_family_ordering_on_sioux_falls() {
    let gaps: Vec<f64> = [
        Algorithm::Msa,
        Algorithm::FrankWolfe,
        Algorithm::ConjugateFrankWolfe,
        Algorithm::BiconjugateFrankWolfe,
    ]
    .iter()
    .map(|&alg| {
        run("SiouxFalls", (0.0, 0.0), alg, 0.0, 100)
            .1
            .relative_gap()
    })
    .collect();
    eprintln!(
        "gaps after 100 iterations: msa {:.3e} fw {:.3e} cfw {:.3e} bfw {:.3e}",
        gaps[0], gaps[1], gaps[2], gaps[3]
    );
    assert!(
        gaps[0] >= gaps[1] && gaps[1] >= gaps[2] && gaps[2] >= gaps[3],
        "{gaps:?}"
    );
}

/// The bush algorithm must reach a relative gap of 1e-10, the best-known objective within
/// 1e-9 and the best-known flows within 1e-4 (relative, on links with flow).
fn check_best_known(name: &str, factors: (f64, f64), best: f64) {
    let (inst, a, obj) = run(name, factors, Algorithm::AlgorithmB, 1e-10, 2000);
    let last = a.history.last().unwrap();
    eprintln!(
        "{name}: gap {:.2e} after {} iterations, {:.3} s",
        last.relative_gap, last.iteration, last.seconds
    );
    assert!(a.relative_gap() <= 1e-10, "gap {}", a.relative_gap());
    assert!(
        ((obj - best) / best).abs() <= 1e-9,
        "objective {obj} vs {best}"
    );
    check_flows(&inst, &a);
    for w in a.history.windows(2) {
        assert!(
            w[1].objective <= w[0].objective * (1.0 + 1e-12),
            "objective rose: {:?}",
            w
        );
    }
}

#[test]
fn bush_reaches_the_best_known_equilibrium_on_sioux_falls() {
    check_best_known("SiouxFalls", (0.0, 0.0), 4_231_335.287_107_44);
}

#[test]
fn bush_reaches_the_best_known_equilibrium_on_anaheim() {
    check_best_known("Anaheim", (0.0, 0.0), 1_286_032.171_096_03);
}

#[test]
fn bush_reaches_the_best_known_equilibrium_on_chicago_sketch() {
    check_best_known("ChicagoSketch", (0.02, 0.04), 17_313_018.738_747_8);
}

fn check_flows(inst: &Instance, a: &Assignment) {
    let flows = inst.flows.as_ref().unwrap();
    let mut worst: f64 = 0.0;
    for (i, l) in inst.net.links.iter().enumerate() {
        let f = flows
            .iter()
            .find(|f| f.from == l.from && f.to == l.to)
            .unwrap();
        if f.volume > 1e-6 {
            worst = worst.max(((a.flow[i] - f.volume) / f.volume).abs());
        }
    }
    assert!(worst <= 1e-4, "worst relative flow difference {worst}");
}

/// Every link-based algorithm, at the gap it reaches in a few hundred iterations: its
/// objective lies above the best-known optimum by no more than convexity allows
/// (`f(x) − f* ≤ TSTT − SPTT`).
#[test]
fn link_based_algorithms_stay_within_their_gap_of_the_optimum() {
    for (name, best) in [
        ("SiouxFalls", 4_231_335.287_107_44),
        ("Anaheim", 1_286_032.171_096_03),
    ] {
        for (alg, reach) in [
            (Algorithm::Msa, 5e-2),
            (Algorithm::FrankWolfe, 1e-3),
            (Algorithm::ConjugateFrankWolfe, 1e-4),
            (Algorithm::BiconjugateFrankWolfe, 1e-4),
        ] {
            let (_, a, obj) = run(name, (0.0, 0.0), alg, reach, 400);
            assert!(
                a.relative_gap() <= reach,
                "{name} {alg:?}: gap {}",
                a.relative_gap()
            );
            let p = to_problem(&instance(name), 0.0, 0.0).unwrap();
            let mut cost = vec![0.0; a.time.len()];
            p.class_costs(0, &a.time, &mut cost);
            let tstt: f64 = a.flow.iter().zip(&cost).map(|(x, c)| x * c).sum();
            let bound = tstt * a.relative_gap() / (1.0 + a.relative_gap());
            assert!(
                obj >= best * (1.0 - 1e-9),
                "{name} {alg:?}: {obj} below the optimum {best}"
            );
            assert!(
                obj - best <= bound + 1e-6 * best,
                "{name} {alg:?}: {obj} − {best} > {bound}"
            );
        }
    }
}

/// Algorithm B on Anaheim in a pool of `threads`: the link flows and the iterations.
fn bush_in_pool(threads: usize) -> (Vec<f64>, usize) {
    let inst = instance("Anaheim");
    let p = to_problem(&inst, 0.0, 0.0).unwrap();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let a = pool.install(|| {
        assign(
            &p,
            &Settings {
                algorithm: Algorithm::AlgorithmB,
                gap: 1e-10,
                max_iterations: 50,
            },
        )
    });
    (a.flow, a.history.len())
}

#[test]
fn bush_gives_the_same_flows_on_one_thread_twice_and_on_two() {
    let (one, n1) = bush_in_pool(1);
    let (again, n1b) = bush_in_pool(1);
    assert_eq!((one.clone(), n1), (again, n1b), "one thread, twice");
    let (two, n2) = bush_in_pool(2);
    let (two_again, n2b) = bush_in_pool(2);
    assert_eq!((two.clone(), n2), (two_again, n2b), "two threads, twice");
    // The bushes are updated in parallel and the flows shifted in order, so a second
    // thread changes nothing but the rounding of the gap's sums.
    let worst = one
        .iter()
        .zip(&two)
        .map(|(a, b)| (a - b).abs() / a.abs().max(1.0))
        .fold(0.0, f64::max);
    assert!(worst < 1e-9, "{worst}");
}
