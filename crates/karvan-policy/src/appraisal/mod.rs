//! The appraisal of joint projects over a timeline, in the conventions of the
//! development banks' economic analysis.
//!
//! A *scheme* is what is built together (the western railway is two dataset projects);
//! a *case* is a set of schemes. The model is solved at a few years for every set of
//! schemes and for the sensitivity's variants (`solve`); the years between are
//! interpolated and each case's money is built by year and by country (`flows`):
//! shippers' benefit by the rule of a half (half to the origin's country, half to the
//! destination's), levies as transfers between countries, capital, running and renewal
//! costs, residual value. On that: the economic NPV, BCR, EIRR, payback; the financiers'
//! view (`finance`); whether the corridors complement or substitute each other; who
//! should pay (`share`); the tornado and the Monte Carlo (`risk`).

pub mod finance;
pub mod flows;
pub mod risk;
pub mod share;
pub mod solve;

use std::collections::{BTreeMap, BTreeSet};

use karvan_data::{Dataset, Problems, Scenario};
use karvan_model::RouteChoice;
use serde::Serialize;

use crate::appraise::{
    benefit_cost_ratio, first_positive_year, internal_rate_of_return, payback_year, present_value,
    Irr,
};
use flows::{CaseFlows, Context, Draw, GainTable, YearRow};
use solve::{RunKey, Snapshot, Variant};

/// Projects built together and appraised as one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scheme {
    pub id: String,
    pub projects: Vec<String>,
    /// The opening year, when not the latest of its projects' `opens_year`.
    pub opens: Option<i32>,
}

/// How the appraisal is run.
#[derive(Debug, Clone)]
pub struct Settings {
    pub schemes: Vec<Scheme>,
    /// The cases appraised (bit masks over the schemes); every other set of schemes is
    /// still solved, for the coalitions of the cost sharing.
    pub cases: Vec<usize>,
    /// Years the model is solved in.
    pub solved_years: Vec<i32>,
    /// First and last year appraised; money is discounted to `start`.
    pub start: i32,
    pub horizon: i32,
    pub discount_rate: f64,
    /// Rate of the financiers' view.
    pub financial_rate: f64,
    /// Demand growth, %/year, and the tornado's spread around it (percentage points).
    pub growth_percent: f64,
    pub growth_spread_points: f64,
    /// Levies' low and high multipliers.
    pub levies_low: f64,
    pub levies_high: f64,
    /// Discount rates of the tornado.
    pub rate_low: f64,
    pub rate_high: f64,
    /// The tornado's opening delay, and the Monte Carlo's longest.
    pub delay_years: i32,
    /// A crossing's chance of closing in a year at risk index 1, and for how long.
    pub closure_chance: f64,
    pub closure_days: f64,
    pub draws: usize,
    pub seed: u64,
    pub choice: RouteChoice,
}

/// What can stop an appraisal.
#[derive(Debug, thiserror::Error)]
pub enum AppraisalError {
    #[error("unknown project `{project}`; known: {}", known.join(", "))]
    UnknownProject { project: String, known: Vec<String> },
    #[error("project `{0}` has no row in project_costs.csv, so it cannot be appraised")]
    NoCost(String),
    #[error("no scheme to appraise: name one (the dataset's projects with costs: {0})")]
    NoSchemes(String),
    #[error(
        "at most {max} schemes can be appraised together (got {got}): every set of them is solved"
    )]
    TooManySchemes { got: usize, max: usize },
    #[error("{0}")]
    Settings(String),
    #[error(transparent)]
    Scenario(#[from] Problems),
    #[error("the appraisal was cancelled")]
    Cancelled,
}

/// Schemes appraised together at most: 2^6 sets of schemes are solved.
pub const MAX_SCHEMES: usize = 6;

/// The projects the dataset has costs for, in order: those that can be appraised.
pub fn costed_projects(ds: &Dataset) -> Vec<&str> {
    let mut costed: Vec<&str> = ds
        .project_costs
        .iter()
        .map(|c| c.project.as_str())
        .collect();
    costed.sort_unstable();
    costed
}

