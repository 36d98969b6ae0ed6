//! Reading the knowledge directory from disk: the only file I/O of the
//! knowledge path. Everything after it works on [`Sources`], strings in
//! memory. [`listing`] decides which files count; the loader reads exactly
//! those (but a notes file whose [`Stamp`] says it is unchanged since the
//! load before, see [`read_dir_after`]) and the reload watcher watches
//! exactly those.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::*;

/// A file of the knowledge directory: the path to show in messages, and its text.
#[derive(Debug, Clone, Default)]
pub struct SourceFile {
    pub path: String,
    pub text: String,
    /// What the file's metadata said when it was read, if it had settled
    /// by then ([`Stamp::settled`]): a later read may trust it.
    pub stamp: Option<Stamp>,
    /// Not read, `text` left empty: the file's stamp is that of a file read
    /// before whose text had this hash ([`read_dir_after`]).
    pub unread: Option<u64>,
}

impl SourceFile {
    /// A file read in full (or made in memory).
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> SourceFile {
        SourceFile {
            path: path.into(),
            text: text.into(),
            ..SourceFile::default()
        }
    }
}

/// What a file's metadata says of its content: its size, modification and
/// status-change times, and inode. A write changes the size, or moves the
/// status-change time (which no tool can set back), so equal stamps taken
/// after the file settled mean the same text, as git's index assumes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Stamp {
    pub len: u64,
    /// Nanoseconds since the Unix epoch.
    pub modified: i64,
    /// Nanoseconds since the Unix epoch; 0 where the system has none.
    pub changed: i64,
    /// 0 where the system has none.
    pub inode: u64,
}

/// How far apart two writes must be for the file system to give them
/// different times: its clock's grain (2 s on FAT, milliseconds elsewhere).
const CLOCK_GRAIN: std::time::Duration = std::time::Duration::from_secs(2);

impl Stamp {
    pub fn of(meta: &std::fs::Metadata) -> Option<Stamp> {
        // Before the epoch too (negative), so that a stamp exists whenever
        // the system gives a modification time.
        let nanos = |t: SystemTime| match t.duration_since(SystemTime::UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_nanos()).unwrap_or(i64::MAX),
            Err(e) => i64::try_from(e.duration().as_nanos()).map_or(i64::MIN, |n| -n),
        };
        let modified = nanos(meta.modified().ok()?);
        #[cfg(unix)]
        let (changed, inode) = {
            use std::os::unix::fs::MetadataExt as _;
            (
                meta.ctime()
                    .saturating_mul(1_000_000_000)
                    .saturating_add(meta.ctime_nsec()),
                meta.ino(),
            )
        };
        #[cfg(not(unix))]
        let (changed, inode) = (0, 0);
        Some(Stamp {
            len: meta.len(),
            modified,
            changed,
            inode,
        })
    }

    /// Whether a file read at `read_at` with this stamp had settled: its
    /// last write lies more than the clock's grain before the read, so a
    /// write after the read cannot leave the stamp as it was (a write
    /// within the same grain could, as git's "racy" entries).
    pub fn settled(&self, read_at: SystemTime) -> bool {
        let Some(at) = read_at
            .checked_sub(CLOCK_GRAIN)
            .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
            .and_then(|d| i64::try_from(d.as_nanos()).ok())
        else {
            return false;
        };
        self.modified < at && self.changed < at
    }
}

/// The files of a knowledge directory, read but not yet understood.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    pub notes: Vec<SourceFile>,
    pub models: Option<SourceFile>,
    pub terms: Option<SourceFile>,
    pub comparisons: Option<SourceFile>,
    pub glossary: Option<SourceFile>,
    pub capabilities: Option<SourceFile>,
}

/// How much the notes may weigh: a note takes several times its size in
/// memory once indexed, and a reload holds the old and the new together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// One file, in bytes.
    pub max_file_bytes: u64,
    /// All files together, in bytes.
    pub max_total_bytes: u64,
}

