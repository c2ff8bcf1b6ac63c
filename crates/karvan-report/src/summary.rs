//! The run summary in Markdown: readable in a terminal, renders anywhere.

use std::fmt::Write;

use karvan_data::Dataset;
use karvan_model::RunResults;

use crate::fmt::{millions, percent, thousands};

/// How many of the costliest OD pairs the summary lists.
const COSTLIEST: usize = 10;

pub fn run_summary(ds: &Dataset, r: &RunResults) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# Karvan run: {} ({}, year {})\n",
        r.scenario, r.dataset, r.year
    );
    let unroutable: f64 = r.unroutable.iter().map(|u| u.tonnes).sum();
    let _ = writeln!(
        s,
        "Demand {} t/year in {} rows; routed {} t ({}); unroutable {} t in {} rows.\n",
        thousands(r.demand_tonnes),
        r.od.len() + r.unroutable.len(),
        thousands(r.routed_tonnes),
        percent(if r.demand_tonnes > 0.0 {
            r.routed_tonnes / r.demand_tonnes
        } else {
            0.0
        }),
        thousands(unroutable),
        r.unroutable.len()
    );

    let a = &r.assignment;
    match a.method {
        "equilibrium" => {
            let _ = writeln!(
                s,
                "Route choice: user equilibrium with congested crossings and lines; relative gap {} after {}.\n",
                crate::fmt::gap(a.convergence),
                crate::fmt::count(a.iterations, "iteration")
            );
        }
        "logit" => {
            let _ = writeln!(
                s,
                "Route choice: stochastic user equilibrium (path-size logit) with congestion; largest route-flow change {:.1e} after {}.\n",
                a.convergence,
                crate::fmt::count(a.iterations, "iteration")
            );
        }
        _ => s.push_str("Route choice: all-or-nothing (each shipment on its cheapest route at free-flow times).\n\n"),
    }
    match &r.price_response {
        Some(p) => {
            let _ = writeln!(
                s,
                "Trade answers to price (dispersion {}, outside option {} dearer than the base year): of the matrix's {} t, {} t not shipped at this scenario's costs and {} t more shipped where it is cheaper; {}.\n",
                p.dispersion,
                percent(p.outside_markup),
                thousands(p.matrix_tonnes),
                thousands(p.lost_tonnes),
                thousands(p.generated_tonnes),
                crate::fmt::count(p.rounds, "round")
            );
        }
        None => s.push_str("Demand held fixed: every row ships its tonnes whatever it costs.\n\n"),
    }

    s.push_str("## Tonnage by corridor\n\n| corridor | t/year | share | million t-km |\n|---|---:|---:|---:|\n");
    for c in &r.corridors {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} |",
            c.corridor,
            thousands(c.tonnes),
            percent(c.share),
            millions(c.tkm)
        );
    }

    s.push_str("\n## Revenue by country (USD/year)\n\nLevies are what the government and state railway charge (the policy part: transit and domestic tariffs, road fees, border fees); carriers and terminals are what truckers, rail operators and terminals charge on the country's territory (the market part).\n\n| country | transit t | transit tariffs | border fees (transit) | transit revenue | domestic levies and fees | all levies | carriers | terminals and handling |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    let mut revenue: Vec<_> = r
        .revenue
        .iter()
        .filter(|c| c.levies_usd() > 0.0 || c.market_usd() > 0.0 || c.transit_tonnes > 0.0)
        .collect();
    revenue.sort_by(|a, b| {
        b.transit_revenue_usd()
            .total_cmp(&a.transit_revenue_usd())
            .then_with(|| a.country.cmp(&b.country))
    });
    for c in revenue {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            c.name,
            thousands(c.transit_tonnes),
            thousands(c.transit_tariff_usd),
            thousands(c.transit_fees_usd),
            thousands(c.transit_revenue_usd()),
            thousands(c.domestic_tariff_usd + c.domestic_fees_usd),
            thousands(c.levies_usd()),
            thousands(c.carrier_freight_usd),
            thousands(c.handling_usd)
        );
    }

    s.push_str("\n## Costliest origin–destination pairs\n\n| origin | destination | commodity | USD/t (generalized) | USD/t (money) | hours | km | corridor |\n|---|---|---|---:|---:|---:|---:|---|\n");
    let mut od: Vec<_> = r.od.iter().collect();
    od.sort_by(|a, b| b.cost_usd_per_t.total_cmp(&a.cost_usd_per_t));
    for o in od.iter().take(COSTLIEST) {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {:.1} | {:.1} | {:.0} | {:.0} | {} |",
            name(ds, &o.origin),
            name(ds, &o.destination),
            o.commodity,
            o.cost_usd_per_t,
            o.money_usd_per_t,
            o.hours,
            o.km,
            o.corridor
        );
    }

    s.push_str("\n## Unroutable demand\n\n");
    if r.unroutable.is_empty() {
        s.push_str("None: every demand row has an open route.\n");
    } else {
        s.push_str("| origin | destination | commodity | t/year | demand.csv line |\n|---|---|---|---:|---:|\n");
        for u in &r.unroutable {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} |",
                name(ds, &u.origin),
                name(ds, &u.destination),
                u.commodity,
                thousands(u.tonnes),
                u.line
            );
        }
    }
    let _ = writeln!(
        s,
        "\nData: {} {} ({}). {}",
        ds.manifest.name, ds.manifest.version, ds.manifest.licence, ds.manifest.attribution
    );
    s
}

pub(crate) fn name(ds: &Dataset, id: &str) -> String {
    ds.node(id)
        .map(|n| n.name.clone())
        .unwrap_or_else(|| id.to_string())
}
