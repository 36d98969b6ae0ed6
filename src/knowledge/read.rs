//! Reading the knowledge directory from disk: the only file I/O of the
//! knowledge path. Everything after it works on [`Sources`], strings in
//! memory. [`listing`] decides which files count; the loader reads exactly
//! those and the reload watcher watches exactly those.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::*;

/// A file of the knowledge directory: the path to show in messages, and its text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: String,
    pub text: String,
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
/// (a link's target, inside the directory), its size and modification time.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Listed {
    pub path: PathBuf,
    pub target: PathBuf,
    pub len: u64,
    pub modified: Option<SystemTime>,
    kind_order: u8,
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
            modified: meta.modified().ok(),
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
        return Err(LoadError { problems });
    }
    let mut sources = Sources::default();
    for f in listed {
        let shown = display_path(&f.path);
        // Bounded even if the file grew since it was listed.
        let mut text = String::new();
        std::fs::File::open(&f.target)
            .and_then(|file| file.take(limits.max_file_bytes).read_to_string(&mut text))
            .map_err(|e| Problem::in_file(&shown, format!("cannot read: {e}")))?;
        let file = SourceFile { path: shown, text };
        let name = f.path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        match kind_of(name) {
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
