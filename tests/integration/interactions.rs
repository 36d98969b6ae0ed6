//! interaction::respond, the core every transport shares: commands, buttons,
//! the delete button, autocomplete and odd interactions.

use lineage_bot::transport::interaction::{respond, Interaction, Response};
use serde_json::{json, Value};

use crate::RESPONDER;

fn parse(v: Value) -> Interaction {
    serde_json::from_value(v).expect("an interaction")
}

fn custom_ids(m: &lineage_bot::render::Message) -> Vec<String> {
    m.components
        .iter()
        .flat_map(|r| &r.components)
        .filter_map(|b| b.custom_id.clone())
        .collect()
}

fn component(custom_id: &str, user: &str) -> Interaction {
    parse(
        json!({"type": 3, "id": "1", "token": "t", "locale": "en-US",
        "member": {"user": {"id": user}}, "data": {"custom_id": custom_id, "component_type": 2}}),
    )
}

#[test]
fn ping_is_answered_with_pong() {
    assert_eq!(
        respond(&RESPONDER, &parse(json!({"type": 1}))).to_json(),
        json!({"type": 1})
    );
}

#[test]
fn a_command_answers_with_a_message_and_a_delete_button_for_the_asker() {
    let i = parse(
        json!({"type": 2, "id": "1", "token": "t", "locale": "zh-CN", "user": {"id": "42"},
        "data": {"name": "term", "options": [{"name": "name", "type": 3, "value": "对齐税"}]}}),
    );
    let Response::Message(m) = respond(&RESPONDER, &i) else {
        panic!("a message")
    };
    assert_eq!(m.embeds[0].title.as_deref(), Some("Alignment tax · 对齐税"));
    let ids = custom_ids(&m);
    assert!(ids.contains(&"delete:42".to_string()), "{ids:?}");
}

/// A click by `user` on the button `custom_id` of `message` (as Discord
/// delivers it: the message with its components).
fn click_on(custom_id: &str, user: &str, message: Value) -> Interaction {
    parse(
        json!({"type": 3, "id": "1", "token": "t", "locale": "en-US",
        "member": {"user": {"id": user}}, "message": message,
        "data": {"custom_id": custom_id, "component_type": 2}}),
    )
}

/// A message as Discord delivers it with a click: what was sent, plus `extra`.
fn delivered(m: &lineage_bot::render::Message, extra: Value) -> Value {
    let mut v = serde_json::to_value(m).unwrap();
    for (k, x) in extra.as_object().unwrap() {
        v[k] = x.clone();
    }
    v
}

#[test]
fn buttons_update_the_message_and_delete_only_for_the_asker() {
    let card = json!({"components": [{"type": 1, "components": [
        {"type": 2, "style": 4, "label": "🗑", "custom_id": "delete:42"}]}]});
    let Response::Update(m) = respond(&RESPONDER, &click_on("model:text-davinci-002", "42", card))
    else {
        panic!("an update")
    };
    assert_eq!(m.embeds[0].title.as_deref(), Some("text-davinci-002"));
    assert_eq!(
        respond(&RESPONDER, &component("delete:42", "42")),
        Response::AckAndDelete
    );
    let Response::Message(m) = respond(&RESPONDER, &component("delete:42", "43")) else {
        panic!("a notice")
    };
    assert_eq!(m.flags, 64, "ephemeral");
    assert!(m.content.contains("Only the person who asked"));
    let Response::Message(m) = respond(&RESPONDER, &component("gone:xyz", "42")) else {
        panic!("a notice")
    };
    assert_eq!(m.flags, 64);
}

