//! `cargo bench --bench export`: the time to export 10,000 images with 100,000 regions to COCO (the
//! figure issue 5 names), split into building the JSON and writing it atomically, and the same dataset
//! read back by the COCO importer.
// A benchmark prints its figures and stops at the first failure.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(clippy::print_stdout, clippy::print_stderr, missing_docs)]

use clickwork::domain::annotation::Region;
use clickwork::domain::formats::{Category, Dataset, DatasetImage, ExportOptions, coco};
use clickwork::domain::geometry::{Point, Shape};
use clickwork::domain::safe_output::OutputRules;
use clickwork::domain::work::write_tree;
use std::time::{Duration, Instant};

const IMAGES: usize = 10_000;
const REGIONS_PER_IMAGE: usize = 10;

/// A deterministic dataset: per image 7 polygons of 12 vertices and 3 rectangles (no points, so all
/// 100,000 regions are written), in a 1920x1080 image.
fn dataset() -> Dataset {
    let labels = [
        "sky", "cloud", "mountain", "snow", "tree", "water", "building", "grass",
    ];
    let images = (0..IMAGES)
        .map(|i| {
            let regions = (0..REGIONS_PER_IMAGE)
                .map(|k| {
                    let (cx, cy) = (
                        100.0 + (i * 37 + k * 131) as f64 % 1700.0,
                        80.0 + (i * 53 + k * 71) as f64 % 900.0,
                    );
                    let shape = match k {
                        0..7 => Shape::Polygon {
                            points: (0..12)
                                .map(|v| {
                                    let t = v as f64 * std::f64::consts::TAU / 12.0;
                                    let r = 40.0 + (v % 3) as f64 * 7.25;
                                    Point::new(cx + r * t.cos(), cy + r * t.sin())
                                })
                                .collect(),
                        },
                        _ => Shape::rectangle(
                            Point::new(cx - 30.5, cy - 20.0),
                            Point::new(cx + 45.0, cy + 33.5),
                        ),
                    };
                    Region::new(format!("r{}", k + 1), labels[(i + k) % labels.len()], shape)
                })
                .collect();
            DatasetImage {
                file_name: format!("images/batch{}/img{i:05}.jpg", i / 1000),
                source: None,
                width: 1920,
                height: 1080,
                regions,
            }
        })
        .collect();
    Dataset {
        categories: labels.into_iter().map(Category::named).collect(),
        images,
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let dataset = dataset();
    let regions: usize = dataset.images.iter().map(|i| i.regions.len()).sum();
    let out = tempfile::tempdir().expect("temporary folder");
    let mut best = (f64::INFINITY, f64::INFINITY, f64::INFINITY);
    let mut size = 0;
    for run in 0..3 {
        let started = Instant::now();
        let options = ExportOptions {
            copy_images: false,
            out_dir: out.path().join("coco"),
        };
        let exported = coco::export(&dataset, &options);
        let built = started.elapsed();
        write_tree(
            &out.path().join("coco"),
            &exported.files,
            run > 0,
            &OutputRules::new(),
        )
        .expect("export written");
        let total = started.elapsed();
        let path = out.path().join("coco").join(coco::ANNOTATIONS_PATH);
        size = std::fs::metadata(&path).map_or(0, |m| m.len());
        let started = Instant::now();
        let (back, _) = coco::import(&path).expect("export reads back");
        let read = started.elapsed();
        assert_eq!(back.images.len(), IMAGES);
        best = (
            best.0.min(ms(built)),
            best.1.min(ms(total)),
            best.2.min(ms(read)),
        );
    }
    println!(
        "COCO export of {IMAGES} images, {regions} regions, {:.1} MB:",
        size as f64 / 1e6
    );
    println!("  build JSON in memory     {:>8.1} ms", best.0);
    println!("  build + atomic write     {:>8.1} ms", best.1);
    println!("  import the file back     {:>8.1} ms", best.2);
}
