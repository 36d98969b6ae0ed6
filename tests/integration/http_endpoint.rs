//! `serve-http`: Discord's HTTP interactions endpoint, over real loopback
//! connections with a tiny HTTP/1.1 client, requests signed with a test key.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use ed25519_dalek::{Signer, SigningKey};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use lineage_bot::engine::request::from_options;
use lineage_bot::engine::{Locale, Request};
use lineage_bot::http::{self, EndpointConfig};
use lineage_bot::render::custom_id::from_custom_id;
use lineage_bot::transport::interaction::{with_delete, Response};

/// A command's options: (name, value).
type Options<'a> = &'a [(&'a str, &'a str)];
/// Request headers: (name, value).
type Headers<'a> = Vec<(&'a str, String)>;

fn key() -> SigningKey {
    SigningKey::from_bytes(&[7; 32])
}

fn config() -> EndpointConfig {
    EndpointConfig::from_hex(&hex::encode(key().verifying_key().as_bytes())).unwrap()
}

/// A running endpoint; stops when dropped.
pub(crate) struct Server {
    pub(crate) addr: SocketAddr,
    _stop: tokio::sync::oneshot::Sender<()>,
}

async fn start(config: EndpointConfig) -> Server {
    start_with(crate::RESPONDER.clone(), config).await
}

/// The server of `responder`'s engine on a free loopback port.
pub(crate) async fn start_with(
    responder: lineage_bot::respond::Responder,
    config: EndpointConfig,
) -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        http::serve(listener, responder, config, async {
            let _ = stopped.await;
        })
        .await
        .unwrap()
    });
    Server { addr, _stop: stop }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn sign(key: &SigningKey, timestamp: &str, body: &[u8]) -> String {
    let mut m = timestamp.as_bytes().to_vec();
    m.extend_from_slice(body);
    hex::encode(key.sign(&m).to_bytes())
}

#[derive(Debug)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}): {:?} {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One request on its own connection (`Connection: close`): the request is
/// written while the reply is read, so a server that answers before reading
/// the whole body (413) does not dead-lock the test.
async fn exchange(addr: SocketAddr, head: String, body: Vec<u8>) -> Reply {
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut r, mut w) = stream.into_split();
    let writer = tokio::spawn(async move {
        let _ = w.write_all(head.as_bytes()).await;
        let _ = w.write_all(&body).await;
        let _ = w.flush().await;
        w
    });
    let mut raw = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    let read = async {
        loop {
            match r.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => raw.extend_from_slice(&buf[..n]),
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(30), read)
        .await
        .expect("the server answers within 30 s");
    writer.abort();
    parse_reply(&raw)
}

fn parse_reply(raw: &[u8]) -> Reply {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no HTTP head in {:?}", String::from_utf8_lossy(raw)));
    let head = std::str::from_utf8(&raw[..end]).unwrap();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = raw[end + 4..].to_vec();
    let chunked = headers.iter().any(|(n, v)| {
        n.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
    });
    if chunked {
        let mut out = Vec::new();
        let mut rest = &body[..];
        while let Some(eol) = rest.windows(2).position(|w| w == b"\r\n") {
            let size = usize::from_str_radix(std::str::from_utf8(&rest[..eol]).unwrap().trim(), 16)
                .unwrap();
            if size == 0 {
                break;
            }
            out.extend_from_slice(&rest[eol + 2..eol + 2 + size]);
            rest = &rest[eol + 2 + size + 2..];
        }
        body = out;
    } else if let Some(len) = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok())
    {
        body.truncate(len);
    }
    Reply {
        status,
        headers,
        body,
    }
}

fn head(method: &str, path: &str, headers: &[(&str, String)], length: Option<usize>) -> String {
    let mut h = format!("{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
    for (n, v) in headers {
        h.push_str(&format!("{n}: {v}\r\n"));
    }
    if let Some(len) = length {
        h.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {len}\r\n"
        ));
    }
    h.push_str("\r\n");
    h
}

/// POSTs `body` with the given signature headers.
async fn post_with(addr: SocketAddr, body: &[u8], headers: &[(&str, String)]) -> Reply {
    exchange(
        addr,
        head("POST", "/interactions", headers, Some(body.len())),
        body.to_vec(),
    )
    .await
}

