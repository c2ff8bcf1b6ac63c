//! The river basin's report: monthly flows at the gauges, deliveries against demand by
//! country, and a schematic of the basin with each reach drawn by the water it carries
//! (SVG, drawn with plotters), around the tables of `water.md`.

use std::collections::BTreeMap;

use karvan_data::water::Basin;
use karvan_water::model::Run;
use plotters::prelude::*;

use crate::html::esc;
use crate::{chart_error, ReportError};

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

const PALETTE: [RGBColor; 8] = [
    RGBColor(31, 95, 168),
    RGBColor(192, 102, 26),
    RGBColor(26, 127, 55),
    RGBColor(198, 40, 40),
    RGBColor(110, 64, 170),
    RGBColor(0, 128, 128),
    RGBColor(128, 128, 0),
    RGBColor(90, 90, 90),
];

/// Lines by month, one series per name, with the y axis described by `y_desc`.
pub(crate) fn monthly_lines(
    title: &str,
    y_desc: &str,
    series: &[(String, [f64; 12])],
) -> Result<String, ReportError> {
    let top = series
        .iter()
        .flat_map(|s| s.1.iter().copied())
        .fold(1.0, f64::max)
        * 1.1;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (720, 340)).into_drawing_area();
        root.fill(&WHITE).map_err(chart_error)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 16))
            .margin(12)
            .x_label_area_size(32)
            .y_label_area_size(64)
            .build_cartesian_2d(0.0..11.0, 0.0..top)
            .map_err(chart_error)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(12)
            .x_label_formatter(&|v: &f64| MONTHS.get(v.round() as usize).unwrap_or(&"").to_string())
            .y_desc(y_desc)
            .label_style(("sans-serif", 11))
            .draw()
            .map_err(chart_error)?;
        for (k, (name, values)) in series.iter().enumerate() {
            let colour = PALETTE[k % PALETTE.len()];
            chart
                .draw_series(LineSeries::new(
                    values.iter().enumerate().map(|(m, v)| (m as f64, *v)),
                    colour.stroke_width(2),
                ))
                .map_err(chart_error)?
                .label(name.clone())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 14, y)], colour.stroke_width(2))
                });
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK.mix(0.3))
            .label_font(("sans-serif", 11))
            .draw()
            .map_err(chart_error)?;
        root.present().map_err(chart_error)?;
    }
    Ok(svg)
}

/// Monthly flow past each gauge and into the terminal, in year `year` of the run.
pub fn flows_svg(
    basin: &Basin,
    run: &Run,
    year: usize,
    label: &str,
) -> Result<String, ReportError> {
    let series: Vec<(String, [f64; 12])> = basin
        .nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| n.kind == "gauge" || n.kind == "terminal")
        .map(|(i, n)| {
            let mut v = [0.0; 12];
            for (m, slot) in v.iter_mut().enumerate() {
                *slot = run
                    .months
                    .get(year * 12 + m)
                    .map_or(0.0, |mo| mo.outflow[i]);
            }
            (n.name.clone(), v)
        })
        .collect();
    monthly_lines(
        &format!("Flow past the gauges: {label}"),
        "hm³ in the month",
        &series,
    )
}

/// Deliveries by country and month against what was asked (dashed: asked).
pub fn deliveries_svg(
    basin: &Basin,
    run: &Run,
    year: usize,
    label: &str,
) -> Result<String, ReportError> {
    let mut by: BTreeMap<String, ([f64; 12], [f64; 12])> = BTreeMap::new();
    for (k, (node, req)) in run.built.takes.iter().enumerate() {
        if *req {
            continue;
        }
        let country = basin
            .nodes
            .iter()
            .find(|n| &n.id == node)
            .map_or(String::new(), |n| n.country.clone());
        let e = by.entry(country).or_insert(([0.0; 12], [0.0; 12]));
        for m in 0..12 {
            if let Some(mo) = run.months.get(year * 12 + m) {
                e.0[m] += mo.demand[k];
                e.1[m] += mo.delivered[k];
            }
        }
    }
    let series: Vec<(String, [f64; 12])> = by
        .iter()
        .filter(|(_, (asked, _))| asked.iter().sum::<f64>() > 0.0)
        .flat_map(|(c, (asked, got))| {
            [
                (format!("{c} delivered"), *got),
                (format!("{c} asked"), *asked),
            ]
        })
        .collect();
    monthly_lines(
        &format!("Deliveries by country: {label}"),
        "hm³ in the month",
        &series,
    )
}

