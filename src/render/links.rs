//! Where on the web pages (`crate::web`, served by `serve-http`) a command's
//! answer stands: the one place both the pages' own links and Discord's
//! "Open in browser" buttons are made, so they cannot disagree.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use crate::engine::Command;

/// What stays as it is in a path segment or a query value: letters, digits
/// and `-._~` (RFC 3986's unreserved); everything else is encoded.
const ENCODED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// One path segment or query value, percent-encoded.
pub fn encode(s: &str) -> String {
    utf8_percent_encode(s, ENCODED).to_string()
}

/// The page of a command's answer, as a path (`/model/chatgpt`,
/// `/compare/002/003`, `/search?q=…`); `None` for `/help`.
pub fn page_path(command: &Command) -> Option<String> {
    Some(match command {
        Command::Model { name } => format!("/model/{}", encode(name)),
        Command::Term { name } => format!("/term/{}", encode(name)),
        Command::Capability { name } if crate::engine::is_matrix_name(name) => {
            "/capabilities".to_string()
        }
        Command::Capability { name } => format!("/capability/{}", encode(name)),
        Command::Compare { first, second } => {
            format!("/compare/{}/{}", encode(first), encode(second))
        }
        Command::Search { query, page } if *page > 0 => {
            format!("/search?q={}&page={page}", encode(query))
        }
        Command::Search { query, .. } => format!("/search?q={}", encode(query)),
        Command::Lineage { name: Some(name) } => format!("/model/{}", encode(name)),
        Command::Lineage { name: None } => "/".to_string(),
        Command::Help => return None,
    })
}

/// A locale as the pages' `?lang=` (and `<html lang>`): `en`, `zh-CN`, `zh-TW`.
pub fn lang_code(locale: crate::engine::Locale) -> &'static str {
    use crate::engine::Locale;
    match locale {
        Locale::En => "en",
        Locale::Zh => "zh-CN",
        Locale::ZhTw => "zh-TW",
    }
}

/// `address` (a path or URL, perhaps with a query and a `#fragment`) with
/// `lang=…` added to its query: the one way the pages and Discord's links
/// name a page's language.
pub fn with_lang(address: &str, lang: &str) -> String {
    let (address, fragment) = address
        .split_once('#')
        .map_or((address, None), |(a, f)| (a, Some(f)));
    let sep = if address.contains('?') { '&' } else { '?' };
    match fragment {
        Some(f) => format!("{address}{sep}lang={lang}#{f}"),
        None => format!("{address}{sep}lang={lang}"),
    }
}

/// The page's whole address under `public_url` (`https://bot.example/`),
/// for a link button; `None` when the command has no page or the address
/// would be longer than Discord takes for a button's URL.
pub fn page_url(
    public_url: &str,
    command: &Command,
    locale: crate::engine::Locale,
) -> Option<String> {
    let path = page_path(command)?;
    let mut url = format!("{}{path}", public_url.trim_end_matches('/'));
    // In the language the answer was given in.
    if locale.is_zh() {
        url = with_lang(&url, lang_code(locale));
    }
    (url.len() <= super::limits::BUTTON_URL).then_some(url)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Locale;

    #[test]
    fn every_command_but_help_has_a_page_and_names_are_encoded() {
        let model = |n: &str| Command::Model { name: n.into() };
        assert_eq!(page_path(&model("chatgpt")).unwrap(), "/model/chatgpt");
        assert_eq!(
            page_path(&model("a/b ?#")).unwrap(),
            "/model/a%2Fb%20%3F%23"
        );
        assert_eq!(
            page_path(&Command::search("对齐税 是什么", 1)).unwrap(),
            "/search?q=%E5%AF%B9%E9%BD%90%E7%A8%8E%20%E6%98%AF%E4%BB%80%E4%B9%88&page=1"
        );
        assert_eq!(
            page_path(&Command::Capability {
                name: String::new()
            })
            .unwrap(),
            "/capabilities"
        );
        assert_eq!(page_path(&Command::Help), None);
        assert_eq!(
            page_url("https://x.example/", &model("chatgpt"), Locale::En).unwrap(),
            "https://x.example/model/chatgpt"
        );
        assert_eq!(
            page_url(
                "https://x.example",
                &Command::search("rlhf", 1),
                Locale::ZhTw
            )
            .unwrap(),
            "https://x.example/search?q=rlhf&page=1&lang=zh-TW"
        );
        let long = Command::search(&"字".repeat(300), 0);
        assert_eq!(page_url("https://x.example", &long, Locale::En), None);
    }
}
