//! The disk misbehaving under a working window: full, made read-only, the data folder deleted. The
//! worker is told that saving failed and why, every edit stays in memory and is tried again, and once
//! the disk takes writes again everything is saved; closing meanwhile asks first. The data folder is a
//! tiny tmpfs, which needs root (CI runs as root); elsewhere the mount tests say so and check nothing.
// Tests stop at the line that failed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(clippy::print_stdout, clippy::print_stderr, missing_docs)]

mod common;

use clickwork::ui::app::App;
use common::ui::{Fixture, drag, press, regions, screen};
use egui::Key;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use std::path::{Path, PathBuf};

/// A mounted tmpfs, unmounted when the test ends however it ends.
struct Tiny(PathBuf);

impl Tiny {
    fn mount(at: &Path) -> Option<Tiny> {
        std::fs::create_dir_all(at).unwrap();
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=2m", "tmpfs"])
            .arg(at)
            .output()
            .is_ok_and(|o| o.status.success());
        if !mounted {
            eprintln!("skipped: cannot mount a tmpfs here (not root, or no permission)");
        }
        mounted.then(|| Tiny(at.to_owned()))
    }

    fn remount(&self, mode: &str) {
        let status = std::process::Command::new("mount")
            .args(["-o", &format!("remount,{mode}")])
            .arg(&self.0)
            .status()
            .unwrap();
        assert!(status.success(), "remount {mode}");
    }

    /// Fills the file system: a file grows until the disk refuses.
    fn fill(&self) -> PathBuf {
        use std::io::Write;
        let filler = self.0.join("filler");
        let mut file = std::fs::File::create(&filler).unwrap();
        let block = vec![0u8; 64 * 1024];
        while file.write_all(&block).is_ok() {}
        while file.write_all(&[0]).is_ok() {}
        filler
    }
}

