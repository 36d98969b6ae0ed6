//! Answer units: the nested items and the sentences inside passages, each
//! with the context it sits in (headings, the items above it) and the line
//! of the file where its text starts. Units exist only where they are
//! smaller than their passage.

use std::sync::Arc;

use crate::domain::{Comparison, Excerpt, Passage, PassageKind, Unit, UnitId, UnitKind};

/// Labels longer than this many characters are cut in a unit's context.
const LABEL_CHARS: usize = 24;
/// A sentence shorter than this (in characters) stays with the one before.
const MIN_SENTENCE_CHARS: usize = 4;

/// The units of these passages appended to `out`, numbered on from its end.
pub(super) fn units_into(passages: &[Passage], out: &mut Vec<Unit>) {
    for p in passages {
        if p.kind != PassageKind::TableRow {
            units_of(p, out);
        }
    }
}

/// One unit per comparison section: its passages in note order, list items
/// as `- ` lines, each part citing the line where it stands. Numbered after
/// the units of `units` (`first_id`).
pub(super) fn sections<'a>(
    passages: &[Passage],
    comparisons: impl IntoIterator<Item = &'a Comparison>,
    first_id: usize,
) -> Vec<Unit> {
    let mut out = Vec::new();
    for c in comparisons {
        let Some(&first) = c.passages.first() else {
            continue;
        };
        let mut text = String::new();
        let mut lines = Vec::new();
        for &id in &c.passages {
            let p = &passages[id.index()];
            if !text.is_empty() {
                text.push('\n');
            }
            let item = p.kind == PassageKind::ListItem;
            let start = text.len();
            if item {
                text.push_str("- ");
            }
            let body = if item {
                p.text.replace('\n', "\n  ")
            } else {
                p.text.to_string()
            };
            // Each line of the passage, shifted by the `- ` and the indent
            // added before it.
            let indent = if item { 2 } else { 0 };
            let mut in_passage = 0;
            for (n, raw) in p.text.split('\n').enumerate() {
                // Line n starts after the `- `, the passage's own bytes
                // before it, and the indent added to each earlier line break.
                let at = if n == 0 {
                    start
                } else {
                    start + indent * n + in_passage
                };
                lines.push((at, p.line_at(in_passage)));
                in_passage += raw.len() + 1;
            }
            text.push_str(&body);
        }
        let p = &passages[first.index()];
        out.push(Unit {
            id: UnitId((first_id + out.len()) as u32),
            kind: UnitKind::Section,
            passage: first,
            text: Excerpt::from(text),
            context: p.headings.clone(),
            source: p.source.clone(),
            lines: crate::domain::line_map(lines, p.source.line),
        });
    }
    out
}

/// One line of a passage's text.
struct TextLine<'a> {
    /// Byte offset of the line's content (after any `- `) in the passage text.
    at: usize,
    /// Byte offset of the line itself.
    start: usize,
    /// Column of the content: nesting depth, comparable across lines.
    column: usize,
    item: bool,
    content: &'a str,
}

fn text_lines(text: &str) -> Vec<TextLine<'_>> {
    let mut out = Vec::new();
    let mut offset = 0;
    for raw in text.split('\n') {
        let indent = raw.len() - raw.trim_start().len();
        let rest = &raw[indent..];
        let item = rest.starts_with("- ");
        let prefix = if item { 2 } else { 0 };
        out.push(TextLine {
            at: offset + indent + prefix,
            start: offset,
            column: indent + prefix,
            item,
            content: &rest[prefix..],
        });
        offset += raw.len() + 1;
    }
    out
}

