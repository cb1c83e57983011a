//! The work log as the window writes it, through a `Session` driven with fixed times (nothing sleeps):
//! what lands in `worklog.jsonl`, the times derived from it, a crash's torn line, and the report the
//! real binary prints from it.
// Tests stop at the line that failed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(clippy::print_stdout, clippy::print_stderr, missing_docs)]

mod common;

use common::{abc_manifest, t0, worker_id};

use chrono::{DateTime, Duration, Utc};
use clickwork::domain::annotation::Region;
use clickwork::domain::bundle::{LoadOptions, load_bundle};
use clickwork::domain::edit::Edit;
use clickwork::domain::geometry::{Point, Shape};
use clickwork::domain::session::Session;
use clickwork::domain::settings::Settings;
use clickwork::domain::store::Saver;
use clickwork::domain::worklog::{
    ClockState, EventKind, InputKind, Outcome, derive_times, read_journal,
};
use serde_json::{Value, json};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

fn at(secs: i64) -> DateTime<Utc> {
    t0() + Duration::seconds(secs)
}

bundle_fixture!(Fixture);

impl Fixture {
    fn new() -> Self {
        let base = common::BundleDir::new();
        let root = base.root();
        std::fs::write(root.join("instructions.md"), "# Outline the sky\n").unwrap();
        let manifest = abc_manifest(
            "timing-fixture",
            "Timing fixture",
            json!({
                "requester": "Lab of Clouds",
                "instructions": "instructions.md",
                "reward": {"per_task": "0.012", "currency": "USD"},
                "min_regions": 1
            }),
        );
        common::write_bundle(&root, &manifest, (64, 48));
        Fixture { base }
    }

    fn open(&self, now: DateTime<Utc>) -> Session {
        Session::open(
            self.bundle(),
            &self.data(),
            Saver::new(),
            &worker_id(&self.data()),
            now,
        )
        .unwrap()
        .0
    }

    fn journal(&self) -> PathBuf {
        self.data().join("work/timing-fixture/worklog.jsonl")
    }

    fn run(&self, args: &[&str]) -> (i32, String, String) {
        common::run(args, &self.data())
    }
}

fn draw(session: &mut Session, drawing_ms: u64, now: DateTime<Utc>) {
    let id = session.new_region_id();
    let region = Region::new(
        id,
        "sky",
        Shape::Polygon {
            points: vec![
                Point::new(1.0, 1.0),
                Point::new(30.0, 1.0),
                Point::new(30.0, 20.0),
                Point::new(1.0, 20.0),
            ],
        },
    );
    session
        .apply_drawn(
            Edit::AddRegion {
                region,
                index: None,
            },
            drawing_ms,
            now,
        )
        .unwrap();
}

/// A first sitting: reads the instructions for 40 s, draws on task a (with a 10-minute coffee break
/// in the middle), undoes and redraws, submits; skips task b; then the window closes.
fn first_sitting(f: &Fixture) -> Session {
    let mut s = f.open(t0());
    s.instructions_shown(t0());
    s.instructions_hidden(at(40));
    for frame in 0..120 {
        // Two seconds of dragging at 60 frames a second: one burst, one drag.
        s.record_input(InputKind::Drag, at(45) + Duration::milliseconds(frame * 16));
    }
    draw(&mut s, 12_000, at(60));
    s.undo(at(62)).unwrap();
    draw(&mut s, 9_000, at(75));
    // Ten minutes without a single event: idle whatever the threshold up to 600 s.
    s.record_input(InputKind::Key, at(675));
    s.submit(at(680)).unwrap();
    s.go_to(1, at(681)).unwrap();
    s.focus_changed(false, at(690));
    s.focus_changed(true, at(750));
    s.skip(Some("image too dark"), at(760)).unwrap();
    s.go_to(2, at(761)).unwrap();
    s.end(at(770));
    s
}

