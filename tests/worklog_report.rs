//! The report the real binary prints from a work log written through a `Session` driven with fixed
//! times: its figures, a bundle never worked on, a sitting on the sample bundle, and every `--rule`.
// Tests stop at the line that failed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(clippy::print_stdout, clippy::print_stderr, missing_docs)]

mod common;

use common::timing::{Fixture, at, draw, first_sitting};
use common::{t0, worker_id};

use chrono::Duration;
use clickwork::domain::bundle::{LoadOptions, load_bundle};
use clickwork::domain::session::Session;
use clickwork::domain::store::Saver;
use clickwork::domain::worklog::InputKind;
use serde_json::{Value, json};
use std::path::Path;
use std::process::Command;

#[test]
fn the_report_command_shows_what_the_session_logged() {
    let f = Fixture::new();
    drop(first_sitting(&f));
    let root = f.root();
    let (code, stdout, stderr) = f.run(&["report", root.to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["tasks_submitted"], 1);
    assert_eq!(report["tasks_skipped"], 1);
    assert_eq!(report["tasks_open"], 1);
    assert_eq!(report["tasks"], 3);
    assert_eq!(report["idle_secs"], 100);
    assert_eq!(report["wall_secs"], 770.0);
    // a: 80 s active, 40 of them reading instructions before work; b: 19 s; c: 9 s until the end;
    // 1 s between a's submission and b, 1 s between b's skip and c.
    assert_eq!(report["active_secs"], 80.0 + 19.0 + 9.0 + 2.0);
    assert_eq!(report["paid_secs"], 40.0);
    assert_eq!(report["unpaid"]["instructions_secs"], 40.0);
    assert_eq!(report["unpaid"]["skipped_secs"], 19.0);
    assert_eq!(report["unpaid"]["between_tasks_secs"], 2.0);
    assert_eq!(report["unpaid"]["unfinished_secs"], 9.0);
    assert_eq!(report["unpaid_secs"], 70.0);
    assert_eq!(report["currency"], "USD");
    // 0.012 over 40 s is 1.08 an hour; over 110 s, 0.39.
    assert_eq!(report["hourly_wage_active"], "1.08");
    assert_eq!(report["hourly_wage_all"], "0.39");
    assert_eq!(report["wage_band_all"], "below");
    assert_eq!(
        report["earnings"],
        json!([{"currency": "USD", "pending": "0.012", "approved": "0.00", "rejected": "0.00",
                "bonus": "0.00", "earned": "0.012", "tasks_pending": 1, "tasks_approved": 0,
                "tasks_rejected": 0}])
    );
    // A stricter idle rule gives less active time, never more.
    let (_, strict, _) = f.run(&[
        "report",
        root.to_str().unwrap(),
        "--format",
        "json",
        "--idle-secs",
        "5",
    ]);
    let strict: Value = serde_json::from_str(&strict).unwrap();
    assert!(strict["active_secs"].as_f64() < report["active_secs"].as_f64());

    let (code, text, _) = f.run(&["report", root.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(text.contains("Timing fixture (timing-fixture)"), "{text}");
    assert!(
        text.contains(
            "1 submitted of 3 (1 pending, 0 approved, 0 rejected), 1 skipped, 1 unfinished"
        ),
        "{text}"
    );
    assert!(
        text.contains("USD 1.08/h [red] over paid active time"),
        "{text}"
    );
    println!("{text}");
}

#[test]
fn report_on_a_bundle_never_worked_on_says_so() {
    let f = Fixture::new();
    let root = f.root();
    let (code, stdout, stderr) = f.run(&["report", root.to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, 0);
    assert!(stderr.contains("no work logged yet"), "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["tasks_submitted"], 0);
    assert_eq!(report["hourly_wage_all"], Value::Null);
    assert_eq!(report["earnings"], json!([]));
    // The report reads; it makes no workspace and no settings.
    assert!(!f.data().join("settings.json").exists());
    assert!(!Path::new(&f.journal()).exists());
}

/// A short sitting on the bundled sample tasks, the way the window drives it: the report's parts add
/// up and its wage matches the reward and the paid time.
#[test]
fn a_sitting_on_the_sample_bundle_reports_consistent_figures() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_tasks/landscapes");
    let bundle = load_bundle(&sample, &LoadOptions::new(data.join("cache"))).unwrap();
    let (mut s, _) = Session::open(bundle, &data, Saver::new(), &worker_id(&data), t0()).unwrap();
    s.instructions_shown(t0());
    s.instructions_hidden(at(35));
    for (task, start) in [(0usize, 35i64), (1, 160)] {
        if task > 0 {
            s.go_to(task, at(start)).unwrap();
        }
        for step in 0..3 {
            let t = at(start + 10 + step * 30);
            for frame in 0..30 {
                s.record_input(InputKind::Press, t + Duration::milliseconds(frame * 100));
            }
            draw(&mut s, 8_000, t + Duration::seconds(8));
        }
        s.submit(at(start + 110)).unwrap();
    }
    s.go_to(2, at(271)).unwrap();
    s.skip(Some("no sky"), at(290)).unwrap();
    s.end(at(300));
    drop(s);

    let out = Command::new(env!("CARGO_BIN_EXE_clickwork"))
        .arg("report")
        .arg(&sample)
        .args(["--format", "json", "--data-dir"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(out.status.success());
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["bundle_id"], "landscapes-sample");
    assert_eq!(report["tasks_submitted"], 2);
    assert_eq!(report["tasks_skipped"], 1);
    let unpaid = &report["unpaid"];
    let parts: f64 = [
        "instructions_secs",
        "skipped_secs",
        "between_tasks_secs",
        "rejected_secs",
        "unfinished_secs",
    ]
    .iter()
    .map(|k| unpaid[*k].as_f64().unwrap())
    .sum();
    assert_eq!(report["unpaid_secs"].as_f64().unwrap(), parts);
    assert_eq!(
        report["active_secs"].as_f64().unwrap(),
        report["paid_secs"].as_f64().unwrap() + parts
    );
    assert_eq!(report["unpaid"]["instructions_secs"], 35.0);
    assert_eq!(report["earnings"][0]["pending"], "0.10");
    // 0.10 USD over 220 s of paid work: 1.64 an hour (1.636... rounded to the cent).
    assert_eq!(report["paid_secs"], 220.0);
    assert_eq!(report["hourly_wage_active"], "1.64");
    let text = Command::new(env!("CARGO_BIN_EXE_clickwork"))
        .arg("report")
        .arg(&sample)
        .arg("--data-dir")
        .arg(&data)
        .output()
        .unwrap();
    println!("{}", String::from_utf8_lossy(&text.stdout));
}

/// The window and `worklog export` used to name a task opened without any change "new" and "open":
/// one word now, the window's, for every task.
#[test]
fn a_task_opened_without_a_change_has_the_same_status_in_the_window_and_the_export() {
    let f = Fixture::new();
    let mut s = f.open(at(0));
    // a: opened, looked at, left. b: a region drawn, then undone. c: never opened.
    s.go_to(1, at(5)).unwrap();
    draw(&mut s, 1000, at(8));
    s.undo(at(9)).unwrap();
    s.go_to(0, at(12)).unwrap();
    let window: Vec<&str> = s.statuses().iter().map(|status| status.name()).collect();
    s.end(at(15));
    s.flush();
    drop(s);
    assert_eq!(window, ["new", "in_progress", "new"]);

    let root = f.root();
    let (code, stdout, stderr) = f.run(&[
        "worklog",
        "export",
        root.to_str().unwrap(),
        "--format",
        "jsonl",
        "--out",
        "-",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let exported: Vec<String> = stdout
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap()["status"].to_string())
        .collect();
    assert_eq!(exported, [r#""new""#, r#""in_progress""#, r#""new""#]);
    assert_eq!(
        exported
            .iter()
            .map(|s| s.trim_matches('"'))
            .collect::<Vec<_>>(),
        window
    );
}

/// `report --rule` on a journal written by hand, each figure worked out from the rule's definition
/// (docs/measures.md): a task a (18 s of work), 150 s with no task open, a task b (31 s).
#[test]
fn report_rule_gives_each_published_measure_of_the_same_log() {
    let f = Fixture::new();
    let line = |secs: f64, task: Option<&str>, kind: &str, extra: Value| {
        let ms = (secs * 1000.0) as i64;
        let mut event = json!({
            "kind": kind,
            "at": (t0() + Duration::milliseconds(ms)).format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
            "mono_ms": ms,
            "session_id": "s1",
        });
        if let Some(task) = task {
            event["task_id"] = json!(task);
        }
        for (k, v) in extra.as_object().unwrap() {
            event[k] = v.clone();
        }
        event.to_string()
    };
    let input = |from: f64, to: f64, task: &str| {
        let first = t0() + Duration::milliseconds((from * 1000.0) as i64);
        line(
            to,
            Some(task),
            "input",
            json!({"first_at": first.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
                   "first_mono_ms": (from * 1000.0) as u64, "presses": 1}),
        )
    };
    let lines = [
        line(
            0.0,
            None,
            "session_start",
            json!({"format": "clickwork-worklog/1", "app_version": "0.1.0",
                   "worker_id": "w1", "bundle_id": "timing-fixture", "os": "linux"}),
        ),
        line(2.0, Some("a"), "task_opened", json!({"status": "new"})),
        input(10.0, 15.0, "a"),
        line(
            20.0,
            Some("a"),
            "task_submitted",
            json!({"regions": 1, "reward": "0.012", "currency": "USD"}),
        ),
        line(170.0, Some("b"), "task_opened", json!({"status": "new"})),
        line(200.0, Some("b"), "task_skipped", json!({})),
        line(201.0, None, "session_end", json!({})),
    ];
    std::fs::create_dir_all(f.journal().parent().unwrap()).unwrap();
    std::fs::write(f.journal(), lines.join("\n") + "\n").unwrap();
    let root = f.root();
    let rule = |name: &str| {
        let (code, stdout, stderr) = f.run(&[
            "report",
            root.to_str().unwrap(),
            "--rule",
            name,
            "--format",
            "json",
        ]);
        assert_eq!(code, 0, "{name}: {stderr}");
        serde_json::from_str::<Value>(&stdout).unwrap()
    };
    // CVAT: gaps under 100 s, to the previous event's task. a: 8 s + the 5 s burst + 5 s; the
    // 150 s gap is dropped; b: 30 s + 1 s (the end is charged to b, the skip's task). The 2 s
    // before a's opening belong to session_start, which has no task.
    let cvat = rule("cvat");
    assert_eq!(cvat["total_secs"], 51.0, "{cvat}");
    assert_eq!(cvat["no_task_secs"], 2.0);
    assert_eq!(
        cvat["tasks"],
        json!([{"task_id": "a", "secs": 18.0}, {"task_id": "b", "secs": 31.0}])
    );
    // ActivityWatch at 180 s: the 150 s between tasks is not AFK, so it counts (with no task, as
    // does the last second, after b was skipped: our rule charges a gap to what was open).
    let afk = rule("afk");
    assert_eq!(afk["rule"], "afk=180");
    assert_eq!(afk["total_secs"], 201.0, "{afk}");
    assert_eq!(afk["no_task_secs"], 2.0 + 150.0 + 1.0);
    assert_eq!(
        afk["tasks"],
        json!([{"task_id": "a", "secs": 18.0}, {"task_id": "b", "secs": 30.0}])
    );
    // Hara et al.: opening to submitting, idle or not. a: 2 s to 20 s; b: 170 s to its skip at
    // 200 s, unpaid; the 153 s with no task open is unpaid too. 0.012 USD over 18 s and over 201 s.
    let hara = rule("hara");
    assert_eq!(hara["total_secs"], 201.0, "{hara}");
    assert_eq!(
        hara["tasks"],
        json!([{"task_id": "a", "secs": 18.0}, {"task_id": "b", "secs": 30.0}])
    );
    assert_eq!(hara["paid_secs"], 18.0);
    assert_eq!(hara["unpaid_secs"], 183.0);
    assert_eq!(
        hara["unpaid"],
        json!({"skipped_secs": 30.0, "rejected_secs": 0.0, "unfinished_secs": 0.0,
               "between_tasks_secs": 153.0})
    );
    assert_eq!(
        hara["wages"],
        json!([{"currency": "USD", "earned": "0.012", "hourly_wage_paid": "2.40",
                "hourly_wage_all": "0.21"}])
    );
    // Ours at 100 s agrees with the full report at --idle-secs 100.
    let idle = rule("idle=100");
    let (_, full, _) = f.run(&[
        "report",
        root.to_str().unwrap(),
        "--idle-secs",
        "100",
        "--format",
        "json",
    ]);
    let full: Value = serde_json::from_str(&full).unwrap();
    assert_eq!(idle["total_secs"], full["active_secs"], "{idle}\n{full}");
    assert_eq!(idle["total_secs"], 51.0);

    let (code, text, _) = f.run(&["report", root.to_str().unwrap(), "--rule", "cvat"]);
    assert_eq!(code, 0);
    assert!(text.contains("rule:     cvat: CVAT working time"), "{text}");
    assert!(text.contains("total:    0:00:51"), "{text}");
    let (_, text, _) = f.run(&["report", root.to_str().unwrap(), "--rule", "hara"]);
    assert!(
        text.contains("wage:     USD 2.40/h over paid task time, USD 0.21/h over all time"),
        "{text}"
    );
    // A rule we do not know, or one combined with --idle-secs, is a usage error.
    let (code, _, stderr) = f.run(&["report", root.to_str().unwrap(), "--rule", "hours"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("unknown rule \"hours\""), "{stderr}");
    let (code, _, _) = f.run(&[
        "report",
        root.to_str().unwrap(),
        "--rule",
        "cvat",
        "--idle-secs",
        "5",
    ]);
    assert_eq!(code, 2);
}
