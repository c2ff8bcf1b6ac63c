//! Two runs side by side: where traffic moves and who gains or loses revenue.

use std::collections::BTreeMap;
use std::fmt::Write;

use geojson::Value;
use karvan_data::Dataset;
use karvan_model::RunResults;
use serde::Serialize;
use serde_json::json;

use crate::fmt::{percent, signed, thousands};
use crate::geo::{collection, crossing_line, feature, link_line};
use crate::{OutputDir, ReportError};

#[derive(Debug, Clone, Serialize)]
pub struct CorridorChange {
    pub corridor: String,
    pub tonnes_a: f64,
    pub tonnes_b: f64,
    pub share_a: f64,
    pub share_b: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct RevenueChange {
    pub country: String,
    pub name: String,
    pub transit_tonnes_a: f64,
    pub transit_tonnes_b: f64,
    pub transit_revenue_a: f64,
    pub transit_revenue_b: f64,
    /// Everything the country's government and state railway levy (transit and domestic).
    pub levies_a: f64,
    pub levies_b: f64,
    /// What carriers and terminals charge on the country's territory (the market part).
    pub market_a: f64,
    pub market_b: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct LinkChange {
    pub id: String,
    pub name: String,
    /// `link` or `crossing`.
    pub element: &'static str,
    pub tonnes_a: f64,
    pub tonnes_b: f64,
}

/// The differences between run A (the baseline) and run B.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    pub a: String,
    pub b: String,
    pub corridors: Vec<CorridorChange>,
    pub revenue: Vec<RevenueChange>,
    /// Links and crossings whose tonnage changed, largest change first.
    pub elements: Vec<LinkChange>,
}

impl Comparison {
    /// Compares two runs on the same dataset (links and crossings matched by id).
    pub fn new(ds_a: &Dataset, a: &RunResults, ds_b: &Dataset, b: &RunResults) -> Comparison {
        let mut corridors: BTreeMap<String, CorridorChange> = BTreeMap::new();
        for (c, in_b) in a
            .corridors
            .iter()
            .map(|c| (c, false))
            .chain(b.corridors.iter().map(|c| (c, true)))
        {
            let e = corridors
                .entry(c.corridor.clone())
                .or_insert(CorridorChange {
                    corridor: c.corridor.clone(),
                    tonnes_a: 0.0,
                    tonnes_b: 0.0,
                    share_a: 0.0,
                    share_b: 0.0,
                });
            if in_b {
                e.tonnes_b = c.tonnes;
                e.share_b = c.share;
            } else {
                e.tonnes_a = c.tonnes;
                e.share_a = c.share;
            }
        }
        let mut corridors: Vec<_> = corridors.into_values().collect();
        corridors.sort_by(|x, y| {
            y.tonnes_b
                .max(y.tonnes_a)
                .total_cmp(&x.tonnes_b.max(x.tonnes_a))
        });

        let revenue = a
            .revenue
            .iter()
            .map(|ra| {
                let rb = b.revenue.iter().find(|rb| rb.country == ra.country);
                RevenueChange {
                    country: ra.country.clone(),
                    name: ra.name.clone(),
                    transit_tonnes_a: ra.transit_tonnes,
                    transit_tonnes_b: rb.map_or(0.0, |r| r.transit_tonnes),
                    transit_revenue_a: ra.transit_revenue_usd(),
                    transit_revenue_b: rb.map_or(0.0, |r| r.transit_revenue_usd()),
                    levies_a: ra.levies_usd(),
                    levies_b: rb.map_or(0.0, |r| r.levies_usd()),
                    market_a: ra.market_usd(),
                    market_b: rb.map_or(0.0, |r| r.market_usd()),
                }
            })
            .collect();

        let mut elements = Vec::new();
        let sum = |m: &BTreeMap<String, f64>| m.values().sum::<f64>();
        for (i, l) in ds_a.links.iter().enumerate() {
            let tb = ds_b
                .links
                .iter()
                .position(|x| x.id == l.id)
                .map_or(0.0, |j| sum(&b.link_flows[j]));
            elements.push(LinkChange {
                id: l.id.clone(),
                name: l.name.clone(),
                element: "link",
                tonnes_a: sum(&a.link_flows[i]),
                tonnes_b: tb,
            });
        }
        for (i, c) in ds_a.crossings.iter().enumerate() {
            let tb = ds_b
                .crossings
                .iter()
                .position(|x| x.id == c.id)
                .map_or(0.0, |j| sum(&b.crossing_flows[j]));
            elements.push(LinkChange {
                id: c.id.clone(),
                name: c.name.clone(),
                element: "crossing",
                tonnes_a: sum(&a.crossing_flows[i]),
                tonnes_b: tb,
            });
        }
        elements.retain(|e| (e.tonnes_b - e.tonnes_a).abs() >= 0.5);
        elements.sort_by(|x, y| {
            (y.tonnes_b - y.tonnes_a)
                .abs()
                .total_cmp(&(x.tonnes_b - x.tonnes_a).abs())
                .then_with(|| x.id.cmp(&y.id))
        });
        Comparison {
            a: a.scenario.clone(),
            b: b.scenario.clone(),
            corridors,
            revenue,
            elements,
        }
    }

