//! The extreme-click box tool: click the top, bottom, left and right extremes of an object, in any
//! order, and get its tight box (Papadopoulos et al., 2017: about four times faster than dragging).

use super::tool::{CanvasTool, ToolInput, ToolSpec};
use super::view::View;
use super::{CanvasAction, DRAFT_COLOR};
use crate::domain::geometry::{Point, Rect, Shape, ShapeKind};
use crate::ui::command::UiCommand;
use egui::{Pos2, Stroke, Vec2};

/// The extreme-click box tool.
pub static SPEC: ToolSpec = ToolSpec {
    name: "Extreme box",
    hint: "Click the top, bottom, left and right extremes of the object, in any order.",
    draws: Some(ShapeKind::Rectangle),
    command: UiCommand::ToolExtremeBox,
    start,
};

fn start() -> Box<dyn CanvasTool> {
    Box::<ExtremeTool>::default()
}

/// The extreme points clicked so far (one to three while drawing).
#[derive(Debug, Default)]
struct ExtremeTool {
    points: Vec<Point>,
}

impl CanvasTool for ExtremeTool {
    fn frame(&mut self, input: &ToolInput<'_>) -> Vec<CanvasAction> {
        let Some(p) = input.pointer.filter(|_| input.clicked) else {
            return Vec::new();
        };
        self.points.push(input.clamp(p));
        if self.points.len() < 4 {
            return Vec::new();
        }
        let points = std::mem::take(&mut self.points);
        match Rect::bounding(&points) {
            Some(r) if r.area() > 0.0 => {
                vec![CanvasAction::AddShape(Shape::rectangle(r.min, r.max))]
            }
            _ => Vec::new(),
        }
    }

    fn paint(&self, painter: &egui::Painter, view: &View, _hover: Option<Pos2>) {
        let stroke = Stroke::new(2.0, DRAFT_COLOR);
        for p in &self.points {
            let c = view.screen_from_image(*p);
            painter.line_segment([c - Vec2::new(7.0, 0.0), c + Vec2::new(7.0, 0.0)], stroke);
            painter.line_segment([c - Vec2::new(0.0, 7.0), c + Vec2::new(0.0, 7.0)], stroke);
        }
        if let Some(r) = Rect::bounding(&self.points) {
            let r = egui::Rect::from_two_pos(
                view.screen_from_image(r.min),
                view.screen_from_image(r.max),
            );
            painter.rect_stroke(
                r,
                0.0,
                Stroke::new(1.0, DRAFT_COLOR),
                egui::StrokeKind::Middle,
            );
        }
    }

    fn has_draft(&self) -> bool {
        !self.points.is_empty()
    }

    fn cancel(&mut self) {
        self.points.clear();
    }

    fn remove_last(&mut self) -> bool {
        self.points.pop().is_some()
    }
}
