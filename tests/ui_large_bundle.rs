//! A bundle of 100,000 tasks in the real window: it opens, the task list lays out only the rows in
//! view, and the filter and the "go to" box reach any task.
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
use std::path::Path;

const TASKS: usize = 100_000;

/// A bundle of `TASKS` tasks, each image a hard link to a small PNG.
fn large_bundle(dir: &Path) -> std::path::PathBuf {
    let root = dir.join("large");
    std::fs::create_dir_all(root.join("images")).unwrap();
    let mut tasks = Vec::with_capacity(TASKS);
    for i in 0..TASKS {
        // A file takes at most 65,000 links on ext4: a new one every 50,000.
        let one = root.join(format!("one-{}.png", i / 50_000));
        if i % 50_000 == 0 {
            image::RgbImage::from_pixel(64, 48, image::Rgb([90, 140, 200]))
                .save(&one)
                .unwrap();
        }
        let name = format!("images/t{i:06}.png");
        std::fs::hard_link(&one, root.join(&name)).unwrap();
        tasks.push(serde_json::json!({"id": format!("t{i:06}"), "image": name}));
    }
    let manifest = serde_json::json!({
        "format": "clickwork-bundle/1", "id": "large", "title": "Large",
        "labels": [{"name": "sky", "color": "#4a90d9"}],
        "tasks": tasks
    });
    std::fs::write(root.join("bundle.json"), manifest.to_string()).unwrap();
    root
}

#[test]
fn a_bundle_of_100000_tasks_opens_and_its_list_lays_out_only_what_is_in_view() {
    let mut f = Fixture::new();
    f.bundle = large_bundle(f.data.parent().unwrap());
    let mut harness = f.harness();
    let session = harness.state().session().expect("opened");
    assert_eq!(session.bundle().tasks.len(), TASKS);
    assert_eq!(session.task().id, "t000000");
    // Only the rows in view are laid out (and so in the accessibility tree).
    let rows = harness.query_all_by_label_contains("  (new)").count();
    assert!((5..200).contains(&rows), "{rows} rows laid out");

    // The go-to box: by number, then by id; the list follows.
    let go_to = "Go to:";
    harness.get_by_label(go_to).click();
    harness.run_steps(1);
    harness.get_by_label(go_to).type_text("99999");
    harness.key_press(Key::Enter);
    harness.run_steps(2);
    wait_until_open(&mut harness);
    harness.run_steps(2);
    assert_eq!(harness.state().session().unwrap().task().id, "t099998");
    harness.get_by_label("99999. t099998  (new)");
    harness.get_by_label(go_to).click();
    harness.run_steps(1);
    harness.get_by_label(go_to).type_text("t050000");
    harness.key_press(Key::Enter);
    harness.run_steps(2);
    wait_until_open(&mut harness);
    harness.run_steps(2);
    assert_eq!(harness.state().session().unwrap().task().id, "t050000");
    harness.get_by_label("50001. t050000  (new)");

    // A filter that matches nothing says so.
    harness
        .get_by_role_and_label(egui::accesskit::Role::ComboBox, "shown")
        .click();
    harness.run_steps(3);
    harness.get_by_label("in progress").click();
    harness.run_steps(2);
    harness.get_by_label("No in progress task.");
}
