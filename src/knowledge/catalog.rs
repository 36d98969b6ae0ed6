//! The TOML files beside the notes: what the prose cannot carry.
//! Fields that point elsewhere keep their span, so a problem names its line.

use serde::Deserialize;
use toml::Spanned;

use crate::domain::{Method, Status, Text};

use super::error::{line_col, Problem};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelsFile {
    #[serde(default)]
    pub family: Vec<FamilyEntry>,
    #[serde(default)]
    pub model: Vec<ModelEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FamilyEntry {
    pub id: Spanned<String>,
    pub name: Text,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelEntry {
    pub id: Spanned<String>,
    pub name: String,
    pub name_zh: Option<String>,
    pub family: Spanned<String>,
    pub generation: Option<String>,
    #[serde(default)]
    pub aliases: Vec<Spanned<String>>,
    #[serde(default)]
    pub misspellings: Vec<Spanned<String>>,
    pub parameters: Option<Spanned<String>>,
    pub summary: Option<Spanned<Text>>,
    pub training: Option<Text>,
    #[serde(default)]
    pub gains: Vec<Text>,
    #[serde(default)]
    pub trade_offs: Vec<Text>,
    #[serde(default)]
    pub parents: Vec<ParentEntry>,
    /// No longer read: kept only so `check` can say where a capability's
    /// status belongs instead of a bare "unknown field".
    pub traits: Option<Spanned<toml::Value>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParentEntry {
    pub id: Spanned<String>,
    pub method: Method,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TermsFile {
    #[serde(default)]
    pub term: Vec<TermEntry>,
}

/// Adds to one row of the notes' terminology table, found by its English column.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TermEntry {
    pub row: Spanned<String>,
    pub slug: Option<String>,
    /// A corrected name to show; the notes' own spelling stays an alias.
    pub name: Option<String>,
    #[serde(default)]
    pub abbreviations: Vec<Spanned<String>>,
    #[serde(default)]
    pub aliases: Vec<Spanned<String>>,
    /// The meaning in English, for readers who do not read the 备注 column.
    pub gloss: Option<Text>,
    #[serde(default)]
    pub related: Vec<Spanned<String>>,
    #[serde(default)]
    pub models: Vec<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComparisonsFile {
    #[serde(default)]
    pub comparison: Vec<ComparisonEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComparisonEntry {
    pub id: Spanned<String>,
    /// The heading of the section, as plain text.
    pub section: Spanned<String>,
    #[serde(default)]
    pub models: Vec<Spanned<String>>,
    #[serde(default)]
    pub generations: Vec<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapabilitiesFile {
    #[serde(default)]
    pub capability: Vec<CapabilityEntry>,
}

/// A capability the notes follow, and each model's status for it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapabilityEntry {
    pub id: Spanned<String>,
    pub name: Text,
    #[serde(default)]
    pub aliases: Vec<Spanned<String>>,
    /// The slug of the term of the notes' table it is.
    pub term: Option<Spanned<String>>,
    #[serde(default)]
    pub status: Vec<StatusEntryToml>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusEntryToml {
    pub model: Spanned<String>,
    pub status: Status,
    /// Required: a status the notes do not back is refused with its line.
    pub evidence: Option<Spanned<Quotes>>,
}

/// One quote or several.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Quotes {
    One(String),
    Many(Vec<String>),
}

impl Quotes {
    pub fn list(&self) -> Vec<&str> {
        match self {
            Quotes::One(q) => vec![q.as_str()],
            Quotes::Many(qs) => qs.iter().map(String::as_str).collect(),
        }
    }
}

/// Parses one TOML file, turning a syntax or schema error into `file:line:col`.
pub fn parse_toml<T: for<'de> Deserialize<'de>>(file: &str, text: &str) -> Result<T, Problem> {
    toml::from_str(text).map_err(|e| {
        let (line, column) = e
            .span()
            .map(|s| line_col(text, s.start))
            .map_or((None, None), |(l, c)| (Some(l), Some(c)));
        Problem {
            file: file.to_string(),
            line,
            column,
            message: format!("malformed TOML: {}", e.message()),
        }
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GlossaryFile {
    #[serde(default)]
    pub same: Vec<SynonymEntry>,
}

/// Words that mean the same thing here, in either language.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SynonymEntry {
    pub words: Spanned<Vec<String>>,
}
