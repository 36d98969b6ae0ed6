//! `capabilities.toml`: the capabilities the notes follow along the lineage
//! and each model's status for them, every status backed by a quote of the
//! notes that the loader finds (passage and `file:line`).

use super::build::{line_of, Builder};
use super::catalog::{CapabilityEntry, StatusEntryToml};
use super::*;
use crate::domain::{Evidence, Passage, Source, StatusEntry};

impl Builder {
    pub(super) fn read_capabilities(&mut self, file: &SourceFile, cat: &CapabilitiesFile) {
        let mut claimed_at: HashMap<NameKey, (String, usize)> = HashMap::new();
        let mut quotes: Vec<String> = cat
            .capability
            .iter()
            .flat_map(|c| &c.status)
            .filter_map(|s| s.evidence.as_ref())
            .flat_map(|e| e.get_ref().list())
            .map(plain)
            .filter(|q| !q.is_empty())
            .collect();
        // Quotes found before are looked for in the changed files only.
        quotes.retain(|q| !self.quoted_before.contains_key(q));
        quotes.sort();
        quotes.dedup();
        let found = self.first_passages_quoting(&quotes);
        for entry in &cat.capability {
            let id = CapabilityId(self.capabilities.len() as u16);
            let line = line_of(&file.text, entry.id.span().start);
            let slug = entry.id.get_ref().trim().to_string();
            if slug.is_empty() || entry.name.is_blank() {
                self.problems.push(Problem::at(
                    &file.path,
                    line,
                    "a capability needs a non-empty id and name",
                ));
            }
            let term = entry.term.as_ref().and_then(|t| {
                let found = self
                    .terms
                    .iter()
                    .find(|x| NameKey::new(&x.slug) == NameKey::new(t.get_ref()))
                    .map(|x| x.id);
                if found.is_none() {
                    self.problems.push(Problem::at(
                        &file.path,
                        line_of(&file.text, t.span().start),
                        format!(
                            "capability '{slug}' is term '{}', which is not defined{}",
                            t.get_ref(),
                            self.closest_term(t.get_ref())
                        ),
                    ));
                }
                found
            });
            let statuses = entry
                .status
                .iter()
                .filter_map(|s| self.read_status(file, &slug, s, &found))
                .collect();
            self.capabilities.push(Capability {
                id,
                slug: slug.clone(),
                name: entry.name.clone(),
                aliases: entry.aliases.iter().map(|a| a.get_ref().clone()).collect(),
                term,
                statuses,
            });
            self.claim_capability_names(file, entry, id, &mut claimed_at);
        }
    }

    /// Capability names live in their own index: one capability per name,
    /// whatever models and terms are called.
    fn claim_capability_names(
        &mut self,
        file: &SourceFile,
        entry: &CapabilityEntry,
        id: CapabilityId,
        claimed_at: &mut HashMap<NameKey, (String, usize)>,
    ) {
        let mut names: Vec<(String, usize)> = Vec::new();
        let id_line = line_of(&file.text, entry.id.span().start);
        for n in self.capabilities[id.index()].names() {
            names.push((n, id_line));
        }
        for a in &entry.aliases {
            if let Some(n) = names.iter_mut().find(|(n, _)| n == a.get_ref()) {
                n.1 = line_of(&file.text, a.span().start);
            }
        }
        for (name, line) in names {
            let key = NameKey::new(&name);
            match self.names.claim_capability(&name, id) {
                Ok(()) => {
                    claimed_at
                        .entry(key)
                        .or_insert_with(|| (self.capabilities[id.index()].slug.clone(), line));
                }
                Err(_) => {
                    let (owner, first) = claimed_at.get(&key).cloned().unwrap_or_default();
                    self.problems.push(Problem::at(
                        &file.path,
                        line,
                        format!(
                            "the name '{name}' is claimed twice: by capability '{}' here and by capability '{owner}' at {}:{first}",
                            self.capabilities[id.index()].slug, file.path
                        ),
                    ));
                }
            }
        }
    }

