//! The gaps: questions the notes could not answer (their latest outcome
//! nothing or weak) and answers voted down, grouped by the normalised
//! question, most asked first, each shown in the words last typed for it
//! with the closest passage, the heading of its section and a Markdown stub
//! to paste there, so the curator knows where to write and what.

use rusqlite::params;
use serde::Serialize;

use super::store::{Store, StoreError};
use crate::search::SearchIndex;

/// The closest passage to a gap.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Closest {
    /// `file:line`.
    pub source: String,
    pub title: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gap {
    /// The most recent wording typed for the group (rows from before the
    /// store kept wordings show the normalised form).
    pub question: String,
    /// What groups the askings: the question normalised.
    pub normalised: String,
    /// How many times it was asked.
    pub count: u64,
    /// By how many people (each asking with no known asker counts as one):
    /// the report's order, so one person repeating a question cannot top it.
    pub askers: u64,
    /// UTC, `2025-01-31T12:00:00Z`.
    pub last_asked: String,
    /// The latest outcome: `nothing`, `weak`, or `answered` (then voted down).
    pub outcome: String,
    pub votes_up: u64,
    pub votes_down: u64,
    pub closest: Option<Closest>,
    /// The nearest heading above the closest passage: the section where an
    /// answer would go.
    pub heading: Option<String>,
    /// A list item to paste under `heading`: the question and a placeholder
    /// for the answer, in the notes' own list style.
    pub stub: String,
}

/// The placeholder a stub leaves for the curator's answer.
pub const STUB_PLACEHOLDER: &str = "（待补充 / answer here）";

/// The Markdown list item for a question: `* question`, then the
/// placeholder as a nested item.
pub fn stub(question: &str) -> String {
    format!("* {question}\n  * {STUB_PLACEHOLDER}")
}

/// The gaps asked in the last `since_days` (all kept rows when `None`), at
/// most `limit`, without their closest passage.
pub fn gaps(
    store: &Store,
    since_days: Option<u32>,
    limit: usize,
    now: i64,
) -> Result<Vec<Gap>, StoreError> {
    let since = since_days.map_or(i64::MIN, |d| now - i64::from(d) * 86_400);
    let sql = "
        WITH q AS (
            SELECT answer_key, min(question) AS question, count(*) AS n, max(asked_at) AS last,
                   (SELECT coalesce(w.wording, w.question) FROM questions w
                    WHERE w.answer_key = questions.answer_key AND w.asked_at >= ?1
                    ORDER BY asked_at DESC, id DESC LIMIT 1) AS wording,
                   count(DISTINCT coalesce(asker, 'row ' || id)) AS askers,
                   (SELECT outcome FROM questions l WHERE l.answer_key = questions.answer_key
                    ORDER BY asked_at DESC, id DESC LIMIT 1) AS outcome
            FROM questions WHERE asked_at >= ?1 GROUP BY answer_key
        ), v AS (
            SELECT answer_key, sum(up) AS up, sum(1 - up) AS down
            FROM votes WHERE voted_at >= ?1 GROUP BY answer_key
        )
        SELECT q.question, q.n, strftime('%Y-%m-%dT%H:%M:%SZ', q.last, 'unixepoch'), q.outcome,
               coalesce(v.up, 0), coalesce(v.down, 0), q.askers, q.wording
        FROM q LEFT JOIN v ON v.answer_key = q.answer_key
        WHERE (q.outcome != 'answered' AND q.outcome != 'error') OR coalesce(v.down, 0) > 0
        ORDER BY q.askers DESC, q.n DESC, q.last DESC, q.question
        LIMIT ?2";
    let err = |source| store.err(source);
    let mut stmt = store.connection().prepare(sql).map_err(err)?;
    let rows = stmt
        .query_map(params![since, limit.min(10_000) as i64], |r| {
            let wording: String = r.get(7)?;
            Ok(Gap {
                stub: stub(&wording),
                question: wording,
                normalised: r.get(0)?,
                count: r.get::<_, i64>(1)? as u64,
                last_asked: r.get(2)?,
                outcome: r.get(3)?,
                votes_up: r.get::<_, i64>(4)? as u64,
                votes_down: r.get::<_, i64>(5)? as u64,
                askers: r.get::<_, i64>(6)? as u64,
                closest: None,
                heading: None,
            })
        })
        .map_err(err)?;
    rows.collect::<Result<Vec<_>, _>>().map_err(err)
}

/// The passage of the notes nearest to `question`: the first hit of the
/// question, or, when the question shares too little with the notes to be
/// answered, the best first hit of its words one by one.
pub fn closest(index: &SearchIndex, question: &str) -> Option<Closest> {
    let mut best = index.search(question, 1, 0).hits.into_iter().next();
    if best.is_none() {
        let mut words: Vec<&str> = question
            .split_whitespace()
            .filter(|w| w.chars().count() >= 3 || !w.is_ascii())
            .collect();
        words.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
        for w in words.into_iter().take(8) {
            if let Some(h) = index.search(w, 1, 0).hits.into_iter().next() {
                if best.as_ref().is_none_or(|b| h.score > b.score) {
                    best = Some(h);
                }
            }
        }
    }
    best.map(|h| Closest {
        source: h.source.to_string(),
        title: h.title,
        text: h
            .snippet
            .text
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
    })
}

