//! `clickwork export` and `submit` run as processes on the real sample bundle, with a data folder
//! holding annotation files written in the documented schema (docs/workspace-format.md). `convert`
//! is in `convert_cli.rs`.
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
use serde_json::{Value, json};
use std::path::Path;

use common::work::{BUNDLE_ID, SAMPLE, assert_code, data_with_work, read_json};
use common::{clickwork, text, tree};

#[test]
fn export_all_writes_every_format_of_the_submitted_tasks() {
    let data = data_with_work();
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("export");
    let target_arg = target.to_str().unwrap();
    let output = clickwork(
        &[
            "export",
            SAMPLE,
            "--format",
            "all",
            "--out",
            target_arg,
            "--copy-images",
        ],
        data.path(),
    );
    assert_code(&output, 0);
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains("exported 1 task(s) of landscapes-sample (status submitted; 5 left out)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("coco: 1 image, 3 regions, 1 point region skipped"),
        "{stdout}"
    );
    assert!(stdout.contains("labelme: 1 image, 4 regions"), "{stdout}");
    for folder in ["coco", "yolo", "voc", "labelme", "cvat"] {
        assert!(target.join(folder).is_dir(), "{folder} missing");
    }
    let coco = read_json(&target.join("coco/annotations/instances_default.json"));
    assert_eq!(coco["categories"].as_array().unwrap().len(), 8);
    assert_eq!(coco["categories"][0]["name"], "sky");
    assert_eq!(
        coco["annotations"][1]["bbox"],
        json!([61.5, 27.0, 310.5, 400.0])
    );
    assert!(
        target
            .join("coco/images/default/sklearn_china_by_danielbuechele.jpg")
            .is_file()
    );
    let yolo = std::fs::read_to_string(
        target.join("yolo/labels/train/sklearn_china_by_danielbuechele.txt"),
    )
    .unwrap();
    assert_eq!(yolo.lines().count(), 3);
    assert!(
        target
            .join("voc/Annotations/sklearn_china_by_danielbuechele.xml")
            .is_file()
    );
    assert_eq!(
        std::fs::read_to_string(target.join("voc/ImageSets/Main/default.txt")).unwrap(),
        "sklearn_china_by_danielbuechele\n"
    );
    let labelme = read_json(&target.join("labelme/sklearn_china_by_danielbuechele.json"));
    assert_eq!(labelme["imagePath"], "sklearn_china_by_danielbuechele.jpg");
    assert_eq!(
        labelme["shapes"][1]["points"],
        json!([[61.5, 27.0], [372.0, 427.0]])
    );
    let cvat = std::fs::read_to_string(target.join("cvat/annotations.xml")).unwrap();
    assert!(
        cvat.contains("<name>grass</name>"),
        "every label is declared"
    );
    // Export reads the workspace without writing to it.
    assert!(
        !data
            .path()
            .join("work")
            .join(BUNDLE_ID)
            .join("workspace.json")
            .exists()
    );
}

#[test]
fn exports_are_byte_for_byte_the_same_and_never_overwrite_without_force() {
    let data = data_with_work();
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("export");
    let target_arg = target.to_str().unwrap();
    let args = [
        "export", SAMPLE, "--format", "all", "--out", target_arg, "--status", "all",
    ];
    assert_code(&clickwork(&args, data.path()), 0);
    let first = tree(&target);
    assert!(first.len() > 20, "{} files", first.len());

    let refused = clickwork(&args, data.path());
    assert_code(&refused, 2);
    assert!(
        text(&refused.stderr).contains("pass --force"),
        "{}",
        text(&refused.stderr)
    );
    assert_eq!(
        tree(&target),
        first,
        "a refused export leaves the folder alone"
    );

    let mut forced = args.to_vec();
    forced.push("--force");
    assert_code(&clickwork(&forced, data.path()), 0);
    assert_eq!(tree(&target), first, "same input, same bytes");
    let names: Vec<String> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["export"], "no temporary folder is left behind");
}

#[test]
fn status_all_takes_every_task_and_labelme_points_at_the_bundle() {
    let data = data_with_work();
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("labelme");
    let output = clickwork(
        &[
            "export",
            "--format",
            "labelme",
            "--out",
            target.to_str().unwrap(),
            "--status",
            "all",
        ],
        data.path(),
    );
    assert_code(&output, 0);
    assert!(
        text(&output.stdout).contains("labelme: 6 images, 5 regions"),
        "{}",
        text(&output.stdout)
    );
    let sunset = read_json(&target.join("sunset_by_Aitzol_Berasategi.json"));
    let image_path = sunset["imagePath"].as_str().unwrap();
    assert!(image_path.starts_with("../"), "{image_path}");
    let resolved = target.join(image_path).canonicalize().unwrap();
    let bundled = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(SAMPLE)
        .join("images/sunset_by_Aitzol_Berasategi.jpg")
        .canonicalize()
        .unwrap();
    assert_eq!(resolved, bundled);
    assert_eq!(
        (
            sunset["imageWidth"].as_u64(),
            sunset["imageHeight"].as_u64()
        ),
        (Some(4272), Some(2848))
    );
}

