//! Reading the TNTP format of the standard traffic-assignment test networks
//! (Transportation Networks for Research): `*_net.tntp`, `*_trips.tntp`, `*_flow.tntp`,
//! each plain or gzip-compressed. Nodes are numbered from 1 in the files and from 0 here.

use std::io::Read;
use std::path::{Path, PathBuf};

/// A problem reading a TNTP file.
#[derive(Debug, thiserror::Error)]
pub enum TntpError {
    #[error("{file}: {source}")]
    Io {
        file: String,
        source: std::io::Error,
    },
    #[error("{file}:{line}: {message}")]
    Format {
        file: String,
        line: usize,
        message: String,
    },
    #[error("{dir}: no file matching *{suffix}.tntp or *{suffix}.tntp.gz")]
    Missing { dir: String, suffix: String },
}

/// One link of a TNTP network.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    /// Tail and head node, 0-based.
    pub from: u32,
    pub to: u32,
    pub capacity: f64,
    pub length: f64,
    pub free_flow_time: f64,
    pub b: f64,
    pub power: f64,
    pub toll: f64,
}

/// A TNTP network file.
#[derive(Debug, Clone, PartialEq)]
pub struct Net {
    pub zones: usize,
    pub nodes: usize,
    /// Nodes `0..first_thru_node` (0-based) are zones that carry no through traffic.
    pub first_thru_node: usize,
    pub links: Vec<Link>,
}

/// An origin–destination demand, 0-based.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Trip {
    pub origin: u32,
    pub destination: u32,
    pub volume: f64,
}

/// A solution flow of one link.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinkFlow {
    pub from: u32,
    pub to: u32,
    pub volume: f64,
    pub cost: f64,
}

/// Reads a file, decompressing it when its name ends in `.gz`.
pub fn read_text(path: &Path) -> Result<String, TntpError> {
    let io = |source| TntpError::Io {
        file: path.display().to_string(),
        source,
    };
    let bytes = std::fs::read(path).map_err(io)?;
    if path.extension().is_some_and(|e| e == "gz") {
        let mut s = String::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_string(&mut s)
            .map_err(io)?;
        Ok(s)
    } else {
        String::from_utf8(bytes)
            .map_err(|e| io(std::io::Error::new(std::io::ErrorKind::InvalidData, e)))
    }
}

/// The file in `dir` whose name ends in `<suffix>.tntp` or `<suffix>.tntp.gz`.
pub fn find(dir: &Path, suffix: &str) -> Result<PathBuf, TntpError> {
    let io = |source| TntpError::Io {
        file: dir.display().to_string(),
        source,
    };
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    names.sort();
    names
        .into_iter()
        .find(|p| {
            let n = p
                .file_name()
                .map(|n| n.to_string_lossy().to_lowercase())
                .unwrap_or_default();
            n.ends_with(&format!("{suffix}.tntp")) || n.ends_with(&format!("{suffix}.tntp.gz"))
        })
        .ok_or_else(|| TntpError::Missing {
            dir: dir.display().to_string(),
            suffix: suffix.to_string(),
        })
}

fn metadata(text: &str, key: &str) -> Option<f64> {
    text.lines()
        .take_while(|l| !l.contains("<END OF METADATA>"))
        .find_map(|l| {
            l.trim()
                .strip_prefix(key)
                .and_then(|v| v.trim().parse().ok())
        })
}

fn body(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let start = text
        .lines()
        .position(|l| l.contains("<END OF METADATA>"))
        .map_or(0, |i| i + 1);
    text.lines()
        .enumerate()
        .skip(start)
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('~'))
}

