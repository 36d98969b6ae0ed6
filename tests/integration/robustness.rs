//! Property tests in place of fuzzing: the knowledge loader, the command-line
//! parser of `ask`, the search query builder and the interaction parser take
//! any input without panicking and within their limits.

use lineage_bot::engine::request::parse_line;
use lineage_bot::knowledge::{self, SourceFile, Sources};
use lineage_bot::transport::interaction::{respond, Interaction};
use proptest::prelude::*;

use crate::RESPONDER;

/// Markdown and TOML-ish text: real fragments of the notes' shapes mixed
/// with arbitrary characters.
fn notes_text() -> impl Strategy<Value = String> {
    let fragment = prop_oneof![
        Just("### 标题\n".to_string()),
        Just("* **devinci**（GPT3初代）：--->[**a**]（SFT）--->[**b[12b]**]（RLHF）\n".to_string()),
        Just("|英文|中文|备注|\n|:-:|:-:|---|\n|A|甲|乙<br/>丙|\n".to_string()),
        Just("> * 引用\n>   - 嵌套\n".to_string()),
        Just("[[model]]\nid = \"a\"\nname = \"a\"\nfamily = \"f\"\n".to_string()),
        Just("[[family]]\nid = \"f\"\nname = \"F\"\n".to_string()),
        Just("parents = [{ id = \"a\", method = \"rlhf\" }]\n".to_string()),
        ".{0,40}",
    ];
    prop::collection::vec(fragment, 0..12).prop_map(|v| v.concat())
}

fn file(path: &str, text: String) -> SourceFile {
    SourceFile::new(path, text)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]

    #[test]
    fn the_loader_never_panics(notes in notes_text(), models in notes_text(), terms in notes_text(), comparisons in notes_text(), glossary in notes_text(), capabilities in notes_text()) {
        let sources = Sources {
            notes: vec![file("k/notes.md", notes)],
            models: Some(file("k/models.toml", models)),
            terms: Some(file("k/terms.toml", terms)),
            comparisons: Some(file("k/comparisons.toml", comparisons)),
            glossary: Some(file("k/glossary.toml", glossary)),
            capabilities: Some(file("k/capabilities.toml", capabilities)),
        };
        match knowledge::parse(sources) {
            Ok(k) => prop_assert!(k.passages.iter().all(|p| p.text.chars().count() <= knowledge::MAX_PASSAGE_CHARS)),
            Err(e) => {
                prop_assert!(!e.problems.is_empty());
                for p in &e.problems {
                    prop_assert!(p.file.starts_with("k/"), "{p}");
                }
            }
        }
    }

    #[test]
    fn the_ask_parser_never_panics(line in ".{0,200}", name in "(model|term|compare|search|lineage|help|x)") {
        let _ = parse_line(&line);
        let _ = parse_line(&format!("/{name} {line}"));
    }

    #[test]
    fn search_answers_anything(q in ".{0,300}", limit in 0usize..200, offset in 0usize..5000) {
        let r = RESPONDER.engine().index().search(&q, limit, offset);
        prop_assert!(r.hits.len() <= limit.clamp(1, 100));
        for h in &r.hits {
            prop_assert!(h.score.is_finite());
        }
    }

    #[test]
    fn interaction_bodies_never_panic(body in ".{0,300}", kind in 0u8..10, name in ".{0,20}", value in ".{0,60}") {
        if let Ok(i) = serde_json::from_str::<Interaction>(&body) {
            let _ = respond(&RESPONDER, &i);
        }
        let v = serde_json::json!({"type": kind, "id": "1", "token": "t",
            "data": {"name": name, "custom_id": value, "options": [{"name": "name", "value": value, "focused": kind == 4}]}});
        let i: Interaction = serde_json::from_value(v).unwrap();
        let _ = respond(&RESPONDER, &i);
    }
}

/// Characters that break naive byte arithmetic: full-width forms (3 bytes,
/// folded to ASCII), CJK, combining marks, emoji and ZWJ sequences, RTL text
/// and overrides, zero-width characters.
const HOSTILE: &[&str] = &[
    "ＧＰＴ－３．５",
    "ｔｅｘｔ－ｄａｖｉｎｃｉ－００３",
    "Ｃｈａｔ ＧＰＴ",
    "\u{3000}",
    "对齐税",
    "思维链",
    "和",
    "e\u{301}",
    "da\u{301}vinci",
    "🙂",
    "👩\u{200d}💻",
    "👨\u{200d}👩\u{200d}👧",
    "🇨🇳",
    "مرحبا",
    "שלום",
    "\u{202e}",
    "\u{202e}gpt-3\u{202c}",
    "\u{200b}",
    "\u{200d}",
    "\u{feff}",
    "text\u{200b}-davinci",
];

