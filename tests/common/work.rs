//! The export, convert and submit tests' fixture: a data folder holding annotation files of the
//! sample bundle written in the documented schema (docs/workspace-format.md), and small checks.

use super::text;
use serde_json::{Value, json};
use std::path::Path;
use std::process::Output;

/// The sample bundle, from the crate root.
pub const SAMPLE: &str = "sample_tasks/landscapes";
/// Its id.
pub const BUNDLE_ID: &str = "landscapes-sample";

/// Fails, showing both streams, unless `output` exited with `code`.
pub fn assert_code(output: &Output, code: i32) {
    assert_eq!(
        output.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        text(&output.stdout),
        text(&output.stderr)
    );
}

/// An annotation file of `task` in the documented schema.
pub fn annotation(
    task: &str,
    image: &str,
    size: (u32, u32),
    status: &str,
    regions: Value,
) -> Value {
    json!({
        "format": "clickwork-annotation/1",
        "bundle_id": BUNDLE_ID,
        "task_id": task,
        "image": {"path": image, "width": size.0, "height": size.1},
        "status": status,
        "regions": regions,
        "updated_at": "2026-11-28T16:05:12.345Z",
        "last_region_number": 6
    })
}

/// A data folder where `china` is submitted (polygons, a box, a point) and `sunset` is in progress.
pub fn data_with_work() -> tempfile::TempDir {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().join("work").join(BUNDLE_ID).join("annotations");
    std::fs::create_dir_all(&dir).unwrap();
    let china = annotation(
        "china",
        "images/sklearn_china_by_danielbuechele.jpg",
        (640, 427),
        "submitted",
        json!([
            {"id": "r1", "label": "sky", "shape": {"type": "polygon", "points": [[0.0, 0.0], [640.0, 0.0], [640.0, 138.5], [548.0, 152.0], [330.0, 204.0], [0.0, 146.0]]}, "attributes": {}},
            {"id": "r2", "label": "building", "shape": {"type": "rectangle", "points": [[372.0, 427.0], [61.5, 27.0]]}, "attributes": {"occluded": true}},
            {"id": "r4", "label": "water", "shape": {"type": "polygon", "points": [[330.0, 204.0], [556.0, 204.0], [524.0, 276.0], [372.0, 330.0]]}, "attributes": {}},
            {"id": "r6", "label": "tree", "shape": {"type": "point", "points": [[291.0, 223.5]]}, "attributes": {}}
        ]),
    );
    let sunset = annotation(
        "sunset",
        "images/sunset_by_Aitzol_Berasategi.jpg",
        (4272, 2848),
        "in_progress",
        json!([{"id": "r1", "label": "mountain", "shape": {"type": "rectangle", "points": [[0.0, 1500.0], [4272.0, 2848.0]]}, "attributes": {}}]),
    );
    std::fs::write(
        dir.join("china.json"),
        serde_json::to_vec_pretty(&china).unwrap(),
    )
    .unwrap();
    std::fs::write(
        dir.join("sunset.json"),
        serde_json::to_vec_pretty(&sunset).unwrap(),
    )
    .unwrap();
    data
}

/// The JSON file at `path`.
pub fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Copies the zip `from` to `to` with `find` replaced by `replace` in the entry `entry`: a package
/// changed after it was made.
pub fn tampered_copy(from: &Path, to: &Path, entry: &str, find: &str, replace: &str) {
    use std::io::{Read, Write};
    let mut archive = zip::ZipArchive::new(std::fs::File::open(from).unwrap()).unwrap();
    let mut out = zip::ZipWriter::new(std::fs::File::create(to).unwrap());
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let name = file.name().unwrap().into_owned();
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).unwrap();
        if name == entry {
            bytes = String::from_utf8(bytes)
                .unwrap()
                .replace(find, replace)
                .into_bytes();
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&bytes).unwrap();
    }
    out.finish().unwrap();
}
