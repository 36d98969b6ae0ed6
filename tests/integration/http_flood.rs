//! The real `lineage-bot serve-http` under a flood of idle and half-sent
//! connections (issue #15, point 4): the connection limit bounds the
//! descriptors, the header timeout closes the flood, `/healthz` is answered
//! throughout, descriptors and memory come back, and SIGTERM ends the process
//! in time with half-sent requests still open. Run with `--nocapture` for the
//! figures.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The flood: half idle (connected, nothing sent), half half-sent heads.
const FLOOD: usize = 2_000;
const MAX_CONNECTIONS: usize = 500;
/// Opened while SIGTERM arrives.
const AT_SIGTERM: usize = 300;

/// The bot; killed if the test fails before it exits.
struct Bot {
    child: Child,
    log: PathBuf,
}

impl Drop for Bot {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Bot {
    fn pid(&self) -> u32 {
        self.child.id()
    }
    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

/// Descriptors the process has open, and how many of them are sockets.
fn fds(pid: u32) -> (usize, usize) {
    let mut all = 0;
    let mut sockets = 0;
    if let Ok(entries) = std::fs::read_dir(format!("/proc/{pid}/fd")) {
        for e in entries.flatten() {
            all += 1;
            if std::fs::read_link(e.path())
                .map(|t| t.to_string_lossy().starts_with("socket:"))
                .unwrap_or(false)
            {
                sockets += 1;
            }
        }
    }
    (all, sockets)
}

/// Resident memory in KiB.
fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

async fn wait_until<T>(
    what: &str,
    limit: Duration,
    log: &Path,
    mut probe: impl FnMut() -> Option<T>,
) -> T {
    let started = Instant::now();
    loop {
        if let Some(v) = probe() {
            return v;
        }
        if started.elapsed() > limit {
            let log = std::fs::read_to_string(log).unwrap_or_default();
            panic!("timed out waiting for {what}; the bot logged:\n{log}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// This process may need more descriptors than the soft limit allows.
fn raise_fd_limit(want: u64) {
    let mut l = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit with a valid pointer to a local struct.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut l) == 0 && l.rlim_cur < want {
            l.rlim_cur = want.min(l.rlim_max);
            libc::setrlimit(libc::RLIMIT_NOFILE, &l);
        }
    }
}

fn start_bot(dir: &Path) -> Bot {
    let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[http]\nlisten = \"127.0.0.1:0\"\npublic_key = \"{}\"\nmax_connections = {MAX_CONNECTIONS}\n\
             header_timeout_seconds = 1\nrequest_timeout_seconds = 30\n[data]\nrecord = false\n",
            hex::encode(key.verifying_key().as_bytes())
        ),
    )
    .unwrap();
    let log = dir.join("bot.log");
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_lineage-bot"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["serve-http", "--config"])
        .arg(&config)
        .env_remove("DISCORD_TOKEN")
        .env_remove("DISCORD_PUBLIC_KEY")
        .env("LINEAGE_BOT_LOG", "info")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    Bot { child, log }
}

/// `GET /healthz` on a new connection: the status, or an error.
async fn healthz(addr: SocketAddr) -> std::io::Result<u16> {
    let mut s = TcpStream::connect(addr).await?;
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).await?;
    let head = String::from_utf8_lossy(&raw);
    Ok(head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0))
}

/// Opens `n` connections; every other one sends half a request head. With
/// `stalled`, every tenth is instead a signed-looking POST whose body stalls.
async fn open(addr: SocketAddr, n: usize, stalled: bool) -> Vec<TcpStream> {
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let mut s = TcpStream::connect(addr).await.expect("connect");
        if stalled && i % 10 == 0 {
            // A well-formed signature, so that the body is read before it
            // is checked.
            let head = format!(
                "POST /interactions HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\
                 X-Signature-Ed25519: {}\r\nX-Signature-Timestamp: 1\r\n\r\n{{\"type\":",
                "00".repeat(64)
            );
            s.write_all(head.as_bytes()).await.expect("write");
        } else if i % 2 == 1 {
            s.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
                .await
                .expect("write");
        }
        out.push(s);
    }
    out
}

