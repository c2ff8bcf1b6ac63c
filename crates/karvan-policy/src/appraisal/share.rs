//! Who should pay: the countries that gain share the cost of a joint case in proportion
//! to their benefit, or by the Shapley value of the coalition game in which a coalition
//! may build any part of the case whose countries all belong to it; each proposal is
//! checked against the core (no coalition does better building alone).

use serde::Serialize;

use crate::game::{core_is_empty, shapley};

/// The present values of one buildable part of a case.
#[derive(Debug, Clone)]
pub struct Part {
    /// The schemes built (a bit per scheme).
    pub mask: usize,
    /// Countries whose agreement it needs.
    pub hosts: Vec<String>,
    /// Present value of each player's benefit, in player order.
    pub benefit: Vec<f64>,
    /// Present value of its whole cost.
    pub cost: f64,
}

/// One country's part of a cost-sharing proposal, in present values (USD).
#[derive(Debug, Clone, Serialize)]
pub struct PlayerShare {
    pub country: String,
    pub benefit_usd: f64,
    /// Pays in proportion to its benefit.
    pub proportional_payment_usd: f64,
    pub proportional_net_usd: f64,
    /// Its Shapley value of the joint net benefit, and what it pays for it.
    pub shapley_net_usd: f64,
    pub shapley_payment_usd: f64,
}

/// A coalition that would do better alone than a proposal gives it.
#[derive(Debug, Clone, Serialize)]
pub struct Blocking {
    pub coalition: Vec<String>,
    /// Its value alone less what the proposal gives its members (USD).
    pub shortfall_usd: f64,
}

/// The cost-sharing analysis of a case.
#[derive(Debug, Clone, Serialize)]
pub struct Sharing {
    pub players: Vec<PlayerShare>,
    /// The best the grand coalition can do with the case's schemes (building all of
    /// them, a part, or nothing), and what building all of them gives the players.
    pub grand_value_usd: f64,
    pub whole_case_value_usd: f64,
    pub core_empty: bool,
    /// The coalition that most blocks each proposal, if any does.
    pub proportional_blocked_by: Option<Blocking>,
    pub shapley_blocked_by: Option<Blocking>,
}

/// Coalition values: a coalition builds the part of the case that is best for its own
/// members among those it can build alone (all host countries in it), paying all of
/// its cost; or nothing (value 0).
pub fn coalition_values(players: &[String], parts: &[Part]) -> Vec<f64> {
    let n = players.len();
    (0..1usize << n)
        .map(|s| {
            let members = |c: &String| {
                players
                    .iter()
                    .position(|p| p == c)
                    .is_some_and(|i| s >> i & 1 == 1)
            };
            parts
                .iter()
                .filter(|p| p.hosts.iter().all(members))
                .map(|p| {
                    (0..n)
                        .filter(|i| s >> i & 1 == 1)
                        .map(|i| p.benefit[i])
                        .sum::<f64>()
                        - p.cost
                })
                .fold(0.0, f64::max)
        })
        .collect()
}

/// Proposals for sharing the cost of building the whole case (`parts` includes it, with
/// `mask` equal to the case's).
pub fn sharing(players: &[String], parts: &[Part], case_mask: usize) -> Option<Sharing> {
    let whole = parts.iter().find(|p| p.mask == case_mask)?;
    let n = players.len();
    let v = coalition_values(players, parts);
    let phi = shapley(&v, n);
    let positive: f64 = whole.benefit.iter().map(|b| b.max(0.0)).sum();
    let proportional: Vec<f64> = whole
        .benefit
        .iter()
        .map(|b| {
            if positive > 0.0 {
                whole.cost * b.max(0.0) / positive
            } else {
                whole.cost / n as f64
            }
        })
        .collect();
    let prop_net: Vec<f64> = (0..n).map(|i| whole.benefit[i] - proportional[i]).collect();
    let grand = v[(1usize << n) - 1];
    Some(Sharing {
        players: (0..n)
            .map(|i| PlayerShare {
                country: players[i].clone(),
                benefit_usd: whole.benefit[i],
                proportional_payment_usd: proportional[i],
                proportional_net_usd: prop_net[i],
                shapley_net_usd: phi[i],
                shapley_payment_usd: whole.benefit[i] - phi[i],
            })
            .collect(),
        grand_value_usd: grand,
        whole_case_value_usd: whole.benefit.iter().sum::<f64>() - whole.cost,
        core_empty: core_is_empty(&v, n),
        proportional_blocked_by: blocking(players, &v, &prop_net),
        shapley_blocked_by: blocking(players, &v, &phi),
    })
}

