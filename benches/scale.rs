//! `cargo bench --bench scale`: the bundle-size figures of the scale issue, on inputs it makes
//! itself: a bundle of 100,000 tasks whose images are hard links to the six sample photos (a new
//! copy every 50,000 links, the most a file may have on ext4).
//!
//! - `clickwork validate` on it, as a process, cold (no header cache) and again;
//! - opening it as the window does (load and check the bundle, remembering the headers, then open
//!   the session: workspace, statuses, work log), cold and again, and the first photo decoded;
//! - the peak resident memory of this process so far, after each (Linux).
//!
//! `CLICKWORK_SCALE_TASKS=N` changes the size.
// A benchmark prints its figures and stops at the first failure.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(clippy::print_stdout, clippy::print_stderr, missing_docs)]

mod common;

use common::peak_rss_mb;

use chrono::Utc;
use clickwork::domain::bundle::{LoadOptions, load_bundle, sample_bundle_path};
use clickwork::domain::image_decode::decode_for_display;
use clickwork::domain::session::Session;
use clickwork::domain::store::Saver;
use std::path::Path;
use std::time::{Duration, Instant};

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// A bundle of `n` tasks in `dir`, the sample's labels and photos (hard links).
fn make_bundle(dir: &Path, n: usize) {
    let sample = sample_bundle_path();
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(sample.join("bundle.json")).unwrap()).unwrap();
    let photos: Vec<_> = {
        let mut p: Vec<_> = std::fs::read_dir(sample.join("images"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        p.sort();
        p
    };
    std::fs::create_dir_all(dir.join("images")).unwrap();
    std::fs::create_dir_all(dir.join("originals")).unwrap();
    let mut tasks = Vec::with_capacity(n);
    for i in 0..n {
        let photo = &photos[i % photos.len()];
        // Each source file takes at most 50,000 links; then a fresh copy.
        let copy = dir.join("originals").join(format!(
            "{}-{}",
            i / (50_000 * photos.len()),
            photo.file_name().unwrap().to_string_lossy()
        ));
        if !copy.exists() {
            std::fs::copy(photo, &copy).unwrap();
        }
        let name = format!("images/t{i:06}.jpg");
        std::fs::hard_link(&copy, dir.join(&name)).unwrap();
        tasks.push(serde_json::json!({"id": format!("t{i:06}"), "image": name}));
    }
    let mut manifest = manifest;
    manifest["id"] = serde_json::json!(format!("scale-{n}"));
    manifest["tasks"] = serde_json::json!(tasks);
    manifest.as_object_mut().unwrap().remove("instructions");
    std::fs::write(dir.join("bundle.json"), manifest.to_string()).unwrap();
}

fn validate(bundle: &Path, data: &Path) -> Duration {
    let started = Instant::now();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_clickwork"))
        .arg("validate")
        .arg(bundle)
        .arg("--data-dir")
        .arg(data)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    started.elapsed()
}

fn open(bundle: &Path, data: &Path) {
    let options = LoadOptions {
        remember_headers: true,
        ..LoadOptions::new(data.join("cache"))
    };
    let started = Instant::now();
    let loaded = load_bundle(bundle, &options).unwrap();
    let loaded_in = started.elapsed();
    let (session, _) = Session::open(
        loaded,
        data,
        Saver::new(),
        "0123456789abcdef0123456789abcdef",
        Utc::now(),
    )
    .unwrap();
    let opened_in = started.elapsed();
    let image = decode_for_display(&session.task().image_path, options.max_pixels, 8192).unwrap();
    let shown_in = started.elapsed();
    println!(
        "  load + check {:>7.0} ms   + session {:>6.0} ms   + first photo ({}x{}) decoded {:>6.0} ms   peak RSS {:.0} MB",
        ms(loaded_in),
        ms(opened_in - loaded_in),
        image.full_width,
        image.full_height,
        ms(shown_in - opened_in),
        peak_rss_mb()
    );
    drop(session);
}

fn main() {
    let n: usize = std::env::var("CLICKWORK_SCALE_TASKS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("bundle");
    let started = Instant::now();
    make_bundle(&bundle, n);
    println!(
        "made a bundle of {n} tasks in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let validate_data = dir.path().join("validate-data");
    println!(
        "clickwork validate, cold: {:.0} ms",
        ms(validate(&bundle, &validate_data))
    );
    println!(
        "clickwork validate, again: {:.0} ms",
        ms(validate(&bundle, &validate_data))
    );

    let data = dir.path().join("data");
    println!("open as the window does, cold (no header cache, no workspace):");
    open(&bundle, &data);
    println!("open again (headers remembered, workspace there):");
    open(&bundle, &data);
}