impl Default for Limits {
    /// Room for a large wiki (the 10 000× benchmark corpus is 63.5 MB in
    /// files of ~160 KB), far from what would exhaust a small server.
    fn default() -> Limits {
        Limits {
            max_file_bytes: 16 * 1024 * 1024,
            max_total_bytes: 128 * 1024 * 1024,
        }
    }
}

/// What a file of the directory is to the loader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Note,
    Models,
    Terms,
    Comparisons,
    Glossary,
    Capabilities,
}

fn kind_of(name: &str) -> Option<Kind> {
    Some(match name {
        MODELS_FILE => Kind::Models,
        TERMS_FILE => Kind::Terms,
        COMPARISONS_FILE => Kind::Comparisons,
        GLOSSARY_FILE => Kind::Glossary,
        CAPABILITIES_FILE => Kind::Capabilities,
        n if n.ends_with(".md") => Kind::Note,
        _ => return None,
    })
}

/// One file the loader reads: where it is listed, the regular file it is
/// (a link's target, inside the directory), its size, and its stamp (size,
/// times, inode; none where the system gives no modification time).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Listed {
    pub path: PathBuf,
    pub target: PathBuf,
    pub len: u64,
    pub stamp: Option<Stamp>,
    /// The device and inode listed: what is opened must be this file, not
    /// whatever the path names by then.
    identity: Option<(u64, u64)>,
    kind_order: u8,
}

/// A file's device and inode (none where the system has no such thing).
fn identity(meta: &std::fs::Metadata) -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        Some((meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        None
    }
}

/// The files of `dir` the loader reads, in name order: notes (`*.md`) and
/// the catalogue TOML files; regular files, or links that resolve to a
/// regular file inside `dir`. A link that leads out of the directory, or to
/// nothing, is a problem naming it; other files are ignored.
pub fn listing(dir: &Path) -> Result<Vec<Listed>, LoadError> {
    let shown = display_path(dir);
    if !dir.is_dir() {
        return Err(Problem::in_file(
            &shown,
            "knowledge directory not found (set --knowledge DIR or knowledge.dir in the config)",
        )
        .into());
    }
    let root = dir
        .canonicalize()
        .map_err(|e| Problem::in_file(&shown, format!("cannot resolve the directory: {e}")))?;
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Problem::in_file(&shown, format!("cannot list the directory: {e}")))?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    paths.sort();
    let mut listed = Vec::new();
    let mut problems = Vec::new();
    for path in paths {
        let Some(kind) = path.file_name().and_then(|n| n.to_str()).and_then(kind_of) else {
            continue;
        };
        let shown = display_path(&path);
        let Ok(link) = std::fs::symlink_metadata(&path) else {
            continue; // gone since the listing
        };
        let target = if link.file_type().is_symlink() {
            match path.canonicalize() {
                Ok(t) if t.starts_with(&root) => t,
                Ok(t) => {
                    problems.push(Problem::in_file(
                        &shown,
                        format!(
                            "a link to {}, outside the knowledge directory: not read (copy the file in, or link to a file inside)",
                            t.display()
                        ),
                    ));
                    continue;
                }
                Err(e) => {
                    problems.push(Problem::in_file(&shown, format!("a broken link: {e}")));
                    continue;
                }
            }
        } else {
            path.clone()
        };
        let Ok(meta) = std::fs::metadata(&target) else {
            continue;
        };
        if !meta.is_file() {
            continue;
        }
        listed.push(Listed {
            path,
            target,
            len: meta.len(),
            stamp: Stamp::of(&meta),
            identity: identity(&meta),
            kind_order: kind as u8,
        });
    }
    if problems.is_empty() {
        Ok(listed)
    } else {
        Err(LoadError { problems })
    }
}

