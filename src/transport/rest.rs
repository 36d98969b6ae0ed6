//! Discord's REST API, for both transports: the client (Discord itself or a
//! proxy/fake base), our requests as serenity routes, and a bounded retry for
//! calls refused for now that honours `retry_after` and stops before the
//! interaction's deadline.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;
use serenity::builder::CreateAttachment;
use serenity::http::{
    Http, HttpBuilder, HttpError, LightMethod, Multipart, MultipartUpload, Request, Route,
};

/// The REST client, as the transports hold it.
pub type Client = Http;

use crate::config::{DiscordConfig, DISCORD_API_URL};
use crate::respond::File;

/// Further tries for a REST call that Discord (or the proxy) refused for now.
const RETRIES: u32 = 3;
/// The first wait when a refusal does not say how long to wait; it doubles.
const FIRST_BACKOFF: Duration = Duration::from_millis(250);

/// A REST call that did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum RestError {
    /// Discord answered with an error status.
    #[error("Discord answered {status}: {message}")]
    Refused {
        status: u16,
        /// Discord's JSON error code (50013 Missing Permissions, 160002
        /// cannot reply without Read Message History…), when it gave one.
        code: Option<u64>,
        message: String,
        /// How long Discord asked us to wait (429's `retry_after`).
        retry_after: Option<Duration>,
    },
    /// The request could not be made or its answer read.
    #[error("{0}")]
    Failed(String),
}

impl RestError {
    fn failed(e: impl std::fmt::Display) -> RestError {
        RestError::Failed(e.to_string())
    }

    /// reqwest's error text carries the URL, and an interaction's or a
    /// webhook's URL carries its token (a live credential for 15 minutes):
    /// it is dropped here, so no log line can show it.
    fn from_reqwest(e: reqwest::Error) -> RestError {
        RestError::failed(e.without_url())
    }

    fn from_serenity(e: serenity::Error) -> RestError {
        match e {
            serenity::Error::Http(HttpError::Request(e)) => RestError::from_reqwest(e),
            serenity::Error::Http(HttpError::UnsuccessfulRequest(r)) => RestError::Refused {
                status: r.status_code.as_u16(),
                code: u64::try_from(r.error.code).ok(),
                message: r.error.message,
                retry_after: None,
            },
            other => RestError::failed(other),
        }
    }
}

/// A request to `route`: no body, JSON, or with files `payload_json` and the
/// files as multipart/form-data.
pub fn request<'a>(
    route: Route<'a>,
    method: LightMethod,
    body: Option<&Value>,
    files: &[File],
) -> Request<'a> {
    let request = Request::new(route, method);
    match body {
        None => request,
        Some(body) if files.is_empty() => request.body(Some(body.to_string().into_bytes())),
        Some(body) => request.multipart(Some(Multipart {
            upload: MultipartUpload::Attachments(
                files
                    .iter()
                    .map(|f| CreateAttachment::bytes(f.bytes.as_ref().clone(), f.filename.clone()))
                    .collect(),
            ),
            payload_json: Some(body.to_string()),
            fields: vec![],
        })),
    }
}

/// Sends one request; the answer's body on success. With serenity's
/// ratelimiter (talking to Discord directly) serenity sends the bot's own
/// calls and waits out rate limits itself; behind a proxy (ratelimiter off),
/// and for an interaction's calls always, it is sent here, so that a
/// refusal keeps its `retry_after` (which serenity's error drops) for
/// [`retrying`] to weigh against the interaction's deadline.
pub async fn send(http: &Http, request: Request<'_>) -> Result<Vec<u8>, RestError> {
    if http.ratelimiter.is_some() && !for_an_interaction(&request) {
        let response = http
            .request(request)
            .await
            .map_err(RestError::from_serenity)?;
        return Ok(response
            .bytes()
            .await
            .map_err(RestError::from_reqwest)?
            .to_vec());
    }
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    let client = CLIENT.get_or_init(reqwest::Client::new);
    let built = request
        .build(client, http.token(), http.proxy.as_deref())
        .map_err(RestError::from_serenity)?
        .build()
        .map_err(RestError::from_reqwest)?;
    let response = client
        .execute(built)
        .await
        .map_err(RestError::from_reqwest)?;
    let status = response.status();
    let header = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|s| s.trim().parse::<f64>().ok());
    let bytes = response.bytes().await.map_err(RestError::from_reqwest)?;
    if status.is_success() {
        return Ok(bytes.to_vec());
    }
    let body: Value = serde_json::from_slice(&bytes).unwrap_or_default();
    let retry_after = body["retry_after"]
        .as_f64()
        .or(header)
        .filter(|s| s.is_finite() && *s >= 0.0 && *s < 3600.0)
        .map(Duration::from_secs_f64);
    Err(RestError::Refused {
        status: status.as_u16(),
        code: body["code"].as_u64(),
        message: body["message"]
            .as_str()
            .unwrap_or("")
            .chars()
            .take(200)
            .collect(),
        retry_after,
    })
}

