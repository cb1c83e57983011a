//! Hit testing a task's regions through a spatial index: an R-tree (`rstar`, which `geo` already
//! builds on) of each region's bounding box, so a click on a task of thousands of regions looks
//! only at the few whose box is within reach. The answer is exactly [`Annotation::hit_test`]'s: the
//! same rules run over the same regions, just fewer of them (a property test checks it).

use crate::domain::annotation::{Annotation, Hit, Region};
use crate::domain::geometry::Point;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};
use std::sync::OnceLock;

type Boxed = GeomWithData<Rectangle<[f64; 2]>, usize>;

/// The bounding boxes of one annotation's regions, by index in drawing order.
#[derive(Debug)]
pub struct HitIndex {
    tree: RTree<Boxed>,
    /// Regions whose box is not finite (a coordinate is NaN or infinite): always looked at, so the
    /// index never hides a region the plain scan would find.
    unboxed: Vec<usize>,
}

impl HitIndex {
    /// The index of `annotation`'s regions as they are now.
    pub fn new(annotation: &Annotation) -> Self {
        let mut unboxed = Vec::new();
        let mut boxes = Vec::with_capacity(annotation.regions.len());
        for (i, region) in annotation.regions.iter().enumerate() {
            let b = region.shape.bbox();
            if [b.min.x, b.min.y, b.max.x, b.max.y]
                .iter()
                .all(|v| v.is_finite())
            {
                let rect = Rectangle::from_corners([b.min.x, b.min.y], [b.max.x, b.max.y]);
                boxes.push(GeomWithData::new(rect, i));
            } else {
                unboxed.push(i);
            }
        }
        HitIndex {
            tree: RTree::bulk_load(boxes),
            unboxed,
        }
    }

    /// What [`Annotation::hit_test`] says of `annotation` (the one this index was built from).
    pub fn hit_test(
        &self,
        annotation: &Annotation,
        p: Point,
        tolerance: f64,
        visible: impl Fn(&Region) -> bool,
    ) -> Option<Hit> {
        // A vertex or edge within `tolerance` lies in the square of that half-width around `p`, and in
        // its region's box; the margin keeps rounding at the square's edge from losing one.
        let reach = tolerance.max(0.0) * (1.0 + 1e-9) + 1e-9;
        let query = AABB::from_corners([p.x - reach, p.y - reach], [p.x + reach, p.y + reach]);
        let mut near: Vec<usize> = self
            .tree
            .locate_in_envelope_intersecting(&query)
            .map(|b| b.data)
            .chain(self.unboxed.iter().copied())
            .collect();
        near.sort_unstable_by(|a, b| b.cmp(a));
        annotation.hit_test_among(&near, p, tolerance, visible)
    }
}

/// An annotation with its hit index, built the first time a hit test asks for it.
#[derive(Clone, Copy, Debug)]
pub struct Hits<'a> {
    annotation: &'a Annotation,
    index: &'a OnceLock<HitIndex>,
}

impl<'a> Hits<'a> {
    /// Hit tests on `annotation`, with `index` holding (or about to hold) its index. The owner
    /// empties `index` whenever the annotation changes.
    pub fn new(annotation: &'a Annotation, index: &'a OnceLock<HitIndex>) -> Self {
        Hits { annotation, index }
    }

    /// What is under `p`, as [`Annotation::hit_test`] says.
    pub fn hit_test(
        &self,
        p: Point,
        tolerance: f64,
        visible: impl Fn(&Region) -> bool,
    ) -> Option<Hit> {
        self.index
            .get_or_init(|| HitIndex::new(self.annotation))
            .hit_test(self.annotation, p, tolerance, visible)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::domain::geometry::Shape;
    use proptest::prelude::*;

    /// Regions that overlap, nest and touch, on a small grid so that clicks land on vertices, edges
    /// and bodies often.
    fn shape() -> impl Strategy<Value = Shape> {
        let coord = || (0i16..60).prop_map(f64::from);
        let point = || (coord(), coord()).prop_map(|(x, y)| Point::new(x, y));
        prop_oneof![
            point().prop_map(|at| Shape::Point { at }),
            (point(), point()).prop_map(|(a, b)| Shape::rectangle(a, b)),
            prop::collection::vec(point(), 3..9).prop_map(|points| Shape::Polygon { points }),
        ]
    }

    proptest! {
        /// Through the index, a click finds what the plain scan finds: the same region and part.
        #[test]
        fn the_index_picks_what_a_linear_scan_picks(
            shapes in prop::collection::vec(shape(), 0..40),
            clicks in prop::collection::vec(((-5i16..65), (-5i16..65)), 1..30),
            tolerance in prop_oneof![Just(0.0), Just(1.0), Just(2.5), 0.0f64..8.0],
            hidden in prop::collection::vec(any::<bool>(), 40),
        ) {
            let regions = shapes
                .into_iter()
                .enumerate()
                .map(|(i, s)| Region::new(format!("r{i}"), "sky", s))
                .collect();
            let annotation = Annotation::new(regions);
            let visible = |r: &Region| {
                let i: usize = r.id[1..].parse().unwrap();
                !hidden[i]
            };
            let index = HitIndex::new(&annotation);
            for (x, y) in clicks {
                let p = Point::new(f64::from(x) * 0.97, f64::from(y) * 1.03);
                prop_assert_eq!(
                    index.hit_test(&annotation, p, tolerance, visible),
                    annotation.hit_test(p, tolerance, visible)
                );
            }
        }
    }

    #[test]
    fn a_region_with_a_nan_coordinate_is_still_looked_at() {
        let broken = Shape::Polygon {
            points: vec![
                Point::new(0.0, 0.0),
                Point::new(f64::NAN, 10.0),
                Point::new(10.0, 10.0),
            ],
        };
        let annotation = Annotation::new(vec![Region::new("r1", "sky", broken)]);
        let index = HitIndex::new(&annotation);
        let p = Point::new(0.5, 0.0);
        assert_eq!(
            index.hit_test(&annotation, p, 2.0, |_| true),
            annotation.hit_test(p, 2.0, |_| true)
        );
        assert!(annotation.hit_test(p, 2.0, |_| true).is_some());
    }

    #[test]
    fn hits_builds_its_index_once() {
        let annotation = Annotation::new(vec![Region::new(
            "r1",
            "sky",
            Shape::rectangle(Point::new(0.0, 0.0), Point::new(10.0, 10.0)),
        )]);
        let cell = OnceLock::new();
        let hits = Hits::new(&annotation, &cell);
        assert!(cell.get().is_none());
        assert!(hits.hit_test(Point::new(5.0, 5.0), 1.0, |_| true).is_some());
        assert!(cell.get().is_some());
        assert!(
            hits.hit_test(Point::new(50.0, 5.0), 1.0, |_| true)
                .is_none()
        );
    }
}