/// The coalition whose value alone most exceeds what allocation `x` gives its members.
pub fn blocking(players: &[String], v: &[f64], x: &[f64]) -> Option<Blocking> {
    let n = players.len();
    let scale = 1e-9 * (1.0 + v.iter().map(|a| a.abs()).fold(0.0, f64::max));
    (1..1usize << n)
        .map(|s| {
            let got: f64 = (0..n).filter(|i| s >> i & 1 == 1).map(|i| x[i]).sum();
            (s, v[s] - got)
        })
        .filter(|(_, short)| *short > scale)
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(s, short)| Blocking {
            coalition: (0..n)
                .filter(|i| s >> i & 1 == 1)
                .map(|i| players[i].clone())
                .collect(),
            shortfall_usd: short,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn shapley_shares_sum_to_the_joint_net_benefit() {
        // A line through A and B (both must agree) costing 100, worth 90 to A, 40 to B
        // and 30 to C, which hosts nothing.
        let players = names(&["A", "B", "C"]);
        let parts = vec![Part {
            mask: 1,
            hosts: names(&["A", "B"]),
            benefit: vec![90.0, 40.0, 30.0],
            cost: 100.0,
        }];
        let s = sharing(&players, &parts, 1).unwrap();
        let total: f64 = s.players.iter().map(|p| p.shapley_net_usd).sum();
        assert!((total - 60.0).abs() < 1e-9, "{total}");
        assert!((s.grand_value_usd - 60.0).abs() < 1e-9);
        // Proportional shares pay the whole cost.
        let paid: f64 = s.players.iter().map(|p| p.proportional_payment_usd).sum();
        assert!((paid - 100.0).abs() < 1e-9);
        // {A, B} alone: 130 − 100 = 30; C cannot build without A and B.
        let v = coalition_values(&players, &parts);
        assert_eq!(v[0b011], 30.0);
        assert_eq!(v[0b100], 0.0);
        assert_eq!(v[0b101], 0.0);
        // A and B are symmetric in who can build; C only adds its benefit with both.
        // v: AB 30, ABC 60, others 0. φ_C = (1/3)(60 − 30) = 10; φ_A = φ_B = 25.
        let phi: Vec<f64> = s.players.iter().map(|p| p.shapley_net_usd).collect();
        for (got, want) in phi.iter().zip([25.0, 25.0, 10.0]) {
            assert!((got - want).abs() < 1e-9, "{phi:?}");
        }
        assert!(!s.core_empty);
        assert!(s.shapley_blocked_by.is_none());
    }

    #[test]
    fn a_proposal_that_leaves_a_coalition_worse_off_is_blocked() {
        // Two parts: A alone can build a cheap one worth 50 net to it.
        let players = names(&["A", "B"]);
        let parts = vec![
            Part {
                mask: 1,
                hosts: names(&["A"]),
                benefit: vec![60.0, 0.0],
                cost: 10.0,
            },
            Part {
                mask: 3,
                hosts: names(&["A", "B"]),
                benefit: vec![60.0, 100.0],
                cost: 100.0,
            },
        ];
        let s = sharing(&players, &parts, 3).unwrap();
        // Building both pays 60, proportionally A nets 60 − 37.5 = 22.5 < 50 alone.
        let b = s.proportional_blocked_by.unwrap();
        assert_eq!(b.coalition, names(&["A"]));
        assert!((b.shortfall_usd - 27.5).abs() < 1e-9);
        // The best the pair can do is A's part alone plus nothing for B: 60 − 10 = 50
        // against 160 − 100 = 60 for both: 60.
        assert!((s.grand_value_usd - 60.0).abs() < 1e-9);
    }
}
