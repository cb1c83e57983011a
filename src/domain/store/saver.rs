//! Writes off the caller's thread, strictly in the order they were asked for, and never given up: a file
//! that could not be written (a full disk, a folder made read-only or deleted) is kept in memory and
//! written again until it lands.

use crate::domain::store::StoreError;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// One job to run once (a read, an import).
type Job = Box<dyn FnOnce() -> Result<(), StoreError> + Send>;

/// A whole-file write that may run again: it writes the file's newest content.
type FileJob = Box<dyn Fn() -> Result<(), StoreError> + Send>;

/// How often writes that failed are tried again. Short enough that space freed is used at once; long
/// enough that a full disk costs nothing noticeable.
pub const RETRY_EVERY: Duration = Duration::from_secs(2);

enum Message {
    Job(Job),
    /// A job that reads the file at the path (and nothing else the writer writes).
    Read(PathBuf, Job),
    File(PathBuf, FileJob),
    /// Tries failed writes again, then is answered once every job sent before it is done.
    Flush(Sender<()>),
}

/// Writes that have not reached the disk yet, for the window to say so.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unsaved {
    /// How many files (or work-log lines) wait.
    pub count: usize,
    /// The newest failure, naming the file.
    pub error: String,
}

/// Where the writer thread tells what still waits.
type Shared = Arc<Mutex<Option<Unsaved>>>;

fn publish(shared: &Shared, unsaved: Option<Unsaved>) -> bool {
    // A poisoned lock only means a reader panicked; the value is still the writer's.
    let mut slot = shared.lock().unwrap_or_else(|e| e.into_inner());
    let changed = *slot != unsaved;
    *slot = unsaved;
    changed
}

/// A background writer: jobs run one at a time on one thread, in order, so a later save of a file never
/// lands before an earlier one (and saves of one file queued together are written once, the newest). A file write that fails is kept (only its newest content) and tried
/// again every [`RETRY_EVERY`], at every flush and after every write that succeeds, until it lands;
/// [`Saver::unsaved`] says what waits. The first failure of a run comes back through
/// [`Saver::take_errors`].
pub struct Saver {
    /// Set by [`Saver::read_only`]: writes and one-off jobs are dropped, reads still run.
    read_only: bool,
    jobs: Option<Sender<Message>>,
    errors: Receiver<StoreError>,
    unsaved: Shared,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Saver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Saver").finish_non_exhaustive()
    }
}

impl Default for Saver {
    fn default() -> Self {
        Self::new()
    }
}

/// The writer thread's state: the file writes that failed, by path, in the order first asked.
struct Writer {
    pending: BTreeMap<PathBuf, (u64, FileJob, String)>,
    next: u64,
    errors: Sender<StoreError>,
    unsaved: Shared,
    wake: Option<Box<dyn Fn() + Send + Sync>>,
    retry_every: Duration,
}

impl Writer {
    fn fail(&self, e: StoreError) {
        // The receiver may be gone at shutdown; then nobody is left to tell.
        let _ = self.errors.send(e);
        self.wake();
    }

    fn wake(&self) {
        if let Some(wake) = &self.wake {
            wake();
        }
    }

    fn write(&mut self, path: PathBuf, job: FileJob) {
        let failing = !self.pending.is_empty();
        // A newer content of the file replaces whatever of it still waits.
        let order = match self.pending.remove(&path) {
            Some((order, ..)) => order,
            None => {
                self.next += 1;
                self.next
            }
        };
        match job() {
            Ok(()) => self.retry(),
            Err(e) => {
                let message = e.to_string();
                self.pending.insert(path, (order, job, message));
                // One report per run of failures: a full disk would otherwise repeat it every edit.
                if !failing {
                    self.fail(e);
                }
            }
        }
    }

