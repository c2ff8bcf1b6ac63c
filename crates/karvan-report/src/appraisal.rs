//! The project appraisal's outputs: `appraisal.md`, CSV tables (cases, years, parties,
//! financiers, tornado, traffic, interactions, Monte Carlo draws) and the report's
//! section with its charts (drawn with plotters' SVG backend).

use std::fmt::Write;

use karvan_policy::appraisal::{Appraisal, CaseResult};
use karvan_policy::appraise::Irr;
use plotters::prelude::*;

use crate::fmt::{fixed, millions, percent, thousands};
use crate::html::esc;
use crate::{chart_error, ReportError};

/// An internal rate of return as people read it.
pub fn irr_text(irr: &Irr) -> String {
    match irr {
        Irr::None => "none".into(),
        Irr::One(r) => percent(*r),
        Irr::Several(rs) => format!(
            "several: {}",
            rs.iter()
                .map(|r| percent(*r))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn year_text(y: Option<i32>) -> String {
    y.map_or("never".into(), |y| y.to_string())
}

fn bcr_text(b: Option<f64>) -> String {
    b.map_or("–".into(), |b| format!("{b:.2}"))
}

/// The appraisal in Markdown.
pub fn markdown(a: &Appraisal) -> String {
    let mut m = String::new();
    let _ = writeln!(
        m,
        "# Karvan appraisal: {}\n\nYears {}–{}, money discounted to {} at {} a year (financiers' view at {}); \
         demand growing {:.1}%/year; the model solved in {} ({} runs) and the years between \
         interpolated linearly (held flat outside them). Money in million USD of the dataset's year.\n",
        a.scenario,
        a.start,
        a.horizon,
        a.start,
        percent(a.discount_rate),
        percent(a.financial_rate),
        a.growth_percent,
        a.solved_years
            .iter()
            .map(|y| y.to_string())
            .collect::<Vec<_>>()
            .join(", "),
        a.runs
    );
    m.push_str("## Schemes\n\n| scheme | projects | opens | build years | capital cost (low–central–high) | O&M per year | countries | financing |\n|---|---|---:|---:|---|---:|---|---|\n");
    for (s, f) in a.schemes.iter().zip(&a.scheme_facts) {
        let _ = writeln!(
            m,
            "| {} | {} | {} | {} | {}–{}–{} | {} | {} | {} |",
            s.id,
            s.projects.join(", "),
            f.opens,
            f.build_years,
            millions(f.capex_usd[0]),
            millions(f.capex_usd[1]),
            millions(f.capex_usd[2]),
            millions(f.opex_usd_per_year),
            f.hosts.join(", "),
            f.financing
                .iter()
                .map(|(who, how, share)| format!("{who} {how} {}", percent(*share)))
                .collect::<Vec<_>>()
                .join("; ")
        );
    }
    m.push_str("\n## Cases\n\n| case | NPV | PV benefits | PV costs | BCR | EIRR | benefits pass costs | payback | break-even capital cost | NPV P10 | P50 | P90 | P(NPV < 0) |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for c in &a.cases {
        let mc = &c.monte_carlo;
        let _ = writeln!(
            m,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            c.id,
            millions(c.npv_usd),
            millions(c.pv_benefits_usd),
            millions(c.pv_costs_usd),
            bcr_text(c.bcr),
            irr_text(&c.eirr),
            year_text(c.first_positive_year),
            year_text(c.payback_year),
            c.break_even_capex_usd.map_or("none".into(), millions),
            millions(mc.p10_usd),
            millions(mc.p50_usd),
            millions(mc.p90_usd),
            percent(mc.probability_negative)
        );
    }
    if !a.interactions.is_empty() {
        m.push_str("\n## Complement or substitute\n\nPresent value of benefits of both built together against the sum of each alone (positive: they complement each other), and the tonnes each loses to the other in the last solved year.\n\n| a | b | both | a alone | b alone | both − sum | year | a loses t | b loses t |\n|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for i in &a.interactions {
            let _ = writeln!(
                m,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                i.a,
                i.b,
                millions(i.both_usd),
                millions(i.a_alone_usd),
                millions(i.b_alone_usd),
                millions(i.interaction_usd),
                i.year,
                thousands(i.a_loses_tonnes),
                thousands(i.b_loses_tonnes)
            );
        }
    }
    for c in &a.cases {
        case_markdown(&mut m, c);
    }
    m.push_str(METHOD);
    m
}

const METHOD: &str = "\n## Method\n\n\
- Benefits are economic: shippers' saving in generalized cost (money and time) by the rule of a half over each demand row, with trade answering to price, half to the origin's country and half to the destination's; plus the change in the levies each country receives. Levies paid are inside the shippers' cost, so across countries they are transfers that sum to zero. Carriers and terminals are paid market rates taken to cover their costs, so their takings are reported, not counted.\n\
- Costs: the capital cost spread evenly over the construction years before opening (what falls before the first year is spent in it), operation and maintenance from opening, renewals, less the straight-line residual value at the horizon. By country: the capital cost falls on who pays it in the end (equity on the financier, a loan on the borrower, a grant on the donor), running costs on the countries the line runs through by length.\n\
- Closures: each crossing of a scheme closes with the resilience analysis's chance (times its risk index) for its closure length; while a scheme is closed the case loses that scheme's own contribution (the gains of the case less those of the case without it).\n\
- Who pays: coalitions of the countries that host or gain may build any part of the case whose host countries they all include, paying its whole cost; the Shapley value shares the grand coalition's value; a proposal is blocked when a coalition would do better alone (outside the core).\n\
- Risk: the tornado moves one input at a time to its low and high value; the Monte Carlo draws demand growth, levies and capital cost (triangular), the delay (0 to the tornado's, evenly) and closures (each year), on the same draws for every case.\n";

fn case_markdown(m: &mut String, c: &CaseResult) {
    let _ = writeln!(m, "\n## Case {}\n", c.id);
    m.push_str("### By country (present values)\n\n| party | shippers | levies | transfers | carriers and terminals | benefit | cost | NPV |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for p in &c.parties {
        let _ = writeln!(
            m,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            p.party,
            millions(p.shippers_usd),
            millions(p.levies_usd),
            millions(p.transfers_usd),
            millions(p.market_usd),
            millions(p.benefit_usd),
            millions(p.cost_usd),
            millions(p.npv_usd)
        );
    }
    if let Some(s) = &c.sharing {
        let _ = writeln!(
            m,
            "\n### Who should pay\n\nThe whole case is worth {} to these countries; the best their grand coalition can do with its schemes is {}. Core {}.\n\n| country | benefit | pays (proportional) | net (proportional) | Shapley net | pays (Shapley) |\n|---|---:|---:|---:|---:|---:|",
            millions(s.whole_case_value_usd),
            millions(s.grand_value_usd),
            if s.core_empty { "empty: no split keeps every coalition on board" } else { "not empty" }
        );
        for p in &s.players {
            let _ = writeln!(
                m,
                "| {} | {} | {} | {} | {} | {} |",
                p.country,
                millions(p.benefit_usd),
                millions(p.proportional_payment_usd),
                millions(p.proportional_net_usd),
                millions(p.shapley_net_usd),
                millions(p.shapley_payment_usd)
            );
        }
        for (label, b) in [
            ("Proportional shares", &s.proportional_blocked_by),
            ("The Shapley allocation", &s.shapley_blocked_by),
        ] {
            let _ = match b {
                Some(b) => writeln!(
                    m,
                    "\n{label}: blocked by {{{}}}, which would do {} better alone.",
                    b.coalition.join(", "),
                    millions(b.shortfall_usd)
                ),
                None => writeln!(
                    m,
                    "\n{label}: in the core (no coalition does better alone)."
                ),
            };
        }
    }
    m.push_str("\n### Financiers\n\n| financier | roles | NPV | IRR |\n|---|---|---:|---:|\n");
    for f in &c.financiers {
        let _ = writeln!(
            m,
            "| {} | {} | {} | {} |",
            f.party,
            f.roles,
            millions(f.npv_usd),
            irr_text(&f.irr)
        );
    }
    m.push_str(
        "\n### Tornado (NPV)\n\n| input | low | NPV | high | NPV |\n|---|---|---:|---|---:|\n",
    );
    for b in &c.tornado {
        let _ = writeln!(
            m,
            "| {} | {} | {} | {} | {} |",
            b.input,
            b.low_label,
            millions(b.npv_low_usd),
            b.high_label,
            millions(b.npv_high_usd)
        );
    }
    m.push_str("\n### Traffic using each scheme\n\n| scheme | year | t/year |\n|---|---:|---:|\n");
    for t in &c.traffic {
        let _ = writeln!(m, "| {} | {} | {} |", t.scheme, t.year, thousands(t.tonnes));
    }
}

fn csv_writer() -> csv::Writer<Vec<u8>> {
    csv::Writer::from_writer(vec![])
}

fn row<I, T>(w: &mut csv::Writer<Vec<u8>>, record: I) -> Result<(), ReportError>
where
    I: IntoIterator<Item = T>,
    T: AsRef<[u8]>,
{
    w.write_record(record).map_err(|source| ReportError::Csv {
        path: "appraisal table".into(),
        source,
    })
}

fn done(w: csv::Writer<Vec<u8>>) -> Result<Vec<u8>, ReportError> {
    w.into_inner()
        .map_err(|e| ReportError::Chart(e.to_string()))
}

fn money(v: f64) -> String {
    fixed(v, 0)
}

/// The CSV tables, by file name.
pub fn tables(a: &Appraisal) -> Result<Vec<(&'static str, Vec<u8>)>, ReportError> {
    Ok(vec![
        ("appraisal_cases.csv", cases_csv(a)?),
        ("appraisal_years.csv", years_csv(a)?),
        ("appraisal_countries.csv", countries_csv(a)?),
        ("appraisal_financiers.csv", financiers_csv(a)?),
        ("appraisal_tornado.csv", tornado_csv(a)?),
        ("appraisal_traffic.csv", traffic_csv(a)?),
        ("appraisal_interactions.csv", interactions_csv(a)?),
        ("appraisal_npv_draws.csv", draws_csv(a)?),
    ])
}

fn cases_csv(a: &Appraisal) -> Result<Vec<u8>, ReportError> {
    let mut w = csv_writer();
    row(
        &mut w,
        [
            "case",
            "npv_usd",
            "pv_benefits_usd",
            "pv_costs_usd",
            "bcr",
            "eirr",
            "first_positive_year",
            "payback_year",
            "break_even_capex_usd",
            "npv_mean_usd",
            "npv_p10_usd",
            "npv_p50_usd",
            "npv_p90_usd",
            "probability_npv_negative",
        ],
    )?;
    for c in &a.cases {
        let mc = &c.monte_carlo;
        row(
            &mut w,
            [
                c.id.clone(),
                money(c.npv_usd),
                money(c.pv_benefits_usd),
                money(c.pv_costs_usd),
                c.bcr.map_or(String::new(), |b| format!("{b:.4}")),
                match &c.eirr {
                    Irr::One(r) => format!("{r:.6}"),
                    other => irr_text(other),
                },
                c.first_positive_year
                    .map_or(String::new(), |y| y.to_string()),
                c.payback_year.map_or(String::new(), |y| y.to_string()),
                c.break_even_capex_usd.map_or(String::new(), money),
                money(mc.mean_usd),
                money(mc.p10_usd),
                money(mc.p50_usd),
                money(mc.p90_usd),
                format!("{:.4}", mc.probability_negative),
            ],
        )?;
    }
    done(w)
}

fn years_csv(a: &Appraisal) -> Result<Vec<u8>, ReportError> {
    let mut w = csv_writer();
    row(
        &mut w,
        [
            "case",
            "year",
            "shippers_usd",
            "levies_usd",
            "closure_loss_usd",
            "benefits_usd",
            "capex_usd",
            "opex_usd",
            "renewal_usd",
            "residual_usd",
            "costs_usd",
            "net_usd",
            "carriers_and_terminals_usd",
        ],
    )?;
    for c in &a.cases {
        for y in &c.years {
            row(
                &mut w,
                [
                    c.id.clone(),
                    y.year.to_string(),
                    money(y.shippers),
                    money(y.levies),
                    money(y.closure_loss),
                    money(y.benefits()),
                    money(y.capex),
                    money(y.opex),
                    money(y.renewal),
                    money(y.residual),
                    money(y.costs()),
                    money(y.net()),
                    money(y.market),
                ],
            )?;
        }
    }
    done(w)
}

fn countries_csv(a: &Appraisal) -> Result<Vec<u8>, ReportError> {
    let mut w = csv_writer();
    row(
        &mut w,
        [
            "case",
            "party",
            "shippers_usd",
            "levies_usd",
            "transfers_usd",
            "carriers_and_terminals_usd",
            "benefit_usd",
            "cost_usd",
            "npv_usd",
            "proportional_payment_usd",
            "shapley_net_usd",
            "shapley_payment_usd",
        ],
    )?;
    for c in &a.cases {
        for p in &c.parties {
            let share = c
                .sharing
                .as_ref()
                .and_then(|s| s.players.iter().find(|x| x.country == p.party));
            let opt = |f: fn(&karvan_policy::appraisal::share::PlayerShare) -> f64| {
                share.map_or(String::new(), |s| money(f(s)))
            };
            row(
                &mut w,
                [
                    c.id.clone(),
                    p.party.clone(),
                    money(p.shippers_usd),
                    money(p.levies_usd),
                    money(p.transfers_usd),
                    money(p.market_usd),
                    money(p.benefit_usd),
                    money(p.cost_usd),
                    money(p.npv_usd),
                    opt(|s| s.proportional_payment_usd),
                    opt(|s| s.shapley_net_usd),
                    opt(|s| s.shapley_payment_usd),
                ],
            )?;
        }
    }
    done(w)
}

fn financiers_csv(a: &Appraisal) -> Result<Vec<u8>, ReportError> {
    let mut w = csv_writer();
    row(
        &mut w,
        [
            "case",
            "financier",
            "roles",
            "year",
            "cash_usd",
            "npv_usd",
            "irr",
        ],
    )?;
    for c in &a.cases {
        for f in &c.financiers {
            for (year, usd) in &f.cash {
                row(
                    &mut w,
                    [
                        c.id.clone(),
                        f.party.clone(),
                        f.roles.clone(),
                        year.to_string(),
                        money(*usd),
                        money(f.npv_usd),
                        irr_text(&f.irr),
                    ],
                )?;
            }
        }
    }
    done(w)
}

fn tornado_csv(a: &Appraisal) -> Result<Vec<u8>, ReportError> {
    let mut w = csv_writer();
    row(
        &mut w,
        [
            "case",
            "input",
            "low",
            "npv_low_usd",
            "high",
            "npv_high_usd",
        ],
    )?;
    for c in &a.cases {
        for b in &c.tornado {
            row(
                &mut w,
                [
                    c.id.clone(),
                    b.input.clone(),
                    b.low_label.clone(),
                    money(b.npv_low_usd),
                    b.high_label.clone(),
                    money(b.npv_high_usd),
                ],
            )?;
        }
    }
    done(w)
}

fn traffic_csv(a: &Appraisal) -> Result<Vec<u8>, ReportError> {
    let mut w = csv_writer();
    row(&mut w, ["case", "scheme", "year", "tonnes"])?;
    for c in &a.cases {
        for t in &c.traffic {
            row(
                &mut w,
                [
                    c.id.clone(),
                    t.scheme.clone(),
                    t.year.to_string(),
                    fixed(t.tonnes, 0),
                ],
            )?;
        }
    }
    done(w)
}

fn interactions_csv(a: &Appraisal) -> Result<Vec<u8>, ReportError> {
    let mut w = csv_writer();
    row(
        &mut w,
        [
            "a",
            "b",
            "pv_benefits_both_usd",
            "pv_benefits_a_alone_usd",
            "pv_benefits_b_alone_usd",
            "interaction_usd",
            "year",
            "a_loses_tonnes",
            "b_loses_tonnes",
        ],
    )?;
    for i in &a.interactions {
        row(
            &mut w,
            [
                i.a.clone(),
                i.b.clone(),
                money(i.both_usd),
                money(i.a_alone_usd),
                money(i.b_alone_usd),
                money(i.interaction_usd),
                i.year.to_string(),
                fixed(i.a_loses_tonnes, 0),
                fixed(i.b_loses_tonnes, 0),
            ],
        )?;
    }
    done(w)
}

fn draws_csv(a: &Appraisal) -> Result<Vec<u8>, ReportError> {
    let mut w = csv_writer();
    row(&mut w, ["case", "draw", "npv_usd"])?;
    for c in &a.cases {
        for (k, v) in c.monte_carlo.values.iter().enumerate() {
            row(&mut w, [c.id.clone(), k.to_string(), money(*v)])?;
        }
    }
    done(w)
}

const BENEFIT: RGBColor = RGBColor(26, 127, 55);
const COST: RGBColor = RGBColor(198, 40, 40);
const NEUTRAL: RGBColor = RGBColor(31, 95, 168);

/// Benefits and costs by year (million USD), costs below the axis, net as a line.
pub fn cash_flow_svg(c: &CaseResult) -> Result<String, ReportError> {
    let m = |v: f64| v / 1e6;
    let first = c.years.first().map_or(0, |y| y.year);
    let last = c.years.last().map_or(1, |y| y.year);
    let top = c.years.iter().map(|y| m(y.benefits())).fold(1.0, f64::max) * 1.1;
    let bottom = -c.years.iter().map(|y| m(y.costs())).fold(1.0, f64::max) * 1.1;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (720, 360)).into_drawing_area();
        root.fill(&WHITE).map_err(chart_error)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(format!("Cash flows: {}", c.id), ("sans-serif", 16))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(64)
            .build_cartesian_2d(first as f64 - 0.5..last as f64 + 0.5, bottom..top)
            .map_err(chart_error)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_desc("year")
            .y_desc("million USD")
            .label_style(("sans-serif", 11))
            .x_label_formatter(&|v| format!("{v:.0}"))
            .draw()
            .map_err(chart_error)?;
        let bar = |x: i32, y0: f64, y1: f64, colour: RGBColor| {
            Rectangle::new(
                [(x as f64 - 0.4, y0), (x as f64 + 0.4, y1)],
                colour.filled(),
            )
        };
        chart
            .draw_series(
                c.years
                    .iter()
                    .map(|y| bar(y.year, 0.0, m(y.benefits()), BENEFIT)),
            )
            .map_err(chart_error)?
            .label("benefits")
            .legend(|(x, y)| Rectangle::new([(x, y - 4), (x + 12, y + 4)], BENEFIT.filled()));
        chart
            .draw_series(
                c.years
                    .iter()
                    .map(|y| bar(y.year, -m(y.costs()), 0.0, COST)),
            )
            .map_err(chart_error)?
            .label("costs")
            .legend(|(x, y)| Rectangle::new([(x, y - 4), (x + 12, y + 4)], COST.filled()));
        chart
            .draw_series(LineSeries::new(
                c.years.iter().map(|y| (y.year as f64, m(y.net()))),
                BLACK.stroke_width(2),
            ))
            .map_err(chart_error)?
            .label("net")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], BLACK.stroke_width(2)));
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK.mix(0.3))
            .label_font(("sans-serif", 11))
            .draw()
            .map_err(chart_error)?;
        root.present().map_err(chart_error)?;
    }
    Ok(svg)
}

