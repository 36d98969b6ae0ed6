//! `/lineage`: the family tree as text, one model per line, the asked model
//! and its ancestors marked.

use crate::domain::{Knowledge, ModelId};

/// The tree drawn with box characters. A model with two parents is drawn
/// under its first parent and referenced under the others.
pub fn tree(k: &Knowledge, highlight: Option<ModelId>, zh: bool) -> String {
    let on_path: Vec<ModelId> = highlight
        .map(|h| {
            let mut v = k.lineage.ancestors(h);
            v.push(h);
            v
        })
        .unwrap_or_default();
    let mut drawn = vec![false; k.models.len()];
    let mut out = String::new();
    for root in k.lineage.roots() {
        draw(
            k, root, None, "", true, true, highlight, &on_path, &mut drawn, zh, &mut out,
        );
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn draw(
    k: &Knowledge,
    id: ModelId,
    via: Option<crate::domain::Method>,
    prefix: &str,
    last: bool,
    root: bool,
    highlight: Option<ModelId>,
    on_path: &[ModelId],
    drawn: &mut [bool],
    zh: bool,
    out: &mut String,
) {
    let m = k.model(id);
    let branch = if root {
        ""
    } else if last {
        "└─ "
    } else {
        "├─ "
    };
    let step = via
        .map(|v| format!("{} → ", v.label(zh)))
        .unwrap_or_default();
    let mark = if Some(id) == highlight {
        "★ "
    } else if on_path.contains(&id) {
        "· "
    } else {
        ""
    };
    let mut line = format!("{prefix}{branch}{step}{mark}{}", m.name);
    if let Some(zh_name) = m.name_zh.as_deref() {
        line.push_str(&format!(" ({zh_name})"));
    }
    if drawn[id.index()] {
        line.push_str(if zh { "（见上）" } else { " (see above)" });
        out.push_str(&line);
        out.push('\n');
        return;
    }
    if Some(id) == highlight {
        line.push_str(if zh {
            "   ← 你问的模型"
        } else {
            "   ← you asked"
        });
    }
    out.push_str(&line);
    out.push('\n');
    drawn[id.index()] = true;
    let children: Vec<_> = k.lineage.children(id).copied().collect();
    let child_prefix = if root {
        String::new()
    } else {
        format!("{prefix}{}", if last { "   " } else { "│  " })
    };
    for (i, e) in children.iter().enumerate() {
        draw(
            k,
            e.child,
            Some(e.method),
            &child_prefix,
            i + 1 == children.len(),
            false,
            highlight,
            on_path,
            drawn,
            zh,
            out,
        );
    }
}
