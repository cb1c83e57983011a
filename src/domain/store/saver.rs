//! Writes off the caller's thread, strictly in the order they were asked for.

use crate::domain::store::StoreError;
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::JoinHandle;

/// One write to perform.
type Job = Box<dyn FnOnce() -> Result<(), StoreError> + Send>;

enum Message {
    Job(Job),
    /// Answered once every job sent before it is done.
    Flush(Sender<()>),
}

/// A background writer: jobs run one at a time on one thread, in order, so a later save of a file never
/// lands before an earlier one. Failures come back through [`Saver::take_errors`].
pub struct Saver {
    jobs: Option<Sender<Message>>,
    errors: Receiver<StoreError>,
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

impl Saver {
    /// Starts the writer thread.
    pub fn new() -> Self {
        Self::with_wake(None)
    }

    /// Starts the writer thread; `wake` is called after a failed job so a UI can repaint and show it.
    pub fn with_wake(wake: Option<Box<dyn Fn() + Send + Sync>>) -> Self {
        let (job_tx, job_rx) = mpsc::channel::<Message>();
        let (err_tx, err_rx) = mpsc::channel::<StoreError>();
        let thread = std::thread::Builder::new()
            .name("clickwork-saver".into())
            .spawn(move || {
                for message in job_rx {
                    match message {
                        Message::Job(job) => {
                            if let Err(e) = job() {
                                // The receiver may be gone at shutdown; then nobody is left to tell.
                                let _ = err_tx.send(e);
                                if let Some(wake) = &wake {
                                    wake();
                                }
                            }
                        }
                        Message::Flush(done) => {
                            let _ = done.send(());
                        }
                    }
                }
            })
            .ok();
        Saver {
            jobs: thread.as_ref().map(|_| job_tx),
            errors: err_rx,
            thread,
        }
    }

    /// Queues `job`. If the writer thread could not be started, runs it here so nothing is lost.
    pub fn submit(&self, job: impl FnOnce() -> Result<(), StoreError> + Send + 'static) {
        let job: Job = Box::new(job);
        let job = match &self.jobs {
            Some(tx) => match tx.send(Message::Job(job)) {
                Ok(()) => return,
                Err(mpsc::SendError(Message::Job(job))) => job,
                Err(_) => return,
            },
            None => job,
        };
        if let Err(e) = job() {
            log::error!("{e}");
        }
    }

    /// Blocks until every job queued so far has run.
    pub fn flush(&self) {
        if let Some(tx) = &self.jobs {
            let (done_tx, done_rx) = mpsc::channel();
            if tx.send(Message::Flush(done_tx)).is_ok() {
                let _ = done_rx.recv();
            }
        }
    }

    /// The failures since the last call, oldest first.
    pub fn take_errors(&self) -> Vec<StoreError> {
        self.errors.try_iter().collect()
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