/// Parses a network file.
pub fn parse_net(text: &str, file: &str) -> Result<Net, TntpError> {
    let err = |line, message: String| TntpError::Format {
        file: file.to_string(),
        line,
        message,
    };
    let nodes = metadata(text, "<NUMBER OF NODES>")
        .ok_or_else(|| err(1, "no <NUMBER OF NODES>".into()))? as usize;
    let zones = metadata(text, "<NUMBER OF ZONES>")
        .ok_or_else(|| err(1, "no <NUMBER OF ZONES>".into()))? as usize;
    let first_thru = metadata(text, "<FIRST THRU NODE>").unwrap_or(1.0) as usize;
    let mut links = Vec::new();
    for (line, l) in body(text) {
        let fields: Vec<&str> = l.trim_end_matches(';').split_whitespace().collect();
        if fields.len() < 9 {
            return Err(err(
                line,
                format!("expected at least 9 fields, found {}", fields.len()),
            ));
        }
        let num = |i: usize| -> Result<f64, TntpError> {
            fields[i].parse::<f64>().map_err(|_| {
                err(
                    line,
                    format!("field {} `{}` is not a number", i + 1, fields[i]),
                )
            })
        };
        let node = |i: usize| -> Result<u32, TntpError> {
            let v = num(i)?;
            if v < 1.0 || v > nodes as f64 || v.fract() != 0.0 {
                return Err(err(
                    line,
                    format!("node `{}` is not in 1..={nodes}", fields[i]),
                ));
            }
            Ok(v as u32 - 1)
        };
        let link = Link {
            from: node(0)?,
            to: node(1)?,
            capacity: num(2)?,
            length: num(3)?,
            free_flow_time: num(4)?,
            b: num(5)?,
            power: num(6)?,
            toll: num(8)?,
        };
        if link.capacity <= 0.0 || link.free_flow_time < 0.0 || link.b < 0.0 || link.power < 0.0 {
            return Err(err(
                line,
                "capacity must be > 0 and free-flow time, B and power ≥ 0".into(),
            ));
        }
        links.push(link);
    }
    Ok(Net {
        zones,
        nodes,
        first_thru_node: first_thru.saturating_sub(1),
        links,
    })
}

/// Parses a trip table.
pub fn parse_trips(text: &str, file: &str) -> Result<Vec<Trip>, TntpError> {
    let err = |line, message: String| TntpError::Format {
        file: file.to_string(),
        line,
        message,
    };
    let mut trips = Vec::new();
    let mut origin: Option<u32> = None;
    for (line, l) in body(text) {
        if let Some(rest) = l.strip_prefix("Origin") {
            let o: u32 = rest
                .trim()
                .parse()
                .map_err(|_| err(line, format!("bad origin `{}`", rest.trim())))?;
            if o == 0 {
                return Err(err(line, "origins are numbered from 1".into()));
            }
            origin = Some(o - 1);
            continue;
        }
        let o = origin.ok_or_else(|| err(line, "demand before the first `Origin`".into()))?;
        for pair in l.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let (d, v) = pair.split_once(':').ok_or_else(|| {
                err(
                    line,
                    format!("expected `destination : volume`, found `{pair}`"),
                )
            })?;
            let d: u32 = d
                .trim()
                .parse()
                .map_err(|_| err(line, format!("bad destination `{}`", d.trim())))?;
            let v: f64 = v
                .trim()
                .parse()
                .map_err(|_| err(line, format!("bad volume `{}`", v.trim())))?;
            if d == 0 || !v.is_finite() || v < 0.0 {
                return Err(err(line, format!("bad demand `{pair}`")));
            }
            if v > 0.0 {
                trips.push(Trip {
                    origin: o,
                    destination: d - 1,
                    volume: v,
                });
            }
        }
    }
    Ok(trips)
}

/// Parses a solution flow file (`From To Volume Cost`).
pub fn parse_flow(text: &str, file: &str) -> Result<Vec<LinkFlow>, TntpError> {
    let mut out = Vec::new();
    for (i, l) in text.lines().enumerate() {
        let f: Vec<&str> = l.split_whitespace().collect();
        if f.len() < 3 || f[0].parse::<u32>().is_err() {
            continue; // header or blank
        }
        let bad = || TntpError::Format {
            file: file.to_string(),
            line: i + 1,
            message: format!("bad flow row `{l}`"),
        };
        let from: u32 = f[0].parse().map_err(|_| bad())?;
        let to: u32 = f[1].parse().map_err(|_| bad())?;
        let volume: f64 = f[2].parse().map_err(|_| bad())?;
        let cost: f64 = f.get(3).and_then(|c| c.parse().ok()).unwrap_or(f64::NAN);
        if from == 0 || to == 0 {
            return Err(bad());
        }
        out.push(LinkFlow {
            from: from - 1,
            to: to - 1,
            volume,
            cost,
        });
    }
    Ok(out)
}

/// A network folder: its net, trips and (when present) best-known flows.
#[derive(Debug, Clone)]
pub struct Instance {
    pub net: Net,
    pub trips: Vec<Trip>,
    pub flows: Option<Vec<LinkFlow>>,
}

