//! Building the knowledge: the notes read into passages, headings, tables and
//! the chain line, then the TOML files checked against them (`models`,
//! `terms`, `comparisons`), every problem collected with its `file:line`.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use crate::domain::{
    Capability, Comparison, Edge, Family, Knowledge, Lineage, Model, ModelId, NameIndex, NameKey,
    Named, Passage, PassageId, PassageKind, Source, Term, Unit, UnitId, UnitKind,
};

use super::catalog::{self, ComparisonsFile, GlossaryFile, ModelsFile, TermsFile};
use super::chain::{self, Chain};
use super::read::display_path;
use super::{
    error, markdown, units, LoadError, Phase, Problem, Progress, SourceFile, Sources, MODELS_FILE,
};

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
    /// What each notes file came to, in file order.
    pub(super) files: Vec<NoteFile>,
    /// Evidence quotes the knowledge before found in a file reused now: the
    /// passage (numbered as now) where each was found first.
    pub(super) quoted_before: HashMap<String, PassageId>,
    /// Each model's summary names before, and where its summary was found
    /// then (numbered as now; `None`: nowhere in the notes), when that is
    /// still known: the file is reused and the chain line has not moved.
    pub(super) summaries_before: HashMap<String, (Vec<String>, Option<PassageId>)>,
    /// The passages and units of the knowledge before, when this load owns
    /// it (a start from the saved notes): a reused file's are moved out of
    /// here rather than copied from the knowledge before, which a reload
    /// only borrows. At 10 000× the notes, copying and then freeing the
    /// 954 503 saved ones was a fifth of a start.
    pub(super) owned: Owned,
}

/// See [`Builder::owned`]; indexed as in the knowledge before.
#[derive(Default)]
pub(super) struct Owned {
    pub(super) passages: Vec<Option<Passage>>,
    pub(super) units: Vec<Option<Unit>>,
}

impl Owned {
    /// Takes `k`'s passages and units (leaving them empty).
    pub(super) fn of(k: &mut Knowledge) -> Owned {
        Owned {
            passages: std::mem::take(&mut k.passages)
                .into_iter()
                .map(Some)
                .collect(),
            units: std::mem::take(&mut k.units).into_iter().map(Some).collect(),
        }
    }
}

/// Passage or unit `i` of the knowledge before: moved out of `owned` if
/// this load owns it, else copied from `before`.
fn reused<T: Clone>(owned: &mut [Option<T>], before: &[T], i: usize) -> Option<T> {
    owned
        .get_mut(i)
        .and_then(Option::take)
        .or_else(|| before.get(i).cloned())
}

/// What one notes file came to: kept with the knowledge so that the next
/// load reuses it (passages and units from the knowledge, the rest from
/// here) when the file's text has not changed.
#[derive(Debug, Clone)]
pub struct NoteFile {
    pub path: Arc<str>,
    /// A hash of the file's text.
    pub(super) hash: u64,
    /// The file's settled stamp when its text was read: a later read that
    /// finds the same one need not read the text again.
    pub(super) stamp: Option<super::read::Stamp>,
    /// Its passages and units in the knowledge it was loaded into.
    pub passages: std::ops::Range<usize>,
    pub units: std::ops::Range<usize>,
    pub(super) headings: Vec<(String, Source)>,
    pub(super) tables: Vec<markdown::Table>,
    pub(super) chain: Option<Chain>,
    /// Read and parsed by this load (not reused from the one before).
    pub parsed: bool,
    /// Reused: where its passages and units stood in the knowledge before.
    pub(super) from: Option<(std::ops::Range<usize>, std::ops::Range<usize>)>,
}

/// What the last load came to, file by file, for the next load to reuse.
#[derive(Debug, Clone, Default)]
pub struct Notes {
    pub files: Vec<NoteFile>,
    /// Where it found what the catalogues ask the notes for.
    pub(super) found: Found,
}

/// Where a load found each capability's evidence quote and each model's
/// summary, numbered as in that load's knowledge: the next load looks
/// again only in the files that changed before those places. Kept with
/// the notes (and saved with them) rather than read off the knowledge, so
/// that a start from the saved notes skips the scans over every passage
/// as a reload does.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Found {
    /// Each quote (as `capabilities::plain` reads it) and the first passage
    /// holding it.
    pub(super) quotes: Vec<(String, PassageId)>,
    /// Each model's slug, the names its summary may open with, and the
    /// passage its summary was taken from (`None`: no passage opens with
    /// them).
    pub(super) summaries: Vec<(String, Vec<String>, Option<PassageId>)>,
}

