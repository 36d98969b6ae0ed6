//! The family tree as a picture: generations from top to bottom, each arrow
//! labelled with how the child was made, and one model with its ancestors
//! standing out; or every model coloured by its status for one capability,
//! with a legend. Drawn as SVG text and rasterised in-process by resvg with a
//! font shipped in the binary, so it needs no Graphviz and no system fonts.

mod font;
mod layout;
mod matrix;
mod svg;

use std::collections::HashSet;

use resvg::{tiny_skia, usvg};

use crate::domain::{CapabilityId, Knowledge, Method, ModelId, Status};
use layout::{Graph, Sizes, LABEL_FONT, NAME_FONT, TITLE_FONT};
use svg::{Content, Emphasis};

/// Fill colour of the highlighted model's node: tests look for it in the PNG.
/// Used nowhere else in the picture, so finding it means the highlight is drawn.
pub const HIGHLIGHT_RGB: [u8; 3] = [230, 97, 0];

#[derive(Debug, thiserror::Error)]
pub enum PictureError {
    #[error("the lineage SVG did not parse: {0}")]
    Svg(#[from] usvg::Error),
    #[error("cannot allocate a {width}×{height} px canvas")]
    Canvas { width: u32, height: u32 },
    #[error("cannot encode the lineage PNG: {0}")]
    Encode(String),
}

/// The fill of a model with this status for the capability drawn. Dark
/// enough for white names; none of them is [`HIGHLIGHT_RGB`].
pub fn status_rgb(s: Status) -> [u8; 3] {
    match s {
        Status::Gained => [47, 158, 68],
        Status::Strong => [24, 100, 171],
        Status::Improved => [12, 133, 153],
        Status::Kept => [95, 111, 130],
        Status::Weakened => [214, 124, 0],
        Status::Restored => [112, 72, 232],
        Status::TradedAway => [201, 42, 42],
        Status::Absent => [52, 58, 64],
    }
}

/// The words of a status under the picture (the font has no Chinese).
fn status_words(s: Status) -> &'static str {
    match s {
        Status::TradedAway => "traded away",
        other => other.slug(),
    }
}

/// The lineage as SVG text, with `highlight` and its ancestors emphasised.
pub fn lineage_svg(k: &Knowledge, highlight: Option<ModelId>) -> String {
    let highlight = highlight.filter(|h| h.index() < k.models.len());
    let title = match highlight {
        Some(h) => format!("How {} came to be", k.models[h.index()].name),
        None => "Model lineage".to_string(),
    };
    draw(k, &title, |graph| emphasis(k, graph, highlight), Vec::new())
}

/// The lineage as SVG text, each model filled by its (first) status for the
/// capability, models the notes say nothing of muted, and a legend of the
/// statuses drawn.
pub fn capability_svg(k: &Knowledge, capability: CapabilityId) -> String {
    let Some(c) = k.capabilities.get(capability.index()) else {
        return lineage_svg(k, None);
    };
    let status_of = |i: usize| c.main_status(ModelId(i as u16));
    let title = format!("{} along the lineage", c.name.pick(false));
    let mut legend: Vec<(Option<[u8; 3]>, String)> = Status::ALL
        .iter()
        .filter(|&&s| (0..k.models.len()).any(|i| status_of(i) == Some(s)))
        .map(|&s| (Some(status_rgb(s)), status_words(s).to_string()))
        .collect();
    legend.push((None, "not in the notes".to_string()));
    draw(
        k,
        &title,
        |graph| {
            let nodes = (0..graph.depth.len())
                .map(|i| {
                    status_of(i).map_or(Emphasis::Muted, |s| Emphasis::Coloured(status_rgb(s)))
                })
                .collect();
            (nodes, vec![Emphasis::Plain; graph.edges.len()])
        },
        legend,
    )
}