/// Reads the `*_net`, `*_trips` and optional `*_flow` files of a folder.
pub fn read_dir(dir: &Path) -> Result<Instance, TntpError> {
    let net_path = find(dir, "_net")?;
    let trips_path = find(dir, "_trips")?;
    let net = parse_net(&read_text(&net_path)?, &net_path.display().to_string())?;
    let trips = parse_trips(&read_text(&trips_path)?, &trips_path.display().to_string())?;
    for t in &trips {
        if t.origin as usize >= net.nodes || t.destination as usize >= net.nodes {
            return Err(TntpError::Format {
                file: trips_path.display().to_string(),
                line: 0,
                message: format!(
                    "trip {} → {} names a node outside the network",
                    t.origin + 1,
                    t.destination + 1
                ),
            });
        }
    }
    let flows = match find(dir, "_flow") {
        Ok(p) => Some(parse_flow(&read_text(&p)?, &p.display().to_string())?),
        Err(TntpError::Missing { .. }) => None,
        Err(e) => return Err(e),
    };
    Ok(Instance { net, trips, flows })
}

/// The instance as an assignment problem: BPR costs, fixed cost
/// `toll_factor · toll + distance_factor · length`, zones below the first through node
/// closed to through traffic; one class.
pub fn to_problem(
    inst: &Instance,
    toll_factor: f64,
    distance_factor: f64,
) -> karvan_assign::Problem {
    use karvan_assign::{Demand, Graph, Network, Problem, Vdf};
    let n = &inst.net;
    let ends: Vec<(u32, u32)> = n.links.iter().map(|l| (l.from, l.to)).collect();
    let network = Network {
        graph: Graph::new(n.nodes, &ends),
        vdf: n
            .links
            .iter()
            .map(|l| Vdf::Bpr {
                t0: l.free_flow_time,
                b: l.b,
                capacity: l.capacity,
                power: l.power,
            })
            .collect(),
        no_through: (0..n.nodes).map(|v| v < n.first_thru_node).collect(),
    };
    let fixed = n
        .links
        .iter()
        .map(|l| toll_factor * l.toll + distance_factor * l.length)
        .collect();
    let demand = Demand::from_triples(
        inst.trips
            .iter()
            .map(|t| (t.origin, t.destination, t.volume)),
    );
    Problem::single(network, fixed, demand)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NET: &str = "<NUMBER OF ZONES> 2\n<NUMBER OF NODES> 3\n<FIRST THRU NODE> 3\n<NUMBER OF LINKS> 2\n<END OF METADATA>\n\n~ header ;\n\t1\t3\t100\t2\t1.5\t0.15\t4\t0\t0.5\t1\t;\n\t3\t2\t100\t2\t1.5\t0.15\t4\t0\t0\t1\t;\n";
    const TRIPS: &str = "<NUMBER OF ZONES> 2\n<END OF METADATA>\n\nOrigin 1\n    1 :   0.0;    2 :  50.0;\nOrigin 2\n   1 : 20;\n";

    #[test]
    fn reads_a_small_network_and_trip_table() {
        let net = parse_net(NET, "n").unwrap();
        assert_eq!((net.zones, net.nodes, net.first_thru_node), (2, 3, 2));
        assert_eq!(
            net.links[0],
            Link {
                from: 0,
                to: 2,
                capacity: 100.0,
                length: 2.0,
                free_flow_time: 1.5,
                b: 0.15,
                power: 4.0,
                toll: 0.5
            }
        );
        let trips = parse_trips(TRIPS, "t").unwrap();
        assert_eq!(
            trips,
            vec![
                Trip {
                    origin: 0,
                    destination: 1,
                    volume: 50.0
                },
                Trip {
                    origin: 1,
                    destination: 0,
                    volume: 20.0
                }
            ]
        );
    }

    #[test]
    fn bad_rows_name_their_line() {
        let e = parse_net(&NET.replace("\t3\t2\t100", "\t3\t9\t100"), "n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("n:9:"), "{e}");
        let e = parse_trips(&TRIPS.replace("2 :  50.0", "2 : lots"), "t")
            .unwrap_err()
            .to_string();
        assert!(e.contains("t:5: bad volume `lots`"), "{e}");
    }
}
