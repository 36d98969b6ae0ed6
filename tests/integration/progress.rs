//! Long work says how far it has got (#32 point 5): a load reports each
//! phase from 0 to its total in strictly increasing counts, a bounded
//! number of times; a reload and a later start only what they redo.

use std::path::Path;
use std::sync::{Arc, Mutex};

use lineage_bot::engine::Engine;
use lineage_bot::knowledge::{Limits, Phase, Progress, REPORTS_PER_PHASE};

use crate::reload::copy_knowledge;

type Reports = Arc<Mutex<Vec<(Phase, u64, u64)>>>;

fn recorded() -> (Progress, Reports) {
    let reports = Reports::default();
    let into = reports.clone();
    let progress = Progress::new(move |phase, done, total| {
        into.lock().unwrap().push((phase, done, total));
    });
    (progress, reports)
}

/// The reports taken so far, as (phase, total) in order, each checked:
/// from 0, strictly increasing, ending at the total, a bounded number.
fn phases(reports: &Reports) -> Vec<(Phase, u64)> {
    let taken = std::mem::take(&mut *reports.lock().unwrap());
    let mut out: Vec<(Phase, u64, Vec<u64>)> = Vec::new();
    for (phase, done, total) in taken {
        match out.last_mut() {
            Some((p, t, counts)) if *p == phase && *t == total && done > 0 => counts.push(done),
            _ => out.push((phase, total, vec![done])),
        }
    }
    for (phase, total, counts) in &out {
        assert_eq!(counts[0], 0, "{phase:?} starts at nothing: {counts:?}");
        assert!(
            counts.windows(2).all(|w| w[0] < w[1]),
            "{phase:?} strictly increasing: {counts:?}"
        );
        assert_eq!(counts.last(), Some(total), "{phase:?} ends at its total");
        assert!(counts.len() as u64 <= REPORTS_PER_PHASE + 2, "{phase:?}");
    }
    out.into_iter().map(|(p, t, _)| (p, t)).collect()
}

fn notes_files(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "md")
        })
        .count() as u64
}

#[test]
fn loads_and_reloads_report_each_phase_from_nothing_to_its_total() {
    let dir = tempfile::tempdir().unwrap();
    copy_knowledge(dir.path());
    for i in 0..40 {
        std::fs::write(
            dir.path().join(format!("grown-{i:02}.md")),
            format!(
                "# Grown {i}\n\nA paragraph about the alignment tax, number {i}.\n\n\
                 * One item. Another sentence in it.\n* 对齐税是第 {i} 条。\n"
            ),
        )
        .unwrap();
    }
    let files = notes_files(dir.path());
    assert!(files > 40);
    let index_dir = tempfile::tempdir().unwrap();
    let index_dir = index_dir.path().join("index");

    // A first start parses every file and indexes every document.
    let (progress, reports) = recorded();
    let engine =
        Engine::load_reporting(dir.path(), Some(&index_dir), Limits::default(), progress).unwrap();
    let docs = engine.index().num_docs();
    assert_eq!(
        phases(&reports),
        [(Phase::Parsing, files), (Phase::Indexing, docs)]
    );

    // A reload after one edit: every file is counted (the others are
    // reused), and only that file's documents and the cards are indexed.
    let edited = dir.path().join("grown-07.md");
    let mut text = std::fs::read_to_string(&edited).unwrap();
    text.push_str("\nOne more paragraph, with two sentences. Here is the second.\n");
    std::fs::write(&edited, text).unwrap();
    engine.reload().unwrap();
    let reloaded = phases(&reports);
    assert_eq!(reloaded.len(), 2, "{reloaded:?}");
    assert_eq!(reloaded[0], (Phase::Parsing, files));
    assert_eq!(reloaded[1].0, Phase::Indexing);
    assert!(
        reloaded[1].1 > 0 && reloaded[1].1 < docs / 2,
        "{reloaded:?}"
    );

    // A start from unchanged notes opens the index as it is: nothing indexed.
    drop(engine);
    let (progress, reports) = recorded();
    Engine::load_reporting(dir.path(), Some(&index_dir), Limits::default(), progress).unwrap();
    assert_eq!(phases(&reports), [(Phase::Parsing, files)]);
}
