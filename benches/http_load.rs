//! Load on the HTTP interactions endpoint, over loopback:
//! `cargo bench --bench http_load`.
//!
//! Starts the endpoint in-process on 127.0.0.1:0 over the bundled notes and
//! sends REQUESTS signed interactions (a mix of /model, /term, /search and
//! autocomplete) from CLIENTS concurrent keep-alive connections, then prints
//! throughput, latency percentiles and the error count (which must be 0).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use ed25519_dalek::{Signer, SigningKey};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use lineage_bot::engine::Engine;
use lineage_bot::http::{self, EndpointConfig};
use lineage_bot::respond::Responder;

const REQUESTS: usize = 10_000;
const CLIENTS: usize = 32;
const WARM_UP: usize = 200;
/// Stands for the interaction id in the bodies of [`mix`]: every request gets
/// its own, as the endpoint refuses an id it has seen (a replay).
const ID: &str = "ID";
/// The next interaction id, across the warm-up and the run.
static NEXT_ID: AtomicU64 = AtomicU64::new(1_000_000);

fn interaction(kind: u8, name: &str, option: &str, value: &str, locale: &str) -> Value {
    let mut o = json!({"name": option, "type": 3, "value": value});
    if kind == 4 {
        o["focused"] = json!(true);
    }
    json!({
        "id": ID, "application_id": "1000", "type": kind, "token": "tok", "version": 1,
        "guild_id": "2000", "channel_id": "4000", "locale": locale,
        "member": {"user": {"id": "5000", "username": "alice"}, "roles": [], "deaf": false, "mute": false, "flags": 0},
        "data": {"id": "6000", "name": name, "type": 1, "options": [o]}
    })
}

/// (body, the callback type it must be answered with)
fn mix() -> Vec<(Vec<u8>, u64)> {
    let mut m = Vec::new();
    for name in [
        "chatgpt",
        "003",
        "text-davinci-002",
        "code-davinci-002",
        "davinci",
    ] {
        m.push((interaction(2, "model", "name", name, "en-US"), 4));
    }
    for name in ["RLHF", "对齐税", "alignment-tax", "instruction tuning"] {
        m.push((interaction(2, "term", "name", name, "zh-CN"), 4));
    }
    for q in [
        "why is 003 better at writing",
        "代码训练和思维链",
        "what did RLHF trade away",
        "in-context learning",
    ] {
        m.push((interaction(2, "search", "query", q, "en-US"), 4));
    }
    for (command, typed) in [("model", "chat"), ("model", "00"), ("term", "rl")] {
        m.push((interaction(4, command, "name", typed, "en-US"), 8));
    }
    m.into_iter()
        .map(|(v, t)| (v.to_string().into_bytes(), t))
        .collect()
}

