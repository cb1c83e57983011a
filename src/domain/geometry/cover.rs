//! The area a set of shapes covers, exactly: polygon boolean operations through `geo` (whose overlay
//! engine, `i_overlay`, handles shared edges and touching corners), never a raster. The gold score,
//! the merge's agreement figures and its consensus all measure covers, so a vote "by pixel" is a vote
//! at every point of the image, at any image size, without allocating a pixel.

use super::{Point, Rect, Shape};
use geo::{Area, BooleanOps, BoundingRect, Orient, orient::Direction};

/// Below this many square pixels a cover counts as empty: what boolean operations leave along a
/// shared edge is far smaller, and nothing a worker can draw or see is.
pub const NEGLIGIBLE_AREA: f64 = 1e-6;

/// The union of some shapes' areas (points and degenerate boxes add nothing).
#[derive(Clone, Debug, PartialEq)]
pub struct Cover(geo::MultiPolygon<f64>);

impl Default for Cover {
    fn default() -> Self {
        Cover::empty()
    }
}

impl Cover {
    /// No area.
    pub fn empty() -> Self {
        Cover(geo::MultiPolygon::new(Vec::new()))
    }

    /// The area `shapes` cover together; where they overlap counts once.
    pub fn of<'a>(shapes: impl IntoIterator<Item = &'a Shape>) -> Self {
        // Oriented alike first: the union's fill rule follows the first ring's winding, and workers
        // draw both ways round.
        let polygons: Vec<geo::Polygon<f64>> = shapes
            .into_iter()
            .filter_map(Shape::to_geo)
            .map(|p| p.orient(Direction::Default))
            .collect();
        match polygons.len() {
            0 => Cover::empty(),
            _ => Cover(geo::unary_union(&polygons)),
        }
    }

    /// The area of the rectangle `rect`.
    pub fn of_rect(rect: Rect) -> Self {
        Cover::of([&Shape::rectangle(rect.min, rect.max)])
    }

    /// The area in square pixels.
    pub fn area(&self) -> f64 {
        self.0.unsigned_area()
    }

    /// True when the area is negligible.
    pub fn is_empty(&self) -> bool {
        self.area() <= NEGLIGIBLE_AREA
    }

    /// Where either covers.
    pub fn union(&self, other: &Cover) -> Cover {
        if other.0.0.is_empty() {
            return self.clone();
        }
        if self.0.0.is_empty() {
            return other.clone();
        }
        Cover(self.0.union(&other.0))
    }

    /// Where both cover.
    pub fn intersection(&self, other: &Cover) -> Cover {
        if self.0.0.is_empty() || other.0.0.is_empty() {
            return Cover::empty();
        }
        Cover(self.0.intersection(&other.0))
    }

    /// Where this covers and `other` does not.
    pub fn difference(&self, other: &Cover) -> Cover {
        if self.0.0.is_empty() || other.0.0.is_empty() {
            return self.clone();
        }
        Cover(self.0.difference(&other.0))
    }

    /// Intersection over union; `None` when neither covers anything.
    pub fn iou(&self, other: &Cover) -> Option<f64> {
        let union = self.union(other).area();
        if union <= NEGLIGIBLE_AREA {
            return None;
        }
        Some((self.intersection(other).area() / union).clamp(0.0, 1.0))
    }

    /// The smallest axis-aligned rectangle holding the cover, if it has any area.
    pub fn bounding_rect(&self) -> Option<Rect> {
        if self.is_empty() {
            return None;
        }
        let r = self.0.bounding_rect()?;
        Some(Rect::from_corners(
            Point::new(r.min().x, r.min().y),
            Point::new(r.max().x, r.max().y),
        ))
    }

    /// Each connected piece of at least `min_area` square pixels as a polygon (its outer boundary),
    /// largest first, and how many holes inside kept pieces were filled to make them so: a region is
    /// one ring. Pieces that cannot be a polygon (fewer than three corners) are left out.
    pub fn pieces(&self, min_area: f64) -> (Vec<Shape>, usize) {
        let mut pieces: Vec<(f64, Shape)> = Vec::new();
        let mut holes = 0;
        for polygon in &self.0.0 {
            let area = polygon.unsigned_area();
            if area < min_area.max(NEGLIGIBLE_AREA) {
                continue;
            }
            let mut ring: Vec<Point> = polygon
                .exterior()
                .coords()
                .map(|c| Point::new(c.x, c.y))
                .collect();
            // geo closes its rings; a region's last vertex joins the first by itself.
            if ring.len() > 1 && ring.first() == ring.last() {
                ring.pop();
            }
            let Ok(shape) = Shape::from_points(super::ShapeKind::Polygon, ring) else {
                continue;
            };
            holes += polygon
                .interiors()
                .iter()
                .filter(|h| geo::Polygon::new((*h).clone(), Vec::new()).unsigned_area() >= min_area)
                .count();
            pieces.push((area, shape));
        }
        pieces.sort_by(|a, b| b.0.total_cmp(&a.0));
        (pieces.into_iter().map(|(_, s)| s).collect(), holes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(x: f64, y: f64, side: f64) -> Shape {
        Shape::rectangle(Point::new(x, y), Point::new(x + side, y + side))
    }

    #[test]
    fn overlaps_count_once_whichever_way_round_the_shapes_were_drawn() {
        let clockwise = Shape::from_points(
            super::super::ShapeKind::Polygon,
            vec![
                Point::new(5.0, 0.0),
                Point::new(15.0, 0.0),
                Point::new(15.0, 10.0),
                Point::new(5.0, 10.0),
            ],
        )
        .unwrap();
        let mut anticlockwise = clockwise.points().to_vec();
        anticlockwise.reverse();
        let anticlockwise =
            Shape::from_points(super::super::ShapeKind::Polygon, anticlockwise).unwrap();
        let a = square(0.0, 0.0, 10.0);
        assert!((Cover::of([&a, &clockwise]).area() - 150.0).abs() < 1e-9);
        assert!((Cover::of([&a, &anticlockwise]).area() - 150.0).abs() < 1e-9);
        assert!((Cover::of([&anticlockwise, &a]).area() - 150.0).abs() < 1e-9);
    }

    #[test]
    fn boolean_operations_and_iou() {
        let a = Cover::of([&square(0.0, 0.0, 10.0)]);
        let b = Cover::of([&square(5.0, 0.0, 10.0)]);
        assert!((a.intersection(&b).area() - 50.0).abs() < 1e-9);
        assert!((a.difference(&b).area() - 50.0).abs() < 1e-9);
        assert!((a.union(&b).area() - 150.0).abs() < 1e-9);
        assert!((a.iou(&b).unwrap() - 1.0 / 3.0).abs() < 1e-9);
        assert_eq!(Cover::empty().iou(&Cover::empty()), None);
        assert_eq!(a.iou(&Cover::empty()), Some(0.0));
        assert!(a.intersection(&Cover::empty()).is_empty());
    }

    #[test]
    fn pieces_are_the_outer_rings_largest_first_with_holes_counted() {
        let frame = Cover::of([&square(0.0, 0.0, 30.0)])
            .difference(&Cover::of([&square(10.0, 10.0, 10.0)]));
        let both = frame.union(&Cover::of([&square(100.0, 0.0, 5.0)]));
        let (pieces, holes) = both.pieces(1.0);
        assert_eq!(pieces.len(), 2);
        assert_eq!(holes, 1);
        assert!(
            (pieces[0].area() - 900.0).abs() < 1e-9,
            "the hole is filled"
        );
        assert!((pieces[1].area() - 25.0).abs() < 1e-9);
        let (small, _) = both.pieces(100.0);
        assert_eq!(small.len(), 1, "pieces under the minimum are left out");
        assert_eq!(
            both.bounding_rect(),
            Some(Rect::from_corners(
                Point::new(0.0, 0.0),
                Point::new(105.0, 30.0)
            ))
        );
    }
}