/// The basin drawn on its coordinates: reaches as lines as wide as the water they carry
/// in the year, nodes by kind, names beside them.
pub fn schematic_svg(basin: &Basin, run: &Run, year: usize) -> String {
    // Room on the right for the names of the nodes furthest east.
    let (w, h, pad, labels) = (720.0, 560.0, 60.0, 240.0);
    let lon = |x: f64| x;
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for n in &basin.nodes {
        x0 = x0.min(lon(n.lon));
        x1 = x1.max(lon(n.lon));
        y0 = y0.min(n.lat);
        y1 = y1.max(n.lat);
    }
    let sx = (w - 2.0 * pad - labels) / (x1 - x0).max(1e-6);
    let sy = (h - 2.0 * pad) / (y1 - y0).max(1e-6);
    let s = sx.min(sy);
    let px = |n: &karvan_data::water::WaterNode| {
        (pad + (lon(n.lon) - x0) * s, h - pad - (n.lat - y0) * s)
    };
    let index: BTreeMap<&str, usize> = basin
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id.as_str(), i))
        .collect();
    let annual = |i: usize| -> f64 {
        (0..12)
            .filter_map(|m| run.months.get(year * 12 + m))
            .map(|mo| mo.outflow[i])
            .sum()
    };
    let most = (0..basin.nodes.len()).map(annual).fold(1.0, f64::max);
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" font-family=\"sans-serif\" font-size=\"11\"><rect width=\"100%\" height=\"100%\" fill=\"white\"/>"
    );
    for r in &basin.reaches {
        let (Some(&a), Some(&b)) = (index.get(r.from.as_str()), index.get(r.to.as_str())) else {
            continue;
        };
        let ((ax, ay), (bx, by)) = (px(&basin.nodes[a]), px(&basin.nodes[b]));
        let flow = annual(a);
        let width = 1.0 + 14.0 * flow / most;
        out.push_str(&format!(
            "<line x1=\"{ax:.1}\" y1=\"{ay:.1}\" x2=\"{bx:.1}\" y2=\"{by:.1}\" stroke=\"#4a90c8\" stroke-opacity=\"0.8\" stroke-width=\"{width:.1}\" stroke-linecap=\"round\"><title>{}: {:.0} hm³ in the year</title></line>",
            esc(&r.id),
            flow
        ));
    }
    for n in &basin.nodes {
        let (x, y) = px(n);
        let colour = match n.kind.as_str() {
            "inflow" => "#1a7f37",
            "reservoir" => "#1f5fa8",
            "withdrawal" => "#c62828",
            "gauge" => "#6e40aa",
            "terminal" => "#000000",
            _ => "#777777",
        };
        out.push_str(&format!(
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"5\" fill=\"{colour}\"><title>{} ({}, {})</title></circle><text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            esc(&n.name),
            esc(&n.kind),
            esc(&n.country),
            x + 7.0,
            y + 4.0,
            esc(&n.name)
        ));
    }
    out.push_str("</svg>");
    out
}

/// The report as one self-contained HTML document: `md_html` is the tables (already
/// HTML), then for each (label, run, year) its schematic and charts.
pub fn html_document(
    title: &str,
    tables_html: &str,
    basin: &Basin,
    years: &[(String, &Run, usize)],
) -> String {
    let mut h = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"generator\" content=\"Karvan\"><title>{}</title><style>{}</style></head><body><h1>{}</h1>{}",
        esc(title),
        crate::html::STYLE,
        esc(title),
        tables_html
    );
    for (label, run, year) in years {
        h.push_str(&format!("<details><summary>{}</summary>", esc(label)));
        h.push_str(&schematic_svg(basin, run, *year));
        for svg in [
            flows_svg(basin, run, *year, label),
            deliveries_svg(basin, run, *year, label),
        ] {
            match svg {
                Ok(s) => h.push_str(&s),
                Err(e) => h.push_str(&format!(
                    "<p>The chart could not be drawn: {}</p>",
                    esc(&e.to_string())
                )),
            }
        }
        h.push_str("</details>");
    }
    h.push_str(&format!(
        "<footer>{}</footer></body></html>",
        esc(&basin.manifest.attribution)
    ));
    h
}
