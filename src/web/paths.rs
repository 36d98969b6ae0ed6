//! The pages' addresses: a path read as a route, a query string read as
//! its parameters. Links are made by `render::links`, the one place.

use percent_encoding::percent_decode_str;

pub use crate::render::links::{page_path as page_of, page_url as url_of};

/// Longest name read from a path: names are short; a longer one is no page.
const MAX_NAME_CHARS: usize = 200;

/// A page of the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Home,
    Style,
    Icon,
    LineageSvg,
    Matrix,
    Model(String),
    Term(String),
    Capability(String),
    Compare(String, String),
    Search,
    Gaps,
}

impl Route {
    /// The route of a path (percent-encoded); `None`: not a page.
    pub fn of(path: &str) -> Option<Route> {
        let path = path
            .strip_suffix('/')
            .filter(|p| !p.is_empty())
            .unwrap_or(path);
        Some(match path {
            "/" => Route::Home,
            "/style.css" => Route::Style,
            // Browsers ask for /favicon.ico whatever the page names.
            "/favicon.svg" | "/favicon.ico" => Route::Icon,
            "/lineage.svg" => Route::LineageSvg,
            "/capabilities" => Route::Matrix,
            "/search" => Route::Search,
            "/gaps" => Route::Gaps,
            _ => {
                let mut parts = path.strip_prefix('/')?.split('/');
                let kind = parts.next()?;
                let names: Vec<String> = parts.map(name).collect::<Option<_>>()?;
                match (kind, names.as_slice()) {
                    ("model", [n]) => Route::Model(n.clone()),
                    ("term", [n]) => Route::Term(n.clone()),
                    ("capability", [n]) => Route::Capability(n.clone()),
                    ("compare", [a, b]) => Route::Compare(a.clone(), b.clone()),
                    _ => return None,
                }
            }
        })
    }
}

/// A path segment decoded: UTF-8, not blank, not too long.
fn name(segment: &str) -> Option<String> {
    let s = percent_decode_str(segment).decode_utf8().ok()?;
    let s = s.trim();
    (!s.is_empty() && s.chars().count() <= MAX_NAME_CHARS && !s.chars().any(char::is_control))
        .then(|| s.to_string())
}

/// The query parameters the pages read; the others are ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    pub q: Option<String>,
    pub page: Option<usize>,
    pub lang: Option<String>,
    pub model: Option<String>,
    pub token: Option<String>,
    pub days: Option<u32>,
}

impl Query {
    pub fn parse(query: &str) -> Query {
        let mut out = Query::default();
        for (k, v) in form_urlencoded::parse(query.as_bytes()).take(32) {
            let v = v.into_owned();
            match k.as_ref() {
                "q" => out.q = Some(v.chars().take(crate::search::MAX_QUERY_CHARS).collect()),
                // Counts from 0, as `/search`'s buttons do.
                "page" => out.page = v.parse::<usize>().ok(),
                "lang" => out.lang = Some(v),
                "model" => out.model = Some(v),
                "token" => out.token = Some(v),
                "days" => out.days = v.parse().ok().filter(|d| (1..=3650).contains(d)),
                _ => {}
            }
        }
        out
    }
}

/// A page's path and query with its `lang` taken out (the rest kept as
/// sent), for the links to the same page in another language.
pub fn without_lang(path: &str, query: &str) -> String {
    let kept: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("lang=") && *p != "lang")
        .collect();
    if kept.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", kept.join("&"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_routes_and_names_are_decoded() {
        assert_eq!(Route::of("/"), Some(Route::Home));
        assert_eq!(Route::of("/capabilities/"), Some(Route::Matrix));
        assert_eq!(
            Route::of("/model/text%2Ddavinci%2D003"),
            Some(Route::Model("text-davinci-003".into()))
        );
        assert_eq!(
            Route::of("/compare/002/003"),
            Some(Route::Compare("002".into(), "003".into()))
        );
        assert_eq!(
            Route::of("/term/%E5%AF%B9%E9%BD%90%E7%A8%8E"),
            Some(Route::Term("对齐税".into()))
        );
        for not_a_page in [
            "/model",
            "/model/",
            "/model/a/b",
            "/x",
            "/model/%FF",
            "/model/%20",
            "/compare/a",
        ] {
            assert_eq!(Route::of(not_a_page), None, "{not_a_page}");
        }
        assert_eq!(
            without_lang("/search", "q=a+b&lang=zh-TW&page=1"),
            "/search?q=a+b&page=1"
        );
        assert_eq!(without_lang("/", "lang=en"), "/");
        let q = Query::parse("q=%E5%AF%B9+x&page=2&lang=zh-TW&junk=1&days=0");
        assert_eq!(q.q.as_deref(), Some("对 x"));
        assert_eq!(q.page, Some(2));
        assert_eq!(q.lang.as_deref(), Some("zh-TW"));
        assert_eq!(q.days, None);
    }
}
