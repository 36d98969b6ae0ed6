//! The presentation side of the engine, shared by every transport (gateway,
//! HTTP endpoint, console, `ask`): a request answered and rendered into the
//! message we send, the files that message names (the lineage picture,
//! drawn once per knowledge snapshot and model), and autocomplete choices
//! within Discord's limits.

use std::collections::{HashMap, VecDeque};
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::curation::{Asking, Recorder};
use crate::domain::{Knowledge, NameKey, Named};
use crate::engine::{Command, Engine, Locale, Reply, Request, Snapshot, Wanted};
use crate::picture;
use crate::render::custom_id::{self, from_custom_id};
use crate::render::{self, limits, Message, Picture};

/// Buttons whose command does not fit a custom_id, kept at most this many…
pub const KEPT_BUTTONS: usize = 20_000;
/// …and at most this many bytes of commands (a query is cut to 300
/// characters where its command is made, so ~1.2 KB at most each)…
pub const KEPT_BYTES: usize = 16 << 20;
/// …for this long; a click after that is told the button has expired.
pub const KEPT_FOR: Duration = Duration::from_secs(24 * 60 * 60);

/// A file sent with a message, named as its `attachments` entry.
#[derive(Debug, Clone)]
pub struct File {
    pub filename: String,
    pub bytes: Arc<Vec<u8>>,
}

/// An autocomplete choice: what the user sees, and the value sent back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Choice {
    pub name: String,
    pub value: String,
}

/// The engine with its presentation: cheap to clone, every clone shares the
/// picture cache and sees reloads.
#[derive(Clone, Debug)]
pub struct Responder {
    engine: Engine,
    pictures: Arc<Pictures>,
    kept: Arc<Mutex<Kept>>,
    recorder: Recorder,
    /// Where the pages are reached (`http.public_url`): answers then carry
    /// an "Open in browser" link to their page.
    public_url: Option<Arc<str>>,
}

/// What a free-text reply leaves to do once it is posted: the question to
/// record and the long button commands to keep.
#[derive(Debug)]
pub struct Posting {
    asking: Option<Asking>,
    kept: Vec<(String, String)>,
}

impl Posting {
    /// The answer key the vote buttons carry, when the question is recorded.
    pub fn answer_key(&self) -> Option<&str> {
        self.asking.as_ref().map(Asking::key)
    }
}

/// What a button's custom_id stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clicked {
    /// The command to run.
    Run(Command),
    /// The command to run, its answer posted for everyone ("Post publicly").
    Public(Command),
    /// A kept button whose command was forgotten (expired, evicted, or the
    /// bot restarted).
    Expired,
    /// Not one of ours.
    Unknown,
}

impl Responder {
    pub fn new(engine: Engine) -> Responder {
        Responder::with_kept(engine, KEPT_BUTTONS, KEPT_FOR)
    }

    /// A responder that keeps at most `capacity` long button commands, each
    /// for `ttl`.
    pub fn with_kept(engine: Engine, capacity: usize, ttl: Duration) -> Responder {
        Responder {
            engine,
            pictures: Arc::default(),
            kept: Arc::new(Mutex::new(Kept::new(capacity, KEPT_BYTES, ttl))),
            recorder: Recorder::off(),
            public_url: None,
        }
    }

    /// The same responder, its answers linking to their page under
    /// `public_url` (`https://bot.example.org`).
    pub fn with_public_url(mut self, public_url: Option<&str>) -> Responder {
        self.public_url = public_url.map(Arc::from);
        self
    }

    /// Renders a reply, with its page's link when the pages are public.
    fn render(&self, reply: &Reply, request: &Request, k: &crate::domain::Knowledge) -> Message {
        let mut m = render::render(reply, k, request.locale);
        if let Some(base) = &self.public_url {
            if !matches!(
                reply,
                Reply::NotFound(_) | Reply::Ambiguous(_) | Reply::Help
            ) {
                render::link_to_page(&mut m, base, &request.command, request.locale);
            }
        }
        m
    }

