//! Reading the knowledge directory from disk: the only file I/O of the
//! knowledge path. Everything after it works on [`Sources`], strings in
//! memory.

use std::path::Path;

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
}

/// Reads every file of `dir` (notes in name order) without interpreting them.
pub fn read_dir(dir: &Path) -> Result<Sources, LoadError> {
    let shown = display_path(dir);
    if !dir.is_dir() {
        return Err(Problem::in_file(
            &shown,
            "knowledge directory not found (set --knowledge DIR or knowledge.dir in the config)",
        )
        .into());
    }
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Problem::in_file(&shown, format!("cannot list the directory: {e}")))?;
    let mut names: Vec<_> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    names.sort();
    let mut sources = Sources::default();
    for path in names {
        let Some(name) = path
            .file_name()
            .and_then(|n| n.to_str())
            .map(str::to_string)
        else {
            continue;
        };
        let shown = display_path(&path);
        let read = |p: &Path| {
            std::fs::read_to_string(p)
                .map_err(|e| Problem::in_file(&shown, format!("cannot read: {e}")))
        };
        if name.ends_with(".md") {
            sources.notes.push(SourceFile {
                path: shown.clone(),
                text: read(&path)?,
            });
        } else if name == MODELS_FILE {
            sources.models = Some(SourceFile {
                path: shown.clone(),
                text: read(&path)?,
            });
        } else if name == TERMS_FILE {
            sources.terms = Some(SourceFile {
                path: shown.clone(),
                text: read(&path)?,
            });
        } else if name == COMPARISONS_FILE {
            sources.comparisons = Some(SourceFile {
                path: shown.clone(),
                text: read(&path)?,
            });
        } else if name == GLOSSARY_FILE {
            sources.glossary = Some(SourceFile {
                path: shown.clone(),
                text: read(&path)?,
            });
        }
    }
    Ok(sources)
}

pub(super) fn display_path(p: &Path) -> String {
    let s = p.display().to_string();
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}
