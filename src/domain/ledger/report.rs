//! What the work took and what it really paid: times split into paid and unpaid, earnings per
//! currency, and the effective hourly wage two ways.

use crate::domain::ledger::{
    Earnings, Money, ReferenceWage, ReviewStatus, Reviews, Totals, hourly_wage, ledger_entries,
    wage_band,
};
use crate::domain::money::amount_text;
use crate::domain::store::format_time;
use crate::domain::worklog::{Event, EventKind, Outcome, WorkTimes, derive_times_within};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use std::ops::Range;

/// All logged active time, split so that each millisecond counts once: the paid part and the unpaid
/// categories.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TimeSplit {
    /// Active time on submitted tasks that were not rejected, less reading instructions before work.
    pub paid_ms: u64,
    /// Reading the instructions before work started in a session.
    pub instructions_ms: u64,
    /// On tasks skipped.
    pub skipped_ms: u64,
    /// With no task open, between tasks.
    pub between_tasks_ms: u64,
    /// On tasks later rejected.
    pub rejected_ms: u64,
    /// On tasks opened but not finished (yet): unpaid so far.
    pub unfinished_ms: u64,
    /// In the worker's own administration (the earnings view, the settings), whatever was open.
    pub admin_ms: u64,
    /// Waiting for a task's image to decode: the tool's wait.
    pub waiting_ms: u64,
}

impl TimeSplit {
    /// The unpaid categories together.
    pub fn unpaid_ms(&self) -> u64 {
        self.instructions_ms
            + self.skipped_ms
            + self.between_tasks_ms
            + self.rejected_ms
            + self.unfinished_ms
            + self.admin_ms
            + self.waiting_ms
    }

    /// All logged active time: paid and unpaid.
    pub fn total_ms(&self) -> u64 {
        self.paid_ms + self.unpaid_ms()
    }

    /// Adds `other`.
    pub fn add(&mut self, other: &TimeSplit) {
        self.paid_ms += other.paid_ms;
        self.instructions_ms += other.instructions_ms;
        self.skipped_ms += other.skipped_ms;
        self.between_tasks_ms += other.between_tasks_ms;
        self.rejected_ms += other.rejected_ms;
        self.unfinished_ms += other.unfinished_ms;
        self.admin_ms += other.admin_ms;
        self.waiting_ms += other.waiting_ms;
    }
}

/// Splits the active time of `times` into paid and unpaid, using the reviews to find rejected tasks.
pub fn split_time(times: &WorkTimes, reviews: &Reviews) -> TimeSplit {
    let mut split = TimeSplit::default();
    for task in &times.tasks {
        split.instructions_ms += task.instructions_before_work_ms;
        let own_ms = task
            .active_ms
            .saturating_sub(task.instructions_before_work_ms);
        let rejected = reviews.get(&task.task_id).map(|r| r.status) == Some(ReviewStatus::Rejected);
        match task.outcome {
            Outcome::Submitted if rejected => split.rejected_ms += own_ms,
            Outcome::Submitted => split.paid_ms += own_ms,
            Outcome::Skipped => split.skipped_ms += own_ms,
            Outcome::Open => split.unfinished_ms += own_ms,
        }
    }
    for session in &times.sessions {
        split.between_tasks_ms += session.between_tasks_ms;
        split.admin_ms += session.admin_ms;
        split.waiting_ms += session.waiting_ms;
        split.instructions_ms += session.instructions_before_work_ms;
    }
    split
}

/// The effective hourly wage in one currency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wage {
    /// ISO 4217 code.
    pub currency: String,
    /// Earned: pending + approved + bonus.
    pub earned: Decimal,
    /// Per hour of paid active time (submitted tasks not rejected); `None` without such time.
    pub hourly_active: Option<Decimal>,
    /// Per hour of all logged active time, unpaid included; `None` without logged time.
    pub hourly_all: Option<Decimal>,
}

/// The wages for each currency of `totals` over the time in `split`.
pub fn wages(totals: &Totals, split: &TimeSplit) -> Vec<Wage> {
    totals
        .iter()
        .map(|e| Wage {
            currency: e.currency.clone(),
            earned: e.earned(),
            hourly_active: hourly_wage(e.earned(), split.paid_ms),
            hourly_all: hourly_wage(e.earned(), split.total_ms()),
        })
        .collect()
}

