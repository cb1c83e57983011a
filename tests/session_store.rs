//! The workspace on disk, driven through a session as the window drives it: resuming, unknown keys kept,
//! corrupt files set aside, manifest changes noticed, region ids never reused.
// Tests stop at the line that failed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(clippy::print_stdout, clippy::print_stderr, missing_docs)]

mod common;

use chrono::{DateTime, Duration, TimeZone, Utc};
use clickwork::domain::annotation::{Region, TaskStatus};
use clickwork::domain::edit::Edit;
use clickwork::domain::geometry::{Point, Shape};
use clickwork::domain::session::{Session, SubmitRefused};
use clickwork::domain::store::{Saver, Workspace};
use common::worker_id;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap()
}

fn png(path: &Path, w: u32, h: u32) {
    image::RgbImage::from_pixel(w, h, image::Rgb([90, 140, 200]))
        .save(path)
        .unwrap();
}

fn write_bundle(root: &Path, tasks: &[(&str, &str)]) {
    let tasks: Vec<Value> = tasks
        .iter()
        .map(|(id, img)| json!({"id": id, "image": img}))
        .collect();
    let manifest = json!({
        "format": "clickwork-bundle/1",
        "id": "store-fixture",
        "title": "Store fixture",
        "min_regions": 1,
        "labels": [{"name": "sky", "color": "#4a90d9"}, {"name": "tree", "color": "#2ea043"}],
        "tasks": tasks
    });
    std::fs::write(
        root.join("bundle.json"),
        serde_json::to_vec_pretty(&manifest).unwrap(),
    )
    .unwrap();
}

bundle_fixture!(Fixture);

impl Fixture {
    fn new() -> Self {
        let base = common::BundleDir::new();
        let root = base.root();
        png(&root.join("a.png"), 64, 48);
        png(&root.join("b.png"), 64, 48);
        png(&root.join("c.png"), 64, 48);
        write_bundle(&root, &[("a", "a.png"), ("b", "b.png"), ("c", "c.png")]);
        Fixture { base }
    }

    fn open(&self) -> (Session, clickwork::domain::store::OpenReport) {
        Session::open(
            self.bundle(),
            &self.data(),
            Saver::new(),
            &worker_id(&self.data()),
            t0(),
        )
        .unwrap()
    }

    fn annotation_path(&self, task: &str) -> PathBuf {
        self.data()
            .join("work/store-fixture/annotations")
            .join(format!("{task}.json"))
    }

    fn read(&self, task: &str) -> Value {
        serde_json::from_slice(&std::fs::read(self.annotation_path(task)).unwrap()).unwrap()
    }
}

fn rect(id: &str) -> Region {
    Region::new(
        id,
        "sky",
        Shape::rectangle(Point::new(1.0, 2.0), Point::new(30.0, 20.0)),
    )
}

fn add(session: &mut Session, now: DateTime<Utc>) -> String {
    let id = session.new_region_id();
    session
        .apply(
            Edit::AddRegion {
                region: rect(&id),
                index: None,
            },
            now,
        )
        .unwrap();
    id
}

#[test]
fn every_change_is_saved_and_reopening_resumes_where_the_worker_left_off() {
    let f = Fixture::new();
    let (mut s, report) = f.open();
    assert_eq!(report.manifest_change, None);
    assert_eq!(s.task().id, "a");
    add(&mut s, t0());
    s.submit(t0() + Duration::seconds(30)).unwrap();
    s.go_to(1, t0()).unwrap();
    add(&mut s, t0() + Duration::seconds(40));
    s.flush();
    let a = f.read("a");
    assert_eq!(a["status"], "submitted");
    assert_eq!(a["updated_at"], "2026-11-28T12:00:30.000Z");
    assert_eq!(
        a["regions"][0]["shape"],
        json!({"type": "rectangle", "points": [[1.0, 2.0], [30.0, 20.0]]})
    );
    assert_eq!(f.read("b")["status"], "in_progress");
    drop(s);

    let (s, _) = f.open();
    assert_eq!(s.task().id, "b", "resumes at the task last open");
    assert_eq!(s.annotation().regions.len(), 1);
    assert_eq!(
        s.statuses(),
        [
            TaskStatus::Submitted,
            TaskStatus::InProgress,
            TaskStatus::New
        ]
    );
}

