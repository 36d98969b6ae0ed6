//! Building the knowledge: the notes read into passages, headings, tables and
//! the chain line, then the TOML files checked against them (`models`,
//! `terms`, `comparisons`), every problem collected with its `file:line`.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use crate::domain::{
    Capability, Comparison, Edge, Family, Knowledge, Lineage, Model, ModelId, NameIndex, NameKey,
    Named, Passage, PassageId, PassageKind, Source, Term,
};

use super::catalog::{self, ComparisonsFile, GlossaryFile, ModelsFile, TermsFile};
use super::chain::{self, Chain};
use super::read::display_path;
use super::{error, markdown, units, Problem, SourceFile, Sources, MODELS_FILE};

pub(super) fn line_of(text: &str, offset: usize) -> usize {
    error::line_col(text, offset).0
}

#[derive(Default)]
pub(super) struct Builder {
    pub(super) problems: Vec<Problem>,
    pub(super) passages: Vec<Passage>,
    pub(super) headings: Vec<(String, Source)>,
    pub(super) tables: Vec<(Arc<str>, markdown::Table)>,
    pub(super) chain: Option<(Arc<str>, Chain)>,
    pub(super) models: Vec<Model>,
    pub(super) families: Vec<Family>,
    pub(super) edges: Vec<Edge>,
    pub(super) terms: Vec<Term>,
    pub(super) comparisons: Vec<Comparison>,
    pub(super) capabilities: Vec<Capability>,
    pub(super) names: NameIndex,
    pub(super) claimed_at: HashMap<NameKey, String>,
    pub(super) synonyms: Vec<Vec<String>>,
}

impl Builder {
    pub(super) fn run(&mut self, s: &Sources) {
        self.read_notes(&s.notes);
        let Some(models) = &s.models else {
            let dir = s
                .notes
                .first()
                .and_then(|n| Path::new(&n.path).parent().map(display_path))
                .unwrap_or_default();
            let path = if dir.is_empty() {
                MODELS_FILE.to_string()
            } else {
                format!("{dir}/{MODELS_FILE}")
            };
            self.problems.push(Problem::in_file(
                &path,
                "missing: the model catalogue is required",
            ));
            return;
        };
        if s.notes.is_empty() {
            self.problems.push(Problem::in_file(
                &models.path,
                "no notes (*.md) beside the catalogue",
            ));
        }
        let parsed_models = catalog::parse_toml::<ModelsFile>(&models.path, &models.text);
        let parsed_terms = s
            .terms
            .as_ref()
            .map(|f| catalog::parse_toml::<TermsFile>(&f.path, &f.text));
        let parsed_comparisons = s
            .comparisons
            .as_ref()
            .map(|f| catalog::parse_toml::<ComparisonsFile>(&f.path, &f.text));
        let mut malformed = false;
        for r in [
            parsed_models.as_ref().err(),
            parsed_terms.as_ref().and_then(|r| r.as_ref().err()),
            parsed_comparisons.as_ref().and_then(|r| r.as_ref().err()),
        ]
        .into_iter()
        .flatten()
        {
            self.problems.push(r.clone());
            malformed = true;
        }
        if malformed {
            return;
        }
        let catalogue = parsed_models.expect("checked");
        self.read_models(models, &catalogue);
        self.check_chain();
        self.read_parents(models, &catalogue);
        self.derive_summaries(models, &catalogue);
        let terms = parsed_terms
            .map(|r| r.expect("checked"))
            .unwrap_or_default();
        self.read_terms(s.terms.as_ref(), &terms);
        let comparisons = parsed_comparisons
            .map(|r| r.expect("checked"))
            .unwrap_or_default();
        if let Some(file) = &s.comparisons {
            self.read_comparisons(file, &comparisons);
        }
        if let Some(file) = &s.capabilities {
            match catalog::parse_toml::<catalog::CapabilitiesFile>(&file.path, &file.text) {
                Ok(c) => self.read_capabilities(file, &c, &s.notes),
                Err(p) => self.problems.push(p),
            }
        }
        if let Some(file) = &s.glossary {
            match catalog::parse_toml::<GlossaryFile>(&file.path, &file.text) {
                Ok(g) => self.read_glossary(file, &g),
                Err(p) => self.problems.push(p),
            }
        }
    }

