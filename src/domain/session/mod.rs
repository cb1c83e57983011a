//! A worker's session on one bundle: which task is open, its annotation and undo history, and saving
//! every finished change. The window drives it; tests drive it directly.
//!
//! The session also records the work log (`worklog.jsonl` in the workspace) itself: opening, task
//! visits, edits, undo and redo, submissions and skips are logged by the methods that do them; the
//! window adds what only it sees (input, the instructions panel, focus, pauses) through
//! [`Session::record_input`] and its neighbours, and ends the session with [`Session::end`].

use crate::domain::annotation::{Annotation, TaskStatus};
use crate::domain::bundle::{Bundle, Task};
use crate::domain::edit::{Edit, EditError};
use crate::domain::history::History;
use crate::domain::hit_index::{HitIndex, Hits};
use crate::domain::ledger::Reviews;
use crate::domain::store::{Access, AnnotationFile, OpenReport, Saver, StoreError, Workspace};
use crate::domain::worklog::{EventKind, Recorder};
use chrono::{DateTime, Utc};
use std::path::Path;
use std::sync::OnceLock;
use task_files::{Loaded, TaskFiles};

mod task_files;
mod worklog;

pub use worklog::ReviewImport;
use worklog::edit_event;

/// Why a task could not be submitted (or skipped).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SubmitRefused {
    /// The session is read-only: another window holds the data folder.
    #[error("this window is read-only: nothing can be submitted or skipped here")]
    ReadOnly,
    /// The bundle asks for more regions than the task has.
    #[error("this task needs at least {needed} region(s); it has {have}")]
    TooFewRegions {
        /// The bundle's `min_regions`.
        needed: u32,
        /// Regions drawn so far.
        have: usize,
    },
}

/// The open bundle, its workspace and the task being worked on.
#[derive(Debug)]
pub struct Session {
    bundle: Bundle,
    workspace: Workspace,
    saver: Saver,
    statuses: Vec<TaskStatus>,
    current: usize,
    /// A copy of `bundle.tasks[current]`, so that reading it needs no index.
    task: Task,
    file: AnnotationFile,
    annotation: Annotation,
    /// The annotation's spatial index for hit tests, built when one asks; emptied at every change.
    hit_index: OnceLock<HitIndex>,
    history: History,
    warnings: Vec<String>,
    /// This session's side of the work log.
    log: Recorder,
    /// The requester's reviews of this bundle, as imported.
    reviews: Reviews,
    /// Annotation files of the tasks around the open one, read ahead.
    files: TaskFiles,
    /// A task the worker asked for whose file is still being read.
    pending: Option<usize>,
    /// Work on the open task began in this visit (a `work_started` or an edit is in the log).
    visit_worked: bool,
}

impl Session {
    /// Opens `bundle`'s workspace under `data_dir` and resumes at the task the worker was on (else the
    /// first unfinished one). Saves go through `saver`. Starts a work-log session at `now`: its
    /// `session_start` (with `worker_id`, the pseudonymous id of the worker's settings, whose one owner
    /// is the caller), `bundle_opened` and the first `task_opened`.
    pub fn open(
        bundle: Bundle,
        data_dir: &Path,
        saver: Saver,
        worker_id: &str,
        now: DateTime<Utc>,
    ) -> Result<(Session, OpenReport), StoreError> {
        Self::open_with(bundle, data_dir, saver, worker_id, now, Access::ReadWrite)
    }