/// A summary of the work on one bundle (or several, combined), optionally within a time window.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    /// The bundles covered.
    pub bundle_ids: Vec<String>,
    /// The bundle's title, as last logged (for one bundle).
    pub title: Option<String>,
    /// The requester, as last logged (for one bundle).
    pub requester: Option<String>,
    /// The workers' pseudonymous ids seen in the log.
    pub worker_ids: Vec<String>,
    /// The idle threshold, in seconds.
    pub idle_secs: u64,
    /// The window reported on, if limited.
    pub window: Option<Range<DateTime<Utc>>>,
    /// Tasks in the bundle, when known.
    pub tasks_total: Option<usize>,
    /// Tasks whose last outcome is a submission (in the window: submitted in it).
    pub tasks_submitted: usize,
    /// Tasks whose last outcome is a skip.
    pub tasks_skipped: usize,
    /// Tasks opened and not finished.
    pub tasks_open: usize,
    /// Submitted tasks approved.
    pub tasks_approved: usize,
    /// Submitted tasks rejected.
    pub tasks_rejected: usize,
    /// Sessions in the log.
    pub sessions: usize,
    /// Wall time of the sessions.
    pub wall_ms: u64,
    /// Active time, split into paid and unpaid.
    pub split: TimeSplit,
    /// The median active time of a submitted task.
    pub median_task_ms: Option<u64>,
    /// Earnings per currency.
    pub totals: Totals,
    /// Effective hourly wages per currency.
    pub wages: Vec<Wage>,
}

/// The report of bundle `bundle_id` from its work log `events` and `reviews`, at idle threshold
/// `idle_ms`; with a `window`, only time and submissions within it count.
pub fn bundle_report(
    bundle_id: &str,
    events: &[Event],
    reviews: &Reviews,
    idle_ms: u64,
    window: Option<&Range<DateTime<Utc>>>,
) -> Report {
    let times = derive_times_within(events, idle_ms, window);
    let in_window = |at: Option<DateTime<Utc>>| match (window, at) {
        (None, _) => true,
        (Some(w), Some(at)) => w.contains(&at),
        (Some(_), None) => false,
    };
    let mut report = Report {
        bundle_ids: vec![bundle_id.to_owned()],
        idle_secs: idle_ms / 1000,
        window: window.cloned(),
        sessions: times
            .sessions
            .iter()
            .filter(|s| s.wall_ms > 0 || window.is_none())
            .count(),
        wall_ms: times.wall_ms(),
        split: split_time(&times, reviews),
        ..Report::default()
    };
    for event in events {
        match &event.kind {
            EventKind::BundleOpened {
                title,
                requester,
                tasks,
                ..
            } => {
                report.title = Some(title.clone());
                report.requester = requester.clone();
                report.tasks_total = Some(*tasks);
            }
            EventKind::SessionStart { worker_id, .. } if !report.worker_ids.contains(worker_id) => {
                report.worker_ids.push(worker_id.clone());
            }
            _ => {}
        }
    }
    let mut submitted_ms = Vec::new();
    for task in &times.tasks {
        match task.outcome {
            Outcome::Submitted if in_window(task.finished_at) => {
                report.tasks_submitted += 1;
                submitted_ms.push(task.active_ms);
                match reviews.get(&task.task_id).map(|r| r.status) {
                    Some(ReviewStatus::Approved) => report.tasks_approved += 1,
                    Some(ReviewStatus::Rejected) => report.tasks_rejected += 1,
                    None => {}
                }
            }
            Outcome::Skipped if in_window(task.finished_at) => report.tasks_skipped += 1,
            Outcome::Open if task.wall_ms > 0 || window.is_none() => report.tasks_open += 1,
            _ => {}
        }
    }
    report.median_task_ms = median(&mut submitted_ms);
    for entry in ledger_entries(bundle_id, events, reviews) {
        if window.is_none_or(|w| w.contains(&entry.submitted_at)) {
            entry.add_to(&mut report.totals);
        }
    }
    report.wages = wages(&report.totals, &report.split);
    report
}

fn median(values: &mut [u64]) -> Option<u64> {
    values.sort_unstable();
    let n = values.len();
    if n == 0 {
        return None;
    }
    let upper = values.get(n / 2).copied()?;
    if n % 2 == 1 {
        return Some(upper);
    }
    let lower = values.get(n / 2 - 1).copied()?;
    Some(lower + (upper - lower) / 2)
}