    /// The same responder, recording the questions people ask (see
    /// [`Responder::answer_asked`]) and their votes.
    /// Records with `recorder`, which also hears of every reload: what it
    /// did to the recorded questions is logged and shown by `/gaps`.
    pub fn with_recorder(mut self, recorder: Recorder) -> Responder {
        if recorder.is_on() {
            let hook = recorder.reload_hook();
            self.engine
                .on_reload(move |before, after| hook.after_reload(before, after));
        }
        self.recorder = recorder;
        self
    }

    pub fn recorder(&self) -> &Recorder {
        &self.recorder
    }

    /// Gives every button whose custom_id does not fit Discord's 100
    /// characters a short id, the command being kept here: never cut.
    pub fn keep_long_ids(&self, message: &mut Message) {
        let later = self.shorten_long_ids(message);
        self.keep(later);
    }

    /// [`Responder::keep_long_ids`]'s short ids, with the commands to keep
    /// under them returned rather than kept: for a reply that may not be
    /// posted.
    fn shorten_long_ids(&self, message: &mut Message) -> Vec<(String, String)> {
        let mut later = Vec::new();
        for b in message
            .components
            .iter_mut()
            .flat_map(|r| &mut r.components)
        {
            if let Some(id) = &mut b.custom_id {
                if !custom_id::fits(id) {
                    let key = self.lock_kept().key_for(id);
                    let full = std::mem::replace(id, custom_id::kept(&key));
                    later.push((key, full));
                }
            }
        }
        later
    }

    /// Keeps long button commands here and, when recording, in the store,
    /// where a restart or another replica reads them back.
    fn keep(&self, commands: Vec<(String, String)>) {
        for (key, full) in &commands {
            self.recorder.keep_button(key, full);
        }
        let now = Instant::now();
        let mut kept = self.lock_kept();
        for (key, full) in commands {
            kept.put(key, full, now);
        }
    }

    /// What a clicked button's custom_id runs.
    pub fn clicked(&self, id: &str) -> Clicked {
        let full = match custom_id::kept_key(id) {
            Some(key) => {
                let here = self.lock_kept().get(key, Instant::now());
                // Kept before a restart, or by another replica.
                match here.or_else(|| self.recorder.kept(key)) {
                    Some(full) => full,
                    None => return Clicked::Expired,
                }
            }
            None => id.to_string(),
        };
        if let Some(inner) = full.strip_prefix(custom_id::PUBLIC_PREFIX) {
            return from_custom_id(inner).map_or(Clicked::Unknown, Clicked::Public);
        }
        from_custom_id(&full).map_or(Clicked::Unknown, Clicked::Run)
    }

    fn lock_kept(&self) -> std::sync::MutexGuard<'_, Kept> {
        self.kept.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Answers and renders: the message every transport sends.
    pub fn answer(&self, request: &Request) -> Message {
        let snapshot = self.engine.snapshot();
        let reply = snapshot.handle(request);
        let mut m = self.render(&reply, request, snapshot.knowledge());
        self.keep_long_ids(&mut m);
        m
    }

    /// A question typed in a channel: the message to post with what is
    /// left to do once it is posted, or `None` when the notes have nothing
    /// for it and `speak_when_nothing` is off (chatter in a search channel
    /// gets no reply). Nothing is recorded or kept here: the transport
    /// hands the [`Posting`] back once the reply is posted
    /// ([`Responder::posted`]), so a reply that never goes out is neither a
    /// question counted nor a button kept.
    pub fn free_text(
        &self,
        question: &str,
        locale: Locale,
        speak_when_nothing: bool,
    ) -> Option<(Message, Posting)> {
        let request = Request::new(Command::search(question, 0), locale);
        let snapshot = self.engine.snapshot();
        let reply = snapshot.handle(&request);
        let Reply::Search(answer) = &reply else {
            return None;
        };
        let unanswered = answer.hits.is_empty() || !answer.lacking.is_empty();
        if unanswered && !speak_when_nothing {
            return None;
        }
        let Command::Search { query, .. } = &request.command else {
            return None;
        };
        let asking = self.recorder.asking(query, locale, answer);
        let mut m = self.render(&reply, &request, snapshot.knowledge());
        let kept = self.shorten_long_ids(&mut m);
        Some((m, Posting { asking, kept }))
    }