#[test]
fn submit_is_refused_below_min_regions_and_next_unfinished_wraps() {
    let f = Fixture::new();
    let (mut s, _) = f.open();
    assert_eq!(
        s.submit(t0()),
        Err(SubmitRefused::TooFewRegions { needed: 1, have: 0 })
    );
    assert_eq!(s.status(), TaskStatus::New);
    s.go_to(2, t0()).unwrap();
    add(&mut s, t0());
    s.submit(t0()).unwrap();
    assert_eq!(s.next_unfinished(), Some(0));
    s.skip(Some("  blurry  "), t0()).unwrap();
    s.flush();
    assert_eq!(f.read("c")["skip_reason"], "blurry");
}

#[test]
fn unknown_keys_survive_a_rewrite() {
    let f = Fixture::new();
    let (s, _) = f.open();
    drop(s);
    let file = json!({
        "format": "clickwork-annotation/1",
        "bundle_id": "store-fixture",
        "task_id": "a",
        "image": {"path": "a.png", "width": 64, "height": 48, "checksum": "abc"},
        "status": "in_progress",
        "regions": [{"id": "r1", "label": "sky", "shape": {"type": "point", "points": [[3.0, 4.0]]},
                     "attributes": {"occluded": true}, "reviewer": "ana"}],
        "updated_at": "2026-11-27T10:00:00.000Z",
        "tool_version": "other-tool 2.1"
    });
    std::fs::write(f.annotation_path("a"), serde_json::to_vec(&file).unwrap()).unwrap();
    let (mut s, _) = f.open();
    add(&mut s, t0());
    s.flush();
    let back = f.read("a");
    assert_eq!(back["tool_version"], "other-tool 2.1");
    assert_eq!(back["image"]["checksum"], "abc");
    assert_eq!(back["regions"][0]["reviewer"], "ana");
    assert_eq!(back["regions"][0]["attributes"]["occluded"], true);
    assert_eq!(back["regions"][1]["id"], "r2");
}

#[test]
fn region_ids_are_never_reused_even_after_deleting_the_newest() {
    let f = Fixture::new();
    let (mut s, _) = f.open();
    add(&mut s, t0());
    let second = add(&mut s, t0());
    assert_eq!(second, "r2");
    s.apply(Edit::DeleteRegion { id: second }, t0()).unwrap();
    assert_eq!(add(&mut s, t0()), "r3");
    s.flush();
    drop(s);
    let (mut s, _) = f.open();
    s.apply(Edit::DeleteRegion { id: "r3".into() }, t0())
        .unwrap();
    assert_eq!(
        add(&mut s, t0()),
        "r4",
        "the high-water mark is saved with the task"
    );
}

#[test]
fn a_corrupt_annotation_file_is_set_aside_not_overwritten() {
    let f = Fixture::new();
    let (s, _) = f.open();
    drop(s);
    std::fs::write(f.annotation_path("a"), b"{\"format\": \"clickwork-annot").unwrap();
    let (mut s, _) = f.open();
    let warnings = s.take_warnings();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("a.json") && warnings[0].contains("kept as"),
        "{}",
        warnings[0]
    );
    let kept: Vec<_> = std::fs::read_dir(f.annotation_path("a").parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("a.unreadable-"))
        .collect();
    assert_eq!(kept.len(), 1);
    add(&mut s, t0());
    s.flush();
    assert_eq!(f.read("a")["regions"].as_array().unwrap().len(), 1);
}

#[test]
fn temporary_files_of_writes_a_crash_cut_short_are_removed_at_the_next_opening() {
    let f = Fixture::new();
    let (mut s, _) = f.open();
    add(&mut s, t0());
    s.flush();
    drop(s);
    let annotations = f.annotation_path("a").parent().unwrap().to_owned();
    let workspace = annotations.parent().unwrap().to_owned();
    // What a SIGKILL inside an atomic write leaves: a hidden temporary file beside the real one.
    std::fs::write(annotations.join(".tmp-Ab12Cd.part"), b"{\"half\": ").unwrap();
    std::fs::write(workspace.join(".tmp-Ef34Gh.part"), b"{").unwrap();
    // Not ours: kept.
    std::fs::write(annotations.join(".notes"), b"mine").unwrap();
    let (s, _) = f.open();
    let names = |dir: &Path| -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with('.'))
            .collect();
        names.sort();
        names
    };
    assert_eq!(names(&annotations), [".notes"]);
    assert!(names(&workspace).is_empty(), "{:?}", names(&workspace));
    assert_eq!(
        s.annotation().regions.len(),
        1,
        "the work itself is untouched"
    );
}

