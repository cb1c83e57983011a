//! What a session tells the work log (input, panels, focus, pauses, the end) and what it reads back
//! from it and the ledger (the live task clock, reports, reviews).

use super::Session;
use crate::domain::bundle::Bundle;
use crate::domain::edit::Edit;
use crate::domain::ledger::{
    ImportSummary, LedgerEntry, Report, ReviewImportError, Reviews, bundle_report, import_reviews,
    ledger_entries,
};
use crate::domain::worklog::{EventKind, InputKind, Outcome, Recorder, TaskClock, derive_times};
use chrono::{DateTime, Utc};
use std::collections::HashSet;
use std::ops::Range;
use std::path::Path;

impl Session {
    /// Records one input (a press, a drag frame, a key, a wheel step, a pointer movement) on the open
    /// task. Inputs are coalesced into one `input` line per burst: the window may call this every frame.
    pub fn record_input(&mut self, kind: InputKind, now: DateTime<Utc>) {
        let task_id = self.task.id.clone();
        self.log.input(Some(&task_id), kind, now);
    }

    /// Writes the input burst in progress if it is over by `now`. Optional (a burst is written anyway
    /// before the next event); calling it from the frame loop keeps the journal current.
    pub fn tick(&mut self, now: DateTime<Utc>) {
        self.log.tick(now);
    }

    /// Records that the worker turned to the open task: a press on the image, a tool or a label
    /// picked. Written once per visit, before its first edit, as `work_started`; it ends the reading
    /// of the instructions (see `docs/worklog-format.md`). Later calls in the visit do nothing.
    pub fn work_started(&mut self, now: DateTime<Utc>) {
        if !self.visit_worked {
            self.visit_worked = true;
            self.log_task(EventKind::WorkStarted, now);
        }
    }

    /// Records the worker's own administration opening (`Some("earnings")`, `Some("settings")`) or
    /// closing (`None`); only changes are recorded. Its time is unpaid and not the task's.
    pub fn admin_changed(&mut self, view: Option<&str>, now: DateTime<Utc>) {
        // Called every frame: borrow the id rather than copy it.
        self.log.set_admin(view, Some(&self.task.id), now);
    }

    /// Records that the open task's image is being decoded (`true`) or is shown or failed; only
    /// changes are recorded. The wait is the tool's, logged as its own interval.
    pub fn image_waiting(&mut self, waiting: bool, now: DateTime<Utc>) {
        // Called every frame: borrow the id rather than copy it.
        self.log.set_waiting(waiting, Some(&self.task.id), now);
    }

    /// Records that the instructions panel is shown (nothing if it already was).
    pub fn instructions_shown(&mut self, now: DateTime<Utc>) {
        let task_id = self.task.id.clone();
        self.log.set_instructions(true, Some(&task_id), now);
    }

    /// Records that the instructions panel is hidden (nothing if it already was).
    pub fn instructions_hidden(&mut self, now: DateTime<Utc>) {
        let task_id = self.task.id.clone();
        self.log.set_instructions(false, Some(&task_id), now);
    }

    /// Compares the system's wall clock (`wall`, read by the window) with the session's `now`, and
    /// records a step between them in the work log (see [`crate::domain::worklog::Recorder::note_wall_clock`]).
    pub fn wall_clock(&mut self, wall: DateTime<Utc>, now: DateTime<Utc>) {
        self.log.note_wall_clock(wall, Some(&self.task.id), now);
    }

    /// Records the window gaining (`true`) or losing the focus; only changes are recorded.
    pub fn focus_changed(&mut self, focused: bool, now: DateTime<Utc>) {
        let task_id = self.task.id.clone();
        self.log.set_focus(focused, Some(&task_id), now);
    }

    /// The worker pauses the clock (a break): the time until [`Session::resume`] is not active.
    pub fn pause(&mut self, now: DateTime<Utc>) {
        let task_id = self.task.id.clone();
        self.log.set_paused(true, Some(&task_id), now);
    }

    /// The worker resumes after a pause.
    pub fn resume(&mut self, now: DateTime<Utc>) {
        let task_id = self.task.id.clone();
        self.log.set_paused(false, Some(&task_id), now);
    }

    /// True while paused.
    pub fn is_paused(&self) -> bool {
        self.log.is_paused()
    }

    /// Ends the work-log session: writes the last input burst and `session_end`, and waits until the
    /// journal is on disk (and every save too). Call it when the window closes or before opening
    /// another bundle; the session records nothing after it.
    pub fn end(&mut self, now: DateTime<Utc>) {
        self.log.end(now);
        self.saver.flush();
    }

    /// The work log: this session's id, the worker's id, and every event of the bundle's journal.
    pub fn worklog(&self) -> &Recorder {
        &self.log
    }

