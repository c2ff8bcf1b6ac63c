//! Reading one CSV table against its schema, collecting every problem.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::problem::Problems;
use crate::schema::{Column, Kind, Table};

/// One data row of a table, with the line it came from.
pub struct Row<'a> {
    table: &'a Table,
    record: csv::StringRecord,
    positions: &'a HashMap<&'static str, usize>,
    pub line: u64,
}

/// Parses `text` as `table`, calling `each` for every data row. Header problems stop the
/// table (its rows cannot be read); cell problems are collected and the row still passes.
/// Returns whether the header could be read (when not, the table's rows are missing and
/// problems found by looking them up elsewhere follow from the header, not the rows).
pub fn read_table(
    table: &Table,
    text: &str,
    problems: &mut Problems,
    mut each: impl FnMut(&Row, &mut Problems),
) -> bool {
    // Spreadsheets write CRLF; with a lone `\n` per line, record positions are true lines.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let normalized;
    let text = if text.contains('\r') {
        normalized = text.replace("\r\n", "\n").replace('\r', "\n");
        normalized.as_str()
    } else {
        text
    };
    if text.trim().is_empty() {
        let columns: Vec<&str> = table.columns.iter().map(|c| c.name).collect();
        problems.push(
            table.file,
            Some(1),
            None,
            format!(
                "the file is empty; it needs at least the header line: {}",
                columns.join(",")
            ),
        );
        return false;
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            problems.push(
                table.file,
                Some(1),
                None,
                format!("cannot read the header: {e}"),
            );
            return false;
        }
    };
    let mut positions: HashMap<&'static str, usize> = HashMap::new();
    let mut header_ok = true;
    for (i, name) in headers.iter().enumerate() {
        match table.column(name) {
            Some(c) => {
                if positions.insert(c.name, i).is_some() {
                    problems.push(table.file, Some(1), Some(name), "column appears twice");
                    header_ok = false;
                }
            }
            None => {
                let known: Vec<&str> = table.columns.iter().map(|c| c.name).collect();
                problems.push(
                    table.file,
                    Some(1),
                    Some(name),
                    format!("unknown column; expected columns are: {}", known.join(", ")),
                );
                header_ok = false;
            }
        }
    }
    for c in table.columns.iter().filter(|c| c.required) {
        if !positions.contains_key(c.name) {
            problems.push(
                table.file,
                Some(1),
                Some(c.name),
                "required column is missing",
            );
            header_ok = false;
        }
    }
    if !header_ok {
        return false;
    }
    for result in reader.records() {
        match result {
            Ok(record) => {
                let line = record.position().map(|p| p.line()).unwrap_or(0);
                if record.iter().all(str::is_empty) {
                    continue;
                }
                if record.len() != headers.len() {
                    problems.push(
                        table.file,
                        Some(line),
                        None,
                        format!(
                            "has {} fields, the header has {}",
                            record.len(),
                            headers.len()
                        ),
                    );
                    continue;
                }
                let row = Row {
                    table,
                    record,
                    positions: &positions,
                    line,
                };
                row.check_cells(problems);
                each(&row, problems);
            }
            Err(e) => {
                let line = e.position().map(|p| p.line());
                problems.push(table.file, line, None, format!("malformed CSV: {e}"));
            }
        }
    }
    true
}

