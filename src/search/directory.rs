//! The folder a persisted index is read from: tantivy's `MmapDirectory` for
//! everything (writes, locks, `meta.json`, watching), except that postings
//! (`.idx`) and positions (`.pos`) are read with positioned reads into
//! buffers of our own instead of mapped.
//!
//! Why: mapped, every page of those two files a question touches stays
//! counted in the serving process's memory (75 MB of a 90 MB index at
//! 10 000× the notes, docs/PERFORMANCE.md). Read, the pages stay in the
//! kernel's page cache, and the process holds only the ranges a question is
//! using. tantivy reads both files lazily, one term's range at a time
//! (`InvertedIndexReader::read_postings_from_terminfo`), so each read is
//! small (under 100 KB at 10 000×). The other files are read whole at open
//! (term dictionaries, fast fields, field norms, deletes): copying those
//! would cost memory, so they stay mapped, and so do small files
//! ([`MAP_BELOW`]).

use std::fs::File;
use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tantivy::directory::error::{
    DeleteError, LockError, OpenDirectoryError, OpenReadError, OpenWriteError,
};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, Lock, MmapDirectory, OwnedBytes, WatchCallback,
    WatchHandle, WritePtr,
};
use tantivy::schema::Schema;
use tantivy::{HasLen, Index, IndexSettings, TantivyError};

/// The extensions of the files read by range rather than mapped: tantivy's
/// `SegmentComponent::Postings` and `SegmentComponent::Positions`.
const READ_BY_RANGE: [&str; 2] = ["idx", "pos"];

/// Postings and positions files smaller than this stay mapped. Mapped, a
/// file costs the process at most its size; read by range, a question pays
/// a system call per range: on the bundled notes (every file a few KB)
/// that made a question a fifth slower (p50 0.31 → 0.37 ms) and saved
/// nothing.
const MAP_BELOW: u64 = 1 << 20;

/// An `MmapDirectory` whose large postings and positions files are read,
/// not mapped.
#[derive(Clone, Debug)]
pub(super) struct ReadingDirectory {
    mapped: MmapDirectory,
    root: PathBuf,
    map_below: u64,
}

impl ReadingDirectory {
    pub(super) fn open(path: &Path) -> Result<ReadingDirectory, OpenDirectoryError> {
        ReadingDirectory::mapping_below(path, MAP_BELOW)
    }

    fn mapping_below(path: &Path, map_below: u64) -> Result<ReadingDirectory, OpenDirectoryError> {
        let mapped = MmapDirectory::open(path)?;
        // The same folder `MmapDirectory` resolves its paths against.
        let root = path
            .canonicalize()
            .map_err(|e| OpenDirectoryError::wrap_io_error(e, path.to_path_buf()))?;
        Ok(ReadingDirectory {
            mapped,
            root,
            map_below,
        })
    }
}

/// Opens the index kept in `path`, read through [`ReadingDirectory`].
pub(super) fn open_index(path: &Path) -> tantivy::Result<Index> {
    Index::open(ReadingDirectory::open(path)?)
}

/// Creates an index in `path` (which must hold none), read through
/// [`ReadingDirectory`]; as `Index::create_in_dir` otherwise.
pub(super) fn create_index(path: &Path, schema: Schema) -> tantivy::Result<Index> {
    let dir = ReadingDirectory::open(path)?;
    if Index::exists(&dir)? {
        return Err(TantivyError::IndexAlreadyExists);
    }
    Index::create(dir, schema, IndexSettings::default())
}

fn read_by_range(path: &Path) -> bool {
    cfg!(unix)
        && path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| READ_BY_RANGE.contains(&e))
}

