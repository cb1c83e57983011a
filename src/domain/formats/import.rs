//! What every importer does with a region it found: clamp it to the image (or leave it out when none
//! of it is in the image), say so, keep odd polygons.

use super::{DatasetImage, ImportReport, NoteKind, clamp_shape};
use crate::domain::annotation::Region;
use crate::domain::geometry::{Point, Rect, Shape, ShapeIssue};
use serde_json::{Map, Value};
use std::path::Path;

/// Adds a region to `image`: points outside the image are clamped onto it (and reported),
/// self-intersecting polygons are kept (and reported). `what` names the region in notes
/// (`annotation 12`, `shape 3 of a.json`). Region ids are `r1`, `r2`, … in the order added.
pub(crate) fn push_region(
    image: &mut DatasetImage,
    label: &str,
    shape: Shape,
    attributes: Map<String, Value>,
    report: &mut ImportReport,
    file: &Path,
    what: &str,
) {
    let original_area = shape.area();
    let (shape, moved) = clamp_shape(&shape, image.width, image.height);
    // A shape wholly outside the image clamps to a line on its border: nothing of it is in the picture.
    if moved > 0 && original_area > 0.0 && shape.area() <= 0.0 {
        report.note(
            NoteKind::Dropped,
            file,
            format!(
                "{what} on {}: lies wholly outside the {}x{} image; left out",
                image.file_name, image.width, image.height
            ),
        );
        return;
    }
    if moved > 0 {
        report.note(
            NoteKind::Clamped,
            file,
            format!(
                "{what} on {}: {moved} point{} outside the {}x{} image moved onto its border",
                image.file_name,
                if moved == 1 { "" } else { "s" },
                image.width,
                image.height
            ),
        );
    }
    if let Shape::Polygon { .. } = shape
        && shape.issues().contains(&ShapeIssue::SelfIntersection)
    {
        report.note(
            NoteKind::Kept,
            file,
            format!(
                "{what} on {}: self-intersecting polygon kept as drawn",
                image.file_name
            ),
        );
    }
    let id = format!("r{}", image.regions.len() + 1);
    let mut region = Region::new(id, label, shape);
    region.attributes = attributes;
    image.regions.push(region);
}

/// A polygon, or a rectangle when its points are exactly the four corners of their bounding box (how
/// formats without rectangles write one): a rectangle written as a polygon comes back as a rectangle.
pub(crate) fn polygon_or_rectangle(points: Vec<Point>) -> Shape {
    if let [a, b, c, d] = points.as_slice()
        && let Some(bbox) = Rect::bounding(&points)
        && bbox.area() > 0.0
    {
        let corners = bbox.corners();
        let ring = [*a, *b, *c, *d];
        // Either winding, starting at any corner.
        let is_corner = |p: &Point| corners.contains(p);
        let distinct = ring
            .iter()
            .enumerate()
            .all(|(i, p)| !ring.iter().take(i).any(|q| q == p));
        let next = [*b, *c, *d, *a];
        let axis_edges = ring
            .iter()
            .zip(next.iter())
            .all(|(p, q)| p.x == q.x || p.y == q.y);
        if ring.iter().all(is_corner) && distinct && axis_edges {
            return Shape::rectangle(bbox.min, bbox.max);
        }
    }
    Shape::Polygon { points }
}

/// A box `[x, y, w, h]` as a rectangle.
pub(crate) fn xywh_rectangle(x: f64, y: f64, w: f64, h: f64) -> Shape {
    Shape::rectangle(Point::new(x, y), Point::new(x + w, y + h))
}

/// Pairs of numbers as points; `None` for an odd count or a non-finite number.
pub(crate) fn pairs(flat: &[f64]) -> Option<Vec<Point>> {
    if !flat.len().is_multiple_of(2) || flat.iter().any(|v| !v.is_finite()) {
        return None;
    }
    Some(
        flat.chunks_exact(2)
            .map(|c| match c {
                [x, y] => Point::new(*x, *y),
                _ => Point::new(0.0, 0.0),
            })
            .collect(),
    )
}

