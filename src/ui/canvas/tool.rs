//! The interface every drawing tool implements, and the one list of tools. A tool turns the frame's
//! pointer input into draft updates (its own state) and, when a draft is finished, into at most one
//! [`CanvasAction`]; it paints its own draft. Adding a tool is one file and one line in [`tools!`].

use super::CanvasAction;
use super::view::View;
use crate::domain::annotation::{Annotation, Region};
use crate::domain::geometry::{Point, Shape, ShapeKind};
use crate::domain::hit_index::Hits;
use crate::ui::command::UiCommand;
use egui::Pos2;

/// What a tool sees of one frame, in image pixels.
pub struct ToolInput<'a> {
    /// Where the primary button went down (for drags).
    pub press: Option<Point>,
    /// Where the pointer is (while dragging, or hovering).
    pub pointer: Option<Point>,
    /// A click ended this frame.
    pub clicked: bool,
    /// A double-click ended this frame.
    pub double_clicked: bool,
    /// A primary-button drag started this frame.
    pub drag_started: bool,
    /// A primary-button drag ended this frame.
    pub drag_stopped: bool,
    /// Alt is held.
    pub alt: bool,
    /// How near (image pixels) a click must be to hit a vertex or an edge.
    pub tolerance: f64,
    /// The shortest drag (image pixels) that draws a box.
    pub min_drag: f64,
    /// The image's size in image pixels.
    pub image_size: (f64, f64),
    /// The task's regions.
    pub annotation: &'a Annotation,
    /// Hit tests on them, through their spatial index.
    pub hits: Hits<'a>,
    /// Whether a region is shown (and so can be hit).
    pub visible: &'a dyn Fn(&Region) -> bool,
}

impl ToolInput<'_> {
    /// `p` moved inside the image.
    pub fn clamp(&self, p: Point) -> Point {
        Point::new(
            p.x.clamp(0.0, self.image_size.0),
            p.y.clamp(0.0, self.image_size.1),
        )
    }
}

/// A drawing tool with its work in progress.
pub trait CanvasTool: std::fmt::Debug {
    /// Handles this frame's input: updates the draft, and returns what the worker finished.
    fn frame(&mut self, input: &ToolInput<'_>) -> Vec<CanvasAction>;

    /// Paints the work in progress; `hover` is the pointer on screen.
    fn paint(&self, _painter: &egui::Painter, _view: &View, _hover: Option<Pos2>) {}

    /// The shape `region` shows while this tool is changing it (a drag in progress).
    fn preview(&self, _region: &Region) -> Option<Shape> {
        None
    }

    /// True while something is being drawn or dragged.
    fn has_draft(&self) -> bool;

    /// True while a new region is being drawn (the work log's drawing time runs from here).
    fn is_drawing(&self) -> bool {
        self.has_draft()
    }

    /// Drops the work in progress.
    fn cancel(&mut self);

    /// Finishes the work in progress as a shape (Enter); `None` when there is nothing to finish yet.
    /// `tolerance` is the vertex hit distance in image pixels.
    fn finish(&mut self, _tolerance: f64) -> Option<Shape> {
        None
    }

    /// Removes the last point placed (Backspace); `false` when there was none.
    fn remove_last(&mut self) -> bool {
        false
    }
}

/// What a tool is, for buttons, the status line and the bundle's allowed shapes.
pub struct ToolSpec {
    /// Name for buttons and the status line.
    pub name: &'static str,
    /// What the worker does with it, shown under the tools.
    pub hint: &'static str,
    /// The shape it draws (the bundle must allow it); `None` for tools that draw nothing.
    pub draws: Option<ShapeKind>,
    /// The command (and so the key) that picks it.
    pub command: UiCommand,
    /// A fresh tool, with no work in progress.
    pub start: fn() -> Box<dyn CanvasTool>,
}

/// Defines [`Tool`], its list, and where each tool's [`ToolSpec`] is: one line per tool.
macro_rules! tools {
    ($($(#[$doc:meta])* $variant:ident => $module:ident),* $(,)?) => {
        /// The drawing tools.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Tool {
            $($(#[$doc])* $variant),*
        }

        impl Tool {
            /// Every tool, in the order the tool panel lists them.
            pub const ALL: &'static [Tool] = &[$(Tool::$variant),*];

            /// What the tool is.
            pub fn spec(self) -> &'static ToolSpec {
                match self {
                    $(Tool::$variant => &super::$module::SPEC),*
                }
            }
        }
    };
}

tools! {
    /// Press-drag-release a box.
    Rectangle => rectangle,
    /// Click vertices; Enter, a click on the first vertex, or a double-click closes.
    Polygon => polygon,
    /// Click a point.
    Point => point,
    /// Click the four extreme points of an object; get its tight box.
    ExtremeBox => extreme,
    /// Select, move, reshape.
    Select => select,
}

impl Tool {
    /// Name for buttons and the status line.
    pub fn name(self) -> &'static str {
        self.spec().name
    }

    /// What the worker does with it.
    pub fn hint(self) -> &'static str {
        self.spec().hint
    }

    /// The tool a command picks, if it picks one.
    pub fn for_command(command: UiCommand) -> Option<Tool> {
        Tool::ALL
            .iter()
            .copied()
            .find(|t| t.spec().command == command)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn each_tool_has_its_own_command_and_name() {
        let commands: HashSet<UiCommand> = Tool::ALL.iter().map(|t| t.spec().command).collect();
        let names: HashSet<&str> = Tool::ALL.iter().map(|t| t.name()).collect();
        assert_eq!(commands.len(), Tool::ALL.len());
        assert_eq!(names.len(), Tool::ALL.len());
        for tool in Tool::ALL {
            assert_eq!(Tool::for_command(tool.spec().command), Some(*tool));
            assert!(!(tool.spec().start)().has_draft());
        }
    }
}
