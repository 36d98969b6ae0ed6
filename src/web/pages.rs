//! The pages as HTML: one function per reply kind, the same replies the
//! engine gives Discord, shown whole. maud escapes every interpolated text.

use std::sync::LazyLock;

use maud::{html, Markup, DOCTYPE};

use super::{lang_code, Page};
use crate::domain::{Edge, Evidence, Knowledge, ModelId, PassageId, Status, Text};
use crate::engine::{
    Ambiguous, CapabilityAnswer, Command, CompareAnswer, GenerationAnswer, Locale, MatrixAnswer,
    ModelAnswer, NotFound, Relation, Reply, SearchAnswer, TermAnswer, Wanted,
};
use crate::render::labels::{self as l, localise, Label};
use crate::render::links::{page_path, with_lang};

/// How a page is shown: the reader's language, and whether links carry it
/// (`?lang=` was given, so a shared link keeps its language).
#[derive(Debug, Clone, Copy)]
pub struct View<'a> {
    pub locale: Locale,
    pub lang_param: Option<&'static str>,
    /// This page's path and query without `lang`: the language links
    /// lead to the same page.
    pub here: &'a str,
}

impl View<'_> {
    /// A link to `path`, keeping `?lang=`.
    pub fn href(&self, path: &str) -> String {
        match self.lang_param {
            None => path.to_string(),
            Some(lang) => with_lang(path, lang),
        }
    }

    fn to(&self, command: &Command) -> String {
        self.href(&page_path(command).unwrap_or_else(|| "/".to_string()))
    }

    fn zh(&self) -> bool {
        self.locale.is_zh()
    }

    /// Curated text in the reader's language (and script).
    fn pick(&self, t: &Text) -> String {
        localise(t.pick(self.zh()), self.locale)
    }
}

const SITE: Label = Label {
    en: "GPT-3 → ChatGPT: the notes",
    zh: "GPT-3 → ChatGPT：笔记",
};
const HOME_INTRO: Label = Label {
    en: "How GPT-3 became ChatGPT, from the curator's notes: every model, term and capability, each with the notes' own words and where they stand (file:line).",
    zh: "GPT-3 如何变成 ChatGPT，依整理者的笔记：每个模型、术语和能力，都附笔记原文及出处（文件:行）。",
};
const OPEN_FULL: Label = Label {
    en: "Open the family tree full size (zoom in there)",
    zh: "打开完整大小的家族树（可放大）",
};
const MODELS: Label = Label {
    en: "Models",
    zh: "模型",
};
const TERMS: Label = Label {
    en: "Terms",
    zh: "术语",
};
const STEPS: Label = Label {
    en: "Each step, compared",
    zh: "逐步比较",
};
const SEARCH: Label = Label {
    en: "Search the notes",
    zh: "搜索笔记",
};
const ASK: Label = Label {
    en: "Search",
    zh: "搜索",
};
const NOT_FOUND: Label = Label {
    en: "No such page",
    zh: "没有这个页面",
};
const NOT_FOUND_TEXT: Label = Label {
    en: "Nothing here. The home page links to every model, term and capability.",
    zh: "这里什么也没有。首页链接到所有模型、术语和能力。",
};
const MATRIX_CAPTION: Label = Label {
    en: "Models down, in lineage order; capabilities across. Each cell links to the notes' words for it; two signs: the notes say both.",
    zh: "纵向为模型（按谱系顺序），横向为能力。每格链接到笔记原文；两个符号：笔记两种说法都有。",
};
const QUOTES: Label = Label {
    en: "The notes' words",
    zh: "笔记原文",
};
const MODEL_COLUMN: Label = Label {
    en: "Model",
    zh: "模型",
};
const STATUS_COLUMN: Label = Label {
    en: "Status",
    zh: "状态",
};
const MADE_BY: Label = Label {
    en: "Made from",
    zh: "来自",
};
const SECTIONS: Label = Label {
    en: "The notes compare them",
    zh: "笔记中的比较",
};
const OTHER_LANGUAGES: Label = Label {
    en: "Language",
    zh: "语言",
};
const FOOTER: Label = Label {
    en: "Read-only pages of the lineage-bot's notes; the same answers as in Discord.",
    zh: "lineage-bot 笔记的只读页面；与 Discord 中的回答相同。",
};

