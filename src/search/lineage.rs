//! Questions about the lineage itself ("What model is ChatGPT fine-tuned
//! from?", "text-davinci-002 之后是什么", "which model came right before
//! text-davinci-002?") are answered from the graph, not by text search: the
//! step(s) the knowledge holds, quoted from the notes' chain line.
//!
//! A question is about the lineage when it has wording of descent (the
//! lists below, general, in both languages), names one model (or two, for
//! "is X based on Y"), and asks nothing else of weight: "where does GPT-3's
//! world knowledge come from" names a model and "come from", but asks about
//! `world knowledge`.

use std::ops::Range;

use crate::domain::{Edge, Knowledge, ModelId};

/// What the knowledge itself answers of a question.
#[derive(Debug, Clone)]
pub enum Graph {
    /// The lineage steps it asks about.
    Steps(Vec<Edge>),
    /// The size of this model (which the catalogue has, from the notes).
    Size(ModelId),
}

/// Words that ask a model's size (beside the parameters group of the
/// glossary, which brings 参数 and its English names).
const SIZE_WORDS: &[&str] = &["size", "big", "large", "大小", "多大", "规模", "参数量"];

/// Which way along the lineage a question looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Parents: what it was made from.
    Before,
    /// Children: what was made from it.
    After,
}

/// Wording that asks what a model was made from (lowercase; `…` is a gap).
const BEFORE_EN: &[&str] = &[
    "fine-tuned from",
    "fine tuned from",
    "finetuned from",
    "tuned from",
    "trained from",
    "made from",
    "built from",
    "built on",
    "based on",
    "derived from",
    "descended from",
    "descends from",
    "descend from",
    "came out of",
    "come out of",
    "comes out of",
    "come from",
    "came from",
    "comes from",
    "where … come from",
    "started from",
    "initialized from",
    "parent",
    "parents",
    "predecessor",
    "ancestor",
    "ancestors",
    "came before",
    "comes before",
    "come before",
    "right before",
    "before",
    "previous",
    "preceded",
    "origin",
];

/// Wording that asks what was made from a model.
const AFTER_EN: &[&str] = &[
    "came after",
    "comes after",
    "come after",
    "right after",
    "after",
    "next",
    "successor",
    "successors",
    "child",
    "children",
    "descendant",
    "descendants",
    "followed",
    "built on top of",
    "derived from it",
];

const BEFORE_ZH: &[&str] = &[
    "来自",
    "基于",
    "前身",
    "之前",
    "以前",
    "上一",
    "前一",
    "父模型",
    "从哪个模型",
    "哪个模型上",
    "由哪个模型",
    "源自",
    "祖先",
    "微调出来",
    "微调而来",
    "训练出来",
    "演化而来",
    "哪来",
    "出来的",
];

const AFTER_ZH: &[&str] = &[
    "后代",
    "之后",
    "以后",
    "下一",
    "后一",
    "子模型",
    "后继",
    "衍生",
    "接下来",
    "演化成",
    "发展成",
];

/// The wording of descent in `query`: its direction and where it stands
/// (byte ranges). After-wording wins over before-wording only when no
/// before-wording is there ("fine-tuned from … after" is about parents).
pub fn wording(query: &str) -> Option<(Direction, Vec<Range<usize>>)> {
    let lower = query.to_lowercase();
    if lower.len() != query.len() {
        // Lowercasing moved bytes (rare scripts): no ranges to trust.
        return None;
    }
    let words = super::question::latin_words(&lower);
    let find = |en: &[&str], zh: &[&str]| {
        let mut ranges = Vec::new();
        for cue in zh {
            ranges.extend(lower.match_indices(cue).map(|(at, c)| at..at + c.len()));
        }
        for cue in en {
            for r in super::question::find_phrase(&words, cue) {
                ranges.push(r);
            }
        }
        ranges
    };
    let before = find(BEFORE_EN, BEFORE_ZH);
    if !before.is_empty() {
        return Some((Direction::Before, before));
    }
    let after = find(AFTER_EN, AFTER_ZH);
    (!after.is_empty()).then_some((Direction::After, after))
}

/// What the graph answers: the steps into or out of `model`, or the one
/// step between two named models.
pub fn steps(k: &Knowledge, models: &[ModelId], direction: Direction) -> Vec<Edge> {
    match models {
        [one] => match direction {
            Direction::Before => k.lineage.parents(*one).copied().collect(),
            Direction::After => k.lineage.children(*one).copied().collect(),
        },
        [a, b] => k
            .lineage
            .edge_between(*a, *b)
            .copied()
            .into_iter()
            .collect(),
        _ => Vec::new(),
    }
}

