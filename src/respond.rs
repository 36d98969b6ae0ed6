//! The presentation side of the engine, shared by every transport (gateway,
//! HTTP endpoint, console, `ask`): a request answered and rendered into the
//! message we send, the files that message names (the lineage picture,
//! drawn once per knowledge snapshot and model), and autocomplete choices
//! within Discord's limits.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde::Serialize;

use crate::domain::{Knowledge, ModelId, NameKey, Named};
use crate::engine::{Command, Engine, Locale, Reply, Request, Snapshot, Wanted};
use crate::picture;
use crate::render::{self, limits, Message};

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
}

impl Responder {
    pub fn new(engine: Engine) -> Responder {
        Responder {
            engine,
            pictures: Arc::default(),
        }
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Answers and renders: the message every transport sends.
    pub fn answer(&self, request: &Request) -> Message {
        let snapshot = self.engine.snapshot();
        let reply = snapshot.handle(request);
        render::render(&reply, snapshot.knowledge(), request.locale)
    }

    /// A question typed in a channel, answered as a search: the message to
    /// post, or `None` when the notes have nothing for it and
    /// `speak_when_nothing` is off (chatter in a search channel gets no reply).
    pub fn free_text(
        &self,
        question: &str,
        locale: Locale,
        speak_when_nothing: bool,
    ) -> Option<Message> {
        let snapshot = self.engine.snapshot();
        let request = Request::new(
            Command::Search {
                query: question.to_string(),
                page: 0,
            },
            locale,
        );
        let reply = snapshot.handle(&request);
        if let Reply::Search(a) = &reply {
            if a.hits.is_empty() && !speak_when_nothing {
                return None;
            }
        }
        Some(render::render(&reply, snapshot.knowledge(), locale))
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
            let Some(highlight) = render::picture_for(k, &a.filename) else {
                continue;
            };
            match self.pictures.get(&snapshot, highlight) {
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
        snapshot
            .autocomplete(wanted, typed)
            .into_iter()
            .take(limits::AUTOCOMPLETE_CHOICES)
            .map(|c| choice(k, c.named, &c.matched, typed))
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

/// Lineage pictures, drawn once per snapshot and highlighted model: a new
/// snapshot (a reload) starts a new cache.
#[derive(Default)]
struct Pictures {
    cache: Mutex<Drawn>,
}

/// The snapshot generation the pictures were drawn for, and the PNGs.
type Drawn = (u64, HashMap<Option<ModelId>, Arc<Vec<u8>>>);

impl std::fmt::Debug for Pictures {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pictures").finish_non_exhaustive()
    }
}

impl Pictures {
    fn get(
        &self,
        snapshot: &Snapshot,
        highlight: Option<ModelId>,
    ) -> Result<Arc<Vec<u8>>, picture::PictureError> {
        let generation = snapshot.generation();
        {
            let mut cache = self.lock();
            if cache.0 < generation {
                *cache = (generation, HashMap::new());
            }
            if let Some(png) = cache.1.get(&highlight).filter(|_| cache.0 == generation) {
                return Ok(Arc::clone(png));
            }
        }
        // Drawn outside the lock so one slow picture does not hold up the
        // others; if two race, the first stored one wins.
        let png = Arc::new(picture::lineage_png(snapshot.knowledge(), highlight)?);
        let mut cache = self.lock();
        if cache.0 != generation {
            // Drawn for an older snapshot than the cache now holds (a request
            // that was in flight during a reload): served, not kept.
            return Ok(png);
        }
        Ok(Arc::clone(cache.1.entry(highlight).or_insert(png)))
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
    use crate::engine::{Command, Locale};

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
}
