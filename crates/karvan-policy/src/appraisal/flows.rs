//! Money by year and country for a case: what shippers save (the rule of a half over
//! each demand row), the levies each country gains or loses, and what the schemes cost,
//! with the years between solved years interpolated.

use std::collections::{BTreeMap, HashMap};

use karvan_data::{Dataset, Instrument};

use super::solve::{RunKey, Snapshot, Variant};
use super::{AppraisalError, Scheme, Settings};
#[cfg(doc)]
use crate::appraise::interpolate;
use crate::appraise::rule_of_a_half;

/// What a set of built schemes changes for one country in a year, USD.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Gain {
    /// Shippers' benefit (generalized cost, rule of a half), half to the origin's country
    /// and half to the destination's.
    pub shippers: f64,
    /// Levies the country receives, change.
    pub levies: f64,
    /// Levies its shippers pay (the same halves), change: with `levies`, the transfers.
    pub levies_paid: f64,
    /// Carriers' and terminals' takings in the country, change (at market rates, which
    /// pay for the resources they use: reported, not a benefit).
    pub market: f64,
}

impl Gain {
    /// This plus `w` times `o`.
    fn combined(mut self, o: &Gain, w: f64) -> Gain {
        self.add(o, w);
        self
    }

    fn add(&mut self, o: &Gain, w: f64) {
        self.shippers += w * o.shippers;
        self.levies += w * o.levies;
        self.levies_paid += w * o.levies_paid;
        self.market += w * o.market;
    }

    /// The economic benefit: shippers' benefit plus levies received (levies paid are in
    /// the shippers' generalized cost already).
    pub fn benefit(&self) -> f64 {
        self.shippers + self.levies
    }
}

/// Gains by country.
pub type Gains = BTreeMap<String, Gain>;

/// What building the schemes of `with` changes against `without`, by country.
pub fn gains(with: &Snapshot, without: &Snapshot) -> (Gains, usize) {
    let mut g = Gains::new();
    let mut unmatched = 0;
    let half = |g: &mut Gains, a: &str, b: &str, f: &dyn Fn(&mut Gain, f64), v: f64| {
        f(g.entry(a.to_string()).or_default(), v / 2.0);
        f(g.entry(b.to_string()).or_default(), v / 2.0);
    };
    for (row, w) in &with.rows {
        let Some(o) = without.rows.get(row) else {
            unmatched += 1;
            continue;
        };
        let roh = rule_of_a_half(o.tonnes, o.cost_usd_per_t, w.tonnes, w.cost_usd_per_t);
        let paid = w.tonnes * w.levies_usd_per_t.values().sum::<f64>()
            - o.tonnes * o.levies_usd_per_t.values().sum::<f64>();
        let (a, b) = (&w.origin_country, &w.destination_country);
        half(&mut g, a, b, &|x, v| x.shippers += v, roh);
        half(&mut g, a, b, &|x, v| x.levies_paid += v, paid);
    }
    unmatched += without
        .rows
        .keys()
        .filter(|r| !with.rows.contains_key(r))
        .count();
    for (c, v) in &with.levies {
        g.entry(c.clone()).or_default().levies += v - without.levies.get(c).unwrap_or(&0.0);
    }
    for (c, v) in &with.market {
        g.entry(c.clone()).or_default().market += v - without.market.get(c).unwrap_or(&0.0);
    }
    (g, unmatched)
}

/// Gains of every built set against none, by variant, set and solved year.
pub struct GainTable {
    by: HashMap<(Variant, usize), Vec<(i32, Gains)>>,
    /// The same summed over countries (what totals need, without the maps).
    totals: HashMap<(Variant, usize), Vec<(i32, Gain)>>,
    /// Demand rows routed in one run of a pair and not the other (left out of shippers'
    /// benefit).
    pub unmatched_rows: usize,
}

