//! What the engine answers, as the Discord payload: golden snapshots of the
//! commands people type, a property test over any input, and `ask`.

use std::process::Command as Process;

use lineage_bot::engine::request::{parse_line, COMMANDS};
use lineage_bot::engine::{Command, Locale, Request};
use lineage_bot::render::custom_id::from_custom_id;
use lineage_bot::render::Message;
use lineage_bot::respond::Clicked;
use proptest::prelude::*;

use crate::RESPONDER;

fn answer(line: &str, locale: Locale) -> Message {
    let cmd = parse_line(line).unwrap_or_else(|e| panic!("{line}: {e}"));
    RESPONDER.answer(&Request::new(cmd, locale))
}

/// Discord's limits, checked independently of the renderer's own code.
pub(crate) fn assert_within_limits(m: &Message) {
    let n = |s: &str| s.chars().count();
    assert!(n(&m.content) <= 2000);
    assert!(m.embeds.len() <= 10);
    let mut total = 0;
    for e in &m.embeds {
        if let Some(t) = &e.title {
            assert!(n(t) <= 256 && !t.trim().is_empty(), "title {t:?}");
            total += n(t);
        }
        if let Some(d) = &e.description {
            assert!(n(d) <= 4096);
            total += n(d);
        }
        assert!(e.fields.len() <= 25);
        for f in &e.fields {
            assert!(
                n(&f.name) <= 256 && n(&f.value) <= 1024,
                "field {:?}",
                f.name
            );
            assert!(
                !f.name.trim().is_empty() && !f.value.trim().is_empty(),
                "empty field"
            );
            total += n(&f.name) + n(&f.value);
        }
        if let Some(f) = &e.footer {
            assert!(n(&f.text) <= 2048);
            total += n(&f.text);
        }
        if let Some(a) = &e.author {
            assert!(n(&a.name) <= 256);
            total += n(&a.name);
        }
    }
    assert!(total <= 6000, "embeds total {total}");
    assert!(m.components.len() <= 5);
    for row in &m.components {
        assert!(!row.components.is_empty() && row.components.len() <= 5);
        for b in &row.components {
            let id = b.custom_id.as_deref().unwrap_or("");
            assert!((1..=100).contains(&n(id)), "custom_id {id:?}");
            assert!((1..=80).contains(&n(&b.label)));
        }
    }
    assert!(
        m.allowed_mentions.parse.is_empty() && !m.allowed_mentions.replied_user,
        "mentions must be off"
    );
}

#[test]
fn golden_payloads_of_the_commands_people_type() {
    let cases = [
        ("model_chatgpt", "/model chatgpt"),
        ("term_alignment_tax", "/term alignment-tax"),
        ("compare_002_003", "/compare 002 003"),
        ("search_alignment_tax_zh", "/search 对齐税"),
        ("search_answer_rlhf_benefit", "/search RLHF有什么好处"),
        (
            "search_answer_parameters",
            "/search what are the 175 billion parameters for",
        ),
        ("ambiguous_002", "/model 002"),
        ("unknown_name", "/model gpt-9"),
        ("lineage_chatgpt", "/lineage chatgpt"),
        ("capability_icl", "/capability in-context-learning"),
        ("help", "/help"),
    ];
    for (name, line) in cases {
        for (suffix, locale) in [("en", Locale::En), ("zh", Locale::Zh)] {
            let m = answer(line, locale);
            assert_within_limits(&m);
            insta::assert_json_snapshot!(format!("{name}_{suffix}"), m);
        }
    }
}

#[test]
fn the_model_card_names_rlhf_and_its_parent() {
    let m = serde_json::to_string(&answer("/model chatgpt", Locale::En)).unwrap();
    assert!(m.contains("text-davinci-002 ─(RLHF)→ **ChatGPT**"), "{m}");
}