/// Issue #28 point 2: "Next page" on someone else's answer answers the
/// clicker alone and leaves the asker's message as it is; the asker's own
/// click pages in place and keeps 👍 / 👎, "Post publicly" and 🗑.
#[test]
fn paging_someone_elses_answer_is_for_the_clicker_alone_and_keeps_the_askers_buttons() {
    use lineage_bot::transport::interaction::with_delete;
    use lineage_bot::transport::interaction::with_votes;
    let search = parse(
        json!({"type": 2, "id": "1", "token": "t", "locale": "en-US", "member": {"user": {"id": "42"}},
        "data": {"name": "search", "options": [{"name": "query", "type": 3, "value": "RLHF"}]}}),
    );
    let Response::Message(first) = respond(&RESPONDER, &search) else {
        panic!("a message")
    };
    let next_of = |m: &lineage_bot::render::Message| {
        m.components
            .iter()
            .flat_map(|r| &r.components)
            .find(|b| b.label == "Next page")
            .and_then(|b| b.custom_id.clone())
            .expect("a Next page button")
    };
    let next = next_of(&first);
    // As answered with the recorder on: 👍 / 👎 for answer 0a1b, then 🗑.
    let answered = with_delete(
        with_votes(
            RESPONDER.answer(&lineage_bot::engine::Request::new(
                lineage_bot::render::custom_id::from_custom_id("search:0:RLHF").unwrap(),
                lineage_bot::engine::Locale::En,
            )),
            Some("0a1b"),
        ),
        Some("42"),
    );
    let public = delivered(&answered, json!({"flags": 0}));

    // Someone else: a page only they see, no delete button, the votes kept;
    // the asker's message is not replaced.
    match respond(&RESPONDER, &click_on(&next, "7", public.clone())) {
        Response::Message(m) => {
            assert_eq!(m.flags & 64, 64, "only the clicker sees it");
            let ids = custom_ids(&m);
            assert!(!ids.iter().any(|id| id.starts_with("delete:")), "{ids:?}");
            assert!(ids.contains(&"vote:up:0a1b".to_string()), "{ids:?}");
        }
        other => panic!("someone else's click replaced the asker's answer: {other:?}"),
    }
    // The asker: paged in place, with the votes and their delete button.
    let Response::Update(page) = respond(&RESPONDER, &click_on(&next, "42", public)) else {
        panic!("the asker's click pages in place")
    };
    let ids = custom_ids(&page);
    for kept in ["vote:up:0a1b", "vote:down:0a1b", "delete:42"] {
        assert!(ids.contains(&kept.to_string()), "{kept} lost: {ids:?}");
    }

    // A free-text reply (no delete button) names its asker by the message
    // it replies to: a stranger's click gets no delete button of its own.
    let reply = delivered(
        &with_votes(first.clone(), Some("0a1b")),
        json!({"flags": 0, "referenced_message": {"author": {"id": "42"}}}),
    );
    let reply = {
        let mut r = reply;
        let rows = r["components"].as_array_mut().unwrap();
        for row in rows.iter_mut() {
            row["components"]
                .as_array_mut()
                .unwrap()
                .retain(|b| !b["custom_id"].as_str().unwrap().starts_with("delete:"));
        }
        r
    };
    match respond(&RESPONDER, &click_on(&next, "7", reply.clone())) {
        Response::Message(m) => {
            assert_eq!(m.flags & 64, 64);
            assert!(!custom_ids(&m).contains(&"delete:7".to_string()));
        }
        other => panic!("a stranger paged the free-text reply: {other:?}"),
    }
    let Response::Update(m) = respond(&RESPONDER, &click_on(&next, "42", reply)) else {
        panic!("the asker pages their free-text reply in place")
    };
    assert!(custom_ids(&m).contains(&"vote:down:0a1b".to_string()));

    // "Ask the notes" (ephemeral: only its asker sees it): paging keeps
    // "Post publicly", which then posts the page shown.
    let target = "what did RLHF change";
    let ask = parse(
        json!({"type": 2, "id": "1", "token": "t", "locale": "en-US",
        "member": {"user": {"id": "42"}},
        "data": {"name": "Ask the notes", "type": 3, "target_id": "77",
            "resolved": {"messages": {"77": {"id": "77", "content": target}}}}}),
    );
    let Response::Message(private) = respond(&RESPONDER, &ask) else {
        panic!("a message")
    };
    let next = next_of(&private);
    let Response::Update(page) = respond(
        &RESPONDER,
        &click_on(&next, "42", delivered(&private, json!({}))),
    ) else {
        panic!("paged in place")
    };
    let post = page
        .components
        .iter()
        .flat_map(|r| &r.components)
        .find(|b| b.label == "Post publicly")
        .expect("Post publicly kept after paging");
    let Response::Message(posted) = respond(
        &RESPONDER,
        &component(post.custom_id.as_deref().unwrap(), "42"),
    ) else {
        panic!("posted")
    };
    assert_eq!(posted.flags, 0);
    assert_eq!(
        posted.embeds[0].footer, page.embeds[0].footer,
        "the page shown"
    );
}

#[test]
fn autocomplete_ranks_and_caps_choices() {
    let auto = |name: &str, typed: &str| {
        let i = parse(
            json!({"type": 4, "id": "1", "token": "t", "data": {"name": name,
            "options": [{"name": "name", "type": 3, "value": typed, "focused": true}]}}),
        );
        match respond(&RESPONDER, &i) {
            Response::Choices(c) => c,
            other => panic!("{other:?}"),
        }
    };
    let models = auto("model", "");
    assert_eq!(models.len(), 9);
    assert_eq!(auto("model", "chat")[0].value, "chatgpt");
    assert_eq!(auto("model", "devinci")[0].value, "davinci");
    assert_eq!(auto("term", "对齐")[0].value, "alignment");
    assert!(auto("term", "").len() <= 25);
    // The whole matrix is offered first for /capability, while nothing or
    // the start of its name is typed.
    assert_eq!(auto("capability", "")[0].value, "matrix");
    assert_eq!(auto("capability", "matr")[0].value, "matrix");
    assert_eq!(auto("capability", "ICL")[0].value, "in-context-learning");
    assert!(auto("capability", "ICL")
        .iter()
        .all(|c| c.value != "matrix"));
    for c in auto("model", &"x".repeat(500)) {
        assert!((1..=100).contains(&c.name.chars().count()));
    }
}

