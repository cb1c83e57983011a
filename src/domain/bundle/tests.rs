//! End-to-end checks of `load_bundle` on bundles written to temporary folders.

use std::fs;
use std::path::Path;

use serde_json::json;

use super::image_check::tests::png_header;
use super::*;
use crate::domain::geometry::{Shape, ShapeKind};

fn write_png(path: &Path, width: u32, height: u32) {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).unwrap();
    }
    fs::write(path, png_header(width, height)).unwrap();
}

fn good_manifest() -> serde_json::Value {
    json!({
        "format": "clickwork-bundle/1",
        "id": "skies",
        "title": "Skies",
        "instructions": "# Draw the sky\nAll of it.",
        "reward": {"per_task": "0.012", "currency": "EUR"},
        "estimated_seconds_per_task": 30,
        "tools": ["polygon", "point"],
        "min_regions": 1,
        "labels": [
            {"name": "sky", "color": "#87ceeb", "hotkey": "1"},
            {"name": "cloud", "color": "#FFFFFF", "hotkey": 2, "description": "white stuff"}
        ],
        "tasks": [
            {"id": "t1", "image": "images/a.png", "hint": "look up"},
            {"id": "t2", "image": "./images//b.png", "regions": [
                {"label": "sky", "shape": {"type": "rectangle", "points": [[0, 0], [2, 1]]}},
                {"id": "r1", "label": "cloud", "shape": {"type": "point", "points": [[1, 1]]}, "score": 0.5}
            ]}
        ]
    })
}

/// A bundle folder with `manifest` and two small images.
fn bundle_dir(manifest: &serde_json::Value) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_png(&dir.path().join("images/a.png"), 2, 2);
    write_png(&dir.path().join("images/b.png"), 3, 2);
    fs::write(
        dir.path().join(MANIFEST_FILE),
        serde_json::to_string_pretty(manifest).unwrap(),
    )
    .unwrap();
    dir
}

fn options(dir: &Path) -> LoadOptions {
    LoadOptions::new(dir.join("cache"))
}

fn problems_of(manifest: &serde_json::Value) -> Vec<String> {
    let dir = bundle_dir(manifest);
    let errors = load_bundle(dir.path(), &options(dir.path())).unwrap_err();
    errors.problems.iter().map(|p| p.to_string()).collect()
}

fn assert_problem(problems: &[String], needle: &str) {
    assert!(
        problems.iter().any(|p| p.contains(needle)),
        "no problem mentions {needle:?}:\n{}",
        problems.join("\n")
    );
}

#[test]
fn a_good_manifest_loads() {
    let dir = bundle_dir(&good_manifest());
    let bundle = load_bundle(dir.path(), &options(dir.path())).unwrap();
    assert_eq!(bundle.id, "skies");
    assert!(bundle.has_manifest);
    assert_eq!(
        bundle.instructions.as_deref(),
        Some("# Draw the sky\nAll of it.")
    );
    let reward = bundle.reward.as_ref().unwrap();
    assert_eq!(
        (
            reward.per_task.to_string().as_str(),
            reward.currency.as_str()
        ),
        ("0.012", "EUR")
    );
    assert_eq!(bundle.estimated_seconds_per_task, Some(30));
    assert_eq!(bundle.tools, [ShapeKind::Polygon, ShapeKind::Point]);
    assert_eq!(bundle.min_regions, 1);
    assert_eq!(bundle.labels[0].color, [0x87, 0xce, 0xeb]);
    assert_eq!(bundle.label_for_hotkey(2).unwrap().name, "cloud");
    let t2 = bundle.task("t2").unwrap();
    assert_eq!((t2.width, t2.height), (3, 2));
    assert_eq!(t2.image, "./images//b.png");
    assert_eq!(t2.image_path, bundle.root.join("images/b.png"));
    // The missing id is assigned without clashing with the written `r1`.
    let ids: Vec<&str> = t2.regions.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["r2", "r1"]);
    assert!(matches!(t2.regions[0].shape, Shape::Rectangle { .. }));
    assert_eq!(t2.regions[1].extra.get("score"), Some(&json!(0.5)));
    assert_eq!(bundle.manifest_sha256.len(), 64);
}

#[test]
fn a_manifest_file_path_opens_its_folder() {
    let dir = bundle_dir(&good_manifest());
    let bundle = load_bundle(&dir.path().join(MANIFEST_FILE), &options(dir.path())).unwrap();
    assert_eq!(bundle.root, dir.path().canonicalize().unwrap());
}

