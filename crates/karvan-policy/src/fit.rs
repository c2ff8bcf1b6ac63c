//! How well a run reproduces what is observed: every observation of the dataset against
//! the run's prediction, with the errors a reviewer expects of a transport model (absolute
//! and relative error, the GEH statistic, inside or outside the observed range) and their
//! summary (share inside the range, share with GEH < 5, %RMSE).

use karvan_data::{Dataset, Direction, Mode, Observation, ObservationKind, ObservationRole};
use karvan_model::{directed_key, RunResults};
use serde::Serialize;

/// Tonnes in one 20-t truck load, the unit load of the CAREC corridor monitoring (its
/// costs are per 500 km per 20 t); GEH is computed on these loads per day.
pub const GEH_LOAD_TONNES: f64 = 20.0;

/// One observation against the run.
#[derive(Debug, Clone, Serialize)]
pub struct FitRow {
    pub id: String,
    pub kind: ObservationKind,
    /// `t/year` for flows, `share` for shares.
    pub unit: &'static str,
    pub observed: f64,
    pub low: f64,
    pub high: f64,
    /// `None` when the observation names an element that is not in the network.
    pub predicted: Option<f64>,
    pub weight: f64,
    pub role: ObservationRole,
    pub period: String,
    pub source: String,
}

impl FitRow {
    /// Predicted minus observed.
    pub fn error(&self) -> Option<f64> {
        self.predicted.map(|p| p - self.observed)
    }

    /// Error as a share of the observed value (`None` when it is zero).
    pub fn relative_error(&self) -> Option<f64> {
        self.error()
            .filter(|_| self.observed > 0.0)
            .map(|e| e / self.observed)
    }

    /// The GEH statistic on daily 20-t loads, for flows.
    pub fn geh(&self) -> Option<f64> {
        match (self.kind, self.predicted) {
            (ObservationKind::Flow, Some(p)) => Some(geh(
                p / 365.0 / GEH_LOAD_TONNES,
                self.observed / 365.0 / GEH_LOAD_TONNES,
            )),
            _ => None,
        }
    }

    /// Whether the prediction lies within the observed range.
    pub fn inside(&self) -> Option<bool> {
        // A range that is a single figure is met within 1 % (rounding in the sources).
        let slack = if self.high > self.low {
            0.0
        } else {
            0.01 * self.observed
        };
        self.predicted
            .map(|p| p >= self.low - slack && p <= self.high + slack)
    }
}

/// The GEH statistic of a modelled value `m` against a count `c` (both per hour or per
/// day): √(2 (m − c)² / (m + c)); 0 when both are zero.
pub fn geh(m: f64, c: f64) -> f64 {
    if m + c <= 0.0 {
        0.0
    } else {
        (2.0 * (m - c).powi(2) / (m + c)).sqrt()
    }
}

/// Every observation against a run, with the summary statistics of the observations
/// fitted (`calibrate`) and of those kept out to check the fit (`validate`); `context`
/// observations are listed but not scored.
#[derive(Debug, Clone, Serialize)]
pub struct Fit {
    pub scenario: String,
    pub rows: Vec<FitRow>,
    pub summary: FitSummary,
    pub validation: FitSummary,
}

#[derive(Debug, Clone, Serialize)]
pub struct FitSummary {
    /// Observations compared (those whose elements are all in the network).
    pub compared: usize,
    /// Observations that name an element missing from the network.
    pub not_in_network: usize,
    /// Share of the compared observations whose prediction lies in the observed range.
    pub share_inside: f64,
    /// Share of the compared flows with GEH < 5.
    pub share_geh_below_5: f64,
    /// Root mean square error of the flows as a percentage of their mean observed value.
    pub percent_rmse: f64,
    /// Mean absolute error of the shares, in share points (0–1).
    pub share_mae: f64,
}

/// The run's value for an observation: tonnes per year over its elements (in its
/// direction, of its commodity and mode), or the share of the denominator's tonnes.
pub fn predict(ds: &Dataset, r: &RunResults, o: &Observation) -> Option<f64> {
    if !o.is_in_network() {
        return None;
    }
    let numerator = tonnes_over(ds, r, o, &o.elements);
    match o.kind {
        ObservationKind::Flow => Some(numerator),
        ObservationKind::Share => {
            let denominator = tonnes_over(ds, r, o, &o.denominator);
            Some(if denominator > 0.0 {
                numerator / denominator
            } else {
                0.0
            })
        }
    }
}

/// The keys of `OdResult::elements` that an observation counts, for the elements in
/// `ids` that match its mode.
pub fn keys(ds: &Dataset, o: &Observation, ids: &[String]) -> Vec<String> {
    ids.iter()
        .filter(|id| o.mode.is_none_or(|m| element_mode(ds, id) == Some(m)))
        .map(|id| match &o.direction {
            Direction::Both => id.clone(),
            Direction::Into(c) => directed_key(id, c),
            // Leaving a country across a border is entering the other side's.
            Direction::OutOf(c) => other_side(ds, id, c)
                .map(|other| directed_key(id, &other))
                .unwrap_or_else(|| id.clone()),
        })
        .collect()
}

fn tonnes_over(ds: &Dataset, r: &RunResults, o: &Observation, ids: &[String]) -> f64 {
    let keys = keys(ds, o, ids);
    r.od.iter()
        .filter(|od| o.commodity.as_ref().is_none_or(|k| &od.commodity == k))
        .map(|od| keys.iter().filter_map(|k| od.elements.get(k)).sum::<f64>())
        .sum()
}

