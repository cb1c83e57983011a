//! The real app driven with egui_kittest (no GPU, no display): draw, relabel, edit, undo, submit, and
//! check what was saved; then restart on the same data folder and find everything again.
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
use clickwork::domain::geometry::{Point, Shape, ShapeKind};
use clickwork::ui::AppConfig;
use clickwork::ui::app::App;
use common::ui::*;
use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use serde_json::Value;

#[test]
fn opens_the_bundle_with_title_task_list_and_instructions() {
    let f = Fixture::new();
    let harness = f.harness();
    let app = harness.state();
    assert!(app.problems().is_empty(), "{:?}", app.problems());
    assert_eq!(app.session().unwrap().bundle().title, "UI fixture");
    assert!(
        app.instructions_visible(),
        "a fresh bundle opens its instructions"
    );
    harness.get_by_label_contains("Task 1 of 3");
    harness.get_by_label_contains("Outline things");
    harness.get_by_label_contains("sky  [1]");
    harness.get_by_label("canvas");
}

#[test]
fn draw_every_shape_edit_undo_submit_and_find_it_again_after_restart() {
    let f = Fixture::new();
    let mut harness = f.harness();

    // Rectangle by press-drag-release.
    press(&mut harness, Key::R);
    let (a, b) = (screen(&harness, 40.0, 30.0), screen(&harness, 160.0, 120.0));
    drag(&mut harness, a, b);
    let r = regions(&harness);
    assert_eq!(r.len(), 1, "one rectangle drawn");
    assert_eq!(r[0].label, "sky");
    let bbox = r[0].shape.bbox();
    assert!(
        close(bbox.min, Point::new(40.0, 30.0)) && close(bbox.max, Point::new(160.0, 120.0)),
        "{bbox:?}"
    );

    // Polygon by clicks and Enter; label 2 first.
    press(&mut harness, Key::Num2);
    press(&mut harness, Key::P);
    for (x, y) in [
        (200.0, 200.0),
        (300.0, 210.0),
        (280.0, 280.0),
        (210.0, 270.0),
    ] {
        let p = screen(&harness, x, y);
        click(&mut harness, p);
    }
    press(&mut harness, Key::Enter);
    let r = regions(&harness);
    assert_eq!(r.len(), 2, "polygon closed with Enter");
    assert_eq!(r[1].label, "mountain");
    assert_eq!(r[1].shape.kind(), ShapeKind::Polygon);
    assert_eq!(r[1].shape.points().len(), 4);
    assert!(close(r[1].shape.points()[1], Point::new(300.0, 210.0)));

    // Extreme-click box: four extremes in any order give the tight box.
    press(&mut harness, Key::Num1);
    press(&mut harness, Key::E);
    for (x, y) in [(350.0, 20.0), (330.0, 90.0), (310.0, 50.0), (390.0, 60.0)] {
        let p = screen(&harness, x, y);
        click(&mut harness, p);
    }
    let r = regions(&harness);
    assert_eq!(r.len(), 3, "extreme box made");
    let bbox = r[2].shape.bbox();
    assert!(
        close(bbox.min, Point::new(310.0, 20.0)) && close(bbox.max, Point::new(390.0, 90.0)),
        "{bbox:?}"
    );

    // A point.
    press(&mut harness, Key::K);
    let p = screen(&harness, 100.0, 250.0);
    click(&mut harness, p);
    let r = regions(&harness);
    assert_eq!(r.len(), 4);
    assert!(matches!(r[3].shape, Shape::Point { at } if close(at, Point::new(100.0, 250.0))));

    // Select the rectangle and relabel it with a digit.
    press(&mut harness, Key::V);
    let inside = screen(&harness, 100.0, 75.0);
    click(&mut harness, inside);
    assert_eq!(
        harness.state().canvas().selected.as_deref(),
        Some(r[0].id.as_str())
    );
    press(&mut harness, Key::Num2);
    assert_eq!(
        regions(&harness)[0].label,
        "mountain",
        "digit relabels the selection"
    );

    // Move a polygon vertex by dragging it.
    let from = screen(&harness, 300.0, 210.0);
    let to = screen(&harness, 320.0, 200.0);
    drag(&mut harness, from, to);
    let moved = regions(&harness)[1].shape.points()[1];
    assert!(close(moved, Point::new(320.0, 200.0)), "{moved:?}");

    // Undo the move and the relabel; redo the relabel.
    press_mod(&mut harness, Modifiers::COMMAND, Key::Z);
    assert!(close(
        regions(&harness)[1].shape.points()[1],
        Point::new(300.0, 210.0)
    ));
    press_mod(&mut harness, Modifiers::COMMAND, Key::Z);
    assert_eq!(regions(&harness)[0].label, "sky");
    press_mod(&mut harness, Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
    assert_eq!(regions(&harness)[0].label, "mountain");
    press_mod(&mut harness, Modifiers::COMMAND, Key::Y);
    assert!(close(
        regions(&harness)[1].shape.points()[1],
        Point::new(320.0, 200.0)
    ));

    // Submit: the task is saved as submitted and the next unfinished one opens.
    press_mod(&mut harness, Modifiers::COMMAND, Key::Enter);
    assert_eq!(harness.state().session().unwrap().task().id, "b");
    harness.state().flush();
    let saved = f.annotation_file("a");
    assert_eq!(saved["format"], "clickwork-annotation/1");
    assert_eq!(saved["status"], "submitted");
    let saved_regions = saved["regions"].as_array().unwrap();
    assert_eq!(saved_regions.len(), 4);
    let labels: Vec<&str> = saved_regions
        .iter()
        .map(|r| r["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["mountain", "mountain", "sky", "sky"]);
    assert_eq!(saved_regions[0]["shape"]["type"], "rectangle");
    let x0 = saved_regions[0]["shape"]["points"][0][0].as_f64().unwrap();
    assert!((x0 - 40.0).abs() <= 1.0, "{x0}");
    assert_eq!(saved["image"]["width"], W);

    // Submitting an empty task is refused with a message (min_regions is 1).
    press_mod(&mut harness, Modifiers::COMMAND, Key::Enter);
    assert_eq!(harness.state().session().unwrap().task().id, "b");
    assert!(
        harness
            .state()
            .message()
            .unwrap()
            .text
            .contains("at least 1")
    );

    // Draw on task b, then "crash": drop the app without closing anything properly.
    press(&mut harness, Key::R);
    let (a, b) = (screen(&harness, 10.0, 10.0), screen(&harness, 50.0, 60.0));
    drag(&mut harness, a, b);
    harness.state().flush();
    drop(harness);

    let harness = f.harness();
    let app = harness.state();
    let session = app.session().unwrap();
    assert_eq!(
        session.task().id,
        "b",
        "resumes on the task the worker was on"
    );
    assert_eq!(
        session.annotation().regions.len(),
        1,
        "the unsubmitted region on b is there"
    );
    assert_eq!(
        session.statuses()[0],
        clickwork::domain::annotation::TaskStatus::Submitted
    );
    assert!(
        !app.instructions_visible(),
        "instructions are not forced open on a resumed bundle"
    );
}

#[test]
fn polygon_closes_by_clicking_its_first_vertex_and_backspace_removes_the_last() {
    let f = Fixture::new();
    let mut harness = f.harness();
    press(&mut harness, Key::P);
    for (x, y) in [(50.0, 50.0), (150.0, 60.0), (250.0, 250.0), (140.0, 200.0)] {
        let p = screen(&harness, x, y);
        click(&mut harness, p);
    }
    press(&mut harness, Key::Backspace);
    let first = screen(&harness, 50.0, 50.0);
    click(&mut harness, first);
    let r = regions(&harness);
    assert_eq!(r.len(), 1);
    assert_eq!(
        r[0].shape.points().len(),
        3,
        "the last vertex was removed before closing"
    );
    // One undo removes the whole polygon: the draft was never an undo step.
    press_mod(&mut harness, Modifiers::COMMAND, Key::Z);
    assert!(regions(&harness).is_empty());
    // Esc cancels a polygon in progress.
    let p = screen(&harness, 10.0, 10.0);
    click(&mut harness, p);
    press(&mut harness, Key::Escape);
    assert!(!harness.state().canvas().has_draft());
}

#[test]
fn skip_asks_for_a_reason_and_saves_it() {
    let f = Fixture::new();
    let mut harness = f.harness();
    press_mod(&mut harness, Modifiers::COMMAND, Key::Space);
    harness.get_by_label("Skip this task?");
    harness
        .get_by_label("Reason (optional):")
        .type_text("too dark");
    harness.run_steps(2);
    harness.get_by_label("Skip task").click();
    harness.run_steps(3);
    assert_eq!(harness.state().session().unwrap().task().id, "b");
    harness.state().flush();
    let saved = f.annotation_file("a");
    assert_eq!(saved["status"], "skipped");
    assert_eq!(saved["skip_reason"], "too dark");
}

#[test]
fn a_broken_bundle_shows_its_problems_instead_of_crashing() {
    let f = Fixture::new();
    std::fs::write(f.bundle.join("bundle.json"), b"{ not json").unwrap();
    let harness = f.harness();
    assert!(harness.state().session().is_none());
    assert!(!harness.state().problems().is_empty());
    harness.get_by_label_contains("bundle.json");
}

#[test]
fn the_sample_bundle_opens_with_its_instructions_and_first_image() {
    let data = tempfile::tempdir().unwrap();
    let config = AppConfig {
        data_dir: data.path().to_owned(),
        bundle_path: None,
        load_options: LoadOptions::new(data.path().join("cache")),
        clock: clickwork::ui::system_clock(),
        wall_clock: None,
    };
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_eframe(move |cc| App::new(cc, config));
    harness.run_steps(2);
    wait_until_open(&mut harness);
    assert!(
        harness.state().problems().is_empty(),
        "{:?}",
        harness.state().problems()
    );
    assert!(harness.state().instructions_visible());
    assert!(
        harness
            .state_mut()
            .wait_for_image(std::time::Duration::from_secs(60))
    );
    harness.run_steps(2);
    assert!(harness.state().image_settled());
    let session = harness.state().session().unwrap();
    assert_eq!(session.bundle().id, "landscapes-sample");
    // The help overlay lists every command.
    harness.key_press(Key::F1);
    harness.run_steps(2);
    // The window's title and the Help command's own row.
    assert_eq!(harness.query_all_by_label("Keyboard help").count(), 2);
    harness.get_by_label("Extreme-click box tool");
}

#[test]
fn a_corrupt_image_shows_a_message_naming_the_file_and_the_task_can_be_skipped() {
    let f = Fixture::new();
    // Keep the header (so the bundle validates) but cut the pixel data: decoding fails.
    let path = f.bundle.join("images/a.png");
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..200]).unwrap();
    let mut harness = f.harness();
    assert!(
        harness
            .state_mut()
            .wait_for_image(std::time::Duration::from_secs(30))
    );
    harness.run_steps(2);
    let failure = harness
        .state()
        .image_failure()
        .expect("the image fails to decode")
        .to_owned();
    assert!(failure.contains("a.png"), "{failure}");
    // Drawing still works in image coordinates, and the worker can skip.
    press_mod(&mut harness, Modifiers::COMMAND, Key::Space);
    harness.get_by_label("Skip task").click();
    harness.run_steps(3);
    assert_eq!(harness.state().session().unwrap().task().id, "b");
}

/// Moves the fixture's mock clock forward.
#[test]
fn timing_with_a_mock_clock_lands_in_the_log_and_the_report() {
    let f = Fixture::new();
    let mut harness = f.harness();
    // t0: the bundle opens with its instructions. t0+4 s: the worker picks the rectangle tool.
    advance(&f, 4);
    press(&mut harness, Key::R);
    // t0+10 s: the drag starts; t0+13 s: it ends. Drawing took 3 s.
    advance(&f, 6);
    let (a, b) = (screen(&harness, 40.0, 30.0), screen(&harness, 160.0, 120.0));
    harness.hover_at(a);
    harness.drag_at(a);
    harness.hover_at(a + (b - a) * 0.5);
    harness.run_steps(2);
    advance(&f, 3);
    harness.hover_at(b);
    harness.drop_at(b);
    harness.run_steps(2);
    assert_eq!(regions(&harness).len(), 1);
    // The top-bar clock counts while the worker is active...
    let (shown_ms, state) = harness.state().task_clock().unwrap();
    assert_eq!(state, clickwork::domain::worklog::ClockState::Ticking);
    assert_eq!(shown_ms, 13_000);
    // ...and visibly stops once they are idle past the threshold (100 s).
    advance(&f, 150);
    harness.run_steps(1);
    let (_, state) = harness.state().task_clock().unwrap();
    assert_eq!(state, clickwork::domain::worklog::ClockState::Idle);
    // t0+163 s: back at work (the pointer moves); t0+170 s: submit. The 150 s gap is idle.
    let p = screen(&harness, 200.0, 200.0);
    harness.hover_at(p);
    harness.run_steps(1);
    advance(&f, 7);
    press_mod(&mut harness, Modifiers::COMMAND, Key::Enter);
    assert_eq!(harness.state().session().unwrap().task().id, "b");
    drop(harness);

    // The log holds the raw events with the drawing time.
    let log = std::fs::read_to_string(f.data.join("work/ui-fixture/worklog.jsonl")).unwrap();
    let events: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let kinds: Vec<&str> = events.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    for kind in [
        "session_start",
        "bundle_opened",
        "task_opened",
        "instructions_shown",
        "input",
        "region_created",
        "task_submitted",
        "session_end",
    ] {
        assert!(kinds.contains(&kind), "no {kind} in {kinds:?}");
    }
    let created = events
        .iter()
        .find(|e| e["kind"] == "region_created")
        .unwrap();
    assert_eq!(created["drawing_ms"], 3000, "{created}");
    assert_eq!(created["at"], "2026-11-28T09:00:13.000Z");
    let submitted = events
        .iter()
        .find(|e| e["kind"] == "task_submitted")
        .unwrap();
    assert_eq!(submitted["task_id"], "a");
    assert_eq!(submitted["reward"], "0.05");

    // The report, run as a process, finds the same times: 170 s wall, 150 s of it idle.
    let report = f.report_json(f.bundle.to_str().unwrap());
    assert_eq!(report["tasks_submitted"], 1);
    assert_eq!(report["wall_secs"].as_f64().unwrap(), 170.0, "{report}");
    assert_eq!(report["active_secs"].as_f64().unwrap(), 20.0, "{report}");
    // Until the rectangle tool was picked (4 s), with the instructions open, the worker was reading
    // them: unpaid. The drawing after it is task time.
    assert_eq!(
        report["unpaid"]["instructions_secs"].as_f64().unwrap(),
        4.0,
        "{report}"
    );
    assert_eq!(report["hourly_wage_all"], "9.00", "0.05 USD over 20 s");
    let usd = &report["earnings"][0];
    assert_eq!(usd["currency"], "USD");
    assert_eq!(usd["pending"], "0.05");
}

#[test]
fn export_labels_from_the_window_writes_every_format_with_a_summary() {
    let f = Fixture::new();
    let mut harness = f.harness();
    press(&mut harness, Key::R);
    let (a, b) = (screen(&harness, 40.0, 30.0), screen(&harness, 160.0, 120.0));
    drag(&mut harness, a, b);
    press_mod(&mut harness, Modifiers::COMMAND, Key::Enter);
    let out = f.data.parent().unwrap().join("exported");
    harness.state_mut().export_labels_to(out.clone());
    let status = harness
        .state_mut()
        .wait_for_export(std::time::Duration::from_secs(60));
    let Some(clickwork::ui::export_job::ExportStatus::Finished(summary)) = status else {
        panic!("export did not finish: {status:?}");
    };
    assert!(
        summary.contains("Exported 1 submitted task(s)"),
        "{summary}"
    );
    harness.run_steps(2);
    harness.get_by_label_contains("Exported 1 submitted task(s)");
    let coco: Value = serde_json::from_slice(
        &std::fs::read(out.join("coco/annotations/instances_default.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(coco["annotations"].as_array().unwrap().len(), 1);
    for file in [
        "yolo/data.yaml",
        "voc/labelmap.txt",
        "labelme/a.json",
        "cvat/annotations.xml",
    ] {
        assert!(
            out.join(file).exists(),
            "{file} missing; summary: {summary}"
        );
    }
}

#[test]
fn pause_stops_the_clock_and_drawing_resumes_it() {
    let f = Fixture::new();
    let mut harness = f.harness();
    press(&mut harness, Key::F4);
    assert_eq!(
        harness.state().task_clock().unwrap().1,
        clickwork::domain::worklog::ClockState::Paused
    );
    advance(&f, 30);
    press(&mut harness, Key::K);
    let p = screen(&harness, 100.0, 100.0);
    click(&mut harness, p);
    assert_eq!(regions(&harness).len(), 1);
    assert_eq!(
        harness.state().task_clock().unwrap().1,
        clickwork::domain::worklog::ClockState::Ticking
    );
    assert!(harness.state().message().unwrap().text.contains("Resumed"));
}
