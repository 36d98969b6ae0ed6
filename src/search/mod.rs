//! Free-text search over the notes: a tantivy index of passages, model cards
//! and terms, queried through our own query builder (never the query parser:
//! channel text is not a query language).

mod documents;
mod segment;
mod snippet;
mod vocabulary;

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::path::Path;
use std::sync::Arc;

use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    BooleanQuery, BoostQuery, DisjunctionMaxQuery, FuzzyTermQuery, Occur, PhraseQuery, Query,
    TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST};
use tantivy::{DocSet, Index, IndexReader, ReloadPolicy, TantivyDocument, Term};

use crate::domain::Knowledge;

pub use documents::{doc_text, DocRef, DocText};
pub use segment::{Piece, Segmenter};
pub use snippet::Snippet;
use vocabulary::Vocabulary;

const TOKENIZER: &str = "lineage";
/// Which [`DocRef`] a document is: a fast field, read without the doc store.
const DOC_FIELD: &str = "doc";
const WORDS_TOKENIZER: &str = "lineage_words";
/// Bump when the schema or tokenization changes, so persisted indexes rebuild.
const INDEX_FORMAT: u32 = 2;
/// Longest query considered; the rest of a pasted wall of text is ignored.
const MAX_QUERY_CHARS: usize = 300;
const MAX_CONCEPTS: usize = 24;
/// Candidates re-ranked by coverage.
const RERANK_DEPTH: usize = 50;

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("search index directory {path}: {source}")]
    Dir {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "search index directory {path} {why}; refusing to use it (choose an empty or new folder)"
    )]
    Foreign { path: String, why: &'static str },
}

/// One result.
#[derive(Debug, Clone)]
pub struct Hit {
    pub doc: DocRef,
    pub score: f32,
    pub title: String,
    pub text: String,
    pub snippet: Snippet,
    pub source: crate::domain::Source,
}

/// A page of results.
#[derive(Debug, Clone, Default)]
pub struct Results {
    pub hits: Vec<Hit>,
    /// Matching documents in all (for "next page").
    pub total: usize,
    /// Words corrected by "did you mean": (typed, used).
    pub corrections: Vec<(String, String)>,
}

#[derive(Clone, Copy)]
struct Fields {
    doc: Field,
    names: Field,
    title: Field,
    body: Field,
    /// Every Latin word as written (not stemmed): the dictionary "did you mean" walks.
    words: Field,
}

/// One concept of a query: alternatives that mean the same thing.
#[derive(Debug, Clone)]
struct Concept {
    alternatives: Vec<Vec<String>>,
    weight: f32,
}

/// The index with its reader: one per knowledge snapshot, one reader for its life.
pub struct SearchIndex {
    knowledge: Arc<Knowledge>,
    segmenter: Arc<Segmenter>,
    vocabulary: Vocabulary,
    reader: IndexReader,
    fields: Fields,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex").finish_non_exhaustive()
    }
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(TOKENIZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let doc = b.add_u64_field(DOC_FIELD, FAST);
    let names = b.add_text_field("names", text.clone());
    let title = b.add_text_field("title", text.clone());
    let body = b.add_text_field("body", text);
    let words = b.add_text_field(
        "words",
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(WORDS_TOKENIZER)
                .set_index_option(IndexRecordOption::Basic),
        ),
    );
    (
        b.build(),
        Fields {
            doc,
            names,
            title,
            body,
            words,
        },
    )
}

/// A segmenter that knows the knowledge's words (build once per process).
pub fn segmenter_for(k: &Knowledge) -> Arc<Segmenter> {
    let words = vocabulary::words(k);
    Arc::new(Segmenter::new(words.iter().map(String::as_str)))
}

