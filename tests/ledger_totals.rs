//! Ledger arithmetic over work logs: fractional-cent rewards add up exactly, totals per day, week,
//! month, bundle and requester keep currencies apart, and the earnings of several bundles combine.
// Tests stop at the line that failed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(clippy::print_stdout, clippy::print_stderr, missing_docs)]

use chrono::{DateTime, Duration, FixedOffset, TimeZone, Utc};
use clickwork::domain::ledger::{
    Money, Period, Report, Reviews, bundle_report, goal_progress, ledger_of, load_all_logs,
    period_range,
};
use clickwork::domain::worklog::{Event, EventKind, JournalFile, Stamp};
use rust_decimal::Decimal;
use std::path::Path;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 0).unwrap()
}

/// A session starting at `start` that submits `tasks` tasks paying `reward` in `currency`, one every
/// 30 seconds.
fn session(
    id: &str,
    start: DateTime<Utc>,
    requester: &str,
    reward: Decimal,
    currency: &str,
    tasks: u64,
) -> Vec<Event> {
    let ev = |secs: u64, task: Option<&str>, kind: EventKind| {
        let stamp = Stamp {
            at: start + Duration::seconds(secs as i64),
            mono_ms: secs * 1000,
        };
        Event::new(stamp, id, task, kind)
    };
    let mut events = vec![ev(
        0,
        None,
        EventKind::BundleOpened {
            bundle_id: "b".into(),
            title: "B".into(),
            requester: Some(requester.into()),
            reward: Some(reward),
            currency: Some(currency.into()),
            tasks: tasks as usize,
            manifest_sha256: String::new(),
        },
    )];
    for i in 0..tasks {
        let task = format!("{id}-t{i}");
        events.push(ev(
            i * 30,
            Some(&task),
            EventKind::TaskOpened {
                status: "new".into(),
                regions: 0,
            },
        ));
        events.push(ev(
            i * 30 + 30,
            Some(&task),
            EventKind::TaskSubmitted {
                regions: 1,
                reward: Some(reward),
                currency: Some(currency.into()),
            },
        ));
    }
    events
}

#[test]
fn a_thousand_rewards_of_point_012_are_exactly_twelve() {
    let events = session("s", t0(), "Lab", Decimal::new(12, 3), "USD", 1000);
    let report = bundle_report("b", &events, &Reviews::new("b"), 100_000, None);
    let usd = report.totals.get("USD").unwrap();
    assert_eq!(usd.pending, Decimal::from(12));
    assert_eq!(usd.tasks_pending, 1000);
    assert_eq!(report.tasks_submitted, 1000);
    // 12 USD over 30,000 s of paid work: 1.44 an hour, exactly.
    assert_eq!(report.split.paid_ms, 30_000_000);
    assert_eq!(
        report.wage().unwrap().hourly_active,
        Some(Decimal::new(144, 2))
    );
    assert_eq!(report.to_json(None)["earnings"][0]["pending"], "12.00");
}

fn write_log(data: &Path, bundle: &str, events: &[Event]) {
    let mut journal = JournalFile::new(data.join("work").join(bundle).join("worklog.jsonl"));
    for event in events {
        journal.append(event, false).unwrap();
    }
}

#[test]
fn totals_per_period_bundle_and_requester_keep_currencies_apart() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    // Thursday 26 November: 10 tasks at 0.05 USD for the lab; Monday 30 November: 4 at 0.50 GBP for a
    // shop and 2 more for the lab; a bundle of 3 from October.
    let mut lab = session("s1", t0(), "Lab", Decimal::new(5, 2), "USD", 10);
    lab.extend(session(
        "s2",
        t0() + Duration::days(4),
        "Lab",
        Decimal::new(5, 2),
        "USD",
        2,
    ));
    write_log(data, "lab-bundle", &lab);
    let shop = session(
        "s3",
        t0() + Duration::days(4) + Duration::hours(2),
        "Shop",
        Decimal::new(50, 2),
        "GBP",
        4,
    );
    write_log(data, "shop-bundle", &shop);
    let old = session(
        "s4",
        t0() - Duration::days(40),
        "Lab",
        Decimal::new(1, 1),
        "USD",
        3,
    );
    write_log(data, "old-bundle", &old);
    std::fs::create_dir_all(data.join("work/never-worked")).unwrap();

    let (logs, warnings) = load_all_logs(data).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    let ids: Vec<&str> = logs.iter().map(|l| l.bundle_id.as_str()).collect();
    assert_eq!(ids, ["lab-bundle", "old-bundle", "shop-bundle"]);
    let ledger = ledger_of(&logs);
    assert_eq!(ledger.entries.len(), 19);

    let now = t0() + Duration::days(4) + Duration::hours(5);
    let tz = FixedOffset::east_opt(3600).unwrap();
    let today = ledger.totals_within(&period_range(Period::Today, now, &tz));
    assert_eq!(today.get("USD").unwrap().pending, Decimal::new(10, 2));
    assert_eq!(today.get("GBP").unwrap().pending, Decimal::from(2));
    let week = ledger.totals_within(&period_range(Period::ThisWeek, now, &tz));
    assert_eq!(week.get("USD").unwrap().pending, Decimal::new(10, 2));
    let month = ledger.totals_within(&period_range(Period::ThisMonth, now, &tz));
    assert_eq!(month.get("USD").unwrap().pending, Decimal::new(60, 2));
    let all = ledger.totals();
    assert_eq!(all.get("USD").unwrap().pending, Decimal::new(90, 2));

    let by_requester = ledger.totals_by_requester();
    assert_eq!(
        by_requester["Lab"].get("USD").unwrap().pending,
        Decimal::new(90, 2)
    );
    assert!(by_requester["Lab"].get("GBP").is_none());
    assert_eq!(by_requester["Shop"].get("GBP").unwrap().tasks_pending, 4);
    let by_bundle = ledger.totals_by_bundle();
    assert_eq!(by_bundle.len(), 3);
    let by_day = ledger.totals_by_day(&tz);
    assert_eq!(by_day.len(), 3);

    let goal = goal_progress(&today, &Money::new(Decimal::from(4), "GBP"));
    assert_eq!(goal.fraction, Decimal::new(5, 1));

    // A day's report over every bundle: times within the day, earnings per currency, no conversion.
    let window = period_range(Period::Today, now, &tz);
    let reports: Vec<Report> = logs
        .iter()
        .map(|l| bundle_report(&l.bundle_id, &l.events, &l.reviews, 100_000, Some(&window)))
        .collect();
    let day = Report::combine(&reports);
    assert_eq!(day.tasks_submitted, 6);
    assert_eq!(day.split.paid_ms, 6 * 30_000);
    assert_eq!(day.wages.len(), 2);
    assert!(day.wage().is_none());
    // Each currency over the time of the bundles that paid in it: 2 GBP over the shop's 2 minutes,
    // 0.10 USD over the lab's minute.
    let gbp = day.wages.iter().find(|w| w.currency == "GBP").unwrap();
    assert_eq!(gbp.hourly_active, Some(Decimal::from(60)));
    let usd = day.wages.iter().find(|w| w.currency == "USD").unwrap();
    assert_eq!(usd.hourly_active, Some(Decimal::new(600, 2)));
}