    /// Like [`Session::open`] with `access`. A read-only session shows what is on disk and writes
    /// nothing: edits, submissions and skips are refused, the work log records nothing, and where to
    /// resume is not remembered. `saver` should then be a [`Saver::read_only`], so that even a
    /// mistake writes nothing.
    pub fn open_with(
        bundle: Bundle,
        data_dir: &Path,
        saver: Saver,
        worker_id: &str,
        now: DateTime<Utc>,
        access: Access,
    ) -> Result<(Session, OpenReport), StoreError> {
        let (workspace, report) = Workspace::open_with(data_dir, &bundle, now, access)?;
        let by_id = workspace.statuses(&bundle);
        let statuses: Vec<TaskStatus> = bundle
            .tasks
            .iter()
            .map(|t| by_id.get(&t.id).copied().unwrap_or_default())
            .collect();
        let resume = workspace
            .current_task()
            .and_then(|id| bundle.tasks.iter().position(|t| t.id == id))
            .or_else(|| statuses.iter().position(|s| !s.is_finished()))
            .unwrap_or(0);
        let task = bundle
            .tasks
            .get(resume)
            .ok_or_else(|| StoreError::Mismatch {
                path: bundle.source.clone(),
                message: "the bundle has no tasks".to_owned(),
            })?;
        let files = TaskFiles::new(workspace.paths().clone(), &bundle.id, access);
        let (file, warning) = files.read_now(task, now)?;
        let task = task.clone();
        let mut warnings: Vec<String> = warning.into_iter().collect();
        let mut log =
            Recorder::start_with(workspace.paths().journal(), worker_id, &bundle, now, access);
        if let Some(change) = &report.manifest_change {
            let changed = change.image_changed.iter().map(|id| (id.as_str(), false));
            let reencoded = change.image_reencoded.iter().map(|id| (id.as_str(), true));
            let kept_by_id: std::collections::HashMap<&str, bool> =
                changed.chain(reencoded).collect();
            for task in &bundle.tasks {
                if let Some(&kept) = kept_by_id.get(task.id.as_str()) {
                    let image = task.image.clone();
                    log.record(Some(&task.id), EventKind::ImageChanged { image, kept }, now);
                }
            }
        }
        let reviews = Reviews::load(workspace.dir(), &bundle.id).unwrap_or_else(|e| {
            warnings.push(format!("could not read the reviews: {e}"));
            Reviews::new(&bundle.id)
        });
        let mut session = Session {
            task,
            annotation: file.annotation(),
            hit_index: OnceLock::new(),
            file,
            bundle,
            workspace,
            saver,
            statuses,
            current: resume,
            history: History::new(),
            warnings,
            log,
            reviews,
            files,
            pending: None,
            visit_worked: false,
        };
        session.record_current(now);
        session.log_task_opened(now);
        // Opening runs off the window's thread: the files of the next tasks are read here, so the first
        // moves need no wait at all (read-only, each is read when entered, as it is then).
        let ahead = if session.is_read_only() {
            Vec::new()
        } else {
            session.neighbours()
        };
        for index in ahead {
            if let Some(task) = session.bundle.tasks.get(index) {
                session.files.preload(index, task, now);
            }
        }
        Ok((session, report))
    }

    /// Whether this session writes (see [`Session::open_with`]).
    pub fn access(&self) -> Access {
        self.workspace.access()
    }

    /// Whether this session is read-only: it changes nothing and writes nothing.
    pub fn is_read_only(&self) -> bool {
        self.access() == Access::ReadOnly
    }

    /// The bundle.
    pub fn bundle(&self) -> &Bundle {
        &self.bundle
    }

    /// The ordered writer of this session's workspace: every save, and every read that must see them.
    pub fn saver(&self) -> &Saver {
        &self.saver
    }

    /// The workspace on disk.
    pub fn workspace(&self) -> &Workspace {
        &self.workspace
    }

    /// The open task's position in the bundle.
    pub fn task_index(&self) -> usize {
        self.current
    }

    /// The open task.
    pub fn task(&self) -> &Task {
        &self.task
    }

    /// The open task's regions.
    pub fn annotation(&self) -> &Annotation {
        &self.annotation
    }

