//! One self-contained HTML report: tables, charts as inline SVG, a static SVG map, and
//! the sources of the inputs. It opens in any browser with no network and no other file.

use std::collections::BTreeSet;
use std::fmt::Write;

use karvan_data::Dataset;
use karvan_model::{Route, RunResults};
use serde::Deserialize;

use crate::compare::Comparison;
use crate::fmt::{percent, signed, thousands};
use crate::geo::{crossing_line, link_line};
use crate::summary::name;

/// What a report shows.
pub struct ReportInput<'a> {
    pub dataset: &'a Dataset,
    pub results: &'a RunResults,
    /// The baseline and the comparison with it, when asked for.
    pub compare: Option<(&'a RunResults, &'a Comparison)>,
    /// The transit-tariff game, when asked for.
    pub game: Option<&'a karvan_policy::GameAnalysis>,
    /// The resilience analysis, when asked for.
    pub resilience: Option<&'a karvan_policy::resilience::ResilienceAnalysis>,
    /// The run against the dataset's observations, when it has some.
    pub fit: Option<&'a karvan_policy::fit::Fit>,
    /// The project appraisal, when asked for.
    pub appraisal: Option<&'a karvan_policy::appraisal::Appraisal>,
    /// The power grid's year, when asked for.
    pub power: Option<&'a crate::power::PowerSection>,
}

/// `s` escaped for HTML text and attributes.
pub fn escape(s: &str) -> String {
    esc(s)
}

/// `s` escaped for HTML text and attributes.
pub(crate) fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The report as one HTML document.
pub fn report(input: &ReportInput) -> String {
    let (ds, r) = (input.dataset, input.results);
    let mut h = String::new();
    let title = format!("Karvan report: {}", r.scenario);
    let _ = write!(
        h,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"generator\" content=\"Karvan\"><title>{}</title><style>{}</style></head><body>",
        esc(&title),
        STYLE
    );
    let _ = write!(
        h,
        "<h1>{}</h1><p class=\"meta\">Dataset {} {} · year {} · ",
        esc(&title),
        esc(&ds.manifest.name),
        esc(&ds.manifest.version),
        r.year
    );
    let a = &r.assignment;
    let _ = write!(
        h,
        "route choice: {} ({} {} after {})</p>",
        a.method,
        a.measure,
        crate::fmt::gap(a.convergence),
        crate::fmt::count(a.iterations, "iteration")
    );
    let unroutable: f64 = r.unroutable.iter().map(|u| u.tonnes).sum();
    let _ = write!(
        h,
        "<p>Demand <b>{} t/year</b> in {} rows; routed {} t; unroutable {} t.</p>",
        thousands(r.demand_tonnes),
        r.od.len() + r.unroutable.len(),
        thousands(r.routed_tonnes),
        thousands(unroutable)
    );
    match &r.price_response {
        Some(p) => {
            let _ = write!(
                h,
                "<p>Trade answers to price (dispersion {}, outside option {} dearer than the base year): of the matrix's {} t, {} t are not shipped at this scenario's costs and {} t more are shipped where it is cheaper.</p>",
                p.dispersion,
                percent(p.outside_markup),
                thousands(p.matrix_tonnes),
                thousands(p.lost_tonnes),
                thousands(p.generated_tonnes)
            );
        }
        None => {
            h.push_str("<p>Demand held fixed: every row ships its tonnes whatever it costs.</p>")
        }
    }
    h.push_str("<h2>Map of flows</h2>");
    h.push_str(&map_svg(ds, r));
    corridors(&mut h, r);
    revenue(&mut h, r);
    costliest(&mut h, ds, r);
    staircases(&mut h, ds, r);
    if let Some((_, cmp)) = input.compare {
        comparison(&mut h, cmp);
    }
    if let Some(g) = input.game {
        h.push_str(&crate::game::html_section(g));
    }
    if let Some(r) = input.resilience {
        h.push_str(&crate::resilience::html_section(ds, r));
    }
    if let Some(f) = input.fit {
        h.push_str(&crate::fit::html_section(f));
    }
    if let Some(a) = input.appraisal {
        h.push_str(&crate::appraisal::html_section(a));
    }
    if let Some(p) = input.power {
        h.push_str(&crate::power::html_section(p));
    }
    sources(&mut h, ds, r);
    let _ = write!(
        h,
        "<footer>{}</footer></body></html>",
        esc(&ds.manifest.attribution)
    );
    h
}