#[test]
fn a_session_writes_every_kind_of_event_in_order() {
    let f = Fixture::new();
    let s = first_sitting(&f);
    let read = read_journal(&f.journal()).unwrap();
    assert!(read.problems.is_empty() && !read.torn_tail);
    let kinds: Vec<&str> = read.events.iter().map(|e| e.kind.name()).collect();
    assert_eq!(
        kinds,
        [
            "session_start",
            "bundle_opened",
            "task_opened",
            "instructions_shown",
            "instructions_hidden",
            "input",
            "region_created",
            "undo",
            "region_created",
            "input",
            "task_submitted",
            "task_opened",
            "focus_lost",
            "focus_gained",
            "task_skipped",
            "task_opened",
            "session_end",
        ]
    );
    // Every line names the session; the first names the worker, as settings.json has it.
    let settings = Settings::load(&f.data()).unwrap().unwrap();
    let session_id = s.worklog().session_id().to_owned();
    assert!(read.events.iter().all(|e| e.session_id == session_id));
    match &read.events[0].kind {
        EventKind::SessionStart {
            worker_id,
            app_version,
            format,
            ..
        } => {
            assert_eq!(worker_id, &settings.worker_id);
            assert_eq!(app_version, env!("CARGO_PKG_VERSION"));
            assert_eq!(format, "clickwork-worklog/1");
        }
        other => panic!("{other:?}"),
    }
    let drag = &read.events[5];
    match &drag.kind {
        EventKind::Input {
            counts,
            first_mono_ms,
            ..
        } => {
            assert_eq!((counts.drags, counts.presses), (1, 0));
            assert_eq!(*first_mono_ms, 45_000);
            assert_eq!(drag.mono_ms, 45_000 + 119 * 16);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(drag.task_id.as_deref(), Some("a"));
    let submitted = &read.events[10];
    assert_eq!(
        submitted.kind,
        EventKind::TaskSubmitted {
            regions: 1,
            reward: Some(rust_decimal::Decimal::new(12, 3)),
            currency: Some("USD".into()),
        }
    );
    assert_eq!(submitted.mono_ms, 680_000);
    // Raw lines carry the documented keys, times in UTC with milliseconds.
    let text = std::fs::read_to_string(f.journal()).unwrap();
    let first: Value = serde_json::from_str(text.lines().nth(10).unwrap()).unwrap();
    assert_eq!(first["kind"], "task_submitted");
    assert_eq!(first["at"], "2026-11-28T09:11:20.000Z");
    assert_eq!(first["reward"], "0.012");
    assert_eq!(first["task_id"], "a");
}

#[test]
fn times_come_out_right_and_revisits_add_up() {
    let f = Fixture::new();
    drop(first_sitting(&f));
    // A second sitting the next day: back to task b, which is then submitted.
    let day2 = at(86_400);
    let mut s = f.open(day2);
    s.go_to(1, day2 + Duration::seconds(1)).unwrap();
    draw(&mut s, 5_000, day2 + Duration::seconds(21));
    s.submit(day2 + Duration::seconds(31)).unwrap();
    s.end(day2 + Duration::seconds(32));

    let events = read_journal(&f.journal()).unwrap().events;
    let times = derive_times(&events, 100_000);
    let a = times.task("a").unwrap();
    assert_eq!(a.outcome, Outcome::Submitted);
    assert_eq!(a.wall_ms, 680_000);
    // 680 s open, less the 600 s gap (75 s to 675 s).
    assert_eq!(a.active_ms, 80_000);
    assert_eq!(a.instructions_ms, 40_000);
    assert_eq!(a.instructions_before_work_ms, 40_000);
    assert_eq!((a.regions, a.vertices, a.edits, a.undos), (2, 8, 2, 1));
    assert_eq!(a.drawing_ms, 21_000);
    assert_eq!(a.first_input_at, Some(at(45)));
    let b = times.task("b").unwrap();
    assert_eq!(b.visits, 2);
    assert_eq!(b.outcome, Outcome::Submitted);
    // 79 s in the first sitting (60 s of it unfocused) plus 30 s in the second.
    assert_eq!(b.wall_ms, 79_000 + 30_000);
    assert_eq!(b.active_ms, 19_000 + 30_000);
    assert_eq!(b.session_ids.len(), 2);
    assert_eq!(times.sessions.len(), 2);
    assert!(times.sessions.iter().all(|s| s.ended));
    // At a threshold above ten minutes the coffee break counts.
    let lenient = derive_times(&events, 700_000);
    assert_eq!(lenient.task("a").unwrap().active_ms, 680_000);
}

#[test]
fn a_wall_clock_set_back_an_hour_is_recorded_and_changes_no_duration() {
    let f = Fixture::new();
    let mut s = f.open(t0());
    // The window compares the wall clock with its steady one every frame; jitter is not a jump.
    s.wall_clock(at(10) + Duration::milliseconds(300), at(10));
    draw(&mut s, 5_000, at(20));
    // Somebody sets the system clock back an hour: the session's clock keeps counting.
    s.wall_clock(at(30) - Duration::hours(1), at(30));
    s.wall_clock(at(31) - Duration::hours(1), at(31));
    draw(&mut s, 5_000, at(40));
    s.submit(at(50)).unwrap();
    // And forward again, as NTP would put it right.
    s.wall_clock(at(55), at(55));
    s.end(at(60));
    let events = read_journal(&f.journal()).unwrap().events;
    let jumps: Vec<(i64, DateTime<Utc>, DateTime<Utc>)> = events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::ClockJumped { wall_at, offset_ms } => Some((*offset_ms, *wall_at, e.at)),
            _ => None,
        })
        .collect();
    assert_eq!(
        jumps,
        [
            (-3_600_000, at(30) - Duration::hours(1), at(30)),
            (0, at(55), at(55))
        ]
    );
    let a = derive_times(&events, 300_000);
    let a = a.task("a").unwrap();
    assert_eq!((a.wall_ms, a.active_ms), (50_000, 50_000));
    // Every stamp keeps counting forward.
    assert!(
        events
            .windows(2)
            .all(|w| w[0].mono_ms <= w[1].mono_ms && w[0].at <= w[1].at)
    );
}

