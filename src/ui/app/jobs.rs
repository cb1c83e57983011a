//! Background work for the window: opening a bundle (with the settings, the recent list and the other
//! bundles' logs), saving the settings, exporting and deleting the worker's data, importing a review.
//! Jobs run one at a time, in the order asked, on one thread; each ends in a [`Done`] that
//! [`Jobs::poll`] hands to the app in `logic()`. Nothing here waits on the window's thread.

use crate::domain::bundle::{LoadOptions, load_bundle, sample_bundle_path};
use crate::domain::clock::Clock;
use crate::domain::ledger::{ImportSummary, Reviews, WorkspaceLog, load_all_logs};
use crate::domain::session::{ReviewImport, Session};
use crate::domain::settings::Settings;
use crate::domain::store::{
    Access, DataLock, LockError, OpenReport, RecentBundles, Saver, delete_my_data, export_my_data,
};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, Sender};

/// A bundle opened in the background, ready to show.
pub struct OpenedBundle {
    /// Its session, at the task to resume.
    pub session: Box<Session>,
    /// What opening it noticed (a changed manifest, files set aside).
    pub report: OpenReport,
    /// The work logs of the other bundles, for the earnings totals.
    pub other_logs: Vec<WorkspaceLog>,
}

/// How opening a bundle ended.
pub struct Opening {
    /// The path opened (absolute), or asked for.
    pub path: PathBuf,
    /// The settings, when the job loaded them (at start, and after "Delete my data").
    pub settings: Option<Settings>,
    /// The recent bundles list, updated.
    pub recent: RecentBundles,
    /// The bundle, or every problem that kept it from opening.
    pub result: Result<OpenedBundle, Vec<String>>,
    /// Things to tell the worker (an unreadable list, a recent bundle that is gone).
    pub warnings: Vec<String>,
    /// Another window holds the data folder: the worker may open the bundle read-only instead.
    pub held_elsewhere: bool,
}

/// What a finished job hands back.
pub enum Done {
    /// A bundle was opened (or failed to).
    Opened(Box<Opening>),
    /// The settings were saved (or not: why).
    SettingsSaved(Result<Box<Settings>, String>),
    /// The worker's data was written to a zip: how many files, where.
    MyDataExported(Result<(usize, PathBuf), String>),
    /// The worker's data was deleted (how many items, or why not), and the bundle reopened.
    MyDataDeleted(Result<usize, String>, Box<Opening>),
    /// A review file was applied (or refused, every bad row listed).
    ReviewImported(Result<Box<(ImportSummary, Reviews)>, String>),
    /// The data folder's lock was taken, to open this bundle for work (or why it was not).
    ForWork(Result<PathBuf, String>),
}

type Job = Box<dyn FnOnce() -> Done + Send>;

/// The background worker and what it has finished.
pub struct Jobs {
    jobs: Option<Sender<Job>>,
    done: Receiver<Done>,
    /// For jobs that run on another ordered thread (the session's writer) and report here.
    done_tx: Sender<Done>,
    running: usize,
    /// Where the worker's data lives and how bundles load, for every job.
    data_dir: PathBuf,
    load_options: LoadOptions,
    clock: Clock,
    wake: std::sync::Arc<dyn Fn() + Send + Sync>,
    /// The data folder's lock, once taken: held for the window's life, so no second window writes.
    lock: std::sync::Arc<std::sync::Mutex<Option<DataLock>>>,
    /// Where the read-only view extracted its zip bundle (deleted with it).
    read_only_cache: std::sync::Arc<std::sync::Mutex<Option<tempfile::TempDir>>>,
}

impl Jobs {
    /// Starts the worker thread; `wake` repaints the window when a job ends.
    pub fn new(
        data_dir: PathBuf,
        load_options: LoadOptions,
        clock: Clock,
        wake: impl Fn() + Send + Sync + 'static,
    ) -> Self {
        let (job_tx, job_rx) = mpsc::channel::<Job>();
        let (done_tx, done_rx) = mpsc::channel::<Done>();
        let wake: std::sync::Arc<dyn Fn() + Send + Sync> = std::sync::Arc::new(wake);
        let thread_wake = std::sync::Arc::clone(&wake);
        let done_tx_kept = done_tx.clone();
        let started = std::thread::Builder::new()
            .name("clickwork-jobs".into())
            .spawn(move || {
                for job in job_rx {
                    // The window may be closing; then nobody waits for the result.
                    if done_tx.send(job()).is_err() {
                        return;
                    }
                    thread_wake();
                }
            });
        if let Err(e) = &started {
            log::error!("cannot start the background worker: {e}");
        }
        Jobs {
            jobs: started.ok().map(|_| job_tx),
            done: done_rx,
            done_tx: done_tx_kept,
            running: 0,
            data_dir,
            load_options,
            clock,
            wake,
            lock: std::sync::Arc::default(),
            read_only_cache: std::sync::Arc::default(),
        }
    }