/// The site's icon: three nodes of a family tree.
pub const ICON: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#5865f2"/><path d="M16 9v6M16 15l-7 7M16 15l7 7" stroke="#fff" stroke-width="2.5" fill="none"/><circle cx="16" cy="8" r="4" fill="#fff"/><circle cx="8" cy="23" r="4" fill="#fff"/><circle cx="24" cy="23" r="4" fill="#fff"/></svg>"##;

/// The stylesheet: one file for every page (the policy allows no inline
/// style), the status colours those of the pictures.
pub fn stylesheet() -> &'static str {
    static CSS: LazyLock<String> = LazyLock::new(|| {
        let mut css = String::from(include_str!("style.css"));
        for s in Status::ALL {
            // A shade darker than the pictures', so that white text on it
            // meets WCAG AA's 4.5:1.
            let [r, g, b] = crate::picture::status_rgb(s).map(|c| (f32::from(c) * 0.72) as u8);
            css.push_str(&format!(
                ".s-{} {{ background: rgb({r} {g} {b}); color: #fff; }}\n",
                s.slug()
            ));
        }
        // The gaps plot's legend, in the plot's colours.
        for (outcome, colour) in super::gaps::OUTCOMES {
            css.push_str(&format!(".o-{outcome} {{ background: {colour}; }}\n"));
        }
        css
    });
    &CSS
}

/// A whole page around `body`.
pub fn layout(view: &View<'_>, title: &str, body: Markup) -> String {
    let locale = view.locale;
    let here = |lang: &'static str| lang == lang_code(locale);
    html! {
        (DOCTYPE)
        html lang=(lang_code(locale)) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · " (SITE.get(locale)) }
                link rel="stylesheet" href="/style.css";
                link rel="icon" href="/favicon.svg" type="image/svg+xml";
            }
            body {
                header {
                    nav {
                        a.home href=(view.href("/")) { (SITE.get(locale)) }
                        a href=(view.href("/capabilities")) { (l::CAPABILITIES.get(locale)) }
                        form.search action="/search" method="get" role="search" {
                            input type="search" name="q" aria-label=(SEARCH.get(locale))
                                placeholder=(SEARCH.get(locale)) maxlength="300";
                            @if let Some(lang) = view.lang_param {
                                input type="hidden" name="lang" value=(lang);
                            }
                            button type="submit" { (ASK.get(locale)) }
                        }
                    }
                }
                main {
                    h1 { (title) }
                    (body)
                }
                footer {
                    p { (FOOTER.get(locale)) }
                    p.langs {
                        (OTHER_LANGUAGES.get(locale)) ": "
                        @for (lang, name) in [("en", "English"), ("zh-CN", "简体中文"), ("zh-TW", "繁體中文")] {
                            @if here(lang) { strong { (name) } } @else {
                                a href=(with_lang(view.here, lang)) hreflang=(lang) { (name) }
                            }
                            " "
                        }
                    }
                }
            }
        }
    }
    .into_string()
}

