//! What each searchable thing looks like as a document: a passage of the
//! notes, an answer unit inside one (a nested item, a sentence), a model
//! card, or a term. A hit shows text that stands in one place, with that
//! place: a passage or unit its own text; a card the notes' own line for
//! the model or term (or, where the notes have none, the catalogue's line).
//! The curator's other card text is searched but not shown.

use crate::domain::{Knowledge, ModelId, PassageId, PassageKind, Source, TermId, UnitId};

/// A searchable thing of the knowledge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocRef {
    Passage(PassageId),
    Unit(UnitId),
    Model(ModelId),
    Term(TermId),
}

impl DocRef {
    pub fn kind(self) -> &'static str {
        match self {
            DocRef::Passage(_) => "passage",
            DocRef::Unit(_) => "unit",
            DocRef::Model(_) => "model",
            DocRef::Term(_) => "term",
        }
    }

    /// Every document of the knowledge, in a stable order.
    pub fn all(k: &Knowledge) -> Vec<DocRef> {
        let passages = k.passages.iter().map(|p| DocRef::Passage(p.id));
        let units = k.units.iter().map(|u| DocRef::Unit(u.id));
        let models = k.models.iter().map(|m| DocRef::Model(m.id));
        let terms = k.terms.iter().map(|t| DocRef::Term(t.id));
        passages.chain(units).chain(models).chain(terms).collect()
    }

    /// Whether it is a card (a model or a term) rather than text of the notes.
    pub fn is_card(self) -> bool {
        matches!(self, DocRef::Model(_) | DocRef::Term(_))
    }

    /// The passage its text stands in, for passages and units.
    pub fn passage(self, k: &Knowledge) -> Option<PassageId> {
        match self {
            DocRef::Passage(p) => Some(p),
            DocRef::Unit(u) => Some(k.unit(u).passage),
            _ => None,
        }
    }

    pub fn to_u64(self) -> u64 {
        match self {
            DocRef::Passage(p) => p.index() as u64,
            DocRef::Model(m) => (1 << 32) | m.index() as u64,
            DocRef::Term(t) => (2 << 32) | t.index() as u64,
            DocRef::Unit(u) => (3 << 32) | u.index() as u64,
        }
    }

    pub fn from_u64(v: u64, k: &Knowledge) -> Option<DocRef> {
        let i = (v & 0xFFFF_FFFF) as usize;
        match v >> 32 {
            0 if i < k.passages.len() => Some(DocRef::Passage(k.passages[i].id)),
            1 if i < k.models.len() => Some(DocRef::Model(k.models[i].id)),
            2 if i < k.terms.len() => Some(DocRef::Term(k.terms[i].id)),
            3 if i < k.units.len() => Some(DocRef::Unit(k.units[i].id)),
            _ => None,
        }
    }
}

/// A document's fields.
#[derive(Debug, Clone)]
pub struct DocText {
    /// Names that identify it (model aliases, term names): boosted highest.
    pub names: String,
    /// Heading path or card title, as shown.
    pub title: String,
    /// The title words that are indexed (a table row's heading is not its topic).
    pub title_indexed: String,
    /// The notes' own text: what it says, searched and shown.
    pub body: String,
    /// The curator's card text (catalogue facts, glosses, aliases): searched,
    /// never shown as a quote.
    pub facts: String,
    /// What it stands directly under: the nearest heading or enclosing item,
    /// and the label its text opens with (for a card, its names).
    pub near: String,
    /// What a hit shows, standing at `source` exactly.
    pub shown: String,
    pub source: Source,
}

pub fn doc_text(k: &Knowledge, doc: DocRef) -> DocText {
    match doc {
        DocRef::Passage(id) => {
            let p = k.passage(id);
            let title = p.heading_path();
            let title_indexed = if p.kind == PassageKind::TableRow {
                String::new()
            } else {
                with_label(&title, &p.text)
            };
            let near = if p.kind == PassageKind::TableRow {
                String::new()
            } else {
                with_label(p.section().unwrap_or(""), &p.text)
            };
            DocText {
                names: String::new(),
                title,
                title_indexed,
                body: p.text.to_string(),
                facts: String::new(),
                near,
                shown: p.text.to_string(),
                source: p.source.clone(),
            }
        }
        DocRef::Unit(id) => {
            let u = k.unit(id);
            let title = u.context_path();
            DocText {
                names: String::new(),
                title_indexed: with_label(&title, &u.text),
                near: with_label(u.context.last().map_or("", String::as_str), &u.text),
                title,
                body: u.text.to_string(),
                facts: String::new(),
                shown: u.text.to_string(),
                source: u.source.clone(),
            }
        }
        DocRef::Model(id) => {
            let m = k.model(id);
            let names = m.names();
            let title = match &m.name_zh {
                Some(zh) => format!("{} · {}", m.name, zh),
                None => m.name.clone(),
            };
            let mut facts = vec![k.family(m).name.all()];
            if let Some(p) = &m.parameters {
                facts.push(format!("{p} parameters"));
            }
            facts.extend(m.training.iter().map(|t| t.all()));
            facts.extend(m.gains.iter().map(|t| t.all()));
            facts.extend(m.trade_offs.iter().map(|t| t.all()));
            // The notes' own line for the model; else the catalogue's summary.
            let (body, shown, source) = match m.summary_source {
                Some(p) => {
                    let p = k.passage(p);
                    (p.text.to_string(), p.text.to_string(), p.source.clone())
                }
                None => {
                    facts.insert(0, m.summary.all());
                    let source = m.summary_at.clone().unwrap_or_else(|| Source {
                        file: "models.toml".into(),
                        line: 1,
                    });
                    (String::new(), m.summary.both(), source)
                }
            };
            DocText {
                names: names.join("\n"),
                title: title.clone(),
                title_indexed: title,
                body,
                facts: facts.join("\n"),
                near: names.join("\n"),
                shown,
                source,
            }
        }
        DocRef::Term(id) => {
            let t = k.term(id);
            let names = t.names();
            let title = format!("{} · {}", t.display, t.chinese);
            // The notes' own line: the row of the terminology table.
            let row = k.passage(t.source);
            let mut facts = String::new();
            if let Some(g) = &t.gloss {
                facts.push_str(&g.all());
            }
            let other: Vec<&str> = t
                .abbreviations
                .iter()
                .chain(&t.aliases)
                .map(String::as_str)
                .collect();
            if !other.is_empty() {
                facts.push('\n');
                facts.push_str(&other.join(" · "));
            }
            DocText {
                names: names.join("\n"),
                title: title.clone(),
                title_indexed: title,
                body: row.text.to_string(),
                facts,
                near: names.join("\n"),
                shown: row.text.to_string(),
                source: row.source.clone(),
            }
        }
    }
}

/// Characters a label (`指令微调：…`) may have.
const LABEL_CHARS: usize = 24;

/// The title to index: the heading path, and the label the text opens with
/// (`指令微调：解锁…` is about 指令微调), so that text is found under its
/// subject as it is under its heading.
fn with_label(title: &str, text: &str) -> String {
    let first = text.lines().next().unwrap_or("");
    let label = first
        .char_indices()
        .take(LABEL_CHARS + 1)
        .find(|&(_, c)| c == '：' || c == ':')
        .map(|(at, _)| first[..at].trim())
        .filter(|l| !l.is_empty());
    match label {
        Some(l) => format!("{title}\n{l}"),
        None => title.to_string(),
    }
}
