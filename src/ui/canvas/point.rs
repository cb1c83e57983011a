//! The point tool: a click places a point.

use super::CanvasAction;
use super::tool::{CanvasTool, ToolInput, ToolSpec};
use crate::domain::geometry::{Shape, ShapeKind};
use crate::ui::command::UiCommand;

/// The point tool.
pub static SPEC: ToolSpec = ToolSpec {
    name: "Point",
    hint: "Click to place a point.",
    draws: Some(ShapeKind::Point),
    command: UiCommand::ToolPoint,
    start,
};

fn start() -> Box<dyn CanvasTool> {
    Box::new(PointTool)
}

/// Nothing is ever in progress: each click is a whole point.
#[derive(Debug)]
struct PointTool;

impl CanvasTool for PointTool {
    fn frame(&mut self, input: &ToolInput<'_>) -> Vec<CanvasAction> {
        match input.pointer {
            Some(p) if input.clicked => {
                vec![CanvasAction::AddShape(Shape::Point { at: input.clamp(p) })]
            }
            _ => Vec::new(),
        }
    }

    fn has_draft(&self) -> bool {
        false
    }

    fn cancel(&mut self) {}
}