    /// True while a job is queued or running.
    pub fn busy(&self) -> bool {
        self.running > 0
    }

    /// The jobs finished since the last call, in order.
    pub fn poll(&mut self) -> Vec<Done> {
        let done: Vec<Done> = self.done.try_iter().collect();
        self.running = self.running.saturating_sub(done.len());
        done
    }

    /// Waits up to `timeout` for the next finished job (tests and benchmarks).
    pub fn wait(&mut self, timeout: std::time::Duration) -> Option<Done> {
        let done = self.done.recv_timeout(timeout).ok()?;
        self.running = self.running.saturating_sub(1);
        Some(done)
    }

    fn run(&mut self, job: Job) {
        match &self.jobs {
            Some(tx) if tx.send(job).is_ok() => self.running += 1,
            // No worker thread: nothing can run in the background. The app says so once, at start.
            _ => log::error!("no background worker: the job was dropped"),
        }
    }

    /// Opens the bundle at `path` (`None`: the most recent that still exists, else the sample),
    /// ending `previous` first. `settings` are the worker's, or `None` to load them (at start).
    pub fn open(
        &mut self,
        path: Option<PathBuf>,
        previous: Option<Box<Session>>,
        settings: Option<Settings>,
    ) {
        let (data_dir, options, clock, wake) = self.context();
        let lock = std::sync::Arc::clone(&self.lock);
        self.run(Box::new(move || {
            if let Some(mut old) = previous {
                old.end(clock());
            }
            let opening = match hold(&lock, &data_dir, clock()) {
                Ok(taken_now) => open_bundle(
                    &data_dir,
                    &options,
                    &clock,
                    wake,
                    path,
                    // Settings held before the lock (a placeholder, or read by a read-only window)
                    // may be stale: the lock's first holder reads them afresh.
                    settings.filter(|_| !taken_now),
                    Access::ReadWrite,
                ),
                Err(refusal) => refused(&data_dir, path, refusal),
            };
            Done::Opened(Box::new(opening))
        }));
    }

    /// Opens the bundle at `path` read-only (another window holds the data folder): its work is
    /// shown as saved, and nothing at all is written in the data folder, not even the settings or the
    /// recent list; a zip bundle is extracted into a private temporary folder that lives as long as
    /// this read-only view.
    pub fn open_read_only(&mut self, path: Option<PathBuf>, previous: Option<Box<Session>>) {
        let (data_dir, options, clock, wake) = self.context();
        let extracted = std::sync::Arc::clone(&self.read_only_cache);
        self.run(Box::new(move || {
            if let Some(mut old) = previous {
                old.end(clock());
            }
            let mut slot = extracted.lock().unwrap_or_else(|e| e.into_inner());
            // The previous view's extraction goes with it.
            *slot = None;
            let options = match tempfile::Builder::new()
                .prefix("clickwork-read-only-")
                .tempdir()
            {
                Ok(dir) => {
                    let options = LoadOptions {
                        cache_dir: dir.path().to_owned(),
                        // A cache in a folder deleted with the view would never be read.
                        remember_headers: false,
                        ..options
                    };
                    *slot = Some(dir);
                    options
                }
                Err(e) => {
                    let message = format!(
                        "cannot make a temporary folder to open the bundle read-only in: {e}"
                    );
                    return Done::Opened(Box::new(refused(
                        &data_dir,
                        path,
                        Refusal {
                            message,
                            held_elsewhere: false,
                        },
                    )));
                }
            };
            drop(slot);
            let opening = open_bundle(
                &data_dir,
                &options,
                &clock,
                wake,
                path,
                None,
                Access::ReadOnly,
            );
            Done::Opened(Box::new(opening))
        }));
    }

    /// Tries to take the data folder's lock for work, keeping whatever is open: [`Done::ForWork`]
    /// says whether the folder is free now.
    pub fn try_for_work(&mut self, path: PathBuf) {
        let (data_dir, _, clock, _) = self.context();
        let lock = std::sync::Arc::clone(&self.lock);
        self.run(Box::new(move || {
            Done::ForWork(
                hold(&lock, &data_dir, clock())
                    .map(|_| path)
                    .map_err(|refusal| refusal.message),
            )
        }));
    }

