//! `clickwork worklog export` through the real binary, on a work log built from synthetic events: one
//! row per task with the documented columns, in CSV and in JSON lines.
// Tests stop at the line that failed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(clippy::print_stdout, clippy::print_stderr, missing_docs)]

mod common;

use common::{abc_manifest, ev, t0};

use chrono::Duration;
use clickwork::domain::worklog::{EventKind, InputCounts, JournalFile};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::PathBuf;

bundle_fixture!(Fixture);

impl Fixture {
    /// Tasks a, b, c; a worked with gaps of 20, 2, 3 (a burst of input), 25, 160 and 250 s, then
    /// submitted; b skipped; c never opened.
    fn new() -> Self {
        let base = common::BundleDir::new();
        let root = base.root();
        let manifest = abc_manifest(
            "export-fixture",
            "Export fixture",
            json!({"reward": {"per_task": "0.012", "currency": "USD"}}),
        );
        common::write_bundle(&root, &manifest, (8, 8));
        let f = Fixture { base };
        let region = |secs, vertices| {
            ev(
                secs,
                Some("a"),
                EventKind::RegionCreated {
                    region_id: format!("r{secs}"),
                    label: "sky".into(),
                    shape: "polygon".into(),
                    vertices,
                    drawing_ms: Some(4_000),
                },
            )
        };
        let events = [
            ev(
                0,
                None,
                EventKind::SessionStart {
                    format: "clickwork-worklog/1".into(),
                    app_version: "0.1.0".into(),
                    worker_id: "feedfacefeedfacefeedfacefeedface".into(),
                    bundle_id: "export-fixture".into(),
                    os: "linux".into(),
                },
            ),
            ev(0, Some("a"), EventKind::InstructionsShown),
            ev(
                0,
                Some("a"),
                EventKind::TaskOpened {
                    status: "new".into(),
                    regions: 0,
                },
            ),
            ev(20, Some("a"), EventKind::InstructionsHidden),
            ev(
                25,
                Some("a"),
                EventKind::Input {
                    first_at: t0() + Duration::seconds(22),
                    first_mono_ms: 22_000,
                    counts: InputCounts {
                        presses: 3,
                        keys: 2,
                        ..InputCounts::default()
                    },
                },
            ),
            region(50, 5),
            region(210, 4),
            ev(
                210,
                Some("a"),
                EventKind::Undo {
                    edit: "add region".into(),
                    region_id: "r210".into(),
                },
            ),
            region(460, 3),
            ev(
                460,
                Some("a"),
                EventKind::TaskSubmitted {
                    regions: 2,
                    reward: Some(Decimal::new(12, 3)),
                    currency: Some("USD".into()),
                },
            ),
            ev(
                460,
                Some("b"),
                EventKind::TaskOpened {
                    status: "new".into(),
                    regions: 0,
                },
            ),
            ev(
                470,
                Some("b"),
                EventKind::TaskSkipped {
                    reason: Some("blurry, sorry".into()),
                },
            ),
            ev(470, None, EventKind::SessionEnd),
        ];
        let mut journal = JournalFile::new(f.data().join("work/export-fixture/worklog.jsonl"));
        for event in &events {
            journal.append(event, false).unwrap();
        }
        f
    }

    fn root(&self) -> String {
        self.base.root().display().to_string()
    }

    fn out(&self, name: &str) -> PathBuf {
        self.path(name)
    }

    fn run(&self, args: &[&str]) -> (i32, String, String) {
        common::run(args, &self.data())
    }
}

fn csv_rows(path: &PathBuf) -> Vec<HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_owned(), v.to_owned()))
                .collect()
        })
        .collect()
}

