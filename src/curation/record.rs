//! Recording what people asked, best-effort: the answer path only normalises
//! the question, hashes it and hands a row to a bounded channel (`try_send`,
//! dropped when full); one writer thread owns the database. A store that
//! cannot be opened (corrupt, locked, unwritable) is logged with its path
//! and the recorder is off: answering goes on.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};

use super::store::{Asked, Outcome, Store, Vote};
use crate::engine::reply::SearchAnswer;
use crate::engine::Locale;

/// Rows waiting for the writer; more are dropped (and counted), never waited for.
pub const QUEUE: usize = 1024;
/// How long the writer may go on writing the queue out once the process
/// is stopping: a store locked by another program waits its busy timeout
/// (500 ms) per row, and 1 024 rows would hold a shutdown for ~8.5 min.
/// What is still queued then is counted in the log and not written.
pub const DRAIN_FOR: Duration = Duration::from_secs(5);

/// A first hit whose confidence ([`crate::search::Hit::confidence`]: the
/// share of what the question asks that it covers, weighed by what each
/// word says) is below this is a weak answer: found, but by little of the
/// question. A normalised figure, unlike the ranking's scores, which only
/// compare the hits of one question.
pub const WEAK_CONFIDENCE: f32 = 0.5;

/// The secret of the voter key, inside `data.dir`.
pub const SECRET_FILE: &str = "secret";

/// A question folded so that "What is X?" and "what is x" are one: Unicode
/// lower case, full-width forms to their ASCII (and the ideographic space
/// to a space), punctuation and symbols to spaces, runs of spaces to one,
/// and no space next to a Chinese character ("什么是 RLHF？" is
/// "什么是rlhf").
pub fn normalise(question: &str) -> String {
    let mut folded = String::with_capacity(question.len());
    for c in question.chars() {
        let c = match c {
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        };
        if c.is_alphanumeric() {
            folded.extend(c.to_lowercase());
        } else {
            folded.push(' ');
        }
    }
    let cjk =
        |c: char| ('\u{3400}'..='\u{9fff}').contains(&c) || ('\u{f900}'..='\u{faff}').contains(&c);
    let words: Vec<&str> = folded.split_whitespace().collect();
    let mut out = String::with_capacity(folded.len());
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            let before = words[i - 1].chars().next_back().is_some_and(cjk);
            let after = w.chars().next().is_some_and(cjk);
            if !before && !after {
                out.push(' ');
            }
        }
        out.push_str(w);
    }
    out
}

/// The most of a question's own wording the store keeps.
pub const WORDING_CHARS: usize = 500;

/// A question as typed, for the report to show: only its runs of
/// whitespace (a message's line breaks) made one space, and long ones cut.
/// Grouping is [`normalise`]'s job, not this.
pub fn wording(question: &str) -> String {
    // Control characters (a terminal's escape sequences) never reach the
    // report that prints it.
    let one_line = question
        .split_whitespace()
        .map(|w| w.chars().filter(|c| !c.is_control()).collect::<String>())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    one_line.chars().take(WORDING_CHARS).collect()
}

/// What a search answered: nothing (no hits), weak (a first hit scoring
/// whose confidence is under [`WEAK_CONFIDENCE`]: it covers less than half
/// of what was asked), error (the search failed), answered otherwise; and
/// the first hit's source.
pub fn outcome(answer: &SearchAnswer) -> (Outcome, Option<String>) {
    // A failed search says nothing of the notes.
    if answer.failed {
        return (Outcome::Error, None);
    }
    // Hits about the subject of a question the notes don't cover are no
    // answer: it is a gap.
    if !answer.lacking.is_empty() {
        return (Outcome::Nothing, None);
    }
    match answer.hits.first() {
        None => (Outcome::Nothing, None),
        Some(h) => (
            if h.confidence < WEAK_CONFIDENCE {
                Outcome::Weak
            } else {
                Outcome::Answered
            },
            Some(h.source.to_string()),
        ),
    }
}

