//! Reading the TNTP format of the standard traffic-assignment test networks
//! (Transportation Networks for Research): `*_net.tntp`, `*_trips.tntp`, `*_flow.tntp`,
//! each plain or gzip-compressed. Nodes are numbered from 1 in the files and from 0 here.
//!
//! Every number is checked against its range when the file is read, so that what the
//! solver receives is finite and sized by what the files contain:
//!
//! | value | range |
//! |---|---|
//! | node count | 1 ..= 50 million, and at most twice the links present |
//! | zone count | 1 ..= node count (trip table: the network's) |
//! | link count | 1 ..= 500 million, and exactly the links present |
//! | first through node | 1 ..= node count + 1 |
//! | capacity | [1e-6, 1e15] |
//! | length, free-flow time, speed, toll | [0, 1e15] |
//! | b | [0, 1e6] |
//! | power | [0, 20] |
//! | link type (optional) | [−1e15, 1e15] |
//! | demand of one origin–destination pair | [0, 1e12], rows summing to `<TOTAL OD FLOW>` |
//! | best-known volume and cost | [0, 1e30] |
//! | toll and distance factors | [0, 1e6] |
//!
//! A file (after decompression) has at most [`MAX_FILE_BYTES`].

use std::io::Read;
use std::path::{Path, PathBuf};

mod error;
mod parse;

pub use error::TntpError;
pub use parse::{parse_flow, parse_net, parse_trips};

/// Most nodes a network may declare. The solver allocates several arrays per node and
/// per thread; 50 million is far above the largest published TNTP network (about 13
/// million nodes) and keeps those arrays within a few gigabytes.
pub const MAX_NODES: u64 = 50_000_000;
/// Most links a network may declare: arc numbers must fit the solver's 32-bit indices
/// with room to spare.
pub const MAX_LINKS: u64 = 500_000_000;
/// Smallest capacity. Below it, flow / capacity for any ordinary flow is so large that
/// the BPR term (flow / capacity)^power overflows to infinity; at 1e-300 even one unit
/// of flow does.
pub const MIN_CAPACITY: f64 = 1e-6;
/// Largest capacity.
pub const MAX_CAPACITY: f64 = 1e15;
/// Largest length, free-flow time, speed and toll: path sums of a few million such
/// values times any admitted demand stay far from overflow.
pub const MAX_QUANTITY: f64 = 1e15;
/// Largest BPR b (0.15 is the standard; published calibrations stay below 10).
pub const MAX_B: f64 = 1e6;
/// Largest BPR power (4 is the standard; published calibrations stay below 10). At 500
/// the BPR term overflows as soon as a link carries about four times its capacity.
pub const MAX_POWER: f64 = 20.0;
/// Largest demand between one origin and one destination.
pub const MAX_DEMAND: f64 = 1e12;
/// Largest volume or cost in a best-known flow file.
pub const MAX_FLOW: f64 = 1e30;
/// Largest toll or distance factor of the generalized cost.
pub const MAX_FACTOR: f64 = 1e6;
/// Largest file, after decompression: 2 GiB.
pub const MAX_FILE_BYTES: u64 = 2 << 30;

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
    /// The line of the network file it was read from.
    pub line: usize,
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

/// A trip table file: its zone count (and the line that declares it) and its demands.
#[derive(Debug, Clone, PartialEq)]
pub struct TripTable {
    pub zones: usize,
    pub zones_line: usize,
    /// The demands that are not zero.
    pub trips: Vec<Trip>,
}

/// A solution flow of one link.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinkFlow {
    pub from: u32,
    pub to: u32,
    pub volume: f64,
    pub cost: Option<f64>,
    /// The line of the flow file it was read from.
    pub line: usize,
}

/// The text of a file's bytes: gzip data (by the name's `.gz` ending or the gzip magic
/// number) is decompressed; bytes that are not UTF-8 become U+FFFD, so that they are
/// reported where a number or keyword was expected.
pub fn decode(bytes: Vec<u8>, file: &str, gzip: bool) -> Result<String, TntpError> {
    let too_large = || TntpError::TooLarge {
        file: file.to_string(),
        max: MAX_FILE_BYTES,
    };
    let bytes = if gzip || bytes.starts_with(&[0x1f, 0x8b]) {
        let mut data = Vec::with_capacity(bytes.len().saturating_mul(4).min(256 << 20));
        flate2::read::GzDecoder::new(&bytes[..])
            .take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut data)
            .map_err(|source| TntpError::Io {
                file: file.to_string(),
                source,
            })?;
        data
    } else {
        bytes
    };
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large());
    }
    let mut text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    };
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    Ok(text)
}

