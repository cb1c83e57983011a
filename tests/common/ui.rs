//! The UI tests' fixture: a small bundle, a data folder, a mock clock, and the real app in an
//! egui_kittest harness, with helpers that click, drag and press as a worker does.

use chrono::{DateTime, TimeZone, Utc};
use clickwork::domain::bundle::LoadOptions;
use clickwork::domain::geometry::Point;
use clickwork::ui::app::App;
use clickwork::ui::{AppConfig, Clock};
use egui::{Key, Modifiers, Pos2};
use egui_kittest::Harness;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

pub const W: u32 = 400;
pub const H: u32 = 300;

/// A small bundle: two labels with hotkeys, three tasks, at least one region per task.
pub fn fixture_bundle(dir: &Path) -> PathBuf {
    let root = dir.join("bundle");
    std::fs::create_dir_all(root.join("images")).unwrap();
    for (i, name) in ["a.png", "b.png", "c.png"].iter().enumerate() {
        let img = image::RgbImage::from_fn(W, H, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, (i * 80) as u8])
        });
        img.save(root.join("images").join(name)).unwrap();
    }
    let manifest = serde_json::json!({
        "format": "clickwork-bundle/1",
        "id": "ui-fixture",
        "title": "UI fixture",
        "instructions": "# Outline things\n- sky is **1**\n- mountain is **2**",
        "reward": {"per_task": "0.05", "currency": "USD"},
        "min_regions": 1,
        "labels": [
            {"name": "sky", "color": "#4a90d9", "hotkey": 1},
            {"name": "mountain", "color": "#f08a2b", "hotkey": 2}
        ],
        "tasks": [
            {"id": "a", "image": "images/a.png"},
            {"id": "b", "image": "images/b.png"},
            {"id": "c", "image": "images/c.png"}
        ]
    });
    std::fs::write(
        root.join("bundle.json"),
        serde_json::to_vec_pretty(&manifest).unwrap(),
    )
    .unwrap();
    root
}

pub struct Fixture {
    _dir: tempfile::TempDir,
    pub bundle: PathBuf,
    pub data: PathBuf,
    pub now: Arc<Mutex<DateTime<Utc>>>,
}

impl Fixture {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let bundle = fixture_bundle(dir.path());
        let data = dir.path().join("data");
        Fixture {
            _dir: dir,
            bundle,
            data,
            now: Arc::new(Mutex::new(
                Utc.with_ymd_and_hms(2026, 11, 28, 9, 0, 0).unwrap(),
            )),
        }
    }

    pub fn config(&self) -> AppConfig {
        let now = Arc::clone(&self.now);
        let clock: Clock = Arc::new(move || *now.lock().unwrap());
        AppConfig {
            data_dir: self.data.clone(),
            bundle_path: Some(self.bundle.clone()),
            // As the window's own: image headers are remembered for the next opening.
            load_options: LoadOptions {
                remember_headers: true,
                ..LoadOptions::new(self.data.join("cache"))
            },
            clock,
            wall_clock: None,
        }
    }

    pub fn harness(&self) -> Harness<'static, App> {
        let config = self.config();
        let mut harness = Harness::builder()
            .with_size(egui::vec2(1280.0, 800.0))
            .build_eframe(move |cc| App::new(cc, config));
        harness.run_steps(3);
        wait_until_open(&mut harness);
        // The first image decoded before the mock clock moves: the tool's wait stays 0 s long, so
        // the times the tests work out by hand hold however fast this machine decodes.
        harness
            .state_mut()
            .wait_for_image(std::time::Duration::from_secs(30));
        harness.run_steps(2);
        harness
    }

    /// `clickwork report BUNDLE --format json` on this fixture's data folder, run as a process.
    pub fn report_json(&self, bundle: &str) -> Value {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_clickwork"))
            .args(["report", bundle, "--format", "json", "--data-dir"])
            .arg(&self.data)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    pub fn annotation_file(&self, task: &str) -> Value {
        let path = self
            .data
            .join("work/ui-fixture/annotations")
            .join(format!("{task}.json"));
        serde_json::from_slice(
            &std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
        )
        .unwrap()
    }
}

pub fn screen(harness: &Harness<'_, App>, x: f64, y: f64) -> Pos2 {
    harness
        .state()
        .canvas()
        .view
        .screen_from_image(Point::new(x, y))
}

pub fn click(harness: &mut Harness<'_, App>, p: Pos2) {
    harness.hover_at(p);
    harness.drag_at(p);
    harness.drop_at(p);
    harness.run_steps(2);
}

pub fn drag(harness: &mut Harness<'_, App>, from: Pos2, to: Pos2) {
    harness.hover_at(from);
    harness.drag_at(from);
    let mid = from + (to - from) * 0.5;
    harness.hover_at(mid);
    harness.hover_at(to);
    harness.drop_at(to);
    harness.run_steps(2);
}

pub fn press(harness: &mut Harness<'_, App>, key: Key) {
    harness.key_press(key);
    harness.run_steps(2);
}

pub fn press_mod(harness: &mut Harness<'_, App>, modifiers: Modifiers, key: Key) {
    harness.key_press_modifiers(modifiers, key);
    harness.run_steps(2);
}

pub fn regions(harness: &Harness<'_, App>) -> Vec<clickwork::domain::annotation::Region> {
    harness
        .state()
        .session()
        .unwrap()
        .annotation()
        .regions
        .clone()
}

pub fn close(a: Point, b: Point) -> bool {
    (a.x - b.x).abs() <= 1.0 && (a.y - b.y).abs() <= 1.0
}

pub fn advance(f: &Fixture, secs: i64) {
    let mut now = f.now.lock().unwrap();
    *now += chrono::Duration::seconds(secs);
}

/// Steps the harness until the app has no background work running (a bundle opening, a save of the
/// settings, a task file being read), up to ten seconds.
pub fn wait_until_open(harness: &mut Harness<'_, App>) {
    for _ in 0..1000 {
        if !harness.state().busy() {
            harness.run_steps(2);
            return;
        }
        harness
            .state_mut()
            .wait_for_jobs(std::time::Duration::from_millis(10));
        harness.step();
    }
    panic!("the app is still busy after 10 s");
}
