//! `comparisons.toml`: the notes' sections that compare two models or two
//! generations, checked against the headings they name.

use super::build::{line_of, Builder};
use super::*;

impl Builder {
    pub(super) fn read_comparisons(&mut self, file: &SourceFile, cat: &ComparisonsFile) {
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
                                "comparison '{}' names model '{}', which is not defined{}",
                                c.id.get_ref(),
                                m.get_ref(),
                                self.closest_model(m.get_ref())
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
            // Headings repeat over thousands of passages: each distinct one
            // is keyed once.
            let mut keyed: HashMap<&str, bool> = HashMap::new();
            let passages = self
                .passages
                .iter()
                .filter(|p| p.source.file == source.file && p.kind != PassageKind::TableRow)
                .filter(|p| {
                    p.headings.iter().any(|h| {
                        *keyed
                            .entry(h.as_str())
                            .or_insert_with(|| NameKey::new(h) == section)
                    })
                })
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