    /// Saves `settings`.
    pub fn save_settings(&mut self, settings: Settings) {
        let data_dir = self.data_dir.clone();
        let (lock, clock) = (std::sync::Arc::clone(&self.lock), self.clock.clone());
        self.run(Box::new(move || {
            Done::SettingsSaved(
                hold(&lock, &data_dir, clock())
                    .map_err(|refusal| refusal.message)
                    .and_then(|_| settings.save(&data_dir).map_err(|e| e.to_string()))
                    .map(|()| Box::new(settings))
                    .map_err(|e| format!("could not save: {e}")),
            )
        }));
    }

    /// Writes the worker's data into the zip `out`.
    pub fn export_my_data(&mut self, out: PathBuf) {
        let data_dir = self.data_dir.clone();
        self.run(Box::new(move || {
            Done::MyDataExported(
                export_my_data(&data_dir, &out)
                    .map(|n| (n, out))
                    .map_err(|e| e.to_string()),
            )
        }));
    }

    /// Ends `previous`, deletes the worker's data, and reopens `reopen` with new settings (a new
    /// worker id, saved before the session starts, so the settings and the work log agree).
    pub fn delete_my_data(&mut self, previous: Option<Box<Session>>, reopen: Option<PathBuf>) {
        let (data_dir, options, clock, wake) = self.context();
        let lock = std::sync::Arc::clone(&self.lock);
        self.run(Box::new(move || {
            if let Some(mut old) = previous {
                old.end(clock());
            }
            if let Err(refusal) = hold(&lock, &data_dir, clock()) {
                let message = refusal.message.clone();
                let opening = refused(&data_dir, reopen, refusal);
                return Done::MyDataDeleted(Err(message), Box::new(opening));
            }
            let deleted = delete_my_data(&data_dir)
                .map(|removed| removed.len())
                .map_err(|e| e.to_string());
            let opening = open_bundle(
                &data_dir,
                &options,
                &clock,
                wake,
                reopen,
                None,
                Access::ReadWrite,
            );
            Done::MyDataDeleted(deleted, Box::new(opening))
        }));
    }

    /// Applies the review file `file` as `import` prepared it, on `saver`'s thread: the session's one
    /// ordered writer of the workspace, so `reviews.json` is written in turn with every other save.
    pub fn import_review(&mut self, saver: &Saver, import: ReviewImport, file: PathBuf) {
        if saver.is_read_only() {
            // The read-only writer would drop the job, and the window would wait for it forever.
            let refused = "this window is read-only: the review was not imported".to_owned();
            let _ = self.done_tx.send(Done::ReviewImported(Err(refused)));
            self.running += 1;
            return;
        }
        let (clock, done, wake) = (
            self.clock.clone(),
            self.done_tx.clone(),
            std::sync::Arc::clone(&self.wake),
        );
        saver.submit(move || {
            let imported = import
                .run(&file, clock())
                .map(Box::new)
                .map_err(|e| e.to_string());
            // The window may be closing; then nobody waits for the result.
            let _ = done.send(Done::ReviewImported(imported));
            wake();
            Ok(())
        });
        self.running += 1;
    }

    fn context(
        &self,
    ) -> (
        PathBuf,
        LoadOptions,
        Clock,
        std::sync::Arc<dyn Fn() + Send + Sync>,
    ) {
        (
            self.data_dir.clone(),
            self.load_options.clone(),
            self.clock.clone(),
            std::sync::Arc::clone(&self.wake),
        )
    }
}

/// Why the data folder's lock could not be taken.
struct Refusal {
    /// What to tell the worker, naming the folder (and who holds it).
    message: String,
    /// Another process holds it (rather than the lock file being unusable).
    held_elsewhere: bool,
}

