//! Stage 3b, across languages: a word of the question the notes do not have,
//! where neither the glossary nor a name bridges it, is looked up in a
//! Chinese–English dictionary and searched as the notes' words that
//! translate it: "frozen"/"fixed" → 固定, 冻结; 训练 → train, trained.
//!
//! The dictionary is CC-CEDICT's short glosses of the 30 000 most frequent
//! Chinese words (`assets/words/cedict.tsv`, CC BY-SA 4.0, made by
//! `make_cedict.py` beside it). Only translations the notes actually hold
//! are used, and only for a word they lack: a word they have is searched as
//! written, so the dictionary never outranks the notes' own words.

use std::collections::HashMap;
use std::sync::LazyLock;

use super::*;

/// At most this many translations per word: the dictionary's first glosses
/// are its main senses.
const MAX_TRANSLATIONS: usize = 4;

/// Chinese word → its English glosses, and English gloss → Chinese words.
struct Dictionary {
    glosses: HashMap<&'static str, Vec<&'static str>>,
    words: HashMap<&'static str, Vec<&'static str>>,
}

static DICTIONARY: LazyLock<Dictionary> = LazyLock::new(|| {
    let mut d = Dictionary {
        glosses: HashMap::new(),
        words: HashMap::new(),
    };
    for (word, glosses) in super::information::rows(include_str!("../../assets/words/cedict.tsv")) {
        let glosses: Vec<&str> = glosses.split('|').collect();
        for g in &glosses {
            d.words.entry(g).or_default().push(word);
        }
        d.glosses.insert(word, glosses);
    }
    d
});

impl SearchIndex {
    /// Adds the dictionary's translations the notes hold to each content
    /// concept none of whose forms the notes hold.
    pub(super) fn bridge(
        &self,
        concepts: &mut [Concept],
        known: &dyn Fn(&str) -> tantivy::Result<bool>,
    ) -> tantivy::Result<()> {
        for c in concepts.iter_mut().filter(|c| c.content && !c.named) {
            let mut held = false;
            for alt in &c.alternatives {
                held |= all_known(alt, known)?;
            }
            if held {
                continue;
            }
            let typed = c.typed.to_lowercase();
            let d = &*DICTIONARY;
            let translations: Vec<&str> = if typed.is_ascii() {
                let singular = typed.strip_suffix('s').unwrap_or(&typed);
                let mut t: Vec<&str> = Vec::new();
                for form in [typed.as_str(), singular] {
                    for w in d.words.get(form).into_iter().flatten() {
                        if !t.contains(w) {
                            t.push(w);
                        }
                    }
                }
                t
            } else {
                d.glosses.get(typed.as_str()).cloned().unwrap_or_default()
            };
            let mut added = 0;
            for t in translations {
                if added == MAX_TRANSLATIONS {
                    break;
                }
                // A gloss of several words as written, else its last word,
                // the head of an English compound ("computer memory").
                let tokens = self.segmenter.tokens(t);
                let head = tokens.last().cloned().into_iter().collect::<Vec<_>>();
                for form in [tokens, head] {
                    if form.is_empty() || c.alternatives.contains(&form) {
                        continue;
                    }
                    if all_known(&form, known)? {
                        c.alternatives.push(form);
                        added += 1;
                        break;
                    }
                }
            }
        }
        Ok(())
    }
}

fn all_known(
    alt: &[String],
    known: &dyn Fn(&str) -> tantivy::Result<bool>,
) -> tantivy::Result<bool> {
    for t in alt {
        if !known(t)? {
            return Ok(false);
        }
    }
    Ok(!alt.is_empty())
}

#[cfg(test)]
mod tests {
    use super::DICTIONARY;

    #[test]
    fn the_dictionary_reads_both_ways() {
        let d = &*DICTIONARY;
        assert!(d.glosses["训练"].contains(&"train"));
        assert!(d.words["important"].contains(&"重要"));
        assert!(d.words["freeze"].contains(&"冻结"));
    }
}
