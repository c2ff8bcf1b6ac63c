//! The fit of a run to the observations: a table a reviewer can check (Markdown and CSV)
//! and a predicted-against-observed scatter chart (SVG, drawn with plotters).

use std::fmt::Write;

use karvan_data::{ObservationKind, ObservationRole};
use karvan_policy::fit::{Fit, FitRow, FitSummary};
use plotters::prelude::*;

use crate::fmt::{fixed, thousands};
use crate::ReportError;

fn role(r: &FitRow) -> &'static str {
    match r.role {
        ObservationRole::Calibrate => "calibrate",
        ObservationRole::Validate => "validate",
        ObservationRole::Context => "context",
    }
}

fn value(kind: ObservationKind, v: f64) -> String {
    match kind {
        ObservationKind::Flow => thousands(v),
        ObservationKind::Share => fixed(v, 3),
    }
}

/// One observation's figures as people read them, for the Markdown and HTML tables.
struct Cells {
    observed: String,
    range: String,
    predicted: String,
    error: String,
    relative_error: String,
    geh: String,
    inside: &'static str,
}

impl Cells {
    fn of(r: &FitRow) -> Cells {
        Cells {
            observed: value(r.kind, r.observed),
            range: format!("{}–{}", value(r.kind, r.low), value(r.kind, r.high)),
            predicted: r
                .predicted
                .map(|p| value(r.kind, p))
                .unwrap_or_else(|| "not in network".into()),
            error: r.error().map(|e| value(r.kind, e)).unwrap_or_default(),
            relative_error: r
                .relative_error()
                .map(|e| format!("{:+.0}%", 100.0 * e))
                .unwrap_or_default(),
            geh: r.geh().map(|g| fixed(g, 1)).unwrap_or_default(),
            inside: match r.inside() {
                Some(true) => "yes",
                Some(false) => "no",
                None => "",
            },
        }
    }
}

/// The summary statistics in one line each.
pub fn summary_lines(label: &str, s: &FitSummary) -> String {
    format!(
        "- {label}: {} observations compared ({} name a crossing missing from the network); \
         {:.0}% inside their observed range; {:.0}% of flows with GEH < 5; flows %RMSE {:.0}; \
         shares off by {:.3} on average\n",
        s.compared,
        s.not_in_network,
        100.0 * s.share_inside,
        100.0 * s.share_geh_below_5,
        s.percent_rmse,
        s.share_mae
    )
}

/// `fit.md`: the summary, then every observation with its prediction and errors.
pub fn markdown(fit: &Fit) -> String {
    let mut md = format!("# Fit to observations: {}\n\n", fit.scenario);
    md.push_str(&summary_lines("Fitted (`calibrate`)", &fit.summary));
    md.push_str(&summary_lines("Kept out (`validate`)", &fit.validation));
    md.push_str(
        "\nFlows in t/year; shares 0–1. GEH on daily 20-t loads. `context` rows describe \
         another period, condition or scope than the base year and are not scored.\n\n\
         | observation | role | observed | range | predicted | error | error % | GEH | inside |\n\
         |---|---|---:|---|---:|---:|---:|---:|---|\n",
    );
    for r in &fit.rows {
        let c = Cells::of(r);
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.id,
            role(r),
            c.observed,
            c.range,
            c.predicted,
            c.error,
            c.relative_error,
            c.geh,
            c.inside
        );
    }
    md
}

