//! The image view: draws the task image and its regions, and turns pointer input into drafts and, when
//! a draft is finished, into exactly one [`Edit`].

use crate::domain::annotation::{Annotation, HitPart, Region};
use crate::domain::edit::Edit;
use crate::domain::geometry::{Point, Rect, Shape, closest_point_on_segment};
use crate::ui::image_loader::ImageState;
use crate::ui::view::View;
use egui::{Color32, PointerButton, Pos2, Sense, Stroke, Vec2};
use std::collections::HashSet;

/// Screen points within which a vertex or edge is hit.
const HIT_TOLERANCE: f32 = 8.0;
/// Drags shorter than this (screen points) draw no rectangle.
const MIN_DRAG: f32 = 3.0;

/// A shape's fill triangles, shared between the cache and the frame that paints them.
type Triangles = std::sync::Arc<Vec<[Point; 3]>>;

/// The drawing tools.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tool {
    /// Press-drag-release a box.
    Rectangle,
    /// Click vertices; Enter, a click on the first vertex, or a double-click closes.
    Polygon,
    /// Click a point.
    Point,
    /// Click the four extreme points of an object; get its tight box.
    ExtremeBox,
    /// Select, move, reshape.
    Select,
}

impl Tool {
    /// Name for buttons and the status line.
    pub fn name(self) -> &'static str {
        match self {
            Tool::Rectangle => "Rectangle",
            Tool::Polygon => "Polygon",
            Tool::Point => "Point",
            Tool::ExtremeBox => "Extreme box",
            Tool::Select => "Select",
        }
    }

    /// What the worker does with it, shown under the tools.
    pub fn hint(self) -> &'static str {
        match self {
            Tool::Rectangle => "Press, drag and release to draw a box.",
            Tool::Polygon => {
                "Click the vertices. Enter, a click on the first vertex or a double-click closes; Backspace removes the last; Esc cancels."
            }
            Tool::Point => "Click to place a point.",
            Tool::ExtremeBox => {
                "Click the top, bottom, left and right extremes of the object, in any order."
            }
            Tool::Select => {
                "Click to select; drag to move; drag a vertex to reshape; double-click an edge to add a vertex; Alt+click a vertex to delete it; arrows nudge."
            }
        }
    }
}

/// What the grabbed part of a region is, while dragging in the select tool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grab {
    /// The whole region moves.
    Body,
    /// One vertex moves.
    Vertex(usize),
}

/// Work in progress: UI state only, until it is finished and becomes one edit.
#[derive(Clone, Debug, PartialEq)]
pub enum Draft {
    /// A box being dragged.
    Rect {
        /// Where the drag started.
        start: Point,
        /// Where the pointer is.
        end: Point,
    },
    /// A polygon being clicked.
    Polygon {
        /// Vertices so far.
        points: Vec<Point>,
    },
    /// Extreme points clicked so far.
    Extreme {
        /// One to three points.
        points: Vec<Point>,
    },
    /// A region or vertex being dragged.
    Move {
        /// Which region.
        id: String,
        /// What was grabbed.
        grab: Grab,
        /// Pointer position at the press.
        from: Point,
        /// Pointer position now.
        to: Point,
    },
}

/// What the canvas asks the app to do after layout.
#[derive(Clone, Debug, PartialEq)]
pub enum CanvasAction {
    /// Add a region with this shape, labeled with the current label, as one edit.
    AddShape(Shape),
    /// Apply an edit to an existing region (boxed: an edit can carry a whole region).
    Apply(Box<Edit>),
    /// Change the selection.
    Select(Option<String>),
}

/// The canvas's own state between frames.
#[derive(Clone, Debug)]
pub struct Canvas {
    /// The image-to-screen transform.
    pub view: View,
    /// The active tool.
    pub tool: Tool,
    /// Work in progress.
    pub draft: Option<Draft>,
    /// The selected region's id.
    pub selected: Option<String>,
    /// False when all regions are hidden (H).
    pub regions_visible: bool,
    /// Regions hidden one by one from the region list.
    pub hidden: HashSet<String>,
    /// Fit the image at the next frame (a new task, or F).
    pub fit_pending: bool,
    /// Each region's fill triangles, with the shape they were made from.
    triangles: std::collections::HashMap<String, (Shape, Triangles)>,
}

