//! The ledger through the real binary: a work log built from synthetic events, a requester's review
//! file imported (bad rows reported by line, nothing half-applied), and the report's earnings, kept
//! apart by currency.
// Tests stop at the line that failed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(clippy::print_stdout, clippy::print_stderr, missing_docs)]

mod common;

use common::{abc_manifest, ev};

use clickwork::domain::worklog::{Event, EventKind, JournalFile};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use std::path::PathBuf;

fn opened(secs: u64, task: &str) -> Event {
    ev(
        secs,
        Some(task),
        EventKind::TaskOpened {
            status: "new".into(),
            regions: 0,
        },
    )
}

fn region(secs: u64, task: &str) -> Event {
    ev(
        secs,
        Some(task),
        EventKind::RegionCreated {
            region_id: "r1".into(),
            label: "sky".into(),
            shape: "rectangle".into(),
            vertices: 2,
            drawing_ms: None,
        },
    )
}

fn submitted(secs: u64, task: &str) -> Event {
    ev(
        secs,
        Some(task),
        EventKind::TaskSubmitted {
            regions: 1,
            reward: Some(Decimal::new(5, 2)),
            currency: Some("USD".into()),
        },
    )
}

bundle_fixture!(Fixture);

impl Fixture {
    /// A bundle of tasks a, b, c paying 0.05 USD, and a log: a submitted after 20 s, b after 40 s,
    /// c skipped after 10 s.
    fn new() -> Self {
        let base = common::BundleDir::new();
        let root = base.root();
        let manifest = abc_manifest(
            "review-fixture",
            "Review fixture",
            json!({
                "requester": "Lab of Clouds",
                "reward": {"per_task": "0.05", "currency": "USD"}
            }),
        );
        common::write_bundle(&root, &manifest, (8, 8));
        let f = Fixture { base };
        let mut journal = JournalFile::new(f.workspace().join("worklog.jsonl"));
        let events = [
            ev(
                0,
                None,
                EventKind::SessionStart {
                    format: "clickwork-worklog/1".into(),
                    app_version: "0.1.0".into(),
                    worker_id: "0123456789abcdef0123456789abcdef".into(),
                    bundle_id: "review-fixture".into(),
                    os: "linux".into(),
                },
            ),
            ev(
                0,
                None,
                EventKind::BundleOpened {
                    bundle_id: "review-fixture".into(),
                    title: "Review fixture".into(),
                    requester: Some("Lab of Clouds".into()),
                    reward: Some(Decimal::new(5, 2)),
                    currency: Some("USD".into()),
                    tasks: 3,
                    manifest_sha256: String::new(),
                },
            ),
            opened(0, "a"),
            region(10, "a"),
            submitted(20, "a"),
            opened(20, "b"),
            region(50, "b"),
            submitted(60, "b"),
            opened(60, "c"),
            ev(70, Some("c"), EventKind::TaskSkipped { reason: None }),
            ev(70, None, EventKind::SessionEnd),
        ];
        for event in &events {
            journal.append(event, false).unwrap();
        }
        f
    }

    fn root(&self) -> String {
        self.base.root().display().to_string()
    }

    fn workspace(&self) -> PathBuf {
        self.data().join("work/review-fixture")
    }

    fn file(&self, name: &str, text: &str) -> String {
        let path = self.path(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    }

    fn run(&self, args: &[&str]) -> (i32, String, String) {
        common::run(args, &self.data())
    }

    fn report(&self) -> Value {
        let (code, stdout, stderr) = self.run(&["report", &self.root(), "--format", "json"]);
        assert_eq!(code, 0, "{stderr}");
        serde_json::from_str(&stdout).unwrap()
    }
}

#[test]
fn bad_rows_are_reported_by_line_and_nothing_is_applied() {
    let f = Fixture::new();
    let file = f.file(
        "review.csv",
        "task_id,status,bonus,reason\n\
         a,approved,0.10,great\n\
         zz,approved,,\n\
         b,maybe,,\n\
         c,rejected,-1,\n\
         a,rejected,,\n\
         ,approved,,\n\
         b,approved,1e3,\n",
    );
    let (code, stdout, stderr) = f.run(&["review", "import", &f.root(), &file]);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stderr.contains("review.csv: 6 bad row(s), nothing was applied"),
        "{stderr}"
    );
    for expected in [
        "review.csv:3: row 2: unknown task \"zz\" (bundle \"review-fixture\" has no such task)",
        "review.csv:4: row 3: unknown status \"maybe\": expected approved or rejected",
        "review.csv:5: row 4: bonus \"-1\" must not be negative",
        "review.csv:6: row 5: task \"a\" is reviewed twice (first on line 2)",
        "review.csv:7: row 6: task_id is empty",
        "review.csv:8: row 7: bonus \"1e3\" is not an amount like 0.05",
        "review.csv:8: row 7: task \"b\" is reviewed twice (first on line 4)",
    ] {
        assert!(
            stderr.contains(expected),
            "missing {expected:?} in:\n{stderr}"
        );
    }
    assert!(!stderr.contains(":2: row 1"), "{stderr}");
    // Nothing half-applied: no reviews file, and the report still has everything pending.
    assert!(!f.workspace().join("reviews.json").exists());
    let report = f.report();
    assert_eq!(report["tasks_pending"], 2);
    assert_eq!(report["earnings"][0]["pending"], "0.10");
}

