//! The engine: a typed [`Request`] in, a typed [`Reply`] out, synchronous and
//! free of presentation (no Discord, no Markdown, no pictures). It serves an
//! immutable [`Snapshot`] (knowledge + index); [`Engine::reload`] reads the
//! notes again and swaps a new one in. Every transport reaches it through
//! [`crate::respond::Responder`], which renders the reply.
//!
//! Where each command is answered: `/model` [`Snapshot::model`], `/term`
//! [`Snapshot::term`], `/compare` [`Snapshot::compare`], `/search`
//! [`Snapshot::search`], `/lineage` [`Snapshot::lineage`] (rows from
//! [`lineage::tree`]), `/capability` [`Snapshot::capability`], `/help` in
//! the renderer.

pub mod along;
pub mod lineage;
pub mod reload;
pub mod reply;
pub mod request;
pub mod resolve;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use crate::domain::{
    CapabilityId, ComparisonSubject, Knowledge, ModelId, NameKey, Named, PassageId,
};
use crate::knowledge::{Limits, Notes, Progress, Sources};
use crate::search::SearchIndex;

pub use reply::*;
pub use request::{Command, CommandError, Locale, Request};
use resolve::ModelLookup;

/// Hits per page of `/search` (one embed shows them with room to spare).
pub const HITS_PER_PAGE: usize = 5;
/// At most this many hits lead a search answer, quoted whole.
const LEAD_HITS: usize = 3;
/// A hit after the first leads too when it scores at least this share of
/// the first and is text of the notes (a card only names a thing).
const LEAD_SHARE: f32 = 0.6;
/// Note passages listed under a model card.
const MODEL_SOURCES: usize = 4;

/// An autocomplete candidate: the model or term, and the name of it that
/// matched what was typed (an alias, a misspelling, a shorthand).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub named: Named,
    pub matched: String,
}

/// Answers requests from the current knowledge snapshot. Cheap to clone;
/// every clone sees a reload. A request takes the snapshot once, so one that
/// is in flight during a reload finishes on the knowledge it started with.
#[derive(Clone)]
pub struct Engine {
    shared: Arc<Shared>,
}

struct Shared {
    current: RwLock<Arc<Snapshot>>,
    /// Held for the whole of a reload: one at a time, so a reload asked for
    /// during another runs after it, on the newest files. It also keeps what
    /// the reloads so far came to.
    reloading: Mutex<ReloadStatus>,
    /// Where the knowledge came from, for reloads.
    source: Option<Source>,
    /// Reloads that have read the notes (and are building from them).
    reads: AtomicU64,
    /// Discord user ids allowed to reload on demand.
    owners: Vec<String>,
    /// Called after each good reload with the snapshot before and after.
    listeners: Mutex<Vec<ReloadListener>>,
}

/// What wants to know about a reload: the snapshot that served before it
/// and the one serving now (the curator's answer diff, in a later layer).
pub type ReloadListener = Arc<dyn Fn(&Snapshot, &Snapshot) + Send + Sync>;

/// One immutable knowledge and its index.
pub struct Snapshot {
    index: Arc<SearchIndex>,
    /// What each notes file came to, for a reload to reuse (loaded engines).
    notes: Option<Arc<Notes>>,
    /// Which load this is (0 for the first): presentation caches key on it.
    generation: u64,
}

/// Snapshots ever made in this process, for [`Snapshot::generation`].
static GENERATIONS: AtomicU64 = AtomicU64::new(0);

impl Snapshot {
    fn new(index: Arc<SearchIndex>, notes: Option<Arc<Notes>>) -> Arc<Snapshot> {
        Arc::new(Snapshot {
            index,
            notes,
            generation: GENERATIONS.fetch_add(1, Ordering::Relaxed),
        })
    }
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").finish_non_exhaustive()
    }
}

/// What the reloads so far came to: how many were tried, and the last
/// outcome (the loaded summary, or the problems that kept the old notes).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReloadStatus {
    pub attempts: u64,
    pub last: Option<Result<String, String>>,
    /// Notes files the last good reload parsed (the others were reused).
    pub parsed: usize,
}