/// `fit.csv`: one row per observation.
pub fn csv(fit: &Fit) -> Result<Vec<u8>, ReportError> {
    let opt = |v: Option<f64>, d: usize| v.map(|v| fixed(v, d)).unwrap_or_default();
    crate::tables::csv_bytes(
        &[
            "id",
            "role",
            "kind",
            "unit",
            "observed",
            "low",
            "high",
            "predicted",
            "error",
            "relative_error",
            "geh",
            "inside",
            "weight",
            "period",
            "source",
        ],
        fit.rows.iter().map(|r| {
            vec![
                r.id.clone(),
                role(r).into(),
                match r.kind {
                    ObservationKind::Flow => "flow".into(),
                    ObservationKind::Share => "share".into(),
                },
                r.unit.into(),
                fixed(r.observed, 4),
                fixed(r.low, 4),
                fixed(r.high, 4),
                opt(r.predicted, 4),
                opt(r.error(), 4),
                opt(r.relative_error(), 4),
                opt(r.geh(), 2),
                r.inside().map(|b| b.to_string()).unwrap_or_default(),
                fixed(r.weight, 2),
                r.period.clone(),
                r.source.clone(),
            ]
        }),
    )
}

/// Predicted against observed flows, on logarithmic axes (thousands of t/year), with the
/// line of perfect fit; fitted observations in blue, those kept out in orange, with
/// whiskers for the observed range.
pub fn scatter_svg(fit: &Fit) -> Result<String, ReportError> {
    let points: Vec<(&FitRow, f64)> = fit
        .rows
        .iter()
        .filter(|r| r.kind == ObservationKind::Flow && r.role != ObservationRole::Context)
        .filter_map(|r| r.predicted.map(|p| (r, p)))
        .collect();
    // Thousands of tonnes; a prediction of nothing is drawn on the lowest line.
    let lowest = points
        .iter()
        .flat_map(|(r, p)| [r.low, *p])
        .filter(|v| *v > 0.0)
        .fold(f64::INFINITY, f64::min);
    let lo = if lowest.is_finite() {
        10f64.powf((lowest / 1000.0 / 2.0).max(1.0).log10().floor())
    } else {
        1.0
    };
    let kt = move |v: f64| (v / 1000.0).max(lo);
    let hi = points
        .iter()
        .flat_map(|(r, p)| [kt(r.high), kt(*p)])
        .fold(lo * 10.0, f64::max)
        * 2.0;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (640, 520)).into_drawing_area();
        root.fill(&WHITE).map_err(crate::chart_error)?;
        let mut chart = ChartBuilder::on(&root)
            .caption("Predicted against observed flows", ("sans-serif", 18))
            .margin(16)
            .x_label_area_size(48)
            .y_label_area_size(72)
            .build_cartesian_2d((lo..hi).log_scale(), (lo..hi).log_scale())
            .map_err(crate::chart_error)?;
        chart
            .configure_mesh()
            .x_desc("observed, thousand t/year")
            .y_desc("predicted, thousand t/year")
            .label_style(("sans-serif", 12))
            .x_label_formatter(&|v| thousands(*v))
            .y_label_formatter(&|v| thousands(*v))
            .draw()
            .map_err(crate::chart_error)?;
        chart
            .draw_series(LineSeries::new([(lo, lo), (hi, hi)], BLACK.mix(0.4)))
            .map_err(crate::chart_error)?
            .label("perfect fit")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], BLACK.mix(0.4)));
        for (label, colour) in [
            ("fitted", RGBColor(31, 95, 168)),
            ("kept out of the fit", RGBColor(192, 102, 26)),
        ] {
            chart
                .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())
                .map_err(crate::chart_error)?
                .label(label)
                .legend(move |(x, y)| Circle::new((x + 8, y), 4, colour.filled()));
        }
        for (r, p) in &points {
            let colour = match r.role {
                ObservationRole::Validate => RGBColor(192, 102, 26),
                _ => RGBColor(31, 95, 168),
            };
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(kt(r.low), kt(*p)), (kt(r.high), kt(*p))],
                    colour.mix(0.5),
                )))
                .map_err(crate::chart_error)?;
            chart
                .draw_series(std::iter::once(Circle::new(
                    (kt(r.observed), kt(*p)),
                    4,
                    colour.filled(),
                )))
                .map_err(crate::chart_error)?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK.mix(0.3))
            .label_font(("sans-serif", 12))
            .draw()
            .map_err(crate::chart_error)?;
        root.present().map_err(crate::chart_error)?;
    }
    Ok(svg)
}

