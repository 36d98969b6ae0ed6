//! The SVG text of a laid-out tree: colours decide what stands out.

use std::fmt::Write;

use super::layout::{Arrow, Layout, Rect, ARROW_LENGTH, LABEL_FONT, NAME_FONT, TITLE_FONT};
use super::{font, HIGHLIGHT_RGB};

/// How much a node or arrow stands out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Emphasis {
    /// Nothing is highlighted: everything drawn the same.
    Plain,
    /// The highlighted model itself.
    Chosen,
    /// An ancestor of the highlighted model, or an arrow on its way there.
    OnPath,
    /// Not related to the highlighted model: stays in the background.
    Muted,
    /// Filled with a colour that means something (a capability's status).
    Coloured([u8; 3]),
}

struct Look {
    fill: String,
    stroke: &'static str,
    stroke_width: f32,
    text: &'static str,
}

/// Darker than the highlight, so the path reads as leading to it.
const PATH: &str = "#9a3c00";
const INK: &str = "#1f2933";
const LINE: &str = "#52606d";
const MUTED_LINE: &str = "#c5ccd4";
const MUTED_TEXT: &str = "#8f99a3";

fn highlight_hex() -> String {
    hex(HIGHLIGHT_RGB)
}

fn hex([r, g, b]: [u8; 3]) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// Height of the legend band under the tree, and its swatches.
const LEGEND_BAND: f32 = 60.0;
const SWATCH: f32 = 22.0;
const LEGEND_GAP: f32 = 28.0;

fn node_look(emphasis: Emphasis) -> Look {
    match emphasis {
        Emphasis::Plain => Look {
            fill: "#e8eef5".into(),
            stroke: LINE,
            stroke_width: 2.0,
            text: INK,
        },
        Emphasis::Chosen => Look {
            fill: highlight_hex(),
            stroke: PATH,
            stroke_width: 3.0,
            text: "#ffffff",
        },
        Emphasis::OnPath => Look {
            fill: "#fde6d2".into(),
            stroke: PATH,
            stroke_width: 3.0,
            text: INK,
        },
        Emphasis::Muted => Look {
            fill: "#f6f7f9".into(),
            stroke: MUTED_LINE,
            stroke_width: 1.5,
            text: MUTED_TEXT,
        },
        Emphasis::Coloured(rgb) => Look {
            fill: hex(rgb),
            stroke: INK,
            stroke_width: 2.0,
            text: "#ffffff",
        },
    }
}

fn arrow_look(emphasis: Emphasis) -> (&'static str, f32, &'static str) {
    // (line colour, width, label colour)
    match emphasis {
        Emphasis::Plain => (LINE, 2.5, "#323f4b"),
        Emphasis::Chosen | Emphasis::OnPath => (PATH, 4.0, PATH),
        Emphasis::Coloured(_) => (LINE, 2.5, "#323f4b"),
        Emphasis::Muted => (MUTED_LINE, 2.0, MUTED_TEXT),
    }
}

/// What the writer needs besides the geometry.
pub(super) struct Content<'a> {
    pub title: &'a str,
    pub names: Vec<&'a str>,
    pub labels: Vec<&'a str>,
    pub node_emphasis: Vec<Emphasis>,
    pub arrow_emphasis: Vec<Emphasis>,
    /// Under the tree: what each colour means, (colour or `None` for the
    /// muted box, words, measured width of the words).
    pub legend: Vec<(Option<[u8; 3]>, String, f32)>,
}

pub(super) fn write(layout: &Layout, content: &Content) -> String {
    let w = layout.width;
    let h = if content.legend.is_empty() {
        layout.height
    } else {
        layout.height + LEGEND_BAND
    };
    let mut svg = String::with_capacity(8 * 1024);
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="{family}, sans-serif">"#,
        family = font::FAMILY
    );
    let _ = write!(svg, r##"<rect width="{w}" height="{h}" fill="#ffffff"/>"##);
    let (tx, ty) = layout.title_at;
    let _ = write!(
        svg,
        r#"<text x="{tx:.1}" y="{ty:.1}" font-size="{TITLE_FONT}" fill="{INK}" text-anchor="middle">{}</text>"#,
        escape(content.title)
    );

    // Muted arrows first, so emphasised ones are drawn over them.
    let emphasis_of = |i: usize| {
        content
            .arrow_emphasis
            .get(i)
            .copied()
            .unwrap_or(Emphasis::Plain)
    };
    let mut order: Vec<usize> = (0..layout.arrows.len()).collect();
    order.sort_by_key(|&i| emphasis_of(i) != Emphasis::Muted);
    for &i in &order {
        write_arrow(&mut svg, &layout.arrows[i], emphasis_of(i));
    }
    for &i in &order {
        let label = content.labels.get(i).copied().unwrap_or("");
        write_label(&mut svg, &layout.arrows[i].label, label, emphasis_of(i));
    }
    for (i, rect) in layout.nodes.iter().enumerate() {
        let name = content.names.get(i).copied().unwrap_or("");
        let emphasis = content
            .node_emphasis
            .get(i)
            .copied()
            .unwrap_or(Emphasis::Plain);
        write_node(&mut svg, rect, name, emphasis);
    }
    write_legend(&mut svg, layout, &content.legend);
    svg.push_str("</svg>");
    svg
}

