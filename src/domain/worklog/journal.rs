//! The journal file: appending lines off the caller's thread, and reading them back after anything,
//! a crash included.

use crate::domain::store::StoreError;
use crate::domain::store::{RETRY_EVERY, Unsaved};
use crate::domain::worklog::Event;
use std::collections::VecDeque;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// A journal opened for appending, written on the caller's thread. [`JournalWriter`] runs one of these
/// on its own thread; tests and tools use it directly.
///
/// The file is opened with `O_APPEND` and each line goes out in one write, so lines of two processes
/// never interleave within a line. A file left ending in part of a line (a kill or power cut in the
/// middle of a write: Linux may stop a write at a page boundary for a fatal signal) has that part cut
/// off before the first new line: it never was a whole event, and the journal stays whole.
#[derive(Debug)]
pub struct JournalFile {
    path: PathBuf,
    file: Option<File>,
}

impl JournalFile {
    /// A journal at `path`; the file (and its folder) is created on the first append.
    pub fn new(path: PathBuf) -> Self {
        JournalFile { path, file: None }
    }

    /// The journal's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends `event` as one line; with `sync`, waits until it is on disk (fsync).
    pub fn append(&mut self, event: &Event, sync: bool) -> Result<(), StoreError> {
        self.append_line(event.to_line().as_bytes(), sync)
    }

    /// Appends raw bytes that end in a newline (one or more whole lines).
    pub fn append_line(&mut self, line: &[u8], sync: bool) -> Result<(), StoreError> {
        let path = self.path.clone();
        if !self.still_at_path() {
            // The file was deleted or replaced under us (its folder too, perhaps): lines written to the
            // old one would be lost with it, so start the file again where it belongs.
            self.file = None;
        }
        let result = self.open().and_then(|file| {
            let before = file.metadata()?.len();
            let written = file.write_all(line).and_then(|()| {
                if sync {
                    file.sync_data()?;
                }
                Ok(())
            });
            if written.is_err() {
                // A full disk may have taken part of the line: take it back, so the line is written
                // whole when it is tried again (a failed truncation leaves a torn line, skipped on read).
                let _ = truncate(&path, before);
            }
            written
        });
        if result.is_err() {
            self.file = None;
        }
        result.map_err(|e| StoreError::io(&path, e))
    }

    /// False when the open file is no longer the one at the journal's path.
    fn still_at_path(&self) -> bool {
        let Some(file) = &self.file else {
            return true;
        };
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            match (file.metadata(), std::fs::metadata(&self.path)) {
                (Ok(open), Ok(named)) => open.ino() == named.ino() && open.dev() == named.dev(),
                _ => false,
            }
        }
        #[cfg(not(unix))]
        {
            let _ = file;
            self.path.exists()
        }
    }

    /// Waits until everything written is on disk.
    pub fn sync(&mut self) -> Result<(), StoreError> {
        match &self.file {
            Some(file) => file.sync_data().map_err(|e| StoreError::io(&self.path, e)),
            None => Ok(()),
        }
    }

    fn open(&mut self) -> std::io::Result<&mut File> {
        if self.file.is_none() {
            if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)?;
            }
            let mut file = OpenOptions::new()
                .read(true)
                .append(true)
                .create(true)
                .open(&self.path)?;
            cut_torn_tail(&mut file, &self.path)?;
            self.file = Some(file);
        }
        self.file
            .as_mut()
            .ok_or_else(|| std::io::Error::other("journal not open"))
    }
}

/// Mends the end of the file before appending: a last line that is a whole event missing only its
/// newline gets the newline; part of a line (what a crash left) is cut off, back to just after the
/// last newline.
fn cut_torn_tail(file: &mut File, path: &Path) -> std::io::Result<()> {
    let len = file.metadata()?.len();
    let mut end = len;
    let mut keep = 0;
    let mut chunk = vec![0u8; 4096];
    while end > 0 {
        let start = end.saturating_sub(chunk.len() as u64);
        let piece = chunk
            .get_mut(..usize::try_from(end - start).unwrap_or(0))
            .unwrap_or_default();
        file.seek(SeekFrom::Start(start))?;
        file.read_exact(piece)?;
        if let Some(at) = piece.iter().rposition(|&b| b == b'\n') {
            keep = start + at as u64 + 1;
            break;
        }
        end = start;
    }
    if keep == len {
        return Ok(());
    }
    // A real line is a few hundred bytes; a longer tail is not one.
    let mut tail = Vec::new();
    if len - keep <= 1 << 20 {
        file.seek(SeekFrom::Start(keep))?;
        file.read_to_end(&mut tail)?;
    }
    if !tail.is_empty() && parse_journal(&tail).events.len() == 1 {
        file.write_all(b"\n")
    } else {
        truncate(path, keep)
    }
}

