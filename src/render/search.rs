//! `/search` and free text: the hits, matched words in bold, each with the
//! `file:line` where its text stands, and paging buttons.

use super::*;

pub(super) fn search(a: &SearchAnswer, locale: Locale) -> (Embed, Vec<Button>) {
    let mut lines = Vec::new();
    for (typed, used) in &a.corrections {
        lines.push(format!(
            "{}: **{}**? *({})*",
            l::DID_YOU_MEAN.get(locale),
            md(used),
            limits::escape_user_text(typed)
        ));
    }
    if a.hits.is_empty() {
        lines.push(l::SEARCH_NOTHING.get(locale).to_string());
    }
    for (i, h) in a.hits.iter().enumerate() {
        let rank = a.page * a.per_page + i + 1;
        lines.push(format!(
            "**{rank}. {}**\n{}\n`{}`",
            md(&h.title),
            limits::truncate(&markdown::snippet(&h.snippet), 600),
            h.source
        ));
    }
    let mut buttons = Vec::new();
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
            text: l::HITS_RANGE.fill(
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