/// The legend as one centred row of swatches and words, under the tree.
fn write_legend(svg: &mut String, layout: &Layout, legend: &[(Option<[u8; 3]>, String, f32)]) {
    if legend.is_empty() {
        return;
    }
    let item = |width: f32| SWATCH + 8.0 + width;
    let total: f32 = legend.iter().map(|(_, _, w)| item(*w)).sum::<f32>()
        + LEGEND_GAP * legend.len().saturating_sub(1) as f32;
    let mut x = ((layout.width - total) / 2.0).max(8.0);
    let y = layout.height + (LEGEND_BAND - SWATCH) / 2.0 - 8.0;
    for (rgb, words, width) in legend {
        let look = node_look(rgb.map_or(Emphasis::Muted, Emphasis::Coloured));
        let _ = write!(
            svg,
            r#"<rect x="{x:.1}" y="{y:.1}" width="{SWATCH}" height="{SWATCH}" rx="5" fill="{}" stroke="{}" stroke-width="1.5"/>"#,
            look.fill, look.stroke
        );
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" font-size="{LABEL_FONT}" fill="{INK}">{}</text>"#,
            x + SWATCH + 8.0,
            y + SWATCH / 2.0 + LABEL_FONT * 0.36,
            escape(words)
        );
        x += item(*width) + LEGEND_GAP;
    }
}

fn write_arrow(svg: &mut String, arrow: &Arrow, emphasis: Emphasis) {
    let (colour, width, _) = arrow_look(emphasis);
    let [(x0, y0), (x1, y1), (x2, y2), (x3, y3)] = arrow.curve;
    let _ = write!(
        svg,
        r#"<path d="M{x0:.1} {y0:.1} C{x1:.1} {y1:.1} {x2:.1} {y2:.1} {x3:.1} {y3:.1}" fill="none" stroke="{colour}" stroke-width="{width}"/>"#
    );
    // The curve ends heading straight down, so the head points straight down.
    let (tx, ty) = arrow.tip;
    let half = ARROW_LENGTH * 0.55 + width * 0.5;
    let back = ty - ARROW_LENGTH - 1.0;
    let _ = write!(
        svg,
        r#"<path d="M{tx:.1} {ty:.1} L{l:.1} {back:.1} L{r:.1} {back:.1} Z" fill="{colour}"/>"#,
        l = tx - half,
        r = tx + half,
    );
}

fn write_label(svg: &mut String, rect: &Rect, label: &str, emphasis: Emphasis) {
    if label.is_empty() {
        return;
    }
    let (_, _, text) = arrow_look(emphasis);
    // A white card behind the words keeps them readable over crossing lines.
    let _ = write!(
        svg,
        r##"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="6" fill="#ffffff" fill-opacity="0.92"/>"##,
        rect.x, rect.y, rect.w, rect.h
    );
    let _ = write!(
        svg,
        r#"<text x="{:.1}" y="{:.1}" font-size="{LABEL_FONT}" fill="{text}" text-anchor="middle">{}</text>"#,
        rect.center_x(),
        baseline(rect, LABEL_FONT),
        escape(label)
    );
}

fn write_node(svg: &mut String, rect: &Rect, name: &str, emphasis: Emphasis) {
    let look = node_look(emphasis);
    let _ = write!(
        svg,
        r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="10" fill="{}" stroke="{}" stroke-width="{}"/>"#,
        rect.x, rect.y, rect.w, rect.h, look.fill, look.stroke, look.stroke_width
    );
    let _ = write!(
        svg,
        r#"<text x="{:.1}" y="{:.1}" font-size="{NAME_FONT}" fill="{}" text-anchor="middle">{}</text>"#,
        rect.center_x(),
        baseline(rect, NAME_FONT),
        look.text,
        escape(name)
    );
}

/// The baseline that centres a line of text vertically in `rect` (DejaVu's
/// digits and capitals stand about 0.73 em tall).
fn baseline(rect: &Rect, size: f32) -> f32 {
    rect.center_y() + size * 0.36
}

/// Text safe inside an SVG element or attribute.
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters are not allowed in XML 1.0 at all.
            c if c.is_control() && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape(r#"a<b & "c" 'd'>"#),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;"
        );
        assert_eq!(escape("bell\u{7}"), "bell");
    }
}
