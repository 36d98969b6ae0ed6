//! The notes on the web: read-only pages of the same answers the bot gives in
//! Discord, without Discord's limits: the whole card, every quote with its
//! `file:line`, the lineage as a zoomable SVG, the capability matrix, search,
//! and the curator's gaps behind a secret link.
//!
//! Pure: a [`Get`] in, a [`Page`] out, no sockets. `crate::http` serves it
//! (beside the interactions endpoint, with its connection limits and
//! timeouts); tests and benches call [`Site::get`] directly. Every page is
//! plain HTML rendered here (maud escapes every interpolated text, so a note
//! containing `<script>` stays text), styled by one stylesheet, with no
//! script at all, under a Content-Security-Policy that allows none.

mod gaps;
mod pages;
mod paths;

use std::path::PathBuf;

use crate::engine::{Command, Locale, Request};
use crate::respond::Responder;

pub use gaps::{gaps_token, GAPS_TOKEN_CHARS};
pub use paths::{page_of, url_of};

/// What every page is served with: no script, no plugin, no frame, styles
/// and images from this site only, forms posting only here.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// The pages' site: the engine (through the responder, so pages and Discord
/// answer from the same snapshot) and the gaps page's secret.
#[derive(Clone)]
pub struct Site {
    responder: Responder,
    /// The curator's store, for `/gaps`; `None`: no gaps page.
    data_dir: Option<PathBuf>,
    /// The secret `/gaps?token=` must carry; `None`: no gaps page.
    gaps_token: Option<String>,
}

impl std::fmt::Debug for Site {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Site")
            .field("data_dir", &self.data_dir)
            .field("gaps_token", &self.gaps_token.as_ref().map(|_| "<set>"))
            .finish_non_exhaustive()
    }
}

/// A GET request, as far as the pages read it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Get<'a> {
    /// The path, still percent-encoded (`/model/text-davinci-003`).
    pub path: &'a str,
    /// The query string without `?`.
    pub query: Option<&'a str>,
    /// The `Accept-Language` header.
    pub accept_language: Option<&'a str>,
}

/// A page to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    /// The page's language (`Content-Language`), for HTML.
    pub language: Option<&'static str>,
    /// Never cached nor sent as a referrer: the gaps page and its token.
    pub private: bool,
}

impl Page {
    fn html(status: u16, body: String, locale: Locale) -> Page {
        Page {
            status,
            content_type: "text/html; charset=utf-8",
            body: body.into_bytes(),
            language: Some(lang_code(locale)),
            private: false,
        }
    }
}

impl Site {
    /// The pages of `responder`'s engine, without a gaps page.
    pub fn new(responder: Responder) -> Site {
        Site {
            responder,
            data_dir: None,
            gaps_token: None,
        }
    }

    /// With the gaps page: the store in `data_dir`, reached with `token`.
    pub fn with_gaps(mut self, data_dir: PathBuf, token: String) -> Site {
        if token.len() >= GAPS_TOKEN_CHARS {
            self.data_dir = Some(data_dir);
            self.gaps_token = Some(token);
        }
        self
    }

    /// Whether `path` is one of the pages' (the HTTP server sends anything
    /// else to its own routes or a 404).
    pub fn serves(path: &str) -> bool {
        paths::Route::of(path).is_some()
    }