/// A hash of everything that decides the index's content.
pub fn knowledge_fingerprint(k: &Knowledge) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    INDEX_FORMAT.hash(&mut h);
    for d in DocRef::all(k) {
        match d {
            // What doc_text makes of a passage, without copying its text.
            DocRef::Passage(id) => {
                let p = k.passage(id);
                (d.to_u64(), p.kind as u8, &p.headings, &p.text).hash(&mut h);
            }
            _ => {
                let t = doc_text(k, d);
                (d.to_u64(), t.names, t.title_indexed, t.body).hash(&mut h);
            }
        }
    }
    vocabulary::words(k).hash(&mut h);
    h.finish()
}

impl SearchIndex {
    /// Builds the index in RAM, or opens/rebuilds it in `dir` when given
    /// (rebuilt only when the knowledge changed).
    pub fn build(
        knowledge: Arc<Knowledge>,
        segmenter: Arc<Segmenter>,
        dir: Option<&Path>,
    ) -> Result<SearchIndex, SearchError> {
        let (schema, fields) = schema();
        let index = match dir {
            None => {
                let index = Index::create_in_ram(schema);
                register(&index, &segmenter);
                fill(&index, &knowledge, fields)?;
                index
            }
            Some(dir) => open_persistent(dir, schema, &knowledge, &segmenter, fields)?,
        };
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let vocabulary = Vocabulary::build(&knowledge, &segmenter);
        Ok(SearchIndex {
            knowledge,
            segmenter,
            vocabulary,
            reader,
            fields,
        })
    }

    pub fn knowledge(&self) -> &Arc<Knowledge> {
        &self.knowledge
    }

    pub fn segmenter(&self) -> &Arc<Segmenter> {
        &self.segmenter
    }

    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Searches; whatever the text, the answer is hits or no hits.
    pub fn search(&self, query: &str, limit: usize, offset: usize) -> Results {
        match self.try_search(query, limit, offset) {
            Ok(r) => r,
            Err(e) => {
                tracing::error!(error = %e, "search failed");
                Results::default()
            }
        }
    }

