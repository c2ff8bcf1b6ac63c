//! The embedded default dataset end to end: the questions the README promises to answer.

use assert_cmd::Command;
use serde_json::Value;

fn karvan_json(args: &[&str]) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::cargo_bin("karvan").unwrap();
    cmd.current_dir(dir.path()).arg("--json").args(args);
    let out = cmd.assert().success().get_output().stdout.clone();
    serde_json::from_slice(&out).unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * (1.0 + a.abs().max(b.abs()))
}

#[test]
fn tashkent_to_karachi_has_an_afghan_and_an_iranian_route() {
    let routes = karvan_json(&[
        "route",
        "Tashkent",
        "Karachi",
        "--commodity",
        "container",
        "--alternatives",
        "3",
    ]);
    let routes = routes.as_array().unwrap();
    assert!(routes.len() >= 2, "{} routes", routes.len());
    let through = |iso: &str| {
        routes.iter().any(|r| {
            r["countries"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["country"] == iso)
        })
    };
    assert!(through("AFG"), "no route through Afghanistan");
    assert!(through("IRN"), "no route through Iran");
    for r in routes {
        let total = &r["total"];
        for field in [
            "km",
            "hours",
            "freight",
            "tariff",
            "border_fees",
            "transfers",
            "risk",
            "time_cost",
        ] {
            let sum: f64 = r["countries"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["parts"][field].as_f64().unwrap())
                .sum();
            assert!(
                close(sum, total[field].as_f64().unwrap()),
                "{field}: {sum} vs {}",
                total[field]
            );
        }
    }
    let crossings: Vec<&Value> = routes.iter().map(|r| &r["crossings"]).collect();
    for (i, a) in crossings.iter().enumerate() {
        for b in &crossings[i + 1..] {
            assert_ne!(a, b, "alternatives must cross different borders");
        }
    }
}

#[test]
fn place_names_match_common_transliterations() {
    for (a, b) in [
        ("Mazar-e-Sharif", "Hayraton"),
        ("mazar i sharif", "HAIRATAN"),
        ("Termiz", "Kabul"),
    ] {
        let routes = karvan_json(&["route", a, b, "--alternatives", "0"]);
        assert_eq!(routes.as_array().unwrap().len(), 1, "{a} → {b}");
    }
}

