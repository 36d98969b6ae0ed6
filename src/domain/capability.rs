//! A capability the notes follow along the lineage (in-context learning,
//! zero-shot, dialogue…) and each model's status for it, with the passages
//! that say so. Curated in `capabilities.toml`, checked against the notes.

use serde::Deserialize;

use super::{ModelId, PassageId, Source, TermId, Text};

/// A capability; an index into [`super::Knowledge::capabilities`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CapabilityId(pub(crate) u16);

impl CapabilityId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Where a model stands on a capability, as the notes put it. A fixed set:
/// `capabilities.toml` documents it and the loader refuses any other word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// It appears with this model.
    Gained,
    /// The notes name it as a strength of this model.
    Strong,
    /// Better than in the parent.
    Improved,
    /// Kept from the parent.
    Kept,
    /// Weaker than in the parent (given up by tuning).
    Weakened,
    /// Given back after a parent lost it.
    Restored,
    /// Given up in exchange for another capability.
    TradedAway,
    /// The notes say the model lacks it.
    Absent,
}

impl Status {
    pub const ALL: [Status; 8] = [
        Status::Gained,
        Status::Strong,
        Status::Improved,
        Status::Kept,
        Status::Weakened,
        Status::Restored,
        Status::TradedAway,
        Status::Absent,
    ];

    /// One sign per status, the same in both languages and everywhere the
    /// status is shown (embeds, pages, the matrix), so it reads without colour.
    pub fn sign(self) -> &'static str {
        match self {
            Status::Gained => "➕",
            Status::Strong => "★",
            Status::Improved => "↑",
            Status::Kept => "＝",
            Status::Weakened => "↓",
            Status::Restored => "↺",
            Status::TradedAway => "⇄",
            Status::Absent => "✕",
        }
    }

    /// [`Status::sign`] in characters every common font has (no emoji ➕,
    /// no fullwidth ＝): for the pictures' font and the web pages.
    pub fn plain_sign(self) -> &'static str {
        match self {
            Status::Gained => "+",
            Status::Kept => "=",
            other => other.sign(),
        }
    }

    /// The word `capabilities.toml` uses (`traded-away`).
    pub fn slug(self) -> &'static str {
        match self {
            Status::Gained => "gained",
            Status::Strong => "strong",
            Status::Improved => "improved",
            Status::Kept => "kept",
            Status::Weakened => "weakened",
            Status::Restored => "restored",
            Status::TradedAway => "traded-away",
            Status::Absent => "absent",
        }
    }
}

/// A quote of the notes that supports a status, found in one passage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    /// The quote as curated (Markdown emphasis dropped, spaces folded).
    pub quote: String,
    pub passage: PassageId,
    /// The line of the notes the quote stands on.
    pub source: Source,
}

/// One model's status for a capability, with its evidence (never empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusEntry {
    pub model: ModelId,
    pub status: Status,
    pub evidence: Vec<Evidence>,
}

#[derive(Debug, Clone)]
pub struct Capability {
    pub id: CapabilityId,
    /// `in-context-learning`: what `/capability` and buttons use.
    pub slug: String,
    pub name: Text,
    pub aliases: Vec<String>,
    /// The term of the notes' table this capability is, if any.
    pub term: Option<TermId>,
    /// In the curator's order; a model may have several.
    pub statuses: Vec<StatusEntry>,
}

impl Capability {
    /// Every name the capability answers to: slug, both names, aliases.
    pub fn names(&self) -> Vec<String> {
        let mut names = vec![self.slug.clone()];
        match &self.name {
            Text::Plain(s) => names.push(s.clone()),
            Text::Bilingual { en, zh } => {
                names.push(en.clone());
                names.extend(zh.clone());
            }
        }
        names.extend(self.aliases.iter().cloned());
        names
    }

    /// The statuses the notes give `model`, in the curator's order.
    pub fn statuses_of(&self, model: ModelId) -> impl Iterator<Item = &StatusEntry> {
        self.statuses.iter().filter(move |s| s.model == model)
    }

    /// The status that colours `model` in the picture: its first.
    pub fn main_status(&self, model: ModelId) -> Option<Status> {
        self.statuses_of(model).next().map(|s| s.status)
    }
}