    /// Hit tests on the open task's regions, through a spatial index kept until they change.
    pub fn hits(&self) -> Hits<'_> {
        Hits::new(&self.annotation, &self.hit_index)
    }

    /// The open task's status.
    pub fn status(&self) -> TaskStatus {
        self.file.status
    }

    /// Each task's status, in bundle order.
    pub fn statuses(&self) -> &[TaskStatus] {
        &self.statuses
    }

    /// The open task's undo history.
    pub fn history(&self) -> &History {
        &self.history
    }

    /// What has not reached the disk yet, annotation files and work-log lines together (kept in memory
    /// and tried again every [`crate::domain::store::RETRY_EVERY`]), or `None` when everything is saved.
    pub fn unsaved(&self) -> Option<crate::domain::store::Unsaved> {
        match (self.saver.unsaved(), self.log.unsaved()) {
            (Some(files), Some(lines)) => Some(crate::domain::store::Unsaved {
                count: files.count + lines.count,
                error: files.error,
            }),
            (files, lines) => files.or(lines),
        }
    }

    /// Problems noticed and mended (unreadable files set aside), oldest first; taking them clears them.
    /// Failed writes are not among them: [`Session::unsaved`] says what still waits.
    pub fn take_warnings(&mut self) -> Vec<String> {
        let mut warnings = std::mem::take(&mut self.warnings);
        warnings.extend(self.log.take_warnings());
        warnings
    }

    /// The first failure of each run of failed writes (annotation files, then the work log) since the
    /// last call: for a log of what happened; the window shows [`Session::unsaved`] instead.
    pub fn take_write_failures(&mut self) -> Vec<String> {
        let mut failures: Vec<String> = self
            .saver
            .take_errors()
            .into_iter()
            .map(|e| format!("could not save: {e}"))
            .collect();
        failures.extend(self.log.take_write_failures());
        failures
    }

    /// An id for a new region of the open task that was never used in it, even by a deleted region.
    pub fn new_region_id(&mut self) -> String {
        self.file.take_region_id(&self.annotation)
    }

    /// Applies `edit` to the open task, records it for undo and saves.
    pub fn apply(&mut self, edit: Edit, now: DateTime<Utc>) -> Result<(), EditError> {
        self.apply_timed(edit, None, now)
    }

    /// Like [`Session::apply`], for an edit the worker spent `drawing_ms` milliseconds drawing (from the
    /// first click of a region, or the start of a drag, to its end): the work log keeps the time.
    pub fn apply_drawn(
        &mut self,
        edit: Edit,
        drawing_ms: u64,
        now: DateTime<Utc>,
    ) -> Result<(), EditError> {
        self.apply_timed(edit, Some(drawing_ms), now)
    }

    fn apply_timed(
        &mut self,
        edit: Edit,
        drawing_ms: Option<u64>,
        now: DateTime<Utc>,
    ) -> Result<(), EditError> {
        if self.is_read_only() {
            return Err(EditError::ReadOnly);
        }
        let kind = edit_event(&edit, drawing_ms);
        self.hit_index = OnceLock::new();
        self.history.apply(&mut self.annotation, edit)?;
        self.visit_worked = true;
        self.touch(now);
        self.log_task(kind, now);
        Ok(())
    }

    /// Undoes the last edit of the open task; `None` when there is none.
    pub fn undo(&mut self, now: DateTime<Utc>) -> Result<Option<Edit>, EditError> {
        if self.is_read_only() {
            return Err(EditError::ReadOnly);
        }
        self.hit_index = OnceLock::new();
        let undone = self.history.undo(&mut self.annotation)?;
        if let Some(edit) = &undone {
            self.touch(now);
            let kind = EventKind::Undo {
                edit: edit.name().to_owned(),
                region_id: edit.region_id().to_owned(),
            };
            self.log_task(kind, now);
        }
        Ok(undone)
    }

    /// Redoes the last undone edit; `None` when there is none.
    pub fn redo(&mut self, now: DateTime<Utc>) -> Result<Option<Edit>, EditError> {
        if self.is_read_only() {
            return Err(EditError::ReadOnly);
        }
        self.hit_index = OnceLock::new();
        let redone = self.history.redo(&mut self.annotation)?;
        if let Some(edit) = &redone {
            self.touch(now);
            let kind = EventKind::Redo {
                edit: edit.name().to_owned(),
                region_id: edit.region_id().to_owned(),
            };
            self.log_task(kind, now);
        }
        Ok(redone)
    }

    /// Marks the open task submitted (refused when it has fewer regions than the bundle asks for).
    pub fn submit(&mut self, now: DateTime<Utc>) -> Result<(), SubmitRefused> {
        if self.is_read_only() {
            return Err(SubmitRefused::ReadOnly);
        }
        let have = self.annotation.regions.len();
        let needed = self.bundle.min_regions;
        if have < needed as usize {
            return Err(SubmitRefused::TooFewRegions { needed, have });
        }
        self.set_status(TaskStatus::Submitted, now);
        let reward = self.bundle.reward.as_ref();
        let kind = EventKind::TaskSubmitted {
            regions: have,
            reward: reward.map(|r| r.per_task),
            currency: reward.map(|r| r.currency.clone()),
        };
        self.log_task(kind, now);
        Ok(())
    }

    /// Marks the open task skipped, keeping the worker's reason (if any) in the annotation file.
    pub fn skip(&mut self, reason: Option<&str>, now: DateTime<Utc>) -> Result<(), SubmitRefused> {
        if self.is_read_only() {
            return Err(SubmitRefused::ReadOnly);
        }
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        match reason {
            Some(reason) => self.file.extra.insert("skip_reason".into(), reason.into()),
            None => self.file.extra.remove("skip_reason"),
        };
        self.set_status(TaskStatus::Skipped, now);
        let kind = EventKind::TaskSkipped {
            reason: reason.map(str::to_owned),
        };
        self.log_task(kind, now);
        Ok(())
    }

    /// The first unfinished task after the open one (wrapping around), if any.
    pub fn next_unfinished(&self) -> Option<usize> {
        let n = self.statuses.len();
        (1..=n)
            .map(|step| (self.current + step) % n)
            .find(|&i| !self.statuses.get(i).is_some_and(|s| s.is_finished()))
    }

    /// Opens task `index` (its saved annotation, or a fresh one) with an empty undo history, waiting
    /// for its file if it was not read ahead. For callers that may wait for the disk (tests, the command
    /// line); the window uses [`Session::request_task`].
    pub fn go_to(&mut self, index: usize, now: DateTime<Utc>) -> Result<(), StoreError> {
        let Some(task) = self.bundle.tasks.get(index) else {
            return Ok(());
        };
        if index == self.current {
            return Ok(());
        }
        self.files.drain();
        let loaded = match self.files.take(index) {
            Some(read) => read?,
            None => {
                // Every save queued so far runs first, so the read sees it (a save that failed is
                // of a task whose newer file is still kept, see `TaskFiles::hold`).
                self.saver.flush();
                self.files.read_now(task, now)?
            }
        };
        self.enter(index, loaded, now);
        Ok(())
    }

    /// Asks to open task `index` without waiting: `true` when it is open now (its file was read
    /// ahead), `false` when its file is being read on the writer thread; [`Session::poll`] then opens
    /// it. Until then the current task stays open and editable.
    pub fn request_task(&mut self, index: usize, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let Some(task) = self.bundle.tasks.get(index) else {
            return Ok(false);
        };
        if index == self.current {
            self.pending = None;
            return Ok(true);
        }
        self.files.drain();
        if self.files.is_ready(index) {
            self.pending = None;
            let loaded = self
                .files
                .take(index)
                .ok_or_else(|| StoreError::Mismatch {
                    path: self.workspace.annotation_path(&task.id),
                    message: "the task's file was lost while opening it".to_owned(),
                })??;
            self.enter(index, loaded, now);
            return Ok(true);
        }
        self.files.ask(index, task, &self.saver, now);
        self.pending = Some(index);
        Ok(false)
    }

    /// Opens the task asked for with [`Session::request_task`] once its file is read: `true` when
    /// another task was opened. Cheap; the window calls it every frame.
    pub fn poll(&mut self, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let Some(index) = self.pending else {
            return Ok(false);
        };
        self.files.drain();
        if !self.files.is_ready(index) {
            return Ok(false);
        }
        self.pending = None;
        self.request_task(index, now)
    }

    /// The task whose file is being read before it opens, if any.
    pub fn pending_task(&self) -> Option<usize> {
        self.pending
    }

    /// Switches to task `index` with its file `loaded`; the file of the task left is kept, newest.
    fn enter(&mut self, index: usize, (file, warning): Loaded, now: DateTime<Utc>) {
        let Some(task) = self.bundle.tasks.get(index) else {
            return;
        };
        self.warnings.extend(warning);
        let left = std::mem::replace(&mut self.file, file);
        self.files.hold(self.saver.unsaved().is_some());
        // Read-only, the other window may change a task meanwhile: it is read again when entered.
        if !self.is_read_only() {
            self.files.keep(self.current, left);
        }
        if let Some(slot) = self.statuses.get_mut(index) {
            *slot = self.file.status;
        }
        self.annotation = self.file.annotation();
        self.hit_index = OnceLock::new();
        self.task = task.clone();
        self.current = index;
        self.history.clear();
        self.record_current(now);
        self.log_task_opened(now);
        if self.is_read_only() {
            return;
        }
        for neighbour in self.neighbours() {
            if let Some(task) = self.bundle.tasks.get(neighbour) {
                self.files.ask(neighbour, task, &self.saver, now);
            }
        }
    }

    /// The tasks a worker is likely to open next: the previous, the next, the next unfinished.
    fn neighbours(&self) -> Vec<usize> {
        let mut near = vec![self.current + 1];
        near.extend(self.current.checked_sub(1));
        near.extend(self.next_unfinished());
        near.retain(|&i| i != self.current && i < self.bundle.tasks.len());
        near
    }

    /// Blocks until every save so far, and every work-log event so far, is on disk.
    pub fn flush(&self) {
        self.saver.flush();
        self.log.flush();
    }

    /// After an edit: a new task becomes in progress; then save.
    fn touch(&mut self, now: DateTime<Utc>) {
        let status = match self.file.status {
            TaskStatus::New => TaskStatus::InProgress,
            other => other,
        };
        self.set_status(status, now);
    }

    fn set_status(&mut self, status: TaskStatus, now: DateTime<Utc>) {
        self.file.update(&self.annotation, status, now);
        if let Some(slot) = self.statuses.get_mut(self.current) {
            *slot = status;
        }
        self.save();
    }

    fn save(&self) {
        let file = self.file.clone();
        let path = self.workspace.annotation_path(&file.task_id);
        self.saver.save(path.clone(), move || {
            crate::domain::store::write_json_making_folders(&path, &file)
        });
    }

    fn record_current(&mut self, now: DateTime<Utc>) {
        let id = self.task.id.clone();
        self.workspace.set_current_task(&id, now, &self.saver);
    }
}