/// The tree laid out and written, with the emphasis `look` decides.
fn draw(
    k: &Knowledge,
    title: &str,
    look: impl FnOnce(&Graph) -> (Vec<Emphasis>, Vec<Emphasis>),
    legend: Vec<(Option<[u8; 3]>, String)>,
) -> String {
    let model_count = k.models.len();
    let depths = k.lineage.depths();
    // The loader guarantees valid ids; a hand-built knowledge might not, and
    // a picture is no reason to panic.
    let edges: Vec<(usize, usize, Method)> = k
        .lineage
        .edges()
        .iter()
        .map(|e| (e.parent.index(), e.child.index(), e.method))
        .filter(|&(p, c, _)| p < model_count && c < model_count && p != c)
        .collect();
    let graph = Graph {
        depth: (0..model_count)
            .map(|i| depths.get(i).copied().unwrap_or(0))
            .collect(),
        edges: edges.iter().map(|&(p, c, _)| (p, c)).collect(),
    };

    let names: Vec<&str> = k.models.iter().map(|m| m.name.as_str()).collect();
    let labels: Vec<&str> = edges.iter().map(|&(_, _, m)| m.label(false)).collect();

    let mut to_measure: Vec<(&str, f32)> = names.iter().map(|&n| (n, NAME_FONT)).collect();
    to_measure.extend(labels.iter().map(|&l| (l, LABEL_FONT)));
    to_measure.extend(legend.iter().map(|(_, w)| (w.as_str(), LABEL_FONT)));
    to_measure.push((title, TITLE_FONT));
    let mut widths = font::text_widths(&to_measure);
    let title_width = widths.pop().unwrap_or(0.0);
    let legend_widths = widths.split_off(widths.len().saturating_sub(legend.len()));
    let legend = legend
        .into_iter()
        .zip(legend_widths)
        .map(|((rgb, words), w)| (rgb, words, w))
        .collect();
    let label_widths = widths.split_off(names.len().min(widths.len()));
    let sizes = Sizes {
        names: widths,
        labels: label_widths,
        title: title_width,
    };
    let layout = layout::lay_out(&graph, &sizes);

    let (node_emphasis, arrow_emphasis) = look(&graph);
    svg::write(
        &layout,
        &Content {
            title,
            names,
            labels,
            node_emphasis,
            arrow_emphasis,
            legend,
        },
    )
}

/// Who stands out: the highlighted model, its ancestors and the arrows
/// between them; everything else is muted. Without a highlight, nothing is.
fn emphasis(
    k: &Knowledge,
    graph: &Graph,
    highlight: Option<ModelId>,
) -> (Vec<Emphasis>, Vec<Emphasis>) {
    let node_count = graph.depth.len();
    let Some(chosen) = highlight else {
        return (
            vec![Emphasis::Plain; node_count],
            vec![Emphasis::Plain; graph.edges.len()],
        );
    };
    let ancestors: HashSet<usize> = k
        .lineage
        .ancestors(chosen)
        .into_iter()
        .map(ModelId::index)
        .collect();
    let nodes = (0..node_count)
        .map(|i| {
            if i == chosen.index() {
                Emphasis::Chosen
            } else if ancestors.contains(&i) {
                Emphasis::OnPath
            } else {
                Emphasis::Muted
            }
        })
        .collect();
    // The parent of a model on the path is itself an ancestor, so an arrow is
    // on the path exactly when its child is.
    let arrows = graph
        .edges
        .iter()
        .map(|&(_, child)| {
            if child == chosen.index() || ancestors.contains(&child) {
                Emphasis::OnPath
            } else {
                Emphasis::Muted
            }
        })
        .collect();
    (nodes, arrows)
}

/// The lineage as PNG bytes, ready to attach to a message.
pub fn lineage_png(k: &Knowledge, highlight: Option<ModelId>) -> Result<Vec<u8>, PictureError> {
    png(&lineage_svg(k, highlight))
}

/// The lineage coloured by one capability, as PNG bytes.
pub fn capability_png(k: &Knowledge, capability: CapabilityId) -> Result<Vec<u8>, PictureError> {
    png(&capability_svg(k, capability))
}

/// The capability matrix (models down, capabilities across) as SVG text.
pub fn matrix_svg(k: &Knowledge, a: &crate::engine::MatrixAnswer) -> String {
    let grid = matrix::Grid {
        models: &a.models,
        columns: a
            .capabilities
            .iter()
            .map(|&c| k.capability(c).name.pick(false).to_string())
            .collect(),
        cells: a
            .cells
            .iter()
            .map(|row| {
                row.iter()
                    .map(|cell| cell.iter().map(|s| s.status).collect())
                    .collect()
            })
            .collect(),
        used: a.statuses_used(),
    };
    matrix::svg(k, &grid)
}

/// The capability matrix as PNG bytes.
pub fn matrix_png(k: &Knowledge, a: &crate::engine::MatrixAnswer) -> Result<Vec<u8>, PictureError> {
    png(&matrix_svg(k, a))
}

