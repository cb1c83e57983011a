//! `cargo bench --bench export`: the time to export 10,000 images with 100,000 regions to COCO (the
//! figure issue 5 names), split into building the JSON and writing it atomically, and the same dataset
//! read back by the COCO importer. Then the conversion issue 10 names: 10,000 LabelMe files (4000×3000
//! images, 10 polygons of 10–40 vertices each, 8 labels, written as labelme writes them) to COCO, by
//! `clickwork convert` as a process and in its parts.
// A benchmark prints its figures and stops at the first failure.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(clippy::print_stdout, clippy::print_stderr, missing_docs)]

use clickwork::domain::annotation::Region;
use clickwork::domain::formats::{Category, Dataset, DatasetImage, ExportOptions, coco, labelme};
use clickwork::domain::geometry::{Point, Shape};
use clickwork::domain::safe_output::OutputRules;
use clickwork::domain::work::write_tree;
use std::path::Path;
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
    convert_labelme();
}

const LABELS: [&str; 8] = [
    "sky", "cloud", "mountain", "snow", "tree", "water", "building", "grass",
];

/// A LabelMe set as labelme 5 writes it (indented, `imageData` null), each file beside a hard link to
/// one 4000×3000 JPEG. Returns the bytes of JSON written.
fn write_labelme_set(dir: &Path) -> u64 {
    let image = dir.join("base.jpg");
    let pixels = image::RgbImage::from_fn(4000, 3000, |x, y| {
        image::Rgb([(x / 16) as u8, (y / 12) as u8, 180])
    });
    pixels.save(&image).expect("JPEG written");
    let set = dir.join("set");
    std::fs::create_dir(&set).expect("set folder");
    let mut bytes = 0;
    let mut seed: u64 = 7;
    let mut next = move |n: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % n
    };
    for i in 0..IMAGES {
        let shapes: Vec<serde_json::Value> = (0..REGIONS_PER_IMAGE)
            .map(|k| {
                let n = 10 + next(31) as usize;
                let (cx, cy) = (300 + next(3400), 300 + next(2400));
                let points: Vec<[f64; 2]> = (0..n)
                    .map(|v| {
                        let t = v as f64 * std::f64::consts::TAU / n as f64;
                        let r = 120.0 + next(80) as f64 + 0.25 * (v % 4) as f64;
                        let round = |f: f64| (f * 100.0).round() / 100.0;
                        [
                            round(cx as f64 + r * t.cos()),
                            round(cy as f64 + r * t.sin()),
                        ]
                    })
                    .collect();
                serde_json::json!({
                    "label": LABELS[(i + k) % LABELS.len()],
                    "points": points,
                    "group_id": null,
                    "description": "",
                    "shape_type": "polygon",
                    "flags": {},
                    "mask": null
                })
            })
            .collect();
        let file = serde_json::json!({
            "version": "5.5.0",
            "flags": {},
            "shapes": shapes,
            "imagePath": format!("img{i:05}.jpg"),
            "imageData": null,
            "imageHeight": 3000,
            "imageWidth": 4000
        });
        let text = serde_json::to_vec_pretty(&file).expect("JSON");
        bytes += text.len() as u64;
        std::fs::write(set.join(format!("img{i:05}.json")), text).expect("file written");
        std::fs::hard_link(&image, set.join(format!("img{i:05}.jpg"))).expect("hard link");
    }
    bytes
}

fn convert_labelme() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let started = Instant::now();
    let bytes = write_labelme_set(dir.path());
    let made = started.elapsed();
    let set = dir.path().join("set");
    let (mut import, mut build, mut write, mut process) =
        (f64::INFINITY, f64::INFINITY, f64::INFINITY, f64::INFINITY);
    let mut regions = 0;
    for run in 0..5 {
        let out = dir.path().join(format!("in-process-{run}"));
        let started = Instant::now();
        let (dataset, _) = labelme::import(&set).expect("the set reads");
        let read = started.elapsed();
        let options = ExportOptions {
            copy_images: false,
            out_dir: out.clone(),
        };
        let exported = coco::export(&dataset, &options);
        let built = started.elapsed();
        write_tree(&out, &exported.files, false, &OutputRules::new()).expect("written");
        let total = started.elapsed();
        regions = exported.summary.regions;
        import = import.min(ms(read));
        build = build.min(ms(built - read));
        write = write.min(ms(total - built));

        let out = dir.path().join(format!("process-{run}"));
        let started = Instant::now();
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_clickwork"))
            .args(["convert", "--from", "labelme", "--to", "coco"])
            .arg(&set)
            .arg(&out)
            .stdout(std::process::Stdio::null())
            .status()
            .expect("clickwork runs");
        assert!(status.success(), "convert failed");
        process = process.min(ms(started.elapsed()));
    }
    println!(
        "LabelMe -> COCO, {IMAGES} files ({:.0} MB of JSON, made in {:.1} s), {regions} polygons, best of 5:",
        bytes as f64 / 1e6,
        made.as_secs_f64()
    );
    println!("  clickwork convert (process)  {process:>8.1} ms   target <= 500 ms");
    println!("  in process: read LabelMe     {import:>8.1} ms");
    println!("              build COCO       {build:>8.1} ms");
    println!("              atomic write     {write:>8.1} ms");
}