    /// A reply [`Responder::free_text`] made was posted: its long buttons
    /// are kept, and the question recorded, by `user` when known
    /// (best-effort; nothing when recording is off).
    pub fn posted(&self, posting: Posting, user: Option<&str>) {
        self.keep(posting.kept);
        if let Some(asking) = posting.asking {
            self.recorder.record(asking, user);
        }
    }

    /// Answers a question someone asked (`/search`, a console line): a
    /// first page of search is recorded for the curator, best-effort, by
    /// `user` when known, and its answer key (for the vote buttons) returned.
    pub fn answer_asked(&self, request: &Request, user: Option<&str>) -> (Message, Option<String>) {
        let snapshot = self.engine.snapshot();
        let reply = snapshot.handle(request);
        let key = match (&request.command, &reply) {
            (Command::Search { query, page: 0 }, Reply::Search(answer)) => {
                self.recorder.asked(query, request.locale, answer, user)
            }
            _ => None,
        };
        let mut m = self.render(&reply, request, snapshot.knowledge());
        self.keep_long_ids(&mut m);
        (m, key)
    }

    /// The files a message's `attachments` name (the lineage picture). A
    /// picture that cannot be drawn is logged and left out: the message
    /// loses its image, not its answer.
    pub fn files(&self, message: &mut Message) -> Vec<File> {
        let snapshot = self.engine.snapshot();
        let k = snapshot.knowledge();
        let mut files = Vec::new();
        let mut failed = Vec::new();
        for a in &message.attachments {
            let Some(picture) = render::picture_for(k, &a.filename) else {
                continue;
            };
            match self.pictures.get(&snapshot, picture) {
                Ok(bytes) => files.push(File {
                    filename: a.filename.clone(),
                    bytes,
                }),
                Err(e) => {
                    tracing::error!(error = %e, file = %a.filename, "drawing the lineage picture failed");
                    failed.push(a.filename.clone());
                }
            }
        }
        if !failed.is_empty() {
            message.drop_attachments(|name| failed.iter().any(|f| f == name));
        }
        files
    }

    /// Autocomplete for a model or term option: at most 25 choices, each
    /// within Discord's lengths, naming the alias that matched when the shown
    /// name does not contain it.
    pub fn choices(&self, wanted: Wanted, typed: &str) -> Vec<Choice> {
        let snapshot = self.engine.snapshot();
        let k = snapshot.knowledge();
        // The whole matrix is a choice of its own, first while nothing or a
        // start of its name is typed.
        let typed_key = typed.trim().to_lowercase();
        let matrix = wanted == Wanted::Capability
            && (typed_key.is_empty()
                || ["matrix", "矩阵", "全部"]
                    .iter()
                    .any(|n| n.starts_with(typed_key.as_str())));
        let matrix = matrix.then(|| Choice {
            name: "All capabilities at a glance (matrix) · 全部能力一览".to_string(),
            value: "matrix".to_string(),
        });
        matrix
            .into_iter()
            .chain(
                snapshot
                    .autocomplete(wanted, typed)
                    .into_iter()
                    .map(|c| choice(k, c.named, &c.matched, typed)),
            )
            .take(limits::AUTOCOMPLETE_CHOICES)
            .collect()
    }
}

