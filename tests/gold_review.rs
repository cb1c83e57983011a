//! Gold tasks from end to end, as processes on a copy of the sample bundle: the requester marks two
//! tasks gold, `bundle split` mixes them into every worker bundle as plain tasks, a worker draws
//! one right and one off by a known shift and submits, `review gold` scores them into a review
//! file the worker's `review import` takes; a package changed after it was made is refused.
// Tests stop at the line that failed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(clippy::print_stdout, clippy::print_stderr, missing_docs)]

mod common;

use chrono::Duration;
use clickwork::domain::annotation::Region;
use clickwork::domain::bundle::{LoadOptions, load_bundle};
use clickwork::domain::edit::Edit;
use clickwork::domain::geometry::{Point, Shape};
use clickwork::domain::session::Session;
use clickwork::domain::store::Saver;
use common::{run, t0, worker_id};
use serde_json::{Value, json};
use std::path::Path;

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/sample_tasks/landscapes");

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn rect(label: &str, x0: f64, y0: f64, x1: f64, y1: f64) -> Value {
    json!({"label": label, "shape": {"type": "rectangle", "points": [[x0, y0], [x1, y1]]}})
}

/// The sample with `china` and `bridge` made gold, and a pass mark of 0.6.
fn master(dir: &Path) -> std::path::PathBuf {
    let root = dir.join("master");
    copy_dir(Path::new(SAMPLE), &root);
    let path = root.join("bundle.json");
    let mut m: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    m["gold_pass_iou"] = json!(0.6);
    for task in m["tasks"].as_array_mut().unwrap() {
        match task["id"].as_str().unwrap() {
            "china" => task["gold"] = json!({"regions": [rect("sky", 0.0, 0.0, 640.0, 150.0)]}),
            "bridge" => task["gold"] = json!({"regions": [rect("sky", 0.0, 0.0, 100.0, 100.0)]}),
            _ => {}
        }
    }
    std::fs::write(&path, serde_json::to_vec_pretty(&m).unwrap()).unwrap();
    root
}

/// Draws `shape` as the task's one region and submits it.
fn draw_and_submit(s: &mut Session, task: &str, shape: Shape, at: i64) {
    let index = s.bundle().tasks.iter().position(|t| t.id == task).unwrap();
    let t = t0() + Duration::seconds(at);
    s.go_to(index, t).unwrap();
    let region = Region::new(s.new_region_id(), "sky", shape);
    s.apply(
        Edit::AddRegion {
            region,
            index: None,
        },
        t + Duration::seconds(5),
    )
    .unwrap();
    s.submit(t + Duration::seconds(10)).unwrap();
}