    pub(super) fn finish(self) -> Knowledge {
        let lineage = Lineage::new(self.models.len(), self.edges);
        let mut units = units::units(&self.passages);
        units.extend(units::sections(
            &self.passages,
            &self.comparisons,
            units.len(),
        ));
        Knowledge {
            models: self.models,
            families: self.families,
            lineage,
            terms: self.terms,
            units,
            passages: self.passages,
            comparisons: self.comparisons,
            capabilities: self.capabilities,
            names: self.names,
            synonyms: self.synonyms,
        }
    }

    pub(super) fn read_notes(&mut self, notes: &[SourceFile]) {
        for file in notes {
            let path: Arc<str> = Arc::from(file.path.as_str());
            let layout = markdown::parse(&file.text);
            for block in layout.blocks {
                let id = PassageId(self.passages.len() as u32);
                let kind = match block.kind {
                    markdown::BlockKind::Paragraph => PassageKind::Paragraph,
                    markdown::BlockKind::ListItem => PassageKind::ListItem,
                    markdown::BlockKind::TableRow => PassageKind::TableRow,
                };
                self.passages.push(Passage {
                    id,
                    kind,
                    text: block.text,
                    headings: block.headings,
                    source: Source {
                        file: path.clone(),
                        line: block.line,
                    },
                    lines: block.lines,
                });
            }
            for h in layout.headings {
                self.headings.push((
                    h.text,
                    Source {
                        file: path.clone(),
                        line: h.line,
                    },
                ));
            }
            for t in layout.tables {
                self.tables.push((path.clone(), t));
            }
            if self.chain.is_none() {
                if let Some(c) = chain::find(&file.text) {
                    self.chain = Some((path.clone(), c));
                }
            }
        }
    }

    /// Gives `name` to `target`; a name already given to something else is a
    /// problem reported at both places.
    pub(super) fn claim(&mut self, file: &str, line: usize, name: &str, target: Named) {
        let key = NameKey::new(name);
        match self.names.claim(name, target) {
            Ok(()) => {
                self.claimed_at
                    .entry(key)
                    .or_insert_with(|| format!("{file}:{line}"));
            }
            Err(owner) => {
                let owner = self.describe(owner);
                let this = self.describe(target);
                let first = self.claimed_at.get(&key).cloned().unwrap_or_default();
                self.problems.push(Problem::at(
                    file,
                    line,
                    format!("the name '{name}' is claimed twice: by {this} here and by {owner} at {first}"),
                ));
            }
        }
    }

    /// Claims each distinct name once (an id and a display name often fold alike).
    pub(super) fn claim_all(&mut self, file: &str, line: usize, names: &[String], target: Named) {
        let mut seen = std::collections::HashSet::new();
        for n in names {
            if seen.insert(NameKey::new(n)) {
                self.claim(file, line, n, target);
            }
        }
    }

    pub(super) fn model_by_slug(&self, slug: &str) -> Option<ModelId> {
        let key = NameKey::new(slug);
        self.models
            .iter()
            .find(|m| NameKey::new(&m.slug) == key)
            .map(|m| m.id)
    }

    pub(super) fn describe(&self, n: Named) -> String {
        match n {
            Named::Model(id) => self
                .models
                .get(id.index())
                .map_or("a model".into(), |m| format!("model '{}'", m.slug)),
            Named::Term(id) => self
                .terms
                .get(id.index())
                .map_or("a term".into(), |t| format!("term '{}'", t.slug)),
            Named::Capability(id) => self
                .capabilities
                .get(id.index())
                .map_or("a capability".into(), |c| {
                    format!("capability '{}'", c.slug)
                }),
        }
    }
}
