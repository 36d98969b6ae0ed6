//! Snippets: the part of a hit with the most matched words, cut on character
//! boundaries (never bytes), with the matched words as byte ranges into it.
//! How they are shown (bold, escaping) is `render::markdown`'s business.

use foldhash::{HashMap, HashSet};
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

/// The question's words a snippet shows: each token with the concept of
/// the question it stands for (a name's parts and synonyms are one) and
/// what that concept weighs in choosing the window (a model the question
/// is about, less than what it asks of it).
pub type Wanted = HashMap<String, (u32, f32)>;

/// Every token its own concept (for callers with plain words).
#[cfg(test)]
pub fn each_its_own(words: &HashSet<String>) -> Wanted {
    words
        .iter()
        .enumerate()
        .map(|(i, w)| (w.clone(), (i as u32, 1.0)))
        .collect()
}

/// The snippet of `text`, already cut into words (`pieces`), for the
/// question's `wanted` words.
pub fn make(pieces: &[Piece], text: &str, wanted: &Wanted) -> Snippet {
    // Pieces are on character boundaries by construction; a range that is
    // not would panic below, so it is dropped rather than trusted.
    let matched: Vec<&Piece> = pieces
        .iter()
        .filter(|p| wanted.contains_key(&p.text))
        .filter(|p| p.from < p.to && text.is_char_boundary(p.from) && text.is_char_boundary(p.to))
        .collect();
    let spans: Vec<(usize, usize)> = matched.iter().map(|p| (p.from, p.to)).collect();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let n = chars.len();
    let char_at = |byte: usize| chars.partition_point(|&(i, _)| i < byte);
    let starts: Vec<usize> = spans.iter().map(|&(f, _)| char_at(f)).collect();
    // The window that shows the question's concepts where this text says
    // them least often, then the most matches: each concept, once, weighs
    // its weight over how often the text mentions it. A mention is a whole
    // word: a part of a longer word (`davinci` of `code-davinci-002`, `同点`
    // of `不同点`) is none. A comparison's `相同点`, said once, beats the
    // model names said all over its other half.
    let whole = |p: &Piece| {
        !pieces
            .iter()
            .any(|q| q.from <= p.from && p.to <= q.to && (q.to - q.from) > (p.to - p.from))
    };
    let concepts: Vec<Option<(u32, f32)>> = matched
        .iter()
        .map(|p| whole(p).then(|| wanted[&p.text]))
        .collect();
    let mut mentions: HashMap<u32, usize> = HashMap::default();
    for (c, _) in concepts.iter().flatten() {
        *mentions.entry(*c).or_default() += 1;
    }
    let mut best = (0usize, (0.0f32, 0usize));
    for &s in &starts {
        let from = s.saturating_sub(20);
        let inside: Vec<usize> = (0..starts.len())
            .filter(|&i| starts[i] >= from && starts[i] < from + SNIPPET_CHARS)
            .collect();
        let mut distinct: Vec<(u32, f32)> = inside.iter().filter_map(|&i| concepts[i]).collect();
        distinct.sort_unstable_by_key(|c| c.0);
        distinct.dedup_by_key(|c| c.0);
        let share: f32 = distinct
            .iter()
            .map(|(c, weight)| weight / mentions[c] as f32)
            .sum();
        let score = (share, inside.len());
        if score.0 > best.1 .0 + 1e-6
            || ((score.0 - best.1 .0).abs() <= 1e-6 && score.1 > best.1 .1)
        {
            best = (from, score);
        }
    }
    // Text that fits is shown whole; longer text from just before its
    // best stretch of matches, both ends on word boundaries.
    let boundary = Boundaries::new(pieces, text, &chars);
    let (from, to) = if n <= SNIPPET_CHARS {
        (0, n)
    } else {
        let first_match = starts
            .iter()
            .copied()
            .filter(|&x| x >= best.0)
            .min()
            .unwrap_or(best.0);
        // Back to the start of the word it falls in, else forward to a
        // boundary no later than the first match (a match starts a word).
        let at = best.0.min(n);
        let from = boundary
            .before(at, SLACK)
            .or_else(|| boundary.after(at, first_match.max(at)))
            .unwrap_or(at);
        let end = (from + SNIPPET_CHARS).min(n);
        let to = boundary
            .before(end, SLACK)
            .filter(|&t| t > from)
            .unwrap_or(end);
        (from, to)
    };
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

/// How far (in characters) a snippet's end moves back to a word boundary.
const SLACK: usize = 20;

/// Where a snippet may start or end without cutting a word: not inside a
/// Latin word or name (`code-cushman-001[12b]`), and between Chinese
/// characters only where jieba starts a word.
struct Boundaries<'a> {
    chars: &'a [(usize, char)],
    /// Byte offsets where a piece (a word) starts or ends.
    edges: HashSet<usize>,
}

impl<'a> Boundaries<'a> {
    fn new(pieces: &[Piece], _text: &str, chars: &'a [(usize, char)]) -> Boundaries<'a> {
        let edges = pieces.iter().flat_map(|p| [p.from, p.to]).collect();
        Boundaries { chars, edges }
    }

    fn is(&self, c: usize) -> bool {
        if c == 0 || c >= self.chars.len() {
            return true;
        }
        let (prev, (byte, cur)) = (self.chars[c - 1].1, self.chars[c]);
        let latin = |x: char| x.is_ascii_alphanumeric() || matches!(x, '-' | '_' | '.' | '\'');
        let han = |x: char| !x.is_ascii() && x.is_alphanumeric();
        if latin(prev) && latin(cur) {
            return false;
        }
        if han(prev) && han(cur) {
            return self.edges.contains(&byte);
        }
        true
    }

    /// The nearest boundary at or before `c`, at most `slack` characters back.
    fn before(&self, c: usize, slack: usize) -> Option<usize> {
        (c.saturating_sub(slack)..=c).rev().find(|&x| self.is(x))
    }

    /// The first boundary after `c`, up to `limit`.
    fn after(&self, c: usize, limit: usize) -> Option<usize> {
        (c..=limit).find(|&x| self.is(x))
    }
}
