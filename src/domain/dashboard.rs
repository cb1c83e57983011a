//! The numbers the earnings and time view shows, computed from every workspace's work log: totals per
//! period and bundle, the effective wage against the worker's reference, the daily goal, a row per task,
//! and how the session's hourly wage evolved. Pure functions of the logs, the settings and `now`.

use crate::domain::ledger::{
    GoalProgress, Ledger, Money, Period, ReferenceWage, ReviewStatus, TimeSplit, Totals, Wage,
    WageBand, WorkspaceLog, goal_progress, hourly_wage, ledger_of, period_range, split_time,
    wage_band, wages,
};
use crate::domain::settings::Settings;
use crate::domain::worklog::{Event, EventKind, derive_times, derive_times_within};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// At most this many points on the wage-over-the-session curve (each point replays the log).
const MAX_CURVE_POINTS: usize = 120;

/// One task as the view's table lists it.
#[derive(Clone, Debug, PartialEq)]
pub struct TaskRow {
    /// The bundle.
    pub bundle_id: String,
    /// The task.
    pub task_id: String,
    /// Active milliseconds at the worker's idle threshold.
    pub active_ms: u64,
    /// Wall-clock milliseconds the task was open.
    pub wall_ms: u64,
    /// Regions made.
    pub regions: u32,
    /// open, submitted, skipped, approved or rejected.
    pub status: String,
    /// What it pays, if it was submitted with a reward.
    pub reward: Option<Money>,
}

/// Everything the earnings and time view shows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Dashboard {
    /// Today, this week, this month.
    pub periods: Vec<(Period, Totals)>,
    /// Per bundle, all time.
    pub by_bundle: BTreeMap<String, Totals>,
    /// Per requester, all time (an empty name for bundles that state none).
    pub by_requester: BTreeMap<String, Totals>,
    /// All logged time, paid and unpaid.
    pub split: TimeSplit,
    /// Effective hourly wage per currency, two ways (active on submitted tasks; all logged time).
    pub wages: Vec<Wage>,
    /// Today's earnings against the daily goal, when one is set.
    pub goal: Option<GoalProgress>,
    /// Earnings per day, oldest first.
    pub daily: Vec<(NaiveDate, Totals)>,
    /// Every task in the logs.
    pub rows: Vec<TaskRow>,
    /// The idle threshold the times use, in seconds.
    pub idle_secs: u64,
}

impl Dashboard {
    /// The band of the all-time hourly wage in `currency` against the reference (None when the
    /// currencies differ or nothing was earned).
    pub fn band(&self, currency: &str, reference: &ReferenceWage) -> Option<WageBand> {
        let wage = self.wages.iter().find(|w| w.currency == currency)?;
        wage_band(&Money::new(wage.hourly_all?, currency), reference)
    }
}

/// Computes the view from `logs` (see [`crate::domain::ledger::load_all_logs`]).
pub fn dashboard<Tz: TimeZone>(
    logs: &[WorkspaceLog],
    settings: &Settings,
    now: DateTime<Utc>,
    tz: &Tz,
) -> Dashboard {
    let idle_ms = settings.idle_ms();
    let ledger: Ledger = ledger_of(logs);
    let periods: Vec<(Period, Totals)> = [Period::Today, Period::ThisWeek, Period::ThisMonth]
        .into_iter()
        .map(|p| (p, ledger.totals_within(&period_range(p, now, tz))))
        .collect();
    let mut split = TimeSplit::default();
    let mut rows = Vec::new();
    for log in logs {
        let times = derive_times(&log.events, idle_ms);
        split.add(&split_time(&times, &log.reviews));
        let entries = log.ledger_entries();
        for task in &times.tasks {
            let review = log.reviews.get(&task.task_id).map(|r| r.status);
            let status = match review {
                Some(ReviewStatus::Approved) => "approved".to_owned(),
                Some(ReviewStatus::Rejected) => "rejected".to_owned(),
                None => task.outcome.name().to_owned(),
            };
            let reward = entries
                .iter()
                .rev()
                .find(|e| e.task_id == task.task_id)
                .and_then(|e| e.reward.clone());
            rows.push(TaskRow {
                bundle_id: log.bundle_id.clone(),
                task_id: task.task_id.clone(),
                active_ms: task.active_ms,
                wall_ms: task.wall_ms,
                regions: task.regions,
                status,
                reward,
            });
        }
    }
    let today = periods.first().map(|(_, t)| t.clone()).unwrap_or_default();
    Dashboard {
        wages: wages(&ledger.totals(), &split),
        goal: settings
            .daily_goal
            .as_ref()
            .map(|goal| goal_progress(&today, goal)),
        daily: ledger.totals_by_day(tz).into_iter().collect(),
        by_bundle: ledger.totals_by_bundle(),
        by_requester: ledger.totals_by_requester(),
        periods,
        split,
        rows,
        idle_secs: settings.idle_secs,
    }
}

/// How the effective hourly wage (earned so far over all logged active time so far, unpaid time
/// included) evolved during session `session_id` of one bundle's log: one point per submitted task,
/// as (minutes since the session started, wage per hour in `currency`).
pub fn wage_curve(
    log: &WorkspaceLog,
    session_id: &str,
    currency: &str,
    idle_ms: u64,
) -> Vec<(f64, Decimal)> {
    let session: Vec<&Event> = log
        .events
        .iter()
        .filter(|e| e.session_id == session_id)
        .collect();
    let Some(start) = session.first().map(|e| e.at) else {
        return Vec::new();
    };
    let submits: Vec<DateTime<Utc>> = session
        .iter()
        .filter(|e| matches!(e.kind, EventKind::TaskSubmitted { .. }))
        .map(|e| e.at)
        .collect();
    let step = submits.len().div_ceil(MAX_CURVE_POINTS).max(1);
    let entries = log.ledger_entries();
    submits
        .iter()
        .enumerate()
        .filter(|(i, _)| (i + 1) % step == 0 || i + 1 == submits.len())
        .filter_map(|(_, &at)| {
            let window = start..at + chrono::Duration::milliseconds(1);
            let prefix: Vec<Event> = session
                .iter()
                .filter(|e| e.at <= at)
                .map(|e| (*e).clone())
                .collect();
            let times = derive_times_within(&prefix, idle_ms, Some(&window));
            let logged_ms: u64 = times.sessions.iter().map(|s| s.active_ms).sum();
            let earned: Decimal = entries
                .iter()
                .filter(|e| e.submitted_at >= start && e.submitted_at <= at)
                .filter_map(|e| e.reward.as_ref())
                .filter(|m| m.currency == currency)
                .map(|m| m.amount)
                .sum();
            let minutes = (at - start).num_milliseconds() as f64 / 60_000.0;
            hourly_wage(earned, logged_ms).map(|wage| (minutes, wage))
        })
        .collect()
}
