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
