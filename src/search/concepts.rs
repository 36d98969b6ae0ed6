//! Stage 1–3 of a question: spelling ("did you mean" for Latin words the
//! notes do not have), then the question's words grouped into concepts: a
//! name or glossary match with all its synonyms, a compound, or a word, each
//! with how much it says ([`super::information`]) and where it stands.

use super::*;

/// One concept of a query: alternatives that mean the same thing.
#[derive(Debug, Clone)]
pub(super) struct Concept {
    pub(super) alternatives: Vec<Vec<String>>,
    pub(super) weight: f32,
    /// A content word the answer must cover. Question wording (why, 作用,
    /// thanks) and a lone Chinese character that is no word of the
    /// vocabulary only help ranking.
    pub(super) content: bool,
    /// A word of the vocabulary (a model, a term, a glossary word).
    pub(super) named: bool,
    /// The name of a model or a term.
    pub(super) entity: bool,
    /// The name of a model: what a question is about, never what it asks.
    pub(super) model: bool,
    /// How much it says against general language ([`information`]): 0 for
    /// wording, 1 for a name or a rare word.
    pub(super) info: f32,
    /// As the question wrote it, and where (bytes).
    pub(super) typed: String,
    pub(super) span: (usize, usize),
}

impl Concept {
    /// A concept of plain words (no name of the vocabulary), its weight and
    /// place filled in later.
    fn plain(alternatives: Vec<Vec<String>>, content: bool) -> Concept {
        Concept {
            alternatives,
            weight: 1.0,
            content,
            named: false,
            entity: false,
            model: false,
            info: 0.0,
            typed: String::new(),
            span: (0, 0),
        }
    }
}

