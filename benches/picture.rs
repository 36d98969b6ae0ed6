//! Cost of drawing the family tree as a PNG, the work `/tree` does on a cache
//! miss: lay out, write the SVG, parse it, rasterise, encode. Target: < 50 ms.
//!
//! `cargo bench --bench picture`

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use lineage_bot::domain::Resolved;
use lineage_bot::knowledge::load_dir;
use lineage_bot::picture::lineage_png;

fn render(c: &mut Criterion) {
    let knowledge = load_dir(Path::new("knowledge")).expect("bundled notes");
    let Resolved::One(chatgpt) = knowledge.resolve_model("chatgpt") else {
        panic!("chatgpt is in the bundled catalogue");
    };
    c.bench_function("picture/lineage_png chatgpt", |b| {
        b.iter(|| std::hint::black_box(lineage_png(&knowledge, Some(chatgpt)).expect("renders")))
    });
}

criterion_group!(benches, render);
criterion_main!(benches);
