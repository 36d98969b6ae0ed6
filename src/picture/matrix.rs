//! The capability matrix as a picture: models in lineage order down,
//! capabilities across, each cell filled with its status's colour and sign
//! (so it reads without colour), a cell the notes disagree on split in two,
//! a cell they are silent on left pale. Names are drawn in English: the
//! shipped font has no Chinese.

use std::fmt::Write as _;

use super::{font, status_rgb, status_words, svg::escape};
use crate::domain::{Knowledge, ModelId, Status};

const TITLE_FONT: f32 = 22.0;
const NAME_FONT: f32 = 16.0;
const HEADER_FONT: f32 = 15.0;
const SIGN_FONT: f32 = 17.0;
const LEGEND_FONT: f32 = 14.0;
const CELL_WIDTH: f32 = 46.0;
const CELL_HEIGHT: f32 = 34.0;
const MARGIN: f32 = 16.0;
/// The headers lean back by this much, so long names need no wide columns.
const HEADER_ANGLE_DEG: f32 = 50.0;
const INK: &str = "#1f2328";
const SILENT_FILL: &str = "#f1f3f5";
const GRID: &str = "#ffffff";

/// What the matrix shows: rows, columns and, per cell, the statuses.
pub struct Grid<'a> {
    pub models: &'a [ModelId],
    pub columns: Vec<String>,
    /// `cells[row][column]`: the statuses, in the curator's order.
    pub cells: Vec<Vec<Vec<Status>>>,
    /// The statuses some cell holds, for the legend.
    pub used: Vec<Status>,
}

fn hex(rgb: [u8; 3]) -> String {
    format!("#{:02x}{:02x}{:02x}", rgb[0], rgb[1], rgb[2])
}