/// Whether `request` answers an interaction (its callback, its webhook):
/// "interaction endpoints are not bound to the bot's global rate limit"
/// (Discord's docs, Rate Limits), and serenity's ratelimiter sleeps any
/// `retry_after` with no cap, past the 3 s callback and the 15 min token.
fn for_an_interaction(request: &Request<'_>) -> bool {
    let path = request.route_ref().path();
    path.contains("/interactions/") || path.contains("/webhooks/")
}

/// Sends, and on 429 (rate limited) or 5xx tries again, at most `RETRIES` (3)
/// times: after the `retry_after` Discord asked for, else after 250 ms,
/// 500 ms, 1 s. A wait that would end past `deadline` (an interaction's 3 s,
/// its token's 15 minutes) is not waited: the call gives up at once.
pub async fn retrying<T, F, Fut>(
    what: &'static str,
    deadline: Instant,
    mut send: F,
) -> Result<T, RestError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, RestError>>,
{
    let mut backoff = FIRST_BACKOFF;
    let mut attempt = 0;
    loop {
        // Bounded whatever the server (or a ratelimiter) does: no answer by
        // the deadline is a failure, never a late post.
        let sent = tokio::time::timeout_at(tokio::time::Instant::from_std(deadline), send()).await;
        let e = match sent {
            Ok(Ok(v)) => return Ok(v),
            Ok(Err(e)) => e,
            Err(_) => {
                return Err(RestError::Failed(format!(
                    "{what}: no answer before the deadline"
                )))
            }
        };
        let RestError::Refused {
            status,
            retry_after,
            ..
        } = &e
        else {
            return Err(e);
        };
        if attempt >= RETRIES || !(*status == 429 || *status >= 500) {
            return Err(e);
        }
        let wait = retry_after.unwrap_or(backoff);
        if Instant::now() + wait >= deadline {
            tracing::warn!(
                status,
                what,
                wait_ms = wait.as_millis() as u64,
                "Discord refused for now; giving up: waiting would pass the deadline"
            );
            return Err(e);
        }
        attempt += 1;
        tracing::warn!(
            status,
            attempt,
            what,
            wait_ms = wait.as_millis() as u64,
            "Discord refused for now; trying again"
        );
        tokio::time::sleep(wait).await;
        backoff *= 2;
    }
}

/// One call to `route`, tried again as [`retrying`] says; the answer's body.
pub async fn call(
    http: &Http,
    what: &'static str,
    deadline: Instant,
    method: LightMethod,
    route: Route<'_>,
    body: Option<&Value>,
    files: &[File],
) -> Result<Vec<u8>, RestError> {
    retrying(what, deadline, || {
        send(http, request(route, method, body, files))
    })
    .await
}

/// The REST client: Discord itself, or another base (a rate-limit proxy, a
/// test fake), in which case serenity's own ratelimiter must be off or it
/// ignores the proxy.
pub fn client(discord: &DiscordConfig) -> Client {
    let builder = HttpBuilder::new(discord.token.expose());
    let base = discord.api_url.trim().trim_end_matches('/');
    if base == DISCORD_API_URL {
        builder.build()
    } else {
        builder.proxy(base).ratelimiter_disabled(true).build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(retry_after: Option<f64>) -> RestError {
        RestError::Refused {
            status: 429,
            code: None,
            message: String::new(),
            retry_after: retry_after.map(Duration::from_secs_f64),
        }
    }

    #[tokio::test]
    async fn retries_wait_as_asked_and_stop_before_the_deadline() {
        let mut tries = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(10);
        let out: Result<(), _> = retrying("test", deadline, || {
            tries.push(Instant::now());
            async { Err(refused(Some(0.05))) }
        })
        .await;
        assert!(out.is_err());
        assert_eq!(tries.len(), 1 + RETRIES as usize);
        for w in tries.windows(2) {
            assert!(w[1] - w[0] >= Duration::from_millis(50), "waited as asked");
        }
        let mut tries = 0;
        let deadline = Instant::now() + Duration::from_secs(3);
        let out: Result<(), _> = retrying("test", deadline, || {
            tries += 1;
            async { Err(refused(Some(5.0))) }
        })
        .await;
        assert!(out.is_err());
        assert_eq!(tries, 1, "a 5 s wait passes the 3 s deadline: not waited");
    }
}