#[test]
fn gold_tasks_go_out_plain_and_come_back_scored_into_the_workers_review() {
    let dir = tempfile::tempdir().unwrap();
    let requester = dir.path().join("requester-data");
    let master = master(dir.path());
    let (code, stdout, stderr) = run(&["validate", master.to_str().unwrap()], &requester);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("2 tasks (pass at a mean IoU of 0.60)"),
        "{stdout}"
    );

    // Four plain tasks dealt two to a bundle, and both gold tasks mixed into each.
    let parts = dir.path().join("parts");
    let (code, stdout, stderr) = run(
        &[
            "bundle",
            "split",
            master.to_str().unwrap(),
            "--tasks-per-bundle",
            "2",
            "--gold-per-bundle",
            "2",
            "--seed",
            "3",
            "--out",
            parts.to_str().unwrap(),
        ],
        &requester,
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("2 worker bundles of 2 tasks (and 2 gold)"),
        "{stdout}"
    );
    let part = parts.join("part1");
    let part = if part.exists() {
        part
    } else {
        parts.join("part01")
    };
    let text = std::fs::read_to_string(part.join("bundle.json")).unwrap();
    assert!(
        !text.contains("gold"),
        "a worker bundle says nothing of gold:\n{text}"
    );
    let bundle = load_bundle(&part, &LoadOptions::new(dir.path().join("cache"))).unwrap();
    assert_eq!(bundle.tasks.len(), 4);
    assert!(bundle.tasks.iter().all(|t| t.gold.is_none()));

    // The worker: the sky of china right, bridge's square shifted by half its side (IoU 1/3).
    let worker = dir.path().join("worker-data");
    let (mut s, _) =
        Session::open(bundle, &worker, Saver::new(), &worker_id(&worker), t0()).unwrap();
    let shape = |x0, y0, x1, y1| Shape::rectangle(Point::new(x0, y0), Point::new(x1, y1));
    draw_and_submit(&mut s, "china", shape(0.0, 0.0, 640.0, 150.0), 0);
    draw_and_submit(&mut s, "bridge", shape(50.0, 0.0, 150.0, 100.0), 60);
    s.end(t0() + Duration::seconds(200));
    s.flush();
    drop(s);
    let zip = dir.path().join("work.zip");
    let (code, _, stderr) = run(
        &[
            "submit",
            part.to_str().unwrap(),
            "--out",
            zip.to_str().unwrap(),
        ],
        &worker,
    );
    assert_eq!(code, 0, "{stderr}");

    // The requester scores it.
    let review = dir.path().join("review.csv");
    let (code, stdout, stderr) = run(
        &[
            "review",
            "gold",
            master.to_str().unwrap(),
            zip.to_str().unwrap(),
            "--out",
            review.to_str().unwrap(),
        ],
        &requester,
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("2 gold tasks scored, 1 passed"), "{stdout}");
    let csv = std::fs::read_to_string(&review).unwrap();
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows[0], "task_id,status,reason");
    let china = rows.iter().find(|r| r.starts_with("china,")).unwrap();
    let bridge = rows.iter().find(|r| r.starts_with("bridge,")).unwrap();
    assert!(
        china.starts_with("china,approved,") && china.contains("sky 1.00"),
        "{china}"
    );
    assert!(
        bridge.starts_with("bridge,rejected,") && bridge.contains("0.33 is below the 0.60"),
        "{bridge}"
    );

    // The worker takes the review: their earnings follow it.
    let (code, _, stderr) = run(
        &[
            "review",
            "import",
            part.to_str().unwrap(),
            review.to_str().unwrap(),
        ],
        &worker,
    );
    assert_eq!(code, 0, "{stderr}");
    let (code, stdout, _) = run(
        &["report", part.to_str().unwrap(), "--format", "json"],
        &worker,
    );
    assert_eq!(code, 0);
    assert!(stdout.contains("rejected"), "{stdout}");

    // A package changed after it was made (a region moved) is refused, naming the entry.
    let tampered = dir.path().join("tampered.zip");
    common::work::tampered_copy(&zip, &tampered, "annotations/bridge.json", "50.0", "0.0");
    let (code, _, stderr) = run(
        &[
            "review",
            "gold",
            master.to_str().unwrap(),
            tampered.to_str().unwrap(),
            "--out",
            dir.path().join("r2.csv").to_str().unwrap(),
        ],
        &requester,
    );
    assert_eq!(code, 1);
    assert!(
        stderr.contains("annotations/bridge.json") && stderr.contains("changed after"),
        "{stderr}"
    );
    // And the work on another bundle is not scored against this one.
    let (code, _, stderr) = run(
        &[
            "review",
            "gold",
            SAMPLE,
            zip.to_str().unwrap(),
            "--out",
            dir.path().join("r3.csv").to_str().unwrap(),
        ],
        &requester,
    );
    assert_eq!(code, 1, "{stderr}");
}