impl GainTable {
    pub fn new(snaps: &BTreeMap<RunKey, Snapshot>) -> GainTable {
        let mut by: HashMap<(Variant, usize), Vec<(i32, Gains)>> = HashMap::new();
        let mut unmatched_rows = 0;
        for (&(v, mask, year), snap) in snaps {
            if mask == 0 {
                continue;
            }
            if let Some(none) = snaps.get(&(v, 0, year)) {
                let (g, u) = gains(snap, none);
                unmatched_rows = unmatched_rows.max(u);
                by.entry((v, mask)).or_default().push((year, g));
            }
        }
        GainTable::with(by, unmatched_rows)
    }

    fn with(by: HashMap<(Variant, usize), Vec<(i32, Gains)>>, unmatched_rows: usize) -> GainTable {
        let totals = by
            .iter()
            .map(|(k, solved)| {
                let summed = solved
                    .iter()
                    .map(|(y, g)| {
                        (
                            *y,
                            g.values().fold(Gain::default(), |a, b| a.combined(b, 1.0)),
                        )
                    })
                    .collect();
                (*k, summed)
            })
            .collect();
        GainTable {
            by,
            totals,
            unmatched_rows,
        }
    }

    /// [`GainTable::mixed`] summed over countries.
    pub fn mixed_total(&self, mask: usize, year: i32, growth: f64, levies: f64) -> Gain {
        let at = |v: Variant| -> Gain {
            let Some(solved) = self.totals.get(&(v, mask)) else {
                return Gain::default();
            };
            match solved.iter().position(|(y, _)| *y >= year) {
                None => solved[solved.len() - 1].1,
                Some(0) => solved[0].1,
                Some(i) => {
                    let ((ya, a), (yb, b)) = (solved[i - 1], solved[i]);
                    let t = f64::from(year - ya) / f64::from(yb - ya);
                    Gain::default().combined(&a, 1.0 - t).combined(&b, t)
                }
            }
        };
        let central = at(Variant::Central);
        let mut out = central;
        let mut shift = |v: Variant, w: f64| {
            if w != 0.0 {
                out.add(&at(v), w);
                out.add(&central, -w);
            }
        };
        shift(
            if growth < 0.0 {
                Variant::GrowthLow
            } else {
                Variant::GrowthHigh
            },
            growth.abs(),
        );
        shift(
            if levies < 0.0 {
                Variant::LeviesLow
            } else {
                Variant::LeviesHigh
            },
            levies.abs(),
        );
        out
    }

    /// Gains of the built set `mask` in `year` in variant `v`: linear between solved
    /// years, held at the nearest outside them (as [`interpolate`]).
    fn at(&self, v: Variant, mask: usize, year: i32) -> Gains {
        let Some(solved) = self.by.get(&(v, mask)) else {
            return Gains::new();
        };
        // Solved years come in order (the runs are keyed by variant, set, then year).
        let after = solved.iter().position(|(y, _)| *y >= year);
        let (a, b, t) = match after {
            None => (solved.len() - 1, solved.len() - 1, 0.0),
            Some(0) => (0, 0, 0.0),
            Some(i) => {
                let (ya, yb) = (solved[i - 1].0, solved[i].0);
                (i - 1, i, f64::from(year - ya) / f64::from(yb - ya))
            }
        };
        let mut out = solved[a].1.clone();
        if t > 0.0 {
            for g in out.values_mut() {
                *g = Gain::default().combined(g, 1.0 - t);
            }
            for (c, g) in &solved[b].1 {
                out.entry(c.clone()).or_default().add(g, t);
            }
        }
        out
    }

    /// Gains at a point of the sensitivity: `growth` and `levies` run from −1 (the low
    /// variant) through 0 (central) to 1 (the high variant), linearly on each side.
    pub fn mixed(&self, mask: usize, year: i32, growth: f64, levies: f64) -> Gains {
        let mut out = self.at(Variant::Central, mask, year);
        let central = out.clone();
        let mut shift = |variant: Variant, w: f64| {
            if w == 0.0 {
                return;
            }
            for (c, g) in self.at(variant, mask, year) {
                let base = central.get(&c).copied().unwrap_or_default();
                let e = out.entry(c).or_default();
                e.add(&g, w);
                e.add(&base, -w);
            }
        };
        let (gv, gw) = if growth < 0.0 {
            (Variant::GrowthLow, -growth)
        } else {
            (Variant::GrowthHigh, growth)
        };
        shift(gv, gw);
        let (lv, lw) = if levies < 0.0 {
            (Variant::LeviesLow, -levies)
        } else {
            (Variant::LeviesHigh, levies)
        };
        shift(lv, lw);
        out
    }
}

