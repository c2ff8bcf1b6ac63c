//! The three kinds of TNTP file, parsed from text with every number checked against
//! its range (see the limits in the crate root).

use crate::error::{shown, TntpError};
use crate::{
    Link, LinkFlow, Net, Trip, TripTable, MAX_B, MAX_CAPACITY, MAX_DEMAND, MAX_FLOW, MAX_LINKS,
    MAX_NODES, MAX_POWER, MAX_QUANTITY, MIN_CAPACITY,
};

/// A bound as it reads best: `20`, `0`, `1e-6`, `1e15`.
fn bound(v: f64) -> String {
    if v == v.trunc() && v.abs() < 1e7 {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}

/// Where a value is: file and 1-based line.
#[derive(Clone, Copy)]
pub(crate) struct At<'a> {
    pub file: &'a str,
    pub line: usize,
}

impl At<'_> {
    pub fn format(&self, message: impl Into<String>) -> TntpError {
        TntpError::Format {
            file: self.file.to_string(),
            line: self.line,
            message: message.into(),
        }
    }

    fn field(&self, field: impl Into<String>, token: &str, expected: String) -> TntpError {
        TntpError::Field {
            file: self.file.to_string(),
            line: self.line,
            field: field.into(),
            value: shown(token),
            expected,
        }
    }

    /// A number in `[lo, hi]`; `why` says where the bounds come from. The field's name
    /// is only made when there is an error to report.
    pub fn number(
        &self,
        field: impl FnOnce() -> String,
        token: &str,
        lo: f64,
        hi: f64,
        why: &str,
    ) -> Result<f64, TntpError> {
        match token.parse::<f64>() {
            Ok(v) if v.is_finite() && v >= lo && v <= hi => Ok(v),
            _ => Err(self.field(
                field(),
                token,
                format!("a number in [{}, {}]{why}", bound(lo), bound(hi)),
            )),
        }
    }

    /// A whole number in `lo..=hi`.
    pub fn integer(
        &self,
        field: impl FnOnce() -> String,
        token: &str,
        lo: u64,
        hi: u64,
        why: &str,
    ) -> Result<u64, TntpError> {
        let v = token.parse::<u64>().ok().or_else(|| {
            token
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && v.fract() == 0.0 && *v >= 0.0 && *v <= u64::MAX as f64)
                .map(|v| v as u64)
        });
        match v {
            Some(v) if v >= lo && v <= hi => Ok(v),
            _ => Err(self.field(
                field(),
                token,
                format!("a whole number in {lo}..={hi}{why}"),
            )),
        }
    }
}

/// The header of a file: `<KEY> value` lines up to `<END OF METADATA>`.
pub(crate) struct Meta<'a> {
    file: &'a str,
    entries: Vec<(&'a str, &'a str, usize)>,
    /// Number of lines up to and including `<END OF METADATA>`.
    pub end: usize,
}

impl<'a> Meta<'a> {
    pub fn read(text: &'a str, file: &'a str) -> Result<Meta<'a>, TntpError> {
        let mut entries: Vec<(&str, &str, usize)> = Vec::new();
        let mut count = 0;
        for (i, l) in text.lines().enumerate() {
            count = i + 1;
            let at = At { file, line: i + 1 };
            let t = l.trim();
            if !t.starts_with('<') {
                continue;
            }
            let Some(close) = t.find('>') else {
                return Err(at.format(format!("header line `{}` has no closing `>`", shown(t))));
            };
            let (key, value) = (t[1..close].trim(), t[close + 1..].trim());
            if key == "END OF METADATA" {
                return Ok(Meta {
                    file,
                    entries,
                    end: i + 1,
                });
            }
            if let Some(&(_, _, first)) = entries.iter().find(|e| e.0 == key) {
                return Err(at.format(format!("<{key}> again (first on line {first})")));
            }
            entries.push((key, value, i + 1));
        }
        Err(At {
            file,
            line: count.max(1),
        }
        .format("no <END OF METADATA> line: the file ends inside its header"))
    }

    fn get(&self, key: &str) -> Option<(&'a str, At<'a>)> {
        self.entries.iter().find(|e| e.0 == key).map(|e| {
            (
                e.1,
                At {
                    file: self.file,
                    line: e.2,
                },
            )
        })
    }

    /// A whole-number entry in `lo..=hi` with its line, or `None` when absent.
    pub fn count(
        &self,
        key: &str,
        lo: u64,
        hi: u64,
        why: &str,
    ) -> Result<Option<(u64, At<'a>)>, TntpError> {
        let Some((value, at)) = self.get(key) else {
            return Ok(None);
        };
        Ok(Some((
            at.integer(|| format!("<{key}>"), value, lo, hi, why)?,
            at,
        )))
    }

    pub fn required(
        &self,
        key: &str,
        lo: u64,
        hi: u64,
        why: &str,
    ) -> Result<(u64, At<'a>), TntpError> {
        self.count(key, lo, hi, why)?.ok_or_else(|| {
            At {
                file: self.file,
                line: self.end,
            }
            .format(format!("the header has no <{key}>"))
        })
    }

    /// A number entry in `[lo, hi]` with its line, or `None` when absent.
    pub fn number(&self, key: &str, lo: f64, hi: f64) -> Result<Option<(f64, At<'a>)>, TntpError> {
        let Some((value, at)) = self.get(key) else {
            return Ok(None);
        };
        Ok(Some((
            at.number(|| format!("<{key}>"), value, lo, hi, "")?,
            at,
        )))
    }
}

