//! The notes' Markdown as passages, headings and the terminology table.
//! Nothing here knows about models: it only lays the text out.

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use std::sync::Arc;

use super::error::LineStarts;

/// Passages longer than this are split at line boundaries, so one search hit
/// stays readable in an embed.
pub const MAX_PASSAGE_CHARS: usize = 800;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    Paragraph,
    ListItem,
    TableRow,
}

/// A passage as laid out in one file, before ids are given.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub kind: BlockKind,
    pub text: String,
    /// Shared by every block under the same headings.
    pub headings: Arc<[String]>,
    pub line: usize,
    /// Where each part of `text` stands: (byte offset into `text`, line),
    /// sorted by offset, the first at 0. A text line that continues over
    /// several lines of the file has a mark where each file line starts.
    pub lines: Vec<(usize, usize)>,
}

/// A heading and where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Heading {
    pub level: u8,
    pub text: String,
    pub line: usize,
}

/// A row of a table, cell by cell (`<br/>` as a newline).
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub cells: Vec<String>,
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Row>,
    pub line: usize,
    pub headings: Arc<[String]>,
}

/// One Markdown file of notes, laid out.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Layout {
    pub blocks: Vec<Block>,
    pub headings: Vec<Heading>,
    pub tables: Vec<Table>,
}

/// A line of text in the making: its text and, from each byte offset on,
/// the line of the file that text came from.
struct Line {
    text: String,
    marks: Vec<(usize, usize)>,
}

/// Lines of text in the making.
struct Lines {
    lines: Vec<Line>,
}

impl Lines {
    fn new() -> Lines {
        Lines { lines: Vec::new() }
    }
    fn start(&mut self, prefix: String, line: usize) {
        self.lines.push(Line {
            text: prefix,
            marks: vec![(0, line)],
        });
    }
    fn push(&mut self, s: &str, line: usize) {
        if self.lines.is_empty() {
            self.start(String::new(), line);
        }
        let l = self.lines.last_mut().expect("a line");
        if l.marks.last().is_some_and(|&(_, at)| at != line) && !s.trim().is_empty() {
            l.marks.push((l.text.len(), line));
        }
        l.text.push_str(s);
    }
    /// Lines with their text tidied, each with its marks; empty ones dropped.
    fn finish(self) -> Vec<(String, Vec<(usize, usize)>)> {
        self.lines
            .into_iter()
            .map(|l| tidy_marked(&l.text, &l.marks))
            .filter(|(l, _)| !l.trim_start_matches(['-', ' ']).is_empty())
            .collect()
    }
}

/// Whitespace runs as one space, keeping the leading indent of nested items.
fn tidy(line: &str) -> String {
    tidy_marked(line, &[]).0
}

/// [`tidy`], with byte offsets of `marks` moved to where their text ends up.
fn tidy_marked(line: &str, marks: &[(usize, usize)]) -> (String, Vec<(usize, usize)>) {
    let indent = line.len() - line.trim_start().len();
    let mut out = " ".repeat(indent);
    let mut moved: Vec<(usize, usize)> = Vec::with_capacity(marks.len());
    let mut next = 0;
    let mut space = false;
    for (i, c) in line.trim().char_indices() {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space && !out.trim().is_empty() {
            out.push(' ');
        }
        space = false;
        while next < marks.len() && marks[next].0 <= indent + i {
            let at = if moved.is_empty() { 0 } else { out.len() };
            moved.push((at, marks[next].1));
            next += 1;
        }
        out.push(c);
    }
    if moved.is_empty() {
        if let Some(&(_, line)) = marks.first() {
            moved.push((0, line));
        }
    }
    moved.dedup_by_key(|m| m.1);
    (out, moved)
}

