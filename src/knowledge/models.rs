//! `models.toml` against the notes: the catalogue of models, the chain line
//! and each model's parents, and the summaries the notes give (`**chatGPT**：…`).

use super::build::{line_of, Builder};
use super::*;

impl Builder {
    pub(super) fn read_models(&mut self, file: &SourceFile, cat: &ModelsFile) {
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
            // One source per fact: a status on a card is a quote's, so it
            // lives in capabilities.toml, never in a second, unquoted copy.
            if let Some(t) = &m.traits {
                self.problems.push(Problem::at(
                    path,
                    line_of(text, t.span().start),
                    format!(
                        "model '{slug}' has `traits`, which cards no longer show: write each \
                         status as a [[capability.status]] in capabilities.toml with its quote \
                         from the notes, or drop it if the notes do not say it"
                    ),
                ));
            }
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
                summary_at: None,
                training: m.training.clone(),
                gains: m.gains.clone(),
                trade_offs: m.trade_offs.clone(),
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
    pub(super) fn check_chain(&mut self) {
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

    pub(super) fn read_parents(&mut self, file: &SourceFile, cat: &ModelsFile) {
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
                            "model '{}' has parent '{}', which is not defined{}",
                            m.id.get_ref(),
                            p.id.get_ref(),
                            self.closest_model(p.id.get_ref())
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
    pub(super) fn derive_summaries(&mut self, file: &SourceFile, cat: &ModelsFile) {
        let chain_line = self.chain.as_ref().map(|(f, c)| (f.clone(), c.line));
        let names: Vec<Vec<String>> = self.models.iter().map(summary_names).collect();
        let longest = names.iter().flatten().map(|n| n.chars().count()).max();
        // A passage that may hold a summary (not the chain line, not a table
        // row): its opening, lowercased, long enough for any name.
        let opening_of = |p: &crate::domain::Passage| {
            let on_chain = chain_line
                .as_ref()
                .is_some_and(|(f, l)| *l == p.source.line && *f == p.source.file);
            (!on_chain && p.kind != PassageKind::TableRow)
                .then(|| opening(&p.text, longest.unwrap_or(0) + 1))
        };
        // Where each model's summary was found by the load before (numbered
        // as now), when its file is reused and the names are the same: then
        // only the changed and new files need a look.
        let hints: Option<Vec<Option<usize>>> = self
            .models
            .iter()
            .zip(&names)
            .map(|(m, n)| {
                let (before, at) = self.summaries_before.get(&m.slug)?;
                // The place itself is checked as the scan below would: it may
                // come from a saved file.
                let opens = |p: &PassageId| {
                    opening_of(&self.passages[p.index()]).is_some_and(|o| starts_with_name(&o, n))
                };
                (before == n && at.as_ref().is_none_or(opens)).then(|| at.map(PassageId::index))
            })
            .collect();
        let candidates: Box<dyn Iterator<Item = usize>> = match &hints {
            Some(_) => Box::new(
                self.files
                    .iter()
                    .filter(|f| f.parsed)
                    .flat_map(|f| f.passages.clone()),
            ),
            None => Box::new(0..self.passages.len()),
        };
        // The first passage opening with each model's name, in one pass over
        // the notes, each opening lowercased once (the notes may be large).
        let mut first: Vec<Option<usize>> = vec![None; self.models.len()];
        for at in candidates {
            if first.iter().all(Option::is_some) {
                break;
            }
            let Some(open) = opening_of(&self.passages[at]) else {
                continue;
            };
            for (m, names) in names.iter().enumerate() {
                if first[m].is_none() && starts_with_name(&open, names) {
                    first[m] = Some(at);
                }
            }
        }
        if let Some(hints) = hints {
            for (found, hint) in first.iter_mut().zip(hints) {
                *found = match (*found, hint) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
            }
        }
        for (i, entry) in cat.model.iter().enumerate() {
            let from_notes = first.get(i).copied().flatten().map(|at| &self.passages[at]);
            let line = line_of(&file.text, entry.id.span().start);
            let model = &mut self.models[i];
            match (from_notes, &entry.summary) {
                (Some(p), None) => {
                    model.summary = Text::Plain(p.text.to_string());
                    model.summary_source = Some(p.id);
                }
                (Some(p), Some(s)) => self.problems.push(Problem::at(&file.path, line_of(&file.text, s.span().start), format!("'{}' has a summary here, but the notes already have one at {}", model.slug, p.source))),
                (None, Some(s)) => {
                    model.summary = s.get_ref().clone();
                    model.summary_at = Some(crate::domain::Source {
                        file: file.path.as_str().into(),
                        line: line_of(&file.text, s.span().start),
                    });
                }
                (None, None) => self.problems.push(Problem::at(&file.path, line, format!("model '{}' has no summary: no line of the notes starts with its name, and no `summary` is given", model.slug))),
            }
        }
    }
}

/// Whether a passage opens with one of the names, followed by `：`, `是`, `(`…
/// A passage's opening, lowercased: enough characters to hold any model name
/// and the separator after it.
/// The names a summary may open with, lowercase (three characters or more).
pub(super) fn summary_names(m: &Model) -> Vec<String> {
    std::iter::once(m.slug.clone())
        .chain(std::iter::once(m.name.clone()))
        .chain(m.aliases.iter().cloned())
        .filter(|n| n.chars().count() >= 3)
        .map(|n| n.to_lowercase())
        .collect()
}

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

#[cfg(test)]
mod tests {
    use super::*;

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
