//! Hara et al. (CHI 2018)'s wage measures on our log: a task's time from opening to submitting, idle
//! or not; the hourly wage over paid task time, and over paid plus unpaid time (skipped, rejected and
//! unfinished tasks, and time with no task open: between tasks, reading before the first one).

use super::{ReviewStatus, Reviews, Wage, ledger_entries, secs, wages};
use super::{TimeSplit, Totals};
use crate::domain::worklog::{Event, Outcome, derive_times};
use serde_json::{Value, json};

/// Hara's split of wall time, and the wages over it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HaraWages {
    /// Wall time by category (`instructions_ms` stays 0: reading on a task is part of its time,
    /// as accepting-to-submitting includes it; reading with no task open is between tasks).
    pub split: TimeSplit,
    /// Per currency: earned, per hour of paid task time (`hourly_active`), per hour of all time.
    pub wages: Vec<Wage>,
}

/// The measures for one bundle's log and reviews.
pub fn hara_wages(bundle_id: &str, events: &[Event], reviews: &Reviews) -> HaraWages {
    // Wall time does not depend on the idle threshold; any will do.
    let times = derive_times(events, crate::domain::worklog::DEFAULT_IDLE_SECS * 1000);
    let mut split = TimeSplit::default();
    for task in &times.tasks {
        let rejected = reviews.get(&task.task_id).map(|r| r.status) == Some(ReviewStatus::Rejected);
        let bucket = match task.outcome {
            Outcome::Submitted if rejected => &mut split.rejected_ms,
            Outcome::Submitted => &mut split.paid_ms,
            Outcome::Skipped => &mut split.skipped_ms,
            Outcome::Open => &mut split.unfinished_ms,
        };
        *bucket += task.wall_ms;
    }
    let on_tasks: u64 = times.tasks.iter().map(|t| t.wall_ms).sum();
    split.between_tasks_ms = times.wall_ms().saturating_sub(on_tasks);
    let mut totals = Totals::default();
    for entry in ledger_entries(bundle_id, events, reviews) {
        entry.add_to(&mut totals);
    }
    HaraWages {
        wages: wages(&totals, &split),
        split,
    }
}

impl HaraWages {
    /// The keys `report --rule hara --format json` adds to the measure's object.
    pub fn json_fields(&self) -> Vec<(&'static str, Value)> {
        let s = &self.split;
        let wages: Vec<Value> = self
            .wages
            .iter()
            .map(|w| {
                json!({
                    "currency": w.currency,
                    "earned": w.earned.to_string(),
                    "hourly_wage_paid": w.hourly_active.map(|d| d.to_string()),
                    "hourly_wage_all": w.hourly_all.map(|d| d.to_string()),
                })
            })
            .collect();
        vec![
            ("paid_secs", json!(secs(s.paid_ms))),
            ("unpaid_secs", json!(secs(s.unpaid_ms()))),
            (
                "unpaid",
                json!({
                    "skipped_secs": secs(s.skipped_ms),
                    "rejected_secs": secs(s.rejected_ms),
                    "unfinished_secs": secs(s.unfinished_ms),
                    "between_tasks_secs": secs(s.between_tasks_ms),
                }),
            ),
            ("wages", Value::Array(wages)),
        ]
    }

    /// The lines `report --rule hara` adds for people.
    pub fn text(&self) -> String {
        let s = &self.split;
        let mut out = format!(
            "paid:     {} (submitted, not rejected)\nunpaid:   {} (skipped {}, rejected {}, unfinished {}, no task open {})\n",
            super::hms(s.paid_ms),
            super::hms(s.unpaid_ms()),
            super::hms(s.skipped_ms),
            super::hms(s.rejected_ms),
            super::hms(s.unfinished_ms),
            super::hms(s.between_tasks_ms),
        );
        for w in &self.wages {
            let per_hour = |d: Option<rust_decimal::Decimal>| {
                d.map_or("-".to_owned(), |d| format!("{} {d}/h", w.currency))
            };
            out.push_str(&format!(
                "wage:     {} over paid task time, {} over all time\n",
                per_hour(w.hourly_active),
                per_hour(w.hourly_all)
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ledger::Review;
    use crate::domain::worklog::{EventKind, Stamp};
    use chrono::{TimeZone, Utc};
    use rust_decimal::Decimal;

    fn ev(ms: i64, task: Option<&str>, kind: EventKind) -> Event {
        let at = Utc.with_ymd_and_hms(2026, 11, 28, 9, 0, 0).unwrap()
            + chrono::Duration::milliseconds(ms);
        let stamp = Stamp {
            at,
            mono_ms: u64::try_from(ms).unwrap(),
        };
        Event::new(stamp, "s", task, kind)
    }

    fn opened(ms: i64, task: &str) -> Event {
        let kind = EventKind::TaskOpened {
            status: "new".into(),
            regions: 0,
        };
        ev(ms, Some(task), kind)
    }

    fn submitted(ms: i64, task: &str) -> Event {
        let kind = EventKind::TaskSubmitted {
            regions: 1,
            reward: Some(Decimal::new(10, 2)),
            currency: Some("USD".into()),
        };
        ev(ms, Some(task), kind)
    }

    /// a: 60 s, approved by default (pending); b: 120 s with a 300 s idle gap inside, rejected. The
    /// rejected task's whole interval is unpaid, idle or not; only a's 0.10 USD is earned.
    #[test]
    fn a_rejected_tasks_interval_is_unpaid_and_idle_time_inside_a_task_counts() {
        let events = vec![
            opened(0, "a"),
            submitted(60_000, "a"),
            opened(60_000, "b"),
            ev(
                360_000,
                Some("b"),
                EventKind::Input {
                    first_at: Utc.with_ymd_and_hms(2026, 11, 28, 9, 6, 0).unwrap(),
                    first_mono_ms: 360_000,
                    counts: Default::default(),
                },
            ),
            submitted(420_000, "b"),
        ];
        let mut reviews = Reviews::new("x");
        reviews.reviews.insert(
            "b".into(),
            Review {
                status: ReviewStatus::Rejected,
                bonus: None,
                currency: None,
                reason: Some("sloppy".into()),
                imported_at: "2026-11-29T00:00:00Z".into(),
                source: "r.csv".into(),
                extra: Default::default(),
            },
        );
        let hara = hara_wages("x", &events, &reviews);
        assert_eq!(hara.split.paid_ms, 60_000);
        assert_eq!(hara.split.rejected_ms, 360_000);
        assert_eq!(hara.split.total_ms(), 420_000);
        let usd = &hara.wages[0];
        assert_eq!(usd.earned, Decimal::new(10, 2));
        // 0.10 over a minute is 6.00 an hour; over seven minutes, 0.86.
        assert_eq!(usd.hourly_active, Some(Decimal::new(600, 2)));
        assert_eq!(usd.hourly_all, Some(Decimal::new(86, 2)));
    }
}
