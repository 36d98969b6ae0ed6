//! Which notes file each document of the index comes from, so that an edit
//! to one file re-indexes that file's documents only.
//!
//! A passage or unit is stored as (file key, its position within the file)
//! rather than its position in the knowledge: positions in the knowledge
//! shift when an earlier file grows, positions within an unchanged file do
//! not. A hit is resolved through the current knowledge's spans. Cards
//! (models, terms) depend on many files and are stored under [`CARDS`] with
//! their [`DocRef::to_u64`]; every update re-indexes them all.

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::ops::Range;
use std::sync::Arc;

use crate::domain::{Knowledge, PassageId, UnitId};

use super::DocRef;

/// The file key of the cards.
pub(super) const CARDS: u64 = 0;
/// A unit's id within its file has this bit (a passage's has not).
const UNIT: u64 = 1 << 32;
/// The seed of the files' hash (stored in persisted indexes: a change here
/// needs INDEX_FORMAT bumped).
const SEED: u64 = 0x6c69_6e65_6167_6531;

/// One notes file's documents in a knowledge.
#[derive(Debug, Clone)]
pub(super) struct Span {
    pub path: Arc<str>,
    pub key: u64,
    pub passages: Range<usize>,
    pub units: Range<usize>,
    /// A hash of everything its documents are made of.
    pub hash: u64,
}

/// The spans of a knowledge, in file order, findable by key.
#[derive(Debug, Clone, Default)]
pub(super) struct Files {
    pub spans: Vec<Span>,
    by_key: HashMap<u64, usize>,
}

/// A file's key: FNV-1a of its path (as the loader shows it), never [`CARDS`].
/// Stable across processes, since it is stored in a persisted index.
pub(super) fn key(path: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in path.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    if h == CARDS {
        1
    } else {
        h
    }
}

impl Files {
    /// The spans of `k`. A file named in `reuse`'s previous files and not
    /// among the changed ones, with as many passages and units as before,
    /// keeps its hash; the others are hashed.
    pub fn of(k: &Knowledge, reuse: Option<(&Files, &HashSet<&str>)>) -> Files {
        let mut spans: Vec<Span> = Vec::new();
        for (i, p) in k.passages.iter().enumerate() {
            match spans.last_mut() {
                Some(s) if *s.path == *p.source.file => s.passages.end = i + 1,
                _ => spans.push(Span {
                    key: key(&p.source.file),
                    path: p.source.file.clone(),
                    passages: i..i + 1,
                    units: 0..0,
                    hash: 0,
                }),
            }
        }
        // Units follow their passages' order.
        let mut at = 0;
        for s in &mut spans {
            let start = at;
            while at < k.units.len() && s.passages.contains(&k.units[at].passage.index()) {
                at += 1;
            }
            s.units = start..at;
        }
        let before: HashMap<&str, &Span> = reuse
            .map(|(f, _)| f.spans.iter().map(|s| (&*s.path, s)).collect())
            .unwrap_or_default();
        for s in &mut spans {
            let kept = reuse.and_then(|(_, changed)| {
                let old = before.get(&*s.path)?;
                let same_size =
                    old.passages.len() == s.passages.len() && old.units.len() == s.units.len();
                (same_size && !changed.contains(&*s.path)).then_some(old.hash)
            });
            s.hash = kept.unwrap_or_else(|| hash(k, s));
        }
        let by_key = spans.iter().enumerate().map(|(i, s)| (s.key, i)).collect();
        Files { spans, by_key }
    }

    /// The document stored as (`file`, `id`).
    pub fn resolve(&self, k: &Knowledge, file: u64, id: u64) -> Option<DocRef> {
        if file == CARDS {
            return DocRef::from_u64(id, k).filter(|d| d.is_card());
        }
        let s = &self.spans[*self.by_key.get(&file)?];
        let local = (id & !UNIT) as usize;
        if id & UNIT == 0 {
            let i = s.passages.start + local;
            (i < s.passages.end).then_some(DocRef::Passage(PassageId(i as u32)))
        } else {
            let i = s.units.start + local;
            (i < s.units.end).then_some(DocRef::Unit(UnitId(i as u32)))
        }
    }
}

impl Span {
    /// How many documents it holds.
    pub fn document_count(&self) -> u64 {
        (self.passages.len() + self.units.len()) as u64
    }

    /// Its documents with the id each is stored under.
    pub fn documents(&self) -> impl Iterator<Item = (DocRef, u64)> + '_ {
        let passages = self
            .passages
            .clone()
            .enumerate()
            .map(|(n, i)| (DocRef::Passage(PassageId(i as u32)), n as u64));
        let units = self
            .units
            .clone()
            .enumerate()
            .map(|(n, i)| (DocRef::Unit(UnitId(i as u32)), UNIT | n as u64));
        passages.chain(units)
    }
}

/// What a file's documents are made of (their text, place and kind, by
/// position within the file), and its path. foldhash with a fixed seed:
/// the same in every process, and at 10 000× the notes (~200 MB of
/// documents) 0.23 s of a start with SipHash.
fn hash(k: &Knowledge, s: &Span) -> u64 {
    use std::hash::BuildHasher as _;
    let mut h = foldhash::quality::FixedState::with_seed(SEED).build_hasher();
    s.path.hash(&mut h);
    for (n, p) in k.passages[s.passages.clone()].iter().enumerate() {
        (n, p.kind as u8, &p.headings, &p.text, &p.lines).hash(&mut h);
    }
    for (n, u) in k.units[s.units.clone()].iter().enumerate() {
        (n, u.kind as u8, &u.context, &u.text, u.source.line).hash(&mut h);
    }
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_stable_and_never_the_cards() {
        // Stored in persisted indexes: a change here needs INDEX_FORMAT bumped.
        assert_eq!(key("knowledge/notes.md"), key("knowledge/notes.md"));
        assert_ne!(key("knowledge/notes.md"), key("knowledge/notes2.md"));
        assert_eq!(key(""), 0xcbf2_9ce4_8422_2325);
        assert_ne!(key("a"), CARDS);
    }
}
