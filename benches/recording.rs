//! What recording a question adds to an answer: the answer path only folds
//! the question, hashes it and `try_send`s a row to the writer thread
//! (dropped when the queue is full). Measured on a real store in a temp
//! directory, against the same answer unrecorded.
//!
//! `cargo bench --bench recording`

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use lineage_bot::curation::Recorder;
use lineage_bot::engine::{Command, Engine, Locale, Reply, Request};
use lineage_bot::respond::Responder;

const QUESTIONS: &[&str] = &[
    "What is the alignment tax?",
    "对齐税是什么",
    "which model restored in-context learning",
    "volcano eruption forecast",
];

fn recording(c: &mut Criterion) {
    let engine = Engine::load(Path::new("knowledge"), None).expect("bundled notes");
    let dir = tempfile::tempdir().expect("a temp dir");
    let recorder = Recorder::open(dir.path(), 90);
    assert!(recorder.is_on(), "the store opened");
    let answers: Vec<_> = QUESTIONS
        .iter()
        .map(|q| match engine.snapshot().search(q, 0) {
            Reply::Search(a) => a,
            _ => unreachable!("a search answers with hits"),
        })
        .collect();
    c.bench_function(
        "recording/record one question (normalise, hash, try_send)",
        |b| {
            let mut i = 0;
            b.iter(|| {
                i = (i + 1) % QUESTIONS.len();
                std::hint::black_box(recorder.asked(
                    QUESTIONS[i],
                    Locale::En,
                    &answers[i],
                    Some("42"),
                ))
            })
        },
    );
    c.bench_function("recording/record one vote", |b| {
        b.iter(|| {
            std::hint::black_box(recorder.vote("0123456789abcdef", "123456789012345678", false))
        })
    });
    let plain = Responder::new(engine.clone());
    let recording = Responder::new(engine).with_recorder(recorder.clone());
    let request = |q: &str| {
        Request::new(
            Command::Search {
                query: q.to_string(),
                page: 0,
            },
            Locale::En,
        )
    };
    c.bench_function("recording/answer unrecorded", |b| {
        b.iter(|| std::hint::black_box(plain.answer_asked(&request(QUESTIONS[0]), Some("42"))))
    });
    c.bench_function("recording/answer recorded", |b| {
        b.iter(|| std::hint::black_box(recording.answer_asked(&request(QUESTIONS[0]), Some("42"))))
    });
    eprintln!(
        "rows dropped while the writer was behind: {}",
        recorder.dropped()
    );
}

criterion_group!(benches, recording);
criterion_main!(benches);
