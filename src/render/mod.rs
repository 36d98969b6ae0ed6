//! Reply → Discord message. One renderer for every transport; every message
//! goes through [`limits::fit`] and pings no one. One file per reply kind
//! (`model`, `term`, `compare`, `search`, `lineage`, `capability`, `names`,
//! `help`); the
//! labels they show are in [`labels`], Discord's limits in [`limits`], the
//! buttons' `custom_id` codec in [`custom_id`](mod@custom_id).

mod capability;
mod compare;
pub mod custom_id;
mod help;
pub mod labels;
pub mod limits;
mod lineage;
pub mod links;
pub mod markdown;
pub mod message;
mod model;
mod names;
mod search;
mod term;

use crate::domain::{CapabilityId, Knowledge, Method, Model, ModelId, Text};
use crate::engine::{
    Ambiguous, Command, CompareAnswer, GenerationAnswer, LineageAnswer, Locale, ModelAnswer,
    NotFound, ReadAs, Relation, Reply, SearchAnswer, TermAnswer, Wanted,
};
use custom_id::custom_id;
use markdown::escape as md;

use labels as l;
pub use message::{
    ActionRow, AllowedMentions, Button, ButtonStyle, ComponentType, Embed, Field, Footer, Message,
};

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
        Reply::Model(a) => model::model(a, k, locale),
        Reply::Term(a) => term::term(a, k, locale),
        Reply::Compare(a) => compare::compare(a, k, locale),
        Reply::CompareGenerations(a) => compare::generations(a, k, locale),
        Reply::SameModel { model } => compare::same_model(k.model(*model), locale),
        Reply::Search(a) => search::search(a, k, locale),
        Reply::Lineage(a) => lineage::lineage(a, k, locale),
        Reply::Capability(a) => capability::capability(a, k, locale),
        Reply::Matrix(a) => capability::matrix(a, k, locale),
        Reply::Ambiguous(a) => names::ambiguous(a, k, locale),
        Reply::NotFound(a) => names::not_found(a, locale),
        Reply::Help => help::help(locale),
    };
    let mut m = finish(vec![embed], buttons);
    // The family tree travels as a picture with /lineage and /model, and
    // coloured by status with /capability.
    let picture = match reply {
        Reply::Lineage(a) => Some(Picture::Lineage(a.highlight)),
        Reply::Model(a) => Some(Picture::Lineage(Some(a.model))),
        Reply::Capability(a) => Some(Picture::Capability(a.capability)),
        Reply::Matrix(_) => Some(Picture::Matrix),
        _ => None,
    };
    if let Some(picture) = picture {
        attach_picture(&mut m, k, picture);
    }
    m
}

/// Which picture a message carries: the lineage (a model highlighted or
/// not), or the lineage coloured by one capability's statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Picture {
    Lineage(Option<ModelId>),
    Capability(CapabilityId),
    /// Every model × every capability.
    Matrix,
}

/// The file name of the lineage picture for a highlighted model.
pub fn picture_name(k: &Knowledge, highlight: Option<ModelId>) -> String {
    file_name(k, Picture::Lineage(highlight))
}

/// The capability matrix's file name.
pub const MATRIX_FILE: &str = "capabilities.png";

/// The file name of a picture: `lineage.png`, `lineage-<model>.png`,
/// `capability-<capability>.png`.
pub fn file_name(k: &Knowledge, picture: Picture) -> String {
    match picture {
        Picture::Lineage(Some(id)) => format!("lineage-{}.png", k.model(id).slug),
        Picture::Lineage(None) => "lineage.png".to_string(),
        Picture::Capability(id) => format!("capability-{}.png", k.capability(id).slug),
        Picture::Matrix => MATRIX_FILE.to_string(),
    }
}

