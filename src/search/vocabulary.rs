//! Words that mean the same thing, tokenized once: glossary entries, each
//! term's names in both languages, each model's names. A query that contains
//! one of them is expanded to all the others (对齐税 ↔ alignment tax).

use std::collections::HashMap;

use crate::domain::Knowledge;

use super::segment::Segmenter;

/// A group of token sequences that mean the same thing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// Words with compounds as their parts (`in-context learning` and
    /// `In-Context-Learning` alike): what a query is matched against.
    pub sequences: Vec<Vec<String>>,
    /// What is searched for: each form with compounds whole, and as parts.
    pub queries: Vec<Vec<String>>,
    /// The names of a model or a term (not a glossary word).
    pub entity: bool,
    /// The names of a model or a generation: what a question is about.
    pub model: bool,
}

#[derive(Debug, Default, Clone)]
pub struct Vocabulary {
    pub groups: Vec<Group>,
    /// First token of a sequence → (group, sequence index).
    by_first: HashMap<String, Vec<(usize, usize)>>,
}

/// Tokens with each compound as its parts only.
pub fn match_form(pieces: &[super::Piece]) -> Vec<String> {
    pieces
        .iter()
        .filter(|p| !p.whole)
        .map(|p| p.text.clone())
        .collect()
}

/// Every word of every group, untokenized: jieba learns them so they are cut whole.
pub fn words(k: &Knowledge) -> Vec<String> {
    raw_groups(k).into_iter().flat_map(|g| g.words).collect()
}

/// A group's words; `shorthand` groups are matched by their first word
/// only and expand to the rest (`003` stands for text-davinci-003, but
/// text-davinci-003 does not stand for its whole generation).
struct RawGroup {
    words: Vec<String>,
    shorthand: bool,
}

fn raw_groups(k: &Knowledge) -> Vec<RawGroup> {
    let plain = |words: Vec<String>| RawGroup {
        words,
        shorthand: false,
    };
    let mut groups: Vec<RawGroup> = k.synonyms.iter().cloned().map(plain).collect();
    groups.extend(k.terms.iter().map(|t| plain(t.names())));
    groups.extend(k.models.iter().map(|m| plain(m.names())));
    // Generation shorthands (`003`) stand for their models.
    for g in k.generations() {
        let mut group = vec![g.clone()];
        group.extend(
            k.generation(g)
                .unwrap_or_default()
                .iter()
                .map(|&id| k.model(id).slug.clone()),
        );
        groups.push(RawGroup {
            words: group,
            shorthand: true,
        });
    }
    groups
}

impl Vocabulary {
    pub fn build(k: &Knowledge, seg: &Segmenter) -> Vocabulary {
        let mut v = Vocabulary::default();
        let glossary = k.synonyms.len();
        let terms = glossary + k.terms.len();
        for (n, raw) in raw_groups(k).into_iter().enumerate() {
            let mut sequences: Vec<Vec<String>> = Vec::new();
            let mut queries: Vec<Vec<String>> = Vec::new();
            for w in raw.words {
                let pieces = seg.pieces(&w);
                let parts = match_form(&pieces);
                let whole: Vec<String> = pieces
                    .iter()
                    .filter(|p| !p.part)
                    .map(|p| p.text.clone())
                    .collect();
                if parts.is_empty() {
                    continue;
                }
                for q in [whole, parts.clone()] {
                    if !queries.contains(&q) {
                        queries.push(q);
                    }
                }
                if !sequences.contains(&parts) {
                    sequences.push(parts);
                }
            }
            if sequences.is_empty() {
                continue;
            }
            let gi = v.groups.len();
            let matched = if raw.shorthand { 1 } else { sequences.len() };
            for (si, s) in sequences.iter().enumerate().take(matched) {
                v.by_first.entry(s[0].clone()).or_default().push((gi, si));
            }
            v.groups.push(Group {
                sequences,
                queries,
                entity: n >= glossary,
                model: n >= terms,
            });
        }
        v
    }

    /// Whether `token` stands in the vocabulary only inside longer names
    /// (上下文 in 上下文学习, 上下文演示): alone, it is not what they name.
    pub fn only_inside_longer(&self, token: &str) -> bool {
        let mut inside = false;
        for g in &self.groups {
            for s in &g.sequences {
                if s.iter().any(|t| t == token) {
                    if s.len() == 1 {
                        return false;
                    }
                    inside = true;
                }
            }
        }
        inside
    }

    pub fn knows(&self, token: &str) -> bool {
        self.by_first.contains_key(token)
            || self
                .groups
                .iter()
                .any(|g| g.sequences.iter().any(|s| s.iter().any(|t| t == token)))
    }

    /// The groups whose longest sequence starts at `tokens[at]`, and its length.
    pub fn longest_at(&self, tokens: &[String], at: usize) -> Option<(usize, Vec<usize>)> {
        let mut best: Option<(usize, Vec<usize>)> = None;
        for &(g, s) in self.by_first.get(&tokens[at])? {
            let seq = &self.groups[g].sequences[s];
            if tokens.len() - at >= seq.len() && tokens[at..at + seq.len()] == seq[..] {
                match &mut best {
                    Some((len, gs)) if *len == seq.len() => {
                        if !gs.contains(&g) {
                            gs.push(g)
                        }
                    }
                    Some((len, _)) if *len > seq.len() => {}
                    _ => best = Some((seq.len(), vec![g])),
                }
            }
        }
        best
    }
}