#[test]
fn a_review_moves_tasks_to_approved_and_rejected_and_rejected_time_to_unpaid() {
    let f = Fixture::new();
    let before = f.report();
    assert_eq!(before["paid_secs"], 60.0);
    assert_eq!(before["unpaid"]["skipped_secs"], 10.0);

    let file = f.file(
        "review.csv",
        "task_id,status,bonus,reason\r\na,approved,0.10,great\r\nb,REJECTED,,\"missed the sky, sorry\"\r\n",
    );
    let (code, stdout, stderr) = f.run(&["review", "import", &f.root(), &file]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("applied 2 review(s)"), "{stdout}");
    assert!(stdout.contains("1 approved, 1 rejected"), "{stdout}");
    assert!(stderr.is_empty(), "{stderr}");
    let stored: Value =
        serde_json::from_slice(&std::fs::read(f.workspace().join("reviews.json")).unwrap())
            .unwrap();
    assert_eq!(stored["format"], "clickwork-reviews/1");
    assert_eq!(stored["reviews"]["a"]["bonus"], "0.10");
    assert_eq!(stored["reviews"]["a"]["currency"], "USD");
    assert_eq!(stored["reviews"]["b"]["reason"], "missed the sky, sorry");

    let report = f.report();
    assert_eq!(
        (
            &report["tasks_approved"],
            &report["tasks_rejected"],
            &report["tasks_pending"]
        ),
        (&json!(1), &json!(1), &json!(0))
    );
    assert_eq!(
        report["earnings"],
        json!([{"currency": "USD", "pending": "0.00", "approved": "0.05", "rejected": "0.05",
                "bonus": "0.10", "earned": "0.15", "tasks_pending": 0, "tasks_approved": 1,
                "tasks_rejected": 1}])
    );
    // b's 40 s are now unpaid: paid is a's 20 s.
    assert_eq!(report["paid_secs"], 20.0);
    assert_eq!(report["unpaid"]["rejected_secs"], 40.0);
    assert_eq!(report["unpaid_secs"], 50.0);
    // 0.15 over 20 s is 27.00 an hour; over 70 s, 7.71.
    assert_eq!(report["hourly_wage_active"], "27.00");
    assert_eq!(report["hourly_wage_all"], "7.71");
    assert_eq!(report["wage_band_active"], "above");
    assert_eq!(report["wage_band_all"], "near");

    // A JSON review later changes its mind about b; c was never submitted, so it only warns.
    let json_file = f.file(
        "review2.json",
        r#"{"requester": "Lab of Clouds",
 "reviews": [
  {"task_id": "b", "status": "approved"},
  {"task_id": "c", "status": "approved"}
 ]}"#,
    );
    let (code, stdout, stderr) = f.run(&["review", "import", &f.root(), &json_file]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("1 replaced an earlier review"), "{stdout}");
    assert!(
        stderr.contains("review2.json:4: task \"c\" was not submitted in this workspace"),
        "{stderr}"
    );
    let report = f.report();
    assert_eq!(report["tasks_approved"], 2);
    assert_eq!(report["earnings"][0]["approved"], "0.10");
}

#[test]
fn json_review_rows_are_reported_by_line_too() {
    let f = Fixture::new();
    let file = f.file(
        "review.json",
        "[\n  {\"task_id\": \"a\", \"status\": \"approved\"},\n  {\"task_id\": \"nope\",\n   \"status\": \"approved\"},\n  {\"task_id\": \"b\", \"status\": \"paid\"},\n  \"c\"\n]\n",
    );
    let (code, _, stderr) = f.run(&["review", "import", &f.root(), &file]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("review.json:3: row 2: unknown task \"nope\""),
        "{stderr}"
    );
    assert!(
        stderr.contains("review.json:5: row 3: unknown status \"paid\""),
        "{stderr}"
    );
    assert!(
        stderr.contains("review.json:6: row 4: the row is not an object"),
        "{stderr}"
    );
    assert!(!f.workspace().join("reviews.json").exists());
    let broken = f.file("broken.json", "[{\"task_id\": \"a\",,]");
    let (code, _, stderr) = f.run(&["review", "import", &f.root(), &broken]);
    assert_eq!(code, 1);
    assert!(stderr.contains("broken.json: not a JSON file"), "{stderr}");
    let missing = f.path("nowhere.csv").display().to_string();
    let (code, _, stderr) = f.run(&["review", "import", &f.root(), &missing]);
    assert_eq!(code, 1);
    assert!(stderr.contains("nowhere.csv"), "{stderr}");
}