/// Fills in every gap's closest passage and the heading of its section.
pub fn with_closest(mut gaps: Vec<Gap>, index: &SearchIndex) -> Vec<Gap> {
    for g in &mut gaps {
        g.closest = closest(index, &g.question);
        g.heading = g
            .closest
            .as_ref()
            .and_then(|c| heading_at(index.knowledge(), &c.source));
    }
    gaps
}

/// The nearest heading above the notes' place `file:line`: the section of
/// the last passage of that file starting at or before the line (a model's
/// or term's hit stands at its line of the notes too).
pub fn heading_at(k: &crate::domain::Knowledge, source: &str) -> Option<String> {
    let (file, line) = source.rsplit_once(':')?;
    let line: usize = line.parse().ok()?;
    k.passages
        .iter()
        .filter(|p| &*p.source.file == file && p.source.line <= line)
        .max_by_key(|p| p.source.line)
        .and_then(|p| p.section())
        .map(str::to_string)
}

/// The gaps in the store in `dir`, each with its closest passage in `index`.
pub fn report(
    dir: &std::path::Path,
    since_days: Option<u32>,
    limit: usize,
    index: &SearchIndex,
) -> Result<Vec<Gap>, StoreError> {
    let store = Store::open(dir)?;
    let found = gaps(&store, since_days, limit, super::record::now())?;
    Ok(with_closest(found, index))
}

/// `{"gaps": [...]}`.
pub fn to_json(gaps: &[Gap]) -> serde_json::Value {
    serde_json::json!({ "gaps": gaps })
}