    /// Tries every waiting write again, oldest first.
    fn retry(&mut self) {
        let mut order: Vec<(u64, PathBuf)> = self
            .pending
            .iter()
            .map(|(path, (n, ..))| (*n, path.clone()))
            .collect();
        order.sort();
        for (_, path) in order {
            if let Some((n, job, _)) = self.pending.remove(&path)
                && let Err(e) = job()
            {
                self.pending.insert(path, (n, job, e.to_string()));
            }
        }
    }

    fn publish(&self) {
        let unsaved = self
            .pending
            .values()
            .max_by_key(|(n, ..)| *n)
            .map(|(_, _, error)| Unsaved {
                count: self.pending.len(),
                error: error.clone(),
            });
        if publish(&self.unsaved, unsaved) {
            self.wake();
        }
    }

    /// Which messages of `batch` (everything queued, in order) need not run: a file write followed by
    /// a newer write of the same file with nothing in between that could see it (a read of that file,
    /// a one-off job, a flush). A burst of edits so costs one write per file, not one per edit, and
    /// the writer never falls behind the worker, while every read still sees what was saved before it.
    fn superseded(batch: &[Message]) -> Vec<bool> {
        let mut skip = vec![false; batch.len()];
        let mut written_later: std::collections::HashSet<&PathBuf> =
            std::collections::HashSet::new();
        for (i, message) in batch.iter().enumerate().rev() {
            match message {
                Message::File(path, _) => {
                    if !written_later.insert(path)
                        && let Some(slot) = skip.get_mut(i)
                    {
                        *slot = true;
                    }
                }
                Message::Read(path, _) => {
                    written_later.remove(path);
                }
                Message::Job(_) | Message::Flush(_) => written_later.clear(),
            }
        }
        skip
    }

    fn handle(&mut self, message: Message) {
        match message {
            Message::Job(job) | Message::Read(_, job) => {
                if let Err(e) = job() {
                    self.fail(e);
                }
            }
            Message::File(path, job) => self.write(path, job),
            Message::Flush(done) => {
                self.retry();
                self.publish();
                let _ = done.send(());
            }
        }
    }

    fn run(mut self, jobs: Receiver<Message>) {
        loop {
            let message = if self.pending.is_empty() {
                jobs.recv().ok()
            } else {
                match jobs.recv_timeout(self.retry_every) {
                    Ok(message) => Some(message),
                    Err(RecvTimeoutError::Timeout) => {
                        self.retry();
                        self.publish();
                        continue;
                    }
                    Err(RecvTimeoutError::Disconnected) => None,
                }
            };
            let Some(first) = message else { break };
            let mut batch = vec![first];
            batch.extend(jobs.try_iter());
            let skip = Self::superseded(&batch);
            for (message, skip) in batch.into_iter().zip(skip) {
                if !skip {
                    self.handle(message);
                }
            }
            self.publish();
        }
        // The app is closing: one last try, and a word in the log for what could not be written.
        self.retry();
        for (path, (_, _, error)) in &self.pending {
            log::error!("not saved: {}: {error}", path.display());
        }
        self.publish();
    }
}

impl Saver {
    /// Starts the writer thread.
    pub fn new() -> Self {
        Self::with_wake(None)
    }

    /// Starts the writer thread; `wake` is called when a write fails and when what waits changes, so a
    /// UI can repaint and show it.
    pub fn with_wake(wake: Option<Box<dyn Fn() + Send + Sync>>) -> Self {
        Self::with_retry(wake, RETRY_EVERY)
    }

    /// Like [`Saver::with_wake`], trying failed writes again every `retry_every`.
    fn with_retry(wake: Option<Box<dyn Fn() + Send + Sync>>, retry_every: Duration) -> Self {
        let (job_tx, job_rx) = mpsc::channel::<Message>();
        let (err_tx, err_rx) = mpsc::channel::<StoreError>();
        let unsaved: Shared = Arc::new(Mutex::new(None));
        let writer = Writer {
            pending: BTreeMap::new(),
            next: 0,
            errors: err_tx,
            unsaved: Arc::clone(&unsaved),
            wake,
            retry_every,
        };
        let thread = std::thread::Builder::new()
            .name("clickwork-saver".into())
            .spawn(move || writer.run(job_rx))
            .ok();
        Saver {
            read_only: false,
            jobs: thread.as_ref().map(|_| job_tx),
            errors: err_rx,
            unsaved,
            thread,
        }
    }

