//! The labelled search queries (`tests/data/search-queries.json`, and
//! `../shared/eval/dev-search.json` in the same format) and score.py's rule
//! for them; shared by the quality test and the scale benchmark.

use serde::Deserialize;

#[derive(Deserialize)]
struct QuerySet {
    queries: Vec<Labelled>,
}

#[derive(Deserialize)]
pub struct Labelled {
    pub q: String,
    /// en, zh, mixed, typo, alias or none (our own set says).
    #[serde(default)]
    pub kind: String,
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

impl Labelled {
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
