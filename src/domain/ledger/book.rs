//! The ledger: one entry per submitted task, with its reward and review, read from every workspace's
//! work log and reviews; totals for a period, a bundle or a requester.

use crate::domain::ledger::{Money, Review, ReviewStatus, Reviews, RewardState, Totals};
use crate::domain::store::{Layout, StoreError, WorkspacePaths};
use crate::domain::worklog::{
    DEFAULT_IDLE_SECS, Event, EventKind, Outcome, derive_times, read_journal,
};
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// One submitted task in the ledger.
#[derive(Clone, Debug, PartialEq)]
pub struct LedgerEntry {
    /// The bundle.
    pub bundle_id: String,
    /// Who hands the bundle out, as the log last recorded it.
    pub requester: Option<String>,
    /// The task.
    pub task_id: String,
    /// When it was (last) submitted. Every amount of the entry, its bonus included, is dated so.
    pub submitted_at: DateTime<Utc>,
    /// What it pays, as recorded at submission; `None` when the bundle states no reward.
    pub reward: Option<Money>,
    /// The requester's review, if one was imported.
    pub review: Option<Review>,
}

impl LedgerEntry {
    /// Pending until reviewed, then approved or rejected.
    pub fn state(&self) -> RewardState {
        match self.review.as_ref().map(|r| r.status) {
            None => RewardState::Pending,
            Some(ReviewStatus::Approved) => RewardState::Approved,
            Some(ReviewStatus::Rejected) => RewardState::Rejected,
        }
    }

    /// The review's bonus, with its currency.
    pub fn bonus(&self) -> Option<Money> {
        let review = self.review.as_ref()?;
        Some(Money::new(review.bonus?, review.currency.clone()?))
    }

    /// Adds this entry's reward and bonus to `totals`.
    pub fn add_to(&self, totals: &mut Totals) {
        if let Some(reward) = &self.reward {
            totals.add_reward(reward, self.state());
        }
        if let Some(bonus) = self.bonus() {
            totals.add_bonus(&bonus);
        }
    }
}

/// The ledger entries of one bundle: each task whose last outcome in `events` is a submission.
pub fn ledger_entries(bundle_id: &str, events: &[Event], reviews: &Reviews) -> Vec<LedgerEntry> {
    let requester = events.iter().rev().find_map(|e| match &e.kind {
        EventKind::BundleOpened { requester, .. } => Some(requester.clone()),
        _ => None,
    });
    let times = derive_times(events, DEFAULT_IDLE_SECS * 1000);
    times
        .tasks
        .iter()
        .filter(|t| t.outcome == Outcome::Submitted)
        .filter_map(|t| {
            Some(LedgerEntry {
                bundle_id: bundle_id.to_owned(),
                requester: requester.clone().flatten(),
                task_id: t.task_id.clone(),
                submitted_at: t.finished_at?,
                reward: match (t.reward, &t.currency) {
                    (Some(amount), Some(currency)) => Some(Money::new(amount, currency.clone())),
                    _ => None,
                },
                review: reviews.get(&t.task_id).cloned(),
            })
        })
        .collect()
}

/// Every submitted task of every bundle.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Ledger {
    /// The entries, bundle by bundle.
    pub entries: Vec<LedgerEntry>,
}

impl Ledger {
    /// Totals over every entry.
    pub fn totals(&self) -> Totals {
        self.totals_where(|_| true)
    }

    /// Totals over the entries submitted within `range` (for today, this week, this month).
    pub fn totals_within(&self, range: &Range<DateTime<Utc>>) -> Totals {
        self.totals_where(|e| range.contains(&e.submitted_at))
    }

    /// Totals over the entries `keep` accepts.
    pub fn totals_where(&self, keep: impl Fn(&LedgerEntry) -> bool) -> Totals {
        let mut totals = Totals::new();
        for entry in self.entries.iter().filter(|e| keep(e)) {
            entry.add_to(&mut totals);
        }
        totals
    }

    /// Totals per bundle id.
    pub fn totals_by_bundle(&self) -> BTreeMap<String, Totals> {
        let mut out: BTreeMap<String, Totals> = BTreeMap::new();
        for entry in &self.entries {
            entry.add_to(out.entry(entry.bundle_id.clone()).or_default());
        }
        out
    }

    /// Totals per requester (an empty name for bundles that name none).
    pub fn totals_by_requester(&self) -> BTreeMap<String, Totals> {
        let mut out: BTreeMap<String, Totals> = BTreeMap::new();
        for entry in &self.entries {
            let requester = entry.requester.clone().unwrap_or_default();
            entry.add_to(out.entry(requester).or_default());
        }
        out
    }

    /// Totals per calendar day in `tz` (for a chart of earnings per day).
    pub fn totals_by_day<Tz: TimeZone>(&self, tz: &Tz) -> BTreeMap<NaiveDate, Totals> {
        let mut out: BTreeMap<NaiveDate, Totals> = BTreeMap::new();
        for entry in &self.entries {
            let day = entry.submitted_at.with_timezone(tz).date_naive();
            entry.add_to(out.entry(day).or_default());
        }
        out
    }

    /// Replaces the entries of `bundle_id` (after a submission in the open session, say).
    pub fn replace_bundle(&mut self, bundle_id: &str, entries: Vec<LedgerEntry>) {
        self.entries.retain(|e| e.bundle_id != bundle_id);
        self.entries.extend(entries);
    }
}