fn units_of(p: &Passage, out: &mut Vec<Unit>) {
    let lines = text_lines(&p.text);
    let mut push = |kind, at: usize, text: Excerpt, context: Arc<[String]>, lines: Vec<_>| {
        if text.trim().is_empty() || text.trim() == p.text.trim() {
            return;
        }
        let source = p.source_at(at);
        out.push(Unit {
            id: UnitId(out.len() as u32),
            kind,
            passage: p.id,
            text,
            context,
            lines: crate::domain::line_map(lines, source.line),
            source,
        });
    };
    for (i, line) in lines.iter().enumerate() {
        // The items this line is nested in, outermost first (the passage's
        // own first line counts as one).
        let mut ancestors: Vec<&str> = Vec::new();
        let mut column = line.column;
        for above in lines[..i].iter().rev() {
            if above.column < column && (above.item || above.start == 0) {
                ancestors.push(above.content);
                column = above.column;
            }
        }
        if i > 0 && !line.item && ancestors.is_empty() {
            // A continuation of the passage's first line.
            ancestors.push(lines[0].content);
        }
        ancestors.reverse();
        // Shared: units with no items above them sit where the passage does.
        let context: Arc<[String]> = if ancestors.is_empty() {
            p.headings.clone()
        } else {
            p.headings
                .iter()
                .cloned()
                .chain(ancestors.iter().map(|a| label(a)))
                .collect()
        };
        if line.item {
            // The item with what is nested under it.
            let end = lines[i + 1..]
                .iter()
                .position(|l| l.column < line.column || (l.item && l.column <= line.column))
                .map_or(lines.len(), |n| i + 1 + n);
            let mut at_lines = vec![(0, p.line_at(line.at))];
            // An item with nothing under it is a part of the passage's
            // text; one with nested lines is written out re-indented.
            let text = if end == i + 1 {
                Excerpt::of(&p.text, line.content)
            } else {
                let mut text = line.content.to_string();
                for l in &lines[i + 1..end] {
                    let raw = &p.text[l.start..l.at - if l.item { 2 } else { 0 }];
                    let keep = raw.len().saturating_sub(line.column);
                    text.push('\n');
                    at_lines.push((text.len(), p.line_at(l.at)));
                    text.push_str(&" ".repeat(keep));
                    if l.item {
                        text.push_str("- ");
                    }
                    text.push_str(l.content);
                }
                Excerpt::from(text)
            };
            push(UnitKind::Item, line.at, text, context.clone(), at_lines);
        }
        let sentences = sentences(line.content);
        if sentences.len() > 1 {
            let labelled: Option<Arc<[String]>> =
                line_label(line.content).map(|own| context.iter().cloned().chain([own]).collect());
            for (n, s) in sentences.into_iter().enumerate() {
                let context = match &labelled {
                    Some(labelled) if n > 0 => labelled.clone(),
                    _ => context.clone(),
                };
                let at = line.at + s.start;
                push(
                    UnitKind::Sentence,
                    at,
                    Excerpt::of(&p.text, line.content[s].trim()),
                    context,
                    vec![(0, p.line_at(at))],
                );
            }
        }
    }
}

/// A line as a label in a unit's context: cut at a sensible length.
fn label(text: &str) -> String {
    let t = text.trim();
    if t.chars().count() <= LABEL_CHARS {
        return t.to_string();
    }
    let cut: String = t.chars().take(LABEL_CHARS).collect();
    format!("{}…", cut.trim_end())
}

/// What a line says it is about, when it opens with `label：` or `label:`.
fn line_label(line: &str) -> Option<String> {
    let (at, _) = line
        .char_indices()
        .take(LABEL_CHARS + 1)
        .find(|&(_, c)| c == '：' || c == ':')?;
    let l = line[..at].trim();
    (!l.is_empty()).then(|| l.to_string())
}

/// Sentences of one line, as byte ranges: ends at 。！？；, and at `.` `!`
/// `?` `;` before a space or the end (not inside `text-davinci-003` or
/// `3.5`). Closing brackets and quotes stay with their sentence.
fn sentences(line: &str) -> Vec<std::ops::Range<usize>> {
    let mut out: Vec<std::ops::Range<usize>> = Vec::new();
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    let mut from = 0;
    let mut k = 0;
    while k < chars.len() {
        let (_, c) = chars[k];
        let next = chars.get(k + 1).map(|x| x.1);
        let ends = matches!(c, '。' | '！' | '？' | '；')
            || (matches!(c, '.' | '!' | '?' | ';') && next.is_none_or(char::is_whitespace));
        if ends {
            let mut j = k + 1;
            while j < chars.len()
                && matches!(chars[j].1, '）' | ')' | '」' | '』' | '"' | '”' | '’')
            {
                j += 1;
            }
            let to = chars.get(j).map_or(line.len(), |x| x.0);
            push_sentence(&mut out, line, from..to);
            from = to;
            k = j;
            continue;
        }
        k += 1;
    }
    push_sentence(&mut out, line, from..line.len());
    out
}

