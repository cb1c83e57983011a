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