    fn try_search(&self, query: &str, limit: usize, offset: usize) -> tantivy::Result<Results> {
        let searcher = self.reader.searcher();
        let mut query: String = query.chars().take(MAX_QUERY_CHARS).collect();
        let known = |t: &str| -> tantivy::Result<bool> {
            for f in [self.fields.names, self.fields.title, self.fields.body] {
                if searcher.doc_freq(&Term::from_field_text(f, t))? > 0 {
                    return Ok(true);
                }
            }
            Ok(false)
        };
        // "Did you mean": Latin words the notes do not have are replaced by
        // their closest written form before anything else.
        let mut corrections = Vec::new();
        for (word, from, to) in self.segmenter.latin_words(&query).into_iter().rev() {
            let tokens = self.segmenter.tokens(&word);
            let mut unknown = !tokens.is_empty();
            for t in &tokens {
                unknown &= !known(t)? && !self.vocabulary.knows(t);
            }
            if unknown {
                if let Some(fixed) = self.did_you_mean(&searcher, &word)? {
                    query.replace_range(from..to, &fixed);
                    corrections.insert(0, (word, fixed));
                }
            }
        }
        let pieces = self.segmenter.pieces(&query);
        let concepts = self.concepts(&pieces, &known)?;
        let mut matched = 0;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut wanted: HashSet<String> = HashSet::new();
        for c in &concepts {
            let mut alternatives: Vec<Box<dyn Query>> = Vec::new();
            for alt in &c.alternatives {
                let mut all_known = true;
                for t in alt {
                    all_known &= known(t)?;
                }
                if !all_known {
                    continue;
                }
                wanted.extend(alt.iter().cloned());
                alternatives.push(self.alternative_query(alt));
            }
            if alternatives.is_empty() {
                continue;
            }
            matched += 1;
            let q: Box<dyn Query> =
                Box::new(DisjunctionMaxQuery::with_tie_breaker(alternatives, 0.2));
            clauses.push((Occur::Should, Box::new(BoostQuery::new(q, c.weight))));
        }
        // A question that shares too little with the notes gets no answer
        // rather than noise.
        if concepts.is_empty() || matched * 2 < concepts.len() {
            return Ok(Results {
                corrections,
                ..Results::default()
            });
        }
        // Words next to each other in the question score more when they are
        // near each other in the text.
        let words = vocabulary::match_form(&pieces);
        for pair in words.windows(2) {
            if pair[0] != pair[1] && known(&pair[0])? && known(&pair[1])? {
                let terms = pair
                    .iter()
                    .map(|t| Term::from_field_text(self.fields.body, t))
                    .collect();
                let mut phrase = PhraseQuery::new(terms);
                phrase.set_slop(3);
                clauses.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(phrase), 0.5)),
                ));
            }
        }
        let q = BooleanQuery::new(clauses);
        let limit = limit.clamp(1, 100);
        let offset = offset.min(1_000);
        // BM25 finds the candidates; the share of the question's concepts a
        // document covers then decides between them (Lucene's old "coord"),
        // so one word matched very well does not beat the whole question.
        let candidates = (offset + limit).max(RERANK_DEPTH);
        let (top, total) = searcher.search(
            &q,
            &(TopDocs::with_limit(candidates).order_by_score(), Count),
        )?;
        let contained = self.contained(&searcher, &top, &wanted)?;
        let doc_ids = searcher
            .segment_readers()
            .iter()
            .map(|segment| segment.fast_fields().u64(DOC_FIELD))
            .collect::<tantivy::Result<Vec<_>>>()?;
        let mut scored: Vec<(f32, DocRef)> = Vec::with_capacity(top.len());
        for (i, (score, addr)) in top.iter().enumerate() {
            let Some(doc) = doc_ids[addr.segment_ord as usize]
                .first(addr.doc_id)
                .and_then(|id| DocRef::from_u64(id, &self.knowledge))
            else {
                continue;
            };
            let coord = coverage(&concepts, |token| contained.contains(&(token, i)));
            scored.push((score * coord * coord, doc));
        }
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        // A term's card already shows its table row: keep only the card.
        let cards: HashSet<crate::domain::PassageId> = scored
            .iter()
            .filter_map(|(_, d)| match d {
                DocRef::Term(t) => Some(self.knowledge.term(*t).source),
                _ => None,
            })
            .collect();
        let before = scored.len();
        scored.retain(|(_, d)| !matches!(d, DocRef::Passage(p) if cards.contains(p)));
        let total = total.saturating_sub(before - scored.len());
        let hits = scored
            .into_iter()
            .skip(offset)
            .take(limit)
            .map(|(score, doc)| self.hit(doc, score, &wanted))
            .collect();
        Ok(Results {
            hits,
            total,
            corrections,
        })
    }

    /// Which wanted tokens each candidate (by its position in `top`) contains,
    /// read from the postings: nothing per document is kept in memory. Only
    /// tokens the index knows are wanted; the others have no postings anyway.
    fn contained<'q>(
        &self,
        searcher: &tantivy::Searcher,
        top: &[(f32, tantivy::DocAddress)],
        wanted: &'q HashSet<String>,
    ) -> tantivy::Result<HashSet<(&'q str, usize)>> {
        // Candidates per segment, in doc id order (postings only seek forward).
        let mut by_segment: HashMap<u32, Vec<(u32, usize)>> = HashMap::new();
        for (i, (_, addr)) in top.iter().enumerate() {
            by_segment
                .entry(addr.segment_ord)
                .or_default()
                .push((addr.doc_id, i));
        }
        let mut out = HashSet::new();
        for (segment, mut docs) in by_segment {
            docs.sort_unstable();
            let reader = searcher.segment_reader(segment);
            for field in [self.fields.names, self.fields.title, self.fields.body] {
                let inverted = reader.inverted_index(field)?;
                for token in wanted {
                    let term = Term::from_field_text(field, token);
                    let Some(mut postings) =
                        inverted.read_postings(&term, IndexRecordOption::Basic)?
                    else {
                        continue;
                    };
                    for &(doc, i) in &docs {
                        if postings.doc() <= doc && postings.seek(doc) == doc {
                            out.insert((token.as_str(), i));
                        }
                    }
                }
            }
        }
        Ok(out)
    }

    fn hit(&self, doc: DocRef, score: f32, wanted: &HashSet<String>) -> Hit {
        let t = doc_text(&self.knowledge, doc);
        let snippet = snippet::make(&self.segmenter, &t.body, wanted);
        Hit {
            doc,
            score,
            title: t.title,
            text: t.body,
            snippet,
            source: t.source,
        }
    }

    /// A phrase or word across fields, names counting most.
    fn alternative_query(&self, alt: &[String]) -> Box<dyn Query> {
        let f = self.fields;
        let per_field = [(f.names, 3.0), (f.title, 1.5), (f.body, 1.0)].map(|(field, boost)| {
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
            (
                Occur::Should,
                Box::new(BoostQuery::new(q, boost)) as Box<dyn Query>,
            )
        });
        Box::new(BooleanQuery::new(per_field.into_iter().collect()))
    }

    /// Groups the query's words into concepts: a glossary or name match
    /// (longest first) brings all its synonyms; other words stand alone, a
    /// compound as a whole when the notes have it, else by its parts.
    fn concepts(
        &self,
        pieces: &[Piece],
        known: &dyn Fn(&str) -> tantivy::Result<bool>,
    ) -> tantivy::Result<Vec<Concept>> {
        // Match on parts; remember which compound (whole piece) each came from.
        let mut words: Vec<String> = Vec::new();
        let mut owner: Vec<Option<usize>> = Vec::new();
        let mut current: Option<usize> = None;
        for (i, p) in pieces.iter().enumerate() {
            if p.whole {
                current = Some(i);
                continue;
            }
            if !p.part {
                current = None;
            }
            words.push(p.text.clone());
            owner.push(current);
        }
        let single = |w: &str| Concept {
            alternatives: vec![vec![w.to_string()]],
            weight: 1.0,
        };
        let mut out: Vec<Concept> = Vec::new();
        let mut i = 0;
        while i < words.len() && out.len() < MAX_CONCEPTS {
            if let Some((len, groups)) = self.vocabulary.longest_at(&words, i) {
                let mut alternatives: Vec<Vec<String>> = Vec::new();
                for g in groups {
                    for q in &self.vocabulary.groups[g].queries {
                        if !alternatives.contains(q) {
                            alternatives.push(q.clone());
                        }
                    }
                }
                out.push(Concept {
                    alternatives,
                    weight: 1.0 + 0.25 * (len as f32 - 1.0).min(2.0),
                });
                i += len;
                continue;
            }
            match owner[i] {
                Some(w) if known(&pieces[w].text)? => {
                    // The compound as written, and its parts as a phrase.
                    let rest = owner[i..].iter().take_while(|o| **o == Some(w)).count();
                    let parts = words[i..i + rest].to_vec();
                    out.push(Concept {
                        alternatives: vec![vec![pieces[w].text.clone()], parts],
                        weight: 1.0,
                    });
                    i += rest;
                }
                _ => {
                    out.push(single(&words[i]));
                    i += 1;
                }
            }
        }
        Ok(out)
    }

    /// The closest indexed word to a Latin-script word that is not indexed:
    /// no typo under 5 characters, one from 5, two from 9, first letter fixed;
    /// the most frequent candidate wins.
    fn did_you_mean(
        &self,
        searcher: &tantivy::Searcher,
        word: &str,
    ) -> tantivy::Result<Option<String>> {
        let n = word.chars().count();
        if n < 5 || !word.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Ok(None);
        }
        let distance = if n >= 9 { 2 } else { 1 };
        let first = word.chars().next();
        let mut best: Option<(u8, u64, String)> = None;
        for field in [self.fields.words] {
            let fuzzy = FuzzyTermQuery::new(Term::from_field_text(field, word), distance, true);
            let automaton = fuzzy.automaton()?;
            for segment in searcher.segment_readers() {
                let inverted = segment.inverted_index(field)?;
                let mut stream = inverted.terms().search(&automaton).into_stream()?;
                while stream.advance() {
                    let Ok(candidate) = std::str::from_utf8(stream.key()) else {
                        continue;
                    };
                    if candidate.chars().next() != first || candidate == word {
                        continue;
                    }
                    let d = crate::domain::names::edit_distance(word, candidate).min(255) as u8;
                    let freq = stream.value().doc_freq as u64;
                    let better = match &best {
                        None => true,
                        Some((bd, bf, _)) => d < *bd || (d == *bd && freq > *bf),
                    };
                    if better {
                        best = Some((d, freq, candidate.to_string()));
                    }
                }
            }
        }
        Ok(best.map(|(_, _, w)| w))
    }
}

