//! The financial view: each financier's own cash — what it pays in, what loans bring
//! back, and for a country what its government and state railway take in levies and
//! spend on running the line — with its net present value and rate of return.

use std::collections::BTreeMap;

use karvan_data::Instrument;
use serde::Serialize;

use super::flows::{CaseFlows, Context, Draw};
use crate::appraise::{internal_rate_of_return, present_value, Irr};

/// One financier's cash flows in a case.
#[derive(Debug, Clone, Serialize)]
pub struct Financier {
    pub party: String,
    /// What it does: `equity`, `loan`, `grant`, `borrower`, `host` (levies and running
    /// costs only), joined with `+` when several.
    pub roles: String,
    /// Its cash by year, USD (paid out negative).
    pub cash: Vec<(i32, f64)>,
    /// Present value at the financial discount rate, in the first appraised year.
    pub npv_usd: f64,
    pub irr: Irr,
}

/// The financiers of the schemes in `mask`: each share of the capital cost as it is
/// paid; loans disbursed with the works, interest on what is owed from the year after,
/// repaid in equal instalments of principal after the grace years (counted, as lenders
/// publish them, from the first disbursement) to the end of the term, what is still
/// owed at the horizon settled then; grants and equity paid outright.
/// Countries also receive the change in the levies of their government and state
/// railway (`flows`) and pay their part of running and renewing the line.
pub fn financiers(ctx: &Context, mask: usize, flows: &CaseFlows) -> Vec<Financier> {
    let st = ctx.settings;
    let n = (st.horizon - st.start + 1).max(0) as usize;
    let mut cash = Cash {
        by: BTreeMap::new(),
        n,
    };
    let draw = Draw::central();
    for i in (0..ctx.money.len()).filter(|i| mask >> i & 1 == 1) {
        let s = &ctx.money[i];
        let schedule = ctx.capex_schedule(i, &draw);
        for f in &s.financing {
            for &(year, usd) in &schedule {
                let k = (year - st.start) as usize;
                cash.pay(&f.financier, f.instrument.as_str(), k, -f.share * usd);
            }
            if f.instrument == Instrument::Loan {
                let borrower = f.borrower.clone().unwrap_or_else(|| f.financier.clone());
                for (k, service) in debt_service(&schedule, f.share, f, st.start, st.horizon) {
                    cash.pay(&f.financier, "loan", k, service);
                    cash.pay(&borrower, "borrower", k, -service);
                }
            }
        }
        for (c, sh) in &s.opex_hosts {
            for (k, year) in flows.years.iter().enumerate() {
                let running = if year.year >= s.opens {
                    s.opex_usd_per_year
                        + s.renewals
                            .iter()
                            .filter(|(_, every)| {
                                let age = year.year - s.opens;
                                age > 0 && *every > 0 && age % *every as i32 == 0
                            })
                            .map(|r| r.0)
                            .sum::<f64>()
                } else {
                    0.0
                };
                cash.pay(c, "host", k, -sh * running);
            }
        }
    }
    // Every country that pays in also takes its levies' change.
    let payers: Vec<String> = cash.by.keys().cloned().collect();
    for (c, years) in flows.parties.iter().filter(|(c, _)| payers.contains(c)) {
        for (k, y) in years.iter().enumerate() {
            cash.pay(c, "host", k, y.gain.levies);
        }
    }
    cash.by
        .into_iter()
        .filter(|(_, (v, _))| v.iter().any(|usd| *usd != 0.0))
        .map(|(party, (v, roles))| {
            let flows: Vec<(i32, f64)> = v
                .iter()
                .enumerate()
                .map(|(k, usd)| (st.start + k as i32, *usd))
                .collect();
            Financier {
                npv_usd: present_value(&flows, st.financial_rate, st.start),
                irr: internal_rate_of_return(&flows),
                roles: roles.join("+"),
                party,
                cash: flows,
            }
        })
        .collect()
}

