//! A term of the notes' terminology table: both languages, meaning, related
//! terms and the models where it matters.

use super::{ModelId, PassageId, Text};

/// A term of the notes' terminology table; an index into [`super::Knowledge::terms`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TermId(pub(crate) u16);

impl TermId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl Term {
    /// Every name the term answers to: slug, English as written and as
    /// shown, 中文, abbreviations and aliases.
    pub fn names(&self) -> Vec<String> {
        let mut names = vec![
            self.slug.clone(),
            self.english.clone(),
            self.display.clone(),
            self.chinese.clone(),
        ];
        names.extend(self.abbreviations.iter().cloned());
        names.extend(self.aliases.iter().cloned());
        names
    }
}

#[derive(Debug, Clone)]
pub struct Term {
    pub id: TermId,
    /// `alignment-tax`: what `/term` and buttons use.
    pub slug: String,
    /// The English column as the notes write it (typos kept: `Chain-fo-Thought`).
    pub english: String,
    /// The name to show when the curator gave a corrected one.
    pub display: String,
    /// 中文.
    pub chinese: String,
    /// 备注: the meaning, in the notes' words.
    pub meaning: String,
    pub abbreviations: Vec<String>,
    pub aliases: Vec<String>,
    pub gloss: Option<Text>,
    pub related: Vec<TermId>,
    pub models: Vec<ModelId>,
    /// The table row it came from.
    pub source: PassageId,
}
