//! #28 point 4: an interaction's REST calls end by its deadline whatever the
//! server or serenity's ratelimiter does. The client here has serenity's
//! ratelimiter on (as with Discord's own API URL); the ratelimiter ignores a
//! proxy base, so a call that went through it would never reach this fake.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Router;
use serde_json::json;
use serenity::http::{HttpBuilder, LightMethod, Route};

use lineage_bot::transport::rest;

/// A fake Discord that counts the requests it gets and answers each as
/// `answer` says, or never (`None`).
async fn fake(answer: Option<fn() -> axum::response::Response>) -> (String, Arc<AtomicUsize>) {
    let seen = Arc::new(AtomicUsize::new(0));
    let counted = seen.clone();
    let app = Router::new().fallback(move || {
        let counted = counted.clone();
        async move {
            counted.fetch_add(1, Ordering::SeqCst);
            match answer {
                Some(answer) => answer(),
                None => std::future::pending().await,
            }
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, seen)
}

/// A callback, as the gateway adapter sends it, within `deadline`.
async fn callback(base: &str, deadline: Instant) -> Result<Vec<u8>, rest::RestError> {
    let http = HttpBuilder::new("Bot test-token").proxy(base).build();
    assert!(http.ratelimiter.is_some(), "the ratelimiter is on");
    rest::call(
        &http,
        "answering",
        deadline,
        LightMethod::Post,
        Route::InteractionResponse {
            interaction_id: 4401.into(),
            token: "tok-4401",
        },
        Some(&json!({"type": 4, "data": {"content": "hi"}})),
        &[],
    )
    .await
}

/// A 429 asking for 30 s on a callback with 3 s left: given up at once,
/// never posted late into an expired interaction.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limited_callback_gives_up_instead_of_posting_late() {
    let (base, seen) = fake(Some(|| {
        (
            StatusCode::TOO_MANY_REQUESTS,
            [("retry-after", "30")],
            axum::Json(json!({"message": "You are being rate limited.", "retry_after": 30.0, "global": false})),
        )
            .into_response()
    }))
    .await;
    let deadline = Instant::now() + Duration::from_secs(3);
    let outcome = tokio::time::timeout(Duration::from_secs(60), callback(&base, deadline))
        .await
        .expect("the call ended");
    match outcome {
        Err(rest::RestError::Refused { status: 429, .. }) => {}
        other => panic!("not the 429: {other:?}"),
    }
    assert_eq!(
        seen.load(Ordering::SeqCst),
        1,
        "sent once, through the fake"
    );
    assert!(Instant::now() < deadline, "waited past the deadline");
}

/// A server that never answers: the call fails at the deadline.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_callback_nobody_answers_ends_at_its_deadline() {
    let (base, seen) = fake(None).await;
    let deadline = Instant::now() + Duration::from_millis(500);
    let outcome = tokio::time::timeout(Duration::from_secs(60), callback(&base, deadline))
        .await
        .expect("the call ended by its deadline");
    let e = outcome.expect_err("no answer is a failure");
    assert!(e.to_string().contains("deadline"), "{e}");
    assert_eq!(seen.load(Ordering::SeqCst), 1);
}