/// `/`: the family tree and a way to every page.
pub fn home(k: &Knowledge, view: &View<'_>) -> String {
    let locale = view.locale;
    let body = html! {
        p.lead { (HOME_INTRO.get(locale)) }
        figure.tree {
            a href="/lineage.svg" {
                img src="/lineage.svg" alt=(l::TREE_TITLE.get(locale));
            }
            figcaption { a href="/lineage.svg" { (OPEN_FULL.get(locale)) } }
        }
        h2 { (MODELS.get(locale)) }
        ul.cards {
            @for m in &k.models {
                li {
                    a href=(view.to(&Command::Model { name: m.slug.clone() })) { strong { (m.name) } }
                    @if let Some(zh) = &m.name_zh { " · " (localise(zh, locale)) }
                    br;
                    span.summary { (first_line(&view.pick(&m.summary))) }
                }
            }
        }
        h2 { (l::CAPABILITIES.get(locale)) }
        p { a href=(view.href("/capabilities")) { (l::MATRIX_TITLE.get(locale)) } }
        ul.inline {
            @for c in &k.capabilities {
                li { a href=(view.to(&Command::Capability { name: c.slug.clone() })) { (view.pick(&c.name)) } }
            }
        }
        h2 { (TERMS.get(locale)) }
        ul.inline {
            @for t in &k.terms {
                li { a href=(view.to(&Command::Term { name: t.slug.clone() })) { (t.display) " · " (localise(&t.chinese, locale)) } }
            }
        }
        h2 { (STEPS.get(locale)) }
        ul {
            @for e in k.lineage.edges() {
                @let (p, c) = (k.model(e.parent), k.model(e.child));
                li {
                    a href=(view.to(&Command::Compare { first: p.slug.clone(), second: c.slug.clone() })) {
                        (p.name) " → " (c.name)
                    }
                    " (" (method(e, locale)) ")"
                }
            }
        }
    };
    layout(view, l::TREE_TITLE.get(locale), body)
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("")
}

fn method(e: &Edge, locale: Locale) -> String {
    localise(e.method.label(locale.is_zh()), locale)
}

/// A page for a reply: the answer, or "not found" (404) with the closest
/// names as links.
pub fn reply(k: &Knowledge, reply: &Reply, view: &View<'_>) -> Page {
    let locale = view.locale;
    let (status, title, body) = match reply {
        Reply::Model(a) => (200, model_title(k, a.model), model(k, a, view)),
        Reply::Term(a) => {
            let t = k.term(a.term);
            (
                200,
                format!("{} · {}", t.display, localise(&t.chinese, locale)),
                term(k, a, view),
            )
        }
        Reply::Capability(a) => (
            200,
            l::CAPABILITY_TITLE.fill(locale, &[&view.pick(&k.capability(a.capability).name)]),
            capability(k, a, view),
        ),
        Reply::Matrix(a) => {
            return Page::html(200, matrix(k, a, view), locale);
        }
        Reply::Compare(a) => (
            200,
            format!("{} vs {}", k.model(a.first).name, k.model(a.second).name),
            compare(k, a, view),
        ),
        Reply::CompareGenerations(a) => (
            200,
            format!("{} vs {}", a.first.0, a.second.0),
            generations(k, a, view),
        ),
        Reply::SameModel { model } => (
            200,
            l::SAME_MODEL_TITLE.get(locale).to_string(),
            html! { p { (plain(l::SAME_MODEL_TEXT.fill(locale, &[&k.model(*model).name]))) } },
        ),
        Reply::Search(a) => (200, format!("“{}”", a.query), search(k, a, view)),
        Reply::Lineage(_) | Reply::Help => return Page::html(200, home(k, view), locale),
        Reply::Ambiguous(a) => (
            404,
            format!("{} “{}”", l::WHICH.get(locale), a.typed),
            ambiguous(k, a, view),
        ),
        Reply::NotFound(a) => (404, not_found_title(a, locale), suggestions(a, view)),
    };
    Page::html(status, layout(view, &title, body), locale)
}

/// A page that does not exist.
pub fn not_found(view: &View<'_>) -> String {
    let locale = view.locale;
    layout(
        view,
        NOT_FOUND.get(locale),
        html! { p { (NOT_FOUND_TEXT.get(locale)) " " a href=(view.href("/")) { "→ /" } } },
    )
}

fn not_found_title(a: &NotFound, locale: Locale) -> String {
    let label = match a.wanted {
        Wanted::Model => &l::NO_MODEL_CALLED,
        Wanted::Term => &l::NO_TERM_CALLED,
        Wanted::Capability => &l::NO_CAPABILITY_CALLED,
    };
    label.fill(locale, &[&a.typed])
}

fn suggestions(a: &NotFound, view: &View<'_>) -> Markup {
    let locale = view.locale;
    html! {
        @if a.suggestions.is_empty() {
            p { (NOT_FOUND_TEXT.get(locale)) " " a href=(view.href("/")) { "→ /" } }
        } @else {
            p { (l::DID_YOU_MEAN.get(locale)) ":" }
            ul { @for (label, command) in &a.suggestions { li { a href=(view.to(command)) { (label) } } } }
        }
    }
}