/// POSTs `body` signed now with the test key, under a fresh interaction id
/// when it has one: the endpoint accepts each id once (replays are refused).
/// The answer must be one Discord takes (see [`discord_refuses`]).
async fn post(addr: SocketAddr, body: &Value) -> Reply {
    static NEXT_ID: AtomicU64 = AtomicU64::new(900_000);
    let mut body = body.clone();
    if body.get("id").is_some() {
        body["id"] = json!(NEXT_ID.fetch_add(1, Ordering::Relaxed).to_string());
    }
    let reply = post_signed(addr, body.to_string().as_bytes()).await;
    if let Some(why) = discord_refuses(&body, &reply) {
        panic!("Discord refuses this answer: {why}");
    }
    // An answer in the response body is an interaction callback: it must be
    // one Discord's description accepts.
    let json = reply
        .header("content-type")
        .is_some_and(|t| t.starts_with("application/json"));
    if reply.status == 200 && json {
        if let Err(e) =
            crate::openapi::check("POST", "/interactions/1/token/callback", &reply.json())
        {
            panic!("Discord would refuse this answer: {e}");
        }
    }
    reply
}

/// Discord takes a multipart/form-data response body (files with the
/// answer) only up to a size between ~82 and ~192 KB
/// (discord/discord-api-docs#5925; 100 KB here), and never for a message
/// command (#5933). `Some(why)` when it would refuse `reply` to `interaction`.
fn discord_refuses(interaction: &Value, reply: &Reply) -> Option<String> {
    let multipart = reply
        .header("content-type")
        .is_some_and(|ct| ct.starts_with("multipart/form-data"));
    if !multipart {
        return None;
    }
    if reply.body.len() > 100_000 {
        return Some(format!(
            "a multipart response of {} bytes (over 100 KB)",
            reply.body.len()
        ));
    }
    if interaction["type"] == 2 && interaction["data"]["type"] == 3 {
        return Some("a multipart response to a message command".to_string());
    }
    None
}

#[test]
fn the_fake_refuses_large_multipart_answers_and_any_to_a_message_command() {
    let reply = |bytes: usize| Reply {
        status: 200,
        headers: vec![(
            "Content-Type".into(),
            "multipart/form-data; boundary=x".into(),
        )],
        body: vec![b'x'; bytes],
    };
    let slash = json!({"type": 2, "data": {"name": "lineage", "type": 1}});
    let message_command = json!({"type": 2, "data": {"name": "Ask the notes", "type": 3}});
    assert!(discord_refuses(&slash, &reply(120_000)).is_some());
    assert!(discord_refuses(&slash, &reply(60_000)).is_none());
    assert!(discord_refuses(&message_command, &reply(1_000)).is_some());
}

async fn post_signed(addr: SocketAddr, body: &[u8]) -> Reply {
    post_signed_at(addr, body, now()).await
}

/// POSTs `body` signed with the test key, stamped `timestamp` (Unix seconds).
async fn post_signed_at(addr: SocketAddr, body: &[u8], timestamp: u64) -> Reply {
    let ts = timestamp.to_string();
    post_with(
        addr,
        body,
        &[
            ("X-Signature-Ed25519", sign(&key(), &ts, body)),
            ("X-Signature-Timestamp", ts),
        ],
    )
    .await
}

async fn get(addr: SocketAddr, path: &str) -> Reply {
    exchange(addr, head("GET", path, &[], None), vec![]).await
}

fn command(name: &str, options: &[(&str, &str)], user: Option<&str>, locale: &str) -> Value {
    let mut i = json!({
        "id": "3000", "application_id": "1000", "type": 2, "token": "tok", "version": 1,
        "channel_id": "4000", "locale": locale,
        "data": {
            "id": "6000", "name": name, "type": 1,
            "options": options.iter().map(|(n, v)| json!({"name": n, "type": 3, "value": v})).collect::<Vec<_>>(),
        }
    });
    if let Some(u) = user {
        i["guild_id"] = json!("2000");
        i["member"] = json!({"user": {"id": u, "username": "alice"}, "roles": [], "deaf": false, "mute": false, "flags": 0});
    }
    i
}

fn button(custom_id: &str, user: &str) -> Value {
    json!({
        "id": "3002", "application_id": "1000", "type": 3, "token": "tok3", "version": 1,
        "channel_id": "4000", "locale": "en-US",
        "user": {"id": user, "username": "alice"},
        "message": {"id": "7000", "channel_id": "4000"},
        "data": {"custom_id": custom_id, "component_type": 2}
    })
}

