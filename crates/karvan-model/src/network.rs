//! The expanded network: one layer per mode and gauge, so that a change of gauge or mode
//! is an arc of its own (a transfer) that is charged exactly once.
//!
//! Every node gets a *source* vertex (only out-arcs, into each of its layers) and a *sink*
//! vertex (only in-arcs), so a route may start and end anywhere but never passes through
//! a place by stepping out of one layer and into another for free.

use std::collections::{BTreeSet, HashMap};

use karvan_assign::{Graph, NO_GROUP};
use karvan_data::{Applied, Layer, Mode};

/// What an arc of the expanded network stands for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ArcKind {
    /// A dataset link, travelled from its `from` to its `to` when `forward`.
    Link { link: usize, forward: bool },
    /// A border crossing, travelled from its `from` to its `to` when `forward`.
    Crossing { crossing: usize, forward: bool },
    /// A transfer between two layers at a node.
    Transfer { transfer: usize },
    /// Cargo changing ship at a port: from the node's sea arrivals to its departures.
    Transship { node: usize },
    /// From a node's source vertex into one of its layers.
    Access { node: usize },
    /// From one of a node's layers to its sink vertex.
    Egress { node: usize },
}

/// The class-independent facts of one arc.
#[derive(Debug, Clone)]
pub struct Arc {
    pub kind: ArcKind,
    pub layer: Layer,
    /// Node index where the arc starts and ends (the same node for transfers).
    pub from_node: usize,
    pub to_node: usize,
    /// Country (index into the dataset's countries) whose tariffs and fees apply: the
    /// country of a link, the country entered by a crossing, the country of a transfer.
    /// `None` for sea legs, access and egress.
    pub country: Option<usize>,
    pub km: f64,
    pub hours: f64,
    /// What carriers charge per tonne (the market freight rate × km).
    pub freight_usd_per_t: f64,
    /// Handling cost per tonne of a transfer.
    pub transfer_usd_per_t: f64,
    /// Border fee per tonne of a crossing.
    pub fee_usd_per_t: f64,
    /// km × risk index / 1000: multiplied by cargo value and the insurance rate.
    pub risk_exposure: f64,
}

/// The expanded network of one applied scenario.
#[derive(Debug)]
pub struct Network {
    pub graph: Graph,
    pub arcs: Vec<Arc>,
    /// Source and sink vertex of each node (by node index).
    pub source: Vec<u32>,
    pub sink: Vec<u32>,
    /// Border-crossing *site* of each arc, or [`NO_GROUP`]: alternatives differ in the
    /// sites they cross. The rail and road crossings between the same two places are one
    /// site, so an alternative is another border, not the same border by another mode.
    pub crossing_group: Vec<u32>,
}

