//! A question's query as a tree the bot can also evaluate itself, leaf by
//! leaf, for chosen documents only. tantivy scores a union by walking its
//! parts; a phrase part asked for one document walks on to the next
//! document where the phrase matches, reading the positions of every
//! document in between. Scoring a pool of documents (the second pass of a
//! search on large notes) instead asks each term and phrase about exactly
//! those documents (`seek_danger`) and combines their scores as the query
//! would: a sum of clauses, a disjunction-max with a tie-breaker. Small
//! notes are scored the same way, every match at once ([`Scoring::score_all`]),
//! and both read their statistics from one cache per question
//! ([`Frequencies`]).

use std::cell::RefCell;

use foldhash::HashMap;

use tantivy::query::{
    Bm25StatisticsProvider, BooleanQuery, BoostQuery, DisjunctionMaxQuery, EnableScoring, Occur,
    Query, Weight,
};
use tantivy::schema::Field;
use tantivy::{DocId, DocSet, Score, SeekDangerResult, SegmentReader, Term, TERMINATED};

/// The statistics of one question's words, each looked up in the term
/// dictionary once: the did-you-mean check, the grouping into concepts,
/// the first pass, the leaves kept and every leaf's BM25 weight ask about
/// the same few terms again and again, and on small notes those lookups
/// are much of a question's cost.
pub(super) struct Frequencies<'s> {
    searcher: &'s tantivy::Searcher,
    doc_freq: RefCell<HashMap<Term, u64>>,
    tokens: RefCell<HashMap<Field, u64>>,
}

impl<'s> Frequencies<'s> {
    pub(super) fn new(searcher: &'s tantivy::Searcher) -> Self {
        Frequencies {
            searcher,
            doc_freq: RefCell::default(),
            tokens: RefCell::default(),
        }
    }

    /// How many documents hold `text` in `field`.
    pub(super) fn of(&self, field: Field, text: &str) -> tantivy::Result<u64> {
        self.doc_freq(&Term::from_field_text(field, text))
    }

    /// Whether every one of `words` occurs in at least one of `fields`.
    pub(super) fn all_in(&self, fields: &[Field], words: &[String]) -> tantivy::Result<bool> {
        for t in words {
            let mut found = false;
            for &f in fields {
                found |= self.of(f, t)? > 0;
            }
            if !found {
                return Ok(false);
            }
        }
        Ok(true)
    }

    pub(super) fn searcher(&self) -> &'s tantivy::Searcher {
        self.searcher
    }

    /// Scoring that takes its statistics from here.
    pub(super) fn scoring(&self) -> EnableScoring<'_> {
        EnableScoring::enabled_from_statistics_provider(self, self.searcher)
    }
}

impl Bm25StatisticsProvider for Frequencies<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        if let Some(&n) = self.tokens.borrow().get(&field) {
            return Ok(n);
        }
        let n = Bm25StatisticsProvider::total_num_tokens(self.searcher, field)?;
        self.tokens.borrow_mut().insert(field, n);
        Ok(n)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        Bm25StatisticsProvider::total_num_docs(self.searcher)
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        if let Some(&n) = self.doc_freq.borrow().get(term) {
            return Ok(n);
        }
        let n = self.searcher.doc_freq(term)?;
        self.doc_freq.borrow_mut().insert(term.clone(), n);
        Ok(n)
    }
}

/// A query: terms and phrases (leaves) under boosts, sums and maxima.
pub(super) enum Scoring {
    Leaf(Box<dyn Query>),
    Boost(Score, Box<Scoring>),
    /// Matches when any part does; scores the sum of the parts that match.
    Sum(Vec<Scoring>),
    /// Matches when any part does; scores the best part plus `tie` times
    /// the others.
    Max(Vec<Scoring>, Score),
}

impl Scoring {
    /// The same query for tantivy.
    pub(super) fn query(&self) -> Box<dyn Query> {
        match self {
            Scoring::Leaf(q) => q.box_clone(),
            Scoring::Boost(b, s) => Box::new(BoostQuery::new(s.query(), *b)),
            Scoring::Sum(parts) => Box::new(BooleanQuery::new(
                parts.iter().map(|p| (Occur::Should, p.query())).collect(),
            )),
            Scoring::Max(parts, tie) => Box::new(DisjunctionMaxQuery::with_tie_breaker(
                parts.iter().map(Scoring::query).collect(),
                *tie,
            )),
        }
    }

    /// Every leaf with the product of the boosts above it, in tree order.
    fn leaves<'a>(&'a self, boost: Score, out: &mut Vec<(&'a dyn Query, Score)>) {
        match self {
            Scoring::Leaf(q) => out.push((q.as_ref(), boost)),
            Scoring::Boost(b, s) => s.leaves(boost * b, out),
            Scoring::Sum(parts) | Scoring::Max(parts, _) => {
                for p in parts {
                    p.leaves(boost, out);
                }
            }
        }
    }