impl Row<'_> {
    fn column(&self, name: &str) -> &Column {
        self.table
            .column(name)
            .unwrap_or_else(|| panic!("schema of {} has no column {name}", self.table.file))
    }

    /// The cell's text, `None` when the cell is empty or the column absent.
    pub fn text(&self, name: &str) -> Option<&str> {
        let c = self.column(name);
        let i = *self.positions.get(c.name)?;
        self.record.get(i).filter(|s| !s.is_empty())
    }

    /// The cell's text, empty when missing (required columns are checked elsewhere).
    pub fn string(&self, name: &str) -> String {
        self.text(name).unwrap_or("").to_string()
    }

    /// The cell as a number; `None` when empty or malformed (malformed is reported once by
    /// `check_cells`).
    pub fn number(&self, name: &str) -> Option<f64> {
        self.text(name)
            .and_then(|s| s.parse::<f64>().ok())
            .filter(|v| v.is_finite())
    }

    pub fn year(&self, name: &str) -> Option<i32> {
        self.text(name).and_then(|s| s.parse::<i32>().ok())
    }

    pub fn bool(&self, name: &str) -> bool {
        matches!(self.text(name), Some("true"))
    }

    fn problem(&self, problems: &mut Problems, column: &str, message: String) {
        problems.push(self.table.file, Some(self.line), Some(column), message);
    }

    /// Checks every cell against its column's kind, range and required-ness.
    fn check_cells(&self, problems: &mut Problems) {
        for c in self.table.columns {
            let Some(value) = self.text(c.name) else {
                if c.required {
                    self.problem(problems, c.name, "is empty but required".into());
                }
                continue;
            };
            match c.kind {
                Kind::Id => {
                    let ok = value
                        .chars()
                        .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_');
                    if !ok {
                        self.problem(
                            problems,
                            c.name,
                            format!("`{value}` is not a valid id (letters, digits, `-`, `_`)"),
                        );
                    }
                }
                Kind::Number { min, max } => match value.parse::<f64>() {
                    Ok(v) if !v.is_finite() => self.problem(
                        problems,
                        c.name,
                        format!("`{value}` is not a finite number"),
                    ),
                    Ok(v) if v < min || v > max => self.problem(
                        problems,
                        c.name,
                        format!(
                            "{} is out of range: must be {}",
                            crate::schema::number_text(v),
                            crate::schema::range_text(min, max)
                        ),
                    ),
                    Ok(_) => {}
                    Err(_) => self.problem(problems, c.name, format!("`{value}` is not a number")),
                },
                Kind::Year => match value.parse::<i32>() {
                    Ok(y) if (1800..=2200).contains(&y) => {}
                    _ => self.problem(problems, c.name, format!("`{value}` is not a year")),
                },
                Kind::Bool => {
                    if value != "true" && value != "false" {
                        self.problem(problems, c.name, format!("`{value}` must be true or false"));
                    }
                }
                Kind::OneOf(words) => {
                    if !words.contains(&value) {
                        self.problem(
                            problems,
                            c.name,
                            format!("`{value}` must be one of: {}", words.join(", ")),
                        );
                    }
                }
                Kind::Ref(_) | Kind::Text => {}
            }
        }
    }
}

/// Reads every table of a folder's `files` with `each`; a table missing from `files` is
/// a problem unless it is `optional`. `origin` names the folder in messages.
pub fn read_tables(
    tables: &[Table],
    optional: &[&str],
    files: &HashMap<String, String>,
    origin: &str,
    problems: &mut Problems,
    mut each: impl FnMut(&Table, &Row, &mut Problems),
) {
    for table in tables {
        let Some(text) = files.get(table.file) else {
            if !optional.contains(&table.file) {
                problems.push(
                    table.file,
                    None,
                    None,
                    format!("file is missing from {origin}"),
                );
            }
            continue;
        };
        read_table(table, text, problems, |r, p| each(table, r, p));
    }
}

/// One month's value of a named monthly series, with the line it came from.
pub struct MonthValue {
    pub series: String,
    pub month: usize,
    pub value: f64,
    pub line: u64,
}

impl MonthValue {
    /// The row's `series`, `month` and `column`.
    pub fn of(r: &Row, column: &str) -> MonthValue {
        MonthValue {
            series: r.string("series"),
            month: r.number("month").unwrap_or(1.0).round() as usize,
            value: r.number(column).unwrap_or(0.0),
            line: r.line,
        }
    }
}

/// Gathers monthly rows of `file` into series, each month given once and all twelve
/// given; with `sums_to_one`, a series' values (shares of a year) must sum to 1.
pub fn monthly_series(
    file: &str,
    column: &str,
    rows: Vec<MonthValue>,
    sums_to_one: bool,
    p: &mut Problems,
) -> BTreeMap<String, [f64; 12]> {
    let mut out: BTreeMap<String, [f64; 12]> = BTreeMap::new();
    let mut first_line: HashMap<String, u64> = HashMap::new();
    let mut seen: HashSet<(String, usize)> = HashSet::new();
    for m in rows {
        if !seen.insert((m.series.clone(), m.month)) {
            p.push(
                file,
                Some(m.line),
                Some("month"),
                format!("a second value for month {} of `{}`", m.month, m.series),
            );
        }
        first_line.entry(m.series.clone()).or_insert(m.line);
        out.entry(m.series).or_insert([0.0; 12])[m.month.clamp(1, 12) - 1] = m.value;
    }
    for (series, values) in &out {
        let months = seen.iter().filter(|(s, _)| s == series).count();
        if months != 12 {
            p.push(
                file,
                first_line.get(series).copied(),
                Some("month"),
                format!("`{series}` gives {months} months, not 12"),
            );
        }
        let sum: f64 = values.iter().sum();
        if sums_to_one && (sum - 1.0).abs() > 1e-3 {
            p.push(
                file,
                first_line.get(series).copied(),
                Some(column),
                format!("the shares of `{series}` sum to {sum:.4}, not 1"),
            );
        }
    }
    out
}
