//! The scale benchmark's parts (benches/scale): the grown notes are the same
//! for the same seed, hold exactly factor × the passages and load through the
//! real loader without changing what the bundled notes say; the FTS5 baseline
//! answers Chinese and English questions.

#[allow(dead_code)]
#[path = "../../benches/scale/corpus.rs"]
mod corpus;
#[allow(dead_code)]
#[path = "../../benches/scale/fts5.rs"]
mod fts5;

use std::path::Path;

use lineage_bot::knowledge::load_dir;

const SEED: u64 = 7;

#[test]
fn grown_notes_are_the_same_for_the_same_seed() {
    let k = load_dir(Path::new("knowledge")).unwrap();
    let a = corpus::generate(&k, 30, SEED);
    let b = corpus::generate(&k, 30, SEED);
    let c = corpus::generate(&k, 30, SEED + 1);
    assert!(!a.is_empty());
    assert_eq!(a, b, "same seed, same files");
    assert_ne!(a, c, "another seed, other files");
    assert!(
        corpus::generate(&k, 1, SEED).is_empty(),
        "1× is the notes themselves"
    );
}

#[test]
fn grown_notes_load_with_factor_times_the_passages_and_the_same_answers() {
    let bundled = load_dir(Path::new("knowledge")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("grown");
    let factor = 60; // 2 400 passages: more than one generated file
    let made = corpus::write_dir(Path::new("knowledge"), &out, factor, SEED).unwrap();
    assert_eq!(made.files, 3);
    let grown = load_dir(&out).expect("grown notes load");
    assert_eq!(grown.passages.len(), factor * bundled.passages.len());
    assert_eq!(made.passages, grown.passages.len());
    // Same models, terms and summaries: the growth is passages only.
    assert_eq!(grown.models.len(), bundled.models.len());
    assert_eq!(grown.terms.len(), bundled.terms.len());
    for (g, b) in grown.models.iter().zip(&bundled.models) {
        assert_eq!(g.summary.all(), b.summary.all(), "{}", b.slug);
    }
    // Recombined, not copied: the grown passages say the notes' words in new orders.
    let bundled_texts: Vec<&str> = bundled.passages.iter().map(|p| &*p.text).collect();
    let grown_only = &grown.passages[bundled.passages.len()..];
    let copies = grown_only
        .iter()
        .filter(|p| bundled_texts.contains(&&*p.text))
        .count();
    assert!(
        copies * 10 < grown_only.len(),
        "{copies} of {} are copies",
        grown_only.len()
    );
    assert!(grown_only.iter().any(|p| p.text.contains("对齐")));
    assert!(grown_only
        .iter()
        .any(|p| p.text.contains("text-davinci-002")));
}

#[test]
fn fts5_baseline_answers_chinese_and_english() {
    let k = load_dir(Path::new("knowledge")).unwrap();
    let docs = fts5::documents(&k);
    let dir = tempfile::tempdir().unwrap();
    let db = fts5::Fts5::build(&dir.path().join("fts5.db"), &docs).unwrap();
    let hits = db.search("对齐税是什么", 3).unwrap();
    assert!(hits.iter().any(|h| h.body.contains("对齐税")), "对齐税");
    assert!(hits[0].snippet.contains("**"), "{}", hits[0].snippet);
    let hits = db.search("what is the reward model", 3).unwrap();
    assert!(hits
        .iter()
        .any(|h| h.body.to_lowercase().contains("reward model")));
    // Trigrams match nothing shorter than three characters.
    assert_eq!(fts5::match_expression("对齐 vs"), None);
    assert_eq!(
        fts5::match_expression("text-davinci-003 零样本学"),
        Some("\"text-davinci-003\" OR \"零样本\" OR \"样本学\"".into())
    );
    assert!(db
        .search("volcano eruption forecast", 3)
        .unwrap()
        .is_empty());
}

/// On notes large enough that the first pass cannot keep every match (the
/// labelled questions match thousands of the grown documents), the two-pass
/// search returns the very hits, in the same order, as scoring every match
/// with the full query; its total is then a lower bound.
#[test]
fn two_pass_search_returns_what_exhaustive_scoring_returns() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("grown");
    corpus::write_dir(Path::new("knowledge"), &out, 60, SEED).unwrap();
    let engine = lineage_bot::engine::Engine::load(&out, None).expect("grown notes load");
    let fast = engine.index();
    let full = fast.exhaustive();
    let queries = crate::labelled::load("tests/data/search-queries.json").unwrap();
    let mut pruned = 0;
    for q in &queries {
        for page in [0, 1] {
            let a = fast.search(&q.q, 5, page * 5);
            let b = full.search(&q.q, 5, page * 5);
            let refs = |r: &lineage_bot::search::Results| -> Vec<_> {
                r.hits
                    .iter()
                    .map(|h| (h.doc, h.source.to_string()))
                    .collect()
            };
            assert_eq!(refs(&a), refs(&b), "{:?} page {page}", q.q);
            assert!(!b.total_is_lower_bound);
            if a.total_is_lower_bound {
                pruned += 1;
                assert!(a.total <= b.total, "{:?}: {} > {}", q.q, a.total, b.total);
            }
        }
    }
    // The check means something only if the first pass did prune.
    assert!(
        pruned >= 20,
        "only {pruned} searches went past the first pass"
    );
}

/// On notes small enough to be scored in one pass (the bundled notes, as a
/// real server's are), the bot's own evaluation returns the very hits, in
/// the same order and with the same total, as tantivy's: both pages of
/// every labelled question.
#[test]
fn small_notes_are_scored_as_tantivy_scores_them() {
    let engine = lineage_bot::engine::Engine::load(Path::new("knowledge"), None).unwrap();
    let mine = engine.index();
    let tantivys = mine.exhaustive();
    let queries = crate::labelled::load("tests/data/search-queries.json").unwrap();
    let mut answered = 0;
    for q in &queries {
        for page in [0, 1] {
            let a = mine.search(&q.q, 5, page * 5);
            let b = tantivys.search(&q.q, 5, page * 5);
            let refs = |r: &lineage_bot::search::Results| -> Vec<_> {
                r.hits.iter().map(|h| (h.doc, h.score.to_bits())).collect()
            };
            assert_eq!(refs(&a), refs(&b), "{:?} page {page}", q.q);
            assert_eq!(
                (a.total, a.total_is_lower_bound),
                (b.total, false),
                "{:?}",
                q.q
            );
            answered += usize::from(!a.hits.is_empty());
        }
    }
    assert!(answered > queries.len(), "{answered} pages with hits");
}