#[test]
fn currencies_are_kept_apart_in_the_report() {
    let f = Fixture::new();
    let file = f.file(
        "review.csv",
        "task_id,status,bonus,currency\na,approved,2.50,EUR\nb,approved,,\n",
    );
    let (code, _, stderr) = f.run(&["review", "import", &f.root(), &file]);
    assert_eq!(code, 0, "{stderr}");
    let report = f.report();
    let earnings = report["earnings"].as_array().unwrap();
    assert_eq!(earnings.len(), 2);
    assert_eq!(earnings[0]["currency"], "EUR");
    assert_eq!(earnings[0]["bonus"], "2.50");
    assert_eq!(earnings[0]["approved"], "0.00");
    assert_eq!(earnings[1]["currency"], "USD");
    assert_eq!(earnings[1]["approved"], "0.10");
    assert_eq!(earnings[1]["bonus"], "0.00");
    // No single wage across two currencies: each has its own, none converted.
    assert_eq!(report["currency"], Value::Null);
    assert_eq!(report["hourly_wage_active"], Value::Null);
    let wages = report["wages"].as_array().unwrap();
    assert_eq!(wages.len(), 2);
    assert_eq!(wages[0]["currency"], "EUR");
    assert_eq!(wages[0]["hourly_wage_active"], "150.00");
    assert_eq!(wages[1]["hourly_wage_active"], "6.00");
    let bad = f.file(
        "bad.csv",
        "task_id,status,bonus,currency\na,approved,1,euro\n",
    );
    let (code, _, stderr) = f.run(&["review", "import", &f.root(), &bad]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("currency \"euro\" is not a three-letter ISO 4217 code"),
        "{stderr}"
    );
}

#[test]
fn json_review_keys_match_in_any_case_like_csv_headers() {
    let f = Fixture::new();
    let file = f.file(
        "review.json",
        r#"{"Reviews": [{"Task_Id": "a", "STATUS": "approved", "Bonus": "0.10"}]}"#,
    );
    let (code, stdout, stderr) = f.run(&["review", "import", &f.root(), &file]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("1 approved"), "{stdout}");
    let stored: Value =
        serde_json::from_slice(&std::fs::read(f.workspace().join("reviews.json")).unwrap())
            .unwrap();
    assert_eq!(stored["reviews"]["a"]["bonus"], "0.10");
}

#[test]
fn a_currency_code_in_lower_case_is_the_same_code() {
    let f = Fixture::new();
    let file = f.file(
        "review.csv",
        "task_id,status,bonus,currency\na,approved,0.10,usd\n",
    );
    let (code, _, stderr) = f.run(&["review", "import", &f.root(), &file]);
    assert_eq!(code, 0, "{stderr}");
    let stored: Value =
        serde_json::from_slice(&std::fs::read(f.workspace().join("reviews.json")).unwrap())
            .unwrap();
    assert_eq!(stored["reviews"]["a"]["currency"], "USD");
    // A code that is no code still names what is wrong.
    let bad = f.file(
        "bad.csv",
        "task_id,status,bonus,currency\na,approved,0.10,dollars\n",
    );
    let (code, _, stderr) = f.run(&["review", "import", &f.root(), &bad]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("currency \"dollars\" is not a three-letter ISO 4217 code"),
        "{stderr}"
    );
}

#[test]
fn the_review_import_record_names_the_file_absolutely_wherever_it_ran() {
    let f = Fixture::new();
    f.file("review.csv", "task_id,status\na,approved\n");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_clickwork"))
        .current_dir(f.path(""))
        .args(["review", "import", &f.root(), "review.csv", "--data-dir"])
        .arg(f.data())
        .env_remove("CLICKWORK_DATA_DIR")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let stored: Value =
        serde_json::from_slice(&std::fs::read(f.workspace().join("reviews.json")).unwrap())
            .unwrap();
    let recorded = stored["imports"][0]["file"].as_str().unwrap();
    assert_eq!(
        std::path::Path::new(recorded),
        f.path("review.csv").canonicalize().unwrap()
    );
}
