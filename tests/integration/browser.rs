//! The pages in a real browser: Debian's headless Chromium, driven over
//! WebDriver by its chromedriver, loads `/`, a model page, the matrix and
//! the gaps page at 1280×800 and as a 390×844 phone; each page's DOM after
//! render is checked (a title and a heading, every picture loaded, no
//! console error, which includes every Content-Security-Policy violation,
//! no horizontal scroll on the phone), and a screenshot of each is written
//! to `target/browser/`.
//!
//! Without Chromium the test says so and passes, so that `cargo test` runs
//! on a fresh machine; under CI (`CI` set) a missing browser fails it:
//! `.ci/run` installs `chromium`, `chromium-driver` and a Chinese font.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{json, Value};

use lineage_bot::curation::store::{Asked, Outcome, Store};
use lineage_bot::http::{self, EndpointConfig};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// chromedriver, stopped when dropped.
struct Driver {
    child: Child,
    base: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn start_driver() -> Driver {
    let port = free_port();
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let driver = Driver {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    // Ready when its /status says so (it answers once it listens).
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(r) = client.get(format!("{}/status", driver.base)).send().await {
            if let Ok(v) = r.text().await.map(|t| serde_json::from_str::<Value>(&t)) {
                if v.ok().and_then(|v| v["value"]["ready"].as_bool()) == Some(true) {
                    return driver;
                }
            }
        }
        assert!(Instant::now() < deadline, "chromedriver never became ready");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn call(method: reqwest::Method, url: String, body: Option<Value>) -> Value {
    let client = reqwest::Client::new();
    let mut request = client.request(method, &url);
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    let text = request.send().await.unwrap().text().await.unwrap();
    let v: Value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("{url}: {text}"));
    assert!(v["value"].get("error").is_none(), "{url}: {}", v["value"]);
    v["value"].clone()
}

struct Session<'a> {
    driver: &'a Driver,
    id: String,
}

impl Session<'_> {
    fn url(&self, rest: &str) -> String {
        format!("{}/session/{}/{rest}", self.driver.base, self.id)
    }

    async fn open(&self, url: &str) {
        call(
            reqwest::Method::POST,
            self.url("url"),
            Some(json!({ "url": url })),
        )
        .await;
    }

    async fn run(&self, script: &str) -> Value {
        call(
            reqwest::Method::POST,
            self.url("execute/sync"),
            Some(json!({ "script": script, "args": [] })),
        )
        .await
    }

    async fn screenshot(&self, to: &Path) {
        let b64 = call(reqwest::Method::GET, self.url("screenshot"), None).await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(b64.as_str().unwrap())
            .unwrap();
        std::fs::write(to, png).unwrap();
    }

    /// The console's errors since the last call (chromedriver's log).
    async fn console_errors(&self) -> Vec<String> {
        let entries = call(
            reqwest::Method::POST,
            self.url("se/log"),
            Some(json!({ "type": "browser" })),
        )
        .await;
        entries
            .as_array()
            .into_iter()
            .flatten()
            .filter(|e| e["level"] == "SEVERE")
            .map(|e| e["message"].as_str().unwrap_or("").to_string())
            .collect()
    }

    async fn close(self) {
        let _ = reqwest::Client::new()
            .delete(format!("{}/session/{}", self.driver.base, self.id))
            .send()
            .await;
    }
}

async fn session<'a>(driver: &'a Driver, profile: &Path, phone: bool) -> Session<'a> {
    let mut options = json!({
        "binary": CHROMIUM,
        "args": [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--hide-scrollbars",
            format!("--user-data-dir={}", profile.display()),
            if phone { "--window-size=390,844".to_string() } else { "--window-size=1280,800".to_string() },
        ],
    });
    if phone {
        options["mobileEmulation"] = json!({
            "deviceMetrics": { "width": 390, "height": 844, "pixelRatio": 1.0, "touch": true },
            "userAgent": "Mozilla/5.0 (Linux; Android 14; Pixel) Mobile"
        });
    }
    let v = call(
        reqwest::Method::POST,
        format!("{}/session", driver.base),
        Some(json!({
            "capabilities": { "alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": options,
                "goog:loggingPrefs": { "browser": "ALL" },
            } }
        })),
    )
    .await;
    let id = v["sessionId"].as_str().unwrap().to_string();
    let s = Session { driver, id };
    if !phone {
        // The window's inner size is what a reader gets.
        call(
            reqwest::Method::POST,
            s.url("window/rect"),
            Some(json!({ "width": 1280, "height": 800 })),
        )
        .await;
    }
    s
}

