//! The tariff game's outputs: `game.md`, CSV tables, and a section of the HTML report.

use crate::fmt::fixed;
use std::fmt::Write;

use karvan_policy::GameAnalysis;

use crate::fmt::thousands;

/// What the game assumed, in one paragraph.
pub fn model_statement(g: &GameAnalysis) -> String {
    let s = &g.settings;
    format!(
        "Model: each demand row splits over up to {} distinct routes (at today's tariffs) and an outside option (sea, the northern route, or not shipping) costing {:.0}% more than its cheapest route today, by a multinomial logit with dispersion {} per cheapest-route cost. Players: {}. Strategy: a multiplier on each player's transit tariff per mode, within [{}, {}]. Payoff: transit tariff revenue minus {} USD per transit t-km carried{}. {} demand rows had no route and are left out.",
        s.routes_per_od,
        s.outside_markup * 100.0,
        s.dispersion,
        s.players.join(", "),
        s.bounds.0,
        s.bounds.1,
        s.carrying_cost_usd_per_tkm,
        if s.shipper_weight > 0.0 { format!(", plus {} × own shippers' surplus", s.shipper_weight) } else { String::new() },
        g.unroutable
    )
}

/// A table as rows of cells; the first row is the header.
fn tables(g: &GameAnalysis) -> Vec<(String, Vec<Vec<String>>)> {
    let mut tariffs = vec![std::iter::once("variable".to_string())
        .chain(std::iter::once("today USD/t-km".into()))
        .chain(g.solutions.iter().map(|s| s.name.clone()))
        .collect::<Vec<_>>()];
    for (v, label) in g.variables.iter().enumerate() {
        let mut row = vec![label.clone(), format!("{:.4}", g.base_tariff[v])];
        row.extend(g.solutions.iter().map(|s| format!("{:.2}", s.strategy[v])));
        tariffs.push(row);
    }
    let mut payoffs = vec![std::iter::once("country".to_string())
        .chain(g.solutions.iter().map(|s| s.name.clone()))
        .collect::<Vec<_>>()];
    for (i, p) in g.settings.players.iter().enumerate() {
        let mut row = vec![p.clone()];
        row.extend(
            g.solutions
                .iter()
                .map(|s| thousands(s.evaluation.payoffs[i])),
        );
        payoffs.push(row);
    }
    for (label, f) in [
        (
            "shipped t/year",
            (|e: &karvan_policy::Evaluation| e.shipped_tonnes)
                as fn(&karvan_policy::Evaluation) -> f64,
        ),
        ("outside option t/year", |e| e.outside_tonnes),
        ("shippers' surplus USD/year", |e| e.surplus),
    ] {
        let mut row = vec![label.to_string()];
        row.extend(g.solutions.iter().map(|s| thousands(f(&s.evaluation))));
        payoffs.push(row);
    }
    let mut corridors = vec![std::iter::once("corridor".to_string())
        .chain(g.solutions.iter().map(|s| s.name.clone()))
        .collect::<Vec<_>>()];
    let names: std::collections::BTreeSet<&String> = g
        .solutions
        .iter()
        .flat_map(|s| s.evaluation.corridor_tonnes.keys())
        .collect();
    for c in names {
        let mut row = vec![c.clone()];
        row.extend(
            g.solutions
                .iter()
                .map(|s| thousands(s.evaluation.corridor_tonnes.get(c).copied().unwrap_or(0.0))),
        );
        corridors.push(row);
    }
    let mut coalitions = vec![vec![
        "country".to_string(),
        "Shapley value USD/year".into(),
        "alone (Nash) USD/year".into(),
    ]];
    for (i, p) in g.settings.players.iter().enumerate() {
        coalitions.push(vec![
            p.clone(),
            thousands(g.shapley[i]),
            thousands(g.coalition_values[1 << i]),
        ]);
    }
    vec![
        ("Tariff multipliers (1 = today)".into(), tariffs),
        ("Payoff by country (USD/year)".into(), payoffs),
        ("Tonnage by corridor (t/year)".into(), corridors),
        ("Coalitions".into(), coalitions),
    ]
}

