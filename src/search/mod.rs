//! Free-text search over the notes: a tantivy index of passages, the answer
//! units inside them (nested items, sentences), model cards and terms,
//! queried through our own query builder (never the query parser: channel
//! text is not a query language). What a question asks for
//! ([`question`]) steers the ranking; a question whose content words the
//! notes do not cover gets no hits at all.

mod documents;
mod files;
pub mod information;
mod lineage;
pub mod question;
mod scoring;
mod segment;
mod snippet;
mod vocabulary;
mod weights;

use foldhash::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST};
use tantivy::{Index, IndexReader, ReloadPolicy, TantivyDocument, Term};

use crate::domain::{Knowledge, ModelId, PassageId, UnitKind};

pub use documents::{doc_text, DocRef, DocText};
use question::{Kind, Question};
use scoring::{Frequencies, Scoring};
pub use segment::{Piece, Segmenter};
pub use snippet::Snippet;
use vocabulary::Vocabulary;

const TOKENIZER: &str = "lineage";
/// Which [`DocRef`] a document is: a fast field, read without the doc store.
const DOC_FIELD: &str = "doc";
/// Which notes file a document comes from ([`files::key`]; 0 for cards):
/// indexed, so that one file's documents can be deleted.
const FILE_FIELD: &str = "file";
/// What a document offers each kind of question ([`question::Offer`] bits).
const OFFERS_FIELD: &str = "offers";
const WORDS_TOKENIZER: &str = "lineage_words";
/// Bump when the schema, tokenization or the files' hash changes, so
/// persisted indexes rebuild.
const INDEX_FORMAT: u32 = 7;
/// An updated index this small is merged into one segment, so that deleted
/// documents leave no trace in the statistics (word counts, did-you-mean).
/// Larger ones are left to tantivy's merge policy: rewriting every document
/// on each edit would cost as much as the rebuild an update avoids (at 100×,
/// 9 600 documents, the merge was most of a one-file reload), and there a
/// few deleted documents hardly move the statistics.
const MERGE_BELOW_DOCS: u32 = 5_000;
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
    /// The text the hit shows, whole: it stands at `source` exactly.
    pub text: String,
    /// The part of `text` shown, with the matched words.
    pub snippet: Snippet,
    pub source: crate::domain::Source,
}

/// A page of results.
#[derive(Debug, Clone, Default)]
pub struct Results {
    pub hits: Vec<Hit>,
    /// Matching documents in all (for "next page").
    pub total: usize,
    /// `total` is at least this many: large notes are not counted to the end.
    pub total_is_lower_bound: bool,
    /// Words corrected by "did you mean": (typed, used).
    pub corrections: Vec<(String, String)>,
    /// What the question asked for.
    pub kinds: question::Kinds,
    /// What the question asks that the notes do not have at all (as typed:
    /// `layers`, `上下文窗口`): the notes don't cover this question, whatever
    /// they say about its subject. Empty when they cover it.
    pub lacking: Vec<String>,
    /// A question about the lineage: the steps of the graph it asks about
    /// (text-davinci-002 ─RLHF→ ChatGPT), which the answer leads with.
    pub steps: Vec<crate::domain::Edge>,
}

#[derive(Clone, Copy)]
struct Fields {
    doc: Field,
    file: Field,
    names: Field,
    title: Field,
    body: Field,
    /// The curator's card text: searched, never shown.
    facts: Field,
    /// What the text stands directly under: its nearest heading or item,
    /// and its label. Not searched; read to tell text about a subject from
    /// text that mentions it.
    near: Field,
    offers: Field,
    /// Every Latin word as written (not stemmed): the dictionary "did you mean" walks.
    words: Field,
}

/// One concept of a query: alternatives that mean the same thing.
#[derive(Debug, Clone)]
struct Concept {
    alternatives: Vec<Vec<String>>,
    weight: f32,
    /// A content word the answer must cover. Question wording (why, 作用,
    /// thanks) and a lone Chinese character that is no word of the
    /// vocabulary only help ranking.
    content: bool,
    /// A word of the vocabulary (a model, a term, a glossary word).
    named: bool,
    /// The name of a model or a term.
    entity: bool,
    /// The name of a model: what a question is about, never what it asks.
    model: bool,
    /// How much it says against general language ([`information`]): 0 for
    /// wording, 1 for a name or a rare word.
    info: f32,
    /// As the question wrote it, and where (bytes).
    typed: String,
    span: (usize, usize),
}

