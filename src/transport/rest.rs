//! Discord's REST API, for both transports: the client (Discord itself or a
//! proxy/fake base) and a bounded retry for calls refused for now.

use std::time::Duration;

use serenity::http::{Http, HttpBuilder};

/// The REST client, as the transports hold it.
pub type Client = Http;

use crate::config::{DiscordConfig, DISCORD_API_URL};

/// Further tries for a REST call that Discord (or the proxy) refused for now.
const RETRIES: u32 = 3;

/// Sends, and on 429 (rate limited) or 5xx tries again after 250 ms, 500 ms,
/// 1 s. serenity's own ratelimiter honours `Retry-After` when it talks to
/// Discord directly; behind a proxy it is off (serenity ignores a proxy
/// otherwise), and its error no longer carries `retry_after`, so the wait is
/// this bounded backoff — well inside an interaction's 3 s for the first two.
pub async fn retrying<T, F, Fut>(what: &'static str, mut send: F) -> serenity::Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = serenity::Result<T>>,
{
    let mut delay = Duration::from_millis(250);
    let mut attempt = 0;
    loop {
        match send().await {
            Err(serenity::Error::Http(serenity::http::HttpError::UnsuccessfulRequest(r)))
                if attempt < RETRIES
                    && (r.status_code.as_u16() == 429 || r.status_code.is_server_error()) =>
            {
                attempt += 1;
                tracing::warn!(
                    status = r.status_code.as_u16(),
                    attempt,
                    what,
                    "Discord refused for now; trying again"
                );
                tokio::time::sleep(delay).await;
                delay *= 2;
            }
            other => return other,
        }
    }
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