/// One scheme's money: its projects' costs and who bears them.
#[derive(Debug, Clone)]
pub struct SchemeMoney {
    pub opens: i32,
    pub build_years: u32,
    /// Capital cost: low, central, high (USD).
    pub capex: [f64; 3],
    pub opex_usd_per_year: f64,
    /// Renewals: (USD, every so many years).
    pub renewals: Vec<(f64, u32)>,
    /// Capital cost-weighted service life, for the residual value.
    pub service_life_years: f64,
    /// Share of the capital cost each party bears in the end (a country, or an outside
    /// financier for its grants).
    pub capex_bearers: BTreeMap<String, f64>,
    /// Share of the operating cost each country bears (by length of line in it).
    pub opex_hosts: BTreeMap<String, f64>,
    /// Countries whose agreement the scheme needs (where its links and crossings lie).
    pub hosts: Vec<String>,
    /// Crossings of the scheme and their chance of closing in a year.
    pub closure_chances: Vec<f64>,
    /// Who finances the capital cost, as shares of the scheme's.
    pub financing: Vec<Funding>,
}

/// One financier's part of a scheme's capital cost.
#[derive(Debug, Clone, PartialEq)]
pub struct Funding {
    pub financier: String,
    pub instrument: Instrument,
    pub borrower: Option<String>,
    /// Share of the scheme's capital cost.
    pub share: f64,
    pub interest: f64,
    pub tenor_years: u32,
    pub grace_years: u32,
}

/// The money of each scheme, from the dataset's cost and financing tables.
pub fn scheme_money(
    ds: &Dataset,
    schemes: &[Scheme],
    closure_chance: f64,
) -> Result<Vec<SchemeMoney>, AppraisalError> {
    schemes
        .iter()
        .map(|s| one_scheme(ds, s, closure_chance))
        .collect()
}