/// Cuts the file at `path` to `len` bytes, through a handle of its own: an append-only handle may not
/// change the length on every system (Windows opens it without write access to the data).
fn truncate(path: &Path, len: u64) -> std::io::Result<()> {
    OpenOptions::new().write(true).open(path)?.set_len(len)
}

enum Message {
    Line {
        bytes: Vec<u8>,
        sync: bool,
    },
    /// Answered once every line sent before it is written and on disk.
    Flush(Sender<()>),
}

/// Appends events to a journal on a background thread, in order, so the window never waits for the
/// disk; lines marked `sync` (task boundaries) are fsynced. Failures come back through
/// [`JournalWriter::take_errors`]; dropping the writer finishes the queue first.
pub struct JournalWriter {
    path: PathBuf,
    lines: Option<Sender<Message>>,
    errors: Receiver<StoreError>,
    thread: Option<JoinHandle<()>>,
    /// Lines not yet on disk, as the writer thread last said.
    unsaved: Arc<Mutex<Option<Unsaved>>>,
    /// Used only when the thread could not be started: then lines are written on the caller's thread.
    inline: Mutex<Option<JournalFile>>,
    inline_errors: Sender<StoreError>,
}

impl std::fmt::Debug for JournalWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JournalWriter")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl JournalWriter {
    /// Starts the writer thread for the journal at `path` (created on the first line).
    pub fn new(path: PathBuf) -> Self {
        let (line_tx, line_rx) = mpsc::channel::<Message>();
        let (err_tx, err_rx) = mpsc::channel::<StoreError>();
        let mut journal = JournalFile::new(path.clone());
        let thread_errors = err_tx.clone();
        let unsaved: Arc<Mutex<Option<Unsaved>>> = Arc::new(Mutex::new(None));
        let shared = Arc::clone(&unsaved);
        let thread = std::thread::Builder::new()
            .name("clickwork-worklog".into())
            .spawn(move || {
                let mut backlog = Backlog {
                    lines: VecDeque::new(),
                    failing: false,
                    errors: thread_errors,
                    unsaved: shared,
                };
                loop {
                    let message = if backlog.lines.is_empty() {
                        line_rx.recv().ok()
                    } else {
                        match line_rx.recv_timeout(RETRY_EVERY) {
                            Ok(message) => Some(message),
                            Err(RecvTimeoutError::Timeout) => {
                                backlog.drain(&mut journal);
                                continue;
                            }
                            Err(RecvTimeoutError::Disconnected) => None,
                        }
                    };
                    match message {
                        Some(Message::Line { bytes, sync }) => {
                            backlog.lines.push_back((bytes, sync));
                            backlog.drain(&mut journal);
                        }
                        Some(Message::Flush(done)) => {
                            backlog.drain(&mut journal);
                            if let Err(e) = journal.sync() {
                                backlog.fail(e);
                            }
                            let _ = done.send(());
                        }
                        None => break,
                    }
                }
                // The app is closing: one last try, and a word in the log for what is lost.
                backlog.drain(&mut journal);
                if !backlog.lines.is_empty() {
                    log::error!(
                        "{}: {} work-log lines not written",
                        journal.path().display(),
                        backlog.lines.len()
                    );
                }
            })
            .ok();
        JournalWriter {
            unsaved,
            lines: thread.as_ref().map(|_| line_tx),
            inline: Mutex::new(None),
            inline_errors: err_tx,
            path,
            errors: err_rx,
            thread,
        }
    }

    /// The journal's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Queues `event`; with `sync` it is fsynced once written.
    pub fn append(&self, event: &Event, sync: bool) {
        let bytes = event.to_line().into_bytes();
        if let Some(tx) = &self.lines {
            // The thread only goes away if it panicked: then write here so nothing is lost.
            if let Err(mpsc::SendError(Message::Line { bytes, sync })) =
                tx.send(Message::Line { bytes, sync })
            {
                self.write_inline(&bytes, sync);
            }
        } else {
            self.write_inline(&bytes, sync);
        }
    }

    fn write_inline(&self, bytes: &[u8], sync: bool) {
        // A poisoned lock only means an earlier write panicked; the file handle is still usable.
        let mut inline = self.inline.lock().unwrap_or_else(|e| e.into_inner());
        let journal = inline.get_or_insert_with(|| JournalFile::new(self.path.clone()));
        if let Err(e) = journal.append_line(bytes, sync) {
            let _ = self.inline_errors.send(e);
        }
    }

    /// Blocks until every event queued so far is written and on disk.
    pub fn flush(&self) {
        if let Some(tx) = &self.lines {
            let (done_tx, done_rx) = mpsc::channel();
            if tx.send(Message::Flush(done_tx)).is_ok() {
                let _ = done_rx.recv();
                return;
            }
        }
        let mut inline = self.inline.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(journal) = inline.as_mut()
            && let Err(e) = journal.sync()
        {
            let _ = self.inline_errors.send(e);
        }
    }

    /// The failures since the last call, oldest first: the first of each run of failures.
    pub fn take_errors(&self) -> Vec<StoreError> {
        self.errors.try_iter().collect()
    }

    /// The lines not on disk yet (kept in memory and tried again), or `None` when all are written.
    pub fn unsaved(&self) -> Option<Unsaved> {
        self.unsaved
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

/// The writer thread's lines not yet written: a failed line stays, and every later line waits behind
/// it, so the journal keeps its order. They are tried again with every new line, at every flush and
/// every [`RETRY_EVERY`].
struct Backlog {
    lines: VecDeque<(Vec<u8>, bool)>,
    /// One report per run of failures: a full disk would otherwise repeat it every line.
    failing: bool,
    errors: Sender<StoreError>,
    unsaved: Arc<Mutex<Option<Unsaved>>>,
}

impl Backlog {
    fn drain(&mut self, journal: &mut JournalFile) {
        let mut error = None;
        while let Some((bytes, sync)) = self.lines.front() {
            match journal.append_line(bytes, *sync) {
                Ok(()) => {
                    self.lines.pop_front();
                }
                Err(e) => {
                    error = Some(e);
                    break;
                }
            }
        }
        let unsaved = error.as_ref().map(|e| Unsaved {
            count: self.lines.len(),
            error: e.to_string(),
        });
        *self.unsaved.lock().unwrap_or_else(|e| e.into_inner()) = unsaved;
        match error {
            Some(e) => self.fail(e),
            None => self.failing = false,
        }
    }

    fn fail(&mut self, e: StoreError) {
        if !self.failing {
            self.failing = true;
            // Nobody may be left to tell at shutdown.
            let _ = self.errors.send(e);
        }
    }
}

impl Drop for JournalWriter {
    fn drop(&mut self) {
        // Closing the channel lets the thread write what is queued and end.
        self.lines = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A line of the journal that could not be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineProblem {
    /// The line number, from 1.
    pub line: usize,
    /// What is wrong with it.
    pub message: String,
}

/// What reading a journal found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct JournalRead {
    /// The events, in file order.
    pub events: Vec<Event>,
    /// Lines that were skipped (not JSON, or not an event), with their line numbers.
    pub problems: Vec<LineProblem>,
    /// True when the file ended in an incomplete line (a crash during a write); it was ignored.
    pub torn_tail: bool,
}

impl JournalRead {
    /// The problems as messages naming `path` and the line, for the worker or a log.
    pub fn describe_problems(&self, path: &Path) -> Vec<String> {
        self.problems
            .iter()
            .map(|p| format!("{}:{}: skipped: {}", path.display(), p.line, p.message))
            .collect()
    }
}

/// Reads the journal at `path`; a missing file is an empty journal.
pub fn read_journal(path: &Path) -> Result<JournalRead, StoreError> {
    crate::domain::io_guard::assert_off_ui_thread(path);
    match std::fs::read(path) {
        Ok(bytes) => Ok(parse_journal(&bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(JournalRead::default()),
        Err(e) => Err(StoreError::io(path, e)),
    }
}

/// Parses journal bytes. Every complete line that is an event counts; a bad line in the middle is
/// skipped and reported; an incomplete last line (no newline) counts if it is a whole event, else it is
/// the torn end of a crash and is ignored.
pub fn parse_journal(bytes: &[u8]) -> JournalRead {
    let mut read = JournalRead::default();
    let mut chunks: Vec<&[u8]> = bytes.split(|&b| b == b'\n').collect();
    // After a final newline `split` yields an empty chunk; without one, the last chunk is unfinished.
    let tail = chunks.pop().filter(|t| !t.is_empty());
    for (index, chunk) in chunks.iter().enumerate() {
        let line = index + 1;
        if chunk.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match std::str::from_utf8(chunk) {
            Ok(text) => match Event::parse(text) {
                Ok(event) => read.events.push(event),
                Err(e) => read.problems.push(LineProblem {
                    line,
                    message: e.to_string(),
                }),
            },
            Err(_) => read.problems.push(LineProblem {
                line,
                message: "not UTF-8 text".into(),
            }),
        }
    }
    if let Some(tail) = tail {
        match std::str::from_utf8(tail).ok().map(Event::parse) {
            Some(Ok(event)) => read.events.push(event),
            _ => read.torn_tail = true,
        }
    }
    read
}

#[cfg(test)]
mod tests;
