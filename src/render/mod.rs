//! Reply → Discord message. One renderer for every transport; every message
//! goes through [`limits::fit`] and pings no one.

pub mod labels;
pub mod limits;
pub mod message;

use crate::domain::{Knowledge, Method, Model, ModelId, Text};
use crate::engine::request::custom_id;
use crate::engine::{
    Ambiguous, Command, CompareAnswer, GenerationAnswer, LineageAnswer, Locale, ModelAnswer,
    NotFound, ReadAs, Relation, Reply, SearchAnswer, TermAnswer, Wanted,
};
use crate::search::escape_markdown as md;

use labels as l;
pub use message::{ActionRow, AllowedMentions, Button, Embed, Field, Footer, Message};
use message::{STYLE_PRIMARY, STYLE_SECONDARY};

const BLUE: u32 = 0x5865F2;
const GREEN: u32 = 0x57F287;
const YELLOW: u32 = 0xFEE75C;
const PINK: u32 = 0xEB459E;
const TEAL: u32 = 0x1ABC9C;
const RED: u32 = 0xED4245;
const ORANGE: u32 = 0xFAA61A;
const GREY: u32 = 0x99AAB5;

/// The message for a reply, within Discord's limits.
pub fn render(reply: &Reply, k: &Knowledge, locale: Locale) -> Message {
    let (embed, buttons) = match reply {
        Reply::Model(a) => model(a, k, locale),
        Reply::Term(a) => term(a, k, locale),
        Reply::Compare(a) => compare(a, k, locale),
        Reply::CompareGenerations(a) => generations(a, k, locale),
        Reply::SameModel { model } => same_model(k.model(*model), locale),
        Reply::Search(a) => search(a, locale),
        Reply::Lineage(a) => lineage(a, k, locale),
        Reply::Ambiguous(a) => ambiguous(a, k, locale),
        Reply::NotFound(a) => not_found(a, locale),
        Reply::Help => help(locale),
    };
    let mut m = finish(vec![embed], buttons);
    // The family tree travels as a picture with /lineage and /model.
    let picture = match reply {
        Reply::Lineage(a) => Some(a.highlight),
        Reply::Model(a) => Some(Some(a.model)),
        _ => None,
    };
    if let Some(highlight) = picture {
        attach_picture(&mut m, k, highlight);
    }
    m
}

/// The file name of the lineage picture for a highlighted model.
pub fn picture_name(k: &Knowledge, highlight: Option<ModelId>) -> String {
    match highlight {
        Some(id) => format!("lineage-{}.png", k.model(id).slug),
        None => "lineage.png".to_string(),
    }
}

/// The model a picture name stands for: `Some(None)` for the whole tree,
/// `None` for a name that is not a lineage picture.
pub fn picture_for(k: &Knowledge, filename: &str) -> Option<Option<ModelId>> {
    if filename == "lineage.png" {
        return Some(None);
    }
    let slug = filename.strip_prefix("lineage-")?.strip_suffix(".png")?;
    k.models.iter().find(|m| m.slug == slug).map(|m| Some(m.id))
}

fn attach_picture(m: &mut Message, k: &Knowledge, highlight: Option<ModelId>) {
    let filename = picture_name(k, highlight);
    if let Some(e) = m.embeds.first_mut() {
        e.image = Some(message::Image {
            url: format!("attachment://{filename}"),
        });
    }
    m.attachments.push(message::AttachmentInfo {
        id: 0,
        filename,
        description: Some("The GPT-3 → ChatGPT family tree".to_string()),
    });
}

/// A short message (errors, notices), also ephemeral when asked.
pub fn notice(text: &str, ephemeral: bool) -> Message {
    let mut m = Message {
        content: text.to_string(),
        ..Message::default()
    };
    if ephemeral {
        m.flags = message::FLAG_EPHEMERAL;
    }
    limits::fit(&mut m);
    m
}

fn finish(embeds: Vec<Embed>, buttons: Vec<Button>) -> Message {
    let components = buttons
        .chunks(limits::BUTTONS_PER_ROW)
        .map(|c| ActionRow::of(c.to_vec()))
        .collect();
    let mut m = Message {
        content: String::new(),
        embeds,
        components,
        allowed_mentions: AllowedMentions {
            parse: Vec::new(),
            replied_user: false,
        },
        flags: 0,
        attachments: Vec::new(),
    };
    limits::fit(&mut m);
    m
}

