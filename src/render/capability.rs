//! `/capability`: one capability walked down the lineage, a line per model
//! (its status, the step that made it) and under it the notes' own words
//! with `file:line`; the picture of the tree coloured by status.

use super::*;
use crate::domain::{Capability, Status};
use crate::engine::{CapabilityAnswer, CapabilityRow, MatrixAnswer};

/// A quote stays readable in a line of the embed.
const QUOTE_CHARS: usize = 90;

pub(super) fn capability(
    a: &CapabilityAnswer,
    k: &Knowledge,
    locale: Locale,
) -> (Embed, Vec<Button>) {
    let c = k.capability(a.capability);
    let mut lines = Vec::new();
    if let Some(r) = &a.read_as {
        lines.push(read_as_line(r, locale));
    }
    lines.push(format!("*{}*", l::CAPABILITY_INTRO.get(locale)));
    for row in &a.rows {
        lines.extend(row_lines(row, k, locale));
    }
    let legend = Status::ALL
        .iter()
        .filter(|s| {
            a.rows
                .iter()
                .any(|r| r.statuses.iter().any(|x| x.status == **s))
        })
        .map(|&s| format!("{} {}", marker(s), l::status(s, locale)))
        .chain(std::iter::once(format!(
            "· {}",
            l::NOT_IN_NOTES.get(locale)
        )))
        .collect::<Vec<_>>()
        .join("  ");
    let mut buttons = Vec::new();
    if let Some(t) = c.term {
        let t = k.term(t);
        buttons.push(button(
            l::TERM_BUTTON.fill(
                locale,
                &[if locale.is_zh() {
                    &t.chinese
                } else {
                    &t.display
                }],
            ),
            &Command::Term {
                name: t.slug.clone(),
            },
            false,
        ));
    }
    for row in a.rows.iter().filter(|r| !r.statuses.is_empty()).take(4) {
        let m = k.model(row.model);
        buttons.push(button(
            m.name.clone(),
            &Command::Model {
                name: m.slug.clone(),
            },
            false,
        ));
    }
    let embed = Embed {
        title: Some(l::CAPABILITY_TITLE.fill(locale, &[&reader_first(&c.name, locale)])),
        description: Some(lines.join("\n")),
        color: Some(PINK),
        footer: Some(Footer {
            text: format!("{legend}\n/capability {}", c.slug),
        }),
        ..Embed::default()
    };
    (embed, buttons)
}

/// `/capability` with no name: a field per capability, each naming the
/// models with their signs in lineage order (both signs where the notes
/// disagree), the matrix picture below, a button to each capability.
pub(super) fn matrix(a: &MatrixAnswer, k: &Knowledge, locale: Locale) -> (Embed, Vec<Button>) {
    let mut fields = Vec::new();
    let mut buttons = Vec::new();
    for (column, &id) in a.capabilities.iter().enumerate() {
        let c = k.capability(id);
        let models: Vec<String> = a
            .models
            .iter()
            .enumerate()
            .filter_map(|(row, &m)| {
                let cell = a.cell(row, column);
                if cell.is_empty() {
                    return None;
                }
                let signs: String = cell
                    .iter()
                    .map(|s| marker(s.status))
                    .collect::<Vec<_>>()
                    .join("/");
                Some(format!("{signs} {}", md(&k.model(m).name)))
            })
            .collect();
        if models.is_empty() {
            continue;
        }
        fields.push(field(
            reader_first(&c.name, locale),
            models.join(" · "),
            false,
        ));
        buttons.push(button(
            l::CAPABILITY_BUTTON.fill(locale, &[c.name.pick(locale.is_zh())]),
            &Command::Capability {
                name: c.slug.clone(),
            },
            false,
        ));
    }
    let legend = a
        .statuses_used()
        .into_iter()
        .map(|s| format!("{} {}", marker(s), l::status(s, locale)))
        .collect::<Vec<_>>()
        .join("  ");
    let description = if fields.is_empty() {
        l::MATRIX_NOTHING.get(locale).to_string()
    } else {
        format!("*{}*", l::MATRIX_INTRO.get(locale))
    };
    let embed = Embed {
        title: Some(l::MATRIX_TITLE.get(locale).to_string()),
        description: Some(description),
        color: Some(PINK),
        fields,
        footer: Some(Footer {
            text: format!("{legend}\n/capability"),
        }),
        ..Embed::default()
    };
    (embed, buttons)
}

