//! Painting the canvas: the image (or why it is not there), every visible region with its label, the
//! tool's draft, and a crosshair. Fill triangles are cached per region and rebuilt only when its
//! shape changes.

use super::tool::CanvasTool;
use super::view::View;
use super::{CanvasInput, Tool};
use crate::domain::annotation::Region;
use crate::domain::geometry::{Point, Shape};
use egui::{Color32, Pos2, Stroke, Vec2};
use std::collections::HashMap;

/// What a region's painted shapes depend on besides the shape: the transform, the colour, the
/// selection. While these hold (the pointer moves, nothing else), last frame's shapes are reused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct PaintKey {
    /// Zoom, pan and canvas origin, as bits (exact comparison, no float tolerance wanted).
    view: [u32; 5],
    color: Color32,
    selected: bool,
}

impl PaintKey {
    fn new(view: &View, color: Color32, selected: bool) -> Self {
        PaintKey {
            view: [
                view.zoom.to_bits(),
                view.pan.x.to_bits(),
                view.pan.y.to_bits(),
                view.canvas.min.x.to_bits(),
                view.canvas.min.y.to_bits(),
            ],
            color,
            selected,
        }
    }
}

/// One region's cached drawing: the shape it was made from, its fill triangles (once per shape),
/// and the screen shapes last painted with the key they were painted under (once per view).
#[derive(Debug)]
struct Cached {
    shape: Shape,
    triangles: Vec<[Point; 3]>,
    painted: Option<(PaintKey, Vec<egui::Shape>)>,
}

/// The regions nobody is touching (not selected, not being edited), as one mesh already tessellated:
/// while the pointer moves and nothing changes, a frame hands egui one mesh instead of a thousand
/// outlines to tessellate again. Panning moves the mesh instead of making it again, and zoomed in,
/// the regions far outside the view are left out of it.
#[derive(Debug)]
struct Layer {
    /// The zoom and scale it was made under (panning does not change a mesh's shape).
    scale: (u32, u32),
    /// Where the image's origin was on screen when the mesh was last moved.
    origin: Pos2,
    /// The zoom the mesh shows now: its own, or another while a zoom is under way (stretched).
    zoom: f32,
    /// The part of the image (image pixels) whose regions the mesh draws: the view when it was
    /// made, widened by the view's own size on every side, so panning stays inside it a while.
    window: [f64; 4],
    /// The regions in it, in order, with the colours and shapes it was made from.
    members: Vec<(String, Color32, Shape)>,
    mesh: std::sync::Arc<egui::Mesh>,
}

/// The image pixels `view` shows, as `[min x, min y, max x, max y]`.
fn shown(view: &View) -> [f64; 4] {
    let a = view.image_from_screen(view.canvas.min);
    let b = view.image_from_screen(view.canvas.max);
    [a.x.min(b.x), a.y.min(b.y), a.x.max(b.x), a.y.max(b.y)]
}

/// `shown` widened by its own width and height on every side.
fn widened([x0, y0, x1, y1]: [f64; 4]) -> [f64; 4] {
    let (w, h) = (x1 - x0, y1 - y0);
    [x0 - w, y0 - h, x1 + w, y1 + h]
}

/// Whether the box `[x0, y0, x1, y1]` of image pixels meets `window`.
fn meets(window: &[f64; 4], bbox: &crate::domain::geometry::Rect) -> bool {
    bbox.max.x >= window[0]
        && bbox.max.y >= window[1]
        && bbox.min.x <= window[2]
        && bbox.min.y <= window[3]
}

impl Layer {
    /// Whether the layer still draws `members` at `scale` with the view inside its window: the
    /// same regions, colours and shapes (comparing every vertex costs far less than tessellating
    /// them again).
    fn holds(&self, scale: (u32, u32), view: [f64; 4], members: &[(&Region, Color32)]) -> bool {
        let [x0, y0, x1, y1] = view;
        let inside = x0 >= self.window[0]
            && y0 >= self.window[1]
            && x1 <= self.window[2]
            && y1 <= self.window[3];
        self.scale == scale && inside && self.draws(members)
    }

    /// Moves (and stretches) the mesh to show the image's origin at `origin` and `zoom`. egui let
    /// go of last frame's copy, so this changes the mesh in place.
    fn show_at(&mut self, origin: Pos2, zoom: f32) {
        let k = zoom / self.zoom;
        let to = egui::emath::TSTransform::new(origin.to_vec2() - self.origin.to_vec2() * k, k);
        std::sync::Arc::make_mut(&mut self.mesh).transform(to);
        self.origin = origin;
        self.zoom = zoom;
    }

