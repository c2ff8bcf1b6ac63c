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

/// How a place was found from what the user typed.
#[derive(Debug, Clone, PartialEq)]
pub struct PlaceMatch {
    /// The node taken.
    pub index: usize,
    /// Whether the query equals one of the place's names (ignoring case only).
    pub exact: bool,
    /// Other places whose names come close, as "Name (id, country)", for a note.
    pub others: Vec<String>,
}

impl PlaceMatch {
    /// A note for the user when the match deserves one: approximate, or other places with
    /// similar names.
    pub fn note(&self, ds: &Dataset, query: &str) -> Option<String> {
        if self.exact && self.others.is_empty() {
            return None;
        }
        let how = if self.exact {
            ""
        } else {
            " (an approximate match)"
        };
        let mut note = format!("took {} for `{query}`{how}", describe(ds, self.index));
        if !self.others.is_empty() {
            note.push_str(&format!(
                "; other places with similar names: {} (give the id to choose)",
                self.others.join(", ")
            ));
        }
        Some(note)
    }
}

fn describe(ds: &Dataset, i: usize) -> String {
    let n = &ds.nodes[i];
    format!("{} ({}, {})", n.name, n.id, n.country)
}

/// A name without a trailing qualifier in parentheses: "Jalal-Abad (Kyrgyzstan)" is also
/// "Jalal-Abad".
fn unqualified(name: &str) -> Option<&str> {
    let (head, tail) = name.rsplit_once(" (")?;
    tail.ends_with(')').then_some(head.trim())
}

/// The index of the node `query` names: by id, name or alias, exactly, then ignoring
/// punctuation, then by skeleton. Unknown names get the closest names as suggestions.
pub fn find(ds: &Dataset, query: &str) -> Result<usize, ModelError> {
    resolve(ds, query).map(|m| m.index)
}

/// Finds the node `query` names, as [`find`], and says how: whether the match was exact
/// and which other places have names that come close.
pub fn resolve(ds: &Dataset, query: &str) -> Result<PlaceMatch, ModelError> {
    let names = |i: usize| {
        let n = &ds.nodes[i];
        std::iter::once(n.id.as_str())
            .chain(std::iter::once(n.name.as_str()))
            .chain(unqualified(&n.name))
            .chain(n.aliases.iter().map(String::as_str))
    };
    let tiers: [&dyn Fn(&str) -> String; 3] = [&|s: &str| s.to_lowercase(), &plain, &skeleton];
    let mut taken: Option<(usize, bool)> = None;
    let mut others: Vec<usize> = vec![];
    for (tier, key) in tiers.iter().enumerate() {
        let q = key(query);
        if q.is_empty() {
            break;
        }
        let hits: Vec<usize> = (0..ds.nodes.len())
            .filter(|&i| names(i).any(|n| key(n) == q))
            .collect();
        match (taken, hits.len()) {
            (None, 0) => continue,
            (None, 1) => taken = Some((hits[0], tier == 0)),
            (None, _) => {
                return Err(ModelError::AmbiguousPlace {
                    name: query.to_string(),
                    candidates: hits.iter().map(|&i| describe(ds, i)).collect(),
                })
            }
            (Some((t, _)), _) => others.extend(hits.into_iter().filter(|&i| i != t)),
        }
    }
    if let Some((index, exact)) = taken {
        others.sort_unstable();
        others.dedup();
        return Ok(PlaceMatch {
            index,
            exact,
            others: others.into_iter().map(|i| describe(ds, i)).collect(),
        });
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

    #[test]
    fn jalal_abad_is_the_kyrgyz_city_and_the_afghan_one_is_named() {
        let ds = karvan_data::embedded::load(karvan_data::embedded::DEFAULT).unwrap();
        let m = resolve(&ds, "Jalal-Abad").unwrap();
        assert_eq!(ds.nodes[m.index].id, "jalal-abad-kgz");
        assert!(m.exact);
        assert!(m.others.iter().any(|o| o.contains("jalalabad")), "{m:?}");
        let note = m.note(&ds, "Jalal-Abad").unwrap();
        assert!(note.contains("Jalalabad"), "{note}");
        let m = resolve(&ds, "Jalalabad").unwrap();
        assert_eq!(ds.nodes[m.index].id, "jalalabad");
    }

    #[test]
    fn an_approximate_match_says_so() {
        let ds = karvan_data::embedded::load(karvan_data::embedded::DEFAULT).unwrap();
        // "Hayratan" is none of Hairatan's spellings; only its consonants match.
        let m = resolve(&ds, "Hayratan").unwrap();
        assert_eq!(ds.nodes[m.index].id, "hairatan");
        assert!(!m.exact);
        let note = m
            .note(&ds, "Hayratan")
            .expect("an approximate match has a note");
        assert!(
            note.contains("approximate") && note.contains("hairatan"),
            "{note}"
        );
        // An exact spelling with no look-alikes needs no note.
        let m = resolve(&ds, "Hairatan").unwrap();
        assert!(m.exact);
        assert!(m.note(&ds, "Hairatan").is_none(), "{:?}", m.others);
        // An alias in another case is exact, or else says it is approximate.
        let m = resolve(&ds, "hayraton").unwrap();
        let note = m.note(&ds, "hayraton");
        assert!(m.exact || note.is_some_and(|n| n.contains("approximate")));
    }
}
