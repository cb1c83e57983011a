//! The select tool: click to select; drag to move; drag a vertex to reshape; double-click an edge to
//! add a vertex; Alt+click a vertex to delete it. The canvas never sets the selection itself: the tool
//! asks for it with [`CanvasAction::Select`], and the app applies it.

use super::CanvasAction;
use super::tool::{CanvasTool, ToolInput, ToolSpec};
use crate::domain::annotation::{HitPart, Region};
use crate::domain::edit::Edit;
use crate::domain::geometry::{Point, Shape, ShapeKind, closest_point_on_segment};
use crate::ui::command::UiCommand;

/// The select tool.
pub static SPEC: ToolSpec = ToolSpec {
    name: "Select",
    hint: "Click to select; drag to move; drag a vertex to reshape; double-click an edge to add a vertex; Alt+click a vertex to delete it; arrows nudge.",
    draws: None,
    command: UiCommand::ToolSelect,
    start,
};

fn start() -> Box<dyn CanvasTool> {
    Box::<SelectTool>::default()
}

/// What the grabbed part of a region is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Grab {
    /// The whole region moves.
    Body,
    /// One vertex moves.
    Vertex(usize),
}

/// A region or vertex being dragged: which, what was grabbed, where the press was, where it is now.
#[derive(Clone, Debug, PartialEq)]
struct Drag {
    id: String,
    grab: Grab,
    from: Point,
    to: Point,
}

#[derive(Debug, Default)]
struct SelectTool {
    drag: Option<Drag>,
}

impl CanvasTool for SelectTool {
    fn frame(&mut self, input: &ToolInput<'_>) -> Vec<CanvasAction> {
        let ann = input.annotation;
        let hit_at = |p: Point| input.hits.hit_test(p, input.tolerance, input.visible);
        let mut actions = Vec::new();
        if input.drag_started
            && let Some(from) = input.press
        {
            match hit_at(from).and_then(|hit| Some((hit, ann.regions.get(hit.region)?))) {
                Some((hit, region)) => {
                    let grab = match hit.part {
                        HitPart::Vertex(v) => Grab::Vertex(v),
                        HitPart::Edge(_) | HitPart::Body => Grab::Body,
                    };
                    actions.push(CanvasAction::Select(Some(region.id.clone())));
                    self.drag = Some(Drag {
                        id: region.id.clone(),
                        grab,
                        from,
                        to: from,
                    });
                }
                None => actions.push(CanvasAction::Select(None)),
            }
        }
        if let (Some(drag), Some(p)) = (&mut self.drag, input.pointer) {
            drag.to = input.clamp(p);
        }
        if input.drag_stopped
            && let Some(Drag { id, grab, from, to }) = self.drag.take()
        {
            let (edit, moved) = match grab {
                Grab::Body => {
                    let (dx, dy) = (to.x - from.x, to.y - from.y);
                    (Edit::MoveRegion { id, dx, dy }, dx != 0.0 || dy != 0.0)
                }
                Grab::Vertex(vertex) => (Edit::MoveVertex { id, vertex, to }, from != to),
            };
            if moved {
                actions.push(CanvasAction::Apply(Box::new(edit)));
            }
            return actions;
        }
        if input.double_clicked
            && let Some(p) = input.pointer
            && let Some(hit) = hit_at(p)
            && let HitPart::Edge(e) = hit.part
            && let Some(region) = ann.regions.get(hit.region)
            && let Shape::Polygon { points } = &region.shape
        {
            let a = points.get(e).copied();
            let b = points.get((e + 1) % points.len()).copied();
            if let (Some(a), Some(b)) = (a, b) {
                actions.push(CanvasAction::Apply(Box::new(Edit::InsertVertex {
                    id: region.id.clone(),
                    index: e + 1,
                    at: closest_point_on_segment(a, b, p),
                })));
            }
            return actions;
        }
        if input.clicked
            && let Some(p) = input.pointer
        {
            let hit = hit_at(p);
            let region = hit.and_then(|h| ann.regions.get(h.region));
            if input.alt
                && let (Some(hit), Some(region)) = (hit, region)
                && let HitPart::Vertex(index) = hit.part
                && region.shape.kind() == ShapeKind::Polygon
            {
                actions.push(CanvasAction::Apply(Box::new(Edit::DeleteVertex {
                    id: region.id.clone(),
                    index,
                })));
            }
            actions.push(CanvasAction::Select(region.map(|r| r.id.clone())));
        }
        actions
    }

    fn preview(&self, region: &Region) -> Option<Shape> {
        let drag = self.drag.as_ref().filter(|d| d.id == region.id)?;
        match drag.grab {
            Grab::Body => Some(
                region
                    .shape
                    .translated(drag.to.x - drag.from.x, drag.to.y - drag.from.y),
            ),
            Grab::Vertex(v) => region.shape.with_vertex_moved(v, drag.to),
        }
    }

    fn has_draft(&self) -> bool {
        self.drag.is_some()
    }

    /// Dragging an existing region is editing, not drawing a new one.
    fn is_drawing(&self) -> bool {
        false
    }

    fn cancel(&mut self) {
        self.drag = None;
    }
}