/// Lay out one file of notes.
pub fn parse(text: &str) -> Layout {
    let mut layout = Layout::default();
    let parser = Parser::new_ext(text, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH);
    let starts = LineStarts::new(text);
    let line_of = |offset: usize| starts.line(offset);

    let mut headings: Vec<(u8, String)> = Vec::new();
    let mut heading_text: Option<(u8, String, usize)> = None;
    // A block being collected: its kind and lines; `list_depth` at which it started.
    let mut block: Option<(BlockKind, Lines, usize)> = None;
    let mut list_depth = 0usize;
    let mut skip_depth = 0usize; // inside images and code blocks
    let mut table: Option<Table> = None;
    let mut cell: Option<String> = None;
    let mut row: Option<Row> = None;
    let mut in_head = false;

    // The heading path, made once per heading and shared by the blocks
    // under it.
    let mut path: Arc<[String]> = Arc::new([]);

    for (event, range) in parser.into_offset_iter() {
        let line = line_of(range.start);
        match event {
            Event::Start(Tag::Image { .. }) | Event::Start(Tag::CodeBlock(_)) => skip_depth += 1,
            Event::End(TagEnd::Image) | Event::End(TagEnd::CodeBlock) => {
                skip_depth = skip_depth.saturating_sub(1)
            }
            _ if skip_depth > 0 => {}
            Event::Start(Tag::Heading { level, .. }) => {
                heading_text = Some((heading_level(level), String::new(), line));
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, text, line)) = heading_text.take() {
                    let text = tidy(&text);
                    headings.retain(|(l, _)| *l < level);
                    headings.push((level, text.clone()));
                    path = headings.iter().map(|(_, t)| t.clone()).collect();
                    layout.headings.push(Heading { level, text, line });
                }
            }
            Event::Start(Tag::List(_)) => {
                list_depth += 1;
            }
            Event::End(TagEnd::List(_)) => list_depth = list_depth.saturating_sub(1),
            Event::Start(Tag::Item) => {
                if let Some((_, lines, _)) = block.as_mut() {
                    let indent = "  ".repeat(list_depth.saturating_sub(2));
                    lines.start(format!("{indent}- "), line);
                } else {
                    block = Some((BlockKind::ListItem, Lines::new(), list_depth));
                }
            }
            Event::End(TagEnd::Item) => {
                if let Some((BlockKind::ListItem, _, depth)) = &block {
                    if *depth == list_depth {
                        let (kind, lines, _) = block.take().expect("a block");
                        emit(&mut layout, kind, lines, &path);
                    }
                }
            }
            Event::Start(Tag::Paragraph) => {
                if block.is_none() {
                    block = Some((BlockKind::Paragraph, Lines::new(), list_depth));
                } else if let Some((_, lines, _)) = block.as_mut() {
                    // A paragraph inside an item continues on its own line
                    // unless it is the item's first words.
                    if lines
                        .lines
                        .last()
                        .is_some_and(|l| !l.text.trim_start_matches(['-', ' ']).is_empty())
                    {
                        let indent = lines.lines.last().map_or(String::new(), |l| {
                            " ".repeat(l.text.len() - l.text.trim_start().len() + 2)
                        });
                        lines.start(indent, line);
                    }
                }
            }
            Event::End(TagEnd::Paragraph) => {
                if let Some((BlockKind::Paragraph, _, _)) = &block {
                    let (kind, lines, _) = block.take().expect("a block");
                    emit(&mut layout, kind, lines, &path);
                }
            }
            Event::Start(Tag::Table(_)) => {
                table = Some(Table {
                    header: Vec::new(),
                    rows: Vec::new(),
                    line,
                    headings: path.clone(),
                });
            }
            Event::End(TagEnd::Table) => {
                if let Some(t) = table.take() {
                    for r in &t.rows {
                        let text = r
                            .cells
                            .iter()
                            .map(|c| c.replace('\n', " "))
                            .collect::<Vec<_>>()
                            .join(" | ");
                        layout.blocks.push(Block {
                            kind: BlockKind::TableRow,
                            text: tidy(&text),
                            headings: t.headings.clone(),
                            line: r.line,
                            lines: vec![(0, r.line)],
                        });
                    }
                    layout.tables.push(t);
                }
            }
            Event::Start(Tag::TableHead) => {
                in_head = true;
                row = Some(Row {
                    cells: Vec::new(),
                    line,
                });
            }
            Event::End(TagEnd::TableHead) => {
                in_head = false;
                if let (Some(t), Some(r)) = (table.as_mut(), row.take()) {
                    t.header = r.cells;
                }
            }
            Event::Start(Tag::TableRow) => {
                row = Some(Row {
                    cells: Vec::new(),
                    line,
                })
            }
            Event::End(TagEnd::TableRow) => {
                if let (Some(t), Some(r)) = (table.as_mut(), row.take()) {
                    if !in_head {
                        t.rows.push(r);
                    }
                }
            }
            Event::Start(Tag::TableCell) => cell = Some(String::new()),
            Event::End(TagEnd::TableCell) => {
                if let (Some(r), Some(c)) = (row.as_mut(), cell.take()) {
                    let c = c.lines().map(tidy).collect::<Vec<_>>().join("\n");
                    r.cells.push(c.trim().to_string());
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, text, _)) = heading_text.as_mut() {
                    text.push_str(&t);
                } else if let Some(c) = cell.as_mut() {
                    c.push_str(&t);
                } else if let Some((_, lines, _)) = block.as_mut() {
                    lines.push(&t, line);
                }
            }
            Event::InlineHtml(html) | Event::Html(html) => {
                let is_break = html
                    .trim()
                    .trim_start_matches('<')
                    .to_lowercase()
                    .starts_with("br");
                if is_break {
                    if let Some(c) = cell.as_mut() {
                        c.push('\n');
                    } else if let Some((_, lines, _)) = block.as_mut() {
                        lines.push(" ", line);
                    }
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(c) = cell.as_mut() {
                    c.push(' ');
                } else if let Some((_, lines, _)) = block.as_mut() {
                    lines.push(" ", line);
                }
            }
            _ => {}
        }
    }
    layout
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// Adds a finished block, split at line boundaries when it is too long.
fn emit(layout: &mut Layout, kind: BlockKind, lines: Lines, headings: &Arc<[String]>) {
    let lines = lines.finish();
    let mut chunk: Vec<&(String, Vec<(usize, usize)>)> = Vec::new();
    let mut chars = 0;
    let mut flush = |chunk: &mut Vec<&(String, Vec<(usize, usize)>)>| {
        let mut text = String::new();
        let mut marks: Vec<(usize, usize)> = Vec::new();
        for (l, m) in chunk.iter() {
            if !text.is_empty() {
                text.push('\n');
            }
            let base = text.len();
            marks.extend(m.iter().map(|&(at, line)| (base + at, line)));
            text.push_str(l);
        }
        marks.dedup_by_key(|m| m.1);
        if let Some(&(_, line)) = marks.first() {
            layout.blocks.push(Block {
                kind,
                text,
                headings: headings.clone(),
                line,
                lines: marks,
            });
        }
        chunk.clear();
    };
    for l in &lines {
        let n = l.0.chars().count() + 1;
        if chars + n > MAX_PASSAGE_CHARS && !chunk.is_empty() {
            flush(&mut chunk);
            chars = 0;
        }
        chunk.push(l);
        chars += n;
    }
    flush(&mut chunk);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_carry_their_nested_items_and_headings() {
        let md = "### Top\n\n* one\n  * nested **bold**\n* two\n\n#### Sub\n\npara `code`\n";
        let l = parse(md);
        let texts: Vec<_> = l.blocks.iter().map(|b| (b.text.as_str(), b.line)).collect();
        assert_eq!(
            texts,
            vec![("one\n- nested bold", 3), ("two", 5), ("para code", 9)]
        );
        assert_eq!(*l.blocks[2].headings, ["Top", "Sub"]);
        assert_eq!(l.headings.len(), 2);
    }

    #[test]
    fn every_part_of_a_passage_knows_its_line() {
        let md = "* one\n  wrapped on\n  * nested\n\n    more of nested\n";
        let l = parse(md);
        let b = &l.blocks[0];
        assert_eq!(b.text, "one wrapped on\n- nested\n  more of nested");
        let line_of = |needle: &str| {
            let at = b.text.find(needle).unwrap();
            b.lines.iter().rev().find(|m| m.0 <= at).unwrap().1
        };
        assert_eq!(line_of("one"), 1);
        assert_eq!(line_of("wrapped"), 2);
        assert_eq!(line_of("nested"), 3);
        assert_eq!(line_of("more"), 5);
        assert_eq!(b.lines[0], (0, 1));
    }

    #[test]
    fn tables_keep_cells_and_breaks() {
        let md = "|英文|中文|备注|\n|:-:|:-:|---|\n|SFT<br/>（supervised fine tuning）|有监督微调|微调|\n";
        let l = parse(md);
        assert_eq!(l.tables.len(), 1);
        assert_eq!(l.tables[0].header, vec!["英文", "中文", "备注"]);
        assert_eq!(
            l.tables[0].rows[0].cells[0],
            "SFT\n（supervised fine tuning）"
        );
        assert_eq!(l.tables[0].rows[0].line, 3);
        assert_eq!(l.blocks[0].kind, BlockKind::TableRow);
    }

    #[test]
    fn long_items_are_split() {
        let long = "字".repeat(500);
        let md = format!("* a {long}\n  * b {long}\n");
        let l = parse(&md);
        assert_eq!(l.blocks.len(), 2);
        assert!(l
            .blocks
            .iter()
            .all(|b| b.text.chars().count() <= MAX_PASSAGE_CHARS));
        assert_eq!(l.blocks[1].line, 2);
    }

    #[test]
    fn images_and_code_blocks_are_not_passages() {
        let l = parse("![img](a.png)\n\n\tcode\n\ntext\n");
        assert_eq!(l.blocks.len(), 1);
        assert_eq!(l.blocks[0].text, "text");
    }
}
