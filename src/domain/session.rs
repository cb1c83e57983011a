//! A worker's session on one bundle: which task is open, its annotation and undo history, and saving
//! every finished change. The window drives it; tests drive it directly.

use crate::domain::annotation::{Annotation, TaskStatus};
use crate::domain::bundle::{Bundle, Task};
use crate::domain::edit::{Edit, EditError};
use crate::domain::history::History;
use crate::domain::store::{AnnotationFile, OpenReport, Saver, StoreError, Workspace};
use chrono::{DateTime, Utc};
use std::path::Path;

/// Why a task could not be submitted.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SubmitRefused {
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
    history: History,
    warnings: Vec<String>,
}

impl Session {
    /// Opens `bundle`'s workspace under `data_dir` and resumes at the task the worker was on (else the
    /// first unfinished one). Saves go through `saver`.
    pub fn open(
        bundle: Bundle,
        data_dir: &Path,
        saver: Saver,
        now: DateTime<Utc>,
    ) -> Result<(Session, OpenReport), StoreError> {
        let (workspace, report) = Workspace::open(data_dir, &bundle, now)?;
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
        let (file, warning) = workspace.load_annotation(&bundle, task, now)?;
        let task = task.clone();
        let mut session = Session {
            task,
            annotation: file.annotation(),
            file,
            bundle,
            workspace,
            saver,
            statuses,
            current: resume,
            history: History::new(),
            warnings: warning.into_iter().collect(),
        };
        session.record_current(now);
        Ok((session, report))
    }

    /// The bundle.
    pub fn bundle(&self) -> &Bundle {
        &self.bundle
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

    /// Problems noticed and mended (unreadable files set aside), oldest first; taking them clears them.
    pub fn take_warnings(&mut self) -> Vec<String> {
        let mut warnings = std::mem::take(&mut self.warnings);
        warnings.extend(
            self.saver
                .take_errors()
                .into_iter()
                .map(|e| format!("could not save: {e}")),
        );
        warnings
    }

    /// An id for a new region of the open task that was never used in it, even by a deleted region.
    pub fn new_region_id(&mut self) -> String {
        self.file.take_region_id(&self.annotation)
    }

    /// Applies `edit` to the open task, records it for undo and saves.
    pub fn apply(&mut self, edit: Edit, now: DateTime<Utc>) -> Result<(), EditError> {
        self.history.apply(&mut self.annotation, edit)?;
        self.touch(now);
        Ok(())
    }

    /// Undoes the last edit of the open task; `None` when there is none.
    pub fn undo(&mut self, now: DateTime<Utc>) -> Result<Option<Edit>, EditError> {
        let undone = self.history.undo(&mut self.annotation)?;
        if undone.is_some() {
            self.touch(now);
        }
        Ok(undone)
    }

    /// Redoes the last undone edit; `None` when there is none.
    pub fn redo(&mut self, now: DateTime<Utc>) -> Result<Option<Edit>, EditError> {
        let redone = self.history.redo(&mut self.annotation)?;
        if redone.is_some() {
            self.touch(now);
        }
        Ok(redone)
    }

    /// Marks the open task submitted (refused when it has fewer regions than the bundle asks for).
    pub fn submit(&mut self, now: DateTime<Utc>) -> Result<(), SubmitRefused> {
        let have = self.annotation.regions.len();
        let needed = self.bundle.min_regions;
        if have < needed as usize {
            return Err(SubmitRefused::TooFewRegions { needed, have });
        }
        self.set_status(TaskStatus::Submitted, now);
        Ok(())
    }

    /// Marks the open task skipped, keeping the worker's reason (if any) in the annotation file.
    pub fn skip(&mut self, reason: Option<&str>, now: DateTime<Utc>) {
        match reason.map(str::trim).filter(|r| !r.is_empty()) {
            Some(reason) => self.file.extra.insert("skip_reason".into(), reason.into()),
            None => self.file.extra.remove("skip_reason"),
        };
        self.set_status(TaskStatus::Skipped, now);
    }

    /// The first unfinished task after the open one (wrapping around), if any.
    pub fn next_unfinished(&self) -> Option<usize> {
        let n = self.statuses.len();
        (1..=n)
            .map(|step| (self.current + step) % n)
            .find(|&i| !self.statuses.get(i).is_some_and(|s| s.is_finished()))
    }

    /// Opens task `index` (its saved annotation, or a fresh one) with an empty undo history.
    pub fn go_to(&mut self, index: usize, now: DateTime<Utc>) -> Result<(), StoreError> {
        let Some(task) = self.bundle.tasks.get(index) else {
            return Ok(());
        };
        if index == self.current {
            return Ok(());
        }
        let (file, warning) = self.workspace.load_annotation(&self.bundle, task, now)?;
        self.warnings.extend(warning);
        self.annotation = file.annotation();
        self.file = file;
        self.task = task.clone();
        self.current = index;
        self.history.clear();
        self.record_current(now);
        Ok(())
    }

    /// Blocks until every save so far is on disk.
    pub fn flush(&self) {
        self.saver.flush();
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
        self.saver
            .submit(move || crate::domain::store::write_json(&path, &file));
    }

    fn record_current(&mut self, now: DateTime<Utc>) {
        let id = self.task().id.clone();
        if let Err(e) = self.workspace.set_current_task(&id, now) {
            // Losing the resume point loses no work; tell the worker and go on.
            self.warnings
                .push(format!("could not record where to resume: {e}"));
        }
    }
}
