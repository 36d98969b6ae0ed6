//! `/gaps?token=…`: the curator's report as a page, behind a secret link
//! (`lineage-bot gaps --link`): questions per day split by outcome, plotted,
//! then the gaps table with the closest passage of the notes.

use std::fmt::Write as _;
use std::path::Path;

use maud::{html, PreEscaped};

use super::pages::{layout, View};
use super::Page;
use crate::curation::{activity, record, report, Store};
use crate::render::labels::Label;
use crate::search::SearchIndex;

/// The token's length in hex digits (128 bits).
pub const GAPS_TOKEN_CHARS: usize = 32;
/// Days plotted when the link names none.
const DEFAULT_DAYS: u32 = 30;
/// Gaps listed at most.
const LIMIT: usize = 100;

/// The gaps page's token for the store in `data_dir` (made on first use).
pub fn gaps_token(data_dir: &Path) -> std::io::Result<String> {
    record::secret(data_dir).map(|s| record::page_token(&s))
}

/// Compared in constant time, so the token cannot be guessed a digit at a
/// time from how long a refusal takes.
pub(super) fn same_secret(want: &str, given: &str) -> bool {
    let (a, b) = (want.as_bytes(), given.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

const TITLE: Label = Label {
    en: "Gaps: what the notes could not answer",
    zh: "缺口：笔记没能回答的问题",
};
const PER_DAY: Label = Label {
    en: "Questions per day, by outcome",
    zh: "每天的问题，按结果",
};
const PASTE: Label = Label {
    en: "Paste under",
    zh: "粘贴到",
};
const NONE: Label = Label {
    en: "No gaps: every recorded question was answered and none was voted down.",
    zh: "没有缺口：记录的问题都得到了回答，也没有被点踩的回答。",
};
const STORE_FAILED: Label = Label {
    en: "The curator's store could not be read; the log has the details.",
    zh: "无法读取记录库；详情见日志。",
};
const COLUMNS: [Label; 6] = [
    Label {
        en: "Question",
        zh: "问题",
    },
    Label {
        en: "Asked",
        zh: "次数",
    },
    Label {
        en: "People",
        zh: "人数",
    },
    Label {
        en: "Last asked",
        zh: "最近",
    },
    Label {
        en: "Outcome",
        zh: "结果",
    },
    Label {
        en: "Closest passage",
        zh: "最接近的段落",
    },
];

/// Outcomes as plotted: name, colour (the stylesheet's `.o-<name>` is made
/// from these).
pub(super) const OUTCOMES: [(&str, &str); 4] = [
    ("answered", "#2f9e44"),
    ("weak", "#d67c00"),
    ("nothing", "#c92a2a"),
    ("error", "#5f6f82"),
];

pub(super) fn page(
    dir: &Path,
    days: Option<u32>,
    index: &SearchIndex,
    since_reload: Option<crate::curation::diff::Counts>,
    view: &View<'_>,
) -> Page {
    // A bar a day stays readable up to a year.
    let days = days.unwrap_or(DEFAULT_DAYS).min(365);
    let found = Store::open(dir).and_then(|store| {
        let now = record::now();
        let per_day = activity::per_day(&store, days, now)?;
        let since = Some(days);
        let gaps = report::gaps(&store, since, LIMIT, now)?;
        Ok((per_day, report::with_closest(gaps, index)))
    });
    let locale = view.locale;
    let body = match found {
        Err(e) => {
            tracing::error!(error = %e, "the gaps page could not read the store");
            html! { p.notice { (STORE_FAILED.get(locale)) } }
        }
        Ok((per_day, gaps)) => html! {
            @if let Some(c) = since_reload {
                p.lead { (crate::render::labels::GAPS_SINCE_RELOAD.fill(locale, &[
                    &c.newly_answered.to_string(), &c.changed.to_string(), &c.lost.to_string(),
                ])) }
            }
            h2 { (PER_DAY.get(locale)) }
            figure.plot {
                (PreEscaped(plot(&per_day)))
                figcaption {
                    @for (name, _) in OUTCOMES {
                        span.key { span class=(format!("swatch o-{name}")) {} " " (name) } " "
                    }
                }
            }
            @if gaps.is_empty() {
                p { (NONE.get(locale)) }
            } @else {
                div.scroll {
                    table.gaps {
                        thead { tr { @for c in &COLUMNS { th { (c.get(locale)) } } } }
                        tbody {
                            @for g in &gaps {
                                tr {
                                    td {
                                        (g.question)
                                        details.stub {
                                            summary { (PASTE.get(locale)) @if let Some(h) = &g.heading { " “" (h) "”" } }
                                            pre { code { (g.stub) } }
                                        }
                                    }
                                    td.n { (g.count) }
                                    td.n { (g.askers) }
                                    td.when { (g.last_asked.replace('T', " ").trim_end_matches('Z')) }
                                    td { (g.outcome)
                                        @if g.votes_down > 0 { " · 👎 " (g.votes_down) } }
                                    td {
                                        @if let Some(c) = &g.closest {
                                            (c.title) br;
                                            q { (c.text) } " "
                                            cite.source { (c.source) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
    };
    let mut page = Page::html(200, layout(view, TITLE.get(locale), body), locale);
    page.private = true;
    page
}

/// Stacked bars, a day each: an SVG of numbers and dates only (no text of
/// anyone's), so it is written directly.
fn plot(days: &[activity::Day]) -> String {
    let (width, height, left, bottom, top) = (720.0f32, 220.0f32, 36.0f32, 28.0f32, 10.0f32);
    let most = days
        .iter()
        .map(activity::Day::total)
        .max()
        .unwrap_or(0)
        .max(1);
    let slot = (width - left - 8.0) / days.len().max(1) as f32;
    let bar = (slot * 0.7).max(1.0);
    let scale = (height - bottom - top) / most as f32;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" aria-label="questions per day">"#
    );
    let base = height - bottom;
    let _ = write!(
        svg,
        r##"<line x1="{left}" y1="{base}" x2="{width}" y2="{base}" stroke="#adb5bd"/><text x="{:.1}" y="{:.1}" font-size="11" text-anchor="end" fill="#495057">{most}</text>"##,
        left - 4.0,
        top + 10.0
    );
    for (i, d) in days.iter().enumerate() {
        let x = left + i as f32 * slot + (slot - bar) / 2.0;
        let mut y = base;
        for (n, (_, colour)) in [d.answered, d.weak, d.nothing, d.error]
            .into_iter()
            .zip(OUTCOMES)
        {
            if n == 0 {
                continue;
            }
            let h = n as f32 * scale;
            y -= h;
            let _ = write!(
                svg,
                r#"<rect x="{x:.1}" y="{y:.1}" width="{bar:.1}" height="{h:.1}" fill="{colour}"><title>{} {n}</title></rect>"#,
                d.day
            );
        }
        // A date under every seventh day, and the last unless one is close.
        let last = i + 1 == days.len();
        if (i % 7 == 0 && i + 3 < days.len()) || last {
            let _ = write!(
                svg,
                r##"<text x="{:.1}" y="{:.1}" font-size="11" text-anchor="middle" fill="#495057">{}</text>"##,
                x + bar / 2.0,
                height - 10.0,
                d.day.get(5..).unwrap_or(&d.day)
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret("abcd", "abcd"));
        assert!(!same_secret("abcd", "abce"));
        assert!(!same_secret("abcd", "abc"));
        assert!(!same_secret("abcd", ""));
    }
}