fn ping() -> Value {
    json!({"id": "3000", "application_id": "1000", "type": 1, "token": "tok", "version": 1})
}

#[tokio::test]
async fn ping_is_answered_with_pong() {
    let s = start(config()).await;
    let r = post(s.addr, &ping()).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.body, br#"{"type":1}"#);
}

#[tokio::test]
async fn every_command_answers_as_the_engine_does() {
    let s = start(config()).await;
    let responder = crate::RESPONDER.clone();
    let cases: &[(&str, Options, &str)] = &[
        ("model", &[("name", "chatgpt")], "en-US"),
        ("model", &[("name", "003")], "zh-CN"),
        ("term", &[("name", "对齐税")], "en-US"),
        ("compare", &[("first", "002"), ("second", "003")], "en-US"),
        (
            "search",
            &[("query", "why is 003 better at writing")],
            "zh-CN",
        ),
        ("lineage", &[("name", "text-davinci-002")], "en-US"),
        ("lineage", &[], "zh-TW"),
        ("help", &[], "en-US"),
    ];
    for (name, options, locale) in cases {
        for user in [Some("5000"), None] {
            let body = command(name, options, user, locale);
            let r = post(s.addr, &body).await;
            assert_eq!(r.status, 200, "/{name}: {}", r.text());
            let cmd = from_options(name, |o| {
                options
                    .iter()
                    .find(|(n, _)| *n == o)
                    .map(|(_, v)| v.to_string())
            })
            .unwrap();
            let expected = Response::Message(with_delete(
                responder.answer(&Request::new(cmd, Locale::from_discord(locale))),
                user,
            ))
            .without_files()
            .to_json();
            // The picture is left out: a JSON body, as the gateway sends
            // it otherwise.
            assert_eq!(r.header("content-type"), Some("application/json"));
            assert_eq!(r.json(), expected, "/{name} {options:?} {locale} {user:?}");
            // The answer carries a delete button for the person who asked.
            let has_delete = r.text().contains("delete:5000");
            assert_eq!(has_delete, user.is_some(), "/{name}");
        }
    }
}