#[test]
fn a_corrupt_annotation_file_is_named_and_exits_1() {
    let data = data_with_work();
    let bad = data
        .path()
        .join("work")
        .join(BUNDLE_ID)
        .join("annotations/china.json");
    std::fs::write(&bad, b"{\"format\": \"clickwork-annotation/1\", ").unwrap();
    let out = tempfile::tempdir().unwrap();
    let output = clickwork(
        &[
            "export",
            SAMPLE,
            "--format",
            "coco",
            "--out",
            out.path().join("x").to_str().unwrap(),
        ],
        data.path(),
    );
    assert_code(&output, 1);
    assert!(
        text(&output.stderr).contains("china.json"),
        "{}",
        text(&output.stderr)
    );
    assert!(!out.path().join("x").exists());
}

#[test]
fn usage_errors_exit_2() {
    let data = tempfile::tempdir().unwrap();
    assert_code(
        &clickwork(&["export", SAMPLE, "--out", "x"], data.path()),
        2,
    );
    assert_code(
        &clickwork(
            &["export", SAMPLE, "--format", "png", "--out", "x"],
            data.path(),
        ),
        2,
    );
    assert_code(
        &clickwork(&["convert", "--from", "coco", "in.json"], data.path()),
        2,
    );
    let missing = clickwork(
        &["export", "no/such/bundle", "--format", "coco", "--out", "x"],
        data.path(),
    );
    assert_code(&missing, 1);
    assert!(
        text(&missing.stderr).contains("no/such/bundle"),
        "{}",
        text(&missing.stderr)
    );
}

#[test]
fn submit_packs_the_work_with_the_manifest_hash_deterministically() {
    let data = data_with_work();
    let out = tempfile::tempdir().unwrap();
    let zip_path = out.path().join("submission.zip");
    let output = clickwork(
        &["submit", SAMPLE, "--out", zip_path.to_str().unwrap()],
        data.path(),
    );
    assert_code(&output, 0);
    let first = std::fs::read(&zip_path).unwrap();
    let again = clickwork(
        &["submit", SAMPLE, "--out", zip_path.to_str().unwrap()],
        data.path(),
    );
    assert_code(&again, 2);
    let forced = clickwork(
        &[
            "submit",
            SAMPLE,
            "--out",
            zip_path.to_str().unwrap(),
            "--force",
        ],
        data.path(),
    );
    assert_code(&forced, 0);
    assert_eq!(
        std::fs::read(&zip_path).unwrap(),
        first,
        "same work, same bytes"
    );

    let mut archive = zip::ZipArchive::new(std::fs::File::open(&zip_path).unwrap()).unwrap();
    let names: Vec<String> = (0..archive.len())
        .map(|i| archive.by_index(i).unwrap().name().unwrap().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "submission.json",
            "annotations/china.json",
            "annotations/sunset.json",
            "coco/instances_default.json"
        ]
    );
    let mut read = |name: &str| {
        let mut entry = archive.by_name(name).unwrap();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut bytes).unwrap();
        bytes
    };
    let summary: Value = serde_json::from_slice(&read("submission.json")).unwrap();
    let options = LoadOptions::new(data.path().join("cache"));
    let bundle = load_bundle(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join(SAMPLE),
        &options,
    )
    .unwrap();
    assert_eq!(summary["manifest_sha256"], bundle.manifest_sha256.as_str());
    assert_eq!(
        summary["counts"],
        json!({"in_progress": 1, "new": 4, "submitted": 1})
    );
    assert_eq!(summary["tasks"].as_array().unwrap().len(), 6);
    let native = read("annotations/china.json");
    let on_disk = std::fs::read(
        data.path()
            .join("work")
            .join(BUNDLE_ID)
            .join("annotations/china.json"),
    )
    .unwrap();
    assert_eq!(
        native, on_disk,
        "native annotation files travel byte for byte"
    );
    let coco: Value = serde_json::from_slice(&read("coco/instances_default.json")).unwrap();
    assert_eq!(
        coco["images"].as_array().unwrap().len(),
        1,
        "COCO holds the submitted tasks"
    );
}

#[test]
fn submit_with_no_work_in_the_data_folder_is_an_error_and_writes_nothing() {
    let empty = tempfile::tempdir().unwrap();
    let out = empty.path().join("work.zip");
    let output = clickwork(
        &["submit", SAMPLE, "--out", out.to_str().unwrap()],
        &empty.path().join("mistyped"),
    );
    assert_code(&output, 1);
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("holds no work") && stderr.contains("--data-dir"),
        "{stderr}"
    );
    assert!(!out.exists());

    // Work that is not finished yet is packed, with a loud warning.
    let data = data_with_work();
    let unfinished = tempfile::tempdir().unwrap();
    std::fs::remove_file(
        data.path()
            .join("work")
            .join(BUNDLE_ID)
            .join("annotations/china.json"),
    )
    .unwrap();
    let out = unfinished.path().join("work.zip");
    let output = clickwork(
        &["submit", SAMPLE, "--out", out.to_str().unwrap()],
        data.path(),
    );
    assert_code(&output, 0);
    assert!(
        text(&output.stderr).contains("no task of landscapes-sample is submitted or skipped yet"),
        "{}",
        text(&output.stderr)
    );
}
