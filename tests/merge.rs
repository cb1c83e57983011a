//! `clickwork merge` as a process, on packages that real sessions wrote and `clickwork submit`
//! packed: every agreement figure against a value computed by hand.
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
use clickwork::domain::geometry::{Point, Shape, ShapeKind};
use clickwork::domain::session::Session;
use clickwork::domain::store::Saver;
use common::{run, t0, worker_id, write_bundle};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// Bundle `skies`: labels sky and cloud, tasks a, b, c on 200×100 images, 0.05 USD a task; task c
/// is gold (its sky is the top half).
fn bundle(dir: &Path, id: &str) -> PathBuf {
    let root = dir.join(id);
    let manifest = json!({
        "format": "clickwork-bundle/1",
        "id": id,
        "title": "Skies",
        "reward": {"per_task": "0.05", "currency": "USD"},
        "gold_pass_iou": 0.8,
        "labels": [{"name": "sky", "color": "#4a90d9"}, {"name": "cloud", "color": "#dddddd"}],
        "tasks": [
            {"id": "a", "image": "a.png"},
            {"id": "b", "image": "b.png"},
            {"id": "c", "image": "c.png", "gold": {"regions": [
                {"label": "sky", "shape": {"type": "rectangle", "points": [[0, 0], [200, 50]]}}
            ]}}
        ]
    });
    write_bundle(&root, &manifest, (200, 100));
    root
}

fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Shape {
    Shape::rectangle(Point::new(x0, y0), Point::new(x1, y1))
}

/// A square polygon (so that its label is voted on by area, not as a box).
fn square(x0: f64, y0: f64, x1: f64, y1: f64) -> Shape {
    Shape::from_points(
        ShapeKind::Polygon,
        vec![
            Point::new(x0, y0),
            Point::new(x1, y0),
            Point::new(x1, y1),
            Point::new(x0, y1),
        ],
    )
    .unwrap()
}

/// One worker: opens `root` with their own data folder, draws `work` (task → regions) task by
/// task (open, draw at 5 s, submit at 10 s, next task a minute later), and packs `<name>.zip`.
fn worker(dir: &Path, root: &Path, name: &str, work: &[(&str, Vec<(&str, Shape)>)]) -> PathBuf {
    let data = dir.join(format!("{name}-data"));
    let bundle = load_bundle(root, &LoadOptions::new(dir.join("cache"))).unwrap();
    let (mut s, _) = Session::open(bundle, &data, Saver::new(), &worker_id(&data), t0()).unwrap();
    for (n, (task, regions)) in work.iter().enumerate() {
        let index = s.bundle().tasks.iter().position(|t| t.id == *task).unwrap();
        let t = t0() + Duration::seconds(60 * n as i64);
        s.go_to(index, t).unwrap();
        for (label, shape) in regions {
            let region = Region::new(s.new_region_id(), *label, shape.clone());
            s.apply(
                Edit::AddRegion {
                    region,
                    index: None,
                },
                t + Duration::seconds(5),
            )
            .unwrap();
        }
        s.submit(t + Duration::seconds(10)).unwrap();
    }
    s.end(t0() + Duration::seconds(60 * work.len() as i64));
    s.flush();
    drop(s);
    let zip = dir.join(format!("{name}.zip"));
    let (code, _, stderr) = run(
        &[
            "submit",
            root.to_str().unwrap(),
            "--out",
            zip.to_str().unwrap(),
        ],
        &data,
    );
    assert_eq!(code, 0, "{stderr}");
    zip
}

/// Runs `merge` and returns its exit code, output, error and (when it succeeded) agreement.json.
fn merge(dir: &Path, args: &[&str]) -> (i32, String, String, Value) {
    let (code, stdout, stderr) = run(args, &dir.join("requester-data"));
    let out = args
        .iter()
        .position(|a| *a == "--out")
        .map(|i| PathBuf::from(args[i + 1]));
    let agreement = out
        .map(|o| o.join("agreement.json"))
        .filter(|p| p.exists())
        .map(|p| serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap())
        .unwrap_or(Value::Null);
    (code, stdout, stderr, agreement)
}