impl Network {
    pub fn build(applied: &Applied) -> Network {
        let ds = &applied.dataset;
        let params = &ds.manifest;
        let node_index = ds.node_index();
        let country_index = ds.country_index();
        let node_country: Vec<Option<usize>> = ds
            .nodes
            .iter()
            .map(|n| country_index.get(n.country.as_str()).copied())
            .collect();
        let risk = risk_by_node(applied);
        let rates = FreightRates::new(ds);

        // Layers present at each node, from what is open.
        let mut layers: Vec<BTreeSet<Layer>> = vec![BTreeSet::new(); ds.nodes.len()];
        for (i, l) in ds
            .links
            .iter()
            .enumerate()
            .filter(|(i, _)| applied.link_open[*i])
        {
            let _ = i;
            for n in [&l.from, &l.to] {
                layers[node_index[n.as_str()]].insert(l.layer());
            }
        }
        for (_, c) in ds
            .crossings
            .iter()
            .enumerate()
            .filter(|(i, _)| applied.crossing_open[*i])
        {
            for n in [&c.from, &c.to] {
                layers[node_index[n.as_str()]].insert(c.layer());
            }
        }
        let mut vertex: HashMap<(usize, Layer), u32> = HashMap::new();
        let mut next = 0u32;
        for (n, set) in layers.iter().enumerate() {
            for &l in set {
                vertex.insert((n, l), next);
                next += 1;
            }
        }
        // Ships arrive at a port's arrival vertex and leave from its sea vertex: going on
        // by sea means changing ship there (a transshipment arc), so passing through a hub
        // costs handling and time, and a sea leg never continues into another for free.
        let mut sea_arrival: HashMap<usize, u32> = HashMap::new();
        for (n, set) in layers.iter().enumerate() {
            if set.contains(&Layer::Sea) {
                sea_arrival.insert(n, next);
                next += 1;
            }
        }
        // The vertex where an arc entering `layer` at node `n` ends.
        let head = |n: usize, layer: Layer| match layer {
            Layer::Sea => sea_arrival[&n],
            _ => vertex[&(n, layer)],
        };
        let source: Vec<u32> = (0..ds.nodes.len() as u32).map(|i| next + 2 * i).collect();
        let sink: Vec<u32> = (0..ds.nodes.len() as u32)
            .map(|i| next + 2 * i + 1)
            .collect();
        let num_vertices = next as usize + 2 * ds.nodes.len();

        let mut ends: Vec<(u32, u32)> = Vec::new();
        let mut arcs: Vec<Arc> = Vec::new();
        let mut group: Vec<u32> = Vec::new();
        let mut push = |ends: &mut Vec<(u32, u32)>, arc: Arc, t: u32, h: u32, g: u32| {
            ends.push((t, h));
            arcs.push(arc);
            group.push(g);
        };

        for (i, l) in ds.links.iter().enumerate() {
            if !applied.link_open[i] {
                continue;
            }
            let (a, b) = (node_index[l.from.as_str()], node_index[l.to.as_str()]);
            let layer = l.layer();
            let speed = l.speed_kmh.unwrap_or_else(|| default_speed(params, l.mode));
            let country = if l.mode == Mode::Sea {
                None
            } else {
                node_country[a]
            };
            let exposure = if l.mode == Mode::Sea {
                0.0
            } else {
                l.length_km * risk[a].max(risk[b]) / 1000.0
            };
            for (forward, from, to) in [(true, a, b), (false, b, a)] {
                let arc = Arc {
                    kind: ArcKind::Link { link: i, forward },
                    layer,
                    from_node: from,
                    to_node: to,
                    country,
                    km: l.length_km,
                    hours: l.length_km / speed,
                    freight_usd_per_t: l.length_km * rates.per_tkm(params, layer, country),
                    transfer_usd_per_t: 0.0,
                    fee_usd_per_t: 0.0,
                    risk_exposure: exposure,
                };
                push(
                    &mut ends,
                    arc,
                    vertex[&(from, layer)],
                    head(to, layer),
                    NO_GROUP,
                );
            }
        }
        let mut sites: HashMap<(usize, usize), u32> = HashMap::new();
        for (i, c) in ds.crossings.iter().enumerate() {
            if !applied.crossing_open[i] {
                continue;
            }
            let (a, b) = (node_index[c.from.as_str()], node_index[c.to.as_str()]);
            let next_site = sites.len() as u32;
            let site = *sites.entry((a.min(b), a.max(b))).or_insert(next_site);
            let layer = c.layer();
            for (forward, from, to) in [(true, a, b), (false, b, a)] {
                let arc = Arc {
                    kind: ArcKind::Crossing {
                        crossing: i,
                        forward,
                    },
                    layer,
                    from_node: from,
                    to_node: to,
                    country: node_country[to],
                    km: c.length_km,
                    hours: c.dwell_hours
                        + params.parameter("risk_dwell_hours") * risk[a].max(risk[b])
                        + c.length_km / default_speed(params, c.mode),
                    freight_usd_per_t: c.length_km * rates.per_tkm(params, layer, node_country[to]),
                    transfer_usd_per_t: 0.0,
                    fee_usd_per_t: c.fee_usd_per_t,
                    risk_exposure: c.length_km * risk[a].max(risk[b]) / 1000.0,
                };
                push(
                    &mut ends,
                    arc,
                    vertex[&(from, layer)],
                    vertex[&(to, layer)],
                    site,
                );
            }
        }
        for (i, t) in ds.transfers.iter().enumerate() {
            let n = node_index[t.node.as_str()];
            let (Some(&va), Some(&vb)) = (vertex.get(&(n, t.from)), vertex.get(&(n, t.to))) else {
                continue; // one of the layers is closed or absent in this scenario
            };
            // Cargo leaves the sea from the arrival vertex (it came off a ship).
            let leaving = |layer: Layer, v: u32| match layer {
                Layer::Sea => sea_arrival[&n],
                _ => v,
            };
            for (la, x, y) in [
                (t.from, leaving(t.from, va), vb),
                (t.to, leaving(t.to, vb), va),
            ] {
                let arc = Arc {
                    kind: ArcKind::Transfer { transfer: i },
                    layer: la,
                    from_node: n,
                    to_node: n,
                    country: node_country[n],
                    km: 0.0,
                    hours: t.hours,
                    freight_usd_per_t: 0.0,
                    transfer_usd_per_t: t.usd_per_t,
                    fee_usd_per_t: 0.0,
                    risk_exposure: 0.0,
                };
                push(&mut ends, arc, x, y, NO_GROUP);
            }
        }
        for (n, set) in layers.iter().enumerate() {
            // At a port with land connections, cargo starts and ends on land, so it pays
            // the port's handling (a transfer); a sea-only node is a sea gateway.
            let has_land = set.iter().any(|&l| l != Layer::Sea);
            for &l in set {
                if l == Layer::Sea && has_land {
                    continue;
                }
                let v = vertex[&(n, l)];
                // Rail cargo is loaded where it starts and unloaded where it ends, then
                // taken to the door by truck: the railhead's terminal. Trucks go door to
                // door; a sea gateway stands for the ports beyond it.
                let (usd, hours) = match l {
                    Layer::Rail(_) => terminal(ds, params, &ds.nodes[n].id, l),
                    _ => (0.0, 0.0),
                };
                let zero = |kind| Arc {
                    kind,
                    layer: l,
                    from_node: n,
                    to_node: n,
                    country: if usd > 0.0 || hours > 0.0 {
                        node_country[n]
                    } else {
                        None
                    },
                    km: 0.0,
                    hours,
                    freight_usd_per_t: 0.0,
                    transfer_usd_per_t: usd,
                    fee_usd_per_t: 0.0,
                    risk_exposure: 0.0,
                };
                push(
                    &mut ends,
                    zero(ArcKind::Access { node: n }),
                    source[n],
                    v,
                    NO_GROUP,
                );
                push(
                    &mut ends,
                    zero(ArcKind::Egress { node: n }),
                    head(n, l),
                    sink[n],
                    NO_GROUP,
                );
            }
        }
        let mut ports: Vec<(usize, u32)> = sea_arrival.iter().map(|(&n, &v)| (n, v)).collect();
        ports.sort_unstable();
        for (n, arrival) in ports {
            let arc = Arc {
                kind: ArcKind::Transship { node: n },
                layer: Layer::Sea,
                from_node: n,
                to_node: n,
                country: node_country[n],
                km: 0.0,
                hours: params.parameter("sea_transshipment_hours"),
                freight_usd_per_t: 0.0,
                transfer_usd_per_t: params.parameter("sea_transshipment_usd_per_t"),
                fee_usd_per_t: 0.0,
                risk_exposure: 0.0,
            };
            push(&mut ends, arc, arrival, vertex[&(n, Layer::Sea)], NO_GROUP);
        }
        Network {
            graph: Graph::new(num_vertices, &ends),
            arcs,
            source,
            sink,
            crossing_group: group,
        }
    }
}

