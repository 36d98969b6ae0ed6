//! Discord Markdown: escaping the notes' and the users' text so it shows as
//! written, and a search snippet with its matched words in bold.

use crate::search::Snippet;

/// Characters that Discord reads as Markdown, escaped so the notes' own
/// asterisks cannot break our highlighting.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '*' | '_' | '~' | '`' | '|' | '>' | '\\' | '[' | ']') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A snippet on one line: escaped, matched words in `**bold**`, `…` where
/// text was left out.
pub fn snippet(s: &Snippet) -> String {
    bolded(s).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A snippet as a block quote: its lines kept (a nested item stays on its
/// own line), each opened with `> `, escaped and bolded as [`snippet`].
pub fn quote(s: &Snippet) -> String {
    bolded(s)
        .lines()
        .map(|l| {
            let indent = l.len() - l.trim_start().len();
            // Discord drops leading spaces; keep nesting visible with a few.
            format!("> {}{}", "\u{2003}".repeat(indent / 2), l.trim())
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn bolded(s: &Snippet) -> String {
    let mut out = String::new();
    if s.cut_before {
        out.push('…');
    }
    let mut at = 0;
    for m in &s.matches {
        // Ranges come from the search on this very text; a range that is not
        // on character boundaries is shown unbolded rather than trusted.
        let (Some(before), Some(word)) = (s.text.get(at..m.start), s.text.get(m.clone())) else {
            continue;
        };
        out.push_str(&escape(before));
        out.push_str("**");
        out.push_str(&escape(word));
        out.push_str("**");
        at = m.end;
    }
    out.push_str(&escape(s.text.get(at..).unwrap_or("")));
    if s.cut_after {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_are_bold_and_markdown_is_escaped() {
        let s = Snippet {
            start: 0,
            text: "a *b* 对齐税\nend".to_string(),
            matches: vec![2..5, 6..15],
            cut_before: true,
            cut_after: false,
        };
        assert_eq!(snippet(&s), "…a **\\*b\\*** **对齐税** end");
    }

    #[test]
    fn quotes_keep_nested_lines() {
        let s = Snippet {
            start: 0,
            text: "代码训练：可能导致\n- 复杂推理\n  - 长距离依赖".to_string(),
            matches: std::iter::once(0..12).collect(),
            cut_before: false,
            cut_after: false,
        };
        assert_eq!(
            quote(&s),
            "> **代码训练**：可能导致\n> - 复杂推理\n> \u{2003}- 长距离依赖"
        );
        assert_eq!(
            snippet(&s),
            "**代码训练**：可能导致 - 复杂推理 - 长距离依赖"
        );
    }

    #[test]
    fn ranges_off_char_boundaries_are_not_trusted() {
        let s = Snippet {
            start: 0,
            text: "对齐税".to_string(),
            matches: std::iter::once(1..4).collect(),
            cut_before: false,
            cut_after: true,
        };
        assert_eq!(snippet(&s), "对齐税…");
    }
}
