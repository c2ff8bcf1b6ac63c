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

    s.push_str("\n## Transit revenue by country (USD/year)\n\n| country | transit t | transit tariffs | border fees (transit) | transit revenue | domestic tariffs and fees |\n|---|---:|---:|---:|---:|---:|\n");
    let mut revenue: Vec<_> = r
        .revenue
        .iter()
        .filter(|c| c.total_usd() > 0.0 || c.transit_tonnes > 0.0)
        .collect();
    revenue.sort_by(|a, b| {
        b.transit_revenue_usd()
            .total_cmp(&a.transit_revenue_usd())
            .then_with(|| a.country.cmp(&b.country))
    });
    for c in revenue {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} |",
            c.name,
            thousands(c.transit_tonnes),
            thousands(c.transit_tariff_usd),
            thousands(c.transit_fees_usd),
            thousands(c.transit_revenue_usd()),
            thousands(c.domestic_tariff_usd + c.domestic_fees_usd)
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