/// Reads a file, decompressing it when it is gzip data.
pub fn read_text(path: &Path) -> Result<String, TntpError> {
    let file = path.display().to_string();
    let io = |source| TntpError::Io {
        file: file.clone(),
        source,
    };
    let size = std::fs::metadata(path).map_err(io)?.len();
    if size > MAX_FILE_BYTES {
        return Err(TntpError::TooLarge {
            file,
            max: MAX_FILE_BYTES,
        });
    }
    let bytes = std::fs::read(path).map_err(io)?;
    decode(bytes, &file, path.extension().is_some_and(|e| e == "gz"))
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

/// A network folder: its net, trips and (when present) best-known flows.
#[derive(Debug, Clone)]
pub struct Instance {
    pub net: Net,
    /// The name the network file was read by, for messages about its links.
    pub net_file: String,
    pub trips: Vec<Trip>,
    pub flows: Option<Vec<LinkFlow>>,
}

/// A file's text and the name to report it by.
pub type Named<'a> = (&'a str, &'a str);

impl Instance {
    /// Parses the files of an instance, each given as `(text, file name)`, and checks
    /// them against each other: the trip table's zones are the network's, and a flow
    /// file has one row per link, on the network's nodes.
    pub fn parse(net: Named, trips: Named, flow: Option<Named>) -> Result<Instance, TntpError> {
        let net_file = net.1;
        let net = parse_net(net.0, net.1)?;
        let table = parse_trips(trips.0, trips.1)?;
        if table.zones != net.zones {
            return Err(TntpError::Count {
                file: trips.1.to_string(),
                line: table.zones_line,
                what: "zones".into(),
                declared: table.zones.to_string(),
                found: format!("{} in its network {net_file}", net.zones),
            });
        }
        let flows = match flow {
            None => None,
            Some((text, file)) => {
                let flows = parse_flow(text, file)?;
                if let Some(f) = flows
                    .iter()
                    .find(|f| f.from as usize >= net.nodes || f.to as usize >= net.nodes)
                {
                    return Err(TntpError::Format {
                        file: file.to_string(),
                        line: f.line,
                        message: format!(
                            "link {} → {} names a node beyond the {} of {net_file}",
                            f.from + 1,
                            f.to + 1,
                            net.nodes
                        ),
                    });
                }
                if flows.len() != net.links.len() {
                    return Err(TntpError::Count {
                        file: file.to_string(),
                        line: flows.last().map_or(1, |f| f.line),
                        what: "link flows".into(),
                        declared: format!("{} links in {net_file}", net.links.len()),
                        found: format!("{} rows", flows.len()),
                    });
                }
                Some(flows)
            }
        };
        Ok(Instance {
            net,
            net_file: net_file.to_string(),
            trips: table.trips,
            flows,
        })
    }
}

/// Reads the `*_net`, `*_trips` and optional `*_flow` files of a folder.
pub fn read_dir(dir: &Path) -> Result<Instance, TntpError> {
    let net_path = find(dir, "_net")?;
    let trips_path = find(dir, "_trips")?;
    let flow_path = match find(dir, "_flow") {
        Ok(p) => Some(p),
        Err(TntpError::Missing { .. }) => None,
        Err(e) => return Err(e),
    };
    let (net_file, trips_file) = (
        net_path.display().to_string(),
        trips_path.display().to_string(),
    );
    let net = read_text(&net_path)?;
    let trips = read_text(&trips_path)?;
    let flow = match &flow_path {
        Some(p) => Some((read_text(p)?, p.display().to_string())),
        None => None,
    };
    Instance::parse(
        (&net, &net_file),
        (&trips, &trips_file),
        flow.as_ref().map(|(t, f)| (t.as_str(), f.as_str())),
    )
}

/// The instance as an assignment problem: BPR costs, fixed cost
/// `toll_factor · toll + distance_factor · length`, zones below the first through node
/// closed to through traffic; one class. The factors must be in [0, [`MAX_FACTOR`]].
pub fn to_problem(
    inst: &Instance,
    toll_factor: f64,
    distance_factor: f64,
) -> Result<karvan_assign::Problem, TntpError> {
    use karvan_assign::{Demand, Graph, Network, Problem, Vdf};
    for (name, value) in [
        ("the toll factor", toll_factor),
        ("the distance factor", distance_factor),
    ] {
        if !(value.is_finite() && (0.0..=MAX_FACTOR).contains(&value)) {
            return Err(TntpError::Setting {
                name,
                value,
                expected: format!("a number in [0, {MAX_FACTOR:e}]"),
            });
        }
    }
    let n = &inst.net;
    if let Some(l) = n
        .links
        .iter()
        .find(|l| l.from as usize >= n.nodes || l.to as usize >= n.nodes)
    {
        return Err(TntpError::Format {
            file: inst.net_file.clone(),
            line: l.line,
            message: format!(
                "link {} → {} beyond the {} nodes",
                l.from + 1,
                l.to + 1,
                n.nodes
            ),
        });
    }
    if let Some(t) = inst
        .trips
        .iter()
        .find(|t| t.origin as usize >= n.nodes || t.destination as usize >= n.nodes)
    {
        return Err(TntpError::Setting {
            name: "a trip's zone",
            value: t.origin.max(t.destination) as f64 + 1.0,
            expected: format!("a node of the network, 1..={}", n.nodes),
        });
    }
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
    Ok(Problem::single(network, fixed, demand))
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
                toll: 0.5,
                line: 8,
            }
        );
        let trips = parse_trips(TRIPS, "t").unwrap().trips;
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
        assert!(
            e.contains("t:5: demand 1 → 2 is `lots`; expected a number in [0, 1e12]"),
            "{e}"
        );
    }
}
