//! Image-space geometry: points, axis-aligned rectangles and the three region shapes.
//!
//! Coordinates are image pixels as floats; (0, 0) is the top-left corner of the top-left pixel, x grows to
//! the right and y downwards. Areas, intersections and validity go through the `geo` crate so that no
//! hand-written clipping code has to be trusted.

use geo::{Area, BooleanOps, Distance, Euclidean, Intersects, TriangulateEarcut};
use serde::{Deserialize, Serialize};
use std::fmt;

mod cover;
mod simple;

pub use cover::{Cover, NEGLIGIBLE_AREA};

/// A position in image pixels.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(from = "[f64; 2]", into = "[f64; 2]")]
pub struct Point {
    /// Pixels from the left edge of the image.
    pub x: f64,
    /// Pixels from the top edge of the image.
    pub y: f64,
}

impl Point {
    /// A point at `(x, y)` image pixels.
    pub const fn new(x: f64, y: f64) -> Self {
        Self { x, y }
    }

    /// Euclidean distance to `other`, in pixels.
    pub fn distance(self, other: Point) -> f64 {
        (self.x - other.x).hypot(self.y - other.y)
    }

    /// This point shifted by `(dx, dy)` pixels.
    pub fn offset(self, dx: f64, dy: f64) -> Point {
        Point::new(self.x + dx, self.y + dy)
    }

    /// True when both coordinates are finite numbers.
    pub fn is_finite(self) -> bool {
        self.x.is_finite() && self.y.is_finite()
    }

    fn coord(self) -> geo::Coord<f64> {
        geo::Coord {
            x: self.x,
            y: self.y,
        }
    }
}

impl From<[f64; 2]> for Point {
    fn from([x, y]: [f64; 2]) -> Self {
        Point::new(x, y)
    }
}

impl From<Point> for [f64; 2] {
    fn from(p: Point) -> Self {
        [p.x, p.y]
    }
}

/// The point of segment `a`-`b` nearest to `p`.
pub fn closest_point_on_segment(a: Point, b: Point, p: Point) -> Point {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let len2 = dx * dx + dy * dy;
    if len2 <= 0.0 {
        return a;
    }
    let t = (((p.x - a.x) * dx + (p.y - a.y) * dy) / len2).clamp(0.0, 1.0);
    Point::new(a.x + t * dx, a.y + t * dy)
}

/// An axis-aligned rectangle with `min.x <= max.x` and `min.y <= max.y`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rect {
    /// Top-left corner.
    pub min: Point,
    /// Bottom-right corner.
    pub max: Point,
}

impl Rect {
    /// The rectangle spanned by two opposite corners given in any order.
    pub fn from_corners(a: Point, b: Point) -> Self {
        Rect {
            min: Point::new(a.x.min(b.x), a.y.min(b.y)),
            max: Point::new(a.x.max(b.x), a.y.max(b.y)),
        }
    }

    /// The smallest rectangle holding every point, or `None` for no points.
    pub fn bounding(points: &[Point]) -> Option<Self> {
        let (first, rest) = points.split_first()?;
        let mut rect = Rect::from_corners(*first, *first);
        for p in rest {
            rect.min.x = rect.min.x.min(p.x);
            rect.min.y = rect.min.y.min(p.y);
            rect.max.x = rect.max.x.max(p.x);
            rect.max.y = rect.max.y.max(p.y);
        }
        Some(rect)
    }

    /// Width in pixels.
    pub fn width(&self) -> f64 {
        self.max.x - self.min.x
    }

    /// Height in pixels.
    pub fn height(&self) -> f64 {
        self.max.y - self.min.y
    }

    /// Area in square pixels.
    pub fn area(&self) -> f64 {
        self.width() * self.height()
    }

    /// True when `p` lies inside or on the border.
    pub fn contains(&self, p: Point) -> bool {
        p.x >= self.min.x && p.x <= self.max.x && p.y >= self.min.y && p.y <= self.max.y
    }

