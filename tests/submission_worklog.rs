//! `clickwork submit` carries the work log: the raw journal and the per-task CSV, hashed like the rest.
// Tests stop at the line that failed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(clippy::print_stdout, clippy::print_stderr, missing_docs)]

mod common;

use chrono::{Duration, TimeZone, Utc};
use clickwork::domain::annotation::Region;
use clickwork::domain::bundle::{LoadOptions, load_bundle};
use clickwork::domain::edit::Edit;
use clickwork::domain::geometry::{Point, Shape};
use clickwork::domain::session::Session;
use clickwork::domain::store::Saver;
use common::worker_id;
use std::io::Read;
use std::path::Path;

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/sample_tasks/landscapes");

#[test]
fn the_submission_zip_holds_the_work_log_and_task_times() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let bundle = load_bundle(Path::new(SAMPLE), &LoadOptions::new(data.join("cache"))).unwrap();
    let t0 = Utc.with_ymd_and_hms(2026, 11, 28, 10, 0, 0).unwrap();
    let (mut session, _) =
        Session::open(bundle, &data, Saver::new(), &worker_id(&data), t0).unwrap();
    let id = session.new_region_id();
    let region = Region::new(
        id,
        "sky",
        Shape::rectangle(Point::new(0.0, 0.0), Point::new(100.0, 80.0)),
    );
    session
        .apply_drawn(
            Edit::AddRegion {
                region,
                index: None,
            },
            4000,
            t0 + Duration::seconds(30),
        )
        .unwrap();
    session.submit(t0 + Duration::seconds(45)).unwrap();
    session.end(t0 + Duration::seconds(46));
    session.flush();
    drop(session);

    let zip_path = dir.path().join("out.zip");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_clickwork"))
        .args([
            "submit",
            SAMPLE,
            "--out",
            zip_path.to_str().unwrap(),
            "--data-dir",
            data.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&zip_path).unwrap()).unwrap();
    let mut read = |name: &str| {
        let mut text = String::new();
        zip.by_name(name)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        text
    };
    let journal = read("worklog/worklog.jsonl");
    assert_eq!(
        journal,
        std::fs::read_to_string(data.join("work/landscapes-sample/worklog.jsonl")).unwrap()
    );
    assert!(journal.contains("\"kind\":\"task_submitted\""));
    let csv = read("worklog/tasks.csv");
    let header = csv.lines().next().unwrap();
    assert!(
        header.contains(",task_id,status,") && header.contains("active_secs_100"),
        "{header}"
    );
    let first_task = csv.lines().nth(1).unwrap();
    assert!(
        first_task.contains(",landscapes-sample,aitzgorri,submitted,"),
        "{first_task}"
    );
    let summary: serde_json::Value = serde_json::from_str(&read("submission.json")).unwrap();
    assert!(
        summary["entries_sha256"]["worklog/worklog.jsonl"].is_string(),
        "{summary}"
    );
    assert!(
        summary["entries_sha256"]["worklog/tasks.csv"].is_string(),
        "{summary}"
    );
}