#[test]
fn syntax_errors_give_line_and_column() {
    let dir = bundle_dir(&good_manifest());
    fs::write(
        dir.path().join(MANIFEST_FILE),
        "{\n  \"id\": \"x\",\n  oops\n}",
    )
    .unwrap();
    let errors = load_bundle(dir.path(), &options(dir.path())).unwrap_err();
    assert_eq!(errors.problems.len(), 1);
    let p = &errors.problems[0];
    assert_eq!((p.line, p.column), (Some(3), Some(3)));
    assert!(p.message.starts_with("invalid JSON"), "{p}");
    assert!(p.file.ends_with(MANIFEST_FILE));
}

#[test]
fn a_top_level_list_is_not_a_manifest() {
    let problems = problems_of(&json!([1, 2]));
    assert_problem(&problems, "must be a JSON object");
}

#[test]
fn semantic_problems_point_at_the_value() {
    let mut manifest = good_manifest();
    manifest["tasks"][1]["id"] = json!("t1");
    let dir = bundle_dir(&manifest);
    let errors = load_bundle(dir.path(), &options(dir.path())).unwrap_err();
    assert_eq!(errors.problems.len(), 1, "{errors}");
    let p = &errors.problems[0];
    let text = fs::read_to_string(dir.path().join(MANIFEST_FILE)).unwrap();
    let line = text.lines().nth(p.line.unwrap() - 1).unwrap();
    assert_eq!(&line[p.column.unwrap() - 1..], "\"t1\",", "{p}");
    assert!(
        p.message.contains("tasks[1].id") && p.message.contains("used twice"),
        "{p}"
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let manifest = json!({
        "format": "clickwork-bundle/2",
        "id": "bad id",
        "title": 5,
        "instructions": "missing.md",
        "reward": {"per_task": 0.05, "currency": "usd"},
        "estimated_seconds_per_task": 0,
        "tools": ["circle"],
        "min_regions": -1,
        "labels": [
            {"name": "sky", "color": "blue", "hotkey": 10},
            {"name": "sky", "color": "#000000", "hotkey": "1"},
            {"name": "tree", "color": "#000000", "hotkey": 1},
            "cloud"
        ],
        "tasks": [
            {"id": "a", "image": "/etc/passwd"},
            {"id": "a", "image": "../x.png"},
            {"id": "A", "image": "images/none.png"},
            {"image": "images\\a.png"},
            {"id": "r", "image": "images/a.png", "regions": [
                {"label": "ghost", "shape": {"type": "point", "points": [[1, 1]]}},
                {"label": "sky", "shape": {"type": "polygon", "points": [[0, 0], [1, 1]]}},
                {"label": "sky", "shape": {"type": "circle", "points": [[0, 0]]}},
                {"label": "sky", "shape": {"type": "point", "points": [[50, 1]]}},
                {"id": "x", "label": "sky", "shape": {"type": "point", "points": [[1, 1]]}},
                {"id": "x", "label": "sky", "shape": {"type": "point", "points": [["a", 1]]}}
            ]}
        ]
    });
    let problems = problems_of(&manifest);
    for needle in [
        "clickwork-bundle/2",
        "bundle id \"bad id\"",
        "title: must be a string",
        "instructions file \"missing.md\" does not exist",
        "write the amount as a string",
        "currency \"usd\"",
        "estimated_seconds_per_task",
        "unknown tool \"circle\"",
        "min_regions",
        "colour \"blue\"",
        "labels[0].hotkey: must be a digit key from 1 to 9, found the number 10",
        "label \"sky\" is listed twice",
        "hotkey 1 is already used by label \"sky\"",
        "labels[3]: must be an object",
        "image \"/etc/passwd\" is absolute",
        "task id \"a\" is used twice",
        "image \"../x.png\" uses `..`",
        "differs from \"a\" (tasks[0]) only in letter case",
        "image \"images/none.png\" does not exist",
        "tasks[3]: missing required field `id`",
        "uses `\\`",
        "unknown label \"ghost\"; the bundle's labels are: sky",
        "a polygon needs at least 3 points, found 2",
        "unknown shape type \"circle\"",
        "point [50, 1] lies outside the 2×2 image",
        "regions[5].shape.points[0]: must be a pair of numbers",
    ] {
        assert_problem(&problems, needle);
    }
    // Every problem has a line and column.
    assert!(
        problems.iter().all(|p| p.contains("bundle.json:")),
        "{problems:#?}"
    );
}

#[test]
fn missing_required_fields_are_named() {
    let problems = problems_of(&json!({}));
    for key in ["format", "id", "title", "labels", "tasks"] {
        assert_problem(&problems, &format!("missing required field `{key}`"));
    }
}

#[test]
fn empty_lists_are_problems() {
    let mut manifest = good_manifest();
    manifest["labels"] = json!([]);
    manifest["tasks"] = json!([]);
    let problems = problems_of(&manifest);
    assert_problem(&problems, "no labels");
    assert_problem(&problems, "no tasks");
}

#[test]
fn instructions_can_come_from_a_file() {
    let mut manifest = good_manifest();
    manifest["instructions"] = json!("docs/how.md");
    let dir = bundle_dir(&manifest);
    fs::create_dir(dir.path().join("docs")).unwrap();
    fs::write(dir.path().join("docs/how.md"), "Be *careful*.").unwrap();
    let bundle = load_bundle(dir.path(), &options(dir.path())).unwrap();
    assert_eq!(bundle.instructions.as_deref(), Some("Be *careful*."));
}

#[test]
fn pixel_limit_is_an_option() {
    let dir = bundle_dir(&good_manifest());
    let mut small = options(dir.path());
    small.max_pixels = 5;
    let errors = load_bundle(dir.path(), &small).unwrap_err();
    assert_eq!(errors.problems.len(), 1, "{errors}");
    assert!(errors.to_string().contains("--max-pixels"));
}

#[test]
fn image_folder_without_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("My Shots");
    for name in ["img10.png", "img2.png", "img1.png"] {
        write_png(&root.join(name), 1, 1);
    }
    fs::write(root.join("notes.txt"), "not an image").unwrap();
    fs::write(root.join("img3.png.txt"), "BMW owners").unwrap();
    write_png(&root.join("sub/img0.png"), 1, 1);
    fs::write(root.join("labels.txt"), "# what to draw\nsky\n\nmountain\n").unwrap();
    let bundle = load_bundle(&root, &options(dir.path())).unwrap();
    let ids: Vec<&str> = bundle.tasks.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["img1.png", "img2.png", "img10.png"]);
    assert_eq!(bundle.title, "My Shots");
    assert!(bundle.id.starts_with("my-shots-"), "{}", bundle.id);
    assert!(!bundle.has_manifest);
    let labels: Vec<&str> = bundle.labels.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(labels, ["sky", "mountain"]);
    assert_eq!(bundle.hotkey_of("mountain"), Some(2));

    // The fingerprint changes when the labels do.
    let before = bundle.manifest_sha256.clone();
    fs::write(root.join("labels.txt"), "sky\n").unwrap();
    let after = load_bundle(&root, &options(dir.path()))
        .unwrap()
        .manifest_sha256;
    assert_ne!(before, after);
}

