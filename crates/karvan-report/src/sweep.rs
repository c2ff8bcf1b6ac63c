//! What a sweep's variants add up to: each figure's distribution over the variants, its
//! sensitivity to each dimension (a main-effects table and a tornado), and the variants
//! best for each country; as Markdown and as an HTML document with tornado charts.

use std::fmt::Write as _;

use plotters::prelude::*;

use crate::html::esc;
use crate::{chart_error, ReportError};

/// A sweep's merged results.
pub struct SweepTable {
    pub name: String,
    pub dimensions: Vec<String>,
    pub figures: Vec<String>,
    /// (variant id, dimension cells, figure values).
    pub rows: Vec<(String, Vec<String>, Vec<Option<f64>>)>,
}

/// A figure's distribution over the variants.
#[derive(Debug, Clone, PartialEq)]
pub struct Distribution {
    pub n: usize,
    pub min: f64,
    pub p10: f64,
    pub p50: f64,
    pub p90: f64,
    pub max: f64,
    pub mean: f64,
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

impl SweepTable {
    /// Reads a sweep folder's merged results: `variants.csv` names the dimensions,
    /// `results.csv` holds one row per finished variant.
    pub fn read(dir: &std::path::Path) -> Result<SweepTable, String> {
        let read = |name: &str| {
            std::fs::read_to_string(dir.join(name))
                .map_err(|e| format!("{}: {e}", dir.join(name).display()))
        };
        let variants = read("variants.csv")?;
        let results = read("results.csv")?;
        let dims = variants
            .lines()
            .next()
            .map_or(0, |h| h.split(',').count().saturating_sub(1));
        let mut r = csv::Reader::from_reader(results.as_bytes());
        let header: Vec<String> = r
            .headers()
            .map_err(|e| format!("results.csv: {e}"))?
            .iter()
            .map(String::from)
            .collect();
        if header.len() < 1 + dims {
            return Err("results.csv: fewer columns than the sweep has dimensions".into());
        }
        let mut rows = Vec::new();
        for (k, record) in r.records().enumerate() {
            let record = record.map_err(|e| format!("results.csv: {e}"))?;
            let cells: Vec<&str> = record.iter().collect();
            let values = cells[1 + dims..]
                .iter()
                .map(|c| {
                    if c.is_empty() {
                        Ok(None)
                    } else {
                        c.parse::<f64>().map(Some).map_err(|_| {
                            format!("results.csv line {}: `{c}` is not a number", k + 2)
                        })
                    }
                })
                .collect::<Result<Vec<_>, String>>()?;
            rows.push((
                cells[0].to_string(),
                cells[1..1 + dims].iter().map(|c| c.to_string()).collect(),
                values,
            ));
        }
        Ok(SweepTable {
            name: dir
                .file_name()
                .map(|n| n.to_string_lossy().trim_start_matches("sweep-").to_string())
                .unwrap_or_default(),
            dimensions: header[1..1 + dims].to_vec(),
            figures: header[1 + dims..].to_vec(),
            rows,
        })
    }

    fn values(&self, f: usize) -> Vec<f64> {
        self.rows.iter().filter_map(|r| r.2[f]).collect()
    }

    /// The distribution of figure `f`, if any variant has it.
    pub fn distribution(&self, f: usize) -> Option<Distribution> {
        let mut v = self.values(f);
        if v.is_empty() {
            return None;
        }
        v.sort_by(f64::total_cmp);
        Some(Distribution {
            n: v.len(),
            min: v[0],
            p10: quantile(&v, 0.1),
            p50: quantile(&v, 0.5),
            p90: quantile(&v, 0.9),
            max: v[v.len() - 1],
            mean: v.iter().sum::<f64>() / v.len() as f64,
        })
    }