fn choice(k: &Knowledge, named: Named, matched: &str, typed: &str) -> Choice {
    let (display, value) = match named {
        Named::Model(id) => (k.model(id).name.clone(), k.model(id).slug.clone()),
        Named::Term(id) => {
            let t = k.term(id);
            (format!("{} · {}", t.display, t.chinese), t.slug.clone())
        }
        Named::Capability(id) => {
            let c = k.capability(id);
            (c.name.both(), c.slug.clone())
        }
    };
    let shown = NameKey::new(&display);
    let name = if typed.trim().is_empty()
        || shown.as_str().contains(matched)
        || matched.contains(shown.as_str())
    {
        display
    } else {
        format!("{display} ({matched})")
    };
    Choice {
        name: limits::non_empty(&name, limits::CHOICE_NAME),
        value: value.chars().take(limits::CHOICE_VALUE).collect(),
    }
}

/// Button commands too long for a custom_id, by a short key: bounded (the
/// oldest go first) and expiring.
#[derive(Debug)]
struct Kept {
    capacity: usize,
    /// The bound on `bytes`.
    max_bytes: usize,
    /// Of the keys and commands kept.
    bytes: usize,
    ttl: Duration,
    by_key: HashMap<String, (String, Instant)>,
    order: VecDeque<(String, Instant)>,
}

impl Kept {
    fn new(capacity: usize, max_bytes: usize, ttl: Duration) -> Kept {
        Kept {
            capacity: capacity.max(1),
            max_bytes,
            bytes: 0,
            ttl,
            by_key: HashMap::new(),
            order: VecDeque::new(),
        }
    }

    /// Keeps `full` and returns its key.
    #[cfg(test)]
    fn keep(&mut self, full: &str, now: Instant) -> String {
        let key = self.key_for(full);
        self.put(key.clone(), full.to_string(), now);
        key
    }

    /// The key `full` is kept under: 16 hex digits of its hash, so the same
    /// command keeps one entry (refreshed); a different command whose hash
    /// collides takes the next free key.
    fn key_for(&self, full: &str) -> String {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        full.hash(&mut h);
        let mut n = h.finish();
        loop {
            let key = format!("{n:016x}");
            match self.by_key.get(&key) {
                Some((other, _)) if other != full => n = n.wrapping_add(1),
                _ => break key,
            }
        }
    }

    /// Keeps `full` under `key` ([`Kept::key_for`]).
    fn put(&mut self, key: String, full: String, now: Instant) {
        self.expire(now);
        let size = key.len() + full.len();
        if let Some((was, _)) = self.by_key.insert(key.clone(), (full, now)) {
            self.bytes -= key.len() + was.len();
        }
        self.bytes += size;
        self.order.push_back((key, now));
        while self.by_key.len() > self.capacity || self.bytes > self.max_bytes {
            let Some((old, at)) = self.order.pop_front() else {
                break;
            };
            // A refreshed key has a newer entry further on: keep it.
            if self.by_key.get(&old).is_some_and(|(_, kept)| *kept == at) {
                self.remove(&old);
            }
        }
    }

    fn remove(&mut self, key: &str) {
        if let Some((full, _)) = self.by_key.remove(key) {
            self.bytes -= key.len() + full.len();
        }
    }

    fn get(&mut self, key: &str, now: Instant) -> Option<String> {
        self.expire(now);
        self.by_key.get(key).map(|(full, _)| full.clone())
    }

    fn expire(&mut self, now: Instant) {
        while let Some((key, at)) = self.order.front() {
            if now.saturating_duration_since(*at) < self.ttl {
                break;
            }
            if self.by_key.get(key).is_some_and(|(_, kept)| kept == at) {
                let key = key.clone();
                self.remove(&key);
            }
            self.order.pop_front();
        }
        // Refreshes leave stale entries in the queue: bound it too.
        if self.order.len() > 2 * self.capacity + 16 {
            let by_key = &self.by_key;
            self.order
                .retain(|(k, at)| by_key.get(k).is_some_and(|(_, kept)| kept == at));
        }
    }
}