/// A calendar period for totals.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Period {
    /// Since midnight.
    Today,
    /// Since Monday midnight (ISO weeks).
    ThisWeek,
    /// Since midnight on the first of the month.
    ThisMonth,
}

/// The span of `period` around `now`, in the worker's time zone `tz` (pass `chrono::Local` in the
/// app, a fixed zone in tests): from its start (inclusive) to the start of the next (exclusive).
pub fn period_range<Tz: TimeZone>(
    period: Period,
    now: DateTime<Utc>,
    tz: &Tz,
) -> Range<DateTime<Utc>> {
    let today = now.with_timezone(tz).date_naive();
    let (start, end) = match period {
        Period::Today => (today, today + Duration::days(1)),
        Period::ThisWeek => {
            let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
            (monday, monday + Duration::days(7))
        }
        Period::ThisMonth => {
            let first = today.with_day(1).unwrap_or(today);
            let next = if first.month() == 12 {
                NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
            } else {
                NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
            };
            (first, next.unwrap_or(first + Duration::days(31)))
        }
    };
    midnight(start, tz)..midnight(end, tz)
}

/// The first moment of `day` in `tz` (a day that starts in a daylight-saving gap starts when the gap
/// ends; a zone that cannot say is read as UTC).
fn midnight<Tz: TimeZone>(day: NaiveDate, tz: &Tz) -> DateTime<Utc> {
    let naive = day.and_time(chrono::NaiveTime::MIN);
    (0..=3)
        .find_map(|hour| {
            tz.from_local_datetime(&(naive + Duration::hours(hour)))
                .earliest()
        })
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&naive))
}

/// One bundle's work log and reviews, as read from its workspace.
#[derive(Clone, Debug, PartialEq)]
pub struct WorkspaceLog {
    /// The bundle.
    pub bundle_id: String,
    /// The workspace folder.
    pub dir: PathBuf,
    /// The journal's events.
    pub events: Vec<Event>,
    /// The imported reviews.
    pub reviews: Reviews,
}

impl WorkspaceLog {
    /// Reads the work log and reviews of the workspace at `dir` for `bundle_id`. Skipped journal lines
    /// are returned as warnings naming the file and line.
    pub fn load(dir: &Path, bundle_id: &str) -> Result<(WorkspaceLog, Vec<String>), StoreError> {
        let journal = WorkspacePaths::at(dir.to_owned()).journal();
        let read = read_journal(&journal)?;
        let warnings = read.describe_problems(&journal);
        let reviews = Reviews::load(dir, bundle_id)?;
        Ok((
            WorkspaceLog {
                bundle_id: bundle_id.to_owned(),
                dir: dir.to_owned(),
                events: read.events,
                reviews,
            },
            warnings,
        ))
    }

    /// This bundle's ledger entries.
    pub fn ledger_entries(&self) -> Vec<LedgerEntry> {
        ledger_entries(&self.bundle_id, &self.events, &self.reviews)
    }
}

/// Reads every workspace under `<data>/work/` that has a work log. A workspace that cannot be read is
/// left out, with a warning naming the file.
pub fn load_all_logs(data_dir: &Path) -> Result<(Vec<WorkspaceLog>, Vec<String>), StoreError> {
    let work = Layout::new(data_dir).work();
    crate::domain::io_guard::assert_off_ui_thread(&work);
    let entries = match std::fs::read_dir(&work) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), Vec::new())),
        Err(e) => return Err(StoreError::io(&work, e)),
    };
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| WorkspacePaths::at(p.clone()).journal().is_file())
        .collect();
    dirs.sort();
    let mut logs = Vec::new();
    let mut warnings = Vec::new();
    for dir in dirs {
        let bundle_id = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        match WorkspaceLog::load(&dir, &bundle_id) {
            Ok((log, more)) => {
                logs.push(log);
                warnings.extend(more);
            }
            Err(e) => warnings.push(format!("left out of the totals: {e}")),
        }
    }
    Ok((logs, warnings))
}

/// The ledger of every workspace in `logs`.
pub fn ledger_of(logs: &[WorkspaceLog]) -> Ledger {
    Ledger {
        entries: logs.iter().flat_map(WorkspaceLog::ledger_entries).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::FixedOffset;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn periods_follow_the_local_calendar() {
        // Monday 30 November 2026, 23:30 in UTC+2 (21:30 UTC): the day, the week and the month all
        // end half an hour later there.
        let now = utc("2026-11-30T21:30:00Z");
        let tz = FixedOffset::east_opt(2 * 3600).unwrap();
        let today = period_range(Period::Today, now, &tz);
        assert_eq!(today.start, utc("2026-11-29T22:00:00Z"));
        assert_eq!(today.end, utc("2026-11-30T22:00:00Z"));
        let week = period_range(Period::ThisWeek, now, &tz);
        assert_eq!(week.start, utc("2026-11-29T22:00:00Z"));
        assert_eq!(week.end, utc("2026-12-06T22:00:00Z"));
        let sunday = period_range(Period::ThisWeek, utc("2026-12-06T12:00:00Z"), &tz);
        assert_eq!(sunday.start, week.start);
        let month = period_range(Period::ThisMonth, now, &tz);
        assert_eq!(month.start, utc("2026-10-31T22:00:00Z"));
        assert_eq!(month.end, utc("2026-11-30T22:00:00Z"));
        let december = period_range(Period::ThisMonth, utc("2026-12-15T00:00:00Z"), &Utc);
        assert_eq!(december.end, utc("2027-01-01T00:00:00Z"));
        assert!(today.contains(&now));
    }
}