    /// The level of each row in dimension `d`: its value, or, for a numeric dimension
    /// with more than 10 distinct values (a Latin-hypercube range), the fifth of the
    /// sorted values it falls in, labelled by that fifth's range.
    fn levels(&self, d: usize) -> Vec<String> {
        let cells: Vec<&str> = self.rows.iter().map(|r| r.1[d].as_str()).collect();
        let numbers: Option<Vec<f64>> = cells.iter().map(|c| c.parse::<f64>().ok()).collect();
        let mut distinct = cells.clone();
        distinct.sort_unstable();
        distinct.dedup();
        let Some(numbers) = numbers.filter(|_| distinct.len() > 10) else {
            return cells.iter().map(|c| c.to_string()).collect();
        };
        let mut sorted = numbers.clone();
        sorted.sort_by(f64::total_cmp);
        let bins = 5;
        let edge = |k: usize| sorted[(k * (sorted.len() - 1)) / bins];
        numbers
            .iter()
            .map(|x| {
                let rank = sorted.partition_point(|y| y < x);
                let k = (rank * bins / sorted.len()).min(bins - 1);
                format!("{}–{}", num(edge(k)), num(edge(k + 1)))
            })
            .collect()
    }

    /// The mean of figure `f` at each level of dimension `d`, levels in first-seen order
    /// (fifths of the range for a sampled numeric dimension).
    pub fn main_effects(&self, f: usize, d: usize) -> Vec<(String, f64, usize)> {
        let levels = self.levels(d);
        let mut out: Vec<(String, f64, usize)> = Vec::new();
        for (r, level) in self.rows.iter().zip(&levels) {
            let Some(v) = r.2[f] else { continue };
            match out.iter_mut().find(|e| &e.0 == level) {
                Some(e) => {
                    e.1 += v;
                    e.2 += 1;
                }
                None => out.push((level.clone(), v, 1)),
            }
        }
        for e in &mut out {
            e.1 /= e.2 as f64;
        }
        out
    }

    /// For figure `f`, each dimension's swing: (dimension, lowest level mean, highest),
    /// widest first.
    pub fn tornado(&self, f: usize) -> Vec<(String, f64, f64)> {
        let mut out: Vec<(String, f64, f64)> = self
            .dimensions
            .iter()
            .enumerate()
            .filter_map(|(d, name)| {
                let m = self.main_effects(f, d);
                let lo = m.iter().map(|e| e.1).fold(f64::INFINITY, f64::min);
                let hi = m.iter().map(|e| e.1).fold(f64::NEG_INFINITY, f64::max);
                (m.len() > 1).then(|| (name.clone(), lo, hi))
            })
            .collect();
        out.sort_by(|a, b| (b.2 - b.1).total_cmp(&(a.2 - a.1)));
        out
    }

    /// Figures that belong to a country (`….UZB_musd`, `….AFG_…`): (figure, country).
    pub fn country_figures(&self) -> Vec<(usize, String)> {
        self.figures
            .iter()
            .enumerate()
            .filter_map(|(i, f)| {
                let last = f.rsplit('.').next()?;
                let code = last.split('_').next()?;
                (code.len() == 3 && code.chars().all(|c| c.is_ascii_uppercase()))
                    .then(|| (i, code.to_string()))
            })
            .collect()
    }

    /// The variant with the highest value of figure `f`.
    pub fn best(&self, f: usize) -> Option<(&str, f64)> {
        self.rows
            .iter()
            .filter_map(|r| r.2[f].map(|v| (r.0.as_str(), v)))
            .max_by(|a, b| a.1.total_cmp(&b.1))
    }

