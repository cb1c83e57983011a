//! The image view: draws the task image and its regions, and turns pointer input, through the active
//! tool, into drafts and, when a draft is finished, into exactly one edit.
//!
//! Each tool is one file behind [`tool::CanvasTool`]; [`paint`] draws; [`view`] is the transform.

mod extreme;
pub mod image;
pub mod paint;
mod point;
mod polygon;
mod rectangle;
mod select;
mod tool;
pub mod view;

pub use tool::{CanvasTool, Tool, ToolInput, ToolSpec};
pub use view::View;

use crate::domain::annotation::{Annotation, Region};
use crate::domain::edit::Edit;
use crate::domain::geometry::Shape;
use crate::domain::hit_index::Hits;
use crate::ui::image_loader::ImageState;
use egui::{Color32, PointerButton, Sense, Vec2};
use std::collections::HashSet;

/// Screen points within which a vertex or edge is hit.
const HIT_TOLERANCE: f32 = 8.0;
/// Drags shorter than this (screen points) draw no rectangle.
const MIN_DRAG: f32 = 3.0;
/// The colour of work in progress.
const DRAFT_COLOR: Color32 = Color32::YELLOW;

/// What the canvas asks the app to do after layout.
#[derive(Clone, Debug, PartialEq)]
pub enum CanvasAction {
    /// Add a region with this shape, labeled with the current label, as one edit.
    AddShape(Shape),
    /// Apply an edit to an existing region (boxed: an edit can carry a whole region).
    Apply(Box<Edit>),
    /// Change the selection.
    Select(Option<String>),
    /// The worker pressed on the image to draw, select or edit (not to pan): work on the task began.
    Pressed,
}

/// Inputs the canvas reads but does not own.
pub struct CanvasInput<'a> {
    /// The image, as the loader has it.
    pub image: &'a ImageState,
    /// The image's size in image pixels (from the bundle, known before decoding).
    pub image_size: Vec2,
    /// The task's regions.
    pub annotation: &'a Annotation,
    /// Hit tests on them, through their spatial index.
    pub hits: Hits<'a>,
    /// Colour of a label by name.
    pub color_of: &'a dyn Fn(&str) -> Color32,
}

/// The canvas's own state between frames.
#[derive(Debug)]
pub struct Canvas {
    /// The image-to-screen transform.
    pub view: View,
    tool: Tool,
    /// The active tool, with its work in progress.
    active: Box<dyn CanvasTool>,
    /// The selected region's id (set by the app, from [`CanvasAction::Select`] and the region list).
    pub selected: Option<String>,
    /// False when all regions are hidden (H).
    pub regions_visible: bool,
    /// Regions hidden one by one from the region list.
    pub hidden: HashSet<String>,
    /// Fit the image at the next frame (a new task, or F).
    pub fit_pending: bool,
    triangles: paint::TriangleCache,
    tiles: image::TileFrame,
}

impl Default for Canvas {
    fn default() -> Self {
        let tool = Tool::Polygon;
        Canvas {
            view: View::default(),
            tool,
            active: (tool.spec().start)(),
            selected: None,
            regions_visible: true,
            hidden: HashSet::new(),
            fit_pending: true,
            triangles: paint::TriangleCache::default(),
            tiles: image::TileFrame::default(),
        }
    }
}

impl Canvas {
    /// The active tool.
    pub fn tool(&self) -> Tool {
        self.tool
    }

    /// Picks `tool`; a draft of another tool is dropped.
    pub fn set_tool(&mut self, tool: Tool) {
        if self.tool != tool {
            self.tool = tool;
            self.active = (tool.spec().start)();
        }
    }

    /// True while something is being drawn or dragged.
    pub fn has_draft(&self) -> bool {
        self.active.has_draft()
    }

    /// How the painted layers of untouched regions were kept up to date (built, moved, culled).
    pub fn layer_counts(&self) -> paint::LayerCounts {
        self.triangles.counts()
    }

    /// What was drawn of a tiled image in the last frame, and the tiles it needs (for the loader).
    pub fn tiles(&self) -> &image::TileFrame {
        &self.tiles
    }

    /// True while a new region is being drawn.
    pub fn is_drawing(&self) -> bool {
        self.active.is_drawing()
    }

    /// Drops the work in progress; `false` when there was none.
    pub fn cancel_draft(&mut self) -> bool {
        let had = self.active.has_draft();
        self.active.cancel();
        had
    }

    /// Finishes the draft as a shape (Enter closes a polygon); `None` when there is nothing to finish.
    pub fn finish_draft(&mut self) -> Option<Shape> {
        let tolerance = self.view.image_len(HIT_TOLERANCE);
        self.active.finish(tolerance)
    }