/// Words that name the lineage or its steps rather than ask something
/// else: a question may carry them ("in the GPT-3.5 lineage", "via RLHF").
const OF_THE_LINEAGE: &[&str] = &[
    "lineage",
    "evolution",
    "family",
    "tree",
    "roadmap",
    "generation",
    "version",
    "step",
    "steps",
    "model",
    "models",
    "进化",
    "演化",
    "进化历程",
    "发展路线",
    "路线",
    "谱系",
    "版本",
    "模型",
    "一代",
    "gpt-3.5",
    "gpt3.5",
    "original",
    "first",
    "very",
    "初代",
    "最初",
    "line",
    "chain",
];

impl super::SearchIndex {
    /// The steps a question about the lineage asks for, if it is one: wording
    /// of descent, one or two models named, and nothing else of weight
    /// asked (a method or the lineage itself may be named).
    pub(super) fn descent(&self, query: &str, concepts: &[super::Concept]) -> Option<Vec<Edge>> {
        let (direction, ranges) = wording(query)?;
        let k = &self.knowledge;
        let cue = |c: &super::Concept| {
            ranges
                .iter()
                .any(|r| c.span.0 < r.end && r.start < c.span.1)
        };
        let mut models: Vec<ModelId> = Vec::new();
        for c in concepts.iter().filter(|c| c.content && !cue(c)) {
            let typed = c.typed.to_lowercase();
            // A number is part of a name (`GPT-3.5`), not something asked.
            if typed.chars().all(|ch| ch.is_ascii_digit() || ch == '.') {
                continue;
            }
            if c.model {
                // A shorthand for several models (`002`) names no one step.
                let id = self.model_named(c)?;
                if !models.contains(&id) {
                    models.push(id);
                }
            } else if c.info >= super::weights::WEIGHTS.lacking_word
                && !OF_THE_LINEAGE.contains(&typed.as_str())
                && crate::domain::Method::ALL
                    .iter()
                    .all(|m| !m.label(false).eq_ignore_ascii_case(&typed))
                && crate::domain::Method::ALL
                    .iter()
                    .all(|m| !m.label(true).contains(typed.as_str()))
            {
                // It asks about something else ("world knowledge").
                return None;
            }
        }
        // Two models with no step between them: the step of the first that
        // has one ("after text-davinci-002 in the GPT-3 line").
        let mut found = steps(k, &models, direction);
        if found.is_empty() && models.len() > 1 {
            found = models
                .iter()
                .map(|&m| steps(k, &[m], direction))
                .find(|s| !s.is_empty())
                .unwrap_or_default();
        }
        (!found.is_empty()).then_some(found)
    }

    /// A quantity question about the size of one named model (`counted` is
    /// what it counts: parameters, 参数, size): the model, and whether the
    /// catalogue has its size.
    pub(super) fn size_asked(
        &self,
        concepts: &[super::Concept],
        counted: usize,
    ) -> Option<(ModelId, bool)> {
        let k = &self.knowledge;
        let c = &concepts[counted];
        let size = c
            .alternatives
            .iter()
            .any(|alt| alt.len() == 1 && alt[0] == "参数")
            || SIZE_WORDS.contains(&c.typed.to_lowercase().as_str());
        if !size {
            return None;
        }
        let mut models = concepts
            .iter()
            .filter(|c| c.content && c.model)
            .filter_map(|c| self.model_named(c));
        let model = models.next()?;
        if models.any(|m| m != model) {
            return None;
        }
        Some((model, k.model(model).parameters.is_some()))
    }

    /// A size the notes' chain line writes beside the model's name
    /// (`code-cushman-001[12b]`) leads, cut where it stands, unless the first
    /// hit already shows it.
    pub(super) fn lead_with_size(
        &self,
        results: super::Results,
        model: ModelId,
        limit: usize,
    ) -> super::Results {
        let k = &self.knowledge;
        let m = k.model(model);
        let Some(size) = m.parameters.as_deref() else {
            return results;
        };
        let size = size.to_lowercase();
        if results
            .hits
            .first()
            .is_some_and(|h| h.snippet.visible().to_lowercase().contains(&size))
        {
            return results;
        }
        let Some(chain) = self.chain_doc() else {
            return results;
        };
        let text = super::doc_text(k, chain).shown.to_lowercase();
        let written = m
            .names()
            .into_iter()
            .any(|n| text.contains(&format!("{}[{}]", n.to_lowercase(), size)));
        if !written {
            return results;
        }
        let wanted = self.names_whole(&[model]);
        self.lead_with(results, chain, &wanted, limit)
    }