    /// Whether the layer was made from `members`: the same regions, colours and shapes.
    fn draws(&self, members: &[(&Region, Color32)]) -> bool {
        self.members.len() == members.len()
            && self
                .members
                .iter()
                .zip(members)
                .all(|((id, color, shape), (region, now))| {
                    *id == region.id && color == now && *shape == region.shape
                })
    }
}

/// Each region's cached drawing, by region id: triangulation happens once per shape, the screen
/// mesh once per view, colour and selection; and the untouched regions together as one layer.
#[derive(Debug, Default)]
pub struct TriangleCache {
    by_region: HashMap<String, Cached>,
    /// The untouched regions below the first one painted on its own, and those above it.
    layers: [Option<Layer>; 2],
    /// How often a layer was tessellated, and how often one was moved instead (panning).
    counts: LayerCounts,
    /// Last frame's zoom, as bits, and when (egui's clock, seconds) the zoom last changed: a zoom
    /// that changed within [`ZOOM_SETTLES_S`] is under way.
    last_zoom: (u32, f64),
}

/// How long a zoom must rest before its stretched layer is made again: a wheel's notches come
/// tens of milliseconds apart, and one tessellation per notch would stutter on a dense task.
const ZOOM_SETTLES_S: f64 = 0.15;

/// How a [`TriangleCache`]'s layers were kept up to date, counted since it was made.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LayerCounts {
    /// Layers tessellated anew.
    pub built: u64,
    /// Layers moved to follow a pan.
    pub moved: u64,
    /// Layers stretched to follow a zoom under way (made again once it stops).
    pub stretched: u64,
    /// Regions left out of a layer when it was built, as far outside the view.
    pub culled: u64,
}

impl TriangleCache {
    /// How the layers were kept up to date so far.
    pub fn counts(&self) -> LayerCounts {
        self.counts
    }

    /// Forgets every region (another task opened).
    pub fn clear(&mut self) {
        self.by_region.clear();
        self.layers = [None, None];
    }

    /// The screen shapes of `region` under `key`: last frame's while the shape and the key hold,
    /// else made anew by `make` from the (cached) fill triangles.
    fn painted(
        &mut self,
        region: &Region,
        key: PaintKey,
        make: impl FnOnce(&[[Point; 3]]) -> Vec<egui::Shape>,
    ) -> Vec<egui::Shape> {
        if self
            .by_region
            .get(&region.id)
            .is_none_or(|c| c.shape != region.shape)
        {
            let cached = Cached {
                shape: region.shape.clone(),
                triangles: region.shape.triangles(),
                painted: None,
            };
            self.by_region.insert(region.id.clone(), cached);
        }
        let Some(cached) = self.by_region.get_mut(&region.id) else {
            return make(&region.shape.triangles());
        };
        if let Some((old_key, shapes)) = &cached.painted
            && *old_key == key
        {
            return shapes.clone();
        }
        let shapes = make(&cached.triangles);
        cached.painted = Some((key, shapes.clone()));
        shapes
    }
}

/// About the width of one character of a region's label, in screen points (13-point text).
const LABEL_CHAR_WIDTH: f32 = 7.0;

/// The height a region needs on screen to carry its label.
const LABEL_HEIGHT: f32 = 16.0;

/// What one frame paints.
pub struct Scene<'a> {
    /// The transform.
    pub view: &'a View,
    /// The active tool and its draft.
    pub tool: (Tool, &'a dyn CanvasTool),
    /// The selected region.
    pub selected: Option<&'a str>,
    /// Whether a region is shown.
    pub visible: &'a dyn Fn(&Region) -> bool,
}

