//! What several integration tests share: running the real binary, and writing small bundles.
//!
//! Each test file is its own crate and uses only some of these, hence the allowance below.
#![allow(dead_code)]

pub mod ui;

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

/// Runs `clickwork <args> --data-dir <data_dir>` from the crate root, with no clickwork variables from
/// the environment, and fails the test if it panicked, whatever the exit code.
pub fn clickwork(args: &[&str], data_dir: &Path) -> Output {
    let output = Command::new(env!("CARGO_BIN_EXE_clickwork"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .env_remove("CLICKWORK_MAX_PIXELS")
        .env_remove("CLICKWORK_DATA_DIR")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stderr.contains("panicked"),
        "clickwork panicked:\n{stderr}"
    );
    output
}

/// Like [`clickwork`], as (exit code, stdout, stderr).
pub fn run(args: &[&str], data_dir: &Path) -> (i32, String, String) {
    let out = clickwork(args, data_dir);
    (
        out.status.code().unwrap_or(-1),
        text(&out.stdout),
        text(&out.stderr),
    )
}

/// Output bytes as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Writes `manifest` as `root/bundle.json` and a plain `width`×`height` PNG for every task image it
/// names.
pub fn write_bundle(root: &Path, manifest: &Value, (width, height): (u32, u32)) {
    std::fs::create_dir_all(root).unwrap();
    for task in manifest["tasks"].as_array().unwrap() {
        let image = root.join(task["image"].as_str().unwrap());
        std::fs::create_dir_all(image.parent().unwrap()).unwrap();
        image::RgbImage::from_pixel(width, height, image::Rgb([90, 140, 200]))
            .save(image)
            .unwrap();
    }
    std::fs::write(
        root.join("bundle.json"),
        serde_json::to_vec_pretty(manifest).unwrap(),
    )
    .unwrap();
}

/// The worker id of the settings in `data_dir`, made (and saved) on first use as the window does.
pub fn worker_id(data_dir: &Path) -> String {
    let (settings, _) =
        clickwork::domain::settings::Settings::load_or_create(data_dir, chrono::Utc::now())
            .unwrap();
    settings.worker_id
}