/// Each party's cash by year index, and the roles it has.
struct Cash {
    by: BTreeMap<String, (Vec<f64>, Vec<&'static str>)>,
    n: usize,
}

impl Cash {
    fn pay(&mut self, party: &str, role: &'static str, k: usize, usd: f64) {
        let n = self.n;
        let e = self
            .by
            .entry(party.to_string())
            .or_insert_with(|| (vec![0.0; n], vec![]));
        if k < n {
            e.0[k] += usd;
        }
        if !e.1.contains(&role) {
            e.1.push(role);
        }
    }
}

/// A loan's interest and principal by year index: `(k, USD)`.
fn debt_service(
    schedule: &[(i32, f64)],
    share: f64,
    f: &super::flows::Funding,
    start: i32,
    horizon: i32,
) -> Vec<(usize, f64)> {
    let Some(&(first, _)) = schedule.first() else {
        return vec![];
    };
    // Interest runs from the year after the first disbursement; the grace years follow,
    // then the instalments to the end of the term.
    let repay_from = first + f.grace_years as i32 + 1;
    let repay_years = f.tenor_years.saturating_sub(f.grace_years).max(1);
    let mut owed = 0.0;
    let mut instalment = 0.0;
    let mut out = vec![];
    for year in first..=horizon {
        let interest = owed * f.interest;
        if year == repay_from {
            instalment = owed / f64::from(repay_years);
        }
        let principal = if year >= repay_from {
            instalment.min(owed)
        } else {
            0.0
        };
        // Settle what is still owed at the horizon.
        let settle = if year == horizon {
            owed - principal
        } else {
            0.0
        };
        owed -= principal + settle;
        owed += share
            * schedule
                .iter()
                .filter(|(y, _)| *y == year)
                .map(|(_, usd)| usd)
                .sum::<f64>();
        let service = interest + principal + settle;
        if service != 0.0 {
            out.push(((year - start) as usize, service));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::appraisal::flows::Funding;

    #[test]
    fn a_loan_is_repaid_with_its_interest() {
        // 100 lent in 2030 at 10% a year for 3 years with 2 years' grace: interest 10 in
        // 2031 and 2032, then 10 (on 100) + 100 in 2033, the one year of repayment.
        let f = Funding {
            financier: "bank".into(),
            instrument: Instrument::Loan,
            borrower: Some("AAA".into()),
            share: 1.0,
            interest: 0.10,
            tenor_years: 3,
            grace_years: 2,
        };
        let s = debt_service(&[(2030, 100.0)], 1.0, &f, 2030, 2040);
        assert_eq!(s, vec![(1, 10.0), (2, 10.0), (3, 110.0)]);
        // Four years with one of grace: 10 interest in 2031, then a third of 100 each
        // year to 2034 with interest on what is left: 10 + 33.3, 6.67 + 33.3, 3.33 + 33.3.
        let long = Funding {
            tenor_years: 4,
            grace_years: 1,
            ..f.clone()
        };
        let s = debt_service(&[(2030, 100.0)], 1.0, &long, 2030, 2040);
        let want = [
            10.0,
            10.0 + 100.0 / 3.0,
            20.0 / 3.0 + 100.0 / 3.0,
            10.0 / 3.0 + 100.0 / 3.0,
        ];
        for ((k, got), w) in s.iter().zip(want) {
            assert!((got - w).abs() < 1e-9, "year {k}: {got} != {w}");
        }
        // At a discount rate equal to the loan's interest the lender breaks even.
        let flows: Vec<(i32, f64)> = std::iter::once((2030, -100.0))
            .chain(s.iter().map(|&(k, usd)| (2030 + k as i32, usd)))
            .collect();
        assert!(present_value(&flows, 0.10, 2030).abs() < 1e-9);
        // What is still owed at the horizon is settled then.
        let cut = debt_service(&[(2030, 100.0)], 1.0, &long, 2030, 2032);
        let sum: f64 = cut.iter().map(|x| x.1).sum();
        assert!((sum - (10.0 + 10.0 + 100.0)).abs() < 1e-9, "{sum}");
    }
}