    /// The comparison as Markdown.
    pub fn summary(&self, top: usize) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "# Karvan comparison: {} → {}\n", self.a, self.b);
        s.push_str("## Tonnage by corridor (t/year)\n\n| corridor | A | B | change | share A | share B |\n|---|---:|---:|---:|---:|---:|\n");
        for c in &self.corridors {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} |",
                c.corridor,
                thousands(c.tonnes_a),
                thousands(c.tonnes_b),
                signed(c.tonnes_b - c.tonnes_a),
                percent(c.share_a),
                percent(c.share_b)
            );
        }
        s.push_str("\n## Revenue by country (USD/year)\n\n| country | transit t A | transit t B | transit revenue A | transit revenue B | change | all levies change | carriers and terminals change |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for r in self.revenue.iter().filter(|r| {
            r.levies_a > 0.0 || r.levies_b > 0.0 || r.market_a > 0.0 || r.market_b > 0.0
        }) {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} | {} | {} |",
                r.name,
                thousands(r.transit_tonnes_a),
                thousands(r.transit_tonnes_b),
                thousands(r.transit_revenue_a),
                thousands(r.transit_revenue_b),
                signed(r.transit_revenue_b - r.transit_revenue_a),
                signed(r.levies_b - r.levies_a),
                signed(r.market_b - r.market_a)
            );
        }
        let _ = writeln!(s, "\n## Largest changes in tonnage on links and crossings (top {top})\n\n| element | name | A t/year | B t/year | change |\n|---|---|---:|---:|---:|");
        for e in self.elements.iter().take(top) {
            let _ = writeln!(
                s,
                "| {} {} | {} | {} | {} | {} |",
                e.element,
                e.id,
                e.name,
                thousands(e.tonnes_a),
                thousands(e.tonnes_b),
                signed(e.tonnes_b - e.tonnes_a)
            );
        }
        s
    }

    /// Writes `summary.md`, `corridor_shares.csv`, `country_revenue.csv`,
    /// `flow_changes.csv` and `flow_changes.geojson` into `dir`, atomically.
    pub fn write(&self, dir: &std::path::Path, ds_b: &Dataset) -> Result<(), ReportError> {
        let out = OutputDir::create(dir)?;
        out.write("summary.md", self.summary(25).as_bytes())?;
        out.write("corridor_shares.csv", &csv_of(&self.corridors)?)?;
        out.write("country_revenue.csv", &csv_of(&self.revenue)?)?;
        out.write("flow_changes.csv", &csv_of(&self.elements)?)?;
        out.write("flow_changes.geojson", self.geojson(ds_b)?.as_bytes())?;
        out.commit()
    }

    /// The links and crossings whose tonnage changed, as GeoJSON with `tonnes_a`, `tonnes_b`, `change`.
    pub fn geojson(&self, ds: &Dataset) -> Result<String, ReportError> {
        let mut features = Vec::new();
        for e in &self.elements {
            let line = match e.element {
                "link" => match ds.links.iter().position(|l| l.id == e.id) {
                    Some(i) => link_line(ds, i),
                    None => continue,
                },
                _ => match ds.crossings.iter().position(|c| c.id == e.id) {
                    Some(i) => crossing_line(ds, i),
                    None => continue,
                },
            };
            let mut p = geojson::JsonObject::new();
            p.insert("id".into(), json!(e.id));
            p.insert("element".into(), json!(e.element));
            p.insert("name".into(), json!(e.name));
            p.insert("tonnes_a".into(), json!(e.tonnes_a.round()));
            p.insert("tonnes_b".into(), json!(e.tonnes_b.round()));
            p.insert("change".into(), json!((e.tonnes_b - e.tonnes_a).round()));
            features.push(feature(Value::LineString(line), p));
        }
        collection(ds, features)
    }
}

fn csv_of<T: Serialize>(rows: &[T]) -> Result<Vec<u8>, ReportError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.serialize(r).map_err(|source| ReportError::Csv {
            path: "(memory)".into(),
            source,
        })?;
    }
    w.into_inner().map_err(|e| ReportError::Io {
        path: "(memory)".into(),
        source: e.into_error(),
    })
}
