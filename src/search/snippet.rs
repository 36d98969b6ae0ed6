//! Snippets: the part of a hit with the most matched words, cut on character
//! boundaries (never bytes), with the matched words as byte ranges into it.
//! How they are shown (bold, escaping) is `render::markdown`'s business.

use foldhash::HashSet;
use std::ops::Range;

use super::segment::Piece;

/// At most this many characters of the hit's text, before markers.
pub const SNIPPET_CHARS: usize = 160;

/// A window of a hit's text and where the question's words stand in it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snippet {
    /// Where `text` starts in the text it was cut from (bytes), so a hit
    /// can cite the line where the quote itself stands.
    pub start: usize,
    /// The window, as written in the notes (newlines kept).
    pub text: String,
    /// Matched words: sorted, non-overlapping byte ranges into `text`.
    pub matches: Vec<Range<usize>>,
    /// Whether text was left out before / after the window.
    pub cut_before: bool,
    pub cut_after: bool,
}

impl Snippet {
    /// The text a reader sees: the window with `…` where text was left out,
    /// on one line.
    pub fn visible(&self) -> String {
        let mut out = String::with_capacity(self.text.len() + 8);
        if self.cut_before {
            out.push('…');
        }
        out.push_str(&self.text);
        if self.cut_after {
            out.push('…');
        }
        out.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// The first `chars` characters of the window, with the matches inside them.
    pub fn shortened(&self, chars: usize) -> Snippet {
        let Some((end, _)) = self.text.char_indices().nth(chars) else {
            return self.clone();
        };
        Snippet {
            start: self.start,
            text: self.text[..end].to_string(),
            matches: self
                .matches
                .iter()
                .filter(|m| m.end <= end)
                .cloned()
                .collect(),
            cut_before: self.cut_before,
            cut_after: true,
        }
    }
}

/// The snippet of `text`, already cut into words (`pieces`), for the
/// question's `wanted` words.
pub fn make(pieces: &[Piece], text: &str, wanted: &HashSet<String>) -> Snippet {
    let spans: Vec<(usize, usize)> = pieces
        .iter()
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
    // Text that fits is shown whole; longer text from just before its
    // best stretch of matches.
    let from = if n <= SNIPPET_CHARS { 0 } else { best.0.min(n) };
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
    Snippet {
        start: bf,
        text: text[bf..bt].to_string(),
        matches: merged.into_iter().map(|(f, t)| f - bf..t - bf).collect(),
        cut_before: from > 0,
        cut_after: to < n,
    }
}