fn ambiguous(k: &Knowledge, a: &Ambiguous, view: &View<'_>) -> Markup {
    html! {
        ul { @for (m, command) in &a.choices { li { a href=(view.to(command)) { (k.model(*m).name) } } } }
    }
}

fn model_title(k: &Knowledge, id: ModelId) -> String {
    let m = k.model(id);
    match &m.name_zh {
        Some(zh) => format!("{} · {zh}", m.name),
        None => m.name.clone(),
    }
}

/// Both languages, the reader's first, as paragraphs.
fn both(t: &Text, view: &View<'_>) -> Markup {
    match t {
        Text::Bilingual { en, zh: Some(zh) } if zh != en => {
            let zh = localise(zh, view.locale);
            let (first, second) = if view.zh() { (&zh, en) } else { (en, &zh) };
            html! { p { (first) } p.other { (second) } }
        }
        _ => html! { p { (view.pick(t)) } },
    }
}

fn cite(source: &impl std::fmt::Display) -> Markup {
    html! { cite.source { (source.to_string()) } }
}

fn passage(k: &Knowledge, id: PassageId) -> Markup {
    let p = k.passage(id);
    html! {
        blockquote.passage {
            @if !p.headings.is_empty() { p.where { (p.heading_path()) } }
            p.text { (p.text.as_ref()) }
            (cite(&p.source))
        }
    }
}

fn quote(e: &Evidence) -> Markup {
    html! { li { q { (e.quote) } " " (cite(&e.source)) } }
}

fn status_words(s: Status, locale: Locale) -> String {
    format!("{} {}", s.plain_sign(), l::status(s, locale))
}

fn model(k: &Knowledge, a: &ModelAnswer, view: &View<'_>) -> Markup {
    let locale = view.locale;
    let m = k.model(a.model);
    let to_model = |id: ModelId| {
        view.to(&Command::Model {
            name: k.model(id).slug.clone(),
        })
    };
    html! {
        @if let Some(r) = &a.read_as { p.note { (r.typed) " → " (r.as_name) } }
        div.summary {
            (both(&m.summary, view))
            @if let Some(p) = m.summary_source { (cite(&k.passage(p).source)) }
            @else if let Some(at) = &m.summary_at { (cite(at)) }
        }
        figure.tree {
            a href=(format!("/lineage.svg?model={}", crate::render::links::encode(&m.slug))) {
                img src=(format!("/lineage.svg?model={}", crate::render::links::encode(&m.slug))) alt=(l::FAMILY_TREE.get(locale));
            }
        }
        h2 { (l::LINEAGE.get(locale)) }
        ul {
            @for e in &a.parents {
                li { a href=(to_model(e.parent)) { (k.model(e.parent).name) } " ─(" (method(e, locale)) ")→ " strong { (m.name) }
                    " · " a href=(view.to(&Command::Compare { first: k.model(e.parent).slug.clone(), second: m.slug.clone() })) { "vs" } }
            }
            @if a.parents.is_empty() { li { (l::ROOT.get(locale)) } }
            @for e in &a.children {
                li { strong { (m.name) } " ─(" (method(e, locale)) ")→ " a href=(to_model(e.child)) { (k.model(e.child).name) } }
            }
            @if a.children.is_empty() { li { (l::NO_CHILDREN.get(locale)) } }
        }
        dl.facts {
            dt { (l::FAMILY.get(locale)) } dd { (view.pick(&k.family(m).name)) }
            @if let Some(g) = &m.generation { dt { (l::GENERATION.get(locale)) } dd { (g) } }
            @if let Some(p) = &m.parameters { dt { (l::PARAMETERS.get(locale)) } dd { (p) } }
            @if let Some(t) = &m.training { dt { (l::TRAINING.get(locale)) } dd { (both(t, view)) } }
            @if !m.gains.is_empty() {
                dt { (l::GAINED.get(locale)) } dd { ul { @for g in &m.gains { li { (both(g, view)) } } } }
            }
            @if !m.trade_offs.is_empty() {
                dt { (l::GAVE_UP.get(locale)) } dd { ul { @for g in &m.trade_offs { li { (both(g, view)) } } } }
            }
            dt { (l::ALSO_CALLED.get(locale)) }
            dd { @for n in std::iter::once(&m.slug).chain(&m.aliases) { code { (n) } " " } }
        }
        @if m.training.is_some() || !m.gains.is_empty() || !m.trade_offs.is_empty() {
            p.note { (l::CURATOR_WORDS.get(locale)) }
        }
        @let statuses: Vec<_> = k.capabilities.iter().filter(|c| c.main_status(a.model).is_some()).collect();
        @if !statuses.is_empty() {
            h2 { (l::CAPABILITIES.get(locale)) }
            div.scroll { table {
                thead { tr { th { (l::CAPABILITIES.get(locale)) } th { (STATUS_COLUMN.get(locale)) } th { (QUOTES.get(locale)) } } }
                tbody {
                    @for c in statuses {
                        @for s in c.statuses_of(a.model) {
                            tr {
                                td { a href=(view.to(&Command::Capability { name: c.slug.clone() })) { (view.pick(&c.name)) } }
                                td { span class=(format!("status s-{}", s.status.slug())) { (status_words(s.status, locale)) } }
                                td { ul.quotes { @for e in &s.evidence { (quote(e)) } } }
                            }
                        }
                    }
                }
            } }
        }
        @if !a.sources.is_empty() {
            h2 { (l::FROM_NOTES.get(locale)) }
            @for &p in &a.sources { (passage(k, p)) }
        }
    }
}

