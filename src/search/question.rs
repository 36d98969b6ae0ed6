//! What a question asks for, read from its wording in either language, and
//! which of its words are only the shape of a question.
//!
//! A question is its content words (what it is about: `RLHF`, `参数`,
//! `in-context learning`) plus cue words that say what kind of answer is
//! wanted. The cues are general question wording, listed here once per kind;
//! they are never entries for particular questions:
//!
//! | kind | cues (examples) | what answers it in the notes |
//! |---|---|---|
//! | [`Kind::Definition`] | 是什么, 什么是, 啥是, what is, define, meaning | the term's (or model's) card |
//! | [`Kind::Reason`] | 为什么, 原因, 来自哪, why, because, due to, where … come from | sentences that give a cause (因为, 由于, 来自, 通过, because) |
//! | [`Kind::Purpose`] | 作用, 好处, 用来, 干什么, what … for, benefit, good for | what the notes list under the subject, sentences of purpose (为了, 用于) |
//! | [`Kind::Which`] | 哪个, 哪些, 谁, which, who | sentences that name a model |
//! | [`Kind::Quantity`] | 多少, 几成, 占比, how many, how much, percentage | sentences with numbers (60%, 1750 亿, 12b) |
//! | [`Kind::Difference`] | 区别, 不同, 相比, vs, difference, in common | the notes' comparison sections |
//! | [`Kind::YesNo`] | 是不是, 是否, …吗, is, does, can (opening the question) | the statement that settles it: text, not a card |
//!
//! Cue words and conversational fillers (`thanks`, `actually`, `哈哈`) are
//! not content: a question is answered only when its content words are
//! covered (see `SearchIndex::search`), so "who wants pizza" or "早上好"
//! find nothing although single words of them might occur somewhere.

use std::ops::Range;

use crate::domain::names::fold_width;
use crate::domain::{Knowledge, PassageKind, UnitKind};

use super::wording::{
    EN_CUES, EN_FILLERS, EN_OPENERS, YES_NO_OPENERS, ZH_ASKING, ZH_CUES, ZH_FILLERS,
};
use super::DocRef;

/// The kind of answer a question wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Definition,
    Reason,
    Purpose,
    Which,
    Quantity,
    Difference,
    /// A yes/no question (是不是, …吗, does, is, can): the statement that
    /// settles it answers, not a card.
    YesNo,
}

impl Kind {
    pub const ALL: [Kind; 7] = [
        Kind::Definition,
        Kind::Reason,
        Kind::Purpose,
        Kind::Which,
        Kind::Quantity,
        Kind::Difference,
        Kind::YesNo,
    ];

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// Kinds a question asks for (a question may ask for several: "为什么 …
/// 和 … 不同").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Kinds(u8);

impl Kinds {
    pub fn has(self, k: Kind) -> bool {
        self.0 & k.bit() != 0
    }
    fn add(&mut self, k: Kind) {
        self.0 |= k.bit();
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    pub fn iter(self) -> impl Iterator<Item = Kind> {
        Kind::ALL.into_iter().filter(move |k| self.has(*k))
    }
}

/// A question read: the kinds it asks for, and the byte ranges of the query
/// that are question wording (cues) and talk (fillers), not content.
#[derive(Debug, Clone, Default)]
pub struct Question {
    pub kinds: Kinds,
    pub wording: Vec<Range<usize>>,
    /// Cues of a difference (`in common`, `compare`, 比较): they name what
    /// the notes' comparison sections are made of (相同点, 不同点, 比较).
    pub comparing: Vec<Range<usize>>,
    pub fillers: Vec<Range<usize>>,
    asks: bool,
    /// Where a quantity cue ends ("how many|", "多少|"): the word after it
    /// is what is counted.
    pub counted_after: Option<usize>,
}

/// Whether every byte of `range` lies within some range of `a` or `b`.
fn within(a: &[Range<usize>], b: &[Range<usize>], range: &Range<usize>) -> bool {
    let mut all: Vec<&Range<usize>> = a.iter().chain(b).collect();
    all.sort_by_key(|r| r.start);
    let mut at = range.start;
    for r in all {
        if r.start <= at && at < r.end {
            at = r.end;
        }
        if at >= range.end {
            return true;
        }
    }
    at >= range.end
}

fn overlaps(ranges: &[Range<usize>], range: &Range<usize>) -> bool {
    ranges
        .iter()
        .any(|w| range.start < w.end && w.start < range.end)
}

impl Question {
    fn cue(&mut self, kind: Kind, range: Range<usize>) {
        if kind == Kind::Difference {
            self.comparing.push(range.clone());
        }
        self.wording.push(range);
    }