/// Pictures, drawn once per snapshot and picture (the lineage for each
/// highlighted model, each capability's): a new snapshot (a reload) starts a
/// new cache.
#[derive(Default)]
struct Pictures {
    cache: Mutex<Drawn>,
}

/// The snapshot generation the pictures were drawn for, and the PNGs.
type Drawn = (u64, HashMap<Picture, Arc<Vec<u8>>>);

impl std::fmt::Debug for Pictures {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pictures").finish_non_exhaustive()
    }
}

impl Pictures {
    fn get(
        &self,
        snapshot: &Snapshot,
        key: Picture,
    ) -> Result<Arc<Vec<u8>>, picture::PictureError> {
        let generation = snapshot.generation();
        {
            let mut cache = self.lock();
            if cache.0 < generation {
                *cache = (generation, HashMap::new());
            }
            if let Some(png) = cache.1.get(&key).filter(|_| cache.0 == generation) {
                return Ok(Arc::clone(png));
            }
        }
        // Drawn outside the lock so one slow picture does not hold up the
        // others; if two race, the first stored one wins.
        let k = snapshot.knowledge();
        let png = Arc::new(match key {
            Picture::Lineage(highlight) => picture::lineage_png(k, highlight)?,
            Picture::Capability(id) => picture::capability_png(k, id)?,
            Picture::Matrix => picture::matrix_png(k, &snapshot.matrix())?,
        });
        let mut cache = self.lock();
        if cache.0 != generation {
            // Drawn for an older snapshot than the cache now holds (a request
            // that was in flight during a reload): served, not kept.
            return Ok(png);
        }
        Ok(Arc::clone(cache.1.entry(key).or_insert(png)))
    }

    /// A panic elsewhere while holding the lock leaves the map usable.
    fn lock(&self) -> std::sync::MutexGuard<'_, Drawn> {
        self.cache.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::engine::Locale;

    #[test]
    fn kept_commands_are_bounded_and_expire() {
        let start = Instant::now();
        let mut kept = Kept::new(2, usize::MAX, Duration::from_secs(10));
        let a = kept.keep("search:0:a", start);
        assert_eq!(kept.keep("search:0:a", start), a, "one key per command");
        let b = kept.keep("search:0:b", start);
        let c = kept.keep("search:0:c", start);
        assert_eq!(kept.get(&a, start), None, "the oldest went first");
        assert_eq!(kept.get(&b, start).as_deref(), Some("search:0:b"));
        assert_eq!(kept.get(&c, start).as_deref(), Some("search:0:c"));
        let later = start + Duration::from_secs(11);
        assert_eq!(kept.get(&c, later), None, "expired");
        assert!(kept.by_key.is_empty() && kept.order.is_empty());
    }

    /// #29 point 4: kept state is bounded by bytes as well as by count.
    #[test]
    fn kept_commands_are_bounded_by_bytes() {
        let start = Instant::now();
        let mut kept = Kept::new(1000, 1000, Duration::from_secs(10));
        let keys: Vec<String> = (0..10)
            .map(|i| kept.keep(&format!("search:0:{i}{}", "x".repeat(200)), start))
            .collect();
        assert!(kept.bytes <= 1000, "{}", kept.bytes);
        assert_eq!(kept.get(&keys[0], start), None, "the oldest went first");
        assert!(kept.get(&keys[9], start).is_some());
        let sum: usize = kept
            .by_key
            .iter()
            .map(|(k, (f, _))| k.len() + f.len())
            .sum();
        assert_eq!(kept.bytes, sum);
        kept.expire(start + Duration::from_secs(11));
        assert_eq!(kept.bytes, 0);
    }