async fn serve(data: &Path) -> (SocketAddr, String, tokio::sync::oneshot::Sender<()>) {
    let store = Store::open(data).unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    for (i, (q, outcome)) in [
        ("gpt-4 的上下文窗口有多大", Outcome::Nothing),
        ("what is the alignment tax", Outcome::Answered),
        ("who trained davinci", Outcome::Weak),
    ]
    .into_iter()
    .enumerate()
    {
        for day in 0..(3 + i as i64) {
            store
                .insert_asked(&Asked {
                    at: now - day * 86_400 * 2,
                    question: q.into(),
                    answer_key: format!("k{i}"),
                    locale: "en",
                    outcome,
                    top_source: None,
                    asker: Some(format!("a{day}")),
                    wording: None,
                })
                .unwrap();
        }
    }
    let token = lineage_bot::web::gaps_token(data).unwrap();
    let mut config = EndpointConfig::pages_only();
    config.gaps = Some((data.to_path_buf(), token.clone()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(http::serve(
        listener,
        crate::RESPONDER.clone(),
        config,
        async {
            let _ = stopped.await;
        },
    ));
    (addr, token, stop)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pages_render_in_a_real_browser_on_desktop_and_phone() {
    if !Path::new(CHROMIUM).exists() || !Path::new(CHROMEDRIVER).exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI needs {CHROMIUM} and {CHROMEDRIVER}: .ci/run installs Debian's chromium and chromium-driver"
        );
        eprintln!("browser test skipped: no {CHROMIUM} or {CHROMEDRIVER} (apt install chromium chromium-driver fonts-wqy-microhei)");
        return;
    }
    let data = tempfile::tempdir().unwrap();
    let (addr, token, _stop) = serve(data.path()).await;
    let out = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/browser");
    std::fs::create_dir_all(&out).unwrap();
    let driver = start_driver().await;
    let pages = [
        ("home", "/".to_string()),
        ("model-chatgpt", "/model/chatgpt".to_string()),
        ("capabilities", "/capabilities".to_string()),
        ("gaps", format!("/gaps?token={token}")),
        ("model-chatgpt-zh", "/model/chatgpt?lang=zh-CN".to_string()),
    ];
    let mut report = Vec::new();
    for (device, phone) in [("desktop-1280x800", false), ("phone-390x844", true)] {
        let profile = tempfile::tempdir().unwrap();
        let s = session(&driver, profile.path(), phone).await;
        for (name, path) in &pages {
            s.open(&format!("http://{addr}{path}")).await;
            let dom = s
                .run(
                    "return {
                        ready: document.readyState,
                        title: document.title,
                        h1: (document.querySelector('h1') || {}).textContent || '',
                        scripts: document.scripts.length,
                        images: Array.from(document.images).map(i => i.complete && i.naturalWidth > 0),
                        scrollWidth: document.documentElement.scrollWidth,
                        innerWidth: window.innerWidth,
                        lang: document.documentElement.lang,
                    };",
                )
                .await;
            let errors = s.console_errors().await;
            let file = out.join(format!("{name}-{device}.png"));
            s.screenshot(&file).await;
            let line = format!(
                "{device} {path}: ready={} title={:?} h1={:?} images={} scroll {}/{} console errors {}",
                dom["ready"], dom["title"], dom["h1"], dom["images"], dom["scrollWidth"], dom["innerWidth"], errors.len()
            );
            eprintln!("{line}");
            report.push(line);
            assert_eq!(dom["ready"], "complete", "{path}");
            assert!(
                !dom["title"].as_str().unwrap_or("").is_empty(),
                "{path}: a title"
            );
            assert!(
                !dom["h1"].as_str().unwrap_or("").trim().is_empty(),
                "{path}: a heading"
            );
            assert_eq!(dom["scripts"], 0, "{path}: no script");
            assert!(
                dom["images"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|ok| ok == true),
                "{path}: every picture loads: {}",
                dom["images"]
            );
            assert!(
                errors.is_empty(),
                "{device} {path}: console errors {errors:#?}"
            );
            if phone {
                // Not zoomed out to fit something wide, and nothing wider
                // than the phone: a wide table scrolls in its own box.
                assert_eq!(dom["innerWidth"], 390, "{path}: the phone zoomed out");
                assert!(
                    dom["scrollWidth"].as_u64() <= Some(390),
                    "{path}: the phone scrolls sideways: {}",
                    dom["scrollWidth"]
                );
            }
            let png = std::fs::read(&file).unwrap();
            assert!(png.starts_with(b"\x89PNG"), "{}", file.display());
        }
        s.close().await;
    }
    std::fs::write(out.join("report.txt"), report.join("\n") + "\n").unwrap();
}
