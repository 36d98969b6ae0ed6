//! Search speed on the bundled notes: query latency over a mix of Chinese,
//! English, mixed, misspelled and alias questions, the cost of answering a
//! command end to end, and process start to first answer (load notes, load
//! jieba, build the index, answer once).
//!
//! `cargo bench --bench search`

use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use lineage_bot::engine::request::parse_line;
use lineage_bot::engine::{Engine, Locale, Request};
use lineage_bot::respond::Responder;

const QUERIES: &[&str] = &[
    "alignment tax",
    "对齐税是什么",
    "which model restored in-context learning",
    "chatgpt vs 003",
    "alignmnet tax",
    "text-davinci-003 零样本",
    "RLHF 拒绝问题",
    "gpt3 175 billion parameters",
    "volcano eruption forecast",
    "思维链",
];

fn engine() -> Engine {
    Engine::load(Path::new("knowledge"), None).expect("bundled notes")
}

fn queries(c: &mut Criterion) {
    let engine = engine();
    let index = engine.index();
    c.bench_function("search/query mix (10 queries)", |b| {
        b.iter(|| {
            for q in QUERIES {
                std::hint::black_box(index.search(q, 5, 0));
            }
        })
    });
    for q in ["alignment tax", "对齐税是什么", "alignmnet tax"] {
        c.bench_function(&format!("search/{q}"), |b| {
            b.iter(|| std::hint::black_box(index.search(q, 5, 0)))
        });
    }
    let responder = Responder::new(engine.clone());
    let compare = Request::new(parse_line("/compare 002 003").unwrap(), Locale::En);
    c.bench_function("answer/compare 002 003 rendered", |b| {
        b.iter(|| std::hint::black_box(responder.answer(&compare)))
    });

    // p50/p99 over single queries, printed for the record (criterion reports means).
    let mut samples: Vec<Duration> = Vec::with_capacity(10_000);
    let mut per_query: Vec<Vec<Duration>> = vec![Vec::new(); QUERIES.len()];
    for _ in 0..1_000 {
        for (i, q) in QUERIES.iter().enumerate() {
            let t = Instant::now();
            std::hint::black_box(index.search(q, 5, 0));
            samples.push(t.elapsed());
            per_query[i].push(t.elapsed());
        }
    }
    for (q, mut s) in QUERIES.iter().zip(per_query) {
        s.sort();
        println!(
            "  {q:?}: p50 {:?}, p99 {:?}",
            s[s.len() / 2],
            s[s.len() * 99 / 100]
        );
    }
    samples.sort();
    let at = |p: f64| samples[((samples.len() as f64 - 1.0) * p) as usize];
    println!(
        "search latency over {} queries: p50 {:?}, p99 {:?}, max {:?}",
        samples.len(),
        at(0.5),
        at(0.99),
        at(1.0)
    );
}

fn start_to_first_answer(c: &mut Criterion) {
    let mut group = c.benchmark_group("start");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(8));
    group.bench_function("load notes + jieba + index + first answer", |b| {
        b.iter(|| {
            let responder = Responder::new(engine());
            std::hint::black_box(responder.answer(&Request::new(
                parse_line("/model chatgpt").unwrap(),
                Locale::En,
            )))
        })
    });
    group.finish();
}

criterion_group!(benches, queries, start_to_first_answer);
criterion_main!(benches);