    /// The four corners clockwise on screen from the top-left: top-left, top-right, bottom-right,
    /// bottom-left.
    pub fn corners(&self) -> [Point; 4] {
        [
            self.min,
            Point::new(self.max.x, self.min.y),
            self.max,
            Point::new(self.min.x, self.max.y),
        ]
    }
}

/// The kind of a shape, as written in files (`"rectangle"`, `"polygon"`, `"point"`) and in a bundle's
/// `tools` list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ShapeKind {
    /// An axis-aligned box given by two opposite corners.
    Rectangle,
    /// A closed polygon with at least three vertices.
    Polygon,
    /// A single point.
    Point,
}

impl ShapeKind {
    /// Every kind, in the order tools are listed.
    pub const ALL: [ShapeKind; 3] = [ShapeKind::Rectangle, ShapeKind::Polygon, ShapeKind::Point];

    /// The name used in files.
    pub fn name(self) -> &'static str {
        match self {
            ShapeKind::Rectangle => "rectangle",
            ShapeKind::Polygon => "polygon",
            ShapeKind::Point => "point",
        }
    }

    /// Parses a name used in files.
    pub fn from_name(name: &str) -> Option<Self> {
        ShapeKind::ALL.into_iter().find(|k| k.name() == name)
    }
}

impl fmt::Display for ShapeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The geometry of one region.
///
/// In files a shape is `{"type": "rectangle|polygon|point", "points": [[x, y], ...]}`; a rectangle's points
/// are two opposite corners.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawShape", into = "RawShape")]
pub enum Shape {
    /// An axis-aligned box given by two opposite corners, kept as drawn.
    Rectangle {
        /// Two opposite corners.
        corners: [Point; 2],
    },
    /// A closed polygon; the last vertex connects back to the first.
    Polygon {
        /// The vertices in drawing order (at least three).
        points: Vec<Point>,
    },
    /// A single point.
    Point {
        /// Where it is.
        at: Point,
    },
}

/// The on-disk form of a [`Shape`].
#[derive(Clone, Debug, Serialize, Deserialize)]
struct RawShape {
    #[serde(rename = "type")]
    kind: ShapeKind,
    points: Vec<Point>,
}

/// Why a list of points cannot be a shape of a given kind.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ShapeError {
    /// The number of points does not fit the kind.
    #[error("a {kind} needs {expected} points, found {found}")]
    WrongPointCount {
        /// The kind asked for.
        kind: ShapeKind,
        /// What the kind needs, in words.
        expected: &'static str,
        /// How many points were given.
        found: usize,
    },
    /// A coordinate is NaN or infinite, or so large that no image reaches it.
    #[error("point {index} is not a finite number within ±{MAX_COORDINATE:e} pixels")]
    NonFinite {
        /// Index of the offending point.
        index: usize,
    },
    /// More points than any region drawn or imported needs.
    #[error("{found} points, more than the {MAX_POINTS} a region may have")]
    TooManyPoints {
        /// How many points were given.
        found: usize,
    },
}

/// The most points a shape may have: a traced coastline at full resolution has a few thousand; a file
/// claiming a million is refused rather than drawn.
pub const MAX_POINTS: usize = 100_000;

/// The largest coordinate magnitude accepted, in image pixels: far beyond the largest image (a
/// 400-megapixel one is 20,000 pixels wide), small enough that screen transforms stay finite.
pub const MAX_COORDINATE: f64 = 1e9;

impl TryFrom<RawShape> for Shape {
    type Error = ShapeError;

    fn try_from(raw: RawShape) -> Result<Self, Self::Error> {
        Shape::from_points(raw.kind, raw.points)
    }
}

impl From<Shape> for RawShape {
    fn from(shape: Shape) -> Self {
        RawShape {
            kind: shape.kind(),
            points: shape.points().to_vec(),
        }
    }
}

/// A problem that makes a shape a poor annotation although it can be stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShapeIssue {
    /// A rectangle or polygon that encloses no area (for example all points on one line).
    ZeroArea,
    /// A polygon whose edges cross each other.
    SelfIntersection,
}