    /// The page for a GET. Synchronous: a search runs here; callers on an
    /// async runtime run it on the blocking pool.
    pub fn get(&self, get: &Get<'_>) -> Page {
        let query = paths::Query::parse(get.query.unwrap_or(""));
        let locale = query
            .lang
            .as_deref()
            .and_then(locale_named)
            .unwrap_or_else(|| from_accept_language(get.accept_language.unwrap_or("")));
        // The language links repeat this page's address: only a page's own
        // (a path that is no page, such as `//elsewhere.example`, could
        // otherwise make them lead off the site).
        let route = paths::Route::of(get.path);
        let here = if route.is_some() {
            paths::without_lang(get.path, get.query.unwrap_or(""))
        } else {
            "/".to_string()
        };
        let view = pages::View {
            locale,
            lang_param: query.lang.as_deref().and_then(locale_named).map(lang_code),
            here: &here,
        };
        let snapshot = self.responder.engine().snapshot();
        let k = snapshot.knowledge();
        let answer = |command: Command| snapshot.handle(&Request::new(command, locale));
        let Some(route) = route else {
            return Page::html(404, pages::not_found(&view), locale);
        };
        use paths::Route as R;
        match route {
            R::Home => Page::html(200, pages::home(k, &view), locale),
            R::Style => Page {
                status: 200,
                content_type: "text/css; charset=utf-8",
                body: pages::stylesheet().as_bytes().to_vec(),
                language: None,
                private: false,
            },
            R::Icon => Page {
                status: 200,
                content_type: "image/svg+xml",
                body: pages::ICON.as_bytes().to_vec(),
                language: None,
                private: false,
            },
            R::LineageSvg => {
                let highlight = query
                    .model
                    .as_deref()
                    .and_then(|m| match k.resolve_model(m) {
                        crate::domain::Resolved::One(id) => Some(id),
                        _ => None,
                    });
                Page {
                    status: 200,
                    content_type: "image/svg+xml",
                    body: crate::picture::lineage_svg(k, highlight).into_bytes(),
                    language: None,
                    private: false,
                }
            }
            R::Matrix => Page::html(200, pages::matrix(k, &snapshot.matrix(), &view), locale),
            R::Model(name) => pages::reply(k, &answer(Command::Model { name }), &view),
            R::Term(name) => pages::reply(k, &answer(Command::Term { name }), &view),
            R::Capability(name) if crate::engine::is_matrix_name(&name) => {
                Page::html(200, pages::matrix(k, &snapshot.matrix(), &view), locale)
            }
            R::Capability(name) => pages::reply(k, &answer(Command::Capability { name }), &view),
            R::Compare(first, second) => {
                pages::reply(k, &answer(Command::Compare { first, second }), &view)
            }
            R::Search => {
                let q = query.q.as_deref().unwrap_or("").trim();
                if q.is_empty() {
                    return Page::html(200, pages::search_form(&view), locale);
                }
                let page = query.page.unwrap_or(0).min(200);
                pages::reply(k, &answer(Command::search(q, page)), &view)
            }
            R::Gaps => {
                let allowed = match (&self.gaps_token, &query.token, &self.data_dir) {
                    (Some(want), Some(given), Some(_)) => gaps::same_secret(want, given),
                    _ => false,
                };
                if !allowed {
                    // Without the token the page does not exist.
                    return Page::html(404, pages::not_found(&view), locale);
                }
                let dir = self
                    .data_dir
                    .as_deref()
                    .unwrap_or(std::path::Path::new("."));
                let since_reload = self.responder.recorder().last_reload();
                let mut page = gaps::page(dir, query.days, snapshot.index(), since_reload, &view);
                page.language = Some(lang_code(locale));
                page
            }
        }
    }
}

pub use crate::render::links::lang_code;

/// `?lang=`: `en`, `zh-CN`, `zh-TW` (and `zh`, `zh-Hans`, `zh-Hant`…).
fn locale_named(lang: &str) -> Option<Locale> {
    let lang = lang.trim().to_ascii_lowercase();
    if lang == "en" || lang.starts_with("en-") {
        Some(Locale::En)
    } else if traditional(&lang) {
        Some(Locale::ZhTw)
    } else if lang == "zh" || lang.starts_with("zh-") {
        Some(Locale::Zh)
    } else {
        None
    }
}

fn traditional(lang: &str) -> bool {
    ["zh-tw", "zh-hk", "zh-mo", "zh-hant"]
        .iter()
        .any(|t| lang == *t || lang.starts_with(&format!("{t}-")))
}

/// The reader's language from `Accept-Language`: the most wanted of the
/// three the pages have (ties: the first listed); English otherwise.
pub fn from_accept_language(header: &str) -> Locale {
    let mut best: Option<(f32, Locale)> = None;
    for item in header.split(',').take(32) {
        let mut parts = item.split(';');
        let lang = parts.next().unwrap_or("").trim();
        let q = parts
            .find_map(|p| p.trim().strip_prefix("q="))
            .and_then(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        // q=0 means "not this one"; a NaN is no weight either.
        if q.is_nan() || q <= 0.0 {
            continue;
        }
        if let Some(locale) = locale_named(lang) {
            if best.is_none_or(|(b, _)| q > b) {
                best = Some((q, locale));
            }
        }
    }
    best.map_or(Locale::En, |(_, l)| l)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_language_is_the_readers_most_wanted_one() {
        assert_eq!(from_accept_language(""), Locale::En);
        assert_eq!(from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"), Locale::Zh);
        assert_eq!(
            from_accept_language("en-US,en;q=0.9,zh-TW;q=0.8"),
            Locale::En
        );
        assert_eq!(from_accept_language("fr, zh-Hant;q=0.5"), Locale::ZhTw);
        assert_eq!(from_accept_language("zh-HK"), Locale::ZhTw);
        assert_eq!(from_accept_language("de, fr;q=0.8"), Locale::En);
        assert_eq!(from_accept_language("zh;q=0, en;q=0.1"), Locale::En);
        assert_eq!(locale_named("zh-TW"), Some(Locale::ZhTw));
        assert_eq!(locale_named("ZH-cn"), Some(Locale::Zh));
        assert_eq!(locale_named("xx"), None);
    }
}