fn field(name: impl Into<String>, value: impl Into<String>, inline: bool) -> Field {
    Field {
        name: name.into(),
        value: value.into(),
        inline,
    }
}

fn button(label: impl Into<String>, cmd: &Command, primary: bool) -> Button {
    Button::new(
        if primary {
            STYLE_PRIMARY
        } else {
            STYLE_SECONDARY
        },
        label,
        custom_id(cmd),
    )
}

fn pick(t: &Text, locale: Locale) -> String {
    md(t.pick(locale.is_zh()))
}

/// Knowledge in both languages, the reader's first.
fn both(t: &Text, locale: Locale) -> String {
    match t {
        Text::Bilingual { en, zh: Some(zh) } if zh != en => {
            if locale.is_zh() {
                format!("{}\n{}", md(zh), md(en))
            } else {
                format!("{}\n{}", md(en), md(zh))
            }
        }
        _ => md(t.pick(locale.is_zh())),
    }
}

fn title_of(m: &Model) -> String {
    match &m.name_zh {
        Some(zh) => format!("{} · {}", m.name, zh),
        None => m.name.clone(),
    }
}

fn read_as_line(r: &ReadAs, locale: Locale) -> String {
    let typed = limits::truncate(&limits::escape_user_text(&r.typed), 60);
    match (&r.paired_with, locale.is_zh()) {
        (Some(p), true) => format!(
            "*（已将 “{typed}” 理解为 {}，与 {} 同一家族）*",
            md(&r.as_name),
            md(p)
        ),
        (Some(p), false) => format!(
            "*(read “{typed}” as {}, the same family as {})*",
            md(&r.as_name),
            md(p)
        ),
        (None, true) => format!("*（已将 “{typed}” 理解为 {}）*", md(&r.as_name)),
        (None, false) => format!("*(read “{typed}” as {})*", md(&r.as_name)),
    }
}

fn method(m: Method, locale: Locale) -> &'static str {
    m.label(locale.is_zh())
}

fn source_line(k: &Knowledge, p: crate::domain::PassageId) -> String {
    let p = k.passage(p);
    let excerpt = limits::truncate(&p.text.replace('\n', " "), 48);
    format!(
        "• “{}” — {} `{}`",
        md(&excerpt),
        md(&p.heading_path()),
        p.source
    )
}

fn model(a: &ModelAnswer, k: &Knowledge, locale: Locale) -> (Embed, Vec<Button>) {
    let m = k.model(a.model);
    let mut description = String::new();
    if let Some(r) = &a.read_as {
        description.push_str(&read_as_line(r, locale));
        description.push('\n');
    }
    description.push_str(&format!(
        "> {}",
        pick(&m.summary, locale).replace('\n', "\n> ")
    ));
    let name = md(&m.name);
    let mut tree = Vec::new();
    for e in &a.parents {
        tree.push(format!(
            "{} ─({})→ **{name}**",
            md(&k.model(e.parent).name),
            method(e.method, locale)
        ));
    }
    if a.parents.is_empty() {
        tree.push(l::ROOT.get(locale).to_string());
    }
    for e in &a.children {
        tree.push(format!(
            "**{name}** ─({})→ {}",
            method(e.method, locale),
            md(&k.model(e.child).name)
        ));
    }
    if a.children.is_empty() {
        tree.push(l::NO_CHILDREN.get(locale).to_string());
    }
    let mut fields = vec![field(l::LINEAGE.get(locale), tree.join("\n"), false)];
    fields.push(field(
        l::FAMILY.get(locale),
        pick(&k.family(m).name, locale),
        true,
    ));
    if let Some(g) = &m.generation {
        fields.push(field(l::GENERATION.get(locale), md(g), true));
    }
    if let Some(p) = &m.parameters {
        fields.push(field(l::PARAMETERS.get(locale), md(p), true));
    }
    if let Some(t) = &m.training {
        fields.push(field(l::TRAINING.get(locale), both(t, locale), false));
    }
    let list = |items: &[Text]| {
        items
            .iter()
            .map(|t| format!("• {}", both(t, locale).replace('\n', " · ")))
            .collect::<Vec<_>>()
            .join("\n")
    };
    if !m.gains.is_empty() {
        fields.push(field(l::GAINED.get(locale), list(&m.gains), false));
    }
    if !m.trade_offs.is_empty() {
        fields.push(field(l::GAVE_UP.get(locale), list(&m.trade_offs), false));
    }
    let mut names: Vec<String> = vec![m.slug.clone()];
    names.extend(m.aliases.iter().cloned());
    if let Some(g) = &m.generation {
        names.push(g.clone());
    }
    fields.push(field(
        l::ALSO_CALLED.get(locale),
        names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", "),
        false,
    ));
    if !a.sources.is_empty() {
        fields.push(field(
            l::FROM_NOTES.get(locale),
            a.sources
                .iter()
                .map(|&p| source_line(k, p))
                .collect::<Vec<_>>()
                .join("\n"),
            false,
        ));
    }
    let mut buttons = vec![button(
        l::FAMILY_TREE.get(locale),
        &Command::Lineage {
            name: Some(m.slug.clone()),
        },
        true,
    )];
    for e in a.parents.iter().take(2) {
        let p = k.model(e.parent);
        buttons.push(button(
            format!("vs {}", p.name),
            &Command::Compare {
                first: p.slug.clone(),
                second: m.slug.clone(),
            },
            false,
        ));
    }
    for e in a.children.iter().take(2) {
        let c = k.model(e.child);
        buttons.push(button(
            c.name.clone(),
            &Command::Model {
                name: c.slug.clone(),
            },
            false,
        ));
    }
    let embed = Embed {
        title: Some(title_of(m)),
        description: Some(description),
        color: Some(BLUE),
        fields,
        footer: Some(Footer {
            text: format!("/lineage {} · /compare {} …", m.slug, m.slug),
        }),
        ..Embed::default()
    };
    (embed, buttons)
}

