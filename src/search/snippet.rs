//! Snippets: the part of a hit with the most matched words, matched words in
//! `**bold**`, cut on character boundaries (never bytes).

use std::collections::HashSet;

use super::segment::Segmenter;

/// At most this many characters of the hit's text, before markers.
pub const SNIPPET_CHARS: usize = 160;

/// Characters that Discord reads as Markdown, escaped so the notes' own
/// asterisks cannot break our highlighting.
pub fn escape_markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '*' | '_' | '~' | '`' | '|' | '>' | '\\' | '[' | ']') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

pub fn make(seg: &Segmenter, text: &str, wanted: &HashSet<String>) -> String {
    let spans: Vec<(usize, usize)> = seg
        .pieces(text)
        .into_iter()
        .filter(|p| wanted.contains(&p.text))
        .map(|p| (p.from, p.to))
        // Pieces are on character boundaries by construction; a range that
        // is not would panic below, so it is dropped rather than trusted.
        .filter(|&(f, t)| f < t && text.is_char_boundary(f) && text.is_char_boundary(t))
        .collect();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let n = chars.len();
    // Pick the window start (in chars) covering the most matches.
    let char_at = |byte: usize| chars.partition_point(|&(i, _)| i < byte);
    let starts: Vec<usize> = spans.iter().map(|&(f, _)| char_at(f)).collect();
    let mut best = (0usize, 0usize);
    for &s in &starts {
        let from = s.saturating_sub(20);
        let count = starts
            .iter()
            .filter(|&&x| x >= from && x < from + SNIPPET_CHARS)
            .count();
        if count > best.1 {
            best = (from, count);
        }
    }
    let from = best.0.min(n);
    let to = (from + SNIPPET_CHARS).min(n);
    let byte = |c: usize| if c >= n { text.len() } else { chars[c].0 };
    let (bf, bt) = (byte(from), byte(to));
    // Merge overlapping spans (a compound and its parts) inside the window.
    let mut inside: Vec<(usize, usize)> = spans
        .into_iter()
        .filter(|&(f, t)| f >= bf && t <= bt)
        .collect();
    inside.sort();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (f, t) in inside {
        match merged.last_mut() {
            Some(last) if f <= last.1 => last.1 = last.1.max(t),
            _ => merged.push((f, t)),
        }
    }
    let mut out = String::new();
    if from > 0 {
        out.push('…');
    }
    let mut at = bf;
    for (f, t) in merged {
        out.push_str(&escape_markdown(&text[at..f]));
        out.push_str("**");
        out.push_str(&escape_markdown(&text[f..t]));
        out.push_str("**");
        at = t;
    }
    out.push_str(&escape_markdown(&text[at..bt]));
    if to < n {
        out.push('…');
    }
    out.replace('\n', " ")
}
