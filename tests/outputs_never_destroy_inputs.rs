//! No output ever destroys an input: every command that writes (export, convert, submit, worklog
//! export) refuses an output that is, contains or lies inside the data folder, the bundle or the
//! conversion's input, and `--force` replaces only what clickwork wrote before. Each test runs the real
//! binary on a small bundle of its own, with real work in a data folder, and checks that every byte of
//! the inputs is still there.
// Tests stop at the line that failed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(clippy::print_stdout, clippy::print_stderr, missing_docs)]

mod common;

use common::{run, tree, write_bundle};
use serde_json::json;
use std::path::{Path, PathBuf};

const BUNDLE_ID: &str = "guard";

/// A two-task bundle under `root/bundle`, and a data folder under `root/data` where task `a` is
/// submitted with one box and the work log has a line.
fn bundle_and_work(root: &Path) -> (PathBuf, PathBuf) {
    let bundle = root.join("bundle");
    write_bundle(
        &bundle,
        &json!({
            "format": "clickwork-bundle/1",
            "id": BUNDLE_ID,
            "title": "Guard",
            "labels": [{"name": "sky", "color": "#4a90d9"}],
            "tasks": [{"id": "a", "image": "images/a.png"}, {"id": "b", "image": "images/b.png"}]
        }),
        (40, 30),
    );
    let data = root.join("data");
    let work = data.join("work").join(BUNDLE_ID);
    std::fs::create_dir_all(work.join("annotations")).unwrap();
    let annotation = json!({
        "format": "clickwork-annotation/1",
        "bundle_id": BUNDLE_ID,
        "task_id": "a",
        "image": {"path": "images/a.png", "width": 40, "height": 30},
        "status": "submitted",
        "regions": [{"id": "r1", "label": "sky", "shape": {"type": "rectangle", "points": [[1.0, 1.0], [20.0, 10.0]]}, "attributes": {}}],
        "updated_at": "2026-11-28T16:05:12.345Z",
        "last_region_number": 1
    });
    std::fs::write(
        work.join("annotations/a.json"),
        serde_json::to_vec_pretty(&annotation).unwrap(),
    )
    .unwrap();
    std::fs::write(
        work.join("worklog.jsonl"),
        "{\"kind\":\"session_start\",\"at\":\"2026-11-28T16:00:00.000Z\",\"mono_ms\":0,\"session_id\":\"s1\",\"format\":\"clickwork-worklog/1\",\"app_version\":\"0.1.0\",\"worker_id\":\"w\",\"bundle_id\":\"guard\"}\n",
    )
    .unwrap();
    (bundle, data)
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn export_force_into_the_data_folder_or_the_bundle_is_refused_and_deletes_nothing() {
    let root = tempfile::tempdir().unwrap();
    let (bundle, data) = bundle_and_work(root.path());
    let before_data = tree(&data);
    let before_bundle = tree(&bundle);
    let targets = [
        data.join("work"),
        data.join("work").join(BUNDLE_ID),
        data.clone(),
        bundle.join("images"),
        bundle.clone(),
        root.path().to_owned(),
        bundle.join("images/new-export"),
    ];
    for out in &targets {
        let (code, stdout, stderr) = run(
            &[
                "export",
                s(&bundle),
                "--format",
                "coco",
                "--out",
                s(out),
                "--force",
            ],
            &data,
        );
        assert_eq!(code, 2, "{}: {stdout}{stderr}", out.display());
        assert!(
            stderr.contains("the data folder") || stderr.contains("the bundle"),
            "{}: {stderr}",
            out.display()
        );
        assert_eq!(tree(&data), before_data, "{}", out.display());
        assert_eq!(tree(&bundle), before_bundle, "{}", out.display());
    }
}

#[test]
fn export_force_replaces_an_earlier_export_but_never_a_folder_of_other_files() {
    let root = tempfile::tempdir().unwrap();
    let (bundle, data) = bundle_and_work(root.path());
    let out = root.path().join("export");
    let args = ["export", s(&bundle), "--format", "yolo", "--out", s(&out)];
    assert_eq!(run(&args, &data).0, 0);
    assert!(out.join(".clickwork-output").is_file());
    let mut forced = args.to_vec();
    forced.push("--force");
    let (code, _, stderr) = run(&forced, &data);
    assert_eq!(code, 0, "{stderr}");

    let photos = root.path().join("photos");
    std::fs::create_dir(&photos).unwrap();
    std::fs::write(photos.join("holiday.jpg"), b"not ours").unwrap();
    let (code, _, stderr) = run(
        &[
            "export",
            s(&bundle),
            "--format",
            "yolo",
            "--out",
            s(&photos),
            "--force",
        ],
        &data,
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("did not write"), "{stderr}");
    assert_eq!(
        std::fs::read(photos.join("holiday.jpg")).unwrap(),
        b"not ours"
    );
}

#[test]
fn convert_force_into_its_own_input_is_refused_and_deletes_nothing() {
    let root = tempfile::tempdir().unwrap();
    let (bundle, data) = bundle_and_work(root.path());
    let ds = root.path().join("ds");
    let (code, _, stderr) = run(
        &[
            "export",
            s(&bundle),
            "--format",
            "yolo",
            "--out",
            s(&ds),
            "--copy-images",
        ],
        &data,
    );
    assert_eq!(code, 0, "{stderr}");
    let before = tree(&ds);
    assert!(before.keys().any(|p| p.starts_with("images")), "{before:?}");
    for out in [ds.join("images"), ds.clone(), ds.join("labels/new")] {
        let (code, stdout, stderr) = run(
            &[
                "convert",
                "--from",
                "yolo",
                "--to",
                "coco",
                s(&ds),
                s(&out),
                "--force",
            ],
            &data,
        );
        assert_eq!(code, 2, "{}: {stdout}{stderr}", out.display());
        assert!(stderr.contains("the input"), "{stderr}");
        // The refusal comes before the work: no notes were printed.
        assert!(stdout.is_empty(), "{stdout}");
        assert_eq!(tree(&ds), before, "{}", out.display());
    }
    // Images of a COCO file live beside it; writing over their folder is refused too.
    let coco = root.path().join("coco");
    assert_eq!(
        run(
            &[
                "convert",
                "--from",
                "yolo",
                "--to",
                "coco",
                s(&ds),
                s(&coco),
                "--copy-images",
            ],
            &data,
        )
        .0,
        0
    );
    let json = coco.join("annotations/instances_default.json");
    let (code, _, stderr) = run(
        &[
            "convert",
            "--from",
            "coco",
            "--to",
            "yolo",
            s(&json),
            s(&coco.join("images/default")),
        ],
        &data,
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(coco.join("images/default/a.png").is_file(), "{stderr}");
}

#[test]
fn worklog_export_and_submit_never_overwrite_the_work_log() {
    let root = tempfile::tempdir().unwrap();
    let (bundle, data) = bundle_and_work(root.path());
    let journal = data.join("work").join(BUNDLE_ID).join("worklog.jsonl");
    let before = tree(&data);
    let (code, _, stderr) = run(
        &[
            "worklog",
            "export",
            s(&bundle),
            "--format",
            "jsonl",
            "--out",
            s(&journal),
        ],
        &data,
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("the data folder"), "{stderr}");
    let (code, _, stderr) = run(
        &["submit", s(&bundle), "--out", s(&journal), "--force"],
        &data,
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("the data folder"), "{stderr}");
    let (code, _, stderr) = run(
        &["submit", s(&bundle), "--out", s(&bundle.join("work.zip"))],
        &data,
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("the bundle"), "{stderr}");
    assert_eq!(tree(&data), before);
}

#[test]
fn file_outputs_replace_only_their_own_earlier_output() {
    let root = tempfile::tempdir().unwrap();
    let (bundle, data) = bundle_and_work(root.path());
    let notes = root.path().join("notes.csv");
    std::fs::write(&notes, "my,own,notes\n").unwrap();
    let (code, _, stderr) = run(
        &[
            "worklog",
            "export",
            s(&bundle),
            "--format",
            "csv",
            "--out",
            s(&notes),
        ],
        &data,
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("is not a work-log export"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), "my,own,notes\n");

    let rows = root.path().join("tasks.csv");
    let export = [
        "worklog",
        "export",
        s(&bundle),
        "--format",
        "csv",
        "--out",
        s(&rows),
    ];
    assert_eq!(run(&export, &data).0, 0);
    let (code, _, stderr) = run(&export, &data);
    assert_eq!(code, 0, "an earlier export is replaced: {stderr}");

    let zip = root.path().join("work.zip");
    let submit = ["submit", s(&bundle), "--out", s(&zip), "--force"];
    assert_eq!(run(&submit, &data).0, 0);
    assert_eq!(
        run(&submit, &data).0,
        0,
        "an earlier submission is replaced"
    );
    let (code, _, stderr) = run(
        &["submit", s(&bundle), "--out", s(&notes), "--force"],
        &data,
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("is not a clickwork submission zip"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), "my,own,notes\n");
}

#[test]
fn submit_out_names_a_zip_file_and_a_folder_is_refused_with_why() {
    let root = tempfile::tempdir().unwrap();
    let (bundle, data) = bundle_and_work(root.path());
    let folder = root.path().join("handins");
    std::fs::create_dir(&folder).unwrap();
    for force in [false, true] {
        let mut args = vec!["submit", s(&bundle), "--out", s(&folder)];
        if force {
            args.push("--force");
        }
        let (code, _, stderr) = run(&args, &data);
        assert_eq!(code, 2, "{stderr}");
        assert!(
            stderr.contains("is a folder; --out names the zip file to write"),
            "{stderr}"
        );
    }
    assert_eq!(std::fs::read_dir(&folder).unwrap().count(), 0);
}

/// Unmounts the tiny file system when the test ends, however it ends.
struct Mounted(PathBuf);

impl Drop for Mounted {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

/// A full disk is an I/O error (exit 1, the file named), not a usage error, and leaves no half
/// export. Needs a 64 KiB tmpfs: run as root where mounting is allowed (CI is); elsewhere it says
/// so and checks nothing.
#[test]
fn export_to_a_full_disk_exits_1_naming_the_file_and_leaves_no_half_export() {
    let dir = tempfile::tempdir().unwrap();
    let tiny = dir.path().join("tiny");
    std::fs::create_dir_all(&tiny).unwrap();
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=64k", "tmpfs"])
        .arg(&tiny)
        .output()
        .is_ok_and(|o| o.status.success());
    if !mounted {
        eprintln!("skipped: cannot mount a tmpfs here (not root, or no permission)");
        return;
    }
    let _unmount = Mounted(tiny.clone());
    let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/sample_tasks/landscapes");
    let out = tiny.join("labels");
    let data = dir.path().join("data");
    let (code, _, stderr) = run(
        &[
            "export",
            sample,
            "--format",
            "all",
            "--status",
            "all",
            "--copy-images",
            "--out",
            s(&out),
        ],
        &data,
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains(s(&tiny)),
        "the message names the file: {stderr}"
    );
    assert!(stderr.contains("No space left"), "{stderr}");
    assert!(!out.exists(), "half an export was left at --out");
}
