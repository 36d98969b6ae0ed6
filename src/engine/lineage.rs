//! `/lineage`: the family tree as rows of data (which model, under which
//! parent, by which step, marked or not). `render::lineage` draws them.

use crate::domain::{Knowledge, Method, ModelId};

/// How a row stands to the model that was asked about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    None,
    /// The model asked about.
    Asked,
    /// One of its ancestors.
    Ancestor,
}

/// One model in the drawn tree. A model with two parents is drawn under its
/// first parent and referenced (`repeat`) under the others.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeRow {
    pub model: ModelId,
    /// The step from the parent above it; `None` for a root.
    pub via: Option<Method>,
    /// For each ancestor level below the root: whether that ancestor was the
    /// last child of its parent (decides `│` or blank in the guide lines).
    pub guides: Vec<bool>,
    /// Whether this row is the last child of its parent.
    pub last: bool,
    pub mark: Mark,
    /// Already drawn above: a reference, its subtree not repeated.
    pub repeat: bool,
}

/// The tree in drawing order (depth first, children in the notes' order).
pub fn tree(k: &Knowledge, highlight: Option<ModelId>) -> Vec<TreeRow> {
    let on_path: Vec<ModelId> = highlight
        .map(|h| k.lineage.ancestors(h))
        .unwrap_or_default();
    let mut walk = Walk {
        k,
        highlight,
        on_path,
        drawn: vec![false; k.models.len()],
        rows: Vec::new(),
    };
    for root in k.lineage.roots() {
        walk.visit(root, None, Vec::new(), true);
    }
    walk.rows
}

struct Walk<'a> {
    k: &'a Knowledge,
    highlight: Option<ModelId>,
    on_path: Vec<ModelId>,
    drawn: Vec<bool>,
    rows: Vec<TreeRow>,
}

impl Walk<'_> {
    fn visit(&mut self, id: ModelId, via: Option<Method>, guides: Vec<bool>, last: bool) {
        let mark = if Some(id) == self.highlight {
            Mark::Asked
        } else if self.on_path.contains(&id) {
            Mark::Ancestor
        } else {
            Mark::None
        };
        let repeat = self.drawn[id.index()];
        self.rows.push(TreeRow {
            model: id,
            via,
            guides: guides.clone(),
            last,
            mark,
            repeat,
        });
        if repeat {
            return;
        }
        self.drawn[id.index()] = true;
        let children: Vec<_> = self.k.lineage.children(id).copied().collect();
        // A root's children start the guides; below them each level adds one.
        let mut child_guides = guides;
        if via.is_some() {
            child_guides.push(last);
        }
        for (i, e) in children.iter().enumerate() {
            self.visit(
                e.child,
                Some(e.method),
                child_guides.clone(),
                i + 1 == children.len(),
            );
        }
    }
}