fn push_sentence(out: &mut Vec<std::ops::Range<usize>>, line: &str, r: std::ops::Range<usize>) {
    let text = line[r.clone()].trim();
    if text.is_empty() {
        return;
    }
    // Skip leading spaces so the range starts at the sentence's first word.
    let start = r.start + (line[r.clone()].len() - line[r.clone()].trim_start().len());
    let short = text.chars().filter(|c| c.is_alphanumeric()).count() < MIN_SENTENCE_CHARS;
    match out.last_mut() {
        Some(last) if short => last.end = r.end,
        _ => out.push(start..r.end),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{PassageId, Source};

    fn passage(text: &str, lines: Vec<(usize, usize)>) -> Passage {
        Passage {
            id: PassageId(0),
            kind: PassageKind::ListItem,
            text: text.into(),
            headings: Arc::new(["H".to_string()]),
            source: Source {
                file: "n.md".into(),
                line: lines[0].1,
            },
            lines: lines.into(),
        }
    }

    #[test]
    fn sentences_split_in_both_languages() {
        let s = "甲是乙。这是丙（而不是丁）。 It is. text-davinci-003 is 3.5 ok";
        let parts: Vec<&str> = sentences(s).into_iter().map(|r| &s[r]).collect();
        assert_eq!(
            parts,
            [
                "甲是乙。",
                "这是丙（而不是丁）。",
                "It is.",
                "text-davinci-003 is 3.5 ok"
            ]
        );
    }

    #[test]
    fn nested_items_and_sentences_are_units_with_their_lines() {
        let text =
            "超能力\n- 语言生成\n- 参数是为了存储知识\n  - 更深一层\n- X：第一句。第二句来自这里。";
        let starts: Vec<(usize, usize)> = text
            .split('\n')
            .scan(0, |at, l| {
                let s = *at;
                *at += l.len() + 1;
                Some(s)
            })
            .zip([6, 7, 9, 10, 12])
            .collect();
        let mut out = Vec::new();
        units_of(&passage(text, starts), &mut out);
        let got: Vec<(String, String, usize)> = out
            .iter()
            .map(|u| (u.text.to_string(), u.context_path(), u.source.line))
            .collect();
        assert_eq!(
            got,
            vec![
                ("语言生成".into(), "H › 超能力".into(), 7),
                (
                    "参数是为了存储知识\n- 更深一层".into(),
                    "H › 超能力".into(),
                    9
                ),
                (
                    "更深一层".into(),
                    "H › 超能力 › 参数是为了存储知识".into(),
                    10
                ),
                (
                    "X：第一句。第二句来自这里。".into(),
                    "H › 超能力".into(),
                    12
                ),
                ("X：第一句。".into(), "H › 超能力".into(), 12),
                ("第二句来自这里。".into(), "H › 超能力 › X".into(), 12),
            ]
        );
        // Sentences and items with nothing under them are parts of the
        // passage's text, not copies; an item with nested lines is rebuilt.
        let p = passage(text, vec![(0, 6)]);
        out.clear();
        units_of(&p, &mut out);
        let whole = p.text.as_ptr() as usize..p.text.as_ptr() as usize + p.text.len();
        let shared: Vec<bool> = out
            .iter()
            .map(|u| whole.contains(&(u.text.as_ptr() as usize)))
            .collect();
        assert_eq!(shared, [true, false, true, true, true, true]);
    }

    #[test]
    fn a_unit_cites_the_line_of_each_of_its_nested_items() {
        let text = "超能力\n- 参数是为了存储知识\n  - 更深一层";
        let mut out = Vec::new();
        units_of(&passage(text, vec![(0, 6), (10, 7), (37, 8)]), &mut out);
        let u = out.iter().find(|u| u.text.starts_with("参数")).unwrap();
        assert_eq!(u.source.line, 7);
        let nested = u.text.find("更深").unwrap();
        assert_eq!(u.source_at(0).line, 7);
        assert_eq!(u.source_at(nested).line, 8);
    }

    #[test]
    fn a_comparison_section_is_one_unit_whose_parts_cite_their_lines() {
        let mut item = passage("都经过指令微调\n- 监督学习", vec![(0, 72), (22, 73)]);
        item.headings = Arc::new(["H".into(), "比较".into()]);
        let mut prose = passage("基于人类反馈", vec![(0, 75)]);
        prose.id = PassageId(1);
        prose.kind = PassageKind::Paragraph;
        let comparison = Comparison {
            id: crate::domain::ComparisonId(0),
            slug: "c".into(),
            section: "比较".into(),
            subject: crate::domain::ComparisonSubject::Generations(vec![]),
            passages: vec![PassageId(0), PassageId(1)],
            source: item.source.clone(),
        };
        let units = sections(&[item, prose], [&comparison], 5);
        assert_eq!(units.len(), 1);
        let u = &units[0];
        assert_eq!(
            (u.id.index(), u.kind, u.passage),
            (5, UnitKind::Section, PassageId(0))
        );
        assert_eq!(&*u.text, "- 都经过指令微调\n  - 监督学习\n基于人类反馈");
        assert_eq!(*u.context, ["H", "比较"]);
        for (words, line) in [("都经过", 72), ("监督学习", 73), ("基于人类", 75)] {
            let at = u.text.find(words).unwrap();
            assert_eq!(u.source_at(at).line, line, "{words}");
        }
    }
}