fn one_scheme(ds: &Dataset, s: &Scheme, chance: f64) -> Result<SchemeMoney, AppraisalError> {
    let country = |node: &str| ds.node(node).map(|n| n.country.clone()).unwrap_or_default();
    let known = ds.project_ids();
    let mut capex = [0.0; 3];
    let (mut opex, mut life_weighted, mut opens, mut build) = (0.0, 0.0, i32::MIN, 1);
    let mut renewals = Vec::new();
    let mut bearers: BTreeMap<String, f64> = BTreeMap::new();
    let mut lengths: BTreeMap<String, f64> = BTreeMap::new();
    let mut hosts: Vec<String> = Vec::new();
    let mut chances = Vec::new();
    let mut funding: Vec<Funding> = Vec::new();
    let risk = node_risk(ds);
    let mut add_crossing =
        |id: &str, lengths: &mut BTreeMap<String, f64>, hosts: &mut Vec<String>| {
            if let Some(c) = ds.crossings.iter().find(|c| c.id == id) {
                for n in [&c.from, &c.to] {
                    hosts.push(country(n));
                    lengths.entry(country(n)).or_insert(0.0);
                }
                chances.push((chance * risk(&c.from).max(risk(&c.to))).clamp(0.0, 1.0));
            }
        };
    for p in &s.projects {
        if !known.contains(p.as_str()) {
            return Err(AppraisalError::UnknownProject {
                project: p.clone(),
                known: sorted(known.iter().map(|k| k.to_string())),
            });
        }
        let cost = ds
            .project_costs
            .iter()
            .find(|c| &c.project == p)
            .ok_or_else(|| AppraisalError::NoCost(p.clone()))?;
        // What is still to spend: the estimates less their sunk share.
        let unspent = if cost.capex_usd > 0.0 {
            1.0 - cost.spent_usd / cost.capex_usd
        } else {
            1.0
        };
        capex[0] += cost.capex_low_usd * unspent;
        capex[1] += cost.capex_usd * unspent;
        capex[2] += cost.capex_high_usd * unspent;
        opex += cost.opex_usd_per_year;
        life_weighted += cost.capex_usd * unspent * f64::from(cost.service_life_years);
        opens = opens.max(cost.opens_year);
        build = build.max(cost.build_years);
        renewals.extend(cost.renewal);
        let financing: Vec<_> = ds.financing.iter().filter(|f| &f.project == p).collect();
        let mut own_lengths: BTreeMap<String, f64> = BTreeMap::new();
        for l in ds.links.iter().filter(|l| l.project.as_ref() == Some(p)) {
            *own_lengths.entry(country(&l.from)).or_insert(0.0) += l.length_km;
            hosts.push(country(&l.from));
        }
        for c in ds
            .crossings
            .iter()
            .filter(|c| c.project.as_ref() == Some(p))
        {
            add_crossing(&c.id, &mut own_lengths, &mut hosts);
        }
        // An upgrade is one country's work at its side of the posts: the countries that
        // pay for it host it; without financing rows, both sides of each crossing.
        let payers: Vec<String> = financing
            .iter()
            .map(|f| f.bearer().to_string())
            .filter(|c| ds.countries.iter().any(|k| &k.iso3 == c))
            .collect();
        for u in ds.upgrades.iter().filter(|u| &u.project == p) {
            let mut sides = vec![];
            add_crossing(&u.crossing, &mut own_lengths, &mut sides);
            if payers.is_empty() {
                hosts.extend(sides);
            } else {
                own_lengths.retain(|c, _| payers.contains(c));
                for c in &payers {
                    own_lengths.entry(c.clone()).or_insert(0.0);
                }
                hosts.extend(payers.iter().cloned());
            }
        }
        let own_shares = shares(&own_lengths);
        if financing.is_empty() {
            for (c, sh) in &own_shares {
                *bearers.entry(c.clone()).or_insert(0.0) += sh * cost.capex_usd * unspent;
                funding.push(Funding {
                    financier: c.clone(),
                    instrument: Instrument::Equity,
                    borrower: None,
                    share: sh * cost.capex_usd * unspent,
                    interest: 0.0,
                    tenor_years: 1,
                    grace_years: 0,
                });
            }
        } else {
            for f in financing {
                funding.push(Funding {
                    financier: f.financier.clone(),
                    instrument: f.instrument,
                    borrower: f.borrower.clone(),
                    share: f.share * cost.capex_usd * unspent,
                    interest: f.interest_percent / 100.0,
                    tenor_years: f.tenor_years,
                    grace_years: f.grace_years,
                });
                let bearer = match f.instrument {
                    Instrument::Grant => f.financier.clone(),
                    _ => f.bearer().to_string(),
                };
                *bearers.entry(bearer).or_insert(0.0) += f.share * cost.capex_usd * unspent;
            }
        }
        for (c, km) in own_lengths {
            *lengths.entry(c).or_insert(0.0) += km;
        }
    }
    let service_life_years = if capex[1] > 0.0 {
        life_weighted / capex[1]
    } else {
        1.0
    };
    for f in &mut funding {
        f.share = if capex[1] > 0.0 {
            f.share / capex[1]
        } else {
            0.0
        };
    }
    hosts.sort();
    hosts.dedup();
    hosts.retain(|h| !h.is_empty());
    Ok(SchemeMoney {
        opens: s.opens.unwrap_or(opens),
        build_years: build,
        capex,
        opex_usd_per_year: opex,
        renewals,
        service_life_years,
        capex_bearers: shares(&bearers),
        opex_hosts: shares(&lengths),
        hosts,
        closure_chances: chances,
        financing: funding,
    })
}

fn sorted(v: impl Iterator<Item = String>) -> Vec<String> {
    let mut v: Vec<String> = v.collect();
    v.sort();
    v
}

/// Each key's share of the total; equal shares when the total is zero.
fn shares(by: &BTreeMap<String, f64>) -> BTreeMap<String, f64> {
    let total: f64 = by.values().sum();
    by.iter()
        .map(|(k, v)| {
            let s = if total > 0.0 {
                v / total
            } else {
                1.0 / by.len() as f64
            };
            (k.clone(), s)
        })
        .collect()
}

