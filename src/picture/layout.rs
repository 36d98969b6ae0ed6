//! Where every box, arrow and label of the family tree goes: generations as
//! rows from top to bottom, each row ordered to keep arrows from crossing.
//!
//! Pure geometry over plain indices, so odd graphs can be tried without
//! building a whole knowledge.

use std::collections::BTreeMap;

/// Font sizes and spacing, in px of the final image. Chosen so that a
/// ~1100 px picture is still readable in Discord's ~400 px preview.
pub(super) const NAME_FONT: f32 = 22.0;
pub(super) const LABEL_FONT: f32 = 18.0;
pub(super) const TITLE_FONT: f32 = 26.0;
pub(super) const NODE_HEIGHT: f32 = 52.0;
pub(super) const LABEL_HEIGHT: f32 = 28.0;
pub(super) const ARROW_LENGTH: f32 = 13.0;
const NODE_PADDING: f32 = 20.0;
const LABEL_PADDING: f32 = 8.0;
const MIN_NODE_WIDTH: f32 = 110.0;
const NODE_GAP: f32 = 36.0;
/// Vertical room between rows: enough for two staggered labels.
const BAND: f32 = 150.0;
const MARGIN: f32 = 32.0;
const TITLE_BAND: f32 = 64.0;
/// The picture is never narrower than this (Discord upscales small images badly).
const MIN_WIDTH: f32 = 800.0;
/// A generation wider than this wraps onto more rows, so that 40 sibling
/// models give a tall picture rather than an unreadable strip.
const MAX_ROW_WIDTH: f32 = 1300.0;
/// Where along an arrow its label may sit (fraction of the curve), tried in
/// order until one does not collide.
const LABEL_SPOTS: [f32; 4] = [0.62, 0.36, 0.82, 0.5];
const COLLISION_MARGIN: f32 = 12.0;

/// The tree as plain indices: node `i` is model `i`.
pub(super) struct Graph {
    /// Generation of each node (its row group).
    pub depth: Vec<usize>,
    /// `(parent, child)` pairs, both valid node indices.
    pub edges: Vec<(usize, usize)>,
}

/// Measured text widths, in px.
pub(super) struct Sizes {
    pub names: Vec<f32>,
    pub labels: Vec<f32>,
    pub title: f32,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Rect {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
}

impl Rect {
    pub fn center_x(&self) -> f32 {
        self.x + self.w / 2.0
    }

    pub fn center_y(&self) -> f32 {
        self.y + self.h / 2.0
    }

    fn bottom(&self) -> f32 {
        self.y + self.h
    }

