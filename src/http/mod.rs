//! `serve-http`: Discord's HTTP interactions endpoint.
//!
//! Discord POSTs each interaction to `/interactions`, signed with the
//! application's Ed25519 key. The signature (over `X-Signature-Timestamp` ++
//! raw body) is checked before the body is parsed; the body is then answered
//! with [`interaction::respond`]`(…).to_json()`, the bytes the gateway
//! transport sends, the lineage picture left out: always JSON. Discord takes
//! a multipart response body only up to somewhere between ~82 and ~192 KB
//! (discord/discord-api-docs#5925) and not at all for message commands
//! (#5933), though its docs allow one; an answer delivered later through
//! REST keeps its picture. Deferral follows the shared policy
//! ([`crate::transport::deferral`]): an answer slower than [`DEFER_AFTER`] is
//! deferred and delivered later through the REST client, when one is set.
//!
//! Routes: `POST /interactions` (when a public key is set), `GET /healthz`,
//! and the notes as web pages (`crate::web`) on every other GET path;
//! anything else is 404/405.
//!
//! Limits, so that no client can hold the process: at most
//! [`EndpointConfig::max_connections`] connections are served at once (the
//! next ones wait in the kernel's listen backlog, costing no descriptor);
//! a connection must send a whole request head within
//! [`EndpointConfig::header_timeout`] of opening or of its previous answer;
//! a request is answered within [`EndpointConfig::request_timeout`]; on
//! shutdown, connections get [`SHUTDOWN_GRACE`] to finish and are then
//! dropped. A signed interaction is accepted once: a replay within the
//! signature window is refused.

mod replay;
mod verify;

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::Context as _;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response as HttpResponse};
use axum::routing::{get, post};
use axum::{Json, Router};
use ed25519_dalek::VerifyingKey;
use serde_json::{json, Value};

use crate::config::Config;
use crate::respond::Responder;
use crate::transport::deferral::{self, Call, Outgoing};
use crate::transport::interaction::{self, Interaction, Response};
use crate::transport::{rest, shutdown};

pub use replay::DEFAULT_CAPACITY as DEFAULT_REPLAY_CAPACITY;
pub use verify::{Refusal, SIGNATURE_HEADER, TIMESTAMP_HEADER};

/// Largest body accepted; Discord's interactions are a few KiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 64 * 1024;
/// Oldest signature timestamp accepted, in seconds.
pub const DEFAULT_MAX_AGE_SECS: u64 = 300;
/// How far in the future a signature timestamp may lie (clock skew).
pub const MAX_FUTURE_SECS: u64 = 60;
pub use deferral::DEFER_AFTER;
/// A slow or stalled upload of the body is cut off after this.
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections served at once by default (see `http.max_connections`).
pub const DEFAULT_MAX_CONNECTIONS: usize = 512;
/// A request head must arrive within this by default (`http.header_timeout_seconds`).
pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// A request must be answered within this by default (`http.request_timeout_seconds`).
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(15);
/// After the shutdown signal, open connections get this long to finish their
/// request; then they are dropped, so that the process exits within 5 s
/// whatever the clients do.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(3);
/// The delete of an answer waits this long so that Discord has our `{"type":6}`
/// before the message goes away.
const DELETE_AFTER_ACK: Duration = Duration::from_millis(300);

/// How the endpoint checks and answers requests.
#[derive(Clone)]
pub struct EndpointConfig {
    /// The application's public key (Developer Portal → General Information);
    /// `None`: no `/interactions`, only the pages.
    pub public_key: Option<VerifyingKey>,
    /// Bodies larger than this are refused with 413 (default 64 KiB).
    pub max_body_bytes: usize,
    /// Signature timestamps older than this are refused with 401 (default 300).
    pub max_age_secs: u64,
    /// For what happens after the callback: deferred answers and deletes.
    pub rest: Option<Arc<rest::Client>>,
    /// Connections served at once (default 512); more wait to be accepted.
    pub max_connections: usize,
    /// Time to send a whole request head (default 10 s), from the opening of
    /// the connection or from its previous answer; then it is closed.
    pub header_timeout: Duration,
    /// Time to answer a request from its head (default 15 s); then 503.
    pub request_timeout: Duration,
    /// Interactions remembered against replays (default 100 000).
    pub replay_capacity: usize,
    /// An answer not ready by then is deferred (default 2 s, Discord's
    /// 3 s less a margin); zero defers every answer.
    pub defer_after: Duration,
    /// The notes as web pages (`crate::web`) on every other GET path.
    pub pages: bool,
    /// The gaps page: the curator's store and the secret its link carries.
    pub gaps: Option<(std::path::PathBuf, String)>,
}

