//! Nothing waits for the disk on the window's thread: the real app, driven through a whole working
//! day (open, switch tasks, draw, submit, export, export and delete the worker's data), with the
//! debug-build tripwire on in every frame (`domain::io_guard`): any file I/O inside a frame panics.
//! Also: instructions render as CommonMark, and with no file dialog the window offers a path field.

// Tests stop at the line that failed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(clippy::print_stdout, clippy::print_stderr, missing_docs)]

mod common;

use clickwork::domain::io_guard::{mark_ui_thread, on_ui_thread};
use common::ui::*;
use egui::{Key, Modifiers};
use egui_kittest::kittest::Queryable;
use std::path::Path;

/// Waits until the app is idle and the path field is up (or `false` after ten seconds).
fn wait_for_path_field(harness: &mut egui_kittest::Harness<'_, clickwork::ui::app::App>) -> bool {
    for _ in 0..500 {
        harness.step();
        if harness
            .query_by_label_contains("No file dialog is available")
            .is_some()
        {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    false
}

/// Types `path` in the path field labelled `label` and presses OK.
fn type_path(
    harness: &mut egui_kittest::Harness<'_, clickwork::ui::app::App>,
    label: &str,
    path: &Path,
) {
    harness.get_by_label(label).click();
    harness.run_steps(1);
    harness
        .get_by_label(label)
        .type_text(path.to_str().unwrap());
    harness.run_steps(1);
    harness.get_by_label("OK").click();
    harness.run_steps(2);
}

#[test]
fn a_working_day_in_the_window_does_no_file_io_on_its_thread() {
    // The tripwire is real in the builds tests run in (release builds check nothing).
    assert!(!on_ui_thread());
    if cfg!(debug_assertions) {
        let _mark = mark_ui_thread();
        let caught = std::panic::catch_unwind(|| {
            clickwork::domain::settings::Settings::load(Path::new("/nonexistent"))
        });
        assert!(
            caught.is_err(),
            "a store read on a marked thread must panic"
        );
    }

    let f = Fixture::new();
    let mut harness = f.harness();
    assert_eq!(harness.state().session().unwrap().task().id, "a");
    // Switch tasks with the keys, back and forth: the files were read ahead.
    press(&mut harness, Key::D);
    wait_until_open(&mut harness);
    assert_eq!(harness.state().session().unwrap().task().id, "b");
    press(&mut harness, Key::A);
    wait_until_open(&mut harness);
    assert_eq!(harness.state().session().unwrap().task().id, "a");
    // Jump from the task list to the last task, which nothing read ahead.
    harness.get_by_label("3. c  (new)").click();
    harness.run_steps(1);
    wait_until_open(&mut harness);
    assert_eq!(harness.state().session().unwrap().task().id, "c");
    // Draw a box and submit.
    press(&mut harness, Key::R);
    let (a, b) = (screen(&harness, 40.0, 30.0), screen(&harness, 160.0, 120.0));
    drag(&mut harness, a, b);
    press_mod(&mut harness, Modifiers::COMMAND, Key::Enter);
    wait_until_open(&mut harness);
    assert_eq!(
        harness.state().session().unwrap().statuses()[2].name(),
        "submitted"
    );

    // Export the labels from the window: no dialog here, so the path field.
    press_mod(&mut harness, Modifiers::COMMAND, Key::E);
    let out = f.data.parent().unwrap().join("exports");
    std::fs::create_dir_all(&out).unwrap();
    if wait_for_path_field(&mut harness) {
        type_path(
            &mut harness,
            "The folder to export the labels into (a new folder is made in it):",
            &out,
        );
    } else {
        // A desktop with a file dialog: drive the export directly.
        eprintln!("a file dialog is available here: the path field was not tested");
        harness.state_mut().export_labels_to(out.join("labels"));
    }
    let status = harness
        .state_mut()
        .wait_for_export(std::time::Duration::from_secs(60));
    assert!(
        matches!(
            status,
            Some(clickwork::ui::export_job::ExportStatus::Finished(_))
        ),
        "{status:?}"
    );
    let written: Vec<_> = std::fs::read_dir(&out).unwrap().collect();
    assert_eq!(written.len(), 1, "one export folder in {}", out.display());

    // Export my data, then delete it, from the settings.
    press(&mut harness, Key::F3);
    harness.get_by_label("Export my data…").click();
    harness.run_steps(1);
    let zip = out.join("mine.zip");
    if wait_for_path_field(&mut harness) {
        type_path(&mut harness, "The zip file to write your data to:", &zip);
        wait_until_open(&mut harness);
        assert!(zip.is_file(), "{}", zip.display());
    }
    harness.get_by_label("Delete my data…").click();
    harness.run_steps(2);
    harness
        .get_by_label("Really delete everything? Click again")
        .click();
    harness.run_steps(2);
    wait_until_open(&mut harness);
    let session = harness.state().session().unwrap();
    assert_eq!(session.statuses()[2].name(), "new", "the work is gone");
    assert!(
        harness
            .state()
            .message()
            .unwrap()
            .text
            .contains("Deleted your data")
    );
}

#[test]
fn instructions_render_commonmark_tables_and_lists() {
    let f = Fixture::new();
    let manifest = f.bundle.join("bundle.json");
    let mut value: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&manifest).unwrap()).unwrap();
    value["instructions"] = serde_json::json!(
        "# Outline things\n\n| label | what it covers |\n|---|---|\n| sky | everything above the horizon |\n\n1. first the sky\n2. then the mountain\n\nSee [the guide](https://example.org)."
    );
    std::fs::write(&manifest, serde_json::to_vec_pretty(&value).unwrap()).unwrap();
    let harness = f.harness();
    harness.get_by_label_contains("everything above the horizon");
    harness.get_by_label_contains("then the mountain");
    harness.get_by_label_contains("the guide");
}