    /// Whether the piece of the query at `range` is a cue word or talk: it
    /// lies within them ("多少钱" is more than the cue "多少": its `钱` is
    /// what is asked).
    pub fn is_wording(&self, range: Range<usize>) -> bool {
        within(&self.wording, &self.fillers, &range)
    }

    /// Whether it reads as a question (or a request to the bot): question
    /// wording of any kind, a question mark, a question particle, or a
    /// first word that opens a question. Otherwise it is a statement.
    pub fn asks(&self) -> bool {
        self.asks
    }

    /// Whether it is talk: fillers (thanks, lol, 哈哈) in a message that asks
    /// nothing ("thanks for the prompt reply"); "anyone know what …" asks.
    pub fn is_talk(&self) -> bool {
        !self.fillers.is_empty() && !self.asks
    }

    /// Whether it is wording that never says what a question is about: any
    /// cue but a difference's, and talk. A difference cue that is a word of
    /// the notes' vocabulary (`in common` → 相同点, `compare` → 比较) is.
    pub fn is_mere_wording(&self, range: Range<usize>) -> bool {
        (overlaps(&self.wording, &range) && !overlaps(&self.comparing, &range))
            || self.is_filler(range)
    }

    /// Whether the piece of the query at `range` is talk (thanks, 哈哈):
    /// never content.
    pub fn is_filler(&self, range: Range<usize>) -> bool {
        overlaps(&self.fillers, &range)
    }
}

/// Reads what a question asks for and which of its words are wording.
pub fn read(query: &str) -> Question {
    let folded: String = query
        .chars()
        .map(fold_width)
        .collect::<String>()
        .to_lowercase();
    // Folding keeps byte lengths only for ASCII; map back through char indices.
    let mut q = Question::default();
    let map = ByteMap::new(query, &folded);
    for (kind, cues) in ZH_CUES {
        for cue in *cues {
            for (at, _) in folded.match_indices(cue) {
                // "用的是什么数据": 是什么 before a word asks which one, not
                // what a thing is.
                let kind = if *kind == Kind::Definition && asks_which_thing(&folded[at..], cue) {
                    Kind::Which
                } else {
                    *kind
                };
                q.kinds.add(kind);
                q.cue(kind, map.back(at)..map.back(at + cue.len()));
                if kind == Kind::Quantity {
                    q.counted_after.get_or_insert(map.back(at + cue.len()));
                }
            }
        }
    }
    for cue in ZH_FILLERS {
        for (at, _) in folded.match_indices(cue) {
            q.fillers.push(map.back(at)..map.back(at + cue.len()));
        }
    }
    let words = latin_words(&folded);
    for (kind, cues) in EN_CUES {
        for cue in *cues {
            for r in find_words(&words, cue) {
                q.kinds.add(*kind);
                if *kind == Kind::Quantity && matches!(*cue, "how many" | "how much" | "number of")
                {
                    if let Some(last) = r.last() {
                        q.counted_after.get_or_insert(map.back(last.end));
                    }
                }
                for w in r {
                    q.cue(*kind, map.back(w.start)..map.back(w.end));
                }
            }
        }
    }
    for (word, range) in &words {
        if EN_FILLERS.contains(&word.as_str()) {
            q.fillers.push(map.back(range.start)..map.back(range.end));
        }
    }
    // "What does RLHF stand for": the `for` is the definition's, not a
    // purpose's ("what … for").
    let defines = ["stand for", "stands for", "short for"]
        .iter()
        .any(|cue| !find_words(&words, cue).is_empty());
    if defines {
        q.kinds.0 &= !Kind::Purpose.bit();
    }
    // A yes/no question: opened by an auxiliary verb, or with a Chinese
    // yes/no form.
    let yes_no_zh = [
        "是不是",
        "是否",
        "有没有",
        "能不能",
        "会不会",
        "可不可以",
        "对吗",
        "对不对",
    ];
    let trimmed = folded.trim_end_matches(|c: char| c.is_whitespace() || "?？!！。.~".contains(c));
    if yes_no_zh.iter().any(|w| folded.contains(w))
        || trimmed.ends_with('吗')
        || folded
            .replace("干吗", "")
            .split('吗')
            .skip(1)
            .any(|after| after.starts_with(|c: char| c.is_ascii_punctuation() || c == ' '))
        || words
            .first()
            .is_some_and(|(w, _)| YES_NO_OPENERS.contains(&w.as_str()))
    {
        q.kinds.add(Kind::YesNo);
    }
    q.asks = !q.kinds.is_empty()
        || folded.contains(['?', '？'])
        || ZH_ASKING.iter().any(|w| folded.contains(w))
        || words
            .first()
            .is_some_and(|(w, _)| EN_OPENERS.contains(&w.as_str()));
    // "哪些好处" asks for benefits, not a model.
    if q.kinds.has(Kind::Purpose) {
        q.kinds.0 &= !Kind::Which.bit();
    }
    // "What is X good for": purpose, not definition; "what is the
    // difference": difference. Definition only when nothing else is asked.
    if q.kinds.has(Kind::Definition) && Kind::ALL[1..].iter().any(|k| q.kinds.has(*k)) {
        q.kinds.0 &= !Kind::Definition.bit();
    }
    q
}

/// Whether a definition cue ending in 什么/啥 (是什么, 是啥) is followed by
/// a word it asks about (是什么数据) rather than ending the question
/// (是什么？, 是什么意思, 是什么呢).
fn asks_which_thing(from_cue: &str, cue: &str) -> bool {
    if !(cue.ends_with("什么") || cue.ends_with('啥')) {
        return false;
    }
    let rest = &from_cue[cue.len()..];
    let endings = ["意思", "呢", "啊", "呀", "吗", "东西", "来的", "回事"];
    rest.chars()
        .next()
        .is_some_and(|c| !c.is_ascii() && c.is_alphabetic())
        && !endings.iter().any(|e| rest.starts_with(e))
}

/// Byte offsets of the folded text back to the original.
struct ByteMap {
    /// (folded byte, original byte) at each char start.
    starts: Vec<(usize, usize)>,
    folded_len: usize,
    original_len: usize,
}

impl ByteMap {
    fn new(original: &str, folded: &str) -> ByteMap {
        // Lowercasing may change lengths (rarely): pair chars one to one
        // while both have chars, which holds for width folding and ASCII.
        let starts = folded
            .char_indices()
            .map(|(i, _)| i)
            .zip(original.char_indices().map(|(i, _)| i))
            .collect();
        ByteMap {
            starts,
            folded_len: folded.len(),
            original_len: original.len(),
        }
    }