    /// Removes the last vertex or extreme click of the draft; `false` when there was none.
    pub fn remove_last_vertex(&mut self) -> bool {
        self.active.remove_last()
    }

    /// Resets per-task state when another task opens.
    pub fn reset_for_task(&mut self) {
        self.active.cancel();
        self.selected = None;
        self.hidden.clear();
        self.triangles.clear();
        self.fit_pending = true;
    }

    /// True when a region should be drawn and hit.
    pub fn is_visible(&self, region: &Region) -> bool {
        self.regions_visible && !self.hidden.contains(&region.id)
    }

    /// Lays out the canvas in the remaining space of `ui` and returns what the worker asked for.
    pub fn ui(&mut self, ui: &mut egui::Ui, input: &CanvasInput<'_>) -> Vec<CanvasAction> {
        let rect = ui.available_rect_before_wrap();
        let response = ui.allocate_rect(rect, Sense::click_and_drag());
        response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Canvas, true, "canvas"));
        self.view.set_canvas(rect);
        if self.fit_pending && rect.width() > 1.0 && rect.height() > 1.0 {
            self.view.fit(input.image_size);
            self.fit_pending = false;
        }
        self.navigate(ui, &response);
        let (all_visible, hidden) = (self.regions_visible, &self.hidden);
        let visible = |r: &Region| all_visible && !hidden.contains(&r.id);
        let actions = if self.is_panning(ui) {
            Vec::new()
        } else {
            let tool_input = ToolInput {
                press: ui
                    .input(|i| i.pointer.press_origin())
                    .map(|p| self.view.image_from_screen(p)),
                pointer: response
                    .interact_pointer_pos()
                    .or(response.hover_pos())
                    .map(|p| self.view.image_from_screen(p)),
                clicked: response.clicked(),
                double_clicked: response.double_clicked(),
                drag_started: response.drag_started_by(PointerButton::Primary),
                drag_stopped: response.drag_stopped_by(PointerButton::Primary),
                alt: ui.input(|i| i.modifiers.alt),
                tolerance: self.view.image_len(HIT_TOLERANCE),
                min_drag: self.view.image_len(MIN_DRAG),
                image_size: (f64::from(input.image_size.x), f64::from(input.image_size.y)),
                annotation: input.annotation,
                hits: input.hits,
                visible: &visible,
            };
            let mut actions = Vec::new();
            if response.hovered() && ui.input(|i| i.pointer.primary_pressed()) {
                actions.push(CanvasAction::Pressed);
            }
            actions.extend(self.active.frame(&tool_input));
            actions
        };
        let scene = paint::Scene {
            view: &self.view,
            tool: (self.tool, self.active.as_ref()),
            selected: self.selected.as_deref(),
            visible: &visible,
        };
        paint::paint(
            ui,
            &response,
            input,
            &scene,
            &mut self.triangles,
            &mut self.tiles,
        );
        actions
    }

    fn is_panning(&self, ui: &egui::Ui) -> bool {
        ui.input(|i| i.key_down(egui::Key::Space) || i.pointer.middle_down())
    }

    /// Wheel zooms about the cursor; middle-drag or Space+drag pans.
    fn navigate(&mut self, ui: &egui::Ui, response: &egui::Response) {
        if let Some(hover) = response.hover_pos() {
            // Raw wheel events, not the smoothed delta: zooming answers at once and needs no animation
            // frames. Ctrl+wheel is egui's own zoom gesture and arrives in `zoom_delta` instead.
            let (scroll, zoom) = ui.input(|i| {
                let wheel: f32 = if i.modifiers.command || i.modifiers.ctrl {
                    0.0
                } else {
                    i.raw
                        .events
                        .iter()
                        .filter_map(|e| match e {
                            egui::Event::MouseWheel { unit, delta, .. } => Some(match unit {
                                egui::MouseWheelUnit::Point => delta.y,
                                egui::MouseWheelUnit::Line => delta.y * 40.0,
                                egui::MouseWheelUnit::Page => delta.y * 400.0,
                            }),
                            _ => None,
                        })
                        .sum()
                };
                (wheel, i.zoom_delta())
            });
            let factor = (scroll * 0.0015).exp() * zoom;
            if (factor - 1.0).abs() > f32::EPSILON {
                self.view.zoom_about(hover, factor);
            }
        }
        let space = ui.input(|i| i.key_down(egui::Key::Space));
        if response.dragged_by(PointerButton::Middle)
            || (space && response.dragged_by(PointerButton::Primary))
        {
            self.view.pan_by(response.drag_delta());
        }
    }
}