/// The key of an answer (its normalised question): 16 hex digits of SHA-256,
/// the same across restarts, so votes and questions meet in the report.
pub fn answer_key(normalised: &str) -> String {
    hex::encode(&Sha256::digest(normalised.as_bytes())[..8])
}

/// HMAC-SHA-256 (RFC 2104).
fn hmac(key: &[u8], message: &[&[u8]]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut k = [0u8; BLOCK];
    if key.len() > BLOCK {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(k.map(|b| b ^ 0x36));
    for part in message {
        inner.update(part);
    }
    let mut outer = Sha256::new();
    outer.update(k.map(|b| b ^ 0x5c));
    outer.update(inner.finalize());
    outer.finalize().into()
}

/// Who voted on an answer, without who: a keyed hash of the user and the
/// answer, so one user has one vote per answer and their votes on different
/// answers cannot be linked.
pub fn voter_key(secret: &[u8; 32], user: &str, answer_key: &str) -> String {
    hex::encode(&hmac(secret, &[user.as_bytes(), b"\0", answer_key.as_bytes()])[..16])
}

/// The gaps page's secret link token: derived from the store's secret, so
/// it lives in the data dir, survives restarts, is the same for every
/// replica on that dir, and changes when the secret file is removed.
pub fn page_token(secret: &[u8; 32]) -> String {
    hex::encode(&hmac(secret, &[b"lineage-bot gaps page"])[..16])
}

/// The secret in `dir`, made on first use: 32 bytes from the system's
/// random source, mode 0600. It is written whole to a file of its own and
/// linked into place, so a failed read of the random source or a kill
/// midway never leaves an empty or short secret; one left by an older
/// version (not 32 bytes) is replaced, with a warning.
pub fn secret(dir: &Path) -> std::io::Result<[u8; 32]> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join(SECRET_FILE);
    match std::fs::read(&path) {
        Ok(bytes) => match <[u8; 32]>::try_from(bytes.as_slice()) {
            Ok(secret) => return Ok(secret),
            Err(_) => tracing::warn!(
                path = %path.display(),
                len = bytes.len(),
                "the voter-key secret is not 32 bytes (a write cut short); making a new one"
            ),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let mut bytes = [0u8; 32];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let temporary = dir.join(format!(".{SECRET_FILE}.{}.{nanos}.tmp", std::process::id()));
    let written = (|| {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&temporary)?;
        file.write_all(&bytes)?;
        file.sync_all()?;
        // Linked, not renamed, where there is none: two processes making
        // one at once keep the first, and both read it.
        match std::fs::hard_link(&temporary, &path) {
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                match std::fs::read(&path).map(|b| <[u8; 32]>::try_from(b.as_slice())) {
                    Ok(Ok(theirs)) => {
                        bytes = theirs;
                        Ok(())
                    }
                    // Still the short one an older version left: replace it.
                    _ => std::fs::rename(&temporary, &path),
                }
            }
            other => other,
        }
    })();
    let _ = std::fs::remove_file(&temporary);
    written.map(|()| bytes)
}

/// Unix seconds.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

enum Row {
    Asked(Asked),
    Vote(Vote),
    /// A long button's command, by its key.
    Kept {
        key: String,
        command: String,
        at: i64,
    },
}

/// How long a kept button command is read back (the responder's
/// `KEPT_FOR`, 24 h, as the memory keeps it).
pub const KEPT_FOR_SECS: i64 = 24 * 60 * 60;

/// The recorder every serving mode shares (cheap to clone). Off when
/// `data.record` is false, or when the store could not be opened.
#[derive(Clone, Debug, Default)]
pub struct Recorder {
    on: Option<Arc<On>>,
    /// Where the store is (or would be), for the report and messages.
    dir: Option<PathBuf>,
    /// What the last reload did to the recorded questions.
    last_reload: Arc<Mutex<Option<super::diff::Counts>>>,
}