/// The share of concepts a document contains (any alternative, all its tokens).
fn coverage(concepts: &[Concept], contains: impl Fn(&str) -> bool) -> f32 {
    if concepts.is_empty() {
        return 0.0;
    }
    let hit = concepts
        .iter()
        .filter(|c| {
            c.alternatives
                .iter()
                .any(|alt| alt.iter().all(|w| contains(w)))
        })
        .count();
    hit as f32 / concepts.len() as f32
}

fn register(index: &Index, seg: &Arc<Segmenter>) {
    index
        .tokenizers()
        .register(TOKENIZER, segment::SegmenterTokenizer(seg.clone()));
    index.tokenizers().register(
        WORDS_TOKENIZER,
        tantivy::tokenizer::TextAnalyzer::builder(tantivy::tokenizer::SimpleTokenizer::default())
            .filter(tantivy::tokenizer::LowerCaser)
            .filter(tantivy::tokenizer::AlphaNumOnlyFilter)
            .build(),
    );
}

fn fill(index: &Index, k: &Knowledge, f: Fields) -> tantivy::Result<()> {
    let mut writer = index.writer_with_num_threads(1, 50_000_000)?;
    writer.delete_all_documents()?;
    for d in DocRef::all(k) {
        let t = doc_text(k, d);
        let mut doc = TantivyDocument::default();
        doc.add_u64(f.doc, d.to_u64());
        doc.add_text(f.names, &t.names);
        doc.add_text(f.title, &t.title_indexed);
        doc.add_text(f.body, &t.body);
        doc.add_text(
            f.words,
            format!("{}\n{}\n{}", t.names, t.title_indexed, t.body),
        );
        writer.add_document(doc)?;
    }
    writer.commit()?;
    writer.wait_merging_threads()?;
    Ok(())
}

