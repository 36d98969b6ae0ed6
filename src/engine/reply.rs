//! What the engine answers, typed. Rendering to a Discord message is
//! `crate::render`'s job; nothing here knows about embeds.

use crate::domain::{
    CapabilityId, ComparisonId, Edge, Evidence, ModelId, PassageId, Status, TermId,
};
use crate::search::Hit;

use super::request::Command;

#[derive(Debug, Clone)]
pub enum Reply {
    Model(ModelAnswer),
    Term(TermAnswer),
    Compare(CompareAnswer),
    CompareGenerations(GenerationAnswer),
    SameModel {
        model: ModelId,
    },
    Search(SearchAnswer),
    Lineage(LineageAnswer),
    Capability(CapabilityAnswer),
    /// `/capability` with no name: every model × every capability.
    Matrix(MatrixAnswer),
    Ambiguous(Ambiguous),
    NotFound(NotFound),
    Help,
}

/// A name read as something else: a misspelling or a shorthand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadAs {
    pub typed: String,
    pub as_name: String,
    /// For a shorthand paired in `/compare`: the other model, of the same family.
    pub paired_with: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ModelAnswer {
    pub model: ModelId,
    pub parents: Vec<Edge>,
    pub children: Vec<Edge>,
    /// Note passages that speak of the model, most relevant first.
    pub sources: Vec<PassageId>,
    pub read_as: Option<ReadAs>,
}

#[derive(Debug, Clone)]
pub struct TermAnswer {
    pub term: TermId,
    pub read_as: Option<ReadAs>,
}

/// How two models are related in the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Relation {
    /// The first is the parent of the second (or the reverse), by this step.
    Parent(Edge),
    /// They share a parent.
    Siblings {
        parent: ModelId,
    },
    /// One descends from the other over several steps.
    Descends {
        path: Vec<ModelId>,
    },
    /// Related only through a common ancestor.
    Cousins {
        path: Vec<ModelId>,
    },
    Unrelated,
}

#[derive(Debug, Clone)]
pub struct CompareAnswer {
    pub first: ModelId,
    pub second: ModelId,
    /// How ambiguous names were paired (`002` → text-davinci-002).
    pub read_as: Vec<ReadAs>,
    pub relation: Relation,
    /// The notes' sections that compare them.
    pub sections: Vec<ComparisonId>,
}

#[derive(Debug, Clone)]
pub struct GenerationAnswer {
    pub first: (String, Vec<ModelId>),
    pub second: (String, Vec<ModelId>),
    pub sections: Vec<ComparisonId>,
}

#[derive(Debug, Clone)]
pub struct SearchAnswer {
    /// A capability the question follows along the models: its view leads.
    pub capability: Option<crate::domain::CapabilityId>,
    pub query: String,
    pub page: usize,
    pub per_page: usize,
    pub total: usize,
    /// Large notes are not counted to the end: there are at least `total`.
    pub total_is_lower_bound: bool,
    pub hits: Vec<Hit>,
    /// How many of the first hits are the answer (shown whole); the rest
    /// are more places in the notes.
    pub lead: usize,
    pub corrections: Vec<(String, String)>,
    /// What the question asks that the notes don't say (as typed): the hits
    /// are then only what the notes say about its subject, for a reply
    /// addressed to the bot; a search channel stays silent.
    pub lacking: Vec<String>,
    /// A question about the lineage: the graph's steps, which lead.
    pub steps: Vec<crate::domain::Edge>,
    /// The search failed (logged): no hits, and no gap of the notes either.
    pub failed: bool,
}

impl SearchAnswer {
    pub fn has_next(&self) -> bool {
        (self.page + 1) * self.per_page < self.total
    }
}

#[derive(Debug, Clone)]
pub struct LineageAnswer {
    pub highlight: Option<ModelId>,
    /// The tree in drawing order.
    pub tree: Vec<super::lineage::TreeRow>,
}

/// `/capability`: one capability along the lineage, a row per model.
#[derive(Debug, Clone)]
pub struct CapabilityAnswer {
    pub capability: CapabilityId,
    pub read_as: Option<ReadAs>,
    /// Every model, in lineage order (generation by generation, then the
    /// catalogue's order).
    pub rows: Vec<CapabilityRow>,
}

#[derive(Debug, Clone)]
pub struct CapabilityRow {
    pub model: ModelId,
    /// The steps from its parents (the method that made it).
    pub via: Vec<Edge>,
    /// What the notes say of it; empty: not in the notes.
    pub statuses: Vec<RowStatus>,
}

/// The capability matrix: models in lineage order down, capabilities (the
/// curator's order) across; a cell holds what the notes say, several
/// statuses where they disagree with themselves, none where they are silent.
#[derive(Debug, Clone)]
pub struct MatrixAnswer {
    pub models: Vec<ModelId>,
    pub capabilities: Vec<CapabilityId>,
    /// `cells[model row][capability column]`.
    pub cells: Vec<Vec<Vec<RowStatus>>>,
}

impl MatrixAnswer {
    /// The cell of a row and a column; empty outside the matrix.
    pub fn cell(&self, row: usize, column: usize) -> &[RowStatus] {
        self.cells
            .get(row)
            .and_then(|r| r.get(column))
            .map_or(&[], Vec::as_slice)
    }

    /// The statuses some cell holds, in [`Status::ALL`]'s order: a legend.
    pub fn statuses_used(&self) -> Vec<Status> {
        Status::ALL
            .iter()
            .copied()
            .filter(|s| {
                self.cells
                    .iter()
                    .flatten()
                    .flatten()
                    .any(|x| x.status == *s)
            })
            .collect()
    }
}

#[derive(Debug, Clone)]
pub struct RowStatus {
    pub status: Status,
    /// The quotes, each with its passage and `file:line`.
    pub evidence: Vec<Evidence>,
}

impl RowStatus {
    pub fn passages(&self) -> Vec<PassageId> {
        self.evidence.iter().map(|e| e.passage).collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wanted {
    Model,
    Term,
    Capability,
}

/// A name that fits several models; each choice is a command to run.
#[derive(Debug, Clone)]
pub struct Ambiguous {
    pub typed: String,
    pub choices: Vec<(ModelId, Command)>,
}

#[derive(Debug, Clone)]
pub struct NotFound {
    pub wanted: Wanted,
    pub typed: String,
    /// Closest names: (label, command to run).
    pub suggestions: Vec<(String, Command)>,
}