pub(crate) const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}\
h1{margin-bottom:.2em}h2{margin-top:1.8em;border-bottom:1px solid #ddd;padding-bottom:.2em}.meta{color:#666}\
table{border-collapse:collapse;margin:.5em 0;font-size:.9em}th,td{padding:.25em .6em;border-bottom:1px solid #eee;text-align:left}\
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}svg{max-width:100%;height:auto}details{margin:.5em 0}\
footer{margin-top:3em;color:#777;font-size:.85em}.up{color:#1a7f37}.down{color:#c62828}";

fn corridors(h: &mut String, r: &RunResults) {
    h.push_str("<h2>Tonnage by corridor</h2>");
    let rows: Vec<(String, f64)> = r
        .corridors
        .iter()
        .map(|c| (c.corridor.clone(), c.tonnes))
        .collect();
    h.push_str(&bars(&rows, "t/year"));
    h.push_str("<table><tr><th>corridor</th><th class=n>t/year</th><th class=n>share</th><th class=n>million t-km</th></tr>");
    for c in &r.corridors {
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{:.1}</td></tr>",
            esc(&c.corridor),
            thousands(c.tonnes),
            percent(c.share),
            c.tkm / 1e6
        );
    }
    h.push_str("</table>");
}

fn revenue(h: &mut String, r: &RunResults) {
    h.push_str("<h2>Revenue by country (USD/year)</h2>");
    let mut rows: Vec<_> = r
        .revenue
        .iter()
        .filter(|c| c.levies_usd() > 0.0 || c.market_usd() > 0.0)
        .collect();
    rows.sort_by(|a, b| b.levies_usd().total_cmp(&a.levies_usd()));
    let bars_rows: Vec<(String, f64)> = rows
        .iter()
        .map(|c| (c.name.clone(), c.transit_revenue_usd()))
        .collect();
    h.push_str("<p>Transit revenue (tariffs and border fees paid by cargo crossing the country in transit):</p>");
    h.push_str(&bars(&bars_rows, "USD/year"));
    h.push_str("<p>Levies are set by governments and state railways (the policy part); carriers and terminals charge a market price on the country's territory, earned by whoever hauls there.</p>");
    h.push_str("<table><tr><th>country</th><th class=n>transit t</th><th class=n>transit tariffs</th><th class=n>transit border fees</th><th class=n>domestic levies and fees</th><th class=n>all levies</th><th class=n>carriers</th><th class=n>terminals and handling</th></tr>");
    for c in rows {
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td></tr>",
            esc(&c.name),
            thousands(c.transit_tonnes),
            thousands(c.transit_tariff_usd),
            thousands(c.transit_fees_usd),
            thousands(c.domestic_tariff_usd + c.domestic_fees_usd),
            thousands(c.levies_usd()),
            thousands(c.carrier_freight_usd),
            thousands(c.handling_usd)
        );
    }
    h.push_str("</table>");
}

fn costliest(h: &mut String, ds: &Dataset, r: &RunResults) {
    h.push_str("<h2>Costliest origin–destination pairs (USD per tonne)</h2><table><tr><th>origin</th><th>destination</th><th>commodity</th><th class=n>generalized</th><th class=n>paid</th><th class=n>hours</th><th class=n>km</th><th>corridor</th></tr>");
    let mut od: Vec<_> = r.od.iter().collect();
    od.sort_by(|a, b| b.cost_usd_per_t.total_cmp(&a.cost_usd_per_t));
    for o in od.iter().take(12) {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=n>{:.1}</td><td class=n>{:.1}</td><td class=n>{:.0}</td><td class=n>{:.0}</td><td>{}</td></tr>",
            esc(&name(ds, &o.origin)),
            esc(&name(ds, &o.destination)),
            esc(&o.commodity),
            o.cost_usd_per_t,
            o.money_usd_per_t,
            o.hours,
            o.km,
            esc(&o.corridor)
        );
    }
    h.push_str("</table>");
}

/// The time/cost–distance staircase of the main flows (largest tonnage first).
fn staircases(h: &mut String, ds: &Dataset, r: &RunResults) {
    h.push_str("<h2>Cost and time against distance: the main flows</h2><p>Cumulative generalized cost (USD/t, solid) and hours (dashed) along each flow's main route; vertical steps are border waits, fees and transfers.</p>");
    let mut od: Vec<_> = r.od.iter().collect();
    od.sort_by(|a, b| b.tonnes.total_cmp(&a.tonnes));
    for o in od.iter().take(4) {
        let _ = write!(
            h,
            "<h3>{} → {} ({}, {} t/year)</h3>",
            esc(&name(ds, &o.origin)),
            esc(&name(ds, &o.destination)),
            esc(&o.commodity),
            thousands(o.tonnes)
        );
        h.push_str(&staircase_svg(&o.route));
    }
}