#[test]
fn odd_interactions_get_a_notice_not_a_panic() {
    for v in [
        json!({"type": 2}),
        json!({"type": 2, "data": {"name": "nope"}}),
        json!({"type": 2, "data": {"name": "model", "options": [{"name": "name", "value": 42}]}}),
        json!({"type": 3, "data": {}}),
        json!({"type": 99}),
    ] {
        let r = respond(&RESPONDER, &parse(v.clone()));
        assert!(matches!(r, Response::Message(_)), "{v}: {r:?}");
    }
}

#[test]
fn ask_the_notes_answers_a_message_for_the_asker_with_a_post_publicly_button() {
    let question = format!("对齐税是什么 {}", "and why does it matter ".repeat(5));
    let i = parse(
        json!({"type": 2, "id": "1", "token": "t", "locale": "en-US",
        "member": {"user": {"id": "42"}},
        "data": {"name": "Ask the notes", "type": 3, "target_id": "77",
            "resolved": {"messages": {"77": {"id": "77", "content": question}}}}}),
    );
    assert!(i.answer_is_ephemeral(), "deferred ephemeral when slow");
    let Response::Message(m) = respond(&RESPONDER, &i) else {
        panic!("a message")
    };
    assert_eq!(m.flags, 64, "only the asker sees it");
    let post = m
        .components
        .iter()
        .flat_map(|r| &r.components)
        .find(|b| b.label == "Post publicly")
        .expect("a Post publicly button");
    let id = post.custom_id.clone().unwrap();
    assert!(id.chars().count() <= 100, "{id}");
    let ids = custom_ids(&m);
    let unique: std::collections::HashSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "{ids:?}");
    let Response::Message(public) = respond(&RESPONDER, &component(&id, "42")) else {
        panic!("a public message")
    };
    assert_eq!(public.flags, 0, "for everyone");
    assert_eq!(public.embeds[0].title, m.embeds[0].title);
    assert!(custom_ids(&public).contains(&"delete:42".to_string()));

    let empty = parse(json!({"type": 2, "id": "1", "token": "t",
        "data": {"name": "Ask the notes", "type": 3, "target_id": "77",
            "resolved": {"messages": {"77": {"id": "77", "content": ""}}}}}));
    let Response::Message(m) = respond(&RESPONDER, &empty) else {
        panic!("a notice")
    };
    assert_eq!(m.flags, 64);
}

#[test]
fn zh_tw_reads_traditional_labels_and_the_notes_as_written() {
    let ask = |locale: &str| {
        let i = parse(
            json!({"type": 2, "id": "1", "token": "t", "locale": locale, "user": {"id": "42"},
            "data": {"name": "search", "options": [{"name": "query", "type": 3, "value": "对齐税"}]}}),
        );
        let Response::Message(m) = respond(&RESPONDER, &i) else {
            panic!("a message")
        };
        m
    };
    let (cn, tw) = (ask("zh-CN"), ask("zh-TW"));
    let footer = |m: &lineage_bot::render::Message| m.embeds[0].footer.clone().unwrap().text;
    assert!(footer(&cn).contains("条"), "{}", footer(&cn));
    assert!(
        footer(&tw).contains("條") && !footer(&tw).contains("条"),
        "{}",
        footer(&tw)
    );
    // The hits quote the notes: as written, in Simplified characters.
    assert_eq!(cn.embeds[0].description, tw.embeds[0].description);
    assert!(tw.embeds[0]
        .description
        .as_deref()
        .unwrap()
        .contains("对齐税"));
}

/// #28 point 11: `/help` tells an owner what `/reload` and `/gaps` do and
/// that an owner who is not an admin needs them granted; a member does not
/// see it. The old `/help` said nothing of them.
#[test]
fn help_tells_owners_how_their_commands_are_granted() {
    let responder = lineage_bot::respond::Responder::new(crate::ENGINE.clone().with_owners([42]));
    let help = |user: &str| {
        let i = parse(
            json!({"type": 2, "id": "1", "token": "t", "locale": "en-US",
            "member": {"user": {"id": user}}, "data": {"name": "help"}}),
        );
        let Response::Message(m) = respond(&responder, &i) else {
            panic!("a message")
        };
        m.embeds[0]
            .fields
            .iter()
            .map(|f| f.value.clone())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let owner = help("42");
    assert!(
        owner.contains("/reload") && owner.contains("Server Settings → Integrations"),
        "{owner}"
    );
    assert!(!help("43").contains("Server Settings → Integrations"));
}