/// The report's section: the summaries, the scatter chart and the scored observations
/// (those of another period or scope are left to `fit.md`).
pub fn html_section(fit: &Fit) -> String {
    let mut h = String::from("<h2>Fit to observations</h2><ul>");
    for (label, s) in [
        ("Fitted observations", &fit.summary),
        ("Kept out of the fit", &fit.validation),
    ] {
        let _ = write!(
            h,
            "<li>{label}: {} compared ({} on crossings missing from the network); {:.0}% inside \
             their observed range; {:.0}% of flows with GEH &lt; 5; flows %RMSE {:.0}; shares off \
             by {:.3} on average.</li>",
            s.compared,
            s.not_in_network,
            100.0 * s.share_inside,
            100.0 * s.share_geh_below_5,
            s.percent_rmse,
            s.share_mae
        );
    }
    h.push_str("</ul>");
    match scatter_svg(fit) {
        Ok(svg) => h.push_str(&svg),
        Err(e) => {
            let _ = write!(
                h,
                "<p>The chart could not be drawn: {}</p>",
                crate::html::esc(&e.to_string())
            );
        }
    }
    h.push_str(
        "<table><tr><th>observation</th><th>role</th><th class=n>observed</th><th>range</th>\
         <th class=n>predicted</th><th class=n>error</th><th class=n>GEH</th><th>inside</th></tr>",
    );
    for r in fit
        .rows
        .iter()
        .filter(|r| r.role != ObservationRole::Context)
    {
        let c = Cells::of(r);
        let _ = write!(
            h,
            "<tr><td title=\"{}\">{}</td><td>{}</td><td class=n>{}</td><td>{}</td>\
             <td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td>{}</td></tr>",
            crate::html::esc(&r.source),
            crate::html::esc(&r.id),
            role(r),
            c.observed,
            c.range,
            c.predicted,
            c.relative_error,
            c.geh,
            c.inside
        );
    }
    h.push_str("</table>");
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use karvan_policy::fit::summarise;

    fn row(id: &str, role: ObservationRole, observed: f64, predicted: f64) -> FitRow {
        FitRow {
            id: id.into(),
            kind: ObservationKind::Flow,
            unit: "t/year",
            observed,
            low: observed * 0.8,
            high: observed * 1.2,
            predicted: Some(predicted),
            weight: 1.0,
            role,
            period: "2024".into(),
            source: "test".into(),
        }
    }

    fn fit() -> Fit {
        let rows = vec![
            row(
                "hairatan",
                ObservationRole::Calibrate,
                3_270_000.0,
                1_800_000.0,
            ),
            row(
                "torkham",
                ObservationRole::Validate,
                5_000_000.0,
                5_100_000.0,
            ),
        ];
        Fit {
            scenario: "test".into(),
            summary: summarise(&rows[..1]),
            validation: summarise(&rows[1..]),
            rows,
        }
    }

    #[test]
    fn the_table_and_chart_carry_every_scored_observation() {
        let f = fit();
        let md = markdown(&f);
        assert!(md.contains("| hairatan | calibrate | 3,270,000 |"), "{md}");
        assert!(md.contains("-45%"), "{md}");
        let svg = scatter_svg(&f).unwrap();
        assert!(svg.starts_with("<svg"), "{svg}");
        // Two observations and the two legend marks.
        assert_eq!(svg.matches("<circle").count(), 4, "{svg}");
        assert!(svg.contains("kept out of the fit"));
        assert!(svg.contains("observed, thousand t/year"));
        let csv = String::from_utf8(csv(&f).unwrap()).unwrap();
        assert!(csv.lines().count() == 3 && csv.contains("hairatan,calibrate,flow"));
    }
}