    /// The open task's active time as a live display shows it at `now` (summed over every visit), with
    /// idle threshold `idle_ms`, and whether it is counting. Cheap to call every frame: the log is
    /// replayed only after a new event.
    pub fn task_clock(&self, now: DateTime<Utc>, idle_ms: u64) -> TaskClock {
        self.log.task_clock(&self.task.id, now, idle_ms)
    }

    /// The bundle's report (times, unpaid time, earnings, wages) from the work log so far, at idle
    /// threshold `idle_ms`; with `window`, only that span (for example today, from
    /// `ledger::period_range`).
    pub fn report(&self, idle_ms: u64, window: Option<&Range<DateTime<Utc>>>) -> Report {
        let mut report = bundle_report(
            &self.bundle.id,
            self.log.events(),
            &self.reviews,
            idle_ms,
            window,
        );
        report.tasks_total = Some(self.bundle.tasks.len());
        report
    }

    /// The bundle's ledger entries (one per submitted task), to refresh a `ledger::Ledger` with.
    pub fn ledger_entries(&self) -> Vec<LedgerEntry> {
        ledger_entries(&self.bundle.id, self.log.events(), &self.reviews)
    }

    /// The requester's reviews imported so far.
    pub fn reviews(&self) -> &Reviews {
        &self.reviews
    }

    /// What applying a review file needs, to run off this thread: see [`ReviewImport::run`].
    pub fn review_import(&self) -> ReviewImport {
        let submitted: HashSet<String> = derive_times(self.log.events(), 1000)
            .tasks
            .into_iter()
            .filter(|t| t.outcome == Outcome::Submitted)
            .map(|t| t.task_id)
            .collect();
        ReviewImport {
            workspace_dir: self.workspace.dir().to_owned(),
            bundle: self.bundle.clone(),
            submitted,
        }
    }

    /// Takes the reviews an import wrote.
    pub fn set_reviews(&mut self, reviews: Reviews) {
        self.reviews = reviews;
    }

    /// Applies a requester's review file (CSV or JSON) to this bundle, here and now: all rows or, if
    /// any row is wrong, none (the error lists every bad row with its line).
    pub fn import_reviews(
        &mut self,
        file: &Path,
        now: DateTime<Utc>,
    ) -> Result<ImportSummary, ReviewImportError> {
        if self.is_read_only() {
            return Err(ReviewImportError::File {
                path: file.to_owned(),
                message: "not imported: this window is read-only".to_owned(),
            });
        }
        let (summary, reviews) = self.review_import().run(file, now)?;
        self.reviews = reviews;
        Ok(summary)
    }

    pub(super) fn log_task(&mut self, kind: EventKind, now: DateTime<Utc>) {
        let task_id = self.task.id.clone();
        self.log.record(Some(&task_id), kind, now);
    }

    pub(super) fn log_task_opened(&mut self, now: DateTime<Utc>) {
        self.visit_worked = false;
        let kind = EventKind::TaskOpened {
            status: self.file.status.name().to_owned(),
            regions: self.annotation.regions.len(),
        };
        self.log_task(kind, now);
    }
}

/// The work-log event for `edit` (recorded once it applied).
pub(super) fn edit_event(edit: &Edit, drawing_ms: Option<u64>) -> EventKind {
    match edit {
        Edit::AddRegion { region, .. } => EventKind::RegionCreated {
            region_id: region.id.clone(),
            label: region.label.clone(),
            shape: region.shape.kind().name().to_owned(),
            vertices: region.shape.points().len(),
            drawing_ms,
        },
        Edit::DeleteRegion { id } => EventKind::RegionDeleted {
            region_id: id.clone(),
        },
        other => EventKind::RegionEdited {
            region_id: other.region_id().to_owned(),
            edit: other.name().to_owned(),
            drawing_ms,
        },
    }
}

/// A review import prepared by [`Session::review_import`], to run on a thread that may wait for the
/// disk.
#[derive(Clone, Debug)]
pub struct ReviewImport {
    workspace_dir: std::path::PathBuf,
    bundle: Bundle,
    submitted: HashSet<String>,
}

impl ReviewImport {
    /// Applies `file` (all rows or none) and reads back the reviews as they now are.
    pub fn run(
        &self,
        file: &Path,
        now: DateTime<Utc>,
    ) -> Result<(ImportSummary, Reviews), ReviewImportError> {
        let summary = import_reviews(
            &self.workspace_dir,
            &self.bundle,
            file,
            &self.submitted,
            now,
        )?;
        let reviews = Reviews::load(&self.workspace_dir, &self.bundle.id)?;
        Ok((summary, reviews))
    }
}
