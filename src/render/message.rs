//! The message we send, as our own serde types: exactly the JSON of Discord's
//! message payload (content, embeds, components, allowed_mentions, flags), so
//! every transport sends the same bytes and tests can read them.

use serde::{Deserialize, Serialize};

/// Ephemeral: only the person who asked sees it.
pub const FLAG_EPHEMERAL: u64 = 1 << 6;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub content: String,
    pub embeds: Vec<Embed>,
    pub components: Vec<ActionRow>,
    pub allowed_mentions: AllowedMentions,
    pub flags: u64,
    /// Files to upload with the message (`attachment://name` in embeds).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<AttachmentInfo>,
}

/// Who a message may ping: nobody, always.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AllowedMentions {
    pub parse: Vec<String>,
    #[serde(default)]
    pub replied_user: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Embed {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub color: Option<u32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<Field>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub footer: Option<Footer>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<Author>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<Image>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Field {
    pub name: String,
    pub value: String,
    #[serde(default)]
    pub inline: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Footer {
    pub text: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Author {
    pub name: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Image {
    pub url: String,
}

/// A file sent with the message; the bytes travel beside the JSON.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AttachmentInfo {
    pub id: u64,
    pub filename: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionRow {
    #[serde(rename = "type")]
    pub kind: ComponentType,
    pub components: Vec<Button>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Button {
    #[serde(rename = "type")]
    pub kind: ComponentType,
    pub style: ButtonStyle,
    pub label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_id: Option<String>,
    /// A link button's address (style 5, which has no `custom_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default)]
    pub disabled: bool,
}

/// Discord's numbers on the wire for the enums below: sent as the number,
/// read back from it (a number Discord may add later is an error to read,
/// never a silent default).
macro_rules! wire_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $n:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ::serde::Serialize, ::serde::Deserialize)]
        #[serde(into = "u8", try_from = "u8")]
        pub enum $name {
            $($(#[$vdoc])* $variant = $n),+
        }

        impl From<$name> for u8 {
            fn from(v: $name) -> u8 {
                v as u8
            }
        }

        impl TryFrom<u8> for $name {
            type Error = String;
            fn try_from(n: u8) -> Result<$name, String> {
                match n {
                    $($n => Ok($name::$variant),)+
                    n => Err(format!("{} {n} is not one Discord defines", stringify!($name))),
                }
            }
        }
    };
}
pub(crate) use wire_enum;

wire_enum! {
    /// A message component's `type`.
    ComponentType {
        ActionRow = 1,
        Button = 2,
    }
}

wire_enum! {
    /// A button's `style`.
    ButtonStyle {
        Primary = 1,
        Secondary = 2,
        Success = 3,
        Danger = 4,
        /// A URL button: no custom_id, keeps no state.
        Link = 5,
    }
}

impl Message {
    /// The JSON of an update (interaction response type 7, `PATCH
    /// …/messages/@original`, a message edit). Discord keeps every field an
    /// update leaves out, files included, so an update always states its
    /// files: `"attachments": []` drops the old message's picture.
    pub fn to_update_json(&self) -> serde_json::Value {
        let mut v = serde_json::to_value(self).unwrap_or_default();
        if let Some(o) = v.as_object_mut() {
            o.entry("attachments")
                .or_insert_with(|| serde_json::Value::Array(Vec::new()));
        }
        v
    }

    /// The message as text alone, for a channel where the bot may not embed
    /// links (Discord then refuses an embed-only message, 50013): each
    /// embed's title in bold, its description, its fields, its footer, as
    /// Markdown in `content`, cut to Discord's 2 000 characters. The buttons
    /// stay; the pictures go.
    pub fn as_text(mut self) -> Message {
        let mut parts = Vec::new();
        if !self.content.is_empty() {
            parts.push(std::mem::take(&mut self.content));
        }
        for e in self.embeds.drain(..) {
            if let Some(t) = e.title {
                parts.push(format!("**{t}**"));
            }
            parts.extend(e.description);
            for f in e.fields {
                parts.push(format!("**{}**\n{}", f.name, f.value));
            }
            if let Some(f) = e.footer {
                parts.push(format!("-# {}", f.text));
            }
        }
        self.content = super::limits::truncate(&parts.join("\n\n"), super::limits::CONTENT);
        self.attachments.clear();
        self
    }

    /// The message without its files: for a transport that can only send
    /// JSON (the HTTP endpoint's response body), where naming an attachment
    /// that is not uploaded would make Discord refuse the whole answer.
    pub fn without_files(mut self) -> Message {
        self.drop_attachments(|_| true);
        self
    }

    /// Leaves out the attachments whose file name `drop` picks, and the embed
    /// images that show them.
    pub fn drop_attachments(&mut self, drop: impl Fn(&str) -> bool) {
        let mut dropped = Vec::new();
        self.attachments.retain(|a| {
            let keep = !drop(&a.filename);
            if !keep {
                dropped.push(format!("attachment://{}", a.filename));
            }
            keep
        });
        for e in &mut self.embeds {
            if e.image.as_ref().is_some_and(|i| dropped.contains(&i.url)) {
                e.image = None;
            }
        }
    }
}

impl Button {
    pub fn new(
        style: ButtonStyle,
        label: impl Into<String>,
        custom_id: impl Into<String>,
    ) -> Button {
        Button {
            kind: ComponentType::Button,
            style,
            label: label.into(),
            custom_id: Some(custom_id.into()),
            url: None,
            disabled: false,
        }
    }

    /// A link button: it opens `url` and keeps no state (no `custom_id`).
    pub fn link(label: impl Into<String>, url: impl Into<String>) -> Button {
        Button {
            kind: ComponentType::Button,
            style: ButtonStyle::Link,
            label: label.into(),
            custom_id: None,
            url: Some(url.into()),
            disabled: false,
        }
    }
}

impl ActionRow {
    pub fn of(buttons: Vec<Button>) -> ActionRow {
        ActionRow {
            kind: ComponentType::ActionRow,
            components: buttons,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_codes_are_discords_numbers_both_ways() {
        let b = Button::new(ButtonStyle::Danger, "🗑", "delete:1");
        let v = serde_json::to_value(&b).unwrap();
        assert_eq!(
            (v["type"].as_u64(), v["style"].as_u64()),
            (Some(2), Some(4))
        );
        assert_eq!(serde_json::from_value::<Button>(v).unwrap(), b);
        assert!(serde_json::from_value::<ButtonStyle>(serde_json::json!(9)).is_err());
    }

    #[test]
    fn as_text_keeps_what_an_embed_said_within_the_content_limit() {
        let mut m = Message::default();
        m.embeds.push(Embed {
            title: Some("Alignment tax".into()),
            description: Some("> 对齐税 — `notes.md:12`".into()),
            ..Embed::default()
        });
        m.components.push(ActionRow::of(vec![Button::new(
            ButtonStyle::Secondary,
            "👍",
            "vote:up:k",
        )]));
        let t = m.clone().as_text();
        assert!(t.embeds.is_empty());
        assert_eq!(t.content, "**Alignment tax**\n\n> 对齐税 — `notes.md:12`");
        assert_eq!(t.components, m.components);
        m.embeds[0].description = Some("x".repeat(5000));
        assert_eq!(
            m.as_text().content.chars().count(),
            super::super::limits::CONTENT
        );
    }

    #[test]
    fn updates_always_state_their_files() {
        let m = Message::default();
        assert!(serde_json::to_value(&m)
            .unwrap()
            .get("attachments")
            .is_none());
        assert_eq!(m.to_update_json()["attachments"], serde_json::json!([]));
        let mut with = Message::default();
        with.attachments.push(AttachmentInfo {
            id: 0,
            filename: "lineage.png".into(),
            description: None,
        });
        assert_eq!(
            with.to_update_json()["attachments"][0]["filename"],
            "lineage.png"
        );
    }
}