/// A node's risk index: its province's, else its country's (as the resilience analysis).
fn node_risk(ds: &Dataset) -> impl Fn(&str) -> f64 + '_ {
    move |id: &str| {
        ds.node(id).map_or(0.0, |n| {
            let of = |region: &str| ds.risk.iter().find(|r| r.region == region).map(|r| r.index);
            n.province
                .as_deref()
                .and_then(of)
                .or_else(|| of(&n.country))
                .unwrap_or(0.0)
        })
    }
}

/// One sensitivity point or Monte Carlo draw.
#[derive(Debug, Clone, PartialEq)]
pub struct Draw {
    /// −1 low, 0 central, 1 high demand growth.
    pub growth: f64,
    /// −1 low, 0 central, 1 high levies.
    pub levies: f64,
    /// −1 low, 0 central, 1 high capital cost (each scheme's range).
    pub capex: f64,
    /// Multiplier on the capital cost (1 as estimated; 0 for what the schemes are worth
    /// before it).
    pub capex_scale: f64,
    /// Years every scheme opens late (its construction slides with it).
    pub delay: i32,
    pub closures: Closures,
}

impl Draw {
    pub fn central() -> Draw {
        Draw {
            growth: 0.0,
            levies: 0.0,
            capex: 0.0,
            capex_scale: 1.0,
            delay: 0,
            closures: Closures::Expected(1.0),
        }
    }
}

/// How closures of the schemes' crossings take benefits away.
#[derive(Debug, Clone, PartialEq)]
pub enum Closures {
    /// The expected share of the year closed, at this multiple of the closure chance.
    Expected(f64),
    /// Share of each year (from the first appraised year) each scheme is closed.
    Sampled(Vec<Vec<f64>>),
}

/// One year of a case, USD.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct YearRow {
    pub year: i32,
    pub shippers: f64,
    pub levies: f64,
    pub market: f64,
    pub capex: f64,
    pub opex: f64,
    pub renewal: f64,
    /// Residual value at the horizon (a negative cost).
    pub residual: f64,
    /// Benefits lost to closures of the schemes' crossings.
    pub closure_loss: f64,
}

impl YearRow {
    pub fn benefits(&self) -> f64 {
        self.shippers + self.levies - self.closure_loss
    }

    pub fn costs(&self) -> f64 {
        self.capex + self.opex + self.renewal - self.residual
    }

    pub fn net(&self) -> f64 {
        self.benefits() - self.costs()
    }
}

/// One party's year: benefit and cost, USD.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PartyYear {
    pub gain: Gain,
    pub cost: f64,
}

/// A case's money by year, in total and by party (country or outside financier).
#[derive(Debug, Clone, Default)]
pub struct CaseFlows {
    pub years: Vec<YearRow>,
    pub parties: BTreeMap<String, Vec<PartyYear>>,
}

/// Everything a case's money is computed from.
pub struct Context<'a> {
    pub settings: &'a Settings,
    pub gains: &'a GainTable,
    pub money: &'a [SchemeMoney],
}

