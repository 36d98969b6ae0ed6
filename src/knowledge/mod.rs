//! Loading the knowledge directory: the notes (`*.md`) and the TOML beside
//! them, validated into a [`Knowledge`]. The only file I/O of the knowledge
//! path is [`load_dir`]; [`parse`] works on strings so tests need no files.

mod catalog;
mod chain;
mod error;
pub use error::line_col;
mod markdown;

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, LazyLock};

use regex::Regex;

use crate::domain::{
    Comparison, ComparisonId, ComparisonSubject, Edge, Family, Knowledge, Lineage, Model, ModelId,
    NameIndex, NameKey, Named, Passage, PassageId, PassageKind, Source, Term, TermId, Text, Traits,
};
use crate::domain::{Method, Resolved};

pub use chain::{Chain, Stage};
pub use error::{LoadError, Problem};
pub use markdown::MAX_PASSAGE_CHARS;

use catalog::{ComparisonsFile, GlossaryFile, ModelsFile, TermsFile};

pub const MODELS_FILE: &str = "models.toml";
pub const TERMS_FILE: &str = "terms.toml";
pub const COMPARISONS_FILE: &str = "comparisons.toml";
pub const GLOSSARY_FILE: &str = "glossary.toml";

/// A file of the knowledge directory: the path to show in messages, and its text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: String,
    pub text: String,
}

/// The files of a knowledge directory, read but not yet understood.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    pub notes: Vec<SourceFile>,
    pub models: Option<SourceFile>,
    pub terms: Option<SourceFile>,
    pub comparisons: Option<SourceFile>,
    pub glossary: Option<SourceFile>,
}

/// Reads every file of `dir` (notes in name order) without interpreting them.
pub fn read_dir(dir: &Path) -> Result<Sources, LoadError> {
    let shown = display_path(dir);
    if !dir.is_dir() {
        return Err(Problem::in_file(
            &shown,
            "knowledge directory not found (set --knowledge DIR or knowledge.dir in the config)",
        )
        .into());
    }
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Problem::in_file(&shown, format!("cannot list the directory: {e}")))?;
    let mut names: Vec<_> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    names.sort();
    let mut sources = Sources::default();
    for path in names {
        let Some(name) = path
            .file_name()
            .and_then(|n| n.to_str())
            .map(str::to_string)
        else {
            continue;
        };
        let shown = display_path(&path);
        let read = |p: &Path| {
            std::fs::read_to_string(p)
                .map_err(|e| Problem::in_file(&shown, format!("cannot read: {e}")))
        };
        if name.ends_with(".md") {
            sources.notes.push(SourceFile {
                path: shown.clone(),
                text: read(&path)?,
            });
        } else if name == MODELS_FILE {
            sources.models = Some(SourceFile {
                path: shown.clone(),
                text: read(&path)?,
            });
        } else if name == TERMS_FILE {
            sources.terms = Some(SourceFile {
                path: shown.clone(),
                text: read(&path)?,
            });
        } else if name == COMPARISONS_FILE {
            sources.comparisons = Some(SourceFile {
                path: shown.clone(),
                text: read(&path)?,
            });
        } else if name == GLOSSARY_FILE {
            sources.glossary = Some(SourceFile {
                path: shown.clone(),
                text: read(&path)?,
            });
        }
    }
    Ok(sources)
}

/// Reads and validates a knowledge directory.
pub fn load_dir(dir: &Path) -> Result<Knowledge, LoadError> {
    parse(&read_dir(dir)?)
}

