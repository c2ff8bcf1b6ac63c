//! A year's dispatch as one linear programme of twelve monthly energy balances, and its
//! dual values read back as nodal prices.

use good_lp::{
    clarabel, variable, DualValues, Expression, ProblemVariables, Solution, SolutionWithDual,
    SolverModel, Variable,
};

use crate::system::{System, SystemError};
use crate::MONTHS;

/// The cheapest way to meet the year's demand: what each generator made, each line sent
/// and each node left unserved, GWh by month, with each node's price by month.
#[derive(Debug, Clone, PartialEq)]
pub struct Dispatch {
    pub generation: Vec<[f64; MONTHS]>,
    /// Energy sent into each line (what arrives is `(1 − loss)` of it).
    pub flow: Vec<[f64; MONTHS]>,
    pub unserved: Vec<[f64; MONTHS]>,
    /// The dual value of each node's monthly balance: what one more MWh of demand there
    /// would cost, USD/MWh.
    pub price: Vec<[f64; MONTHS]>,
    /// The objective: generation, contract and fee payments and unserved penalties,
    /// thousand USD.
    pub cost_kusd: f64,
}

/// What can stop a dispatch.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DispatchError {
    #[error(transparent)]
    System(#[from] SystemError),
    #[error("the power dispatch could not be solved: {0}")]
    Solve(String),
    #[error("the power dispatch gave a value that is not a finite number ({0})")]
    NotFinite(&'static str),
}

/// Variables bounded by `[0, upper]`, one per month.
fn monthly(vars: &mut ProblemVariables, upper: &[f64; MONTHS]) -> [Variable; MONTHS] {
    std::array::from_fn(|m| vars.add(variable().min(0.0).max(upper[m])))
}

/// Solves the year: minimises what generation, contracts, fees and unserved demand cost,
/// subject to each node's energy balance in each month, capacities, and yearly volumes.
pub fn dispatch(system: &System) -> Result<Dispatch, DispatchError> {
    system.check()?;
    let mut vars = ProblemVariables::new();
    let generation: Vec<[Variable; MONTHS]> = system
        .generators
        .iter()
        .map(|g| monthly(&mut vars, &g.available_gwh))
        .collect();
    let flow: Vec<[Variable; MONTHS]> = system
        .lines
        .iter()
        .map(|l| monthly(&mut vars, &l.capacity_gwh))
        .collect();
    let unserved: Vec<[Variable; MONTHS]> = system
        .nodes
        .iter()
        .map(|n| monthly(&mut vars, &n.demand_gwh))
        .collect();

    // GWh × USD/MWh = thousand USD.
    let mut objective = Expression::default();
    for m in 0..MONTHS {
        for (g, v) in system.generators.iter().zip(&generation) {
            objective += g.cost_usd_mwh * v[m];
        }
        for (l, v) in system.lines.iter().zip(&flow) {
            objective += l.cost_usd_mwh() * v[m];
        }
        for (n, v) in system.nodes.iter().zip(&unserved) {
            objective += n.unserved_usd_mwh * v[m];
        }
    }
    let mut lp = vars.minimise(objective.clone()).using(clarabel);

    let mut balances = Vec::with_capacity(system.nodes.len());
    for (i, node) in system.nodes.iter().enumerate() {
        let refs: [_; MONTHS] = std::array::from_fn(|m| {
            let mut supply = Expression::from(unserved[i][m]);
            for (g, v) in system.generators.iter().zip(&generation) {
                if g.node == i {
                    supply += v[m];
                }
            }
            for (l, v) in system.lines.iter().zip(&flow) {
                if l.to == i {
                    supply += (1.0 - l.loss) * v[m];
                }
                if l.from == i {
                    supply -= v[m];
                }
            }
            lp.add_constraint(supply.eq(node.demand_gwh[m]))
        });
        balances.push(refs);
    }
    for (g, v) in system.generators.iter().zip(&generation) {
        if let Some(cap) = g.annual_gwh {
            let year: Expression = v.iter().copied().sum();
            lp.add_constraint(year.leq(cap));
        }
    }

    let mut solution = lp
        .solve()
        .map_err(|e| DispatchError::Solve(e.to_string()))?;
    let read = |vs: &[[Variable; MONTHS]], s: &dyn Solution| -> Vec<[f64; MONTHS]> {
        vs.iter()
            .map(|v| std::array::from_fn(|m| s.value(v[m]).max(0.0)))
            .collect()
    };
    let generation_gwh = read(&generation, &solution);
    let flow_gwh = read(&flow, &solution);
    let unserved_gwh = read(&unserved, &solution);
    let cost_kusd = solution.eval(&objective);
    let duals = solution.compute_dual();
    let price = balances
        .iter()
        .map(|refs| std::array::from_fn(|m| duals.dual(refs[m].clone())))
        .collect();
    let out = Dispatch {
        generation: generation_gwh,
        flow: flow_gwh,
        unserved: unserved_gwh,
        price,
        cost_kusd,
    };
    out.check_finite()?;
    Ok(out)
}

impl Dispatch {
    fn check_finite(&self) -> Result<(), DispatchError> {
        let all = |rows: &[[f64; MONTHS]]| rows.iter().flatten().all(|v| v.is_finite());
        for (name, rows) in [
            ("generation", &self.generation),
            ("flow", &self.flow),
            ("unserved", &self.unserved),
            ("price", &self.price),
        ] {
            if !all(rows) {
                return Err(DispatchError::NotFinite(name));
            }
        }
        if !self.cost_kusd.is_finite() {
            return Err(DispatchError::NotFinite("cost"));
        }
        Ok(())
    }

    /// Energy arriving at the far end of line `l` in month `m`, GWh.
    pub fn received(&self, system: &System, l: usize, m: usize) -> f64 {
        self.flow[l][m] * (1.0 - system.lines[l].loss)
    }

    /// What line `l` earns in month `m` between the prices at its ends beyond its
    /// price and fee: flow × ((1 − loss) × price at the receiving end − price at the
    /// sending end − price − fee), thousand USD. Zero unless the line is full.
    pub fn congestion_rent_kusd(&self, system: &System, l: usize, m: usize) -> f64 {
        let line = &system.lines[l];
        let spread = (1.0 - line.loss) * self.price[line.to][m]
            - self.price[line.from][m]
            - line.cost_usd_mwh();
        self.flow[l][m] * spread
    }

    /// The largest gap between supply and demand at any node and month, GWh: supply is
    /// generation, what lines bring in, less what they take out, plus what is unserved.
    pub fn largest_imbalance(&self, system: &System) -> f64 {
        let mut worst: f64 = 0.0;
        for (i, node) in system.nodes.iter().enumerate() {
            for m in 0..MONTHS {
                let mut net = self.unserved[i][m] - node.demand_gwh[m];
                for (g, gen) in system.generators.iter().enumerate() {
                    if gen.node == i {
                        net += self.generation[g][m];
                    }
                }
                for (l, line) in system.lines.iter().enumerate() {
                    if line.to == i {
                        net += self.received(system, l, m);
                    }
                    if line.from == i {
                        net -= self.flow[l][m];
                    }
                }
                worst = worst.max(net.abs());
            }
        }
        worst
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::system::{Generator, Line, Node};
    use crate::{gwh, hours};

    fn node(id: &str, mw: f64) -> Node {
        Node {
            id: id.into(),
            demand_gwh: std::array::from_fn(|m| gwh(mw, m)),
            unserved_usd_mwh: 1000.0,
        }
    }

    fn generator(id: &str, node: usize, mw: f64, cost: f64) -> Generator {
        Generator {
            id: id.into(),
            node,
            available_gwh: std::array::from_fn(|m| gwh(mw, m)),
            cost_usd_mwh: cost,
            annual_gwh: None,
        }
    }

    fn line(from: usize, to: usize, mw: f64, loss: f64) -> Line {
        Line {
            id: "ab".into(),
            from,
            to,
            capacity_gwh: std::array::from_fn(|m| gwh(mw, m)),
            loss,
            price_usd_mwh: 0.0,
            fee_usd_mwh: 0.0,
        }
    }

    /// A cheap node A (10 USD/MWh, 500 MW) feeding a dear node B (50 USD/MWh, 1,000 MW,
    /// 200 MW of demand) over a 60 MW line: the line is full, A's price is 10 and B's 50,
    /// and the congestion rent is 60 MW × 40 USD/MWh × the month's hours.
    fn two_nodes(loss: f64, price: f64) -> System {
        let mut l = line(0, 1, 60.0, loss);
        l.price_usd_mwh = price;
        System {
            nodes: vec![node("a", 0.0), node("b", 200.0)],
            generators: vec![
                generator("ga", 0, 500.0, 10.0),
                generator("gb", 1, 1000.0, 50.0),
            ],
            lines: vec![l],
        }
    }

    #[test]
    fn a_full_line_separates_the_prices_by_its_congestion_rent() {
        let s = two_nodes(0.0, 0.0);
        let d = dispatch(&s).expect("solves");
        for m in 0..MONTHS {
            assert!(
                (d.flow[0][m] - gwh(60.0, m)).abs() < 1e-6,
                "{:?}",
                d.flow[0]
            );
            assert!((d.price[0][m] - 10.0).abs() < 1e-4, "{:?}", d.price[0]);
            assert!((d.price[1][m] - 50.0).abs() < 1e-4, "{:?}", d.price[1]);
            // By hand: 60 MW × hours × (50 − 10) USD/MWh, in thousand USD.
            let by_hand = 60.0 * hours(m) * 40.0 / 1000.0;
            let rent = d.congestion_rent_kusd(&s, 0, m);
            assert!(
                (rent - by_hand).abs() < 1e-3 * by_hand,
                "{rent} vs {by_hand}"
            );
            // The price difference times the flow is the rent.
            let spread = d.price[1][m] - d.price[0][m];
            assert!((spread * d.flow[0][m] - rent).abs() < 1e-3 * by_hand);
        }
        assert!(d.largest_imbalance(&s) < 1e-6);
        assert!(d.unserved.iter().flatten().all(|u| *u < 1e-6));
    }

    #[test]
    fn losses_and_a_contract_price_narrow_the_rent() {
        let s = two_nodes(0.1, 5.0);
        let d = dispatch(&s).expect("solves");
        let m = 0;
        // Still full: 0.9 × 50 − 10 − 5 = 30 USD/MWh a MWh sent.
        assert!((d.flow[0][m] - gwh(60.0, m)).abs() < 1e-6);
        let by_hand = gwh(60.0, m) * (0.9 * 50.0 - 10.0 - 5.0);
        let rent = d.congestion_rent_kusd(&s, 0, m);
        assert!(
            (rent - by_hand).abs() < 1e-3 * by_hand,
            "{rent} vs {by_hand}"
        );
        // B makes what the line does not bring: 200 − 0.9 × 60 = 146 MW.
        assert!((d.generation[1][m] - gwh(146.0, m)).abs() < 1e-6);
    }

    #[test]
    fn an_open_line_gives_one_price() {
        let mut s = two_nodes(0.0, 0.0);
        s.lines[0].capacity_gwh = std::array::from_fn(|m| gwh(1000.0, m));
        let d = dispatch(&s).expect("solves");
        for m in 0..MONTHS {
            assert!((d.price[0][m] - 10.0).abs() < 1e-4);
            assert!((d.price[1][m] - 10.0).abs() < 1e-4);
            assert!(d.congestion_rent_kusd(&s, 0, m).abs() < 1e-3);
        }
    }

    #[test]
    fn demand_goes_unserved_only_when_supply_and_lines_are_exhausted() {
        // B has no plant: 60 MW come over the line, 140 MW go unserved at B's penalty.
        let mut s = two_nodes(0.0, 0.0);
        s.generators.pop();
        let d = dispatch(&s).expect("solves");
        for m in 0..MONTHS {
            assert!((d.unserved[1][m] - gwh(140.0, m)).abs() < 1e-6);
            assert!((d.price[1][m] - 1000.0).abs() < 1e-3);
        }
        // With a line big enough, nothing is unserved.
        s.lines[0].capacity_gwh = std::array::from_fn(|m| gwh(400.0, m));
        let d = dispatch(&s).expect("solves");
        assert!(d.unserved.iter().flatten().all(|u| *u < 1e-6));
    }

    #[test]
    fn a_yearly_volume_moves_supply_to_the_dear_months() {
        // A contract of 100 GWh a year from A, with B's own plant dearer in winter: the
        // contract's energy goes where B would pay most.
        let mut s = two_nodes(0.0, 0.0);
        s.lines[0].capacity_gwh = std::array::from_fn(|m| gwh(1000.0, m));
        s.generators[0].annual_gwh = Some(100.0);
        s.generators[1].available_gwh = std::array::from_fn(|m| {
            if m == 0 {
                gwh(150.0, m)
            } else {
                gwh(1000.0, m)
            }
        });
        let d = dispatch(&s).expect("solves");
        let year: f64 = d.generation[0].iter().sum();
        assert!((year - 100.0).abs() < 1e-5, "{year}");
        // January needs 50 MW from A (37.2 GWh) to avoid unserved energy.
        assert!(d.generation[0][0] >= gwh(50.0, 0) - 1e-6);
        assert!(d.unserved.iter().flatten().all(|u| *u < 1e-6));
    }

    #[test]
    fn bad_numbers_are_refused() {
        let mut s = two_nodes(0.0, 0.0);
        s.lines[0].loss = 0.9;
        assert!(matches!(dispatch(&s), Err(DispatchError::System(_))));
        let mut s = two_nodes(0.0, 0.0);
        s.generators[0].cost_usd_mwh = f64::NAN;
        assert!(matches!(dispatch(&s), Err(DispatchError::System(_))));
    }
}
