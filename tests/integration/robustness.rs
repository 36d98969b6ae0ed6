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
    SourceFile {
        path: path.to_string(),
        text,
    }
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
        match knowledge::parse(&sources) {
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