    fn cells_of(&self, id: &str) -> String {
        self.rows
            .iter()
            .find(|r| r.0 == id)
            .map(|r| {
                self.dimensions
                    .iter()
                    .zip(&r.1)
                    .map(|(d, c)| format!("{d} = {c}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default()
    }
}

fn num(v: f64) -> String {
    if v.abs() >= 1000.0 {
        format!("{v:.0}")
    } else if v.abs() >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.4}")
    }
}

/// The summary as Markdown.
pub fn markdown(t: &SweepTable) -> String {
    let mut md = format!(
        "# Karvan sweep: {} ({} variants)\n\n## Distribution over the variants\n\n| figure | n | min | p10 | median | p90 | max | mean |\n|---|---:|---:|---:|---:|---:|---:|---:|\n",
        t.name,
        t.rows.len()
    );
    for (f, name) in t.figures.iter().enumerate() {
        if let Some(d) = t.distribution(f) {
            let _ = writeln!(
                md,
                "| {name} | {} | {} | {} | {} | {} | {} | {} |",
                d.n,
                num(d.min),
                num(d.p10),
                num(d.p50),
                num(d.p90),
                num(d.max),
                num(d.mean)
            );
        }
    }
    md.push_str("\n## Sensitivity: the mean of each figure at each level of each dimension\n\n| figure | dimension | level | mean | variants |\n|---|---|---|---:|---:|\n");
    for (f, name) in t.figures.iter().enumerate() {
        for (d, dim) in t.dimensions.iter().enumerate() {
            for (level, mean, n) in t.main_effects(f, d) {
                let _ = writeln!(md, "| {name} | {dim} | {level} | {} | {n} |", num(mean));
            }
        }
    }
    md.push_str("\n## Tornado: each dimension's swing of each figure (widest first)\n\n| figure | dimension | lowest mean | highest mean | swing |\n|---|---|---:|---:|---:|\n");
    for (f, name) in t.figures.iter().enumerate() {
        for (dim, lo, hi) in t.tornado(f) {
            let _ = writeln!(
                md,
                "| {name} | {dim} | {} | {} | {} |",
                num(lo),
                num(hi),
                num(hi - lo)
            );
        }
    }
    let country = t.country_figures();
    if !country.is_empty() {
        md.push_str("\n## The variant best for each country, by figure\n\n| country | figure | best variant | value | its settings |\n|---|---|---|---:|---|\n");
        for (f, c) in country {
            if let Some((id, v)) = t.best(f) {
                let _ = writeln!(
                    md,
                    "| {c} | {} | {id} | {} | {} |",
                    t.figures[f],
                    num(v),
                    t.cells_of(id)
                );
            }
        }
    }
    md
}

/// A tornado chart of figure `f`: each dimension's range of level means about the
/// overall mean.
pub fn tornado_svg(t: &SweepTable, f: usize) -> Result<String, ReportError> {
    let bars = t.tornado(f);
    let mean = t.distribution(f).map_or(0.0, |d| d.mean);
    let lo = bars.iter().map(|b| b.1).fold(mean, f64::min);
    let hi = bars.iter().map(|b| b.2).fold(mean, f64::max);
    let pad = ((hi - lo) * 0.1).max(1e-9);
    let n = bars.len().max(1);
    let label_width = bars.iter().map(|b| b.0.chars().count()).max().unwrap_or(4) as u32 * 7 + 16;
    let mut svg = String::new();
    {
        let height = 80 + 28 * n as u32;
        let root = SVGBackend::with_string(&mut svg, (720, height)).into_drawing_area();
        root.fill(&WHITE).map_err(chart_error)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(&t.figures[f], ("sans-serif", 15))
            .margin(12)
            .x_label_area_size(30)
            .y_label_area_size(label_width)
            .build_cartesian_2d((lo - pad)..(hi + pad), (0..n).into_segmented())
            .map_err(chart_error)?;
        let names: Vec<String> = bars.iter().map(|b| b.0.clone()).collect();
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(n)
            .x_label_formatter(&|x: &f64| num(*x))
            .y_label_formatter(&|y: &SegmentValue<usize>| match y {
                // Widest at the top.
                SegmentValue::CenterOf(k) if *k < n => {
                    names.get(n - k - 1).cloned().unwrap_or_default()
                }
                _ => String::new(),
            })
            .label_style(("sans-serif", 11))
            .draw()
            .map_err(chart_error)?;
        chart
            .draw_series(bars.iter().enumerate().map(|(k, b)| {
                let row = n - k - 1;
                Rectangle::new(
                    [
                        (b.1, SegmentValue::Exact(row)),
                        (b.2, SegmentValue::Exact(row + 1)),
                    ],
                    RGBColor(31, 95, 168).filled(),
                )
            }))
            .map_err(chart_error)?;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![
                    (mean, SegmentValue::Exact(0)),
                    (mean, SegmentValue::Exact(n)),
                ],
                BLACK.stroke_width(1),
            )))
            .map_err(chart_error)?;
        root.present().map_err(chart_error)?;
    }
    Ok(svg)
}