/// Which wanted tokens each candidate (by position) contains: where a
/// reader sees them (title, names, text), in its own words (the text it
/// shows, or the names of a card), and directly above it.
#[derive(Default)]
struct Contained<'q> {
    any: HashSet<(&'q str, usize)>,
    own: HashSet<(&'q str, usize)>,
    /// Directly under: its nearest heading or item, or its label.
    near: HashSet<(&'q str, usize)>,
}

/// A candidate after re-ranking.
#[derive(Debug, Clone, Copy)]
struct Scored {
    score: f32,
    doc: DocRef,
    /// Weighty content concepts it covers (title included), and content
    /// concepts in its own words.
    covered: usize,
    /// Which concepts it covers, by index (the first 64).
    counts: Covers,
    own: usize,
    /// One of the notes' own words among the covered ones.
    anchor: bool,
    /// It offers what the question asks for (a cause, a number…).
    fits: bool,
    /// It covers a model or term the question names.
    entity: bool,
    /// A comparison section that sets the very models a difference question
    /// names side by side: ranked above everything else.
    side_by_side: bool,
}

/// How an index came to be: what a start or reload cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opened {
    /// Every document indexed.
    Built,
    /// A persisted index that was current, opened as it was.
    Current,
    /// A persisted or serving index with these many notes files indexed
    /// again (edited or new), the rest kept.
    Updated { files: usize },
}

/// The index with its reader: one per knowledge snapshot, one reader for its life.
pub struct SearchIndex {
    knowledge: Arc<Knowledge>,
    segmenter: Arc<Segmenter>,
    vocabulary: Vocabulary,
    index: Index,
    reader: IndexReader,
    fields: Fields,
    /// Score every match with the full query (no first pass): the reference
    /// the two-pass search is checked against.
    exhaustive: bool,
    /// Which file each passage and unit comes from.
    files: files::Files,
    /// The folder it persists in, if any.
    dir: Option<PathBuf>,
    /// An update failed part way: the index may hold documents this
    /// snapshot does not know, so the next update builds anew.
    torn: std::sync::atomic::AtomicBool,
    /// Each shown text cut into words once, for snippets (a hit's text is
    /// the same every time; cutting it with jieba was a fifth of a
    /// question's time on the bundled notes). Bounded: emptied when full.
    pieces: std::sync::Mutex<HashMap<DocRef, Arc<Vec<Piece>>>>,
    opened: Opened,
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
    let file = b.add_u64_field(FILE_FIELD, FAST | tantivy::schema::INDEXED);
    let offers = b.add_u64_field(OFFERS_FIELD, FAST);
    let names = b.add_text_field("names", text.clone());
    let title = b.add_text_field("title", text.clone());
    let body = b.add_text_field("body", text.clone());
    let facts = b.add_text_field("facts", text.clone());
    let near = b.add_text_field("near", text);
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
            file,
            names,
            title,
            body,
            facts,
            near,
            offers,
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
    Stamp::of(k, &files::Files::of(k, None)).full
}

/// What a persisted index was made from, written beside it
/// ([`FINGERPRINT_FILE`]): a hash of everything; a hash of what every
/// document depends on (the format, the cards, the vocabulary jieba learns,
/// what the offers read); and each notes file's key, hash and path. When
/// only files changed, a start re-indexes those files alone.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stamp {
    full: u64,
    shared: u64,
    files: Vec<(u64, u64, String)>,
}

impl Stamp {
    fn of(k: &Knowledge, files: &files::Files) -> Stamp {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        INDEX_FORMAT.hash(&mut h);
        for d in cards(k) {
            let t = doc_text(k, d);
            (
                d.to_u64(),
                t.names,
                t.title_indexed,
                t.body,
                t.facts,
                t.shown,
            )
                .hash(&mut h);
            t.near.hash(&mut h);
            t.source.to_string().hash(&mut h);
        }
        vocabulary::words(k).hash(&mut h);
        question::OfferInputs::of(k).hash(&mut h);
        let shared = h.finish();
        let files: Vec<(u64, u64, String)> = files
            .spans
            .iter()
            .map(|s| (s.key, s.hash, s.path.to_string()))
            .collect();
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (shared, &files).hash(&mut h);
        Stamp {
            full: h.finish(),
            shared,
            files,
        }
    }

    /// The file's text: the full hash on the first line (what older
    /// versions wrote alone), the shared one, then a line per notes file.
    fn render(&self) -> String {
        let mut out = format!("{:016x}\n{:016x}\n", self.full, self.shared);
        for (key, hash, path) in &self.files {
            out.push_str(&format!("{key:016x} {hash:016x} {path}\n"));
        }
        out
    }

    fn parse(text: &str) -> Option<Stamp> {
        let hex = |s: &str| u64::from_str_radix(s, 16).ok();
        let mut lines = text.lines();
        let full = hex(lines.next()?)?;
        let shared = hex(lines.next()?)?;
        let mut files = Vec::new();
        for line in lines {
            let mut parts = line.splitn(3, ' ');
            let key = hex(parts.next()?)?;
            let hash = hex(parts.next()?)?;
            files.push((key, hash, parts.next()?.to_string()));
        }
        Some(Stamp {
            full,
            shared,
            files,
        })
    }
}

/// Commits, and merges an index below [`MERGE_BELOW_DOCS`] into one segment.
fn commit_and_merge_if_small(
    index: &Index,
    mut writer: tantivy::IndexWriter,
) -> tantivy::Result<()> {
    writer.commit()?;
    let segments = index.searchable_segment_metas()?;
    let docs: u32 = segments.iter().map(|m| m.max_doc()).sum();
    if segments.len() > 1 && docs < MERGE_BELOW_DOCS {
        let ids: Vec<_> = segments.iter().map(|m| m.id()).collect();
        writer.merge(&ids).wait()?;
    }
    writer.wait_merging_threads()
}