fn term(a: &TermAnswer, k: &Knowledge, locale: Locale) -> (Embed, Vec<Button>) {
    let t = k.term(a.term);
    let mut description = String::new();
    if let Some(r) = &a.read_as {
        description.push_str(&read_as_line(r, locale));
        description.push('\n');
    }
    let meaning = md(&t.meaning);
    match (&t.gloss, locale.is_zh()) {
        (Some(g), true) => description.push_str(&format!(
            "> {}\n> {}",
            meaning.replace('\n', "\n> "),
            md(&g.all())
        )),
        (Some(g), false) => description.push_str(&format!(
            "> {}\n> {}",
            md(&g.all()),
            meaning.replace('\n', "\n> ")
        )),
        (None, _) => description.push_str(&format!("> {}", meaning.replace('\n', "\n> "))),
    }
    let mut fields = vec![
        field(l::ENGLISH.get(locale), md(&t.english), true),
        field(l::CHINESE.get(locale), md(&t.chinese), true),
    ];
    if !t.abbreviations.is_empty() {
        fields.push(field(
            l::ABBREVIATIONS.get(locale),
            md(&t.abbreviations.join(", ")),
            true,
        ));
    }
    if !t.aliases.is_empty() {
        fields.push(field(
            l::ALSO_CALLED.get(locale),
            t.aliases
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", "),
            false,
        ));
    }
    if !t.related.is_empty() {
        let related = t
            .related
            .iter()
            .map(|&r| {
                let r = k.term(r);
                format!("{} · {}", md(&r.display), md(&r.chinese))
            })
            .collect::<Vec<_>>();
        fields.push(field(l::RELATED.get(locale), related.join("\n"), false));
    }
    if !t.models.is_empty() {
        fields.push(field(
            l::MODELS.get(locale),
            t.models
                .iter()
                .map(|&m| md(&k.model(m).name))
                .collect::<Vec<_>>()
                .join(", "),
            false,
        ));
    }
    fields.push(field(
        l::SOURCE.get(locale),
        format!("`{}`", k.passage(t.source).source),
        false,
    ));
    let mut buttons: Vec<Button> = t
        .related
        .iter()
        .take(3)
        .map(|&r| {
            button(
                k.term(r).display.clone(),
                &Command::Term {
                    name: k.term(r).slug.clone(),
                },
                false,
            )
        })
        .collect();
    for &m in t.models.iter().take(2) {
        buttons.push(button(
            k.model(m).name.clone(),
            &Command::Model {
                name: k.model(m).slug.clone(),
            },
            false,
        ));
    }
    let embed = Embed {
        title: Some(format!("{} · {}", t.display, t.chinese)),
        description: Some(description),
        color: Some(GREEN),
        fields,
        footer: Some(Footer {
            text: format!("/term {}", t.slug),
        }),
        ..Embed::default()
    };
    (embed, buttons)
}