#[test]
fn capability_walks_the_lineage_with_the_notes_words() {
    let m = answer("/capability ICL", Locale::En);
    let d = m.embeds[0].description.clone().unwrap();
    // In lineage order, each status with its quote and file:line.
    let at = |s: &str| d.find(s).unwrap_or_else(|| panic!("{s} missing from {d}"));
    assert!(at("**code-davinci-002** ←") < at("**text-davinci-002** ←"));
    assert!(at("**text-davinci-002** ←") < at("**ChatGPT** ←"));
    assert!(
        d.contains("text-davinci-003** ← text-davinci-002 (RLHF) — **restored**"),
        "{d}"
    );
    assert!(d.contains("`knowledge/notes.md:92`"), "{d}");
    assert!(d.contains("davinci — *not in the notes*"), "{d}");
    assert_eq!(
        m.embeds[0].image.as_ref().unwrap().url,
        "attachment://capability-in-context-learning.png"
    );
    // Names and aliases in both languages, and misspellings, find it.
    for typed in [
        "上下文学习",
        "in context learning",
        "in-contex-learning",
        "icl",
    ] {
        let t = answer(&format!("/capability {typed}"), Locale::Zh);
        assert_eq!(
            t.embeds[0].title.as_deref(),
            Some("能力：上下文学习 · In-context learning"),
            "{typed}"
        );
    }
    let unknown = answer("/capability telepathy", Locale::En);
    assert!(unknown.embeds[0]
        .title
        .as_deref()
        .unwrap()
        .starts_with("No capability called"));
}

#[test]
fn cards_link_to_their_capabilities() {
    let ids = |m: &Message| -> Vec<String> {
        m.components
            .iter()
            .flat_map(|r| &r.components)
            .filter_map(|b| b.custom_id.clone())
            .collect()
    };
    let card = answer("/model text-davinci-003", Locale::En);
    let field = card.embeds[0]
        .fields
        .iter()
        .find(|f| f.name == "Capabilities")
        .expect("a capabilities field");
    assert!(
        field
            .value
            .contains("In-context learning: **restored / weakened**"),
        "{}",
        field.value
    );
    assert!(ids(&card).contains(&"capability:in-context-learning".to_string()));
    assert!(ids(&card).contains(&"capability:zero-shot".to_string()));
    let term = answer("/term 思维链", Locale::Zh);
    assert!(ids(&term).contains(&"capability:complex-reasoning".to_string()));
    let not_a_capability = answer("/term alignment-tax", Locale::En);
    assert!(!ids(&not_a_capability)
        .iter()
        .any(|i| i.starts_with("capability:")));
}

/// #31 point 4: what a model can do has one source, capabilities.toml. A
/// card shows a capability exactly when the notes give the model a status
/// there, each status with its quote's `file:line`; `/compare` has a field
/// per capability either model has, and nothing else about capabilities.
/// Before, `/compare` showed `models.toml` traits (text-davinci-003
/// "Dialogue: ordinary"), which no quote supported.
#[test]
fn card_capabilities_come_from_capabilities_toml_with_their_quotes() {
    let k = crate::ENGINE.knowledge();
    for m in &k.models {
        let card = answer(&format!("/model {}", m.slug), Locale::En);
        let field = card.embeds[0]
            .fields
            .iter()
            .find(|f| f.name == "Capabilities");
        for c in &k.capabilities {
            let statuses: Vec<_> = c.statuses_of(m.id).collect();
            let line = format!("{}: **", c.name.pick(false));
            let shown = field.is_some_and(|f| f.value.contains(&line));
            assert_eq!(shown, !statuses.is_empty(), "{} / {}", m.slug, c.slug);
            for s in statuses {
                let source = s.evidence[0].source.to_string();
                assert!(
                    field.unwrap().value.contains(&source),
                    "{}: {} without its quote at {source}",
                    m.slug,
                    c.slug
                );
            }
        }
        let Some(parent) = k.lineage.parents(m.id).next().map(|e| e.parent) else {
            continue;
        };
        let compare = answer(
            &format!("/compare {} {}", k.model(parent).slug, m.slug),
            Locale::En,
        );
        let fields: Vec<&str> = compare.embeds[0]
            .fields
            .iter()
            .skip(2)
            .filter(|f| !f.name.starts_with("📖") && f.name != "From the notes")
            .map(|f| f.name.as_str())
            .collect();
        let expected: Vec<&str> = k
            .capabilities
            .iter()
            .filter(|c| c.main_status(parent).is_some() || c.main_status(m.id).is_some())
            .map(|c| c.name.pick(false))
            .collect();
        assert_eq!(
            fields,
            expected,
            "/compare {} {}",
            k.model(parent).slug,
            m.slug
        );
        for column in &compare.embeds[0].fields[..2] {
            for c in &k.capabilities {
                assert!(
                    !column
                        .value
                        .contains(&format!("**{}**", c.name.pick(false))),
                    "a column states {} without a quote: {}",
                    c.slug,
                    column.value
                );
            }
        }
    }
}