#[test]
fn a_gold_truth_is_checked_like_any_region() {
    let dir = tempfile::tempdir().unwrap();
    let root = master(dir.path());
    let path = root.join("bundle.json");
    let mut m: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    m["gold_pass_iou"] = json!(1.5);
    m["tasks"][0]["gold"] = json!({"regions": [rect("lava", 0.0, 0.0, 10.0, 10.0)]});
    m["tasks"][1]["gold"] = json!([1, 2]);
    m["tasks"][2]["gold"] = json!({"regions": [], "answer": "sky"});
    std::fs::write(&path, serde_json::to_vec_pretty(&m).unwrap()).unwrap();
    let (code, _, stderr) = run(&["validate", root.to_str().unwrap()], &dir.path().join("d"));
    assert_eq!(code, 1);
    for expected in [
        "gold_pass_iou: must be a number above 0 and at most 1",
        "tasks[0].gold.regions[0]",
        "lava",
        "tasks[2].gold.answer: unknown key \"answer\" in a gold truth",
        "tasks[1].gold: must be an object like {\"regions\": [...]} or {\"coco\": \"gold/instances.json\"}, found a list",
    ] {
        assert!(stderr.contains(expected), "{expected:?} not in:\n{stderr}");
    }
}

#[test]
fn a_gold_truth_from_a_coco_file_stays_with_the_requester() {
    let dir = tempfile::tempdir().unwrap();
    let requester = dir.path().join("requester-data");
    let master = master(dir.path());
    std::fs::create_dir_all(master.join("gold")).unwrap();
    let coco = json!({
        "images": [{"id": 1, "file_name": "sklearn_china_by_danielbuechele.jpg", "width": 640, "height": 427}],
        "categories": [{"id": 1, "name": "sky"}],
        "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 640, 150],
                         "area": 96000, "iscrowd": 0}]
    });
    std::fs::write(master.join("gold/instances.json"), coco.to_string()).unwrap();
    let path = master.join("bundle.json");
    let mut m: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let china = m["tasks"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|t| t["id"] == "china")
        .unwrap();
    china["gold"] = json!({"coco": "gold/instances.json"});
    std::fs::write(&path, serde_json::to_vec_pretty(&m).unwrap()).unwrap();
    let (code, _, stderr) = run(&["validate", master.to_str().unwrap()], &requester);
    assert_eq!(code, 0, "{stderr}");
    let loaded = load_bundle(&master, &LoadOptions::new(dir.path().join("cache"))).unwrap();
    let truth = loaded.tasks.iter().find(|t| t.id == "china").unwrap();
    assert_eq!(truth.gold.as_ref().unwrap().len(), 1);

    // The truth file does not travel with the worker bundles.
    let parts = dir.path().join("parts");
    let (code, _, stderr) = run(
        &[
            "bundle",
            "split",
            master.to_str().unwrap(),
            "--tasks-per-bundle",
            "4",
            "--gold-per-bundle",
            "1",
            "--seed",
            "1",
            "--out",
            parts.to_str().unwrap(),
        ],
        &requester,
    );
    assert_eq!(code, 0, "{stderr}");
    let part = parts.join("part01");
    assert!(part.join("LICENSES.md").is_file());
    assert!(
        !part.join("gold").exists(),
        "the truth went out with the worker bundle"
    );

    // A truth file that a task's prefill also uses would hand the answer out: refused.
    let china = m["tasks"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|t| t["id"] == "china")
        .unwrap();
    china["prefill"] = json!({"coco": "gold/instances.json"});
    std::fs::write(&path, serde_json::to_vec_pretty(&m).unwrap()).unwrap();
    let (code, _, stderr) = run(&["validate", master.to_str().unwrap()], &requester);
    assert_eq!(code, 0, "{stderr}");
    let (code, _, stderr) = run(
        &[
            "bundle",
            "split",
            master.to_str().unwrap(),
            "--tasks-per-bundle",
            "4",
            "--out",
            dir.path().join("p2").to_str().unwrap(),
        ],
        &requester,
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("both a gold truth and a prefill file"),
        "{stderr}"
    );
    assert!(!dir.path().join("p2").exists());
}