/// One model's column in a comparison.
fn column(k: &Knowledge, id: ModelId, locale: Locale) -> Field {
    let m = k.model(id);
    let not = l::NOT_IN_NOTES.get(locale);
    let parents: Vec<String> = k
        .lineage
        .parents(id)
        .map(|e| {
            format!(
                "{} ({})",
                md(&k.model(e.parent).name),
                method(e.method, locale)
            )
        })
        .collect();
    let trait_line = |label: &l::Label, t: &Option<Text>| {
        format!(
            "**{}**: {}",
            label.get(locale),
            t.as_ref().map_or(not.to_string(), |t| pick(t, locale))
        )
    };
    let lines = [
        format!(
            "**{}**: {}",
            l::FAMILY.get(locale),
            pick(&k.family(m).name, locale)
        ),
        format!(
            "**{}**: {}",
            l::PARENT.get(locale),
            if parents.is_empty() {
                "—".to_string()
            } else {
                parents.join(", ")
            }
        ),
        format!(
            "**{}**: {}",
            l::TRAINING.get(locale),
            m.training
                .as_ref()
                .map_or(not.to_string(), |t| pick(t, locale))
        ),
        trait_line(&l::ICL, &m.traits.in_context_learning),
        trait_line(&l::ZERO_SHOT, &m.traits.zero_shot),
        trait_line(&l::DIALOGUE, &m.traits.dialogue),
        trait_line(&l::CODE, &m.traits.code),
    ];
    let how = k
        .lineage
        .parents(id)
        .next()
        .map(|e| format!(" ({})", method(e.method, locale)))
        .unwrap_or_default();
    field(format!("{}{how}", m.name), lines.join("\n"), true)
}

fn section_fields(
    k: &Knowledge,
    sections: &[crate::domain::ComparisonId],
    locale: Locale,
) -> Vec<Field> {
    if sections.is_empty() {
        return vec![field(
            l::FROM_NOTES.get(locale),
            l::NO_SECTION.get(locale),
            false,
        )];
    }
    sections
        .iter()
        .map(|&id| {
            let c = &k.comparisons[id_index(id, k)];
            let mut body: Vec<String> =
                c.passages.iter().map(|&p| md(&k.passage(p).text)).collect();
            body.push(format!("`{}`", c.source));
            field(format!("📖 {}", c.section), body.join("\n"), false)
        })
        .collect()
}

fn id_index(id: crate::domain::ComparisonId, k: &Knowledge) -> usize {
    k.comparisons.iter().position(|c| c.id == id).unwrap_or(0)
}

fn compare(a: &CompareAnswer, k: &Knowledge, locale: Locale) -> (Embed, Vec<Button>) {
    let (ma, mb) = (k.model(a.first), k.model(a.second));
    let mut description: Vec<String> = a.read_as.iter().map(|r| read_as_line(r, locale)).collect();
    let zh = locale.is_zh();
    let names = |path: &[ModelId]| {
        path.iter()
            .map(|&m| md(&k.model(m).name))
            .collect::<Vec<_>>()
            .join(" → ")
    };
    description.push(match &a.relation {
        Relation::Parent(e) => {
            let (p, c) = (md(&k.model(e.parent).name), md(&k.model(e.child).name));
            if zh {
                format!("{c} 由 {p} 经 {} 得到。", method(e.method, locale))
            } else {
                format!("{c} was made from {p} by {}.", method(e.method, locale))
            }
        }
        Relation::Siblings { parent } => {
            let p = md(&k.model(*parent).name);
            if zh {
                format!("两者都由 {p} 得到。")
            } else {
                format!("Both were made from {p}.")
            }
        }
        Relation::Descends { path } => {
            if zh {
                format!("一脉相承：{}", names(path))
            } else {
                format!("One descends from the other: {}", names(path))
            }
        }
        Relation::Cousins { path } => {
            if zh {
                format!("通过共同祖先相连：{}", names(path))
            } else {
                format!("Related through a common ancestor: {}", names(path))
            }
        }
        Relation::Unrelated => {
            if zh {
                "两者在谱系中不相连。".into()
            } else {
                "They are not connected in the tree.".into()
            }
        }
    });
    let mut fields = vec![column(k, a.first, locale), column(k, a.second, locale)];
    fields.extend(section_fields(k, &a.sections, locale));
    let buttons = vec![
        button(
            ma.name.clone(),
            &Command::Model {
                name: ma.slug.clone(),
            },
            false,
        ),
        button(
            mb.name.clone(),
            &Command::Model {
                name: mb.slug.clone(),
            },
            false,
        ),
        button(
            l::FAMILY_TREE.get(locale),
            &Command::Lineage {
                name: Some(mb.slug.clone()),
            },
            true,
        ),
    ];
    let embed = Embed {
        title: Some(format!("{} vs {}", ma.name, mb.name)),
        description: Some(description.join("\n")),
        color: Some(YELLOW),
        fields,
        ..Embed::default()
    };
    (embed, buttons)
}