    fn back(&self, folded: usize) -> usize {
        if folded >= self.folded_len {
            return self.original_len;
        }
        match self.starts.binary_search_by_key(&folded, |&(f, _)| f) {
            Ok(i) => self.starts[i].1,
            Err(i) => self.starts.get(i).map_or(self.original_len, |&(_, o)| o),
        }
    }
}

/// Latin words (letters, digits, inner `'` and `.`) with their byte ranges.
pub(super) fn latin_words(text: &str) -> Vec<(String, Range<usize>)> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for (k, &(i, c)) in chars.iter().enumerate() {
        let inner = matches!(c, '\'' | '.' | '’')
            && start.is_some()
            && chars
                .get(k + 1)
                .is_some_and(|n| n.1.is_ascii_alphanumeric());
        if c.is_ascii_alphanumeric() || inner {
            start.get_or_insert(i);
        } else if let Some(s) = start.take() {
            out.push((text[s..i].replace('’', "'"), s..i));
        }
    }
    if let Some(s) = start {
        out.push((text[s..].replace('’', "'"), s..text.len()));
    }
    out
}

/// The byte ranges of the words of each occurrence of `cue` (`-` counts as
/// a space: "fine-tuned from" matches `fine tuned from` and `fine-tuned from`).
pub(super) fn find_phrase(words: &[(String, Range<usize>)], cue: &str) -> Vec<Range<usize>> {
    find_words(words, &cue.replace('-', " "))
        .into_iter()
        .flatten()
        .collect()
}

/// Where a cue occurs: the byte ranges of its words. A `…` matches any
/// words in between (at most six).
fn find_words(words: &[(String, Range<usize>)], cue: &str) -> Vec<Vec<Range<usize>>> {
    let parts: Vec<&str> = cue.split(' ').collect();
    let mut found = Vec::new();
    for start in 0..words.len() {
        if let Some(ranges) = match_at(words, start, &parts) {
            found.push(ranges);
        }
    }
    found
}

fn match_at(
    words: &[(String, Range<usize>)],
    at: usize,
    parts: &[&str],
) -> Option<Vec<Range<usize>>> {
    let mut ranges = Vec::new();
    let mut i = at;
    let mut k = 0;
    while k < parts.len() {
        if parts[k] == "…" {
            let next = parts.get(k + 1)?;
            let gap = (i + 1..words.len().min(i + 8)).find(|&j| words[j].0 == *next)?;
            if gap == i {
                return None;
            }
            i = gap;
            k += 1;
            continue;
        }
        let (w, r) = words.get(i)?;
        if w != parts[k] {
            return None;
        }
        ranges.push(r.clone());
        i += 1;
        k += 1;
    }
    Some(ranges)
}

/// What a document offers to a kind of question, read from its own text
/// when the index is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offer {
    /// Gives a cause: 因为, 由于, 来自, 导致, 通过, because, due to.
    Cause,
    /// States a purpose: 为了, 用于, 用来, 作用, 解锁, in order to.
    Purpose,
    /// A list item (or a nested one): what the notes list under a subject.
    Listed,
    /// Names a model of the catalogue.
    Model,
    /// Holds a quantity: 60%, 1750 亿, 12b, 175B, 300 billion, 2016.
    Number,
    /// Stands in a comparison section, or compares: 区别, 不同, 不像, unlike.
    Comparison,
}