/// Why a reload kept the previous knowledge.
#[derive(Debug, thiserror::Error)]
pub enum ReloadError {
    #[error("this engine was not loaded from a directory")]
    NoSource,
    #[error("{0}")]
    Invalid(#[from] crate::knowledge::LoadError),
    #[error("{0}")]
    Index(#[from] crate::search::SearchError),
}

impl Engine {
    pub fn new(index: Arc<SearchIndex>) -> Engine {
        Engine::with_source(Snapshot::new(index, None), None)
    }

    fn with_source(snapshot: Arc<Snapshot>, source: Option<Source>) -> Engine {
        Engine {
            shared: Arc::new(Shared {
                current: RwLock::new(snapshot),
                reloading: Mutex::default(),
                source,
                reads: AtomicU64::new(0),
                owners: Vec::new(),
                listeners: Mutex::default(),
            }),
        }
    }

    /// The same engine, with these Discord users allowed to `/reload`.
    pub fn with_owners(self, owners: impl IntoIterator<Item = u64>) -> Engine {
        let shared = Shared {
            current: RwLock::new(self.snapshot()),
            reloading: Mutex::default(),
            source: self.shared.source.clone(),
            reads: AtomicU64::new(0),
            owners: owners.into_iter().map(|o| o.to_string()).collect(),
            listeners: Mutex::new(
                self.shared
                    .listeners
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .clone(),
            ),
        };
        Engine {
            shared: Arc::new(shared),
        }
    }

    /// Calls `listener` after every good reload, with the snapshots before
    /// and after, on the reloading thread once the new one serves.
    pub fn on_reload(&self, listener: impl Fn(&Snapshot, &Snapshot) + Send + Sync + 'static) {
        self.shared
            .listeners
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(Arc::new(listener));
    }

    pub fn is_owner(&self, user: &str) -> bool {
        self.shared.owners.iter().any(|o| o == user)
    }

    /// Loads the notes in `dir` and builds the index in RAM (or `index_dir`);
    /// [`Engine::reload`] reads the same places again.
    pub fn load(dir: &Path, index_dir: Option<&Path>) -> Result<Engine, ReloadError> {
        Engine::load_within(dir, index_dir, Limits::default())
    }

    /// [`Engine::load`], refusing notes over `limits` (now and on reloads).
    pub fn load_within(
        dir: &Path,
        index_dir: Option<&Path>,
        limits: Limits,
    ) -> Result<Engine, ReloadError> {
        Engine::load_reporting(dir, index_dir, limits, Progress::default())
    }

    /// [`Engine::load_within`], telling `progress` how far parsing and
    /// indexing have got, in this load and in every reload: on large notes
    /// either can take a minute.
    pub fn load_reporting(
        dir: &Path,
        index_dir: Option<&Path>,
        limits: Limits,
        progress: Progress,
    ) -> Result<Engine, ReloadError> {
        // The folder is this process's for as long as the engine lives.
        let held = index_dir
            .map(crate::search::hold_index_dir)
            .transpose()?
            .map(Arc::new);
        let source = Source {
            dir: dir.to_path_buf(),
            index_dir: index_dir.map(Path::to_path_buf),
            limits,
            progress,
            _held: held,
        };
        // What the last start saved of the notes, first: the files it
        // found unchanged are not read again.
        let saved = source
            .saved_notes()
            .and_then(|path| crate::knowledge::saved::load(&path));
        let sources = read(&source, saved.as_ref().map(|(_, n)| n))?;
        let (index, notes) = build(&source, sources, Before::Saved(saved.map(Box::new)))?;
        Ok(Engine::with_source(
            Snapshot::new(index, Some(notes)),
            Some(source),
        ))
    }

    /// The knowledge now being served.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.shared
            .current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub fn knowledge(&self) -> Arc<Knowledge> {
        self.snapshot().index.knowledge().clone()
    }

    pub fn index(&self) -> Arc<SearchIndex> {
        self.snapshot().index.clone()
    }

    pub fn handle(&self, request: &Request) -> Reply {
        self.snapshot().handle(request)
    }

    /// Reads the notes again; valid ones replace the snapshot at once, invalid
    /// ones leave the last good snapshot serving and come back as the error.
    /// One reload runs at a time: a second caller waits, then reads the files
    /// as they are by then, so the newest files always win.
    ///
    /// Incremental: notes files whose text is unchanged are not parsed again
    /// (their passages are taken from the snapshot serving), and in the index
    /// only the changed files' documents and the cards are replaced (see
    /// [`SearchIndex::update`]); everything is validated again.
    pub fn reload(&self) -> Result<crate::domain::Summary, ReloadError> {
        let source = self.shared.source.clone().ok_or(ReloadError::NoSource)?;
        let mut status = self
            .shared
            .reloading
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let serving = self.snapshot();
        let built = read(&source, serving.notes.as_deref()).and_then(|sources| {
            self.shared.reads.fetch_add(1, Ordering::SeqCst);
            build(&source, sources, Before::Serving(&serving))
        });
        status.attempts += 1;
        let (index, notes) = match built {
            Ok(built) => built,
            Err(e) => {
                status.last = Some(Err(e.to_string()));
                return Err(e);
            }
        };
        let summary = index.knowledge().summary();
        let snapshot = Snapshot::new(index, Some(notes));
        status.parsed = snapshot.parsed_files();
        let old = std::mem::replace(
            &mut *self
                .shared
                .current
                .write()
                .unwrap_or_else(|p| p.into_inner()),
            snapshot,
        );
        drop(serving);
        let listeners = self
            .shared
            .listeners
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let now = self.snapshot();
        // The listeners (the curator's replay of recorded questions: up to
        // a second at 1×, more for large notes), then freeing the old
        // knowledge and index (a fifth of a one-file reload at 10 000×),
        // run off the reload's path and its lock, after the new snapshot
        // serves. A listener that panics is logged; the others still run.
        let _ = std::thread::Builder::new()
            .name("after-reload".into())
            .spawn(move || {
                for l in &listeners {
                    let run = std::panic::AssertUnwindSafe(|| l(&old, &now));
                    if std::panic::catch_unwind(run).is_err() {
                        tracing::error!("a reload listener panicked; the reload itself stands");
                    }
                }
                drop(old);
            });
        status.last = Some(Ok(summary.to_string()));
        Ok(summary)
    }

    /// What the reloads so far came to (waits for one that is running).
    pub fn reload_status(&self) -> ReloadStatus {
        self.shared
            .reloading
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Watches the knowledge directory and reloads after an edit has settled
    /// (debounced), logging what was loaded or what is wrong. Stops when the
    /// returned guard is dropped.
    pub fn watch(&self, every: Duration) -> Option<reload::Watcher> {
        let source = self.shared.source.clone()?;
        Some(reload::Watcher::start(self.clone(), source.dir, every))
    }

    /// How many reloads have read the notes so far (a reload counts as soon
    /// as it has read them, before it builds). Does not wait for a reload.
    pub fn reloads_read(&self) -> u64 {
        self.shared.reads.load(Ordering::SeqCst)
    }
}

/// Where the knowledge comes from, for loads and reloads.
#[derive(Debug, Clone)]
struct Source {
    dir: PathBuf,
    index_dir: Option<PathBuf>,
    limits: Limits,
    /// Told how far each load gets.
    progress: Progress,
    /// The lock on `index_dir`, held while any clone of this lives.
    _held: Option<Arc<crate::search::HeldIndexDir>>,
}

impl Source {
    /// Where a start saves what the notes came to: beside the index, if any.
    fn saved_notes(&self) -> Option<PathBuf> {
        let dir = self.index_dir.as_deref()?;
        Some(dir.join(crate::knowledge::saved::FILE))
    }
}

/// The knowledge directory's files; notes files unchanged since `before`
/// read them are not read again ([`crate::knowledge::read_dir_after`]).
fn read(source: &Source, before: Option<&Notes>) -> Result<Sources, ReloadError> {
    Ok(crate::knowledge::read_dir_after(
        &source.dir,
        source.limits,
        before,
    )?)
}

/// What a load reuses of the files that did not change: what the last
/// start saved beside the index (if any), or the snapshot serving. The
/// sources must have been read after the same notes.
enum Before<'a> {
    Saved(Option<Box<(Knowledge, Notes)>>),
    Serving(&'a Snapshot),
}

/// The knowledge and its index from `sources`: from scratch, or reusing
/// what `before` made of the files that did not change. A start with an
/// index folder saves the notes again ([`crate::knowledge::saved`]) when
/// files changed.
fn build(
    source: &Source,
    sources: Sources,
    before: Before<'_>,
) -> Result<(Arc<SearchIndex>, Arc<Notes>), ReloadError> {
    use crate::knowledge::{parse_after, parse_reusing, saved};
    let serving = match &before {
        Before::Serving(s) => Some(*s),
        Before::Saved(_) => None,
    };
    let saved_at = match serving {
        None => source.saved_notes(),
        Some(_) => None,
    };
    let mut saved_state = None;
    let (knowledge, notes) = match before {
        Before::Serving(s) => {
            let before = s.notes.as_deref().map(|n| (s.knowledge(), n));
            parse_reusing(sources, before, &source.progress)?
        }
        Before::Saved(Some(saved)) => {
            saved_state = Some(saved.1.files_state());
            parse_after(sources, *saved, &source.progress)?
        }
        Before::Saved(None) => parse_reusing(sources, None, &source.progress)?,
    };
    let knowledge = Arc::new(knowledge);
    let index = match serving {
        Some(s) => {
            let changed: HashSet<&str> = notes.parsed().collect();
            s.index.update(knowledge, &changed, &source.progress)?
        }
        None => {
            let segmenter = crate::search::segmenter_for(&knowledge);
            let dir = source.index_dir.as_deref();
            SearchIndex::build_reporting(knowledge, segmenter, dir, &source.progress)?
        }
    };
    if let Some(path) = saved_at {
        if notes.parsed().next().is_some() || saved_state != Some(notes.files_state()) {
            // Only a later start's speed depends on it.
            if let Err(e) = saved::save(&path, index.knowledge(), &notes) {
                tracing::warn!(path = %path.display(), error = %e, "could not save the parsed notes");
            }
        }
    }
    Ok((Arc::new(index), Arc::new(notes)))
}

impl Snapshot {
    pub fn knowledge(&self) -> &Knowledge {
        self.index.knowledge()
    }

    /// How many notes files the load that made this snapshot parsed (the
    /// others were unchanged, taken from the snapshot before or from what
    /// the last start saved).
    pub fn parsed_files(&self) -> usize {
        self.notes.as_ref().map_or(0, |n| n.parsed().count())
    }

    pub fn index(&self) -> &Arc<SearchIndex> {
        &self.index
    }

    /// Which load of the notes this is; differs between any two snapshots.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    pub fn handle(&self, request: &Request) -> Reply {
        match &request.command {
            Command::Model { name } => self.model(name),
            Command::Term { name } => self.term(name),
            Command::Compare { first, second } => self.compare(first, second),
            Command::Search { query, page } => self.search(query, *page),
            Command::Lineage { name } => self.lineage(name.as_deref()),
            Command::Capability { name } => self.capability(name),
            Command::Help => Reply::Help,
        }
    }

    pub fn model(&self, name: &str) -> Reply {
        let k = self.knowledge();
        match resolve::model(k, name) {
            ModelLookup::One(id, read_as) => Reply::Model(self.model_answer(id, read_as)),
            ModelLookup::Many(ids) => Reply::Ambiguous(Ambiguous {
                typed: name.trim().to_string(),
                choices: ids
                    .into_iter()
                    .map(|id| {
                        (
                            id,
                            Command::Model {
                                name: k.model(id).slug.clone(),
                            },
                        )
                    })
                    .collect(),
            }),
            ModelLookup::None => self.not_found(Wanted::Model, name),
        }
    }

    fn model_answer(&self, id: ModelId, read_as: Option<ReadAs>) -> ModelAnswer {
        let k = self.knowledge();
        let m = k.model(id);
        let mut sources: Vec<PassageId> = m.summary_source.into_iter().collect();
        for p in k.passages_mentioning(id) {
            if sources.len() >= MODEL_SOURCES {
                break;
            }
            if !sources.contains(&p) {
                sources.push(p);
            }
        }
        ModelAnswer {
            model: id,
            parents: k.lineage.parents(id).copied().collect(),
            children: k.lineage.children(id).copied().collect(),
            sources,
            read_as,
        }
    }

    pub fn term(&self, name: &str) -> Reply {
        match resolve::term(self.knowledge(), name) {
            Some((term, read_as)) => Reply::Term(TermAnswer { term, read_as }),
            None => self.not_found(Wanted::Term, name),
        }
    }

    fn not_found(&self, wanted: Wanted, typed: &str) -> Reply {
        let k = self.knowledge();
        // Suggest what was asked for first; a term asked as a model (or the
        // reverse) is suggested too, with its own command.
        // Capabilities have their own names: suggested for /capability only.
        let keep = |n: Named| (wanted == Wanted::Capability) == matches!(n, Named::Capability(_));
        let suggestions = resolve::suggestions(k, typed, keep)
            .into_iter()
            .map(|n| match n {
                Named::Model(id) => (
                    k.model(id).name.clone(),
                    Command::Model {
                        name: k.model(id).slug.clone(),
                    },
                ),
                Named::Term(id) => (
                    k.term(id).display.clone(),
                    Command::Term {
                        name: k.term(id).slug.clone(),
                    },
                ),
                Named::Capability(id) => (
                    k.capability(id).name.both(),
                    Command::Capability {
                        name: k.capability(id).slug.clone(),
                    },
                ),
            })
            .collect();
        Reply::NotFound(NotFound {
            wanted,
            typed: typed.trim().to_string(),
            suggestions,
        })
    }

    /// `/compare`: two models side by side. Shorthands that fit several
    /// models are paired within one family (`002 003` → text-davinci-002 vs
    /// text-davinci-003); two whole generations compare as generations.
    pub fn compare(&self, first: &str, second: &str) -> Reply {
        let k = self.knowledge();
        let a = resolve::model(k, first);
        let b = resolve::model(k, second);
        let (ca, cb) = (a.candidates(), b.candidates());
        if ca.is_empty() {
            return self.not_found(Wanted::Model, first);
        }
        if cb.is_empty() {
            return self.not_found(Wanted::Model, second);
        }
        let pairs: Vec<(ModelId, ModelId)> = if ca.len() == 1 && cb.len() == 1 {
            vec![(ca[0], cb[0])]
        } else {
            ca.iter()
                .flat_map(|&x| cb.iter().map(move |&y| (x, y)))
                .filter(|&(x, y)| x != y && k.model(x).family == k.model(y).family)
                .collect()
        };
        match pairs.as_slice() {
            [(x, y)] if x == y => Reply::SameModel { model: *x },
            [(x, y)] => self.compare_pair((first, &a, *x), (second, &b, *y)),
            _ => self
                .compare_generations(first, second)
                .unwrap_or_else(|| self.which_side(first, ca, second, cb)),
        }
    }

    /// Two models, with how each typed name was read.
    fn compare_pair(
        &self,
        (first, a, x): (&str, &ModelLookup, ModelId),
        (second, b, y): (&str, &ModelLookup, ModelId),
    ) -> Reply {
        let k = self.knowledge();
        let mut read_as = Vec::new();
        for (typed, lookup, id, other) in [(first, a, x, y), (second, b, y, x)] {
            match lookup {
                ModelLookup::One(_, Some(r)) => read_as.push(r.clone()),
                ModelLookup::Many(_) => read_as.push(ReadAs {
                    typed: typed.trim().to_string(),
                    as_name: k.model(id).name.clone(),
                    paired_with: Some(k.model(other).name.clone()),
                }),
                _ => {}
            }
        }
        Reply::Compare(CompareAnswer {
            first: x,
            second: y,
            read_as,
            relation: relation(k, x, y),
            sections: k.comparisons_of(x, y).iter().map(|c| c.id).collect(),
        })
    }

    /// Two generation shorthands (`001 002`): the generations side by side.
    fn compare_generations(&self, first: &str, second: &str) -> Option<Reply> {
        let k = self.knowledge();
        let (ga, gb) = (k.generation(first)?, k.generation(second)?);
        let (na, nb) = (first.trim().to_string(), second.trim().to_string());
        let (ka, kb) = (NameKey::new(&na), NameKey::new(&nb));
        if ka == kb {
            return Some(Reply::SameModel { model: ga[0] });
        }
        let names = |g: &[String], key: &NameKey| g.iter().any(|x| NameKey::new(x) == *key);
        let sections = k
            .comparisons
            .iter()
            .filter(|c| matches!(&c.subject, ComparisonSubject::Generations(g) if names(g, &ka) && names(g, &kb)))
            .map(|c| c.id)
            .collect();
        Some(Reply::CompareGenerations(GenerationAnswer {
            first: (na, ga.to_vec()),
            second: (nb, gb.to_vec()),
            sections,
        }))
    }

    /// Names that fit several models and pair no other way: ask which one
    /// was meant, keeping the other side as typed.
    fn which_side(&self, first: &str, ca: Vec<ModelId>, second: &str, cb: Vec<ModelId>) -> Reply {
        let k = self.knowledge();
        let (typed, ids, other, first_side) = if ca.len() > 1 {
            (first, ca, second, true)
        } else {
            (second, cb, first, false)
        };
        let other = other.trim().to_string();
        Reply::Ambiguous(Ambiguous {
            typed: typed.trim().to_string(),
            choices: ids
                .into_iter()
                .map(|id| {
                    let slug = k.model(id).slug.clone();
                    let (first, second) = if first_side {
                        (slug, other.clone())
                    } else {
                        (other.clone(), slug)
                    };
                    (id, Command::Compare { first, second })
                })
                .collect(),
        })
    }

    pub fn search(&self, query: &str, page: usize) -> Reply {
        let page = page.min(100);
        let mut r = self
            .index
            .search(query, HITS_PER_PAGE, page * HITS_PER_PAGE);
        // The notes don't cover what is asked: what they say of its subject
        // (the question without the words they lack), said as such.
        if !r.lacking.is_empty() {
            let mut subject = query.to_string();
            for w in &r.lacking {
                subject = subject.replace(w.as_str(), " ");
            }
            let about = self
                .index
                .search(&subject, HITS_PER_PAGE, page * HITS_PER_PAGE);
            if about.lacking.is_empty() {
                r.hits = about.hits;
                r.total = about.total;
                r.total_is_lower_bound = about.total_is_lower_bound;
            }
        }
        // The answer leads the first page: the best hit, and the next ones
        // that are nearly as good and are text of the notes.
        let lead = match r.hits.first() {
            // A step of the lineage is answered by the chain line alone.
            Some(_) if page == 0 && !r.steps.is_empty() => 1,
            Some(top) if page == 0 => {
                1 + r.hits[1..]
                    .iter()
                    .take(LEAD_HITS - 1)
                    .take_while(|h| !h.doc.is_card() && h.score >= top.score * LEAD_SHARE)
                    .count()
            }
            _ => 0,
        };
        Reply::Search(SearchAnswer {
            capability: (page == 0)
                .then(|| along::capability_asked(self.knowledge(), query))
                .flatten(),
            query: query.to_string(),
            page,
            per_page: HITS_PER_PAGE,
            total: r.total,
            total_is_lower_bound: r.total_is_lower_bound,
            hits: r.hits,
            lead,
            corrections: r.corrections,
            lacking: r.lacking,
            steps: r.steps,
            failed: r.failed,
        })
    }

    pub fn lineage(&self, name: Option<&str>) -> Reply {
        let k = self.knowledge();
        let highlight = match name.map(str::trim).filter(|n| !n.is_empty()) {
            None => None,
            Some(n) => match resolve::model(k, n) {
                ModelLookup::One(id, _) => Some(id),
                ModelLookup::Many(ids) => {
                    return Reply::Ambiguous(Ambiguous {
                        typed: n.to_string(),
                        choices: ids
                            .into_iter()
                            .map(|id| {
                                (
                                    id,
                                    Command::Lineage {
                                        name: Some(k.model(id).slug.clone()),
                                    },
                                )
                            })
                            .collect(),
                    })
                }
                ModelLookup::None => return self.not_found(Wanted::Model, n),
            },
        };
        Reply::Lineage(LineageAnswer {
            highlight,
            tree: lineage::tree(k, highlight),
        })
    }

    /// `/capability`: one capability followed model by model down the
    /// lineage, each status with the notes' words that back it. No name (or
    /// "matrix", "all", 矩阵, 全部) asks for all of them at once: the matrix.
    pub fn capability(&self, name: &str) -> Reply {
        let k = self.knowledge();
        if is_matrix_name(name) {
            return Reply::Matrix(self.matrix());
        }
        let Some((id, read_as)) = resolve::capability(k, name) else {
            return self.not_found(Wanted::Capability, name);
        };
        let c = k.capability(id);
        let rows = lineage_order(k)
            .into_iter()
            .map(|m| CapabilityRow {
                model: m,
                via: k.lineage.parents(m).copied().collect(),
                statuses: statuses(c, m),
            })
            .collect();
        Reply::Capability(CapabilityAnswer {
            capability: id,
            read_as,
            rows,
        })
    }

    /// Every model × every capability, each cell with its quotes.
    pub fn matrix(&self) -> MatrixAnswer {
        let k = self.knowledge();
        let models = lineage_order(k);
        let capabilities: Vec<CapabilityId> = k.capabilities.iter().map(|c| c.id).collect();
        let cells = models
            .iter()
            .map(|&m| {
                k.capabilities
                    .iter()
                    .map(|c| statuses(c, m))
                    .collect::<Vec<_>>()
            })
            .collect();
        MatrixAnswer {
            models,
            capabilities,
            cells,
        }
    }

    /// Autocomplete for a model or term option: the candidates, best first.
    pub fn autocomplete(&self, wanted: Wanted, typed: &str) -> Vec<Completion> {
        let keep = |n: Named| {
            matches!(
                (wanted, n),
                (Wanted::Model, Named::Model(_))
                    | (Wanted::Term, Named::Term(_))
                    | (Wanted::Capability, Named::Capability(_))
            )
        };
        resolve::complete(self.knowledge(), typed, keep)
            .into_iter()
            .map(|(named, matched)| Completion { named, matched })
            .collect()
    }
}

/// How two models stand to each other in the tree.
fn relation(k: &Knowledge, a: ModelId, b: ModelId) -> Relation {
    if let Some(e) = k.lineage.edge_between(a, b) {
        return Relation::Parent(*e);
    }
    let pa: Vec<ModelId> = k.lineage.parents(a).map(|e| e.parent).collect();
    if let Some(&p) = k
        .lineage
        .parents(b)
        .map(|e| e.parent)
        .collect::<Vec<_>>()
        .iter()
        .find(|p| pa.contains(p))
    {
        return Relation::Siblings { parent: p };
    }
    match k.lineage.path(a, b) {
        Some(path) if k.lineage.is_ancestor(a, b) || k.lineage.is_ancestor(b, a) => {
            Relation::Descends { path }
        }
        Some(path) => Relation::Cousins { path },
        None => Relation::Unrelated,
    }
}

/// The names that ask `/capability` for the whole matrix.
pub fn is_matrix_name(name: &str) -> bool {
    matches!(
        name.trim().to_lowercase().as_str(),
        "" | "matrix" | "all" | "*" | "矩阵" | "矩陣" | "全部" | "所有"
    )
}

/// Every model in lineage order: generation by generation, then the
/// catalogue's order.
fn lineage_order(k: &Knowledge) -> Vec<ModelId> {
    let depths = k.lineage.depths();
    let mut order: Vec<ModelId> = k.models.iter().map(|m| m.id).collect();
    order.sort_by_key(|m| (depths.get(m.index()).copied().unwrap_or(0), m.index()));
    order
}

/// What the notes say of `model` for one capability, with the quotes.
fn statuses(c: &crate::domain::Capability, model: ModelId) -> Vec<RowStatus> {
    c.statuses_of(model)
        .map(|s| RowStatus {
            status: s.status,
            evidence: s.evidence.clone(),
        })
        .collect()
}