/// The bot's mark on an index folder: present only in folders it created or
/// found empty. A non-empty folder without it is never written to.
const MARKER_FILE: &str = "lineage-bot.index";
const MARKER_TEXT: &str =
    "This folder holds lineage-bot's search index (search.index_dir / --index-dir).\n\
lineage-bot rebuilds the index in tantivy/ when the notes change and touches nothing else here.\n\
Deleting the whole folder is safe: it is rebuilt at the next start.\n";
const FINGERPRINT_FILE: &str = "lineage-bot.fingerprint";
/// The index itself, a subfolder so the bot's files are never mixed with others.
const INDEX_SUBDIR: &str = "tantivy";

/// A file tantivy writes in its directory: `meta.json`, `.managed.json`, its
/// locks, and segment files named `<32 hex digits>.<ext>`.
fn is_tantivy_file(name: &str) -> bool {
    let segment = name.len() > 33
        && name.as_bytes()[32] == b'.'
        && name.as_bytes()[..32].iter().all(u8::is_ascii_hexdigit);
    segment
        || matches!(name, "meta.json" | ".managed.json")
        || (name.starts_with(".tantivy-") && name.ends_with(".lock"))
}

/// Removes the files tantivy wrote directly in `dir` (regular files only);
/// anything else stays.
fn remove_tantivy_files(dir: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        if entry.file_type()?.is_file() && name.to_str().is_some_and(is_tantivy_file) {
            std::fs::remove_file(entry.path())?;
        }
    }
    Ok(())
}

