//! Interop: our exports loaded by the real readers — pycocotools (COCO, `annToMask` on every
//! annotation), labelme's `LabelFile` (LabelMe, with copied images and with `imagePath` pointing into the
//! bundle) and datumaro (COCO, VOC, YOLO, CVAT) — through `check_exports.py` in the Python environment
//! that `.ci/run` creates and names in `CLICKWORK_INTEROP_PYTHON`.
//!
//! Without that variable the test says so and passes locally; in CI (`CI=true`) a missing interpreter is
//! a failure, so the check can never silently stop running.
// Tests stop at the line that failed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(clippy::print_stdout, clippy::print_stderr, missing_docs)]

use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;

const SAMPLE: &str = "sample_tasks/landscapes";
const BUNDLE_ID: &str = "landscapes-sample";
const LABELS: [&str; 8] = [
    "sky", "cloud", "mountain", "snow", "tree", "water", "building", "grass",
];

fn python() -> Option<PathBuf> {
    match std::env::var_os("CLICKWORK_INTEROP_PYTHON").filter(|v| !v.is_empty()) {
        Some(path) => Some(PathBuf::from(path)),
        None if std::env::var("CI").is_ok_and(|v| v == "true") => panic!(
            "CI=true but CLICKWORK_INTEROP_PYTHON is not set: .ci/run must create the interop environment"
        ),
        None => None,
    }
}

fn region(id: &str, label: &str, kind: &str, points: Value) -> Value {
    json!({"id": id, "label": label, "shape": {"type": kind, "points": points}, "attributes": {}})
}

/// Two submitted tasks with every shape kind, an attribute, a region poking out of its image, a
/// self-intersecting polygon, and a label with no region (it must still be declared).
fn write_work(data: &Path) -> (usize, usize) {
    let dir = data.join("work").join(BUNDLE_ID).join("annotations");
    std::fs::create_dir_all(&dir).unwrap();
    let mut occluded = region(
        "r2",
        "building",
        "rectangle",
        json!([[372.0, 427.0], [61.5, 27.0]]),
    );
    occluded["attributes"] = json!({"occluded": true});
    let china = vec![
        region(
            "r1",
            "sky",
            "polygon",
            json!([
                [0.0, 0.0],
                [640.0, 0.0],
                [640.0, 138.5],
                [548.0, 152.0],
                [330.0, 204.0],
                [0.0, 146.0]
            ]),
        ),
        occluded,
        region(
            "r4",
            "water",
            "polygon",
            json!([
                [330.0, 204.0],
                [556.0, 204.0],
                [524.0, 276.0],
                [372.0, 330.0]
            ]),
        ),
        region(
            "r5",
            "tree",
            "polygon",
            json!([
                [548.0, 152.0],
                [660.0, 138.5],
                [640.0, 440.0],
                [330.0, 427.0],
                [340.0, 332.0]
            ]),
        ),
        region("r6", "tree", "point", json!([[291.0, 223.5]])),
    ];
    let sunset = vec![
        region(
            "r1",
            "sky",
            "polygon",
            json!([[0.0, 0.0], [4272.0, 0.0], [4272.0, 1400.0], [0.0, 1600.0]]),
        ),
        region(
            "r2",
            "mountain",
            "rectangle",
            json!([[0.0, 1400.0], [4272.0, 2200.0]]),
        ),
        region(
            "r3",
            "snow",
            "polygon",
            json!([
                [3000.0, 2300.0],
                [3600.0, 2700.0],
                [3600.0, 2300.0],
                [3000.0, 2700.0]
            ]),
        ),
        region("r4", "cloud", "point", json!([[100.5, 200.25]])),
    ];
    let tasks = [
        (
            "china",
            "images/sklearn_china_by_danielbuechele.jpg",
            640,
            427,
            &china,
        ),
        (
            "sunset",
            "images/sunset_by_Aitzol_Berasategi.jpg",
            4272,
            2848,
            &sunset,
        ),
    ];
    let (mut all, mut points) = (0, 0);
    for (task, image, w, h, regions) in tasks {
        all += regions.len();
        points += regions
            .iter()
            .filter(|r| r["shape"]["type"] == "point")
            .count();
        let file = json!({
            "format": "clickwork-annotation/1", "bundle_id": BUNDLE_ID, "task_id": task,
            "image": {"path": image, "width": w, "height": h}, "status": "submitted",
            "regions": regions, "updated_at": "2026-11-28T16:05:12.345Z"
        });
        std::fs::write(
            dir.join(format!("{task}.json")),
            serde_json::to_vec_pretty(&file).unwrap(),
        )
        .unwrap();
    }
    (all, points)
}

fn export(data: &Path, format: &str, out: &Path, copy: bool) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_clickwork"));
    command
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["export", SAMPLE, "--format", format, "--out"])
        .arg(out)
        .arg("--data-dir")
        .arg(data);
    if copy {
        command.arg("--copy-images");
    }
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "export {format} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn real_readers_accept_our_exports() {
    let Some(python) = python() else {
        println!(
            "SKIPPED: set CLICKWORK_INTEROP_PYTHON to a Python with pycocotools, labelme and datumaro \
             (.ci/run creates one from tests/interop/requirements.txt)"
        );
        return;
    };
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    let (all, points) = write_work(&data);
    let copied = root.path().join("all");
    let linked = root.path().join("labelme-linked");
    export(&data, "all", &copied, true);
    export(&data, "labelme", &linked, false);
    let shapes = all - points;
    let spec = json!({
        "exports": {
            "coco": copied.join("coco"), "yolo": copied.join("yolo"), "voc": copied.join("voc"),
            "labelme": copied.join("labelme"), "labelme_linked": linked, "cvat": copied.join("cvat"),
        },
        "images": 2,
        "labels": LABELS,
        "regions": {"coco": shapes, "yolo": shapes, "voc": shapes, "labelme": all, "cvat": all},
    });
    let spec_path = root.path().join("expected.json");
    std::fs::write(&spec_path, serde_json::to_vec_pretty(&spec).unwrap()).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/check_exports.py");
    let output = Command::new(&python)
        .arg(&script)
        .arg(&spec_path)
        .env("QT_QPA_PLATFORM", "offscreen")
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", python.display()));
    let stdout = String::from_utf8_lossy(&output.stdout);
    println!("{stdout}");
    assert!(
        output.status.success(),
        "a real reader rejected an export:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("7 passed, 0 failed"), "{stdout}");
}