fn staircase_svg(route: &Route) -> String {
    let pts = route.staircase();
    let (w, ht, pad) = (720.0, 240.0, 40.0);
    let max_km = pts.iter().map(|p| p.km).fold(1.0, f64::max);
    let max_cost = pts.iter().map(|p| p.cost_usd_per_t).fold(1.0, f64::max);
    let max_h = pts.iter().map(|p| p.hours).fold(1.0, f64::max);
    let x = |km: f64| pad + (w - 2.0 * pad) * km / max_km;
    let y = |v: f64, max: f64| ht - pad - (ht - 2.0 * pad) * v / max;
    let line = |f: &dyn Fn(&karvan_model::StairPoint) -> f64, max: f64| -> String {
        pts.iter()
            .map(|p| format!("{:.1},{:.1}", x(p.km), y(f(p), max)))
            .collect::<Vec<_>>()
            .join(" ")
    };
    format!(
        "<svg viewBox=\"0 0 {w} {ht}\" width=\"{w}\" height=\"{ht}\" role=\"img\"><rect x=\"{pad}\" y=\"{pad}\" width=\"{}\" height=\"{}\" fill=\"#fafafa\" stroke=\"#ccc\"/>\
<polyline points=\"{}\" fill=\"none\" stroke=\"#1f5fa8\" stroke-width=\"2\"/><polyline points=\"{}\" fill=\"none\" stroke=\"#c0661a\" stroke-width=\"1.5\" stroke-dasharray=\"5 3\"/>\
<text x=\"{pad}\" y=\"{}\" font-size=\"11\">0 km</text><text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"end\">{:.0} km</text>\
<text x=\"{}\" y=\"{}\" font-size=\"11\" fill=\"#1f5fa8\">{:.0} USD/t</text><text x=\"{}\" y=\"{}\" font-size=\"11\" fill=\"#c0661a\" text-anchor=\"end\">{:.0} h</text></svg>",
        w - 2.0 * pad,
        ht - 2.0 * pad,
        line(&|p| p.cost_usd_per_t, max_cost),
        line(&|p| p.hours, max_h),
        ht - pad + 15.0,
        w - pad,
        ht - pad + 15.0,
        max_km,
        pad + 4.0,
        pad - 6.0,
        max_cost,
        w - pad,
        pad - 6.0,
        max_h
    )
}

/// Width in pixels of `text` at `font_px`, estimated generously (digits and most letters
/// of the sans-serif fonts are narrower than 0.62 em), so that labels are never clipped.
fn text_width(text: &str, font_px: f64) -> f64 {
    text.chars().count() as f64 * font_px * 0.62
}

/// Horizontal bars for labelled values (negative values drawn leftwards, in red). The
/// value labels get the room they need: the bars are scaled into what is left.
fn bars(rows: &[(String, f64)], unit: &str) -> String {
    let rows: Vec<&(String, f64)> = rows.iter().take(16).collect();
    let (w, row_h, label_w) = (760.0, 20.0, 330.0);
    let value_text = |v: f64| {
        let n = if v < 0.0 { signed(v) } else { thousands(v) };
        format!("{n} {unit}")
    };
    let value_w = rows
        .iter()
        .map(|r| text_width(&value_text(r.1), 11.0))
        .fold(0.0, f64::max)
        + 10.0;
    let pos_max = rows.iter().map(|r| r.1.max(0.0)).fold(0.0, f64::max);
    let neg_max = rows.iter().map(|r| (-r.1).max(0.0)).fold(0.0, f64::max);
    let available = (w - label_w - value_w).max(40.0);
    let total = (pos_max + neg_max).max(f64::MIN_POSITIVE);
    let scale = available / total;
    let zero = label_w + neg_max * scale;
    let height = row_h * rows.len() as f64 + 10.0;
    let mut s = format!(
        "<svg viewBox=\"0 0 {w} {height}\" width=\"{w}\" height=\"{height}\" role=\"img\">"
    );
    for (i, (label, v)) in rows.iter().enumerate() {
        let yy = 5.0 + i as f64 * row_h;
        let len = scale * v.abs();
        let (x0, color) = if *v < 0.0 {
            (zero - len, "#c62828")
        } else {
            (zero, "#1f5fa8")
        };
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"end\">{}</text><rect x=\"{x0:.1}\" y=\"{yy}\" width=\"{len:.1}\" height=\"{}\" fill=\"{color}\"/><text x=\"{:.1}\" y=\"{}\" font-size=\"11\" fill=\"#444\">{}</text>",
            label_w - 6.0,
            yy + 13.0,
            esc(&short(label, 48)),
            row_h - 6.0,
            if *v < 0.0 { zero + 4.0 } else { zero + len + 4.0 },
            yy + 13.0,
            value_text(*v)
        );
    }
    s.push_str("</svg>");
    s
}