/// Makes `dir` the bot's index folder or says why it cannot be: a folder
/// that does not exist is created, an empty one adopted (both get the
/// marker); a non-empty one must carry the marker. A folder written by
/// versions before the marker (its fingerprint file next to tantivy's files)
/// is adopted after removing those files.
fn claim_index_dir(dir: &Path) -> Result<(), SearchError> {
    let io = |source| SearchError::Dir {
        path: dir.display().to_string(),
        source,
    };
    let marker = dir.join(MARKER_FILE);
    match std::fs::symlink_metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        Err(e) => return Err(io(e)),
        Ok(_) if marker.is_file() => return Ok(()),
        Ok(_) if !dir.is_dir() => {
            return Err(SearchError::Foreign {
                path: dir.display().to_string(),
                why: "is not a folder",
            })
        }
        Ok(_) => {
            let empty = std::fs::read_dir(dir).map_err(io)?.next().is_none();
            if dir.join(FINGERPRINT_FILE).is_file() && !dir.join(INDEX_SUBDIR).exists() {
                remove_tantivy_files(dir).map_err(io)?;
            } else if !empty {
                return Err(SearchError::Foreign {
                    path: dir.display().to_string(),
                    why: "is not empty and was not created by lineage-bot",
                });
            }
        }
    }
    std::fs::write(&marker, MARKER_TEXT).map_err(io)
}

/// Opens the index kept in `dir`, or builds it there when the notes changed.
/// Only what the bot wrote is ever removed: tantivy's own files in
/// `dir/tantivy/` (the folder goes only if nothing else is left in it).
fn open_persistent(
    dir: &Path,
    schema: Schema,
    k: &Knowledge,
    seg: &Arc<Segmenter>,
    f: Fields,
) -> Result<Index, SearchError> {
    claim_index_dir(dir)?;
    let index_dir = dir.join(INDEX_SUBDIR);
    let io = |source| SearchError::Dir {
        path: index_dir.display().to_string(),
        source,
    };
    let want = format!("{:016x}", knowledge_fingerprint(k));
    let stamp = dir.join(FINGERPRINT_FILE);
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(want.as_str()) {
        if let Ok(index) = Index::open_in_dir(&index_dir) {
            register(&index, seg);
            tracing::debug!(dir = %dir.display(), "search index is current; opened");
            return Ok(index);
        }
    }
    tracing::info!(dir = %dir.display(), "building the search index (the notes changed)");
    // The old fingerprint goes first: a build cut short is then rebuilt.
    if let Err(e) = std::fs::remove_file(&stamp) {
        if e.kind() != std::io::ErrorKind::NotFound {
            return Err(SearchError::Dir {
                path: stamp.display().to_string(),
                source: e,
            });
        }
    }
    if index_dir.is_dir() {
        remove_tantivy_files(&index_dir).map_err(io)?;
    } else {
        std::fs::create_dir(&index_dir).map_err(io)?;
    }
    let index = Index::create_in_dir(&index_dir, schema)?;
    register(&index, seg);
    fill(&index, k, f)?;
    std::fs::write(&stamp, want).map_err(io)?;
    Ok(index)
}

#[cfg(test)]
mod tests {
    use super::is_tantivy_file;

    #[test]
    fn only_tantivy_names_count_as_its_files() {
        for name in [
            "meta.json",
            ".managed.json",
            ".tantivy-writer.lock",
            ".tantivy-meta.lock",
            "0123456789abcdef0123456789abcdef.idx",
            "0123456789abcdef0123456789abcdef.12.del",
        ] {
            assert!(is_tantivy_file(name), "{name}");
        }
        for name in [
            "notes.md",
            "lineage-bot.index",
            "lineage-bot.fingerprint",
            "0123456789abcdef0123456789abcdeg.idx",
            "0123456789abcdef0123456789abcdef",
            "meta.json.bak",
        ] {
            assert!(!is_tantivy_file(name), "{name}");
        }
    }
}