fn conclusions(g: &GameAnalysis) -> Vec<String> {
    let nash: f64 = g.nash.payoffs.iter().sum();
    let grand = g.coalition_values.last().copied().unwrap_or(0.0);
    let mut out = vec![
        format!(
            "Nash equilibrium: {} rounds of best responses; largest gain left to a single player {} USD/year{}.",
            g.nash.rounds,
            thousands(g.nash.max_gain),
            if g.nash.cycled { "; the best responses cycled" } else { "" }
        ),
        format!("Value of coordination (joint payoff coordinated − Nash): {} USD/year ({} → {}).", thousands(g.value_of_coordination), thousands(nash), thousands(nash + g.value_of_coordination)),
        format!(
            "The grand coalition is worth {} USD/year; the Shapley values add up to it. The core is {}.",
            thousands(grand),
            if g.core_empty { "empty: no split of the coordinated payoff leaves every group at least as well off as on its own" } else { "not empty: some split of the coordinated payoff leaves every group at least as well off as on its own" }
        ),
    ];
    for (name, together, apart) in &g.corridor_coalitions {
        out.push(format!(
            "{name}: worth {} USD/year together, {} apart.",
            thousands(*together),
            thousands(*apart)
        ));
    }
    out
}

/// `game.md`.
pub fn markdown(g: &GameAnalysis) -> String {
    let mut md = format!(
        "# Transit tariffs as a game: {}\n\n{}\n\n",
        g.scenario,
        model_statement(g)
    );
    for w in &g.warnings {
        let _ = writeln!(md, "> **Warning:** {w}\n");
    }
    for c in conclusions(g) {
        let _ = writeln!(md, "- {c}");
    }
    for (title, rows) in tables(g) {
        let _ = write!(
            md,
            "\n## {title}\n\n| {} |\n|---|{}\n",
            rows[0].join(" | "),
            "---:|".repeat(rows[0].len() - 1)
        );
        for r in &rows[1..] {
            let _ = writeln!(md, "| {} |", r.join(" | "));
        }
    }
    md
}

/// The game as a section of the HTML report.
pub fn html_section(g: &GameAnalysis) -> String {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let mut h = format!(
        "<h2>Transit tariffs as a game</h2><p>{}</p><ul>",
        esc(&model_statement(g))
    );
    for c in conclusions(g) {
        let _ = write!(h, "<li>{}</li>", esc(&c));
    }
    h.push_str("</ul>");
    for (title, rows) in tables(g) {
        let _ = write!(h, "<h3>{}</h3><table><tr>", esc(&title));
        for (i, c) in rows[0].iter().enumerate() {
            let _ = write!(
                h,
                "<th{}>{}</th>",
                if i > 0 { " class=n" } else { "" },
                esc(c)
            );
        }
        h.push_str("</tr>");
        for r in &rows[1..] {
            h.push_str("<tr>");
            for (i, c) in r.iter().enumerate() {
                let _ = write!(
                    h,
                    "<td{}>{}</td>",
                    if i > 0 { " class=n" } else { "" },
                    esc(c)
                );
            }
            h.push_str("</tr>");
        }
        h.push_str("</table>");
    }
    h
}

/// CSV tables with the flows behind every number: tariffs, corridors, revenue, coalitions.
pub fn csv_files(g: &GameAnalysis) -> Vec<(&'static str, String)> {
    let mut tariffs = String::from("solution,variable,multiplier,usd_per_tkm\n");
    let mut corridors = String::from("solution,corridor,tonnes_per_year\n");
    let mut revenue = String::from("solution,player,transit_revenue_usd,transit_tkm,payoff_usd\n");
    for s in &g.solutions {
        for (v, label) in g.variables.iter().enumerate() {
            let _ = writeln!(
                tariffs,
                "\"{}\",{label},{:.4},{:.5}",
                s.name,
                s.strategy[v],
                s.strategy[v] * g.base_tariff[v]
            );
        }
        for (c, t) in &s.evaluation.corridor_tonnes {
            let _ = writeln!(corridors, "\"{}\",\"{c}\",{}", s.name, fixed(*t, 0));
        }
        let _ = writeln!(
            corridors,
            "\"{}\",\"outside option\",{}",
            s.name,
            fixed(s.evaluation.outside_tonnes, 0)
        );
        for (i, p) in g.settings.players.iter().enumerate() {
            let e = &s.evaluation;
            let _ = writeln!(
                revenue,
                "\"{}\",{p},{},{},{}",
                s.name,
                fixed(e.revenue[i], 0),
                fixed(e.transit_tkm[i], 0),
                fixed(e.payoffs[i], 0)
            );
        }
    }
    let mut coalitions = String::from("coalition,members,value_usd\n");
    for (mask, v) in g.coalition_values.iter().enumerate() {
        let members: Vec<&str> = g
            .settings
            .players
            .iter()
            .enumerate()
            .filter(|(i, _)| mask >> i & 1 == 1)
            .map(|(_, p)| p.as_str())
            .collect();
        let _ = writeln!(coalitions, "{mask},{},{}", members.join("+"), fixed(*v, 0));
    }
    vec![
        ("tariffs.csv", tariffs),
        ("corridors.csv", corridors),
        ("revenue.csv", revenue),
        ("coalitions.csv", coalitions),
    ]
}
