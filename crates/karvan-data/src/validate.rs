//! Checks across tables: ids, references, country rules, gauge breaks, demand zones.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use crate::dataset::{Dataset, GEOMETRY};
use crate::problem::Problems;
use crate::types::{Direction, Layer, Mode};

/// Adds every cross-table problem of `ds` to `p`.
pub fn check(ds: &Dataset, p: &mut Problems) {
    let countries = unique(
        p,
        "countries.csv",
        "iso3",
        ds.countries.iter().map(|c| (c.iso3.as_str(), None)),
    );
    let nodes = unique(
        p,
        "nodes.csv",
        "id",
        ds.nodes.iter().map(|n| (n.id.as_str(), Some(n.line))),
    );
    let links = unique(
        p,
        "links.csv",
        "id",
        ds.links.iter().map(|l| (l.id.as_str(), Some(l.line))),
    );
    let crossings = unique(
        p,
        "crossings.csv",
        "id",
        ds.crossings.iter().map(|c| (c.id.as_str(), Some(c.line))),
    );
    let commodities = unique(
        p,
        "commodities.csv",
        "id",
        ds.commodities.iter().map(|c| (c.id.as_str(), None)),
    );
    unique(
        p,
        "corridors.csv",
        "id",
        ds.corridors.iter().map(|c| (c.id.as_str(), None)),
    );

    let country_of: HashMap<&str, &str> = ds
        .nodes
        .iter()
        .map(|n| (n.id.as_str(), n.country.as_str()))
        .collect();

    for n in &ds.nodes {
        known(
            p,
            "nodes.csv",
            n.line,
            "country",
            &n.country,
            &countries,
            "countries.csv",
        );
    }
    for l in &ds.links {
        let a = known(p, "links.csv", l.line, "from", &l.from, &nodes, "nodes.csv");
        let b = known(p, "links.csv", l.line, "to", &l.to, &nodes, "nodes.csv");
        if l.from == l.to {
            p.push(
                "links.csv",
                Some(l.line),
                Some("to"),
                "a link must join two different nodes",
            );
        } else if a
            && b
            && l.mode != Mode::Sea
            && country_of[l.from.as_str()] != country_of[l.to.as_str()]
        {
            p.push(
                "links.csv",
                Some(l.line),
                Some("to"),
                format!(
                    "joins {} ({}) and {} ({}): a {} link lies within one country; cross borders with crossings.csv",
                    l.from, country_of[l.from.as_str()], l.to, country_of[l.to.as_str()], l.mode
                ),
            );
        }
    }
    for c in &ds.crossings {
        let a = known(
            p,
            "crossings.csv",
            c.line,
            "from",
            &c.from,
            &nodes,
            "nodes.csv",
        );
        let b = known(p, "crossings.csv", c.line, "to", &c.to, &nodes, "nodes.csv");
        if a && b && country_of[c.from.as_str()] == country_of[c.to.as_str()] {
            p.push(
                "crossings.csv",
                Some(c.line),
                Some("to"),
                format!(
                    "{} and {} are both in {}: a crossing joins two countries",
                    c.from,
                    c.to,
                    country_of[c.from.as_str()]
                ),
            );
        }
    }
    for t in &ds.transfers {
        known(
            p,
            "transfers.csv",
            t.line,
            "node",
            &t.node,
            &nodes,
            "nodes.csv",
        );
    }
    for t in &ds.tariffs {
        known(
            p,
            "tariffs.csv",
            t.line,
            "country",
            &t.country,
            &countries,
            "countries.csv",
        );
        if t.commodity != "*" {
            known(
                p,
                "tariffs.csv",
                t.line,
                "commodity",
                &t.commodity,
                &commodities,
                "commodities.csv",
            );
        }
    }
    for r in &ds.freight_rates {
        known(
            p,
            "freight_rates.csv",
            r.line,
            "country",
            &r.country,
            &countries,
            "countries.csv",
        );
    }
    check_tariff_duplicates(ds, p);
    check_freight_rate_duplicates(ds, p);
    check_gauge_breaks(ds, p);
    check_demand(ds, p, &nodes, &commodities);

    let provinces: HashSet<&str> = ds
        .nodes
        .iter()
        .filter_map(|n| n.province.as_deref())
        .collect();
    for (i, r) in ds.risk.iter().enumerate() {
        if !countries.contains(r.region.as_str()) && !provinces.contains(r.region.as_str()) {
            p.push(
                "risk.csv",
                Some(i as u64 + 2),
                Some("region"),
                format!(
                    "`{}` is neither a country code nor a province used in nodes.csv",
                    r.region
                ),
            );
        }
    }
    for (i, c) in ds.corridors.iter().enumerate() {
        let line = i as u64 + 2;
        if c.crossings.is_empty() && c.links.is_empty() {
            p.push(
                "corridors.csv",
                Some(line),
                Some("crossings"),
                "names no crossing and no link",
            );
        }
        for x in &c.crossings {
            known(
                p,
                "corridors.csv",
                line,
                "crossings",
                x,
                &crossings,
                "crossings.csv",
            );
        }
        for x in &c.links {
            known(p, "corridors.csv", line, "links", x, &links, "links.csv");
        }
    }
    check_observations(ds, &links, &crossings, &countries, p);
    check_projects(ds, &crossings, &countries, p);
    let mut unknown_geometry: Vec<&String> = ds
        .geometry
        .keys()
        .filter(|k| !links.contains(k.as_str()))
        .collect();
    unknown_geometry.sort();
    for id in unknown_geometry {
        p.push(
            GEOMETRY,
            None,
            Some("properties.link"),
            format!("unknown link `{id}`"),
        );
    }
}

