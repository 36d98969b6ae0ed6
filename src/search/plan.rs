//! Stage 4, the plan: whether the notes cover what a question asks at all
//! ([`lacking`]: its heavy words they lack), what a quantity question
//! counts, and which words an answer must cover. What the knowledge answers
//! itself (lineage steps, a model's size) is [`super::lineage`].

use super::*;

/// `words` (typed texts of `concepts`) with neighbours written together
/// joined into one: `上下文` and `窗口` into `上下文窗口`.
pub(super) fn merge_adjacent(concepts: &[Concept], words: Vec<String>) -> Vec<String> {
    let mut out: Vec<(String, usize)> = Vec::new();
    for c in concepts {
        if !words.contains(&c.typed) {
            continue;
        }
        match out.last_mut() {
            Some((text, end)) if *end == c.span.0 => {
                text.push_str(&c.typed);
                *end = c.span.1;
            }
            _ => out.push((c.typed.clone(), c.span.1)),
        }
    }
    out.into_iter().map(|(t, _)| t).collect()
}

/// Which concepts a candidate covers: a bit per concept (at most
/// [`MAX_CONCEPTS`] ≤ 64).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Covers(u64);

impl Covers {
    pub(super) fn of(flags: &[bool]) -> Covers {
        Covers(
            flags
                .iter()
                .take(64)
                .enumerate()
                .fold(0, |bits, (i, &f)| bits | (u64::from(f) << i)),
        )
    }
}

impl std::ops::Index<usize> for Covers {
    type Output = bool;
    fn index(&self, i: usize) -> &bool {
        if i < 64 && self.0 & (1 << i) != 0 {
            &true
        } else {
            &false
        }
    }
}

/// The concept a quantity question counts: the first content concept after
/// its quantity cue, when it is a weighty word and no name ("how many
/// parameters does ChatGPT have": `parameters`).
pub(super) fn counted(concepts: &[Concept], question: &Question) -> Option<usize> {
    let after = question.counted_after?;
    let i = concepts
        .iter()
        .position(|c| c.content && c.span.0 >= after)?;
    let c = &concepts[i];
    (weighty(c) && !c.entity).then_some(i)
}

/// A content word that says enough to be asked about: a name, or a word
/// no more common than [`weights::RankWeights::lacking_word`] allows.
pub(super) fn weighty(c: &Concept) -> bool {
    c.content && (c.entity || c.info >= weights::WEIGHTS.lacking_word)
}

/// The words of a question the notes lack, as typed, when they weigh as
/// much as what the notes have of what it asks: a model it names is what it
/// is about, not what it asks, and counts for neither side. Empty when the
/// notes cover the question.
pub(super) fn lacking(
    concepts: &[Concept],
    found: &[bool],
    question: &Question,
    bound: &dyn Fn(&Concept) -> bool,
) -> Vec<String> {
    let w = &weights::WEIGHTS;
    let talk = question.is_talk();
    let absent = |i: usize| {
        let c = &concepts[i];
        // Talk must be the notes' words through and through: any word
        // that says something counts against it.
        let says_enough = if talk {
            c.info > 0.0
        } else {
            c.info >= w.lacking_word
        };
        c.content && !c.model && !found[i] && says_enough
    };
    let han = |c: &Concept| !c.typed.is_empty() && c.typed.chars().all(|ch| !ch.is_ascii());
    let (mut lack, mut asked) = (0.0f32, 0.0f32);
    let mut words: Vec<String> = Vec::new();
    for (i, c) in concepts.iter().enumerate() {
        if !c.content || c.model {
            continue;
        }
        asked += if c.entity { w.term_share } else { c.info };
        // A Chinese word the notes use only inside longer names, written
        // together with a rare word they lack, is part of the compound they
        // lack: 上下文窗口 is not 上下文(学习).
        let glued = !absent(i)
            && !c.named
            && han(c)
            && bound(c)
            && [i.wrapping_sub(1), i + 1].into_iter().any(|j| {
                j < concepts.len()
                    && absent(j)
                    && concepts[j].info >= w.glued_word
                    && han(&concepts[j])
                    && (concepts[j].span.1 == c.span.0 || c.span.1 == concepts[j].span.0)
            });
        if absent(i) || glued {
            lack += c.info;
            words.push(c.typed.clone());
        }
    }
    // Glued words are shown as the compound the question wrote.
    words = merge_adjacent(concepts, words);
    // A statement (no question wording) is held to a stricter share: in a
    // channel it is more likely talk about these things than a query.
    let share = if !question.asks() {
        w.statement_lacking_share
    } else {
        w.lacking_share
    };
    if lack > 0.0 && lack >= share * asked {
        words
    } else {
        Vec::new()
    }
}
