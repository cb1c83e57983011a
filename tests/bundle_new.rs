//! `clickwork bundle new` run as a process: a folder of images becomes a bundle that `validate`
//! passes, as a folder or a zip, with labels, reward, instructions and prefilled regions from LabelMe
//! or COCO; a bundle that would not open is never written, and nothing that exists is touched.
// Tests stop at the line that failed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(clippy::print_stdout, clippy::print_stderr, missing_docs)]

mod common;

use clickwork::domain::bundle::{LoadOptions, load_bundle};
use common::run;
use serde_json::{Value, json};
use std::path::Path;

/// A folder of three 64×48 PNGs named so that natural order differs from byte order, a text file
/// that is not an image, and a hidden file.
fn images(dir: &Path) -> std::path::PathBuf {
    let folder = dir.join("photos");
    std::fs::create_dir_all(&folder).unwrap();
    for (i, name) in ["b10.png", "a.png", "b2.png"].iter().enumerate() {
        image::RgbImage::from_pixel(64, 48, image::Rgb([i as u8 * 60, 100, 200]))
            .save(folder.join(name))
            .unwrap();
    }
    std::fs::write(folder.join("notes.txt"), "not an image").unwrap();
    std::fs::write(folder.join(".DS_Store"), "clutter").unwrap();
    folder
}

/// `clickwork bundle new IMAGES EXTRA… --out OUT`, as a process.
fn bundle_new(images: &Path, extra: &[&str], out: &Path, data: &Path) -> (i32, String, String) {
    let mut args = vec!["bundle", "new", images.to_str().unwrap()];
    args.extend_from_slice(extra);
    args.extend(["--out", out.to_str().unwrap()]);
    run(&args, data)
}

fn manifest(bundle: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(bundle.join("bundle.json")).unwrap()).unwrap()
}

fn labelme(label: &str) -> Value {
    json!({
        "version": "5.4.1", "flags": {}, "imagePath": "x.png", "imageData": null,
        "imageHeight": 48, "imageWidth": 64,
        "shapes": [{"label": label, "points": [[2, 2], [40, 3], [30, 30]], "group_id": null,
                    "shape_type": "polygon", "flags": {}}]
    })
}

