//! What several integration tests share: running the real binary, and writing small bundles.
//!
//! Each test file is its own crate and uses only some of these, hence the allowance below.
#![allow(dead_code)]

pub mod timing;
pub mod ui;
pub mod work;

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

/// The moment synthetic work logs start: 2026-11-28 09:00 UTC.
pub fn t0() -> chrono::DateTime<chrono::Utc> {
    use chrono::TimeZone;
    chrono::Utc.with_ymd_and_hms(2026, 11, 28, 9, 0, 0).unwrap()
}

/// A work-log event of session `s1`, `secs` seconds after [`t0`].
pub fn ev(
    secs: u64,
    task: Option<&str>,
    kind: clickwork::domain::worklog::EventKind,
) -> clickwork::domain::worklog::Event {
    let stamp = clickwork::domain::worklog::Stamp {
        at: t0() + chrono::Duration::seconds(secs as i64),
        mono_ms: secs * 1000,
    };
    clickwork::domain::worklog::Event::new(stamp, "s1", task, kind)
}

/// The manifest most fixtures use: bundle `id` titled `title`, one label `sky`, tasks `a`, `b` and `c`
/// on `a.png`, `b.png`, `c.png`; `extra` adds or replaces top-level keys (a reward, a requester).
pub fn abc_manifest(id: &str, title: &str, extra: Value) -> Value {
    let mut manifest = serde_json::json!({
        "format": "clickwork-bundle/1",
        "id": id,
        "title": title,
        "labels": [{"name": "sky", "color": "#4a90d9"}],
        "tasks": [
            {"id": "a", "image": "a.png"},
            {"id": "b", "image": "b.png"},
            {"id": "c", "image": "c.png"}
        ]
    });
    if let (Some(manifest), Value::Object(extra)) = (manifest.as_object_mut(), extra) {
        manifest.extend(extra);
    }
    manifest
}

/// A temporary folder holding a bundle (`bundle/`) and a data folder (`data/`), the base of the
/// fixtures that drive a session directly.
pub struct BundleDir {
    dir: tempfile::TempDir,
}

impl BundleDir {
    /// An empty one: the fixture writes the bundle.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("bundle")).unwrap();
        BundleDir { dir }
    }

    /// The bundle folder.
    pub fn root(&self) -> std::path::PathBuf {
        self.dir.path().join("bundle")
    }

    /// The data folder.
    pub fn data(&self) -> std::path::PathBuf {
        self.dir.path().join("data")
    }

    /// The bundle, loaded.
    pub fn bundle(&self) -> clickwork::domain::bundle::Bundle {
        let options = clickwork::domain::bundle::LoadOptions::new(self.data().join("cache"));
        clickwork::domain::bundle::load_bundle(&self.root(), &options).unwrap()
    }
}

impl BundleDir {
    /// `name` inside the temporary folder (beside `bundle/` and `data/`).
    pub fn path(&self, name: &str) -> std::path::PathBuf {
        self.dir.path().join(name)
    }
}

/// Declares the test's `struct $name`, a [`BundleDir`] with the test's own methods added in an
/// `impl $name`; it derefs to the [`BundleDir`] (`root()`, `data()`, `bundle()`, `path()`).
#[macro_export]
macro_rules! bundle_fixture {
    ($name:ident) => {
        struct $name {
            base: $crate::common::BundleDir,
        }

        impl std::ops::Deref for $name {
            type Target = $crate::common::BundleDir;

            fn deref(&self) -> &$crate::common::BundleDir {
                &self.base
            }
        }
    };
}

/// Every file under `dir`, by its path relative to `dir`, with its bytes.
pub fn tree(dir: &Path) -> std::collections::BTreeMap<std::path::PathBuf, Vec<u8>> {
    let mut files = std::collections::BTreeMap::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(d) = pending.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                files.insert(path.strip_prefix(dir).unwrap().to_owned(), bytes);
            }
        }
    }
    files
}

/// A small, fast, seeded generator (SplitMix64): the same seed gives the same cases on every machine.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}