fn generations(a: &GenerationAnswer, k: &Knowledge, locale: Locale) -> (Embed, Vec<Button>) {
    let col = |(name, ids): &(String, Vec<ModelId>)| {
        let lines: Vec<String> = ids
            .iter()
            .map(|&id| {
                let m = k.model(id);
                format!(
                    "**{}** · {}\n{}",
                    md(&m.name),
                    pick(&k.family(m).name, locale),
                    limits::truncate(&pick(&m.summary, locale), 160)
                )
            })
            .collect();
        field(
            format!(
                "{} ({} {})",
                name,
                ids.len(),
                if locale.is_zh() {
                    "个模型"
                } else {
                    "models"
                }
            ),
            lines.join("\n"),
            true,
        )
    };
    let mut fields = vec![col(&a.first), col(&a.second)];
    fields.extend(section_fields(k, &a.sections, locale));
    let buttons = a
        .first
        .1
        .iter()
        .chain(&a.second.1)
        .take(5)
        .map(|&id| {
            let m = k.model(id);
            button(
                m.name.clone(),
                &Command::Model {
                    name: m.slug.clone(),
                },
                false,
            )
        })
        .collect();
    let embed = Embed {
        title: Some(format!(
            "{} vs {} · {}",
            limits::escape_user_text(&a.first.0),
            limits::escape_user_text(&a.second.0),
            l::GENERATIONS.get(locale)
        )),
        color: Some(YELLOW),
        fields,
        ..Embed::default()
    };
    (embed, buttons)
}

fn same_model(m: &Model, locale: Locale) -> (Embed, Vec<Button>) {
    let text = if locale.is_zh() {
        format!(
            "两个名字都是 {}。请选两个不同的模型，例如 `/compare 002 003`。",
            md(&m.name)
        )
    } else {
        format!(
            "Both names are {}. Pick two different models, e.g. `/compare 002 003`.",
            md(&m.name)
        )
    };
    let embed = Embed {
        title: Some(l::SAME_MODEL_TITLE.get(locale).into()),
        description: Some(text),
        color: Some(ORANGE),
        ..Embed::default()
    };
    (
        embed,
        vec![button(
            m.name.clone(),
            &Command::Model {
                name: m.slug.clone(),
            },
            false,
        )],
    )
}

fn search(a: &SearchAnswer, locale: Locale) -> (Embed, Vec<Button>) {
    let mut lines = Vec::new();
    for (typed, used) in &a.corrections {
        lines.push(format!(
            "{}: **{}**? *({})*",
            l::DID_YOU_MEAN.get(locale),
            md(used),
            limits::escape_user_text(typed)
        ));
    }
    if a.hits.is_empty() {
        lines.push(l::SEARCH_NOTHING.get(locale).to_string());
    }
    for (i, h) in a.hits.iter().enumerate() {
        let rank = a.page * a.per_page + i + 1;
        lines.push(format!(
            "**{rank}. {}**\n{}\n`{}`",
            md(&h.title),
            limits::truncate(&h.snippet, 600),
            h.source
        ));
    }
    let mut buttons = Vec::new();
    // Paging buttons re-run the query; an empty one has nothing to page.
    let pageable = !a.query.trim().is_empty();
    if pageable && a.page > 0 {
        buttons.push(button(
            l::PREVIOUS.get(locale),
            &Command::Search {
                query: a.query.clone(),
                page: a.page - 1,
            },
            false,
        ));
    }
    if pageable && a.has_next() {
        buttons.push(button(
            l::NEXT.get(locale),
            &Command::Search {
                query: a.query.clone(),
                page: a.page + 1,
            },
            true,
        ));
    }
    let footer = (!a.hits.is_empty()).then(|| {
        let from = a.page * a.per_page + 1;
        let to = from + a.hits.len() - 1;
        Footer {
            text: if locale.is_zh() {
                format!("第 {from}–{to} 条，共 {} 条", a.total)
            } else {
                format!("{from}–{to} of {}", a.total)
            },
        }
    });
    let embed = Embed {
        title: Some(format!(
            "🔎 {}",
            limits::truncate(&limits::escape_user_text(&a.query), 200)
        )),
        description: Some(lines.join("\n\n")),
        color: Some(PINK),
        footer,
        ..Embed::default()
    };
    (embed, buttons)
}