    fn read_status(
        &mut self,
        file: &SourceFile,
        capability: &str,
        s: &StatusEntryToml,
        found: &HashMap<String, usize>,
    ) -> Option<StatusEntry> {
        let (path, text) = (file.path.as_str(), file.text.as_str());
        let model_line = line_of(text, s.model.span().start);
        let model = self.model_by_slug(s.model.get_ref());
        if model.is_none() {
            self.problems.push(Problem::at(
                path,
                model_line,
                format!(
                    "capability '{capability}' gives a status to model '{}', which is not defined{}",
                    s.model.get_ref(),
                    self.closest_model(s.model.get_ref())
                ),
            ));
        }
        let quotes: Vec<&str> = s
            .evidence
            .as_ref()
            .map(|e| e.get_ref().list())
            .unwrap_or_default()
            .into_iter()
            .filter(|q| !plain(q).is_empty())
            .collect();
        if quotes.is_empty() {
            self.problems.push(Problem::at(
                path,
                model_line,
                format!(
                    "capability '{capability}': the status '{}' of '{}' has no evidence (quote the notes)",
                    s.status.slug(),
                    s.model.get_ref()
                ),
            ));
            return None;
        }
        let evidence_line = s
            .evidence
            .as_ref()
            .map_or(model_line, |e| line_of(text, e.span().start));
        let mut evidence = Vec::new();
        for q in quotes {
            match self.find_quote(q, found) {
                Some(e) => evidence.push(e),
                None => self.problems.push(Problem::at(
                    path,
                    evidence_line,
                    format!(
                        "capability '{capability}': the evidence for '{}' is not in the notes: “{q}”",
                        s.model.get_ref()
                    ),
                )),
            }
        }
        Some(StatusEntry {
            model: model?,
            status: s.status,
            evidence,
        })
    }

    /// For each quote (plain), the first passage whose plain text holds it:
    /// one pass over the notes for all quotes (the notes may be large).
    fn first_passages_quoting(&self, quotes: &[String]) -> HashMap<String, usize> {
        let mut found: HashMap<String, usize> = HashMap::new();
        let patterns: Vec<String> = quotes.iter().map(|q| regex::escape(q)).collect();
        // A passage without `*` or `` ` `` differs from its plain text only
        // in its spaces, so it can hold a quote only if it holds the quote's
        // longest word: that is checked first, on the text as it is.
        let words: Vec<String> = quotes
            .iter()
            .map(|q| {
                let longest = q.split(' ').max_by_key(|w| w.len()).unwrap_or("");
                regex::escape(longest)
            })
            .collect();
        let (Ok(set), Ok(prefilter)) = (
            regex::RegexSet::new(&patterns),
            regex::RegexSet::new(&words),
        ) else {
            return found;
        };
        for (at, p) in self.passages.iter().enumerate() {
            if found.len() == quotes.len() {
                break;
            }
            let marked = p.text.contains(['*', '`']);
            if !marked && !prefilter.is_match(&p.text) {
                continue;
            }
            for i in set.matches(&plain(&p.text)).iter() {
                found.entry(quotes[i].clone()).or_insert(at);
            }
        }
        found
    }

    /// The first passage whose text holds the quote, and the line of the
    /// notes the quote stands on (the passage's first line when the quote
    /// runs over several lines): read from the passage's line map, so the
    /// notes' text is not needed once parsed.
    fn find_quote(&self, quote: &str, found: &HashMap<String, usize>) -> Option<Evidence> {
        let wanted = plain(quote);
        let holds = |p: &&Passage| plain(&p.text).contains(&wanted);
        let p = match self.quoted_before.get(&wanted) {
            // Found before in a file that is unchanged: files before it
            // that were reused held it nowhere then and hold it nowhere now,
            // so only the changed and new ones before it need a look (the
            // scan of every passage per quote is most of a large reload).
            // The place itself is checked: it may come from a saved file.
            Some(&at) => match self
                .files
                .iter()
                .filter(|f| f.parsed && f.passages.start < at.index())
                .flat_map(|f| &self.passages[f.passages.start..f.passages.end.min(at.index())])
                .find(holds)
            {
                Some(p) => p,
                None if holds(&&self.passages[at.index()]) => &self.passages[at.index()],
                None => self.passages.iter().find(holds)?,
            },
            // Otherwise the one pass over every passage found it, or not.
            None => &self.passages[*found.get(&wanted)?],
        };
        let line = line_of_quote(p, &wanted);
        Some(Evidence {
            quote: wanted,
            passage: p.id,
            source: Source {
                file: p.source.file.clone(),
                line,
            },
        })
    }
}

