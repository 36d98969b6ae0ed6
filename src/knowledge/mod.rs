//! Loading the knowledge directory: the notes (`*.md`) and the TOML beside
//! them, validated into a [`Knowledge`]. [`read_dir`] (in `read.rs`) is the
//! only file I/O of the knowledge path; [`parse`] works on strings so tests
//! need no files. Building is split by concept: `build` (the notes and the
//! order of checks), `models`, `terms`, `comparisons`, `capabilities`.

mod build;
mod capabilities;
mod catalog;
mod chain;
mod comparisons;
mod error;
pub use error::line_col;
mod markdown;
mod models;
mod progress;
mod read;
pub mod saved;
pub mod suggest;
mod terms;
mod units;

use std::collections::HashMap;
use std::path::Path;
use std::sync::LazyLock;

use regex::Regex;

use crate::domain::{
    Capability, CapabilityId, Comparison, ComparisonId, ComparisonSubject, Edge, Family, Knowledge,
    Lineage, Model, ModelId, NameKey, Named, PassageId, PassageKind, Term, TermId, Text,
};
use crate::domain::{Method, Resolved};

use build::Builder;
pub use build::{NoteFile, Notes};
pub use chain::{Chain, Stage};
pub use error::{LoadError, Problem};
pub use markdown::MAX_PASSAGE_CHARS;
pub use progress::{Phase, Progress, Tally, REPORTS_PER_PHASE};
pub use read::{
    listing, read_dir, read_dir_after, read_dir_within, Limits, Listed, SourceFile, Sources, Stamp,
};

use catalog::{CapabilitiesFile, ComparisonsFile, GlossaryFile, ModelsFile, TermsFile};

pub const MODELS_FILE: &str = "models.toml";
pub const TERMS_FILE: &str = "terms.toml";
pub const COMPARISONS_FILE: &str = "comparisons.toml";
pub const GLOSSARY_FILE: &str = "glossary.toml";
pub const CAPABILITIES_FILE: &str = "capabilities.toml";

/// Reads and validates a knowledge directory.
pub fn load_dir(dir: &Path) -> Result<Knowledge, LoadError> {
    parse(read_dir(dir)?)
}

/// Builds the knowledge from file contents, reporting every problem found.
pub fn parse(sources: Sources) -> Result<Knowledge, LoadError> {
    parse_reusing(sources, None, &Progress::default()).map(|(k, _)| k)
}

/// [`parse`], reusing what `before` (a knowledge and what its files came
/// to) made of each notes file whose text is unchanged: only changed and
/// new files are parsed ([`Notes::parsed`]). The catalogue files are always
/// read and everything is validated again, so the result is the same as
/// [`parse`]'s.
///
/// Each notes file's text is dropped once it is parsed (or found
/// unchanged), before the answer units are cut: the notes' text and what
/// it becomes are never all held together (at 10 000× the notes, 64 MB
/// off the peak of a start). `progress` hears of each notes file
/// ([`Phase::Parsing`]).
pub fn parse_reusing(
    mut sources: Sources,
    before: Option<(&Knowledge, &Notes)>,
    progress: &Progress,
) -> Result<(Knowledge, Notes), LoadError> {
    let mut b = Builder::default();
    b.run(&mut sources, before, progress);
    drop(sources);
    b.finished(before.map(|(k, _)| k))
}

/// [`parse_reusing`] with what an earlier start saved ([`saved::load`]),
/// owned: the unchanged files' passages and units are moved into the new
/// knowledge, not copied, and the changed files' are let go once the notes
/// are read.
pub fn parse_after(
    mut sources: Sources,
    saved: (Knowledge, Notes),
    progress: &Progress,
) -> Result<(Knowledge, Notes), LoadError> {
    let (mut before, notes) = saved;
    let mut b = Builder {
        owned: build::Owned::of(&mut before),
        ..Builder::default()
    };
    b.run(&mut sources, Some((&before, &notes)), progress);
    drop(sources);
    // What no file took: the passages of files that changed.
    b.owned.passages = Vec::new();
    b.finished(Some(&before))
}