/// The default schemes of a dataset: the Trans-Afghan railway, the western railway
/// (Torghundi–Herat and Herat–Kandahar–Spin Boldak) and each crossing upgrade, where
/// the dataset has them with costs.
pub fn default_schemes(ds: &Dataset) -> Vec<Scheme> {
    let costed: BTreeSet<&str> = ds
        .project_costs
        .iter()
        .map(|c| c.project.as_str())
        .collect();
    let mut out = vec![];
    let mut add = |id: &str, projects: &[&str]| {
        if projects.iter().all(|p| costed.contains(p)) {
            out.push(Scheme {
                id: id.to_string(),
                projects: projects.iter().map(|p| p.to_string()).collect(),
                opens: None,
            });
        }
    };
    add("trans-afghan", &["trans-afghan-railway"]);
    add(
        "western",
        &["torghundi-herat-railway", "herat-kandahar-railway"],
    );
    let mut upgrades: Vec<&str> = ds.upgrades.iter().map(|u| u.project.as_str()).collect();
    upgrades.dedup();
    for u in upgrades {
        add(u, &[u]);
    }
    out
}

/// Demand growth when neither the user nor the scenario gives one, %/year: an estimate,
/// about 60% of the 5.0% GDP growth the Asian Development Bank projects for the
/// Caucasus and Central Asia in 2026 (ADO December 2025), held for thirty years over
/// which growth slows.
pub const DEFAULT_GROWTH_PERCENT: f64 = 3.0;

impl Settings {
    /// The defaults: every combination of `schemes` appraised over 2026–2055, the model
    /// solved in 2030, 2040 and 2055, discounted at the Asian Development Bank's 9%;
    /// growth ±2 points, levies ×0.5 and ×1.5, rates 6% and 12%, a 3-year delay in the
    /// tornado; the dataset's closure chance and length; 1,000 draws with seed 1.
    /// `scenario_growth` is the scenario's general demand growth (0: the default).
    pub fn defaults(
        ds: &Dataset,
        schemes: Vec<Scheme>,
        scenario_growth: f64,
        choice: RouteChoice,
    ) -> Settings {
        let n = schemes.len().min(MAX_SCHEMES);
        Settings {
            cases: (1..1usize << n).collect(),
            schemes,
            solved_years: vec![2030, 2040, 2055],
            start: 2026,
            horizon: 2055,
            discount_rate: 0.09,
            financial_rate: 0.09,
            growth_percent: if scenario_growth != 0.0 {
                scenario_growth
            } else {
                DEFAULT_GROWTH_PERCENT
            },
            growth_spread_points: 2.0,
            levies_low: 0.5,
            levies_high: 1.5,
            rate_low: 0.06,
            rate_high: 0.12,
            delay_years: 3,
            closure_chance: ds.manifest.parameter("closure_chance_per_year"),
            closure_days: ds.manifest.parameter("closure_days"),
            draws: 1000,
            seed: 1,
            choice,
        }
    }

    /// Checks what a user gave.
    pub fn check(&self) -> Result<(), AppraisalError> {
        let bad = |m: String| Err(AppraisalError::Settings(m));
        if self.schemes.len() > MAX_SCHEMES {
            return Err(AppraisalError::TooManySchemes {
                got: self.schemes.len(),
                max: MAX_SCHEMES,
            });
        }
        if self.horizon < self.start {
            return bad(format!(
                "the horizon {} is before the first year {}",
                self.horizon, self.start
            ));
        }
        if self.solved_years.is_empty() {
            return bad("solve the model in at least one year".into());
        }
        if let Some(y) = self
            .solved_years
            .iter()
            .find(|y| **y < self.start || **y > self.horizon)
        {
            return bad(format!(
                "solved year {y} is outside the appraised years {}–{}",
                self.start, self.horizon
            ));
        }
        let all = (1usize << self.schemes.len()) - 1;
        if let Some(c) = self.cases.iter().find(|c| **c == 0 || **c & !all != 0) {
            return bad(format!("case {c} names no scheme or an unknown one"));
        }
        Ok(())
    }