#[test]
fn the_live_clock_ticks_pauses_and_stops() {
    let f = Fixture::new();
    let mut s = f.open(t0());
    draw(&mut s, 3_000, at(10));
    let clock = s.task_clock(at(30), 100_000);
    assert_eq!(
        (clock.state, clock.shown_ms()),
        (ClockState::Ticking, 30_000)
    );
    let idle = s.task_clock(at(200), 100_000);
    assert_eq!((idle.state, idle.shown_ms()), (ClockState::Idle, 10_000));
    s.focus_changed(false, at(40));
    assert_eq!(s.task_clock(at(60), 100_000).state, ClockState::Unfocused);
    s.focus_changed(true, at(70));
    s.pause(at(71));
    assert!(s.is_paused());
    let paused = s.task_clock(at(90), 100_000);
    assert_eq!(
        (paused.state, paused.shown_ms()),
        (ClockState::Paused, 41_000)
    );
    s.resume(at(300));
    s.submit(at(301)).unwrap();
    assert_eq!(s.task_clock(at(302), 100_000).state, ClockState::Closed);
    // The session's own report agrees with the clock.
    let report = s.report(100_000, None);
    assert_eq!(report.tasks_submitted, 1);
    // 0-10 s, 10-40 s (focused), 70-71 s and 300-301 s; not the unfocused or paused spans.
    assert_eq!(report.split.paid_ms, 10_000 + 30_000 + 1_000 + 1_000);
}

#[test]
fn a_torn_last_line_after_a_crash_is_ignored_and_work_goes_on() {
    let f = Fixture::new();
    {
        let mut s = f.open(t0());
        draw(&mut s, 3_000, at(10));
        s.submit(at(20)).unwrap();
        // The process dies here: no session_end.
        s.flush();
    }
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(f.journal())
        .unwrap();
    file.write_all(br#"{"kind":"input","at":"2026-11-28T09:00:2"#)
        .unwrap();
    drop(file);
    let before = read_journal(&f.journal()).unwrap();
    assert!(before.torn_tail);
    let counted = before.events.len();

    let mut s = f.open(at(100));
    let warnings = s.take_warnings();
    assert!(warnings.is_empty(), "{warnings:?}");
    // Everything before the torn line counts: the submission of a is there.
    let times = derive_times(s.worklog().events(), 100_000);
    assert_eq!(times.task("a").unwrap().outcome, Outcome::Submitted);
    s.end(at(110));
    let after = read_journal(&f.journal()).unwrap();
    assert_eq!(after.events.len(), counted + 4);
    // The torn part was cut off before the new session's first line: the journal parses whole.
    assert!(after.problems.is_empty(), "{:?}", after.problems);
    assert!(!after.torn_tail);
    assert!(
        !after.events[0..counted]
            .iter()
            .any(|e| e.kind == EventKind::SessionEnd)
    );
}

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