#[test]
fn image_folder_defaults_to_one_label() {
    let dir = tempfile::tempdir().unwrap();
    write_png(&dir.path().join("a b.png"), 1, 1);
    let bundle = load_bundle(dir.path(), &options(dir.path())).unwrap();
    assert_eq!(bundle.labels.len(), 1);
    assert_eq!(bundle.labels[0].name, DEFAULT_LABEL);
    assert_eq!(bundle.tasks[0].id, "a_b.png");
    assert_eq!(bundle.tasks[0].image, "a b.png");
}

#[test]
fn folder_without_images_is_a_problem() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("readme.txt"), "hello").unwrap();
    let errors = load_bundle(dir.path(), &options(dir.path())).unwrap_err();
    assert!(errors.to_string().contains("no image"), "{errors}");
}

#[test]
fn broken_and_huge_images_in_a_folder_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    write_png(&dir.path().join("ok.png"), 1, 1);
    write_png(&dir.path().join("huge.png"), 100_000, 100_000);
    fs::write(dir.path().join("cut.png"), &png_header(2, 2)[..20]).unwrap();
    let errors = load_bundle(dir.path(), &options(dir.path())).unwrap_err();
    let text = errors.to_string();
    assert_eq!(errors.problems.len(), 2, "{text}");
    assert!(
        text.contains("huge.png") && text.contains("cut.png"),
        "{text}"
    );
}

