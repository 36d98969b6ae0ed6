//! A passage of the notes (paragraph, list item, table row) with its heading
//! path and the `file:line` where it stands.

use std::fmt;
use std::sync::Arc;

/// A passage of the notes; an index into [`super::Knowledge::passages`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PassageId(pub(crate) u32);

impl PassageId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Where something stands in the notes: `knowledge/notes.md:42`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Source {
    pub file: Arc<str>,
    pub line: usize,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// What a passage is, as the notes lay it out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PassageKind {
    Paragraph,
    ListItem,
    TableRow,
}

/// One unit of the notes a search can return: a paragraph, a list item with
/// its nested items, or a table row.
#[derive(Debug, Clone)]
pub struct Passage {
    pub id: PassageId,
    pub kind: PassageKind,
    /// Plain text, Markdown markup removed, nested items as indented `- ` lines.
    pub text: String,
    /// The headings above it, outermost first, as plain text.
    pub headings: Vec<String>,
    pub source: Source,
}

impl Passage {
    /// The heading path as one line: `2022版chatGPT › RLHF`.
    pub fn heading_path(&self) -> String {
        self.headings.join(" › ")
    }

    /// The nearest heading: the section this passage belongs to.
    pub fn section(&self) -> Option<&str> {
        self.headings.last().map(String::as_str)
    }
}
