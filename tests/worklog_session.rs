//! The work log as the window writes it, through a `Session` driven with fixed times (nothing sleeps):
//! what lands in `worklog.jsonl`, the times derived from it, the live clock and a crash's torn line.
//! The report the real binary prints from it is in `worklog_report.rs`.
// Tests stop at the line that failed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(clippy::print_stdout, clippy::print_stderr, missing_docs)]

mod common;

use common::t0;
use common::timing::{Fixture, at, draw, first_sitting};

use chrono::{DateTime, Duration, Utc};
use clickwork::domain::settings::Settings;
use clickwork::domain::worklog::{ClockState, EventKind, Outcome, derive_times, read_journal};
use serde_json::Value;
use std::io::Write;

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
