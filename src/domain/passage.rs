//! A passage of the notes (paragraph, list item, table row) with its heading
//! path and the `file:line` where it stands; and the answer units inside
//! passages (a nested item, a sentence), each citing its own line.

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
    pub text: Arc<str>,
    /// The headings above it, outermost first, as plain text: one shared
    /// list for all the passages under the same headings.
    pub headings: Arc<[String]>,
    pub source: Source,
    /// Where each part of `text` stands: (byte offset into `text`, line of
    /// `source.file`), sorted, the first at offset 0; empty when all of it
    /// stands on `source.line` ([`line_map`]).
    pub lines: Arc<[(usize, usize)]>,
}

impl Passage {
    /// The line of the file where the text at byte `at` of `text` stands.
    pub fn line_at(&self, at: usize) -> usize {
        line_in(&self.lines, self.source.line, at)
    }

    /// Where the text at byte `at` of `text` stands.
    pub fn source_at(&self, at: usize) -> Source {
        Source {
            file: self.source.file.clone(),
            line: self.line_at(at),
        }
    }

    /// The heading path as one line: `2022版chatGPT › RLHF`.
    pub fn heading_path(&self) -> String {
        self.headings.join(" › ")
    }

    /// The nearest heading: the section this passage belongs to.
    pub fn section(&self) -> Option<&str> {
        self.headings.last().map(String::as_str)
    }
}

/// A line map as kept: empty when every part stands on the first line (most
/// sentences and items), one shared empty map for all of those; at 10 000×
/// the notes a map per document was ~40 MB.
pub fn line_map(lines: Vec<(usize, usize)>, first: usize) -> Arc<[(usize, usize)]> {
    static ONE_LINE: std::sync::LazyLock<Arc<[(usize, usize)]>> =
        std::sync::LazyLock::new(|| Arc::new([]));
    if lines.iter().all(|&(_, line)| line == first) {
        ONE_LINE.clone()
    } else {
        lines.into()
    }
}

/// The line where byte `at` stands, given (byte offset, line) pairs sorted
/// by offset; `first` before the first pair.
fn line_in(lines: &[(usize, usize)], first: usize, at: usize) -> usize {
    let i = lines.partition_point(|&(from, _)| from <= at);
    i.checked_sub(1).map_or(first, |i| lines[i].1)
}

/// A text that is usually a part of a longer one it shares (a unit's text
/// inside its passage's): that text and where the part stands, no copy.
/// At 10 000× the notes, units copying their text were ~60 MB.
#[derive(Clone)]
pub struct Excerpt {
    whole: Arc<str>,
    start: u32,
    end: u32,
}

impl Excerpt {
    /// `part` of `whole` when it lies within it, else a copy of `part`.
    pub fn of(whole: &Arc<str>, part: &str) -> Excerpt {
        let base = whole.as_ptr() as usize;
        let at = (part.as_ptr() as usize).wrapping_sub(base);
        if at <= whole.len() && part.len() <= whole.len() - at && whole.len() <= u32::MAX as usize {
            return Excerpt {
                whole: whole.clone(),
                start: at as u32,
                end: (at + part.len()) as u32,
            };
        }
        Excerpt::from(part.to_string())
    }

    /// Where it stands in `whole` (byte range), when it is a part of that
    /// very text rather than a copy.
    pub fn range_in(&self, whole: &Arc<str>) -> Option<(u32, u32)> {
        Arc::ptr_eq(&self.whole, whole).then_some((self.start, self.end))
    }
}

impl From<String> for Excerpt {
    fn from(text: String) -> Excerpt {
        let end = u32::try_from(text.len()).expect("a unit's text is under 4 GB");
        Excerpt {
            whole: text.into(),
            start: 0,
            end,
        }
    }
}

impl std::ops::Deref for Excerpt {
    type Target = str;
    fn deref(&self) -> &str {
        &self.whole[self.start as usize..self.end as usize]
    }
}

impl fmt::Debug for Excerpt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl fmt::Display for Excerpt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self)
    }
}

impl PartialEq for Excerpt {
    fn eq(&self, other: &Excerpt) -> bool {
        **self == **other
    }
}

impl Eq for Excerpt {}

impl std::hash::Hash for Excerpt {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        (**self).hash(h)
    }
}

/// An answer unit; an index into [`super::Knowledge::units`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnitId(pub(crate) u32);

impl UnitId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// What an answer unit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitKind {
    /// A nested list item with the items nested under it.
    Item,
    /// One sentence of a line that holds several.
    Sentence,
    /// A whole comparison section (its passages in note order): the grain
    /// of "what is the difference", where each side stands in its own item.
    Section,
}

/// A part of a passage at the grain people ask about: a nested list item
/// (with its own nested items) or one sentence. Units exist only where they
/// are smaller than their passage; a one-line item is its own unit already.
#[derive(Debug, Clone)]
pub struct Unit {
    pub id: UnitId,
    pub kind: UnitKind,
    pub passage: PassageId,
    /// The text as the passage has it (nested items as indented `- ` lines):
    /// a part of the passage's text where it is one.
    pub text: Excerpt,
    /// Where it sits: the passage's headings, then the items it is nested
    /// in, then (for a sentence) the label its line opens with. Shared with
    /// the units (and the passage) that sit in the same place.
    pub context: Arc<[String]>,
    /// The line where its text starts.
    pub source: Source,
    /// Where each part of `text` stands, as [`Passage::lines`]: (byte offset
    /// into `text`, line of `source.file`), sorted, the first at offset 0;
    /// empty when all of it stands on `source.line`.
    pub lines: Arc<[(usize, usize)]>,
}

impl Unit {
    /// Where the text at byte `at` of `text` stands.
    pub fn source_at(&self, at: usize) -> Source {
        Source {
            file: self.source.file.clone(),
            line: line_in(&self.lines, self.source.line, at),
        }
    }

    /// The context as one line: `2022版chatGPT › RLHF › text-davinci-003`.
    pub fn context_path(&self) -> String {
        self.context.join(" › ")
    }
}
