//! Stage 5, retrieve: the query tree of a question's concepts (each
//! alternative across fields), the candidates in one pass on small notes or
//! two on large ones, and which question words each candidate contains,
//! read from the postings.

use super::*;

/// Which wanted tokens each candidate (by position) contains: where a
/// reader sees them (title, names, text), in its own words (the text it
/// shows, or the names of a card), and directly above it.
#[derive(Default)]
pub(super) struct Contained<'q> {
    pub(super) any: HashSet<(&'q str, usize)>,
    pub(super) own: HashSet<(&'q str, usize)>,
    /// Directly under: its nearest heading or item, or its label.
    pub(super) near: HashSet<(&'q str, usize)>,
}

/// How many documents the first pass keeps per candidate wanted (and at
/// least): enough that the full query's own top candidates are among them.
pub(super) const POOL_PER_CANDIDATE: usize = 8;

pub(super) const POOL_MIN: usize = 1000;

/// The best documents by score, how many match, and whether that count is
/// exact.
pub(super) type Candidates = (Vec<(f32, tantivy::DocAddress)>, usize, bool);

/// The `n` best documents for the full query `q`, found in two passes so
/// that large notes are not scored exhaustively: a union of weighted terms
/// (`flat`: the query's words, every field) that tantivy evaluates with
/// block-max WAND, skipping documents that cannot reach its top; then the
/// full query (phrases, synonyms as alternatives, neighbouring words)
/// scores only that pool (`pool_size` documents). Also returns how many
/// documents match the full query: exact when the pool held every
/// first-pass match, else the matches found in the pool (a lower bound).
/// Small notes are scored in one pass ([`Scoring::score_all`]); the
/// `reference` (an [`SearchIndex::exhaustive`] index) by tantivy itself.
pub(super) fn top_candidates(
    frequencies: &Frequencies,
    q: &Scoring,
    flat: HashMap<Term, f32>,
    n: usize,
    pool_size: usize,
    reference: bool,
) -> tantivy::Result<Candidates> {
    let searcher = frequencies.searcher();
    if reference {
        // tantivy's own evaluation: what the bot's is checked against.
        let (top, count) = searcher.search_with_statistics_provider(
            &*q.query(),
            &(TopDocs::with_limit(n).order_by_score(), Count),
            frequencies,
        )?;
        return Ok((top, count, true));
    }
    if searcher.num_docs() < pool_size as u64 {
        // Small notes: the pool would be every document; one pass, every
        // match scored.
        let mut scored = Vec::new();
        for (segment, reader) in searcher.segment_readers().iter().enumerate() {
            for (doc, score) in q.score_all(frequencies, reader)? {
                scored.push((score, tantivy::DocAddress::new(segment as u32, doc)));
            }
        }
        return Ok(best(scored, n, true));
    }
    let terms: Vec<(Occur, Box<dyn Query>)> = flat
        .into_iter()
        .map(|(term, boost)| {
            let term = TermQuery::new(term, IndexRecordOption::WithFreqs);
            (
                Occur::Should,
                Box::new(BoostQuery::new(Box::new(term), boost)) as Box<dyn Query>,
            )
        })
        .collect();
    let pool = searcher.search_with_statistics_provider(
        &BooleanQuery::new(terms),
        &TopDocs::with_limit(pool_size).order_by_score(),
        frequencies,
    )?;
    let exhaustive = pool.len() < pool_size;
    // The pool per segment in doc order: scorers only seek forward.
    let mut by_segment: std::collections::BTreeMap<u32, Vec<u32>> = Default::default();
    for (_, addr) in &pool {
        by_segment
            .entry(addr.segment_ord)
            .or_default()
            .push(addr.doc_id);
    }
    let mut scored: Vec<(f32, tantivy::DocAddress)> = Vec::with_capacity(pool.len());
    for (segment, mut docs) in by_segment {
        docs.sort_unstable();
        let scores = q.score_docs(frequencies, searcher.segment_reader(segment), &docs)?;
        for (doc, score) in docs.into_iter().zip(scores) {
            if let Some(score) = score {
                scored.push((score, tantivy::DocAddress::new(segment, doc)));
            }
        }
    }
    Ok(best(scored, n, exhaustive))
}

/// The `n` best of the scored matches (ties by document, as tantivy's
/// `TopDocs`), and how many matched.
pub(super) fn best(
    mut scored: Vec<(f32, tantivy::DocAddress)>,
    n: usize,
    exhaustive: bool,
) -> Candidates {
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    // Every full match is in a pool that held every first-pass match.
    let matches = scored.len();
    scored.truncate(n);
    (scored, matches, exhaustive)
}

impl SearchIndex {
    /// Which wanted tokens each candidate (by its position in `top`) contains,
    /// read from the postings: nothing per document is kept in memory. Only
    /// tokens the index knows are wanted; the others have no postings anyway.
    pub(super) fn contained<'q>(
        &self,
        frequencies: &Frequencies,
        top: &[(f32, tantivy::DocAddress)],
        wanted: &'q HashSet<String>,
    ) -> tantivy::Result<Contained<'q>> {
        let searcher = frequencies.searcher();
        // Candidates per segment, in doc id order (postings only seek forward).
        let mut by_segment: HashMap<u32, Vec<(u32, usize)>> = HashMap::default();
        for (i, (_, addr)) in top.iter().enumerate() {
            by_segment
                .entry(addr.segment_ord)
                .or_default()
                .push((addr.doc_id, i));
        }
        let mut out = Contained::default();
        for (segment, mut docs) in by_segment {
            docs.sort_unstable();
            let reader = searcher.segment_reader(segment);
            for field in [
                self.fields.names,
                self.fields.title,
                self.fields.body,
                self.fields.facts,
                self.fields.near,
            ] {
                let inverted = reader.inverted_index(field)?;
                for token in wanted {
                    if frequencies.of(field, token)? == 0 {
                        continue;
                    }
                    let term = Term::from_field_text(field, token);
                    // Only membership is asked: the block cursor alone, no
                    // frequencies or positions.
                    let Some(mut postings) =
                        inverted.read_block_postings(&term, IndexRecordOption::Basic)?
                    else {
                        continue;
                    };
                    let own = field == self.fields.body || field == self.fields.names;
                    let near = field == self.fields.near;
                    // Coverage counts what a reader sees: a card's facts
                    // find it but do not answer for it.
                    let hidden = field == self.fields.facts;
                    for &(doc, i) in &docs {
                        let at = postings.seek(doc);
                        if at < postings.block_len() && postings.doc(at) == doc {
                            if own {
                                out.own.insert((token.as_str(), i));
                            }
                            if near {
                                out.near.insert((token.as_str(), i));
                            } else if !hidden {
                                out.any.insert((token.as_str(), i));
                            }
                        }
                    }
                }
            }
        }
        Ok(out)
    }

    /// An alternative as weighted terms of every field, for
    /// [`top_candidates`]' first pass. A word stands for itself; a phrase
    /// by its rarest word alone, with the phrase's whole weight: only
    /// documents holding every word of it can match the phrase in the
    /// second pass, and they all hold the rarest one, while its common
    /// words (`in`, `learning`, `模型`) would only bring documents the
    /// phrase never matches and slow block-max WAND down. A term keeps its
    /// highest weight.
    pub(super) fn flatten(
        &self,
        frequencies: &Frequencies,
        alt: &[String],
        weight: f32,
        flat: &mut HashMap<Term, f32>,
    ) -> tantivy::Result<()> {
        let mut rarest: Option<(u64, &String)> = None;
        for t in alt {
            let mut df = 0;
            for (field, _) in self.field_boosts() {
                df += frequencies.of(field, t)?;
            }
            if rarest.is_none_or(|(least, _)| df < least) {
                rarest = Some((df, t));
            }
        }
        let Some((_, word)) = rarest else {
            return Ok(());
        };
        for (field, boost) in self.field_boosts() {
            let w = flat
                .entry(Term::from_field_text(field, word))
                .or_insert(0.0);
            *w = w.max(boost * weight);
        }
        Ok(())
    }

    pub(super) fn field_boosts(&self) -> [(Field, f32); 4] {
        let f = self.fields;
        let w = &weights::WEIGHTS.fields;
        [
            (f.names, w.names),
            (f.title, w.title),
            (f.body, w.body),
            (f.facts, w.facts),
        ]
    }

    /// A phrase or word across fields, names counting most.
    /// A phrase scores as much as a word: its weight is spread over its
    /// tokens, so a concept written out long (基于人类反馈的强化学习) does not
    /// outweigh the same concept abbreviated (RLHF) or the rest of the question.
    /// A field where one of the words never occurs cannot match, and gets
    /// no leaf: its weight and scorer would cost a question for nothing.
    pub(super) fn alternative(
        &self,
        alt: &[String],
        frequencies: &Frequencies,
    ) -> tantivy::Result<Scoring> {
        let spread = 1.0 / alt.len().max(1) as f32;
        let mut per_field = Vec::new();
        for (field, boost) in self.field_boosts() {
            if !frequencies.all_in(&[field], alt)? {
                continue;
            }
            let q: Box<dyn Query> = if alt.len() == 1 {
                Box::new(TermQuery::new(
                    Term::from_field_text(field, &alt[0]),
                    IndexRecordOption::WithFreqsAndPositions,
                ))
            } else {
                Box::new(PhraseQuery::new(
                    alt.iter()
                        .map(|t| Term::from_field_text(field, t))
                        .collect(),
                ))
            };
            per_field.push(Scoring::Boost(boost * spread, Box::new(Scoring::Leaf(q))));
        }
        Ok(Scoring::Sum(per_field))
    }
}