fn element_mode(ds: &Dataset, id: &str) -> Option<Mode> {
    ds.links
        .iter()
        .find(|l| l.id == id)
        .map(|l| l.mode)
        .or_else(|| ds.crossings.iter().find(|c| c.id == id).map(|c| c.mode))
}

/// For a crossing between `country` and another, the other country.
fn other_side(ds: &Dataset, crossing: &str, country: &str) -> Option<String> {
    let c = ds.crossings.iter().find(|c| c.id == crossing)?;
    let country_of = |id: &str| ds.node(id).map(|n| n.country.clone());
    let (a, b) = (country_of(&c.from)?, country_of(&c.to)?);
    if a == country {
        Some(b)
    } else if b == country {
        Some(a)
    } else {
        None
    }
}

/// The fit of run `r`, when the dataset has observations to compare it with.
pub fn fit_if_observed(ds: &Dataset, r: &RunResults) -> Option<Fit> {
    (!ds.observations.is_empty()).then(|| fit(ds, r))
}

/// Compares every observation of `ds` with the run `r`.
pub fn fit(ds: &Dataset, r: &RunResults) -> Fit {
    let rows: Vec<FitRow> = ds
        .observations
        .iter()
        .map(|o| FitRow {
            id: o.id.clone(),
            kind: o.kind,
            unit: match o.kind {
                ObservationKind::Flow => "t/year",
                ObservationKind::Share => "share",
            },
            observed: o.value,
            low: o.low,
            high: o.high,
            predicted: predict(ds, r, o),
            weight: o.weight,
            role: o.role,
            period: o.period.clone(),
            source: o.source.clone(),
        })
        .collect();
    let of_role =
        |role| -> Vec<FitRow> { rows.iter().filter(|r| r.role == role).cloned().collect() };
    Fit {
        scenario: r.scenario.clone(),
        summary: summarise(&of_role(ObservationRole::Calibrate)),
        validation: summarise(&of_role(ObservationRole::Validate)),
        rows,
    }
}

/// The summary statistics of fitted rows.
pub fn summarise(rows: &[FitRow]) -> FitSummary {
    let compared: Vec<&FitRow> = rows.iter().filter(|r| r.predicted.is_some()).collect();
    let flows: Vec<&&FitRow> = compared
        .iter()
        .filter(|r| r.kind == ObservationKind::Flow)
        .collect();
    let shares: Vec<&&FitRow> = compared
        .iter()
        .filter(|r| r.kind == ObservationKind::Share)
        .collect();
    let share_of = |n: usize, d: usize| if d == 0 { 0.0 } else { n as f64 / d as f64 };
    let inside = compared.iter().filter(|r| r.inside() == Some(true)).count();
    let geh_ok = flows
        .iter()
        .filter(|r| r.geh().is_some_and(|g| g < 5.0))
        .count();
    let mean_observed = flows.iter().map(|r| r.observed).sum::<f64>() / flows.len().max(1) as f64;
    let mse = flows
        .iter()
        .filter_map(|r| r.error())
        .map(|e| e * e)
        .sum::<f64>()
        / flows.len().max(1) as f64;
    FitSummary {
        compared: compared.len(),
        not_in_network: rows.len() - compared.len(),
        share_inside: share_of(inside, compared.len()),
        share_geh_below_5: share_of(geh_ok, flows.len()),
        percent_rmse: if mean_observed > 0.0 {
            100.0 * mse.sqrt() / mean_observed
        } else {
            0.0
        },
        share_mae: shares
            .iter()
            .filter_map(|r| r.error())
            .map(f64::abs)
            .sum::<f64>()
            / shares.len().max(1) as f64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn geh_by_hand() {
        // √(2·(150 − 100)² / 250) = √20
        assert!((geh(150.0, 100.0) - 20f64.sqrt()).abs() < 1e-12);
        assert_eq!(geh(0.0, 0.0), 0.0);
        assert_eq!(geh(80.0, 80.0), 0.0);
        // Symmetric in its arguments.
        assert_eq!(geh(10.0, 30.0), geh(30.0, 10.0));
        // The usual acceptance: 400 modelled against 500 counted is GEH ≈ 4.7 < 5.
        assert!(geh(400.0, 500.0) < 5.0 && geh(400.0, 500.0) > 4.7);
    }

    fn row(kind: ObservationKind, observed: f64, predicted: f64) -> FitRow {
        FitRow {
            id: "x".into(),
            kind,
            unit: "t/year",
            observed,
            low: observed * 0.9,
            high: observed * 1.1,
            predicted: Some(predicted),
            weight: 1.0,
            role: ObservationRole::Calibrate,
            period: String::new(),
            source: String::new(),
        }
    }

    #[test]
    fn summary_statistics_by_hand() {
        let rows = vec![
            row(ObservationKind::Flow, 1000.0, 1050.0),
            row(ObservationKind::Flow, 3000.0, 2000.0),
            row(ObservationKind::Share, 0.5, 0.4),
        ];
        let s = summarise(&rows);
        assert_eq!(s.compared, 3);
        // 1050 lies in 900–1100; 2000 not in 2700–3300; 0.4 not in 0.45–0.55.
        assert!((s.share_inside - 1.0 / 3.0).abs() < 1e-12);
        // RMSE √((50² + 1000²)/2) over the mean observed 2000.
        let expected = 100.0 * ((50f64.powi(2) + 1000f64.powi(2)) / 2.0).sqrt() / 2000.0;
        assert!((s.percent_rmse - expected).abs() < 1e-9);
        assert!((s.share_mae - 0.1).abs() < 1e-12);
    }
}