/// A model's line, then a line per quote; a model the notes say nothing of
/// gets one short line.
fn row_lines(row: &CapabilityRow, k: &Knowledge, locale: Locale) -> Vec<String> {
    let m = k.model(row.model);
    let via = row
        .via
        .iter()
        .map(|e| {
            format!(
                "{} ({})",
                md(&k.model(e.parent).name),
                method(e.method, locale)
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let via = if via.is_empty() {
        String::new()
    } else {
        format!(" ← {via}")
    };
    let Some((first, more)) = row.statuses.split_first() else {
        return vec![format!(
            "· {}{via} — *{}*",
            md(&m.name),
            l::NOT_IN_NOTES.get(locale)
        )];
    };
    let mut lines = vec![format!(
        "{} **{}**{via} — **{}**",
        marker(first.status),
        md(&m.name),
        l::status(first.status, locale)
    )];
    lines.extend(first.evidence.iter().map(quote_line));
    for s in more {
        lines.push(format!(
            "  {} *{}:* **{}**",
            marker(s.status),
            l::ALSO_SAID.get(locale),
            l::status(s.status, locale)
        ));
        lines.extend(s.evidence.iter().map(quote_line));
    }
    lines
}

/// Both names, the reader's language first: `上下文学习 · In-context learning`.
fn reader_first(name: &Text, locale: Locale) -> String {
    match name {
        Text::Bilingual { en, zh: Some(zh) } if zh != en && locale.is_zh() => {
            format!("{zh} · {en}")
        }
        other => other.both(),
    }
}

fn quote_line(e: &crate::domain::Evidence) -> String {
    format!(
        "> “{}” `{}`",
        md(&limits::truncate(&e.quote, QUOTE_CHARS)),
        e.source
    )
}

/// One sign per status (the picture uses colours, the text these).
pub(super) fn marker(s: Status) -> &'static str {
    s.sign()
}

/// A quote on a card (`/model`, `/compare`) is shorter than on the
/// capability's own view: it shows where the status comes from, and the
/// button leads to the whole saying.
const CARD_QUOTE_CHARS: usize = 60;

/// One capability's statuses for a model as a card shows them: the status
/// words, then the notes' first quote for each status with `file:line`.
/// These are the only capability facts a card shows (one source:
/// capabilities.toml, every status quoted); None when the notes give none.
pub(super) fn card_lines(
    c: &Capability,
    model: ModelId,
    locale: Locale,
) -> Option<(Status, String, Vec<String>)> {
    let statuses: Vec<&crate::domain::StatusEntry> = c.statuses_of(model).collect();
    let first = statuses.first()?.status;
    let words = statuses
        .iter()
        .map(|s| l::status(s.status, locale))
        .collect::<Vec<_>>()
        .join(" / ");
    let quotes = statuses
        .iter()
        .filter_map(|s| s.evidence.first())
        .map(|e| {
            format!(
                "> “{}” `{}`",
                md(&limits::truncate(&e.quote, CARD_QUOTE_CHARS)),
                e.source
            )
        })
        .collect();
    Some((first, words, quotes))
}

/// `/model`'s lines per capability the notes give it a status for, each
/// status with its quote.
pub(super) fn model_statuses(
    model: ModelId,
    k: &Knowledge,
    locale: Locale,
) -> Vec<(String, Command)> {
    k.capabilities
        .iter()
        .filter_map(|c| {
            let (first, words, quotes) = card_lines(c, model, locale)?;
            let mut lines = vec![format!(
                "{} {}: **{}**",
                marker(first),
                md(c.name.pick(locale.is_zh())),
                words
            )];
            lines.extend(quotes);
            Some((
                lines.join("\n"),
                Command::Capability {
                    name: c.slug.clone(),
                },
            ))
        })
        .collect()
}

/// For a search that follows this capability along the models: one line of
/// each model's first status in the notes, in the catalogue's (lineage)
/// order, and a button to the whole view.
pub(super) fn along(c: &Capability, k: &Knowledge, locale: Locale) -> (String, Button) {
    let steps: Vec<String> = k
        .models
        .iter()
        .filter_map(|m| {
            let s = c.main_status(m.id)?;
            Some(format!(
                "{} {} {}",
                marker(s),
                md(&m.name),
                l::status(s, locale)
            ))
        })
        .collect();
    let name = c.name.pick(locale.is_zh());
    let line = format!(
        "**{}**\n{}",
        l::ALONG_THE_LINEAGE.fill(locale, &[&md(name)]),
        steps.join(" · ")
    );
    let go = button(
        l::CAPABILITY_BUTTON.fill(locale, &[name]),
        &Command::Capability {
            name: c.slug.clone(),
        },
        true,
    );
    (line, go)
}