fn term(k: &Knowledge, a: &TermAnswer, view: &View<'_>) -> Markup {
    let locale = view.locale;
    let t = k.term(a.term);
    html! {
        @if let Some(r) = &a.read_as { p.note { (r.typed) " → " (r.as_name) } }
        dl.facts {
            dt { (l::ENGLISH.get(locale)) } dd { (t.english) }
            dt { (l::CHINESE.get(locale)) } dd { (localise(&t.chinese, locale)) }
            dt { (l::MEANING.get(locale)) }
            dd {
                blockquote.passage { p.text { (t.meaning) } (cite(&k.passage(t.source).source)) }
                @if let Some(g) = &t.gloss { (both(g, view)) }
            }
            @if !t.abbreviations.is_empty() { dt { (l::ABBREVIATIONS.get(locale)) } dd { (t.abbreviations.join(", ")) } }
            @if !t.aliases.is_empty() {
                dt { (l::ALSO_CALLED.get(locale)) } dd { @for n in &t.aliases { code { (n) } " " } }
            }
            @if !t.related.is_empty() {
                dt { (l::RELATED.get(locale)) }
                dd { ul.inline { @for &r in &t.related {
                    @let r = k.term(r);
                    li { a href=(view.to(&Command::Term { name: r.slug.clone() })) { (r.display) " · " (localise(&r.chinese, locale)) } }
                } } }
            }
            @if !t.models.is_empty() {
                dt { (l::MODELS.get(locale)) }
                dd { ul.inline { @for &m in &t.models {
                    li { a href=(view.to(&Command::Model { name: k.model(m).slug.clone() })) { (k.model(m).name) } }
                } } }
            }
            @let caps: Vec<_> = k.capabilities_of_term(a.term).collect();
            @if !caps.is_empty() {
                dt { (l::CAPABILITIES.get(locale)) }
                dd { ul.inline { @for c in caps {
                    li { a href=(view.to(&Command::Capability { name: c.slug.clone() })) { (view.pick(&c.name)) } }
                } } }
            }
        }
    }
}

fn statuses_cell(statuses: impl IntoIterator<Item = Status>, locale: Locale) -> Markup {
    html! {
        @for s in statuses {
            span class=(format!("status s-{}", s.slug())) { (status_words(s, locale)) } " "
        }
    }
}