/// A set of [`Offer`]s, as stored in the index.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Offers(pub u64);

impl Offers {
    pub fn has(self, o: Offer) -> bool {
        self.0 & (1 << o as u64) != 0
    }
    fn add(&mut self, o: Offer) {
        self.0 |= 1 << o as u64;
    }
}

const CAUSE_ZH: &[&str] = &[
    "因为", "由于", "所以", "因此", "来自", "来源", "源于", "导致", "通过", "原因", "在于",
];
const CAUSE_EN: &[&str] = &[
    "because", "since", "due", "caused", "causes", "thanks", "result",
];
const PURPOSE_ZH: &[&str] = &[
    "为了", "用于", "用来", "作用", "目的", "以便", "好处", "解锁", "激发", "帮助", "可以", "能够",
];
const PURPOSE_EN: &[&str] = &["purpose", "order", "helps", "used", "lets", "allows"];
const COMPARISON_ZH: &[&str] = &[
    "区别", "不同", "相同", "相比", "比较", "不像", "差异", "一样",
];
const COMPARISON_EN: &[&str] = &["vs", "v.s", "versus", "unlike", "than", "compared"];
/// Units of a quantity after a number.
const QUANTITY_UNITS: &[&str] = &[
    "%", "％", "亿", "万", "千", "百", "b", "m", "k", "billion", "million", "thousand", "percent",
];