    /// The score from the leaves' scores (boosts already applied), taken
    /// in tree order; `None` when nothing under it matches.
    fn combine(&self, leaf: &mut impl Iterator<Item = Option<Score>>) -> Option<Score> {
        match self {
            Scoring::Leaf(_) => leaf.next().flatten(),
            Scoring::Boost(_, s) => s.combine(leaf),
            Scoring::Sum(parts) => {
                let mut sum: Option<Score> = None;
                for p in parts {
                    if let Some(s) = p.combine(leaf) {
                        *sum.get_or_insert(0.0) += s;
                    }
                }
                sum
            }
            Scoring::Max(parts, tie) => {
                let (mut max, mut sum, mut any) = (Score::MIN, 0.0, false);
                for p in parts {
                    if let Some(s) = p.combine(leaf) {
                        max = max.max(s);
                        sum += s;
                        any = true;
                    }
                }
                // As tantivy's DisjunctionMaxCombiner computes it.
                any.then(|| max + (sum - max) * tie)
            }
        }
    }

    /// Every live document of the segment that the query matches, with its
    /// score, in doc id order: each leaf's matches read in full, then
    /// combined. For small notes, where that is a few hundred documents:
    /// tantivy's own evaluation sets up a union scorer per sum and maximum
    /// (each with a window of 4 096 documents' scores to clear), which on
    /// such notes costs more than the matching.
    pub(super) fn score_all(
        &self,
        frequencies: &Frequencies,
        reader: &SegmentReader,
    ) -> tantivy::Result<Vec<(DocId, Score)>> {
        let mut leaves = Vec::new();
        self.leaves(1.0, &mut leaves);
        let scoring = frequencies.scoring();
        let alive = reader.alive_bitset();
        // Per leaf, the documents it matches and their scores, in doc order.
        let mut per_leaf: Vec<Vec<(DocId, Score)>> = Vec::with_capacity(leaves.len());
        for (query, boost) in leaves {
            let mut scorer = query.weight(scoring)?.scorer(reader, boost)?;
            let mut matches = Vec::new();
            let mut doc = scorer.doc();
            while doc != TERMINATED {
                if alive.is_none_or(|a| a.is_alive(doc)) {
                    matches.push((doc, scorer.score()));
                }
                doc = scorer.advance();
            }
            per_leaf.push(matches);
        }
        let mut docs: Vec<DocId> = per_leaf.iter().flatten().map(|&(doc, _)| doc).collect();
        docs.sort_unstable();
        docs.dedup();
        let mut next = vec![0; per_leaf.len()];
        let mut scores: Vec<Option<Score>> = Vec::with_capacity(per_leaf.len());
        let mut out = Vec::with_capacity(docs.len());
        for doc in docs {
            scores.clear();
            for (matches, at) in per_leaf.iter().zip(&mut next) {
                match matches.get(*at) {
                    Some(&(d, score)) if d == doc => {
                        scores.push(Some(score));
                        *at += 1;
                    }
                    _ => scores.push(None),
                }
            }
            if let Some(score) = self.combine(&mut scores.iter().copied()) {
                out.push((doc, score));
            }
        }
        Ok(out)
    }