/// The lines after the header that carry data, numbered from 1, trimmed; blank lines
/// and `~` comments are left out.
fn body(text: &str, start: usize) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .skip(start)
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('~'))
}

const CAPACITY_WHY: &str =
    ": below that, flow / capacity makes the BPR term (flow / capacity)^power overflow";
const POWER_WHY: &str = ": higher powers make the BPR term overflow at a few times capacity";
const NODES_WHY: &str = ": more would not fit the solver's arrays in memory";

/// Parses a network file: header counts, then one link per line (`init term capacity
/// length free-flow-time b power speed toll [type]`, an optional `;` at the end).
pub fn parse_net(text: &str, file: &str) -> Result<Net, TntpError> {
    let meta = Meta::read(text, file)?;
    let (nodes, nodes_at) = meta.required("NUMBER OF NODES", 1, MAX_NODES, NODES_WHY)?;
    let (zones, zones_at) = meta.required("NUMBER OF ZONES", 1, MAX_NODES, NODES_WHY)?;
    if zones > nodes {
        return Err(zones_at.field(
            "<NUMBER OF ZONES>",
            &zones.to_string(),
            format!("at most the number of nodes, {nodes}"),
        ));
    }
    let (declared, links_at) = meta.required("NUMBER OF LINKS", 1, MAX_LINKS, "")?;
    let first_thru = meta
        .count(
            "FIRST THRU NODE",
            1,
            nodes + 1,
            " (one more than the nodes: none)",
        )?
        .map_or(1, |(v, _)| v);
    let mut links = Vec::new();
    for (line, l) in body(text, meta.end) {
        let at = At { file, line };
        let fields: Vec<&str> = l.trim_end_matches(';').split_whitespace().collect();
        if fields.len() != 9 && fields.len() != 10 {
            return Err(at.format(format!(
                "expected 9 or 10 fields (init node, term node, capacity, length, free-flow time, b, power, speed, toll[, type]), found {}",
                fields.len()
            )));
        }
        if links.len() as u64 == declared {
            return Err(TntpError::Count {
                file: file.to_string(),
                line: links_at.line,
                what: "links".into(),
                declared: declared.to_string(),
                found: format!("more (line {line} is link {})", declared + 1),
            });
        }
        let node = |i: usize| -> Result<u32, TntpError> {
            let name = if i == 0 { "init node" } else { "term node" };
            let v = at.integer(
                || format!("{name} (field {})", i + 1),
                fields[i],
                1,
                nodes,
                "",
            )?;
            Ok((v - 1) as u32)
        };
        let q = |i: usize, name: &str, lo: f64, hi: f64, why: &str| {
            at.number(
                || format!("{name} (field {})", i + 1),
                fields[i],
                lo,
                hi,
                why,
            )
        };
        let link = Link {
            from: node(0)?,
            to: node(1)?,
            capacity: q(2, "capacity", MIN_CAPACITY, MAX_CAPACITY, CAPACITY_WHY)?,
            length: q(3, "length", 0.0, MAX_QUANTITY, "")?,
            free_flow_time: q(4, "free-flow time", 0.0, MAX_QUANTITY, "")?,
            b: q(5, "b", 0.0, MAX_B, "")?,
            power: q(6, "power", 0.0, MAX_POWER, POWER_WHY)?,
            toll: q(8, "toll", 0.0, MAX_QUANTITY, "")?,
            line,
        };
        q(7, "speed", 0.0, MAX_QUANTITY, "")?;
        if fields.len() == 10 {
            q(9, "link type", -MAX_QUANTITY, MAX_QUANTITY, "")?;
        }
        links.push(link);
    }
    if (links.len() as u64) < declared {
        return Err(TntpError::Count {
            file: file.to_string(),
            line: links_at.line,
            what: "links".into(),
            declared: declared.to_string(),
            found: links.len().to_string(),
        });
    }
    // Each link touches at most two nodes: more nodes than that are isolated, and would
    // only make the solver allocate for them.
    let most = 2 * links.len() as u64;
    if nodes > most {
        return Err(nodes_at.field(
            "<NUMBER OF NODES>",
            &nodes.to_string(),
            format!(
                "at most {most}, twice the {} links: more nodes could not all be on a link",
                links.len()
            ),
        ));
    }
    Ok(Net {
        zones: zones as usize,
        nodes: nodes as usize,
        first_thru_node: first_thru as usize - 1,
        links,
    })
}

