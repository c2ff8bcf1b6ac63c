//! Finding a place by the name a user types: case, punctuation and common
//! transliterations (Mazar-i-Sharif / Mazar-e-Sharif, Hairatan / Hayraton) do not matter.

use karvan_data::Dataset;

use crate::ModelError;

/// Lower-case letters and digits only.
fn plain(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The consonant skeleton of a name: transliterations of the region's place names differ
/// mostly in their vowels (i/e, a/o, y/i) and in q/k, so those are dropped or merged.
fn skeleton(s: &str) -> String {
    let p = plain(s);
    let mut out = String::new();
    for (i, c) in p.chars().enumerate() {
        let c = match c {
            'q' | 'c' => 'k',
            'w' => 'v',
            other => other,
        };
        if i > 0 && "aeiouy".contains(c) {
            continue;
        }
        if out.ends_with(c) {
            continue;
        }
        out.push(c);
    }
    out
}

/// The index of the node `query` names: by id, name or alias, exactly, then ignoring
/// punctuation, then by skeleton. Unknown names get the closest names as suggestions.
pub fn find(ds: &Dataset, query: &str) -> Result<usize, ModelError> {
    let names = |i: usize| {
        let n = &ds.nodes[i];
        std::iter::once(n.id.as_str())
            .chain(std::iter::once(n.name.as_str()))
            .chain(n.aliases.iter().map(String::as_str))
    };
    let tiers: [&dyn Fn(&str) -> String; 3] = [&|s: &str| s.to_lowercase(), &plain, &skeleton];
    for key in tiers {
        let q = key(query);
        if q.is_empty() {
            break;
        }
        let hits: Vec<usize> = (0..ds.nodes.len())
            .filter(|&i| names(i).any(|n| key(n) == q))
            .collect();
        match hits.len() {
            0 => continue,
            1 => return Ok(hits[0]),
            _ => {
                return Err(ModelError::AmbiguousPlace {
                    name: query.to_string(),
                    candidates: hits
                        .iter()
                        .map(|&i| format!("{} ({})", ds.nodes[i].name, ds.nodes[i].id))
                        .collect(),
                })
            }
        }
    }
    let q = plain(query);
    let mut scored: Vec<(f64, &str)> = ds
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| {
            (
                names(i)
                    .map(|x| strsim::jaro_winkler(&q, &plain(x)))
                    .fold(0.0, f64::max),
                n.name.as_str(),
            )
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    Err(ModelError::UnknownPlace {
        name: query.to_string(),
        suggestions: scored.iter().take(3).map(|s| s.1.to_string()).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skeletons_merge_transliterations() {
        assert_eq!(skeleton("Mazar-i-Sharif"), skeleton("Mazar-e-Sharif"));
        assert_eq!(skeleton("Hairatan"), skeleton("Hayraton"));
        assert_eq!(skeleton("Termez"), skeleton("Termiz"));
        assert_eq!(skeleton("Qosh Tepa"), skeleton("Kosh Tepa"));
        assert_ne!(skeleton("Kabul"), skeleton("Kandahar"));
    }
}