#[test]
fn before_the_first_earning_the_top_bar_names_the_currency_and_an_empty_wage_chip() {
    let f = Fixture::new();
    let mut harness = f.harness();
    harness.get_by_label("Today: 0.00 USD");
    harness.get_by_label("– USD/h");
    press(&mut harness, Key::R);
    let (a, b) = (screen(&harness, 40.0, 30.0), screen(&harness, 160.0, 120.0));
    drag(&mut harness, a, b);
    advance(&f, 30);
    press_mod(&mut harness, Modifiers::COMMAND, Key::Enter);
    wait_until_open(&mut harness);
    harness.get_by_label_contains("Today: 0.05 USD");
    assert!(harness.query_by_label("– USD/h").is_none());
}

#[test]
fn a_review_file_imported_from_the_window_moves_the_earnings() {
    let f = Fixture::new();
    let mut harness = f.harness();
    press(&mut harness, Key::R);
    let (a, b) = (screen(&harness, 40.0, 30.0), screen(&harness, 160.0, 120.0));
    drag(&mut harness, a, b);
    press_mod(&mut harness, Modifiers::COMMAND, Key::Enter);
    wait_until_open(&mut harness);
    let review = f.data.parent().unwrap().join("review.csv");
    std::fs::write(&review, "task_id,status,bonus\na,approved,0.10\n").unwrap();
    press(&mut harness, Key::F2);
    harness.get_by_label("Import a review file…").click();
    harness.run_steps(1);
    if !wait_for_path_field(&mut harness) {
        eprintln!("a file dialog is available here: the path field was not tested");
        harness.state_mut().import_review(review.clone());
    } else {
        type_path(
            &mut harness,
            "The review file (CSV or JSON) to import:",
            &review,
        );
    }
    wait_until_open(&mut harness);
    let message = harness.state().message().unwrap().text.clone();
    assert!(
        message.contains("Review imported: 1 approved, 0 rejected"),
        "{message}"
    );
    let stored: serde_json::Value = serde_json::from_slice(
        &std::fs::read(f.data.join("work/ui-fixture/reviews.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(stored["reviews"]["a"]["status"], "approved");
    harness.get_by_label_contains("Today: 0.15 USD");
}