/// Paints `input` into `response.rect`.
pub fn paint(
    ui: &egui::Ui,
    response: &egui::Response,
    input: &CanvasInput<'_>,
    scene: &Scene<'_>,
    cache: &mut TriangleCache,
    tiles: &mut super::image::TileFrame,
) {
    let view = scene.view;
    if cache.by_region.len() > input.annotation.regions.len() {
        let ids: std::collections::HashSet<&str> = input
            .annotation
            .regions
            .iter()
            .map(|r| r.id.as_str())
            .collect();
        cache.by_region.retain(|id, _| ids.contains(id.as_str()));
    }
    let painter = ui.painter_at(response.rect);
    painter.rect_filled(response.rect, 0.0, Color32::from_gray(24));
    super::image::paint_image(ui, &painter, response, input.image, view, tiles);
    let (tool, draft) = scene.tool;
    // Regions in the layers: shown, not selected, not being edited. The others are painted each on
    // its own, as they change from frame to frame.
    let previews: Vec<Option<Shape>> = input
        .annotation
        .regions
        .iter()
        .map(|r| draft.preview(r))
        .collect();
    let in_layer = |(region, preview): &(&Region, &Option<Shape>)| {
        (scene.visible)(region) && preview.is_none() && scene.selected != Some(region.id.as_str())
    };
    let regions: Vec<(&Region, &Option<Shape>)> =
        input.annotation.regions.iter().zip(&previews).collect();
    let pixels_per_point = ui.ctx().pixels_per_point();
    let layer_scale = (view.zoom.to_bits(), pixels_per_point.to_bits());
    // The regions painted on their own keep their place in the drawing order (the order hit
    // testing follows): the layered ones below the first of them, then it, then the rest.
    let split = regions
        .iter()
        .position(|r| (scene.visible)(r.0) && !in_layer(r))
        .unwrap_or(regions.len());
    let mut below: Vec<(&Region, Color32)> = Vec::new();
    let mut above: Vec<(&Region, Color32)> = Vec::new();
    for (i, r) in regions.iter().enumerate() {
        if in_layer(r) {
            let side = if i < split { &mut below } else { &mut above };
            side.push((r.0, (input.color_of)(&r.0.label)));
        }
    }
    let layered = [below, above];
    let now = ui.input(|i| i.time);
    if cache.last_zoom.0 != view.zoom.to_bits() {
        cache.last_zoom = (view.zoom.to_bits(), now);
    }
    let zooming = now - cache.last_zoom.1 < ZOOM_SETTLES_S;
    let mut stretched = false;
    for (which, members) in layered.iter().enumerate() {
        stretched |= refresh_layer(cache, which, members, view, layer_scale, zooming);
    }
    if stretched {
        // A frame once the zoom has rested makes the stretched layer again.
        ui.ctx()
            .request_repaint_after(std::time::Duration::from_secs_f64(ZOOM_SETTLES_S));
    }
    let paint_layer = |cache: &TriangleCache, which: usize| {
        if let Some(layer) = cache.layers.get(which).and_then(Option::as_ref) {
            painter.add(egui::Shape::Mesh(std::sync::Arc::clone(&layer.mesh)));
        }
    };
    paint_layer(cache, 0);
    for (region, preview) in &regions {
        if !(scene.visible)(region) {
            continue;
        }
        let color = (input.color_of)(&region.label);
        let selected = scene.selected == Some(region.id.as_str());
        match preview {
            Some(shape) => {
                let triangles = shape.triangles();
                painter.extend(shape_parts(view, shape, &triangles, color, selected));
            }
            None if selected => {
                let key = PaintKey::new(view, color, selected);
                let parts = cache.painted(region, key, |triangles| {
                    shape_parts(view, &region.shape, triangles, color, selected)
                });
                painter.extend(parts);
            }
            None => {}
        }
    }
    paint_layer(cache, 1);
    for (region, preview) in &regions {
        if !(scene.visible)(region) {
            continue;
        }
        let selected = scene.selected == Some(region.id.as_str());
        let shape = preview.as_ref().unwrap_or(&region.shape);
        let bbox = shape.bbox();
        let top_left = view.screen_from_image(bbox.min);
        let size = view.screen_from_image(bbox.max) - top_left;
        // A label wider than its region on screen would only cover its neighbours' (a dense task
        // zoomed out): it shows again when zoomed in, and the selected region always has its own.
        let fits = size.x >= LABEL_CHAR_WIDTH * region.label.chars().count() as f32 + 6.0
            && size.y >= LABEL_HEIGHT;
        if fits || selected || preview.is_some() {
            painter.text(
                top_left + Vec2::new(3.0, 2.0),
                egui::Align2::LEFT_TOP,
                &region.label,
                egui::FontId::proportional(13.0),
                Color32::WHITE,
            );
        }
    }
    let hover = response.hover_pos();
    draft.paint(&painter, view, hover);
    if tool != Tool::Select
        && let Some(h) = hover
        && response.rect.contains(h)
    {
        // A crosshair helps place extreme points and vertices precisely.
        let faint = Stroke::new(1.0, Color32::from_white_alpha(90));
        let r = response.rect;
        painter.line_segment([Pos2::new(r.left(), h.y), Pos2::new(r.right(), h.y)], faint);
        painter.line_segment([Pos2::new(h.x, r.top()), Pos2::new(h.x, r.bottom())], faint);
    }
}