impl SearchIndex {
    /// Groups the query's words into concepts: a glossary or name match
    /// (longest first) brings all its synonyms; other words stand alone, a
    /// compound as a whole when the notes have it, else by its parts.
    pub(super) fn concepts(
        &self,
        query: &str,
        pieces: &[Piece],
        question: &Question,
        known: &dyn Fn(&str) -> tantivy::Result<bool>,
    ) -> tantivy::Result<Vec<Concept>> {
        // Match on parts; remember which compound (whole piece) each came
        // from, and which words are question wording (not content).
        let mut words: Vec<String> = Vec::new();
        let mut owner: Vec<Option<usize>> = Vec::new();
        let mut wording: Vec<bool> = Vec::new();
        let mut talk: Vec<bool> = Vec::new();
        let mut spans: Vec<(usize, usize)> = Vec::new();
        let mut current: Option<usize> = None;
        for (i, p) in pieces.iter().enumerate() {
            if p.whole {
                current = Some(i);
                continue;
            }
            if !p.part {
                current = None;
            }
            words.push(p.text.clone());
            owner.push(current);
            // A stop word inside a compound (`in` of `in-context`) is kept
            // for matching names, but is no content.
            let stop = p.part && segment::is_stop_word(&p.text);
            spans.push((p.from, p.to));
            wording.push(question.is_wording(p.from..p.to) || stop);
            talk.push(question.is_mere_wording(p.from..p.to) || stop);
        }
        // A lone Chinese character (多, 车, 做) is no content word unless the
        // vocabulary has it.
        let lone_han = |w: &str| w.chars().count() == 1 && w.chars().all(|c| !c.is_ascii());
        let single = |w: &str, wording: bool| {
            Concept::plain(vec![vec![w.to_string()]], !wording && !lone_han(w))
        };
        let mut out: Vec<Concept> = Vec::new();
        // Where each concept stands in the query: jieba's search mode cuts
        // overlapping words (写文章, 文章), which are one concept, not two.
        let mut at: Vec<(usize, usize)> = Vec::new();
        let mut i = 0;
        while i < words.len() && out.len() < MAX_CONCEPTS {
            let start = i;
            if let Some((len, groups)) = self.vocabulary.longest_at(&words, i) {
                let mut alternatives: Vec<Vec<String>> = Vec::new();
                for &g in &groups {
                    for q in &self.vocabulary.groups[g].queries {
                        if !alternatives.contains(q) {
                            alternatives.push(q.clone());
                        }
                    }
                }
                out.push(Concept {
                    weight: 1.0 + weights::WEIGHTS.longer_name * (len as f32 - 1.0).min(2.0),
                    named: true,
                    entity: groups.iter().any(|&g| self.vocabulary.groups[g].entity),
                    model: groups.iter().any(|&g| self.vocabulary.groups[g].model),
                    ..Concept::plain(alternatives, !talk[i..i + len].iter().all(|&w| w))
                });
                i += len;
            } else {
                match owner[i] {
                    Some(w) if known(&pieces[w].text)? => {
                        // The compound as written, and its parts as a phrase.
                        let rest = owner[i..].iter().take_while(|o| **o == Some(w)).count();
                        let parts = words[i..i + rest].to_vec();
                        out.push(Concept::plain(
                            vec![vec![pieces[w].text.clone()], parts],
                            !wording[i..i + rest].iter().all(|&w| w),
                        ));
                        i += rest;
                    }
                    _ => {
                        out.push(single(&words[i], wording[i]));
                        i += 1;
                    }
                }
            }
            let span = (
                spans[start].0,
                spans[start..i].iter().map(|s| s.1).max().unwrap_or(0),
            );
            if let Some(c) = out.last_mut() {
                c.typed = query.get(span.0..span.1).unwrap_or_default().to_string();
                c.span = span;
                // What it says: a name says all; a word, what general
                // language says of it; wording, nothing.
                c.info = if !c.content {
                    0.0
                } else if c.entity {
                    1.0
                } else {
                    information::weight(&self.segmenter, &c.typed)
                };
            }
            let overlapping = at.last().is_some_and(|&(f, t)| span.0 < t && f < span.1);
            if overlapping && out.len() >= 2 {
                let c = out.pop().expect("a concept");
                let prev = out.last_mut().expect("a concept");
                for a in c.alternatives {
                    if !prev.alternatives.contains(&a) {
                        prev.alternatives.push(a);
                    }
                }
                prev.weight = prev.weight.max(c.weight);
                prev.content |= c.content;
                prev.named |= c.named;
                prev.entity |= c.entity;
                prev.model |= c.model;
                prev.info = prev.info.max(c.info);
                if c.typed.len() > prev.typed.len() {
                    prev.typed = c.typed;
                }
                prev.span = (prev.span.0.min(c.span.0), prev.span.1.max(c.span.1));
                let last = at.last_mut().expect("a span");
                *last = (last.0.min(span.0), last.1.max(span.1));
            } else {
                at.push(span);
            }
        }
        Ok(out)
    }

    /// The closest indexed word to a Latin-script word that is not indexed:
    /// no typo under 5 characters, one from 5, two from 9, first letter fixed;
    /// the most frequent candidate wins.
    pub(super) fn did_you_mean(
        &self,
        searcher: &tantivy::Searcher,
        word: &str,
    ) -> tantivy::Result<Option<String>> {
        let n = word.chars().count();
        if n < 5 || !word.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Ok(None);
        }
        let distance = if n >= 9 { 2 } else { 1 };
        let first = word.chars().next();
        let mut best: Option<(u8, u64, String)> = None;
        for field in [self.fields.words] {
            let fuzzy = FuzzyTermQuery::new(Term::from_field_text(field, word), distance, true);
            let automaton = fuzzy.automaton()?;
            for segment in searcher.segment_readers() {
                let inverted = segment.inverted_index(field)?;
                let mut stream = inverted.terms().search(&automaton).into_stream()?;
                while stream.advance() {
                    let Ok(candidate) = std::str::from_utf8(stream.key()) else {
                        continue;
                    };
                    if candidate.chars().next() != first || candidate == word {
                        continue;
                    }
                    let d = crate::domain::names::edit_distance(word, candidate).min(255) as u8;
                    let freq = stream.value().doc_freq as u64;
                    let better = match &best {
                        None => true,
                        Some((bd, bf, _)) => d < *bd || (d == *bd && freq > *bf),
                    };
                    if better {
                        best = Some((d, freq, candidate.to_string()));
                    }
                }
            }
        }
        Ok(best.map(|(_, _, w)| w))
    }
}