    /// Schemes in a case, by id, joined with `+`.
    pub fn case_name(&self, mask: usize) -> String {
        self.schemes
            .iter()
            .enumerate()
            .filter(|(i, _)| mask >> i & 1 == 1)
            .map(|(_, s)| s.id.as_str())
            .collect::<Vec<_>>()
            .join("+")
    }
}

/// One party's (country's or outside financier's) part of a case, in present values.
#[derive(Debug, Clone, Serialize)]
pub struct PartyResult {
    pub party: String,
    pub shippers_usd: f64,
    pub levies_usd: f64,
    /// Levies received less levies its shippers pay: the transfers (they sum to zero
    /// over the parties).
    pub transfers_usd: f64,
    pub market_usd: f64,
    pub benefit_usd: f64,
    pub cost_usd: f64,
    pub npv_usd: f64,
}

/// Tonnes whose routes use a scheme, in a solved year.
#[derive(Debug, Clone, Serialize)]
pub struct Traffic {
    pub scheme: String,
    pub year: i32,
    pub tonnes: f64,
}

/// A case appraised.
#[derive(Debug, Clone, Serialize)]
pub struct CaseResult {
    pub id: String,
    pub mask: usize,
    pub schemes: Vec<String>,
    pub years: Vec<YearRow>,
    pub npv_usd: f64,
    pub pv_benefits_usd: f64,
    pub pv_costs_usd: f64,
    pub bcr: Option<f64>,
    pub eirr: Irr,
    /// First year whose benefits exceed its costs (the residual value left out).
    pub first_positive_year: Option<i32>,
    /// The year the undiscounted net benefits have paid the costs back (the residual
    /// value left out).
    pub payback_year: Option<i32>,
    /// The capital cost at which the NPV would be zero (the NPV is linear in it); `None`
    /// when the benefits do not even pay the running costs.
    pub break_even_capex_usd: Option<f64>,
    pub parties: Vec<PartyResult>,
    pub financiers: Vec<finance::Financier>,
    pub traffic: Vec<Traffic>,
    pub tornado: Vec<risk::Bar>,
    pub monte_carlo: risk::NpvDistribution,
    pub sharing: Option<share::Sharing>,
}

/// Whether two corridors complement or substitute each other.
#[derive(Debug, Clone, Serialize)]
pub struct Interaction {
    pub a: String,
    pub b: String,
    /// PV of benefits of both built together, and of each alone.
    pub both_usd: f64,
    pub a_alone_usd: f64,
    pub b_alone_usd: f64,
    /// Both − (a alone + b alone): positive when they complement each other.
    pub interaction_usd: f64,
    /// Tonnes each takes from the other in the last solved year: its traffic alone less
    /// its traffic with the other built.
    pub year: i32,
    pub a_loses_tonnes: f64,
    pub b_loses_tonnes: f64,
}

/// The whole appraisal.
#[derive(Debug, Clone, Serialize)]
pub struct Appraisal {
    pub scenario: String,
    pub start: i32,
    pub horizon: i32,
    pub solved_years: Vec<i32>,
    pub discount_rate: f64,
    pub financial_rate: f64,
    pub growth_percent: f64,
    pub schemes: Vec<Scheme>,
    /// Opening year, capital cost (low, central, high) and hosts of each scheme.
    pub scheme_facts: Vec<SchemeFacts>,
    pub cases: Vec<CaseResult>,
    pub interactions: Vec<Interaction>,
    pub runs: usize,
    /// Demand rows routed in one run of a pair and not in the other (left out).
    pub unmatched_rows: usize,
}

/// What the dataset says about a scheme.
#[derive(Debug, Clone, Serialize)]
pub struct SchemeFacts {
    pub id: String,
    pub opens: i32,
    pub build_years: u32,
    pub capex_usd: [f64; 3],
    pub opex_usd_per_year: f64,
    pub hosts: Vec<String>,
    pub financing: Vec<(String, String, f64)>,
}