#[tokio::test]
async fn a_command_answers_like_ask_json() {
    let s = start(config()).await;
    for (line, name, options, locale) in [
        (
            "/model chatgpt",
            "model",
            vec![("name", "chatgpt")],
            "en-US",
        ),
        (
            "/compare 002 003",
            "compare",
            vec![("first", "002"), ("second", "003")],
            "zh-CN",
        ),
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_lineage-bot"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env_remove("DISCORD_TOKEN")
            .args(["ask", "--json", "--locale", locale, line])
            .output()
            .expect("runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        // The same payload, the picture left out.
        let ask: lineage_bot::render::Message = serde_json::from_slice(&out.stdout).unwrap();
        let r = post(s.addr, &command(name, &options, None, locale)).await;
        assert_eq!(r.status, 200);
        assert_eq!(
            r.json(),
            Response::Message(ask.without_files()).to_json(),
            "{line}"
        );
    }
}

#[tokio::test]
async fn autocomplete_offers_choices() {
    let s = start(config()).await;
    for (command, option, typed) in [
        ("model", "name", "chat"),
        ("term", "name", "rl"),
        ("compare", "second", "00"),
        ("model", "name", ""),
    ] {
        let body = json!({
            "id": "3001", "application_id": "1000", "type": 4, "token": "tok2", "version": 1,
            "channel_id": "4000", "locale": "en-US",
            "user": {"id": "5000", "username": "alice"},
            "data": {"id": "6000", "name": command, "type": 1,
                     "options": [{"name": option, "type": 3, "value": typed, "focused": true}]}
        });
        let r = post(s.addr, &body).await;
        assert_eq!(r.status, 200, "{}", r.text());
        let v = r.json();
        assert_eq!(v["type"], 8, "{v}");
        let choices = v["data"]["choices"].as_array().unwrap();
        assert!(
            (1..=25).contains(&choices.len()),
            "/{command} {typed:?}: {v}"
        );
        for c in choices {
            assert!(c["name"].is_string() && c["value"].is_string(), "{c}");
        }
    }
}

#[tokio::test]
async fn a_button_updates_its_message() {
    let s = start(config()).await;
    // On the asker's own answer (its delete button names them).
    let mut click = button("model:text-davinci-002", "5000");
    click["message"]["components"] = json!([{"type": 1, "components": [
        {"type": 2, "style": 4, "label": "🗑", "custom_id": "delete:5000"}]}]);
    let r = post(s.addr, &click).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let expected = Response::Update(with_delete(
        crate::RESPONDER.answer(&Request::new(
            from_custom_id("model:text-davinci-002").unwrap(),
            Locale::En,
        )),
        Some("5000"),
    ))
    .without_files()
    .to_json();
    assert_eq!(r.json(), expected, "the card, its picture left out");
    assert_eq!(
        expected["data"]["attachments"],
        json!([]),
        "the old one goes"
    );
}

/// Issue #28 point 9: the README's promise, now kept: no answer of the
/// endpoint carries the picture (slash commands, buttons, message commands).
#[tokio::test]
async fn pictures_are_left_out_of_the_response_body() {
    let s = start(config()).await;
    let ask_the_notes = json!({
        "id": "3000", "application_id": "1000", "type": 2, "token": "tok", "version": 1,
        "channel_id": "4000", "locale": "en-US", "user": {"id": "5000", "username": "alice"},
        "data": {"id": "6001", "name": "Ask the notes", "type": 3, "target_id": "77",
            "resolved": {"messages": {"77": {"id": "77", "content": "which model is chatgpt's parent"}}}}
    });
    let mut card = button("model:chatgpt", "5000");
    card["message"]["flags"] = json!(64);
    for body in [
        command("lineage", &[("name", "chatgpt")], Some("5000"), "en-US"),
        command("model", &[("name", "003")], None, "zh-CN"),
        command(
            "capability",
            &[("name", "in-context-learning")],
            None,
            "en-US",
        ),
        card,
        ask_the_notes,
    ] {
        let r = post(s.addr, &body).await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(
            r.header("content-type"),
            Some("application/json"),
            "{} sent a picture",
            body["data"]
        );
        let v = r.json();
        let data = &v["data"];
        assert!(
            data["attachments"].as_array().is_none_or(Vec::is_empty),
            "{v}"
        );
        assert!(!v.to_string().contains("attachment://"), "{v}");
    }
}

/// What a fake Discord REST API was asked: (method, path).
type Asked = Arc<Mutex<Vec<(String, String)>>>;

/// A fake Discord REST API that answers each request after `delay` and
/// only then records it, and a REST client pointed at it.
async fn recording_rest(delay: Duration) -> (Arc<serenity::http::Http>, Asked) {
    let seen: Asked = Arc::default();
    let record = seen.clone();
    let app = axum::Router::new().fallback(move |req: axum::extract::Request| {
        let record = record.clone();
        async move {
            tokio::time::sleep(delay).await;
            record
                .lock()
                .unwrap()
                .push((req.method().to_string(), req.uri().path().to_string()));
            axum::Json(json!({"id": "9000", "channel_id": "1", "content": "", "embeds": []}))
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let api = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    let rest = serenity::http::HttpBuilder::new("test-token")
        .proxy(format!("http://{api}"))
        .ratelimiter_disabled(true)
        .build();
    (Arc::new(rest), seen)
}

#[tokio::test]
async fn the_delete_button_acknowledges_and_deletes_through_rest() {
    let (rest, seen) = recording_rest(Duration::ZERO).await;
    let mut config = config();
    config.rest = Some(rest);
    let s = start(config).await;

    // Someone else may not delete the answer: an ephemeral notice, no REST.
    let r = post(s.addr, &button("delete:5000", "5001")).await;
    assert_eq!(r.status, 200);
    let v = r.json();
    assert_eq!(v["type"], 4, "{v}");
    assert_eq!(v["data"]["flags"], 64, "{v}");

    // The person who asked may.
    let r = post(s.addr, &button("delete:5000", "5000")).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body, br#"{"type":6}"#);
    let mut waited = 0;
    while seen.lock().unwrap().is_empty() && waited < 200 {
        tokio::time::sleep(Duration::from_millis(25)).await;
        waited += 1;
    }
    assert_eq!(
        *seen.lock().unwrap(),
        vec![(
            "DELETE".to_string(),
            "/api/v10/webhooks/1000/tok3/messages/@original".to_string()
        )]
    );
}

#[tokio::test]
async fn bad_signatures_are_refused() {
    let s = start(config()).await;
    let body = ping().to_string().into_bytes();
    let ts = now().to_string();
    let good = sign(&key(), &ts, &body);
    let other = sign(&SigningKey::from_bytes(&[8; 32]), &ts, &body);
    let cases: Vec<(&str, Vec<u8>, Headers)> = vec![
        (
            "wrong key",
            body.clone(),
            vec![
                ("X-Signature-Ed25519", other),
                ("X-Signature-Timestamp", ts.clone()),
            ],
        ),
        (
            "tampered body",
            br#"{"id":"3000","application_id":"1000","type":2,"token":"tok","version":1}"#.to_vec(),
            vec![
                ("X-Signature-Ed25519", good.clone()),
                ("X-Signature-Timestamp", ts.clone()),
            ],
        ),
        (
            "tampered timestamp",
            body.clone(),
            vec![
                ("X-Signature-Ed25519", good.clone()),
                ("X-Signature-Timestamp", (now() - 1).to_string()),
            ],
        ),
        (
            "missing signature",
            body.clone(),
            vec![("X-Signature-Timestamp", ts.clone())],
        ),
        (
            "missing timestamp",
            body.clone(),
            vec![("X-Signature-Ed25519", good.clone())],
        ),
        ("no headers", body.clone(), vec![]),
        (
            "signature not hex",
            body.clone(),
            vec![
                ("X-Signature-Ed25519", "zz".repeat(64)),
                ("X-Signature-Timestamp", ts.clone()),
            ],
        ),
        (
            "signature too short",
            body.clone(),
            vec![
                ("X-Signature-Ed25519", good[..64].to_string()),
                ("X-Signature-Timestamp", ts.clone()),
            ],
        ),
    ];
    for (what, body, headers) in cases {
        let r = post_with(s.addr, &body, &headers).await;
        assert_eq!(r.status, 401, "{what}: {}", r.text());
        assert!(r.json()["error"].is_string(), "{what}");
    }
    // The genuine request still passes.
    let r = post_with(
        s.addr,
        &body,
        &[("X-Signature-Ed25519", good), ("X-Signature-Timestamp", ts)],
    )
    .await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn stale_and_future_timestamps_are_refused() {
    let s = start(config()).await;
    let body = ping().to_string().into_bytes();
    for (what, ts) in [
        ("10 minutes old", now() - 600),
        ("10 minutes ahead", now() + 600),
    ] {
        let r = post_signed_at(s.addr, &body, ts).await;
        assert_eq!(r.status, 401, "{what}: {}", r.text());
    }
    // Within the window (4 minutes old) is fine.
    let r = post_signed_at(s.addr, &body, now() - 240).await;
    assert_eq!(r.status, 200, "{}", r.text());
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let s = start(config()).await;
    // A 1 MiB interaction: a long search query, signed.
    let big = json!({"type": 2, "token": "t", "data": {"name": "search",
        "options": [{"name": "query", "type": 3, "value": "a".repeat(1 << 20)}]}})
    .to_string()
    .into_bytes();
    let r = post_signed(s.addr, &big).await;
    assert_eq!(r.status, 413, "{}", r.text());

    // The same body without a Content-Length (chunked): the read is capped.
    let ts = now().to_string();
    let sig = sign(&key(), &ts, &big);
    let mut chunked = Vec::new();
    for chunk in big.chunks(8192) {
        chunked.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        chunked.extend_from_slice(chunk);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let h = head(
        "POST",
        "/interactions",
        &[
            ("X-Signature-Ed25519", sig),
            ("X-Signature-Timestamp", ts),
            ("Transfer-Encoding", "chunked".to_string()),
        ],
        None,
    );
    let r = exchange(s.addr, h, chunked).await;
    assert_eq!(r.status, 413, "{}", r.text());

    // Just under the limit is read (and is no interaction).
    let mut almost = vec![b' '; 64 * 1024 - 2];
    almost.splice(0..0, *b"{}");
    let r = post_signed(s.addr, &almost).await;
    assert_eq!(r.status, 400, "{}", r.text());
}

#[tokio::test]
async fn signed_garbage_is_a_bad_request() {
    let s = start(config()).await;
    let deep = "[".repeat(10_000);
    let bodies: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"not json".to_vec(),
        b"null".to_vec(),
        b"[]".to_vec(),
        b"{}".to_vec(),
        br#"{"type":"ping"}"#.to_vec(),
        br#"{"type":1000}"#.to_vec(),
        br#"{"type":2,"data":{"options":"x"}}"#.to_vec(),
        vec![0xff, 0xfe, b'{'],
        deep.into_bytes(),
    ];
    for body in bodies {
        let r = post_signed(s.addr, &body).await;
        assert_eq!(
            r.status,
            400,
            "{:?}: {}",
            String::from_utf8_lossy(&body),
            r.text()
        );
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert!(r.json()["error"].as_str().unwrap().len() < 200);
    }
    // Odd but well-formed interactions are answered, never a crash.
    for body in [
        json!({"type": 2}),
        json!({"type": 2, "data": {"name": "nonsense"}}),
        json!({"type": 2, "data": {"name": "model", "options": [{"name": "name", "value": 42}]}}),
        json!({"type": 2, "data": {"name": "search", "options": [{"name": "query", "value": "\u{0}\u{202e}🙂".repeat(500)}]}}),
        json!({"type": 3, "data": {"custom_id": "search:x:999999999999"}}),
        json!({"type": 3}),
        json!({"type": 4, "data": {"name": "term", "options": [{"name": "name", "value": {"x": 1}, "focused": true}]}}),
        json!({"type": 5, "data": {"custom_id": "modal"}}),
    ] {
        let r = post(s.addr, &body).await;
        assert_eq!(r.status, 200, "{body}: {}", r.text());
        let v = r.json();
        assert!(v["type"].is_u64(), "{body}");
        // An engine panic would answer with a failure id instead.
        assert!(!r.text().contains("Error id"), "{body}: {v}");
    }
}

#[tokio::test]
async fn other_methods_and_paths() {
    let s = start(config()).await;
    let r = get(s.addr, "/interactions").await;
    assert_eq!(r.status, 405);
    let r = exchange(
        s.addr,
        head("PUT", "/interactions", &[], Some(2)),
        b"{}".to_vec(),
    )
    .await;
    assert_eq!(r.status, 405);
    let r = get(s.addr, "/nowhere").await;
    assert_eq!(r.status, 404);
    let r = get(s.addr, "/healthz").await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.text(),
        format!("knowledge ok: {}", crate::ENGINE.knowledge().summary())
    );
    assert!(
        r.text().starts_with("knowledge ok: 9 models"),
        "{}",
        r.text()
    );
}

#[tokio::test]
async fn keep_alive_connections_serve_many_requests() {
    let s = start(config()).await;
    let mut stream = TcpStream::connect(s.addr).await.unwrap();
    for n in 0..5 {
        let body = ping().to_string().into_bytes();
        let ts = now().to_string();
        let mut req = format!(
            "POST /interactions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\nX-Signature-Ed25519: {}\r\nX-Signature-Timestamp: {ts}\r\n\r\n",
            body.len(),
            sign(&key(), &ts, &body)
        )
        .into_bytes();
        req.extend_from_slice(&body);
        stream.write_all(&req).await.unwrap();
        // `{"type":1}` is 10 bytes: read until the head and those arrive.
        let mut raw = Vec::new();
        let mut buf = [0u8; 4096];
        while !(raw.windows(4).any(|w| w == b"\r\n\r\n") && raw.ends_with(br#"{"type":1}"#)) {
            let k = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buf))
                .await
                .unwrap()
                .unwrap();
            assert!(k > 0, "connection closed after {n} requests");
            raw.extend_from_slice(&buf[..k]);
        }
        assert_eq!(parse_reply(&raw).status, 200);
    }
}

#[tokio::test]
async fn a_replayed_interaction_is_refused() {
    let s = start(config()).await;
    let body = command("help", &[], None, "en-US");
    let bytes = body.to_string().into_bytes();
    let ts = now().to_string();
    let headers = [
        ("X-Signature-Ed25519", sign(&key(), &ts, &bytes)),
        ("X-Signature-Timestamp", ts),
    ];
    let first = post_with(s.addr, &bytes, &headers).await;
    assert_eq!(first.status, 200, "{}", first.text());
    // The very same request again (a captured one, within the 300 s window).
    let replay = post_with(s.addr, &bytes, &headers).await;
    assert_eq!(replay.status, 401, "{}", replay.text());
    assert!(
        replay.json()["error"].as_str().unwrap().contains("replay"),
        "{}",
        replay.text()
    );
    // The same id, signed again later, is the same interaction.
    let resigned = post_signed_at(s.addr, &bytes, now() - 30).await;
    assert_eq!(resigned.status, 401, "{}", resigned.text());
    // Another interaction passes; so do PINGs, as often as they come.
    let mut other = body.clone();
    other["id"] = json!("3999");
    let r = post_signed(s.addr, other.to_string().as_bytes()).await;
    assert_eq!(r.status, 200, "{}", r.text());
    for _ in 0..2 {
        let r = post_signed(s.addr, ping().to_string().as_bytes()).await;
        assert_eq!(r.status, 200, "{}", r.text());
    }
    // A body without an id is known by its signature.
    let anonymous = br#"{"type":2,"data":{"name":"help"}}"#;
    let ts = now().to_string();
    let headers = [
        ("X-Signature-Ed25519", sign(&key(), &ts, anonymous)),
        ("X-Signature-Timestamp", ts),
    ];
    assert_eq!(post_with(s.addr, anonymous, &headers).await.status, 200);
    assert_eq!(post_with(s.addr, anonymous, &headers).await.status, 401);
}

/// A running endpoint whose end can be awaited.
struct Stoppable {
    addr: SocketAddr,
    stop: tokio::sync::oneshot::Sender<()>,
    served: tokio::task::JoinHandle<()>,
}

async fn start_stoppable(config: EndpointConfig) -> Stoppable {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = tokio::spawn(http::serve(
        listener,
        crate::RESPONDER.clone(),
        config,
        async {
            let _ = stopped.await;
        },
    ));
    let served = tokio::spawn(async move { served.await.unwrap().unwrap() });
    Stoppable { addr, stop, served }
}

/// Reads until the server closes the connection (EOF or reset); the time it
/// took, or None if it is still open after `limit`.
async fn closed_within(stream: &mut TcpStream, limit: Duration) -> Option<Duration> {
    let started = Instant::now();
    let mut buf = [0u8; 1024];
    tokio::time::timeout(limit, async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
        }
    })
    .await
    .ok()
    .map(|()| started.elapsed())
}

/// Half a request head: never finished.
const HALF_HEAD: &[u8] = b"POST /interactions HTTP/1.1\r\nHost: localhost\r\nContent-Le";

#[tokio::test]
async fn idle_and_half_sent_connections_are_closed_after_the_header_timeout() {
    let mut c = config();
    c.header_timeout = Duration::from_secs(1);
    let s = start(c).await;
    let mut idle = TcpStream::connect(s.addr).await.unwrap();
    let mut half = TcpStream::connect(s.addr).await.unwrap();
    half.write_all(HALF_HEAD).await.unwrap();
    let mut kept_alive = TcpStream::connect(s.addr).await.unwrap();
    kept_alive
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .unwrap();
    for (what, stream) in [
        ("idle", &mut idle),
        ("half-sent", &mut half),
        ("kept alive after an answer", &mut kept_alive),
    ] {
        let took = closed_within(stream, Duration::from_secs(4))
            .await
            .unwrap_or_else(|| panic!("{what}: still open 4 s after a 1 s header timeout"));
        assert!(
            took < Duration::from_millis(2500),
            "{what}: closed after {took:?}"
        );
    }
}

#[tokio::test]
async fn connections_over_the_limit_wait_for_a_free_slot() {
    let mut c = config();
    c.max_connections = 2;
    let s = start(c).await;
    let first = TcpStream::connect(s.addr).await.unwrap();
    let _second = TcpStream::connect(s.addr).await.unwrap();
    // The third is queued by the kernel, not served: no answer while both
    // slots are held (the header timeout, 10 s, is far off).
    let mut third = TcpStream::connect(s.addr).await.unwrap();
    third
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 256];
    let early = tokio::time::timeout(Duration::from_millis(500), third.read(&mut buf)).await;
    assert!(early.is_err(), "served beyond the limit: {early:?}");
    // One slot frees: the queued connection is served at once.
    drop(first);
    let mut raw = Vec::new();
    let answered = tokio::time::timeout(Duration::from_secs(3), third.read_to_end(&mut raw)).await;
    assert!(answered.is_ok(), "not served after a slot freed");
    assert_eq!(parse_reply(&raw).status, 200);
}

