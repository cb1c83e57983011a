//! The worker's settings and data from the window: one owner for the settings and the worker id.
// Tests stop at the line that failed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(clippy::print_stdout, clippy::print_stderr, missing_docs)]

mod common;

use common::ui::*;
use egui::Key;
use egui_kittest::kittest::Queryable;
use serde_json::Value;

/// The worker ids of the work log's sessions, in order.
fn logged_worker_ids(f: &Fixture) -> Vec<String> {
    let journal = std::fs::read_to_string(f.data.join("work/ui-fixture/worklog.jsonl")).unwrap();
    journal
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|e| e["kind"] == "session_start")
        .map(|e| e["worker_id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

fn saved_worker_id(f: &Fixture) -> String {
    let settings: Value =
        serde_json::from_slice(&std::fs::read(f.data.join("settings.json")).unwrap()).unwrap();
    settings["worker_id"].as_str().unwrap().to_owned()
}

#[test]
fn after_delete_my_data_settings_and_work_log_keep_one_worker_id() {
    let f = Fixture::new();
    let mut harness = f.harness();
    let first = saved_worker_id(&f);
    assert_eq!(logged_worker_ids(&f), std::slice::from_ref(&first));

    press(&mut harness, Key::F3);
    harness.get_by_label("Delete my data…").click();
    harness.run_steps(2);
    harness
        .get_by_label("Really delete everything? Click again")
        .click();
    harness.run_steps(3);
    wait_until_open(&mut harness);
    harness.state().flush();
    let after_delete = saved_worker_id(&f);
    assert_ne!(after_delete, first, "deleting the data forgets the old id");
    assert_eq!(logged_worker_ids(&f), std::slice::from_ref(&after_delete));

    // A later settings save must not bring back another id.
    press(&mut harness, Key::F3);
    harness.get_by_label("Save settings").click();
    harness.run_steps(3);
    wait_until_open(&mut harness);
    harness.state().flush();
    assert_eq!(saved_worker_id(&f), after_delete);
    assert_eq!(logged_worker_ids(&f), [after_delete]);
}

#[test]
fn recent_bundles_are_stored_canonical_and_a_gone_one_is_reported_not_replaced() {
    let f = Fixture::new();
    let mut config = f.config();
    // The bundle as typed from elsewhere: with `..` in it.
    let typed = f.data.join("..").join("bundle");
    config.bundle_path = Some(typed);
    let harness = egui_kittest::Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_eframe(move |cc| clickwork::ui::app::App::new(cc, config));
    let mut harness = harness;
    wait_until_open(&mut harness);
    harness.state().flush();
    drop(harness);
    let recent: Value =
        serde_json::from_slice(&std::fs::read(f.data.join("recent.json")).unwrap()).unwrap();
    let stored = recent["bundles"][0]["path"].as_str().unwrap().to_owned();
    assert_eq!(
        std::path::Path::new(&stored),
        f.bundle.canonicalize().unwrap(),
        "{recent}"
    );

    // The bundle moves away; started without a path, the app says so instead of silently opening
    // another bundle as if it were the last one.
    std::fs::rename(&f.bundle, f.bundle.with_file_name("moved")).unwrap();
    let mut config = f.config();
    config.bundle_path = None;
    let mut harness = egui_kittest::Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_eframe(move |cc| clickwork::ui::app::App::new(cc, config));
    wait_until_open(&mut harness);
    harness.get_by_label_contains("is no longer there");
}

/// Two windows on one data folder would both write the same annotation files and journal: the
/// second is told which process holds the folder and writes nothing; a command that writes waits its
/// turn the same way; once the first window closes, the folder is free again.
#[test]
fn a_second_window_on_the_same_data_folder_writes_nothing_and_says_who_holds_it() {
    let f = Fixture::new();
    let first = f.harness();
    let journal = f.data.join("work/ui-fixture/worklog.jsonl");
    let before = std::fs::read(&journal).unwrap();

    let second = f.harness();
    let problems = second.state().problems().join("\n");
    assert!(
        problems.contains("is in use by another clickwork window or command")
            && problems.contains(&format!("window, process {}", std::process::id())),
        "{problems}"
    );
    assert!(second.state().session().is_none());
    second.get_by_label_contains("in use by another clickwork window");
    drop(second);
    assert_eq!(
        std::fs::read(&journal).unwrap(),
        before,
        "the second window wrote"
    );

    let review = f.data.parent().unwrap().join("review.csv");
    std::fs::write(&review, "task_id,status\na,approved\n").unwrap();
    let (code, _, stderr) = common::run(
        &[
            "review",
            "import",
            f.bundle.to_str().unwrap(),
            review.to_str().unwrap(),
        ],
        &f.data,
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("in use by another clickwork window"),
        "{stderr}"
    );

    drop(first);
    let third = f.harness();
    assert!(
        third.state().session().is_some(),
        "{:?}",
        third.state().problems()
    );
}
