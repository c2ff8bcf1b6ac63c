//! Maps as GeoJSON: links and crossings with their tonnage, ready for QGIS.

use geojson::{Feature, FeatureCollection, Geometry, JsonObject, Value};
use karvan_data::Dataset;
use karvan_model::RunResults;
use serde_json::json;

use crate::ReportError;

/// The line a link is drawn with: its measured geometry, else a straight line.
pub fn link_line(ds: &Dataset, i: usize) -> Vec<Vec<f64>> {
    let l = &ds.links[i];
    if let Some(g) = ds.geometry.get(&l.id) {
        if g.len() >= 2 {
            return g.iter().map(|p| vec![p[0], p[1]]).collect();
        }
    }
    [&l.from, &l.to]
        .iter()
        .filter_map(|id| ds.node(id))
        .map(|n| vec![n.lon, n.lat])
        .collect()
}

/// One decimal, and never `-0` (an empty sum of floats is `-0.0`).
fn round(v: f64) -> f64 {
    let r = (v * 10.0).round() / 10.0;
    if r == 0.0 {
        0.0
    } else {
        r
    }
}

/// Links and crossings with their tonnes per commodity (`t_<commodity>`) and in total.
pub fn flows(ds: &Dataset, r: &RunResults) -> Result<String, ReportError> {
    let mut features = Vec::new();
    for (i, l) in ds.links.iter().enumerate() {
        let mut p = JsonObject::new();
        p.insert("id".into(), json!(l.id));
        p.insert("element".into(), json!("link"));
        p.insert("name".into(), json!(l.name));
        p.insert("mode".into(), json!(l.mode.as_str()));
        p.insert("gauge_mm".into(), json!(l.gauge_mm));
        p.insert("status".into(), json!(l.status.as_str()));
        p.insert("length_km".into(), json!(l.length_km));
        p.insert("length_source".into(), json!(l.length_source));
        p.insert("source".into(), json!(l.source));
        insert_flows(&mut p, ds, &r.link_flows[i]);
        features.push(feature(Value::LineString(link_line(ds, i)), p));
    }
    for (i, c) in ds.crossings.iter().enumerate() {
        let mut p = JsonObject::new();
        p.insert("id".into(), json!(c.id));
        p.insert("element".into(), json!("crossing"));
        p.insert("name".into(), json!(c.name));
        p.insert("mode".into(), json!(c.mode.as_str()));
        p.insert("status".into(), json!(c.status.as_str()));
        p.insert("dwell_hours".into(), json!(c.dwell_hours));
        p.insert("fee_usd_per_t".into(), json!(c.fee_usd_per_t));
        p.insert("source".into(), json!(c.source));
        insert_flows(&mut p, ds, &r.crossing_flows[i]);
        features.push(feature(Value::LineString(crossing_line(ds, i)), p));
    }
    collection(ds, features)
}

/// A crossing drawn as a line between its two sides.
pub fn crossing_line(ds: &Dataset, i: usize) -> Vec<Vec<f64>> {
    let c = &ds.crossings[i];
    [&c.from, &c.to]
        .iter()
        .filter_map(|id| ds.node(id))
        .map(|n| vec![n.lon, n.lat])
        .collect()
}

/// The features as a GeoJSON FeatureCollection carrying the dataset's attribution.
pub(crate) fn collection(ds: &Dataset, features: Vec<Feature>) -> Result<String, ReportError> {
    let mut attribution = JsonObject::new();
    attribution.insert("attribution".into(), json!(ds.manifest.attribution));
    let fc = FeatureCollection {
        bbox: None,
        features,
        foreign_members: Some(attribution),
    };
    Ok(serde_json::to_string(&fc)?)
}

fn insert_flows(p: &mut JsonObject, ds: &Dataset, flows: &std::collections::BTreeMap<String, f64>) {
    for c in &ds.commodities {
        p.insert(
            format!("t_{}", c.id),
            json!(round(flows.get(&c.id).copied().unwrap_or(0.0))),
        );
    }
    p.insert("tonnes".into(), json!(round(flows.values().sum())));
}

pub(crate) fn feature(v: Value, properties: JsonObject) -> Feature {
    Feature {
        bbox: None,
        geometry: Some(Geometry::new(v)),
        id: None,
        properties: Some(properties),
        foreign_members: None,
    }
}

