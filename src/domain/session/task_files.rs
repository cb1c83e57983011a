//! Annotation files of the tasks near the open one, read ahead on the session's writer thread, so that
//! moving to the next task never waits for the disk on the caller's thread (the window's).
//!
//! Reads are queued on the same ordered writer as the saves, so a read always sees every save queued
//! before it; and the file of a task the worker leaves is kept as it is in memory, the newest version.

use crate::domain::bundle::Task;
use crate::domain::store::{
    Access, AnnotationFile, Saver, StoreError, WorkspacePaths, load_annotation_with,
};
use chrono::{DateTime, Utc};
use std::collections::{HashMap, HashSet};
use std::sync::mpsc::{self, Receiver, Sender};

/// A task's annotation file, and the warning reading it gave (a corrupt file set aside).
pub(super) type Loaded = (AnnotationFile, Option<String>);

type Arrival = (usize, Result<Loaded, StoreError>);

/// How many files are kept at most: the neighbours, and the tasks left most recently.
const KEEP: usize = 16;

pub(super) struct TaskFiles {
    paths: WorkspacePaths,
    access: Access,
    bundle_id: String,
    ready: HashMap<usize, Result<Loaded, StoreError>>,
    asked: HashSet<usize>,
    /// Task indices in the order they became ready, oldest first, for eviction.
    order: Vec<usize>,
    /// Nothing is evicted while set: saves are failing, and a task left may exist only here.
    holding: bool,
    tx: Sender<Arrival>,
    rx: Receiver<Arrival>,
}

impl std::fmt::Debug for TaskFiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TaskFiles")
            .field("ready", &self.ready.len())
            .field("asked", &self.asked.len())
            .finish_non_exhaustive()
    }
}

impl TaskFiles {
    pub(super) fn new(paths: WorkspacePaths, bundle_id: &str, access: Access) -> Self {
        let (tx, rx) = mpsc::channel();
        TaskFiles {
            paths,
            access,
            bundle_id: bundle_id.to_owned(),
            ready: HashMap::new(),
            asked: HashSet::new(),
            order: Vec::new(),
            holding: false,
            tx,
            rx,
        }
    }

    /// Reads the file of `task` here and now (on a thread that may wait for the disk).
    pub(super) fn read_now(&self, task: &Task, now: DateTime<Utc>) -> Result<Loaded, StoreError> {
        load_annotation_with(&self.paths, &self.bundle_id, task, now, self.access)
    }

    /// Reads `task` (at `index`) here and now and keeps it, unless it is known already.
    pub(super) fn preload(&mut self, index: usize, task: &Task, now: DateTime<Utc>) {
        if !self.ready.contains_key(&index) {
            let read = self.read_now(task, now);
            self.insert(index, read);
        }
    }

    /// Queues a read of `task` (at `index`) on `saver`'s thread, unless it is known or asked already.
    pub(super) fn ask(&mut self, index: usize, task: &Task, saver: &Saver, now: DateTime<Utc>) {
        if self.ready.contains_key(&index) || !self.asked.insert(index) {
            return;
        }
        let (paths, bundle_id, task, tx, access) = (
            self.paths.clone(),
            self.bundle_id.clone(),
            task.clone(),
            self.tx.clone(),
            self.access,
        );
        let file = paths.annotation(&task.id);
        saver.read(file, move || {
            let read = load_annotation_with(&paths, &bundle_id, &task, now, access);
            // The session may be gone; then nobody needs the file.
            let _ = tx.send((index, read));
            Ok(())
        });
    }

    /// While `on`, keeps every file: when saves fail, the file of a task left may be newer here than
    /// on disk, and reading the disk again would bring back the older one.
    pub(super) fn hold(&mut self, on: bool) {
        self.holding = on;
    }

    /// Keeps `file`, the newest version of the task at `index` (the one the worker is leaving).
    pub(super) fn keep(&mut self, index: usize, file: AnnotationFile) {
        self.insert(index, Ok((file, None)));
    }

    /// Takes what the writer thread has read since the last call.
    pub(super) fn drain(&mut self) {
        while let Ok((index, read)) = self.rx.try_recv() {
            self.asked.remove(&index);
            // A file kept meanwhile (the worker left that task) is newer than what was read.
            if !self.ready.contains_key(&index) {
                self.insert(index, read);
            }
        }
    }

    /// Whether the file of `index` is here.
    pub(super) fn is_ready(&self, index: usize) -> bool {
        self.ready.contains_key(&index)
    }

    /// Takes the file of `index`, if it is here.
    pub(super) fn take(&mut self, index: usize) -> Option<Result<Loaded, StoreError>> {
        self.order.retain(|&i| i != index);
        self.ready.remove(&index)
    }

    fn insert(&mut self, index: usize, read: Result<Loaded, StoreError>) {
        self.order.retain(|&i| i != index);
        self.order.push(index);
        self.ready.insert(index, read);
        while self.order.len() > KEEP && !self.holding {
            let oldest = self.order.remove(0);
            self.ready.remove(&oldest);
        }
    }
}