impl std::fmt::Debug for EndpointConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EndpointConfig")
            .field(
                "public_key",
                &self.public_key.map(|k| hex::encode(k.as_bytes())),
            )
            .field("max_body_bytes", &self.max_body_bytes)
            .field("max_age_secs", &self.max_age_secs)
            .field("rest", &self.rest.as_ref().map(|_| "<configured>"))
            .field("max_connections", &self.max_connections)
            .field("header_timeout", &self.header_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("replay_capacity", &self.replay_capacity)
            .field("defer_after", &self.defer_after)
            .field("pages", &self.pages)
            .field("gaps", &self.gaps.as_ref().map(|(dir, _)| dir))
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EndpointError {
    #[error("the public key is empty: set http.public_key or DISCORD_PUBLIC_KEY")]
    Empty,
    #[error("the public key is not hex ({0}); copy it from the Developer Portal, General Information → Public Key")]
    NotHex(String),
    #[error("the public key is {0} bytes; an Ed25519 public key is 32 bytes (64 hex digits)")]
    WrongLength(usize),
    #[error("the public key is not a valid Ed25519 public key")]
    Invalid,
}

impl EndpointConfig {
    /// The endpoint for the application whose public key is `public_key_hex`,
    /// with the default limits and no REST client.
    pub fn from_hex(public_key_hex: &str) -> Result<Self, EndpointError> {
        let text = public_key_hex.trim();
        if text.is_empty() {
            return Err(EndpointError::Empty);
        }
        let bytes = hex::decode(text).map_err(|e| EndpointError::NotHex(e.to_string()))?;
        let bytes: [u8; 32] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| EndpointError::WrongLength(bytes.len()))?;
        let public_key = VerifyingKey::from_bytes(&bytes).map_err(|_| EndpointError::Invalid)?;
        Ok(EndpointConfig {
            public_key: Some(public_key),
            ..EndpointConfig::pages_only()
        })
    }

    /// The pages alone, with the default limits: no `/interactions` (a
    /// bot on the gateway serving its pages at `http.listen`).
    pub fn pages_only() -> Self {
        EndpointConfig {
            public_key: None,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_age_secs: DEFAULT_MAX_AGE_SECS,
            rest: None,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            header_timeout: DEFAULT_HEADER_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            replay_capacity: replay::DEFAULT_CAPACITY,
            defer_after: DEFER_AFTER,
            pages: true,
            gaps: None,
        }
    }
}

struct Shared {
    responder: Responder,
    config: EndpointConfig,
    /// The interactions accepted within the signature window.
    seen: Mutex<replay::Seen>,
    /// Deferred answers and deletes under way, delivered before [`serve`] returns.
    pending: shutdown::Pending,
    /// The notes as web pages, when served.
    site: Option<crate::web::Site>,
}

/// The endpoint's routes, ready to serve. Without the connection limits and
/// timeouts of [`serve`], which are the server's.
pub fn router(responder: Responder, config: EndpointConfig) -> Router {
    router_with(responder, config, shutdown::Pending::default())
}

