//! Stage 8, hits: what a hit shows (its snippet, cut once per text) and
//! the line it cites.

use super::*;

/// Shown texts kept cut into words for snippets (about 2 KB each).
pub(super) const PIECES_CACHED: usize = 4096;

impl SearchIndex {
    /// `shown` (the text `doc` shows) cut into words, cut once.
    pub(super) fn pieces_of(&self, doc: DocRef, shown: &str) -> Arc<Vec<Piece>> {
        let cached = |cache: &HashMap<DocRef, Arc<Vec<Piece>>>| cache.get(&doc).cloned();
        // A poisoned lock only means another question panicked mid-insert:
        // the map is still whole.
        let lock = || self.pieces.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(p) = cached(&lock()) {
            return p;
        }
        let pieces = Arc::new(self.segmenter.pieces(shown));
        let mut cache = lock();
        if cache.len() >= PIECES_CACHED {
            cache.clear();
        }
        cache.insert(doc, pieces.clone());
        pieces
    }

    pub(super) fn hit(
        &self,
        doc: DocRef,
        (score, confidence): (f32, f32),
        wanted: &snippet::Wanted,
    ) -> Hit {
        let t = doc_text(&self.knowledge, doc);
        let pieces = self.pieces_of(doc, &t.shown);
        let snippet = snippet::make(&pieces, &t.shown, wanted);
        // The quote cites the line where its own first words stand (a cut
        // snippet of a long passage starts lines below the passage).
        let source = match doc {
            DocRef::Passage(p) => self.knowledge.passage(p).source_at(snippet.start),
            DocRef::Unit(u) => self.knowledge.unit(u).source_at(snippet.start),
            DocRef::Model(_) | DocRef::Term(_) => t.source,
        };
        Hit {
            doc,
            score,
            confidence,
            title: t.title,
            text: t.shown,
            snippet,
            source,
        }
    }
}