impl Context<'_> {
    fn capex(&self, s: &SchemeMoney, draw: &Draw) -> f64 {
        let pos = draw.capex;
        let usd = if pos < 0.0 {
            s.capex[1] + pos * (s.capex[1] - s.capex[0])
        } else {
            s.capex[1] + pos * (s.capex[2] - s.capex[1])
        };
        usd * draw.capex_scale
    }

    /// The money of the schemes in `mask` under `draw`, by year from the first appraised
    /// year to the horizon, in total and by party.
    pub fn flows(&self, mask: usize, draw: &Draw) -> CaseFlows {
        self.flows_by(mask, draw, true)
    }

    /// As [`Context::flows`], in total only (what the Monte Carlo needs).
    pub fn totals(&self, mask: usize, draw: &Draw) -> Vec<YearRow> {
        self.flows_by(mask, draw, false).years
    }

    fn flows_by(&self, mask: usize, draw: &Draw, by_party: bool) -> CaseFlows {
        let st = self.settings;
        let n_years = (st.horizon - st.start + 1).max(0) as usize;
        let mut out = CaseFlows {
            years: (st.start..=st.horizon)
                .map(|year| YearRow {
                    year,
                    ..YearRow::default()
                })
                .collect(),
            parties: BTreeMap::new(),
        };
        let schemes: Vec<usize> = (0..self.money.len())
            .filter(|i| mask >> i & 1 == 1)
            .collect();
        for &i in &schemes {
            self.add_costs(i, draw, &mut out, n_years);
        }
        for (k, year) in (st.start..=st.horizon).enumerate() {
            let open = schemes
                .iter()
                .filter(|&&i| self.money[i].opens + draw.delay <= year)
                .fold(0usize, |m, &i| m | 1 << i);
            if open == 0 {
                continue;
            }
            if !by_party {
                let (gain, lost) = self.open_total(open, year, k, draw);
                let row = &mut out.years[k];
                row.shippers += gain.shippers;
                row.levies += gain.levies;
                row.market += gain.market - lost.market;
                row.closure_loss += lost.benefit();
                continue;
            }
            let g = self.open_gains(open, year, k, draw);
            let row = &mut out.years[k];
            for (c, (gain, lost)) in g {
                row.shippers += gain.shippers;
                row.levies += gain.levies;
                row.market += gain.market - lost.market;
                row.closure_loss += lost.benefit();
                if by_party {
                    let p = &mut party(&mut out.parties, &c, n_years)[k];
                    p.gain.add(&gain, 1.0);
                    p.gain.add(&lost, -1.0);
                }
            }
        }
        out
    }

    /// Gains of the open schemes in year `k` by country, with what closures take away:
    /// while a scheme is closed the set loses that scheme's own contribution (the set's
    /// gains less those of the set without it), for its share of the year closed.
    fn open_gains(
        &self,
        open: usize,
        year: i32,
        k: usize,
        draw: &Draw,
    ) -> BTreeMap<String, (Gain, Gain)> {
        let full = self.gains.mixed(open, year, draw.growth, draw.levies);
        let mut out: BTreeMap<String, (Gain, Gain)> = full
            .iter()
            .map(|(c, g)| (c.clone(), (*g, Gain::default())))
            .collect();
        for i in (0..self.money.len()).filter(|i| open >> i & 1 == 1) {
            let closed = self.closed_share(i, k, draw);
            if closed <= 0.0 {
                continue;
            }
            let without = open & !(1 << i);
            let rest = if without == 0 {
                Gains::new()
            } else {
                self.gains.mixed(without, year, draw.growth, draw.levies)
            };
            for (c, (gain, lost)) in out.iter_mut() {
                let r = rest.get(c).copied().unwrap_or_default();
                lost.add(gain, closed);
                lost.add(&r, -closed);
            }
        }
        out
    }

    /// [`Context::open_gains`] summed over countries.
    fn open_total(&self, open: usize, year: i32, k: usize, draw: &Draw) -> (Gain, Gain) {
        let full = self.gains.mixed_total(open, year, draw.growth, draw.levies);
        let mut lost = Gain::default();
        for i in (0..self.money.len()).filter(|i| open >> i & 1 == 1) {
            let closed = self.closed_share(i, k, draw);
            if closed > 0.0 {
                let without = open & !(1 << i);
                let rest = self
                    .gains
                    .mixed_total(without, year, draw.growth, draw.levies);
                lost.add(&full, closed);
                lost.add(&rest, -closed);
            }
        }
        (full, lost)
    }

    /// Share of year `k` scheme `i` is closed.
    fn closed_share(&self, i: usize, k: usize, draw: &Draw) -> f64 {
        let days = self.settings.closure_days / 365.0;
        let closed = match &draw.closures {
            Closures::Expected(m) => self.money[i]
                .closure_chances
                .iter()
                .map(|p| (p * m).min(1.0) * days)
                .sum::<f64>(),
            Closures::Sampled(s) => s[i].get(k).copied().unwrap_or(0.0),
        };
        closed.clamp(0.0, 1.0)
    }

    /// Capital spending of scheme `i` by year under `draw`: evenly over the construction
    /// years before opening; what falls before the first appraised year is spent in it
    /// (the cost still to come).
    pub fn capex_schedule(&self, i: usize, draw: &Draw) -> Vec<(i32, f64)> {
        let s = &self.money[i];
        let opens = s.opens + draw.delay;
        let capex = self.capex(s, draw);
        let first = (opens - s.build_years as i32).max(self.settings.start);
        let last = (opens - 1).max(first);
        let n = f64::from(last - first + 1);
        (first..=last).map(|y| (y, capex / n)).collect()
    }

    fn add_costs(&self, i: usize, draw: &Draw, out: &mut CaseFlows, n_years: usize) {
        let st = self.settings;
        let s = &self.money[i];
        let opens = s.opens + draw.delay;
        let capex = self.capex(s, draw);
        let index = |year: i32| {
            usize::try_from(year - st.start)
                .ok()
                .filter(|&k| k < n_years)
        };
        let mut bill = |year: i32,
                        usd: f64,
                        kind: fn(&mut YearRow) -> &mut f64,
                        by: &BTreeMap<String, f64>| {
            if let Some(k) = index(year) {
                *kind(&mut out.years[k]) += usd;
                for (p, sh) in by {
                    party(&mut out.parties, p, n_years)[k].cost += sh * usd;
                }
            }
        };
        for (year, usd) in self.capex_schedule(i, draw) {
            bill(year, usd, |r| &mut r.capex, &s.capex_bearers);
        }
        for year in opens.max(st.start)..=st.horizon {
            bill(year, s.opex_usd_per_year, |r| &mut r.opex, &s.opex_hosts);
            for &(usd, every) in &s.renewals {
                let age = year - opens;
                if age > 0 && every > 0 && age % every as i32 == 0 {
                    bill(year, usd, |r| &mut r.renewal, &s.opex_hosts);
                }
            }
        }
        // Straight-line residual value of the capital cost at the horizon.
        let used = f64::from(st.horizon - opens + 1).max(0.0);
        let left = (1.0 - used / s.service_life_years).clamp(0.0, 1.0);
        if opens <= st.horizon && left > 0.0 {
            let residual = capex * left;
            if let Some(k) = index(st.horizon) {
                out.years[k].residual += residual;
                for (p, sh) in &s.capex_bearers {
                    party(&mut out.parties, p, n_years)[k].cost -= sh * residual;
                }
            }
        }
    }
}

