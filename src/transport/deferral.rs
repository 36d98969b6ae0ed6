//! One deferral policy and one sequence for both transports ([`answer`]).
//! Discord waits 3 s for an interaction's first answer; the answer is
//! computed on the blocking pool and, when it is not ready after
//! [`DEFER_AFTER`], the interaction is deferred and the answer delivered
//! later through REST. Each transport only sends the first answer (its
//! [`Sink`]), as ripgrep's printers only receive a searcher's matches.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use serenity::http::{Http, LightMethod, Route};
use serenity::model::id::ApplicationId;
use tokio::task::{JoinError, JoinHandle};

use crate::engine::Locale;
use crate::render::message::FLAG_EPHEMERAL;
use crate::respond::File;

use super::failure::{error_id, failure};
use super::interaction::{CallbackType, Interaction, InteractionKind, Response};
use super::rest;

/// An answer not ready after this is deferred, by every transport.
pub const DEFER_AFTER: Duration = Duration::from_secs(2);
/// Discord waits this long for an interaction's first answer.
pub const ANSWER_WITHIN: Duration = Duration::from_secs(3);
/// An interaction's token stays valid this long for edits and follow-ups.
pub const TOKEN_VALID: Duration = Duration::from_secs(15 * 60);

/// What the follow-up work needs to know about an interaction. Never holds
/// the signature; the token is only sent to Discord, never logged.
#[derive(Clone)]
pub struct Call {
    pub id: String,
    pub kind: InteractionKind,
    pub token: String,
    pub locale: Locale,
    pub application_id: Option<u64>,
    /// For the log: the command name or the button's custom id.
    pub what: String,
    /// When the interaction arrived: its deadlines count from here.
    pub received: Instant,
    /// Whether its answer will be ephemeral: then a deferral is too.
    pub ephemeral: bool,
}

/// An answer with the files its message names.
pub struct Outgoing {
    pub response: Response,
    pub files: Vec<File>,
}

impl Outgoing {
    /// The response to an interaction with the files its message names (the
    /// lineage picture): what both transports send.
    pub fn answer(responder: &crate::respond::Responder, i: &Interaction) -> Outgoing {
        let mut response = super::interaction::respond(responder, i);
        let files = match &mut response {
            Response::Message(m) | Response::Update(m) => responder.files(m),
            _ => Vec::new(),
        };
        Outgoing { response, files }
    }

    /// A response that carries no files.
    pub fn bare(response: Response) -> Outgoing {
        Outgoing {
            response,
            files: Vec::new(),
        }
    }
}

/// Where an interaction's first answer goes, the one thing the transports
/// do differently: the gateway posts it to the callback URL, the HTTP
/// endpoint returns it as its response body. Everything around it (the
/// deferral, what follows by REST, the shutdown's wait) is [`answer`]'s.
pub trait Sink {
    /// What a sent first answer gives back (the HTTP endpoint: its body).
    type Sent;
    /// After `first` returns, how long Discord may still not have it (the
    /// HTTP endpoint's body is still on its way): a delete waits this long.
    const IN_FLIGHT: Duration;
    /// Sends the first answer; `None` when it did not reach Discord, and
    /// nothing follows.
    fn first(
        &self,
        call: &Call,
        first: First<'_>,
    ) -> impl std::future::Future<Output = Option<Self::Sent>> + Send;
}

