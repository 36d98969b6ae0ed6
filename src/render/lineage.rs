//! `/lineage`: the family tree drawn with box characters from the engine's
//! rows, the asked model and its ancestors marked.

use super::*;
use crate::engine::lineage::{Mark, TreeRow};

pub(super) fn lineage(a: &LineageAnswer, k: &Knowledge, locale: Locale) -> (Embed, Vec<Button>) {
    let title = match a.highlight {
        Some(id) => format!("{} · {}", l::TREE_TITLE.get(locale), k.model(id).name),
        None => l::TREE_TITLE.get(locale).to_string(),
    };
    let tree = draw(&a.tree, k, locale).replace("```", "'''");
    let buttons = a
        .highlight
        .map(|id| {
            vec![button(
                k.model(id).name.clone(),
                &Command::Model {
                    name: k.model(id).slug.clone(),
                },
                false,
            )]
        })
        .unwrap_or_default();
    let embed = Embed {
        title: Some(title),
        description: Some(format!("```\n{tree}```")),
        color: Some(TEAL),
        footer: a.highlight.map(|_| Footer {
            text: l::LEGEND.get(locale).to_string(),
        }),
        ..Embed::default()
    };
    (embed, buttons)
}

/// The rows as text, one model per line, with box-drawing guides.
fn draw(rows: &[TreeRow], k: &Knowledge, locale: Locale) -> String {
    let mut out = String::new();
    for row in rows {
        let m = k.model(row.model);
        for &ancestor_was_last in &row.guides {
            out.push_str(if ancestor_was_last { "   " } else { "│  " });
        }
        if let Some(step) = row.via {
            out.push_str(if row.last { "└─ " } else { "├─ " });
            out.push_str(&format!("{} → ", method(step, locale)));
        }
        out.push_str(match row.mark {
            Mark::Asked => "★ ",
            Mark::Ancestor => "· ",
            Mark::None => "",
        });
        out.push_str(&m.name);
        if let Some(zh_name) = m.name_zh.as_deref() {
            out.push_str(&format!(" ({zh_name})"));
        }
        if row.repeat {
            out.push_str(l::SEE_ABOVE.get(locale));
        } else if row.mark == Mark::Asked {
            out.push_str(l::YOU_ASKED.get(locale));
        }
        out.push('\n');
    }
    out
}