impl Default for Canvas {
    fn default() -> Self {
        Canvas {
            view: View::default(),
            tool: Tool::Polygon,
            draft: None,
            selected: None,
            regions_visible: true,
            hidden: HashSet::new(),
            fit_pending: true,
            triangles: std::collections::HashMap::new(),
        }
    }
}

/// Inputs the canvas reads but does not own.
pub struct CanvasInput<'a> {
    /// The image, as the loader has it.
    pub image: &'a ImageState,
    /// The image's size in image pixels (from the bundle, known before decoding).
    pub image_size: Vec2,
    /// The task's regions.
    pub annotation: &'a Annotation,
    /// Colour of a label by name.
    pub color_of: &'a dyn Fn(&str) -> Color32,
}

impl Canvas {
    /// Resets per-task state when another task opens.
    pub fn reset_for_task(&mut self) {
        self.draft = None;
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
        let mut actions = Vec::new();
        self.navigate(ui, &response);
        if !self.is_panning(ui) {
            self.interact(ui, &response, input, &mut actions);
        }
        self.paint(ui, &response, input);
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

    fn clamp(&self, p: Point, size: Vec2) -> Point {
        Point::new(
            p.x.clamp(0.0, f64::from(size.x)),
            p.y.clamp(0.0, f64::from(size.y)),
        )
    }

    fn interact(
        &mut self,
        ui: &egui::Ui,
        response: &egui::Response,
        input: &CanvasInput<'_>,
        actions: &mut Vec<CanvasAction>,
    ) {
        let size = input.image_size;
        let tolerance = self.view.image_len(HIT_TOLERANCE);
        let press = ui
            .input(|i| i.pointer.press_origin())
            .map(|p| self.view.image_from_screen(p));
        let pointer = response
            .interact_pointer_pos()
            .or(response.hover_pos())
            .map(|p| self.view.image_from_screen(p));
        let alt = ui.input(|i| i.modifiers.alt);
        match self.tool {
            Tool::Rectangle => {
                if response.drag_started_by(PointerButton::Primary)
                    && let Some(start) = press
                {
                    let start = self.clamp(start, size);
                    self.draft = Some(Draft::Rect { start, end: start });
                }
                if let (Some(Draft::Rect { end, .. }), Some(p)) = (&mut self.draft, pointer) {
                    *end = Point::new(
                        p.x.clamp(0.0, f64::from(size.x)),
                        p.y.clamp(0.0, f64::from(size.y)),
                    );
                }
                if response.drag_stopped_by(PointerButton::Primary)
                    && let Some(Draft::Rect { start, end }) = self.draft.take()
                {
                    let r = Rect::from_corners(start, end);
                    let min = self.view.image_len(MIN_DRAG);
                    if r.width() >= min && r.height() >= min {
                        actions.push(CanvasAction::AddShape(Shape::rectangle(start, end)));
                    }
                }
            }
            Tool::Point => {
                if response.clicked()
                    && let Some(p) = pointer
                {
                    actions.push(CanvasAction::AddShape(Shape::Point {
                        at: self.clamp(p, size),
                    }));
                }
            }
            Tool::Polygon => {
                if response.clicked()
                    && let Some(p) = pointer
                {
                    let p = self.clamp(p, size);
                    let points = match self.draft.take() {
                        Some(Draft::Polygon { points }) => points,
                        _ => Vec::new(),
                    };
                    let near = |q: Option<&Point>| q.is_some_and(|q| q.distance(p) <= tolerance);
                    // egui reports any two quick clicks as a double-click; only one on the same spot
                    // (the last vertex) closes the polygon, so fast clicking along an outline is safe.
                    let closes = points.len() >= 3
                        && ((response.double_clicked() && near(points.last()))
                            || near(points.first()));
                    self.draft = Some(Draft::Polygon { points });
                    if closes {
                        if let Some(shape) = self.close_polygon() {
                            actions.push(CanvasAction::AddShape(shape));
                        }
                    } else if let Some(Draft::Polygon { points }) = &mut self.draft
                        && !(response.double_clicked() && near(points.last()))
                    {
                        points.push(p);
                    }
                }
            }
            Tool::ExtremeBox => {
                if response.clicked()
                    && let Some(p) = pointer
                {
                    let p = self.clamp(p, size);
                    let mut points = match self.draft.take() {
                        Some(Draft::Extreme { points }) => points,
                        _ => Vec::new(),
                    };
                    points.push(p);
                    if points.len() == 4 {
                        if let Some(r) = Rect::bounding(&points)
                            && r.area() > 0.0
                        {
                            actions.push(CanvasAction::AddShape(Shape::rectangle(r.min, r.max)));
                        }
                    } else {
                        self.draft = Some(Draft::Extreme { points });
                    }
                }
            }
            Tool::Select => {
                self.select_interact(response, input, press, pointer, alt, tolerance, actions)
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn select_interact(
        &mut self,
        response: &egui::Response,
        input: &CanvasInput<'_>,
        press: Option<Point>,
        pointer: Option<Point>,
        alt: bool,
        tolerance: f64,
        actions: &mut Vec<CanvasAction>,
    ) {
        let ann = input.annotation;
        let (all_visible, hidden) = (self.regions_visible, self.hidden.clone());
        let hit_at =
            |p: Point| ann.hit_test(p, tolerance, |r| all_visible && !hidden.contains(&r.id));
        if response.drag_started_by(PointerButton::Primary)
            && let Some(from) = press
        {
            match hit_at(from) {
                Some(hit) => {
                    let Some(region) = ann.regions.get(hit.region) else {
                        return;
                    };
                    let grab = match hit.part {
                        HitPart::Vertex(v) => Grab::Vertex(v),
                        HitPart::Edge(_) | HitPart::Body => Grab::Body,
                    };
                    self.selected = Some(region.id.clone());
                    actions.push(CanvasAction::Select(Some(region.id.clone())));
                    self.draft = Some(Draft::Move {
                        id: region.id.clone(),
                        grab,
                        from,
                        to: from,
                    });
                }
                None => {
                    self.selected = None;
                    actions.push(CanvasAction::Select(None));
                }
            }
        }
        if let (Some(Draft::Move { to, .. }), Some(p)) = (&mut self.draft, pointer) {
            *to = Point::new(
                p.x.clamp(0.0, f64::from(input.image_size.x)),
                p.y.clamp(0.0, f64::from(input.image_size.y)),
            );
        }
        if response.drag_stopped_by(PointerButton::Primary)
            && let Some(Draft::Move { id, grab, from, to }) = self.draft.take()
        {
            let edit = match grab {
                Grab::Body => Edit::MoveRegion {
                    id,
                    dx: to.x - from.x,
                    dy: to.y - from.y,
                },
                Grab::Vertex(vertex) => Edit::MoveVertex { id, vertex, to },
            };
            let moved = match &edit {
                Edit::MoveRegion { dx, dy, .. } => *dx != 0.0 || *dy != 0.0,
                _ => from != to,
            };
            if moved {
                actions.push(CanvasAction::Apply(Box::new(edit)));
            }
            return;
        }
        if response.double_clicked()
            && let Some(p) = pointer
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
            return;
        }
        if response.clicked()
            && let Some(p) = pointer
        {
            let hit = hit_at(p);
            let region = hit.and_then(|h| ann.regions.get(h.region));
            if alt
                && let (Some(hit), Some(region)) = (hit, region)
                && let HitPart::Vertex(index) = hit.part
                && region.shape.kind() == crate::domain::geometry::ShapeKind::Polygon
            {
                actions.push(CanvasAction::Apply(Box::new(Edit::DeleteVertex {
                    id: region.id.clone(),
                    index,
                })));
            }
            let id = region.map(|r| r.id.clone());
            self.selected = id.clone();
            actions.push(CanvasAction::Select(id));
        }
    }

    /// Closes the polygon draft, dropping a last vertex that repeats the one before it (the second click
    /// of a double-click). `None` (and the draft is kept) when fewer than three vertices remain.
    pub fn close_polygon(&mut self) -> Option<Shape> {
        let Some(Draft::Polygon { points }) = &mut self.draft else {
            return None;
        };
        let tolerance = self.view.image_len(HIT_TOLERANCE);
        while points.len() >= 2
            && let [.., a, b] = points.as_slice()
            && a.distance(*b) <= tolerance
        {
            points.pop();
        }
        if points.len() < 3 {
            return None;
        }
        let points = std::mem::take(points);
        self.draft = None;
        Some(Shape::Polygon { points })
    }

    /// Removes the last vertex or extreme click of the draft; `false` when there was none.
    pub fn remove_last_vertex(&mut self) -> bool {
        match &mut self.draft {
            Some(Draft::Polygon { points }) | Some(Draft::Extreme { points }) => {
                let removed = points.pop().is_some();
                if points.is_empty() {
                    self.draft = None;
                }
                removed
            }
            _ => false,
        }
    }

    /// The shape a region shows while it is being dragged.
    fn preview_shape(&self, region: &Region) -> Option<Shape> {
        match &self.draft {
            Some(Draft::Move { id, grab, from, to }) if *id == region.id => match grab {
                Grab::Body => Some(region.shape.translated(to.x - from.x, to.y - from.y)),
                Grab::Vertex(v) => region.shape.with_vertex_moved(*v, *to),
            },
            _ => None,
        }
    }

    /// The fill triangles of `region`'s shape, triangulated once per shape rather than every frame.
    fn triangles_of(&mut self, region: &Region) -> Triangles {
        if let Some((shape, triangles)) = self.triangles.get(&region.id)
            && *shape == region.shape
        {
            return std::sync::Arc::clone(triangles);
        }
        let triangles = std::sync::Arc::new(region.shape.triangles());
        self.triangles.insert(
            region.id.clone(),
            (region.shape.clone(), std::sync::Arc::clone(&triangles)),
        );
        triangles
    }

    fn paint(&mut self, ui: &egui::Ui, response: &egui::Response, input: &CanvasInput<'_>) {
        self.triangles
            .retain(|id, _| input.annotation.region(id).is_some());
        let painter = ui.painter_at(response.rect);
        painter.rect_filled(response.rect, 0.0, Color32::from_gray(24));
        let image_rect = egui::Rect::from_min_max(
            self.view.screen_from_image(Point::new(0.0, 0.0)),
            self.view.screen_from_image(Point::new(
                f64::from(input.image_size.x),
                f64::from(input.image_size.y),
            )),
        );
        match input.image {
            ImageState::Ready { texture, .. } => {
                let uv = egui::Rect::from_min_max(Pos2::ZERO, Pos2::new(1.0, 1.0));
                painter.image(texture.id(), image_rect, uv, Color32::WHITE);
            }
            ImageState::Loading => {
                painter.rect_filled(image_rect, 0.0, Color32::from_gray(40));
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
        for region in &input.annotation.regions {
            if !self.is_visible(region) {
                continue;
            }
            let preview = self.preview_shape(region);
            let (shape, triangles) = match &preview {
                Some(shape) => (shape, std::sync::Arc::new(shape.triangles())),
                None => (&region.shape, self.triangles_of(region)),
            };
            let color = (input.color_of)(&region.label);
            let selected = self.selected.as_deref() == Some(region.id.as_str());
            self.paint_shape(&painter, shape, &triangles, color, selected);
            let top_left = self.view.screen_from_image(shape.bbox().min);
            painter.text(
                top_left + Vec2::new(3.0, 2.0),
                egui::Align2::LEFT_TOP,
                &region.label,
                egui::FontId::proportional(13.0),
                Color32::WHITE,
            );
        }
        self.paint_draft(&painter, response);
    }

    fn paint_shape(
        &self,
        painter: &egui::Painter,
        shape: &Shape,
        triangles: &[[Point; 3]],
        color: Color32,
        selected: bool,
    ) {
        let fill = color.gamma_multiply(if selected { 0.45 } else { 0.3 });
        let stroke = Stroke::new(if selected { 3.0 } else { 2.0 }, color);
        match shape {
            Shape::Point { at } => {
                let c = self.view.screen_from_image(*at);
                painter.circle(
                    c,
                    if selected { 7.0 } else { 5.0 },
                    color,
                    Stroke::new(1.5, Color32::BLACK),
                );
            }
            _ => {
                let mut mesh = egui::Mesh::default();
                for [a, b, c] in triangles {
                    let base = mesh.vertices.len() as u32;
                    for p in [*a, *b, *c] {
                        mesh.colored_vertex(self.view.screen_from_image(p), fill);
                    }
                    mesh.add_triangle(base, base + 1, base + 2);
                }
                painter.add(egui::Shape::mesh(mesh));
                let outline: Vec<Pos2> = shape
                    .vertices()
                    .into_iter()
                    .map(|p| self.view.screen_from_image(p))
                    .collect();
                painter.add(egui::Shape::closed_line(outline.clone(), stroke));
                if selected {
                    for p in outline {
                        painter.rect_filled(
                            egui::Rect::from_center_size(p, Vec2::splat(8.0)),
                            1.0,
                            Color32::WHITE,
                        );
                        painter.rect_stroke(
                            egui::Rect::from_center_size(p, Vec2::splat(8.0)),
                            1.0,
                            Stroke::new(1.5, color),
                            egui::StrokeKind::Middle,
                        );
                    }
                }
            }
        }
    }

    fn paint_draft(&self, painter: &egui::Painter, response: &egui::Response) {
        let stroke = Stroke::new(2.0, Color32::YELLOW);
        let hover = response.hover_pos();
        match &self.draft {
            Some(Draft::Rect { start, end }) => {
                let r = egui::Rect::from_two_pos(
                    self.view.screen_from_image(*start),
                    self.view.screen_from_image(*end),
                );
                painter.rect_stroke(r, 0.0, stroke, egui::StrokeKind::Middle);
            }
            Some(Draft::Polygon { points }) => {
                let mut line: Vec<Pos2> = points
                    .iter()
                    .map(|p| self.view.screen_from_image(*p))
                    .collect();
                if let Some(h) = hover {
                    line.push(h);
                }
                painter.add(egui::Shape::line(line, stroke));
                for (i, p) in points.iter().enumerate() {
                    let radius = if i == 0 { 6.0 } else { 4.0 };
                    painter.circle_filled(self.view.screen_from_image(*p), radius, Color32::YELLOW);
                }
            }
            Some(Draft::Extreme { points }) => {
                for p in points {
                    let c = self.view.screen_from_image(*p);
                    painter
                        .line_segment([c - Vec2::new(7.0, 0.0), c + Vec2::new(7.0, 0.0)], stroke);
                    painter
                        .line_segment([c - Vec2::new(0.0, 7.0), c + Vec2::new(0.0, 7.0)], stroke);
                }
                if let Some(r) = Rect::bounding(points) {
                    let r = egui::Rect::from_two_pos(
                        self.view.screen_from_image(r.min),
                        self.view.screen_from_image(r.max),
                    );
                    painter.rect_stroke(
                        r,
                        0.0,
                        Stroke::new(1.0, Color32::YELLOW),
                        egui::StrokeKind::Middle,
                    );
                }
            }
            Some(Draft::Move { .. }) | None => {}
        }
        if self.tool != Tool::Select
            && let Some(h) = hover
            && response.rect.contains(h)
        {
            // A crosshair helps place extreme points and vertices precisely.
            let faint = Stroke::new(1.0, Color32::from_white_alpha(90));
            painter.line_segment(
                [
                    Pos2::new(response.rect.left(), h.y),
                    Pos2::new(response.rect.right(), h.y),
                ],
                faint,
            );
            painter.line_segment(
                [
                    Pos2::new(h.x, response.rect.top()),
                    Pos2::new(h.x, response.rect.bottom()),
                ],
                faint,
            );
        }
    }
}