    /// The scores of `docs` (sorted, one segment), `None` for a document
    /// the query does not match.
    pub(super) fn score_docs(
        &self,
        frequencies: &Frequencies,
        reader: &SegmentReader,
        docs: &[DocId],
    ) -> tantivy::Result<Vec<Option<Score>>> {
        let mut leaves = Vec::new();
        self.leaves(1.0, &mut leaves);
        let scoring = frequencies.scoring();
        // Per leaf, its score for each document.
        let mut per_leaf: Vec<Vec<Option<Score>>> = Vec::with_capacity(leaves.len());
        for (query, boost) in leaves {
            let weight: Box<dyn Weight> = query.weight(scoring)?;
            let mut scores = Vec::with_capacity(docs.len());
            let Some((&first, rest)) = docs.split_first() else {
                per_leaf.push(scores);
                continue;
            };
            let (found, mut scorer) = weight.scorer_danger(reader, first, boost)?;
            // Nothing matches below `next` (what the last miss said).
            let mut next = match found {
                SeekDangerResult::Found => {
                    scores.push(Some(scorer.score()));
                    first + 1
                }
                SeekDangerResult::SeekLowerBound(bound) => {
                    scores.push(None);
                    bound
                }
            };
            for &doc in rest {
                if doc < next || doc < scorer.doc() {
                    scores.push(None);
                    continue;
                }
                match scorer.seek_danger(doc) {
                    SeekDangerResult::Found => {
                        scores.push(Some(scorer.score()));
                        next = doc + 1;
                    }
                    SeekDangerResult::SeekLowerBound(bound) => {
                        scores.push(None);
                        next = bound;
                    }
                }
            }
            per_leaf.push(scores);
        }
        Ok((0..docs.len())
            .map(|i| self.combine(&mut per_leaf.iter().map(|l| l[i])))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::TopDocs;
    use tantivy::query::{PhraseQuery, TermQuery};
    use tantivy::schema::{IndexRecordOption, Schema, TEXT};
    use tantivy::{doc, Index, Term};

    /// Scored leaf by leaf, each document gets the very score tantivy gives
    /// it, and the documents tantivy does not match get none.
    #[test]
    fn leaf_by_leaf_scores_are_tantivys() {
        let mut schema = Schema::builder();
        let body = schema.add_text_field("body", TEXT);
        let index = Index::create_in_ram(schema.build());
        let mut writer: tantivy::IndexWriter = index.writer(15_000_000).unwrap();
        for text in [
            "alpha beta gamma",
            "beta gamma alpha alpha",
            "gamma delta",
            "nothing here",
            "beta x gamma delta alpha",
            "alpha",
            "delta delta beta gamma",
        ] {
            writer.add_document(doc!(body => text)).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let term = |w: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(body, w),
                IndexRecordOption::WithFreqsAndPositions,
            ))
        };
        let phrase = |a: &str, b: &str| -> Box<dyn Query> {
            Box::new(PhraseQuery::new(vec![
                Term::from_field_text(body, a),
                Term::from_field_text(body, b),
            ]))
        };
        let q = Scoring::Sum(vec![
            Scoring::Boost(
                2.0,
                Box::new(Scoring::Max(
                    vec![
                        Scoring::Leaf(term("alpha")),
                        Scoring::Boost(1.5, Box::new(Scoring::Leaf(phrase("beta", "gamma")))),
                    ],
                    0.2,
                )),
            ),
            Scoring::Boost(0.5, Box::new(Scoring::Leaf(term("delta")))),
        ]);
        let want: std::collections::HashMap<u32, f32> = searcher
            .search(&*q.query(), &TopDocs::with_limit(100).order_by_score())
            .unwrap()
            .into_iter()
            .map(|(s, a)| (a.doc_id, s))
            .collect();
        let docs: Vec<u32> = (0..7).collect();
        let frequencies = Frequencies::new(&searcher);
        let got = q
            .score_docs(&frequencies, searcher.segment_reader(0), &docs)
            .unwrap();
        for (doc, score) in docs.iter().zip(&got) {
            match (want.get(doc), score) {
                (Some(w), Some(g)) => assert!((w - g).abs() < 1e-5, "doc {doc}: {w} vs {g}"),
                (None, None) => {}
                (w, g) => panic!("doc {doc}: tantivy {w:?}, leaf by leaf {g:?}"),
            }
        }
        assert_eq!(got.iter().filter(|s| s.is_none()).count(), 1, "{got:?}");
        // Every match at once: the same documents, the same scores.
        let all = q
            .score_all(&frequencies, searcher.segment_reader(0))
            .unwrap();
        assert_eq!(all.len(), want.len());
        for (doc, score) in &all {
            assert!((want[doc] - score).abs() < 1e-5, "doc {doc}");
        }
        // A subset, with gaps, scores the same.
        let some = [1, 4, 6];
        let got = q
            .score_docs(&frequencies, searcher.segment_reader(0), &some)
            .unwrap();
        for (doc, score) in some.iter().zip(got) {
            assert!((want[doc] - score.unwrap()).abs() < 1e-5, "doc {doc}");
        }
        // A deleted document is not a match (as a reload leaves them).
        writer.delete_term(Term::from_field_text(body, "x"));
        writer.commit().unwrap();
        let reader = index.reader().unwrap();
        reader.reload().unwrap();
        let searcher = reader.searcher();
        let frequencies = Frequencies::new(&searcher);
        let want = searcher
            .search(&*q.query(), &TopDocs::with_limit(100).order_by_score())
            .unwrap();
        let all = q
            .score_all(&frequencies, searcher.segment_reader(0))
            .unwrap();
        assert_eq!(all.len(), want.len());
        assert_eq!(all.len(), 5, "{all:?}");
        for (score, addr) in want {
            let (_, mine) = all.iter().find(|(d, _)| *d == addr.doc_id).unwrap();
            assert!((score - mine).abs() < 1e-5, "doc {}", addr.doc_id);
        }
    }
}