fn close(value: &Value, expected: f64) -> bool {
    value.as_f64().is_some_and(|v| (v - expected).abs() < 1e-4)
}

fn coco_areas(out: &Path) -> Vec<(String, f64)> {
    let coco: Value = serde_json::from_slice(
        &std::fs::read(out.join("annotations/instances_default.json")).unwrap(),
    )
    .unwrap();
    let names: Vec<(u64, String)> = coco["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_u64().unwrap(),
                c["name"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    coco["annotations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let id = a["category_id"].as_u64().unwrap();
            let name = names.iter().find(|(i, _)| *i == id).unwrap().1.clone();
            (name, a["area"].as_f64().unwrap())
        })
        .collect()
}

#[test]
fn two_identical_workers_agree_perfectly_and_pass_their_gold() {
    let dir = tempfile::tempdir().unwrap();
    let root = bundle(dir.path(), "skies");
    let work = vec![
        (
            "a",
            vec![
                ("sky", square(0.0, 0.0, 200.0, 40.0)),
                ("cloud", square(20.0, 10.0, 60.0, 30.0)),
            ],
        ),
        ("b", vec![("sky", square(0.0, 0.0, 200.0, 60.0))]),
        ("c", vec![("sky", rect(0.0, 0.0, 200.0, 50.0))]),
    ];
    let alice = worker(dir.path(), &root, "alice", &work);
    let bob = worker(dir.path(), &root, "bob", &work);
    let out = dir.path().join("merged");
    let (code, stdout, stderr, a) = merge(
        dir.path(),
        &[
            "merge",
            alice.to_str().unwrap(),
            bob.to_str().unwrap(),
            "--bundle",
            root.to_str().unwrap(),
            "--format",
            "coco",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("merged 3 tasks from 2 workers on bundle skies"),
        "{stdout}"
    );
    assert_eq!(a["format"], "clickwork-agreement/1");
    assert_eq!(a["krippendorff_alpha"], json!(1.0), "{a:#}");
    assert_eq!(
        a["krippendorff_units"], 4,
        "a's sky and cloud, b's and c's sky"
    );
    for label in a["labels"].as_array().unwrap() {
        assert!(close(&label["iou"]["mean"], 1.0), "{label}");
        assert!(close(&label["dice"]["mean"], 1.0), "{label}");
        assert!(close(&label["iou"]["sd"], 0.0), "{label}");
    }
    for w in a["workers"].as_array().unwrap() {
        assert_eq!(w["tasks_done"], 3);
        assert!(close(&w["agreement_with_consensus"], 1.0), "{w}");
        assert_eq!(
            (w["regions"].clone(), w["regions_lost"].clone()),
            (json!(4), json!(0))
        );
        assert_eq!(w["gold"]["scored"], 1);
        assert_eq!(w["gold"]["passed"], 1);
        // Each task is open 10 s, all of it active.
        assert!(close(&w["median_task_secs"], 10.0), "{w}");
        assert_eq!(w["effective_wage"][0]["currency"], "USD");
        assert_eq!(w["effective_wage"][0]["earned"], "0.15");
    }
    let task_a = &a["tasks"][0];
    assert_eq!(task_a["task_id"], "a");
    assert_eq!(task_a["objects"].as_array().unwrap().len(), 2);
    assert!(close(&task_a["objects"][0]["vote_share"], 1.0));
    // The consensus is what both drew: the dataset has their areas exactly.
    let mut areas = coco_areas(&out);
    areas.sort_by(|x, y| x.1.total_cmp(&y.1));
    assert_eq!(
        areas,
        vec![
            ("cloud".to_owned(), 800.0),
            ("sky".to_owned(), 8000.0),
            ("sky".to_owned(), 10000.0),
            ("sky".to_owned(), 12000.0)
        ]
    );
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        report.contains("| alice | 3 | 4 | 4 | 0 | 1.000 | 1/1 (IoU 1.00) | 10.0 |"),
        "{report}"
    );
}

#[test]
fn a_worker_off_by_a_known_shift_has_the_known_iou_and_dice() {
    let dir = tempfile::tempdir().unwrap();
    let root = bundle(dir.path(), "skies");
    let alice = worker(
        dir.path(),
        &root,
        "alice",
        &[("a", vec![("sky", square(0.0, 0.0, 100.0, 50.0))])],
    );
    // Shifted by half its width: overlap 50 × 50, union 150 × 50, IoU 1/3, Dice 1/2.
    let bob = worker(
        dir.path(),
        &root,
        "bob",
        &[("a", vec![("sky", square(50.0, 0.0, 150.0, 50.0))])],
    );
    let out = dir.path().join("merged");
    let (code, _, stderr, a) = merge(
        dir.path(),
        &[
            "merge",
            alice.to_str().unwrap(),
            bob.to_str().unwrap(),
            "--format",
            "coco",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let pair = &a["tasks"][0]["labels"][0]["pairs"][0];
    assert_eq!(
        (pair["a"].clone(), pair["b"].clone()),
        (json!("alice"), json!("bob"))
    );
    assert!(close(&pair["iou"], 1.0 / 3.0), "{pair}");
    assert!(close(&pair["dice"], 0.5), "{pair}");
    // Not the same object at IoU 1/3: two objects, each drawn by half the workers.
    let objects = a["tasks"][0]["objects"].as_array().unwrap();
    assert_eq!(objects.len(), 2);
    assert!(
        objects
            .iter()
            .all(|o| close(&o["vote_share"], 0.5) && o["majority"] == false)
    );
    assert_eq!(
        a["krippendorff_alpha"],
        Value::Null,
        "no region has two labels to compare"
    );
    // Two workers: the majority is where both drew, the 50 × 50 overlap; each covers twice it.
    assert_eq!(coco_areas(&out), vec![("sky".to_owned(), 2500.0)]);
    for w in a["workers"].as_array().unwrap() {
        assert!(close(&w["agreement_with_consensus"], 0.5), "{w}");
        assert_eq!(
            w["regions_contributed"], 1,
            "IoU 0.5 with the consensus is a match: {w}"
        );
    }
}

/// Worker 0 outlines the sky exactly; workers 1 and 2 each spill over a large stretch of their
/// own, and both over the same small stretch beside the sky. A majority vote takes that shared
/// stretch; STAPLE learns from the spills that 1 and 2 mark much that is not sky, and does not.
#[test]
fn staple_recovers_the_sky_where_the_majority_takes_a_shared_spill() {
    let dir = tempfile::tempdir().unwrap();
    let root = bundle(dir.path(), "skies");
    let object = square(0.0, 0.0, 40.0, 25.0); // 1000 px
    let shared = rect(40.0, 0.0, 50.0, 10.0); // 100 px
    let careful = worker(
        dir.path(),
        &root,
        "careful",
        &[("a", vec![("sky", object.clone())])],
    );
    let sloppy1 = worker(
        dir.path(),
        &root,
        "sloppy1",
        &[(
            "a",
            vec![
                ("sky", object.clone()),
                ("sky", shared.clone()),
                ("sky", square(0.0, 50.0, 100.0, 80.0)),
            ],
        )],
    );
    let sloppy2 = worker(
        dir.path(),
        &root,
        "sloppy2",
        &[(
            "a",
            vec![
                ("sky", object.clone()),
                ("sky", shared.clone()),
                ("sky", square(100.0, 50.0, 200.0, 80.0)),
            ],
        )],
    );
    let inputs = [&careful, &sloppy1, &sloppy2].map(|p| p.to_str().unwrap().to_owned());
    let run_with = |consensus: &str| {
        let out = dir.path().join(consensus);
        let mut args = vec!["merge"];
        args.extend(inputs.iter().map(String::as_str));
        args.extend(["--bundle", root.to_str().unwrap(), "--format", "coco"]);
        args.extend(["--consensus", consensus, "--out", out.to_str().unwrap()]);
        let (code, _, stderr, a) = merge(dir.path(), &args);
        assert_eq!(code, 0, "{stderr}");
        (coco_areas(&out), a)
    };
    let (majority, _) = run_with("majority");
    assert_eq!(
        majority,
        vec![("sky".to_owned(), 1100.0)],
        "the shared stretch is in"
    );
    let (staple, a) = run_with("staple");
    assert_eq!(staple, vec![("sky".to_owned(), 1000.0)], "only the sky");
    let rates: Vec<(f64, f64)> = a["workers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            let s = &w["staple"]["sky"];
            (
                s["sensitivity"].as_f64().unwrap(),
                s["specificity"].as_f64().unwrap(),
            )
        })
        .collect();
    // Outside the sky: 20,000 − 1,000 px; a sloppy worker marks 100 + 3,000 of them.
    let spec = 1.0 - 3100.0 / 19_000.0;
    assert!(
        (rates[0].0 - 1.0).abs() < 1e-4 && (rates[0].1 - 1.0).abs() < 1e-4,
        "{rates:?}"
    );
    for r in &rates[1..] {
        assert!(
            (r.0 - 1.0).abs() < 1e-4 && (r.1 - spec).abs() < 1e-4,
            "{rates:?}"
        );
    }
    assert_eq!(a["consensus"], "staple");
}

#[test]
fn tampered_repeated_and_mixed_packages_are_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let root = bundle(dir.path(), "skies");
    let other = bundle(dir.path(), "forests");
    let work = [("a", vec![("sky", square(0.0, 0.0, 100.0, 50.0))])];
    let alice = worker(dir.path(), &root, "alice", &work);
    let tampered = dir.path().join("mallory.zip");
    common::work::tampered_copy(&alice, &tampered, "annotations/a.json", "100.0", "120.0");
    let stranger = worker(dir.path(), &other, "stranger", &work);
    let out = dir.path().join("merged");
    let o = out.to_str().unwrap();
    let (a, t, s) = (
        alice.to_str().unwrap(),
        tampered.to_str().unwrap(),
        stranger.to_str().unwrap(),
    );

    let (code, _, stderr, _) = merge(dir.path(), &["merge", a, t, "--format", "coco", "--out", o]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("mallory.zip: annotations/a.json is not what was packed"),
        "{stderr}"
    );
    let (code, _, stderr, _) = merge(dir.path(), &["merge", a, s, "--format", "coco", "--out", o]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("stranger.zip is work on bundle \"forests\"")
            && stderr.contains("\"skies\""),
        "{stderr}"
    );
    let r = root.to_str().unwrap();
    let (code, _, stderr, _) = merge(
        dir.path(),
        &["merge", s, "--bundle", r, "--format", "coco", "--out", o],
    );
    assert_eq!(code, 1);
    assert!(
        stderr.contains("not on \"skies\" (given with --bundle)"),
        "{stderr}"
    );
    let copy = dir.path().join("alice-again.zip");
    std::fs::copy(&alice, &copy).unwrap();
    let (code, _, stderr, _) = merge(
        dir.path(),
        &[
            "merge",
            a,
            copy.to_str().unwrap(),
            "--format",
            "coco",
            "--out",
            o,
        ],
    );
    assert_eq!(code, 1);
    assert!(stderr.contains("is the same package as"), "{stderr}");
    assert!(!out.exists(), "nothing was written");

    // A folder of packages is every zip in it; the output may not be inside it.
    let folder = dir.path().join("inbox");
    std::fs::create_dir(&folder).unwrap();
    std::fs::copy(&alice, folder.join("alice.zip")).unwrap();
    let inside = folder.join("merged");
    let (code, _, stderr, _) = merge(
        dir.path(),
        &[
            "merge",
            folder.to_str().unwrap(),
            "--format",
            "yolo",
            "--out",
            inside.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 2, "{stderr}");
    let (code, stdout, stderr, a) = merge(
        dir.path(),
        &[
            "merge",
            folder.to_str().unwrap(),
            "--format",
            "yolo",
            "--out",
            o,
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("from 1 workers"), "{stdout}");
    assert_eq!(a["workers"][0]["worker"], "alice");
    assert!(out.join("report.md").exists() && out.join("data.yaml").exists());
}
