//! The work-log tests' fixture: a bundle of three tasks, a session driven with fixed times, and a
//! first sitting whose times are worked out by hand in the tests.

use super::{abc_manifest, t0, worker_id};
use chrono::{DateTime, Duration, Utc};
use clickwork::domain::annotation::Region;
use clickwork::domain::edit::Edit;
use clickwork::domain::geometry::{Point, Shape};
use clickwork::domain::session::Session;
use clickwork::domain::store::Saver;
use clickwork::domain::worklog::InputKind;
use serde_json::json;
use std::path::PathBuf;

pub fn at(secs: i64) -> DateTime<Utc> {
    t0() + Duration::seconds(secs)
}

/// The timing fixture: three tasks, instructions, a reward of 0.012 USD, at least one region.
pub struct Fixture {
    base: super::BundleDir,
}

impl std::ops::Deref for Fixture {
    type Target = super::BundleDir;

    fn deref(&self) -> &super::BundleDir {
        &self.base
    }
}

impl Fixture {
    pub fn new() -> Self {
        let base = super::BundleDir::new();
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
        super::write_bundle(&root, &manifest, (64, 48));
        Fixture { base }
    }

    pub fn open(&self, now: DateTime<Utc>) -> Session {
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

    pub fn journal(&self) -> PathBuf {
        self.data().join("work/timing-fixture/worklog.jsonl")
    }

    pub fn run(&self, args: &[&str]) -> (i32, String, String) {
        super::run(args, &self.data())
    }
}

/// Adds a drawn square to the current task.
pub fn draw(session: &mut Session, drawing_ms: u64, now: DateTime<Utc>) {
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
pub fn first_sitting(f: &Fixture) -> Session {
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