    /// #29 point 4: a search command is cut where it is made, so "Ask the
    /// notes" on a 4 000-character message keeps 300 characters, not all of
    /// it (the old code kept the whole text in the button's command).
    #[test]
    fn a_wall_of_text_is_cut_where_its_command_is_made() {
        let wall = "对齐税 alignment ".repeat(300);
        let cut = |c: Command| match c {
            Command::Search { query, .. } => query.chars().count(),
            _ => unreachable!(),
        };
        assert_eq!(
            cut(Command::search(&wall, 0)),
            crate::search::MAX_QUERY_CHARS
        );
        let typed = crate::engine::request::from_options("search", |o| {
            (o == "query").then(|| wall.clone())
        })
        .unwrap();
        assert_eq!(cut(typed), crate::search::MAX_QUERY_CHARS);
        let clicked = from_custom_id(&format!("search:1:{wall}")).unwrap();
        assert_eq!(cut(clicked), crate::search::MAX_QUERY_CHARS);
    }

    /// #29 point 5: a free-text reply's long buttons are kept once it is
    /// posted, not when it is made (a reply the cooldown or a failed post
    /// stops keeps nothing); the old code kept them at once.
    #[test]
    fn a_free_text_reply_keeps_its_buttons_once_posted() {
        let engine = Engine::load(Path::new("knowledge"), None).expect("bundled notes");
        let responder = Responder::new(engine);
        let question = "alignment tax 对齐税 RLHF InstructGPT ChatGPT text-davinci-002 code-davinci-002 in-context learning 指令微调 chain of thought";
        let (m, posting) = responder.free_text(question, Locale::En, true).unwrap();
        let kept: Vec<String> = m
            .components
            .iter()
            .flat_map(|r| &r.components)
            .filter_map(|b| b.custom_id.clone())
            .filter(|id| custom_id::kept_key(id).is_some())
            .collect();
        assert!(!kept.is_empty(), "no long button: {:?}", m.components);
        for id in &kept {
            assert_eq!(
                responder.clicked(id),
                Clicked::Expired,
                "kept before it was posted"
            );
        }
        responder.posted(posting, None);
        for id in &kept {
            assert!(matches!(responder.clicked(id), Clicked::Run(_)), "{id}");
        }
    }

    /// #28 point 3: a long button outlives a restart (and reaches another
    /// replica on the same data dir): its command is kept in the store.
    /// The old code kept it in memory only, so the click answered "this
    /// button has expired".
    #[test]
    fn a_long_button_works_after_a_restart() {
        let engine = Engine::load(Path::new("knowledge"), None).expect("bundled notes");
        let data = tempfile::tempdir().unwrap();
        let first = Responder::new(engine.clone()).with_recorder(Recorder::open(data.path(), 90));
        let full = custom_id::custom_id(&Command::search(&"alignment tax ".repeat(12), 1));
        let mut m = Message::default();
        m.components
            .push(render::ActionRow::of(vec![render::Button::new(
                render::ButtonStyle::Primary,
                "next",
                full.clone(),
            )]));
        first.keep_long_ids(&mut m);
        let id = m.components[0].components[0].custom_id.clone().unwrap();
        assert!(custom_id::kept_key(&id).is_some(), "{id}");
        // The process ends: its queue is written out.
        drop(first);
        let restarted = Responder::new(engine).with_recorder(Recorder::open(data.path(), 90));
        assert_eq!(
            restarted.clicked(&id),
            Clicked::Run(from_custom_id(&full).unwrap())
        );
        assert_eq!(restarted.clicked("kept:0123456789abcdef"), Clicked::Expired);
    }

