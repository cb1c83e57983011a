//! The rectangle tool: press, drag and release to draw a box.

use super::tool::{CanvasTool, ToolInput, ToolSpec};
use super::view::View;
use super::{CanvasAction, DRAFT_COLOR};
use crate::domain::geometry::{Point, Rect, Shape, ShapeKind};
use crate::ui::command::UiCommand;
use egui::{Pos2, Stroke};

/// The rectangle tool.
pub static SPEC: ToolSpec = ToolSpec {
    name: "Rectangle",
    hint: "Press, drag and release to draw a box.",
    draws: Some(ShapeKind::Rectangle),
    command: UiCommand::ToolRectangle,
    start,
};

fn start() -> Box<dyn CanvasTool> {
    Box::<RectangleTool>::default()
}

/// A box being dragged: where the drag started and where the pointer is.
#[derive(Debug, Default)]
struct RectangleTool {
    drag: Option<(Point, Point)>,
}

impl CanvasTool for RectangleTool {
    fn frame(&mut self, input: &ToolInput<'_>) -> Vec<CanvasAction> {
        if input.drag_started
            && let Some(start) = input.press
        {
            let start = input.clamp(start);
            self.drag = Some((start, start));
        }
        if let (Some((_, end)), Some(p)) = (&mut self.drag, input.pointer) {
            *end = input.clamp(p);
        }
        if input.drag_stopped
            && let Some((start, end)) = self.drag.take()
        {
            let r = Rect::from_corners(start, end);
            if r.width() >= input.min_drag && r.height() >= input.min_drag {
                return vec![CanvasAction::AddShape(Shape::rectangle(start, end))];
            }
        }
        Vec::new()
    }

    fn paint(&self, painter: &egui::Painter, view: &View, _hover: Option<Pos2>) {
        if let Some((start, end)) = self.drag {
            let r = egui::Rect::from_two_pos(
                view.screen_from_image(start),
                view.screen_from_image(end),
            );
            painter.rect_stroke(
                r,
                0.0,
                Stroke::new(2.0, DRAFT_COLOR),
                egui::StrokeKind::Middle,
            );
        }
    }

    fn has_draft(&self) -> bool {
        self.drag.is_some()
    }

    fn cancel(&mut self) {
        self.drag = None;
    }
}