/// The cost and hours of loading or unloading rail cargo at `node` on `layer`: the node's
/// own rail↔road transfer where `transfers.csv` has one, else the dataset's default.
fn terminal(
    ds: &karvan_data::Dataset,
    m: &karvan_data::Manifest,
    node: &str,
    layer: Layer,
) -> (f64, f64) {
    ds.transfers
        .iter()
        .find(|t| {
            t.node == node
                && ((t.from == Layer::Road && t.to == layer)
                    || (t.to == Layer::Road && t.from == layer))
        })
        .map(|t| (t.usd_per_t, t.hours))
        .unwrap_or_else(|| {
            (
                m.parameter("rail_terminal_usd_per_t"),
                m.parameter("rail_terminal_hours"),
            )
        })
}

fn default_speed(m: &karvan_data::Manifest, mode: Mode) -> f64 {
    let v = match mode {
        Mode::Road => m.parameter("default_speed_road"),
        Mode::Rail => m.parameter("default_speed_rail"),
        Mode::Sea => m.parameter("default_speed_sea"),
    };
    if v > 0.0 {
        v
    } else {
        1.0
    }
}

/// Carriers' freight rates: a country's row of `freight_rates.csv`, else the layer's
/// `operating_cost_*` parameter.
struct FreightRates(HashMap<(usize, Mode), f64>);

impl FreightRates {
    fn new(ds: &karvan_data::Dataset) -> FreightRates {
        let country = ds.country_index();
        FreightRates(
            ds.freight_rates
                .iter()
                .filter_map(|r| Some(((*country.get(r.country.as_str())?, r.mode), r.usd_per_tkm)))
                .collect(),
        )
    }

    /// USD per tonne-kilometre on `layer` in `country` (`None`: a sea leg, or a link
    /// between two countries).
    fn per_tkm(&self, m: &karvan_data::Manifest, layer: Layer, country: Option<usize>) -> f64 {
        country
            .and_then(|c| self.0.get(&(c, layer.mode())))
            .copied()
            .unwrap_or_else(|| operating_cost(m, layer))
    }
}

fn operating_cost(m: &karvan_data::Manifest, layer: Layer) -> f64 {
    match layer {
        Layer::Road => m.parameter("operating_cost_road"),
        Layer::Sea => m.parameter("operating_cost_sea"),
        Layer::Rail(1435) => m.parameter("operating_cost_rail_1435"),
        Layer::Rail(1676) => m.parameter("operating_cost_rail_1676"),
        Layer::Rail(_) => m.parameter("operating_cost_rail_1520"),
    }
}

/// Each node's risk index: its province's when listed, else its country's, else 0.
fn risk_by_node(applied: &Applied) -> Vec<f64> {
    let ds = &applied.dataset;
    let by_region: HashMap<&str, f64> = ds
        .risk
        .iter()
        .map(|r| (r.region.as_str(), r.index))
        .collect();
    ds.nodes
        .iter()
        .map(|n| {
            n.province
                .as_deref()
                .and_then(|p| by_region.get(p))
                .or_else(|| by_region.get(n.country.as_str()))
                .copied()
                .unwrap_or(0.0)
        })
        .collect()
}
