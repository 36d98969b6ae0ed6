//! `/model`: a model's card — the notes' own line, lineage with each step's
//! method, family, training, what it gained and gave up, its status for each
//! capability (with buttons to `/capability`), and its sources.

use super::*;

pub(super) fn model(a: &ModelAnswer, k: &Knowledge, locale: Locale) -> (Embed, Vec<Button>) {
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
    let mut fields = vec![field(l::LINEAGE.get(locale), lineage(a, k, locale), false)];
    fields.extend(facts(m, k, locale));
    let capabilities = capability::model_statuses(a.model, k, locale);
    if !capabilities.is_empty() {
        fields.push(field(
            l::CAPABILITIES.get(locale),
            capabilities
                .iter()
                .map(|(line, _)| line.clone())
                .collect::<Vec<_>>()
                .join("\n"),
            false,
        ));
    }
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
    let embed = Embed {
        title: Some(title_of(m)),
        description: Some(description),
        color: Some(BLUE),
        fields,
        footer: Some(Footer {
            text: format!(
                "{}/lineage {} · /compare {} …",
                curator_words(m, locale),
                m.slug,
                m.slug
            ),
        }),
        ..Embed::default()
    };
    (embed, buttons(a, k, locale))
}

/// The marker's legend, with a line break, when the card shows the
/// curator's own words (training, gains, trade-offs): they are no quotes.
pub(super) fn curator_words(m: &Model, locale: Locale) -> String {
    if m.training.is_some() || !m.gains.is_empty() || !m.trade_offs.is_empty() {
        format!("{}\n", l::CURATOR_WORDS.get(locale))
    } else {
        String::new()
    }
}

/// Parents and children, each with the step that links them.
fn lineage(a: &ModelAnswer, k: &Knowledge, locale: Locale) -> String {
    let name = md(&k.model(a.model).name);
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
    tree.join("\n")
}

/// What the knowledge says of the model: family, generation, size, training,
/// what it gained and gave up, its other names.
fn facts(m: &Model, k: &Knowledge, locale: Locale) -> Vec<Field> {
    let mut fields = Vec::new();
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
    fields
}

/// The family tree, the comparison with each parent, the children.
fn buttons(a: &ModelAnswer, k: &Knowledge, locale: Locale) -> Vec<Button> {
    let m = k.model(a.model);
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
    // Each capability of the card's field, to follow it along the lineage.
    for c in &k.capabilities {
        if c.main_status(a.model).is_some() {
            buttons.push(button(
                l::CAPABILITY_BUTTON.fill(locale, &[c.name.pick(locale.is_zh())]),
                &Command::Capability {
                    name: c.slug.clone(),
                },
                false,
            ));
        }
    }
    buttons
}
