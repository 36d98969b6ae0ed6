//! The bundled notes load into the catalogue the issue names, and every
//! invalid fixture fails with its own `file:line` message.

use std::path::Path;

use lineage_bot::domain::{Method, Resolved, Status};
use lineage_bot::knowledge;

fn bundled() -> lineage_bot::domain::Knowledge {
    knowledge::load_dir(Path::new("knowledge")).expect("the bundled notes are valid")
}

#[test]
fn bundled_notes_have_the_whole_chain_and_table() {
    let k = bundled();
    let slugs: Vec<&str> = k.models.iter().map(|m| m.slug.as_str()).collect();
    for id in [
        "davinci",
        "code-davinci-001",
        "code-cushman-001",
        "instruct-davinci-beta",
        "text-davinci-001",
        "code-davinci-002",
        "text-davinci-002",
        "text-davinci-003",
        "chatgpt",
    ] {
        assert!(slugs.contains(&id), "{id} missing from {slugs:?}");
    }
    assert_eq!(k.terms.len(), 14);
    assert!(k
        .terms
        .iter()
        .all(|t| !t.chinese.is_empty() && !t.meaning.is_empty()));
    assert!(k
        .passages
        .iter()
        .all(|p| p.text.chars().count() <= knowledge::MAX_PASSAGE_CHARS));
}

#[test]
fn the_chain_line_supplies_facts_and_the_notes_typos_resolve() {
    let k = bundled();
    let one = |name: &str| match k.resolve_model(name) {
        Resolved::One(id) => k.model(id),
        other => panic!("{name}: {other:?}"),
    };
    // `[12b]` on the chain line, not retyped in the catalogue.
    assert_eq!(one("code-cushman-001").parameters.as_deref(), Some("12B"));
    assert_eq!(one("devinci").slug, "davinci");
    assert_eq!(one("text-devinci-001").slug, "text-davinci-001");
    assert_eq!(one("ＣｈａｔＧＰＴ").slug, "chatgpt");
    assert_eq!(one("003").slug, "text-davinci-003");
    match k.resolve_model("002") {
        Resolved::Many(ids) => {
            let names: Vec<_> = ids.iter().map(|&i| k.model(i).slug.as_str()).collect();
            assert_eq!(names, ["code-davinci-002", "text-davinci-002"]);
        }
        other => panic!("002 should be ambiguous: {other:?}"),
    }
    // Summaries come from the notes' own lines where they exist.
    let chatgpt = one("chatgpt");
    assert!(chatgpt.summary.pick(false).contains("对话能力增强"));
    assert_eq!(
        k.passage(chatgpt.summary_source.expect("from notes"))
            .source
            .line,
        28
    );
}

#[test]
fn lineage_edges_carry_methods() {
    let k = bundled();
    let id = |n: &str| match k.resolve_model(n) {
        Resolved::One(id) => id,
        other => panic!("{n}: {other:?}"),
    };
    let parents = |n: &str| -> Vec<(String, Method)> {
        k.lineage
            .parents(id(n))
            .map(|e| (k.model(e.parent).slug.clone(), e.method))
            .collect()
    };
    assert_eq!(
        parents("chatgpt"),
        vec![("text-davinci-002".to_string(), Method::Rlhf)]
    );
    assert_eq!(
        parents("text-davinci-002"),
        vec![("code-davinci-002".to_string(), Method::Sft)]
    );
    assert!(k.lineage.is_ancestor(id("davinci"), id("chatgpt")));
    let path = k
        .lineage
        .path(id("text-davinci-003"), id("chatgpt"))
        .expect("connected");
    assert_eq!(path.len(), 3, "003 and ChatGPT are siblings under 002");
    assert!(k.lineage.find_cycle().is_none());
}

#[test]
fn terms_take_abbreviations_both_languages_and_the_notes_spelling() {
    let k = bundled();
    let slug = |n: &str| k.resolve_term(n).map(|t| k.term(t).slug.clone());
    assert_eq!(slug("alignment tax").as_deref(), Some("alignment-tax"));
    assert_eq!(slug("对齐税").as_deref(), Some("alignment-tax"));
    assert_eq!(slug("CoT").as_deref(), Some("chain-of-thought"));
    assert_eq!(
        slug("Chain-fo-Thought").as_deref(),
        Some("chain-of-thought")
    );
    assert_eq!(slug("rm").as_deref(), Some("reward-model"));
    assert_eq!(slug("sft").as_deref(), Some("supervised-fine-tuning"));
    assert_eq!(slug("ICL").as_deref(), Some("in-context-learning"));
    let cot = k.term(k.resolve_term("cot").unwrap());
    assert_eq!(
        cot.english, "Chain-fo-Thought",
        "the notes' own spelling is kept"
    );
    let scaling = k.term(k.resolve_term("scaling laws").unwrap());
    assert_eq!(
        scaling.meaning,
        "模型的效果的线性增长\n求模型的大小呈指数增长"
    );
}