    fn overlaps(&self, other: &Rect, margin: f32) -> bool {
        self.x < other.x + other.w + margin
            && other.x < self.x + self.w + margin
            && self.y < other.y + other.h + margin
            && other.y < self.y + self.h + margin
    }
}

/// An arrow as a cubic curve from the parent's bottom to just above the
/// child (the arrowhead fills the rest), with its label box.
#[derive(Debug, Clone, Copy)]
pub(super) struct Arrow {
    pub curve: [(f32, f32); 4],
    /// Tip of the arrowhead, on the child's top edge.
    pub tip: (f32, f32),
    pub label: Rect,
}

pub(super) struct Layout {
    pub width: f32,
    pub height: f32,
    /// Baseline centre of the title.
    pub title_at: (f32, f32),
    /// One box per node, by node index.
    pub nodes: Vec<Rect>,
    /// One arrow per edge of [`Graph::edges`], same order.
    pub arrows: Vec<Arrow>,
}

pub(super) fn lay_out(graph: &Graph, sizes: &Sizes) -> Layout {
    let node_count = graph.depth.len();
    let widths: Vec<f32> = (0..node_count)
        .map(|i| {
            let text = sizes.names.get(i).copied().unwrap_or(0.0);
            (text + 2.0 * NODE_PADDING).max(MIN_NODE_WIDTH)
        })
        .collect();

    let layers = order_layers(graph);
    let rows = wrap_rows(&layers, &widths);
    let row_width = |row: &[usize]| -> f32 {
        row.iter().map(|&n| widths[n]).sum::<f32>() + NODE_GAP * row.len().saturating_sub(1) as f32
    };
    let content_width = rows.iter().map(|r| row_width(r)).fold(0.0, f32::max);
    let width = (content_width + 2.0 * MARGIN)
        .max(sizes.title + 2.0 * MARGIN)
        .max(MIN_WIDTH)
        .ceil();

    let top = MARGIN + TITLE_BAND;
    let mut nodes = vec![
        Rect {
            x: 0.0,
            y: 0.0,
            w: 0.0,
            h: 0.0
        };
        node_count
    ];
    for (r, row) in rows.iter().enumerate() {
        let y = top + r as f32 * (NODE_HEIGHT + BAND);
        let mut x = (width - row_width(row)) / 2.0;
        for &n in row {
            nodes[n] = Rect {
                x,
                y,
                w: widths[n],
                h: NODE_HEIGHT,
            };
            x += widths[n] + NODE_GAP;
        }
    }
    let height = (top + rows.len() as f32 * (NODE_HEIGHT + BAND) - BAND + MARGIN)
        .max(top + MARGIN)
        .ceil();

    let arrows = route_arrows(graph, &nodes, &sizes.labels);
    Layout {
        width,
        height,
        title_at: (width / 2.0, MARGIN + TITLE_FONT * 0.8),
        nodes,
        arrows,
    }
}

/// Nodes grouped by generation, each generation ordered by the barycentre of
/// its parents' positions (ties keep catalogue order), which is what keeps
/// arrows from crossing in a tree like this one.
fn order_layers(graph: &Graph) -> Vec<Vec<usize>> {
    let mut by_depth: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (node, &d) in graph.depth.iter().enumerate() {
        by_depth.entry(d).or_default().push(node);
    }
    let mut layers: Vec<Vec<usize>> = by_depth.into_values().collect();
    // Relative position of each node in its layer, 0..1, set layer by layer:
    // parents are always in earlier layers.
    let mut position = vec![0.5f32; graph.depth.len()];
    for layer in &mut layers {
        let len = layer.len() as f32;
        let mut keyed: Vec<(usize, f32)> = layer
            .iter()
            .enumerate()
            .map(|(i, &n)| {
                let parents: Vec<f32> = graph
                    .edges
                    .iter()
                    .filter(|&&(p, c)| c == n && p != n)
                    .map(|&(p, _)| position[p])
                    .collect();
                let key = if parents.is_empty() {
                    (i as f32 + 0.5) / len
                } else {
                    parents.iter().sum::<f32>() / parents.len() as f32
                };
                (n, key)
            })
            .collect();
        keyed.sort_by(|a, b| a.1.total_cmp(&b.1));
        *layer = keyed.into_iter().map(|(n, _)| n).collect();
        for (i, &n) in layer.iter().enumerate() {
            position[n] = (i as f32 + 0.5) / len;
        }
    }
    layers
}

/// Splits generations wider than [`MAX_ROW_WIDTH`] over several rows.
fn wrap_rows(layers: &[Vec<usize>], widths: &[f32]) -> Vec<Vec<usize>> {
    let mut rows = Vec::new();
    for layer in layers {
        let mut row: Vec<usize> = Vec::new();
        let mut used = 0.0;
        for &n in layer {
            let extra = if row.is_empty() {
                widths[n]
            } else {
                NODE_GAP + widths[n]
            };
            if !row.is_empty() && used + extra > MAX_ROW_WIDTH {
                rows.push(std::mem::take(&mut row));
                used = 0.0;
                row.push(n);
                used += widths[n];
            } else {
                row.push(n);
                used += extra;
            }
        }
        if !row.is_empty() {
            rows.push(row);
        }
    }
    rows
}

/// Curves from parent to child, each leaving and entering at its own port so
/// that two arrows into one model stay apart, and labels placed where they
/// collide with no box and no other label.
fn route_arrows(graph: &Graph, nodes: &[Rect], label_widths: &[f32]) -> Vec<Arrow> {
    let port = |node: usize, others: Vec<(usize, f32)>, edge: usize| -> f32 {
        let rect = nodes[node];
        let mut others = others;
        others.sort_by(|a, b| a.1.total_cmp(&b.1));
        let count = others.len().max(1) as f32;
        let slot = others.iter().position(|&(e, _)| e == edge).unwrap_or(0) as f32;
        let spread = (rect.w * 0.6 / count).min(40.0);
        rect.center_x() + (slot - (count - 1.0) / 2.0) * spread
    };
    let mut arrows: Vec<Arrow> = graph
        .edges
        .iter()
        .enumerate()
        .map(|(e, &(parent, child))| {
            let outgoing = graph
                .edges
                .iter()
                .enumerate()
                .filter(|(_, &(p, _))| p == parent)
                .map(|(i, &(_, c))| (i, nodes[c].center_x()))
                .collect();
            let incoming = graph
                .edges
                .iter()
                .enumerate()
                .filter(|(_, &(_, c))| c == child)
                .map(|(i, &(p, _))| (i, nodes[p].center_x()))
                .collect();
            let start = (port(parent, outgoing, e), nodes[parent].bottom());
            let tip = (port(child, incoming, e), nodes[child].y);
            let end = (tip.0, tip.1 - ARROW_LENGTH);
            let middle = (start.1 + end.1) / 2.0;
            Arrow {
                curve: [start, (start.0, middle), (end.0, middle), end],
                tip,
                label: Rect {
                    x: 0.0,
                    y: 0.0,
                    w: 0.0,
                    h: 0.0,
                },
            }
        })
        .collect();

    // Leftmost labels first, so a crowded row reads left to right.
    let mut order: Vec<usize> = (0..arrows.len()).collect();
    let desired = |a: &Arrow| point_on(&a.curve, LABEL_SPOTS[0]);
    order.sort_by(|&a, &b| {
        let (pa, pb) = (desired(&arrows[a]), desired(&arrows[b]));
        pa.1.total_cmp(&pb.1).then(pa.0.total_cmp(&pb.0))
    });
    let mut placed: Vec<Rect> = Vec::new();
    for e in order {
        let w = label_widths.get(e).copied().unwrap_or(0.0) + 2.0 * LABEL_PADDING;
        let box_at = |t: f32| {
            let (x, y) = point_on(&arrows[e].curve, t);
            Rect {
                x: x - w / 2.0,
                y: y - LABEL_HEIGHT / 2.0,
                w,
                h: LABEL_HEIGHT,
            }
        };
        let free = |r: &Rect| {
            !placed
                .iter()
                .chain(nodes.iter())
                .any(|o| r.overlaps(o, COLLISION_MARGIN))
        };
        let label = LABEL_SPOTS
            .iter()
            .map(|&t| box_at(t))
            .find(free)
            .unwrap_or_else(|| box_at(LABEL_SPOTS[0]));
        arrows[e].label = label;
        placed.push(label);
    }
    arrows
}

/// The point at `t` of a cubic Bézier curve.
fn point_on(curve: &[(f32, f32); 4], t: f32) -> (f32, f32) {
    let u = 1.0 - t;
    let weights = [u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t];
    curve
        .iter()
        .zip(weights)
        .fold((0.0, 0.0), |(x, y), (p, w)| (x + p.0 * w, y + p.1 * w))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sizes(nodes: usize, edges: usize) -> Sizes {
        Sizes {
            names: vec![150.0; nodes],
            labels: vec![120.0; edges],
            title: 200.0,
        }
    }

    #[test]
    fn children_sit_under_their_parents_side() {
        // 0 → 1, 0 → 2; 2 → 3 and 1 → 4: 3 and 4 are listed in the "wrong"
        // order and the barycentre puts 4 (child of 1) first.
        let graph = Graph {
            depth: vec![0, 1, 1, 2, 2],
            edges: vec![(0, 1), (0, 2), (2, 3), (1, 4)],
        };
        let layout = lay_out(&graph, &sizes(5, 4));
        assert!(layout.nodes[4].x < layout.nodes[3].x);
        assert!(layout.nodes[1].y > layout.nodes[0].y);
        assert_eq!(layout.arrows.len(), 4);
    }

    #[test]
    fn labels_and_boxes_do_not_collide() {
        let graph = Graph {
            depth: vec![0, 1, 1, 1, 1],
            edges: vec![(0, 1), (0, 2), (0, 3), (0, 4)],
        };
        let layout = lay_out(&graph, &sizes(5, 4));
        let labels: Vec<Rect> = layout.arrows.iter().map(|a| a.label).collect();
        for (i, a) in labels.iter().enumerate() {
            for b in labels.iter().skip(i + 1).chain(layout.nodes.iter()) {
                assert!(!a.overlaps(b, 0.0), "{a:?} overlaps {b:?}");
            }
        }
    }

    #[test]
    fn wide_generations_wrap() {
        let graph = Graph {
            depth: vec![0; 40],
            edges: vec![],
        };
        let layout = lay_out(&graph, &sizes(40, 0));
        assert!(layout.width <= MAX_ROW_WIDTH + 2.0 * MARGIN);
        assert!(layout.height > 4.0 * NODE_HEIGHT);
    }
}