struct On {
    tx: Mutex<Option<SyncSender<Row>>>,
    secret: [u8; 32],
    dropped: AtomicU64,
    failing: Arc<AtomicBool>,
    /// Set when the process stops: the end of [`DRAIN_FOR`].
    closing: Arc<OnceLock<Instant>>,
    /// A connection of its own for reading kept buttons back (the writer
    /// owns the other).
    reader: Mutex<Option<Store>>,
    drain_for: Duration,
    /// Returns how many rows it gave up at shutdown.
    writer: Mutex<Option<JoinHandle<usize>>>,
}

impl On {
    /// Stops taking rows, lets the writer write the queue out for at most
    /// `drain_for`, and returns how many rows it gave up.
    fn close(&self) -> usize {
        let _ = self.closing.set(Instant::now() + self.drain_for);
        self.tx.lock().unwrap_or_else(|p| p.into_inner()).take();
        let Some(w) = self.writer.lock().unwrap_or_else(|p| p.into_inner()).take() else {
            return 0;
        };
        let dropped = w.join().unwrap_or(0);
        if dropped > 0 {
            tracing::warn!(
                rows = dropped,
                "stopping: the curator's store did not keep up; the last rows were not recorded"
            );
        }
        dropped
    }
}

impl std::fmt::Debug for On {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("On").finish_non_exhaustive()
    }
}

impl Drop for On {
    /// The queue is written out before the process ends, for at most
    /// [`DRAIN_FOR`].
    fn drop(&mut self) {
        self.close();
    }
}

/// After a reload: asks the most asked recorded questions of the notes
/// before and after, logs one line with the counts and keeps them for
/// `/gaps`. Holds the recorder weakly: a listener the engine keeps must not
/// keep the store's writer from draining when the recorder goes.
#[derive(Clone)]
pub struct ReloadHook {
    on: Weak<On>,
    last_reload: Arc<Mutex<Option<super::diff::Counts>>>,
}

impl ReloadHook {
    pub fn after_reload(&self, before: &crate::engine::Snapshot, after: &crate::engine::Snapshot) {
        let Some(on) = self.on.upgrade() else { return };
        let questions = {
            let reader = on.reader.lock().unwrap_or_else(|p| p.into_inner());
            let Some(store) = reader.as_ref() else { return };
            super::diff::recorded(store, None, super::diff::RELOAD_QUESTIONS, now())
        };
        match questions {
            Ok(questions) => {
                let counts = super::diff::compare(&questions, before, after).counts();
                tracing::info!(%counts, "recorded questions after the reload");
                *self.last_reload.lock().unwrap_or_else(|p| p.into_inner()) = Some(counts);
            }
            Err(e) => tracing::warn!(error = %e, "reading the recorded questions failed"),
        }
    }
}

impl Recorder {
    /// A recorder that records nothing (`ask`, `search`, tests).
    pub fn off() -> Recorder {
        Recorder::default()
    }

    /// Opens the store in `dir` (created on first use) and starts the
    /// writer. Never fails: a store that cannot be opened is logged with its
    /// path, and the recorder is off.
    pub fn open(dir: &Path, retention_days: u32) -> Recorder {
        Recorder::open_draining(dir, retention_days, DRAIN_FOR)
    }

