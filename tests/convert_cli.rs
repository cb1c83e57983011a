//! `clickwork convert` run as a process: between every format and back, what it clamps, drops and
//! adds, COCO without image sizes, and input that is not the stated format.
// Tests stop at the line that failed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(clippy::print_stdout, clippy::print_stderr, missing_docs)]

mod common;

use serde_json::{Value, json};
use std::path::Path;

use common::work::{SAMPLE, assert_code, data_with_work, read_json};
use common::{clickwork, text};

#[test]
fn convert_coco_to_every_format_and_back_keeps_the_regions() {
    let data = data_with_work();
    let out = tempfile::tempdir().unwrap();
    let coco_dir = out.path().join("coco");
    let export = clickwork(
        &[
            "export",
            SAMPLE,
            "--format",
            "coco",
            "--out",
            coco_dir.to_str().unwrap(),
            "--copy-images",
        ],
        data.path(),
    );
    assert_code(&export, 0);
    let coco_file = coco_dir.join("annotations/instances_default.json");
    let original = read_json(&coco_file);
    for (to, from, input) in [
        ("labelme", "labelme", "labelme"),
        ("cvat", "cvat", "cvat/annotations.xml"),
        ("yolo-seg", "yolo", "yolo-seg"),
        ("voc", "voc", "voc"),
    ] {
        let there = out.path().join(to);
        let output = clickwork(
            &[
                "convert",
                "--from",
                "coco",
                "--to",
                to,
                coco_file.to_str().unwrap(),
                there.to_str().unwrap(),
                "--copy-images",
            ],
            data.path(),
        );
        assert_code(&output, 0);
        let input_path = out.path().join(input);
        let back_dir = out.path().join(format!("{to}-back"));
        let output = clickwork(
            &[
                "convert",
                "--from",
                from,
                "--to",
                "coco",
                input_path.to_str().unwrap(),
                back_dir.to_str().unwrap(),
            ],
            data.path(),
        );
        assert_code(&output, 0);
        let back = read_json(&back_dir.join("annotations/instances_default.json"));
        let boxes = |v: &Value| -> Vec<Vec<f64>> {
            v["annotations"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| {
                    a["bbox"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|n| n.as_f64().unwrap())
                        .collect()
                })
                .collect()
        };
        let (a, b) = (boxes(&original), boxes(&back));
        assert_eq!(a.len(), b.len(), "{to}");
        // VOC keeps integers; YOLO six decimals of the image size.
        let tolerance = if to == "voc" { 1.0 } else { 1e-3 };
        for (x, y) in a.iter().zip(&b) {
            for (p, q) in x.iter().zip(y) {
                assert!((p - q).abs() <= tolerance, "{to}: {x:?} came back as {y:?}");
            }
        }
    }
}

#[test]
fn convert_reports_what_it_clamped_dropped_and_added() {
    let data = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    // A VIA 2 export of two photos, one of them present (a copy of a sample photo).
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(SAMPLE)
            .join("images/sklearn_china_by_danielbuechele.jpg"),
        dir.path().join("china.jpg"),
    )
    .unwrap();
    let via = json!({
        "china.jpg196653": {"filename": "china.jpg", "size": 196653, "file_attributes": {}, "regions": [
            {"shape_attributes": {"name": "rect", "x": 600, "y": 20, "width": 80, "height": 40}, "region_attributes": {"label": "building"}},
            {"shape_attributes": {"name": "polyline", "all_points_x": [1, 2], "all_points_y": [3, 4]}, "region_attributes": {"label": "wire"}}
        ]},
        "gone.jpg10": {"filename": "gone.jpg", "size": 10, "file_attributes": {}, "regions": [
            {"shape_attributes": {"name": "point", "cx": 12, "cy": 7}, "region_attributes": {"label": "bird"}}
        ]}
    });
    let via_file = dir.path().join("via_project.json");
    std::fs::write(&via_file, serde_json::to_vec(&via).unwrap()).unwrap();
    let out = dir.path().join("out");
    let output = clickwork(
        &[
            "convert",
            "--from",
            "via",
            "--to",
            "labelme",
            via_file.to_str().unwrap(),
            out.to_str().unwrap(),
        ],
        data.path(),
    );
    assert_code(&output, 0);
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains("read 2 image(s), 2 region(s), 2 label(s)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("clamped: ")
            && stdout
                .contains("china.jpg region 1 on china.jpg: 1 point outside the 640x427 image"),
        "{stdout}"
    );
    assert!(
        stdout.contains("dropped: ") && stdout.contains("polyline"),
        "{stdout}"
    );
    assert!(
        stdout.contains("gone.jpg: VIA stores no image size"),
        "{stdout}"
    );
    let china = read_json(&out.join("china.json"));
    assert_eq!(
        china["shapes"][0]["points"],
        json!([[600.0, 20.0], [640.0, 60.0]])
    );
    assert_eq!(china["imagePath"], "../china.jpg");
    let broken = clickwork(
        &[
            "convert",
            "--from",
            "coco",
            "--to",
            "voc",
            via_file.to_str().unwrap(),
            dir.path().join("out-voc").to_str().unwrap(),
        ],
        data.path(),
    );
    assert_code(&broken, 1);
    assert!(
        text(&broken.stderr).contains("via_project.json"),
        "{}",
        text(&broken.stderr)
    );
}

