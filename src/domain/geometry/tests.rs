//! Geometry: areas, boxes, hit distances, validity and IoU, on shapes whose answers are known.

use super::*;
use proptest::prelude::*;

fn p(x: f64, y: f64) -> Point {
    Point::new(x, y)
}

fn square(x: f64, y: f64, side: f64) -> Shape {
    Shape::Polygon {
        points: vec![
            p(x, y),
            p(x + side, y),
            p(x + side, y + side),
            p(x, y + side),
        ],
    }
}

#[test]
fn rectangle_area_and_bbox_ignore_corner_order() {
    let r = Shape::rectangle(p(10.0, 20.0), p(4.0, 2.0));
    assert_eq!(r.area(), 6.0 * 18.0);
    assert_eq!(r.bbox(), Rect::from_corners(p(4.0, 2.0), p(10.0, 20.0)));
}

#[test]
fn polygon_area_of_a_triangle() {
    let t = Shape::Polygon {
        points: vec![p(0.0, 0.0), p(4.0, 0.0), p(0.0, 3.0)],
    };
    assert!((t.area() - 6.0).abs() < 1e-12);
}

#[test]
fn contains_includes_the_border() {
    let sq = square(0.0, 0.0, 10.0);
    assert!(sq.contains(p(5.0, 5.0)));
    assert!(sq.contains(p(0.0, 5.0)));
    assert!(!sq.contains(p(10.5, 5.0)));
    assert!(!Shape::Point { at: p(1.0, 1.0) }.contains(p(1.0, 1.0)));
}

#[test]
fn hit_testing_finds_nearest_vertex_and_edge() {
    let sq = square(0.0, 0.0, 10.0);
    assert_eq!(sq.nearest_vertex(p(9.0, 1.0)).map(|v| v.0), Some(1));
    let (edge, d) = sq.nearest_edge(p(5.0, 12.0)).unwrap();
    assert_eq!(edge, 2);
    assert!((d - 2.0).abs() < 1e-12);
    assert!((sq.distance_to_edge(p(5.0, 4.0)) - 4.0).abs() < 1e-12);
    assert_eq!(
        Shape::Point { at: p(0.0, 0.0) }.distance_to_edge(p(3.0, 4.0)),
        5.0
    );
}

#[test]
fn issues_report_zero_area_and_self_intersection() {
    let bowtie = Shape::Polygon {
        points: vec![p(0.0, 0.0), p(10.0, 10.0), p(10.0, 0.0), p(0.0, 10.0)],
    };
    assert_eq!(bowtie.issues(), vec![ShapeIssue::SelfIntersection]);
    let flat = Shape::Polygon {
        points: vec![p(0.0, 0.0), p(5.0, 0.0), p(10.0, 0.0)],
    };
    assert_eq!(flat.issues(), vec![ShapeIssue::ZeroArea]);
    assert_eq!(
        Shape::rectangle(p(1.0, 1.0), p(1.0, 9.0)).issues(),
        vec![ShapeIssue::ZeroArea]
    );
    assert!(square(0.0, 0.0, 3.0).issues().is_empty());
}

#[test]
fn iou_of_known_overlaps() {
    let a = square(0.0, 0.0, 10.0);
    assert!((a.iou(&a) - 1.0).abs() < 1e-9);
    // Half-overlapping squares: intersection 50, union 150.
    let b = square(5.0, 0.0, 10.0);
    assert!((a.iou(&b) - 50.0 / 150.0).abs() < 1e-9);
    assert_eq!(a.iou(&square(20.0, 20.0, 1.0)), 0.0);
    // A rectangle and the same box as a polygon agree.
    let r = Shape::rectangle(p(10.0, 10.0), p(0.0, 0.0));
    assert!((a.iou(&r) - 1.0).abs() < 1e-9);
    assert_eq!(a.iou(&Shape::Point { at: p(1.0, 1.0) }), 0.0);
}

#[test]
fn triangles_cover_a_concave_polygon() {
    let l_shape = Shape::Polygon {
        points: vec![
            p(0.0, 0.0),
            p(10.0, 0.0),
            p(10.0, 4.0),
            p(4.0, 4.0),
            p(4.0, 10.0),
            p(0.0, 10.0),
        ],
    };
    let total: f64 = l_shape
        .triangles()
        .iter()
        .map(|[a, b, c]| ((b.x - a.x) * (c.y - a.y) - (c.x - a.x) * (b.y - a.y)).abs() / 2.0)
        .sum();
    assert!((total - l_shape.area()).abs() < 1e-9, "{total}");
    assert!(Shape::Point { at: p(0.0, 0.0) }.triangles().is_empty());
}

#[test]
fn closest_point_projects_and_clamps() {
    assert_eq!(
        closest_point_on_segment(p(0.0, 0.0), p(10.0, 0.0), p(3.0, 5.0)),
        p(3.0, 0.0)
    );
    assert_eq!(
        closest_point_on_segment(p(0.0, 0.0), p(10.0, 0.0), p(-3.0, 5.0)),
        p(0.0, 0.0)
    );
}

