//! A model of the catalogue: its names, family, parents' method of training.
//! What it can do is not here: capability statuses are `capability.rs`'s,
//! each with its quote from the notes.

use std::fmt;

use serde::Deserialize;

use super::{PassageId, Text};

/// A model of the catalogue; an index into [`super::Knowledge::models`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ModelId(pub(crate) u16);

impl ModelId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// How a model was made from its parent: the four steps the notes name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// 代码训练: further training on code (Codex).
    CodeTraining,
    /// 指令微调: tuning on instructions (InstructGPT).
    InstructionTuning,
    /// 有监督微调: supervised fine-tuning on human-written answers.
    Sft,
    /// 基于人类反馈的强化学习.
    Rlhf,
}

impl Method {
    pub const ALL: [Method; 4] = [
        Method::CodeTraining,
        Method::InstructionTuning,
        Method::Sft,
        Method::Rlhf,
    ];

    pub fn label(self, zh: bool) -> &'static str {
        match (self, zh) {
            (Method::CodeTraining, false) => "code training",
            (Method::CodeTraining, true) => "代码训练",
            (Method::InstructionTuning, false) => "instruction tuning",
            (Method::InstructionTuning, true) => "指令微调",
            (Method::Sft, false) => "SFT",
            (Method::Sft, true) => "有监督微调 SFT",
            (Method::Rlhf, false) => "RLHF",
            (Method::Rlhf, true) => "RLHF 人类反馈强化学习",
        }
    }

    /// The method a label of the notes' lineage chain names, if any
    /// (`（Codex论文）`, `（指令微调instructGPT论文）`, `（SFT）`, `（RLHF）`).
    pub fn named_in(label: &str) -> Option<Method> {
        let l = label.to_lowercase();
        if l.contains("rlhf") {
            Some(Method::Rlhf)
        } else if l.contains("sft") {
            Some(Method::Sft)
        } else if l.contains("指令微调") || l.contains("instruct") {
            Some(Method::InstructionTuning)
        } else if l.contains("codex") || l.contains("代码训练") {
            Some(Method::CodeTraining)
        } else {
            None
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label(false))
    }
}

impl Model {
    /// Every name the model answers to: id, name, Chinese name, aliases and
    /// misspellings.
    pub fn names(&self) -> Vec<String> {
        let mut names = vec![self.slug.clone(), self.name.clone()];
        names.extend(self.name_zh.clone());
        names.extend(self.aliases.iter().cloned());
        names
    }
}

#[derive(Debug, Clone)]
pub struct Model {
    pub id: ModelId,
    /// The catalogue id, as people write it (`text-davinci-003`, `chatgpt`).
    pub slug: String,
    pub name: String,
    pub name_zh: Option<String>,
    pub family: usize,
    pub generation: Option<String>,
    /// Aliases and misspellings, including those the notes themselves use.
    pub aliases: Vec<String>,
    pub parameters: Option<String>,
    /// One line about the model: from the notes where they have one.
    pub summary: Text,
    /// The passage the summary was taken from, when it came from the notes.
    pub summary_source: Option<PassageId>,
    /// Where the catalogue's summary stands (`models.toml:57`), when it
    /// came from there.
    pub summary_at: Option<super::Source>,
    pub training: Option<Text>,
    pub gains: Vec<Text>,
    pub trade_offs: Vec<Text>,
    /// Position in the notes' lineage chain (0 = davinci), when it is on it.
    pub stage: Option<usize>,
}