#[test]
fn coco_without_image_sizes_reads_them_from_the_images_beside_it() {
    let data = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    image::RgbImage::from_pixel(300, 150, image::Rgb([90, 140, 200]))
        .save(dir.path().join("photo.png"))
        .unwrap();
    let coco = json!({
        "images": [{"id": 1, "file_name": "photo.png"}, {"id": 2, "file_name": "gone.png"}],
        "categories": [{"id": 1, "name": "sky"}],
        "annotations": [
            {"id": 1, "image_id": 1, "category_id": 1, "segmentation": [[0, 0, 280, 0, 280, 140, 0, 140]], "bbox": [0, 0, 280, 140]},
            {"id": 2, "image_id": 2, "category_id": 1, "segmentation": [[0, 0, 28, 0, 28, 14]], "bbox": [0, 0, 28, 14]}
        ]
    });
    let file = dir.path().join("instances.json");
    std::fs::write(&file, serde_json::to_vec(&coco).unwrap()).unwrap();
    let out = dir.path().join("labelme");
    let output = clickwork(
        &[
            "convert",
            "--from",
            "coco",
            "--to",
            "labelme",
            file.to_str().unwrap(),
            out.to_str().unwrap(),
        ],
        data.path(),
    );
    assert_code(&output, 0);
    let photo = read_json(&out.join("photo.json"));
    assert_eq!(
        (photo["imageWidth"].clone(), photo["imageHeight"].clone()),
        (json!(300), json!(150))
    );
    let stdout = text(&output.stdout);
    assert!(!stdout.contains("image photo.png has no width"), "{stdout}");
    // Only the image that is not there is guessed, and said to be.
    assert!(
        stdout.contains("image gone.png has no width or height; took 28x14"),
        "{stdout}"
    );
}

#[test]
fn input_that_is_not_the_stated_format_or_holds_nothing_is_an_error() {
    let data = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let labelme = dir.path().join("photo.json");
    std::fs::write(
        &labelme,
        serde_json::to_vec(&json!({
            "version": "5.5.0", "flags": {}, "imagePath": "photo.png", "imageData": null,
            "imageHeight": 10, "imageWidth": 10,
            "shapes": [{"label": "sky", "points": [[0, 0], [5, 5]], "shape_type": "rectangle", "flags": {}}]
        }))
        .unwrap(),
    )
    .unwrap();
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    for (from, input) in [("via", &labelme), ("yolo", &empty)] {
        let out = dir.path().join(format!("out-{from}"));
        let output = clickwork(
            &[
                "convert",
                "--from",
                from,
                "--to",
                "coco",
                input.to_str().unwrap(),
                out.to_str().unwrap(),
            ],
            data.path(),
        );
        assert_code(&output, 1);
        let stderr = text(&output.stderr);
        assert!(
            stderr.contains(input.to_str().unwrap()) && stderr.contains("expected"),
            "{from}: {stderr}"
        );
        assert!(!out.exists(), "nothing is written for {from}");
    }
}
