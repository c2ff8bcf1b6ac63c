//! The figures a sweep keeps of each variant: named numbers, one set per analysis.

use anyhow::{anyhow, Result};
use karvan_data::scenario::{Applied, Scenario};
use karvan_data::sweep::AppraiseOptions;
use karvan_data::{limits, Dataset};
use karvan_model::{Model, RouteChoice, RunResults};
use karvan_policy::appraisal;

/// A variant's figures, by name, in a fixed order.
pub type Figures = Vec<(String, f64)>;

/// What one variant's analyses read: the dataset, the variant's scenario and the
/// options of its appraisal.
pub struct Inputs<'a> {
    pub dataset: &'a Dataset,
    pub scenario: &'a Scenario,
    pub label: &'a str,
    pub appraise: &'a AppraiseOptions,
}

/// Runs `analyses` on one variant and returns their figures.
pub fn figures(analyses: &[String], applied: Applied, inputs: &Inputs) -> Result<Figures> {
    let (scenario, label) = (inputs.scenario, inputs.label);
    let mut out = Figures::new();
    let model = Model::new(applied);
    let needs_run = analyses.iter().any(|a| a == "run");
    if needs_run {
        let choice = RouteChoice::from_settings(&model.applied.assignment);
        let r = karvan_model::run_checked(&model, choice)?;
        out.extend(run_figures(&r));
    }
    if analyses.iter().any(|a| a == "game") {
        let g = crate::game::solve(&model, &crate::game::Args::default(), true)?;
        out.push((
            "game.value_of_coordination_musd".into(),
            g.value_of_coordination / 1e6,
        ));
        for (player, payoff) in g.settings.players.iter().zip(&g.nash.payoffs) {
            out.push((format!("game.nash_payoff.{player}_musd"), payoff / 1e6));
        }
    }
    if analyses.iter().any(|a| a == "risk") {
        // The year with the variant's [[disruption]] entries against the same year
        // without them.
        let (base, year) = crate::resilience::scenario_year(&model.applied)?.ok_or_else(|| {
            anyhow!("{label}: `risk` needs [[disruption]] entries in the scenario, and it has none")
        })?;
        out.push((
            "risk.extra_cost_musd".into(),
            (year.cost_usd - base.cost_usd) / 1e6,
        ));
        out.push((
            "risk.lost_tonnes".into(),
            year.lost_tonnes - base.lost_tonnes,
        ));
        for (country, lost) in &year.lost_by_country {
            let before = base.lost_by_country.get(country).copied().unwrap_or(0.0);
            out.push((format!("risk.lost.{country}_tonnes"), lost - before));
        }
    }
    if analyses.iter().any(|a| a == "resilience") {
        let args = crate::resilience::Args {
            samples: 1000,
            seed: 1,
            closure_rate: None,
            closure_days: None,
        };
        let r = crate::resilience::solve(&model.applied, &args, true);
        let mc = &r.monte_carlo;
        out.push(("resilience.cost_mean_musd".into(), mc.cost_usd.mean / 1e6));
        out.push(("resilience.cost_p95_musd".into(), mc.cost_usd.p95 / 1e6));
        out.push(("resilience.lost_tonnes_mean".into(), mc.lost_tonnes.mean));
        for (country, d) in &mc.lost_by_country {
            out.push((format!("resilience.lost.{country}_tonnes_mean"), d.mean));
        }
    }
    if analyses.iter().any(|a| a == "power") {
        out.extend(power_figures(scenario, label)?);
    }
    if analyses.iter().any(|a| a == "appraise") {
        let choice = RouteChoice::from_settings(&model.applied.assignment);
        out.extend(appraise_figures(inputs, choice)?);
    }
    if let Some((name, _)) = out.iter().find(|(_, v)| !v.is_finite()) {
        return Err(anyhow!(
            "{label}: the figure `{name}` is not a finite number"
        ));
    }
    Ok(out)
}

/// A run's headline figures: tonnes, what shippers pay, each country's levies (policy)
/// apart from what carriers earn there (market), and each corridor's tonnes.
pub fn run_figures(r: &RunResults) -> Figures {
    let mut out = vec![
        ("run.routed_tonnes".to_string(), r.routed_tonnes),
        ("run.demand_tonnes".to_string(), r.demand_tonnes),
        (
            "run.shipper_cost_musd".to_string(),
            r.od.iter()
                .map(|o| o.tonnes * o.cost_usd_per_t)
                .sum::<f64>()
                / 1e6,
        ),
    ];
    for c in &r.revenue {
        let levies =
            c.transit_tariff_usd + c.transit_fees_usd + c.domestic_tariff_usd + c.domestic_fees_usd;
        out.push((format!("run.levies.{}_musd", c.country), levies / 1e6));
        out.push((
            format!("run.carriers.{}_musd", c.country),
            (c.carrier_freight_usd + c.handling_usd) / 1e6,
        ));
    }
    for c in &r.corridors {
        out.push((format!("run.corridor.{}_tonnes", c.corridor), c.tonnes));
    }
    out
}