#[cfg(unix)]
#[test]
fn links_out_of_the_bundle_are_refused() {
    let outside = tempfile::tempdir().unwrap();
    write_png(&outside.path().join("secret.png"), 1, 1);
    let mut manifest = good_manifest();
    manifest["tasks"][0]["image"] = json!("images/link.png");
    let dir = bundle_dir(&manifest);
    std::os::unix::fs::symlink(
        outside.path().join("secret.png"),
        dir.path().join("images/link.png"),
    )
    .unwrap();
    let errors = load_bundle(dir.path(), &options(dir.path())).unwrap_err();
    assert!(
        errors.to_string().contains("outside the bundle folder"),
        "{errors}"
    );

    // In a folder without a manifest as well.
    fs::remove_file(dir.path().join(MANIFEST_FILE)).unwrap();
    let errors =
        load_bundle(dir.path().join("images").as_path(), &options(dir.path())).unwrap_err();
    assert!(errors.to_string().contains("link.png"), "{errors}");
}

#[test]
fn paths_that_are_not_bundles() {
    let dir = tempfile::tempdir().unwrap();
    let missing = load_bundle(&dir.path().join("nope"), &options(dir.path())).unwrap_err();
    assert!(missing.to_string().ends_with("does not exist"), "{missing}");
    fs::write(dir.path().join("x.txt"), "hi").unwrap();
    let text = load_bundle(&dir.path().join("x.txt"), &options(dir.path())).unwrap_err();
    assert!(text.to_string().contains("is not a bundle"), "{text}");
}