    /// A writer for a read-only window: every [`Saver::save`] and [`Saver::submit`] is dropped (and
    /// logged), so nothing is written however the caller errs; reads still run in order.
    pub fn read_only(wake: Option<Box<dyn Fn() + Send + Sync>>) -> Self {
        let mut saver = Self::with_wake(wake);
        saver.read_only = true;
        saver
    }

    /// Whether writes are dropped (see [`Saver::read_only`]).
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// Queues `job`, run once.
    pub fn submit(&self, job: impl FnOnce() -> Result<(), StoreError> + Send + 'static) {
        if self.read_only {
            log::warn!("read-only: a write job was not run");
            return;
        }
        self.send(Message::Job(Box::new(job)));
    }

    /// Queues `read`, a job that reads the file `path` and no other file this writer writes: it sees
    /// every save of `path` queued before it, and lets saves of other files be merged past it.
    pub fn read(
        &self,
        path: PathBuf,
        read: impl FnOnce() -> Result<(), StoreError> + Send + 'static,
    ) {
        self.send(Message::Read(path, Box::new(read)));
    }

    /// Queues `write`, which writes the whole file `path`; until it succeeds it is tried again (see
    /// [`Saver`]), and a later write of the same path replaces it.
    pub fn save(&self, path: PathBuf, write: impl Fn() -> Result<(), StoreError> + Send + 'static) {
        if self.read_only {
            log::warn!("read-only: {} was not written", path.display());
            return;
        }
        self.send(Message::File(path, Box::new(write)));
    }

    /// Hands `message` to the writer thread; if it could not be started (or is gone), runs it here,
    /// once, so nothing is lost.
    fn send(&self, message: Message) {
        let message = match &self.jobs {
            Some(tx) => match tx.send(message) {
                Ok(()) => return,
                Err(mpsc::SendError(message)) => message,
            },
            None => message,
        };
        let result = match message {
            Message::Job(job) | Message::Read(_, job) => job(),
            Message::File(_, job) => job(),
            Message::Flush(done) => {
                let _ = done.send(());
                Ok(())
            }
        };
        if let Err(e) = result {
            log::error!("{e}");
        }
    }

    /// Tries failed writes again, then blocks until every job queued so far has run.
    pub fn flush(&self) {
        if let Some(tx) = &self.jobs {
            let (done_tx, done_rx) = mpsc::channel();
            if tx.send(Message::Flush(done_tx)).is_ok() {
                let _ = done_rx.recv();
            }
        }
    }

    /// The failures since the last call, oldest first: the first of each run of failures.
    pub fn take_errors(&self) -> Vec<StoreError> {
        self.errors.try_iter().collect()
    }