/// `s` cut to `n` characters with an ellipsis.
fn short(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}

fn comparison(h: &mut String, cmp: &Comparison) {
    let _ = write!(h, "<h2>Compared with {}</h2>", esc(&cmp.a));
    h.push_str("<table><tr><th>corridor</th><th class=n>baseline t</th><th class=n>this scenario t</th><th class=n>change</th></tr>");
    for c in cmp
        .corridors
        .iter()
        .filter(|c| (c.tonnes_b - c.tonnes_a).abs() >= 0.5)
    {
        let d = c.tonnes_b - c.tonnes_a;
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n {}>{}</td></tr>",
            esc(&c.corridor),
            thousands(c.tonnes_a),
            thousands(c.tonnes_b),
            if d > 0.0 { "class=up" } else { "class=down" },
            signed(d)
        );
    }
    h.push_str("</table><p>Change in levies by country (USD/year):</p>");
    let rows: Vec<(String, f64)> = cmp
        .revenue
        .iter()
        .filter(|r| (r.levies_b - r.levies_a).abs() >= 0.5)
        .map(|r| (r.name.clone(), r.levies_b - r.levies_a))
        .collect();
    if rows.is_empty() {
        h.push_str("<p>No country's levies change.</p>");
    } else {
        h.push_str(&bars(&rows, "USD"));
    }
}

/// The sources of the inputs the run used: parameters, commodities, tariffs, and every
/// link and crossing that carries flow.
fn sources(h: &mut String, ds: &Dataset, r: &RunResults) {
    h.push_str("<h2>Sources of the inputs</h2><details open><summary>Parameters and commodities</summary><table><tr><th>input</th><th>value</th><th>source</th></tr>");
    for (k, p) in &ds.manifest.parameters {
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=n>{}</td><td>{}</td></tr>",
            esc(k),
            p.value,
            esc(&p.source)
        );
    }
    for c in &ds.commodities {
        let _ = write!(
            h,
            "<tr><td>commodity {}</td><td class=n>{} USD/t</td><td>{}</td></tr>",
            esc(&c.name),
            c.value_usd_per_t,
            esc(&c.source)
        );
    }
    h.push_str("</table></details><details><summary>Tariffs</summary><table><tr><th>country</th><th>mode</th><th>commodity</th><th>kind</th><th class=n>USD/t-km</th><th class=n>USD/t</th><th>source</th></tr>");
    for t in &ds.tariffs {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=n>{}</td><td class=n>{}</td><td>{}</td></tr>",
            esc(&t.country),
            t.mode,
            esc(&t.commodity),
            t.kind.as_str(),
            t.usd_per_tkm,
            t.usd_per_t,
            esc(&t.source)
        );
    }
    h.push_str("</table></details><details><summary>Links and crossings that carry flow</summary><table><tr><th>element</th><th>source</th></tr>");
    let mut seen = BTreeSet::new();
    for (i, l) in ds.links.iter().enumerate() {
        if r.link_flows[i].values().sum::<f64>() > 0.0 && seen.insert(&l.id) {
            let _ = write!(
                h,
                "<tr><td>{} ({} km: {})</td><td>{}</td></tr>",
                esc(&l.name),
                l.length_km,
                esc(&l.length_source),
                esc(&l.source)
            );
        }
    }
    for (i, c) in ds.crossings.iter().enumerate() {
        if r.crossing_flows[i].values().sum::<f64>() > 0.0 {
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td></tr>",
                esc(&c.name),
                esc(&c.source)
            );
        }
    }
    h.push_str("</table></details>");
}

#[derive(Deserialize)]
struct Countries {
    features: Vec<CountryFeature>,
}

#[derive(Deserialize)]
struct CountryFeature {
    geometry: Option<CountryGeometry>,
}

#[derive(Deserialize)]
#[serde(tag = "type", content = "coordinates")]
enum CountryGeometry {
    Polygon(Vec<Vec<[f64; 2]>>),
    MultiPolygon(Vec<Vec<Vec<[f64; 2]>>>),
}

