//! The notes' terminology table and `terms.toml` beside it (slugs, aliases,
//! glosses, related terms), and `glossary.toml`'s synonyms for search.

use super::build::{line_of, Builder};
use super::*;

impl Builder {
    pub(super) fn read_terms(&mut self, file: Option<&SourceFile>, overlay: &TermsFile) {
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
                                "term '{}' names model '{}', which is not defined{}",
                                term.slug,
                                m.get_ref(),
                                self.closest_model(m.get_ref())
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
                        format!(
                            "related term '{}' is not defined{}",
                            r.get_ref(),
                            self.closest_term(r.get_ref())
                        ),
                    )),
                }
            }
        }
    }

    pub(super) fn read_glossary(&mut self, file: &SourceFile, g: &GlossaryFile) {
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
}

pub(super) fn is_glossary(header: &[String]) -> bool {
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
pub(super) fn split_abbreviation(english: &str) -> (String, Option<String>) {
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
pub(super) fn slugify(s: &str) -> String {
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
}