#[test]
fn csv_has_one_row_per_task_with_times_at_every_threshold() {
    let f = Fixture::new();
    let out = f.out("tasks.csv");
    let (code, _, stderr) = f.run(&[
        "worklog",
        "export",
        &f.root(),
        "--format",
        "csv",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("wrote 3 task rows"), "{stderr}");
    let text = std::fs::read_to_string(&out).unwrap();
    let header = text.lines().next().unwrap();
    for column in [
        "task_id",
        "status",
        "wall_secs",
        "active_secs",
        "active_secs_30",
        "active_secs_100",
        "active_secs_180",
        "active_secs_300",
        "idle_secs",
        "instructions_secs",
        "regions",
        "edits",
        "undos",
        "reward",
        "currency",
        "worker_id",
        "session_ids",
        "first_input_at",
        "finished_at",
        "review_status",
    ] {
        assert!(
            header.split(',').any(|c| c == column),
            "{column} missing from {header}"
        );
    }
    let rows = csv_rows(&out);
    let ids: Vec<&str> = rows.iter().map(|r| r["task_id"].as_str()).collect();
    assert_eq!(ids, ["a", "b", "c"]);
    let a = &rows[0];
    assert_eq!(a["status"], "submitted");
    assert_eq!(a["review_status"], "pending");
    assert_eq!(a["wall_secs"], "460.0");
    // At 30 s and 100 s the first four gaps count; at 180 s the 160 s gap too; at 300 s all.
    assert_eq!(a["active_secs_30"], "50.0");
    assert_eq!(a["active_secs_100"], "50.0");
    assert_eq!(a["active_secs_180"], "210.0");
    assert_eq!(a["active_secs_300"], "460.0");
    assert_eq!(a["active_secs"], a["active_secs_100"]);
    assert_eq!(a["idle_secs"], "410.0");
    assert_eq!(a["instructions_secs"], "20.0");
    assert_eq!(a["instructions_before_work_secs"], "20.0");
    assert_eq!(
        (
            a["regions"].as_str(),
            a["vertices"].as_str(),
            a["edits"].as_str(),
            a["undos"].as_str()
        ),
        ("3", "12", "3", "1")
    );
    assert_eq!(a["regions_submitted"], "2");
    assert_eq!(a["drawing_secs"], "12.0");
    assert_eq!(a["secs_per_region"], "16.666");
    assert_eq!((a["presses"].as_str(), a["keys"].as_str()), ("3", "2"));
    assert_eq!(a["reward"], "0.012");
    assert_eq!(a["currency"], "USD");
    assert_eq!(a["worker_id"], "feedfacefeedfacefeedfacefeedface");
    assert_eq!(a["session_ids"], "s1");
    assert_eq!(a["app_version"], "0.1.0");
    assert_eq!(a["opened_at"], "2026-11-28T09:00:00.000Z");
    assert_eq!(a["first_input_at"], "2026-11-28T09:00:22.000Z");
    assert_eq!(a["finished_at"], "2026-11-28T09:07:40.000Z");
    let b = &rows[1];
    assert_eq!(b["status"], "skipped");
    assert_eq!(b["skip_reason"], "blurry, sorry");
    assert_eq!(b["reward"], "");
    assert_eq!(b["review_status"], "");
    let c = &rows[2];
    assert_eq!(c["status"], "new");
    assert_eq!(c["wall_secs"], "0.0");
    assert_eq!(c["first_input_at"], "");

    // --idle-secs moves only the active_secs and idle_secs columns.
    let strict = f.out("strict.csv");
    let (code, _, _) = f.run(&[
        "worklog",
        "export",
        &f.root(),
        "--idle-secs",
        "180",
        "--format",
        "csv",
        "--out",
        strict.to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    let rows = csv_rows(&strict);
    assert_eq!(rows[0]["active_secs"], "210.0");
    assert_eq!(rows[0]["idle_threshold_secs"], "180");
    assert_eq!(rows[0]["active_secs_100"], "50.0");
}

#[test]
fn jsonl_has_the_same_rows_with_typed_values() {
    let f = Fixture::new();
    let out = f.out("tasks.jsonl");
    let (code, _, stderr) = f.run(&[
        "worklog",
        "export",
        &f.root(),
        "--format",
        "jsonl",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let text = std::fs::read_to_string(&out).unwrap();
    let rows: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["active_secs_180"], 210.0);
    assert_eq!(rows[0]["regions"], 3);
    assert_eq!(rows[0]["reward"], "0.012");
    assert_eq!(rows[2]["finished_at"], Value::Null);
    // To standard output with --out -.
    let (code, stdout, _) = f.run(&[
        "worklog",
        "export",
        &f.root(),
        "--format",
        "jsonl",
        "--out",
        "-",
    ]);
    assert_eq!(code, 0);
    assert_eq!(stdout, text);
}

#[test]
fn export_needs_a_format_and_an_out_file() {
    let f = Fixture::new();
    let (code, _, stderr) = f.run(&["worklog", "export", &f.root(), "--format", "csv"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("--out"), "{stderr}");
    let (code, _, _) = f.run(&[
        "worklog",
        "export",
        &f.root(),
        "--format",
        "xlsx",
        "--out",
        "x",
    ]);
    assert_eq!(code, 2);
    let (code, _, stderr) = f.run(&["report", &f.root(), "--idle-secs", "0"]);
    assert_eq!(code, 2, "{stderr}");
    let nowhere = f.out("no/such/dir/tasks.csv");
    let (code, _, stderr) = f.run(&[
        "worklog",
        "export",
        &f.root(),
        "--format",
        "csv",
        "--out",
        nowhere.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(stderr.contains("no/such/dir/tasks.csv"), "{stderr}");
}