#[test]
fn a_folder_of_images_becomes_a_bundle_that_validates_with_its_labels_reward_and_instructions() {
    let dir = tempfile::tempdir().unwrap();
    let photos = images(dir.path());
    let how = dir.path().join("how.md");
    std::fs::write(&how, "# Outline the sky\nPress **1**.").unwrap();
    let out = dir.path().join("out/skies");
    let data = dir.path().join("data");
    let (code, stdout, stderr) = bundle_new(
        &photos,
        &[
            "--labels",
            "sky, cloud,mountain",
            "--reward",
            "0.05USD",
            "--title",
            "Skies over Spain",
            "--instructions",
            how.to_str().unwrap(),
        ],
        &out,
        &data,
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("3 tasks") && stdout.contains("sky, cloud, mountain"),
        "{stdout}"
    );
    let (code, _, stderr) = run(&["validate", out.to_str().unwrap()], &data);
    assert_eq!(code, 0, "{stderr}");

    let m = manifest(&out);
    assert_eq!(m["format"], "clickwork-bundle/1");
    assert_eq!(m["title"], "Skies over Spain");
    assert_eq!(m["reward"], json!({"per_task": "0.05", "currency": "USD"}));
    assert_eq!(m["instructions"], "instructions.md");
    let labels: Vec<(&str, i64)> = m["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["name"].as_str().unwrap(), l["hotkey"].as_i64().unwrap()))
        .collect();
    assert_eq!(labels, [("sky", 1), ("cloud", 2), ("mountain", 3)]);
    assert!(m["labels"][0]["color"].as_str().unwrap().starts_with('#'));
    // Natural order, and the same ids the folder has when opened as it is.
    let images: Vec<&str> = m["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["image"].as_str().unwrap())
        .collect();
    assert_eq!(images, ["images/a.png", "images/b2.png", "images/b10.png"]);
    let folder = load_bundle(&photos, &LoadOptions::new(dir.path().join("cache"))).unwrap();
    let ids: Vec<&str> = m["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    let folder_ids: Vec<&str> = folder.tasks.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, folder_ids);
    // The images are copies, byte for byte; the instructions too; the inputs are as they were.
    for name in ["a.png", "b2.png", "b10.png"] {
        assert_eq!(
            std::fs::read(out.join("images").join(name)).unwrap(),
            std::fs::read(photos.join(name)).unwrap()
        );
    }
    assert_eq!(
        std::fs::read_to_string(out.join("instructions.md")).unwrap(),
        "# Outline the sky\nPress **1**."
    );
    assert_eq!(std::fs::read_dir(&photos).unwrap().count(), 5);
    // No staging folder is left beside the output.
    let beside: Vec<_> = std::fs::read_dir(dir.path().join("out")).unwrap().collect();
    assert_eq!(beside.len(), 1);

    // The same images and title give the same id; a second run refuses the existing output.
    let id = m["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("skies-over-spain-"), "{id}");
    let (code, _, stderr) = bundle_new(&photos, &[], &out, &data);
    assert_eq!(code, 2);
    assert!(stderr.contains("exists"), "{stderr}");
    assert_eq!(manifest(&out)["id"], id.as_str());
}

#[test]
fn a_zip_bundle_validates_and_prefills_come_from_labelme_files_or_a_coco_file() {
    let dir = tempfile::tempdir().unwrap();
    let photos = images(dir.path());
    let data = dir.path().join("data");
    // LabelMe saves photo.json beside photo.png: two of the three images have one.
    let lm = dir.path().join("labelme");
    std::fs::create_dir_all(&lm).unwrap();
    for stem in ["a", "b10"] {
        std::fs::write(lm.join(format!("{stem}.json")), labelme("sky").to_string()).unwrap();
    }
    let zip = dir.path().join("skies.zip");
    let (code, stdout, stderr) = bundle_new(
        &photos,
        &["--labels", "sky,cloud", "--prefill", lm.to_str().unwrap()],
        &zip,
        &data,
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("2 prefilled"), "{stdout}");
    let (code, _, stderr) = run(&["validate", zip.to_str().unwrap()], &data);
    assert_eq!(code, 0, "{stderr}");
    let bundle = load_bundle(&zip, &LoadOptions::new(dir.path().join("cache"))).unwrap();
    let regions: Vec<usize> = bundle.tasks.iter().map(|t| t.regions.len()).collect();
    assert_eq!(regions, [1, 0, 1]);
    assert_eq!(bundle.tasks[0].regions[0].label, "sky");

    // A COCO file that lists two of the images (one under another folder name).
    let coco = dir.path().join("instances.json");
    let file = json!({
        "images": [{"id": 1, "file_name": "val/b2.png", "width": 64, "height": 48},
                   {"id": 2, "file_name": "a.png", "width": 64, "height": 48}],
        "categories": [{"id": 1, "name": "cloud"}],
        "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 1, 10, 10],
                         "area": 100, "iscrowd": 0}]
    });
    std::fs::write(&coco, file.to_string()).unwrap();
    let out = dir.path().join("from-coco");
    let (code, stdout, stderr) = bundle_new(
        &photos,
        &["--labels", "sky,cloud", "--prefill", coco.to_str().unwrap()],
        &out,
        &data,
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("2 prefilled"), "{stdout}");
    let bundle = load_bundle(&out, &LoadOptions::new(dir.path().join("cache"))).unwrap();
    let regions: Vec<usize> = bundle.tasks.iter().map(|t| t.regions.len()).collect();
    assert_eq!(regions, [0, 1, 0]);
}

#[test]
fn a_bundle_that_would_not_open_or_would_harm_an_input_is_never_written() {
    let dir = tempfile::tempdir().unwrap();
    let photos = images(dir.path());
    let data = dir.path().join("data");
    let lm = dir.path().join("labelme");
    std::fs::create_dir_all(&lm).unwrap();
    std::fs::write(lm.join("a.json"), labelme("tree").to_string()).unwrap();
    let out = dir.path().join("out");
    // A prefilled label that is not among the labels: the problem names it and the file.
    let (code, _, stderr) = bundle_new(
        &photos,
        &["--labels", "sky", "--prefill", lm.to_str().unwrap()],
        &out,
        &data,
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("tree") && stderr.contains("a.json"),
        "{stderr}"
    );
    assert!(!out.exists());
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !left.iter().any(|n| n.contains("clickwork-new-bundle")),
        "{left:?}"
    );

    // The images folder itself, or a folder holding it, is refused.
    for target in [photos.clone(), dir.path().to_path_buf()] {
        let (code, _, stderr) = bundle_new(&photos, &[], &target, &data);
        assert_eq!(code, 2, "{stderr}");
    }
    assert_eq!(std::fs::read_dir(&photos).unwrap().count(), 5);

    // A folder that is a bundle already is not made into another.
    let (code, _, stderr) = bundle_new(
        Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/sample_tasks/landscapes"
        )),
        &[],
        &out,
        &data,
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("a bundle already"), "{stderr}");

    // A wrong reward, and a corrupt image (named).
    let (code, _, stderr) = bundle_new(&photos, &["--reward", "five"], &out, &data);
    assert_eq!(code, 2);
    assert!(stderr.contains("0.05USD"), "{stderr}");
    std::fs::write(photos.join("c.png"), b"\x89PNG\r\n\x1a\n broken").unwrap();
    let (code, _, stderr) = bundle_new(&photos, &[], &out, &data);
    assert_eq!(code, 1);
    assert!(stderr.contains("c.png"), "{stderr}");
    assert!(!out.exists());
}

#[cfg(unix)]
#[test]
fn with_link_the_images_are_not_copied_again() {
    use std::os::unix::fs::MetadataExt;
    let dir = tempfile::tempdir().unwrap();
    let photos = images(dir.path());
    let data = dir.path().join("data");
    let out = dir.path().join("linked");
    let (code, _, stderr) = bundle_new(&photos, &["--link"], &out, &data);
    assert_eq!(code, 0, "{stderr}");
    for name in ["a.png", "b2.png", "b10.png"] {
        let source = std::fs::metadata(photos.join(name)).unwrap();
        let copy = std::fs::metadata(out.join("images").join(name)).unwrap();
        assert_eq!(source.ino(), copy.ino(), "{name} was copied");
    }
    let (code, _, stderr) = run(&["validate", out.to_str().unwrap()], &data);
    assert_eq!(code, 0, "{stderr}");
    // Without it, copies.
    let copied = dir.path().join("copied");
    let (code, _, _) = bundle_new(&photos, &[], &copied, &data);
    assert_eq!(code, 0);
    let source = std::fs::metadata(photos.join("a.png")).unwrap();
    let copy = std::fs::metadata(copied.join("images/a.png")).unwrap();
    assert_ne!(source.ino(), copy.ino());
}