fn capability(k: &Knowledge, a: &CapabilityAnswer, view: &View<'_>) -> Markup {
    let locale = view.locale;
    let c = k.capability(a.capability);
    html! {
        @if let Some(r) = &a.read_as { p.note { (r.typed) " → " (r.as_name) } }
        p { (l::CAPABILITY_INTRO.get(locale)) }
        @if let Some(t) = c.term {
            @let t = k.term(t);
            p { (TERMS.get(locale)) ": " a href=(view.to(&Command::Term { name: t.slug.clone() })) { (t.display) " · " (localise(&t.chinese, locale)) } }
        }
        div.scroll { table.along {
            thead { tr { th { (MODEL_COLUMN.get(locale)) } th { (MADE_BY.get(locale)) } th { (STATUS_COLUMN.get(locale)) } th { (QUOTES.get(locale)) } } }
            tbody {
                @for row in &a.rows {
                    @let m = k.model(row.model);
                    tr id=(format!("model-{}", m.slug)) {
                        td { a href=(view.to(&Command::Model { name: m.slug.clone() })) { (m.name) } }
                        td { @for e in &row.via { (k.model(e.parent).name) " (" (method(e, locale)) ") " } }
                        td { @if row.statuses.is_empty() { span.silent { (l::NOT_IN_NOTES.get(locale)) } } @else { (statuses_cell(row.statuses.iter().map(|s| s.status), locale)) } }
                        td { ul.quotes { @for s in &row.statuses { @for e in &s.evidence { (quote(e)) } } } }
                    }
                }
            }
        } }
        p { a href=(view.href("/capabilities")) { (l::MATRIX_TITLE.get(locale)) } }
    }
}

