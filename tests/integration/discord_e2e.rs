//! The real bot (`lineage-bot run`, the binary) against a fake Discord on
//! 127.0.0.1: REST and the gateway websocket, speaking the protocol as
//! serenity expects it (see shared/design/DISCORD.md).

use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::ws::{Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::sync::mpsc;

const TOKEN: &str = "fake.discord.token-never-printed";
const APP: &str = "1000";
const GUILD: &str = "2000";
const SEARCH_CHANNEL: &str = "4000";
const OTHER_CHANNEL: &str = "4001";

#[derive(Debug, Clone)]
struct Recorded {
    method: String,
    path: String,
    body: Value,
    /// Files uploaded with a multipart request: (filename, bytes).
    files: Vec<(String, Vec<u8>)>,
    at: Instant,
    /// What the fake answered (a refusal when told to fail).
    status: u16,
}

/// A multipart/form-data body as serenity sends it with files: the
/// `payload_json` part and the files.
fn multipart(content_type: &str, body: &[u8]) -> (Value, Vec<(String, Vec<u8>)>) {
    let Some(boundary) = content_type.split("boundary=").nth(1) else {
        return (Value::Null, vec![]);
    };
    let delimiter = format!("--{}", boundary.trim_matches('"'));
    let mut json = Value::Null;
    let mut files = Vec::new();
    let starts: Vec<usize> = body
        .windows(delimiter.len())
        .enumerate()
        .filter(|(_, w)| *w == delimiter.as_bytes())
        .map(|(i, _)| i)
        .collect();
    for pair in starts.windows(2) {
        let part = &body[pair[0] + delimiter.len()..pair[1]];
        let Some(split) = part.windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        let headers = String::from_utf8_lossy(&part[..split]).to_string();
        let content = &part[split + 4..];
        let content = content.strip_suffix(b"\r\n").unwrap_or(content);
        if headers.contains("name=\"payload_json\"") {
            json = serde_json::from_slice(content).unwrap_or(Value::Null);
        } else if let Some(name) = headers
            .split("filename=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
        {
            files.push((name.to_string(), content.to_vec()));
        }
    }
    (json, files)
}

enum GatewayCmd {
    Dispatch(&'static str, Value),
    Drop,
}

#[derive(Default)]
struct Fake {
    /// Answer IDENTIFY with close code 4014, as Discord does when a
    /// privileged intent is not enabled in the developer portal.
    refuse_intents: bool,
    port: AtomicU64,
    requests: Mutex<Vec<Recorded>>,
    sessions: Mutex<Vec<Value>>,
    heartbeats: AtomicUsize,
    /// Requests to refuse before answering: (path, statuses in order).
    refusals: Mutex<Vec<(String, Vec<u16>)>>,
    seq: AtomicU64,
    gateway: Mutex<Option<mpsc::UnboundedSender<GatewayCmd>>>,
}

impl Fake {
    fn ws_url(&self) -> String {
        format!("ws://127.0.0.1:{}/ws", self.port.load(Ordering::SeqCst))
    }

    fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }

    fn send(&self, cmd: GatewayCmd) {
        let tx = self
            .gateway
            .lock()
            .unwrap()
            .clone()
            .expect("a gateway connection");
        let _ = tx.send(cmd);
    }

    fn dispatch(&self, t: &'static str, d: Value) {
        self.send(GatewayCmd::Dispatch(t, d));
    }
}

fn message_object(id: &str, channel: &str, author: &str, bot: bool, content: &str) -> Value {
    json!({
        "id": id, "channel_id": channel, "guild_id": GUILD,
        "author": {"id": author, "username": format!("user{author}"), "discriminator": "0", "bot": bot},
        "content": content, "timestamp": "2026-11-28T12:00:00.000000+00:00", "edited_timestamp": null,
        "tts": false, "mention_everyone": false, "mentions": [], "mention_roles": [],
        "attachments": [], "embeds": [], "pinned": false, "type": 0
    })
}

impl Fake {
    fn record_get(&self, path: &str) {
        self.requests.lock().unwrap().push(Recorded {
            method: "GET".into(),
            path: path.into(),
            body: Value::Null,
            files: vec![],
            at: Instant::now(),
            status: 200,
        });
    }
}

async fn gateway(State(f): State<Arc<Fake>>) -> Json<Value> {
    f.record_get("/api/v10/gateway");
    Json(json!({"url": f.ws_url()}))
}

async fn gateway_bot(State(f): State<Arc<Fake>>) -> Json<Value> {
    f.record_get("/api/v10/gateway/bot");
    Json(json!({"url": f.ws_url(), "shards": 1,
        "session_start_limit": {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}}))
}

async fn ws(State(f): State<Arc<Fake>>, upgrade: WebSocketUpgrade) -> Response {
    upgrade.on_upgrade(move |socket| session(f, socket))
}

async fn session(f: Arc<Fake>, socket: WebSocket) {
    let (mut sink, mut stream) = socket.split();
    let (tx, mut rx) = mpsc::unbounded_channel();
    *f.gateway.lock().unwrap() = Some(tx);
    let frame = |v: Value| WsMessage::Text(v.to_string().into());
    if sink
        .send(frame(json!({"op": 10, "d": {"heartbeat_interval": 1000}})))
        .await
        .is_err()
    {
        return;
    }
    loop {
        tokio::select! {
            incoming = stream.next() => {
                let Some(Ok(WsMessage::Text(text))) = incoming else { break };
                let Ok(v) = serde_json::from_str::<Value>(&text) else { continue };
                let reply = match v["op"].as_u64() {
                    Some(1) => {
                        f.heartbeats.fetch_add(1, Ordering::SeqCst);
                        Some(json!({"op": 11}))
                    }
                    Some(2) if f.refuse_intents => {
                        let close = axum::extract::ws::CloseFrame { code: 4014, reason: "Disallowed intent(s).".into() };
                        let _ = sink.send(WsMessage::Close(Some(close))).await;
                        break;
                    }
                    Some(2) => {
                        f.sessions.lock().unwrap().push(v.clone());
                        let s = f.seq.fetch_add(1, Ordering::SeqCst) + 1;
                        Some(json!({"op": 0, "s": s, "t": "READY", "d": {
                            "v": 10, "user": {"id": APP, "username": "testbot", "discriminator": "0", "bot": true},
                            "guilds": [], "session_id": "session-1", "resume_gateway_url": f.ws_url(),
                            "application": {"id": APP, "flags": 0}}}))
                    }
                    Some(6) => {
                        f.sessions.lock().unwrap().push(v.clone());
                        let s = f.seq.fetch_add(1, Ordering::SeqCst) + 1;
                        Some(json!({"op": 0, "s": s, "t": "RESUMED", "d": {}}))
                    }
                    _ => None,
                };
                if let Some(r) = reply {
                    if sink.send(frame(r)).await.is_err() { break; }
                }
            }
            cmd = rx.recv() => match cmd {
                Some(GatewayCmd::Dispatch(t, d)) => {
                    let s = f.seq.fetch_add(1, Ordering::SeqCst) + 1;
                    if sink.send(frame(json!({"op": 0, "s": s, "t": t, "d": d}))).await.is_err() { break; }
                }
                // Drop the connection without a close frame, as a network failure would.
                Some(GatewayCmd::Drop) | None => break,
            }
        }
    }
}

async fn rest(State(f): State<Arc<Fake>>, req: Request) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let content_type = req
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let bytes = axum::body::to_bytes(req.into_body(), 8 << 20)
        .await
        .unwrap_or_default();
    let (body, files) = if content_type.starts_with("multipart/form-data") {
        multipart(&content_type, &bytes)
    } else {
        (
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
            vec![],
        )
    };
    let refusal = {
        let mut refusals = f.refusals.lock().unwrap();
        refusals
            .iter_mut()
            .find(|(p, s)| *p == path && !s.is_empty())
            .map(|(_, s)| s.remove(0))
    };
    if let Some(status) = refusal {
        f.requests.lock().unwrap().push(Recorded {
            method: method.to_string(),
            path: path.clone(),
            body,
            files,
            at: Instant::now(),
            status,
        });
        let code = StatusCode::from_u16(status).unwrap();
        let body = if status == 429 {
            json!({"message": "You are being rate limited.", "retry_after": 0.2, "global": false})
        } else {
            json!({"message": "Internal Server Error", "code": 0})
        };
        return (code, [("retry-after", "0.2")], Json(body)).into_response();
    }
    f.requests.lock().unwrap().push(Recorded {
        method: method.to_string(),
        path: path.clone(),
        body: body.clone(),
        files,
        at: Instant::now(),
        status: 200,
    });
    if method == Method::PUT && path.ends_with("/commands") {
        let mut cmds = body.as_array().cloned().unwrap_or_default();
        for (i, c) in cmds.iter_mut().enumerate() {
            c["id"] = json!(format!("{}", 6000 + i));
            c["application_id"] = json!(APP);
            c["version"] = json!("1");
            c["default_member_permissions"] = Value::Null;
            c["dm_permission"] = json!(true);
        }
        return Json(Value::Array(cmds)).into_response();
    }
    if path.ends_with("/callback") || method == Method::DELETE {
        return StatusCode::NO_CONTENT.into_response();
    }
    if path.contains("/messages") {
        let channel = path.split('/').nth(4).unwrap_or(SEARCH_CHANNEL).to_string();
        let mut m = message_object("9000", &channel, APP, true, "");
        m["embeds"] = body["embeds"].clone();
        return Json(m).into_response();
    }
    if path.ends_with("/users/@me") {
        return Json(json!({"id": APP, "username": "testbot", "discriminator": "0", "bot": true}))
            .into_response();
    }
    (
        StatusCode::NOT_FOUND,
        Json(json!({"message": "Unknown", "code": 0})),
    )
        .into_response()
}

async fn start_fake() -> Arc<Fake> {
    start_fake_with(Fake::default()).await
}

async fn start_fake_with(fake: Fake) -> Arc<Fake> {
    let f = Arc::new(fake);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    f.port.store(
        listener.local_addr().unwrap().port() as u64,
        Ordering::SeqCst,
    );
    let app = Router::new()
        .route("/api/v10/gateway", get(gateway))
        .route("/api/v10/gateway/bot", get(gateway_bot))
        .route("/ws", get(ws))
        .fallback(rest)
        .with_state(f.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    f
}

/// The bot's log, for failure messages.
static LOG: Mutex<Option<std::path::PathBuf>> = Mutex::new(None);

async fn wait_until<T>(what: &str, timeout: Duration, mut probe: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = probe() {
            return v;
        }
        if start.elapsed() >= timeout {
            let log = LOG
                .lock()
                .unwrap()
                .clone()
                .map(|p| std::fs::read_to_string(p).unwrap_or_default())
                .unwrap_or_default();
            panic!("timed out waiting for {what}; the bot logged:\n{log}");
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

fn interaction(id: &str, kind: u8, locale: &str, data: Value) -> Value {
    json!({
        "id": id, "application_id": APP, "type": kind, "token": format!("tok-{id}"), "version": 1,
        "guild_id": GUILD, "channel_id": SEARCH_CHANNEL, "locale": locale,
        "member": {"user": {"id": "5000", "username": "alice", "discriminator": "0"}, "roles": [], "deaf": false, "mute": false, "flags": 0,
                   "joined_at": "2026-01-01T00:00:00.000000+00:00"},
        "entitlements": [], "attachment_size_limit": 26214400,
        "data": data
    })
}

fn command(name: &str, options: &[(&str, &str)]) -> Value {
    json!({"id": "6000", "name": name, "type": 1,
        "options": options.iter().map(|(n, v)| json!({"name": n, "type": 3, "value": v})).collect::<Vec<_>>()})
}

fn callback_request(f: &Fake, id: &str) -> Option<Recorded> {
    f.requests().into_iter().find(|r| {
        r.status < 300 && r.path == format!("/api/v10/interactions/{id}/tok-{id}/callback")
    })
}

fn callback(f: &Fake, id: &str) -> Option<Value> {
    callback_request(f, id).map(|r| r.body)
}

fn replies_in(f: &Fake, channel: &str) -> Vec<Value> {
    f.requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path == format!("/api/v10/channels/{channel}/messages"))
        .map(|r| r.body)
        .collect()
}

struct Bot(Child, std::path::PathBuf);

impl Drop for Bot {
    fn drop(&mut self) {
        let _ = self.0.kill();
    }
}

fn start_bot(port: u16, dir: &Path) -> Bot {
    start_bot_with(port, dir, 30.0, 0.0)
}

fn start_bot_with(port: u16, dir: &Path, user_cooldown: f64, channel_cooldown: f64) -> Bot {
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[discord]\ntoken = \"{TOKEN}\"\napi_url = \"http://127.0.0.1:{port}\"\nguild_ids = [\"{GUILD}\"]\n\
             search_channels = [{SEARCH_CHANNEL}]\n[discord.cooldown]\nuser_seconds = {user_cooldown:?}\nchannel_seconds = {channel_cooldown:?}\n"
        ),
    )
    .unwrap();
    let log = dir.join("bot.log");
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_lineage-bot"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["run", "--config"])
        .arg(&config)
        .env_remove("DISCORD_TOKEN")
        .env_remove("DISCORD_API_URL")
        // The gateway adapter's debug lines say when a cooldown held.
        .env("LINEAGE_BOT_LOG", "info,lineage_bot::discord=debug")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    Bot(child, log)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bot_serves_discord_end_to_end() {
    let f = start_fake().await;
    let dir = tempfile::tempdir().unwrap();
    let mut bot = start_bot(f.port.load(Ordering::SeqCst) as u16, dir.path());
    let log = bot.1.clone();
    *LOG.lock().unwrap() = Some(log.clone());
    let long = Duration::from_secs(60);

    // Start-up: GET /gateway/bot, IDENTIFY with the intents free text needs,
    // commands registered in the guild with zh-CN localisations.
    let identify = wait_until("IDENTIFY", long, || {
        f.sessions.lock().unwrap().first().cloned()
    })
    .await;
    let intents = identify["d"]["intents"].as_u64().unwrap();
    for (bit, name) in [
        (0, "GUILDS"),
        (9, "GUILD_MESSAGES"),
        (15, "MESSAGE_CONTENT"),
    ] {
        assert!(
            intents & (1 << bit) != 0,
            "intent {name} missing from {intents:#b}"
        );
    }
    assert!(identify["d"]["token"].as_str().unwrap().ends_with(TOKEN));
    let registered = wait_until("command registration", long, || {
        f.requests().into_iter().find(|r| {
            r.method == "PUT"
                && r.path == format!("/api/v10/applications/{APP}/guilds/{GUILD}/commands")
        })
    })
    .await
    .body;
    let names: Vec<&str> = registered
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["model", "term", "compare", "search", "lineage", "help", "reload"]
    );
    for c in registered.as_array().unwrap() {
        assert!(c["description_localizations"]["zh-CN"]
            .as_str()
            .is_some_and(|s| !s.is_empty()));
    }
    assert_eq!(registered[2]["options"][0]["name"], "first");
    assert_eq!(registered[2]["options"][1]["name"], "second");
    assert!(f
        .requests()
        .iter()
        .any(|r| r.path == "/api/v10/gateway/bot"));
    wait_until("a heartbeat", long, || {
        (f.heartbeats.load(Ordering::SeqCst) > 0).then_some(())
    })
    .await;

    // Each command → a callback with the expected embed, pinging no one.
    // (interaction id, command, options, locale, expected embed title)
    type Case<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)], &'a str, &'a str);
    let cases: [Case; 6] = [
        ("3001", "model", &[("name", "chatgpt")], "en-US", "ChatGPT"),
        (
            "3002",
            "term",
            &[("name", "alignment-tax")],
            "en-US",
            "Alignment tax · 对齐税",
        ),
        (
            "3003",
            "compare",
            &[("first", "002"), ("second", "003")],
            "en-US",
            "text-davinci-002 vs text-davinci-003",
        ),
        (
            "3004",
            "search",
            &[("query", "对齐税")],
            "zh-CN",
            "🔎 对齐税",
        ),
        (
            "3005",
            "lineage",
            &[("name", "chatgpt")],
            "zh-CN",
            "谱系：GPT-3 → ChatGPT · ChatGPT",
        ),
        (
            "3006",
            "help",
            &[],
            "en-US",
            "lineage-bot: how GPT-3 became ChatGPT",
        ),
    ];
    for (id, name, options, locale, title) in cases {
        f.dispatch(
            "INTERACTION_CREATE",
            interaction(id, 2, locale, command(name, options)),
        );
        let body = wait_until(&format!("the /{name} callback"), long, || callback(&f, id)).await;
        assert_eq!(body["type"], 4, "{body}");
        assert_eq!(body["data"]["embeds"][0]["title"], title, "{body}");
        assert_eq!(body["data"]["allowed_mentions"]["parse"], json!([]));
    }

    // /lineage and /model carry the family tree as a PNG, shown in the embed.
    let lineage = callback_request(&f, "3005").unwrap();
    assert_eq!(
        lineage.body["data"]["embeds"][0]["image"]["url"],
        "attachment://lineage-chatgpt.png"
    );
    assert_eq!(lineage.files.len(), 1);
    assert_eq!(lineage.files[0].0, "lineage-chatgpt.png");
    assert!(
        lineage.files[0].1.starts_with(b"\x89PNG\r\n\x1a\n"),
        "not a PNG"
    );

    // Autocomplete → type 8 with 1–25 choices.
    let focused = json!({"id": "6000", "name": "model", "type": 1,
        "options": [{"name": "name", "type": 3, "value": "chat", "focused": true}]});
    f.dispatch(
        "INTERACTION_CREATE",
        interaction("3101", 4, "en-US", focused),
    );
    let body = wait_until("autocomplete", long, || callback(&f, "3101")).await;
    assert_eq!(body["type"], 8);
    let choices = body["data"]["choices"].as_array().unwrap();
    assert!((1..=25).contains(&choices.len()));
    assert_eq!(choices[0]["value"], "chatgpt");

    // Free text: answered in a search channel, as a reply; not from bots,
    // not elsewhere; a burst from one person gets one answer.
    f.dispatch(
        "MESSAGE_CREATE",
        message_object("7001", SEARCH_CHANNEL, "5001", false, "对齐税是什么"),
    );
    let reply = wait_until("a free-text reply", long, || {
        replies_in(&f, SEARCH_CHANNEL).first().cloned()
    })
    .await;
    assert_eq!(reply["message_reference"]["message_id"], "7001");
    assert_eq!(reply["allowed_mentions"]["parse"], json!([]));
    assert!(reply["embeds"][0]["description"]
        .as_str()
        .unwrap()
        .contains("对齐税"));
    f.dispatch(
        "MESSAGE_CREATE",
        message_object("7002", SEARCH_CHANNEL, "5002", true, "what is RLHF"),
    );
    f.dispatch(
        "MESSAGE_CREATE",
        message_object("7003", OTHER_CHANNEL, "5002", false, "what is RLHF"),
    );
    for n in 0..3 {
        f.dispatch(
            "MESSAGE_CREATE",
            message_object(
                &format!("710{n}"),
                SEARCH_CHANNEL,
                "5003",
                false,
                "what is RLHF",
            ),
        );
    }
    // Events are handled concurrently, so any one of the burst may be the
    // one answered; exactly one must be.
    let burst = ["7100", "7101", "7102"];
    wait_until("the burst's answer", long, || {
        replies_in(&f, SEARCH_CHANNEL)
            .iter()
            .any(|r| {
                burst
                    .iter()
                    .any(|id| r["message_reference"]["message_id"] == *id)
            })
            .then_some(())
    })
    .await;
    // The other two were read and held back by the cooldown: wait for that.
    wait_until("the cooldown to hold the rest of the burst", long, || {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        let held = text
            .lines()
            .filter(|l| l.contains("free-text cooldown") && l.contains("user=5003"))
            .count();
        (held >= burst.len() - 1).then_some(())
    })
    .await;
    let replies = replies_in(&f, SEARCH_CHANNEL);
    let to = |id: &str| {
        replies
            .iter()
            .filter(|r| r["message_reference"]["message_id"] == id)
            .count()
    };
    assert_eq!(to("7002"), 0, "answered a bot");
    assert_eq!(
        burst.iter().map(|id| to(id)).sum::<usize>(),
        1,
        "cooldown did not hold"
    );
    assert!(
        replies_in(&f, OTHER_CHANNEL).is_empty(),
        "answered in another channel"
    );
    assert_eq!(replies.len(), 2);

    // Chatter in the search channel gets no reply. The bot logs each message
    // it stays silent on: wait for those lines, then look at the replies.
    let chatter = [
        ("7201", "thanks!"),
        ("7202", "早上好"),
        ("7203", "who wants pizza"),
        ("7204", "what time is the meeting"),
    ];
    for (id, text) in chatter {
        f.dispatch(
            "MESSAGE_CREATE",
            message_object(id, SEARCH_CHANNEL, "5004", false, text),
        );
    }
    wait_until("the bot to stay silent on the chatter", long, || {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        chatter
            .iter()
            .all(|(id, _)| {
                text.lines().any(|l| {
                    l.contains("nothing in the notes, staying silent")
                        && l.contains(&format!("msg_id={id}"))
                })
            })
            .then_some(())
    })
    .await;
    let replies = replies_in(&f, SEARCH_CHANNEL);
    for (id, text) in chatter {
        assert!(
            !replies
                .iter()
                .any(|r| r["message_reference"]["message_id"] == id),
            "replied to chatter {text:?}"
        );
    }
    // Silence costs no cooldown: the same person's question is answered.
    f.dispatch(
        "MESSAGE_CREATE",
        message_object("7205", SEARCH_CHANNEL, "5004", false, "RLHF有什么好处"),
    );
    let answer = wait_until("the answer after the chatter", long, || {
        replies_in(&f, SEARCH_CHANNEL)
            .into_iter()
            .find(|r| r["message_reference"]["message_id"] == "7205")
    })
    .await;
    let description = answer["embeds"][0]["description"].as_str().unwrap();
    assert!(description.starts_with("> "), "{description}");
    assert!(description.contains("notes.md:"), "{description}");

    // The server drops the websocket: the bot reconnects and answers again.
    let sessions = f.sessions.lock().unwrap().len();
    f.send(GatewayCmd::Drop);
    wait_until("a reconnect", long, || {
        (f.sessions.lock().unwrap().len() > sessions).then_some(())
    })
    .await;
    f.dispatch(
        "INTERACTION_CREATE",
        interaction("3201", 2, "en-US", command("model", &[("name", "003")])),
    );
    let body = wait_until("an answer after reconnecting", long, || {
        callback(&f, "3201")
    })
    .await;
    assert_eq!(body["data"]["embeds"][0]["title"], "text-davinci-003");

    // SIGTERM: a graceful exit; the token never reached the log.
    let pid = bot.0.id().to_string();
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status();
    let status = wait_until("an exit after SIGTERM", Duration::from_secs(20), || {
        bot.0.try_wait().unwrap()
    })
    .await;
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(status.success(), "exit {status:?}\n{logged}");
    assert!(!logged.contains(TOKEN), "the token was logged");
    assert!(logged.contains("registered guild commands"), "{logged}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_intent_names_the_portal_toggle() {
    let f = start_fake_with(Fake {
        refuse_intents: true,
        ..Fake::default()
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let mut bot = start_bot(f.port.load(Ordering::SeqCst) as u16, dir.path());
    let status = wait_until(
        "an exit after close code 4014",
        Duration::from_secs(30),
        || bot.0.try_wait().unwrap(),
    )
    .await;
    let logged = std::fs::read_to_string(&bot.1).unwrap();
    assert_eq!(status.code(), Some(1), "{logged}");
    assert!(
        logged.contains("Message Content Intent") && logged.contains("discord.free_text = false"),
        "{logged}"
    );
}

/// Interactions spread over `seconds` while five people flood the search
/// channel; the websocket is dropped halfway. Every interaction is answered
/// exactly once, and free text stays within the cooldowns.
async fn load(interactions: usize, seconds: f64) {
    let f = start_fake().await;
    let dir = tempfile::tempdir().unwrap();
    let bot = start_bot_with(f.port.load(Ordering::SeqCst) as u16, dir.path(), 2.0, 1.0);
    *LOG.lock().unwrap() = Some(bot.1.clone());
    let long = Duration::from_secs(120);
    wait_until("IDENTIFY", long, || {
        f.sessions.lock().unwrap().first().cloned()
    })
    .await;
    wait_until("registration", long, || {
        f.requests().iter().any(|r| r.method == "PUT").then_some(())
    })
    .await;

    let commands: [(&str, &[(&str, &str)]); 5] = [
        ("model", &[("name", "chatgpt")]),
        ("term", &[("name", "对齐税")]),
        ("compare", &[("first", "002"), ("second", "003")]),
        (
            "search",
            &[("query", "which model restored in-context learning")],
        ),
        ("help", &[]),
    ];
    let gap = Duration::from_secs_f64(seconds / interactions as f64);
    let start = Instant::now();
    let mut sent: Vec<(String, Instant)> = Vec::with_capacity(interactions);
    let mut flood = 0usize;
    let mut dropped = false;
    for n in 0..interactions {
        if !dropped && n == interactions / 2 {
            // Halfway: the connection drops; the rest is sent after the bot is back.
            let sessions = f.sessions.lock().unwrap().len();
            f.send(GatewayCmd::Drop);
            wait_until("a reconnect", long, || {
                (f.sessions.lock().unwrap().len() > sessions).then_some(())
            })
            .await;
            dropped = true;
        }
        let id = format!("{}", 100_000 + n);
        let (name, options) = commands[n % commands.len()];
        f.dispatch(
            "INTERACTION_CREATE",
            interaction(&id, 2, "en-US", command(name, options)),
        );
        sent.push((id, Instant::now()));
        // 50 free-text messages a second from five people in one channel.
        while (flood as f64) < start.elapsed().as_secs_f64() * 50.0 {
            let user = format!("{}", 8000 + flood % 5);
            f.dispatch(
                "MESSAGE_CREATE",
                message_object(
                    &format!("{}", 900_000 + flood),
                    SEARCH_CHANNEL,
                    &user,
                    false,
                    "对齐税",
                ),
            );
            flood += 1;
        }
        tokio::time::sleep(gap).await;
    }
    let sending = start.elapsed();
    wait_until("every callback", long, || {
        let got = f
            .requests()
            .iter()
            .filter(|r| r.path.ends_with("/callback"))
            .count();
        (got >= interactions).then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let requests = f.requests();
    let mut latencies = Vec::with_capacity(interactions);
    for (id, at) in &sent {
        let answers: Vec<&Recorded> = requests
            .iter()
            .filter(|r| r.path == format!("/api/v10/interactions/{id}/tok-{id}/callback"))
            .collect();
        assert_eq!(
            answers.len(),
            1,
            "interaction {id} answered {} times",
            answers.len()
        );
        latencies.push(answers[0].at.saturating_duration_since(*at));
    }
    latencies.sort();
    let p = |q: f64| latencies[((latencies.len() - 1) as f64 * q) as usize];
    let replies = replies_in(&f, SEARCH_CHANNEL).len();
    let elapsed = start.elapsed().as_secs_f64();
    eprintln!(
        "load: {interactions} interactions sent in {:.1} s, all answered once; reply p50 {:?}, p99 {:?}, max {:?}; \
         {flood} free-text messages, {replies} answers",
        sending.as_secs_f64(),
        p(0.5),
        p(0.99),
        p(1.0)
    );
    // Discord drops an interaction not answered within 3 s: every one was.
    assert!(
        p(1.0) < Duration::from_secs(3),
        "an interaction waited {:?}, past Discord's 3 s",
        p(1.0)
    );
    // A 1 s channel cooldown allows at most one answer a second (plus the first).
    assert!(
        replies as f64 <= elapsed + 1.0,
        "{replies} answers in {elapsed:.1} s"
    );
    assert!(replies >= 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_load_is_answered_in_full() {
    load(100, 2.0).await;
}

/// `cargo test --release --test integration long_load -- --ignored --nocapture`
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "takes ~15 s; run on demand"]
async fn long_load_1000_interactions_in_10_seconds() {
    load(1000, 10.0).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_requests_are_tried_again() {
    let f = start_fake().await;
    let dir = tempfile::tempdir().unwrap();
    let bot = start_bot(f.port.load(Ordering::SeqCst) as u16, dir.path());
    *LOG.lock().unwrap() = Some(bot.1.clone());
    let long = Duration::from_secs(60);
    wait_until("registration", long, || {
        f.requests().iter().any(|r| r.method == "PUT").then_some(())
    })
    .await;
    let path = |id: &str| format!("/api/v10/interactions/{id}/tok-{id}/callback");
    f.refusals
        .lock()
        .unwrap()
        .extend([(path("4001"), vec![429, 500]), (path("4002"), vec![503])]);
    for id in ["4001", "4002"] {
        f.dispatch(
            "INTERACTION_CREATE",
            interaction(id, 2, "en-US", command("model", &[("name", "chatgpt")])),
        );
    }
    for (id, refusals) in [("4001", 2), ("4002", 1)] {
        let body = wait_until(&format!("the answer to {id} after refusals"), long, || {
            callback(&f, id)
        })
        .await;
        assert_eq!(body["data"]["embeds"][0]["title"], "ChatGPT");
        let tries = f.requests().iter().filter(|r| r.path == path(id)).count();
        assert_eq!(tries, refusals + 1, "{id}: {tries} tries");
    }
    // Still serving afterwards.
    f.dispatch(
        "INTERACTION_CREATE",
        interaction("4003", 2, "en-US", command("help", &[])),
    );
    wait_until("an answer after the refusals", long, || {
        callback(&f, "4003")
    })
    .await;
}
