//! What an edit of the notes does to the questions people asked: each
//! distinct recorded question is asked again of the notes before and after,
//! and what changed is listed (newly answered, no longer answered, a
//! different first answer), so a curator sees it before members do. Used by
//! `lineage-bot diff` and, after every reload, by the bot's log and `/gaps`.

use rusqlite::params;
use serde::Serialize;

use super::record::{outcome, WORDING_CHARS};
use super::store::{Outcome, Store, StoreError};
use crate::engine::{Reply, Snapshot};

/// The questions a reload replays at most (the most asked): a reload of a
/// busy bot's notes stays quick.
pub const RELOAD_QUESTIONS: usize = 500;

/// A distinct recorded question: its latest wording and how often it was
/// asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recorded {
    pub question: String,
    pub count: u64,
}

/// The distinct questions asked in the last `since_days` (all kept rows
/// when `None`), most asked first, at most `limit`.
pub fn recorded(
    store: &Store,
    since_days: Option<u32>,
    limit: usize,
    now: i64,
) -> Result<Vec<Recorded>, StoreError> {
    let since = since_days.map_or(i64::MIN, |d| now - i64::from(d) * 86_400);
    let sql = "
        SELECT (SELECT coalesce(w.wording, w.question) FROM questions w
                WHERE w.answer_key = q.answer_key AND w.asked_at >= ?1
                ORDER BY w.asked_at DESC, w.id DESC LIMIT 1),
               count(*) AS n, max(asked_at) AS last
        FROM questions q WHERE asked_at >= ?1 GROUP BY answer_key
        ORDER BY n DESC, last DESC
        LIMIT ?2";
    let err = |source| store.err(source);
    let mut stmt = store.connection().prepare(sql).map_err(err)?;
    let rows = stmt
        .query_map(params![since, limit.min(100_000) as i64], |r| {
            Ok(Recorded {
                question: r.get(0)?,
                count: r.get::<_, i64>(1)? as u64,
            })
        })
        .map_err(err)?;
    rows.collect::<Result<Vec<_>, _>>().map_err(err)
}

/// The first answer the notes give a question: its quote and where it
/// stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FirstAnswer {
    /// `file:line`.
    pub source: String,
    pub quote: String,
}

/// The first answer of `question` in `snapshot`, when it is answered (as
/// the recorder counts it: not weak, not lacking, not failed).
pub fn first_answer(snapshot: &Snapshot, question: &str) -> Option<FirstAnswer> {
    let query: String = question.chars().take(WORDING_CHARS).collect();
    let Reply::Search(answer) = snapshot.search(&query, 0) else {
        return None;
    };
    if outcome(&answer).0 != Outcome::Answered {
        return None;
    }
    let hit = answer.hits.first()?;
    Some(FirstAnswer {
        source: hit.source.to_string(),
        quote: hit.text.split_whitespace().collect::<Vec<_>>().join(" "),
    })
}

/// One question whose answer an edit changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub question: String,
    pub count: u64,
    /// What the notes before answered first (None: nothing).
    pub before: Option<FirstAnswer>,
    /// What the notes after answer first (None: nothing).
    pub after: Option<FirstAnswer>,
}

/// What an edit does to the recorded questions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AnswerDiff {
    pub newly_answered: Vec<Change>,
    pub lost: Vec<Change>,
    /// Answered before and after, first by another passage (its text or
    /// its file: a passage only moved by lines above it is the same).
    pub changed: Vec<Change>,
    pub unchanged: usize,
}

/// The counts of an [`AnswerDiff`], for a log line and `/gaps`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub newly_answered: usize,
    pub changed: usize,
    pub lost: usize,
    pub unchanged: usize,
}

impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} now answered, {} changed, {} lost ({} unchanged)",
            self.newly_answered, self.changed, self.lost, self.unchanged
        )
    }
}

impl AnswerDiff {
    pub fn counts(&self) -> Counts {
        Counts {
            newly_answered: self.newly_answered.len(),
            changed: self.changed.len(),
            lost: self.lost.len(),
            unchanged: self.unchanged,
        }
    }
}

/// The notes file's name of an answer: the two notes may stand in
/// different folders (a draft, a checkout), and lines move with every edit
/// above them, so neither the folder nor the line tells answers apart.
fn file_name(a: &FirstAnswer) -> Option<&str> {
    let file = a.source.rsplit_once(':').map_or(a.source.as_str(), |s| s.0);
    std::path::Path::new(file).file_name()?.to_str()
}

/// Asks every question of `before` and `after` and sorts out what changed.
pub fn compare(questions: &[Recorded], before: &Snapshot, after: &Snapshot) -> AnswerDiff {
    let mut diff = AnswerDiff::default();
    for q in questions {
        let old = first_answer(before, &q.question);
        let new = first_answer(after, &q.question);
        let same =
            |a: &FirstAnswer, b: &FirstAnswer| a.quote == b.quote && file_name(a) == file_name(b);
        let list = match (&old, &new) {
            (None, None) => None,
            (Some(a), Some(b)) if same(a, b) => None,
            (None, Some(_)) => Some(&mut diff.newly_answered),
            (Some(_), None) => Some(&mut diff.lost),
            (Some(_), Some(_)) => Some(&mut diff.changed),
        };
        match list {
            Some(list) => list.push(Change {
                question: q.question.clone(),
                count: q.count,
                before: old,
                after: new,
            }),
            None => diff.unchanged += 1,
        }
    }
    diff
}