/// The matrix as SVG text.
pub fn svg(k: &Knowledge, grid: &Grid<'_>) -> String {
    let title = "Capabilities along the lineage";
    let names: Vec<&str> = grid
        .models
        .iter()
        .map(|&m| k.model(m).name.as_str())
        .collect();
    let used = &grid.used;
    let legend: Vec<String> = used
        .iter()
        .map(|&s| format!("{} {}", s.plain_sign(), status_words(s)))
        .chain(std::iter::once("not in the notes".to_string()))
        .collect();

    let mut measure: Vec<(&str, f32)> = names.iter().map(|&n| (n, NAME_FONT)).collect();
    measure.extend(grid.columns.iter().map(|c| (c.as_str(), HEADER_FONT)));
    measure.extend(legend.iter().map(|l| (l.as_str(), LEGEND_FONT)));
    measure.push((title, TITLE_FONT));
    let widths = font::text_widths(&measure);
    let (name_widths, rest) = widths.split_at(names.len().min(widths.len()));
    let (header_widths, rest) = rest.split_at(grid.columns.len().min(rest.len()));
    let (legend_widths, rest) = rest.split_at(legend.len().min(rest.len()));
    let title_width = rest.first().copied().unwrap_or(0.0);

    let name_column = name_widths.iter().copied().fold(0.0f32, f32::max) + 14.0;
    let (sin, cos) = HEADER_ANGLE_DEG.to_radians().sin_cos();
    let longest_header = header_widths.iter().copied().fold(0.0f32, f32::max);
    let header_height = longest_header * sin + HEADER_FONT + 8.0;
    let columns = grid.columns.len() as f32;
    let grid_left = MARGIN + name_column;
    let grid_top = MARGIN + TITLE_FONT + 12.0 + header_height;
    let grid_width = columns * CELL_WIDTH;
    let grid_height = grid.models.len() as f32 * CELL_HEIGHT;
    // The last header leans past the grid's right edge.
    let header_overhang = header_widths
        .iter()
        .enumerate()
        .map(|(i, w)| (i as f32 + 0.5) * CELL_WIDTH + w * cos - grid_width)
        .fold(0.0f32, f32::max);

    // The legend wraps to the width of the picture.
    let body_width = name_column + grid_width + header_overhang.max(0.0);
    let width = (MARGIN * 2.0 + body_width.max(title_width)).ceil();
    let swatch = 16.0;
    let mut legend_rows: Vec<Vec<(usize, f32)>> = vec![Vec::new()];
    let mut x = 0.0;
    for (i, w) in legend_widths.iter().enumerate() {
        let item = swatch + 6.0 + w + 18.0;
        if x + item > width - MARGIN * 2.0 && x > 0.0 {
            legend_rows.push(Vec::new());
            x = 0.0;
        }
        if let Some(row) = legend_rows.last_mut() {
            row.push((i, x));
        }
        x += item;
    }
    let legend_top = grid_top + grid_height + 18.0;
    let height = (legend_top + legend_rows.len() as f32 * 24.0 + MARGIN).ceil();

    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="{}, sans-serif">"#,
        font::FAMILY
    );
    let _ = write!(
        out,
        r##"<rect width="{width}" height="{height}" fill="#ffffff"/>"##
    );
    let _ = write!(
        out,
        r#"<text x="{MARGIN}" y="{:.1}" font-size="{TITLE_FONT}" fill="{INK}" font-weight="bold">{}</text>"#,
        MARGIN + TITLE_FONT,
        escape(title)
    );
    for (i, column) in grid.columns.iter().enumerate() {
        let x = grid_left + (i as f32 + 0.5) * CELL_WIDTH;
        let y = grid_top - 6.0;
        let _ = write!(
            out,
            r#"<text x="{x:.1}" y="{y:.1}" font-size="{HEADER_FONT}" fill="{INK}" transform="rotate(-{HEADER_ANGLE_DEG} {x:.1} {y:.1})">{}</text>"#,
            escape(column)
        );
    }
    for (r, name) in names.iter().enumerate() {
        let y = grid_top + r as f32 * CELL_HEIGHT;
        let _ = write!(
            out,
            r#"<text x="{:.1}" y="{:.1}" font-size="{NAME_FONT}" fill="{INK}" text-anchor="end">{}</text>"#,
            grid_left - 10.0,
            y + CELL_HEIGHT / 2.0 + NAME_FONT * 0.35,
            escape(name)
        );
        for c in 0..grid.columns.len() {
            let statuses = grid
                .cells
                .get(r)
                .and_then(|row| row.get(c))
                .map_or(&[][..], Vec::as_slice);
            cell(&mut out, grid_left + c as f32 * CELL_WIDTH, y, statuses);
        }
    }
    for row in legend_rows.iter().enumerate() {
        let (line, items) = row;
        let y = legend_top + line as f32 * 24.0;
        for &(i, x) in items {
            let x = MARGIN + x;
            let fill = used
                .get(i)
                .map_or(SILENT_FILL.to_string(), |&s| hex(status_rgb(s)));
            let _ = write!(
                out,
                r##"<rect x="{x:.1}" y="{y:.1}" width="{swatch}" height="{swatch}" rx="3" fill="{fill}" stroke="#adb5bd" stroke-width="0.5"/>"##
            );
            let _ = write!(
                out,
                r#"<text x="{:.1}" y="{:.1}" font-size="{LEGEND_FONT}" fill="{INK}">{}</text>"#,
                x + swatch + 6.0,
                y + swatch - 3.0,
                escape(&legend[i])
            );
        }
    }
    out.push_str("</svg>");
    out
}

/// One cell: a part per status, side by side, each with its colour and sign.
fn cell(out: &mut String, x: f32, y: f32, statuses: &[Status]) {
    if statuses.is_empty() {
        let _ = write!(
            out,
            r#"<rect x="{x:.1}" y="{y:.1}" width="{CELL_WIDTH}" height="{CELL_HEIGHT}" fill="{SILENT_FILL}" stroke="{GRID}" stroke-width="2"/>"#
        );
        return;
    }
    let part = CELL_WIDTH / statuses.len() as f32;
    for (i, &s) in statuses.iter().enumerate() {
        let px = x + i as f32 * part;
        let _ = write!(
            out,
            r#"<rect x="{px:.1}" y="{y:.1}" width="{part:.1}" height="{CELL_HEIGHT}" fill="{}" stroke="{GRID}" stroke-width="2"/>"#,
            hex(status_rgb(s))
        );
        let size = if statuses.len() > 1 {
            SIGN_FONT - 4.0
        } else {
            SIGN_FONT
        };
        let _ = write!(
            out,
            r##"<text x="{:.1}" y="{:.1}" font-size="{size}" fill="#ffffff" text-anchor="middle" font-weight="bold">{}</text>"##,
            px + part / 2.0,
            y + CELL_HEIGHT / 2.0 + size * 0.36,
            escape(s.plain_sign())
        );
    }
}