fn request(key: &SigningKey, template: &[u8]) -> Vec<u8> {
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    let body = String::from_utf8_lossy(template)
        .replacen(&format!("\"id\":\"{ID}\""), &format!("\"id\":\"{id}\""), 1)
        .into_bytes();
    let body = &body[..];
    let ts = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        .to_string();
    let mut signed = ts.as_bytes().to_vec();
    signed.extend_from_slice(body);
    let sig = hex::encode(key.sign(&signed).to_bytes());
    let mut r = format!(
        "POST /interactions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\nX-Signature-Ed25519: {sig}\r\nX-Signature-Timestamp: {ts}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    r.extend_from_slice(body);
    r
}

/// Reads one response off a keep-alive connection: (status, body).
async fn read_response(
    stream: &mut TcpStream,
    buf: &mut Vec<u8>,
) -> std::io::Result<(u16, Vec<u8>)> {
    let mut chunk = [0u8; 16 * 1024];
    let head_end = loop {
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p;
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let length = head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(n, _)| n.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse::<usize>().ok())
        .ok_or_else(|| std::io::Error::other("no Content-Length"))?;
    while buf.len() < head_end + 4 + length {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = buf[head_end + 4..head_end + 4 + length].to_vec();
    buf.drain(..head_end + 4 + length);
    Ok((status, body))
}

struct Tally {
    latencies: Vec<Duration>,
    errors: usize,
    first_error: Option<String>,
}

/// One keep-alive client taking requests numbered below `until` from `next`.
async fn client(
    addr: SocketAddr,
    key: Arc<SigningKey>,
    mix: Arc<Vec<(Vec<u8>, u64)>>,
    next: Arc<AtomicUsize>,
    until: usize,
) -> Tally {
    let mut tally = Tally {
        latencies: Vec::new(),
        errors: 0,
        first_error: None,
    };
    let mut stream: Option<TcpStream> = None;
    let mut buf = Vec::new();
    loop {
        let n = next.fetch_add(1, Ordering::Relaxed);
        if n >= until {
            return tally;
        }
        let (body, want) = &mix[n % mix.len()];
        let req = request(&key, body);
        let started = Instant::now();
        let outcome = async {
            if stream.is_none() {
                let s = TcpStream::connect(addr).await?;
                s.set_nodelay(true)?;
                stream = Some(s);
                buf.clear();
            }
            let s = stream.as_mut().unwrap();
            s.write_all(&req).await?;
            read_response(s, &mut buf).await
        }
        .await;
        let elapsed = started.elapsed();
        let problem = match outcome {
            Ok((200, body)) => {
                let t = serde_json::from_slice::<Value>(&body)
                    .ok()
                    .and_then(|v| v["type"].as_u64());
                (t != Some(*want)).then(|| {
                    format!(
                        "request {n}: wanted type {want}, got {}",
                        String::from_utf8_lossy(&body)
                    )
                })
            }
            Ok((status, body)) => Some(format!(
                "request {n}: HTTP {status} {}",
                String::from_utf8_lossy(&body)
            )),
            Err(e) => {
                stream = None;
                Some(format!("request {n}: {e}"))
            }
        };
        tally.latencies.push(elapsed);
        if let Some(p) = problem {
            tally.errors += 1;
            tally.first_error.get_or_insert(p);
        }
    }
}

async fn run_load(
    addr: SocketAddr,
    key: &Arc<SigningKey>,
    mix: &Arc<Vec<(Vec<u8>, u64)>>,
    requests: usize,
) -> (Duration, Tally) {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|_| {
            tokio::spawn(client(
                addr,
                key.clone(),
                mix.clone(),
                next.clone(),
                requests,
            ))
        })
        .collect();
    let mut all = Tally {
        latencies: Vec::with_capacity(requests),
        errors: 0,
        first_error: None,
    };
    for t in tasks {
        let t = t.await.expect("a client task");
        all.latencies.extend(t.latencies);
        all.errors += t.errors;
        if all.first_error.is_none() {
            all.first_error = t.first_error;
        }
    }
    (started.elapsed(), all)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    // `cargo bench` passes `--bench`; there is nothing to filter.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let errors = runtime.block_on(async {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge");
        let t = Instant::now();
        let engine = Engine::load(&dir, None).expect("the bundled notes load");
        println!("engine loaded in {}", ms(t.elapsed()));

        let key = Arc::new(SigningKey::from_bytes(&[7; 32]));
        let config = EndpointConfig::from_hex(&hex::encode(key.verifying_key().as_bytes()))
            .expect("the test key");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(http::serve(listener, Responder::new(engine), config, async {
            let _ = stopped.await;
        }));

        let mix = Arc::new(mix());
        let (_, warm) = run_load(addr, &key, &mix, WARM_UP).await;
        if warm.errors > 0 {
            println!(
                "warm-up: {} errors, first: {}",
                warm.errors,
                warm.first_error.unwrap_or_default()
            );
        }
        let (elapsed, mut tally) = run_load(addr, &key, &mix, REQUESTS).await;
        tally.latencies.sort();
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        println!(
            "http_load: {REQUESTS} signed requests ({} kinds: /model /term /search autocomplete), {CLIENTS} keep-alive clients, loopback, {threads} CPUs",
            mix.len()
        );
        println!(
            "  elapsed    {:.2} s\n  throughput {:.0} req/s\n  p50        {}\n  p90        {}\n  p99        {}\n  max        {}\n  errors     {}",
            elapsed.as_secs_f64(),
            REQUESTS as f64 / elapsed.as_secs_f64(),
            ms(percentile(&tally.latencies, 0.50)),
            ms(percentile(&tally.latencies, 0.90)),
            ms(percentile(&tally.latencies, 0.99)),
            ms(tally.latencies.last().copied().unwrap_or_default()),
            tally.errors,
        );
        if let Some(e) = &tally.first_error {
            println!("  first error: {e}");
        }
        let _ = stop.send(());
        let _ = tokio::time::timeout(Duration::from_secs(10), server).await;
        tally.errors + warm.errors
    });
    if errors > 0 {
        std::process::exit(1);
    }
}
