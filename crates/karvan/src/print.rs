//! Routes as tables for the terminal.

use karvan_data::Dataset;
use karvan_model::{Parts, Route};

fn row(label: &str, kind: &str, p: &Parts) -> String {
    format!(
        "  {label:<22} {kind:<9} {:>7.0} {:>7.1} {:>9.2} {:>8.2} {:>8.2} {:>9.2} {:>6.2} {:>9.2} {:>9.2} {:>9.2}",
        p.km,
        p.hours,
        p.freight,
        p.tariff,
        p.border_fees,
        p.transfers,
        p.risk,
        p.money(),
        p.time_cost,
        p.cost()
    )
}

/// Prints each route with its per-country breakdown and totals.
pub fn routes(ds: &Dataset, routes: &[Route]) {
    for (i, r) in routes.iter().enumerate() {
        let via: Vec<String> = r.crossings.iter().map(|id| ds.crossing_name(id)).collect();
        let countries: Vec<&str> = r.countries.iter().map(|c| c.name.as_str()).collect();
        println!(
            "Route {} of {}: {} → {} ({}): {:.0} km, {:.0} h, {:.2} USD/t paid, {:.2} USD/t with time",
            i + 1,
            routes.len(),
            r.from,
            r.to,
            r.commodity,
            r.total.km,
            r.total.hours,
            r.total.money(),
            r.total.cost()
        );
        println!("  through {}", countries.join(" → "));
        if !via.is_empty() {
            println!("  crossing {}", via.join(" → "));
        }
        println!(
            "  {:<22} {:<9} {:>7} {:>7} {:>9} {:>8} {:>8} {:>9} {:>6} {:>9} {:>9} {:>9}",
            "country",
            "role",
            "km",
            "hours",
            "freight",
            "levies",
            "border",
            "transfers",
            "risk",
            "paid",
            "time",
            "total"
        );
        for c in &r.countries {
            println!("{}", row(&c.name, c.kind, &c.parts));
        }
        println!("{}", row("total", "", &r.total));
        println!("  (USD per tonne; `freight` is what carriers charge, `levies` what governments and state railways levy; `paid` = freight + levies + border + transfers + risk; `total` adds the value of time)\n");
    }
}