/// What documents' offers depend on besides their own text and the
/// constants here: when these are the same, so are every document's offers.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct OfferInputs {
    /// Every model name (four characters or more), lowercase.
    model_names: Vec<String>,
    /// Headings of the notes' comparison sections.
    comparison_sections: Vec<String>,
}

impl OfferInputs {
    pub fn of(k: &Knowledge) -> OfferInputs {
        let mut model_names: Vec<String> = k
            .models
            .iter()
            .flat_map(|m| m.names())
            .filter(|n| n.chars().count() >= 4)
            .map(|n| n.to_lowercase())
            .collect();
        model_names.sort();
        model_names.dedup();
        OfferInputs {
            model_names,
            comparison_sections: k.comparisons.iter().map(|c| c.section.clone()).collect(),
        }
    }
}

/// Reads documents' offers; built once per index.
pub struct OfferReader {
    inputs: OfferInputs,
    /// The model names as one automaton: which may occur, in one pass.
    model_name_set: regex::RegexSet,
    /// The Chinese cues of [`CAUSE_ZH`], [`PURPOSE_ZH`], [`COMPARISON_ZH`]
    /// as one automaton, and the offer each stands for.
    zh_cues: regex::RegexSet,
    zh_offers: Vec<Offer>,
}

impl OfferReader {
    pub fn new(k: &Knowledge) -> OfferReader {
        let inputs = OfferInputs::of(k);
        let literal_set = |words: &mut dyn Iterator<Item = &str>| {
            regex::RegexSet::new(words.map(regex::escape)).expect("escaped literals compile")
        };
        let cues = [
            (CAUSE_ZH, Offer::Cause),
            (PURPOSE_ZH, Offer::Purpose),
            (COMPARISON_ZH, Offer::Comparison),
        ];
        let zh_offers = cues
            .iter()
            .flat_map(|(list, o)| list.iter().map(|_| *o))
            .collect();
        OfferReader {
            model_name_set: literal_set(&mut inputs.model_names.iter().map(String::as_str)),
            zh_cues: literal_set(&mut cues.iter().flat_map(|(list, _)| list.iter().copied())),
            zh_offers,
            inputs,
        }
    }

    pub fn offers(&self, k: &Knowledge, doc: DocRef, shown: &str) -> Offers {
        let mut o = Offers::default();
        let headings: &[String] = match doc {
            DocRef::Passage(p) => &k.passage(p).headings,
            DocRef::Unit(u) => &k.passage(k.unit(u).passage).headings,
            _ => &[],
        };
        let listed = match doc {
            DocRef::Passage(p) => k.passage(p).kind == PassageKind::ListItem,
            DocRef::Unit(u) => k.unit(u).kind == UnitKind::Item,
            _ => false,
        };
        if listed {
            o.add(Offer::Listed);
        }
        let lower = shown.to_lowercase();
        let words: Vec<String> = latin_words(&lower).into_iter().map(|(w, _)| w).collect();
        let has_word = |list: &[&str]| words.iter().any(|w| list.contains(&w.as_str()));
        // One pass for every Chinese cue (the notes may be large).
        let mut zh = Offers::default();
        for i in self.zh_cues.matches(&lower).iter() {
            zh.add(self.zh_offers[i]);
        }
        let has_zh = |o: Offer| zh.has(o);
        if has_zh(Offer::Cause) || has_word(CAUSE_EN) {
            o.add(Offer::Cause);
        }
        if has_zh(Offer::Purpose) || has_word(PURPOSE_EN) {
            o.add(Offer::Purpose);
        }
        if has_zh(Offer::Comparison)
            || has_word(COMPARISON_EN)
            || headings
                .iter()
                .any(|h| self.inputs.comparison_sections.contains(h))
        {
            o.add(Offer::Comparison);
        }
        if has_quantity(&lower) {
            o.add(Offer::Number);
        }
        if self
            .model_name_set
            .matches(&lower)
            .iter()
            .any(|i| crate::domain::mentions(&lower, &self.inputs.model_names[i]))
        {
            o.add(Offer::Model);
        }
        o
    }
}