/// A static map: country outlines, the network, and flows as line widths.
fn map_svg(ds: &Dataset, r: &RunResults) -> String {
    let (lon0, lon1, lat0, lat1) = (44.0, 90.0, 22.0, 50.0);
    let k = ((lat0 + lat1) / 2.0f64).to_radians().cos();
    let w = 1000.0;
    let ht = w * (lat1 - lat0) / ((lon1 - lon0) * k);
    let px = |p: &[f64]| {
        (
            (p[0] - lon0) / (lon1 - lon0) * w,
            (lat1 - p[1]) / (lat1 - lat0) * ht,
        )
    };
    let mut s = format!("<svg viewBox=\"0 0 {w} {ht:.0}\" width=\"{w}\" height=\"{ht:.0}\" role=\"img\" style=\"background:#eef4f8\">");
    if let Ok(c) = serde_json::from_slice::<Countries>(crate::BASEMAP) {
        s.push_str("<g fill=\"#f7f5ef\" stroke=\"#9a9a9a\" stroke-width=\"0.6\">");
        for f in c.features {
            let rings: Vec<Vec<[f64; 2]>> = match f.geometry {
                Some(CountryGeometry::Polygon(p)) => p,
                Some(CountryGeometry::MultiPolygon(mp)) => mp.into_iter().flatten().collect(),
                None => continue,
            };
            let mut d = String::new();
            for ring in rings {
                for (i, p) in ring.iter().enumerate() {
                    let (x, y) = px(p);
                    let _ = write!(d, "{}{x:.1} {y:.1}", if i == 0 { "M" } else { "L" });
                }
                d.push('Z');
            }
            let _ = write!(s, "<path d=\"{d}\"/>");
        }
        s.push_str("</g>");
    }
    let max_flow = r
        .link_flows
        .iter()
        .map(|f| f.values().sum::<f64>())
        .fold(1.0, f64::max);
    for (i, l) in ds.links.iter().enumerate() {
        let t: f64 = r.link_flows[i].values().sum();
        let pts: Vec<String> = link_line(ds, i)
            .iter()
            .map(|p| px(p))
            .map(|(x, y)| format!("{x:.1},{y:.1}"))
            .collect();
        let color = match l.mode {
            karvan_data::Mode::Rail => "#7b3294",
            karvan_data::Mode::Road => "#8c6d31",
            karvan_data::Mode::Sea => "#3182bd",
        };
        let width = 0.8 + 9.0 * (t / max_flow).sqrt();
        let dash = if l.status == karvan_data::Status::Existing {
            ""
        } else {
            " stroke-dasharray=\"4 3\""
        };
        let _ = write!(s, "<polyline points=\"{}\" fill=\"none\" stroke=\"{color}\" stroke-opacity=\"0.75\" stroke-width=\"{width:.1}\"{dash}/>", pts.join(" "));
    }
    for (i, c) in ds.crossings.iter().enumerate() {
        let line = crossing_line(ds, i);
        if let Some(p) = line.first() {
            let (x, y) = px(p);
            let used = r.crossing_flows[i].values().sum::<f64>() > 0.0;
            let _ = write!(s, "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{}\" fill=\"{}\"><title>{}</title></circle>", if used { 4 } else { 2 }, if used { "#d62728" } else { "#999" }, esc(&c.name));
        }
    }
    s.push_str("<text x=\"8\" y=\"16\" font-size=\"12\" fill=\"#333\">Line width: tonnes per year. Purple rail, brown road, blue sea; dashed: not yet built. Red dots: border crossings in use.</text></svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every value label of a bar chart ends inside the chart: `(x, text)` of each.
    fn value_labels(svg: &str) -> Vec<(f64, String)> {
        svg.split("<text x=\"")
            .skip(1)
            .filter(|t| t.contains("fill=\"#444\""))
            .map(|t| {
                let x: f64 = t.split('"').next().unwrap().parse().unwrap();
                let text = t.split('>').nth(1).unwrap().split('<').next().unwrap();
                (x, text.to_string())
            })
            .collect()
    }

    #[test]
    fn bar_chart_value_labels_are_not_clipped() {
        let rows = vec![
            ("Afghanistan".to_string(), 33_293_527.0),
            ("Pakistan".to_string(), -12_345_678.0),
            ("Uzbekistan".to_string(), 1_000.0),
        ];
        let svg = bars(&rows, "USD/year");
        let labels = value_labels(&svg);
        assert_eq!(labels.len(), 3, "{svg}");
        for (x, text) in labels {
            assert!(text.ends_with("USD/year"), "{text}");
            assert!(
                x + text_width(&text, 11.0) <= 760.0,
                "{text} at {x} is clipped"
            );
        }
        assert!(svg.contains("33,293,527 USD/year"));
    }
}