/// The runs the appraisal needs: every variant × every set of schemes × solved year.
pub fn run_keys(settings: &Settings) -> Vec<RunKey> {
    let sets = 1usize << settings.schemes.len();
    let mut keys = vec![];
    for v in Variant::ALL {
        for mask in 0..sets {
            for &y in &settings.solved_years {
                keys.push((v, mask, y));
            }
        }
    }
    keys
}

/// Appraises the settings' cases on `scenario` (resolved with what it extends).
/// `progress` is called after each model run; `stop` is asked before the runs.
pub fn appraise(
    ds: &Dataset,
    scenario: &Scenario,
    file: &str,
    settings: &Settings,
    progress: &(dyn Fn() + Sync),
    stop: &(dyn Fn() -> bool + Sync),
) -> Result<Appraisal, AppraisalError> {
    settings.check()?;
    if settings.schemes.is_empty() {
        return Err(AppraisalError::NoSchemes(costed_projects(ds).join(", ")));
    }
    let money = flows::scheme_money(ds, &settings.schemes, settings.closure_chance)?;
    let keys = run_keys(settings);
    let prepared = solve::prepare(ds, scenario, settings, file)?;
    if stop() {
        return Err(AppraisalError::Cancelled);
    }
    let snaps = solve::solve_all(
        ds, scenario, settings, &prepared, &keys, file, progress, stop,
    )
    .map_err(|h| match h {
        solve::Halt::Stopped => AppraisalError::Cancelled,
        solve::Halt::Problems(p) => AppraisalError::Scenario(p),
    })?;
    if stop() {
        return Err(AppraisalError::Cancelled);
    }
    Ok(evaluate(ds, scenario, settings, &money, &snaps))
}

/// Everything after the model runs.
fn evaluate(
    ds: &Dataset,
    scenario: &Scenario,
    settings: &Settings,
    money: &[flows::SchemeMoney],
    snaps: &BTreeMap<RunKey, Snapshot>,
) -> Appraisal {
    let gains = GainTable::new(snaps);
    let ctx = Context {
        settings,
        gains: &gains,
        money,
    };
    let draws: Vec<Draw> = (0..settings.draws as u64)
        .map(|k| risk::draw(&ctx, settings.seed, k))
        .collect();
    let countries: BTreeSet<&str> = ds.countries.iter().map(|c| c.iso3.as_str()).collect();
    let cases = settings
        .cases
        .iter()
        .map(|&mask| case(&ctx, mask, snaps, &draws, &countries))
        .collect();
    Appraisal {
        scenario: scenario.name.clone().unwrap_or_else(|| "baseline".into()),
        start: settings.start,
        horizon: settings.horizon,
        solved_years: settings.solved_years.clone(),
        discount_rate: settings.discount_rate,
        financial_rate: settings.financial_rate,
        growth_percent: settings.growth_percent,
        schemes: settings.schemes.clone(),
        scheme_facts: settings
            .schemes
            .iter()
            .zip(money)
            .map(|(s, m)| SchemeFacts {
                id: s.id.clone(),
                opens: m.opens,
                build_years: m.build_years,
                capex_usd: m.capex,
                opex_usd_per_year: m.opex_usd_per_year,
                hosts: m.hosts.clone(),
                financing: m
                    .financing
                    .iter()
                    .map(|f| {
                        (
                            f.financier.clone(),
                            f.instrument.as_str().to_string(),
                            f.share,
                        )
                    })
                    .collect(),
            })
            .collect(),
        cases,
        interactions: interactions(&ctx, snaps),
        runs: snaps.len(),
        unmatched_rows: gains.unmatched_rows,
    }
}

fn pv(ctx: &Context, f: impl Fn(&YearRow) -> f64, flows: &CaseFlows) -> f64 {
    let s: Vec<(i32, f64)> = flows.years.iter().map(|y| (y.year, f(y))).collect();
    present_value(&s, ctx.settings.discount_rate, ctx.settings.start)
}

