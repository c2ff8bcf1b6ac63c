//! The resilience analysis as Markdown and as a section of the HTML report.

use std::fmt::Write;

use karvan_data::Dataset;
use karvan_policy::resilience::{Element, ResilienceAnalysis};

use crate::fmt::{signed, thousands};
use crate::geo::{crossing_line, link_line};

/// Rows of the criticality ranking shown.
const TOP: usize = 25;

fn monte_carlo_text(r: &ResilienceAnalysis) -> String {
    let mc = &r.monte_carlo;
    format!(
        "{} years, seed {}. Each open crossing closes once in a year with chance {} × its risk index (the higher of its two sides; {} crossings have a chance above 0), for {} days from a uniform day; the year is split where the set of closed crossings changes.",
        mc.samples, mc.seed, r.closure_chance_per_year, r.risky_crossings, r.closure_days
    )
}

/// `resilience.md`.
pub fn markdown(scenario: &str, r: &ResilienceAnalysis) -> String {
    let mut md = format!("# Resilience: {scenario}\n\n## The most critical links and crossings (each closed all year)\n\n| element | lost trade t/year | extra cost of detours USD/year |\n|---|---:|---:|\n");
    for c in r.criticality.iter().take(TOP) {
        let _ = writeln!(
            md,
            "| {} ({}) | {} | {} |",
            c.name,
            c.id,
            thousands(c.lost_tonnes),
            signed(c.extra_cost_usd)
        );
    }
    let mc = &r.monte_carlo;
    let _ = writeln!(
        md,
        "\n## Monte Carlo\n\n{}\n\n| | mean | P50 | P95 | P99 |\n|---|---:|---:|---:|---:|\n| generalized cost, USD | {} | {} | {} | {} |\n| lost trade, t | {} | {} | {} | {} |\n",
        monte_carlo_text(r),
        thousands(mc.cost_usd.mean), thousands(mc.cost_usd.p50), thousands(mc.cost_usd.p95), thousands(mc.cost_usd.p99),
        thousands(mc.lost_tonnes.mean), thousands(mc.lost_tonnes.p50), thousands(mc.lost_tonnes.p95), thousands(mc.lost_tonnes.p99)
    );
    md.push_str("Lost trade by origin country (t/year):\n\n| country | mean | P95 | P99 |\n|---|---:|---:|---:|\n");
    for (c, d) in &mc.lost_by_country {
        let _ = writeln!(
            md,
            "| {c} | {} | {} | {} |",
            thousands(d.mean),
            thousands(d.p95),
            thousands(d.p99)
        );
    }
    md.push_str("\n## Diversification\n\n| country | trade t/year | corridor HHI | link-disjoint routes to foreign sea ports | busiest crossing | share of its trade there |\n|---|---:|---:|---:|---|---:|\n");
    for d in &r.diversification {
        let routes = if d.disjoint_routes_to_sea == usize::MAX {
            "—".to_string()
        } else {
            d.disjoint_routes_to_sea.to_string()
        };
        let _ = writeln!(
            md,
            "| {} | {} | {:.2} | {} | {} | {:.0}% |",
            d.country,
            thousands(d.tonnes),
            d.corridor_hhi,
            routes,
            d.worst_crossing,
            100.0 * d.worst_crossing_share
        );
    }
    md
}

/// The resilience section of the HTML report, with a map of the critical elements.
pub fn html_section(ds: &Dataset, r: &ResilienceAnalysis) -> String {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let mut h = String::from("<h2>Resilience</h2><h3>The most critical links and crossings</h3><p>Each closed for a whole year: trade left with no route, and the extra cost of the detours of the rest. Red lines on the map: the 15 most critical.</p>");
    h.push_str(&critical_map(ds, r));
    h.push_str("<table><tr><th>element</th><th class=n>lost trade t/year</th><th class=n>extra cost USD/year</th></tr>");
    for c in r.criticality.iter().take(TOP) {
        let _ = write!(
            h,
            "<tr><td>{} ({})</td><td class=n>{}</td><td class=n>{}</td></tr>",
            esc(&c.name),
            esc(&c.id),
            thousands(c.lost_tonnes),
            signed(c.extra_cost_usd)
        );
    }
    let mc = &r.monte_carlo;
    let _ = write!(h, "</table><h3>Monte Carlo years of closures</h3><p>{}</p><table><tr><th></th><th class=n>mean</th><th class=n>P50</th><th class=n>P95</th><th class=n>P99</th></tr>", esc(&monte_carlo_text(r)));
    for (label, d) in [
        ("generalized cost, USD", &mc.cost_usd),
        ("lost trade, t", &mc.lost_tonnes),
    ] {
        let _ = write!(h, "<tr><td>{label}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td></tr>", thousands(d.mean), thousands(d.p50), thousands(d.p95), thousands(d.p99));
    }
    h.push_str("</table><h3>Diversification</h3><table><tr><th>country</th><th class=n>trade t/year</th><th class=n>corridor HHI</th><th class=n>disjoint routes to the sea</th><th>busiest crossing</th><th class=n>its share</th></tr>");
    for d in &r.diversification {
        let routes = if d.disjoint_routes_to_sea == usize::MAX {
            "—".to_string()
        } else {
            d.disjoint_routes_to_sea.to_string()
        };
        let _ = write!(h, "<tr><td>{}</td><td class=n>{}</td><td class=n>{:.2}</td><td class=n>{routes}</td><td>{}</td><td class=n>{:.0}%</td></tr>", d.country, thousands(d.tonnes), d.corridor_hhi, esc(&d.worst_crossing), 100.0 * d.worst_crossing_share);
    }
    h.push_str("</table>");
    h
}

/// The network in grey with the most critical elements in red, as inline SVG.
fn critical_map(ds: &Dataset, r: &ResilienceAnalysis) -> String {
    let (lon0, lon1, lat0, lat1) = (44.0, 90.0, 22.0, 50.0);
    let k = ((lat0 + lat1) / 2.0f64).to_radians().cos();
    let (w, ht) = (1000.0, 1000.0 * (lat1 - lat0) / ((lon1 - lon0) * k));
    let px = |p: &[f64]| {
        (
            (p[0] - lon0) / (lon1 - lon0) * w,
            (lat1 - p[1]) / (lat1 - lat0) * ht,
        )
    };
    let line = |pts: Vec<Vec<f64>>| {
        pts.iter()
            .map(|p| px(p))
            .map(|(x, y)| format!("{x:.1},{y:.1}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut s = format!("<svg viewBox=\"0 0 {w} {ht:.0}\" width=\"{w}\" height=\"{ht:.0}\" role=\"img\" style=\"background:#f7f7f2\">");
    for i in 0..ds.links.len() {
        let _ = write!(
            s,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"#bbb\" stroke-width=\"1\"/>",
            line(link_line(ds, i))
        );
    }
    for c in r.criticality.iter().take(15) {
        let (pts, name) = match c.element {
            Element::Link(i) => (link_line(ds, i), &ds.links[i].name),
            Element::Crossing(i) => (crossing_line(ds, i), &ds.crossings[i].name),
        };
        let _ = write!(s, "<polyline points=\"{}\" fill=\"none\" stroke=\"#c62828\" stroke-width=\"4\"><title>{}</title></polyline>", line(pts), name.replace('<', "&lt;"));
    }
    s.push_str("</svg>");
    s
}