fn router_with(responder: Responder, config: EndpointConfig, pending: shutdown::Pending) -> Router {
    // A signature passes while its timestamp is no older than max_age and no
    // further ahead than MAX_FUTURE: remembering an id for that long after it
    // arrived (plus a second for the timestamps' rounding) covers it.
    let window = Duration::from_secs(config.max_age_secs + MAX_FUTURE_SECS + 1);
    let seen = Mutex::new(replay::Seen::new(window, config.replay_capacity));
    let site = config.pages.then(|| {
        let site = crate::web::Site::new(responder.clone());
        match &config.gaps {
            Some((dir, token)) => site.with_gaps(dir.clone(), token.clone()),
            None => site,
        }
    });
    Router::new()
        .route("/interactions", post(interactions))
        .route("/healthz", get(healthz))
        .fallback(pages)
        .with_state(Arc::new(Shared {
            responder,
            config,
            seen,
            pending,
            site,
        }))
}

/// Every other path: a page of the notes (GET and HEAD), else 404/405.
async fn pages(
    State(shared): State<Arc<Shared>>,
    method: axum::http::Method,
    uri: axum::http::Uri,
    headers: HeaderMap,
) -> HttpResponse {
    let Some(site) = shared.site.clone() else {
        return error(StatusCode::NOT_FOUND, "not found");
    };
    if method != axum::http::Method::GET && method != axum::http::Method::HEAD {
        let mut r = error(StatusCode::METHOD_NOT_ALLOWED, "the pages are read-only");
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return r;
    }
    let path = uri.path().to_string();
    let query = uri.query().map(str::to_string);
    let accept_language = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    // A search runs in the page: on the blocking pool, like an interaction.
    let page = tokio::task::spawn_blocking(move || {
        site.get(&crate::web::Get {
            path: &path,
            query: query.as_deref(),
            accept_language: accept_language.as_deref(),
        })
    })
    .await;
    let page = match page {
        Ok(page) => page,
        Err(e) => {
            let id = crate::transport::failure::error_id();
            tracing::error!(error = %e, failure = %id, "a page failed");
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("the page failed; error id {id}"),
            );
        }
    };
    let mut r = (
        StatusCode::from_u16(page.status).unwrap_or(StatusCode::OK),
        page.body,
    )
        .into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(page.content_type),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(crate::web::CONTENT_SECURITY_POLICY),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if page.private { "no-store" } else { "no-cache" }),
    );
    if let Some(language) = page.language {
        h.insert(header::CONTENT_LANGUAGE, HeaderValue::from_static(language));
        // The language follows Accept-Language: a cache must keep them apart.
        h.insert(header::VARY, HeaderValue::from_static("Accept-Language"));
    }
    // HEAD: hyper sends the head alone, with the GET's length.
    r
}