/// The picture a file name stands for; `None` for a name that is not one
/// of ours.
pub fn picture_for(k: &Knowledge, filename: &str) -> Option<Picture> {
    if filename == "lineage.png" {
        return Some(Picture::Lineage(None));
    }
    if filename == MATRIX_FILE {
        return Some(Picture::Matrix);
    }
    let stem = filename.strip_suffix(".png")?;
    if let Some(slug) = stem.strip_prefix("capability-") {
        return k
            .capabilities
            .iter()
            .find(|c| c.slug == slug)
            .map(|c| Picture::Capability(c.id));
    }
    let slug = stem.strip_prefix("lineage-")?;
    k.models
        .iter()
        .find(|m| m.slug == slug)
        .map(|m| Picture::Lineage(Some(m.id)))
}

fn attach_picture(m: &mut Message, k: &Knowledge, picture: Picture) {
    let filename = file_name(k, picture);
    let description = match picture {
        Picture::Lineage(_) => "The GPT-3 → ChatGPT family tree".to_string(),
        Picture::Capability(id) => format!(
            "The GPT-3 → ChatGPT family tree coloured by {}",
            k.capability(id).name.pick(false)
        ),
        Picture::Matrix => {
            "Every model of the GPT-3 → ChatGPT family against every capability the notes follow"
                .to_string()
        }
    };
    if let Some(e) = m.embeds.first_mut() {
        e.image = Some(message::Image {
            url: format!("attachment://{filename}"),
        });
    }
    m.attachments.push(message::AttachmentInfo {
        id: 0,
        filename,
        description: Some(description),
    });
}

/// Adds an "Open in browser" link button to the page of `command`'s answer
/// under `public_url`, in the first row with room (a link keeps no state:
/// no custom_id). Nothing when every row is full or the address too long.
pub fn link_to_page(m: &mut Message, public_url: &str, command: &Command, locale: Locale) {
    let Some(url) = links::page_url(public_url, command, locale) else {
        return;
    };
    let link = Button::link(l::OPEN_IN_BROWSER.get(locale), url);
    let rows = m.components.len();
    match m
        .components
        .iter_mut()
        .find(|row| row.components.len() < limits::BUTTONS_PER_ROW)
    {
        Some(row) => row.components.push(link),
        None if rows < limits::ACTION_ROWS => m.components.push(ActionRow::of(vec![link])),
        None => {}
    }
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

fn finish(embeds: Vec<Embed>, mut buttons: Vec<Button>) -> Message {
    // Two related items that run the same command are one button: Discord
    // refuses a message whose custom_ids repeat.
    let mut seen = std::collections::HashSet::new();
    buttons.retain(|b| {
        b.custom_id
            .as_ref()
            .is_none_or(|id| seen.insert(id.clone()))
    });
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
            ButtonStyle::Primary
        } else {
            ButtonStyle::Secondary
        },
        label,
        custom_id(cmd),
    )
}

fn pick(t: &Text, locale: Locale) -> String {
    md(&l::localise(t.pick(locale.is_zh()), locale))
}

/// Knowledge in both languages, the reader's first.
fn both(t: &Text, locale: Locale) -> String {
    match t {
        Text::Bilingual { en, zh: Some(zh) } if zh != en => {
            if locale.is_zh() {
                format!("{}\n{}", md(&l::localise(zh, locale)), md(en))
            } else {
                format!("{}\n{}", md(en), md(zh))
            }
        }
        _ => pick(t, locale),
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
    match &r.paired_with {
        Some(p) => l::READ_AS_PAIRED.fill(locale, &[&typed, &md(&r.as_name), &md(p)]),
        None => l::READ_AS_NAME.fill(locale, &[&typed, &md(&r.as_name)]),
    }
}

fn method(m: Method, locale: Locale) -> &'static str {
    let label = m.label(locale.is_zh());
    if locale.is_traditional() {
        l::traditional_label(label)
    } else {
        label
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_related_items_are_one_button() {
        let cmd = Command::Model {
            name: "chatgpt".into(),
        };
        let other = Command::Help;
        let m = finish(
            vec![Embed::default()],
            vec![
                button("a", &cmd, true),
                button("b", &other, false),
                button("c", &cmd, false),
            ],
        );
        let ids: Vec<_> = m.components[0]
            .components
            .iter()
            .map(|b| b.label.as_str())
            .collect();
        assert_eq!(ids, ["a", "b"]);
    }
}
