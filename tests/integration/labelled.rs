//! The labelled search queries (`tests/data/search-queries.json`, and
//! `../shared/eval/dev-search.json` in the same format) and score.py's rule
//! for them; shared by the quality test and the scale benchmark.

use serde::Deserialize;

#[derive(Deserialize)]
struct QuerySet {
    queries: Vec<Labelled>,
    /// Channel talk that must get no reply.
    #[serde(default)]
    chatter: Vec<String>,
    /// On-topic questions the notes do not answer.
    #[serde(default)]
    not_in_notes: Vec<String>,
}

#[derive(Deserialize)]
pub struct Labelled {
    pub q: String,
    /// en, zh, mixed, typo, alias or none; or, for a natural question, the
    /// kind of answer it wants: reason, purpose, which, quantity,
    /// difference, definition (our own set says).
    #[serde(default)]
    pub kind: String,
    /// A natural question's language: en, zh or mixed.
    #[serde(default)]
    pub lang: String,
    #[serde(default)]
    pub expect_any: Vec<Vec<String>>,
    #[serde(default)]
    pub expect_none: bool,
}

/// The queries of one labelled set.
pub fn load(path: &str) -> std::io::Result<Vec<Labelled>> {
    let text = std::fs::read_to_string(path)?;
    let set: QuerySet = serde_json::from_str(&text).map_err(std::io::Error::other)?;
    Ok(set.queries)
}

/// The chatter lines of one labelled set.
#[allow(dead_code)] // the scale benchmark shares this file and uses no chatter
pub fn load_chatter(path: &str) -> std::io::Result<Vec<String>> {
    let text = std::fs::read_to_string(path)?;
    let set: QuerySet = serde_json::from_str(&text).map_err(std::io::Error::other)?;
    Ok(set.chatter)
}

/// The on-topic questions of one labelled set that the notes do not answer.
#[allow(dead_code)]
pub fn load_not_in_notes(path: &str) -> std::io::Result<Vec<String>> {
    let text = std::fs::read_to_string(path)?;
    let set: QuerySet = serde_json::from_str(&text).map_err(std::io::Error::other)?;
    Ok(set.not_in_notes)
}

/// The kinds of answer natural questions want.
#[allow(dead_code)]
pub const NATURAL: [&str; 6] = [
    "reason",
    "purpose",
    "which",
    "quantity",
    "difference",
    "definition",
];

impl Labelled {
    /// A natural question of a kind (not a keyword, typo or alias query).
    #[allow(dead_code)]
    pub fn is_natural(&self) -> bool {
        NATURAL.contains(&self.kind.as_str())
    }

    /// Whether one hit (what it shows: title and snippet) answers the query.
    #[allow(dead_code)]
    pub fn answered_by(&self, title: &str, text: &str) -> bool {
        self.rank([(title, text)]).is_some() && !self.expect_none
    }

    /// score.py's rule: the 1-based rank of the first hit (title, text) that
    /// holds every string of one expected group, case-insensitively; a
    /// no-answer query is answered, at rank 1, by no hits at all.
    pub fn rank<'h>(&self, hits: impl IntoIterator<Item = (&'h str, &'h str)>) -> Option<usize> {
        let mut hits = hits.into_iter().peekable();
        if self.expect_none {
            return hits.peek().is_none().then_some(1);
        }
        hits.position(|(title, text)| {
            let hay = format!("{title}\n{text}").to_lowercase();
            self.expect_any
                .iter()
                .any(|group| group.iter().all(|s| hay.contains(&s.to_lowercase())))
        })
        .map(|i| i + 1)
    }
}