fn lineage(a: &LineageAnswer, k: &Knowledge, locale: Locale) -> (Embed, Vec<Button>) {
    let title = match a.highlight {
        Some(id) => format!("{} · {}", l::TREE_TITLE.get(locale), k.model(id).name),
        None => l::TREE_TITLE.get(locale).to_string(),
    };
    let tree = a.tree.replace("```", "'''");
    let buttons = a
        .highlight
        .map(|id| {
            vec![button(
                k.model(id).name.clone(),
                &Command::Model {
                    name: k.model(id).slug.clone(),
                },
                false,
            )]
        })
        .unwrap_or_default();
    let embed = Embed {
        title: Some(title),
        description: Some(format!("```\n{tree}```")),
        color: Some(TEAL),
        footer: a.highlight.map(|_| Footer {
            text: l::LEGEND.get(locale).to_string(),
        }),
        ..Embed::default()
    };
    (embed, buttons)
}

fn ambiguous(a: &Ambiguous, k: &Knowledge, locale: Locale) -> (Embed, Vec<Button>) {
    let lines: Vec<String> = a
        .choices
        .iter()
        .map(|(id, _)| {
            let m = k.model(*id);
            format!(
                "• **{}** · {}",
                md(&m.name),
                pick(&k.family(m).name, locale)
            )
        })
        .collect();
    let buttons = a
        .choices
        .iter()
        .map(|(id, cmd)| button(k.model(*id).name.clone(), cmd, true))
        .collect();
    let embed = Embed {
        title: Some(format!(
            "{} “{}”?",
            l::WHICH.get(locale),
            limits::escape_user_text(&a.typed)
        )),
        description: Some(lines.join("\n")),
        color: Some(ORANGE),
        ..Embed::default()
    };
    (embed, buttons)
}

fn not_found(a: &NotFound, locale: Locale) -> (Embed, Vec<Button>) {
    let typed = limits::truncate(&limits::escape_user_text(&a.typed), 100);
    let title = match (a.wanted, locale.is_zh()) {
        (Wanted::Model, false) => format!("No model called “{typed}”"),
        (Wanted::Model, true) => format!("没有名为 “{typed}” 的模型"),
        (Wanted::Term, false) => format!("No term called “{typed}”"),
        (Wanted::Term, true) => format!("没有名为 “{typed}” 的术语"),
    };
    let description = if a.suggestions.is_empty() {
        l::NOTHING_CLOSE.get(locale).to_string()
    } else {
        let names: Vec<String> = a
            .suggestions
            .iter()
            .map(|(label, cmd)| match cmd {
                Command::Term { name } => format!("**{}** (`/term {name}`)", md(label)),
                Command::Model { name } => format!("**{}** (`/model {name}`)", md(label)),
                _ => md(label),
            })
            .collect();
        format!("{}: {}?", l::DID_YOU_MEAN.get(locale), names.join(", "))
    };
    let buttons = a
        .suggestions
        .iter()
        .map(|(label, cmd)| button(label.clone(), cmd, false))
        .collect();
    let embed = Embed {
        title: Some(title),
        description: Some(description),
        color: Some(RED),
        ..Embed::default()
    };
    (embed, buttons)
}

fn help(locale: Locale) -> (Embed, Vec<Button>) {
    let mut fields: Vec<Field> = l::help_entries(locale)
        .into_iter()
        .map(|(n, v)| field(n, v, false))
        .collect();
    fields.push(field(
        l::HELP_FREE.get(locale),
        l::HELP_FREE_TEXT.get(locale),
        false,
    ));
    let embed = Embed {
        title: Some(l::HELP_TITLE.get(locale).into()),
        description: Some(l::HELP_INTRO.get(locale).into()),
        color: Some(GREY),
        fields,
        ..Embed::default()
    };
    let buttons = vec![
        button(
            "ChatGPT",
            &Command::Model {
                name: "chatgpt".into(),
            },
            false,
        ),
        button(
            l::FAMILY_TREE.get(locale),
            &Command::Lineage { name: None },
            true,
        ),
    ];
    (embed, buttons)
}