    /// `doc` first (cut around `wanted`), the rest after it without it.
    fn lead_with(
        &self,
        mut results: super::Results,
        doc: super::DocRef,
        wanted: &super::snippet::Wanted,
        limit: usize,
    ) -> super::Results {
        let score = results.hits.first().map_or(1.0, |h| h.score);
        // What the knowledge answers itself is answered with confidence.
        let lead = self.hit(doc, (score, 1.0), wanted);
        results.hits.retain(|h| h.doc != doc);
        results.hits.insert(0, lead);
        results.hits.truncate(limit.max(1));
        results.total = results.total.max(results.hits.len());
        results
    }

    /// The answer to a question about the lineage: the notes' chain line,
    /// cut around the steps asked about, leads, unless the first hit of the
    /// text search already shows a model of the step beside the one asked
    /// about.
    pub(super) fn lead_with_lineage(
        &self,
        results: super::Results,
        steps: Vec<Edge>,
        limit: usize,
    ) -> super::Results {
        let k = &self.knowledge;
        let mut involved: Vec<ModelId> = Vec::new();
        for e in &steps {
            for m in [e.parent, e.child] {
                if !involved.contains(&m) {
                    involved.push(m);
                }
            }
        }
        let names = |m: ModelId| {
            let mut n = k.model(m).names();
            n.retain(|x| !x.trim().is_empty());
            n
        };
        let shows_step = |text: &str| {
            let lower = text.to_lowercase();
            involved
                .iter()
                .filter(|&&m| {
                    names(m)
                        .iter()
                        .any(|n| crate::domain::mentions(&lower, &n.to_lowercase()))
                })
                .count()
                >= 2
        };
        let mut results = results;
        results.steps = steps;
        if results
            .hits
            .first()
            .is_some_and(|h| shows_step(&h.snippet.visible()))
        {
            return results;
        }
        let Some(chain) = self.chain_doc() else {
            return results;
        };
        let wanted = self.names_whole(&involved);
        self.lead_with(results, chain, &wanted, limit)
    }

    /// The one model a concept names (`None` for a shorthand of several).
    fn model_named(&self, c: &super::Concept) -> Option<ModelId> {
        match self.knowledge.resolve_model(&c.typed) {
            crate::domain::Resolved::One(id) => Some(id),
            _ => None,
        }
    }

    /// The models' names whole (`text-davinci-002`, not `davinci`), each
    /// model a concept of its own: a snippet cut around them stands where
    /// they are written.
    fn names_whole(&self, models: &[ModelId]) -> super::snippet::Wanted {
        let mut wanted = super::snippet::Wanted::default();
        for &m in models {
            for n in self.knowledge.model(m).names() {
                for p in self.segmenter.pieces(&n).into_iter().filter(|p| !p.part) {
                    wanted.entry(p.text).or_insert((m.index() as u32, 1.0));
                }
            }
        }
        wanted
    }

    /// The document of the notes' chain line: the unit or passage that
    /// starts on it.
    fn chain_doc(&self) -> Option<super::DocRef> {
        let k = &self.knowledge;
        let at = k.chain_at.as_ref()?;
        let passage = k
            .passages
            .iter()
            .find(|p| p.source.file == at.file && p.source.line == at.line)
            .or_else(|| {
                k.passages.iter().find(|p| {
                    p.source.file == at.file && p.source.line <= at.line && {
                        let last = p.lines.last().map_or(p.source.line, |&(_, l)| l);
                        at.line <= last
                    }
                })
            })?;
        Some(super::DocRef::Passage(passage.id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descent_wording_in_both_languages() {
        let dir = |q: &str| wording(q).map(|(d, _)| d);
        assert_eq!(
            dir("What model is ChatGPT fine-tuned from?"),
            Some(Direction::Before)
        );
        assert_eq!(
            dir("which model came right before text-davinci-002?"),
            Some(Direction::Before)
        );
        assert_eq!(
            dir("text-davinci-002 是从哪个模型微调出来的"),
            Some(Direction::Before)
        );
        assert_eq!(
            dir("what came after text-davinci-002"),
            Some(Direction::After)
        );
        assert_eq!(dir("code-davinci-002 之后是什么"), Some(Direction::After));
        assert_eq!(dir("what is the alignment tax"), None);
    }

    #[test]
    fn ranges_point_at_the_wording() {
        let q = "What model is ChatGPT fine-tuned from?";
        let (_, ranges) = wording(q).unwrap();
        let words: Vec<&str> = ranges.iter().map(|r| &q[r.clone()]).collect();
        for w in ["fine", "tuned", "from"] {
            assert!(words.contains(&w), "{words:?}");
        }
        assert!(!words.contains(&"ChatGPT"), "{words:?}");
    }
}
