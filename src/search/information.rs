//! How much a word of a question says, against general language.
//!
//! A question is its subject plus the wording of asking. Counting its words
//! cannot tell them apart: "具体", "重要", "quick" and "layers", "price",
//! "窗口" are each one word. What does tell them apart is how common a word
//! is in everyday language: a word met every few hundred words (重要,
//! really, know) says little about what is asked, a rare one (tokenizer,
//! 上下文, optimizer) says a lot. Words of asking that are not common
//! enough to weigh little by frequency alone (exactly, quick, 中文叫什么) are
//! the question's form, listed in [`super::wording`].
//!
//! Frequencies are Zipf values (log10 of occurrences per billion words), of
//! the 30 000 most frequent words of each language in wordfreq 3.1
//! (`assets/words/english.tsv` and `chinese.tsv`, CC BY-SA 4.0, made by the
//! scripts beside them). A word not among them is rarer than all of them.
//! wordfreq rather than jieba's own dictionary counts for Chinese: jieba's
//! are news text, where the words people ask with (怎么样, 一共, 不怎么)
//! are rare and would weigh as much as 窗口 or 层数.
//!
//! A word's weight goes from 0 (as common as [`COMMON_ZIPF`] or more) to 1
//! (as rare as [`RARE_ZIPF`] or rarer), linearly in between.

use std::collections::HashMap;
use std::sync::LazyLock;

use super::Segmenter;

/// As common as "know", "about", "有", "重要" (Zipf ≥ 6): says nothing.
pub const COMMON_ZIPF: f32 = 6.0;
/// As rare as "parameters", "behave", "窗口" (Zipf ≤ 4): says all a word can.
pub const RARE_ZIPF: f32 = 4.0;
/// What a word that is not among the listed words is taken to be: rarer
/// than the rarest listed (~2.97 in English, ~3.14 in Chinese).
const UNLISTED_ZIPF: f32 = 2.5;

/// The rows of one of `assets/words/`' tables: a word, a tab, its value;
/// `#` lines are comments.
pub(super) fn rows(tsv: &'static str) -> impl Iterator<Item = (&'static str, &'static str)> {
    tsv.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once('\t'))
}

fn table(tsv: &'static str) -> HashMap<&'static str, f32> {
    rows(tsv)
        .filter_map(|(word, zipf)| Some((word, zipf.trim().parse().ok()?)))
        .collect()
}

static ENGLISH: LazyLock<HashMap<&'static str, f32>> =
    LazyLock::new(|| table(include_str!("../../assets/words/english.tsv")));
static CHINESE: LazyLock<HashMap<&'static str, f32>> =
    LazyLock::new(|| table(include_str!("../../assets/words/chinese.tsv")));

/// The Zipf frequency of a Chinese word.
pub fn zipf_zh(word: &str) -> f32 {
    CHINESE.get(word).copied().unwrap_or(UNLISTED_ZIPF)
}

/// The Zipf frequency of an English word (lowercase), as written (not stemmed).
pub fn zipf_en(word: &str) -> f32 {
    let word = word.trim_matches('\'');
    if let Some(&z) = ENGLISH.get(word) {
        return z;
    }
    // Plurals and other endings the list may lack: the word's stem.
    for end in ["s", "es", "ed", "ing", "'s"] {
        if let Some(stem) = word.strip_suffix(end) {
            if let Some(&z) = ENGLISH.get(stem) {
                return z;
            }
        }
    }
    UNLISTED_ZIPF
}

/// The weight of a word of the given Zipf frequency.
pub fn weight_of_zipf(zipf: f32) -> f32 {
    ((COMMON_ZIPF - zipf) / (COMMON_ZIPF - RARE_ZIPF)).clamp(0.0, 1.0)
}

/// How much a run of text (a word or a phrase of the question, as typed)
/// says: its most informative word. Names with digits or joiners
/// (`text-davinci-002`, `GPT-3`) are never general language.
pub fn weight(seg: &Segmenter, text: &str) -> f32 {
    let mut best: f32 = 0.0;
    for word in seg.general_words(text) {
        let w = if word.chars().any(|c| c.is_ascii_digit()) || word.contains(['-', '_', '.']) {
            1.0
        } else if word.is_ascii() {
            weight_of_zipf(zipf_en(&word))
        } else {
            weight_of_zipf(zipf_zh(&word))
        };
        best = best.max(w);
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    static SEG: LazyLock<Segmenter> = LazyLock::new(|| Segmenter::new(["对齐税"]));

    #[test]
    fn words_of_asking_weigh_little_and_the_thing_asked_a_lot() {
        for light in ["really", "know", "重要", "一下", "what", "有"] {
            assert!(
                weight(&SEG, light) < 0.3,
                "{light}: {}",
                weight(&SEG, light)
            );
        }
        for heavy in ["layers", "optimizer", "tokenizer", "窗口", "上下文", "gpu"] {
            assert!(
                weight(&SEG, heavy) > 0.8,
                "{heavy}: {}",
                weight(&SEG, heavy)
            );
        }
        // Names are never general language.
        assert_eq!(weight(&SEG, "text-davinci-002"), 1.0);
    }

    #[test]
    fn a_word_of_the_notes_that_general_language_lacks_weighs_all() {
        assert_eq!(weight(&SEG, "对齐税"), 1.0);
        // Asking words of everyday Chinese are common in wordfreq's
        // conversational counts.
        assert!(weight(&SEG, "怎么样") < 0.5, "{}", weight(&SEG, "怎么样"));
    }

    #[test]
    fn english_plurals_fall_back_to_their_stem() {
        assert_eq!(zipf_en("zzzqx"), UNLISTED_ZIPF);
        assert!(zipf_en("the") > 7.0);
    }
}
