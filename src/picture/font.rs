//! The one font the picture uses, shipped inside the binary: the bot must draw
//! the same picture on a bare server with no fonts installed.

use std::sync::{Arc, LazyLock};

use resvg::usvg::{self, fontdb};

/// The family name inside `DejaVuSans.ttf`; the SVG asks for it by this name.
pub(super) const FAMILY: &str = "DejaVu Sans";

static DEJAVU_SANS: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// Built once: parsing the font's tables on every render would be wasted work.
static FONTS: LazyLock<Arc<fontdb::Database>> = LazyLock::new(|| {
    let mut db = fontdb::Database::new();
    db.load_font_source(fontdb::Source::Binary(Arc::new(DEJAVU_SANS)));
    db.set_sans_serif_family(FAMILY);
    Arc::new(db)
});

/// Parsing options that find text glyphs in the embedded font only.
pub(super) fn options() -> usvg::Options<'static> {
    usvg::Options {
        font_family: FAMILY.to_string(),
        fontdb: Arc::clone(&FONTS),
        ..usvg::Options::default()
    }
}

/// How wide each text is when drawn, in px. The layout needs this before it
/// can size boxes, and only the real font knows: the texts are shaped in one
/// throwaway SVG and measured. A text that cannot be measured (blank, or a
/// parse failure) gets a generous estimate instead.
pub(super) fn text_widths(texts: &[(&str, f32)]) -> Vec<f32> {
    let mut svg =
        String::from(r#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">"#);
    for (i, (text, size)) in texts.iter().enumerate() {
        svg.push_str(&format!(
            r#"<text id="m{i}" x="0" y="{y}" font-family="{FAMILY}" font-size="{size}">{}</text>"#,
            super::svg::escape(text),
            y = (i + 1) as f32 * 100.0,
        ));
    }
    svg.push_str("</svg>");
    let tree = usvg::Tree::from_str(&svg, &options()).ok();
    texts
        .iter()
        .enumerate()
        .map(|(i, (text, size))| {
            tree.as_ref()
                .and_then(|t| t.node_by_id(&format!("m{i}")))
                .map(|node| node.abs_bounding_box().width())
                .filter(|w| w.is_finite() && *w > 0.0)
                .unwrap_or_else(|| estimate_width(text, *size))
        })
        .collect()
}

/// DejaVu Sans averages a little over half an em per character.
fn estimate_width(text: &str, size: f32) -> f32 {
    text.chars().count() as f32 * size * 0.62
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_with_the_embedded_font() {
        let widths = text_widths(&[("davinci", 20.0), ("davinci davinci", 20.0), ("", 20.0)]);
        assert!(widths[0] > 50.0 && widths[0] < 100.0, "{widths:?}");
        assert!(widths[1] > 2.0 * widths[0], "{widths:?}");
        assert_eq!(widths[2], 0.0);
    }
}