    /// [`Recorder::open`], writing the queue out for at most `drain_for`
    /// when it closes.
    fn open_draining(dir: &Path, retention_days: u32, drain_for: Duration) -> Recorder {
        let off = Recorder {
            on: None,
            dir: Some(dir.to_path_buf()),
            last_reload: Arc::default(),
        };
        let secret = match secret(dir) {
            Ok(s) => s,
            Err(e) => {
                tracing::error!(path = %dir.join(SECRET_FILE).display(), error = %e, "recording is off: no secret for the voter key");
                return off;
            }
        };
        let store = match Store::open(dir) {
            Ok(s) => s,
            Err(e) => {
                tracing::error!(error = %e, "recording is off: the curator's store cannot be opened; answering goes on");
                return off;
            }
        };
        let (tx, rx) = sync_channel(QUEUE);
        let failing = Arc::new(AtomicBool::new(false));
        let closing = Arc::new(OnceLock::new());
        let writer = {
            let failing = failing.clone();
            let closing = closing.clone();
            std::thread::Builder::new()
                .name("curation-writer".into())
                .spawn(move || write_rows(store, rx, retention_days, &failing, &closing))
        };
        let writer = match writer {
            Ok(w) => w,
            Err(e) => {
                tracing::error!(error = %e, "recording is off: no writer thread");
                return off;
            }
        };
        Recorder {
            on: Some(Arc::new(On {
                tx: Mutex::new(Some(tx)),
                secret,
                dropped: AtomicU64::new(0),
                failing,
                closing,
                reader: Mutex::new(Store::open(dir).ok()),
                drain_for,
                writer: Mutex::new(Some(writer)),
            })),
            dir: Some(dir.to_path_buf()),
            last_reload: Arc::default(),
        }
    }

    /// Whether questions and votes are being recorded.
    pub fn is_on(&self) -> bool {
        self.on.is_some()
    }

    /// Whether the writer's last write failed (a store locked or corrupted
    /// since it opened); it keeps trying.
    pub fn is_failing(&self) -> bool {
        self.on
            .as_ref()
            .is_some_and(|o| o.failing.load(Ordering::Relaxed))
    }

    /// What the engine calls after a reload (see [`ReloadHook`]): it does
    /// not keep the store open, so the queue is still written out when the
    /// responder goes, whoever holds the engine.
    pub fn reload_hook(&self) -> ReloadHook {
        ReloadHook {
            on: self.on.as_ref().map_or_else(Weak::new, Arc::downgrade),
            last_reload: self.last_reload.clone(),
        }
    }