/// The network of a scenario as GeoJSON for a map: nodes as points (with their risk),
/// links as lines, crossings as points between their two sides; each with its
/// attributes, whether it is open in the scenario, and its source.
pub fn network(
    ds: &Dataset,
    link_open: &[bool],
    crossing_open: &[bool],
) -> Result<String, ReportError> {
    let risk: std::collections::HashMap<&str, f64> = ds
        .risk
        .iter()
        .map(|r| (r.region.as_str(), r.index))
        .collect();
    let mut features = Vec::new();
    for n in &ds.nodes {
        let mut p = JsonObject::new();
        p.insert("element".into(), json!("node"));
        p.insert("id".into(), json!(n.id));
        p.insert("name".into(), json!(n.name));
        p.insert("country".into(), json!(n.country));
        p.insert("province".into(), json!(n.province));
        p.insert("kind".into(), json!(n.kind));
        p.insert("is_zone".into(), json!(n.is_zone));
        let r = n
            .province
            .as_deref()
            .and_then(|p| risk.get(p))
            .or_else(|| risk.get(n.country.as_str()))
            .copied()
            .unwrap_or(0.0);
        p.insert("risk".into(), json!(r));
        p.insert("source".into(), json!(n.source));
        features.push(feature(Value::Point(vec![n.lon, n.lat]), p));
    }
    for (i, l) in ds.links.iter().enumerate() {
        let mut p = JsonObject::new();
        p.insert("element".into(), json!("link"));
        p.insert("id".into(), json!(l.id));
        p.insert("name".into(), json!(l.name));
        p.insert("mode".into(), json!(l.mode.as_str()));
        p.insert("gauge_mm".into(), json!(l.gauge_mm));
        p.insert("status".into(), json!(l.status.as_str()));
        p.insert("opens_year".into(), json!(l.opens_year));
        p.insert("project".into(), json!(l.project));
        p.insert(
            "open".into(),
            json!(link_open.get(i).copied().unwrap_or(false)),
        );
        p.insert("length_km".into(), json!(l.length_km));
        p.insert("length_source".into(), json!(l.length_source));
        p.insert("capacity_t_per_year".into(), json!(l.capacity_t_per_year));
        p.insert("source".into(), json!(l.source));
        features.push(feature(Value::LineString(link_line(ds, i)), p));
    }
    for (i, c) in ds.crossings.iter().enumerate() {
        let line = crossing_line(ds, i);
        let mid = if line.len() == 2 {
            vec![
                (line[0][0] + line[1][0]) / 2.0,
                (line[0][1] + line[1][1]) / 2.0,
            ]
        } else {
            line.first().cloned().unwrap_or_default()
        };
        let mut p = JsonObject::new();
        p.insert("element".into(), json!("crossing"));
        p.insert("id".into(), json!(c.id));
        p.insert("name".into(), json!(c.name));
        p.insert("mode".into(), json!(c.mode.as_str()));
        p.insert("status".into(), json!(c.status.as_str()));
        p.insert(
            "open".into(),
            json!(crossing_open.get(i).copied().unwrap_or(false)),
        );
        p.insert("dwell_hours".into(), json!(c.dwell_hours));
        p.insert("fee_usd_per_t".into(), json!(c.fee_usd_per_t));
        p.insert("capacity_t_per_day".into(), json!(c.capacity_t_per_day));
        p.insert("from".into(), json!(c.from));
        p.insert("to".into(), json!(c.to));
        p.insert("source".into(), json!(c.source));
        features.push(feature(Value::Point(mid), p));
    }
    collection(ds, features)
}

/// The line a route follows, as `[lon, lat]` points: its links' geometry in the
/// direction travelled, and straight lines across borders.
pub fn route_line(ds: &Dataset, route: &karvan_model::Route) -> Vec<[f64; 2]> {
    let mut out: Vec<[f64; 2]> = Vec::new();
    for s in &route.steps {
        // The element's line and the name of the node it is drawn from.
        let (line, start) = match s.kind {
            "link" => match ds.links.iter().position(|l| l.id == s.id) {
                Some(i) => (link_line(ds, i), &ds.links[i].from),
                None => continue,
            },
            "crossing" => match ds.crossings.iter().position(|c| c.id == s.id) {
                Some(i) => (crossing_line(ds, i), &ds.crossings[i].from),
                None => continue,
            },
            _ => continue,
        };
        let mut pts: Vec<[f64; 2]> = line.into_iter().map(|p| [p[0], p[1]]).collect();
        if ds.node(start).map(|n| n.name.as_str()) != Some(s.from.as_str()) {
            pts.reverse();
        }
        if let (Some(last), Some(first)) = (out.last(), pts.first()) {
            if last == first {
                pts.remove(0);
            }
        }
        out.extend(pts);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_element_with_no_flow_has_zero_tonnes_not_minus_zero() {
        let empty = std::collections::BTreeMap::<String, f64>::new();
        let sum: f64 = empty.values().sum();
        let json = serde_json::json!(super::round(sum)).to_string();
        assert_eq!(json, "0.0");
    }
}