/// Whether text holds a quantity: a number with a unit (60%, 1750 亿, 12b,
/// 300 billion) or of four digits or more (2016, 3000), and not the digits
/// of a name (`text-davinci-003`, `GPT-3`).
fn has_quantity(lower: &str) -> bool {
    let chars: Vec<(usize, char)> = lower.char_indices().collect();
    let mut k = 0;
    while k < chars.len() {
        if !chars[k].1.is_ascii_digit() {
            k += 1;
            continue;
        }
        let start = k;
        while k < chars.len() && (chars[k].1.is_ascii_digit() || chars[k].1 == '.') {
            k += 1;
        }
        let before = start.checked_sub(1).map(|b| chars[b].1);
        let in_name = before.is_some_and(|c| c == '-' || c.is_ascii_alphabetic());
        let digits = k - start;
        let rest = lower[chars.get(k).map_or(lower.len(), |c| c.0)..].trim_start();
        let unit = QUANTITY_UNITS.iter().any(|u| {
            rest.strip_prefix(u).is_some_and(|after| {
                // A Latin unit is a whole word (`12b`, not `12bit`).
                !u.is_ascii() || !after.starts_with(|c: char| c.is_ascii_alphanumeric())
            })
        });
        if !in_name && (unit || digits >= 4) {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(q: &str) -> Vec<Kind> {
        read(q).kinds.iter().collect()
    }

    #[test]
    fn kinds_are_read_in_both_languages() {
        assert_eq!(kinds("对齐税是什么"), [Kind::Definition]);
        assert_eq!(kinds("what is RLHF"), [Kind::Definition]);
        assert_eq!(kinds("为什么 text-davinci-003 恢复了"), [Kind::Reason]);
        assert_eq!(kinds("why did it lose that"), [Kind::Reason]);
        assert_eq!(kinds("what is RLHF good for"), [Kind::Purpose]);
        assert_eq!(kinds("指令微调的作用"), [Kind::Purpose]);
        assert_eq!(kinds("what does the reward model do"), [Kind::Purpose]);
        assert_eq!(kinds("哪个模型是基础模型"), [Kind::Which]);
        assert_eq!(kinds("how many parameters"), [Kind::Quantity]);
        assert_eq!(kinds("GPT-3 有多少参数"), [Kind::Quantity]);
        assert_eq!(kinds("001 vs 002"), [Kind::Difference]);
        assert_eq!(kinds("what is the difference"), [Kind::Difference]);
        assert!(kinds("RLHF").is_empty());
    }

    #[test]
    fn quantities_are_numbers_with_units_not_names() {
        assert!(has_quantity("训练语料的60%来自于"));
        assert!(has_quantity("模型的 1750 亿参数"));
        assert!(has_quantity("code-cushman-001[12b]"));
        assert!(has_quantity("300 billion words"));
        assert!(!has_quantity("text-davinci-003 和 gpt-3"));
        assert!(!has_quantity("001模型主要"));
    }

    #[test]
    fn wording_is_not_content() {
        let q = "what is RLHF good for";
        let r = read(q);
        let at = q.find("RLHF").unwrap();
        assert!(!r.is_wording(at..at + 4));
        let good = q.find("good").unwrap();
        assert!(r.is_wording(good..good + 4));
        let z = "Ｒ参数有啥用";
        let r = read(z);
        let at = z.find("有啥用").unwrap();
        assert!(r.is_wording(at..z.len()));
        assert!(!r.is_wording(0..at));
    }
}