/// The size of an image whose file and label file both forgot it: the extent of its regions, rounded up
/// (at least 1x1).
pub(crate) fn size_from_extent(points: impl Iterator<Item = Point>) -> (u32, u32) {
    let (mut w, mut h) = (1.0f64, 1.0f64);
    for p in points {
        if p.is_finite() {
            w = w.max(p.x.ceil());
            h = h.max(p.y.ceil());
        }
    }
    (to_u32(w), to_u32(h))
}

fn to_u32(v: f64) -> u32 {
    // Saturating: a label file claiming a point at 1e300 gets the largest size, not a wrap.
    if v >= f64::from(u32::MAX) {
        u32::MAX
    } else if v >= 1.0 {
        v as u32
    } else {
        1
    }
}

/// Notes one missing image file per import rather than one per image: a dataset moved without its
/// images would otherwise print thousands of lines.
pub(crate) fn note_missing_images(report: &mut ImportReport, file: &Path, missing: &[String]) {
    if missing.is_empty() {
        return;
    }
    let shown: Vec<&str> = missing.iter().take(5).map(String::as_str).collect();
    let more = missing.len().saturating_sub(shown.len());
    let tail = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    report.note(
        NoteKind::Guessed,
        file,
        format!(
            "{} image file{} not found ({}{tail}); labels kept, but the images cannot be copied or pointed at",
            missing.len(),
            if missing.len() == 1 { "" } else { "s" },
            shown.join(", ")
        ),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(x: f64, y: f64) -> Point {
        Point::new(x, y)
    }

    #[test]
    fn four_corners_become_a_rectangle_in_any_winding() {
        let cw = vec![p(1.0, 2.0), p(5.0, 2.0), p(5.0, 7.0), p(1.0, 7.0)];
        assert_eq!(
            polygon_or_rectangle(cw),
            Shape::rectangle(p(1.0, 2.0), p(5.0, 7.0))
        );
        let ccw_from_bottom = vec![p(5.0, 7.0), p(5.0, 2.0), p(1.0, 2.0), p(1.0, 7.0)];
        assert_eq!(
            polygon_or_rectangle(ccw_from_bottom).kind().name(),
            "rectangle"
        );
        // A bow-tie through the same corners stays a polygon.
        let bowtie = vec![p(1.0, 2.0), p(5.0, 7.0), p(5.0, 2.0), p(1.0, 7.0)];
        assert_eq!(polygon_or_rectangle(bowtie).kind().name(), "polygon");
        let kite = vec![p(0.0, 5.0), p(5.0, 0.0), p(10.0, 5.0), p(5.0, 10.0)];
        assert_eq!(polygon_or_rectangle(kite).kind().name(), "polygon");
    }

    #[test]
    fn pushing_clamps_and_reports() {
        let mut image = DatasetImage {
            file_name: "a.jpg".into(),
            source: None,
            width: 10,
            height: 10,
            regions: Vec::new(),
        };
        let mut report = ImportReport::default();
        let shape = Shape::rectangle(p(-5.0, 2.0), p(4.0, 20.0));
        push_region(
            &mut image,
            "sky",
            shape,
            Map::new(),
            &mut report,
            Path::new("x.json"),
            "annotation 1",
        );
        assert_eq!(
            image.regions[0].shape,
            Shape::rectangle(p(0.0, 2.0), p(4.0, 10.0))
        );
        assert_eq!(report.count(NoteKind::Clamped), 1);
        let note = report.notes[0].to_string();
        assert!(
            note.contains("x.json") && note.contains("2 points"),
            "{note}"
        );
    }

    #[test]
    fn extent_sizes_round_up_and_saturate() {
        assert_eq!(size_from_extent([p(10.2, 3.0)].into_iter()), (11, 3));
        assert_eq!(
            size_from_extent([p(1e300, -4.0)].into_iter()),
            (u32::MAX, 1)
        );
    }
}