    /// What the last reload did to the recorded questions, if one ran.
    pub fn last_reload(&self) -> Option<super::diff::Counts> {
        *self.last_reload.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The store's directory (`data.dir`), when one was configured.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// Rows dropped because the writer was behind.
    pub fn dropped(&self) -> u64 {
        self.on
            .as_ref()
            .map_or(0, |o| o.dropped.load(Ordering::Relaxed))
    }

    fn send(&self, row: Row) -> bool {
        let Some(on) = &self.on else { return false };
        let tx = on.tx.lock().unwrap_or_else(|p| p.into_inner());
        let Some(tx) = tx.as_ref() else { return false };
        match tx.try_send(row) {
            Ok(()) => true,
            Err(TrySendError::Full(_)) => {
                if on.dropped.fetch_add(1, Ordering::Relaxed) % 1000 == 0 {
                    tracing::warn!("the curator's store is behind: rows dropped");
                }
                false
            }
            Err(TrySendError::Disconnected(_)) => false,
        }
    }

    /// What recording a question would write, not written yet: the
    /// transport records it ([`Recorder::record`]) once its reply is posted,
    /// so a question the bot then does not answer (a cooldown, a failed
    /// post) is not counted. `None` when off or when nothing is left of the
    /// question once normalised.
    pub fn asking(&self, question: &str, locale: Locale, answer: &SearchAnswer) -> Option<Asking> {
        self.on.as_ref()?;
        let wording = wording(question);
        let question = normalise(question);
        if question.is_empty() {
            return None;
        }
        let (outcome, top_source) = outcome(answer);
        let answer_key = answer_key(&question);
        Some(Asking(Asked {
            at: now(),
            question,
            answer_key,
            locale: locale_code(locale),
            outcome,
            top_source,
            asker: None,
            wording: Some(wording),
        }))
    }

    /// Records an asking, with who asked when a user is known (kept as
    /// their keyed hash, like a vote's: the report counts distinct askers).
    pub fn record(&self, asking: Asking, user: Option<&str>) {
        let Some(on) = &self.on else { return };
        let mut row = asking.0;
        row.asker = user.map(|u| voter_key(&on.secret, u, &row.answer_key));
        self.send(Row::Asked(row));
    }

    /// Records a question asked now ([`Recorder::asking`] and
    /// [`Recorder::record`] in one) and returns its answer key (for the vote
    /// buttons); `None` when off.
    pub fn asked(
        &self,
        question: &str,
        locale: Locale,
        answer: &SearchAnswer,
        user: Option<&str>,
    ) -> Option<String> {
        let asking = self.asking(question, locale, answer)?;
        let key = asking.key().to_string();
        self.record(asking, user);
        Some(key)
    }

    /// Keeps a long button's command in the store, where a restarted bot
    /// or another replica on the same data dir reads it back
    /// ([`Recorder::kept`]). Best-effort, like every row; nothing when off.
    pub fn keep_button(&self, key: &str, command: &str) {
        self.send(Row::Kept {
            key: key.to_string(),
            command: command.to_string(),
            at: now(),
        });
    }

    /// The command a long button kept under `key` within the last 24 h.
    pub fn kept(&self, key: &str) -> Option<String> {
        let on = self.on.as_ref()?;
        let reader = on.reader.lock().unwrap_or_else(|p| p.into_inner());
        match reader.as_ref()?.kept(key, now() - KEPT_FOR_SECS) {
            Ok(found) => found,
            Err(e) => {
                tracing::warn!(error = %e, "reading a kept button failed");
                None
            }
        }
    }

    /// Records `user`'s vote on an answer (one per user and answer; a
    /// second replaces the first). `false` when off.
    pub fn vote(&self, answer_key: &str, user: &str, up: bool) -> bool {
        let Some(on) = &self.on else { return false };
        let voter = voter_key(&on.secret, user, answer_key);
        self.send(Row::Vote(Vote {
            at: now(),
            answer_key: answer_key.to_string(),
            voter,
            up,
        }))
    }
}

/// A question's row before it is recorded ([`Recorder::asking`]).
#[derive(Debug, Clone)]
pub struct Asking(Asked);

impl Asking {
    /// The answer key, for the vote buttons.
    pub fn key(&self) -> &str {
        &self.0.answer_key
    }
}

fn locale_code(locale: Locale) -> &'static str {
    match locale {
        Locale::En => "en",
        Locale::Zh => "zh-CN",
        Locale::ZhTw => "zh-TW",
    }
}

/// How often the writer deletes rows past retention.
const PRUNE_EVERY: Duration = Duration::from_secs(60 * 60);