/// For a terminal: a block per kind of change, the unchanged counted.
pub fn to_text(d: &AnswerDiff) -> String {
    let mut out = String::new();
    let answer = |a: &Option<FirstAnswer>| match a {
        Some(a) => {
            let quote: String = a.quote.chars().take(140).collect();
            let more = if a.quote.chars().count() > 140 {
                "…"
            } else {
                ""
            };
            format!("{} “{quote}{more}”", a.source)
        }
        None => "nothing".to_string(),
    };
    let blocks = [
        ("Newly answered", &d.newly_answered),
        ("No longer answered", &d.lost),
        ("First answer changed", &d.changed),
    ];
    for (title, list) in blocks {
        out.push_str(&format!("{title}: {}\n", list.len()));
        for c in list {
            out.push_str(&format!("  {}× “{}”\n", c.count, c.question));
            if c.before.is_some() {
                out.push_str(&format!("     before: {}\n", answer(&c.before)));
            }
            if c.after.is_some() {
                out.push_str(&format!("     after:  {}\n", answer(&c.after)));
            }
        }
    }
    out.push_str(&format!("Unchanged: {}\n", d.unchanged));
    out
}

/// `{"newly_answered": [...], "lost": [...], "changed": [...], "unchanged": N}`.
pub fn to_json(d: &AnswerDiff) -> serde_json::Value {
    serde_json::to_value(d).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::curation::record::{answer_key, normalise, wording};
    use crate::curation::store::Asked;
    use std::path::Path;

    fn ask(store: &Store, at: i64, typed: &str) {
        let question = normalise(typed);
        store
            .insert_asked(&Asked {
                at,
                answer_key: answer_key(&question),
                question,
                locale: "en",
                outcome: Outcome::Nothing,
                top_source: None,
                asker: None,
                wording: Some(wording(typed)),
            })
            .unwrap();
    }

    #[test]
    fn recorded_questions_are_distinct_most_asked_first_in_their_latest_wording() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let now = 1000 * 86_400;
        ask(&store, now - 50, "What is RLHF?");
        ask(&store, now - 40, "what is a tokenizer");
        ask(&store, now - 30, "what is rlhf");
        ask(&store, now - 40 * 86_400, "ancient");
        let got = recorded(&store, Some(30), 10, now).unwrap();
        let got: Vec<(&str, u64)> = got.iter().map(|r| (r.question.as_str(), r.count)).collect();
        assert_eq!(got, [("what is rlhf", 2), ("what is a tokenizer", 1)]);
        assert_eq!(recorded(&store, None, 10, now).unwrap().len(), 3);
    }

    /// Notes in a temporary folder: the bundled ones, `edit` applied to notes.md.
    fn engine_with(edit: impl Fn(&str) -> String) -> (tempfile::TempDir, crate::engine::Engine) {
        let dir = tempfile::tempdir().unwrap();
        for e in std::fs::read_dir("knowledge").unwrap() {
            let p = e.unwrap().path();
            if p.is_file() {
                std::fs::copy(&p, dir.path().join(p.file_name().unwrap())).unwrap();
            }
        }
        let notes = dir.path().join("notes.md");
        let text = std::fs::read_to_string(&notes).unwrap();
        std::fs::write(&notes, edit(&text)).unwrap();
        let engine = crate::engine::Engine::load(dir.path(), None).unwrap();
        (dir, engine)
    }

    /// #31 point 1: a question the notes did not answer is newly answered
    /// after a sentence is added, a question whose only answer is removed is
    /// lost, and the rest are unchanged. Nothing was compared before.
    #[test]
    fn an_edit_shows_as_newly_answered_lost_and_unchanged() {
        let base = crate::engine::Engine::load(Path::new("knowledge"), None).unwrap();
        let added = "* GPT-4 的上下文窗口是 8192 个 token（curator's test line）\n";
        let (_d1, grown) = engine_with(|t| format!("{t}\n{added}"));
        let question = "GPT-4 的上下文窗口";
        let before = first_answer(&base.snapshot(), question);
        assert_eq!(before, None, "the bundled notes do not answer it");
        let after = first_answer(&grown.snapshot(), question).expect("answered after the edit");
        assert!(after.quote.contains("8192"), "{after:?}");

        let asked = [
            Recorded {
                question: question.into(),
                count: 3,
            },
            Recorded {
                question: "what is the alignment tax".into(),
                count: 1,
            },
        ];
        let d = compare(&asked, &base.snapshot(), &grown.snapshot());
        assert_eq!(
            d.counts(),
            Counts {
                newly_answered: 1,
                changed: 0,
                lost: 0,
                unchanged: 1
            }
        );
        assert_eq!(d.newly_answered[0].question, question);
        // The same edit the other way round loses the answer.
        let back = compare(&asked, &grown.snapshot(), &base.snapshot());
        assert_eq!(
            back.counts(),
            Counts {
                newly_answered: 0,
                changed: 0,
                lost: 1,
                unchanged: 1
            }
        );
        let text = to_text(&back);
        assert!(text.contains("No longer answered: 1"), "{text}");
        assert!(text.contains("before: ") && text.contains("8192"), "{text}");
    }
}