/// Reads every file of `dir` (notes in name order) without interpreting
/// them, within the default [`Limits`].
pub fn read_dir(dir: &Path) -> Result<Sources, LoadError> {
    read_dir_within(dir, Limits::default())
}

/// Reads every file [`listing`] names, refusing files over `limits`.
pub fn read_dir_within(dir: &Path, limits: Limits) -> Result<Sources, LoadError> {
    read_dir_after(dir, limits, None)
}

/// [`read_dir_within`], but a notes file whose settled stamp is the one
/// `before` recorded for it is not read: it comes back
/// [`SourceFile::unread`] with the hash its text had, for
/// [`super::parse_reusing`] with the same `before` to reuse. A start from
/// unchanged notes reads no Markdown, a reload only the edited files.
pub fn read_dir_after(
    dir: &Path,
    limits: Limits,
    before: Option<&Notes>,
) -> Result<Sources, LoadError> {
    read_files(dir, limits, before, SystemTime::now)
}

/// [`read_dir_after`] with the clock each read is timed by (tests move it on).
fn read_files(
    dir: &Path,
    limits: Limits,
    before: Option<&Notes>,
    clock: impl Fn() -> SystemTime,
) -> Result<Sources, LoadError> {
    // A file replaced between the listing and its opening (an editor's
    // save, or a swap for a link out of the folder) is listed again.
    let mut tries = 0;
    loop {
        match read_listing(dir, limits, before, &clock) {
            Err(Reading::Replaced(_)) if tries < 2 => tries += 1,
            Err(Reading::Replaced(problem)) => {
                return Err(LoadError {
                    problems: vec![problem],
                })
            }
            Err(Reading::Invalid(e)) => return Err(e),
            Ok(sources) => return Ok(sources),
        }
    }
}

/// Why one pass of [`read_files`] read nothing.
enum Reading {
    Invalid(LoadError),
    /// The file opened is not the one listed.
    Replaced(Problem),
}

impl From<LoadError> for Reading {
    fn from(e: LoadError) -> Reading {
        Reading::Invalid(e)
    }
}

impl From<Problem> for Reading {
    fn from(p: Problem) -> Reading {
        Reading::Invalid(p.into())
    }
}