impl fmt::Display for ShapeIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShapeIssue::ZeroArea => f.write_str("encloses no area"),
            ShapeIssue::SelfIntersection => f.write_str("has edges that cross each other"),
        }
    }
}

impl Shape {
    /// Builds a shape of `kind` from its points as stored in files, checking the count and finiteness.
    pub fn from_points(kind: ShapeKind, points: Vec<Point>) -> Result<Self, ShapeError> {
        if points.len() > MAX_POINTS {
            return Err(ShapeError::TooManyPoints {
                found: points.len(),
            });
        }
        let usable =
            |p: &Point| p.is_finite() && p.x.abs() <= MAX_COORDINATE && p.y.abs() <= MAX_COORDINATE;
        if let Some(index) = points.iter().position(|p| !usable(p)) {
            return Err(ShapeError::NonFinite { index });
        }
        let wrong = |expected| ShapeError::WrongPointCount {
            kind,
            expected,
            found: points.len(),
        };
        match kind {
            ShapeKind::Rectangle => match points.as_slice() {
                [a, b] => Ok(Shape::Rectangle { corners: [*a, *b] }),
                _ => Err(wrong("exactly 2")),
            },
            ShapeKind::Polygon if points.len() >= 3 => Ok(Shape::Polygon { points }),
            ShapeKind::Polygon => Err(wrong("at least 3")),
            ShapeKind::Point => match points.as_slice() {
                [at] => Ok(Shape::Point { at: *at }),
                _ => Err(wrong("exactly 1")),
            },
        }
    }

    /// A rectangle with corners `a` and `b`.
    pub fn rectangle(a: Point, b: Point) -> Self {
        Shape::Rectangle { corners: [a, b] }
    }

    /// The kind of this shape.
    pub fn kind(&self) -> ShapeKind {
        match self {
            Shape::Rectangle { .. } => ShapeKind::Rectangle,
            Shape::Polygon { .. } => ShapeKind::Polygon,
            Shape::Point { .. } => ShapeKind::Point,
        }
    }

    /// The points as stored in files (a rectangle's two corners).
    pub fn points(&self) -> &[Point] {
        match self {
            Shape::Rectangle { corners } => corners,
            Shape::Polygon { points } => points,
            Shape::Point { at } => std::slice::from_ref(at),
        }
    }

    /// The vertices a worker sees and can drag: a rectangle's four corners (see [`Rect::corners`]),
    /// a polygon's points, a point itself.
    pub fn vertices(&self) -> Vec<Point> {
        match self {
            Shape::Rectangle { corners } => Rect::from_corners(corners[0], corners[1])
                .corners()
                .to_vec(),
            Shape::Polygon { points } => points.clone(),
            Shape::Point { at } => vec![*at],
        }
    }

    /// The edges as pairs of vertices; edge `i` runs from vertex `i` to vertex `i + 1` (wrapping).
    /// A point has none.
    pub fn edges(&self) -> Vec<(Point, Point)> {
        if let Shape::Point { .. } = self {
            return Vec::new();
        }
        let vertices = self.vertices();
        let next = vertices.iter().cycle().skip(1);
        vertices.iter().zip(next).map(|(a, b)| (*a, *b)).collect()
    }

    /// The smallest axis-aligned rectangle holding the shape.
    pub fn bbox(&self) -> Rect {
        // Every shape has at least one point by construction.
        Rect::bounding(self.points()).unwrap_or(Rect {
            min: Point::new(0.0, 0.0),
            max: Point::new(0.0, 0.0),
        })
    }

    /// The enclosed area in square pixels (zero for a point). For a self-intersecting polygon this is the
    /// area `geo` computes for the ring as given.
    pub fn area(&self) -> f64 {
        match self {
            Shape::Rectangle { corners } => Rect::from_corners(corners[0], corners[1]).area(),
            Shape::Polygon { .. } => self.to_geo().map_or(0.0, |p| p.unsigned_area()),
            Shape::Point { .. } => 0.0,
        }
    }

