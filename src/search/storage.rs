//! Index building and storage, apart from answering: the schema, the
//! fingerprint stamp, the folder a persisted index lives in (claimed with a
//! marker, never someone else's), the writer, and the incremental update
//! that re-indexes one notes file.

use super::*;
use crate::knowledge::{Phase, Progress};

pub(super) fn schema() -> (Schema, Fields) {
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
pub(super) struct Stamp {
    pub(super) full: u64,
    pub(super) shared: u64,
    pub(super) files: Vec<(u64, u64, String)>,
}

impl Stamp {
    pub(super) fn of(k: &Knowledge, files: &files::Files) -> Stamp {
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
    pub(super) fn render(&self) -> String {
        let mut out = format!("{:016x}\n{:016x}\n", self.full, self.shared);
        for (key, hash, path) in &self.files {
            out.push_str(&format!("{key:016x} {hash:016x} {path}\n"));
        }
        out
    }

    pub(super) fn parse(text: &str) -> Option<Stamp> {
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
pub(super) fn commit_and_merge_if_small(
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
pub(super) fn cards(k: &Knowledge) -> impl Iterator<Item = DocRef> + '_ {
    let models = k.models.iter().map(|m| DocRef::Model(m.id));
    models.chain(k.terms.iter().map(|t| DocRef::Term(t.id)))
}

pub(super) fn register(index: &Index, seg: &Arc<Segmenter>) {
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

/// Indexes every document of `k`, counted in `progress`.
pub(super) fn fill(
    index: &Index,
    k: &Knowledge,
    files: &files::Files,
    f: Fields,
    progress: &Progress,
) -> tantivy::Result<()> {
    let mut writer = index.writer_with_num_threads(1, 50_000_000)?;
    writer.delete_all_documents()?;
    let reader = question::OfferReader::new(k);
    let total = files
        .spans
        .iter()
        .map(files::Span::document_count)
        .sum::<u64>()
        + cards(k).count() as u64;
    let mut tally = progress.start(Phase::Indexing, total);
    for s in &files.spans {
        for (d, id) in s.documents() {
            writer.add_document(document(k, &reader, f, d, s.key, id))?;
            tally.add(1);
        }
    }
    for d in cards(k) {
        writer.add_document(document(k, &reader, f, d, files::CARDS, d.to_u64()))?;
        tally.add(1);
    }
    writer.commit()?;
    writer.wait_merging_threads()?;
    Ok(())
}

/// `d` as stored: under `file` (its key, or [`files::CARDS`]) and `id`.
pub(super) fn document(
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
pub(super) const MARKER_FILE: &str = "lineage-bot.index";

pub(super) const MARKER_TEXT: &str =
    "This folder holds lineage-bot's search index (search.index_dir / --index-dir).\n\
lineage-bot rebuilds the index in tantivy/ when the notes change and touches nothing else here.\n\
Deleting the whole folder is safe: it is rebuilt at the next start.\n";

pub(super) const FINGERPRINT_FILE: &str = "lineage-bot.fingerprint";

/// The file whose OS lock says which process owns the folder; it holds
/// that process's id, for the error another one gets.
pub(super) const LOCK_FILE: &str = "lineage-bot.lock";

/// An index folder owned by this process: an advisory OS lock
/// (`flock`/`LockFileEx`) on [`LOCK_FILE`], released when this is dropped or
/// the process ends, however it ends. While it is held no other lineage-bot
/// process updates, rebuilds or saves notes into the folder.
#[derive(Debug)]
pub struct HeldIndexDir {
    _lock: std::fs::File,
}

/// Claims `dir` ([`claim_index_dir`]) and takes its lock, or says which
/// process holds it. Hold the result for as long as the folder is used: a
/// second hold of the same folder fails, in this process too.
pub fn hold_index_dir(dir: &Path) -> Result<HeldIndexDir, SearchError> {
    use std::io::{Read, Seek, Write};
    claim_index_dir(dir)?;
    let path = dir.join(LOCK_FILE);
    let io = |source| SearchError::Dir {
        path: path.display().to_string(),
        source,
    };
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(io)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            let mut pid = String::new();
            let _ = (&file).take(32).read_to_string(&mut pid);
            let pid = pid.trim();
            return Err(SearchError::Busy {
                path: dir.display().to_string(),
                pid: if pid.is_empty() {
                    "unknown".into()
                } else {
                    pid.into()
                },
            });
        }
        Err(std::fs::TryLockError::Error(e)) => return Err(io(e)),
    }
    file.set_len(0)
        .and_then(|()| file.rewind())
        .and_then(|()| writeln!(file, "{}", std::process::id()))
        .map_err(io)?;
    Ok(HeldIndexDir { _lock: file })
}

/// Whether `e` is tantivy saying another writer holds its lock: never a
/// reason to rebuild (that would delete the files under the other writer).
fn is_lock_busy(e: &SearchError) -> bool {
    matches!(
        e,
        SearchError::Index(tantivy::TantivyError::LockFailure(
            tantivy::directory::error::LockError::LockBusy,
            _
        ))
    )
}

/// The index itself, a subfolder so the bot's files are never mixed with others.
pub(super) const INDEX_SUBDIR: &str = "tantivy";

/// A file tantivy writes in its directory: `meta.json`, `.managed.json`, its
/// locks, and segment files named `<32 hex digits>.<ext>`.
pub(super) fn is_tantivy_file(name: &str) -> bool {
    let segment = name.len() > 33
        && name.as_bytes()[32] == b'.'
        && name.as_bytes()[..32].iter().all(u8::is_ascii_hexdigit);
    segment
        || matches!(name, "meta.json" | ".managed.json")
        || (name.starts_with(".tantivy-") && name.ends_with(".lock"))
}

/// Removes the files tantivy wrote directly in `dir` (regular files only);
/// anything else stays.
pub(super) fn remove_tantivy_files(dir: &Path) -> std::io::Result<()> {
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
pub(super) fn claim_index_dir(dir: &Path) -> Result<(), SearchError> {
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
pub(super) fn open_persistent(
    dir: &Path,
    schema: Schema,
    k: &Knowledge,
    files: &files::Files,
    seg: &Arc<Segmenter>,
    f: Fields,
    progress: &Progress,
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
        let opened = directory::open_index(&index_dir).inspect_err(|e| {
            tracing::warn!(dir = %dir.display(), error = %e,
                "the search index folder is damaged; rebuilding it")
        });
        if let Ok(index) = opened {
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
            match reindex_files(&index, stamped, &before, k, files, f, Cards::Keep, progress) {
                Ok(changed) => {
                    tracing::info!(
                        dir = %dir.display(),
                        changed,
                        files = files.spans.len(),
                        "search index updated: the notes files that changed were indexed again"
                    );
                    return Ok((index, Opened::Updated { files: changed }));
                }
                Err(e) if is_lock_busy(&e) => return Err(e),
                Err(e) => {
                    tracing::warn!(error = %e, "updating the search index failed; rebuilding it")
                }
            }
        }
    }
    tracing::info!(dir = %dir.display(), "building the search index (the notes changed)");
    // The old fingerprint goes first: a build cut short is then rebuilt.
    forget_stamp(&stamp)?;
    if index_dir.is_dir() {
        remove_tantivy_files(&index_dir).map_err(io)?;
    } else {
        std::fs::create_dir(&index_dir).map_err(io)?;
    }
    let index = directory::create_index(&index_dir, schema)?;
    register(&index, seg);
    fill(&index, k, files, f, progress)?;
    std::fs::write(&stamp, want.render()).map_err(io)?;
    Ok((index, Opened::Built))
}

/// Removes a persisted index's stamp (`dir/`[`FINGERPRINT_FILE`]):
/// whatever is there is built anew at the next open.
fn forget_stamp(stamp: &Path) -> Result<(), SearchError> {
    match std::fs::remove_file(stamp) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(SearchError::Dir {
            path: stamp.display().to_string(),
            source: e,
        }),
        _ => Ok(()),
    }
}

/// Whether [`reindex_files`] indexes the cards again.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Cards {
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
/// many files were indexed again; the documents added are counted in
/// `progress`.
#[allow(clippy::too_many_arguments)]
pub(super) fn reindex_files(
    index: &Index,
    stamp: Option<(&Path, &Stamp)>,
    before: &[(u64, u64, &str)],
    k: &Knowledge,
    files: &files::Files,
    f: Fields,
    with_cards: Cards,
    progress: &Progress,
) -> Result<usize, SearchError> {
    let io = |path: &Path, source| SearchError::Dir {
        path: path.display().to_string(),
        source,
    };
    // The writer first: when another holds tantivy's lock nothing is touched.
    let writer: tantivy::IndexWriter = index.writer_with_num_threads(1, 20_000_000)?;
    if let Some((path, _)) = stamp {
        forget_stamp(path)?;
    }
    let now: HashMap<&str, u64> = files.spans.iter().map(|s| (&*s.path, s.hash)).collect();
    let then: HashMap<&str, u64> = before.iter().map(|&(_, hash, path)| (path, hash)).collect();
    for &(key, hash, path) in before {
        if now.get(path) != Some(&hash) {
            writer.delete_term(Term::from_field_u64(f.file, key));
        }
    }
    let offers = question::OfferReader::new(k);
    let edited = |s: &&files::Span| then.get(&*s.path) != Some(&s.hash);
    let mut total = files
        .spans
        .iter()
        .filter(edited)
        .map(files::Span::document_count)
        .sum::<u64>();
    if with_cards == Cards::Replace {
        total += cards(k).count() as u64;
    }
    let mut tally = progress.start(Phase::Indexing, total);
    let mut changed = 0;
    for s in files.spans.iter().filter(edited) {
        changed += 1;
        for (d, id) in s.documents() {
            writer.add_document(document(k, &offers, f, d, s.key, id))?;
            tally.add(1);
        }
    }
    if with_cards == Cards::Replace {
        writer.delete_term(Term::from_field_u64(f.file, files::CARDS));
        for d in cards(k) {
            writer.add_document(document(k, &offers, f, d, files::CARDS, d.to_u64()))?;
            tally.add(1);
        }
    }
    commit_and_merge_if_small(index, writer)?;
    if let Some((path, stamp)) = stamp {
        std::fs::write(path, stamp.render()).map_err(|e| io(path, e))?;
    }
    Ok(changed)
}

impl SearchIndex {
    /// Builds the index in RAM, or opens/rebuilds it in `dir` when given
    /// (rebuilt only when the knowledge changed).
    pub fn build(
        knowledge: Arc<Knowledge>,
        segmenter: Arc<Segmenter>,
        dir: Option<&Path>,
    ) -> Result<SearchIndex, SearchError> {
        SearchIndex::build_reporting(knowledge, segmenter, dir, &Progress::default())
    }

    /// [`SearchIndex::build`], counting the documents it indexes (if any)
    /// in `progress`.
    pub fn build_reporting(
        knowledge: Arc<Knowledge>,
        segmenter: Arc<Segmenter>,
        dir: Option<&Path>,
        progress: &Progress,
    ) -> Result<SearchIndex, SearchError> {
        let (schema, fields) = schema();
        let files = files::Files::of(&knowledge, None);
        let (index, opened) = match dir {
            None => {
                let index = Index::create_in_ram(schema);
                register(&index, &segmenter);
                fill(&index, &knowledge, &files, fields, progress)?;
                (index, Opened::Built)
            }
            Some(dir) => {
                let (index, opened) = open_persistent(
                    dir,
                    schema.clone(),
                    &knowledge,
                    &files,
                    &segmenter,
                    fields,
                    progress,
                )?;
                if opened == Opened::Built {
                    (index, opened)
                } else {
                    // A folder whose stamp matches can still be damaged (a
                    // segment deleted or cut short): it is built again.
                    let served = SearchIndex::serving(
                        knowledge.clone(),
                        segmenter.clone(),
                        index,
                        fields,
                        files.clone(),
                        Some(dir),
                        opened,
                    );
                    match served {
                        Ok(s) => return Ok(s),
                        Err(e) => {
                            tracing::warn!(dir = %dir.display(), error = %e,
                                "the search index folder is damaged; rebuilding it");
                            forget_stamp(&dir.join(FINGERPRINT_FILE))?;
                            open_persistent(
                                dir, schema, &knowledge, &files, &segmenter, fields, progress,
                            )?
                        }
                    }
                }
            }
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
    /// anew instead, as [`SearchIndex::build`] would. The documents added
    /// are counted in `progress`.
    pub fn update(
        &self,
        knowledge: Arc<Knowledge>,
        changed: &std::collections::HashSet<&str>,
        progress: &Progress,
    ) -> Result<SearchIndex, SearchError> {
        use std::sync::atomic::Ordering::SeqCst;
        let words = vocabulary::words(&knowledge);
        if self.torn.load(SeqCst)
            || words != vocabulary::words(&self.knowledge)
            || question::OfferInputs::of(&knowledge) != question::OfferInputs::of(&self.knowledge)
        {
            let segmenter = Arc::new(Segmenter::new(words.iter().map(String::as_str)));
            // A rebuild in the folder replaces the files this index reads:
            // cut short, it leaves an index this snapshot cannot update.
            if self.dir.is_some() {
                self.torn.store(true, SeqCst);
            }
            return SearchIndex::build_reporting(
                knowledge,
                segmenter,
                self.dir.as_deref(),
                progress,
            );
        }
        self.torn.store(true, SeqCst);
        let updated = self.apply(knowledge, changed, progress);
        // Refused by tantivy's lock, nothing was written.
        if updated.as_ref().map_or_else(is_lock_busy, |_| true) {
            self.torn.store(false, SeqCst);
        }
        updated
    }

    /// [`SearchIndex::update`]'s writing part.
    fn apply(
        &self,
        knowledge: Arc<Knowledge>,
        changed: &std::collections::HashSet<&str>,
        progress: &Progress,
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
            progress,
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
