//! `check --suggest`: the TOML a curator would otherwise type by hand, read
//! from sentences the notes already contain — a `[[model]]` stub for each
//! name on a chain line the catalogue does not know, a capability status
//! for each sentence saying a model gained, strengthened, weakened,
//! restored or traded one (with the sentence as its quote), and a
//! `[[term]]` for each row of the terminology table `terms.toml` lacks.
//! It only suggests; nothing here writes a file (`main` does, on `--write`,
//! with [`insert`]), and `check` still judges what is written.

use std::collections::HashMap;

use crate::domain::{Method, NameKey, Status};

use super::catalog::{CapabilitiesFile, ModelsFile, TermsFile};
use super::{chain, markdown, terms, Sources};

#[derive(Debug, thiserror::Error)]
pub enum SuggestError {
    #[error("{path}: {message}")]
    Toml { path: String, message: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelStub {
    pub id: String,
    pub name: String,
    pub family: Option<String>,
    pub parameters: Option<String>,
    /// The previous step's model and the method the step's label names.
    pub parent: Option<(String, Option<Method>)>,
    /// When no line of the notes starts with the name (`**GPT-4**：…`),
    /// the catalogue needs a summary: what the chain says, (en, zh).
    pub summary: Option<(String, String)>,
    /// `file:line` of the chain line.
    pub at: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusStub {
    pub capability: String,
    pub model: String,
    pub status: Status,
    pub quote: String,
    pub at: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermStub {
    pub row: String,
    pub slug: String,
    pub at: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Suggestions {
    pub models: Vec<ModelStub>,
    pub statuses: Vec<StatusStub>,
    pub terms: Vec<TermStub>,
}

impl Suggestions {
    pub fn is_empty(&self) -> bool {
        self.models.is_empty() && self.statuses.is_empty() && self.terms.is_empty()
    }
}

fn parse<T: serde::de::DeserializeOwned + Default>(
    file: Option<&super::SourceFile>,
) -> Result<T, SuggestError> {
    match file {
        None => Ok(T::default()),
        Some(f) => toml::from_str(&f.text).map_err(|e| SuggestError::Toml {
            path: f.path.clone(),
            message: e.message().to_string(),
        }),
    }
}

/// The words of a status, in both languages, most specific first.
const STATUS_WORDS: &[(&str, Status)] = &[
    ("恢复", Status::Restored),
    ("restored", Status::Restored),
    ("减弱", Status::Weakened),
    ("下降", Status::Weakened),
    ("weakened", Status::Weakened),
    ("lost", Status::Weakened),
    ("增强", Status::Improved),
    ("提高", Status::Improved),
    ("提升", Status::Improved),
    ("improved", Status::Improved),
    ("strengthened", Status::Improved),
    ("获得", Status::Gained),
    ("gained", Status::Gained),
];

/// Whether a clause denies what it says (not, no longer, never, 不, 没, 未,
/// 无): its status word does not hold.
fn denies(clause: &str) -> bool {
    let words = ["not ", "n't ", "no longer", "never ", "without "];
    words.iter().any(|w| clause.contains(w))
        || ['不', '没', '未', '无'].iter().any(|c| clause.contains(*c))
}

/// A line of the notes as the loader reads it: list and quote markers,
/// emphasis and backticks dropped, runs of spaces one.
fn plain(line: &str) -> String {
    let mut s = line.trim();
    loop {
        let t = s
            .trim_start_matches(['>', ' ', '\t'])
            .trim_start_matches("* ")
            .trim_start_matches("- ")
            .trim_start();
        if t == s {
            break;
        }
        s = t;
    }
    let s = s.replace("**", "").replace(['*', '`'], "");
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What the notes suggest that the catalogue lacks.
pub fn suggest(sources: &Sources) -> Result<Suggestions, SuggestError> {
    let models: ModelsFile = parse(sources.models.as_ref())?;
    let caps: CapabilitiesFile = parse(sources.capabilities.as_ref())?;
    let overlay: TermsFile = parse(sources.terms.as_ref())?;
    let mut out = Suggestions::default();

    // Every name the catalogue knows, to its id and family.
    let mut known: HashMap<NameKey, (String, String)> = HashMap::new();
    // The same names as written (lower case), to find a sentence's model.
    let mut model_names: Vec<(String, String)> = Vec::new();
    for m in &models.model {
        let entry = (m.id.get_ref().clone(), m.family.get_ref().clone());
        let mut names = vec![m.id.get_ref().clone(), m.name.clone()];
        names.extend(m.name_zh.clone());
        names.extend(
            m.aliases
                .iter()
                .chain(&m.misspellings)
                .map(|a| a.get_ref().clone()),
        );
        for n in names {
            known.insert(NameKey::new(&n), entry.clone());
            model_names.push((n.to_lowercase(), entry.0.clone()));
        }
    }

    // Chain lines: names the catalogue does not know.
    for file in &sources.notes {
        for (i, line) in file.text.lines().enumerate() {
            let Some(c) = chain::parse_line(line) else {
                continue;
            };
            for (s, stage) in c.stages.iter().enumerate() {
                for n in &stage.names {
                    if known.contains_key(&NameKey::new(&n.name)) {
                        continue;
                    }
                    let parent = s
                        .checked_sub(1)
                        .and_then(|p| c.stages[p].names.first())
                        .and_then(|p| known.get(&NameKey::new(&p.name)).cloned());
                    let id = terms::slugify(&n.name);
                    let after = s.checked_sub(1).and_then(|p| c.stages[p].names.first());
                    let label = stage
                        .label
                        .as_deref()
                        .map(|l| format!(" ({l})"))
                        .unwrap_or_default();
                    let summary = (!has_own_line(sources, &n.name)).then(|| match after {
                        Some(p) => (
                            format!("On the notes' chain after {}{label}.", p.name),
                            format!(
                                "笔记的发展路线中位于 {} 之后{}。",
                                p.name,
                                label.replace(" (", "（").replace(')', "）")
                            ),
                        ),
                        None => (
                            "At the start of a chain of the notes.".to_string(),
                            "位于笔记中一条发展路线的开头。".to_string(),
                        ),
                    });
                    out.models.push(ModelStub {
                        summary,
                        id: id.clone(),
                        name: n.name.clone(),
                        family: parent.as_ref().map(|p| p.1.clone()),
                        parameters: n.parameters.clone(),
                        parent: parent.as_ref().map(|p| {
                            (
                                p.0.clone(),
                                stage.label.as_deref().and_then(Method::named_in),
                            )
                        }),
                        at: format!("{}:{}", file.path, i + 1),
                    });
                    let family = parent.map(|p| p.1).unwrap_or_default();
                    model_names.push((n.name.to_lowercase(), id.clone()));
                    known.insert(NameKey::new(&n.name), (id, family));
                }
            }
        }
    }

    // Status sentences: `model：… capability 增强 …`.
    model_names.sort_by_key(|(n, _)| std::cmp::Reverse(n.chars().count()));
    let mut cap_names: Vec<(String, String)> = Vec::new();
    for c in &caps.capability {
        let id = c.id.get_ref();
        let mut names: Vec<String> = vec![c.name.pick(false).into(), c.name.pick(true).into()];
        names.extend(c.aliases.iter().map(|a| a.get_ref().clone()));
        for n in names {
            if n.chars().count() >= 2 {
                cap_names.push((n.to_lowercase(), id.clone()));
            }
        }
    }
    cap_names.sort_by_key(|(n, _)| std::cmp::Reverse(n.chars().count()));
    // A model the catalogue gives any status for a capability is left
    // alone there: the curator chose its words already.
    let has = |cap: &str, model: &str| {
        caps.capability
            .iter()
            .any(|c| c.id.get_ref() == cap && c.status.iter().any(|s| s.model.get_ref() == model))
    };
    // A short name (生成, 推理) names the capability only as "…能力":
    // "生成速度" is no language generation.
    let capability_in = |clause: &str| {
        let lower = clause.to_lowercase();
        cap_names
            .iter()
            .find(|(n, _)| {
                lower.match_indices(n.as_str()).any(|(at, m)| {
                    let after = &lower[at + m.len()..];
                    n.chars().count() >= 3
                        || after.starts_with("能力")
                        || after.starts_with(" ability")
                })
            })
            .map(|(_, id)| id.clone())
    };
    for file in &sources.notes {
        for (i, line) in file.text.lines().enumerate() {
            let text = plain(line);
            if text.contains("->") {
                continue;
            }
            let lower = text.to_lowercase();
            let Some((name, model)) = model_names.iter().find(|(n, _)| {
                lower.starts_with(n.as_str())
                    && lower[n.len()..]
                        .chars()
                        .next()
                        .is_some_and(|c| matches!(c, '：' | ':' | ' '))
            }) else {
                continue;
            };
            let rest = &lower[name.len()..];
            let mut found: Vec<(String, Status)> = Vec::new();
            for clause in rest.split(['，', ',', '、', '；', ';', '。']) {
                // "not improved", "没有增强": a status denied is none to suggest.
                if denies(clause) {
                    continue;
                }
                if let Some((given, got)) = clause.split_once("换取") {
                    if given.contains("牺牲") {
                        found.extend(capability_in(given).map(|c| (c, Status::TradedAway)));
                        found.extend(capability_in(got).map(|c| (c, Status::Gained)));
                        continue;
                    }
                }
                let Some(status) = STATUS_WORDS
                    .iter()
                    .find(|(w, _)| clause.contains(w))
                    .map(|&(_, s)| s)
                else {
                    continue;
                };
                found.extend(capability_in(clause).map(|c| (c, status)));
            }
            for (capability, status) in found {
                let dup = |s: &StatusStub| {
                    s.capability == capability && s.model == *model && s.status == status
                };
                if has(&capability, model) || out.statuses.iter().any(dup) {
                    continue;
                }
                out.statuses.push(StatusStub {
                    capability,
                    model: model.clone(),
                    status,
                    quote: text.clone(),
                    at: format!("{}:{}", file.path, i + 1),
                });
            }
        }
    }

    // Grouped by capability, in the file's order: one list each to paste.
    let order = |id: &str| caps.capability.iter().position(|c| c.id.get_ref() == id);
    out.statuses.sort_by_key(|s| order(&s.capability));

    // The terminology table's rows terms.toml has no entry for.
    let loose = |s: &str| NameKey::new(s).as_str().replace('-', "");
    for file in &sources.notes {
        for table in markdown::parse(&file.text).tables {
            if !terms::is_glossary(&table.header) {
                continue;
            }
            for row in &table.rows {
                let Some(english) = row.cells.first().filter(|e| !e.trim().is_empty()) else {
                    continue;
                };
                let (full, _) = terms::split_abbreviation(english);
                let listed = overlay.term.iter().any(|t| {
                    let k = loose(t.row.get_ref());
                    k == loose(english) || k == loose(&full)
                });
                if !listed {
                    out.terms.push(TermStub {
                        row: english.replace('\n', " "),
                        slug: terms::slugify(&full),
                        at: format!("{}:{}", file.path, row.line),
                    });
                }
            }
        }
    }
    Ok(out)
}

/// Whether a line of the notes starts with `name` and a colon, as the
/// lines the loader takes a model's summary from do.
fn has_own_line(sources: &Sources, name: &str) -> bool {
    let name = name.to_lowercase();
    sources.notes.iter().any(|f| {
        f.text.lines().any(|l| {
            let t = plain(l).to_lowercase();
            t.strip_prefix(&name)
                .is_some_and(|rest| rest.starts_with('：') || rest.starts_with(':'))
        })
    })
}

fn quoted(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// A `[[model]]` stub as TOML.
pub fn model_toml(m: &ModelStub) -> String {
    let mut t = format!(
        "# from the chain at {}\n[[model]]\nid = {}\nname = {}\n",
        m.at,
        quoted(&m.id),
        quoted(&m.name)
    );
    match &m.family {
        Some(f) => t.push_str(&format!("family = {}  # the parent's; check\n", quoted(f))),
        None => t.push_str("family = \"\"  # no known parent: name a [[family]]\n"),
    }
    if let Some((en, zh)) = &m.summary {
        t.push_str(&format!(
            "summary = {{ en = {}, zh = {} }}  # no line of the notes starts with its name\n",
            quoted(en),
            quoted(zh)
        ));
    }
    if let Some(p) = &m.parameters {
        t.push_str(&format!("parameters = {}\n", quoted(p)));
    }
    match &m.parent {
        Some((id, Some(method))) => t.push_str(&format!(
            "parents = [{{ id = {}, method = \"{}\" }}]\n",
            quoted(id),
            method_slug(*method)
        )),
        Some((id, None)) => t.push_str(&format!(
            "# parent: {} (the chain names no method for this step: add parents = [{{ id, method }}])\n",
            quoted(id)
        )),
        None => {}
    }
    t
}

fn method_slug(m: Method) -> &'static str {
    match m {
        Method::CodeTraining => "code-training",
        Method::InstructionTuning => "instruction-tuning",
        Method::Sft => "sft",
        Method::Rlhf => "rlhf",
    }
}

/// One entry of a capability's `status = [...]`, as capabilities.toml
/// writes them.
pub fn status_toml(s: &StatusStub) -> String {
    format!(
        "  {{ model = {}, status = \"{}\", evidence = {} }},  # {}",
        quoted(&s.model),
        s.status.slug(),
        quoted(&s.quote),
        s.at
    )
}

pub fn term_toml(t: &TermStub) -> String {
    format!(
        "# from the table at {}\n[[term]]\nrow = {}\nslug = {}\n",
        t.at,
        quoted(&t.row),
        quoted(&t.slug)
    )
}

/// Everything, as the curator would paste it, file by file.
pub fn to_text(s: &Suggestions) -> String {
    if s.is_empty() {
        return "No suggestions: the catalogue has everything the notes' chain lines, status sentences and table say.\n".into();
    }
    let mut out = String::new();
    if !s.models.is_empty() {
        out.push_str("## models.toml\n\n");
        for m in &s.models {
            out.push_str(&model_toml(m));
            out.push('\n');
        }
    }
    if !s.statuses.is_empty() {
        out.push_str("## capabilities.toml\n\n");
        let mut last = "";
        for st in &s.statuses {
            if st.capability != last {
                out.push_str(&format!(
                    "# in [[capability]] id = {}, status = [\n",
                    quoted(&st.capability)
                ));
                last = &st.capability;
            }
            out.push_str(&status_toml(st));
            out.push('\n');
        }
        out.push('\n');
    }
    if !s.terms.is_empty() {
        out.push_str("## terms.toml\n\n");
        for t in &s.terms {
            out.push_str(&term_toml(t));
            out.push('\n');
        }
    }
    out
}

/// The comment every written suggestion carries.
pub const WRITTEN: &str =
    "# Suggested by `lineage-bot check --suggest`: check it against the notes.";

/// `text` of capabilities.toml with `entries` put into the capability's
/// multi-line `status = [` list; `None` when it has no such list.
pub fn insert_statuses(text: &str, capability: &str, entries: &[&StatusStub]) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let id_line = format!("id = {}", quoted(capability));
    let start = lines.iter().position(|l| l.trim() == id_line)?;
    let mut open = None;
    for (i, l) in lines.iter().enumerate().skip(start + 1) {
        if l.trim_start().starts_with("[[capability]]") {
            return None;
        }
        if l.trim_start().starts_with("status = [") {
            if l.trim_end().ends_with(']') {
                return None;
            }
            open = Some(i);
            break;
        }
    }
    let open = open?;
    let close = (open + 1..lines.len()).find(|&i| lines[i].trim() == "]")?;
    let mut out: Vec<String> = lines[..close].iter().map(|l| l.to_string()).collect();
    out.push(format!("  {WRITTEN}"));
    out.extend(entries.iter().map(|e| status_toml(e)));
    out.extend(lines[close..].iter().map(|l| l.to_string()));
    let mut joined = out.join("\n");
    if text.ends_with('\n') {
        joined.push('\n');
    }
    Some(joined)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_denied_status_is_not_suggested() {
        for clause in [
            "in-context learning was not improved",
            "上下文学习能力没有增强",
            "零样本能力未恢复",
        ] {
            assert!(denies(clause), "{clause}");
        }
        for clause in [
            "零样本学习能力增强",
            "in-context learning restored",
            "对话能力增强",
        ] {
            assert!(!denies(clause), "{clause}");
        }
    }
    use std::path::Path;

    const SECTION: &str = "\n### Test section\n\n\
        > * **ChatGPT**（RLHF）--->[**Model-X[20b]**]（RLHF）--->[**Model-Y**]（蒸馏）\n\
        > * **Model-X**：复杂推理能力增强，上下文学习能力减弱\n\
        > * Model-X 通过牺牲上下文学习的能力换取对话能力\n\
        > * Model-X：生成速度增强\n\n\
        |英文|中文|备注|\n|:-:|:-:|---|\n|Fresh Term|新术语|一个新的术语|\n";

    fn sources_with(extra: &str) -> Sources {
        let mut s = super::super::read_dir(Path::new("knowledge")).unwrap();
        s.notes[0].text.push_str(extra);
        s
    }

    /// #31 point 3: what the notes already say becomes the TOML to paste.
    /// Before, nothing read chain lines, status sentences or the table for
    /// what the catalogue lacks.
    #[test]
    fn a_new_section_suggests_models_statuses_and_terms() {
        assert!(
            suggest(&sources_with("")).unwrap().is_empty(),
            "the bundled catalogue lacks nothing: {:?}",
            suggest(&sources_with("")).unwrap()
        );
        let s = suggest(&sources_with(SECTION)).unwrap();
        let models: Vec<(&str, Option<&str>)> = s
            .models
            .iter()
            .map(|m| (m.id.as_str(), m.family.as_deref()))
            .collect();
        assert_eq!(
            models,
            [("model-x", Some("chatgpt")), ("model-y", Some("chatgpt"))]
        );
        assert_eq!(
            s.models[0].parent,
            Some(("chatgpt".into(), Some(Method::Rlhf)))
        );
        assert_eq!(s.models[0].parameters.as_deref(), Some("20B"));
        assert_eq!(s.models[1].parent, Some(("model-x".into(), None)));
        assert_eq!(
            s.models[0].summary, None,
            "the notes have a line for Model-X"
        );
        assert_eq!(
            s.models[1].summary.as_ref().map(|s| s.0.as_str()),
            Some("On the notes' chain after Model-X (蒸馏).")
        );
        let statuses: Vec<(&str, &str, Status)> = s
            .statuses
            .iter()
            .map(|x| (x.capability.as_str(), x.model.as_str(), x.status))
            .collect();
        assert_eq!(
            statuses,
            [
                ("in-context-learning", "model-x", Status::Weakened),
                ("in-context-learning", "model-x", Status::TradedAway),
                ("dialogue", "model-x", Status::Gained),
                ("complex-reasoning", "model-x", Status::Improved),
            ]
        );
        assert_eq!(
            s.statuses[0].quote,
            "Model-X：复杂推理能力增强，上下文学习能力减弱"
        );
        assert_eq!(
            s.statuses[1].quote,
            "Model-X 通过牺牲上下文学习的能力换取对话能力"
        );
        let terms: Vec<&str> = s.terms.iter().map(|t| t.slug.as_str()).collect();
        assert_eq!(terms, ["fresh-term"]);
        let text = to_text(&s);
        assert!(text.contains("[[model]]\nid = \"model-x\""), "{text}");
        assert!(
            text.contains("{ model = \"model-x\", status = \"improved\", evidence = \"Model-X：复杂推理能力增强，上下文学习能力减弱\" }"),
            "{text}"
        );
    }

    #[test]
    fn statuses_go_into_their_capability_list() {
        let text = "[[capability]]\nid = \"a\"\nname = \"A\"\nstatus = [\n  { model = \"m\", status = \"kept\", evidence = \"x\" },\n]\n\n[[capability]]\nid = \"b\"\nname = \"B\"\nstatus = [{ model = \"m\", status = \"kept\", evidence = \"x\" }]\n";
        let st = StatusStub {
            capability: "a".into(),
            model: "n".into(),
            status: Status::Gained,
            quote: "q".into(),
            at: "notes.md:1".into(),
        };
        let out = insert_statuses(text, "a", &[&st]).unwrap();
        let parsed: CapabilitiesFile = toml::from_str(&out).expect("still TOML");
        assert_eq!(parsed.capability[0].status.len(), 2);
        assert!(out.contains(WRITTEN));
        assert_eq!(insert_statuses(text, "b", &[&st]), None, "a one-line list");
        assert_eq!(insert_statuses(text, "zzz", &[&st]), None);
    }

    #[test]
    fn broken_toml_is_an_error_naming_its_file() {
        let mut s = sources_with("");
        s.models.as_mut().unwrap().text.push_str("\n[[model\n");
        let e = suggest(&s).unwrap_err().to_string();
        assert!(e.contains("models.toml"), "{e}");
    }
}