fn display_path(p: &Path) -> String {
    let s = p.display().to_string();
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

/// Builds the knowledge from file contents, reporting every problem found.
pub fn parse(sources: &Sources) -> Result<Knowledge, LoadError> {
    let mut b = Builder::default();
    b.run(sources);
    if b.problems.is_empty() {
        Ok(b.finish())
    } else {
        Err(LoadError {
            problems: b.problems,
        })
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    error::line_col(text, offset).0
}

#[derive(Default)]
struct Builder {
    problems: Vec<Problem>,
    passages: Vec<Passage>,
    headings: Vec<(String, Source)>,
    tables: Vec<(Arc<str>, markdown::Table)>,
    chain: Option<(Arc<str>, Chain)>,
    models: Vec<Model>,
    families: Vec<Family>,
    edges: Vec<Edge>,
    terms: Vec<Term>,
    comparisons: Vec<Comparison>,
    names: NameIndex,
    claimed_at: HashMap<NameKey, String>,
    synonyms: Vec<Vec<String>>,
}

impl Builder {
    fn run(&mut self, s: &Sources) {
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
        if let Some(file) = &s.glossary {
            match catalog::parse_toml::<GlossaryFile>(&file.path, &file.text) {
                Ok(g) => self.read_glossary(file, &g),
                Err(p) => self.problems.push(p),
            }
        }
    }

    fn finish(self) -> Knowledge {
        let lineage = Lineage::new(self.models.len(), self.edges);
        Knowledge {
            models: self.models,
            families: self.families,
            lineage,
            terms: self.terms,
            passages: self.passages,
            comparisons: self.comparisons,
            names: self.names,
            synonyms: self.synonyms,
        }
    }

    fn read_notes(&mut self, notes: &[SourceFile]) {
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
    fn claim(&mut self, file: &str, line: usize, name: &str, target: Named) {
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
    fn claim_all(&mut self, file: &str, line: usize, names: &[String], target: Named) {
        let mut seen = std::collections::HashSet::new();
        for n in names {
            if seen.insert(NameKey::new(n)) {
                self.claim(file, line, n, target);
            }
        }
    }

    fn model_by_slug(&self, slug: &str) -> Option<ModelId> {
        let key = NameKey::new(slug);
        self.models
            .iter()
            .find(|m| NameKey::new(&m.slug) == key)
            .map(|m| m.id)
    }

    fn describe(&self, n: Named) -> String {
        match n {
            Named::Model(id) => self
                .models
                .get(id.index())
                .map_or("a model".into(), |m| format!("model '{}'", m.slug)),
            Named::Term(id) => self
                .terms
                .get(id.index())
                .map_or("a term".into(), |t| format!("term '{}'", t.slug)),
        }
    }

    fn read_models(&mut self, file: &SourceFile, cat: &ModelsFile) {
        let (path, text) = (file.path.as_str(), file.text.as_str());
        let mut family_index: HashMap<NameKey, usize> = HashMap::new();
        for f in &cat.family {
            let key = NameKey::new(f.id.get_ref());
            if family_index.contains_key(&key) {
                self.problems.push(Problem::at(
                    path,
                    line_of(text, f.id.span().start),
                    format!("family '{}' is defined twice", f.id.get_ref()),
                ));
                continue;
            }
            family_index.insert(key, self.families.len());
            self.families.push(Family {
                slug: f.id.get_ref().clone(),
                name: f.name.clone(),
            });
        }
        for (i, m) in cat.model.iter().enumerate() {
            let id = ModelId(i as u16);
            let line = line_of(text, m.id.span().start);
            let slug = m.id.get_ref().trim().to_string();
            if slug.is_empty() || m.name.trim().is_empty() {
                self.problems.push(Problem::at(
                    path,
                    line,
                    "a model needs a non-empty id and name",
                ));
            }
            let family = match family_index.get(&NameKey::new(m.family.get_ref())) {
                Some(&f) => f,
                None => {
                    self.problems.push(Problem::at(
                        path,
                        line_of(text, m.family.span().start),
                        format!(
                            "model '{slug}' names family '{}', which is not defined",
                            m.family.get_ref()
                        ),
                    ));
                    0
                }
            };
            self.models.push(Model {
                id,
                slug: slug.clone(),
                name: m.name.clone(),
                name_zh: m.name_zh.clone(),
                family,
                generation: m.generation.clone(),
                aliases: m
                    .aliases
                    .iter()
                    .chain(&m.misspellings)
                    .map(|a| a.get_ref().clone())
                    .collect(),
                parameters: m.parameters.as_ref().map(|p| p.get_ref().clone()),
                summary: Text::Plain(String::new()),
                summary_source: None,
                training: m.training.clone(),
                gains: m.gains.clone(),
                trade_offs: m.trade_offs.clone(),
                traits: Traits {
                    in_context_learning: m.traits.in_context_learning.clone(),
                    zero_shot: m.traits.zero_shot.clone(),
                    dialogue: m.traits.dialogue.clone(),
                    code: m.traits.code.clone(),
                },
                stage: None,
            });
            self.claim(path, line, &slug, Named::Model(id));
            if let Some(g) = &m.generation {
                self.names.add_generation(g, id);
            }
        }
        // Ids first, so an alias that takes another model's id is the one reported.
        for (i, m) in cat.model.iter().enumerate() {
            let target = Named::Model(ModelId(i as u16));
            let line = line_of(text, m.id.span().start);
            let mut names = vec![m.id.get_ref().trim().to_string(), m.name.clone()];
            names.extend(m.name_zh.clone());
            self.claim_all(path, line, &names, target);
            for a in m.aliases.iter().chain(&m.misspellings) {
                self.claim(path, line_of(text, a.span().start), a.get_ref(), target);
            }
        }
        if self.families.is_empty() && !cat.model.is_empty() {
            self.problems
                .push(Problem::in_file(path, "no [[family]] defined"));
        }
    }

    /// The chain line of the notes must agree with the catalogue: every name on
    /// it is a model, and sizes written there match.
    fn check_chain(&mut self) {
        let Some((file, chain)) = self.chain.clone() else {
            return;
        };
        for (stage, s) in chain.stages.iter().enumerate() {
            for n in &s.names {
                match self.names.model(&n.name) {
                    Resolved::One(id) => {
                        let model = &mut self.models[id.index()];
                        model.stage = Some(stage);
                        match (&model.parameters, &n.parameters) {
                            (Some(a), Some(b)) if NameKey::new(a) != NameKey::new(b) => {
                                let msg = format!("the lineage chain gives {} {} parameters, the catalogue {}", model.slug, b, a);
                                self.problems.push(Problem::at(&file, chain.line, msg));
                            }
                            (None, Some(b)) => model.parameters = Some(b.clone()),
                            _ => {}
                        }
                    }
                    _ => self.problems.push(Problem::at(
                        &file,
                        chain.line,
                        format!("the lineage chain names '{}', which is not a model of {MODELS_FILE} (add it, or add the spelling to a model's misspellings)", n.name),
                    )),
                }
            }
        }
    }

    fn read_parents(&mut self, file: &SourceFile, cat: &ModelsFile) {
        let (path, text) = (file.path.as_str(), file.text.as_str());
        for (i, m) in cat.model.iter().enumerate() {
            let child = ModelId(i as u16);
            for p in &m.parents {
                let line = line_of(text, p.id.span().start);
                let Some(parent) = self.model_by_slug(p.id.get_ref()) else {
                    self.problems.push(Problem::at(
                        path,
                        line,
                        format!(
                            "model '{}' has parent '{}', which is not defined",
                            m.id.get_ref(),
                            p.id.get_ref()
                        ),
                    ));
                    continue;
                };
                self.edges.push(Edge {
                    parent,
                    child,
                    method: p.method,
                });
            }
        }
        let lineage = Lineage::new(self.models.len(), self.edges.clone());
        if let Some(cycle) = lineage.find_cycle() {
            let names: Vec<&str> = cycle
                .iter()
                .map(|id| self.models[id.index()].slug.as_str())
                .collect();
            let first = cycle[0];
            let line = line_of(text, cat.model[first.index()].id.span().start);
            self.problems.push(Problem::at(
                path,
                line,
                format!("lineage cycle: {}", names.join(" → ")),
            ));
            return;
        }
        // Where the chain places models, parents come in earlier steps, and a
        // step whose label names a method was reached by that method.
        let Some((chain_file, chain)) = self.chain.clone() else {
            return;
        };
        for (i, m) in self.models.iter().enumerate() {
            let Some(stage) = m.stage else { continue };
            let line = line_of(text, cat.model[i].id.span().start);
            let parents: Vec<&Edge> = lineage.parents(m.id).collect();
            if stage > 0 && parents.is_empty() {
                self.problems.push(Problem::at(path, line, format!("the lineage chain ({chain_file}:{}) puts '{}' after other models, but it has no parents here", chain.line, m.slug)));
            }
            for e in &parents {
                let p = &self.models[e.parent.index()];
                if let Some(ps) = p.stage {
                    if ps >= stage {
                        self.problems.push(Problem::at(path, line, format!("'{}' has parent '{}', but the lineage chain ({chain_file}:{}) puts the parent at the same step or later", m.slug, p.slug, chain.line)));
                    }
                }
            }
            if let Some(method) = chain.stages[stage]
                .label
                .as_deref()
                .and_then(Method::named_in)
            {
                if !parents.is_empty() && !parents.iter().any(|e| e.method == method) {
                    self.problems.push(Problem::at(path, line, format!("the lineage chain ({chain_file}:{}) says '{}' came from {}, but no parent edge here has that method", chain.line, m.slug, method)));
                }
            }
        }
    }

    /// A model's one-line summary is the notes' own line about it
    /// (`**chatGPT**：对话能力增强…`); the catalogue supplies one only where the
    /// notes have none.
    fn derive_summaries(&mut self, file: &SourceFile, cat: &ModelsFile) {
        let chain_line = self.chain.as_ref().map(|(f, c)| (f.clone(), c.line));
        let names: Vec<Vec<String>> = self
            .models
            .iter()
            .map(|m| {
                std::iter::once(m.slug.clone())
                    .chain(std::iter::once(m.name.clone()))
                    .chain(m.aliases.iter().cloned())
                    .filter(|n| n.chars().count() >= 3)
                    .map(|n| n.to_lowercase())
                    .collect()
            })
            .collect();
        let longest = names.iter().flatten().map(|n| n.chars().count()).max();
        // The first passage opening with each model's name, in one pass over
        // the notes, each opening lowercased once (the notes may be large).
        let mut first: Vec<Option<usize>> = vec![None; self.models.len()];
        for (at, p) in self.passages.iter().enumerate() {
            if first.iter().all(Option::is_some) {
                break;
            }
            let on_chain = chain_line
                .as_ref()
                .is_some_and(|(f, l)| *l == p.source.line && *f == p.source.file);
            if on_chain || p.kind == PassageKind::TableRow {
                continue;
            }
            let open = opening(&p.text, longest.unwrap_or(0) + 1);
            for (m, names) in names.iter().enumerate() {
                if first[m].is_none() && starts_with_name(&open, names) {
                    first[m] = Some(at);
                }
            }
        }
        for (i, entry) in cat.model.iter().enumerate() {
            let from_notes = first.get(i).copied().flatten().map(|at| &self.passages[at]);
            let line = line_of(&file.text, entry.id.span().start);
            let model = &mut self.models[i];
            match (from_notes, &entry.summary) {
                (Some(p), None) => {
                    model.summary = Text::Plain(p.text.clone());
                    model.summary_source = Some(p.id);
                }
                (Some(p), Some(s)) => self.problems.push(Problem::at(&file.path, line_of(&file.text, s.span().start), format!("'{}' has a summary here, but the notes already have one at {}", model.slug, p.source))),
                (None, Some(s)) => model.summary = s.get_ref().clone(),
                (None, None) => self.problems.push(Problem::at(&file.path, line, format!("model '{}' has no summary: no line of the notes starts with its name, and no `summary` is given", model.slug))),
            }
        }
    }

    fn read_terms(&mut self, file: Option<&SourceFile>, overlay: &TermsFile) {
        let Some((table_file, table)) = self
            .tables
            .iter()
            .find(|(_, t)| is_glossary(&t.header))
            .cloned()
        else {
            if let (Some(f), Some(first)) = (file, overlay.term.first()) {
                self.problems.push(Problem::at(
                    &f.path,
                    line_of(&f.text, first.row.span().start),
                    "the notes have no terminology table (英文 | 中文 | 备注) for these terms",
                ));
            }
            return;
        };
        let columns = ["英文", "中文", "备注"];
        let mut used = vec![false; overlay.term.len()];
        let mut pending_links = Vec::new();
        for row in &table.rows {
            if let Some(empty) =
                (0..3).find(|&c| row.cells.get(c).is_none_or(|s| s.trim().is_empty()))
            {
                self.problems.push(Problem::at(
                    &table_file,
                    row.line,
                    format!("term row has an empty {} column", columns[empty]),
                ));
                continue;
            }
            let (english, chinese, meaning) = (&row.cells[0], &row.cells[1], &row.cells[2]);
            let (full, abbreviation) = split_abbreviation(english);
            // Rows match loosely: line breaks and spacing inside a cell vary.
            let loose = |s: &str| NameKey::new(s).as_str().replace('-', "");
            let row_key = loose(english);
            let found = overlay.term.iter().enumerate().find(|(_, t)| {
                let k = loose(t.row.get_ref());
                k == row_key || k == loose(&full)
            });
            let id = TermId(self.terms.len() as u16);
            let source = self
                .passages
                .iter()
                .find(|p| p.source.file == table_file && p.source.line == row.line)
                .map(|p| p.id)
                .unwrap_or(PassageId(0));
            let derived_slug = slugify(&full);
            let mut term = Term {
                id,
                slug: derived_slug,
                english: english.replace('\n', " "),
                display: match &abbreviation {
                    Some(a) if !NameKey::new(&full).as_str().eq(NameKey::new(a).as_str()) => {
                        format!("{full} ({a})")
                    }
                    _ => full.clone(),
                },
                chinese: chinese.clone(),
                meaning: meaning.clone(),
                abbreviations: abbreviation.iter().cloned().collect(),
                aliases: Vec::new(),
                gloss: None,
                related: Vec::new(),
                models: Vec::new(),
                source,
            };
            let (opath, otext) = file.map_or(("", ""), |f| (f.path.as_str(), f.text.as_str()));
            if let Some((i, entry)) = found {
                if used[i] {
                    continue;
                }
                used[i] = true;
                if let Some(slug) = &entry.slug {
                    term.slug = slug.clone();
                }
                if let Some(name) = &entry.name {
                    term.display = name.clone();
                }
                term.abbreviations
                    .extend(entry.abbreviations.iter().map(|a| a.get_ref().clone()));
                term.aliases
                    .extend(entry.aliases.iter().map(|a| a.get_ref().clone()));
                term.gloss = entry.gloss.clone();
                for m in &entry.models {
                    match self.model_by_slug(m.get_ref()) {
                        Some(mid) => term.models.push(mid),
                        None => self.problems.push(Problem::at(
                            opath,
                            line_of(otext, m.span().start),
                            format!(
                                "term '{}' names model '{}', which is not defined",
                                term.slug,
                                m.get_ref()
                            ),
                        )),
                    }
                }
                pending_links.push((id, i));
            }
            let target = Named::Term(id);
            self.terms.push(term);
            let t = &self.terms[id.index()];
            let mut names = vec![
                t.slug.clone(),
                t.english.clone(),
                full.clone(),
                t.display.clone(),
                t.chinese.clone(),
            ];
            names.extend(t.abbreviations.iter().cloned());
            names.extend(t.aliases.iter().cloned());
            self.claim_all(&table_file, row.line, &names, target);
        }
        let (opath, otext) = file.map_or(("", ""), |f| (f.path.as_str(), f.text.as_str()));
        for (i, entry) in overlay.term.iter().enumerate() {
            if !used[i] {
                self.problems.push(Problem::at(
                    opath,
                    line_of(otext, entry.row.span().start),
                    format!(
                        "no row '{}' in the terminology table of the notes",
                        entry.row.get_ref()
                    ),
                ));
            }
        }
        let by_slug: HashMap<String, TermId> =
            self.terms.iter().map(|t| (t.slug.clone(), t.id)).collect();
        for (id, i) in pending_links {
            for r in &overlay.term[i].related {
                match by_slug.get(r.get_ref()) {
                    Some(&rid) => self.terms[id.index()].related.push(rid),
                    None => self.problems.push(Problem::at(
                        opath,
                        line_of(otext, r.span().start),
                        format!("related term '{}' is not defined", r.get_ref()),
                    )),
                }
            }
        }
    }

    fn read_glossary(&mut self, file: &SourceFile, g: &GlossaryFile) {
        for entry in &g.same {
            let words: Vec<String> = entry
                .words
                .get_ref()
                .iter()
                .map(|w| w.trim().to_string())
                .filter(|w| !w.is_empty())
                .collect();
            if words.len() < 2 {
                let line = line_of(&file.text, entry.words.span().start);
                self.problems.push(Problem::at(
                    &file.path,
                    line,
                    "a [[same]] entry needs at least two words",
                ));
                continue;
            }
            self.synonyms.push(words);
        }
    }

    fn read_comparisons(&mut self, file: &SourceFile, cat: &ComparisonsFile) {
        let (path, text) = (file.path.as_str(), file.text.as_str());
        for c in &cat.comparison {
            let line = line_of(text, c.id.span().start);
            let section = NameKey::new(c.section.get_ref());
            let Some((heading, source)) = self
                .headings
                .iter()
                .find(|(h, _)| NameKey::new(h) == section)
                .cloned()
            else {
                self.problems.push(Problem::at(path, line_of(text, c.section.span().start), format!("comparison '{}' points at section '{}', which is not a heading of the notes", c.id.get_ref(), c.section.get_ref())));
                continue;
            };
            let subject = if c.generations.is_empty() {
                let mut ids = Vec::new();
                for m in &c.models {
                    match self.model_by_slug(m.get_ref()) {
                        Some(x) => ids.push(x),
                        None => self.problems.push(Problem::at(
                            path,
                            line_of(text, m.span().start),
                            format!(
                                "comparison '{}' names model '{}', which is not defined",
                                c.id.get_ref(),
                                m.get_ref()
                            ),
                        )),
                    }
                }
                if c.models.len() < 2 {
                    self.problems.push(Problem::at(
                        path,
                        line,
                        format!(
                            "comparison '{}' needs at least two models or generations",
                            c.id.get_ref()
                        ),
                    ));
                }
                ComparisonSubject::Models(ids)
            } else {
                for g in &c.generations {
                    if self.names.generation(g.get_ref()).is_none() {
                        self.problems.push(Problem::at(
                            path,
                            line_of(text, g.span().start),
                            format!(
                                "comparison '{}' names generation '{}', which no model has",
                                c.id.get_ref(),
                                g.get_ref()
                            ),
                        ));
                    }
                }
                ComparisonSubject::Generations(
                    c.generations.iter().map(|g| g.get_ref().clone()).collect(),
                )
            };
            let passages = self
                .passages
                .iter()
                .filter(|p| p.source.file == source.file && p.kind != PassageKind::TableRow)
                .filter(|p| p.headings.iter().any(|h| NameKey::new(h) == section))
                .map(|p| p.id)
                .collect();
            self.comparisons.push(Comparison {
                id: ComparisonId(self.comparisons.len() as u16),
                slug: c.id.get_ref().clone(),
                section: heading,
                subject,
                passages,
                source,
            });
        }
    }
}

/// Whether a passage opens with one of the names, followed by `：`, `是`, `(`…
/// A passage's opening, lowercased: enough characters to hold any model name
/// and the separator after it.
fn opening(text: &str, chars: usize) -> String {
    text.trim_start()
        .chars()
        .take(chars)
        .collect::<String>()
        .to_lowercase()
}

/// Whether a lowercased opening starts with one of `names` (lowercase) and a separator.
fn starts_with_name(lower: &str, names: &[String]) -> bool {
    names.iter().any(|n| {
        lower.strip_prefix(n.as_str()).is_some_and(|rest| {
            rest.chars()
                .next()
                .is_some_and(|c| matches!(c, '：' | ':' | '是' | '（' | '(' | ' ' | '，' | ','))
        })
    })
}

fn is_glossary(header: &[String]) -> bool {
    let keys: Vec<NameKey> = header.iter().map(|h| NameKey::new(h)).collect();
    let has = |opts: &[&str]| keys.iter().any(|k| opts.iter().any(|o| k.as_str() == *o));
    header.len() >= 3
        && has(&["英文", "english"])
        && has(&["中文", "chinese"])
        && has(&["备注", "meaning", "notes"])
}

static PARENS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[（(]([^（）()]+)[）)]").expect("regex"));

/// `RM（reward model）` → ("reward model", Some("RM")); `SFT\n（supervised fine tuning）`
/// and `（RLHF）\nReinforcement …` likewise; a plain name has no abbreviation.
fn split_abbreviation(english: &str) -> (String, Option<String>) {
    let inside: Vec<String> = PARENS
        .captures_iter(english)
        .map(|c| c[1].trim().to_string())
        .collect();
    let outside = PARENS
        .replace_all(english, " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let is_abbr = |s: &str| {
        (2..=6).contains(&s.chars().count())
            && s.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    };
    match inside.as_slice() {
        [one] if is_abbr(&outside) => (one.clone(), Some(outside)),
        [one] if is_abbr(one) => (outside, Some(one.clone())),
        _ => (
            english.split_whitespace().collect::<Vec<_>>().join(" "),
            None,
        ),
    }
}

/// `Parameter-efficient Adaptation` → `parameter-efficient-adaptation`.
fn slugify(s: &str) -> String {
    let key = NameKey::new(s);
    key.as_str()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abbreviations_split_either_way() {
        assert_eq!(
            split_abbreviation("RM（reward model）"),
            ("reward model".into(), Some("RM".into()))
        );
        assert_eq!(
            split_abbreviation("SFT\n（supervised fine tuning）"),
            ("supervised fine tuning".into(), Some("SFT".into()))
        );
        assert_eq!(
            split_abbreviation("（RLHF）\nReinforcement Learning with Human Feedback"),
            (
                "Reinforcement Learning with Human Feedback".into(),
                Some("RLHF".into())
            )
        );
        assert_eq!(
            split_abbreviation("Alignment tax"),
            ("Alignment tax".into(), None)
        );
    }

    #[test]
    fn slugs_are_lowercase_words() {
        assert_eq!(
            slugify("Parameter-efficient Adaptation"),
            "parameter-efficient-adaptation"
        );
        assert_eq!(slugify("In-Context-Learning"), "in-context-learning");
    }

    #[test]
    fn summaries_start_with_the_name() {
        let names = vec!["chatgpt".to_string()];
        assert!(starts_with_name(
            &opening("  chatGPT：对话能力增强", 8),
            &names
        ));
        assert!(!starts_with_name(&opening("chatgpts are", 8), &names));
        assert!(
            !starts_with_name(&opening("chatGPT：对话", 7), &names),
            "no room for the separator"
        );
    }
}