/// An interaction's first answer.
pub enum First<'a> {
    /// The answer itself, with its files where the transport carries them.
    Answer(&'a Outgoing),
    /// A deferral: the answer follows by REST.
    Deferral(&'a Value),
}

/// Answers an interaction the one way both transports do: `job` runs on the
/// blocking pool; ready within `defer_after`, it is the first answer (and a
/// delete of the answer follows by REST); later, a deferral goes first and
/// the answer follows. What follows is tracked by `pending`, so a stopping
/// process delivers it. Returns what the sink gave back.
pub async fn answer<S, F>(
    sink: &S,
    rest: Option<Arc<Http>>,
    call: Call,
    job: F,
    defer_after: Duration,
    pending: &super::shutdown::Pending,
) -> Option<S::Sent>
where
    S: Sink,
    F: FnOnce() -> Outgoing + Send + 'static,
{
    match answer_within(rest.clone(), call.clone(), job, defer_after).await {
        Timely::Now(out) => {
            let sent = sink.first(&call, First::Answer(&out)).await?;
            if out.response == Response::AckAndDelete {
                pending.spawn(async move {
                    tokio::time::sleep(S::IN_FLIGHT).await;
                    deliver(rest, &call, out, false).await;
                });
            }
            Some(sent)
        }
        Timely::Deferred { deferral, later } => {
            let sent = sink.first(&call, First::Deferral(&deferral)).await;
            // Deferred or not, the answer is worked out and sent: a
            // deferral lost in transit still leaves the token valid.
            pending.spawn(later.deliver());
            sent
        }
    }
}

/// The first answer to an interaction.
pub enum Timely {
    /// Ready in time: send it as the callback.
    Now(Outgoing),
    /// Not ready: send `deferral` as the callback, then run `later`.
    Deferred { deferral: Value, later: Later },
}

/// The answer still being computed, to deliver through REST once the
/// deferral has been sent.
pub struct Later {
    call: Call,
    job: JoinHandle<Outgoing>,
    rest: Option<Arc<Http>>,
}

impl Later {
    /// Waits for the answer and delivers it (autocomplete has nothing to
    /// deliver: its deferral already was the empty answer).
    pub async fn deliver(self) {
        if self.call.kind == InteractionKind::Autocomplete {
            return;
        }
        let out = self.call.settle(self.job.await);
        deliver(self.rest, &self.call, out, true).await;
    }
}

impl Call {
    pub fn new(i: &Interaction) -> Call {
        Call {
            id: i.id.chars().take(32).collect(),
            kind: i.kind,
            token: i.token.clone(),
            locale: i.locale(),
            application_id: i.application_id(),
            what: i.what(),
            received: Instant::now(),
            ephemeral: i.answer_is_ephemeral(),
        }
    }

    /// The first answer (the callback) must reach Discord before this.
    pub fn callback_deadline(&self) -> Instant {
        self.received + ANSWER_WITHIN
    }

    /// Edits and follow-ups must reach Discord before this.
    pub fn token_deadline(&self) -> Instant {
        self.received + TOKEN_VALID
    }

    /// The job's answer, or a failure with an id to quote if it panicked.
    pub fn settle(&self, joined: Result<Outgoing, JoinError>) -> Outgoing {
        match joined {
            Ok(out) => out,
            Err(e) => {
                let error_id = error_id();
                let detail = if e.is_panic() {
                    let payload = e.into_panic();
                    payload
                        .downcast_ref::<&str>()
                        .map(|s| s.to_string())
                        .or_else(|| payload.downcast_ref::<String>().cloned())
                        .unwrap_or_else(|| "a panic without a message".to_string())
                } else {
                    "the task was cancelled".to_string()
                };
                tracing::error!(
                    error_id = %error_id,
                    interaction = %self.id,
                    kind = ?self.kind,
                    what = %self.what,
                    "the engine failed: {detail}"
                );
                Outgoing::bare(failure(self.locale, &error_id))
            }
        }
    }

    /// The callback that buys time: a loading state for commands (only the
    /// asker sees it when the answer will be ephemeral: the deferral settles
    /// that), a silent acknowledgement for buttons; autocomplete cannot
    /// wait, so no choices.
    pub fn deferral(&self) -> Value {
        match self.kind {
            InteractionKind::MessageComponent => {
                json!({"type": CallbackType::DeferredUpdateMessage})
            }
            InteractionKind::Autocomplete => {
                json!({"type": CallbackType::AutocompleteResult, "data": {"choices": []}})
            }
            _ if self.ephemeral => json!({
                "type": CallbackType::DeferredChannelMessage, "data": {"flags": FLAG_EPHEMERAL}
            }),
            _ => json!({"type": CallbackType::DeferredChannelMessage}),
        }
    }

    /// The REST client, with the application id from the interaction.
    fn rest(&self, rest: Option<Arc<Http>>) -> Option<Arc<Http>> {
        let Some(rest) = rest else {
            tracing::warn!(
                interaction = %self.id,
                what = %self.what,
                "no REST client (no Discord token): cannot finish this interaction"
            );
            return None;
        };
        if let Some(id) = self.application_id {
            rest.set_application_id(ApplicationId::new(id));
        }
        if rest.application_id().is_none() {
            tracing::warn!(interaction = %self.id, "no application_id in the interaction: cannot finish it");
            return None;
        }
        Some(rest)
    }
}

/// Runs `job` on the blocking pool: within `defer_after` its answer is the
/// callback; later, the callback is a deferral and the answer follows.
pub async fn answer_within<F>(
    rest: Option<Arc<Http>>,
    call: Call,
    job: F,
    defer_after: Duration,
) -> Timely
where
    F: FnOnce() -> Outgoing + Send + 'static,
{
    let mut job = tokio::task::spawn_blocking(job);
    // Zero defers every answer, however quick it is.
    let within = match defer_after.is_zero() {
        true => None,
        false => tokio::time::timeout(defer_after, &mut job).await.ok(),
    };
    match within {
        Some(joined) => Timely::Now(call.settle(joined)),
        None => {
            tracing::info!(
                interaction = %call.id,
                what = %call.what,
                "slower than {defer_after:?}: deferring"
            );
            Timely::Deferred {
                deferral: call.deferral(),
                later: Later { call, job, rest },
            }
        }
    }
}

/// What the callback could not carry, through REST: the delete of an answer,
/// or a deferred answer (an edit of the original, or for a button's
/// ephemeral notice a follow-up, so that the message the button is on stays).
///
/// A command's deferral (type 5) settles who sees the answer: the first
/// follow-up after it *is* the deferred message and Discord ignores its
/// flags (discord/discord-api-docs#2860, closed as intended). So an
/// ephemeral answer (a failure with its id) to a command deferred publicly
/// replaces the loading message for everyone: an edit of `@original`. A
/// follow-up "for the asker only" and a delete of `@original` would show the
/// notice publicly, then delete it: nobody would read the error id.
pub async fn deliver(rest: Option<Arc<Http>>, call: &Call, out: Outgoing, deferred: bool) {
    let Some(rest) = call.rest(rest) else { return };
    let Some(app) = rest.application_id() else {
        return;
    };
    let token = call.token.as_str();
    let deadline = call.token_deadline();
    let original = || Route::WebhookOriginalInteractionResponse {
        application_id: app,
        token,
    };
    let followup = || Route::WebhookFollowupMessages {
        application_id: app,
        token,
    };
    let files = &out.files;
    let rest = &rest;
    let send = |what: &'static str, method, route, body: Option<Value>| async move {
        rest::call(rest, what, deadline, method, route, body.as_ref(), files)
            .await
            .map(|_| what)
    };
    let outcome = match &out.response {
        Response::Pong | Response::Choices(_) => return,
        Response::AckAndDelete => {
            send("deleting an answer", LightMethod::Delete, original(), None).await
        }
        Response::Message(m) if deferred && call.kind == InteractionKind::MessageComponent => {
            let body = serde_json::to_value(m).unwrap_or_default();
            send("following up", LightMethod::Post, followup(), Some(body)).await
        }
        Response::Message(m) | Response::Update(m) => {
            // Whether the answer is ephemeral was settled by the deferral
            // (a failure after a public one is shown to all, with its id);
            // an edit keeps the files it does not name: it names them all.
            let mut m = m.clone();
            m.flags &= !FLAG_EPHEMERAL;
            let body = m.to_update_json();
            send(
                "editing a deferred answer",
                LightMethod::Patch,
                original(),
                Some(body),
            )
            .await
        }
    };
    match outcome {
        Ok(done) => tracing::debug!(interaction = %call.id, what = %call.what, "{done}"),
        Err(e) => tracing::warn!(
            interaction = %call.id,
            what = %call.what,
            // The error may quote the URL, with the proxy's credentials.
            "could not finish the interaction through REST: {}",
            crate::config::redact_url(&e.to_string())
        ),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use axum::http::StatusCode;
    use axum::response::IntoResponse;
    use axum::{Json, Router};

    use super::*;
    use crate::render;
    use crate::transport::interaction::InteractionKind::{
        ApplicationCommand as APPLICATION_COMMAND, Autocomplete as AUTOCOMPLETE,
        MessageComponent as MESSAGE_COMPONENT,
    };

    /// The first answer as the HTTP endpoint sends it: the response now, or
    /// the deferral with the answer delivered later.
    /// The tests' transport: keeps the first answer's JSON.
    struct Kept;

    impl Sink for Kept {
        type Sent = Value;
        const IN_FLIGHT: Duration = Duration::ZERO;

        async fn first(&self, _call: &Call, first: First<'_>) -> Option<Value> {
            Some(match first {
                First::Answer(out) => out.response.to_json(),
                First::Deferral(v) => v.clone(),
            })
        }
    }

    /// The first answer as both transports make it ([`answer`]); what
    /// follows goes on in the background.
    async fn first_answer<F>(
        rest: Option<Arc<Http>>,
        call: Call,
        job: F,
        defer_after: Duration,
    ) -> Value
    where
        F: FnOnce() -> Outgoing + Send + 'static,
    {
        let pending = crate::transport::shutdown::Pending::default();
        answer(&Kept, rest, call, job, defer_after, &pending)
            .await
            .expect("the tests' sink always sends")
    }

    type Seen = Arc<Mutex<Vec<(String, String, Value)>>>;

    /// A Discord REST API that records what it is asked.
    async fn fake_discord() -> (Arc<Http>, Seen) {
        let seen: Seen = Arc::default();
        let s = seen.clone();
        let app = Router::new().fallback(move |req: axum::extract::Request| {
            let s = s.clone();
            async move {
                let method = req.method().to_string();
                let path = req.uri().path().to_string();
                let body = axum::body::to_bytes(req.into_body(), 1 << 20)
                    .await
                    .unwrap();
                let body = serde_json::from_slice(&body).unwrap_or(Value::Null);
                s.lock().unwrap().push((method.clone(), path, body));
                if method == "DELETE" {
                    StatusCode::NO_CONTENT.into_response()
                } else {
                    Json(json!({
                        "id": "7000", "channel_id": "4000",
                        "author": {"id": "1000", "username": "bot"},
                        "content": "", "timestamp": "2024-01-01T00:00:00Z",
                        "tts": false, "mention_everyone": false, "mentions": [],
                        "mention_roles": [], "attachments": [], "embeds": [],
                        "pinned": false, "type": 0
                    }))
                    .into_response()
                }
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        let http = serenity::http::HttpBuilder::new("test-token")
            .proxy(format!("http://{addr}"))
            .ratelimiter_disabled(true)
            .build();
        (Arc::new(http), seen)
    }

    fn call(kind: InteractionKind) -> Call {
        Call {
            id: "3000".into(),
            kind,
            token: "tok".into(),
            locale: Locale::En,
            application_id: Some(1000),
            what: "test".into(),
            received: Instant::now(),
            ephemeral: false,
        }
    }

    async fn wait_for(seen: &Seen) -> (String, String, Value) {
        for _ in 0..200 {
            if let Some(x) = seen.lock().unwrap().first().cloned() {
                return x;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("nothing reached the fake Discord");
    }

    /// A job that answers `response` after 300 ms: past the test's deadline.
    fn slowly(response: Response) -> impl FnOnce() -> Outgoing + Send + 'static {
        move || {
            std::thread::sleep(Duration::from_millis(300));
            Outgoing::bare(response)
        }
    }

    const ORIGINAL: &str = "/api/v10/webhooks/1000/tok/messages/@original";

    #[tokio::test]
    async fn slow_answers_are_deferred_then_edited() {
        let (rest, seen) = fake_discord().await;
        let message = render::notice("late but here", false);
        let m = message.clone();
        let slow = slowly(Response::Message(m));
        let answer = first_answer(
            Some(rest),
            call(APPLICATION_COMMAND),
            slow,
            Duration::from_millis(50),
        )
        .await;
        assert_eq!(answer, json!({"type": 5}));
        let (method, path, body) = wait_for(&seen).await;
        assert_eq!((method.as_str(), path.as_str()), ("PATCH", ORIGINAL));
        assert_eq!(body, message.to_update_json());
        assert_eq!(body["attachments"], json!([]), "an edit states its files");
    }

    #[tokio::test]
    async fn an_ephemeral_answer_is_deferred_ephemeral() {
        let (rest, seen) = fake_discord().await;
        let slow = slowly(Response::Message(render::notice("reloaded", true)));
        let reload: Interaction = serde_json::from_value(json!({"type": 2, "id": "3000",
            "token": "tok", "application_id": "1000", "data": {"name": "reload"}}))
        .unwrap();
        let answer = first_answer(
            Some(rest),
            Call::new(&reload),
            slow,
            Duration::from_millis(50),
        )
        .await;
        assert_eq!(answer, json!({"type": 5, "data": {"flags": 64}}));
        let (method, path, body) = wait_for(&seen).await;
        assert_eq!((method.as_str(), path.as_str()), ("PATCH", ORIGINAL));
        assert_eq!(body["content"], "reloaded");
    }

    #[tokio::test]
    async fn slow_buttons_are_acknowledged_then_update_their_message() {
        let (rest, seen) = fake_discord().await;
        let message = render::notice("page two", false);
        let m = message.clone();
        let slow = slowly(Response::Update(m));
        let answer = first_answer(
            Some(rest),
            call(MESSAGE_COMPONENT),
            slow,
            Duration::from_millis(50),
        )
        .await;
        assert_eq!(answer, json!({"type": 6}));
        let (method, path, body) = wait_for(&seen).await;
        assert_eq!((method.as_str(), path.as_str()), ("PATCH", ORIGINAL));
        assert_eq!(body["content"], "page two");
    }

    #[tokio::test]
    async fn a_panic_is_a_failure_with_an_id_now_or_later() {
        let boom = || -> Outgoing { panic!("boom") };
        let answer = first_answer(
            None,
            call(APPLICATION_COMMAND),
            boom,
            Duration::from_secs(5),
        )
        .await;
        assert_eq!(answer["type"], 4);
        let text = answer["data"]["content"].as_str().unwrap();
        assert!(text.contains("Error id: `"), "{text}");
        assert_eq!(
            answer["data"]["flags"],
            render::message::FLAG_EPHEMERAL,
            "{answer}"
        );

        let (rest, seen) = fake_discord().await;
        let slow_boom = || -> Outgoing {
            std::thread::sleep(Duration::from_millis(300));
            panic!("slow boom")
        };
        let Timely::Deferred { deferral, later } = answer_within(
            Some(rest),
            call(APPLICATION_COMMAND),
            slow_boom,
            Duration::from_millis(50),
        )
        .await
        else {
            panic!("not deferred")
        };
        assert_eq!(deferral, json!({"type": 5}), "a public deferral");
        later.deliver().await;
        // The first follow-up would be the public loading message itself
        // (its ephemeral flag ignored), deleted right after: the failure
        // replaces the loading message instead, its id there for the asker.
        let seen = seen.lock().unwrap().clone();
        let sent: Vec<(&str, &str)> = seen
            .iter()
            .map(|(m, p, _)| (m.as_str(), p.as_str()))
            .collect();
        assert_eq!(sent, [("PATCH", ORIGINAL)], "{seen:?}");
        let body = &seen[0].2;
        assert!(
            body["content"].as_str().unwrap().contains("Error id"),
            "{body}"
        );
        assert_eq!(body["flags"], 0, "the deferral settled who sees it");
    }

    #[tokio::test]
    async fn slow_autocomplete_answers_no_choices() {
        let slow = || {
            std::thread::sleep(Duration::from_millis(300));
            Outgoing::bare(Response::Choices(vec![]))
        };
        let answer = first_answer(None, call(AUTOCOMPLETE), slow, Duration::from_millis(50)).await;
        assert_eq!(answer, json!({"type": 8, "data": {"choices": []}}));
    }

    #[tokio::test]
    async fn a_slow_notice_for_the_clicker_is_a_follow_up_not_an_edit() {
        let (rest, seen) = fake_discord().await;
        let slow = slowly(Response::Message(render::notice("only for you", true)));
        let answer = first_answer(
            Some(rest),
            call(MESSAGE_COMPONENT),
            slow,
            Duration::from_millis(50),
        )
        .await;
        assert_eq!(answer, json!({"type": 6}));
        let (method, path, body) = wait_for(&seen).await;
        assert_eq!(
            (method.as_str(), path.as_str()),
            ("POST", "/api/v10/webhooks/1000/tok")
        );
        assert_eq!(body["content"], "only for you");
    }
}
