//! Whether a polygon's ring crosses or touches itself, found by a sweep over its edges.
//!
//! `geo`'s `Validation` compares every edge with every other (twice): 1,600 pairs for a 40-vertex
//! polygon, 10^10 for a 100,000-vertex outline. The sweep (`geo::algorithm::sweep`) compares only
//! edges whose x-ranges overlap, and the rule applied to each pair it finds is exactly the one
//! `Validation` applies, so both say the same of every ring (a property test checks it).

use super::Point;
use geo::algorithm::sweep::Intersections;
use geo::{Intersects, Line};

/// Below this many edges comparing every pair (boxes first) is faster than sorting for a sweep.
const ALL_PAIRS_BELOW: usize = 64;

/// Whether the polygon through `points` has two edges that meet other than where neighbours join: a
/// crossing, a touch, a spike or a loop. The ring is closed as `geo::Polygon` closes it: an edge
/// back to the first point unless the last point is already the first.
pub(crate) fn ring_crosses_itself(points: &[Point]) -> bool {
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return false;
    };
    let closing = (first != last).then_some(Line::new(last.coord(), first.coord()));
    let lines: Vec<Line<f64>> = points
        .windows(2)
        .filter_map(|w| match w {
            [a, b] => Some(Line::new(a.coord(), b.coord())),
            _ => None,
        })
        .chain(closing)
        .collect();
    // `Validation`'s rule: edges joined end to start are neighbours, not a crossing.
    let meet = |a: &Line<f64>, b: &Line<f64>| a.start != b.end && a.end != b.start;
    if lines.len() < ALL_PAIRS_BELOW {
        let apart = |a: &Line<f64>, b: &Line<f64>| {
            a.start.x.max(a.end.x) < b.start.x.min(b.end.x)
                || b.start.x.max(b.end.x) < a.start.x.min(a.end.x)
                || a.start.y.max(a.end.y) < b.start.y.min(b.end.y)
                || b.start.y.max(b.end.y) < a.start.y.min(a.end.y)
        };
        return lines.iter().enumerate().any(|(i, a)| {
            lines
                .iter()
                .skip(i + 1)
                .any(|b| !apart(a, b) && meet(a, b) && a.intersects(b))
        });
    }
    Intersections::from_iter(lines.iter()).any(|(a, b, _)| meet(a, b))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use geo::Validation;
    use geo::algorithm::validation::InvalidPolygon;
    use proptest::prelude::*;

    fn geo_says(points: &[(f64, f64)]) -> bool {
        let poly = geo::Polygon::new(geo::LineString::from(points.to_vec()), Vec::new());
        poly.validation_errors()
            .iter()
            .any(|e| matches!(e, InvalidPolygon::SelfIntersection(_)))
    }

    fn ours(points: &[(f64, f64)]) -> bool {
        let points: Vec<Point> = points.iter().map(|&(x, y)| Point::new(x, y)).collect();
        ring_crosses_itself(&points)
    }

    /// A star of `n` vertices, whose ring crosses itself when `crossed`: long enough for the sweep.
    fn star(n: usize, crossed: bool) -> Vec<(f64, f64)> {
        (0..n)
            .map(|i| {
                let k = if crossed { (i * 7) % n } else { i };
                let t = k as f64 * std::f64::consts::TAU / n as f64;
                let r = if i % 2 == 0 { 100.0 } else { 60.0 };
                (r * t.cos(), r * t.sin())
            })
            .collect()
    }

    #[test]
    fn a_square_a_bow_tie_a_spike_and_a_pinch() {
        let cases: [(&[(f64, f64)], bool); 4] = [
            (&[(0., 0.), (4., 0.), (4., 4.), (0., 4.)], false),
            (&[(0., 0.), (4., 4.), (4., 0.), (0., 4.)], true),
            (
                &[
                    (0., 0.),
                    (4., 0.),
                    (4., 4.),
                    (2., 4.),
                    (2., 6.),
                    (2., 4.),
                    (0., 4.),
                ],
                true,
            ),
            (
                &[(0., 0.), (2., 2.), (4., 0.), (4., 4.), (2., 2.), (0., 4.)],
                true,
            ),
        ];
        for (points, expected) in cases {
            assert_eq!(geo_says(points), expected, "{points:?}");
            assert_eq!(ours(points), expected, "{points:?}");
        }
        // Past ALL_PAIRS_BELOW edges the sweep answers.
        for crossed in [false, true] {
            let points = star(200, crossed);
            assert_eq!(geo_says(&points), crossed);
            assert_eq!(ours(&points), crossed);
        }
    }

    proptest! {
        /// On small integer grids, where edges touch, overlap and repeat vertices often, the sweep
        /// says what `geo`'s all-pairs check says.
        #[test]
        fn the_sweep_agrees_with_geo_validation(
            points in prop::collection::vec((0i8..6, 0i8..6), 3..14),
            closed in any::<bool>(),
        ) {
            let mut points: Vec<(f64, f64)> =
                points.into_iter().map(|(x, y)| (f64::from(x), f64::from(y))).collect();
            if closed {
                points.push(points[0]);
            }
            prop_assert_eq!(ours(&points), geo_says(&points), "{:?}", points);
        }

        /// The same past ALL_PAIRS_BELOW edges, where the sweep answers.
        #[test]
        fn the_sweep_agrees_with_geo_validation_on_long_rings(
            points in prop::collection::vec((0i16..40, 0i16..40), 64..120),
        ) {
            let points: Vec<(f64, f64)> =
                points.into_iter().map(|(x, y)| (f64::from(x), f64::from(y))).collect();
            prop_assert_eq!(ours(&points), geo_says(&points), "{:?}", points);
        }
    }
}