/// Names the notes really use, so hostile text sits next to indexed words.
const NAMES: &[&str] = &[
    "davinci",
    "gpt-3.5",
    "text-davinci-003",
    "text-davinci-002",
    "code-davinci-002",
    "ChatGPT",
    "InstructGPT",
    "RLHF",
    "alignment tax",
    "instruction tuning",
];

/// A run of hostile characters and names with or without spaces between.
fn hostile_words() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        prop::sample::select(HOSTILE).prop_map(str::to_string),
        prop::sample::select(NAMES).prop_map(str::to_string),
        Just(" ".to_string()),
        Just("-".to_string()),
        Just(".".to_string()),
    ];
    prop::collection::vec(piece, 1..16).prop_map(|v| v.concat())
}

/// A Markdown note made of hostile words: headings, paragraphs, lists, quotes.
fn hostile_note() -> impl Strategy<Value = String> {
    let block = prop_oneof![
        hostile_words().prop_map(|w| format!("## {w}\n\n")),
        hostile_words().prop_map(|w| format!("{w}\n\n")),
        hostile_words().prop_map(|w| format!("* **{w}**：{w}\n")),
        hostile_words().prop_map(|w| format!("> {w}\n\n")),
    ];
    prop::collection::vec(block, 1..12).prop_map(|v| format!("# ＧＰＴ－３．５\n\n{}", v.concat()))
}

/// Every command, and search, over notes full of hostile text: no panic, and
/// every rendered message within Discord's limits (issue #15, point 1).
mod hostile_notes {
    use std::path::Path;

    use lineage_bot::engine::{Command, Engine, Locale, Request};
    use proptest::prelude::*;

    use super::{hostile_note, hostile_words};
    use crate::render::assert_within_limits;

    fn commands(word: &str, other: &str) -> Vec<Command> {
        let s = |x: &str| x.to_string();
        vec![
            Command::Model { name: s(word) },
            Command::Term { name: s(word) },
            Command::Compare {
                first: s(word),
                second: s(other),
            },
            Command::Search {
                query: s(word),
                page: 0,
            },
            Command::Search {
                query: s(word),
                page: 1,
            },
            Command::Lineage {
                name: Some(s(word)),
            },
            Command::Lineage { name: None },
            Command::Help,
        ]
    }

    proptest! {
        // One index per case: few cases, many questions each.
        #![proptest_config(ProptestConfig { cases: 16, .. ProptestConfig::default() })]

        #[test]
        fn every_command_answers_over_hostile_notes(
            note in hostile_note(),
            queries in prop::collection::vec(hostile_words(), 8),
        ) {
            let dir = tempfile::tempdir().unwrap();
            for f in std::fs::read_dir("knowledge").unwrap() {
                let f = f.unwrap().path();
                std::fs::copy(&f, dir.path().join(f.file_name().unwrap())).unwrap();
            }
            std::fs::write(dir.path().join("zz-hostile.md"), &note).unwrap();
            let engine = Engine::load(dir.path(), None::<&Path>)
                .map_err(|e| TestCaseError::fail(format!("{e}\n{note}")))?;
            let index = engine.index();
            let responder = lineage_bot::respond::Responder::new(engine);
            let mut queries = queries;
            queries.extend(["davinci", "gpt-3.5", "ＧＰＴ－３．５", "text-davinci-003", "ChatGPT", "对齐税"].map(String::from));
            for (i, q) in queries.iter().enumerate() {
                let r = index.search(q, 10, 0);
                for h in &r.hits {
                    prop_assert!(h.score.is_finite());
                }
                let other = &queries[(i + 1) % queries.len()];
                // Both languages, taking turns (each answer costs a few ms).
                let locale = if i % 2 == 0 { Locale::En } else { Locale::Zh };
                for command in commands(q, other) {
                    assert_within_limits(&responder.answer(&Request::new(command, locale)));
                }
            }
        }
    }
}