/// Reads every stream until the server closes it; how long that took.
async fn all_closed(streams: Vec<TcpStream>) -> Duration {
    let started = Instant::now();
    let tasks: Vec<_> = streams
        .into_iter()
        .map(|mut s| {
            tokio::spawn(async move {
                let mut buf = [0u8; 512];
                loop {
                    match s.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(_) => {}
                    }
                }
            })
        })
        .collect();
    let every = async {
        for t in tasks {
            t.await.unwrap();
        }
    };
    tokio::time::timeout(Duration::from_secs(15), every)
        .await
        .expect("the server closed every connection within 15 s");
    started.elapsed()
}

/// What one flood did to the process.
struct Round {
    opening: Duration,
    fd_during: (usize, usize),
    rss_during: u64,
    health_latency: Duration,
    closing: Duration,
    fd_after: (usize, usize),
    rss_after: u64,
}

/// FLOOD connections, half idle, half half-sent; beyond MAX_CONNECTIONS they
/// wait in the backlog. Returns once the server has closed every one of them
/// and the descriptors are back to `fd_before`.
async fn flood(addr: SocketAddr, pid: u32, fd_before: usize, log: &Path) -> Round {
    // The server's descriptors are watched for as long as the flood lasts,
    // and its peak kept: the flood is transient (opening 2 000 sockets takes
    // longer than the 1 s header timeout, and the server drains the backlog
    // as it goes), so a single sample, or a wait begun after the opening,
    // can miss it on a loaded machine, while the peak is what the limit must
    // bound.
    let watching = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let watcher = {
        let watching = watching.clone();
        tokio::spawn(async move {
            let mut peak = (0, 0);
            while watching.load(std::sync::atomic::Ordering::Relaxed) {
                let now = fds(pid);
                if now.0 > peak.0 {
                    peak = now;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            peak
        })
    };
    let opened = Instant::now();
    let flood = open(addr, FLOOD, false).await;
    let opening = opened.elapsed();
    let rss_during = rss_kib(pid);
    // Health is answered while the flood is open: queued behind it, and the
    // header timeout (1 s) clears MAX_CONNECTIONS of it a second.
    let asked = Instant::now();
    let status = tokio::time::timeout(Duration::from_secs(10), healthz(addr))
        .await
        .expect("/healthz answered within 10 s of the flood");
    let health_latency = asked.elapsed();
    assert_eq!(status.unwrap(), 200);
    let closing = all_closed(flood).await;
    watching.store(false, std::sync::atomic::Ordering::Relaxed);
    let fd_during = watcher.await.expect("the descriptor watcher");
    // Every flood connection is closed by the server: the descriptors return.
    let fd_after = wait_until(
        "the descriptors to return to the baseline",
        // Waiting for an event: a generous limit costs nothing when it comes
        // (a busy CI machine can be slow to open and close 2 000 sockets).
        Duration::from_secs(30),
        log,
        || Some(fds(pid)).filter(|&(all, _)| all <= fd_before + 2),
    )
    .await;
    assert_eq!(healthz(addr).await.unwrap(), 200);
    Round {
        opening,
        fd_during,
        rss_during,
        health_latency,
        closing,
        fd_after,
        rss_after: rss_kib(pid),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_idle_connections_neither_starves_nor_holds_the_endpoint() {
    raise_fd_limit(8_192);
    let dir = tempfile::tempdir().unwrap();
    let mut bot = start_bot(dir.path());
    let pid = bot.pid();
    let log_path = bot.log.clone();
    let addr: SocketAddr = wait_until(
        "the endpoint to listen",
        Duration::from_secs(60),
        &log_path,
        || {
            let log = bot.log();
            let at = log.find("POST http://")? + "POST http://".len();
            let end = log[at..].find("/interactions")?;
            log[at..at + end].parse().ok()
        },
    )
    .await;
    assert_eq!(healthz(addr).await.unwrap(), 200);
    let (fd_before, sockets_before) = fds(pid);
    let rss_before = rss_kib(pid);

    // Two floods: the second shows whether anything stays behind per flood.
    let first = flood(addr, pid, fd_before, &log_path).await;
    let second = flood(addr, pid, fd_before, &log_path).await;

    // SIGTERM with half-sent heads, stalled bodies (10 s body timeout) and
    // idle connections open.
    let pending = open(addr, AT_SIGTERM, true).await;
    // The stalled bodies (every tenth) stay open for their 30 s request
    // timeout; the idle and half-sent ones may already have met the 1 s
    // header timeout on a slow machine, so only the stalled are awaited.
    let (fd_at_term, _) = wait_until(
        "the stalled requests to be accepted",
        Duration::from_secs(30),
        &log_path,
        || Some(fds(pid)).filter(|&(all, _)| all >= fd_before + AT_SIGTERM / 10),
    )
    .await;
    let termed = Instant::now();
    // SAFETY: signalling our own child by its pid.
    assert_eq!(unsafe { libc::kill(pid as i32, libc::SIGTERM) }, 0);
    let status = wait_until(
        "the exit after SIGTERM",
        Duration::from_secs(10),
        &log_path,
        || bot.child.try_wait().unwrap(),
    )
    .await;
    let exit_after = termed.elapsed();
    let log = bot.log();
    let pending_closed = all_closed(pending).await;

    let mib = |kib: u64| kib as f64 / 1024.0;
    println!(
        "flood: {FLOOD} connections (half idle, half half-sent), max_connections {MAX_CONNECTIONS}, header timeout 1 s\n\
         \x20 before: descriptors (all/sockets) {fd_before}/{sockets_before}, RSS {:.1} MiB",
        mib(rss_before)
    );
    for (n, r) in [(1, &first), (2, &second)] {
        println!(
            "  flood {n}: opened in {:.2?}; during {}/{} descriptors, RSS {:.1} MiB; /healthz answered in {:.2?}; \
             closed by the server {:.2?} later; after {}/{} descriptors, RSS {:.1} MiB",
            r.opening,
            r.fd_during.0,
            r.fd_during.1,
            mib(r.rss_during),
            r.health_latency,
            r.closing,
            r.fd_after.0,
            r.fd_after.1,
            mib(r.rss_after),
        );
    }
    println!(
        "  SIGTERM with {AT_SIGTERM} connections open ({fd_at_term} descriptors): {status} after {exit_after:.2?}"
    );
    for r in [&first, &second] {
        // The limit held: at most MAX_CONNECTIONS more descriptors, whatever
        // the flood's size…
        assert!(
            r.fd_during.0 <= fd_before + MAX_CONNECTIONS + 2,
            "{:?} descriptors during the flood ({fd_before} before)",
            r.fd_during
        );
        // …and the flood was really there.
        assert!(
            r.fd_during.0 >= fd_before + MAX_CONNECTIONS / 2,
            "the flood was not accepted: {:?} descriptors ({fd_before} before)",
            r.fd_during
        );
        // Memory is bounded (issue #15: +160 MB for 10 000 connections).
        assert!(
            r.rss_during < rss_before + 64 * 1024 && r.rss_after < rss_before + 32 * 1024,
            "RSS {rss_before} → {} → {} KiB",
            r.rss_during,
            r.rss_after
        );
    }
    // What the allocator keeps after the first flood is reused by the
    // second: nothing accumulates per flood.
    assert!(
        second.rss_after <= first.rss_after + 4 * 1024,
        "RSS grew from {} to {} KiB after a second flood",
        first.rss_after,
        second.rss_after
    );
    assert!(status.success(), "exit {status:?}\n{log}");
    assert!(
        exit_after < Duration::from_secs(5),
        "SIGTERM took {exit_after:?}\n{log}"
    );
    assert!(log.contains("interactions endpoint stopped"), "{log}");
    assert!(
        pending_closed < Duration::from_secs(1),
        "{pending_closed:?}"
    );
}
