//! What each searchable thing looks like as a document: a passage of the
//! notes, a model card, or a term. Hits show the same text that was indexed.

use crate::domain::{Knowledge, ModelId, PassageId, PassageKind, Source, TermId};

/// A searchable thing of the knowledge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocRef {
    Passage(PassageId),
    Model(ModelId),
    Term(TermId),
}

impl DocRef {
    pub fn kind(self) -> &'static str {
        match self {
            DocRef::Passage(_) => "passage",
            DocRef::Model(_) => "model",
            DocRef::Term(_) => "term",
        }
    }

    /// Every document of the knowledge, in a stable order.
    pub fn all(k: &Knowledge) -> Vec<DocRef> {
        let passages = k.passages.iter().map(|p| DocRef::Passage(p.id));
        let models = k.models.iter().map(|m| DocRef::Model(m.id));
        let terms = k.terms.iter().map(|t| DocRef::Term(t.id));
        passages.chain(models).chain(terms).collect()
    }

    pub fn to_u64(self) -> u64 {
        match self {
            DocRef::Passage(p) => p.index() as u64,
            DocRef::Model(m) => (1 << 32) | m.index() as u64,
            DocRef::Term(t) => (2 << 32) | t.index() as u64,
        }
    }

    pub fn from_u64(v: u64, k: &Knowledge) -> Option<DocRef> {
        let i = (v & 0xFFFF_FFFF) as usize;
        match v >> 32 {
            0 if i < k.passages.len() => Some(DocRef::Passage(k.passages[i].id)),
            1 if i < k.models.len() => Some(DocRef::Model(k.models[i].id)),
            2 if i < k.terms.len() => Some(DocRef::Term(k.terms[i].id)),
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
    pub body: String,
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
                title.clone()
            };
            DocText {
                names: String::new(),
                title,
                title_indexed,
                body: p.text.clone(),
                source: p.source.clone(),
            }
        }
        DocRef::Model(id) => {
            let m = k.model(id);
            let names = m.names();
            let title = match &m.name_zh {
                Some(zh) => format!("{} · {}", m.name, zh),
                None => m.name.clone(),
            };
            let mut body = vec![m.summary.all(), k.family(m).name.all()];
            if let Some(p) = &m.parameters {
                body.push(format!("{p} parameters"));
            }
            body.extend(m.training.iter().map(|t| t.all()));
            body.extend(m.gains.iter().map(|t| t.all()));
            body.extend(m.trade_offs.iter().map(|t| t.all()));
            let source = m
                .summary_source
                .map(|p| k.passage(p).source.clone())
                .unwrap_or_else(|| crate::domain::Source {
                    file: "knowledge/models.toml".into(),
                    line: 1,
                });
            DocText {
                names: names.join("\n"),
                title: title.clone(),
                title_indexed: title,
                body: body.join("\n"),
                source,
            }
        }
        DocRef::Term(id) => {
            let t = k.term(id);
            let names = t.names();
            let title = format!("{} · {}", t.display, t.chinese);
            let mut body = format!(
                "{} | {} | {}",
                t.english,
                t.chinese,
                t.meaning.replace('\n', " ")
            );
            if let Some(g) = &t.gloss {
                body.push('\n');
                body.push_str(&g.all());
            }
            let other: Vec<&str> = t
                .abbreviations
                .iter()
                .chain(&t.aliases)
                .map(String::as_str)
                .collect();
            if !other.is_empty() {
                body.push('\n');
                body.push_str(&other.join(" · "));
            }
            DocText {
                names: names.join("\n"),
                title: title.clone(),
                title_indexed: title,
                body,
                source: k.passage(t.source).source.clone(),
            }
        }
    }
}
