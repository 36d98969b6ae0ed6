//! The notes as web pages, over real HTTP from `http::serve`: every page
//! reached from `/` by following links (none broken), each page's title and
//! quotes with their `file:line`, a hostile note kept as text, the gaps
//! page only with its secret, both languages, and the links Discord's
//! answers carry to their page.

use std::collections::{BTreeSet, VecDeque};
use std::net::SocketAddr;
use std::path::Path;

use scraper::{Html, Selector};

use lineage_bot::curation::store::{Asked, Outcome, Store};
use lineage_bot::engine::{Command, Engine, Locale, Request};
use lineage_bot::http::EndpointConfig;
use lineage_bot::respond::Responder;

use crate::http_endpoint::start_with as start;

struct Got {
    status: u16,
    headers: reqwest::header::HeaderMap,
    content_type: String,
    csp: Option<String>,
    language: Option<String>,
    body: String,
}

async fn get(addr: SocketAddr, path: &str, accept_language: Option<&str>) -> Got {
    let mut request = reqwest::Client::new().get(format!("http://{addr}{path}"));
    if let Some(l) = accept_language {
        request = request.header("accept-language", l);
    }
    let r = request.send().await.unwrap();
    let header = |name: &str| {
        r.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    Got {
        status: r.status().as_u16(),
        headers: r.headers().clone(),
        content_type: header("content-type").unwrap_or_default(),
        csp: header("content-security-policy"),
        language: header("content-language"),
        body: r.text().await.unwrap(),
    }
}

fn select<'a>(html: &'a Html, css: &str) -> Vec<scraper::ElementRef<'a>> {
    html.select(&Selector::parse(css).unwrap()).collect()
}

fn text_of(e: &scraper::ElementRef<'_>) -> String {
    e.text().collect::<String>()
}

/// Every local link and picture of a page: `href` and `src` starting with
/// `/`, without their fragment.
fn local_links(html: &Html) -> Vec<String> {
    let mut out = Vec::new();
    for (css, attr) in [
        ("a[href]", "href"),
        ("img[src]", "src"),
        ("link[href]", "href"),
    ] {
        for e in select(html, css) {
            let Some(v) = e.value().attr(attr) else {
                continue;
            };
            let v = v.split('#').next().unwrap_or("");
            if v.starts_with('/') {
                out.push(v.to_string());
            } else if let Some(query) = v.strip_prefix('?') {
                // The language links: the same page in another language.
                out.push(format!("/?{query}"));
            }
        }
    }
    out
}