/// Horizontal bars between a low and a high value (million USD) with their labels on
/// the left, around a reference line.
fn range_bars(
    title: &str,
    rows: &[(String, f64, f64)],
    reference: Option<f64>,
) -> Result<String, ReportError> {
    let m = |v: f64| v / 1e6;
    let lo = rows.iter().map(|r| m(r.1.min(r.2))).fold(0.0, f64::min);
    let hi = rows.iter().map(|r| m(r.1.max(r.2))).fold(0.0, f64::max);
    let pad = ((hi - lo) * 0.08).max(1.0);
    let n = rows.len().max(1) as i32;
    // Room for the longest label (about 6.5 px a character at 11 px).
    let label_width = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(4) as u32 * 7 + 16;
    let mut svg = String::new();
    {
        let height = 80 + 28 * n as u32;
        let root = SVGBackend::with_string(&mut svg, (720, height)).into_drawing_area();
        root.fill(&WHITE).map_err(chart_error)?;
        let names: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 16))
            .margin(12)
            .x_label_area_size(32)
            .y_label_area_size(label_width.min(320))
            .build_cartesian_2d(lo - pad..hi + pad, 0.0..n as f64)
            .map_err(chart_error)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(rows.len() * 2 + 1)
            .label_style(("sans-serif", 11))
            .x_desc("million USD")
            .y_label_formatter(&|v| {
                let k = (v - 0.5).round();
                if (v - 0.5 - k).abs() < 1e-6 && k >= 0.0 {
                    names
                        .get(names.len().saturating_sub(1 + k as usize))
                        .cloned()
                        .unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .draw()
            .map_err(chart_error)?;
        chart
            .draw_series(rows.iter().enumerate().map(|(k, r)| {
                let y = (rows.len() - 1 - k) as f64;
                let colour = if r.2 >= r.1 { NEUTRAL } else { COST };
                Rectangle::new(
                    [
                        (m(r.1.min(r.2)), y + 0.2),
                        (m(r.1.max(r.2)).max(m(r.1.min(r.2)) + 1e-9), y + 0.8),
                    ],
                    colour.filled(),
                )
            }))
            .map_err(chart_error)?;
        if let Some(x) = reference {
            chart
                .draw_series(LineSeries::new(
                    [(m(x), 0.0), (m(x), n as f64)],
                    BLACK.stroke_width(1),
                ))
                .map_err(chart_error)?;
        }
        root.present().map_err(chart_error)?;
    }
    Ok(svg)
}

/// The tornado: NPV at each input's low and high value around the central NPV.
pub fn tornado_svg(c: &CaseResult) -> Result<String, ReportError> {
    let rows: Vec<(String, f64, f64)> = c
        .tornado
        .iter()
        .map(|b| (b.input.clone(), b.npv_low_usd, b.npv_high_usd))
        .collect();
    range_bars(&format!("Tornado of NPV: {}", c.id), &rows, Some(c.npv_usd))
}

/// Net present value by country and financier.
pub fn countries_svg(c: &CaseResult) -> Result<String, ReportError> {
    // Parties with less than half a percent of the largest stake would be empty bars.
    let largest = c
        .parties
        .iter()
        .map(|p| p.npv_usd.abs())
        .fold(0.0, f64::max);
    let rows: Vec<(String, f64, f64)> = c
        .parties
        .iter()
        .filter(|p| p.npv_usd.abs() > 1e3 && p.npv_usd.abs() >= 0.005 * largest)
        .map(|p| (p.party.clone(), 0.0, p.npv_usd))
        .collect();
    range_bars(&format!("NPV by country: {}", c.id), &rows, None)
}

/// Histogram of the Monte Carlo's NPV.
pub fn npv_histogram_svg(c: &CaseResult) -> Result<String, ReportError> {
    let v: Vec<f64> = c.monte_carlo.values.iter().map(|x| x / 1e6).collect();
    let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (lo, hi) = if lo.is_finite() && hi > lo {
        (lo, hi)
    } else {
        (lo.min(0.0) - 1.0, lo.max(0.0) + 1.0)
    };
    const BINS: usize = 30;
    let width = (hi - lo) / BINS as f64;
    let mut counts = [0usize; BINS];
    for x in &v {
        let k = (((x - lo) / width) as usize).min(BINS - 1);
        counts[k] += 1;
    }
    let top = counts.iter().copied().max().unwrap_or(1).max(1) as f64 * 1.1;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (720, 320)).into_drawing_area();
        root.fill(&WHITE).map_err(chart_error)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(
                format!("NPV over {} draws: {}", c.monte_carlo.draws, c.id),
                ("sans-serif", 16),
            )
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(48)
            .build_cartesian_2d(lo..hi, 0.0..top)
            .map_err(chart_error)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_desc("NPV, million USD")
            .y_desc("draws")
            .label_style(("sans-serif", 11))
            .draw()
            .map_err(chart_error)?;
        chart
            .draw_series(counts.iter().enumerate().map(|(k, &n)| {
                let x0 = lo + k as f64 * width;
                let colour = if x0 + width <= 0.0 { COST } else { NEUTRAL };
                Rectangle::new([(x0, 0.0), (x0 + width * 0.95, n as f64)], colour.filled())
            }))
            .map_err(chart_error)?;
        if lo < 0.0 && hi > 0.0 {
            chart
                .draw_series(LineSeries::new(
                    [(0.0, 0.0), (0.0, top)],
                    BLACK.stroke_width(1),
                ))
                .map_err(chart_error)?;
        }
        root.present().map_err(chart_error)?;
    }
    Ok(svg)
}

