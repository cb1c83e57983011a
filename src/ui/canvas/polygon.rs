//! The polygon tool: click the vertices; Enter, a click on the first vertex or a double-click on the
//! last closes it.

use super::tool::{CanvasTool, ToolInput, ToolSpec};
use super::view::View;
use super::{CanvasAction, DRAFT_COLOR};
use crate::domain::geometry::{Point, Shape, ShapeKind};
use crate::ui::command::UiCommand;
use egui::{Pos2, Stroke};

/// The polygon tool.
pub static SPEC: ToolSpec = ToolSpec {
    name: "Polygon",
    hint: "Click the vertices. Enter, a click on the first vertex or a double-click closes; Backspace removes the last; Esc cancels.",
    draws: Some(ShapeKind::Polygon),
    command: UiCommand::ToolPolygon,
    start,
};

fn start() -> Box<dyn CanvasTool> {
    Box::<PolygonTool>::default()
}

/// The vertices clicked so far; none when nothing is being drawn.
#[derive(Debug, Default)]
struct PolygonTool {
    points: Vec<Point>,
}

impl CanvasTool for PolygonTool {
    fn frame(&mut self, input: &ToolInput<'_>) -> Vec<CanvasAction> {
        let Some(p) = input.pointer.filter(|_| input.clicked) else {
            return Vec::new();
        };
        let p = input.clamp(p);
        let near = |q: Option<&Point>| q.is_some_and(|q| q.distance(p) <= input.tolerance);
        let on_last = input.double_clicked && near(self.points.last());
        // egui reports any two quick clicks as a double-click; only one on the same spot (the last
        // vertex) closes the polygon, so fast clicking along an outline is safe.
        let closes = self.points.len() >= 3 && (on_last || near(self.points.first()));
        if closes {
            return self
                .finish(input.tolerance)
                .map(CanvasAction::AddShape)
                .into_iter()
                .collect();
        }
        if !on_last {
            self.points.push(p);
        }
        Vec::new()
    }

    fn paint(&self, painter: &egui::Painter, view: &View, hover: Option<Pos2>) {
        if self.points.is_empty() {
            return;
        }
        let mut line: Vec<Pos2> = self
            .points
            .iter()
            .map(|p| view.screen_from_image(*p))
            .collect();
        line.extend(hover);
        painter.add(egui::Shape::line(line, Stroke::new(2.0, DRAFT_COLOR)));
        for (i, p) in self.points.iter().enumerate() {
            let radius = if i == 0 { 6.0 } else { 4.0 };
            painter.circle_filled(view.screen_from_image(*p), radius, DRAFT_COLOR);
        }
    }

    fn has_draft(&self) -> bool {
        !self.points.is_empty()
    }

    fn cancel(&mut self) {
        self.points.clear();
    }

    /// Closes the polygon, dropping a last vertex that repeats the one before it (the second click of
    /// a double-click). `None` (and the vertices are kept) when fewer than three remain.
    fn finish(&mut self, tolerance: f64) -> Option<Shape> {
        while let [.., a, b] = self.points.as_slice()
            && a.distance(*b) <= tolerance
        {
            self.points.pop();
        }
        if self.points.len() < 3 {
            return None;
        }
        Some(Shape::Polygon {
            points: std::mem::take(&mut self.points),
        })
    }

    fn remove_last(&mut self) -> bool {
        self.points.pop().is_some()
    }
}