/// Takes the data folder's lock if this window does not hold it yet (`Ok(true)`: taken now); `Err`
/// says who holds it.
fn hold(
    lock: &std::sync::Mutex<Option<DataLock>>,
    data_dir: &Path,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<bool, Refusal> {
    // A poisoned lock only means an earlier job panicked; what it guards is still right.
    let mut held = lock.lock().unwrap_or_else(|e| e.into_inner());
    if held.is_some() {
        return Ok(false);
    }
    let taken = DataLock::acquire(data_dir, "window", now).map_err(|e| Refusal {
        message: e.to_string(),
        held_elsewhere: matches!(e, LockError::Held { .. }),
    })?;
    *held = Some(taken);
    Ok(true)
}

/// The opening of `path` (`None`: the one the window would open first) shown when the data folder is
/// another window's: its message, and nothing written (only the recent list read, to name the bundle
/// a read-only window would open).
fn refused(data_dir: &Path, path: Option<PathBuf>, refusal: Refusal) -> Opening {
    let path = path.unwrap_or_else(|| {
        let recent = RecentBundles::load(data_dir).unwrap_or_default();
        initial_bundle(&recent, &mut Vec::new())
    });
    Opening {
        path,
        settings: None,
        recent: RecentBundles::default(),
        result: Err(vec![refusal.message]),
        warnings: Vec::new(),
        held_elsewhere: refusal.held_elsewhere,
    }
}

/// `path` absolute and with links resolved, so the recent list names the same place from any folder.
fn canonical(path: &Path) -> PathBuf {
    path.canonicalize()
        .or_else(|_| std::path::absolute(path))
        .unwrap_or_else(|_| path.to_owned())
}

/// The bundle to open when none is asked for: the most recent that still exists, else the sample. A
/// last bundle that is gone is named in `warnings`, not silently replaced.
fn initial_bundle(recent: &RecentBundles, warnings: &mut Vec<String>) -> PathBuf {
    if let Some(last) = recent.bundles.first().filter(|b| !b.path.exists()) {
        warnings.push(format!(
            "the last bundle you worked on, {} ({}), is no longer there; open it from where it is now",
            last.title,
            last.path.display()
        ));
    }
    recent
        .bundles
        .iter()
        .map(|b| &b.path)
        .find(|p| p.exists())
        .cloned()
        .unwrap_or_else(sample_bundle_path)
}

fn open_bundle(
    data_dir: &Path,
    options: &LoadOptions,
    clock: &Clock,
    wake: std::sync::Arc<dyn Fn() + Send + Sync>,
    path: Option<PathBuf>,
    settings: Option<Settings>,
    access: Access,
) -> Opening {
    let now = clock();
    let mut warnings = Vec::new();
    let loaded_settings = settings.is_none();
    let writes = access == Access::ReadWrite;
    let settings = settings.unwrap_or_else(|| {
        let loaded = if writes {
            Settings::load_or_create(data_dir, now)
        } else {
            // Read-only: the settings as saved, else defaults kept in memory.
            Settings::load(data_dir).map(|s| (s.unwrap_or_else(|| Settings::new(now)), Vec::new()))
        };
        match loaded {
            Ok((settings, more)) => {
                warnings.extend(more);
                settings
            }
            Err(e) => {
                warnings.push(format!("settings not saved, using defaults: {e}"));
                Settings::new(now)
            }
        }
    });
    let mut recent = RecentBundles::load(data_dir).unwrap_or_else(|e| {
        warnings.push(format!(
            "the recent bundles list was unreadable and starts afresh: {e}"
        ));
        RecentBundles::default()
    });
    let path = canonical(&path.unwrap_or_else(|| initial_bundle(&recent, &mut warnings)));
    let result = load_bundle(&path, options)
        .map_err(|errors| errors.problems.iter().map(ToString::to_string).collect())
        .and_then(|bundle| {
            let title = bundle.title.clone();
            let bundle_id = bundle.id.clone();
            let wake: Box<dyn Fn() + Send + Sync> = Box::new(move || wake());
            let saver = match access {
                Access::ReadWrite => Saver::with_wake(Some(wake)),
                Access::ReadOnly => Saver::read_only(Some(wake)),
            };
            let (session, report) =
                Session::open_with(bundle, data_dir, saver, &settings.worker_id, now, access)
                    .map_err(|e| vec![e.to_string()])?;
            let other_logs = match load_all_logs(data_dir) {
                Ok((mut logs, more)) => {
                    logs.retain(|l| l.bundle_id != bundle_id);
                    warnings.extend(more);
                    logs
                }
                Err(e) => {
                    warnings.push(format!("earnings of other bundles left out: {e}"));
                    Vec::new()
                }
            };
            recent.push(&path, &title, now);
            if writes && let Err(e) = recent.save(data_dir) {
                warnings.push(format!("could not update the recent bundles list: {e}"));
            }
            Ok(OpenedBundle {
                session: Box::new(session),
                report,
                other_logs,
            })
        });
    Opening {
        path,
        settings: loaded_settings.then_some(settings),
        recent,
        result,
        warnings,
        held_elsewhere: false,
    }
}
