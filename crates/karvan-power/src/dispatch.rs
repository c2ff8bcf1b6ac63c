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

/// Variables bounded by `[lower, upper]`, one per month.
fn monthly(
    vars: &mut ProblemVariables,
    lower: &[f64; MONTHS],
    upper: &[f64; MONTHS],
) -> [Variable; MONTHS] {
    std::array::from_fn(|m| vars.add(variable().min(lower[m]).max(upper[m])))
}

/// A reservoir's monthly release, spill and end-of-month storage, hm³.
struct StorageVars {
    release: [Variable; MONTHS],
    spill: [Variable; MONTHS],
    level: [Variable; MONTHS],
}

/// A reservoir's water balance month by month, its storage at the year's end, and its
/// plants making no more than its release allows.
#[allow(clippy::needless_range_loop)] // a month indexes five arrays at once
fn add_storage<M: SolverModel>(
    lp: &mut M,
    st: &crate::system::Storage,
    v: &StorageVars,
    generation: &[[Variable; MONTHS]],
) {
    for m in 0..MONTHS {
        let before = if m == 0 {
            Expression::from(st.initial_hm3)
        } else {
            Expression::from(v.level[m - 1])
        };
        let after = before + st.inflow_hm3[m] - v.release[m] - v.spill[m];
        lp.add_constraint(after.eq(v.level[m]));
        for (g, gwh_per_hm3) in &st.plants {
            let most = *gwh_per_hm3 * v.release[m];
            lp.add_constraint(Expression::from(generation[*g][m]).leq(most));
        }
    }
    lp.add_constraint(Expression::from(v.level[MONTHS - 1]).geq(st.final_hm3));
}

/// Solves the year: minimises what generation, contracts, fees and unserved demand cost,
/// subject to each node's energy balance in each month, capacities, and yearly volumes.
pub fn dispatch(system: &System) -> Result<Dispatch, DispatchError> {
    system.check()?;
    let mut vars = ProblemVariables::new();
    let generation: Vec<[Variable; MONTHS]> = system
        .generators
        .iter()
        .map(|g| monthly(&mut vars, &[0.0; MONTHS], &g.available_gwh))
        .collect();
    let flow: Vec<[Variable; MONTHS]> = system
        .lines
        .iter()
        .map(|l| monthly(&mut vars, &l.minimum_gwh, &l.capacity_gwh))
        .collect();
    let unserved: Vec<[Variable; MONTHS]> = system
        .nodes
        .iter()
        .map(|n| monthly(&mut vars, &[0.0; MONTHS], &n.demand_gwh))
        .collect();

    let storage: Vec<StorageVars> = system
        .storages
        .iter()
        .map(|st| StorageVars {
            release: std::array::from_fn(|_| vars.add(variable().min(0.0))),
            spill: std::array::from_fn(|_| vars.add(variable().min(0.0))),
            level: std::array::from_fn(|_| vars.add(variable().min(st.min_hm3).max(st.max_hm3))),
        })
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

    for (st, v) in system.storages.iter().zip(&storage) {
        add_storage(&mut lp, st, v, &generation);
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
            minimum_gwh: [0.0; MONTHS],
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
            storages: vec![],
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
    fn a_contract_floor_sends_power_the_seller_needs_itself() {
        // A has 20 MW of demand and 10 MW of plant, yet must send 5 MW to B: A leaves
        // 15 MW unserved.
        let mut s = two_nodes(0.0, 0.0);
        s.nodes[0] = node("a", 20.0);
        s.generators[0].available_gwh = std::array::from_fn(|m| gwh(10.0, m));
        s.lines[0].minimum_gwh = std::array::from_fn(|m| gwh(5.0, m));
        let d = dispatch(&s).expect("solves");
        for m in 0..MONTHS {
            assert!((d.flow[0][m] - gwh(5.0, m)).abs() < 1e-6);
            assert!((d.unserved[0][m] - gwh(15.0, m)).abs() < 1e-6);
        }
        assert!(d.largest_imbalance(&s) < 1e-6);
    }

    #[test]
    fn a_reservoir_keeps_summer_water_for_the_dear_winter() {
        // 1 GWh per hm³; 1,200 hm³ arrive, all in June; the plant (500 MW) serves a node
        // of 100 MW whose only other supply is a 300 USD/MWh plant. Released evenly,
        // the water meets every month's ≈ 73 GWh.
        let mut s = System {
            nodes: vec![node("a", 100.0)],
            generators: vec![
                generator("hydro", 0, 500.0, 1.0),
                generator("diesel", 0, 500.0, 300.0),
            ],
            lines: vec![],
            storages: vec![],
        };
        s.storages.push(crate::system::Storage {
            id: "r".into(),
            inflow_hm3: std::array::from_fn(|m| if m == 5 { 1200.0 } else { 0.0 }),
            initial_hm3: 600.0,
            final_hm3: 600.0,
            min_hm3: 0.0,
            max_hm3: 2000.0,
            plants: vec![(0, 1.0)],
        });
        let d = dispatch(&s).expect("solves");
        let hydro: f64 = d.generation[0].iter().sum();
        assert!((hydro - 876.0).abs() < 1e-3, "{hydro}");
        // The year's 1,200 hm³ make 1,200 GWh at most; the 876 GWh of demand come from
        // water alone, in every month, winter too: the 600 hm³ at the start carry
        // January to May.
        assert!(
            d.generation[1].iter().all(|g| *g < 1e-5),
            "{:?}",
            d.generation[1]
        );
        assert!(d.largest_imbalance(&s) < 1e-6);
        // A smaller start leaves the months before the June flood to diesel.
        s.storages[0].initial_hm3 = 0.0;
        s.storages[0].final_hm3 = 0.0;
        let d = dispatch(&s).expect("solves");
        let before_june: f64 = (0..5).map(|m| d.generation[1][m]).sum();
        assert!((before_june - (0..5).map(|m| gwh(100.0, m)).sum::<f64>()).abs() < 1e-4);
        assert!((5..12).all(|m| d.generation[1][m] < 1e-5));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]
        /// Any small system balances at every node and month, and leaves demand unserved
        /// only where its price has reached the shortage penalty.
        #[test]
        fn any_small_system_balances(
            demand in proptest::collection::vec(0.0..300.0f64, 3),
            plant in proptest::collection::vec((0.0..300.0f64, 1.0..200.0f64), 3),
            links in proptest::collection::vec((0.0..200.0f64, 0.0..0.2f64), 3),
        ) {
            let s = System {
                nodes: (0..3).map(|i| node(&format!("n{i}"), demand[i])).collect(),
                generators: (0..3)
                    .map(|i| generator(&format!("g{i}"), i, plant[i].0, plant[i].1))
                    .collect(),
                lines: (0..3)
                    .map(|i| {
                        let mut l = line(i, (i + 1) % 3, links[i].0, links[i].1);
                        l.id = format!("l{i}");
                        l
                    })
                    .collect(),
                storages: vec![],
            };
            let d = dispatch(&s).expect("solves");
            proptest::prop_assert!(d.largest_imbalance(&s) < 1e-6);
            for i in 0..3 {
                for m in 0..MONTHS {
                    if d.unserved[i][m] > 1e-3 {
                        proptest::prop_assert!((d.price[i][m] - 1000.0).abs() < 1e-2, "{:?}", d.price[i]);
                    }
                }
            }
        }
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