    /// What has not reached the disk yet (kept in memory, tried again), or `None` when all is saved.
    pub fn unsaved(&self) -> Option<Unsaved> {
        self.unsaved
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

impl Drop for Saver {
    fn drop(&mut self) {
        // Closing the channel lets the thread finish the queue and end; joining makes sure every queued
        // save is on disk before the app exits.
        self.jobs = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::store::atomic_write;
    use std::path::PathBuf;

    #[test]
    fn jobs_run_in_order_and_errors_come_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        let saver = Saver::new();
        for i in 0..200 {
            let path = path.clone();
            saver.submit(move || {
                atomic_write(&path, format!("{i}").as_bytes()).map_err(|e| StoreError::io(&path, e))
            });
        }
        let bad = PathBuf::from(dir.path()).join("missing/b.txt");
        let bad_for_job = bad.clone();
        saver.submit(move || {
            atomic_write(&bad_for_job, b"x").map_err(|e| StoreError::io(&bad_for_job, e))
        });
        saver.flush();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "199");
        let errors = saver.take_errors();
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].to_string().contains("missing/b.txt"),
            "{}",
            errors[0]
        );
    }

    fn write_to(
        path: &std::path::Path,
        text: &'static str,
    ) -> impl Fn() -> Result<(), StoreError> + use<> {
        let path = path.to_owned();
        move || atomic_write(&path, text.as_bytes()).map_err(|e| StoreError::io(&path, e))
    }

    #[test]
    fn a_failed_write_is_kept_newest_first_and_lands_once_the_disk_takes_it() {
        let dir = tempfile::tempdir().unwrap();
        // A folder that is not there stands for a disk that refuses (full, read-only, deleted).
        let path = dir.path().join("gone/a.json");
        let other = dir.path().join("b.json");
        let saver = Saver::new();
        saver.save(path.clone(), write_to(&path, "first"));
        saver.flush();
        let unsaved = saver.unsaved().unwrap();
        assert_eq!(unsaved.count, 1);
        assert!(unsaved.error.contains("gone/a.json"), "{}", unsaved.error);
        assert_eq!(saver.take_errors().len(), 1);
        // A newer content replaces the waiting one; other files still save; one report per run.
        saver.save(path.clone(), write_to(&path, "newest"));
        saver.save(other.clone(), write_to(&other, "b"));
        saver.flush();
        assert_eq!(saver.unsaved().map(|u| u.count), Some(1));
        assert!(saver.take_errors().is_empty());
        assert_eq!(std::fs::read_to_string(&other).unwrap(), "b");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        saver.flush();
        assert_eq!(saver.unsaved(), None);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "newest");
    }

    #[test]
    fn a_waiting_write_is_tried_again_without_being_asked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gone/a.json");
        let (woke_tx, woke_rx) = mpsc::channel();
        let woke_tx = Mutex::new(woke_tx);
        let wake = move || {
            let _ = woke_tx.lock().unwrap().send(());
        };
        let saver = Saver::with_retry(Some(Box::new(wake)), Duration::from_millis(20));
        saver.save(path.clone(), write_to(&path, "x"));
        saver.flush();
        assert!(saver.unsaved().is_some());
        while woke_rx.try_recv().is_ok() {}
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        // The writer's own retry lands it and wakes the window to say so.
        woke_rx.recv_timeout(Duration::from_secs(60)).unwrap();
        assert_eq!(saver.unsaved(), None);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "x");
    }

    #[test]
    fn a_burst_of_a_thousand_saves_lands_in_order_and_the_last_one_wins() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.json");
        let other = dir.path().join("b.json");
        let writes = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let saver = Saver::new();
        for i in 0..1000 {
            let (p, count) = (path.clone(), Arc::clone(&writes));
            saver.save(path.clone(), move || {
                count.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                atomic_write(&p, format!("{i}").as_bytes()).map_err(|e| StoreError::io(&p, e))
            });
            if i == 500 {
                // A barrier in the middle: what was asked before it is on disk when it runs.
                let (p, seen) = (path.clone(), other.clone());
                saver.submit(move || {
                    let now = std::fs::read_to_string(&p).unwrap_or_default();
                    atomic_write(&seen, now.as_bytes()).map_err(|e| StoreError::io(&seen, e))
                });
            }
        }
        saver.flush();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "999");
        assert_eq!(std::fs::read_to_string(&other).unwrap(), "500");
        let written = writes.load(std::sync::atomic::Ordering::Relaxed);
        assert!((2..=1000).contains(&written), "{written} writes");
    }

    #[test]
    fn drop_finishes_the_queue() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        {
            let saver = Saver::new();
            let p = path.clone();
            saver.submit(move || atomic_write(&p, b"done").map_err(|e| StoreError::io(&p, e)));
        }
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "done");
    }
}