fn party<'a>(
    parties: &'a mut BTreeMap<String, Vec<PartyYear>>,
    name: &str,
    n_years: usize,
) -> &'a mut Vec<PartyYear> {
    if !parties.contains_key(name) {
        parties.insert(name.to_string(), vec![PartyYear::default(); n_years]);
    }
    parties.get_mut(name).expect("inserted above")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gains(shippers: f64) -> Gains {
        [(
            "AAA".to_string(),
            Gain {
                shippers,
                ..Gain::default()
            },
        )]
        .into_iter()
        .collect()
    }

    #[test]
    fn gains_are_linear_between_solved_years_and_flat_outside() {
        let mut by = HashMap::new();
        by.insert(
            (Variant::Central, 1),
            vec![(2030, gains(10.0)), (2040, gains(30.0))],
        );
        by.insert(
            (Variant::GrowthHigh, 1),
            vec![(2030, gains(20.0)), (2040, gains(50.0))],
        );
        let t = GainTable::with(by, 0);
        let at = |year, growth| t.mixed(1, year, growth, 0.0)["AAA"].shippers;
        assert_eq!(at(2030, 0.0), 10.0);
        assert_eq!(at(2035, 0.0), 20.0);
        assert_eq!(at(2026, 0.0), 10.0);
        assert_eq!(at(2055, 0.0), 30.0);
        // Half way to the high-growth variant in 2035: 20 + (35 − 20) / 2.
        assert_eq!(at(2035, 0.5), 27.5);
        // The totals agree with the sum over countries.
        assert_eq!(t.mixed_total(1, 2035, 0.5, 0.0).shippers, 27.5);
        // A set never solved has no gains.
        assert!(t.mixed(2, 2035, 0.0, 0.0).is_empty());
    }
}
