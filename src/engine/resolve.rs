//! From what people type to a model or term: ids, aliases, shorthands, and
//! for anything else the closest names, as "did you mean" or autocomplete.

use crate::domain::names::edit_distance as distance;
use crate::domain::{CapabilityId, Knowledge, ModelId, NameKey, Named, Resolved, TermId};

use super::reply::ReadAs;

/// What a typed model name came to.
pub enum ModelLookup {
    One(ModelId, Option<ReadAs>),
    Many(Vec<ModelId>),
    None,
}

impl ModelLookup {
    /// Every model the name could mean.
    pub fn candidates(&self) -> Vec<ModelId> {
        match self {
            ModelLookup::One(id, _) => vec![*id],
            ModelLookup::Many(ids) => ids.clone(),
            ModelLookup::None => vec![],
        }
    }
}

pub fn model(k: &Knowledge, typed: &str) -> ModelLookup {
    match k.resolve_model(typed) {
        Resolved::One(id) => {
            let m = k.model(id);
            let exact = [m.slug.as_str(), m.name.as_str()]
                .iter()
                .any(|n| NameKey::new(n) == NameKey::new(typed));
            let read_as = (!exact).then(|| ReadAs {
                typed: typed.trim().to_string(),
                as_name: m.name.clone(),
                paired_with: None,
            });
            ModelLookup::One(id, read_as)
        }
        Resolved::Many(ids) => ModelLookup::Many(ids),
        Resolved::None => match closest(k, typed, |n| matches!(n, Named::Model(_))).as_slice() {
            // One clearly closest model: take it, and say so.
            [(Named::Model(id), d), rest @ ..]
                if *d <= typo_budget(typed) && rest.first().is_none_or(|(_, d2)| d2 > d) =>
            {
                ModelLookup::One(
                    *id,
                    Some(ReadAs {
                        typed: typed.trim().to_string(),
                        as_name: k.model(*id).name.clone(),
                        paired_with: None,
                    }),
                )
            }
            _ => ModelLookup::None,
        },
    }
}

pub fn term(k: &Knowledge, typed: &str) -> Option<(TermId, Option<ReadAs>)> {
    if let Some(id) = k.resolve_term(typed) {
        return Some((id, None));
    }
    match closest(k, typed, |n| matches!(n, Named::Term(_))).as_slice() {
        [(Named::Term(id), d), rest @ ..]
            if *d <= typo_budget(typed) && rest.first().is_none_or(|(_, d2)| d2 > d) =>
        {
            Some((
                *id,
                Some(ReadAs {
                    typed: typed.trim().to_string(),
                    as_name: k.term(*id).display.clone(),
                    paired_with: None,
                }),
            ))
        }
        _ => None,
    }
}

/// A capability by slug, name or alias in either language; a misspelling
/// forgiven as for terms.
pub fn capability(k: &Knowledge, typed: &str) -> Option<(CapabilityId, Option<ReadAs>)> {
    if let Some(id) = k.resolve_capability(typed) {
        return Some((id, None));
    }
    match closest(k, typed, |n| matches!(n, Named::Capability(_))).as_slice() {
        [(Named::Capability(id), d), rest @ ..]
            if *d <= typo_budget(typed) && rest.first().is_none_or(|(_, d2)| d2 > d) =>
        {
            Some((
                *id,
                Some(ReadAs {
                    typed: typed.trim().to_string(),
                    as_name: k.capability(*id).name.pick(false).to_string(),
                    paired_with: None,
                }),
            ))
        }
        _ => None,
    }
}

/// Typos forgiven: none under 4 characters, one from 4, two from 8.
fn typo_budget(typed: &str) -> usize {
    match NameKey::new(typed).as_str().chars().count() {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

/// Distinct targets by their closest name, nearest first.
pub fn closest(k: &Knowledge, typed: &str, keep: impl Fn(Named) -> bool) -> Vec<(Named, usize)> {
    let key = NameKey::new(typed);
    if key.is_empty() {
        return Vec::new();
    }
    let mut best: Vec<(Named, usize)> = Vec::new();
    for (name, target) in k.names.iter() {
        if !keep(target) {
            continue;
        }
        let mut d = distance(key.as_str(), name.as_str());
        // A name that contains what was typed (or the reverse) is close too.
        if name.as_str().contains(key.as_str()) || key.as_str().contains(name.as_str()) {
            d = d.min(
                1 + name
                    .as_str()
                    .chars()
                    .count()
                    .abs_diff(key.as_str().chars().count())
                    / 4,
            );
        }
        // Version numbers are not typos: `gpt-9` is not a misspelt `gpt-3`,
        // nor `text-davinci-004` of `-003`; they stay suggestions only.
        if digits(key.as_str()) != digits(name.as_str()) {
            d += NOT_A_TYPO;
        }
        match best.iter_mut().find(|(t, _)| *t == target) {
            Some(entry) => entry.1 = entry.1.min(d),
            None => best.push((target, d)),
        }
    }
    best.sort_by_key(|&(t, d)| (d, order(t)));
    best
}

/// Added to the distance of names whose numbers differ: more than any typo
/// budget, less than the suggestion limit of a typical name.
const NOT_A_TYPO: usize = 3;

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

fn order(n: Named) -> (u8, usize) {
    match n {
        Named::Model(m) => (0, m.index()),
        Named::Term(t) => (1, t.index()),
        Named::Capability(c) => (2, c.index()),
    }
}

/// Suggestions worth showing for an unknown name: a few, not too far.
pub fn suggestions(k: &Knowledge, typed: &str, keep: impl Fn(Named) -> bool) -> Vec<Named> {
    let limit = NameKey::new(typed).as_str().chars().count().max(4) / 2 + 2;
    closest(k, typed, keep)
        .into_iter()
        .filter(|&(_, d)| d <= limit)
        .take(3)
        .map(|(n, _)| n)
        .collect()
}

/// Autocomplete: names that start with, then contain, then nearly match what
/// was typed; one entry per model or term, display name and id.
pub fn complete(k: &Knowledge, typed: &str, keep: impl Fn(Named) -> bool) -> Vec<(Named, String)> {
    let key = NameKey::new(typed);
    let mut ranked: Vec<(usize, Named, String)> = Vec::new();
    for (name, target) in k.names.iter() {
        if !keep(target) {
            continue;
        }
        let rank = if key.is_empty() {
            0
        } else if name.as_str().starts_with(key.as_str()) {
            1
        } else if name.as_str().contains(key.as_str()) {
            2
        } else {
            let d = distance(
                key.as_str(),
                &name
                    .as_str()
                    .chars()
                    .take(key.as_str().chars().count() + 1)
                    .collect::<String>(),
            );
            if d <= typo_budget(typed).max(1) {
                3
            } else {
                continue;
            }
        };
        match ranked.iter_mut().find(|(_, t, _)| *t == target) {
            Some(e) if rank < e.0 => {
                e.0 = rank;
                e.2 = name.to_string();
            }
            Some(_) => {}
            None => ranked.push((rank, target, name.to_string())),
        }
    }
    ranked.sort_by_key(|(r, t, _)| (*r, order(*t)));
    ranked.into_iter().map(|(_, t, n)| (t, n)).collect()
}
