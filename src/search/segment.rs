//! Cutting Chinese, English and mixed text into search tokens.
//!
//! One [`Segmenter`] per process (jieba's dictionary costs ~100 ms and ~30 MB):
//! Han runs go through jieba (search mode, HMM off, with the glossary's words
//! added), Latin runs are ours: lowercased, full-width folded, compounds kept
//! whole and split on `-` `.` `_` (`text-davinci-003` → `text-davinci-003`,
//! `text`, `davinci`, `003`), English words stemmed, stop words dropped.

use std::sync::Arc;

use jieba_rs::Jieba;
use rust_stemmers::{Algorithm, Stemmer};
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use crate::domain::names::fold_width;

/// A token with the byte range of the text it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    pub text: String,
    pub from: usize,
    pub to: usize,
    pub position: usize,
    /// A part of the compound before it (`davinci` of `text-davinci-003`):
    /// indexed for recall, but the whole form is what a query asks for.
    pub part: bool,
    /// The whole of a compound whose parts follow.
    pub whole: bool,
}

pub struct Segmenter {
    jieba: Jieba,
    stemmer: Stemmer,
}

impl std::fmt::Debug for Segmenter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Segmenter")
    }
}

const ENGLISH_STOP: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "between", "by", "can", "did", "do", "does", "for",
    "from", "had", "has", "have", "how", "i", "if", "in", "into", "is", "it", "its", "me", "of",
    "on", "or", "s", "so", "than", "that", "the", "their", "them", "then", "there", "these",
    "they", "this", "to", "v", "vs", "versus", "was", "were", "what", "when", "where", "which",
    "who", "whom", "why", "will", "with", "would", "you", "your", "about", "tell", "explain",
    "please", "does", "mean", "means", "meaning", "between",
];

const CHINESE_STOP: &[&str] = &[
    "的",
    "了",
    "是",
    "在",
    "和",
    "与",
    "也",
    "都",
    "就",
    "而",
    "及",
    "或",
    "吗",
    "呢",
    "啊",
    "吧",
    "什么",
    "怎么",
    "怎样",
    "为什么",
    "如何",
    "哪个",
    "哪些",
    "一个",
    "这",
    "那",
    "之",
    "所",
    "被",
    "把",
    "给",
    "从",
    "有",
    "没有",
    "要",
    "会",
    "我",
    "你",
    "他",
    "它",
    "们",
    "我们",
    "这个",
    "那个",
    "请问",
    "意思",
    "区别",
    "vs",
    "上",
    "中",
    "对于",
    "关于",
    "还",
    "并",
    "让",
    "更",
];

/// Whether a word (lowercase) is a stop word of either language.
pub fn is_stop_word(word: &str) -> bool {
    ENGLISH_STOP.contains(&word) || CHINESE_STOP.contains(&word)
}

fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2A6DF | 0x2A700..=0x2EBEF)
}

fn is_latin(c: char) -> bool {
    c.is_ascii_alphanumeric()
}

fn is_joiner(c: char) -> bool {
    matches!(c, '-' | '.' | '_' | '\'')
}

