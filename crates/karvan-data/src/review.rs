//! Plausibility notes on a valid dataset: figures that may be right but deserve a look.
//! Unlike the problems of validation they do not stop a load; `karvan validate` lists
//! them.
//!
//! Lengths are checked against the great-circle distance between a link's two ends: a
//! link cannot be shorter than it (a shorter one means a misplaced node — a town centre
//! for a railhead — or a wrong length), and one more than twice as long is suspicious
//! (a detour in the measured path, or a node on the wrong side of a river or border).

use crate::dataset::Dataset;
use crate::problem::Problem;

/// Mean Earth radius, km.
const EARTH_RADIUS_KM: f64 = 6371.0088;

/// Great-circle distance between two points given in degrees, km (haversine).
pub fn great_circle_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

/// A length below the great circle by more than this share is reported (coordinates are
/// given to three decimals, about 100 m).
const SHORTER_TOLERANCE: f64 = 0.01;

/// Notes on lengths that are impossible or suspicious against the great circle.
pub fn length_notes(ds: &Dataset) -> Vec<Problem> {
    let position = |id: &str| ds.node(id).map(|n| (n.lat, n.lon));
    let mut notes = Vec::new();
    for l in &ds.links {
        let (Some(a), Some(b)) = (position(&l.from), position(&l.to)) else {
            continue;
        };
        let gc = great_circle_km(a.0, a.1, b.0, b.1);
        if l.length_km < gc * (1.0 - SHORTER_TOLERANCE) {
            notes.push(note(
                "links.csv",
                l.line,
                "length_km",
                format!(
                    "{} km is shorter than the {gc:.1} km between its ends in a straight line: \
                     a node is misplaced or the length is wrong",
                    l.length_km
                ),
            ));
        } else if gc > 5.0 && l.length_km > 2.0 * gc {
            notes.push(note(
                "links.csv",
                l.line,
                "length_km",
                format!(
                    "{} km is more than twice the {gc:.1} km between its ends in a straight line",
                    l.length_km
                ),
            ));
        }
    }
    for c in &ds.crossings {
        let (Some(a), Some(b)) = (position(&c.from), position(&c.to)) else {
            continue;
        };
        let gc = great_circle_km(a.0, a.1, b.0, b.1);
        if gc > c.length_km + 2.0 {
            notes.push(note(
                "crossings.csv",
                c.line,
                "length_km",
                format!(
                    "its two sides are {gc:.1} km apart but the crossing is {} km long: the \
                     distance between them is travelled by no link",
                    c.length_km
                ),
            ));
        }
    }
    notes
}

fn note(file: &str, line: u64, column: &str, message: String) -> Problem {
    Problem {
        file: file.into(),
        line: Some(line),
        column: Some(column.into()),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn great_circle_by_hand() {
        // A degree of latitude is about 111.2 km.
        assert!((great_circle_km(40.0, 60.0, 41.0, 60.0) - 111.19).abs() < 0.05);
        // Kabul to Tashkent is about 755 km in a straight line.
        let d = great_circle_km(34.53, 69.17, 41.31, 69.28);
        assert!((d - 754.0).abs() < 5.0, "{d}");
        assert_eq!(great_circle_km(10.0, 10.0, 10.0, 10.0), 0.0);
    }
}
