//! A question that follows one capability along the models ("how did
//! in-context learning change", "ChatGPT 为什么上下文学习变弱", "which models
//! are good at zero-shot") is answered by `/capability` first: the search
//! reply then leads with that capability's statuses. Recognised by two
//! things together: a capability's name (any of its names in the
//! knowledge), and wording of change or of comparing models (the lists
//! below, general, in both languages).

use crate::domain::{CapabilityId, Knowledge, NameKey};

/// Words that ask how something changed, or which models have it.
const ALONG_EN: &[&str] = &[
    "change",
    "changed",
    "changes",
    "evolve",
    "evolved",
    "across",
    "along",
    "which model",
    "which models",
    "good at",
    "better at",
    "worse at",
    "better",
    "worse",
    "stronger",
    "weaker",
    "gain",
    "gained",
    "lose",
    "lost",
    "lose",
    "restored",
    "weakened",
    "improved",
    "traded",
];
const ALONG_ZH: &[&str] = &[
    "变化",
    "变了",
    "变弱",
    "变强",
    "减弱",
    "增强",
    "恢复",
    "牺牲",
    "擅长",
    "哪些模型",
    "哪个模型",
    "演变",
    "为什么",
    "失去",
    "获得",
    "提高",
];

/// The capability `query` follows along the models, if it does.
pub fn capability_asked(k: &Knowledge, query: &str) -> Option<CapabilityId> {
    let lower = query.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !(c.is_alphanumeric() || c == '-'))
        .filter(|w| !w.is_empty())
        .collect();
    let padded = format!(" {} ", words.join(" "));
    let along = ALONG_EN.iter().any(|w| padded.contains(&format!(" {w} ")))
        || ALONG_ZH.iter().any(|w| query.contains(w));
    if !along {
        return None;
    }
    let folded = NameKey::new(query);
    k.capabilities
        .iter()
        .find(|c| {
            c.names().iter().any(|name| {
                let key = NameKey::new(name);
                if key.as_str().chars().count() < 2 {
                    return false;
                }
                if name.is_ascii() && key.as_str().len() <= 4 {
                    // Short abbreviations (ICL, CoT) only as whole words.
                    words.iter().any(|w| NameKey::new(w) == key)
                } else {
                    folded.as_str().contains(key.as_str())
                }
            })
        })
        .map(|c| c.id)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn questions_along_the_models_name_their_capability() {
        let k = crate::knowledge::load_dir(Path::new("knowledge")).expect("bundled notes");
        let slug = |q: &str| capability_asked(&k, q).map(|id| k.capability(id).slug.clone());
        assert_eq!(
            slug("how did in-context learning change").as_deref(),
            Some("in-context-learning")
        );
        assert_eq!(
            slug("ChatGPT 为什么上下文学习变弱").as_deref(),
            Some("in-context-learning")
        );
        assert!(slug("which models are good at zero-shot").is_some());
        // A capability named without asking along the models, or change
        // words without a capability: an ordinary search.
        assert_eq!(slug("what is in-context learning"), None);
        assert_eq!(slug("how did the weather change"), None);
        assert_eq!(slug("bicycle changed"), None);
    }
}
