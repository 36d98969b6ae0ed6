//! How people write names: case, full-width letters, spaces or hyphens all
//! mean the same model or term. One key type makes every comparison agree.

use std::collections::HashMap;
use std::fmt;

use super::{CapabilityId, ModelId, TermId};

/// A name folded for comparison: full-width ASCII to half-width, lowercase,
/// markup (`**`, backticks) dropped, and runs of spaces, `_` and `-` as one `-`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NameKey(String);

impl NameKey {
    pub fn new(raw: &str) -> NameKey {
        let mut out = String::with_capacity(raw.len());
        let mut pending_sep = false;
        for c in raw.chars() {
            let c = fold_width(c);
            if c == '*' || c == '`' {
                continue;
            }
            if c.is_whitespace() || c == '-' || c == '_' {
                pending_sep = !out.is_empty();
                continue;
            }
            if pending_sep {
                out.push('-');
                pending_sep = false;
            }
            out.extend(c.to_lowercase());
        }
        NameKey(out)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for NameKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Full-width forms (ＡＢＣ，１２３，　) as their ASCII twins.
pub fn fold_width(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// Optimal string alignment distance over characters (a transposition
/// counts once: `chatgtp` is one edit from `chatgpt`). Used for "did you
/// mean" in search and for suggestions and autocomplete.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > 8 {
        return a.len().abs_diff(b.len());
    }
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

/// What a name stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Named {
    Model(ModelId),
    Term(TermId),
    /// Only from the capabilities' own index: a capability name may also be
    /// a term's (`上下文学习`).
    Capability(CapabilityId),
}

/// The outcome of looking a name up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved<T> {
    One(T),
    /// A shorthand that fits several (`002`): the candidates, in catalogue order.
    Many(Vec<T>),
    None,
}

/// Every name of every model and term, folded, and the generation
/// shorthands; capability names apart, in an index of their own.
#[derive(Debug, Default, Clone)]
pub struct NameIndex {
    names: HashMap<NameKey, Named>,
    generations: HashMap<NameKey, Vec<ModelId>>,
    capabilities: HashMap<NameKey, CapabilityId>,
}

impl NameIndex {
    /// Claims `name` for `target`; returns the earlier owner if the name is taken
    /// by something else.
    pub fn claim(&mut self, name: &str, target: Named) -> Result<(), Named> {
        let key = NameKey::new(name);
        if key.is_empty() {
            return Ok(());
        }
        match self.names.get(&key) {
            Some(&owner) if owner != target => Err(owner),
            Some(_) => Ok(()),
            None => {
                self.names.insert(key, target);
                Ok(())
            }
        }
    }

    /// Claims `name` for a capability, in the capabilities' own index;
    /// returns the earlier owner if another capability has it.
    pub fn claim_capability(&mut self, name: &str, id: CapabilityId) -> Result<(), CapabilityId> {
        let key = NameKey::new(name);
        if key.is_empty() {
            return Ok(());
        }
        match self.capabilities.get(&key) {
            Some(&owner) if owner != id => Err(owner),
            Some(_) => Ok(()),
            None => {
                self.capabilities.insert(key, id);
                Ok(())
            }
        }
    }

    pub fn capability(&self, name: &str) -> Option<CapabilityId> {
        self.capabilities.get(&NameKey::new(name)).copied()
    }

    pub fn add_generation(&mut self, generation: &str, model: ModelId) {
        let list = self
            .generations
            .entry(NameKey::new(generation))
            .or_default();
        if !list.contains(&model) {
            list.push(model);
        }
    }

    pub fn get(&self, name: &str) -> Option<Named> {
        self.names.get(&NameKey::new(name)).copied()
    }

    /// A model by id, alias, misspelling or generation shorthand.
    pub fn model(&self, name: &str) -> Resolved<ModelId> {
        let key = NameKey::new(name);
        if let Some(Named::Model(id)) = self.names.get(&key) {
            return Resolved::One(*id);
        }
        match self.generations.get(&key).map(Vec::as_slice) {
            Some([one]) => Resolved::One(*one),
            Some(many) if !many.is_empty() => Resolved::Many(many.to_vec()),
            _ => Resolved::None,
        }
    }

    pub fn term(&self, name: &str) -> Option<TermId> {
        match self.names.get(&NameKey::new(name)) {
            Some(Named::Term(id)) => Some(*id),
            _ => None,
        }
    }

    pub fn generation(&self, name: &str) -> Option<&[ModelId]> {
        self.generations.get(&NameKey::new(name)).map(Vec::as_slice)
    }

    pub fn generation_names(&self) -> impl Iterator<Item = &NameKey> {
        self.generations.keys()
    }

    /// Every (folded name, target) pair, for suggestions and autocomplete;
    /// capability names included (a name may then appear twice, for a term
    /// and for a capability).
    pub fn iter(&self) -> impl Iterator<Item = (&NameKey, Named)> {
        self.names.iter().map(|(k, v)| (k, *v)).chain(
            self.capabilities
                .iter()
                .map(|(k, v)| (k, Named::Capability(*v))),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_width_and_separators() {
        assert_eq!(
            NameKey::new("Alignment  tax"),
            NameKey::new("alignment-tax")
        );
        assert_eq!(NameKey::new("ＣｈａｔＧＰＴ"), NameKey::new("chatgpt"));
        assert_eq!(
            NameKey::new("**text-davinci-003**"),
            NameKey::new("Text_Davinci 003")
        );
        assert_ne!(NameKey::new("gpt-3.5"), NameKey::new("gpt-35"));
        assert_eq!(NameKey::new("  -rlhf- ").as_str(), "rlhf");
    }

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("alignmnet", "alignment"), 1);
        assert_eq!(edit_distance("chatgtp", "chatgpt"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("对齐税", "对齐"), 1);
    }

    #[test]
    fn a_name_has_one_owner() {
        let mut idx = NameIndex::default();
        let a = Named::Model(ModelId(0));
        let b = Named::Term(TermId(0));
        assert!(idx.claim("RLHF", a).is_ok());
        assert!(idx.claim("rlhf", a).is_ok());
        assert_eq!(idx.claim("ＲＬＨＦ", b), Err(a));
    }

    #[test]
    fn generations_resolve_to_one_or_many() {
        let mut idx = NameIndex::default();
        idx.add_generation("002", ModelId(1));
        idx.add_generation("002", ModelId(2));
        idx.add_generation("003", ModelId(3));
        assert_eq!(idx.model("003"), Resolved::One(ModelId(3)));
        assert_eq!(
            idx.model("002"),
            Resolved::Many(vec![ModelId(1), ModelId(2)])
        );
        assert_eq!(idx.model("004"), Resolved::None);
    }
}
