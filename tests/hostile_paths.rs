//! Paths written inside label files never make a conversion read or write outside the dataset's folder:
//! absolute paths, `..`, Windows drives and links out are reported and not followed, so a stranger's
//! dataset cannot pull the worker's other files into an export (`--copy-images`) or write beside it.
// Tests stop at the line that failed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(missing_docs)]

mod common;

use common::{run, tree};
use serde_json::json;
use std::path::Path;

/// A small PNG whose bytes are known, standing for a private file outside the dataset.
fn secret_png(path: &Path) -> Vec<u8> {
    let img = image::RgbImage::from_pixel(7, 5, image::Rgb([1, 2, 3]));
    img.save(path).unwrap();
    std::fs::read(path).unwrap()
}

/// The names a hostile file might use for `secret` (absolute, climbing, a Windows drive).
fn hostile_names(secret: &Path) -> Vec<String> {
    vec![
        secret.to_str().unwrap().to_owned(),
        "../../outside/secret.png".to_owned(),
        "images/../../../outside/secret.png".to_owned(),
        "C:\\outside\\secret.png".to_owned(),
    ]
}

/// Converts `input` (of `from`) to every output format with `--copy-images`; checks that no output
/// holds the secret's bytes, that nothing appeared outside the output folders, and that the report
/// says a path was not followed.
fn convert_never_leaks(from: &str, input: &Path, top: &Path, secret: &[u8]) {
    let data = tempfile::tempdir().unwrap();
    for to in ["coco", "yolo", "voc", "labelme", "cvat"] {
        let before = tree(top);
        let out = top.join("out").join(format!("{from}-to-{to}"));
        let (code, stdout, stderr) = run(
            &[
                "convert",
                "--from",
                from,
                "--to",
                to,
                input.to_str().unwrap(),
                out.to_str().unwrap(),
                "--copy-images",
            ],
            data.path(),
        );
        assert_eq!(code, 0, "{from} -> {to}\n{stdout}\n{stderr}");
        let said = format!("{stdout}{stderr}");
        assert!(
            said.contains("outside"),
            "{from} -> {to}: no word of the refused path\n{said}"
        );
        for (path, bytes) in tree(&out) {
            assert_ne!(
                bytes,
                secret,
                "{from} -> {to} copied the outside file to {}",
                path.display()
            );
        }
        let after = tree(top);
        for path in after.keys() {
            assert!(
                before.contains_key(path) || top.join(path).starts_with(&out),
                "{from} -> {to} wrote {} outside its output",
                path.display()
            );
        }
    }
}

/// `top/outside/secret.png` and an empty `top/ds/images/` with one innocent image.
fn layout() -> (tempfile::TempDir, Vec<u8>) {
    let top = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(top.path().join("outside")).unwrap();
    let secret = secret_png(&top.path().join("outside/secret.png"));
    std::fs::create_dir_all(top.path().join("ds/images")).unwrap();
    image::RgbImage::from_pixel(20, 10, image::Rgb([200, 200, 200]))
        .save(top.path().join("ds/images/ok.png"))
        .unwrap();
    (top, secret)
}

#[test]
fn coco_file_names_outside_the_dataset_are_not_followed() {
    let (top, secret) = layout();
    let secret_path = top.path().join("outside/secret.png");
    let mut images = vec![json!({"id": 1, "file_name": "ok.png", "width": 20, "height": 10})];
    for (n, name) in hostile_names(&secret_path).into_iter().enumerate() {
        images.push(json!({"id": n + 2, "file_name": name, "width": 7, "height": 5}));
    }
    let annotations: Vec<_> = (1..=images.len())
        .map(|id| {
            json!({"id": id, "image_id": id, "category_id": 1, "bbox": [1, 1, 3, 2],
                   "segmentation": [[1, 1, 4, 1, 4, 3, 1, 3]], "area": 6, "iscrowd": 0})
        })
        .collect();
    let coco = json!({"images": images, "annotations": annotations,
                      "categories": [{"id": 1, "name": "sky"}]});
    std::fs::create_dir_all(top.path().join("ds/annotations")).unwrap();
    let file = top.path().join("ds/annotations/instances_default.json");
    std::fs::write(&file, coco.to_string()).unwrap();
    convert_never_leaks("coco", &file, top.path(), &secret);
}

#[test]
fn labelme_image_paths_outside_the_dataset_are_not_followed() {
    let (top, secret) = layout();
    let secret_path = top.path().join("outside/secret.png");
    let shape = json!({"label": "sky", "points": [[1, 1], [4, 3]], "shape_type": "rectangle"});
    let write = |name: &str, image_path: &str| {
        let file = json!({"version": "5.5.0", "flags": {}, "shapes": [shape],
                          "imagePath": image_path, "imageData": null,
                          "imageWidth": 7, "imageHeight": 5});
        std::fs::write(top.path().join("ds").join(name), file.to_string()).unwrap();
    };
    write("ok.json", "images/ok.png");
    for (n, name) in hostile_names(&secret_path).into_iter().enumerate() {
        write(&format!("evil{n}.json"), &name);
    }
    convert_never_leaks("labelme", &top.path().join("ds"), top.path(), &secret);
}