    /// True when `p` lies inside the shape or on its border. A point shape contains nothing; hit-test it
    /// with [`Shape::nearest_vertex`].
    pub fn contains(&self, p: Point) -> bool {
        match self {
            Shape::Rectangle { corners } => Rect::from_corners(corners[0], corners[1]).contains(p),
            Shape::Polygon { .. } => self
                .to_geo()
                .is_some_and(|poly| poly.intersects(&geo::Point::from(p.coord()))),
            Shape::Point { .. } => false,
        }
    }

    /// The nearest vertex (index into [`Shape::vertices`]) and its distance from `p`.
    pub fn nearest_vertex(&self, p: Point) -> Option<(usize, f64)> {
        self.vertices()
            .into_iter()
            .map(|v| v.distance(p))
            .enumerate()
            .min_by(|a, b| a.1.total_cmp(&b.1))
    }

    /// The nearest edge (edge `i` runs from vertex `i` to `i + 1`) and the distance from `p` to it.
    /// `None` for a point shape.
    pub fn nearest_edge(&self, p: Point) -> Option<(usize, f64)> {
        let target = geo::Point::from(p.coord());
        self.edges()
            .into_iter()
            .map(|(a, b)| Euclidean.distance(&target, &geo::Line::new(a.coord(), b.coord())))
            .enumerate()
            .min_by(|a, b| a.1.total_cmp(&b.1))
    }

    /// Distance from `p` to the shape's outline (for a point shape, to the point).
    pub fn distance_to_edge(&self, p: Point) -> f64 {
        match self {
            Shape::Point { at } => at.distance(p),
            _ => self.nearest_edge(p).map_or(f64::INFINITY, |(_, d)| d),
        }
    }

    /// What makes this shape a poor annotation: zero area, self-intersection. Empty for a good shape and
    /// always for a point.
    pub fn issues(&self) -> Vec<ShapeIssue> {
        let mut issues = Vec::new();
        match self {
            Shape::Point { .. } => {}
            Shape::Rectangle { .. } => {
                if self.area() <= 0.0 {
                    issues.push(ShapeIssue::ZeroArea);
                }
            }
            Shape::Polygon { points } => {
                let flat = points.windows(3).all(|w| match w {
                    [a, b, c] => {
                        ((b.x - a.x) * (c.y - a.y) - (c.x - a.x) * (b.y - a.y)).abs()
                            <= f64::EPSILON
                    }
                    _ => true,
                });
                let crosses = simple::ring_crosses_itself(points);
                // A bow-tie's signed areas cancel out; it is reported as crossing, not as empty.
                if flat || (!crosses && self.area() <= 0.0) {
                    issues.push(ShapeIssue::ZeroArea);
                } else if crosses {
                    issues.push(ShapeIssue::SelfIntersection);
                }
            }
        }
        issues
    }

    /// Intersection over union of the areas of two shapes, in `[0, 1]`. Shapes without area (points,
    /// degenerate boxes) give 0.
    pub fn iou(&self, other: &Shape) -> f64 {
        let (Some(a), Some(b)) = (self.to_geo(), other.to_geo()) else {
            return 0.0;
        };
        let union = a.union(&b).unsigned_area();
        if union <= 0.0 {
            return 0.0;
        }
        let intersection = a.intersection(&b).unsigned_area();
        (intersection / union).clamp(0.0, 1.0)
    }

    /// Intersection over union of the area two sets of shapes cover (each set's shapes merged
    /// first, so overlaps within a set count once); `None` when neither covers any area (points
    /// only, or nothing).
    pub fn union_iou(a: &[&Shape], b: &[&Shape]) -> Option<f64> {
        Cover::of(a.iter().copied()).iou(&Cover::of(b.iter().copied()))
    }