/// A valid annotation file of task `a` (64×48) whose one region is `shape`.
fn hand_edited(shape: Value) -> Value {
    json!({
        "format": "clickwork-annotation/1", "bundle_id": "store-fixture", "task_id": "a",
        "image": {"path": "a.png", "width": 64, "height": 48}, "status": "in_progress",
        "regions": [{"id": "r1", "label": "sky", "shape": shape}],
        "updated_at": "2026-11-28T12:00:00.000Z", "last_region_number": 1
    })
}

#[test]
fn absurd_hand_edited_annotation_files_are_set_aside_without_being_loaded() {
    let f = Fixture::new();
    let (s, _) = f.open();
    drop(s);
    // The control: the same file with a sane shape loads as it is.
    let sane = json!({"type": "polygon", "points": [[1, 1], [9, 1], [9, 9]]});
    std::fs::write(f.annotation_path("a"), hand_edited(sane).to_string()).unwrap();
    let (mut s, _) = f.open();
    assert!(s.take_warnings().is_empty());
    assert_eq!(s.annotation().regions.len(), 1);
    drop(s);

    let million: Vec<Value> = (0..1_000_000)
        .map(|i| json!([i % 64, (i / 64) % 48]))
        .collect();
    let huge = "x".repeat(65 << 20);
    let cases: [(&str, Vec<u8>, &str); 3] = [
        (
            "a million vertices",
            hand_edited(json!({"type": "polygon", "points": million}))
                .to_string()
                .into_bytes(),
            "more than the 100000",
        ),
        (
            "an absurd coordinate",
            hand_edited(json!({"type": "point", "points": [[1e300, 2]]}))
                .to_string()
                .into_bytes(),
            "not a finite number",
        ),
        (
            "a 65 MiB file",
            format!("{{\"format\": \"{huge}\"}}").into_bytes(),
            "larger than 64 MiB",
        ),
    ];
    for (what, bytes, says) in cases {
        std::fs::write(f.annotation_path("a"), &bytes).unwrap();
        let (mut s, _) = f.open();
        let warnings = s.take_warnings();
        assert_eq!(warnings.len(), 1, "{what}: {warnings:?}");
        assert!(
            warnings[0].contains("a.json") && warnings[0].contains(says),
            "{what}: {}",
            &warnings[0][..warnings[0].len().min(300)]
        );
        assert!(s.annotation().regions.is_empty(), "{what}: started afresh");
        drop(s);
        let kept: Vec<PathBuf> = std::fs::read_dir(f.annotation_path("a").parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.to_string_lossy().contains("a.unreadable-"))
            .collect();
        assert!(
            kept.iter().any(|p| std::fs::read(p).unwrap() == bytes),
            "{what}: the file is kept as it was"
        );
        for p in kept {
            std::fs::remove_file(p).unwrap();
        }
    }
}

#[test]
fn a_changed_manifest_is_reported_and_work_on_changed_images_set_aside() {
    let f = Fixture::new();
    let (mut s, _) = f.open();
    add(&mut s, t0());
    s.go_to(1, t0()).unwrap();
    add(&mut s, t0());
    s.flush();
    drop(s);

    // The requester points task a at a new, bigger image, drops c and adds d.
    png(&f.root().join("a2.png"), 80, 60);
    png(&f.root().join("d.png"), 64, 48);
    write_bundle(
        &f.root(),
        &[("a", "a2.png"), ("b", "b.png"), ("d", "d.png")],
    );
    let later = t0() + Duration::hours(1);
    let (workspace, report) = Workspace::open(&f.data(), &f.bundle(), later).unwrap();
    let change = report.manifest_change.expect("the change is noticed");
    assert_eq!(change.added, ["d"]);
    assert_eq!(change.removed, ["c"]);
    assert_eq!(change.image_changed, ["a"]);
    assert_eq!(change.set_aside.len(), 1);
    assert!(change.set_aside[0].exists());
    assert!(
        change.describe().contains("started afresh"),
        "{}",
        change.describe()
    );
    assert!(
        !workspace.annotation_path("a").exists(),
        "old regions are not mixed with the new image"
    );
    assert!(
        workspace.annotation_path("b").exists(),
        "work on unchanged tasks stays"
    );
    drop(workspace);

    // Reported once: opening again finds nothing new.
    let (_, report) = Workspace::open(&f.data(), &f.bundle(), later).unwrap();
    assert_eq!(report.manifest_change, None);
}

#[test]
fn an_unwritable_workspace_is_an_error_naming_the_folder() {
    let f = Fixture::new();
    // A file where the data folder should be: creating the workspace fails.
    std::fs::write(f.data(), b"not a folder").unwrap();
    let err = Session::open(f.bundle(), &f.data(), Saver::new(), "worker", t0())
        .unwrap_err()
        .to_string();
    assert!(err.contains("data"), "{err}");
}