#[test]
fn moving_a_rectangle_corner_keeps_the_opposite_corner() {
    let r = Shape::rectangle(p(0.0, 0.0), p(10.0, 10.0));
    let moved = r.with_vertex_moved(2, p(20.0, 30.0)).unwrap();
    assert_eq!(moved.bbox(), Rect::from_corners(p(0.0, 0.0), p(20.0, 30.0)));
    assert!(r.with_vertex_moved(4, p(0.0, 0.0)).is_none());
}

#[test]
fn vertex_insert_and_remove_keep_polygons_valid() {
    let t = Shape::Polygon {
        points: vec![p(0.0, 0.0), p(4.0, 0.0), p(0.0, 3.0)],
    };
    assert!(
        t.with_vertex_removed(0).is_none(),
        "a triangle keeps 3 vertices"
    );
    let q = t.with_vertex_inserted(1, p(2.0, -1.0)).unwrap();
    assert_eq!(q.points().len(), 4);
    assert_eq!(q.points()[1], p(2.0, -1.0));
    assert_eq!(q.with_vertex_removed(1).unwrap(), t);
    assert!(
        Shape::rectangle(p(0.0, 0.0), p(1.0, 1.0))
            .with_vertex_inserted(0, p(0.0, 0.0))
            .is_none()
    );
}

#[test]
fn shapes_round_trip_through_json_in_the_file_schema() {
    let r = Shape::rectangle(p(1.5, 2.0), p(3.0, 4.25));
    let json = serde_json::to_string(&r).unwrap();
    assert_eq!(
        json,
        r#"{"type":"rectangle","points":[[1.5,2.0],[3.0,4.25]]}"#
    );
    assert_eq!(serde_json::from_str::<Shape>(&json).unwrap(), r);
    let err = serde_json::from_str::<Shape>(r#"{"type":"polygon","points":[[0,0],[1,1]]}"#)
        .unwrap_err()
        .to_string();
    assert!(err.contains("at least 3"), "{err}");
    assert!(serde_json::from_str::<Shape>(r#"{"type":"circle","points":[[0,0]]}"#).is_err());
}

fn arb_box() -> impl Strategy<Value = Shape> {
    (0.0..100.0f64, 0.0..100.0f64, 1.0..50.0f64, 1.0..50.0f64)
        .prop_map(|(x, y, w, h)| Shape::rectangle(p(x, y), p(x + w, y + h)))
}

proptest! {
    #[test]
    fn iou_is_symmetric_and_bounded(a in arb_box(), b in arb_box()) {
        let ab = a.iou(&b);
        let ba = b.iou(&a);
        prop_assert!((0.0..=1.0).contains(&ab));
        prop_assert!((ab - ba).abs() < 1e-9);
    }

    #[test]
    fn boxes_agree_with_axis_aligned_arithmetic(a in arb_box(), b in arb_box()) {
        let (ra, rb) = (a.bbox(), b.bbox());
        let w = (ra.max.x.min(rb.max.x) - ra.min.x.max(rb.min.x)).max(0.0);
        let h = (ra.max.y.min(rb.max.y) - ra.min.y.max(rb.min.y)).max(0.0);
        let inter = w * h;
        let expected = inter / (ra.area() + rb.area() - inter);
        prop_assert!((a.iou(&b) - expected).abs() < 1e-6);
    }

    #[test]
    fn translation_preserves_area(a in arb_box(), dx in -50.0..50.0f64, dy in -50.0..50.0f64) {
        prop_assert!((a.translated(dx, dy).area() - a.area()).abs() < 1e-6);
    }
}

#[test]
fn a_simplified_outline_stays_within_its_tolerance_and_keeps_few_vertices() {
    // A wobbly ring of 400 vertices, 100 pixels across.
    let points: Vec<Point> = (0..400)
        .map(|i| {
            let a = f64::from(i) / 400.0 * std::f64::consts::TAU;
            let r = 100.0 + 0.3 * (40.0 * a).sin();
            Point::new(500.0 + r * a.cos(), 400.0 + r * a.sin())
        })
        .collect();
    let shape = Shape::Polygon {
        points: points.clone(),
    };
    let tolerance = 2.0;
    let simple = shape.simplified(tolerance).unwrap();
    let kept = simple.points().len();
    assert!((3..100).contains(&kept), "{kept} vertices kept");
    // Every original vertex lies within the tolerance of the simplified outline.
    for p in &points {
        let (_, d) = simple.nearest_edge(*p).unwrap();
        assert!(d <= tolerance + 1e-9, "{p:?} is {d} px away");
    }
    // Nothing to gain: a rectangle, a tiny polygon, a tolerance too small to drop a quarter.
    assert!(
        Shape::rectangle(Point::new(0.0, 0.0), Point::new(5.0, 5.0))
            .simplified(9.0)
            .is_none()
    );
    assert!(shape.simplified(1e-6).is_none());
    assert!(shape.simplified(f64::NAN).is_none());
}