/// The power grid's year under the variant's `[power]` table: imports, unserved energy
/// by island, and the islands' bill.
fn power_figures(scenario: &Scenario, label: &str) -> Result<Figures> {
    let grid = karvan_data::embedded::grid().map_err(|p| anyhow!("{p}"))?;
    let basin = karvan_data::embedded::basin().map_err(|p| anyhow!("{p}"))?;
    let s = karvan_power::year::Asked::from_scenario(scenario, label)?.solve(&grid, &basin)?;
    let mut out = vec![
        ("power.imports_gwh".to_string(), s.imports_gwh.iter().sum()),
        ("power.import_share".to_string(), s.import_share_year),
        (
            "power.unserved_gwh".to_string(),
            s.unserved_islands_gwh.iter().sum(),
        ),
        (
            "power.bill_musd".to_string(),
            s.importer_imports_musd + s.importer_own_generation_musd,
        ),
    ];
    for n in s.nodes.iter().filter(|n| n.kind == "island") {
        out.push((
            format!("power.unserved.{}_gwh", n.id),
            n.unserved_gwh.iter().sum(),
        ));
    }
    for i in &s.imports {
        out.push((format!("power.imports.{}_gwh", i.supplier), i.total_gwh));
    }
    Ok(out)
}

/// The appraisal of the variant's schemes: each case's economic NPV, BCR, EIRR and the
/// spread of its Monte Carlo, and each party's NPV.
fn appraise_figures(inputs: &Inputs, choice: RouteChoice) -> Result<Figures> {
    let o = inputs.appraise;
    let label = inputs.label;
    let mut args = crate::appraise::Args::defaults(label);
    let check = |limit: &limits::Limit, x: f64, what: &str| {
        limit
            .check(x)
            .map_err(|e| anyhow!("{label}: appraise.{what}: {e}"))
    };
    if !o.schemes.is_empty() {
        args.schemes = o.schemes.clone();
    }
    args.cases = o.cases.clone();
    args.opens = o.opens.clone();
    if let Some(years) = &o.years {
        args.years = years.clone();
    }
    args.from = o.from.unwrap_or(args.from);
    args.to = o.to.unwrap_or(args.to);
    if let Some(rate) = o.rate {
        args.rate = check(&limits::DISCOUNT_PERCENT, rate, "rate")?;
    }
    if let Some(rate) = o.financial_rate {
        args.financial_rate = Some(check(&limits::DISCOUNT_PERCENT, rate, "financial_rate")?);
    }
    if let Some(growth) = o.growth {
        args.growth = Some(check(&limits::GROWTH_PERCENT, growth, "growth")?);
    }
    if let Some(draws) = o.draws {
        args.draws = check(&limits::SAMPLES, draws as f64, "draws")? as usize;
    }
    args.seed = o.seed.unwrap_or(args.seed);
    let ds = inputs.dataset;
    let growth = inputs.scenario.demand.growth_percent_per_year;
    let settings = crate::appraise::settings(&args, ds, growth, choice)
        .map_err(|e| anyhow!("{label}: {e:#}"))?;
    let a = appraisal::appraise(ds, inputs.scenario, label, &settings, &|| {}, &|| false)
        .map_err(|e| anyhow!("{label}: {e}"))?;
    let mut out = Figures::new();
    for c in &a.cases {
        let id = &c.id;
        out.push((format!("appraise.npv.{id}_musd"), c.npv_usd / 1e6));
        if let Some(bcr) = c.bcr {
            out.push((format!("appraise.bcr.{id}"), bcr));
        }
        if let Some(eirr) = c.eirr.single() {
            out.push((format!("appraise.eirr.{id}_percent"), eirr * 100.0));
        }
        let mc = &c.monte_carlo;
        out.push((format!("appraise.npv_p10.{id}_musd"), mc.p10_usd / 1e6));
        out.push((format!("appraise.npv_p90.{id}_musd"), mc.p90_usd / 1e6));
        out.push((
            format!("appraise.probability_negative.{id}"),
            mc.probability_negative,
        ));
        for p in &c.parties {
            out.push((
                format!("appraise.npv.{id}.{}_musd", p.party),
                p.npv_usd / 1e6,
            ));
        }
    }
    Ok(out)
}

/// Whether `name` is kept by the patterns (`run.tonnes`, or a prefix ending in `*`);
/// no patterns keep everything.
pub fn kept(patterns: &[String], name: &str) -> bool {
    patterns.is_empty()
        || patterns.iter().any(|p| match p.strip_suffix('*') {
            Some(prefix) => name.starts_with(prefix),
            None => name == p,
        })
}
