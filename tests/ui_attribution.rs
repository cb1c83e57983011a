//! Who the time belongs to, as the window logs it and the report reads it: the worker's reading, the
//! worker's drawing. Driven through the real app with a mock clock (nothing sleeps).
// Tests stop at the line that failed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(clippy::print_stdout, clippy::print_stderr, missing_docs)]

mod common;

use clickwork::domain::bundle::LoadOptions;
use clickwork::ui::app::App;
use clickwork::ui::{AppConfig, Clock};
use common::ui::*;
use egui::{Key, Modifiers};
use egui_kittest::Harness;
use serde_json::Value;
use std::sync::Arc;

/// The first-visit scenario on the sample bundle: the instructions are open, the worker reads for 5 s,
/// then outlines the sky with a polygon for 25 s and submits. Reading was 5 s, the drawing is paid
/// task time (it used to count as reading: 30 s of "instructions before work").
#[test]
fn drawing_the_first_shape_with_the_instructions_open_is_task_time_not_reading() {
    let f = Fixture::new();
    let now = Arc::clone(&f.now);
    let clock: Clock = Arc::new(move || *now.lock().unwrap());
    let config = AppConfig {
        data_dir: f.data.clone(),
        bundle_path: None,
        load_options: LoadOptions::new(f.data.join("cache")),
        clock,
        wall_clock: None,
    };
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_eframe(move |cc| App::new(cc, config));
    harness.run_steps(2);
    wait_until_open(&mut harness);
    assert!(harness.state().instructions_visible());
    assert!(
        harness
            .state_mut()
            .wait_for_image(std::time::Duration::from_secs(60))
    );
    harness.run_steps(2);
    let task = harness.state().session().unwrap().task().clone();
    let (w, h) = (f64::from(task.width), f64::from(task.height));
    // Reading: 5 s. Then a vertex every 5 s across the top of the photo, Enter at 25 s.
    for (i, (x, y)) in [(0.05, 0.05), (0.95, 0.05), (0.95, 0.3), (0.05, 0.3)]
        .into_iter()
        .enumerate()
    {
        advance(&f, 5);
        let p = screen(&harness, x * w, y * h);
        click(&mut harness, p);
        assert!(harness.state().canvas().is_drawing(), "vertex {i}");
    }
    advance(&f, 5);
    press(&mut harness, Key::Enter);
    assert_eq!(regions(&harness).len(), 1);
    advance(&f, 5);
    press_mod(&mut harness, Modifiers::COMMAND, Key::Enter);
    assert_ne!(harness.state().session().unwrap().task().id, task.id);
    drop(harness);

    let log = std::fs::read_to_string(f.data.join("work/landscapes-sample/worklog.jsonl")).unwrap();
    let started: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|e| e["kind"] == "work_started")
        .collect();
    assert_eq!(started.len(), 1, "{log}");
    assert_eq!(started[0]["task_id"], task.id.as_str());

    let report = f.report_json("sample_tasks/landscapes");
    assert_eq!(report["unpaid"]["instructions_secs"], 5.0, "{report}");
    assert_eq!(report["paid_secs"], 25.0, "{report}");
    assert_eq!(report["hourly_wage_active"], "7.20", "0.05 USD over 25 s");
}

/// The earnings view is the worker's own administration: its time is logged as such and is not the
/// task's; the first image's decode is bracketed as the tool's wait.
#[test]
fn the_earnings_view_is_the_workers_administration_and_the_decode_the_tools_wait() {
    let f = Fixture::new();
    let mut harness = f.harness();
    advance(&f, 5);
    press(&mut harness, Key::F2);
    assert!(harness.state().earnings_visible());
    advance(&f, 20);
    press(&mut harness, Key::F2);
    assert!(!harness.state().earnings_visible());
    // Back at the task: the rectangle tool (work starts), a box dragged for 5 s, then submitted.
    press(&mut harness, Key::R);
    let (a, b) = (screen(&harness, 40.0, 30.0), screen(&harness, 160.0, 120.0));
    harness.hover_at(a);
    harness.drag_at(a);
    harness.run_steps(1);
    advance(&f, 5);
    harness.hover_at(b);
    harness.drop_at(b);
    harness.run_steps(2);
    press_mod(&mut harness, Modifiers::COMMAND, Key::Enter);
    drop(harness);

    let log = std::fs::read_to_string(f.data.join("work/ui-fixture/worklog.jsonl")).unwrap();
    let kinds: Vec<String> = log
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["kind"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    let at = |kind: &str| kinds.iter().position(|k| k == kind).unwrap_or(usize::MAX);
    assert!(at("image_waiting") < at("image_ready"), "{kinds:?}");
    assert!(at("admin_shown") < at("admin_hidden"), "{kinds:?}");
    assert!(log.contains(r#""view":"earnings""#), "{log}");

    let report = f.report_json(f.bundle.to_str().unwrap());
    assert_eq!(report["unpaid"]["admin_secs"], 20.0, "{report}");
    assert_eq!(report["unpaid"]["waiting_secs"], 0.0, "{report}");
    // Reading (the instructions were open) until F2, then the view, then 5 s drawing: paid.
    assert_eq!(report["paid_secs"], 5.0, "{report}");
    assert_eq!(report["active_secs"], 30.0, "{report}");
}
