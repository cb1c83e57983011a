//! A second window on a data folder another window holds: it is offered a read-only view, which
//! shows the work as saved and writes nothing at all, however the worker tries to change it.
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
use egui::{Key, Modifiers};
use egui_kittest::kittest::Queryable;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Every file and folder under `dir` with what a write would change: bytes, size, modification
/// time and inode (an atomic replace with the same bytes is still a write).
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (Vec<u8>, SystemTime, u64)> {
    let mut found = BTreeMap::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(d) = pending.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            let meta = std::fs::metadata(&path).unwrap();
            #[cfg(unix)]
            let inode = std::os::unix::fs::MetadataExt::ino(&meta);
            #[cfg(not(unix))]
            let inode = 0;
            let bytes = if meta.is_dir() {
                pending.push(path.clone());
                Vec::new()
            } else {
                std::fs::read(&path).unwrap()
            };
            let key = path.strip_prefix(dir).unwrap().to_owned();
            found.insert(key, (bytes, meta.modified().unwrap(), inode));
        }
    }
    found
}

/// Steps until the bundle asked for is open and its image decoded.
fn shown(harness: &mut egui_kittest::Harness<'_, clickwork::ui::app::App>) {
    wait_until_open(harness);
    harness
        .state_mut()
        .wait_for_image(std::time::Duration::from_secs(30));
    harness.run_steps(2);
}

#[test]
fn a_second_window_may_open_read_only_and_then_writes_nothing_at_all() {
    let f = Fixture::new();
    let mut first = f.harness();
    // The first window's work: a box on task a.
    press(&mut first, Key::R);
    let (from, to) = (screen(&first, 40.0, 30.0), screen(&first, 160.0, 120.0));
    drag(&mut first, from, to);
    assert_eq!(regions(&first).len(), 1);
    first.state().flush();

    let mut second = f.harness();
    second.get_by_label_contains("in use by another clickwork window");
    second.get_by_label("Open read-only").click();
    second.run_steps(2);
    shown(&mut second);
    let session = second.state().session().expect("opened read-only");
    assert!(session.is_read_only());
    assert!(
        second.state().title().contains("(read-only"),
        "{}",
        second.state().title()
    );
    second.get_by_label_contains("Read-only: another window holds the data folder");
    // The first window's work is shown as saved.
    assert_eq!(session.task().id, "a");
    assert_eq!(regions(&second).len(), 1);

    // The first window works on: a box on task b, after the second window opened.
    press(&mut first, Key::D);
    wait_until_open(&mut first);
    let (from, to) = (screen(&first, 40.0, 30.0), screen(&first, 160.0, 120.0));
    drag(&mut first, from, to);
    first.state().flush();
    let before = snapshot(&f.data);

    // Everything a worker might try: draw, undo, relabel, delete, submit, skip, move on, settings.
    press(&mut second, Key::R);
    let (from, to) = (screen(&second, 200.0, 150.0), screen(&second, 300.0, 250.0));
    drag(&mut second, from, to);
    assert_eq!(regions(&second).len(), 1, "a region was added read-only");
    let said = second.state().message().map(|m| m.text.clone());
    assert!(
        said.as_deref().is_some_and(|m| m.contains("read-only")),
        "{said:?}"
    );
    press_mod(&mut second, Modifiers::COMMAND, Key::Z);
    press(&mut second, Key::V);
    let inside = screen(&second, 100.0, 75.0);
    click(&mut second, inside);
    press(&mut second, Key::Num2);
    press(&mut second, Key::Delete);
    assert_eq!(regions(&second).len(), 1);
    assert_eq!(regions(&second)[0].label, "sky");
    press_mod(&mut second, Modifiers::COMMAND, Key::Enter);
    assert_eq!(second.state().session().unwrap().task().id, "a");
    press_mod(&mut second, Modifiers::COMMAND, Key::Space);
    let said = second.state().message().map(|m| m.text.clone());
    assert!(
        said.as_deref()
            .is_some_and(|m| m.starts_with("Not skipped")),
        "{said:?}"
    );
    // Task b is read as it is now, with the box the first window drew since.
    press(&mut second, Key::D);
    wait_until_open(&mut second);
    assert_eq!(second.state().session().unwrap().task().id, "b");
    assert_eq!(regions(&second).len(), 1, "task b as the disk holds it now");
    press(&mut second, Key::F3);
    second.get_by_label("Save settings").click();
    second.run_steps(3);
    wait_until_open(&mut second);
    second.get_by_label_contains("Not saved: this window is read-only");
    // "Open for work" while the first window still works: the view stays, saying why.
    second.get_by_label("Open for work").click();
    second.run_steps(2);
    wait_until_open(&mut second);
    let said = second.state().message().map(|m| m.text.clone());
    assert!(
        said.as_deref()
            .is_some_and(|m| m.starts_with("Still read-only") && m.contains("in use")),
        "{said:?}"
    );
    assert!(second.state().session().unwrap().is_read_only());
    assert_eq!(second.state().session().unwrap().task().id, "b");

    let after = snapshot(&f.data);
    let changed: Vec<&PathBuf> = after
        .iter()
        .filter(|(path, now)| before.get(*path) != Some(*now))
        .map(|(path, _)| path)
        .chain(before.keys().filter(|p| !after.contains_key(*p)))
        .collect();
    assert!(changed.is_empty(), "the read-only window wrote {changed:?}");

    // The first window still works and saves.
    let (from, to) = (screen(&first, 200.0, 150.0), screen(&first, 300.0, 250.0));
    drag(&mut first, from, to);
    first.state().flush();
    let saved = f.annotation_file("b");
    assert_eq!(saved["regions"].as_array().unwrap().len(), 2, "{saved}");

    // Once the first window is closed, "Open for work" opens the bundle to work in.
    drop(first);
    second.get_by_label("Open for work").click();
    second.run_steps(2);
    shown(&mut second);
    let session = second.state().session().expect("opened for work");
    assert!(!session.is_read_only());
    assert!(
        !second.state().title().contains("read-only"),
        "{}",
        second.state().title()
    );
    assert!(
        second
            .query_by_label_contains("Read-only: another window")
            .is_none()
    );
    press(&mut second, Key::R);
    let (from, to) = (screen(&second, 20.0, 200.0), screen(&second, 90.0, 280.0));
    drag(&mut second, from, to);
    second.state().flush();
    let task = second.state().session().unwrap().task().id.clone();
    let saved = f.annotation_file(&task);
    assert_eq!(
        saved["regions"].as_array().unwrap().len(),
        regions(&second).len(),
        "{saved}"
    );
}