#[test]
fn locale_switches_labels_not_knowledge() {
    let en = answer("/term alignment-tax", Locale::En);
    let zh = answer("/term alignment-tax", Locale::Zh);
    let names = |m: &Message| {
        m.embeds[0]
            .fields
            .iter()
            .map(|f| f.name.clone())
            .collect::<Vec<_>>()
    };
    assert!(names(&en).contains(&"English".to_string()));
    assert!(names(&zh).contains(&"英文".to_string()));
    for m in [&en, &zh] {
        let d = m.embeds[0].description.as_deref().unwrap();
        assert!(
            d.contains("指令微调通过牺牲性能换取的对齐") && d.contains("side effect"),
            "both languages: {d}"
        );
    }
}

#[test]
fn names_resolve_through_aliases_shorthands_and_typos() {
    for (typed, title) in [
        ("003", "text-davinci-003"),
        ("devinci", "davinci"),
        ("chatgtp", "ChatGPT"),
        ("CHATGPT", "ChatGPT"),
        ("text davinci 002", "text-davinci-002"),
    ] {
        let m = answer(&format!("/model {typed}"), Locale::En);
        assert!(
            m.embeds[0].title.as_deref().unwrap().starts_with(title),
            "{typed}: {:?}",
            m.embeds[0].title
        );
    }
    for typed in ["alignment tax", "对齐税", "ALIGNMENT-TAX", "alignmnet tax"] {
        let m = answer(&format!("/term {typed}"), Locale::En);
        assert_eq!(
            m.embeds[0].title.as_deref(),
            Some("Alignment tax · 对齐税"),
            "{typed}"
        );
    }
    for (abbr, title) in [
        ("RLHF", "基于人类反馈的强化学习"),
        ("SFT", "有监督微调"),
        ("ICL", "上下文学习"),
        ("CoT", "思维链"),
        ("RM", "奖励模型"),
    ] {
        let m = answer(&format!("/term {abbr}"), Locale::En);
        assert!(
            m.embeds[0].title.as_deref().unwrap().ends_with(title),
            "{abbr}"
        );
    }
}

#[test]
fn ambiguous_names_offer_buttons_that_answer() {
    let m = answer("/model 002", Locale::En);
    let ids: Vec<String> = m
        .components
        .iter()
        .flat_map(|r| r.components.iter().filter_map(|b| b.custom_id.clone()))
        .collect();
    assert_eq!(ids, ["model:code-davinci-002", "model:text-davinci-002"]);
    let picked = RESPONDER.answer(&Request::new(from_custom_id(&ids[1]).unwrap(), Locale::En));
    assert_eq!(picked.embeds[0].title.as_deref(), Some("text-davinci-002"));
}

#[test]
fn compare_pairs_within_a_family_and_refuses_the_same_model() {
    let m = answer("/compare 002 003", Locale::En);
    let e = &m.embeds[0];
    assert_eq!(
        e.title.as_deref(),
        Some("text-davinci-002 vs text-davinci-003")
    );
    assert_eq!(e.fields[0].name, "text-davinci-002 (SFT)");
    assert_eq!(e.fields[1].name, "text-davinci-003 (RLHF)");
    assert!(e.fields[0].inline && e.fields[1].inline);
    assert!(e
        .description
        .as_deref()
        .unwrap()
        .contains("read “002” as text-davinci-002"));
    let g = answer("/compare 001 002", Locale::En);
    assert!(g.embeds[0]
        .title
        .as_deref()
        .unwrap()
        .contains("generations"));
    let same = answer("/compare chatgpt chatgtp", Locale::En);
    assert_eq!(
        same.embeds[0].title.as_deref(),
        Some("The same model twice")
    );
}

#[test]
fn search_pages_with_buttons() {
    let m = answer("/search 模型", Locale::En);
    let next = m
        .components
        .iter()
        .flat_map(|r| &r.components)
        .find(|b| b.label == "Next page")
        .expect("next page button");
    let cmd = from_custom_id(next.custom_id.as_deref().unwrap()).unwrap();
    assert_eq!(
        cmd,
        Command::Search {
            query: "模型".into(),
            page: 1
        }
    );
    let page2 = RESPONDER.answer(&Request::new(cmd, Locale::En));
    let (one, two) = (
        m.embeds[0].description.as_deref().unwrap(),
        page2.embeds[0].description.as_deref().unwrap(),
    );
    // Later pages list more places, one line each, none of the first page's.
    assert!(two.starts_with("**More in the notes**\n• "), "{two}");
    let places = |d: &str| -> Vec<String> {
        d.split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect()
    };
    assert!(!places(two).is_empty());
    assert!(
        places(two).iter().all(|p| !places(one).contains(p)),
        "{one}\n{two}"
    );
    assert!(page2.embeds[0]
        .footer
        .as_ref()
        .unwrap()
        .text
        .starts_with("6–"));
}