/// Parses a trip table: `Origin o` lines, each followed by `d : volume;` pairs.
pub fn parse_trips(text: &str, file: &str) -> Result<TripTable, TntpError> {
    let meta = Meta::read(text, file)?;
    let (zones, zones_at) = meta.required("NUMBER OF ZONES", 1, MAX_NODES, NODES_WHY)?;
    let total = meta.number("TOTAL OD FLOW", 0.0, MAX_FLOW)?;
    let mut trips = Vec::new();
    let mut origin: Option<u32> = None;
    let mut sum = 0.0;
    for (line, l) in body(text, meta.end) {
        let at = At { file, line };
        if let Some(rest) = l.strip_prefix("Origin") {
            let o = at.integer(|| "origin".into(), rest.trim(), 1, zones, " (the zones)")?;
            origin = Some((o - 1) as u32);
            continue;
        }
        let o = origin.ok_or_else(|| at.format("demand before the first `Origin` line"))?;
        for pair in l.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let (d, v) = pair.split_once(':').ok_or_else(|| {
                at.format(format!(
                    "expected `destination : volume`, found `{}`",
                    shown(pair)
                ))
            })?;
            let d = at.integer(|| "destination".into(), d.trim(), 1, zones, " (the zones)")?;
            let v = at.number(
                || format!("demand {} → {d}", o + 1),
                v.trim(),
                0.0,
                MAX_DEMAND,
                "",
            )?;
            sum += v;
            if v > 0.0 {
                trips.push(Trip {
                    origin: o,
                    destination: (d - 1) as u32,
                    volume: v,
                });
            }
        }
    }
    // The declared total catches a table cut short; it is often rounded to a whole
    // number, hence the absolute half unit.
    if let Some((t, at)) = total {
        if (sum - t).abs() > 1e-6 * t.max(sum) + 0.5 {
            return Err(TntpError::Count {
                file: file.to_string(),
                line: at.line,
                what: "total OD flow".into(),
                declared: t.to_string(),
                found: format!("{sum} in its rows"),
            });
        }
    }
    Ok(TripTable {
        zones: zones as usize,
        zones_line: zones_at.line,
        trips,
    })
}

/// Parses a solution flow file: a `From To Volume Cost` title line, then one row per
/// link.
pub fn parse_flow(text: &str, file: &str) -> Result<Vec<LinkFlow>, TntpError> {
    let mut out = Vec::new();
    for (i, l) in text.lines().enumerate() {
        let at = At { file, line: i + 1 };
        let l = l.trim().trim_end_matches(';');
        let f: Vec<&str> = l.split_whitespace().collect();
        if f.is_empty() || l.starts_with('~') || l.starts_with('<') {
            continue;
        }
        if out.is_empty() && f.iter().all(|t| t.parse::<f64>().is_err()) {
            continue; // the title line
        }
        if f.len() != 3 && f.len() != 4 {
            return Err(at.format(format!(
                "expected 3 or 4 fields (from, to, volume[, cost]), found {}",
                f.len()
            )));
        }
        let node = |i: usize, name: &str| -> Result<u32, TntpError> {
            Ok((at.integer(|| name.into(), f[i], 1, MAX_NODES, NODES_WHY)? - 1) as u32)
        };
        out.push(LinkFlow {
            from: node(0, "from")?,
            to: node(1, "to")?,
            volume: at.number(|| "volume".into(), f[2], 0.0, MAX_FLOW, "")?,
            cost: match f.get(3) {
                Some(c) => Some(at.number(|| "cost".into(), c, 0.0, MAX_FLOW, "")?),
                None => None,
            },
            line: i + 1,
        });
    }
    Ok(out)
}