/// Serves the endpoint on `listener` until `shutdown` completes, then gives
/// the open connections [`SHUTDOWN_GRACE`] and drops the rest.
///
/// Served with hyper directly, as `axum::serve` has no header-read timeout,
/// no connection limit and waits for every connection at shutdown. The
/// limit is a semaphore taken *before* `accept`: over it, new connections
/// wait in the kernel's listen backlog (no descriptor, no memory here) and are
/// accepted as soon as one ends. Nothing can hold a slot for long: an idle or
/// half-sent connection is closed by the header timeout, a request by the
/// request timeout. So under a flood of idle connections `/healthz` is still
/// answered, at worst after `header_timeout` × (queued ÷ limit); closing the
/// excess at once instead would fail every health check while saturated.
pub async fn serve(
    listener: tokio::net::TcpListener,
    responder: Responder,
    config: EndpointConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::Service as _;

    let max_connections = config.max_connections.max(1);
    let request_timeout = config.request_timeout;
    let mut http1 = hyper::server::conn::http1::Builder::new();
    http1
        .timer(TokioTimer::new())
        .header_read_timeout(config.header_timeout)
        .keep_alive(true);
    let pending = shutdown::Pending::default();
    let app = router_with(responder, config, pending.clone());
    let service = hyper::service::service_fn(
        move |request: axum::extract::Request<hyper::body::Incoming>| {
            let mut app = app.clone();
            async move {
                match tokio::time::timeout(request_timeout, app.call(request)).await {
                    Ok(answered) => answered,
                    Err(_) => {
                        tracing::warn!("a request took longer than {request_timeout:?}: 503");
                        let mut r =
                            error(StatusCode::SERVICE_UNAVAILABLE, "the request took too long");
                        r.headers_mut()
                            .insert(header::CONNECTION, HeaderValue::from_static("close"));
                        Ok::<_, Infallible>(r)
                    }
                }
            }
        },
    );

    let permits = Arc::new(tokio::sync::Semaphore::new(max_connections));
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let mut connections = tokio::task::JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let next = async {
            let permit = permits
                .clone()
                .acquire_owned()
                .await
                .expect("the semaphore is never closed");
            (permit, listener.accept().await)
        };
        tokio::select! {
            biased;
            () = &mut shutdown => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            (permit, accepted) = next => {
                let (stream, peer) = match accepted {
                    Ok(a) => a,
                    Err(e) => {
                        // Out of descriptors (EMFILE) or a connection reset
                        // before it was accepted: try again shortly.
                        tracing::warn!("accepting a connection failed: {e}");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                };
                let connection = http1.serve_connection(TokioIo::new(stream), service.clone());
                let mut stopping = stopping.clone();
                connections.spawn(async move {
                    let _permit = permit;
                    let mut connection = std::pin::pin!(connection);
                    let ended = tokio::select! {
                        ended = connection.as_mut() => ended,
                        () = async { let _ = stopping.wait_for(|stop| *stop).await; } => {
                            // Idle connections close now, a request in
                            // progress is answered first.
                            connection.as_mut().graceful_shutdown();
                            connection.await
                        }
                    };
                    if let Err(e) = ended {
                        tracing::debug!(%peer, "connection closed: {e}");
                    }
                });
            }
        }
    }
    drop(listener);
    let _ = stop.send(true);
    let open = connections.len();
    let finished = tokio::time::timeout(SHUTDOWN_GRACE, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if finished.is_err() {
        tracing::warn!(
            open,
            left = connections.len(),
            "connections still open {SHUTDOWN_GRACE:?} after the shutdown signal: dropping them"
        );
        connections.shutdown().await;
    }
    pending.drain(shutdown::DRAIN_FOR).await;
    Ok(())
}

/// `serve-http`: listens on `http.listen` until Ctrl-C or SIGTERM: the
/// interactions endpoint (when `http.public_key` is set) and the pages.
pub async fn run(config: &Config, responder: Responder) -> anyhow::Result<()> {
    let endpoint = if config.http.public_key.trim().is_empty() {
        tracing::warn!(
            "no public key (http.public_key or DISCORD_PUBLIC_KEY): serving the pages only, no /interactions"
        );
        EndpointConfig::pages_only()
    } else {
        EndpointConfig::from_hex(&config.http.public_key)
            .map_err(|e| anyhow::anyhow!("http.public_key: {e}"))?
    };
    if endpoint.public_key.is_none() && !config.http.pages {
        anyhow::bail!(
            "nothing to serve: no public key (http.public_key or DISCORD_PUBLIC_KEY) and http.pages = false"
        );
    }
    serve_configured(bind(config).await?, config, responder, endpoint).await
}

/// Listens on `http.listen`.
pub async fn bind(config: &Config) -> anyhow::Result<tokio::net::TcpListener> {
    let listen = config.http.listen_address();
    tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("http.listen: cannot listen on {listen}"))
}

/// `run` with `http.listen` set: the pages alone on `listener` (see
/// [`bind`]), beside the gateway or the console, until Ctrl-C or SIGTERM.
pub async fn run_pages(
    listener: tokio::net::TcpListener,
    config: &Config,
    responder: Responder,
) -> anyhow::Result<()> {
    serve_configured(listener, config, responder, EndpointConfig::pages_only()).await
}

