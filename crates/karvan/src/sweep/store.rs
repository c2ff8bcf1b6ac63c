//! A sweep's folder: the sweep file it runs (`sweep.toml`, its marker), the variants,
//! one row file per finished variant (written to a temporary name and renamed, so a row
//! is whole or absent, locally and on a cluster's shared folder alike), and the merged
//! results table.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use karvan_data::sweep::{cell, SweepSpec, Variant};
use karvan_report::sweep::SweepTable;

use super::figures::Figures;

pub struct SweepDir {
    pub path: PathBuf,
}

const MARKER: &str = "sweep.toml";

impl SweepDir {
    /// Opens the folder of the sweep whose file's text is `text`, creating it when new.
    /// A folder holding something else, or another sweep, is refused: nothing Karvan did
    /// not write is touched.
    pub fn open(path: &Path, text: &str) -> Result<SweepDir> {
        let marker = path.join(MARKER);
        if marker.is_file() {
            let before = std::fs::read_to_string(&marker)
                .with_context(|| format!("reading {}", marker.display()))?;
            if before != text {
                bail!(
                    "{} holds another sweep (its sweep.toml differs); choose another --out, or delete the folder to start again",
                    path.display()
                );
            }
        } else if path.exists() {
            let empty = path.is_dir() && std::fs::read_dir(path)?.next().is_none();
            if !empty {
                bail!(
                    "{} exists and is not a sweep's folder (no sweep.toml); choose another --out",
                    path.display()
                );
            }
        }
        std::fs::create_dir_all(path.join("rows"))
            .with_context(|| format!("creating {}", path.display()))?;
        let dir = SweepDir {
            path: path.to_path_buf(),
        };
        if !marker.is_file() {
            dir.write_atomic(MARKER, text)?;
        }
        Ok(dir)
    }

    /// Opens an existing sweep folder (for status, collect and a cluster's tasks).
    pub fn existing(path: &Path) -> Result<(SweepDir, String)> {
        let marker = path.join(MARKER);
        let text = std::fs::read_to_string(&marker).with_context(|| {
            format!("{} is not a sweep's folder (no sweep.toml)", path.display())
        })?;
        Ok((
            SweepDir {
                path: path.to_path_buf(),
            },
            text,
        ))
    }

    /// Writes `name` in the folder through a temporary file renamed into place.
    pub fn write_atomic(&self, name: &str, text: &str) -> Result<()> {
        self.write_bytes_atomic(name, text.as_bytes())
    }

    /// Writes `bytes` as `name` in the folder, as [`SweepDir::write_atomic`] does.
    pub fn write_bytes_atomic(&self, name: &str, bytes: &[u8]) -> Result<()> {
        let target = self.path.join(name);
        let tmp = self.path.join(format!(
            ".{}.{}.tmp",
            name.replace('/', "_"),
            std::process::id()
        ));
        std::fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
        std::fs::rename(&tmp, &target)
            .with_context(|| format!("renaming into {}", target.display()))?;
        Ok(())
    }

    fn row_name(id: &str) -> String {
        format!("rows/{id}.csv")
    }

    /// Ids of the variants whose row is written.
    pub fn finished(&self) -> Result<BTreeSet<String>> {
        let mut out = BTreeSet::new();
        for entry in std::fs::read_dir(self.path.join("rows"))? {
            let name = entry?.file_name().to_string_lossy().into_owned();
            if let Some(id) = name.strip_suffix(".csv") {
                if !id.starts_with('.') {
                    out.insert(id.to_string());
                }
            }
        }
        Ok(out)
    }

    /// Writes a finished variant's row.
    pub fn write_row(&self, spec: &SweepSpec, v: &Variant, figures: &Figures) -> Result<()> {
        let mut header = vec!["id".to_string()];
        header.extend(spec.dimensions.iter().map(|d| d.name.clone()));
        header.extend(figures.iter().map(|f| f.0.clone()));
        let mut row = vec![v.id.clone()];
        row.extend(v.values.iter().map(cell));
        row.extend(figures.iter().map(|f| format!("{}", f.1)));
        let text = format!("{}\n{}\n", csv_line(&header), csv_line(&row));
        self.write_atomic(&Self::row_name(&v.id), &text)
    }