#[test]
fn comparisons_point_at_their_sections() {
    let k = bundled();
    assert_eq!(k.comparisons.len(), 4);
    for c in &k.comparisons {
        assert!(!c.passages.is_empty(), "{} has no passages", c.slug);
        for &p in &c.passages {
            assert_eq!(k.passage(p).section(), Some(c.section.as_str()));
        }
    }
}

#[test]
fn the_valid_fixture_loads() {
    let k = knowledge::load_dir(Path::new("tests/fixtures/knowledge")).expect("valid");
    let s = k.summary();
    assert_eq!((s.models, s.edges, s.terms, s.comparisons), (4, 3, 2, 1));
    // A quote with Markdown emphasis finds the plain passage, on its line.
    assert_eq!(s.capabilities, 1);
    let c = &k.capabilities[0];
    assert_eq!(
        c.term.map(|t| k.term(t).slug.as_str()),
        Some("alignment-tax")
    );
    let e = &c.statuses[0].evidence[0];
    assert_eq!(e.quote, "it answers instructions");
    assert_eq!(e.source.line, 10);
    assert_eq!(&*k.passage(e.passage).text, "it answers instructions");
}

#[test]
fn capability_statuses_quote_the_notes_where_they_stand() {
    let k = bundled();
    let icl = k.capability(k.resolve_capability("ICL").expect("ICL"));
    assert_eq!(icl.slug, "in-context-learning");
    // Capability names have their own index: the term keeps its name too.
    assert_eq!(k.resolve_capability("上下文学习"), Some(icl.id));
    assert_eq!(
        k.resolve_term("上下文学习")
            .map(|t| k.term(t).slug.as_str()),
        Some("in-context-learning")
    );
    assert_eq!(icl.term, k.resolve_term("in-context-learning"));
    let model = |n: &str| match k.resolve_model(n) {
        Resolved::One(id) => id,
        other => panic!("{n}: {other:?}"),
    };
    assert_eq!(
        icl.main_status(model("code-davinci-002")),
        Some(Status::Strong)
    );
    assert_eq!(
        icl.main_status(model("text-davinci-003")),
        Some(Status::Restored)
    );
    assert_eq!(icl.main_status(model("chatgpt")), Some(Status::TradedAway));
    assert_eq!(icl.main_status(model("davinci")), None);
    let notes = std::fs::read_to_string("knowledge/notes.md").unwrap();
    let lines: Vec<&str> = notes.lines().collect();
    for c in &k.capabilities {
        assert!(!c.names().is_empty());
        for s in &c.statuses {
            assert!(
                !s.evidence.is_empty(),
                "{}: a status without evidence",
                c.slug
            );
            for e in &s.evidence {
                // The line named holds the quote once emphasis is dropped.
                let line = lines[e.source.line - 1].replace(['*', '`'], "");
                let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
                assert!(
                    line.contains(&e.quote),
                    "{}: {} not on {}",
                    c.slug,
                    e.quote,
                    e.source
                );
            }
        }
    }
}

#[test]
fn every_invalid_fixture_names_file_and_line() {
    let root = Path::new("tests/fixtures/knowledge_invalid");
    let mut cases = 0;
    for entry in std::fs::read_dir(root).expect("fixtures") {
        let dir = entry.expect("entry").path();
        let expected = std::fs::read_to_string(dir.join("expected.txt")).expect("expected.txt");
        let expected = format!("{}/{}", dir.display(), expected.trim());
        let err = knowledge::load_dir(&dir).expect_err(&format!("{} should fail", dir.display()));
        let messages: Vec<String> = err.problems.iter().map(|p| p.to_string()).collect();
        assert!(
            messages.contains(&expected),
            "{}:\nexpected {expected}\ngot {messages:#?}",
            dir.display()
        );
        cases += 1;
    }
    assert!(cases >= 10, "only {cases} fixtures");
}

#[test]
fn a_missing_directory_is_a_clear_error() {
    let err = knowledge::load_dir(Path::new("tests/fixtures/no-such-dir")).unwrap_err();
    assert_eq!(err.to_string(), "tests/fixtures/no-such-dir: knowledge directory not found (set --knowledge DIR or knowledge.dir in the config)");
}