#[tokio::test]
async fn a_stalled_request_times_out_with_503() {
    let mut c = config();
    c.request_timeout = Duration::from_secs(1);
    let s = start(c).await;
    let body = ping().to_string().into_bytes();
    let ts = now().to_string();
    let mut stream = TcpStream::connect(s.addr).await.unwrap();
    let h = head(
        "POST",
        "/interactions",
        &[
            ("X-Signature-Ed25519", sign(&key(), &ts, &body)),
            ("X-Signature-Timestamp", ts),
        ],
        Some(body.len()),
    );
    // The head and half the body; the rest never comes (the body's own
    // timeout is 10 s).
    stream.write_all(h.as_bytes()).await.unwrap();
    stream.write_all(&body[..body.len() / 2]).await.unwrap();
    let started = Instant::now();
    let mut raw = Vec::new();
    tokio::time::timeout(Duration::from_secs(4), stream.read_to_end(&mut raw))
        .await
        .expect("answered within 4 s")
        .ok();
    let r = parse_reply(&raw);
    assert_eq!(r.status, 503, "{}", r.text());
    assert!(
        started.elapsed() < Duration::from_millis(2500),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn shutdown_ends_within_the_grace_whatever_the_clients_do() {
    let s = start_stoppable(config()).await;
    // A half-sent head (10 s header timeout) and a stalled body (10 s body
    // timeout) would each hold a graceful shutdown that waits for them.
    let mut half = TcpStream::connect(s.addr).await.unwrap();
    half.write_all(HALF_HEAD).await.unwrap();
    let body = ping().to_string().into_bytes();
    let ts = now().to_string();
    let mut stalled = TcpStream::connect(s.addr).await.unwrap();
    let h = head(
        "POST",
        "/interactions",
        &[
            ("X-Signature-Ed25519", sign(&key(), &ts, &body)),
            ("X-Signature-Timestamp", ts),
        ],
        Some(body.len()),
    );
    stalled.write_all(h.as_bytes()).await.unwrap();
    // An idle keep-alive connection after an answer.
    let mut idle = TcpStream::connect(s.addr).await.unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 1024];
    let n = tokio::time::timeout(Duration::from_secs(5), idle.read(&mut buf))
        .await
        .unwrap()
        .unwrap();
    assert!(buf[..n].starts_with(b"HTTP/1.1 200"));

    let started = Instant::now();
    s.stop.send(()).unwrap();
    tokio::time::timeout(http::SHUTDOWN_GRACE + Duration::from_secs(1), s.served)
        .await
        .expect("serve() returned within the grace")
        .unwrap();
    let took = started.elapsed();
    assert!(took < Duration::from_secs(5), "{took:?}");
    // Every connection was closed, none left dangling.
    for (what, stream) in [
        ("half", &mut half),
        ("stalled", &mut stalled),
        ("idle", &mut idle),
    ] {
        assert!(
            closed_within(stream, Duration::from_secs(1))
                .await
                .is_some(),
            "{what} still open after the shutdown"
        );
    }
}

/// #28 point 10: a deferred answer still under way when the process is told
/// to stop is delivered before the endpoint returns; the old code returned
/// at once and the asker kept "thinking…" for good. The fake Discord takes
/// a moment to answer each edit, and counts it only when it has.
#[tokio::test]
async fn a_deferred_answer_is_delivered_before_the_endpoint_stops() {
    let (rest, delivered) = recording_rest(Duration::from_millis(300)).await;
    let mut config = config();
    config.rest = Some(rest);
    // Every answer is deferred.
    config.defer_after = Duration::ZERO;
    let s = start_stoppable(config).await;
    let r = post(
        s.addr,
        &command("model", &[("name", "chatgpt")], Some("5000"), "en-US"),
    )
    .await;
    assert_eq!(r.json()["type"], 5, "deferred: {}", r.text());
    s.stop.send(()).unwrap();
    s.served.await.unwrap();
    let delivered = delivered.lock().unwrap().clone();
    assert!(
        delivered
            .iter()
            .any(|(m, p)| m == "PATCH" && p.ends_with("/messages/@original")),
        "the answer was not delivered before the endpoint stopped: {delivered:?}"
    );
}