/// Upgrades name crossings; costs and financing name known projects, once each; a
/// project's financing shares sum to 1; borrowers are countries.
fn check_projects(
    ds: &Dataset,
    crossings: &HashSet<&str>,
    countries: &HashSet<&str>,
    p: &mut Problems,
) {
    for u in &ds.upgrades {
        known(
            p,
            "upgrades.csv",
            u.line,
            "crossing",
            &u.crossing,
            crossings,
            "crossings.csv",
        );
    }
    let projects = ds.project_ids();
    let project_list = || {
        let mut v: Vec<&str> = projects.iter().copied().collect();
        v.sort_unstable();
        v.join(", ")
    };
    let mut costed = HashSet::new();
    for c in &ds.project_costs {
        if !projects.contains(c.project.as_str()) {
            p.push(
                "project_costs.csv",
                Some(c.line),
                Some("project"),
                format!("unknown project `{}`; known: {}", c.project, project_list()),
            );
        }
        if !costed.insert(c.project.as_str()) {
            p.push(
                "project_costs.csv",
                Some(c.line),
                Some("project"),
                format!("a second row for project `{}`", c.project),
            );
        }
    }
    let mut shares: BTreeMap<&str, (f64, u64)> = BTreeMap::new();
    for f in &ds.financing {
        if !projects.contains(f.project.as_str()) {
            p.push(
                "project_financing.csv",
                Some(f.line),
                Some("project"),
                format!("unknown project `{}`; known: {}", f.project, project_list()),
            );
        }
        if let Some(b) = &f.borrower {
            known(
                p,
                "project_financing.csv",
                f.line,
                "borrower",
                b,
                countries,
                "countries.csv",
            );
        }
        let e = shares.entry(&f.project).or_insert((0.0, f.line));
        e.0 += f.share;
    }
    for (project, (sum, line)) in shares {
        if (sum - 1.0).abs() > 1e-6 {
            p.push(
                "project_financing.csv",
                Some(line),
                Some("share"),
                format!("the shares of project `{project}` sum to {sum:.4}, not 1"),
            );
        }
    }
}

/// Collects ids, reporting duplicates and empty ids.
/// Observations name links or crossings (or `missing:` ones), a country for a direction,
/// and unique ids.
fn check_observations(
    ds: &Dataset,
    links: &HashSet<&str>,
    crossings: &HashSet<&str>,
    countries: &HashSet<&str>,
    p: &mut Problems,
) {
    const FILE: &str = "observations.csv";
    unique(
        p,
        FILE,
        "id",
        ds.observations
            .iter()
            .map(|o| (o.id.as_str(), Some(o.line))),
    );
    for o in &ds.observations {
        for (column, ids) in [("elements", &o.elements), ("denominator", &o.denominator)] {
            for id in ids.iter().filter(|id| !id.starts_with("missing:")) {
                if !links.contains(id.as_str()) && !crossings.contains(id.as_str()) {
                    p.push(
                        FILE,
                        Some(o.line),
                        Some(column),
                        format!("`{id}` is neither a link nor a crossing (write `missing:{id}` for one not in the network)"),
                    );
                }
            }
        }
        if o.elements.is_empty() {
            p.push(FILE, Some(o.line), Some("elements"), "names no element");
        }
        if let Direction::Into(c) | Direction::OutOf(c) = &o.direction {
            if !countries.contains(c.as_str()) {
                p.push(
                    FILE,
                    Some(o.line),
                    Some("direction"),
                    format!("unknown country `{c}`"),
                );
            }
        }
    }
}

fn unique<'a>(
    p: &mut Problems,
    file: &str,
    column: &str,
    ids: impl Iterator<Item = (&'a str, Option<u64>)>,
) -> HashSet<&'a str> {
    let mut seen = HashSet::new();
    for (i, (id, line)) in ids.enumerate() {
        let line = line.or(Some(i as u64 + 2));
        if id.is_empty() {
            continue;
        }
        if !seen.insert(id) {
            p.push(file, line, Some(column), format!("duplicate id `{id}`"));
        }
    }
    seen
}

