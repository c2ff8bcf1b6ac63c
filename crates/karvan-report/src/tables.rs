//! CSV tables that open in any spreadsheet.

use karvan_model::route::StairPoint;
use karvan_model::{Route, RunResults};

use crate::ReportError;

/// A CSV table with `header` and `rows`.
pub(crate) fn csv_bytes(
    header: &[&str],
    rows: impl Iterator<Item = Vec<String>>,
) -> Result<Vec<u8>, ReportError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let err = |source| ReportError::Csv {
        path: "(memory)".into(),
        source,
    };
    w.write_record(header).map_err(err)?;
    for r in rows {
        w.write_record(&r).map_err(err)?;
    }
    w.into_inner().map_err(|e| ReportError::Io {
        path: "(memory)".into(),
        source: e.into_error(),
    })
}

pub(crate) fn f(v: f64, decimals: usize) -> String {
    crate::fmt::fixed(v, decimals)
}

/// Cost, time and distance per origin, destination and commodity.
pub fn od_costs(r: &RunResults) -> Result<Vec<u8>, ReportError> {
    csv_bytes(
        &[
            "origin",
            "destination",
            "commodity",
            "tonnes_per_year",
            "cost_usd_per_t",
            "money_usd_per_t",
            "hours",
            "km",
            "tariff_usd_per_t",
            "border_fees_usd_per_t",
            "transfers_usd_per_t",
            "corridor",
            "crossings",
        ],
        r.od.iter().map(|o| {
            vec![
                o.origin.clone(),
                o.destination.clone(),
                o.commodity.clone(),
                f(o.tonnes, 0),
                f(o.cost_usd_per_t, 2),
                f(o.money_usd_per_t, 2),
                f(o.hours, 1),
                f(o.km, 1),
                f(o.route.total.tariff, 2),
                f(o.route.total.border_fees, 2),
                f(o.route.total.transfers, 2),
                o.corridor.clone(),
                o.route.crossings.join(";"),
            ]
        }),
    )
}

pub fn corridor_shares(r: &RunResults) -> Result<Vec<u8>, ReportError> {
    csv_bytes(
        &["corridor", "tonnes_per_year", "share", "tkm_per_year"],
        r.corridors.iter().map(|c| {
            vec![
                c.corridor.clone(),
                f(c.tonnes, 0),
                f(c.share, 4),
                f(c.tkm, 0),
            ]
        }),
    )
}

pub fn country_revenue(r: &RunResults) -> Result<Vec<u8>, ReportError> {
    csv_bytes(
        &[
            "country",
            "name",
            "transit_tonnes",
            "transit_tkm",
            "transit_tariff_usd",
            "transit_fees_usd",
            "transit_revenue_usd",
            "domestic_tariff_usd",
            "domestic_fees_usd",
            "levies_usd",
            "carrier_freight_usd",
            "handling_usd",
        ],
        r.revenue.iter().map(|c| {
            vec![
                c.country.clone(),
                c.name.clone(),
                f(c.transit_tonnes, 0),
                f(c.transit_tkm, 0),
                f(c.transit_tariff_usd, 0),
                f(c.transit_fees_usd, 0),
                f(c.transit_revenue_usd(), 0),
                f(c.domestic_tariff_usd, 0),
                f(c.domestic_fees_usd, 0),
                f(c.levies_usd(), 0),
                f(c.carrier_freight_usd, 0),
                f(c.handling_usd, 0),
            ]
        }),
    )
}

pub fn unroutable(r: &RunResults) -> Result<Vec<u8>, ReportError> {
    csv_bytes(
        &[
            "origin",
            "destination",
            "commodity",
            "tonnes_per_year",
            "demand_csv_line",
        ],
        r.unroutable.iter().map(|u| {
            vec![
                u.origin.clone(),
                u.destination.clone(),
                u.commodity.clone(),
                f(u.tonnes, 0),
                u.line.to_string(),
            ]
        }),
    )
}

/// The relative gap after each iteration of the route choice.
pub fn convergence(r: &RunResults) -> Result<Vec<u8>, ReportError> {
    csv_bytes(
        &["iteration", "convergence"],
        r.assignment
            .history
            .iter()
            .enumerate()
            .map(|(i, g)| vec![(i + 1).to_string(), format!("{g:e}")]),
    )
}

/// The staircase of every route given, one block of rows per route.
pub fn staircase(routes: &[Route]) -> Result<Vec<u8>, ReportError> {
    let rows = routes.iter().enumerate().flat_map(|(i, r)| {
        r.staircase().into_iter().map(move |p: StairPoint| {
            vec![
                (i + 1).to_string(),
                p.step.to_string(),
                p.place,
                p.country,
                p.event,
                f(p.km, 1),
                f(p.hours, 2),
                f(p.money_usd_per_t, 2),
                f(p.cost_usd_per_t, 2),
            ]
        })
    });
    csv_bytes(
        &[
            "route",
            "step",
            "place",
            "country",
            "event",
            "cum_km",
            "cum_hours",
            "cum_money_usd_per_t",
            "cum_cost_usd_per_t",
        ],
        rows,
    )
}