fn chart(h: &mut String, svg: Result<String, ReportError>) {
    match svg {
        Ok(s) => h.push_str(&s),
        Err(e) => {
            let _ = write!(
                h,
                "<p>The chart could not be drawn: {}</p>",
                esc(&e.to_string())
            );
        }
    }
}

/// The report's section: the cases table, then each case's charts and tables.
pub fn html_section(a: &Appraisal) -> String {
    let mut h = String::from("<h2>Project appraisal</h2>");
    let _ = write!(
        h,
        "<p>Years {}–{}, discounted at {}; demand growing {:.1}%/year; the model solved in {} and interpolated between. Million USD.</p>",
        a.start,
        a.horizon,
        percent(a.discount_rate),
        a.growth_percent,
        a.solved_years.iter().map(|y| y.to_string()).collect::<Vec<_>>().join(", ")
    );
    h.push_str("<table><tr><th>case</th><th class=n>NPV</th><th class=n>BCR</th><th class=n>EIRR</th><th class=n>benefits pass costs</th><th class=n>P10</th><th class=n>P50</th><th class=n>P90</th><th class=n>P(NPV&lt;0)</th></tr>");
    for c in &a.cases {
        let mc = &c.monte_carlo;
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td></tr>",
            esc(&c.id),
            millions(c.npv_usd),
            bcr_text(c.bcr),
            irr_text(&c.eirr),
            year_text(c.first_positive_year),
            millions(mc.p10_usd),
            millions(mc.p50_usd),
            millions(mc.p90_usd),
            percent(mc.probability_negative)
        );
    }
    h.push_str("</table>");
    if !a.interactions.is_empty() {
        h.push_str("<h3>Complement or substitute</h3><table><tr><th>a</th><th>b</th><th class=n>both</th><th class=n>a alone</th><th class=n>b alone</th><th class=n>both − sum</th></tr>");
        for i in &a.interactions {
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td></tr>",
                esc(&i.a),
                esc(&i.b),
                millions(i.both_usd),
                millions(i.a_alone_usd),
                millions(i.b_alone_usd),
                millions(i.interaction_usd)
            );
        }
        h.push_str("</table>");
    }
    for c in &a.cases {
        let _ = write!(
            h,
            "<details><summary>Case {}: NPV {} million USD</summary>",
            esc(&c.id),
            millions(c.npv_usd)
        );
        chart(&mut h, cash_flow_svg(c));
        chart(&mut h, tornado_svg(c));
        chart(&mut h, countries_svg(c));
        chart(&mut h, npv_histogram_svg(c));
        if let Some(s) = &c.sharing {
            h.push_str("<table><tr><th>country</th><th class=n>benefit</th><th class=n>pays (proportional)</th><th class=n>Shapley net</th><th class=n>pays (Shapley)</th></tr>");
            for p in &s.players {
                let _ = write!(
                    h,
                    "<tr><td>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td></tr>",
                    esc(&p.country),
                    millions(p.benefit_usd),
                    millions(p.proportional_payment_usd),
                    millions(p.shapley_net_usd),
                    millions(p.shapley_payment_usd)
                );
            }
            h.push_str("</table>");
        }
        h.push_str("</details>");
    }
    h
}

/// The appraisal as a self-contained HTML document.
pub fn html_document(a: &Appraisal) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"generator\" content=\"Karvan\"><title>Karvan appraisal: {}</title><style>{}</style></head><body>{}</body></html>",
        esc(&a.scenario),
        crate::html::STYLE,
        html_section(a)
    )
}