fn case(
    ctx: &Context,
    mask: usize,
    snaps: &BTreeMap<RunKey, Snapshot>,
    draws: &[Draw],
    countries: &BTreeSet<&str>,
) -> CaseResult {
    let st = ctx.settings;
    let flows = ctx.flows(mask, &Draw::central());
    let net: Vec<(i32, f64)> = flows.years.iter().map(|y| (y.year, y.net())).collect();
    let benefits: Vec<(i32, f64)> = flows.years.iter().map(|y| (y.year, y.benefits())).collect();
    let costs: Vec<(i32, f64)> = flows.years.iter().map(|y| (y.year, y.costs())).collect();
    // Whether a year's benefits pass its costs, and payback, leave out the residual value
    // (a book value at the horizon, not a year's cash).
    let operating: Vec<(i32, f64)> = flows
        .years
        .iter()
        .map(|y| (y.year, y.net() - y.residual))
        .collect();
    let parties = party_results(ctx, &flows);
    let schemes: Vec<String> = (0..st.schemes.len())
        .filter(|i| mask >> i & 1 == 1)
        .map(|i| st.schemes[i].id.clone())
        .collect();
    let traffic = st
        .solved_years
        .iter()
        .flat_map(|&year| {
            (0..st.schemes.len())
                .filter(move |i| mask >> i & 1 == 1)
                .map(move |i| (year, i))
        })
        .map(|(year, i)| Traffic {
            scheme: st.schemes[i].id.clone(),
            year,
            tonnes: snaps
                .get(&(Variant::Central, mask, year))
                .map_or(0.0, |s| s.scheme_tonnes[i]),
        })
        .collect();
    CaseResult {
        id: st.case_name(mask),
        mask,
        schemes,
        npv_usd: pv(ctx, YearRow::net, &flows),
        pv_benefits_usd: pv(ctx, YearRow::benefits, &flows),
        pv_costs_usd: pv(ctx, YearRow::costs, &flows),
        bcr: benefit_cost_ratio(&benefits, &costs, st.discount_rate, st.start),
        eirr: internal_rate_of_return(&net),
        first_positive_year: first_positive_year(&operating),
        payback_year: payback_year(&operating),
        break_even_capex_usd: break_even_capex(ctx, mask),
        financiers: finance::financiers(ctx, mask, &flows),
        sharing: sharing(ctx, mask, &parties, countries),
        years: flows.years,
        parties,
        traffic,
        tornado: risk::tornado(ctx, mask),
        monte_carlo: risk::monte_carlo(ctx, mask, draws, st.seed),
    }
}

/// The capital cost at which the case's NPV is zero: the NPV is linear in a multiplier
/// on the capital cost (its residual value scales with it), so two NPVs give it.
fn break_even_capex(ctx: &Context, mask: usize) -> Option<f64> {
    let rate = ctx.settings.discount_rate;
    let at = |scale: f64| {
        let draw = Draw {
            capex_scale: scale,
            ..Draw::central()
        };
        risk::npv(ctx, mask, &draw, rate)
    };
    let (free, built) = (at(0.0), at(1.0));
    let central: f64 = (0..ctx.money.len())
        .filter(|i| mask >> i & 1 == 1)
        .map(|i| ctx.money[i].capex[1])
        .sum();
    (free > 0.0 && free > built).then(|| central * free / (free - built))
}

fn party_results(ctx: &Context, flows: &CaseFlows) -> Vec<PartyResult> {
    let st = ctx.settings;
    let mut out: Vec<PartyResult> = flows
        .parties
        .iter()
        .map(|(party, years)| {
            let series = |f: &dyn Fn(&flows::PartyYear) -> f64| -> f64 {
                let s: Vec<(i32, f64)> = years
                    .iter()
                    .enumerate()
                    .map(|(k, y)| (st.start + k as i32, f(y)))
                    .collect();
                present_value(&s, st.discount_rate, st.start)
            };
            let benefit = series(&|y| y.gain.benefit());
            let cost = series(&|y| y.cost);
            PartyResult {
                party: party.clone(),
                shippers_usd: series(&|y| y.gain.shippers),
                levies_usd: series(&|y| y.gain.levies),
                transfers_usd: series(&|y| y.gain.levies - y.gain.levies_paid),
                market_usd: series(&|y| y.gain.market),
                benefit_usd: benefit,
                cost_usd: cost,
                npv_usd: benefit - cost,
            }
        })
        .collect();
    out.sort_by(|a, b| b.npv_usd.total_cmp(&a.npv_usd));
    out
}

