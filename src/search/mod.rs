//! Free-text search over the notes: a tantivy index of passages, the answer
//! units inside them (nested items, sentences), model cards and terms,
//! queried through our own query builder (never the query parser: channel
//! text is not a query language).
//!
//! A question goes through named stages, each in its own file:
//!
//! | # | stage | file | out |
//! |---|---|---|---|
//! | 1 | spelling | `concepts.rs` (`did_you_mean`) | the question with Latin typos corrected |
//! | 2 | question | `question.rs`, `wording.rs` | the kinds it asks for, its wording and talk |
//! | 3 | concepts | `concepts.rs`, `information.rs`, `bridge.rs` | `Concept`s: synonyms and translations, weight, what each says |
//! | 4 | plan | `plan.rs`, `lineage.rs` | what the notes lack (`Results::lacking`), what is counted, lineage steps or a size the knowledge answers |
//! | 5 | retrieve | `retrieve.rs`, `scoring.rs` | candidates and the question words each contains |
//! | 6 | coverage and rank | `answer.rs`, `weights.rs` | `Scored` candidates that answer, in order |
//! | 7 | places | `places.rs` | one per place in the notes |
//! | 8 | hits | `hits.rs`, `snippet.rs` | `Hit`s: snippet, citation, confidence |
//!
//! Index building and storage (schema, folder, stamp, writer) are apart
//! from answering, in `storage.rs`, `documents.rs` and `files.rs`; a
//! persisted index is read through `directory.rs` (postings and positions
//! read by range, not mapped).

mod answer;
mod bridge;
mod concepts;
mod directory;
mod documents;
mod files;
mod hits;
pub mod information;
mod lineage;
mod places;
mod plan;
pub mod question;
mod retrieve;
mod scoring;
mod segment;
mod snippet;
mod storage;
mod vocabulary;
mod weights;
mod wording;

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

use answer::Scored;
use concepts::Concept;
pub use documents::{doc_text, DocRef, DocText};
use plan::{counted, lacking, weighty, Covers};
use question::{Kind, Question};
use retrieve::{top_candidates, POOL_MIN, POOL_PER_CANDIDATE};
use scoring::{Frequencies, Scoring};
pub use segment::{Piece, Segmenter};
pub use snippet::Snippet;
use vocabulary::Vocabulary;

pub use storage::{hold_index_dir, knowledge_fingerprint, segmenter_for, HeldIndexDir};

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
/// A `Command` is cut to it where it is made (`Command::search`), so what
/// is searched, recorded and kept in a button is the same bounded text;
/// the search cuts again only for callers of the library.
pub const MAX_QUERY_CHARS: usize = 300;
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
    #[error(
        "search index directory {path} is in use by another lineage-bot process (pid {pid}); \
         stop it, or give this one another --index-dir"
    )]
    Busy { path: String, pid: String },
}

/// One result.
#[derive(Debug, Clone)]
pub struct Hit {
    pub doc: DocRef,
    /// The ranking's score: compares hits of one question only.
    pub score: f32,
    /// How much of what the question asks this hit covers, 0 to 1: the
    /// weight ([`information`]) of the question's words it shows, over the
    /// question's (at least one word's worth, so a question that says
    /// little, "paper", is never answered with confidence). 1 for what the
    /// knowledge answers itself (a lineage step, a size).
    pub confidence: f32,
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
    /// The search failed (the index could not be read): logged; the
    /// question is no gap of the notes.
    pub failed: bool,
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

impl SearchIndex {
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
                Results {
                    failed: true,
                    ..Results::default()
                }
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
}
