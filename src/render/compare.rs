//! `/compare`: two models side by side (or two generations), how they are
//! related, and the notes' sections that compare them.

use super::*;

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
    ];
    let how = k
        .lineage
        .parents(id)
        .next()
        .map(|e| format!(" ({})", method(e.method, locale)))
        .unwrap_or_default();
    field(format!("{}{how}", m.name), lines.join("\n"), true)
}

/// A field per capability the notes give either model a status for, both
/// models in it: each status from capabilities.toml with its quote, or "not
/// in the notes". The card has no other source for what a model can do.
fn capability_fields(k: &Knowledge, first: ModelId, second: ModelId, locale: Locale) -> Vec<Field> {
    k.capabilities
        .iter()
        .filter(|c| c.main_status(first).is_some() || c.main_status(second).is_some())
        .map(|c| {
            let mut lines = Vec::new();
            for id in [first, second] {
                let name = md(&k.model(id).name);
                match capability::card_lines(c, id, locale) {
                    Some((status, words, quotes)) => {
                        lines.push(format!(
                            "{} {name}: **{words}**",
                            capability::marker(status)
                        ));
                        lines.extend(quotes);
                    }
                    None => lines.push(format!("· {name}: *{}*", l::NOT_IN_NOTES.get(locale))),
                }
            }
            field(c.name.pick(locale.is_zh()), lines.join("\n"), false)
        })
        .collect()
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

pub(super) fn compare(a: &CompareAnswer, k: &Knowledge, locale: Locale) -> (Embed, Vec<Button>) {
    let (ma, mb) = (k.model(a.first), k.model(a.second));
    let mut description: Vec<String> = a.read_as.iter().map(|r| read_as_line(r, locale)).collect();
    let names = |path: &[ModelId]| {
        path.iter()
            .map(|&m| md(&k.model(m).name))
            .collect::<Vec<_>>()
            .join(" → ")
    };
    description.push(match &a.relation {
        Relation::Parent(e) => l::REL_PARENT.fill(
            locale,
            &[
                &md(&k.model(e.child).name),
                &md(&k.model(e.parent).name),
                method(e.method, locale),
            ],
        ),
        Relation::Siblings { parent } => {
            l::REL_SIBLINGS.fill(locale, &[&md(&k.model(*parent).name)])
        }
        Relation::Descends { path } => l::REL_DESCENDS.fill(locale, &[&names(path)]),
        Relation::Cousins { path } => l::REL_COUSINS.fill(locale, &[&names(path)]),
        Relation::Unrelated => l::REL_UNRELATED.get(locale).to_string(),
    });
    let mut fields = vec![column(k, a.first, locale), column(k, a.second, locale)];
    fields.extend(capability_fields(k, a.first, a.second, locale));
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
        // The columns' training lines are the curator's words (✎).
        footer: Some(Footer {
            text: l::CURATOR_WORDS.get(locale).to_string(),
        }),
        ..Embed::default()
    };
    (embed, buttons)
}

pub(super) fn generations(
    a: &GenerationAnswer,
    k: &Knowledge,
    locale: Locale,
) -> (Embed, Vec<Button>) {
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
            l::N_MODELS.fill(locale, &[name, &ids.len().to_string()]),
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

pub(super) fn same_model(m: &Model, locale: Locale) -> (Embed, Vec<Button>) {
    let text = l::SAME_MODEL_TEXT.fill(locale, &[&md(&m.name)]);
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