impl Directory for ReadingDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        if !read_by_range(path) {
            return self.mapped.get_file_handle(path);
        }
        let full = self.root.join(path);
        let file = File::open(&full).map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => OpenReadError::FileDoesNotExist(path.to_path_buf()),
            _ => OpenReadError::wrap_io_error(e, path.to_path_buf()),
        })?;
        let len = file
            .metadata()
            .map_err(|e| OpenReadError::wrap_io_error(e, path.to_path_buf()))?
            .len();
        if len < self.map_below {
            return self.mapped.get_file_handle(path);
        }
        Ok(Arc::new(ReadFile {
            file,
            len: len as usize,
            path: path.to_path_buf(),
        }))
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.mapped.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.mapped.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        self.mapped.open_write(path)
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.mapped.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        self.mapped.atomic_write(path, data)
    }

    fn sync_directory(&self) -> io::Result<()> {
        self.mapped.sync_directory()
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        self.mapped.acquire_lock(lock)
    }

    fn watch(&self, callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.mapped.watch(callback)
    }
}

/// An open segment file, each range read when asked for. The open file
/// keeps its data readable after tantivy deletes it (a merge, a rebuild),
/// as a map would.
#[derive(Debug)]
struct ReadFile {
    file: File,
    len: usize,
    path: PathBuf,
}

impl HasLen for ReadFile {
    fn len(&self) -> usize {
        self.len
    }
}

impl FileHandle for ReadFile {
    /// A range past the file's end is an error (a map would panic).
    fn read_bytes(&self, range: Range<usize>) -> io::Result<OwnedBytes> {
        if range.start > range.end || range.end > self.len {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "{}: bytes {range:?} asked of a file of {} bytes",
                    self.path.display(),
                    self.len
                ),
            ));
        }
        let mut buf = vec![0u8; range.len()];
        read_at(&self.file, &mut buf, range.start as u64)?;
        Ok(OwnedBytes::new(buf))
    }
}

#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], at: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, at)
}

/// Never called: elsewhere every file is mapped ([`read_by_range`]).
#[cfg(not(unix))]
fn read_at(_: &File, _: &mut [u8], _: u64) -> io::Result<()> {
    Err(io::Error::from(io::ErrorKind::Unsupported))
}