/// Present value of each country's benefit and of the whole cost, for a set of schemes.
fn part(ctx: &Context, mask: usize, players: &[String]) -> share::Part {
    let flows = ctx.flows(mask, &Draw::central());
    let parties = party_results(ctx, &flows);
    let hosts: BTreeSet<String> = (0..ctx.money.len())
        .filter(|i| mask >> i & 1 == 1)
        .flat_map(|i| ctx.money[i].hosts.clone())
        .collect();
    share::Part {
        mask,
        hosts: hosts.into_iter().collect(),
        benefit: players
            .iter()
            .map(|p| {
                parties
                    .iter()
                    .find(|r| &r.party == p)
                    .map_or(0.0, |r| r.benefit_usd)
            })
            .collect(),
        cost: pv(ctx, YearRow::costs, &flows),
    }
}

/// Players of a case's cost sharing: the countries its schemes lie in, then those with
/// at least 1% of the positive benefit, largest first, up to ten.
fn sharing(
    ctx: &Context,
    mask: usize,
    parties: &[PartyResult],
    countries: &BTreeSet<&str>,
) -> Option<share::Sharing> {
    const MAX_PLAYERS: usize = 10;
    let mut players: Vec<String> = (0..ctx.money.len())
        .filter(|i| mask >> i & 1 == 1)
        .flat_map(|i| ctx.money[i].hosts.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let positive: f64 = parties.iter().map(|p| p.benefit_usd.max(0.0)).sum();
    let mut gainers: Vec<&PartyResult> = parties
        .iter()
        .filter(|p| countries.contains(p.party.as_str()) && !players.contains(&p.party))
        .filter(|p| p.benefit_usd > 0.01 * positive)
        .collect();
    gainers.sort_by(|a, b| b.benefit_usd.total_cmp(&a.benefit_usd));
    for g in gainers {
        if players.len() < MAX_PLAYERS {
            players.push(g.party.clone());
        }
    }
    players.truncate(MAX_PLAYERS);
    let parts: Vec<share::Part> = (1..=mask)
        .filter(|m| m & !mask == 0)
        .map(|m| part(ctx, m, &players))
        .collect();
    share::sharing(&players, &parts, mask)
}

/// Complement or substitute: for every pair of schemes that are railways (not crossing
/// upgrades), the benefit of both against each alone, and the traffic each takes from
/// the other.
fn interactions(ctx: &Context, snaps: &BTreeMap<RunKey, Snapshot>) -> Vec<Interaction> {
    let st = ctx.settings;
    let Some(&year) = st.solved_years.iter().max() else {
        return vec![];
    };
    let n = st.schemes.len();
    let benefit = |mask: usize| pv(ctx, YearRow::benefits, &ctx.flows(mask, &Draw::central()));
    let tonnes = |mask: usize, i: usize| {
        snaps
            .get(&(Variant::Central, mask, year))
            .map_or(0.0, |s| s.scheme_tonnes[i])
    };
    let mut out = vec![];
    for a in 0..n {
        for b in a + 1..n {
            let (ma, mb) = (1 << a, 1 << b);
            let both = benefit(ma | mb);
            let (alone_a, alone_b) = (benefit(ma), benefit(mb));
            out.push(Interaction {
                a: st.schemes[a].id.clone(),
                b: st.schemes[b].id.clone(),
                both_usd: both,
                a_alone_usd: alone_a,
                b_alone_usd: alone_b,
                interaction_usd: both - alone_a - alone_b,
                year,
                a_loses_tonnes: tonnes(ma, a) - tonnes(ma | mb, a),
                b_loses_tonnes: tonnes(mb, b) - tonnes(ma | mb, b),
            });
        }
    }
    out
}