impl Drop for Tiny {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

/// The fixture with its data folder on a fresh tmpfs, or `None` where mounting is not allowed.
fn on_tmpfs() -> Option<(Fixture, Tiny)> {
    let mut f = Fixture::new();
    let tiny = Tiny::mount(&f.data.with_file_name("tiny-data"))?;
    f.data = tiny.0.clone();
    Some((f, tiny))
}

/// Draws a rectangle with the current label; returns how many regions the task holds.
fn draw_box(harness: &mut Harness<'_, App>, x: f64) -> usize {
    press(harness, Key::R);
    let (a, b) = (screen(harness, x, 20.0), screen(harness, x + 50.0, 60.0));
    drag(harness, a, b);
    regions(harness).len()
}

/// Steps the window until what waits is written (each flush tries again), up to ten seconds.
fn step_until_saved(harness: &mut Harness<'_, App>) {
    for _ in 0..100 {
        harness.state().flush();
        harness.run_steps(2);
        if harness.state().session().unwrap().unsaved().is_none() {
            harness.run_steps(2);
            return;
        }
        std::thread::yield_now();
    }
    panic!("still unsaved after 100 tries");
}

fn saved_regions(f: &Fixture) -> usize {
    f.annotation_file("a")["regions"].as_array().unwrap().len()
}

fn journal_kinds(f: &Fixture) -> Vec<String> {
    let text = std::fs::read_to_string(f.data.join("work/ui-fixture/worklog.jsonl")).unwrap();
    text.lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .map(|v| v["kind"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Checks the window's word while saving fails: the banner, the reason, the edits in memory.
fn says_not_saved(harness: &mut Harness<'_, App>, why: &str) {
    harness.state().flush();
    harness.run_steps(2);
    let unsaved = harness.state().session().unwrap().unsaved().unwrap();
    assert!(unsaved.error.contains(why), "{}", unsaved.error);
    assert!(
        harness.query_by_label_contains("Not saved yet").is_some(),
        "the window says saving failed"
    );
}

#[test]
fn a_full_disk_keeps_every_edit_in_memory_and_saves_it_once_space_is_back() {
    let Some((f, tiny)) = on_tmpfs() else { return };
    let mut harness = f.harness();
    assert_eq!(draw_box(&mut harness, 10.0), 1);
    step_until_saved(&mut harness);
    assert_eq!(saved_regions(&f), 1);

    let filler = tiny.fill();
    assert_eq!(draw_box(&mut harness, 100.0), 2);
    assert_eq!(draw_box(&mut harness, 200.0), 3);
    says_not_saved(&mut harness, "No space left");
    assert_eq!(saved_regions(&f), 1, "what was on disk is intact");
    assert!(
        harness
            .query_by_label_contains("a.json: No space left")
            .is_some(),
        "the not-saved line names the file and why"
    );
    // Opening a bundle (here the same one, from the recent list) would end this session and lose
    // what waits: refused, saying why.
    harness.get_by_label("Bundle").click();
    harness.run_steps(2);
    harness
        .get_by_role_and_label(egui::accesskit::Role::Button, "UI fixture")
        .click();
    harness.run_steps(3);
    let said = harness.state().message().map(|m| m.text.clone());
    assert!(
        said.as_deref()
            .is_some_and(|m| m.starts_with("Not opened: ") && m.contains("not saved yet")),
        "{said:?}"
    );
    assert!(
        harness.state().session().is_some(),
        "the session stays open"
    );

    std::fs::remove_file(filler).unwrap();
    step_until_saved(&mut harness);
    assert_eq!(saved_regions(&f), 3);
    let created = journal_kinds(&f)
        .iter()
        .filter(|k| *k == "region_created")
        .count();
    assert_eq!(created, 3, "no work-log line was lost");
    assert!(harness.query_by_label_contains("on disk now").is_some());
    assert!(harness.query_by_label_contains("Not saved yet").is_none());
    assert!(
        harness.query_by_label_contains("could not save").is_none(),
        "no notice outlives the failure"
    );
}

#[test]
fn a_read_only_data_folder_is_the_same_and_closing_meanwhile_asks_first() {
    // A file system with files open for writing cannot be made read-only, and the window keeps its
    // work log and lock open: the annotations folder gets a file system of its own.
    let f = Fixture::new();
    let Some(tiny) = Tiny::mount(&f.data.join("work/ui-fixture/annotations")) else {
        return;
    };
    let mut harness = f.harness();
    assert_eq!(draw_box(&mut harness, 10.0), 1);
    step_until_saved(&mut harness);
    tiny.remount("ro");
    assert_eq!(draw_box(&mut harness, 100.0), 2);
    says_not_saved(&mut harness, "Read-only");

    // Closing now would lose the box: the window stays and asks.
    close_button(&mut harness);
    assert!(
        harness
            .query_by_label_contains("Some work is not saved yet")
            .is_some()
    );
    harness.get_by_label("Keep the window open").click();
    harness.run_steps(2);
    assert!(
        harness
            .query_by_label_contains("Some work is not saved yet")
            .is_none()
    );

    // Asked again, and the disk comes back while the question is open: the window closes by itself.
    close_button(&mut harness);
    assert!(
        harness
            .query_by_label_contains("Some work is not saved yet")
            .is_some()
    );
    tiny.remount("rw");
    let closing = (0..100).any(|_| {
        harness.state().flush();
        harness.step();
        harness
            .output()
            .viewport_output
            .get(&egui::ViewportId::ROOT)
            .is_some_and(|v| v.commands.contains(&egui::ViewportCommand::Close))
    });
    assert!(closing, "the window closes once nothing is left unsaved");
    assert_eq!(saved_regions(&f), 2);
}

/// What the system's close button sends.
fn close_button(harness: &mut Harness<'_, App>) {
    harness
        .input_mut()
        .viewports
        .entry(egui::ViewportId::ROOT)
        .or_default()
        .events
        .push(egui::ViewportEvent::Close);
    harness.run_steps(3);
}

#[test]
fn a_data_folder_deleted_under_the_window_is_written_again_from_memory() {
    let f = Fixture::new();
    let mut harness = f.harness();
    assert_eq!(draw_box(&mut harness, 10.0), 1);
    step_until_saved(&mut harness);
    std::fs::remove_dir_all(f.data.join("work")).unwrap();
    assert_eq!(draw_box(&mut harness, 100.0), 2);
    step_until_saved(&mut harness);
    // The open task comes back whole, and the work log goes on in a new file.
    assert_eq!(saved_regions(&f), 2);
    assert!(
        journal_kinds(&f).contains(&"region_created".to_owned()),
        "{:?}",
        journal_kinds(&f)
    );
}

/// Set when this test binary runs again as an unprivileged user (see below).
#[cfg(target_os = "linux")]
const AS_NOBODY: &str = "CLICKWORK_TEST_AS_NOBODY";

#[cfg(target_os = "linux")]
fn running_as_root() -> bool {
    std::fs::read_to_string("/proc/self/status").is_ok_and(|s| {
        s.lines()
            .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
    })
}

/// Sets every folder under (and including) `dir` to `dirs` and every file to `files`.
#[cfg(target_os = "linux")]
fn set_modes(dir: &Path, dirs: u32, files: u32) {
    use std::os::unix::fs::PermissionsExt;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            set_modes(&path, dirs, files);
        } else {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(files)).unwrap();
        }
    }
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(dirs)).unwrap();
}

