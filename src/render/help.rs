//! `/help`: every command with an example.

use super::*;

pub(super) fn help(locale: Locale) -> (Embed, Vec<Button>) {
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
