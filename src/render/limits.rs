//! Discord's limits, all in one place (as twilight keeps them in its
//! `validate` crate). Counted in Unicode code points, as Discord counts them.
//! Every renderer goes through [`fit`]; nothing else truncates.

use super::message::{Embed, Message};

pub const CONTENT: usize = 2000;
pub const EMBEDS: usize = 10;
pub const TITLE: usize = 256;
pub const DESCRIPTION: usize = 4096;
pub const FIELDS: usize = 25;
pub const FIELD_NAME: usize = 256;
pub const FIELD_VALUE: usize = 1024;
pub const FOOTER: usize = 2048;
pub const AUTHOR: usize = 256;
/// Title, description, field names and values, footer and author, summed
/// over all embeds of one message.
pub const EMBED_TOTAL: usize = 6000;
pub const CUSTOM_ID: usize = 100;
pub const BUTTON_LABEL: usize = 80;
/// A link button's `url` in a message request (Discord's OpenAPI description).
pub const BUTTON_URL: usize = 512;
pub const BUTTONS_PER_ROW: usize = 5;
pub const ACTION_ROWS: usize = 5;
pub const AUTOCOMPLETE_CHOICES: usize = 25;
pub const CHOICE_NAME: usize = 100;
pub const CHOICE_VALUE: usize = 100;

const ELLIPSIS: char = '…';
/// What an empty field name or value becomes (Discord rejects empty ones).
pub const BLANK: &str = "—";

pub fn chars(s: &str) -> usize {
    s.chars().count()
}

/// `s` cut to at most `max` code points, ending in `…` when cut; never empty
/// when `max > 0` and `s` was not.
pub fn truncate(s: &str, max: usize) -> String {
    if chars(s) <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out: String = s.chars().take(max - 1).collect();
    // Do not leave a dangling Markdown marker or escape before the ellipsis.
    while out.ends_with('\\') || out.ends_with('*') || out.ends_with('`') {
        out.pop();
    }
    out.push(ELLIPSIS);
    out
}

/// `s` trimmed and cut to `max`, or [`BLANK`] when nothing is left.
pub fn non_empty(s: &str, max: usize) -> String {
    let t = s.trim();
    if t.is_empty() {
        BLANK.to_string()
    } else {
        truncate(t, max)
    }
}

fn embed_len(e: &Embed) -> usize {
    e.title.as_deref().map_or(0, chars)
        + e.description.as_deref().map_or(0, chars)
        + e.fields
            .iter()
            .map(|f| chars(&f.name) + chars(&f.value))
            .sum::<usize>()
        + e.footer.as_ref().map_or(0, |f| chars(&f.text))
        + e.author.as_ref().map_or(0, |a| chars(&a.name))
}

/// Brings a message within every limit above.
pub fn fit(m: &mut Message) {
    m.content = truncate(&m.content, CONTENT);
    m.embeds.truncate(EMBEDS);
    for e in &mut m.embeds {
        e.title = e.title.as_deref().map(|t| non_empty(t, TITLE));
        e.description = e
            .description
            .as_deref()
            .map(|d| truncate(d, DESCRIPTION))
            .filter(|d| !d.trim().is_empty());
        e.fields.truncate(FIELDS);
        for f in &mut e.fields {
            f.name = non_empty(&f.name, FIELD_NAME);
            f.value = non_empty(&f.value, FIELD_VALUE);
        }
        if let Some(footer) = &mut e.footer {
            footer.text = non_empty(&footer.text, FOOTER);
        }
        if let Some(author) = &mut e.author {
            author.name = non_empty(&author.name, AUTHOR);
        }
    }
    // The 6000 budget: shorten the longest text until everything fits.
    loop {
        let total: usize = m.embeds.iter().map(embed_len).sum();
        if total <= EMBED_TOTAL {
            break;
        }
        let excess = total - EMBED_TOTAL;
        let mut longest: Option<(usize, &mut String, usize)> = None;
        for e in &mut m.embeds {
            let candidates = e
                .description
                .iter_mut()
                .map(|d| (d, 1))
                .chain(e.fields.iter_mut().map(|f| (&mut f.value, 1)));
            for (s, min) in candidates {
                let n = chars(s);
                if n > min && longest.as_ref().is_none_or(|(l, _, _)| n > *l) {
                    longest = Some((n, s, min));
                }
            }
        }
        match longest {
            Some((n, s, min)) => {
                let keep = n.saturating_sub(excess).max(min).max(n / 2);
                *s = truncate(s, keep.max(1));
            }
            None => {
                // Only titles and names are left: drop trailing embeds/fields.
                let last = m.embeds.len() - 1;
                if m.embeds[last].fields.pop().is_none() && m.embeds.len() > 1 {
                    m.embeds.pop();
                } else if m.embeds[last].fields.is_empty() {
                    let t = m.embeds[last].title.take();
                    m.embeds[last].title = t.map(|t| truncate(&t, 32));
                    if m.embeds.iter().map(embed_len).sum::<usize>() > EMBED_TOTAL {
                        m.embeds[last].footer = None;
                        m.embeds[last].author = None;
                    }
                }
            }
        }
    }
    m.components.truncate(ACTION_ROWS);
    for row in &mut m.components {
        row.components.truncate(BUTTONS_PER_ROW);
        for b in &mut row.components {
            b.label = non_empty(&b.label, BUTTON_LABEL);
            // custom_ids are never cut here: a cut id runs another command.
            // Those over CUSTOM_ID are kept on the bot's side by the
            // responder, which gives the button a short id.
        }
    }
    m.components.retain(|r| !r.components.is_empty());
}

/// Echoed user text, made inert: Markdown escaped, mentions broken with a
/// zero-width space so `@everyone` or `<@123>` can never ping.
pub fn escape_user_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '*' | '_' | '~' | '`' | '|' | '>' | '\\' | '[' | ']' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '@' => out.push_str("@\u{200b}"),
            '<' => out.push_str("<\u{200b}"),
            '\n' | '\r' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_counts_code_points() {
        let s = "对齐税".repeat(100);
        let t = truncate(&s, 10);
        assert_eq!(chars(&t), 10);
        assert!(t.ends_with('…'));
        assert_eq!(truncate("short", 10), "short");
        assert_eq!(non_empty("   ", 10), BLANK);
    }

    #[test]
    fn mentions_are_broken() {
        let e = escape_user_text("@everyone <@123> **bold**");
        assert!(!e.contains("@everyone") && !e.contains("<@1"));
        assert!(e.contains("\\*\\*bold\\*\\*"));
    }
}