/// Whether `id` is in `set`; reports it when not.
fn known(
    p: &mut Problems,
    file: &str,
    line: u64,
    column: &str,
    id: &str,
    set: &HashSet<&str>,
    table: &str,
) -> bool {
    if id.is_empty() {
        return false;
    }
    if set.contains(id) {
        return true;
    }
    p.push(
        file,
        Some(line),
        Some(column),
        format!("unknown id `{id}` (not in {table})"),
    );
    false
}

fn check_tariff_duplicates(ds: &Dataset, p: &mut Problems) {
    let mut seen = HashSet::new();
    for t in &ds.tariffs {
        let key = (t.country.as_str(), t.mode, t.commodity.as_str(), t.kind);
        if !seen.insert(key) {
            p.push(
                "tariffs.csv",
                Some(t.line),
                None,
                format!(
                    "a second {} {} tariff for {} / {}",
                    t.country,
                    t.kind.as_str(),
                    t.mode,
                    t.commodity
                ),
            );
        }
    }
}

fn check_freight_rate_duplicates(ds: &Dataset, p: &mut Problems) {
    let mut seen = HashSet::new();
    for r in &ds.freight_rates {
        if !seen.insert((r.country.as_str(), r.mode)) {
            p.push(
                "freight_rates.csv",
                Some(r.line),
                None,
                format!("a second {} freight rate for {}", r.mode, r.country),
            );
        }
    }
}

/// Rail of different gauges meeting at a node needs a transfer between them there.
fn check_gauge_breaks(ds: &Dataset, p: &mut Problems) {
    let mut gauges: HashMap<&str, BTreeSet<(u16, &str, u64)>> = HashMap::new();
    for l in ds.links.iter().filter(|l| l.mode == Mode::Rail) {
        if let Some(g) = l.gauge_mm {
            for n in [&l.from, &l.to] {
                gauges
                    .entry(n)
                    .or_default()
                    .insert((g, "links.csv", l.line));
            }
        }
    }
    for c in ds.crossings.iter().filter(|c| c.mode == Mode::Rail) {
        if let Some(g) = c.gauge_mm {
            for n in [&c.from, &c.to] {
                gauges
                    .entry(n)
                    .or_default()
                    .insert((g, "crossings.csv", c.line));
            }
        }
    }
    let transfers: HashSet<(&str, Layer, Layer)> = ds
        .transfers
        .iter()
        .flat_map(|t| {
            [
                (t.node.as_str(), t.from, t.to),
                (t.node.as_str(), t.to, t.from),
            ]
        })
        .collect();
    let mut nodes: Vec<_> = gauges.into_iter().collect();
    nodes.sort();
    for (node, seen) in nodes {
        let distinct: BTreeSet<u16> = seen.iter().map(|s| s.0).collect();
        let distinct: Vec<u16> = distinct.into_iter().collect();
        for (i, &a) in distinct.iter().enumerate() {
            for &b in &distinct[i + 1..] {
                if !transfers.contains(&(node, Layer::Rail(a), Layer::Rail(b))) {
                    let (_, file, line) =
                        *seen.iter().find(|s| s.0 == b).expect("gauge b was seen");
                    p.push(
                        file,
                        Some(line),
                        Some("gauge_mm"),
                        format!(
                            "rail of {a} mm and {b} mm meet at `{node}` with no transfer between rail-{a} and rail-{b} there (add one to transfers.csv)"
                        ),
                    );
                }
            }
        }
    }
}

fn check_demand(
    ds: &Dataset,
    p: &mut Problems,
    nodes: &HashSet<&str>,
    commodities: &HashSet<&str>,
) {
    let zones: HashSet<&str> = ds
        .nodes
        .iter()
        .filter(|n| n.is_zone)
        .map(|n| n.id.as_str())
        .collect();
    for d in &ds.demand {
        for (column, id) in [("origin", &d.origin), ("destination", &d.destination)] {
            if known(p, "demand.csv", d.line, column, id, nodes, "nodes.csv")
                && !zones.contains(id.as_str())
            {
                p.push(
                    "demand.csv",
                    Some(d.line),
                    Some(column),
                    format!("`{id}` is not a zone (is_zone = false in nodes.csv)"),
                );
            }
        }
        known(
            p,
            "demand.csv",
            d.line,
            "commodity",
            &d.commodity,
            commodities,
            "commodities.csv",
        );
        if d.origin == d.destination {
            p.push(
                "demand.csv",
                Some(d.line),
                Some("destination"),
                "origin and destination are the same zone",
            );
        }
    }
}
