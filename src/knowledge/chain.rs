//! The notes' lineage chain line, e.g.
//! `**devinci**（GPT3初代）：--->[**code-davinci-001** ，**code-cushman-001[12b]**]（Codex论文）---> …`
//! as stages: the models of each step, the step's label, and sizes in `[12b]`.

use std::sync::LazyLock;

use regex::Regex;

/// A model as the chain writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainName {
    /// As written, typos included (`devinci`).
    pub name: String,
    /// A size in brackets after the name (`[12b]` → `12B`).
    pub parameters: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    pub names: Vec<ChainName>,
    /// The full-width parenthesis after the stage: `Codex论文`, `SFT`.
    pub label: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chain {
    pub stages: Vec<Stage>,
    pub line: usize,
}

static ARROW: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"-{2,}>").expect("regex"));
static BOLD: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\*\*([^*]+?)\*\*").expect("regex"));
static LABEL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[（(]([^（）()]+)[）)]\s*[：:]?\s*$").expect("regex"));
static SIZED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?P<name>[^\[\]]+?)\s*(?:\[(?P<size>\d+(?:\.\d+)?)\s*(?P<unit>[bBmMtT])\])?$")
        .expect("regex")
});

/// The first line of the notes that reads as a lineage chain: at least two
/// arrows and a bold model name in every step.
pub fn find(text: &str) -> Option<Chain> {
    text.lines().enumerate().find_map(|(i, line)| {
        let chain = parse_line(line)?;
        Some(Chain {
            line: i + 1,
            ..chain
        })
    })
}

/// One line as a chain, if it is one.
pub fn parse_line(line: &str) -> Option<Chain> {
    let segments: Vec<&str> = ARROW.split(line).collect();
    if segments.len() < 3 {
        return None;
    }
    let mut stages = Vec::with_capacity(segments.len());
    for seg in segments {
        let names: Vec<ChainName> = BOLD
            .captures_iter(seg)
            .filter_map(|c| {
                let raw = c[1].trim();
                let m = SIZED.captures(raw)?;
                Some(ChainName {
                    name: m["name"].trim().to_string(),
                    parameters: m
                        .name("size")
                        .map(|s| format!("{}{}", s.as_str(), m["unit"].to_uppercase())),
                })
            })
            .collect();
        if names.is_empty() {
            return None;
        }
        let label = LABEL
            .captures(seg.trim_end())
            .map(|c| c[1].trim().to_string());
        stages.push(Stage { names, label });
    }
    Some(Chain { stages, line: 0 })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINE: &str = "> * **devinci**（GPT3初代）：--->[**code-davinci-001** ，**code-cushman-001[12b]**]（Codex论文）--->  [**instruct-davinci-beta**，**text-devinci-001** ]（指令微调instructGPT论文）---> [**code-devinci-002**]（beta测试，Codex）--->[**text-davinci-002**]（SFT）---> [**text-davinci-003**，**ChatGPT**]（RLHF）";

    #[test]
    fn reads_the_notes_chain() {
        let c = parse_line(LINE).expect("a chain");
        assert_eq!(c.stages.len(), 6);
        assert_eq!(c.stages[0].names[0].name, "devinci");
        assert_eq!(c.stages[0].label.as_deref(), Some("GPT3初代"));
        assert_eq!(c.stages[1].names[1].name, "code-cushman-001");
        assert_eq!(c.stages[1].names[1].parameters.as_deref(), Some("12B"));
        assert_eq!(c.stages[3].label.as_deref(), Some("beta测试，Codex"));
        assert_eq!(c.stages[5].names.len(), 2);
        assert_eq!(c.stages[5].label.as_deref(), Some("RLHF"));
    }

    #[test]
    fn ordinary_lines_are_not_chains() {
        assert!(parse_line("a ---> b").is_none());
        assert!(parse_line("**a** ---> **b**").is_none());
        assert!(parse_line("**a** ---> **b** ---> c").is_none());
        let text = format!("intro\n\n{LINE}\n");
        assert_eq!(find(&text).map(|c| c.line), Some(3));
    }
}