/// `/capabilities`: the matrix as a table; each cell links to its row of
/// the capability's page (the quotes and `file:line`), its title the quotes.
pub fn matrix(k: &Knowledge, a: &MatrixAnswer, view: &View<'_>) -> String {
    let locale = view.locale;
    let used = a.statuses_used();
    let body = html! {
        p { (MATRIX_CAPTION.get(locale)) }
        div.scroll { table.matrix {
            thead { tr {
                th scope="col" { (MODEL_COLUMN.get(locale)) }
                @for &c in &a.capabilities {
                    th scope="col" { a href=(view.to(&Command::Capability { name: k.capability(c).slug.clone() })) { (view.pick(&k.capability(c).name)) } }
                }
            } }
            tbody {
                @for (row, &m) in a.models.iter().enumerate() {
                    @let model = k.model(m);
                    tr {
                        th scope="row" { a href=(view.to(&Command::Model { name: model.slug.clone() })) { (model.name) } }
                        @for (column, &c) in a.capabilities.iter().enumerate() {
                            @let cell = a.cell(row, column);
                            @if cell.is_empty() {
                                td.silent { span title=(l::NOT_IN_NOTES.get(locale)) { "·" } }
                            } @else {
                                td.cell {
                                    @for s in cell {
                                        @let quotes = s.evidence.iter().map(|e| format!("“{}” {}", e.quote, e.source)).collect::<Vec<_>>().join("\n");
                                        a class=(format!("sign s-{}", s.status.slug()))
                                          href=(view.href(&format!("{}#model-{}", page_path(&Command::Capability { name: k.capability(c).slug.clone() }).unwrap_or_default(), model.slug)))
                                          title=(format!("{}\n{quotes}", l::status(s.status, locale)))
                                          aria-label=(format!("{} · {}: {}", model.name, view.pick(&k.capability(c).name), l::status(s.status, locale))) {
                                            (s.status.plain_sign())
                                            span.visually-hidden { " " (l::status(s.status, locale)) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        } }
        p.legend {
            @for s in used { span class=(format!("status s-{}", s.slug())) { (status_words(s, locale)) } " " }
            span.status.silent { "· " (l::NOT_IN_NOTES.get(locale)) }
        }
    };
    layout(view, l::MATRIX_TITLE.get(locale), body)
}

fn relation(k: &Knowledge, r: &Relation, locale: Locale) -> String {
    let names = |path: &[ModelId]| {
        path.iter()
            .map(|&m| k.model(m).name.as_str())
            .collect::<Vec<_>>()
            .join(" → ")
    };
    match r {
        Relation::Parent(e) => l::REL_PARENT.fill(
            locale,
            &[
                &k.model(e.child).name,
                &k.model(e.parent).name,
                &method(e, locale),
            ],
        ),
        Relation::Siblings { parent } => l::REL_SIBLINGS.fill(locale, &[&k.model(*parent).name]),
        Relation::Descends { path } => l::REL_DESCENDS.fill(locale, &[&names(path)]),
        Relation::Cousins { path } => l::REL_COUSINS.fill(locale, &[&names(path)]),
        Relation::Unrelated => l::REL_UNRELATED.get(locale).to_string(),
    }
}

fn compare(k: &Knowledge, a: &CompareAnswer, view: &View<'_>) -> Markup {
    let locale = view.locale;
    let (first, second) = (k.model(a.first), k.model(a.second));
    let side = |m: &crate::domain::Model| {
        html! {
            td {
                a href=(view.to(&Command::Model { name: m.slug.clone() })) { strong { (m.name) } }
                (both(&m.summary, view))
                @if let Some(t) = &m.training { p { em { (l::TRAINING.get(locale)) ": " } (view.pick(t)) } }
            }
        }
    };
    html! {
        @for r in &a.read_as { p.note { (r.typed) " → " (r.as_name) } }
        p.lead { (relation(k, &a.relation, locale)) }
        div.scroll { table.compare {
            tbody {
                tr { (side(first)) (side(second)) }
                @for c in &k.capabilities {
                    @let (x, y): (Vec<_>, Vec<_>) = (
                        c.statuses_of(a.first).collect(),
                        c.statuses_of(a.second).collect(),
                    );
                    @if !x.is_empty() || !y.is_empty() {
                        tr.capability {
                            @for side in [&x, &y] {
                                td {
                                    a href=(view.to(&Command::Capability { name: c.slug.clone() })) { (view.pick(&c.name)) } ": "
                                    @if side.is_empty() { span.silent { (l::NOT_IN_NOTES.get(locale)) } } @else { (statuses_cell(side.iter().map(|s| s.status), locale)) }
                                    ul.quotes { @for s in side.iter() { @for e in &s.evidence { (quote(e)) } } }
                                }
                            }
                        }
                    }
                }
            }
        } }
        p.note { (l::CURATOR_WORDS.get(locale)) }
        (sections(k, &a.sections, view))
    }
}

fn sections(k: &Knowledge, ids: &[crate::domain::ComparisonId], view: &View<'_>) -> Markup {
    let locale = view.locale;
    html! {
        @if ids.is_empty() {
            p.note { (plain(l::NO_SECTION.get(locale).to_string())) }
        } @else {
            h2 { (SECTIONS.get(locale)) }
            @for &id in ids {
                @let c = &k.comparisons[id.0 as usize];
                h3 { (c.section) " " (cite(&c.source)) }
                @for &p in &c.passages { (passage(k, p)) }
            }
        }
    }
}

fn generations(k: &Knowledge, a: &GenerationAnswer, view: &View<'_>) -> Markup {
    let list = |models: &[ModelId]| {
        html! { ul { @for &m in models { li { a href=(view.to(&Command::Model { name: k.model(m).slug.clone() })) { (k.model(m).name) } } } } }
    };
    html! {
        div.scroll { table.compare { tbody {
            tr { th { (a.first.0) } th { (a.second.0) } }
            tr { td { (list(&a.first.1)) } td { (list(&a.second.1)) } }
        } } }
        (sections(k, &a.sections, view))
    }
}

/// The snippet with its matched words marked.
fn snippet(s: &crate::search::Snippet) -> Markup {
    let mut parts = Vec::new();
    let mut at = 0;
    for r in &s.matches {
        if r.start < at
            || r.end > s.text.len()
            || !s.text.is_char_boundary(r.start)
            || !s.text.is_char_boundary(r.end)
        {
            continue;
        }
        parts.push((false, &s.text[at..r.start]));
        parts.push((true, &s.text[r.start..r.end]));
        at = r.end;
    }
    parts.push((false, &s.text[at..]));
    html! {
        @if s.cut_before { "…" }
        @for (marked, text) in parts { @if marked { mark { (text) } } @else { (text) } }
        @if s.cut_after { "…" }
    }
}

/// A label written for Discord, without its Markdown marks (`code`,
/// *emphasis*), for a page.
fn plain(label: String) -> String {
    label.replace(['`', '*'], "")
}

/// `/search`: as in Discord, the answer first (the lead hits, quoted), then
/// more places in the notes, the count, and paging.
fn search(k: &Knowledge, a: &SearchAnswer, view: &View<'_>) -> Markup {
    let locale = view.locale;
    let page_link = |page: usize| view.to(&Command::search(&a.query, page));
    let (lead, more) = a.hits.split_at(a.lead.min(a.hits.len()));
    let notice = if a.failed {
        Some(l::SEARCH_FAILED.get(locale).to_string())
    } else if !a.lacking.is_empty() {
        let said = if a.hits.is_empty() {
            &l::NOTES_DONT_SAY_AT_ALL
        } else {
            &l::NOTES_DONT_SAY
        };
        Some(said.fill(locale, &[&a.lacking.join(", ")]))
    } else if a.hits.is_empty() {
        Some(plain(l::SEARCH_NOTHING.get(locale).to_string()))
    } else {
        None
    };
    let first = a.page * a.per_page + 1;
    let count = (!a.hits.is_empty()).then(|| {
        if a.total_is_lower_bound {
            &l::HITS_RANGE_OF_MANY
        } else {
            &l::HITS_RANGE
        }
        .fill(
            locale,
            &[
                &first.to_string(),
                &(first + a.hits.len() - 1).to_string(),
                &a.total.to_string(),
            ],
        )
    });
    html! {
        (search_box(view, &a.query))
        @for (typed, used) in &a.corrections { p.note { (l::DID_YOU_MEAN.get(locale)) ": " strong { (used) } "? (" (typed) ")" } }
        @if !a.steps.is_empty() && a.page == 0 {
            h2 { (l::IN_THE_LINEAGE.get(locale)) }
            ul { @for e in &a.steps {
                li { (k.model(e.parent).name) " ─(" (method(e, locale)) ")→ " (k.model(e.child).name) }
            } }
        }
        @if let Some(notice) = notice { p.notice { (notice) } }
        @if let Some(c) = a.capability {
            p { a href=(view.to(&Command::Capability { name: k.capability(c).slug.clone() })) { (l::CAPABILITY_TITLE.fill(locale, &[&view.pick(&k.capability(c).name)])) } }
        }
        @for h in lead {
            blockquote.passage.lead {
                p.text { (snippet(&h.snippet)) }
                p.where { "— " (h.title) " " (cite(&h.source)) }
            }
        }
        @if !more.is_empty() {
            h2 { (l::MORE_IN_NOTES.get(locale)) }
            ol.hits start=(first + lead.len()) {
                @for h in more {
                    li {
                        p.where { strong { (h.title) } }
                        p.text { (snippet(&h.snippet)) }
                        (cite(&h.source))
                    }
                }
            }
        }
        nav.pages {
            @if let Some(count) = count { span.count { (count) } " " }
            @if a.page > 0 { a rel="prev" href=(page_link(a.page - 1)) { "← " (l::PREVIOUS.get(locale)) } " " }
            @if a.has_next() { a rel="next" href=(page_link(a.page + 1)) { (l::NEXT.get(locale)) " →" } }
        }
    }
}

fn search_box(view: &View<'_>, q: &str) -> Markup {
    let locale = view.locale;
    html! {
        form.search-page action="/search" method="get" role="search" {
            input type="search" name="q" value=(q) aria-label=(SEARCH.get(locale)) maxlength="300";
            @if let Some(lang) = view.lang_param { input type="hidden" name="lang" value=(lang); }
            button type="submit" { (ASK.get(locale)) }
        }
    }
}

/// `/search` with no question: the box alone.
pub fn search_form(view: &View<'_>) -> String {
    layout(view, SEARCH.get(view.locale), search_box(view, ""))
}