#[cfg(unix)]
#[test]
fn a_side_file_linked_from_outside_is_not_read_and_a_lone_file_is_not_widened() {
    let (top, secret) = layout();
    // labels.txt is a link to somebody's private text: its lines must not become label names.
    std::fs::write(top.path().join("outside/notes.txt"), "my-password-123\n").unwrap();
    let ds = top.path().join("ds");
    std::os::unix::fs::symlink(top.path().join("outside/notes.txt"), ds.join("labels.txt"))
        .unwrap();
    let shape = json!({"label": "sky", "points": [[1, 1], [4, 3]], "shape_type": "rectangle"});
    let file = json!({"version": "5.5.0", "flags": {}, "shapes": [shape], "imagePath": "images/ok.png",
                      "imageData": null, "imageWidth": 20, "imageHeight": 10});
    std::fs::write(ds.join("ok.json"), file.to_string()).unwrap();
    let data = tempfile::tempdir().unwrap();
    let out = top.path().join("out-labels");
    let (code, stdout, stderr) = run(
        &[
            "convert",
            "--from",
            "labelme",
            "--to",
            "coco",
            ds.to_str().unwrap(),
            out.to_str().unwrap(),
        ],
        data.path(),
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
    for (path, bytes) in tree(&out) {
        assert!(
            !String::from_utf8_lossy(&bytes).contains("my-password-123"),
            "{} holds the linked file's text",
            path.display()
        );
    }
    // A lone LabelMe file in a folder named annotations/ is its folder's alone: "../" from it does not
    // reach the folder above (COCO's layout widens only its own fixed `../images`).
    let lone = top.path().join("annotations");
    std::fs::create_dir_all(&lone).unwrap();
    let file = json!({"version": "5.5.0", "flags": {}, "shapes": [shape],
                      "imagePath": "../outside/secret.png", "imageData": null,
                      "imageWidth": 7, "imageHeight": 5});
    std::fs::write(lone.join("evil.json"), file.to_string()).unwrap();
    convert_never_leaks("labelme", &lone.join("evil.json"), top.path(), &secret);
}

#[cfg(unix)]
#[test]
fn links_out_of_a_yolo_or_voc_folder_are_reported_and_not_read() {
    let (top, secret) = layout();
    let secret_path = top.path().join("outside/secret.png");
    let ds = top.path().join("ds");
    std::fs::create_dir_all(ds.join("labels")).unwrap();
    std::fs::write(ds.join("labels/ok.txt"), "0 0.5 0.5 0.2 0.2\n").unwrap();
    std::fs::write(ds.join("labels/stolen.txt"), "0 0.5 0.5 0.2 0.2\n").unwrap();
    std::os::unix::fs::symlink(&secret_path, ds.join("images/stolen.png")).unwrap();
    std::fs::write(ds.join("classes.txt"), "sky\n").unwrap();
    convert_never_leaks("yolo", &ds, top.path(), &secret);

    let voc = top.path().join("voc");
    std::fs::create_dir_all(voc.join("Annotations")).unwrap();
    std::fs::create_dir_all(voc.join("JPEGImages")).unwrap();
    std::os::unix::fs::symlink(&secret_path, voc.join("JPEGImages/stolen.png")).unwrap();
    let xml = |name: &str| {
        format!(
            "<annotation><filename>{name}</filename><size><width>7</width><height>5</height>\
             <depth>3</depth></size><object><name>sky</name><bndbox><xmin>1</xmin><ymin>1</ymin>\
             <xmax>4</xmax><ymax>3</ymax></bndbox></object></annotation>"
        )
    };
    std::fs::write(voc.join("Annotations/stolen.xml"), xml("stolen.png")).unwrap();
    std::fs::write(
        voc.join("Annotations/abs.xml"),
        xml(secret_path.to_str().unwrap()),
    )
    .unwrap();
    convert_never_leaks("voc", &voc, top.path(), &secret);
}

#[test]
fn via_and_cvat_names_outside_the_dataset_are_not_followed() {
    let (top, secret) = layout();
    let secret_path = top.path().join("outside/secret.png");
    let ds = top.path().join("ds");
    let mut via = serde_json::Map::new();
    let mut cvat = String::from("<annotations><version>1.1</version>");
    for (n, name) in ["ok.png".to_owned()]
        .into_iter()
        .chain(hostile_names(&secret_path))
        .enumerate()
    {
        via.insert(
            format!("{name}{n}"),
            json!({"filename": name, "size": 0, "file_attributes": {}, "regions": [
                {"shape_attributes": {"name": "rect", "x": 1, "y": 1, "width": 3, "height": 2},
                 "region_attributes": {"label": "sky"}}]}),
        );
        let escaped = name.replace('&', "&amp;");
        cvat.push_str(&format!(
            "<image id=\"{n}\" name=\"{escaped}\" width=\"7\" height=\"5\">\
             <box label=\"sky\" xtl=\"1\" ytl=\"1\" xbr=\"4\" ybr=\"3\" occluded=\"0\"/></image>"
        ));
    }
    cvat.push_str("</annotations>");
    std::fs::write(ds.join("images/via.json"), json!(via).to_string()).unwrap();
    convert_never_leaks("via", &ds.join("images/via.json"), top.path(), &secret);
    std::fs::write(ds.join("annotations.xml"), cvat).unwrap();
    convert_never_leaks("cvat", &ds.join("annotations.xml"), top.path(), &secret);
}