/// The whole data folder made read-only the way a user does it (its permissions), while the window
/// works on two tasks: every edit and the task switch wait in memory, and land once it is writable.
#[cfg(target_os = "linux")]
#[test]
fn a_whole_data_folder_made_read_only_keeps_every_edit_until_it_is_writable_again() {
    // Root writes through any permission: the test runs itself again as the user nobody.
    if running_as_root() && std::env::var(AS_NOBODY).is_err() {
        let name = "a_whole_data_folder_made_read_only_keeps_every_edit_until_it_is_writable_again";
        let run = std::process::Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(std::env::current_exe().unwrap())
            .args(["--exact", name, "--nocapture", "--test-threads=1"])
            .env(AS_NOBODY, "1")
            .output();
        let Ok(out) = run else {
            eprintln!("skipped: running as root, and setpriv is not there to drop it");
            return;
        };
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        assert!(
            out.status.success() && stdout.contains("1 passed"),
            "as nobody:\n{stdout}\n{stderr}"
        );
        return;
    }
    let f = Fixture::new();
    let mut harness = f.harness();
    assert_eq!(draw_box(&mut harness, 10.0), 1);
    step_until_saved(&mut harness);
    let journal_lines = journal_kinds(&f).len();

    set_modes(&f.data, 0o555, 0o444);
    assert_eq!(draw_box(&mut harness, 100.0), 2);
    says_not_saved(&mut harness, "Permission denied");
    press(&mut harness, Key::D);
    common::ui::wait_until_open(&mut harness);
    assert_eq!(harness.state().session().unwrap().task().id, "b");
    assert_eq!(draw_box(&mut harness, 10.0), 1);
    says_not_saved(&mut harness, "Permission denied");
    let waiting = harness.state().session().unwrap().unsaved().unwrap();
    assert!(waiting.count >= 3, "a, b and where to resume: {waiting:?}");
    assert_eq!(saved_regions(&f), 1, "what was on disk is intact");

    set_modes(&f.data, 0o755, 0o644);
    step_until_saved(&mut harness);
    assert_eq!(saved_regions(&f), 2);
    assert_eq!(
        f.annotation_file("b")["regions"].as_array().unwrap().len(),
        1
    );
    let record: serde_json::Value = serde_json::from_slice(
        &std::fs::read(f.data.join("work/ui-fixture/workspace.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(record["current_task"], "b", "where to resume landed too");
    // The work log's file was open before: its lines were written all along, in order.
    let kinds = journal_kinds(&f);
    assert!(kinds.len() > journal_lines);
    assert_eq!(kinds.iter().filter(|k| *k == "region_created").count(), 3);
}