impl Found {
    fn of(k: &Knowledge) -> Found {
        Found {
            quotes: k
                .capabilities
                .iter()
                .flat_map(|c| &c.statuses)
                .flat_map(|s| &s.evidence)
                .map(|e| (e.quote.clone(), e.passage))
                .collect(),
            summaries: k
                .models
                .iter()
                .map(|m| {
                    let names = super::models::summary_names(m);
                    (m.slug.clone(), names, m.summary_source)
                })
                .collect(),
        }
    }
}

impl Notes {
    /// The files this load parsed (changed or new since the one before).
    pub fn parsed(&self) -> impl Iterator<Item = &str> {
        self.files.iter().filter(|f| f.parsed).map(|f| &*f.path)
    }

    /// Which files there are, their texts' hashes and stamps: when it
    /// differs from the saved notes', they are worth saving again (a file
    /// touched but unchanged is not parsed, but its new stamp spares the
    /// next start reading it).
    pub fn files_state(&self) -> Vec<(Arc<str>, u64, Option<super::Stamp>)> {
        self.files
            .iter()
            .map(|f| (f.path.clone(), f.hash, f.stamp))
            .collect()
    }
}

fn text_hash(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
}

impl Builder {
    /// Reads everything; each notes file's text is dropped once read (the
    /// notes' text and what it becomes are never all held together).
    pub(super) fn run(
        &mut self,
        s: &mut Sources,
        before: Option<(&Knowledge, &Notes)>,
        progress: &Progress,
    ) {
        self.read_notes(&mut s.notes, before, progress);
        if let Some(before @ (_, notes)) = before {
            self.quoted_before = notes
                .found
                .quotes
                .iter()
                .filter_map(|(quote, at)| Some((quote.clone(), self.moved(*at)?)))
                .collect();
            let chain = |files: &[NoteFile]| {
                files
                    .iter()
                    .find_map(|f| Some((f.path.clone(), f.chain.as_ref()?.line)))
            };
            if chain(&before.1.files) == chain(&self.files) {
                self.summaries_before = notes
                    .found
                    .summaries
                    .iter()
                    .filter_map(|(slug, names, at)| {
                        let at = match at {
                            Some(p) => Some(self.moved(*p)?),
                            None => None,
                        };
                        Some((slug.clone(), (names.clone(), at)))
                    })
                    .collect();
            }
        }
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
                Ok(c) => self.read_capabilities(file, &c),
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

    /// The knowledge and what each file came to, or every problem found.
    pub(super) fn finished(
        self,
        before: Option<&Knowledge>,
    ) -> Result<(Knowledge, Notes), LoadError> {
        if self.problems.is_empty() {
            Ok(self.finish(before))
        } else {
            Err(LoadError {
                problems: self.problems,
            })
        }
    }

    /// The knowledge, and what each file came to. Units of reused files are
    /// taken from `before` (renumbered), the others cut from their passages.
    pub(super) fn finish(mut self, before: Option<&Knowledge>) -> (Knowledge, Notes) {
        let lineage = Lineage::new(self.models.len(), self.edges);
        let mut all_units = Vec::new();
        for f in &mut self.files {
            let start = all_units.len();
            match (f.from.take(), before) {
                (Some((passages, units)), Some(k)) => {
                    // Comparison sections are cut anew below: the catalogue
                    // of comparisons may have changed.
                    for i in units {
                        // (Not reached either; a unit missing would only be
                        // one answer unit fewer.)
                        let Some(u) = reused(&mut self.owned.units, &k.units, i) else {
                            continue;
                        };
                        if u.kind == UnitKind::Section {
                            continue;
                        }
                        let passage = u.passage.index() - passages.start + f.passages.start;
                        all_units.push(Unit {
                            id: UnitId(all_units.len() as u32),
                            passage: PassageId(passage as u32),
                            ..u
                        });
                    }
                }
                _ => units::units_into(&self.passages[f.passages.clone()], &mut all_units),
            }
            // The comparison sections that stand in this file, after its
            // other units, so that each file's units stay together.
            let in_file = self.comparisons.iter().filter(|c| {
                c.passages
                    .first()
                    .is_some_and(|p| f.passages.contains(&p.index()))
            });
            let sections = units::sections(&self.passages, in_file, all_units.len());
            all_units.extend(sections);
            f.units = start..all_units.len();
        }
        let knowledge = Knowledge {
            models: self.models,
            families: self.families,
            lineage,
            terms: self.terms,
            units: all_units,
            passages: self.passages,
            comparisons: self.comparisons,
            capabilities: self.capabilities,
            names: self.names,
            synonyms: self.synonyms,
            chain_at: self.chain.as_ref().map(|(file, chain)| Source {
                file: file.clone(),
                line: chain.line,
            }),
        };
        let found = Found::of(&knowledge);
        (
            knowledge,
            Notes {
                files: self.files,
                found,
            },
        )
    }

    /// Where a passage of the knowledge before stands now, if its file was reused.
    fn moved(&self, old: PassageId) -> Option<PassageId> {
        let f = self.files.iter().find(|f| {
            f.from
                .as_ref()
                .is_some_and(|(passages, _)| passages.contains(&old.index()))
        })?;
        let from = f.from.as_ref()?.0.start;
        Some(PassageId((old.index() - from + f.passages.start) as u32))
    }

    /// Each file's passages, headings, tables and chain line: reused from
    /// `before` when the file's text is the same, else parsed; each file
    /// counted in `progress`.
    pub(super) fn read_notes(
        &mut self,
        notes: &mut [SourceFile],
        before: Option<(&Knowledge, &Notes)>,
        progress: &Progress,
    ) {
        let known: HashMap<&str, &NoteFile> = before
            .map(|(_, n)| n.files.iter().map(|f| (&*f.path, f)).collect())
            .unwrap_or_default();
        let mut tally = progress.start(Phase::Parsing, notes.len() as u64);
        for file in notes {
            let hash = file.unread.unwrap_or_else(|| text_hash(&file.text));
            let start = self.passages.len();
            let reusable = before.and_then(|(k, _)| {
                let old = known.get(file.path.as_str()).filter(|o| o.hash == hash)?;
                Some((k, *old))
            });
            if reusable.is_none() && file.unread.is_some() {
                // Read with other notes before than these: its text is
                // not here to parse, and an empty file is not what it holds.
                self.problems.push(Problem::in_file(
                    &file.path,
                    "was not read (unchanged since an earlier load that is not the one reused); reload to read it",
                ));
                tally.add(1);
                continue;
            }
            let record = match reusable {
                Some((k, old)) => {
                    let path = old.path.clone();
                    for i in old.passages.clone() {
                        let Some(p) = reused(&mut self.owned.passages, &k.passages, i) else {
                            // Each file before is reused once, within its
                            // range: not reached, but never a shifted file.
                            self.problems.push(Problem::in_file(
                                &file.path,
                                "its passages could not be taken from the load before; reload to read it again",
                            ));
                            break;
                        };
                        self.passages.push(Passage {
                            id: PassageId(self.passages.len() as u32),
                            ..p
                        });
                    }
                    self.headings.extend(old.headings.iter().cloned());
                    self.tables
                        .extend(old.tables.iter().map(|t| (path.clone(), t.clone())));
                    NoteFile {
                        path,
                        hash,
                        stamp: file.stamp,
                        passages: start..self.passages.len(),
                        units: 0..0,
                        headings: old.headings.clone(),
                        tables: old.tables.clone(),
                        chain: old.chain.clone(),
                        parsed: false,
                        from: Some((old.passages.clone(), old.units.clone())),
                    }
                }
                None => self.parse_note(file, hash),
            };
            file.text = String::new();
            if self.chain.is_none() {
                if let Some(c) = &record.chain {
                    self.chain = Some((record.path.clone(), c.clone()));
                }
            }
            self.files.push(record);
            tally.add(1);
        }
    }

    fn parse_note(&mut self, file: &SourceFile, hash: u64) -> NoteFile {
        let start = self.passages.len();
        let (headings_before, tables_before) = (self.headings.len(), self.tables.len());
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
                text: block.text.into(),
                headings: block.headings,
                source: Source {
                    file: path.clone(),
                    line: block.line,
                },
                lines: crate::domain::line_map(block.lines, block.line),
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
        NoteFile {
            hash,
            stamp: file.stamp,
            passages: start..self.passages.len(),
            units: 0..0,
            headings: self.headings[headings_before..].to_vec(),
            tables: self.tables[tables_before..]
                .iter()
                .map(|(_, t)| t.clone())
                .collect(),
            // Every file's, not only the first: an edit may take the
            // first one's away and leave this one's to be found.
            chain: chain::find(&file.text),
            parsed: true,
            from: None,
            path,
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

    /// " (did you mean 'x'?)" for an unknown model id close to a known
    /// one, else nothing: for the problem that names it.
    pub(super) fn closest_model(&self, slug: &str) -> String {
        did_you_mean(slug, self.models.iter().map(|m| m.slug.as_str()))
    }

    /// [`Builder::closest_model`] for a term.
    pub(super) fn closest_term(&self, slug: &str) -> String {
        did_you_mean(slug, self.terms.iter().map(|t| t.slug.as_str()))
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

/// " (did you mean 'x'?)" when one of `known` is within a typo of `wanted`
/// (an edit for every four characters, at least one), else nothing.
pub(super) fn did_you_mean<'a>(wanted: &str, known: impl IntoIterator<Item = &'a str>) -> String {
    let key = |s: &str| s.trim().to_lowercase();
    let wanted = key(wanted);
    let most = (wanted.chars().count() / 4).max(1);
    known
        .into_iter()
        .map(|k| (crate::domain::names::edit_distance(&wanted, &key(k)), k))
        .filter(|(d, _)| *d <= most)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| format!(" (did you mean '{k}'?)"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::super::{parse, parse_reusing, read_dir, Progress, SourceFile, Sources};

    /// The bundled notes with a file before them and one after, so that
    /// an edit to the first shifts every later passage.
    fn sources(first: &str) -> Sources {
        let mut s = read_dir(std::path::Path::new("knowledge")).unwrap();
        s.notes
            .insert(0, SourceFile::new("knowledge/a-first.md", first));
        s.notes.push(SourceFile::new(
            "knowledge/z-last.md",
            "# Last\n\nThe last file says one thing.\n\n- an item\n  - nested under it. With two sentences.\n",
        ));
        s
    }

    /// Everything but the name index (a hash map: its Debug order varies).
    fn shown(k: &crate::domain::Knowledge) -> String {
        format!(
            "{:?}",
            (
                &k.models,
                &k.families,
                &k.lineage,
                &k.terms,
                &k.passages,
                &k.units,
                &k.comparisons,
                &k.capabilities,
                &k.synonyms,
            )
        )
    }

    #[test]
    fn a_reuse_parses_only_changed_files_and_equals_a_full_parse() {
        let (k1, n1) = parse_reusing(
            sources("# First\n\nOne paragraph.\n"),
            None,
            &Progress::default(),
        )
        .unwrap();
        assert_eq!(n1.parsed().count(), 3);
        // The new paragraph quotes a capability's evidence, which the
        // bundled notes (after this file) hold too: the evidence moves here.
        let edited =
            sources(
            "# First\n\nOne paragraph.\n\nAnd a new one. 它能泛化到人类未见过的任务。\n\n- chatGPT：这个文件里的摘要\n",
        );
        let (k2, n2) =
            parse_reusing(edited.clone(), Some((&k1, &n1)), &Progress::default()).unwrap();
        assert_eq!(n2.parsed().collect::<Vec<_>>(), ["knowledge/a-first.md"]);
        assert_eq!(k2.passages.len(), k1.passages.len() + 2);
        // Ids, passages of later files, units and what refers to them: as
        // a parse from scratch makes them.
        assert_eq!(shown(&k2), shown(&parse(edited.clone()).unwrap()));
        // That includes the comparison sections of the reused notes.md.
        let sections = |k: &crate::domain::Knowledge| {
            k.units
                .iter()
                .filter(|u| u.kind == crate::domain::UnitKind::Section)
                .count()
        };
        assert_eq!(sections(&k2), k2.comparisons.len());
        let first_file = |k: &crate::domain::Knowledge| {
            k.capabilities
                .iter()
                .flat_map(|c| &c.statuses)
                .flat_map(|s| &s.evidence)
                .filter(|e| &*e.source.file == "knowledge/a-first.md")
                .count()
        };
        assert_eq!(first_file(&k1), 0);
        assert!(first_file(&k2) > 0);
        // So does a model's summary (the first line opening with its name).
        let summary_file = |k: &crate::domain::Knowledge| {
            let m = k.models.iter().find(|m| m.slug == "chatgpt").unwrap();
            k.passage(m.summary_source.unwrap()).source.file.to_string()
        };
        assert_eq!(summary_file(&k1), "knowledge/notes.md");
        assert_eq!(summary_file(&k2), "knowledge/a-first.md");
        // Unchanged again: nothing parsed, the same knowledge.
        let (k3, n3) =
            parse_reusing(edited.clone(), Some((&k2, &n2)), &Progress::default()).unwrap();
        assert_eq!(n3.parsed().count(), 0);
        assert_eq!(shown(&k3), shown(&k2));
        // A file gone: the others are reused.
        let mut fewer = edited.clone();
        fewer.notes.remove(0);
        let (k4, n4) =
            parse_reusing(fewer.clone(), Some((&k3, &n3)), &Progress::default()).unwrap();
        assert_eq!(n4.parsed().count(), 0);
        assert_eq!(shown(&k4), shown(&parse(fewer).unwrap()));
    }
}