/// The summary as one self-contained HTML document: a tornado for each figure, then the
/// tables.
pub fn html_document(t: &SweepTable) -> String {
    let title = format!("Karvan sweep: {} ({} variants)", t.name, t.rows.len());
    let mut h = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"generator\" content=\"Karvan\"><title>{}</title><style>{}</style></head><body><h1>{}</h1>",
        esc(&title),
        crate::html::STYLE,
        esc(&title)
    );
    for f in 0..t.figures.len() {
        // A figure no dimension moves has no tornado worth drawing.
        let swing = t.tornado(f).first().map_or(0.0, |b| b.2 - b.1);
        let scale = t.distribution(f).map_or(0.0, |d| d.mean.abs());
        if swing <= 1e-9 * scale.max(1.0) {
            continue;
        }
        match tornado_svg(t, f) {
            Ok(svg) => h.push_str(&svg),
            Err(e) => h.push_str(&format!(
                "<p>The chart could not be drawn: {}</p>",
                esc(&e.to_string())
            )),
        }
    }
    h.push_str(&format!("<pre>{}</pre></body></html>", esc(&markdown(t))));
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> SweepTable {
        // figure = 10 × a + b, a ∈ {0, 1}, b ∈ {0, 2}.
        let mut rows = Vec::new();
        for a in [0.0, 1.0] {
            for b in [0.0, 2.0] {
                rows.push((
                    format!("v{a}{b}"),
                    vec![format!("{a}"), format!("{b}")],
                    vec![Some(10.0 * a + b), Some(-b)],
                ));
            }
        }
        SweepTable {
            name: "t".into(),
            dimensions: vec!["a".into(), "b".into()],
            figures: vec!["run.levies.UZB_musd".into(), "run.tonnes".into()],
            rows,
        }
    }

    #[test]
    fn main_effects_and_the_tornado_follow_the_hand_computed_means() {
        let t = table();
        let a = t.main_effects(0, 0);
        assert_eq!(a, vec![("0".into(), 1.0, 2), ("1".into(), 11.0, 2)]);
        let tornado = t.tornado(0);
        assert_eq!(tornado[0], ("a".into(), 1.0, 11.0));
        assert_eq!(tornado[1], ("b".into(), 5.0, 7.0));
        let d = t.distribution(0).expect("values");
        assert_eq!((d.min, d.max, d.mean), (0.0, 12.0, 6.0));
        assert_eq!(t.best(0), Some(("v12", 12.0)));
        assert_eq!(t.country_figures(), vec![(0, "UZB".to_string())]);
    }

    #[test]
    fn a_sampled_range_is_grouped_in_fifths() {
        let rows = (0..20)
            .map(|k| {
                (
                    format!("v{k}"),
                    vec![format!("{}", k as f64 / 2.0)],
                    vec![Some(k as f64)],
                )
            })
            .collect();
        let t = SweepTable {
            name: "t".into(),
            dimensions: vec!["x".into()],
            figures: vec!["y".into()],
            rows,
        };
        let m = t.main_effects(0, 0);
        assert_eq!(m.len(), 5);
        assert_eq!(m.iter().map(|e| e.2).sum::<usize>(), 20);
        // The first fifth is x = 0, 0.5, 1, 1.5 with y = 0, 1, 2, 3.
        assert_eq!(m[0].1, 1.5);
        assert_eq!(m[0].2, 4);
    }

    #[test]
    fn a_sweep_folder_reads_back_into_its_table() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("variants.csv"), "id,a,b\nv0,0,0\nv1,1,0\n").unwrap();
        std::fs::write(
            dir.path().join("results.csv"),
            "id,a,b,run.tonnes,run.levies.UZB_musd\nv0,0,0,5,\nv1,1,0,7,2.5\n",
        )
        .unwrap();
        let t = SweepTable::read(dir.path()).expect("reads");
        assert_eq!(t.dimensions, vec!["a", "b"]);
        assert_eq!(t.figures, vec!["run.tonnes", "run.levies.UZB_musd"]);
        assert_eq!(t.rows[1].2, vec![Some(7.0), Some(2.5)]);
        assert_eq!(t.rows[0].2[1], None);
        std::fs::write(dir.path().join("results.csv"), "id,a,b,x\nv0,0,0,many\n").unwrap();
        let e = SweepTable::read(dir.path()).err().expect("refused");
        assert!(e.contains("line 2") && e.contains("many"), "{e}");
    }

    #[test]
    fn the_summary_has_its_tables_and_charts() {
        let t = table();
        let md = markdown(&t);
        assert!(
            md.contains("| run.levies.UZB_musd | a | 1 | 11.00 | 2 |"),
            "{md}"
        );
        assert!(
            md.contains("| UZB | run.levies.UZB_musd | v12 | 12.00 | a = 1, b = 2 |"),
            "{md}"
        );
        let h = html_document(&t);
        assert_eq!(h.matches("<svg").count(), 2);
    }
}