async fn serve_configured(
    listener: tokio::net::TcpListener,
    config: &Config,
    responder: Responder,
    mut endpoint: EndpointConfig,
) -> anyhow::Result<()> {
    endpoint.pages = config.http.pages;
    endpoint.max_connections = config.http.max_connections;
    endpoint.header_timeout = Duration::from_secs(config.http.header_timeout_seconds);
    endpoint.request_timeout = Duration::from_secs(config.http.request_timeout_seconds);
    if config.data.record {
        match crate::web::gaps_token(&config.data.dir) {
            Ok(token) => endpoint.gaps = Some((config.data.dir.clone(), token)),
            Err(e) => {
                tracing::warn!(error = %e, "no gaps page: the data dir's secret could not be read")
            }
        }
    }
    if endpoint.public_key.is_some() {
        if config.discord.token.is_empty() {
            tracing::warn!(
                "no Discord token: answers slower than 2 s cannot be delivered and the delete button only acknowledges; set DISCORD_TOKEN"
            );
        } else {
            endpoint.rest = Some(Arc::new(rest::client(&config.discord)));
        }
    }
    let address = listener.local_addr()?;
    let what = if endpoint.public_key.is_some() {
        format!("interactions endpoint listening: POST http://{address}/interactions, GET /healthz, pages at http://{address}/")
    } else {
        format!("pages listening: http://{address}/ (GET /healthz)")
    };
    tracing::info!(
        %address,
        knowledge = %responder.engine().knowledge().summary(),
        max_connections = endpoint.max_connections,
        header_timeout_s = endpoint.header_timeout.as_secs(),
        request_timeout_s = endpoint.request_timeout.as_secs(),
        "{what}"
    );
    let pages_only = endpoint.public_key.is_none();
    serve(listener, responder, endpoint, shutdown::signal()).await?;
    if pages_only {
        tracing::info!("pages stopped");
    } else {
        tracing::info!("interactions endpoint stopped");
    }
    Ok(())
}

async fn healthz(State(shared): State<Arc<Shared>>) -> String {
    format!(
        "knowledge ok: {}",
        shared.responder.engine().knowledge().summary()
    )
}

fn error(status: StatusCode, message: impl Into<String>) -> HttpResponse {
    (status, Json(json!({ "error": message.into() }))).into_response()
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

async fn interactions(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Body,
) -> HttpResponse {
    let config = &shared.config;
    let Some(public_key) = config.public_key.as_ref() else {
        return error(
            StatusCode::NOT_FOUND,
            "no interactions endpoint: http.public_key is not set",
        );
    };
    let too_large = || {
        error(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("body larger than {} bytes", config.max_body_bytes),
        )
    };
    // The declared length first, so a large body is never read…
    if let Some(length) = headers.get(header::CONTENT_LENGTH) {
        match length
            .to_str()
            .ok()
            .and_then(|l| l.trim().parse::<u64>().ok())
        {
            Some(n) if n > config.max_body_bytes as u64 => return too_large(),
            Some(_) => {}
            None => return error(StatusCode::BAD_REQUEST, "bad Content-Length"),
        }
    }
    let signed = match verify::Signed::from_headers(&headers) {
        Ok(s) => s,
        Err(r) => return error(StatusCode::UNAUTHORIZED, r.message()),
    };
    // …and the bytes actually read, whatever was declared (chunked bodies).
    let raw =
        match tokio::time::timeout(BODY_READ_TIMEOUT, read_capped(body, config.max_body_bytes))
            .await
        {
            Ok(Ok(raw)) => raw,
            Ok(Err(ReadError::TooLarge)) => return too_large(),
            Ok(Err(ReadError::Broken)) => return error(StatusCode::BAD_REQUEST, "broken body"),
            Err(_) => return error(StatusCode::REQUEST_TIMEOUT, "body took too long"),
        };
    if let Err(r) = signed.verify(
        public_key,
        &raw,
        now_secs(),
        config.max_age_secs,
        MAX_FUTURE_SECS,
    ) {
        tracing::debug!(reason = r.message(), "refused an interaction");
        return error(StatusCode::UNAUTHORIZED, r.message());
    }
    let i: Interaction = match serde_json::from_slice(&raw) {
        Ok(i) => i,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                format!(
                    "not a Discord interaction (line {}, column {})",
                    e.line(),
                    e.column()
                ),
            )
        }
    };
    let call = Call::new(&i);
    if i.kind != interaction::InteractionKind::Ping && !first_time(&shared, &i.id, &signed) {
        tracing::warn!(interaction = %call.id, what = %call.what, "refused a replayed interaction");
        return error(
            StatusCode::UNAUTHORIZED,
            "interaction already received (replayed request)",
        );
    }
    let started = Instant::now();
    let answer = if i.kind == interaction::InteractionKind::Ping {
        Response::Pong.to_json()
    } else {
        let responder = shared.responder.clone();
        // With its files, for a deferred answer (REST takes them); the
        // response body leaves them out (see the module's doc).
        let job = move || Outgoing::answer(&responder, &i);
        let sink = ResponseBody;
        let rest = config.rest.clone();
        let pending = &shared.pending;
        // The body never fails to "send": it is what this handler returns.
        deferral::answer(&sink, rest, call.clone(), job, config.defer_after, pending)
            .await
            .unwrap_or_else(|| Response::AckAndDelete.to_json())
    };
    tracing::debug!(
        interaction = %call.id,
        kind = ?call.kind,
        what = %call.what,
        answer = answer["type"].as_u64().unwrap_or(0),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "answered an interaction"
    );
    json_response(&answer)
}