fn png(svg: &str) -> Result<Vec<u8>, PictureError> {
    let tree = usvg::Tree::from_str(svg, &font::options())?;
    let size = tree.size().to_int_size();
    let (width, height) = (size.width(), size.height());
    let mut pixmap =
        tiny_skia::Pixmap::new(width, height).ok_or(PictureError::Canvas { width, height })?;
    resvg::render(
        &tree,
        tiny_skia::Transform::identity(),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| PictureError::Encode(e.to_string()))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::domain::{Edge, Family, Lineage, Model, NameIndex, Resolved, Text};

    fn bundled() -> Knowledge {
        crate::knowledge::load_dir(Path::new("knowledge")).expect("bundled notes")
    }

    fn id_of(k: &Knowledge, name: &str) -> ModelId {
        match k.resolve_model(name) {
            Resolved::One(id) => id,
            other => panic!("{name} resolves to {other:?}"),
        }
    }

    /// A knowledge of `n` models named `model-0`… and the given edges.
    fn toy(n: u16, edges: &[(u16, u16)]) -> Knowledge {
        let model = |i: u16| Model {
            id: ModelId(i),
            slug: format!("model-{i}"),
            name: format!("model-{i}"),
            name_zh: None,
            family: 0,
            generation: None,
            aliases: vec![],
            parameters: None,
            summary: Text::Plain(String::new()),
            summary_source: None,
            summary_at: None,
            training: None,
            gains: vec![],
            trade_offs: vec![],
            stage: None,
        };
        let edges = edges
            .iter()
            .map(|&(p, c)| Edge {
                parent: ModelId(p),
                child: ModelId(c),
                method: Method::Sft,
            })
            .collect();
        Knowledge {
            models: (0..n).map(model).collect(),
            families: vec![Family {
                slug: "toy".into(),
                name: Text::Plain("Toy".into()),
            }],
            lineage: Lineage::new(n as usize, edges),
            terms: vec![],
            passages: vec![],
            units: vec![],
            comparisons: vec![],
            capabilities: vec![],
            names: NameIndex::default(),
            synonyms: vec![],
            chain_at: None,
        }
    }

    struct Decoded {
        width: u32,
        rgba: Vec<u8>,
    }

    fn decode(bytes: &[u8]) -> Decoded {
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let mut reader = decoder.read_info().expect("png header");
        let mut rgba = vec![0; reader.output_buffer_size().expect("buffer size")];
        let info = reader.next_frame(&mut rgba).expect("png frame");
        assert_eq!(info.color_type, png::ColorType::Rgba);
        rgba.truncate(info.buffer_size());
        Decoded {
            width: info.width,
            rgba,
        }
    }

    fn highlight_pixels(picture: &Decoded) -> usize {
        picture
            .rgba
            .chunks_exact(4)
            .filter(|p| p[..3] == HIGHLIGHT_RGB && p[3] == 255)
            .count()
    }

    #[test]
    fn chatgpt_and_its_path_stand_out() {
        let k = bundled();
        let png = lineage_png(&k, Some(id_of(&k, "chatgpt"))).expect("renders");
        assert!(png.len() < 200_000, "{} bytes", png.len());
        let picture = decode(&png);
        assert!(picture.width >= 800, "{} px wide", picture.width);
        assert!(highlight_pixels(&picture) > 1000);
    }

    #[test]
    fn no_highlight_draws_no_highlight_colour() {
        let k = bundled();
        let picture = decode(&lineage_png(&k, None).expect("renders"));
        assert!(picture.width >= 800);
        assert_eq!(highlight_pixels(&picture), 0);
    }

    #[test]
    fn the_svg_names_every_model_and_method() {
        let k = bundled();
        assert_eq!(k.models.len(), 9);
        assert_eq!(k.lineage.edges().len(), 9);
        let svg = lineage_svg(&k, Some(id_of(&k, "text-davinci-002")));
        for m in &k.models {
            assert!(svg.contains(&format!(">{}</text>", m.name)), "{}", m.name);
        }
        for method in Method::ALL {
            assert!(svg.contains(method.label(false)), "{method}");
        }
        usvg::Tree::from_str(&svg, &font::options()).expect("valid SVG");
    }

    #[test]
    fn model_names_are_escaped() {
        let mut k = toy(2, &[(0, 1)]);
        k.models[1].name = "<b>&\"x\"".into();
        let svg = lineage_svg(&k, Some(ModelId(1)));
        assert!(svg.contains("&lt;b&gt;&amp;&quot;x&quot;"));
        usvg::Tree::from_str(&svg, &font::options()).expect("valid SVG");
    }

    #[test]
    fn odd_knowledge_still_renders() {
        let chain: Vec<(u16, u16)> = (0..39).map(|i| (i, i + 1)).collect();
        let fan: Vec<(u16, u16)> = (1..40).map(|i| (0, i)).collect();
        let cases = [
            toy(1, &[]),
            toy(5, &[]),
            toy(40, &[]),
            toy(40, &chain),
            toy(40, &fan),
            // Ids the loader would reject: out of range, and a self-loop.
            toy(3, &[(0, 7), (1, 1), (0, 2)]),
        ];
        for k in &cases {
            for highlight in [None, Some(ModelId(0)), Some(ModelId(39)), Some(ModelId(99))] {
                let picture = decode(&lineage_png(k, highlight).expect("renders"));
                assert!(picture.width >= 800);
            }
        }
        let fixture = crate::knowledge::load_dir(Path::new("tests/fixtures/knowledge"))
            .expect("fixture notes");
        assert_eq!(fixture.models.len(), 4);
        let gamma = id_of(&fixture, "gamma");
        assert!(highlight_pixels(&decode(&lineage_png(&fixture, Some(gamma)).unwrap())) > 0);
    }

    fn pixels_of(picture: &Decoded, rgb: [u8; 3]) -> usize {
        picture
            .rgba
            .chunks_exact(4)
            .filter(|p| p[..3] == rgb && p[3] == 255)
            .count()
    }

    fn capability_of(k: &Knowledge, name: &str) -> CapabilityId {
        k.resolve_capability(name).expect("a capability")
    }

    #[test]
    fn a_capability_picture_colours_models_by_status() {
        let k = bundled();
        let icl = capability_of(&k, "in-context-learning");
        let png = capability_png(&k, icl).expect("renders");
        assert!(png.len() < 200_000, "{} bytes", png.len());
        let picture = decode(&png);
        assert!(picture.width >= 800, "{} px wide", picture.width);
        // Each status the knowledge gives a model fills its box (and the
        // legend's swatch); statuses no model has are not drawn.
        let c = k.capability(icl);
        for s in Status::ALL {
            let given = k.models.iter().any(|m| c.main_status(m.id) == Some(s));
            let drawn = pixels_of(&picture, status_rgb(s));
            assert_eq!(given, drawn > 500, "{s:?}: {drawn} px");
        }
        assert_eq!(highlight_pixels(&picture), 0);
    }

    #[test]
    fn the_capability_svg_has_a_legend_and_every_model() {
        let k = bundled();
        let svg = capability_svg(&k, capability_of(&k, "ICL"));
        for m in &k.models {
            assert!(svg.contains(&format!(">{}</text>", m.name)), "{}", m.name);
        }
        for words in [
            "strong",
            "weakened",
            "restored",
            "traded away",
            "not in the notes",
        ] {
            assert!(svg.contains(&format!(">{words}</text>")), "{words}");
        }
        assert!(
            !svg.contains(">absent</text>"),
            "only statuses drawn are explained"
        );
        assert!(svg.contains("In-context learning along the lineage"));
        usvg::Tree::from_str(&svg, &font::options()).expect("valid SVG");
    }

    /// Writes `docs/capability-in-context-learning.png`:
    /// `cargo test --lib picture -- --ignored`.
    #[test]
    #[ignore = "writes a file into docs/"]
    fn write_the_docs_capability_picture() {
        let k = bundled();
        let png = capability_png(&k, capability_of(&k, "in-context-learning")).expect("renders");
        std::fs::write("docs/capability-in-context-learning.png", png).expect("docs/ is writable");
    }

    /// Writes `docs/lineage-chatgpt.png`, to look at the picture:
    /// `cargo test --lib picture -- --ignored`.
    #[test]
    #[ignore = "writes a file into docs/"]
    fn write_the_docs_picture() {
        let k = bundled();
        let png = lineage_png(&k, Some(id_of(&k, "chatgpt"))).expect("renders");
        std::fs::write("docs/lineage-chatgpt.png", png).expect("docs/ is writable");
    }
}