impl Report {
    /// Several reports as one (for every bundle of a day, say): times and amounts add up; each
    /// currency's wage is recomputed over the time of the reports that earned in that currency (time
    /// on a bundle paying in euros never dilutes a dollar wage); medians are not combined.
    pub fn combine(reports: &[Report]) -> Report {
        let mut out = Report::default();
        let mut time_by_currency: std::collections::BTreeMap<String, TimeSplit> =
            std::collections::BTreeMap::new();
        for r in reports {
            for earnings in r.totals.iter() {
                time_by_currency
                    .entry(earnings.currency.clone())
                    .or_default()
                    .add(&r.split);
            }
        }
        for r in reports {
            out.bundle_ids.extend(r.bundle_ids.iter().cloned());
            for worker in &r.worker_ids {
                if !out.worker_ids.contains(worker) {
                    out.worker_ids.push(worker.clone());
                }
            }
            out.idle_secs = r.idle_secs;
            out.window.clone_from(&r.window);
            out.tasks_total = match (out.tasks_total, r.tasks_total) {
                (Some(a), Some(b)) => Some(a + b),
                (a, b) => a.or(b),
            };
            out.tasks_submitted += r.tasks_submitted;
            out.tasks_skipped += r.tasks_skipped;
            out.tasks_open += r.tasks_open;
            out.tasks_approved += r.tasks_approved;
            out.tasks_rejected += r.tasks_rejected;
            out.sessions += r.sessions;
            out.wall_ms += r.wall_ms;
            out.split.add(&r.split);
            out.totals.add(&r.totals);
        }
        out.wages = out
            .totals
            .iter()
            .map(|e| {
                let split = time_by_currency
                    .get(&e.currency)
                    .copied()
                    .unwrap_or_default();
                Wage {
                    currency: e.currency.clone(),
                    earned: e.earned(),
                    hourly_active: hourly_wage(e.earned(), split.paid_ms),
                    hourly_all: hourly_wage(e.earned(), split.total_ms()),
                }
            })
            .collect();
        out
    }

    /// The wage to show when there is only one currency: the one.
    pub fn wage(&self) -> Option<&Wage> {
        match self.wages.as_slice() {
            [only] => Some(only),
            _ => None,
        }
    }

    /// Tasks submitted and not reviewed yet.
    pub fn tasks_pending(&self) -> usize {
        self.tasks_submitted
            .saturating_sub(self.tasks_approved + self.tasks_rejected)
    }

    /// The report as JSON (documented in `docs/worklog-format.md`): durations in seconds as numbers,
    /// amounts as decimal strings. `reference` adds the reference wage and the wage bands.
    pub fn to_json(&self, reference: Option<&ReferenceWage>) -> Value {
        let single = self.wage();
        let band = |amount: Option<Decimal>| -> Value {
            let (Some(wage), Some(reference), Some(amount)) = (single, reference, amount) else {
                return Value::Null;
            };
            wage_band(&Money::new(amount, wage.currency.clone()), reference)
                .map_or(Value::Null, |b| b.name().into())
        };
        let amount = |d: Option<Decimal>| d.map_or(Value::Null, |d| amount_text(d).into());
        json!({
            "format": "clickwork-report/1",
            "bundle_id": self.bundle_ids.first(),
            "title": self.title,
            "requester": self.requester,
            "worker_ids": self.worker_ids,
            "idle_secs": self.idle_secs,
            "from": self.window.as_ref().map(|w| format_time(w.start)),
            "to": self.window.as_ref().map(|w| format_time(w.end)),
            "sessions": self.sessions,
            "tasks": self.tasks_total,
            "tasks_submitted": self.tasks_submitted,
            "tasks_skipped": self.tasks_skipped,
            "tasks_open": self.tasks_open,
            "tasks_pending": self.tasks_pending(),
            "tasks_approved": self.tasks_approved,
            "tasks_rejected": self.tasks_rejected,
            "wall_secs": secs(self.wall_ms),
            "active_secs": secs(self.split.total_ms()),
            "paid_secs": secs(self.split.paid_ms),
            "unpaid_secs": secs(self.split.unpaid_ms()),
            "unpaid": {
                "instructions_secs": secs(self.split.instructions_ms),
                "skipped_secs": secs(self.split.skipped_ms),
                "between_tasks_secs": secs(self.split.between_tasks_ms),
                "rejected_secs": secs(self.split.rejected_ms),
                "unfinished_secs": secs(self.split.unfinished_ms),
                "admin_secs": secs(self.split.admin_ms),
                "waiting_secs": secs(self.split.waiting_ms),
            },
            "median_task_secs": self.median_task_ms.map(secs),
            "currency": single.map(|w| w.currency.clone()),
            "hourly_wage_active": amount(single.and_then(|w| w.hourly_active)),
            "hourly_wage_all": amount(single.and_then(|w| w.hourly_all)),
            "wages": self.wages.iter().map(|w| json!({
                "currency": w.currency,
                "earned": amount_text(w.earned),
                "hourly_wage_active": amount(w.hourly_active),
                "hourly_wage_all": amount(w.hourly_all),
            })).collect::<Vec<_>>(),
            "earnings": self.totals.iter().map(earnings_json).collect::<Vec<_>>(),
            "reference_wage": reference.map(|r| json!({
                "amount": amount_text(r.amount),
                "currency": r.currency,
                "name": r.name,
            })),
            "wage_band_active": band(single.and_then(|w| w.hourly_active)),
            "wage_band_all": band(single.and_then(|w| w.hourly_all)),
        })
    }