/// The model and term cards.
fn cards(k: &Knowledge) -> impl Iterator<Item = DocRef> + '_ {
    let models = k.models.iter().map(|m| DocRef::Model(m.id));
    models.chain(k.terms.iter().map(|t| DocRef::Term(t.id)))
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
        let files = files::Files::of(&knowledge, None);
        let (index, opened) = match dir {
            None => {
                let index = Index::create_in_ram(schema);
                register(&index, &segmenter);
                fill(&index, &knowledge, &files, fields)?;
                (index, Opened::Built)
            }
            Some(dir) => open_persistent(dir, schema, &knowledge, &files, &segmenter, fields)?,
        };
        SearchIndex::serving(knowledge, segmenter, index, fields, files, dir, opened)
    }

    /// How this index came to be.
    pub fn opened(&self) -> Opened {
        self.opened
    }

    fn serving(
        knowledge: Arc<Knowledge>,
        segmenter: Arc<Segmenter>,
        index: Index,
        fields: Fields,
        files: files::Files,
        dir: Option<&Path>,
        opened: Opened,
    ) -> Result<SearchIndex, SearchError> {
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let vocabulary = Vocabulary::build(&knowledge, &segmenter);
        Ok(SearchIndex {
            knowledge,
            segmenter,
            vocabulary,
            index,
            reader,
            fields,
            files,
            dir: dir.map(Path::to_path_buf),
            torn: std::sync::atomic::AtomicBool::new(false),
            exhaustive: false,
            pieces: Default::default(),
            opened,
        })
    }

    /// The same index searched exhaustively, by tantivy's own evaluation:
    /// every match is scored with the full query. Slower on large notes; for
    /// checking the bot's two-pass and small-notes scoring against it.
    pub fn exhaustive(&self) -> SearchIndex {
        SearchIndex {
            knowledge: self.knowledge.clone(),
            segmenter: self.segmenter.clone(),
            vocabulary: self.vocabulary.clone(),
            index: self.index.clone(),
            reader: self.reader.clone(),
            fields: self.fields,
            files: self.files.clone(),
            dir: None,
            torn: std::sync::atomic::AtomicBool::new(false),
            exhaustive: true,
            pieces: Default::default(),
            opened: self.opened,
        }
    }

    /// The index of `knowledge`, which differs from this one's only in the
    /// notes files named in `changed` (edited or new; files gone are
    /// noticed): those files' documents are deleted and added again, and the
    /// cards, in the same index (RAM or folder), while this one serves on
    /// unchanged. When what every document's tokens depend on has changed
    /// (the vocabulary jieba learns, what the offers read), it is built
    /// anew instead, as [`SearchIndex::build`] would.
    pub fn update(
        &self,
        knowledge: Arc<Knowledge>,
        changed: &std::collections::HashSet<&str>,
    ) -> Result<SearchIndex, SearchError> {
        use std::sync::atomic::Ordering::SeqCst;
        let words = vocabulary::words(&knowledge);
        if self.torn.load(SeqCst)
            || words != vocabulary::words(&self.knowledge)
            || question::OfferInputs::of(&knowledge) != question::OfferInputs::of(&self.knowledge)
        {
            let segmenter = Arc::new(Segmenter::new(words.iter().map(String::as_str)));
            return SearchIndex::build(knowledge, segmenter, self.dir.as_deref());
        }
        self.torn.store(true, SeqCst);
        let updated = self.apply(knowledge, changed)?;
        self.torn.store(false, SeqCst);
        Ok(updated)
    }

    /// [`SearchIndex::update`]'s writing part.
    fn apply(
        &self,
        knowledge: Arc<Knowledge>,
        changed: &std::collections::HashSet<&str>,
    ) -> Result<SearchIndex, SearchError> {
        let files = files::Files::of(&knowledge, Some((&self.files, changed)));
        let stamp = self
            .dir
            .as_ref()
            .map(|d| (d.join(FINGERPRINT_FILE), Stamp::of(&knowledge, &files)));
        let before: Vec<(u64, u64, &str)> = self
            .files
            .spans
            .iter()
            .map(|s| (s.key, s.hash, &*s.path))
            .collect();
        let reindexed = reindex_files(
            &self.index,
            stamp.as_ref().map(|(path, stamp)| (path.as_path(), stamp)),
            &before,
            &knowledge,
            &files,
            self.fields,
            Cards::Replace,
        )?;
        SearchIndex::serving(
            knowledge,
            self.segmenter.clone(),
            self.index.clone(),
            self.fields,
            files,
            self.dir.as_deref(),
            Opened::Updated { files: reindexed },
        )
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
        let (results, graph) = self.organic(query, limit, offset)?;
        Ok(match graph {
            Some(lineage::Graph::Steps(steps)) if offset == 0 => {
                self.lead_with_lineage(results, steps, limit)
            }
            Some(lineage::Graph::Steps(steps)) => Results { steps, ..results },
            Some(lineage::Graph::Size(model)) if offset == 0 => {
                self.lead_with_size(results, model, limit)
            }
            _ => results,
        })
    }

    /// The text search, and what the knowledge's graph and catalogue answer
    /// of the question: the lineage steps it asks about, or the size of the
    /// model whose size it asks.
    fn organic(
        &self,
        query: &str,
        limit: usize,
        offset: usize,
    ) -> tantivy::Result<(Results, Option<lineage::Graph>)> {
        let searcher = self.reader.searcher();
        let frequencies = Frequencies::new(&searcher);
        let mut query: String = query.chars().take(MAX_QUERY_CHARS).collect();
        let known = |t: &str| -> tantivy::Result<bool> {
            for (f, _) in self.field_boosts() {
                if frequencies.of(f, t)? > 0 {
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
        // Question wording (为什么, what … for, thanks) says what kind of
        // answer is wanted; it is not what the question is about.
        let question = question::read(&query);
        // What a difference question sets side by side: the models and
        // generations it names.
        let subjects = if question.kinds.has(Kind::Difference) {
            self.named_subjects(&query)
        } else {
            Vec::new()
        };
        let pieces = self.segmenter.pieces(&query);
        let concepts = self.concepts(&query, &pieces, &question, &known)?;
        // What a quantity question counts ("how many parameters", "多少人工
        // 标注者") is what it asks: an answer must say it.
        let counted = counted(&concepts, &question);
        let mut descent = self.descent(&query, &concepts).map(lineage::Graph::Steps);
        match counted.and_then(|i| self.size_asked(&concepts, i)) {
            // The catalogue knows every size the notes give: one it lacks,
            // the notes don't say.
            Some((_, false)) => {
                let i = counted.expect("a counted concept");
                return Ok((
                    Results {
                        lacking: vec![concepts[i].typed.clone()],
                        kinds: question.kinds,
                        corrections,
                        ..Results::default()
                    },
                    None,
                ));
            }
            Some((model, true)) => descent = Some(lineage::Graph::Size(model)),
            None => {}
        }
        // The notes' own words: in the text of the notes, or a name of the
        // vocabulary. A question must be about at least one of them.
        let f = self.fields;
        // Per concept: one of the notes' own words (anchored), and whether a
        // reader could see it anywhere at all (seen: not only in hidden facts).
        let mut anchored: Vec<bool> = Vec::with_capacity(concepts.len());
        let mut seen: Vec<bool> = Vec::with_capacity(concepts.len());
        for c in &concepts {
            let (mut a, mut v) = (c.content && c.named, false);
            for alt in &c.alternatives {
                if !c.content {
                    break;
                }
                a = a || frequencies.all_in(&[f.body], alt)?;
                v = v || frequencies.all_in(&[f.body, f.title, f.names], alt)?;
            }
            anchored.push(a);
            seen.push(v);
        }
        let content = concepts.iter().filter(|c| c.content).count();
        let mut found: Vec<bool> = vec![false; concepts.len()];
        let mut clauses: Vec<Scoring> = Vec::new();
        let mut flat: HashMap<Term, f32> = HashMap::default();
        let mut wanted: HashSet<String> = HashSet::default();
        let mut shown: snippet::Wanted = HashMap::default();
        for (ci, c) in concepts.iter().enumerate() {
            let mut alternatives: Vec<Scoring> = Vec::new();
            for alt in &c.alternatives {
                let mut all_known = true;
                for t in alt {
                    all_known &= known(t)?;
                }
                if !all_known {
                    continue;
                }
                wanted.extend(alt.iter().cloned());
                for t in alt {
                    shown.entry(t.clone()).or_insert(ci as u32);
                }
                alternatives.push(self.alternative(alt, &frequencies)?);
                self.flatten(&frequencies, alt, c.weight, &mut flat)?;
            }
            if alternatives.is_empty() {
                continue;
            }
            found[ci] = true;
            clauses.push(Scoring::Boost(
                c.weight,
                Box::new(Scoring::Max(alternatives, weights::WEIGHTS.synonym_tie)),
            ));
        }
        // A question that shares too little with the notes gets no answer
        // rather than noise.
        let nothing = |corrections| Results {
            corrections,
            kinds: question.kinds,
            ..Results::default()
        };
        if content == 0 || !anchored.contains(&true) {
            return Ok((nothing(corrections), descent));
        }
        // What the question asks that the notes lack: a question is about
        // its heavy words, and when those the notes never mention weigh as
        // much as the rest of what it asks, the notes don't cover it
        // ("how many layers does text-davinci-002 have": `layers`).
        let lacking = lacking(
            &concepts,
            &found,
            !question.asks(),
            !question.fillers.is_empty() && !question.asks(),
            &|c: &Concept| {
                c.alternatives
                    .iter()
                    .all(|alt| alt.iter().all(|t| self.vocabulary.only_inside_longer(t)))
            },
        );
        if tracing::enabled!(tracing::Level::DEBUG) {
            let shown: Vec<String> = concepts
                .iter()
                .zip(&found)
                .map(|(c, f)| {
                    format!(
                        "{}{}{}{}:{:.2}",
                        c.typed,
                        if c.content { "" } else { "/w" },
                        if c.model {
                            "/m"
                        } else if c.entity {
                            "/e"
                        } else {
                            ""
                        },
                        if *f { "" } else { "/absent" },
                        c.info
                    )
                })
                .collect();
            tracing::debug!(concepts = ?shown, ?lacking, kinds = ?question.kinds, "question read");
        }
        if !lacking.is_empty() {
            return Ok((
                Results {
                    lacking,
                    ..nothing(corrections)
                },
                descent,
            ));
        }
        // Words next to each other in the question score more when they are
        // near each other in the text.
        let words = vocabulary::match_form(&pieces);
        for pair in words.windows(2) {
            if pair[0] != pair[1] && frequencies.all_in(&[self.fields.body], pair)? {
                let terms = pair
                    .iter()
                    .map(|t| Term::from_field_text(self.fields.body, t))
                    .collect();
                let mut phrase = PhraseQuery::new(terms);
                phrase.set_slop(weights::WEIGHTS.neighbour_slop);
                clauses.push(Scoring::Boost(
                    weights::WEIGHTS.neighbour_boost,
                    Box::new(Scoring::Leaf(Box::new(phrase))),
                ));
            }
        }
        let q = Scoring::Sum(clauses);
        let limit = limit.clamp(1, 100);
        let offset = offset.min(1_000);
        // BM25 finds the candidates; the share of the question's concepts a
        // document covers then decides between them (Lucene's old "coord"),
        // so one word matched very well does not beat the whole question.
        let candidates = (offset + limit).max(RERANK_DEPTH);
        let pool = (candidates * POOL_PER_CANDIDATE).max(POOL_MIN);
        let (top, total, exhaustive) =
            top_candidates(&frequencies, &q, flat, candidates, pool, self.exhaustive)?;
        let contained = self.contained(&frequencies, &top, &wanted)?;
        let columns = |name: &str| {
            searcher
                .segment_readers()
                .iter()
                .map(|segment| segment.fast_fields().u64(name))
                .collect::<tantivy::Result<Vec<_>>>()
        };
        let (doc_ids, file_ids, offers) = (
            columns(DOC_FIELD)?,
            columns(FILE_FIELD)?,
            columns(OFFERS_FIELD)?,
        );
        let mut scored: Vec<Scored> = Vec::with_capacity(top.len());
        for (i, (score, addr)) in top.iter().enumerate() {
            let segment = addr.segment_ord as usize;
            let file = file_ids[segment].first(addr.doc_id);
            let Some(doc) = doc_ids[segment]
                .first(addr.doc_id)
                .zip(file)
                .and_then(|(id, file)| self.files.resolve(&self.knowledge, file, id))
            else {
                continue;
            };
            // A whole comparison section answers "what is the difference";
            // for anything else its items answer on their own.
            if !question.kinds.has(Kind::Difference) && self.is_section(doc) {
                continue;
            }
            let has = |set: &HashSet<(&str, usize)>, c: &Concept| {
                c.alternatives
                    .iter()
                    .any(|alt| alt.iter().all(|w| set.contains(&(w.as_str(), i))))
            };
            let covered: Vec<bool> = concepts.iter().map(|c| has(&contained.any, c)).collect();
            let count = |flags: &mut dyn Iterator<Item = bool>| {
                concepts
                    .iter()
                    .zip(flags)
                    .filter(|(c, h)| c.content && *h)
                    .count()
            };
            let hit = count(&mut covered.iter().copied());
            let own = count(&mut concepts.iter().map(|c| has(&contained.own, c)));
            let weighty_hit = concepts
                .iter()
                .zip(&covered)
                .filter(|(c, &h)| h && weighty(c))
                .count();

            let anchor = covered.iter().zip(&anchored).any(|(&h, &a)| h && a);
            let entity = concepts
                .iter()
                .zip(&covered)
                .any(|(c, &h)| h && c.content && c.entity);
            let under = concepts
                .iter()
                .any(|c| c.content && has(&contained.near, c));
            let coord = hit as f32 / content as f32;
            let offer = question::Offers(offers[segment].first(addr.doc_id).unwrap_or(0));
            let fit = weights::fit(question.kinds, doc, offer, under);
            scored.push(Scored {
                score: score * coord.powi(weights::WEIGHTS.coord_power) * fit,
                doc,
                covered: weighty_hit,
                counts: Covers::of(&covered),
                own,
                anchor,
                fits: fit > 1.0,
                entity,
                side_by_side: self.sets_side_by_side(doc, &subjects),
            });
        }
        scored.sort_by(|a, b| {
            (b.side_by_side, b.score)
                .partial_cmp(&(a.side_by_side, a.score))
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        // A hit must cover what the question is about, and one of the notes'
        // own words among it:
        // - a question that names no model or term, or that comes with talk
        //   ("thanks for the prompt reply"): all its content words when it
        //   has one or two ("who wants pizza" has none covered), else a
        //   third of them and two at least;
        // - one that names a model or term: that model or term, and when it
        //   has more than two content words a reader could find in the
        //   notes at all ("when was ChatGPT released": not `released`), a
        //   third of those.
        // Words that say little (below `lacking_word`) are not required:
        // "how does RLHF work" is about RLHF.
        // Talk is fillers in a message that asks nothing ("thanks for the
        // prompt reply"); "anyone know what …" is asking.
        let talk = !question.fillers.is_empty() && !question.asks();
        let names_entity = concepts.iter().any(|c| c.content && c.entity) && !talk;
        let wanted_words: Vec<&Concept> = concepts
            .iter()
            .zip(&seen)
            .filter(|(c, &v)| weighty(c) && (v || !names_entity))
            .map(|(c, _)| c)
            .collect();
        let need = wanted_words.len();
        let answers = |s: &Scored| {
            let enough = if !names_entity {
                if need <= 2 {
                    s.covered >= need
                } else {
                    s.covered >= 2 && s.covered * 3 >= need
                }
            } else {
                s.entity && (need <= 2 || s.covered * 3 >= need)
            };
            s.anchor && enough && counted.is_none_or(|i| s.counts[i])
        };
        // Only what answers is shown; nothing answers → no hits at all.
        let before = scored.len();
        scored.retain(answers);
        if scored.is_empty() {
            return Ok((nothing(corrections), descent));
        }
        let scored = self.one_per_place(scored, question.kinds.has(Kind::Difference));
        let total = if top.len() < candidates {
            scored.len()
        } else {
            total.saturating_sub(before - scored.len())
        };
        let hits = scored
            .into_iter()
            .skip(offset)
            .take(limit)
            .map(|s| self.hit(s.doc, s.score, &shown))
            .collect();
        Ok((
            Results {
                hits,
                total,
                total_is_lower_bound: !exhaustive,
                corrections,
                kinds: question.kinds,
                lacking: Vec::new(),
                steps: Vec::new(),
            },
            descent,
        ))
    }

    /// One hit per place in the notes: a unit, the passage it stands in and
    /// the card that shows that passage as its line are one place. The place
    /// keeps its best score; what it shows is the most precise of its
    /// documents: the one whose own words cover most of the question, then
    /// one that offers what is asked (the sentence with the cause), then the
    /// shortest (a sentence before its item, an item before its passage) —
    /// the longest when a difference is asked, so both sides show. A card
    /// shows the very passage it stands for, named.
    fn one_per_place(&self, scored: Vec<Scored>, both_sides: bool) -> Vec<Scored> {
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
    fn named_subjects(&self, query: &str) -> Vec<Vec<ModelId>> {
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
    fn sets_side_by_side(&self, doc: DocRef, subjects: &[Vec<ModelId>]) -> bool {
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

    fn is_section(&self, doc: DocRef) -> bool {
        matches!(doc, DocRef::Unit(u) if self.knowledge.unit(u).kind == UnitKind::Section)
    }

    /// Which wanted tokens each candidate (by its position in `top`) contains,
    /// read from the postings: nothing per document is kept in memory. Only
    /// tokens the index knows are wanted; the others have no postings anyway.
    fn contained<'q>(
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

    /// `shown` (the text `doc` shows) cut into words, cut once.
    fn pieces_of(&self, doc: DocRef, shown: &str) -> Arc<Vec<Piece>> {
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

    fn hit(&self, doc: DocRef, score: f32, wanted: &snippet::Wanted) -> Hit {
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
            title: t.title,
            text: t.shown,
            snippet,
            source,
        }
    }

    /// An alternative as weighted terms of every field, for
    /// [`top_candidates`]' first pass. A word stands for itself; a phrase
    /// by its rarest word alone, with the phrase's whole weight: only
    /// documents holding every word of it can match the phrase in the
    /// second pass, and they all hold the rarest one, while its common
    /// words (`in`, `learning`, `模型`) would only bring documents the
    /// phrase never matches and slow block-max WAND down. A term keeps its
    /// highest weight.
    fn flatten(
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

    fn field_boosts(&self) -> [(Field, f32); 4] {
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
    fn alternative(&self, alt: &[String], frequencies: &Frequencies) -> tantivy::Result<Scoring> {
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

    /// Groups the query's words into concepts: a glossary or name match
    /// (longest first) brings all its synonyms; other words stand alone, a
    /// compound as a whole when the notes have it, else by its parts.
    fn concepts(
        &self,
        query: &str,
        pieces: &[Piece],
        question: &Question,
        known: &dyn Fn(&str) -> tantivy::Result<bool>,
    ) -> tantivy::Result<Vec<Concept>> {
        // Match on parts; remember which compound (whole piece) each came
        // from, and which words are question wording (not content).
        let mut words: Vec<String> = Vec::new();
        let mut owner: Vec<Option<usize>> = Vec::new();
        let mut wording: Vec<bool> = Vec::new();
        let mut talk: Vec<bool> = Vec::new();
        let mut spans: Vec<(usize, usize)> = Vec::new();
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
            // A stop word inside a compound (`in` of `in-context`) is kept
            // for matching names, but is no content.
            let stop = p.part && segment::is_stop_word(&p.text);
            spans.push((p.from, p.to));
            wording.push(question.is_wording(p.from..p.to) || stop);
            talk.push(question.is_mere_wording(p.from..p.to) || stop);
        }
        // A lone Chinese character (多, 车, 做) is no content word unless the
        // vocabulary has it.
        let lone_han = |w: &str| w.chars().count() == 1 && w.chars().all(|c| !c.is_ascii());
        let single = |w: &str, wording: bool| Concept {
            alternatives: vec![vec![w.to_string()]],
            weight: 1.0,
            content: !wording && !lone_han(w),
            named: false,
            entity: false,
            model: false,
            info: 0.0,
            typed: String::new(),
            span: (0, 0),
        };
        let mut out: Vec<Concept> = Vec::new();
        // Where each concept stands in the query: jieba's search mode cuts
        // overlapping words (写文章, 文章), which are one concept, not two.
        let mut at: Vec<(usize, usize)> = Vec::new();
        let mut i = 0;
        while i < words.len() && out.len() < MAX_CONCEPTS {
            let start = i;
            if let Some((len, groups)) = self.vocabulary.longest_at(&words, i) {
                let mut alternatives: Vec<Vec<String>> = Vec::new();
                for &g in &groups {
                    for q in &self.vocabulary.groups[g].queries {
                        if !alternatives.contains(q) {
                            alternatives.push(q.clone());
                        }
                    }
                }
                out.push(Concept {
                    alternatives,
                    weight: 1.0 + weights::WEIGHTS.longer_name * (len as f32 - 1.0).min(2.0),
                    content: !talk[i..i + len].iter().all(|&w| w),
                    named: true,
                    entity: groups.iter().any(|&g| self.vocabulary.groups[g].entity),
                    model: groups.iter().any(|&g| self.vocabulary.groups[g].model),
                    info: 0.0,
                    typed: String::new(),
                    span: (0, 0),
                });
                i += len;
            } else {
                match owner[i] {
                    Some(w) if known(&pieces[w].text)? => {
                        // The compound as written, and its parts as a phrase.
                        let rest = owner[i..].iter().take_while(|o| **o == Some(w)).count();
                        let parts = words[i..i + rest].to_vec();
                        out.push(Concept {
                            alternatives: vec![vec![pieces[w].text.clone()], parts],
                            weight: 1.0,
                            content: !wording[i..i + rest].iter().all(|&w| w),
                            named: false,
                            entity: false,
                            model: false,
                            info: 0.0,
                            typed: String::new(),
                            span: (0, 0),
                        });
                        i += rest;
                    }
                    _ => {
                        out.push(single(&words[i], wording[i]));
                        i += 1;
                    }
                }
            }
            let span = (
                spans[start].0,
                spans[start..i].iter().map(|s| s.1).max().unwrap_or(0),
            );
            if let Some(c) = out.last_mut() {
                c.typed = query.get(span.0..span.1).unwrap_or_default().to_string();
                c.span = span;
                // What it says: a name says all; a word, what general
                // language says of it; wording, nothing.
                c.info = if !c.content {
                    0.0
                } else if c.entity {
                    1.0
                } else {
                    information::weight(&self.segmenter, &c.typed)
                };
            }
            let overlapping = at.last().is_some_and(|&(f, t)| span.0 < t && f < span.1);
            if overlapping && out.len() >= 2 {
                let c = out.pop().expect("a concept");
                let prev = out.last_mut().expect("a concept");
                for a in c.alternatives {
                    if !prev.alternatives.contains(&a) {
                        prev.alternatives.push(a);
                    }
                }
                prev.weight = prev.weight.max(c.weight);
                prev.content |= c.content;
                prev.named |= c.named;
                prev.entity |= c.entity;
                prev.model |= c.model;
                prev.info = prev.info.max(c.info);
                if c.typed.len() > prev.typed.len() {
                    prev.typed = c.typed;
                }
                prev.span = (prev.span.0.min(c.span.0), prev.span.1.max(c.span.1));
                let last = at.last_mut().expect("a span");
                *last = (last.0.min(span.0), last.1.max(span.1));
            } else {
                at.push(span);
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

/// Shown texts kept cut into words for snippets (about 2 KB each).
const PIECES_CACHED: usize = 4096;

/// How many documents the first pass keeps per candidate wanted (and at
/// least): enough that the full query's own top candidates are among them.
const POOL_PER_CANDIDATE: usize = 8;
const POOL_MIN: usize = 1000;

/// The best documents by score, how many match, and whether that count is
/// exact.
type Candidates = (Vec<(f32, tantivy::DocAddress)>, usize, bool);

/// `words` (typed texts of `concepts`) with neighbours written together
/// joined into one: `上下文` and `窗口` into `上下文窗口`.
fn merge_adjacent(concepts: &[Concept], words: Vec<String>) -> Vec<String> {
    let mut out: Vec<(String, usize)> = Vec::new();
    for c in concepts {
        if !words.contains(&c.typed) {
            continue;
        }
        match out.last_mut() {
            Some((text, end)) if *end == c.span.0 => {
                text.push_str(&c.typed);
                *end = c.span.1;
            }
            _ => out.push((c.typed.clone(), c.span.1)),
        }
    }
    out.into_iter().map(|(t, _)| t).collect()
}

/// Which concepts a candidate covers: a bit per concept (at most
/// [`MAX_CONCEPTS`] ≤ 64).
#[derive(Debug, Clone, Copy, Default)]
struct Covers(u64);

impl Covers {
    fn of(flags: &[bool]) -> Covers {
        Covers(
            flags
                .iter()
                .take(64)
                .enumerate()
                .fold(0, |bits, (i, &f)| bits | (u64::from(f) << i)),
        )
    }
}

impl std::ops::Index<usize> for Covers {
    type Output = bool;
    fn index(&self, i: usize) -> &bool {
        if i < 64 && self.0 & (1 << i) != 0 {
            &true
        } else {
            &false
        }
    }
}

/// The concept a quantity question counts: the first content concept after
/// its quantity cue, when it is a weighty word and no name ("how many
/// parameters does ChatGPT have": `parameters`).
fn counted(concepts: &[Concept], question: &Question) -> Option<usize> {
    let after = question.counted_after?;
    let i = concepts
        .iter()
        .position(|c| c.content && c.span.0 >= after)?;
    let c = &concepts[i];
    (weighty(c) && !c.entity).then_some(i)
}

/// A content word that says enough to be asked about: a name, or a word
/// no more common than [`weights::RankWeights::lacking_word`] allows.
fn weighty(c: &Concept) -> bool {
    c.content && (c.entity || c.info >= weights::WEIGHTS.lacking_word)
}

/// The words of a question the notes lack, as typed, when they weigh as
/// much as what the notes have of what it asks: a model it names is what it
/// is about, not what it asks, and counts for neither side. Empty when the
/// notes cover the question.
fn lacking(
    concepts: &[Concept],
    found: &[bool],
    statement: bool,
    talk: bool,
    bound: &dyn Fn(&Concept) -> bool,
) -> Vec<String> {
    let w = &weights::WEIGHTS;
    // Talk that is no question must be the notes' words through and through.
    let least = if statement && talk {
        0.0
    } else {
        w.lacking_word
    };
    let absent = |i: usize| {
        let c = &concepts[i];
        c.content && !c.model && !found[i] && c.info >= least && (c.info > 0.0 || least > 0.0)
    };
    let han = |c: &Concept| !c.typed.is_empty() && c.typed.chars().all(|ch| !ch.is_ascii());
    let (mut lack, mut asked) = (0.0f32, 0.0f32);
    let mut words: Vec<String> = Vec::new();
    for (i, c) in concepts.iter().enumerate() {
        if !c.content || c.model {
            continue;
        }
        asked += if c.entity { w.term_share } else { c.info };
        // A Chinese word the notes use only inside longer names, written
        // together with a rare word they lack, is part of the compound they
        // lack: 上下文窗口 is not 上下文(学习).
        let glued = !absent(i)
            && !c.named
            && han(c)
            && bound(c)
            && [i.wrapping_sub(1), i + 1].into_iter().any(|j| {
                j < concepts.len()
                    && absent(j)
                    && concepts[j].info >= w.glued_word
                    && han(&concepts[j])
                    && (concepts[j].span.1 == c.span.0 || c.span.1 == concepts[j].span.0)
            });
        if absent(i) || glued {
            lack += c.info;
            words.push(c.typed.clone());
        }
    }
    // Glued words are shown as the compound the question wrote.
    words = merge_adjacent(concepts, words);
    // A statement (no question wording) is held to a stricter share: in a
    // channel it is more likely talk about these things than a query.
    let share = if statement {
        w.statement_lacking_share
    } else {
        w.lacking_share
    };
    if lack > 0.0 && lack >= share * asked {
        words
    } else {
        Vec::new()
    }
}

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
fn top_candidates(
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
fn best(mut scored: Vec<(f32, tantivy::DocAddress)>, n: usize, exhaustive: bool) -> Candidates {
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    // Every full match is in a pool that held every first-pass match.
    let matches = scored.len();
    scored.truncate(n);
    (scored, matches, exhaustive)
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

fn fill(index: &Index, k: &Knowledge, files: &files::Files, f: Fields) -> tantivy::Result<()> {
    let mut writer = index.writer_with_num_threads(1, 50_000_000)?;
    writer.delete_all_documents()?;
    let reader = question::OfferReader::new(k);
    for s in &files.spans {
        for (d, id) in s.documents() {
            writer.add_document(document(k, &reader, f, d, s.key, id))?;
        }
    }
    for d in cards(k) {
        writer.add_document(document(k, &reader, f, d, files::CARDS, d.to_u64()))?;
    }
    writer.commit()?;
    writer.wait_merging_threads()?;
    Ok(())
}

/// `d` as stored: under `file` (its key, or [`files::CARDS`]) and `id`.
fn document(
    k: &Knowledge,
    reader: &question::OfferReader,
    f: Fields,
    d: DocRef,
    file: u64,
    id: u64,
) -> TantivyDocument {
    let t = doc_text(k, d);
    let mut doc = TantivyDocument::default();
    doc.add_u64(f.doc, id);
    doc.add_u64(f.file, file);
    doc.add_u64(f.offers, reader.offers(k, d, &t.shown).0);
    doc.add_text(f.names, &t.names);
    doc.add_text(f.title, &t.title_indexed);
    doc.add_text(f.body, &t.body);
    doc.add_text(f.facts, &t.facts);
    doc.add_text(f.near, &t.near);
    doc.add_text(
        f.words,
        format!("{}\n{}\n{}\n{}", t.names, t.title_indexed, t.body, t.facts),
    );
    doc
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
    files: &files::Files,
    seg: &Arc<Segmenter>,
    f: Fields,
) -> Result<(Index, Opened), SearchError> {
    claim_index_dir(dir)?;
    let index_dir = dir.join(INDEX_SUBDIR);
    let io = |source| SearchError::Dir {
        path: index_dir.display().to_string(),
        source,
    };
    let want = Stamp::of(k, files);
    let stamp = dir.join(FINGERPRINT_FILE);
    let had = std::fs::read_to_string(&stamp)
        .ok()
        .and_then(|t| Stamp::parse(&t));
    if let Some(had) = had.filter(|h| h.shared == want.shared) {
        if let Ok(index) = Index::open_in_dir(&index_dir) {
            register(&index, seg);
            if had.full == want.full {
                tracing::debug!(dir = %dir.display(), "search index is current; opened");
                return Ok((index, Opened::Current));
            }
            // Only notes files changed since: those are indexed again.
            let before: Vec<(u64, u64, &str)> = had
                .files
                .iter()
                .map(|(key, hash, path)| (*key, *hash, path.as_str()))
                .collect();
            let stamped = Some((stamp.as_path(), &want));
            match reindex_files(&index, stamped, &before, k, files, f, Cards::Keep) {
                Ok(changed) => {
                    tracing::info!(
                        dir = %dir.display(),
                        changed,
                        files = files.spans.len(),
                        "search index updated: the notes files that changed were indexed again"
                    );
                    return Ok((index, Opened::Updated { files: changed }));
                }
                Err(e) => {
                    tracing::warn!(error = %e, "updating the search index failed; rebuilding it")
                }
            }
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
    fill(&index, k, files, f)?;
    std::fs::write(&stamp, want.render()).map_err(io)?;
    Ok((index, Opened::Built))
}

/// Whether [`reindex_files`] indexes the cards again.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Cards {
    /// They depend on many files: a reload replaces them.
    Replace,
    /// They are as they were (a start whose stamp says so).
    Keep,
}

/// Brings `index` from the notes files it was made of (`before`: key, hash,
/// path) to `files`: the documents of files edited or gone are deleted by
/// their file term, those of files edited or new added; the cards too when
/// asked. A persisted index's stamp goes first, so an update cut short is
/// rebuilt at the next start, and the new one is written last. Returns how
/// many files were indexed again.
fn reindex_files(
    index: &Index,
    stamp: Option<(&Path, &Stamp)>,
    before: &[(u64, u64, &str)],
    k: &Knowledge,
    files: &files::Files,
    f: Fields,
    with_cards: Cards,
) -> Result<usize, SearchError> {
    let io = |path: &Path, source| SearchError::Dir {
        path: path.display().to_string(),
        source,
    };
    if let Some((path, _)) = stamp {
        match std::fs::remove_file(path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io(path, e)),
            _ => {}
        }
    }
    let writer: tantivy::IndexWriter = index.writer_with_num_threads(1, 20_000_000)?;
    let now: HashMap<&str, u64> = files.spans.iter().map(|s| (&*s.path, s.hash)).collect();
    let then: HashMap<&str, u64> = before.iter().map(|&(_, hash, path)| (path, hash)).collect();
    for &(key, hash, path) in before {
        if now.get(path) != Some(&hash) {
            writer.delete_term(Term::from_field_u64(f.file, key));
        }
    }
    let offers = question::OfferReader::new(k);
    let mut changed = 0;
    for s in &files.spans {
        if then.get(&*s.path) != Some(&s.hash) {
            changed += 1;
            for (d, id) in s.documents() {
                writer.add_document(document(k, &offers, f, d, s.key, id))?;
            }
        }
    }
    if with_cards == Cards::Replace {
        writer.delete_term(Term::from_field_u64(f.file, files::CARDS));
        for d in cards(k) {
            writer.add_document(document(k, &offers, f, d, files::CARDS, d.to_u64()))?;
        }
    }
    commit_and_merge_if_small(index, writer)?;
    if let Some((path, stamp)) = stamp {
        std::fs::write(path, stamp.render()).map_err(|e| io(path, e))?;
    }
    Ok(changed)
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