/// The HTTP endpoint's first answer: the response body, always JSON (the
/// picture is left out; a deferred answer takes it by REST).
struct ResponseBody;

impl deferral::Sink for ResponseBody {
    type Sent = Value;
    /// The body is still to be written when `first` returns.
    const IN_FLIGHT: Duration = DELETE_AFTER_ACK;

    async fn first(&self, _call: &Call, first: deferral::First<'_>) -> Option<Value> {
        Some(match first {
            deferral::First::Answer(out) => out.response.clone().without_files().to_json(),
            deferral::First::Deferral(v) => v.clone(),
        })
    }
}

/// Whether this signed interaction arrives for the first time within the
/// signature window; it is then remembered. The key is Discord's interaction
/// id, unique per interaction (Discord never resends a delivered interaction:
/// a callback that fails or comes late is simply lost, the user sees "The
/// application did not respond"), else for a body without one the signature.
///
/// A replay gets 401, as every request whose authentication does not hold:
/// the signature is genuine but no longer grants anything. PINGs are exempt:
/// a replayed PING only gets another PONG, touches no state, and keeping them
/// out leaves the memory to interactions that act.
fn first_time(shared: &Shared, id: &str, signed: &verify::Signed<'_>) -> bool {
    let key = if !id.is_empty() && id.len() <= 64 {
        format!("id:{id}")
    } else {
        format!("sig:{}", hex::encode(signed.signature_bytes()))
    };
    shared
        .seen
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .first_time(&key, Instant::now())
}

fn json_response(value: &Value) -> HttpResponse {
    let mut r = (StatusCode::OK, value.to_string()).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

enum ReadError {
    TooLarge,
    Broken,
}

/// Reads at most `max` bytes of `body`; more is an error, never buffered.
async fn read_capped(mut body: Body, max: usize) -> Result<Bytes, ReadError> {
    let mut buf = Vec::new();
    while let Some(frame) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
        let frame = frame.map_err(|_| ReadError::Broken)?;
        if let Ok(data) = frame.into_data() {
            if buf.len() + data.len() > max {
                return Err(ReadError::TooLarge);
            }
            buf.extend_from_slice(&data);
        }
    }
    Ok(Bytes::from(buf))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_keys_are_checked() {
        assert_eq!(
            EndpointConfig::from_hex(" ").unwrap_err(),
            EndpointError::Empty
        );
        assert!(matches!(
            EndpointConfig::from_hex("zz").unwrap_err(),
            EndpointError::NotHex(_)
        ));
        assert_eq!(
            EndpointConfig::from_hex("abcd").unwrap_err(),
            EndpointError::WrongLength(2)
        );
        let key = ed25519_dalek::SigningKey::from_bytes(&[9; 32]).verifying_key();
        let c = EndpointConfig::from_hex(&hex::encode(key.as_bytes())).unwrap();
        assert_eq!(c.public_key, Some(key));
        assert_eq!(c.max_body_bytes, 64 * 1024);
        assert_eq!(c.max_age_secs, 300);
    }
}
