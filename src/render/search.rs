//! `/search` and free text: the answer first — the best one to three units
//! quoted as the notes write them, matched words in bold, each with the
//! `file:line` where that text stands (for a model or term, the notes' own
//! line for it) — then, one line each, more places in the notes, and paging
//! buttons.

use super::*;

/// Characters of a quote in the answer (Discord counts characters).
const QUOTE_CHARS: usize = 600;
/// Characters of the excerpt on a "more in the notes" line.
const MORE_CHARS: usize = 90;

pub(super) fn search(a: &SearchAnswer, k: &Knowledge, locale: Locale) -> (Embed, Vec<Button>) {
    let mut lines = Vec::new();
    let mut buttons = Vec::new();
    if let Some(id) = a.capability {
        let (line, button) = capability::along(k.capability(id), k, locale);
        lines.push(line);
        buttons.push(button);
    }
    for (typed, used) in &a.corrections {
        lines.push(format!(
            "{}: **{}**? *({})*",
            l::DID_YOU_MEAN.get(locale),
            md(used),
            limits::escape_user_text(typed)
        ));
    }
    if !a.steps.is_empty() && a.page == 0 {
        lines.push(steps(a, k, locale));
    }
    if !a.lacking.is_empty() {
        let words: Vec<String> = a
            .lacking
            .iter()
            .map(|w| format!("**{}**", limits::escape_user_text(w)))
            .collect();
        let said = if a.hits.is_empty() {
            l::NOTES_DONT_SAY_AT_ALL
        } else {
            l::NOTES_DONT_SAY
        };
        lines.push(said.fill(locale, &[&words.join(", ")]));
    } else if a.failed {
        lines.push(l::SEARCH_FAILED.get(locale).to_string());
    } else if a.hits.is_empty() {
        lines.push(l::SEARCH_NOTHING.get(locale).to_string());
    }
    let (lead, more) = a.hits.split_at(a.lead.min(a.hits.len()));
    for h in lead {
        lines.push(format!(
            "{}\n— {} `{}`",
            limits::truncate(&markdown::quote(&h.snippet), QUOTE_CHARS),
            md(&h.title),
            h.source
        ));
    }
    if !more.is_empty() {
        let mut block = vec![format!("**{}**", l::MORE_IN_NOTES.get(locale))];
        for h in more {
            block.push(format!(
                "• **{}** — {} `{}`",
                md(&limits::truncate(&h.title, 80)),
                markdown::snippet(&h.snippet.shortened(MORE_CHARS)),
                h.source
            ));
        }
        lines.push(block.join("\n"));
    }
    // Paging buttons re-run the query; an empty one has nothing to page.
    let pageable = !a.query.trim().is_empty();
    if pageable && a.page > 0 {
        buttons.push(button(
            l::PREVIOUS.get(locale),
            &Command::Search {
                query: a.query.clone(),
                page: a.page - 1,
            },
            false,
        ));
    }
    if pageable && a.has_next() {
        buttons.push(button(
            l::NEXT.get(locale),
            &Command::Search {
                query: a.query.clone(),
                page: a.page + 1,
            },
            true,
        ));
    }
    let footer = (!a.hits.is_empty()).then(|| {
        let from = a.page * a.per_page + 1;
        let to = from + a.hits.len() - 1;
        Footer {
            text: if a.total_is_lower_bound {
                l::HITS_RANGE_OF_MANY
            } else {
                l::HITS_RANGE
            }
            .fill(
                locale,
                &[&from.to_string(), &to.to_string(), &a.total.to_string()],
            ),
        }
    });
    let embed = Embed {
        title: Some(format!(
            "🔎 {}",
            limits::truncate(&limits::escape_user_text(&a.query), 200)
        )),
        description: Some(lines.join("\n\n")),
        color: Some(PINK),
        footer,
        ..Embed::default()
    };
    (embed, buttons)
}

/// The steps of the lineage a question asks about, from the graph:
/// `text-davinci-002 ─(RLHF)→ ChatGPT`.
fn steps(a: &SearchAnswer, k: &Knowledge, locale: Locale) -> String {
    let shown: Vec<String> = a
        .steps
        .iter()
        .map(|e| {
            format!(
                "{} ─({})→ {}",
                md(&k.model(e.parent).name),
                e.method.label(locale.is_zh()),
                md(&k.model(e.child).name)
            )
        })
        .collect();
    format!(
        "**{}**\n{}",
        l::IN_THE_LINEAGE.get(locale),
        shown.join("\n")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Large notes are not counted to the end: the footer says "more than".
    #[test]
    fn a_lower_bound_total_reads_more_than() {
        let engine = crate::engine::Engine::load(std::path::Path::new("knowledge"), None).unwrap();
        let crate::engine::Reply::Search(mut a) = engine.snapshot().search("alignment tax", 0)
        else {
            panic!("a search answer")
        };
        let footer = |a: &SearchAnswer, locale| {
            search(a, &engine.knowledge(), locale)
                .0
                .footer
                .unwrap()
                .text
        };
        assert!(!footer(&a, Locale::En).contains("more than"));
        a.total_is_lower_bound = true;
        a.total = 1000;
        assert!(
            footer(&a, Locale::En).ends_with("of more than 1000"),
            "{}",
            footer(&a, Locale::En)
        );
        assert!(
            footer(&a, Locale::Zh).contains("共 1000 多条"),
            "{}",
            footer(&a, Locale::Zh)
        );
    }
}