/// The answer leads: quoted as the notes write it, with the line it stands
/// on; a card shows the notes' own line for it, never its fields.
#[test]
fn search_answers_lead_with_the_notes_own_words() {
    let m = answer("/search 模型参数用来干什么", Locale::Zh);
    let d = m.embeds[0].description.as_deref().unwrap();
    assert!(d.starts_with("> "), "{d}");
    let first = d.split("\n\n").next().unwrap();
    assert!(first.contains("存储知识"), "{first}");
    assert!(first.contains("`knowledge/notes.md:9`"), "{first}");
    let m = answer("/search 对齐税", Locale::En);
    let d = m.embeds[0].description.as_deref().unwrap();
    assert!(d.contains("`knowledge/notes.md:110`"), "{d}");
    assert!(
        !d.contains("The performance that instruction tuning"),
        "{d}"
    );
}

#[test]
fn echoed_text_cannot_ping_or_format() {
    let m = answer("/search @everyone <@123> **x**", Locale::En);
    let title = m.embeds[0].title.as_deref().unwrap();
    assert!(
        !title.contains("@everyone") && !title.contains("<@123>") && !title.contains("**x**"),
        "{title}"
    );
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        ".*",
        "[a-zA-Z0-9 \\-:\"'*_`@<>#|~\\\\]{0,40}",
        "[对齐税思维链模型零样本 ]{0,20}",
        Just("x".repeat(5000)),
        Just("字".repeat(3000)),
        Just("@everyone <@&123> <#1> ```".to_string()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, .. ProptestConfig::default() })]

    #[test]
    fn any_input_to_any_command_fits_discord(command in 0..COMMANDS.len(), a in any_text(), b in any_text(), zh in any::<bool>(), page in 0usize..300) {
        let cmd = match COMMANDS[command].name {
            "model" => Command::Model { name: a },
            "term" => Command::Term { name: a },
            "compare" => Command::Compare { first: a, second: b },
            "search" => Command::Search { query: a, page },
            "lineage" => Command::Lineage { name: Some(a) },
            "capability" => Command::Capability { name: a },
            _ => Command::Help,
        };
        let m = RESPONDER.answer(&Request::new(cmd.clone(), if zh { Locale::Zh } else { Locale::En }));
        assert_within_limits(&m);
        // Every button is a command we can run again, whole (a long one is
        // kept on the bot's side), and no two buttons share an id.
        let mut ids = std::collections::HashSet::new();
        for b in m.components.iter().flat_map(|r| &r.components) {
            let id = b.custom_id.as_deref().unwrap();
            prop_assert!((1..=100).contains(&id.chars().count()), "{id}");
            prop_assert!(ids.insert(id.to_string()), "{id} twice");
            prop_assert!(matches!(RESPONDER.clicked(id), Clicked::Run(_)), "{id}");
        }
    }
}