impl Segmenter {
    /// jieba with its default dictionary plus `words` (glossary terms,
    /// Chinese names) so they are cut whole.
    pub fn new<'a>(words: impl IntoIterator<Item = &'a str>) -> Segmenter {
        let mut jieba = Jieba::new();
        for w in words {
            let w = w.trim();
            if w.chars().count() >= 2 && w.chars().any(is_han) && !w.contains(char::is_whitespace) {
                jieba.add_word(w, Some(50_000), None);
            }
        }
        Segmenter {
            jieba,
            stemmer: Stemmer::create(Algorithm::English),
        }
    }

    /// The words of `text` as general language knows them: Latin words
    /// lowercased (not stemmed, joiners kept), Han runs cut by jieba
    /// (precise mode: one cut, no overlapping words).
    pub fn general_words(&self, text: &str) -> Vec<String> {
        let folded: Vec<char> = text.chars().map(fold_width).collect();
        let run_end = |from: usize, keep: &dyn Fn(char) -> bool| {
            (from..folded.len())
                .find(|&j| !keep(folded[j]))
                .unwrap_or(folded.len())
        };
        let mut out = Vec::new();
        let mut i = 0;
        while i < folded.len() {
            let c = folded[i];
            if is_han(c) {
                let j = run_end(i, &is_han);
                let run: String = folded[i..j].iter().collect();
                out.extend(
                    self.jieba
                        .cut(&run, false)
                        .iter()
                        .map(|t| t.word.to_string()),
                );
                i = j;
            } else if is_latin(c) {
                let j = run_end(i, &|d| is_latin(d) || is_joiner(d));
                let word: String = folded[i..j].iter().collect();
                out.push(word.trim_end_matches(is_joiner).to_ascii_lowercase());
                i = j;
            } else {
                i += 1;
            }
        }
        out
    }

    /// The tokens of `text`, with byte ranges into `text`.
    pub fn pieces(&self, text: &str) -> Vec<Piece> {
        let mut out = Vec::new();
        let mut position = 0usize;
        let folded: Vec<(usize, char, char)> = text
            .char_indices()
            .map(|(i, c)| (i, c, fold_width(c)))
            .collect();
        let end_of = |k: usize| folded.get(k).map_or(text.len(), |&(i, _, _)| i);
        let mut k = 0;
        while k < folded.len() {
            let c = folded[k].2;
            if is_latin(c) {
                let start = k;
                let mut j = k;
                while j < folded.len() {
                    let d = folded[j].2;
                    let next_latin = folded.get(j + 1).is_some_and(|n| is_latin(n.2));
                    if is_latin(d) || (is_joiner(d) && next_latin && j > start) {
                        j += 1;
                    } else {
                        break;
                    }
                }
                // The folded word is ASCII, one byte per character of the
                // text: `bounds[i]` is where its byte `i` starts in `text`.
                let word: String = folded[start..j]
                    .iter()
                    .map(|x| x.2.to_ascii_lowercase())
                    .collect();
                let bounds: Vec<usize> = (start..=j).map(end_of).collect();
                self.push_latin(&word, &bounds, &mut position, &mut out);
                k = j;
            } else if is_han(c) {
                let start = k;
                let mut j = k;
                while j < folded.len() && is_han(folded[j].2) {
                    j += 1;
                }
                let (from, to) = (folded[start].0, end_of(j));
                let run = &text[from..to];
                for t in self.jieba.cut_for_search(run, false) {
                    if CHINESE_STOP.contains(&t.word) {
                        continue;
                    }
                    out.push(Piece {
                        text: t.word.to_string(),
                        from: from + t.byte_start,
                        to: from + t.byte_end,
                        position,
                        part: false,
                        whole: false,
                    });
                    position += 1;
                }
                k = j;
            } else {
                k += 1;
            }
        }
        out
    }

    /// Pushes the pieces of one Latin word. `word` is the folded, lowercased
    /// ASCII form; `bounds` (one more entry than `word` has bytes) maps each
    /// of its byte offsets to the text's, so every range is the original's,
    /// on character boundaries by construction (a full-width letter is three
    /// bytes there and one here).
    fn push_latin(&self, word: &str, bounds: &[usize], position: &mut usize, out: &mut Vec<Piece>) {
        debug_assert!(word.is_ascii() && bounds.len() == word.len() + 1);
        let (from, to) = (bounds[0], bounds[word.len()]);
        let mut parts: Vec<(usize, &str)> = Vec::new();
        let mut at = 0;
        for part in word.split(is_joiner) {
            if !part.is_empty() {
                parts.push((at, part));
            }
            at += part.len() + 1;
        }
        if parts.len() > 1 {
            out.push(Piece {
                text: word.replace('\'', ""),
                from,
                to,
                position: *position,
                part: false,
                whole: true,
            });
            for (at, part) in parts {
                out.push(Piece {
                    text: self.normalise(part),
                    from: bounds[at],
                    to: bounds[at + part.len()],
                    position: *position,
                    part: true,
                    whole: false,
                });
                *position += 1;
            }
            return;
        }
        if ENGLISH_STOP.contains(&word) {
            return;
        }
        out.push(Piece {
            text: self.normalise(word),
            from,
            to,
            position: *position,
            part: false,
            whole: false,
        });
        *position += 1;
    }

    /// Stems plain English words; ids, numbers and short words stay as they are.
    fn normalise(&self, word: &str) -> String {
        if word.len() > 3 && word.bytes().all(|b| b.is_ascii_lowercase()) {
            self.stemmer.stem(word).into_owned()
        } else {
            word.to_string()
        }
    }

    /// The Latin-script words of `text`, lowercased but not stemmed, with
    /// their byte ranges: what "did you mean" corrects.
    pub fn latin_words(&self, text: &str) -> Vec<(String, usize, usize)> {
        let mut out = Vec::new();
        let mut start: Option<usize> = None;
        let mut word = String::new();
        for (i, c) in text
            .char_indices()
            .chain(std::iter::once((text.len(), ' ')))
        {
            let f = fold_width(c);
            if f.is_ascii_alphanumeric() {
                start.get_or_insert(i);
                word.push(f.to_ascii_lowercase());
            } else if let Some(s) = start.take() {
                out.push((std::mem::take(&mut word), s, i));
            }
        }
        out
    }

    /// Just the token texts (for queries and vocabulary).
    pub fn tokens(&self, text: &str) -> Vec<String> {
        self.pieces(text).into_iter().map(|p| p.text).collect()
    }
}

/// The segmenter as a tantivy tokenizer; clones share the one dictionary.
#[derive(Clone)]
pub struct SegmenterTokenizer(pub Arc<Segmenter>);

