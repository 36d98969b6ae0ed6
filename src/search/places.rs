//! Stage 7, places: one hit per place in the notes (a unit, its passage
//! and the card that quotes it are one place), and the comparison sections
//! a difference question sets side by side.

use super::*;

impl SearchIndex {
    /// One hit per place in the notes: a unit, the passage it stands in and
    /// the card that shows that passage as its line are one place. The place
    /// keeps its best score; what it shows is the most precise of its
    /// documents: the one whose own words cover most of the question, then
    /// one that offers what is asked (the sentence with the cause), then the
    /// shortest (a sentence before its item, an item before its passage) —
    /// the longest when a difference is asked, so both sides show. A card
    /// shows the very passage it stands for, named.
    pub(super) fn one_per_place(&self, scored: Vec<Scored>, both_sides: bool) -> Vec<Scored> {
        let k = &self.knowledge;
        let place = |d: DocRef| -> Option<PassageId> {
            match d {
                DocRef::Passage(p) => Some(p),
                DocRef::Unit(u) => Some(k.unit(u).passage),
                DocRef::Model(m) => k.model(m).summary_source,
                DocRef::Term(t) => Some(k.term(t).source),
            }
        };
        let len = |d: DocRef| match d {
            DocRef::Passage(p) => k.passage(p).text.len(),
            DocRef::Unit(u) => k.unit(u).text.len(),
            _ => 0,
        };
        // A difference is answered by the whole comparison section: its
        // items are one place with it.
        let mut section_of: HashMap<PassageId, PassageId> = HashMap::default();
        if both_sides {
            for c in &k.comparisons {
                if let Some(&first) = c.passages.first() {
                    section_of.extend(c.passages.iter().map(|&p| (p, first)));
                }
            }
        }
        let mut out: Vec<Scored> = Vec::with_capacity(scored.len());
        let mut at: HashMap<PassageId, usize> = HashMap::default();
        for s in scored {
            let Some(p) = place(s.doc) else {
                out.push(s);
                continue;
            };
            let p = section_of.get(&p).copied().unwrap_or(p);
            let Some(&i) = at.get(&p) else {
                at.insert(p, out.len());
                out.push(s);
                continue;
            };
            let held = &mut out[i];
            if self.is_section(s.doc) {
                held.doc = s.doc;
                held.own = s.own;
                held.fits = s.fits;
                continue;
            }
            if held.doc.is_card() || self.is_section(held.doc) {
                continue;
            }
            if s.doc.is_card() {
                if held.doc == DocRef::Passage(p) {
                    held.doc = s.doc;
                }
                continue;
            }
            let shorter = if both_sides {
                len(s.doc) > len(held.doc)
            } else {
                len(s.doc) < len(held.doc)
            };
            let better = (s.own, s.fits) > (held.own, held.fits)
                || ((s.own, s.fits) == (held.own, held.fits) && shorter);
            if better {
                held.doc = s.doc;
                held.own = s.own;
                held.fits = s.fits;
            }
        }
        out
    }

    /// The models and generations a question names, each as the models it
    /// may stand for (a generation: its models).
    pub(super) fn named_subjects(&self, query: &str) -> Vec<Vec<ModelId>> {
        let k = &self.knowledge;
        let lower = query.to_lowercase();
        let mut out: Vec<Vec<ModelId>> = k
            .models
            .iter()
            .filter(|m| {
                m.names()
                    .iter()
                    .any(|n| crate::domain::mentions(&lower, &n.to_lowercase()))
            })
            .map(|m| vec![m.id])
            .collect();
        for g in k.generations() {
            if crate::domain::mentions(&lower, &g.to_lowercase()) {
                out.push(k.generation(g).unwrap_or_default().to_vec());
            }
        }
        out
    }

    /// Whether `doc` is a comparison section that sets every named model (or
    /// generation) side by side: it answers their difference better than
    /// one that shares only some of them.
    pub(super) fn sets_side_by_side(&self, doc: DocRef, subjects: &[Vec<ModelId>]) -> bool {
        if subjects.len() < 2 || !self.is_section(doc) {
            return false;
        }
        let DocRef::Unit(u) = doc else { return false };
        let k = &self.knowledge;
        let first = k.unit(u).passage;
        k.comparisons
            .iter()
            .find(|c| c.passages.first() == Some(&first))
            .is_some_and(|c| {
                subjects
                    .iter()
                    .all(|s| s.iter().any(|&m| c.covers(k.model(m))))
            })
    }

    pub(super) fn is_section(&self, doc: DocRef) -> bool {
        matches!(doc, DocRef::Unit(u) if self.knowledge.unit(u).kind == UnitKind::Section)
    }
}