/// The writer thread: owns the connection, prunes on start and hourly, and
/// logs failures (with the path) without stopping. Once `closing` is past,
/// it gives up what is still queued and returns how many rows that was.
fn write_rows(
    store: Store,
    rx: Receiver<Row>,
    retention_days: u32,
    failing: &AtomicBool,
    closing: &OnceLock<Instant>,
) -> usize {
    let path = store.path().display().to_string();
    let report = |what: &str, e: &dyn std::fmt::Display| {
        // Logged when it starts failing, not once per row.
        if !failing.swap(true, Ordering::Relaxed) {
            tracing::error!(%path, error = %e, "the curator's store failed to {what}; answering goes on");
        }
    };
    let mut pruned = Instant::now();
    match store.prune(now(), retention_days) {
        Ok(n) if n > 0 => tracing::info!(%path, rows = n, "pruned rows past data.retention_days"),
        Ok(_) => {}
        Err(e) => report("prune", &e),
    }
    loop {
        let row = match rx.recv_timeout(PRUNE_EVERY) {
            Ok(row) => Some(row),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => return 0,
        };
        if closing.get().is_some_and(|until| Instant::now() >= *until) {
            return usize::from(row.is_some()) + rx.try_iter().count();
        }
        let written = match row {
            Some(Row::Asked(a)) => store.insert_asked(&a),
            Some(Row::Vote(v)) => store.insert_vote(&v),
            Some(Row::Kept { key, command, at }) => store.insert_kept(&key, &command, at),
            None => Ok(()),
        };
        match written {
            Ok(()) => {
                if failing.swap(false, Ordering::Relaxed) {
                    tracing::info!(%path, "the curator's store records again");
                }
            }
            Err(e) => report("record", &e),
        }
        if pruned.elapsed() >= PRUNE_EVERY {
            pruned = Instant::now();
            if let Err(e) = store.prune(now(), retention_days) {
                report("prune", &e);
            }
            if let Err(e) = store.prune_kept(now() - KEPT_FOR_SECS) {
                report("prune", &e);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// #29 point 10: stopping with the store locked by another program
    /// gives up the queue once the drain time is over, and says how many
    /// rows; the old writer waited the busy timeout for every queued row.
    #[test]
    fn the_wording_keeps_what_was_typed_but_no_control_characters() {
        assert_eq!(
            wording("  What is  the \u{1b}]0;pwned\u{7} \u{1b}[31mtax?\n"),
            "What is the ]0;pwned [31mtax?"
        );
        assert_eq!(wording(&"字".repeat(600)).chars().count(), WORDING_CHARS);
    }

    #[test]
    fn a_locked_store_does_not_hold_a_shutdown() {
        let dir = tempfile::tempdir().unwrap();
        let recorder = Recorder::open_draining(dir.path(), 90, Duration::ZERO);
        // Another program holds the database's write lock.
        let other = rusqlite::Connection::open(dir.path().join(super::super::store::FILE)).unwrap();
        other.execute_batch("BEGIN EXCLUSIVE").unwrap();
        let answer = a_search("q");
        for i in 0..50 {
            assert!(recorder
                .asked(&format!("question {i}"), Locale::En, &answer, None)
                .is_some());
        }
        let on = recorder.on.clone().unwrap();
        drop(recorder);
        let dropped = on.close();
        assert!(dropped > 0, "nothing was given up");
        other.execute_batch("COMMIT").unwrap();
        let written: i64 = other
            .query_row("SELECT count(*) FROM questions", [], |r| r.get(0))
            .unwrap();
        assert_eq!(written, 0, "written while locked?");
        assert!(dropped <= 50);
    }

    #[test]
    fn normalising_folds_case_width_punctuation_and_spaces() {
        assert_eq!(normalise("What is X?"), normalise("what is x"));
        assert_eq!(normalise("  What   is\tRLHF ?! "), "what is rlhf");
        assert_eq!(normalise("ＷＨＡＴ　ｉｓ　ＲＬＨＦ？"), "what is rlhf");
        assert_eq!(normalise("什么是 RLHF？"), "什么是rlhf");
        assert_eq!(normalise("什么是RLHF"), "什么是rlhf");
        assert_eq!(normalise("「对齐税」是什么。"), "对齐税是什么");
        assert_eq!(normalise("GPT-3.5 vs. Codex"), "gpt 3 5 vs codex");
        assert_ne!(normalise("what is x"), normalise("what is y"));
        assert_eq!(normalise("?!…"), "");
    }

    #[test]
    fn outcomes_on_the_bundled_notes() {
        let engine = crate::engine::Engine::load(Path::new("knowledge"), None).unwrap();
        let of = |q: &str| match engine.snapshot().search(q, 0) {
            crate::engine::Reply::Search(a) => outcome(&a),
            _ => unreachable!(),
        };
        let (o, top) = of("What is the alignment tax?");
        assert_eq!(o, Outcome::Answered);
        assert!(top.is_some_and(|t| t.starts_with("knowledge/")));
        assert_eq!(of("volcano eruption forecast"), (Outcome::Nothing, None));
        assert_eq!(of("instructgpt dataset size").0, Outcome::Nothing);
        assert_eq!(of("paper").0, Outcome::Weak);
        // A failed search is recorded as an error, not as a gap.
        let mut failed = a_search("alignment tax");
        failed.hits.clear();
        failed.failed = true;
        assert_eq!(outcome(&failed), (Outcome::Error, None));
        // What the notes lack is a gap, although they have its subject.
        assert_eq!(of("codex paper authors"), (Outcome::Nothing, None));
        assert_eq!(
            of("How many layers does text-davinci-002 have?"),
            (Outcome::Nothing, None)
        );
    }

    fn a_search(q: &str) -> SearchAnswer {
        let engine = crate::engine::Engine::load(Path::new("knowledge"), None).unwrap();
        match engine.snapshot().search(q, 0) {
            crate::engine::Reply::Search(a) => a,
            _ => unreachable!(),
        }
    }

    #[test]
    fn questions_and_votes_reach_the_store() {
        let dir = tempfile::tempdir().unwrap();
        let recorder = Recorder::open(dir.path(), 90);
        assert!(recorder.is_on());
        let answer = a_search("what is a tokenizer");
        let key = recorder.asked("What is a Tokenizer?", Locale::En, &answer, Some("42"));
        assert_eq!(
            key.as_deref(),
            Some(answer_key("what is a tokenizer").as_str())
        );
        assert!(recorder.vote(key.as_deref().unwrap(), "5000", false));
        assert!(recorder.vote(key.as_deref().unwrap(), "5000", true));
        drop(recorder); // writes out the queue
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(
            store.counts().unwrap(),
            (1, 1),
            "one vote per user and answer"
        );
    }

    #[test]
    fn a_corrupt_or_locked_store_turns_recording_off() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(super::super::store::FILE), vec![0x5a; 8192]).unwrap();
        let recorder = Recorder::open(dir.path(), 90);
        assert!(!recorder.is_on(), "corrupt");
        assert_eq!(recorder.asked("q", Locale::En, &a_search("q"), None), None);
        assert!(!recorder.vote("00", "1", true));

        let dir = tempfile::tempdir().unwrap();
        drop(Store::open(dir.path()).unwrap());
        let holder =
            rusqlite::Connection::open(dir.path().join(super::super::store::FILE)).unwrap();
        holder
            .execute_batch("PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE;")
            .unwrap();
        let recorder = Recorder::open(dir.path(), 90);
        assert!(!recorder.is_on(), "locked by another process");
    }

    #[test]
    fn hmac_matches_rfc_4231() {
        // Test case 2.
        let mac = hmac(b"Jefe", &[b"what do ya want ", b"for nothing?"]);
        assert_eq!(
            hex::encode(mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn voter_keys_differ_by_secret_user_and_answer() {
        let (a, b) = ([1u8; 32], [2u8; 32]);
        let user = "123456789012345678";
        let k = voter_key(&a, user, "k1");
        assert_eq!(k, voter_key(&a, user, "k1"));
        assert_eq!(k.len(), 32);
        assert!(!k.contains(user));
        assert_ne!(k, voter_key(&b, user, "k1"));
        assert_ne!(k, voter_key(&a, "123456789012345679", "k1"));
        assert_ne!(k, voter_key(&a, user, "k2"));
    }

    /// A secret cut short (an empty file, as a kill between creating and
    /// writing it left with the old code) is replaced, and no temporary
    /// file stays behind.
    #[test]
    fn a_secret_cut_short_is_made_anew() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(SECRET_FILE), b"").unwrap();
        let made = secret(dir.path()).unwrap();
        assert_ne!(made, [0u8; 32]);
        assert_eq!(secret(dir.path()).unwrap(), made);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn the_secret_is_made_once_and_private() {
        let dir = tempfile::tempdir().unwrap();
        let first = secret(dir.path()).unwrap();
        assert_eq!(secret(dir.path()).unwrap(), first);
        assert_ne!(first, [0u8; 32]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(SECRET_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