    /// This shape moved by `(dx, dy)` pixels.
    pub fn translated(&self, dx: f64, dy: f64) -> Shape {
        match self {
            Shape::Rectangle { corners } => Shape::Rectangle {
                corners: corners.map(|c| c.offset(dx, dy)),
            },
            Shape::Polygon { points } => Shape::Polygon {
                points: points.iter().map(|p| p.offset(dx, dy)).collect(),
            },
            Shape::Point { at } => Shape::Point {
                at: at.offset(dx, dy),
            },
        }
    }

    /// This shape with vertex `index` (of [`Shape::vertices`]) moved to `to`. Moving a rectangle's corner
    /// keeps the opposite corner fixed. `None` when there is no such vertex.
    pub fn with_vertex_moved(&self, index: usize, to: Point) -> Option<Shape> {
        match self {
            Shape::Rectangle { corners } => {
                let rect = Rect::from_corners(corners[0], corners[1]);
                let opposite = *rect.corners().get((index + 2) % 4)?;
                (index < 4).then(|| Shape::rectangle(opposite, to))
            }
            Shape::Polygon { points } => {
                let mut points = points.clone();
                *points.get_mut(index)? = to;
                Some(Shape::Polygon { points })
            }
            Shape::Point { .. } => (index == 0).then_some(Shape::Point { at: to }),
        }
    }

    /// This polygon with a new vertex at `index` (so it comes after vertex `index - 1`). `None` for other
    /// shapes or an index past the end.
    pub fn with_vertex_inserted(&self, index: usize, at: Point) -> Option<Shape> {
        match self {
            Shape::Polygon { points } if index <= points.len() => {
                let mut points = points.clone();
                points.insert(index, at);
                Some(Shape::Polygon { points })
            }
            _ => None,
        }
    }

    /// This polygon without vertex `index`. `None` for other shapes, a missing vertex, or a polygon that
    /// would be left with fewer than three vertices.
    pub fn with_vertex_removed(&self, index: usize) -> Option<Shape> {
        match self {
            Shape::Polygon { points } if points.len() > 3 && index < points.len() => {
                let mut points = points.clone();
                points.remove(index);
                Some(Shape::Polygon { points })
            }
            _ => None,
        }
    }

    /// Triangles covering the shape's area (ear clipping, so concave polygons fill correctly); empty for
    /// a point.
    pub fn triangles(&self) -> Vec<[Point; 3]> {
        let Some(poly) = self.to_geo() else {
            return Vec::new();
        };
        poly.earcut_triangles_iter()
            .map(|t| {
                let [a, b, c] = t.to_array();
                [
                    Point::new(a.x, a.y),
                    Point::new(b.x, b.y),
                    Point::new(c.x, c.y),
                ]
            })
            .collect()
    }

    /// A polygon with the vertices dropped that move its outline by at most `tolerance` image pixels
    /// (Douglas–Peucker), for drawing it small; `None` when that would keep three quarters of them
    /// or more, or for a rectangle or a point.
    pub fn simplified(&self, tolerance: f64) -> Option<Shape> {
        use geo::Simplify;
        let Shape::Polygon { points } = self else {
            return None;
        };
        if points.len() < 8 || tolerance.is_nan() || tolerance <= 0.0 {
            return None;
        }
        let line: geo::LineString<f64> = points.iter().map(|p| (p.x, p.y)).collect();
        let kept: Vec<Point> = line
            .simplify(tolerance)
            .points()
            .map(|p| Point::new(p.x(), p.y()))
            .collect();
        (kept.len() >= 3 && kept.len() * 4 < points.len() * 3)
            .then_some(Shape::Polygon { points: kept })
    }

    /// The shape as a `geo` polygon, or `None` for a point.
    pub(crate) fn to_geo(&self) -> Option<geo::Polygon<f64>> {
        let ring: Vec<geo::Coord<f64>> = match self {
            Shape::Point { .. } => return None,
            _ => self.vertices().into_iter().map(Point::coord).collect(),
        };
        Some(geo::Polygon::new(geo::LineString::new(ring), Vec::new()))
    }
}

#[cfg(test)]
mod tests;
