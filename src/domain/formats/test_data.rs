//! Datasets and checks shared by the format tests.

use super::{Category, Dataset, DatasetImage};
use crate::domain::annotation::Region;
use crate::domain::geometry::{Point, Rect, Shape};
use proptest::prelude::*;

pub(crate) fn p(x: f64, y: f64) -> Point {
    Point::new(x, y)
}

/// Two images, three labels, every shape kind, an attribute, a region poking out of its image.
pub(crate) fn sample() -> Dataset {
    let mut occluded = Region::new(
        "r2",
        "building",
        Shape::rectangle(p(61.5, 27.0), p(372.0, 427.0)),
    );
    occluded
        .attributes
        .insert("occluded".into(), serde_json::Value::Bool(true));
    Dataset {
        categories: vec![
            Category {
                name: "sky".into(),
                color: Some([74, 144, 217]),
            },
            Category::named("building"),
            Category::named("tree"),
        ],
        images: vec![
            DatasetImage {
                file_name: "images/china.jpg".into(),
                source: None,
                width: 640,
                height: 427,
                regions: vec![
                    Region::new(
                        "r1",
                        "sky",
                        Shape::Polygon {
                            points: vec![
                                p(0.0, 0.0),
                                p(640.0, 0.0),
                                p(640.0, 138.5),
                                p(0.0, 146.0),
                            ],
                        },
                    ),
                    occluded,
                    Region::new(
                        "r3",
                        "tree",
                        Shape::Point {
                            at: p(100.25, 200.0),
                        },
                    ),
                ],
            },
            DatasetImage {
                file_name: "images/empty.png".into(),
                source: None,
                width: 32,
                height: 16,
                regions: vec![Region::new(
                    "r1",
                    "tree",
                    Shape::rectangle(p(30.0, -2.0), p(10.0, 8.0)),
                )],
            },
        ],
    }
}

/// A region in an image of `w`×`h`, away from the border so that no clamping happens.
fn arb_shape(w: f64, h: f64) -> impl Strategy<Value = Shape> {
    let coord = move || (0.0..w, 0.0..h).prop_map(|(x, y)| p(x, y));
    prop_oneof![
        (coord(), coord()).prop_map(|(a, b)| Shape::rectangle(a, b)),
        proptest::collection::vec(coord(), 3..12).prop_map(|points| Shape::Polygon { points }),
        coord().prop_map(|at| Shape::Point { at }),
    ]
}

/// Random datasets: 1-4 images of random sizes, 0-6 regions each, labels from a set of 3.
pub(crate) fn arb_dataset() -> impl Strategy<Value = Dataset> {
    let image = (1u32..5000, 1u32..5000).prop_flat_map(|(w, h)| {
        let region = (arb_shape(f64::from(w), f64::from(h)), 0usize..3);
        proptest::collection::vec(region, 0..6).prop_map(move |regions| DatasetImage {
            file_name: String::new(),
            source: None,
            width: w,
            height: h,
            regions: regions
                .into_iter()
                .enumerate()
                .map(|(i, (shape, label))| {
                    Region::new(format!("r{}", i + 1), ["sky", "tree", "rock"][label], shape)
                })
                .collect(),
        })
    });
    proptest::collection::vec(image, 1..4).prop_map(|mut images| {
        for (i, image) in images.iter_mut().enumerate() {
            image.file_name = format!("img{i}.jpg");
        }
        Dataset {
            categories: ["sky", "tree", "rock"]
                .into_iter()
                .map(Category::named)
                .collect(),
            images,
        }
    })
}

/// What a format can carry of a shape: rectangles compare by their box, polygons by their points.
pub(crate) fn same_shape(a: &Shape, b: &Shape, tolerance: f64) -> bool {
    let close =
        |p: &Point, q: &Point| (p.x - q.x).abs() <= tolerance && (p.y - q.y).abs() <= tolerance;
    match (a, b) {
        (Shape::Rectangle { .. }, Shape::Rectangle { .. }) => {
            let (ra, rb): (Rect, Rect) = (a.bbox(), b.bbox());
            close(&ra.min, &rb.min) && close(&ra.max, &rb.max)
        }
        (Shape::Polygon { points: pa }, Shape::Polygon { points: pb }) => {
            pa.len() == pb.len() && pa.iter().zip(pb).all(|(p, q)| close(p, q))
        }
        (Shape::Point { at: pa }, Shape::Point { at: pb }) => close(pa, pb),
        _ => false,
    }
}

/// Checks that `back` holds the regions of `original` (in order, same labels and shapes within
/// `tolerance`), leaving out the kinds `keep` rejects and mapping each kept shape by `expect`.
pub(crate) fn assert_same_regions(
    original: &Dataset,
    back: &Dataset,
    tolerance: f64,
    expect: impl Fn(&Shape) -> Option<Shape>,
) -> Result<(), TestCaseError> {
    prop_assert_eq!(original.images.len(), back.images.len());
    for (a, b) in original.images.iter().zip(&back.images) {
        prop_assert_eq!((a.width, a.height), (b.width, b.height));
        let expected: Vec<(&str, Shape)> = a
            .regions
            .iter()
            .filter_map(|r| Some((r.label.as_str(), expect(&r.shape)?)))
            .collect();
        prop_assert_eq!(
            expected.len(),
            b.regions.len(),
            "regions of {}",
            a.file_name
        );
        for ((label, shape), got) in expected.iter().zip(&b.regions) {
            prop_assert_eq!(*label, got.label.as_str());
            prop_assert!(
                same_shape(shape, &got.shape, tolerance),
                "{:?} came back as {:?}",
                shape,
                got.shape
            );
        }
    }
    Ok(())
}