    #[test]
    fn long_button_commands_are_kept_never_cut() {
        let engine = Engine::load(Path::new("knowledge"), None).expect("bundled notes");
        let responder = Responder::with_kept(engine.clone(), 10, Duration::ZERO);
        let query = "alignment ".repeat(15);
        let full = custom_id::custom_id(&Command::Search {
            query: query.clone(),
            page: 1,
        });
        let mut m = Message::default();
        m.components
            .push(render::ActionRow::of(vec![render::Button::new(
                render::ButtonStyle::Primary,
                "next",
                full.clone(),
            )]));
        responder.keep_long_ids(&mut m);
        let id = m.components[0].components[0].custom_id.clone().unwrap();
        assert!(custom_id::fits(&id), "{id}");
        // A zero ttl: forgotten at once, so the click is told it expired.
        assert_eq!(responder.clicked(&id), Clicked::Expired);
        let responder = Responder::new(engine);
        let mut m = Message::default();
        m.components
            .push(render::ActionRow::of(vec![render::Button::new(
                render::ButtonStyle::Primary,
                "next",
                full,
            )]));
        responder.keep_long_ids(&mut m);
        let id = m.components[0].components[0].custom_id.clone().unwrap();
        assert!(custom_id::fits(&id), "{id}");
        assert_eq!(
            responder.clicked(&id),
            Clicked::Run(Command::Search { query, page: 1 }),
            "the whole query, not a cut one"
        );
        assert_eq!(responder.clicked("help:"), Clicked::Run(Command::Help));
        assert_eq!(responder.clicked("delete:1"), Clicked::Unknown);
    }

    #[test]
    fn a_store_that_cannot_open_leaves_the_answers_alone() {
        let engine = Engine::load(Path::new("knowledge"), None).expect("bundled notes");
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(crate::curation::store::FILE),
            vec![0x5a; 8192],
        )
        .unwrap();
        let recorder = crate::curation::Recorder::open(dir.path(), 90);
        assert!(!recorder.is_on(), "the recorder says it is off");
        let plain = Responder::new(engine.clone());
        let responder = Responder::new(engine).with_recorder(recorder);
        let asked = Request::new(
            Command::Search {
                query: "what is the alignment tax".into(),
                page: 0,
            },
            Locale::En,
        );
        let (m, key) = responder.answer_asked(&asked, Some("42"));
        assert_eq!(key, None, "nothing recorded, no vote buttons");
        assert_eq!(m, plain.answer(&asked), "the same answer");
    }

    #[test]
    fn pictures_are_drawn_once_per_snapshot() {
        let engine = Engine::load(Path::new("knowledge"), None).expect("bundled notes");
        let responder = Responder::new(engine.clone());
        let card = Request::new(
            Command::Model {
                name: "chatgpt".into(),
            },
            Locale::En,
        );
        let picture = |r: &Responder| {
            let mut m = r.answer(&card);
            let files = r.files(&mut m);
            assert_eq!(files.len(), 1, "a /model card carries its picture");
            files[0].bytes.clone()
        };
        let first = picture(&responder);
        assert!(Arc::ptr_eq(&first, &picture(&responder)), "cached");
        engine.reload().expect("the same notes reload");
        let after = picture(&responder);
        assert!(!Arc::ptr_eq(&first, &after), "a reload starts a new cache");
        assert_eq!(first, after, "same notes, same picture");
    }

    #[test]
    fn capability_and_lineage_pictures_are_cached_apart() {
        let engine = Engine::load(Path::new("knowledge"), None).expect("bundled notes");
        let responder = Responder::new(engine);
        let files = |line: &str| {
            let cmd = crate::engine::request::parse_line(line).expect("a command");
            let mut m = responder.answer(&Request::new(cmd, Locale::En));
            responder.files(&mut m)
        };
        let capability = files("/capability in-context-learning");
        assert_eq!(capability.len(), 1);
        assert_eq!(capability[0].filename, "capability-in-context-learning.png");
        let lineage = files("/lineage");
        assert_eq!(lineage[0].filename, "lineage.png");
        assert_ne!(capability[0].bytes, lineage[0].bytes);
        let zero_shot = files("/capability zero-shot");
        assert_ne!(capability[0].bytes, zero_shot[0].bytes);
    }
}