    /// The report for a person to read.
    pub fn to_text(&self, reference: Option<&ReferenceWage>) -> String {
        let mut out = String::new();
        let mut line = |label: &str, text: String| out.push_str(&format!("{label:<11}{text}\n"));
        let bundle = self.bundle_ids.join(", ");
        match &self.title {
            Some(title) => line("bundle:", format!("{title} ({bundle})")),
            None => line("bundle:", bundle),
        }
        if let Some(requester) = &self.requester {
            line("requester:", requester.clone());
        }
        if let Some(w) = &self.window {
            line(
                "period:",
                format!("{} to {}", format_time(w.start), format_time(w.end)),
            );
        }
        line(
            "sessions:",
            format!(
                "{}; idle rule: a gap of {} s or more between events is idle",
                self.sessions, self.idle_secs
            ),
        );
        let total = self
            .tasks_total
            .map(|n| format!(" of {n}"))
            .unwrap_or_default();
        line(
            "tasks:",
            format!(
                "{} submitted{total} ({} pending, {} approved, {} rejected), {} skipped, {} unfinished",
                self.tasks_submitted,
                self.tasks_pending(),
                self.tasks_approved,
                self.tasks_rejected,
                self.tasks_skipped,
                self.tasks_open
            ),
        );
        line(
            "time:",
            format!(
                "{} wall, {} active: {} paid, {} unpaid",
                hms(self.wall_ms),
                hms(self.split.total_ms()),
                hms(self.split.paid_ms),
                hms(self.split.unpaid_ms())
            ),
        );
        line(
            "unpaid:",
            format!(
                "{} instructions before work, {} skipped tasks, {} between tasks, {} rejected tasks, {} unfinished tasks, {} own administration, {} waiting for images",
                hms(self.split.instructions_ms),
                hms(self.split.skipped_ms),
                hms(self.split.between_tasks_ms),
                hms(self.split.rejected_ms),
                hms(self.split.unfinished_ms),
                hms(self.split.admin_ms),
                hms(self.split.waiting_ms)
            ),
        );
        if let Some(median) = self.median_task_ms {
            line("per task:", format!("{} median active time", hms(median)));
        }
        if self.totals.is_empty() {
            line("earnings:", "none recorded".to_owned());
        }
        for e in self.totals.iter() {
            line(
                "earnings:",
                format!(
                    "{c} {} pending, {c} {} approved, {c} {} rejected, {c} {} bonus",
                    amount_text(e.pending),
                    amount_text(e.approved),
                    amount_text(e.rejected),
                    amount_text(e.bonus),
                    c = e.currency
                ),
            );
        }
        for w in &self.wages {
            let per_hour = |d: Option<Decimal>| {
                d.map_or("n/a".to_owned(), |d| {
                    let band = reference
                        .and_then(|r| wage_band(&Money::new(d, w.currency.clone()), r))
                        .map(|b| format!(" [{}]", b.colour_name()))
                        .unwrap_or_default();
                    format!("{} {}/h{band}", w.currency, amount_text(d))
                })
            };
            line(
                "wage:",
                format!(
                    "{} over paid active time; {} over all logged time",
                    per_hour(w.hourly_active),
                    per_hour(w.hourly_all)
                ),
            );
        }
        if let Some(r) = reference {
            line(
                "reference:",
                format!(
                    "{} {} {}/h (red below, orange up to 1.4x, green above)",
                    r.name,
                    r.currency,
                    amount_text(r.amount)
                ),
            );
        }
        out
    }
}

fn earnings_json(e: &Earnings) -> Value {
    json!({
        "currency": e.currency,
        "pending": amount_text(e.pending),
        "approved": amount_text(e.approved),
        "rejected": amount_text(e.rejected),
        "bonus": amount_text(e.bonus),
        "earned": amount_text(e.earned()),
        "tasks_pending": e.tasks_pending,
        "tasks_approved": e.tasks_approved,
        "tasks_rejected": e.tasks_rejected,
    })
}

pub use crate::domain::worklog::{hms, secs};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_and_durations_read_well() {
        assert_eq!(amount_text(Decimal::new(12000, 3)), "12.00");
        assert_eq!(amount_text(Decimal::new(1, 1)), "0.10");
        assert_eq!(amount_text(Decimal::new(12, 3)), "0.012");
        assert_eq!(amount_text(Decimal::ZERO), "0.00");
        assert_eq!(hms(3_725_999), "1:02:05");
        assert_eq!(secs(1500), 1.5);
        assert_eq!(median(&mut [5, 1, 3]), Some(3));
        assert_eq!(median(&mut [4, 1, 3, 2]), Some(2));
        assert_eq!(median(&mut []), None);
    }
}
