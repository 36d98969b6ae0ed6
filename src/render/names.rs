//! Replies about names rather than answers: a name that fits several models
//! (buttons to pick one) and a name that fits none (the closest suggestions).

use super::*;

pub(super) fn ambiguous(a: &Ambiguous, k: &Knowledge, locale: Locale) -> (Embed, Vec<Button>) {
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

pub(super) fn not_found(a: &NotFound, locale: Locale) -> (Embed, Vec<Button>) {
    let typed = limits::truncate(&limits::escape_user_text(&a.typed), 100);
    let title = match a.wanted {
        Wanted::Model => l::NO_MODEL_CALLED.fill(locale, &[&typed]),
        Wanted::Term => l::NO_TERM_CALLED.fill(locale, &[&typed]),
        Wanted::Capability => l::NO_CAPABILITY_CALLED.fill(locale, &[&typed]),
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
                Command::Capability { name } => {
                    format!("**{}** (`/capability {name}`)", md(label))
                }
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