/// Every line `path:line` names holds text (the notes or a catalogue file).
fn cites_a_real_line(source: &str) {
    let (file, line) = source.rsplit_once(':').expect("file:line");
    let line: usize = line.parse().expect("a line number");
    let text = std::fs::read_to_string(crate::crate_path(file)).expect("the cited file exists");
    assert!(
        text.lines()
            .nth(line - 1)
            .is_some_and(|l| !l.trim().is_empty()),
        "{source} is not a line with text"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_is_reached_from_home_with_no_broken_link() {
    let server = start(crate::RESPONDER.clone(), EndpointConfig::pages_only()).await;
    let mut seen = BTreeSet::from(["/".to_string()]);
    let mut queue = VecDeque::from(["/".to_string()]);
    let mut html_pages = 0;
    let mut broken = Vec::new();
    while let Some(path) = queue.pop_front() {
        let got = get(server.addr, &path, None).await;
        if got.status != 200 {
            broken.push(format!("{path}: {}", got.status));
            continue;
        }
        assert_eq!(
            got.csp.as_deref(),
            Some(lineage_bot::web::CONTENT_SECURITY_POLICY),
            "{path}"
        );
        if !got.content_type.starts_with("text/html") {
            continue;
        }
        html_pages += 1;
        let html = Html::parse_document(&got.body);
        assert!(select(&html, "script").is_empty(), "{path} has a script");
        let title = select(&html, "title");
        assert!(
            title.len() == 1 && !text_of(&title[0]).trim().is_empty(),
            "{path}: no title"
        );
        assert_eq!(select(&html, "h1").len(), 1, "{path}: one h1");
        for cite in select(&html, "cite.source") {
            cites_a_real_line(&text_of(&cite));
        }
        for link in local_links(&html) {
            if seen.insert(link.clone()) {
                queue.push_back(link);
            }
        }
    }
    let k = crate::ENGINE.knowledge();
    eprintln!(
        "crawled {} addresses from /, {html_pages} HTML pages, {} broken",
        seen.len(),
        broken.len()
    );
    assert!(broken.is_empty(), "broken links: {broken:#?}");
    // Every model, term and capability has its page among them.
    for m in &k.models {
        assert!(seen.contains(&format!("/model/{}", m.slug)), "{}", m.slug);
    }
    for t in &k.terms {
        let path = format!("/term/{}", lineage_bot::render::links::encode(&t.slug));
        assert!(seen.contains(&path), "{path}");
    }
    for c in &k.capabilities {
        assert!(
            seen.contains(&format!("/capability/{}", c.slug)),
            "{}",
            c.slug
        );
    }
    assert!(seen.contains("/capabilities") && seen.contains("/lineage.svg"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_card_page_has_the_whole_card_and_every_quote_with_its_line() {
    let server = start(crate::RESPONDER.clone(), EndpointConfig::pages_only()).await;
    let k = crate::ENGINE.knowledge();
    for m in &k.models {
        let got = get(server.addr, &format!("/model/{}", m.slug), None).await;
        assert_eq!(got.status, 200, "{}", m.slug);
        let html = Html::parse_document(&got.body);
        assert!(text_of(&select(&html, "h1")[0]).contains(&m.name));
        let cites: Vec<String> = select(&html, "cite.source").iter().map(text_of).collect();
        for c in &k.capabilities {
            for s in c.statuses_of(m.id) {
                for e in &s.evidence {
                    // Discord cuts quotes to fit; the page has each whole.
                    assert!(
                        got.body.contains(&html_escape(&e.quote)),
                        "{}: {}",
                        m.slug,
                        e.quote
                    );
                    assert!(
                        cites.contains(&e.source.to_string()),
                        "{}: {}",
                        m.slug,
                        e.source
                    );
                }
            }
        }
    }
    let matrix = get(server.addr, "/capabilities", None).await;
    let html = Html::parse_document(&matrix.body);
    let rows = select(&html, "table.matrix tbody tr");
    assert_eq!(rows.len(), k.models.len());
    let cells = select(&html, "table.matrix td");
    assert_eq!(cells.len(), k.models.len() * k.capabilities.len());
    let statuses: usize = k.capabilities.iter().map(|c| c.statuses.len()).sum();
    let signs = select(&html, "table.matrix a.sign");
    assert_eq!(
        signs.len(),
        statuses,
        "a linked sign per status the notes give"
    );
    for a in signs {
        let href = a.value().attr("href").unwrap();
        let title = a.value().attr("title").unwrap();
        assert!(
            href.starts_with("/capability/") && href.contains("#model-"),
            "{href}"
        );
        assert!(
            title.contains("knowledge/"),
            "the quote's file:line: {title}"
        );
    }
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Copies the bundled knowledge into `to`.
fn copy_knowledge(to: &Path) {
    for entry in std::fs::read_dir(crate::crate_path("knowledge")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hostile_note_stays_text() {
    let dir = tempfile::tempdir().unwrap();
    copy_knowledge(dir.path());
    std::fs::write(
        dir.path().join("hostile.md"),
        // Raw HTML the Markdown reader drops; in a code span, or written
        // with a backslash, it is text the pages must show as text.
        "# Payloads <img src=x onerror=alert(1)>\n\nThe zebrafish payload `<script>alert('zebrafish')</script>` and \\<b>bold\\</b> \"quotes\" & <b>tags</b>.\n",
    )
    .unwrap();
    let engine = Engine::load(dir.path(), None).unwrap();
    let server = start(Responder::new(engine), EndpointConfig::pages_only()).await;
    let got = get(server.addr, "/search?q=zebrafish", None).await;
    assert_eq!(got.status, 200);
    assert!(got.body.contains("zebrafish"), "the note is found");
    assert!(!got.body.contains("<script"), "{}", got.body);
    assert!(!got.body.contains("<img src=x"), "{}", got.body);
    assert!(got.body.contains("&lt;script&gt;"), "{}", got.body);
    let html = Html::parse_document(&got.body);
    assert!(select(&html, "script").is_empty());
    assert!(select(&html, "b").is_empty(), "the note's tags are text");
    // What someone typed is text too, in the box and the title.
    let typed = get(
        server.addr,
        "/search?q=%3Cscript%3Ex%3C%2Fscript%3E%22%3E",
        None,
    )
    .await;
    assert!(!typed.body.contains("<script>x"), "{}", typed.body);
    let name = get(server.addr, "/model/%3Cscript%3E", None).await;
    assert_eq!(name.status, 404);
    assert!(!name.body.contains("<script>"), "{}", name.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gaps_page_needs_its_secret_and_plots_the_days() {
    let data = tempfile::tempdir().unwrap();
    let store = Store::open(data.path()).unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    for (i, outcome) in [Outcome::Nothing, Outcome::Nothing, Outcome::Answered]
        .into_iter()
        .enumerate()
    {
        store
            .insert_asked(&Asked {
                at: now - i as i64 * 86_400,
                question: "what is the context window of <gpt-4>".into(),
                answer_key: "k1".into(),
                locale: "en",
                outcome,
                top_source: None,
                asker: Some(format!("asker {i}")),
                wording: None,
            })
            .unwrap();
    }
    let token = lineage_bot::web::gaps_token(data.path()).unwrap();
    assert_eq!(token.len(), lineage_bot::web::GAPS_TOKEN_CHARS);
    assert_eq!(
        token,
        lineage_bot::web::gaps_token(data.path()).unwrap(),
        "the same token at every start"
    );
    let mut config = EndpointConfig::pages_only();
    config.gaps = Some((data.path().to_path_buf(), token.clone()));
    let server = start(crate::RESPONDER.clone(), config).await;
    for path in [
        "/gaps".to_string(),
        "/gaps?token=".to_string(),
        format!("/gaps?token={}", "0".repeat(token.len())),
        format!("/gaps?token={}", &token[1..]),
    ] {
        assert_eq!(get(server.addr, &path, None).await.status, 404, "{path}");
    }
    let got = get(server.addr, &format!("/gaps?token={token}"), None).await;
    assert_eq!(got.status, 200);
    // The token is in the address: never cached, never sent on as a referrer.
    assert_eq!(got.headers["cache-control"], "no-store");
    assert_eq!(got.headers["referrer-policy"], "no-referrer");
    let html = Html::parse_document(&got.body);
    assert_eq!(select(&html, "figure.plot svg").len(), 1);
    // Three days of bars: two "nothing", one "answered".
    assert_eq!(select(&html, "figure.plot svg rect").len(), 3);
    let rows = select(&html, "table.gaps tbody tr");
    assert_eq!(rows.len(), 1);
    assert!(
        text_of(&rows[0]).contains("<gpt-4>"),
        "escaped, shown as typed"
    );
    // A stub to paste into the notes, under the section it belongs to.
    let stub = select(&html, "table.gaps details.stub pre");
    assert_eq!(stub.len(), 1);
    assert!(
        text_of(&stub[0]).starts_with("* what is the context window of <gpt-4>"),
        "{}",
        text_of(&stub[0])
    );
    // Without a store configured, there is no gaps page at all.
    let plain = start(crate::RESPONDER.clone(), EndpointConfig::pages_only()).await;
    assert_eq!(
        get(plain.addr, &format!("/gaps?token={token}"), None)
            .await
            .status,
        404
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_speak_the_readers_language() {
    let server = start(crate::RESPONDER.clone(), EndpointConfig::pages_only()).await;
    let lang_of = |body: &str| {
        let html = Html::parse_document(body);
        select(&html, "html")[0]
            .value()
            .attr("lang")
            .unwrap()
            .to_string()
    };
    let en = get(server.addr, "/model/chatgpt", None).await;
    assert_eq!(lang_of(&en.body), "en");
    assert!(en.body.contains(">Lineage<"));
    let zh = get(
        server.addr,
        "/model/chatgpt",
        Some("zh-CN,zh;q=0.9,en;q=0.5"),
    )
    .await;
    assert_eq!(
        (lang_of(&zh.body).as_str(), zh.language.as_deref()),
        ("zh-CN", Some("zh-CN"))
    );
    assert!(zh.body.contains(">谱系<"));
    let tw = get(server.addr, "/model/chatgpt?lang=zh-TW", Some("en")).await;
    assert_eq!(lang_of(&tw.body), "zh-TW");
    assert!(tw.body.contains(">譜系<"), "Traditional characters");
    // With ?lang=, links keep the language.
    let html = Html::parse_document(&tw.body);
    let models: Vec<_> = select(&html, "a[href^='/model/']:not([hreflang])");
    assert!(!models.is_empty());
    for a in models {
        assert!(a.value().attr("href").unwrap().ends_with("lang=zh-TW"));
    }
    // The language links lead to the same page, its question kept.
    let search = get(server.addr, "/search?q=alignment+tax&lang=zh-CN", None).await;
    let html = Html::parse_document(&search.body);
    let english: Vec<_> = select(&html, "a[hreflang='en']");
    assert_eq!(
        english[0].value().attr("href"),
        Some("/search?q=alignment+tax&lang=en")
    );
}

#[test]
fn answers_link_to_their_page_when_the_pages_are_public() {
    let responder =
        Responder::new(crate::ENGINE.clone()).with_public_url(Some("https://lineage.example.org"));
    let link = |m: &lineage_bot::render::Message| {
        m.components
            .iter()
            .flat_map(|r| &r.components)
            .find(|b| b.url.is_some())
            .cloned()
    };
    let card = responder.answer(&Request::new(
        Command::Model {
            name: "chatgpt".into(),
        },
        Locale::En,
    ));
    let button = link(&card).expect("a link button");
    assert_eq!(
        button.url.as_deref(),
        Some("https://lineage.example.org/model/chatgpt")
    );
    assert_eq!(button.custom_id, None, "a link keeps no state");
    assert_eq!(u8::from(button.style), 5);
    let json = serde_json::to_value(&card).unwrap();
    assert!(json
        .to_string()
        .contains("\"url\":\"https://lineage.example.org/model/chatgpt\""));
    // The page it names exists, and shows the same model.
    let site = lineage_bot::web::Site::new(crate::RESPONDER.clone());
    let page = site.get(&lineage_bot::web::Get {
        path: "/model/chatgpt",
        ..Default::default()
    });
    assert_eq!(page.status, 200);
    // A search answer links to the same search; a name not found, nowhere.
    let (answer, _) = responder.answer_asked(
        &Request::new(Command::search("对齐税", 0), Locale::Zh),
        None,
    );
    assert_eq!(
        link(&answer).and_then(|b| b.url),
        Some(
            "https://lineage.example.org/search?q=%E5%AF%B9%E9%BD%90%E7%A8%8E&lang=zh-CN"
                .to_string()
        ),
        "in the language it was answered in"
    );
    let missing = responder.answer(&Request::new(
        Command::Model {
            name: "gpt-17".into(),
        },
        Locale::En,
    ));
    assert!(link(&missing).is_none());
    // Without a public address, no link.
    assert!(link(&crate::RESPONDER.answer(&Request::new(
        Command::Model {
            name: "chatgpt".into()
        },
        Locale::En
    )))
    .is_none());
}

#[test]
fn the_matrix_answers_capability_with_no_name() {
    let m = crate::RESPONDER.answer(&Request::new(
        Command::Capability {
            name: String::new(),
        },
        Locale::En,
    ));
    let embed = &m.embeds[0];
    let k = crate::ENGINE.knowledge();
    assert_eq!(
        embed.fields.len(),
        k.capabilities
            .iter()
            .filter(|c| !c.statuses.is_empty())
            .count()
    );
    assert_eq!(m.attachments[0].filename, "capabilities.png");
    crate::openapi::check(
        "POST",
        "/api/v10/interactions/1/tok/callback",
        &serde_json::json!({"type": 4, "data": m}),
    )
    .unwrap();
    let mut m = m;
    let files = crate::RESPONDER.files(&mut m);
    assert_eq!(files.len(), 1);
    let png = &files[0].bytes;
    assert!(png.len() <= 200 * 1024, "{} bytes", png.len());
    let decoder = png::Decoder::new(std::io::Cursor::new(png.as_slice()));
    let info = decoder.read_info().unwrap().info().clone();
    // Legible at Discord's preview width (~550 px): no wider than 2× that.
    assert!(info.width <= 1100, "{}", info.width);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_follow_http_and_never_lead_off_the_site() {
    let server = start(crate::RESPONDER.clone(), EndpointConfig::pages_only()).await;
    let client = reqwest::Client::new();
    let url = format!("http://{}/model/chatgpt", server.addr);
    let page = client.get(&url).send().await.unwrap();
    assert_eq!(page.headers()["vary"], "Accept-Language");
    let length = page.bytes().await.unwrap().len();
    let head = client.head(&url).send().await.unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(
        head.headers()["content-length"].to_str().unwrap(),
        length.to_string(),
        "HEAD tells the GET's length"
    );
    let post = client.post(&url).send().await.unwrap();
    assert_eq!(post.status(), 405);
    assert_eq!(post.headers()["allow"], "GET, HEAD");
    // A path that is no page gets a 404 whose links all stay on the site.
    for path in [
        "//elsewhere.example/x",
        "/%5Celsewhere.example/",
        "/nowhere?lang=zh-TW",
    ] {
        let got = get(server.addr, path, None).await;
        assert_eq!(got.status, 404, "{path}");
        let html = Html::parse_document(&got.body);
        for a in select(&html, "a[href]") {
            let href = a.value().attr("href").unwrap();
            assert!(
                href.starts_with('/') && !href.starts_with("//") && !href.contains('\\'),
                "{path}: {href}"
            );
        }
    }
}