/// Makes layer `which` of `cache` draw `members` under `view` at `scale` (zoom and pixels per point,
/// as bits): moved when only the pan changed and the view is still inside the layer's window;
/// stretched while a zoom is under way (`zooming`: a tessellation per frame of a wheel turn would
/// stutter on a dense task), which returns true; else tessellated again.
fn refresh_layer(
    cache: &mut TriangleCache,
    which: usize,
    members: &[(&Region, Color32)],
    view: &View,
    scale: (u32, u32),
    zooming: bool,
) -> bool {
    let now_shown = shown(view);
    let origin = view.screen_from_image(Point::new(0.0, 0.0));
    if let Some(layer) = cache.layers.get_mut(which).and_then(Option::as_mut) {
        if layer.holds(scale, now_shown, members) {
            let delta = origin - layer.origin;
            if delta != Vec2::ZERO || layer.zoom != view.zoom {
                // Back to its own zoom too, if a stretch ended where it began.
                layer.show_at(origin, view.zoom);
                cache.counts.moved += 1;
            }
            return false;
        }
        let same_pixels = layer.scale.1 == scale.1;
        if zooming && same_pixels && layer.zoom > 0.0 && layer.draws(members) {
            layer.show_at(origin, view.zoom);
            cache.counts.stretched += 1;
            return true;
        }
    }
    let mut tessellator = egui::epaint::Tessellator::new(
        f32::from_bits(scale.1),
        egui::epaint::TessellationOptions::default(),
        // No text and no discs in the layer: the font texture's size is not needed.
        [1, 1],
        Vec::new(),
    );
    // Half a screen point, in image pixels.
    let tolerance = 0.5 / f64::from(view.zoom.max(f32::MIN_POSITIVE));
    let window = widened(now_shown);
    let mut mesh = egui::Mesh::default();
    for (region, color) in members {
        if !meets(&window, &region.shape.bbox()) {
            cache.counts.culled += 1;
            continue;
        }
        let color = *color;
        let paint_key = PaintKey::new(view, color, false);
        let parts = match region.shape.simplified(tolerance) {
            // Zoomed out, an outline's vertices crowd within a pixel: fewer draw the same.
            Some(simple) => shape_parts(view, &simple, &simple.triangles(), color, false),
            None => cache.painted(region, paint_key, |triangles| {
                shape_parts(view, &region.shape, triangles, color, false)
            }),
        };
        for part in parts {
            tessellator.tessellate_shape(part, &mut mesh);
        }
    }
    let layer = Layer {
        scale,
        origin,
        zoom: view.zoom,
        window,
        members: members
            .iter()
            .map(|(r, c)| (r.id.clone(), *c, r.shape.clone()))
            .collect(),
        mesh: std::sync::Arc::new(mesh),
    };
    cache.counts.built += 1;
    if let Some(slot) = cache.layers.get_mut(which) {
        *slot = Some(layer);
    }
    false
}

/// The screen shapes that draw `shape`: its fill, outline and, when selected, vertex handles.
fn shape_parts(
    view: &View,
    shape: &Shape,
    triangles: &[[Point; 3]],
    color: Color32,
    selected: bool,
) -> Vec<egui::Shape> {
    let mut parts = Vec::new();
    let fill = color.gamma_multiply(if selected { 0.45 } else { 0.3 });
    let stroke = Stroke::new(if selected { 3.0 } else { 2.0 }, color);
    if let Shape::Point { at } = shape {
        let c = view.screen_from_image(*at);
        let radius = if selected { 7.0 } else { 5.0 };
        parts.push(egui::Shape::circle_filled(c, radius, color));
        parts.push(egui::Shape::circle_stroke(
            c,
            radius,
            Stroke::new(1.5, Color32::BLACK),
        ));
        return parts;
    }
    let mut mesh = egui::Mesh::default();
    for [a, b, c] in triangles {
        let base = mesh.vertices.len() as u32;
        for p in [*a, *b, *c] {
            mesh.colored_vertex(view.screen_from_image(p), fill);
        }
        mesh.add_triangle(base, base + 1, base + 2);
    }
    parts.push(egui::Shape::mesh(mesh));
    let outline: Vec<Pos2> = shape
        .vertices()
        .into_iter()
        .map(|p| view.screen_from_image(p))
        .collect();
    parts.push(egui::Shape::closed_line(outline.clone(), stroke));
    if selected {
        for p in outline {
            let handle = egui::Rect::from_center_size(p, Vec2::splat(8.0));
            parts.push(egui::Shape::rect_filled(handle, 1.0, Color32::WHITE));
            parts.push(egui::Shape::rect_stroke(
                handle,
                1.0,
                Stroke::new(1.5, color),
                egui::StrokeKind::Middle,
            ));
        }
    }
    parts
}