/// One pass of [`read_files`]: list, then read what was listed.
fn read_listing(
    dir: &Path,
    limits: Limits,
    before: Option<&Notes>,
    clock: &impl Fn() -> SystemTime,
) -> Result<Sources, Reading> {
    let known: std::collections::HashMap<&str, (Stamp, u64)> = before
        .map(|n| {
            n.files
                .iter()
                .filter_map(|f| Some((&*f.path, (f.stamp?, f.hash))))
                .collect()
        })
        .unwrap_or_default();
    let listed = listing(dir)?;
    let mut problems = Vec::new();
    let mut total = 0u64;
    for f in &listed {
        total = total.saturating_add(f.len);
        if f.len > limits.max_file_bytes {
            problems.push(Problem::in_file(
                &display_path(&f.path),
                format!(
                    "{} is over the {} a knowledge file may have (knowledge.max_file_bytes)",
                    size(f.len),
                    size(limits.max_file_bytes)
                ),
            ));
        }
    }
    if total > limits.max_total_bytes {
        problems.push(Problem::in_file(
            &display_path(dir),
            format!(
                "the knowledge files come to {}, over the {} allowed (knowledge.max_total_bytes)",
                size(total),
                size(limits.max_total_bytes)
            ),
        ));
    }
    if !problems.is_empty() {
        return Err(LoadError { problems }.into());
    }
    let mut sources = Sources::default();
    for f in listed {
        let shown = display_path(&f.path);
        let name = f.path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let kind = kind_of(name);
        if let (Some(Kind::Note), Some(stamp)) = (kind, f.stamp) {
            if let Some(&(_, hash)) = known.get(shown.as_str()).filter(|k| k.0 == stamp) {
                sources.notes.push(SourceFile {
                    path: shown,
                    stamp: Some(stamp),
                    unread: Some(hash),
                    ..SourceFile::default()
                });
                continue;
            }
        }
        let read_at = clock();
        // Bounded even if the file grew since it was listed.
        let mut text = String::new();
        let opened = std::fs::File::open(&f.target)
            .map_err(|e| Problem::in_file(&shown, format!("cannot read: {e}")))?;
        let meta = opened
            .metadata()
            .map_err(|e| Problem::in_file(&shown, format!("cannot read: {e}")))?;
        // What was opened is what was listed: checked on the open file, so a
        // path swapped for a link (to config.toml, say) after the listing is
        // never read.
        if identity(&meta) != f.identity || !meta.is_file() {
            return Err(Reading::Replaced(Problem::in_file(
                &shown,
                "was replaced while it was being read, again and again: not read",
            )));
        }
        // The stamp of what is read: taken from the open file, before it is
        // read, so that a write during the read leaves a newer one.
        let stamp = Stamp::of(&meta).filter(|s| s.settled(read_at));
        opened
            .take(limits.max_file_bytes)
            .read_to_string(&mut text)
            .map_err(|e| Problem::in_file(&shown, format!("cannot read: {e}")))?;
        let file = SourceFile {
            path: shown,
            text,
            stamp,
            unread: None,
        };
        match kind {
            Some(Kind::Note) => sources.notes.push(file),
            Some(Kind::Models) => sources.models = Some(file),
            Some(Kind::Terms) => sources.terms = Some(file),
            Some(Kind::Comparisons) => sources.comparisons = Some(file),
            Some(Kind::Glossary) => sources.glossary = Some(file),
            Some(Kind::Capabilities) => sources.capabilities = Some(file),
            None => {}
        }
    }
    Ok(sources)
}

/// A size for people: bytes, KiB or MiB.
fn size(bytes: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB {
        format!("{:.1} MiB", bytes as f64 / MIB as f64)
    } else if bytes >= KIB {
        format!("{:.1} KiB", bytes as f64 / KIB as f64)
    } else {
        format!("{bytes} bytes")
    }
}