#[test]
fn trans_afghan_railway_draws_traffic_and_moves_revenue() {
    let cmp = karvan_json(&["compare", "today", "trans-afghan"]);
    let gained: f64 = cmp["corridors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["corridor"].as_str().unwrap().contains("Trans-Afghan"))
        .map(|c| c["tonnes_b"].as_f64().unwrap() - c["tonnes_a"].as_f64().unwrap())
        .sum();
    assert!(gained > 0.0, "no traffic moved to the Trans-Afghan railway");
    let new_line_used = cmp["elements"].as_array().unwrap().iter().any(|e| {
        e["tonnes_a"].as_f64().unwrap() == 0.0
            && e["tonnes_b"].as_f64().unwrap() > 0.0
            && e["element"] == "link"
    });
    assert!(new_line_used, "no new link carries traffic");
    // The line earns Uzbekistan transit and Afghanistan its domestic charges. (Once rail
    // terminals cost what they do, little of today's cargo reaches Pakistan by it.)
    for iso in ["UZB", "AFG"] {
        let r = cmp["revenue"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["country"] == iso)
            .unwrap();
        let (a, b) = (
            r["levies_a"].as_f64().unwrap(),
            r["levies_b"].as_f64().unwrap(),
        );
        assert!(!close(a, b), "{iso} revenue unchanged: {a}");
    }
}

#[test]
fn closing_torkham_and_chaman_moves_traffic_off_them() {
    let cmp = karvan_json(&["compare", "today", "torkham-chaman-closed"]);
    for id in ["torkham-road", "chaman-road"] {
        if let Some(e) = cmp["elements"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["id"] == id)
        {
            assert_eq!(
                e["tonnes_b"].as_f64().unwrap(),
                0.0,
                "{id} still carries traffic"
            );
        }
    }
}

#[test]
fn every_shipped_scenario_runs_and_accounts_for_all_demand() {
    for s in [
        "today",
        "trans-afghan",
        "western-railway",
        "torkham-chaman-closed",
        "uzbekistan-tariff-cut",
    ] {
        let r = karvan_json(&["run", s]);
        let routed = r["routed_tonnes"].as_f64().unwrap();
        let unroutable: f64 = r["unroutable"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["tonnes"].as_f64().unwrap())
            .sum();
        assert!(
            close(routed + unroutable, r["demand_tonnes"].as_f64().unwrap()),
            "{s}"
        );
        assert!(routed > 0.0, "{s} routed nothing");
    }
}

#[test]
fn the_default_network_serves_every_demand_row() {
    let r = karvan_json(&["run"]);
    assert_eq!(
        r["unroutable"].as_array().unwrap().len(),
        0,
        "{}",
        r["unroutable"]
    );
}

#[test]
fn every_route_choice_accounts_for_all_demand() {
    for method in ["aon", "equilibrium", "logit"] {
        let r = karvan_json(&["run", "--route-choice", method]);
        assert_eq!(
            r["assignment"]["method"],
            if method == "aon" {
                "all-or-nothing"
            } else {
                method
            }
        );
        let routed = r["routed_tonnes"].as_f64().unwrap();
        assert!(
            close(routed, r["demand_tonnes"].as_f64().unwrap()),
            "{method}"
        );
        let shares: f64 = r["corridors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["share"].as_f64().unwrap())
            .sum();
        assert!(
            close(shares, 1.0),
            "{method}: corridor shares add up to {shares}"
        );
    }
}

#[test]
fn default_run_summary_is_stable() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::cargo_bin("karvan").unwrap();
    cmd.current_dir(dir.path()).arg("run");
    let out = cmd.assert().success().get_output().stdout.clone();
    let text = String::from_utf8(out).unwrap();
    insta::assert_snapshot!("default_run_summary", text);
    let written = std::fs::read_to_string(dir.path().join("out/baseline/summary.md")).unwrap();
    assert!(text.starts_with(&written));
}

#[test]
fn select_link_lists_the_flows_through_a_crossing() {
    let v = karvan_json(&["select-link", "torkham-road"]);
    let users = v["users"].as_array().unwrap();
    assert!(!users.is_empty());
    // The select-link tonnes add up to the crossing's flow in the run's map.
    let run = karvan_json(&["run"]);
    let total: f64 = users
        .iter()
        .map(|u| u["tonnes_on_element"].as_f64().unwrap())
        .sum();
    let cmp = karvan_json(&["compare", "base", "torkham-chaman-closed"]);
    let torkham = cmp["elements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == "torkham-road")
        .unwrap();
    assert!(
        close(total, torkham["tonnes_a"].as_f64().unwrap()),
        "{total} vs {}",
        torkham["tonnes_a"]
    );
    assert!(run["assignment"]["method"] == "equilibrium");
}

#[test]
fn the_report_is_one_self_contained_html_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.html");
    Command::cargo_bin("karvan")
        .unwrap()
        .current_dir(dir.path())
        .args([
            "report",
            "trans-afghan",
            "--compare",
            "today",
            "--game",
            "--players",
            "UZB,AFG,PAK",
            "--resilience",
            "--samples",
            "20",
            "-o",
        ])
        .arg(&out)
        .assert()
        .success();
    let html = std::fs::read_to_string(&out).unwrap();
    for part in [
        "<svg",
        "Tonnage by corridor",
        "Revenue by country",
        "Cost and time against distance",
        "Compared with today",
        "Transit tariffs as a game",
        "Shapley value",
        "The most critical links and crossings",
        "Monte Carlo years of closures",
        "Diversification",
        "Sources of the inputs",
        "OpenStreetMap",
    ] {
        assert!(html.contains(part), "the report lacks {part}");
    }
    // Nothing is loaded from elsewhere: no scripts, stylesheets, images or frames by URL.
    for needle in [
        "<script src",
        "<link ",
        "<img ",
        "<iframe",
        "url(http",
        "@import",
    ] {
        assert!(
            !html.contains(needle),
            "the report loads an external resource: {needle}"
        );
    }
}

#[test]
fn the_transit_tariff_game_on_the_default_dataset() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("game");
    let bytes = Command::cargo_bin("karvan")
        .unwrap()
        .current_dir(dir.path())
        .args(["--json", "game", "--players", "UZB,TKM,AFG,PAK", "-o"])
        .arg(&out)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&bytes).unwrap();
    let values: Vec<f64> = v["coalition_values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    assert_eq!(values.len(), 16);
    let shapley: f64 = v["shapley"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .sum();
    assert!(
        close(shapley, values[15]),
        "Shapley values {shapley} vs grand coalition {}",
        values[15]
    );
    let nash: f64 = v["nash"]["payoffs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .sum();
    let coordinated: f64 = v["solutions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "coordinated")
        .unwrap()["evaluation"]["payoffs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .sum();
    assert!(
        coordinated >= nash - 1e-6 * nash.abs(),
        "coordination cannot lose: {coordinated} < {nash}"
    );
    assert!(close(
        v["value_of_coordination"].as_f64().unwrap(),
        coordinated - nash
    ));
    assert!(v["nash"]["max_gain"].as_f64().unwrap() <= 1e-3 * nash.abs());
    // Every number in the tables is traceable to the flows in the CSV files.
    for f in [
        "game.md",
        "tariffs.csv",
        "corridors.csv",
        "revenue.csv",
        "coalitions.csv",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let revenue = std::fs::read_to_string(out.join("revenue.csv")).unwrap();
    assert!(revenue.lines().any(|l| l.starts_with("\"nash\",UZB,")));
}

#[test]
fn closing_every_afghanistan_pakistan_crossing_sends_cargo_through_iran() {
    let v = karvan_json(&[
        "risk", "today", "--close", "AFG-PAK", "--start", "285", "--days", "60",
    ]);
    let t = |which: &str, corridor: &str| {
        v[which]["corridor_tonnes"][corridor]
            .as_f64()
            .unwrap_or(0.0)
    };
    // With the crossings shut all year, Torkham and Chaman carry nothing and Iran's
    // routes gain what they lose.
    assert_eq!(t("closed_all_year", "Torkham (other routes)"), 0.0);
    assert_eq!(t("closed_all_year", "Chaman (other routes)"), 0.0);
    let iran = |which: &str| {
        v[which]["corridor_tonnes"]
            .as_object()
            .unwrap()
            .iter()
            .filter(|(k, _)| k.contains("Iran") || k.contains("Chabahar"))
            .map(|(_, x)| x.as_f64().unwrap())
            .sum::<f64>()
    };
    assert!(
        iran("closed_all_year") > iran("base") + 1e6,
        "{} vs {}",
        iran("closed_all_year"),
        iran("base")
    );
    // Sixty days of closure cost something, and less than a whole year of it.
    let cost = |which: &str| v[which]["cost_usd"].as_f64().unwrap();
    assert!(cost("year") > cost("base") && cost("year") < cost("closed_all_year"));
    // Every tonne is routed or counted as lost.
    let lost = v["closed_all_year"]["lost_tonnes"].as_f64().unwrap();
    let routed: f64 = v["closed_all_year"]["corridor_tonnes"]
        .as_object()
        .unwrap()
        .values()
        .map(|x| x.as_f64().unwrap())
        .sum();
    let matrix = karvan_json(&["run", "today"])["price_response"]["matrix_tonnes"]
        .as_f64()
        .unwrap();
    // Rows the closures made cheaper (relieved of congestion) ship a little more.
    let generated = v["closed_all_year"]["generated_tonnes"].as_f64().unwrap();
    assert!(
        close(routed + lost - generated, matrix),
        "{routed} + {lost} - {generated} vs {matrix}"
    );
}

#[test]
fn the_shipped_closure_scenario_matches_the_same_closure_given_by_flags() {
    // The shipped scenario extends `today`; the flags close the same on `today`.
    let from_scenario = karvan_json(&["risk", "afpak-closure-2025"]);
    let from_flags = karvan_json(&[
        "risk", "today", "--close", "AFG-PAK", "--start", "285", "--days", "60",
    ]);
    assert_eq!(from_scenario["year"], from_flags["year"]);
}

#[test]
fn resilience_ranks_elements_and_samples_years() {
    let v = karvan_json(&["resilience", "--samples", "50", "--seed", "3"]);
    let ranking = v["criticality"].as_array().unwrap();
    assert!(ranking.len() > 200);
    let key = |r: &Value| {
        (
            r["lost_tonnes"].as_f64().unwrap(),
            r["extra_cost_usd"].as_f64().unwrap(),
        )
    };
    for w in ranking.windows(2) {
        assert!(
            key(&w[0]) >= key(&w[1]),
            "ranked by lost trade, then extra cost"
        );
    }
    assert_eq!(v["monte_carlo"]["samples"], 50);
    let again = karvan_json(&["resilience", "--samples", "50", "--seed", "3"]);
    assert_eq!(
        v["monte_carlo"], again["monte_carlo"],
        "the same seed gives the same years"
    );
    assert!(v["diversification"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["country"] == "AFG"));
}

#[test]
fn changing_ship_at_a_sea_hub_costs_handling_and_time() {
    let routes = karvan_json(&["route", "Tashkent", "Karachi", "--alternatives", "3"]);
    let by_sea = routes
        .as_array()
        .unwrap()
        .iter()
        .find(|r| {
            r["countries"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["country"] == "sea")
        })
        .expect("a route by sea");
    let steps = by_sea["steps"].as_array().unwrap();
    let hub = steps
        .iter()
        .find(|s| s["id"] == "jebel-ali:sea->sea")
        .expect("the route changes ship at Jebel Ali");
    assert_eq!(hub["kind"], "transfer");
    assert!(hub["parts"]["transfers"].as_f64().unwrap() > 0.0);
    assert!(hub["parts"]["hours"].as_f64().unwrap() > 0.0);
    // Between two sea legs there is always a change of ship.
    for pair in steps.windows(2) {
        let sea = |s: &Value| s["kind"] == "link" && s["layer"] == "sea";
        assert!(
            !(sea(&pair[0]) && sea(&pair[1])),
            "two sea legs with no transshipment"
        );
    }
}