/// The line of the notes where `wanted` (as [`plain`] reads) stands in
/// `p`: the first of the passage's lines whose text holds it whole, else
/// the passage's first line.
fn line_of_quote(p: &Passage, wanted: &str) -> usize {
    let mut from = 0;
    while from < p.lines.len() {
        let line = p.lines[from].1;
        // The parts of the text on this line (a line may hold several marks).
        let to = (from..p.lines.len())
            .find(|&i| p.lines[i].1 != line)
            .unwrap_or(p.lines.len());
        let start = p.lines[from].0;
        let end = p.lines.get(to).map_or(p.text.len(), |&(at, _)| at);
        if p.text
            .get(start..end)
            .is_some_and(|t| plain(t).contains(wanted))
        {
            return line;
        }
        from = to;
    }
    p.source.line
}

/// Text as the notes read: Markdown emphasis and code marks (`*`, `` ` ``)
/// dropped, runs of whitespace as one space. Quotes and notes both go
/// through it, so a quote may keep or drop the emphasis.
pub(super) fn plain(text: &str) -> String {
    text.split_whitespace()
        .map(|w| w.replace(['*', '`'], ""))
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::plain;
    use crate::domain::{Passage, PassageId, PassageKind, Source};
    use std::sync::Arc;

    fn passage(i: u32, text: &str) -> Passage {
        Passage {
            id: PassageId(i),
            kind: PassageKind::Paragraph,
            text: text.into(),
            headings: Arc::new([]),
            source: Source {
                file: "n.md".into(),
                line: i as usize + 1,
            },
            lines: Arc::new([(0, i as usize + 1)]),
        }
    }

    /// The quick check on the text as it is never hides a passage whose
    /// plain text holds the quote: stray emphasis and extra spaces too.
    #[test]
    fn quotes_are_found_in_one_pass_whatever_the_marks_and_spaces() {
        let b = super::Builder {
            passages: vec![
                passage(0, "没有关系的一段"),
                passage(1, "Code-davinci-002**可能是第一个深度融合了代码训练"),
                passage(2, "恢复了  text-davinci-002 所牺牲的\n上下文学习能力"),
                passage(3, "恢复了 text-davinci-002 所牺牲的 上下文学习能力"),
            ],
            ..Default::default()
        };
        let quotes: Vec<String> = [
            "Code-davinci-002可能是第一个",
            "恢复了 text-davinci-002 所牺牲的 上下文学习能力",
            "不在笔记里",
        ]
        .map(String::from)
        .to_vec();
        let found = b.first_passages_quoting(&quotes);
        assert_eq!(found.get(&quotes[0]), Some(&1));
        assert_eq!(found.get(&quotes[1]), Some(&2));
        assert_eq!(found.get(&quotes[2]), None);
    }

    /// A quote cites the line of the passage where it stands whole, read
    /// from the passage's line map; one split by a line break cites the
    /// passage's first line.
    #[test]
    fn a_quote_cites_the_line_of_the_passage_that_holds_it() {
        let mut p = passage(
            0,
            "第一行的话 and the **first** line\n  - 第二行 second line",
        );
        let second = p.text.find("  - ").unwrap();
        p.lines = Arc::new([(0, 7), ("第一行的话 ".len(), 7), (second, 8)]);
        assert_eq!(super::line_of_quote(&p, "第二行 second"), 8);
        assert_eq!(super::line_of_quote(&p, "the first line"), 7);
        assert_eq!(super::line_of_quote(&p, "line - 第二行"), 1);
        p.lines = Arc::new([]);
        assert_eq!(super::line_of_quote(&p, "第二行"), 1);
    }

    #[test]
    fn quotes_read_without_emphasis_and_extra_spaces() {
        assert_eq!(
            plain("**恢复了** text-davinci-002 所牺牲的**上下文学习能力**， **提高"),
            "恢复了 text-davinci-002 所牺牲的上下文学习能力， 提高"
        );
        assert_eq!(
            plain("在`code-davinci-002`上\n  进行"),
            "在code-davinci-002上 进行"
        );
        assert_eq!(plain(" ** "), "");
    }
}