pub struct PieceStream {
    tokens: Vec<Token>,
    index: usize,
}

impl Tokenizer for SegmenterTokenizer {
    type TokenStream<'a> = PieceStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> PieceStream {
        let tokens = self
            .0
            .pieces(text)
            .into_iter()
            .map(|p| Token {
                offset_from: p.from,
                offset_to: p.to,
                position: p.position,
                text: p.text,
                position_length: 1,
            })
            .collect();
        PieceStream { tokens, index: 0 }
    }
}

impl TokenStream for PieceStream {
    fn advance(&mut self) -> bool {
        if self.index < self.tokens.len() {
            self.index += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        &self.tokens[self.index - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.index - 1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::LazyLock;

    static SEG: LazyLock<Segmenter> = LazyLock::new(|| Segmenter::new(["对齐税", "思维链"]));

    #[test]
    fn compounds_are_kept_whole_and_split() {
        assert_eq!(
            SEG.tokens("Text-Davinci-003"),
            ["text-davinci-003", "text", "davinci", "003"]
        );
        assert_eq!(SEG.tokens("ＧＰＴ３"), ["gpt3"]);
    }

    #[test]
    fn chinese_is_cut_with_the_glossary() {
        let t = SEG.tokens("对齐税是什么？");
        assert!(t.contains(&"对齐税".to_string()), "{t:?}");
        assert!(
            !t.contains(&"是".to_string()) && !t.contains(&"什么".to_string()),
            "{t:?}"
        );
        assert!(!t.iter().any(|x| x.contains('？')));
    }

    #[test]
    fn english_is_stemmed_and_stop_words_dropped() {
        assert_eq!(SEG.tokens("What is the alignment tax?"), ["align", "tax"]);
        assert_eq!(SEG.tokens("coding"), SEG.tokens("code"));
    }

    #[test]
    fn mixed_text_has_correct_offsets() {
        let text = "利用思维链（chain-of-thought）进行";
        for p in SEG.pieces(text) {
            assert!(text.is_char_boundary(p.from) && text.is_char_boundary(p.to));
            let original = &text[p.from..p.to];
            assert!(!original.is_empty());
        }
        assert!(SEG.tokens(text).contains(&"chain-of-thought".to_string()));
    }

    /// Issue #15: full-width compounds are 3 bytes a character in the text
    /// but 1 in the folded word; every range must still be the original's.
    #[test]
    fn full_width_compounds_have_offsets_into_the_original_text() {
        let text = "ＧＰＴ－３．５和ｔｅｘｔ－ｄａｖｉｎｃｉ－００３";
        let pieces = SEG.pieces(text);
        assert!(pieces.iter().any(|p| p.text == "davinci"), "{pieces:?}");
        for p in &pieces {
            assert!(
                text.is_char_boundary(p.from) && text.is_char_boundary(p.to) && p.from < p.to,
                "{p:?}"
            );
            let original: String = text[p.from..p.to]
                .chars()
                .map(|c| fold_width(c).to_ascii_lowercase())
                .collect();
            if p.part {
                assert_eq!(original, p.text, "{p:?}");
            } else if p.whole {
                assert_eq!(original.replace('\'', ""), p.text, "{p:?}");
            }
        }
        let davinci = pieces.iter().find(|p| p.text == "davinci").unwrap();
        assert_eq!(&text[davinci.from..davinci.to], "ｄａｖｉｎｃｉ");
        let wanted = ["davinci".to_string(), "gpt".to_string(), "3".to_string()]
            .into_iter()
            .collect();
        let s = super::super::snippet::make(
            &SEG.pieces(text),
            text,
            &super::super::snippet::each_its_own(&wanted),
        );
        let bold: Vec<&str> = s.matches.iter().map(|m| &s.text[m.clone()]).collect();
        assert!(bold.contains(&"ｄａｖｉｎｃｉ"), "{bold:?}");
    }

    #[test]
    fn odd_input_yields_no_tokens_and_no_panic() {
        for s in [
            "",
            "   ",
            "？！。",
            "🙂🙃",
            "<@123>",
            "\u{0}",
            "-",
            "a-",
            "-a-",
            "'''",
        ] {
            for p in SEG.pieces(s) {
                assert!(!p.text.is_empty(), "{s:?}: an empty token");
                assert!(
                    s.get(p.from..p.to).is_some(),
                    "{s:?}: {}..{} is not a slice of the input",
                    p.from,
                    p.to
                );
            }
        }
        for nothing in ["", "   ", "？！。", "🙂🙃", "\u{0}", "-", "'''", "？！。🙂"] {
            assert!(SEG.tokens(nothing).is_empty(), "{nothing:?}");
        }
        assert_eq!(SEG.tokens("-rlhf-"), vec!["rlhf".to_string()]);
    }
}