/// Unix only: elsewhere every file is mapped.
#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use tantivy::collector::TopDocs;
    use tantivy::query::{BooleanQuery, Occur, PhraseQuery, Query, TermQuery};
    use tantivy::schema::{IndexRecordOption, TEXT};
    use tantivy::{doc, Term};

    /// Enough documents that the common words' postings span several
    /// blocks of 128 and their positions several bit-packed blocks: words
    /// drawn at random (a fixed seed) from seven, 3 to 40 a document.
    fn texts() -> Vec<String> {
        let words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta"];
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move |n: u64| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((state >> 33) % n) as usize
        };
        (0..3_000)
            .map(|_| {
                let n = 3 + next(38);
                (0..n)
                    .map(|_| words[next(words.len() as u64)])
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    fn queries(body: tantivy::schema::Field) -> Vec<Box<dyn Query>> {
        let term = |w: &str| Term::from_field_text(body, w);
        let tq = |w: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                term(w),
                IndexRecordOption::WithFreqsAndPositions,
            ))
        };
        vec![
            tq("alpha"),
            tq("eta"),
            Box::new(PhraseQuery::new(vec![term("beta"), term("gamma")])),
            Box::new(PhraseQuery::new(vec![
                term("zeta"),
                term("eta"),
                term("alpha"),
            ])),
            Box::new(BooleanQuery::new(vec![
                (Occur::Must, tq("delta")),
                (Occur::Should, tq("epsilon")),
                (Occur::MustNot, tq("zeta")),
            ])),
        ]
    }

    /// Every query's top 50 (document and score bits) on `index`.
    fn answers(index: &Index, body: tantivy::schema::Field) -> Vec<Vec<(u32, u32, u32)>> {
        let searcher = index.reader().unwrap().searcher();
        queries(body)
            .iter()
            .map(|q| {
                searcher
                    .search(q, &TopDocs::with_limit(50).order_by_score())
                    .unwrap()
                    .into_iter()
                    .map(|(score, at)| (at.segment_ord, at.doc_id, score.to_bits()))
                    .collect()
            })
            .collect()
    }

    /// Written by tantivy's own directory and read through ours (and the
    /// other way round), an index answers as read through tantivy's, and
    /// its postings and positions really are read by range (here every
    /// file is, whatever its size).
    #[test]
    fn an_index_read_by_range_answers_as_mapped() {
        let mut schema = Schema::builder();
        let body = schema.add_text_field("body", TEXT);
        let schema = schema.build();
        let written = |index: Index| {
            let mut writer: tantivy::IndexWriter =
                index.writer_with_num_threads(1, 15_000_000).unwrap();
            for text in texts() {
                writer.add_document(doc!(body => text)).unwrap();
            }
            writer.commit().unwrap();
        };
        let a = tempfile::tempdir().unwrap();
        written(Index::create_in_dir(a.path(), schema.clone()).unwrap());
        let b = tempfile::tempdir().unwrap();
        written(create_index(b.path(), schema.clone()).unwrap());
        assert!(matches!(
            create_index(b.path(), schema),
            Err(TantivyError::IndexAlreadyExists)
        ));

        let reading = |path: &Path| ReadingDirectory::mapping_below(path, 0).unwrap();
        let mapped = answers(&Index::open_in_dir(a.path()).unwrap(), body);
        assert!(mapped.iter().all(|hits| !hits.is_empty()), "{mapped:?}");
        assert_eq!(
            answers(&Index::open(reading(a.path())).unwrap(), body),
            mapped
        );
        assert_eq!(
            answers(&Index::open(reading(b.path())).unwrap(), body),
            mapped
        );
        assert_eq!(answers(&open_index(b.path()).unwrap(), body), mapped);
        assert_eq!(
            answers(&Index::open_in_dir(b.path()).unwrap(), body),
            mapped
        );

        // Its files are small: the bot's own directory maps them.
        let files = |dir: &ReadingDirectory| -> Vec<String> {
            let mut kinds = Vec::new();
            for entry in std::fs::read_dir(a.path()).unwrap() {
                let name = PathBuf::from(entry.unwrap().file_name());
                if read_by_range(&name) {
                    let handle = dir.get_file_handle(&name).unwrap();
                    let read = format!("{handle:?}").starts_with("ReadFile");
                    kinds.push(format!("{} {read}", name.extension().unwrap().display()));
                }
            }
            kinds.sort();
            kinds
        };
        assert_eq!(files(&reading(a.path())), ["idx true", "pos true"]);
        let production = ReadingDirectory::open(a.path()).unwrap();
        assert_eq!(files(&production), ["idx false", "pos false"]);
    }

    /// A range past the end, or backwards, is an error, not a panic; the
    /// last byte and an empty range at the end are fine.
    #[test]
    fn a_range_past_the_end_is_an_error() {
        let folder = tempfile::tempdir().unwrap();
        std::fs::write(folder.path().join("x.idx"), b"0123456789").unwrap();
        let dir = ReadingDirectory::mapping_below(folder.path(), 0).unwrap();
        let handle = dir.get_file_handle(Path::new("x.idx")).unwrap();
        assert_eq!(handle.len(), 10);
        assert_eq!(handle.read_bytes(3..7).unwrap().as_slice(), b"3456");
        assert_eq!(handle.read_bytes(9..10).unwrap().as_slice(), b"9");
        assert!(handle.read_bytes(10..10).unwrap().is_empty());
        for range in [8..11, 11..12, 100..200] {
            let e = handle.read_bytes(range.clone()).unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::InvalidInput, "{range:?}");
        }
        #[allow(clippy::reversed_empty_ranges)]
        let backwards = 5..4;
        assert!(handle.read_bytes(backwards).is_err());
        assert!(matches!(
            dir.get_file_handle(Path::new("missing.pos")),
            Err(OpenReadError::FileDoesNotExist(_))
        ));
    }
}
