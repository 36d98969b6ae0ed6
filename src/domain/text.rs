//! Curated text in one or both languages, and picking the reader's.

use serde::Deserialize;

/// A piece of curated text in English and, where the curator wrote one, Chinese.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Text {
    /// The same words for every reader (model ids, mixed notes).
    Plain(String),
    Bilingual {
        en: String,
        #[serde(default)]
        zh: Option<String>,
    },
}

impl Text {
    /// The text for a reader who prefers Chinese (`zh == true`) or English.
    pub fn pick(&self, zh: bool) -> &str {
        match self {
            Text::Plain(s) => s,
            Text::Bilingual { en, zh: Some(z) } if zh => z,
            Text::Bilingual { en, .. } => en,
        }
    }

    /// Both languages, for places where knowledge shows in both: `en（zh）`.
    pub fn both(&self) -> String {
        match self {
            Text::Plain(s) => s.clone(),
            Text::Bilingual { en, zh: Some(z) } if z != en => format!("{en} · {z}"),
            Text::Bilingual { en, .. } => en.clone(),
        }
    }

    pub fn is_blank(&self) -> bool {
        match self {
            Text::Plain(s) => s.trim().is_empty(),
            Text::Bilingual { en, zh } => {
                en.trim().is_empty() && zh.as_deref().is_none_or(|z| z.trim().is_empty())
            }
        }
    }

    /// Every word of both languages, for indexing.
    pub fn all(&self) -> String {
        match self {
            Text::Plain(s) => s.clone(),
            Text::Bilingual { en, zh } => format!("{en} {}", zh.as_deref().unwrap_or("")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_chinese_only_when_there_is_some() {
        let t = Text::Bilingual {
            en: "dialogue".into(),
            zh: Some("对话".into()),
        };
        assert_eq!(t.pick(true), "对话");
        assert_eq!(t.pick(false), "dialogue");
        let e = Text::Bilingual {
            en: "dialogue".into(),
            zh: None,
        };
        assert_eq!(e.pick(true), "dialogue");
        assert_eq!(t.both(), "dialogue · 对话");
    }
}