    /// Writes every variant and its values, once.
    pub fn write_variants(&self, spec: &SweepSpec, variants: &[Variant]) -> Result<()> {
        let mut header = vec!["id".to_string()];
        header.extend(spec.dimensions.iter().map(|d| d.name.clone()));
        let mut text = csv_line(&header) + "\n";
        for v in variants {
            let mut row = vec![v.id.clone()];
            row.extend(v.values.iter().map(cell));
            let _ = writeln!(text, "{}", csv_line(&row));
        }
        self.write_atomic("variants.csv", &text)
    }

    /// Merges the finished rows, in the variants' order, into a table.
    pub fn table(&self, spec: &SweepSpec, variants: &[Variant]) -> Result<SweepTable> {
        let dims = spec.dimensions.len();
        // (variant id, dimension cells, figures) of each row read.
        let mut read: Vec<(String, Vec<String>, Figures)> = Vec::new();
        let finished = self.finished()?;
        for v in variants.iter().filter(|v| finished.contains(&v.id)) {
            let path = self.path.join(Self::row_name(&v.id));
            let mut r = csv::ReaderBuilder::new()
                .from_path(&path)
                .with_context(|| format!("reading {}", path.display()))?;
            let header: Vec<String> = r.headers()?.iter().map(String::from).collect();
            let record = r
                .records()
                .next()
                .with_context(|| format!("{} has no row", path.display()))??;
            let cells: Vec<String> = record.iter().map(String::from).collect();
            if cells.len() != header.len() || cells.len() < 1 + dims {
                bail!("{}: the row does not match its header", path.display());
            }
            let figures = header[1 + dims..]
                .iter()
                .zip(&cells[1 + dims..])
                .map(|(h, c)| {
                    c.parse::<f64>().map(|x| (h.clone(), x)).with_context(|| {
                        format!("{}: `{c}` in {h} is not a number", path.display())
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            read.push((v.id.clone(), cells[1..1 + dims].to_vec(), figures));
        }
        let names: BTreeSet<String> = read
            .iter()
            .flat_map(|r| r.2.iter().map(|f| f.0.clone()))
            .collect();
        let figures: Vec<String> = names.into_iter().collect();
        let rows = read
            .into_iter()
            .map(|(id, cells, fs)| {
                let values = figures
                    .iter()
                    .map(|n| fs.iter().find(|f| &f.0 == n).map(|f| f.1))
                    .collect();
                (id, cells, values)
            })
            .collect();
        Ok(SweepTable {
            name: spec.name.clone().unwrap_or_default(),
            dimensions: spec.dimensions.iter().map(|d| d.name.clone()).collect(),
            figures,
            rows,
        })
    }

    /// Writes the merged table as `results.csv` and `results.parquet`.
    pub fn write_results(&self, t: &SweepTable) -> Result<()> {
        self.write_bytes_atomic("results.parquet", &super::parquet::encode(t)?)?;
        let mut header = vec!["id".to_string()];
        header.extend(t.dimensions.iter().cloned());
        header.extend(t.figures.iter().cloned());
        let mut text = csv_line(&header) + "\n";
        for (id, cells, values) in &t.rows {
            let mut row = vec![id.clone()];
            row.extend(cells.iter().cloned());
            row.extend(
                values
                    .iter()
                    .map(|v| v.map_or(String::new(), |x| format!("{x}"))),
            );
            let _ = writeln!(text, "{}", csv_line(&row));
        }
        self.write_atomic("results.csv", &text)
    }
}

/// One CSV line, quoting what needs it.
fn csv_line(cells: &[String]) -> String {
    cells
        .iter()
        .map(|c| {
            if c.contains([',', '"', '\n']) {
                format!("\"{}\"", c.replace('"', "\"\""))
            } else {
                c.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}
