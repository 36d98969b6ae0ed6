//! Cost of rendering the web pages at 1× the notes, the work `serve-http`
//! does per GET (no cache): answer + HTML. Target: < 5 ms a page.
//!
//! `cargo bench --bench pages`

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use lineage_bot::engine::Engine;
use lineage_bot::respond::Responder;
use lineage_bot::web::{Get, Site};

fn pages(c: &mut Criterion) {
    let engine = Engine::load(Path::new("knowledge"), None).expect("bundled notes");
    let site = Site::new(Responder::new(engine));
    for path in [
        "/",
        "/model/chatgpt",
        "/term/alignment-tax",
        "/capability/in-context-learning",
        "/capabilities",
        "/compare/text-davinci-002/text-davinci-003",
    ] {
        c.bench_function(&format!("pages{path}"), |b| {
            b.iter(|| {
                let page = site.get(&Get {
                    path,
                    ..Get::default()
                });
                assert_eq!(page.status, 200, "{path}");
                std::hint::black_box(page)
            })
        });
    }
    c.bench_function("pages/search?q=alignment tax", |b| {
        b.iter(|| {
            std::hint::black_box(site.get(&Get {
                path: "/search",
                query: Some("q=what+is+the+alignment+tax"),
                ..Get::default()
            }))
        })
    });
}

criterion_group!(benches, pages);
criterion_main!(benches);