fn bin() -> Process {
    let mut c = Process::new(env!("CARGO_BIN_EXE_lineage-bot"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("DISCORD_TOKEN")
        .env("LINEAGE_BOT_LOG", "warn");
    c
}

fn ask_json(args: &[&str]) -> serde_json::Value {
    let out = bin().arg("ask").arg("--json").args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON object")
}

#[test]
fn ask_json_prints_the_payload() {
    let model = ask_json(&["/model chatgpt"]);
    for key in [
        "content",
        "embeds",
        "components",
        "allowed_mentions",
        "flags",
    ] {
        assert!(model.get(key).is_some(), "missing {key}");
    }
    assert_eq!(model["allowed_mentions"]["parse"], serde_json::json!([]));
    let text = model.to_string();
    assert!(text.contains("RLHF") && text.contains("text-davinci-002"));
    let term = ask_json(&["/term", "alignment-tax"]).to_string();
    assert!(term.contains("对齐税") && term.contains("指令微调通过牺牲性能换取的对齐"));
    let cmp = ask_json(&["/compare first:002 second:003"]);
    assert_eq!(
        cmp["embeds"][0]["fields"][0]["name"],
        "text-davinci-002 (SFT)"
    );
    assert_eq!(
        cmp["embeds"][0]["fields"][1]["name"],
        "text-davinci-003 (RLHF)"
    );
    let zh = ask_json(&["--locale", "zh-CN", "/model", "chatgpt"]).to_string();
    assert!(zh.contains("谱系"));
}

#[test]
fn ask_usage_errors_exit_2_and_odd_values_exit_0() {
    for bad in [&["/modle chatgpt"][..], &["/model"], &["/compare 002"]] {
        let out = bin().arg("ask").args(bad).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("/compare first:<first> second:<second>")
        );
    }
    for odd in [
        "/model ☃☃☃",
        "/search \"",
        "/term -",
        "/compare a b c d",
        "/lineage 🙂",
        "/search (((((",
        // Without a leading `/`, a question in free text (issue #27).
        "hello",
        "what is the alignment tax",
    ] {
        let out = bin().arg("ask").arg(odd).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{odd}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!out.stdout.is_empty());
    }
}

#[test]
fn the_console_answers_piped_commands_and_questions() {
    use std::io::Write;
    // Records nothing: no ./data in the checkout.
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("config.toml");
    std::fs::write(&config, "[data]\nrecord = false\n").unwrap();
    let mut child = bin()
        .arg("--config")
        .arg(&config)
        .arg("run")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all("/model chatgpt\n对齐税是什么\n/nonsense\n".as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("━━ ChatGPT ━━"), "{stdout}");
    assert!(stdout.contains("Alignment tax · 对齐税"), "{stdout}");
    assert!(stdout.contains("unknown command"), "{stdout}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("DISCORD_TOKEN"));
}

#[test]
fn ask_writes_the_capability_picture() {
    let dir = tempfile::tempdir().unwrap();
    let out = bin()
        .args(["ask", "--json", "--attachments-dir"])
        .arg(dir.path())
        .arg("/capability in-context-learning")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let m: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        m["attachments"][0]["filename"],
        "capability-in-context-learning.png"
    );
    let png = std::fs::read(dir.path().join("capability-in-context-learning.png"))
        .expect("the picture was written");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    assert!(png.len() < 200_000, "{} bytes", png.len());
}

#[test]
fn ask_writes_the_lineage_picture_the_embed_shows() {
    let dir = tempfile::tempdir().unwrap();
    let out = bin()
        .args(["ask", "--json", "--attachments-dir"])
        .arg(dir.path())
        .arg("/lineage chatgpt")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let m: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        m["embeds"][0]["image"]["url"],
        "attachment://lineage-chatgpt.png"
    );
    assert_eq!(m["attachments"][0]["filename"], "lineage-chatgpt.png");
    let png =
        std::fs::read(dir.path().join("lineage-chatgpt.png")).expect("the picture was written");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    assert!(png.len() < 200_000, "{} bytes", png.len());
}

#[test]
fn questions_along_the_models_lead_with_the_capability() {
    for (question, locale) in [
        ("how did in-context learning change", Locale::En),
        ("ChatGPT 为什么上下文学习变弱", Locale::Zh),
    ] {
        let m = answer(&format!("/search {question}"), locale);
        let description = m.embeds[0].description.as_deref().unwrap_or_default();
        let first = description.split("\n\n").next().unwrap_or_default();
        // The capability's statuses along the lineage come first, from the
        // knowledge: text-davinci-002 weakened, text-davinci-003 restored.
        assert!(first.contains("/capability"), "{question}: {description}");
        let weakened = first.find("text-davinci-002").expect("002 in the line");
        let restored = first.find("text-davinci-003").expect("003 in the line");
        assert!(weakened < restored, "lineage order: {first}");
        let to_view = m
            .components
            .iter()
            .flat_map(|r| &r.components)
            .filter_map(|b| b.custom_id.as_deref())
            .filter_map(from_custom_id)
            .any(
                |c| matches!(c, Command::Capability { ref name } if name == "in-context-learning"),
            );
        assert!(to_view, "{question}: a button to /capability");
    }
    // Naming the capability without asking along the models: no lead line.
    let m = answer("/search what is in-context learning", Locale::En);
    let description = m.embeds[0].description.as_deref().unwrap_or_default();
    assert!(!description.contains("/capability"), "{description}");
}
