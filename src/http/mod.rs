//! `serve-http`: Discord's HTTP interactions endpoint.
//!
//! Discord POSTs each interaction to `/interactions`, signed with the
//! application's Ed25519 key. The signature (over `X-Signature-Timestamp` ++
//! raw body) is checked before the body is parsed; the body is then answered
//! with exactly [`interaction::respond`]`(…).to_json()`, the same bytes the
//! gateway transport sends. Deferral follows the shared policy
//! ([`crate::transport::deferral`]): an answer slower than [`DEFER_AFTER`] is
//! deferred and delivered later through the REST client, when one is set.
//!
//! Routes: `POST /interactions`, `GET /healthz`; anything else is 404/405.

mod verify;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
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
use crate::transport::deferral::{self, answer_within, Call, Outgoing, Timely};
use crate::transport::interaction::{self, Interaction, Response};
use crate::transport::{rest, shutdown};

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
/// The delete of an answer waits this long so that Discord has our `{"type":6}`
/// before the message goes away.
const DELETE_AFTER_ACK: Duration = Duration::from_millis(300);

/// How the endpoint checks and answers requests.
#[derive(Clone)]
pub struct EndpointConfig {
    /// The application's public key (Developer Portal → General Information).
    pub public_key: VerifyingKey,
    /// Bodies larger than this are refused with 413 (default 64 KiB).
    pub max_body_bytes: usize,
    /// Signature timestamps older than this are refused with 401 (default 300).
    pub max_age_secs: u64,
    /// For what happens after the callback: deferred answers and deletes.
    pub rest: Option<Arc<rest::Client>>,
}

impl std::fmt::Debug for EndpointConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EndpointConfig")
            .field("public_key", &hex::encode(self.public_key.as_bytes()))
            .field("max_body_bytes", &self.max_body_bytes)
            .field("max_age_secs", &self.max_age_secs)
            .field("rest", &self.rest.as_ref().map(|_| "<configured>"))
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
            public_key,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_age_secs: DEFAULT_MAX_AGE_SECS,
            rest: None,
        })
    }
}

struct Shared {
    responder: Responder,
    config: EndpointConfig,
}

/// The endpoint's routes, ready to serve.
pub fn router(responder: Responder, config: EndpointConfig) -> Router {
    Router::new()
        .route("/interactions", post(interactions))
        .route("/healthz", get(healthz))
        .with_state(Arc::new(Shared { responder, config }))
}

/// Serves the endpoint on `listener` until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    responder: Responder,
    config: EndpointConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(responder, config))
        .with_graceful_shutdown(shutdown)
        .await
}

/// `serve-http`: listens on `http.listen` until Ctrl-C or SIGTERM.
pub async fn run(config: &Config, responder: Responder) -> anyhow::Result<()> {
    if config.http.public_key.trim().is_empty() {
        anyhow::bail!(
            "the HTTP endpoint needs the application's public key: set http.public_key or DISCORD_PUBLIC_KEY (Developer Portal → General Information → Public Key)"
        );
    }
    let mut endpoint = EndpointConfig::from_hex(&config.http.public_key)
        .map_err(|e| anyhow::anyhow!("http.public_key: {e}"))?;
    if config.discord.token.is_empty() {
        tracing::warn!(
            "no Discord token: answers slower than 2 s cannot be delivered and the delete button only acknowledges; set DISCORD_TOKEN"
        );
    } else {
        endpoint.rest = Some(Arc::new(rest::client(&config.discord)));
    }
    let listener = tokio::net::TcpListener::bind(&config.http.listen)
        .await
        .with_context(|| format!("http.listen: cannot listen on {}", config.http.listen))?;
    let address = listener.local_addr()?;
    tracing::info!(
        %address,
        knowledge = %responder.engine().knowledge().summary(),
        "interactions endpoint listening: POST http://{address}/interactions, GET /healthz"
    );
    serve(listener, responder, endpoint, shutdown::signal()).await?;
    tracing::info!("interactions endpoint stopped");
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
        &config.public_key,
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
    let started = Instant::now();
    let answer = if i.kind == interaction::PING {
        Response::Pong.to_json()
    } else {
        let responder = shared.responder.clone();
        // A response body carries no files: the lineage picture is left out
        // here (the text tree stays).
        let job = move || Outgoing::bare(interaction::respond(&responder, &i).without_files());
        match answer_within(config.rest.clone(), call.clone(), job, DEFER_AFTER).await {
            Timely::Now(out) => {
                let body = out.response.to_json();
                if out.response == Response::AckAndDelete {
                    let (rest, call) = (config.rest.clone(), call.clone());
                    tokio::spawn(async move {
                        tokio::time::sleep(DELETE_AFTER_ACK).await;
                        deferral::deliver(rest, &call, out, false).await;
                    });
                }
                body
            }
            Timely::Deferred { deferral, later } => {
                tokio::spawn(later.deliver());
                deferral
            }
        }
    };
    tracing::debug!(
        interaction = %call.id,
        kind = call.kind,
        what = %call.what,
        answer = answer["type"].as_u64().unwrap_or(0),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "answered an interaction"
    );
    json_response(&answer)
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
        assert_eq!(c.public_key, key);
        assert_eq!(c.max_body_bytes, 64 * 1024);
        assert_eq!(c.max_age_secs, 300);
    }
}