/// One gap per line block, for a terminal or a Discord message.
pub fn to_text(gaps: &[Gap]) -> String {
    if gaps.is_empty() {
        return "No gaps: every recorded question was answered and none was voted down.\n"
            .to_string();
    }
    let mut out = String::new();
    for g in gaps {
        let votes = if g.votes_up + g.votes_down > 0 {
            format!(" · 👍 {} 👎 {}", g.votes_up, g.votes_down)
        } else {
            String::new()
        };
        let people = if g.askers == 1 { "person" } else { "people" };
        out.push_str(&format!(
            "{}× by {} {people} “{}” — {} · last {}{votes}\n",
            g.count, g.askers, g.question, g.outcome, g.last_asked
        ));
        match &g.closest {
            Some(c) => {
                let text: String = c.text.chars().take(120).collect();
                let more = if c.text.chars().count() > 120 {
                    "…"
                } else {
                    ""
                };
                out.push_str(&format!(
                    "   closest: {} ({}) {text}{more}\n",
                    c.source, c.title
                ));
            }
            None => out.push_str("   closest: nothing in the notes\n"),
        }
        match &g.heading {
            Some(h) => out.push_str(&format!("   paste under “{h}”:\n")),
            None => out.push_str("   paste where it belongs:\n"),
        }
        for line in g.stub.lines() {
            out.push_str(&format!("     {line}\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::curation::store::{Asked, Outcome, Vote};

    fn ask(store: &Store, at: i64, q: &str, outcome: Outcome) {
        ask_by(store, at, q, outcome, None)
    }

    fn ask_by(store: &Store, at: i64, q: &str, outcome: Outcome, asker: Option<&str>) {
        store
            .insert_asked(&Asked {
                at,
                question: q.into(),
                answer_key: crate::curation::record::answer_key(q),
                locale: "en",
                outcome,
                top_source: None,
                asker: asker.map(str::to_string),
                wording: None,
            })
            .unwrap();
    }

    /// Records `typed` as the recorder does: grouped by its normalised form,
    /// its wording kept.
    fn ask_typed(store: &Store, at: i64, typed: &str, asker: &str) {
        let question = crate::curation::record::normalise(typed);
        store
            .insert_asked(&Asked {
                at,
                answer_key: crate::curation::record::answer_key(&question),
                question,
                locale: "en",
                outcome: Outcome::Nothing,
                top_source: None,
                asker: Some(asker.to_string()),
                wording: Some(crate::curation::record::wording(typed)),
            })
            .unwrap();
    }

    /// #31 point 2: a gap shows what was last typed, not its normalised
    /// form (which only groups), and a stub to paste: the question as a
    /// list item with a placeholder. Before, the report showed "what is the
    /// context window of gpt 4" and had no stub.
    #[test]
    fn a_gap_shows_the_latest_wording_and_a_stub_to_paste() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let now = 1000 * 86_400;
        ask_typed(
            &store,
            now - 120,
            "What is the context window of GPT-4?",
            "a",
        );
        ask_typed(&store, now - 60, "what is the CONTEXT window of gpt 4", "b");
        ask_typed(&store, now - 30, "what is the context window of GPT-4", "b");
        let g = gaps(&store, None, 10, now).unwrap();
        assert_eq!(g.len(), 1, "one group: {g:?}");
        assert_eq!(g[0].question, "what is the context window of GPT-4");
        assert_eq!(g[0].normalised, "what is the context window of gpt 4");
        assert_eq!((g[0].count, g[0].askers), (3, 2));
        assert_eq!(
            g[0].stub,
            format!("* what is the context window of GPT-4\n  * {STUB_PLACEHOLDER}")
        );
        let text = to_text(&g);
        assert!(
            text.contains("3× by 2 people “what is the context window of GPT-4”"),
            "{text}"
        );
        assert!(
            text.contains("     * what is the context window of GPT-4\n"),
            "{text}"
        );
        let json = to_json(&g);
        for key in ["question", "normalised", "askers", "heading", "stub"] {
            assert!(json["gaps"][0].get(key).is_some(), "{key}: {json}");
        }
    }

    /// The heading a stub goes under is the section of the passage at the
    /// place: the RLHF section's item, a table row under the chatGPT one.
    #[test]
    fn heading_at_names_the_section_of_a_place() {
        let k = crate::knowledge::load_dir(std::path::Path::new("knowledge")).unwrap();
        for p in k.passages.iter().take(40) {
            let at = p.source.to_string();
            assert_eq!(heading_at(&k, &at).as_deref(), p.section(), "{at}");
        }
        assert_eq!(
            heading_at(&k, "knowledge/notes.md:92").as_deref(),
            Some("RLHF")
        );
        assert_eq!(heading_at(&k, "no-such-file.md:3"), None);
        assert_eq!(heading_at(&k, "garbage"), None);
    }

    /// #29 point 6: one person asking five times is one asker; the gap two
    /// people asked comes first. The old report ordered by rows alone.
    #[test]
    fn gaps_count_distinct_askers_and_order_by_them() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let now = 1000 * 86_400;
        for _ in 0..5 {
            ask_by(
                &store,
                now - 60,
                "spam question",
                Outcome::Nothing,
                Some("a"),
            );
        }
        ask_by(&store, now - 60, "real gap", Outcome::Nothing, Some("b"));
        ask_by(&store, now - 60, "real gap", Outcome::Nothing, Some("c"));
        let g = gaps(&store, None, 10, now).unwrap();
        let got: Vec<(&str, u64, u64)> = g
            .iter()
            .map(|g| (g.question.as_str(), g.askers, g.count))
            .collect();
        assert_eq!(got, vec![("real gap", 2, 2), ("spam question", 1, 5)]);
        assert!(
            to_text(&g).contains("5× by 1 person “spam question”"),
            "{}",
            to_text(&g)
        );
    }

    #[test]
    fn gaps_group_by_question_most_asked_first() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let day = 86_400;
        let now = 1000 * day;
        ask(
            &store,
            now - 3 * day,
            "what is a tokenizer",
            Outcome::Nothing,
        );
        ask(
            &store,
            now - 2 * day,
            "what is a tokenizer",
            Outcome::Nothing,
        );
        ask(&store, now - day, "what is a tokenizer", Outcome::Nothing);
        ask(&store, now - day, "who wrote gpt 4", Outcome::Weak);
        ask(&store, now - day, "what is rlhf", Outcome::Answered);
        ask(&store, now - day, "what is rlhf", Outcome::Answered);
        ask(&store, now - day, "what is instructgpt", Outcome::Answered);
        // Once unanswered, answered since the notes grew: no longer a gap.
        ask(&store, now - 5 * day, "what is codex", Outcome::Nothing);
        ask(&store, now - day, "what is codex", Outcome::Answered);
        // Old: outside --since.
        ask(&store, now - 40 * day, "ancient", Outcome::Nothing);
        store
            .insert_vote(&Vote {
                at: now - day,
                answer_key: crate::curation::record::answer_key("what is rlhf"),
                voter: "v".into(),
                up: false,
            })
            .unwrap();
        let g = gaps(&store, Some(30), 10, now).unwrap();
        let got: Vec<(&str, u64, &str, u64)> = g
            .iter()
            .map(|g| {
                (
                    g.question.as_str(),
                    g.count,
                    g.outcome.as_str(),
                    g.votes_down,
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("what is a tokenizer", 3, "nothing", 0),
                ("what is rlhf", 2, "answered", 1),
                ("who wrote gpt 4", 1, "weak", 0),
            ]
        );
        assert_eq!(g[0].last_asked, "1972-09-26T00:00:00Z");
        assert_eq!(
            gaps(&store, None, 10, now).unwrap().len(),
            4,
            "all kept rows"
        );
        assert_eq!(gaps(&store, Some(30), 1, now).unwrap().len(), 1, "--limit");
    }
}
