//! The whole knowledge as one value: models, families, lineage, terms,
//! passages and comparisons, with the name index that resolves them.

use std::fmt;

use super::{
    Capability, CapabilityId, Lineage, Model, ModelId, NameIndex, Passage, PassageId, Resolved,
    Source, Term, TermId, Text, Unit, UnitId,
};

/// A line of descent shared by several models (`code-*`, `text-*`).
#[derive(Debug, Clone)]
pub struct Family {
    pub slug: String,
    pub name: Text,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ComparisonId(pub(crate) u16);

/// What a comparison section of the notes sets side by side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ComparisonSubject {
    Models(Vec<ModelId>),
    /// Whole generations, by shorthand (`001`, `002`).
    Generations(Vec<String>),
}

/// A section of the notes that compares models or generations.
#[derive(Debug, Clone)]
pub struct Comparison {
    pub id: ComparisonId,
    pub slug: String,
    /// The section heading as plain text.
    pub section: String,
    pub subject: ComparisonSubject,
    /// The passages of the section, in note order.
    pub passages: Vec<PassageId>,
    pub source: Source,
}

impl Comparison {
    /// Whether this section speaks about `model` (directly or via its generation).
    pub fn covers(&self, model: &Model) -> bool {
        match &self.subject {
            ComparisonSubject::Models(ids) => ids.contains(&model.id),
            ComparisonSubject::Generations(gens) => {
                model.generation.as_ref().is_some_and(|g| gens.contains(g))
            }
        }
    }
}

/// Everything the bot knows, validated. Immutable once built; a reload builds
/// a new one.
#[derive(Debug, Clone)]
pub struct Knowledge {
    pub models: Vec<Model>,
    pub families: Vec<Family>,
    pub lineage: Lineage,
    pub terms: Vec<Term>,
    pub passages: Vec<Passage>,
    /// The answer units inside passages: nested items and sentences.
    pub units: Vec<Unit>,
    pub comparisons: Vec<Comparison>,
    /// What the notes follow along the lineage (`capabilities.toml`).
    pub capabilities: Vec<Capability>,
    pub names: NameIndex,
    /// Groups of words that mean the same thing (`glossary.toml`), for search.
    pub synonyms: Vec<Vec<String>>,
    /// Where the notes' lineage chain line stands: what a question about the
    /// lineage quotes beside the steps the graph gives.
    pub chain_at: Option<Source>,
}

/// The counts `check` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub models: usize,
    pub edges: usize,
    pub terms: usize,
    pub passages: usize,
    pub comparisons: usize,
    pub capabilities: usize,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} models, {} lineage edges, {} terms, {} passages, {} comparisons, {} capabilities",
            self.models, self.edges, self.terms, self.passages, self.comparisons, self.capabilities
        )
    }
}

impl Knowledge {
    pub fn model(&self, id: ModelId) -> &Model {
        &self.models[id.index()]
    }

    pub fn term(&self, id: TermId) -> &Term {
        &self.terms[id.index()]
    }

    pub fn passage(&self, id: PassageId) -> &Passage {
        &self.passages[id.index()]
    }

    pub fn capability(&self, id: CapabilityId) -> &Capability {
        &self.capabilities[id.index()]
    }

    /// A capability by slug, name or alias (its own name index).
    pub fn resolve_capability(&self, name: &str) -> Option<CapabilityId> {
        self.names.capability(name)
    }

    /// The capabilities that are this term of the notes' table.
    pub fn capabilities_of_term(&self, term: TermId) -> impl Iterator<Item = &Capability> {
        self.capabilities
            .iter()
            .filter(move |c| c.term == Some(term))
    }

    pub fn unit(&self, id: UnitId) -> &Unit {
        &self.units[id.index()]
    }

    pub fn family(&self, model: &Model) -> &Family {
        &self.families[model.family]
    }

    pub fn resolve_model(&self, name: &str) -> Resolved<ModelId> {
        self.names.model(name)
    }

    pub fn resolve_term(&self, name: &str) -> Option<TermId> {
        self.names.term(name)
    }

    /// Models of a generation shorthand (`001`), in catalogue order.
    pub fn generation(&self, name: &str) -> Option<&[ModelId]> {
        self.names.generation(name)
    }

    /// The generation shorthands the catalogue uses (`001`, `002`), sorted.
    pub fn generations(&self) -> Vec<&String> {
        let mut out: Vec<&String> = self
            .models
            .iter()
            .filter_map(|m| m.generation.as_ref())
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// Comparison sections that cover both models.
    pub fn comparisons_of(&self, a: ModelId, b: ModelId) -> Vec<&Comparison> {
        let (ma, mb) = (self.model(a), self.model(b));
        self.comparisons
            .iter()
            .filter(|c| c.covers(ma) && c.covers(mb))
            .collect()
    }

    /// Passages that mention a model by any of its names, in note order;
    /// lazily, so a caller that wants the first few does not read all notes.
    pub fn passages_mentioning(&self, id: ModelId) -> impl Iterator<Item = PassageId> + '_ {
        let model = self.model(id);
        let names: Vec<String> = model
            .names()
            .iter()
            .filter(|n| n.len() >= 4)
            .map(|n| n.to_lowercase())
            .collect();
        self.passages
            .iter()
            .filter(move |p| {
                let text = p.text.to_lowercase();
                names.iter().any(|n| mentions(&text, n))
            })
            .map(|p| p.id)
    }

    pub fn summary(&self) -> Summary {
        Summary {
            models: self.models.len(),
            edges: self.lineage.edges().len(),
            terms: self.terms.len(),
            passages: self.passages.len(),
            comparisons: self.comparisons.len(),
            capabilities: self.capabilities.len(),
        }
    }
}

/// `needle` occurs in `hay` as a whole name: not inside a longer id
/// (`text-davinci-002` does not mention `davinci-002`... nor `code-davinci-002`).
pub(crate) fn mentions(hay: &str, needle: &str) -> bool {
    let is_name_char = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '.';
    hay.match_indices(needle).any(|(at, _)| {
        let before = hay[..at].chars().next_back();
        let after = hay[at + needle.len()..].chars().next();
        !before.is_some_and(is_name_char)
            && !after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-')
    })
}

#[cfg(test)]
mod tests {
    use super::mentions;

    #[test]
    fn a_mention_is_a_whole_name() {
        assert!(mentions(
            "比较 text-davinci-002，text-davinci-003",
            "text-davinci-002"
        ));
        assert!(!mentions("code-davinci-002是基础模型", "davinci-002"));
        assert!(!mentions("text-davinci-0021", "text-davinci-002"));
        assert!(mentions("chatgpt: 对话", "chatgpt"));
    }
}