#[test]
fn an_image_re_encoded_at_the_same_size_keeps_the_submitted_work_and_says_so() {
    let f = Fixture::new();
    let (mut s, _) = f.open();
    add(&mut s, t0());
    s.submit(t0()).unwrap();
    s.flush();
    drop(s);
    let before = std::fs::read(f.annotation_path("a")).unwrap();

    // The requester recompresses a.png: same path, same 64x48, other bytes.
    let mut noisy = image::RgbImage::from_pixel(64, 48, image::Rgb([90, 140, 200]));
    noisy.put_pixel(3, 3, image::Rgb([1, 2, 3]));
    noisy.save(f.root().join("a.png")).unwrap();
    let later = t0() + Duration::hours(1);
    let (s, report) = Session::open(
        f.bundle(),
        &f.data(),
        Saver::new(),
        &worker_id(&f.data()),
        later,
    )
    .unwrap();
    let change = report.manifest_change.expect("the change is noticed");
    assert_eq!(change.image_reencoded, ["a"]);
    assert!(change.image_changed.is_empty(), "{change:?}");
    assert!(change.set_aside.is_empty(), "{change:?}");
    let text = change.describe();
    assert!(
        text.contains("re-encoded") && text.contains("work kept"),
        "{text}"
    );
    assert_eq!(std::fs::read(f.annotation_path("a")).unwrap(), before);
    assert_eq!(s.statuses()[0], TaskStatus::Submitted);
    drop(s);
    let journal =
        std::fs::read_to_string(f.data().join("work/store-fixture/worklog.jsonl")).unwrap();
    let line = journal
        .lines()
        .find(|l| l.contains("\"image_changed\""))
        .expect("the change is in the work log");
    let event: Value = serde_json::from_str(line).unwrap();
    assert_eq!(event["task_id"], "a");
    assert_eq!(event["kept"], true);

    // Reported once; and a new size still sets the work aside.
    let (_, report) = Workspace::open(&f.data(), &f.bundle(), later).unwrap();
    assert_eq!(report.manifest_change, None);
    png(&f.root().join("a.png"), 80, 60);
    let (_, report) = Workspace::open(&f.data(), &f.bundle(), later).unwrap();
    let change = report.manifest_change.expect("a new size is noticed");
    assert_eq!(change.image_changed, ["a"]);
    assert_eq!(change.set_aside.len(), 1);
}

#[test]
fn statuses_are_remembered_by_file_identity_and_a_changed_file_is_read_again() {
    let f = Fixture::new();
    let (mut s, _) = f.open();
    add(&mut s, t0());
    s.submit(t0() + Duration::seconds(30)).unwrap();
    s.go_to(1, t0()).unwrap();
    add(&mut s, t0() + Duration::seconds(40));
    s.flush();
    drop(s);
    // The opening after the saves reads both files and remembers what they said.
    let (s, _) = f.open();
    assert_eq!(
        s.statuses(),
        [
            TaskStatus::Submitted,
            TaskStatus::InProgress,
            TaskStatus::New
        ]
    );
    drop(s);
    let cache_path = f.data().join("cache/statuses/store-fixture.json");
    let mut cache: Value = serde_json::from_slice(&std::fs::read(&cache_path).unwrap()).unwrap();
    assert_eq!(cache["format"], "clickwork-status-cache/1");
    assert_eq!(cache["tasks"]["a"]["status"], "submitted");
    assert!(
        cache["tasks"].get("c").is_none(),
        "an unsaved task is not remembered"
    );

    // The next opening takes the status from the cache while the file is the one it saw: a cache
    // that says otherwise for an unchanged file is believed (which shows no file was read).
    cache["tasks"]["a"]["status"] = json!("skipped");
    std::fs::write(&cache_path, cache.to_string()).unwrap();
    let (s, _) = f.open();
    assert_eq!(s.statuses()[0], TaskStatus::Skipped);
    drop(s);

    // A file replaced since (as every save does: a new inode) is read again.
    let path = f.annotation_path("a");
    let mut file = f.read("a");
    file["status"] = json!("in_progress");
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, file.to_string()).unwrap();
    std::fs::rename(&tmp, &path).unwrap();
    let (s, _) = f.open();
    assert_eq!(s.statuses()[0], TaskStatus::InProgress);
    drop(s);

    // A cache that cannot be read is only a slower opening.
    std::fs::write(&cache_path, "{ not json").unwrap();
    let (s, _) = f.open();
    assert_eq!(s.statuses()[0], TaskStatus::InProgress);
}