pub(super) fn display_path(p: &Path) -> String {
    let s = p.display().to_string();
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir_with_notes() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.md"), "# A\n\nsome text\n").unwrap();
        dir
    }

    #[cfg(unix)]
    #[test]
    fn links_out_of_the_directory_are_refused_by_name() {
        let outside = tempfile::tempdir().unwrap();
        let secret = outside.path().join("config.toml");
        std::fs::write(&secret, "token = \"SECRET\"\n").unwrap();
        let dir = dir_with_notes();
        std::os::unix::fs::symlink(&secret, dir.path().join("zz.md")).unwrap();
        let e = read_dir(dir.path()).unwrap_err();
        let text = e.to_string();
        assert!(text.contains("zz.md"), "{text}");
        assert!(text.contains("outside the knowledge directory"), "{text}");
        assert!(!text.contains("SECRET"));
    }

    /// #29 point 9: a file swapped for a link out of the folder between the
    /// listing and its opening is not read: it is listed again, and the
    /// link refused by name. The old code opened the path and read the
    /// link's target.
    #[cfg(unix)]
    #[test]
    fn a_file_swapped_for_a_link_after_the_listing_is_not_read() {
        let outside = tempfile::tempdir().unwrap();
        let secret = outside.path().join("config.toml");
        std::fs::write(&secret, "token = \"SECRET\"\n").unwrap();
        let dir = dir_with_notes();
        let note = dir.path().join("a.md");
        let swapped = std::sync::atomic::AtomicBool::new(false);
        // The clock is read just before each file is opened: the swap
        // happens in the window between the listing and the open.
        let clock = || {
            if !swapped.swap(true, std::sync::atomic::Ordering::SeqCst) {
                std::fs::remove_file(&note).unwrap();
                std::os::unix::fs::symlink(&secret, &note).unwrap();
            }
            SystemTime::now()
        };
        let e = read_files(dir.path(), Limits::default(), None, clock).unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains("a.md") && text.contains("outside the knowledge directory"),
            "{text}"
        );
        assert!(!text.contains("SECRET"));
    }

    /// An editor's save (a new file renamed over the old) in that window is
    /// read as saved.
    #[cfg(unix)]
    #[test]
    fn a_file_saved_anew_after_the_listing_is_read_as_saved() {
        let dir = dir_with_notes();
        let note = dir.path().join("a.md");
        let saved = std::sync::atomic::AtomicBool::new(false);
        let clock = || {
            if !saved.swap(true, std::sync::atomic::Ordering::SeqCst) {
                let tmp = dir.path().join("a.md.swp");
                std::fs::write(&tmp, "# A\n\nsaved anew\n").unwrap();
                std::fs::rename(&tmp, &note).unwrap();
            }
            SystemTime::now()
        };
        let s = read_files(dir.path(), Limits::default(), None, clock).unwrap();
        assert_eq!(s.notes[0].text, "# A\n\nsaved anew\n");
    }

    #[cfg(unix)]
    #[test]
    fn links_inside_the_directory_are_read() {
        let dir = dir_with_notes();
        std::fs::create_dir(dir.path().join("drafts")).unwrap();
        std::fs::write(dir.path().join("drafts/b.txt"), "linked note\n").unwrap();
        std::os::unix::fs::symlink(dir.path().join("drafts/b.txt"), dir.path().join("b.md"))
            .unwrap();
        let s = read_dir(dir.path()).unwrap();
        let texts: Vec<&str> = s.notes.iter().map(|n| n.text.as_str()).collect();
        assert_eq!(texts, ["# A\n\nsome text\n", "linked note\n"]);
    }

    #[test]
    fn files_over_the_limits_are_named_with_their_size() {
        let dir = dir_with_notes();
        std::fs::write(dir.path().join("big.md"), "x".repeat(3000)).unwrap();
        let limits = Limits {
            max_file_bytes: 2048,
            max_total_bytes: 1 << 20,
        };
        let e = read_dir_within(dir.path(), limits).unwrap_err().to_string();
        assert!(e.contains("big.md"), "{e}");
        assert!(e.contains("2.9 KiB is over the 2.0 KiB"), "{e}");
        assert!(!e.contains("a.md:"), "{e}");
        let limits = Limits {
            max_file_bytes: 1 << 20,
            max_total_bytes: 2048,
        };
        let e = read_dir_within(dir.path(), limits).unwrap_err().to_string();
        assert!(e.contains("come to 2.9 KiB, over the 2.0 KiB"), "{e}");
    }

    /// A clock an hour ahead: every file written by the test has settled.
    fn later() -> SystemTime {
        SystemTime::now() + std::time::Duration::from_secs(3600)
    }

    fn texts(s: &Sources) -> Vec<(&str, &str, Option<u64>)> {
        s.notes
            .iter()
            .map(|n| {
                let name = n.path.rsplit('/').next().unwrap();
                (name, n.text.as_str(), n.unread)
            })
            .collect()
    }

    #[test]
    fn notes_unchanged_since_a_settled_read_are_not_read_again() {
        let dir = dir_with_notes();
        std::fs::write(dir.path().join("b.md"), "# B\n\nother text\n").unwrap();
        std::fs::write(dir.path().join(MODELS_FILE), "").unwrap();
        let first = read_files(dir.path(), Limits::default(), None, later).unwrap();
        assert!(first
            .notes
            .iter()
            .all(|n| n.stamp.is_some() && n.unread.is_none()));
        let (k, notes) = parse_reusing(first, None, &Progress::default()).unwrap();
        std::fs::write(dir.path().join("b.md"), "# B\n\nother text, edited\n").unwrap();
        let again = read_files(dir.path(), Limits::default(), Some(&notes), later).unwrap();
        let a_hash = notes.files[0].hash;
        assert_eq!(
            texts(&again),
            [
                ("a.md", "", Some(a_hash)),
                ("b.md", "# B\n\nother text, edited\n", None)
            ]
        );
        // The catalogue is always read.
        assert!(again.models.as_ref().is_some_and(|m| m.unread.is_none()));
        // What the unread file held comes from the load before, as a
        // parse of everything read would have it.
        let (reused, _) = parse_reusing(again, Some((&k, &notes)), &Progress::default()).unwrap();
        let fresh = parse(read_dir(dir.path()).unwrap()).unwrap();
        let shown = |k: &Knowledge| {
            k.passages
                .iter()
                .map(|p| format!("{} {}", p.source, p.text))
                .collect::<Vec<_>>()
        };
        assert_eq!(shown(&reused), shown(&fresh));
        assert!(shown(&fresh)
            .iter()
            .any(|p| p.ends_with("/a.md:3 some text")));
    }

    #[test]
    fn a_file_written_just_before_it_is_read_is_read_again_next_time() {
        let dir = dir_with_notes();
        let first = read_files(dir.path(), Limits::default(), None, SystemTime::now).unwrap();
        assert_eq!(
            first.notes[0].stamp, None,
            "written within the clock's grain"
        );
        let (_, notes) = parse_reusing(
            Sources {
                models: Some(SourceFile::new(MODELS_FILE, "")),
                ..first
            },
            None,
            &Progress::default(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let again = read_files(dir.path(), Limits::default(), Some(&notes), later).unwrap();
        assert_eq!(texts(&again), [("a.md", "# A\n\nsome text\n", None)]);
    }

    #[cfg(unix)]
    #[test]
    fn a_rewrite_of_the_same_size_with_its_old_time_put_back_is_read() {
        let dir = dir_with_notes();
        let path = dir.path().join("a.md");
        let first = read_files(dir.path(), Limits::default(), None, later).unwrap();
        let old_time = std::fs::metadata(&path).unwrap().modified().unwrap();
        let (_, notes) = parse_reusing(
            Sources {
                models: Some(SourceFile::new(MODELS_FILE, "")),
                ..first
            },
            None,
            &Progress::default(),
        )
        .unwrap();
        std::fs::write(&path, "# A\n\nsome TEXT\n").unwrap();
        let file = std::fs::File::options().write(true).open(&path).unwrap();
        file.set_modified(old_time).unwrap();
        assert_eq!(
            std::fs::metadata(&path).unwrap().modified().unwrap(),
            old_time
        );
        let again = read_files(dir.path(), Limits::default(), Some(&notes), later).unwrap();
        assert_eq!(texts(&again), [("a.md", "# A\n\nsome TEXT\n", None)]);
    }

    #[test]
    fn an_unread_file_with_nothing_to_reuse_is_a_problem_not_an_empty_file() {
        let sources = Sources {
            notes: vec![SourceFile {
                path: "knowledge/a.md".into(),
                unread: Some(7),
                ..SourceFile::default()
            }],
            models: Some(SourceFile::new(MODELS_FILE, "")),
            ..Sources::default()
        };
        let e = parse(sources).unwrap_err().to_string();
        assert!(e.contains("knowledge/a.md"), "{e}");
        assert!(e.contains("was not read"), "{e}");
    }

    #[test]
    fn the_listing_is_what_the_loader_reads() {
        let dir = dir_with_notes();
        std::fs::write(dir.path().join("readme.txt"), "not a note").unwrap();
        std::fs::write(dir.path().join(MODELS_FILE), "").unwrap();
        let names: Vec<String> = listing(dir.path())
            .unwrap()
            .iter()
            .map(|l| l.path.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["a.md", MODELS_FILE]);
    }
}
