//! `/term`: a term in both languages with its meaning, abbreviations,
//! related terms and the models where it matters.

use super::*;

pub(super) fn term(a: &TermAnswer, k: &Knowledge, locale: Locale) -> (Embed, Vec<Button>) {
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
    // A term that is a capability leads to it along the lineage.
    for c in k.capabilities_of_term(a.term) {
        buttons.insert(
            0,
            button(
                l::CAPABILITY_BUTTON.fill(locale, &[c.name.pick(locale.is_zh())]),
                &Command::Capability {
                    name: c.slug.clone(),
                },
                true,
            ),
        );
    }
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