#[test]
fn a_zip_loads_like_its_folder() {
    use std::io::Write;
    let dir = bundle_dir(&good_manifest());
    let zip_path = dir.path().join("skies.zip");
    let mut zip = zip::ZipWriter::new(fs::File::create(&zip_path).unwrap());
    for rel in [MANIFEST_FILE, "images/a.png", "images/b.png"] {
        zip.start_file(
            format!("skies/{rel}"),
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        zip.write_all(&fs::read(dir.path().join(rel)).unwrap())
            .unwrap();
    }
    zip.finish().unwrap();
    let from_folder = load_bundle(dir.path(), &options(dir.path())).unwrap();
    let from_zip = load_bundle(&zip_path, &options(dir.path())).unwrap();
    assert_eq!(from_zip.manifest_sha256, from_folder.manifest_sha256);
    assert_eq!(from_zip.source, zip_path);
    assert!(
        from_zip
            .root
            .starts_with(dir.path().join("cache").canonicalize().unwrap())
    );
    assert_eq!(from_zip.tasks.len(), 2);

    // Problems inside a zip are named by the zip and the entry.
    let mut broken = good_manifest();
    broken["tasks"][0]["image"] = json!("images/nope.png");
    let zip_path = dir.path().join("broken.zip");
    let mut zip = zip::ZipWriter::new(fs::File::create(&zip_path).unwrap());
    zip.start_file(
        "skies/bundle.json",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    zip.write_all(serde_json::to_string_pretty(&broken).unwrap().as_bytes())
        .unwrap();
    zip.finish().unwrap();
    let errors = load_bundle(&zip_path, &options(dir.path())).unwrap_err();
    let text = errors.to_string();
    assert!(text.contains("broken.zip!/skies/bundle.json:"), "{text}");
    assert!(text.contains("broken.zip!/skies/images/nope.png"), "{text}");
}

#[test]
fn the_documented_example_is_valid() {
    let doc = include_str!("../../../docs/bundle-format.md");
    let start = doc.find("```json\n").unwrap() + "```json\n".len();
    let end = start + doc[start..].find("```").unwrap();
    let manifest: serde_json::Value = serde_json::from_str(&doc[start..end]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    for task in manifest["tasks"].as_array().unwrap() {
        write_png(&dir.path().join(task["image"].as_str().unwrap()), 1024, 768);
    }
    fs::write(dir.path().join("instructions.md"), "# How to").unwrap();
    fs::write(dir.path().join(MANIFEST_FILE), &doc.as_bytes()[start..end]).unwrap();
    let bundle = load_bundle(dir.path(), &options(dir.path())).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(bundle.tasks.len(), 2);
    assert_eq!(
        bundle.label_for_hotkey(2).map(|l| l.name.as_str()),
        Some("cloud")
    );
}

#[test]
fn a_zip_of_images_without_manifest() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let zip_path = dir.path().join("Quick Job.zip");
    let mut zip = zip::ZipWriter::new(fs::File::create(&zip_path).unwrap());
    let entry = zip::write::SimpleFileOptions::default();
    for name in ["b10.png", "b9.png"] {
        zip.start_file(name, entry).unwrap();
        zip.write_all(&png_header(2, 2)).unwrap();
    }
    zip.start_file("labels.txt", entry).unwrap();
    zip.write_all(b"sky\nsky\n").unwrap();
    zip.finish().unwrap();
    // A repeated label is reported inside the zip.
    let errors = load_bundle(&zip_path, &options(dir.path())).unwrap_err();
    assert!(
        errors.to_string().contains("Quick Job.zip!/labels.txt:2:"),
        "{errors}"
    );

    let mut zip = zip::ZipWriter::new(fs::File::create(&zip_path).unwrap());
    for name in ["b10.png", "b9.png"] {
        zip.start_file(name, entry).unwrap();
        zip.write_all(&png_header(2, 2)).unwrap();
    }
    zip.finish().unwrap();
    let bundle = load_bundle(&zip_path, &options(dir.path())).unwrap();
    assert_eq!(bundle.title, "Quick Job");
    assert!(bundle.id.starts_with("quick-job-"), "{}", bundle.id);
    let ids: Vec<&str> = bundle.tasks.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["b9.png", "b10.png"]);
}

#[test]
fn prefill_names_exactly_one_file() {
    let mut manifest = good_manifest();
    manifest["tasks"] = json!([
        {"id": "t1", "image": "images/a.png", "prefill": {}},
        {"id": "t2", "image": "images/b.png",
         "prefill": {"labelme": "p/b.json", "coco": "p/instances.json"}},
        {"id": "t3", "image": "images/a.png", "prefill": "p/a.json"},
        {"id": "t4", "image": "images/a.png", "prefill": {"coco": 7}},
        {"id": "t5", "image": "images/a.png", "prefill": {"labelme": "/etc/a.json"}}
    ]);
    let problems = problems_of(&manifest);
    assert_eq!(problems.len(), 5, "{}", problems.join("\n"));
    assert_problem(
        &problems,
        "tasks[0].prefill: names no file; write {\"labelme\"",
    );
    assert_problem(
        &problems,
        "tasks[1].prefill: names both a LabelMe and a COCO file",
    );
    assert_problem(&problems, "tasks[2].prefill: must be an object like");
    assert_problem(
        &problems,
        "tasks[3].prefill.coco: must be the path of a COCO file in the bundle, found the number 7",
    );
    assert_problem(
        &problems,
        "tasks[4].prefill.labelme: task \"t5\": LabelMe file \"/etc/a.json\" is absolute",
    );
}

#[test]
fn a_prefilled_task_loads_its_regions() {
    let mut manifest = good_manifest();
    manifest["tasks"] = json!([
        {"id": "t1", "image": "images/b.png", "prefill": {"labelme": "prefill/b.json"}}
    ]);
    let dir = bundle_dir(&manifest);
    fs::create_dir(dir.path().join("prefill")).unwrap();
    fs::write(
        dir.path().join("prefill/b.json"),
        r#"{"version": "5.5.0", "flags": {}, "imagePath": "../images/b.png", "imageData": null,
            "imageWidth": 3, "imageHeight": 2,
            "shapes": [{"label": "cloud", "points": [[1, 1]], "shape_type": "point", "flags": {}}]}"#,
    )
    .unwrap();
    let bundle = load_bundle(dir.path(), &options(dir.path())).unwrap_or_else(|e| panic!("{e}"));
    let regions = &bundle.tasks[0].regions;
    assert_eq!(regions.len(), 1);
    assert_eq!(
        (regions[0].id.as_str(), regions[0].label.as_str()),
        ("r1", "cloud")
    );
    assert_eq!(regions[0].shape.kind(), ShapeKind::Point);
}

#[test]
fn a_label_with_a_bad_hotkey_or_colour_still_counts_for_its_regions() {
    let manifest = serde_json::json!({
        "format": "clickwork-bundle/1",
        "id": "hotkeys",
        "title": "Hotkeys",
        "labels": [
            {"name": "sky", "color": "#87ceeb", "hotkey": 12},
            {"name": "cloud", "color": "white"}
        ],
        "tasks": [
            {"id": "t1", "image": "images/a.png", "regions": [
                {"label": "sky", "shape": {"type": "rectangle", "points": [[0, 0], [1, 1]]}},
                {"label": "cloud", "shape": {"type": "point", "points": [[1, 1]]}}
            ]}
        ]
    });
    let problems = problems_of(&manifest);
    assert_problem(
        &problems,
        "labels[0].hotkey: must be a digit key from 1 to 9",
    );
    assert_problem(&problems, "labels[1].color: colour \"white\"");
    assert!(
        !problems.iter().any(|p| p.contains("unknown label")),
        "{problems:#?}"
    );
    assert_eq!(problems.len(), 2, "{problems:#?}");
}
