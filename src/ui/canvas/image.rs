//! Painting the task's image: one texture, or the tiles of a huge one that the view needs, at the
//! level its zoom needs (with the nearest coarser tile held standing in for one still being cut),
//! or why it is not there.

use super::view::View;
use crate::domain::geometry::Point;
use crate::domain::pyramid::TileId;
use crate::ui::image_loader::ImageState;
use crate::ui::tiles::{ResidentTile, TiledImage};
use egui::{Color32, Pos2};
use std::collections::BTreeSet;

/// What the canvas drew of a tiled image in its last frame, and the tiles it asked for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TileFrame {
    /// The level shown (0 is full resolution).
    pub level: u8,
    /// Tiles of that level drawn.
    pub drawn: usize,
    /// Coarser tiles drawn in place of tiles not cut yet.
    pub stand_ins: usize,
    /// The tiles asked for: those in view at the level, and the coarsest level's.
    pub wanted: Vec<TileId>,
}

/// Paints `image` into `image_rect` (the image's full extent on screen) of `response.rect`; for a
/// tiled image, fills `frame` with what was drawn and is wanted.
pub(super) fn paint_image(
    ui: &egui::Ui,
    painter: &egui::Painter,
    response: &egui::Response,
    image: &ImageState,
    view: &View,
    frame: &mut TileFrame,
) {
    let image_rect = |size: egui::Vec2| {
        egui::Rect::from_min_max(
            view.screen_from_image(Point::new(0.0, 0.0)),
            view.screen_from_image(Point::new(f64::from(size.x), f64::from(size.y))),
        )
    };
    *frame = TileFrame::default();
    match image {
        ImageState::Ready { texture, full_size } => {
            let uv = egui::Rect::from_min_max(Pos2::ZERO, Pos2::new(1.0, 1.0));
            painter.image(texture.id(), image_rect(*full_size), uv, Color32::WHITE);
        }
        ImageState::Tiled { image, full_size } => {
            painter.rect_filled(image_rect(*full_size), 0.0, Color32::from_gray(40));
            paint_tiles(ui, painter, response, image, view, frame);
        }
        ImageState::Loading => {
            painter.text(
                response.rect.center(),
                egui::Align2::CENTER_CENTER,
                "Loading image…",
                egui::FontId::proportional(18.0),
                Color32::from_gray(200),
            );
        }
        ImageState::Failed(message) => {
            painter.text(
                response.rect.center(),
                egui::Align2::CENTER_CENTER,
                format!(
                    "Cannot show this image:\n{message}\n\nYou can skip the task (Ctrl+Space)."
                ),
                egui::FontId::proportional(16.0),
                ui.visuals().error_fg_color,
            );
        }
    }
}

fn paint_tiles(
    ui: &egui::Ui,
    painter: &egui::Painter,
    response: &egui::Response,
    image: &TiledImage,
    view: &View,
    frame: &mut TileFrame,
) {
    let pyramid = &image.pyramid;
    let pixels_per_point = ui.ctx().pixels_per_point();
    let level = pyramid.level_for(f64::from(view.zoom * pixels_per_point));
    let top_left = view.image_from_screen(response.rect.min);
    let bottom_right = view.image_from_screen(response.rect.max);
    let visible = [top_left.x, top_left.y, bottom_right.x, bottom_right.y];
    let tiles = pyramid.tiles_in(level, visible);
    let top = u8::try_from(pyramid.level_count().saturating_sub(1)).unwrap_or(u8::MAX);
    // The coarsest level is one tile: always asked for, it stands in for anything not cut yet.
    let mut wanted = tiles.clone();
    if top != level {
        wanted.extend(pyramid.tiles_in(top, visible));
    }
    let resident = &image.resident;
    let mut stand_ins: BTreeSet<(std::cmp::Reverse<u8>, TileId)> = BTreeSet::new();
    for id in tiles.iter().filter(|id| !resident.contains_key(id)) {
        let mut parent = pyramid.parent(*id);
        while let Some(p) = parent {
            if resident.contains_key(&p) {
                stand_ins.insert((std::cmp::Reverse(p.level), p));
                break;
            }
            parent = pyramid.parent(p);
        }
    }
    let draw = |tile: &ResidentTile| {
        let to_screen =
            |p: Pos2| view.screen_from_image(Point::new(f64::from(p.x), f64::from(p.y)));
        let rect = egui::Rect::from_min_max(to_screen(tile.covers.min), to_screen(tile.covers.max));
        painter.image(tile.texture, rect, tile.uv, Color32::WHITE);
    };
    // Coarsest first, so that finer tiles lie over them.
    for (_, id) in &stand_ins {
        if let Some(tile) = resident.get(id) {
            draw(tile);
        }
    }
    let mut drawn = 0;
    for tile in tiles.iter().filter_map(|id| resident.get(id)) {
        draw(tile);
        drawn += 1;
    }
    *frame = TileFrame {
        level,
        drawn,
        stand_ins: stand_ins.len(),
        wanted,
    };
}
